#include "config.h"

#include "mbox_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header.h"
#include "i18n.h"
#include "str.h"

#define FROM_LINE_MAX 1000

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A month name, a day, and a time "hh:mm" in line[0..n): the core of the
 * asctime date every mbox writer puts in its separator lines. */
static bool has_asctime_date(const char *line, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (size_t i = 0; i + 3 < n; i++) {
		bool month = false;
		for (size_t m = 0; m < 36 && !month; m += 3)
			month = memcmp(line + i, months + m, 3) == 0;
		if (!month || line[i + 3] != ' ')
			continue;
		size_t j = i + 4;
		while (j < n && line[j] == ' ')
			j++;
		size_t d = j;
		while (j < n && is_digit(line[j]))
			j++;
		if (j == d || j - d > 2 || j >= n || line[j] != ' ')
			continue;
		j++;
		if (j + 5 <= n && is_digit(line[j]) && line[j + 2] == ':' &&
		    is_digit(line[j + 3]) && is_digit(line[j + 4]))
			return true;
		if (j + 4 <= n && is_digit(line[j]) && line[j + 1] == ':' &&
		    is_digit(line[j + 2]) && is_digit(line[j + 3]))
			return true;
	}
	return false;
}

/* Whether the line at p is a From_ separator line (RFC 4155 §2): "From ",
 * then "-" (Thunderbird's form, with or without a date) or a sender and
 * an asctime date, as mutt's is_from() accepts.  "From Russia with love"
 * in an unquoted body is not one. */
static bool is_from_line(const char *data, size_t len, size_t p)
{
	if (len - p < 5 || memcmp(data + p, "From ", 5) != 0)
		return false;
	const char *nl = memchr(data + p, '\n', len - p);
	size_t n = (nl ? (size_t)(nl - (data + p)) : len - p);
	if (n > FROM_LINE_MAX)
		return false;
	const char *line = data + p + 5;
	n -= 5;
	if (n >= 1 && line[0] == '-' && (n == 1 || line[1] == ' ' || line[1] == '\r'))
		return true;
	return has_asctime_date(line, n);
}

/* The next separator at or after p (p at a line start): a From_ line at
 * the start of a line.  Returns len if there is none. */
static size_t next_separator(const char *data, size_t len, size_t p)
{
	if (p < len && is_from_line(data, len, p) && (p == 0 || data[p - 1] == '\n'))
		return p;
	/* memchr per line beats memmem("\nFrom ") several times over here. */
	while (p < len) {
		const char *nl = memchr(data + p, '\n', len - p);
		if (nl == NULL)
			return len;
		size_t at = (size_t)(nl - data) + 1;
		if (len - at >= 5 && data[at] == 'F' && is_from_line(data, len, at))
			return at;
		p = at;
	}
	return len;
}

/* Whether data[from..to) holds a From_ line followed by a header field
 * line: a whole message, which a Content-Length must not swallow (a
 * forged length could otherwise hide the message that follows it). */
static bool hides_a_message(const char *data, size_t from, size_t to)
{
	size_t p = from;
	while (p < to) {
		const char *hit = memmem(data + p, to - p, "\nFrom ", 6);
		if (hit == NULL)
			return false;
		size_t at = (size_t)(hit - data) + 1;
		const char *nl = memchr(data + at, '\n', to - at);
		if (is_from_line(data, to, at) && nl != NULL) {
			size_t next = (size_t)(nl - data) + 1;
			size_t i = next;
			while (i < to && (unsigned char)data[i] > 32 &&
			       (unsigned char)data[i] < 127 && data[i] != ':')
				i++;
			if (i > next && i < to && data[i] == ':')
				return true;
		}
		p = at;
	}
	return false;
}

/* Where the message whose text starts at start ends if its Content-Length
 * is to be believed (mboxcl, mboxcl2): only when start of body + length
 * lands exactly on the end of the data or on a separator (after at most
 * one blank line), and the body it claims holds no From_ line followed by
 * a header (a whole message).  Returns the offset of that end, or 0. */
static size_t content_length_end(const char *data, size_t len, size_t start,
				 size_t *next_r)
{
	size_t hlen = header_block_len(data + start, len - start);
	struct buf v;
	buf_init(&v, 64);
	unsigned long cl;
	bool have = header_get(data + start, hlen, "Content-Length", &v) == 1 &&
		    str_to_ulong(v.data, 0, (unsigned long)(len - start), &cl) == 0;
	buf_release(&v);
	if (!have)
		return 0;
	size_t body = start + hlen;
	if (cl > len - body)
		return 0;
	size_t end = body + (size_t)cl;
	if (end == len) {
		if (hides_a_message(data, body, end))
			return 0;
		*next_r = len;
		return end;
	}
	size_t sep = end;
	if (data[sep] == '\n')
		sep++;
	else if (data[sep] == '\r' && sep + 1 < len && data[sep + 1] == '\n')
		sep += 2;
	if ((sep == end || data[end - 1] == '\n') && is_from_line(data, len, sep) &&
	    data[sep - 1] == '\n' && !hides_a_message(data, body, end)) {
		*next_r = sep;
		return end;
	}
	return 0;
}

/* Skips a UTF-8 byte order mark and blank lines at the start of a file. */
static size_t skip_lead(const char *data, size_t len)
{
	size_t p = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p = 3;
	while (p < len && (data[p] == '\n' || data[p] == '\r'))
		p++;
	return p;
}

bool mbox_scan_next(const char *data, size_t len, size_t *pos,
		    struct mbox_msg *m)
{
	size_t from = *pos == 0 ? skip_lead(data, len) : *pos;
	if (from >= len || !is_from_line(data, len, from)) {
		from = next_separator(data, len, from);
		if (from >= len)
			return false;
	}
	const char *nl = memchr(data + from, '\n', len - from);
	size_t start = nl ? (size_t)(nl - data) + 1 : len;
	size_t next = 0;
	size_t end = content_length_end(data, len, start, &next);
	if (end == 0) {
		next = next_separator(data, len, start);
		end = next;
		/* The empty line before the next separator belongs to the
		 * format, and so does the one every writer ends the file with. */
		if (end >= 2 && end > start && data[end - 1] == '\n' && data[end - 2] == '\n')
			end--;
		else if (end >= 4 && end >= start + 2 &&
			 memcmp(data + end - 4, "\r\n\r\n", 4) == 0)
			end -= 2;
	}
	m->from_line = from;
	m->start = start;
	m->end = end < start ? start : end;
	*pos = next;
	return true;
}

int mbox_file_open(struct mbox_file *mf, const char *path, struct err *e)
{
	mf->fd = -1;
	mf->data = NULL;
	mf->len = 0;

	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return err_set(e, ERR_FOLDER, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       _("cannot open %s: %s"), path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot open %s: %s"), path,
			       strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_FOLDER, ERR_PARSE,
			       S_ISDIR(st.st_mode)
			       ? _("%s is a directory, not an mbox file")
			       : _("%s is not a regular file, not an mbox file"),
			       path);
	}
	mf->fd = fd;
	if (st.st_size == 0)
		return 0;
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		mf->fd = -1;
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot read %s: %s"), path,
			       strerror(errno));
	}
	mf->data = map;
	mf->len = (size_t)st.st_size;
	if (!is_from_line(mf->data, mf->len, skip_lead(mf->data, mf->len))) {
		mbox_file_close(mf);
		return err_set(e, ERR_FOLDER, ERR_PARSE,
			       _("%s is not an mbox file (it does not start with "
				 "a \"From \" line)"), path);
	}
	return 0;
}

void mbox_file_drop_pages(const struct mbox_file *mf, size_t upto)
{
	long page = sysconf(_SC_PAGESIZE);
	if (mf->data == NULL || page <= 0 || upto > mf->len)
		return;
	size_t n = upto - upto % (size_t)page;
	if (n > 0)
		madvise((void *)mf->data, n, MADV_DONTNEED);
}

void mbox_file_close(struct mbox_file *mf)
{
	if (mf->data != NULL)
		munmap((void *)mf->data, mf->len);
	if (mf->fd >= 0)
		close(mf->fd);
	mf->fd = -1;
	mf->data = NULL;
	mf->len = 0;
}

bool mbox_line_needs_quoting(const char *line, size_t len, size_t *depth_r)
{
	size_t q = 0;
	while (q < len && line[q] == '>')
		q++;
	*depth_r = q;
	return len - q >= 5 && memcmp(line + q, "From ", 5) == 0;
}

int mbox_unquote(const char *msg, size_t len, struct buf *out)
{
	size_t p = 0;
	while (p < len) {
		const char *nl = memchr(msg + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - msg) + 1 : len;
		size_t depth;
		bool quoted = mbox_line_needs_quoting(msg + p, end - p, &depth) && depth > 0;
		size_t from = quoted ? p + 1 : p;
		if (buf_append(out, msg + from, end - from) < 0)
			return -1;
		p = end;
	}
	return 0;
}
