/* mbox_rewrite: writing flag changes and expunges back into an mbox.
 *
 * Flags go where mutt and other mbox readers look for them: "Status: RO"
 * (read; "O" alone for old, seen but unread) and "X-Status:" with A
 * (answered), F (flagged) and D (deleted).  A message whose flags change
 * gets its Status and X-Status fields removed and the new ones added at
 * the end of its header, in the header's own line ending; every other
 * byte of the file -- other messages, separators, bodies, Content-Length
 * fields -- is copied unchanged.  Expunging leaves out the messages whose
 * new flags include SUMMARY_DELETED, with their separator and the blank
 * line after them.
 *
 * Crash safety (kill -9, power loss) at any instant: the new mailbox is
 * written to a file in the same directory (".NAME.tern-new.XXXXXX",
 * 0600, then given the mbox's mode and, where allowed, owner), fsync'd,
 * renamed over the mbox, and the directory fsync'd, all under the mbox
 * lock (mbox_lock.h).  rename() is atomic: the name always points at a
 * complete old or a complete new file, each holding every message exactly
 * once.  A temporary file left by a killed run is removed by the next
 * rewrite of the same mbox (under the lock, none can be in use).
 *
 * Change detection: under the lock, before anything is written, the file
 * must still be the one ix describes -- same device and inode, and either
 * the same size and mtime, or larger (another program appended: what it
 * appended is kept, after our messages); every message's separator must
 * still be where ix has it.  Otherwise nothing is written and
 * MBOX_REWRITE_CHANGED is returned: the caller reopens and tries again
 * (mbox_sync does).
 *
 * Programs that open the mbox and only then wait for the lock could
 * append to the replaced file; the delivery agents of Debian (Postfix
 * local, Dovecot LDA, procmail, mail.local) take the dotlock before they
 * open the file, or check after locking that the name still points at the
 * file they opened. */
#ifndef TERN_MBOX_REWRITE_H
#define TERN_MBOX_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "mbox_index.h"

#define MBOX_REWRITE_CHANGED 1

/* The flags a rewrite writes; others (none yet) stay in memory only. */
#define MBOX_REWRITE_FLAGS (SUMMARY_READ | SUMMARY_OLD | SUMMARY_FLAGGED | \
			    SUMMARY_ANSWERED | SUMMARY_DELETED)

struct mbox_rewrite_options {
	int lock_timeout_ms; /* as for mbox_lock_acquire: < 0 = default 10 s */
};

/* Writes the mbox at path (the file ix was opened from) anew with
 * flags[i] (SUMMARY_*) as the flags of message i, for each of ix->n
 * messages, leaving out those flagged SUMMARY_DELETED if expunge.  When
 * nothing would change, nothing is written.  opt may be NULL.
 * Returns:
 *   0   done; ix now describes the new file (its summaries carry the new
 *       flags) and the cache at cache_path (may be NULL) knows it;
 *   MBOX_REWRITE_CHANGED  the file is not what ix describes; nothing was
 *       written, ix is unchanged;
 *   -1  e filled; nothing was changed ("could not write PATH: REASON; the
 *       mailbox is unchanged"), e.g. disk full, locked by another program. */
int mbox_rewrite(struct mbox_index *ix, const char *path, const char *cache_path,
		 const unsigned *flags, bool expunge,
		 const struct mbox_rewrite_options *opt, struct err *e);

/* Where each message of old is in new: map_r[i] is the number in new of
 * old's message i, or (size_t)-1 when new does not have it.  Messages are
 * matched by Message-ID, date, sender, subject and size (the size may
 * differ by what Status and X-Status take), in order among equals. */
void mbox_index_match(const struct mbox_index *old, const struct mbox_index *new,
		      size_t *map_r);

/* mbox_rewrite, and when another program changed the file meanwhile:
 * reopen ix, carry the wanted flags over to the messages that are still
 * there (mbox_index_match), and try again, a few times.  *lost_r (may be
 * NULL) is set to the number of changed messages that were no longer in
 * the file.  flags (ix->n entries, describing ix as passed) is not
 * modified.  Returns 0, or -1 with e filled; after -1 ix is open on the
 * file as it now is (and may differ from what was passed), or, if even
 * reopening failed, closed (ix->n == 0, ix->file.fd == -1). */
int mbox_sync(struct mbox_index *ix, const char *path, const char *cache_path,
	      const unsigned *flags, bool expunge,
	      const struct mbox_rewrite_options *opt, size_t *lost_r,
	      struct err *e);

#endif
