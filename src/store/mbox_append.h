/* mbox_append: adding messages to the end of an mbox file, all or nothing.
 *
 * Format (RFC 4155, mboxrd variant as mutt and Dovecot read it): each
 * message is written as
 *     "From SENDER DATE\n"   DATE in asctime() form, UTC:
 *                            "Mon Jan  5 09:12:00 2026"
 *     the message, each line matching ^>*From  given one more '>'
 *     "\n" if the message does not end with one
 *     "\n"                   the blank line that ends every message
 * and before the first message, a file that does not end with a blank line
 * gets the missing "\n" (or "\n\n") so that the separator is recognised.
 *
 * Line ends: CRLF pairs in the message become LF (mbox on Unix is LF, as
 * mutt and procmail write it); a lone CR is kept.  So reading a message
 * back (mbox_scan_next + mbox_unquote) gives the bytes given with CRLF
 * turned into LF and a final LF added if it was missing.
 *
 * SENDER: the envelope sender; NULL, empty, longer than
 * MBOX_APPEND_SENDER_MAX, or containing any byte outside '!'..'~' (space,
 * control characters, 8-bit) is replaced by "MAILER-DAEMON", so the
 * separator line always has exactly the expected shape.  A date before
 * 1970 or after 9999 is replaced by the current time.
 *
 * Safety:
 *   - PATH is opened with O_NOFOLLOW: a symbolic link is refused, never
 *     followed, both when appending and when creating.  A missing file is
 *     created with O_CREAT|O_EXCL, mode 0600 whatever the umask.  A
 *     directory, FIFO or device is refused; so is a non-empty file that
 *     does not start with "From " (not an mbox: we will not append mail to
 *     some other file by mistake).
 *   - The file is locked with mbox_lock (fcntl + dotlock) while written.
 *   - All writes are followed by fsync.  On any failure after the file was
 *     touched (write error, disk full, file size limit, fsync error), the
 *     file is truncated back to its size before and fsync'd, and the error
 *     says "could not append to PATH: REASON; the mailbox is unchanged".
 *     If even that truncation fails the error says so instead.
 *     A caller running under a file size limit (RLIMIT_FSIZE) must ignore
 *     SIGXFSZ to get this error (EFBIG) rather than be killed; nothing
 *     here changes signal handling.
 *   - Message bytes are not otherwise changed: a Content-Length header in
 *     the message is kept as given (mbox_scan believes it only when it
 *     lands exactly on a separator or the end of the file).
 *   - A kill at any instant of an append (kill -9, power loss) is undone
 *     by the next writer of the mbox, or the next mbox_index_open: the
 *     append journal (mbox_journal.h) tells it which bytes to take out.
 *     After the next append, or mbox_append_recover(), the mailbox holds
 *     every message of a batch or none of it.
 * Memory stays bounded whatever the message size: it is written through a
 * fixed-size staging buffer (each message is read twice: once to count
 * and hash it for the journal, once to write it). */
#ifndef TERN_MBOX_APPEND_H
#define TERN_MBOX_APPEND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define MBOX_APPEND_SENDER_MAX 256

struct mbox_append_options {
	int lock_timeout_ms; /* as for mbox_lock_acquire: < 0 = default 10 s */
};

struct mbox_append_msg {
	const char *sender;  /* envelope sender, may be NULL */
	time_t date;         /* time of delivery */
	const char *data;    /* the message: headers, blank line, body */
	size_t len;
};

/* Appends one message to the mbox at path (see above).  opt may be NULL
 * for the defaults.  Returns 0 once the message is on disk (fsync'd), or
 * -1 with e filled and the mailbox as it was. */
int mbox_append(const char *path, const char *sender, time_t date,
		const char *msg, size_t len,
		const struct mbox_append_options *opt, struct err *e);

/* Appends msgs[0..n) under one lock with one fsync at the end: all of them
 * are stored, or (on any failure) none.  n == 0 does nothing and returns
 * 0 without touching the file. */
int mbox_append_batch(const char *path, const struct mbox_append_msg *msgs,
		      size_t n, const struct mbox_append_options *opt,
		      struct err *e);

/* The FNV-1a hash of a message as reading it back gives it (CRLF as LF,
 * a final LF added if missing): what an appended message is recognised
 * by in the mbox afterwards (uidl_journal.h). */
uint64_t mbox_append_content_hash(const char *msg, size_t len);

/* Settles what an append killed half-way left in the mbox at path (see
 * above), if anything: takes the lock only when there is something to do.
 * Returns 0, or -1 with e filled (e.g. the mbox is locked). */
int mbox_append_recover(const char *path, const struct mbox_append_options *opt,
			struct err *e);

#endif
