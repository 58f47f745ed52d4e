#include "config.h"

#include "be_pop3.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "be_mbox.h"
#include "be_net.h"
#include "conn.h"
#include "header.h"
#include "i18n.h"
#include "mbox_append.h"
#include "mem.h"
#include "pop3.h"
#include "uidl_journal.h"
#include "secret.h"
#include "str.h"

#define BATCH_MSGS 64
#define BATCH_BYTES ((uint64_t)16 << 20)
#define PROGRESS_STEP ((uint64_t)256 << 10)
#define MESSAGE_MAX ((size_t)256 << 20)
#define DIGEST_PREFIX "tern-h-"

/* ------------------------------------------------------------ test hook */

/* Tests only (tests/server/test-fetch-crash.sh): with TERN_TEST_CRASH_STEP
 * = N in the environment, the process kills itself with SIGKILL at the
 * N-th durable step of a fetch (intent recorded, mbox appended, stored
 * recorded, deletions sent, QUIT sent), so that every step is tested as a
 * crash point.  Unset, this costs one getenv per step. */
static void durable_step(unsigned *counter)
{
	const char *at = getenv("TERN_TEST_CRASH_STEP");
	unsigned long n;
	if (at != NULL && str_to_ulong(at, 1, 1000000, &n) == 0 && ++*counter == n)
		raise(SIGKILL);
}

/* ------------------------------------------------------------ the connection */

/* ------------------------------------------------------------ a run */

struct fetched {
	size_t item;          /* index into the run's items */
	struct buf data;
};

struct run {
	const struct cfg_account *acct;
	const struct ui_hooks *ui;
	struct pop3_report *r;
	struct pop3 *p;
	struct uidl_journal *st;
	struct pop3_maildrop md;
	char **uid;               /* per maildrop message: identity, or NULL */
	struct pop3_fetch_item *items;
	size_t n_items;
	size_t *item_msg;         /* item -> maildrop index */
	struct fetched *batch;    /* messages retrieved, not yet stored */
	size_t n_batch;
	size_t done;              /* for progress: messages retrieved, */
	uint64_t done_bytes;      /* their bytes (and the current one's), */
	uint64_t total_bytes;     /* of all to retrieve (LIST's sizes), */
	uint64_t shown_bytes;     /* at the last report */
	bool cancelled;
	unsigned steps;           /* durable steps done (test hook) */
	char what[256];
};

static int ask_secret(void *ctx, const char *prompt, struct buf *out, struct err *e)
{
	struct run *run = ctx;
	if (run->ui == NULL || run->ui->password == NULL ||
	    run->ui->password(run->ui->ctx, run->acct->name, prompt, out) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_PERM,
			       _("account %s: no password (nothing was downloaded)"),
			       run->acct->name);
	return 0;
}

static int fetch_begin(void *ctx, struct pop3_fetch_item *it, struct err *e)
{
	(void)e;
	struct run *run = ctx;
	struct fetched *f = &run->batch[run->n_batch];
	f->item = (size_t)(it - run->items);
	buf_init(&f->data, MESSAGE_MAX);
	return 0;
}

/* Reports progress in bytes, the messages counted in the text: "Downloading
 * home (3/10)".  Returns false if the person asked to stop. */
static bool report(struct run *run)
{
	if (run->ui == NULL || run->ui->progress == NULL)
		return true;
	char what[sizeof(run->what) + 64];
	snprintf(what, sizeof(what), "%s (%zu/%zu)", run->what, run->done, run->n_items);
	run->shown_bytes = run->done_bytes;
	uint64_t total = run->total_bytes > run->done_bytes ? run->total_bytes : run->done_bytes;
	return run->ui->progress(run->ui->ctx, what, run->done_bytes, total, "bytes");
}

static int fetch_data(void *ctx, struct pop3_fetch_item *it, const char *p, size_t n,
		      struct err *e)
{
	struct run *run = ctx;
	if (buf_append(&run->batch[run->n_batch].data, p, n) < 0)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("message %lu is too large"), it->num);
	/* A big message shows its progress (stopping waits for its end). */
	run->done_bytes += n;
	if (run->done_bytes - run->shown_bytes >= PROGRESS_STEP && !report(run))
		run->cancelled = true;
	return 0;
}

static int fetch_end(void *ctx, struct pop3_fetch_item *it, struct err *e)
{
	(void)it;
	(void)e;
	struct run *run = ctx;
	run->n_batch++;
	run->done++;
	if (!report(run))
		run->cancelled = true;
	return 0;
}

static void fetch_failed(void *ctx, struct pop3_fetch_item *it, const struct err *why)
{
	(void)it;
	(void)why;
	struct run *run = ctx;
	run->r->skipped++;
	if (run->n_batch < BATCH_MSGS && run->batch[run->n_batch].data.cap > 0)
		buf_release(&run->batch[run->n_batch].data);
}

/* The envelope sender for the From_ line: Return-Path, else From. */
static void sender_of(const struct buf *msg, struct buf *out)
{
	size_t hlen = header_block_len(msg->data, msg->len);
	buf_reset(out);
	if (header_get(msg->data, hlen, "Return-Path", out) != 1 || out->len < 3) {
		buf_reset(out);
		(void)header_get(msg->data, hlen, "From", out);
	}
	/* "<a@b>" or "Name <a@b>": the address inside the brackets. */
	char *lt = strrchr(out->data, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt != NULL && gt != NULL) {
		size_t n = (size_t)(gt - lt - 1);
		memmove(out->data, lt + 1, n);
		buf_truncate(out, n);
	}
}

/* Releases the batch, and a message begun and never ended. */
static void batch_release(struct run *run)
{
	for (size_t i = 0; i <= run->n_batch && i <= BATCH_MSGS; i++)
		buf_release(&run->batch[i].data);
	run->n_batch = 0;
}

/* A message whose size differs from LIST's is stored as it came, but
 * kept on the server (K): what we hold may be less than what it has. */
static int hold_mismatched(struct run *run, const char **uids, struct err *e)
{
	size_t k = 0;
	const char **held = xcalloc(run->n_batch, sizeof(*held));
	for (size_t i = 0; i < run->n_batch; i++)
		if (run->items[run->batch[i].item].size_mismatch)
			held[k++] = uids[i];
	int rc = k ? uidl_journal_hold(run->st, held, k, e) : 0;
	if (rc == 0)
		run->r->held += k;
	free(held);
	return rc;
}

/* Stores the batch durably (uidl_journal.h's order) and marks the items
 * to delete.  Returns 0, or -1 with e (nothing of the batch is stored:
 * the append is all or nothing). */
static int store_batch(struct run *run, time_t now, struct err *e)
{
	if (run->n_batch == 0)
		return 0;
	size_t n = run->n_batch;
	struct uidl_pending *pend = xcalloc(n, sizeof(*pend));
	struct mbox_append_msg *am = xcalloc(n, sizeof(*am));
	const char **uids = xcalloc(n, sizeof(*uids));
	struct buf *senders = xcalloc(n, sizeof(*senders));
	struct stat sb;
	long long size_before = stat(run->acct->mbox, &sb) == 0 ? (long long)sb.st_size : 0;
	for (size_t i = 0; i < n; i++) {
		const struct fetched *f = &run->batch[i];
		const char *uid = run->uid[run->item_msg[f->item]];
		pend[i].uidl = uids[i] = uid;
		pend[i].hash = mbox_append_content_hash(f->data.data, f->data.len);
		pend[i].size_before = size_before;
		buf_init(&senders[i], 1024);
		sender_of(&f->data, &senders[i]);
		am[i].sender = senders[i].data;
		am[i].date = now;
		am[i].data = f->data.data;
		am[i].len = f->data.len;
	}
	int rc = uidl_journal_pending(run->st, pend, n, e);
	if (rc == 0) {
		durable_step(&run->steps);
		rc = mbox_append_batch(run->acct->mbox, am, n, NULL, e);
	}
	if (rc == 0) {
		durable_step(&run->steps);
		rc = uidl_journal_stored(run->st, uids, n, now, e);
	}
	if (rc == 0)
		durable_step(&run->steps);
	if (rc == 0)
		rc = hold_mismatched(run, uids, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		run->r->fetched++;
		run->r->bytes += run->batch[i].data.len;
	}
	for (size_t i = 0; i < n; i++)
		buf_release(&senders[i]);
	free(senders);
	free(uids);
	free(am);
	free(pend);
	batch_release(run);
	return rc;
}

/* Whether the policy deletes a message stored at stored. */
static bool to_delete(const struct cfg_account *a, time_t stored, time_t now)
{
	if (!a->keep)
		return true;
	return a->delete_after_days != CFG_NO_EXPIRY &&
	       stored + (time_t)a->delete_after_days * 86400 <= now;
}

/* Gives every message an identity: its UIDL, else (no UIDL, a bad or
 * duplicate one) a digest of its header from TOP n 0.  Identities that
 * collide are dropped: such messages are neither downloaded nor deleted. */
static int identify(struct run *run, struct err *e)
{
	struct pop3_maildrop *md = &run->md;
	run->uid = xcalloc(md->n ? md->n : 1, sizeof(*run->uid));
	for (size_t i = 0; i < md->n; i++) {
		const struct pop3_msginfo *m = &md->msgs[i];
		if (m->uid_status == POP3_UID_OK) {
			run->uid[i] = xstrdup(m->uid);
			continue;
		}
		if (m->uid_status != POP3_UID_NONE)
			run->r->bad_uidl++;
		struct buf head;
		buf_init(&head, 1 << 20);
		if (pop3_top(run->p, m->num, 0, &head, e) == 0) {
			char id[64];
			snprintf(id, sizeof(id), DIGEST_PREFIX "%016llx",
				 (unsigned long long)mbox_append_content_hash(head.data, head.len));
			run->uid[i] = xstrdup(id);
		} else if (pop3_state(run->p) == POP3_STATE_ERROR) {
			buf_release(&head);
			return -1;
		}
		err_init(e);
		buf_release(&head);
	}
	bool *clash = xcalloc(md->n ? md->n : 1, sizeof(*clash));
	for (size_t i = 0; i < md->n; i++)
		for (size_t j = i + 1; run->uid[i] && j < md->n; j++)
			if (run->uid[j] && strcmp(run->uid[i], run->uid[j]) == 0)
				clash[i] = clash[j] = true;
	for (size_t i = 0; i < md->n; i++)
		if (clash[i])
			xfree(&run->uid[i]);
	free(clash);
	return 0;
}

/* Retrieves and stores the new messages, batch by batch. */
static int download(struct run *run, struct err *e)
{
	struct pop3_maildrop *md = &run->md;
	run->items = xcalloc(md->n ? md->n : 1, sizeof(*run->items));
	run->item_msg = xcalloc(md->n ? md->n : 1, sizeof(*run->item_msg));
	for (size_t i = 0; i < md->n; i++) {
		if (run->uid[i] == NULL) {
			run->r->skipped++;
			continue;
		}
		if (uidl_journal_get(run->st, run->uid[i], NULL) == UIDL_STORED) {
			run->r->already++;
			continue;
		}
		run->items[run->n_items].num = md->msgs[i].num;
		run->items[run->n_items].size = md->msgs[i].size;
		if (md->msgs[i].size != POP3_SIZE_UNKNOWN)
			run->total_bytes += md->msgs[i].size;
		run->item_msg[run->n_items++] = i;
	}
	run->batch = xcalloc(BATCH_MSGS + 1, sizeof(*run->batch));
	struct pop3_fetch_ops ops = {
		.ctx = run, .begin = fetch_begin, .data = fetch_data, .end = fetch_end,
		.failed = fetch_failed,
	};
	size_t from = 0;
	while (from < run->n_items && !run->cancelled) {
		size_t k = 0;
		uint64_t bytes = 0;
		while (from + k < run->n_items && k < BATCH_MSGS &&
		       (k == 0 || bytes + run->items[from + k].size <= BATCH_BYTES)) {
			if (run->items[from + k].size != POP3_SIZE_UNKNOWN)
				bytes += run->items[from + k].size;
			k++;
		}
		int rc = pop3_fetch(run->p, run->items + from, k, &ops, e);
		/* What arrived whole is stored even if the fetch stopped. */
		struct err se;
		err_init(&se);
		if (store_batch(run, time(NULL), &se) < 0) {
			*e = se;
			return -1;
		}
		if (rc < 0)
			return -1;
		from += k;
	}
	/* The last report says 100%, whatever LIST's sizes promised. */
	run->total_bytes = run->done_bytes;
	if (run->n_items > 0 && !run->cancelled)
		(void)report(run);
	return 0;
}

/* DELE of every stored message the policy deletes. */
static int delete_stored(struct run *run, struct err *e)
{
	time_t now = time(NULL);
	size_t n = 0;
	struct pop3_fetch_item *items = xcalloc(run->md.n ? run->md.n : 1, sizeof(*items));
	for (size_t i = 0; i < run->md.n; i++) {
		time_t stored;
		if (run->uid[i] != NULL &&
		    uidl_journal_get(run->st, run->uid[i], &stored) == UIDL_STORED &&
		    to_delete(run->acct, stored, now) && !uidl_journal_held(run->st, run->uid[i]))
			items[n++].num = run->md.msgs[i].num;
	}
	int rc = n ? pop3_dele_many(run->p, items, n, e) : 0;
	for (size_t i = 0; i < n; i++)
		run->r->deleted += items[i].deleted;
	durable_step(&run->steps);
	free(items);
	return rc;
}

static bool still_listed(void *ctx, const char *uidl)
{
	const struct run *run = ctx;
	for (size_t i = 0; i < run->md.n; i++)
		if (run->uid[i] != NULL && strcmp(run->uid[i], uidl) == 0)
			return true;
	return false;
}

/* The transaction: everything between login and QUIT. */
static int transaction(struct run *run, struct err *e)
{
	size_t dropped = 0;
	if (pop3_stat(run->p, &run->md, e) < 0 || pop3_list(run->p, &run->md, e) < 0)
		return -1;
	run->r->listed = run->md.n;
	if (pop3_uidl(run->p, &run->md, e) < 0) {
		if (pop3_state(run->p) == POP3_STATE_ERROR)
			return -1;
		run->r->no_uidl = true; /* header digests instead */
		err_init(e);
	}
	if (identify(run, e) < 0)
		return -1;
	if (uidl_journal_settle(run->st, run->acct->mbox, &run->r->recovered, &dropped, e) < 0)
		return -1;
	snprintf(run->what, sizeof(run->what), _("Downloading %s"), run->acct->name);
	if (download(run, e) < 0)
		return -1;
	if (run->cancelled)
		return err_set(e, ERR_CANCELLED, ERR_OK, _("download stopped; what arrived is stored"));
	if (delete_stored(run, e) < 0)
		return -1;
	/* The journal forgets what the server stopped listing long ago (and
	 * what it deletes now is gone after QUIT). */
	if (run->md.n > 0 && uidl_journal_compact(run->st, still_listed, run, time(NULL), e) < 0)
		err_init(e); /* not fatal: the old file is intact */
	return 0;
}

static void run_release(struct run *run)
{
	for (size_t i = 0; run->uid && i < run->md.n; i++)
		free(run->uid[i]);
	free(run->uid);
	free(run->items);
	free(run->item_msg);
	if (run->batch != NULL)
		batch_release(run);
	free(run->batch);
	pop3_maildrop_release(&run->md);
	pop3_free(&run->p);
}

/* One connection: open, log in, transaction, QUIT (RSET first after any
 * local error).  *cert_r is filled if the certificate was not trusted. */
static int session(struct run *run, const char *pin, struct conn_cert *cert_r,
		   bool *unverified_r, struct err *e)
{
	const struct cfg_account *a = run->acct;
	struct conn_options o;
	be_net_options(a, 995, 110, pin, POP3_MSG_LINE_MAX + 2, &o);
	struct be_net_io x = { 0 };
	*unverified_r = false;
	if (conn_open(&x.c, &o, cert_r, e) < 0) {
		*unverified_r = e->code == CONN_ERR_TLS_UNVERIFIED;
		return -1;
	}
	struct pop3_io io = { &x, be_net_read_line, be_net_write, be_net_start_tls, be_net_is_tls };
	run->p = pop3_new(&io, NULL);
	pop3_maildrop_init(&run->md);
	struct buf secret;
	buf_init(&secret, SECRET_MAX);
	int rc = pop3_open(run->p, a->tls == CFG_TLS_STARTTLS, e);
	if (rc < 0 && x.cert_unverified) {
		*cert_r = x.cert;
		*unverified_r = true;
	}
	if (rc == 0)
		rc = secret_get_password(a, ask_secret, run, &secret, e);
	enum pop3_auth mech = POP3_AUTH_AUTO;
	if (rc == 0 && a->auth != NULL && pop3_auth_from_name(a->auth, &mech) < 0)
		rc = err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			     _("auth = %s is not a POP3 login mechanism"), a->auth);
	if (rc == 0) {
		struct pop3_login l = {
			.user = a->user, .secret = secret.data, .auth = mech,
			.token = mech == POP3_AUTH_OAUTHBEARER || mech == POP3_AUTH_XOAUTH2,
			.allow_plaintext = a->allow_plaintext, .host = a->host, .port = o.port,
		};
		rc = pop3_login(run->p, &l, e);
	}
	buf_wipe(&secret);
	buf_release(&secret);
	if (rc == 0)
		rc = transaction(run, e);
	enum pop3_state ps = pop3_state(run->p);
	if (ps == POP3_STATE_TRANSACTION) {
		struct err qe;
		err_init(&qe);
		if (rc < 0)
			(void)pop3_rset(run->p, &qe); /* nothing deleted */
		if (rc == 0)
			durable_step(&run->steps);
		if (pop3_quit(run->p, &qe) < 0 && rc == 0) {
			*e = qe;
			rc = -1;
			run->r->deleted = 0;
		}
		if (rc < 0)
			run->r->deleted = 0;
	}
	run_release(run);
	conn_close(&x.c);
	return rc;
}

int be_pop3_fetch(const struct cfg_account *acct, const char *state_dir,
		  const struct ui_hooks *ui, struct pop3_report *r, struct err *e)
{
	memset(r, 0, sizeof(*r));
	if (acct->mode != CFG_MODE_POP3)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE,
			       _("account %s is not a POP3 account"), acct->name);
	char *state_path = be_net_state_file(state_dir, "pop3", acct->name, "state");
	char *pin_path = be_net_state_file(state_dir, "pop3", acct->name, "pin");
	struct run run = { .acct = acct, .ui = ui, .r = r };
	int rc = uidl_journal_open(&run.st, state_path, e);
	char saved[65];
	const char *pin = be_net_pin(acct, pin_path, saved);
	struct conn_cert cert;
	bool unverified = false;
	if (rc == 0)
		rc = session(&run, pin, &cert, &unverified, e);
	if (rc < 0 && unverified && pin == NULL && be_net_decide(acct, ui, &cert, pin_path, e) == 0) {
		/* Accepted: again, requiring exactly that certificate. */
		struct uidl_journal *st = run.st;
		char accepted[65];
		memcpy(accepted, cert.sha256, sizeof(accepted));
		run = (struct run){ .acct = acct, .ui = ui, .r = r, .st = st };
		err_init(e);
		rc = session(&run, accepted, &cert, &unverified, e);
	}
	uidl_journal_close(&run.st);
	free(state_path);
	free(pin_path);
	return rc;
}

/* ------------------------------------------------------------ reader */

struct pop3_ext {
	struct backend_ops ops;    /* the mbox's, with get_mail */
	struct cfg_account acct;   /* a copy, owned */
	char *state_dir;
};

static int get_mail(struct be_account *a, size_t *new_r, struct err *e)
{
	struct pop3_ext *x = a->ext;
	struct pop3_report r;
	int rc = be_pop3_fetch(&x->acct, x->state_dir, a->ui, &r, e);
	*new_r = r.fetched;
	return rc;
}

static void close_pop3(struct be_account **ap)
{
	struct be_account *a = *ap;
	if (a == NULL)
		return;
	struct pop3_ext *x = a->ext;
	cfg_account_release(&x->acct);
	free(x->state_dir);
	free(x);
	a->ext = NULL;
	be_mbox_ops()->close_account(ap);
}

int be_pop3_open(struct be_account **a_r, const struct cfg_account *acct,
		 const char *cache_path, const char *state_dir,
		 const struct ui_hooks *ui, struct err *e)
{
	if (be_mbox_open(a_r, acct->name, acct->mbox, cache_path, true, ui, e) < 0)
		return -1;
	struct pop3_ext *x = xcalloc(1, sizeof(*x));
	x->ops = *be_mbox_ops();
	x->ops.name = "pop3";
	x->ops.caps |= BE_CAP_GET_MAIL;
	x->ops.get_mail = get_mail;
	x->ops.close_account = close_pop3;
	cfg_account_copy(&x->acct, acct);
	x->state_dir = xstrdup(state_dir);
	(*a_r)->ext = x;
	(*a_r)->ops = &x->ops;
	(*a_r)->caps = x->ops.caps;
	return 0;
}
