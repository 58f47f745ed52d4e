#include "config.h"

#include "json.h"
#include "sanitize.h"
#include "tap.h"

static struct buf b;

static const char *J(const char *s, size_t n)
{
	buf_reset(&b);
	if (json_string(&b, s, n) < 0)
		return "(overflow)";
	return b.data;
}

#define JS(lit) J(lit, sizeof(lit) - 1)

static void test_json(void)
{
	is_str(JS("plain"), "\"plain\"", "plain string quoted");
	is_str(JS("a\"b\\c"), "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	is_str(JS("l1\nl2\tx"), "\"l1\\nl2\\tx\"", "newline and tab escaped");
	is_str(JS("\x1b[2J\x07"), "\"\\u001b[2J\\u0007\"", "ESC and BEL as \\u escapes");
	is_str(J("a\0b", 3), "\"a\\u0000b\"", "NUL escaped, not a terminator");
	is_str(JS("\x7f\xc2\x9b"), "\"\\u007f\\u009b\"", "DEL and C1 CSI escaped");
	is_str(JS("\xe2\x80\xae"), "\"\\u202e\"", "bidi override escaped");
	is_str(JS("\xff" "ok"), "\"\\ufffdok\"", "invalid UTF-8 becomes \\ufffd");
	is_str(JS("gr\xc3\xbc\xc3\x9f \xe6\x97\xa5"), "\"gr\xc3\xbc\xc3\x9f \xe6\x97\xa5\"",
	       "valid UTF-8 kept as is");
	buf_reset(&b);
	ok(json_string_or_null(&b, NULL) == 0, "null");
	is_str(b.data, "null", "NULL becomes null");
}

static const char *F(const char *s, size_t n)
{
	buf_reset(&b);
	if (sanitize_filename(s, n, "attachment", &b) < 0)
		return "(overflow)";
	return b.data;
}

#define FN(lit) F(lit, sizeof(lit) - 1)

static void test_filename(void)
{
	is_str(FN("report.pdf"), "report.pdf", "a good name is kept");
	is_str(FN("../../etc/passwd"), "_.._etc_passwd", "slashes replaced, leading dots removed");
	is_str(FN(".."), "attachment", "\"..\" becomes the fallback");
	is_str(FN("-rf"), "rf", "a leading dash is removed");
	is_str(FN(".bashrc"), "bashrc", "a leading dot is removed");
	is_str(FN("a\x1b[31m.txt"), "a_[31m.txt", "ESC replaced");
	is_str(FN("evil\xe2\x80\xaetxt.exe"), "evil_txt.exe", "bidi override replaced");
	is_str(FN("\xc3\x9c" "bersicht M\xc3\xa4rz.txt"), "\xc3\x9c" "bersicht M\xc3\xa4rz.txt",
	       "non-ASCII UTF-8 kept");
	is_str(FN("bad\xff.txt"), "bad_.txt", "invalid UTF-8 replaced");
	is_str(FN("name. . "), "name", "trailing dots and blanks removed");
	is_str(FN(""), "attachment", "empty name gets the fallback");
	is_str(FN("a\\b"), "a_b", "backslash replaced");
	char longname[600];
	memset(longname, 'x', sizeof(longname));
	memcpy(longname + sizeof(longname) - 4, ".pdf", 4);
	const char *r = F(longname, sizeof(longname));
	ok(strlen(r) == SANITIZE_NAME_MAX && strcmp(r + SANITIZE_NAME_MAX - 4, ".pdf") == 0,
	   "a long name is cut to %d bytes keeping its extension", SANITIZE_NAME_MAX);
	char cjk[300];
	for (size_t i = 0; i < 297; i += 3)
		memcpy(cjk + i, "\xe6\x97\xa5", 3);
	r = F(cjk, 297);
	ok(strlen(r) <= SANITIZE_NAME_MAX && strlen(r) % 3 == 0,
	   "a long UTF-8 name is cut at a character boundary");
}

int main(void)
{
	buf_init(&b, 1 << 16);
	test_json();
	test_filename();
	buf_release(&b);
	return done_testing();
}
