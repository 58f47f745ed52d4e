/* test_conn: the connection layer against real servers on 127.0.0.1 --
 * the project's private Dovecot (tests/server/dovecot.sh) and the
 * scripted hostile server tests/hostile/fakesrv.
 *
 * Environment: top_srcdir (for tests/server/dovecot.sh), DOVECOT_BIN
 * (else /usr/sbin/dovecot; without either the Dovecot cases are
 * skipped), FAKESRV (the fakesrv program; else
 * $top_builddir/tests/hostile/fakesrv).  Certificates for fakesrv are
 * made with the openssl command; without it those cases are skipped.
 * Everything started is stopped by PID, also when the alarm fires, on a
 * fatal signal and on a sanitizer report. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#include <sanitizer/common_interface_defs.h>
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#include <sanitizer/common_interface_defs.h>
#endif
#endif

#include "buf.h"
#include "conn.h"
#include "err.h"
#include "str.h"
#include "tap.h"
#include "testutil.h"

#ifndef TEST_ALARM_S
#define TEST_ALARM_S 150
#endif

/* What this test started, for the alarm handler. */
static pid_t fakesrv_pid = -1;
static char *dovecot_stop_argv[5];

static char *tmp;          /* private directory */
static const char *fakesrv;
static bool have_certs;    /* tmp/certs/... made */
static struct buf line;
static struct err e;

/* Runs argv and waits for it (usable from a signal handler). */
static void run_from_handler(char *const argv[])
{
	pid_t p = fork();
	if (p == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

/* On the alarm, a fatal signal or a sanitizer's report: stop what was
 * started (by PID) and remove the directory. */
static void emergency_stop(void)
{
	if (fakesrv_pid > 0)
		kill(fakesrv_pid, SIGKILL);
	if (dovecot_stop_argv[0] != NULL)
		run_from_handler(dovecot_stop_argv);
	if (tmp != NULL) {
		char *rm[] = { "/bin/rm", "-rf", tmp, NULL };
		run_from_handler(rm);
	}
}

static void on_fatal_signal(int sig)
{
	static const char msg[] = "Bail out! test_conn stopped by a signal or the alarm\n";
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* exiting anyway */
	}
	emergency_stop();
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(1);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGALRM, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGABRT,
				    SIGSEGV, SIGBUS };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal_signal);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	__sanitizer_set_death_callback(emergency_stop);
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
	__sanitizer_set_death_callback(emergency_stop);
#endif
#endif
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Waits up to timeout_ms for pid: its exit status, 100 + a signal, or -1
 * if it had to be killed. */
static int wait_child(pid_t pid, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_ms(10);
	}
}

/* Runs argv with stdout sent to stderr (TAP owns stdout). */
static int run(char *const argv[], int timeout_ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid < 0 ? -1 : wait_child(pid, timeout_ms);
}

/* ------------------------------------------------------------ fakesrv */

struct fs {
	pid_t pid;
	unsigned port;
};

/* Starts fakesrv with script and options (e.g. "-c", cert, "-k", key);
 * reads the port it prints. */
static int fs_start(struct fs *f, const char *script, const char *opt[])
{
	char path[4200];
	const char *argv[12] = { fakesrv, "-t", "20" };
	int argc = 3, out[2];
	snprintf(path, sizeof(path), "%s/script", tmp);
	tu_write(path, script, strlen(script));
	for (int i = 0; opt != NULL && opt[i] != NULL && argc < 10; i++)
		argv[argc++] = opt[i];
	argv[argc++] = path;
	if (pipe(out) < 0)
		return -1;
	f->pid = fork();
	if (f->pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execv(fakesrv, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	fakesrv_pid = f->pid;
	char text[32] = "";
	size_t len = 0;
	struct pollfd p = { out[0], POLLIN, 0 };
	while (len < sizeof(text) - 1 && poll(&p, 1, 5000) > 0) {
		ssize_t r = read(out[0], text + len, 1);
		if (r <= 0 || text[len] == '\n')
			break;
		len++;
	}
	text[len] = '\0';
	close(out[0]);
	unsigned long port;
	if (f->pid < 0 || str_to_ulong(text, 1, 65535, &port) < 0) {
		diag("fakesrv did not print its port (\"%s\")", text);
		return -1;
	}
	f->port = (unsigned)port;
	return 0;
}

/* fakesrv's exit status (0: the script ran to its end). */
static int fs_end(struct fs *f, int timeout_ms)
{
	int st = wait_child(f->pid, timeout_ms);
	fakesrv_pid = -1;
	return st;
}

static void fs_kill(struct fs *f)
{
	kill(f->pid, SIGTERM);
	fs_end(f, 5000);
}

static struct conn_options fs_options(const struct fs *f)
{
	return (struct conn_options){ .host = "127.0.0.1", .port = f->port,
				      .read_ms = 5000, .tls_ms = 5000 };
}

/* Opens a plain connection to a fakesrv running script. */
static struct conn *fs_open(struct fs *f, const char *script, size_t line_max)
{
	struct conn *c = NULL;
	if (fs_start(f, script, NULL) < 0)
		return NULL;
	struct conn_options o = fs_options(f);
	o.line_max = line_max;
	o.write_ms = 300; /* test_write_timeout; small writes never wait */
	err_init(&e);
	if (conn_open(&c, &o, NULL, &e) < 0)
		diag("conn_open: %s", e.msg);
	return c;
}

/* ----------------------------------------------------- protocol log */

static char trace_text[4096];

static void trace(void *ctx, bool sent, const char *p, size_t n)
{
	size_t at = strlen(trace_text);
	(void)ctx;
	snprintf(trace_text + at, sizeof(trace_text) - at, "%s%.*s", sent ? "S: " : "R: ",
		 (int)n, p);
}

/* ---------------------------------------------------------- helpers */

static int read_line(struct conn *c)
{
	err_init(&e);
	return conn_read_line(c, &line, &e);
}

static int write_str(struct conn *c, const char *s)
{
	err_init(&e);
	return conn_write(c, s, strlen(s), &e);
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static bool has(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

/* ------------------------------------------------ pins and options */

static void test_pins(void)
{
	char out[65];
	const char *lower = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	is_int(conn_pin_normalise(lower, out), 0, "pin: 64 lower-case hex digits accepted");
	is_str(out, lower, "pin: kept as it is");
	is_int(conn_pin_normalise("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:"
				  "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF", out),
	       0, "pin: colon-separated pairs, mixed case, accepted");
	is_str(out, lower, "pin: colons dropped, lower-cased");
	is_int(conn_pin_normalise("0123", out), -1, "pin: too short refused");
	is_int(conn_pin_normalise("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00",
				  out), -1, "pin: too long refused");
	is_int(conn_pin_normalise("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
				  out), -1, "pin: a non-hex digit refused");
	is_int(conn_pin_normalise("012:3456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				  out), -1, "pin: a colon inside a pair refused");
	is_int(conn_pin_normalise("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:"
				  "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:", out),
	       -1, "pin: a trailing colon refused");
	is_int(conn_pin_normalise("", out), -1, "pin: empty refused");

	struct conn *c = (struct conn *)&c; /* not NULL: conn_open must reset it */
	struct conn_options o = { .host = "127.0.0.1", .port = 0 };
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) < 0 && e.code == ERR_CONFIG && c == NULL,
	   "options: port 0 is a configuration error: %s", e.msg);
	o.port = 995;
	o.pin_sha256 = "abc";
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) < 0 && e.code == ERR_CONFIG && e.scope == ERR_ACCOUNT,
	   "options: a malformed pin is a configuration error: %s", e.msg);
}

/* ----------------------------------------------------- TCP failures */

static void test_tcp_failures(void)
{
	struct conn *c = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		diag("cannot find a free port");
	close(fd); /* bound, never listened: nobody is there now */
	struct conn_options o = { .host = "127.0.0.1", .port = ntohs(sa.sin_port) };
	char want[64];
	snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%u: ", o.port);
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) < 0 && e.code == CONN_ERR_CONNECT &&
	   e.scope == ERR_ACCOUNT && c == NULL, "a closed port is CONN_ERR_CONNECT");
	ok(has(e.msg, want) && has(e.msg, "Connection refused"),
	   "the error names host:port and the reason: %s", e.msg);

	o.host = "no-such-host.invalid";
	o.port = 993;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) < 0 && e.code == CONN_ERR_RESOLVE && c == NULL,
	   "an unknown host is CONN_ERR_RESOLVE");
	ok(has(e.msg, "no-such-host.invalid"), "the error names the host: %s", e.msg);
}

/* A listener whose accept queue is full: the next SYN is dropped, so a
 * connect hangs until tern's own timeout. */
static void test_connect_timeout(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), filler[4];
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 0) < 0 || getsockname(lfd, (struct sockaddr *)&sa, &len) < 0) {
		ok(0, "connect timeout: cannot set up a listener");
		return;
	}
	for (int i = 0; i < 4; i++) {
		filler[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(filler[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		    errno != EINPROGRESS)
			diag("filler connect: %s", strerror(errno));
	}
	sleep_ms(100);
	struct conn *c = NULL;
	struct conn_options o = { .host = "127.0.0.1", .port = ntohs(sa.sin_port),
				  .connect_ms = 300 };
	long long t0 = now_ms();
	err_init(&e);
	int rc = conn_open(&c, &o, NULL, &e);
	long long took = now_ms() - t0;
	if (rc == 0) {
		ok(1, "connect timeout # SKIP this network stack accepts past the backlog");
		conn_close(&c);
	} else {
		ok(e.code == CONN_ERR_TIMEOUT && took >= 250 && took < 3000,
		   "a connect that gets no answer times out after connect_ms (%lld ms): %s",
		   took, e.msg);
	}
	for (int i = 0; i < 4; i++)
		close(filler[i]);
	close(lfd);
}

/* -------------------------------------------------- hostile, plain */

/* Every connection asks for TCP keepalive (a peer gone without a word is
 * found while idle) and a user timeout as long. */
static void test_keepalive(void)
{
	struct fs f;
	struct conn *c = fs_open(&f, "send * OK hello\\r\\n\n", 0);
	if (c == NULL) {
		ok(0, "keepalive: connected");
		return;
	}
	int fd = conn_fd(c), on = 0, idle = 0, intvl = 0, cnt = 0;
	unsigned user = 0;
	socklen_t n = sizeof(int);
	ok(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &n) == 0 && on == 1,
	   "SO_KEEPALIVE is on");
	n = sizeof(int);
	getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &n);
	n = sizeof(int);
	getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, &n);
	n = sizeof(int);
	getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, &n);
	ok(idle == CONN_KEEPALIVE_IDLE_S && intvl == CONN_KEEPALIVE_INTERVAL_S &&
	   cnt == CONN_KEEPALIVE_PROBES, "probes after %d s of silence, every %d s, %d of them",
	   idle, intvl, cnt);
	n = sizeof(user);
	getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user, &n);
	is_int((long long)user, (long long)(CONN_KEEPALIVE_IDLE_S + CONN_KEEPALIVE_INTERVAL_S *
					     CONN_KEEPALIVE_PROBES) * 1000,
	       "unacknowledged data ends the connection as late (TCP_USER_TIMEOUT, ms)");
	ok(read_line(c) == 0, "and the connection works");
	conn_close(&c);
	fs_end(&f, 5000);
}

static void test_stall(void)
{
	struct fs f;
	struct conn *c = fs_open(&f, "sleep 1500\nsend * OK late\\r\\n\n", 0);
	if (c == NULL) {
		ok(0, "stall: connected");
		return;
	}
	conn_set_read_timeout(c, 300);
	long long t0 = now_ms();
	int rc = read_line(c);
	long long took = now_ms() - t0;
	ok(rc < 0 && e.code == CONN_ERR_TIMEOUT, "a server stalling before its greeting: timeout");
	ok(took >= 250 && took < 1200, "after read_ms (300 ms), not later: %lld ms", took);
	ok(has(e.msg, "127.0.0.1:") && has(e.msg, "300 ms"),
	   "the timeout names the server and the time: %s", e.msg);
	conn_set_read_timeout(c, 5000);
	ok(read_line(c) == 0 && strcmp(line.data, "* OK late\r\n") == 0,
	   "a line-read timeout leaves the connection usable (IDLE can wait again)");
	conn_close(&c);
	ok(c == NULL, "conn_close sets the pointer to NULL");
	is_int(fs_end(&f, 5000), 0, "the stalling server ran its script");
}

static void test_drip(void)
{
	struct fs f;
	struct conn *c = fs_open(&f, "drip +OK this greeting arrives one byte at a time\\r\\n 200\n",
				 0);
	if (c == NULL) {
		ok(0, "drip: connected");
		return;
	}
	conn_set_read_timeout(c, 1000);
	long long t0 = now_ms();
	int rc = read_line(c);
	long long took = now_ms() - t0;
	ok(rc < 0 && e.code == CONN_ERR_TIMEOUT,
	   "a server dripping one byte per 200 ms: timeout, not success");
	/* Byte by byte the line would take 10 s, and a per-byte deadline
	 * would never expire. */
	ok(took >= 900 && took < 4000,
	   "the deadline is for the whole line (read_ms 1000), not per byte: %lld ms", took);
	conn_close(&c);
	fs_kill(&f);
}

static void test_long_lines(void)
{
	struct fs f;
	char script[1024], x[128];
	memset(x, 'x', sizeof(x));
	snprintf(script, sizeof(script), "send %.98s\\r\\n\nsend %.99s\\r\\nOK\\r\\n\n", x, x);
	struct conn *c = fs_open(&f, script, 100);
	if (c == NULL) {
		ok(0, "long lines: connected");
		return;
	}
	ok(read_line(c) == 0 && line.len == 100 && has(line.data, "xx\r\n"),
	   "a line of exactly line_max bytes (CRLF included) is accepted");
	ok(read_line(c) < 0 && e.code == ERR_LIMIT, "a line of line_max + 1 bytes: ERR_LIMIT");
	ok(has(e.msg, "100 bytes"), "the error says the limit: %s", e.msg);
	ok(read_line(c) < 0 && e.code == ERR_LIMIT,
	   "the connection is unusable afterwards (the same error again)");
	conn_close(&c);
	fs_kill(&f);

	/* No LF at all: refused once line_max bytes are in, not at the
	 * timeout. */
	char big[5200];
	memcpy(big, "send ", 5);
	memset(big + 5, 'y', 5000);
	memcpy(big + 5005, "\nsleep 3000\n", 13);
	c = fs_open(&f, big, 100);
	if (c == NULL) {
		ok(0, "endless line: connected");
		return;
	}
	long long t0 = now_ms();
	ok(read_line(c) < 0 && e.code == ERR_LIMIT && now_ms() - t0 < 2000,
	   "an endless line is refused as soon as line_max bytes have come");
	conn_close(&c);
	fs_kill(&f);
}

static void test_closing(void)
{
	struct fs f;
	struct conn *c = fs_open(&f, "send +OK whole\\r\\n+OK part\nclose\n", 0);
	if (c == NULL) {
		ok(0, "closing: connected");
		return;
	}
	ok(read_line(c) == 0 && strcmp(line.data, "+OK whole\r\n") == 0,
	   "the line before the close arrives");
	ok(read_line(c) < 0 && e.code == CONN_ERR_CLOSED,
	   "a server closing in the middle of a line: CONN_ERR_CLOSED");
	ok(has(e.msg, "middle of a line"), "and says so: %s", e.msg);
	conn_close(&c);
	is_int(fs_end(&f, 5000), 0, "the closing server ran its script");

	c = fs_open(&f, "send +OK\\r\\n\n", 0);
	if (c == NULL) {
		ok(0, "closing: connected");
		return;
	}
	ok(read_line(c) == 0 && read_line(c) < 0 && e.code == CONN_ERR_CLOSED &&
	   !has(e.msg, "middle"), "a close between lines: CONN_ERR_CLOSED: %s", e.msg);
	conn_close(&c);
	fs_end(&f, 5000);
}

static void test_literals(void)
{
	struct fs f;
	struct buf lit;
	buf_init(&lit, 64);
	struct conn *c = fs_open(&f, "send * 1 FETCH (BODY[] {12}\\r\\nhello\\r\\nworld)\\r\\n\n"
				 "drip {10}\\r\\nabc 100\nclose\n", 0);
	if (c == NULL) {
		ok(0, "literals: connected");
		return;
	}
	ok(read_line(c) == 0 && has(line.data, "{12}\r\n"), "the line announcing a literal");
	err_init(&e);
	ok(conn_read_exact(c, 12, &lit, &e) == 0 && lit.len == 12 &&
	   memcmp(lit.data, "hello\r\nworld", 12) == 0, "conn_read_exact returns exactly n bytes");
	ok(read_line(c) == 0 && strcmp(line.data, ")\r\n") == 0,
	   "the line after the literal is intact");
	ok(read_line(c) == 0 && strcmp(line.data, "{10}\r\n") == 0,
	   "a second literal is announced");
	buf_reset(&lit);
	err_init(&e);
	ok(conn_read_exact(c, 10, &lit, &e) < 0 && e.code == CONN_ERR_CLOSED &&
	   has(e.msg, "3 of 10"), "a literal cut short by a close: %s", e.msg);
	is_str(lit.data, "abc", "the bytes that came are appended");
	conn_close(&c);
	fs_end(&f, 5000);

	c = fs_open(&f, "send {100}\\r\\n\nsleep 2000\n", 0);
	if (c != NULL) {
		buf_reset(&lit);
		err_init(&e);
		ok(read_line(c) == 0 && conn_read_exact(c, 100, &lit, &e) < 0 &&
		   e.code == ERR_LIMIT && lit.len == 0,
		   "a literal larger than the buffer's maximum: ERR_LIMIT before reading");
		conn_close(&c);
		fs_kill(&f);
	}
	buf_release(&lit);
}

/* Lines and literals arriving one byte at a time. */
static void test_byte_at_a_time(void)
{
	struct fs f;
	struct buf lit;
	buf_init(&lit, 64);
	struct conn *c = fs_open(&f, "drip * OK hi\\r\\n* 1 FETCH {5}\\r\\nab\\ncd)\\r\\nA OK\\n 5\n", 0);
	if (c == NULL) {
		ok(0, "byte at a time: connected");
		return;
	}
	bool first = read_line(c) == 0 && strcmp(line.data, "* OK hi\r\n") == 0;
	bool second = read_line(c) == 0 && strcmp(line.data, "* 1 FETCH {5}\r\n") == 0;
	err_init(&e);
	bool literal = conn_read_exact(c, 5, &lit, &e) == 0 && strcmp(lit.data, "ab\ncd") == 0;
	bool after = read_line(c) == 0 && strcmp(line.data, ")\r\n") == 0;
	bool bare_lf = read_line(c) == 0 && strcmp(line.data, "A OK\n") == 0;
	ok(first && second && literal && after,
	   "lines and a literal arriving one byte at a time are reassembled");
	ok(bare_lf, "a line ending in a bare LF is returned as it is");
	ok(read_line(c) < 0 && e.code == CONN_ERR_CLOSED, "then the end of the stream");
	conn_close(&c);
	is_int(fs_end(&f, 5000), 0, "the dripping server ran its script");
	buf_release(&lit);
}

static void test_injection(void)
{
	struct fs f;
	struct conn_cert cert;
	memset(&cert, 'z', sizeof(cert));
	struct conn *c = fs_open(&f, "send +OK ready\\r\\n\nexpect STLS\n"
				 "send +OK begin TLS\\r\\n+OK injected\\r\\n\n", 0);
	if (c == NULL) {
		ok(0, "injection: connected");
		return;
	}
	ok(read_line(c) == 0 && write_str(c, "STLS\r\n") == 0 && read_line(c) == 0 &&
	   strcmp(line.data, "+OK begin TLS\r\n") == 0, "STLS answered");
	is_int((long long)conn_buffered(c), 14, "the injected reply is buffered, unread");
	err_init(&e);
	ok(conn_start_tls(c, &cert, &e) < 0 && e.code == CONN_ERR_INJECTION,
	   "bytes after the STLS reply (one segment): CONN_ERR_INJECTION");
	ok(has(e.msg, "before the TLS handshake") && has(e.msg, "nothing was sent"),
	   "the error explains: %s", e.msg);
	is_str(cert.sha256, "", "no certificate is described");
	ok(read_line(c) < 0 && e.code == CONN_ERR_INJECTION,
	   "the injected line is never returned afterwards");
	ok(!conn_is_tls(c), "the connection is not TLS");
	conn_close(&c);
	is_int(fs_end(&f, 5000), 0, "the injecting server saw STLS");

	/* The injected bytes come in a second segment, before the client
	 * starts the handshake: found waiting in the socket. */
	c = fs_open(&f, "send +OK ready\\r\\n\nexpect STLS\nsend +OK begin TLS\\r\\n\n"
		    "sleep 100\nsend +OK injected\\r\\n\n", 0);
	if (c == NULL) {
		ok(0, "injection: connected");
		return;
	}
	ok(read_line(c) == 0 && write_str(c, "STLS\r\n") == 0 && read_line(c) == 0,
	   "STLS answered");
	struct pollfd p = { conn_fd(c), POLLIN, 0 };
	ok(conn_buffered(c) == 0 && poll(&p, 1, 5000) == 1,
	   "the injected reply arrives on its own, after the STLS reply was read");
	err_init(&e);
	ok(conn_start_tls(c, NULL, &e) < 0 && e.code == CONN_ERR_INJECTION,
	   "bytes waiting in the socket before the handshake: CONN_ERR_INJECTION");
	conn_close(&c);
	fs_end(&f, 5000);
}

static void test_sigpipe_plain(void)
{
	struct fs f;
	struct conn *c = fs_open(&f, "send +OK\\r\\n\ndrop\n", 0);
	if (c == NULL) {
		ok(0, "sigpipe: connected");
		return;
	}
	ok(read_line(c) == 0, "greeting read before the server drops");
	fs_end(&f, 5000);
	int rc = 0;
	for (int i = 0; i < 50 && rc == 0; i++) {
		sleep_ms(20);
		rc = write_str(c, "NOOP\r\n");
	}
	ok(rc < 0 && e.code == CONN_ERR_CLOSED,
	   "writing to a dropped connection fails with CONN_ERR_CLOSED, no SIGPIPE: %s", e.msg);
	conn_close(&c);
}

static void test_write_timeout(void)
{
	struct fs f;
	struct conn *c = fs_open(&f, "sleep 5000\n", 0);
	if (c == NULL) {
		ok(0, "write timeout: connected");
		return;
	}
	/* More than the socket buffers on both sides can hold. */
	size_t n = (size_t)64 << 20;
	char *big = calloc(1, n);
	err_init(&e);
	int rc = big != NULL ? conn_write(c, big, n, &e) : 0;
	ok(rc < 0 && e.code == CONN_ERR_TIMEOUT && has(e.msg, "300 ms"),
	   "a server that reads nothing: the write times out after write_ms: %s", e.msg);
	free(big);
	conn_close(&c);
	fs_kill(&f);
}

static void test_trace(void)
{
	struct fs f;
	if (fs_start(&f, "send +OK hi\\r\\n\nexpect CAPA\nsend +OK\\r\\nTOP\\r\\n.\\r\\n\n", NULL) < 0) {
		ok(0, "trace: fakesrv started");
		return;
	}
	struct conn_options o = fs_options(&f);
	struct conn *c = NULL;
	o.trace = trace;
	trace_text[0] = '\0';
	err_init(&e);
	if (conn_open(&c, &o, NULL, &e) == 0) {
		for (int i = 0; i < 4 && read_line(c) == 0; i++)
			if (i == 0 && write_str(c, "CAPA\r\n") < 0)
				break;
		conn_close(&c);
	}
	is_str(trace_text, "R: +OK hi\r\nS: CAPA\r\nR: +OK\r\nR: TOP\r\nR: .\r\n",
	       "the trace callback sees each line, with its direction");
	fs_end(&f, 5000);
}

/* -------------------------------------------------- hostile, TLS */

static const char cert_script[] =
	"set -e\n"
	"cd \"$1\"\n"
	"ec='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
	"openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 \\\n"
	"  -subj '/CN=fakesrv test CA' -addext basicConstraints=critical,CA:TRUE \\\n"
	"  -addext keyUsage=critical,keyCertSign,cRLSign\n"
	"leaf() {\n"
	"  openssl req -new $ec -keyout $1.key -out $1.csr -subj \"$2\"\n"
	"  printf '%s\\n' \"$3\" >$1.ext\n"
	"  openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -set_serial $4 \\\n"
	"    -days 2 -extfile $1.ext -out $1.pem\n"
	"}\n"
	"leaf good /CN=localhost subjectAltName=DNS:localhost,IP:127.0.0.1 11\n"
	"leaf cnonly /CN=localhost basicConstraints=CA:FALSE 12\n"
	"leaf other /CN=localhost subjectAltName=DNS:mail.example.org 13\n"
	"openssl req -x509 $ec -keyout self.key -out self.pem -days 2 \\\n"
	"  -subj /CN=localhost -addext subjectAltName=DNS:localhost\n"
	"openssl req -new $ec -keyout old.key -out old.csr -subj /CN=localhost\n"
	"printf 'subjectAltName=DNS:localhost\\n' >old.ext\n"
	": >index.txt\n"
	"echo 20 >serial\n"
	"printf '[ca]\\ndefault_ca = t\\n[t]\\ndatabase = index.txt\\nnew_certs_dir = .\\n"
	"serial = serial\\ndefault_md = sha256\\npolicy = p\\n[p]\\ncommonName = supplied\\n' >ca.cnf\n"
	"openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in old.csr \\\n"
	"  -out old.pem -startdate 20200101000000Z -enddate 20200102000000Z \\\n"
	"  -extfile old.ext -notext\n";

static void make_certs(void)
{
	char dir[4200], script[4300];
	snprintf(dir, sizeof(dir), "%s/certs", tmp);
	snprintf(script, sizeof(script), "%s/mkcerts.sh", tmp);
	tu_write(script, cert_script, strlen(cert_script));
	if (mkdir(dir, 0700) < 0)
		return;
	char *argv[] = { "/bin/sh", "-c", "sh \"$0\" \"$1\" >/dev/null 2>&1", script, dir, NULL };
	have_certs = run(argv, 30000) == 0;
	if (!have_certs)
		diag("cannot make test certificates with the openssl command");
}

/* Starts fakesrv with certificate NAME from tmp/certs. */
static int fs_start_tls(struct fs *f, const char *script, const char *name, const char *max)
{
	static char cert[4200], key[4200];
	snprintf(cert, sizeof(cert), "%s/certs/%s.pem", tmp, name);
	snprintf(key, sizeof(key), "%s/certs/%s.key", tmp, name);
	const char *opt[] = { "-c", cert, "-k", key, max != NULL ? "-T" : NULL, max, NULL };
	return fs_start(f, script, opt);
}

static char ca_pem[4200];

static struct fs tls_srv;

/* Implicit TLS to a fakesrv with certificate NAME running script;
 * returns conn_open's result, with e and cert filled.  tls_close() ends
 * both sides. */
static int tls_open(const char *name, const char *host, const char *script,
		    struct conn_cert *cert, struct conn **c_r)
{
	*c_r = NULL;
	if (fs_start_tls(&tls_srv, script, name, NULL) < 0)
		return -2;
	struct conn_options o = fs_options(&tls_srv);
	o.host = host;
	o.ca_file = ca_pem;
	o.implicit_tls = true;
	err_init(&e);
	return conn_open(c_r, &o, cert, &e);
}

static void tls_close(struct conn **c)
{
	if (*c == NULL) {
		fs_kill(&tls_srv);
		return;
	}
	conn_close(c);
	fs_end(&tls_srv, 5000);
}

static void test_tls_names(void)
{
	struct conn_cert cert;
	struct conn *c;
	const char *hello = "starttls\nsend +OK hello\\r\\n\n";

	ok(tls_open("good", "localhost", hello, &cert, &c) == 0 && read_line(c) == 0 &&
	   strcmp(line.data, "+OK hello\r\n") == 0 && conn_is_tls(c),
	   "implicit TLS, name in the subjectAltName: accepted");
	ok(is_hex64(cert.sha256) && cert.problem[0] == '\0' && has(cert.issuer, "fakesrv test CA"),
	   "the accepted certificate is described (issuer %s)", cert.issuer);
	tls_close(&c);

	ok(tls_open("good", "127.0.0.1", hello, &cert, &c) == 0,
	   "an IP address is matched against the IP addresses in the subjectAltName");
	tls_close(&c);

	ok(tls_open("other", "localhost", hello, &cert, &c) < 0 &&
	   e.code == CONN_ERR_TLS_UNVERIFIED && c == NULL,
	   "CN matches but the subjectAltName does not: refused (no CN fallback)");
	is_str(cert.problem, "host name mismatch", "the problem is the host name");
	ok(has(e.msg, "not trusted (host name mismatch); nothing was sent"),
	   "the error says why and what was not done: %s", e.msg);
	tls_close(&c);

	ok(tls_open("cnonly", "localhost", hello, &cert, &c) == 0,
	   "no subjectAltName at all: the CN is used (RFC 7817 4)");
	tls_close(&c);
	ok(tls_open("cnonly", "127.0.0.1", hello, &cert, &c) < 0 &&
	   e.code == CONN_ERR_TLS_UNVERIFIED && strcmp(cert.problem, "IP address mismatch") == 0,
	   "an IP address is never matched against the CN: %s", cert.problem);
	tls_close(&c);

	ok(tls_open("old", "localhost", hello, &cert, &c) < 0 &&
	   e.code == CONN_ERR_TLS_UNVERIFIED && has(cert.problem, "expired"),
	   "an expired certificate is refused: %s", cert.problem);
	is_int(cert.not_after, 1577923200, "its notAfter is given in UTC seconds (2020-01-02)");
	tls_close(&c);
	ok(tls_open("self", "localhost", hello, &cert, &c) < 0 &&
	   e.code == CONN_ERR_TLS_UNVERIFIED && has(cert.problem, "self-signed"),
	   "a self-signed certificate is refused: %s", cert.problem);
	tls_close(&c);
}

/* Options for implicit TLS to a fakesrv with the test CA's certificates. */
static struct conn_options tls_options(const struct fs *f)
{
	struct conn_options o = fs_options(f);
	o.host = "localhost";
	o.ca_file = ca_pem;
	o.implicit_tls = true;
	return o;
}

static void test_tls_starttls(void)
{
	struct fs f;
	struct conn *c = NULL;
	if (fs_start_tls(&f, "send +OK ready\\r\\n\nexpect STLS\nsend +OK begin\\r\\n\nstarttls\n"
			 "expect CAPA\nsend +OK secret\\r\\n\n", "good", NULL) < 0) {
		ok(0, "STLS: fakesrv started");
		return;
	}
	struct conn_options o = tls_options(&f);
	o.implicit_tls = false;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0 && read_line(c) == 0 &&
	   write_str(c, "STLS\r\n") == 0 && read_line(c) == 0 &&
	   conn_start_tls(c, NULL, &e) == 0 && conn_is_tls(c),
	   "STLS then a TLS handshake in place: %s", e.msg);
	ok(c != NULL && write_str(c, "CAPA\r\n") == 0 && read_line(c) == 0 &&
	   strcmp(line.data, "+OK secret\r\n") == 0, "a command works over TLS");
	ok(c != NULL && read_line(c) < 0 && e.code == CONN_ERR_CLOSED,
	   "the server's close_notify ends the stream: CONN_ERR_CLOSED");
	conn_close(&c);
	is_int(fs_end(&f, 5000), 0, "the STLS server ran its script");
}

/* Starts fakesrv (certificate "good", TLS version max or NULL) and
 * conn_open()s it with o; the server is then stopped. */
static int tls_try(const char *script, const char *max, struct conn_options *o)
{
	struct fs f;
	struct conn *c = NULL;
	if (fs_start_tls(&f, script, "good", max) < 0)
		return -2;
	struct conn_options t = tls_options(&f);
	t.tls_ms = o->tls_ms;
	if (o->ca_file != NULL)
		t.ca_file = o->ca_file;
	err_init(&e);
	int rc = conn_open(&c, &t, NULL, &e);
	conn_close(&c);
	fs_kill(&f);
	return rc;
}

static void test_tls_refusals(void)
{
	struct conn_options o = { .tls_ms = 300 };
	long long t0 = now_ms();
	ok(tls_try("sleep 3000\nstarttls\n", NULL, &o) == -1 && e.code == CONN_ERR_TIMEOUT &&
	   now_ms() - t0 < 2500 && has(e.msg, "TLS handshake"),
	   "a stalled TLS handshake times out after tls_ms: %s", e.msg);

	o.tls_ms = 5000;
	ok(tls_try("starttls\n", "1.1", &o) == -1 && e.code == CONN_ERR_TLS,
	   "a server offering only TLS 1.0/1.1 is refused: %s", e.msg);

	o.ca_file = "/nonexistent/ca.pem";
	ok(tls_try("starttls\n", NULL, &o) == -1 && e.code == ERR_CONFIG &&
	   has(e.msg, "/nonexistent/ca.pem"), "an unreadable ca_file: %s", e.msg);

	struct fs f;
	struct conn *c = NULL;
	if (fs_start(&f, "send +OK plain text\\r\\n\n", NULL) == 0) {
		o = fs_options(&f);
		o.implicit_tls = true;
		err_init(&e);
		ok(conn_open(&c, &o, NULL, &e) < 0 && e.code == CONN_ERR_TLS &&
		   has(e.msg, "nothing was sent"),
		   "implicit TLS to a plaintext server fails cleanly: %s", e.msg);
		fs_kill(&f);
	}
}

static void test_tls_sigpipe(void)
{
	struct fs f;
	struct conn *c = NULL;
	if (fs_start_tls(&f, "starttls\nsend +OK\\r\\n\ndrop\n", "good", NULL) < 0) {
		ok(0, "TLS drop: fakesrv started");
		return;
	}
	struct conn_options o = tls_options(&f);
	err_init(&e);
	int rc = conn_open(&c, &o, NULL, &e) == 0 ? read_line(c) : -1;
	fs_end(&f, 5000);
	for (int i = 0; i < 50 && rc == 0; i++) {
		sleep_ms(20);
		rc = write_str(c, "NOOP\r\n");
	}
	ok(rc < 0 && e.code == CONN_ERR_CLOSED,
	   "writing over TLS to a dropped connection: CONN_ERR_CLOSED, no SIGPIPE: %s", e.msg);
	conn_close(&c);
}

/* ------------------------------------------------------------ Dovecot */

struct dovecot {
	char dir[4200];
	unsigned imap, imaps, pop3, pop3s;
	char ca[4300];
};

static unsigned env_port(const char *env, const char *key)
{
	unsigned long v = 0;
	char name[32];
	snprintf(name, sizeof(name), "\n%s=", key);
	const char *p = strstr(env, name);
	if (p == NULL)
		return 0;
	p += strlen(name);
	char num[8] = "";
	size_t n = strspn(p, "0123456789");
	if (n < sizeof(num))
		memcpy(num, p, n);
	num[n < sizeof(num) ? n : 0] = '\0';
	return str_to_ulong(num, 1, 65535, &v) == 0 ? (unsigned)v : 0;
}

/* DOVECOT_BIN if set (make check sets it to what configure found, or
 * to ""), else /usr/sbin/dovecot; NULL if that is not there. */
static const char *dovecot_bin(void)
{
	const char *b = getenv("DOVECOT_BIN");
	if (b == NULL || b[0] == '\0')
		b = "/usr/sbin/dovecot";
	if (strchr(b, '/') != NULL && access(b, X_OK) < 0)
		return NULL;
	return b;
}

static int dovecot_start(struct dovecot *d)
{
	static char script[4200];
	const char *top = getenv("top_srcdir");
	snprintf(script, sizeof(script), "%s/tests/server/dovecot.sh", top ? top : ".");
	snprintf(d->dir, sizeof(d->dir), "%s/dovecot", tmp);
	dovecot_stop_argv[0] = script; /* a bash script, run by its #! line */
	dovecot_stop_argv[1] = "stop";
	dovecot_stop_argv[2] = d->dir;
	char *start[] = { script, "start", d->dir, NULL };
	/* As root, Dovecot's unprivileged processes must traverse tmp. */
	chmod(tmp, 0711);
	if (run(start, 60000) != 0)
		return -1;
	char env[4300];
	snprintf(env, sizeof(env), "%s/env", d->dir);
	const char *text = tu_read(env);
	d->imap = env_port(text, "IMAP_PORT");
	d->imaps = env_port(text, "IMAPS_PORT");
	d->pop3 = env_port(text, "POP3_PORT");
	d->pop3s = env_port(text, "POP3S_PORT");
	snprintf(d->ca, sizeof(d->ca), "%s/ca.pem", d->dir);
	return d->imap && d->imaps && d->pop3 && d->pop3s ? 0 : -1;
}

static void dovecot_stop(void)
{
	run(dovecot_stop_argv, 30000);
	dovecot_stop_argv[0] = NULL;
}

static struct conn_options dv_options(unsigned port, const char *host, const char *ca,
				      const char *pin)
{
	return (struct conn_options){ .host = host, .port = port, .ca_file = ca,
				      .pin_sha256 = pin, .implicit_tls = true,
				      .read_ms = 10000 };
}

static void test_dovecot_implicit(const struct dovecot *d)
{
	struct conn *c = NULL;
	struct conn_cert cert;
	struct conn_options o = dv_options(d->pop3s, "localhost", d->ca, NULL);
	err_init(&e);
	ok(conn_open(&c, &o, &cert, &e) == 0 && conn_is_tls(c), "Dovecot POP3S, implicit TLS: %s",
	   e.msg);
	ok(c != NULL && read_line(c) == 0 && str_has_prefix(line.data, "+OK") &&
	   has(line.data, "\r\n"), "the POP3 greeting, CRLF kept");
	ok(has(cert.subject, "CN = localhost") && has(cert.issuer, "tern test CA"),
	   "the certificate's subject and issuer: %s / %s", cert.subject, cert.issuer);
	long long now = (long long)time(NULL);
	ok(cert.not_before <= now && now < cert.not_after &&
	   cert.not_after - cert.not_before >= 3 * 86400 - 60,
	   "its validity dates (3 days from now)");
	conn_close(&c);

	o = dv_options(d->imaps, "127.0.0.1", d->ca, NULL);
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0 && read_line(c) == 0 &&
	   str_has_prefix(line.data, "* OK"), "Dovecot IMAPS by IP address");
	conn_close(&c);
}

static void test_dovecot_starttls(const struct dovecot *d)
{
	struct conn *c = NULL;
	struct conn_options o = dv_options(d->imap, "localhost", d->ca, NULL);
	o.implicit_tls = false;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0 && !conn_is_tls(c) && read_line(c) == 0 &&
	   str_has_prefix(line.data, "* OK"), "Dovecot IMAP, plain greeting");
	ok(c != NULL && write_str(c, "a STARTTLS\r\n") == 0 && read_line(c) == 0 &&
	   str_has_prefix(line.data, "a OK"), "STARTTLS answered");
	err_init(&e);
	ok(c != NULL && conn_start_tls(c, NULL, &e) == 0 && conn_is_tls(c),
	   "IMAP STARTTLS: handshake in place: %s", e.msg);
	ok(c != NULL && write_str(c, "b CAPABILITY\r\n") == 0 && read_line(c) == 0 &&
	   str_has_prefix(line.data, "* CAPABILITY") && read_line(c) == 0 &&
	   str_has_prefix(line.data, "b OK"), "a command works over TLS");
	if (c != NULL)
		buf_cut_ok(write_str(c, "c LOGOUT\r\n"));
	conn_close(&c);

	o.port = d->pop3;
	o.trace = trace;
	trace_text[0] = '\0';
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0 && read_line(c) == 0 &&
	   write_str(c, "STLS\r\n") == 0 && read_line(c) == 0 &&
	   str_has_prefix(line.data, "+OK"), "Dovecot POP3: STLS answered");
	err_init(&e);
	ok(c != NULL && conn_start_tls(c, NULL, &e) == 0, "POP3 STLS: handshake: %s", e.msg);
	bool capa = c != NULL && write_str(c, "CAPA\r\n") == 0 && read_line(c) == 0 &&
		    str_has_prefix(line.data, "+OK");
	bool user = false;
	for (int i = 0; capa && i < 40 && read_line(c) == 0 && strcmp(line.data, ".\r\n") != 0; i++)
		user = user || strcmp(line.data, "USER\r\n") == 0;
	ok(capa && user, "CAPA over TLS lists USER");
	ok(str_has_prefix(trace_text, "R: +OK") && has(trace_text, "\nS: STLS\r\nR: +OK") &&
	   has(trace_text, "S: CAPA\r\n"), "the protocol trace shows both directions");
	conn_close(&c);
}

static void test_dovecot_trust(const struct dovecot *d)
{
	struct conn *c = NULL;
	struct conn_cert cert;
	char want[64], pin[65], colons[100];
	struct conn_options o = dv_options(d->pop3s, "localhost", NULL, NULL);
	err_init(&e);
	ok(conn_open(&c, &o, &cert, &e) < 0 && e.code == CONN_ERR_TLS_UNVERIFIED && c == NULL,
	   "no ca_file: the test CA's certificate is not trusted");
	ok(is_hex64(cert.sha256), "its SHA-256 is described: %s", cert.sha256);
	is_str(cert.problem, "unable to get local issuer certificate", "and the problem");
	snprintf(want, sizeof(want), "localhost:%u: the certificate is not trusted", d->pop3s);
	ok(has(e.msg, want) && has(e.msg, "nothing was sent"), "the error: %s", e.msg);
	memcpy(pin, cert.sha256, sizeof(pin));

	o.pin_sha256 = pin;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0 && read_line(c) == 0 &&
	   str_has_prefix(line.data, "+OK"), "the same certificate pinned: accepted");
	conn_close(&c);
	for (int i = 0; i < 32; i++)
		snprintf(colons + 3 * i, 4, "%c%c:", pin[2 * i] - (pin[2 * i] >= 'a' ? 32 : 0),
			 pin[2 * i + 1] - (pin[2 * i + 1] >= 'a' ? 32 : 0));
	colons[95] = '\0';
	o.pin_sha256 = colons;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0, "the pin written AB:CD:... matches too");
	conn_close(&c);
	o.host = "127.1";
	o.pin_sha256 = pin;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0, "a pinned certificate is accepted whatever its name");
	conn_close(&c);

	o = dv_options(d->pop3s, "localhost", d->ca,
		       "0000000000000000000000000000000000000000000000000000000000000000");
	err_init(&e);
	ok(conn_open(&c, &o, &cert, &e) < 0 && e.code == CONN_ERR_TLS_PIN,
	   "a wrong pin is refused even with the right CA");
	ok(has(e.msg, pin) && has(e.msg, "NOT the pinned one"), "loudly: %s", e.msg);

	/* The certificate carries DNS:localhost and IP:127.0.0.1.  "127.1"
	 * reaches 127.0.0.1 (getaddrinfo) but is neither. */
	o = dv_options(d->imaps, "127.1", d->ca, NULL);
	err_init(&e);
	ok(conn_open(&c, &o, &cert, &e) < 0 && e.code == CONN_ERR_TLS_UNVERIFIED,
	   "a name the certificate does not carry: unverified");
	is_str(cert.problem, "host name mismatch", "the problem is the host name");

	o = dv_options(d->pop3, "localhost", NULL, NULL);
	o.implicit_tls = false;
	err_init(&e);
	ok(conn_open(&c, &o, NULL, &e) == 0 && read_line(c) == 0 &&
	   write_str(c, "STLS\r\n") == 0 && read_line(c) == 0 &&
	   conn_start_tls(c, &cert, &e) < 0 && e.code == CONN_ERR_TLS_UNVERIFIED &&
	   strcmp(cert.sha256, pin) == 0,
	   "STLS without the CA: unverified, the same certificate described");
	conn_close(&c);
}

static void test_dovecot(void)
{
	struct dovecot d;
	const char *bin = dovecot_bin();
	if (bin == NULL) {
		ok(1, "Dovecot cases # SKIP dovecot is not installed");
		return;
	}
	setenv("DOVECOT_BIN", bin, 1);
	if (dovecot_start(&d) < 0) {
		ok(0, "the private Dovecot starts");
		dovecot_stop();
		return;
	}
	test_dovecot_implicit(&d);
	test_dovecot_starttls(&d);
	test_dovecot_trust(&d);
	dovecot_stop();
}

/* ------------------------------------------------------------- main */

static const char *find_fakesrv(void)
{
	static char path[4200];
	const char *env = getenv("FAKESRV");
	if (env != NULL && env[0] != '\0')
		return env;
	const char *top = getenv("top_builddir");
	snprintf(path, sizeof(path), "%s/tests/hostile/fakesrv", top ? top : ".");
	return path;
}

int main(void)
{
	catch_fatal_signals();
	alarm(TEST_ALARM_S);
	tmp = tu_tempdir();
	buf_init(&line, 1 << 16);

	test_pins();
	test_tcp_failures();
	test_connect_timeout();
	fakesrv = find_fakesrv();
	if (ok(access(fakesrv, X_OK) == 0, "fakesrv is at %s (FAKESRV)", fakesrv)) {
		test_keepalive();
		test_stall();
		test_drip();
		test_long_lines();
		test_closing();
		test_literals();
		test_byte_at_a_time();
		test_injection();
		test_sigpipe_plain();
		test_write_timeout();
		test_trace();
		make_certs();
		snprintf(ca_pem, sizeof(ca_pem), "%s/certs/ca.pem", tmp);
		if (have_certs) {
			test_tls_names();
			test_tls_starttls();
			test_tls_refusals();
			test_tls_sigpipe();
		} else {
			ok(1, "TLS cases with fakesrv # SKIP no openssl command");
		}
	}
	test_dovecot();

	alarm(0);
	buf_release(&line);
	tu_rm_rf(tmp);
	free(tmp);
	tmp = NULL;
	return done_testing();
}
