#include "config.h"

#include "cli_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "buf.h"
#include "header.h"
#include "summary.h"
#include "i18n.h"
#include "fsutil.h"
#include "mbox_index.h"
#include "mem.h"
#include "str.h"
#include "sanitize.h"
#include "width.h"

#define FIELD_MAX ((size_t)64 * 1024)
#define FROM_COLS 24

/* The flags mutt shows: N new, O old, F flagged, r replied, D deleted. */
static void flags_of(unsigned f, char flags[4])
{
	flags[0] = (f & SUMMARY_READ) ? ' ' : (f & SUMMARY_OLD) ? 'O' : 'N';
	if (f & SUMMARY_DELETED)
		flags[0] = 'D';
	flags[1] = (f & SUMMARY_FLAGGED) ? 'F' : ' ';
	flags[2] = (f & SUMMARY_ANSWERED) ? 'r' : ' ';
	flags[3] = '\0';
}

/* The date in the sender's zone, "Jan  5 2026". */
static bool summary_date(const struct summary *s, char out[16])
{
	if (s->date == SUMMARY_DATE_UNKNOWN)
		return false;
	time_t t = (time_t)(s->date + (int64_t)s->zone_minutes * 60);
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL)
		return false;
	return strftime(out, 16, "%b %e %Y", &tm) > 0;
}

/* "Mon Jan  5 09:12:00 2026" in a separator line gives "Jan  5 2026". */
static void date_of(const char *line, size_t len, char out[16])
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	snprintf(out, 16, "%-11s", "");
	for (size_t i = 0; i + 20 <= len; i++) {
		for (size_t m = 0; m < 12; m++) {
			if (memcmp(line + i, months[m], 3) != 0 || line[i + 3] != ' ')
				continue;
			const char *d = line + i + 4;
			const char *y = line + i + 16;
			if ((d[0] == ' ' || (d[0] >= '0' && d[0] <= '3')) &&
			    d[1] >= '0' && d[1] <= '9' && y[0] >= '1' && y[0] <= '2' &&
			    y[3] >= '0' && y[3] <= '9') {
				snprintf(out, 16, "%.3s %.2s %.4s", months[m], d, y);
				return;
			}
		}
	}
}

static void safe(const char *text, struct buf *out)
{
	buf_reset(out);
	buf_cut_ok(sanitize_text(text, strlen(text), SANITIZE_LINE, out));
}

/* The summary cache: $XDG_CACHE_HOME/tern/mbox.sqlite, or NULL when it
 * cannot be had (then the mbox is simply scanned). */
char *cli_list_cache_path(struct logger *lg)
{
	struct err e;
	err_init(&e);
	char *dir = fs_xdg_dir(XDG_CACHE, true, &e);
	if (dir == NULL) {
		log_warn(lg, "no summary cache: %s", e.msg);
		return NULL;
	}
	char *p = str_path_join(dir, "mbox.sqlite");
	free(dir);
	return p;
}

/* The listing line: number, flags, date ("Jan  5 2026"), sender and
 * subject, every field sanitised. */
static void print_line(const struct summary *sum, unsigned flags, uint64_t number,
		       const char *date, FILE *out)
{
	struct buf from, subject, line;
	char fl[4];
	buf_init(&from, FIELD_MAX);
	buf_init(&subject, FIELD_MAX);
	buf_init(&line, FIELD_MAX * 3);
	flags_of(flags, fl);
	safe(sum->from, &from);
	safe(sum->subject, &subject);
	/* A field over its limit is shown cut short (the buffers keep a valid
	 * prefix), never dropped: failures are not fatal here. */
	buf_cut_ok(buf_printf(&line, "%5llu %s %-11s  ", (unsigned long long)number, fl, date));
	buf_cut_ok(width_fit(from.data, from.len, FROM_COLS, &line));
	buf_cut_ok(buf_append_str(&line, "  "));
	buf_cut_ok(buf_append(&line, subject.data, subject.len));
	fprintf(out, "%s\n", line.data);
	buf_release(&from);
	buf_release(&subject);
	buf_release(&line);
}

void cli_list_print(const struct mbox_index *ix, size_t i, FILE *out)
{
	const struct mbox_entry *m = &ix->msgs[i];
	char date[16];
	/* The separator line's date only when the header has none. */
	if (!summary_date(&m->sum, date))
		date_of(ix->file.data + m->pos.from_line, m->pos.start - m->pos.from_line, date);
	print_line(&m->sum, m->sum.flags, i + 1, date, out);
}

long cli_list_folder(const struct be_folder *f, FILE *out)
{
	char date[16];
	for (size_t i = 0; i < f->n; i++) {
		if (!summary_date(f->msgs[i].sum, date))
			date[0] = '\0';
		print_line(f->msgs[i].sum, f->msgs[i].flags, f->msgs[i].uid, date, out);
	}
	return (long)f->n;
}

long cli_list_mbox(const char *path, FILE *out, struct logger *lg,
		   struct err *e)
{
	struct mbox_index ix;
	char *cache = cli_list_cache_path(lg);
	int rc = mbox_index_open(&ix, path, cache, e);
	free(cache);
	if (rc < 0)
		return -1;
	if (rc > 0)
		log_warn(lg, "the summary cache could not be written");
	log_info(lg, "mbox %s: %zu messages, %zu parsed (%s)", path, ix.n, ix.scanned,
		 ix.how == MBOX_INDEX_CACHED ? "from the cache" :
		 ix.how == MBOX_INDEX_GREW ? "grown" : "scanned");

	for (size_t i = 0; i < ix.n; i++)
		cli_list_print(&ix, i, out);
	long count = (long)ix.n;
	mbox_index_close(&ix);
	return count;
}
