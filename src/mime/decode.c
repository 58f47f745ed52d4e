#include "config.h"

#include "decode.h"

#include <string.h>

#include "str.h"

/* Decoded bytes are gathered here and appended to the caller's buffer in
 * blocks, so that the per-byte work is a store, not a function call. */
struct sink {
	struct decoder *d;
	struct buf *out;
	size_t n;
	char b[2048];
};

enum qp_state { QP_TEXT, QP_EQ, QP_HEX1 };

static void sink_flush(struct sink *s)
{
	struct buf *out = s->out;
	size_t n = s->n;

	s->n = 0;
	if (s->d->full || n == 0)
		return;
	if (n > out->max - out->len) {
		n = out->max - out->len;
		s->d->full = true;
	}
	if (buf_append(out, s->b, n) < 0)
		s->d->full = true;
}

static inline void sink_put(struct sink *s, char c)
{
	if (s->n == sizeof(s->b))
		sink_flush(s);
	s->b[s->n++] = c;
}

static void sink_put_n(struct sink *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink_put(s, p[i]);
}

static int sink_end(struct sink *s)
{
	sink_flush(s);
	return s->d->full ? -1 : 0;
}

int decode_kind_from_name(const char *name, enum decode_kind *kind_r)
{
	static const struct {
		const char *name;
		enum decode_kind kind;
	} names[] = {
		{ "7bit", DECODE_IDENTITY },
		{ "8bit", DECODE_IDENTITY },
		{ "binary", DECODE_IDENTITY },
		{ "quoted-printable", DECODE_QP },
		{ "base64", DECODE_BASE64 },
		{ "x-uuencode", DECODE_UUENCODE },
		{ "x-uue", DECODE_UUENCODE },
		{ "uuencode", DECODE_UUENCODE },
		{ "uue", DECODE_UUENCODE },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (str_eq_ci(name, names[i].name)) {
			*kind_r = names[i].kind;
			return 0;
		}
	}
	return -1;
}

void decoder_init(struct decoder *d, enum decode_kind kind)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
}

size_t decoder_garbage(const struct decoder *d)
{
	return d->garbage;
}

/* ------------------------------------------------------ quoted-printable */

static bool qp_is_trailer(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Holds back a blank that may turn out to be trailing.  When the hold is
 * full its older half is let through: such a run is kept in part. */
static void qp_hold(struct decoder *d, struct sink *s, char c)
{
	if (d->hold_len == DECODE_QP_HOLD_MAX) {
		size_t half = DECODE_QP_HOLD_MAX / 2;
		sink_put_n(s, d->hold, half);
		memmove(d->hold, d->hold + half, d->hold_len - half);
		d->hold_len -= half;
	}
	d->hold[d->hold_len++] = c;
}

static void qp_release(struct decoder *d, struct sink *s)
{
	sink_put_n(s, d->hold, d->hold_len);
	d->hold_len = 0;
}

static void qp_text(struct decoder *d, struct sink *s, unsigned char c)
{
	if (c == '\n') {
		d->hold_len = 0; /* rule (3): trailing blanks are deleted */
		sink_put(s, '\n');
	} else if (qp_is_trailer(c)) {
		qp_hold(d, s, (char)c);
	} else {
		qp_release(d, s);
		if (c == '=')
			d->state = QP_EQ;
		else
			sink_put(s, (char)c);
	}
}

/* After "=": a line end (maybe after blanks) is a soft break, a hex digit
 * may start an octet; anything else makes the "=" literal. */
static void qp_eq(struct decoder *d, struct sink *s, unsigned char c)
{
	if (c == '\n') {
		d->hold_len = 0;
		d->state = QP_TEXT;
		return;
	}
	if (qp_is_trailer(c) && d->hold_len < DECODE_QP_HOLD_MAX) {
		d->hold[d->hold_len++] = (char)c;
		return;
	}
	if (d->hold_len == 0 && str_hex_value(c) >= 0) {
		d->acc = c;
		d->state = QP_HEX1;
		return;
	}
	d->garbage++;
	sink_put(s, '=');
	qp_release(d, s);
	d->state = QP_TEXT;
	qp_text(d, s, c);
}

static void qp_hex1(struct decoder *d, struct sink *s, unsigned char c)
{
	int lo = str_hex_value(c);

	d->state = QP_TEXT;
	if (lo >= 0) {
		sink_put(s, (char)(str_hex_value((unsigned char)d->acc) << 4 | lo));
		return;
	}
	d->garbage++;
	sink_put(s, '=');
	sink_put(s, (char)d->acc);
	qp_text(d, s, c);
}

static void qp_feed(struct decoder *d, struct sink *s,
		    const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		switch (d->state) {
		case QP_TEXT:
			/* The common case: a plain byte with nothing held. */
			if (c != '=' && c != '\n' && !qp_is_trailer(c) &&
			    d->hold_len == 0)
				sink_put(s, (char)c);
			else
				qp_text(d, s, c);
			break;
		case QP_EQ:
			qp_eq(d, s, c);
			break;
		default:
			qp_hex1(d, s, c);
			break;
		}
	}
}

static void qp_finish(struct decoder *d, struct sink *s)
{
	/* Trailing blanks of the last line are deleted like any others, and
	 * a lone "=" at the end (§6.7: never the last character) dropped. */
	if (d->state == QP_HEX1) {
		d->garbage++;
		sink_put(s, '=');
		sink_put(s, (char)d->acc);
	}
	d->hold_len = 0;
	d->state = QP_TEXT;
}

/* ---------------------------------------------------------------- base64 */

/* -1: garbage, -2: whitespace, -3: padding, else the sextet. */
static const signed char b64_table[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -2, -2, -2, -2, -2, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -3, -1, -1,
	-1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* Emits the bytes of a partial group of 2 or 3 sextets; a lone sextet
 * carries too few bits for a byte and is garbage. */
static void b64_partial(struct decoder *d, struct sink *s)
{
	if (d->nacc == 2) {
		sink_put(s, (char)(d->acc >> 4));
	} else if (d->nacc == 3) {
		sink_put(s, (char)(d->acc >> 10));
		sink_put(s, (char)(d->acc >> 2));
	} else if (d->nacc == 1) {
		d->garbage++;
	}
	d->acc = 0;
	d->nacc = 0;
}

static void b64_pad(struct decoder *d, struct sink *s)
{
	if (d->pad > 0) {
		d->pad--;
	} else if (d->nacc >= 2) {
		d->pad = d->nacc == 2 ? 1 : 0;
		b64_partial(d, s);
	} else {
		d->garbage++;
		b64_partial(d, s);
	}
}

static void b64_feed(struct decoder *d, struct sink *s,
		     const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int v = b64_table[p[i]];
		if (v >= 0) {
			d->pad = 0; /* a new block after padding */
			d->acc = d->acc << 6 | (unsigned)v;
			if (++d->nacc == 4) {
				sink_put(s, (char)(d->acc >> 16));
				sink_put(s, (char)(d->acc >> 8));
				sink_put(s, (char)d->acc);
				d->acc = 0;
				d->nacc = 0;
			}
		} else if (v == -3) {
			b64_pad(d, s);
		} else if (v == -1) {
			d->garbage++;
		}
	}
}

/* -------------------------------------------------------------- uuencode */

enum uu_state { UU_DATA, UU_DONE };

#define UU_CHAR_OK(c) ((c) >= 0x20 && (c) <= 0x60)
#define UU_VAL(c) (((unsigned)(c) - 0x20) & 0x3f)

static bool line_is_word(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len < n || memcmp(p, word, n) != 0)
		return false;
	for (size_t i = n; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Bytes that k characters of a line can encode. */
static size_t uu_capacity(size_t k)
{
	return k / 4 * 3 + (k % 4 >= 2 ? k % 4 - 1 : 0);
}

/* Emits the first want bytes that the characters q[] encode; the caller
 * made sure that the characters they need are there. */
static void uu_emit(struct sink *s, const unsigned char *q, size_t want)
{
	for (size_t i = 0; i < want; i += 3, q += 4) {
		unsigned c0 = UU_VAL(q[0]), c1 = UU_VAL(q[1]);
		sink_put(s, (char)(c0 << 2 | c1 >> 4));
		if (i + 1 < want)
			sink_put(s, (char)(c1 << 4 | UU_VAL(q[2]) >> 2));
		if (i + 2 < want)
			sink_put(s, (char)(UU_VAL(q[2]) << 6 | UU_VAL(q[3])));
	}
}

static void uu_line(struct decoder *d, struct sink *s,
		    const unsigned char *p, size_t len)
{
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (len == 0 || (len >= 6 && memcmp(p, "begin", 5) == 0 &&
			 (p[5] == ' ' || p[5] == '\t')))
		return;
	if (line_is_word((const char *)p, len, "end")) {
		d->state = UU_DONE;
		return;
	}
	if (!UU_CHAR_OK(p[0])) {
		d->garbage += len;
		return;
	}
	size_t want = UU_VAL(p[0]), k = 0;
	while (1 + k < len && UU_CHAR_OK(p[1 + k]))
		k++;
	size_t have = uu_capacity(k);
	if (want > have) {
		d->garbage += want - have;
		want = have;
	}
	uu_emit(s, p + 1, want);
}

static void uu_feed(struct decoder *d, struct sink *s,
		    const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len && d->state != UU_DONE; i++) {
		if (p[i] == '\n') {
			if (d->hold_len <= DECODE_UU_LINE_MAX)
				uu_line(d, s, (const unsigned char *)d->hold,
					d->hold_len);
			else
				d->garbage += d->hold_len;
			d->hold_len = 0;
		} else if (d->hold_len < DECODE_UU_LINE_MAX) {
			d->hold[d->hold_len++] = (char)p[i];
		} else if (d->hold_len < (size_t)-1) {
			d->hold_len++; /* too long: only counted */
		}
	}
}

static void uu_finish(struct decoder *d, struct sink *s)
{
	if (d->state != UU_DONE && d->hold_len > 0)
		uu_feed(d, s, (const unsigned char *)"\n", 1);
	d->hold_len = 0;
}

/* -------------------------------------------------------------- dispatch */

int decoder_feed(struct decoder *d, const char *in, size_t len,
		 struct buf *out)
{
	struct sink s = { .d = d, .out = out, .n = 0 };
	const unsigned char *p = (const unsigned char *)in;

	if (d->full)
		return -1;
	switch (d->kind) {
	case DECODE_IDENTITY:
		if (len > out->max - out->len) {
			len = out->max - out->len;
			d->full = true;
		}
		if (buf_append(out, in, len) < 0)
			d->full = true;
		break;
	case DECODE_QP:
		qp_feed(d, &s, p, len);
		break;
	case DECODE_BASE64:
		b64_feed(d, &s, p, len);
		break;
	case DECODE_UUENCODE:
		uu_feed(d, &s, p, len);
		break;
	}
	return sink_end(&s);
}

int decoder_finish(struct decoder *d, struct buf *out)
{
	struct sink s = { .d = d, .out = out, .n = 0 };

	if (d->full)
		return -1;
	switch (d->kind) {
	case DECODE_IDENTITY:
		break;
	case DECODE_QP:
		qp_finish(d, &s);
		break;
	case DECODE_BASE64:
		b64_partial(d, &s);
		break;
	case DECODE_UUENCODE:
		uu_finish(d, &s);
		break;
	}
	return sink_end(&s);
}

int decode_all(enum decode_kind kind, const char *in, size_t len,
	       struct buf *out, size_t *garbage_r)
{
	struct decoder d;

	decoder_init(&d, kind);
	int rc = decoder_feed(&d, in, len, out);
	if (rc == 0)
		rc = decoder_finish(&d, out);
	if (garbage_r != NULL)
		*garbage_r = d.garbage;
	return rc;
}

/* ------------------------------------------------------- finding uu files */

struct line {
	const char *p;
	size_t len;  /* without the line break (LF or CRLF) */
	size_t next; /* offset of the following line */
};

static bool next_line(const char *text, size_t len, size_t at,
		      struct line *l)
{
	if (at >= len)
		return false;
	const char *lf = memchr(text + at, '\n', len - at);
	size_t end = lf ? (size_t)(lf - text) : len;
	l->p = text + at;
	l->next = lf ? end + 1 : len;
	if (end > at && text[end - 1] == '\r')
		end--;
	l->len = end - at;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "begin" blanks MODE blanks NAME [blanks]. */
static bool uu_begin_line(const struct line *l, const char *text,
			  struct uu_block *b)
{
	const char *p = l->p, *end = l->p + l->len;
	size_t digits = 0;

	if (l->len < 6 || memcmp(p, "begin", 5) != 0 || !is_blank(p[5]))
		return false;
	for (p += 5; p < end && is_blank(*p); p++)
		;
	for (b->mode = 0; p < end && *p >= '0' && *p <= '7'; p++, digits++)
		b->mode = b->mode << 3 | (unsigned)(*p - '0');
	if (digits == 0 || digits > 4 || p == end || !is_blank(*p))
		return false;
	while (p < end && is_blank(*p))
		p++;
	while (end > p && is_blank(end[-1]))
		end--;
	if (p == end)
		return false;
	b->name = (size_t)(p - text);
	b->name_len = (size_t)(end - p);
	return true;
}

/* A data line: its characters fit the count its length character gives
 * (a final partial group may be short; up to two extra characters, as
 * some encoders append a checksum). */
static bool uu_data_line(const struct line *l)
{
	if (l->len == 0)
		return true;
	for (size_t i = 0; i < l->len; i++)
		if (!UU_CHAR_OK((unsigned char)l->p[i]))
			return false;
	size_t n = UU_VAL(l->p[0]), k = l->len - 1;
	return k >= (4 * n + 2) / 3 && k <= (n + 2) / 3 * 4 + 2;
}

/* Checks the lines after a begin line; on success fills the rest of b. */
static bool uu_body(const char *text, size_t len, size_t at,
		    struct uu_block *b, size_t *resume_r)
{
	struct line l;

	b->data = at;
	while (next_line(text, len, at, &l)) {
		if (line_is_word(l.p, l.len, "end")) {
			b->data_len = at - b->data;
			b->end = l.next;
			return true;
		}
		if (!uu_data_line(&l))
			break;
		at = l.next;
	}
	*resume_r = at;
	return false;
}

int uu_find(const char *text, size_t len, struct uu_block *blocks,
	    size_t max, size_t *n_r)
{
	size_t at = 0, n = 0;
	struct line l;

	while (next_line(text, len, at, &l)) {
		struct uu_block b;
		size_t resume;
		b.start = at;
		if (!uu_begin_line(&l, text, &b)) {
			at = l.next;
			continue;
		}
		if (!uu_body(text, len, l.next, &b, &resume)) {
			/* No line up to resume can begin a file: a begin
			 * line is never a valid data line. */
			at = resume;
			continue;
		}
		if (n == max) {
			*n_r = n;
			return 1;
		}
		blocks[n++] = b;
		at = b.end;
	}
	*n_r = n;
	return 0;
}
