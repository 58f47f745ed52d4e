#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mbox_lock.h"
#include "tap.h"
#include "testutil.h"

static char *dir;
static char mbox[4200];
static char lockfile[4300];

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A child process that does something (or nothing) and then waits until
 * the parent closes its control pipe. */
struct helper {
	pid_t pid;
	int ctl;
};

static struct helper helper_start(bool hold_fcntl)
{
	int ready[2], ctl[2];
	if (pipe(ready) < 0 || pipe(ctl) < 0)
		exit(99);
	pid_t pid = fork();
	if (pid < 0)
		exit(99);
	if (pid == 0) {
		close(ready[0]);
		close(ctl[1]);
		if (hold_fcntl) {
			int fd = open(mbox, O_RDWR);
			struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
			if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
				_exit(1);
		}
		char c = 'r';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		while (read(ctl[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(ctl[0]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		exit(99);
	close(ready[0]);
	return (struct helper){ .pid = pid, .ctl = ctl[1] };
}

static void helper_stop(struct helper *h)
{
	close(h->ctl);
	waitpid(h->pid, NULL, 0);
}

/* The pid of a process that has exited. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void put_dotlock(const char *text, time_t age)
{
	tu_write(lockfile, text, strlen(text));
	if (age > 0) {
		struct timespec ts[2] = { { .tv_sec = time(NULL) - age },
					  { .tv_sec = time(NULL) - age } };
		utimensat(AT_FDCWD, lockfile, ts, 0);
	}
}

static int open_mbox(void)
{
	int fd = open(mbox, O_RDWR);
	if (fd < 0)
		exit(99);
	return fd;
}

static void test_acquire_release(void)
{
	struct mbox_lock lk;
	struct err e;
	err_init(&e);
	int fd = open_mbox();
	char want[32];
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());

	is_int(mbox_lock_acquire(&lk, fd, mbox, 1000, &e), 0,
	       "a free mailbox is locked at once");
	ok(lk.have_dotlock, "a writable directory gives a dotlock");
	is_str(lk.dotlock_path, lockfile, "the dotlock is PATH.lock");
	is_str(tu_read(lockfile), want, "the dotlock holds our pid and a newline");
	struct stat st;
	is_int(lstat(lockfile, &st) == 0 ? (long long)(st.st_mode & 0777) : -1,
	       0600, "the dotlock is mode 0600");
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open(mbox, O_RDWR);
		_exit(fcntl(cfd, F_GETLK, &q) == 0 && q.l_type == F_WRLCK ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "another process sees our fcntl write lock");
	mbox_lock_release(&lk);
	ok(access(lockfile, F_OK) < 0 && errno == ENOENT,
	   "release removes the dotlock");
	is_int(lk.fd, -1, "release marks the lock as not held");
	mbox_lock_release(&lk);
	ok(1, "a second release does nothing (no crash)");
	close(fd);
}

static void test_fcntl_held(void)
{
	struct helper h = helper_start(true);
	struct mbox_lock lk;
	struct err e;
	err_init(&e);
	int fd = open_mbox();
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 300, &e), -1,
	       "an fcntl lock held by another process makes acquire fail");
	long ms = elapsed_ms(&t0);
	ok(ms >= 290 && ms < 3000, "acquire waited about the timeout (%ld ms)", ms);
	char want[4400];
	snprintf(want, sizeof(want),
		 "mailbox %s locked by another program (fcntl lock held by pid %ld)",
		 mbox, (long)h.pid);
	is_str(e.msg, want, "the error names the fcntl lock holder's pid");
	is_int(e.scope, ERR_FOLDER, "a locked mailbox is a folder error");
	ok(access(lockfile, F_OK) < 0, "no dotlock is left behind after failing");
	mbox_lock_release(&lk);
	helper_stop(&h);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 300, &e), 0,
	       "once the holder is gone the lock is taken");
	mbox_lock_release(&lk);
	close(fd);
}

static void test_dotlock_live(void)
{
	struct helper h = helper_start(false);
	char text[32];
	snprintf(text, sizeof(text), "%ld\n", (long)h.pid);
	put_dotlock(text, 0);
	struct mbox_lock lk;
	struct err e;
	err_init(&e);
	int fd = open_mbox();
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), -1,
	       "a dotlock with a live pid makes acquire fail");
	char want[8800];
	snprintf(want, sizeof(want), "mailbox %s locked by pid %ld (lock file %s)",
		 mbox, (long)h.pid, lockfile);
	is_str(e.msg, want, "the error names the dotlock's pid");
	is_str(tu_read(lockfile), text, "the other program's dotlock is untouched");
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open(mbox, O_RDWR);
		_exit(fcntl(cfd, F_GETLK, &q) == 0 && q.l_type == F_UNLCK ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the fcntl lock is given back when the dotlock is refused");

	is_int(mbox_lock_acquire(&lk, fd, mbox, 0, &e), -1,
	       "timeout 0 makes one attempt and fails");
	helper_stop(&h);
	unlink(lockfile);
	close(fd);
}

static void test_stale(void)
{
	struct mbox_lock lk;
	struct err e;
	err_init(&e);
	int fd = open_mbox();
	char text[300], want[32];
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());

	snprintf(text, sizeof(text), "%ld\n", (long)dead_pid());
	put_dotlock(text, 0);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), 0,
	       "a dotlock whose pid is dead is broken");
	is_str(tu_read(lockfile), want, "and replaced by ours");
	mbox_lock_release(&lk);

	char host[HOST_NAME_MAX + 1] = "";
	gethostname(host, sizeof(host));
	snprintf(text, sizeof(text), "%ld %s\n", (long)dead_pid(), host);
	put_dotlock(text, 0);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), 0,
	       "\"PID OURHOST\" with a dead pid is broken");
	mbox_lock_release(&lk);

	snprintf(text, sizeof(text), "%ld other.host.invalid\n", (long)dead_pid());
	put_dotlock(text, 0);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), -1,
	       "a dotlock of another host is not judged by its pid");
	ok(strstr(e.msg, "locked by another program (lock file") != NULL,
	   "its error says a lock file is held (%s)", e.msg);

	put_dotlock("", 0);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), -1,
	       "a fresh empty dotlock (Dovecot style) is respected");

	put_dotlock("", 10 * 60);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), 0,
	       "an empty dotlock 10 minutes old is broken");
	mbox_lock_release(&lk);

	struct helper h = helper_start(false);
	snprintf(text, sizeof(text), "%ld\n", (long)h.pid);
	put_dotlock(text, 4 * 60);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), -1,
	       "a live pid's dotlock 4 minutes old is still respected");
	put_dotlock(text, 10 * 60);
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), 0,
	       "any dotlock 10 minutes old is broken");
	mbox_lock_release(&lk);
	helper_stop(&h);
	close(fd);
}

static void test_release_only_ours(void)
{
	struct mbox_lock lk;
	struct err e;
	err_init(&e);
	int fd = open_mbox();
	is_int(mbox_lock_acquire(&lk, fd, mbox, 250, &e), 0, "locked");
	/* Someone broke our lock and took their own. */
	unlink(lockfile);
	put_dotlock("1\n", 0);
	mbox_lock_release(&lk);
	is_str(tu_read(lockfile), "1\n",
	       "release leaves a dotlock that is no longer ours");
	unlink(lockfile);
	close(fd);
}

/* Without write permission on the directory only the fcntl lock is
 * taken.  Root ignores permissions, so it is tested as nobody. */
static void test_no_dotlock_dir(void)
{
	char sub[4300], file[4400];
	snprintf(sub, sizeof(sub), "%s/ro", dir);
	snprintf(file, sizeof(file), "%s/mbox", sub);
	mkdir(sub, 0755);
	tu_write(file, "", 0);
	/* nobody must be able to reach the file through the test directory. */
	if (getuid() == 0 && (chown(file, 65534, 65534) < 0 || chmod(sub, 0755) < 0 ||
			      chmod(dir, 0711) < 0))
		exit(99);
	if (getuid() != 0)
		chmod(sub, 0555);
	pid_t pid = fork();
	if (pid == 0) {
		if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		int fd = open(file, O_RDWR);
		struct mbox_lock lk;
		struct err e;
		err_init(&e);
		if (fd < 0)
			_exit(4);
		if (mbox_lock_acquire(&lk, fd, file, 250, &e) < 0) {
			diag("%s", e.msg);
			_exit(6);
		}
		int rc = lk.have_dotlock ? 5 : 0;
		mbox_lock_release(&lk);
		_exit(rc);
	}
	int status;
	waitpid(pid, &status, 0);
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
	       "an unwritable directory falls back to the fcntl lock alone");
	ok(access(file, F_OK) == 0 && access(sub, F_OK) == 0 &&
	   strcmp(tu_read(file), "") == 0, "the mailbox is untouched");
	chmod(sub, 0755);
	chmod(dir, 0700);
}

int main(void)
{
	dir = tu_tempdir();
	snprintf(mbox, sizeof(mbox), "%s/mbox", dir);
	snprintf(lockfile, sizeof(lockfile), "%s.lock", mbox);
	tu_write(mbox, "", 0);
	test_acquire_release();
	test_fcntl_held();
	test_dotlock_live();
	test_stale();
	test_release_only_ours();
	test_no_dotlock_dir();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
