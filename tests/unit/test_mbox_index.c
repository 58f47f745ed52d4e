#include "config.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox_index.h"
#include "tap.h"
#include "testutil.h"

static char mbox[4300], cache[4300], dir_copy[4200];

static const char *msg(int i)
{
	static char b[512];
	snprintf(b, sizeof(b),
		 "From a%d@example.org Mon Jan  5 09:12:00 2026\n"
		 "From: Sender %d <a%d@example.org>\nSubject: =?UTF-8?Q?Nr=2E_%d_=C3=BC?=\n"
		 "Date: Mon, 05 Jan 2026 09:12:%02d +0000\n\nbody %d\n\n", i, i, i, i, i % 60, i);
	return b;
}

static void append_msgs(int from, int to)
{
	FILE *f = fopen(mbox, "a");
	for (int i = from; i < to; i++)
		fputs(msg(i), f);
	fclose(f);
}

static int open_ix(struct mbox_index *ix)
{
	struct err e;
	err_init(&e);
	int rc = mbox_index_open(ix, mbox, cache, &e);
	if (rc < 0)
		diag("open failed: %s", e.msg);
	return rc;
}

static void bump_mtime(void)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
	utimensat(AT_FDCWD, mbox, ts, 0);
}

struct progress_log {
	int calls;
	size_t last_done, total;
	int stop_after; /* say stop at this call (0: never) */
};

static bool on_progress(void *ctx, size_t done, size_t total)
{
	struct progress_log *p = ctx;
	p->calls++;
	p->last_done = done;
	p->total = total;
	return p->stop_after == 0 || p->calls < p->stop_after;
}

/* A 12 MB mbox: the scan reports its progress every few MB, and stops
 * when told to. */
static void test_progress(const char *dir)
{
	char big[4400], c[4400];
	snprintf(big, sizeof(big), "%s/big.mbox", dir);
	snprintf(c, sizeof(c), "%s/big.sqlite", dir);
	FILE *f = fopen(big, "w");
	static char body[4000];
	memset(body, 'x', sizeof(body) - 2);
	body[sizeof(body) - 2] = '\n';
	for (int i = 0; i < 3000; i++)
		fprintf(f, "From a@x Mon Jan  5 09:12:00 2026\nSubject: %d\n\n%s\n", i, body);
	fclose(f);
	struct mbox_index ix;
	struct err e;
	err_init(&e);
	struct progress_log log = { 0 };
	struct mbox_index_progress p = { on_progress, &log };
	ok(mbox_index_open_with(&ix, big, c, &p, &e) == 0 && ix.n == 3000, "open with progress");
	ok(log.calls >= 2 && log.total == ix.file.len && log.last_done < log.total,
	   "progress is reported along the way (%d calls, last %zu of %zu)", log.calls,
	   log.last_done, log.total);
	mbox_index_close(&ix);
	unlink(c);
	struct progress_log stop = { .stop_after = 1 };
	p.ctx = &stop;
	ok(mbox_index_open_with(&ix, big, c, &p, &e) < 0 && e.scope == ERR_CANCELLED,
	   "returning false stops the scan: %s", e.msg);
	ok(ix.n == 0 && ix.file.data == NULL, "and nothing is left open");
	struct progress_log again = { 0 };
	p.ctx = &again;
	ok(mbox_index_open_with(&ix, big, c, &p, &e) == 0 && ix.how == MBOX_INDEX_SCANNED &&
	   ix.n == 3000, "a stopped scan cached nothing: the next open scans all again");
	mbox_index_close(&ix);
}

int main(void)
{
	char *dir = tu_tempdir();
	snprintf(dir_copy, sizeof(dir_copy), "%s", dir);
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	snprintf(cache, sizeof(cache), "%s/cache.sqlite", dir);
	append_msgs(0, 3);
	struct mbox_index ix;

	is_int(open_ix(&ix), 0, "first open");
	ok(ix.how == MBOX_INDEX_SCANNED && ix.scanned == 3 && ix.n == 3,
	   "first open scans the file (%zu scanned)", ix.scanned);
	is_str(ix.n == 3 ? ix.msgs[1].sum.subject : NULL, "Nr. 1 \xc3\xbc", "summaries decoded");
	mbox_index_close(&ix);
	struct stat st;
	ok(stat(cache, &st) == 0 && (st.st_mode & 0777) == 0600, "the cache file is 0600");

	is_int(open_ix(&ix), 0, "reopen");
	ok(ix.how == MBOX_INDEX_CACHED && ix.scanned == 0 && ix.n == 3,
	   "an unchanged mbox is read from the cache only");
	ok(ix.n == 3 && strcmp(ix.msgs[2].sum.from, "Sender 2") == 0 &&
	   ix.msgs[2].sum.date == 1767604322 && strcmp(ix.msgs[2].sum.from_address, "a2@example.org") == 0,
	   "cached summaries equal the parsed ones");
	size_t last_start = ix.n == 3 ? ix.msgs[2].pos.start : 0;
	mbox_index_close(&ix);

	append_msgs(3, 5);
	is_int(open_ix(&ix), 0, "open after appending");
	ok(ix.how == MBOX_INDEX_GREW && ix.scanned == 3 && ix.n == 5,
	   "a grown mbox is scanned from its old last message (%zu scanned)", ix.scanned);
	ok(ix.n == 5 && ix.msgs[2].pos.start == last_start &&
	   strcmp(ix.msgs[4].sum.subject, "Nr. 4 \xc3\xbc") == 0, "old and new messages all there");
	mbox_index_close(&ix);
	is_int(open_ix(&ix), 0, "reopen after the growth");
	ok(ix.how == MBOX_INDEX_CACHED && ix.n == 5, "the grown state was cached");
	mbox_index_close(&ix);

	/* Same size, other bytes, other mtime: rescan. */
	int fd = open(mbox, O_WRONLY);
	if (pwrite(fd, "X", 1, 200) != 1)
		diag("pwrite failed");
	close(fd);
	bump_mtime();
	is_int(open_ix(&ix), 0, "open after a rewrite in place");
	ok(ix.how == MBOX_INDEX_SCANNED && ix.scanned == 5, "a changed mbox is rescanned");
	mbox_index_close(&ix);

	/* A different file under the same name (new inode). */
	char tmp[4400];
	snprintf(tmp, sizeof(tmp), "%s.new", mbox);
	FILE *f = fopen(tmp, "w");
	fputs(msg(7), f);
	fclose(f);
	rename(tmp, mbox);
	is_int(open_ix(&ix), 0, "open after the file was replaced");
	ok(ix.how == MBOX_INDEX_SCANNED && ix.n == 1, "a replaced file is rescanned");
	mbox_index_close(&ix);

	/* Rows that do not fit the file are not trusted. */
	sqlite3 *db;
	sqlite3_open(cache, &db);
	/* One message whose text would end at byte 99,999,999. */
	sqlite3_exec(db, "UPDATE chunk SET n = 1, data = X'0001FFC1D72F010000000000000000000000'",
		     NULL, NULL, NULL);
	sqlite3_exec(db, "UPDATE mbox SET count = 1", NULL, NULL, NULL);
	sqlite3_close(db);
	is_int(open_ix(&ix), 0, "open with tampered rows");
	ok(ix.how == MBOX_INDEX_SCANNED && ix.n == 1 && ix.msgs[0].pos.end <= ix.file.len,
	   "rows beyond the file make a rescan");
	mbox_index_close(&ix);

	/* A damaged cache file is replaced. */
	tu_write(cache, "this is not a database, just junk bytes.........", 48);
	is_int(open_ix(&ix), 0, "open with a junk cache file");
	ok(ix.how == MBOX_INDEX_SCANNED && ix.n == 1, "a junk cache is rebuilt");
	mbox_index_close(&ix);
	is_int(open_ix(&ix), 0, "and then used");
	ok(ix.how == MBOX_INDEX_CACHED, "the rebuilt cache works");
	mbox_index_close(&ix);

	/* No cache at all still works; a missing mbox is an error. */
	struct err e;
	err_init(&e);
	ok(mbox_index_open(&ix, mbox, NULL, &e) == 0 && ix.n == 1, "no cache path: plain scan");
	mbox_index_close(&ix);
	char missing[4400];
	snprintf(missing, sizeof(missing), "%s/none.mbox", dir);
	ok(mbox_index_open(&ix, missing, cache, &e) < 0 && e.code == ERR_NOTFOUND,
	   "a missing mbox is an error");

	test_progress(dir);
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
