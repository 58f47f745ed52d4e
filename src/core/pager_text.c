#include "config.h"

#include "pager_text.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"
#include "sanitize.h"
#include "str.h"
#include "width.h"

#define TAB 8

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Quote depth of a body line: '>' marks, blanks allowed between them. */
static unsigned quote_depth(const char *s, size_t n)
{
	unsigned d = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '>')
			d++;
		else if (!is_blank(s[i]))
			break;
	}
	return d;
}

static bool is_notice(const char *s, size_t n)
{
	return n >= 8 && memcmp(s, "[-- ", 4) == 0 && memcmp(s + n - 4, " --]", 4) == 0;
}

static void add_line(struct pager_text *pt, size_t *cap, size_t off, size_t len,
		     enum pager_line_kind kind, unsigned depth, bool continued)
{
	pt->lines = xgrow(pt->lines, cap, pt->n + 1, sizeof(*pt->lines));
	struct pager_line *l = &pt->lines[pt->n++];
	l->off = off;
	l->len = len;
	l->kind = kind;
	l->quote_depth = depth;
	l->continued = continued;
}

/* Expands the tabs of one sanitised line into out. */
static int expand_tabs(const char *s, size_t n, struct buf *out)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t') {
			size_t to = (col / TAB + 1) * TAB;
			for (; col < to; col++)
				if (buf_append_char(out, ' ') < 0)
					return -1;
			continue;
		}
		if (buf_append_char(out, s[i]) < 0)
			return -1;
		/* Count columns once a character is complete (not on its
		 * continuation bytes). */
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			size_t k = 1;
			while (i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
				k++;
			col += width_of(s + i, k);
		}
	}
	return 0;
}

/* Cuts the logical line text[off..off+len) into screen lines of at most
 * width columns. */
static void wrap(struct pager_text *pt, size_t *cap, size_t off, size_t len,
		 size_t width, enum pager_line_kind kind, unsigned depth)
{
	const char *s = pt->text + off;
	size_t start = 0, col = 0, i = 0;
	bool continued = false;
	while (i < len) {
		unsigned cp;
		size_t k = utf8_decode((const unsigned char *)s + i, len - i, &cp);
		if (k == 0)
			k = 1;
		size_t w = width_of(s + i, k);
		if (col + w > width && i > start) {
			add_line(pt, cap, off + start, i - start, kind, depth, continued);
			continued = true;
			start = i;
			col = 0;
		}
		col += w;
		i += k;
	}
	add_line(pt, cap, off + start, len - start, kind, depth, continued);
}

static bool url_char(unsigned char c)
{
	return c > ' ' && c < 127 && c != '<' && c != '>' && c != '"' && c != '\'' &&
	       c != '`' && c != '{' && c != '}' && c != '|' && c != '\\' && c != '^';
}

/* Number of '(' minus number of ')' in s[0..n). */
static int parens_balance(const char *s, size_t n)
{
	int b = 0;
	for (size_t i = 0; i < n; i++)
		b += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
	return b;
}

/* Finds the URLs of the logical line text[off..off+len), first screen
 * line first_line. */
static void find_urls(struct pager_text *pt, size_t *cap, size_t off, size_t len,
		      size_t first_line)
{
	static const char *const schemes[] = { "https://", "http://", "ftp://" };
	const char *s = pt->text + off;
	for (size_t i = 0; i < len && pt->n_urls < PAGER_URLS_MAX; i++) {
		size_t sl = 0;
		for (size_t k = 0; k < 3 && sl == 0; k++) {
			size_t n = strlen(schemes[k]);
			if (len - i > n && str_eqn_ci(s + i, schemes[k], n))
				sl = n;
		}
		if (sl == 0 || (i > 0 && url_char((unsigned char)s[i - 1]) &&
				s[i - 1] != '(' && s[i - 1] != '[' && s[i - 1] != '='))
			continue;
		size_t e = i + sl;
		int parens = 0;
		while (e < len && url_char((unsigned char)s[e])) {
			parens += s[e] == '(' ? 1 : s[e] == ')' ? -1 : 0;
			if (parens < 0)
				break;
			e++;
		}
		/* Trailing punctuation is the sentence's, and so is a ')' that
		 * closes nothing opened in the URL. */
		while (e > i + sl) {
			if (strchr(".,;:!?]", s[e - 1]) != NULL) {
				e--;
			} else if (s[e - 1] == ')' && parens_balance(s + i, e - i) < 0) {
				e--;
			} else {
				break;
			}
		}
		if (e == i + sl || e - i > PAGER_URL_MAX) {
			i = e;
			continue;
		}
		/* The screen line holding byte off + i. */
		size_t line = first_line;
		while (line + 1 < pt->n && pt->lines[line + 1].off <= off + i)
			line++;
		const struct pager_line *l = &pt->lines[line];
		size_t start = off + i - l->off;
		size_t on_line = l->len - start < e - i ? l->len - start : e - i;
		pt->urls = xgrow(pt->urls, cap, pt->n_urls + 1, sizeof(*pt->urls));
		struct pager_url *u = &pt->urls[pt->n_urls++];
		u->line = line;
		u->start = start;
		u->len = on_line;
		u->url = xstrndup(s + i, e - i);
		i = e;
	}
}

int pager_text_build(struct pager_text *pt, const char *rendered, size_t len,
		     size_t width, struct err *e)
{
	memset(pt, 0, sizeof(*pt));
	if (width < 10)
		width = 10;
	struct buf clean, text;
	buf_init(&clean, PAGER_TEXT_MAX);
	buf_init(&text, PAGER_TEXT_MAX);
	if (sanitize_text(rendered, len, SANITIZE_MULTILINE, &clean) < 0) {
		buf_release(&clean);
		buf_release(&text);
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the message is too large to show"));
	}
	/* Tabs first, so that wrapping sees the columns they take. */
	struct { size_t off, len; } *logical = NULL;
	size_t n_logical = 0, cap_logical = 0;
	int rc = 0;
	for (size_t p = 0; rc == 0 && p < clean.len;) {
		const char *nl = memchr(clean.data + p, '\n', clean.len - p);
		size_t end = nl ? (size_t)(nl - clean.data) : clean.len;
		logical = xgrow(logical, &cap_logical, n_logical + 1, sizeof(*logical));
		logical[n_logical].off = text.len;
		rc = expand_tabs(clean.data + p, end - p, &text);
		logical[n_logical].len = text.len - logical[n_logical].off;
		n_logical++;
		p = end + 1;
	}
	buf_release(&clean);
	if (rc < 0) {
		free(logical);
		buf_release(&text);
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the message is too large to show"));
	}
	pt->text = buf_detach(&text, &pt->text_len);
	size_t cap = 0, ucap = 0;
	bool in_header = true, in_signature = false;
	for (size_t k = 0; k < n_logical; k++) {
		const char *s = pt->text + logical[k].off;
		size_t n = logical[k].len;
		enum pager_line_kind kind = PAGER_BODY;
		unsigned depth = 0;
		if (in_header && n == 0) {
			in_header = false;
			pt->header_lines = pt->n;
		} else if (in_header) {
			kind = PAGER_HEADER;
		} else if (is_notice(s, n)) {
			kind = PAGER_ATTACHMENT;
			in_signature = false;
		} else if ((n == 3 && memcmp(s, "-- ", 3) == 0) || in_signature) {
			kind = PAGER_SIGNATURE;
			in_signature = true;
		} else if ((depth = quote_depth(s, n)) > 0) {
			kind = PAGER_QUOTED;
		}
		size_t first = pt->n;
		wrap(pt, &cap, logical[k].off, n, width, kind, depth);
		find_urls(pt, &ucap, logical[k].off, n, first);
	}
	if (in_header)
		pt->header_lines = pt->n;
	free(logical);
	return 0;
}

void pager_text_release(struct pager_text *pt)
{
	for (size_t i = 0; i < pt->n_urls; i++)
		free(pt->urls[i].url);
	free(pt->urls);
	free(pt->lines);
	free(pt->text);
	memset(pt, 0, sizeof(*pt));
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool match_at(const char *s, size_t n, const char *needle, size_t nl)
{
	if (n < nl)
		return false;
	for (size_t i = 0; i < nl; i++)
		if (lower(s[i]) != lower(needle[i]))
			return false;
	return true;
}

size_t pager_text_find(const struct pager_text *pt, const char *needle, size_t from,
		       bool backwards, size_t *col_r)
{
	size_t nl = strlen(needle);
	if (nl == 0 || pt->n == 0)
		return (size_t)-1;
	if (from >= pt->n)
		from = backwards ? pt->n - 1 : pt->n;
	for (size_t k = 0; k < pt->n; k++) {
		size_t line;
		if (backwards) {
			if (k > from)
				break;
			line = from - k;
		} else {
			line = from + k;
			if (line >= pt->n)
				break;
		}
		const struct pager_line *l = &pt->lines[line];
		for (size_t i = 0; i + nl <= l->len; i++) {
			if (match_at(pt->text + l->off + i, l->len - i, needle, nl)) {
				if (col_r != NULL)
					*col_r = i;
				return line;
			}
		}
	}
	return (size_t)-1;
}
