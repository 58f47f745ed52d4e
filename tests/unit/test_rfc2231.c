#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "rfc2231.h"
#include "tap.h"

#define P(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xEF\xBF\xBD"

static struct buf out;
static int rc;
static bool found;

static const char *get(const struct rfc2231_param *p, size_t n, const char *base)
{
	buf_reset(&out);
	found = false;
	rc = rfc2231_get(p, n, base, &out, &found);
	return out.data;
}

static void test_rfc_examples(void)
{
	static const struct rfc2231_param s3[] = {
		P("access-type", "URL"),
		P("URL*0", "ftp://"),
		P("URL*1", "cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"),
	};
	is_str(get(s3, N(s3), "url"),
	       "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar",
	       "§3 continuations joined, name matched case-insensitively");
	ok(found && rc == 0, "§3 value found");

	static const struct rfc2231_param s4[] = {
		P("title*", "us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"),
	};
	is_str(get(s4, N(s4), "title"), "This is ***fun***",
	       "§4 charset and language, percent-decoded");

	static const struct rfc2231_param s41[] = {
		P("title*0*", "us-ascii'en'This%20is%20even%20more%20"),
		P("title*1*", "%2A%2A%2Afun%2A%2A%2A%20"),
		P("title*2", "isn't it!"),
	};
	is_str(get(s41, N(s41), "title"), "This is even more ***fun*** isn't it!",
	       "§4.1 sections with charset, encoded and plain mixed");

	static const struct rfc2231_param shuffled[] = {
		P("title*2", "isn't it!"),
		P("title*0*", "us-ascii'en'This%20is%20even%20more%20"),
		P("TITLE*1*", "%2A%2A%2Afun%2A%2A%2A%20"),
	};
	is_str(get(shuffled, N(shuffled), "title"),
	       "This is even more ***fun*** isn't it!",
	       "sections out of order are put in order");
}

static void test_sections(void)
{
	static const struct rfc2231_param mixed[] = {
		P("filename*1", " 100%25.txt"),
		P("filename*0*", "UTF-8''%E2%82%AC"),
	};
	is_str(get(mixed, N(mixed), "filename"), "\xe2\x82\xac 100%25.txt",
	       "unencoded sections are not percent-decoded");

	static const struct rfc2231_param gap[] = {
		P("a*0", "x"), P("a*1", "y"), P("a*3", "z"),
	};
	is_str(get(gap, N(gap), "a"), "xy", "the value ends at the first gap");

	static const struct rfc2231_param dup[] = {
		P("a*0", "first"), P("a*1", "!"), P("a*0", "second"),
	};
	is_str(get(dup, N(dup), "a"), "first!", "a repeated section: first wins");

	static const struct rfc2231_param no0[] = { P("a*1", "y"), P("a", "plain") };
	is_str(get(no0, N(no0), "a"), "plain",
	       "sections without *0 are ignored, the plain value is used");
	get(no0, 1, "a");
	ok(!found && rc == 0, "only *1: not found");

	static const struct rfc2231_param later[] = {
		P("t*0*", "UTF-8''a"), P("t*1*", "ISO-8859-1''%E9"),
	};
	is_str(get(later, N(later), "t"), "aISO-8859-1''" FFFD,
	       "only the first section carries a charset");

	static const struct rfc2231_param words[] = {
		P("name*0", "=?UTF-8?Q?caf"), P("name*1", "=C3=A9?="),
	};
	is_str(get(words, N(words), "name"), "caf\xc3\xa9",
	       "an encoded word split over sections is decoded");

	static const struct rfc2231_param lz[] = { P("a*00", "x"), P("a*01", "y") };
	is_str(get(lz, N(lz), "a"), "xy", "section numbers with leading zeros");
}

static void test_forms(void)
{
	static const struct rfc2231_param both[] = {
		P("filename", "fallback.txt"),
		P("filename*", "UTF-8''r%C3%A9al.txt"),
	};
	is_str(get(both, N(both), "filename"), "r\xc3\xa9" "al.txt",
	       "the RFC 2231 form wins over the plain one");

	static const struct rfc2231_param ext_sec[] = {
		P("f*0", "sections"), P("f", "plain"), P("f*", "''extended"),
	};
	is_str(get(ext_sec, N(ext_sec), "f"), "extended",
	       "base* wins over sections");
	is_str(get(ext_sec, 2, "f"), "sections", "sections win over plain");

	static const struct rfc2231_param plain[] = {
		P("name", "=?UTF-8?B?w6k=?=.txt"),
		P("n2", "caf\xe9"),
		P("n3", "caf\xc3\xa9"),
		P("empty", ""),
	};
	is_str(get(plain, N(plain), "name"), "\xc3\xa9.txt",
	       "encoded words in a plain value are decoded");
	is_str(get(plain, N(plain), "n2"), "caf\xc3\xa9",
	       "8-bit plain value is read as windows-1252");
	is_str(get(plain, N(plain), "n3"), "caf\xc3\xa9",
	       "UTF-8 plain value is kept");
	is_str(get(plain, N(plain), "empty"), "", "empty value");
	ok(found, "an empty value is found");

	static const struct rfc2231_param others[] = {
		P("titles", "1"), P("xtitle", "2"), P("title*x", "3"),
		P("title**", "4"), P("title*0**", "5"), P("title*1a", "6"),
		P("title*0000", "7"), P("title*", ""), P("tit", "9"),
	};
	is_str(get(others, N(others) - 2, "title"), "", "names that only look alike");
	ok(!found && rc == 0, "look-alike names are not found");
	buf_reset(&out);
	if (buf_append_str(&out, "kept") < 0)
		abort();
	rc = rfc2231_get(others, 2, "title", &out, &found);
	is_str(out.data, "kept", "not found leaves out unchanged");
}

static void test_charsets(void)
{
	static const struct rfc2231_param p[] = {
		P("bogus*", "x-bogus''caf%E9"),
		P("bogus8*", "x-bogus''caf%C3%A9"),
		P("latin*", "ISO-8859-1''caf%E9"),
		P("sjis*", "shift_jis''%82%a0.txt"),
		P("nocs*", "''caf%E9"),
		P("noquote*", "caf%C3%A9"),
		P("onequote*", "UTF-8'caf%C3%A9"),
		P("lang*", "UTF-8'de'%C3%BC"),
		P("bad*", "UTF-8''50%ZZ%2"),
		P("pp*", "UTF-8''%%41"),
	};
	is_str(get(p, N(p), "bogus"), "caf\xc3\xa9",
	       "unknown charset, 8-bit: windows-1252");
	is_str(get(p, N(p), "bogus8"), "caf\xc3\xa9",
	       "unknown charset, valid UTF-8 kept");
	is_str(get(p, N(p), "latin"), "caf\xc3\xa9", "ISO-8859-1 value");
	is_str(get(p, N(p), "sjis"), "\xe3\x81\x82.txt",
	       "Shift_JIS value, lower-case hex");
	is_str(get(p, N(p), "nocs"), "caf\xc3\xa9",
	       "empty charset: windows-1252 for 8-bit bytes");
	is_str(get(p, N(p), "noquote"), "caf\xc3\xa9",
	       "encoded value without quotes: no charset, still decoded");
	is_str(get(p, N(p), "onequote"), "UTF-8'caf\xc3\xa9",
	       "encoded value with one quote: no charset");
	is_str(get(p, N(p), "lang"), "\xc3\xbc", "language is ignored");
	is_str(get(p, N(p), "bad"), "50%ZZ%2", "bad percent escapes kept literally");
	is_str(get(p, N(p), "pp"), "%A", "a percent before an escape is kept");
}

static void test_bytes(void)
{
	static const struct rfc2231_param p[] = {
		P("boundary*0", "abc"), P("boundary*1", "=?x?q?y?="),
		P("t*", "UTF-8''%00%FF"),
		P("latin", "caf\xe9"),
	};
	struct buf b;
	buf_init(&b, 100);
	ok(rfc2231_get_bytes(p, N(p), "boundary", &b, &found) == 0 &&
	   found && strcmp(b.data, "abc=?x?q?y?=") == 0,
	   "bytes: sections joined, no encoded-word decoding");
	buf_reset(&b);
	ok(rfc2231_get_bytes(p, N(p), "t", &b, &found) == 0 && b.len == 2 &&
	   memcmp(b.data, "\0\xff", 2) == 0,
	   "bytes: percent-decoded, charset removed, NUL kept");
	buf_reset(&b);
	ok(rfc2231_get_bytes(p, N(p), "latin", &b, &found) == 0 &&
	   strcmp(b.data, "caf\xe9") == 0, "bytes: 8-bit bytes not converted");
	buf_reset(&b);
	ok(rfc2231_get_bytes(p, N(p), "none", &b, &found) == 0 && !found &&
	   b.len == 0, "bytes: not found");
	buf_release(&b);
}

static void test_limits(void)
{
	struct rfc2231_param *many = calloc(1001, sizeof(*many));
	char (*names)[16] = calloc(1001, 16);
	for (int i = 0; i <= 1000; i++) {
		int k = 1000 - i;  /* in reverse order */
		snprintf(names[i], 16, "a*%d", k);
		many[i].name = names[i];
		many[i].name_len = strlen(names[i]);
		many[i].value = k == 1000 ? "!" : "x";
		many[i].value_len = 1;
	}
	get(many, 1001, "a");
	int all_x = out.len == 1000 && strspn(out.data, "x") == 1000;
	ok(rc == 0 && all_x, "1000 sections are joined, section 1000 is ignored");
	free(names);
	free(many);

	size_t big = 600 * 1024;
	char *v = malloc(big);
	memset(v, 'y', big);
	struct rfc2231_param huge[] = {
		{ "h*0", 3, v, big }, { "h*1", 3, v, big },
	};
	struct buf large;
	buf_init(&large, 4 << 20);
	is_int(rfc2231_get(huge, 2, "h", &large, &found), -1,
	       "a value past 1 MiB returns -1");
	ok(found && large.len == 0, "nothing is appended past the value limit");
	is_int(rfc2231_get(huge, 1, "h", &large, &found), 0,
	       "a 600 KiB value is fine");
	buf_release(&large);
	free(v);

	struct buf small;
	buf_init(&small, 3);
	static const struct rfc2231_param e[] = { P("t*", "UTF-8''%C3%A9%C3%A9") };
	is_int(rfc2231_get(e, 1, "t", &small, &found), -1,
	       "out's maximum reached returns -1");
	is_str(small.data, "\xc3\xa9", "out keeps a whole-character prefix");
	buf_release(&small);
}

static void test_prefixes(void)
{
	/* Every truncation of an encoded value decodes to valid UTF-8 and
	 * reads nothing past its end. */
	static const char val[] = "UTF-8'en'%E2%82%AC%2%e2%82";
	int bad = 0;
	for (size_t n = 0; n < sizeof(val); n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, val, n);
		struct rfc2231_param p = { "v*", 2, copy, n };
		buf_reset(&out);
		if (rfc2231_get(&p, 1, "v", &out, &found) != 0 || !found ||
		    !charset_is_utf8(out.data, out.len))
			bad++;
		free(copy);
	}
	is_int(bad, 0, "every prefix of an encoded value decodes");
	struct rfc2231_param whole = { "v*", 2, val, sizeof(val) - 1 };
	buf_reset(&out);
	if (rfc2231_get(&whole, 1, "v", &out, &found) < 0)
		abort();
	is_str(out.data, "\xe2\x82\xac%2" FFFD FFFD, "the whole value decodes");
}

int main(void)
{
	buf_init(&out, BUF_MAX_SMALL);
	test_rfc_examples();
	test_sections();
	test_forms();
	test_charsets();
	test_bytes();
	test_limits();
	test_prefixes();
	buf_release(&out);
	return done_testing();
}
