/* pop3_auth: logging in -- choosing a mechanism, and running USER/PASS,
 * APOP (RFC 1939 s7) or a SASL exchange over AUTH (RFC 5034). */
#include "config.h"

#include "pop3.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "i18n.h"
#include "pop3_private.h"
#include "sasl.h"
#include "str.h"

/* An exchange of more rounds than this is cancelled. */
#define AUTH_ROUNDS_MAX 8
/* A command may be 255 octets with its CRLF (RFC 2449 s4); an initial
 * response that would pass it goes after an empty challenge instead
 * (RFC 5034 s4). */
#define COMMAND_MAX 255

static const char *const auth_names[POP3_AUTH_COUNT] = {
	[POP3_AUTH_AUTO] = "auto",
	[POP3_AUTH_SCRAM_SHA_256] = "scram-sha-256",
	[POP3_AUTH_SCRAM_SHA_1] = "scram-sha-1",
	[POP3_AUTH_CRAM_MD5] = "cram-md5",
	[POP3_AUTH_PLAIN] = "plain",
	[POP3_AUTH_LOGIN] = "login",
	[POP3_AUTH_APOP] = "apop",
	[POP3_AUTH_USER] = "user",
	[POP3_AUTH_OAUTHBEARER] = "oauthbearer",
	[POP3_AUTH_XOAUTH2] = "xoauth2",
};

static const enum sasl_mech auth_mech[POP3_AUTH_COUNT] = {
	[POP3_AUTH_SCRAM_SHA_256] = SASL_SCRAM_SHA_256,
	[POP3_AUTH_SCRAM_SHA_1] = SASL_SCRAM_SHA_1,
	[POP3_AUTH_CRAM_MD5] = SASL_CRAM_MD5,
	[POP3_AUTH_PLAIN] = SASL_PLAIN,
	[POP3_AUTH_LOGIN] = SASL_LOGIN,
	[POP3_AUTH_OAUTHBEARER] = SASL_OAUTHBEARER,
	[POP3_AUTH_XOAUTH2] = SASL_XOAUTH2,
};

/* Strongest first. */
static const enum pop3_auth password_order[] = {
	POP3_AUTH_SCRAM_SHA_256, POP3_AUTH_SCRAM_SHA_1, POP3_AUTH_CRAM_MD5,
	POP3_AUTH_PLAIN, POP3_AUTH_LOGIN, POP3_AUTH_APOP, POP3_AUTH_USER,
};
static const enum pop3_auth token_order[] = {
	POP3_AUTH_OAUTHBEARER, POP3_AUTH_XOAUTH2,
};

const char *pop3_auth_name(enum pop3_auth a)
{
	if ((unsigned)a >= POP3_AUTH_COUNT)
		return "?";
	return auth_names[a];
}

int pop3_auth_from_name(const char *name, enum pop3_auth *a_r)
{
	for (unsigned a = 0; a < POP3_AUTH_COUNT; a++)
		if (str_eq_ci(name, auth_names[a])) {
			*a_r = (enum pop3_auth)a;
			return 0;
		}
	return -1;
}

int pop3_apop_digest(const char *timestamp, const char *secret, char hex[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, timestamp, strlen(timestamp)) == 1 &&
		 EVP_DigestUpdate(ctx, secret, strlen(secret)) == 1 &&
		 EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 16;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		hex[0] = '\0';
		return -1;
	}
	for (unsigned i = 0; i < 16; i++) {
		hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	hex[32] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* ---- choosing ---- */

/* The outcome of one mechanism. */
enum attempt {
	ATTEMPT_OK,
	ATTEMPT_NEXT,   /* refused before any proof of the secret: try another */
	ATTEMPT_FAIL,   /* stop (e filled) */
};

/* A name USER and APOP can carry: no control character, no space
 * (RFC 1939 s7 separates APOP's arguments by a space). */
static bool name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool offered(const struct pop3 *p, enum pop3_auth a, bool forced)
{
	if (a == POP3_AUTH_APOP)
		return p->caps.apop;
	if (a == POP3_AUTH_USER)
		return forced || p->caps.user || !p->caps.known;
	if (!p->caps.known)
		return forced;
	return (p->caps.sasl & (1u << auth_mech[a])) != 0;
}

static bool reveals(enum pop3_auth a)
{
	return a == POP3_AUTH_USER || sasl_mech_reveals_secret(auth_mech[a]);
}

/* Why a (offered or forced) cannot carry these credentials, or NULL. */
static const char *unfit(const struct pop3_login *l, enum pop3_auth a)
{
	bool token_mech = a == POP3_AUTH_OAUTHBEARER || a == POP3_AUTH_XOAUTH2;
	if (token_mech != l->token)
		return token_mech ? _("it needs an OAuth token, not a password") :
				    _("it needs a password, not an OAuth token");
	if ((a == POP3_AUTH_SCRAM_SHA_256 || a == POP3_AUTH_SCRAM_SHA_1) &&
	    (!sasl_prep_ok(l->user) || !sasl_prep_ok(l->secret)))
		return _("the user name or password is not printable ASCII (SASLprep)");
	if ((a == POP3_AUTH_USER || a == POP3_AUTH_APOP) && !name_ok(l->user))
		return _("the user name is empty or has spaces or control characters");
	if (a == POP3_AUTH_USER && strpbrk(l->secret, "\r\n") != NULL)
		return _("the password has a line break");
	if (*l->secret == '\0')
		return _("the password is empty");
	return NULL;
}

static bool tls_now(const struct pop3 *p)
{
	return p->state == POP3_STATE_AUTHORIZATION_TLS && p->io.is_tls(p->io.ctx);
}

static int forced_unusable(struct pop3 *p, const struct pop3_login *l,
			   struct err *e)
{
	const char *name = pop3_auth_name(l->auth);
	const char *why = unfit(l, l->auth);
	if (why != NULL)
		return err_set(e, ERR_ACCOUNT, POP3_ERR_NO_MECH,
			       _("cannot log in with auth = %s: %s"), name, why);
	if (!offered(p, l->auth, true))
		return err_set(e, ERR_ACCOUNT, POP3_ERR_NO_MECH,
			       _("the POP3 server does not offer auth = %s"), name);
	return err_set(e, ERR_ACCOUNT, POP3_ERR_TLS,
		       _("auth = %s would send the %s unencrypted: refused without TLS "
			 "(allow_plaintext = yes allows it)"),
		       name, l->token ? _("token") : _("password"));
}

/* ---- USER/PASS and APOP ---- */

static enum attempt refused_login(const char *cmd, const struct pop3_reply *r,
				  struct err *e)
{
	pop3_refused(cmd, r, ERR_ACCOUNT, POP3_ERR_AUTH, e);
	return ATTEMPT_FAIL;
}

static enum attempt run_user(struct pop3 *p, const struct pop3_login *l,
			     struct err *e)
{
	struct pop3_reply r;
	struct buf cmd;
	int rc;

	buf_init(&cmd, 1024);
	rc = buf_printf(&cmd, "USER %s", l->user);
	if (rc == 0)
		rc = pop3_send(p, cmd.data, e);
	buf_release(&cmd);
	if (rc < 0 || pop3_read_status(p, "USER", false, p->set.status_line_max, &r, e) < 0)
		return ATTEMPT_FAIL;
	if (r.status != POP3_STATUS_OK) {
		pop3_refused("USER", &r, ERR_ACCOUNT, POP3_ERR_AUTH, e);
		return e != NULL && e->code == POP3_ERR_BUSY ? ATTEMPT_FAIL : ATTEMPT_NEXT;
	}
	buf_init(&cmd, 4096);
	rc = buf_printf(&cmd, "PASS %s", l->secret);
	if (rc == 0)
		rc = pop3_queue(p, cmd.data, cmd.len, "PASS ***", e);
	buf_wipe(&cmd);
	buf_release(&cmd);
	if (rc < 0 || pop3_flush(p, true, e) < 0 ||
	    pop3_read_status(p, "PASS", false, p->set.status_line_max, &r, e) < 0)
		return ATTEMPT_FAIL;
	return r.status == POP3_STATUS_OK ? ATTEMPT_OK : refused_login("PASS", &r, e);
}

static enum attempt run_apop(struct pop3 *p, const struct pop3_login *l,
			     struct err *e)
{
	struct pop3_reply r;
	struct buf cmd, shown;
	char digest[33];

	if (pop3_apop_digest(p->timestamp, l->secret, digest) < 0) {
		err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE, _("APOP: MD5 is not available"));
		return ATTEMPT_NEXT;
	}
	buf_init(&cmd, 1024);
	buf_init(&shown, 1024);
	int rc = buf_printf(&cmd, "APOP %s %s", l->user, digest);
	OPENSSL_cleanse(digest, sizeof(digest));
	if (rc == 0)
		rc = buf_printf(&shown, "APOP %s ***", l->user);
	if (rc == 0)
		rc = pop3_queue(p, cmd.data, cmd.len, shown.data, e);
	buf_wipe(&cmd);
	buf_release(&cmd);
	buf_release(&shown);
	if (rc < 0 || pop3_flush(p, true, e) < 0 ||
	    pop3_read_status(p, "APOP", false, p->set.status_line_max, &r, e) < 0)
		return ATTEMPT_FAIL;
	return r.status == POP3_STATUS_OK ? ATTEMPT_OK : refused_login("APOP", &r, e);
}

/* ---- SASL over AUTH ---- */

struct exchange {
	struct pop3 *p;
	enum sasl_mech mech;
	char cmd[40];            /* "AUTH MECH", for messages */
	struct sasl_client sc;   /* the mechanism's side */
	struct buf raw, b64;     /* a response, raw and encoded: wiped */
};

/* The answer to a challenge ch[0..n) into x->raw, the error naming the
 * command. */
static int answer(struct exchange *x, const char *ch, size_t n, struct err *e)
{
	if (sasl_client_answer(&x->sc, ch, n, &x->raw, e) == 0)
		return 0;
	if (e != NULL && e->code == SASL_ERR_CHALLENGE)
		err_prefix(e, "POP3 %s", x->cmd);
	return -1;
}

/* Sends x->raw, base64-encoded, on its own line or after "AUTH MECH ". */
static int send_response(struct exchange *x, bool with_command, struct err *e)
{
	char shown[64];
	int rc = 0;

	buf_wipe(&x->b64);
	if (with_command)
		rc = buf_printf(&x->b64, "%s ", x->cmd);
	if (rc == 0 && x->raw.len == 0 && with_command)
		rc = buf_append_char(&x->b64, '='); /* RFC 5034 s4: empty */
	else if (rc == 0)
		rc = sasl_b64_encode(x->raw.data, x->raw.len, &x->b64);
	buf_wipe(&x->raw);
	if (rc < 0)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, _("POP3 %s: response too long"), x->cmd);
	snprintf(shown, sizeof(shown), "%s%s***", with_command ? x->cmd : "",
		 with_command ? " " : "");
	rc = pop3_queue(x->p, x->b64.data, x->b64.len, shown, e);
	buf_wipe(&x->b64);
	if (rc < 0)
		return -1;
	return pop3_flush(x->p, true, e);
}

/* Cancels the exchange ("*", RFC 5034 s4) after our error e; the server
 * must answer -ERR. */
static enum attempt cancel(struct exchange *x, struct err *e, bool fatal)
{
	struct pop3_reply r;
	struct err ignored;

	err_init(&ignored);
	if (pop3_send(x->p, "*", &ignored) < 0 ||
	    pop3_read_status(x->p, x->cmd, true, POP3_AUTH_LINE_MAX, &r, &ignored) < 0)
		return ATTEMPT_FAIL;
	if (r.status == POP3_STATUS_OK) {
		/* Logged in although we gave up: do not use this session. */
		pop3_broken(x->p);
		return ATTEMPT_FAIL;
	}
	if (r.status == POP3_STATUS_CONT) {
		err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
			_("POP3 %s: the server went on after the exchange was cancelled"), x->cmd);
		pop3_broken(x->p);
		return ATTEMPT_FAIL;
	}
	if (fatal) {
		pop3_broken(x->p);
		return ATTEMPT_FAIL;
	}
	return x->sc.proof_sent ? ATTEMPT_FAIL : ATTEMPT_NEXT;
}

static enum attempt on_challenge(struct exchange *x, bool *ir_pending,
				 const struct pop3_reply *r, struct err *e)
{
	struct buf ch;
	enum attempt res = ATTEMPT_OK;

	buf_init(&ch, POP3_AUTH_LINE_MAX);
	if (sasl_b64_decode(r->text, r->text_len, &ch) < 0) {
		err_set(e, ERR_ACCOUNT, SASL_ERR_CHALLENGE,
			_("POP3 %s: the server's challenge is not base64"), x->cmd);
		res = cancel(x, e, false);
	} else if (*ir_pending) {
		/* The empty challenge that asks for the initial response. */
		*ir_pending = false;
		if (send_response(x, false, e) < 0)
			res = ATTEMPT_FAIL;
		x->sc.proof_sent = sasl_mech_reveals_secret(x->mech);
	} else if (answer(x, ch.data, ch.len, e) < 0) {
		bool fatal = e != NULL && e->code == SASL_ERR_SERVER_PROOF;
		res = cancel(x, e, fatal);
	} else if (send_response(x, false, e) < 0) {
		res = ATTEMPT_FAIL;
	}
	buf_wipe(&ch);
	buf_release(&ch);
	return res;
}

static enum attempt on_final(struct exchange *x, const struct pop3_reply *r,
			     struct err *e)
{
	if (r->status == POP3_STATUS_ERR) {
		pop3_refused(x->cmd, r, ERR_ACCOUNT, POP3_ERR_AUTH, e);
		if (e != NULL && x->sc.detail[0] != '\0') {
			size_t len = strlen(e->msg);
			snprintf(e->msg + len, sizeof(e->msg) - len, " (%s)", x->sc.detail);
		}
		if (x->sc.proof_sent || (e != NULL && e->code == POP3_ERR_BUSY))
			return ATTEMPT_FAIL;
		return ATTEMPT_NEXT;
	}
	if (!sasl_client_success_ok(&x->sc)) {
		/* +OK without the server's proof (RFC 5802 s5, RFC 5034 s4). */
		err_set(e, ERR_ACCOUNT, SASL_ERR_SERVER_PROOF,
			_("POP3 %s: the server accepted the login without proving that it "
			  "knows the password: it may not be the real server"), x->cmd);
		pop3_broken(x->p);
		return ATTEMPT_FAIL;
	}
	return ATTEMPT_OK;
}

static enum attempt exchange_run(struct exchange *x, struct err *e)
{
	struct pop3_reply r;
	bool ir_pending = false;

	if (sasl_mech_client_first(x->mech)) {
		if (sasl_client_initial(&x->sc, &x->raw, e) < 0)
			return ATTEMPT_NEXT;
		size_t b64_len = (x->raw.len + 2) / 3 * 4;
		ir_pending = strlen(x->cmd) + 1 + b64_len + 2 > COMMAND_MAX;
		if (!ir_pending) {
			if (send_response(x, true, e) < 0)
				return ATTEMPT_FAIL;
			x->sc.proof_sent = sasl_mech_reveals_secret(x->mech);
		}
	}
	if (!sasl_mech_client_first(x->mech) || ir_pending)
		if (pop3_send(x->p, x->cmd, e) < 0)
			return ATTEMPT_FAIL;
	for (unsigned rounds = 0;; rounds++) {
		if (pop3_read_status(x->p, x->cmd, true, POP3_AUTH_LINE_MAX, &r, e) < 0)
			return ATTEMPT_FAIL;
		if (r.status != POP3_STATUS_CONT)
			return on_final(x, &r, e);
		if (rounds == AUTH_ROUNDS_MAX) {
			err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
				_("POP3 %s: too many challenges"), x->cmd);
			return cancel(x, e, true);
		}
		enum attempt a = on_challenge(x, &ir_pending, &r, e);
		if (a != ATTEMPT_OK)
			return a;
	}
}

static enum attempt run_sasl(struct pop3 *p, const struct pop3_login *l,
			     enum sasl_mech mech, struct err *e)
{
	struct exchange x;

	memset(&x, 0, sizeof(x));
	x.p = p;
	x.mech = mech;
	snprintf(x.cmd, sizeof(x.cmd), "AUTH %s", sasl_mech_name(mech));
	sasl_client_init(&x.sc, mech, l->user, l->secret, p->set.scram_iter_min,
			 p->set.scram_iter_max);
	x.sc.host = l->host;
	x.sc.port = l->port;
	x.sc.test_nonce = p->set.test_scram_nonce;
	buf_init(&x.raw, 16 * 1024);
	buf_init(&x.b64, 24 * 1024);
	enum attempt a = exchange_run(&x, e);
	sasl_client_release(&x.sc);
	buf_wipe(&x.raw);
	buf_release(&x.raw);
	buf_wipe(&x.b64);
	buf_release(&x.b64);
	return a;
}

static enum attempt attempt(struct pop3 *p, const struct pop3_login *l,
			    enum pop3_auth a, struct err *e)
{
	if (a == POP3_AUTH_USER)
		return run_user(p, l, e);
	if (a == POP3_AUTH_APOP)
		return run_apop(p, l, e);
	return run_sasl(p, l, auth_mech[a], e);
}

/* ---- pop3_login ---- */

static int logged_in(struct pop3 *p, enum pop3_auth a, struct err *e)
{
	p->state = POP3_STATE_TRANSACTION;
	p->auth_used = a;
	p->marked_deleted = 0;
	return pop3_capa(p, e);
}

static int no_mechanism(struct pop3 *p, const struct pop3_login *l,
			bool skipped_plain, struct err *e)
{
	(void)p;
	if (skipped_plain)
		return err_set(e, ERR_ACCOUNT, POP3_ERR_TLS,
			       _("the POP3 server offers only logins that would send the %s "
				 "unencrypted: refused without TLS (allow_plaintext = yes allows it)"),
			       l->token ? _("token") : _("password"));
	return err_set(e, ERR_ACCOUNT, POP3_ERR_NO_MECH,
		       l->token ? _("the POP3 server offers no way to log in with an OAuth token")
				: _("the POP3 server offers no way to log in that tern can use"));
}

static void hint(struct err *e, enum pop3_auth a)
{
	if (e != NULL && e->code == POP3_ERR_AUTH)
		err_prefix(e, _("login with %s failed"), pop3_auth_name(a));
}

int pop3_login(struct pop3 *p, const struct pop3_login *l, struct err *e)
{
	const enum pop3_auth *order = l->token ? token_order : password_order;
	size_t n = l->token ? sizeof(token_order) / sizeof(token_order[0]) :
			      sizeof(password_order) / sizeof(password_order[0]);
	bool plain_ok = tls_now(p) || l->allow_plaintext;
	bool skipped_plain = false, tried = false;
	struct err local;

	if (e == NULL) {
		/* The outcome steers what happens next (a SCRAM server that
		 * fails its proof ends the session): it needs an err. */
		err_init(&local);
		e = &local;
	}
	if (pop3_need_state(p, POP3_ST_AUTH, _("login"), e) < 0)
		return -1;
	if (l->auth != POP3_AUTH_AUTO) {
		if ((unsigned)l->auth >= POP3_AUTH_COUNT || unfit(l, l->auth) != NULL ||
		    !offered(p, l->auth, true) || (reveals(l->auth) && !plain_ok))
			return forced_unusable(p, l, e);
		order = &l->auth;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		enum pop3_auth a = order[i];
		if (!offered(p, a, l->auth != POP3_AUTH_AUTO) || unfit(l, a) != NULL)
			continue;
		if (reveals(a) && !plain_ok) {
			skipped_plain = true;
			continue;
		}
		tried = true;
		enum attempt res = attempt(p, l, a, e);
		if (res == ATTEMPT_OK)
			return logged_in(p, a, e);
		if (res == ATTEMPT_FAIL || p->state == POP3_STATE_ERROR) {
			hint(e, a);
			return -1;
		}
	}
	if (tried)
		return -1; /* e holds the last refusal */
	return no_mechanism(p, l, skipped_plain, e);
}
