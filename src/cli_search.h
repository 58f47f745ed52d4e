/* cli_search: tern search over a local mbox, or on an IMAP server.  See
 * tern(1). */
#ifndef TERN_CLI_SEARCH_H
#define TERN_CLI_SEARCH_H

#include <stdbool.h>

#include "cfg.h"
#include "err.h"
#include "log.h"

/* Prints the messages of the mbox at path matching query, one listing
 * line each (or only their number with count).  Returns the number of
 * matches, or -1 with e filled. */
long cli_search_mbox(const char *path, const char *query, bool count,
		     struct logger *lg, struct err *e);

/* The same on the server, for an IMAP account: UID SEARCH in folder
 * (NULL: the account's, else INBOX), then the summaries of the matches
 * only (be_imap_open_matches). */
long cli_search_imap(const struct cfg_account *acct, const char *folder, const char *query,
		     bool count, struct logger *lg, struct err *e);

#endif
