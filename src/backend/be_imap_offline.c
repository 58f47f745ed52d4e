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
	x->base = 0; /* a load in steps is finished by the resync */
	f->loading_total = 0;
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

int be_imap_open_offline(struct be_folder *f, const struct imap_cache_folder *st, bool readonly,
			 struct err *e)
{
	struct imap_folder *x = f->priv;
	if (st->uidvalidity == 0)
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("offline, and this folder was not opened before, so nothing of it "
				 "is kept"));
	x->uidvalidity = st->uidvalidity;
	x->uidnext = x->cached_uidnext = st->uidnext;
	x->highestmodseq = x->cached_modseq = st->highestmodseq;
	x->exists = (uint32_t)x->n;
	x->read_only = readonly;
	f->offline = true;
	return 0;
}

int be_imap_open_uid_offline(struct be_account *a, const char *name, uint32_t uid,
			     struct be_folder **f_r, struct err *e)
{
	if (be_imap_open_folder(a, name, true, f_r, e) < 0)
		return -1;
	struct imap_folder *x = (*f_r)->priv;
	x->subset = true;
	be_imap_keep_only(x, uid);
	be_imap_publish(*f_r);
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
			en[k++] = (struct imap_journal_entry){
				.kind = IMAP_JOURNAL_FLAGS, .wire = x->wire,
				.uidvalidity = x->uidvalidity, .uid = x->msgs[idx[i]].uid,
				.set = set, .clear = clear, .modseq = x->msgs[idx[i]].modseq,
			};
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

int be_imap_offline_remove(struct be_folder *f, const struct imap_seqset *uids,
			   const char *dest_wire, struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap_account *acc = f->account->priv;
	struct imap_journal_entry *en = xcalloc(x->n ? x->n : 1, sizeof(*en));
	size_t k = 0;
	for (size_t i = 0; i < x->n; i++)
		if (imap_seqset_contains(uids, x->msgs[i].uid))
			en[k++] = (struct imap_journal_entry){
				.kind = dest_wire ? IMAP_JOURNAL_MOVE : IMAP_JOURNAL_EXPUNGE,
				.wire = x->wire, .uidvalidity = x->uidvalidity,
				.uid = x->msgs[i].uid, .dest = (char *)dest_wire,
			};
	int rc = k ? imap_journal_add(acc->journal_path, en, k, e) : 0;
	free(en);
	if (rc < 0)
		return -1;
	be_imap_remove_uids(x, uids);
	be_imap_publish(f);
	if (k > 0)
		notice(f, dest_wire ? ngettext("Offline: %zu message will be moved when the "
					       "connection is back.",
					       "Offline: %zu messages will be moved when the "
					       "connection is back.", k)
				    : ngettext("Offline: %zu message will be removed from the server "
					       "when the connection is back.",
					       "Offline: %zu messages will be removed from the server "
					       "when the connection is back.", k), k);
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

/* One command of the replay; a NO or BAD of the server is that entry's
 * failure alone (rc 1), a lost connection ends the replay (-1). */
static int replay_run(struct replay *rp, const char *verb, const char *args, const char *mailbox,
		      struct err *e)
{
	struct imap *p = rp->x->link->p;
	struct imap_cmd c;
	imap_cmd_init(&c, p, verb);
	c.scope = ERR_MESSAGE;
	imap_cmd_raw(&c, args);
	if (mailbox != NULL)
		imap_cmd_string(&c, mailbox, strlen(mailbox), false);
	int rc = imap_run(p, &c, on_replay, rp, e);
	imap_cmd_release(&c);
	return rc == 0 ? 0 : be_imap_lost(p) ? -1 : 1;
}

/* A flag change as UID STORE commands (+FLAGS, then -FLAGS). */
static int send_flags(struct replay *rp, const struct imap_journal_entry *en, struct err *e)
{
	struct imap *p = rp->x->link->p;
	bool unchanged = (imap_enabled(p) & IMAP_CAP_CONDSTORE) && en->modseq > 0;
	int rc = 0;
	for (int pass = 0; rc == 0 && pass < 2; pass++) {
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
		rc = replay_run(rp, "UID STORE", text.data, NULL, e);
		buf_release(&names);
		buf_release(&text);
	}
	return rc;
}

/* A move (UID MOVE, else UID COPY and an expunge of that one message) or
 * an expunge (\Deleted, then UID EXPUNGE of that message; plain EXPUNGE
 * without UIDPLUS, which the person was told of when it was made). */
static int send_removal(struct replay *rp, const struct imap_journal_entry *en, struct err *e)
{
	struct imap *p = rp->x->link->p;
	char uid[16], deleted[48];
	snprintf(uid, sizeof(uid), "%u", en->uid);
	snprintf(deleted, sizeof(deleted), "%u +FLAGS.SILENT (\\Deleted)", en->uid);
	if (en->kind == IMAP_JOURNAL_MOVE && imap_has(p, IMAP_CAP_MOVE))
		return replay_run(rp, "UID MOVE", uid, en->dest, e);
	int rc = en->kind == IMAP_JOURNAL_MOVE ? replay_run(rp, "UID COPY", uid, en->dest, e) : 0;
	if (rc == 0)
		rc = replay_run(rp, "UID STORE", deleted, NULL, e);
	if (rc == 0 && imap_has(p, IMAP_CAP_UIDPLUS))
		rc = replay_run(rp, "UID EXPUNGE", uid, NULL, e);
	else if (rc == 0)
		rc = imap_simple(p, "EXPUNGE", NULL, be_imap_untagged, rp->x, e) == 0 ? 0
		     : be_imap_lost(p) ? -1 : 1;
	return rc;
}

static int send_entry(struct replay *rp, const struct imap_journal_entry *en, struct err *e)
{
	return en->kind == IMAP_JOURNAL_FLAGS ? send_flags(rp, en, e) : send_removal(rp, en, e);
}

/* The flags of the messages another client changed meanwhile
 * ([MODIFIED]): theirs win, and are fetched. */
static void refetch_modified(struct replay *rp)
{
	if (rp->refetch.n == 0)
		return;
	struct buf set;
	buf_init(&set, 8192);
	size_t from = 0;
	if (imap_seqset_format(&rp->refetch, &from, 8000, &set) > 0) {
		buf_cut_ok(buf_append_str(&set, " (UID FLAGS)"));
		struct err fe;
		err_init(&fe);
		(void)imap_simple(rp->x->link->p, "UID FETCH", set.data, be_imap_untagged, rp->x,
				  &fe);
	}
	buf_release(&set);
}

static void replayed(struct be_folder *f, size_t sent, size_t modified)
{
	if (modified > 0)
		notice(f, ngettext("Changes made offline were sent (%zu); %zu message was changed by "
				   "another client meanwhile and keeps its flags.",
				   "Changes made offline were sent (%zu); %zu messages were changed by "
				   "another client meanwhile and keep its flags.", modified),
		       sent, modified);
	else
		notice(f, ngettext("%zu change made offline was sent.",
				   "%zu changes made offline were sent.", sent), sent);
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
	size_t sent = 0, void_ = 0, refused = 0;
	int rc = 0;
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		if (strcmp(v[i].wire, x->wire) != 0)
			continue;
		if (v[i].uidvalidity != x->uidvalidity) {
			void_++; /* the folder was recreated: those UIDs name nothing */
			continue;
		}
		rc = send_entry(&rp, &v[i], &e);
		sent += rc == 0;
		if (rc > 0) {
			refused++;
			notice(f, _("A change made offline was refused: %s"), e.msg);
			err_init(&e);
		}
	}
	imap_journal_free(v, n);
	if (rc < 0) {
		imap_seqset_release(&rp.refetch);
		return; /* kept for the next time */
	}
	refetch_modified(&rp);
	imap_seqset_release(&rp.refetch);
	if (sent + void_ + refused == 0)
		return;
	if (imap_journal_clear(acc->journal_path, x->wire, &e) < 0)
		log_warn(x->link->lg, "imap journal: %s", e.msg);
	replayed(f, sent, rp.modified);
	be_imap_publish(f);
}

