/* Fuzz target: terminal sanitiser (src/charset/sanitize.c). */
#include "config.h"

#include <stdint.h>

#include "sanitize.h"
#include "width.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	buf_init(&out, size * 4 + 16);
	for (int mode = 0; mode < 2; mode++) {
		buf_reset(&out);
		if (sanitize_text((const char *)data, size, (enum sanitize_mode)mode,
				  &out) < 0)
			__builtin_trap(); /* 4 bytes out per byte in always fit */
		const unsigned char *s = (const unsigned char *)out.data;
		for (size_t i = 0; i < out.len;) {
			unsigned cp;
			size_t n = utf8_decode(s + i, out.len - i, &cp);
			/* Output is valid UTF-8 without controls (LF/TAB in
			 * multiline mode only). */
			if ((cp == 0xFFFD && s[i] != 0xEF) || cp == 0x7F ||
			    (cp >= 0x80 && cp <= 0x9F) ||
			    (cp < 0x20 && !(mode == SANITIZE_MULTILINE &&
					    (cp == '\n' || cp == '\t'))))
				__builtin_trap();
			i += n;
		}
		(void)width_of(out.data, out.len);
	}
	buf_release(&out);
	return 0;
}
