/* test_imap_resp: untagged data and response codes, decoded from wire text
 * run through imap_parser (whole, and for some one byte at a time). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "imap_parser.h"
#include "imap_resp.h"
#include "tap.h"

static struct imap_parser *P;
static struct err E;

/* The one response of wire (which ends with its line end), fed whole or
 * one byte at a time; NULL (and a diagnostic) if the parser refused it. */
static const struct imap_response *parse_split(const char *wire, size_t len, bool bytes)
{
	imap_parser_reset(P);
	size_t at = 0;
	while (at < len) {
		size_t used = 0, chunk = bytes ? 1 : len - at;
		struct err e;
		err_init(&e);
		enum imap_parse_result rc = imap_parser_feed(P, wire + at, chunk, &used, &e);
		at += used;
		if (rc == IMAP_PARSE_ERROR) {
			diag("parser refused \"%s\": %s", wire, e.msg);
			return NULL;
		}
		if (rc == IMAP_PARSE_RESPONSE)
			return at == len ? imap_parser_response(P) : NULL;
	}
	diag("parser wants more of \"%s\"", wire);
	return NULL;
}

static const struct imap_response *parse(const char *wire)
{
	return parse_split(wire, strlen(wire), false);
}

static const struct imap_response *parse_bytes(const char *wire)
{
	return parse_split(wire, strlen(wire), true);
}

static const struct imap_response *empty_response(void)
{
	static const struct imap_response r = { .kind = IMAP_RESP_TAGGED };
	return &r;
}

static const struct imap_response *parse_ok(const char *wire)
{
	const struct imap_response *r = parse(wire);
	return r != NULL ? r : empty_response();
}

/* ---- classify ---- */

static void test_classify(void)
{
	static const struct {
		const char *wire;
		enum imap_data want;
	} cases[] = {
		{ "a1 OK done\r\n", IMAP_DATA_NONE },
		{ "+ go ahead\r\n", IMAP_DATA_NONE },
		{ "* OK [UIDVALIDITY 3] x\r\n", IMAP_DATA_STATUS },
		{ "* BYE bye\r\n", IMAP_DATA_STATUS },
		{ "* CAPABILITY IMAP4rev1 IDLE\r\n", IMAP_DATA_CAPABILITY },
		{ "* ENABLED CONDSTORE\r\n", IMAP_DATA_ENABLED },
		{ "* FLAGS (\\Seen)\r\n", IMAP_DATA_FLAGS },
		{ "* LIST () \"/\" INBOX\r\n", IMAP_DATA_LIST },
		{ "* lsub () \"/\" INBOX\r\n", IMAP_DATA_LSUB },
		{ "* STATUS INBOX (MESSAGES 1)\r\n", IMAP_DATA_MAILBOX_STATUS },
		{ "* NAMESPACE NIL NIL NIL\r\n", IMAP_DATA_NAMESPACE },
		{ "* SEARCH 1 2\r\n", IMAP_DATA_SEARCH },
		{ "* ESEARCH COUNT 0\r\n", IMAP_DATA_ESEARCH },
		{ "* VANISHED 1:3\r\n", IMAP_DATA_VANISHED },
		{ "* ID NIL\r\n", IMAP_DATA_ID },
		{ "* 23 EXISTS\r\n", IMAP_DATA_EXISTS },
		{ "* 0 RECENT\r\n", IMAP_DATA_RECENT },
		{ "* 4 expunge\r\n", IMAP_DATA_EXPUNGE },
		{ "* 4 FETCH (UID 5)\r\n", IMAP_DATA_FETCH },
		{ "* 4 XYZZY\r\n", IMAP_DATA_OTHER },
		{ "* 4\r\n", IMAP_DATA_OTHER },
		{ "* METADATA x\r\n", IMAP_DATA_OTHER },
		{ "* \"quoted\" x\r\n", IMAP_DATA_OTHER },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(imap_resp_classify(parse_ok(cases[i].wire)), cases[i].want,
		       "classify: \"%.*s\" is %s", (int)strcspn(cases[i].wire, "\r"),
		       cases[i].wire, imap_resp_data_name(cases[i].want));
	is_str(imap_resp_data_name(IMAP_DATA_MAILBOX_STATUS), "STATUS",
	       "data name: MAILBOX_STATUS is STATUS");
	is_str(imap_resp_data_name((enum imap_data)999), "", "data name: out of range is \"\"");
}

/* ---- response codes ---- */

static struct imap_code C;
static int code_rc;

static const struct imap_response *code_of(const char *wire)
{
	const struct imap_response *r = parse_ok(wire);
	err_init(&E);
	code_rc = imap_resp_code(r, &C, &E);
	return r;
}

static void code_is(const char *wire, enum imap_code_type t, const char *what)
{
	code_of(wire);
	ok(code_rc == 0 && C.type == t, "code: %s", what);
	imap_resp_code_release(&C);
}

static void code_fails(const char *wire, const char *what)
{
	code_of(wire);
	ok(code_rc == -1 && E.code == ERR_PARSE && E.scope == ERR_FOLDER &&
	   C.type == IMAP_CODE_NONE && C.uids.n == 0,
	   "code: %s is an ERR_PARSE error (got %d, \"%s\")", what, code_rc, E.msg);
	imap_resp_code_release(&C);
}

static void test_codes_simple(void)
{
	code_of("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_UIDVALIDITY && C.number == 3857529045u,
	   "code: UIDVALIDITY 3857529045 (32 bits)");
	is_str(C.name, "UIDVALIDITY", "code: name kept");
	imap_resp_code_release(&C);
	code_of("* OK [uidnext 4392] Predicted next UID\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_UIDNEXT && C.number == 4392,
	   "code: uidnext in lower case is UIDNEXT 4392");
	imap_resp_code_release(&C);
	code_of("* OK [UNSEEN 12] Message 12 is first unseen\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_UNSEEN && C.number == 12, "code: UNSEEN 12");
	imap_resp_code_release(&C);
	code_of("* OK [HIGHESTMODSEQ 715194045007] Highest\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_HIGHESTMODSEQ && C.modseq == 715194045007ull,
	   "code: HIGHESTMODSEQ 715194045007 (past 32 bits)");
	imap_resp_code_release(&C);
	code_of("a1 OK [HIGHESTMODSEQ 9223372036854775807] max\r\n");
	ok(code_rc == 0 && C.modseq == 9223372036854775807ull,
	   "code: HIGHESTMODSEQ 2^63-1 in a tagged response");
	imap_resp_code_release(&C);
	code_is("* OK [NOMODSEQ] no modseq\r\n", IMAP_CODE_NOMODSEQ, "NOMODSEQ");
	code_is("a2 OK [READ-ONLY] EXAMINE completed\r\n", IMAP_CODE_READ_ONLY, "READ-ONLY");
	code_is("a2 OK [READ-WRITE] SELECT completed\r\n", IMAP_CODE_READ_WRITE, "READ-WRITE");
	code_is("* OK [CLOSED] Previous mailbox closed\r\n", IMAP_CODE_CLOSED, "CLOSED");
	code_is("* OK [ALERT] System shutdown in 10 minutes\r\n", IMAP_CODE_ALERT, "ALERT");
	code_is("a3 NO [TRYCREATE] Mailbox doesn't exist\r\n", IMAP_CODE_TRYCREATE, "TRYCREATE");
	code_is("a3 NO [NONEXISTENT] Unknown mailbox\r\n", IMAP_CODE_NONEXISTENT, "NONEXISTENT");
	code_is("a4 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
		IMAP_CODE_AUTHENTICATIONFAILED, "AUTHENTICATIONFAILED");
	code_is("a4 NO [UNAVAILABLE] Try later\r\n", IMAP_CODE_UNAVAILABLE, "UNAVAILABLE");
	code_is("a4 NO [OVERQUOTA] Quota\r\n", IMAP_CODE_OVERQUOTA, "OVERQUOTA");
	code_is("a4 NO [ALREADYEXISTS] Exists\r\n", IMAP_CODE_ALREADYEXISTS, "ALREADYEXISTS");
	code_is("a4 BAD [UNKNOWN-CTE] Cannot decode\r\n", IMAP_CODE_UNKNOWN_CTE, "UNKNOWN-CTE");
	code_is("a4 NO [BADCHARSET (UTF-8)] no\r\n", IMAP_CODE_BADCHARSET, "BADCHARSET (list)");
	code_is("* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n", IMAP_CODE_CAPABILITY,
		"CAPABILITY is recognised");
	code_is("* OK [XYZZY 1 2 (3)] what\r\n", IMAP_CODE_OTHER, "an unknown code is OTHER");
	code_is("* OK [X-FOO] what\r\n", IMAP_CODE_OTHER, "an unknown bare code is OTHER");
	code_is("* OK no code at all\r\n", IMAP_CODE_NONE, "no code is NONE");
	code_is("* 3 EXISTS\r\n", IMAP_CODE_NONE, "a data response has no code");
	is_str(imap_resp_code_name(IMAP_CODE_READ_ONLY), "READ-ONLY", "code name: READ-ONLY");
}

static void test_codes_args(void)
{
	code_of("* OK [PERMANENTFLAGS (\\Deleted \\Seen $Forwarded Custom \\*)] Limited\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_PERMANENTFLAGS &&
	   C.flags.bits == (IMAP_FLAG_DELETED | IMAP_FLAG_SEEN | IMAP_FLAG_FORWARDED |
			    IMAP_FLAG_ANY_KEYWORD) &&
	   C.flags.n_keywords == 1, "code: PERMANENTFLAGS with \\* as ANY_KEYWORD");
	is_str(C.flags.n_keywords ? C.flags.keywords[0] : NULL, "Custom",
	       "code: PERMANENTFLAGS keyword kept");
	imap_resp_code_release(&C);
	code_of("* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n");
	ok(code_rc == 0 && C.flags.bits == 0 && C.flags.n_keywords == 0,
	   "code: PERMANENTFLAGS () is empty");
	imap_resp_code_release(&C);

	code_of("a5 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n");
	uint32_t src[3] = { 0 }, dst[3] = { 0 }, v = 0;
	size_t pos = 0, k = 0;
	while (code_rc == 0 && k < 3 && imap_seqset_next(&C.src, &pos, &v))
		src[k++] = v;
	pos = 0;
	k = 0;
	while (code_rc == 0 && k < 3 && imap_seqset_next(&C.uids, &pos, &v))
		dst[k++] = v;
	ok(code_rc == 0 && C.type == IMAP_CODE_COPYUID && C.uidvalidity == 38505 &&
	   src[0] == 304 && src[1] == 319 && src[2] == 320 && dst[0] == 3956 &&
	   dst[1] == 3957 && dst[2] == 3958, "code: COPYUID pairs 304->3956, 319->3957, 320->3958");
	imap_resp_code_release(&C);
	code_of("a5 OK [COPYUID 7 3,1 20:19] order\r\n");
	pos = 0;
	ok(code_rc == 0 && C.src.ordered && C.src.r[0].lo == 3 && C.uids.r[0].lo == 19 &&
	   C.uids.r[0].hi == 20, "code: COPYUID sets keep their order (3,1 -> 19:20)");
	imap_resp_code_release(&C);
	code_of("a6 OK [APPENDUID 38505 3955] APPEND completed\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_APPENDUID && C.uidvalidity == 38505 &&
	   imap_seqset_count(&C.uids) == 1 && C.uids.r[0].lo == 3955, "code: APPENDUID 38505 3955");
	imap_resp_code_release(&C);
	code_of("a6 OK [APPENDUID 1 10:12,20] MULTIAPPEND\r\n");
	ok(code_rc == 0 && imap_seqset_count(&C.uids) == 4, "code: APPENDUID with a set (4 uids)");
	imap_resp_code_release(&C);
	code_of("a7 NO [MODIFIED 7,9] Conditional STORE failed\r\n");
	ok(code_rc == 0 && C.type == IMAP_CODE_MODIFIED && imap_seqset_count(&C.uids) == 2 &&
	   imap_seqset_contains(&C.uids, 9), "code: MODIFIED 7,9");
	imap_resp_code_release(&C);
	code_of("* OK [UIDVALIDITY 5 extra] more args than needed\r\n");
	ok(code_rc == 0 && C.number == 5, "code: extra arguments after UIDVALIDITY are ignored");
	imap_resp_code_release(&C);
}

static void test_codes_bad(void)
{
	code_fails("* OK [UIDVALIDITY 0] x\r\n", "UIDVALIDITY 0");
	code_fails("* OK [UIDVALIDITY abc] x\r\n", "UIDVALIDITY abc");
	code_fails("* OK [UIDVALIDITY] x\r\n", "UIDVALIDITY without a value");
	code_fails("* OK [UIDVALIDITY 4294967296] x\r\n", "UIDVALIDITY past 32 bits");
	code_fails("* OK [UIDVALIDITY \"5\"] x\r\n", "UIDVALIDITY as a string");
	code_fails("* OK [UIDNEXT 0] x\r\n", "UIDNEXT 0");
	code_fails("* OK [HIGHESTMODSEQ 0] x\r\n", "HIGHESTMODSEQ 0");
	code_fails("* OK [HIGHESTMODSEQ 9223372036854775808] x\r\n", "HIGHESTMODSEQ 2^63");
	code_fails("* OK [PERMANENTFLAGS \\Seen] x\r\n", "PERMANENTFLAGS not a list");
	code_fails("* OK [PERMANENTFLAGS (\"\\Seen\")] x\r\n", "PERMANENTFLAGS with a string");
	code_fails("a OK [COPYUID 1 1:3 5:6] x\r\n", "COPYUID with 3 sources and 2 destinations");
	code_fails("a OK [COPYUID 1 1:* 5:6] x\r\n", "COPYUID with \"*\"");
	code_fails("a OK [COPYUID 0 1 5] x\r\n", "COPYUID with UIDVALIDITY 0");
	code_fails("a OK [COPYUID 1 1] x\r\n", "COPYUID without a destination");
	code_fails("a OK [COPYUID 1 1,,2 5] x\r\n", "COPYUID with a bad set");
	code_fails("a OK [APPENDUID 1 0] x\r\n", "APPENDUID with uid 0");
	code_fails("a OK [APPENDUID 1 (2)] x\r\n", "APPENDUID with a list");
	code_fails("a NO [MODIFIED] x\r\n", "MODIFIED without a set");
}

/* ---- numbers, FLAGS, ENABLED ---- */

static void test_numbers(void)
{
	uint32_t n = 99;
	ok(imap_resp_number(parse_ok("* 0 EXISTS\r\n"), &n, &E) == 0 && n == 0,
	   "number: \"* 0 EXISTS\" is 0");
	ok(imap_resp_number(parse_ok("* 172 EXISTS\r\n"), &n, &E) == 0 && n == 172,
	   "number: \"* 172 EXISTS\" is 172");
	ok(imap_resp_number(parse_ok("* 4294967295 EXISTS\r\n"), &n, &E) == 0 && n == 4294967295u,
	   "number: EXISTS 2^32-1");
	ok(imap_resp_number(parse_ok("* 3 RECENT\r\n"), &n, &E) == 0 && n == 3,
	   "number: RECENT is recognised");
	ok(imap_resp_number(parse_ok("* 44 EXPUNGE\r\n"), &n, &E) == 0 && n == 44,
	   "number: EXPUNGE 44");
	ok(imap_resp_number(parse_ok("* 0 EXPUNGE\r\n"), &n, &E) == -1 && E.code == ERR_PARSE,
	   "number: EXPUNGE 0 is an error");
	ok(imap_resp_number(parse_ok("* 4294967296 EXISTS\r\n"), &n, &E) == -1,
	   "number: EXISTS past 32 bits is an error");
	ok(imap_resp_number(parse_ok("* 3 EXISTS x\r\n"), &n, &E) == -1,
	   "number: EXISTS with an extra word is an error");
	ok(imap_resp_number(parse_ok("* 3 FETCH (UID 1)\r\n"), &n, &E) == -1,
	   "number: FETCH is not for imap_resp_number");
	ok(imap_resp_number(parse_ok("* 3x EXISTS\r\n"), &n, &E) == -1,
	   "number: \"3x\" is not a number");
}

static void test_flags(void)
{
	struct imap_flags f;
	const struct imap_response *r = parse_bytes(
		"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $Junk "
		"$NotJunk $MDNSent \\Recent $label1 $LABEL1 \\XExtension)\r\n");
	ok(r != NULL && imap_resp_flags(r, &f, &E) == 0, "FLAGS: decoded (fed byte by byte)");
	is_int(f.bits, IMAP_FLAG_ANSWERED | IMAP_FLAG_FLAGGED | IMAP_FLAG_DELETED |
		       IMAP_FLAG_SEEN | IMAP_FLAG_DRAFT | IMAP_FLAG_FORWARDED | IMAP_FLAG_JUNK |
		       IMAP_FLAG_NOTJUNK | IMAP_FLAG_RECENT, "FLAGS: system flags and known keywords as bits");
	is_int(f.n_keywords, 3, "FLAGS: other keywords kept once each, case-insensitively");
	is_str(f.n_keywords > 2 ? f.keywords[2] : NULL, "\\XExtension",
	       "FLAGS: a flag-extension is kept as a keyword");
	ok(!f.dropped, "FLAGS: nothing dropped");
	imap_resp_flags_release(&f);

	r = parse_ok("* FLAGS (\\seen \\FLAGGED $forwarded)\r\n");
	ok(imap_resp_flags(r, &f, &E) == 0 &&
	   f.bits == (IMAP_FLAG_SEEN | IMAP_FLAG_FLAGGED | IMAP_FLAG_FORWARDED) &&
	   f.n_keywords == 0, "FLAGS: flags match in any case");
	imap_resp_flags_release(&f);

	struct buf w;
	buf_init(&w, 1 << 16);
	buf_cut_ok(buf_append_str(&w, "* FLAGS ("));
	for (int i = 0; i < IMAP_FLAGS_KEYWORDS_MAX + 1; i++)
		buf_cut_ok(buf_printf(&w, "%sk%d", i ? " " : "", i));
	buf_cut_ok(buf_append_str(&w, ")\r\n"));
	ok(imap_resp_flags(parse_ok(w.data), &f, &E) == 0 &&
	   f.n_keywords == IMAP_FLAGS_KEYWORDS_MAX && f.dropped,
	   "FLAGS: %d keywords kept, the %dth dropped", IMAP_FLAGS_KEYWORDS_MAX,
	   IMAP_FLAGS_KEYWORDS_MAX + 1);
	imap_resp_flags_release(&f);
	buf_reset(&w);
	buf_cut_ok(buf_append_str(&w, "* FLAGS ("));
	for (int i = 0; i < IMAP_FLAG_KEYWORD_MAX; i++)
		buf_cut_ok(buf_append_char(&w, 'a'));
	buf_cut_ok(buf_append_str(&w, " b"));
	for (int i = 0; i < IMAP_FLAG_KEYWORD_MAX; i++)
		buf_cut_ok(buf_append_char(&w, 'b'));
	buf_cut_ok(buf_append_str(&w, ")\r\n"));
	ok(imap_resp_flags(parse_ok(w.data), &f, &E) == 0 && f.n_keywords == 1 &&
	   strlen(f.keywords[0]) == IMAP_FLAG_KEYWORD_MAX && f.dropped,
	   "FLAGS: a keyword of %d bytes kept, one of %d dropped", IMAP_FLAG_KEYWORD_MAX,
	   IMAP_FLAG_KEYWORD_MAX + 1);
	imap_resp_flags_release(&f);
	buf_release(&w);

	ok(imap_resp_flags(parse_ok("* FLAGS (a[b] \\ ok)\r\n"), &f, &E) == 0 &&
	   f.n_keywords == 1 && f.dropped, "FLAGS: atoms with \"]\" or a lone \"\\\" are dropped");
	imap_resp_flags_release(&f);
	ok(imap_resp_flags(parse_ok("* FLAGS (\\Seen \"x\")\r\n"), &f, &E) == -1 &&
	   E.code == ERR_PARSE && f.n_keywords == 0, "FLAGS: a string in the list is an error");
	ok(imap_resp_flags(parse_ok("* FLAGS \\Seen\r\n"), &f, &E) == -1,
	   "FLAGS: not a list is an error");
	ok(imap_resp_flags(parse_ok("* FLAGS (\\Seen) (x)\r\n"), &f, &E) == -1,
	   "FLAGS: two lists is an error");
	is_str(imap_resp_flag_name(IMAP_FLAG_NOTJUNK), "$NotJunk", "flag name: $NotJunk");
	is_str(imap_resp_flag_name(1u << 20), NULL, "flag name: an unknown bit is NULL");

	static const struct { const char *w; bool valid; } kw[] = {
		{ "work", true }, { "$Junk", true }, { "a-b.c_d+e:f/g&h", true },
		{ "", false }, { "\\Seen", false }, { "a\\b", false }, { "b(", false },
		{ "a b", false }, { "x)", false }, { "{3}", false }, { "50%", false },
		{ "a*", false }, { "\"q\"", false }, { "a]", false }, { "tab\t", false },
		{ "gr\xc3\xbc\xc3\x9f", false }, { "del\x7f", false },
	};
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		is_int(imap_resp_keyword_valid(kw[i].w, strlen(kw[i].w)), kw[i].valid,
		       "keyword_valid: \"%s\"", kw[i].w);
	char longest[IMAP_FLAG_KEYWORD_MAX + 1];
	memset(longest, 'k', sizeof(longest));
	ok(imap_resp_keyword_valid(longest, IMAP_FLAG_KEYWORD_MAX) &&
	   !imap_resp_keyword_valid(longest, IMAP_FLAG_KEYWORD_MAX + 1),
	   "keyword_valid: %d bytes at most", IMAP_FLAG_KEYWORD_MAX);
}

static void test_enabled(void)
{
	is_int(imap_resp_enabled(parse_ok("* ENABLED CONDSTORE qresync UTF8=ACCEPT X-FOO\r\n")),
	       IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC | IMAP_ENABLED_UTF8_ACCEPT,
	       "ENABLED: known words as bits, in any case, unknown ignored");
	is_int(imap_resp_enabled(parse_ok("* ENABLED\r\n")), 0, "ENABLED: nothing enabled");
	is_int(imap_resp_enabled(parse_ok("* ENABLED IMAP4rev2\r\n")), IMAP_ENABLED_IMAP4REV2,
	       "ENABLED: IMAP4rev2");
	is_int(imap_resp_enabled(parse_ok("* CAPABILITY CONDSTORE\r\n")), 0,
	       "ENABLED: another response gives 0");
}

/* ---- SEARCH, ESEARCH, VANISHED ---- */

static void test_search(void)
{
	struct imap_seqset s;
	uint64_t modseq = 1;
	ok(imap_resp_search(parse_ok("* SEARCH\r\n"), &s, &modseq, &E) == 0 && s.n == 0 &&
	   modseq == 0, "SEARCH: no matches");
	imap_seqset_release(&s);
	ok(imap_resp_search(parse_ok("* SEARCH 2 84 882 3 4\r\n"), &s, &modseq, &E) == 0 &&
	   imap_seqset_count(&s) == 5 && s.n == 3 && s.r[0].lo == 2 && s.r[0].hi == 4 &&
	   s.r[2].lo == 882, "SEARCH: numbers in any order become a sorted set 2:4,84,882");
	imap_seqset_release(&s);
	ok(imap_resp_search(parse_ok("* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n"),
			    &s, &modseq, &E) == 0 && imap_seqset_count(&s) == 10 &&
	   modseq == 917162500, "SEARCH: the CONDSTORE (MODSEQ n) at the end (RFC 7162 s3.1.6)");
	imap_seqset_release(&s);
	ok(imap_resp_search(parse_ok("* SEARCH 1 0\r\n"), &s, &modseq, &E) == -1 && s.n == 0 &&
	   E.code == ERR_PARSE, "SEARCH: 0 is an error");
	ok(imap_resp_search(parse_ok("* SEARCH 1 \"2\"\r\n"), &s, &modseq, &E) == -1,
	   "SEARCH: a string is an error");
	ok(imap_resp_search(parse_ok("* SEARCH 1 (MODSEQ 0)\r\n"), &s, &modseq, &E) == -1 &&
	   modseq == 0, "SEARCH: MODSEQ 0 is an error");
	ok(imap_resp_search(parse_ok("* SEARCH (MODSEQ 5) 1\r\n"), &s, &modseq, &E) == -1,
	   "SEARCH: (MODSEQ) not last is an error");
}

static void test_esearch(void)
{
	struct imap_esearch es;
	const struct imap_response *r =
		parse_ok("* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800 COUNT 3 ALL 7,3800,20\r\n");
	ok(imap_resp_esearch(r, &es, &E) == 0, "ESEARCH: decoded");
	is_str(es.tag, "A285", "ESEARCH: the correlator's tag");
	ok(es.uid && es.min == 7 && es.max == 3800 && es.count == 3 &&
	   es.present == (IMAP_ESEARCH_MIN | IMAP_ESEARCH_MAX | IMAP_ESEARCH_COUNT |
			  IMAP_ESEARCH_ALL), "ESEARCH: UID, MIN, MAX, COUNT, ALL present");
	ok(es.all.n == 3 && es.all.r[0].lo == 7 && es.all.r[1].lo == 20,
	   "ESEARCH: ALL as a sorted set");
	imap_resp_esearch_release(&es);
	ok(imap_resp_esearch(parse_ok("* ESEARCH COUNT 0\r\n"), &es, &E) == 0 && es.tag == NULL &&
	   !es.uid && es.present == IMAP_ESEARCH_COUNT && es.count == 0,
	   "ESEARCH: no correlator, COUNT 0");
	imap_resp_esearch_release(&es);
	ok(imap_resp_esearch(parse_ok("* ESEARCH (TAG \"a\") UID PARTIAL (1:5 NIL) COUNT 2 "
				      "MODSEQ 1234\r\n"), &es, &E) == 0 &&
	   es.count == 2 && es.modseq == 1234 && (es.present & IMAP_ESEARCH_MODSEQ),
	   "ESEARCH: unknown return data skipped, MODSEQ read");
	imap_resp_esearch_release(&es);
	ok(imap_resp_esearch(parse_ok("* ESEARCH MIN 0\r\n"), &es, &E) == -1 && es.present == 0,
	   "ESEARCH: MIN 0 is an error");
	ok(imap_resp_esearch(parse_ok("* ESEARCH COUNT\r\n"), &es, &E) == -1,
	   "ESEARCH: a name without a value is an error");
	ok(imap_resp_esearch(parse_ok("* ESEARCH ALL 1:*\r\n"), &es, &E) == -1,
	   "ESEARCH: ALL with \"*\" is an error");
	ok(imap_resp_esearch(parse_ok("* ESEARCH (TAG) COUNT 1\r\n"), &es, &E) == -1,
	   "ESEARCH: a correlator without its tag is an error");
}

static void test_vanished(void)
{
	struct imap_seqset s;
	bool earlier = true;
	ok(imap_resp_vanished(parse_ok("* VANISHED (EARLIER) 300:310,405,411\r\n"), &earlier, &s,
			      &E) == 0 && earlier && imap_seqset_count(&s) == 13,
	   "VANISHED: (EARLIER) and 13 UIDs");
	imap_seqset_release(&s);
	ok(imap_resp_vanished(parse_ok("* VANISHED 405,407,410\r\n"), &earlier, &s, &E) == 0 &&
	   !earlier && imap_seqset_count(&s) == 3, "VANISHED: without EARLIER");
	imap_seqset_release(&s);
	ok(imap_resp_vanished(parse_ok("* VANISHED (LATER) 1\r\n"), &earlier, &s, &E) == -1,
	   "VANISHED: (LATER) is an error");
	ok(imap_resp_vanished(parse_ok("* VANISHED 1:*\r\n"), &earlier, &s, &E) == -1 &&
	   s.n == 0, "VANISHED: \"*\" is an error");
	ok(imap_resp_vanished(parse_ok("* VANISHED (EARLIER)\r\n"), &earlier, &s, &E) == -1 &&
	   !earlier, "VANISHED: no set is an error");
	ok(imap_resp_vanished(parse_ok("* VANISHED 1 2\r\n"), &earlier, &s, &E) == -1,
	   "VANISHED: two sets is an error");
}

/* ---- LIST, STATUS, NAMESPACE ---- */

static struct imap_list L;

static int list_of(const char *wire, enum imap_name_mode mode)
{
	err_init(&E);
	return imap_resp_list(parse_ok(wire), mode, &L, &E);
}

static void test_list(void)
{
	ok(list_of("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n", IMAP_NAME_MUTF7) == 0 &&
	   L.attrs == (IMAP_LIST_HASNOCHILDREN | IMAP_LIST_SENT) && L.delim == '/' && !L.lsub,
	   "LIST: attributes and delimiter");
	is_str(L.name.wire, "Sent Items", "LIST: quoted name on the wire");
	is_str(L.name.display, "Sent Items", "LIST: quoted name for display");
	imap_resp_list_release(&L);
	ok(list_of("* LIST (\\noselect \\HASCHILDREN) \".\" \"Entw&APw-rfe\"\r\n", IMAP_NAME_MUTF7) == 0 &&
	   L.attrs == (IMAP_LIST_NOSELECT | IMAP_LIST_HASCHILDREN) && !L.name.invalid,
	   "LIST: attributes in any case");
	is_str(L.name.wire, "Entw&APw-rfe", "LIST: wire name kept in modified UTF-7");
	is_str(L.name.display, "Entw\xc3\xbcrfe", "LIST: display name decoded to UTF-8");
	imap_resp_list_release(&L);
	ok(list_of("* LIST (\\All \\Archive \\Drafts \\Flagged \\Junk \\Trash \\Important \\Marked "
		   "\\Unmarked \\Subscribed \\Remote \\X-Unknown) NIL All\r\n", IMAP_NAME_MUTF7) == 0 &&
	   (L.attrs & IMAP_LIST_SPECIAL_USE) == (IMAP_LIST_SPECIAL_USE & ~IMAP_LIST_SENT) &&
	   (L.attrs & IMAP_LIST_MARKED) && (L.attrs & IMAP_LIST_UNMARKED) &&
	   (L.attrs & IMAP_LIST_SUBSCRIBED) && (L.attrs & IMAP_LIST_REMOTE) && L.delim == '\0',
	   "LIST: special-use attributes, NIL delimiter, unknown attribute ignored");
	imap_resp_list_release(&L);
	ok(list_of("* LIST (\\NonExistent) \"\\\\\" Foo\r\n", IMAP_NAME_MUTF7) == 0 &&
	   L.delim == '\\' && L.attrs == (IMAP_LIST_NONEXISTENT | IMAP_LIST_NOSELECT),
	   "LIST: an escaped \"\\\\\" delimiter; \\NonExistent implies \\Noselect");
	imap_resp_list_release(&L);
	ok(list_of("* LIST (\\Noinferiors) \"/\" inbox\r\n", IMAP_NAME_MUTF7) == 0 &&
	   L.name.inbox && L.attrs == (IMAP_LIST_NOINFERIORS | IMAP_LIST_HASNOCHILDREN),
	   "LIST: \"inbox\" is INBOX; \\Noinferiors implies \\HasNoChildren");
	is_str(L.name.display, "INBOX", "LIST: INBOX displayed as INBOX");
	is_str(L.name.wire, "inbox", "LIST: INBOX wire name as sent");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"INBOX/Sub\"\r\n", IMAP_NAME_MUTF7) == 0 && !L.name.inbox,
	   "LIST: INBOX/Sub is not INBOX");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" {8}\r\nA&-B \"C\"\r\n", IMAP_NAME_MUTF7) == 0 &&
	   strcmp(L.name.display, "A&B \"C\"") == 0 && L.name.wire_len == 8,
	   "LIST: a literal name");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n", IMAP_NAME_UTF8) == 0 &&
	   !L.name.invalid && strcmp(L.name.display, "Entw\xc3\xbcrfe") == 0,
	   "LIST: a UTF-8 name with UTF8=ACCEPT");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"A&B\"\r\n", IMAP_NAME_UTF8) == 0 && !L.name.invalid &&
	   strcmp(L.name.display, "A&B") == 0, "LIST: \"&\" is plain in UTF-8 mode");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n", IMAP_NAME_MUTF7) == 0 &&
	   L.name.invalid && strcmp(L.name.wire, "Entw\xc3\xbcrfe") == 0,
	   "LIST: raw 8-bit in modified UTF-7 mode is invalid, wire kept");
	is_str(L.name.display, "Entw\\xc3\\xbcrfe", "LIST: invalid name shown escaped");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"&Jjo\"\r\n", IMAP_NAME_MUTF7) == 0 && L.name.invalid,
	   "LIST: an unterminated UTF-7 run is invalid");
	imap_resp_list_release(&L);
	ok(list_of("* LIST (\\Subscribed) \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
		   IMAP_NAME_MUTF7) == 0 &&
	   L.attrs == (IMAP_LIST_SUBSCRIBED | IMAP_LIST_CHILD_SUBSCRIBED),
	   "LIST: CHILDINFO (\"SUBSCRIBED\") of LIST-EXTENDED");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"Bar\" (\"OLDNAME\" (\"Foo\") X-VENDOR-TAG 12)\r\n",
		   IMAP_NAME_MUTF7) == 0 && L.attrs == 0, "LIST: other extended items skipped");
	imap_resp_list_release(&L);
	ok(list_of("* LSUB (\\Noselect) \".\" \"#news.comp.mail\"\r\n", IMAP_NAME_MUTF7) == 0 &&
	   L.lsub && L.attrs == IMAP_LIST_NOSELECT, "LSUB: decoded like LIST");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" \"\"\r\n", IMAP_NAME_MUTF7) == 0 && L.name.wire_len == 0,
	   "LIST: the empty name (delimiter query)");
	imap_resp_list_release(&L);
	ok(list_of("* LIST () \"/\" NIL\r\n", IMAP_NAME_MUTF7) == 0 &&
	   strcmp(L.name.wire, "NIL") == 0, "LIST: an unquoted NIL is the name NIL");
	imap_resp_list_release(&L);
}

static void test_list_bad(void)
{
	static const struct {
		const char *wire, *what;
	} cases[] = {
		{ "* LIST (\"Noselect\") \"/\" x\r\n", "an attribute that is a string" },
		{ "* LIST \\Noselect \"/\" x\r\n", "attributes not in a list" },
		{ "* LIST () \"ab\" x\r\n", "a delimiter of two bytes" },
		{ "* LIST () \"\" x\r\n", "an empty delimiter" },
		{ "* LIST () / x\r\n", "a delimiter that is an atom" },
		{ "* LIST () \"\xc3\" x\r\n", "an 8-bit delimiter" },
		{ "* LIST () \"/\" (x)\r\n", "a name that is a list" },
		{ "* LIST () \"/\"\r\n", "a missing name" },
		{ "* LIST () \"/\" x (a)\r\n", "extended data with an odd count" },
		{ "* LIST () \"/\" x y\r\n", "extended data that is not a list" },
		{ "* LIST () \"/\" x () y\r\n", "more arguments after the extended data" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(list_of(cases[i].wire, IMAP_NAME_MUTF7) == -1 && E.code == ERR_PARSE &&
		   L.name.wire == NULL, "LIST: %s is an error", cases[i].what);
		imap_resp_list_release(&L);
	}
	struct buf w;
	buf_init(&w, 1 << 16);
	buf_cut_ok(buf_append_str(&w, "* LIST () \"/\" \""));
	for (int i = 0; i < IMAP_RESP_NAME_MAX; i++)
		buf_cut_ok(buf_append_char(&w, 'a' + i % 26));
	buf_cut_ok(buf_append_str(&w, "\"\r\n"));
	ok(list_of(w.data, IMAP_NAME_MUTF7) == 0 && L.name.wire_len == IMAP_RESP_NAME_MAX &&
	   !L.name.invalid, "LIST: a name of %d bytes", IMAP_RESP_NAME_MAX);
	imap_resp_list_release(&L);
	buf_truncate(&w, w.len - 3);
	buf_cut_ok(buf_append_str(&w, "z\"\r\n"));
	ok(list_of(w.data, IMAP_NAME_MUTF7) == -1 && E.code == ERR_LIMIT,
	   "LIST: a name of %d bytes is ERR_LIMIT", IMAP_RESP_NAME_MAX + 1);
	imap_resp_list_release(&L);
	buf_release(&w);
}

static void test_status(void)
{
	struct imap_mailbox_status st;
	const struct imap_response *r = parse_bytes(
		"* STATUS \"Entw&APw-rfe\" (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3 "
		"RECENT 0 DELETED 2 SIZE 5000000000 HIGHESTMODSEQ 7011231777 X-FOO (1 2))\r\n");
	ok(r != NULL && imap_resp_status(r, IMAP_NAME_MUTF7, &st, &E) == 0,
	   "STATUS: decoded (fed byte by byte)");
	ok(st.messages == 231 && st.uidnext == 44292 && st.uidvalidity == 1 && st.unseen == 3 &&
	   st.recent == 0 && st.deleted == 2 && st.size == 5000000000ull &&
	   st.highestmodseq == 7011231777ull, "STATUS: every value");
	is_int(st.present, 0xff, "STATUS: every item present, X-FOO skipped");
	is_str(st.name.display, "Entw\xc3\xbcrfe", "STATUS: name decoded");
	imap_resp_status_release(&st);
	ok(imap_resp_status(parse_ok("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"),
			    IMAP_NAME_MUTF7, &st, &E) == 0 &&
	   st.present == (IMAP_STATUS_HAS_MESSAGES | IMAP_STATUS_HAS_UIDNEXT),
	   "STATUS: RFC 9051's example, present bits");
	imap_resp_status_release(&st);
	ok(imap_resp_status(parse_ok("* STATUS INBOX (HIGHESTMODSEQ 0)\r\n"), IMAP_NAME_MUTF7,
			    &st, &E) == 0 && st.highestmodseq == 0 && st.name.inbox,
	   "STATUS: HIGHESTMODSEQ 0 is allowed (mod-sequence-valzer)");
	imap_resp_status_release(&st);
	ok(imap_resp_status(parse_ok("* STATUS INBOX ()\r\n"), IMAP_NAME_MUTF7, &st, &E) == 0 &&
	   st.present == 0, "STATUS: an empty list");
	imap_resp_status_release(&st);
	ok(imap_resp_status(parse_ok("* STATUS INBOX (UIDNEXT 0)\r\n"), IMAP_NAME_MUTF7, &st,
			    &E) == -1 && E.code == ERR_PARSE && st.name.wire == NULL,
	   "STATUS: UIDNEXT 0 is an error");
	ok(imap_resp_status(parse_ok("* STATUS INBOX (MESSAGES)\r\n"), IMAP_NAME_MUTF7, &st,
			    &E) == -1, "STATUS: an item without a value is an error");
	ok(imap_resp_status(parse_ok("* STATUS INBOX (MESSAGES \"3\")\r\n"), IMAP_NAME_MUTF7,
			    &st, &E) == -1, "STATUS: a string value is an error");
	ok(imap_resp_status(parse_ok("* STATUS INBOX MESSAGES 3\r\n"), IMAP_NAME_MUTF7, &st,
			    &E) == -1, "STATUS: items not in a list is an error");
	ok(imap_resp_status(parse_ok("* STATUS INBOX (\"MESSAGES\" 3)\r\n"), IMAP_NAME_MUTF7,
			    &st, &E) == -1, "STATUS: an item name that is a string is an error");
}

static void test_namespace(void)
{
	struct imap_namespace ns;
	ok(imap_resp_namespace(parse_ok("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"),
			       IMAP_NAME_MUTF7, &ns, &E) == 0 && ns.personal && ns.delim == '/' &&
	   ns.prefix.wire_len == 0, "NAMESPACE: personal \"\" with \"/\"");
	imap_resp_namespace_release(&ns);
	ok(imap_resp_namespace(parse_ok("* NAMESPACE ((\"INBOX.\" \".\")(\"Other.\" \".\")) "
					"((\"~\" \"/\")) ((\"#shared/\" \"/\" \"X-PARAM\" "
					"(\"FLAG1\" \"FLAG2\")))\r\n"),
			       IMAP_NAME_MUTF7, &ns, &E) == 0 && ns.personal && ns.delim == '.',
	   "NAMESPACE: the first personal of several, with extensions elsewhere");
	is_str(ns.prefix.wire, "INBOX.", "NAMESPACE: prefix INBOX.");
	ok(!ns.prefix.inbox, "NAMESPACE: the prefix INBOX. is not INBOX");
	imap_resp_namespace_release(&ns);
	ok(imap_resp_namespace(parse_ok("* NAMESPACE NIL NIL ((\"\" \".\"))\r\n"), IMAP_NAME_MUTF7,
			       &ns, &E) == 0 && !ns.personal && ns.prefix.wire == NULL,
	   "NAMESPACE: no personal namespace");
	imap_resp_namespace_release(&ns);
	ok(imap_resp_namespace(parse_ok("* NAMESPACE ((\"\" NIL)) NIL NIL\r\n"), IMAP_NAME_MUTF7,
			       &ns, &E) == 0 && ns.personal && ns.delim == '\0',
	   "NAMESPACE: a NIL delimiter");
	imap_resp_namespace_release(&ns);
	ok(imap_resp_namespace(parse_ok("* NAMESPACE ((\"\" \"/\")) NIL\r\n"), IMAP_NAME_MUTF7,
			       &ns, &E) == -1 && E.code == ERR_PARSE, "NAMESPACE: two namespaces is an error");
	ok(imap_resp_namespace(parse_ok("* NAMESPACE (\"\" \"/\") NIL NIL\r\n"), IMAP_NAME_MUTF7,
			       &ns, &E) == -1, "NAMESPACE: a descriptor not in a list is an error");
	ok(imap_resp_namespace(parse_ok("* NAMESPACE ((x \"/\")) NIL NIL\r\n"), IMAP_NAME_MUTF7,
			       &ns, &E) == -1, "NAMESPACE: a prefix that is an atom is an error");
	ok(imap_resp_namespace(parse_ok("* NAMESPACE () NIL NIL\r\n"), IMAP_NAME_MUTF7, &ns,
			       &E) == -1, "NAMESPACE: an empty list is an error");
	ok(imap_resp_namespace(parse_ok("* NAMESPACE NIL NIL ((\"\" \"//\"))\r\n"),
			       IMAP_NAME_MUTF7, &ns, &E) == -1,
	   "NAMESPACE: a bad delimiter in the shared namespace is an error");
}

int main(void)
{
	P = imap_parser_new(NULL);
	test_classify();
	test_codes_simple();
	test_codes_args();
	test_codes_bad();
	test_numbers();
	test_flags();
	test_enabled();
	test_search();
	test_esearch();
	test_vanished();
	test_list();
	test_list_bad();
	test_status();
	test_namespace();
	imap_parser_free(&P);
	return done_testing();
}
