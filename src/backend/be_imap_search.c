/* be_imap_search: tern's query language (core/query.h) run on the server
 * as UID SEARCH CHARSET UTF-8 (RFC 9051 s6.4.4; without CHARSET on an
 * IMAP4rev2 or UTF8=ACCEPT session, where it is implied).
 *
 * Terms map to search keys one for one: words TEXT, from: FROM, to: TO,
 * cc: CC, subject: SUBJECT, body: BODY, is: SEEN/UNSEEN/FLAGGED/
 * ANSWERED/DELETED, before: BEFORE, after: SINCE (the day after),
 * on: ON, larger: LARGER, smaller: SMALLER; AND is a parenthesised list,
 * OR and NOT are IMAP's.  has:attachment has no search key: it becomes
 * HEADER Content-Type "multipart/mixed", which finds what mail clients
 * send with attachments (not a lone non-text part).
 *
 * The matches of a query can also be opened as a folder of their own,
 * read-only (be_imap_open_matches, tern search), and so can one UID
 * (be_imap_open_uid, tern show). */
#include "config.h"

#include "be_imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "mem.h"

static void date_key(struct imap_cmd *c, const char *key, int64_t t)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char text[64];
	snprintf(text, sizeof(text), "%s %d-%s-%04d", key, tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900);
	imap_cmd_raw(c, text);
}

static void text_key(struct imap_cmd *c, const char *key, const char *text)
{
	imap_cmd_raw(c, key);
	imap_cmd_qstring(c, text, strlen(text), false);
}

static void flag_key(struct imap_cmd *c, unsigned flag)
{
	static const char *const keys[] = {
		[QUERY_FLAG_UNREAD] = "UNSEEN", [QUERY_FLAG_READ] = "SEEN",
		[QUERY_FLAG_FLAGGED] = "FLAGGED", [QUERY_FLAG_ANSWERED] = "ANSWERED",
		[QUERY_FLAG_DELETED] = "DELETED",
	};
	imap_cmd_raw(c, flag < sizeof(keys) / sizeof(keys[0]) ? keys[flag] : "ALL");
}

/* Appends n as one search key (a list for AND). */
static void key(struct imap_cmd *c, const struct query_node *n)
{
	char num[32];
	switch (n->kind) {
	case QUERY_AND:
		imap_cmd_list_begin(c);
		key(c, n->a);
		key(c, n->b);
		imap_cmd_list_end(c);
		return;
	case QUERY_OR:
		imap_cmd_raw(c, "OR");
		key(c, n->a);
		key(c, n->b);
		return;
	case QUERY_NOT:
		imap_cmd_raw(c, "NOT");
		key(c, n->a);
		return;
	case QUERY_TEXT: text_key(c, "TEXT", n->text); return;
	case QUERY_FROM: text_key(c, "FROM", n->text); return;
	case QUERY_TO: text_key(c, "TO", n->text); return;
	case QUERY_CC: text_key(c, "CC", n->text); return;
	case QUERY_SUBJECT: text_key(c, "SUBJECT", n->text); return;
	case QUERY_BODY: text_key(c, "BODY", n->text); return;
	case QUERY_FLAG: flag_key(c, n->flag); return;
	case QUERY_HAS_ATTACHMENT:
		imap_cmd_raw(c, "HEADER Content-Type");
		imap_cmd_qstring(c, "multipart/mixed", 15, false);
		return;
	case QUERY_DATE_BEFORE: date_key(c, "BEFORE", n->value); return;
	case QUERY_DATE_AFTER: date_key(c, "SINCE", n->value); return;
	case QUERY_DATE_ON: date_key(c, "ON", n->value); return;
	case QUERY_LARGER:
	case QUERY_SMALLER:
		snprintf(num, sizeof(num), "%s %lld", n->kind == QUERY_LARGER ? "LARGER" : "SMALLER",
			 (long long)(n->value < 0 ? 0 : n->value));
		imap_cmd_raw(c, num);
		return;
	}
}

void be_imap_search_command(struct imap_cmd *c, const struct imap *p, const struct query_node *q)
{
	imap_cmd_init(c, p, "UID SEARCH");
	if (!imap_utf8(p))
		imap_cmd_raw(c, "CHARSET UTF-8");
	key(c, q);
}

struct search_ctx {
	struct imap_folder *x;
	struct imap_seqset uids;
};

static int on_search(void *ctx, const struct imap_response *r, struct err *e)
{
	struct search_ctx *s = ctx;
	enum imap_data d = imap_resp_classify(r);
	if (d == IMAP_DATA_SEARCH) {
		struct imap_seqset got;
		uint64_t modseq;
		int rc = imap_resp_search(r, &got, &modseq, e);
		for (size_t i = 0; rc == 0 && i < got.n; i++)
			imap_seqset_add(&s->uids, got.r[i].lo, got.r[i].hi);
		imap_seqset_release(&got);
		return rc;
	}
	return be_imap_untagged(s->x, r, e);
}

int be_imap_search_uids(struct imap_folder *x, const struct query_node *q,
			struct imap_seqset *uids, struct err *e)
{
	struct search_ctx s = { .x = x };
	imap_seqset_init(&s.uids);
	struct imap_cmd c;
	be_imap_search_command(&c, x->link->p, q);
	int rc = imap_run(x->link->p, &c, on_search, &s, e);
	imap_cmd_release(&c);
	*uids = s.uids;
	return rc;
}

int be_imap_search_all(struct imap_folder *x, struct imap_seqset *uids, struct err *e)
{
	struct search_ctx s = { .x = x };
	imap_seqset_init(&s.uids);
	int rc = imap_simple(x->link->p, "UID SEARCH", "ALL", on_search, &s, e);
	*uids = s.uids;
	return rc;
}

int be_imap_search(struct be_folder *f, const struct query_node *q, size_t **idx_r,
		   size_t *n_r, struct err *e)
{
	struct imap_folder *x = f->priv;
	struct search_ctx s = { .x = x };
	/* The server searches all: the matches must all be here. */
	if (be_imap_load_rest(f, e) < 0)
		return -1;
	int rc = be_imap_search_uids(x, q, &s.uids, e);
	be_imap_settle(f); /* the indexes below are of the list as it is now */
	if (rc == 0) {
		size_t *idx = xcalloc(f->n ? f->n : 1, sizeof(*idx));
		size_t k = 0;
		for (size_t i = 0; i < f->n; i++)
			if (imap_seqset_contains(&s.uids, (uint32_t)f->msgs[i].uid))
				idx[k++] = i;
		*idx_r = idx;
		*n_r = k;
	}
	imap_seqset_release(&s.uids);
	return rc;
}

/* ------------------------------------------------------------ matches */

/* Opens folder name read-only (EXAMINE) with the messages whose UIDs
 * match q, or with the message uid alone when q is NULL. */
static int open_subset(struct be_account *a, const char *name, const struct query_node *q,
		       uint32_t uid, struct be_folder **f_r, struct err *e)
{
	struct imap_account *acc = a->priv;
	if (be_imap_lost(acc->link->p))
		return q != NULL ? err_set(e, ERR_ACCOUNT, ERR_IO,
					   _("offline (%s): searching needs the server"),
					   acc->offline_why)
				 : be_imap_open_uid_offline(a, name, uid, f_r, e);
	struct be_folder *f = be_imap_new_folder(a, name, e);
	if (f == NULL)
		return -1;
	struct imap_folder *x = f->priv;
	const char *wire = x->wire;
	if (q != NULL)
		x->cache = NULL; /* (tern show: a message read before needs no fetch) */
	x->subset = true;
	struct imap_seqset uids;
	imap_seqset_init(&uids);
	int rc = be_imap_select(x, wire, true, NULL, e);
	if (rc == 0 && q != NULL)
		rc = be_imap_search_uids(x, q, &uids, e);
	else if (rc == 0)
		imap_seqset_add(&uids, uid, uid);
	if (rc == 0 && uids.n > 0)
		rc = be_imap_fetch_uids(x, &uids, e);
	imap_seqset_release(&uids);
	if (rc < 0) {
		err_prefix(e, "%s", f->name);
		be_imap_close_folder(&f);
		return -1;
	}
	f->readonly = true;
	be_imap_publish(f);
	*f_r = f;
	return 0;
}

int be_imap_open_matches(struct be_account *a, const char *name, const struct query_node *q,
			 struct be_folder **f_r, struct err *e)
{
	return open_subset(a, name, q, 0, f_r, e);
}

int be_imap_open_uid(struct be_account *a, const char *name, uint32_t uid,
		     struct be_folder **f_r, struct err *e)
{
	if (uid == 0)
		return err_set(e, ERR_MESSAGE, ERR_USAGE, _("0 is not a UID"));
	return open_subset(a, name, NULL, uid, f_r, e);
}
