#include "config.h"

#include "uidl_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "mbox_append.h"
#include "mbox_scan.h"
#include "mbox_writer.h"
#include "mem.h"
#include "str.h"

#define MAGIC "tern-pop3-state 1\n"
#define LINE_MAX_BYTES 256
#define FILE_MAX ((size_t)LINE_MAX_BYTES * UIDL_JOURNAL_MAX_RECORDS)
#define LOCK_POLL_MS 100
#define MESSAGE_MAX ((size_t)512 << 20)

struct entry {
	char *uidl;       /* NULL: empty slot */
	enum uidl_state state;
	time_t stored;
	uint64_t hash;
	long long size_before;
	time_t missing_since; /* 0: listed by the server at the last compaction */
	bool held;            /* never deleted by the policy */
};

struct uidl_journal {
	int fd;
	char *path;
	struct entry *table; /* open addressing, power of two */
	size_t cap, n;
	uint64_t seed;       /* hash key: UIDLs come from the server */
	size_t damaged;
};

/* ------------------------------------------------------------ table */

static uint64_t hash_uidl(const struct uidl_journal *st, const char *s)
{
	uint64_t h = 14695981039346656037ULL ^ st->seed;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static struct entry *slot(struct uidl_journal *st, const char *uidl)
{
	size_t i = (size_t)hash_uidl(st, uidl) & (st->cap - 1);
	while (st->table[i].uidl != NULL && strcmp(st->table[i].uidl, uidl) != 0)
		i = (i + 1) & (st->cap - 1);
	return &st->table[i];
}

static void grow(struct uidl_journal *st)
{
	struct entry *old = st->table;
	size_t old_cap = st->cap;
	st->cap = old_cap ? old_cap * 2 : 1024;
	st->table = xcalloc(st->cap, sizeof(*st->table));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].uidl != NULL)
			*slot(st, old[i].uidl) = old[i];
	free(old);
}

static struct entry *entry_for(struct uidl_journal *st, const char *uidl)
{
	if ((st->n + 1) * 2 > st->cap)
		grow(st);
	struct entry *e = slot(st, uidl);
	if (e->uidl == NULL) {
		e->uidl = xstrdup(uidl);
		st->n++;
	}
	return e;
}

/* ------------------------------------------------------------ lines */

static uint32_t checksum(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static bool uidl_valid(const char *u)
{
	size_t n = strlen(u);
	if (n == 0 || n > UIDL_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] < 0x21 || (unsigned char)u[i] > 0x7e)
			return false;
	return true;
}

/* A number of base 10 or 16 that fills the whole word, at most 16 hex
 * or 19 decimal digits. */
static bool number(const char *w, int base, unsigned long long *v)
{
	unsigned long long x = 0;
	size_t n = 0;
	for (; w[n]; n++) {
		int d = base == 16 ? str_hex_value((unsigned char)w[n])
			: (w[n] >= '0' && w[n] <= '9' ? w[n] - '0' : -1);
		if (d < 0 || n >= (base == 16 ? 16u : 19u))
			return false;
		x = x * (unsigned)base + (unsigned)d;
	}
	*v = x;
	return n > 0;
}

/* Splits line (no newline) into at most max words. */
static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;
	for (char *p = line; *p && n < max;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[n++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* Applies one record line (checksum verified); false if malformed. */
static bool apply(struct uidl_journal *st, char *line, size_t len)
{
	char *sp = memrchr(line, ' ', len);
	if (sp == NULL)
		return false;
	char hex[16];
	snprintf(hex, sizeof(hex), "%08x", checksum(line, (size_t)(sp - line)));
	if (strcmp(hex, sp + 1) != 0)
		return false;
	*sp = '\0';
	char *w[5];
	size_t n = words(line, w, 5);
	unsigned long long a, b;
	if (n == 4 && strcmp(w[0], "P") == 0 && uidl_valid(w[3]) &&
	    number(w[1], 16, &a) && number(w[2], 10, &b)) {
		struct entry *e = entry_for(st, w[3]);
		if (e->state != UIDL_STORED) {
			e->state = UIDL_PENDING;
			e->hash = a;
			e->size_before = (long long)b;
		}
		return true;
	}
	if (n == 3 && strcmp(w[0], "S") == 0 && uidl_valid(w[2]) &&
	    number(w[1], 10, &a)) {
		struct entry *e = entry_for(st, w[2]);
		e->state = UIDL_STORED;
		e->stored = (time_t)a;
		return true;
	}
	if (n == 2 && strcmp(w[0], "X") == 0 && uidl_valid(w[1])) {
		struct entry *e = entry_for(st, w[1]);
		if (e->state == UIDL_PENDING)
			e->state = UIDL_NEW;
		return true;
	}
	if (n == 2 && strcmp(w[0], "K") == 0 && uidl_valid(w[1])) {
		entry_for(st, w[1])->held = true;
		return true;
	}
	if (n == 3 && strcmp(w[0], "M") == 0 && uidl_valid(w[2]) && number(w[1], 10, &a) &&
	    a > 0) {
		entry_for(st, w[2])->missing_since = (time_t)a;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ file */

static int io_error(struct err *e, const char *path, const char *what)
{
	return err_set(e, ERR_ACCOUNT, ERR_IO, _("%s %s: %s"), what, path, strerror(errno));
}

static int read_all(struct uidl_journal *st, struct err *e)
{
	struct stat sb;
	if (fstat(st->fd, &sb) < 0)
		return io_error(e, st->path, _("cannot read"));
	if (!S_ISREG(sb.st_mode) || (size_t)sb.st_size > FILE_MAX)
		return err_set(e, ERR_ACCOUNT, ERR_PARSE,
			       _("%s is not a tern POP3 state file"), st->path);
	size_t len = (size_t)sb.st_size;
	if (len == 0) {
		if (write(st->fd, MAGIC, sizeof(MAGIC) - 1) != (ssize_t)sizeof(MAGIC) - 1 ||
		    fdatasync(st->fd) < 0)
			return io_error(e, st->path, _("cannot write"));
		return 0;
	}
	char *text = xmalloc(len + 1);
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(st->fd, text + got, len - got, (off_t)got);
		if (r <= 0) {
			free(text);
			return io_error(e, st->path, _("cannot read"));
		}
		got += (size_t)r;
	}
	text[len] = '\0';
	if (len < sizeof(MAGIC) - 1 || memcmp(text, MAGIC, sizeof(MAGIC) - 1) != 0) {
		free(text);
		return err_set(e, ERR_ACCOUNT, ERR_PARSE,
			       _("%s is not a tern POP3 state file"), st->path);
	}
	size_t p = sizeof(MAGIC) - 1;
	while (p < len) {
		char *nl = memchr(text + p, '\n', len - p);
		if (nl == NULL)
			break; /* torn last line: its step never happened */
		*nl = '\0';
		size_t n = (size_t)(nl - (text + p));
		if (n == 0 || n >= LINE_MAX_BYTES || !apply(st, text + p, n))
			st->damaged++;
		p = (size_t)(nl - text) + 1;
	}
	free(text);
	/* New records start on a fresh line even after a torn one. */
	{
		char last;
		if (pread(st->fd, &last, 1, (off_t)len - 1) == 1 && last != '\n' &&
		    write(st->fd, "\n", 1) != 1)
			return io_error(e, st->path, _("cannot write"));
	}
	return 0;
}

static int lock(struct uidl_journal *st, struct err *e)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	for (int waited = 0;; waited += LOCK_POLL_MS) {
		if (fcntl(st->fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EACCES && errno != EAGAIN)
			return io_error(e, st->path, _("cannot lock"));
		if (waited >= UIDL_JOURNAL_LOCK_MS)
			break;
		struct timespec ts = { 0, LOCK_POLL_MS * 1000000L };
		nanosleep(&ts, NULL);
	}
	struct flock who = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	long pid = fcntl(st->fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK ? (long)who.l_pid : 0;
	return err_set(e, ERR_ACCOUNT, ERR_IO,
		       _("another tern fetch for this account is running (pid %ld); "
			 "nothing was done"), pid);
}

int uidl_journal_open(struct uidl_journal **st_r, const char *path, struct err *e)
{
	*st_r = NULL;
	int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, ERR_ACCOUNT, ERR_IO, _("cannot open %s: %s"), path,
			       strerror(errno));
	struct uidl_journal *st = xcalloc(1, sizeof(*st));
	st->fd = fd;
	st->path = xstrdup(path);
	if (getrandom(&st->seed, sizeof(st->seed), 0) != (ssize_t)sizeof(st->seed))
		st->seed = (uint64_t)time(NULL) ^ (uint64_t)getpid();
	grow(st);
	if (lock(st, e) < 0 || read_all(st, e) < 0) {
		uidl_journal_close(&st);
		return -1;
	}
	*st_r = st;
	return 0;
}

void uidl_journal_close(struct uidl_journal **stp)
{
	struct uidl_journal *st = *stp;
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->cap; i++)
		free(st->table[i].uidl);
	free(st->table);
	if (st->fd >= 0)
		close(st->fd); /* drops the lock */
	free(st->path);
	free(st);
	*stp = NULL;
}

size_t uidl_journal_damaged(const struct uidl_journal *st)
{
	return st->damaged;
}

enum uidl_state uidl_journal_get(const struct uidl_journal *st, const char *uidl,
				   time_t *stored_r)
{
	const struct entry *e = slot((struct uidl_journal *)st, uidl);
	if (e->uidl == NULL)
		return UIDL_NEW;
	if (stored_r != NULL)
		*stored_r = e->stored;
	return e->state;
}

/* Appends the records in b (whole lines) and makes them durable. */
static int append(struct uidl_journal *st, const struct buf *b, struct err *e)
{
	size_t done = 0;
	while (done < b->len) {
		ssize_t w = write(st->fd, b->data + done, b->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return io_error(e, st->path, _("cannot write"));
		done += (size_t)w;
	}
	if (fdatasync(st->fd) < 0)
		return io_error(e, st->path, _("cannot write"));
	return 0;
}

static int add_line(struct buf *b, const char *text)
{
	return buf_printf(b, "%s %08x\n", text, checksum(text, strlen(text)));
}

int uidl_journal_pending(struct uidl_journal *st, const struct uidl_pending *p, size_t n,
		       struct err *e)
{
	struct buf b;
	buf_init(&b, (size_t)LINE_MAX_BYTES * (n + 1));
	char line[LINE_MAX_BYTES];
	for (size_t i = 0; i < n; i++) {
		if (!uidl_valid(p[i].uidl)) {
			buf_release(&b);
			return err_set(e, ERR_MESSAGE, ERR_PARSE, _("invalid UIDL"));
		}
		snprintf(line, sizeof(line), "P %016llx %lld %s", (unsigned long long)p[i].hash,
			 p[i].size_before, p[i].uidl);
		buf_cut_ok(add_line(&b, line));
	}
	int rc = append(st, &b, e);
	buf_release(&b);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct entry *en = entry_for(st, p[i].uidl);
		if (en->state != UIDL_STORED) {
			en->state = UIDL_PENDING;
			en->hash = p[i].hash;
			en->size_before = p[i].size_before;
		}
	}
	return rc;
}

int uidl_journal_stored(struct uidl_journal *st, const char *const *uidls, size_t n,
		      time_t when, struct err *e)
{
	struct buf b;
	buf_init(&b, (size_t)LINE_MAX_BYTES * (n + 1));
	char line[LINE_MAX_BYTES];
	for (size_t i = 0; i < n; i++) {
		if (!uidl_valid(uidls[i])) {
			buf_release(&b);
			return err_set(e, ERR_MESSAGE, ERR_PARSE, _("invalid UIDL"));
		}
		snprintf(line, sizeof(line), "S %lld %s", (long long)when, uidls[i]);
		buf_cut_ok(add_line(&b, line));
	}
	int rc = append(st, &b, e);
	buf_release(&b);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct entry *en = entry_for(st, uidls[i]);
		en->state = UIDL_STORED;
		en->stored = when;
	}
	return rc;
}

int uidl_journal_hold(struct uidl_journal *st, const char *const *uidls, size_t n,
		      struct err *e)
{
	struct buf b;
	buf_init(&b, (size_t)LINE_MAX_BYTES * (n + 1));
	char line[LINE_MAX_BYTES];
	for (size_t i = 0; i < n; i++) {
		if (!uidl_valid(uidls[i])) {
			buf_release(&b);
			return err_set(e, ERR_MESSAGE, ERR_PARSE, _("invalid UIDL"));
		}
		snprintf(line, sizeof(line), "K %s", uidls[i]);
		buf_cut_ok(add_line(&b, line));
	}
	int rc = append(st, &b, e);
	buf_release(&b);
	for (size_t i = 0; rc == 0 && i < n; i++)
		entry_for(st, uidls[i])->held = true;
	return rc;
}

bool uidl_journal_held(const struct uidl_journal *st, const char *uidl)
{
	const struct entry *e = slot((struct uidl_journal *)st, uidl);
	return e->uidl != NULL && e->held;
}

/* ------------------------------------------------------------ settle */

/* Whether a message hashing to hash starts at or after from in the mbox
 * data[0..len). */
static bool stored_after(const char *data, size_t len, size_t from, uint64_t hash)
{
	if (from > len)
		return false;
	size_t pos = from;
	struct mbox_msg m;
	struct buf b;
	buf_init(&b, MESSAGE_MAX);
	bool found = false;
	while (!found && mbox_scan_next(data, len, &pos, &m)) {
		buf_reset(&b);
		if (m.from_line < from || mbox_unquote(data + m.start, m.end - m.start, &b) < 0)
			continue;
		/* At the end of the file the scanner keeps the blank line that
		 * ends every appended message: try without it too. */
		found = mbox_append_content_hash(b.data, b.len) == hash ||
			(b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '\n' &&
			 mbox_append_content_hash(b.data, b.len - 1) == hash);
	}
	buf_release(&b);
	return found;
}

int uidl_journal_settle(struct uidl_journal *st, const char *mbox_path, size_t *stored_r,
		      size_t *dropped_r, struct err *e)
{
	size_t stored = 0, dropped = 0;
	struct mbox_file mf = { .fd = -1 };
	bool have = false;
	for (size_t i = 0; i < st->cap; i++) {
		struct entry *en = &st->table[i];
		if (en->uidl == NULL || en->state != UIDL_PENDING)
			continue;
		if (!have) {
			/* Reading settles a half-done append first (mbox_journal). */
			struct err ignored;
			err_init(&ignored);
			(void)mbox_append_recover(mbox_path, NULL, &ignored);
			if (mbox_file_open(&mf, mbox_path, e) < 0 && e->code != ERR_NOTFOUND)
				return -1;
			have = true;
		}
		bool in = mf.data != NULL && en->size_before >= 0 &&
			  stored_after(mf.data, mf.len, (size_t)en->size_before, en->hash);
		char line[LINE_MAX_BYTES];
		struct buf b;
		buf_init(&b, LINE_MAX_BYTES * 2);
		if (in)
			snprintf(line, sizeof(line), "S %lld %s", (long long)time(NULL), en->uidl);
		else
			snprintf(line, sizeof(line), "X %s", en->uidl);
		buf_cut_ok(add_line(&b, line));
		int rc = append(st, &b, e);
		buf_release(&b);
		if (rc < 0) {
			mbox_file_close(&mf);
			return -1;
		}
		en->state = in ? UIDL_STORED : UIDL_NEW;
		en->stored = in ? time(NULL) : 0;
		if (in)
			stored++;
		else
			dropped++;
	}
	mbox_file_close(&mf);
	err_init(e);
	if (stored_r)
		*stored_r = stored;
	if (dropped_r)
		*dropped_r = dropped;
	return 0;
}

/* ------------------------------------------------------------ compact */

/* Whether compaction keeps en (stored), and from when it is missing
 * (0: listed) in *missing_r. */
static bool compact_keeps(const struct entry *en, bool listed, time_t now, time_t *missing_r)
{
	*missing_r = 0;
	if (listed)
		return true;
	*missing_r = en->missing_since > 0 && en->missing_since <= now ? en->missing_since : now;
	return now - *missing_r < (time_t)UIDL_JOURNAL_GRACE_DAYS * 86400;
}

/* The records that keep en (stored) in a compacted file. */
static void compact_lines(const struct entry *en, time_t missing, struct buf *b)
{
	char line[LINE_MAX_BYTES];
	buf_reset(b);
	snprintf(line, sizeof(line), "S %lld %s", (long long)en->stored, en->uidl);
	buf_cut_ok(add_line(b, line));
	if (en->held) {
		snprintf(line, sizeof(line), "K %s", en->uidl);
		buf_cut_ok(add_line(b, line));
	}
	if (missing > 0) {
		snprintf(line, sizeof(line), "M %lld %s", (long long)missing, en->uidl);
		buf_cut_ok(add_line(b, line));
	}
}

int uidl_journal_compact(struct uidl_journal *st, bool (*listed)(void *ctx, const char *uidl),
		       void *ctx, time_t now, struct err *e)
{
	char *tmp;
	char *dir;
	int tfd = mbox_temp_open(st->path, &tmp, &dir);
	if (tfd < 0)
		return io_error(e, st->path, _("cannot write"));
	struct mbox_writer *w = xmalloc(sizeof(*w));
	mbox_writer_init(w, tfd, 0);
	mbox_writer_put(w, MAGIC, sizeof(MAGIC) - 1);
	struct buf b;
	buf_init(&b, LINE_MAX_BYTES * 4);
	/* What each entry becomes, applied only once the new file is in
	 * place: missing[i] the M time, or -1 when the entry is dropped. */
	time_t *missing = xcalloc(st->cap, sizeof(*missing));
	for (size_t i = 0; i < st->cap; i++) {
		const struct entry *en = &st->table[i];
		missing[i] = -1;
		if (en->uidl == NULL || en->state != UIDL_STORED ||
		    !compact_keeps(en, listed(ctx, en->uidl), now, &missing[i])) {
			missing[i] = -1;
			continue;
		}
		compact_lines(en, missing[i], &b);
		mbox_writer_put(w, b.data, b.len);
	}
	buf_release(&b);
	mbox_writer_flush(w);
	int error = w->error;
	free(w);
	struct stat sb;
	if (error == 0 && fstat(st->fd, &sb) < 0)
		error = errno;
	/* The new file is locked before it takes the name: no second fetch
	 * can slip in between. */
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (error == 0 && fcntl(tfd, F_SETLK, &fl) < 0)
		error = errno;
	if (error == 0)
		error = mbox_temp_commit(tfd, tmp, st->path, dir, &sb);
	else
		unlink(tmp);
	free(tmp);
	free(dir);
	if (error != 0) {
		free(missing);
		close(tfd);
		errno = error;
		return io_error(e, st->path, _("cannot write"));
	}
	/* Forget what was dropped; go on with the new file. */
	for (size_t i = 0; i < st->cap; i++) {
		struct entry *en = &st->table[i];
		if (en->uidl == NULL)
			continue;
		if (missing[i] < 0) {
			en->state = UIDL_NEW;
			en->held = false;
		}
		en->missing_since = missing[i] > 0 ? missing[i] : 0;
	}
	free(missing);
	close(st->fd);
	st->fd = tfd;
	if (fcntl(tfd, F_SETFL, O_APPEND) < 0)
		return io_error(e, st->path, _("cannot write"));
	return 0;
}
