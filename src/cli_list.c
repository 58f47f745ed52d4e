#include "config.h"

#include "cli_list.h"

#include <string.h>
#include <time.h>

#include "buf.h"
#include "header.h"
#include "summary.h"
#include "i18n.h"
#include "mbox_scan.h"
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

long cli_list_mbox(const char *path, FILE *out, struct logger *lg,
		   struct err *e)
{
	struct mbox_file mf;
	if (mbox_file_open(&mf, path, e) < 0)
		return -1;
	log_info(lg, "listing mbox %s (%zu bytes)", path, mf.len);

	struct buf from, subject, line;
	struct header_limits lim;
	header_limits_default(&lim);
	buf_init(&from, FIELD_MAX);
	buf_init(&subject, FIELD_MAX);
	buf_init(&line, FIELD_MAX * 3);
	long count = 0;
	size_t pos = 0;
	struct mbox_msg m;

	while (mbox_scan_next(mf.data, mf.len, &pos, &m)) {
		struct summary s;
		char flags[4], date[16];
		summary_from_message(&s, mf.data + m.start, m.end - m.start, &lim);
		flags_of(s.flags, flags);
		if (!summary_date(&s, date))
			date_of(mf.data + m.from_line, m.start - m.from_line, date);
		count++;
		safe(s.from, &from);
		safe(s.subject, &subject);
		buf_reset(&line);
		/* A field over its limit is shown cut short (the buffers keep
		 * a valid prefix), never dropped: failures are not fatal here. */
		buf_cut_ok(buf_printf(&line, "%5ld %s %-11s  ", count, flags, date));
		buf_cut_ok(width_fit(from.data, from.len, FROM_COLS, &line));
		buf_cut_ok(buf_append_str(&line, "  "));
		buf_cut_ok(buf_append(&line, subject.data, subject.len));
		fprintf(out, "%s\n", line.data);
		summary_release(&s);
	}
	buf_release(&from);
	buf_release(&subject);
	buf_release(&line);
	mbox_file_close(&mf);
	log_info(lg, "listed %ld messages", count);
	return count;
}
