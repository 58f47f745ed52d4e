/* imap_private: the session object and what imap.c, imap_cmd.c and
 * imap_auth.c share.  Not for use outside src/proto/imap*.c. */
#ifndef TERN_IMAP_PRIVATE_H
#define TERN_IMAP_PRIVATE_H

#include "imap.h"

/* Literal bytes are read in pieces of this size. */
#define IMAP_READ_CHUNK ((size_t)64 * 1024)
/* A literal of at most this many bytes may be non-synchronising with
 * LITERAL- (RFC 7888 s5). */
#define IMAP_LITERAL_MINUS_MAX 4096
/* Strings longer than this go as literals rather than quoted. */
#define IMAP_QUOTED_MAX 1024
/* Bytes of one command's text (struct imap_cmd), literals included. */
#define IMAP_CMD_TEXT_MAX ((size_t)16 * 1024 * 1024)

/* A command in flight. */
struct imap_flight {
	unsigned tag;            /* 0: free slot */
	char verb[32];
	enum err_scope scope;
	bool done;               /* completed while another was waited for */
	enum imap_status status;
	char text[IMAP_QUOTE_MAX + 1]; /* its completion's text, sanitised */
};

struct imap {
	struct imap_io io;
	struct imap_settings set;
	enum imap_state state;
	struct imap_caps caps;
	struct imap_parser *parser;
	struct buf line;             /* the bytes last read */
	struct buf out;              /* a command being written; wiped */
	unsigned next_tag;
	struct imap_flight flight[IMAP_INFLIGHT_MAX];
	enum imap_auth auth_used;
	unsigned enabled;
	bool read_only;
	bool starttls_done;
	bool compressed;             /* COMPRESS DEFLATE is on */
	char bye[IMAP_QUOTE_MAX + 1]; /* the text of a BYE; "" if none */
	unsigned idle_tag;           /* the IDLE in progress, or 0 */
};

/* Sets IMAP_STATE_ERROR; returns -1 (e is already filled). */
int imap_broken(struct imap *p);
/* 0 if the state is in mask (1u << state), else -1 naming cmd. */
int imap_need_state(struct imap *p, unsigned mask, const char *cmd, struct err *e);
void imap_trace(struct imap *p, bool sent, const char *s, size_t n);
/* Reads one response (the parser's; valid until the next read). */
const struct imap_response *imap_read(struct imap *p, const char *cmd, struct err *e);
/* Appends the sanitised, shortened s to out. */
void imap_quote(const char *s, struct buf *out);
/* Writes p->out (wiping it afterwards when secret); the trace sees
 * shown (NULL: what was written, without its CRLF).  Nothing is written
 * outside the NOT_AUTH, AUTH and SELECTED states (after a BYE, or once
 * the session is unusable): -1 with e. */
int imap_write_out(struct imap *p, bool secret, const char *shown, struct err *e);
/* The error for a NO or BAD completion r of cmd. */
int imap_refused(const char *cmd, enum err_scope scope, const struct imap_response *r,
		 struct err *e);
/* Applies what the session itself handles in r (CAPABILITY, BYE). */
void imap_absorb(struct imap *p, const struct imap_response *r);

/* The command in flight with tag number tag (completed or not); the
 * one whose tag is text ("t12") and that has not completed yet (a second
 * completion is a protocol error); NULL if none. */
struct imap_flight *imap_flight_of(struct imap *p, unsigned tag);
struct imap_flight *imap_flight_named(struct imap *p, const char *text);
/* Appends SP and text (a secret: masked in the trace, wiped). */
void imap_cmd_secret_raw(struct imap_cmd *c, const char *text);
/* Records the tagged completion r of f, read while another command was
 * waited for.  Returns 0, or -1 (a protocol error, the session broken)
 * when r's tag is no command in flight. */
int imap_completed_early(struct imap *p, const struct imap_response *r, const char *cmd,
			 struct err *e);

#define IMAP_ST(s) (1u << (s))

#endif
