#include "config.h"

#include "imap_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "mbox_writer.h"
#include "mem.h"
#include "str.h"

#define MAGIC "tern-imap-journal 1\n"
#define LINE_MAX_BYTES 4096
#define FILE_MAX ((size_t)LINE_MAX_BYTES * IMAP_JOURNAL_MAX)

static uint32_t checksum(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int io_error(struct err *e, const char *path, const char *what)
{
	return err_set(e, ERR_ACCOUNT, ERR_IO, _("%s %s: %s"), what, path, strerror(errno));
}

/* Writes all of b to fd and makes it durable. */
static int write_all(int fd, const struct buf *b)
{
	size_t done = 0;
	while (done < b->len) {
		ssize_t w = write(fd, b->data + done, b->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return fdatasync(fd);
}

static void put_hex(struct buf *line, const char *s)
{
	buf_cut_ok(buf_append_char(line, ' '));
	for (; *s; s++)
		buf_cut_ok(buf_printf(line, "%02x", (unsigned char)*s));
}

static void put_line(struct buf *b, const struct imap_journal_entry *en)
{
	struct buf line;
	buf_init(&line, LINE_MAX_BYTES);
	if (en->kind == IMAP_JOURNAL_MOVE) {
		buf_cut_ok(buf_printf(&line, "M %u %u", en->uidvalidity, en->uid));
		put_hex(&line, en->dest);
	} else if (en->kind == IMAP_JOURNAL_EXPUNGE) {
		buf_cut_ok(buf_printf(&line, "X %u %u", en->uidvalidity, en->uid));
	} else {
		buf_cut_ok(buf_printf(&line, "F %u %u %u %u %llu", en->uidvalidity, en->uid,
				      en->set, en->clear, (unsigned long long)en->modseq));
	}
	put_hex(&line, en->wire);
	buf_cut_ok(buf_printf(b, "%s %08x\n", line.data, checksum(line.data, line.len)));
	buf_release(&line);
}

int imap_journal_add(const char *path, const struct imap_journal_entry *en, size_t n,
		     struct err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_error(e, path, _("cannot open"));
	struct stat sb;
	struct buf b;
	buf_init(&b, (size_t)LINE_MAX_BYTES * (n + 1));
	char last = '\n';
	if (fstat(fd, &sb) == 0 && sb.st_size == 0)
		buf_cut_ok(buf_append_str(&b, MAGIC));
	else if (pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n')
		buf_cut_ok(buf_append_char(&b, '\n')); /* after a torn line */
	for (size_t i = 0; i < n; i++)
		put_line(&b, &en[i]);
	int rc = write_all(fd, &b) < 0 ? io_error(e, path, _("cannot write")) : 0;
	buf_release(&b);
	close(fd);
	return rc;
}

static bool number(const char *w, unsigned long long max, unsigned long long *v)
{
	unsigned long x;
	if (str_to_ulong(w, 0, max > ULONG_MAX ? ULONG_MAX : (unsigned long)max, &x) < 0)
		return false;
	*v = x;
	return true;
}

/* A folder name from its hex form (no NUL inside), or NULL. */
static char *unhex(const char *h)
{
	size_t hl = strlen(h);
	if (hl == 0 || hl % 2 != 0)
		return NULL;
	char *s = xmalloc(hl / 2 + 1);
	for (size_t i = 0; i < hl / 2; i++) {
		int hi = str_hex_value((unsigned char)h[2 * i]);
		int lo = str_hex_value((unsigned char)h[2 * i + 1]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(s);
			return NULL;
		}
		s[i] = (char)(hi * 16 + lo);
	}
	s[hl / 2] = '\0';
	return s;
}

/* Splits line at spaces into at most max words; returns how many. */
static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;
	for (char *q = line; *q && n <= max;) {
		while (*q == ' ')
			q++;
		if (*q == '\0')
			break;
		if (n == max)
			return max + 1; /* too many */
		w[n++] = q;
		while (*q && *q != ' ')
			q++;
		if (*q)
			*q++ = '\0';
	}
	return n;
}

/* One line (without its newline, checksum verified) into en. */
static bool parse(char *line, struct imap_journal_entry *en)
{
	char *w[8];
	size_t n = words(line, w, 8);
	static const struct {
		char tag;
		enum imap_journal_kind kind;
		size_t words, numbers;
	} forms[] = {
		{ 'F', IMAP_JOURNAL_FLAGS, 7, 5 },
		{ 'M', IMAP_JOURNAL_MOVE, 5, 2 },
		{ 'X', IMAP_JOURNAL_EXPUNGE, 4, 2 },
	};
	size_t f = 0;
	while (f < 3 && !(n == forms[f].words && w[0][0] == forms[f].tag && w[0][1] == '\0'))
		f++;
	if (f == 3)
		return false;
	unsigned long long v[5] = { 0 };
	for (size_t i = 0; i < forms[f].numbers; i++)
		if (!number(w[1 + i], i == 4 ? ULLONG_MAX : UINT32_MAX, &v[i]))
			return false;
	*en = (struct imap_journal_entry){ NULL, (uint32_t)v[0], (uint32_t)v[1], (unsigned)v[2],
					   (unsigned)v[3], v[4], forms[f].kind, NULL };
	en->wire = unhex(w[n - 1]);
	if (forms[f].kind == IMAP_JOURNAL_MOVE)
		en->dest = unhex(w[3]);
	if (en->wire == NULL || (forms[f].kind == IMAP_JOURNAL_MOVE && en->dest == NULL)) {
		free(en->wire);
		free(en->dest);
		return false;
	}
	return true;
}

static int read_text(const char *path, struct buf *text, struct err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : io_error(e, path, _("cannot read"));
	char chunk[65536];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(text, chunk, (size_t)r) < 0)
			break; /* over the cap: what fits is read */
	close(fd);
	if (r < 0)
		return io_error(e, path, _("cannot read"));
	return 0;
}

int imap_journal_read(const char *path, struct imap_journal_entry **v_r, size_t *n_r,
		      struct err *e)
{
	*v_r = NULL;
	*n_r = 0;
	struct buf text;
	buf_init(&text, FILE_MAX);
	int rc = read_text(path, &text, e);
	if (rc != 0) {
		buf_release(&text);
		return rc < 0 ? -1 : 0;
	}
	size_t cap = 0, p = 0;
	if (text.len >= sizeof(MAGIC) - 1 && memcmp(text.data, MAGIC, sizeof(MAGIC) - 1) == 0)
		p = sizeof(MAGIC) - 1;
	else
		p = text.len; /* not a journal of ours: nothing in it is used */
	while (p < text.len && *n_r < IMAP_JOURNAL_MAX) {
		char *nl = memchr(text.data + p, '\n', text.len - p);
		if (nl == NULL)
			break; /* a torn last line: its change was never reported done */
		*nl = '\0';
		char *line = text.data + p;
		p = (size_t)(nl - text.data) + 1;
		char *sp = strrchr(line, ' ');
		char ck[16];
		if (sp == NULL)
			continue;
		snprintf(ck, sizeof(ck), "%08x", checksum(line, (size_t)(sp - line)));
		if (strcmp(ck, sp + 1) != 0)
			continue;
		*sp = '\0';
		*v_r = xgrow(*v_r, &cap, *n_r + 1, sizeof(**v_r));
		if (parse(line, &(*v_r)[*n_r]))
			(*n_r)++;
	}
	buf_release(&text);
	return 0;
}

void imap_journal_free(struct imap_journal_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].wire);
		free(v[i].dest);
	}
	free(v);
}

int imap_journal_clear(const char *path, const char *wire, struct err *e)
{
	struct imap_journal_entry *v;
	size_t n;
	if (imap_journal_read(path, &v, &n, e) < 0)
		return -1;
	struct buf b;
	buf_init(&b, FILE_MAX);
	buf_cut_ok(buf_append_str(&b, MAGIC));
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].wire, wire) != 0) {
			put_line(&b, &v[i]);
			kept++;
		}
	imap_journal_free(v, n);
	int rc = 0;
	if (kept == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			rc = io_error(e, path, _("cannot write"));
	} else {
		char *tmp, *dir;
		int tfd = mbox_temp_open(path, &tmp, &dir);
		struct stat sb;
		int error = tfd < 0 ? errno : 0;
		if (error == 0 && write_all(tfd, &b) < 0)
			error = errno ? errno : EIO;
		if (error == 0 && stat(path, &sb) < 0)
			error = errno;
		if (error == 0)
			error = mbox_temp_commit(tfd, tmp, path, dir, &sb);
		else if (tfd >= 0)
			unlink(tmp);
		if (tfd >= 0) {
			close(tfd);
			free(tmp);
			free(dir);
		}
		errno = error;
		if (error != 0)
			rc = io_error(e, path, _("cannot write"));
	}
	buf_release(&b);
	return rc;
}
