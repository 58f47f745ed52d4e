/* Fuzz target: header block and field lookup (src/mime/header.c). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "Subject", "From", "To", "Status",
		"Content-Type", "X" };
	const char *msg = (const char *)data;
	size_t hlen = header_block_len(msg, size);
	if (hlen > size)
		__builtin_trap();
	struct buf v;
	buf_init(&v, 1 << 16);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_reset(&v);
		int rc = header_get(msg, hlen, names[i], &v);
		if (rc == 1 && memchr(v.data, '\n', v.len) != NULL)
			__builtin_trap(); /* unfolded values have no line break */
	}
	buf_release(&v);
	return 0;
}
