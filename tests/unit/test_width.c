#include "config.h"

#include <locale.h>
#include <string.h>

#include "tap.h"
#include "width.h"

#define W(lit) width_of(lit, sizeof(lit) - 1)

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		diag("C.UTF-8 locale missing; wide characters may be measured as 1");
	is_int((long long)W("abc"), 3, "ASCII is one column each");
	is_int((long long)W("\xe6\x97\xa5\xe6\x9c\xac"), 4, "CJK takes two columns each");
	is_int((long long)W("e\xcc\x81"), 1, "a combining mark takes no column");
	is_int((long long)W("\xf0\x9f\x98\x80"), 2, "emoji takes two columns");

	struct buf b;
	buf_init(&b, 256);
	ok(width_fit("abcdef", 6, 4, &b) == 0, "fit");
	is_str(b.data, "abcd", "fit cuts to the width");
	buf_reset(&b);
	ok(width_fit("ab", 2, 4, &b) == 0, "fit pads");
	is_str(b.data, "ab  ", "fit pads with spaces");
	buf_reset(&b);
	ok(width_fit("a\xe6\x97\xa5\xe6\x9c\xac", 7, 4, &b) == 0, "fit wide");
	is_str(b.data, "a\xe6\x97\xa5 ", "a wide character is never cut in half");
	buf_reset(&b);
	ok(width_fit("abe\xcc\x81", 5, 3, &b) == 0, "fit combining");
	is_str(b.data, "abe\xcc\x81", "a combining mark stays with its base");
	buf_release(&b);
	return done_testing();
}
