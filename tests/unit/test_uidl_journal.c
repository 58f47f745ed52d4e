#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbox_append.h"
#include "uidl_journal.h"
#include "tap.h"
#include "testutil.h"

static char path[4500], mbox[4300];

static struct uidl_journal *open_state(void)
{
	struct uidl_journal *st = NULL;
	struct err e;
	err_init(&e);
	if (uidl_journal_open(&st, path, &e) < 0)
		diag("open: %s", e.msg);
	return st;
}

static void append_text(const char *file, const char *text)
{
	FILE *f = fopen(file, "a");
	fputs(text, f);
	fclose(f);
}

static bool keep_odd(void *ctx, const char *uidl)
{
	(void)ctx;
	return (uidl[strlen(uidl) - 1] - '0') % 2 == 1;
}

/* Whether another process can open (lock) the state now. */
static int locked_elsewhere(char *msg, size_t size)
{
	int fds[2];
	if (pipe(fds) < 0)
		exit(99);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		struct uidl_journal *st = NULL;
		struct err e;
		err_init(&e);
		int rc = uidl_journal_open(&st, path, &e);
		if (write(fds[1], e.msg, strlen(e.msg)) < 0)
			_exit(98);
		uidl_journal_close(&st);
		_exit(rc < 0 ? 1 : 0);
	}
	close(fds[1]);
	ssize_t n = read(fds[0], msg, size - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

int main(void)
{
	char *dir = tu_tempdir();
	snprintf(path, sizeof(path), "%s/home.pop3", dir);
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	struct err e;
	err_init(&e);

	struct uidl_journal *st = open_state();
	ok(st != NULL, "a new state file is created");
	struct stat sb;
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "mode 0600");
	is_int(uidl_journal_get(st, "u1", NULL), UIDL_NEW, "an unknown UIDL is new");
	char msg[512];
	ok(locked_elsewhere(msg, sizeof(msg)), "a second fetch cannot open it while one runs");
	ok(strstr(msg, "another tern fetch") != NULL, "and says why: %s", msg);

	const char *two[] = { "u1", "u2" };
	struct uidl_pending p[2] = { { "u1", 1, 0 }, { "u2", 2, 0 } };
	ok(uidl_journal_pending(st, p, 2, &e) == 0 && uidl_journal_get(st, "u1", NULL) == UIDL_PENDING,
	   "pending records");
	ok(uidl_journal_stored(st, two, 2, 1767604320, &e) == 0, "stored records");
	const char *bad[] = { "has space" };
	ok(uidl_journal_stored(st, bad, 1, 1, &e) < 0, "an invalid UIDL is refused");
	uidl_journal_close(&st);
	ok(!locked_elsewhere(msg, sizeof(msg)), "closing releases the lock");

	st = open_state();
	time_t when = 0;
	ok(uidl_journal_get(st, "u2", &when) == UIDL_STORED && when == 1767604320,
	   "stored UIDLs and their time survive");
	uidl_journal_close(&st);

	/* A torn last line (killed while writing) and a damaged one. */
	append_text(path, "S 5 u9 0000");
	st = open_state();
	ok(st && uidl_journal_get(st, "u9", NULL) == UIDL_NEW, "a torn last line is ignored");
	const char *three[] = { "u3" };
	ok(uidl_journal_stored(st, three, 1, 7, &e) == 0, "and records after it start a fresh line");
	uidl_journal_close(&st);
	append_text(path, "S 7 u4 deadbeef\n");
	st = open_state();
	ok(st && uidl_journal_get(st, "u3", NULL) == UIDL_STORED &&
	   uidl_journal_get(st, "u4", NULL) == UIDL_NEW && uidl_journal_damaged(st) == 2,
	   "a line with a wrong checksum is skipped and counted (%zu)", st ? uidl_journal_damaged(st) : 0);

	/* Settling pending UIDLs against the mbox. */
	static const char a[] = "Subject: A\r\n\r\nbody a\r\n";
	static const char b[] = "Subject: B\n\nbody b";
	tu_write(mbox, "From x Mon Jan  5 09:12:00 2026\nSubject: old\n\nold\n", 47);
	struct stat mb;
	stat(mbox, &mb);
	struct uidl_pending q[2] = {
		{ "ua", mbox_append_content_hash(a, strlen(a)), (long long)mb.st_size },
		{ "ub", mbox_append_content_hash(b, strlen(b)), (long long)mb.st_size },
	};
	ok(uidl_journal_pending(st, q, 2, &e) == 0, "two pending");
	ok(mbox_append(mbox, "s@x", 1767604320, a, strlen(a), NULL, &e) == 0, "only the first is appended");
	size_t stored = 9, dropped = 9;
	int src = uidl_journal_settle(st, mbox, &stored, &dropped, &e);
	if (src < 0)
		diag("settle: %s", e.msg);
	ok(src == 0 && stored == 1 && dropped == 1,
	   "settle finds one stored, one not (%zu, %zu)", stored, dropped);
	ok(uidl_journal_get(st, "ua", NULL) == UIDL_STORED &&
	   uidl_journal_get(st, "ub", NULL) == UIDL_NEW,
	   "the appended one (CRLF and all) is stored; the other will be downloaded again");
	uidl_journal_close(&st);
	st = open_state();
	ok(st && uidl_journal_get(st, "ua", NULL) == UIDL_STORED &&
	   uidl_journal_get(st, "ub", NULL) == UIDL_NEW, "which the file remembers");

	/* Compaction keeps what the server still lists, and for a grace
	 * period what it stopped listing; K records survive it. */
	const time_t now = 1767604320, day = 86400;
	const char *many[] = { "k1", "k2", "k3", "k4" };
	ok(uidl_journal_stored(st, many, 4, 9, &e) == 0, "more stored");
	ok(!uidl_journal_held(st, "k3"), "a stored UIDL is not held");
	ok(uidl_journal_hold(st, many + 2, 2, &e) == 0 && uidl_journal_held(st, "k3") &&
	   uidl_journal_held(st, "k4") && !uidl_journal_held(st, "k1"), "k3 and k4 held");
	off_t before = (stat(path, &sb), sb.st_size);
	is_int(uidl_journal_compact(st, keep_odd, NULL, now, &e), 0, "compact");
	ok(stat(path, &sb) == 0 && sb.st_size < before && (sb.st_mode & 0777) == 0600,
	   "the file is smaller, still 0600");
	ok(uidl_journal_get(st, "k1", NULL) == UIDL_STORED &&
	   uidl_journal_get(st, "k2", NULL) == UIDL_STORED,
	   "one the server no longer lists is remembered (grace period)");
	ok(locked_elsewhere(msg, sizeof(msg)), "the new file is locked as well (%s)", msg);
	/* (Reading it here drops this process's fcntl lock: POSIX.) */
	ok(strstr(tu_read(path), "M 1767604320 k2 ") != NULL &&
	   strstr(tu_read(path), "M 1767604320 k1 ") == NULL,
	   "with the time it went missing, and only it");
	const char *later[] = { "k5" };
	ok(uidl_journal_stored(st, later, 1, 9, &e) == 0, "records go on after compaction");
	uidl_journal_close(&st);
	st = open_state();
	ok(st && uidl_journal_get(st, "k3", NULL) == UIDL_STORED && uidl_journal_held(st, "k3") &&
	   uidl_journal_get(st, "k4", NULL) == UIDL_STORED && uidl_journal_held(st, "k4") &&
	   uidl_journal_get(st, "k5", NULL) == UIDL_STORED && uidl_journal_damaged(st) == 0,
	   "the compacted file reads back, holds included");
	/* Later compactions keep the first missing time, and drop the UIDL
	 * once the grace period has passed; one seen again starts over. */
	is_int(uidl_journal_compact(st, keep_odd, NULL, now + 10 * day, &e), 0, "compact later");
	ok(strstr(tu_read(path), "M 1767604320 k2 ") != NULL, "the first missing time is kept");
	time_t end = now + (time_t)UIDL_JOURNAL_GRACE_DAYS * day;
	is_int(uidl_journal_compact(st, keep_odd, NULL, end - 1, &e), 0, "compact at the end");
	ok(uidl_journal_get(st, "k2", NULL) == UIDL_STORED, "kept until the grace period ends");
	is_int(uidl_journal_compact(st, keep_odd, NULL, end, &e), 0, "compact after it");
	ok(uidl_journal_get(st, "k2", NULL) == UIDL_NEW && uidl_journal_get(st, "k4", NULL) == UIDL_NEW &&
	   !uidl_journal_held(st, "k4") && uidl_journal_get(st, "k3", NULL) == UIDL_STORED,
	   "then forgotten, hold and all; a listed one stays");
	uidl_journal_close(&st);
	st = open_state();
	ok(st && uidl_journal_get(st, "k2", NULL) == UIDL_NEW &&
	   uidl_journal_get(st, "k1", NULL) == UIDL_STORED && strstr(tu_read(path), " k2 ") == NULL,
	   "which the file says too");
	uidl_journal_close(&st);

	/* Not a state file; a symbolic link. */
	char other[4400];
	snprintf(other, sizeof(other), "%s/other", dir);
	tu_write(other, "something else\n", 15);
	snprintf(path, sizeof(path), "%s", other);
	ok(uidl_journal_open(&st, path, &e) < 0 && strstr(e.msg, "not a tern POP3 state file"),
	   "another file is refused: %s", e.msg);
	ok(strcmp(tu_read(other), "something else\n") == 0, "and left as it was");
	snprintf(path, sizeof(path), "%s/link", dir);
	symlink(other, path);
	ok(uidl_journal_open(&st, path, &e) < 0, "a symbolic link is not followed");

	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
