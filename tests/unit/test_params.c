/* Tests for src/mime/params.c.  Field values marked "ruby-mail" are taken
 * from /work/shared/corpus/ruby-mail/emails (MIT licence), those marked
 * "mime4j" from james-mime4j (Apache-2.0), "thunderbird" from
 * thunderbird (MPL-2.0), unfolded. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "params.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

static struct mime_params p;

static int ct(const char *v, size_t len)
{
	return mime_params_parse_content_type(v, len, &p);
}

static int cd(const char *v, size_t len)
{
	return mime_params_parse(v, len, &p);
}

static void test_basic(void)
{
	is_int(ct(S("text/plain; charset=us-ascii")), 0, "simple value parses fully");
	is_str(p.type, "text", "type");
	is_str(p.subtype, "plain", "subtype");
	is_str(mime_params_get(&p, "charset"), "us-ascii", "parameter value");
	is_int((long long)p.n_raw, 1, "one raw parameter");

	ct(S("TEXT/PLAIN; CharSet=UTF-8"));
	is_str(p.type, "text", "type lower-cased");
	is_str(p.subtype, "plain", "subtype lower-cased");
	is_str(p.raw[0].name, "charset", "parameter name lower-cased");
	is_str(mime_params_get(&p, "CHARSET"), "UTF-8",
	       "lookup is case-insensitive, value keeps its case");
	ok(mime_params_get(&p, "format") == NULL, "absent parameter is NULL");

	ct(S("application/x-gzip; NAME=blah.gz")); /* ruby-mail */
	is_str(mime_params_get(&p, "name"), "blah.gz", "upper-case parameter name");
}

static void test_quoting(void)
{
	ct(S("text/plain; name=\"quoted \\\" value\"; x=\"a\\\\b\""));
	is_str(mime_params_get(&p, "name"), "quoted \" value", "quoted-pair undone");
	is_str(mime_params_get(&p, "x"), "a\\b", "escaped backslash");

	ct(S("multipart/alternative; boundary=\"=_alternative"));
	is_str(mime_params_get_raw(&p, "boundary"), "=_alternative",
	       "missing closing quote runs to the end");

	ct(S("multipart/signed; boundary= \"---=_=_ 659214770 _=_=---\"; micalg=rsa-sha1"));
	is_str(mime_params_get_raw(&p, "boundary"), "---=_=_ 659214770 _=_=---",
	       "blank after '=' before a quoted value");
	is_str(mime_params_get(&p, "micalg"), "rsa-sha1", "next parameter read");

	ct(S("text/plain; name=\"a\r\n b\""));
	is_str(mime_params_get(&p, "name"), "a b", "line break inside quotes unfolded");

	ct(S("text/plain; name=\"first\" junk here; charset=x"));
	is_str(mime_params_get(&p, "name"), "first", "junk after closing quote dropped");
	is_str(mime_params_get(&p, "charset"), "x", "parameter after junk read");
}

static void test_blanks_and_comments(void)
{
	ct(S("multipart / mixed ; boundary = bfe44553e2 ")); /* mime4j */
	is_str(p.type, "multipart", "blank before '/'");
	is_str(p.subtype, "mixed", "blank after '/'");
	is_str(mime_params_get_raw(&p, "boundary"), "bfe44553e2", "blanks around '='");

	ct(S("text/plain (Plain text) ; charset=us-ascii (Plain text)"));
	is_str(p.subtype, "plain", "comment after subtype");
	is_str(mime_params_get(&p, "charset"), "us-ascii",
	       "token followed by a comment is the token");

	ct(S("(lead (nested \\) ) comment)text/html"));
	is_str(p.type, "text", "nested comment before the type");
	is_str(p.subtype, "html", "subtype after comment");

	ct(S("text/plain; name=Report (final).pdf"));
	is_str(mime_params_get(&p, "name"), "Report (final).pdf",
	       "parentheses inside an unquoted value are kept");

	ct(S("text/plain (unterminated; charset=x"));
	is_str(p.subtype, "plain", "unterminated comment: type kept");
	ok(mime_params_get(&p, "charset") == NULL,
	   "unterminated comment swallows the rest");
}

static void test_unquoted(void)
{
	ct(S("text/plain; name=This is a test.txt")); /* ruby-mail */
	is_str(mime_params_get(&p, "name"), "This is a test.txt",
	       "unquoted value with blanks runs to ';'");

	ct(S("application/pdf; name==?utf-8?B?VGhpcyBpcyBhIHRlc3QucGRm?=")); /* ruby-mail */
	is_str(mime_params_get_raw(&p, "name"), "=?utf-8?B?VGhpcyBpcyBhIHRlc3QucGRm?=",
	       "unquoted value with tspecials kept raw");
	is_str(mime_params_get(&p, "name"), "This is a test.pdf",
	       "unquoted encoded word decoded");

	ct(S("message/external-body; access-type=mail-server            "
	     "server=\"listserv@bogus.bitnet\";  expiration=\"Fri, 14 Jun 1991\"")); /* mime4j */
	is_str(mime_params_get(&p, "access-type"), "mail-server",
	       "blank then name= ends an unquoted value (missing ';')");
	is_str(mime_params_get(&p, "server"), "listserv@bogus.bitnet",
	       "parameter after a missing ';'");
	is_str(mime_params_get(&p, "expiration"), "Fri, 14 Jun 1991",
	       "quoted value with comma");

	ct(S("multipart/mixed\tboundary=\"boundary\"")); /* mime4j */
	is_str(p.subtype, "mixed", "missing ';' after subtype: subtype");
	is_str(mime_params_get_raw(&p, "boundary"), "boundary",
	       "missing ';' after subtype: parameter");

	ct(S("multipart/mixed; boundary=1; comment=\"\"  comment=\"second\""));
	is_str(mime_params_get(&p, "comment"), "", "quoted empty value");
	is_int((long long)p.n_raw, 2, "duplicate after missing ';' dropped");

	ct(S("text/plain; charset=utf-8; foo boundary=x"));
	is_str(mime_params_get_raw(&p, "boundary"), "x",
	       "name without '=' then a parameter without ';'");
}

static void test_empty_and_duplicates(void)
{
	ct(S("text/plain; charset=a; CHARSET=b; charset=c"));
	is_str(mime_params_get(&p, "charset"), "a", "first duplicate wins");
	is_int((long long)p.n_raw, 1, "duplicates dropped");

	ct(S("text/plain; name=; x=\"\"; y"));
	is_str(mime_params_get(&p, "name"), "", "empty unquoted value");
	is_str(mime_params_get(&p, "x"), "", "empty quoted value");
	ok(mime_params_get(&p, "y") == NULL, "name without '=' skipped");

	ct(S("multipart/alternative ; ; ; ;; ;;;;;;;; boundary=\"foo\"")); /* mime4j */
	is_str(mime_params_get_raw(&p, "boundary"), "foo", "runs of ';' skipped");

	ct(S("message/rfc822;  name=\"ForwardedMessage.eml\";")); /* ruby-mail */
	is_str(mime_params_get(&p, "name"), "ForwardedMessage.eml", "trailing ';'");
	is_int((long long)p.n_raw, 1, "trailing ';' adds nothing");

	ct(S("message/rfc822; charset=UTF-8;\"")); /* thunderbird */
	is_str(mime_params_get(&p, "charset"), "UTF-8", "stray quote at the end");
	is_int((long long)p.n_raw, 1, "stray quote adds nothing");

	ct(S("text/html   ; charest=\"us-ascii\"")); /* ruby-mail */
	is_str(mime_params_get(&p, "charest"), "us-ascii", "misspelt name kept as is");
	ok(mime_params_get(&p, "charset") == NULL, "no charset invented");
}

static void test_defaults(void)
{
	ct(S("text"));
	is_str(p.type, "text", "bare text: type");
	is_str(p.subtype, "plain", "bare text becomes text/plain");
	ct(S("text; charset=UTF-8;")); /* thunderbird */
	is_str(p.subtype, "plain", "text without subtype, with parameters");
	is_str(mime_params_get(&p, "charset"), "UTF-8", "its parameters kept");
	ct(S("text/"));
	is_str(p.subtype, "plain", "empty subtype of text");
	ct(S("multipart; boundary=x"));
	is_str(p.subtype, "mixed", "bare multipart becomes multipart/mixed");
	ct(S("X-BE2; 12")); /* thunderbird */
	is_str(p.type, "application", "unknown type without subtype");
	is_str(p.subtype, "octet-stream", "becomes application/octet-stream");
	ct(S("=?utf-8?Q?invalid?=")); /* ruby-mail */
	is_str(p.type, "application", "garbage type");
	is_str(p.subtype, "octet-stream", "garbage becomes application/octet-stream");
	ct(S("\"text/plain\"; charset=x"));
	is_str(p.type, "application", "quoted type is garbage");
	is_str(mime_params_get(&p, "charset"), "x", "parameters after garbage kept");
	ct(S("  (only a comment) "));
	is_str(p.type, "", "empty value: type empty for the caller's default");
	is_str(p.subtype, "", "empty value: subtype empty");
	ct(S(""));
	is_str(p.type, "", "zero-length value");

	cd(S("attachment; filename=blah.gz")); /* ruby-mail */
	is_str(p.type, "attachment", "disposition type");
	is_str(p.subtype, "", "disposition has no subtype");
	is_str(mime_params_get(&p, "filename"), "blah.gz", "disposition filename");
	cd(S(";        filename=\"image001.png\"")); /* thunderbird */
	is_str(p.type, "", "missing disposition type");
	is_str(mime_params_get(&p, "filename"), "image001.png",
	       "filename without disposition type");
	cd(S("INLINE"));
	is_str(p.type, "inline", "disposition lower-cased");
	cd(S("=?utf-8?Q?invalid?=")); /* ruby-mail */
	is_str(p.type, "", "garbage disposition has an empty type");
	is_int((long long)p.n_raw, 0, "garbage disposition has no parameters");
}

static void test_rfc2231(void)
{
	cd(S("inline;\tfilename*=ISO-8859-1''Eelanal%FC%FCsi%20p%E4ring.jpg")); /* ruby-mail */
	is_str(mime_params_get(&p, "filename"), "Eelanal\xc3\xbc\xc3\xbcsi p\xc3\xa4ring.jpg",
	       "RFC 2231 extended value in ISO-8859-1");
	is_str(p.raw[0].name, "filename*", "raw name keeps the star");
	is_str(p.decoded[0].name, "filename", "decoded name is the base name");

	cd(S("attachment;\tfilename*0*=utf-8''%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91"
	     "%E3%81%93%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93%E3%81%8B%E3%81%8D"
	     "%E3%81%8F%E3%81%91%E3%81%93%E3%81%8B%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93"
	     "%E3%81%8B;\tfilename*1*=%E3%81%8D%E3%81%8F%E3%81%91%E3%81%93.txt")); /* ruby-mail */
	is_str(mime_params_get(&p, "filename"),
	       "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f\xe3\x81\x91\xe3\x81\x93"
	       "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f\xe3\x81\x91\xe3\x81\x93"
	       "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f\xe3\x81\x91\xe3\x81\x93"
	       "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f\xe3\x81\x91\xe3\x81\x93"
	       "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f\xe3\x81\x91\xe3\x81\x93.txt",
	       "RFC 2231 continuations joined");
	is_int((long long)p.n_decoded, 1, "continuations give one decoded parameter");

	cd(S("attachment; filename=\"plain.txt\"; filename*=utf-8''%C3%A4.txt"));
	is_str(mime_params_get(&p, "filename"), "\xc3\xa4.txt",
	       "RFC 2231 form wins over the plain one");
	is_str(mime_params_get_raw(&p, "filename"), "plain.txt",
	       "the plain raw value is still there");

	ct(S("TEXT/PLAIN; charset=iso-8859-1; name*=\"iso-8859-1''HasenundFr%F6sche.txt\"")); /* thunderbird */
	is_str(mime_params_get(&p, "name"), "HasenundFr\xc3\xb6sche.txt",
	       "quoted RFC 2231 extended value");

	cd(S("attachment; filename*0=\"=?utf-8?B?w6Q=?=\"; filename*1=\".txt\""));
	is_str(mime_params_get(&p, "filename"), "\xc3\xa4.txt",
	       "encoded word inside RFC 2231 sections decoded");
}

static void test_rfc2047(void)
{
	ct(S("image/jpeg;\tx-unix-mode=0700;\tname=\"=?ISO-8859-1?Q?Eelanal=FC=FCsi_p=E4ring.jpg?=\"")); /* ruby-mail */
	is_str(mime_params_get(&p, "name"), "Eelanal\xc3\xbc\xc3\xbcsi p\xc3\xa4ring.jpg",
	       "quoted encoded word decoded (Outlook style)");
	is_str(mime_params_get(&p, "x-unix-mode"), "0700", "other parameter kept");

	ct(S("text/plain; charset=UTF-8; name=\"=?UTF-8?B?44Gm44GZ44GoLnR4dA==?=\"")); /* ruby-mail */
	is_str(mime_params_get(&p, "name"), "\xe3\x81\xa6\xe3\x81\x99\xe3\x81\xa8.txt",
	       "base64 encoded word in UTF-8");

	ct(S("text/plain; name=\"=?utf-8?B?44GL44GN?= =?utf-8?B?44GP?=\""));
	is_str(mime_params_get(&p, "name"), "\xe3\x81\x8b\xe3\x81\x8d\xe3\x81\x8f",
	       "adjacent encoded words joined");

	ct(S("text/plain; name=ci\xc3\xable.txt")); /* ruby-mail */
	is_str(mime_params_get(&p, "name"), "ci\xc3\xable.txt", "raw UTF-8 kept");

	ct(S("text/plain; name=\"HasenundFr\xf6sche.txt\"")); /* thunderbird */
	is_str(mime_params_get(&p, "name"), "HasenundFr\xc3\xb6sche.txt",
	       "raw 8-bit that is not UTF-8 read as windows-1252");

	ct(S("multipart/mixed; boundary=\"=?utf-8?q?x?=\""));
	is_str(mime_params_get_raw(&p, "boundary"), "=?utf-8?q?x?=",
	       "raw value is not decoded");
}

static void test_filename(void)
{
	struct mime_params d, c;
	mime_params_init(&d);
	mime_params_init(&c);
	mime_params_parse(S("attachment; filename=\"a.pdf\""), &d);
	mime_params_parse_content_type(S("application/pdf; name=\"b.pdf\""), &c);
	is_str(mime_params_filename(&d, &c), "a.pdf", "disposition filename first");
	is_str(mime_params_filename(NULL, &c), "b.pdf", "Content-Type name otherwise");
	mime_params_parse(S("attachment; filename=\"\""), &d);
	is_str(mime_params_filename(&d, &c), "b.pdf", "empty filename counts as absent");
	mime_params_parse_content_type(S("application/pdf"), &c);
	ok(mime_params_filename(&d, &c) == NULL, "no name anywhere");
	ok(mime_params_filename(NULL, NULL) == NULL, "both fields absent");
	mime_params_release(&d);
	mime_params_release(&c);
}

static void test_limits(void)
{
	struct buf v;
	buf_init(&v, (size_t)1 << 20);
	int fail = 0;
	fail |= buf_append_str(&v, "text/plain");
	for (int k = 0; k < 300; k++)
		fail |= buf_printf(&v, "; p%d=%d", k, k);
	ok(fail == 0, "built a value with 300 parameters");
	is_int(ct(v.data, v.len), 1, "more than 256 parameters: limit reported");
	is_int((long long)p.n_raw, MIME_PARAMS_MAX, "256 parameters kept");
	is_str(mime_params_get(&p, "p255"), "255", "the 256th is there");
	ok(mime_params_get(&p, "p256") == NULL, "the 257th is not");

	buf_reset(&v);
	fail = buf_append_str(&v, "text/plain; charset=x; name=\"");
	for (size_t k = 0; k < MIME_PARAMS_MAX_VALUE; k++)
		fail |= buf_append_char(&v, 'a');
	fail |= buf_append_str(&v, "\"; format=flowed");
	is_int(ct(v.data, v.len), 1, "value over 64 KiB: limit reported");
	is_str(mime_params_get(&p, "charset"), "x", "what fits is read");
	ok(mime_params_get(&p, "name") != NULL &&
	   strlen(mime_params_get(&p, "name")) < MIME_PARAMS_MAX_VALUE,
	   "the long value is cut");
	ok(mime_params_get(&p, "format") == NULL, "what is past the limit is not read");
	buf_release(&v);

	static const char nul[] = "text/plain; name=\"a\0b\"";
	ct(nul, sizeof(nul) - 1);
	is_str(mime_params_get(&p, "name"), "ab", "NUL bytes dropped from values");
}

static void test_truncation(void)
{
	/* Every prefix parses (in a buffer of its exact size, for ASan) and
	 * yields a usable result. */
	static const char v[] =
		"multipart/mixed (c) ; boundary=\"a\\\"b\"; name*0*=utf-8''%C3;"
		" name*1*=%A4; x=y z; filename==?utf-8?q?a?=";
	int bad = 0;
	for (size_t n = 0; n <= sizeof(v) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, v, n);
		ct(copy, n);
		if (p.type == NULL || p.subtype == NULL)
			bad++;
		for (size_t k = 0; k < p.n_raw; k++)
			if (p.raw[k].name[0] == '\0')
				bad++;
		free(copy);
	}
	is_int(bad, 0, "every prefix parses to a usable result");
	is_str(mime_params_get(&p, "name"), "\xc3\xa4", "full value: continuations");
	is_str(mime_params_get(&p, "x"), "y z", "full value: unquoted with blank");
	is_str(mime_params_get_raw(&p, "boundary"), "a\"b", "full value: boundary");
}

static void test_cte(void)
{
	is_int(mime_cte_parse(S("Base64 ")), MIME_CTE_BASE64, "Base64 with blank");
	is_int(mime_cte_parse(S("QUOTED-PRINTABLE")), MIME_CTE_QP, "upper-case qp");
	is_int(mime_cte_parse(S("quoted-printable;")), MIME_CTE_QP, "qp with ';' (ruby-mail)");
	is_int(mime_cte_parse(S("quoted printable")), MIME_CTE_QP, "qp with a blank (ruby-mail)");
	is_int(mime_cte_parse(S("7bit")), MIME_CTE_7BIT, "7bit");
	is_int(mime_cte_parse(S("7-bit")), MIME_CTE_7BIT, "7-bit (ruby-mail)");
	is_int(mime_cte_parse(S("8bits")), MIME_CTE_8BIT, "8bits (ruby-mail)");
	is_int(mime_cte_parse(S("8Bit")), MIME_CTE_8BIT, "8Bit");
	is_int(mime_cte_parse(S("binary")), MIME_CTE_BINARY, "binary");
	is_int(mime_cte_parse(S("x-uuencode")), MIME_CTE_UUENCODE, "x-uuencode (ruby-mail)");
	is_int(mime_cte_parse(S("X-UUE")), MIME_CTE_UUENCODE, "x-uue");
	is_int(mime_cte_parse(S("(comment) base64 (more)")), MIME_CTE_BASE64,
	       "comments around the mechanism");
	is_int(mime_cte_parse(S("")), MIME_CTE_7BIT, "empty means 7bit (ruby-mail)");
	is_int(mime_cte_parse(S("  ")), MIME_CTE_7BIT, "blank means 7bit");
	is_int(mime_cte_parse(S("7vladi.Pimenovit")), MIME_CTE_UNKNOWN, "garbage (ruby-mail)");
	is_int(mime_cte_parse(S("text/html")), MIME_CTE_UNKNOWN, "a type is no encoding (ruby-mail)");
	is_int(mime_cte_parse(S("quoted")), MIME_CTE_UNKNOWN, "quoted alone is unknown");
	is_int(mime_cte_parse(S("base64x")), MIME_CTE_UNKNOWN, "prefix match is not enough");
	is_str(mime_cte_name(MIME_CTE_QP), "quoted-printable", "canonical name");
	is_str(mime_cte_name(MIME_CTE_UNKNOWN), "unknown", "name of unknown");
}

static void test_lifecycle(void)
{
	struct mime_params q;
	mime_params_init(&q);
	ok(q.type == NULL && q.n_raw == 0, "init leaves an empty struct");
	mime_params_release(&q);
	ok(q.type == NULL, "release of an empty struct");
	mime_params_parse_content_type(S("text/html; charset=a"), &q);
	mime_params_parse_content_type(S("image/png"), &q);
	is_str(q.type, "image", "a second parse overwrites the first");
	is_int((long long)q.n_raw, 0, "old parameters gone");
	mime_params_release(&q);
}

int main(void)
{
	mime_params_init(&p);
	test_basic();
	test_quoting();
	test_blanks_and_comments();
	test_unquoted();
	test_empty_and_duplicates();
	test_defaults();
	test_rfc2231();
	test_rfc2047();
	test_filename();
	test_limits();
	test_truncation();
	test_cte();
	test_lifecycle();
	mime_params_release(&p);
	return done_testing();
}
