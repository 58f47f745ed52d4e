/* conn: a connection to a mail server -- TCP with timeouts, TLS on top
 * (implicit, or started in place after STARTTLS/STLS), buffered reads
 * with hard caps.  Used by the POP3 and IMAP clients (src/proto).
 *
 * TCP: every address getaddrinfo() gives for host (IPv6 and IPv4) is
 * tried in turn, each with the connect timeout; the error names the host
 * and port and what the last attempt said.  Name resolution itself is
 * bounded by the system resolver's own timeouts (resolv.conf), not by
 * connect_ms: getaddrinfo() cannot be interrupted.
 *
 * TLS (OpenSSL, SECURITY.md G3): TLS 1.2 at least; SNI sent (not for an
 * IP address); the chain is verified against the system's store plus
 * ca_file; the host name is checked per RFC 6125 / RFC 7817 against the
 * name the user configured (a final dot ignored; an IPv4/IPv6 literal is
 * checked against the IP addresses in the subjectAltName):
 *   - DNS-IDs in the subjectAltName; the subject CN only when there is
 *     no DNS-ID at all (RFC 7817 4: allowed for compatibility);
 *   - a wildcard only as the whole left-most label ("*.example.org"
 *     matches "a.example.org", not "example.org" or "a.b.example.org";
 *     "f*.example.org" matches nothing);
 *   - no NUL tricks: names are compared with their lengths.
 * In OpenSSL terms: SSL_set1_host() with X509_CHECK_FLAG_NO_PARTIAL_
 * WILDCARDS; the CN rule and the rest are OpenSSL's defaults.
 * With pin_sha256 set, exactly that certificate (SHA-256 of its DER) is
 * accepted and any other is refused loudly (CONN_ERR_TLS_PIN), verified or
 * not.  A certificate that fails verification (and is not pinned) fails
 * conn_start_tls() with CONN_ERR_TLS_UNVERIFIED and its description in
 * *cert_r, for the caller to ask the person (ui_hooks) and retry with the
 * pin (on a new connection), or to print the tls_fingerprint line to add.
 *
 * STARTTLS: the caller sends STARTTLS/STLS and reads the positive reply
 * with conn_read_line(); then conn_start_tls().  If any byte is already
 * buffered after that reply, or already waiting in the socket (a
 * response injected before the handshake, CVE-2020-14954; in TLS the
 * client speaks first, so an honest server has sent nothing yet),
 * conn_start_tls() fails with CONN_ERR_INJECTION and nothing is parsed.
 * Bytes injected later than that reach the TLS layer as garbage and fail
 * the handshake (CONN_ERR_TLS).  With implicit_tls, a server that speaks
 * first is not speaking TLS: CONN_ERR_TLS too.
 *
 * COMPRESS (RFC 4978): after the reply that turns it on (IMAP's tagged OK
 * to COMPRESS DEFLATE, read with conn_read_line()), conn_start_deflate()
 * puts raw deflate (RFC 1951, zlib's windowBits -15) between this layer's
 * buffered reads and the socket -- above TLS when TLS is on (RFC 4978 s3:
 * compress, then encrypt), so TLS cannot start after it.  Bytes already
 * buffered behind that reply are the start of the compressed stream.
 * Every byte read is inflated, chunk by chunk into the receive buffer and
 * never beyond its room, so line_max, the buffers given to
 * conn_read_exact() and the timeouts all apply to the inflated stream: a
 * small input that would inflate to gigabytes (a bomb) is an ERR_LIMIT
 * error like any over-long line, and a stream of empty blocks ends in a
 * timeout like silence does.  Every conn_write() is deflated and flushed
 * (Z_SYNC_FLUSH) before it returns.  A corrupt stream, or data after its
 * end, is CONN_ERR_COMPRESS.  The trace sees the plain bytes both ways.
 * Nothing here counts bytes moved.
 *
 * Timeouts: connect_ms for each address, tls_ms for the whole handshake,
 * read_ms for each line (a server that stalls, or drips one byte at a
 * time, ends in a timeout error after read_ms without a complete line:
 * the deadline is for the whole line, not per byte), write_ms for each
 * write.  Bulk transfers -- conn_read_exact() and long conn_write()s --
 * get read_ms / write_ms for each 64 KiB: the deadline is renewed each
 * time another 64 KiB has moved, so a big literal on a slow link works
 * while a drip still ends (the server must keep up 64 KiB per read_ms).
 *
 * Errors are scope ERR_ACCOUNT with the codes below (ERR_CONFIG for bad
 * options or an unreadable ca_file), and messages that name host:port.
 * After an error the connection is unusable and every later call repeats
 * that error -- except a conn_read_line() timeout, which consumes
 * nothing: the part of the line already received stays buffered and the
 * call may be repeated (IMAP IDLE).  conn_close() is always safe.
 *
 * SIGPIPE: never raised, whatever the process's signal settings: plain
 * writes use send(MSG_NOSIGNAL), and under TLS OpenSSL writes through a
 * BIO of ours that does the same (OpenSSL's socket BIO uses write(2)).
 *
 * Nothing here logs or prints; a trace callback (may be NULL) sees every
 * line sent and received, with the direction, for the protocol log (the
 * caller masks secrets): conn_write() data is passed line by line before
 * it is sent, conn_read_line() lines as they are returned, and
 * conn_read_exact() data line by line as it arrives. */
#ifndef TERN_CONN_H
#define TERN_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* err codes (struct err .code) specific to connections; the ERR_* of
 * err.h are used where they fit (ERR_LIMIT for an over-long line,
 * ERR_CONFIG for bad options).  They are values of enum err_code beyond
 * err.h's own, so that e.code == CONN_ERR_CLOSED compiles cleanly. */
#define CONN_ERR_RESOLVE        ((enum err_code)100) /* host name not found */
#define CONN_ERR_CONNECT        ((enum err_code)101) /* refused, unreachable */
#define CONN_ERR_TIMEOUT        ((enum err_code)102) /* connect, handshake, read
							or write timed out */
#define CONN_ERR_CLOSED         ((enum err_code)103) /* the server closed the
							connection, or it broke */
#define CONN_ERR_TLS            ((enum err_code)104) /* handshake failed (protocol,
							version, ...) */
#define CONN_ERR_TLS_UNVERIFIED ((enum err_code)105) /* certificate not trusted
							or wrong name */
#define CONN_ERR_TLS_PIN        ((enum err_code)106) /* certificate differs from
							the pinned one */
#define CONN_ERR_INJECTION      ((enum err_code)107) /* bytes before the TLS
							handshake */
#define CONN_ERR_COMPRESS       ((enum err_code)108) /* the server's deflate
							stream is corrupt */

#define CONN_LINE_MAX_DEFAULT 8192

/* TCP keepalive on every connection (conn.c conn_keepalive): probes after
 * this much silence, this far apart, this many: a peer gone without a
 * word is found within two minutes of silence. */
#define CONN_KEEPALIVE_IDLE_S 60
#define CONN_KEEPALIVE_INTERVAL_S 15
#define CONN_KEEPALIVE_PROBES 4

/* The strings are copied: they need not outlive conn_open(). */
struct conn_options {
	const char *host;     /* name or IP address, at most 253 bytes */
	unsigned port;        /* 1..65535 */
	int connect_ms;       /* <= 0: 15000 */
	int tls_ms;           /* <= 0: 15000 */
	int read_ms;          /* <= 0: 60000 */
	int write_ms;         /* <= 0: 60000 */
	const char *ca_file;  /* extra CA bundle (PEM), or NULL */
	const char *pin_sha256; /* 64 hex digits (either case, ':' allowed),
				   or NULL or "" for none */
	size_t line_max;      /* longest line accepted, CRLF included;
				 0: CONN_LINE_MAX_DEFAULT; at most 1 GiB */
	bool implicit_tls;    /* TLS right after connecting (993, 995) */
	void (*trace)(void *ctx, bool sent, const char *line, size_t len);
	void *trace_ctx;
};

/* What the person is asked about when a certificate is not trusted. */
struct conn_cert {
	char sha256[65];      /* lower-case hex */
	char subject[512];    /* one line, as OpenSSL prints it (untrusted:
				 the UI sanitises it) */
	char issuer[512];
	char problem[256];    /* why: "unable to get local issuer
				 certificate", "host name mismatch", ... */
	long long not_before, not_after; /* UTC seconds */
};

struct conn;

/* Connects (and with implicit_tls, starts TLS: then cert_r is filled as
 * for conn_start_tls).  Returns 0 with *c_r, or -1 with e and *c_r NULL.
 * cert_r may be NULL. */
int conn_open(struct conn **c_r, const struct conn_options *o,
	      struct conn_cert *cert_r, struct err *e);

/* Starts TLS on a plain connection (see above).  *cert_r (may be NULL)
 * describes the server's certificate whenever one was received -- also
 * on success and on CONN_ERR_TLS_PIN -- and is zeroed otherwise.  Fails with
 * CONN_ERR_INJECTION when conn_buffered() > 0, and with CONN_ERR_TLS once
 * compression is on. */
int conn_start_tls(struct conn *c, struct conn_cert *cert_r, struct err *e);

/* Turns on COMPRESS=DEFLATE both ways (see above), once; fails when it
 * is on already. */
int conn_start_deflate(struct conn *c, struct err *e);
bool conn_is_compressed(const struct conn *c);

/* Reads one line, CRLF or LF included (the caller checks for CRLF where
 * the protocol demands it), into line (replacing its content).  A line
 * longer than line_max, or than line's own maximum, is an ERR_LIMIT error
 * (the connection is then unusable); it is reported as soon as line_max
 * bytes without a LF have arrived. */
int conn_read_line(struct conn *c, struct buf *line, struct err *e);

/* Reads exactly n bytes (IMAP literals) appending them to out; ERR_LIMIT
 * if they do not fit in out's maximum (nothing is allocated up front). */
int conn_read_exact(struct conn *c, size_t n, struct buf *out, struct err *e);

/* Writes all of p[0..n). */
int conn_write(struct conn *c, const char *p, size_t n, struct err *e);

/* Bytes read from the server and not yet returned (including bytes
 * OpenSSL has decrypted and not yet handed over, and compressed bytes
 * not yet inflated: they may turn out to hold nothing). */
size_t conn_buffered(const struct conn *c);

bool conn_is_tls(const struct conn *c);

/* The descriptor, to poll() for readability (IMAP IDLE).  Check
 * conn_buffered() first: data already read never makes it readable. */
int conn_fd(const struct conn *c);

/* Changes read_ms from now on (IDLE waits longer than a command);
 * <= 0 restores the default. */
void conn_set_read_timeout(struct conn *c, int read_ms);

/* Closes (TLS close_notify sent if possible, without waiting) and frees;
 * sets *c NULL.  *c may be NULL. */
void conn_close(struct conn **c);

/* Parses a pin ("AB:CD:..." with one ':' between each pair, or
 * "abcd...", 64 hex digits either case) into 64 lower-case hex digits
 * and a NUL in out.  Returns 0, or -1 if it is not one (out may then hold
 * a part). */
int conn_pin_normalise(const char *pin, char out[65]);

#endif
