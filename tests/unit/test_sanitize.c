#include "config.h"

#include <string.h>

#include "sanitize.h"
#include "tap.h"

static struct buf out;

static const char *san(const char *in, size_t len, enum sanitize_mode mode)
{
	buf_reset(&out);
	if (sanitize_text(in, len, mode, &out) < 0)
		return "(overflow)";
	return out.data;
}

#define S(lit, mode) san(lit, sizeof(lit) - 1, mode)

/* Output must be valid UTF-8 with no byte below 0x20 except LF/TAB. */
static int terminal_safe(const char *s, size_t n, int allow_nl)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp == 0xFFFD && (unsigned char)s[i] != 0xEF)
			return 0;
		if (cp < 0x20 && !(allow_nl && (cp == '\n' || cp == '\t')))
			return 0;
		if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
			return 0;
		i += k;
	}
	return 1;
}

static void test_controls(void)
{
	is_str(S("plain text", SANITIZE_LINE), "plain text", "ASCII passes unchanged");
	is_str(S("a\x1b[31mred", SANITIZE_LINE), "a\xe2\x90\x9b[31mred",
	       "ESC becomes U+241B");
	is_str(S("\x07\x08", SANITIZE_LINE), "\xe2\x90\x87\xe2\x90\x88",
	       "BEL and BS become control pictures");
	is_str(S("x\x7fy", SANITIZE_LINE), "x\xe2\x90\xa1y", "DEL becomes U+2421");
	is_str(san("a\0b", 3, SANITIZE_LINE), "a\xe2\x90\x80" "b", "NUL becomes U+2400");
	is_str(S("a\xc2\x9b" "31m", SANITIZE_LINE), "a\xef\xbf\xbd" "31m",
	       "C1 CSI (U+009B) becomes U+FFFD");
	is_str(S("\xe2\x80\xae" "evil", SANITIZE_LINE), "\xef\xbf\xbd" "evil",
	       "RIGHT-TO-LEFT OVERRIDE becomes U+FFFD");
	is_str(S("\xe2\x81\xa6x", SANITIZE_LINE), "\xef\xbf\xbdx",
	       "bidi isolate becomes U+FFFD");
}

static void test_lines(void)
{
	is_str(S("a\r\nb\tc\n", SANITIZE_LINE), "a  b c ", "line mode: CR LF TAB become spaces");
	is_str(S("a\r\nb\tc\n", SANITIZE_MULTILINE), "a\nb\tc\n",
	       "multiline mode keeps LF and TAB, drops CR of CRLF");
	is_str(S("a\rb", SANITIZE_MULTILINE), "a\xe2\x90\x8d" "b",
	       "a lone CR is shown, not obeyed");
}

static void test_utf8(void)
{
	is_str(S("gr\xc3\xbc\xc3\x9f \xe6\x97\xa5 \xf0\x9f\x98\x80", SANITIZE_LINE),
	       "gr\xc3\xbc\xc3\x9f \xe6\x97\xa5 \xf0\x9f\x98\x80", "valid UTF-8 kept");
	is_str(S("a\xffz", SANITIZE_LINE), "a\xef\xbf\xbdz", "invalid byte becomes U+FFFD");
	is_str(S("\xc0\xaf", SANITIZE_LINE), "\xef\xbf\xbd\xef\xbf\xbd",
	       "overlong encoding rejected");
	is_str(S("\xed\xa0\x80", SANITIZE_LINE), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	       "UTF-16 surrogate rejected");
	is_str(S("\xe6\x97", SANITIZE_LINE), "\xef\xbf\xbd\xef\xbf\xbd",
	       "truncated sequence at the end rejected");
	is_str(S("\xf4\x90\x80\x80", SANITIZE_LINE),
	       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	       "code point above U+10FFFF rejected");
}

static void test_all_bytes(void)
{
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	buf_reset(&out);
	ok(sanitize_text(all, sizeof(all), SANITIZE_LINE, &out) == 0,
	   "every byte value sanitises");
	ok(terminal_safe(out.data, out.len, 0), "no control byte survives line mode");
	buf_reset(&out);
	ok(sanitize_text(all, sizeof(all), SANITIZE_MULTILINE, &out) == 0 &&
	   terminal_safe(out.data, out.len, 1),
	   "only LF and TAB survive multiline mode");
}

static void test_limit(void)
{
	struct buf small;
	buf_init(&small, 5);
	ok(sanitize_text("\x1b\x1b", 2, SANITIZE_LINE, &small) < 0,
	   "output past the maximum fails");
	ok(small.len == 3, "a valid prefix is kept (%zu bytes)", small.len);
	buf_release(&small);
}

int main(void)
{
	buf_init(&out, 1 << 16);
	test_controls();
	test_lines();
	test_utf8();
	test_all_bytes();
	test_limit();
	buf_release(&out);
	return done_testing();
}
