#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbox_scan.h"
#include "tap.h"
#include "testutil.h"

static char *dir;

/* Writes data to a file in the test directory and returns its path. */
static const char *put(const char *name, const char *data, size_t len)
{
	static char path[4300];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	tu_write(path, data, len);
	return path;
}

/* Counts messages and checks each ends where the next blank line is. */
static int count(const char *data, size_t len, struct mbox_msg *last)
{
	size_t pos = 0;
	int n = 0;
	struct mbox_msg m;
	while (mbox_scan_next(data, len, &pos, &m)) {
		n++;
		if (last)
			*last = m;
	}
	return n;
}

#define TXT(lit) lit, sizeof(lit) - 1

static void test_scan(void)
{
	static const char three[] =
		"From a@x Mon Jan  5 09:12:00 2026\n"
		"Subject: one\n\nbody one\nFrom inside a paragraph\n\n"
		"From b@x Mon Jan  5 09:13:00 2026\n"
		"Subject: two\n\n>From quoted\n\n"
		"From c@x Mon Jan  5 09:14:00 2026\n"
		"Subject: three\n\nlast\n";
	struct mbox_msg m;
	is_int(count(TXT(three), NULL), 3,
	       "three separators after blank lines, one From inside a paragraph");
	size_t pos = 0;
	ok(mbox_scan_next(TXT(three), &pos, &m), "first message found");
	is_int((long long)m.from_line, 0, "first separator at offset 0");
	ok(strncmp(three + m.start, "Subject: one", 12) == 0,
	   "message starts after the separator line");
	ok(strncmp(three + m.end - 24, "From inside a paragraph\n", 24) == 0,
	   "message ends before the blank line that precedes the next separator");
	ok(mbox_scan_next(TXT(three), &pos, &m) &&
	   strncmp(three + m.start, "Subject: two", 12) == 0,
	   "second message found from the position the first left");
	count(TXT(three), &m);
	is_int((long long)m.end, (long long)sizeof(three) - 1,
	       "the last message runs to the end of the data");

	static const char crlf[] =
		"From a@x Mon Jan  5 09:12:00 2026\r\nS: 1\r\n\r\nx\r\n\r\n"
		"From b@x Mon Jan  5 09:12:00 2026\r\nS: 2\r\n\r\ny\r\n";
	is_int(count(TXT(crlf), NULL), 2, "CRLF mbox: two messages");
	is_int(count("", 0, NULL), 0, "empty data: no messages");
	is_int(count(TXT("From x@y Mon Jan  5 09:12:00 2026\n"), NULL), 1,
	       "a lone separator is one empty message");
	is_int(count(TXT("From x\n\nFrom here on\n"), NULL), 0,
	       "\"From \" lines without a date are no separators");

	static const char mboxo[] =
		"From a@x Mon Jan  5 09:12:00 2026\nS: 1\n\nFrom Russia with love\n\n"
		"From b@x Tue Jan  6 10:00 2026\nS: 2\n\nx\n";
	is_int(count(TXT(mboxo), NULL), 2,
	       "an unquoted body line \"From Russia...\" after a blank line does not split");
	static const char tbird[] =
		"From - \nS: 1\n\nend of one\nFrom - Mon Jun  3 12:50:27 1996\nS: 2\n\ntwo\n";
	is_int(count(TXT(tbird), &m), 2,
	       "Thunderbird \"From - \" separators, also without a blank line before");
	static const char bom[] = "\xef\xbb\xbf" "From - \nS: 1\n\nx\n";
	is_int(count(TXT(bom), NULL), 1, "a UTF-8 byte order mark before the first separator");

	static const char cl[] =
		"From a@x Mon Jan  5 09:12:00 2026\nContent-Length: 48\n\n"
		"line\n\nFrom b@x Mon Jan  5 09:12:00 2026\nin body\n\n"
		"From c@x Mon Jan  5 09:12:00 2026\nS: 3\n\nz\n";
	is_int(count(TXT(cl), NULL), 2,
	       "Content-Length landing on a separator keeps an unquoted From_ line in the body");
	static const char badcl[] =
		"From a@x Mon Jan  5 09:12:00 2026\nContent-Length: 7\n\n"
		"line\n\nFrom b@x Mon Jan  5 09:12:00 2026\nS: 2\n\nz\n";
	is_int(count(TXT(badcl), NULL), 2,
	       "a Content-Length that lands elsewhere is ignored");
	static const char forged[] =
		"From a@x Mon Jan  5 09:12:00 2026\nContent-Length: 64\n\n"
		"evil\n\nFrom b@x Mon Jan  5 09:12:00 2026\nSubject: hidden\n\nvictim\n\n"
		"From c@x Mon Jan  5 09:12:00 2026\nS: 3\n\nz\n";
	is_int(count(TXT(forged), NULL), 3,
	       "a Content-Length that would swallow a whole message is not believed");
}

static void test_files(void)
{
	struct mbox_file mf;
	struct err e;
	err_init(&e);

	const char *p = put("good.mbox", TXT("From a@x Mon Jan  5 09:12:00 2026\nS: 1\n\nx\n"));
	ok(mbox_file_open(&mf, p, &e) == 0, "a real mbox file opens");
	is_int(count(mf.data, mf.len, NULL), 1, "and is scanned through the mapping");
	mbox_file_close(&mf);

	p = put("empty.mbox", "", 0);
	ok(mbox_file_open(&mf, p, &e) == 0 && mf.len == 0, "an empty file is an empty mbox");
	mbox_file_close(&mf);

	p = put("junk", TXT("\x7f" "ELF binary junk\n"));
	ok(mbox_file_open(&mf, p, &e) < 0, "a file not starting with From is refused");
	ok(strstr(e.msg, "not an mbox") != NULL, "with a clear message: %s", e.msg);

	ok(mbox_file_open(&mf, dir, &e) < 0 && strstr(e.msg, "directory") != NULL,
	   "a directory is refused as such");

	char fifo[4300];
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (mkfifo(fifo, 0600) < 0)
		diag("mkfifo failed");
	ok(mbox_file_open(&mf, fifo, &e) < 0 && strstr(e.msg, "regular") != NULL,
	   "a FIFO is refused without blocking");

	snprintf(fifo, sizeof(fifo), "%s/missing", dir);
	ok(mbox_file_open(&mf, fifo, &e) < 0 && e.code == ERR_NOTFOUND,
	   "a missing file is ERR_NOTFOUND");
	is_int(e.scope, ERR_FOLDER, "mbox errors have folder scope");
}

/* The mboxes in tests/data/mbox (real files from other projects' test
 * suites) with their known message counts. */
static void test_data_files(void)
{
	static const struct {
		const char *name;
		int count;
		const char *in_first; /* text in the first message, or NULL */
	} files[] = {
		{ "content-length.mbox.txt", 29, NULL },
		{ "unmunged.mbox.txt", 2, "From Russia with love" },
		{ "substring.mbox", 3, "<-- You are here." },
	};
	const char *top = getenv("top_srcdir");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/tests/data/mbox/%s", top ? top : ".",
			 files[i].name);
		struct mbox_file mf;
		struct err e;
		err_init(&e);
		if (mbox_file_open(&mf, path, &e) < 0) {
			ok(0, "%s opens: %s", files[i].name, e.msg);
			continue;
		}
		struct mbox_msg first;
		size_t pos = 0;
		bool have = mbox_scan_next(mf.data, mf.len, &pos, &first);
		is_int(count(mf.data, mf.len, NULL), files[i].count, "%s has %d messages",
		       files[i].name, files[i].count);
		if (files[i].in_first != NULL)
			ok(have && memmem(mf.data + first.start, first.end - first.start,
					  files[i].in_first, strlen(files[i].in_first)) != NULL,
			   "%s: the first message keeps \"%s\"", files[i].name, files[i].in_first);
		mbox_file_close(&mf);
	}
}

int main(void)
{
	dir = tu_tempdir();
	test_scan();
	test_data_files();
	test_files();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
