/* Fuzz target: HTML to text (src/mime/html.c).
 *
 * The first byte picks the wrap width (its low 7 bits, 0 = no wrap) and
 * the link limit (high bit: 3, else 100); the rest is the HTML.
 * Invariants: conversion succeeds when out has room; the layout never
 * starts or ends with a blank line, never leaves a space before a line
 * end, and ends each line with LF; for input that is valid UTF-8 without
 * control characters (TAB, LF, FF, CR allowed), the output is valid UTF-8
 * whose only control character is LF; with a small out it fails cleanly. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8, and no C0 (but TAB, LF, FF, CR), DEL or C1 characters. */
static bool clean_text(const char *s, size_t n, bool allow_blanks)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (k == 1 && cp == 0xFFFD)
			return false;
		if (cp == '\n' || (allow_blanks &&
				   (cp == '\t' || cp == '\f' || cp == '\r'))) {
			i += k;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
			return false;
		i += k;
	}
	return true;
}

static void check_layout(const char *s, size_t n)
{
	if (n == 0)
		return;
	if (s[0] == '\n' || s[n - 1] != '\n' || (n >= 2 && s[n - 2] == '\n'))
		__builtin_trap(); /* blank line first or last, or no final LF */
	for (size_t i = 1; i < n; i++)
		if (s[i] == '\n' && s[i - 1] == ' ')
			__builtin_trap(); /* trailing space */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct html_options o = {
		.width = data[0] & 0x7F,
		.max_links = (data[0] & 0x80) ? 3 : 100,
	};
	const char *html = (const char *)data + 1;
	size_t len = size - 1;

	struct buf out;
	buf_init(&out, (size_t)64 * 1024 * 1024);
	if (html_to_text(html, len, &o, &out) != 0)
		__builtin_trap();
	if (out.len != strlen(out.data) && memchr(html, '\0', len) == NULL)
		__builtin_trap(); /* a NUL that was not in the input */
	check_layout(out.data, out.len);
	if (clean_text(html, len, true) && !clean_text(out.data, out.len, false))
		__builtin_trap();
	buf_release(&out);

	buf_init(&out, len / 2 + 1);
	int rc = html_to_text(html, len, &o, &out);
	if ((rc != 0 && rc != -1) || out.len > len / 2 + 1)
		__builtin_trap();
	buf_release(&out);
	return 0;
}
