/* be_mbox: the backend of a local mbox file (core/backend.h).
 *
 * One folder: the file.  Opening it reads the summary cache (or scans,
 * with progress); flags changed in tern stay in memory (dirty) until sync
 * writes them to Status:/X-Status: with the crash-safe rewrite of the
 * store (mbox_rewrite.h), which also removes deleted messages when asked.
 * A file changed by another program is noticed by check() and before any
 * write; the changes not yet written are carried over to the messages
 * that are still there (a notice tells how many could not be).  copy()
 * appends messages to another mbox file (dest is its path).  Works
 * offline; no server flags, no server search. */
#ifndef TERN_BE_MBOX_H
#define TERN_BE_MBOX_H

#include "backend.h"

/* Opens the mbox at path as an account; cache_path (may be NULL) is the
 * summary cache and search index.  If missing_ok, a file that does not
 * exist yet (a POP3 account before its first download) is an empty
 * folder; otherwise it is an error. */
int be_mbox_open(struct be_account **a_r, const char *name, const char *path,
		 const char *cache_path, bool missing_ok, const struct ui_hooks *ui,
		 struct err *e);

/* The operations of an mbox account, for a backend built on it (be_pop3
 * copies them and adds its own). */
const struct backend_ops *be_mbox_ops(void);

#endif
