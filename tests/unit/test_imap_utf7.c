/* test_imap_utf7: folder names in modified UTF-7 and UTF-8. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap_utf7.h"
#include "sanitize.h"
#include "tap.h"

static struct buf out;
static int rc;

static const char *dec_n(const char *in, size_t len)
{
	buf_reset(&out);
	rc = imap_utf7_decode(in, len, &out);
	return out.data;
}

static const char *enc_n(const char *in, size_t len)
{
	buf_reset(&out);
	rc = imap_utf7_encode(in, len, &out);
	return out.data;
}

#define DEC(lit) dec_n(lit, sizeof(lit) - 1)
#define ENC(lit) enc_n(lit, sizeof(lit) - 1)

struct pair {
	const char *mutf7, *utf8, *what;
};

/* Both ways: every one of these is canonical. */
static const struct pair pairs[] = {
	{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
	  "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "RFC 3501 s5.1.3 example (Taipei / Japanese)" },
	{ "Entw&APw-rfe", "Entw\xc3\xbcrfe", "Entwuerfe with u-umlaut" },
	{ "&-", "&", "\"&-\" is the ampersand" },
	{ "&-&-", "&&", "two ampersands" },
	{ "a&-b", "a&b", "ampersand between letters" },
	{ "", "", "the empty name" },
	{ "INBOX", "INBOX", "plain ASCII is itself" },
	{ " !\"#$%'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~",
	  " !\"#$%'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~",
	  "every kind of printable ASCII but & stands for itself" },
	{ "&2D3eAA-", "\xf0\x9f\x98\x80", "an emoji is a surrogate pair" },
	{ "a&2D3eAA-b", "a\xf0\x9f\x98\x80" "b", "emoji between letters" },
	{ "&2ADcAA-", "\xf0\x90\x80\x80", "U+10000, first astral" },
	{ "&2,,f,w-", "\xf4\x8f\xbf\xbf", "U+10FFFF, last code point" },
	{ "&APwA,A-", "\xc3\xbc\xc3\xbc", "two characters share one run" },
	{ "&AAk-", "\t", "an encoded TAB decodes (controls are kept)" },
	{ "&AH8-", "\x7f", "an encoded DEL decodes" },
	{ "&AIA-", "\xc2\x80", "U+0080, first of C1" },
	{ "&1,8-", "\xed\x9f\xbf", "U+D7FF, last before the surrogates" },
	{ "&4AA-", "\xee\x80\x80", "U+E000, first after the surrogates" },
	{ "&,,8-", "\xef\xbf\xbf", "U+FFFF" },
	{ "&ZeVnLIqe-&-Entw&APw-rfe&2D3eAA-x",
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e&Entw\xc3\xbcrfe\xf0\x9f\x98\x80x",
	  "\"&-\" between two runs is not a null shift" },
};

static void test_pairs(void)
{
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];
		is_str(dec_n(p->mutf7, strlen(p->mutf7)), p->utf8, "decode: %s", p->what);
		is_int(rc, 0, "decode succeeds: %s", p->what);
		is_str(enc_n(p->utf8, strlen(p->utf8)), p->mutf7, "encode: %s", p->what);
		is_int(rc, 0, "encode succeeds: %s", p->what);
	}
}

struct bad {
	const char *in;
	size_t len;
	const char *shown, *what;
};

#define BAD(lit, shown, what) { lit, sizeof(lit) - 1, shown, what }

static const struct bad bads[] = {
	BAD("&Jjo!", "&Jjo!", "RFC 9051 A.1: \"!\" is outside the base64 alphabet"),
	BAD("&U,BTFw", "&U,BTFw", "a run not ended by \"-\""),
	BAD("a&", "a&", "a lone \"&\" at the end"),
	BAD("&&-", "&&-", "\"&\" inside a run"),
	BAD("&U/BTFw-", "&U/BTFw-", "\"/\" of plain base64 instead of \",\""),
	BAD("&U,BTFw=-", "&U,BTFw=-", "base64 padding \"=\""),
	BAD("&AGE-", "&AGE-", "printable ASCII \"a\" encoded"),
	BAD("&ACY-", "&ACY-", "\"&\" encoded instead of \"&-\""),
	BAD("&ACA-", "&ACA-", "space encoded"),
	BAD("&AH4-", "&AH4-", "tilde encoded"),
	BAD("&APx-", "&APx-", "non-zero padding bits"),
	BAD("&APwA-", "&APwA-", "a superfluous base64 character"),
	BAD("&A-", "&A-", "a run shorter than one character"),
	BAD("&AP-", "&AP-", "a run of two characters holds no unit"),
	BAD("&APw-&APw-", "&APw-&APw-", "two runs back to back (null shift)"),
	BAD("&APw-&AOQ-x", "&APw-&AOQ-x", "two different runs back to back"),
	BAD("&2D0-", "&2D0-", "a lone high surrogate"),
	BAD("&3gA-", "&3gA-", "a lone low surrogate"),
	BAD("&2D0A,A-", "&2D0A,A-", "a high surrogate followed by a letter"),
	BAD("&3gDYPQ-", "&3gDYPQ-", "a surrogate pair in the wrong order"),
	BAD("&2D0-&3gA-", "&2D0-&3gA-", "a surrogate pair split over two runs"),
	BAD("&AAA-", "&AAA-", "U+0000"),
	BAD("Entw\xc3\xbcrfe", "Entw\\xc3\\xbcrfe", "8-bit bytes (raw UTF-8)"),
	BAD("Entw\xfcrfe", "Entw\\xfcrfe", "an 8-bit byte"),
	BAD("a\tb", "a\\x09b", "a raw control character"),
	BAD("a\x7f", "a\\x7f", "a raw DEL"),
	BAD("a\0b", "a\\x00b", "a raw NUL"),
	BAD("&\xc3\xbc-", "&\\xc3\\xbc-", "8-bit bytes inside a run"),
	BAD("&-&", "&-&", "an ampersand then an open run"),
};

static void test_rejections(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		is_str(dec_n(b->in, b->len), b->shown, "refused and shown escaped: %s",
		       b->what);
		is_int(rc, -1, "decode fails: %s", b->what);
	}
}

static void test_escaped_form(void)
{
	buf_reset(&out);
	if (buf_append_str(&out, "prefix:") < 0)
		abort();
	rc = imap_utf7_decode("&APw-&APw-", 10, &out);
	is_str(out.data, "prefix:&APw-&APw-",
	       "a refused name replaces only what the call appended");
	buf_reset(&out);
	if (buf_append_str(&out, "prefix:") < 0)
		abort();
	rc = imap_utf7_decode("Entw&APw-rfe", 12, &out);
	is_str(out.data, "prefix:Entw\xc3\xbcrfe", "decode appends to out");

	char big[3000];
	memset(big, '\x80', sizeof(big));
	dec_n(big, sizeof(big));
	is_int(rc, -1, "a long 8-bit name is refused");
	ok(out.len <= IMAP_UTF7_NAME_MAX + 3 && out.len >= IMAP_UTF7_NAME_MAX - 4,
	   "its escaped form is cut near IMAP_UTF7_NAME_MAX (%zu bytes)", out.len);
	ok(out.len >= 3 && memcmp(out.data + out.len - 3, "...", 3) == 0,
	   "a cut escaped form ends with \"...\"");
	ok(strncmp(out.data, "\\x80\\x80", 8) == 0, "and starts with the escaped bytes");
	is_int((long long)strlen(out.data), (long long)out.len,
	       "the escaped form holds no NUL");
}

static void test_length_cap(void)
{
	char name[IMAP_UTF7_NAME_MAX + 2];
	memset(name, 'a', sizeof(name));
	dec_n(name, IMAP_UTF7_NAME_MAX);
	is_int(rc, 0, "a name of exactly IMAP_UTF7_NAME_MAX bytes decodes");
	dec_n(name, IMAP_UTF7_NAME_MAX + 1);
	is_int(rc, -1, "one byte more is refused");
	enc_n(name, IMAP_UTF7_NAME_MAX);
	is_int(rc, 0, "encode takes IMAP_UTF7_NAME_MAX bytes");
	enc_n(name, IMAP_UTF7_NAME_MAX + 1);
	is_int(rc, -1, "encode refuses one byte more");
	is_int((long long)out.len, 0, "a refused encode appends nothing");

	/* 341 CJK characters (1023 bytes) plus one more: the cap counts
	 * decoded UTF-8 bytes, not encoded ones. */
	struct buf u;
	buf_init(&u, 8192);
	for (int i = 0; i < 341; i++)
		if (buf_append_str(&u, "\xe6\x97\xa5") < 0)
			abort();
	enc_n(u.data, u.len);
	is_int(rc, 0, "1023 bytes of CJK encode");
	char *m = strdup(out.data);
	dec_n(m, strlen(m));
	is_int(rc, 0, "and decode back (1023 bytes)");
	is_int((long long)out.len, 1023, "to 1023 bytes");
	if (buf_append_str(&u, "\xe6\x97\xa5") < 0)
		abort();
	free(m);
	enc_n(u.data, u.len);
	is_int(rc, -1, "1026 bytes of CJK are refused by encode");
	buf_release(&u);
	struct buf enc;
	buf_init(&enc, 8192);
	if (buf_append_char(&enc, '&') < 0)
		abort();
	/* U+65E5 three times is "ZeVl5WXl"; 342 characters = 114 such. */
	for (int i = 0; i < 114; i++)
		if (buf_append_str(&enc, "ZeVl5WXl") < 0)
			abort();
	if (buf_append_char(&enc, '-') < 0)
		abort();
	dec_n(enc.data, enc.len);
	is_int(rc, -1, "a run decoding to 1026 bytes is refused");
	buf_truncate(&enc, 1 + 113 * 8);
	if (buf_append_str(&enc, "-") < 0)
		abort();
	dec_n(enc.data, enc.len);
	is_int(rc, 0, "339 characters (1017 bytes) in one run decode");
	is_int((long long)out.len, 1017, "to 1017 bytes");
	buf_release(&enc);
}

static void test_encode_refusals(void)
{
	ENC("a\xc3");
	is_int(rc, -1, "encode refuses a cut UTF-8 sequence");
	ENC("\xc0\xaf");
	is_int(rc, -1, "encode refuses an overlong form");
	ENC("\xed\xa0\x80");
	is_int(rc, -1, "encode refuses a UTF-8 surrogate");
	ENC("\xf4\x90\x80\x80");
	is_int(rc, -1, "encode refuses a code point past U+10FFFF");
	ENC("a\0b");
	is_int(rc, -1, "encode refuses a NUL");
	ENC("\xff");
	is_int(rc, -1, "encode refuses 0xFF");

	struct buf small;
	buf_init(&small, 8);
	rc = imap_utf7_encode("Entw\xc3\xbcrfe", 9, &small);
	is_int(rc, -1, "encode fails when out's maximum is reached");
	is_int((long long)small.len, 0, "and leaves out unchanged");
	rc = imap_utf7_encode("Entw", 4, &small);
	is_str(small.data, "Entw", "a name that fits is encoded");
	buf_release(&small);

	buf_init(&small, 6);
	rc = imap_utf7_decode("Entw&APw-rfe", 12, &small);
	is_int(rc, -1, "decode fails when out's maximum is reached");
	is_str(small.data, "Entw&A", "and out holds what of the escaped form fits");
	buf_release(&small);
}

/* Each prefix of a valid name decodes when it ends between tokens, and is
 * refused when it ends inside "&...-". */
static void test_prefixes(void)
{
	int bad = 0;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *m = pairs[i].mutf7;
		size_t len = strlen(m);
		bool in_run = false;
		for (size_t k = 0; k <= len; k++) {
			if (k > 0 && m[k - 1] == '&')
				in_run = true;
			else if (k > 0 && m[k - 1] == '-')
				in_run = false;
			dec_n(m, k);
			if (rc != (in_run ? -1 : 0) ||
			    (rc == 0 && strncmp(out.data, pairs[i].utf8, out.len) != 0)) {
				diag("prefix %zu of \"%s\": rc %d, \"%s\"", k, m, rc, out.data);
				bad++;
			}
		}
	}
	is_int(bad, 0, "every prefix: decodes to a prefix at token ends, refused inside a run");
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static const unsigned boundaries[] = {
	0x01, 0x09, 0x1f, 0x20, 0x25, 0x26, 0x27, 0x2d, 0x7e, 0x7f, 0x80, 0x9f,
	0xa0, 0xff, 0x100, 0x7ff, 0x800, 0xfff, 0x1000, 0xd7ff, 0xe000, 0xfeff,
	0xfffd, 0xfffe, 0xffff, 0x10000, 0x1f600, 0xeffff, 0x10fffe, 0x10ffff,
};

static unsigned random_cp(void)
{
	switch (rng() % 4) {
	case 0:
		return boundaries[rng() % (sizeof(boundaries) / sizeof(boundaries[0]))];
	case 1:
		return 0x20 + rng() % 0x5f;       /* printable ASCII, "&" included */
	case 2: {
		unsigned cp = 1 + rng() % 0xffff;  /* BMP */
		return cp >= 0xd800 && cp <= 0xdfff ? cp - 0x800 : cp;
	}
	default:
		return 0x10000 + rng() % 0x100000; /* astral */
	}
}

/* Encodes then decodes u[0..len); returns whether both worked, the
 * decode gave u back, and re-encoding the decoded form gives the same. */
static bool round_trip(const char *u, size_t len)
{
	struct buf m, back, again;
	bool good;

	buf_init(&m, 8192);
	buf_init(&back, 8192);
	buf_init(&again, 8192);
	good = imap_utf7_encode(u, len, &m) == 0 &&
	       imap_utf7_decode(m.data, m.len, &back) == 0 &&
	       back.len == len && memcmp(back.data, u, len) == 0 &&
	       imap_utf7_encode(back.data, back.len, &again) == 0 &&
	       again.len == m.len && memcmp(again.data, m.data, m.len) == 0;
	if (!good)
		diag("round trip failed: \"%s\" -> \"%s\"", u, m.data);
	buf_release(&m);
	buf_release(&back);
	buf_release(&again);
	return good;
}

static void test_round_trips(void)
{
	int bad = 0;
	struct buf u;
	buf_init(&u, 4096);
	for (unsigned cp = 1; cp <= 0xffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		buf_reset(&u);
		if (buf_append_char(&u, 'a') < 0 || utf8_append(&u, cp) < 0 ||
		    buf_append_char(&u, 'b') < 0)
			abort();
		bad += !round_trip(u.data, u.len);
	}
	is_int(bad, 0, "every BMP code point round-trips between letters");

	bad = 0;
	for (int n = 0; n < 5000; n++) {
		buf_reset(&u);
		size_t chars = rng() % 40;
		for (size_t k = 0; k < chars; k++)
			if (utf8_append(&u, random_cp()) < 0)
				abort();
		bad += !round_trip(u.data, u.len);
	}
	is_int(bad, 0, "5000 random names (boundary values, ASCII, BMP, astral) round-trip");
	buf_release(&u);

	bad = 0;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct buf d, m;
		buf_init(&d, 4096);
		buf_init(&m, 4096);
		if (imap_utf7_decode(pairs[i].mutf7, strlen(pairs[i].mutf7), &d) < 0 ||
		    imap_utf7_encode(d.data, d.len, &m) < 0 || strcmp(m.data, pairs[i].mutf7) != 0)
			bad++;
		buf_release(&d);
		buf_release(&m);
	}
	is_int(bad, 0, "decode then encode gives each valid name back");
}

static void test_modes(void)
{
	buf_reset(&out);
	rc = imap_utf7_from_server(IMAP_NAME_MUTF7, "Entw&APw-rfe", 12, &out);
	is_str(out.data, "Entw\xc3\xbcrfe", "modified UTF-7 mode decodes");
	buf_reset(&out);
	rc = imap_utf7_from_server(IMAP_NAME_UTF8, "Entw\xc3\xbcrfe & Co", 14, &out);
	is_str(out.data, "Entw\xc3\xbcrfe & Co", "UTF-8 mode keeps the name, \"&\" included");
	is_int(rc, 0, "UTF-8 mode accepts valid UTF-8");
	buf_reset(&out);
	rc = imap_utf7_from_server(IMAP_NAME_UTF8, "Entw&APw-rfe", 12, &out);
	is_str(out.data, "Entw&APw-rfe", "UTF-8 mode does not decode modified UTF-7");
	buf_reset(&out);
	rc = imap_utf7_from_server(IMAP_NAME_UTF8, "Entw\xfcrfe", 8, &out);
	is_int(rc, -1, "UTF-8 mode refuses invalid UTF-8");
	is_str(out.data, "Entw\\xfcrfe", "and shows it escaped");
	buf_reset(&out);
	rc = imap_utf7_from_server(IMAP_NAME_UTF8, "a\0b", 3, &out);
	is_int(rc, -1, "UTF-8 mode refuses a NUL");

	buf_reset(&out);
	rc = imap_utf7_to_server(IMAP_NAME_MUTF7, "Entw\xc3\xbcrfe & Co", 14, &out);
	is_str(out.data, "Entw&APw-rfe &- Co", "to the server in modified UTF-7");
	buf_reset(&out);
	rc = imap_utf7_to_server(IMAP_NAME_UTF8, "Entw\xc3\xbcrfe & Co", 14, &out);
	is_str(out.data, "Entw\xc3\xbcrfe & Co", "to the server in UTF-8, unchanged");
	buf_reset(&out);
	rc = imap_utf7_to_server(IMAP_NAME_UTF8, "\xed\xa0\x80", 3, &out);
	is_int(rc, -1, "UTF-8 mode refuses to send a surrogate");
	is_int((long long)out.len, 0, "and appends nothing");

	ok(imap_utf7_name_valid("\t\x7f", 2), "controls are valid in a UTF-8 name");
	ok(!imap_utf7_name_valid("\xc3", 1), "a cut sequence is not");
}

int main(void)
{
	buf_init(&out, 64 * 1024);
	test_pairs();
	test_rejections();
	test_escaped_form();
	test_length_cap();
	test_encode_refusals();
	test_prefixes();
	test_round_trips();
	test_modes();
	buf_release(&out);
	return done_testing();
}
