#include "config.h"

#include "html.h"

#include <stdbool.h>
#include <string.h>

#include "html_entities.h"
#include "html_layout.h"
#include "html_links.h"
#include "sanitize.h"
#include "str.h"

/* Longest link text kept for comparing with its URL. */
#define LINK_TEXT_MAX 1024
/* Longest alt text shown. */
#define ALT_MAX 1024

/* ---------------------------------------------------------------- tags */

enum tag_kind {
	K_INLINE,  /* no effect on layout (known only for hiding) */
	K_BLOCK,   /* starts and ends a line */
	K_PARA,    /* a blank line before and after */
	K_RAW,     /* content skipped up to the end tag */
	K_HEAD, K_BODY, K_A, K_IMG, K_BR, K_HR, K_HEADING, K_QUOTE, K_PRE,
	K_LIST, K_LI, K_DL, K_DT, K_DD, K_TABLE, K_TR, K_CELL,
};

#define F_VOID 1      /* never has content or an end tag */
#define F_HEAD 2      /* may appear inside <head> */
#define F_OPTEND 4    /* end tag optional: a sibling ends it */

struct tag_info {
	char name[11];
	unsigned char kind;
	unsigned char flags;
};

/* Sorted by name. */
static const struct tag_info tags[] = {
	{ "a", K_A, 0 }, { "address", K_BLOCK, 0 }, { "area", K_INLINE, F_VOID },
	{ "article", K_BLOCK, 0 }, { "aside", K_BLOCK, 0 },
	{ "b", K_INLINE, 0 }, { "base", K_INLINE, F_VOID | F_HEAD },
	{ "basefont", K_INLINE, F_VOID | F_HEAD },
	{ "bgsound", K_INLINE, F_VOID | F_HEAD }, { "big", K_INLINE, 0 },
	{ "blockquote", K_QUOTE, 0 }, { "body", K_BODY, 0 },
	{ "br", K_BR, F_VOID }, { "button", K_INLINE, 0 },
	{ "caption", K_BLOCK, 0 }, { "center", K_BLOCK, 0 },
	{ "cite", K_INLINE, 0 }, { "code", K_INLINE, 0 },
	{ "col", K_INLINE, F_VOID }, { "dd", K_DD, F_OPTEND },
	{ "details", K_BLOCK, 0 }, { "dir", K_LIST, 0 }, { "div", K_BLOCK, 0 },
	{ "dl", K_DL, 0 }, { "dt", K_DT, F_OPTEND }, { "em", K_INLINE, 0 },
	{ "embed", K_INLINE, F_VOID }, { "fieldset", K_BLOCK, 0 },
	{ "figcaption", K_BLOCK, 0 }, { "figure", K_BLOCK, 0 },
	{ "font", K_INLINE, 0 }, { "footer", K_BLOCK, 0 },
	{ "form", K_BLOCK, 0 }, { "h1", K_HEADING, 0 }, { "h2", K_HEADING, 0 },
	{ "h3", K_HEADING, 0 }, { "h4", K_HEADING, 0 }, { "h5", K_HEADING, 0 },
	{ "h6", K_HEADING, 0 }, { "head", K_HEAD, F_HEAD },
	{ "header", K_BLOCK, 0 }, { "hr", K_HR, F_VOID },
	{ "html", K_INLINE, F_HEAD }, { "i", K_INLINE, 0 },
	{ "iframe", K_RAW, 0 }, { "img", K_IMG, F_VOID },
	{ "input", K_INLINE, F_VOID }, { "keygen", K_INLINE, F_VOID },
	{ "label", K_INLINE, 0 }, { "legend", K_BLOCK, 0 },
	{ "li", K_LI, F_OPTEND }, { "link", K_INLINE, F_VOID | F_HEAD },
	{ "listing", K_PRE, 0 }, { "main", K_BLOCK, 0 }, { "menu", K_LIST, 0 },
	{ "meta", K_INLINE, F_VOID | F_HEAD }, { "nav", K_BLOCK, 0 },
	{ "noembed", K_RAW, 0 }, { "noframes", K_RAW, F_HEAD },
	{ "noscript", K_RAW, F_HEAD }, { "ol", K_LIST, 0 },
	{ "p", K_PARA, F_OPTEND }, { "param", K_INLINE, F_VOID },
	{ "pre", K_PRE, 0 }, { "s", K_INLINE, 0 }, { "script", K_RAW, F_HEAD },
	{ "section", K_BLOCK, 0 }, { "small", K_INLINE, 0 },
	{ "source", K_INLINE, F_VOID }, { "span", K_INLINE, 0 },
	{ "strike", K_INLINE, 0 }, { "strong", K_INLINE, 0 },
	{ "style", K_RAW, F_HEAD }, { "sub", K_INLINE, 0 },
	{ "summary", K_BLOCK, 0 }, { "sup", K_INLINE, 0 },
	{ "table", K_TABLE, 0 }, { "tbody", K_INLINE, 0 },
	{ "td", K_CELL, F_OPTEND }, { "template", K_RAW, F_HEAD },
	{ "tfoot", K_INLINE, 0 }, { "th", K_CELL, F_OPTEND },
	{ "thead", K_INLINE, 0 }, { "title", K_RAW, F_HEAD },
	{ "tr", K_TR, F_OPTEND }, { "track", K_INLINE, F_VOID },
	{ "tt", K_INLINE, 0 }, { "u", K_INLINE, 0 }, { "ul", K_LIST, 0 },
	{ "wbr", K_INLINE, F_VOID },
};

static const struct tag_info *tag_lookup(const char *name, size_t len)
{
	char low[sizeof(tags[0].name)];
	if (len == 0 || len >= sizeof(low))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];
		low[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	low[len] = '\0';
	size_t lo = 0, hi = sizeof(tags) / sizeof(tags[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(low, tags[mid].name);
		if (cmp == 0)
			return &tags[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct span {
	const char *p;
	size_t n;
	bool set;
};

struct tag {
	const struct tag_info *info;
	bool end;
	struct span href, alt, start, value, style, hidden;
};

struct conv {
	const char *in;
	size_t len;
	size_t max_links;
	struct html_layout lay;
	struct html_links links;

	const char *raw;                 /* skipping to </raw> */
	bool in_head;                    /* text is dropped */
	const struct tag_info *hidden;   /* element dropped with its content */
	size_t hidden_nest;              /* its open same-name elements */
	size_t hidden_inner;             /* its open nested containers */

	bool link_open;                  /* inside <a href> to be numbered */
	bool link_space;                 /* blank seen in the link text */
	bool link_text_over;             /* link text past LINK_TEXT_MAX */
	struct buf href;                 /* the link's URL */
	struct buf link_text;            /* its text, blanks collapsed */
	struct buf alt;                  /* decoded alt text */
	struct buf chr;                  /* one decoded character reference */
};

/* ---------------------------------------------------------------- text */

static bool is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

static bool is_alpha(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Keeps the link's text, blanks (and U+00A0) collapsed, to compare it
 * with the URL. */
static void link_capture(struct conv *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n && !c->link_text_over; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (is_space(ch) || (ch == 0xC2 && i + 1 < n &&
				     (unsigned char)p[i + 1] == 0xA0)) {
			c->link_space = true;
			i += ch == 0xC2;
			continue;
		}
		if ((c->link_space && c->link_text.len > 0 &&
		     buf_append_char(&c->link_text, ' ') < 0) ||
		    buf_append_char(&c->link_text, (char)ch) < 0)
			c->link_text_over = true;
		c->link_space = false;
	}
}

static void text(struct conv *c, const char *p, size_t n)
{
	if (c->in_head || c->hidden != NULL)
		return;
	if (c->link_open)
		link_capture(c, p, n);
	html_layout_text(&c->lay, p, n);
}

static void text_cp(struct conv *c, unsigned cp)
{
	buf_reset(&c->chr);
	if (utf8_append(&c->chr, cp) == 0)
		text(c, c->chr.data, c->chr.len);
}

/* ----------------------------------------------------------- tokenizer */

static void attr_record(struct tag *t, const char *name, size_t n,
			const char *v, size_t vn)
{
	static const struct {
		const char *name;
		size_t off;
	} wanted[] = {
		{ "href", offsetof(struct tag, href) },
		{ "alt", offsetof(struct tag, alt) },
		{ "start", offsetof(struct tag, start) },
		{ "value", offsetof(struct tag, value) },
		{ "style", offsetof(struct tag, style) },
		{ "hidden", offsetof(struct tag, hidden) },
	};
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		struct span *sp = (struct span *)((char *)t + wanted[i].off);
		if (n != strlen(wanted[i].name) ||
		    !str_eqn_ci(name, wanted[i].name, n))
			continue;
		if (!sp->set) /* HTML5: the first of duplicates counts */
			*sp = (struct span){ v, vn, true };
		return;
	}
}

/* One attribute at s[i]; returns the index after it, or len if the input
 * ends inside it. */
static size_t attr_parse(const char *s, size_t len, size_t i, struct tag *t)
{
	size_t name = i++;
	while (i < len && !is_space((unsigned char)s[i]) && s[i] != '/' &&
	       s[i] != '>' && s[i] != '=')
		i++;
	size_t name_len = i - name, j = i;
	while (j < len && is_space((unsigned char)s[j]))
		j++;
	if (j >= len || s[j] != '=') {
		attr_record(t, s + name, name_len, s + i, 0);
		return i;
	}
	for (j++; j < len && is_space((unsigned char)s[j]); j++)
		;
	if (j >= len)
		return len;
	size_t v = j;
	if (s[j] == '"' || s[j] == '\'') {
		const char *q = memchr(s + j + 1, s[j], len - j - 1);
		if (q == NULL)
			return len;
		v = j + 1;
		j = (size_t)(q - s);
		attr_record(t, s + name, name_len, s + v, j - v);
		return j + 1;
	}
	while (j < len && !is_space((unsigned char)s[j]) && s[j] != '>')
		j++;
	attr_record(t, s + name, name_len, s + v, j - v);
	return j;
}

/* The tag at s[i] ("<" then a letter, or "</" then a letter).  Returns the
 * index after its ">", or 0 if the input ends first. */
static size_t tag_parse(const char *s, size_t len, size_t i, struct tag *t)
{
	memset(t, 0, sizeof(*t));
	i++;
	if (s[i] == '/') {
		t->end = true;
		i++;
	}
	size_t name = i;
	while (i < len && !is_space((unsigned char)s[i]) && s[i] != '/' &&
	       s[i] != '>')
		i++;
	t->info = tag_lookup(s + name, i - name);
	for (;;) {
		while (i < len && (is_space((unsigned char)s[i]) || s[i] == '/'))
			i++;
		if (i >= len)
			return 0;
		if (s[i] == '>')
			return i + 1;
		i = attr_parse(s, len, i, t);
	}
}

/* Index after the first "ch" at or after from, or len. */
static size_t skip_past(const char *s, size_t len, size_t from, char ch)
{
	const char *p = from < len ? memchr(s + from, ch, len - from) : NULL;
	return p ? (size_t)(p - s) + 1 : len;
}

/* A comment whose "<!--" is at s[i]; returns the index after its end. */
static size_t comment_end(const char *s, size_t len, size_t i)
{
	size_t k = i + 4;
	if (k < len && s[k] == '>')
		return k + 1; /* <!--> */
	if (k + 1 < len && s[k] == '-' && s[k + 1] == '>')
		return k + 2; /* <!---> */
	for (;;) {
		const char *d = k < len ? memchr(s + k, '-', len - k) : NULL;
		if (d == NULL)
			return len;
		k = (size_t)(d - s);
		if (k + 2 < len && s[k + 1] == '-' && s[k + 2] == '>')
			return k + 3;
		if (k + 3 < len && s[k + 1] == '-' && s[k + 2] == '!' &&
		    s[k + 3] == '>')
			return k + 4;
		k++;
	}
}

/* Where "]]>" starts at or after from, or len. */
static size_t cdata_end(const char *s, size_t len, size_t from)
{
	for (size_t k = from;;) {
		const char *b = k < len ? memchr(s + k, ']', len - k) : NULL;
		if (b == NULL)
			return len;
		k = (size_t)(b - s);
		if (k + 2 < len && s[k + 1] == ']' && s[k + 2] == '>')
			return k;
		k++;
	}
}

static void start_tag(struct conv *c, const struct tag *t);
static void end_tag(struct conv *c, const struct tag *t);

/* The tag at c->in[i]; returns the index after it. */
static size_t tag_token(struct conv *c, size_t i)
{
	struct tag t;
	size_t next = tag_parse(c->in, c->len, i, &t);
	if (next == 0)
		return c->len;
	if (t.end) {
		end_tag(c, &t);
	} else {
		start_tag(c, &t);
		if (t.info != NULL && t.info->kind == K_RAW)
			c->raw = t.info->name;
	}
	return next;
}

/* "<!" at c->in[i]. */
static size_t bang_token(struct conv *c, size_t i)
{
	const char *s = c->in;
	size_t len = c->len;
	if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0)
		return comment_end(s, len, i);
	if (len - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
		size_t end = cdata_end(s, len, i + 9);
		text(c, s + i + 9, end - (i + 9));
		return end < len ? end + 3 : len;
	}
	return skip_past(s, len, i + 2, '>');
}

/* "<" at c->in[i]: markup, or a literal "<". */
static size_t markup_token(struct conv *c, size_t i)
{
	const char *s = c->in;
	size_t len = c->len;
	unsigned char n1 = i + 1 < len ? (unsigned char)s[i + 1] : 0;
	unsigned char n2 = i + 2 < len ? (unsigned char)s[i + 2] : 0;
	if (is_alpha(n1) || (n1 == '/' && is_alpha(n2)))
		return tag_token(c, i);
	if (n1 == '!')
		return bang_token(c, i);
	if (n1 == '?')
		return skip_past(s, len, i + 2, '>');
	if (n1 == '/' && n2 == '>')
		return i + 3;
	if (n1 == '/' && i + 2 < len)
		return skip_past(s, len, i + 2, '>');
	text(c, "<", 1);
	return i + 1;
}

/* Inside a raw-text element at c->in[i]: skips to its end tag. */
static size_t raw_token(struct conv *c, size_t i)
{
	const char *s = c->in;
	size_t len = c->len, n = strlen(c->raw);
	for (size_t k = i;;) {
		const char *lt = k < len ? memchr(s + k, '<', len - k) : NULL;
		if (lt == NULL)
			return len;
		k = (size_t)(lt - s);
		if (len - k >= n + 2 && s[k + 1] == '/' &&
		    str_eqn_ci(s + k + 2, c->raw, n) &&
		    (k + n + 2 == len || is_space((unsigned char)s[k + n + 2]) ||
		     s[k + n + 2] == '/' || s[k + n + 2] == '>')) {
			c->raw = NULL;
			return tag_token(c, k);
		}
		k++;
	}
}

static size_t entity_token(struct conv *c, size_t i)
{
	unsigned cp;
	size_t n = html_entities_decode(c->in + i, c->len - i, false, &cp);
	if (n == 0) {
		text(c, "&", 1);
		return i + 1;
	}
	text_cp(c, cp);
	return i + n;
}

static void tokenize(struct conv *c)
{
	const char *s = c->in;
	size_t i = 0;
	while (i < c->len && c->lay.rc == 0) {
		if (c->raw != NULL) {
			i = raw_token(c, i);
		} else if (s[i] == '<') {
			i = markup_token(c, i);
		} else if (s[i] == '&') {
			i = entity_token(c, i);
		} else {
			size_t j = i + 1;
			while (j < c->len && s[j] != '<' && s[j] != '&')
				j++;
			text(c, s + i, j - i);
			i = j;
		}
	}
}

/* --------------------------------------------------------- attributes */

/* Appends the entity-decoded value sp to b; returns -1 if b is full. */
static int attr_decode(const struct span *sp, struct buf *b)
{
	for (size_t i = 0; i < sp->n;) {
		unsigned cp;
		size_t n = 0;
		int rc;
		if (sp->p[i] == '&')
			n = html_entities_decode(sp->p + i, sp->n - i, true, &cp);
		if (n > 0) {
			rc = utf8_append(b, cp);
			i += n;
		} else {
			rc = buf_append_char(b, sp->p[i]);
			i++;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* "display:none" in a style attribute (spaces allowed around ':'). */
static bool style_hides(const struct span *sp)
{
	const char *s = sp->p;
	size_t n = sp->n;
	for (size_t i = 0; i + 7 <= n; i++) {
		if (!str_eqn_ci(s + i, "display", 7))
			continue;
		size_t j = i + 7;
		while (j < n && is_space((unsigned char)s[j]))
			j++;
		if (j >= n || s[j] != ':')
			continue;
		for (j++; j < n && is_space((unsigned char)s[j]); j++)
			;
		if (n - j >= 4 && str_eqn_ci(s + j, "none", 4))
			return true;
	}
	return false;
}

/* A signed decimal attribute value, clamped to +-HTML_COUNTER_MAX;
 * false if there is none. */
static bool attr_long(const struct span *sp, long *v_r)
{
	size_t i = 0;
	while (i < sp->n && is_space((unsigned char)sp->p[i]))
		i++;
	bool neg = i < sp->n && sp->p[i] == '-';
	if (i < sp->n && (sp->p[i] == '-' || sp->p[i] == '+'))
		i++;
	if (!sp->set || i >= sp->n || sp->p[i] < '0' || sp->p[i] > '9')
		return false;
	long v = 0;
	for (; i < sp->n && sp->p[i] >= '0' && sp->p[i] <= '9'; i++)
		v = v >= HTML_COUNTER_MAX / 10 ? HTML_COUNTER_MAX :
			v * 10 + (sp->p[i] - '0');
	*v_r = neg ? -v : v;
	return true;
}

/* ------------------------------------------------------------ hiding */

/* While an element is hidden (c->hidden), tags only count nesting.  An
 * element whose end tag is optional also ends at a sibling's start, at
 * its container's end, and (p) at the start or end of any block. */
#define NO_CONTAINER 255

static unsigned container_of(const struct tag_info *ti)
{
	switch (ti->kind) {
	case K_LI: return K_LIST;
	case K_DT: case K_DD: return K_DL;
	case K_TR: case K_CELL: return K_TABLE;
	default: return NO_CONTAINER;
	}
}

static bool is_block_kind(unsigned k)
{
	return k != K_INLINE && k != K_A && k != K_IMG && k != K_BR &&
	       k != K_RAW && k != K_HEAD && k != K_BODY;
}

static bool sibling_ends(const struct tag_info *hid, const struct tag_info *ti)
{
	if (hid->kind == K_PARA)
		return is_block_kind(ti->kind);
	if (hid->kind == K_CELL)
		return ti->kind == K_CELL || ti->kind == K_TR;
	if (hid->kind == K_DT || hid->kind == K_DD)
		return ti->kind == K_DT || ti->kind == K_DD;
	return ti->kind == hid->kind;
}

/* Returns true if the tag ended the hidden element and is to be handled. */
static bool hidden_tag(struct conv *c, const struct tag *t)
{
	const struct tag_info *hid = c->hidden, *ti = t->info;
	if (!(hid->flags & F_OPTEND)) {
		if (ti == hid && !t->end)
			c->hidden_nest++;
		else if (ti == hid && --c->hidden_nest == 0)
			c->hidden = NULL;
		return false;
	}
	if (ti->kind == container_of(hid)) {
		if (!t->end)
			c->hidden_inner++;
		else if (c->hidden_inner > 0)
			c->hidden_inner--;
		else
			c->hidden = NULL; /* the list or table around it ends */
		return c->hidden == NULL;
	}
	if (c->hidden_inner > 0)
		return false;
	if (t->end && (ti == hid ||
		       (hid->kind == K_PARA && is_block_kind(ti->kind)))) {
		c->hidden = NULL;
		return ti != hid;
	}
	if (!t->end && sibling_ends(hid, ti)) {
		c->hidden = NULL;
		return true;
	}
	return false;
}

static bool tag_hides(const struct tag *t)
{
	return t->hidden.set || (t->style.set && style_hides(&t->style));
}

/* ------------------------------------------------------------- links */

/* Decodes the href into c->href; false if it is not listed. */
static bool href_load(struct conv *c, const struct span *sp)
{
	buf_reset(&c->href);
	return attr_decode(sp, &c->href) == 0 && html_links_clean(&c->href);
}

static void link_end(struct conv *c)
{
	if (!c->link_open)
		return;
	c->link_open = false;
	if (!c->link_text_over &&
	    html_links_text_is_url(c->href.data, c->href.len, c->link_text.data,
				   c->link_text.len))
		return;
	size_t n = html_links_number(&c->links, c->href.data, c->href.len,
				     c->max_links);
	if (n == 0)
		return;
	char mark[32];
	size_t k = sizeof(mark);
	mark[--k] = ']';
	for (; n > 0; n /= 10)
		mark[--k] = (char)('0' + n % 10);
	mark[--k] = '[';
	html_layout_marker(&c->lay, mark + k, sizeof(mark) - k);
}

static void link_start(struct conv *c, const struct tag *t)
{
	link_end(c);
	if (!t->href.set || c->max_links == 0 || !href_load(c, &t->href))
		return;
	c->link_open = true;
	c->link_space = false;
	c->link_text_over = false;
	buf_reset(&c->link_text);
}

/* -------------------------------------------------------------- images */

static void image(struct conv *c, const struct tag *t)
{
	if (!t->alt.set)
		return;
	buf_reset(&c->alt);
	(void)attr_decode(&t->alt, &c->alt); /* a cut alt text is fine */
	size_t i = 0;
	while (i < c->alt.len && is_space((unsigned char)c->alt.data[i]))
		i++;
	if (i == c->alt.len)
		return;
	text(c, "[image: ", 8);
	text(c, c->alt.data + i, c->alt.len - i);
	text(c, "]", 1);
}

/* --------------------------------------------------------- dispatch */

static void block_start(struct conv *c, const struct tag *t)
{
	struct html_layout *l = &c->lay;
	const struct tag_info *ti = t->info;
	long v;
	switch (ti->kind) {
	case K_BLOCK:
		html_layout_break(l, 1);
		break;
	case K_TABLE: html_layout_table_start(l); break;
	case K_TR: html_layout_row(l); break;
	case K_DT:
		html_layout_dd_end(l);
		break;
	case K_PARA: case K_DL:
		html_layout_break(l, 2);
		break;
	case K_BR: html_layout_line_break(l); break;
	case K_HR: html_layout_rule(l); break;
	case K_HEADING: html_layout_heading_start(l, ti->name[1] - '0'); break;
	case K_QUOTE: html_layout_quote_start(l); break;
	case K_PRE: html_layout_pre_start(l); break;
	case K_LIST:
		html_layout_list_start(l, ti->name[0] == 'o',
				       attr_long(&t->start, &v) ? v : 1);
		break;
	case K_LI: {
		bool has_value = attr_long(&t->value, &v);
		html_layout_item_start(l, has_value, has_value ? v : 0);
		break;
	}
	case K_DD: html_layout_dd_start(l); break;
	case K_CELL: html_layout_cell(l); break;
	}
}

static void start_tag(struct conv *c, const struct tag *t)
{
	const struct tag_info *ti = t->info;
	if (ti == NULL)
		return;
	if (c->hidden != NULL && !hidden_tag(c, t))
		return;
	if (c->in_head && !(ti->flags & F_HEAD))
		c->in_head = false;
	if (tag_hides(t) && ti->kind != K_RAW) {
		if (!(ti->flags & F_VOID)) {
			c->hidden = ti;
			c->hidden_nest = 1;
			c->hidden_inner = 0;
		}
		return;
	}
	if (ti->kind == K_HEAD)
		c->in_head = true;
	else if (ti->kind == K_BODY)
		c->in_head = false;
	else if (ti->kind == K_A)
		link_start(c, t);
	else if (ti->kind == K_IMG)
		image(c, t);
	else
		block_start(c, t);
}

static void end_tag(struct conv *c, const struct tag *t)
{
	struct html_layout *l = &c->lay;
	const struct tag_info *ti = t->info;
	if (ti == NULL)
		return;
	if (c->hidden != NULL && !hidden_tag(c, t))
		return;
	switch (ti->kind) {
	case K_HEAD: c->in_head = false; break;
	case K_A: link_end(c); break;
	case K_BLOCK: html_layout_block_end(l, 1); break;
	case K_PARA: html_layout_block_end(l, 2); break;
	case K_DT: html_layout_break(l, 1); break;
	case K_TABLE: html_layout_table_end(l); break;
	case K_TR: html_layout_row(l); break;
	case K_CELL: html_layout_cell_end(l); break;
	case K_BR: html_layout_line_break(l); break; /* </br> is <br> */
	case K_HEADING: html_layout_heading_end(l); break;
	case K_QUOTE: html_layout_quote_end(l); break;
	case K_PRE: html_layout_pre_end(l); break;
	case K_LIST: html_layout_list_end(l); break;
	case K_LI: html_layout_item_end(l); break;
	case K_DL: html_layout_dd_end(l); html_layout_break(l, 2); break;
	case K_DD: html_layout_dd_end(l); break;
	}
}

/* --------------------------------------------------------------- main */

int html_to_text(const char *in, size_t len, const struct html_options *opt,
		 struct buf *out)
{
	struct conv c;
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.len = len;
	c.max_links = opt->max_links;
	html_layout_init(&c.lay, out, opt->width);
	html_links_init(&c.links);
	buf_init(&c.href, HTML_URL_MAX);
	buf_init(&c.link_text, LINK_TEXT_MAX);
	buf_init(&c.alt, ALT_MAX);
	buf_init(&c.chr, 8);

	tokenize(&c);
	link_end(&c);
	html_layout_finish(&c.lay);
	int rc = c.lay.rc;
	if (rc == 0)
		rc = html_links_write(&c.links, c.lay.any_output, out);

	html_layout_release(&c.lay);
	html_links_release(&c.links);
	buf_release(&c.href);
	buf_release(&c.link_text);
	buf_release(&c.alt);
	buf_release(&c.chr);
	return rc;
}
