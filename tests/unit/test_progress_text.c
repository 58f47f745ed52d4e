#include "config.h"

#include <string.h>
#include <time.h>

#include "progress_text.h"
#include "tap.h"

static const char *fmt(const char *what, uint64_t done, uint64_t total, bool bytes, double secs,
		       unsigned bar)
{
	static char text[512];
	struct buf b;
	buf_init(&b, sizeof(text) - 1);
	progress_text_format(&b, what, done, total, bytes, secs, bar);
	memcpy(text, b.data, b.len + 1);
	buf_release(&b);
	return text;
}

static void test_sizes(void)
{
	char s[PROGRESS_TEXT_SIZE_MAX];
	static const struct {
		uint64_t n;
		bool bytes;
		const char *want;
	} t[] = {
		{ 0, true, "0 B" },
		{ 1023, true, "1023 B" },
		{ 1024, true, "1 KB" },
		{ 1536, true, "2 KB" },
		{ (uint64_t)1 << 20, true, "1.0 MB" },
		{ 3565158, true, "3.4 MB" },
		{ (uint64_t)5 << 30, true, "5.0 GB" },
		{ 4000000000ULL, false, "4000000000" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		progress_text_size(t[i].n, t[i].bytes, s);
		is_str(s, t[i].want, "size %llu (%s)", (unsigned long long)t[i].n,
		       t[i].bytes ? "bytes" : "count");
	}
}

static void test_lines(void)
{
	is_str(fmt("Opening", 5000, 0, false, 3, 10), "Opening  5000",
	       "an unknown total: what and the amount only");
	is_str(fmt("Get", 0, 100, false, 0, 10), "Get [          ] 0%  0 / 100",
	       "at the start: an empty bar, no rate");
	is_str(fmt("Get", 25, 100, false, 0.1, 4), "Get [#   ] 25%  25 / 100",
	       "no rate before 0.2 s of work");
	is_str(fmt("Get", 25, 100, false, 5, 4), "Get [#   ] 25%  25 / 100  5/s  0:15 left",
	       "rate and time left from the work so far");
	is_str(fmt("Get", (uint64_t)3 << 20, (uint64_t)12 << 20, true, 3, 0),
	       "Get 25%  3.0 MB / 12.0 MB  1.0 MB/s  0:09 left",
	       "bytes, without a bar");
	is_str(fmt("Get", 1, 10000, false, 1, 0), "Get 0%  1 / 10000  1/s  2:46:39 left",
	       "hours for a long wait");
	is_str(fmt("Get", 100, 100, false, 10, 2), "Get [##] 100%  100 / 100  10/s",
	       "done: full bar, nothing left to wait for");
	is_str(fmt("Get", 150, 100, false, 10, 2), "Get [##] 100%  150 / 100  15/s",
	       "more than the total (a server that lied): 100%%, never past the bar");
}

static void test_clock(void)
{
	struct progress_clock c = { 0 };
	struct timespec pause = { 0, 60 * 1000000L };
	ok(progress_clock_seconds(&c, 0, 10) < 0.01, "the first report starts the clock");
	nanosleep(&pause, NULL);
	ok(progress_clock_seconds(&c, 3, 10) >= 0.05, "the same work: the clock runs on");
	ok(progress_clock_seconds(&c, 1, 10) < 0.01, "done going back: new work, a new start");
	nanosleep(&pause, NULL);
	ok(progress_clock_seconds(&c, 2, 20) < 0.01, "another total: new work, a new start");
}

int main(void)
{
	test_sizes();
	test_lines();
	test_clock();
	return done_testing();
}
