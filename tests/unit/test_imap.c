/* test_imap: the IMAP session (imap.h) against a scripted in-memory
 * server.
 *
 * The fake server holds a script of (expected client chunk, reply) steps.
 * A chunk is what the client writes up to a line end that is not followed
 * by a literal: "t1 LOGIN tim {5+}\r\npa\rss" is one chunk, while a
 * synchronising "{5}" ends its chunk, and the literal's bytes start the
 * next one once the server has answered "+".  Each chunk must be the next
 * expected one; its reply then becomes readable.  Everything written is
 * recorded (with "[TLS]" where TLS started), so the tests can assert what
 * went out -- e.g. that no credential ever precedes "[TLS]" -- and the fake
 * notes literal bytes written before the client read the "+" that allows
 * them. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "err.h"
#include "imap.h"
#include "mem.h"
#include "sasl.h"
#include "tap.h"

#define SCRIPT_MAX 256

struct step {
	char *expect;   /* NULL: the reply is sent unasked (the greeting) */
	size_t expect_len;
	char *reply;
	bool tls;       /* start_tls is expected here instead of a chunk */
};

struct fake {
	struct step steps[SCRIPT_MAX];
	size_t n, at;
	struct buf in;          /* bytes the client may read */
	size_t in_pos;
	struct buf sent;        /* all bytes written, "[TLS]" marks the handshake */
	struct buf chunk;       /* a client chunk not yet complete */
	uint64_t literal_left;  /* literal bytes the chunk still takes raw */
	size_t plus_end;        /* the client must have read this far (the "+")
				   before writing a synchronising literal */
	bool early;             /* it did not */
	bool tls;
	unsigned deflates;      /* start_deflate calls */
	size_t unread_at_deflate; /* server bytes not read yet at the first */
	bool deflate_fails;     /* start_deflate fails */
	bool raw;               /* no script: in holds the whole server stream */
	size_t exact_calls, exact_max; /* read_exact calls, largest request */
	char failure[512];      /* the first deviation from the script */
	struct buf trace;       /* "C: line\n" / "S: line\n" */
};

static struct fake fk;

static void fail(const char *fmt, ...)
{
	if (fk.failure[0] != '\0')
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fk.failure, sizeof(fk.failure), fmt, ap);
	va_end(ap);
}

static void fake_free(void)
{
	for (size_t i = 0; i < fk.n; i++) {
		free(fk.steps[i].expect);
		free(fk.steps[i].reply);
	}
	buf_release(&fk.in);
	buf_release(&fk.sent);
	buf_release(&fk.chunk);
	buf_release(&fk.trace);
}

static void fake_reset(bool tls)
{
	fake_free();
	memset(&fk, 0, sizeof(fk));
	buf_init(&fk.in, (size_t)64 << 20);
	buf_init(&fk.sent, (size_t)64 << 20);
	buf_init(&fk.chunk, (size_t)64 << 20);
	buf_init(&fk.trace, (size_t)16 << 20);
	fk.tls = tls;
}

/* Adds a step: after the client sends expect, the server sends reply. */
static void S(const char *expect, const char *reply)
{
	if (fk.n == SCRIPT_MAX)
		abort();
	struct step *s = &fk.steps[fk.n++];
	s->expect = expect ? xstrdup(expect) : NULL;
	s->expect_len = expect ? strlen(expect) : 0;
	s->reply = xstrdup(reply);
	s->tls = false;
}

static void S_tls(void)
{
	if (fk.n == SCRIPT_MAX)
		abort();
	struct step *s = &fk.steps[fk.n++];
	s->expect = NULL;
	s->reply = xstrdup("");
	s->tls = true;
}

static void push(const char *reply)
{
	if (buf_append_str(&fk.in, reply) < 0)
		abort();
}

/* Sends the replies of the unasked steps at the head of the script. */
static void unasked(void)
{
	while (fk.at < fk.n && fk.steps[fk.at].expect == NULL && !fk.steps[fk.at].tls)
		push(fk.steps[fk.at++].reply);
}

static int fk_read_line(void *ctx, struct buf *line, struct err *e)
{
	(void)ctx;
	size_t rest = fk.in.len - fk.in_pos;
	if (rest == 0)
		return err_set(e, ERR_ACCOUNT, CONN_ERR_CLOSED, "the server closed the connection");
	const char *s = fk.in.data + fk.in_pos;
	const char *lf = memchr(s, '\n', rest);
	size_t n = lf != NULL ? (size_t)(lf - s) + 1 : rest;
	if (n > line->max) {
		fk.in_pos = fk.in.len;
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, "line too long");
	}
	if (lf == NULL) {
		fk.in_pos = fk.in.len;
		return err_set(e, ERR_ACCOUNT, CONN_ERR_CLOSED,
			       "the server closed the connection in a line");
	}
	buf_reset(line);
	if (buf_append(line, s, n) < 0)
		abort();
	fk.in_pos += n;
	return 0;
}

static int fk_read_exact(void *ctx, size_t n, struct buf *out, struct err *e)
{
	(void)ctx;
	fk.exact_calls++;
	if (n > fk.exact_max)
		fk.exact_max = n;
	if (n > out->max)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, "read_exact past the buffer");
	if (fk.in.len - fk.in_pos < n) {
		fk.in_pos = fk.in.len;
		return err_set(e, ERR_ACCOUNT, CONN_ERR_CLOSED,
			       "the server closed the connection in a literal");
	}
	buf_reset(out);
	if (buf_append(out, fk.in.data + fk.in_pos, n) < 0)
		abort();
	fk.in_pos += n;
	return 0;
}

/* The size of a literal announced at the end of chunk ("{12}" or
 * "{12+}"), or -1. */
static long long literal_at_end(const struct buf *c, bool *plus_r)
{
	size_t n = c->len;
	if (n < 3 || c->data[n - 1] != '}')
		return -1;
	size_t i = n - 1;
	*plus_r = c->data[i - 1] == '+';
	if (*plus_r)
		i--;
	size_t digits_end = i;
	while (i > 0 && c->data[i - 1] >= '0' && c->data[i - 1] <= '9')
		i--;
	if (i == 0 || i == digits_end || c->data[i - 1] != '{')
		return -1;
	return strtoll(c->data + i, NULL, 10);
}

static void client_chunk(const char *s, size_t n)
{
	if (fk.at >= fk.n || fk.steps[fk.at].tls) {
		fail("unexpected \"%.*s\"", (int)n, s);
		return;
	}
	const struct step *st = &fk.steps[fk.at];
	if (st->expect == NULL || st->expect_len != n || memcmp(st->expect, s, n) != 0) {
		fail("expected \"%s\", got \"%.*s\"", st->expect ? st->expect : "(unasked)",
		     (int)(n > 300 ? 300 : n), s);
		return;
	}
	push(st->reply);
	fk.at++;
	unasked();
}

/* Takes one byte the client wrote. */
static void client_byte(char ch)
{
	if (buf_append(&fk.chunk, &ch, 1) < 0)
		abort();
	if (fk.literal_left > 0) {
		if (fk.in_pos < fk.plus_end)
			fk.early = true;
		fk.literal_left--;
		return;
	}
	if (ch != '\n')
		return;
	buf_truncate(&fk.chunk, fk.chunk.len - 1);
	if (fk.chunk.len > 0 && fk.chunk.data[fk.chunk.len - 1] == '\r')
		buf_truncate(&fk.chunk, fk.chunk.len - 1);
	bool plus = false;
	long long lit = literal_at_end(&fk.chunk, &plus);
	if (lit >= 0 && plus) {
		/* The chunk goes on with the literal: put its CRLF back. */
		buf_cut_ok(buf_append(&fk.chunk, "\r\n", 2));
		fk.literal_left = (uint64_t)lit;
		return;
	}
	size_t at = fk.at;
	client_chunk(fk.chunk.data, fk.chunk.len);
	buf_reset(&fk.chunk);
	const char *reply = fk.steps[at].reply;
	if (lit >= 0 && fk.failure[0] == '\0' && (reply[0] == '+' || strstr(reply, "\n+"))) {
		fk.literal_left = (uint64_t)lit;
		fk.plus_end = fk.in.len;
	}
}

static int fk_write(void *ctx, const char *p, size_t n, struct err *e)
{
	(void)ctx;
	if (buf_append(&fk.sent, p, n) < 0)
		abort();
	if (!fk.raw)
		for (size_t i = 0; i < n; i++)
			client_byte(p[i]);
	if (fk.failure[0] != '\0')
		return err_set(e, ERR_ACCOUNT, CONN_ERR_CLOSED, "script: %s", fk.failure);
	return 0;
}

static int fk_start_tls(void *ctx, struct err *e)
{
	(void)ctx;
	if (fk.raw) {
		fk.tls = true;
		return 0;
	}
	if (fk.at >= fk.n || !fk.steps[fk.at].tls) {
		fail("unexpected TLS handshake");
		return err_set(e, ERR_ACCOUNT, CONN_ERR_TLS, "unexpected handshake");
	}
	fk.at++;
	if (fk.in_pos != fk.in.len) /* as conn_start_tls does */
		return err_set(e, ERR_ACCOUNT, CONN_ERR_INJECTION,
			       "bytes received before the TLS handshake");
	buf_cut_ok(buf_append_str(&fk.sent, "[TLS]"));
	fk.tls = true;
	unasked();
	return 0;
}

/* Compression is make-believe here: the stream stays plain; what counts
 * is when it starts and what was read before. */
static int fk_start_deflate(void *ctx, struct err *e)
{
	(void)ctx;
	if (fk.deflates++ == 0)
		fk.unread_at_deflate = fk.in.len - fk.in_pos;
	buf_cut_ok(buf_append_str(&fk.sent, "[DEFLATE]"));
	if (fk.deflate_fails)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, "cannot deflate");
	return 0;
}

static bool fk_is_tls(void *ctx)
{
	(void)ctx;
	return fk.tls;
}

static void fk_trace(void *ctx, bool sent, const char *line, size_t len)
{
	(void)ctx;
	buf_cut_ok(buf_printf(&fk.trace, "%s: %.*s\n", sent ? "C" : "S", (int)len, line));
}

static const struct imap_io fake_io = {
	.read_line = fk_read_line,
	.read_exact = fk_read_exact,
	.write = fk_write,
	.start_tls = fk_start_tls,
	.is_tls = fk_is_tls,
	.start_deflate = fk_start_deflate,
};

static struct imap_settings settings(void)
{
	struct imap_settings s = { .trace = fk_trace };
	return s;
}

/* A session on the script so far. */
static struct imap *session_io(const struct imap_io *io, const struct imap_settings *s)
{
	struct imap_settings def = settings();
	unasked();
	return imap_new(io, s != NULL ? s : &def);
}

static struct imap *session(void)
{
	return session_io(&fake_io, NULL);
}

static bool script_done(void)
{
	if (fk.failure[0] != '\0') {
		diag("script: %s", fk.failure);
		return false;
	}
	if (fk.at != fk.n) {
		diag("script: stopped at step %zu of %zu (%s)", fk.at, fk.n,
		     fk.steps[fk.at].expect ? fk.steps[fk.at].expect : "TLS");
		return false;
	}
	return true;
}

static bool sent_has(const char *s)
{
	return strstr(fk.sent.data, s) != NULL;
}

static bool trace_has(const char *s)
{
	return strstr(fk.trace.data, s) != NULL;
}

/* No login command of any kind went out. */
static bool no_login_sent(void)
{
	return !sent_has("LOGIN") && !sent_has("AUTHENTICATE");
}

/* Whether text holds secret, or a base64 word decoding to bytes that
 * hold it. */
static bool reveals(const char *text, const char *secret)
{
	if (strstr(text, secret) != NULL)
		return true;
	for (const char *w = text; *w;) {
		size_t n = strcspn(w, " \n()");
		struct buf dec;
		buf_init(&dec, 1 << 20);
		if (n >= 4 && sasl_b64_decode(w, n, &dec) == 0 &&
		    memmem(dec.data, dec.len, secret, strlen(secret)) != NULL) {
			buf_release(&dec);
			return true;
		}
		buf_release(&dec);
		w += n;
		w += strspn(w, " \n()");
	}
	return false;
}

/* Neither the trace nor the error shows the secret, raw or in base64. */
static bool secret_kept(const char *secret, const struct err *e)
{
	if (reveals(fk.trace.data, secret)) {
		diag("the trace shows the secret");
		return false;
	}
	if (strstr(e->msg, secret) != NULL) {
		diag("the error message shows the secret: %s", e->msg);
		return false;
	}
	return true;
}

/* ---- names ---- */

static void test_names(void)
{
	enum imap_auth a;
	ok(imap_auth_from_name("SCRAM-SHA-256", &a) == 0 && a == IMAP_AUTH_SCRAM_SHA_256,
	   "auth names: scram-sha-256 in any case");
	ok(imap_auth_from_name("user", &a) == 0 && a == IMAP_AUTH_USER,
	   "auth names: user is the LOGIN command");
	ok(imap_auth_from_name("apop", &a) < 0, "auth names: apop does not exist in IMAP");
	is_str(imap_auth_name(IMAP_AUTH_OAUTHBEARER), "oauthbearer", "auth names: oauthbearer");
	is_str(imap_auth_name((enum imap_auth)99), "?", "auth names: out of range is ?");
	is_str(imap_state_name(IMAP_STATE_NOT_AUTH), "NOT AUTHENTICATED",
	       "state names: NOT AUTHENTICATED");
	is_str(imap_state_name(IMAP_STATE_COUNT), "?", "state names: out of range is ?");
}

/* ---- greeting ---- */

static void greeting_garbage(const char *greeting, const char *what)
{
	struct err e;
	err_init(&e);
	fake_reset(false);
	S(NULL, greeting);
	struct imap *p = session();
	int rc = imap_open(p, false, &e);
	ok(rc < 0 && e.code == IMAP_ERR_PROTOCOL && e.scope == ERR_ACCOUNT &&
	   imap_state(p) == IMAP_STATE_ERROR && fk.sent.len == 0,
	   "greeting: %s is not IMAP, nothing sent (%s)", what, e.msg);
	imap_free(&p);
}

static void test_greeting(void)
{
	struct err e;
	err_init(&e);
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR auth=plain AUTH=SCRAM-SHA-256 LITERAL+ "
		"AUTH=X-UNKNOWN XYZZY] ready\r\n");
	struct imap *p = session();
	ok(imap_open(p, false, &e) == 0 && imap_state(p) == IMAP_STATE_NOT_AUTH,
	   "greeting: OK with [CAPABILITY] opens the session (%s)", e.msg);
	is_int((long long)fk.sent.len, 0, "greeting: [CAPABILITY] in the greeting: no CAPABILITY sent");
	const struct imap_caps *c = imap_caps(p);
	ok(c->known, "greeting: the capabilities are known");
	is_int(c->bits, IMAP_CAP_IMAP4REV1 | IMAP_CAP_SASL_IR | IMAP_CAP_LITERAL_PLUS,
	       "greeting: the capability bits of the code, unknown words ignored");
	is_int(c->sasl, (1u << SASL_PLAIN) | (1u << SASL_SCRAM_SHA_256),
	       "greeting: AUTH= mechanisms in any case, unknown ones ignored");
	ok(imap_has(p, IMAP_CAP_SASL_IR | IMAP_CAP_LITERAL_PLUS) &&
	   !imap_has(p, IMAP_CAP_SASL_IR | IMAP_CAP_STARTTLS),
	   "imap_has: true only when every bit asked is there");
	ok(imap_open(p, false, &e) < 0 && e.code == IMAP_ERR_STATE && fk.sent.len == 0,
	   "greeting: a second imap_open is refused");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK IMAP server ready\r\n");
	S("t1 CAPABILITY", "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED AUTH=CRAM-MD5\r\n"
			   "t1 OK done\r\n");
	p = session();
	ok(imap_open(p, false, &e) == 0 && script_done(),
	   "greeting: OK without a code: CAPABILITY is asked (t1)");
	is_int(imap_caps(p)->bits, IMAP_CAP_IMAP4REV1 | IMAP_CAP_STARTTLS | IMAP_CAP_LOGINDISABLED,
	       "greeting: the capabilities of the CAPABILITY response");
	ok(trace_has("C: t1 CAPABILITY\n") && trace_has("S: t1 OK done\n"),
	   "trace: lines sent and received, without their CRLF");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK ready\r\n");
	S("t1 CAPABILITY", "t1 OK nothing to say\r\n");
	p = session();
	ok(imap_open(p, false, &e) < 0 && e.code == IMAP_ERR_PROTOCOL &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "greeting: a CAPABILITY that lists nothing fails the open, session unusable (%s)",
	   e.msg);
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK ready\r\n");
	S("t1 CAPABILITY", "t1 NO not now\r\n");
	p = session();
	ok(imap_open(p, false, &e) < 0 && e.code == IMAP_ERR_NO && e.scope == ERR_ACCOUNT &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "greeting: CAPABILITY refused is an account error, session unusable (%s)", e.msg);
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* PREAUTH [CAPABILITY IMAP4rev1] welcome back\r\n");
	p = session();
	ok(imap_open(p, true, &e) == 0 && imap_state(p) == IMAP_STATE_AUTH && fk.sent.len == 0,
	   "greeting: PREAUTH starts in the authenticated state");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* BYE [UNAVAILABLE] too busy, try later\r\n");
	p = session();
	ok(imap_open(p, false, &e) < 0 && e.code == IMAP_ERR_BYE &&
	   imap_state(p) == IMAP_STATE_ERROR && strstr(e.msg, "too busy, try later") != NULL &&
	   fk.sent.len == 0, "greeting: BYE ends the session with its text (%s)", e.msg);
	imap_free(&p);

	greeting_garbage("+OK POP3 ready\r\n", "a POP3 greeting");
	greeting_garbage("HTTP/1.1 400 Bad Request\r\n", "an HTTP response");
	greeting_garbage("* 1 EXISTS\r\n", "a data response");
	greeting_garbage("t1 OK hello\r\n", "a tagged response");
	greeting_garbage("* NO go away\r\n", "an untagged NO");
	greeting_garbage("+ go ahead\r\n", "a continuation");

	fake_reset(false);
	p = session();
	ok(imap_open(p, false, &e) < 0 && e.code == CONN_ERR_CLOSED &&
	   imap_state(p) == IMAP_STATE_ERROR, "greeting: a closed connection (%s)", e.msg);
	imap_free(&p);
}

/* ---- STARTTLS ---- */

static const struct imap_login tls_login = {
	.user = "tim", .secret = "tanstaaftanstaaf", .allow_plaintext = true,
};

/* After a failed open, a login is refused and nothing more is sent. */
static bool dead_after(struct imap *p)
{
	struct err e;
	err_init(&e);
	size_t before = fk.sent.len;
	return imap_login(p, &tls_login, &e) < 0 && e.code == IMAP_ERR_STATE &&
	       fk.sent.len == before && no_login_sent();
}

static void test_starttls(void)
{
	struct err e;
	err_init(&e);
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
	S("t1 STARTTLS", "* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\r\n"
			 "t1 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2] begin TLS\r\n");
	S_tls();
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256\r\nt2 OK\r\n");
	struct imap *p = session();
	ok(imap_open(p, true, &e) == 0 && script_done() && imap_state(p) == IMAP_STATE_NOT_AUTH,
	   "STARTTLS: done when required, then CAPABILITY asked again (%s)", e.msg);
	ok(strcmp(fk.sent.data, "t1 STARTTLS\r\n[TLS]t2 CAPABILITY\r\n") == 0,
	   "STARTTLS: the handshake happens right after its OK");
	is_int(imap_caps(p)->sasl, 1u << SASL_SCRAM_SHA_256,
	       "STARTTLS: capabilities before TLS (untagged, and in its OK) are not trusted");
	is_int(imap_caps(p)->bits, IMAP_CAP_IMAP4REV1,
	       "STARTTLS: STARTTLS and LOGINDISABLED of the plain connection are forgotten");
	imap_free(&p);

	/* Capabilities unknown from the greeting: asked first. */
	fake_reset(false);
	S(NULL, "* OK hi\r\n");
	S("t1 CAPABILITY", "* CAPABILITY IMAP4rev1 STARTTLS\r\nt1 OK\r\n");
	S("t2 STARTTLS", "t2 OK go\r\n");
	S_tls();
	S("t3 CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nt3 OK\r\n");
	p = session();
	ok(imap_open(p, true, &e) == 0 && script_done(),
	   "STARTTLS: CAPABILITY, STARTTLS, TLS, CAPABILITY");
	imap_free(&p);

	/* Offered but not required: not done. */
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n");
	p = session();
	ok(imap_open(p, false, &e) == 0 && fk.sent.len == 0 && !fk.tls,
	   "STARTTLS: not done when not asked for");
	imap_free(&p);

	/* Implicit TLS: STARTTLS is not needed. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n");
	p = session();
	ok(imap_open(p, true, &e) == 0 && fk.sent.len == 0,
	   "STARTTLS: not done on a connection that is already TLS");
	imap_free(&p);

	/* Not offered. */
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
	p = session();
	ok(imap_open(p, true, &e) < 0 && e.code == IMAP_ERR_TLS && e.scope == ERR_ACCOUNT &&
	   imap_state(p) == IMAP_STATE_ERROR && fk.sent.len == 0,
	   "STARTTLS not offered: IMAP_ERR_TLS, nothing sent (%s)", e.msg);
	ok(dead_after(p), "STARTTLS not offered: no login afterwards, nothing sent");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK hi\r\n");
	S("t1 CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nt1 OK\r\n");
	p = session();
	ok(imap_open(p, true, &e) < 0 && e.code == IMAP_ERR_TLS && script_done() &&
	   strcmp(fk.sent.data, "t1 CAPABILITY\r\n") == 0 && dead_after(p),
	   "STARTTLS missing from CAPABILITY: IMAP_ERR_TLS, only CAPABILITY was sent");
	imap_free(&p);

	/* No TLS layer at all. */
	struct imap_io no_tls = fake_io;
	no_tls.start_tls = NULL;
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
	p = session_io(&no_tls, NULL);
	ok(imap_open(p, true, &e) < 0 && e.code == IMAP_ERR_TLS && fk.sent.len == 0 &&
	   dead_after(p), "STARTTLS impossible (no start_tls): IMAP_ERR_TLS, nothing sent");
	imap_free(&p);

	/* Refused. */
	static const char *const refusals[] = { "t1 NO [UNAVAILABLE] TLS not now\r\n",
						"t1 BAD TLS not now\r\n" };
	for (size_t i = 0; i < 2; i++) {
		fake_reset(false);
		S(NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
		S("t1 STARTTLS", refusals[i]);
		p = session();
		ok(imap_open(p, true, &e) < 0 && e.code == IMAP_ERR_TLS && e.scope == ERR_ACCOUNT &&
		   imap_state(p) == IMAP_STATE_ERROR && strstr(e.msg, "TLS not now") != NULL,
		   "STARTTLS %s: IMAP_ERR_TLS with the server's text (%s)", i ? "BAD" : "NO",
		   e.msg);
		ok(dead_after(p) && strcmp(fk.sent.data, "t1 STARTTLS\r\n") == 0,
		   "STARTTLS %s: nothing sent afterwards", i ? "BAD" : "NO");
		imap_free(&p);
	}

	/* A response injected after the OK, in the same segment
	 * (CVE-2020-14954): the TLS layer refuses. */
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
	S("t1 STARTTLS", "t1 OK go\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
	S_tls();
	p = session();
	ok(imap_open(p, true, &e) < 0 && e.code == CONN_ERR_INJECTION &&
	   imap_state(p) == IMAP_STATE_ERROR, "STARTTLS: bytes before the handshake end the session");
	ok(dead_after(p) && !sent_has("[TLS]"), "STARTTLS injection: nothing sent afterwards");
	imap_free(&p);

	/* PREAUTH on a connection that needed STARTTLS. */
	fake_reset(false);
	S(NULL, "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in already\r\n");
	p = session();
	ok(imap_open(p, true, &e) < 0 && e.code == IMAP_ERR_TLS &&
	   imap_state(p) == IMAP_STATE_ERROR && fk.sent.len == 0,
	   "STARTTLS required: PREAUTH on a plain connection is refused (%s)", e.msg);
	size_t before = fk.sent.len;
	ok(imap_simple(p, "SELECT", "INBOX", NULL, NULL, &e) < 0 && e.code == IMAP_ERR_STATE &&
	   fk.sent.len == before, "PREAUTH refused: no command can be sent afterwards");
	imap_free(&p);
}

/* ---- login ---- */

#define PW "tanstaaftanstaaf"
#define PLAIN_IR "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"   /* \0tim\0tanstaaftanstaaf */
#define CRAM_CH "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"
#define CRAM_ANS "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"

static const struct imap_login pw_login = { .user = "tim", .secret = PW };

/* Opens a session on the script and logs in with l; returns the login's
 * result, fills e, and leaves the session in *pp. */
static int open_login(const struct imap_login *l, const struct imap_settings *s,
		      struct imap **pp, struct err *e)
{
	err_init(e);
	*pp = session_io(&fake_io, s);
	int rc = imap_open(*pp, false, e);
	if (rc < 0) {
		diag("open failed: %s", e->msg);
		return rc;
	}
	return imap_login(*pp, l, e);
}

static void test_login_plain(void)
{
	struct err e;
	struct imap *p;
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] hi\r\n");
	S("t1 AUTHENTICATE PLAIN " PLAIN_IR, "t1 OK [CAPABILITY IMAP4rev1 IDLE MOVE] in\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) == 0 && script_done() &&
	   imap_state(p) == IMAP_STATE_AUTH && imap_auth_used(p) == IMAP_AUTH_PLAIN,
	   "PLAIN: with SASL-IR, the initial response on the command line (%s)", e.msg);
	is_int(imap_caps(p)->bits, IMAP_CAP_IMAP4REV1 | IMAP_CAP_IDLE | IMAP_CAP_MOVE,
	       "login: the capabilities of the OK's [CAPABILITY], no CAPABILITY sent");
	ok(trace_has("C: t1 AUTHENTICATE PLAIN ***\n") && secret_kept(PW, &e),
	   "PLAIN: the trace shows AUTHENTICATE PLAIN ***, never the password or its base64");
	ok(imap_login(p, &pw_login, &e) < 0 && e.code == IMAP_ERR_STATE,
	   "login: refused once authenticated");
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
	S("t1 AUTHENTICATE PLAIN", "+ \r\n");
	S(PLAIN_IR, "t1 OK in\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1 NAMESPACE\r\nt2 OK\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) == 0 && script_done() &&
	   imap_has(p, IMAP_CAP_NAMESPACE),
	   "PLAIN: without SASL-IR, the response after an empty \"+\"; CAPABILITY asked after (%s)",
	   e.msg);
	ok(trace_has("C: ***\n") && secret_kept(PW, &e), "PLAIN: the response line is masked");
	imap_free(&p);

	/* The LOGIN SASL mechanism. */
	struct imap_login l = pw_login;
	l.auth = IMAP_AUTH_LOGIN;
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] hi\r\n");
	S("t1 AUTHENTICATE LOGIN", "+ VXNlcm5hbWU6\r\n");
	S("dGlt", "+ UGFzc3dvcmQ6\r\n");
	S("dGFuc3RhYWZ0YW5zdGFhZg==", "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_LOGIN,
	   "LOGIN (SASL, forced): user name, then password, no initial response");
	ok(secret_kept(PW, &e), "LOGIN (SASL): the password never in the trace");
	imap_free(&p);

	/* CRAM-MD5 (RFC 2195 example), chosen over PLAIN. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", CRAM_CH);
	S(CRAM_ANS, "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_CRAM_MD5,
	   "CRAM-MD5: chosen over PLAIN, answers the RFC 2195 challenge");
	imap_free(&p);

	/* NO to CRAM-MD5 before the answer: the next mechanism. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", "t1 NO [CANNOT] CRAM-MD5 is off\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5\r\nt2 OK\r\n");
	S("t3 AUTHENTICATE PLAIN " PLAIN_IR, "t3 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_PLAIN,
	   "NO before any proof: CAPABILITY again, then the next mechanism (%s)", e.msg);
	imap_free(&p);

	/* NO after the proof: no other mechanism. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", CRAM_CH);
	S(CRAM_ANS, "t1 NO [AUTHENTICATIONFAILED] wrong\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_AUTH &&
	   e.scope == ERR_ACCOUNT && script_done() && !sent_has("PLAIN") &&
	   imap_state(p) == IMAP_STATE_NOT_AUTH && strstr(e.msg, "wrong") != NULL,
	   "NO after the CRAM-MD5 proof: IMAP_ERR_AUTH, PLAIN not tried (%s)", e.msg);
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] hi\r\n");
	S("t1 AUTHENTICATE PLAIN " PLAIN_IR, "t1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_AUTH && script_done() &&
	   strstr(e.msg, "plain") != NULL && strstr(e.msg, "Invalid credentials") != NULL &&
	   secret_kept(PW, &e),
	   "NO after the PLAIN response: IMAP_ERR_AUTH naming the mechanism, LOGIN not tried (%s)",
	   e.msg);
	imap_free(&p);

	/* Untagged responses between the challenges. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", "* OK one\r\n* OK two\r\n* OK three\r\n* OK four\r\n"
	  "* OK five\r\n* OK six\r\n* OK seven\r\n* OK eight\r\n" CRAM_CH);
	S(CRAM_ANS, "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) == 0 && script_done(),
	   "AUTHENTICATE: untagged responses before a challenge do not count as challenges (%s)",
	   e.msg);
	imap_free(&p);

	/* A challenge that is not base64: cancelled. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5 LOGINDISABLED] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", "+ not*base64\r\n");
	S("*", "t1 BAD cancelled\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1 AUTH=CRAM-MD5 LOGINDISABLED\r\nt2 OK\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && script_done() &&
	   imap_state(p) == IMAP_STATE_NOT_AUTH,
	   "CRAM-MD5: a challenge that is not base64 is cancelled with \"*\" (%s)", e.msg);
	imap_free(&p);

	/* The cancel answered by another tag. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=CRAM-MD5] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", "+ not*base64\r\n");
	S("*", "t7 BAD cancelled\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && script_done() &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "AUTHENTICATE: the cancel answered with a tag never sent breaks the session");
	imap_free(&p);

	/* BYE during the login, then an OK. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
	S("t1 AUTHENTICATE PLAIN " PLAIN_IR, "* BYE shutting down\r\nt1 OK in\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_BYE &&
	   imap_state(p) == IMAP_STATE_LOGOUT && strstr(e.msg, "shutting down") != NULL,
	   "login: an OK after a BYE does not log in (%s)", e.msg);
	imap_free(&p);
}

static void test_login_command(void)
{
	struct err e;
	struct imap *p;
	struct imap_login l = { .user = "tim", .secret = "pa\"ss\\w" };
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
	S("t1 LOGIN tim \"pa\\\"ss\\\\w\"", "t1 OK [CAPABILITY IMAP4rev1 UIDPLUS] in\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_USER && imap_has(p, IMAP_CAP_UIDPLUS),
	   "LOGIN: a password with \" and \\ is quoted; caps from the OK's code (%s)", e.msg);
	ok(trace_has("C: t1 LOGIN tim ***\n") && secret_kept("pa\"ss\\w", &e),
	   "LOGIN: the trace shows LOGIN tim ***");
	imap_free(&p);

	/* A password with CR: a synchronising literal. */
	l.secret = "pa\rss";
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
	S("t1 LOGIN tim {5}", "+ go ahead\r\n");
	S("pa\rss", "t1 OK in\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1\r\nt2 OK\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done(),
	   "LOGIN: a password with CR goes as a literal (%s)", e.msg);
	ok(!fk.early, "LOGIN: nothing after \"{5}\" is written before the \"+\"");
	ok(trace_has("C: t1 LOGIN tim ***\n") && secret_kept("pa\rss", &e),
	   "LOGIN: the literal password is masked");
	imap_free(&p);

	/* 8-bit: a literal too; refused instead of "+": the login failed. */
	l.secret = "p\xc3\xa4ss";
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
	S("t1 LOGIN tim {5}", "t1 NO [CANNOT] no literals here\r\n");
	ok(open_login(&l, NULL, &p, &e) < 0 && e.code == IMAP_ERR_AUTH && script_done() &&
	   !sent_has("p\xc3\xa4ss"),
	   "LOGIN: an 8-bit password goes as a literal; NO instead of \"+\" sends nothing (%s)",
	   e.msg);
	imap_free(&p);

	/* LITERAL+: no wait. */
	l.secret = "pa\rss";
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n");
	S("t1 LOGIN tim {5+}\r\npa\rss", "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done(),
	   "LOGIN: with LITERAL+, \"{5+}\" and the literal at once (%s)", e.msg);
	imap_free(&p);

	/* LOGINDISABLED. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_NO_MECH &&
	   fk.sent.len == 0, "LOGINDISABLED: the LOGIN command is never used (%s)", e.msg);
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] hi\r\n");
	S("t1 AUTHENTICATE PLAIN", "+\r\n");
	S(PLAIN_IR, "t1 NO [AUTHENTICATIONFAILED] no\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_AUTH &&
	   script_done() && !sent_has("LOGIN"),
	   "LOGINDISABLED: PLAIN refused, and LOGIN is not tried");
	imap_free(&p);

	l = pw_login;
	l.auth = IMAP_AUTH_USER;
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] hi\r\n");
	ok(open_login(&l, NULL, &p, &e) < 0 && e.code == IMAP_ERR_NO_MECH && fk.sent.len == 0,
	   "LOGINDISABLED: a forced LOGIN command is refused, nothing sent");
	imap_free(&p);
}

static void test_login_plaintext(void)
{
	struct err e;
	struct imap *p;
	/* No TLS: the mechanisms that reveal the password are skipped. */
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] hi\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_TLS && fk.sent.len == 0,
	   "no TLS: PLAIN, LOGIN and the LOGIN command are skipped, IMAP_ERR_TLS (%s)", e.msg);
	imap_free(&p);

	struct imap_login l = pw_login;
	l.auth = IMAP_AUTH_PLAIN;
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
	ok(open_login(&l, NULL, &p, &e) < 0 && e.code == IMAP_ERR_TLS && fk.sent.len == 0,
	   "no TLS: a forced PLAIN is refused too");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5] hi\r\n");
	S("t1 AUTHENTICATE CRAM-MD5", CRAM_CH);
	S(CRAM_ANS, "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) == 0 && script_done(),
	   "no TLS: CRAM-MD5 is still allowed");
	imap_free(&p);

	l = pw_login;
	l.allow_plaintext = true;
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
	S("t1 AUTHENTICATE PLAIN " PLAIN_IR, "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done(),
	   "no TLS, plaintext allowed: PLAIN is used");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1] hi\r\n");
	S("t1 LOGIN tim " PW, "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done() && secret_kept(PW, &e),
	   "no TLS, plaintext allowed: the LOGIN command, masked in the trace");
	imap_free(&p);

	l = pw_login;
	l.auth = IMAP_AUTH_SCRAM_SHA_1;
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
	ok(open_login(&l, NULL, &p, &e) < 0 && e.code == IMAP_ERR_NO_MECH && fk.sent.len == 0,
	   "a forced mechanism the server does not offer: IMAP_ERR_NO_MECH");
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=GSSAPI LOGINDISABLED] hi\r\n");
	ok(open_login(&pw_login, NULL, &p, &e) < 0 && e.code == IMAP_ERR_NO_MECH,
	   "no usable mechanism: IMAP_ERR_NO_MECH");
	imap_free(&p);
}

#define S256_IR "t1 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="
#define S256_FIRST "biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="
#define S256_SFIRST "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n"
#define S256_CFINAL "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ=="
#define S256_SFINAL "+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n"
#define S1_IR "t1 AUTHENTICATE SCRAM-SHA-1 biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM"
#define S1_SFIRST "+ cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0wzcmZjTkhZSlkxWlZ2V1ZzN2oscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==\r\n"
#define S1_CFINAL "Yz1iaXdzLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdMM3JmY05IWUpZMVpWdldWczdqLHA9djBYOHYzQnoyVDBDSkdiSlF5RjBYK0hJNFRzPQ=="
#define S1_SFINAL "+ dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS1E9\r\n"
#define S1_SFINAL_BAD "+ dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS0E9\r\n"

static const struct imap_login scram_login = { .user = "user", .secret = "pencil" };

static struct imap_settings scram_settings(const char *nonce)
{
	struct imap_settings s = settings();
	s.test_scram_nonce = nonce;
	return s;
}

static void test_scram(void)
{
	struct err e;
	struct imap *p;
	struct imap_settings s256 = scram_settings("rOprNGfwEbeRWgbNEkqO");
	struct imap_settings s1 = scram_settings("fyko+d2lbbFgONRv9qkxdawL");

	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=CRAM-MD5 AUTH=SCRAM-SHA-1 "
		"AUTH=SCRAM-SHA-256] hi\r\n");
	S(S256_IR, S256_SFIRST);
	S(S256_CFINAL, S256_SFINAL);
	S("", "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&scram_login, &s256, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_SCRAM_SHA_256,
	   "SCRAM-SHA-256: chosen first, even without TLS; the RFC 7677 exchange (%s)", e.msg);
	ok(!trace_has("Yz1iaXdz") && trace_has("C: ***\n") && secret_kept("pencil", &e),
	   "SCRAM: the client's responses are masked in the trace");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256] hi\r\n");
	S("t1 AUTHENTICATE SCRAM-SHA-256", "+ \r\n");
	S(S256_FIRST, S256_SFIRST);
	S(S256_CFINAL, S256_SFINAL);
	S("", "t1 OK in\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1\r\nt2 OK\r\n");
	ok(open_login(&scram_login, &s256, &p, &e) == 0 && script_done(),
	   "SCRAM-SHA-256 without SASL-IR: client-first after the empty \"+\" (%s)", e.msg);
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-1 AUTH=PLAIN] hi\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, S1_SFINAL);
	S("", "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&scram_login, &s1, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_SCRAM_SHA_1,
	   "SCRAM-SHA-1: the RFC 5802 exchange logs in (%s)", e.msg);
	imap_free(&p);

	/* A wrong server signature. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-1 AUTH=PLAIN] hi\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, S1_SFINAL_BAD);
	S("*", "t1 BAD cancelled\r\n");
	ok(open_login(&scram_login, &s1, &p, &e) < 0 && e.code == SASL_ERR_SERVER_PROOF &&
	   imap_state(p) == IMAP_STATE_ERROR && script_done(),
	   "SCRAM: a wrong server signature: \"*\", SASL_ERR_SERVER_PROOF, session unusable (%s)",
	   e.msg);
	ok(!sent_has("PLAIN"), "SCRAM: after a wrong signature PLAIN is not tried");
	size_t before = fk.sent.len;
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_STATE &&
	   fk.sent.len == before, "SCRAM: nothing is sent after the failed proof");
	imap_free(&p);

	/* OK without the server's signature. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-1] hi\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, "t1 OK welcome\r\n");
	ok(open_login(&scram_login, &s1, &p, &e) < 0 && e.code == SASL_ERR_SERVER_PROOF &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "SCRAM: OK without server-final is SASL_ERR_SERVER_PROOF, session unusable");
	imap_free(&p);

	/* Refused at the first step: the next mechanism. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256 AUTH=PLAIN] hi\r\n");
	S(S256_IR, "t1 NO no SCRAM secret for you\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256 AUTH=PLAIN\r\n"
			   "t2 OK\r\n");
	S("t3 AUTHENTICATE PLAIN AHVzZXIAcGVuY2ls", "t3 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&scram_login, &s256, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_PLAIN,
	   "SCRAM refused before any proof: PLAIN over TLS next (%s)", e.msg);
	imap_free(&p);

	/* The server's "e=" error after the proof. */
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-1 AUTH=PLAIN] hi\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, "+ ZT1pbnZhbGlkLXByb29m\r\n");   /* e=invalid-proof */
	S("*", "t1 NO [AUTHENTICATIONFAILED] no\r\n");
	ok(open_login(&scram_login, &s1, &p, &e) < 0 && e.code == SASL_ERR_SERVER &&
	   script_done() && !sent_has("PLAIN") && imap_state(p) == IMAP_STATE_NOT_AUTH,
	   "SCRAM: e= after the proof is a failure, no other mechanism (%s)", e.msg);
	imap_free(&p);

	/* A password outside the SASLprep subset: cancelled before any proof,
	 * CRAM-MD5 next. */
	struct imap_login l = { .user = "user", .secret = "p\xc3\xa9ncil" };
	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256 AUTH=CRAM-MD5] hi\r\n");
	S(S256_IR, S256_SFIRST);
	S("*", "t1 BAD cancelled\r\n");
	S("t2 CAPABILITY", "* CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256 AUTH=CRAM-MD5\r\n"
			   "t2 OK\r\n");
	S("t3 AUTHENTICATE CRAM-MD5", CRAM_CH);
	S("dXNlciAxZGVhNmU4MDMwOTcyMmNkZDE4OTEzNjRmMTdhMTNiOA==", "t3 OK [CAPABILITY IMAP4rev1]\r\n");
	ok(open_login(&l, &s256, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_CRAM_MD5,
	   "SCRAM cancelled for a non-ASCII password, CRAM-MD5 next (%s)", e.msg);
	imap_free(&p);
}

static void test_oauth(void)
{
	struct err e;
	struct imap *p;
	char token[400];
	memset(token, 'A', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	struct imap_login l = { .user = "u@example.com", .secret = token, .token = true,
				.host = "imap.example.com", .port = 993 };
	struct buf raw, b64, cmd;
	buf_init(&raw, 4096);
	buf_init(&b64, 8192);
	buf_init(&cmd, 8192);
	err_init(&e);
	buf_cut_ok(sasl_oauthbearer(l.user, l.host, l.port, token, &raw, &e));
	buf_cut_ok(sasl_b64_encode(raw.data, raw.len, &b64));
	buf_cut_ok(buf_printf(&cmd, "t1 AUTHENTICATE OAUTHBEARER %s", b64.data));

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER] hi\r\n");
	S(cmd.data, "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n");
	S("AQ==", "t1 NO [AUTHENTICATIONFAILED] bad token\r\n");
	ok(open_login(&l, NULL, &p, &e) < 0 && e.code == IMAP_ERR_AUTH && script_done() &&
	   strstr(e.msg, "invalid_token") != NULL && strstr(e.msg, "bad token") != NULL,
	   "OAUTHBEARER: an error challenge is answered with ^A, its JSON in the error (%s)",
	   e.msg);
	ok(!sent_has("XOAUTH2") && secret_kept(token, &e),
	   "OAUTHBEARER: refused after the token, XOAUTH2 not tried; the token never traced");
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] hi\r\n");
	S(cmd.data, "t1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n");
	ok(open_login(&l, NULL, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_OAUTHBEARER && imap_has(p, IMAP_CAP_IDLE),
	   "OAUTHBEARER: the token as the initial response");
	ok(trace_has("C: t1 AUTHENTICATE OAUTHBEARER ***\n"), "OAUTHBEARER: masked in the trace");
	imap_free(&p);

	struct imap_login x = { .user = "someuser@example.com",
				.secret = "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg",
				.token = true };
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=PLAIN] hi\r\n");
	S("t1 AUTHENTICATE XOAUTH2", "+ \r\n");
	S("dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2cBAQ==",
	  "t1 OK [CAPABILITY IMAP4rev1] in\r\n");
	ok(open_login(&x, NULL, &p, &e) == 0 && script_done() &&
	   imap_auth_used(p) == IMAP_AUTH_XOAUTH2 && secret_kept(x.secret, &e),
	   "XOAUTH2: the token after an empty \"+\" without SASL-IR (%s)", e.msg);
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER] hi\r\n");
	ok(open_login(&x, NULL, &p, &e) < 0 && e.code == IMAP_ERR_TLS && fk.sent.len == 0,
	   "a token is not sent without TLS (%s)", e.msg);
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
	ok(open_login(&x, NULL, &p, &e) < 0 && e.code == IMAP_ERR_NO_MECH && fk.sent.len == 0,
	   "a token is never sent as a password");
	imap_free(&p);

	x.auth = IMAP_AUTH_PLAIN;
	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n");
	ok(open_login(&x, NULL, &p, &e) < 0 && e.code == IMAP_ERR_NO_MECH && fk.sent.len == 0,
	   "a token with a forced password mechanism is refused");
	imap_free(&p);
	buf_release(&raw);
	buf_release(&b64);
	buf_release(&cmd);
}

/* ---- commands ---- */

/* An authenticated session (PREAUTH on TLS) with caps. */
static struct imap *authed(const char *caps)
{
	struct err e;
	err_init(&e);
	char greeting[512];
	snprintf(greeting, sizeof(greeting), "* PREAUTH [CAPABILITY %s] hi\r\n", caps);
	S(NULL, greeting);
	struct imap *p = session();
	if (imap_open(p, false, &e) < 0 || imap_state(p) != IMAP_STATE_AUTH)
		diag("PREAUTH session failed: %s", e.msg);
	return p;
}

struct seen {
	char log[1024];
	size_t n;
	int fail_at;             /* fn fails at this call (1-based), 0: never */
	enum err_scope scope;
	bool fail_silently;      /* returns -1 without e */
};

static int record_fn(void *ctx, const struct imap_response *r, struct err *e)
{
	struct seen *s = ctx;
	size_t len = strlen(s->log);
	s->n++;
	if (r->kind == IMAP_RESP_TAGGED)
		snprintf(s->log + len, sizeof(s->log) - len, "[%s %d]", r->tag, (int)r->status);
	else if (r->status != IMAP_STATUS_NONE)
		snprintf(s->log + len, sizeof(s->log) - len, "[* %d %s]", (int)r->status, r->text);
	else
		snprintf(s->log + len, sizeof(s->log) - len, "[%.*s %.*s]",
			 (int)r->args[0].len, r->args[0].str,
			 r->n_args > 1 && r->args[1].str ? (int)r->args[1].len : 0,
			 r->n_args > 1 && r->args[1].str ? r->args[1].str : "");
	if (s->fail_at > 0 && (size_t)s->fail_at == s->n) {
		if (s->fail_silently)
			return -1;
		return err_set(e, s->scope, ERR_PARSE, "record_fn: refused");
	}
	return 0;
}

static void test_tags_and_pipelining(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	S("t1 NOOP", "t1 OK done\r\n");
	S("t2 NOOP", "t2 OK done\r\n");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 &&
	   imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && script_done(),
	   "tags: t1, t2, ...");

	/* Two in flight, completed in reverse order, waited in reverse. */
	struct imap_cmd a, b;
	imap_cmd_init(&a, p, "EXAMINE");
	imap_cmd_string(&a, "INBOX", 5, false);
	imap_cmd_init(&b, p, "STATUS");
	imap_cmd_string(&b, "Sent Items", 10, false);
	imap_cmd_raw(&b, "(MESSAGES)");
	S("t3 EXAMINE INBOX", "");
	S("t4 STATUS \"Sent Items\" (MESSAGES)",
	  "* 2 EXISTS\r\n* STATUS \"Sent Items\" (MESSAGES 3)\r\nt4 OK status\r\n"
	  "* OK [UIDVALIDITY 7] x\r\nt3 OK [READ-ONLY] examined\r\n");
	unsigned ta = 0, tb = 0;
	struct seen sa = { .n = 0 }, sb = { .n = 0 };
	ok(imap_send(p, &a, record_fn, &sa, &ta, &e) == 0 &&
	   imap_send(p, &b, record_fn, &sb, &tb, &e) == 0 && ta == 3 && tb == 4,
	   "pipelining: two commands sent before any response is read");
	ok(imap_wait(p, tb, record_fn, &sb, &e) == 0 && imap_wait(p, ta, record_fn, &sa, &e) == 0,
	   "pipelining: waited for in reverse order, both OK (%s)", e.msg);
	is_str(sb.log, "[2 EXISTS][STATUS Sent Items][t4 1]",
	       "pipelining: the second's wait sees the untagged responses before its completion");
	is_str(sa.log, "[* 1 x][t3 1]", "pipelining: the first's wait sees the rest, then its own");
	imap_cmd_release(&a);
	imap_cmd_release(&b);

	/* Completed in order, waited in reverse: the first's result was kept. */
	imap_cmd_init(&a, p, "SELECT");
	imap_cmd_string(&a, "Nope", 4, false);
	imap_cmd_init(&b, p, "NOOP");
	S("t5 SELECT Nope", "");
	S("t6 NOOP", "t5 NO [NONEXISTENT] no such\x1b[2J folder\r\nt6 OK\r\n");
	ok(imap_send(p, &a, NULL, NULL, &ta, &e) == 0 && imap_send(p, &b, NULL, NULL, &tb, &e) == 0 &&
	   imap_wait(p, tb, NULL, NULL, &e) == 0, "pipelining: the second completes");
	ok(imap_wait(p, ta, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_NO && e.scope == ERR_FOLDER &&
	   strstr(e.msg, "[NONEXISTENT]") != NULL && strstr(e.msg, "no such") != NULL &&
	   strchr(e.msg, '\x1b') == NULL,
	   "pipelining: the first's NO, read earlier, is reported by its wait (%s)", e.msg);
	ok(imap_wait(p, ta, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_STATE,
	   "imap_wait: a tag no longer in flight is refused");
	imap_cmd_release(&a);
	imap_cmd_release(&b);
	ok(script_done() && imap_state(p) == IMAP_STATE_AUTH, "pipelining: the session is fine");
	imap_free(&p);
}

static void protocol_error_case(const char *reply, enum err_code code, const char *what)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	S("t1 NOOP", reply);
	int rc = imap_simple(p, "NOOP", NULL, NULL, NULL, &e);
	ok(rc < 0 && e.code == code && e.scope == ERR_ACCOUNT && imap_state(p) == IMAP_STATE_ERROR,
	   "%s: error %d, session unusable (%s)", what, (int)code, e.msg);
	size_t before = fk.sent.len;
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_STATE &&
	   fk.sent.len == before && imap_logout(p, &e) < 0 && fk.sent.len == before &&
	   imap_state(p) == IMAP_STATE_ERROR, "%s: nothing more is sent, not even LOGOUT", what);
	imap_free(&p);
}

static void test_protocol_errors(void)
{
	protocol_error_case("t9 OK done\r\n", IMAP_ERR_PROTOCOL, "a tag never sent");
	protocol_error_case("T1 OK done\r\n", IMAP_ERR_PROTOCOL, "the tag in another case");
	protocol_error_case("t01 OK done\r\n", IMAP_ERR_PROTOCOL, "the tag with a leading zero");
	protocol_error_case("t1x OK done\r\n", IMAP_ERR_PROTOCOL, "the tag with a suffix");
	protocol_error_case("+ more please\r\n", IMAP_ERR_PROTOCOL, "an unexpected \"+\"");
	protocol_error_case("* 1 FETCH (BODY[] {3+}\r\nabc)\r\nt1 OK\r\n", ERR_PARSE,
			    "a malformed response (\"{3+}\")");

	/* The same tag completed twice. */
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	struct imap_cmd a;
	imap_cmd_init(&a, p, "NOOP");
	S("t1 NOOP", "");
	S("t2 NOOP", "t1 OK\r\nt1 OK\r\nt2 OK\r\n");
	unsigned t1, t2;
	ok(imap_send(p, &a, NULL, NULL, &t1, &e) == 0 && imap_send(p, &a, NULL, NULL, &t2, &e) == 0 &&
	   imap_wait(p, t2, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_PROTOCOL &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "a second completion of the same tag is a protocol error (%s)", e.msg);
	imap_cmd_release(&a);
	imap_free(&p);
}

static void test_untagged_delivery(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	S("t1 SELECT INBOX", "* 3 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Deleted)\r\n"
			     "* OK [UIDVALIDITY 42] valid\r\nt1 OK [READ-WRITE] selected\r\n");
	struct seen s = { .n = 0 };
	ok(imap_simple(p, "SELECT", "INBOX", record_fn, &s, &e) == 0,
	   "untagged: SELECT completes");
	is_str(s.log, "[3 EXISTS][0 RECENT][FLAGS ][* 1 valid][t1 1]",
	       "untagged: delivered in order, the completion last");
	imap_set_selected(p, true, false);
	ok(imap_state(p) == IMAP_STATE_SELECTED && !imap_read_only(p),
	   "imap_set_selected: SELECTED, read-write");

	/* fn fails (folder scope): the wait reads to the completion. */
	S("t2 FETCH 1:* FLAGS", "* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS (\\Seen))\r\n"
				"t2 OK done\r\n");
	S("t3 NOOP", "t3 OK\r\n");
	struct seen f = { .fail_at = 1, .scope = ERR_FOLDER };
	int rc = imap_simple(p, "FETCH", "1:* FLAGS", record_fn, &f, &e);
	ok(rc < 0 && e.scope == ERR_FOLDER && e.code == ERR_PARSE &&
	   strstr(e.msg, "record_fn: refused") != NULL,
	   "untagged: fn's folder error is the wait's result (%s)", e.msg);
	is_int((long long)f.n, 1, "untagged: fn is not called again after its error");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && script_done() &&
	   imap_state(p) == IMAP_STATE_SELECTED,
	   "untagged: after fn's error the completion was read, the next command works");

	/* fn fails without filling e: still a failure. */
	S("t4 NOOP", "* 4 EXISTS\r\nt4 OK\r\n");
	struct seen q = { .fail_at = 1, .fail_silently = true };
	ok(imap_simple(p, "NOOP", NULL, record_fn, &q, &e) < 0 && e.scope == ERR_FOLDER,
	   "untagged: fn returning -1 without e still fails the wait (%s)", e.msg);

	/* fn fails with account scope: the session is unusable. */
	S("t5 NOOP", "* 5 EXISTS\r\nt5 OK\r\n");
	struct seen g = { .fail_at = 1, .scope = ERR_ACCOUNT };
	ok(imap_simple(p, "NOOP", NULL, record_fn, &g, &e) < 0 && e.scope == ERR_ACCOUNT &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "untagged: fn's account error ends the session at once");
	imap_free(&p);
}

static void test_no_bad_bye(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	S("t1 SELECT Archive", "t1 NO [NONEXISTENT] no \x1b[31mred\x07 mailbox\r\n");
	ok(imap_simple(p, "SELECT", "Archive", NULL, NULL, &e) < 0 && e.code == IMAP_ERR_NO &&
	   e.scope == ERR_FOLDER, "NO: IMAP_ERR_NO with the default folder scope");
	ok(strstr(e.msg, "SELECT") != NULL && strstr(e.msg, "[NONEXISTENT]") != NULL &&
	   strstr(e.msg, "\xe2\x90\x9b[31mred\xe2\x90\x87 mailbox") != NULL &&
	   strchr(e.msg, '\x1b') == NULL && strchr(e.msg, '\x07') == NULL,
	   "NO: the message names the command and quotes the text sanitised (%s)", e.msg);
	ok(imap_state(p) == IMAP_STATE_AUTH, "NO: the session goes on");

	struct imap_cmd c;
	imap_cmd_init(&c, p, "UID STORE");
	c.scope = ERR_MESSAGE;
	imap_cmd_raw(&c, "7 +FLAGS (\\Seen)");
	S("t2 UID STORE 7 +FLAGS (\\Seen)", "t2 BAD [CLIENTBUG] what\r\n");
	ok(imap_run(p, &c, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_BAD &&
	   e.scope == ERR_MESSAGE && strstr(e.msg, "UID STORE") != NULL,
	   "BAD: IMAP_ERR_BAD with the command's own scope (%s)", e.msg);
	imap_cmd_release(&c);

	char longtext[1200];
	memset(longtext, 'x', sizeof(longtext));
	memcpy(longtext, "t3 NO ", 6);
	memcpy(longtext + sizeof(longtext) - 3, "\r\n", 3);
	S("t3 NOOP", longtext);
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_NO &&
	   strstr(e.msg, "...") != NULL && strlen(e.msg) < 300,
	   "NO: a long text is shortened (%zu bytes)", strlen(e.msg));

	/* BYE, then the connection closes. */
	S("t4 NOOP", "* BYE [UNAVAILABLE] shutting down now\r\n");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_BYE &&
	   e.scope == ERR_ACCOUNT && strstr(e.msg, "shutting down now") != NULL &&
	   imap_state(p) == IMAP_STATE_ERROR,
	   "BYE then EOF: IMAP_ERR_BYE naming the BYE text (%s)", e.msg);
	ok(script_done(), "BYE: followed the script");
	imap_free(&p);

	/* BYE, then the command's OK: the session is over all the same. */
	fake_reset(true);
	p = authed("IMAP4rev1");
	S("t1 NOOP", "* BYE idle too long\r\nt1 OK\r\n");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && imap_state(p) == IMAP_STATE_LOGOUT,
	   "BYE then OK: the command succeeded, the session is in LOGOUT");
	size_t before = fk.sent.len;
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_BYE &&
	   strstr(e.msg, "idle too long") != NULL && fk.sent.len == before,
	   "after BYE: nothing more is sent (%s)", e.msg);
	imap_set_selected(p, true, false);
	is_int(imap_state(p), IMAP_STATE_LOGOUT, "after BYE: imap_set_selected changes nothing");
	imap_free(&p);
}

/* The text c holds after its verb. */
static const char *args_of(const struct imap_cmd *c)
{
	return c->text.data + strlen(c->verb);
}

static void test_cmd_forms(void)
{
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	struct imap_cmd c;
	static const struct {
		const char *in, *out, *what;
	} forms[] = {
		{ "INBOX", " INBOX", "an atom" },
		{ "a/b.c-d_e+f", " a/b.c-d_e+f", "an atom with punctuation" },
		{ "Sent Items", " \"Sent Items\"", "a space: quoted" },
		{ "a\"b\\c", " \"a\\\"b\\\\c\"", "quote and backslash escaped" },
		{ "", " \"\"", "the empty string quoted" },
		{ "NIL", " \"NIL\"", "NIL quoted, never an atom" },
		{ "nil", " \"nil\"", "nil in any case quoted" },
		{ "NILS", " NILS", "NILS is an atom" },
		{ "a(b", " \"a(b\"", "( quoted" },
		{ "a{b", " \"a{b\"", "{ quoted" },
		{ "a*", " \"a*\"", "* quoted" },
		{ "a%", " \"a%\"", "% quoted" },
		{ "a]", " \"a]\"", "] quoted" },
		{ "\\Seen", " \"\\\\Seen\"", "a backslash quoted" },
		{ "tab\there", " \"tab\there\"", "a TAB quoted" },
		{ "a\r\nb", " {4}\r\na\r\nb", "CRLF: a literal" },
		{ "caf\xc3\xa9", " {5}\r\ncaf\xc3\xa9", "8-bit: a literal before UTF-8" },
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		imap_cmd_init(&c, p, "X");
		imap_cmd_string(&c, forms[i].in, strlen(forms[i].in), false);
		if (!ok(!c.error && strcmp(args_of(&c), forms[i].out) == 0, "imap_cmd_string: %s",
			forms[i].what))
			diag("got \"%s\"", args_of(&c));
		imap_cmd_release(&c);
	}
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, "a\0b", 3, false);
	ok(c.text.len == 10 && memcmp(c.text.data, "X {3}\r\na\0b", 10) == 0 && c.n_sync == 1 &&
	   c.sync[0] == 7, "imap_cmd_string: NUL: a literal, synchronising at its head");
	imap_cmd_release(&c);

	imap_cmd_init(&c, p, "X");
	imap_cmd_qstring(&c, "INBOX", 5, false);
	imap_cmd_qstring(&c, "", 0, false);
	is_str(args_of(&c), " \"INBOX\" \"\"", "imap_cmd_qstring: never an atom");
	imap_cmd_release(&c);

	char big[1025];
	memset(big, 'a', sizeof(big));
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, big, 1025, false);
	ok(c.text.len == 2 + 1025, "imap_cmd_string: a long atom stays an atom");
	imap_cmd_release(&c);
	big[0] = ' ';
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, big, 1024, true);
	ok(c.text.data[2] == '"' && c.text.len == 2 + 1024 + 2 && c.secret,
	   "imap_cmd_string: 1024 bytes that are no atom are quoted");
	imap_cmd_release(&c);
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, big, 1025, false);
	ok(strncmp(args_of(&c), " {1025}\r\n ", 10) == 0, "imap_cmd_string: over 1024 bytes: a literal");
	is_str(c.shown.data, "X {1025}", "the trace shows a literal's size, not its bytes");
	imap_cmd_release(&c);

	imap_cmd_init(&c, p, "LOGIN");
	imap_cmd_string(&c, "tim", 3, false);
	imap_cmd_string(&c, "se cret", 7, true);
	imap_cmd_string(&c, "x\ny", 3, true);
	ok(strcmp(c.shown.data, "LOGIN tim *** ***") == 0 && c.secret,
	   "secret strings: masked in what is shown, quoted or literal (%s)", c.shown.data);
	imap_cmd_release(&c);

	imap_cmd_init(&c, p, "SEARCH");
	imap_cmd_list_begin(&c);
	imap_cmd_raw(&c, "OR");
	imap_cmd_list_begin(&c);
	imap_cmd_raw(&c, "FROM");
	imap_cmd_qstring(&c, "a b", 3, false);
	imap_cmd_list_end(&c);
	imap_cmd_list_begin(&c);
	imap_cmd_list_begin(&c);
	imap_cmd_raw(&c, "SEEN");
	imap_cmd_list_end(&c);
	imap_cmd_list_end(&c);
	imap_cmd_list_end(&c);
	imap_cmd_list_begin(&c);
	imap_cmd_list_end(&c);
	ok(!c.error && strcmp(args_of(&c), " (OR (FROM \"a b\") ((SEEN))) ()") == 0,
	   "imap_cmd_list_begin/end: no space after \"(\" or before \")\", nested too");
	if (strcmp(args_of(&c), " (OR (FROM \"a b\") ((SEEN))) ()") != 0)
		diag("got \"%s\"", args_of(&c));
	imap_cmd_release(&c);

	imap_cmd_init(&c, p, "X");
	imap_cmd_raw(&c, "1:* (FLAGS)");
	ok(!c.error && strcmp(args_of(&c), " 1:* (FLAGS)") == 0, "imap_cmd_raw: appended as is");
	imap_cmd_raw(&c, "a\rb");
	ok(c.error, "imap_cmd_raw: CR marks the command bad");
	struct err e;
	err_init(&e);
	size_t before = fk.sent.len;
	ok(imap_run(p, &c, NULL, NULL, &e) < 0 && fk.sent.len == before &&
	   imap_state(p) == IMAP_STATE_AUTH, "imap_send: a bad command is refused, nothing sent");
	imap_cmd_release(&c);
	imap_cmd_init(&c, p, "X");
	imap_cmd_raw(&c, "caf\xc3\xa9");
	ok(c.error, "imap_cmd_raw: an 8-bit byte marks the command bad");
	imap_cmd_release(&c);
	imap_cmd_init(&c, p, "NOOP\r\nLOGOUT");
	ok(c.error && imap_run(p, &c, NULL, NULL, &e) < 0 && fk.sent.len == before,
	   "imap_cmd_init: a verb with CRLF is refused");
	imap_cmd_release(&c);
	imap_free(&p);

	/* LITERAL+ and LITERAL-. */
	fake_reset(true);
	p = authed("IMAP4rev1 LITERAL+");
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, "a\nb", 3, false);
	ok(strcmp(args_of(&c), " {3+}\r\na\nb") == 0 && c.n_sync == 0,
	   "LITERAL+: a non-synchronising literal");
	imap_cmd_release(&c);
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 LITERAL-");
	char lit[4097];
	memset(lit, '\n', sizeof(lit));
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, lit, 4096, false);
	imap_cmd_string(&c, lit, 4097, false);
	ok(strncmp(args_of(&c), " {4096+}\r\n", 10) == 0 &&
	   strncmp(args_of(&c) + 10 + 4096, " {4097}\r\n", 9) == 0 && c.n_sync == 1,
	   "LITERAL-: non-synchronising up to 4096 bytes only");
	imap_cmd_release(&c);
	imap_free(&p);

	/* UTF-8 sessions: 8-bit strings quoted. */
	fake_reset(true);
	p = authed("IMAP4rev1 ENABLE UTF8=ACCEPT");
	S("t1 ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT\r\nt1 OK\r\n");
	ok(imap_enable(p, IMAP_CAP_UTF8_ACCEPT, &e) == 0 && imap_utf8(p),
	   "UTF8=ACCEPT enabled: the session is UTF-8");
	imap_cmd_init(&c, p, "X");
	imap_cmd_string(&c, "caf\xc3\xa9", 5, false);
	imap_cmd_string(&c, "a\rb", 3, false);
	ok(strcmp(args_of(&c), " \"caf\xc3\xa9\" {3}\r\na\rb") == 0,
	   "UTF-8 session: 8-bit quoted, CR still a literal");
	imap_cmd_release(&c);
	imap_free(&p);
}

static void test_literals_sent(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	struct imap_cmd c;
	imap_cmd_init(&c, p, "APPEND");
	imap_cmd_string(&c, "INBOX", 5, false);
	imap_cmd_string(&c, "a\r\nb", 4, false);
	imap_cmd_string(&c, "c\nd", 3, false);
	S("t1 APPEND INBOX {4}", "* 3 EXISTS\r\n+ go\r\n");
	S("a\r\nb {3}", "+ more\r\n");
	S("c\nd", "t1 OK [APPENDUID 1 9] done\r\n");
	struct seen s = { .n = 0 };
	ok(imap_run(p, &c, record_fn, &s, &e) == 0 && script_done() && !fk.early,
	   "sync literals: each waits for its \"+\" (%s)", e.msg);
	is_str(s.log, "[3 EXISTS][t1 1]", "sync literals: untagged responses before \"+\" go to fn");
	ok(trace_has("C: t1 APPEND INBOX {4} {3}\n") && trace_has("C: ...\n"),
	   "sync literals: the trace shows the command once, then \"...\"");

	S("t2 APPEND INBOX {4}", "t2 NO [TOOBIG] too big\r\n");
	S("t3 NOOP", "t3 OK\r\n");
	ok(imap_run(p, &c, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_NO &&
	   strstr(e.msg, "too big") != NULL && imap_state(p) == IMAP_STATE_AUTH &&
	   imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && script_done(),
	   "sync literal refused: IMAP_ERR_NO, literal not sent, the session goes on");

	S("t4 APPEND INBOX {4}", "t4 OK done already\r\n");
	size_t before = fk.sent.len;
	ok(imap_run(p, &c, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_PROTOCOL &&
	   imap_state(p) == IMAP_STATE_ERROR &&
	   fk.sent.len - before == strlen("t4 APPEND INBOX {4}\r\n"),
	   "sync literal: OK before the literal is a protocol error, the rest not sent (%s)",
	   e.msg);
	imap_cmd_release(&c);
	imap_free(&p);

	/* BYE while waiting for "+": the literal is not sent. */
	fake_reset(true);
	p = authed("IMAP4rev1");
	imap_cmd_init(&c, p, "APPEND");
	imap_cmd_string(&c, "INBOX", 5, false);
	imap_cmd_string(&c, "a\r\nb", 4, false);
	S("t1 APPEND INBOX {4}", "* BYE going down\r\n+ go\r\n");
	ok(imap_run(p, &c, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_BYE && !sent_has("a\r\nb"),
	   "sync literal: after a BYE, the literal is not sent (%s)", e.msg);
	imap_cmd_release(&c);
	imap_free(&p);

	/* A big literal goes whole. */
	fake_reset(true);
	p = authed("IMAP4rev1 LITERAL+");
	size_t n = (size_t)1536 * 1024;
	char *msg = xmalloc(n);
	memset(msg, 'm', n);
	memcpy(msg, "Subject: x\r\n\r\n", 14);
	memcpy(msg + n - 4, "end\n", 4);
	imap_cmd_init(&c, p, "APPEND");
	imap_cmd_string(&c, "INBOX", 5, false);
	imap_cmd_string(&c, msg, n, false);
	struct buf want;
	buf_init(&want, n + 100);
	buf_cut_ok(buf_printf(&want, "t1 APPEND INBOX {%zu+}\r\n", n));
	buf_cut_ok(buf_append(&want, msg, n));
	S(want.data, "t1 OK\r\n");
	ok(!c.error && imap_run(p, &c, NULL, NULL, &e) == 0 && script_done() &&
	   fk.sent.len == want.len + 2,
	   "a 1.5 MB literal is sent whole (%s)", e.msg);
	imap_cmd_release(&c);
	buf_release(&want);
	free(msg);
	imap_free(&p);
}

static void test_inflight_max(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	struct imap_cmd c;
	imap_cmd_init(&c, p, "NOOP");
	unsigned tags[IMAP_INFLIGHT_MAX];
	struct buf done;
	buf_init(&done, 4096);
	for (unsigned i = 1; i <= IMAP_INFLIGHT_MAX; i++) {
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "t%u NOOP", i);
		buf_cut_ok(buf_printf(&done, "t%u OK\r\n", i));
		S(cmd, i == IMAP_INFLIGHT_MAX ? done.data : "");
	}
	bool sent = true;
	for (size_t i = 0; i < IMAP_INFLIGHT_MAX; i++)
		sent = sent && imap_send(p, &c, NULL, NULL, &tags[i], &e) == 0;
	unsigned extra;
	size_t before = fk.sent.len;
	ok(sent && imap_send(p, &c, NULL, NULL, &extra, &e) < 0 && e.code == IMAP_ERR_STATE &&
	   fk.sent.len == before,
	   "more than IMAP_INFLIGHT_MAX in flight: refused, nothing sent (%s)", e.msg);
	bool all = true;
	for (size_t i = 0; i < IMAP_INFLIGHT_MAX; i++)
		all = all && imap_wait(p, tags[IMAP_INFLIGHT_MAX - 1 - i], NULL, NULL, &e) == 0;
	ok(all && script_done() && imap_state(p) == IMAP_STATE_AUTH,
	   "all %d completions read, waited in any order", IMAP_INFLIGHT_MAX);
	S("t33 NOOP", "t33 OK\r\n");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && script_done(),
	   "slots free again after the waits: t33 goes out");
	buf_release(&done);
	imap_cmd_release(&c);
	imap_free(&p);
}

static void test_enable(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1 ENABLE CONDSTORE UTF8=ACCEPT");
	S("t1 ENABLE CONDSTORE UTF8=ACCEPT", "* ENABLED CONDSTORE UTF8=ACCEPT\r\nt1 OK\r\n");
	ok(imap_enable(p, IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC | IMAP_CAP_UTF8_ACCEPT |
			  IMAP_CAP_IMAP4REV2, &e) == 0 && script_done(),
	   "ENABLE: only the extensions offered are sent");
	is_int(imap_enabled(p), IMAP_CAP_CONDSTORE | IMAP_CAP_UTF8_ACCEPT,
	       "ENABLE: the ENABLED response sets imap_enabled()");
	ok(imap_utf8(p), "ENABLE: UTF8=ACCEPT makes the session UTF-8");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 ENABLE CONDSTORE QRESYNC");
	S("t1 ENABLE QRESYNC", "* ENABLED QRESYNC UTF8=ACCEPT\r\nt1 OK\r\n");
	ok(imap_enable(p, IMAP_CAP_QRESYNC, &e) == 0 && script_done(), "ENABLE QRESYNC");
	is_int(imap_enabled(p), IMAP_CAP_QRESYNC | IMAP_CAP_CONDSTORE,
	       "ENABLE: QRESYNC implies CONDSTORE; what was not asked is not on");
	ok(!imap_utf8(p), "ENABLE: an unasked UTF8=ACCEPT in ENABLED does not make the session UTF-8");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 ENABLE CONDSTORE");
	S("t1 ENABLE CONDSTORE", "t1 OK nothing enabled\r\n");
	ok(imap_enable(p, IMAP_CAP_CONDSTORE, &e) == 0 && imap_enabled(p) == 0,
	   "ENABLE: without ENABLED nothing is on");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 CONDSTORE UTF8=ACCEPT");
	ok(imap_enable(p, IMAP_CAP_CONDSTORE, &e) == 0 && fk.sent.len == 0 && imap_enabled(p) == 0,
	   "ENABLE: not sent to a server without ENABLE");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 ENABLE QRESYNC");
	ok(imap_enable(p, IMAP_CAP_UTF8_ACCEPT, &e) == 0 && fk.sent.len == 0,
	   "ENABLE: nothing sent when nothing wanted is offered");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev2 UTF8=ACCEPT");
	ok(imap_utf8(p) && (imap_enabled(p) & IMAP_CAP_IMAP4REV2),
	   "a server offering IMAP4rev2 and not IMAP4rev1 is IMAP4rev2 from the start");
	S("t1 ENABLE UTF8=ACCEPT", "* ENABLED UTF8=ACCEPT\r\nt1 OK\r\n");
	ok(imap_enable(p, IMAP_CAP_UTF8_ACCEPT, &e) == 0 && script_done(),
	   "ENABLE: part of IMAP4rev2, sent without the ENABLE capability");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 IMAP4rev2 ENABLE");
	ok(!imap_utf8(p), "a server offering both revisions speaks IMAP4rev1 until ENABLE");
	S("t1 ENABLE IMAP4rev2", "* ENABLED IMAP4rev2\r\nt1 OK\r\n");
	ok(imap_enable(p, IMAP_CAP_IMAP4REV2, &e) == 0 && imap_utf8(p) &&
	   imap_enabled(p) == IMAP_CAP_IMAP4REV2, "ENABLE IMAP4rev2: the session is UTF-8");
	imap_free(&p);

	fake_reset(false);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 ENABLE CONDSTORE] hi\r\n");
	p = session();
	ok(imap_open(p, false, &e) == 0 && imap_enable(p, IMAP_CAP_CONDSTORE, &e) < 0 &&
	   e.code == IMAP_ERR_STATE && fk.sent.len == 0,
	   "ENABLE: refused before login, nothing sent");
	imap_free(&p);
}

static void test_compress(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1 COMPRESS=DEFLATE");
	S("t1 COMPRESS DEFLATE", "t1 OK DEFLATE active\r\n* 4 EXISTS\r\n");
	ok(imap_compress(p, &e) == 0 && imap_compressed(p) && fk.deflates == 1 &&
	   strcmp(fk.sent.data, "t1 COMPRESS DEFLATE\r\n[DEFLATE]") == 0,
	   "COMPRESS DEFLATE, then deflate starts");
	is_int((long long)fk.unread_at_deflate, (long long)strlen("* 4 EXISTS\r\n"),
	       "it starts right after the OK's CRLF: what follows is left for inflate");
	size_t before = fk.sent.len;
	ok(imap_compress(p, &e) == 0 && fk.sent.len == before && fk.deflates == 1,
	   "never twice: a second call sends nothing");
	ok(trace_has("C: t1 COMPRESS DEFLATE\n") && trace_has("S: t1 OK DEFLATE active\n"),
	   "the trace shows COMPRESS and its OK");
	S("t2 NOOP", "t2 OK\r\n");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && script_done(),
	   "the session goes on after it");
	imap_free(&p);

	const char *refusals[] = { "t1 NO [COMPRESSIONACTIVE] DEFLATE active via TLS\r\n",
				   "t1 BAD unknown command\r\n" };
	for (size_t i = 0; i < 2; i++) {
		fake_reset(true);
		p = authed("IMAP4rev1 COMPRESS=DEFLATE");
		S("t1 COMPRESS DEFLATE", refusals[i]);
		S("t2 NOOP", "t2 OK\r\n");
		int rc = imap_compress(p, &e);
		ok(rc == 0 && !imap_compressed(p) && fk.deflates == 0 && e.code == ERR_OK &&
		   imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && script_done(),
		   "COMPRESS refused with %s: the session goes on uncompressed", i ? "BAD" : "NO");
		imap_free(&p);
	}

	fake_reset(true);
	p = authed("IMAP4rev1 COMPRESS=LZMA");
	ok(imap_compress(p, &e) == 0 && fk.sent.len == 0 && !imap_compressed(p),
	   "not offered (only another algorithm): nothing sent");
	imap_free(&p);

	fake_reset(true);
	S(NULL, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
	p = session();
	ok(imap_open(p, false, &e) == 0 && imap_compress(p, &e) < 0 &&
	   e.code == IMAP_ERR_STATE && fk.sent.len == 0,
	   "before login: refused, nothing sent (RFC 4978 s5: command-auth)");
	imap_free(&p);

	struct imap_io no_deflate = fake_io;
	no_deflate.start_deflate = NULL;
	fake_reset(true);
	S(NULL, "* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
	p = session_io(&no_deflate, NULL);
	ok(imap_open(p, false, &e) == 0 && imap_compress(p, &e) == 0 && fk.sent.len == 0,
	   "a transport that cannot deflate: nothing sent");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 COMPRESS=DEFLATE");
	struct imap_cmd c;
	imap_cmd_init(&c, p, "NOOP");
	unsigned tag;
	S("t1 NOOP", "t1 OK\r\n");
	ok(imap_send(p, &c, NULL, NULL, &tag, &e) == 0 && imap_compress(p, &e) < 0 &&
	   e.code == IMAP_ERR_STATE && !sent_has("COMPRESS"),
	   "not while another command is in flight");
	ok(imap_wait(p, tag, NULL, NULL, &e) == 0, "which completes as usual");
	imap_cmd_release(&c);
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1 COMPRESS=DEFLATE");
	fk.deflate_fails = true;
	S("t1 COMPRESS DEFLATE", "t1 OK DEFLATE active\r\n");
	ok(imap_compress(p, &e) < 0 && imap_state(p) == IMAP_STATE_ERROR && !imap_compressed(p),
	   "deflate that cannot start after the OK leaves the session unusable");
	imap_free(&p);
}

static void test_logout(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	S("t1 LOGOUT", "* BYE see you\r\nt1 OK bye\r\n");
	ok(imap_logout(p, &e) == 0 && imap_state(p) == IMAP_STATE_LOGOUT && script_done(),
	   "LOGOUT: BYE and OK, state LOGOUT");
	size_t before = fk.sent.len;
	ok(imap_logout(p, &e) == 0 && fk.sent.len == before, "LOGOUT twice: nothing sent again");
	imap_free(&p);

	fake_reset(true);
	p = authed("IMAP4rev1");
	S("t1 NOOP", "t9 OK\r\n");
	imap_simple(p, "NOOP", NULL, NULL, NULL, &e);
	before = fk.sent.len;
	ok(imap_logout(p, &e) < 0 && imap_state(p) == IMAP_STATE_ERROR && fk.sent.len == before,
	   "LOGOUT on an unusable session: nothing sent, state stays ERROR");
	imap_free(&p);
}

static int count_exists(void *ctx, const struct imap_response *r, struct err *e)
{
	(void)e;
	unsigned *n = ctx;
	if (r->kind == IMAP_RESP_UNTAGGED && r->n_args == 2 && imap_arg_is_atom(&r->args[1], "EXISTS"))
		(*n)++;
	return 0;
}

static void test_idle(void)
{
	struct err e;
	err_init(&e);
	unsigned n = 0;
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1 IDLE");
	S("t1 IDLE", "* 1 EXISTS\r\n+ idling\r\n");
	ok(imap_idle_start(p, count_exists, &n, &e) == 0 && imap_idling(p) && n == 1,
	   "IDLE: started at the \"+\", data before it delivered");
	push("* 2 EXISTS\r\n");
	ok(imap_idle_read(p, count_exists, &n, &e) == 0 && n == 2 && imap_idling(p),
	   "IDLE: pushed data read one response at a time");
	S("DONE", "* 3 EXISTS\r\nt1 OK idle done\r\n");
	ok(imap_idle_done(p, count_exists, &n, &e) == 0 && !imap_idling(p) && n == 3 &&
	   script_done(), "DONE: data up to the completion delivered, IDLE over");
	S("t2 IDLE", "+ idling\r\n");
	ok(imap_idle_start(p, NULL, NULL, &e) == 0, "IDLE again");
	S("DONE", "t2 OK\r\n");
	S("t3 NOOP", "t3 OK\r\n");
	ok(imap_simple(p, "NOOP", NULL, NULL, NULL, &e) == 0 && !imap_idling(p) && script_done(),
	   "a command while idling sends DONE first");
	ok(strstr(fk.sent.data, "DONE\r\nt3 NOOP\r\n") != NULL, "DONE, then the command");
	S("t4 IDLE", "t4 NO not now\r\n");
	ok(imap_idle_start(p, NULL, NULL, &e) < 0 && e.code == IMAP_ERR_NO && !imap_idling(p) &&
	   imap_state(p) == IMAP_STATE_AUTH, "IDLE refused: an error, the session as it was");
	S("t5 IDLE", "+ idling\r\n");
	ok(imap_idle_start(p, NULL, NULL, &e) == 0, "IDLE once more");
	push("t9 OK what\r\n");
	ok(imap_idle_read(p, NULL, NULL, &e) < 0 && imap_state(p) == IMAP_STATE_ERROR,
	   "a completion of another tag during IDLE: a protocol error");
	imap_free(&p);
}

static int big_fetch_fn(void *ctx, const struct imap_response *r, struct err *e)
{
	(void)e;
	size_t *got = ctx;
	if (r->kind != IMAP_RESP_UNTAGGED || r->n_args != 3 ||
	    !imap_arg_is_atom(&r->args[1], "FETCH") || r->args[2].type != IMAP_ARG_LIST ||
	    r->args[2].len != 4)
		return 0;
	const struct imap_arg *lit = &r->args[2].list[1];
	if (lit->type != IMAP_ARG_LITERAL)
		return 0;
	for (size_t i = 0; i < lit->len; i++)
		if (lit->str[i] != (char)('a' + i % 26))
			return 0;
	*got = lit->len;
	return 0;
}

static void test_literal_response(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct imap *p = authed("IMAP4rev1");
	size_t n = 200 * 1024;
	struct buf reply;
	buf_init(&reply, n + 200);
	buf_cut_ok(buf_printf(&reply, "* 1 FETCH (BODY[] {%zu}\r\n", n));
	for (size_t i = 0; i < n; i++)
		buf_cut_ok(buf_append_char(&reply, (char)('a' + i % 26)));
	buf_cut_ok(buf_append_str(&reply, " UID 5)\r\nt1 OK done\r\n"));
	S("t1 FETCH 1 BODY[]", reply.data);
	size_t got = 0;
	ok(imap_simple(p, "FETCH", "1 BODY[]", big_fetch_fn, &got, &e) == 0,
	   "a 200 KB literal in a FETCH response (%s)", e.msg);
	is_int((long long)got, (long long)n, "the literal arrives whole and unchanged");
	ok(fk.exact_max <= 64 * 1024 && fk.exact_calls >= 4,
	   "read_exact asked for at most 64 KiB at a time (%zu calls, largest %zu)", fk.exact_calls,
	   fk.exact_max);
	ok(!trace_has("abcdefghij"), "the trace shows no literal bytes");
	buf_release(&reply);
	imap_free(&p);
}

/* A whole session, cut after every byte: each cut fails cleanly. */
static void test_every_cut(void)
{
	static const char stream[] =
		"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\n"
		"t1 OK [CAPABILITY IMAP4rev1 LITERAL+] in\r\n"
		"* 2 EXISTS\r\n* 1 FETCH (BODY[] {5}\r\nhello)\r\nt2 OK [READ-WRITE] done\r\n"
		"* BYE\r\nt3 OK\r\n";
	size_t n = sizeof(stream) - 1;
	size_t wrong = 0;
	struct err e;
	for (size_t cut = 0; cut <= n; cut++) {
		fake_reset(true);
		fk.raw = true;
		if (buf_append(&fk.in, stream, cut) < 0)
			abort();
		err_init(&e);
		struct imap *p = session();
		int rc = imap_open(p, false, &e);
		if (rc == 0)
			rc = imap_login(p, &pw_login, &e);
		if (rc == 0)
			rc = imap_simple(p, "SELECT", "INBOX", NULL, NULL, &e);
		if (rc == 0)
			rc = imap_logout(p, &e);
		bool whole = cut == n;
		if ((rc == 0) != whole || (!whole && imap_state(p) != IMAP_STATE_ERROR) ||
		    (whole && imap_state(p) != IMAP_STATE_LOGOUT) || strstr(e.msg, PW) != NULL) {
			diag("cut at %zu: rc %d state %s (%s)", cut, rc,
			     imap_state_name(imap_state(p)), e.msg);
			wrong++;
		}
		imap_free(&p);
	}
	is_int((long long)wrong, 0,
	       "a session cut after any of its %zu bytes fails cleanly; whole, it succeeds", n);
}

int main(void)
{
	test_names();
	test_greeting();
	test_starttls();
	test_login_plain();
	test_login_command();
	test_login_plaintext();
	test_scram();
	test_oauth();
	test_tags_and_pipelining();
	test_protocol_errors();
	test_untagged_delivery();
	test_no_bad_bye();
	test_cmd_forms();
	test_literals_sent();
	test_inflight_max();
	test_enable();
	test_compress();
	test_logout();
	test_idle();
	test_literal_response();
	test_every_cut();
	fake_free();
	return done_testing();
}
