#include "config.h"

#include "mbox_index.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "mbox_append.h"
#include "mbox_journal.h"
#include "mbox_record.h"
#include "mem.h"

#define SCHEMA_VERSION 4
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define TAIL_MAX 256 /* bytes of the last separator line kept as identity */
#define SCAN_DROP_STEP ((size_t)4 << 20)
#define CHUNK 512 /* messages per row of the chunk table */
#define CHUNK_BYTES_MAX ((size_t)64 << 20)

/* chunk holds the entries of CHUNK messages from number first on, as
 * mbox_record.h encodes them; an entry's doc is the rowid of its row in
 * fts (fts.h).  meta holds the next doc number, so that numbers are never
 * reused while a row of theirs could remain. */
static const char schema[] =
	"PRAGMA page_size=16384;" /* takes effect in a new file only */
	"PRAGMA journal_mode=TRUNCATE;"
	"PRAGMA synchronous=OFF;" /* a cache: a crash at worst means a rescan */
	"CREATE TABLE IF NOT EXISTS mbox(id INTEGER PRIMARY KEY, path TEXT UNIQUE"
	" NOT NULL, dev INTEGER, ino INTEGER, size INTEGER, mtime INTEGER,"
	" last_from INTEGER, tail BLOB, count INTEGER, fts_upto INTEGER DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS chunk(mbox INTEGER NOT NULL, first INTEGER NOT NULL,"
	" n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(mbox, first)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(subject, sender,"
	" recipients, cc, body, tokenize = 'unicode61 remove_diacritics 2');";

void mbox_identity_of(int fd, struct mbox_identity *id)
{
	struct stat st;
	memset(id, 0, sizeof(*id));
	if (fstat(fd, &st) == 0) {
		id->dev = (long long)st.st_dev;
		id->ino = (long long)st.st_ino;
		id->size = (long long)st.st_size;
		id->mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
}

static struct mbox_entry *add_entry(struct mbox_index *ix)
{
	ix->msgs = xgrow(ix->msgs, &ix->cap, ix->n + 1, sizeof(*ix->msgs));
	struct mbox_entry *e = &ix->msgs[ix->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

void mbox_index_scan_from(struct mbox_index *ix, size_t pos)
{
	struct header_limits lim;
	header_limits_default(&lim);
	struct mbox_msg m;
	size_t dropped = 0;
	while (mbox_scan_next(ix->file.data, ix->file.len, &pos, &m)) {
		struct mbox_entry *e = add_entry(ix);
		e->pos = m;
		summary_from_message(&e->sum, ix->file.data + m.start, m.end - m.start, &lim);
		summary_pack(&e->sum);
		ix->scanned++;
		/* Read once: let what is behind us leave resident memory. */
		if (m.from_line - dropped > SCAN_DROP_STEP) {
			mbox_file_drop_pages(&ix->file, m.from_line);
			dropped = m.from_line;
			if (ix->progress != NULL &&
			    !ix->progress->fn(ix->progress->ctx, m.from_line, ix->file.len)) {
				ix->cancelled = true;
				return;
			}
		}
	}
}

static void drop_entries_from(struct mbox_index *ix, size_t first)
{
	for (size_t i = first; i < ix->n; i++)
		summary_release(&ix->msgs[i].sum);
	ix->n = first;
}

/* ------------------------------------------------------------ cache */

/* Loads the cached entries of mbox id; false if any does not fit the
 * file (then nothing is kept). */
static bool load_rows(sqlite3 *db, long long id, struct mbox_index *ix, size_t limit)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT first, n, data FROM chunk WHERE mbox = ?"
			       " ORDER BY first", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, id);
	bool good = true;
	size_t prev_end = 0;
	long long prev_doc = 0;
	while (good && sqlite3_step(st) == SQLITE_ROW) {
		long long first = sqlite3_column_int64(st, 0);
		long long n = sqlite3_column_int64(st, 1);
		const unsigned char *p = sqlite3_column_blob(st, 2);
		const unsigned char *end = p + sqlite3_column_bytes(st, 2);
		if (first != (long long)ix->n || n <= 0 || n > CHUNK || p == NULL) {
			good = false;
			break;
		}
		ix->msgs = xgrow(ix->msgs, &ix->cap, ix->n + (size_t)n, sizeof(*ix->msgs));
		for (long long k = 0; good && k < n; k++) {
			struct mbox_entry *e = &ix->msgs[ix->n];
			if (!mbox_record_decode(&p, end, e)) {
				good = false;
				break;
			}
			ix->n++;
			const struct mbox_msg *m = &e->pos;
			good = m->from_line >= prev_end && m->start > m->from_line &&
			       m->end >= m->start && m->end <= limit && e->doc > prev_doc;
			prev_end = m->end;
			prev_doc = e->doc;
		}
		good = good && p == end;
	}
	sqlite3_finalize(st);
	if (!good)
		drop_entries_from(ix, 0);
	return good;
}

static bool tail_matches(const struct mbox_file *f, long long last_from,
			 const void *tail, int tail_len)
{
	if (tail_len < 0 || last_from < 0 || (unsigned long long)last_from +
	    (unsigned long long)tail_len > (unsigned long long)f->len)
		return false;
	return tail_len == 0 || memcmp(f->data + last_from, tail, (size_t)tail_len) == 0;
}

/* Uses the cache row of path if it fits the file: fills ix and sets how.
 * Returns the mbox id in the cache, or -1 if there is none. */
static long long use_cache(sqlite3 *db, const char *path, const struct mbox_identity *id,
			   struct mbox_index *ix)
{
	sqlite3_stmt *st;
	long long row = -1;
	if (sqlite3_prepare_v2(db, "SELECT id, dev, ino, size, mtime, last_from, tail,"
			       " count FROM mbox WHERE path = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		row = sqlite3_column_int64(st, 0);
		long long dev = sqlite3_column_int64(st, 1), ino = sqlite3_column_int64(st, 2);
		long long size = sqlite3_column_int64(st, 3), mtime = sqlite3_column_int64(st, 4);
		long long last_from = sqlite3_column_int64(st, 5);
		long long count = sqlite3_column_int64(st, 7);
		bool same_file = dev == id->dev && ino == id->ino &&
				 tail_matches(&ix->file, last_from, sqlite3_column_blob(st, 6),
					      sqlite3_column_bytes(st, 6));
		if (same_file && size == id->size && mtime == id->mtime) {
			if (load_rows(db, row, ix, (size_t)size) && (long long)ix->n == count)
				ix->how = MBOX_INDEX_CACHED;
			else
				drop_entries_from(ix, 0);
		} else if (same_file && size < id->size && count > 0) {
			/* Grown: keep all but the old last message, which may have
			 * grown too, and scan from its separator. */
			if (load_rows(db, row, ix, (size_t)size) && (long long)ix->n == count) {
				ix->resume = ix->msgs[ix->n - 1].pos.from_line;
				drop_entries_from(ix, ix->n - 1);
				ix->how = MBOX_INDEX_GREW;
			} else {
				drop_entries_from(ix, 0);
			}
		}
	}
	sqlite3_finalize(st);
	return row;
}

/* Whether doc is among the docs of ix->msgs[first..n) (increasing). */
static bool has_doc(const struct mbox_index *ix, size_t first, long long doc)
{
	size_t lo = first, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->msgs[mid].doc == doc)
			return true;
		if (ix->msgs[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Gives ix->msgs[first..n) increasing doc numbers: entries without one,
 * or out of order, get new ones from the meta counter. */
static int assign_docs(sqlite3 *db, struct mbox_index *ix, size_t first)
{
	sqlite3_stmt *st;
	long long next = 1;
	if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k = 'next_doc'", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		next = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	long long prev = first > 0 ? ix->msgs[first - 1].doc : 0;
	for (size_t i = first; i < ix->n; i++) {
		if (ix->msgs[i].doc <= prev || ix->msgs[i].doc >= next)
			ix->msgs[i].doc = next++;
		prev = ix->msgs[i].doc;
	}
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta VALUES('next_doc', ?)", -1,
			       &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, next);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* Deletes the full-text rows of the docs of mbox mid's cached entries
 * from number first on that ix->msgs[first..n) no longer has. */
static int drop_stale_docs(sqlite3 *db, long long mid, const struct mbox_index *ix,
			   size_t first)
{
	sqlite3_stmt *q = NULL, *del = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT first, data FROM chunk WHERE mbox = ?"
				    " AND first + n > ?", -1, &q, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "DELETE FROM fts WHERE rowid = ?", -1, &del, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, mid);
		sqlite3_bind_int64(q, 2, (long long)first);
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			long long seq = sqlite3_column_int64(q, 0);
			const unsigned char *p = sqlite3_column_blob(q, 1);
			const unsigned char *end = p + sqlite3_column_bytes(q, 1);
			struct mbox_entry e;
			while (p != NULL && p < end && mbox_record_decode(&p, end, &e)) {
				long long doc = e.doc;
				summary_release(&e.sum);
				if (seq++ < (long long)first || has_doc(ix, first, doc))
					continue;
				sqlite3_reset(del);
				sqlite3_bind_int64(del, 1, doc);
				if (sqlite3_step(del) != SQLITE_DONE)
					break;
			}
		}
		rc = rc == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(q);
	sqlite3_finalize(del);
	return rc;
}

/* Writes ix->msgs[first..n) as chunks (first is a multiple of CHUNK). */
static int write_chunks(sqlite3 *db, long long mid, const struct mbox_index *ix,
			size_t first)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "INSERT INTO chunk VALUES(?,?,?,?)", -1, &st, NULL);
	struct buf b;
	buf_init(&b, CHUNK_BYTES_MAX);
	for (size_t c = first; rc == SQLITE_OK && c < ix->n; c += CHUNK) {
		size_t n = ix->n - c < CHUNK ? ix->n - c : CHUNK;
		buf_reset(&b);
		for (size_t i = c; rc == SQLITE_OK && i < c + n; i++)
			if (mbox_record_encode(&b, &ix->msgs[i]) < 0)
				rc = SQLITE_TOOBIG;
		if (rc != SQLITE_OK)
			break;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, mid);
		sqlite3_bind_int64(st, 2, (long long)c);
		sqlite3_bind_int64(st, 3, (long long)n);
		sqlite3_bind_blob(st, 4, b.data, (int)b.len, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	buf_release(&b);
	sqlite3_finalize(st);
	return rc;
}

static int save(sqlite3 *db, const char *path, const struct mbox_identity *id,
		struct mbox_index *ix, size_t first_new)
{
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *st = NULL;
	long long last_from = ix->n ? (long long)ix->msgs[ix->n - 1].pos.from_line : 0;
	size_t tail_len = 0;
	if (ix->n > 0) {
		const char *nl = memchr(ix->file.data + last_from, '\n',
					ix->file.len - (size_t)last_from);
		tail_len = nl ? (size_t)(nl - (ix->file.data + last_from)) + 1
			      : ix->file.len - (size_t)last_from;
		if (tail_len > TAIL_MAX)
			tail_len = TAIL_MAX;
	}
	if (rc == SQLITE_OK)
		rc = assign_docs(db, ix, first_new) == 0 ? SQLITE_OK : SQLITE_ERROR;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO mbox(path, dev, ino, size, mtime,"
					" last_from, tail, count) VALUES(?,?,?,?,?,?,?,?)"
					" ON CONFLICT(path) DO UPDATE SET dev=excluded.dev,"
					" ino=excluded.ino, size=excluded.size, mtime=excluded.mtime,"
					" last_from=excluded.last_from, tail=excluded.tail,"
					" count=excluded.count", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id->dev);
		sqlite3_bind_int64(st, 3, id->ino);
		sqlite3_bind_int64(st, 4, id->size);
		sqlite3_bind_int64(st, 5, id->mtime);
		sqlite3_bind_int64(st, 6, last_from);
		sqlite3_bind_blob(st, 7, ix->file.data ? ix->file.data + last_from : "",
				  (int)tail_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, (long long)ix->n);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	st = NULL;
	long long mid = 0;
	if (rc == SQLITE_OK) {
		sqlite3_stmt *q;
		rc = sqlite3_prepare_v2(db, "SELECT id FROM mbox WHERE path = ?", -1, &q, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
			rc = sqlite3_step(q) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
			mid = sqlite3_column_int64(q, 0);
		}
		sqlite3_finalize(q);
	}
	/* Rewrite from the chunk that holds the first new entry. */
	size_t from = first_new - first_new % CHUNK;
	if (rc == SQLITE_OK)
		rc = drop_stale_docs(db, mid, ix, from);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "DELETE FROM chunk WHERE mbox = ? AND first + n > ?",
					-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, mid);
		sqlite3_bind_int64(st, 2, (long long)from);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_OK)
		rc = write_chunks(db, mid, ix, from);
	sqlite3_exec(db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	if (rc != SQLITE_OK) /* the numbers were not recorded: forget them */
		for (size_t i = first_new; i < ix->n; i++)
			ix->msgs[i].doc = 0;
	return rc == SQLITE_OK ? 0 : -1;
}

/* Opens the cache database, creating it 0600; a file that is not a cache
 * of this version is replaced. */
static sqlite3 *open_cache(const char *cache_path)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = open(cache_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return NULL;
		close(fd);
		sqlite3 *db = NULL;
		int version = -1;
		if (sqlite3_open_v2(cache_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
			    sqlite3_step(st) == SQLITE_ROW)
				version = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
		if ((version == 0 || version == SCHEMA_VERSION) &&
		    sqlite3_exec(db, schema, NULL, NULL, NULL) == SQLITE_OK &&
		    sqlite3_exec(db, "PRAGMA user_version = " STRINGIFY(SCHEMA_VERSION), NULL, NULL, NULL) == SQLITE_OK)
			return db;
		sqlite3_close(db);
		unlink(cache_path); /* not ours, or damaged: start afresh */
	}
	return NULL;
}

int mbox_index_open(struct mbox_index *ix, const char *path,
		    const char *cache_path, struct err *e)
{
	return mbox_index_open_with(ix, path, cache_path, NULL, e);
}

int mbox_index_open_with(struct mbox_index *ix, const char *path,
			 const char *cache_path,
			 const struct mbox_index_progress *p, struct err *e)
{
	memset(ix, 0, sizeof(*ix));
	ix->progress = p;
	if (mbox_journal_exists(path)) {
		/* An append was cut short: take it out before reading. */
		struct mbox_append_options opt = { .lock_timeout_ms = 1000 };
		struct err ignored;
		err_init(&ignored);
		(void)mbox_append_recover(path, &opt, &ignored);
	}
	if (mbox_file_open(&ix->file, path, e) < 0)
		return -1;
	struct mbox_identity id;
	mbox_identity_of(ix->file.fd, &id);
	id.size = (long long)ix->file.len; /* what is mapped, even if it grew since */
	ix->id = id;
	char *real = realpath(path, NULL);
	const char *key = real ? real : path;
	sqlite3 *db = cache_path ? open_cache(cache_path) : NULL;
	ix->how = MBOX_INDEX_SCANNED;
	if (db != NULL)
		use_cache(db, key, &id, ix);
	size_t first_new = ix->n;
	if (ix->how == MBOX_INDEX_GREW)
		mbox_index_scan_from(ix, ix->resume);
	else if (ix->how == MBOX_INDEX_SCANNED)
		mbox_index_scan_from(ix, 0);
	ix->progress = NULL;
	if (ix->cancelled) {
		sqlite3_close(db);
		free(real);
		mbox_index_close(ix);
		return err_set(e, ERR_CANCELLED, ERR_OK, _("opening %s: stopped"), path);
	}
	int rc = 0;
	if (db != NULL && ix->how != MBOX_INDEX_CACHED)
		rc = save(db, key, &id, ix, first_new) < 0 ? 1 : 0;
	else if (db == NULL && cache_path != NULL)
		rc = 1;
	sqlite3_close(db);
	free(real);
	return rc;
}

void mbox_index_close(struct mbox_index *ix)
{
	drop_entries_from(ix, 0);
	free(ix->msgs);
	mbox_file_close(&ix->file);
	memset(ix, 0, sizeof(*ix));
}

int mbox_index_store(struct mbox_index *ix, const char *path,
		     const char *cache_path)
{
	if (cache_path == NULL)
		return 0;
	sqlite3 *db = open_cache(cache_path);
	if (db == NULL)
		return -1;
	char *real = realpath(path, NULL);
	const char *key = real ? real : path;
	int rc = save(db, key, &ix->id, ix, 0);
	if (rc < 0) {
		/* Never leave a record that claims to describe the old file. */
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db, "UPDATE mbox SET size = -1 WHERE path = ?", -1,
				       &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	free(real);
	return rc;
}
