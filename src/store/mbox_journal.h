/* mbox_journal: what lets an append killed half-way be taken out again.
 *
 * Why.  An append writes at the end of the mbox.  A process killed there
 * (kill -9, a crash, power loss) leaves part of a message, which readers
 * show as a damaged message; and POP3 mode, which records a message as
 * stored only after the fsync that covers it, would download it again in
 * full: the mailbox would hold a broken copy and a whole one.
 *
 * How.  Before the first byte goes to the mbox, mbox_append writes the
 * journal ".NAME.tern-append" beside it (0600, O_EXCL, never through a
 * link; fsync'd with its directory) holding the mbox's device and inode,
 * its size before the append, and for each message its offset, length,
 * FNV-1a hash and separator line.  Once the appended bytes are fsync'd,
 * the journal is removed.  The next writer (append or rewrite, under the
 * mbox lock) that finds a journal knows an append was cut short:
 *   - each message of it is in place, whole (offset, length and hash
 *     match): the append completed and only the removal was missed, so
 *     the journal is removed;
 *   - otherwise all the bytes of that append are taken out (an append is
 *     all or nothing): from the old size up to the first separator line
 *     that is not one of ours (another program may have appended after the
 *     crash, once our dotlock had become stale).  A separator at one of our
 *     offsets whose text is our separator line, or the start of it, is
 *     ours.  If nothing follows, the file is truncated back; otherwise it
 *     is written anew without those bytes (temporary file and rename, as
 *     mbox_rewrite does), and the caller must open it again;
 *   - a journal of another file (device or inode differ), of a file now
 *     shorter than its old size, or that cannot be parsed, is removed.
 * Where the directory does not let us create the journal (EACCES, EPERM,
 * EROFS: a system spool without the setgid helper), appends go on without
 * one, as the dotlock does.
 *
 * The one case this cannot tell apart: another program's message
 * appended exactly at the offset of one of ours, after a crash, with the
 * very same separator line (same sender, same second).  It would be taken
 * for ours and removed. */
#ifndef TERN_MBOX_JOURNAL_H
#define TERN_MBOX_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define MBOX_JOURNAL_MAX_MSGS 100000
#define MBOX_JOURNAL_SEP_MAX 400

struct mbox_journal_msg {
	off_t off;        /* where its separator line starts */
	size_t len;       /* bytes, separator and final blank line included */
	uint64_t hash;    /* FNV-1a of those bytes */
	const char *sep;  /* the separator line, with its newline */
};

/* Writes the journal of an append to path (open and locked on fd) that
 * starts at offset before.  Returns 0 with *jpath_r set (NULL when the
 * directory does not allow a journal), or -1 with e filled. */
int mbox_journal_begin(const char *path, int fd, off_t before,
		       const struct mbox_journal_msg *msgs, size_t n,
		       char **jpath_r, struct err *e);

/* Removes the journal once the append is on disk (or rolled back). */
void mbox_journal_end(char **jpath);

/* Finds and settles the journal of path, open and locked on fd (see
 * above).  Returns 0 when the file is as it should be, 1 when it was
 * replaced (the caller must release fd's lock, reopen and lock again), or
 * -1 with e filled. */
int mbox_journal_recover(const char *path, int fd, struct err *e);

/* Whether path has a journal (an append was cut short). */
int mbox_journal_exists(const char *path);

#endif
