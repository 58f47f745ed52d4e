/* Fuzz target: format=flowed reading and wrapping (src/mime/flowed.c).
 * Whatever the width and DelSp, the text survives: only spaces, quote
 * marks and line breaks may change.  Lines fit the width, give or take
 * their quote prefix, and none ends in a space but a signature
 * separator. */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "flowed.h"
#include "width.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t content_bytes(const char *p, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '>' && p[i] != '\n' && p[i] != '\r')
			n++;
	return n;
}

static void check_lines(const struct buf *out, size_t width)
{
	const char *p = out->data, *end = out->data + out->len;

	if (out->len > 0 && end[-1] != '\n')
		__builtin_trap(); /* every line ends in LF */
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(lf - p), marks = 0;
		while (marks < len && p[marks] == '>')
			marks++;
		if (len > 0 && p[len - 1] == ' ' &&
		    !(len >= 3 && memcmp(p + len - 3, "-- ", 3) == 0))
			__builtin_trap();
		if (width >= 3 && width_of(p, len) > width + marks + 1 &&
		    width_of(p + marks, len - marks) > FLOWED_MIN_COLS + 1)
			__builtin_trap();
		p = lf + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t widths[] = { 0, 1, 3, 10, 72 };
	static int locale_set;
	const char *in = (const char *)data;

	if (!locale_set) {
		setlocale(LC_CTYPE, "C.UTF-8");
		locale_set = 1;
	}
	size_t want = content_bytes(in, size);
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		for (int delsp = 0; delsp < 2; delsp++) {
			struct buf out;
			buf_init(&out, (size_t)64 << 20);
			/* Output is linear in the input (quote marks shown are
			 * capped), so this maximum is never reached. */
			if (flowed_to_text(in, size, delsp, widths[w], &out) < 0 ||
			    out.len > 64 * (size + 1))
				__builtin_trap();
			/* All but spaces, quote marks, CRs and line breaks is
			 * kept. */
			if (content_bytes(out.data, out.len) != want)
				__builtin_trap();
			check_lines(&out, widths[w]);
			buf_release(&out);
		}
	}
	return 0;
}
