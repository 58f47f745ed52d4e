/* Fuzz target: the POP3 client (src/proto/pop3*.c, sasl.c) in a whole
 * session against a server whose byte stream is the input.
 *
 * Input: byte 0 chooses the connection and login (bit 0 implicit TLS,
 * bit 1 STLS required, bit 2 plaintext allowed, bit 3 an OAuth token
 * instead of a password, bits 4-7 the forced mechanism, 0 = auto), byte
 * 1 the download (bit 0 DELE each message from end(), bit 1 stop at the
 * second message, bit 2 DELE the retrieved ones afterwards, bit 3 RSET,
 * bit 4 CRLF to LF, bits 5-6 the pipelining window); the rest is what the
 * server sends, split into lines as conn_read_line would.  The client
 * runs greeting, CAPA, [STLS, CAPA], login, CAPA, STAT, LIST, UIDL, a
 * fetch of the listed messages, TOP, [DELE], [RSET], NOOP, QUIT, each
 * only while the session allows it.
 *
 * Invariants (__builtin_trap): no credential leaves on a connection that
 * is not TLS unless plaintext is allowed (the password never, PASS / AUTH
 * PLAIN / LOGIN / XOAUTH2 / OAUTHBEARER never); a login that succeeds
 * after STLS was required is on TLS; an unusable session never becomes
 * usable again and sends nothing more; every kept unique-id is valid,
 * the maildrop is sorted, bad and duplicate ids are never kept; the text
 * handed to data() adds up to what the item says was received; no error
 * message contains the password (unless the server sent it itself).  Memory and time bounds are
 * AddressSanitizer's and the fuzzer's business. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_POP3_TRACE
/* -DFUZZ_POP3_TRACE: prints the session, to check what a seed drives. */
#include <stdio.h>
static void session_trace(void *ctx, bool sent, const char *line, size_t len)
{
	(void)ctx;
	fprintf(stderr, "%s %.*s\n", sent ? "C:" : "S:", (int)len, line);
}
#else
#define session_trace NULL
#endif

#define PASSWORD "fuzz-secret-pw"
#define ITEMS_MAX 32

struct stream {
	const char *p;
	size_t n, pos;
	bool tls, plain_ok, broken, sent_after_broken;
	struct pop3 *session;
};

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

static bool has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return true;
	return false;
}

static int s_write(void *ctx, const char *p, size_t n, struct err *e)
{
	struct stream *s = ctx;
	(void)e;
	if (s->session != NULL && pop3_state(s->session) == POP3_STATE_ERROR)
		__builtin_trap(); /* nothing is sent on an unusable session */
	if (!s->tls && !s->plain_ok &&
	    (has(p, n, PASSWORD) || has(p, n, "PASS ") || has(p, n, "AUTH PLAIN") ||
	     has(p, n, "AUTH LOGIN") || has(p, n, "AUTH XOAUTH2") ||
	     has(p, n, "AUTH OAUTHBEARER")))
		__builtin_trap();
	if (has(p, n, PASSWORD) && !has(p, n, "PASS "))
		__builtin_trap(); /* only PASS carries it raw */
	return 0;
}

static int s_start_tls(void *ctx, struct err *e)
{
	struct stream *s = ctx;
	(void)e;
	s->tls = true;
	return 0;
}

static bool s_is_tls(void *ctx)
{
	return ((struct stream *)ctx)->tls;
}

struct sink {
	uint64_t got;            /* bytes handed to data() for this item */
	size_t ends;
	bool dele, stop, lf;
};

static int k_begin(void *ctx, struct pop3_fetch_item *it, struct err *e)
{
	struct sink *k = ctx;
	(void)it;
	(void)e;
	k->got = 0;
	return 0;
}

static int k_data(void *ctx, struct pop3_fetch_item *it, const char *p, size_t n,
		  struct err *e)
{
	struct sink *k = ctx;
	(void)it;
	(void)e;
	if (n == 0 || (p[n - 1] != '\n'))
		__builtin_trap(); /* whole lines only */
	k->got += n;
	return 0;
}

static int k_end(void *ctx, struct pop3_fetch_item *it, struct err *e)
{
	struct sink *k = ctx;
	if (it->result != POP3_ITEM_OK || (!k->lf && k->got != it->received) ||
	    (k->lf && k->got > it->received))
		__builtin_trap();
	if (k->stop && ++k->ends == 2)
		return err_set(e, ERR_FOLDER, ERR_IO, "stop");
	return k->dele ? POP3_FETCH_DELE : 0;
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

static void check_maildrop(const struct pop3_maildrop *md)
{
	for (size_t i = 0; i < md->n; i++) {
		const struct pop3_msginfo *m = &md->msgs[i];
		if (i > 0 && md->msgs[i - 1].num >= m->num)
			__builtin_trap();
		if ((m->uid_status == POP3_UID_OK) != (m->uid != NULL))
			__builtin_trap();
		if (m->uid != NULL && !pop3_uid_valid(m->uid, strlen(m->uid)))
			__builtin_trap();
	}
}

static void transaction(struct pop3 *p, uint8_t opts)
{
	struct pop3_maildrop md;
	struct pop3_fetch_item items[ITEMS_MAX];
	struct sink k = { .dele = opts & 1, .stop = opts & 2, .lf = opts & 16 };
	struct pop3_fetch_ops ops = { .ctx = &k, .begin = k_begin, .data = k_data,
				      .end = k_end };
	struct err e;
	struct buf top;
	size_t n = 0;

	err_init(&e);
	pop3_maildrop_init(&md);
	pop3_stat(p, &md, &e);
	pop3_list(p, &md, &e);
	pop3_uidl(p, &md, &e);
	check_error(&e);
	check_maildrop(&md);
	for (size_t i = 0; i < md.n && n < ITEMS_MAX; i++)
		items[n++] = (struct pop3_fetch_item){ .num = md.msgs[i].num,
						       .size = md.msgs[i].size };
	pop3_fetch(p, items, n, &ops, &e);
	check_error(&e);
	buf_init(&top, 4096);
	pop3_top(p, n > 0 ? items[0].num : 1, 0, &top, &e);
	buf_release(&top);
	if (opts & 4)
		pop3_dele_many(p, items, n, &e);
	if (opts & 8)
		pop3_rset(p, &e);
	pop3_noop(p, &e);
	check_error(&e);
	pop3_maildrop_release(&md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t flags = data[0], opts = data[1];
	struct stream s = { .p = (const char *)data + 2, .n = size - 2,
			    .tls = flags & 1, .plain_ok = flags & 4 };
	struct pop3_io io = { .ctx = &s, .read_line = s_read_line, .write = s_write,
			      .start_tls = s_start_tls, .is_tls = s_is_tls };
	struct pop3_settings set = {
		.status_line_max = 1000, .msg_line_max = 4096, .lines_max = 1000,
		.message_max = 1 << 20, .window = 1u + ((opts >> 5) & 3u) * 5u,
		.crlf_to_lf = opts & 16, .scram_iter_min = 1, .scram_iter_max = 64,
		.test_scram_nonce = "fuzznonce", .trace = session_trace,
	};
	struct pop3_login login = {
		.user = "fuzzuser", .secret = flags & 8 ? "fuzz.token-" PASSWORD : PASSWORD,
		.auth = (enum pop3_auth)((flags >> 4) % POP3_AUTH_COUNT),
		.token = flags & 8, .allow_plaintext = flags & 4,
		.host = "pop.example.org", .port = 995,
	};
	struct err e;

	err_init(&e);
	server_says_password = has(s.p, s.n, PASSWORD);
	struct pop3 *p = pop3_new(&io, &set);
	s.session = p;
	bool stls = flags & 2;
	int rc = pop3_open(p, stls, &e);
	if (rc == 0)
		rc = pop3_login(p, &login, &e);
	check_error(&e);
	if (rc == 0) {
		if (pop3_state(p) != POP3_STATE_TRANSACTION || (stls && !s.tls))
			__builtin_trap();
		transaction(p, opts);
	}
	enum pop3_state before = pop3_state(p);
	if (pop3_quit(p, &e) == 0 && before == POP3_STATE_ERROR)
		__builtin_trap();
	if (before == POP3_STATE_ERROR && pop3_state(p) != POP3_STATE_ERROR)
		__builtin_trap();
	check_error(&e);
#ifdef FUZZ_POP3_TRACE
	fprintf(stderr, "end: %s (%s)\n", pop3_state_name(pop3_state(p)), e.msg);
#endif
	pop3_free(&p);
	return 0;
}
