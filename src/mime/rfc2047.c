#include "config.h"

#include "rfc2047.h"

#include <stdbool.h>
#include <string.h>

#include "charset.h"
#include "str.h"

#define CHARSET_MAX 64  /* a longer "charset" means this is no encoded word */

struct word {
	const char *charset; /* without the RFC 2231 "*language" */
	size_t charset_len;
	char encoding;       /* 'B' or 'Q' */
	const char *text;
	size_t text_len;
	size_t len;          /* of the whole word, "=?" to "?=" */
};

/* Adjacent encoded words of one charset, decoded but not yet converted:
 * their bytes are converted together, so a character split between two
 * words (as some mailers split UTF-8 and Shift_JIS) comes out whole. */
struct run {
	bool active;
	char charset[CHARSET_MAX + 1];
	struct buf raw;
};

static bool is_lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Bytes that cannot be in a charset or encoded-text: controls, space,
 * DEL and '?' (RFC 2047 §2).  8-bit bytes are tolerated in encoded-text,
 * where broken mailers put them, but not in a charset name. */
static bool is_word_byte(char c, bool in_charset)
{
	unsigned char u = (unsigned char)c;

	if (u <= 0x20 || u == 0x7F || c == '?')
		return false;
	return !(in_charset && u >= 0x80);
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool b64_is_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '=' && b64_value(s[i]) < 0)
			return false;
	}
	return true;
}

/* Parses an encoded word at p[0..len), which starts with "=?". */
static bool parse_word(const char *p, size_t len, struct word *w)
{
	size_t i = 2;
	const char *star;

	while (i < len && is_word_byte(p[i], true) && i - 2 < CHARSET_MAX)
		i++;
	if (i == 2 || i + 2 >= len || p[i] != '?' || p[i + 2] != '?')
		return false;
	w->charset = p + 2;
	w->charset_len = i - 2;
	star = memchr(w->charset, '*', w->charset_len);  /* RFC 2231 §5 */
	if (star != NULL)
		w->charset_len = (size_t)(star - w->charset);
	w->encoding = p[i + 1] == 'b' ? 'B' : p[i + 1] == 'q' ? 'Q' : p[i + 1];
	if (w->charset_len == 0 || (w->encoding != 'B' && w->encoding != 'Q'))
		return false;
	i += 3;
	w->text = p + i;
	while (i < len && is_word_byte(p[i], false))
		i++;
	if (i + 1 >= len || p[i] != '?' || p[i + 1] != '=')
		return false;
	w->text_len = (size_t)(p + i - w->text);
	w->len = i + 2;
	return w->encoding == 'Q' || b64_is_valid(w->text, w->text_len);
}

/* Base64 with missing padding decoded as far as the bits go; a '=' ends
 * a group of four and decoding goes on after it (words pasted together). */
static int decode_b(const char *s, size_t n, struct buf *raw)
{
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64_value(s[i]);
		if (v < 0) {
			acc = bits = 0;
			continue;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_append_char(raw, (char)((acc >> bits) & 0xFF)) < 0)
				return -1;
			acc &= (1u << bits) - 1;
		}
	}
	return 0;
}

/* Q (RFC 2047 §4.2): "_" is a space, "=XX" a byte (hex in either case);
 * a "=" not followed by two hex digits is kept as it is. */
static int decode_q(const char *s, size_t n, struct buf *raw)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < n && str_hex_value(s[i + 1]) >= 0 &&
			   str_hex_value(s[i + 2]) >= 0) {
			c = (char)(str_hex_value(s[i + 1]) * 16 + str_hex_value(s[i + 2]));
			i += 2;
		}
		if (buf_append_char(raw, c) < 0)
			return -1;
	}
	return 0;
}

static int run_flush(struct run *run, struct buf *out)
{
	int rc = 0;

	if (run->active)
		rc = charset_to_utf8(run->charset, run->raw.data, run->raw.len, out);
	run->active = false;
	buf_reset(&run->raw);
	return rc;
}

static bool run_has_charset(const struct run *run, const struct word *w)
{
	return run->active && strlen(run->charset) == w->charset_len &&
	       str_eqn_ci(run->charset, w->charset, w->charset_len);
}

static int run_add(struct run *run, const struct word *w, struct buf *out)
{
	if (!run_has_charset(run, w)) {
		if (run_flush(run, out) < 0)
			return -1;
		memcpy(run->charset, w->charset, w->charset_len);
		run->charset[w->charset_len] = '\0';
		run->active = true;
	}
	if (w->encoding == 'B')
		return decode_b(w->text, w->text_len, &run->raw);
	return decode_q(w->text, w->text_len, &run->raw);
}

static bool all_lwsp(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_lwsp(s[i]))
			return false;
	}
	return true;
}

/* Writes the text between two encoded words (or before the first one):
 * dropped if it is only white space between two words (§6.2), else
 * converted as UTF-8 when valid, else as windows-1252. */
static int put_gap(struct run *run, const char *s, size_t n, struct buf *out)
{
	if (n == 0 || (run->active && all_lwsp(s, n)))
		return 0;
	if (run_flush(run, out) < 0)
		return -1;
	return charset_to_utf8(NULL, s, n, out);
}

/* Finds the next "=?" in in[from..len), or returns len. */
static size_t next_start(const char *in, size_t len, size_t from)
{
	while (from + 1 < len) {
		const char *eq = memchr(in + from, '=', len - from - 1);
		if (eq == NULL)
			break;
		from = (size_t)(eq - in);
		if (in[from + 1] == '?')
			return from;
		from++;
	}
	return len;
}

int rfc2047_decode(const char *in, size_t len, struct buf *out)
{
	struct run run = { .active = false };
	size_t done = 0;  /* in[0..done) is written or in run */
	size_t at = next_start(in, len, 0);
	int rc = 0;

	buf_init(&run.raw, len);
	while (rc == 0 && at < len) {
		struct word w;
		if (!parse_word(in + at, len - at, &w)) {
			at = next_start(in, len, at + 1);
			continue;
		}
		rc = put_gap(&run, in + done, at - done, out);
		if (rc == 0)
			rc = run_add(&run, &w, out);
		done = at + w.len;
		at = next_start(in, len, done);
	}
	if (rc == 0)
		rc = run_flush(&run, out);
	if (rc == 0 && done < len)
		rc = charset_to_utf8(NULL, in + done, len - done, out);
	buf_release(&run.raw);
	return rc;
}
