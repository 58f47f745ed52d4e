#include "config.h"

#include "mbox_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

static bool is_separator(const char *data, size_t len, size_t p)
{
	return len - p >= 5 && memcmp(data + p, "From ", 5) == 0;
}

/* The next separator at or after p: a "From " line at the start of the
 * data or after an empty line.  Returns len if there is none. */
static size_t next_separator(const char *data, size_t len, size_t p)
{
	if (p == 0 && is_separator(data, len, 0))
		return 0;
	/* Start at the LF before p, so that a separator at p itself is found. */
	if (p > 0)
		p--;
	while (p < len) {
		const char *hit = memmem(data + p, len - p, "\nFrom ", 6);
		if (hit == NULL)
			return len;
		size_t at = (size_t)(hit - data) + 1;
		/* The line before must be empty: "\n\n" or "\n\r\n". */
		size_t q = at - 1;
		if ((q >= 1 && data[q - 1] == '\n') ||
		    (q >= 2 && data[q - 1] == '\r' && data[q - 2] == '\n'))
			return at;
		p = at;
	}
	return len;
}

bool mbox_scan_next(const char *data, size_t len, size_t *pos,
		    struct mbox_msg *m)
{
	size_t from = next_separator(data, len, *pos);
	if (from >= len)
		return false;
	const char *nl = memchr(data + from, '\n', len - from);
	size_t start = nl ? (size_t)(nl - data) + 1 : len;
	size_t next = next_separator(data, len, start);
	size_t end = next;
	/* The empty line before the next separator belongs to the format. */
	if (next < len) {
		if (end >= 1 && data[end - 1] == '\n')
			end--;
		if (end >= 1 && data[end - 1] == '\r')
			end--;
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
	if (!is_separator(mf->data, mf->len, 0)) {
		mbox_file_close(mf);
		return err_set(e, ERR_FOLDER, ERR_PARSE,
			       _("%s is not an mbox file (it does not start with "
				 "a \"From \" line)"), path);
	}
	return 0;
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

int mbox_unquote(const char *msg, size_t len, struct buf *out)
{
	size_t p = 0;
	while (p < len) {
		const char *nl = memchr(msg + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - msg) + 1 : len;
		size_t q = p;
		while (q < end && msg[q] == '>')
			q++;
		bool quoted = q > p && end - q >= 5 && memcmp(msg + q, "From ", 5) == 0;
		size_t from = quoted ? p + 1 : p;
		if (buf_append(out, msg + from, end - from) < 0)
			return -1;
		p = end;
	}
	return 0;
}
