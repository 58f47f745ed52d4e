/* test_imap_fetch: FETCH responses (imap_fetch), ENVELOPE and
 * BODYSTRUCTURE (imap_body), decoded from wire text run through
 * imap_parser (whole, and for some one byte at a time). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "err.h"
#include "imap_fetch.h"
#include "imap_parser.h"
#include "summary.h"
#include "tap.h"

static struct imap_parser *P;
static struct err E;
static struct imap_fetch F;

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
			diag("parser refused \"%.60s\": %s", wire, e.msg);
			return NULL;
		}
		if (rc == IMAP_PARSE_RESPONSE)
			return at == len ? imap_parser_response(P) : NULL;
	}
	diag("parser wants more of \"%.60s\"", wire);
	return NULL;
}

/* Parses wire and decodes it into F; -2 if the parser refused it. */
static int fetch_split(const char *wire, bool bytes)
{
	const struct imap_response *r = parse_split(wire, strlen(wire), bytes);
	err_init(&E);
	if (r == NULL) {
		imap_fetch_init(&F);
		return -2;
	}
	return imap_fetch_parse(r, &F, &E);
}

static int fetch(const char *wire)
{
	return fetch_split(wire, false);
}

/* "* 1 FETCH (items)" */
static int fetch_items(const char *items)
{
	struct buf w;
	buf_init(&w, 1 << 20);
	buf_cut_ok(buf_printf(&w, "* 1 FETCH (%s)\r\n", items));
	int rc = fetch(w.data);
	buf_release(&w);
	return rc;
}

static int bodystructure(const char *bs)
{
	struct buf w;
	buf_init(&w, 1 << 20);
	buf_cut_ok(buf_printf(&w, "BODYSTRUCTURE %s", bs));
	int rc = fetch_items(w.data);
	buf_release(&w);
	return rc;
}

static const struct imap_body_part *part(size_t i)
{
	static const struct imap_body_part none = { .type = "", .subtype = "", .section = "?" };
	return i < F.body.n ? &F.body.parts[i] : &none;
}

static const char *section_of(size_t i)
{
	return i == IMAP_BODY_NONE ? "none" : part(i)->section;
}

/* The sections of all parts joined with ",": "" for a multipart body. */
static const char *sections(void)
{
	static char out[4096];
	size_t at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < F.body.n && at + 40 < sizeof(out); i++) {
		size_t n = strlen(F.body.parts[i].section);
		if (i > 0)
			out[at++] = ',';
		memcpy(out + at, F.body.parts[i].section, n + 1);
		at += n;
	}
	return out;
}

static const char *attachments(void)
{
	static char out[4096];
	size_t idx[64], n = imap_body_attachments(&F.body, idx, 64), at = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && i < 64 && at + 40 < sizeof(out); i++) {
		size_t k = strlen(F.body.parts[idx[i]].section);
		if (i > 0)
			out[at++] = ',';
		memcpy(out + at, F.body.parts[idx[i]].section, k + 1);
		at += k;
	}
	return out;
}

#define TP "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)"
#define TH "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 20 2 NIL NIL NIL NIL)"
#define AO "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 100 NIL NIL NIL NIL)"
#define PDF "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 12000 NIL " \
	"(\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL)"
#define ENV0 "(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL)"

#define GRAY "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))"
#define EXAMPLE_ENVELOPE "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" " \
	"\"IMAP4rev1 WG mtg summary and minutes\" " GRAY " " GRAY " " GRAY " " \
	"((NIL NIL \"imap\" \"cac.washington.edu\")) " \
	"((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) " \
	"NIL NIL \"<B27397-0100000@cac.washington.edu>\")"
#define EXAMPLE "* 1 FETCH (UID 7 FLAGS (\\Seen $Forwarded) " \
	"INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 " \
	"ENVELOPE " EXAMPLE_ENVELOPE " BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") " \
	"NIL NIL \"7BIT\" 3028 92 NIL NIL NIL)(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL " \
	"\"BASE64\" 12000 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL) \"MIXED\" " \
	"(\"BOUNDARY\" \"xx\") NIL NIL) MODSEQ (12345))\r\n"

/* ---- the whole example ---- */

static void check_example(const char *how)
{
	ok(F.seq == 1 && F.uid == 7 && F.flags.bits == (IMAP_FLAG_SEEN | IMAP_FLAG_FORWARDED),
	   "example (%s): seq, UID, flags", how);
	ok(F.internaldate == 837596665 && F.internaldate_zone == -420,
	   "example (%s): INTERNALDATE 1996-07-17T09:44:25Z, zone -07:00", how);
	ok(F.rfc822_size == 4286 && F.modseq == 12345, "example (%s): RFC822.SIZE, MODSEQ", how);
	is_int(F.present, IMAP_FETCH_UID | IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE |
			  IMAP_FETCH_RFC822_SIZE | IMAP_FETCH_MODSEQ | IMAP_FETCH_ENVELOPE |
			  IMAP_FETCH_BODYSTRUCTURE, "example (%s): every item present", how);
	is_str(F.envelope.subject, "IMAP4rev1 WG mtg summary and minutes", "example (%s): subject", how);
	ok(F.envelope.from.n == 1 && strcmp(F.envelope.from.list[0].name, "Terry Gray") == 0 &&
	   strcmp(F.envelope.from.list[0].address, "gray@cac.washington.edu") == 0,
	   "example (%s): From name and address", how);
	ok(F.envelope.cc.n == 2 && strcmp(F.envelope.cc.list[1].address, "KLENSIN@MIT.EDU") == 0 &&
	   F.envelope.cc.list[0].name[0] == '\0', "example (%s): two Cc addresses", how);
	ok(F.envelope.bcc.n == 0 && F.envelope.in_reply_to == NULL,
	   "example (%s): NIL Bcc and In-Reply-To", how);
	is_str(sections(), ",1,2", "example (%s): sections", how);
	size_t t = imap_body_text_part(&F.body);
	is_str(section_of(t), "1", "example (%s): the text part is 1", how);
	ok(part(t)->cte == MIME_CTE_7BIT && part(t)->size == 3028 && part(t)->lines == 92 &&
	   part(t)->charset != NULL && strcmp(part(t)->charset, "US-ASCII") == 0,
	   "example (%s): text part's encoding, size, lines, charset", how);
	is_str(attachments(), "2", "example (%s): the PDF is the attachment", how);
	ok(part(2)->filename != NULL && strcmp(part(2)->filename, "a.pdf") == 0 &&
	   strcmp(part(2)->type, "application") == 0 && strcmp(part(2)->subtype, "pdf") == 0 &&
	   part(2)->size == 12000 && strcmp(part(2)->disposition, "attachment") == 0,
	   "example (%s): attachment's file name, type, size, disposition", how);
	is_str(imap_body_param(part(0)->params, part(0)->n_params, "boundary"), "xx",
	       "example (%s): multipart boundary", how);
}

static void test_example(void)
{
	ok(fetch(EXAMPLE) == 0, "example: decoded");
	check_example("whole");
	struct summary s;
	imap_fetch_summary(&F, &s);
	is_str(s.from, "Terry Gray", "summary: From display name");
	is_str(s.from_address, "gray@cac.washington.edu", "summary: From address");
	is_str(s.to, "imap@cac.washington.edu", "summary: To without name shows the address");
	is_str(s.subject, "IMAP4rev1 WG mtg summary and minutes", "summary: subject");
	ok(s.date == 837595405 && s.zone_minutes == -420,
	   "summary: date from the envelope (1996-07-17T09:23:25Z, -07:00)");
	is_str(s.message_id, "<B27397-0100000@cac.washington.edu>", "summary: Message-ID raw");
	ok(s.in_reply_to == NULL && s.references == NULL, "summary: no In-Reply-To, References");
	ok(s.size == 4286 && s.flags == SUMMARY_READ && s.has_attachment,
	   "summary: size, \\Seen as read, multipart/mixed has attachments");
	summary_pack(&s);
	ok(imap_fetch_references(&s, "References: <a@b>\r\n\r\n", 21) == -1 && s.references == NULL,
	   "references: refused on a packed summary");
	summary_release(&s);
	imap_fetch_release(&F);

	ok(fetch_split(EXAMPLE, true) == 0, "example: decoded when fed byte by byte");
	check_example("bytes");
	imap_fetch_release(&F);
}

/* ---- envelopes ---- */

static void test_envelope(void)
{
	const char *wire = "ENVELOPE (NIL \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?ISO-8859-1?Q?_aus_K=F6ln?=\" "
			   "((\"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=\" NIL \"keld\" \"dkuug.dk\")) NIL NIL "
			   "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "
			   "((NIL NIL \"team\" NIL)(\"Ann\" NIL \"ann\" \"x.org\")(NIL NIL \"bob\" \"x.org\")"
			   "(NIL NIL NIL NIL)(\"Out\" \"@relay\" \"out\" \"y.org\")) "
			   "((\"Nobody\" NIL \"user\" \"\")(NIL NIL \"uw\" \".MISSING-HOST-NAME.\")) "
			   "\"<parent@x>\" \"<\xff@x>\") INTERNALDATE \"01-Jan-2023 18:00:00 -0700\"";
	ok(fetch_items(wire) == 0, "envelope: decoded");
	struct summary s;
	imap_fetch_summary(&F, &s);
	is_str(s.subject, "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln", "envelope: RFC 2047 subject to UTF-8");
	is_str(s.from, "Keld J\xc3\xb8rn Simonsen", "envelope: RFC 2047 From name");
	is_str(s.to, "undisclosed-recipients", "envelope: an empty group is shown by its name");
	ok(s.date == 1672621200 && s.zone_minutes == -420,
	   "summary: NIL Date falls back to INTERNALDATE");
	is_str(s.in_reply_to, "<parent@x>", "summary: In-Reply-To raw");
	is_str(s.message_id, "<\xef\xbf\xbd@x>", "summary: a bad byte of a raw id becomes U+FFFD");
	summary_release(&s);
	const struct mime_address_list *to = &F.envelope.to, *cc = &F.envelope.cc;
	ok(to->n == 1 && to->n_groups == 1 && to->list[0].address[0] == '\0' &&
	   to->list[0].group != NULL && strcmp(to->list[0].group, "undisclosed-recipients") == 0,
	   "envelope: empty group gives one entry with its name and no address");
	ok(cc->n == 3 && cc->n_groups == 1, "envelope: group members plus one outside");
	ok(cc->list[0].group != NULL && strcmp(cc->list[0].group, "team") == 0 &&
	   cc->list[1].group == cc->list[0].group && cc->list[2].group == NULL,
	   "envelope: members carry the group, the end marker closes it");
	is_str(cc->list[1].address, "bob@x.org", "envelope: a member without name");
	is_str(cc->list[2].address, "out@y.org", "envelope: the source route is dropped");
	is_str(F.envelope.bcc.list[0].address, "user", "envelope: host \"\" gives the mailbox alone");
	is_str(F.envelope.bcc.list[1].address, "uw", "envelope: .MISSING-HOST-NAME. dropped");
	imap_fetch_release(&F);

	ok(fetch_items("ENVELOPE (\"garbage\" NIL NIL NIL NIL NIL NIL NIL NIL NIL)") == 0,
	   "envelope: all NIL but a bad date");
	imap_fetch_summary(&F, &s);
	ok(s.date == SUMMARY_DATE_UNKNOWN && s.from[0] == '\0' && s.from_address[0] == '\0' &&
	   s.subject[0] == '\0' && s.message_id == NULL,
	   "summary: no date, no INTERNALDATE: unknown; empty strings");
	summary_release(&s);
	imap_fetch_release(&F);

	struct buf w;
	buf_init(&w, 1 << 20);
	buf_cut_ok(buf_append_str(&w, "ENVELOPE (NIL NIL NIL NIL NIL ("));
	for (int i = 0; i < IMAP_ENVELOPE_ADDRESSES_MAX + 1; i++)
		buf_cut_ok(buf_printf(&w, "(NIL NIL \"u%d\" \"h\")", i));
	buf_cut_ok(buf_append_str(&w, ") NIL NIL NIL NIL)"));
	ok(fetch_items(w.data) == 0 && F.envelope.to.n == IMAP_ENVELOPE_ADDRESSES_MAX,
	   "envelope: %d addresses kept of %d", IMAP_ENVELOPE_ADDRESSES_MAX,
	   IMAP_ENVELOPE_ADDRESSES_MAX + 1);
	imap_fetch_release(&F);
	buf_release(&w);
}

static void test_envelope_bad(void)
{
	static const char *const fields[10] = { "date", "subject", "from", "sender", "reply-to",
						"to", "cc", "bcc", "in-reply-to", "message-id" };
	for (int i = 0; i < 10; i++) {
		struct buf w;
		buf_init(&w, 4096);
		buf_cut_ok(buf_append_str(&w, "ENVELOPE ("));
		for (int k = 0; k < 10; k++) {
			const char *bad = (k >= 2 && k < 8) ? "\"x\"" : "(x)";
			buf_cut_ok(buf_printf(&w, "%s%s", k ? " " : "", k == i ? bad : "NIL"));
		}
		buf_cut_ok(buf_append_str(&w, ")"));
		ok(fetch_items(w.data) == -1 && E.code == ERR_PARSE && E.scope == ERR_MESSAGE &&
		   strstr(E.msg, fields[i]) != NULL && F.present == 0,
		   "envelope: a bad %s field is an error naming it (%s)", fields[i], E.msg);
		buf_release(&w);
	}
	ok(fetch_items("ENVELOPE ((NIL NIL \"a\"))") == -1, "envelope: too few fields");
	ok(fetch_items("ENVELOPE (NIL NIL ((NIL NIL \"a\")) NIL NIL NIL NIL NIL NIL NIL)") == -1,
	   "envelope: an address of three fields");
	ok(fetch_items("ENVELOPE (NIL NIL ((NIL NIL (a) \"h\")) NIL NIL NIL NIL NIL NIL NIL)") == -1,
	   "envelope: an address field that is a list");
	ok(fetch_items("ENVELOPE (NIL NIL (NIL) NIL NIL NIL NIL NIL NIL NIL)") == -1,
	   "envelope: NIL as an address");
	ok(fetch_items("ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL <id@x>)") == -1,
	   "envelope: an atom message-id");
	ok(fetch_items("ENVELOPE NIL") == -1 && strstr(E.msg, "ENVELOPE") != NULL,
	   "envelope: NIL is an error");
}

/* ---- BODYSTRUCTURE: sections ---- */

static void test_sections(void)
{
	/* RFC 9051 s6.4.5's example message. */
	const char *rfc =
		"(" TP AO
		"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 500 " ENV0 " (" TP AO " \"MIXED\") 20 NIL NIL NIL NIL)"
		"((\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 300 NIL NIL NIL NIL)"
		"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 400 " ENV0 " (" TP "(" TP
		"(\"TEXT\" \"RICHTEXT\" NIL NIL NIL \"7BIT\" 30 2 NIL NIL NIL NIL) \"ALTERNATIVE\") "
		"\"MIXED\") 15 NIL NIL NIL NIL) \"MIXED\") \"MIXED\" (\"BOUNDARY\" \"x\") NIL NIL NIL)";
	ok(bodystructure(rfc) == 0 && F.body.n == 15, "sections: RFC 9051 example decoded (15 parts)");
	is_str(sections(), ",1,2,3,,3.1,3.2,4,4.1,4.2,,4.2.1,4.2.2,4.2.2.1,4.2.2.2",
	       "sections: as RFC 9051 s6.4.5 numbers them");
	ok(strcmp(part(3)->type, "message") == 0 && part(3)->envelope != NULL &&
	   strcmp(part(3)->envelope->subject, "inner") == 0 && part(3)->n_children == 1 &&
	   part(3)->first_child == 4 && part(3)->lines == 20,
	   "sections: message/rfc822 3 has its envelope, lines and body");
	ok(part(4)->multipart && part(4)->parent == 3 && part(4)->n_children == 2 &&
	   part(4)->first_child == 5 && part(5)->next_sibling == 6 &&
	   part(6)->next_sibling == IMAP_BODY_NONE, "sections: the tree links of 3's body");
	ok(part(14)->depth == 6 && F.body.depth == 6 && strcmp(part(14)->subtype, "richtext") == 0,
	   "sections: 4.2.2.2 at depth 6");
	is_str(section_of(imap_body_text_part(&F.body)), "1", "sections: text part 1");
	is_str(attachments(), "2,3,4.1,4.2", "sections: attachments skip inside messages");
	imap_fetch_release(&F);

	ok(bodystructure("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1)") == 0, "sections: single part");
	is_str(sections(), "1", "sections: a single part message is 1");
	imap_fetch_release(&F);
	ok(bodystructure("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 100 " ENV0
			 " (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1) 4)") == 0,
	   "sections: a message/rfc822 message");
	is_str(sections(), "1,1.1", "sections: its single-part body is 1.1");
	imap_fetch_release(&F);
	ok(bodystructure("(" TP "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 100 " ENV0 " " TP
			 " 4) \"MIXED\")") == 0, "sections: an attached message with one part");
	is_str(sections(), ",1,2,2.1", "sections: its body is 2.1");
	imap_fetch_release(&F);
	ok(bodystructure("(" TP "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 100 " ENV0 " (" TP
			 "(\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"8BIT\" 50 " ENV0 " " TP " 3) \"MIXED\") 4) "
			 "\"MIXED\")") == 0, "sections: message/global inside message/rfc822");
	is_str(sections(), ",1,2,,2.1,2.2,2.2.1", "sections: nested messages");
	imap_fetch_release(&F);
	ok(bodystructure("(" TP TP TP TP TP TP TP TP TP TP TP " \"MIXED\")") == 0 &&
	   strcmp(part(11)->section, "11") == 0, "sections: the 11th part is 11");
	imap_fetch_release(&F);
}

/* ---- BODYSTRUCTURE: the text part and attachments ---- */

static void text_case(const char *bs, const char *text, const char *att, bool has,
		      const char *what)
{
	ok(bodystructure(bs) == 0, "text part: %s decoded", what);
	is_str(section_of(imap_body_text_part(&F.body)), text, "text part: %s", what);
	is_str(attachments(), att, "attachments: %s", what);
	is_int(imap_body_has_attachment(&F.body), has, "has_attachment: %s", what);
	imap_fetch_release(&F);
}

static void test_text_part(void)
{
	text_case("((" TP TH " \"ALTERNATIVE\")" PDF " \"MIXED\")", "1.1", "2", true,
		  "alternative inside mixed: plain, html not an attachment");
	text_case("(" TH TP " \"ALTERNATIVE\")", "2", "", false,
		  "alternative with html first: plain preferred");
	text_case("(" TH " \"ALTERNATIVE\")", "1", "", false, "html only");
	text_case("(" TH AO " \"MIXED\")", "1", "2", true, "html then a binary in mixed");
	text_case("(" TH TP " \"MIXED\")", "1", "2", true,
		  "mixed: the first child with text wins, a later plain is an attachment");
	text_case("((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1 NIL (\"ATTACHMENT\" NIL) NIL)" TH
		  " \"MIXED\")", "2", "1", true, "a text/plain attachment is skipped");
	text_case("((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1 NIL (\"INLINE\" NIL) NIL)" AO
		  " \"MIXED\")", "1", "2", true, "an inline text/plain is the text");
	text_case("((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 100 " ENV0 " " TP " 4) \"MIXED\")",
		  "none", "1", true, "an attached message is not looked into");
	text_case("(" TH "(\"IMAGE\" \"PNG\" NIL \"<img1>\" NIL \"BASE64\" 10 NIL (\"INLINE\" NIL) NIL) "
		  "\"RELATED\")", "1", "2", false, "related html with an inline image");
	text_case("((" TP TH " \"ALTERNATIVE\")(\"APPLICATION\" \"PGP-SIGNATURE\" NIL NIL NIL \"7BIT\" 5 NIL) "
		  "\"SIGNED\")", "1.1", "2", false, "signed with an alternative");
	text_case("((\"APPLICATION\" \"PGP-ENCRYPTED\" NIL NIL NIL \"7BIT\" 5 NIL)" AO " \"ENCRYPTED\")",
		  "none", "1,2", false, "encrypted: no text");
	text_case("((" TP "(" TH "(\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 9 NIL) \"RELATED\") "
		  "\"ALTERNATIVE\")" PDF " \"MIXED\")", "1.1", "1.2.2,2", true,
		  "alternative of plain and related(html, image)");
	text_case(TP, "1", "", false, "a single text/plain");
	text_case(PDF, "none", "1", true, "a single application/pdf");
	text_case("NIL", "none", "", false, "a lone NIL");
}

/* ---- BODYSTRUCTURE: fields and leniencies ---- */

static void test_fields(void)
{
	ok(bodystructure("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"FORMAT\" \"flowed\") \"<id1@x>\" "
			 "\"A description\" \"QUOTED-PRINTABLE\" 1234 56 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
			 "(\"INLINE\" (\"FILENAME\" \"notes.txt\")) (\"EN\" \"de\") \"http://x/y\" "
			 "(1 (2 \"x\")) NIL 7)") == 0, "fields: every field of a text part");
	const struct imap_body_part *p = part(0);
	ok(strcmp(p->type, "text") == 0 && strcmp(p->subtype, "plain") == 0 && p->n_params == 2 &&
	   strcmp(p->params[1].name, "format") == 0 && strcmp(p->params[1].value, "flowed") == 0,
	   "fields: type, subtype lower-cased; params with lower-cased names");
	ok(strcmp(p->id, "<id1@x>") == 0 && strcmp(p->description, "A description") == 0 &&
	   strcmp(p->encoding, "quoted-printable") == 0 && p->cte == MIME_CTE_QP &&
	   p->size == 1234 && p->has_lines && p->lines == 56,
	   "fields: id, description, encoding, size, lines");
	ok(strcmp(p->md5, "Q2hlY2sgSW50ZWdyaXR5IQ==") == 0 && strcmp(p->disposition, "inline") == 0 &&
	   strcmp(p->filename, "notes.txt") == 0 && strcmp(p->language, "EN, de") == 0 &&
	   strcmp(p->location, "http://x/y") == 0 && strcmp(p->charset, "UTF-8") == 0,
	   "fields: md5, disposition, filename, languages, location, charset");
	imap_fetch_release(&F);

	ok(bodystructure("(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME*\" \"utf-8''%E2%82%AC%20rates.txt\") "
			 "NIL NIL \"BASE64\" 10 NIL (\"ATTACHMENT\" (\"FILENAME*0*\" \"utf-8''na%C3%AFve\" "
			 "\"FILENAME*1\" \".txt\")) NIL)") == 0 &&
	   strcmp(part(0)->filename, "na\xc3\xafve.txt") == 0, "fields: RFC 2231 filename continuations");
	ok(part(0)->charset == NULL, "fields: no charset parameter gives NULL");
	imap_fetch_release(&F);
	ok(bodystructure("(\"APPLICATION\" \"PDF\" (\"NAME\" \"=?UTF-8?B?w6TDtsO8LnBkZg==?=\") "
			 "NIL NIL \"BASE64\" 10 NIL NIL NIL)") == 0 &&
	   strcmp(part(0)->filename, "\xc3\xa4\xc3\xb6\xc3\xbc.pdf") == 0,
	   "fields: an RFC 2047 name is the filename when no disposition");
	imap_fetch_release(&F);
	ok(fetch_items("BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 10 2)") == 0 &&
	   (F.present & IMAP_FETCH_BODYSTRUCTURE) && part(0)->cte == MIME_CTE_BASE64 &&
	   part(0)->md5 == NULL && part(0)->disposition == NULL,
	   "fields: non-extensible BODY");
	imap_fetch_release(&F);
}

static void test_lenient(void)
{
	ok(bodystructure("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5)") == 0 && !part(0)->has_lines,
	   "lenient: text without lines");
	imap_fetch_release(&F);
	ok(bodystructure("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 NIL (\"INLINE\" NIL))") == 0 &&
	   !part(0)->has_lines && strcmp(part(0)->disposition, "inline") == 0,
	   "lenient: text without lines but with extension data");
	imap_fetch_release(&F);
	ok(bodystructure("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 5)") == 0 && F.body.n == 1 &&
	   part(0)->envelope == NULL && part(0)->n_children == 0,
	   "lenient: message/rfc822 without envelope and body");
	imap_fetch_release(&F);
	ok(bodystructure("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 5 " ENV0 " NIL 0)") == 0 &&
	   F.body.n == 1 && part(0)->envelope != NULL && part(0)->n_children == 0 &&
	   part(0)->first_child == IMAP_BODY_NONE, "lenient: message/rfc822 with a NIL body");
	imap_fetch_release(&F);
	ok(bodystructure("(NIL NIL NIL NIL NIL NIL NIL)") == 0 &&
	   strcmp(part(0)->type, "application") == 0 && strcmp(part(0)->subtype, "octet-stream") == 0 &&
	   strcmp(part(0)->encoding, "7bit") == 0 && part(0)->size == 0,
	   "lenient: NIL type, subtype, encoding and size");
	imap_fetch_release(&F);
	ok(bodystructure("(TEXT PLAIN NIL NIL NIL 7BIT 5 1)") == 0 &&
	   strcmp(part(0)->subtype, "plain") == 0, "lenient: atoms for type, subtype, encoding");
	imap_fetch_release(&F);
	ok(bodystructure("(\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 1 1)") == 0 && part(0)->n_params == 0,
	   "lenient: an empty parameter list");
	imap_fetch_release(&F);
	ok(bodystructure("(\"TEXT\" \"PLAIN\" (NIL \"x\" \"CHARSET\" \"utf-8\" \"NAME\") NIL NIL "
			 "\"7BIT\" 1 1)") == 0 && part(0)->n_params == 1 &&
	   strcmp(part(0)->charset, "utf-8") == 0, "lenient: NIL pair and odd last name skipped");
	imap_fetch_release(&F);
	ok(bodystructure("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL \"INLINE\")") == 0 &&
	   strcmp(part(0)->disposition, "inline") == 0, "lenient: a disposition as a string");
	imap_fetch_release(&F);
	ok(bodystructure("(" TP " NIL)") == 0 && strcmp(part(0)->subtype, "mixed") == 0,
	   "lenient: a NIL multipart subtype is mixed");
	imap_fetch_release(&F);
	ok(bodystructure("(" TP " \"MIXED\" NIL NIL NIL NIL (1 2) \"x\" 3)") == 0,
	   "lenient: unknown multipart extension fields skipped");
	imap_fetch_release(&F);
}

static void body_fails(const char *bs, enum err_code code, const char *what)
{
	int rc = bodystructure(bs);
	ok(rc == -1 && E.code == code && E.scope == ERR_MESSAGE && F.body.n == 0 &&
	   F.present == 0, "bodystructure: %s is an error (%s)", what, E.msg);
	imap_fetch_release(&F);
}

static void test_body_bad(void)
{
	body_fails("\"x\"", ERR_PARSE, "a string");
	body_fails("()", ERR_PARSE, "an empty list");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\")", ERR_PARSE, "six fields");
	body_fails("((x) \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)", ERR_PARSE, "no subtype after a list");
	body_fails("(\"TEXT\" (x) NIL NIL NIL \"7BIT\" 1 1)", ERR_PARSE, "a subtype that is a list");
	body_fails("(\"TEXT\" \"PLAIN\" \"x\" NIL NIL \"7BIT\" 1 1)", ERR_PARSE, "params as a string");
	body_fails("(\"TEXT\" \"PLAIN\" ((a) \"b\") NIL NIL \"7BIT\" 1 1)", ERR_PARSE,
		   "a list in the params");
	body_fails("(\"TEXT\" \"PLAIN\" NIL (x) NIL \"7BIT\" 1 1)", ERR_PARSE, "an id that is a list");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL ID \"7BIT\" 1 1)", ERR_PARSE, "a description that is an atom");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL (x) 1 1)", ERR_PARSE, "an encoding that is a list");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" \"12\" 1)", ERR_PARSE, "a size that is a string");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -1 1)", ERR_PARSE, "a negative size");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 (x))", ERR_PARSE, "an md5 that is a list");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL (x))", ERR_PARSE,
		   "a disposition type that is an atom");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL (\"INLINE\" \"x\"))", ERR_PARSE,
		   "disposition params that are a string");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL ((x)))", ERR_PARSE,
		   "a language list holding a list");
	body_fails("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL (x))", ERR_PARSE,
		   "a location that is a list");
	body_fails("(" TP ")", ERR_PARSE, "a multipart without subtype");
	body_fails("(" TP " \"MIXED\" \"x\")", ERR_PARSE, "multipart params that are a string");
	body_fails("(" TP "(\"TEXT\") \"MIXED\")", ERR_PARSE, "a broken second child");
	body_fails("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 5 (NIL) " TP " 1)", ERR_PARSE,
		   "a message with a broken envelope");
	body_fails("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 5 " ENV0 " (\"TEXT\") 1)", ERR_PARSE,
		   "a message with a broken body");
	ok(bodystructure("(" TP "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" x 1) \"MIXED\")") == -1 &&
	   strstr(E.msg, "size") != NULL && strstr(E.msg, "part 2") != NULL,
	   "bodystructure: the error names the field and the part (%s)", E.msg);
	imap_fetch_release(&F);
}

/* ---- BODYSTRUCTURE: caps ---- */

/* Multiparts nested depth - 1 times around one leaf: the leaf is at depth. */
static int nested(unsigned depth)
{
	struct buf w;
	buf_init(&w, 1 << 20);
	for (unsigned i = 1; i < depth; i++)
		buf_cut_ok(buf_append_char(&w, '('));
	buf_cut_ok(buf_append_str(&w, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)"));
	for (unsigned i = 1; i < depth; i++)
		buf_cut_ok(buf_append_str(&w, " \"MIXED\")"));
	int rc = bodystructure(w.data);
	buf_release(&w);
	return rc;
}

/* Messages nested: depth parts, each the body of the one before. */
static int nested_messages(unsigned depth)
{
	struct buf w;
	buf_init(&w, 1 << 20);
	for (unsigned i = 1; i < depth; i++)
		buf_cut_ok(buf_append_str(&w, "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 " ENV0 " "));
	buf_cut_ok(buf_append_str(&w, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)"));
	for (unsigned i = 1; i < depth; i++)
		buf_cut_ok(buf_append_str(&w, " 1)"));
	int rc = bodystructure(w.data);
	buf_release(&w);
	return rc;
}

static int wide(size_t leaves)
{
	struct buf w;
	buf_init(&w, 1 << 20);
	buf_cut_ok(buf_append_char(&w, '('));
	for (size_t i = 0; i < leaves; i++)
		buf_cut_ok(buf_append_str(&w, "(\"A\" \"B\" NIL NIL NIL \"7BIT\" 1)"));
	buf_cut_ok(buf_append_str(&w, " \"MIXED\")"));
	int rc = bodystructure(w.data);
	buf_release(&w);
	return rc;
}

static void test_caps(void)
{
	ok(nested(IMAP_BODY_DEPTH_MAX) == 0 && F.body.depth == IMAP_BODY_DEPTH_MAX &&
	   F.body.n == IMAP_BODY_DEPTH_MAX, "caps: multiparts %d deep", IMAP_BODY_DEPTH_MAX);
	is_str(part(F.body.n - 1)->section, "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
	       "caps: the deepest leaf's section");
	imap_fetch_release(&F);
	ok(nested(IMAP_BODY_DEPTH_MAX + 1) == -1 && E.code == ERR_LIMIT && F.body.n == 0,
	   "caps: %d deep is ERR_LIMIT", IMAP_BODY_DEPTH_MAX + 1);
	imap_fetch_release(&F);
	ok(nested_messages(IMAP_BODY_DEPTH_MAX) == 0 && F.body.depth == IMAP_BODY_DEPTH_MAX,
	   "caps: messages %d deep", IMAP_BODY_DEPTH_MAX);
	is_str(part(F.body.n - 1)->section, "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
	       "caps: the innermost message body is 1 + 19 times .1");
	imap_fetch_release(&F);
	ok(nested_messages(IMAP_BODY_DEPTH_MAX + 1) == -1 && E.code == ERR_LIMIT,
	   "caps: messages %d deep is ERR_LIMIT", IMAP_BODY_DEPTH_MAX + 1);
	imap_fetch_release(&F);
	ok(wide(IMAP_BODY_PARTS_MAX - 1) == 0 && F.body.n == IMAP_BODY_PARTS_MAX &&
	   part(0)->n_children == IMAP_BODY_PARTS_MAX - 1, "caps: %d parts", IMAP_BODY_PARTS_MAX);
	is_str(part(F.body.n - 1)->section, "999", "caps: the last part is 999");
	imap_fetch_release(&F);
	ok(wide(IMAP_BODY_PARTS_MAX) == -1 && E.code == ERR_LIMIT && F.body.n == 0,
	   "caps: %d parts is ERR_LIMIT", IMAP_BODY_PARTS_MAX + 1);
	imap_fetch_release(&F);

	struct buf w;
	buf_init(&w, 1 << 20);
	for (int i = 0; i < IMAP_FETCH_SECTIONS_MAX; i++)
		buf_cut_ok(buf_printf(&w, "%sBODY[%d] \"x\"", i ? " " : "", i + 1));
	ok(fetch_items(w.data) == 0 && F.n_sections == IMAP_FETCH_SECTIONS_MAX,
	   "caps: %d body sections", IMAP_FETCH_SECTIONS_MAX);
	imap_fetch_release(&F);
	buf_cut_ok(buf_append_str(&w, " BODY[99] NIL"));
	ok(fetch_items(w.data) == -1 && E.code == ERR_LIMIT && F.n_sections == 0,
	   "caps: %d body sections is ERR_LIMIT", IMAP_FETCH_SECTIONS_MAX + 1);
	imap_fetch_release(&F);
	buf_reset(&w);
	buf_cut_ok(buf_append_str(&w, "FLAGS (\\Seen"));
	for (int i = 0; i < IMAP_FLAGS_KEYWORDS_MAX + 1; i++)
		buf_cut_ok(buf_printf(&w, " kw%d", i));
	buf_cut_ok(buf_append_str(&w, ")"));
	ok(fetch_items(w.data) == 0 && F.flags.n_keywords == IMAP_FLAGS_KEYWORDS_MAX &&
	   F.flags.dropped && F.flags.bits == IMAP_FLAG_SEEN,
	   "caps: FETCH FLAGS keeps %d keywords", IMAP_FLAGS_KEYWORDS_MAX);
	imap_fetch_release(&F);
	buf_release(&w);
}

/* ---- items ---- */

static void test_items(void)
{
	const char *wire = "* 12 FETCH (UID 9 BODY[HEADER.FIELDS (REFERENCES)] {29}\r\n"
			   "References: <a@x>\r\n <b@y>\r\n\r\n BODY[1]<0> \"Hello\" BINARY[2] ~{4}\r\n"
			   "a\0bc RFC822.SIZE 100 BODY[] NIL X-GM-LABELS (\\Inbox \"foo\") BINARY.SIZE[1] 100 "
			   "EMAILID (M6d99ac3275bb4e) RFC822.HEADER \"h\" RFC822.TEXT NIL RFC822 \"m\" "
			   "PREVIEW \"hi\" BODY[1] \"again\")\r\n";
	size_t len = 0;
	while (memcmp(wire + len, ")\r\n", 3) != 0)
		len++;
	len += 3;
	for (int bytes = 0; bytes < 2; bytes++) {
		const struct imap_response *r = parse_split(wire, len, bytes);
		ok(r != NULL && imap_fetch_parse(r, &F, &E) == 0 && F.seq == 12 && F.uid == 9,
		   "items (%s): decoded, unknown items skipped", bytes ? "bytes" : "whole");
		const struct imap_fetch_section *s =
			imap_fetch_section(&F, IMAP_SECTION_BODY, "header.fields (references)");
		ok(s != NULL && s->len == 29 && !s->has_origin, "items: header fields section found");
		struct summary sum;
		memset(&sum, 0, sizeof(sum));
		ok(s != NULL && imap_fetch_references(&sum, s->data, s->len) == 1 &&
		   strcmp(sum.references, "<a@x> <b@y>") == 0, "references: unfolded from the section");
		ok(imap_fetch_references(&sum, "Subject: x\r\n\r\n", 14) == 0 && sum.references == NULL,
		   "references: none in the header");
		summary_release(&sum);
		s = imap_fetch_section(&F, IMAP_SECTION_BODY, "1");
		ok(s != NULL && s->len == 5 && strcmp(s->data, "again") == 0 && !s->has_origin,
		   "items: a section given twice: the last is found");
		ok(F.n_sections == 8 && F.sections[1].has_origin && F.sections[1].origin == 0 &&
		   strcmp(F.sections[1].data, "Hello") == 0, "items: BODY[1]<0> with its origin");
		s = imap_fetch_section(&F, IMAP_SECTION_BINARY, "2");
		ok(s != NULL && s->len == 4 && memcmp(s->data, "a\0bc", 4) == 0,
		   "items: BINARY[2] as a literal8 with a NUL");
		s = imap_fetch_section(&F, IMAP_SECTION_BODY, "");
		ok(s != NULL && s->data == NULL && s->len == 0, "items: BODY[] NIL");
		ok(imap_fetch_section(&F, IMAP_SECTION_RFC822_HEADER, "") != NULL &&
		   imap_fetch_section(&F, IMAP_SECTION_RFC822_TEXT, "")->data == NULL &&
		   *imap_fetch_section(&F, IMAP_SECTION_RFC822, "")->data == 'm',
		   "items: RFC822, RFC822.HEADER, RFC822.TEXT");
		ok(imap_fetch_section(&F, IMAP_SECTION_BODY, "3") == NULL, "items: an absent section");
		imap_fetch_release(&F);
	}
	ok(fetch("* 5 FETCH (UID 1 BODY[HEADER] ~{3}\r\nabc)\r\n") < 0 && E.code == ERR_PARSE &&
	   strstr(E.msg, "BODY[]") != NULL, "items: BODY[] as a literal8 is refused (%s)", E.msg);
	imap_fetch_release(&F);
	ok(fetch("* 5 FETCH (UID 1 RFC822 ~{1}\r\nx)\r\n") < 0 && E.code == ERR_PARSE,
	   "items: RFC822 as a literal8 is refused (%s)", E.msg);
	imap_fetch_release(&F);
	ok(fetch("* 5 FETCH (BODY[1.2.MIME]<4294967295> \"x\" FLAGS () UID 1 UID 6)\r\n") == 0 &&
	   F.sections[0].origin == 4294967295u && F.uid == 6 && F.flags.bits == 0,
	   "items: largest origin; UID twice: the last wins");
	imap_fetch_release(&F);
	ok(fetch("* 5 FETCH (ENVELOPE (NIL \"one\" NIL NIL NIL NIL NIL NIL NIL NIL) "
		 "ENVELOPE (NIL \"two\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n") == 0 &&
	   strcmp(F.envelope.subject, "two") == 0, "items: ENVELOPE twice: the last wins");
	imap_fetch_release(&F);
	ok(fetch("* 5 fetch (uid 3 flags (\\Seen \\Answered \\Flagged \\Deleted \\Draft) "
		 "rfc822.size 0 modseq (9223372036854775807))\r\n") == 0 && F.uid == 3 &&
	   F.modseq == 9223372036854775807ull, "items: names in lower case; largest MODSEQ");
	struct summary s;
	imap_fetch_summary(&F, &s);
	ok(s.flags == (SUMMARY_READ | SUMMARY_ANSWERED | SUMMARY_FLAGGED | SUMMARY_DELETED) &&
	   s.size == 0 && !s.has_attachment && s.from[0] == '\0' && s.to[0] == '\0' &&
	   s.date == SUMMARY_DATE_UNKNOWN, "summary: flags mapped; no envelope: empty fields");
	summary_release(&s);
	imap_fetch_release(&F);
	ok(fetch("* 5 FETCH ()\r\n") == 0 && F.present == 0 && F.seq == 5,
	   "items: an empty list");
	imap_fetch_release(&F);
}

static void test_internaldate(void)
{
	int64_t t;
	int z;
	ok(imap_fetch_internaldate(" 7-Jul-1996 02:44:25 +0000", 26, &t, &z) == 0 && t == 836707465 &&
	   z == 0, "internaldate: day \" 7\"");
	ok(imap_fetch_internaldate("07-jul-1996 02:44:25 +0000", 26, &t, &z) == 0 && t == 836707465,
	   "internaldate: day \"07\", month in lower case");
	ok(imap_fetch_internaldate("29-Feb-2024 23:59:59 +0000", 26, &t, &z) == 0 && t == 1709251199,
	   "internaldate: a leap day");
	ok(imap_fetch_internaldate("29-Feb-2024 23:59:59 +0530", 26, &t, &z) == 0 && z == 330 &&
	   t == 1709251199 - 330 * 60, "internaldate: zone +0530");
	static const char *const bad[] = {
		"7-Jul-1996 02:44:25 +0000", "17-Jul-96 02:44:25 -0700", "17-Jul-1996 02:44:25",
		"17-Jul-1996 02:44 -0700", "31-Feb-2024 02:44:25 -0700", "17-Jux-1996 02:44:25 -0700",
		"17-Jul-1996 24:00:00 -0700", "17-Jul-1996 02:44:25 +0060", "17 Jul 1996 02:44:25 -0700",
		"17-Jul-1996T02:44:25 -0700", "17-Jul-1996 02:44:25 0700 ", "00-Jul-1996 02:44:25 -0700",
		"17-Jul-1996 02:44:25 -07:0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(imap_fetch_internaldate(bad[i], strlen(bad[i]), &t, &z) == -1 && t == 0,
		   "internaldate: \"%s\" is refused", bad[i]);
}

static void item_fails(const char *items, const char *name)
{
	int rc = fetch_items(items);
	ok(rc == -1 && E.code == ERR_PARSE && E.scope == ERR_MESSAGE && strstr(E.msg, name) != NULL &&
	   F.present == 0 && F.n_sections == 0, "bad item: \"%.*s\" names %s (%s)",
	   (int)strcspn(items, "\r"), items, name, E.msg);
	imap_fetch_release(&F);
}

static void test_items_bad(void)
{
	item_fails("UID x", "UID");
	item_fails("UID 0", "UID");
	item_fails("UID \"7\"", "UID");
	item_fails("UID 4294967296", "UID");
	item_fails("FLAGS \\Seen", "FLAGS");
	item_fails("FLAGS (\"x\")", "FLAGS");
	item_fails("INTERNALDATE 17-Jul-1996", "INTERNALDATE");
	item_fails("INTERNALDATE NIL", "INTERNALDATE");
	item_fails("INTERNALDATE {26}\r\n17-Jul-1996 02:44:25 -0700", "INTERNALDATE");
	item_fails("INTERNALDATE \"17-Jul-1996 02:44:25\"", "INTERNALDATE");
	item_fails("RFC822.SIZE \"4286\"", "RFC822.SIZE");
	item_fails("RFC822.SIZE NIL", "RFC822.SIZE");
	item_fails("RFC822.SIZE -1", "RFC822.SIZE");
	item_fails("MODSEQ 12345", "MODSEQ");
	item_fails("MODSEQ (0)", "MODSEQ");
	item_fails("MODSEQ (1 2)", "MODSEQ");
	item_fails("MODSEQ (\"5\")", "MODSEQ");
	item_fails("MODSEQ (9223372036854775808)", "MODSEQ");
	item_fails("BODYSTRUCTURE \"x\"", "BODYSTRUCTURE");
	item_fails("BODY[1] (x)", "BODY[]");
	item_fails("BODY[1] atom", "BODY[]");
	item_fails("BODY[1]<x> \"d\"", "BODY[]");
	item_fails("BODY[1]<> \"d\"", "BODY[]");
	item_fails("BODY[1]<4294967296> \"d\"", "BODY[]");
	item_fails("BODY[1]x \"d\"", "BODY[]");
	item_fails("BINARY[1] (x)", "BINARY[]");
	item_fails("RFC822.TEXT (x)", "RFC822.TEXT");
	item_fails("RFC822 1", "RFC822");
	item_fails("UID 5 \"FLAGS\" (\\Seen)", "not an atom");
	item_fails("UID 5 FLAGS", "without a value");
	ok(fetch("* 0 FETCH (UID 5)\r\n") == -1 && E.code == ERR_PARSE && F.seq == 0,
	   "bad FETCH: message number 0");
	imap_fetch_release(&F);
	ok(fetch("* 1 FETCH (UID 5) extra\r\n") == -1, "bad FETCH: data after the list");
	imap_fetch_release(&F);
	ok(fetch("* 1 FETCH UID 5\r\n") == -1, "bad FETCH: items not in a list");
	imap_fetch_release(&F);
	ok(fetch("* 1 EXISTS\r\n") == -1, "bad FETCH: another response");
	imap_fetch_release(&F);
	ok(fetch("a1 OK FETCH done\r\n") == -1, "bad FETCH: a tagged response");
	imap_fetch_release(&F);
}

int main(void)
{
	P = imap_parser_new(NULL);
	test_example();
	test_envelope();
	test_envelope_bad();
	test_sections();
	test_text_part();
	test_fields();
	test_lenient();
	test_body_bad();
	test_caps();
	test_items();
	test_internaldate();
	test_items_bad();
	imap_parser_free(&P);
	return done_testing();
}
