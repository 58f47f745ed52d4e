/* imap_cache_private: what imap_cache.c (folders, flags, summaries) and
 * imap_cache_body.c (message bodies, the folder list) share.  Not for use
 * elsewhere. */
#ifndef TERN_IMAP_CACHE_PRIVATE_H
#define TERN_IMAP_CACHE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "err.h"
#include "imap_cache.h"

/* The tables of imap_cache_body.c, created with the others:
 * bodies: a message as the reader shows it (whole = 0: its attachments'
 * bodies left out; 1: the whole message), by folder and UID, with the
 * time of its last use (a counter) for eviction;
 * folder_list: the account's folder list as last listed, in order. */
#define ICACHE_EXTRA_SCHEMA \
	"CREATE TABLE IF NOT EXISTS bodies(id INTEGER PRIMARY KEY, folder INTEGER NOT NULL," \
	" uid INTEGER NOT NULL, whole INTEGER NOT NULL, used INTEGER NOT NULL," \
	" size INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE(folder, uid));" \
	"CREATE INDEX IF NOT EXISTS bodies_by_use ON bodies(used);" \
	"CREATE TABLE IF NOT EXISTS folder_list(pos INTEGER PRIMARY KEY, name TEXT NOT NULL," \
	" display TEXT NOT NULL, depth INTEGER NOT NULL, role INTEGER NOT NULL," \
	" selectable INTEGER NOT NULL, subscribed INTEGER NOT NULL, total INTEGER NOT NULL," \
	" unread INTEGER NOT NULL);"

enum stmt {
	ST_META,
	ST_FOLDER_ID,
	ST_FOLDER_STATE,
	ST_FOLDER_COUNT,
	ST_FOLDER_RESET,
	ST_FOLDER_SET_STATE,
	ST_FOLDER_COUNTS,
	ST_FOLDER_ADD_COUNTS,
	ST_FOLDER_SET_RECORDS,
	ST_FOLDER_DROP,
	ST_FLAGS_LOAD,
	ST_FLAGS_INSERT,
	ST_FLAGS_UPDATE,
	ST_FLAGS_DELETE,
	ST_FLAGS_DROP,
	ST_CHUNKS_LOAD,
	ST_CHUNK_LAST,
	ST_CHUNK_INSERT,
	ST_CHUNK_UPDATE,
	ST_CHUNKS_DROP,
	ST_COUNT
};

struct imap_cache {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT]; /* each kept reset between uses */
	bool damaged;               /* SQLite found it corrupt: deleted at close */
};

/* err from SQLite's last error (a corrupt file marks the cache damaged). */
int icache_db_fail(struct imap_cache *c, struct err *e);
/* Steps a statement that returns no row, and resets it. */
int icache_run(struct imap_cache *c, sqlite3_stmt *st, struct err *e);
/* The id of folder wire: 1 (found), 0 (unknown), or -1 with e. */
int icache_folder_id(struct imap_cache *c, const char *wire, sqlite3_int64 *id_r,
		     struct err *e);
/* Writes outside begin/commit are a transaction of their own: begin
 * tells (own_r) whether it opened one, end commits it (or rolls back
 * when rc < 0) and returns rc. */
int icache_write_begin(struct imap_cache *c, bool *own_r, struct err *e);
int icache_write_end(struct imap_cache *c, bool own, int rc, struct err *e);
#define CHUNK 512 /* summary records per chunk row at most */
#define CHUNK_BYTES_MAX ((size_t)64 << 20)

/* sqlite3_exec of sql, failing as icache_db_fail. */
int icache_exec(struct imap_cache *c, const char *sql, struct err *e);
/* The id of folder wire, which must exist (ERR_NOTFOUND). */
int icache_need_folder(struct imap_cache *c, const char *wire, sqlite3_int64 *id_r,
		       struct err *e);
/* Every message of folder id, in UID order (imap_cache_load). */
int icache_load_folder(struct imap_cache *c, sqlite3_int64 id, struct imap_cache_msg **msgs_r,
		       size_t *n_r, struct err *e);
void icache_free_msgs(struct imap_cache_msg *m, size_t n);
/* Forgets the bodies of folder id (all UIDs: uid 0) or of one UID. */
int icache_drop_bodies(struct imap_cache *c, sqlite3_int64 id, uint32_t uid, struct err *e);

#endif
