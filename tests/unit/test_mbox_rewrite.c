#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fts.h"
#include "mbox_rewrite.h"
#include "tap.h"
#include "testutil.h"

static char *dir;
static char mbox[4300], cache[4300];

#define M0 "From a@x Mon Jan  5 09:12:00 2026\n" \
	   "From: Ann <a@x>\nSubject: zero\nStatus: O\n\nbody zero aardvark\n"
#define M1 "From b@x Mon Jan  5 09:13:00 2026\n" \
	   "From: Bob <b@x>\nSubject: one\nX-Status: A\n  continued\nMessage-ID: <1@x>\n\n" \
	   ">From the body, quoted\nbuffalo\n"
#define M2 "From c@x Mon Jan  5 09:14:00 2026\n" \
	   "From: Cy <c@x>\r\nSubject: two\r\nContent-Length: 9\r\n\r\nchameleon\n"
#define M2_BODY "From: Cy <c@x>\r\nSubject: two\r\nContent-Length: 9\r\n\r\nchameleon\n"
static const char three[] = M0 "\n" M1 "\n" M2;

static void put(const char *text)
{
	tu_write(mbox, text, strlen(text));
}

static bool file_is(const char *want)
{
	const char *got = tu_read(mbox);
	if (strcmp(got, want) == 0)
		return true;
	diag("got:\n%s\nwant:\n%s", got, want);
	return false;
}

static int open_ix(struct mbox_index *ix)
{
	struct err e;
	err_init(&e);
	int rc = mbox_index_open(ix, mbox, cache, &e);
	if (rc < 0)
		diag("open: %s", e.msg);
	return rc;
}

static unsigned *flags_of(const struct mbox_index *ix)
{
	unsigned *f = calloc(ix->n + 1, sizeof(*f));
	for (size_t i = 0; i < ix->n; i++)
		f[i] = ix->msgs[i].sum.flags;
	return f;
}

/* Message i of ix as its bytes in the file. */
static bool msg_is(const struct mbox_index *ix, size_t i, const char *want)
{
	if (i >= ix->n)
		return false;
	const struct mbox_msg *m = &ix->msgs[i].pos;
	size_t n = m->end - m->start;
	if (n == strlen(want) && memcmp(ix->file.data + m->start, want, n) == 0)
		return true;
	diag("message %zu is \"%.*s\"", i, (int)n, ix->file.data + m->start);
	return false;
}

static void test_flags(void)
{
	put(three);
	struct mbox_index ix;
	struct err e;
	err_init(&e);
	open_ix(&ix);
	struct stat before;
	stat(mbox, &before);
	unsigned *f = flags_of(&ix);
	f[0] = SUMMARY_READ;
	f[1] = SUMMARY_FLAGGED | SUMMARY_ANSWERED;
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0, "rewrite with new flags");
	ok(file_is("From a@x Mon Jan  5 09:12:00 2026\n"
		   "From: Ann <a@x>\nSubject: zero\nStatus: RO\n\nbody zero aardvark\n\n"
		   "From b@x Mon Jan  5 09:13:00 2026\n"
		   "From: Bob <b@x>\nSubject: one\nMessage-ID: <1@x>\nX-Status: AF\n\n"
		   ">From the body, quoted\nbuffalo\n\n" M2),
	   "Status and X-Status replaced (continuation too), at the header's end; "
	   "everything else byte for byte");
	struct stat after;
	stat(mbox, &after);
	ok(after.st_ino != before.st_ino, "the mbox was replaced by a new file (rename)");
	is_int(after.st_mode & 0777, 0600, "with the old file's mode");
	ok(ix.n == 3 && ix.msgs[0].sum.flags == (SUMMARY_READ | SUMMARY_OLD) &&
	   ix.msgs[1].sum.flags == (SUMMARY_FLAGGED | SUMMARY_ANSWERED),
	   "the index carries the new flags");
	ok(msg_is(&ix, 2, M2_BODY), "and the new positions (last message)");
	ok(msg_is(&ix, 1, "From: Bob <b@x>\nSubject: one\nMessage-ID: <1@x>\nX-Status: AF\n\n"
		   ">From the body, quoted\nbuffalo\n"), "and the new positions (changed message)");
	is_int((long long)ix.msgs[1].sum.size, (long long)(ix.msgs[1].pos.end - ix.msgs[1].pos.start),
	       "sizes follow the new header");
	mbox_index_close(&ix);
	free(f);

	open_ix(&ix);
	ok(ix.how == MBOX_INDEX_CACHED, "the rewrite recorded the new file in the cache");
	ok(ix.n == 3 && ix.msgs[1].sum.flags == (SUMMARY_FLAGGED | SUMMARY_ANSWERED),
	   "flags survive a restart");
	mbox_index_close(&ix);
	unlink(cache);
	open_ix(&ix);
	ok(ix.how == MBOX_INDEX_SCANNED && ix.n == 3 &&
	   ix.msgs[0].sum.flags == (SUMMARY_READ | SUMMARY_OLD) &&
	   ix.msgs[1].sum.flags == (SUMMARY_FLAGGED | SUMMARY_ANSWERED) &&
	   ix.msgs[2].sum.flags == 0, "and are read back from the file itself");

	f = flags_of(&ix);
	f[2] = SUMMARY_DELETED;
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0, "mark deleted, no expunge");
	ok(strstr(tu_read(mbox), "Content-Length: 9\r\nX-Status: D\r\n\r\nchameleon\n") != NULL,
	   "X-Status: D, in the header's CRLF line ending");
	stat(mbox, &before);
	free(f);
	f = flags_of(&ix);
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0, "nothing to change");
	stat(mbox, &after);
	ok(after.st_ino == before.st_ino && after.st_mtime == before.st_mtime,
	   "writes nothing at all");
	mbox_index_close(&ix);
	free(f);
}

static void test_expunge(void)
{
	put(three);
	chmod(mbox, 0640);
	struct mbox_index ix;
	struct err e;
	err_init(&e);
	open_ix(&ix);
	struct fts *fx = fts_open(mbox, cache, &e);
	ok(fx && fts_update(fx, &ix, NULL, &e) == 0, "indexed for search");
	fts_close(&fx);
	unsigned *f = flags_of(&ix);
	f[1] |= SUMMARY_DELETED;
	is_int(mbox_rewrite(&ix, mbox, cache, f, true, NULL, &e), 0, "expunge the middle one");
	ok(file_is(M0 "\n" M2), "it is gone with its separator and blank line; "
	   "the rest byte for byte");
	struct stat st;
	stat(mbox, &st);
	is_int(st.st_mode & 0777, 0640, "the mode is kept");
	ok(ix.n == 2 && msg_is(&ix, 1, M2_BODY), "the index follows");
	free(f);

	fx = fts_open(mbox, cache, &e);
	size_t indexed = 9, *seqs = NULL, n = 0;
	ok(fx && fts_update(fx, &ix, &indexed, &e) == 0 && indexed == 0,
	   "the search index needs no work after an expunge (%zu)", indexed);
	ok(fx && fts_match(fx, &ix, "chameleon", &seqs, &n, &e) == 0 && n == 1 && seqs[0] == 1,
	   "and maps words to the new message numbers");
	free(seqs);
	seqs = NULL;
	ok(fx && fts_match(fx, &ix, "buffalo", &seqs, &n, &e) == 0 && n == 0,
	   "the expunged message is not found");
	free(seqs);
	fts_close(&fx);

	f = flags_of(&ix);
	f[0] |= SUMMARY_DELETED;
	f[1] |= SUMMARY_DELETED;
	is_int(mbox_rewrite(&ix, mbox, cache, f, true, NULL, &e), 0, "expunge everything");
	stat(mbox, &st);
	ok(st.st_size == 0 && ix.n == 0, "an empty mbox is left");
	mbox_index_close(&ix);
	free(f);

	static const char bom[] = "\xef\xbb\xbf\n" M0;
	put(bom);
	open_ix(&ix);
	f = flags_of(&ix);
	f[0] = SUMMARY_READ;
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0, "a file with a BOM");
	ok(strncmp(tu_read(mbox), "\xef\xbb\xbf\nFrom a@x", 12) == 0, "keeps what precedes");
	mbox_index_close(&ix);
	free(f);

	static const char bare[] = "From a@x Mon Jan  5 09:12:00 2026\nSubject: no body";
	put(bare);
	open_ix(&ix);
	f = flags_of(&ix);
	f[0] = SUMMARY_FLAGGED;
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0,
	       "a message that is all header, no final newline");
	ok(file_is("From a@x Mon Jan  5 09:12:00 2026\nSubject: no body\nX-Status: F\n"),
	   "gets its X-Status on a line of its own");
	mbox_index_close(&ix);
	free(f);
}

static void test_changed_meanwhile(void)
{
	put(three);
	struct mbox_index ix;
	struct err e;
	err_init(&e);
	open_ix(&ix);
	unsigned *f = flags_of(&ix);
	f[1] = SUMMARY_FLAGGED;

	/* Another reader rewrites it in place (mutt does). */
	static const char other[] = M1 "\n" M0 "\n" M2;
	int fd = open(mbox, O_WRONLY);
	if (write(fd, other, strlen(other)) != (ssize_t)strlen(other))
		exit(99);
	close(fd);
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), MBOX_REWRITE_CHANGED,
	       "a file rewritten by another program is not written");
	ok(file_is(other), "and left as the other program wrote it");

	size_t lost = 9;
	is_int(mbox_sync(&ix, mbox, cache, f, false, NULL, &lost, &e), 0,
	       "sync rescans and carries the change over");
	ok(ix.n == 3 && ix.msgs[0].sum.flags == SUMMARY_FLAGGED && ix.msgs[1].sum.flags == SUMMARY_OLD,
	   "to the same message, now first (Message-ID, date, sender, subject)");
	ok(strstr(tu_read(mbox), "Message-ID: <1@x>\nX-Status: F\n") != NULL, "on disk too");
	is_int((long long)lost, 0, "nothing lost");
	free(f);

	/* An MDA appends meanwhile: kept, after our messages. */
	f = flags_of(&ix);
	f[2] = SUMMARY_READ;
	static const char late[] = "\nFrom d@x Mon Jan  5 09:15:00 2026\nSubject: late\n\nlate\n";
	fd = open(mbox, O_WRONLY | O_APPEND);
	if (write(fd, late, strlen(late)) != (ssize_t)strlen(late))
		exit(99);
	close(fd);
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0,
	       "a file that only grew is rewritten");
	const char *now = tu_read(mbox);
	size_t nlen = strlen(now);
	ok(nlen > strlen(late) && strcmp(now + nlen - strlen(late), late) == 0,
	   "with what was appended kept at the end");
	ok(ix.n == 4 && strcmp(ix.msgs[3].sum.subject, "late") == 0 &&
	   ix.msgs[2].sum.flags == (SUMMARY_READ | SUMMARY_OLD), "and in the index");
	free(f);
	mbox_index_close(&ix);

	open_ix(&ix);
	f = flags_of(&ix);
	f[3] = SUMMARY_FLAGGED;
	unlink(mbox);
	put(M0);
	lost = 0;
	is_int(mbox_sync(&ix, mbox, cache, f, false, NULL, &lost, &e), 0,
	       "sync on a file replaced by a smaller one");
	is_int((long long)lost, 1, "counts the change whose message is gone");
	ok(ix.n == 1 && file_is(M0), "and leaves the new file alone");
	free(f);
	mbox_index_close(&ix);
}

/* A stale temporary file of a killed rewrite, and a disk that is full. */
static void test_failures(void)
{
	put(three);
	struct mbox_index ix;
	struct err e;
	err_init(&e);
	char stale[4400];
	snprintf(stale, sizeof(stale), "%s/.in.mbox.tern-new.AbC123", dir);
	tu_write(stale, "junk", 4);
	open_ix(&ix);
	unsigned *f = flags_of(&ix);
	f[0] = SUMMARY_FLAGGED;

	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = 200, .rlim_max = 200 };
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(99);
		struct err ce;
		err_init(&ce);
		int rc = mbox_rewrite(&ix, mbox, NULL, f, false, NULL, &ce);
		_exit(rc == -1 && strstr(ce.msg, "could not write") != NULL &&
		      strstr(ce.msg, strerror(EFBIG)) != NULL &&
		      strstr(ce.msg, "; the mailbox is unchanged") != NULL ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a full disk (file size limit) fails with the reason and 'unchanged'");
	ok(file_is(three), "the mailbox is unchanged");
	ok(access(stale, F_OK) < 0, "the stale temporary file was removed under the lock");
	DIR *d = opendir(dir);
	int temps = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		temps += strstr(de->d_name, ".tern-new.") != NULL;
	closedir(d);
	is_int(temps, 0, "and the failed one's was removed too");

	char lockfile[4400];
	snprintf(lockfile, sizeof(lockfile), "%s.lock", mbox);
	pid = fork();
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	char pidtext[64];
	snprintf(pidtext, sizeof(pidtext), "%ld\n", (long)pid);
	tu_write(lockfile, pidtext, strlen(pidtext));
	struct mbox_rewrite_options opt = { .lock_timeout_ms = 200 };
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, &opt, &e), -1,
	       "a mailbox locked by a live process is not written");
	ok(strstr(e.msg, "locked by pid") != NULL, "the error names the holder: %s", e.msg);
	ok(file_is(three), "the mailbox is unchanged");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(lockfile);

	symlink("in.mbox", stale);
	unlink(mbox);
	put(three);
	mbox_index_close(&ix);
	open_ix(&ix);
	is_int(mbox_rewrite(&ix, mbox, cache, f, false, NULL, &e), 0, "rewrite works again");
	ok(access(lockfile, F_OK) < 0, "and leaves no dotlock");
	struct stat st;
	ok(lstat(stale, &st) == 0 && S_ISLNK(st.st_mode), "a symbolic link named like a "
	   "temporary file is not touched");
	unlink(stale);
	free(f);
	mbox_index_close(&ix);
}

static void test_match(void)
{
	put(three);
	struct mbox_index a, b;
	open_ix(&a);
	put(M2 "\n" M0 "\n" M0);
	unlink(cache);
	open_ix(&b);
	size_t map[3];
	mbox_index_match(&a, &b, map);
	ok(map[0] == 1 && map[1] == (size_t)-1 && map[2] == 0,
	   "messages are matched across a reordering (%zu %zu %zu)", map[0], map[1], map[2]);
	mbox_index_close(&a);
	mbox_index_close(&b);
}

int main(void)
{
	dir = tu_tempdir();
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	snprintf(cache, sizeof(cache), "%s/cache.sqlite", dir);
	test_flags();
	test_expunge();
	test_changed_meanwhile();
	test_failures();
	test_match();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
