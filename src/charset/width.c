#include "config.h"

#include "width.h"

#include <wchar.h>

#include "sanitize.h"

static size_t cp_width(unsigned cp)
{
	int w = wcwidth((wchar_t)cp);
	if (w < 0)
		return cp < 0x80 ? 0 : 1;
	return (size_t)w;
}

size_t width_of(const char *s, size_t len)
{
	size_t cols = 0;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		i += utf8_decode((const unsigned char *)s + i, len - i, &cp);
		cols += cp_width(cp);
	}
	return cols;
}

int width_fit(const char *s, size_t len, size_t cols, struct buf *out)
{
	size_t used = 0, i = 0;
	while (i < len) {
		unsigned cp;
		size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		size_t w = cp_width(cp);
		if (used + w > cols)
			break;
		if (buf_append(out, s + i, n) < 0)
			return -1;
		used += w;
		i += n;
	}
	for (; used < cols; used++)
		if (buf_append_char(out, ' ') < 0)
			return -1;
	return 0;
}
