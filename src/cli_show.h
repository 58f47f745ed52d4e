/* cli_show: tern show -- one message rendered, as JSON, raw, or its
 * attachments saved.  See tern(1). */
#ifndef TERN_CLI_SHOW_H
#define TERN_CLI_SHOW_H

#include "args.h"
#include "cfg.h"
#include "err.h"
#include "log.h"

/* Runs tern show for the parsed arguments a, writing to stdout, with the
 * [general] settings of cfg (shown header fields, html_command): the
 * message of a->target (a file, -, an mbox with a->msgno), or, with acct
 * (-a or a URL), message a->msgno of that account as its listing numbers
 * it -- the position in an mbox or POP3 account's mbox, the UID in an
 * IMAP account's folder (a->folder, else the account's, else INBOX),
 * which is opened read-only (EXAMINE) and never marked read.  Returns 0,
 * or -1 with e filled (ERR_NOTFOUND: there is no such message). */
int cli_show(const struct args *a, const struct cfg *cfg, const struct cfg_account *acct,
	     struct logger *lg, struct err *e);

#endif
