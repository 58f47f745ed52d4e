#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static void test_init_invariants(void)
{
	struct buf b;
	buf_init(&b, 16);
	ok(b.data != NULL, "a new buffer's data is never NULL");
	is_str(b.data, "", "a new buffer is an empty string");
	is_int((long long)b.len, 0, "a new buffer has length 0");
	buf_reset(&b);
	buf_truncate(&b, 3);
	is_str(b.data, "", "reset and truncate on an unused buffer are harmless");
	buf_release(&b);
}

static void test_append_and_max(void)
{
	struct buf b;
	buf_init(&b, 10);
	ok(buf_append_str(&b, "hello") == 0, "append within the maximum succeeds");
	ok(buf_append_char(&b, ' ') == 0, "append a character");
	errno = 0;
	ok(buf_append_str(&b, "world") < 0, "append past the maximum fails");
	is_int(errno, ENOSPC, "failure past the maximum reports ENOSPC");
	is_str(b.data, "hello ", "a failed append changes nothing");
	ok(buf_append_str(&b, "worl") == 0, "append up to exactly the maximum succeeds");
	is_int((long long)b.len, 10, "length reaches the maximum");
	is_int(b.data[10], 0, "the buffer stays NUL-terminated at the maximum");
	ok(buf_append(&b, "", 0) == 0, "appending nothing at the maximum succeeds");
	buf_release(&b);
}

static void test_binary_and_growth(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	char bytes[3] = { 'a', '\0', 'b' };
	ok(buf_append(&b, bytes, 3) == 0, "append bytes containing NUL");
	is_int((long long)b.len, 3, "NUL bytes count in the length");
	ok(memcmp(b.data, bytes, 3) == 0 && b.data[3] == '\0',
	   "binary content kept and terminated");
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		if (buf_append_char(&b, (char)('a' + i % 26)) < 0)
			break;
	is_int((long long)b.len, 100000, "many appends grow the buffer");
	ok(b.data[99999] == (char)('a' + 99999 % 26) && b.data[100000] == '\0',
	   "contents intact after growth");
	ok(b.cap <= b.max + 1, "capacity never exceeds maximum + 1 (%zu)", b.cap);
	buf_release(&b);
}

static void test_printf(void)
{
	struct buf b;
	buf_init(&b, 4096);
	ok(buf_printf(&b, "%d-%s", 42, "x") == 0, "printf appends");
	is_str(b.data, "42-x", "printf formats");
	char big[1000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(buf_printf(&b, "[%s]", big) == 0, "printf longer than its stack buffer");
	is_int((long long)b.len, 4 + 1001, "long printf length");
	ok(b.data[4] == '[' && b.data[1004] == ']', "long printf contents");
	struct buf s;
	buf_init(&s, 8);
	ok(buf_printf(&s, "%s", "123456789") < 0, "printf past the maximum fails");
	is_str(s.data, "", "failed printf changes nothing");
	buf_release(&s);
	buf_release(&b);
}

static void test_detach_truncate_wipe(void)
{
	struct buf b;
	buf_init(&b, 100);
	size_t len = 99;
	char *p = buf_detach(&b, &len);
	is_str(p, "", "detach of an unused buffer gives an allocated empty string");
	is_int((long long)len, 0, "detach length 0");
	free(p);
	if (buf_append_str(&b, "secret") < 0)
		diag("append failed");
	buf_truncate(&b, 3);
	is_str(b.data, "sec", "truncate shortens");
	buf_truncate(&b, 10);
	is_str(b.data, "sec", "truncate never lengthens");
	char *keep = b.data;
	buf_wipe(&b);
	ok(keep[0] == '\0' && keep[1] == '\0' && keep[2] == '\0',
	   "wipe overwrites the bytes");
	if (buf_append_str(&b, "abc") < 0)
		diag("append failed");
	p = buf_detach(&b, &len);
	is_str(p, "abc", "detach hands over the contents");
	is_int((long long)len, 3, "detach reports the length");
	is_str(b.data, "", "the buffer is empty after detach");
	is_int((long long)b.max, 100, "detach keeps the maximum");
	free(p);
	buf_release(&b);
}

int main(void)
{
	test_init_invariants();
	test_append_and_max();
	test_binary_and_growth();
	test_printf();
	test_detach_truncate_wipe();
	return done_testing();
}
