#include "config.h"

#include "html_layout.h"

#include <string.h>

#include "width.h"

/* Fewest columns given to text when the prefix leaves less. */
#define MIN_AVAIL 20

void html_layout_init(struct html_layout *l, struct buf *out, size_t width)
{
	memset(l, 0, sizeof(*l));
	l->out = out;
	l->width = width;
	buf_init(&l->word, HTML_WORD_MAX);
}

void html_layout_release(struct html_layout *l)
{
	buf_release(&l->word);
}

static bool is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

static void emit(struct html_layout *l, const char *p, size_t n)
{
	if (l->rc == 0 && buf_append(l->out, p, n) < 0)
		l->rc = -1;
}

static void emit_repeat(struct html_layout *l, char ch, size_t n)
{
	char block[64];
	memset(block, ch, sizeof(block));
	while (n > 0 && l->rc == 0) {
		size_t k = n < sizeof(block) ? n : sizeof(block);
		emit(l, block, k);
		n -= k;
	}
}

/* ------------------------------------------------------------- lines */

static size_t quote_depth(const struct html_layout *l)
{
	size_t q = 0;
	for (size_t i = 0; i < l->depth; i++)
		q += l->frames[i].kind == HTML_FR_QUOTE;
	return q;
}

/* Columns for text: what the prefix leaves, but at least MIN_AVAIL (or
 * half the width, if that is less), so deep nesting stays readable. */
static size_t avail_for(size_t width, size_t prefix_cols)
{
	size_t least = width / 2 < MIN_AVAIL ? width / 2 : MIN_AVAIL;
	size_t left = prefix_cols < width ? width - prefix_cols : 0;
	return left > least ? left : least;
}

/* Writes the prefix of a new line; an item's marker goes on its first
 * line only, later lines get as many spaces.  Returns its columns. */
static size_t write_prefix(struct html_layout *l)
{
	size_t cols = 0;
	for (size_t i = 0; i < l->depth; i++) {
		struct html_frame *f = &l->frames[i];
		switch (f->kind) {
		case HTML_FR_QUOTE:
			emit(l, "> ", 2);
			cols += 2;
			break;
		case HTML_FR_LIST:
			if (f->indent) {
				emit(l, "  ", 2);
				cols += 2;
			}
			break;
		case HTML_FR_ITEM:
			if (f->shown)
				emit_repeat(l, ' ', f->marker_len);
			else
				emit(l, f->marker, f->marker_len);
			f->shown = true;
			cols += f->marker_len;
			break;
		case HTML_FR_DD:
			emit(l, "    ", 4);
			cols += 4;
			break;
		}
	}
	return cols;
}

static void blank_line(struct html_layout *l, size_t quotes)
{
	for (size_t i = 0; i < quotes; i++)
		emit(l, i + 1 < quotes ? "> " : ">", i + 1 < quotes ? 2 : 1);
	emit(l, "\n", 1);
}

static void open_line(struct html_layout *l)
{
	if (l->line_open)
		return;
	size_t q = quote_depth(l);
	if (l->any_output && l->brk >= 2)
		blank_line(l, q < l->last_quote ? q : l->last_quote);
	l->brk = 0;
	l->line_begin = l->out->len;
	l->avail = avail_for(l->width, write_prefix(l));
	l->line_cols = 0;
	l->last_quote = q;
	l->line_open = true;
}

static void close_line(struct html_layout *l)
{
	if (!l->line_open)
		return;
	size_t n = l->out->len;
	while (n > l->line_begin && l->out->data[n - 1] == ' ')
		n--;
	buf_truncate(l->out, n);
	emit(l, "\n", 1);
	l->line_open = false;
	l->any_output = true;
	l->text_end = n > l->line_begin ? l->out->len : 0;
	if (l->heading && l->line_cols > l->heading_cols)
		l->heading_cols = l->line_cols;
}

/* ------------------------------------------------------------- words */

/* Puts the collected word on the line, or on a new one if it does not
 * fit.  Spaces (from U+00A0) are dropped at the start of a line. */
static void flush_word(struct html_layout *l)
{
	const char *w = l->word.data;
	size_t n = l->word.len, cols = width_of(w, n);
	bool fresh = !l->line_open;
	if (n == 0)
		return;
	if (!fresh) {
		const char *sep = l->sep_pending ? " | " :
				  l->word_space ? " " : "";
		size_t sl = strlen(sep);
		if (l->width > 0 && l->line_cols > 0 &&
		    l->line_cols + sl + cols > l->avail) {
			close_line(l);
			fresh = true;
		} else {
			emit(l, sep, sl);
			l->line_cols += sl;
		}
	}
	if (fresh) {
		size_t lead = 0;
		while (lead < n && w[lead] == ' ')
			lead++;
		w += lead;
		n -= lead;
		cols -= lead;
		if (n > 0)
			open_line(l);
	}
	if (n > 0) {
		emit(l, w, n);
		l->line_cols += cols;
	}
	buf_reset(&l->word);
	l->word_space = false;
	l->sep_pending = false;
}

static bool is_continuation(char ch)
{
	return ((unsigned char)ch & 0xC0) == 0x80;
}

static void word_add(struct html_layout *l, const char *p, size_t n)
{
	if (l->space_pending) {
		flush_word(l);
		l->word_space = true;
		l->space_pending = false;
	}
	while (n > 0 && l->rc == 0) {
		size_t k = HTML_WORD_MAX - l->word.len;
		if (k < n) {
			/* Cut before a UTF-8 sequence, not inside it. */
			size_t b = k;
			while (b > 0 && k - b < 3 && is_continuation(p[b]))
				b--;
			if (!is_continuation(p[b]))
				k = b;
		} else {
			k = n;
		}
		if (k == 0) {
			flush_word(l); /* the rest is glued on: no space */
			continue;
		}
		if (buf_append(&l->word, p, k) < 0)
			l->rc = -1;
		p += k;
		n -= k;
	}
}

/* --------------------------------------------------------------- pre */

/* Inside pre, newlines and spaces are held back until text follows, so
 * that blank lines and spaces at the end of pre (or of a line) vanish. */
static void pre_newlines(struct html_layout *l)
{
	if (l->pre_nl > 0 && l->line_open) {
		close_line(l);
		l->pre_nl--;
	}
	for (; l->pre_nl > 0 && l->rc == 0; l->pre_nl--) {
		if (!l->any_output)
			continue; /* no blank line at the start */
		open_line(l);
		close_line(l);
	}
	l->pre_nl = 0;
}

static void pre_text(struct html_layout *l, const char *p, size_t n)
{
	l->pre_first = false;
	pre_newlines(l);
	open_line(l);
	emit_repeat(l, ' ', l->pre_spaces);
	l->line_cols += l->pre_spaces;
	l->pre_spaces = 0;
	emit(l, p, n);
	l->line_cols += width_of(p, n);
}

static void pre_blank(struct html_layout *l, const char *p, size_t n, size_t i)
{
	if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
		return; /* CRLF: the LF ends the line */
	if (p[i] == '\r' || p[i] == '\n') {
		if (!l->pre_first)
			l->pre_nl++;
		l->pre_spaces = 0;
	} else if (p[i] == '\t') {
		size_t col = l->pre_nl == 0 && l->line_open ? l->line_cols : 0;
		col += l->pre_spaces;
		l->pre_spaces += 8 - col % 8;
	} else {
		l->pre_spaces++;
	}
	l->pre_first = false;
}

/* -------------------------------------------------------------- text */

static void put(struct html_layout *l, const char *p, size_t n)
{
	if (l->pre)
		pre_text(l, p, n);
	else
		word_add(l, p, n);
}

void html_layout_text(struct html_layout *l, const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n && l->rc == 0) {
		if (is_space(u[i])) {
			if (l->pre)
				pre_blank(l, p, n, i);
			else
				l->space_pending = true;
			i++;
		} else if (u[i] == 0xC2 && i + 1 < n && u[i + 1] == 0xAD) {
			i += 2; /* soft hyphen */
		} else if (u[i] == 0xC2 && i + 1 < n && u[i + 1] == 0xA0) {
			if (l->pre)
				pre_blank(l, " ", 1, 0);
			else
				word_add(l, " ", 1);
			i += 2;
		} else {
			size_t j = i + 1;
			while (j < n && !is_space(u[j]) && u[j] != 0xC2)
				j++;
			put(l, p + i, j - i);
			i = j;
		}
	}
}

void html_layout_marker(struct html_layout *l, const char *p, size_t n)
{
	if (l->pre) {
		pre_text(l, p, n);
	} else if (l->word.len == 0 && !l->line_open && l->text_end > 0 &&
		   l->text_end == l->out->len) {
		/* A block ended the text just before: "[3]" goes after it. */
		buf_truncate(l->out, l->text_end - 1);
		emit(l, p, n);
		emit(l, "\n", 1);
		l->text_end = l->out->len;
	} else if (l->word.len > 0 && l->word.len + n <= HTML_WORD_MAX) {
		/* Glued to the word; a pending space stays after it. */
		if (buf_append(&l->word, p, n) < 0)
			l->rc = -1;
	} else {
		word_add(l, p, n);
	}
}

/* ------------------------------------------------------------ blocks */

void html_layout_break(struct html_layout *l, int level)
{
	flush_word(l);
	l->space_pending = false;
	l->sep_pending = false;
	l->pre_nl = 0;
	l->pre_spaces = 0;
	close_line(l);
	if (level > l->brk)
		l->brk = level;
}

void html_layout_line_break(struct html_layout *l)
{
	if (l->pre) {
		l->pre_first = false;
		l->pre_nl++;
		l->pre_spaces = 0;
		return;
	}
	flush_word(l);
	l->space_pending = false;
	l->sep_pending = false;
	if (l->line_open)
		close_line(l);
	else if (l->any_output)
		l->brk = 2;
}

void html_layout_rule(struct html_layout *l)
{
	html_layout_break(l, 1);
	open_line(l);
	size_t n = l->width > 0 ? l->avail : HTML_RULE_NOWRAP;
	if (n < 3)
		n = 3; /* visible even when deep nesting leaves no room */
	emit_repeat(l, '-', n);
	l->line_cols += n;
	close_line(l);
	l->text_end = 0;
	l->brk = 1;
}

void html_layout_heading_start(struct html_layout *l, int level)
{
	html_layout_heading_end(l);
	html_layout_break(l, 2);
	l->heading = level;
	l->heading_cols = 0;
}

void html_layout_heading_end(struct html_layout *l)
{
	int level = l->heading;
	if (level == 0)
		return;
	html_layout_break(l, 0);
	l->heading = 0;
	if (level <= 2 && l->heading_cols > 0) {
		l->brk = 0;
		open_line(l);
		size_t n = l->heading_cols;
		if (l->width > 0 && n > l->avail && l->avail > 0)
			n = l->avail;
		emit_repeat(l, level == 1 ? '=' : '-', n);
		l->line_cols = n;
		close_line(l);
		l->text_end = 0;
	}
	html_layout_break(l, 2);
}

void html_layout_pre_start(struct html_layout *l)
{
	html_layout_break(l, 2);
	if (l->pre < HTML_DEPTH_MAX)
		l->pre++;
	l->pre_first = true;
}

void html_layout_pre_end(struct html_layout *l)
{
	if (l->pre == 0)
		return;
	html_layout_break(l, 2);
	l->pre--;
	l->pre_first = false;
}

/* ------------------------------------------------------------ frames */

static struct html_frame *top(struct html_layout *l)
{
	return l->depth > 0 ? &l->frames[l->depth - 1] : NULL;
}

/* Pushes a frame, or returns NULL at the maximum depth, where quotes and
 * lists are counted in overflow so that their ends match. */
static struct html_frame *push(struct html_layout *l, enum html_frame_kind k)
{
	if (l->overflow > 0 || l->depth == HTML_DEPTH_MAX) {
		if (k == HTML_FR_QUOTE || k == HTML_FR_LIST)
			l->overflow++;
		return NULL;
	}
	struct html_frame *f = &l->frames[l->depth++];
	memset(f, 0, sizeof(*f));
	f->kind = (unsigned char)k;
	return f;
}

/* Index + 1 of the innermost frame of kind k, not looking past frames of
 * the kinds in stop (a bit mask); 0 if there is none. */
static size_t find(const struct html_layout *l, enum html_frame_kind k,
		   unsigned stop)
{
	for (size_t i = l->depth; i > 0; i--) {
		unsigned kind = l->frames[i - 1].kind;
		if (kind == k)
			return i;
		if (stop & (1u << kind))
			return 0;
	}
	return 0;
}

/* Closes the innermost frame of kind k and everything inside it. */
static void pop_to(struct html_layout *l, enum html_frame_kind k, unsigned stop)
{
	if (l->overflow > 0) {
		if (k == HTML_FR_QUOTE || k == HTML_FR_LIST)
			l->overflow--;
		return;
	}
	size_t i = find(l, k, stop);
	if (i > 0)
		l->depth = i - 1;
}

#define STOP_QUOTE (1u << HTML_FR_QUOTE)
#define STOP_LIST (1u << HTML_FR_LIST)

void html_layout_quote_start(struct html_layout *l)
{
	html_layout_break(l, 2);
	(void)push(l, HTML_FR_QUOTE);
}

void html_layout_quote_end(struct html_layout *l)
{
	html_layout_break(l, 2);
	pop_to(l, HTML_FR_QUOTE, 0);
}

/* Lists inside a list item are not set off by blank lines. */
static int list_gap(struct html_layout *l)
{
	struct html_frame *t = top(l);
	if (l->overflow > 0)
		return 1;
	return t != NULL && (t->kind == HTML_FR_ITEM ||
			     t->kind == HTML_FR_LIST) ? 1 : 2;
}

void html_layout_list_start(struct html_layout *l, bool ordered, long start)
{
	html_layout_break(l, list_gap(l));
	struct html_frame *t = top(l);
	bool in_list = t != NULL && t->kind == HTML_FR_LIST;
	struct html_frame *f = push(l, HTML_FR_LIST);
	if (f == NULL)
		return;
	f->ordered = ordered;
	f->indent = in_list;
	f->counter = start;
}

void html_layout_list_end(struct html_layout *l)
{
	html_layout_break(l, 1);
	pop_to(l, HTML_FR_LIST, STOP_QUOTE);
	html_layout_break(l, list_gap(l));
}

static void format_number(char *dst, long v)
{
	char tmp[16];
	size_t n = 0, k = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0 && n < sizeof(tmp));
	if (v < 0)
		dst[k++] = '-';
	while (n > 0)
		dst[k++] = tmp[--n];
	dst[k++] = '.';
	dst[k++] = ' ';
	dst[k] = '\0';
}

static void item_marker(struct html_layout *l, struct html_frame *item,
			size_t list_index)
{
	struct html_frame *list = &l->frames[list_index];
	if (list->ordered) {
		format_number(item->marker, list->counter);
		if (list->counter < HTML_COUNTER_MAX)
			list->counter++;
	} else {
		size_t level = 0;
		for (size_t i = 0; i <= list_index; i++)
			level += l->frames[i].kind == HTML_FR_LIST;
		memcpy(item->marker, level % 2 ? "* " : "- ", 3);
	}
	item->marker_len = (unsigned char)strlen(item->marker);
}

void html_layout_item_start(struct html_layout *l, bool has_value, long value)
{
	html_layout_break(l, 1);
	if (l->overflow > 0)
		return;
	size_t i = find(l, HTML_FR_LIST, STOP_QUOTE);
	if (i == 0) {
		/* An item outside any list: as if in a ul. */
		struct html_frame *list = push(l, HTML_FR_LIST);
		if (list == NULL)
			return;
		list->implicit = true;
		i = l->depth;
	}
	l->depth = i; /* ends the previous item and all it held */
	if (has_value && l->frames[i - 1].ordered)
		l->frames[i - 1].counter = value;
	struct html_frame *item = push(l, HTML_FR_ITEM);
	if (item != NULL)
		item_marker(l, item, i - 1);
}

void html_layout_item_end(struct html_layout *l)
{
	html_layout_break(l, 1);
	pop_to(l, HTML_FR_ITEM, STOP_QUOTE | STOP_LIST);
}

void html_layout_dd_start(struct html_layout *l)
{
	html_layout_dd_end(l);
	(void)push(l, HTML_FR_DD);
}

void html_layout_dd_end(struct html_layout *l)
{
	html_layout_break(l, 1);
	pop_to(l, HTML_FR_DD, STOP_QUOTE | STOP_LIST);
}

void html_layout_block_end(struct html_layout *l, int level)
{
	html_layout_break(l, level);
	size_t i = find(l, HTML_FR_LIST, STOP_QUOTE);
	if (i > 0 && l->overflow == 0 && l->frames[i - 1].implicit)
		l->depth = i - 1;
}

/* ------------------------------------------------------------ tables */

void html_layout_table_start(struct html_layout *l)
{
	html_layout_break(l, 1);
	if (l->ntables == HTML_DEPTH_MAX) {
		l->tables_overflow++;
		return;
	}
	l->tables[l->ntables++] = (struct html_table_mark){ l->depth, l->overflow };
}

/* Whether frames were opened inside the current cell. */
static bool cell_has_frames(const struct html_layout *l)
{
	if (l->ntables == 0 || l->tables_overflow > 0)
		return false;
	const struct html_table_mark *m = &l->tables[l->ntables - 1];
	return l->depth > m->depth || l->overflow > m->overflow;
}

/* Ends the frames opened inside the current cell, after its last line. */
static void cell_frames_end(struct html_layout *l)
{
	if (!cell_has_frames(l))
		return;
	html_layout_break(l, 1);
	const struct html_table_mark *m = &l->tables[l->ntables - 1];
	if (l->depth > m->depth)
		l->depth = m->depth;
	if (l->overflow > m->overflow)
		l->overflow = m->overflow;
}

void html_layout_table_end(struct html_layout *l)
{
	html_layout_break(l, 1);
	if (l->tables_overflow > 0) {
		l->tables_overflow--;
		return;
	}
	cell_frames_end(l);
	if (l->ntables > 0)
		l->ntables--;
}

void html_layout_row(struct html_layout *l)
{
	html_layout_break(l, 1);
	cell_frames_end(l);
}

/* A cell goes on the row's line after " | ", unless the one before held
 * blocks (a list, a quote) that end with it: then on a new line. */
void html_layout_cell(struct html_layout *l)
{
	if (l->pre)
		return;
	if (cell_has_frames(l)) {
		cell_frames_end(l);
		return;
	}
	flush_word(l);
	l->space_pending = false;
	if (l->line_open)
		l->sep_pending = true;
}

void html_layout_cell_end(struct html_layout *l)
{
	cell_frames_end(l);
}

void html_layout_finish(struct html_layout *l)
{
	flush_word(l);
	close_line(l);
}
