#include "config.h"

#include "mbox_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "mem.h"

/* Why the last attempt failed, for the error message. */
struct lock_holder {
	bool by_fcntl;
	long fcntl_pid;    /* 0 if unknown */
	long dotlock_pid;  /* 0 if unknown */
};

enum attempt {
	ATTEMPT_ERROR = -1,
	ATTEMPT_OK = 0,
	ATTEMPT_BUSY = 1,
	ATTEMPT_NO_DOTLOCK = 2, /* directory not writable: fcntl only */
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static enum attempt fcntl_try(int fd, struct lock_holder *h)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) == 0)
		return ATTEMPT_OK;
	if (errno != EAGAIN && errno != EACCES && errno != EINTR)
		return ATTEMPT_ERROR;
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	h->by_fcntl = true;
	h->fcntl_pid = 0;
	if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK)
		h->fcntl_pid = (long)q.l_pid;
	return ATTEMPT_BUSY;
}

static void fcntl_unlock(int fd)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
	int saved = errno;
	(void)fcntl(fd, F_SETLK, &fl);
	errno = saved;
}

/* True if text[0..len) is our host name. */
static bool is_our_host(const char *text, size_t len)
{
	char host[HOST_NAME_MAX + 1];
	if (gethostname(host, sizeof(host)) < 0)
		return false;
	host[sizeof(host) - 1] = '\0';
	return strlen(host) == len && memcmp(host, text, len) == 0;
}

/* The pid a dotlock names, if it names a process of this host; 0 if the
 * content says nothing usable.  Accepts "PID", "PID\n", "PID HOST\n",
 * with leading spaces (HDB style "%10d\n"). */
static long dotlock_read_pid(const char *path)
{
	char text[256];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	size_t len = (size_t)n, i = 0;
	while (i < len && text[i] == ' ')
		i++;
	size_t digits = i;
	long pid = 0;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		pid = pid * 10 + (text[i] - '0');
		if (pid > INT_MAX)
			return 0;
	}
	if (i == digits)
		return 0;
	if (i == len || text[i] == '\n')
		return pid;
	if (text[i] != ' ')
		return 0;
	size_t host = ++i;
	while (i < len && text[i] != '\n')
		i++;
	return is_our_host(text + host, i - host) ? pid : 0;
}

static bool dotlock_is_stale(const struct stat *st, long pid)
{
	time_t now = time(NULL);
	if (now - st->st_mtime > MBOX_LOCK_STALE_SECONDS)
		return true;
	return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Removes the dotlock at path if it is stale.  Returns true if it is gone
 * (removed, or vanished meanwhile), so that creating it may be retried. */
static bool dotlock_break_if_stale(const char *path, struct lock_holder *h)
{
	struct stat st, again;
	if (lstat(path, &st) < 0)
		return errno == ENOENT;
	h->by_fcntl = false;
	h->dotlock_pid = dotlock_read_pid(path);
	if (!dotlock_is_stale(&st, h->dotlock_pid))
		return false;
	/* Remove only the file we judged: if it was replaced meanwhile, its
	 * new owner is judged at the next attempt. */
	if (lstat(path, &again) < 0)
		return errno == ENOENT;
	if (again.st_dev != st.st_dev || again.st_ino != st.st_ino ||
	    again.st_mtime != st.st_mtime)
		return false;
	return unlink(path) == 0 || errno == ENOENT;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes our pid into the new dotlock fd and records its identity. */
static enum attempt dotlock_fill(struct mbox_lock *lk, int fd, const char *path)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	struct stat st;
	if (n < 0 || write_all(fd, text, (size_t)n) < 0 || fstat(fd, &st) < 0) {
		int saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return ATTEMPT_ERROR;
	}
	close(fd);
	lk->dotlock_dev = st.st_dev;
	lk->dotlock_ino = st.st_ino;
	return ATTEMPT_OK;
}

/* Creates the dotlock path with our pid already in it: an unnamed file
 * (O_TMPFILE) in its directory is filled, then linked to the name, which
 * fails with EEXIST as O_EXCL does.  So a process killed at any instant
 * leaves no dotlock or one that names it -- never an empty one, which
 * others could only judge by its age.  Returns 1 (created; errno is not
 * used), 0 when the system cannot do this (no O_TMPFILE support, no
 * /proc), or -1 with errno set. */
static int dotlock_create_whole(struct mbox_lock *lk, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/")
		    : xstrndup(path, (size_t)(slash - path));
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	free(dir);
	if (fd < 0)
		return errno == EACCES || errno == EROFS ? -1 : 0;
	char text[32], proc[64];
	int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	struct stat st;
	int rc = 1;
	if (n < 0 || write_all(fd, text, (size_t)n) < 0 || fstat(fd, &st) < 0)
		rc = -1;
	else if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) < 0)
		rc = errno == EEXIST || errno == EACCES ? -1 : 0;
	int saved = errno;
	close(fd);
	errno = saved;
	if (rc == 1) {
		lk->dotlock_dev = st.st_dev;
		lk->dotlock_ino = st.st_ino;
	}
	return rc;
}

static enum attempt dotlock_try(struct mbox_lock *lk, const char *path,
				struct lock_holder *h)
{
	for (int round = 0; round < 2; round++) {
		int whole = dotlock_create_whole(lk, path);
		if (whole > 0)
			return ATTEMPT_OK;
		int fd = whole < 0 ? -1 : open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW |
						O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0)
			return dotlock_fill(lk, fd, path);
		if (errno == EACCES)
			return ATTEMPT_NO_DOTLOCK;
		if (errno != EEXIST)
			return ATTEMPT_ERROR;
		if (!dotlock_break_if_stale(path, h))
			return ATTEMPT_BUSY;
	}
	h->by_fcntl = false;
	return ATTEMPT_BUSY;
}

/* One attempt at both locks: both are held afterwards, or neither. */
static enum attempt attempt_both(struct mbox_lock *lk, int fd, const char *path,
				 struct lock_holder *h)
{
	enum attempt rc = fcntl_try(fd, h);
	if (rc != ATTEMPT_OK)
		return rc;
	rc = dotlock_try(lk, path, h);
	if (rc == ATTEMPT_OK || rc == ATTEMPT_NO_DOTLOCK) {
		lk->have_dotlock = rc == ATTEMPT_OK;
		return ATTEMPT_OK;
	}
	fcntl_unlock(fd);
	return rc;
}

static int locked_error(struct err *e, const char *path, const char *lockpath,
			const struct lock_holder *h)
{
	if (h->by_fcntl && h->fcntl_pid > 0)
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("mailbox %s locked by another program (fcntl lock held by pid %ld)"),
			       path, h->fcntl_pid);
	if (h->by_fcntl)
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("mailbox %s locked by another program (fcntl lock)"),
			       path);
	if (h->dotlock_pid > 0)
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("mailbox %s locked by pid %ld (lock file %s)"),
			       path, h->dotlock_pid, lockpath);
	return err_set(e, ERR_FOLDER, ERR_IO,
		       _("mailbox %s locked by another program (lock file %s)"),
		       path, lockpath);
}

int mbox_lock_acquire(struct mbox_lock *lk, int fd, const char *path,
		      int timeout_ms, struct err *e)
{
	lk->fd = -1;
	lk->dotlock_path = NULL;
	lk->have_dotlock = false;
	if (timeout_ms < 0)
		timeout_ms = MBOX_LOCK_TIMEOUT_DEFAULT_MS;
	if (timeout_ms > MBOX_LOCK_TIMEOUT_MAX_MS)
		timeout_ms = MBOX_LOCK_TIMEOUT_MAX_MS;
	size_t len = strlen(path);
	if (len == 0 || len > PATH_MAX - 6)
		return err_set(e, ERR_FOLDER, ERR_LIMIT,
			       _("cannot lock mailbox: path too long or empty"));
	char *lockpath = xmalloc(len + 6);
	memcpy(lockpath, path, len);
	memcpy(lockpath + len, ".lock", 6);

	struct lock_holder h = { 0 };
	long deadline = now_ms() + timeout_ms;
	for (;;) {
		enum attempt rc = attempt_both(lk, fd, lockpath, &h);
		if (rc == ATTEMPT_OK) {
			lk->fd = fd;
			if (lk->have_dotlock)
				lk->dotlock_path = lockpath;
			else
				free(lockpath);
			return 0;
		}
		if (rc == ATTEMPT_ERROR) {
			int saved = errno;
			err_set(e, ERR_FOLDER, ERR_IO, _("cannot lock mailbox %s: %s"),
				path, strerror(saved));
			free(lockpath);
			return -1;
		}
		long left = deadline - now_ms();
		if (left <= 0)
			break;
		sleep_ms(left < MBOX_LOCK_POLL_MS ? left : MBOX_LOCK_POLL_MS);
	}
	locked_error(e, path, lockpath, &h);
	free(lockpath);
	return -1;
}

/* True if the dotlock at lk->dotlock_path is still the file we created. */
static bool dotlock_is_ours(const struct mbox_lock *lk)
{
	struct stat st;
	if (lstat(lk->dotlock_path, &st) < 0)
		return false;
	if (st.st_dev != lk->dotlock_dev || st.st_ino != lk->dotlock_ino)
		return false;
	return dotlock_read_pid(lk->dotlock_path) == (long)getpid();
}

void mbox_lock_release(struct mbox_lock *lk)
{
	if (lk->dotlock_path != NULL) {
		if (dotlock_is_ours(lk))
			(void)unlink(lk->dotlock_path);
		free(lk->dotlock_path);
		lk->dotlock_path = NULL;
	}
	if (lk->fd >= 0)
		fcntl_unlock(lk->fd);
	lk->fd = -1;
	lk->have_dotlock = false;
}
