/* imap: the client side of an IMAP session -- IMAP4rev2 (RFC 9051) and
 * IMAP4rev1 (RFC 3501) -- the connection's state, capabilities, STARTTLS,
 * login, and commands with their tags.
 *
 * Sans I/O, like pop3.h: the session talks through struct imap_io, which
 * the IMAP backend fills with src/net/conn.h and the tests and the fuzzer
 * with an in-memory server.  Nothing here opens a socket, prints or logs;
 * the trace callback of the settings sees each line sent (secrets masked)
 * and each line received (without literal contents).
 *
 * Responses are read with imap_parser.h; what untagged data means
 * (EXISTS, FETCH, LIST, response codes...) is for the caller, which gets
 * every untagged response through an imap_untagged_fn while it waits for
 * a command.  The session itself applies CAPABILITY (the untagged
 * response, and the [CAPABILITY] code of the greeting and of a login's
 * OK) and BYE.
 *
 * State (RFC 9051 s3) is explicit, and every command checks it first:
 * nothing is sent where the RFC forbids it, and nothing at all once the
 * session is unusable (IMAP_STATE_ERROR: an I/O error, a malformed or
 * over-sized response, a tagged response with a tag we never sent, a
 * failed STARTTLS, a SCRAM server that could not prove itself), nor
 * after the server's BYE (IMAP_STATE_LOGOUT), not even the rest of a
 * command waiting for "+".  The caller then closes the connection.
 *
 * TLS (SECURITY.md G3): with starttls, STARTTLS is mandatory.  A server
 * that does not offer it, refuses it, or fails its handshake ends the
 * session before any credential is sent; the connection layer refuses
 * bytes received before the handshake (CVE-2020-14954), and capabilities
 * learnt before it are forgotten and asked again (RFC 9051 s6.2.1).  A
 * PREAUTH greeting on a connection that needed STARTTLS is refused (the
 * server would skip the upgrade: CVE-2020-12398's class).  imap_login()
 * never uses a mechanism that reveals the secret (LOGIN, PLAIN, the LOGIN
 * SASL mechanism, the OAuth tokens) on a connection that is not TLS,
 * unless plaintext is allowed; LOGINDISABLED is respected.
 *
 * Commands: struct imap_cmd builds one; strings become atoms, quoted
 * strings or literals as their bytes require (RFC 9051 s4.3), literals
 * non-synchronising with LITERAL+ (or LITERAL- up to 4096 bytes, RFC
 * 7888), else sent after the server's "+".  Tags are "t1", "t2"...; a
 * tagged response whose tag is not in flight is a protocol error.
 * Several commands may be in flight (imap_send, then imap_wait), as RFC
 * 9051 s5.5 allows for commands that do not depend on each other.
 *
 * Errors: struct err; scope ERR_ACCOUNT for the connection, the protocol
 * and the login, else the command's own scope (ERR_FOLDER by default).
 * Messages name the command and quote the server's text sanitised and
 * shortened.  Codes: those of err.h, of conn.h (from io), of sasl.h and
 * the IMAP_ERR_* below. */
#ifndef TERN_IMAP_H
#define TERN_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "imap_parser.h"

#define IMAP_ERR_NO ((enum err_code)220)       /* NO to a command */
#define IMAP_ERR_BAD ((enum err_code)221)      /* BAD to a command */
#define IMAP_ERR_PROTOCOL ((enum err_code)222) /* not IMAP, or a wrong tag */
#define IMAP_ERR_TLS ((enum err_code)223)      /* STARTTLS impossible or
						  failed; PREAUTH before it; a
						  login that would reveal the
						  secret without TLS */
#define IMAP_ERR_AUTH ((enum err_code)224)     /* the login was refused */
#define IMAP_ERR_NO_MECH ((enum err_code)225)  /* no usable login mechanism */
#define IMAP_ERR_STATE ((enum err_code)226)    /* not allowed in this state,
						  or the session is unusable */
#define IMAP_ERR_BYE ((enum err_code)227)      /* the server ended the session */

#define IMAP_INFLIGHT_MAX 32    /* commands in flight at once */
#define IMAP_QUOTE_MAX 160      /* server text quoted in an error */
#define IMAP_AUTH_ROUNDS_MAX 8  /* SASL challenges before we cancel */

/* The transport.  read_line, read_exact and write are required. */
struct imap_io {
	void *ctx;
	/* Reads the next line, its line end included, into line (replacing
	 * what it held).  Returns 0, or -1 with e (a line longer than
	 * line->max is ERR_LIMIT, the end of the stream an error too). */
	int (*read_line)(void *ctx, struct buf *line, struct err *e);
	/* Reads exactly n bytes into out (replacing what it held). */
	int (*read_exact)(void *ctx, size_t n, struct buf *out, struct err *e);
	int (*write)(void *ctx, const char *p, size_t n, struct err *e);
	/* Starts TLS in place (conn_start_tls).  NULL: STARTTLS impossible. */
	int (*start_tls)(void *ctx, struct err *e);
	bool (*is_tls)(void *ctx);
	/* Compresses both ways from the next byte on, the bytes already
	 * received after the last line read included (conn_start_deflate).
	 * NULL: COMPRESS impossible. */
	int (*start_deflate)(void *ctx, struct err *e);
};

struct imap_settings {
	struct imap_parser_limits lim;  /* 0s: imap_parser.h's defaults */
	unsigned long scram_iter_min, scram_iter_max; /* 0: sasl.h's */
	/* Sees each line sent (secrets masked) and each line received,
	 * without its line end and without literal bytes.  May be NULL. */
	void (*trace)(void *ctx, bool sent, const char *line, size_t len);
	void *trace_ctx;
	const char *test_scram_nonce;   /* tests only */
};

enum imap_state {
	IMAP_STATE_GREETING,       /* connected, greeting not read yet */
	IMAP_STATE_NOT_AUTH,       /* RFC 9051 s3.1 */
	IMAP_STATE_AUTH,           /* s3.2 */
	IMAP_STATE_SELECTED,       /* s3.3 */
	IMAP_STATE_LOGOUT,         /* s3.4: BYE received, or LOGOUT sent */
	IMAP_STATE_ERROR,          /* unusable */
	IMAP_STATE_COUNT,
};

const char *imap_state_name(enum imap_state st);

/* Capabilities (RFC 9051 s7.2.2 and the extensions tern uses). */
enum imap_cap {
	IMAP_CAP_IMAP4REV1 = 1u << 0,
	IMAP_CAP_IMAP4REV2 = 1u << 1,
	IMAP_CAP_STARTTLS = 1u << 2,
	IMAP_CAP_LOGINDISABLED = 1u << 3,
	IMAP_CAP_SASL_IR = 1u << 4,      /* RFC 4959 */
	IMAP_CAP_LITERAL_PLUS = 1u << 5, /* RFC 7888 */
	IMAP_CAP_LITERAL_MINUS = 1u << 6,
	IMAP_CAP_ID = 1u << 7,           /* RFC 2971 */
	IMAP_CAP_ENABLE = 1u << 8,       /* RFC 5161 */
	IMAP_CAP_CONDSTORE = 1u << 9,    /* RFC 7162 */
	IMAP_CAP_QRESYNC = 1u << 10,
	IMAP_CAP_UTF8_ACCEPT = 1u << 11, /* RFC 6855 */
	IMAP_CAP_NAMESPACE = 1u << 12,   /* RFC 2342 */
	IMAP_CAP_UIDPLUS = 1u << 13,     /* RFC 4315 */
	IMAP_CAP_MOVE = 1u << 14,        /* RFC 6851 */
	IMAP_CAP_SPECIAL_USE = 1u << 15, /* RFC 6154 */
	IMAP_CAP_LIST_STATUS = 1u << 16, /* RFC 5819 */
	IMAP_CAP_LIST_EXTENDED = 1u << 17, /* RFC 5258 */
	IMAP_CAP_CHILDREN = 1u << 18,    /* RFC 3348 */
	IMAP_CAP_IDLE = 1u << 19,        /* RFC 2177 */
	IMAP_CAP_COMPRESS_DEFLATE = 1u << 20, /* RFC 4978 */
	IMAP_CAP_ESEARCH = 1u << 21,     /* RFC 4731 */
	IMAP_CAP_UNSELECT = 1u << 22,    /* RFC 3691 */
	IMAP_CAP_BINARY = 1u << 23,      /* RFC 3516 */
};

struct imap_caps {
	bool known;        /* a CAPABILITY list was seen since the last reset */
	unsigned bits;     /* enum imap_cap */
	unsigned sasl;     /* 1u << enum sasl_mech, for each AUTH= offered */
};

/* Sets caps from a CAPABILITY list: the words of "* CAPABILITY ..."
 * after its name, or the arguments of a [CAPABILITY ...] code. */
void imap_caps_parse(struct imap_caps *caps, const struct imap_arg *args, size_t n);

/* Ways to log in; IMAP_AUTH_AUTO picks the strongest usable one:
 * SCRAM-SHA-256 > SCRAM-SHA-1 > CRAM-MD5 > PLAIN > LOGIN (SASL) > the
 * LOGIN command, or with a token OAUTHBEARER > XOAUTH2. */
enum imap_auth {
	IMAP_AUTH_AUTO = 0,
	IMAP_AUTH_SCRAM_SHA_256,
	IMAP_AUTH_SCRAM_SHA_1,
	IMAP_AUTH_CRAM_MD5,
	IMAP_AUTH_PLAIN,
	IMAP_AUTH_LOGIN,        /* AUTHENTICATE LOGIN */
	IMAP_AUTH_USER,         /* the LOGIN command (RFC 9051 s6.2.3) */
	IMAP_AUTH_OAUTHBEARER,
	IMAP_AUTH_XOAUTH2,
	IMAP_AUTH_COUNT,
};

/* The configuration names of pop3.h ("user" is the LOGIN command; "apop"
 * does not exist here).  Returns 0, or -1. */
int imap_auth_from_name(const char *name, enum imap_auth *a_r);
const char *imap_auth_name(enum imap_auth a);

struct imap_login {
	const char *user;
	const char *secret;      /* the password, or the OAuth bearer token */
	enum imap_auth auth;     /* a forced mechanism, or IMAP_AUTH_AUTO */
	bool token;              /* secret is a bearer token */
	bool allow_plaintext;    /* the secret may go out without TLS */
	const char *host;        /* for OAUTHBEARER (may be NULL) */
	unsigned port;
};

struct imap;

/* A session over io (copied), in IMAP_STATE_GREETING; settings may be
 * NULL (copied). */
struct imap *imap_new(const struct imap_io *io, const struct imap_settings *s);
void imap_free(struct imap **p);

enum imap_state imap_state(const struct imap *p);
const struct imap_caps *imap_caps(const struct imap *p);
bool imap_has(const struct imap *p, unsigned cap_bits);
enum imap_auth imap_auth_used(const struct imap *p);
/* Extensions ENABLEd (IMAP_CAP_CONDSTORE, _QRESYNC, _UTF8_ACCEPT,
 * _IMAP4REV2 bits), and whether the session is IMAP4rev2: ENABLEd, or
 * a server that offers IMAP4rev2 but not IMAP4rev1 (RFC 9051 s7.2.2). */
unsigned imap_enabled(const struct imap *p);
/* Whether folder names and quoted strings are UTF-8 on this session
 * (IMAP4rev2 or UTF8=ACCEPT enabled): else modified UTF-7. */
bool imap_utf8(const struct imap *p);
/* The selected folder was opened read-only (EXAMINE, or [READ-ONLY]). */
bool imap_read_only(const struct imap *p);

/* Called with every untagged response read while a command runs, and
 * with the tagged completion of the command waited for (r->kind
 * IMAP_RESP_TAGGED, any status).  Returns 0, or -1 with e to make the
 * wait fail (the session then still reads to the completion, unless e's
 * scope is ERR_ACCOUNT). */
typedef int (*imap_untagged_fn)(void *ctx, const struct imap_response *r, struct err *e);

/* Reads the greeting (OK, PREAUTH or BYE), the capabilities (from its
 * code or CAPABILITY), and with starttls runs STARTTLS and asks for the
 * capabilities again.  A greeting that does not parse is
 * IMAP_ERR_PROTOCOL.  On any failure the session is left in
 * IMAP_STATE_ERROR: nothing more can be sent on it. */
int imap_open(struct imap *p, bool starttls, struct err *e);
/* Logs in (NOT_AUTH state) and learns the capabilities again (the OK's
 * code, else CAPABILITY).  With IMAP_AUTH_AUTO, a mechanism the server
 * refuses (NO) before any proof of the secret was sent is followed by the
 * next one; a refused secret ends it (IMAP_ERR_AUTH). */
int imap_login(struct imap *p, const struct imap_login *l, struct err *e);
/* ENABLE (RFC 5161) of those of CONDSTORE, QRESYNC, UTF8=ACCEPT and
 * IMAP4rev2 in want that the server offers; nothing sent when none, or
 * when the server offers neither ENABLE nor IMAP4rev2 (of which ENABLE
 * is part, RFC 9051 s6.3.1).  Only what was asked for and named in the
 * ENABLED response counts as enabled. */
int imap_enable(struct imap *p, unsigned want, struct err *e);
/* COMPRESS DEFLATE (RFC 4978) when the server offers COMPRESS=DEFLATE,
 * io can start deflate and the session is not compressed yet: after the
 * tagged OK, io->start_deflate() compresses both ways.  Nothing is sent
 * otherwise (0), nor on a second call.  Only in the AUTH and SELECTED
 * states (s5: command-auth; IMAP_ERR_STATE otherwise) and with no other
 * command in flight (IDLE is ended first, as by any command).
 * A NO (e.g. [COMPRESSIONACTIVE]) or BAD leaves the session as it was,
 * uncompressed and usable: 0 too.  -1 only when the session is unusable. */
int imap_compress(struct imap *p, struct err *e);
bool imap_compressed(const struct imap *p);
/* LOGOUT (sent, its BYE and OK read); the session ends in LOGOUT. */
int imap_logout(struct imap *p, struct err *e);

/* ---- commands ---- */

struct imap_cmd {
	const struct imap *p;
	char verb[32];           /* "UID FETCH", for messages and the trace */
	enum err_scope scope;    /* of a NO or BAD; default ERR_FOLDER */
	struct buf text;         /* after the tag, without CRLF */
	struct buf shown;        /* the same with secrets masked */
	size_t sync[8];          /* offsets in text after each "{n}\r\n"
				    that must wait for "+" */
	size_t n_sync;
	bool secret;             /* text holds a secret: wiped */
	bool error;              /* a piece could not be added */
	bool glue;               /* the next piece follows "(" without a space */
};

/* verb: the command name, sent as is (e.g. "SELECT", "UID STORE"). */
void imap_cmd_init(struct imap_cmd *c, const struct imap *p, const char *verb);
void imap_cmd_release(struct imap_cmd *c);
/* Appends SP and text, which the caller built from atoms, numbers,
 * sequence sets and lists: no CR, LF, NUL or 8-bit byte (else the command
 * is marked bad and imap_send refuses it). */
void imap_cmd_raw(struct imap_cmd *c, const char *text);
/* Appends SP and the string s[0..n) as an astring: an atom when it can
 * be, else quoted, else a literal (CR, LF, NUL, 8-bit on a session that
 * is not UTF-8, or long).  secret: masked in the trace, wiped after. */
void imap_cmd_string(struct imap_cmd *c, const char *s, size_t n, bool secret);
/* Same, always quoted or literal (a string, never an atom: e.g. search
 * keys, where an atom could be read as a keyword). */
void imap_cmd_qstring(struct imap_cmd *c, const char *s, size_t n, bool secret);

/* A parenthesised list of the pieces added in between (search keys):
 * " (" then the pieces, the first without its leading space, then ")". */
void imap_cmd_list_begin(struct imap_cmd *c);
void imap_cmd_list_end(struct imap_cmd *c);

/* Sends c and returns its tag number in *tag_r; responses read while a
 * synchronising literal waits for "+" go to fn.  The command then waits
 * for imap_wait().  At most IMAP_INFLIGHT_MAX in flight.  A NO or BAD
 * instead of "+" fails the command (the session goes on); an OK instead
 * is IMAP_ERR_PROTOCOL (the server would read the literal as a command). */
int imap_send(struct imap *p, const struct imap_cmd *c, imap_untagged_fn fn, void *ctx,
	      unsigned *tag_r, struct err *e);
/* Reads responses until command tag completes; untagged ones (and the
 * completion) go to fn (may be NULL).  Returns 0 for OK; -1 with e for
 * NO (IMAP_ERR_NO) or BAD (IMAP_ERR_BAD), with c's scope, or a failure. */
int imap_wait(struct imap *p, unsigned tag, imap_untagged_fn fn, void *ctx, struct err *e);
/* imap_send + imap_wait. */
int imap_run(struct imap *p, const struct imap_cmd *c, imap_untagged_fn fn, void *ctx,
	     struct err *e);
/* A command of verb and the raw text args (NULL for none). */
int imap_simple(struct imap *p, const char *verb, const char *args, imap_untagged_fn fn,
		void *ctx, struct err *e);

/* ---- IDLE (RFC 2177) ----
 *
 * imap_idle_start() sends IDLE and waits for the server's "+" (untagged
 * data before it goes to fn); from then on the server may push untagged
 * data at any time: when the connection is readable, imap_idle_read()
 * takes one response (to fn).  imap_idle_done() sends DONE and reads to
 * IDLE's completion.  Any command sent while idling sends DONE first
 * (imap_send does it, its fn getting what comes before the completion).
 * A server that refuses IDLE (NO, BAD) leaves the session as it was. */
int imap_idle_start(struct imap *p, imap_untagged_fn fn, void *ctx, struct err *e);
int imap_idle_read(struct imap *p, imap_untagged_fn fn, void *ctx, struct err *e);
int imap_idle_done(struct imap *p, imap_untagged_fn fn, void *ctx, struct err *e);
bool imap_idling(const struct imap *p);

/* Marks the session as having a folder selected (after SELECT/EXAMINE
 * succeeded) or none (after CLOSE/UNSELECT, or a failed SELECT). */
void imap_set_selected(struct imap *p, bool selected, bool read_only);

#endif
