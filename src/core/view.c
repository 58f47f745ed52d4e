#include "config.h"

#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"
#include "thread.h"

/* What one message (or one thread, by a message of it) is sorted by.
 * text is set for FROM and SUBJECT, num otherwise; pos, the folder
 * position, breaks ties and tells which entry stands for what. */
struct key {
	int64_t num;
	const char *text;
	size_t pos;
	size_t item; /* what is being sorted: a message or a thread number */
};

static int key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	if (a->text != NULL) {
		int c = strcmp(a->text, b->text);
		if (c != 0)
			return c;
	} else if (a->num != b->num) {
		return a->num < b->num ? -1 : 1;
	}
	return a->pos < b->pos ? -1 : a->pos > b->pos ? 1 : 0;
}

/* The folded texts of the keys, NUL after each; keys point into it only
 * once it is complete (it moves while it grows). */
struct key_text {
	char *data;
	size_t len, cap;
	size_t *off;   /* per key */
	struct buf subject;
};

static void text_add(struct key_text *t, const char *s, size_t len)
{
	t->data = xgrow(t->data, &t->cap, t->len + len + 1, 1);
	memcpy(t->data + t->len, s, len);
	t->len += len;
	t->data[t->len++] = '\0';
}

/* The sender's display form, its first VIEW_KEY_MAX bytes, ASCII folded
 * to lower case. */
static void text_add_from(struct key_text *t, const char *from)
{
	char folded[VIEW_KEY_MAX];
	size_t len = 0;
	for (; from[len] != '\0' && len < VIEW_KEY_MAX; len++) {
		char c = from[len];
		folded[len] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	text_add(t, folded, len);
}

static void text_add_subject(struct key_text *t, const char *subject)
{
	buf_reset(&t->subject);
	/* The base subject is at most THREAD_SUBJECT_MAX bytes, which the
	 * buffer holds: a failure could only leave a shorter key. */
	buf_cut_ok(thread_base_subject(subject, &t->subject, NULL));
	text_add(t, t->subject.data, t->subject.len);
}

/* Fills the key of message pos of msgs into k. */
static void key_fill(struct key *k, struct key_text *t, size_t i,
		     const struct be_msg *msgs, size_t pos, enum view_sort sort)
{
	const struct summary *s = msgs[pos].sum;
	k->pos = pos;
	k->text = NULL;
	k->num = sort == VIEW_SORT_SIZE ? (int64_t)s->size :
		 sort == VIEW_SORT_ARRIVAL ? (int64_t)pos : s->date;
	if (sort == VIEW_SORT_FROM || sort == VIEW_SORT_SUBJECT) {
		t->off[i] = t->len;
		if (sort == VIEW_SORT_FROM)
			text_add_from(t, s->from ? s->from : "");
		else
			text_add_subject(t, s->subject ? s->subject : "");
	}
}

static void key_text_init(struct key_text *t, size_t n)
{
	t->data = NULL;
	t->len = t->cap = 0;
	t->off = xcalloc(n, sizeof(*t->off));
	buf_init(&t->subject, (size_t)THREAD_SUBJECT_MAX * 2);
}

/* Sorts keys[0..n), all filled with key_fill() on t, then frees t. */
static void keys_sort(struct key *keys, size_t n, struct key_text *t, enum view_sort sort)
{
	if (sort == VIEW_SORT_FROM || sort == VIEW_SORT_SUBJECT) {
		for (size_t i = 0; i < n; i++)
			keys[i].text = t->data + t->off[i];
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), key_cmp);
	free(t->data);
	free(t->off);
	buf_release(&t->subject);
}

/* ------------------------------------------------------------ plain */

static void add_row(struct view *v, size_t msg, unsigned depth, uint32_t lines,
		    enum view_arrow arrow)
{
	v->row_of[msg] = v->n;
	v->rows[v->n++] = (struct view_row){ msg, depth, lines, (unsigned char)arrow };
}

/* Without threads: one sort of the shown messages sel[0..m) (which are
 * in folder order already). */
static void build_plain(struct view *v, const struct be_msg *msgs, const size_t *sel,
			size_t m, const struct view_options *opt)
{
	struct key *keys = xcalloc(m, sizeof(*keys));
	struct key_text t;
	key_text_init(&t, m);
	for (size_t i = 0; i < m; i++)
		key_fill(&keys[i], &t, i, msgs, sel[i], opt->sort);
	keys_sort(keys, opt->sort == VIEW_SORT_ARRIVAL ? 0 : m, &t, opt->sort);
	for (size_t i = 0; i < m; i++)
		add_row(v, keys[opt->reverse ? m - 1 - i : i].pos, 0, 0, VIEW_ARROW_NONE);
	free(keys);
}

/* ---------------------------------------------------------- threaded */

/* One thread: rows trows[start..end) of thread_build(); top is the
 * message standing for it (the top row's, or the first child's when the
 * top is a placeholder), first the earliest folder position in it. */
struct thread_span {
	size_t start, end;
	size_t top, first;
};

static struct thread_span *spans_of(const struct thread_row *trows, size_t nrows,
				    const size_t *sel, size_t *n_r)
{
	struct thread_span *sp = xcalloc(nrows, sizeof(*sp));
	size_t n = 0;
	for (size_t r = 0; r < nrows; r++) {
		if (trows[r].depth == 0) {
			/* A placeholder is only ever a top, with two or more
			 * children, all messages (thread.h). */
			sp[n].start = r;
			sp[n].first = SIZE_MAX;
			sp[n++].top = sel[trows[r].msg >= 0 ? trows[r].msg : trows[r + 1].msg];
		}
		sp[n - 1].end = r + 1;
		if (trows[r].msg >= 0 && sel[trows[r].msg] < sp[n - 1].first)
			sp[n - 1].first = sel[trows[r].msg];
	}
	*n_r = n;
	return sp;
}

/* The order of the threads: thread_build() already gives date order. */
static void order_spans(struct thread_span *sp, size_t n, const struct be_msg *msgs,
			enum view_sort sort)
{
	if (sort == VIEW_SORT_DATE || sort == VIEW_SORT_THREAD)
		return;
	struct key *keys = xcalloc(n, sizeof(*keys));
	struct thread_span *copy = xcalloc(n, sizeof(*copy));
	struct key_text t;
	key_text_init(&t, n);
	for (size_t i = 0; i < n; i++) {
		key_fill(&keys[i], &t, i, msgs,
			 sort == VIEW_SORT_ARRIVAL ? sp[i].first : sp[i].top, sort);
		keys[i].item = i;
	}
	keys_sort(keys, n, &t, sort);
	memcpy(copy, sp, n * sizeof(*sp));
	for (size_t i = 0; i < n; i++)
		sp[i] = copy[keys[i].item];
	free(copy);
	free(keys);
}

/* The rows of one thread, with the bits of its tree (see view.h):
 * cont has bit k-1 set while the latest row of level k has later
 * siblings, which is what the rows below it draw as a vertical line. */
static void emit_span(struct view *v, const struct thread_row *trows,
		      const struct thread_span *sp, const size_t *sel)
{
	uint32_t cont = 0;
	bool hidden_top = trows[sp->start].msg < 0;
	for (size_t r = sp->start; r < sp->end; r++) {
		const struct thread_row *tr = &trows[r];
		unsigned d = tr->depth;
		if (tr->msg < 0)
			continue;
		if (d == 0) {
			add_row(v, sel[tr->msg], 0, 0, VIEW_ARROW_NONE);
			continue;
		}
		unsigned drawn = d - 1 < VIEW_TREE_LEVELS - 1 ? d - 1 : VIEW_TREE_LEVELS - 1;
		enum view_arrow arrow = tr->last_sibling ? VIEW_ARROW_CORNER : VIEW_ARROW_TEE;
		if (hidden_top && r == sp->start + 1)
			arrow = VIEW_ARROW_FIRST;
		add_row(v, sel[tr->msg], d, cont & ((UINT32_C(1) << drawn) - 1), arrow);
		if (d < VIEW_TREE_LEVELS) {
			if (tr->last_sibling)
				cont &= ~(UINT32_C(1) << (d - 1));
			else
				cont |= UINT32_C(1) << (d - 1);
		}
	}
}

static int build_threads(struct view *v, const struct be_msg *msgs, const size_t *sel,
			 size_t m, const struct view_options *opt, struct err *e)
{
	struct thread_input *in = xcalloc(m, sizeof(*in));
	struct thread_options topt = { .group_by_subject = true,
				       .root_order = THREAD_ROOTS_BY_FIRST };
	struct thread_row *trows;
	size_t nrows, nspans;

	topt.hash_key[0] = opt->hash_key[0];
	topt.hash_key[1] = opt->hash_key[1];
	for (size_t i = 0; i < m; i++) {
		const struct summary *s = msgs[sel[i]].sum;
		in[i] = (struct thread_input){ s->message_id, s->references, s->in_reply_to,
			s->subject, s->date == SUMMARY_DATE_UNKNOWN ? THREAD_DATE_UNKNOWN : s->date };
	}
	int rc = thread_build(in, m, &topt, &trows, &nrows, e);
	free(in);
	if (rc < 0)
		return -1;
	struct thread_span *sp = spans_of(trows, nrows, sel, &nspans);
	order_spans(sp, nspans, msgs, opt->sort);
	for (size_t i = 0; i < nspans; i++)
		emit_span(v, trows, &sp[opt->reverse ? nspans - 1 - i : i], sel);
	free(sp);
	free(trows);
	return 0;
}

/* -------------------------------------------------------------- main */

void view_init(struct view *v)
{
	v->rows = NULL;
	v->n = 0;
	v->row_of = NULL;
	v->n_msgs = 0;
	v->threaded = false;
}

void view_release(struct view *v)
{
	free(v->rows);
	free(v->row_of);
	view_init(v);
}

static int check_limit(const struct view_options *opt, size_t n, struct err *e)
{
	for (size_t i = 0; i < opt->n_limit; i++) {
		if (opt->limit[i] >= n || (i > 0 && opt->limit[i] <= opt->limit[i - 1]))
			return err_set(e, ERR_FOLDER, ERR_USAGE,
				       _("the search result does not match the folder"));
	}
	return 0;
}

int view_build(struct view *v, const struct be_msg *msgs, size_t n,
	       const struct view_options *opt, struct err *e)
{
	view_release(v);
	if (n > THREAD_MESSAGES_MAX)
		return err_set(e, ERR_FOLDER, ERR_LIMIT,
			       _("too many messages to show (%zu)"), n);
	if (opt->limit != NULL && check_limit(opt, n, e) < 0)
		return -1;

	size_t m = opt->limit != NULL ? opt->n_limit : n;
	size_t *all = NULL;
	const size_t *sel = opt->limit;
	if (sel == NULL) {
		all = xcalloc(n, sizeof(*all));
		for (size_t i = 0; i < n; i++)
			all[i] = i;
		sel = all;
	}
	v->rows = xcalloc(m, sizeof(*v->rows));
	v->row_of = xcalloc(n, sizeof(*v->row_of));
	memset(v->row_of, 0xff, n * sizeof(*v->row_of)); /* VIEW_NONE */
	v->n_msgs = n;
	v->threaded = opt->threaded || opt->sort == VIEW_SORT_THREAD;
	int rc = 0;
	if (v->threaded)
		rc = build_threads(v, msgs, sel, m, opt, e);
	else
		build_plain(v, msgs, sel, m, opt);
	free(all);
	if (rc < 0)
		view_release(v);
	return rc;
}

size_t view_find(const struct view *v, size_t msg)
{
	return msg < v->n_msgs ? v->row_of[msg] : VIEW_NONE;
}

/* ------------------------------------------------------------- trees */

struct tree_glyphs {
	const char *vline, *tee, *corner, *first, *hline;
};

static const struct tree_glyphs glyphs[] = {
	[VIEW_TREE_ASCII] = { "|", "|", "`", "-", "-" },
	/* U+2502 U+251C U+2514 U+252C U+2500 */
	[VIEW_TREE_UTF8] = { "\xe2\x94\x82", "\xe2\x94\x9c", "\xe2\x94\x94",
			     "\xe2\x94\xac", "\xe2\x94\x80" },
};

/* Appends s to out[0..*len) if it fits with its NUL (it always does
 * within VIEW_TREE_MAX: see the sizes in view.h). */
static void put(char *out, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n < VIEW_TREE_MAX) {
		memcpy(out + *len, s, n + 1);
		*len += n;
	}
}

const char *view_tree(const struct view *v, size_t row, enum view_tree_chars chars,
		      char out[VIEW_TREE_MAX])
{
	const struct view_row *r = &v->rows[row];
	const struct tree_glyphs *g =
		&glyphs[chars == VIEW_TREE_UTF8 ? VIEW_TREE_UTF8 : VIEW_TREE_ASCII];
	size_t len = 0;
	out[0] = '\0';
	if (r->arrow == VIEW_ARROW_NONE || r->depth == 0)
		return out;
	unsigned drawn = r->depth - 1 < VIEW_TREE_LEVELS - 1 ? r->depth - 1
							    : VIEW_TREE_LEVELS - 1;
	for (unsigned k = 0; k < drawn; k++) {
		put(out, &len, (r->lines >> k) & 1 ? g->vline : " ");
		put(out, &len, " ");
	}
	put(out, &len, r->arrow == VIEW_ARROW_TEE ? g->tee :
		       r->arrow == VIEW_ARROW_CORNER ? g->corner : g->first);
	put(out, &len, g->hline);
	if (r->depth > VIEW_TREE_LEVELS) {
		char num[24];
		snprintf(num, sizeof(num), "[%u]", r->depth);
		put(out, &len, num);
	}
	put(out, &len, ">");
	return out;
}
