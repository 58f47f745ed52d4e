#include "config.h"

#include "conn_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "i18n.h"
#include "mem.h"
#include "str.h"

/* Why an OpenSSL call failed, in words. */
static const char *conn_tls_reason(const struct conn *c, char out[128])
{
	unsigned long code = ERR_peek_error(); /* the first, usually the cause */
	if (code != 0 && ERR_GET_LIB(code) == ERR_LIB_SYS)
		return strerror(ERR_GET_REASON(code));
	const char *reason = code != 0 ? ERR_reason_error_string(code) : NULL;
	if (reason != NULL)
		return reason;
	if (code != 0) {
		snprintf(out, 128, "OpenSSL error %lx", code);
		return out;
	}
	if (c->eof)
		return _("the server closed the connection");
	if (c->sys_errno != 0)
		return strerror(c->sys_errno);
	return _("unknown error");
}

enum tls_status { TLS_WAIT, TLS_EOF, TLS_ERROR };

/* After SSL_read_ex/SSL_write_ex returned r: TLS_WAIT with *events to
 * wait for, TLS_EOF, or TLS_ERROR with e filled. */
static enum tls_status conn_tls_status(struct conn *c, int r, short *events,
				       struct err *e)
{
	char why[128];
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*events = POLLIN;
		return TLS_WAIT;
	case SSL_ERROR_WANT_WRITE:
		*events = POLLOUT;
		return TLS_WAIT;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_EOF;
	case SSL_ERROR_SYSCALL:
	case SSL_ERROR_SSL:
		if (c->eof || (ERR_peek_error() == 0 && c->sys_errno == 0))
			return TLS_EOF; /* closed without close_notify */
		if (c->sys_errno != 0)
			conn_error(c, e, true, CONN_ERR_CLOSED,
				   _("%s: the connection was lost: %s"), c->label,
				   strerror(c->sys_errno));
		else
			conn_error(c, e, true, CONN_ERR_TLS, _("%s: TLS error: %s"), c->label,
				   conn_tls_reason(c, why));
		return TLS_ERROR;
	default:
		conn_error(c, e, true, CONN_ERR_TLS, _("%s: TLS error: %s"), c->label,
			   _("unexpected state"));
		return TLS_ERROR;
	}
}

/* OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when
 * the server has gone.  This BIO uses send(MSG_NOSIGNAL) instead, so no
 * signal disposition has to change (see conn.h). */
static int conn_bio_write(BIO *b, const char *p, size_t n, size_t *done)
{
	struct conn *c = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
	if (w >= 0) {
		*done = (size_t)w;
		return 1;
	}
	if (conn_would_block(errno))
		BIO_set_retry_write(b);
	else
		c->sys_errno = errno;
	return 0;
}

static int conn_bio_read(BIO *b, char *p, size_t n, size_t *done)
{
	struct conn *c = BIO_get_data(b);
	BIO_clear_retry_flags(b);
	ssize_t r = recv(c->fd, p, n, 0);
	if (r > 0) {
		*done = (size_t)r;
		return 1;
	}
	if (r == 0)
		c->eof = true;
	else if (conn_would_block(errno))
		BIO_set_retry_read(b);
	else
		c->sys_errno = errno;
	return 0;
}

static long conn_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)num;
	(void)ptr;
	const struct conn *c = BIO_get_data(b);
	if (cmd == BIO_CTRL_FLUSH)
		return 1;
	if (cmd == BIO_CTRL_EOF)
		return c->eof;
	return 0;
}

/* A BIO over c->fd.  The method is per connection: OpenSSL keeps no
 * state of ours, and BIO_get_new_index() (a process-wide counter of at
 * most 127 values) is not used up. */
static BIO *conn_bio_new(struct conn *c)
{
	if (c->bio_method == NULL) {
		c->bio_method = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "tern conn");
		if (c->bio_method == NULL)
			return NULL;
		BIO_meth_set_write_ex(c->bio_method, conn_bio_write);
		BIO_meth_set_read_ex(c->bio_method, conn_bio_read);
		BIO_meth_set_ctrl(c->bio_method, conn_bio_ctrl);
	}
	BIO *b = BIO_new(c->bio_method);
	if (b != NULL) {
		BIO_set_data(b, c);
		BIO_set_init(b, 1);
	}
	return b;
}

static bool conn_is_ip_literal(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* The reference identity (RFC 6125 6.2): the configured name, without a
 * final dot (certificates never carry one).  SNI is sent for names only
 * (RFC 6066 3).  NO_PARTIAL_WILDCARDS refuses "f*.example.org"; OpenSSL
 * already takes a wildcard only as the whole left-most label, never
 * matches across labels, compares lengths (a NUL inside a name cannot
 * match) and skips the subject CN when any DNS name is in the
 * subjectAltName. */
static int conn_tls_identity(struct conn *c)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (conn_is_ip_literal(c->host))
		return X509_VERIFY_PARAM_set1_ip_asc(vp, c->host) == 1 ? 0 : -1;
	char *name = xstrdup(c->host);
	size_t len = strlen(name);
	if (len > 1 && name[len - 1] == '.')
		name[len - 1] = '\0';
	int ok = SSL_set_tlsext_host_name(c->ssl, name) == 1 &&
		 SSL_set1_host(c->ssl, name) == 1;
	free(name);
	return ok ? 0 : -1;
}

static int conn_tls_setup(struct conn *c, struct err *e)
{
	char why[128];
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL)
		goto fail;
	/* TLS 1.2 at least (RFC 8997), or more if the system's OpenSSL
	 * configuration asks for more. */
	long min = SSL_CTX_get_min_proto_version(c->ctx);
	if ((min == 0 || min < TLS1_2_VERSION) &&
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1)
		goto fail;
	if (SSL_CTX_set_default_verify_paths(c->ctx) != 1)
		goto fail;
	/* Verification runs anyway; its result is read after the handshake,
	 * so that a refused certificate can be described and pinned. */
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(c->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->ca_file != NULL && SSL_CTX_load_verify_locations(c->ctx, c->ca_file, NULL) != 1)
		return conn_error(c, e, true, ERR_CONFIG,
				  _("%s: cannot load the CA file %s: %s"), c->label,
				  c->ca_file, conn_tls_reason(c, why));
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL)
		goto fail;
	BIO *b = conn_bio_new(c);
	if (b == NULL)
		goto fail;
	SSL_set_bio(c->ssl, b, b);
	if (conn_tls_identity(c) < 0)
		goto fail;
	SSL_set_connect_state(c->ssl);
	return 0;
fail:
	return conn_error(c, e, true, CONN_ERR_TLS, _("%s: cannot set up TLS: %s"),
			  c->label, conn_tls_reason(c, why));
}

static int conn_handshake(struct conn *c, struct err *e)
{
	char t[32], why[128];
	long long deadline = conn_now_ms() + c->tls_ms;
	for (;;) {
		short events;
		ERR_clear_error();
		int r = SSL_do_handshake(c->ssl);
		if (r == 1)
			return 0;
		int st = SSL_get_error(c->ssl, r);
		if (st == SSL_ERROR_WANT_READ)
			events = POLLIN;
		else if (st == SSL_ERROR_WANT_WRITE)
			events = POLLOUT;
		else
			return conn_error(c, e, true, CONN_ERR_TLS,
					  _("%s: the TLS handshake failed: %s; nothing was sent"),
					  c->label, conn_tls_reason(c, why));
		int w = conn_wait(c->fd, events, deadline);
		if (w == 0)
			return conn_error(c, e, true, CONN_ERR_TIMEOUT,
					  _("%s: the TLS handshake did not finish within %s; "
					    "nothing was sent"),
					  c->label, conn_ms_text(c->tls_ms, t));
		if (w < 0)
			return conn_error(c, e, true, CONN_ERR_TLS,
					  _("%s: the TLS handshake failed: %s; nothing was sent"),
					  c->label, strerror(errno));
	}
}

/* One line, as OpenSSL prints names (control and 8-bit bytes escaped). */
static void conn_name_text(X509_NAME *name, char *out, size_t size)
{
	out[0] = '\0';
	BIO *mem = BIO_new(BIO_s_mem());
	if (mem == NULL)
		return;
	if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_ONELINE) >= 0) {
		char *p = NULL;
		long len = BIO_get_mem_data(mem, &p);
		size_t n = len > 0 ? (size_t)len : 0;
		if (n >= size)
			n = size - 1;
		if (n > 0)
			memcpy(out, p, n);
		out[n] = '\0';
	}
	BIO_free(mem);
}

static long long conn_cert_time(const ASN1_TIME *t)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (long long)timegm(&tm);
}

static void conn_describe(X509 *x, long verify, struct conn_cert *cert)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	memset(cert, 0, sizeof(*cert));
	if (X509_digest(x, EVP_sha256(), md, &n) == 1 && n == 32) {
		for (unsigned i = 0; i < n; i++) {
			cert->sha256[2 * i] = hex[md[i] >> 4];
			cert->sha256[2 * i + 1] = hex[md[i] & 15];
		}
	}
	conn_name_text(X509_get_subject_name(x), cert->subject, sizeof(cert->subject));
	conn_name_text(X509_get_issuer_name(x), cert->issuer, sizeof(cert->issuer));
	cert->not_before = conn_cert_time(X509_get0_notBefore(x));
	cert->not_after = conn_cert_time(X509_get0_notAfter(x));
	const char *problem = "";
	if (verify == X509_V_ERR_HOSTNAME_MISMATCH)
		problem = _("host name mismatch");
	else if (verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
		problem = _("IP address mismatch");
	else if (verify != X509_V_OK)
		problem = X509_verify_cert_error_string(verify);
	(void)str_copy(cert->problem, sizeof(cert->problem), problem);
}

/* After the handshake: the pin if there is one, else the verification. */
static int conn_check_peer(struct conn *c, struct conn_cert *cert_r, struct err *e)
{
	struct conn_cert cert;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	X509 *x = SSL_get1_peer_certificate(c->ssl);
#else
	X509 *x = SSL_get_peer_certificate(c->ssl);
#endif
	if (x == NULL)
		return conn_error(c, e, true, CONN_ERR_TLS_UNVERIFIED,
				  _("%s: the server sent no certificate; nothing was sent"),
				  c->label);
	long verify = SSL_get_verify_result(c->ssl);
	conn_describe(x, verify, &cert);
	X509_free(x);
	if (cert_r != NULL)
		*cert_r = cert;
	if (c->pin[0] != '\0') {
		if (strcmp(cert.sha256, c->pin) == 0)
			return 0;
		return conn_error(c, e, true, CONN_ERR_TLS_PIN,
				  _("%s: the server's certificate is NOT the pinned one "
				    "(SHA-256 %s, pinned %s); nothing was sent"),
				  c->label, cert.sha256, c->pin);
	}
	if (verify != X509_V_OK)
		return conn_error(c, e, true, CONN_ERR_TLS_UNVERIFIED,
				  _("%s: the certificate is not trusted (%s); nothing was sent"),
				  c->label, cert.problem);
	return 0;
}

/* Bytes the server sent before the handshake: in our buffer, or already
 * waiting in the socket (in TLS the client speaks first, so a server that
 * is not an attacker has sent nothing there yet). */
static int conn_check_nothing_sent(struct conn *c, bool implicit, struct err *e)
{
	char byte;
	ssize_t n = 1;
	if (conn_buffered(c) == 0)
		n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0 && implicit)
		return conn_error(c, e, true, CONN_ERR_TLS,
				  _("%s: the server sent plain text instead of starting TLS "
				    "(is this a TLS port?); nothing was sent"),
				  c->label);
	if (n > 0)
		return conn_error(c, e, true, CONN_ERR_INJECTION,
				  _("%s: the server sent data after its answer to STARTTLS, "
				    "before the TLS handshake (an injection attempt?); "
				    "nothing was sent"),
				  c->label);
	if (n == 0)
		return conn_error(c, e, true, CONN_ERR_CLOSED,
				  _("%s: the server closed the connection before the "
				    "TLS handshake"),
				  c->label);
	if (!conn_would_block(errno))
		return conn_error(c, e, true, CONN_ERR_CLOSED, _("%s: the connection was lost: %s"),
				  c->label, strerror(errno));
	return 0;
}

int conn_tls_begin(struct conn *c, bool implicit, struct conn_cert *cert_r,
		   struct err *e)
{
	if (cert_r != NULL)
		memset(cert_r, 0, sizeof(*cert_r));
	if (conn_check_usable(c, e) < 0)
		return -1;
	if (c->ssl != NULL)
		return conn_error(c, e, false, CONN_ERR_TLS, _("%s: TLS is already active"),
				  c->label);
	if (conn_check_nothing_sent(c, implicit, e) < 0 || conn_tls_setup(c, e) < 0 ||
	    conn_handshake(c, e) < 0 || conn_check_peer(c, cert_r, e) < 0)
		return -1;
	c->tls_up = true;
	return 0;
}

int conn_start_tls(struct conn *c, struct conn_cert *cert_r, struct err *e)
{
	/* RFC 4978 s3: compression goes above TLS, never inside it. */
	if (c->zip != NULL) {
		if (cert_r != NULL)
			memset(cert_r, 0, sizeof(*cert_r));
		return conn_error(c, e, true, CONN_ERR_TLS,
				  _("%s: TLS cannot start once compression is on"), c->label);
	}
	return conn_tls_begin(c, false, cert_r, e);
}

ssize_t conn_tls_recv(struct conn *c, char *p, size_t n, short *events, struct err *e)
{
	size_t done = 0;
	ERR_clear_error();
	int r = SSL_read_ex(c->ssl, p, n, &done);
	if (r == 1)
		return (ssize_t)done;
	switch (conn_tls_status(c, r, events, e)) {
	case TLS_WAIT:
		return 0;
	case TLS_EOF:
		return CONN_IO_EOF;
	default:
		return -1;
	}
}

ssize_t conn_tls_send(struct conn *c, const char *p, size_t n, short *events,
		      struct err *e)
{
	size_t done = 0;
	ERR_clear_error();
	int r = SSL_write_ex(c->ssl, p, n, &done);
	if (r == 1)
		return (ssize_t)done;
	switch (conn_tls_status(c, r, events, e)) {
	case TLS_WAIT:
		return 0;
	case TLS_EOF:
		return CONN_IO_EOF;
	default:
		return -1;
	}
}

void conn_tls_release(struct conn *c)
{
	if (c->ssl != NULL) {
		/* One attempt at close_notify, without waiting: the socket is
		 * non-blocking and the server's answer is not needed. */
		if (c->tls_up && !c->broken)
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	SSL_CTX_free(c->ctx);
	c->ctx = NULL;
	BIO_meth_free(c->bio_method);
	c->bio_method = NULL;
	ERR_clear_error();
}
