#include "config.h"

#include "sanitize.h"

#include <stdbool.h>
#include <string.h>

#define REPLACEMENT 0xFFFDu

size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp_r)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp, min;

	if (c < 0x80) {
		*cp_r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2; cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3; cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4; cp = c & 0x07; min = 0x10000;
	} else {
		goto bad;
	}
	if (len < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*cp_r = cp;
	return n;
bad:
	*cp_r = REPLACEMENT;
	return 1;
}

int utf8_append(struct buf *out, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
	}
	return buf_append(out, b, n);
}

static bool is_format_hazard(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9F) ||     /* C1 controls */
	       (cp >= 0x202A && cp <= 0x202E) || /* bidi embeddings/overrides */
	       (cp >= 0x2066 && cp <= 0x2069) || /* bidi isolates */
	       cp == 0x2028 || cp == 0x2029;     /* line/paragraph separator */
}

int sanitize_text(const char *in, size_t len, enum sanitize_mode mode,
		  struct buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0;

	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		unsigned c = s[i];
		int rc;

		if (n == 1 && c < 0x80 && c >= 0x20 && c != 0x7F) {
			rc = buf_append_char(out, (char)c);
		} else if (c == '\n' || c == '\t' || c == '\r') {
			if (mode == SANITIZE_LINE)
				rc = buf_append_char(out, ' ');
			else if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
				rc = 0; /* CRLF: keep only the LF */
			else if (c == '\r')
				rc = utf8_append(out, 0x240D);
			else
				rc = buf_append_char(out, (char)c);
		} else if (n == 1 && c < 0x20) {
			rc = utf8_append(out, 0x2400 + c);
		} else if (n == 1 && c == 0x7F) {
			rc = utf8_append(out, 0x2421);
		} else if (is_format_hazard(cp)) {
			rc = utf8_append(out, REPLACEMENT);
		} else {
			rc = utf8_append(out, cp);
		}
		if (rc < 0)
			return -1;
		i += n;
	}
	return 0;
}

static bool name_char_bad(unsigned cp)
{
	return cp < 0x20 || cp == 0x7F || cp == '/' || cp == '\\' ||
	       is_format_hazard(cp) || cp == 0xFFFD;
}

/* The byte length of a short extension (".pdf") at the end, or 0. */
static size_t extension_len(const char *s, size_t len)
{
	const char *dot = NULL;
	for (size_t i = len; i > 0 && len - i < 12; i--) {
		if (s[i - 1] == '.') {
			dot = s + i - 1;
			break;
		}
	}
	return dot && dot != s ? (size_t)(s + len - dot) : 0;
}

int sanitize_filename(const char *name, size_t len, const char *fallback,
		      struct buf *out)
{
	struct buf clean;
	buf_init(&clean, len * 3 + 8);
	const unsigned char *s = (const unsigned char *)name;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		int rc = name_char_bad(cp) ? buf_append_char(&clean, '_')
					   : buf_append(&clean, name + i, n);
		if (rc < 0)
			break; /* cannot happen: 3 bytes out per byte in */
		i += n;
	}
	/* Strip what a shell or a directory listing would take specially. */
	size_t start = 0, end = clean.len;
	while (start < end && strchr(".-~ \t", clean.data[start]) != NULL)
		start++;
	while (end > start && (clean.data[end - 1] == '.' || clean.data[end - 1] == ' '))
		end--;
	const char *p = clean.data + start;
	size_t n = end - start;
	if (n > SANITIZE_NAME_MAX) {
		size_t ext = extension_len(p, n);
		size_t head = SANITIZE_NAME_MAX - ext;
		while (head > 0 && ((unsigned char)p[head] & 0xC0) == 0x80)
			head--; /* never cut a character in half */
		int rc = buf_append(out, p, head);
		if (rc == 0)
			rc = buf_append(out, p + n - ext, ext);
		buf_release(&clean);
		return rc;
	}
	int rc = n == 0 ? buf_append_str(out, fallback) : buf_append(out, p, n);
	buf_release(&clean);
	return rc;
}
