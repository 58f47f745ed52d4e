#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "tap.h"

#define MSG(lit) lit, sizeof(lit) - 1
#define BIG ((size_t)64 << 20)

static struct buf v;
static size_t garbage;

static const char *dec(enum decode_kind kind, const char *in, size_t len)
{
	buf_reset(&v);
	if (decode_all(kind, in, len, &v, &garbage) < 0)
		diag("decode_all failed");
	return v.data;
}

static const char *qp(const char *s) { return dec(DECODE_QP, s, strlen(s)); }
static const char *b64(const char *s) { return dec(DECODE_BASE64, s, strlen(s)); }
static const char *uu(const char *s) { return dec(DECODE_UUENCODE, s, strlen(s)); }

static int is_mem(const char *got, size_t got_len, const char *want,
		  size_t want_len, const char *name)
{
	int same = got_len == want_len && memcmp(got, want, got_len) == 0;
	ok(same, "%s", name);
	if (!same)
		diag("expected %zu bytes, got %zu", want_len, got_len);
	return same;
}

/* Feeds in[] cut at the given points (ascending) and compares with the
 * whole decoding in ref/ref_garbage.  Returns 1 on a difference. */
static int feed_cuts(enum decode_kind kind, const char *in, size_t len,
		     const size_t *cuts, size_t ncuts, const struct buf *ref,
		     size_t ref_garbage)
{
	struct decoder d;
	struct buf out;
	size_t at = 0;
	int rc = 0;

	buf_init(&out, BIG);
	decoder_init(&d, kind);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;
		rc |= decoder_feed(&d, in + at, to - at, &out);
		at = to;
	}
	rc |= decoder_finish(&d, &out);
	int differs = rc != 0 || out.len != ref->len ||
		      memcmp(out.data, ref->data, ref->len) != 0 ||
		      decoder_garbage(&d) != ref_garbage;
	buf_release(&out);
	return differs;
}

/* Every single cut point, one byte at a time, and every pair of cut
 * points for short inputs: all must decode as the whole input does. */
static size_t split_differences(enum decode_kind kind, const char *in,
				size_t len)
{
	struct buf ref;
	size_t ref_garbage, bad = 0;

	buf_init(&ref, BIG);
	if (decode_all(kind, in, len, &ref, &ref_garbage) < 0)
		bad++;
	for (size_t c = 0; c <= len; c++)
		bad += (size_t)feed_cuts(kind, in, len, &c, 1, &ref, ref_garbage);
	if (len <= 128) {
		for (size_t c1 = 0; c1 <= len; c1++) {
			for (size_t c2 = c1; c2 <= len; c2++) {
				size_t cuts[2] = { c1, c2 };
				bad += (size_t)feed_cuts(kind, in, len, cuts, 2,
							 &ref, ref_garbage);
			}
		}
	}
	size_t *all = malloc((len ? len : 1) * sizeof(*all));
	for (size_t c = 0; c < len; c++)
		all[c] = c + 1;
	bad += (size_t)feed_cuts(kind, in, len, all, len ? len - 1 : 0, &ref,
				 ref_garbage);
	free(all);
	buf_release(&ref);
	return bad;
}

static void test_names(void)
{
	enum decode_kind k = DECODE_IDENTITY;
	ok(decode_kind_from_name("Quoted-Printable", &k) == 0 && k == DECODE_QP,
	   "CTE name quoted-printable, any case");
	ok(decode_kind_from_name("BASE64", &k) == 0 && k == DECODE_BASE64,
	   "CTE name base64");
	ok(decode_kind_from_name("x-uuencode", &k) == 0 && k == DECODE_UUENCODE,
	   "CTE name x-uuencode");
	ok(decode_kind_from_name("8bit", &k) == 0 && k == DECODE_IDENTITY,
	   "CTE name 8bit is identity");
	is_int(decode_kind_from_name("x-gzip64", &k), -1, "unknown CTE name refused");
}

static void test_qp(void)
{
	is_str(qp("Now's the time =\r\nfor all folk to come=\r\n to the aid of "
		  "their country."),
	       "Now's the time for all folk to come to the aid of their country.",
	       "QP: RFC 2045 soft line breaks (CRLF)");
	is_str(qp("abc=\ndef"), "abcdef", "QP: soft line break with bare LF");
	is_str(qp("abc= \t\r\ndef"), "abcdef",
	       "QP: blanks between '=' and the line end still a soft break");
	is_str(qp("caf=E9 caf=e9 =3D"), "caf\xe9 caf\xe9 =",
	       "QP: upper- and lowercase hex octets");
	is_int((long long)garbage, 0, "QP: valid input has no garbage");
	is_str(qp("abc  \r\ndef\t\nghi"), "abc\ndef\nghi",
	       "QP: trailing blanks deleted, CRLF becomes LF (rule 3)");
	is_str(qp("last line   "), "last line",
	       "QP: trailing blanks of the last line deleted too");
	is_str(qp("a=20\nb=09=20 \n"), "a \nb\t \n",
	       "QP: encoded trailing blanks kept");
	is_str(qp("x=0D=0Ay"), "x\r\ny", "QP: encoded CR LF kept as bytes");
	is_str(qp("a\rb"), "a\rb", "QP: a bare CR inside a line kept");
	is_str(qp("a=G1b"), "a=G1b", "QP: invalid '=G1' kept literally");
	is_int((long long)garbage, 1, "QP: invalid escape counted as garbage");
	is_str(qp("a=4Gb"), "a=4Gb", "QP: half an escape kept literally");
	is_str(qp("a= x"), "a= x", "QP: '=' then a blank inside a line kept");
	is_str(qp("a= 41"), "a= 41", "QP: '=' blank hex is no escape");
	is_str(qp("==41"), "=A", "QP: '=' before a real escape kept");
	is_str(qp("a=3"), "a=3", "QP: half an escape at the end kept");
	is_str(qp("abc="), "abc", "QP: lone '=' at the very end dropped");
	is_str(qp("abc=  "), "abc", "QP: '=' and blanks at the very end dropped");
	is_str(qp("8bit \xc3\xa9"), "8bit \xc3\xa9",
	       "QP: unencoded 8-bit bytes passed through");
	is_str(qp(""), "", "QP: empty input");
	is_int((long long)split_differences(DECODE_QP, MSG(
		"Now's the time =\r\nfor =3d=3D all  \r\n=E9=e9=G1=4\r\n= x =\n"
		"tail\t \r\nend=")), 0,
	       "QP: every split point and byte-at-a-time decode alike");
}

static void test_qp_long_blanks(void)
{
	char *s = malloc(2002);
	memset(s, ' ', 2000);
	s[2000] = '\n';
	s[DECODE_QP_HOLD_MAX] = '\n';
	dec(DECODE_QP, s, DECODE_QP_HOLD_MAX + 1);
	s[DECODE_QP_HOLD_MAX] = ' ';
	is_int((long long)v.len, 1,
	       "QP: a line end after DECODE_QP_HOLD_MAX blanks deletes them all");
	dec(DECODE_QP, s, 2001);
	ok(v.len >= 2000 - DECODE_QP_HOLD_MAX + 1 && v.len < 2000 &&
	   v.data[v.len - 1] == '\n',
	   "QP: of a longer run only the last ones are deleted (got %zu)", v.len);
	s[2000] = 'x';
	s[2001] = '\n';
	dec(DECODE_QP, s, 2002);
	is_int((long long)v.len, 2002, "QP: a long blank run inside a line kept");
	is_int((long long)split_differences(DECODE_QP, s, 700), 0,
	       "QP: long blank runs decode alike for any split");
	free(s);
}

static void test_base64(void)
{
	static const char *const vec[][2] = {
		{ "", "" }, { "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" }, { "Zm9vYmE=", "fooba" },
		{ "Zm9vYmFy", "foobar" },
	};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
		is_str(b64(vec[i][0]), vec[i][1], "base64: RFC 4648 vector \"%s\"",
		       vec[i][0]);
	is_str(b64("Zm9v\r\nYmFy\n \t"), "foobar", "base64: whitespace skipped");
	is_int((long long)garbage, 0, "base64: whitespace is not garbage");
	is_str(b64("Zm9v!YmFy"), "foobar", "base64: a garbage byte skipped");
	is_int((long long)garbage, 1, "base64: garbage byte counted");
	is_str(b64("Zm\x80\xff" "9v"), "foo", "base64: 8-bit garbage skipped");
	is_int((long long)garbage, 2, "base64: 8-bit garbage counted");
	is_str(b64("Zm8"), "fo", "base64: missing padding (3 characters)");
	is_str(b64("Zg"), "f", "base64: missing padding (2 characters)");
	is_str(b64("Zm9vZ"), "foo", "base64: a final lone character dropped");
	is_int((long long)garbage, 1, "base64: the lone character is garbage");
	is_str(b64("Zg==Zm8=\nZm9v"), "ffofoo",
	       "base64: blocks after padding decoded (concatenation)");
	is_str(b64("Zg=Zm9v="), "ffoo", "base64: a block after incomplete padding");
	is_int((long long)garbage, 1,
	       "base64: data cancels the expected padding; a later '=' is stray");
	is_str(b64("Zg= \r\n="), "f", "base64: whitespace inside the padding");
	is_int((long long)garbage, 0, "base64: split padding is not garbage");
	is_str(b64("=Zm9v="), "foo", "base64: stray padding skipped");
	is_int((long long)garbage, 2, "base64: stray padding counted");
	is_str(b64("Zg==="), "f", "base64: excess padding skipped");
	is_str(b64("Z=Zm9v"), "foo", "base64: a single character before '=' dropped");
	is_int((long long)garbage, 2, "base64: it and its '=' are garbage");
	dec(DECODE_BASE64, MSG("AAEC"));
	is_mem(v.data, v.len, "\0\1\2", 3, "base64: binary with NUL");
	is_int((long long)split_differences(DECODE_BASE64, MSG(
		"Zm9v\r\nYm!Fy\nZg==Zm8=Zg=Zm9v\x80Z=Zg==\n=Zm8")), 0,
	       "base64: every split point and byte-at-a-time decode alike");
}

static void test_uuencode(void)
{
	static const char block[] = "begin 644 cat.txt\n#0V%T\n`\nend\n";
	is_str(uu(block), "Cat", "uu: a whole begin/end block");
	is_int((long long)garbage, 0, "uu: a whole block has no garbage");
	is_str(uu("begin\t600 a b\r\n#0V%T\r\n`\r\n"), "Cat",
	       "uu: a begin line with a tab, CRLF lines");
	is_int((long long)garbage, 0, "uu: the begin line is not garbage");
	is_str(uu("#0V%T\r\n`\r\n"), "Cat", "uu: body lines alone, CRLF");
	dec(DECODE_UUENCODE, MSG("#    \n#````\n"));
	is_mem(v.data, v.len, "\0\0\0\0\0\0", 6,
	       "uu: zeros written as spaces or backquotes");
	is_str(uu("M2&5L;&\\L('=O<FQD(2!4:&ES(&ES(&$@=75E;F-O9&4@=&5S=\"!L:6YE+\"!O\n"
		  "\":RX`\n"),
	       "Hello, world! This is a uuencode test line, ok.",
	       "uu: a full 45-byte line and a short one");
	is_str(uu("M0V%T\n"), "Cat",
	       "uu: a length character beyond the line decodes only the line");
	is_int((long long)garbage, 42, "uu: the missing bytes counted as garbage");
	is_str(uu("#0V\x7f%T\n"), "C",
	       "uu: characters from an invalid one on are ignored");
	is_str(uu("hello\n#0V%T\n"), "Cat", "uu: a text line before data skipped");
	is_int((long long)garbage, 5, "uu: the text line counted as garbage");
	is_str(uu("#0V%T\nend\n#0V%T\n"), "Cat", "uu: everything after end ignored");
	is_str(uu("#0V%T"), "Cat", "uu: a last line without line break decoded");
	is_str(uu("\"2&D \n"), "Hi", "uu: a final partial group");

	char *longline = malloc(3001);
	memset(longline, 'M', 3000);
	longline[3000] = '\n';
	dec(DECODE_UUENCODE, longline, 3001);
	is_int((long long)v.len, 0, "uu: a line longer than DECODE_UU_LINE_MAX ignored");
	is_int((long long)garbage, 3000, "uu: the long line counted as garbage");
	is_int((long long)split_differences(DECODE_UUENCODE, longline, 300), 0,
	       "uu: a long line decodes alike for any split");
	free(longline);
	is_int((long long)split_differences(DECODE_UUENCODE, MSG(
		"text\r\nbegin 644 x\n#0V%T\r\nM0V%T\n\n\"2&D \n#0V\x7f%T\n`\nend\n#0V%T\n")),
	       0, "uu: every split point and byte-at-a-time decode alike");
}

static void test_identity(void)
{
	dec(DECODE_IDENTITY, MSG("a\r\n\0b=41"));
	is_mem(v.data, v.len, "a\r\n\0b=41", 8, "identity: bytes copied unchanged");
	is_int((long long)split_differences(DECODE_IDENTITY, MSG("a\r\nbc")), 0,
	       "identity: every split point alike");
}

static void test_limits(void)
{
	struct buf small;
	struct decoder d;

	buf_init(&small, 4);
	is_int(decode_all(DECODE_BASE64, MSG("Zm9vYmFy"), &small, NULL), -1,
	       "base64 past the buffer maximum returns -1");
	is_str(small.data, "foob", "base64: the buffer holds a prefix");
	buf_reset(&small);
	is_int(decode_all(DECODE_QP, MSG("ab=3Dcdef"), &small, NULL), -1,
	       "QP past the buffer maximum returns -1");
	is_str(small.data, "ab=c", "QP: the buffer holds a prefix");
	buf_reset(&small);
	decoder_init(&d, DECODE_IDENTITY);
	is_int(decoder_feed(&d, MSG("abcdef"), &small), -1,
	       "identity past the buffer maximum returns -1");
	is_str(small.data, "abcd", "identity: the buffer holds a prefix");
	is_int(decoder_feed(&d, MSG("x"), &small), -1,
	       "a full decoder keeps returning -1");
	is_int(decoder_finish(&d, &small), -1, "and so does finishing it");
	buf_release(&small);
	buf_init(&small, 3);
	is_int(decode_all(DECODE_UUENCODE, MSG("#0V%T\n"), &small, NULL), 0,
	       "output exactly at the maximum is not an error");
	is_str(small.data, "Cat", "all of it is there");
	buf_release(&small);
}

static void test_uu_find(void)
{
	static const char text[] =
		"Hello\r\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\nBye\r\n";
	struct uu_block b[2];
	size_t n = 9;

	is_int(uu_find(MSG(text), b, 2, &n), 0, "uu_find: returns 0");
	is_int((long long)n, 1, "uu_find: one block in text");
	is_int((long long)b[0].start, 7, "uu_find: block starts at the begin line");
	is_int((long long)b[0].mode, 0644, "uu_find: octal mode");
	is_mem(text + b[0].name, b[0].name_len, "cat.txt", 7, "uu_find: file name");
	is_str(text + b[0].end, "Bye\r\n", "uu_find: block ends after the end line");
	dec(DECODE_UUENCODE, text + b[0].data, b[0].data_len);
	is_str(v.data, "Cat", "uu_find: the block's data decodes");

	static const char spaced[] = "begin  600  my file.bin \t\n#0V%T\nend";
	uu_find(MSG(spaced), b, 2, &n);
	ok(n == 1 && b[0].end == sizeof(spaced) - 1,
	   "uu_find: end line without line break at the end of the text");
	is_mem(spaced + b[0].name, b[0].name_len, "my file.bin", 11,
	       "uu_find: name with spaces, blanks trimmed");
	uu_find(MSG("begin 644 e\nend\n"), b, 2, &n);
	is_int((long long)n, 1, "uu_find: an empty file is a block");

	static const char *const not_uu[] = {
		"begin 644 x\nthis is text\nend\n",
		"begin 644 x\n#0V%T\n",
		"begin 9 x\n#0V%T\nend\n",
		"begin 644\n#0V%T\nend\n",
		"begin 64444 x\n#0V%T\nend\n",
		"begin 644 x\n#0V%T0V%T\nend\n",
		"begin 644 x\nM0V%T\nend\n",
		"begin-base64 644 x\nZm9v\n====\n",
		" begin 644 x\n#0V%T\nend\n",
	};
	for (size_t i = 0; i < sizeof(not_uu) / sizeof(not_uu[0]); i++) {
		uu_find(not_uu[i], strlen(not_uu[i]), b, 2, &n);
		is_int((long long)n, 0, "uu_find: not a block: case %zu", i);
	}

	static const char two[] = "begin 644 a\nnot uu\nbegin 644 b\n#0V%T\nend\n"
				  "begin 600 c\n#0V%T\nend\n";
	is_int(uu_find(MSG(two), b, 2, &n), 0, "uu_find: two blocks fit");
	ok(n == 2 && two[b[0].name] == 'b' && two[b[1].name] == 'c',
	   "uu_find: a failed begin does not hide the next block");
	is_int(uu_find(MSG(two), b, 1, &n), 1, "uu_find: more blocks than max");
	ok(n == 1 && two[b[0].name] == 'b', "uu_find: the first max are stored");
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_big_random(void)
{
	size_t len = (size_t)10 << 20;
	char *in = malloc(len);
	for (size_t i = 0; i < len; i++)
		in[i] = (char)(rng() >> 56);
	static const char *const names[] = { "identity", "QP", "base64", "uu" };
	for (int k = DECODE_IDENTITY; k <= DECODE_UUENCODE; k++) {
		struct decoder d;
		clock_t t0 = clock();
		int rc = 0;
		buf_reset(&v);
		decoder_init(&d, (enum decode_kind)k);
		for (size_t at = 0; at < len; at += 65536)
			rc |= decoder_feed(&d, in + at, 65536, &v);
		rc |= decoder_finish(&d, &v);
		double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		size_t bound = k == DECODE_BASE64 || k == DECODE_UUENCODE ?
			       len / 4 * 3 : len;
		ok(rc == 0 && v.len <= bound && secs < 10,
		   "%s: 10 MB of random bytes decoded in %.2f s, %zu bytes out",
		   names[k], secs, v.len);
	}
	/* A text of begin lines: each is examined at most twice. */
	size_t n;
	struct uu_block b[1];
	for (size_t i = 0; i + 12 <= len; i += 12)
		memcpy(in + i, "begin 644 x\n", 12);
	clock_t t0 = clock();
	uu_find(in, len, b, 1, &n);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(n == 0 && secs < 10, "uu_find: 10 MB of begin lines in %.2f s", secs);
	free(in);
}

int main(void)
{
	buf_init(&v, BIG);
	test_names();
	test_qp();
	test_qp_long_blanks();
	test_base64();
	test_uuencode();
	test_identity();
	test_limits();
	test_uu_find();
	test_big_random();
	buf_release(&v);
	return done_testing();
}
