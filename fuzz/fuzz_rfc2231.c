/* Fuzz target: RFC 2231 parameter assembly (src/mime/rfc2231.c).
 * Input: parameters as lines "name=value" (split at the first '='). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "rfc2231.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PARAMS_MAX 4096

static size_t split(const char *s, size_t len, struct rfc2231_param *p)
{
	size_t n = 0, at = 0;

	while (at < len && n < PARAMS_MAX) {
		const char *nl = memchr(s + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - s) : len;
		const char *eq = memchr(s + at, '=', end - at);
		size_t name_end = eq ? (size_t)(eq - s) : end;
		p[n].name = s + at;
		p[n].name_len = name_end - at;
		p[n].value = eq ? eq + 1 : s + end;
		p[n].value_len = eq ? end - name_end - 1 : 0;
		n++;
		at = end + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bases[] = { "title", "filename", "a", "" };
	struct rfc2231_param *p = malloc(PARAMS_MAX * sizeof(*p));
	size_t n = split((const char *)data, size, p);

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct buf out;
		bool found = true;
		buf_init(&out, 1 << 22);
		int rc = rfc2231_get(p, n, bases[i], &out, &found);
		if ((rc != 0 && rc != -1) || !charset_is_utf8(out.data, out.len))
			__builtin_trap();
		if (!found && out.len != 0)
			__builtin_trap();
		buf_reset(&out);
		rc = rfc2231_get_bytes(p, n, bases[i], &out, &found);
		if ((rc != 0 && rc != -1) || out.len > size)
			__builtin_trap();  /* decoding never adds bytes */
		buf_release(&out);
	}
	free(p);
	return 0;
}
