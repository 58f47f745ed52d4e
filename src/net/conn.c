#include "config.h"

#include "conn_private.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "i18n.h"
#include "mem.h"
#include "str.h"

#define CONN_CHUNK 16384                  /* asked of the socket per read */
#define CONN_PROGRESS ((size_t)64 * 1024) /* bulk transfers: see conn.h */
#define CONN_LINE_MAX_LIMIT ((size_t)1 << 30)

enum fill { FILL_DATA, FILL_TIMEOUT, FILL_EOF, FILL_ERROR };

long long conn_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *conn_ms_text(int ms, char out[32])
{
	if (ms >= 1000 && ms % 1000 == 0)
		snprintf(out, 32, "%d s", ms / 1000);
	else
		snprintf(out, 32, "%d ms", ms);
	return out;
}

int conn_error(struct conn *c, struct err *e, bool fatal, enum err_code code,
	       const char *fmt, ...)
{
	struct err tmp;
	va_list ap;
	va_start(ap, fmt);
	err_vset(&tmp, ERR_ACCOUNT, code, fmt, ap);
	va_end(ap);
	if (fatal && !c->broken) {
		c->broken = true;
		c->why = tmp;
	}
	if (e != NULL)
		*e = tmp;
	return -1;
}

int conn_check_usable(const struct conn *c, struct err *e)
{
	if (!c->broken)
		return 0;
	if (e != NULL)
		*e = c->why;
	return -1;
}

static void conn_trace(const struct conn *c, bool sent, const char *p, size_t n)
{
	if (c->trace == NULL)
		return;
	while (n > 0) {
		const char *lf = memchr(p, '\n', n);
		size_t len = lf != NULL ? (size_t)(lf - p) + 1 : n;
		c->trace(c->trace_ctx, sent, p, len);
		p += len;
		n -= len;
	}
}

int conn_wait(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - conn_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { fd, events, 0 };
		int r = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* ------------------------------------------------------------- TCP */

/* Connects one address within timeout_ms.  Returns 0 with *fd_r, or the
 * errno of the failure (ETIMEDOUT when the time ran out). */
static int conn_try_address(const struct addrinfo *ai, int timeout_ms, int *fd_r)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0)
		return errno;
	int err = 0;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		err = errno;
		if (err == EINPROGRESS || err == EINTR) {
			int r = conn_wait(fd, POLLOUT, conn_now_ms() + timeout_ms);
			socklen_t len = sizeof(err);
			if (r == 0)
				err = ETIMEDOUT;
			else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
		}
	}
	if (err != 0) {
		close(fd);
		return err;
	}
	*fd_r = fd;
	return 0;
}

/* A peer gone without a word (Wi-Fi changed, a NAT forgot us, the laptop
 * slept): TCP keepalive probes after CONN_KEEPALIVE_IDLE_S of silence
 * find it within about two minutes, so that a connection waiting in IDLE
 * ends in an error instead of waiting forever; TCP_USER_TIMEOUT ends one
 * whose data goes unacknowledged as long.  Best effort: a system without
 * the options keeps the defaults. */
static void conn_keepalive(int fd)
{
	int on = 1, idle = CONN_KEEPALIVE_IDLE_S, intvl = CONN_KEEPALIVE_INTERVAL_S,
	    cnt = CONN_KEEPALIVE_PROBES;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
#ifdef TCP_KEEPIDLE
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
#endif
#ifdef TCP_USER_TIMEOUT
	unsigned user_ms = (unsigned)(idle + intvl * cnt) * 1000u;
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_ms, sizeof(user_ms));
#endif
	(void)idle;
	(void)intvl;
	(void)cnt;
}

static int conn_connect(struct conn *c, struct err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *list = NULL;
	char port[16];
	snprintf(port, sizeof(port), "%u", c->port);
	int rc = getaddrinfo(c->host, port, &hints, &list);
	if (rc != 0)
		return conn_error(c, e, true, CONN_ERR_RESOLVE,
				  _("cannot find the address of %s: %s"), c->host,
				  rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	int last = EHOSTUNREACH;
	for (const struct addrinfo *ai = list; ai != NULL && c->fd < 0; ai = ai->ai_next)
		last = conn_try_address(ai, c->connect_ms, &c->fd);
	freeaddrinfo(list);
	if (c->fd < 0) {
		char t[32];
		if (last == ETIMEDOUT)
			return conn_error(c, e, true, CONN_ERR_TIMEOUT,
					  _("cannot connect to %s: no answer within %s"),
					  c->label, conn_ms_text(c->connect_ms, t));
		return conn_error(c, e, true, CONN_ERR_CONNECT,
				  _("cannot connect to %s: %s"), c->label, strerror(last));
	}
	/* Commands are written whole; Nagle would only delay them. */
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn_keepalive(c->fd);
	return 0;
}

/* ------------------------------------------------- reading, writing */

bool conn_would_block(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

/* Makes room for at least one more byte in the receive buffer (possible
 * while fewer than line_max bytes are pending; see in_max). */
static void conn_make_room(struct conn *c)
{
	if (c->in_start > 0 && c->in_cap - c->in_end < CONN_CHUNK) {
		memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
		c->in_end -= c->in_start;
		c->in_scan -= c->in_start;
		c->in_start = 0;
	}
	if (c->in_cap - c->in_end < CONN_CHUNK && c->in_cap < c->in_max) {
		size_t want = c->in_end + CONN_CHUNK;
		if (want < c->in_cap * 2)
			want = c->in_cap * 2;
		if (want > c->in_max)
			want = c->in_max;
		c->in = xrealloc(c->in, want);
		c->in_cap = want;
	}
}

ssize_t conn_raw_recv(struct conn *c, char *p, size_t n, short *events, struct err *e)
{
	if (c->ssl != NULL)
		return conn_tls_recv(c, p, n, events, e);
	ssize_t r = recv(c->fd, p, n, 0);
	if (r > 0)
		return r;
	if (r == 0)
		return CONN_IO_EOF;
	if (conn_would_block(errno))
		return 0;
	return conn_error(c, e, true, CONN_ERR_CLOSED, _("%s: the connection was lost: %s"),
			  c->label, strerror(errno));
}

/* Reads what the server has sent into the receive buffer, waiting until
 * deadline for at least one byte. */
static enum fill conn_fill(struct conn *c, long long deadline, struct err *e)
{
	conn_make_room(c);
	for (;;) {
		char *p = c->in + c->in_end;
		size_t room = c->in_cap - c->in_end;
		short events = POLLIN;
		ssize_t n = c->zip != NULL ? conn_deflate_recv(c, p, room, &events, e)
					   : conn_raw_recv(c, p, room, &events, e);
		if (n > 0) {
			c->in_end += (size_t)n;
			return FILL_DATA;
		}
		if (n == CONN_IO_AGAIN) {
			/* A stream of empty deflate blocks must not outlast
			 * the deadline any more than silence does. */
			if (conn_now_ms() >= deadline)
				return FILL_TIMEOUT;
			continue;
		}
		if (n == CONN_IO_EOF)
			return FILL_EOF;
		if (n < 0)
			return FILL_ERROR;
		int w = conn_wait(c->fd, events, deadline);
		if (w == 0)
			return FILL_TIMEOUT;
		if (w < 0) {
			conn_error(c, e, true, CONN_ERR_CLOSED,
				   _("%s: the connection was lost: %s"), c->label, strerror(errno));
			return FILL_ERROR;
		}
	}
}

/* Marks n bytes of the receive buffer as returned. */
static void conn_consume(struct conn *c, size_t n)
{
	c->in_start += n;
	if (c->in_start == c->in_end)
		c->in_start = c->in_end = 0;
	c->in_scan = c->in_start;
}

static int conn_take_line(struct conn *c, const char *lf, struct buf *line,
			  struct err *e)
{
	size_t len = (size_t)(lf - (c->in + c->in_start)) + 1;
	if (len > c->line_max || buf_append(line, c->in + c->in_start, len) < 0)
		return conn_error(c, e, true, ERR_LIMIT,
				  _("%s: the server sent a line longer than %zu bytes"),
				  c->label, len > c->line_max ? c->line_max : line->max);
	conn_trace(c, false, line->data, line->len);
	conn_consume(c, len);
	return 0;
}

int conn_read_line(struct conn *c, struct buf *line, struct err *e)
{
	char t[32];
	if (conn_check_usable(c, e) < 0)
		return -1;
	buf_reset(line);
	long long deadline = conn_now_ms() + c->read_ms;
	for (;;) {
		const char *lf = memchr(c->in + c->in_scan, '\n', c->in_end - c->in_scan);
		if (lf != NULL)
			return conn_take_line(c, lf, line, e);
		c->in_scan = c->in_end;
		size_t pending = c->in_end - c->in_start;
		if (pending >= c->line_max)
			return conn_error(c, e, true, ERR_LIMIT,
					  _("%s: the server sent a line longer than %zu bytes"),
					  c->label, c->line_max);
		switch (conn_fill(c, deadline, e)) {
		case FILL_DATA:
			break;
		case FILL_TIMEOUT:
			return conn_error(c, e, false, CONN_ERR_TIMEOUT,
					  _("%s: no complete reply from the server within %s"),
					  c->label, conn_ms_text(c->read_ms, t));
		case FILL_EOF:
			if (pending > 0)
				return conn_error(c, e, true, CONN_ERR_CLOSED,
						  _("%s: the server closed the connection "
						    "in the middle of a line"),
						  c->label);
			return conn_error(c, e, true, CONN_ERR_CLOSED,
					  _("%s: the server closed the connection"), c->label);
		case FILL_ERROR:
			return -1;
		}
	}
}

int conn_read_exact(struct conn *c, size_t n, struct buf *out, struct err *e)
{
	char t[32];
	size_t got = 0, since = 0;
	if (conn_check_usable(c, e) < 0)
		return -1;
	if (n > out->max - out->len)
		return conn_error(c, e, true, ERR_LIMIT,
				  _("%s: the server announced %zu bytes, more than fit (%zu)"),
				  c->label, n, out->max - out->len);
	long long deadline = conn_now_ms() + c->read_ms;
	while (got < n) {
		size_t take = c->in_end - c->in_start;
		if (take > n - got)
			take = n - got;
		if (take > 0) {
			const char *p = c->in + c->in_start;
			if (buf_append(out, p, take) < 0)
				return conn_error(c, e, true, ERR_LIMIT,
						  _("%s: out of memory for %zu bytes"),
						  c->label, n);
			conn_trace(c, false, p, take);
			conn_consume(c, take);
			got += take;
			since += take;
			if (since >= CONN_PROGRESS) {
				deadline = conn_now_ms() + c->read_ms;
				since = 0;
			}
			continue;
		}
		switch (conn_fill(c, deadline, e)) {
		case FILL_DATA:
			break;
		case FILL_TIMEOUT:
			return conn_error(c, e, true, CONN_ERR_TIMEOUT,
					  _("%s: the server stopped sending (%zu of %zu bytes, "
					    "nothing more within %s)"),
					  c->label, got, n, conn_ms_text(c->read_ms, t));
		case FILL_EOF:
			return conn_error(c, e, true, CONN_ERR_CLOSED,
					  _("%s: the server closed the connection after "
					    "%zu of %zu bytes"),
					  c->label, got, n);
		case FILL_ERROR:
			return -1;
		}
	}
	return 0;
}

/* Sends what it can of p[0..n) without blocking: the count (0 with
 * *events to wait for), or -1 with e filled. */
static ssize_t conn_send(struct conn *c, const char *p, size_t n, short *events,
			 struct err *e)
{
	if (c->ssl != NULL) {
		ssize_t w = conn_tls_send(c, p, n, events, e);
		if (w == CONN_IO_EOF)
			return conn_error(c, e, true, CONN_ERR_CLOSED,
					  _("%s: the server closed the connection"), c->label);
		return w;
	}
	ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
	if (w >= 0)
		return w;
	if (conn_would_block(errno)) {
		*events = POLLOUT;
		return 0;
	}
	return conn_error(c, e, true, CONN_ERR_CLOSED,
			  _("%s: the connection was lost while sending: %s"), c->label,
			  strerror(errno));
}

int conn_write(struct conn *c, const char *p, size_t n, struct err *e)
{
	if (conn_check_usable(c, e) < 0)
		return -1;
	conn_trace(c, true, p, n);
	if (c->zip != NULL)
		return conn_deflate_write(c, p, n, e);
	return conn_raw_write(c, p, n, e);
}

int conn_raw_write(struct conn *c, const char *p, size_t n, struct err *e)
{
	char t[32];
	size_t since = 0;
	long long deadline = conn_now_ms() + c->write_ms;
	while (n > 0) {
		short events = POLLOUT;
		ssize_t w = conn_send(c, p, n, &events, e);
		if (w < 0)
			return -1;
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			since += (size_t)w;
			if (since >= CONN_PROGRESS) {
				deadline = conn_now_ms() + c->write_ms;
				since = 0;
			}
			continue;
		}
		int r = conn_wait(c->fd, events, deadline);
		if (r == 0)
			return conn_error(c, e, true, CONN_ERR_TIMEOUT,
					  _("%s: the server accepted nothing more within %s"),
					  c->label, conn_ms_text(c->write_ms, t));
		if (r < 0)
			return conn_error(c, e, true, CONN_ERR_CLOSED,
					  _("%s: the connection was lost while sending: %s"),
					  c->label, strerror(errno));
	}
	return 0;
}

/* ------------------------------------------------------- lifecycle */

static int conn_ms(int ms, int fallback)
{
	return ms > 0 ? ms : fallback;
}

static struct conn *conn_new(const struct conn_options *o, const char *pin)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->port = o->port;
	c->host = xstrdup(o->host);
	snprintf(c->label, sizeof(c->label), strchr(o->host, ':') != NULL ? "[%s]:%u" : "%s:%u",
		 o->host, o->port);
	c->connect_ms = conn_ms(o->connect_ms, 15000);
	c->tls_ms = conn_ms(o->tls_ms, 15000);
	c->read_ms = conn_ms(o->read_ms, 60000);
	c->write_ms = conn_ms(o->write_ms, 60000);
	c->line_max = o->line_max == 0 ? CONN_LINE_MAX_DEFAULT : o->line_max;
	if (c->line_max > CONN_LINE_MAX_LIMIT)
		c->line_max = CONN_LINE_MAX_LIMIT;
	c->ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	memcpy(c->pin, pin, sizeof(c->pin));
	c->trace = o->trace;
	c->trace_ctx = o->trace_ctx;
	/* Room for a whole line plus one read after it. */
	c->in_max = c->line_max + CONN_CHUNK;
	c->in_cap = CONN_CHUNK;
	c->in = xmalloc(c->in_cap);
	err_init(&c->why);
	return c;
}

int conn_open(struct conn **c_r, const struct conn_options *o,
	      struct conn_cert *cert_r, struct err *e)
{
	char pin[65] = "";
	*c_r = NULL;
	if (cert_r != NULL)
		memset(cert_r, 0, sizeof(*cert_r));
	if (o->host == NULL || o->host[0] == '\0' || strlen(o->host) > CONN_HOST_MAX)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG, _("no valid server host name is set"));
	if (o->port == 0 || o->port > 65535)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG, _("%s: %u is not a valid port"),
			       o->host, o->port);
	if (o->pin_sha256 != NULL && o->pin_sha256[0] != '\0' &&
	    conn_pin_normalise(o->pin_sha256, pin) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("%s: the certificate fingerprint is not 64 hex digits (SHA-256)"),
			       o->host);
	struct conn *c = conn_new(o, pin);
	if (conn_connect(c, e) < 0 || (o->implicit_tls && conn_tls_begin(c, true, cert_r, e) < 0)) {
		conn_close(&c);
		return -1;
	}
	*c_r = c;
	return 0;
}

void conn_close(struct conn **cp)
{
	struct conn *c = *cp;
	if (c == NULL)
		return;
	conn_deflate_release(c);
	conn_tls_release(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->host);
	free(c->ca_file);
	free(c);
	*cp = NULL;
}

size_t conn_buffered(const struct conn *c)
{
	size_t n = c->in_end - c->in_start;
	if (c->ssl != NULL && SSL_pending(c->ssl) > 0)
		n += (size_t)SSL_pending(c->ssl);
	if (c->zip != NULL)
		n += conn_deflate_buffered(c);
	return n;
}

bool conn_is_tls(const struct conn *c)
{
	return c->tls_up;
}

int conn_fd(const struct conn *c)
{
	return c->fd;
}

void conn_set_read_timeout(struct conn *c, int read_ms)
{
	c->read_ms = conn_ms(read_ms, 60000);
}

int conn_pin_normalise(const char *pin, char out[65])
{
	size_t n = 0;
	bool colons = strchr(pin, ':') != NULL;
	for (const char *p = pin; *p != '\0'; p++) {
		/* With colons, exactly one between each pair of digits. */
		if (colons && n > 0 && n % 2 == 0 && n < 64) {
			if (*p != ':')
				return -1;
			p++;
		}
		if (n == 64 || str_hex_value((unsigned char)*p) < 0)
			return -1;
		out[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	}
	if (n != 64)
		return -1;
	out[64] = '\0';
	return 0;
}
