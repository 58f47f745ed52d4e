#include "config.h"

#include "mbox_rewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header.h"
#include "i18n.h"
#include "mbox_journal.h"
#include "mbox_lock.h"
#include "mbox_writer.h"
#include "mem.h"
#include "str.h"

#define SYNC_ATTEMPTS 3
#define DROP_STEP ((size_t)16 << 20)

/* ------------------------------------------------------------ header */

/* Whether the header line line[0..n) is the field name (any case). */
static bool is_field(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || !str_eqn_ci(line, name, k))
		return false;
	size_t i = k;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < n && line[i] == ':';
}

static void put_status(struct mbox_writer *w, unsigned flags, const char *eol)
{
	char v[8];
	size_t k = 0;
	if (flags & SUMMARY_READ) {
		v[k++] = 'R';
		v[k++] = 'O';
	} else if (flags & SUMMARY_OLD) {
		v[k++] = 'O';
	}
	if (k > 0) {
		mbox_writer_put(w, "Status: ", 8);
		mbox_writer_put(w, v, k);
		mbox_writer_put(w, eol, strlen(eol));
	}
	k = 0;
	if (flags & SUMMARY_ANSWERED)
		v[k++] = 'A';
	if (flags & SUMMARY_FLAGGED)
		v[k++] = 'F';
	if (flags & SUMMARY_DELETED)
		v[k++] = 'D';
	if (k > 0) {
		mbox_writer_put(w, "X-Status: ", 10);
		mbox_writer_put(w, v, k);
		mbox_writer_put(w, eol, strlen(eol));
	}
}

/* Writes the message msg[0..len) with its Status and X-Status fields (and
 * their continuation lines) replaced by those of flags, at the end of the
 * header. */
static void put_message_with_flags(struct mbox_writer *w, const char *msg,
				   size_t len, unsigned flags)
{
	size_t hlen = header_block_len(msg, len);
	const char *first_nl = memchr(msg, '\n', hlen);
	const char *eol = first_nl && first_nl > msg && first_nl[-1] == '\r' ? "\r\n" : "\n";
	size_t p = 0;
	bool skipping = false, ends_line = true;
	while (p < hlen) {
		const char *nl = memchr(msg + p, '\n', hlen - p);
		size_t end = nl ? (size_t)(nl - msg) + 1 : hlen;
		const char *line = msg + p;
		size_t n = end - p;
		if (line[0] == '\n' || (n == 2 && line[0] == '\r'))
			break; /* the empty line that ends the header */
		if (line[0] != ' ' && line[0] != '\t')
			skipping = is_field(line, n, "Status") || is_field(line, n, "X-Status");
		if (!skipping) {
			mbox_writer_put(w, line, n);
			ends_line = line[n - 1] == '\n';
		}
		p = end;
	}
	if (!ends_line)
		mbox_writer_put(w, eol, strlen(eol));
	put_status(w, flags, eol);
	mbox_writer_put(w, msg + p, len - p);
}

/* ------------------------------------------------------------ rewrite */

struct rewrite {
	struct mbox_index *ix;
	const char *path;
	const unsigned *flags;
	bool expunge;
	const char *data;      /* the locked file, mapped */
	size_t len;
	struct mbox_msg *pos;  /* new positions of the kept messages */
	size_t kept;
	size_t tail;           /* where what was appended since starts in the new file */
};

static bool dropped(const struct rewrite *r, size_t i)
{
	return r->expunge && (r->flags[i] & SUMMARY_DELETED);
}

static bool flags_change(const struct rewrite *r, size_t i)
{
	return ((r->flags[i] ^ r->ix->msgs[i].sum.flags) & MBOX_REWRITE_FLAGS) != 0;
}

/* Whether the mapped file still has ix's messages where ix has them:
 * each separator in place, and what follows the old end (if the file
 * grew) starting with a separator. */
static bool still_matches(const struct rewrite *r)
{
	const struct mbox_index *ix = r->ix;
	for (size_t i = 0; i < ix->n; i++) {
		const struct mbox_msg *m = &ix->msgs[i].pos;
		if (m->end > r->len || m->from_line + 5 > r->len ||
		    memcmp(r->data + m->from_line, "From ", 5) != 0 ||
		    (m->from_line > 0 && r->data[m->from_line - 1] != '\n'))
			return false;
	}
	size_t old = ix->file.len;
	if (r->len > old) {
		size_t p = old;
		while (p < r->len && (r->data[p] == '\n' || r->data[p] == '\r'))
			p++;
		if (r->len - p < 5 || memcmp(r->data + p, "From ", 5) != 0 ||
		    (p > 0 && r->data[p - 1] != '\n'))
			return false;
	}
	return true;
}

/* Writes the new mailbox to w, filling r->pos. */
static void write_new(struct rewrite *r, struct mbox_writer *w)
{
	const struct mbox_index *ix = r->ix;
	size_t old = ix->file.len;
	size_t first = ix->n ? ix->msgs[0].pos.from_line : old;
	bool any = r->len > old;
	for (size_t i = 0; i < ix->n && !any; i++)
		any = !dropped(r, i);
	/* A byte order mark, blank lines: kept, unless nothing follows them
	 * (a file of blank lines alone is not an mbox; an empty one is). */
	if (any)
		mbox_writer_put(w, r->data, first);
	size_t done_upto = 0;
	for (size_t i = 0; i < ix->n; i++) {
		const struct mbox_msg *m = &ix->msgs[i].pos;
		size_t next = i + 1 < ix->n ? ix->msgs[i + 1].pos.from_line : old;
		if (!dropped(r, i)) {
			struct mbox_msg *np = &r->pos[r->kept++];
			np->from_line = (size_t)mbox_writer_tell(w);
			mbox_writer_put(w, r->data + m->from_line, m->start - m->from_line);
			np->start = (size_t)mbox_writer_tell(w);
			if (flags_change(r, i))
				put_message_with_flags(w, r->data + m->start, m->end - m->start,
						       r->flags[i]);
			else
				mbox_writer_put(w, r->data + m->start, m->end - m->start);
			np->end = (size_t)mbox_writer_tell(w);
			mbox_writer_put(w, r->data + m->end, next - m->end);
		}
		/* Read once: keep a huge mailbox out of resident memory. */
		if (next - done_upto > DROP_STEP) {
			long page = sysconf(_SC_PAGESIZE);
			size_t k = page > 0 ? next - next % (size_t)page : 0;
			if (k > 0)
				madvise((void *)r->data, k, MADV_DONTNEED);
			done_upto = next;
		}
	}
	r->tail = (size_t)mbox_writer_tell(w);
	mbox_writer_put(w, r->data + old, r->len - old);
	mbox_writer_flush(w);
}

/* After the rename: makes ix describe the new file, open on fd. */
static void adopt_new_file(struct rewrite *r, int fd, const char *cache_path)
{
	struct mbox_index *ix = r->ix;
	struct mbox_index nix;
	memset(&nix, 0, sizeof(nix));
	nix.file.fd = fd;
	mbox_identity_of(fd, &nix.id);
	nix.file.len = (size_t)nix.id.size;
	if (nix.file.len > 0) {
		void *map = mmap(NULL, nix.file.len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			nix.file.len = 0;
			nix.id.size = 0;
		} else {
			nix.file.data = map;
		}
	}
	nix.msgs = xcalloc(r->kept ? r->kept : 1, sizeof(*nix.msgs));
	nix.cap = r->kept ? r->kept : 1;
	for (size_t i = 0; i < ix->n; i++) {
		if (dropped(r, i)) {
			summary_release(&ix->msgs[i].sum);
			continue;
		}
		struct mbox_entry *e = &nix.msgs[nix.n];
		e->pos = r->pos[nix.n];
		e->sum = ix->msgs[i].sum;
		e->doc = ix->msgs[i].doc;
		if (flags_change(r, i)) {
			e->sum.flags = (e->sum.flags & ~(unsigned)MBOX_REWRITE_FLAGS) |
				       (r->flags[i] & MBOX_REWRITE_FLAGS);
			if (e->sum.flags & SUMMARY_READ)
				e->sum.flags |= SUMMARY_OLD; /* "RO", as read back */
		}
		e->sum.size = e->pos.end - e->pos.start;
		nix.n++;
	}
	free(ix->msgs);
	ix->msgs = NULL;
	ix->n = 0;
	mbox_index_close(ix);
	if (nix.file.data != NULL && r->tail < nix.file.len)
		mbox_index_scan_from(&nix, r->tail);
	nix.how = MBOX_INDEX_SCANNED;
	nix.scanned = nix.n;
	(void)mbox_index_store(&nix, r->path, cache_path);
	*ix = nix;
}

static int write_error(struct err *e, const char *path, int error)
{
	return err_set(e, ERR_FOLDER, ERR_IO,
		       _("could not write %s: %s; the mailbox is unchanged"), path,
		       strerror(error));
}

/* The part under the lock, on the locked descriptor fd. */
static int rewrite_locked(struct rewrite *r, int fd, const char *cache_path,
			  struct err *e)
{
	struct mbox_index *ix = r->ix;
	struct stat st;
	struct mbox_identity cur;
	if (fstat(fd, &st) < 0)
		return write_error(e, r->path, errno);
	/* An append cut short is settled first; if that changed the file,
	 * the caller sees it changed and reopens. */
	int settled = mbox_journal_recover(r->path, fd, e);
	if (settled < 0)
		return -1;
	if (settled > 0)
		return MBOX_REWRITE_CHANGED;
	if (fstat(fd, &st) < 0)
		return write_error(e, r->path, errno);
	mbox_identity_of(fd, &cur);
	if (cur.dev != ix->id.dev || cur.ino != ix->id.ino || cur.size < ix->id.size ||
	    (cur.size == ix->id.size && cur.mtime != ix->id.mtime))
		return MBOX_REWRITE_CHANGED;
	r->len = (size_t)cur.size;
	if (r->len > 0) {
		void *map = mmap(NULL, r->len, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			return write_error(e, r->path, errno);
		r->data = map;
	}
	int rc = 0;
	if (!still_matches(r)) {
		rc = MBOX_REWRITE_CHANGED;
		goto out;
	}
	char *dir, *tmp;
	int tfd = mbox_temp_open(r->path, &tmp, &dir);
	if (tfd < 0) {
		rc = write_error(e, r->path, errno);
		goto out;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	(void)fcntl(tfd, F_SETLK, &fl); /* the new file is locked from the start */
	struct mbox_writer *w = xmalloc(sizeof(*w));
	mbox_writer_init(w, tfd, 0);
	r->pos = xcalloc(ix->n ? ix->n : 1, sizeof(*r->pos));
	write_new(r, w);
	int error = w->error;
	free(w);
	if (error == 0)
		error = mbox_temp_commit(tfd, tmp, r->path, dir, &st);
	else
		unlink(tmp);
	if (error != 0) {
		close(tfd);
		rc = write_error(e, r->path, error);
		goto out_pos;
	}
	/* The new name is in place; from here on nothing fails the rewrite. */
	munmap((void *)r->data, r->len);
	r->data = NULL;
	adopt_new_file(r, tfd, cache_path);
	fl.l_type = F_UNLCK;
	(void)fcntl(tfd, F_SETLK, &fl);
out_pos:
	free(r->pos);
	r->pos = NULL;
	free(tmp);
	free(dir);
out:
	if (r->data != NULL)
		munmap((void *)r->data, r->len);
	r->data = NULL;
	return rc;
}

int mbox_rewrite(struct mbox_index *ix, const char *path, const char *cache_path,
		 const unsigned *flags, bool expunge,
		 const struct mbox_rewrite_options *opt, struct err *e)
{
	struct rewrite r = { .ix = ix, .path = path, .flags = flags, .expunge = expunge };
	bool work = false;
	for (size_t i = 0; i < ix->n && !work; i++)
		work = dropped(&r, i) || flags_change(&r, i);
	if (!work)
		return 0;
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? MBOX_REWRITE_CHANGED
							: write_error(e, path, errno);
	struct mbox_lock lk;
	if (mbox_lock_acquire(&lk, fd, path, opt ? opt->lock_timeout_ms : -1, e) < 0) {
		close(fd);
		return -1;
	}
	int rc = rewrite_locked(&r, fd, cache_path, e);
	mbox_lock_release(&lk);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------ sync */

struct match_key {
	const struct mbox_entry *e;
	size_t i;
};

static int cmp_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const void *pa, const void *pb)
{
	const struct match_key *a = pa, *b = pb;
	int c = cmp_text(a->e->sum.message_id, b->e->sum.message_id);
	if (c == 0)
		c = a->e->sum.date < b->e->sum.date ? -1 : a->e->sum.date > b->e->sum.date;
	if (c == 0)
		c = cmp_text(a->e->sum.from_address, b->e->sum.from_address);
	if (c == 0)
		c = cmp_text(a->e->sum.subject, b->e->sum.subject);
	if (c == 0)
		c = a->i < b->i ? -1 : a->i > b->i;
	return c;
}

static struct match_key *sorted_keys(const struct mbox_index *ix)
{
	struct match_key *k = xcalloc(ix->n ? ix->n : 1, sizeof(*k));
	for (size_t i = 0; i < ix->n; i++) {
		k[i].e = &ix->msgs[i];
		k[i].i = i;
	}
	qsort(k, ix->n, sizeof(*k), cmp_key);
	return k;
}

/* Whether two sizes can be the same message, one with Status and
 * X-Status fields the other lacks ("X-Status: AFD\r\n" and "Status:
 * RO\r\n" at most, each way). */
static bool sizes_close(size_t a, size_t b)
{
	size_t d = a > b ? a - b : b - a;
	return d <= 64;
}

void mbox_index_match(const struct mbox_index *old, const struct mbox_index *new,
		      size_t *map_r)
{
	for (size_t i = 0; i < old->n; i++)
		map_r[i] = (size_t)-1;
	struct match_key *a = sorted_keys(old), *b = sorted_keys(new);
	size_t i = 0, j = 0;
	while (i < old->n && j < new->n) {
		struct match_key x = a[i], y = b[j];
		x.i = y.i = 0; /* compare the keys alone */
		int c = cmp_key(&x, &y);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			if (sizes_close(a[i].e->sum.size, b[j].e->sum.size))
				map_r[a[i].i] = b[j].i;
			i++;
			j++;
		}
	}
	free(a);
	free(b);
}

int mbox_sync(struct mbox_index *ix, const char *path, const char *cache_path,
	      const unsigned *flags, bool expunge,
	      const struct mbox_rewrite_options *opt, size_t *lost_r,
	      struct err *e)
{
	size_t lost = 0;
	unsigned *want = NULL;
	const unsigned *cur = flags;
	int rc = -1;
	for (int attempt = 0; attempt < SYNC_ATTEMPTS; attempt++) {
		rc = mbox_rewrite(ix, path, cache_path, cur, expunge, opt, e);
		if (rc != MBOX_REWRITE_CHANGED)
			break;
		/* Another program changed the file: carry the changes over to
		 * it as it is now. */
		struct mbox_index nix;
		if (mbox_index_open(&nix, path, cache_path, e) < 0) {
			mbox_index_close(ix);
			rc = -1;
			break;
		}
		size_t *map = xcalloc(ix->n ? ix->n : 1, sizeof(*map));
		mbox_index_match(ix, &nix, map);
		unsigned *next = xcalloc(nix.n ? nix.n : 1, sizeof(*next));
		for (size_t j = 0; j < nix.n; j++)
			next[j] = nix.msgs[j].sum.flags;
		for (size_t i = 0; i < ix->n; i++) {
			bool wanted = ((cur[i] ^ ix->msgs[i].sum.flags) & MBOX_REWRITE_FLAGS) != 0 ||
				      (expunge && (cur[i] & SUMMARY_DELETED));
			if (map[i] != (size_t)-1)
				next[map[i]] = wanted ? cur[i] : next[map[i]];
			else if (wanted)
				lost++;
		}
		free(map);
		free(want);
		want = next;
		cur = want;
		mbox_index_close(ix);
		*ix = nix;
		rc = err_set(e, ERR_FOLDER, ERR_IO,
			     _("%s keeps being changed by another program; "
			       "tern's changes were not written"), path);
	}
	free(want);
	if (lost_r != NULL)
		*lost_r = lost;
	return rc < 0 ? -1 : 0;
}
