/* Fuzz target: transfer-encoding decoders and the uuencode finder
 * (src/mime/decode.c).  For each kind, feeding the input in pieces (cut
 * where the input itself says) must give exactly what decoding it whole
 * gives, the output must stay within the kind's bound, and a small
 * output maximum must leave a prefix of the full output. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX ((size_t)16 << 20)

static size_t bound(enum decode_kind kind, size_t size)
{
	if (kind == DECODE_BASE64 || kind == DECODE_UUENCODE)
		return size / 4 * 3 + (size % 4) * 3 / 4;
	return size;
}

/* Feeds in pieces whose sizes come from the input's own bytes. */
static void check_split(enum decode_kind kind, const char *in, size_t size,
			const struct buf *whole, size_t whole_garbage)
{
	struct decoder d;
	struct buf out;
	size_t at = 0, k = 0;

	buf_init(&out, OUT_MAX);
	decoder_init(&d, kind);
	while (at < size) {
		size_t n = 1 + (size_t)((unsigned char)in[k++ % size] % 7);
		if (n > size - at)
			n = size - at;
		if (decoder_feed(&d, in + at, n, &out) < 0)
			__builtin_trap();
		at += n;
	}
	if (decoder_finish(&d, &out) < 0)
		__builtin_trap();
	if (out.len != whole->len || memcmp(out.data, whole->data, out.len) != 0 ||
	    decoder_garbage(&d) != whole_garbage)
		__builtin_trap();
	buf_release(&out);
}

static void check_small(enum decode_kind kind, const char *in, size_t size,
			const struct buf *whole)
{
	struct buf out;
	size_t max = size % 17;

	buf_init(&out, max);
	int rc = decode_all(kind, in, size, &out, NULL);
	if ((rc < 0) != (whole->len > max))
		__builtin_trap();
	if (out.len != (whole->len < max ? whole->len : max) ||
	    memcmp(out.data, whole->data, out.len) != 0)
		__builtin_trap();
	buf_release(&out);
}

static void check_uu_find(const char *text, size_t size)
{
	struct uu_block b[4];
	size_t n = 99, prev_end = 0;

	int rc = uu_find(text, size, b, 4, &n);
	if (n > 4 || (rc == 1 && n != 4))
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		if (b[i].start < prev_end || b[i].data <= b[i].start ||
		    b[i].data + b[i].data_len > b[i].end || b[i].end > size ||
		    b[i].name_len == 0 || b[i].name + b[i].name_len > b[i].data ||
		    b[i].mode > 07777 || memcmp(text + b[i].start, "begin", 5) != 0)
			__builtin_trap();
		struct buf out;
		buf_init(&out, OUT_MAX);
		size_t garbage;
		if (decode_all(DECODE_UUENCODE, text + b[i].data, b[i].data_len,
			       &out, &garbage) < 0 || garbage != 0)
			__builtin_trap(); /* what the finder accepts decodes cleanly */
		buf_release(&out);
		prev_end = b[i].end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	for (int k = DECODE_IDENTITY; k <= DECODE_UUENCODE; k++) {
		enum decode_kind kind = (enum decode_kind)k;
		struct buf whole;
		size_t garbage;
		buf_init(&whole, OUT_MAX);
		if (decode_all(kind, in, size, &whole, &garbage) < 0)
			__builtin_trap();
		if (whole.len > bound(kind, size) || garbage > size + 64 * size)
			__builtin_trap();
		if (kind == DECODE_IDENTITY &&
		    (whole.len != size || memcmp(whole.data, in, size) != 0))
			__builtin_trap();
		check_split(kind, in, size, &whole, garbage);
		check_small(kind, in, size, &whole);
		buf_release(&whole);
	}
	check_uu_find(in, size);
	return 0;
}
