/* conn_private.h: what conn.c (TCP, buffering, lifecycle), conn_tls.c
 * (OpenSSL) and conn_deflate.c (zlib, RFC 4978) share.  Not for use
 * outside src/net. */
#ifndef TERN_CONN_PRIVATE_H
#define TERN_CONN_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "conn.h"
#include "err.h"

#define CONN_HOST_MAX 253

struct conn_zip;

struct conn {
	int fd;
	unsigned port;
	char *host;     /* as configured: resolved, and the TLS reference id */
	char label[CONN_HOST_MAX + 16]; /* "host:port" for messages */
	int connect_ms, tls_ms, read_ms, write_ms;
	size_t line_max;
	char *ca_file;
	char pin[65];   /* "" when no certificate is pinned */
	void (*trace)(void *ctx, bool sent, const char *line, size_t len);
	void *trace_ctx;

	/* Bytes received and not yet returned: in[start..end).  A LF is
	 * looked for from scan on (start <= scan <= end), so a line arriving
	 * in pieces is not searched again from its start. */
	char *in;
	size_t in_cap, in_max, in_start, in_end, in_scan;

	SSL_CTX *ctx;
	SSL *ssl;       /* set once the handshake begins */
	BIO_METHOD *bio_method;
	bool tls_up;    /* handshake finished and the certificate accepted */
	bool eof;       /* the socket reported end of file (under TLS) */
	int sys_errno;  /* last failure of the socket under TLS */

	/* Set by conn_start_deflate(): from then on the receive buffer holds
	 * inflated bytes, and writes are deflated. */
	struct conn_zip *zip;

	bool broken;    /* an earlier error left the stream unusable */
	struct err why; /* that error, repeated by every later call */
};

/* conn_tls_recv() / conn_tls_send(): the server closed the stream. */
#define CONN_IO_EOF ((ssize_t)-2)
/* conn_deflate_recv(): bytes were taken from the socket, but none came
 * out of them yet (a flush marker, a block header): call again, after
 * checking the deadline. */
#define CONN_IO_AGAIN ((ssize_t)-3)

/* conn.c */
long long conn_now_ms(void);
/* "15 s" or "300 ms", for messages. */
const char *conn_ms_text(int ms, char out[32]);
/* Fills e (scope ERR_ACCOUNT); with fatal, the connection is also marked
 * unusable and every later call repeats this error.  Returns -1. */
int conn_error(struct conn *c, struct err *e, bool fatal, enum err_code code,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int conn_check_usable(const struct conn *c, struct err *e);
/* Waits until fd is ready for events or deadline (conn_now_ms() clock)
 * passes: 1 ready, 0 timeout, -1 error (errno). */
int conn_wait(int fd, short events, long long deadline);
bool conn_would_block(int err);
/* Moves bytes from the socket (through TLS when it is on) without
 * blocking: the count (> 0), 0 with *events to wait for, CONN_IO_EOF, or
 * -1 with e filled (the connection is broken). */
ssize_t conn_raw_recv(struct conn *c, char *p, size_t n, short *events, struct err *e);
/* Sends all of p[0..n) to the socket (through TLS when it is on), with
 * write_ms for each 64 KiB; -1 with e (the connection is broken). */
int conn_raw_write(struct conn *c, const char *p, size_t n, struct err *e);

/* conn_tls.c */
/* TLS on c (see conn_start_tls()); implicit: right after connecting,
 * where a server speaking first is simply not speaking TLS. */
int conn_tls_begin(struct conn *c, bool implicit, struct conn_cert *cert_r,
		   struct err *e);
/* Moves bytes without blocking: the count (> 0), 0 with *events to wait
 * for, CONN_IO_EOF, or -1 with e filled (the connection is broken). */
ssize_t conn_tls_recv(struct conn *c, char *p, size_t n, short *events, struct err *e);
ssize_t conn_tls_send(struct conn *c, const char *p, size_t n, short *events,
		      struct err *e);
/* Sends close_notify if all is well (once, without waiting) and frees
 * the OpenSSL objects. */
void conn_tls_release(struct conn *c);

/* conn_deflate.c (after conn_start_deflate()) */
/* As conn_raw_recv(), but inflated bytes into p[0..n) (never more than
 * n: a bomb costs no memory), or CONN_IO_AGAIN. */
ssize_t conn_deflate_recv(struct conn *c, char *p, size_t n, short *events, struct err *e);
/* Deflates p[0..n), flushed (Z_SYNC_FLUSH), and sends it all. */
int conn_deflate_write(struct conn *c, const char *p, size_t n, struct err *e);
/* Compressed bytes received and not yet inflated (plus 1 when inflate
 * may hold more output than it had room for). */
size_t conn_deflate_buffered(const struct conn *c);
/* Frees the zlib streams; c->zip becomes NULL.  Safe without them. */
void conn_deflate_release(struct conn *c);

#endif
