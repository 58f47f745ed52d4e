#include "config.h"

#include "be_imap_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "be_net.h"
#include "fsutil.h"
#include "i18n.h"
#include "imap.h"
#include "imap_resp.h"
#include "imap_utf7.h"
#include "mem.h"
#include "secret.h"
#include "str.h"

#define TRACE_MAX 400          /* bytes of a protocol line in the log */
#define STATUS_WINDOW 16       /* STATUS commands in flight */
#define FOLDERS_MAX 100000


/* ------------------------------------------------------------ connection */

static void trace(void *ctx, bool sent, const char *line, size_t len)
{
	struct be_imap_link *l = ctx;
	log_debug(l->lg, "imap %s %s %.*s%s", l->acct->name, sent ? "C:" : "S:",
		  (int)(len < TRACE_MAX ? len : TRACE_MAX), line, len > TRACE_MAX ? "..." : "");
}

static int ask_secret(void *ctx, const char *prompt, struct buf *out, struct err *e)
{
	struct be_imap_link *l = ctx;
	if (l->ui == NULL || l->ui->password == NULL ||
	    l->ui->password(l->ui->ctx, l->acct->name, prompt, out) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_PERM, _("account %s: no password"),
			       l->acct->name);
	return 0;
}

static int log_in(struct be_imap_link *l, unsigned port, struct err *e)
{
	const struct cfg_account *a = l->acct;
	struct buf secret;
	buf_init(&secret, SECRET_MAX);
	int rc = secret_get_password(a, ask_secret, l, &secret, e);
	enum imap_auth mech = IMAP_AUTH_AUTO;
	if (rc == 0 && a->auth != NULL && imap_auth_from_name(a->auth, &mech) < 0)
		rc = err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			     _("auth = %s is not an IMAP login mechanism"), a->auth);
	if (rc == 0) {
		log_add_secret(l->lg, secret.data);
		struct imap_login in = {
			.user = a->user, .secret = secret.data, .auth = mech,
			.token = mech == IMAP_AUTH_OAUTHBEARER || mech == IMAP_AUTH_XOAUTH2,
			.allow_plaintext = a->allow_plaintext, .host = a->host, .port = port,
		};
		rc = imap_login(l->p, &in, e);
	}
	buf_wipe(&secret);
	buf_release(&secret);
	return rc;
}

/* One attempt: connect, greeting, STARTTLS, login, COMPRESS, ENABLE, ID.
 * *cert_r is filled when the certificate was not trusted. */
static int session(struct be_imap_link *l, const char *pin, struct conn_cert *cert_r,
		   bool *unverified_r, struct err *e)
{
	const struct cfg_account *a = l->acct;
	struct conn_options o;
	be_net_options(a, 993, 143, pin, IMAP_PARSER_LINE_MAX + 2, &o);
	*unverified_r = false;
	memset(&l->io, 0, sizeof(l->io));
	if (conn_open(&l->io.c, &o, cert_r, e) < 0) {
		*unverified_r = e->code == CONN_ERR_TLS_UNVERIFIED;
		l->unreached = e->code == CONN_ERR_RESOLVE || e->code == CONN_ERR_CONNECT ||
			       e->code == CONN_ERR_TIMEOUT;
		return -1;
	}
	l->unreached = false;
	struct imap_io io = { &l->io, be_net_read_line, be_net_read_exact, be_net_write,
			      be_net_start_tls, be_net_is_tls, be_net_start_deflate };
	struct imap_settings set = { .trace = trace, .trace_ctx = l };
	l->p = imap_new(&io, &set);
	int rc = imap_open(l->p, a->tls == CFG_TLS_STARTTLS, e);
	if (rc < 0 && l->io.cert_unverified) {
		*cert_r = l->io.cert;
		*unverified_r = true;
	}
	if (rc == 0 && imap_state(l->p) == IMAP_STATE_NOT_AUTH)
		rc = log_in(l, o.port, e);
	/* RFC 4978: as soon as logged in, so that all the rest is
	 * compressed; a server that refuses loses nothing. */
	if (rc == 0 && a->compress)
		rc = imap_compress(l->p, e);
	if (rc == 0)
		rc = imap_enable(l->p, IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC | IMAP_CAP_UTF8_ACCEPT,
				 e);
	/* RFC 2971: the program's name and version, nothing about the
	 * person or the machine; a server that refuses it loses nothing.
	 * A session that ended meanwhile (a drop, a BYE) ends here, with
	 * its own reason rather than a later "unusable" one. */
	if (rc == 0 && imap_has(l->p, IMAP_CAP_ID)) {
		struct err id_err;
		err_init(&id_err);
		if (imap_simple(l->p, "ID", "(\"name\" \"tern\" \"version\" \"" PACKAGE_VERSION "\")",
				NULL, NULL, &id_err) < 0 &&
		    (imap_state(l->p) == IMAP_STATE_ERROR || imap_state(l->p) == IMAP_STATE_LOGOUT)) {
			*e = id_err;
			rc = -1;
		}
	}
	if (rc < 0) {
		imap_free(&l->p);
		conn_close(&l->io.c);
	}
	return rc;
}

/* A link not connected yet, with the certificate to require (the
 * configured fingerprint, else the one pinned before, else none) in pin;
 * *pin_path_r (may be NULL) gets the pin file's path. */
static struct be_imap_link *new_link(const struct cfg_account *acct, const char *state_dir,
				     const struct ui_hooks *ui, struct logger *lg,
				     char **pin_path_r)
{
	struct be_imap_link *l = xcalloc(1, sizeof(*l));
	l->acct = acct;
	l->ui = ui;
	l->lg = lg;
	char *pin_path = be_net_state_file(state_dir, "imap", acct->name, "pin");
	char saved[65];
	const char *pin = be_net_pin(acct, pin_path, saved);
	snprintf(l->pin, sizeof(l->pin), "%s", pin ? pin : "");
	if (pin_path_r != NULL)
		*pin_path_r = pin_path;
	else
		free(pin_path);
	return l;
}

int be_imap_connect(struct be_imap_link **l_r, const struct cfg_account *acct,
		    const char *state_dir, const struct ui_hooks *ui, struct logger *lg,
		    bool *unreached_r, struct err *e)
{
	*l_r = NULL;
	if (acct->mode != CFG_MODE_IMAP)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("account %s is not an IMAP account"),
			       acct->name);
	char *pin_path = NULL;
	struct be_imap_link *l = new_link(acct, state_dir, ui, lg, &pin_path);
	const char *pin = l->pin[0] ? l->pin : NULL;
	struct conn_cert cert;
	bool unverified;
	log_info(lg, "imap %s: connecting to %s", acct->name, acct->host);
	int rc = session(l, pin, &cert, &unverified, e);
	if (rc < 0 && unverified && pin == NULL &&
	    be_net_decide(acct, ui, &cert, pin_path, e) == 0) {
		/* Accepted: again, requiring exactly that certificate (and on
		 * every reconnection). */
		snprintf(l->pin, sizeof(l->pin), "%s", cert.sha256);
		err_init(e);
		rc = session(l, l->pin, &cert, &unverified, e);
	}
	free(pin_path);
	if (rc < 0) {
		log_error(lg, "imap %s: %s", acct->name, e->msg);
		if (unreached_r != NULL)
			*unreached_r = l->unreached;
		free(l);
		return -1;
	}
	*l_r = l;
	return 0;
}

/* The transport of a session that could not reconnect: every call fails,
 * so the session is unusable (IMAP_STATE_ERROR) but never NULL. */
static int dead_read(void *ctx, struct buf *line, struct err *e)
{
	(void)ctx;
	(void)line;
	return err_set(e, ERR_ACCOUNT, ERR_IO, _("offline"));
}

static int dead_exact(void *ctx, size_t n, struct buf *out, struct err *e)
{
	(void)n;
	return dead_read(ctx, out, e);
}

static int dead_write(void *ctx, const char *p, size_t n, struct err *e)
{
	(void)p;
	(void)n;
	return dead_read(ctx, NULL, e);
}

static void go_offline(struct be_imap_link *l)
{
	static const struct imap_io dead = { NULL, dead_read, dead_exact, dead_write, NULL, NULL,
					     NULL };
	struct err ignored;
	err_init(&ignored);
	l->p = imap_new(&dead, NULL);
	(void)imap_open(l->p, false, &ignored); /* fails: state ERROR */
}

/* A link for an account whose server cannot be reached now: offline from
 * the start, with the certificate pinned before, if any, to require when
 * check reconnects (nobody is asked then). */
static struct be_imap_link *offline_link(const struct cfg_account *acct, const char *state_dir,
					 const struct ui_hooks *ui, struct logger *lg)
{
	struct be_imap_link *l = new_link(acct, state_dir, ui, lg, NULL);
	go_offline(l);
	return l;
}

void be_imap_drop(struct be_imap_link *l)
{
	imap_free(&l->p);
	conn_close(&l->io.c);
	l->selected = NULL;
	go_offline(l);
}

int be_imap_reconnect(struct be_imap_link *l, struct err *e)
{
	imap_free(&l->p);
	conn_close(&l->io.c);
	l->selected = NULL;
	struct conn_cert cert;
	bool unverified;
	log_info(l->lg, "imap %s: reconnecting to %s", l->acct->name, l->acct->host);
	int rc = session(l, l->pin[0] ? l->pin : NULL, &cert, &unverified, e);
	if (rc < 0) {
		log_warn(l->lg, "imap %s: %s", l->acct->name, e->msg);
		go_offline(l);
	}
	return rc;
}

void be_imap_disconnect(struct be_imap_link **lp)
{
	struct be_imap_link *l = *lp;
	if (l == NULL)
		return;
	struct err ignored;
	err_init(&ignored);
	if (l->p != NULL && imap_state(l->p) != IMAP_STATE_ERROR)
		(void)imap_logout(l->p, &ignored);
	imap_free(&l->p);
	conn_close(&l->io.c);
	free(l);
	*lp = NULL;
}

/* ------------------------------------------------------------ folders */

struct folders {
	struct be_imap_link *l;
	struct be_folder_info *v;
	char **wire;               /* per folder: the name as sent */
	size_t n, cap_v, cap_w;
	bool special_use_seen;
};

static enum be_role role_of(unsigned attrs, bool inbox)
{
	if (inbox)
		return BE_ROLE_INBOX;
	if (attrs & IMAP_LIST_SENT)
		return BE_ROLE_SENT;
	if (attrs & IMAP_LIST_DRAFTS)
		return BE_ROLE_DRAFTS;
	if (attrs & IMAP_LIST_TRASH)
		return BE_ROLE_TRASH;
	if (attrs & IMAP_LIST_JUNK)
		return BE_ROLE_JUNK;
	if (attrs & IMAP_LIST_ARCHIVE)
		return BE_ROLE_ARCHIVE;
	return BE_ROLE_NONE;
}

static struct be_folder_info *find(struct folders *f, const char *wire)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->wire[i], wire) == 0)
			return &f->v[i];
	return NULL;
}

static int depth_of(const char *display, char delim)
{
	int d = 0;
	for (const char *s = display; delim && *s; s++)
		d += *s == delim;
	return d;
}

static int add_list(struct folders *f, const struct imap_list *li, struct err *e)
{
	struct be_folder_info *fi = find(f, li->name.wire);
	if (fi != NULL) {
		fi->subscribed = fi->subscribed || li->lsub;
		return 0;
	}
	if (li->lsub)
		return 0; /* subscribed but not listed: it does not exist */
	if (f->n == FOLDERS_MAX)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, _("IMAP LIST: more than %d folders"),
			       FOLDERS_MAX);
	f->v = xgrow(f->v, &f->cap_v, f->n + 1, sizeof(*f->v));
	f->wire = xgrow(f->wire, &f->cap_w, f->n + 1, sizeof(*f->wire));
	fi = &f->v[f->n];
	memset(fi, 0, sizeof(*fi));
	f->wire[f->n++] = xstrdup(li->name.wire);
	fi->display = xstrdup(li->name.display);
	fi->name = xstrdup(li->name.display);
	fi->depth = depth_of(li->name.display, li->delim);
	fi->role = role_of(li->attrs, li->name.inbox);
	/* A name we cannot decode is shown, never opened. */
	fi->selectable = !(li->attrs & (IMAP_LIST_NOSELECT | IMAP_LIST_NONEXISTENT)) &&
			 !li->name.invalid;
	fi->subscribed = (li->attrs & IMAP_LIST_SUBSCRIBED) != 0;
	fi->total = fi->unread = -1;
	if (li->attrs & IMAP_LIST_SPECIAL_USE)
		f->special_use_seen = true;
	return 0;
}

static void add_status(struct folders *f, const struct imap_mailbox_status *st)
{
	struct be_folder_info *fi = find(f, st->name.wire);
	if (fi == NULL)
		return;
	if (st->present & IMAP_STATUS_HAS_MESSAGES)
		fi->total = st->messages;
	if (st->present & IMAP_STATUS_HAS_UNSEEN)
		fi->unread = st->unseen;
}

static enum imap_name_mode name_mode(const struct folders *f)
{
	return imap_utf8(f->l->p) ? IMAP_NAME_UTF8 : IMAP_NAME_MUTF7;
}

static int on_list(void *ctx, const struct imap_response *r, struct err *e)
{
	struct folders *f = ctx;
	enum imap_data d = imap_resp_classify(r);
	if (d == IMAP_DATA_LIST || d == IMAP_DATA_LSUB) {
		struct imap_list li;
		int rc = imap_resp_list(r, name_mode(f), &li, e);
		if (rc == 0)
			rc = add_list(f, &li, e);
		imap_resp_list_release(&li);
		return rc;
	}
	if (d == IMAP_DATA_MAILBOX_STATUS) {
		struct imap_mailbox_status st;
		int rc = imap_resp_status(r, name_mode(f), &st, e);
		if (rc == 0)
			add_status(f, &st);
		imap_resp_status_release(&st);
		return rc;
	}
	return 0;
}

/* STATUS of every selectable folder, STATUS_WINDOW in flight. */
static int statuses(struct folders *f, struct err *e)
{
	unsigned tags[STATUS_WINDOW];
	size_t sent = 0, done = 0;
	int rc = 0;
	while (done < f->n) {
		while (rc == 0 && sent < f->n && sent - done < STATUS_WINDOW) {
			struct imap_cmd c;
			imap_cmd_init(&c, f->l->p, "STATUS");
			imap_cmd_string(&c, f->wire[sent], strlen(f->wire[sent]), false);
			imap_cmd_raw(&c, "(MESSAGES UNSEEN)");
			if (f->v[sent].selectable)
				rc = imap_send(f->l->p, &c, on_list, f, &tags[sent % STATUS_WINDOW], e);
			else
				tags[sent % STATUS_WINDOW] = 0;
			imap_cmd_release(&c);
			sent++;
		}
		if (done == sent)
			break;
		unsigned t = tags[done % STATUS_WINDOW];
		struct err se;
		err_init(&se);
		/* A folder that cannot be asked keeps unknown counts. */
		if (t != 0 && imap_wait(f->l->p, t, on_list, f, &se) < 0 &&
		    se.scope == ERR_ACCOUNT) {
			*e = se;
			return -1;
		}
		done++;
	}
	return rc;
}

static int list(struct folders *f, bool with_counts, struct err *e)
{
	struct imap *p = f->l->p;
	bool ext = imap_has(p, IMAP_CAP_LIST_EXTENDED);
	bool lstatus = with_counts && ext && imap_has(p, IMAP_CAP_LIST_STATUS);
	struct buf args;
	buf_init(&args, 256);
	buf_cut_ok(buf_append_str(&args, "\"\" \"*\""));
	if (ext) {
		buf_cut_ok(buf_printf(&args, " RETURN (SUBSCRIBED%s%s)",
				      imap_has(p, IMAP_CAP_SPECIAL_USE) ? " SPECIAL-USE" : "",
				      lstatus ? " STATUS (MESSAGES UNSEEN)" : ""));
	}
	int rc = imap_simple(p, "LIST", args.data, on_list, f, e);
	buf_release(&args);
	if (rc == 0 && !ext)
		rc = imap_simple(p, "LSUB", "\"\" \"*\"", on_list, f, e);
	if (rc == 0 && with_counts && !lstatus)
		rc = statuses(f, e);
	return rc;
}

/* Without SPECIAL-USE anywhere, the usual names stand in for roles. */
static void guess_roles(struct folders *f)
{
	static const struct {
		const char *name;
		enum be_role role;
	} names[] = {
		{ "Sent", BE_ROLE_SENT }, { "Sent Items", BE_ROLE_SENT },
		{ "Sent Messages", BE_ROLE_SENT }, { "Drafts", BE_ROLE_DRAFTS },
		{ "Trash", BE_ROLE_TRASH }, { "Deleted Items", BE_ROLE_TRASH },
		{ "Junk", BE_ROLE_JUNK }, { "Spam", BE_ROLE_JUNK },
		{ "Archive", BE_ROLE_ARCHIVE },
	};
	if (f->special_use_seen)
		return;
	for (size_t i = 0; i < f->n; i++)
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (f->v[i].role == BE_ROLE_NONE && f->v[i].depth == 0 &&
			    str_eq_ci(f->v[i].display, names[k].name))
				f->v[i].role = names[k].role;
}

/* INBOX first; the rest keeps the server's order. */
static void inbox_first(struct folders *f)
{
	for (size_t i = 1; i < f->n; i++) {
		if (f->v[i].role != BE_ROLE_INBOX)
			continue;
		struct be_folder_info in = f->v[i];
		char *w = f->wire[i];
		memmove(f->v + 1, f->v, i * sizeof(*f->v));
		memmove(f->wire + 1, f->wire, i * sizeof(*f->wire));
		f->v[0] = in;
		f->wire[0] = w;
		break;
	}
}

int be_imap_folders(struct be_imap_link *l, bool with_counts, struct be_folder_info **list_r,
		    size_t *n_r, struct err *e)
{
	struct folders f = { .l = l };
	int rc = list(&f, with_counts, e);
	if (rc == 0) {
		guess_roles(&f);
		inbox_first(&f);
	}
	for (size_t i = 0; i < f.n; i++)
		free(f.wire[i]);
	free(f.wire);
	if (rc < 0) {
		be_folder_list_free(&f.v, f.n);
		return -1;
	}
	*list_r = f.v;
	*n_r = f.n;
	return 0;
}

/* ------------------------------------------------------------ the account */

char *be_imap_wire_name(struct imap_account *acc, const char *name, struct err *e)
{
	if (str_eq_ci(name, "INBOX"))
		return xstrdup("INBOX");
	struct buf b;
	buf_init(&b, IMAP_RESP_NAME_MAX);
	enum imap_name_mode mode = imap_utf8(acc->link->p) ? IMAP_NAME_UTF8 : IMAP_NAME_MUTF7;
	if (imap_utf7_to_server(mode, name, strlen(name), &b) < 0) {
		buf_release(&b);
		err_set(e, ERR_FOLDER, ERR_PARSE, _("%s cannot be a folder name"), name);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* The list as the cache has it (offline). */
static int cached_list(struct imap_account *acc, struct be_folder_info **list_r, size_t *n_r,
		       struct err *e)
{
	struct imap_cache_list_entry *v = NULL;
	size_t n = 0;
	if (acc->cache == NULL || imap_cache_list_get(acc->cache, &v, &n, e) < 0 || n == 0)
		return err_set(e, ERR_ACCOUNT, ERR_IO,
			       _("offline, and the folders of %s were never listed before"),
			       acc->acct.name);
	*list_r = xcalloc(n, sizeof(**list_r));
	for (size_t i = 0; i < n; i++) {
		(*list_r)[i] = (struct be_folder_info){
			.name = v[i].name, .display = v[i].display, .depth = v[i].depth,
			.role = (enum be_role)v[i].role, .total = v[i].total, .unread = v[i].unread,
			.selectable = v[i].selectable, .subscribed = v[i].subscribed,
		};
		v[i].name = v[i].display = NULL; /* taken over */
	}
	*n_r = n;
	imap_cache_list_free(v, n);
	return 0;
}

static void remember_list(struct imap_account *acc, const struct be_folder_info *list, size_t n)
{
	if (acc->cache == NULL)
		return;
	struct imap_cache_list_entry *v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (struct imap_cache_list_entry){
			.name = list[i].name, .display = list[i].display, .depth = list[i].depth,
			.role = (int)list[i].role, .selectable = list[i].selectable,
			.subscribed = list[i].subscribed, .total = list[i].total,
			.unread = list[i].unread,
		};
	struct err e;
	err_init(&e);
	if (imap_cache_list_put(acc->cache, v, n, &e) < 0)
		log_warn(acc->lg, "imap cache: %s", e.msg);
	free(v);
}

/* Online, the server's list (kept in the cache); offline (the session
 * lost, or never had), the cache's. */
static int list_folders(struct be_account *a, struct be_folder_info **list_r, size_t *n_r,
			struct err *e)
{
	struct imap_account *acc = a->priv;
	if (be_imap_lost(acc->link->p))
		return cached_list(acc, list_r, n_r, e);
	/* (A server that fails the LIST is an error, not a reason to show
	 * what was kept: it was reached.) */
	if (be_imap_folders(acc->link, true, list_r, n_r, e) < 0)
		return -1;
	remember_list(acc, *list_r, *n_r);
	return 0;
}

/* IDLE on the open folder (RFC 2177): the connection's descriptor, to
 * poll with the keyboard; -1 without IDLE (check then polls with NOOP). */
static int wait_fd(struct be_folder *f)
{
	struct imap_folder *x = f->priv;
	struct imap *p = x->link->p;
	if (!imap_has(p, IMAP_CAP_IDLE) || x->link->selected != x || x->base > 0)
		return -1; /* (loading: check is called at once) */
	struct err e;
	err_init(&e);
	int rc = imap_idling(p) ? 0 : imap_idle_start(p, be_imap_untagged, x, &e);
	be_imap_settle(f);
	if (rc < 0)
		return -1;
	x->idle_since = x->idle_since ? x->idle_since : time(NULL);
	return conn_fd(x->link->io.c);
}

static void free_account(struct imap_account *acc)
{
	imap_cache_close(&acc->cache);
	cfg_account_release(&acc->acct);
	free(acc->state_dir);
	free(acc->journal_path);
	free(acc);
}

static void close_account(struct be_account **ap)
{
	struct be_account *a = *ap;
	if (a == NULL)
		return;
	struct imap_account *acc = a->priv;
	be_imap_disconnect(&acc->link);
	free_account(acc);
	free(a->name);
	free(a);
	*ap = NULL;
}

/* ---- folder administration (RFC 9051 s6.3.4-6.3.7) ---- */

/* Runs VERB with the wire names of the folders given (one or two). */
static int folder_command(struct be_account *a, const char *verb, const char *name,
			  const char *to, struct err *e)
{
	struct imap_account *acc = a->priv;
	char *w1 = be_imap_wire_name(acc, name, e);
	char *w2 = w1 && to ? be_imap_wire_name(acc, to, e) : NULL;
	int rc = -1;
	if (w1 != NULL && (to == NULL || w2 != NULL)) {
		struct imap_cmd c;
		imap_cmd_init(&c, acc->link->p, verb);
		imap_cmd_string(&c, w1, strlen(w1), false);
		if (w2 != NULL)
			imap_cmd_string(&c, w2, strlen(w2), false);
		rc = imap_run(acc->link->p, &c, NULL, NULL, e);
		imap_cmd_release(&c);
	}
	/* A folder deleted or renamed: its cached copy means nothing now. */
	if (rc == 0 && acc->cache != NULL && (strcmp(verb, "DELETE") == 0 ||
					      strcmp(verb, "RENAME") == 0)) {
		struct err ce;
		err_init(&ce);
		(void)imap_cache_drop_folder(acc->cache, w1, &ce);
	}
	free(w1);
	free(w2);
	return rc;
}

/* The personal namespace's prefix (RFC 2342 s5: "INBOX." on Cyrus and
 * Courier, "" on Dovecot), asked once, when first needed. */
static int on_namespace(void *ctx, const struct imap_response *r, struct err *e)
{
	struct be_imap_link *l = ctx;
	if (imap_resp_classify(r) != IMAP_DATA_NAMESPACE)
		return 0;
	struct imap_namespace ns;
	struct err bad;
	err_init(&bad);
	(void)e;
	/* A NAMESPACE that does not decode: no prefix, as without one. */
	if (imap_resp_namespace(r, imap_utf8(l->p) ? IMAP_NAME_UTF8 : IMAP_NAME_MUTF7, &ns,
				&bad) == 0) {
		if (ns.personal && !ns.prefix.invalid && ns.prefix.display != NULL &&
		    strlen(ns.prefix.display) < sizeof(l->ns_prefix))
			snprintf(l->ns_prefix, sizeof(l->ns_prefix), "%s", ns.prefix.display);
		imap_resp_namespace_release(&ns);
	}
	return 0;
}

/* A folder the person names to be created: in the personal namespace,
 * unless the name is there already, is INBOX, or names another namespace
 * ("#shared/...", RFC 2342 s4).  A new string. */
static char *in_personal(struct be_imap_link *l, const char *name)
{
	if (!l->ns_asked && imap_has(l->p, IMAP_CAP_NAMESPACE)) {
		struct err ignored;
		err_init(&ignored);
		l->ns_asked = true;
		(void)imap_simple(l->p, "NAMESPACE", NULL, on_namespace, l, &ignored);
	}
	size_t n = strlen(l->ns_prefix);
	if (n == 0 || str_eq_ci(name, "INBOX") || name[0] == '#' ||
	    str_eqn_ci(name, l->ns_prefix, n))
		return xstrdup(name);
	char *full = xmalloc(n + strlen(name) + 1);
	memcpy(full, l->ns_prefix, n);
	memcpy(full + n, name, strlen(name) + 1);
	return full;
}

static int create_folder(struct be_account *a, const char *name, struct err *e)
{
	struct imap_account *acc = a->priv;
	char *full = in_personal(acc->link, name);
	/* Subscribed too, as a mail client's new folder is expected to be. */
	int rc = folder_command(a, "CREATE", full, NULL, e);
	if (rc == 0)
		rc = folder_command(a, "SUBSCRIBE", full, NULL, e);
	free(full);
	return rc;
}

static int rename_folder(struct be_account *a, const char *from, const char *to,
			 struct err *e)
{
	if (str_eq_ci(from, "INBOX"))
		return err_set(e, ERR_FOLDER, ERR_USAGE, _("INBOX cannot be renamed here"));
	struct imap_account *acc = a->priv;
	char *full = in_personal(acc->link, to);
	if (folder_command(a, "RENAME", from, full, e) < 0) {
		free(full);
		return -1;
	}
	struct err ignored;
	err_init(&ignored);
	(void)folder_command(a, "UNSUBSCRIBE", from, NULL, &ignored);
	(void)folder_command(a, "SUBSCRIBE", full, NULL, &ignored);
	free(full);
	return 0;
}

static int delete_folder(struct be_account *a, const char *name, struct err *e)
{
	if (str_eq_ci(name, "INBOX"))
		return err_set(e, ERR_FOLDER, ERR_USAGE, _("INBOX cannot be deleted"));
	struct imap_account *acc = a->priv;
	char *wire = be_imap_wire_name(acc, name, e);
	if (wire == NULL)
		return -1;
	bool open = acc->link->selected != NULL && strcmp(acc->link->selected->wire, wire) == 0;
	free(wire);
	if (open)
		return err_set(e, ERR_FOLDER, ERR_USAGE, _("%s is open: open another folder first"),
			       name);
	struct err ignored;
	err_init(&ignored);
	(void)folder_command(a, "UNSUBSCRIBE", name, NULL, &ignored);
	return folder_command(a, "DELETE", name, NULL, e);
}

static int subscribe(struct be_account *a, const char *name, bool on, struct err *e)
{
	return folder_command(a, on ? "SUBSCRIBE" : "UNSUBSCRIBE", name, NULL, e);
}

static const struct backend_ops imap_ops = {
	.name = "imap",
	.caps = BE_CAP_FOLDERS | BE_CAP_SERVER_FLAGS | BE_CAP_SERVER_SEARCH | BE_CAP_PARTS |
		BE_CAP_COPY | BE_CAP_WAIT_FD | BE_CAP_FOLDER_ADMIN | BE_CAP_KEYWORDS,
	.list_folders = list_folders,
	.open_folder = be_imap_open_folder,
	.close_folder = be_imap_close_folder,
	.fetch = be_imap_fetch,
	.fetch_part = be_imap_fetch_part,
	.set_flags = be_imap_set_flags,
	.set_keywords = be_imap_set_keywords,
	.sync = be_imap_sync,
	.check = be_imap_check,
	.wait_fd = wait_fd,
	.search = be_imap_search,
	.copy = be_imap_copy,
	.create_folder = create_folder,
	.rename_folder = rename_folder,
	.delete_folder = delete_folder,
	.subscribe = subscribe,
	.close_account = close_account,
};

/* $XDG_CACHE_HOME/tern/imap-NAME.sqlite; without it tern works, slower. */
static void open_cache(struct imap_account *acc)
{
	struct err e;
	err_init(&e);
	char *dir = fs_xdg_dir(XDG_CACHE, true, &e);
	char *path = dir ? be_net_state_file(dir, "imap", acc->acct.name, "sqlite") : NULL;
	bool rebuilt = false;
	if (path == NULL || imap_cache_open(&acc->cache, path, &rebuilt, &e) < 0)
		log_warn(acc->lg, "imap %s: no cache: %s", acc->acct.name, e.msg);
	else if (rebuilt)
		log_warn(acc->lg, "imap %s: the cache %s was unusable and is rebuilt",
			 acc->acct.name, path);
	free(path);
	free(dir);
}

int be_imap_open(struct be_account **a_r, const struct cfg_account *acct,
		 const char *state_dir, const struct ui_hooks *ui, struct logger *lg,
		 struct err *e)
{
	*a_r = NULL;
	struct imap_account *acc = xcalloc(1, sizeof(*acc));
	cfg_account_copy(&acc->acct, acct);
	acc->state_dir = xstrdup(state_dir);
	acc->journal_path = be_net_state_file(state_dir, "imap", acct->name, "journal");
	acc->lg = lg;
	bool unreached = false;
	int rc = be_imap_connect(&acc->link, &acc->acct, state_dir, ui, lg, &unreached, e);
	open_cache(acc);
	if (rc < 0 && unreached && acc->cache != NULL &&
	    imap_cache_any(acc->cache)) {
		/* Offline: what the cache holds, until check reconnects. */
		log_warn(lg, "imap %s: offline, using the cache", acct->name);
		snprintf(acc->offline_why, sizeof(acc->offline_why), "%s", e->msg);
		acc->link = offline_link(&acc->acct, state_dir, ui, lg);
		if (ui != NULL && ui->notice != NULL) {
			char text[ERR_MSG_MAX + 64];
			snprintf(text, sizeof(text), _("Offline (%s): showing what was kept."), e->msg);
			ui->notice(ui->ctx, text);
		}
		err_init(e);
		rc = 0;
	}
	if (rc < 0) {
		free_account(acc);
		return -1;
	}
	struct be_account *a = xcalloc(1, sizeof(*a));
	a->ops = &imap_ops;
	a->ui = ui;
	a->name = xstrdup(acct->name);
	a->caps = imap_ops.caps;
	a->priv = acc;
	a->offline = acc->offline_why[0] != '\0';
	*a_r = a;
	return 0;
}
