#include "config.h"

#include "flowed.h"

#include <string.h>

#include "sanitize.h"
#include "width.h"

/* One input line after §4.1's tests. */
struct fl_line {
	const char *text;
	size_t len;
	size_t depth;
	bool flowed;
	bool sigsep;
};

static void fl_read_line(const char *p, size_t len, bool delsp,
			 struct fl_line *l)
{
	size_t depth = 0;

	if (len > 0 && p[len - 1] == '\r')
		len--;
	while (depth < len && p[depth] == '>')
		depth++;
	p += depth;
	len -= depth;
	if (len > 0 && p[0] == ' ') {
		p++;
		len--;
	}
	l->depth = depth;
	l->sigsep = len == 3 && memcmp(p, "-- ", 3) == 0;
	l->flowed = !l->sigsep && len > 0 && p[len - 1] == ' ';
	if (l->flowed && delsp)
		len--;
	l->text = p;
	l->len = len;
}

static size_t fl_shown(size_t depth)
{
	return depth < FLOWED_DEPTH_SHOWN ? depth : FLOWED_DEPTH_SHOWN;
}

static int fl_prefix(struct buf *out, size_t depth, bool space)
{
	static const char marks[FLOWED_DEPTH_SHOWN + 1] =
		">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";

	if (buf_append(out, marks, fl_shown(depth)) < 0)
		return -1;
	if (space && depth > 0)
		return buf_append_char(out, ' ');
	return 0;
}

/* One output line; its trailing spaces are dropped. */
static int fl_emit(struct buf *out, size_t depth, const char *p, size_t n)
{
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (fl_prefix(out, depth, n > 0) < 0 || buf_append(out, p, n) < 0)
		return -1;
	return buf_append_char(out, '\n');
}

/* Columns left for text after the quote prefix (see flowed.h). */
static size_t fl_avail(size_t depth, size_t width)
{
	size_t prefix = depth > 0 ? fl_shown(depth) + 1 : 0;
	size_t floor = width < 2 * FLOWED_MIN_COLS ? width / 2 : FLOWED_MIN_COLS;
	size_t avail = width > prefix ? width - prefix : 0;

	if (avail < floor)
		avail = floor;
	return avail > 0 ? avail : 1;
}

/* The greedy wrap of one paragraph, measured in one pass: after a break
 * the scan resumes where it stopped, so each character is measured at
 * most twice however the paragraph breaks. */
struct fl_wrap {
	const char *text;
	size_t len;
	size_t start;    /* first byte of the current line */
	size_t cols;     /* columns of text[start..i) */
	size_t brk;      /* the last space run after text on this line ... */
	size_t brk_end;  /* ... the byte after it, */
	size_t brk_cols; /* and the columns before that byte; brk 0: none */
	bool seen_text;  /* a non-space on this line so far */
};

/* Ends the current line before text[*i], which does not fit on it, and
 * returns where the line's text ends.  Moves *i past the spaces of a
 * break at i. */
static size_t fl_wrap_break(struct fl_wrap *w, size_t *i)
{
	size_t cut = *i;

	if (w->text[*i] == ' ') {
		while (*i < w->len && w->text[*i] == ' ')
			(*i)++;
		w->start = *i;
		w->cols = 0;
	} else if (w->brk > w->start) {
		/* Between brk_end and i there are no spaces. */
		cut = w->brk;
		w->start = w->brk_end;
		w->cols -= w->brk_cols;
	} else {
		w->start = *i; /* hard break inside a word */
		w->cols = 0;
	}
	w->seen_text = w->start < *i;
	w->brk = 0;
	return cut;
}

/* Notes a break opportunity at text[i]: before a space that follows
 * text, and where such a run of spaces ends. */
static void fl_wrap_note(struct fl_wrap *w, size_t i)
{
	if (w->text[i] != ' ') {
		if (w->seen_text && w->text[i - 1] == ' ') {
			w->brk_end = i;
			w->brk_cols = w->cols;
		}
		w->seen_text = true;
	} else if (w->seen_text && w->text[i - 1] != ' ') {
		w->brk = i;
	}
}

int flowed_wrap(const char *text, size_t len, size_t depth, size_t width,
		struct buf *out)
{
	if (width == 0 || len == 0)
		return fl_emit(out, depth, text, len);

	struct fl_wrap w = { .text = text, .len = len };
	size_t avail = fl_avail(depth, width);
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode((const unsigned char *)text + i,
				       len - i, &cp);
		size_t cw = width_of(text + i, n);
		fl_wrap_note(&w, i);
		if (w.cols + cw > avail && i > w.start) {
			size_t from = w.start;
			size_t cut = fl_wrap_break(&w, &i);
			if (fl_emit(out, depth, text + from, cut - from) < 0)
				return -1;
			continue; /* text[i] is measured again, on the new line */
		}
		w.cols += cw;
		i += n;
	}
	if (w.start == len)
		return 0; /* the text ended in the spaces of a break */
	return fl_emit(out, depth, text + w.start, len - w.start);
}

struct fl_para {
	struct buf text;
	size_t depth;
	bool open; /* its last line was flowed: the next one may join */
};

static int fl_para_end(struct fl_para *para, size_t width, struct buf *out)
{
	para->open = false;
	int rc = flowed_wrap(para->text.data, para->text.len, para->depth,
			     width, out);
	buf_reset(&para->text);
	return rc;
}

static int fl_take_line(struct fl_para *para, const struct fl_line *l,
			size_t width, struct buf *out)
{
	if (para->open && (l->depth != para->depth || l->sigsep) &&
	    fl_para_end(para, width, out) < 0)
		return -1;
	if (l->sigsep) {
		if (fl_prefix(out, l->depth, true) < 0 ||
		    buf_append_str(out, "-- \n") < 0)
			return -1;
		return 0;
	}
	para->depth = l->depth;
	if (buf_append(&para->text, l->text, l->len) < 0)
		return -1;
	para->open = l->flowed;
	if (!l->flowed)
		return fl_para_end(para, width, out);
	return 0;
}

int flowed_to_text(const char *in, size_t len, bool delsp, size_t width,
		   struct buf *out)
{
	struct fl_para para = { .depth = 0, .open = false };
	size_t at = 0;
	int rc = 0;

	buf_init(&para.text, out->max);
	while (at < len && rc == 0) {
		const char *lf = memchr(in + at, '\n', len - at);
		size_t end = lf ? (size_t)(lf - in) : len;
		struct fl_line l;
		fl_read_line(in + at, end - at, delsp, &l);
		rc = fl_take_line(&para, &l, width, out);
		at = lf ? end + 1 : len;
	}
	if (rc == 0 && para.open)
		rc = fl_para_end(&para, width, out);
	buf_release(&para.text);
	return rc;
}
