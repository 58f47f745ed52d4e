/* mbox_lock: locking an mbox file for writing, the way other mbox
 * programs (mutt, procmail, Dovecot, mail.local) do, so that tern and they
 * never write the same file at once.
 *
 * Two locks are taken, both or neither:
 *   - an fcntl write lock (F_SETLK, F_WRLCK) on the whole file;
 *   - a dotlock: the file PATH.lock, mode 0600, holding our pid and a
 *     newline ("12345\n", as liblockfile writes it).  It is created whole:
 *     an unnamed O_TMPFILE file in the directory gets the pid, then is
 *     linked to the name (EEXIST if taken, like O_EXCL; never through a
 *     symbolic link), so a kill at any instant cannot leave an empty
 *     dotlock.  Where O_TMPFILE or /proc is missing: O_CREAT|O_EXCL|
 *     O_NOFOLLOW, then the pid.
 * Each attempt tries both; if one is refused, the other is given back
 * before waiting, so a program that takes them in the other order cannot
 * deadlock with us.  Attempts are repeated every 100 ms until the timeout.
 *
 * A dotlock is stale, and is removed, if its mtime is more than 5 minutes
 * old, or if it holds a pid ("PID\n" or "PID HOST\n" with HOST our host
 * name) of a process that no longer exists (kill(pid, 0) fails with
 * ESRCH).  An empty dotlock (Dovecot writes none) is judged by age only.
 *
 * If the directory does not let us create PATH.lock (EACCES, e.g. a
 * system mail spool without the setgid helper), only the fcntl lock is
 * taken, as mutt does; have_dotlock then says false.
 *
 * Caveat of fcntl locks (POSIX): closing ANY descriptor of the file in
 * this process drops the lock.  Do not open and close the same mbox
 * elsewhere (e.g. mbox_file_open) while holding the lock.  Not
 * thread-safe (tern is single-threaded). */
#ifndef TERN_MBOX_LOCK_H
#define TERN_MBOX_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

#define MBOX_LOCK_TIMEOUT_DEFAULT_MS 10000
#define MBOX_LOCK_TIMEOUT_MAX_MS (10 * 60 * 1000)
#define MBOX_LOCK_POLL_MS 100
#define MBOX_LOCK_STALE_SECONDS (5 * 60)

struct mbox_lock {
	int fd;               /* the mbox, borrowed; -1 when not locked */
	char *dotlock_path;   /* PATH.lock, owned; NULL when not held */
	bool have_dotlock;    /* false: fcntl only (directory not writable) */
	dev_t dotlock_dev;    /* identity of our dotlock, to remove only ours */
	ino_t dotlock_ino;
};

/* Locks the mbox open on fd (opened for writing) whose name is path.
 * timeout_ms < 0 means MBOX_LOCK_TIMEOUT_DEFAULT_MS; 0 means one attempt;
 * values above MBOX_LOCK_TIMEOUT_MAX_MS are capped.  On failure nothing is
 * held, lk is left unlocked and e says who holds the lock where known:
 * "mailbox PATH locked by pid N" (the dotlock's pid) or "mailbox PATH
 * locked by another program (fcntl lock held by pid N)" (F_GETLK);
 * scope ERR_FOLDER, code ERR_IO.  lk is always filled, so that
 * mbox_lock_release may be called after a failure too. */
int mbox_lock_acquire(struct mbox_lock *lk, int fd, const char *path,
		      int timeout_ms, struct err *e);

/* Removes the dotlock if it is still ours (same inode and content) and
 * releases the fcntl lock.  Does not close fd.  lk must have been passed
 * to mbox_lock_acquire; calling it again (or after a failure) does
 * nothing. */
void mbox_lock_release(struct mbox_lock *lk);

#endif
