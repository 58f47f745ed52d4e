#include "config.h"

#include "header.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "str.h"

/* Offset just past the line starting at p (its LF included). */
static size_t line_end(const char *s, size_t len, size_t p)
{
	const char *nl = memchr(s + p, '\n', len - p);
	return nl ? (size_t)(nl - s) + 1 : len;
}

static int is_empty_line(const char *s, size_t p, size_t e)
{
	return (e - p == 1 && s[p] == '\n') ||
	       (e - p == 2 && s[p] == '\r' && s[p + 1] == '\n');
}

size_t header_block_len(const char *msg, size_t len)
{
	size_t p = 0;
	while (p < len) {
		size_t e = line_end(msg, len, p);
		if (is_empty_line(msg, p, e))
			return e;
		p = e;
	}
	return len;
}

/* Appends the value bytes v[0..n) with CR and LF removed. */
static int append_unfolded(struct buf *out, const char *v, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\r' || v[i] == '\n') {
			if (buf_append(out, v + start, i - start) < 0)
				return -1;
			start = i + 1;
		}
	}
	return buf_append(out, v + start, n - start);
}

int header_get(const char *hdr, size_t len, const char *name, struct buf *out)
{
	size_t nl = strlen(name);
	size_t p = 0;

	while (p < len) {
		size_t e = line_end(hdr, len, p);
		if (is_empty_line(hdr, p, e))
			break;
		if (e - p > nl && hdr[p + nl] == ':' && str_eqn_ci(hdr + p, name, nl)) {
			/* The field goes on while the next line starts with a blank. */
			size_t f = e;
			while (f < len && (hdr[f] == ' ' || hdr[f] == '\t'))
				f = line_end(hdr, len, f);
			size_t v = p + nl + 1;
			while (v < f && (hdr[v] == ' ' || hdr[v] == '\t'))
				v++;
			size_t before = out->len;
			if (append_unfolded(out, hdr + v, f - v) < 0)
				return -1;
			while (out->len > before &&
			       (out->data[out->len - 1] == ' ' ||
				out->data[out->len - 1] == '\t'))
				buf_truncate(out, out->len - 1);
			return 1;
		}
		p = e;
	}
	return 0;
}

/* ------------------------------------------------------ full parser */

void header_limits_default(struct header_limits *lim)
{
	lim->max_field = (size_t)1 << 20;
	lim->max_header = (size_t)10 << 20;
	lim->max_fields = 10000;
}

void header_parser_init(struct header_parser *hp,
			const struct header_limits *lim)
{
	hp->lim = *lim;
	buf_init(&hp->line, lim->max_field);
	buf_init(&hp->field, lim->max_field);
	hp->name_len = 0;
	hp->total = 0;
	hp->n_fields = 0;
	hp->line_cut = false;
	hp->first_line = true;
	hp->done = false;
	hp->flags = 0;
}

void header_parser_release(struct header_parser *hp)
{
	buf_release(&hp->line);
	buf_release(&hp->field);
}

/* Appends as much of p[0..n) as fits; returns false if some was dropped. */
static bool append_some(struct buf *b, const char *p, size_t n)
{
	size_t room = b->max - b->len;
	size_t k = n < room ? n : room;
	if (buf_append(b, p, k) < 0)
		return false;
	return k == n;
}

/* A field line starts with 1*ftext (RFC 5322 §3.6.8), then optional
 * blanks (obs-header, §4.5), then ':'.  Returns the name length or 0. */
static size_t field_name_len(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (unsigned char)s[i] >= 33 && (unsigned char)s[i] <= 126 &&
	       s[i] != ':')
		i++;
	size_t name = i;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return name > 0 && i < len && s[i] == ':' ? name : 0;
}

static int flush_field(struct header_parser *hp, header_field_fn *fn, void *ctx)
{
	if (hp->name_len == 0)
		return 0;
	struct buf *f = &hp->field;
	size_t v = hp->name_len + 1;
	while (v < f->len && (f->data[v] == ' ' || f->data[v] == '\t'))
		v++;
	size_t end = f->len;
	while (end > v && (f->data[end - 1] == ' ' || f->data[end - 1] == '\t'))
		end--;
	buf_truncate(f, end);
	struct header_field field = {
		.name = f->data,
		.name_len = hp->name_len,
		.value = f->data + v,
		.value_len = end - v,
	};
	size_t kept = hp->n_fields++;
	hp->name_len = 0;
	int rc = 0;
	if (kept < hp->lim.max_fields)
		rc = fn(ctx, &field);
	else
		hp->flags |= HEADER_TOO_MANY;
	buf_reset(f);
	return rc;
}

/* Starts a new pending field from a field line: "name\0value". */
static void start_field(struct header_parser *hp, const char *s, size_t len,
			size_t name_len)
{
	const char *colon = memchr(s, ':', len);
	buf_reset(&hp->field);
	/* Both fit: the line buffer has the same maximum as the field. */
	if (buf_append(&hp->field, s, name_len) < 0 ||
	    buf_append_char(&hp->field, '\0') < 0 ||
	    !append_some(&hp->field, colon + 1, len - (size_t)(colon + 1 - s)))
		hp->flags |= HEADER_FIELD_CUT;
	hp->name_len = name_len;
}

/* Handles the complete physical line in hp->line.  Returns 1 when the
 * header has ended, 0 to go on, or the callback's value. */
static int end_of_line(struct header_parser *hp, header_field_fn *fn, void *ctx)
{
	struct buf *l = &hp->line;
	int rc = 0;

	if (l->len > 0 && l->data[l->len - 1] == '\r' && !hp->line_cut)
		buf_truncate(l, l->len - 1);
	if (l->len == 0 && !hp->line_cut) {
		hp->done = true;
		rc = flush_field(hp, fn, ctx);
		return rc ? rc : 1;
	}
	size_t name_len = field_name_len(l->data, l->len);
	if (hp->first_line && l->len >= 5 && memcmp(l->data, "From ", 5) == 0) {
		hp->flags |= HEADER_ENVELOPE; /* the next line is "first" again */
	} else if (hp->first_line && name_len == 0) {
		hp->flags |= HEADER_NO_HEADER;
		hp->done = true;
		rc = 1;
	} else if (l->data[0] == ' ' || l->data[0] == '\t') {
		/* Unfolding (§2.2.3): the line break goes, the blank stays. */
		if (hp->name_len == 0)
			hp->flags |= HEADER_GARBAGE;
		else if (!append_some(&hp->field, l->data, l->len) || hp->line_cut)
			hp->flags |= HEADER_FIELD_CUT;
	} else if (name_len > 0) {
		hp->first_line = false;
		rc = flush_field(hp, fn, ctx);
		start_field(hp, l->data, l->len, name_len);
		if (hp->line_cut)
			hp->flags |= HEADER_FIELD_CUT;
	} else {
		hp->flags |= HEADER_GARBAGE;
	}
	buf_reset(l);
	hp->line_cut = false;
	return rc;
}

int header_parser_feed(struct header_parser *hp, const char *data,
		       size_t len, size_t *used_r, header_field_fn *fn,
		       void *ctx)
{
	size_t i = 0;
	int rc = hp->done ? 1 : 0;

	while (rc == 0 && i < len) {
		if (hp->total >= hp->lim.max_header) {
			hp->flags |= HEADER_TOO_BIG;
			hp->done = true;
			rc = flush_field(hp, fn, ctx);
			rc = rc ? rc : 1;
			break;
		}
		size_t room = hp->lim.max_header - hp->total;
		size_t n = len - i < room ? len - i : room;
		const char *lf = memchr(data + i, '\n', n);
		size_t chunk = lf ? (size_t)(lf - (data + i)) : n;
		if (!append_some(&hp->line, data + i, chunk))
			hp->line_cut = true;
		i += chunk;
		hp->total += chunk;
		if (lf != NULL) {
			i++;
			hp->total++;
			rc = end_of_line(hp, fn, ctx);
		}
	}
	*used_r = i;
	return rc;
}

int header_parser_finish(struct header_parser *hp, header_field_fn *fn,
			 void *ctx)
{
	int rc = 0;
	if (!hp->done) {
		hp->flags |= HEADER_NO_END;
		if (hp->line.len > 0 || hp->line_cut)
			rc = end_of_line(hp, fn, ctx);
		if (rc == 0 && !hp->done)
			rc = flush_field(hp, fn, ctx);
		hp->done = true;
	}
	return rc == 1 ? 0 : rc;
}

static int collect_field(void *ctx, const struct header_field *f)
{
	struct header *h = ctx;
	h->fields = xgrow(h->fields, &h->cap, h->n + 1, sizeof(*h->fields));
	char *p = xmalloc(f->name_len + 1 + f->value_len + 1);
	memcpy(p, f->name, f->name_len);
	p[f->name_len] = '\0';
	memcpy(p + f->name_len + 1, f->value, f->value_len);
	p[f->name_len + 1 + f->value_len] = '\0';
	h->fields[h->n++] = (struct header_field){
		.name = p,
		.name_len = f->name_len,
		.value = p + f->name_len + 1,
		.value_len = f->value_len,
	};
	return 0;
}

void header_parse(struct header *h, const char *msg, size_t len,
		  const struct header_limits *lim)
{
	struct header_parser hp;
	size_t used = 0;

	memset(h, 0, sizeof(*h));
	header_parser_init(&hp, lim);
	if (header_parser_feed(&hp, msg, len, &used, collect_field, h) == 0)
		header_parser_finish(&hp, collect_field, h);
	h->flags = hp.flags;
	h->len = (hp.flags & HEADER_NO_HEADER) ? 0 : used;
	header_parser_release(&hp);
}

void header_release(struct header *h)
{
	for (size_t i = 0; i < h->n; i++)
		free((char *)h->fields[i].name);
	free(h->fields);
	memset(h, 0, sizeof(*h));
}

const struct header_field *header_find(const struct header *h,
				       const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < h->n; i++)
		if (h->fields[i].name_len == nl && str_eqn_ci(h->fields[i].name, name, nl))
			return &h->fields[i];
	return NULL;
}
