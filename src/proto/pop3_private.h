/* pop3_private: the session object and the helpers the pop3_*.c files
 * share.  Not for use outside src/proto/pop3*.c. */
#ifndef TERN_POP3_PRIVATE_H
#define TERN_POP3_PRIVATE_H

#include "pop3.h"

/* Server text quoted in an error message is cut to this many bytes. */
#define POP3_QUOTE_MAX 160
/* Message text is handed to data() in pieces of about this size. */
#define POP3_CHUNK 32768

#define POP3_ST(s) (1u << (s))
#define POP3_ST_AUTH (POP3_ST(POP3_STATE_AUTHORIZATION) | \
		      POP3_ST(POP3_STATE_AUTHORIZATION_TLS))
#define POP3_ST_TRANS POP3_ST(POP3_STATE_TRANSACTION)

struct pop3 {
	struct pop3_io io;
	struct pop3_settings set;     /* defaults filled in */
	enum pop3_state state;
	struct pop3_caps caps;
	enum pop3_auth auth_used;
	unsigned long marked_deleted;
	char timestamp[POP3_TIMESTAMP_MAX + 1]; /* APOP; "" if none */
	struct buf line;              /* the line last read */
	struct buf out;               /* commands not yet written; wiped
					 after it held a secret */
	struct buf chunk;             /* message text gathered for data() */
};

/* Sets POP3_STATE_ERROR; returns -1 (e is already filled). */
int pop3_broken(struct pop3 *p);
/* 0 if the state is in mask, else -1 with an error naming cmd. */
int pop3_need_state(struct pop3 *p, unsigned mask, const char *cmd,
		    struct err *e);
void pop3_trace(struct pop3 *p, bool sent, const char *s, size_t n);

/* Adds "cmd CRLF" to p->out; the trace sees shown (NULL: cmd itself).
 * cmd must not contain CR, LF or NUL (checked: -1, nothing queued). */
int pop3_queue(struct pop3 *p, const char *cmd, size_t len, const char *shown,
	       struct err *e);
/* Writes p->out and empties it (wiping it when secret). */
int pop3_flush(struct pop3 *p, bool secret, struct err *e);
/* pop3_queue + pop3_flush of a command without secrets. */
int pop3_send(struct pop3 *p, const char *cmd, struct err *e);

/* Reads a line of at most max bytes into p->line.  Any failure puts the
 * session in POP3_STATE_ERROR, with the error naming cmd. */
int pop3_read(struct pop3 *p, size_t max, const char *cmd, struct err *e);
/* Reads and parses a status line (max bytes); a malformed one is a
 * protocol error (POP3_STATE_ERROR). */
int pop3_read_status(struct pop3 *p, const char *cmd, bool cont_ok,
		     size_t max, struct pop3_reply *r, struct err *e);
/* The error for a -ERR reply r to cmd: returns -1.  A busy code
 * ([IN-USE], [LOGIN-DELAY], [SYS/TEMP]) makes the code POP3_ERR_BUSY. */
int pop3_refused(const char *cmd, const struct pop3_reply *r,
		 enum err_scope scope, enum err_code code, struct err *e);
/* Sends cmd and reads its status: 0 for +OK, -1 for -ERR (scope as
 * given, POP3_ERR_REFUSED) or a failure. */
int pop3_simple(struct pop3 *p, const char *cmd, enum err_scope scope,
		struct pop3_reply *r, struct err *e);
/* Reads the next line of a multi-line reply (at most max bytes): *end_r
 * at the terminating ".", else the line is p->line.data + *skip_r. */
int pop3_ml_next(struct pop3 *p, size_t max, const char *cmd, size_t *skip_r,
		 bool *end_r, struct err *e);
/* Appends the sanitised, shortened s[0..n) to out. */
void pop3_quote(const char *s, size_t n, struct buf *out);

#endif
