/* Fuzz target: the IMAP session (src/proto/imap.c, imap_cmd.c,
 * imap_auth.c, with imap_parser.c and sasl.c) in a whole session against
 * a server whose byte stream is the input.
 *
 * Input: byte 0 chooses the connection and login (bit 0 implicit TLS,
 * bit 1 STARTTLS required, bit 2 plaintext allowed, bit 3 an OAuth token
 * instead of a password, bits 4-7 the forced mechanism modulo
 * IMAP_AUTH_COUNT, 0 = auto); the rest is what the server sends, served
 * to read_line (up to each LF) and read_exact as conn.h would.  The
 * client runs greeting [STARTTLS], login, COMPRESS twice (the stream
 * stays plain: what is fuzzed is the session around it), ENABLE, SELECT
 * INBOX (walking every response), a pipelined UID FETCH and NOOP waited
 * in reverse, an APPEND with a literal, and LOGOUT, each only while the
 * state allows it.
 *
 * Invariants (__builtin_trap):
 *   - on a connection that is not TLS, when STARTTLS was required no
 *     LOGIN or AUTHENTICATE command is written at all; when plaintext is
 *     not allowed, no LOGIN command, no AUTHENTICATE PLAIN / LOGIN /
 *     OAUTHBEARER / XOAUTH2; in both cases never the secret, raw or in
 *     base64 (every written word is decoded and searched);
 *   - the secret goes raw only in a LOGIN command, and never into the
 *     trace (raw or base64);
 *   - a failed imap_open leaves the session unusable; a login that
 *     succeeds after STARTTLS was required is on TLS, and a login without
 *     TLS and without plaintext allowed used no revealing mechanism;
 *   - nothing is written in the ERROR or LOGOUT states, and ERROR is
 *     never left;
 *   - deflate starts at most once, only when authenticated, and
 *     imap_compressed() says whether it did;
 *   - no error message contains the secret (unless the server sent it
 *     itself); every message is NUL-terminated.
 * Memory and time bounds are AddressSanitizer's and the fuzzer's
 * business. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "imap.h"
#include "sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASSWORD "fuzz-secret-pw"
#define WALK_DEPTH_MAX 64

struct stream {
	const char *p;
	size_t n, pos;
	bool tls, plain_ok, stls;
	unsigned deflates;
	struct imap *session;
};

static bool has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

/* Whether p[0..n) holds the password, raw or in a base64 word. */
static bool reveals(const char *p, size_t n)
{
	if (has(p, n, PASSWORD))
		return true;
	struct buf dec;
	buf_init(&dec, 64 * 1024);
	bool found = false;
	for (size_t i = 0; i < n && !found;) {
		size_t k = i;
		while (k < n && p[k] != ' ' && p[k] != '\r' && p[k] != '\n')
			k++;
		buf_reset(&dec);
		if (k - i >= 4 && sasl_b64_decode(p + i, k - i, &dec) == 0 &&
		    has(dec.data, dec.len, PASSWORD))
			found = true;
		i = k + 1;
	}
	buf_release(&dec);
	return found;
}

static int s_read_line(void *ctx, struct buf *line, struct err *e)
{
	struct stream *s = ctx;
	if (s->pos == s->n)
		return err_set(e, ERR_ACCOUNT, ERR_IO, "closed");
	const char *at = s->p + s->pos;
	const char *lf = memchr(at, '\n', s->n - s->pos);
	size_t len = lf != NULL ? (size_t)(lf - at) + 1 : s->n - s->pos;
	if (len > line->max || lf == NULL) {
		s->pos = s->n;
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, "too long or cut");
	}
	buf_reset(line);
	if (buf_append(line, at, len) < 0)
		__builtin_trap();
	s->pos += len;
	return 0;
}

static int s_read_exact(void *ctx, size_t n, struct buf *out, struct err *e)
{
	struct stream *s = ctx;
	if (n == 0 || n > 64 * 1024)
		__builtin_trap(); /* pieces of at most IMAP_READ_CHUNK */
	if (s->n - s->pos < n) {
		s->pos = s->n;
		return err_set(e, ERR_ACCOUNT, ERR_IO, "closed in a literal");
	}
	buf_reset(out);
	if (buf_append(out, s->p + s->pos, n) < 0)
		__builtin_trap();
	s->pos += n;
	return 0;
}

static bool login_command(const char *p, size_t n)
{
	/* "t<digits> LOGIN " */
	size_t i = 1;
	if (n < 2 || p[0] != 't')
		return false;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	return n - i >= 7 && memcmp(p + i, " LOGIN ", 7) == 0;
}

static int s_write(void *ctx, const char *p, size_t n, struct err *e)
{
	struct stream *s = ctx;
	(void)e;
	enum imap_state st = imap_state(s->session);
	if (st == IMAP_STATE_ERROR || st == IMAP_STATE_LOGOUT || st == IMAP_STATE_GREETING)
		__builtin_trap(); /* nothing is sent on an unusable or ended session */
	bool any_login = login_command(p, n) || has(p, n, "AUTHENTICATE");
	if (!s->tls && s->stls && (any_login || reveals(p, n)))
		__builtin_trap(); /* STARTTLS required: no login before TLS */
	if (!s->tls && !s->plain_ok &&
	    (reveals(p, n) || login_command(p, n) || has(p, n, "AUTHENTICATE PLAIN") ||
	     has(p, n, "AUTHENTICATE LOGIN") || has(p, n, "AUTHENTICATE OAUTHBEARER") ||
	     has(p, n, "AUTHENTICATE XOAUTH2")))
		__builtin_trap();
	if (has(p, n, PASSWORD) && !login_command(p, n))
		__builtin_trap(); /* only the LOGIN command carries it raw */
	return 0;
}

static int s_start_tls(void *ctx, struct err *e)
{
	struct stream *s = ctx;
	(void)e;
	s->tls = true;
	return 0;
}

static int s_start_deflate(void *ctx, struct err *e)
{
	struct stream *s = ctx;
	(void)e;
	enum imap_state st = imap_state(s->session);
	if (s->deflates++ > 0 || (st != IMAP_STATE_AUTH && st != IMAP_STATE_SELECTED))
		__builtin_trap();
	return 0;
}

static bool s_is_tls(void *ctx)
{
	return ((struct stream *)ctx)->tls;
}

#ifdef FUZZ_IMAP_TRACE
/* -DFUZZ_IMAP_TRACE: prints the session, to check what a seed drives. */
#include <stdio.h>
#endif

static void s_trace(void *ctx, bool sent, const char *line, size_t len)
{
	(void)ctx;
	if (sent && reveals(line, len))
		__builtin_trap();
#ifdef FUZZ_IMAP_TRACE
	fprintf(stderr, "%s %.*s\n", sent ? "C:" : "S:", (int)len, line);
#endif
}

/* Set when the server's own bytes contain the password (then its text,
 * quoted in an error, may too). */
static bool server_says_password;

static void check_error(const struct err *e)
{
	if (memchr(e->msg, '\0', sizeof(e->msg)) == NULL ||
	    (!server_says_password && strstr(e->msg, PASSWORD) != NULL))
		__builtin_trap();
}

/* Walks an argument tree as a FETCH or LIST decoder would. */
static size_t walk(const struct imap_arg *a, size_t n, unsigned depth)
{
	size_t bytes = 0;
	if (depth > WALK_DEPTH_MAX)
		__builtin_trap(); /* the parser's depth cap */
	for (size_t i = 0; i < n; i++) {
		uint32_t v32;
		uint64_t v64;
		switch (a[i].type) {
		case IMAP_ARG_LIST:
			if (a[i].len > 0 && a[i].list == NULL)
				__builtin_trap();
			bytes += walk(a[i].list, a[i].len, depth + 1);
			break;
		case IMAP_ARG_ATOM:
		case IMAP_ARG_STRING:
		case IMAP_ARG_LITERAL:
			if (a[i].str == NULL || a[i].str[a[i].len] != '\0')
				__builtin_trap();
			bytes += a[i].len;
			if (imap_arg_number(&a[i], &v32) && !imap_arg_number64(&a[i], &v64))
				__builtin_trap();
			break;
		case IMAP_ARG_NIL:
			break;
		}
	}
	return bytes;
}

struct walker {
	size_t responses, bytes;
	bool read_only;
	bool completion_seen;
};

static int walk_fn(void *ctx, const struct imap_response *r, struct err *e)
{
	struct walker *w = ctx;
	(void)e;
	if (w->completion_seen)
		__builtin_trap(); /* the completion comes last */
	w->responses++;
	if (r->kind == IMAP_RESP_CONTINUATION)
		__builtin_trap(); /* never handed to fn */
	if (r->kind == IMAP_RESP_TAGGED)
		w->completion_seen = true;
	if (r->code != NULL && strcmp(r->code, "READ-ONLY") == 0)
		w->read_only = true;
	w->bytes += walk(r->args, r->n_args, 0) + walk(r->code_args, r->n_code_args, 0);
	/* A decoder refusing one response: the wait goes on to the end. */
	if (r->kind == IMAP_RESP_UNTAGGED && r->n_args > 1 && imap_arg_is_atom(&r->args[1], "EXPUNGE"))
		return err_set(e, ERR_FOLDER, ERR_PARSE, "walker: refused");
	return 0;
}

static bool usable(const struct imap *p)
{
	enum imap_state st = imap_state(p);
	return st == IMAP_STATE_AUTH || st == IMAP_STATE_SELECTED;
}

/* Runs step's effect on the error invariants and ERROR's permanence. */
static void after(const struct imap *p, bool was_error, const struct err *e)
{
	check_error(e);
	if (was_error && imap_state(p) != IMAP_STATE_ERROR)
		__builtin_trap();
}

static void commands(struct imap *p, const struct stream *s)
{
	struct err e;
	err_init(&e);
	bool was_error;

	for (int i = 0; i < 2 && usable(p); i++) {
		imap_compress(p, &e);
		after(p, false, &e);
	}
	if (imap_compressed(p) != (s->deflates == 1))
		__builtin_trap();
	if (imap_state(p) == IMAP_STATE_AUTH) {
		imap_enable(p, IMAP_CAP_CONDSTORE | IMAP_CAP_QRESYNC | IMAP_CAP_UTF8_ACCEPT, &e);
		after(p, false, &e);
	}
	if (usable(p)) {
		struct walker w = { .responses = 0 };
		struct imap_cmd c;
		imap_cmd_init(&c, p, "SELECT");
		imap_cmd_string(&c, "INBOX", 5, false);
		if (imap_run(p, &c, walk_fn, &w, &e) == 0) {
			if (!w.completion_seen)
				__builtin_trap();
			imap_set_selected(p, true, w.read_only);
		}
		imap_cmd_release(&c);
		after(p, false, &e);
	}
	if (usable(p)) {
		struct walker w1 = { .responses = 0 }, w2 = { .responses = 0 };
		struct imap_cmd a, b;
		unsigned ta = 0, tb = 0;
		imap_cmd_init(&a, p, "UID FETCH");
		imap_cmd_raw(&a, "1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])");
		imap_cmd_init(&b, p, "NOOP");
		bool sa = imap_send(p, &a, walk_fn, &w1, &ta, &e) == 0;
		bool sb = sa && imap_send(p, &b, walk_fn, &w2, &tb, &e) == 0;
		if (sb)
			imap_wait(p, tb, walk_fn, &w2, &e);
		after(p, false, &e);
		if (sa)
			imap_wait(p, ta, walk_fn, &w1, &e);
		after(p, false, &e);
		imap_cmd_release(&a);
		imap_cmd_release(&b);
	}
	if (usable(p)) {
		struct imap_cmd c;
		imap_cmd_init(&c, p, "APPEND");
		imap_cmd_qstring(&c, "Dr\xc3\xa4" "fts", 7, false);
		imap_cmd_raw(&c, "(\\Seen)");
		imap_cmd_string(&c, "Subject: x\r\n\r\nbody\r\n", 20, false);
		imap_run(p, &c, walk_fn, &(struct walker){ .responses = 0 }, &e);
		imap_cmd_release(&c);
		after(p, false, &e);
	}
	was_error = imap_state(p) == IMAP_STATE_ERROR;
	enum imap_state before = imap_state(p);
	if (imap_logout(p, &e) == 0 && before == IMAP_STATE_ERROR)
		__builtin_trap();
	after(p, was_error, &e);
}

static bool reveals_mech(enum imap_auth a)
{
	return a == IMAP_AUTH_PLAIN || a == IMAP_AUTH_LOGIN || a == IMAP_AUTH_USER ||
	       a == IMAP_AUTH_OAUTHBEARER || a == IMAP_AUTH_XOAUTH2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	struct stream s = { .p = (const char *)data + 1, .n = size - 1, .tls = flags & 1,
			    .plain_ok = flags & 4, .stls = flags & 2 };
	struct imap_io io = { .ctx = &s, .read_line = s_read_line, .read_exact = s_read_exact,
			      .write = s_write, .start_tls = s_start_tls, .is_tls = s_is_tls,
			      .start_deflate = s_start_deflate };
	struct imap_settings set = {
		.lim = { .line_max = 4096, .literal_max = 1 << 20, .response_max = 2 << 20,
			 .depth_max = 16, .args_max = 4096 },
		.scram_iter_min = 1, .scram_iter_max = 64, .test_scram_nonce = "fuzznonce",
		.trace = s_trace,
	};
	struct imap_login login = {
		.user = "fuzzuser", .secret = flags & 8 ? "fuzz.token-" PASSWORD : PASSWORD,
		.auth = (enum imap_auth)((flags >> 4) % IMAP_AUTH_COUNT),
		.token = flags & 8, .allow_plaintext = flags & 4,
		.host = "imap.example.org", .port = 993,
	};
	struct err e;

	err_init(&e);
	server_says_password = has(s.p, s.n, PASSWORD);
	struct imap *p = imap_new(&io, &set);
	s.session = p;
	bool stls = flags & 2;
	int rc = imap_open(p, stls, &e);
	check_error(&e);
	if (rc < 0 && imap_state(p) != IMAP_STATE_ERROR)
		__builtin_trap(); /* a failed open leaves nothing to use */
	if (imap_state(p) == IMAP_STATE_NOT_AUTH) {
		rc = imap_login(p, &login, &e);
		check_error(&e);
		if (rc == 0) {
			if (imap_state(p) != IMAP_STATE_AUTH || (stls && !s.tls))
				__builtin_trap();
			if (!s.tls && !s.plain_ok && reveals_mech(imap_auth_used(p)))
				__builtin_trap();
		}
	}
	commands(p, &s);
#ifdef FUZZ_IMAP_TRACE
	fprintf(stderr, "end: %s (%s)\n", imap_state_name(imap_state(p)), e.msg);
#endif
	imap_free(&p);
	return 0;
}
