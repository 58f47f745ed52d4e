/* imap_utf7: folder names in modified UTF-7 (RFC 3501 s5.1.3) and UTF-8. */
#include "config.h"

#include "imap_utf7.h"

#include <stdint.h>
#include <string.h>

#include "sanitize.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* The characters that must stand for themselves (RFC 3501 s5.1.3). */
static bool is_direct(unsigned cp)
{
	return cp >= 0x20 && cp <= 0x7e;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

/* The code point at s[0..len): its length, or 0 if the bytes are not
 * valid UTF-8. */
static size_t utf8_next(const char *s, size_t len, unsigned *cp_r)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*cp_r = u[0];
		return 1;
	}
	size_t k = utf8_decode(u, len, cp_r);
	return k == 1 ? 0 : k;
}

bool imap_utf7_name_valid(const char *in, size_t len)
{
	if (len > IMAP_UTF7_NAME_MAX || memchr(in, '\0', len) != NULL)
		return false;
	for (size_t i = 0, k; i < len; i += k) {
		unsigned cp;
		if ((k = utf8_next(in + i, len - i, &cp)) == 0)
			return false;
	}
	return true;
}

/* ---- decoding ---- */

/* Appends what a refused name may be shown as (see the header). */
static void append_escaped(const char *in, size_t len, struct buf *out)
{
	size_t start = out->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		char hex[5];
		int rc;
		if (out->len - start + 4 > IMAP_UTF7_NAME_MAX) {
			buf_cut_ok(buf_append(out, "...", 3));
			return;
		}
		if (is_direct(c)) {
			rc = buf_append_char(out, (char)c);
		} else {
			hex[0] = '\\';
			hex[1] = 'x';
			hex[2] = "0123456789abcdef"[c >> 4];
			hex[3] = "0123456789abcdef"[c & 15];
			rc = buf_append(out, hex, 4);
		}
		if (rc < 0)
			return; /* out is full: a shorter form is all it holds */
	}
}

struct decoder {
	struct buf *out;
	size_t start;       /* out->len before the name */
	unsigned high;      /* a high surrogate waiting for its pair, or 0 */
};

static int decoded_too_long(const struct decoder *d)
{
	return d->out->len - d->start > IMAP_UTF7_NAME_MAX ? -1 : 0;
}

/* Takes one UTF-16 unit of a run. */
static int take_unit(struct decoder *d, unsigned u)
{
	unsigned cp;

	if (d->high != 0) {
		if (u < 0xDC00 || u > 0xDFFF)
			return -1;
		cp = 0x10000 + ((d->high - 0xD800) << 10) + (u - 0xDC00);
		d->high = 0;
	} else if (u >= 0xD800 && u <= 0xDBFF) {
		d->high = u;
		return 0;
	} else if (u >= 0xDC00 && u <= 0xDFFF) {
		return -1;
	} else {
		cp = u;
	}
	/* U+0000 would cut the name as a C string; printable ASCII encoded
	 * is a second spelling of a name (RFC 3501 s5.1.3 "MUST NOT"). */
	if (cp == 0 || is_direct(cp))
		return -1;
	if (utf8_append(d->out, cp) < 0)
		return -1;
	return decoded_too_long(d);
}

/* Decodes the run of base64 at in[*i..len), just past its "&", through
 * the "-" that ends it. */
static int decode_run(struct decoder *d, const char *in, size_t len, size_t *i)
{
	uint32_t bits = 0;     /* fewer than 16 pending bits, in the low end */
	unsigned nbits = 0;
	size_t units = 0, p;

	for (p = *i; p < len && in[p] != '-'; p++) {
		int v = b64_value((unsigned char)in[p]);
		if (v < 0)
			return -1;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits >= 16) {
			nbits -= 16;
			units++;
			if (take_unit(d, (bits >> nbits) & 0xFFFF) < 0)
				return -1;
			bits &= (1u << nbits) - 1;
		}
	}
	/* There is no implicit shift back; what is left over must be the
	 * zero bits that pad the last unit, fewer than one character. */
	if (p == len || units == 0 || nbits >= 6 || bits != 0 || d->high != 0)
		return -1;
	*i = p + 1;
	return 0;
}

/* The length of the run of direct characters other than "&" at in[i..). */
static size_t direct_span(const char *in, size_t len, size_t i)
{
	size_t k = i;
	while (k < len && in[k] != '&' && is_direct((unsigned char)in[k]))
		k++;
	return k - i;
}

static int decode_strict(const char *in, size_t len, struct buf *out)
{
	struct decoder d = { .out = out, .start = out->len };
	bool after_run = false;
	size_t i = 0;

	while (i < len) {
		size_t n = direct_span(in, len, i);
		if (n > 0) {
			if (buf_append(out, in + i, n) < 0 || decoded_too_long(&d) < 0)
				return -1;
			i += n;
			after_run = false;
		} else if (in[i] != '&') {
			return -1; /* an 8-bit byte or a raw control */
		} else if (i + 1 < len && in[i + 1] == '-') {
			if (buf_append_char(out, '&') < 0 || decoded_too_long(&d) < 0)
				return -1;
			i += 2;
			after_run = false;
		} else {
			/* "-&" in base64 is a null shift: one run, not two. */
			if (after_run)
				return -1;
			i++;
			if (decode_run(&d, in, len, &i) < 0)
				return -1;
			after_run = true;
		}
	}
	return 0;
}

int imap_utf7_decode(const char *in, size_t len, struct buf *out)
{
	size_t start = out->len;

	if (decode_strict(in, len, out) == 0)
		return 0;
	buf_truncate(out, start);
	append_escaped(in, len, out);
	return -1;
}

/* ---- encoding ---- */

struct encoder {
	struct buf *out;
	uint32_t bits;      /* fewer than 6 pending bits, in the low end */
	unsigned nbits;
	int rc;             /* -1 once an append failed */
};

static void put_unit(struct encoder *w, unsigned u)
{
	w->bits = (w->bits << 16) | u;
	w->nbits += 16;
	while (w->nbits >= 6) {
		w->nbits -= 6;
		if (buf_append_char(w->out, b64_alphabet[(w->bits >> w->nbits) & 63]) < 0)
			w->rc = -1;
	}
	w->bits &= (1u << w->nbits) - 1;
}

/* Encodes the characters at in[*i..len) up to the next direct one as one
 * run "&...-"; in is valid UTF-8. */
static int encode_run(const char *in, size_t len, size_t *i, struct buf *out)
{
	struct encoder w = { .out = out };

	if (buf_append_char(out, '&') < 0)
		return -1;
	while (*i < len && !is_direct((unsigned char)in[*i])) {
		unsigned cp;
		*i += utf8_next(in + *i, len - *i, &cp);
		if (cp >= 0x10000) {
			put_unit(&w, 0xD800 + ((cp - 0x10000) >> 10));
			put_unit(&w, 0xDC00 + ((cp - 0x10000) & 0x3FF));
		} else {
			put_unit(&w, cp);
		}
	}
	if (w.nbits > 0 &&
	    buf_append_char(out, b64_alphabet[(w.bits << (6 - w.nbits)) & 63]) < 0)
		return -1;
	if (buf_append_char(out, '-') < 0)
		return -1;
	return w.rc;
}

int imap_utf7_encode(const char *in, size_t len, struct buf *out)
{
	size_t start = out->len, i = 0;

	if (!imap_utf7_name_valid(in, len))
		return -1;
	while (i < len) {
		unsigned char c = (unsigned char)in[i];
		int rc;
		if (c == '&') {
			rc = buf_append(out, "&-", 2);
			i++;
		} else if (is_direct(c)) {
			size_t n = direct_span(in, len, i);
			rc = buf_append(out, in + i, n);
			i += n;
		} else {
			rc = encode_run(in, len, &i, out);
		}
		if (rc < 0) {
			buf_truncate(out, start);
			return -1;
		}
	}
	return 0;
}

/* ---- by connection mode ---- */

int imap_utf7_from_server(enum imap_name_mode mode, const char *in,
			  size_t len, struct buf *out)
{
	if (mode == IMAP_NAME_MUTF7)
		return imap_utf7_decode(in, len, out);
	if (imap_utf7_name_valid(in, len) && buf_append(out, in, len) == 0)
		return 0;
	append_escaped(in, len, out);
	return -1;
}

int imap_utf7_to_server(enum imap_name_mode mode, const char *in, size_t len,
			struct buf *out)
{
	if (mode == IMAP_NAME_MUTF7)
		return imap_utf7_encode(in, len, out);
	if (!imap_utf7_name_valid(in, len))
		return -1;
	return buf_append(out, in, len);
}
