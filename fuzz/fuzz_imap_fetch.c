/* Fuzz target: the decoders of parsed IMAP responses (src/proto/
 * imap_resp.c, imap_fetch.c, imap_body.c) on whatever imap_parser makes of
 * the input.
 *
 * Input: a server's byte stream.  It is fed to imap_parser (after a parse
 * error the parser is reset and feeding goes on after the next LF); every
 * response is handed to every decoder: imap_resp_classify, _code,
 * _number, _flags, _enabled, _search, _esearch, _vanished, _list and
 * _status and _namespace in both name modes, imap_fetch_parse (then the
 * summary, the references of each section, the text part and the
 * attachments), and imap_body_parse and imap_body_envelope on every list
 * among the response's top-level arguments and FETCH values.
 *
 * Invariants (__builtin_trap): a failure is ERR_PARSE or ERR_LIMIT with a
 * NUL-terminated message and leaves its out-struct empty; a body has at
 * most IMAP_BODY_PARTS_MAX parts and IMAP_BODY_DEPTH_MAX depth, in
 * document order with consistent links; every section is well-formed
 * ("1", "2.10.3": no empty number, no leading zero), "" exactly for a
 * multipart that is a message's body, and numbered as RFC 9051 s6.4.5 says
 * from its parent's; the text part is a text leaf and attachments are
 * leaves; summary strings are NUL-terminated valid UTF-8; kept flags are
 * within their caps; COPYUID's two sets hold as many UIDs; folder names
 * are within IMAP_RESP_NAME_MAX and displayable as UTF-8. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "charset.h"
#include "err.h"
#include "imap_body.h"
#include "imap_fetch.h"
#include "imap_parser.h"
#include "imap_resp.h"
#include "summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

static void check_failed(int rc, const struct err *e)
{
	if (rc == 0)
		return;
	check(rc == -1 && (e->code == ERR_PARSE || e->code == ERR_LIMIT) && e->msg[0] != '\0' &&
	      memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
}

static void check_utf8(const char *s)
{
	check(s != NULL && charset_is_utf8(s, strlen(s)));
}

static void check_utf8_or_null(const char *s)
{
	if (s != NULL)
		check_utf8(s);
}

/* "1", "1.2.30": numbers without leading zeros joined by dots. */
static bool section_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= IMAP_BODY_SECTION_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool start = i == 0 || s[i - 1] == '.';
		if (s[i] == '.' ? start || i + 1 == n : s[i] < '0' || s[i] > '9' ||
							 (start && s[i] == '0'))
			return false;
	}
	return true;
}

/* The section the k-th child (1-based) of part p must have. */
static void child_section(const struct imap_body *b, size_t p, size_t k, char *out,
			  size_t size)
{
	const struct imap_body_part *pp = &b->parts[p];
	const char *prefix = pp->section;
	if (imap_body_is_message(b, p)) {
		k = 1; /* the body: its own number only if not a multipart */
	} else if (prefix[0] == '\0' && pp->parent != IMAP_BODY_NONE) {
		prefix = b->parts[pp->parent].section; /* a message's multipart body */
	}
	char digits[24];
	size_t nd = 0, at = 0, pl = strlen(prefix);
	do {
		digits[nd++] = (char)('0' + k % 10);
		k /= 10;
	} while (k > 0);
	check(pl + nd + 2 <= size);
	memcpy(out, prefix, pl);
	at = pl;
	if (pl > 0)
		out[at++] = '.';
	while (nd > 0)
		out[at++] = digits[--nd];
	out[at] = '\0';
}

static void check_part_tree(const struct imap_body *b, size_t i)
{
	const struct imap_body_part *p = &b->parts[i];
	check(p->type != NULL && p->subtype != NULL && p->depth >= 1 && p->depth <= b->depth);
	bool body_of_message = p->parent == IMAP_BODY_NONE || imap_body_is_message(b, p->parent);
	if (p->multipart && body_of_message)
		check(p->section[0] == '\0');
	else
		check(section_ok(p->section));
	if (p->parent == IMAP_BODY_NONE) {
		check(i == 0 && p->depth == 1);
	} else {
		check(p->parent < i && p->depth == b->parts[p->parent].depth + 1);
	}
	size_t k = 0;
	for (size_t c = p->first_child; c != IMAP_BODY_NONE; c = b->parts[c].next_sibling) {
		check(c < b->n && b->parts[c].parent == i && (k > 0 || c == i + 1));
		k++;
		char want[IMAP_BODY_SECTION_MAX + 8];
		child_section(b, i, k, want, sizeof(want));
		if (!(b->parts[c].multipart && imap_body_is_message(b, i)))
			check(strcmp(b->parts[c].section, want) == 0);
	}
	check(k == p->n_children && (!p->multipart || k > 0));
	check(!imap_body_is_message(b, i) || k <= 1);
}

static void check_body(const struct imap_body *b)
{
	check(b->n <= IMAP_BODY_PARTS_MAX && b->depth <= IMAP_BODY_DEPTH_MAX);
	check((b->n == 0) == (b->depth == 0));
	for (size_t i = 0; i < b->n; i++)
		check_part_tree(b, i);
	size_t t = imap_body_text_part(b);
	if (t != IMAP_BODY_NONE)
		check(t < b->n && !b->parts[t].multipart && strcmp(b->parts[t].type, "text") == 0);
	size_t idx[16], n = imap_body_attachments(b, idx, 16);
	check(n <= b->n);
	for (size_t i = 0; i < n && i < 16; i++)
		check(idx[i] < b->n && idx[i] != t && !b->parts[idx[i]].multipart);
	(void)imap_body_has_attachment(b);
}

static void check_flags(const struct imap_flags *f)
{
	check(f->n_keywords <= IMAP_FLAGS_KEYWORDS_MAX);
	for (size_t i = 0; i < f->n_keywords; i++)
		check(f->keywords[i][0] != '\0' && strlen(f->keywords[i]) <= IMAP_FLAG_KEYWORD_MAX);
}

static void check_summary(const struct summary *s)
{
	check_utf8(s->from);
	check_utf8(s->from_address);
	check_utf8(s->to);
	check_utf8(s->subject);
	check_utf8_or_null(s->message_id);
	check_utf8_or_null(s->in_reply_to);
	check_utf8_or_null(s->references);
}

static void run_fetch(const struct imap_response *r)
{
	struct imap_fetch f;
	struct err e;
	err_init(&e);
	int rc = imap_fetch_parse(r, &f, &e);
	check_failed(rc, &e);
	if (rc < 0) {
		check(f.present == 0 && f.n_sections == 0 && f.body.n == 0 &&
		      f.flags.n_keywords == 0);
		imap_fetch_release(&f);
		return;
	}
	check(f.seq >= 1 && f.n_sections <= IMAP_FETCH_SECTIONS_MAX);
	check_flags(&f.flags);
	check_body(&f.body);
	struct summary s;
	imap_fetch_summary(&f, &s);
	for (size_t i = 0; i < f.n_sections; i++) {
		const struct imap_fetch_section *sec = &f.sections[i];
		check(sec->data != NULL || sec->len == 0);
		check(imap_fetch_references(&s, sec->data, sec->len) >= 0);
	}
	check_summary(&s);
	summary_pack(&s);
	check_summary(&s);
	summary_release(&s);
	imap_fetch_release(&f);
}

static void run_body(const struct imap_arg *a)
{
	struct imap_body b;
	struct imap_envelope env;
	struct err e;
	err_init(&e);
	int rc = imap_body_parse(a, &b, &e);
	check_failed(rc, &e);
	check(rc == 0 || b.n == 0);
	check_body(&b);
	imap_body_release(&b);
	err_init(&e);
	rc = imap_body_envelope(a, &env, &e);
	check_failed(rc, &e);
	if (rc == 0)
		check_utf8(env.from.n > 0 ? env.from.list[0].address : "");
	imap_body_envelope_release(&env);
}

static void check_name(const struct imap_name *n)
{
	check(n->wire_len <= IMAP_RESP_NAME_MAX && n->wire != NULL);
	check_utf8(n->display);
}

static void run_folders(const struct imap_response *r, enum imap_name_mode mode)
{
	struct err e;
	struct imap_list l;
	struct imap_mailbox_status st;
	struct imap_namespace ns;
	err_init(&e);
	int rc = imap_resp_list(r, mode, &l, &e);
	check_failed(rc, &e);
	if (rc == 0)
		check_name(&l.name);
	else
		check(l.name.wire == NULL);
	imap_resp_list_release(&l);
	rc = imap_resp_status(r, mode, &st, &e);
	check_failed(rc, &e);
	if (rc == 0)
		check_name(&st.name);
	imap_resp_status_release(&st);
	rc = imap_resp_namespace(r, mode, &ns, &e);
	check_failed(rc, &e);
	if (rc == 0 && ns.personal)
		check_name(&ns.prefix);
	imap_resp_namespace_release(&ns);
}

static void run_resp(const struct imap_response *r)
{
	struct err e;
	struct imap_code c;
	struct imap_flags f;
	struct imap_esearch es;
	struct imap_seqset set;
	uint64_t modseq;
	uint32_t n;
	bool earlier;
	err_init(&e);
	(void)imap_resp_data_name(imap_resp_classify(r));
	int rc = imap_resp_code(r, &c, &e);
	check_failed(rc, &e);
	check(rc == 0 || c.type == IMAP_CODE_NONE);
	check(c.type != IMAP_CODE_COPYUID ||
	      imap_seqset_count(&c.src) == imap_seqset_count(&c.uids));
	check_flags(&c.flags);
	imap_resp_code_release(&c);
	check_failed(imap_resp_number(r, &n, &e), &e);
	rc = imap_resp_flags(r, &f, &e);
	check_failed(rc, &e);
	check_flags(&f);
	imap_resp_flags_release(&f);
	(void)imap_resp_enabled(r);
	check_failed(imap_resp_search(r, &set, &modseq, &e), &e);
	imap_seqset_release(&set);
	check_failed(imap_resp_esearch(r, &es, &e), &e);
	imap_resp_esearch_release(&es);
	check_failed(imap_resp_vanished(r, &earlier, &set, &e), &e);
	imap_seqset_release(&set);
	run_folders(r, IMAP_NAME_MUTF7);
	run_folders(r, IMAP_NAME_UTF8);
	run_fetch(r);
	for (size_t i = 0; i < r->n_args; i++) {
		const struct imap_arg *a = &r->args[i];
		if (a->type != IMAP_ARG_LIST)
			continue;
		run_body(a);
		for (size_t k = 1; k < a->len; k += 2)
			if (a->list[k].type == IMAP_ARG_LIST || a->list[k].type == IMAP_ARG_NIL)
				run_body(&a->list[k]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_limits lim = { .response_max = 1 << 20, .literal_max = 1 << 20 };
	struct imap_parser *p = imap_parser_new(&lim);
	const char *in = (const char *)data;
	size_t at = 0;
	while (at < size) {
		size_t used = 0;
		struct err e;
		err_init(&e);
		enum imap_parse_result rc = imap_parser_feed(p, in + at, size - at, &used, &e);
		at += used;
		if (rc == IMAP_PARSE_RESPONSE) {
			run_resp(imap_parser_response(p));
		} else if (rc == IMAP_PARSE_ERROR) {
			const char *lf = memchr(in + at, '\n', size - at);
			at = lf != NULL ? (size_t)(lf - in) + 1 : size;
			imap_parser_reset(p);
		} else {
			break;
		}
	}
	imap_parser_free(&p);
	return 0;
}
