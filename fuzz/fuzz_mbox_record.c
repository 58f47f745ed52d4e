/* Fuzz target: the summary cache's record decoder (src/store/mbox_record.c),
 * which reads a cache file that may be damaged or planted (SECURITY.md G8).
 * Invariants: decoding never reads past the input; every record decoded
 * encodes back to bytes that decode to the same record. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mbox_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data, *end = data + size;
	struct mbox_entry e, again;
	struct buf b;
	buf_init(&b, size * 2 + 1024);
	while (p < end && mbox_record_decode(&p, end, &e)) {
		if (p > end)
			__builtin_trap();
		buf_reset(&b);
		if (mbox_record_encode(&b, &e) < 0)
			__builtin_trap();
		const unsigned char *q = (const unsigned char *)b.data;
		if (!mbox_record_decode(&q, q + b.len, &again) ||
		    q != (const unsigned char *)b.data + b.len ||
		    again.pos.from_line != e.pos.from_line || again.pos.end != e.pos.end ||
		    again.doc != e.doc || again.sum.date != e.sum.date ||
		    again.sum.flags != e.sum.flags || !same_text(again.sum.subject, e.sum.subject) ||
		    !same_text(again.sum.message_id, e.sum.message_id))
			__builtin_trap();
		summary_release(&again.sum);
		summary_release(&e.sum);
	}
	buf_release(&b);
	return 0;
}
