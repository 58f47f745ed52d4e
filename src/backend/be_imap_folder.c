/* be_imap_folder: an open IMAP folder (be_imap.h) -- SELECT, the
 * summaries, messages, expunge, new mail and changes by others (flags and
 * keywords: be_imap_flags.c). */
#include "config.h"

#include "be_imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "header.h"
#include "i18n.h"
#include "imap_fetch.h"
#include "imap_seqset.h"
#include "mem.h"
#include "str.h"

#define BE_IMAP_EXISTS_MAX 20000000u
#define SET_TEXT_MAX 8000       /* bytes of a UID set in one command */
#define MESSAGE_MAX ((size_t)256 << 20)
#define IDLE_RENEW_S (25 * 60) /* RFC 2177 s3: servers may end IDLE after 30 min */


/* ------------------------------------------------------------ messages */

static void msg_release(struct imap_msg *m)
{
	summary_release(&m->sum);
}

/* The message with uid, by binary search (msgs are in UID order). */
static struct imap_msg *by_uid(struct imap_folder *x, uint32_t uid, size_t *i_r)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->n && x->msgs[lo].uid == uid) {
		if (i_r)
			*i_r = lo;
		return &x->msgs[lo];
	}
	return NULL;
}

struct imap_msg *be_imap_msg_by_uid(struct imap_folder *x, uint32_t uid, size_t *i_r)
{
	return x->sorted ? by_uid(x, uid, i_r) : NULL;
}

static int by_uid_cmp(const void *a, const void *b)
{
	const struct imap_msg *x = a, *y = b;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* Rebuilds the core view (f->msgs) from x->msgs. */
void be_imap_publish(struct be_folder *f)
{
	struct imap_folder *x = f->priv;
	free(f->msgs);
	f->msgs = xcalloc(x->n ? x->n : 1, sizeof(*f->msgs));
	for (size_t i = 0; i < x->n; i++) {
		f->msgs[i].sum = &x->msgs[i].sum;
		f->msgs[i].flags = x->msgs[i].flags;
		f->msgs[i].uid = x->msgs[i].uid;
		f->msgs[i].keywords = x->msgs[i].keywords;
	}
	f->n = x->n;
	f->generation++;
}

void be_imap_settle(struct be_folder *f)
{
	struct imap_folder *x = f->priv;
	bool moved = x->n != f->n || (x->n > 0 && f->msgs[0].sum != &x->msgs[0].sum);
	if (x->removed || moved)
		be_imap_publish(f);
	else
		for (size_t i = 0; i < x->n; i++) {
			f->msgs[i].flags = x->msgs[i].flags;
			f->msgs[i].keywords = x->msgs[i].keywords;
		}
	x->removed = false;
}

/* ------------------------------------------------------------ untagged data */

static void add_message(struct imap_folder *x, const struct imap_fetch *fe)
{
	x->msgs = xgrow(x->msgs, &x->cap, x->n + 1, sizeof(*x->msgs));
	struct imap_msg *m = &x->msgs[x->n++];
	memset(m, 0, sizeof(*m));
	m->uid = fe->uid;
	const struct imap_fetch_section *s =
		imap_fetch_section(fe, IMAP_SECTION_BODY, BE_IMAP_HEADER_FIELDS);
	if (s != NULL && s->data != NULL) {
		struct header_limits lim;
		header_limits_default(&lim);
		summary_from_message(&m->sum, s->data, s->len, &lim);
		m->sum.size = (size_t)fe->rfc822_size;
		if (m->sum.date == SUMMARY_DATE_UNKNOWN && (fe->present & IMAP_FETCH_INTERNALDATE)) {
			m->sum.date = fe->internaldate;
			m->sum.zone_minutes = fe->internaldate_zone;
		}
	} else {
		imap_fetch_summary(fe, &m->sum); /* ENVELOPE, if a server sent it */
	}
	summary_pack(&m->sum);
	m->flags = be_imap_flags_of(&fe->flags);
	m->keywords = be_imap_keywords_of(x, &fe->flags);
	m->modseq = fe->modseq;
	m->cache_new = true;
	x->sorted = false;
	x->added++;
}

/* A FETCH: a new message (with its summary), or new flags of one. */
static int on_fetch(struct imap_folder *x, const struct imap_response *r, struct err *e)
{
	struct imap_fetch fe;
	if (imap_fetch_parse(r, &fe, e) < 0) {
		imap_fetch_release(&fe);
		return -1;
	}
	/* (HIGHESTMODSEQ is taken from response codes only: a FETCH's MODSEQ
	 * does not say that every change below it was seen.) */
	if (fe.present & IMAP_FETCH_UID) {
		struct imap_msg *m = x->sorted ? by_uid(x, fe.uid, NULL) : NULL;
		if (m == NULL && x->adding &&
		    (fe.present & (IMAP_FETCH_ENVELOPE | IMAP_FETCH_RFC822_SIZE)))
			add_message(x, &fe);
		else if (m != NULL && (fe.present & IMAP_FETCH_FLAGS))
			be_imap_new_flags(x, m, &fe);
		else if (m != NULL && (fe.present & IMAP_FETCH_MODSEQ) && fe.modseq != m->modseq) {
			/* Our own STORE .SILENT: the new MODSEQ alone (RFC 7162
			 * s3.1.3), which a later UNCHANGEDSINCE must use. */
			m->modseq = fe.modseq;
			m->cache_flags = true;
		}
	} else if ((fe.present & IMAP_FETCH_FLAGS) && fe.seq > x->base &&
		   fe.seq - x->base <= x->n && x->sorted && x->exists == x->base + x->n) {
		/* Without UID (an unsolicited flag change, RFC 9051 s7.5.2):
		 * the sequence number is the position (past those not loaded
		 * yet). */
		be_imap_new_flags(x, &x->msgs[fe.seq - x->base - 1], &fe);
	}
	imap_fetch_release(&fe);
	return 0;
}

static void expunge_seq(struct imap_folder *x, uint32_t seq)
{
	if (x->exists > 0)
		x->exists--;
	if (seq >= 1 && seq <= x->base) {
		x->base--; /* one not loaded yet */
		return;
	}
	seq -= x->base;
	if (!x->sorted || seq < 1 || seq > x->n)
		return;
	be_imap_gone(x, x->msgs[seq - 1].uid);
	msg_release(&x->msgs[seq - 1]);
	memmove(x->msgs + seq - 1, x->msgs + seq, (x->n - seq) * sizeof(*x->msgs));
	x->n--;
	x->removed = true;
}

/* VANISHED: the messages are gone; (EARLIER) ones went before this
 * session's EXISTS counted (RFC 7162 s3.2.10), the others now. */
static void vanished(struct imap_folder *x, const struct imap_seqset *uids, bool earlier)
{
	size_t k = 0, first_added = x->n - x->added;
	for (size_t i = 0; i < x->n; i++) {
		if (imap_seqset_contains(uids, x->msgs[i].uid)) {
			if (i >= first_added)
				x->added--;
			be_imap_gone(x, x->msgs[i].uid);
			msg_release(&x->msgs[i]);
			x->removed = true;
			if (x->exists > 0 && !earlier)
				x->exists--;
			continue;
		}
		x->msgs[k++] = x->msgs[i];
	}
	/* The others were among those not loaded yet (RFC 7162 s3.2.10: a
	 * VANISHED without EARLIER names messages that were there). */
	uint64_t unloaded = imap_seqset_count(uids) - (x->n - k);
	if (!earlier && x->base > 0 && unloaded > 0) {
		uint32_t d = unloaded < x->base ? (uint32_t)unloaded : x->base;
		x->base -= d;
		x->exists = x->exists > d ? x->exists - d : 0;
	}
	x->n = k;
}

static int on_code(struct imap_folder *x, const struct imap_response *r, struct err *e)
{
	struct imap_code c;
	int rc = imap_resp_code(r, &c, e);
	if (rc == 0) {
		if (c.type == IMAP_CODE_UIDVALIDITY)
			x->uidvalidity = c.number;
		else if (c.type == IMAP_CODE_UIDNEXT)
			x->uidnext = c.number;
		else if (c.type == IMAP_CODE_HIGHESTMODSEQ)
			x->highestmodseq = c.modseq;
		else if (c.type == IMAP_CODE_READ_ONLY)
			x->read_only = true;
		else if (c.type == IMAP_CODE_PERMANENTFLAGS)
			be_imap_permanent_flags(x, &c.flags);
	}
	imap_resp_code_release(&c);
	return rc;
}

int be_imap_untagged(void *ctx, const struct imap_response *r, struct err *e)
{
	struct imap_folder *x = ctx;
	uint32_t n;
	switch (imap_resp_classify(r)) {
	case IMAP_DATA_EXISTS:
		if (imap_resp_number(r, &n, e) < 0)
			return -1;
		/* A count no mailbox has would have us send millions of
		 * FETCH commands: the server is not believed. */
		if (n > BE_IMAP_EXISTS_MAX)
			return err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				       _("the server claims %u messages in a folder (at most %u "
					 "are accepted)"), n, BE_IMAP_EXISTS_MAX);
		x->grew |= n > x->exists;
		x->exists = n;
		return 0;
	case IMAP_DATA_EXPUNGE:
		if (imap_resp_number(r, &n, e) < 0)
			return -1;
		expunge_seq(x, n);
		return 0;
	case IMAP_DATA_VANISHED: {
		struct imap_seqset uids;
		bool earlier;
		int rc = imap_resp_vanished(r, &earlier, &uids, e);
		if (rc == 0)
			vanished(x, &uids, earlier);
		imap_seqset_release(&uids);
		return rc;
	}
	case IMAP_DATA_FETCH:
		return on_fetch(x, r, e);
	case IMAP_DATA_STATUS:
		return on_code(x, r, e);
	case IMAP_DATA_NONE:
		/* The completion: SELECT's [READ-ONLY] and the like. */
		return r->kind == IMAP_RESP_TAGGED && r->status == IMAP_STATUS_OK ? on_code(x, r, e)
										  : 0;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------ opening */

bool be_imap_has_uid(struct imap_folder *x, uint32_t uid)
{
	return by_uid(x, uid, NULL) != NULL;
}

void be_imap_keep_only(struct imap_folder *x, uint32_t uid)
{
	size_t k = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (x->msgs[i].uid == uid)
			x->msgs[k++] = x->msgs[i];
		else
			msg_release(&x->msgs[i]);
	}
	x->n = k;
}

void be_imap_remove_uids(struct imap_folder *x, const struct imap_seqset *uids)
{
	vanished(x, uids, false);
}

void be_imap_gone(struct imap_folder *x, uint32_t uid)
{
	x->gone = xgrow(x->gone, &x->cap_gone, x->n_gone + 1, sizeof(*x->gone));
	x->gone[x->n_gone++] = uid;
}

static void sort_msgs(struct imap_folder *x)
{
	if (!x->sorted && x->n > 1)
		qsort(x->msgs, x->n, sizeof(*x->msgs), by_uid_cmp);
	/* A server that sent a message twice: keep the first. */
	size_t k = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (k > 0 && x->msgs[k - 1].uid == x->msgs[i].uid) {
			msg_release(&x->msgs[i]);
			continue;
		}
		x->msgs[k++] = x->msgs[i];
	}
	x->n = k;
	x->sorted = true;
}

void be_imap_sort(struct imap_folder *x)
{
	sort_msgs(x);
}

int be_imap_select(struct imap_folder *x, const char *wire, bool readonly,
		   const struct imap_cache_folder *st, struct err *e)
{
	struct imap *p = x->link->p;
	struct imap_cmd c;
	imap_cmd_init(&c, p, readonly ? "EXAMINE" : "SELECT");
	imap_cmd_string(&c, wire, strlen(wire), false);
	if (st != NULL && st->uidvalidity != 0 && (imap_enabled(p) & IMAP_CAP_QRESYNC))
		be_imap_cache_select_args(x, st, &c);
	else if (imap_enabled(p) & IMAP_CAP_CONDSTORE)
		imap_cmd_raw(&c, "(CONDSTORE)");
	/* A SELECT, even a failed one, ends the previous selection. */
	x->link->selected = NULL;
	imap_resp_flags_release(&x->perm);
	x->perm_known = false;
	int rc = imap_run(p, &c, be_imap_untagged, x, e);
	imap_cmd_release(&c);
	if (rc < 0) {
		imap_set_selected(p, false, false);
		return -1;
	}
	x->read_only = x->read_only || readonly;
	imap_set_selected(p, true, x->read_only);
	x->link->selected = x;
	return 0;
}

struct be_folder *be_imap_new_folder(struct be_account *a, const char *name, struct err *e)
{
	struct imap_account *acc = a->priv;
	char *wire = be_imap_wire_name(acc, name ? name : "INBOX", e);
	if (wire == NULL)
		return NULL;
	struct be_folder *f = xcalloc(1, sizeof(*f));
	struct imap_folder *x = xcalloc(1, sizeof(*x));
	f->account = a;
	f->name = xstrdup(name ? name : "INBOX");
	f->priv = x;
	x->link = acc->link;
	x->wire = wire;
	x->cache = acc->cache;
	return f;
}

int be_imap_open_folder(struct be_account *a, const char *name, bool readonly,
			struct be_folder **f_r, struct err *e)
{
	struct be_folder *f = be_imap_new_folder(a, name, e);
	if (f == NULL)
		return -1;
	struct imap_folder *x = f->priv;
	const char *wire = x->wire;
	struct imap_cache_folder st = { 0 };
	(void)be_imap_cache_load(x, &st);
	bool offline = be_imap_lost(x->link->p);
	int rc = offline ? be_imap_open_offline(f, &st, readonly, e)
			 : be_imap_select(x, wire, readonly, &st, e);
	if (rc == 0 && !offline)
		rc = be_imap_cache_resync(f, &st, e);
	if (rc < 0) {
		err_prefix(e, "%s", f->name);
		be_imap_cache_resync_failed(x, &st);
		be_imap_close_folder(&f);
		return -1;
	}
	if (!offline)
		be_imap_replay(f);
	be_imap_cache_flush(x);
	f->readonly = x->read_only;
	x->grew = false;
	be_imap_publish(f);
	*f_r = f;
	return 0;
}

void be_imap_close_folder(struct be_folder **fp)
{
	struct be_folder *f = *fp;
	if (f == NULL)
		return;
	struct imap_folder *x = f->priv;
	struct imap *p = x->link->p;
	/* Never CLOSE: it would expunge what is marked deleted.  Another
	 * folder may be selected already (the reader opens the next before
	 * closing this one). */
	if (imap_state(p) == IMAP_STATE_SELECTED && x->link->selected == x) {
		struct err ignored;
		err_init(&ignored);
		if (imap_has(p, IMAP_CAP_UNSELECT))
			(void)imap_simple(p, "UNSELECT", NULL, NULL, NULL, &ignored);
		imap_set_selected(p, false, false);
	}
	if (x->link->selected == x)
		x->link->selected = NULL;
	be_imap_cache_flush(x);
	free(x->gone);
	for (size_t i = 0; i < x->n; i++)
		msg_release(&x->msgs[i]);
	free(x->msgs);
	be_imap_flags_release(x);
	free(x->wire);
	free(x);
	free(f->msgs);
	free(f->name);
	free(f);
	*fp = NULL;
}

/* ------------------------------------------------------------ sync, check */

/* Fetches what arrived since the folder was read: EXISTS grew. */
static int fetch_new(struct be_folder *f, struct err *e)
{
	struct imap_folder *x = f->priv;
	uint32_t have = x->base + (uint32_t)x->n;
	x->grew = false;
	if (x->exists <= have)
		return 0;
	return be_imap_fetch_summaries(f, have + 1, e);
}

/* Whether the server sent something during IDLE. */
static bool pushed(const struct imap_folder *x)
{
	if (conn_buffered(x->link->io.c) > 0)
		return true;
	struct pollfd pfd = { .fd = conn_fd(x->link->io.c), .events = POLLIN };
	return poll(&pfd, 1, 0) > 0;
}

static int check_server(struct be_folder *f, unsigned *changes_r, struct err *e)
{
	struct imap_folder *x = f->priv;
	*changes_r = 0;
	size_t before = x->n;
	x->flags_changed = x->removed = false;
	if (be_net_slept(&x->link->clock) && !be_imap_lost(x->link->p)) {
		/* The connection survived the sleep only in appearance: a
		 * command would wait its whole timeout.  Anew, at once. */
		log_info(x->link->lg, "imap %s: the system slept; connecting again",
			 x->link->acct->name);
		be_imap_drop(x->link);
		x->retry_at = 0;
	}
	if (be_imap_lost(x->link->p))
		return be_imap_reconnect_folder(f, changes_r, e);
	if (x->base > 0) {
		if (be_imap_load_step(f, e) < 0)
			return be_imap_lost(x->link->p) ? be_imap_reconnect_folder(f, changes_r, e) : -1;
		*changes_r = BE_CHANGE_REBUILT;
		return 0;
	}
	struct imap *p = x->link->p;
	if (imap_idling(p) && !pushed(x) && time(NULL) - x->idle_since < IDLE_RENEW_S)
		return 0; /* nothing came: IDLE goes on */
	if (imap_idling(p)) {
		/* What the server pushed is read now; IDLE ends (DONE) so that
		 * commands may follow, and is begun again by wait_fd -- at
		 * once, well before the 29 minutes of RFC 2177 s3. */
		if (imap_idle_done(p, be_imap_untagged, x, e) < 0)
			return be_imap_lost(p) ? be_imap_reconnect_folder(f, changes_r, e) : -1;
		x->idle_since = 0;
	} else if (imap_simple(p, "NOOP", NULL, be_imap_untagged, x, e) < 0) {
		return be_imap_lost(p) ? be_imap_reconnect_folder(f, changes_r, e) : -1;
	}
	if ((x->grew || x->exists > x->n) && fetch_new(f, e) < 0)
		return -1;
	if (x->removed || x->n != before || x->n != f->n)
		*changes_r |= BE_CHANGE_REBUILT | (x->n > before ? BE_CHANGE_NEW : 0);
	else if (x->flags_changed)
		*changes_r |= BE_CHANGE_FLAGS;
	be_imap_cache_flush(x);
	if (*changes_r & BE_CHANGE_REBUILT)
		be_imap_publish(f);
	else if (x->flags_changed)
		for (size_t i = 0; i < x->n; i++) {
			f->msgs[i].flags = x->msgs[i].flags;
			f->msgs[i].keywords = x->msgs[i].keywords;
		}
	return 0;
}

int be_imap_check(struct be_folder *f, unsigned *changes_r, struct err *e)
{
	if (check_server(f, changes_r, e) == 0)
		return 0;
	/* Cut short: whatever the untagged data changed (a summary fetch
	 * takes back what it added, but the array may have moved), the
	 * core's list must not point into freed memory. */
	be_imap_publish(f);
	return -1;
}

/* RFC 4315 s1: without UIDPLUS there is no UID EXPUNGE, and EXPUNGE
 * removes every message marked deleted, also those another client marked
 * since this one last looked. */
static void warn_plain_expunge(struct be_folder *f)
{
	const struct ui_hooks *ui = f->account->ui;
	if (ui != NULL && ui->notice != NULL)
		ui->notice(ui->ctx, _("This server has no UID EXPUNGE (UIDPLUS): messages another "
				      "client marked deleted are removed too."));
}

static int per_piece(struct imap_folder *x, const char *verb, const struct imap_seqset *set,
		     const char *wire, struct err *e);

/* With trash = FOLDER: the deleted messages go there instead of being
 * expunged -- their \Deleted removed first, so that the trash holds them
 * whole -- unless this folder is the trash.  Returns 1 when moved, 0 when
 * they are to be expunged here, -1 with e (then they stay, deleted). */
static int to_trash(struct be_folder *f, const struct imap_seqset *uids, struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap_account *acc = f->account->priv;
	if (acc->acct.trash == NULL)
		return 0;
	char *wire = be_imap_wire_name(acc, acc->acct.trash, e);
	if (wire == NULL)
		return -1;
	if (strcmp(wire, x->wire) == 0) {
		free(wire);
		return 0;
	}
	struct imap *p = x->link->p;
	int rc = be_imap_store_flags(x, uids, '-', SUMMARY_DELETED, e);
	if (rc == 0 && imap_has(p, IMAP_CAP_MOVE)) {
		rc = per_piece(x, "UID MOVE", uids, wire, e);
	} else if (rc == 0) {
		rc = per_piece(x, "UID COPY", uids, wire, e);
		if (rc == 0)
			rc = be_imap_store_flags(x, uids, '+', SUMMARY_DELETED, e);
		if (rc == 0 && !imap_has(p, IMAP_CAP_UIDPLUS))
			warn_plain_expunge(f);
		if (rc == 0)
			rc = imap_has(p, IMAP_CAP_UIDPLUS) ? per_piece(x, "UID EXPUNGE", uids, NULL, e)
							    : imap_simple(p, "EXPUNGE", NULL,
									  be_imap_untagged, x, e);
	}
	if (rc < 0 && !be_imap_lost(p)) {
		struct err ignored;
		err_init(&ignored);
		(void)be_imap_store_flags(x, uids, '+', SUMMARY_DELETED, &ignored); /* as they were */
		if (e->code == IMAP_ERR_NO && strstr(e->msg, "[TRYCREATE]") != NULL)
			err_set(e, ERR_FOLDER, IMAP_ERR_NO,
				_("there is no folder %s on the server (trash = %s)"),
				acc->acct.trash, acc->acct.trash);
	}
	free(wire);
	return rc < 0 ? -1 : 1;
}

/* Offline, the purge is journaled: to the trash folder where there is
 * one (and this is not it), else an expunge. */
static int offline_purge(struct be_folder *f, const struct imap_seqset *uids, struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap_account *acc = f->account->priv;
	char *trash = acc->acct.trash ? be_imap_wire_name(acc, acc->acct.trash, e) : NULL;
	if (acc->acct.trash != NULL && trash == NULL)
		return -1;
	if (trash != NULL && strcmp(trash, x->wire) == 0) {
		free(trash);
		trash = NULL;
	}
	int rc = be_imap_offline_remove(f, uids, trash, e);
	free(trash);
	return rc;
}

int be_imap_sync(struct be_folder *f, bool expunge, struct err *e)
{
	struct imap_folder *x = f->priv;
	f->dirty = false;
	if (!expunge || x->read_only)
		return 0;
	struct imap_seqset uids;
	imap_seqset_init(&uids);
	for (size_t i = 0; i < x->n; i++)
		if (x->msgs[i].flags & SUMMARY_DELETED)
			imap_seqset_add(&uids, x->msgs[i].uid, x->msgs[i].uid);
	if (be_imap_lost(x->link->p)) {
		int rc = uids.n > 0 ? offline_purge(f, &uids, e) : 0;
		imap_seqset_release(&uids);
		return rc;
	}
	int rc = 0;
	int moved = uids.n > 0 ? to_trash(f, &uids, e) : 0;
	if (moved != 0) {
		imap_seqset_release(&uids);
		be_imap_publish(f);
		return moved < 0 ? -1 : 0;
	}
	if (uids.n > 0 && imap_has(x->link->p, IMAP_CAP_UIDPLUS)) {
		/* Only ours (RFC 4315 s2.1): others' deletions stay. */
		struct buf text;
		buf_init(&text, SET_TEXT_MAX + 16);
		size_t from = 0;
		while (rc == 0 && from < uids.n) {
			buf_reset(&text);
			if (imap_seqset_format(&uids, &from, SET_TEXT_MAX, &text) == 0)
				break;
			rc = imap_simple(x->link->p, "UID EXPUNGE", text.data, be_imap_untagged, x, e);
		}
		buf_release(&text);
	} else if (uids.n > 0) {
		warn_plain_expunge(f);
		rc = imap_simple(x->link->p, "EXPUNGE", NULL, be_imap_untagged, x, e);
	}
	imap_seqset_release(&uids);
	if (rc == 0)
		be_imap_publish(f);
	return rc;
}

/* ------------------------------------------------------------ copy, move */

/* The UID set of messages idx[0..n). */
static void uid_set(const struct imap_folder *x, const size_t *idx, size_t n,
		    struct imap_seqset *set)
{
	imap_seqset_init(set);
	for (size_t k = 0; k < n; k++)
		if (idx[k] < x->n)
			imap_seqset_add(set, x->msgs[idx[k]].uid, x->msgs[idx[k]].uid);
}

/* Runs "VERB set ARGS" for each piece of set (commands stay short);
 * args is appended as a string (a folder name) when given. */
static int per_piece(struct imap_folder *x, const char *verb, const struct imap_seqset *set,
		     const char *wire, struct err *e)
{
	struct buf text;
	buf_init(&text, SET_TEXT_MAX + 16);
	size_t from = 0;
	int rc = 0;
	while (rc == 0 && from < set->n) {
		buf_reset(&text);
		if (imap_seqset_format(set, &from, SET_TEXT_MAX, &text) == 0)
			break;
		struct imap_cmd c;
		imap_cmd_init(&c, x->link->p, verb);
		c.scope = ERR_MESSAGE;
		imap_cmd_raw(&c, text.data);
		if (wire != NULL)
			imap_cmd_string(&c, wire, strlen(wire), false);
		rc = imap_run(x->link->p, &c, be_imap_untagged, x, e);
		imap_cmd_release(&c);
	}
	buf_release(&text);
	return rc;
}

static void warn_no_uidplus_move(struct be_folder *f)
{
	const struct ui_hooks *ui = f->account->ui;
	if (ui != NULL && ui->notice != NULL)
		ui->notice(ui->ctx, _("Copied and marked deleted; this server has no UID EXPUNGE "
				      "(UIDPLUS): purge with $ to remove them here."));
}

int be_imap_copy(struct be_folder *f, const size_t *idx, size_t n, const char *dest, bool move,
		 struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap_account *acc = f->account->priv;
	if (move && x->read_only)
		return err_set(e, ERR_FOLDER, ERR_PERM, _("%s is read-only"), f->name);
	char *wire = be_imap_wire_name(acc, dest, e);
	if (wire == NULL)
		return -1;
	struct imap_seqset set;
	uid_set(x, idx, n, &set);
	struct imap *p = x->link->p;
	int rc;
	x->removed = false;
	if (be_imap_lost(p)) {
		rc = move ? be_imap_offline_remove(f, &set, wire, e)
			  : err_set(e, ERR_FOLDER, ERR_IO,
				    _("offline: a copy needs the server (a move is kept until "
				      "the connection is back)"));
		imap_seqset_release(&set);
		free(wire);
		return rc;
	}
	if (move && imap_has(p, IMAP_CAP_MOVE)) {
		rc = per_piece(x, "UID MOVE", &set, wire, e);     /* RFC 6851 */
	} else {
		rc = per_piece(x, "UID COPY", &set, wire, e);
		if (rc == 0 && move)
			rc = be_imap_store_flags(x, &set, '+', SUMMARY_DELETED, e);
		/* RFC 4315 s2.1: only these messages, not others' deleted ones. */
		if (rc == 0 && move && imap_has(p, IMAP_CAP_UIDPLUS))
			rc = per_piece(x, "UID EXPUNGE", &set, NULL, e);
		else if (rc == 0 && move)
			warn_no_uidplus_move(f);
		if (rc == 0 && move && !imap_has(p, IMAP_CAP_UIDPLUS))
			for (size_t k = 0; k < n; k++)
				if (idx[k] < x->n)
					x->msgs[idx[k]].flags |= SUMMARY_DELETED;
	}
	imap_seqset_release(&set);
	free(wire);
	if (rc < 0 && e->code == IMAP_ERR_NO && strstr(e->msg, "[TRYCREATE]") != NULL)
		err_set(e, ERR_FOLDER, IMAP_ERR_NO, _("there is no folder %s on the server"), dest);
	be_imap_publish(f);
	return rc;
}

/* ------------------------------------------------------------ matches */

/* Summaries of the messages in uids (a sorted set), in pieces. */
int be_imap_fetch_uids(struct imap_folder *x, const struct imap_seqset *uids, struct err *e)
{
	struct buf text;
	buf_init(&text, SET_TEXT_MAX + 256);
	size_t from = 0;
	int rc = 0;
	x->sorted = false;
	be_imap_adding_begin(x);
	while (rc == 0 && from < uids->n) {
		buf_reset(&text);
		if (imap_seqset_format(uids, &from, SET_TEXT_MAX, &text) == 0)
			break;
		buf_cut_ok(buf_printf(&text, " %s", BE_IMAP_SUMMARY_ITEMS_FOR(x->link->p)));
		struct imap_cmd c;
		imap_cmd_init(&c, x->link->p, "UID FETCH");
		imap_cmd_raw(&c, text.data);
		rc = imap_run(x->link->p, &c, be_imap_untagged, x, e);
		imap_cmd_release(&c);
	}
	buf_release(&text);
	be_imap_adding_end(x, rc);
	sort_msgs(x);
	return rc;
}
