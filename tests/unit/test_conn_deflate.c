/* test_conn_deflate: COMPRESS=DEFLATE on a connection (conn.h,
 * conn_deflate.c) against a peer written here with zlib, over TCP on
 * 127.0.0.1 (conn_open() needs a real socket; the test holds the other
 * end).  The peer's bytes are written by a child process, so that a big
 * stream never blocks the test while conn reads it; what conn writes is
 * read and inflated here.
 *
 * Pinned down: bytes buffered behind the reply that starts compression
 * are inflated; lines and literals split across deflate blocks, and a
 * stream arriving one byte at a time, come out whole; every write is
 * flushed; the trace sees plain lines; a bomb ends at line_max without
 * the memory it would inflate to; a stream of empty blocks ends at the
 * read timeout; a corrupt stream and data after the stream's end are
 * CONN_ERR_COMPRESS; compression starts once, and TLS never after it. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "buf.h"
#include "conn.h"
#include "err.h"
#include "tap.h"

#define ALARM_S 120
#define BOMB_MB 256

static int listener = -1;
static unsigned port;
static pid_t writer = -1;   /* the child writing the peer's bytes */
static struct err e;
static char trace_text[8192];

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "Bail out! test_conn_deflate timed out\n";
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* exiting anyway */
	}
	if (writer > 0)
		kill(writer, SIGKILL);
	_exit(1);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void trace(void *ctx, bool sent, const char *p, size_t n)
{
	(void)ctx;
	size_t have = strlen(trace_text);
	snprintf(trace_text + have, sizeof(trace_text) - have, "%s%.*s", sent ? "C: " : "S: ",
		 (int)n, p);
}

/* ---- the peer's side: bytes and zlib ---- */

struct bytes {
	unsigned char *p;
	size_t n, cap;
};

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void bytes_str(struct bytes *b, const char *s)
{
	bytes_add(b, s, strlen(s));
}

/* Deflates s (raw, as RFC 4978 says) onto b, ending with flush. */
static void zput(z_stream *z, struct bytes *b, const void *s, size_t n, int flush)
{
	unsigned char out[16384];
	z->next_in = (Bytef *)(uintptr_t)s;
	z->avail_in = (uInt)n;
	do {
		z->next_out = out;
		z->avail_out = sizeof(out);
		int r = deflate(z, flush);
		if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END)
			abort();
		bytes_add(b, out, sizeof(out) - z->avail_out);
	} while (z->avail_in > 0 || z->avail_out == 0);
}

static void zput_str(z_stream *z, struct bytes *b, const char *s, int flush)
{
	zput(z, b, s, strlen(s), flush);
}

static void z_begin(z_stream *z)
{
	memset(z, 0, sizeof(*z));
	if (deflateInit2(z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
}

static void write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* conn closed first: fine for the peer */
		p += w;
		n -= (size_t)w;
	}
}

/* Forks the writer child: true in the child (SIGPIPE ignored, an alarm
 * ending it if the test hangs), false in the test. */
static bool fork_writer(void)
{
	writer = fork();
	if (writer < 0)
		abort();
	if (writer > 0)
		return false;
	signal(SIGPIPE, SIG_IGN);
	alarm(ALARM_S);
	return true;
}

/* Writes b on fd from a child (whole, or one byte per millisecond), then
 * closes the server's sending side. */
static void spawn_writer(int fd, const struct bytes *b, bool drip)
{
	if (!fork_writer())
		return;
	for (size_t i = 0; drip && i < b->n; i++) {
		write_all(fd, b->p + i, 1);
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	if (!drip)
		write_all(fd, b->p, b->n);
	shutdown(fd, SHUT_WR); /* the end of the stream, although the test
				  holds the descriptor too */
	_exit(0);
}

/* A child that writes "t1 OK\r\n", then BOMB_MB MiB of 'A' deflated
 * (about 256 KiB on the wire), until the other side closes. */
static void spawn_bomb(int fd)
{
	if (!fork_writer())
		return;
	static char mib[1 << 20];
	memset(mib, 'A', sizeof(mib));
	z_stream z;
	z_begin(&z);
	struct bytes b = { 0 };
	bytes_str(&b, "t1 OK compressing\r\n");
	zput_str(&z, &b, "* OK ", Z_NO_FLUSH);
	for (int i = 0; i < BOMB_MB; i++) {
		zput(&z, &b, mib, sizeof(mib), Z_NO_FLUSH);
		ssize_t w = write(fd, b.p, b.n);
		if (w != (ssize_t)b.n)
			_exit(0);
		b.n = 0;
	}
	_exit(0);
}

/* A child that writes "t1 OK on\r\n", the start of a line deflated,
 * then empty stored blocks as fast as they are taken, until the other
 * side closes: no byte of data ever comes out of them. */
static void spawn_empty_flood(int fd)
{
	if (!fork_writer())
		return;
	z_stream z;
	z_begin(&z);
	struct bytes b = { 0 };
	bytes_str(&b, "t1 OK on\r\n");
	zput_str(&z, &b, "* OK a line ", Z_SYNC_FLUSH);
	write_all(fd, b.p, b.n);
	/* After a sync flush the stream is on a byte boundary, where
	 * 00 0000 ffff is an empty, non-final stored block (RFC 1951 3.2.4). */
	static unsigned char empty[5 * 13000];
	for (size_t i = 0; i < sizeof(empty); i += 5)
		memcpy(empty + i, "\x00\x00\x00\xff\xff", 5);
	for (;;)
		if (write(fd, empty, sizeof(empty)) < 0 && errno != EINTR)
			_exit(0);
}

static void reap_writer(void)
{
	if (writer <= 0)
		return;
	long long end = now_ms() + 10000;
	while (waitpid(writer, NULL, WNOHANG) == 0) {
		if (now_ms() > end) {
			kill(writer, SIGKILL);
			waitpid(writer, NULL, 0);
			break;
		}
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	writer = -1;
}

/* ---- the connection ---- */

struct pair {
	struct conn *c;
	int peer;       /* the server's end */
};

static int pair_open(struct pair *pr, size_t line_max, int read_ms)
{
	struct conn_options o = { .host = "127.0.0.1", .port = port, .read_ms = read_ms,
				  .write_ms = 5000, .line_max = line_max, .trace = trace };
	trace_text[0] = '\0';
	err_init(&e);
	pr->peer = -1;
	if (conn_open(&pr->c, &o, NULL, &e) < 0) {
		diag("conn_open: %s", e.msg);
		return -1;
	}
	pr->peer = accept(listener, NULL, NULL);
	return pr->peer >= 0 ? 0 : -1;
}

static void pair_close(struct pair *pr)
{
	conn_close(&pr->c);
	reap_writer();
	if (pr->peer >= 0)
		close(pr->peer);
	pr->peer = -1;
}

static bool read_line_is(struct conn *c, const char *want)
{
	struct buf line;
	buf_init(&line, 1 << 20);
	bool same = conn_read_line(c, &line, &e) == 0 && strcmp(line.data, want) == 0;
	if (!same)
		diag("expected \"%s\", got \"%s\" (%s)", want, line.data, e.msg);
	buf_release(&line);
	return same;
}

/* Reads what conn wrote and inflates it with zin until want has come
 * (or 5 s passed); true when exactly want came. */
static bool peer_reads(int fd, z_stream *zin, const char *want, size_t want_n)
{
	struct bytes got = { 0 };
	long long end = now_ms() + 5000;
	while (got.n < want_n && now_ms() < end) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 100) <= 0)
			continue;
		unsigned char in[65536], out[65536];
		ssize_t r = read(fd, in, sizeof(in));
		if (r <= 0)
			break;
		zin->next_in = in;
		zin->avail_in = (uInt)r;
		do {
			zin->next_out = out;
			zin->avail_out = sizeof(out);
			int z = inflate(zin, Z_SYNC_FLUSH);
			if (z != Z_OK && z != Z_BUF_ERROR) {
				diag("the peer cannot inflate: %d", z);
				free(got.p);
				return false;
			}
			bytes_add(&got, out, sizeof(out) - zin->avail_out);
		} while (zin->avail_in > 0 || zin->avail_out == 0);
	}
	bool same = got.n == want_n && memcmp(got.p, want, want_n) == 0;
	if (!same)
		diag("the peer got %zu bytes, wanted %zu", got.n, want_n);
	free(got.p);
	return same;
}

/* ---- cases ---- */

static void test_buffered_behind_ok(void)
{
	struct pair pr;
	if (pair_open(&pr, 0, 5000) < 0) {
		ok(0, "connection for the buffered-bytes case");
		return;
	}
	z_stream z;
	z_begin(&z);
	struct bytes b = { 0 };
	/* One write: the reply and the start of the compressed stream
	 * arrive together, as they do from a real server. */
	bytes_str(&b, "t1 OK Begin compression\r\n");
	zput_str(&z, &b, "* 3 EXISTS\r\n* 1 RECENT\r\n", Z_SYNC_FLUSH);
	spawn_writer(pr.peer, &b, false);
	ok(read_line_is(pr.c, "t1 OK Begin compression\r\n"), "the reply before COMPRESS is plain");
	ok(conn_buffered(pr.c) > 0, "compressed bytes are buffered behind it (%zu)",
	   conn_buffered(pr.c));
	ok(conn_start_deflate(pr.c, &e) == 0 && conn_is_compressed(pr.c), "deflate starts");
	ok(read_line_is(pr.c, "* 3 EXISTS\r\n") && read_line_is(pr.c, "* 1 RECENT\r\n"),
	   "the bytes buffered behind the reply are inflated, in order");
	ok(strstr(trace_text, "S: * 3 EXISTS\r\n") != NULL &&
	   strstr(trace_text, "S: * 1 RECENT\r\n") != NULL, "the trace sees the plain lines");

	ok(conn_start_deflate(pr.c, &e) < 0 && e.code == ERR_USAGE, "deflate starts only once");
	struct conn_cert cert;
	ok(conn_start_tls(pr.c, &cert, &e) < 0 && e.code == CONN_ERR_TLS &&
	   strstr(e.msg, "compression") != NULL, "TLS never starts under compression (%s)", e.msg);
	free(b.p);
	deflateEnd(&z);
	pair_close(&pr);
}

/* A literal bigger than every buffer of conn, text as mail is. */
static char *literal_text(size_t n)
{
	char *t = malloc(n);
	unsigned x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		t[i] = (i % 72 == 71) ? '\n' : (char)('a' + (x >> 16) % 26);
	}
	return t;
}

static void test_split_blocks(bool drip)
{
	const char *how = drip ? "one byte at a time" : "in blocks";
	struct pair pr;
	if (pair_open(&pr, 0, 5000) < 0) {
		ok(0, "connection for the split case");
		return;
	}
	const size_t big = 300000;
	char *lit = literal_text(big);
	z_stream z;
	z_begin(&z);
	struct bytes b = { 0 };
	bytes_str(&b, "t1 OK on\r\n");
	/* Flushes in the middle of a line, of "{10}", of a literal. */
	zput_str(&z, &b, "* 2 FE", Z_SYNC_FLUSH);
	zput_str(&z, &b, "TCH (BODY[] {1", Z_SYNC_FLUSH);
	zput_str(&z, &b, "0}\r\n01234", Z_FULL_FLUSH);
	zput_str(&z, &b, "56789)\r\n", Z_SYNC_FLUSH);
	if (!drip) {
		char head[64];
		snprintf(head, sizeof(head), "* 3 FETCH (BODY[] {%zu}\r\n", big);
		zput_str(&z, &b, head, Z_NO_FLUSH);
		zput(&z, &b, lit, big / 3, Z_SYNC_FLUSH);
		zput(&z, &b, lit + big / 3, big - big / 3, Z_NO_FLUSH);
		zput_str(&z, &b, ")\r\n", Z_SYNC_FLUSH);
	}
	spawn_writer(pr.peer, &b, drip);
	struct buf out;
	buf_init(&out, big);
	bool good = read_line_is(pr.c, "t1 OK on\r\n") && conn_start_deflate(pr.c, &e) == 0 &&
		    read_line_is(pr.c, "* 2 FETCH (BODY[] {10}\r\n");
	ok(good, "%s: a line split across deflate blocks comes out whole", how);
	good = good && conn_read_exact(pr.c, 10, &out, &e) == 0 && out.len == 10 &&
	       memcmp(out.data, "0123456789", 10) == 0 && read_line_is(pr.c, ")\r\n");
	ok(good, "%s: so does a literal split across blocks, and the line after it", how);
	if (!drip) {
		char head[64];
		snprintf(head, sizeof(head), "* 3 FETCH (BODY[] {%zu}\r\n", big);
		buf_reset(&out);
		good = good && read_line_is(pr.c, head) &&
		       conn_read_exact(pr.c, big, &out, &e) == 0 && out.len == big &&
		       memcmp(out.data, lit, big) == 0 && read_line_is(pr.c, ")\r\n");
		ok(good, "a %zu-byte literal larger than conn's buffers comes out exact", big);
	}
	buf_release(&out);
	free(lit);
	free(b.p);
	deflateEnd(&z);
	pair_close(&pr);
}

static void test_writes(void)
{
	struct pair pr;
	if (pair_open(&pr, 0, 5000) < 0) {
		ok(0, "connection for the write case");
		return;
	}
	struct bytes b = { 0 };
	bytes_str(&b, "t1 OK on\r\n");
	spawn_writer(pr.peer, &b, false);
	ok(read_line_is(pr.c, "t1 OK on\r\n") && conn_start_deflate(pr.c, &e) == 0,
	   "deflate starts for writing");
	z_stream zin;
	memset(&zin, 0, sizeof(zin));
	if (inflateInit2(&zin, -15) != Z_OK)
		abort();
	const char *cmd = "t2 UID FETCH 1:* (FLAGS)\r\n";
	ok(conn_write(pr.c, cmd, strlen(cmd), &e) == 0 && peer_reads(pr.peer, &zin, cmd, strlen(cmd)),
	   "a write is deflated and flushed: the peer inflates all of it at once");
	const char *cmd2 = "t3 UID FETCH 2:* (FLAGS)\r\n";
	ok(conn_write(pr.c, cmd2, strlen(cmd2), &e) == 0 &&
	   peer_reads(pr.peer, &zin, cmd2, strlen(cmd2)),
	   "the next write goes on the same stream");
	size_t big = 150000; /* about 90 KB deflated: more than one 64 KiB piece */
	char *text = literal_text(big);
	ok(conn_write(pr.c, text, big, &e) == 0 && peer_reads(pr.peer, &zin, text, big),
	   "a write of %zu bytes arrives whole", big);
	ok(strstr(trace_text, "C: t2 UID FETCH 1:* (FLAGS)\r\n") != NULL,
	   "the trace sees the plain command");
	free(text);
	inflateEnd(&zin);
	free(b.p);
	pair_close(&pr);
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void test_bomb(void)
{
	struct pair pr;
	if (pair_open(&pr, 4096, 10000) < 0) {
		ok(0, "connection for the bomb");
		return;
	}
	long before = max_rss_kb();
	long long t0 = now_ms();
	spawn_bomb(pr.peer);
	struct buf line;
	buf_init(&line, 1 << 20);
	bool started = read_line_is(pr.c, "t1 OK compressing\r\n") &&
		       conn_start_deflate(pr.c, &e) == 0;
	int rc = conn_read_line(pr.c, &line, &e);
	long long t1 = now_ms();
	ok(started && rc < 0 && e.code == ERR_LIMIT && e.scope == ERR_ACCOUNT &&
	   strstr(e.msg, "4096") != NULL,
	   "a %d MiB bomb ends at line_max: %s", BOMB_MB, e.msg);
	ok(t1 - t0 < 5000, "at once (%lld ms)", t1 - t0);
	long grew = max_rss_kb() - before;
	ok(grew < 32 * 1024, "without the memory it would inflate to (peak grew %ld KiB)", grew);
	ok(conn_read_line(pr.c, &line, &e) < 0 && e.code == ERR_LIMIT,
	   "and the connection stays unusable");
	buf_release(&line);
	pair_close(&pr);
}

static void test_empty_blocks(void)
{
	struct pair pr;
	if (pair_open(&pr, 0, 700) < 0) {
		ok(0, "connection for the empty blocks");
		return;
	}
	spawn_empty_flood(pr.peer);
	long long t0 = now_ms();
	struct buf line;
	buf_init(&line, 1 << 20);
	bool started = read_line_is(pr.c, "t1 OK on\r\n") && conn_start_deflate(pr.c, &e) == 0;
	int rc = conn_read_line(pr.c, &line, &e);
	long long t1 = now_ms();
	ok(started && rc < 0 && e.code == CONN_ERR_TIMEOUT,
	   "a stream of empty deflate blocks ends at the read timeout (%s)", e.msg);
	ok(t1 - t0 < 3000, "after about read_ms, though bytes never stop coming (%lld ms)",
	   t1 - t0);
	buf_release(&line);
	pair_close(&pr);
}

static void test_corrupt(void)
{
	struct pair pr;
	if (pair_open(&pr, 0, 5000) < 0) {
		ok(0, "connection for the corrupt stream");
		return;
	}
	struct bytes b = { 0 };
	/* 0xff: a block of the reserved type 3. */
	bytes_str(&b, "t1 OK on\r\n\xff\xff\xff\xff garbage\r\n");
	spawn_writer(pr.peer, &b, false);
	struct buf line;
	buf_init(&line, 1 << 20);
	bool started = read_line_is(pr.c, "t1 OK on\r\n") && conn_start_deflate(pr.c, &e) == 0;
	int rc = conn_read_line(pr.c, &line, &e);
	ok(started && rc < 0 && e.code == CONN_ERR_COMPRESS && e.scope == ERR_ACCOUNT &&
	   strstr(e.msg, "corrupt") != NULL && strstr(e.msg, "127.0.0.1") != NULL,
	   "a corrupt stream is a clear error: %s", e.msg);
	ok(conn_read_line(pr.c, &line, &e) < 0 && e.code == CONN_ERR_COMPRESS &&
	   conn_write(pr.c, "x\r\n", 3, &e) < 0 && e.code == CONN_ERR_COMPRESS,
	   "every later call repeats it");
	buf_release(&line);
	free(b.p);
	pair_close(&pr);
}

static void test_after_end(void)
{
	struct pair pr;
	if (pair_open(&pr, 0, 5000) < 0) {
		ok(0, "connection for the ended stream");
		return;
	}
	z_stream z;
	z_begin(&z);
	struct bytes b = { 0 };
	bytes_str(&b, "t1 OK on\r\n");
	zput_str(&z, &b, "* BYE done\r\n", Z_FINISH);
	bytes_str(&b, "* OK smuggled\r\n");
	spawn_writer(pr.peer, &b, false);
	struct buf line;
	buf_init(&line, 1 << 20);
	bool good = read_line_is(pr.c, "t1 OK on\r\n") && conn_start_deflate(pr.c, &e) == 0 &&
		    read_line_is(pr.c, "* BYE done\r\n");
	ok(good, "the data of a stream that ends is read");
	int rc = conn_read_line(pr.c, &line, &e);
	ok(rc < 0 && e.code == CONN_ERR_COMPRESS && strstr(e.msg, "after the end") != NULL,
	   "plain bytes after its end are an error, not a line: %s", e.msg);
	buf_release(&line);
	free(b.p);
	deflateEnd(&z);
	pair_close(&pr);

	if (pair_open(&pr, 0, 5000) < 0)
		return;
	z_begin(&z);
	b.p = NULL;
	b.n = b.cap = 0;
	bytes_str(&b, "t1 OK on\r\n");
	zput_str(&z, &b, "* BYE done\r\n", Z_FINISH);
	spawn_writer(pr.peer, &b, false);
	buf_init(&line, 1 << 20);
	good = read_line_is(pr.c, "t1 OK on\r\n") && conn_start_deflate(pr.c, &e) == 0 &&
	       read_line_is(pr.c, "* BYE done\r\n");
	rc = good ? conn_read_line(pr.c, &line, &e) : 0;
	ok(good && rc < 0 && e.code == CONN_ERR_CLOSED,
	   "a stream that ends and then the connection: closed, as without compression (%s)",
	   e.msg);
	buf_release(&line);
	free(b.p);
	deflateEnd(&z);
	pair_close(&pr);
}

static int listen_any(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* Room for what test_writes sends before it reads (accepted
	 * sockets inherit it; the kernel caps it at rmem_max). */
	int rcv = 1 << 20;
	if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) < 0 ||
	    bind(listener, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(listener, 4) < 0 || getsockname(listener, (struct sockaddr *)&a, &len) < 0)
		return -1;
	port = ntohs(a.sin_port);
	return 0;
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(ALARM_S);
	if (listen_any() < 0) {
		printf("Bail out! cannot listen on 127.0.0.1\n");
		return 1;
	}
	test_buffered_behind_ok();
	test_split_blocks(false);
	test_split_blocks(true);
	test_writes();
	test_bomb();
	test_empty_blocks();
	test_corrupt();
	test_after_end();
	close(listener);
	return done_testing();
}
