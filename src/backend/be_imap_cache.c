/* be_imap_cache: a folder opened from the account's cache (store/
 * imap_cache.h) and brought up to date with what changed on the server
 * since (issue 7: "instant reopen").
 *
 * Before SELECT the cached messages are loaded.  Then, by what the server
 * offers:
 *   QRESYNC (RFC 7162 s3.2.5): SELECT ... (QRESYNC (uidvalidity modseq))
 *     -- the server itself sends VANISHED (EARLIER) for what went and
 *     FETCH (FLAGS) for what changed since the cached HIGHESTMODSEQ;
 *   CONDSTORE (RFC 7162 s3.1.4): UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE
 *     modseq) for the flags;
 *   neither: UID FETCH 1:* (UID FLAGS), every message's flags.
 * Then the messages above the highest cached UID are fetched whole, and if
 * the count still differs from EXISTS (expunges neither QRESYNC nor a
 * VANISHED told), UID SEARCH ALL says which UIDs are left.  A changed
 * UIDVALIDITY voids the folder's cache: everything is fetched again.
 *
 * What changed is written back in one transaction (be_imap_cache_flush):
 * new messages, changed flags and keywords, removed UIDs, and the
 * folder's UIDNEXT and HIGHESTMODSEQ -- the latter only as response codes
 * announced it, so the next reopen asks again for anything we might have
 * missed. */
#include "config.h"

#include "be_imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "imap_seqset.h"
#include "mem.h"


static void drop_all(struct imap_folder *x)
{
	for (size_t i = 0; i < x->n; i++)
		summary_release(&x->msgs[i].sum);
	x->n = 0;
	x->n_gone = 0;
}

int be_imap_cache_load(struct imap_folder *x, struct imap_cache_folder *st)
{
	memset(st, 0, sizeof(*st));
	if (x->cache == NULL)
		return 0;
	struct err e;
	err_init(&e);
	if (imap_cache_folder(x->cache, x->wire, st, &e) < 0 || st->uidvalidity == 0) {
		memset(st, 0, sizeof(*st));
		return 0;
	}
	struct imap_cache_msg *cm = NULL;
	size_t n = 0;
	if (imap_cache_load(x->cache, x->wire, &cm, &n, &e) < 0) {
		/* A damaged copy is not used: fetched again, written anew. */
		x->cache_reset = true;
		memset(st, 0, sizeof(*st));
		return -1;
	}
	x->msgs = xgrow(x->msgs, &x->cap, n ? n : 1, sizeof(*x->msgs));
	for (size_t i = 0; i < n; i++) {
		struct imap_msg *m = &x->msgs[i];
		memset(m, 0, sizeof(*m));
		m->uid = cm[i].uid;
		m->flags = cm[i].flags;
		m->modseq = cm[i].modseq;
		m->sum = cm[i].sum;   /* taken over */
		m->keywords = be_imap_keywords_intern(x, cm[i].keywords);
		free((char *)cm[i].keywords);
	}
	free(cm);
	x->n = n;
	x->sorted = true;
	return 0;
}

void be_imap_cache_select_args(const struct imap_folder *x, const struct imap_cache_folder *st,
			       struct imap_cmd *c)
{
	(void)x;
	char args[96];
	if (st->highestmodseq > 0)
		snprintf(args, sizeof(args), "(QRESYNC (%u %llu))", st->uidvalidity,
			 (unsigned long long)st->highestmodseq);
	else
		snprintf(args, sizeof(args), "(CONDSTORE)");
	imap_cmd_raw(c, args);
}

static int uid_fetch(struct imap_folder *x, const char *args, struct err *e)
{
	struct imap_cmd c;
	imap_cmd_init(&c, x->link->p, "UID FETCH");
	imap_cmd_raw(&c, args);
	int rc = imap_run(x->link->p, &c, be_imap_untagged, x, e);
	imap_cmd_release(&c);
	return rc;
}

/* Without QRESYNC: the flags that changed (CONDSTORE), or all of them. */
static int flags_since(struct imap_folder *x, const struct imap_cache_folder *st, struct err *e)
{
	char args[96];
	if ((imap_enabled(x->link->p) & IMAP_CAP_CONDSTORE) && st->highestmodseq > 0)
		snprintf(args, sizeof(args), "1:* (UID FLAGS) (CHANGEDSINCE %llu)",
			 (unsigned long long)st->highestmodseq);
	else
		snprintf(args, sizeof(args), "1:* (UID FLAGS)");
	return uid_fetch(x, args, e);
}

/* Keeps the messages whose UIDs the server still has (UID SEARCH ALL). */
/* The server's UIDs against ours: those it no longer has are removed,
 * those we lack (removed here while offline, and not yet moved or
 * expunged there) are fetched again, so that the messages match the
 * server's one for one, as sequence numbers need. */
static int prune(struct imap_folder *x, struct err *e)
{
	struct imap_seqset left, missing;
	imap_seqset_init(&missing);
	int rc = be_imap_search_all(x, &left, e);
	if (rc == 0) {
		size_t k = 0;
		for (size_t i = 0; i < x->n; i++) {
			if (!imap_seqset_contains(&left, x->msgs[i].uid)) {
				be_imap_gone(x, x->msgs[i].uid);
				summary_release(&x->msgs[i].sum);
				x->removed = true;
				continue;
			}
			x->msgs[k++] = x->msgs[i];
		}
		x->n = k;
		/* (A server's count beyond EXISTS is not believed: no walk of
		 * billions of UIDs.) */
		bool sane = x->sorted && imap_seqset_count(&left) <= x->exists;
		for (size_t r = 0; sane && r < left.n; r++)
			for (uint64_t uid = left.r[r].lo; uid <= left.r[r].hi; uid++)
				if (!be_imap_has_uid(x, (uint32_t)uid))
					imap_seqset_add(&missing, uid, uid);
	}
	if (rc == 0 && missing.n > 0)
		rc = be_imap_fetch_uids(x, &missing, e);
	imap_seqset_release(&left);
	imap_seqset_release(&missing);
	return rc;
}

int be_imap_fetch_from_uid(struct be_folder *f, uint32_t lo, struct err *e)
{
	struct imap_folder *x = f->priv;
	char args[sizeof(BE_IMAP_SUMMARY_ITEMS_MODSEQ) + 32];
	snprintf(args, sizeof(args), "%u:* %s", lo, BE_IMAP_SUMMARY_ITEMS_FOR(x->link->p));
	/* "lo:*" names the last message even when it is below lo (RFC 9051
	 * s9 seq-range): the lookup by UID keeps it from being added twice. */
	be_imap_adding_begin(x);
	int rc = be_imap_adding_end(x, uid_fetch(x, args, e));
	be_imap_sort(x);
	return rc;
}

int be_imap_cache_resync(struct be_folder *f, const struct imap_cache_folder *st,
			 struct err *e)
{
	struct imap_folder *x = f->priv;
	if (st->uidvalidity != 0 && x->uidvalidity != st->uidvalidity) {
		drop_all(x);             /* RFC 9051 s2.3.1.1: the UIDs mean nothing now */
		x->cache_reset = true;
	}
	if (x->cache_reset || st->uidvalidity == 0) {
		x->cache_reset = x->cache != NULL;
		drop_all(x);
		return x->exists > 0 ? be_imap_fetch_all(f, e) : 0;
	}
	if (!(imap_enabled(x->link->p) & IMAP_CAP_QRESYNC) && x->n > 0 && flags_since(x, st, e) < 0)
		return -1;
	return be_imap_reconcile(f, e);
}

int be_imap_reconcile(struct be_folder *f, struct err *e)
{
	struct imap_folder *x = f->priv;
	uint32_t top = x->n > 0 ? x->msgs[x->n - 1].uid : 0;
	if (x->exists > x->n && be_imap_fetch_from_uid(f, top + 1, e) < 0)
		return -1;
	if (x->exists != x->n && prune(x, e) < 0)
		return -1;
	return 0;
}

void be_imap_cache_resync_failed(struct imap_folder *x, const struct imap_cache_folder *st)
{
	x->highestmodseq = x->uidvalidity == st->uidvalidity ? st->highestmodseq : 0;
}

void be_imap_cache_flush(struct imap_folder *x)
{
	/* (A folder still loading is written once whole: a cache that
	 * holds only the newest would be taken for the folder.) */
	if (x->cache == NULL || x->uidvalidity == 0 || !x->sorted || x->base > 0 || x->subset)
		return;
	struct err e;
	err_init(&e);
	size_t n_new = 0, n_flags = 0;
	for (size_t i = 0; i < x->n; i++) {
		n_new += x->msgs[i].cache_new;
		n_flags += x->msgs[i].cache_flags && !x->msgs[i].cache_new;
	}
	struct imap_cache_msg *nm = xcalloc(n_new ? n_new : 1, sizeof(*nm));
	uint32_t *fu = xcalloc(n_flags ? n_flags : 1, sizeof(*fu));
	unsigned *ff = xcalloc(n_flags ? n_flags : 1, sizeof(*ff));
	uint64_t *fm = xcalloc(n_flags ? n_flags : 1, sizeof(*fm));
	const char **fk = xcalloc(n_flags ? n_flags : 1, sizeof(*fk));
	size_t a = 0, b = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct imap_msg *m = &x->msgs[i];
		if (m->cache_new)
			nm[a++] = (struct imap_cache_msg){ .uid = m->uid, .flags = m->flags,
							   .modseq = m->modseq, .sum = m->sum,
							   .keywords = m->keywords };
		else if (m->cache_flags) {
			fu[b] = m->uid;
			ff[b] = m->flags;
			fk[b] = m->keywords;
			fm[b++] = m->modseq;
		}
	}
	uint32_t top = x->n > 0 ? x->msgs[x->n - 1].uid + 1 : 1;
	uint32_t uidnext = x->uidnext > top ? x->uidnext : top;
	/* Nothing new since the last write (a check that found nothing):
	 * no transaction at all. */
	int rc = n_new == 0 && n_flags == 0 && x->n_gone == 0 && !x->cache_reset &&
			 uidnext == x->cached_uidnext && x->highestmodseq == x->cached_modseq
		 ? 1 : imap_cache_begin(x->cache, &e);
	if (rc == 0 && x->cache_reset)
		rc = imap_cache_reset(x->cache, x->wire, x->uidvalidity, &e);
	if (rc == 0 && n_new > 0)
		rc = imap_cache_put(x->cache, x->wire, nm, n_new, &e);
	if (rc == 0 && n_flags > 0)
		rc = imap_cache_set_flags(x->cache, x->wire, fu, ff, fm, fk, n_flags, &e);
	if (rc == 0 && x->n_gone > 0)
		rc = imap_cache_remove(x->cache, x->wire, x->gone, x->n_gone, &e);
	if (rc == 0)
		rc = imap_cache_set_state(x->cache, x->wire, uidnext, x->highestmodseq, &e);
	if (rc == 0)
		rc = imap_cache_commit(x->cache, &e);
	if (rc < 0) {
		imap_cache_rollback(x->cache);
		log_warn(x->link->lg, "imap cache %s: %s", x->wire, e.msg);
	} else if (rc == 0) {
		for (size_t i = 0; i < x->n; i++)
			x->msgs[i].cache_new = x->msgs[i].cache_flags = false;
		x->n_gone = 0;
		x->cache_reset = false;
		x->cached_uidnext = uidnext;
		x->cached_modseq = x->highestmodseq;
	}
	free(nm);
	free(fu);
	free(ff);
	free(fm);
	free(fk);
}
