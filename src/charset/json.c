#include "config.h"

#include "json.h"

#include <string.h>

#include "sanitize.h"

static int must_escape(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xFFFD;
}

int json_string(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (buf_append_char(out, '"') < 0)
		return -1;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(u + i, len - i, &cp);
		int rc;
		if (cp == '"' || cp == '\\') {
			char esc[2] = { '\\', (char)cp };
			rc = buf_append(out, esc, 2);
		} else if (cp == '\n') {
			rc = buf_append(out, "\\n", 2);
		} else if (cp == '\t') {
			rc = buf_append(out, "\\t", 2);
		} else if (must_escape(cp)) {
			rc = buf_printf(out, "\\u%04x", cp);
		} else {
			rc = buf_append(out, s + i, n);
		}
		if (rc < 0)
			return -1;
		i += n;
	}
	return buf_append_char(out, '"');
}

int json_string_or_null(struct buf *out, const char *s)
{
	if (s == NULL)
		return buf_append_str(out, "null");
	return json_string(out, s, strlen(s));
}
