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

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "mbox_scan.h"
#include "summary.h"

struct mbox_entry {
	struct mbox_msg pos;
	struct summary sum;
	/* The message's document number in the cache (its full-text index
	 * row): unique in the cache file, kept while the message is, and
	 * increasing with the message number.  0 until the cache assigns
	 * one (no cache, or a cache that could not be written). */
	long long doc;
};

/* What a file was when it was read: a change of any of these means
 * another program touched it. */
struct mbox_identity {
	long long dev, ino, size, mtime; /* mtime in nanoseconds */
};

struct mbox_index {
	struct mbox_file file;
	struct mbox_identity id; /* of the file when mapped; size = file.len */
	struct mbox_entry *msgs;
	size_t n;
	size_t cap;
	size_t scanned; /* messages parsed from the file by this open */
	size_t resume;  /* internal: where a grown file is scanned from */
	const struct mbox_index_progress *progress; /* internal: during open */
	bool cancelled; /* internal: the progress callback said stop */
	enum { MBOX_INDEX_CACHED, MBOX_INDEX_GREW, MBOX_INDEX_SCANNED } how;
};

/* Opens the mbox at path and fills ix, using and updating the cache file
 * cache_path (NULL: no cache).  A cache that cannot be used is rebuilt; a
 * cache that cannot be written is only logged by the caller through the
 * return value 1 (the index is complete either way).  Returns 0, 1, or -1
 * with e filled when the mbox itself cannot be read. */
int mbox_index_open(struct mbox_index *ix, const char *path,
		    const char *cache_path, struct err *e);

/* Progress of a scan: fn is called every few MiB with the bytes done and
 * the file's size; returning false stops the scan, and the open fails
 * with ERR_CANCELLED (nothing is cached). */
struct mbox_index_progress {
	bool (*fn)(void *ctx, size_t done, size_t total);
	void *ctx;
};

/* mbox_index_open, reporting progress (p may be NULL). */
int mbox_index_open_with(struct mbox_index *ix, const char *path,
			 const char *cache_path,
			 const struct mbox_index_progress *p, struct err *e);
void mbox_index_close(struct mbox_index *ix);

/* For the store's own writers (mbox_rewrite): scans ix->file from byte
 * offset pos to its end, adding entries after the existing ones. */
void mbox_index_scan_from(struct mbox_index *ix, size_t pos);

/* For the store's own writers: records ix (its file, identity and every
 * entry, keeping their doc numbers; entries with doc 0 get new ones) as
 * the cache of path, replacing what the cache held; full-text rows of
 * documents no longer in ix are deleted.  Returns 0, or -1 if the cache
 * could not be written (then it no longer claims to know path). */
int mbox_index_store(struct mbox_index *ix, const char *path,
		     const char *cache_path);

/* The identity of the open file fd (size from fstat). */
void mbox_identity_of(int fd, struct mbox_identity *id);

#endif
