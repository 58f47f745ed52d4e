#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mbox_append.h"
#include "mbox_scan.h"
#include "tap.h"
#include "testutil.h"

#define TXT(lit) lit, sizeof(lit) - 1

static char *dir;

/* 2026-01-05 09:12:00 UTC, a Monday. */
static const time_t jan5 = 1767604320;

static char *path_in(const char *name)
{
	static char path[4300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* The whole file, malloc'd; *len_r its length.  NULL if missing. */
static char *slurp(const char *path, size_t *len_r)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	struct stat st;
	fstat(fd, &st);
	char *p = malloc((size_t)st.st_size + 1);
	ssize_t n = read(fd, p, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		exit(99);
	p[n] = '\0';
	*len_r = (size_t)n;
	return p;
}

static bool file_is(const char *path, const char *want, size_t want_len)
{
	size_t len;
	char *got = slurp(path, &len);
	bool same = got != NULL && len == want_len && memcmp(got, want, len) == 0;
	if (!same)
		diag("file %s is \"%s\"", path, got ? got : "(missing)");
	free(got);
	return same;
}

/* The n-th message of the mbox, unquoted, into out.  The blank line that
 * ends the last message is not part of it. */
static bool read_back(const char *path, int index, struct buf *out)
{
	size_t len, pos = 0;
	char *data = slurp(path, &len);
	struct mbox_msg m;
	int i = 0;
	bool found = false;
	while (data && mbox_scan_next(data, len, &pos, &m)) {
		if (i++ != index)
			continue;
		size_t end = m.end;
		if (end == len && end > m.start && data[end - 1] == '\n')
			end--;
		buf_reset(out);
		found = mbox_unquote(data + m.start, end - m.start, out) == 0;
	}
	free(data);
	return found;
}

static int count_msgs(const char *path)
{
	size_t len, pos = 0;
	char *data = slurp(path, &len);
	struct mbox_msg m;
	int n = 0;
	while (data && mbox_scan_next(data, len, &pos, &m))
		n++;
	free(data);
	return n;
}

static void test_exact_bytes(void)
{
	struct err e;
	err_init(&e);
	const char *p = path_in("exact");
	is_int(mbox_append(p, "alice@example.org", jan5, TXT("Subject: x\n\nhi\n"),
			   NULL, &e), 0, "append to a missing file creates it");
	ok(file_is(p, TXT("From alice@example.org Mon Jan  5 09:12:00 2026\n"
			  "Subject: x\n\nhi\n\n")),
	   "separator line in asctime UTC form, message, blank line");
	is_int(mbox_append(p, "bob@example.org", jan5 + 86400 * 10,
			   TXT("Subject: y\n\n"), NULL, &e), 0, "second append");
	ok(file_is(p, TXT("From alice@example.org Mon Jan  5 09:12:00 2026\n"
			  "Subject: x\n\nhi\n\n"
			  "From bob@example.org Thu Jan 15 09:12:00 2026\n"
			  "Subject: y\n\n\n")),
	   "the second message follows the first's blank line");
}

static void test_round_trip(void)
{
	static const struct {
		const char *in, *out, *name;
	} cases[] = {
		{ "Subject: q\n\nFrom the start\n>From once\n>>From twice\n"
		  "not From here\nFrom\n", NULL, "From, >From, >>From lines" },
		{ "From first line\n\nbody", "From first line\n\nbody\n",
		  "a message without final newline gets one" },
		{ "", "", "an empty message" },
		{ "Subject: no body\n\n", NULL, "an empty body" },
		{ "Subject: c\r\n\r\nFrom crlf\r\nbare\rcr\r\n",
		  "Subject: c\n\nFrom crlf\nbare\rcr\n", "CRLF becomes LF, a lone CR stays" },
		{ ">From at the very start\n\n\n\nFrom after blank lines\n", NULL,
		  "blank lines before a From line" },
		{ "Subject: z\n\nFrom Mon Jan  5 09:12:00 2026\n", NULL,
		  "a body line that looks exactly like a separator" },
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);
	const char *p = path_in("round");
	struct err e;
	err_init(&e);
	for (size_t i = 0; i < n; i++)
		if (mbox_append(p, "x@y", jan5, cases[i].in, strlen(cases[i].in),
				NULL, &e) < 0)
			diag("append failed: %s", e.msg);
	is_int(count_msgs(p), (long long)n, "every appended message is found again");
	struct buf out;
	buf_init(&out, 1 << 20);
	for (size_t i = 0; i < n; i++) {
		const char *want = cases[i].out ? cases[i].out : cases[i].in;
		ok(read_back(p, (int)i, &out) && out.len == strlen(want) &&
		   memcmp(out.data, want, out.len) == 0, "round trip: %s", cases[i].name);
	}
	size_t len;
	char *data = slurp(p, &len);
	ok(data && strstr(data, "\n>From the start\n>>From once\n>>>From twice\nnot From here\nFrom\n") != NULL,
	   "mboxrd quoting adds one '>' to each ^>*From_ line, no other line");
	free(data);

	/* A message larger than the staging buffer, with From lines across
	 * its chunk boundaries. */
	struct buf big;
	buf_init(&big, 1 << 20);
	for (int i = 0; i < 4000; i++)
		if (buf_append_str(&big, i % 3 ? "From line of text\n" : ">line\r\n") < 0)
			exit(99);
	const char *pb = path_in("big");
	is_int(mbox_append(pb, "x@y", jan5, big.data, big.len, NULL, &e), 0,
	       "a 60 KB message is appended");
	struct buf want;
	buf_init(&want, 1 << 20);
	for (int i = 0; i < 4000; i++)
		if (buf_append_str(&want, i % 3 ? "From line of text\n" : ">line\n") < 0)
			exit(99);
	ok(read_back(pb, 0, &out) && out.len == want.len &&
	   memcmp(out.data, want.data, out.len) == 0,
	   "round trip of a message larger than the staging buffer");
	buf_release(&big);
	buf_release(&want);
	buf_release(&out);
}

static void test_sender_and_date(void)
{
	static const struct {
		const char *sender, *name;
	} bad[] = {
		{ NULL, "no sender" },
		{ "", "an empty sender" },
		{ "two words", "a sender with a space" },
		{ "a\tb", "a sender with a tab" },
		{ "a\nFrom b", "a sender with a newline" },
		{ "caf\xc3\xa9@x", "a sender with 8-bit bytes" },
	};
	struct err e;
	err_init(&e);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p = path_in("sender");
		unlink(p);
		mbox_append(p, bad[i].sender, jan5, TXT("x\n"), NULL, &e);
		ok(file_is(p, TXT("From MAILER-DAEMON Mon Jan  5 09:12:00 2026\nx\n\n")),
		   "%s becomes MAILER-DAEMON", bad[i].name);
	}
	char longest[MBOX_APPEND_SENDER_MAX + 2];
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	const char *p = path_in("sender");
	unlink(p);
	mbox_append(p, longest, jan5, TXT("x\n"), NULL, &e);
	ok(file_is(p, TXT("From MAILER-DAEMON Mon Jan  5 09:12:00 2026\nx\n\n")),
	   "a sender longer than the limit becomes MAILER-DAEMON");
	unlink(p);
	mbox_append(p, "a@b", -5, TXT("x\n"), NULL, &e);
	size_t len;
	char *data = slurp(p, &len);
	char year[16];
	struct tm tm;
	time_t now = time(NULL);
	gmtime_r(&now, &tm);
	snprintf(year, sizeof(year), "%d\n", tm.tm_year + 1900);
	ok(data && strncmp(data, "From a@b ", 9) == 0 && strlen(data) == 9 + 24 + 1 + 3 &&
	   strncmp(data + 9 + 20, year, 5) == 0,
	   "a date before 1970 becomes the current time");
	free(data);
}

static void test_separation(void)
{
	static const struct {
		const char *old, *name, *added;
	} cases[] = {
		{ "From a Mon Jan  5 09:12:00 2026\n\nbody", "no final newline", "\n\n" },
		{ "From a Mon Jan  5 09:12:00 2026\n\nbody\n", "one final newline", "\n" },
		{ "From a Mon Jan  5 09:12:00 2026\n\nbody\n\n", "a blank line", "" },
	};
	struct err e;
	err_init(&e);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = path_in("sep");
		tu_write(p, cases[i].old, strlen(cases[i].old));
		is_int(mbox_append(p, "x@y", jan5, TXT("new\n"), NULL, &e), 0,
		       "append after %s", cases[i].name);
		char want[512];
		snprintf(want, sizeof(want), "%s%sFrom x@y Mon Jan  5 09:12:00 2026\nnew\n\n",
			 cases[i].old, cases[i].added);
		ok(file_is(p, want, strlen(want)), "a file ending in %s gets \"%s\" first",
		   cases[i].name, cases[i].added[0] ? "\\n..." : "");
		is_int(count_msgs(p), 2, "and both messages are found after %s",
		       cases[i].name);
	}
}

static void test_files(void)
{
	struct err e;
	err_init(&e);
	struct stat st;
	mode_t old = umask(0);
	const char *p = path_in("umask0");
	mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e);
	is_int(stat(p, &st) == 0 ? (long long)(st.st_mode & 07777) : -1, 0600,
	       "a new mbox is 0600 even with umask 0");
	umask(0277);
	p = path_in("umask277");
	mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e);
	is_int(stat(p, &st) == 0 ? (long long)(st.st_mode & 07777) : -1, 0600,
	       "a new mbox is 0600 even with umask 0277");
	umask(old);

	char target[4300];
	snprintf(target, sizeof(target), "%s", path_in("target"));
	tu_write(target, TXT("From a Mon Jan  5 09:12:00 2026\n\nx\n\n"));
	p = path_in("link");
	if (symlink(target, p) < 0)
		exit(99);
	is_int(mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e), -1,
	       "appending through a symbolic link is refused");
	ok(strstr(e.msg, "symbolic link") != NULL, "the error says why: %s", e.msg);
	ok(file_is(target, TXT("From a Mon Jan  5 09:12:00 2026\n\nx\n\n")),
	   "the link's target is unchanged");
	char dangling[4300];
	snprintf(dangling, sizeof(dangling), "%s", path_in("nowhere"));
	p = path_in("dangling");
	if (symlink(dangling, p) < 0)
		exit(99);
	is_int(mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e), -1,
	       "a dangling symbolic link is refused");
	ok(access(dangling, F_OK) < 0, "and its target is not created");

	p = path_in("adir");
	mkdir(p, 0700);
	is_int(mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e), -1,
	       "a directory is refused");
	p = path_in("fifo");
	mkfifo(p, 0600);
	is_int(mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e), -1,
	       "a FIFO is refused (without hanging)");
	ok(strstr(e.msg, "not a regular file") != NULL, "the error says why: %s", e.msg);
	p = path_in("notes");
	tu_write(p, TXT("my notes\n"));
	is_int(mbox_append(p, "x@y", jan5, TXT("x\n"), NULL, &e), -1,
	       "a file that is not an mbox is refused");
	ok(file_is(p, TXT("my notes\n")), "and left unchanged");
}

static void test_batch(void)
{
	struct err e;
	err_init(&e);
	const char *p = path_in("batch");
	is_int(mbox_append_batch(p, NULL, 0, NULL, &e), 0, "an empty batch succeeds");
	ok(access(p, F_OK) < 0, "an empty batch does not create the file");
	struct mbox_append_msg msgs[3] = {
		{ "a@x", jan5, TXT("one\n") },
		{ "b@x", jan5, TXT("From two\n") },
		{ NULL, jan5, TXT("three") },
	};
	is_int(mbox_append_batch(p, msgs, 3, NULL, &e), 0, "a batch of three");
	ok(file_is(p, TXT("From a@x Mon Jan  5 09:12:00 2026\none\n\n"
			  "From b@x Mon Jan  5 09:12:00 2026\n>From two\n\n"
			  "From MAILER-DAEMON Mon Jan  5 09:12:00 2026\nthree\n\n")),
	   "a batch writes every message in order");
}

/* Runs fn in a child whose file size limit is limit; returns its rc and
 * error message. */
static int in_limited_child(off_t limit, const char *p,
			    const struct mbox_append_msg *msgs, size_t n,
			    char *msg, size_t msgsize)
{
	int fds[2];
	if (pipe(fds) < 0)
		exit(99);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		struct rlimit rl = { .rlim_cur = (rlim_t)limit, .rlim_max = (rlim_t)limit };
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(99);
		struct err e;
		err_init(&e);
		int rc = mbox_append_batch(p, msgs, n, NULL, &e);
		if (write(fds[1], e.msg, strlen(e.msg)) < 0)
			_exit(98);
		_exit(rc == 0 ? 0 : 1);
	}
	close(fds[1]);
	ssize_t got = read(fds[0], msg, msgsize - 1);
	msg[got > 0 ? got : 0] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_disk_full(void)
{
	static const char old[] = "From a Mon Jan  5 09:12:00 2026\n\nold body";
	const char *p = path_in("full");
	tu_write(p, TXT(old));
	size_t biglen = 200000;
	char *big = malloc(biglen);
	memset(big, 'x', biglen);
	struct mbox_append_msg one = { "x@y", jan5, big, biglen };
	char msg[ERR_MSG_MAX + 1];
	is_int(in_limited_child((off_t)sizeof(old) + 100, p, &one, 1, msg, sizeof(msg)),
	       1, "appending past the file size limit fails");
	ok(file_is(p, TXT(old)), "the file is truncated back to its exact old bytes");
	char want[ERR_MSG_MAX];
	snprintf(want, sizeof(want), "could not append to %s: %s; the mailbox is unchanged",
		 p, strerror(EFBIG));
	is_str(msg, want, "the error names EFBIG and says the mailbox is unchanged");

	struct mbox_append_msg three[3] = {
		{ "a@x", jan5, TXT("small one\n") },
		{ "b@x", jan5, TXT("small two\n") },
		{ "c@x", jan5, big, biglen },
	};
	is_int(in_limited_child((off_t)sizeof(old) + 20000, p, three, 3, msg, sizeof(msg)),
	       1, "a batch whose last message does not fit fails");
	ok(file_is(p, TXT(old)), "and none of the batch is kept");
	is_int(in_limited_child((off_t)sizeof(old) + 300000, p, three, 3, msg, sizeof(msg)),
	       0, "the same batch fits under a larger limit (control)");
	is_int(count_msgs(p), 4, "and all of it is there");
	free(big);
}

static void lock_holder_child(const char *p, int ready_w, int ctl_r)
{
	int fd = open(p, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
		_exit(1);
	char c = 'r';
	if (write(ready_w, &c, 1) != 1)
		_exit(1);
	while (read(ctl_r, &c, 1) > 0)
		;
	_exit(0);
}

static void test_locked(void)
{
	static const char old[] = "From a Mon Jan  5 09:12:00 2026\n\nold\n";
	const char *p = path_in("locked");
	char lockfile[4400];
	snprintf(lockfile, sizeof(lockfile), "%s.lock", p);
	tu_write(p, TXT(old));
	struct mbox_append_options opt = { .lock_timeout_ms = 300 };
	struct err e;
	err_init(&e);

	int ready[2], ctl[2];
	if (pipe(ready) < 0 || pipe(ctl) < 0)
		exit(99);
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(ctl[1]);
		lock_holder_child(p, ready[1], ctl[0]);
	}
	close(ready[1]);
	close(ctl[0]);
	char c;
	if (read(ready[0], &c, 1) != 1)
		exit(99);
	close(ready[0]);
	is_int(mbox_append(p, "x@y", jan5, TXT("new\n"), &opt, &e), -1,
	       "append fails while another process holds the fcntl lock");
	char pidtext[64];
	snprintf(pidtext, sizeof(pidtext), "fcntl lock held by pid %ld", (long)pid);
	ok(strstr(e.msg, "locked by") != NULL && strstr(e.msg, pidtext) != NULL,
	   "the error says locked by the holder's pid: %s", e.msg);
	ok(file_is(p, TXT(old)), "the mailbox is byte-identical");

	close(ctl[1]);
	waitpid(pid, NULL, 0);
	/* A live process that holds a dotlock. */
	pid = fork();
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	snprintf(pidtext, sizeof(pidtext), "%ld\n", (long)pid);
	tu_write(lockfile, pidtext, strlen(pidtext));
	is_int(mbox_append(p, "x@y", jan5, TXT("new\n"), &opt, &e), -1,
	       "append fails while a live process holds the dotlock");
	snprintf(pidtext, sizeof(pidtext), "locked by pid %ld", (long)pid);
	ok(strstr(e.msg, pidtext) != NULL, "the error names the dotlock's pid: %s", e.msg);
	ok(file_is(p, TXT(old)), "the mailbox is byte-identical");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	is_int(mbox_append(p, "x@y", jan5, TXT("new\n"), &opt, &e), 0,
	       "a dotlock whose process died is broken and the append succeeds");
	ok(access(lockfile, F_OK) < 0, "our own dotlock is removed afterwards");
	tu_write(lockfile, "", 0);
	struct timespec ts[2] = { { .tv_sec = time(NULL) - 600 },
				  { .tv_sec = time(NULL) - 600 } };
	utimensat(AT_FDCWD, lockfile, ts, 0);
	is_int(mbox_append(p, "x@y", jan5, TXT("new\n"), &opt, &e), 0,
	       "a dotlock 10 minutes old is broken and the append succeeds");
	is_int(count_msgs(p), 3, "both appends are in the mailbox");
}

int main(void)
{
	dir = tu_tempdir();
	test_exact_bytes();
	test_round_trip();
	test_sender_and_date();
	test_separation();
	test_files();
	test_batch();
	test_disk_full();
	test_locked();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
