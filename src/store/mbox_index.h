/* mbox_index: an mbox's messages and their summaries, kept in a SQLite
 * cache so that reopening a mailbox does not read it again.
 *
 * The cache (one SQLite file, e.g. $XDG_CACHE_HOME/tern/mbox.sqlite) is
 * keyed by the mbox's path and identity: device, inode, size, mtime and
 * the bytes of its last separator line.  On open:
 *   - unchanged file: the summaries come from the cache alone;
 *   - a file that only grew (same device, inode, and last separator where
 *     it was): only the old last message and what follows are scanned;
 *   - anything else: the whole file is scanned again.
 * The cache is untrusted input (SECURITY.md G8): a wrong schema version,
 * an unreadable database or rows that do not fit the file make tern drop
 * it and rescan.  Deleting it loses nothing.  Files created are 0600. */
#ifndef TERN_MBOX_INDEX_H
#define TERN_MBOX_INDEX_H

#include <stddef.h>

#include "err.h"
#include "mbox_scan.h"
#include "summary.h"

struct mbox_entry {
	struct mbox_msg pos;
	struct summary sum;
};

struct mbox_index {
	struct mbox_file file;
	struct mbox_entry *msgs;
	size_t n;
	size_t cap;
	size_t scanned; /* messages parsed from the file by this open */
	size_t resume;  /* internal: where a grown file is scanned from */
	enum { MBOX_INDEX_CACHED, MBOX_INDEX_GREW, MBOX_INDEX_SCANNED } how;
};

/* Opens the mbox at path and fills ix, using and updating the cache file
 * cache_path (NULL: no cache).  A cache that cannot be used is rebuilt; a
 * cache that cannot be written is only logged by the caller through the
 * return value 1 (the index is complete either way).  Returns 0, 1, or -1
 * with e filled when the mbox itself cannot be read. */
int mbox_index_open(struct mbox_index *ix, const char *path,
		    const char *cache_path, struct err *e);
void mbox_index_close(struct mbox_index *ix);

#endif
