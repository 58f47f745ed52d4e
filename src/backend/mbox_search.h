/* mbox_search: tern's query language (query.h) over a local mbox.
 *
 * Text terms go to the full-text index (fts.h) -- bare words and phrases
 * anywhere, from:/to:/cc:/subject:/body: in their column -- and the rest
 * (is:, has:attachment, dates, sizes) is decided on the summaries; AND,
 * OR and NOT combine the sets.  Opening brings the summary cache and the
 * index up to date first, so results always reflect the file. */
#ifndef TERN_MBOX_SEARCH_H
#define TERN_MBOX_SEARCH_H

#include <stddef.h>

#include "err.h"
#include "mbox_index.h"
#include "query.h"

/* Opens the mbox at path into ix (see mbox_index_open(); cache_path may
 * not be NULL: the index lives there), updates the index, and runs query.
 * On success fills *seqs_r (0-based message numbers, ascending; free()
 * it) and *n_r, and leaves ix open for the caller to print from.  Returns
 * 0, or -1 with e filled: ERR_PARSE for a bad query (the message points
 * at the token), else the mbox or the cache could not be used. */
int mbox_search(const char *path, const char *cache_path, const char *query,
		struct mbox_index *ix, size_t **seqs_r, size_t *n_r, struct err *e);

/* The same on an mbox already open in ix (from path, with its cache at
 * cache_path), with the query parsed, and the flags of each message as
 * they are now (flags[i]; NULL: those of the summaries). */
int mbox_search_index(const char *path, const char *cache_path,
		      const struct mbox_index *ix, const unsigned *flags,
		      const struct query_node *q, size_t **seqs_r, size_t *n_r,
		      struct err *e);

#endif
