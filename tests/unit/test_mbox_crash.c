/* kill -9 at every instant of a write-back and of an append.
 *
 * The child does the work under ptrace; the parent lets it run to its
 * N-th system call and kills it there with SIGKILL, for N = 1, 2, ...
 * until the work finishes untouched.  Files only change at system calls,
 * so this reaches every state a kill can leave on disk.  After each kill
 * the invariants are checked: the mailbox holds every message exactly
 * once and whole (old or new, nothing in between), the next run succeeds
 * and leaves nothing behind.  Where ptrace is not allowed, the kills come
 * after growing delays instead. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mbox_append.h"
#include "mbox_rewrite.h"
#include "tap.h"
#include "testutil.h"

#define MAX_POINTS 4000
#define BIG 200000

#define BAIL_OUT(msg) do { printf("Bail out! %s\n", msg); exit(1); } while (0)

static char *dir;
static char mbox[4300], cache[4300];
static bool use_ptrace = true;

static const char old_text[] =
	"From a@x Mon Jan  5 09:12:00 2026\nFrom: Ann <a@x>\nSubject: zero\n\nzero\n\n"
	"From b@x Mon Jan  5 09:13:00 2026\nFrom: Bob <b@x>\nSubject: one\n\n>From one\n\n"
	"From c@x Mon Jan  5 09:14:00 2026\nFrom: Cy <c@x>\nSubject: two\nStatus: O\n\ntwo\n";

/* ------------------------------------------------------------ killing */

typedef void (*work_fn)(void);

/* Runs work in a child killed at its n-th system call.  Returns true if
 * it was killed, false if it finished first. */
static bool kill_at_syscall(long n, work_fn work)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(77);
		raise(SIGSTOP);
		work();
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		use_ptrace = false;
		return false;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACESYSGOOD |
							    PTRACE_O_EXITKILL));
	long count = 0;
	bool in_call = false;
	int sig = 0;
	for (;;) {
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)sig);
		sig = 0;
		if (waitpid(pid, &st, 0) < 0 || WIFEXITED(st) || WIFSIGNALED(st))
			return false;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (!in_call && ++count == n) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				return true;
			}
			in_call = !in_call;
		} else {
			sig = WSTOPSIG(st);
		}
	}
}

/* Without ptrace: kill after n * 50 microseconds. */
static bool kill_after_delay(long n, work_fn work)
{
	pid_t pid = fork();
	if (pid == 0) {
		work();
		_exit(0);
	}
	struct timespec ts = { 0, n * 50000L };
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st);
}

static bool kill_at(long n, work_fn work)
{
	if (use_ptrace) {
		bool killed = kill_at_syscall(n, work);
		if (use_ptrace)
			return killed;
		diag("ptrace is not allowed here: killing after delays instead");
	}
	return n < 400 && kill_after_delay(n, work);
}

/* ------------------------------------------------------------ checks */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *p = calloc(1, 1 << 16);
	size_t n = fread(p, 1, (1 << 16) - 1, f);
	p[n] = '\0';
	fclose(f);
	return p;
}

/* Whether the dotlock names a process that is gone (the next writer
 * breaks such a lock). */
static bool dotlock_is_stale(void)
{
	char lp[4400];
	snprintf(lp, sizeof(lp), "%s.lock", mbox);
	long pid = strtol(tu_read(lp), NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Names in the directory other than the mbox and the cache (and, if
 * stale_lock_ok, a dotlock of a dead process). */
static int leftovers(bool stale_lock_ok)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "in.mbox") && strncmp(de->d_name, "cache.sqlite", 12) &&
		    !(stale_lock_ok && strcmp(de->d_name, "in.mbox.lock") == 0 &&
		      dotlock_is_stale())) {
			diag("left behind: %s", de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void reset(const char *text)
{
	unlink(mbox);
	tu_write(mbox, text, strlen(text));
}

/* ------------------------------------------------------------ write-back */

static struct mbox_index wb_ix;
static unsigned wb_flags[3];

static void wb_work(void)
{
	struct err e;
	err_init(&e);
	_exit(mbox_sync(&wb_ix, mbox, cache, wb_flags, true, NULL, NULL, &e) == 0 ? 0 : 1);
}

static int wb_prepare(void)
{
	struct err e;
	err_init(&e);
	if (mbox_index_open(&wb_ix, mbox, cache, &e) < 0 || wb_ix.n != 3)
		return -1;
	wb_flags[0] = SUMMARY_READ | SUMMARY_FLAGGED;
	wb_flags[1] = SUMMARY_DELETED;
	wb_flags[2] = SUMMARY_ANSWERED;
	return 0;
}

static void test_write_back(void)
{
	/* The expected result, from a run nobody kills. */
	reset(old_text);
	if (wb_prepare() < 0)
		BAIL_OUT("cannot open the test mbox");
	struct err e;
	err_init(&e);
	is_int(mbox_sync(&wb_ix, mbox, cache, wb_flags, true, NULL, NULL, &e), 0,
	       "a write-back nobody kills");
	mbox_index_close(&wb_ix);
	char *new_text = slurp(mbox);
	ok(strstr(new_text, ">From one") == NULL && strstr(new_text, "X-Status: A\n") != NULL,
	   "it expunges and writes flags");

	long points = 0, bad_file = 0, bad_next = 0, bad_left = 0, bad_cache = 0;
	long olds = 0, news = 0;
	for (long n = 1; n <= MAX_POINTS; n++) {
		reset(old_text);
		if (wb_prepare() < 0)
			BAIL_OUT("cannot open the test mbox");
		bool killed = kill_at(n, wb_work);
		mbox_index_close(&wb_ix);
		if (!killed)
			break;
		points++;
		char *now = slurp(mbox);
		if (now != NULL && strcmp(now, old_text) == 0) {
			olds++;
		} else if (now != NULL && strcmp(now, new_text) == 0) {
			news++;
		} else {
			bad_file++;
			diag("after a kill at system call %ld the mbox is:\n%s", n, now ? now : "(missing)");
		}
		/* The cache must agree with the file, whatever it holds. */
		struct mbox_index a, b;
		if (mbox_index_open(&a, mbox, cache, &e) < 0 ||
		    mbox_index_open(&b, mbox, NULL, &e) < 0) {
			bad_cache++;
		} else {
			bool same = a.n == b.n;
			for (size_t i = 0; same && i < a.n; i++)
				same = a.msgs[i].pos.start == b.msgs[i].pos.start &&
				       a.msgs[i].pos.end == b.msgs[i].pos.end &&
				       a.msgs[i].sum.flags == b.msgs[i].sum.flags;
			if (!same) {
				bad_cache++;
				diag("after a kill at system call %ld the cache disagrees with the file", n);
			}
			mbox_index_close(&a);
			mbox_index_close(&b);
		}
		/* The next run finishes the job (or, if it was done, writes
		 * one more flag); either way it takes the lock a killed run may
		 * have left, and leaves nothing behind. */
		bool was_old = now != NULL && strcmp(now, old_text) == 0;
		bool again = false;
		if (was_old) {
			again = wb_prepare() == 0 &&
				mbox_sync(&wb_ix, mbox, cache, wb_flags, true, NULL, NULL, &e) == 0;
		} else if (mbox_index_open(&wb_ix, mbox, cache, &e) == 0 && wb_ix.n == 2) {
			unsigned f2[2] = { wb_ix.msgs[0].sum.flags, wb_ix.msgs[1].sum.flags | SUMMARY_FLAGGED };
			again = mbox_sync(&wb_ix, mbox, cache, f2, true, NULL, NULL, &e) == 0;
		}
		mbox_index_close(&wb_ix);
		char *after = slurp(mbox);
		bool right = after != NULL &&
			     (was_old ? strcmp(after, new_text) == 0
				      : strstr(after, "X-Status: AF\n") != NULL);
		if (!again || !right) {
			bad_next++;
			diag("after a kill at system call %ld the next write-back: %s", n,
			     again ? "wrong result" : e.msg);
		}
		if (leftovers(false) > 0)
			bad_left++;
		free(after);
		free(now);
	}
	ok(points > 10, "the write-back was killed at %ld points (%ld left the old "
	   "file, %ld the new)", points, olds, news);
	ok(olds > 0 && news > 0, "kills came both before and after the rename");
	is_int(bad_file, 0, "after every kill the mbox is the old or the new file, whole");
	is_int(bad_cache, 0, "and the cache agrees with it");
	is_int(bad_next, 0, "and the next write-back succeeds with the expected result");
	is_int(bad_left, 0, "and leaves no temporary file or lock behind");
	free(new_text);
}

/* ------------------------------------------------------------ append */

static const char foreign[] = "From mda@x Tue Jan  6 10:00:00 2026\nSubject: foreign\n\nhello\n";

static void append_work(void)
{
	/* Larger than the writer's staging buffer: written in several
	 * system calls, so that kills can cut the append short. */
	static char big[BIG];
	memset(big, 'b', sizeof(big) - 1);
	for (size_t i = 100; i + 1 < sizeof(big); i += 100)
		big[i] = '\n';
	memcpy(big, "Subject: big\n\n", 14);
	struct mbox_append_msg m[3] = {
		{ "p@x", 1767604320, "Subject: first\n\nFrom the start\n", 31 },
		{ "q@x", 1767604321, big, sizeof(big) - 1 },
		{ "r@x", 1767604322, "Subject: third\n\nthird", 21 },
	};
	struct err e;
	err_init(&e);
	_exit(mbox_append_batch(mbox, m, 3, NULL, &e) == 0 ? 0 : 1);
}

/* The subjects of the messages of the mbox, in order, joined by '|'. */
static void subjects(char *out, size_t size)
{
	struct mbox_index ix;
	struct err e;
	err_init(&e);
	out[0] = '\0';
	if (mbox_index_open(&ix, mbox, NULL, &e) < 0) {
		snprintf(out, size, "(error: %.200s)", e.msg);
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < ix.n && k < size; i++)
		k += (size_t)snprintf(out + k, size - k, "%s%s", i ? "|" : "", ix.msgs[i].sum.subject);
	/* Whole messages: the big one must have every byte. */
	for (size_t i = 0; i < ix.n; i++)
		if (strcmp(ix.msgs[i].sum.subject, "big") == 0 &&
		    ix.msgs[i].pos.end - ix.msgs[i].pos.start != BIG - 1 + 1)
			snprintf(out, size, "(the big message has %zu bytes)",
				 ix.msgs[i].pos.end - ix.msgs[i].pos.start);
	mbox_index_close(&ix);
}

static void append_foreign(void)
{
	char *now = slurp(mbox);
	size_t n = strlen(now);
	FILE *f = fopen(mbox, "ab");
	if (n > 0 && now[n - 1] != '\n')
		fputs("\n\n", f);
	else if (n > 1 && now[n - 2] != '\n')
		fputs("\n", f);
	fputs(foreign, f);
	fclose(f);
	free(now);
}

static void test_append(bool with_foreign)
{
	const char *none = "zero|one|two";
	const char *all = "zero|one|two|first|big|third";
	long points = 0, bad = 0, bad_left = 0, partial_seen = 0, nones = 0, alls = 0;
	char got[512], want1[600], want2[600];
	snprintf(want1, sizeof(want1), "%s%s", none, with_foreign ? "|foreign" : "");
	snprintf(want2, sizeof(want2), "%s%s", all, with_foreign ? "|foreign" : "");
	for (long n = 1; n <= MAX_POINTS; n++) {
		reset(old_text);
		bool killed = kill_at(n, append_work);
		if (!killed)
			break;
		points++;
		char *raw = slurp(mbox);
		if (strcmp(raw, old_text) != 0 && strstr(raw, "third\n\n") == NULL)
			partial_seen++;
		free(raw);
		if (with_foreign)
			append_foreign(); /* an MDA delivers before tern runs again */
		/* The next reader settles the append. */
		subjects(got, sizeof(got));
		if (strcmp(got, want1) == 0) {
			nones++;
		} else if (strcmp(got, want2) == 0) {
			alls++;
		} else {
			bad++;
			diag("after a kill at system call %ld%s: %s", n,
			     with_foreign ? " and a delivery" : "", got);
		}
		if (leftovers(true) > 0)
			bad_left++;
	}
	ok(points > 10, "the append%s was killed at %ld points (%ld cut it short)",
	   with_foreign ? " (then a delivery)" : "", points, partial_seen);
	ok(nones > 0 && alls > 0, "some kills came before, some after the data was written "
	   "(%ld none, %ld all)", nones, alls);
	is_int(bad, 0, "after every kill the next open finds all of the batch or none, "
	       "and every other message whole");
	is_int(bad_left, 0, "and nothing is left behind but, at most, the dotlock of "
	       "the dead process");

	/* The next append after a kill: the batch and the new message. */
	if (!with_foreign) {
		long bad_next = 0;
		for (long n = 1; n <= points; n += 7) {
			reset(old_text);
			kill_at(n, append_work);
			struct err e;
			err_init(&e);
			if (mbox_append(mbox, "s@x", 1767604400, "Subject: next\n\nnext\n", 20,
					NULL, &e) < 0) {
				bad_next++;
				diag("append after a kill at %ld: %s", n, e.msg);
				continue;
			}
			subjects(got, sizeof(got));
			if (strcmp(got, "zero|one|two|next") != 0 &&
			    strcmp(got, "zero|one|two|first|big|third|next") != 0) {
				bad_next++;
				diag("append after a kill at %ld: %s", n, got);
			}
		}
		is_int(bad_next, 0, "an append after a kill settles it first, then appends");
	}
}

int main(void)
{
	dir = tu_tempdir();
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	snprintf(cache, sizeof(cache), "%s/cache.sqlite", dir);
	test_write_back();
	test_append(false);
	test_append(true);
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
