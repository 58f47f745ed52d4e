#include "config.h"

#include "mime.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "i18n.h"
#include "mem.h"
#include "str.h"

/* Notices: marked for translation here, translated where they are shown. */
static const char NOTICE_DEPTH[] = N_("nested too deeply: not split further");
static const char NOTICE_PARTS[] = N_("too many parts: the rest is kept as one part");
static const char NOTICE_HEADER[] = N_("header too large: the rest is kept as one part");
static const char NOTICE_NO_BOUNDARY[] = N_("multipart without a usable boundary: shown as text");
static const char NOTICE_NO_END[] = N_("the final boundary is missing");

void mime_limits_default(struct mime_limits *lim)
{
	header_limits_default(&lim->header);
	lim->max_depth = 50;
	lim->max_parts = 5000;
}

struct parser {
	struct mime_message *m;
	bool stop; /* the part limit was reached */
};

static void parse_entity(struct parser *ps, struct mime_part *p);

static struct mime_part *new_part(struct parser *ps, struct mime_part *parent,
				  const char *data, size_t off, size_t len)
{
	struct mime_part *p = xcalloc(1, sizeof(*p));
	p->data = data;
	p->off = off;
	p->len = len;
	p->parent = parent;
	p->depth = parent ? parent->depth + 1 : 0;
	p->index = ps->m->n_parts++;
	if (parent != NULL) {
		struct mime_part **tail = &parent->first_child;
		while (*tail != NULL)
			tail = &(*tail)->next;
		*tail = p;
	}
	return p;
}

static void set_type(struct mime_part *p, const char *type, const char *subtype)
{
	mime_params_release(&p->ctype);
	mime_params_init(&p->ctype);
	p->ctype.type = xstrdup(type);
	p->ctype.subtype = xstrdup(subtype);
}

/* Content-Type, Content-Disposition and Content-Transfer-Encoding. */
static void read_fields(struct mime_part *p)
{
	const struct header_field *f;
	bool digest_child = p->parent != NULL &&
			    mime_part_is(p->parent, "multipart", "digest");

	mime_params_init(&p->ctype);
	f = header_find(&p->hdr, "Content-Type");
	if (f != NULL)
		(void)mime_params_parse_content_type(f->value, f->value_len, &p->ctype);
	if (f == NULL || p->ctype.type[0] == '\0')
		set_type(p, digest_child ? "message" : "text",
			 digest_child ? "rfc822" : "plain");

	mime_params_init(&p->disp);
	f = header_find(&p->hdr, "Content-Disposition");
	if (f != NULL) {
		(void)mime_params_parse(f->value, f->value_len, &p->disp);
	} else {
		p->disp.type = xstrdup("");
		p->disp.subtype = xstrdup("");
	}
	f = header_find(&p->hdr, "Content-Transfer-Encoding");
	p->cte = f ? mime_cte_parse(f->value, f->value_len) : MIME_CTE_7BIT;
}

/* A delimiter line (RFC 2046 §5.1.1) at data[at]: "--" boundary, then
 * "--" for the close delimiter, then optional blanks, then the line end or
 * the end of the body.  Returns the offset after the line, or 0. */
static size_t delimiter_end(const char *d, size_t at, size_t end,
			    const char *boundary, size_t bl, bool *close_r)
{
	size_t i = at + 2 + bl;
	*close_r = false;
	if (i + 2 <= end && d[i] == '-' && d[i + 1] == '-') {
		*close_r = true;
		i += 2;
	}
	while (i < end && (d[i] == ' ' || d[i] == '\t'))
		i++;
	if (i < end && d[i] == '\r')
		i++;
	if (i < end && d[i] == '\n')
		return i + 1;
	if (i >= end)
		return end;
	(void)boundary;
	return 0;
}

/* The next delimiter line in d[from..end): sets *line_r to its start and
 * returns the offset after it, or returns 0 if there is none. */
static size_t next_delimiter(const char *d, size_t body, size_t from, size_t end,
			     const char *boundary, size_t bl, size_t *line_r,
			     bool *close_r)
{
	size_t p = from;
	while (p + 2 + bl <= end) {
		const char *hit = memmem(d + p, end - p, "--", 2);
		if (hit == NULL)
			return 0;
		size_t at = (size_t)(hit - d);
		if ((at == body || d[at - 1] == '\n') && at + 2 + bl <= end &&
		    memcmp(d + at + 2, boundary, bl) == 0) {
			size_t after = delimiter_end(d, at, end, boundary, bl, close_r);
			if (after != 0) {
				*line_r = at;
				return after;
			}
		}
		p = at + 1;
	}
	return 0;
}

/* The line end before a delimiter belongs to the delimiter (§5.1.1). */
static size_t strip_eol(const char *d, size_t start, size_t line)
{
	if (line > start && d[line - 1] == '\n')
		line--;
	if (line > start && d[line - 1] == '\r')
		line--;
	return line;
}

static void split_multipart(struct parser *ps, struct mime_part *p)
{
	const char *boundary = mime_params_get_raw(&p->ctype, "boundary");
	const char *d = p->data;
	size_t body = p->body_off, end = p->body_off + p->body_len;
	size_t bl = boundary ? strlen(boundary) : 0;
	size_t line, after;
	bool close = false;

	if (bl == 0 || bl > 200 ||
	    (after = next_delimiter(d, body, body, end, boundary, bl, &line, &close)) == 0) {
		p->notice = NOTICE_NO_BOUNDARY;
		set_type(p, "text", "plain");
		return;
	}
	while (!close) {
		size_t start = after;
		size_t next_line;
		size_t next = next_delimiter(d, body, start, end, boundary, bl,
					     &next_line, &close);
		size_t stop = next ? strip_eol(d, start, next_line) : end;
		if (ps->m->n_parts >= ps->m->lim.max_parts || ps->stop) {
			ps->stop = true;
			struct mime_part *rest = new_part(ps, p, d, start, end - start);
			set_type(rest, "application", "octet-stream");
			mime_params_init(&rest->disp);
			rest->body_off = start;
			rest->body_len = end - start;
			rest->notice = NOTICE_PARTS;
			return;
		}
		struct mime_part *child = new_part(ps, p, d, start, stop - start);
		parse_entity(ps, child);
		if (next == 0) {
			p->notice = NOTICE_NO_END;
			return;
		}
		after = next;
	}
}

/* A message/rfc822 part: its body is a message of its own. */
static void parse_embedded(struct parser *ps, struct mime_part *p)
{
	const char *d = p->data;
	size_t off = p->body_off, len = p->body_len;

	if (p->cte == MIME_CTE_BASE64 || p->cte == MIME_CTE_QP) {
		struct buf b;
		buf_init(&b, len + 1);
		buf_cut_ok(mime_part_decode(p, &b)); /* cannot grow past len */
		size_t n;
		p->owned = buf_detach(&b, &n);
		d = p->owned;
		off = 0;
		len = n;
	}
	struct mime_part *child = new_part(ps, p, d, off, len);
	parse_entity(ps, child);
}

static void parse_entity(struct parser *ps, struct mime_part *p)
{
	header_parse(&p->hdr, p->data + p->off, p->len, &ps->m->lim.header);
	p->body_off = p->off + p->hdr.len;
	p->body_len = p->len - p->hdr.len;
	read_fields(p);
	if (p->hdr.flags & HEADER_TOO_BIG) {
		set_type(p, "application", "octet-stream");
		p->notice = NOTICE_HEADER;
		return;
	}
	bool multipart = mime_part_is(p, "multipart", NULL);
	bool message = mime_part_is(p, "message", "rfc822") ||
		       mime_part_is(p, "message", "global");
	if ((multipart || message) && p->depth >= ps->m->lim.max_depth) {
		p->notice = NOTICE_DEPTH;
		return;
	}
	if (multipart)
		split_multipart(ps, p);
	else if (message && !ps->stop)
		parse_embedded(ps, p);
}

void mime_parse(struct mime_message *m, const char *msg, size_t len,
		const struct mime_limits *lim)
{
	struct parser ps = { .m = m, .stop = false };
	memset(m, 0, sizeof(*m));
	if (lim != NULL)
		m->lim = *lim;
	else
		mime_limits_default(&m->lim);
	m->root = new_part(&ps, NULL, msg, 0, len);
	parse_entity(&ps, m->root);
}

static void free_part(struct mime_part *p)
{
	header_release(&p->hdr);
	mime_params_release(&p->ctype);
	mime_params_release(&p->disp);
	free(p->owned);
	free(p);
}

void mime_message_release(struct mime_message *m)
{
	/* Iterative: free a part after moving its children into the list. */
	struct mime_part *todo = m->root;
	while (todo != NULL) {
		struct mime_part *p = todo;
		todo = p->next;
		if (p->first_child != NULL) {
			struct mime_part *last = p->first_child;
			while (last->next != NULL)
				last = last->next;
			last->next = todo;
			todo = p->first_child;
		}
		free_part(p);
	}
	memset(m, 0, sizeof(*m));
}

void mime_walk(const struct mime_message *m,
	       void (*fn)(void *ctx, const struct mime_part *p), void *ctx)
{
	const struct mime_part *p = m->root;
	while (p != NULL) {
		fn(ctx, p);
		if (p->first_child != NULL) {
			p = p->first_child;
			continue;
		}
		while (p != NULL && p->next == NULL)
			p = p->parent;
		if (p != NULL)
			p = p->next;
	}
}

bool mime_part_is(const struct mime_part *p, const char *type,
		  const char *subtype)
{
	return strcmp(p->ctype.type, type) == 0 &&
	       (subtype == NULL || strcmp(p->ctype.subtype, subtype) == 0);
}

const char *mime_part_filename(const struct mime_part *p)
{
	return mime_params_filename(&p->disp, &p->ctype);
}

const char *mime_part_charset(const struct mime_part *p)
{
	return mime_params_get(&p->ctype, "charset");
}

bool mime_part_is_attachment(const struct mime_part *p)
{
	/* RFC 2183 §2.8: an unknown disposition type is an attachment. */
	return p->disp.type[0] != '\0' && strcmp(p->disp.type, "inline") != 0;
}

static enum decode_kind decode_kind_of(enum mime_cte cte)
{
	switch (cte) {
	case MIME_CTE_QP: return DECODE_QP;
	case MIME_CTE_BASE64: return DECODE_BASE64;
	case MIME_CTE_UUENCODE: return DECODE_UUENCODE;
	default: return DECODE_IDENTITY;
	}
}

int mime_part_decode(const struct mime_part *p, struct buf *out)
{
	struct decoder d;
	decoder_init(&d, decode_kind_of(p->cte));
	int rc = decoder_feed(&d, p->data + p->body_off, p->body_len, out);
	if (rc == 0)
		rc = decoder_finish(&d, out);
	return rc;
}

size_t mime_part_decoded_size(const struct mime_part *p)
{
	enum decode_kind k = decode_kind_of(p->cte);
	if (k == DECODE_IDENTITY)
		return p->body_len;
	struct decoder d;
	struct buf chunk;
	size_t total = 0;
	const size_t step = 64 * 1024;

	decoder_init(&d, k);
	buf_init(&chunk, step * 2);
	for (size_t at = 0; at < p->body_len; at += step) {
		size_t n = p->body_len - at < step ? p->body_len - at : step;
		buf_reset(&chunk);
		if (decoder_feed(&d, p->data + p->body_off + at, n, &chunk) < 0)
			break;
		total += chunk.len;
	}
	buf_reset(&chunk);
	if (decoder_finish(&d, &chunk) == 0)
		total += chunk.len;
	buf_release(&chunk);
	return total;
}

/* Octets of base64 text per line: 76 characters and CRLF (RFC 2045 s6.8). */
#define BASE64_LINE 78

bool mime_part_omitted(const struct mime_part *p, size_t *size_r)
{
	if (p->hdr.n == 0 || !str_eq_ci(p->hdr.fields[0].name, "X-Tern-Omitted-Size"))
		return false;
	for (size_t i = 0; i < p->body_len; i++)
		if (p->data[p->body_off + i] != '\r' && p->data[p->body_off + i] != '\n')
			return false;
	unsigned long octets;
	if (str_to_ulong(p->hdr.fields[0].value, 0, (unsigned long)SIZE_MAX / 2, &octets) < 0)
		return false;
	size_t n = octets;
	if (p->cte == MIME_CTE_BASE64) {
		size_t line_ends = 2 * ((n + BASE64_LINE - 1) / BASE64_LINE);
		n = n > line_ends ? (n - line_ends) / 4 * 3 : 0;
	}
	*size_r = n;
	return true;
}
