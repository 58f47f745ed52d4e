/* be_imap_body: a message to display, without its attachments' bodies
 * (backend.h BE_FETCH_DISPLAY; issue 7: "the pager never downloads a 20 MB
 * attachment to show a text body").
 *
 * From the BODYSTRUCTURE, one UID FETCH asks for the message's header,
 * each part's MIME header (BODY.PEEK[n.MIME]; BODY.PEEK[n.HEADER] for an
 * attached message), and the bodies of its text parts only -- the first
 * TEXT_PART_MAX bytes of a longer one (a partial fetch, RFC 9051 s6.4.5
 * "<0.N>").  The message is then put back together with the boundaries
 * of its multiparts: every part is there with its header, attachments
 * with an empty body and, as the first field of their header,
 * X-Tern-Omitted-Size: the body's size on the server (encoded octets,
 * from the BODYSTRUCTURE), so that a reader can say how large the
 * attachment is without downloading it (mime.h mime_part_omitted).  A
 * structure that cannot be rebuilt so (a multipart without a boundary,
 * more parts than one FETCH response may carry), or that cannot be used
 * at all (malformed, or past the caps of imap_body.h: deeper than 20, more
 * than 1,000 parts -- a digest may be that big) is fetched whole instead,
 * for the MIME parser and its own caps.  A response the IMAP parser
 * cannot read (unbalanced parentheses) is no structure but a broken
 * session: that error stands.
 *
 * Whatever was fetched to be shown (up to the account's body_cache
 * megabytes, store/imap_cache.h) is kept in the cache: a message opened
 * again costs no round trip, and can be read offline. */
#include "config.h"

#include "be_imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "header.h"
#include "i18n.h"
#include "imap_body.h"
#include "imap_fetch.h"
#include "str.h"

#define TEXT_PART_MAX ((uint64_t)1 << 20)
#define ITEMS_TEXT_MAX 6000

/* The items of the FETCH (into items), or -1 when the structure cannot
 * be rebuilt from pieces. */
static int plan(const struct imap_body *b, struct buf *items)
{
	size_t n_items = 1;
	buf_cut_ok(buf_append_str(items, "(UID BODY.PEEK[HEADER]"));
	for (size_t i = 0; i < b->n; i++) {
		const struct imap_body_part *p = &b->parts[i];
		if (p->multipart && imap_body_param(p->params, p->n_params, "boundary") == NULL)
			return -1;
		if (p->section[0] == '\0')
			continue; /* a message's multipart body: no header of its own */
		if (buf_printf(items, " BODY.PEEK[%s.MIME]", p->section) < 0)
			return -1;
		n_items++;
		if (imap_body_is_message(b, i)) {
			if (buf_printf(items, " BODY.PEEK[%s.HEADER]", p->section) < 0)
				return -1;
			n_items++;
		} else if (!p->multipart && strcmp(p->type, "text") == 0) {
			if (p->size > TEXT_PART_MAX &&
			    buf_printf(items, " BODY.PEEK[%s]<0.%llu>", p->section,
				       (unsigned long long)TEXT_PART_MAX) < 0)
				return -1;
			if (p->size <= TEXT_PART_MAX &&
			    buf_printf(items, " BODY.PEEK[%s]", p->section) < 0)
				return -1;
			n_items++;
		}
	}
	if (n_items > IMAP_FETCH_SECTIONS_MAX || items->len > ITEMS_TEXT_MAX)
		return -1;
	buf_cut_ok(buf_append_str(items, ")"));
	return 0;
}

struct rebuild {
	const struct imap_body *b;
	const struct imap_fetch *fe;
	struct buf *out;
	bool missing;             /* a piece we asked for did not come */
};

static void piece(struct rebuild *r, const char *section, bool needed)
{
	const struct imap_fetch_section *s = imap_fetch_section(r->fe, IMAP_SECTION_BODY, section);
	if (s == NULL || s->data == NULL) {
		r->missing |= needed;
		return;
	}
	if (buf_append(r->out, s->data, s->len) < 0)
		r->missing = true;
}

static void part_body(struct rebuild *r, size_t i);

/* Before the header of part i: the mark of a body left out. */
static void omitted_mark(struct rebuild *r, size_t i)
{
	const struct imap_body_part *p = &r->b->parts[i];
	if (p->multipart || imap_body_is_message(r->b, i) || strcmp(p->type, "text") == 0)
		return;
	if (buf_printf(r->out, "X-Tern-Omitted-Size: %llu\r\n", (unsigned long long)p->size) < 0)
		r->missing = true;
}

static void multipart(struct rebuild *r, size_t i)
{
	const struct imap_body_part *p = &r->b->parts[i];
	const char *boundary = imap_body_param(p->params, p->n_params, "boundary");
	for (size_t c = p->first_child; c != IMAP_BODY_NONE; c = r->b->parts[c].next_sibling) {
		buf_cut_ok(buf_printf(r->out, "\r\n--%s\r\n", boundary));
		char sec[IMAP_BODY_SECTION_MAX + 8];
		snprintf(sec, sizeof(sec), "%s.MIME", r->b->parts[c].section);
		omitted_mark(r, c);
		piece(r, sec, true);
		part_body(r, c);
	}
	buf_cut_ok(buf_printf(r->out, "\r\n--%s--\r\n", boundary));
}

/* The body of part i (after its MIME header). */
static void part_body(struct rebuild *r, size_t i)
{
	const struct imap_body_part *p = &r->b->parts[i];
	char sec[IMAP_BODY_SECTION_MAX + 8];
	if (p->multipart) {
		multipart(r, i);
	} else if (imap_body_is_message(r->b, i)) {
		snprintf(sec, sizeof(sec), "%s.HEADER", p->section);
		if (p->first_child != IMAP_BODY_NONE)
			omitted_mark(r, p->first_child);
		piece(r, sec, true);
		if (p->first_child != IMAP_BODY_NONE)
			part_body(r, p->first_child);
	} else if (strcmp(p->type, "text") == 0) {
		piece(r, p->section, true);
	}
}

/* CRLF to LF (the backend contract's line ends), appended to out. */
static int append_lf(struct buf *out, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n') {
			if (buf_append(out, s + from, i - from) < 0)
				return -1;
			from = i + 1;
		}
	}
	return buf_append(out, s + from, n - from);
}

struct display_ctx {
	struct imap_folder *x;
	uint32_t uid;
	struct imap_body body;     /* from the first FETCH */
	bool have_body;
	struct buf *out;           /* the rebuilt message, CRLF */
	bool got, missing;
};

static int on_structure(void *ctx, const struct imap_response *r, struct err *e)
{
	struct display_ctx *d = ctx;
	if (imap_resp_classify(r) != IMAP_DATA_FETCH)
		return be_imap_untagged(d->x, r, e);
	struct imap_fetch fe;
	int rc = imap_fetch_parse(r, &fe, e);
	if (rc == 0 && (fe.present & IMAP_FETCH_UID) && fe.uid == d->uid &&
	    (fe.present & IMAP_FETCH_BODYSTRUCTURE) && !d->have_body) {
		d->body = fe.body;     /* taken over */
		imap_body_init(&fe.body);
		d->have_body = true;
	} else if (rc == 0 && (fe.present & IMAP_FETCH_UID) && fe.uid == d->uid && d->have_body) {
		struct rebuild rb = { .b = &d->body, .fe = &fe, .out = d->out };
		if (d->body.n > 0)
			omitted_mark(&rb, 0);
		piece(&rb, "HEADER", true);
		if (d->body.n > 0)
			part_body(&rb, 0);
		d->got = true;
		d->missing = rb.missing;
	} else if (rc == 0) {
		imap_fetch_release(&fe);
		return be_imap_untagged(d->x, r, e);
	}
	imap_fetch_release(&fe);
	return rc;
}

static int uid_fetch(struct display_ctx *d, const char *items, struct err *e)
{
	char head[32];
	snprintf(head, sizeof(head), "%u", d->uid);
	struct imap_cmd c;
	imap_cmd_init(&c, d->x->link->p, "UID FETCH");
	c.scope = ERR_MESSAGE;
	imap_cmd_raw(&c, head);
	imap_cmd_raw(&c, items);
	int rc = imap_run(d->x->link->p, &c, on_structure, d, e);
	imap_cmd_release(&c);
	return rc;
}

static int fetch_display(struct imap_folder *x, uint32_t uid, struct buf *out, bool *whole_r,
			  struct err *e)
{
	struct display_ctx d = { .x = x, .uid = uid };
	imap_body_init(&d.body);
	struct buf crlf, items;
	buf_init(&crlf, out->max);
	buf_init(&items, ITEMS_TEXT_MAX + 64);
	d.out = &crlf;
	*whole_r = false;
	int rc = uid_fetch(&d, "(UID BODYSTRUCTURE)", e);
	if (rc < 0 && e->scope == ERR_MESSAGE && (e->code == ERR_PARSE || e->code == ERR_LIMIT)) {
		log_warn(x->link->lg, "imap %s: UID %u: %s; fetching the whole message",
			 x->link->acct->name, uid, e->msg);
		err_init(e);
		rc = 0;
		*whole_r = true;
	}
	if (rc == 0 && !*whole_r && !d.have_body)
		rc = err_set(e, ERR_MESSAGE, ERR_NOTFOUND,
			     _("the message is no longer on the server"));
	if (rc == 0 && !*whole_r && plan(&d.body, &items) < 0)
		*whole_r = true; /* the caller fetches it whole */
	else if (rc == 0 && !*whole_r)
		rc = uid_fetch(&d, items.data, e);
	if (rc == 0 && !*whole_r && (!d.got || d.missing))
		*whole_r = true;
	if (rc == 0 && !*whole_r && (buf_reset(out), append_lf(out, crlf.data, crlf.len)) < 0)
		rc = err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the message is too large"));
	imap_body_release(&d.body);
	buf_release(&crlf);
	buf_release(&items);
	return rc;
}

/* ------------------------------------------------------------ whole */

struct body_ctx {
	struct imap_folder *x;
	uint32_t uid;
	struct buf *out;
	bool crlf;                 /* keep the server's line ends */
	bool got;
};

static int on_body(void *ctx, const struct imap_response *r, struct err *e)
{
	struct body_ctx *b = ctx;
	if (imap_resp_classify(r) != IMAP_DATA_FETCH)
		return be_imap_untagged(b->x, r, e);
	struct imap_fetch fe;
	int rc = imap_fetch_parse(r, &fe, e);
	const struct imap_fetch_section *s =
		rc == 0 ? imap_fetch_section(&fe, IMAP_SECTION_BODY, "") : NULL;
	if (rc == 0 && s != NULL && (fe.present & IMAP_FETCH_UID) && fe.uid == b->uid) {
		buf_reset(b->out);
		if (s->data != NULL && (b->crlf ? buf_append(b->out, s->data, s->len)
						: append_lf(b->out, s->data, s->len)) < 0)
			rc = err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the message is too large"));
		b->got = true;
	} else if (rc == 0) {
		imap_fetch_release(&fe);
		return be_imap_untagged(b->x, r, e);
	}
	imap_fetch_release(&fe);
	return rc;
}

static int fetch_whole(struct imap_folder *x, uint32_t uid, bool crlf, struct buf *out,
		       struct err *e)
{
	struct body_ctx b = { .x = x, .uid = uid, .out = out, .crlf = crlf };
	char args[64];
	snprintf(args, sizeof(args), "%u (UID BODY.PEEK[])", uid);
	struct imap_cmd c;
	imap_cmd_init(&c, x->link->p, "UID FETCH");
	c.scope = ERR_MESSAGE;
	imap_cmd_raw(&c, args);
	int rc = imap_run(x->link->p, &c, on_body, &b, e);
	imap_cmd_release(&c);
	if (rc == 0 && !b.got)
		rc = err_set(e, ERR_MESSAGE, ERR_NOTFOUND,
			     _("the message is no longer on the server"));
	return rc;
}

/* ------------------------------------------------------------ cached */

/* The account's limit on cached bodies, in bytes (0: none are kept). */
static uint64_t body_limit(const struct imap_folder *x)
{
	return (uint64_t)x->link->acct->body_cache_mb << 20;
}

/* 1 with the message from the cache, 0 when it has none. */
static int from_cache(struct imap_folder *x, uint32_t uid, bool whole, struct buf *out)
{
	struct err e;
	err_init(&e);
	if (x->cache == NULL || body_limit(x) == 0)
		return 0;
	int rc = imap_cache_body_get(x->cache, x->wire, uid, whole, out, &e);
	if (rc < 0)
		log_warn(x->link->lg, "imap cache: %s", e.msg);
	return rc > 0;
}

static void to_cache(struct imap_folder *x, uint32_t uid, bool whole, const struct buf *msg)
{
	struct err e;
	err_init(&e);
	/* (A folder the cache does not hold -- tern show of one never opened
	 * -- keeps nothing: ERR_NOTFOUND, said nowhere.) */
	if (x->cache != NULL && body_limit(x) > 0 &&
	    imap_cache_body_put(x->cache, x->wire, uid, whole, msg->data, msg->len,
				body_limit(x), &e) < 0 && e.code != ERR_NOTFOUND)
		log_warn(x->link->lg, "imap cache: %s", e.msg);
}

/* A message is read from the cache when it is there (a UID's message
 * never changes: no round trip at all), else from the server, and then
 * kept.  Offline, only the cache has it.  BE_FETCH_EXACT (CRLF as the
 * server has it) always comes from the server: the cache keeps LF. */
int be_imap_fetch(struct be_folder *f, size_t i, enum be_fetch what, struct buf *out,
		  struct err *e)
{
	struct imap_folder *x = f->priv;
	if (i >= x->n)
		return err_set(e, ERR_MESSAGE, ERR_NOTFOUND, _("no such message"));
	uint32_t uid = x->msgs[i].uid;
	if (what != BE_FETCH_EXACT && from_cache(x, uid, what == BE_FETCH_RAW, out))
		return 0;
	if (f->offline || be_imap_lost(x->link->p))
		return err_set(e, ERR_MESSAGE, ERR_IO,
			       what == BE_FETCH_EXACT
				       ? _("offline: the message exactly as the server has it "
					   "needs the server")
			       : what == BE_FETCH_RAW
				       ? _("offline: only the text of messages read before is kept")
				       : _("offline: this message was not read before, so it is not "
					   "kept"));
	bool whole = what != BE_FETCH_DISPLAY;
	int rc = whole ? 0 : fetch_display(x, uid, out, &whole, e);
	if (rc == 0 && whole)
		rc = fetch_whole(x, uid, what == BE_FETCH_EXACT, out, e);
	if (rc == 0 && what != BE_FETCH_EXACT)
		to_cache(x, uid, whole, out);
	/* Untagged data came with the answers (another client's EXPUNGE,
	 * RFC 9051 s7.5.1): the core list follows. */
	be_imap_settle(f);
	return rc;
}

/* ------------------------------------------------------------ one part */

struct part_ctx {
	struct imap_folder *x;
	uint32_t uid;
	char mime[IMAP_BODY_SECTION_MAX + 8];
	const char *part;
	struct buf *out;
	bool got;
};

/* Decodes the part's body by the Content-Transfer-Encoding of its MIME
 * header (unknown encodings: the bytes as they are). */
static int decode_part(const struct imap_fetch_section *mime,
		       const struct imap_fetch_section *body, struct buf *out, struct err *e)
{
	struct buf cte;
	buf_init(&cte, 256);
	enum decode_kind kind = DECODE_IDENTITY;
	if (mime != NULL && mime->data != NULL &&
	    header_get(mime->data, mime->len, "Content-Transfer-Encoding", &cte) == 1 &&
	    decode_kind_from_name(str_trim(cte.data), &kind) < 0)
		kind = DECODE_IDENTITY;
	buf_release(&cte);
	buf_reset(out);
	if (body->data != NULL && decode_all(kind, body->data, body->len, out, NULL) < 0)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the part is too large"));
	return 0;
}

static int on_part(void *ctx, const struct imap_response *r, struct err *e)
{
	struct part_ctx *d = ctx;
	if (imap_resp_classify(r) != IMAP_DATA_FETCH)
		return be_imap_untagged(d->x, r, e);
	struct imap_fetch fe;
	int rc = imap_fetch_parse(r, &fe, e);
	const struct imap_fetch_section *body =
		rc == 0 ? imap_fetch_section(&fe, IMAP_SECTION_BODY, d->part) : NULL;
	if (body != NULL && (fe.present & IMAP_FETCH_UID) && fe.uid == d->uid) {
		rc = decode_part(imap_fetch_section(&fe, IMAP_SECTION_BODY, d->mime), body, d->out,
				 e);
		d->got = rc == 0;
	} else if (rc == 0) {
		imap_fetch_release(&fe);
		return be_imap_untagged(d->x, r, e);
	}
	imap_fetch_release(&fe);
	return rc;
}

static bool section_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= IMAP_BODY_SECTION_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';
		bool dot = s[i] == '.' && i > 0 && i + 1 < n && s[i - 1] != '.';
		if (!digit && !dot)
			return false;
	}
	return true;
}

int be_imap_fetch_part(struct be_folder *f, size_t i, const char *part, struct buf *out,
		       struct err *e)
{
	struct imap_folder *x = f->priv;
	if (i >= x->n)
		return err_set(e, ERR_MESSAGE, ERR_NOTFOUND, _("no such message"));
	if (!section_ok(part))
		return err_set(e, ERR_MESSAGE, ERR_USAGE, _("%s is not a part number"), part);
	struct part_ctx d = { .x = x, .uid = x->msgs[i].uid, .part = part, .out = out };
	snprintf(d.mime, sizeof(d.mime), "%s.MIME", part);
	char items[3 * IMAP_BODY_SECTION_MAX + 64];
	snprintf(items, sizeof(items), "%u (UID BODY.PEEK[%s] BODY.PEEK[%s])", d.uid, d.mime, part);
	struct imap_cmd c;
	imap_cmd_init(&c, x->link->p, "UID FETCH");
	c.scope = ERR_MESSAGE;
	imap_cmd_raw(&c, items);
	int rc = imap_run(x->link->p, &c, on_part, &d, e);
	imap_cmd_release(&c);
	if (rc == 0 && !d.got)
		rc = err_set(e, ERR_MESSAGE, ERR_NOTFOUND, _("the server sent no part %s"), part);
	be_imap_settle(f);
	return rc;
}
