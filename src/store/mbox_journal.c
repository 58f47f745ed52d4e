#include "config.h"

#include "mbox_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "mbox_writer.h"
#include "mem.h"
#include "str.h"

#define MAGIC "tern-append 1\n"
#define BASE_MAX 200
#define LINE_MAX_BYTES (64 + MBOX_JOURNAL_SEP_MAX)
#define FILE_MAX ((size_t)LINE_MAX_BYTES * (MBOX_JOURNAL_MAX_MSGS + 2))

static char *journal_path(const char *path, char **dir_r)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dlen = slash ? (size_t)(slash - path) : 1;
	*dir_r = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/")
		 : xstrndup(path, dlen);
	size_t blen = strlen(base) > BASE_MAX ? BASE_MAX : strlen(base);
	size_t n = strlen(*dir_r) + blen + 32;
	char *jp = xmalloc(n);
	snprintf(jp, n, "%s/.%.*s.tern-append", *dir_r, (int)blen, base);
	return jp;
}

int mbox_journal_exists(const char *path)
{
	char *dir;
	char *jp = journal_path(path, &dir);
	struct stat st;
	int rc = lstat(jp, &st) == 0 && S_ISREG(st.st_mode);
	free(jp);
	free(dir);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int mbox_journal_begin(const char *path, int fd, off_t before,
		       const struct mbox_journal_msg *msgs, size_t n,
		       char **jpath_r, struct err *e)
{
	char *dir;
	char *jp = journal_path(path, &dir);
	*jpath_r = NULL;
	int jfd = open(jp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (jfd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
		free(jp);
		free(dir);
		return 0;
	}
	struct stat st;
	struct buf b;
	buf_init(&b, FILE_MAX);
	int rc = jfd < 0 || n > MBOX_JOURNAL_MAX_MSGS || fstat(fd, &st) < 0 ? -1 : 0;
	if (rc == 0)
		rc = buf_printf(&b, MAGIC "%lld %lld %lld %zu\n", (long long)st.st_dev,
				(long long)st.st_ino, (long long)before, n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = buf_printf(&b, "%lld %zu %016llx %s", (long long)msgs[i].off, msgs[i].len,
				(unsigned long long)msgs[i].hash, msgs[i].sep);
	if (rc == 0 && (write_all(jfd, b.data, b.len) < 0 || fsync(jfd) < 0))
		rc = -1;
	int saved = errno;
	buf_release(&b);
	if (jfd >= 0)
		close(jfd);
	if (rc == 0) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		*jpath_r = jp;
		free(dir);
		return 0;
	}
	if (jfd >= 0)
		unlink(jp);
	err_set(e, ERR_FOLDER, ERR_IO,
		_("could not append to %s: cannot write %s: %s; the mailbox is unchanged"),
		path, jp, strerror(saved));
	free(jp);
	free(dir);
	return -1;
}

void mbox_journal_end(char **jpath)
{
	if (*jpath != NULL)
		unlink(*jpath);
	xfree(jpath);
}

/* ------------------------------------------------------------ recovery */

struct journal {
	long long dev, ino, before;
	size_t n;
	struct jmsg {
		size_t off, len;
		uint64_t hash;
		const char *sep; /* into the journal's text, up to its newline */
		size_t sep_len;  /* with the newline */
	} *m;
};

/* Reads a number of base (10 or 16) up to a space; advances *p. */
static bool read_num(const char **p, const char *end, int base, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;
	int digits = 0;
	while (s < end && *s != ' ' && *s != '\n') {
		int d = base == 16 ? str_hex_value((unsigned char)*s)
			: (*s >= '0' && *s <= '9' ? *s - '0' : -1);
		if (d < 0 || digits >= 19)
			return false;
		x = x * (unsigned)base + (unsigned)d;
		s++;
		digits++;
	}
	if (digits == 0 || s >= end)
		return false;
	*v = x;
	*p = s + (*s == ' ');
	return true;
}

static bool parse(const char *t, size_t len, struct journal *j)
{
	const char *p = t, *end = t + len;
	unsigned long long dev, ino, before, n;
	if (len < sizeof(MAGIC) - 1 || memcmp(t, MAGIC, sizeof(MAGIC) - 1) != 0)
		return false;
	p += sizeof(MAGIC) - 1;
	if (!read_num(&p, end, 10, &dev) || !read_num(&p, end, 10, &ino) ||
	    !read_num(&p, end, 10, &before) || !read_num(&p, end, 10, &n) ||
	    *p != '\n' || n == 0 || n > MBOX_JOURNAL_MAX_MSGS)
		return false;
	p++;
	j->dev = (long long)dev;
	j->ino = (long long)ino;
	j->before = (long long)before;
	j->m = xcalloc((size_t)n, sizeof(*j->m));
	size_t prev_end = (size_t)before;
	for (j->n = 0; j->n < n; j->n++) {
		struct jmsg *m = &j->m[j->n];
		unsigned long long off, mlen, hash;
		if (!read_num(&p, end, 10, &off) || !read_num(&p, end, 10, &mlen) ||
		    !read_num(&p, end, 16, &hash) || off < prev_end || mlen == 0 ||
		    off + mlen < off)
			return false;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || (size_t)(nl - p) < 5 || memcmp(p, "From ", 5) != 0)
			return false;
		m->off = (size_t)off;
		m->len = (size_t)mlen;
		m->hash = hash;
		m->sep = p;
		m->sep_len = (size_t)(nl - p) + 1;
		prev_end = m->off + m->len;
		p = nl + 1;
	}
	return p == end;
}

static uint64_t fnv(const char *p, size_t n)
{
	struct mbox_writer w;
	mbox_writer_init(&w, -1, 0);
	mbox_writer_put(&w, p, n);
	mbox_writer_flush(&w);
	return w.hash;
}

/* Whether the separator line at q is one the journal wrote there (whole,
 * or cut short by the end of the file). */
static bool ours_at(const struct journal *j, const char *data, size_t len, size_t q)
{
	size_t lo = 0, hi = j->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (j->m[mid].off == q) {
			size_t k = j->m[mid].sep_len < len - q ? j->m[mid].sep_len : len - q;
			return memcmp(data + q, j->m[mid].sep, k) == 0;
		}
		if (j->m[mid].off < q)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The first separator line at or after the old end that is not ours:
 * where another program's data starts.  len if there is none. */
static size_t foreign_start(const struct journal *j, const char *data, size_t len)
{
	size_t q = (size_t)j->before;
	while (q < len) {
		if ((q == 0 || data[q - 1] == '\n') && len - q >= 5 &&
		    memcmp(data + q, "From ", 5) == 0 && !ours_at(j, data, len, q))
			return q;
		const char *nl = memchr(data + q, '\n', len - q);
		if (nl == NULL)
			break;
		q = (size_t)(nl - data) + 1;
	}
	return len;
}

static bool complete(const struct journal *j, const char *data, size_t len)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->m[i].off + j->m[i].len > len ||
		    fnv(data + j->m[i].off, j->m[i].len) != j->m[i].hash)
			return false;
	return true;
}

/* Writes the file without data[from..to) and puts it in place. */
static int cut_out(const char *path, int fd, const char *data, size_t len,
		   size_t from, size_t to)
{
	struct stat st;
	char *tmp, *dir;
	if (fstat(fd, &st) < 0)
		return errno;
	int tfd = mbox_temp_open(path, &tmp, &dir);
	if (tfd < 0)
		return errno;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	(void)fcntl(tfd, F_SETLK, &fl);
	struct mbox_writer *w = xmalloc(sizeof(*w));
	mbox_writer_init(w, tfd, 0);
	mbox_writer_put(w, data, from);
	mbox_writer_put(w, data + to, len - to);
	mbox_writer_flush(w);
	int error = w->error;
	free(w);
	if (error == 0)
		error = mbox_temp_commit(tfd, tmp, path, dir, &st);
	else
		unlink(tmp);
	close(tfd);
	free(tmp);
	free(dir);
	return error;
}

static int settle(const char *path, int fd, const struct journal *j, struct err *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot read %s: %s"), path,
			       strerror(errno));
	if ((long long)st.st_dev != j->dev || (long long)st.st_ino != j->ino ||
	    (long long)st.st_size < j->before)
		return 0; /* not the file the journal was written for */
	size_t len = (size_t)st.st_size;
	if (len == (size_t)j->before)
		return 0;
	const char *data = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED)
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot read %s: %s"), path,
			       strerror(errno));
	int rc = 0;
	if (!complete(j, data, len)) {
		size_t f = foreign_start(j, data, len);
		int error = 0;
		if (f == len) {
			if (ftruncate(fd, (off_t)j->before) < 0 || fsync(fd) < 0)
				error = errno;
		} else {
			size_t from = j->m[0].off < f ? j->m[0].off : f;
			error = cut_out(path, fd, data, len, from, f);
			rc = 1;
		}
		if (error != 0)
			rc = err_set(e, ERR_FOLDER, ERR_IO,
				     _("%s: could not remove an append that was cut "
				       "short: %s"), path, strerror(error));
	}
	munmap((void *)data, len);
	return rc;
}

int mbox_journal_recover(const char *path, int fd, struct err *e)
{
	char *dir;
	char *jp = journal_path(path, &dir);
	free(dir);
	int jfd = open(jp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (jfd < 0) {
		free(jp);
		return 0;
	}
	struct stat st;
	char *text = NULL;
	ssize_t got = -1;
	if (fstat(jfd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= FILE_MAX) {
		text = xmalloc((size_t)st.st_size + 1);
		got = read(jfd, text, (size_t)st.st_size);
	}
	close(jfd);
	struct journal j = { 0 };
	int rc = 0;
	if (got >= 0 && got == st.st_size && parse(text, (size_t)got, &j))
		rc = settle(path, fd, &j, e);
	if (rc >= 0) /* settled, or not a journal of ours to act on */
		unlink(jp);
	free(j.m);
	free(text);
	free(jp);
	return rc;
}
