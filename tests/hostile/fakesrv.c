/* fakesrv: a scripted server for tests of what a real server won't do
 * (stalls, drips, over-long lines, drops, STARTTLS injection).  See
 * README.md in this directory for the script language.
 *
 *   fakesrv [-c CERT -k KEY] [-T 1.1] [-t SECONDS] SCRIPT
 *
 * Listens on 127.0.0.1 on a free port, prints the port and a newline on
 * stdout, accepts one connection and runs SCRIPT on it (an accept step
 * ends it and goes on with the next connection).  Exit status: 0
 * when the script ran to its end, 1 when a step failed (the reason on
 * stderr), 2 for a usage or setup error, 3 on the timeout (default 30 s).
 * Standalone: libc and OpenSSL only. */
#define _GNU_SOURCE 1

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define LINE_MAX_IN 65536

struct server {
	int lfd;              /* the listening socket */
	int fd;               /* the accepted connection */
	SSL_CTX *ctx;         /* set with -c/-k */
	SSL *ssl;             /* after a starttls step */
	int lineno;           /* of the step being run, for messages */
};

static void __attribute__((format(printf, 2, 3), noreturn))
fail(const struct server *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fakesrv: ");
	if (s != NULL && s->lineno > 0)
		fprintf(stderr, "script line %d: ", s->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(s != NULL && s->lineno > 0 ? 1 : 2);
}

static void on_alarm(int sig)
{
	static const char msg[] = "fakesrv: timeout, exiting\n";
	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(3);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes \r \n \t \\ \xNN in place; returns the new length. */
static size_t unescape(const struct server *s, char *text)
{
	size_t out = 0;
	for (size_t i = 0; text[i] != '\0'; i++) {
		char ch = text[i];
		if (ch == '\\') {
			char next = text[++i];
			if (next == 'r')
				ch = '\r';
			else if (next == 'n')
				ch = '\n';
			else if (next == 't')
				ch = '\t';
			else if (next == '\\')
				ch = '\\';
			else if (next == 'x' && hex_value(text[i + 1]) >= 0 &&
				 hex_value(text[i + 2]) >= 0) {
				ch = (char)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
				i += 2;
			} else
				fail(s, "bad escape \\%c", next != '\0' ? next : '0');
		}
		text[out++] = ch;
	}
	text[out] = '\0';
	return out;
}

static void send_bytes(struct server *s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w;
		if (s->ssl != NULL) {
			size_t done = 0;
			w = SSL_write_ex(s->ssl, p, n, &done) == 1 ? (ssize_t)done : -1;
		} else {
			w = send(s->fd, p, n, MSG_NOSIGNAL);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail(s, "send failed: %s", s->ssl ? "TLS error" : strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

/* One byte from the client: 1, 0 at end of file, -1 on error.  Byte by
 * byte, so that nothing after a line is read ahead of a starttls step. */
static int recv_byte(struct server *s, char *ch)
{
	for (;;) {
		if (s->ssl != NULL) {
			size_t n = 0;
			if (SSL_read_ex(s->ssl, ch, 1, &n) == 1)
				return 1;
			int err = SSL_get_error(s->ssl, 0);
			return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
		}
		ssize_t r = recv(s->fd, ch, 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : (int)r;
	}
}

static void step_expect(struct server *s, char *prefix)
{
	static char line[LINE_MAX_IN];
	size_t want = unescape(s, prefix), len = 0;
	for (;;) {
		char ch;
		int r = recv_byte(s, &ch);
		if (r <= 0)
			fail(s, "expected \"%s\", the client %s", prefix,
			     r == 0 ? "closed the connection" : "connection failed");
		if (len + 1 == sizeof(line))
			fail(s, "expected \"%s\", got a line over %zu bytes", prefix, len);
		line[len++] = ch;
		if (ch == '\n')
			break;
	}
	line[len] = '\0';
	if (len < want || memcmp(line, prefix, want) != 0)
		fail(s, "expected \"%s\", got \"%.*s\"", prefix,
		     (int)(len > 0 && line[len - 1] == '\n' ? len - 1 : len), line);
}

static long parse_ms(const struct server *s, const char *text)
{
	char *end;
	errno = 0;
	long ms = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || ms < 0 || ms > 600000)
		fail(s, "bad milliseconds \"%s\"", text);
	return ms;
}

/* "drip TEXT MS": the number is the last word, TEXT may hold spaces. */
static void step_drip(struct server *s, char *arg)
{
	char *space = strrchr(arg, ' ');
	if (space == NULL)
		fail(s, "drip needs TEXT and MS");
	*space = '\0';
	long ms = parse_ms(s, space + 1);
	size_t n = unescape(s, arg);
	for (size_t i = 0; i < n; i++) {
		send_bytes(s, arg + i, 1);
		if (i + 1 < n)
			sleep_ms(ms);
	}
}

static void step_starttls(struct server *s)
{
	if (s->ctx == NULL)
		fail(s, "starttls needs -c CERT -k KEY");
	if (s->ssl != NULL)
		fail(s, "TLS is already on");
	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL || SSL_set_fd(s->ssl, s->fd) != 1)
		fail(s, "SSL_new failed");
	if (SSL_accept(s->ssl) != 1) {
		unsigned long code = ERR_peek_last_error();
		const char *why = code ? ERR_reason_error_string(code) : NULL;
		fail(s, "TLS handshake failed: %s", why ? why : "connection closed");
	}
}

/* Ends the connection with a FIN and waits for the client to close its
 * side, discarding what it sends, so that nothing unread turns the FIN
 * into a reset that could destroy data the client has not read yet. */
static void finish(struct server *s, bool close_notify)
{
	char sink[4096];
	if (s->ssl != NULL && close_notify)
		(void)SSL_shutdown(s->ssl);
	shutdown(s->fd, SHUT_WR);
	for (;;) {
		ssize_t r = recv(s->fd, sink, sizeof(sink), 0);
		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	exit(0);
}

static void accept_next(struct server *s)
{
	do
		s->fd = accept(s->lfd, NULL, NULL);
	while (s->fd < 0 && errno == EINTR);
	if (s->fd < 0)
		fail(s, "accept: %s", strerror(errno));
}

/* Ends the connection at once, as drop does, and takes the next one on
 * the same port (a client reconnecting); TLS starts afresh. */
static void step_accept(struct server *s)
{
	if (s->ssl != NULL) {
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
	close(s->fd);
	accept_next(s);
}

static void run_step(struct server *s, char *verb, char *arg)
{
	if (strcmp(verb, "send") == 0) {
		size_t n = unescape(s, arg);
		send_bytes(s, arg, n);
	} else if (strcmp(verb, "expect") == 0) {
		step_expect(s, arg);
	} else if (strcmp(verb, "sleep") == 0) {
		sleep_ms(parse_ms(s, arg));
	} else if (strcmp(verb, "drip") == 0) {
		step_drip(s, arg);
	} else if (strcmp(verb, "starttls") == 0) {
		step_starttls(s);
	} else if (strcmp(verb, "close") == 0) {
		finish(s, false);
	} else if (strcmp(verb, "drop") == 0) {
		exit(0); /* the kernel closes the socket: FIN, or RST if unread */
	} else if (strcmp(verb, "accept") == 0) {
		step_accept(s);
	} else {
		fail(s, "unknown step \"%s\"", verb);
	}
}

static char *read_script(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail(NULL, "%s: %s", path, strerror(errno));
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	size_t n;
	while (text != NULL && (n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len == 1) {
			cap *= 2;
			text = realloc(text, cap);
		}
	}
	if (text == NULL)
		fail(NULL, "out of memory");
	text[len] = '\0';
	fclose(f);
	return text;
}

static void run_script(struct server *s, char *text)
{
	char *next = NULL;
	int lineno = 0;
	for (char *line = text; line != NULL; line = next) {
		char *nl = strchr(line, '\n');
		next = nl != NULL ? nl + 1 : NULL;
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		size_t len = strlen(line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		s->lineno = lineno;
		char *space = strchr(line, ' ');
		char *arg = space != NULL ? space + 1 : line + len;
		if (space != NULL)
			*space = '\0';
		run_step(s, line, arg);
	}
	finish(s, true);
}

static SSL_CTX *tls_setup(const char *cert, const char *key, const char *max)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		fail(NULL, "cannot load %s / %s", cert, key);
	if (max != NULL) {
		if (strcmp(max, "1.1") != 0)
			fail(NULL, "-T takes only 1.1");
		/* An old server: TLS 1.0 and 1.1 only (needs security level 0). */
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	}
	return ctx;
}

static int listen_any(unsigned *port_r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		fail(NULL, "cannot listen on 127.0.0.1: %s", strerror(errno));
	*port_r = ntohs(sa.sin_port);
	return fd;
}

int main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *max = NULL;
	long timeout = 30;
	int opt;
	while ((opt = getopt(argc, argv, "c:k:T:t:")) != -1) {
		if (opt == 'c')
			cert = optarg;
		else if (opt == 'k')
			key = optarg;
		else if (opt == 'T')
			max = optarg;
		else if (opt == 't')
			timeout = strtol(optarg, NULL, 10);
		else
			fail(NULL, "usage: fakesrv [-c CERT -k KEY] [-T 1.1] [-t SECONDS] SCRIPT");
	}
	if (optind + 1 != argc || (cert == NULL) != (key == NULL) || timeout <= 0)
		fail(NULL, "usage: fakesrv [-c CERT -k KEY] [-T 1.1] [-t SECONDS] SCRIPT");

	struct server s = { .lfd = -1, .fd = -1 };
	char *script = read_script(argv[optind]);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)timeout);
	if (cert != NULL)
		s.ctx = tls_setup(cert, key, max);

	unsigned port;
	s.lfd = listen_any(&port);
	printf("%u\n", port);
	fflush(stdout);
	accept_next(&s);
	run_script(&s, script);
	return 0;
}
