#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "charset.h"
#include "rfc2047.h"
#include "tap.h"

#define FFFD "\xEF\xBF\xBD"

static struct buf out;
static int rc;

static const char *dec(const char *in)
{
	buf_reset(&out);
	rc = rfc2047_decode(in, strlen(in), &out);
	return out.data;
}

struct sample {
	const char *in;
	const char *want;
	const char *what;
};

/* RFC 2047 §8, every example, and RFC 2231 §5's. */
static const struct sample rfc_examples[] = {
	{ "=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
	  "Keith Moore <moore@cs.utk.edu>", "§8 From: Q in US-ASCII" },
	{ "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
	  "Keld J\xc3\xb8rn Simonsen <keld@dkuug.dk>", "§8 To: Q in ISO-8859-1" },
	{ "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
	  "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>",
	  "§8 CC: word followed by plain text" },
	{ "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
	  " =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
	  "If you can read this you understand the example.",
	  "§8 Subject: two B words, two charsets, folded" },
	{ "=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>",
	  "Olle J\xc3\xa4rnefors <ojarnef@admin.kth.se>", "§8 From: Olle" },
	{ "Time for ISO 10646?", "Time for ISO 10646?",
	  "§8 Subject: plain text with a question mark" },
	{ "=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>",
	  "Patrik F\xc3\xa4ltstr\xc3\xb6m <paf@nada.kth.se>", "§8 From: Patrik" },
	{ "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
	  "      (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
	  "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n      ("
	  "\xd7\x9d\xd7\x95\xd7\x9c\xd7\xa9 \xd7\x9f\xd7\x91 "
	  "\xd7\x99\xd7\x9c\xd7\x98\xd7\xa4\xd7\xa0)",
	  "§8 From: lower-case b word in a comment" },
	{ "(=?ISO-8859-1?Q?a?=)", "(a)", "§8 (a)" },
	{ "(=?ISO-8859-1?Q?a?= b)", "(a b)", "§8 (a b)" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)",
	  "§8 space between words is dropped" },
	{ "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)",
	  "§8 several spaces between words are dropped" },
	{ "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)",
	  "§8 a folded line between words is dropped" },
	{ "(=?ISO-8859-1?Q?a_b?=)", "(a b)", "§8 underscore is a space" },
	{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)",
	  "§8 encoded space between words of two charsets" },
	{ "=?US-ASCII*EN?Q?Keith_Moore?= <moore@cs.utk.edu>",
	  "Keith Moore <moore@cs.utk.edu>", "RFC 2231 §5 language suffix ignored" },
};

static const struct sample cases[] = {
	{ "=?UTF-8?Q?caf=C3=A9?= und =?ISO-8859-1?Q?T=FCr?= =?KOI8-R?B?8NLJ?=",
	  "caf\xc3\xa9 und T\xc3\xbcr\xd0\x9f\xd1\x80\xd0\xb8", "mixed charsets" },
	{ "=?ISO-2022-JP?B?GyRCJDMkcxsoQg==?=", "\xe3\x81\x93\xe3\x82\x93",
	  "ISO-2022-JP in a B word" },
	{ "=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKw=?=", "\xe6\x97\xa5\xe6\x9c\xac",
	  "UTF-8 character split between two B words" },
	{ "=?UTF-8?Q?caf=C3?=\r\n =?UTF-8?Q?=A9?=", "caf\xc3\xa9",
	  "UTF-8 character split between two Q words on folded lines" },
	{ "=?shift_jis?B?gg==?= =?SHIFT_JIS?B?oA==?=", "\xe3\x81\x82",
	  "Shift_JIS character split, charset compared case-insensitively" },
	{ "=?utf-8*en?q?=C3?= =?UTF-8*fr?B?qQ==?=", "\xc3\xa9",
	  "split character joined across B and Q and languages" },
	{ "=?UTF-8?Q?=C3?= =?ISO-8859-1?Q?=A9?=", FFFD "\xc2\xa9",
	  "words of different charsets are not joined" },
	{ "=?UTF-8?Q?=C3?= x =?UTF-8?Q?=A9?=", FFFD " x " FFFD,
	  "words separated by text are not joined" },
	{ "=?ISO-8859-1?Q?caf=e9?=", "caf\xc3\xa9", "Q with lower-case hex" },
	{ "=?UTF-8?Q?a=?=", "a=", "Q with = at the end is kept" },
	{ "=?UTF-8?Q?a=4?=", "a=4", "Q with one hex digit is kept" },
	{ "=?UTF-8?Q?=ZZ_x?=", "=ZZ x", "Q with a bad escape is kept" },
	{ "=?UTF-8?B?YWJj?=", "abc", "B complete" },
	{ "=?UTF-8?B?YWI?=", "ab", "B missing one padding character" },
	{ "=?UTF-8?B?YQ?=", "a", "B missing two padding characters" },
	{ "=?UTF-8?B?Y?=", "", "B with a lone character decodes to nothing" },
	{ "=?UTF-8?B?YQ==YQ==?=", "aa", "B with padding in the middle" },
	{ "=?UTF-8?Q?" "?=", "", "an empty Q word decodes to nothing" },
	{ "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=", "unknown encoding left literally" },
	{ "=?UTF-8?Q?abc", "=?UTF-8?Q?abc", "unterminated word left literally" },
	{ "=??Q?abc?=", "=??Q?abc?=", "word without charset left literally" },
	{ "=?*en?Q?abc?=", "=?*en?Q?abc?=", "word with only a language left literally" },
	{ "=?UTF-8?B?a!b?=", "=?UTF-8?B?a!b?=", "B with garbage left literally" },
	{ "=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=", "space inside a word: literal" },
	{ "=?UTF-8?QQ?a?=", "=?UTF-8?QQ?a?=", "two encoding letters: literal" },
	{ "=?UTF-8?Q?a?= =?UTF-8?X?b?= =?UTF-8?Q?c?=",
	  "a =?UTF-8?X?b?= c", "malformed word between good ones" },
	{ "=?=?UTF-8?Q?a?=", "=?a", "a broken start before a good word" },
	{ "=?", "=?", "a lone =?" },
	{ "?= =", "?= =", "stray terminators" },
	{ "\"=?UTF-8?Q?Doe,_J=C3=B6rg?=\" <j@example.org>",
	  "\"Doe, J\xc3\xb6rg\" <j@example.org>", "word inside a quoted string" },
	{ "Re:=?UTF-8?Q?caf=C3=A9?=!", "Re:caf\xc3\xa9!",
	  "word not separated from text by space" },
	{ "=?UTF-8?Q?a?==?UTF-8?Q?b?=", "ab", "adjacent words without space" },
	{ " =?UTF-8?Q?a?= \t", " a \t", "space around words is kept" },
	{ "Gr\xc3\xbc\xc3\x9f" "e =?UTF-8?Q?x?=", "Gr\xc3\xbc\xc3\x9f" "e x",
	  "UTF-8 outside words is kept" },
	{ "Gr\xfc\xdf" "e =?UTF-8?Q?x?= \x93q\x94", "Gr\xc3\xbc\xc3\x9f" "e x "
	  "\xe2\x80\x9cq\xe2\x80\x9d", "8-bit text outside words is windows-1252" },
	{ "=?x-bogus?Q?caf=E9?=", "caf\xc3\xa9", "unknown charset, 8-bit bytes" },
	{ "=?x-bogus?Q?caf=C3=A9?=", "caf\xc3\xa9", "unknown charset, UTF-8 bytes" },
	{ "=?UTF-8?Q?=FF?=", FFFD, "invalid bytes in a word become U+FFFD" },
	{ "=?UTF-8?Q?caf\xc3\xa9?=", "caf\xc3\xa9", "raw 8-bit bytes in a Q word" },
};

static void test_table(const struct sample *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		is_str(dec(t[i].in), t[i].want, "%s", t[i].what);
		if (rc != 0)
			diag("returned %d", rc);
	}
}

static void test_nul(void)
{
	dec("=?UTF-8?B?AA==?=");
	ok(rc == 0 && out.len == 1 && out.data[0] == '\0',
	   "a B word may decode to a NUL byte, counted in len");
	dec("x=?UTF-8?B?AA==?=y");
	ok(out.len == 3 && memcmp(out.data, "x\0y", 3) == 0,
	   "text around a NUL byte is kept");
}

static void test_limit(void)
{
	struct buf small;
	buf_init(&small, 5);
	static const char in[] = "=?UTF-8?Q?=C3=A9=C3=A9=C3=A9?=";
	is_int(rfc2047_decode(in, sizeof(in) - 1, &small), -1,
	       "output past the maximum returns -1");
	is_str(small.data, "\xc3\xa9\xc3\xa9", "a whole-character prefix is kept");
	buf_reset(&small);
	is_int(rfc2047_decode("abcdef", 6, &small), -1,
	       "plain text past the maximum returns -1");
	buf_release(&small);
}

static void check_huge(const char *unit, size_t max, const char *what)
{
	size_t ulen = strlen(unit), n = (size_t)1 << 20;
	char *in = malloc(n);
	struct buf big;
	for (size_t i = 0; i < n; i++)
		in[i] = unit[i % ulen];
	buf_init(&big, max);
	clock_t t0 = clock();
	int r = rfc2047_decode(in, n, &big);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(r >= -1 && charset_is_utf8(big.data, big.len) && big.len <= max,
	   "1 MiB of %s: bounded valid output", what);
	ok(secs < 20.0, "1 MiB of %s: bounded time (%.2f s)", what, secs);
	buf_release(&big);
	free(in);
}

static void test_huge(void)
{
	check_huge("=?", 4 << 20, "\"=?\"");
	check_huge("=?UTF-8?Q?a?= ", 4 << 20, "words joined in one run");
	check_huge("=?UTF-8?B?/w==?=", 8 << 20, "invalid bytes in B words");
	check_huge("=?a?q?", 4 << 20, "broken starts");
	check_huge("=?x-a?Q?a?= =?x-b?Q?b?= ", 4 << 20,
		   "words alternating between unknown charsets");
	check_huge("=?iso-2022-jp?Q?a?= =?shift_jis?Q?b?= ", 4 << 20,
		   "words alternating between iconv charsets");
	check_huge("=?UTF-8?Q?a?= x", 1000, "words past a small maximum");

	size_t n = (size_t)1 << 20;
	char *in = malloc(n);
	memset(in, 'a', n);
	memcpy(in, "=?UTF-8?Q?", 10);
	memcpy(in + n - 2, "?=", 2);
	struct buf big;
	buf_init(&big, 2 << 20);
	ok(rfc2047_decode(in, n, &big) == 0 && big.len == n - 12,
	   "one 1 MiB word decodes (the 75-character limit is not enforced)");
	buf_release(&big);
	free(in);
}

static void test_prefixes(void)
{
	/* Every truncation of a header decodes to valid UTF-8 and reads
	 * nothing past its end (each prefix is its own allocation). */
	static const char h[] = "=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKw=?= x "
		"=?ISO-8859-1?Q?caf=E9?=\r\n =?iso-2022-jp?B?GyRCJDMkcxsoQg==?=";
	int bad = 0;
	for (size_t n = 0; n < sizeof(h); n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, h, n);
		buf_reset(&out);
		if (rfc2047_decode(copy, n, &out) != 0 ||
		    !charset_is_utf8(out.data, out.len))
			bad++;
		free(copy);
	}
	is_int(bad, 0, "every prefix of a header decodes to valid UTF-8");
	dec(h);
	is_str(out.data, "\xe6\x97\xa5\xe6\x9c\xac x caf\xc3\xa9\xe3\x81\x93\xe3\x82\x93",
	       "the whole header decodes");
}

int main(void)
{
	buf_init(&out, BUF_MAX_SMALL);
	test_table(rfc_examples, sizeof(rfc_examples) / sizeof(rfc_examples[0]));
	test_table(cases, sizeof(cases) / sizeof(cases[0]));
	test_nul();
	test_limit();
	test_huge();
	test_prefixes();
	buf_release(&out);
	return done_testing();
}
