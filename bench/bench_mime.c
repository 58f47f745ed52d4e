/* bench_mime: parse and render throughput of the message library.
 *
 *   bench_mime header MBOX   header of every message (header_parse)
 *   bench_mime full MBOX     MIME tree, render for reading, sanitise
 * Prints one line: messages, MB, seconds, MB/s and messages/s.  The clock
 * covers finding the messages in the (already mapped) mbox and the
 * library's work, as a reader opening the mailbox would do. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "header.h"
#include "mbox_scan.h"
#include "mime.h"
#include "render.h"
#include "sanitize.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t run_header(const char *msg, size_t len,
			 const struct header_limits *lim)
{
	struct header h;
	header_parse(&h, msg, len, lim);
	size_t n = h.n;
	header_release(&h);
	return n;
}

static size_t run_full(const char *msg, size_t len, struct buf *safe)
{
	struct mime_message m;
	struct render_options o;
	struct render_result r;
	mime_parse(&m, msg, len, NULL);
	render_options_default(&o);
	render_message(&m, &o, &r);
	buf_reset(safe);
	buf_cut_ok(sanitize_text(r.text.data, r.text.len, SANITIZE_MULTILINE, safe));
	size_t n = r.text.len;
	render_result_release(&r);
	mime_message_release(&m);
	return n;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "header") != 0 && strcmp(argv[1], "full") != 0)) {
		fprintf(stderr, "usage: bench_mime header|full MBOX\n");
		return 2;
	}
	bool full = strcmp(argv[1], "full") == 0;
	struct mbox_file mf;
	struct err e;
	err_init(&e);
	if (mbox_file_open(&mf, argv[2], &e) < 0) {
		fprintf(stderr, "bench_mime: %s\n", e.msg);
		return 1;
	}
	double t0 = now();
	size_t cap = 0, n = 0, pos = 0;
	struct mbox_msg *msgs = NULL, m;
	while (mbox_scan_next(mf.data, mf.len, &pos, &m)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			msgs = realloc(msgs, cap * sizeof(*msgs));
		}
		msgs[n++] = m;
	}
	struct header_limits lim;
	header_limits_default(&lim);
	struct buf safe;
	buf_init(&safe, (size_t)1 << 30);
	size_t bytes = 0, sink = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = mf.data + msgs[i].start;
		size_t len = msgs[i].end - msgs[i].start;
		bytes += len;
		sink += full ? run_full(p, len, &safe) : run_header(p, len, &lim);
	}
	double dt = now() - t0;
	printf("%s: %zu messages, %.1f MB in %.3f s: %.1f MB/s, %.0f messages/s (%zu)\n",
	       argv[1], n, (double)bytes / 1e6, dt, (double)bytes / 1e6 / dt,
	       (double)n / dt, sink % 10);
	buf_release(&safe);
	free(msgs);
	mbox_file_close(&mf);
	return 0;
}
