#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "tap.h"

#define LIT(s) s, sizeof(s) - 1
#define FFFD "\xEF\xBF\xBD"

static struct buf out;
static int rc;

/* Converts into the shared buffer (emptied first) and returns its text. */
static const char *conv(const char *label, const char *in, size_t len)
{
	buf_reset(&out);
	rc = charset_to_utf8(label, in, len, &out);
	return out.data;
}

struct sample {
	const char *label;
	const char *in;
	const char *want;
};

/* Every alias family, with bytes whose meaning differs between charsets.
 * Expected values were produced with Python's codecs and iconv(1). */
static const struct sample aliases[] = {
	{ "latin1", "caf\xe9", "caf\xc3\xa9" },
	{ "l1", "caf\xe9", "caf\xc3\xa9" },
	{ "iso-8859-1", "caf\xe9", "caf\xc3\xa9" },
	{ "ISO_8859-1", "caf\xe9", "caf\xc3\xa9" },
	{ "iso8859-1", "caf\xe9", "caf\xc3\xa9" },
	{ "ISO_8859-1:1987", "caf\xe9", "caf\xc3\xa9" },
	{ "iso-8859-1", "\x93q\x94", "\xe2\x80\x9cq\xe2\x80\x9d" },
	{ "windows-1252", "\x80", "\xe2\x82\xac" },
	{ "cp1252", "\x80", "\xe2\x82\xac" },
	{ "cp-1252", "\x80", "\xe2\x82\xac" },
	{ "x-cp1252", "\x80", "\xe2\x82\xac" },
	{ "windows-1250", "\x8a", "\xc5\xa0" },
	{ "cp-1250", "\x8a", "\xc5\xa0" },
	{ "windows-1251", "\xcf\xf0\xe8", "\xd0\x9f\xd1\x80\xd0\xb8" },
	{ "cp1251", "\xcf\xf0\xe8", "\xd0\x9f\xd1\x80\xd0\xb8" },
	{ "Shift_JIS", "\x82\xa0\\", "\xe3\x81\x82\\" },
	{ "shift-jis", "\x82\xa0", "\xe3\x81\x82" },
	{ "sjis", "\x82\xa0", "\xe3\x81\x82" },
	{ "x-sjis", "\x82\xa0", "\xe3\x81\x82" },
	{ "x-shift_jis", "\x82\xa0", "\xe3\x81\x82" },
	{ "ms_kanji", "\x82\xa0", "\xe3\x81\x82" },
	{ "windows-31j", "\x87\x40", "\xe2\x91\xa0" },
	{ "shift_jis", "\x87\x40", "\xe2\x91\xa0" },
	{ "ks_c_5601-1987", "\xc7\xd1", "\xed\x95\x9c" },
	{ "ks_c_5601", "\xc7\xd1", "\xed\x95\x9c" },
	{ "ksc5601", "\xc7\xd1", "\xed\x95\x9c" },
	{ "euc-kr", "\xc7\xd1", "\xed\x95\x9c" },
	{ "euc-kr", "\x81\x41", "\xea\xb0\x82" },
	{ "unicode-1-1-utf-7", "+ZeVnLIqe-", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "utf-7", "a+-b", "a+b" },
	{ "gb2312", "\xc4\xe3\xba\xc3", "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "gbk", "\xc4\xe3\xba\xc3", "\xe4\xbd\xa0\xe5\xa5\xbd" },
	{ "GB18030", "\x81\x30\x81\x30", "\xc2\x80" },
	{ "big5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87" },
	{ "x-x-big5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87" },
	{ "iso-2022-jp", "\x1b$B$3$s\x1b(B", "\xe3\x81\x93\xe3\x82\x93" },
	{ "ISO-2022-JP", "\x1b(I\x31\x1b(B", "\xef\xbd\xb1" },
	{ "iso-2022-jp-2", "\x1b$B$3$s\x1b(B", "\xe3\x81\x93\xe3\x82\x93" },
	{ "koi8-r", "\xf0\xd2\xc9", "\xd0\x9f\xd1\x80\xd0\xb8" },
	{ "koi8-u", "\xa4", "\xd1\x94" },
	{ "utf8", "\xc3\xa9", "\xc3\xa9" },
	{ "UTF-8", "\xc3\xa9", "\xc3\xa9" },
	{ "us-ascii", "abc", "abc" },
	{ "ascii", "\xc3\xa9", "\xc3\xa9" },
	{ "ANSI_X3.4-1968", "\xe9", "\xc3\xa9" },
	{ "x-unknown", "\xe9", "\xc3\xa9" },
	{ "unknown-8bit", "\xc3\xa9", "\xc3\xa9" },
	{ "x-user-defined", "\xe9", "\xc3\xa9" },
	{ "8bit", "\xe9", "\xc3\xa9" },
	{ "iso-8859-2", "\xb1", "\xc4\x85" },
	{ "ISO_8859-2:1987", "\xb1", "\xc4\x85" },
	{ "iso-8859-15", "\xa4", "\xe2\x82\xac" },
	{ "iso-8859-8-i", "\xe0", "\xd7\x90" },
	{ "tis-620", "\xa1", "\xe0\xb8\x81" },
	{ "euc-jp", "\xa4\xa2", "\xe3\x81\x82" },
	{ "x-euc-jp", "\xa4\xa2", "\xe3\x81\x82" },
	{ "macintosh", "\x8a", "\xc3\xa4" },
	{ "x-mac-cyrillic", "\x80", "\xd0\x90" },
	{ " UTF-8 ", "\xc3\xa9", "\xc3\xa9" },
};

static void test_aliases(void)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		const struct sample *s = &aliases[i];
		is_str(conv(s->label, s->in, strlen(s->in)), s->want,
		       "label \"%s\" decodes its sample", s->label);
	}
}

static void test_canonical(void)
{
	is_str(charset_canonical("latin1"), "WINDOWS-1252",
	       "latin1 is read as windows-1252");
	is_str(charset_canonical("CP-1250"), "WINDOWS-1250",
	       "cp-1250 resolves to WINDOWS-1250");
	is_str(charset_canonical("x-sjis"), "CP932", "x-sjis is read as CP932");
	is_str(charset_canonical("ks_c_5601-1987"), "CP949",
	       "ks_c_5601-1987 is read as CP949");
	is_str(charset_canonical("unicode-1-1-utf-7"), "UTF-7",
	       "unicode-1-1-utf-7 is UTF-7");
	is_str(charset_canonical("iso-2022-jp"), "ISO-2022-JP-2",
	       "iso-2022-jp is read as ISO-2022-JP-2");
	is_str(charset_canonical("utf8"), "UTF-8", "utf8 is UTF-8");
	is_str(charset_canonical("us-ascii"), "US-ASCII", "us-ascii is US-ASCII");
	is_str(charset_canonical("iso-8859-15"), "ISO-8859-15",
	       "iso-8859-15 resolves to ISO-8859-15");
	is_str(charset_canonical("x-unknown"), NULL, "x-unknown has no charset");
	is_str(charset_canonical("no-such-charset"), NULL,
	       "a label unknown to iconv gives NULL");
	is_str(charset_canonical(NULL), NULL, "no label gives NULL");
	is_str(charset_canonical(""), NULL, "an empty label gives NULL");
	is_str(charset_canonical("UTF-8//TRANSLIT"), NULL,
	       "an iconv suffix is not passed to iconv");
	is_str(charset_canonical("IBM037"), "IBM037",
	       "a label only iconv knows is returned as given");
	is_str(charset_canonical("x-IBM037"), "IBM037",
	       "an x- prefix is dropped for iconv");
	char longname[200];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	is_str(charset_canonical(longname), NULL, "an over-long label gives NULL");
}

static void test_is_utf8(void)
{
	ok(charset_is_utf8(LIT("plain")), "ASCII is UTF-8");
	ok(charset_is_utf8(LIT("")), "empty text is UTF-8");
	ok(charset_is_utf8(LIT("\xe6\x97\xa5\xf0\x9f\x98\x80")),
	   "3- and 4-byte sequences are UTF-8");
	ok(!charset_is_utf8(LIT("\xc0\xaf")), "an overlong form is not UTF-8");
	ok(!charset_is_utf8(LIT("\xed\xa0\x80")), "a surrogate is not UTF-8");
	ok(!charset_is_utf8(LIT("a\xe2\x82")), "a cut-off sequence is not UTF-8");
	ok(!charset_is_utf8(LIT("\xf4\x90\x80\x80")),
	   "a code point past U+10FFFF is not UTF-8");
	ok(!charset_is_utf8(LIT("caf\xe9")), "latin-1 text is not UTF-8");
}

static void test_utf8_repair(void)
{
	is_str(conv("utf-8", LIT("a\xff" "b")), "a" FFFD "b",
	       "an invalid byte in UTF-8 becomes U+FFFD");
	is_str(conv("utf-8", LIT("\xc0\xaf")), FFFD FFFD,
	       "an overlong form becomes one U+FFFD per byte");
	is_str(conv("utf-8", LIT("\xed\xa0\x80" "x")), FFFD FFFD FFFD "x",
	       "a surrogate becomes U+FFFD per byte");
	is_str(conv("utf-8", LIT("ok\xe2\x82")), "ok" FFFD FFFD,
	       "a sequence cut off at the end becomes U+FFFD per byte");
	conv("utf-8", LIT("a\0b\x1b"));
	ok(out.len == 4 && memcmp(out.data, "a\0b\x1b", 4) == 0,
	   "NUL and control characters are kept");
	is_int(rc, 0, "repairing UTF-8 succeeds");
}

static void test_multibyte_errors(void)
{
	is_str(conv("shift_jis", LIT("\x82\xa0\x82")), "\xe3\x81\x82" FFFD,
	       "Shift_JIS cut off at the end gives one U+FFFD");
	is_str(conv("shift_jis", LIT("\x82\xa0\xff\x82\xa0")),
	       "\xe3\x81\x82" FFFD "\xe3\x81\x82",
	       "an invalid Shift_JIS byte is skipped and decoding resumes");
	is_str(conv("euc-kr", LIT("\xc7")), FFFD,
	       "a lone EUC-KR lead byte gives U+FFFD");
	is_str(conv("iso-2022-jp", LIT("\x1b$")), FFFD,
	       "an escape sequence cut off at the end gives U+FFFD");
	is_str(conv("iso-2022-jp", LIT("\x1b$B$3$")), "\xe3\x81\x93" FFFD,
	       "ISO-2022-JP cut off inside a pair gives U+FFFD");
	is_str(conv("utf-7", LIT("a+2D3c-b")), "a" FFFD,
	       "a lone surrogate in UTF-7 gives U+FFFD");
}

/* iconv is handed the input 4096 bytes at a time: characters and escape
 * sequences that cross that edge must come out whole. */
static void check_window(const char *label, size_t pad, const char *tail,
			 const char *want_tail, const char *what)
{
	size_t tlen = strlen(tail), wlen = strlen(want_tail);
	char *in = malloc(pad + tlen);
	struct buf big;
	memset(in, 'a', pad);
	memcpy(in + pad, tail, tlen);
	buf_init(&big, 3 * (pad + tlen));
	int r = charset_to_utf8(label, in, pad + tlen, &big);
	ok(r == 0 && big.len == pad + wlen && strspn(big.data, "a") == pad &&
	   memcmp(big.data + pad, want_tail, wlen) == 0, "%s", what);
	buf_release(&big);
	free(in);
}

static void test_windows(void)
{
	check_window("shift_jis", 4095, "\x82\xa0" "b", "\xe3\x81\x82" "b",
		     "a Shift_JIS character across the 4 KiB window edge");
	check_window("iso-2022-jp", 4094, "\x1b$B$3\x1b(B", "\xe3\x81\x93",
		     "an ISO-2022-JP escape across the 4 KiB window edge");
	check_window("shift_jis", 4096 * 3 - 1, "\x82", FFFD,
		     "a character cut off at the end after several windows");
	check_window("shift_jis", 4095, "\xff\x82\xa0", FFFD "\xe3\x81\x82",
		     "an invalid byte at the window edge");
}

static void test_windows_1252_fallback(void)
{
	is_str(conv("us-ascii", LIT("caf\xe9 \x93q\x94")),
	       "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d",
	       "8-bit us-ascii text is read as windows-1252");
	is_str(conv("us-ascii", LIT("\xe2\x80\x9cq\xe2\x80\x9d")),
	       "\xe2\x80\x9cq\xe2\x80\x9d", "valid UTF-8 labelled us-ascii is UTF-8");
	is_str(conv("windows-1252", LIT("\x81\x8d\x8f\x90\x9d")),
	       FFFD FFFD FFFD FFFD FFFD,
	       "the five undefined windows-1252 bytes become U+FFFD");
	is_str(conv("windows-1252", LIT("\x9f\xff")), "\xc5\xb8\xc3\xbf",
	       "windows-1252 0x9F and 0xFF are both y-diaeresis");
	is_str(conv(NULL, LIT("\xe9t\xe9")), "\xc3\xa9t\xc3\xa9",
	       "no charset: 8-bit text is windows-1252");
	is_str(conv("", LIT("\xc3\xa9t\xc3\xa9")), "\xc3\xa9t\xc3\xa9",
	       "empty charset: valid UTF-8 stays UTF-8");
	is_str(conv("x-no-such-charset", LIT("\xe9")), "\xc3\xa9",
	       "an unknown label falls back to windows-1252");
	is_str(conv("x-no-such-charset", LIT("\xc3\xa9")), "\xc3\xa9",
	       "an unknown label keeps valid UTF-8");
	is_str(conv("UTF-8//IGNORE", LIT("\xe9")), "\xc3\xa9",
	       "a label with an iconv suffix is treated as unknown");
}

static void test_empty(void)
{
	static const char *const labels[] = { NULL, "utf-8", "latin1",
		"shift_jis", "iso-2022-jp", "bogus" };
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		buf_reset(&out);
		int r = charset_to_utf8(labels[i], "", 0, &out);
		ok(r == 0 && out.len == 0, "empty input in %s gives empty output",
		   labels[i] ? labels[i] : "no charset");
	}
}

static void check_limit(const char *label, const char *in, size_t len,
			size_t max, const char *want, const char *what)
{
	struct buf small;
	buf_init(&small, max);
	int r = charset_to_utf8(label, in, len, &small);
	is_int(r, -1, "%s: past the maximum returns -1", what);
	is_str(small.data, want, "%s: output is a whole-character prefix", what);
	ok(charset_is_utf8(small.data, small.len), "%s: prefix is valid UTF-8", what);
	buf_release(&small);
}

static void test_limit(void)
{
	check_limit("utf-8", LIT("\xc3\xa9\xc3\xa9\xc3\xa9"), 5,
		    "\xc3\xa9\xc3\xa9", "UTF-8");
	check_limit("latin1", LIT("\xe9\xe9\xe9"), 5, "\xc3\xa9\xc3\xa9",
		    "windows-1252");
	check_limit("shift_jis", LIT("\x82\xa0\x82\xa2\x82\xa4"), 7,
		    "\xe3\x81\x82\xe3\x81\x84", "iconv");
	check_limit("utf-8", LIT("a\xff\xff"), 3, "a", "U+FFFD past the maximum");

	struct buf pre;
	buf_init(&pre, 6);
	if (buf_append_str(&pre, "ab") < 0)
		abort();
	is_int(charset_to_utf8("utf-8", LIT("\xe6\x97\xa5\xe6\x97\xa5"), &pre), -1,
	       "appending past the maximum to a non-empty buffer returns -1");
	is_str(pre.data, "ab\xe6\x97\xa5", "existing content kept, whole characters added");
	buf_release(&pre);
}

static void test_huge_invalid(void)
{
	size_t n = (size_t)1 << 20;
	char *in = malloc(n);
	static const char *const labels[] = { "utf-8", "shift_jis", "euc-kr" };
	memset(in, 0xff, n);
	for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
		struct buf big;
		buf_init(&big, 4 * n);
		clock_t t0 = clock();
		int r = charset_to_utf8(labels[k], in, n, &big);
		double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		int all = big.len == 3 * n;
		for (size_t i = 0; all && i < big.len; i += 3)
			all = memcmp(big.data + i, FFFD, 3) == 0;
		ok(r == 0 && all, "1 MiB of 0xFF in %s gives 1Mi U+FFFD", labels[k]);
		ok(secs < 20.0, "1 MiB of 0xFF in %s takes bounded time (%.2f s)",
		   labels[k], secs);
		buf_release(&big);
	}
	free(in);
}

static void test_iso_2022_jp_lines(void)
{
	static const char *const lines[] = {
		"\x1b$B7oL>\x1b(B: \x1b$B%F%9%H\x1b(B\n",
		"\x1b$B$3$s$K$A$O!\"@$3&!#\x1b(B\n",
		"Re: \x1b$BF|K\\8l$NK\\J8\x1b(B\n",
	};
	static const char want[] =
		"\xe4\xbb\xb6\xe5\x90\x8d: \xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88\n"
		"\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf"
		"\xe3\x80\x81\xe4\xb8\x96\xe7\x95\x8c\xe3\x80\x82\n"
		"Re: \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae"
		"\xe6\x9c\xac\xe6\x96\x87\n";
	struct buf all, whole;
	buf_init(&all, BUF_MAX_SMALL);
	buf_init(&whole, BUF_MAX_SMALL);
	for (size_t i = 0; i < 3; i++) {
		if (charset_to_utf8("iso-2022-jp", lines[i], strlen(lines[i]), &all) < 0 ||
		    buf_append_str(&whole, lines[i]) < 0)
			abort();
	}
	is_str(all.data, want, "ISO-2022-JP fed one call per line");
	buf_reset(&all);
	if (charset_to_utf8("iso-2022-jp", whole.data, whole.len, &all) < 0)
		abort();
	is_str(all.data, want, "ISO-2022-JP in one call gives the same text");
	buf_release(&all);
	buf_release(&whole);

	conv("iso-2022-jp", LIT("\x1b$B$3"));
	is_str(conv("iso-2022-jp", LIT("$3")), "$3",
	       "each call starts in ASCII even if the last one ended in JIS X 0208");
}

int main(void)
{
	buf_init(&out, BUF_MAX_SMALL);
	test_aliases();
	test_canonical();
	test_is_utf8();
	test_utf8_repair();
	test_multibyte_errors();
	test_windows();
	test_windows_1252_fallback();
	test_empty();
	test_limit();
	test_huge_invalid();
	test_iso_2022_jp_lines();
	buf_release(&out);
	return done_testing();
}
