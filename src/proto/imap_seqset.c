/* imap_seqset: IMAP sequence sets and UID sets (RFC 9051 s9). */
#include "config.h"

#include "imap_seqset.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"

void imap_seqset_init(struct imap_seqset *s)
{
	memset(s, 0, sizeof(*s));
}

void imap_seqset_release(struct imap_seqset *s)
{
	free(s->r);
	imap_seqset_init(s);
}

void imap_seqset_reset(struct imap_seqset *s)
{
	s->n = 0;
	s->ordered = false;
}

static void push(struct imap_seqset *s, uint32_t lo, uint32_t hi)
{
	if (s->n == s->cap)
		s->r = xgrow(s->r, &s->cap, s->n + 1, sizeof(*s->r));
	s->r[s->n].lo = lo;
	s->r[s->n].hi = hi;
	s->n++;
}

/* ---- parsing ---- */

/* nz-number / "*" at text[*i..len), advancing *i. */
static int seq_number(const char *text, size_t len, size_t *i, uint32_t star,
		      uint32_t *v_r, struct err *e)
{
	uint64_t v = 0;
	size_t start = *i;

	if (*i < len && text[*i] == '*') {
		if (star == 0)
			return err_set(e, ERR_FOLDER, ERR_PARSE,
				       _("IMAP: \"*\" in a sequence set where it has no value"));
		(*i)++;
		*v_r = star;
		return 0;
	}
	if (*i == len || text[*i] < '1' || text[*i] > '9')
		return err_set(e, ERR_FOLDER, ERR_PARSE,
			       _("IMAP: sequence set: a number expected at byte %zu"),
			       start + 1);
	while (*i < len && text[*i] >= '0' && text[*i] <= '9') {
		v = v * 10 + (uint64_t)(text[*i] - '0');
		if (v > UINT32_MAX)
			return err_set(e, ERR_FOLDER, ERR_PARSE,
				       _("IMAP: sequence set: number too large at byte %zu"),
				       start + 1);
		(*i)++;
	}
	*v_r = (uint32_t)v;
	return 0;
}

/* Reads every element of the text into s, in the text's order. */
static int parse_elements(struct imap_seqset *s, const char *text, size_t len,
			  uint32_t star, size_t max_ranges, struct err *e)
{
	size_t i = 0;

	if (max_ranges == 0)
		max_ranges = IMAP_SEQSET_RANGES_MAX;
	for (;;) {
		uint32_t lo, hi;
		if (s->n == max_ranges)
			return err_set(e, ERR_FOLDER, ERR_LIMIT,
				       _("IMAP: sequence set of more than %zu elements"),
				       max_ranges);
		if (seq_number(text, len, &i, star, &lo, e) < 0)
			return -1;
		hi = lo;
		if (i < len && text[i] == ':') {
			i++;
			if (seq_number(text, len, &i, star, &hi, e) < 0)
				return -1;
		}
		/* "4:2" is 2,3,4 (RFC 9051 s9 seq-range) */
		push(s, lo < hi ? lo : hi, lo < hi ? hi : lo);
		if (i == len)
			return 0;
		if (text[i] != ',')
			return err_set(e, ERR_FOLDER, ERR_PARSE,
				       _("IMAP: sequence set: unexpected byte at %zu"),
				       i + 1);
		i++;
	}
}

static int by_lo(const void *a, const void *b)
{
	const struct imap_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorts s and merges overlapping and adjacent ranges, in place. */
static void normalise(struct imap_seqset *s)
{
	size_t k = 0;

	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(*s->r), by_lo);
	for (size_t i = 1; i < s->n; i++) {
		struct imap_range *last = &s->r[k];
		if ((uint64_t)s->r[i].lo <= (uint64_t)last->hi + 1) {
			if (s->r[i].hi > last->hi)
				last->hi = s->r[i].hi;
		} else {
			s->r[++k] = s->r[i];
		}
	}
	s->n = k + 1;
}

static int parse(struct imap_seqset *s, const char *text, size_t len,
		 uint32_t star, size_t max_ranges, bool ordered, struct err *e)
{
	imap_seqset_reset(s);
	if (parse_elements(s, text, len, star, max_ranges, e) < 0) {
		imap_seqset_reset(s);
		return -1;
	}
	s->ordered = ordered;
	if (!ordered)
		normalise(s);
	return 0;
}

int imap_seqset_parse(struct imap_seqset *s, const char *text, size_t len,
		      uint32_t star, size_t max_ranges, struct err *e)
{
	return parse(s, text, len, star, max_ranges, false, e);
}

int imap_seqset_parse_ordered(struct imap_seqset *s, const char *text,
			      size_t len, uint32_t star, size_t max_ranges,
			      struct err *e)
{
	return parse(s, text, len, star, max_ranges, true, e);
}

/* ---- queries ---- */

bool imap_seqset_contains(const struct imap_seqset *s, uint32_t v)
{
	if (s->ordered) {
		for (size_t i = 0; i < s->n; i++)
			if (s->r[i].lo <= v && v <= s->r[i].hi)
				return true;
		return false;
	}
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v < s->r[mid].lo)
			hi = mid;
		else if (v > s->r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

uint64_t imap_seqset_count(const struct imap_seqset *s)
{
	uint64_t total = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t k = (uint64_t)s->r[i].hi - s->r[i].lo + 1;
		if (total > UINT64_MAX - k)
			return UINT64_MAX;
		total += k;
	}
	return total;
}

bool imap_seqset_equal(const struct imap_seqset *a, const struct imap_seqset *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->r[i].lo != b->r[i].lo || a->r[i].hi != b->r[i].hi)
			return false;
	return true;
}

/* *pos_r is 0 before the first value, then 1 + the index of the range
 * that *v_r came from. */
bool imap_seqset_next(const struct imap_seqset *s, size_t *pos_r,
		      uint32_t *v_r)
{
	size_t i;

	if (*pos_r == 0) {
		i = 0;
	} else {
		i = *pos_r - 1;
		if (i >= s->n)
			return false;
		if (*v_r < s->r[i].hi) {
			(*v_r)++;
			return true;
		}
		i++;
	}
	if (i >= s->n) {
		*pos_r = s->n + 1;
		return false;
	}
	*pos_r = i + 1;
	*v_r = s->r[i].lo;
	return true;
}

/* ---- building ---- */

/* The first range of the sorted s that ends at or after v - 1 (v >= 1). */
static size_t first_touching(const struct imap_seqset *s, uint32_t v)
{
	size_t lo = 0, hi = s->n;
	if (s->n > 0 && s->r[s->n - 1].hi < v - 1)
		return s->n; /* the common case: values added in order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->r[mid].hi < v - 1)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void imap_seqset_add(struct imap_seqset *s, uint32_t lo, uint32_t hi)
{
	if (lo > hi) {
		uint32_t t = lo;
		lo = hi;
		hi = t;
	}
	if (lo == 0)
		lo = 1;
	if (hi == 0)
		hi = 1;
	if (s->ordered) {
		push(s, lo, hi);
		return;
	}
	size_t i = first_touching(s, lo), j = i;
	while (j < s->n && (uint64_t)s->r[j].lo <= (uint64_t)hi + 1) {
		if (s->r[j].lo < lo)
			lo = s->r[j].lo;
		if (s->r[j].hi > hi)
			hi = s->r[j].hi;
		j++;
	}
	if (j == i) {
		push(s, lo, hi); /* room for one more; then move it into place */
		memmove(&s->r[i + 1], &s->r[i], (s->n - 1 - i) * sizeof(*s->r));
	} else {
		memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof(*s->r));
		s->n -= j - i - 1;
	}
	s->r[i].lo = lo;
	s->r[i].hi = hi;
}

/* ---- formatting ---- */

/* Writes v in decimal at p (room for 10 digits); returns the length. */
static size_t decimal(uint32_t v, char *p)
{
	char rev[10];
	size_t n = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t k = 0; k < n; k++)
		p[k] = rev[n - 1 - k];
	return n;
}

/* The text of r, with a leading comma if comma; returns its length. */
static size_t range_text(const struct imap_range *r, bool comma,
			 char text[IMAP_SEQSET_RANGE_TEXT_MAX + 1])
{
	size_t n = 0;
	if (comma)
		text[n++] = ',';
	n += decimal(r->lo, text + n);
	if (r->hi != r->lo) {
		text[n++] = ':';
		n += decimal(r->hi, text + n);
	}
	return n;
}

size_t imap_seqset_format(const struct imap_seqset *s, size_t *from,
			  size_t max_bytes, struct buf *out)
{
	size_t written = 0, used = 0;

	while (*from < s->n) {
		char text[IMAP_SEQSET_RANGE_TEXT_MAX + 1];
		size_t n = range_text(&s->r[*from], written > 0, text);
		if (used + n > max_bytes || buf_append(out, text, n) < 0)
			break;
		used += n;
		written++;
		(*from)++;
	}
	return written;
}
