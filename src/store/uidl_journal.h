/* uidl_journal: what a POP3 account has already downloaded -- the UIDL
 * journal that keeps downloads free of loss and of duplicates.
 *
 * One file per account under $XDG_STATE_HOME/tern/ (not a cache: it
 * cannot be rebuilt), append-only, every record one line with its own
 * checksum:
 *     tern-pop3-state 1
 *     P HASH SIZE UIDL CK    about to append the message UIDL, whose
 *                            content hash is HASH, to an mbox that was
 *                            SIZE bytes long
 *     S TIME UIDL CK         UIDL is stored in the mbox since TIME
 *     X UIDL CK              the pending UIDL turned out not to be stored
 *     K UIDL CK              keep UIDL on the server whatever the policy
 *                            (its size did not match LIST's: we may hold
 *                            less than the server has)
 *     M TIME UIDL CK         the stored UIDL was not listed by the server
 *                            at compactions since TIME
 * Records are fdatasync'd before the step they announce or after the one
 * they confirm.  A torn last line (a kill while writing it) is ignored; a
 * line whose checksum is wrong is skipped with a warning (at worst a
 * message is downloaded again; never lost).
 *
 * The argument (issue 6: no loss, no duplicate, whatever is killed when).
 * For each batch of downloaded messages, in this order:
 *   1. P records for the batch, fdatasync     (intent, with content hashes)
 *   2. mbox_append_batch: all or nothing, fsync'd; a kill half-way is
 *      undone by the mbox's append journal (mbox_journal.h)
 *   3. S records for the batch, fdatasync     (confirmation)
 *   4. only then DELE, if the policy says so; QUIT commits deletions.
 * A kill before 1: nothing happened.  Between 1 and 3: the next run finds
 * P without S and looks in the mbox from SIZE on for a message whose
 * content hash is HASH (uidl_journal_settle): found means step 2 completed
 * (S is written now), not found means it did not (X; downloaded again).
 * After 3: the message is known stored, never downloaded again, and may
 * be deleted on the server.  Nothing is ever DELE'd whose S is not on
 * disk, and a kill before QUIT deletes nothing (RFC 1939 s6).
 *
 * The state file also serves as the account's lock: an fcntl lock held
 * while a fetch runs, so a second fetch of the same account waits a
 * little, then gives up with a clear message. */
#ifndef TERN_UIDL_JOURNAL_H
#define TERN_UIDL_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define UIDL_MAX 70          /* RFC 1939 s7 */
#define UIDL_JOURNAL_MAX_RECORDS 2000000
#define UIDL_JOURNAL_LOCK_MS 3000   /* how long a second fetch waits */
/* How long a stored UIDL the server no longer lists is remembered: some
 * servers hide messages for a while (another session holds the maildrop,
 * a "recent" mode, a restore from backup), and forgetting the UIDL of one
 * that comes back would download it again. */
#define UIDL_JOURNAL_GRACE_DAYS 90

enum uidl_state {
	UIDL_NEW = 0,   /* never seen stored */
	UIDL_PENDING,   /* P without S or X: settle first */
	UIDL_STORED,
};

struct uidl_pending {
	const char *uidl;
	uint64_t hash;      /* mbox_append_content_hash() of the message */
	long long size_before; /* the mbox's size before the append */
};

struct uidl_journal;

/* Opens (creating it 0600, never through a link) and locks the state file
 * at path, then reads it.  Returns 0, or -1 with e: locked by another
 * fetch ("another tern fetch for this account is running"), unreadable,
 * or not a state file (never overwritten). */
int uidl_journal_open(struct uidl_journal **st_r, const char *path, struct err *e);
void uidl_journal_close(struct uidl_journal **st);

/* How many lines were skipped for a bad checksum when reading. */
size_t uidl_journal_damaged(const struct uidl_journal *st);

enum uidl_state uidl_journal_get(const struct uidl_journal *st, const char *uidl,
				   time_t *stored_r);

/* Step 1 and step 3 of the argument above: append records, fdatasync. */
int uidl_journal_pending(struct uidl_journal *st, const struct uidl_pending *p, size_t n,
		       struct err *e);
int uidl_journal_stored(struct uidl_journal *st, const char *const *uidls, size_t n,
		      time_t when, struct err *e);

/* Records (K, fdatasync'd) that the stored uidls must never be deleted by
 * the policy; uidl_journal_held() says whether one was. */
int uidl_journal_hold(struct uidl_journal *st, const char *const *uidls, size_t n,
		      struct err *e);
bool uidl_journal_held(const struct uidl_journal *st, const char *uidl);

/* Settles every pending UIDL against the mbox at mbox_path (see above).
 * *stored_r and *dropped_r (may be NULL) count the outcomes. */
int uidl_journal_settle(struct uidl_journal *st, const char *mbox_path, size_t *stored_r,
		      size_t *dropped_r, struct err *e);

/* Rewrites the file (new file, fsync, rename) with the stored UIDLs only:
 * those listed(ctx, uidl) says the server still lists, and those it has
 * not listed since less than UIDL_JOURNAL_GRACE_DAYS before now (their M
 * record starts now if they had none).  Pending ones must be settled
 * first. */
int uidl_journal_compact(struct uidl_journal *st, bool (*listed)(void *ctx, const char *uidl),
		       void *ctx, time_t now, struct err *e);

#endif
