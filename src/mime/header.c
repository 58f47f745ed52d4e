#include "config.h"

#include "header.h"

#include <string.h>

#include "str.h"

/* Offset just past the line starting at p (its LF included). */
static size_t line_end(const char *s, size_t len, size_t p)
{
	const char *nl = memchr(s + p, '\n', len - p);
	return nl ? (size_t)(nl - s) + 1 : len;
}

static int is_empty_line(const char *s, size_t p, size_t e)
{
	return (e - p == 1 && s[p] == '\n') ||
	       (e - p == 2 && s[p] == '\r' && s[p + 1] == '\n');
}

size_t header_block_len(const char *msg, size_t len)
{
	size_t p = 0;
	while (p < len) {
		size_t e = line_end(msg, len, p);
		if (is_empty_line(msg, p, e))
			return e;
		p = e;
	}
	return len;
}

/* Appends the value bytes v[0..n) with CR and LF removed. */
static int append_unfolded(struct buf *out, const char *v, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\r' || v[i] == '\n') {
			if (buf_append(out, v + start, i - start) < 0)
				return -1;
			start = i + 1;
		}
	}
	return buf_append(out, v + start, n - start);
}

int header_get(const char *hdr, size_t len, const char *name, struct buf *out)
{
	size_t nl = strlen(name);
	size_t p = 0;

	while (p < len) {
		size_t e = line_end(hdr, len, p);
		if (is_empty_line(hdr, p, e))
			break;
		if (e - p > nl && hdr[p + nl] == ':' && str_eqn_ci(hdr + p, name, nl)) {
			/* The field goes on while the next line starts with a blank. */
			size_t f = e;
			while (f < len && (hdr[f] == ' ' || hdr[f] == '\t'))
				f = line_end(hdr, len, f);
			size_t v = p + nl + 1;
			while (v < f && (hdr[v] == ' ' || hdr[v] == '\t'))
				v++;
			size_t before = out->len;
			if (append_unfolded(out, hdr + v, f - v) < 0)
				return -1;
			while (out->len > before &&
			       (out->data[out->len - 1] == ' ' ||
				out->data[out->len - 1] == '\t'))
				buf_truncate(out, out->len - 1);
			return 1;
		}
		p = e;
	}
	return 0;
}
