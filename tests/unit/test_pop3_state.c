#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbox_append.h"
#include "pop3_state.h"
#include "tap.h"
#include "testutil.h"

static char path[4500], mbox[4300];

static struct pop3_state *open_state(void)
{
	struct pop3_state *st = NULL;
	struct err e;
	err_init(&e);
	if (pop3_state_open(&st, path, &e) < 0)
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
		struct pop3_state *st = NULL;
		struct err e;
		err_init(&e);
		int rc = pop3_state_open(&st, path, &e);
		if (write(fds[1], e.msg, strlen(e.msg)) < 0)
			_exit(98);
		pop3_state_close(&st);
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

	struct pop3_state *st = open_state();
	ok(st != NULL, "a new state file is created");
	struct stat sb;
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "mode 0600");
	is_int(pop3_state_get(st, "u1", NULL), POP3_UID_NEW, "an unknown UIDL is new");
	char msg[512];
	ok(locked_elsewhere(msg, sizeof(msg)), "a second fetch cannot open it while one runs");
	ok(strstr(msg, "another tern fetch") != NULL, "and says why: %s", msg);

	const char *two[] = { "u1", "u2" };
	struct pop3_pending p[2] = { { "u1", 1, 0 }, { "u2", 2, 0 } };
	ok(pop3_state_pending(st, p, 2, &e) == 0 && pop3_state_get(st, "u1", NULL) == POP3_UID_PENDING,
	   "pending records");
	ok(pop3_state_stored(st, two, 2, 1767604320, &e) == 0, "stored records");
	const char *bad[] = { "has space" };
	ok(pop3_state_stored(st, bad, 1, 1, &e) < 0, "an invalid UIDL is refused");
	pop3_state_close(&st);
	ok(!locked_elsewhere(msg, sizeof(msg)), "closing releases the lock");

	st = open_state();
	time_t when = 0;
	ok(pop3_state_get(st, "u2", &when) == POP3_UID_STORED && when == 1767604320,
	   "stored UIDLs and their time survive");
	pop3_state_close(&st);

	/* A torn last line (killed while writing) and a damaged one. */
	append_text(path, "S 5 u9 0000");
	st = open_state();
	ok(st && pop3_state_get(st, "u9", NULL) == POP3_UID_NEW, "a torn last line is ignored");
	const char *three[] = { "u3" };
	ok(pop3_state_stored(st, three, 1, 7, &e) == 0, "and records after it start a fresh line");
	pop3_state_close(&st);
	append_text(path, "S 7 u4 deadbeef\n");
	st = open_state();
	ok(st && pop3_state_get(st, "u3", NULL) == POP3_UID_STORED &&
	   pop3_state_get(st, "u4", NULL) == POP3_UID_NEW && pop3_state_damaged(st) == 2,
	   "a line with a wrong checksum is skipped and counted (%zu)", st ? pop3_state_damaged(st) : 0);

	/* Settling pending UIDLs against the mbox. */
	static const char a[] = "Subject: A\r\n\r\nbody a\r\n";
	static const char b[] = "Subject: B\n\nbody b";
	tu_write(mbox, "From x Mon Jan  5 09:12:00 2026\nSubject: old\n\nold\n", 47);
	struct stat mb;
	stat(mbox, &mb);
	struct pop3_pending q[2] = {
		{ "ua", mbox_append_content_hash(a, strlen(a)), (long long)mb.st_size },
		{ "ub", mbox_append_content_hash(b, strlen(b)), (long long)mb.st_size },
	};
	ok(pop3_state_pending(st, q, 2, &e) == 0, "two pending");
	ok(mbox_append(mbox, "s@x", 1767604320, a, strlen(a), NULL, &e) == 0, "only the first is appended");
	size_t stored = 9, dropped = 9;
	int src = pop3_state_settle(st, mbox, &stored, &dropped, &e);
	if (src < 0)
		diag("settle: %s", e.msg);
	ok(src == 0 && stored == 1 && dropped == 1,
	   "settle finds one stored, one not (%zu, %zu)", stored, dropped);
	ok(pop3_state_get(st, "ua", NULL) == POP3_UID_STORED &&
	   pop3_state_get(st, "ub", NULL) == POP3_UID_NEW,
	   "the appended one (CRLF and all) is stored; the other will be downloaded again");
	pop3_state_close(&st);
	st = open_state();
	ok(st && pop3_state_get(st, "ua", NULL) == POP3_UID_STORED &&
	   pop3_state_get(st, "ub", NULL) == POP3_UID_NEW, "which the file remembers");

	/* Compaction keeps what the server still lists. */
	const char *many[] = { "k1", "k2", "k3", "k4" };
	ok(pop3_state_stored(st, many, 4, 9, &e) == 0, "more stored");
	off_t before = (stat(path, &sb), sb.st_size);
	is_int(pop3_state_compact(st, keep_odd, NULL, &e), 0, "compact");
	ok(stat(path, &sb) == 0 && sb.st_size < before && (sb.st_mode & 0777) == 0600,
	   "the file is smaller, still 0600");
	ok(pop3_state_get(st, "k1", NULL) == POP3_UID_STORED &&
	   pop3_state_get(st, "k2", NULL) == POP3_UID_NEW, "in memory too");
	ok(locked_elsewhere(msg, sizeof(msg)), "the new file is locked as well");
	const char *later[] = { "k5" };
	ok(pop3_state_stored(st, later, 1, 9, &e) == 0, "records go on after compaction");
	pop3_state_close(&st);
	st = open_state();
	ok(st && pop3_state_get(st, "k3", NULL) == POP3_UID_STORED &&
	   pop3_state_get(st, "k4", NULL) == POP3_UID_NEW &&
	   pop3_state_get(st, "k5", NULL) == POP3_UID_STORED && pop3_state_damaged(st) == 0,
	   "the compacted file reads back");
	pop3_state_close(&st);

	/* Not a state file; a symbolic link. */
	char other[4400];
	snprintf(other, sizeof(other), "%s/other", dir);
	tu_write(other, "something else\n", 15);
	snprintf(path, sizeof(path), "%s", other);
	ok(pop3_state_open(&st, path, &e) < 0 && strstr(e.msg, "not a tern POP3 state file"),
	   "another file is refused: %s", e.msg);
	ok(strcmp(tu_read(other), "something else\n") == 0, "and left as it was");
	snprintf(path, sizeof(path), "%s/link", dir);
	symlink(other, path);
	ok(pop3_state_open(&st, path, &e) < 0, "a symbolic link is not followed");

	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
