#include "config.h"

#include "imap_cache.h"
#include "imap_cache_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "i18n.h"
#include "mem.h"
#include "summary_record.h"

#define FORMAT "tern imap cache"
#define SCHEMA_VERSION "2"
#define BUSY_MS 2000

/* folders: one row per folder, by wire name; records and stale count the
 * summary records in its chunks and how many of them no flag row wants
 * any more (removed, or replaced by a later put), to tell when to compact.
 * flags: one row per message the folder holds (its keywords separated by
 * spaces, "" for none).
 * chunks: summary records (varint UID, then summary_record.h) of strictly
 * increasing UIDs from first_uid to last_uid; when one UID has records in
 * several chunks, the chunk with the highest id (the latest) wins. */
static const char pragmas[] =
	"PRAGMA page_size=16384;" /* takes effect in a new file only */
	"PRAGMA journal_mode=WAL;" /* a reader (tern search) next to a writer */
	"PRAGMA synchronous=NORMAL;" /* a kill loses nothing committed */
	"PRAGMA journal_size_limit=4194304;"; /* the log shrinks after a big put */
static const char schema[] =
	"BEGIN IMMEDIATE;"
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS folders(id INTEGER PRIMARY KEY, wire TEXT UNIQUE NOT NULL,"
	" uidvalidity INTEGER NOT NULL, uidnext INTEGER NOT NULL DEFAULT 0,"
	" highestmodseq INTEGER NOT NULL DEFAULT 0, records INTEGER NOT NULL DEFAULT 0,"
	" stale INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS flags(folder INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" flags INTEGER NOT NULL, modseq INTEGER NOT NULL, keywords TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY(folder, uid))"
	" WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, folder INTEGER NOT NULL,"
	" first_uid INTEGER NOT NULL, last_uid INTEGER NOT NULL, n INTEGER NOT NULL,"
	" data BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS chunks_of_folder ON chunks(folder, id);"
	ICACHE_EXTRA_SCHEMA
	"INSERT OR IGNORE INTO meta VALUES('format', '" FORMAT "'),"
	" ('version', '" SCHEMA_VERSION "');"
	"COMMIT;";


static const char *const stmt_sql[ST_COUNT] = {
	[ST_META] = "SELECT value FROM meta WHERE key = ?",
	[ST_FOLDER_ID] = "SELECT id FROM folders WHERE wire = ?",
	[ST_FOLDER_STATE] = "SELECT id, uidvalidity, uidnext, highestmodseq FROM folders"
			    " WHERE wire = ?",
	[ST_FOLDER_COUNT] = "SELECT count(*) FROM flags WHERE folder = ?",
	[ST_FOLDER_RESET] = "INSERT INTO folders(wire, uidvalidity) VALUES(?, ?)"
			    " ON CONFLICT(wire) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
			    " uidnext = 0, highestmodseq = 0, records = 0, stale = 0",
	[ST_FOLDER_SET_STATE] = "UPDATE folders SET uidnext = ?, highestmodseq = ? WHERE id = ?",
	[ST_FOLDER_COUNTS] = "SELECT records, stale FROM folders WHERE id = ?",
	[ST_FOLDER_ADD_COUNTS] = "UPDATE folders SET records = records + ?, stale = stale + ?"
				 " WHERE id = ?",
	[ST_FOLDER_SET_RECORDS] = "UPDATE folders SET records = ?, stale = 0 WHERE id = ?",
	[ST_FOLDER_DROP] = "DELETE FROM folders WHERE id = ?",
	[ST_FLAGS_LOAD] = "SELECT uid, flags, modseq, keywords FROM flags WHERE folder = ?"
			  " ORDER BY uid",
	[ST_FLAGS_INSERT] = "INSERT OR IGNORE INTO flags(folder, uid, flags, modseq, keywords)"
			    " VALUES(?, ?, ?, ?, ?)",
	[ST_FLAGS_UPDATE] = "UPDATE flags SET flags = ?, modseq = ?, keywords = ?"
			    " WHERE folder = ? AND uid = ?",
	[ST_FLAGS_DELETE] = "DELETE FROM flags WHERE folder = ? AND uid = ?",
	[ST_FLAGS_DROP] = "DELETE FROM flags WHERE folder = ?",
	[ST_CHUNKS_LOAD] = "SELECT first_uid, last_uid, n, data FROM chunks WHERE folder = ?"
			   " ORDER BY id",
	[ST_CHUNK_LAST] = "SELECT id, last_uid, n, data FROM chunks WHERE folder = ?"
			  " ORDER BY id DESC LIMIT 1",
	[ST_CHUNK_INSERT] = "INSERT INTO chunks(folder, first_uid, last_uid, n, data)"
			    " VALUES(?, ?, ?, ?, ?)",
	[ST_CHUNK_UPDATE] = "UPDATE chunks SET last_uid = ?, n = ?, data = ? WHERE id = ?",
	[ST_CHUNKS_DROP] = "DELETE FROM chunks WHERE folder = ?",
};


/* ------------------------------------------------------------ helpers */

int icache_db_fail(struct imap_cache *c, struct err *e)
{
	int code = sqlite3_errcode(c->db);
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
		c->damaged = true;
		return err_set(e, ERR_FOLDER, ERR_PARSE, _("cache %s is damaged: %s"), c->path,
			       sqlite3_errmsg(c->db));
	}
	return err_set(e, ERR_FOLDER, ERR_IO, _("cache %s: %s"), c->path, sqlite3_errmsg(c->db));
}

static int parse_fail(struct imap_cache *c, struct err *e, const char *what)
{
	return err_set(e, ERR_FOLDER, ERR_PARSE, _("cache %s is damaged: %s"), c->path, what);
}

/* Steps a statement that returns no row, and resets it. */
int icache_run(struct imap_cache *c, sqlite3_stmt *st, struct err *e)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	sqlite3_reset(st);
	return rc;
}

int icache_exec(struct imap_cache *c, const char *sql, struct err *e)
{
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : icache_db_fail(c, e);
}

/* The id of folder wire: 1 (found), 0 (unknown), or -1 with e. */
int icache_folder_id(struct imap_cache *c, const char *wire, sqlite3_int64 *id_r, struct err *e)
{
	sqlite3_stmt *st = c->st[ST_FOLDER_ID];
	sqlite3_bind_text(st, 1, wire, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(st, 0);
	int ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	sqlite3_reset(st);
	return ret;
}

int icache_need_folder(struct imap_cache *c, const char *wire, sqlite3_int64 *id_r,
		       struct err *e)
{
	int rc = icache_folder_id(c, wire, id_r, e);
	if (rc == 0)
		return err_set(e, ERR_FOLDER, ERR_NOTFOUND, _("cache %s: no folder %s"), c->path,
			       wire);
	return rc < 0 ? -1 : 0;
}

/* Writes outside begin/commit are a transaction of their own. */
int icache_write_begin(struct imap_cache *c, bool *own_r, struct err *e)
{
	*own_r = sqlite3_get_autocommit(c->db) != 0;
	return *own_r ? imap_cache_begin(c, e) : 0;
}

int icache_write_end(struct imap_cache *c, bool own, int rc, struct err *e)
{
	if (own && rc == 0)
		rc = imap_cache_commit(c, e);
	if (own && rc < 0)
		imap_cache_rollback(c);
	return rc;
}

void icache_free_msgs(struct imap_cache_msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		summary_release(&m[i].sum);
		free((char *)m[i].keywords);
	}
	free(m);
}

/* The keywords of a flag row (column col): NULL for none, else a copy;
 * false when they are not text or too long to be ours. */
static bool row_keywords(sqlite3_stmt *st, int col, const char **kw_r)
{
	*kw_r = NULL;
	if (sqlite3_column_type(st, col) != SQLITE_TEXT)
		return false;
	const char *kw = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	if (kw == NULL || len > IMAP_CACHE_KEYWORDS_MAX || strlen(kw) != len)
		return false;
	*kw_r = len > 0 ? xstrdup(kw) : NULL;
	return true;
}

/* ------------------------------------------------------------ open and close */

enum verdict { USABLE, UNUSABLE, NO_CACHE };

/* SQLite's word on a file: damaged or not ours (replace it), or a
 * condition of the moment (locked, unreadable, disk full: leave it). */
static enum verdict verdict_of(struct imap_cache *c, int rc, struct err *e)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOMEM:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_FULL:
	case SQLITE_PROTOCOL:
		err_set(e, ERR_FOLDER, ERR_IO, _("cache %s: %s"), c->path,
			c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		return NO_CACHE;
	default:
		return UNUSABLE;
	}
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static off_t file_size(const char *path, const char *suffix)
{
	struct buf b;
	buf_init(&b, 8192);
	struct stat st;
	off_t size = -1;
	if (buf_append_str(&b, path) == 0 && buf_append_str(&b, suffix) == 0 &&
	    lstat(b.data, &st) == 0)
		size = st.st_size;
	buf_release(&b);
	return size;
}

/* Whether the file could be a whole SQLite database: empty (new), or the
 * SQLite header and at least as many pages as it counts (a file cut short
 * is otherwise found only when a query reaches the missing pages). */
static bool looks_whole(int fd, const struct stat *st, const char *path)
{
	unsigned char h[100];
	if (st->st_size == 0)
		return true;
	if (st->st_size < (off_t)sizeof(h) || pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, "SQLite format 3", 16) != 0)
		return false;
	uint32_t page = (uint32_t)h[16] << 8 | h[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || (page & (page - 1)) != 0)
		return false;
	if (file_size(path, "-wal") > 32) /* pages may be in the log: SQLite judges */
		return true;
	/* The page count is valid when the change counter matches (24, 92). */
	uint32_t pages = be32(h + 28);
	if (memcmp(h + 24, h + 92, 4) == 0 && pages != 0 &&
	    (uint64_t)pages * page > (uint64_t)st->st_size)
		return false;
	return st->st_size % page == 0;
}

/* Opens our fd on the path (never through a symbolic link), 0600. */
static enum verdict check_file(struct imap_cache *c, struct err *e)
{
	int fd = open(c->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ELOOP) {
		err_set(e, ERR_FOLDER, ERR_PERM, _("cache %s is a symbolic link: not used"),
			c->path);
		return NO_CACHE;
	}
	if (fd < 0) {
		err_set(e, ERR_FOLDER, ERR_IO, _("cannot open %s: %s"), c->path, strerror(errno));
		return NO_CACHE;
	}
	struct stat st;
	enum verdict v = USABLE;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_FOLDER, ERR_PERM, _("cache %s is not a regular file"), c->path);
		v = NO_CACHE;
	} else {
		if ((st.st_mode & 077) != 0)
			(void)fchmod(fd, 0600);
		v = looks_whole(fd, &st, c->path) ? USABLE : UNUSABLE;
	}
	close(fd);
	return v;
}

static bool meta_is(struct imap_cache *c, const char *key, const char *want)
{
	sqlite3_stmt *st = c->st[ST_META];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	bool same = sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) == SQLITE_TEXT &&
		    strcmp((const char *)sqlite3_column_text(st, 0), want) == 0;
	sqlite3_reset(st);
	return same;
}

static void close_db(struct imap_cache *c)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(c->st[i]);
		c->st[i] = NULL;
	}
	sqlite3_close(c->db);
	c->db = NULL;
}

static enum verdict try_open(struct imap_cache *c, struct err *e)
{
	enum verdict v = check_file(c, e);
	if (v != USABLE)
		return v;
	int rc = sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
				 SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK)
		return verdict_of(c, rc, e);
	sqlite3_busy_timeout(c->db, BUSY_MS);
	sqlite3_stmt *st = NULL;
	rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : sqlite3_errcode(c->db);
	bool fresh = rc == SQLITE_OK && sqlite3_column_int64(st, 0) == 0;
	sqlite3_finalize(st);
	if (fresh && (rc = sqlite3_exec(c->db, schema, NULL, NULL, NULL)) != SQLITE_OK)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; rc == SQLITE_OK && i < ST_COUNT; i++)
		rc = sqlite3_prepare_v3(c->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
					&c->st[i], NULL);
	if (rc != SQLITE_OK)
		return verdict_of(c, rc, e);
	if (!meta_is(c, "format", FORMAT) || !meta_is(c, "version", SCHEMA_VERSION))
		return UNUSABLE;
	return USABLE;
}

static void remove_files(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	struct buf b;
	buf_init(&b, 8192);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		buf_reset(&b);
		if (buf_append_str(&b, path) == 0 && buf_append_str(&b, suffixes[i]) == 0)
			(void)unlink(b.data);
	}
	buf_release(&b);
}

static int make_parent(const char *path, struct err *e)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int rc = fs_mkdir_private(dir, e);
	free(dir);
	return rc;
}

int imap_cache_open(struct imap_cache **c_r, const char *path, bool *rebuilt_r, struct err *e)
{
	*c_r = NULL;
	*rebuilt_r = false;
	if (make_parent(path, e) < 0)
		return -1;
	struct imap_cache *c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	enum verdict v = UNUSABLE;
	for (int attempt = 0; attempt < 2 && v == UNUSABLE; attempt++) {
		v = try_open(c, e);
		if (v == USABLE) {
			*c_r = c;
			return 0;
		}
		close_db(c);
		if (v == UNUSABLE) {
			remove_files(path); /* not ours, or damaged: start afresh */
			*rebuilt_r = true;
		}
	}
	if (v == UNUSABLE)
		err_set(e, ERR_FOLDER, ERR_IO, _("cache %s cannot be created"), path);
	free(c->path);
	free(c);
	return -1;
}

void imap_cache_close(struct imap_cache **cp)
{
	struct imap_cache *c = *cp;
	if (c == NULL)
		return;
	close_db(c); /* an open transaction is rolled back */
	if (c->damaged)
		remove_files(c->path);
	free(c->path);
	free(c);
	*cp = NULL;
}

/* ------------------------------------------------------------ reading */

int imap_cache_folder(struct imap_cache *c, const char *wire, struct imap_cache_folder *st_r,
		      struct err *e)
{
	memset(st_r, 0, sizeof(*st_r));
	sqlite3_stmt *st = c->st[ST_FOLDER_STATE];
	sqlite3_bind_text(st, 1, wire, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_int64 id = 0, uidvalidity = 0, uidnext = 0;
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		uidvalidity = sqlite3_column_int64(st, 1);
		uidnext = sqlite3_column_int64(st, 2);
		st_r->highestmodseq = (uint64_t)sqlite3_column_int64(st, 3);
	}
	int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	sqlite3_reset(st);
	/* Values no server could have sent mean nothing is known. */
	if (ret < 0 || rc == SQLITE_DONE || uidvalidity < 1 || uidvalidity > UINT32_MAX ||
	    uidnext < 0 || uidnext > UINT32_MAX) {
		memset(st_r, 0, sizeof(*st_r));
		return ret;
	}
	st_r->uidvalidity = (uint32_t)uidvalidity;
	st_r->uidnext = (uint32_t)uidnext;
	st = c->st[ST_FOLDER_COUNT];
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		st_r->n = (size_t)sqlite3_column_int64(st, 0);
	else
		ret = icache_db_fail(c, e);
	sqlite3_reset(st);
	if (ret < 0)
		memset(st_r, 0, sizeof(*st_r));
	return ret;
}

/* The flag rows of folder id, as messages without summaries. */
static int load_flags(struct imap_cache *c, sqlite3_int64 id, struct imap_cache_msg **msgs_r,
		      size_t *n_r, struct err *e)
{
	sqlite3_stmt *st = c->st[ST_FLAGS_LOAD];
	sqlite3_bind_int64(st, 1, id);
	struct imap_cache_msg *m = NULL;
	size_t n = 0, cap = 0;
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 uid = sqlite3_column_int64(st, 0);
		sqlite3_int64 flags = sqlite3_column_int64(st, 1);
		const char *kw = NULL;
		if (uid < 1 || uid > UINT32_MAX || (n > 0 && uid <= m[n - 1].uid) ||
		    flags < 0 || flags > UINT32_MAX || !row_keywords(st, 3, &kw)) {
			ret = parse_fail(c, e, _("a flag row out of range"));
			break;
		}
		m = xgrow(m, &cap, n + 1, sizeof(*m));
		memset(&m[n], 0, sizeof(*m));
		m[n].keywords = kw;
		m[n].uid = (uint32_t)uid;
		m[n].flags = (unsigned)flags;
		m[n].modseq = (uint64_t)sqlite3_column_int64(st, 2);
		n++;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = icache_db_fail(c, e);
	sqlite3_reset(st);
	if (ret < 0) {
		icache_free_msgs(m, n);
		return -1;
	}
	*msgs_r = m;
	*n_r = n;
	return 0;
}

static struct imap_cache_msg *find_uid(struct imap_cache_msg *m, size_t n, uint32_t uid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && m[lo].uid == uid ? &m[lo] : NULL;
}

/* Decodes one chunk into the messages that want its records. */
static bool take_chunk(sqlite3_stmt *st, struct imap_cache_msg *m, size_t n)
{
	sqlite3_int64 first = sqlite3_column_int64(st, 0), last = sqlite3_column_int64(st, 1);
	sqlite3_int64 count = sqlite3_column_int64(st, 2);
	const unsigned char *p = sqlite3_column_blob(st, 3);
	if (first < 1 || last < first || last > UINT32_MAX || count < 1 || count > CHUNK ||
	    p == NULL)
		return false;
	const unsigned char *end = p + sqlite3_column_bytes(st, 3);
	uint64_t prev = 0;
	for (sqlite3_int64 k = 0; k < count; k++) {
		uint64_t uid;
		struct summary s;
		if (!summary_record_get_varint(&p, end, &uid) || uid <= prev ||
		    uid < (uint64_t)first || uid > (uint64_t)last ||
		    (k == 0 && uid != (uint64_t)first) ||
		    (k == count - 1 && uid != (uint64_t)last) ||
		    !summary_record_decode(&p, end, &s))
			return false;
		prev = uid;
		struct imap_cache_msg *to = find_uid(m, n, (uint32_t)uid);
		if (to == NULL) { /* removed: its record waits for compaction */
			summary_release(&s);
			continue;
		}
		summary_release(&to->sum); /* a later chunk replaces an earlier one */
		to->sum = s;
	}
	return p == end;
}

int icache_load_folder(struct imap_cache *c, sqlite3_int64 id, struct imap_cache_msg **msgs_r,
		       size_t *n_r, struct err *e)
{
	struct imap_cache_msg *m;
	size_t n;
	if (load_flags(c, id, &m, &n, e) < 0)
		return -1;
	sqlite3_stmt *st = c->st[ST_CHUNKS_LOAD];
	sqlite3_bind_int64(st, 1, id);
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!take_chunk(st, m, n))
			ret = parse_fail(c, e, _("a summary record does not decode"));
	if (ret == 0 && rc != SQLITE_DONE)
		ret = icache_db_fail(c, e);
	sqlite3_reset(st);
	/* Every decoded summary has its strings block: one without lacks its
	 * record. */
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (m[i].sum.strings == NULL)
			ret = parse_fail(c, e, _("a message without its summary"));
	if (ret < 0) {
		icache_free_msgs(m, n);
		return -1;
	}
	*msgs_r = m;
	*n_r = n;
	return 0;
}

int imap_cache_load(struct imap_cache *c, const char *wire, struct imap_cache_msg **msgs_r,
		    size_t *n_r, struct err *e)
{
	*msgs_r = NULL;
	*n_r = 0;
	sqlite3_int64 id;
	int rc = icache_folder_id(c, wire, &id, e);
	if (rc <= 0)
		return rc;
	return icache_load_folder(c, id, msgs_r, n_r, e);
}
