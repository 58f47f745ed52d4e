/* Fuzz target: folder names in modified UTF-7 (src/proto/imap_utf7.c).
 *
 * Input: any bytes, read both as a name from the server and as a UTF-8
 * name to send.
 *
 * Invariants (__builtin_trap): a name that decodes gives a valid UTF-8
 * name of at most IMAP_UTF7_NAME_MAX bytes, and encoding it gives exactly
 * the input back (one spelling per name); a refused name leaves only
 * printable ASCII in out (the escaped form), at most IMAP_UTF7_NAME_MAX + 3
 * bytes; encoding succeeds exactly for valid names, gives printable ASCII,
 * and decodes back to the input; a refused encode appends nothing; the
 * UTF-8 mode passes valid names through unchanged. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "imap_utf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool printable_ascii(const struct buf *b)
{
	for (size_t i = 0; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 || (unsigned char)b->data[i] > 0x7e)
			return false;
	return true;
}

static bool same(const struct buf *b, const char *p, size_t n)
{
	return b->len == n && memcmp(b->data, p, n) == 0;
}

static void check_decode(const char *in, size_t len)
{
	struct buf name, back;
	buf_init(&name, 4 * IMAP_UTF7_NAME_MAX);
	buf_init(&back, 16 * IMAP_UTF7_NAME_MAX);
	if (imap_utf7_decode(in, len, &name) == 0) {
		if (!imap_utf7_name_valid(name.data, name.len))
			__builtin_trap();
		if (imap_utf7_encode(name.data, name.len, &back) != 0 ||
		    !same(&back, in, len))
			__builtin_trap(); /* not the one canonical spelling */
	} else if (!printable_ascii(&name) || name.len > IMAP_UTF7_NAME_MAX + 3) {
		__builtin_trap();
	}
	buf_release(&name);
	buf_release(&back);
}

static void check_encode(const char *in, size_t len)
{
	struct buf m, back;
	bool valid = imap_utf7_name_valid(in, len);
	buf_init(&m, 16 * IMAP_UTF7_NAME_MAX);
	buf_init(&back, 4 * IMAP_UTF7_NAME_MAX);
	int rc = imap_utf7_encode(in, len, &m);
	if ((rc == 0) != valid)
		__builtin_trap();
	if (rc != 0 && m.len != 0)
		__builtin_trap();
	if (rc == 0) {
		if (!printable_ascii(&m) ||
		    imap_utf7_decode(m.data, m.len, &back) != 0 || !same(&back, in, len))
			__builtin_trap();
		buf_reset(&back);
		if (imap_utf7_from_server(IMAP_NAME_UTF8, in, len, &back) != 0 ||
		    !same(&back, in, len))
			__builtin_trap();
	}
	buf_release(&m);
	buf_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	check_decode(in, size);
	check_encode(in, size);
	return 0;
}
