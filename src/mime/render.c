#include "config.h"

#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "charset.h"
#include "decode.h"
#include "flowed.h"
#include "html.h"
#include "i18n.h"
#include "mem.h"
#include "rfc2047.h"
#include "str.h"

#define TEXT_MAX_DEFAULT ((size_t)64 << 20)
#define UU_MAX 64

static const char *const default_headers[] = { "From", "To", "Cc", "Date",
					       "Subject" };

static const char *const address_fields[] = { "From", "To", "Cc", "Bcc",
	"Reply-To", "Sender", "Resent-From", "Resent-To", "Resent-Cc",
	"Mail-Followup-To", "Return-Path" };

void render_options_default(struct render_options *o)
{
	memset(o, 0, sizeof(*o));
	o->width = 78;
	o->max_text = TEXT_MAX_DEFAULT;
}

/* Room kept past the text's maximum for the notice that it was cut. */
#define CUT_NOTICE_ROOM 512

struct ctx {
	const struct render_options *o;
	struct render_result *r;
	size_t limit; /* the text's maximum */
	bool cut;     /* the text reached it */
};

/* Appends to the text; past the maximum, says so once and drops the rest. */
static void emit(struct ctx *c, const char *s, size_t n)
{
	if (c->cut)
		return;
	if (n > c->limit - c->r->text.len) {
		c->cut = true;
		buf_cut_ok(buf_append_str(&c->r->text,
			_("\n[-- the rest of the text is not shown: too long --]\n")));
		return;
	}
	buf_cut_ok(buf_append(&c->r->text, s, n)); /* fits: checked above */
}

static void emit_str(struct ctx *c, const char *s)
{
	emit(c, s, strlen(s));
}

/* Ends the text with a line break, if it has text. */
static void end_line(struct ctx *c)
{
	struct buf *t = &c->r->text;
	if (t->len > 0 && t->data[t->len - 1] != '\n')
		emit(c, "\n", 1);
}

/* One empty line between blocks of text. */
static void separate(struct ctx *c)
{
	struct buf *t = &c->r->text;
	end_line(c);
	if (t->len > 1 && !(t->data[t->len - 1] == '\n' && t->data[t->len - 2] == '\n'))
		emit(c, "\n", 1);
}

static void add_attachment(struct ctx *c, const struct mime_part *p,
			   int uu_index, const char *name, size_t size)
{
	struct render_result *r = c->r;
	r->att = xgrow(r->att, &r->cap_att, r->n_att + 1, sizeof(*r->att));
	struct render_attachment *a = &r->att[r->n_att++];
	a->part = p;
	a->uu_index = uu_index;
	if (uu_index >= 0) {
		a->type = xstrdup("application/octet-stream");
	} else {
		size_t n = strlen(p->ctype.type) + strlen(p->ctype.subtype) + 2;
		a->type = xmalloc(n);
		snprintf(a->type, n, "%s/%s", p->ctype.type, p->ctype.subtype);
	}
	a->name = name ? xstrdup(name) : NULL;
	a->size = size;
	a->omitted = false;
}

static bool is_address_field(const char *name)
{
	for (size_t i = 0; i < sizeof(address_fields) / sizeof(address_fields[0]); i++)
		if (str_eq_ci(name, address_fields[i]))
			return true;
	return false;
}

static int append_addresses(const struct mime_address_list *l, struct buf *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct mime_address *a = &l->list[i];
		int rc = i > 0 ? buf_append_str(out, ", ") : 0;
		if (rc == 0 && a->name[0] != '\0' && a->address[0] != '\0')
			rc = buf_printf(out, "%s <%s>", a->name, a->address);
		else if (rc == 0)
			rc = buf_append_str(out, a->name[0] ? a->name : a->address);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int render_field_value(const char *name, const char *value, size_t len,
		       struct buf *out)
{
	if (is_address_field(name)) {
		struct mime_address_list l;
		if (mime_address_parse(value, len, 0, &l) == 0 && l.n > 0) {
			int rc = append_addresses(&l, out);
			mime_address_list_release(&l);
			return rc;
		}
		mime_address_list_release(&l);
	}
	return rfc2047_decode(value, len, out);
}

static void emit_field(struct ctx *c, const struct header_field *f)
{
	struct buf v;
	buf_init(&v, c->o->max_text);
	buf_cut_ok(render_field_value(f->name, f->value, f->value_len, &v));
	emit(c, f->name, f->name_len);
	emit(c, ": ", 2);
	emit(c, v.data, v.len);
	emit(c, "\n", 1);
	buf_release(&v);
}

static void render_headers(struct ctx *c, const struct mime_part *p)
{
	const struct header *h = &p->hdr;
	const char *const *names = c->o->headers ? c->o->headers : default_headers;
	size_t n_names = c->o->headers ? c->o->n_headers
				       : sizeof(default_headers) / sizeof(default_headers[0]);

	if (c->o->all_headers) {
		for (size_t i = 0; i < h->n; i++)
			emit_field(c, &h->fields[i]);
	} else {
		for (size_t k = 0; k < n_names; k++)
			for (size_t i = 0; i < h->n; i++)
				if (str_eq_ci(h->fields[i].name, names[k]))
					emit_field(c, &h->fields[i]);
	}
}

static void render_part(struct ctx *c, const struct mime_part *p);

/* Decodes the body, for text: at most the body's own size (no transfer
 * encoding makes text longer). */
static void decode_body(const struct mime_part *p, struct buf *raw)
{
	buf_init(raw, p->body_len + 1);
	buf_cut_ok(mime_part_decode(p, raw));
}

/* Moves uuencoded files out of text into the attachment list. */
static void take_uuencoded(struct ctx *c, const struct mime_part *p,
			   struct buf *raw)
{
	struct uu_block blocks[UU_MAX];
	size_t n = 0;
	(void)uu_find(raw->data, raw->len, blocks, UU_MAX, &n);
	if (n == 0)
		return;
	struct buf kept;
	buf_init(&kept, raw->len + 1);
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		struct buf name, data;
		buf_init(&name, 4096);
		buf_init(&data, blocks[i].data_len + 1);
		buf_cut_ok(charset_to_utf8(NULL, raw->data + blocks[i].name,
				      blocks[i].name_len, &name));
		buf_cut_ok(decode_all(DECODE_UUENCODE, raw->data + blocks[i].data,
				 blocks[i].data_len, &data, NULL));
		add_attachment(c, p, (int)i, name.data, data.len);
		buf_release(&name);
		buf_release(&data);
		buf_cut_ok(buf_append(&kept, raw->data + from, blocks[i].start - from));
		from = blocks[i].end;
	}
	buf_cut_ok(buf_append(&kept, raw->data + from, raw->len - from));
	buf_release(raw);
	*raw = kept;
}

/* CR LF line ends become LF, in place: the reader shows lines, and
 * scripts reading --json get one convention. */
static void normalize_eol(struct buf *b)
{
	size_t w = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\r' && i + 1 < b->len && b->data[i + 1] == '\n')
			continue;
		b->data[w++] = b->data[i];
	}
	buf_truncate(b, w);
}

static void render_text(struct ctx *c, const struct mime_part *p)
{
	struct buf raw, utf8;
	decode_body(p, &raw);
	if (mime_part_is(p, "text", "plain"))
		take_uuencoded(c, p, &raw);
	buf_init(&utf8, raw.len * 4 + 16);
	buf_cut_ok(charset_to_utf8(mime_part_charset(p), raw.data, raw.len, &utf8));
	buf_release(&raw);
	normalize_eol(&utf8);

	const char *format = mime_params_get(&p->ctype, "format");
	separate(c);
	if (format != NULL && str_eq_ci(format, "flowed")) {
		const char *delsp = mime_params_get(&p->ctype, "delsp");
		struct buf out;
		buf_init(&out, c->limit);
		buf_cut_ok(flowed_to_text(utf8.data, utf8.len,
				     delsp != NULL && str_eq_ci(delsp, "yes"),
				     c->o->width, &out));
		emit(c, out.data, out.len);
		buf_release(&out);
	} else {
		emit(c, utf8.data, utf8.len);
	}
	end_line(c);
	buf_release(&utf8);
}

static void render_html(struct ctx *c, const struct mime_part *p)
{
	struct buf raw, utf8, out;
	decode_body(p, &raw);
	buf_init(&utf8, raw.len * 4 + 16);
	buf_cut_ok(charset_to_utf8(mime_part_charset(p), raw.data, raw.len, &utf8));
	buf_release(&raw);
	normalize_eol(&utf8);
	buf_init(&out, c->limit);
	int rc = -1;
	if (c->o->html_filter != NULL)
		rc = c->o->html_filter(c->o->html_ctx, utf8.data, utf8.len, &out);
	if (rc < 0) {
		struct html_options ho = { .width = c->o->width, .max_links = 1000 };
		buf_reset(&out);
		buf_cut_ok(html_to_text(utf8.data, utf8.len, &ho, &out));
	}
	separate(c);
	emit(c, out.data, out.len);
	end_line(c);
	buf_release(&utf8);
	buf_release(&out);
}

/* A part everyone can read here: text, except what the sender attached. */
static bool shown_inline(const struct mime_part *p)
{
	return mime_part_is(p, "text", NULL) && !mime_part_is_attachment(p) &&
	       !mime_part_is(p, "text", "calendar") && p->cte != MIME_CTE_UNKNOWN;
}

static void attach(struct ctx *c, const struct mime_part *p)
{
	size_t size;
	bool omitted = c->o->omitted_sizes && mime_part_omitted(p, &size);
	add_attachment(c, p, -1, mime_part_filename(p),
		       omitted ? size : mime_part_decoded_size(p));
	c->r->att[c->r->n_att - 1].omitted = omitted;
}

/* Lists every leaf of p as an attachment (for parts not shown). */
static void attach_all(struct ctx *c, const struct mime_part *p)
{
	if (p->first_child == NULL || mime_part_is(p, "message", NULL)) {
		attach(c, p);
		return;
	}
	for (const struct mime_part *k = p->first_child; k != NULL; k = k->next)
		attach_all(c, k);
}

/* multipart/alternative: text/plain first, then what can be shown best;
 * among equals the later part, which RFC 2046 §5.1.4 says is preferred. */
static const struct mime_part *choose_alternative(const struct mime_part *p)
{
	const struct mime_part *best = NULL;
	int best_score = -1;
	for (const struct mime_part *k = p->first_child; k != NULL; k = k->next) {
		int score = 0;
		if (mime_part_is(k, "text", "plain"))
			score = 3;
		else if (mime_part_is(k, "multipart", NULL))
			score = 2;
		else if (mime_part_is(k, "text", NULL))
			score = 1;
		if (score >= best_score) {
			best = k;
			best_score = score;
		}
	}
	return best;
}

/* multipart/related: the part named by start, else the first (RFC 2387). */
static const struct mime_part *related_root(const struct mime_part *p)
{
	const char *start = mime_params_get(&p->ctype, "start");
	if (start != NULL) {
		for (const struct mime_part *k = p->first_child; k; k = k->next) {
			const struct header_field *f = header_find(&k->hdr, "Content-ID");
			if (f != NULL && strlen(start) == f->value_len &&
			    memcmp(start, f->value, f->value_len) == 0)
				return k;
		}
	}
	return p->first_child;
}

static void render_multipart(struct ctx *c, const struct mime_part *p)
{
	const struct mime_part *shown = NULL;
	if (mime_part_is(p, "multipart", "alternative"))
		shown = choose_alternative(p);
	else if (mime_part_is(p, "multipart", "related"))
		shown = related_root(p);
	else if (mime_part_is(p, "multipart", "signed") ||
		 mime_part_is(p, "multipart", "encrypted"))
		shown = p->first_child;

	if (shown == NULL) {
		for (const struct mime_part *k = p->first_child; k; k = k->next)
			render_part(c, k);
		return;
	}
	render_part(c, shown);
	if (mime_part_is(p, "multipart", "alternative"))
		return; /* the others are the same content */
	for (const struct mime_part *k = p->first_child; k; k = k->next)
		if (k != shown)
			attach_all(c, k);
}

static void render_embedded(struct ctx *c, const struct mime_part *p)
{
	attach(c, p);
	if (mime_part_is_attachment(p) || p->first_child == NULL)
		return;
	separate(c);
	emit_str(c, _("[-- Forwarded message --]"));
	emit(c, "\n", 1);
	render_headers(c, p->first_child);
	render_part(c, p->first_child);
	separate(c);
	emit_str(c, _("[-- End of forwarded message --]"));
	emit(c, "\n", 1);
}

static void render_part(struct ctx *c, const struct mime_part *p)
{
	if (p->notice != NULL) {
		separate(c);
		emit(c, "[-- ", 4);
		emit_str(c, _(p->notice));
		emit(c, " --]\n", 5);
	}
	if (mime_part_is(p, "multipart", NULL) && p->first_child != NULL)
		render_multipart(c, p);
	else if (mime_part_is(p, "message", NULL) && p->first_child != NULL)
		render_embedded(c, p);
	else if (!shown_inline(p))
		attach(c, p);
	else if (mime_part_is(p, "text", "html"))
		render_html(c, p);
	else
		render_text(c, p);
}

static void attachment_list(struct ctx *c)
{
	struct render_result *r = c->r;
	if (r->n_att == 0)
		return;
	separate(c);
	for (size_t i = 0; i < r->n_att; i++) {
		const struct render_attachment *a = &r->att[i];
		struct buf line;
		buf_init(&line, 8192);
		if (a->omitted)
			buf_cut_ok(buf_printf(&line, _("[-- Attachment #%zu: %s, %s (about %zu "
						       "bytes, not downloaded) --]\n"), i + 1,
					      a->name ? a->name : _("(no name)"), a->type,
					      a->size));
		else
			buf_cut_ok(buf_printf(&line, "[-- %s #%zu: %s, %s (%zu %s) --]\n",
					      _("Attachment"), i + 1,
					      a->name ? a->name : _("(no name)"), a->type,
					      a->size, ngettext("byte", "bytes", a->size)));
		emit(c, line.data, line.len);
		buf_release(&line);
	}
}

static void render_init(struct ctx *c, const struct render_options *o,
			struct render_result *r)
{
	memset(r, 0, sizeof(*r));
	c->o = o;
	c->r = r;
	c->cut = false;
	c->limit = o->max_text ? o->max_text : TEXT_MAX_DEFAULT;
	buf_init(&r->text, c->limit + CUT_NOTICE_ROOM);
}

void render_message(const struct mime_message *m, const struct render_options *o,
		    struct render_result *r)
{
	struct ctx c;
	render_init(&c, o, r);
	render_headers(&c, m->root);
	emit(&c, "\n", 1);
	render_part(&c, m->root);
	attachment_list(&c);
}

void render_body(const struct mime_message *m, const struct render_options *o,
		 struct render_result *r)
{
	struct ctx c;
	render_init(&c, o, r);
	render_part(&c, m->root);
}

void render_result_release(struct render_result *r)
{
	for (size_t i = 0; i < r->n_att; i++) {
		free(r->att[i].type);
		free(r->att[i].name);
	}
	free(r->att);
	buf_release(&r->text);
	memset(r, 0, sizeof(*r));
}

int render_attachment_content(const struct render_attachment *a,
			      struct buf *out)
{
	if (a->uu_index < 0)
		return mime_part_decode(a->part, out);
	struct buf raw;
	decode_body(a->part, &raw);
	struct uu_block blocks[UU_MAX];
	size_t n = 0;
	(void)uu_find(raw.data, raw.len, blocks, UU_MAX, &n);
	int rc = -1;
	if ((size_t)a->uu_index < n) {
		const struct uu_block *b = &blocks[a->uu_index];
		rc = decode_all(DECODE_UUENCODE, raw.data + b->data, b->data_len, out,
				NULL);
	}
	buf_release(&raw);
	return rc;
}
