/* fts: the full-text index of an mbox, in SQLite FTS5.
 *
 * Kept in the same cache file as the summaries (mbox_index.h): one row
 * per message with the columns subject, sender, recipients, cc and body,
 * each the text as the reader shows it (decoded, HTML converted), so that searches match what
 * a person sees, not raw base64 or quoted-printable.  The unicode61
 * tokenizer with diacritics removed makes matching case- and
 * accent-insensitive.  Rows are keyed by the messages' doc numbers
 * (mbox_index.h), which survive rewrites of the mbox: the index is brought
 * up to date incrementally, only messages with new numbers are indexed. */
#ifndef TERN_FTS_H
#define TERN_FTS_H

#include <stddef.h>

#include "err.h"
#include "mbox_index.h"

/* The body text indexed per message is cut here. */
#define FTS_BODY_MAX ((size_t)1 << 20)

/* The index of one mbox: opened once, used for updates and any number
 * of queries. */
struct fts;

/* Opens the index of the mbox at path in cache_path (the mbox must have
 * been opened with mbox_index_open() on that cache first).  NULL with e
 * filled if it cannot be. */
struct fts *fts_open(const char *path, const char *cache_path, struct err *e);
void fts_close(struct fts **f);

/* Brings the index up to date with ix (just opened with
 * mbox_index_open()).  Returns 0, or -1 with e filled.  *indexed_r, if
 * not NULL, is set to the number of messages indexed now. */
int fts_update(struct fts *f, const struct mbox_index *ix, size_t *indexed_r,
	       struct err *e);

/* Runs the FTS5 query match (FTS5 syntax, e.g. "subject : hello" or
 * "\"a phrase\"") and returns the numbers (0-based, ascending) of the
 * matching messages of ix, the mbox as opened, in a new array.  Returns 0, or -1 with e filled (a bad
 * match expression is an ERR_PARSE error). */
int fts_match(struct fts *f, const struct mbox_index *ix, const char *match,
	      size_t **seqs_r, size_t *n_r, struct err *e);

#endif
