#include "config.h"

#include "str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

int str_to_ulong(const char *s, unsigned long min, unsigned long max,
		 unsigned long *value_r)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*value_r = v;
	return 0;
}

int str_copy(char *dst, size_t dstsize, const char *src)
{
	if (dstsize == 0)
		return -1;
	size_t n = strnlen(src, dstsize);
	if (n == dstsize) {
		memcpy(dst, src, dstsize - 1);
		dst[dstsize - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int str_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

bool str_eqn_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ca = ascii_lower((unsigned char)a[i]);
		int cb = ascii_lower((unsigned char)b[i]);
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
	return true;
}

bool str_eq_ci(const char *a, const char *b)
{
	return str_eqn_ci(a, b, (size_t)-1);
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *str_trim(char *s)
{
	while (is_blank(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

char *str_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	char *p = xmalloc(dl + 1 + nl + 1);
	memcpy(p, dir, dl);
	size_t at = dl;
	if (dl == 0 || dir[dl - 1] != '/')
		p[at++] = '/';
	memcpy(p + at, name, nl + 1);
	return p;
}
