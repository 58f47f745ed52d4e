/* progress_text: the one-line progress report that the reader's status
 * line and tern fetch on a terminal both show:
 *     Downloading home: 312/1000 [######              ] 31%  1.2 MB / 3.9 MB  410 KB/s  0:07 left
 * Plain text, no control characters of its own (what is the caller's, and
 * sanitised by whoever draws it). */
#ifndef TERN_PROGRESS_TEXT_H
#define TERN_PROGRESS_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"

#define PROGRESS_TEXT_SIZE_MAX 32

/* A size for people: "512 B", "12 KB", "3.4 MB", "1.2 GB" (powers of
 * 1024); without bytes, the plain number. */
void progress_text_size(uint64_t n, bool bytes, char out[PROGRESS_TEXT_SIZE_MAX]);

/* Appends the report of done out of total (0: unknown; then only what and
 * done) after secs seconds of work to out: a bar of bar_width cells (0:
 * none), the percentage, the amounts, the rate and, once a rate is known,
 * the time left (m:ss, or h:mm:ss). */
void progress_text_format(struct buf *out, const char *what, uint64_t done, uint64_t total,
			  bool bytes, double secs, unsigned bar_width);

/* When the work being reported began.  The what of a report may change
 * at each call ("3/10 messages"); a new piece of work is one whose total
 * differs, or whose done went back. */
struct progress_clock {
	struct timespec start;
	uint64_t done, total;
	bool started;
};

/* Seconds since the work of this report began (0 for its first report). */
double progress_clock_seconds(struct progress_clock *c, uint64_t done, uint64_t total);

#endif
