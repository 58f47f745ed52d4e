#include "config.h"

#include "cli_list.h"

#include <string.h>

#include "buf.h"
#include "header.h"
#include "i18n.h"
#include "mbox_scan.h"
#include "sanitize.h"
#include "width.h"

#define FIELD_MAX ((size_t)64 * 1024)
#define FROM_COLS 24

/* The flags mutt shows: N new, O old (Status O without R), F flagged,
 * r replied, D deleted (from X-Status). */
static void flags_of(const char *hdr, size_t hlen, char flags[4])
{
	struct buf v;
	buf_init(&v, 256);
	int has_status = header_get(hdr, hlen, "Status", &v);
	if (has_status == 1 && strchr(v.data, 'R'))
		flags[0] = ' ';
	else if (has_status == 1 && strchr(v.data, 'O'))
		flags[0] = 'O'; /* seen by a reader, not yet read */
	else
		flags[0] = 'N';
	buf_reset(&v);
	int has_x = header_get(hdr, hlen, "X-Status", &v) == 1;
	flags[1] = has_x && strchr(v.data, 'F') ? 'F' : ' ';
	flags[2] = has_x && strchr(v.data, 'A') ? 'r' : ' ';
	if (has_x && strchr(v.data, 'D'))
		flags[0] = 'D';
	flags[3] = '\0';
	buf_release(&v);
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

static int field(const char *hdr, size_t hlen, const char *name,
		 struct buf *raw, struct buf *safe)
{
	buf_reset(raw);
	buf_reset(safe);
	if (header_get(hdr, hlen, name, raw) < 0)
		return -1;
	return sanitize_text(raw->data, raw->len, SANITIZE_LINE, safe);
}

long cli_list_mbox(const char *path, FILE *out, struct logger *lg,
		   struct err *e)
{
	struct mbox_file mf;
	if (mbox_file_open(&mf, path, e) < 0)
		return -1;
	log_info(lg, "listing mbox %s (%zu bytes)", path, mf.len);

	struct buf raw, from, subject, line;
	buf_init(&raw, FIELD_MAX);
	buf_init(&from, FIELD_MAX * 4);
	buf_init(&subject, FIELD_MAX * 4);
	buf_init(&line, FIELD_MAX * 12);
	long count = 0;
	size_t pos = 0;
	struct mbox_msg m;

	while (mbox_scan_next(mf.data, mf.len, &pos, &m)) {
		const char *msg = mf.data + m.start;
		size_t hlen = header_block_len(msg, m.end - m.start);
		char flags[4], date[16];
		flags_of(msg, hlen, flags);
		date_of(mf.data + m.from_line, m.start - m.from_line, date);
		count++;
		buf_reset(&line);
		/* A field over its limit is shown cut short (the buffers keep
		 * a valid prefix), never dropped: failures are not fatal here. */
		(void)field(msg, hlen, "From", &raw, &from);
		(void)field(msg, hlen, "Subject", &raw, &subject);
		(void)(buf_printf(&line, "%5ld %s %s  ", count, flags, date) == 0 &&
		       width_fit(from.data, from.len, FROM_COLS, &line) == 0 &&
		       buf_append_str(&line, "  ") == 0 &&
		       buf_append(&line, subject.data, subject.len) == 0);
		fprintf(out, "%s\n", line.data);
	}
	buf_release(&raw);
	buf_release(&from);
	buf_release(&subject);
	buf_release(&line);
	mbox_file_close(&mf);
	log_info(lg, "listed %ld messages", count);
	return count;
}
