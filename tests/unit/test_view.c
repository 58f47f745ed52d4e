#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "tap.h"
#include "view.h"

#define U SUMMARY_DATE_UNKNOWN
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NMSG 12

/* ------------------------------------------------------------ fixture */

struct fixture_msg {
	const char *id, *refs, *subject, *from;
	int64_t date;
	size_t size;
};

/* Threads (with subject grouping):
 *   0 Project plan ── 1 ── 3 ── 11, and 5 under 0
 *   2 lunch? ── 8          9 Aardvark (alone; same date and size as 2)
 *   4 Zebra facts (no date) ── 10 Fwd: zebra facts (by subject)
 *   <missing> ── 6, 7      (a placeholder top: hidden) */
static const struct fixture_msg fixture[NMSG] = {
	{ "<a@x>", NULL, "Project plan", "Carol", 1000, 5000 },
	{ "<b@x>", "<a@x>", "Re: Project plan", "alice", 3000, 200 },
	{ "<c@x>", NULL, "lunch?", "Bob", 2000, 900 },
	{ "<d@x>", "<a@x> <b@x>", "Re: Project plan", "Dave", 5000, 1200 },
	{ "<e@x>", NULL, "Zebra facts", "eve", U, 50 },
	{ "<f@x>", "<a@x>", "Re: Project plan", "Alice", 4000, 300 },
	{ "<g@x>", "<missing@x>", "Re: Budget", "Frank", 6000, 700 },
	{ "<h@x>", "<missing@x>", "Re: Budget", "Grace", 6500, 700 },
	{ "<i@x>", "<c@x>", "Re: lunch?", "Bob", 2500, 100 },
	{ "<j@x>", NULL, "Aardvark", "bob", 2000, 900 },
	{ "<k@x>", NULL, "Fwd: zebra facts", "Heidi", 7000, 10000 },
	{ "<l@x>", "<d@x>", "Re: Project plan", "Ivan", 5500, 400 },
};

static struct summary sums[NMSG];
static struct be_msg msgs[NMSG];

static void fixture_init(void)
{
	for (size_t i = 0; i < NMSG; i++) {
		const struct fixture_msg *f = &fixture[i];
		sums[i] = (struct summary){
			.date = f->date, .from = (char *)f->from, .from_address = (char *)"",
			.to = (char *)"", .subject = (char *)f->subject,
			.message_id = (char *)f->id, .references = (char *)f->refs,
			.size = f->size,
		};
		msgs[i] = (struct be_msg){ &sums[i], 0, 100 + i, NULL };
	}
}

/* The rows of v as "m,m,m" (message numbers). */
static const char *order_of(const struct view *v)
{
	static char s[4096];
	size_t len = 0;
	s[0] = '\0';
	for (size_t r = 0; r < v->n && len + 24 < sizeof(s); r++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%zu", r ? "," : "",
					v->rows[r].msg);
	return s;
}

static const char *depths_of(const struct view *v)
{
	static char s[4096];
	size_t len = 0;
	s[0] = '\0';
	for (size_t r = 0; r < v->n && len + 24 < sizeof(s); r++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "%s%u", r ? "," : "",
					v->rows[r].depth);
	return s;
}

/* The trees of v as "t|t|t" with each tree in brackets. */
static const char *trees_of(const struct view *v, enum view_tree_chars chars)
{
	static char s[8192];
	size_t len = 0;
	char tree[VIEW_TREE_MAX];
	s[0] = '\0';
	for (size_t r = 0; r < v->n && len + VIEW_TREE_MAX + 4 < sizeof(s); r++)
		len += (size_t)snprintf(s + len, sizeof(s) - len, "[%s]",
					view_tree(v, r, chars, tree));
	return s;
}

/* Builds the fixture with sort, reverse, threaded and limit. */
static int build(struct view *v, enum view_sort sort, bool reverse, bool threaded,
		 const size_t *limit, size_t n_limit)
{
	struct view_options opt = { .sort = sort, .reverse = reverse, .threaded = threaded,
				    .limit = limit, .n_limit = n_limit,
				    .hash_key = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL } };
	struct err e;
	err_init(&e);
	int rc = view_build(v, msgs, NMSG, &opt, &e);
	if (rc < 0)
		diag("view_build: %s", e.msg);
	return rc;
}

/* Whether view_find() is the inverse of the rows, and says VIEW_NONE for
 * the messages not shown. */
static bool find_is_inverse(const struct view *v, size_t n)
{
	size_t shown = 0;
	for (size_t r = 0; r < v->n; r++) {
		if (view_find(v, v->rows[r].msg) != r)
			return false;
	}
	for (size_t m = 0; m < n; m++)
		shown += view_find(v, m) != VIEW_NONE;
	return shown == v->n && view_find(v, n) == VIEW_NONE &&
	       view_find(v, SIZE_MAX) == VIEW_NONE;
}

/* ------------------------------------------------------------- sorts */

static void test_plain_sorts(void)
{
	static const struct {
		enum view_sort sort;
		bool reverse;
		const char *want, *name;
	} cases[] = {
		{ VIEW_SORT_DATE, false, "4,0,2,9,8,1,5,3,11,6,7,10",
		  "date: the unknown date first, equal dates in folder order" },
		{ VIEW_SORT_DATE, true, "10,7,6,11,3,5,1,8,9,2,0,4",
		  "reverse date: the whole list turned around, ties too" },
		{ VIEW_SORT_ARRIVAL, false, "0,1,2,3,4,5,6,7,8,9,10,11",
		  "arrival: folder order" },
		{ VIEW_SORT_ARRIVAL, true, "11,10,9,8,7,6,5,4,3,2,1,0",
		  "reverse arrival: newest arrival first" },
		{ VIEW_SORT_FROM, false, "1,5,2,8,9,0,3,4,6,7,10,11",
		  "from: by display name, ASCII case ignored, ties in folder order" },
		{ VIEW_SORT_SUBJECT, false, "9,6,7,2,8,0,1,3,5,11,4,10",
		  "subject: by base subject (Re:/Fwd: removed), case ignored" },
		{ VIEW_SORT_SIZE, false, "4,8,1,5,11,6,7,2,9,3,0,10",
		  "size: smallest first, equal sizes in folder order" },
		{ VIEW_SORT_SIZE, true, "10,0,3,9,2,7,6,11,5,1,8,4",
		  "reverse size: largest first" },
	};
	struct view v;
	view_init(&v);
	for (size_t i = 0; i < N(cases); i++) {
		int rc = build(&v, cases[i].sort, cases[i].reverse, false, NULL, 0);
		is_int(rc, 0, "builds: %s", cases[i].name);
		is_str(order_of(&v), cases[i].want, "%s", cases[i].name);
		is_str(depths_of(&v), "0,0,0,0,0,0,0,0,0,0,0,0",
		       "unthreaded rows have depth 0 (%s)", cases[i].name);
		ok(!v.threaded && find_is_inverse(&v, NMSG),
		   "view_find gives each message's row (%s)", cases[i].name);
	}
	build(&v, VIEW_SORT_DATE, false, false, NULL, 0);
	is_str(trees_of(&v, VIEW_TREE_ASCII), "[][][][][][][][][][][][]",
	       "unthreaded rows draw no tree");
	view_release(&v);
}

/* ------------------------------------------------------------ threads */

#define DATE_THREADS "0,1,3,11,5,2,8,9,6,7,4,10"
#define DATE_DEPTHS "0,1,2,3,1,0,1,0,1,1,0,1"
#define DATE_TREES "[][|->][| `->][|   `->][`->][][`->][][-->][`->][][`->]"

static void test_thread_date(void)
{
	struct view v;
	view_init(&v);
	is_int(build(&v, VIEW_SORT_DATE, false, true, NULL, 0), 0, "threads build");
	ok(v.threaded, "the view says it is threaded");
	is_str(order_of(&v), DATE_THREADS,
	       "threads by their earliest known date, parents first, replies by date");
	is_str(depths_of(&v), DATE_DEPTHS, "depths of the thread rows");
	is_str(trees_of(&v, VIEW_TREE_ASCII), DATE_TREES,
	       "trees drawn as mutt does; the hidden top's first child gets -->");
	is_str(trees_of(&v, VIEW_TREE_UTF8),
	       "[][\u251c\u2500>][\u2502 \u2514\u2500>][\u2502   \u2514\u2500>][\u2514\u2500>]"
	       "[][\u2514\u2500>][][\u252c\u2500>][\u2514\u2500>][][\u2514\u2500>]",
	       "the same trees in box-drawing characters");
	ok(find_is_inverse(&v, NMSG), "view_find gives each threaded message's row");
	is_int((long long)view_find(&v, 11), 3, "view_find: message 11 is on row 3");
	is_int((long long)view_find(&v, 4), 10,
	       "a thread whose top has no date sorts by its reply's date, not first");

	is_int(build(&v, VIEW_SORT_THREAD, false, false, NULL, 0), 0, "sort=thread builds");
	ok(v.threaded && strcmp(order_of(&v), DATE_THREADS) == 0 &&
	   strcmp(trees_of(&v, VIEW_TREE_ASCII), DATE_TREES) == 0,
	   "sort=thread is date order with threads");

	is_int(build(&v, VIEW_SORT_DATE, true, true, NULL, 0), 0, "reverse threads build");
	is_str(order_of(&v), "4,10,6,7,9,2,8,0,1,3,11,5",
	       "reverse date with threads: newest thread first, each top-down");
	is_str(trees_of(&v, VIEW_TREE_ASCII),
	       "[][`->][-->][`->][][][`->][][|->][| `->][|   `->][`->]",
	       "reversed threads keep their trees");
	view_release(&v);
}

static void test_thread_sorts(void)
{
	static const struct {
		enum view_sort sort;
		bool reverse;
		const char *want, *name;
	} cases[] = {
		{ VIEW_SORT_SIZE, false, "4,10,6,7,2,8,9,0,1,3,11,5",
		  "threads by size: by their top's size, ties by its folder position" },
		{ VIEW_SORT_SUBJECT, false, "9,6,7,2,8,0,1,3,11,5,4,10",
		  "threads by subject: by their top's base subject" },
		{ VIEW_SORT_FROM, false, "2,8,9,0,1,3,11,5,4,10,6,7",
		  "threads by sender: by their top's sender (a hidden top: its first child)" },
		{ VIEW_SORT_ARRIVAL, false, "0,1,3,11,5,2,8,4,10,6,7,9",
		  "threads by arrival: by their first message in folder order" },
		{ VIEW_SORT_SIZE, true, "0,1,3,11,5,9,2,8,6,7,4,10",
		  "reverse threads by size: largest top first" },
	};
	struct view v;
	view_init(&v);
	for (size_t i = 0; i < N(cases); i++) {
		int rc = build(&v, cases[i].sort, cases[i].reverse, true, NULL, 0);
		is_int(rc, 0, "builds: %s", cases[i].name);
		is_str(order_of(&v), cases[i].want, "%s", cases[i].name);
		ok(find_is_inverse(&v, NMSG), "view_find agrees (%s)", cases[i].name);
	}
	view_release(&v);
}

/* ------------------------------------------------------------- limits */

static void test_limit(void)
{
	static const size_t limit[] = { 1, 3, 5, 6, 9, 10, 11 };
	struct view v;
	view_init(&v);
	is_int(build(&v, VIEW_SORT_DATE, false, false, limit, N(limit)), 0, "a limit builds");
	is_str(order_of(&v), "9,1,5,3,11,6,10", "a limit shows only its messages, sorted");
	is_int((long long)view_find(&v, 0), (long long)VIEW_NONE,
	       "view_find: a message outside the limit has no row");
	is_int((long long)view_find(&v, 3), 3, "view_find: a message in the limit has its row");
	ok(find_is_inverse(&v, NMSG), "view_find agrees with a limit");

	is_int(build(&v, VIEW_SORT_DATE, false, true, limit, N(limit)), 0,
	       "a limit with threads builds");
	is_str(order_of(&v), "9,1,3,11,5,6,10",
	       "with a limit only its messages are threaded");
	is_str(depths_of(&v), "0,1,2,3,1,0,0",
	       "replies to a message outside the limit hang under a hidden top");
	is_str(trees_of(&v, VIEW_TREE_ASCII), "[][-->][| `->][|   `->][`->][][]",
	       "the trees of a limited view");

	is_int(build(&v, VIEW_SORT_DATE, false, false, limit, 0), 0, "an empty limit builds");
	ok(v.n == 0 && view_find(&v, 1) == VIEW_NONE, "an empty limit shows nothing");

	static const size_t unsorted[] = { 3, 1 };
	static const size_t repeated[] = { 1, 1 };
	static const size_t outside[] = { 1, NMSG };
	struct view_options opt = { .limit = unsorted, .n_limit = 2 };
	struct err e;
	err_init(&e);
	build(&v, VIEW_SORT_DATE, false, false, NULL, 0);
	ok(view_build(&v, msgs, NMSG, &opt, &e) == -1 && e.scope == ERR_FOLDER &&
	   e.code == ERR_USAGE && v.n == 0 && v.rows == NULL &&
	   view_find(&v, 1) == VIEW_NONE,
	   "a limit out of order is refused and leaves the view empty");
	opt.limit = repeated;
	err_init(&e);
	ok(view_build(&v, msgs, NMSG, &opt, &e) == -1 && e.code == ERR_USAGE,
	   "a limit naming a message twice is refused");
	opt.limit = outside;
	err_init(&e);
	ok(view_build(&v, msgs, NMSG, &opt, &e) == -1 && e.code == ERR_USAGE,
	   "a limit naming a message past the folder is refused");
	view_release(&v);
	view_release(&v);
	ok(v.rows == NULL && v.row_of == NULL && v.n == 0, "view_release twice is harmless");
}

static void test_empty(void)
{
	struct view v;
	struct view_options opt = { .sort = VIEW_SORT_DATE, .threaded = true };
	struct err e;
	err_init(&e);
	view_init(&v);
	ok(view_build(&v, NULL, 0, &opt, &e) == 0 && v.n == 0 &&
	   view_find(&v, 0) == VIEW_NONE, "an empty folder gives an empty threaded view");
	opt.threaded = false;
	ok(view_build(&v, NULL, 0, &opt, &e) == 0 && v.n == 0, "and an empty plain view");
	view_release(&v);
}

/* ------------------------------------------------------- deep threads */

/* A top with two children; the first starts a chain 30 deep. */
static void test_deep_tree(void)
{
	enum { DEEP = 32 };
	static char ids[DEEP][16], refs[DEEP][16];
	struct summary s[DEEP];
	struct be_msg m[DEEP];
	for (size_t i = 0; i < DEEP; i++) {
		snprintf(ids[i], sizeof(ids[i]), "<%zu@deep>", i);
		/* 0 is the top, 1 and 31 its children, 2.. each under the one before */
		snprintf(refs[i], sizeof(refs[i]), "<%zu@deep>", i == 31 ? 0 : i - 1);
		s[i] = (struct summary){ .date = (int64_t)i * 10, .from = (char *)"x",
			.subject = (char *)"deep", .message_id = ids[i],
			.references = i ? refs[i] : NULL };
		m[i] = (struct be_msg){ &s[i], 0, i, NULL };
	}
	struct view v;
	struct view_options opt = { .sort = VIEW_SORT_THREAD };
	struct err e;
	char tree[VIEW_TREE_MAX], want[VIEW_TREE_MAX];
	err_init(&e);
	view_init(&v);
	is_int(view_build(&v, m, DEEP, &opt, &e), 0, "a deep thread builds");
	is_int(v.rows[30].depth, 30, "row 30 is 30 deep");
	is_int(v.rows[31].msg, 31, "the top's last child comes after the chain");
	/* row 20: 19 levels, the first with a line (1 has a later sibling) */
	snprintf(want, sizeof(want), "| %36s`->", "");
	is_str(view_tree(&v, 20, VIEW_TREE_ASCII, tree), want,
	       "depth 20 is drawn in full: a line at level 1, spaces below");
	snprintf(want, sizeof(want), "| %36s`-[25]>", "");
	is_str(view_tree(&v, 25, VIEW_TREE_ASCII, tree), want,
	       "depth 25 is drawn compactly: 19 levels, then the depth in the arrow");
	snprintf(want, sizeof(want), "\u2502 %36s\u2514\u2500[30]>", "");
	is_str(view_tree(&v, 30, VIEW_TREE_UTF8, tree), want,
	       "the compact form in box-drawing characters");
	ok(strlen(want) < VIEW_TREE_MAX, "the longest tree fits VIEW_TREE_MAX");
	is_str(view_tree(&v, 31, VIEW_TREE_ASCII, tree), "`->",
	       "the top's last child after the deep chain");
	view_release(&v);
}

/* ---------------------------------------------------------------- speed */

#define BIG 100000

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rnd(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return *state >> 33;
}

struct big {
	struct summary *sums;
	struct be_msg *msgs;
	char *text;
};

/* 100,000 messages: a third reply to an earlier one, subjects from a
 * small set, dates random (some unknown). */
static void big_init(struct big *b)
{
	static const char *const subjects[] = { "Meeting", "Re: Meeting", "Budget 2026",
		"Re: Budget 2026", "Lunch", "Fwd: Lunch", "Release notes", "Hello" };
	static const char *const names[] = { "Alice", "bob", "Carol", "dave", "Eve" };
	uint64_t st = 42;
	b->sums = xcalloc(BIG, sizeof(*b->sums));
	b->msgs = xcalloc(BIG, sizeof(*b->msgs));
	b->text = xcalloc(BIG, 48);
	for (size_t i = 0; i < BIG; i++) {
		char *id = b->text + i * 48, *ref = id + 24;
		snprintf(id, 24, "<%zu@big>", i);
		if (i > 0 && rnd(&st) % 3 == 0)
			snprintf(ref, 24, "<%llu@big>", (unsigned long long)(rnd(&st) % i));
		b->sums[i] = (struct summary){
			.date = rnd(&st) % 100 == 0 ? U : (int64_t)(1600000000 + rnd(&st) % 100000000),
			.from = (char *)names[rnd(&st) % N(names)],
			.subject = (char *)subjects[rnd(&st) % N(subjects)],
			.message_id = id, .references = ref[0] ? ref : NULL,
			.size = (size_t)(rnd(&st) % 100000),
		};
		b->msgs[i] = (struct be_msg){ &b->sums[i], 0, i, NULL };
	}
}

static void big_release(struct big *b)
{
	free(b->sums);
	free(b->msgs);
	free(b->text);
}

static bool dates_ascend(const struct view *v, const struct be_msg *m)
{
	for (size_t r = 1; r < v->n; r++) {
		const struct summary *a = m[v->rows[r - 1].msg].sum, *b = m[v->rows[r].msg].sum;
		if (a->date > b->date || (a->date == b->date && v->rows[r - 1].msg > v->rows[r].msg))
			return false;
	}
	return true;
}

static void test_big(void)
{
	struct big b;
	struct view v;
	struct err e;
	static const enum view_sort sorts[] = { VIEW_SORT_DATE, VIEW_SORT_FROM,
		VIEW_SORT_SUBJECT, VIEW_SORT_SIZE, VIEW_SORT_ARRIVAL };
	static const char *const names[] = { "date", "from", "subject", "size", "arrival" };
	big_init(&b);
	view_init(&v);
	err_init(&e);
	for (size_t i = 0; i < N(sorts); i++) {
		for (int threaded = 0; threaded <= 1; threaded++) {
			struct view_options opt = { .sort = sorts[i], .threaded = threaded };
			double t0 = now_ms();
			int rc = view_build(&v, b.msgs, BIG, &opt, &e);
			diag("100,000 messages by %s%s: %.1f ms", names[i],
			     threaded ? " with threads" : "", now_ms() - t0);
			ok(rc == 0 && v.n == BIG && find_is_inverse(&v, BIG),
			   "100,000 messages by %s%s: every message on one row", names[i],
			   threaded ? " with threads" : "");
			if (sorts[i] == VIEW_SORT_DATE && !threaded)
				ok(dates_ascend(&v, b.msgs),
				   "100,000 messages by date: dates ascend, ties in folder order");
		}
	}
	view_release(&v);
	big_release(&b);
}

int main(void)
{
	fixture_init();
	test_plain_sorts();
	test_thread_date();
	test_thread_sorts();
	test_limit();
	test_empty();
	test_deep_tree();
	test_big();
	return done_testing();
}
