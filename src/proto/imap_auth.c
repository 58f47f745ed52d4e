/* imap_auth: the start of a session -- greeting, capabilities, STARTTLS
 * (RFC 9051 s6.2.1), login (LOGIN, s6.2.3, or AUTHENTICATE with SASL,
 * s6.2.2 and RFC 4959), ENABLE (RFC 5161), COMPRESS (RFC 4978) and
 * LOGOUT (imap.h). */
#include "config.h"

#include "imap.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "imap_private.h"
#include "sasl.h"
#include "str.h"

/* ---- capabilities ---- */

static const struct {
	const char *name;
	unsigned bit;
} cap_names[] = {
	{ "IMAP4rev1", IMAP_CAP_IMAP4REV1 }, { "IMAP4rev2", IMAP_CAP_IMAP4REV2 },
	{ "STARTTLS", IMAP_CAP_STARTTLS }, { "LOGINDISABLED", IMAP_CAP_LOGINDISABLED },
	{ "SASL-IR", IMAP_CAP_SASL_IR }, { "LITERAL+", IMAP_CAP_LITERAL_PLUS },
	{ "LITERAL-", IMAP_CAP_LITERAL_MINUS }, { "ID", IMAP_CAP_ID },
	{ "ENABLE", IMAP_CAP_ENABLE }, { "CONDSTORE", IMAP_CAP_CONDSTORE },
	{ "QRESYNC", IMAP_CAP_QRESYNC }, { "UTF8=ACCEPT", IMAP_CAP_UTF8_ACCEPT },
	{ "NAMESPACE", IMAP_CAP_NAMESPACE }, { "UIDPLUS", IMAP_CAP_UIDPLUS },
	{ "MOVE", IMAP_CAP_MOVE }, { "SPECIAL-USE", IMAP_CAP_SPECIAL_USE },
	{ "LIST-STATUS", IMAP_CAP_LIST_STATUS }, { "LIST-EXTENDED", IMAP_CAP_LIST_EXTENDED },
	{ "CHILDREN", IMAP_CAP_CHILDREN }, { "IDLE", IMAP_CAP_IDLE },
	{ "COMPRESS=DEFLATE", IMAP_CAP_COMPRESS_DEFLATE }, { "ESEARCH", IMAP_CAP_ESEARCH },
	{ "UNSELECT", IMAP_CAP_UNSELECT }, { "BINARY", IMAP_CAP_BINARY },
};

void imap_caps_parse(struct imap_caps *caps, const struct imap_arg *args, size_t n)
{
	memset(caps, 0, sizeof(*caps));
	caps->known = true;
	for (size_t i = 0; i < n; i++) {
		const struct imap_arg *a = &args[i];
		if (a->type != IMAP_ARG_ATOM)
			continue;
		if (a->len > 5 && strncasecmp(a->str, "AUTH=", 5) == 0) {
			enum sasl_mech m = sasl_mech_from_name(a->str + 5, a->len - 5);
			if (m != SASL_NONE)
				caps->sasl |= 1u << m;
			continue;
		}
		for (size_t k = 0; k < sizeof(cap_names) / sizeof(cap_names[0]); k++)
			if (imap_arg_is_atom(a, cap_names[k].name))
				caps->bits |= cap_names[k].bit;
	}
	/* RFC 9051 s7.2.2: a server that says only IMAP4rev2 still speaks
	 * what tern needs of rev1's grammar. */
}

/* A command without arguments whose NO or BAD concerns the account. */
static int account_cmd(struct imap *p, const char *verb, struct err *e)
{
	struct imap_cmd c;
	imap_cmd_init(&c, p, verb);
	c.scope = ERR_ACCOUNT;
	int rc = imap_run(p, &c, NULL, NULL, e);
	imap_cmd_release(&c);
	return rc;
}

/* Asks CAPABILITY unless the capabilities are known. */
static int capabilities(struct imap *p, struct err *e)
{
	if (p->caps.known)
		return 0;
	if (account_cmd(p, "CAPABILITY", e) < 0)
		return -1;
	if (!p->caps.known)
		return err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
			       _("IMAP CAPABILITY: the server listed no capabilities"));
	return 0;
}

/* ---- greeting and STARTTLS ---- */

static int greeting(struct imap *p, bool starttls, struct err *e)
{
	const struct imap_response *r = imap_read(p, _("greeting"), e);
	if (r == NULL && e->code == ERR_PARSE) {
		char why[ERR_MSG_MAX];
		snprintf(why, sizeof(why), "%s", e->msg);
		err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
			_("the server's greeting is not IMAP (%s): is this an IMAP server?"), why);
	}
	if (r == NULL)
		return -1;
	if (r->kind != IMAP_RESP_UNTAGGED ||
	    (r->status != IMAP_STATUS_OK && r->status != IMAP_STATUS_PREAUTH &&
	     r->status != IMAP_STATUS_BYE)) {
		err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
			_("the server's greeting is not IMAP: is this an IMAP server?"));
		return imap_broken(p);
	}
	if (r->status == IMAP_STATUS_BYE) {
		struct buf b;
		buf_init(&b, IMAP_QUOTE_MAX * 2);
		imap_quote(r->text, &b);
		err_set(e, ERR_ACCOUNT, IMAP_ERR_BYE, _("the IMAP server refused the connection: %s"),
			b.data);
		buf_release(&b);
		return imap_broken(p);
	}
	bool tls = p->io.is_tls != NULL && p->io.is_tls(p->io.ctx);
	if (r->status == IMAP_STATUS_PREAUTH && starttls && !tls) {
		/* Logged in before TLS: the upgrade could never happen. */
		err_set(e, ERR_ACCOUNT, IMAP_ERR_TLS,
			_("the IMAP server logged us in before STARTTLS (PREAUTH): refused, "
			  "TLS is required"));
		return imap_broken(p);
	}
	p->state = r->status == IMAP_STATUS_PREAUTH ? IMAP_STATE_AUTH : IMAP_STATE_NOT_AUTH;
	if (r->code != NULL && strcmp(r->code, "CAPABILITY") == 0)
		imap_caps_parse(&p->caps, r->code_args, r->n_code_args);
	return 0;
}

static int starttls(struct imap *p, struct err *e)
{
	if (p->io.start_tls == NULL || !imap_has(p, IMAP_CAP_STARTTLS)) {
		err_set(e, ERR_ACCOUNT, IMAP_ERR_TLS,
			_("the IMAP server does not offer STARTTLS, which tls = starttls "
			  "requires: nothing was sent"));
		return imap_broken(p);
	}
	if (account_cmd(p, "STARTTLS", e) < 0) {
		err_prefix(e, _("STARTTLS failed; nothing was sent"));
		e->code = IMAP_ERR_TLS;
		return imap_broken(p);
	}
	if (p->io.start_tls(p->io.ctx, e) < 0)
		return imap_broken(p);
	/* RFC 9051 s6.2.1: what was learnt before TLS is forgotten. */
	memset(&p->caps, 0, sizeof(p->caps));
	p->starttls_done = true;
	imap_parser_reset(p->parser);
	return 0;
}

static int open_session(struct imap *p, bool upgrade, struct err *e)
{
	if (greeting(p, upgrade, e) < 0)
		return -1;
	if (upgrade && p->caps.known && imap_has(p, IMAP_CAP_STARTTLS))
		return starttls(p, e) < 0 ? -1 : capabilities(p, e);
	if (capabilities(p, e) < 0)
		return -1;
	if (upgrade && (starttls(p, e) < 0 || capabilities(p, e) < 0))
		return -1;
	return 0;
}

int imap_open(struct imap *p, bool want_starttls, struct err *e)
{
	if (imap_need_state(p, IMAP_ST(IMAP_STATE_GREETING), _("greeting"), e) < 0)
		return -1;
	bool tls = p->io.is_tls != NULL && p->io.is_tls(p->io.ctx);
	/* A session that could not be opened as asked is not to be used at
	 * all (e.g. logged in on a connection STARTTLS never upgraded). */
	return open_session(p, want_starttls && !tls, e) < 0 ? imap_broken(p) : 0;
}

/* ---- login ---- */

enum attempt { ATTEMPT_OK, ATTEMPT_NEXT, ATTEMPT_FAIL };

static const char *const auth_names[IMAP_AUTH_COUNT] = {
	[IMAP_AUTH_AUTO] = "auto",
	[IMAP_AUTH_SCRAM_SHA_256] = "scram-sha-256",
	[IMAP_AUTH_SCRAM_SHA_1] = "scram-sha-1",
	[IMAP_AUTH_CRAM_MD5] = "cram-md5",
	[IMAP_AUTH_PLAIN] = "plain",
	[IMAP_AUTH_LOGIN] = "login",
	[IMAP_AUTH_USER] = "user",
	[IMAP_AUTH_OAUTHBEARER] = "oauthbearer",
	[IMAP_AUTH_XOAUTH2] = "xoauth2",
};

static const enum sasl_mech auth_mech[IMAP_AUTH_COUNT] = {
	[IMAP_AUTH_SCRAM_SHA_256] = SASL_SCRAM_SHA_256,
	[IMAP_AUTH_SCRAM_SHA_1] = SASL_SCRAM_SHA_1,
	[IMAP_AUTH_CRAM_MD5] = SASL_CRAM_MD5,
	[IMAP_AUTH_PLAIN] = SASL_PLAIN,
	[IMAP_AUTH_LOGIN] = SASL_LOGIN,
	[IMAP_AUTH_OAUTHBEARER] = SASL_OAUTHBEARER,
	[IMAP_AUTH_XOAUTH2] = SASL_XOAUTH2,
};

static const enum imap_auth password_order[] = {
	IMAP_AUTH_SCRAM_SHA_256, IMAP_AUTH_SCRAM_SHA_1, IMAP_AUTH_CRAM_MD5,
	IMAP_AUTH_PLAIN, IMAP_AUTH_LOGIN, IMAP_AUTH_USER,
};
static const enum imap_auth token_order[] = { IMAP_AUTH_OAUTHBEARER, IMAP_AUTH_XOAUTH2 };

const char *imap_auth_name(enum imap_auth a)
{
	return (unsigned)a < IMAP_AUTH_COUNT ? auth_names[a] : "?";
}

int imap_auth_from_name(const char *name, enum imap_auth *a_r)
{
	for (int a = 0; a < IMAP_AUTH_COUNT; a++)
		if (str_eq_ci(name, auth_names[a])) {
			*a_r = (enum imap_auth)a;
			return 0;
		}
	return -1;
}

static bool offered(const struct imap *p, enum imap_auth a)
{
	if (a == IMAP_AUTH_USER)
		return !imap_has(p, IMAP_CAP_LOGINDISABLED);
	return (p->caps.sasl & (1u << auth_mech[a])) != 0;
}

static bool reveals(enum imap_auth a)
{
	return a == IMAP_AUTH_USER || sasl_mech_reveals_secret(auth_mech[a]);
}

static bool fits(const struct imap_login *l, enum imap_auth a)
{
	bool token = a == IMAP_AUTH_OAUTHBEARER || a == IMAP_AUTH_XOAUTH2;
	return token == l->token;
}

/* Learns the capabilities from the [CAPABILITY] code of a login's OK. */
static int login_done_fn(void *ctx, const struct imap_response *r, struct err *e)
{
	(void)e;
	struct imap *p = ctx;
	if (r->kind == IMAP_RESP_TAGGED && r->status == IMAP_STATUS_OK && r->code != NULL &&
	    strcmp(r->code, "CAPABILITY") == 0)
		imap_caps_parse(&p->caps, r->code_args, r->n_code_args);
	return 0;
}

/* The LOGIN command: user and password as strings (RFC 9051 s6.2.3). */
static enum attempt run_user(struct imap *p, const struct imap_login *l, struct err *e)
{
	struct imap_cmd c;
	imap_cmd_init(&c, p, "LOGIN");
	c.scope = ERR_ACCOUNT;
	imap_cmd_string(&c, l->user, strlen(l->user), false);
	imap_cmd_string(&c, l->secret, strlen(l->secret), true);
	int rc = imap_run(p, &c, login_done_fn, p, e);
	imap_cmd_release(&c);
	if (rc == 0)
		return ATTEMPT_OK;
	if (e->code == IMAP_ERR_NO || e->code == IMAP_ERR_BAD)
		e->code = IMAP_ERR_AUTH;
	return ATTEMPT_FAIL;
}

struct exchange {
	struct imap *p;
	struct imap_flight *f;
	struct sasl_client sc;
	struct buf raw, b64;          /* wiped */
	const struct imap_response *done; /* the tagged completion */
};

/* Sends x->raw base64-encoded on a line of its own ("" stays empty). */
static int send_line(struct exchange *x, struct err *e)
{
	buf_wipe(&x->b64);
	buf_reset(&x->p->out);
	if (sasl_b64_encode(x->raw.data, x->raw.len, &x->p->out) < 0 ||
	    buf_append(&x->p->out, "\r\n", 2) < 0) {
		buf_wipe(&x->raw);
		err_set(e, ERR_ACCOUNT, ERR_LIMIT, _("IMAP %s: response too long"), x->f->verb);
		return imap_broken(x->p);
	}
	buf_wipe(&x->raw);
	return imap_write_out(x->p, true, "***", e);
}

/* Cancels the exchange ("*", RFC 9051 s6.2.2) after an error of ours; the
 * server must answer BAD. */
static enum attempt cancel(struct exchange *x, bool fatal)
{
	struct err ignored;
	err_init(&ignored);
	buf_reset(&x->p->out);
	buf_cut_ok(buf_append_str(&x->p->out, "*\r\n"));
	if (imap_write_out(x->p, false, NULL, &ignored) < 0)
		return ATTEMPT_FAIL;
	for (;;) {
		const struct imap_response *r = imap_read(x->p, x->f->verb, &ignored);
		if (r == NULL)
			return ATTEMPT_FAIL;
		if (r->kind == IMAP_RESP_UNTAGGED) {
			imap_absorb(x->p, r);
			continue;
		}
		if (r->kind != IMAP_RESP_TAGGED || imap_flight_named(x->p, r->tag) != x->f ||
		    r->status == IMAP_STATUS_OK || fatal) {
			/* Going on, or logged in although we gave up: this
			 * session is not to be used. */
			imap_broken(x->p);
			return ATTEMPT_FAIL;
		}
		return x->sc.proof_sent ? ATTEMPT_FAIL : ATTEMPT_NEXT;
	}
}

static enum attempt on_challenge(struct exchange *x, const struct imap_response *r,
				 struct err *e)
{
	struct buf ch;
	buf_init(&ch, 16 * 1024);
	enum attempt res = ATTEMPT_OK;
	if (sasl_b64_decode(r->text, strlen(r->text), &ch) < 0) {
		err_set(e, ERR_ACCOUNT, SASL_ERR_CHALLENGE,
			_("IMAP %s: the server's challenge is not base64"), x->f->verb);
		res = cancel(x, false);
	} else if (sasl_client_answer(&x->sc, ch.data, ch.len, &x->raw, e) < 0) {
		err_prefix(e, "IMAP %s", x->f->verb);
		res = cancel(x, e->code == SASL_ERR_SERVER_PROOF);
	} else if (send_line(x, e) < 0) {
		res = ATTEMPT_FAIL;
	}
	buf_wipe(&ch);
	buf_release(&ch);
	return res;
}

static enum attempt on_final(struct exchange *x, const struct imap_response *r,
			     struct err *e)
{
	if (r->status != IMAP_STATUS_OK) {
		imap_refused(x->f->verb, ERR_ACCOUNT, r, e);
		e->code = IMAP_ERR_AUTH;
		if (x->sc.detail[0] != '\0') {
			size_t len = strlen(e->msg);
			snprintf(e->msg + len, sizeof(e->msg) - len, " (%s)", x->sc.detail);
		}
		return x->sc.proof_sent ? ATTEMPT_FAIL : ATTEMPT_NEXT;
	}
	if (!sasl_client_success_ok(&x->sc)) {
		err_set(e, ERR_ACCOUNT, SASL_ERR_SERVER_PROOF,
			_("IMAP %s: the server accepted the login without proving that it "
			  "knows the password: it may not be the real server"), x->f->verb);
		imap_broken(x->p);
		return ATTEMPT_FAIL;
	}
	if (r->code != NULL && strcmp(r->code, "CAPABILITY") == 0)
		imap_caps_parse(&x->p->caps, r->code_args, r->n_code_args);
	return ATTEMPT_OK;
}

/* Sends AUTHENTICATE MECH, with the initial response when SASL-IR
 * allows (RFC 4959: "=" for an empty one). */
static int authenticate(struct exchange *x, struct err *e)
{
	struct imap_cmd c;
	char verb[48];
	snprintf(verb, sizeof(verb), "AUTHENTICATE %s", sasl_mech_name(x->sc.mech));
	imap_cmd_init(&c, x->p, verb);
	c.scope = ERR_ACCOUNT;
	bool ir = sasl_mech_client_first(x->sc.mech) && imap_has(x->p, IMAP_CAP_SASL_IR);
	if (ir) {
		if (sasl_client_initial(&x->sc, &x->raw, e) < 0) {
			imap_cmd_release(&c);
			return -1;
		}
		buf_reset(&x->b64);
		if (x->raw.len == 0)
			buf_cut_ok(buf_append_char(&x->b64, '='));
		else if (sasl_b64_encode(x->raw.data, x->raw.len, &x->b64) < 0)
			c.error = true;
		buf_wipe(&x->raw);
		imap_cmd_secret_raw(&c, x->b64.data);
		buf_wipe(&x->b64);
		x->sc.proof_sent = sasl_mech_reveals_secret(x->sc.mech);
	}
	unsigned tag;
	int rc = imap_send(x->p, &c, NULL, NULL, &tag, e);
	imap_cmd_release(&c);
	if (rc == 0)
		x->f = imap_flight_of(x->p, tag);
	return rc;
}

static enum attempt exchange_run(struct exchange *x, struct err *e)
{
	if (authenticate(x, e) < 0)
		return x->p->state == IMAP_STATE_ERROR ? ATTEMPT_FAIL : ATTEMPT_NEXT;
	bool ir_sent = imap_has(x->p, IMAP_CAP_SASL_IR) || !sasl_mech_client_first(x->sc.mech);
	/* Challenges only: untagged responses may come between them. */
	for (unsigned rounds = 0;;) {
		const struct imap_response *r = imap_read(x->p, x->f->verb, e);
		if (r == NULL)
			return ATTEMPT_FAIL;
		if (r->kind == IMAP_RESP_UNTAGGED) {
			imap_absorb(x->p, r);
			continue;
		}
		if (r->kind == IMAP_RESP_TAGGED) {
			if (imap_flight_named(x->p, r->tag) != x->f) {
				err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
					_("IMAP %s: a tagged response for no command of ours"),
					x->f->verb);
				imap_broken(x->p);
				return ATTEMPT_FAIL;
			}
			x->f->tag = 0;
			return on_final(x, r, e);
		}
		if (rounds++ == IMAP_AUTH_ROUNDS_MAX) {
			err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL, _("IMAP %s: too many challenges"),
				x->f->verb);
			return cancel(x, true);
		}
		if (!ir_sent) {
			/* The empty challenge that asks for the initial response. */
			ir_sent = true;
			if (sasl_client_initial(&x->sc, &x->raw, e) < 0)
				return cancel(x, false);
			x->sc.proof_sent = sasl_mech_reveals_secret(x->sc.mech);
			if (send_line(x, e) < 0)
				return ATTEMPT_FAIL;
			continue;
		}
		enum attempt a = on_challenge(x, r, e);
		if (a != ATTEMPT_OK)
			return a;
	}
}

static enum attempt run_sasl(struct imap *p, const struct imap_login *l, enum sasl_mech mech,
			     struct err *e)
{
	struct exchange x;
	memset(&x, 0, sizeof(x));
	x.p = p;
	sasl_client_init(&x.sc, mech, l->user, l->secret, p->set.scram_iter_min,
			 p->set.scram_iter_max);
	x.sc.host = l->host;
	x.sc.port = l->port;
	x.sc.test_nonce = p->set.test_scram_nonce;
	buf_init(&x.raw, 16 * 1024);
	buf_init(&x.b64, 24 * 1024);
	enum attempt a = exchange_run(&x, e);
	if (x.f != NULL)
		x.f->tag = 0;
	sasl_client_release(&x.sc);
	buf_wipe(&x.raw);
	buf_release(&x.raw);
	buf_wipe(&x.b64);
	buf_release(&x.b64);
	return a;
}

static int no_mechanism(const struct imap_login *l, bool skipped_plain, struct err *e)
{
	if (skipped_plain)
		return err_set(e, ERR_ACCOUNT, IMAP_ERR_TLS,
			       _("the IMAP server offers only logins that would send the %s "
				 "unencrypted: refused without TLS (allow_plaintext = yes allows it)"),
			       l->token ? _("token") : _("password"));
	return err_set(e, ERR_ACCOUNT, IMAP_ERR_NO_MECH,
		       l->token ? _("the IMAP server offers no way to log in with an OAuth token")
				: _("the IMAP server offers no way to log in that tern can use"));
}

static int logged_in(struct imap *p, enum imap_auth a, struct err *e)
{
	/* An OK after a BYE: the session is over all the same. */
	if (p->state != IMAP_STATE_NOT_AUTH)
		return imap_need_state(p, IMAP_ST(IMAP_STATE_NOT_AUTH), _("login"), e);
	p->state = IMAP_STATE_AUTH;
	p->auth_used = a;
	return capabilities(p, e);
}

int imap_login(struct imap *p, const struct imap_login *l, struct err *e)
{
	if (imap_need_state(p, IMAP_ST(IMAP_STATE_NOT_AUTH), _("login"), e) < 0)
		return -1;
	const enum imap_auth *order = l->token ? token_order : password_order;
	size_t n = l->token ? sizeof(token_order) / sizeof(token_order[0])
			    : sizeof(password_order) / sizeof(password_order[0]);
	bool plain_ok = (p->io.is_tls != NULL && p->io.is_tls(p->io.ctx)) || l->allow_plaintext;
	if (l->auth != IMAP_AUTH_AUTO) {
		if ((unsigned)l->auth >= IMAP_AUTH_COUNT || !fits(l, l->auth))
			return err_set(e, ERR_ACCOUNT, IMAP_ERR_NO_MECH,
				       _("auth = %s cannot log in with this secret"),
				       imap_auth_name(l->auth));
		order = &l->auth;
		n = 1;
	}
	bool skipped_plain = false, tried = false;
	for (size_t i = 0; i < n; i++) {
		enum imap_auth a = order[i];
		if (!offered(p, a) || !fits(l, a))
			continue;
		if (reveals(a) && !plain_ok) {
			skipped_plain = true;
			continue;
		}
		/* What the server said before login is forgotten after it. */
		p->caps.known = false;
		tried = true;
		enum attempt res = a == IMAP_AUTH_USER ? run_user(p, l, e)
						       : run_sasl(p, l, auth_mech[a], e);
		if (res == ATTEMPT_OK)
			return logged_in(p, a, e);
		if (res == ATTEMPT_FAIL || p->state == IMAP_STATE_ERROR) {
			if (e->code == IMAP_ERR_AUTH)
				err_prefix(e, _("login with %s failed"), imap_auth_name(a));
			return -1;
		}
		if (capabilities(p, e) < 0)
			return -1;
	}
	if (tried)
		return -1;
	return no_mechanism(l, skipped_plain, e);
}

/* ---- ENABLE, LOGOUT ---- */

#define ENABLE_BITS (IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC | IMAP_CAP_UTF8_ACCEPT | \
		     IMAP_CAP_IMAP4REV2)

struct enabling {
	struct imap *p;
	unsigned asked;
};

static int enabled_fn(void *ctx, const struct imap_response *r, struct err *e)
{
	(void)e;
	struct enabling *en = ctx;
	if (r->kind != IMAP_RESP_UNTAGGED || r->n_args < 1 ||
	    !imap_arg_is_atom(&r->args[0], "ENABLED"))
		return 0;
	struct imap_caps got;
	imap_caps_parse(&got, r->args + 1, r->n_args - 1);
	/* What we did not ask for is not on, whatever the server says
	 * (RFC 5161 s3.1: a server enables only what the client names). */
	en->p->enabled |= got.bits & en->asked;
	return 0;
}

int imap_enable(struct imap *p, unsigned want, struct err *e)
{
	if (imap_need_state(p, IMAP_ST(IMAP_STATE_AUTH), "ENABLE", e) < 0)
		return -1;
	/* ENABLE is part of IMAP4rev2 (RFC 9051 s6.3.1), which need not
	 * list it. */
	if (!imap_has(p, IMAP_CAP_ENABLE) && !imap_has(p, IMAP_CAP_IMAP4REV2))
		return 0;
	struct enabling en = { .p = p };
	struct buf args;
	buf_init(&args, 128);
	for (size_t k = 0; k < sizeof(cap_names) / sizeof(cap_names[0]); k++) {
		unsigned bit = cap_names[k].bit;
		if ((want & bit) && imap_has(p, bit) && (bit & ENABLE_BITS)) {
			en.asked |= bit;
			buf_cut_ok(buf_printf(&args, "%s%s", args.len ? " " : "", cap_names[k].name));
		}
	}
	int rc = args.len ? imap_simple(p, "ENABLE", args.data, enabled_fn, &en, e) : 0;
	buf_release(&args);
	/* QRESYNC implies CONDSTORE (RFC 7162 s3.2.3). */
	if (p->enabled & IMAP_CAP_QRESYNC)
		p->enabled |= IMAP_CAP_CONDSTORE;
	return rc;
}

/* ---- COMPRESS ---- */

bool imap_compressed(const struct imap *p)
{
	return p->compressed;
}

int imap_compress(struct imap *p, struct err *e)
{
	if (imap_need_state(p, IMAP_ST(IMAP_STATE_AUTH) | IMAP_ST(IMAP_STATE_SELECTED), "COMPRESS",
			    e) < 0)
		return -1;
	if (p->compressed || p->io.start_deflate == NULL ||
	    !imap_has(p, IMAP_CAP_COMPRESS_DEFLATE))
		return 0;
	/* RFC 4978 s3: the first compressed byte is the one after the
	 * CRLF of COMPRESS's OK, so no other reply may be on its way.  (An
	 * IDLE is ended by imap_send, as before any command.) */
	for (size_t i = 0; i < IMAP_INFLIGHT_MAX; i++)
		if (p->flight[i].tag != 0 && p->flight[i].tag != p->idle_tag)
			return err_set(e, ERR_ACCOUNT, IMAP_ERR_STATE,
				       _("IMAP COMPRESS: not while another command runs"));
	struct imap_cmd c;
	imap_cmd_init(&c, p, "COMPRESS");
	imap_cmd_raw(&c, "DEFLATE");
	c.scope = ERR_ACCOUNT;
	int rc = imap_run(p, &c, NULL, NULL, e);
	imap_cmd_release(&c);
	if (rc < 0) {
		if (p->state == IMAP_STATE_ERROR || p->state == IMAP_STATE_LOGOUT ||
		    (e->code != IMAP_ERR_NO && e->code != IMAP_ERR_BAD))
			return -1;
		err_init(e); /* refused: the session goes on uncompressed */
		return 0;
	}
	if (p->io.start_deflate(p->io.ctx, e) < 0)
		return imap_broken(p);
	p->compressed = true;
	return 0;
}

int imap_logout(struct imap *p, struct err *e)
{
	if (p->state == IMAP_STATE_LOGOUT)
		return 0;
	int rc = imap_simple(p, "LOGOUT", NULL, NULL, NULL, e);
	if (p->state != IMAP_STATE_ERROR)
		p->state = IMAP_STATE_LOGOUT;
	return rc;
}
