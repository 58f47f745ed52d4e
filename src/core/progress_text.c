#include "config.h"

#include "progress_text.h"

#include <stdio.h>

#include "i18n.h"

#define BAR_MAX 100

void progress_text_size(uint64_t n, bool bytes, char out[PROGRESS_TEXT_SIZE_MAX])
{
	if (!bytes)
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%llu", (unsigned long long)n);
	else if (n >= (uint64_t)1 << 30)
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%.1f GB", (double)n / (1 << 30));
	else if (n >= (uint64_t)1 << 20)
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%.1f MB", (double)n / (1 << 20));
	else if (n >= 1024)
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%.0f KB", (double)n / 1024);
	else
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%llu B", (unsigned long long)n);
}

static void duration(double secs, char out[PROGRESS_TEXT_SIZE_MAX])
{
	unsigned long long s = secs > 0 && secs < 1e9 ? (unsigned long long)(secs + 0.5) : 0;
	if (s >= 3600)
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60,
			 s % 60);
	else
		snprintf(out, PROGRESS_TEXT_SIZE_MAX, "%llu:%02llu", s / 60, s % 60);
}

static void bar(struct buf *out, uint64_t done, uint64_t total, unsigned width)
{
	if (width > BAR_MAX)
		width = BAR_MAX;
	unsigned full = done >= total ? width : (unsigned)((double)done / (double)total * width);
	buf_cut_ok(buf_append(out, " [", 2));
	for (unsigned i = 0; i < width; i++)
		buf_cut_ok(buf_append(out, i < full ? "#" : " ", 1));
	buf_cut_ok(buf_append(out, "]", 1));
}

void progress_text_format(struct buf *out, const char *what, uint64_t done, uint64_t total,
			  bool bytes, double secs, unsigned bar_width)
{
	char d[PROGRESS_TEXT_SIZE_MAX], t[PROGRESS_TEXT_SIZE_MAX], r[PROGRESS_TEXT_SIZE_MAX];
	progress_text_size(done, bytes, d);
	buf_cut_ok(buf_printf(out, "%s", what));
	if (total == 0) {
		buf_cut_ok(buf_printf(out, "  %s", d));
		return;
	}
	if (bar_width > 0)
		bar(out, done, total, bar_width);
	progress_text_size(total, bytes, t);
	unsigned pct = done >= total ? 100 : (unsigned)(done * 100.0 / (double)total);
	buf_cut_ok(buf_printf(out, " %u%%  %s / %s", pct, d, t));
	/* A rate only once there is something to measure it by. */
	if (secs < 0.2 || done == 0)
		return;
	double rate = (double)done / secs;
	progress_text_size((uint64_t)rate, bytes, r);
	buf_cut_ok(buf_printf(out, "  %s/s", r));
	if (done < total) {
		duration((double)(total - done) / rate, t);
		/* TRANSLATORS: the time left, "0:07 left". */
		buf_cut_ok(buf_printf(out, _("  %s left"), t));
	}
}

double progress_clock_seconds(struct progress_clock *c, uint64_t done, uint64_t total)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!c->started || total != c->total || done < c->done) {
		c->start = now;
		c->started = true;
	}
	c->done = done;
	c->total = total;
	return (double)(now.tv_sec - c->start.tv_sec) +
	       (double)(now.tv_nsec - c->start.tv_nsec) / 1e9;
}
