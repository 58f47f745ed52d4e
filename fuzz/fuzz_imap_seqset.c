/* Fuzz target: IMAP sequence sets (src/proto/imap_seqset.c).
 *
 * Input: byte 0 chooses star (bits 0-1: 0, 15, 4294967295, 1000000) and
 * max_ranges (bits 2-3: 0 for the default, 1, 8, 64); bits 4-7 add to the
 * chunk size for formatting; the rest is the text, parsed both sorted and
 * ordered.
 *
 * Invariants (__builtin_trap): a failed parse leaves the set empty with
 * ERR_PARSE or ERR_LIMIT and a message; a sorted set is ascending, its
 * ranges disjoint and not adjacent, every value >= 1, no more ranges than
 * max_ranges; the ordered parse succeeds exactly when the sorted one
 * does, has as many ranges as elements written, and adding its ranges to
 * an empty sorted set gives the sorted parse; format then parse gives the
 * same set, whole or in chunks (each within its max_bytes); contains()
 * agrees with the ranges' edges; for small sets the walk is as long as
 * count() and (sorted) strictly ascending. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "imap_seqset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_failed(const struct imap_seqset *s, const struct err *e)
{
	if (s->n != 0 || (e->code != ERR_PARSE && e->code != ERR_LIMIT) ||
	    e->msg[0] == '\0' || memchr(e->msg, '\0', sizeof(e->msg)) == NULL)
		__builtin_trap();
}

static void check_sorted(const struct imap_seqset *s, size_t max_ranges)
{
	if (s->n > max_ranges || s->ordered)
		__builtin_trap();
	for (size_t i = 0; i < s->n; i++) {
		const struct imap_range *r = &s->r[i];
		if (r->lo == 0 || r->lo > r->hi)
			__builtin_trap();
		if (i > 0 && (uint64_t)s->r[i - 1].hi + 1 >= r->lo)
			__builtin_trap();
		if (!imap_seqset_contains(s, r->lo) || !imap_seqset_contains(s, r->hi))
			__builtin_trap();
		if (r->lo > 1 && imap_seqset_contains(s, r->lo - 1))
			__builtin_trap();
		if (r->hi < UINT32_MAX && imap_seqset_contains(s, r->hi + 1))
			__builtin_trap();
	}
}

static void check_walk(const struct imap_seqset *s)
{
	uint64_t count = imap_seqset_count(s), walked = 0;
	size_t pos = 0;
	uint32_t v = 0, prev = 0;

	if (count > 100000)
		return;
	while (imap_seqset_next(s, &pos, &v)) {
		if (!s->ordered && walked > 0 && v <= prev)
			__builtin_trap();
		if (!imap_seqset_contains(s, v))
			__builtin_trap();
		prev = v;
		walked++;
	}
	if (walked != count || imap_seqset_next(s, &pos, &v))
		__builtin_trap();
}

/* Formats s in chunks of at most max bytes and parses each back. */
static void check_format(const struct imap_seqset *s, size_t max)
{
	struct imap_seqset back, part;
	struct buf text;
	struct err e;

	imap_seqset_init(&back);
	imap_seqset_init(&part);
	back.ordered = s->ordered;
	buf_init(&text, 1 << 22);
	err_init(&e);
	for (size_t from = 0; from < s->n;) {
		buf_reset(&text);
		if (imap_seqset_format(s, &from, max, &text) == 0 || text.len > max)
			__builtin_trap();
		if (imap_seqset_parse_ordered(&part, text.data, text.len, 0, 0, &e) != 0)
			__builtin_trap();
		for (size_t i = 0; i < part.n; i++)
			imap_seqset_add(&back, part.r[i].lo, part.r[i].hi);
	}
	if (!imap_seqset_equal(&back, s))
		__builtin_trap();
	imap_seqset_release(&back);
	imap_seqset_release(&part);
	buf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t stars[] = { 0, 15, UINT32_MAX, 1000000 };
	static const size_t caps[] = { 0, 1, 8, 64 };
	struct imap_seqset sorted, ordered, rebuilt;
	struct err e1, e2;

	if (size < 1)
		return 0;
	uint32_t star = stars[data[0] & 3];
	size_t max_ranges = caps[(data[0] >> 2) & 3];
	size_t chunk = IMAP_SEQSET_RANGE_TEXT_MAX + (size_t)(data[0] >> 4) * 7;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	imap_seqset_init(&sorted);
	imap_seqset_init(&ordered);
	imap_seqset_init(&rebuilt);
	err_init(&e1);
	err_init(&e2);
	int rc1 = imap_seqset_parse(&sorted, text, len, star, max_ranges, &e1);
	int rc2 = imap_seqset_parse_ordered(&ordered, text, len, star, max_ranges, &e2);
	if (rc1 != rc2)
		__builtin_trap();
	if (rc1 != 0) {
		check_failed(&sorted, &e1);
		check_failed(&ordered, &e2);
	} else {
		size_t cap = max_ranges ? max_ranges : IMAP_SEQSET_RANGES_MAX;
		check_sorted(&sorted, cap);
		size_t elements = 1;
		for (size_t i = 0; i < len; i++)
			elements += text[i] == ',';
		if (!ordered.ordered || ordered.n != elements || ordered.n > cap)
			__builtin_trap();
		for (size_t i = 0; i < ordered.n; i++)
			imap_seqset_add(&rebuilt, ordered.r[i].lo, ordered.r[i].hi);
		if (!imap_seqset_equal(&rebuilt, &sorted))
			__builtin_trap();
		check_walk(&sorted);
		check_walk(&ordered);
		check_format(&sorted, SIZE_MAX);
		check_format(&sorted, chunk);
		check_format(&ordered, chunk);
	}
	imap_seqset_release(&sorted);
	imap_seqset_release(&ordered);
	imap_seqset_release(&rebuilt);
	return 0;
}
