/* Fuzz target: encoded-word decoding (src/mime/rfc2047.c). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *in, size_t len, size_t max)
{
	struct buf out;
	buf_init(&out, max);
	int rc = rfc2047_decode(in, len, &out);
	if (rc != 0 && rc != -1)
		__builtin_trap();
	if (out.len > max || !charset_is_utf8(out.data, out.len))
		__builtin_trap();
	if (rc == 0 && charset_is_utf8(in, len) &&
	    (len < 2 || memchr(in, '?', len) == NULL) &&
	    (out.len != len || memcmp(out.data, in, len) != 0))
		__builtin_trap();  /* UTF-8 without encoded words is unchanged */
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	check(in, size, (size_t)1 << 24);
	check(in, size, size / 3);
	return 0;
}
