/* test_imap_parser: the IMAP response parser, on concrete trees.
 *
 * Each response is turned into a one-line dump so that a whole expected
 * tree reads as one string:
 *   tagged:        TAG STATUS [CODE args] text="..."
 *   untagged:      * OK [CODE args] text="..."   or   * arg arg ...
 *   continuation:  + text="..."
 *   arguments:     NIL, atom, "quoted" (\ and " escaped), {n}"bytes" or
 *                  ~{n}"bytes" for literals (CR, LF, NUL shown as \r \n
 *                  \0), (list ...).
 * A run feeds an input and collects the dumps of all its responses, one a
 * line, then "ERR <code> <message>" or "MORE" if it ended needing more.
 * Every input is run whole, one byte at a time and split in two at every
 * point: all runs must give the same text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "imap_parser.h"
#include "tap.h"

static const char *const status_names[] = { "NONE", "OK", "NO", "BAD", "BYE", "PREAUTH" };

static void dump_bytes(struct buf *o, const char *s, size_t n, bool escape_quotes)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r')
			buf_cut_ok(buf_append_str(o, "\\r"));
		else if (c == '\n')
			buf_cut_ok(buf_append_str(o, "\\n"));
		else if (c == '\0')
			buf_cut_ok(buf_append_str(o, "\\0"));
		else if (escape_quotes && (c == '"' || c == '\\'))
			buf_cut_ok(buf_printf(o, "\\%c", c));
		else
			buf_cut_ok(buf_append_char(o, c));
	}
}

static bool strings_ok; /* every string NUL-terminated at its length */

static void dump_args(struct buf *o, const struct imap_arg *v, size_t n);

static void dump_arg(struct buf *o, const struct imap_arg *a)
{
	if (a->type != IMAP_ARG_NIL && a->type != IMAP_ARG_LIST && a->str[a->len] != '\0')
		strings_ok = false;
	switch (a->type) {
	case IMAP_ARG_NIL:
		buf_cut_ok(buf_append_str(o, "NIL"));
		break;
	case IMAP_ARG_ATOM:
		buf_cut_ok(buf_append(o, a->str, a->len));
		break;
	case IMAP_ARG_STRING:
		buf_cut_ok(buf_append_char(o, '"'));
		dump_bytes(o, a->str, a->len, true);
		buf_cut_ok(buf_append_char(o, '"'));
		break;
	case IMAP_ARG_LITERAL:
		buf_cut_ok(buf_printf(o, "%s{%zu}\"", a->literal8 ? "~" : "", a->len));
		dump_bytes(o, a->str, a->len, false);
		buf_cut_ok(buf_append_char(o, '"'));
		break;
	case IMAP_ARG_LIST:
		buf_cut_ok(buf_append_char(o, '('));
		dump_args(o, a->list, a->len);
		buf_cut_ok(buf_append_char(o, ')'));
		break;
	}
}

static void dump_args(struct buf *o, const struct imap_arg *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_cut_ok(buf_append_char(o, ' '));
		dump_arg(o, &v[i]);
	}
}

static void dump_response(struct buf *o, const struct imap_response *r)
{
	if (r->kind == IMAP_RESP_CONTINUATION)
		buf_cut_ok(buf_append_char(o, '+'));
	else
		buf_cut_ok(buf_append_str(o, r->kind == IMAP_RESP_TAGGED ? r->tag : "*"));
	if (r->status != IMAP_STATUS_NONE)
		buf_cut_ok(buf_printf(o, " %s", status_names[r->status]));
	if (r->code != NULL) {
		buf_cut_ok(buf_printf(o, " [%s", r->code));
		if (r->n_code_args > 0)
			buf_cut_ok(buf_append_char(o, ' '));
		dump_args(o, r->code_args, r->n_code_args);
		buf_cut_ok(buf_append_char(o, ']'));
	}
	if (r->text != NULL) {
		buf_cut_ok(buf_append_str(o, " text=\""));
		dump_bytes(o, r->text, strlen(r->text), false);
		buf_cut_ok(buf_append_char(o, '"'));
	}
	if (r->n_args > 0)
		buf_cut_ok(buf_append_char(o, ' '));
	dump_args(o, r->args, r->n_args);
	buf_cut_ok(buf_append_char(o, '\n'));
}

/* Feeds in[0..n) as in[0..split) then the rest, each in pieces of at most
 * step bytes; returns the dumps (caller frees). */
static char *run(const struct imap_parser_limits *lim, const char *in, size_t n,
		 size_t split, size_t step)
{
	struct imap_parser *p = imap_parser_new(lim);
	struct buf o;
	struct err e;
	enum imap_parse_result res = IMAP_PARSE_RESPONSE;
	buf_init(&o, (size_t)64 << 20);
	err_init(&e);
	for (size_t at = 0; at < n && res != IMAP_PARSE_ERROR;) {
		size_t piece_end = at < split ? split : n;
		size_t len = piece_end - at < step ? piece_end - at : step, used = 0;
		res = imap_parser_feed(p, in + at, len, &used, &e);
		if (used > len)
			buf_cut_ok(buf_append_str(&o, "USED>LEN\n"));
		at += used;
		if (res == IMAP_PARSE_RESPONSE)
			dump_response(&o, imap_parser_response(p));
		else if (res == IMAP_PARSE_NEED_MORE && used != len)
			buf_cut_ok(buf_append_str(&o, "NEED_MORE BEFORE THE END\n"));
	}
	if (res == IMAP_PARSE_ERROR) {
		buf_cut_ok(buf_printf(&o, "ERR %s %s\n", e.code == ERR_LIMIT ? "LIMIT" :
				      e.code == ERR_PARSE ? "PARSE" : "?", e.msg));
		struct err again;
		size_t used = 1;
		err_init(&again);
		if (imap_parser_feed(p, "* OK\r\n", 6, &used, &again) != IMAP_PARSE_ERROR ||
		    used != 0 || strcmp(again.msg, e.msg) != 0)
			buf_cut_ok(buf_append_str(&o, "RECOVERED AFTER ERROR\n"));
	} else if (res == IMAP_PARSE_NEED_MORE) {
		buf_cut_ok(buf_append_str(&o, "MORE\n"));
	}
	imap_parser_free(&p);
	return buf_detach(&o, NULL);
}

/* Checks the whole run against want, and that every other way of feeding
 * gives the same. */
static void check_lim(const struct imap_parser_limits *lim, const char *name,
		      const char *in, size_t n, const char *want)
{
	strings_ok = true;
	char *whole = run(lim, in, n, 0, n ? n : 1);
	is_str(whole, want, "%s", name);
	char *bytes = run(lim, in, n, 0, 1);
	is_str(bytes, whole, "%s: fed one byte at a time", name);
	free(bytes);
	size_t bad = n + 1, stride = n > 4096 ? 7 : 1; /* long ones: quicker */
	for (size_t s = 1; s < n && bad > n; s += stride) {
		char *two = run(lim, in, n, s, n);
		if (strcmp(two, whole) != 0)
			bad = s;
		free(two);
	}
	if (!ok(bad > n, "%s: the same split in two at every point", name))
		diag("differs when split at %zu", bad);
	ok(strings_ok, "%s: every string NUL-terminated at its length", name);
	free(whole);
}

/* in must be a string literal (it may hold NULs). */
#define check(name, in, want) check_lim(NULL, name, in, sizeof(in) - 1, want)

/* ---- status responses ---- */

static void test_status(void)
{
	check("Dovecot's greeting with its capabilities",
	      "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
	      "STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n",
	      "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
	      "STARTTLS AUTH=PLAIN] text=\"Dovecot (Debian) ready.\"\n");
	check("UIDVALIDITY code", "* OK [UIDVALIDITY 1714] UIDs valid\r\n",
	      "* OK [UIDVALIDITY 1714] text=\"UIDs valid\"\n");
	check("tagged NO with a code", "A003 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n",
	      "A003 NO [AUTHENTICATIONFAILED] text=\"Invalid credentials\"\n");
	check("BYE", "* BYE shutting down\r\n", "* BYE text=\"shutting down\"\n");
	check("PREAUTH", "* PREAUTH IMAP4rev1 server logged in as Smith\r\n",
	      "* PREAUTH text=\"IMAP4rev1 server logged in as Smith\"\n");
	check("status words and codes in any case, code upper-cased",
	      "a1 ok [read-write] done\n* bad [alert] x\n",
	      "a1 OK [READ-WRITE] text=\"done\"\n* BAD [ALERT] text=\"x\"\n");
	check("PERMANENTFLAGS: a list with \\*",
	      "* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] Limited\r\n",
	      "* OK [PERMANENTFLAGS (\\Answered \\Seen \\*)] text=\"Limited\"\n");
	check("COPYUID", "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
	      "A004 OK [COPYUID 38505 304,319:320 3956:3958] text=\"Done\"\n");
	check("BADCHARSET with a list of atoms and quoted strings",
	      "A5 NO [BADCHARSET (UTF-8 \"X Y\")] no\r\n",
	      "A5 NO [BADCHARSET (UTF-8 \"X Y\")] text=\"no\"\n");
	check("REFERRAL: an URL is one atom",
	      "A6 NO [REFERRAL imap://user;AUTH=*@SERVER2/] Remote\r\n",
	      "A6 NO [REFERRAL imap://user;AUTH=*@SERVER2/] text=\"Remote\"\n");
	check("a code without text; a status without text",
	      "* OK [ALERT]\r\n* OK\r\nA1 OK\r\n* NO \r\n",
	      "* OK [ALERT] text=\"\"\n* OK text=\"\"\nA1 OK text=\"\"\n* NO text=\"\"\n");
	check("a code and no space before the text", "* OK [ALERT]text\r\n",
	      "* OK [ALERT] text=\"text\"\n");
	check("text is raw: parens, quotes and {5} at its end mean nothing",
	      "* OK hello (\"x {5}\r\n* NO a \"b\r\n",
	      "* OK text=\"hello (\"x {5}\"\n* NO text=\"a \"b\"\n");
	check("a code whose content is no arguments keeps its name only",
	      "* OK [X-ODD a \"b] c\r\n* NO [X-ODD (] rest\r\n* OK [X-ODD {5}] t\r\n",
	      "* OK [X-ODD] text=\"c\"\n* NO [X-ODD] text=\"rest\"\n* OK [X-ODD] text=\"t\"\n");
	check("a \"[\" without \"]\" or without a code name is text",
	      "* OK [ALERT no end\r\n* OK [ hi]\r\n* OK [(x)] y\r\n",
	      "* OK text=\"[ALERT no end\"\n* OK text=\"[ hi]\"\n* OK text=\"[(x)] y\"\n");
	check("text keeps its second space", "* OK  two\r\n", "* OK text=\" two\"\n");
	check("text with 8-bit UTF-8 and a tab", "* OK caf\xc3\xa9\tok\r\n",
	      "* OK text=\"caf\xc3\xa9\tok\"\n");
}

static void test_continuation(void)
{
	check("\"+ \" is an empty continuation", "+ \r\n", "+ text=\"\"\n");
	check("\"+\" alone is an empty continuation", "+\r\n", "+ text=\"\"\n");
	check("continuation text for SASL", "+ YmFzZTY0\r\n", "+ text=\"YmFzZTY0\"\n");
	check("continuation text is raw, no code", "+ [ALERT] {5}\r\n",
	      "+ text=\"[ALERT] {5}\"\n");
	check("\"+\" without a space", "+YmFz\r\n",
	      "ERR PARSE no space after \"+\"\n");
}

/* ---- data responses ---- */

static void test_data(void)
{
	check("EXISTS", "* 3 EXISTS\r\n", "* 3 EXISTS\n");
	check("several spaces and a trailing space", "*  3  EXISTS \r\n* SEARCH 2 3 \r\n",
	      "* 3 EXISTS\n* SEARCH 2 3\n");
	check("CAPABILITY", "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=SCRAM-SHA-256\r\n",
	      "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ AUTH=SCRAM-SHA-256\n");
	check("LIST with flags and quoted strings",
	      "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Entw&APw-rfe\"\r\n",
	      "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Entw&APw-rfe\"\n");
	check("FETCH with a literal of header fields",
	      "* 12 FETCH (UID 4827 FLAGS (\\Seen) RFC822.SIZE 4410 "
	      "BODY[HEADER.FIELDS (FROM)] {21}\r\nFrom: a@b.example\r\n\r\n)\r\n",
	      "* 12 FETCH (UID 4827 FLAGS (\\Seen) RFC822.SIZE 4410 "
	      "BODY[HEADER.FIELDS (FROM)] {21}\"From: a@b.example\\r\\n\\r\\n\")\n");
	check("BODYSTRUCTURE: nested lists, NIL, no space between parts",
	      "* 5 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL "
	      "NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\" \"NAME\" "
	      "\"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" "
	      "\"BASE64\" 4554 73) \"MIXED\"))\r\n",
	      "* 5 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL "
	      "NIL \"7BIT\" 1152 23) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\" \"NAME\" "
	      "\"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" "
	      "\"BASE64\" 4554 73) \"MIXED\"))\n");
	check("ESEARCH", "* ESEARCH (TAG \"A1\") UID ALL 1:3,5\r\n",
	      "* ESEARCH (TAG \"A1\") UID ALL 1:3,5\n");
	check("VANISHED", "* VANISHED (EARLIER) 300:310,405\r\n",
	      "* VANISHED (EARLIER) 300:310,405\n");
	check("ENABLED and NAMESPACE with empty strings",
	      "* ENABLED CONDSTORE QRESYNC\r\n* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
	      "* ENABLED CONDSTORE QRESYNC\n* NAMESPACE ((\"\" \"/\")) NIL NIL\n");
	check("NIL in any case; NILS and NIL[1] stay atoms",
	      "* X nil Nil NILS NIL[1] (NIL)\r\n", "* X NIL NIL NILS NIL[1] (NIL)\n");
	check("flags: \\Seen \\* $Forwarded", "* FLAGS (\\Seen \\* $Forwarded)\r\n",
	      "* FLAGS (\\Seen \\* $Forwarded)\n");
	check("section atoms with spaces, parens and a partial",
	      "* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)]<0> {0}\r\n BODY[1.2.MIME] NIL "
	      "BINARY[2] ~{1}\r\n\x01 BODY[] \"\")\r\n",
	      "* 1 FETCH (BODY[HEADER.FIELDS (FROM SUBJECT)]<0> {0}\"\" BODY[1.2.MIME] NIL "
	      "BINARY[2] ~{1}\"\x01\" BODY[] \"\")\n");
	check("a \"]\" outside brackets is part of an atom", "* X a]b ]\r\n", "* X a]b ]\n");
	check("quoted strings: escapes, 8-bit, empty",
	      "* X \"a\\\\b\\\"c\" \"Entw\xc3\xbcrfe\" \"\"\r\n",
	      "* X \"a\\\\b\\\"c\" \"Entw\xc3\xbcrfe\" \"\"\n");
	check("a literal holds NUL, CR and LF; literal8; empty literal",
	      "* X {5}\r\na\0\r\nb ~{2}\r\n\r\n {0}\r\n\r\n",
	      "* X {5}\"a\\0\\r\\nb\" ~{2}\"\\r\\n\" {0}\"\"\n");
	check("a literal announced with a bare LF, leading zeros",
	      "* LIST () \"/\" {005}\nINBOX\n", "* LIST () \"/\" {5}\"INBOX\"\n");
	check("two responses and a continuation in one feed",
	      "* 1 EXISTS\r\n+ go\r\nA1 OK done\r\n",
	      "* 1 EXISTS\n+ text=\"go\"\nA1 OK text=\"done\"\n");
	check("a literal announced and the stream stopping needs more",
	      "* 1 FETCH (BODY[] {10}\r\nabc", "MORE\n");
	check("a line without its end needs more", "* 1 EXI", "MORE\n");
	check("a status line ending in {5} is whole; the next line is a response",
	      "* OK hello {5}\r\n* 2 EXISTS\r\n",
	      "* OK text=\"hello {5}\"\n* 2 EXISTS\n");
	check("quoted \"{\" then an atom \"}\" at the line end",
	      "* X \"{\" }\r\n", "* X \"{\" }\n");
}

/* ---- errors ---- */

static void test_errors(void)
{
	check("an empty line", "\r\n", "ERR PARSE an empty line from the server\n");
	check("an empty line with a bare LF", "\n",
	      "ERR PARSE an empty line from the server\n");
	check("a NUL in a line", "* OK a\0b\r\n", "ERR PARSE a NUL byte in a response line\n");
	check("a NUL in an atom", "* X a\0\r\n", "ERR PARSE a NUL byte in a response line\n");
	check("a control character in an atom", "* X a\x01z\r\n",
	      "ERR PARSE a control character (0x01) in an atom\n");
	check("a tab between arguments", "* X a\tb\r\n",
	      "ERR PARSE a control character (0x09) in an atom\n");
	check("a bare CR in a data line", "* X a\rb\r\n",
	      "ERR PARSE a CR not followed by LF\n");
	check("garbage tag", "A(1 OK x\r\n", "ERR PARSE a bad tag in \"A(1 OK x\"\n");
	check("8-bit tag", "\xc3\xa9 OK x\r\n",
	      "ERR PARSE a bad tag in \"\xc3\xa9 OK x\"\n");
	check("tagged without status", "A1 FETCH x\r\n",
	      "ERR PARSE a tagged response without OK, NO or BAD: \"A1 FETCH x\"\n");
	check("a lone tag", "A1\r\n",
	      "ERR PARSE a tagged response without OK, NO or BAD: \"A1\"\n");
	check("tagged BYE", "A1 BYE x\r\n",
	      "ERR PARSE a tagged response without OK, NO or BAD: \"A1 BYE x\"\n");
	check("\"*\" alone", "*\r\n", "ERR PARSE an untagged response without content\n");
	check("\"* \" alone", "*  \r\n", "ERR PARSE an untagged response without content\n");
	check("\"*\" without a space", "*3 EXISTS\r\n", "ERR PARSE no space after \"*\"\n");
	check("unbalanced \")\"", "* X a)\r\n", "ERR PARSE \")\" without \"(\"\n");
	check("a list not closed", "* X (a (b)\r\n",
	      "ERR PARSE a list not closed by \")\"\n");
	check("a quoted string with a bare CR", "* X \"a\rb\"\r\n",
	      "ERR PARSE a line break in a quoted string\n");
	check("a quoted string with a LF", "* X \"a\nb\"\r\n",
	      "ERR PARSE a line break in a quoted string\n");
	check("a quoted string not closed", "* X \"ab\r\n",
	      "ERR PARSE a line break in a quoted string\n");
	check("a bad escape in a quoted string", "* X \"a\\nb\"\r\n",
	      "ERR PARSE a bad escape \"\\n\" in a quoted string\n");
	check("a literal size {-1}", "* X {-1}\r\n", "ERR PARSE bad literal size {-1}\n");
	check("a literal size {}", "* X {}\r\n", "ERR PARSE an empty literal size {}\n");
	check("a literal size {abc}", "* X {abc}\r\n", "ERR PARSE bad literal size {abc}\n");
	check("a literal size past 63 bits", "* X {99999999999999999999}\r\n",
	      "ERR PARSE literal size {99999999999999999999} beyond 63 bits\n");
	check("a literal size of 2^63", "* X {9223372036854775808}\r\n",
	      "ERR PARSE literal size {9223372036854775808} beyond 63 bits\n");
	check("a non-synchronizing literal", "* X {5+}\r\nabcde\r\n",
	      "ERR PARSE a non-synchronizing literal {5+} from the server\n");
	check("a literal size not at the line end", "* X {5} a\r\n",
	      "ERR PARSE a literal size not at the end of its line\n");
	check("a literal size inside an atom", "* X a{1}\r\nb\r\n",
	      "ERR PARSE no space before \"{\"\n");
	check("no space between a quoted string and an atom", "* X \"a\"b\r\n",
	      "ERR PARSE no space before \"b\"\n");
	check("no space between an atom and a list", "* X a(b)\r\n",
	      "ERR PARSE no space before \"(\"\n");
	check("a \"[\" without \"]\" in an atom", "* 1 FETCH (BODY[HEADER x)\r\n",
	      "ERR PARSE \"[\" without \"]\" in \"BODY[HEADER x)\"\n");
	check("a list does not go on past a line end", "* X (a\r\n)\r\n",
	      "ERR PARSE a list not closed by \")\"\n");
}

/* ---- limits: each value allowed, one more refused ---- */

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = malloc(h + n + t + 1);
	memcpy(s, head, h);
	memset(s + h, c, n);
	memcpy(s + h + n, tail, t + 1);
	return s;
}

static void test_limit_line(void)
{
	struct imap_parser_limits lim = { .line_max = 20 };
	char *at = repeat("* X ", 'a', 16, "\r\n");
	char *past = repeat("* X ", 'a', 17, "\r\n");
	char *want = repeat("* X ", 'a', 16, "\n");
	check_lim(&lim, "line_max: a line of exactly line_max bytes", at, strlen(at), want);
	check_lim(&lim, "line_max: one byte more", past, strlen(past),
		  "ERR LIMIT a response line longer than 20 bytes\n");
	free(past);
	past = repeat("* X ", 'a', 40, "");
	check_lim(&lim, "line_max: a long line with no end yet fails early", past,
		  strlen(past), "ERR LIMIT a response line longer than 20 bytes\n");
	free(past);
	past = repeat("* X ", 'a', 17, "\n");
	check_lim(&lim, "line_max: one byte more, bare LF", past, strlen(past),
		  "ERR LIMIT a response line longer than 20 bytes\n");
	free(past);
	past = repeat("* X {1}\r\nz ", 'a', 19, ")\r\n");
	check_lim(&lim, "line_max: the line after a literal counts alone", past,
		  strlen(past), "ERR LIMIT a response line longer than 20 bytes\n");
	free(past);
	free(at);
	free(want);
}

static void test_limit_literal(void)
{
	struct imap_parser_limits lim = { .literal_max = 5 };
	check_lim(&lim, "literal_max: a literal of exactly literal_max bytes",
		  "* X {5}\r\nabcde\r\n", 16, "* X {5}\"abcde\"\n");
	check_lim(&lim, "literal_max: one byte more, refused when announced",
		  "* X {6}\r\n", 9,
		  "ERR LIMIT a literal of 6 bytes, over the limit of 5\n");
	check_lim(&lim, "literal_max: literal8 too", "* X ~{6}\r\n", 10,
		  "ERR LIMIT a literal of 6 bytes, over the limit of 5\n");
}

static void test_limit_response(void)
{
	const char *in = "* X {5}\r\nabcde (a b)\r\n"; /* 22 bytes */
	struct imap_parser_limits lim = { .response_max = 22 };
	check_lim(&lim, "response_max: a response of exactly response_max bytes", in, 22,
		  "* X {5}\"abcde\" (a b)\n");
	lim.response_max = 21;
	check_lim(&lim, "response_max: one byte more", in, 22,
		  "ERR LIMIT a response longer than 21 bytes\n");
	lim.response_max = 13;
	check_lim(&lim, "response_max: a literal that would pass it, refused when announced",
		  in, 9, "ERR LIMIT a response longer than 13 bytes\n");
	lim.response_max = 14;
	check_lim(&lim, "response_max: a literal up to it is read, the line after fails", in, 22,
		  "ERR LIMIT a response longer than 14 bytes\n");
	lim.response_max = 12;
	check_lim(&lim, "response_max: one line of exactly response_max", "* 1 EXISTS\r\n", 12, "* 1 EXISTS\n");
	lim.response_max = 11;
	check_lim(&lim, "response_max: one line one byte past it", "* 1 EXISTS\r\n", 12,
		  "ERR LIMIT a response longer than 11 bytes\n");
	check_lim(&lim, "response_max: counted per response",
		  "* 1 EXISTS\n* 2 EXISTS\n* 3 EXISTS\n", 33,
		  "* 1 EXISTS\n* 2 EXISTS\n* 3 EXISTS\n");
}

static void test_limit_depth_args(void)
{
	struct imap_parser_limits lim = { .depth_max = 2 };
	check_lim(&lim, "depth_max: lists nested exactly depth_max deep",
		  "* X ((a) b)\r\n", 13, "* X ((a) b)\n");
	check_lim(&lim, "depth_max: one more", "* X (((a)))\r\n", 13,
		  "ERR LIMIT lists nested deeper than 2\n");
	lim = (struct imap_parser_limits){ .args_max = 4 };
	check_lim(&lim, "args_max: exactly args_max arguments", "* SEARCH 1 2 3\r\n", 16,
		  "* SEARCH 1 2 3\n");
	check_lim(&lim, "args_max: one more", "* SEARCH 1 2 3 4\r\n", 18,
		  "ERR LIMIT more than 4 arguments in one response\n");
	check_lim(&lim, "args_max: a list counts as an argument", "* X (a b c)\r\n", 13,
		  "ERR LIMIT more than 4 arguments in one response\n");
	check_lim(&lim, "args_max: code arguments count, past it the code loses them",
		  "* OK [X a b c d e] t\r\n* OK [X a b c d] t\r\n", 42,
		  "* OK [X] text=\"t\"\n* OK [X a b c d] text=\"t\"\n");
	lim = (struct imap_parser_limits){ .depth_max = 1 };
	check_lim(&lim, "depth_max: a code past it loses its arguments",
		  "* OK [X ((a))] t\r\n", 18, "* OK [X] text=\"t\"\n");
}

/* Many arguments: a long top level is handed over whole, a long list
 * copied; both must read the same as short ones. */
static void test_many_args(void)
{
	struct buf in, want;
	buf_init(&in, 1 << 20);
	buf_init(&want, 1 << 20);
	buf_cut_ok(buf_append_str(&in, "* SEARCH"));
	buf_cut_ok(buf_append_str(&want, "* SEARCH"));
	for (int i = 1; i <= 700; i++) {
		buf_cut_ok(buf_printf(&in, " %d", i));
		buf_cut_ok(buf_printf(&want, " %d", i));
	}
	buf_cut_ok(buf_append_str(&in, " (a"));
	buf_cut_ok(buf_append_str(&want, " (a"));
	for (int i = 1; i <= 600; i++) {
		buf_cut_ok(buf_printf(&in, " \"q%d\"", i));
		buf_cut_ok(buf_printf(&want, " \"q%d\"", i));
	}
	buf_cut_ok(buf_append_str(&in, ") NIL\r\n"));
	buf_cut_ok(buf_append_str(&want, ") NIL\n"));
	check_lim(NULL, "700 numbers and a list of 600 strings", in.data, in.len, want.data);
	char *in1 = strdup(in.data), *want1 = strdup(want.data);
	buf_cut_ok(buf_append_str(&in, in1));
	buf_cut_ok(buf_append_str(&want, want1));
	free(in1);
	free(want1);
	check_lim(NULL, "the same twice in a row", in.data, in.len, want.data);
	buf_release(&in);
	buf_release(&want);
}

/* ---- fields, progress, helpers ---- */

static void test_fields(void)
{
	struct imap_parser *p = imap_parser_new(NULL);
	struct err e;
	size_t used;
	static const char in[] = "* 2 FETCH (X ~{3}\r\na\0b Y)\r\nA1 OK [UIDNEXT 7] ok\r\n";
	size_t n = sizeof(in) - 1;
	err_init(&e);
	is_int(imap_parser_feed(p, in, n, &used, &e), IMAP_PARSE_RESPONSE,
	       "fields: the first of two responses");
	is_int(used, 27, "fields: used stops after the first response's line end");
	const struct imap_response *r = imap_parser_response(p);
	is_int(r->bytes, 27, "fields: bytes counts the wire bytes");
	ok(r->kind == IMAP_RESP_UNTAGGED && r->status == IMAP_STATUS_NONE && r->tag == NULL &&
	   r->text == NULL && r->code == NULL, "fields: a data response has no tag, status, text");
	ok(r->n_args == 3 && r->args[2].type == IMAP_ARG_LIST && r->args[2].len == 3,
	   "fields: three args, the last a list of three");
	const struct imap_arg *lit = &r->args[2].list[1];
	ok(lit->type == IMAP_ARG_LITERAL && lit->literal8 && lit->len == 3 &&
	   memcmp(lit->str, "a\0b", 4) == 0 && lit->list == NULL,
	   "fields: a literal8 with a NUL, NUL-terminated");
	ok(imap_arg_is_atom(&r->args[1], "fetch") && !imap_arg_is_atom(&r->args[1], "FETC"),
	   "fields: imap_arg_is_atom is case-insensitive and whole");
	is_int(imap_parser_feed(p, in + used, n - used, &used, &e), IMAP_PARSE_RESPONSE,
	       "fields: the second response");
	r = imap_parser_response(p);
	ok(r->kind == IMAP_RESP_TAGGED && strcmp(r->tag, "A1") == 0 &&
	   r->status == IMAP_STATUS_OK && strcmp(r->code, "UIDNEXT") == 0 &&
	   r->n_code_args == 1 && strcmp(r->code_args[0].str, "7") == 0 &&
	   strcmp(r->text, "ok") == 0 && r->args == NULL && r->n_args == 0 && r->bytes == 22,
	   "fields: a tagged response with a code");
	is_int(imap_parser_feed(p, "", 0, &used, &e), IMAP_PARSE_NEED_MORE,
	       "fields: feeding nothing needs more");
	ok(imap_parser_response(p) == NULL, "fields: no response while one is gathered");
	imap_parser_free(&p);
	ok(p == NULL, "fields: free sets the pointer to NULL");
}

static void test_progress(void)
{
	struct imap_parser *p = imap_parser_new(NULL);
	struct err e;
	size_t used;
	uint64_t got = 9, total = 9;
	const char *head = "* 1 FETCH (BODY[] {10}\r\n";
	err_init(&e);
	is_int(imap_parser_literal_wanted(p), 0, "progress: nothing wanted before a literal");
	is_int(imap_parser_feed(p, head, 20, &used, &e), IMAP_PARSE_NEED_MORE,
	       "progress: half an announcement");
	is_int(imap_parser_literal_wanted(p), 0, "progress: nothing wanted before its line end");
	is_int(imap_parser_feed(p, head + 20, strlen(head) - 20, &used, &e),
	       IMAP_PARSE_NEED_MORE, "progress: the announcement");
	is_int(imap_parser_literal_wanted(p), 10, "progress: all 10 bytes wanted");
	imap_parser_literal_progress(p, &got, &total);
	ok(got == 0 && total == 10, "progress: 0 of 10");
	is_int(imap_parser_feed(p, "0123", 4, &used, &e), IMAP_PARSE_NEED_MORE,
	       "progress: 4 bytes of the literal");
	is_int(imap_parser_literal_wanted(p), 6, "progress: 6 still wanted");
	imap_parser_literal_progress(p, &got, &total);
	ok(got == 4 && total == 10, "progress: 4 of 10");
	is_int(imap_parser_feed(p, "456789)\r\n* 2", 13, &used, &e), IMAP_PARSE_RESPONSE,
	       "progress: the rest completes the response");
	is_int(used, 9, "progress: used stops at the line end");
	is_int(imap_parser_literal_wanted(p), 0, "progress: nothing wanted after it");
	imap_parser_literal_progress(p, &got, &total);
	ok(got == 0 && total == 0, "progress: 0 of 0 after it");
	is_int(imap_parser_feed(p, "* 1 FETCH (X {3}\r\nab", 20, &used, &e),
	       IMAP_PARSE_NEED_MORE, "progress: a second literal");
	imap_parser_reset(p);
	is_int(imap_parser_literal_wanted(p), 0, "progress: reset forgets the literal");
	is_int(imap_parser_feed(p, "* 4 EXISTS\r\n", 12, &used, &e), IMAP_PARSE_RESPONSE,
	       "progress: after reset a new response parses");
	is_int(imap_parser_feed(p, "\r\n", 2, &used, &e), IMAP_PARSE_ERROR,
	       "progress: an error");
	imap_parser_reset(p);
	is_int(imap_parser_feed(p, "* 4 EXISTS\r\n", 12, &used, &e), IMAP_PARSE_RESPONSE,
	       "progress: reset clears the error");
	imap_parser_free(&p);
}

static void test_big_literal(void)
{
	size_t n = (size_t)3 << 20;
	char *in = repeat("* 1 FETCH (BODY[] {3145728}\r\n", 'x', n, ")\r\n");
	size_t len = strlen(in), at = 0, used, calls = 0;
	struct imap_parser *p = imap_parser_new(NULL);
	struct err e;
	enum imap_parse_result res = IMAP_PARSE_NEED_MORE;
	err_init(&e);
	while (at < len && res == IMAP_PARSE_NEED_MORE) {
		size_t step = len - at < 1000 ? len - at : 1000;
		res = imap_parser_feed(p, in + at, step, &used, &e);
		at += used;
		calls++;
	}
	const struct imap_response *r = imap_parser_response(p);
	ok(res == IMAP_PARSE_RESPONSE && at == len && r->args[2].list[1].len == n &&
	   r->args[2].list[1].str[n - 1] == 'x' && r->bytes == len,
	   "a 3 MiB literal fed in 1000-byte pieces (%zu calls)", calls);
	imap_parser_free(&p);
	free(in);
}

static void test_numbers(void)
{
	struct imap_arg a = { .type = IMAP_ARG_ATOM };
	uint32_t v = 7;
	uint64_t v64 = 7;
	a.str = "0", a.len = 1;
	ok(imap_arg_number(&a, &v) && v == 0, "number: 0");
	a.str = "4294967295", a.len = 10;
	ok(imap_arg_number(&a, &v) && v == 4294967295u, "number: 2^32-1");
	a.str = "4294967296", a.len = 10;
	ok(!imap_arg_number(&a, &v) && v == 4294967295u, "number: 2^32 refused, value untouched");
	ok(imap_arg_number64(&a, &v64) && v64 == 4294967296u, "number64: 2^32");
	a.str = "9223372036854775807", a.len = 19;
	ok(imap_arg_number64(&a, &v64) && v64 == 9223372036854775807u, "number64: 2^63-1");
	a.str = "9223372036854775808", a.len = 19;
	ok(!imap_arg_number64(&a, &v64), "number64: 2^63 refused");
	a.str = "99999999999999999999999", a.len = 23;
	ok(!imap_arg_number64(&a, &v64), "number64: overflow refused");
	a.str = "+1", a.len = 2;
	ok(!imap_arg_number(&a, &v), "number: a plus sign refused");
	a.str = "-1", a.len = 2;
	ok(!imap_arg_number(&a, &v), "number: a minus sign refused");
	a.str = "007", a.len = 3;
	ok(!imap_arg_number(&a, &v), "number: a leading zero refused");
	a.str = "12a", a.len = 3;
	ok(!imap_arg_number(&a, &v), "number: trailing letters refused");
	a.str = "", a.len = 0;
	ok(!imap_arg_number(&a, &v), "number: empty refused");
	a = (struct imap_arg){ .type = IMAP_ARG_STRING, .str = "5", .len = 1 };
	ok(!imap_arg_number(&a, &v), "number: a quoted string is no number");
	ok(imap_arg_string(&a) && imap_arg_astring(&a) && imap_arg_nstring(&a),
	   "a quoted string is a string, astring and nstring");
	a.type = IMAP_ARG_LITERAL;
	ok(imap_arg_string(&a) && imap_arg_astring(&a) && imap_arg_nstring(&a),
	   "a literal is a string, astring and nstring");
	a.literal8 = true;
	ok(!imap_arg_string(&a) && !imap_arg_astring(&a) && !imap_arg_nstring(&a),
	   "a literal8 is no string, astring or nstring (binary data)");
	a.literal8 = false;
	a.type = IMAP_ARG_ATOM;
	ok(!imap_arg_string(&a) && imap_arg_astring(&a) && !imap_arg_nstring(&a),
	   "an atom is an astring only");
	a = (struct imap_arg){ .type = IMAP_ARG_NIL };
	ok(!imap_arg_string(&a) && !imap_arg_astring(&a) && imap_arg_nstring(&a),
	   "NIL is an nstring only");
	ok(!imap_arg_string(NULL) && !imap_arg_number(NULL, &v) && !imap_arg_is_atom(NULL, "A"),
	   "helpers refuse NULL");
}

int main(void)
{
	test_status();
	test_continuation();
	test_data();
	test_errors();
	test_limit_line();
	test_limit_literal();
	test_limit_response();
	test_limit_depth_args();
	test_many_args();
	test_fields();
	test_progress();
	test_big_literal();
	test_numbers();
	return done_testing();
}
