/* Fuzz target: conversion to UTF-8 (src/charset/charset.c).
 * Input: one byte choosing a charset label (a fixed list, or past its end
 * a label read from the input up to the first newline), then the text. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const labels[] = { NULL, "utf-8", "us-ascii", "latin1",
	"windows-1252", "windows-1251", "shift_jis", "euc-jp", "iso-2022-jp",
	"iso-2022-jp-2", "ks_c_5601-1987", "gb2312", "gb18030", "big5",
	"utf-7", "koi8-r", "UTF-16", "UTF-32", "iso-2022-kr", "iso-2022-cn",
	"x-unknown", "no-such-charset", "UTF-8//TRANSLIT" };

#define NLABELS (sizeof(labels) / sizeof(labels[0]))

static void check(const char *label, const char *in, size_t len, size_t max)
{
	struct buf out;
	buf_init(&out, max);
	int rc = charset_to_utf8(label, in, len, &out);
	if (rc != 0 && rc != -1)
		__builtin_trap();
	if (out.len > max || !charset_is_utf8(out.data, out.len))
		__builtin_trap();
	if (rc == 0 && label != NULL && strcmp(label, "utf-8") == 0 &&
	    charset_is_utf8(in, len) &&
	    (out.len != len || memcmp(out.data, in, len) != 0))
		__builtin_trap();  /* valid UTF-8 passes through unchanged */
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char custom[64];
	const char *label;
	const char *in = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;

	if (size == 0)
		return 0;
	if (data[0] < NLABELS) {
		label = labels[data[0]];
	} else {
		const char *nl = memchr(in, '\n', len < sizeof(custom) ? len : sizeof(custom));
		size_t n = nl ? (size_t)(nl - in) : 0;
		memcpy(custom, in, n);
		custom[n] = '\0';
		label = custom;
		in += nl ? n + 1 : 0;
		len -= nl ? n + 1 : 0;
	}
	(void)charset_canonical(label);
	check(label, in, len, (size_t)1 << 24);
	check(label, in, len, len / 2);
	return 0;
}
