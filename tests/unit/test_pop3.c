/* test_pop3: the POP3 client against a scripted in-memory server.
 *
 * The fake server holds a script of (expected command line, reply)
 * steps.  Each line the client writes must be the next expected one; its
 * reply then becomes readable.  Everything written is recorded (with
 * "[TLS]" where TLS started), so the tests can assert exactly what went
 * out -- e.g. that no credential ever precedes "[TLS]" -- and the fake
 * counts the commands whose reply has not been read yet, which shows the
 * pipelining window. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "err.h"
#include "mem.h"
#include "pop3.h"
#include "sasl.h"
#include "tap.h"

#define SCRIPT_MAX 4096

struct step {
	char *expect;   /* NULL: the reply is sent unasked (greeting, injection) */
	char *reply;
	bool tls;       /* start_tls is expected here instead of a line */
};

struct fake {
	struct step steps[SCRIPT_MAX];
	size_t n, at;
	struct buf in;          /* bytes the client may read */
	size_t in_pos;
	size_t ends[SCRIPT_MAX]; /* where each outstanding reply ends in in */
	size_t ends_head, ends_tail;
	size_t max_outstanding;
	struct buf sent;        /* all bytes written, "[TLS]" marks the handshake */
	struct buf wline;       /* a written line not yet complete */
	size_t writes;
	size_t write_lines[256]; /* lines in each of the first writes */
	bool tls;
	bool raw;               /* no script: in holds the whole server stream */
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

static void fake_reset(bool tls)
{
	for (size_t i = 0; i < fk.n; i++) {
		free(fk.steps[i].expect);
		free(fk.steps[i].reply);
	}
	buf_release(&fk.in);
	buf_release(&fk.sent);
	buf_release(&fk.wline);
	buf_release(&fk.trace);
	memset(&fk, 0, sizeof(fk));
	buf_init(&fk.in, (size_t)64 << 20);
	buf_init(&fk.sent, (size_t)16 << 20);
	buf_init(&fk.wline, 1 << 20);
	buf_init(&fk.trace, (size_t)16 << 20);
	fk.tls = tls;
}

/* Adds a step: after the client sends expect, the server sends reply. */
static void S(const char *expect, const char *reply)
{
	if (fk.n == SCRIPT_MAX)
		abort();
	fk.steps[fk.n].expect = expect ? xstrdup(expect) : NULL;
	fk.steps[fk.n].reply = xstrdup(reply);
	fk.steps[fk.n].tls = false;
	fk.n++;
}

static void S_tls(void)
{
	fk.steps[fk.n].expect = NULL;
	fk.steps[fk.n].reply = xstrdup("");
	fk.steps[fk.n].tls = true;
	fk.n++;
}

static void push_reply(const char *reply)
{
	if (buf_append_str(&fk.in, reply) < 0)
		abort();
	fk.ends[fk.ends_tail++ % SCRIPT_MAX] = fk.in.len;
	size_t out = fk.ends_tail - fk.ends_head;
	if (out > fk.max_outstanding)
		fk.max_outstanding = out;
}

/* Sends the replies of the unasked steps at the head of the script. */
static void unasked(void)
{
	while (fk.at < fk.n && fk.steps[fk.at].expect == NULL && !fk.steps[fk.at].tls) {
		if (buf_append_str(&fk.in, fk.steps[fk.at].reply) < 0)
			abort();
		fk.at++;
	}
}

static void consumed(void)
{
	while (fk.ends_head != fk.ends_tail && fk.in_pos >= fk.ends[fk.ends_head % SCRIPT_MAX])
		fk.ends_head++;
}

static int fk_read_line(void *ctx, struct buf *line, struct err *e)
{
	(void)ctx;
	size_t rest = fk.in.len - fk.in_pos;
	if (rest == 0)
		return err_set(e, ERR_ACCOUNT, CONN_ERR_CLOSED,
			       "the server closed the connection");
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
	consumed();
	return 0;
}

static void client_line(const char *s, size_t n)
{
	if (fk.raw)
		return;
	if (fk.at >= fk.n || fk.steps[fk.at].tls) {
		fail("unexpected line \"%.*s\"", (int)n, s);
		return;
	}
	const char *want = fk.steps[fk.at].expect;
	if (strlen(want) != n || memcmp(want, s, n) != 0) {
		fail("expected \"%s\", got \"%.*s\"", want, (int)n, s);
		return;
	}
	push_reply(fk.steps[fk.at].reply);
	fk.at++;
	unasked();
}

static int fk_write(void *ctx, const char *p, size_t n, struct err *e)
{
	(void)ctx;
	if (buf_append(&fk.sent, p, n) < 0 || buf_append(&fk.wline, p, n) < 0)
		abort();
	size_t lines = 0, start = 0;
	for (size_t i = 0; i < fk.wline.len; i++) {
		if (fk.wline.data[i] != '\n')
			continue;
		size_t end = i;
		if (end > start && fk.wline.data[end - 1] == '\r')
			end--;
		client_line(fk.wline.data + start, end - start);
		start = i + 1;
		lines++;
	}
	memmove(fk.wline.data, fk.wline.data + start, fk.wline.len - start);
	buf_truncate(&fk.wline, fk.wline.len - start);
	if (fk.writes < 256)
		fk.write_lines[fk.writes] = lines;
	fk.writes++;
	if (fk.failure[0] != '\0')
		return err_set(e, ERR_ACCOUNT, CONN_ERR_CLOSED, "script: %s", fk.failure);
	return 0;
}

static int fk_start_tls(void *ctx, struct err *e)
{
	(void)ctx;
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

static const struct pop3_io fake_io = {
	.read_line = fk_read_line,
	.write = fk_write,
	.start_tls = fk_start_tls,
	.is_tls = fk_is_tls,
};

static struct pop3_settings settings(void)
{
	struct pop3_settings s = { .trace = fk_trace,
				   .test_scram_nonce = "rOprNGfwEbeRWgbNEkqO" };
	return s;
}

/* A session on the script so far. */
static struct pop3 *session(const struct pop3_settings *s)
{
	struct pop3_settings def = settings();
	unasked();
	return pop3_new(&fake_io, s != NULL ? s : &def);
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

#define GREETING "+OK POP3 ready\r\n"
#define CAPA_TLS "+OK\r\nUSER\r\nUIDL\r\nTOP\r\nSASL PLAIN\r\n.\r\n"
#define CAPA_PIPE "+OK\r\nUSER\r\nUIDL\r\nTOP\r\nPIPELINING\r\n.\r\n"

static const struct pop3_login user_login = {
	.user = "tim", .secret = "s3cret!", .auth = POP3_AUTH_USER,
};

/* Greeting, CAPA, USER/PASS, CAPA on a TLS connection. */
static struct pop3 *logged_in(const char *capa, const struct pop3_settings *s)
{
	struct err e;
	err_init(&e);
	S(NULL, GREETING);
	S("CAPA", capa);
	S("USER tim", "+OK\r\n");
	S("PASS s3cret!", "+OK logged in\r\n");
	S("CAPA", capa);
	struct pop3 *p = session(s);
	if (pop3_open(p, false, &e) < 0 || pop3_login(p, &user_login, &e) < 0)
		diag("login failed: %s", e.msg);
	return p;
}

/* ---- pure parsers ---- */

static void test_parse_status(void)
{
	struct pop3_reply r;
	pop3_parse_status("+OK 2 320\r\n", 11, false, &r);
	ok(r.status == POP3_STATUS_OK && r.text_len == 5 && memcmp(r.text, "2 320", 5) == 0,
	   "status: +OK with its text, line end removed");
	pop3_parse_status("+ok\n", 4, false, &r);
	ok(r.status == POP3_STATUS_OK && r.text_len == 0, "status: +ok in lower case, bare LF");
	pop3_parse_status("-ERR [IN-USE/x] busy\r\n", 22, false, &r);
	ok(r.status == POP3_STATUS_ERR, "status: -ERR");
	is_str(r.code, "IN-USE/x", "status: the response code is kept (RFC 2449 s8)");
	pop3_parse_status("+OKAY\r\n", 7, false, &r);
	is_int(r.status, POP3_STATUS_BAD, "status: +OKAY is not +OK");
	pop3_parse_status("+ Zm9v\r\n", 8, false, &r);
	is_int(r.status, POP3_STATUS_BAD, "status: a challenge outside AUTH is malformed");
	pop3_parse_status("+ Zm9v\r\n", 8, true, &r);
	ok(r.status == POP3_STATUS_CONT && r.text_len == 4, "status: a challenge inside AUTH");
	pop3_parse_status("+\r\n", 3, true, &r);
	ok(r.status == POP3_STATUS_CONT && r.text_len == 0, "status: a lone + is an empty challenge");
	pop3_parse_status("* OK IMAP\r\n", 11, true, &r);
	is_int(r.status, POP3_STATUS_BAD, "status: an IMAP greeting is malformed");
	pop3_parse_status("-ERR [unterminated\r\n", 20, false, &r);
	is_str(r.code, "", "status: an unterminated response code is ignored");
}

static void test_ml_classify(void)
{
	size_t skip;
	ok(pop3_ml_classify(".\r\n", 3, &skip) == POP3_ML_END, "multi-line: \".\" CRLF ends");
	ok(pop3_ml_classify(".\n", 2, &skip) == POP3_ML_END, "multi-line: \".\" LF ends");
	ok(pop3_ml_classify("..\r\n", 4, &skip) == POP3_ML_DATA && skip == 1,
	   "multi-line: \"..\" is a stuffed \".\"");
	ok(pop3_ml_classify(".. x\r\n", 6, &skip) == POP3_ML_DATA && skip == 1,
	   "multi-line: a stuffed line loses one dot");
	ok(pop3_ml_classify(". \r\n", 4, &skip) == POP3_ML_DATA && skip == 1,
	   "multi-line: \". \" is not the end");
	ok(pop3_ml_classify("x.\r\n", 4, &skip) == POP3_ML_DATA && skip == 0,
	   "multi-line: a dot elsewhere is data");
}

static void test_uid_valid(void)
{
	char s71[72];
	memset(s71, 'a', 71);
	s71[71] = '\0';
	ok(pop3_uid_valid("whqtswO00WBw418f9t5JxYwZ", 24), "uid: the RFC 1939 example is valid");
	ok(pop3_uid_valid(s71, 70), "uid: 70 characters are valid");
	ok(!pop3_uid_valid(s71, 71), "uid: 71 characters are not");
	ok(!pop3_uid_valid("", 0), "uid: empty is not");
	ok(!pop3_uid_valid("a b", 3), "uid: a space is not allowed");
	ok(!pop3_uid_valid("a/\x7f", 3), "uid: DEL is not allowed");
	ok(!pop3_uid_valid("\xc3\xa9", 2), "uid: 8-bit bytes are not allowed");
	ok(pop3_uid_valid("../x", 4), "uid: \"../x\" is valid (callers never use it as a path)");
}

static void test_timestamp(void)
{
	char ts[POP3_TIMESTAMP_MAX + 1];
	const char *g = "POP3 server ready <1896.697170952@dbc.mtview.ca.us>";
	ok(pop3_greeting_timestamp(g, strlen(g), ts, sizeof(ts)) == 0 &&
	   strcmp(ts, "<1896.697170952@dbc.mtview.ca.us>") == 0,
	   "APOP: the timestamp of the RFC 1939 example is found");
	static const char *const bad[][2] = {
		{ "ready <a@b> <c@d>", "two timestamps" },
		{ "ready <1896.697170952>", "no @" },
		{ "ready <@host>", "an empty local part" },
		{ "ready <id@>", "an empty domain" },
		{ "ready <a@b@c>", "two @" },
		{ "ready <a b@c>", "a space" },
		{ "ready <a\x01@c>", "a control character" },
		{ "ready <a@c", "no closing >" },
		{ "ready", "no timestamp" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(pop3_greeting_timestamp(bad[i][0], strlen(bad[i][0]), ts, sizeof(ts)) < 0,
		   "APOP: no timestamp from a greeting with %s", bad[i][1]);
	char longer[400] = "<";
	memset(longer + 1, 'a', 300);
	memcpy(longer + 301, "@b>", 4);
	ok(pop3_greeting_timestamp(longer, strlen(longer), ts, sizeof(ts)) < 0,
	   "APOP: a timestamp over 255 bytes is refused");
	char hex[33];
	ok(pop3_apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf", hex) == 0 &&
	   strcmp(hex, "c4c9334bac560ecc979e58001b3e22fb") == 0,
	   "APOP: the digest of the RFC 1939 example");
}

static void test_auth_names(void)
{
	enum pop3_auth a;
	ok(pop3_auth_from_name("SCRAM-SHA-256", &a) == 0 && a == POP3_AUTH_SCRAM_SHA_256,
	   "auth names: scram-sha-256 in any case");
	ok(pop3_auth_from_name("user", &a) == 0 && a == POP3_AUTH_USER, "auth names: user");
	ok(pop3_auth_from_name("kerberos", &a) < 0, "auth names: an unknown one is refused");
	is_str(pop3_auth_name(POP3_AUTH_APOP), "apop", "auth names: apop's name");
	is_str(pop3_state_name(POP3_STATE_AUTHORIZATION_TLS), "AUTHORIZATION (TLS)",
	       "state names: the TLS authorization state");
}

/* ---- greeting and CAPA ---- */

static void greeting_case(const char *greeting, const char *name, enum err_code want)
{
	struct err e;
	err_init(&e);
	fake_reset(false);
	S(NULL, greeting);
	struct pop3 *p = session(NULL);
	int rc = pop3_greeting(p, &e);
	ok(rc < 0 && pop3_state(p) == POP3_STATE_ERROR && e.code == want,
	   "greeting: %s ends the session (code %d, %s)", name, (int)e.code, e.msg);
	ok(pop3_login(p, &user_login, &e) < 0 && e.code == POP3_ERR_STATE && fk.sent.len == 0,
	   "greeting: after %s, no login is attempted", name);
	pop3_free(&p);
}

static void test_greeting(void)
{
	struct err e;
	err_init(&e);
	fake_reset(false);
	S(NULL, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
	struct pop3 *p = session(NULL);
	ok(pop3_greeting(p, &e) == 0 && pop3_state(p) == POP3_STATE_AUTHORIZATION,
	   "greeting: +OK leads to AUTHORIZATION on a plain connection");
	ok(pop3_caps(p)->apop, "greeting: a timestamp offers APOP");
	pop3_free(&p);

	fake_reset(true);
	S(NULL, GREETING);
	p = session(NULL);
	ok(pop3_greeting(p, &e) == 0 && pop3_state(p) == POP3_STATE_AUTHORIZATION_TLS &&
	   !pop3_caps(p)->apop, "greeting: on TLS it leads to AUTHORIZATION (TLS), no APOP");
	pop3_free(&p);

	greeting_case("-ERR [SYS/TEMP] go away\r\n", "-ERR", POP3_ERR_BUSY);
	greeting_case("* OK IMAP4rev1\r\n", "an IMAP greeting", POP3_ERR_PROTOCOL);
	greeting_case("\r\n", "an empty line", POP3_ERR_PROTOCOL);
	greeting_case("+OK no line end", "a cut line", CONN_ERR_CLOSED);
	greeting_case("", "no greeting at all", CONN_ERR_CLOSED);
	char big[1200];
	memset(big, 'x', sizeof(big));
	memcpy(big, "+OK ", 4);
	memcpy(big + sizeof(big) - 3, "\r\n", 3);
	greeting_case(big, "a 1200-byte line", ERR_LIMIT);
}

static void test_capa(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK Capability list follows\r\nTOP\r\nuser\r\nSASL PLAIN scram-sha-256 X-FOO CRAM-MD5\r\n"
	  "RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n");
	struct pop3 *p = session(NULL);
	ok(pop3_open(p, false, &e) == 0, "CAPA: read");
	const struct pop3_caps *c = pop3_caps(p);
	ok(c->known && c->top && c->user && c->resp_codes && c->auth_resp_code &&
	   c->pipelining && c->uidl && !c->stls, "CAPA: the capabilities are recognised, in any case");
	is_int(c->sasl, (1u << SASL_PLAIN) | (1u << SASL_SCRAM_SHA_256) | (1u << SASL_CRAM_MD5),
	       "CAPA: the SASL mechanisms known to tern are recorded");
	ok(script_done(), "CAPA: the session followed the script");
	pop3_free(&p);

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "-ERR unknown command\r\n");
	p = session(NULL);
	ok(pop3_open(p, false, &e) == 0 && !pop3_caps(p)->known &&
	   pop3_state(p) == POP3_STATE_AUTHORIZATION_TLS,
	   "CAPA: -ERR leaves the capabilities unknown, the session usable");
	pop3_free(&p);

	fake_reset(true);
	S(NULL, GREETING);
	struct buf flood;
	buf_init(&flood, 1 << 20);
	buf_cut_ok(buf_append_str(&flood, "+OK\r\n"));
	for (int i = 0; i < 1200; i++)
		buf_cut_ok(buf_append_str(&flood, "X-FLOOD\r\n"));
	buf_cut_ok(buf_append_str(&flood, ".\r\n"));
	S("CAPA", flood.data);
	buf_release(&flood);
	p = session(NULL);
	ok(pop3_open(p, false, &e) < 0 && e.code == ERR_LIMIT &&
	   pop3_state(p) == POP3_STATE_ERROR, "CAPA: a flood of 1200 lines ends the session");
	pop3_free(&p);

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n");
	p = session(NULL);
	ok(pop3_open(p, false, &e) < 0 && e.code == CONN_ERR_CLOSED &&
	   pop3_state(p) == POP3_STATE_ERROR, "CAPA: a list with no terminating \".\" is an error");
	pop3_free(&p);
}

/* ---- STLS ---- */

static const struct pop3_login plain_login = {
	.user = "tim", .secret = "tanstaaftanstaaf", .auth = POP3_AUTH_AUTO,
};

static bool no_credential_sent(void)
{
	return !sent_has("PASS") && !sent_has("AUTH") && !sent_has("USER") &&
	       !sent_has("tanstaaf") && !sent_has("APOP");
}

static void test_stls(void)
{
	struct err e;
	err_init(&e);
	fake_reset(false);
	S(NULL, "+OK ready <1@x>\r\n");
	S("CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
	S("STLS", "+OK Begin TLS\r\n");
	S_tls();
	S("CAPA", "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
	S("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "+OK\r\n");
	S("CAPA", "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
	struct pop3 *p = session(NULL);
	ok(pop3_open(p, true, &e) == 0 && pop3_state(p) == POP3_STATE_AUTHORIZATION_TLS,
	   "STLS: +OK, handshake, AUTHORIZATION (TLS)");
	ok(strstr(fk.sent.data, "STLS\r\n[TLS]CAPA\r\n") != NULL,
	   "STLS: TLS starts right after +OK and CAPA is asked again");
	ok(!pop3_caps(p)->stls && pop3_caps(p)->sasl == (1u << SASL_PLAIN) && !pop3_caps(p)->apop,
	   "STLS: what was learnt before TLS (STLS, APOP timestamp) is forgotten");
	ok(pop3_login(p, &plain_login, &e) == 0 && pop3_auth_used(p) == POP3_AUTH_PLAIN,
	   "STLS: then PLAIN over TLS logs in");
	const char *tls = strstr(fk.sent.data, "[TLS]");
	const char *auth = strstr(fk.sent.data, "AUTH PLAIN");
	ok(tls != NULL && auth != NULL && auth > tls, "STLS: the credentials go out only after TLS");
	ok(script_done(), "STLS: the session followed the script");
	pop3_free(&p);

	/* Not offered. */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
	p = session(NULL);
	ok(pop3_open(p, true, &e) < 0 && e.code == POP3_ERR_TLS &&
	   pop3_state(p) == POP3_STATE_ERROR, "STLS not offered: fails (%s)", e.msg);
	struct pop3_login lax = plain_login;
	lax.allow_plaintext = true;
	ok(pop3_login(p, &lax, &e) < 0 && no_credential_sent() && !sent_has("STLS"),
	   "STLS not offered: no STLS, no credential sent, even with plaintext allowed");
	pop3_free(&p);

	/* Refused. */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
	S("STLS", "-ERR not now\r\n");
	p = session(NULL);
	ok(pop3_open(p, true, &e) < 0 && e.code == POP3_ERR_TLS &&
	   pop3_state(p) == POP3_STATE_ERROR && strstr(e.msg, "not now") != NULL,
	   "STLS -ERR: fails with the server's text (%s)", e.msg);
	ok(pop3_login(p, &lax, &e) < 0 && no_credential_sent() && script_done(),
	   "STLS -ERR: no credential sent, no retry");
	pop3_free(&p);

	/* A reply injected after +OK, in the same segment (CVE-2020-14954). */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSTLS\r\n.\r\n");
	S("STLS", "+OK go\r\n+OK\r\nUSER\r\n.\r\n");
	S_tls();
	p = session(NULL);
	ok(pop3_open(p, true, &e) < 0 && e.code == CONN_ERR_INJECTION &&
	   pop3_state(p) == POP3_STATE_ERROR, "STLS: bytes before the handshake end the session");
	ok(pop3_login(p, &lax, &e) < 0 && no_credential_sent(),
	   "STLS injection: no credential sent");
	pop3_free(&p);

	/* CAPA failed: STLS is tried all the same. */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "-ERR what\r\n");
	S("STLS", "+OK\r\n");
	S_tls();
	S("CAPA", "-ERR what\r\n");
	p = session(NULL);
	ok(pop3_open(p, true, &e) == 0 && pop3_state(p) == POP3_STATE_AUTHORIZATION_TLS &&
	   script_done(), "STLS: without CAPA, STLS is still tried");
	pop3_free(&p);

	/* Garbage in answer to STLS. */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSTLS\r\n.\r\n");
	S("STLS", "HELLO\r\n");
	p = session(NULL);
	ok(pop3_open(p, true, &e) < 0 && pop3_state(p) == POP3_STATE_ERROR &&
	   pop3_login(p, &lax, &e) < 0 && no_credential_sent(),
	   "STLS: a garbage reply ends the session, no credential sent");
	pop3_free(&p);
}

/* ---- login ---- */

static bool trace_has(const char *s)
{
	return strstr(fk.trace.data, s) != NULL;
}

/* Runs a login against the script; checks the result and the script. */
static int login_case(const struct pop3_login *l, int *code_r)
{
	struct err e;
	err_init(&e);
	struct pop3 *p = session(NULL);
	int rc = pop3_open(p, false, &e);
	if (rc == 0)
		rc = pop3_login(p, l, &e);
	*code_r = (int)e.code;
	if (rc < 0 && (strstr(e.msg, l->secret) != NULL))
		diag("the error message contains the secret");
	int state = (int)pop3_state(p);
	pop3_free(&p);
	return rc == 0 ? state : -state - 1;
}

static void test_user_pass(void)
{
	int code;
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	S("USER tim", "+OK\r\n");
	S("PASS tanstaaftanstaaf", "+OK\r\n");
	S("CAPA", "+OK\r\nUSER\r\nUIDL\r\n.\r\n");
	is_int(login_case(&plain_login, &code), POP3_STATE_TRANSACTION,
	       "USER/PASS over TLS logs in");
	ok(script_done(), "USER/PASS: USER, PASS, then CAPA again");
	ok(trace_has("C: PASS ***\n") && !trace_has("tanstaaf"),
	   "USER/PASS: the trace shows PASS *** and never the password");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	S("USER tim", "+OK\r\n");
	S("PASS tanstaaftanstaaf", "-ERR [AUTH] bad password\r\n");
	int st = login_case(&plain_login, &code);
	ok(st == -POP3_STATE_AUTHORIZATION_TLS - 1 && code == POP3_ERR_AUTH && script_done(),
	   "USER/PASS: -ERR to PASS is a login failure, the session stays in AUTHORIZATION");

	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	st = login_case(&plain_login, &code);
	ok(st < 0 && code == POP3_ERR_TLS && no_credential_sent(),
	   "USER/PASS: refused without TLS, nothing sent");

	struct pop3_login lax = plain_login;
	lax.allow_plaintext = true;
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	S("USER tim", "+OK\r\n");
	S("PASS tanstaaftanstaaf", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&lax, &code), POP3_STATE_TRANSACTION,
	       "USER/PASS: allowed without TLS when plaintext is allowed");

	struct pop3_login inject = { .user = "tim\r\nDELE 1", .secret = "x",
				     .auth = POP3_AUTH_USER };
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	st = login_case(&inject, &code);
	ok(st < 0 && code == POP3_ERR_NO_MECH && !sent_has("DELE") && !sent_has("USER"),
	   "USER: a user name with a line break is refused before anything is sent");
	struct pop3_login inject2 = { .user = "tim", .secret = "x\r\nDELE 1",
				      .auth = POP3_AUTH_USER };
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	S("USER tim", "+OK\r\n");
	st = login_case(&inject2, &code);
	ok(st < 0 && code == POP3_ERR_NO_MECH && !sent_has("DELE") && !sent_has("USER"),
	   "USER/PASS: a password with a line break is refused before anything is sent");
}

static void test_apop(void)
{
	int code;
	struct pop3_login l = { .user = "mrose", .secret = "tanstaaf" };
	fake_reset(false);
	S(NULL, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
	S("CAPA", "+OK\r\nUSER\r\n.\r\n");
	S("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "+OK mrose's maildrop has 2 messages\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&l, &code), POP3_STATE_TRANSACTION,
	       "APOP: chosen without TLS (USER would reveal the password) and logs in");
	ok(script_done() && trace_has("C: APOP mrose ***\n"),
	   "APOP: sends the RFC 1939 digest; the trace masks it");

	fake_reset(false);
	S(NULL, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	S("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "-ERR [IN-USE] locked\r\n");
	int st = login_case(&l, &code);
	ok(st < 0 && code == POP3_ERR_BUSY && script_done(), "APOP: [IN-USE] is POP3_ERR_BUSY");
}

static void test_plain_login_mechs(void)
{
	int code;
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN\r\n.\r\n");
	S("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&plain_login, &code), POP3_STATE_TRANSACTION,
	       "PLAIN: logs in with an initial response (RFC 4616 example)");
	ok(script_done() && trace_has("C: AUTH PLAIN ***\n") && !trace_has("AHRpbQ"),
	   "PLAIN: the trace shows AUTH PLAIN ***");

	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN LOGIN\r\n.\r\n");
	int st = login_case(&plain_login, &code);
	ok(st < 0 && code == POP3_ERR_TLS && no_credential_sent(),
	   "PLAIN and LOGIN: refused without TLS, nothing sent");

	struct pop3_login login = plain_login;
	login.auth = POP3_AUTH_LOGIN;
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL LOGIN PLAIN\r\n.\r\n");
	S("AUTH LOGIN", "+ VXNlcm5hbWU6\r\n");
	S("dGlt", "+ UGFzc3dvcmQ6\r\n");
	S("dGFuc3RhYWZ0YW5zdGFhZg==", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&login, &code), POP3_STATE_TRANSACTION,
	       "LOGIN (forced): user name, then password");
	ok(script_done(), "LOGIN: followed the script");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL CRAM-MD5 PLAIN\r\n.\r\n");
	S("AUTH CRAM-MD5", "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
	S("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&plain_login, &code), POP3_STATE_TRANSACTION,
	       "CRAM-MD5: chosen over PLAIN, answers the RFC 2195 challenge");
	ok(script_done(), "CRAM-MD5: followed the script");

	/* Refused after the proof: no fallback to PLAIN. */
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL CRAM-MD5 PLAIN\r\n.\r\n");
	S("AUTH CRAM-MD5", "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
	S("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", "-ERR [AUTH] no\r\n");
	st = login_case(&plain_login, &code);
	ok(st < 0 && code == POP3_ERR_AUTH && !sent_has("AUTH PLAIN") && script_done(),
	   "CRAM-MD5 refused after the proof: no other mechanism is tried");

	/* A challenge that is not base64: cancelled with "*". */
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+ OK\r\nSASL CRAM-MD5\r\n.\r\n");
	st = login_case(&plain_login, &code);
	ok(st < 0 && code == POP3_ERR_PROTOCOL, "CAPA answered by a challenge line is malformed");
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL CRAM-MD5\r\n.\r\n");
	S("AUTH CRAM-MD5", "+ not*base64\r\n");
	S("*", "-ERR cancelled\r\n");
	st = login_case(&plain_login, &code);
	ok(st < 0 && script_done(), "CRAM-MD5: a challenge that is not base64 is cancelled with *");
}

#define S256_IR "AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="
#define S256_SFIRST "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=\r\n"
#define S256_CFINAL "Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ=="
#define S256_SFINAL "+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n"
#define S1_IR "AUTH SCRAM-SHA-1 biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM"
#define S1_SFIRST "+ cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0wzcmZjTkhZSlkxWlZ2V1ZzN2oscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==\r\n"
#define S1_CFINAL "Yz1iaXdzLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdMM3JmY05IWUpZMVpWdldWczdqLHA9djBYOHYzQnoyVDBDSkdiSlF5RjBYK0hJNFRzPQ=="
#define S1_SFINAL "+ dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS1E9\r\n"
#define S1_SFINAL_BAD "+ dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS0E9\r\n"

static const struct pop3_login scram_login = { .user = "user", .secret = "pencil" };

static int scram_session(const char *nonce, int *code_r)
{
	struct pop3_settings s = settings();
	s.test_scram_nonce = nonce;
	struct err e;
	err_init(&e);
	unasked();
	struct pop3 *p = pop3_new(&fake_io, &s);
	int rc = pop3_open(p, false, &e);
	if (rc == 0)
		rc = pop3_login(p, &scram_login, &e);
	*code_r = (int)e.code;
	int st = (int)pop3_state(p);
	pop3_free(&p);
	return rc == 0 ? st : -st - 1;
}

static void test_scram(void)
{
	int code;
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256\r\nUSER\r\n.\r\n");
	S(S256_IR, S256_SFIRST);
	S(S256_CFINAL, S256_SFINAL);
	S("", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(scram_session("rOprNGfwEbeRWgbNEkqO", &code), POP3_STATE_TRANSACTION,
	       "SCRAM-SHA-256: the strongest offered is chosen, even without TLS");
	ok(script_done(), "SCRAM-SHA-256: the RFC 7677 exchange, then an empty answer to v=");
	ok(!trace_has("Yz1iaXdz") && trace_has("C: ***\n"),
	   "SCRAM: the client's responses are masked in the trace");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-1 PLAIN\r\n.\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, S1_SFINAL);
	S("", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(scram_session("fyko+d2lbbFgONRv9qkxdawL", &code), POP3_STATE_TRANSACTION,
	       "SCRAM-SHA-1: the RFC 5802 exchange logs in");
	ok(script_done(), "SCRAM-SHA-1: followed the script");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-1 PLAIN\r\n.\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, S1_SFINAL_BAD);
	S("*", "-ERR cancelled\r\n");
	int st = scram_session("fyko+d2lbbFgONRv9qkxdawL", &code);
	ok(st == -POP3_STATE_ERROR - 1 && code == SASL_ERR_SERVER_PROOF,
	   "SCRAM: a wrong server signature is an authentication failure, session unusable");
	ok(script_done() && !sent_has("AUTH PLAIN"),
	   "SCRAM: the exchange is cancelled, and PLAIN is not tried");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-1\r\n.\r\n");
	S(S1_IR, S1_SFIRST);
	S(S1_CFINAL, "+OK welcome\r\n");
	st = scram_session("fyko+d2lbbFgONRv9qkxdawL", &code);
	ok(st == -POP3_STATE_ERROR - 1 && code == SASL_ERR_SERVER_PROOF,
	   "SCRAM: +OK without the server's signature is refused");

	/* Refused at the first step: the next mechanism is tried. */
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-256 PLAIN\r\n.\r\n");
	S(S256_IR, "-ERR no SCRAM secret for you\r\n");
	S("AUTH PLAIN AHVzZXIAcGVuY2ls", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(scram_session("rOprNGfwEbeRWgbNEkqO", &code), POP3_STATE_TRANSACTION,
	       "SCRAM refused before any proof: PLAIN over TLS is tried next");
	ok(script_done(), "fallback: followed the script");

	/* A lowered iteration count: cancelled before any proof. */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-1\r\n.\r\n");
	S(S1_IR, "+ cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0wzcmZjTkhZSlkxWlZ2V1ZzN2oscz1RU1hDUitRNnNlazhiZjkyLGk9MQ==\r\n");
	S("*", "-ERR ok\r\n");
	st = scram_session("fyko+d2lbbFgONRv9qkxdawL", &code);
	ok(st < 0 && code == SASL_ERR_ITERATIONS && script_done(),
	   "SCRAM: i=1 from the server is cancelled before the proof is sent");

	/* A non-ASCII password: SCRAM is skipped, CRAM-MD5 used. */
	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-256 CRAM-MD5\r\n.\r\n");
	S("AUTH CRAM-MD5", "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
	S("dXNlciAxZGVhNmU4MDMwOTcyMmNkZDE4OTEzNjRmMTdhMTNiOA==", "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	struct pop3_login l = { .user = "user", .secret = "p\xc3\xa9ncil" };
	struct err e;
	err_init(&e);
	unasked();
	struct pop3 *p = session(NULL);
	ok(pop3_open(p, false, &e) == 0 && pop3_login(p, &l, &e) == 0 &&
	   pop3_auth_used(p) == POP3_AUTH_CRAM_MD5,
	   "SCRAM is skipped for a password outside the SASLprep subset (%s)", e.msg);
	pop3_free(&p);
}

static void test_oauth(void)
{
	int code;
	char token[400];
	memset(token, 'A', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	struct pop3_login l = { .user = "u@example.com", .secret = token, .token = true,
				.host = "pop.example.com", .port = 995 };
	struct buf raw, b64, expect;
	buf_init(&raw, 4096);
	buf_init(&b64, 8192);
	buf_init(&expect, 8192);
	struct err e;
	err_init(&e);
	buf_cut_ok(sasl_oauthbearer(l.user, l.host, l.port, token, &raw, &e));
	buf_cut_ok(sasl_b64_encode(raw.data, raw.len, &b64));

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN XOAUTH2 OAUTHBEARER\r\n.\r\n");
	S("AUTH OAUTHBEARER", "+ \r\n");
	S(b64.data, "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&l, &code), POP3_STATE_TRANSACTION,
	       "OAUTHBEARER: a long token goes after an empty challenge (RFC 5034 s4)");
	ok(script_done() && !trace_has("AAAAAAAA"), "OAUTHBEARER: followed the script, token masked");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL OAUTHBEARER\r\n.\r\n");
	S("AUTH OAUTHBEARER", "+ \r\n");
	S(b64.data, "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n");
	S("AQ==", "-ERR auth failed\r\n");
	struct pop3 *p = session(NULL);
	ok(pop3_open(p, false, &e) == 0 && pop3_login(p, &l, &e) < 0 &&
	   e.code == POP3_ERR_AUTH && strstr(e.msg, "invalid_token") != NULL && script_done(),
	   "OAUTHBEARER: an error challenge is answered with ^A and reported (%s)", e.msg);
	pop3_free(&p);

	struct pop3_login x = { .user = "someuser@example.com",
				.secret = "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg", .token = true };
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN XOAUTH2\r\n.\r\n");
	S("AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2cBAQ==",
	  "+OK\r\n");
	S("CAPA", "+OK\r\n.\r\n");
	is_int(login_case(&x, &code), POP3_STATE_TRANSACTION,
	       "XOAUTH2: a short token goes as the initial response");

	fake_reset(false);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL XOAUTH2\r\n.\r\n");
	int st = login_case(&x, &code);
	ok(st < 0 && code == POP3_ERR_TLS && !sent_has("AUTH"),
	   "XOAUTH2: a token is not sent without TLS");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN\r\nUSER\r\n.\r\n");
	st = login_case(&x, &code);
	ok(st < 0 && code == POP3_ERR_NO_MECH && !sent_has("AUTH") && !sent_has("USER"),
	   "a token is never sent as a password");
	buf_release(&raw);
	buf_release(&b64);
	buf_release(&expect);
}

static void test_forced_and_none(void)
{
	int code;
	struct pop3_login l = plain_login;
	l.auth = POP3_AUTH_CRAM_MD5;
	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL PLAIN\r\n.\r\n");
	int st = login_case(&l, &code);
	ok(st < 0 && code == POP3_ERR_NO_MECH && !sent_has("AUTH"),
	   "a forced mechanism the server does not list is refused");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "-ERR\r\n");
	S("AUTH CRAM-MD5", "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n");
	S("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", "+OK\r\n");
	S("CAPA", "-ERR\r\n");
	is_int(login_case(&l, &code), POP3_STATE_TRANSACTION,
	       "a forced mechanism is tried when CAPA was not answered");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL GSSAPI\r\n.\r\n");
	st = login_case(&plain_login, &code);
	ok(st < 0 && code == POP3_ERR_NO_MECH, "no usable mechanism is a clear error");

	fake_reset(true);
	S(NULL, GREETING);
	S("CAPA", "+OK\r\nSASL SCRAM-SHA-256\r\n.\r\n");
	S(S256_IR, "-ERR [IN-USE] another session\r\n");
	st = scram_session("rOprNGfwEbeRWgbNEkqO", &code);
	ok(st < 0 && code == POP3_ERR_BUSY, "[IN-USE] to AUTH is POP3_ERR_BUSY");
}

/* ---- maildrop ---- */

static void test_listing(void)
{
	struct err e;
	struct pop3_maildrop md;
	err_init(&e);
	fake_reset(true);
	struct pop3 *p = logged_in(CAPA_TLS, NULL);
	S("STAT", "+OK 4 1200\r\n");
	S("LIST", "+OK 3 messages\r\n1 120\r\n2 200\r\n4 880\r\n.\r\n");
	S("UIDL", "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n4 ..\\/\r\n.\r\n");
	pop3_maildrop_init(&md);
	ok(pop3_stat(p, &md, &e) == 0 && md.stat_count == 4 && md.stat_size == 1200,
	   "STAT: count and size");
	ok(pop3_list(p, &md, &e) == 0 && md.n == 3 && md.msgs[2].num == 4 &&
	   md.msgs[2].size == 880, "LIST: numbers and sizes");
	ok(md.list_stat_mismatch, "LIST: 3 listed while STAT said 4 is reported");
	ok(pop3_uidl(p, &md, &e) == 0 && md.uid_bad == 0 && md.uid_dup == 0 && md.uid_none == 0,
	   "UIDL: all valid");
	const struct pop3_msginfo *m = pop3_maildrop_find(&md, 2);
	ok(m != NULL && m->uid_status == POP3_UID_OK && strcmp(m->uid, "QhdPYR:00WBw1Ph7x7") == 0 &&
	   m->size == 200, "UIDL: merged with LIST by message number");
	ok(pop3_maildrop_find(&md, 3) == NULL, "maildrop: an unlisted number is not found");
	ok(script_done(), "STAT, LIST, UIDL: followed the script");
	pop3_maildrop_release(&md);
	pop3_free(&p);

	char uid71[100];
	memset(uid71, 'u', 71);
	uid71[71] = '\0';
	char reply[1000];
	snprintf(reply, sizeof(reply),
		 "+OK\r\n1 good\r\n2 dup\r\n3 \r\n4 %s\r\n5 bad\x01id\r\n6 dup\r\n7 also good \r\n"
		 "8 has space\r\n10 dup\r\n.\r\n", uid71);
	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("LIST", "+OK\r\n1 1\r\n2 1\r\n3 1\r\n4 1\r\n5 1\r\n6 1\r\n7 1\r\n8 1\r\n9 1\r\n10 1\r\n.\r\n");
	S("UIDL", reply);
	pop3_maildrop_init(&md);
	ok(pop3_list(p, &md, &e) == 0 && pop3_uidl(p, &md, &e) == 0, "UIDL: hostile list read");
	is_int((long long)md.uid_dup, 3, "UIDL: the three messages sharing \"dup\" are all marked");
	is_int((long long)md.uid_bad, 5, "UIDL: empty, 71-byte, control and space ids are bad");
	is_int((long long)md.uid_none, 1, "UIDL: a message with no UIDL line is counted");
	m = pop3_maildrop_find(&md, 6);
	ok(m != NULL && m->uid_status == POP3_UID_DUP && m->uid == NULL,
	   "UIDL: a duplicate id is never kept");
	m = pop3_maildrop_find(&md, 4);
	ok(m != NULL && m->uid_status == POP3_UID_BAD && m->uid == NULL,
	   "UIDL: an overlong id is never kept");
	m = pop3_maildrop_find(&md, 7);
	ok(m != NULL && m->uid_status == POP3_UID_BAD && m->uid == NULL,
	   "UIDL: an id with an inner space is bad (a trailing one is ignored)");
	m = pop3_maildrop_find(&md, 1);
	ok(m != NULL && m->uid_status == POP3_UID_OK && strcmp(m->uid, "good") == 0,
	   "UIDL: a good id next to bad ones is kept");
	pop3_maildrop_release(&md);
	pop3_free(&p);

	/* Malformed lines: error, but the session stays in step. */
	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("LIST", "+OK\r\n1 100\r\n2 abc\r\n3 300\r\n.\r\n");
	S("LIST", "+OK\r\n1 100\r\n1 200\r\n.\r\n");
	S("LIST", "-ERR no\r\n");
	S("NOOP", "+OK\r\n");
	pop3_maildrop_init(&md);
	ok(pop3_list(p, &md, &e) < 0 && e.code == POP3_ERR_PROTOCOL && strstr(e.msg, "line 2") != NULL,
	   "LIST: a malformed line fails the command (%s)", e.msg);
	ok(pop3_list(p, &md, &e) < 0 && e.code == POP3_ERR_PROTOCOL && strstr(e.msg, "twice") != NULL,
	   "LIST: a message number listed twice fails the command");
	ok(pop3_list(p, &md, &e) < 0 && e.code == POP3_ERR_REFUSED, "LIST: -ERR fails the command");
	ok(pop3_noop(p, &e) == 0 && script_done() && md.n == 0,
	   "LIST: after these errors the session is in step, the maildrop untouched");
	pop3_maildrop_release(&md);
	pop3_free(&p);

	/* Floods and cuts. */
	struct pop3_settings s = settings();
	s.lines_max = 5;
	fake_reset(true);
	p = logged_in(CAPA_TLS, &s);
	S("UIDL", "+OK\r\n1 a\r\n2 b\r\n3 c\r\n4 d\r\n5 e\r\n6 f\r\n7 g\r\n.\r\n");
	pop3_maildrop_init(&md);
	ok(pop3_uidl(p, &md, &e) < 0 && e.code == ERR_LIMIT && pop3_state(p) == POP3_STATE_ERROR,
	   "UIDL: more lines than lines_max end the session");
	pop3_maildrop_release(&md);
	pop3_free(&p);

	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("UIDL", "+OK\r\n1 a\r\n2 b\r\n");
	pop3_maildrop_init(&md);
	ok(pop3_uidl(p, &md, &e) < 0 && pop3_state(p) == POP3_STATE_ERROR && md.n == 0,
	   "UIDL: a list with no terminating \".\" is an error");
	pop3_maildrop_release(&md);
	pop3_free(&p);

	char longline[1100];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "+OK\r\n1 ", 7);
	memcpy(longline + sizeof(longline) - 8, "\r\n.\r\n", 6);
	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("UIDL", longline);
	pop3_maildrop_init(&md);
	ok(pop3_uidl(p, &md, &e) < 0 && e.code == ERR_LIMIT && pop3_state(p) == POP3_STATE_ERROR,
	   "UIDL: a line over 1000 bytes is an error");
	pop3_maildrop_release(&md);
	pop3_free(&p);
}

/* ---- RETR, TOP, DELE, QUIT ---- */

static void test_retr(void)
{
	struct err e;
	struct buf out;
	err_init(&e);
	buf_init(&out, 1 << 20);
	fake_reset(true);
	struct pop3 *p = logged_in(CAPA_TLS, NULL);
	S("RETR 1", "+OK 42 octets\r\nSubject: x\r\n\r\n..\r\n..dot\r\nend\r\n.\r\n");
	S("RETR 2", "-ERR [SYS/PERM] gone\r\n");
	S("NOOP", "+OK\r\n");
	struct pop3_fetch_item it = { .num = 1, .size = 28 };
	ok(pop3_retr_buf(p, &it, &out, &e) == 0 && it.result == POP3_ITEM_OK,
	   "RETR: a message is read");
	is_str(out.data, "Subject: x\r\n\r\n.\r\n.dot\r\nend\r\n",
	       "RETR: dot-unstuffed, a lone \".\" in the body kept, CRLF as sent");
	ok(it.received == 28 && !it.size_mismatch, "RETR: received size matches LIST's");
	it = (struct pop3_fetch_item){ .num = 2, .size = 10 };
	ok(pop3_retr_buf(p, &it, &out, &e) < 0 && e.scope == ERR_MESSAGE &&
	   e.code == POP3_ERR_REFUSED && it.result == POP3_ITEM_REFUSED &&
	   strstr(e.msg, "RETR 2") != NULL, "RETR -ERR: an error for that message (%s)", e.msg);
	ok(pop3_noop(p, &e) == 0 && script_done(), "RETR -ERR: the session goes on");
	pop3_free(&p);

	/* Sizes: counted with CRLF, LF, or wrong. */
	struct pop3_settings s = settings();
	s.crlf_to_lf = true;
	fake_reset(true);
	p = logged_in(CAPA_TLS, &s);
	S("RETR 1", "+OK\r\na\r\nb\r\n.\r\n");
	S("RETR 2", "+OK\r\na\r\nb\r\n.\r\n");
	it = (struct pop3_fetch_item){ .num = 1, .size = 4 };
	ok(pop3_retr_buf(p, &it, &out, &e) == 0 && !it.size_mismatch && strcmp(out.data, "a\nb\n") == 0,
	   "RETR: a size counting LF line ends is accepted; crlf_to_lf gives LF");
	it = (struct pop3_fetch_item){ .num = 2, .size = 400 };
	ok(pop3_retr_buf(p, &it, &out, &e) == 0 && it.size_mismatch && it.received == 6,
	   "RETR: a size not matching LIST's is reported");
	pop3_free(&p);

	/* Too big by LIST: never asked. */
	s = settings();
	s.message_max = 100;
	fake_reset(true);
	p = logged_in(CAPA_TLS, &s);
	S("NOOP", "+OK\r\n");
	it = (struct pop3_fetch_item){ .num = 1, .size = 101 };
	ok(pop3_retr_buf(p, &it, &out, &e) < 0 && e.code == ERR_LIMIT && e.scope == ERR_MESSAGE &&
	   it.result == POP3_ITEM_TOO_BIG && !sent_has("RETR"),
	   "RETR: a message LIST says is over message_max is not asked for");
	ok(pop3_noop(p, &e) == 0, "RETR: the session goes on after a skipped message");
	pop3_free(&p);

	/* Too big while reading, a lying LIST. */
	fake_reset(true);
	p = logged_in(CAPA_TLS, &s);
	struct buf big;
	buf_init(&big, 1 << 20);
	buf_cut_ok(buf_append_str(&big, "+OK\r\n"));
	for (int i = 0; i < 20; i++)
		buf_cut_ok(buf_append_str(&big, "0123456789\r\n"));
	buf_cut_ok(buf_append_str(&big, ".\r\n"));
	S("RETR 1", big.data);
	it = (struct pop3_fetch_item){ .num = 1, .size = 10 };
	ok(pop3_retr_buf(p, &it, &out, &e) < 0 && e.code == ERR_LIMIT &&
	   pop3_state(p) == POP3_STATE_ERROR && out.len == 0,
	   "RETR: text over message_max ends the session, nothing kept");
	pop3_free(&p);

	/* The caller's buffer is full: the rest is read and dropped. */
	struct buf small;
	buf_init(&small, 50);
	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("RETR 1", big.data);
	S("NOOP", "+OK\r\n");
	it = (struct pop3_fetch_item){ .num = 1, .size = 240 };
	ok(pop3_retr_buf(p, &it, &small, &e) < 0 && e.scope == ERR_MESSAGE && e.code == ERR_LIMIT &&
	   it.result == POP3_ITEM_DROPPED && small.len == 0,
	   "RETR: a message over the caller's buffer fails for that message");
	ok(pop3_noop(p, &e) == 0 && script_done(), "RETR: and the session is still in step");
	pop3_free(&p);
	buf_release(&small);
	buf_release(&big);

	/* Lines: overlong, cut, and missing "." */
	s = settings();
	s.msg_line_max = 64;
	fake_reset(true);
	p = logged_in(CAPA_TLS, &s);
	S("RETR 1", "+OK\r\nshort\r\n0123456789012345678901234567890123456789012345678901234567890123456789\r\n.\r\n");
	it = (struct pop3_fetch_item){ .num = 1, .size = POP3_SIZE_UNKNOWN };
	ok(pop3_retr_buf(p, &it, &out, &e) < 0 && e.code == ERR_LIMIT &&
	   pop3_state(p) == POP3_STATE_ERROR, "RETR: a line over msg_line_max is an error");
	pop3_free(&p);

	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("RETR 1", "+OK\r\nSubject: x\r\n\r\nbody\r\n");
	it = (struct pop3_fetch_item){ .num = 1, .size = POP3_SIZE_UNKNOWN };
	ok(pop3_retr_buf(p, &it, &out, &e) < 0 && e.code == CONN_ERR_CLOSED && out.len == 0 &&
	   pop3_state(p) == POP3_STATE_ERROR && strstr(e.msg, "RETR 1") != NULL,
	   "RETR: a message with no terminating \".\" is an error (%s)", e.msg);
	pop3_free(&p);

	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("TOP 3 0", "+OK\r\nSubject: hi\r\n..x: y\r\n\r\n.\r\n");
	ok(pop3_top(p, 3, 0, &out, &e) == 0 && strcmp(out.data, "Subject: hi\r\n.x: y\r\n\r\n") == 0,
	   "TOP n 0: the header, unstuffed");
	pop3_free(&p);
	buf_release(&out);
}

static void test_dele_quit(void)
{
	struct err e;
	err_init(&e);
	fake_reset(true);
	struct pop3 *p = logged_in(CAPA_TLS, NULL);
	S("DELE 1", "+OK marked\r\n");
	char long_err[400];
	memset(long_err, 'x', sizeof(long_err));
	memcpy(long_err, "-ERR message 2 already deleted \x1b[2J", 35);
	memcpy(long_err + sizeof(long_err) - 3, "\r\n", 3);
	S("DELE 2", long_err);
	S("RSET", "+OK\r\n");
	S("DELE 3", "+OK\r\n");
	S("QUIT", "+OK bye\r\n");
	ok(pop3_dele(p, 1, &e) == 0 && pop3_marked_deleted(p) == 1, "DELE: +OK marks one message");
	ok(pop3_dele(p, 2, &e) < 0 && e.scope == ERR_MESSAGE && e.code == POP3_ERR_REFUSED &&
	   pop3_marked_deleted(p) == 1, "DELE -ERR: an error for that message");
	ok(strstr(e.msg, "DELE 2") != NULL && strstr(e.msg, "already deleted") != NULL &&
	   strchr(e.msg, '\x1b') == NULL && strstr(e.msg, "xxx...\"") != NULL && strlen(e.msg) < 250,
	   "errors name the command, quote the server sanitised and shortened (%s)", e.msg);
	ok(pop3_rset(p, &e) == 0 && pop3_marked_deleted(p) == 0, "RSET: unmarks the deletions");
	ok(pop3_dele(p, 3, &e) == 0 && pop3_marked_deleted(p) == 1, "DELE after RSET");
	ok(pop3_quit(p, &e) == 0 && pop3_state(p) == POP3_STATE_UPDATE && script_done(),
	   "QUIT +OK: UPDATE, the deletions are done");
	ok(pop3_noop(p, &e) < 0 && e.code == POP3_ERR_STATE, "after QUIT no command is sent");
	pop3_free(&p);

	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("DELE 1", "+OK\r\n");
	S("QUIT", "-ERR some deleted messages not removed\r\n");
	ok(pop3_dele(p, 1, &e) == 0 && pop3_quit(p, &e) < 0 && pop3_state(p) == POP3_STATE_CLOSED &&
	   strstr(e.msg, "may still be on the server") != NULL,
	   "QUIT -ERR: an error saying messages may remain (%s)", e.msg);
	pop3_free(&p);

	fake_reset(true);
	S(NULL, GREETING);
	p = session(NULL);
	ok(pop3_greeting(p, &e) == 0 && pop3_dele(p, 1, &e) < 0 && e.code == POP3_ERR_STATE &&
	   fk.sent.len == 0, "DELE before login: refused, nothing sent");
	struct pop3_fetch_item it = { .num = 1 };
	struct buf out;
	buf_init(&out, 100);
	ok(pop3_retr_buf(p, &it, &out, &e) < 0 && e.code == POP3_ERR_STATE && fk.sent.len == 0,
	   "RETR before login: refused, nothing sent");
	buf_release(&out);
	pop3_free(&p);

	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	S("LIST", "+OK\r\n1 2\r\n");
	struct pop3_maildrop md;
	pop3_maildrop_init(&md);
	ok(pop3_list(p, &md, &e) < 0 && pop3_quit(p, &e) < 0 && e.code == POP3_ERR_STATE &&
	   !sent_has("QUIT"), "QUIT is not sent on a broken session");
	pop3_maildrop_release(&md);
	pop3_free(&p);
}

/* ---- pipelined fetch ---- */

struct sink {
	struct buf got;       /* "<num>:<text>|" for each message */
	size_t begun, ended;
	size_t stop_at;       /* end() of this message fails (0: never) */
	bool dele;            /* end() asks DELE */
	size_t failed;
};

static int sink_begin(void *ctx, struct pop3_fetch_item *it, struct err *e)
{
	struct sink *s = ctx;
	(void)e;
	s->begun++;
	buf_cut_ok(buf_printf(&s->got, "%lu:", it->num));
	return 0;
}

static int sink_data(void *ctx, struct pop3_fetch_item *it, const char *p, size_t n,
		     struct err *e)
{
	struct sink *s = ctx;
	(void)it;
	(void)e;
	buf_cut_ok(buf_append(&s->got, p, n));
	return 0;
}

static int sink_end(void *ctx, struct pop3_fetch_item *it, struct err *e)
{
	struct sink *s = ctx;
	s->ended++;
	buf_cut_ok(buf_append_char(&s->got, '|'));
	if (s->stop_at == it->num)
		return err_set(e, ERR_FOLDER, ERR_IO, "disk full at %lu", it->num);
	return s->dele ? POP3_FETCH_DELE : 0;
}

static void sink_failed(void *ctx, struct pop3_fetch_item *it, const struct err *why)
{
	struct sink *s = ctx;
	(void)it;
	(void)why;
	s->failed++;
}

#define NMSG 50

static void script_messages(size_t from, size_t to)
{
	char cmd[32], reply[128];
	for (size_t k = from; k <= to; k++) {
		snprintf(cmd, sizeof(cmd), "RETR %zu", k);
		snprintf(reply, sizeof(reply), "+OK\r\nSubject: %zu\r\n\r\n..%zu\r\n.\r\n", k, k);
		S(cmd, reply);
	}
}

static struct pop3_fetch_item items[NMSG];

static void init_items(void)
{
	for (size_t i = 0; i < NMSG; i++)
		items[i] = (struct pop3_fetch_item){ .num = i + 1, .size = POP3_SIZE_UNKNOWN };
}

static bool all_in_order(const struct sink *s, size_t n)
{
	struct buf want;
	buf_init(&want, 1 << 20);
	for (size_t k = 1; k <= n; k++)
		buf_cut_ok(buf_printf(&want, "%zu:Subject: %zu\r\n\r\n.%zu\r\n|", k, k, k));
	bool same = strcmp(want.data, s->got.data) == 0;
	buf_release(&want);
	return same;
}

static void test_fetch(void)
{
	struct err e;
	struct sink s = { 0 };
	struct pop3_fetch_ops ops = { .ctx = &s, .begin = sink_begin, .data = sink_data,
				      .end = sink_end, .failed = sink_failed };
	err_init(&e);
	buf_init(&s.got, 1 << 20);

	fake_reset(true);
	struct pop3 *p = logged_in(CAPA_PIPE, NULL);
	size_t writes_before = fk.writes;
	script_messages(1, NMSG);
	init_items();
	ok(pop3_fetch(p, items, NMSG, &ops, &e) == 0 && s.ended == NMSG && script_done(),
	   "pipelined fetch: 50 messages, RETR 1..50 in order");
	ok(all_in_order(&s, NMSG), "pipelined fetch: texts handed out in order, unstuffed");
	is_int((long long)fk.max_outstanding, POP3_WINDOW,
	       "pipelined fetch: at most 16 commands outstanding");
	is_int((long long)fk.write_lines[writes_before], POP3_WINDOW,
	       "pipelined fetch: the first write carries 16 RETRs");
	ok(fk.writes - writes_before < 10,
	   "pipelined fetch: commands go out in batches (%zu writes)", fk.writes - writes_before);
	pop3_free(&p);

	buf_reset(&s.got);
	s.ended = s.begun = 0;
	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	writes_before = fk.writes;
	script_messages(1, NMSG);
	init_items();
	ok(pop3_fetch(p, items, NMSG, &ops, &e) == 0 && all_in_order(&s, NMSG) && script_done(),
	   "fetch without PIPELINING: 50 messages in order");
	is_int((long long)fk.max_outstanding, 1, "fetch without PIPELINING: one command at a time");
	is_int((long long)(fk.writes - writes_before), NMSG, "fetch without PIPELINING: 50 writes");
	pop3_free(&p);

	/* DELE asked by end(): sent after that message's end(). */
	buf_reset(&s.got);
	s.ended = s.begun = 0;
	s.dele = true;
	fake_reset(true);
	p = logged_in(CAPA_TLS, NULL);
	for (size_t k = 1; k <= 3; k++) {
		char cmd[32], reply[128];
		snprintf(cmd, sizeof(cmd), "RETR %zu", k);
		snprintf(reply, sizeof(reply), "+OK\r\nSubject: %zu\r\n\r\n..%zu\r\n.\r\n", k, k);
		S(cmd, reply);
		snprintf(cmd, sizeof(cmd), "DELE %zu", k);
		S(cmd, k == 2 ? "-ERR no\r\n" : "+OK\r\n");
	}
	init_items();
	ok(pop3_fetch(p, items, 3, &ops, &e) == 0 && script_done() && items[0].deleted &&
	   !items[1].deleted && items[2].deleted && s.failed == 1 && pop3_marked_deleted(p) == 2,
	   "fetch with DELE: each DELE follows its message's end(); -ERR to one reported");
	pop3_free(&p);
	s.dele = false;

	/* The caller stops at message 10: outstanding replies are drained. */
	buf_reset(&s.got);
	s.ended = s.begun = 0;
	s.stop_at = 10;
	fake_reset(true);
	p = logged_in(CAPA_PIPE, NULL);
	script_messages(1, 24);
	S("RSET", "+OK\r\n");
	init_items();
	ok(pop3_fetch(p, items, NMSG, &ops, &e) < 0 && e.scope == ERR_FOLDER &&
	   strcmp(e.msg, "disk full at 10") == 0, "fetch stopped by the caller returns its error");
	ok(s.ended == 10 && items[9].result == POP3_ITEM_OK && items[10].result == POP3_ITEM_DROPPED &&
	   items[23].result == POP3_ITEM_DROPPED && items[24].result == POP3_ITEM_PENDING,
	   "fetch stopped: messages asked for are drained, later ones never asked");
	ok(pop3_rset(p, &e) == 0 && script_done(), "fetch stopped: the session is in step for RSET");
	pop3_free(&p);
	s.stop_at = 0;

	/* A refused RETR in the middle of a pipelined batch. */
	buf_reset(&s.got);
	s.ended = s.begun = 0;
	s.failed = 0;
	fake_reset(true);
	p = logged_in(CAPA_PIPE, NULL);
	S("RETR 1", "+OK\r\na\r\n.\r\n");
	S("RETR 2", "-ERR no such message\r\n");
	S("RETR 3", "+OK\r\nc\r\n.\r\n");
	init_items();
	ok(pop3_fetch(p, items, 3, &ops, &e) == 0 && s.failed == 1 && s.ended == 2 &&
	   items[1].result == POP3_ITEM_REFUSED && items[2].result == POP3_ITEM_OK &&
	   strcmp(s.got.data, "1:a\r\n|3:c\r\n|") == 0 && script_done(),
	   "pipelined fetch: a refused RETR is reported, the others arrive");
	pop3_free(&p);

	/* DELE many, pipelined. */
	fake_reset(true);
	p = logged_in(CAPA_PIPE, NULL);
	for (size_t k = 1; k <= 20; k++) {
		char cmd[32];
		snprintf(cmd, sizeof(cmd), "DELE %zu", k);
		S(cmd, k == 7 ? "-ERR no\r\n" : "+OK\r\n");
	}
	init_items();
	items[0].result = POP3_ITEM_OK;
	size_t w = fk.writes;
	ok(pop3_dele_many(p, items, 20, &e) == 0 && !items[6].deleted && items[19].deleted &&
	   pop3_marked_deleted(p) == 19 && script_done() && items[0].result == POP3_ITEM_OK,
	   "DELE many: pipelined, each result recorded, earlier results kept");
	ok(fk.writes - w <= 3 && fk.max_outstanding == POP3_WINDOW, "DELE many: sent in a window");
	pop3_free(&p);
	buf_release(&s.got);
}

/* The server's stream cut after every byte: the session must fail
 * cleanly at each cut, and succeed, with the right text, only whole. */
static void test_every_cut(void)
{
	const char *stream = GREETING "+OK\r\nUSER\r\n.\r\n+OK\r\n+OK\r\n+OK\r\n.\r\n"
			     "+OK 30 octets\r\nA: b\r\n\r\n..\r\n...x\r\nend\r\n.\r\n";
	const char *want = "A: b\r\n\r\n.\r\n..x\r\nend\r\n";
	size_t n = strlen(stream);
	size_t wrong = 0;
	struct buf out;
	buf_init(&out, 4096);
	for (size_t cut = 0; cut <= n; cut++) {
		struct err e;
		err_init(&e);
		fake_reset(true);
		fk.raw = true;
		if (buf_append(&fk.in, stream, cut) < 0)
			abort();
		struct pop3 *p = pop3_new(&fake_io, NULL);
		struct pop3_fetch_item it = { .num = 1, .size = 21 };
		int rc = pop3_open(p, false, &e);
		if (rc == 0)
			rc = pop3_login(p, &user_login, &e);
		if (rc == 0)
			rc = pop3_retr_buf(p, &it, &out, &e);
		bool whole = cut == n;
		if ((rc == 0) != whole || (whole && strcmp(out.data, want) != 0) ||
		    (!whole && (pop3_state(p) != POP3_STATE_ERROR || out.len != 0)))
			wrong++;
		pop3_free(&p);
	}
	is_int((long long)wrong, 0,
	       "a session cut after any of its %zu bytes fails cleanly; whole, it succeeds", n);
	buf_release(&out);
}

int main(void)
{
	test_parse_status();
	test_ml_classify();
	test_uid_valid();
	test_timestamp();
	test_auth_names();
	test_greeting();
	test_capa();
	test_stls();
	test_user_pass();
	test_apop();
	test_plain_login_mechs();
	test_scram();
	test_oauth();
	test_forced_and_none();
	test_listing();
	test_retr();
	test_dele_quit();
	test_fetch();
	test_every_cut();
	fake_reset(false);
	buf_release(&fk.in);
	buf_release(&fk.sent);
	buf_release(&fk.wline);
	buf_release(&fk.trace);
	return done_testing();
}
