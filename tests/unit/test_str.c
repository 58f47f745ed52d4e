#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "tap.h"

static void test_to_ulong(void)
{
	unsigned long v = 7;
	ok(str_to_ulong("993", 1, 65535, &v) == 0 && v == 993, "a plain number");
	ok(str_to_ulong("0", 0, 10, &v) == 0 && v == 0, "zero within range");
	v = 7;
	ok(str_to_ulong("0", 1, 10, &v) < 0 && v == 7, "below min rejected, value untouched");
	ok(str_to_ulong("65536", 1, 65535, &v) < 0, "above max rejected");
	ok(str_to_ulong("", 0, 10, &v) < 0, "empty string rejected");
	ok(str_to_ulong("-1", 0, 10, &v) < 0, "sign rejected");
	ok(str_to_ulong("+1", 0, 10, &v) < 0, "plus sign rejected");
	ok(str_to_ulong(" 1", 0, 10, &v) < 0, "leading blank rejected");
	ok(str_to_ulong("1 ", 0, 10, &v) < 0, "trailing blank rejected");
	ok(str_to_ulong("12abc", 0, 100, &v) < 0, "trailing garbage rejected");
	ok(str_to_ulong("99999999999999999999999", 0, (unsigned long)-1, &v) < 0,
	   "overflow rejected");
	ok(str_to_ulong(NULL, 0, 10, &v) < 0, "NULL rejected");
}

static void test_copy(void)
{
	char d[5];
	ok(str_copy(d, sizeof(d), "abcd") == 0, "copy that fits");
	is_str(d, "abcd", "copied text");
	ok(str_copy(d, sizeof(d), "abcdef") < 0, "copy that does not fit fails");
	is_str(d, "abcd", "truncated copy is terminated");
	ok(str_copy(d, 0, "x") < 0, "zero-size destination fails");
}

static void test_compare_trim(void)
{
	ok(str_eq_ci("INBOX", "inbox"), "case-insensitive equal");
	ok(!str_eq_ci("inbox", "inbo"), "different lengths differ");
	ok(str_eqn_ci("Subject: x", "subject", 7), "prefix compare");
	ok(!str_eq_ci("\xc3\x84", "\xc3\xa4"), "non-ASCII is not folded");
	ok(str_has_prefix("From x", "From "), "has prefix");
	ok(!str_has_prefix("Fro", "From "), "short string has no prefix");
	char s[] = " \t value \r\n";
	is_str(str_trim(s), "value", "trim blanks at both ends");
	char e[] = "   ";
	is_str(str_trim(e), "", "trim an all-blank string");
}

static void test_hex(void)
{
	ok(str_hex_value('0') == 0 && str_hex_value('9') == 9, "decimal digits");
	ok(str_hex_value('a') == 10 && str_hex_value('F') == 15, "hex letters in either case");
	ok(str_hex_value('g') == -1 && str_hex_value(' ') == -1 && str_hex_value(-61) == -1,
	   "anything else is -1, also a negative char");
}

static void test_path_join(void)
{
	char *p = str_path_join("/home/u", "x");
	is_str(p, "/home/u/x", "join adds one slash");
	free(p);
	p = str_path_join("/home/u//", "x");
	is_str(p, "/home/u/x", "join drops extra slashes");
	free(p);
	p = str_path_join("/", "x");
	is_str(p, "/x", "join onto the root");
	free(p);
}

int main(void)
{
	test_to_ulong();
	test_copy();
	test_compare_trim();
	test_path_join();
	test_hex();
	return done_testing();
}
