/* test_imap_seqset: IMAP sequence sets and UID sets. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "imap_seqset.h"
#include "tap.h"

static struct imap_seqset set;
static struct err e;
static int rc;

/* The set as "lo-hi lo-hi ..." (or "lo ..." for one value), for
 * comparing against an expected literal. */
static const char *show(const struct imap_seqset *s)
{
	static char text[4096];
	size_t n = 0;
	text[0] = '\0';
	for (size_t i = 0; i < s->n && n + 40 < sizeof(text); i++) {
		if (s->r[i].lo == s->r[i].hi)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%u",
					      i ? " " : "", s->r[i].lo);
		else
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%u-%u",
					      i ? " " : "", s->r[i].lo, s->r[i].hi);
	}
	return text;
}

static const char *P(const char *text, uint32_t star)
{
	err_init(&e);
	rc = imap_seqset_parse(&set, text, strlen(text), star, 0, &e);
	return rc == 0 ? show(&set) : "(error)";
}

static const char *PO(const char *text, uint32_t star)
{
	err_init(&e);
	rc = imap_seqset_parse_ordered(&set, text, strlen(text), star, 0, &e);
	return rc == 0 ? show(&set) : "(error)";
}

static void test_forms(void)
{
	is_str(P("7", 0), "7", "a single number");
	is_str(P("1:3", 0), "1-3", "a range");
	is_str(P("3:1", 0), "1-3", "a reversed range is the same range");
	is_str(P("5:5", 0), "5", "a range of one value");
	is_str(P("1:3,7,9:12", 0), "1-3 7 9-12", "a list of elements");
	is_str(P("9:12,7,1:3", 0), "1-3 7 9-12", "elements are sorted");
	is_str(P("1:5,3:8", 0), "1-8", "overlapping ranges merge");
	is_str(P("1:3,4,5:6", 0), "1-6", "adjacent ranges merge");
	is_str(P("4,4,4", 0), "4", "duplicates merge");
	is_str(P("2,4:7,9,12:*", 15), "2 4-7 9 12-15", "RFC 9051 s9 example with * = 15");
	is_str(P("*:4,5:7", 10), "4-10", "RFC 9051 s9 \"*:4,5:7\" with 10 messages");
	is_str(P("3291:*", 100), "100-3291",
	       "\"n:*\" with * below n includes * (RFC 9051 s9 seq-range)");
	is_str(P("*", 42), "42", "\"*\" alone is star");
	is_str(P("*:*", 42), "42", "\"*:*\" is star");
	is_str(P("4294967295", 0), "4294967295", "the largest number");
	is_str(P("1:4294967295", 0), "1-4294967295", "the largest range");
	is_int((long long)imap_seqset_count(&set), 4294967295LL,
	       "and it counts 4294967295 values");
	is_str(P("4294967295,1:4294967294", 0), "1-4294967295",
	       "adjacent merge at the top of the range does not overflow");
	is_str(P("10,1000000000,4294967295", 0), "10 1000000000 4294967295",
	       "numbers of many lengths");
}

static void test_errors(void)
{
	static const struct {
		const char *text, *what;
	} bad[] = {
		{ "", "the empty text" },
		{ ",", "a lone comma" },
		{ "1,", "a trailing comma" },
		{ ",1", "a leading comma" },
		{ "1,,2", "an empty element" },
		{ ":", "a lone colon" },
		{ "1:", "a range without its end" },
		{ ":1", "a range without its start" },
		{ "1:2:3", "a range of three" },
		{ "0", "zero" },
		{ "0:5", "zero as a range start" },
		{ "01", "a leading zero (nz-number)" },
		{ "1,007", "a leading zero after a comma" },
		{ "4294967296", "2^32 overflows" },
		{ "99999999999999999999999", "a very long number" },
		{ "1:4294967296", "overflow in a range end" },
		{ " 1", "a leading space" },
		{ "1 ", "a trailing space" },
		{ "1, 2", "a space after a comma" },
		{ "1 :2", "a space before a colon" },
		{ "-1", "a sign" },
		{ "+1", "a plus sign" },
		{ "1.5", "a dot" },
		{ "$", "seq-last-command names no values" },
		{ "1a", "a letter after a number" },
		{ "**", "two stars" },
		{ "1:**", "a star and more" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_str(P(bad[i].text, 100), "(error)", "refused: %s", bad[i].what);
		ok(e.code == ERR_PARSE && e.scope == ERR_FOLDER && e.msg[0] != '\0',
		   "ERR_PARSE, scope folder, a message: %s", bad[i].what);
		is_int((long long)set.n, 0, "the set is left empty: %s", bad[i].what);
	}
	is_str(P("1,*", 0), "(error)", "\"*\" with star 0 is refused");
	is_int(e.code, ERR_PARSE, "as ERR_PARSE");
	is_str(P("1:*", 0), "(error)", "\"1:*\" with star 0 is refused");

	err_init(&e);
	rc = imap_seqset_parse(&set, "1:3,5", 3, 0, 0, &e);
	is_str(rc == 0 ? show(&set) : "(error)", "1-3",
	       "only len bytes are read (the text need not end in NUL)");
	rc = imap_seqset_parse(&set, "12\0", 3, 0, 0, &e);
	is_int(rc, -1, "a NUL inside the text is refused");
}

static void test_cap(void)
{
	err_init(&e);
	rc = imap_seqset_parse(&set, "1,2,3", 5, 0, 3, &e);
	is_int(rc, 0, "exactly max_ranges elements are accepted");
	rc = imap_seqset_parse(&set, "1,2,3,4", 7, 0, 3, &e);
	is_int(rc, -1, "one element past max_ranges is refused");
	is_int(e.code, ERR_LIMIT, "as ERR_LIMIT");
	rc = imap_seqset_parse(&set, "1,1,1,1", 7, 0, 3, &e);
	is_int(rc, -1, "the cap counts elements written, not what they merge into");
	rc = imap_seqset_parse_ordered(&set, "1,2,3,4", 7, 0, 3, &e);
	is_int(rc, -1, "the ordered parse is capped too");

	struct buf big;
	buf_init(&big, (size_t)4 << 20);
	for (size_t i = 1; i <= IMAP_SEQSET_RANGES_MAX + 1; i++)
		if (buf_printf(&big, "%s%zu", i > 1 ? "," : "", i * 2) < 0)
			abort();
	err_init(&e);
	rc = imap_seqset_parse(&set, big.data, big.len, 0, 0, &e);
	is_int(rc, -1, "max_ranges 0 means IMAP_SEQSET_RANGES_MAX: one more is refused");
	is_int(e.code, ERR_LIMIT, "as ERR_LIMIT");
	buf_truncate(&big, (size_t)(strrchr(big.data, ',') - big.data));
	rc = imap_seqset_parse(&set, big.data, big.len, 0, 0, &e);
	is_int(rc, 0, "IMAP_SEQSET_RANGES_MAX elements are accepted");
	is_int((long long)set.n, (long long)IMAP_SEQSET_RANGES_MAX, "and kept apart");
	buf_release(&big);
}

static void test_ordered(void)
{
	is_str(PO("305:307,300,299", 0), "305-307 300 299",
	       "ordered: the text's order is kept");
	ok(set.ordered, "ordered: the set says so");
	is_str(PO("12:10,1,1", 0), "10-12 1 1",
	       "ordered: a reversed range ascends (RFC 4315 s3), duplicates kept");
	is_int((long long)imap_seqset_count(&set), 5, "ordered: duplicates are counted");
	ok(imap_seqset_contains(&set, 11) && imap_seqset_contains(&set, 1) &&
	   !imap_seqset_contains(&set, 2) && !imap_seqset_contains(&set, 13),
	   "ordered: contains scans every range");

	/* COPYUID 38505 304,319:320 3956:3958 (RFC 4315 s3's example). */
	struct imap_seqset src, dst;
	imap_seqset_init(&src);
	imap_seqset_init(&dst);
	err_init(&e);
	rc = imap_seqset_parse_ordered(&src, "304,319:320", 11, 0, 0, &e);
	rc |= imap_seqset_parse_ordered(&dst, "3956:3958", 9, 0, 0, &e);
	char pairs[128] = "";
	size_t ps = 0, pd = 0, n = 0;
	uint32_t vs = 0, vd = 0;
	while (imap_seqset_next(&src, &ps, &vs) && imap_seqset_next(&dst, &pd, &vd))
		n += (size_t)snprintf(pairs + n, sizeof(pairs) - n, "%u>%u ", vs, vd);
	is_str(pairs, "304>3956 319>3957 320>3958 ", "COPYUID sets pair value by value");

	rc = imap_seqset_parse_ordered(&src, "20,10", 5, 0, 0, &e);
	rc |= imap_seqset_parse_ordered(&dst, "5:6", 3, 0, 0, &e);
	ps = pd = 0;
	n = 0;
	pairs[0] = '\0';
	while (imap_seqset_next(&src, &ps, &vs) && imap_seqset_next(&dst, &pd, &vd))
		n += (size_t)snprintf(pairs + n, sizeof(pairs) - n, "%u>%u ", vs, vd);
	is_str(pairs, "20>5 10>6 ", "a source set out of order pairs in its own order");
	is_int(rc, 0, "those sets parse");
	rc = imap_seqset_parse_ordered(&src, "1:*", 3, 0, 0, &e);
	is_int(rc, -1, "ordered with star 0: \"*\" refused (COPYUID forbids it)");

	rc = imap_seqset_parse_ordered(&src, "5", 1, 0, 0, &e);
	imap_seqset_add(&src, 9, 7);
	imap_seqset_add(&src, 2, 2);
	is_str(show(&src), "5 7-9 2", "add to an ordered set appends");
	imap_seqset_release(&src);
	imap_seqset_release(&dst);
}

static void test_iterate(void)
{
	char seen[256];
	size_t pos = 0, n = 0;
	uint32_t v = 0;

	P("7:9,2,4294967294:4294967295", 0);
	seen[0] = '\0';
	while (imap_seqset_next(&set, &pos, &v))
		n += (size_t)snprintf(seen + n, sizeof(seen) - n, "%u ", v);
	is_str(seen, "2 7 8 9 4294967294 4294967295 ",
	       "iteration is ascending, up to the largest value without overflow");
	ok(!imap_seqset_next(&set, &pos, &v), "the end stays the end");

	imap_seqset_reset(&set);
	pos = 0;
	ok(!imap_seqset_next(&set, &pos, &v), "an empty set yields nothing");
	ok(!imap_seqset_next(&set, &pos, &v), "and still nothing");
}

static void test_contains_count(void)
{
	P("2,4:7,9,12:15", 0);
	static const uint32_t in[] = { 2, 4, 5, 7, 9, 12, 15 };
	static const uint32_t out[] = { 1, 3, 8, 10, 11, 16, 0, 4294967295u };
	int bad = 0;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		bad += !imap_seqset_contains(&set, in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		bad += imap_seqset_contains(&set, out[i]);
	is_int(bad, 0, "contains: each value in, each gap out");
	is_int((long long)imap_seqset_count(&set), 10, "count: 1 + 4 + 1 + 4");
	imap_seqset_reset(&set);
	is_int((long long)imap_seqset_count(&set), 0, "count of an empty set");
	ok(!imap_seqset_contains(&set, 1), "an empty set contains nothing");

	struct imap_seqset big;
	imap_seqset_init(&big);
	big.ordered = true;
	for (int i = 0; i < 5; i++)
		imap_seqset_add(&big, 1, 4294967295u);
	is_int((long long)(imap_seqset_count(&big) / 5), 4294967295LL,
	       "count holds 5 full ranges in 64 bits");
	imap_seqset_release(&big);
}

static void test_add(void)
{
	imap_seqset_reset(&set);
	imap_seqset_add(&set, 10, 12);
	imap_seqset_add(&set, 1, 1);
	imap_seqset_add(&set, 20, 20);
	is_str(show(&set), "1 10-12 20", "add keeps ranges sorted");
	imap_seqset_add(&set, 13, 19);
	is_str(show(&set), "1 10-20", "add bridges two ranges it touches");
	imap_seqset_add(&set, 3, 2);
	is_str(show(&set), "1-3 10-20", "add merges an adjacent range given reversed");
	imap_seqset_add(&set, 5, 5);
	imap_seqset_add(&set, 7, 7);
	imap_seqset_add(&set, 4, 30);
	is_str(show(&set), "1-30", "add swallows ranges inside it");
	imap_seqset_add(&set, 0, 0);
	is_str(show(&set), "1-30", "0 is taken as 1");
	imap_seqset_add(&set, 4294967295u, 4294967295u);
	imap_seqset_add(&set, 4294967290u, 4294967294u);
	is_str(show(&set), "1-30 4294967290-4294967295", "add merges at the top value");

	imap_seqset_reset(&set);
	for (uint32_t v = 1; v <= 100000; v += 2)
		imap_seqset_add(&set, v, v);
	is_int((long long)set.n, 50000, "ascending adds of odd values stay apart");
	for (uint32_t v = 2; v <= 100000; v += 2)
		imap_seqset_add(&set, v, v);
	is_str(show(&set), "1-100000", "the even values fill the gaps into one range");
}

static const char *fmt(const struct imap_seqset *s, size_t *from, size_t max,
		       size_t *count_r)
{
	static struct buf b;
	buf_release(&b);
	buf_init(&b, 1 << 20);
	*count_r = imap_seqset_format(s, from, max, &b);
	return b.data;
}

static void test_format(void)
{
	size_t from = 0, k;

	P("1:3,7,9:12,4294967295", 0);
	is_str(fmt(&set, &from, 1000, &k), "1:3,7,9:12,4294967295", "format: shortest text");
	is_int((long long)k, 4, "format: 4 ranges written");
	is_int((long long)from, 4, "format: from advanced to the end");
	is_str(fmt(&set, &from, 1000, &k), "", "format at the end writes nothing");
	is_int((long long)k, 0, "and returns 0");

	/* "1:3" is 3 bytes, ",7" 2, ",9:12" 5; a new chunk has no comma. */
	from = 0;
	is_str(fmt(&set, &from, 5, &k), "1:3,7", "max_bytes exactly at a range's end");
	is_int((long long)from, 2, "from after the first chunk");
	from = 0;
	is_str(fmt(&set, &from, 4, &k), "1:3", "max_bytes one short of the next range");
	is_int((long long)k, 1, "one range written");
	from = 2;
	is_str(fmt(&set, &from, 4, &k), "9:12", "a chunk starts without a comma");
	is_str(fmt(&set, &from, 9, &k), "", "a range longer than max_bytes is not cut");
	is_int((long long)k, 0, "and 0 is returned");
	is_int((long long)from, 3, "from stays");
	is_str(fmt(&set, &from, 10, &k), "4294967295", "it fits in exactly its length");

	P("4294967294:4294967295", 0);
	from = 0;
	is_str(fmt(&set, &from, IMAP_SEQSET_RANGE_TEXT_MAX, &k),
	       "4294967294:4294967295", "the longest range fits in IMAP_SEQSET_RANGE_TEXT_MAX");

	struct buf cmd;
	buf_init(&cmd, 14);
	if (buf_append_str(&cmd, "UID ") < 0)
		abort();
	P("1:3,7,9:12,20", 0);
	from = 0;
	k = imap_seqset_format(&set, &from, 1000, &cmd);
	is_str(cmd.data, "UID 1:3,7,9:12", "format appends, up to out's maximum");
	is_int((long long)k, 3, "and counts only the ranges that fitted");
	k = imap_seqset_format(&set, &from, 1000, &cmd);
	is_int((long long)k, 0, "a full out takes nothing");
	is_str(cmd.data, "UID 1:3,7,9:12", "and is left unchanged");
	buf_release(&cmd);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t random_value(void)
{
	switch (rng() % 3) {
	case 0:
		return 1 + rng() % 100;
	case 1:
		return 4294967295u - rng() % 100;
	default:
		return 1 + rng() % 4294967295u;
	}
}

/* Formats s in chunks of at most max bytes and parses the chunks back
 * into one set; returns whether it equals s and every chunk kept to max. */
static bool chunked_round_trip(const struct imap_seqset *s, size_t max)
{
	struct imap_seqset back, part;
	struct buf text;
	bool good = true;

	imap_seqset_init(&back);
	imap_seqset_init(&part);
	buf_init(&text, 1 << 20);
	for (size_t from = 0; good && from < s->n;) {
		buf_reset(&text);
		good = imap_seqset_format(s, &from, max, &text) > 0 && text.len <= max &&
		       imap_seqset_parse(&part, text.data, text.len, 0, 0, &e) == 0;
		for (size_t i = 0; good && i < part.n; i++)
			imap_seqset_add(&back, part.r[i].lo, part.r[i].hi);
	}
	good = good && imap_seqset_equal(&back, s);
	imap_seqset_release(&back);
	imap_seqset_release(&part);
	buf_release(&text);
	return good;
}

static void test_random_round_trips(void)
{
	int bad = 0, bad_chunked = 0, bad_count = 0;
	struct imap_seqset s, back;
	struct buf text;

	imap_seqset_init(&s);
	imap_seqset_init(&back);
	buf_init(&text, 1 << 20);
	for (int round = 0; round < 2000; round++) {
		imap_seqset_reset(&s);
		size_t n = 1 + rng() % 60;
		for (size_t i = 0; i < n; i++) {
			uint32_t lo = random_value();
			uint32_t hi = rng() % 2 ? lo : lo + rng() % 50;
			imap_seqset_add(&s, lo, hi < lo ? lo : hi);
		}
		size_t from = 0;
		buf_reset(&text);
		if (imap_seqset_format(&s, &from, SIZE_MAX, &text) != s.n ||
		    imap_seqset_parse(&back, text.data, text.len, 0, 0, &e) != 0 ||
		    !imap_seqset_equal(&back, &s)) {
			diag("round trip failed: \"%s\"", text.data);
			bad++;
		}
		if (!chunked_round_trip(&s, IMAP_SEQSET_RANGE_TEXT_MAX + rng() % 200))
			bad_chunked++;
		uint64_t walked = 0;
		size_t pos = 0;
		uint32_t v = 0, prev = 0;
		if (imap_seqset_count(&s) < 100000) {
			while (imap_seqset_next(&s, &pos, &v)) {
				if (walked > 0 && v <= prev)
					bad_count++;
				prev = v;
				walked++;
			}
			bad_count += walked != imap_seqset_count(&s);
		}
	}
	is_int(bad, 0, "parse(format(set)) == set for 2000 random sets");
	is_int(bad_chunked, 0, "chunks of random max_bytes each fit and rebuild the set");
	is_int(bad_count, 0, "the walk is strictly ascending and as long as count");
	imap_seqset_release(&s);
	imap_seqset_release(&back);
	buf_release(&text);
}

/* Fed one byte at a time: each prefix of a valid set parses exactly when
 * it does not end in ":" or "," (and is not empty). */
static void test_prefixes(void)
{
	static const char *texts[] = {
		"1:3,7,9:*", "4294967295:1,22,333:4444", "*:4,5:7", "12,10:11",
	};
	int bad = 0;
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		size_t len = strlen(texts[t]);
		for (size_t k = 0; k <= len; k++) {
			bool want = k > 0 && texts[t][k - 1] != ':' && texts[t][k - 1] != ',';
			err_init(&e);
			rc = imap_seqset_parse(&set, texts[t], k, 50, 0, &e);
			if ((rc == 0) != want) {
				diag("prefix %zu of \"%s\": rc %d", k, texts[t], rc);
				bad++;
			}
		}
	}
	is_int(bad, 0, "every prefix parses exactly when it ends in a number or \"*\"");
}

int main(void)
{
	imap_seqset_init(&set);
	test_forms();
	test_errors();
	test_cap();
	test_ordered();
	test_iterate();
	test_contains_count();
	test_add();
	test_format();
	test_random_round_trips();
	test_prefixes();
	imap_seqset_release(&set);
	return done_testing();
}
