/* cli_folders: tern folders -- the folders of an IMAP account, one a
 * line, with their roles and counts.  See tern(1). */
#ifndef TERN_CLI_FOLDERS_H
#define TERN_CLI_FOLDERS_H

#include "cfg.h"
#include "err.h"
#include "log.h"

/* Prints the folders of acct (mode imap).  Returns 0, or -1 with e. */
int cli_folders(const struct cfg_account *acct, struct logger *lg, struct err *e);

#endif
