#include "config.h"

#include "mbox_search.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fts.h"
#include "i18n.h"
#include "mem.h"
#include "query.h"

/* A set of messages: one byte each (n is small enough: one per message). */
typedef unsigned char *set_t;

struct eval {
	struct fts *fts;
	const struct mbox_index *ix;
	const unsigned *flags; /* current flags, or NULL: the summaries' */
	struct err *e;
};

/* FTS5 text for one term: the column filter and the words as a phrase
 * ("..." with quotes doubled), so no query syntax reaches FTS5. */
static int fts_expr(const char *column, const char *text, struct buf *out)
{
	int rc = 0;
	if (column != NULL)
		rc = buf_printf(out, "%s : ", column);
	rc = rc ? rc : buf_append_char(out, '"');
	for (const char *p = text; rc == 0 && *p; p++)
		rc = *p == '"' ? buf_append_str(out, "\"\"") : buf_append_char(out, *p);
	return rc ? rc : buf_append_char(out, '"');
}

static const char *column_of(enum query_kind k)
{
	switch (k) {
	case QUERY_FROM: return "sender";
	case QUERY_TO: return "recipients";
	case QUERY_CC: return "cc";
	case QUERY_SUBJECT: return "subject";
	case QUERY_BODY: return "body";
	default: return NULL;
	}
}

static int eval_text(struct eval *ev, const struct query_node *q, set_t out)
{
	struct buf expr;
	buf_init(&expr, 70000);
	if (fts_expr(column_of(q->kind), q->text, &expr) < 0) {
		buf_release(&expr);
		return err_set(ev->e, ERR_MESSAGE, ERR_LIMIT, _("search term too long"));
	}
	size_t *seqs, n;
	int rc = fts_match(ev->fts, ev->ix, expr.data, &seqs, &n, ev->e);
	buf_release(&expr);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (seqs[i] < ev->ix->n)
			out[seqs[i]] = 1;
	free(seqs);
	return 0;
}

static bool flag_matches(unsigned flags, unsigned which)
{
	switch (which) {
	case QUERY_FLAG_UNREAD: return !(flags & SUMMARY_READ);
	case QUERY_FLAG_READ: return flags & SUMMARY_READ;
	case QUERY_FLAG_FLAGGED: return flags & SUMMARY_FLAGGED;
	case QUERY_FLAG_ANSWERED: return flags & SUMMARY_ANSWERED;
	case QUERY_FLAG_DELETED: return flags & SUMMARY_DELETED;
	}
	return false;
}

/* Terms decided on one summary (and the message's current flags). */
static bool summary_matches(const struct query_node *q, const struct summary *s,
			    unsigned flags)
{
	bool dated = s->date != SUMMARY_DATE_UNKNOWN;
	switch (q->kind) {
	case QUERY_FLAG: return flag_matches(flags, q->flag);
	case QUERY_HAS_ATTACHMENT: return s->has_attachment;
	case QUERY_DATE_BEFORE: return dated && s->date < q->value;
	case QUERY_DATE_AFTER: return dated && s->date >= q->value;
	case QUERY_DATE_ON: return dated && s->date >= q->value && s->date < q->value + 86400;
	case QUERY_LARGER: return (int64_t)s->size > q->value;
	case QUERY_SMALLER: return (int64_t)s->size < q->value;
	default: return false;
	}
}

static int eval(struct eval *ev, const struct query_node *q, set_t out)
{
	size_t n = ev->ix->n;
	if (q->kind == QUERY_AND || q->kind == QUERY_OR) {
		set_t b = xcalloc(n + 1, 1);
		int rc = eval(ev, q->a, out);
		rc = rc ? rc : eval(ev, q->b, b);
		for (size_t i = 0; rc == 0 && i < n; i++)
			out[i] = q->kind == QUERY_AND ? (out[i] & b[i]) : (out[i] | b[i]);
		free(b);
		return rc;
	}
	if (q->kind == QUERY_NOT) {
		int rc = eval(ev, q->a, out);
		for (size_t i = 0; rc == 0 && i < n; i++)
			out[i] = !out[i];
		return rc;
	}
	if (q->kind == QUERY_TEXT || column_of(q->kind) != NULL)
		return eval_text(ev, q, out);
	for (size_t i = 0; i < n; i++)
		out[i] = summary_matches(q, &ev->ix->msgs[i].sum,
					 ev->flags ? ev->flags[i] : ev->ix->msgs[i].sum.flags);
	return 0;
}

int mbox_search_index(const char *path, const char *cache_path,
		      const struct mbox_index *ix, const unsigned *flags,
		      const struct query_node *q, size_t **seqs_r, size_t *n_r,
		      struct err *e)
{
	*seqs_r = NULL;
	*n_r = 0;
	/* One connection to the index for the update and every term. */
	struct fts *fts = fts_open(path, cache_path, e);
	int rc = fts ? fts_update(fts, ix, NULL, e) : -1;
	set_t hits = xcalloc(ix->n + 1, 1);
	struct eval ev = { .fts = fts, .ix = ix, .flags = flags, .e = e };
	if (rc == 0)
		rc = eval(&ev, q, hits);
	size_t cap = 0;
	for (size_t i = 0; rc == 0 && i < ix->n; i++) {
		if (hits[i]) {
			*seqs_r = xgrow(*seqs_r, &cap, *n_r + 1, sizeof(**seqs_r));
			(*seqs_r)[(*n_r)++] = i;
		}
	}
	free(hits);
	fts_close(&fts);
	if (rc < 0) {
		free(*seqs_r);
		*seqs_r = NULL;
		*n_r = 0;
	}
	return rc;
}

int mbox_search(const char *path, const char *cache_path, const char *query,
		struct mbox_index *ix, size_t **seqs_r, size_t *n_r, struct err *e)
{
	struct query_node *q = NULL;
	*seqs_r = NULL;
	*n_r = 0;
	if (query_parse(query, strlen(query), &q, e) < 0)
		return -1;
	if (mbox_index_open(ix, path, cache_path, e) < 0) {
		query_free(&q);
		return -1;
	}
	int rc = mbox_search_index(path, cache_path, ix, NULL, q, seqs_r, n_r, e);
	query_free(&q);
	if (rc < 0)
		mbox_index_close(ix);
	return rc;
}
