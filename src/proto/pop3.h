/* pop3: the client side of POP3 (RFC 1939) with CAPA and PIPELINING
 * (RFC 2449), STLS (RFC 2595) and SASL authentication (RFC 5034).
 *
 * Sans I/O: the session talks through struct pop3_io, which the POP3
 * backend fills with src/net/conn.h (conn_read_line, conn_write,
 * conn_start_tls, conn_is_tls) and the tests and the fuzzer fill with an
 * in-memory server.  Nothing here opens a socket, prints, or logs; the
 * trace callback of the settings sees each protocol line, secrets masked.
 *
 * The session has an explicit state (enum pop3_state); every command
 * checks it first, so that nothing is sent where RFC 1939 s3 forbids it
 * and nothing at all once the connection is unusable (POP3_STATE_ERROR:
 * after an I/O error, a malformed reply, a flood over a cap, a failed
 * STLS, or a server that failed to prove itself in SCRAM).  The caller
 * then closes the connection without QUIT: per RFC 1939 s6 nothing marked
 * deleted is removed unless QUIT is answered +OK.
 *
 * Replies: "+OK" and "-ERR" are recognised in any case (RFC 1939 s3 makes
 * servers send upper case; reading them leniently costs nothing), followed
 * by a space or the line end.  A line may end in CRLF or a bare LF.  A
 * status line (also a CAPA, LIST or UIDL line) may be at most
 * status_line_max bytes, a line of message text msg_line_max, an AUTH
 * challenge POP3_AUTH_LINE_MAX: past a cap the command fails and the
 * session goes to POP3_STATE_ERROR (the stream cannot be resynchronised).
 * Multi-line replies are dot-unstuffed and end at a line that is exactly
 * "." (RFC 1939 s3); a stream that ends before it is an error.
 *
 * TLS (SECURITY.md G3): pop3_stls() is only sent in the AUTHORIZATION
 * state on a plain connection; after its +OK io->start_tls() runs at
 * once (conn_start_tls refuses bytes that were buffered before the
 * handshake, CVE-2020-14954), then everything learnt before it (the
 * capabilities, the greeting's APOP timestamp) is forgotten and CAPA asked
 * again (RFC 2595 s4).  STLS not offered, refused, or failing puts the
 * session in POP3_STATE_ERROR: no login is possible afterwards, so no
 * credential is sent.  pop3_login() never uses a mechanism that reveals
 * the secret (USER/PASS, PLAIN, LOGIN, the OAuth tokens) on a connection
 * that is not TLS, unless the caller allows plaintext.
 *
 * Secrets: the password or token is copied only into buffers that are
 * wiped after use; it never appears in an error message nor in the
 * trace, which shows "PASS ***", "AUTH PLAIN ***", "APOP user ***" and
 * "***" for each SASL response.  (conn's own trace would see them
 * unmasked: use this one for the protocol log.)
 *
 * Errors: struct err with scope ERR_ACCOUNT for the connection, the
 * protocol and the login; ERR_MESSAGE for a problem of one message (a
 * RETR or DELE refused, a message over a size cap).  Whether the session
 * is still usable after any error is pop3_state()'s to say (a text that
 * runs past message_max, for one, leaves it unusable).  Messages name the command ("RETR 5") and quote the server's text
 * sanitised (SANITIZE_LINE) and shortened.  Codes: those of err.h, of
 * conn.h (passed through from io), of sasl.h, and the POP3_ERR_* below.
 * Callers put the account name in front (err_prefix). */
#ifndef TERN_POP3_H
#define TERN_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define POP3_ERR_REFUSED ((enum err_code)200)  /* -ERR to a command */
#define POP3_ERR_PROTOCOL ((enum err_code)201) /* a reply that is not POP3 */
#define POP3_ERR_TLS ((enum err_code)202)      /* STLS not offered, refused
						  or failed; or a login that
						  would reveal the secret
						  without TLS */
#define POP3_ERR_AUTH ((enum err_code)203)     /* the server refused the
						  login */
#define POP3_ERR_NO_MECH ((enum err_code)204)  /* no authentication
						  mechanism usable */
#define POP3_ERR_STATE ((enum err_code)205)    /* a command not valid in
						  this state, or the session
						  is unusable */
#define POP3_ERR_BUSY ((enum err_code)206)     /* [IN-USE], [LOGIN-DELAY]
						  or [SYS/TEMP] (RFC 2449 s8,
						  RFC 3206): try later */

/* Limits (struct pop3_settings; 0 there means these). */
#define POP3_STATUS_LINE_MAX 1000
#define POP3_MSG_LINE_MAX ((size_t)64 * 1024)
#define POP3_AUTH_LINE_MAX 8192
#define POP3_LINES_MAX 500000          /* lines of one LIST or UIDL */
#define POP3_CAPA_LINES_MAX 1000
#define POP3_MESSAGE_MAX ((uint64_t)256 * 1024 * 1024)
#define POP3_WINDOW 16                 /* pipelined commands outstanding */
#define POP3_UID_MAX 70                /* RFC 1939 s7 */
#define POP3_TIMESTAMP_MAX 255
#define POP3_SIZE_UNKNOWN UINT64_MAX

/* The transport.  read_line, write and is_tls are required. */
struct pop3_io {
	void *ctx;
	/* Reads the next line, its line end included, into line (replacing
	 * what it held).  A line longer than line->max is an error (ERR_LIMIT),
	 * and so is the end of the stream: with conn, set line_max to at
	 * least msg_line_max.  Returns 0, or -1 with e filled. */
	int (*read_line)(void *ctx, struct buf *line, struct err *e);
	/* Writes all of p[0..n).  Returns 0, or -1 with e filled. */
	int (*write)(void *ctx, const char *p, size_t n, struct err *e);
	/* Starts TLS in place (conn_start_tls).  NULL: STLS impossible. */
	int (*start_tls)(void *ctx, struct err *e);
	bool (*is_tls)(void *ctx);
};

struct pop3_settings {
	size_t status_line_max;  /* 0: POP3_STATUS_LINE_MAX */
	size_t msg_line_max;     /* 0: POP3_MSG_LINE_MAX */
	size_t lines_max;        /* 0: POP3_LINES_MAX */
	uint64_t message_max;    /* 0: POP3_MESSAGE_MAX */
	unsigned window;         /* 0: POP3_WINDOW (1 without PIPELINING) */
	bool crlf_to_lf;         /* message text with CRLF turned into LF;
				    default: the line ends as sent */
	unsigned long scram_iter_min, scram_iter_max; /* 0: sasl.h's */
	/* Sees each line sent (secrets masked) and each status, CAPA, LIST,
	 * UIDL and AUTH line received, without its line end; not the text
	 * of messages.  May be NULL. */
	void (*trace)(void *ctx, bool sent, const char *line, size_t len);
	void *trace_ctx;
	const char *test_scram_nonce; /* tests only: the SCRAM client nonce */
};

enum pop3_state {
	POP3_STATE_GREETING,          /* connected, greeting not yet read */
	POP3_STATE_AUTHORIZATION,     /* greeting read, connection not TLS */
	POP3_STATE_AUTHORIZATION_TLS, /* greeting read, TLS (implicit or STLS) */
	POP3_STATE_TRANSACTION,       /* logged in */
	POP3_STATE_UPDATE,            /* QUIT answered +OK: deletions done */
	POP3_STATE_CLOSED,            /* QUIT answered -ERR, or sent unanswered */
	POP3_STATE_ERROR,             /* unusable: close without QUIT */
	POP3_STATE_COUNT,
};

const char *pop3_state_name(enum pop3_state st);

struct pop3_caps {
	bool known;          /* CAPA was answered +OK */
	bool stls, uidl, top, user, pipelining, resp_codes, auth_resp_code;
	bool apop;           /* the greeting had a well-formed timestamp */
	unsigned sasl;       /* 1u << enum sasl_mech, for each offered */
};

/* Ways to log in; POP3_AUTH_AUTO picks the strongest usable one:
 * SCRAM-SHA-256 > SCRAM-SHA-1 > CRAM-MD5 > PLAIN > LOGIN > APOP > USER,
 * or with a token OAUTHBEARER > XOAUTH2. */
enum pop3_auth {
	POP3_AUTH_AUTO = 0,
	POP3_AUTH_SCRAM_SHA_256,
	POP3_AUTH_SCRAM_SHA_1,
	POP3_AUTH_CRAM_MD5,
	POP3_AUTH_PLAIN,
	POP3_AUTH_LOGIN,
	POP3_AUTH_APOP,
	POP3_AUTH_USER,         /* USER/PASS */
	POP3_AUTH_OAUTHBEARER,
	POP3_AUTH_XOAUTH2,
	POP3_AUTH_COUNT,
};

/* The configuration name: "auto", "scram-sha-256", "scram-sha-1",
 * "cram-md5", "plain", "login", "apop", "user", "oauthbearer",
 * "xoauth2". */
const char *pop3_auth_name(enum pop3_auth a);
/* Parses such a name (ASCII case-insensitive).  Returns 0, or -1. */
int pop3_auth_from_name(const char *name, enum pop3_auth *a_r);

struct pop3_login {
	const char *user;
	const char *secret;      /* the password, or the OAuth bearer token */
	enum pop3_auth auth;     /* a forced mechanism, or POP3_AUTH_AUTO */
	bool token;              /* secret is a bearer token: only OAUTHBEARER
				    and XOAUTH2 are used */
	bool allow_plaintext;    /* the secret may go out without TLS */
	const char *host;        /* for OAUTHBEARER's host= (may be NULL) */
	unsigned port;           /* for OAUTHBEARER's port= (0: left out) */
};

struct pop3;

/* A session over io (copied), in POP3_STATE_GREETING.  settings may be
 * NULL for the defaults; it is copied. */
struct pop3 *pop3_new(const struct pop3_io *io, const struct pop3_settings *s);
/* Frees the session (sends nothing; the caller closes io); sets *p NULL. */
void pop3_free(struct pop3 **p);

enum pop3_state pop3_state(const struct pop3 *p);
const struct pop3_caps *pop3_caps(const struct pop3 *p);
/* The mechanism the login used (POP3_AUTH_AUTO before a login). */
enum pop3_auth pop3_auth_used(const struct pop3 *p);
/* Messages DELE'd (+OK) since login or the last RSET: the server removes
 * them only if QUIT is answered +OK (RFC 1939 s6). */
unsigned long pop3_marked_deleted(const struct pop3 *p);

/* Reads the greeting; "+OK" required (RFC 1939 s4), anything else puts the
 * session in POP3_STATE_ERROR.  An APOP timestamp is kept if it is one
 * "<...@...>" of printable ASCII, at most POP3_TIMESTAMP_MAX bytes. */
int pop3_greeting(struct pop3 *p, struct err *e);
/* CAPA (RFC 2449 s5).  -ERR is not an error: caps.known stays false. */
int pop3_capa(struct pop3 *p, struct err *e);
/* STLS (RFC 2595 s4), mandatory once called (see above). */
int pop3_stls(struct pop3 *p, struct err *e);
/* pop3_greeting(), pop3_capa(), and with stls (on a plain connection)
 * pop3_stls(), which asks CAPA again. */
int pop3_open(struct pop3 *p, bool stls, struct err *e);

/* Authenticates (AUTHORIZATION states) and asks CAPA again (RFC 2449 s5:
 * capabilities may differ after login).  With POP3_AUTH_AUTO, a
 * mechanism the server refuses before any proof of the secret was sent
 * is followed by the next one; a refusal of the secret itself, an
 * [IN-USE]/[LOGIN-DELAY]/[SYS/...] code, or a SCRAM server that cannot
 * prove itself (SASL_ERR_SERVER_PROOF, session then in POP3_STATE_ERROR)
 * ends it.  A forced mechanism the server does not list is refused when
 * CAPA was answered, tried when it was not. */
int pop3_login(struct pop3 *p, const struct pop3_login *l, struct err *e);

/* ---- the maildrop (TRANSACTION state) ---- */

enum pop3_uid_status {
	POP3_UID_NONE,  /* no UIDL line for this message (or no UIDL yet) */
	POP3_UID_OK,
	POP3_UID_BAD,   /* empty, over 70 bytes, or outside 0x21..0x7E */
	POP3_UID_DUP,   /* the same unique-id on several messages: none of
			   them may be identified by it */
};

struct pop3_msginfo {
	unsigned long num;
	uint64_t size;                  /* LIST's, or POP3_SIZE_UNKNOWN */
	char *uid;                      /* only when POP3_UID_OK, else NULL */
	enum pop3_uid_status uid_status;
};

struct pop3_maildrop {
	struct pop3_msginfo *msgs;      /* ascending message numbers */
	size_t n;
	bool have_stat, have_list, have_uidl;
	unsigned long stat_count;
	uint64_t stat_size;
	bool list_stat_mismatch;        /* LIST's count differs from STAT's */
	size_t uid_bad, uid_dup, uid_none; /* after UIDL: messages by status */
};

void pop3_maildrop_init(struct pop3_maildrop *md);
void pop3_maildrop_release(struct pop3_maildrop *md);
const struct pop3_msginfo *pop3_maildrop_find(const struct pop3_maildrop *md,
					      unsigned long num);

/* STAT into md->stat_*. */
int pop3_stat(struct pop3 *p, struct pop3_maildrop *md, struct err *e);
/* LIST and UIDL (all messages) merged into md by message number; at most
 * lines_max lines.  A malformed line, or a message number listed twice,
 * fails the command (the reply is still read to its end, so the session
 * stays usable).  Both are sent whatever CAPA said (the caller may check
 * caps.uidl first); -ERR fails the command, scope ERR_ACCOUNT.  Bad and duplicate unique-ids are counted and marked, never kept. */
int pop3_list(struct pop3 *p, struct pop3_maildrop *md, struct err *e);
int pop3_uidl(struct pop3 *p, struct pop3_maildrop *md, struct err *e);

/* ---- messages ---- */

enum pop3_item_result {
	POP3_ITEM_PENDING,   /* not (yet) retrieved */
	POP3_ITEM_OK,        /* retrieved whole, end() called */
	POP3_ITEM_REFUSED,   /* the server answered -ERR */
	POP3_ITEM_TOO_BIG,   /* LIST's size is over message_max: not asked */
	POP3_ITEM_DROPPED,   /* read and thrown away after the caller
				stopped the fetch (in the message it
				stopped in, or in one already asked for) */
};

struct pop3_fetch_item {
	unsigned long num;        /* in */
	uint64_t size;            /* in: LIST's size, or POP3_SIZE_UNKNOWN */
	enum pop3_item_result result;
	uint64_t received;        /* octets of text as sent, after unstuffing */
	bool size_mismatch;       /* received does not match size, even
				     counting each line end as one or two */
	bool deleted;             /* DELE answered +OK */
};

#define POP3_FETCH_DELE 1

/* The caller's side of pop3_fetch().  For each item in turn: begin(),
 * data() any number of times with whole lines (unstuffed; line ends as
 * sent, or LF with crlf_to_lf), then end() once the terminating "." was
 * read: only then is the text complete.  If pop3_fetch() returns after
 * begin() without end(), the text was cut off and must be thrown away.
 * A -ERR to RETR, or a size over message_max, calls failed() instead
 * (scope ERR_MESSAGE) and the fetch goes on.
 * begin, data and end return 0, or -1 with e filled to stop the fetch:
 * the replies already asked for are then read and thrown away (so the
 * session stays usable, e.g. for RSET) and pop3_fetch() returns -1 with
 * the caller's e.  end() may instead return POP3_FETCH_DELE: DELE is then
 * sent for that message (never before end() returned, so after whatever
 * end() made durable), and its result lands in item->deleted.
 * Any of the four may be NULL. */
struct pop3_fetch_ops {
	void *ctx;
	int (*begin)(void *ctx, struct pop3_fetch_item *it, struct err *e);
	int (*data)(void *ctx, struct pop3_fetch_item *it, const char *p,
		    size_t n, struct err *e);
	int (*end)(void *ctx, struct pop3_fetch_item *it, struct err *e);
	void (*failed)(void *ctx, struct pop3_fetch_item *it,
		       const struct err *why);
};

/* RETR of items[0..n) in order.  With PIPELINING (RFC 2449 s6.6) up to
 * `window` commands are outstanding: the window is topped up, in one
 * write, each time it is half empty; without it, one at a time.  Replies
 * are matched to commands in order.  A text longer than message_max, or
 * a broken stream, is an error that leaves the session unusable.
 * Returns 0 when every item was handled (see each item's result), -1 on
 * a stop by the caller (session usable) or an error (see pop3_state). */
int pop3_fetch(struct pop3 *p, struct pop3_fetch_item *items, size_t n,
	       const struct pop3_fetch_ops *ops, struct err *e);

/* RETR of one message into out (which must be empty; its maximum also
 * bounds the text: over it, the rest is thrown away and the call fails
 * with ERR_LIMIT, scope ERR_MESSAGE).  it->num and it->size are in. */
int pop3_retr_buf(struct pop3 *p, struct pop3_fetch_item *it, struct buf *out,
		  struct err *e);
/* TOP num lines (RFC 1939 s7; lines 0: the header only) into out, as
 * pop3_retr_buf. */
int pop3_top(struct pop3 *p, unsigned long num, unsigned long lines,
	     struct buf *out, struct err *e);

/* DELE of one message; -ERR is scope ERR_MESSAGE, POP3_ERR_REFUSED. */
int pop3_dele(struct pop3 *p, unsigned long num, struct err *e);
/* DELE of items[0..n), pipelined as pop3_fetch; each item's deleted says
 * whether the server accepted (the other fields are left as they are).
 * Returns 0 unless the session broke. */
int pop3_dele_many(struct pop3 *p, struct pop3_fetch_item *items, size_t n,
		   struct err *e);
/* RSET: unmarks every DELE (RFC 1939 s5). */
int pop3_rset(struct pop3 *p, struct err *e);
int pop3_noop(struct pop3 *p, struct err *e);
/* QUIT.  In TRANSACTION, +OK means the marked messages are gone
 * (POP3_STATE_UPDATE); -ERR means some may not be (RFC 1939 s6), an
 * error.  Not sent in POP3_STATE_ERROR (returns -1). */
int pop3_quit(struct pop3 *p, struct err *e);

/* ---- pure pieces, exposed for tests and fuzzing ---- */

enum pop3_status {
	POP3_STATUS_OK,
	POP3_STATUS_ERR,
	POP3_STATUS_CONT,   /* "+ " challenge (RFC 5034 s4), if allowed */
	POP3_STATUS_BAD,
};

#define POP3_CODE_MAX 63

struct pop3_reply {
	enum pop3_status status;
	const char *text;      /* after the status and one space, line end
				  removed (points into the line) */
	size_t text_len;
	char code[POP3_CODE_MAX + 1]; /* a leading "[CODE/...]" (RFC 2449 s8),
					 or "" */
};

/* Parses a status line line[0..len) (line end included or not). */
void pop3_parse_status(const char *line, size_t len, bool cont_ok,
		       struct pop3_reply *r);

enum pop3_ml_line {
	POP3_ML_DATA,   /* a line of the reply: drop *skip_r leading bytes */
	POP3_ML_END,    /* the terminating "." line */
};
/* Classifies a line of a multi-line reply (RFC 1939 s3). */
enum pop3_ml_line pop3_ml_classify(const char *line, size_t len,
				   size_t *skip_r);

/* Whether s[0..len) is a valid unique-id: 1..70 bytes in 0x21..0x7E. */
bool pop3_uid_valid(const char *s, size_t len);

/* Extracts the APOP timestamp from a greeting line into out (size >=
 * POP3_TIMESTAMP_MAX + 1).  Returns 0, or -1 if there is none or it is
 * not exactly one "<local@domain>" of printable ASCII. */
int pop3_greeting_timestamp(const char *line, size_t len, char *out,
			    size_t outsize);

/* hex(MD5(timestamp secret)) (RFC 1939 s7), 32 digits and a NUL. */
int pop3_apop_digest(const char *timestamp, const char *secret,
		     char hex[33]);

#endif
