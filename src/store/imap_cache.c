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
#define CHUNK 512 /* records per chunk row at most */
#define CHUNK_BYTES_MAX ((size_t)64 << 20)
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

static int exec(struct imap_cache *c, const char *sql, struct err *e)
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

static int need_folder(struct imap_cache *c, const char *wire, sqlite3_int64 *id_r,
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

static void free_msgs(struct imap_cache_msg *m, size_t n)
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
		free_msgs(m, n);
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

static int load_folder(struct imap_cache *c, sqlite3_int64 id, struct imap_cache_msg **msgs_r,
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
		free_msgs(m, n);
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
	return load_folder(c, id, msgs_r, n_r, e);
}

/* ------------------------------------------------------------ writing */

int imap_cache_begin(struct imap_cache *c, struct err *e)
{
	if (!sqlite3_get_autocommit(c->db))
		return err_set(e, ERR_FOLDER, ERR_USAGE, _("cache %s: a transaction is open"),
			       c->path);
	return exec(c, "BEGIN IMMEDIATE", e);
}

int imap_cache_commit(struct imap_cache *c, struct err *e)
{
	return sqlite3_get_autocommit(c->db) ? 0 : exec(c, "COMMIT", e);
}

void imap_cache_rollback(struct imap_cache *c)
{
	if (!sqlite3_get_autocommit(c->db))
		(void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static int drop_messages(struct imap_cache *c, sqlite3_int64 id, struct err *e)
{
	sqlite3_bind_int64(c->st[ST_FLAGS_DROP], 1, id);
	sqlite3_bind_int64(c->st[ST_CHUNKS_DROP], 1, id);
	if (icache_run(c, c->st[ST_FLAGS_DROP], e) < 0 || icache_drop_bodies(c, id, 0, e) < 0)
		return -1;
	return icache_run(c, c->st[ST_CHUNKS_DROP], e);
}

int imap_cache_reset(struct imap_cache *c, const char *wire, uint32_t uidvalidity,
		     struct err *e)
{
	bool own;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	sqlite3_stmt *st = c->st[ST_FOLDER_RESET];
	sqlite3_bind_text(st, 1, wire, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, uidvalidity);
	sqlite3_int64 id = 0;
	int rc = icache_run(c, st, e);
	if (rc == 0)
		rc = need_folder(c, wire, &id, e);
	if (rc == 0)
		rc = drop_messages(c, id, e);
	return icache_write_end(c, own, rc, e);
}

int imap_cache_set_state(struct imap_cache *c, const char *wire, uint32_t uidnext,
			 uint64_t highestmodseq, struct err *e)
{
	bool own;
	sqlite3_int64 id;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	int rc = need_folder(c, wire, &id, e);
	if (rc == 0) {
		sqlite3_stmt *st = c->st[ST_FOLDER_SET_STATE];
		sqlite3_bind_int64(st, 1, uidnext);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)highestmodseq);
		sqlite3_bind_int64(st, 3, id);
		rc = icache_run(c, st, e);
	}
	return icache_write_end(c, own, rc, e);
}

static int add_counts(struct imap_cache *c, sqlite3_int64 id, size_t records, size_t stale,
		      struct err *e)
{
	sqlite3_stmt *st = c->st[ST_FOLDER_ADD_COUNTS];
	sqlite3_bind_int64(st, 1, (sqlite3_int64)records);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)stale);
	sqlite3_bind_int64(st, 3, id);
	return icache_run(c, st, e);
}

static int encode_record(struct buf *b, const struct imap_cache_msg *m, struct err *e)
{
	if (summary_record_put_varint(b, m->uid) < 0 || summary_record_encode(b, &m->sum) < 0)
		return err_set(e, ERR_FOLDER, ERR_LIMIT, _("cache: summaries too large"));
	return 0;
}

/* Tops up the folder's last chunk with msgs[order[0..]] while it has room
 * and they come after its last UID; returns how many it took, or -1. */
static ssize_t top_up(struct imap_cache *c, sqlite3_int64 id, const struct imap_cache_msg *msgs,
		      const size_t *order, size_t count, struct buf *b, struct err *e)
{
	sqlite3_stmt *st = c->st[ST_CHUNK_LAST];
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	sqlite3_int64 chunk = 0, last = 0, n = CHUNK;
	buf_reset(b);
	if (rc == SQLITE_ROW) {
		chunk = sqlite3_column_int64(st, 0);
		last = sqlite3_column_int64(st, 1);
		n = sqlite3_column_int64(st, 2);
		if (n >= 1 && n < CHUNK && last < msgs[order[0]].uid) {
			const void *data = sqlite3_column_blob(st, 3);
			size_t len = (size_t)sqlite3_column_bytes(st, 3);
			if (buf_append(b, data, len) < 0)
				n = CHUNK; /* too large to grow: leave it */
		}
	}
	ssize_t ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	sqlite3_reset(st);
	if (ret < 0 || rc == SQLITE_DONE || n < 1 || n >= CHUNK || last >= msgs[order[0]].uid)
		return ret;
	size_t k = 0;
	for (; k < count && n + (sqlite3_int64)k < CHUNK; k++)
		if (encode_record(b, &msgs[order[k]], e) < 0)
			return -1;
	st = c->st[ST_CHUNK_UPDATE];
	sqlite3_bind_int64(st, 1, msgs[order[k - 1]].uid);
	sqlite3_bind_int64(st, 2, n + (sqlite3_int64)k);
	sqlite3_bind_blob64(st, 3, b->data, b->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, chunk);
	return icache_run(c, st, e) < 0 ? -1 : (ssize_t)k;
}

/* Appends the records of msgs[order[i]] (strictly increasing UIDs; order
 * NULL: msgs as they are) to the chunks of folder id. */
static int write_records(struct imap_cache *c, sqlite3_int64 id, const struct imap_cache_msg *msgs,
			 const size_t *order, size_t count, struct err *e)
{
	size_t *identity = NULL;
	if (order == NULL) {
		identity = xmalloc((count ? count : 1) * sizeof(*identity));
		for (size_t i = 0; i < count; i++)
			identity[i] = i;
		order = identity;
	}
	struct buf b;
	buf_init(&b, CHUNK_BYTES_MAX);
	ssize_t done = count > 0 ? top_up(c, id, msgs, order, count, &b, e) : 0;
	int rc = done < 0 ? -1 : 0;
	for (size_t at = (size_t)(done > 0 ? done : 0); rc == 0 && at < count; at += CHUNK) {
		size_t k = count - at < CHUNK ? count - at : CHUNK;
		buf_reset(&b);
		for (size_t i = at; rc == 0 && i < at + k; i++)
			rc = encode_record(&b, &msgs[order[i]], e);
		if (rc < 0)
			break;
		sqlite3_stmt *st = c->st[ST_CHUNK_INSERT];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, msgs[order[at]].uid);
		sqlite3_bind_int64(st, 3, msgs[order[at + k - 1]].uid);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)k);
		sqlite3_bind_blob64(st, 5, b.data, b.len, SQLITE_STATIC);
		rc = icache_run(c, st, e);
	}
	buf_release(&b);
	free(identity);
	return rc;
}

/* Rewrites the chunks of folder id with only the records its flag rows
 * want, once more than a quarter of them are stale.  A folder that does
 * not load is left for imap_cache_load to report. */
static int maybe_compact(struct imap_cache *c, sqlite3_int64 id, struct err *e)
{
	sqlite3_stmt *st = c->st[ST_FOLDER_COUNTS];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_int64 records = 0, stale = 0;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		records = sqlite3_column_int64(st, 0);
		stale = sqlite3_column_int64(st, 1);
	}
	int ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	sqlite3_reset(st);
	if (ret < 0 || stale <= 0 || stale <= records / 4)
		return ret;
	struct imap_cache_msg *m;
	size_t n;
	struct err why;
	err_init(&why);
	if (load_folder(c, id, &m, &n, &why) < 0) {
		if (why.code == ERR_PARSE)
			return 0;
		if (e != NULL)
			*e = why;
		return -1;
	}
	sqlite3_bind_int64(c->st[ST_CHUNKS_DROP], 1, id);
	ret = icache_run(c, c->st[ST_CHUNKS_DROP], e);
	if (ret == 0)
		ret = write_records(c, id, m, NULL, n, e);
	if (ret == 0) {
		st = c->st[ST_FOLDER_SET_RECORDS];
		sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
		sqlite3_bind_int64(st, 2, id);
		ret = icache_run(c, st, e);
	}
	free_msgs(m, n);
	return ret;
}

struct by_uid {
	uint32_t uid;
	size_t i;
};

static int by_uid_cmp(const void *a, const void *b)
{
	const struct by_uid *x = a, *y = b;
	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The indexes of msgs by increasing UID, each UID once (its last
 * occurrence), UID 0 (no UID) left out. */
static size_t *put_order(const struct imap_cache_msg *msgs, size_t n, size_t *count_r)
{
	size_t *order = xmalloc((n ? n : 1) * sizeof(*order)), k = 0;
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = msgs[i - 1].uid < msgs[i].uid;
	if (sorted) {
		for (size_t i = 0; i < n; i++)
			if (msgs[i].uid != 0)
				order[k++] = i;
		*count_r = k;
		return order;
	}
	struct by_uid *s = xmalloc(n * sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s[i] = (struct by_uid){ msgs[i].uid, i };
	qsort(s, n, sizeof(*s), by_uid_cmp);
	for (size_t i = 0; i < n; i++)
		if (s[i].uid != 0 && (i + 1 == n || s[i + 1].uid != s[i].uid))
			order[k++] = s[i].i;
	free(s);
	*count_r = k;
	return order;
}

/* Sets flags, MODSEQ and keywords of the existing flag row of uid. */
static int update_flags(struct imap_cache *c, sqlite3_int64 id, uint32_t uid, unsigned flags,
			uint64_t modseq, const char *keywords, struct err *e)
{
	sqlite3_stmt *st = c->st[ST_FLAGS_UPDATE];
	sqlite3_bind_int64(st, 1, flags);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)modseq);
	sqlite3_bind_text(st, 3, keywords ? keywords : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	sqlite3_bind_int64(st, 5, uid);
	return icache_run(c, st, e);
}

/* Sets the flag row of m; *replaced_r counts the rows that existed. */
static int put_flags(struct imap_cache *c, sqlite3_int64 id, const struct imap_cache_msg *m,
		     size_t *replaced_r, struct err *e)
{
	sqlite3_stmt *st = c->st[ST_FLAGS_INSERT];
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, m->uid);
	sqlite3_bind_int64(st, 3, m->flags);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)m->modseq);
	sqlite3_bind_text(st, 5, m->keywords ? m->keywords : "", -1, SQLITE_STATIC);
	if (icache_run(c, st, e) < 0)
		return -1;
	if (sqlite3_changes(c->db) > 0)
		return 0;
	(*replaced_r)++;
	return update_flags(c, id, m->uid, m->flags, m->modseq, m->keywords, e);
}

int imap_cache_put(struct imap_cache *c, const char *wire, const struct imap_cache_msg *msgs,
		   size_t n, struct err *e)
{
	bool own;
	sqlite3_int64 id;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	int rc = need_folder(c, wire, &id, e);
	size_t count = 0, replaced = 0;
	size_t *order = rc == 0 ? put_order(msgs, n, &count) : NULL;
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = put_flags(c, id, &msgs[order[i]], &replaced, e);
	if (rc == 0)
		rc = write_records(c, id, msgs, order, count, e);
	if (rc == 0)
		rc = add_counts(c, id, count, replaced, e);
	if (rc == 0 && replaced > 0)
		rc = maybe_compact(c, id, e);
	free(order);
	return icache_write_end(c, own, rc, e);
}

int imap_cache_set_flags(struct imap_cache *c, const char *wire, const uint32_t *uids,
			 const unsigned *flags, const uint64_t *modseqs,
			 const char *const *keywords, size_t n, struct err *e)
{
	bool own;
	sqlite3_int64 id;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	int rc = icache_folder_id(c, wire, &id, e);
	for (size_t i = 0; rc == 1 && i < n; i++)
		rc = update_flags(c, id, uids[i], flags[i], modseqs[i], keywords[i], e) < 0 ? -1 : 1;
	return icache_write_end(c, own, rc < 0 ? -1 : 0, e);
}

int imap_cache_remove(struct imap_cache *c, const char *wire, const uint32_t *uids, size_t n,
		      struct err *e)
{
	bool own;
	sqlite3_int64 id;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	int rc = icache_folder_id(c, wire, &id, e);
	size_t removed = 0;
	for (size_t i = 0; rc == 1 && i < n; i++) {
		sqlite3_stmt *st = c->st[ST_FLAGS_DELETE];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, uids[i]);
		rc = icache_run(c, st, e) < 0 ? -1 : 1;
		removed += rc == 1 ? (size_t)sqlite3_changes(c->db) : 0;
		if (rc == 1 && icache_drop_bodies(c, id, uids[i], e) < 0)
			rc = -1;
	}
	if (rc == 1 && removed > 0)
		rc = add_counts(c, id, 0, removed, e) < 0 || maybe_compact(c, id, e) < 0 ? -1 : 1;
	return icache_write_end(c, own, rc < 0 ? -1 : 0, e);
}

int imap_cache_drop_folder(struct imap_cache *c, const char *wire, struct err *e)
{
	bool own;
	sqlite3_int64 id;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	int rc = icache_folder_id(c, wire, &id, e);
	if (rc == 1 && (rc = drop_messages(c, id, e)) == 0) {
		sqlite3_bind_int64(c->st[ST_FOLDER_DROP], 1, id);
		rc = icache_run(c, c->st[ST_FOLDER_DROP], e);
	}
	return icache_write_end(c, own, rc < 0 ? -1 : 0, e);
}
