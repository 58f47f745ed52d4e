/* be_imap_offline: an IMAP folder without its server (issue 7: "connection
 * lost ... tern reconnects by itself with backoff and resynchronises;
 * while offline, flag changes are journaled durably and replayed").
 *
 * check notices a lost connection and reconnects (be_imap_reconnect_folder),
 * at most once per backoff period; until it can, the folder is offline and
 * stays readable.  A flag change made meanwhile is applied here, written
 * to the account's journal (store/imap_journal.h, fdatasync'd) and only
 * then reported done.  Once the folder is selected again -- reconnected,
 * or opened by the next run of tern -- its journal entries are sent
 * (be_imap_replay): UID STORE +FLAGS/-FLAGS, with UNCHANGEDSINCE the
 * message's MODSEQ of the time of the change where CONDSTORE is on (RFC
 * 7162 s3.1.3).  A message another client changed meanwhile ([MODIFIED])
 * keeps the other client's flags, which are fetched; a message whose
 * UIDVALIDITY changed, or that is gone, has nothing to change. */
#include "config.h"

#include "be_imap_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "imap_journal.h"
#include "mem.h"

static void notice(struct be_folder *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void notice(struct be_folder *f, const char *fmt, ...)
{
	const struct ui_hooks *ui = f->account->ui;
	if (ui == NULL || ui->notice == NULL)
		return;
	char text[ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ui->notice(ui->ctx, text);
}

/* The connection is lost: reconnect (at most once per backoff period,
 * 2 s doubling to 60 s), select the folder again and bring it up to date
 * as a reopen would (be_imap_cache.c).  Offline, the folder stays as it
 * was, readable; check reports no changes and says so once per try. */
int be_imap_reconnect_folder(struct be_folder *f, unsigned *changes_r, struct err *e)
{
	struct imap_folder *x = f->priv;
	time_t now = time(NULL);
	if (now < x->retry_at)
		return 0;
	be_imap_cache_flush(x);
	size_t before = x->n;
	struct imap_cache_folder st = { .uidvalidity = x->uidvalidity,
					.highestmodseq = x->highestmodseq };
	struct err re;
	err_init(&re);
	x->idle_since = 0;
	int rc = be_imap_reconnect(x->link, &re);
	bool resynced = rc == 0;   /* the list may change from here on */
	if (rc == 0)
		rc = be_imap_select(x, x->wire, x->read_only, &st, &re);
	if (rc == 0)
		rc = be_imap_cache_resync(f, &st, &re);
	if (rc < 0) {
		x->backoff = x->backoff ? (x->backoff * 2 > 60 ? 60 : x->backoff * 2) : 2;
		x->retry_at = now + x->backoff;
		notice(f, _("Offline; trying again in %u s (%s)."), x->backoff, re.msg);
		(void)e;
		f->offline = true;
		/* A resynchronisation cut short may have changed the list
		 * (flags, VANISHED, a new UIDVALIDITY): it is shown as it is
		 * now, and its HIGHESTMODSEQ is not taken as reached. */
		if (resynced) {
			be_imap_cache_resync_failed(x, &st);
			*changes_r = BE_CHANGE_REBUILT;
			be_imap_publish(f);
		}
		return 0;
	}
	f->offline = false;
	x->backoff = 0;
	x->retry_at = 0;
	be_imap_replay(f);
	be_imap_cache_flush(x);
	notice(f, _("Reconnected to %s."), x->link->acct->host);
	*changes_r = BE_CHANGE_REBUILT | (x->n > before ? BE_CHANGE_NEW : 0);
	be_imap_publish(f);
	return 0;
}

bool be_imap_lost(const struct imap *p)
{
	return p == NULL || imap_state(p) == IMAP_STATE_ERROR || imap_state(p) == IMAP_STATE_LOGOUT;
}


/* ------------------------------------------------------------ journal */

int be_imap_offline_set_flags(struct be_folder *f, const size_t *idx, size_t n, unsigned set,
			      unsigned clear, struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap_account *acc = f->account->priv;
	struct imap_journal_entry *en = xcalloc(n ? n : 1, sizeof(*en));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (idx[i] < x->n)
			en[k++] = (struct imap_journal_entry){ x->wire, x->uidvalidity,
							       x->msgs[idx[i]].uid, set, clear,
							       x->msgs[idx[i]].modseq };
	int rc = k ? imap_journal_add(acc->journal_path, en, k, e) : 0;
	free(en);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (idx[i] >= x->n)
			continue;
		struct imap_msg *m = &x->msgs[idx[i]];
		m->flags = (m->flags | set) & ~clear;
		m->cache_flags = true;
		f->msgs[idx[i]].flags = m->flags;
	}
	notice(f, _("Offline: the change is kept and will be sent when the connection is back."));
	return 0;
}

struct replay {
	struct imap_folder *x;
	size_t modified;           /* messages another client changed meanwhile */
	struct imap_seqset refetch;
};

static int on_replay(void *ctx, const struct imap_response *r, struct err *e)
{
	struct replay *rp = ctx;
	if (r->kind == IMAP_RESP_TAGGED && r->status == IMAP_STATUS_OK && r->code != NULL &&
	    strcmp(r->code, "MODIFIED") == 0) {
		struct imap_code c;
		if (imap_resp_code(r, &c, e) == 0 && c.type == IMAP_CODE_MODIFIED) {
			rp->modified += (size_t)imap_seqset_count(&c.uids);
			for (size_t i = 0; i < c.uids.n; i++)
				imap_seqset_add(&rp->refetch, c.uids.r[i].lo, c.uids.r[i].hi);
		}
		imap_resp_code_release(&c);
		return 0;
	}
	return be_imap_untagged(rp->x, r, e);
}

/* One journal entry as UID STORE commands (+FLAGS, then -FLAGS). */
static int send_entry(struct replay *rp, const struct imap_journal_entry *en, struct err *e)
{
	struct imap *p = rp->x->link->p;
	bool unchanged = (imap_enabled(p) & IMAP_CAP_CONDSTORE) && en->modseq > 0;
	for (int pass = 0; pass < 2; pass++) {
		unsigned bits = pass == 0 ? en->set : en->clear;
		if (bits == 0)
			continue;
		struct buf names, text;
		buf_init(&names, 128);
		buf_init(&text, 256);
		be_imap_flag_names(bits, &names);
		if (unchanged)
			buf_cut_ok(buf_printf(&text, "%u (UNCHANGEDSINCE %llu) %cFLAGS.SILENT (%s)",
					      en->uid, (unsigned long long)en->modseq,
					      pass == 0 ? '+' : '-', names.data));
		else
			buf_cut_ok(buf_printf(&text, "%u %cFLAGS.SILENT (%s)", en->uid,
					      pass == 0 ? '+' : '-', names.data));
		struct imap_cmd c;
		imap_cmd_init(&c, p, "UID STORE");
		c.scope = ERR_MESSAGE;
		imap_cmd_raw(&c, text.data);
		int rc = imap_run(p, &c, on_replay, rp, e);
		imap_cmd_release(&c);
		buf_release(&names);
		buf_release(&text);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void be_imap_replay(struct be_folder *f)
{
	struct imap_folder *x = f->priv;
	struct imap_account *acc = f->account->priv;
	struct imap_journal_entry *v;
	size_t n;
	struct err e;
	err_init(&e);
	if (x->read_only || imap_journal_read(acc->journal_path, &v, &n, &e) < 0)
		return;
	struct replay rp = { .x = x };
	imap_seqset_init(&rp.refetch);
	size_t sent = 0, void_ = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(v[i].wire, x->wire) != 0)
			continue;
		if (v[i].uidvalidity != x->uidvalidity) {
			void_++; /* the folder was recreated: those UIDs name nothing */
			continue;
		}
		rc = send_entry(&rp, &v[i], &e);
		sent += rc == 0;
	}
	imap_journal_free(v, n);
	if (rc < 0) {
		imap_seqset_release(&rp.refetch);
		return; /* kept for the next time */
	}
	if (rp.refetch.n > 0) {
		struct buf set;
		buf_init(&set, 8192);
		size_t from = 0;
		if (imap_seqset_format(&rp.refetch, &from, 8000, &set) > 0) {
			buf_cut_ok(buf_append_str(&set, " (UID FLAGS)"));
			struct err fe;
			err_init(&fe);
			(void)imap_simple(x->link->p, "UID FETCH", set.data, be_imap_untagged, x, &fe);
		}
		buf_release(&set);
	}
	imap_seqset_release(&rp.refetch);
	if (sent + void_ == 0)
		return;
	if (imap_journal_clear(acc->journal_path, x->wire, &e) < 0)
		log_warn(x->link->lg, "imap journal: %s", e.msg);
	if (rp.modified > 0)
		notice(f, _("%zu changes made offline were sent; %zu messages were changed by another "
			    "client meanwhile and keep its flags."), sent, rp.modified);
	else
		notice(f, _("%zu changes made offline were sent."), sent);
	be_imap_publish(f);
}
