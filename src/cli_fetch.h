/* cli_fetch: tern fetch -- new mail of a POP3 account into its mbox,
 * without the reader: for cron as well as for a person.  See tern(1). */
#ifndef TERN_CLI_FETCH_H
#define TERN_CLI_FETCH_H

#include "cfg.h"
#include "err.h"
#include "log.h"

/* Downloads new mail of acct; prints a one-line summary on stdout (and a
 * progress line on stderr when it is a terminal).  Returns 0 (new mail or
 * none), or -1 with e filled. */
int cli_fetch(const struct cfg_account *acct, struct logger *lg, struct err *e);

#endif
