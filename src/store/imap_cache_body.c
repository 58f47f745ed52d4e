/* imap_cache_body: message bodies and the folder list in an IMAP
 * account's cache (imap_cache.h). */
#include "config.h"

#include "imap_cache.h"
#include "imap_cache_private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"

#define LIST_MAX 100000        /* folders read back */

/* A statement for one use (bodies are read one at a time, as a person
 * opens messages: preparing costs nothing next to that). */
static int prepare(struct imap_cache *c, const char *sql, sqlite3_stmt **st_r, struct err *e)
{
	if (sqlite3_prepare_v2(c->db, sql, -1, st_r, NULL) != SQLITE_OK) {
		*st_r = NULL;
		return icache_db_fail(c, e);
	}
	return 0;
}

/* Runs sql (no rows) with up to two integer parameters. */
static int exec2(struct imap_cache *c, const char *sql, sqlite3_int64 a, sqlite3_int64 b,
		 struct err *e)
{
	sqlite3_stmt *st;
	if (prepare(c, sql, &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	int rc = icache_run(c, st, e);
	sqlite3_finalize(st);
	return rc;
}

int icache_drop_bodies(struct imap_cache *c, sqlite3_int64 id, uint32_t uid, struct err *e)
{
	if (uid == 0)
		return exec2(c, "DELETE FROM bodies WHERE folder = ?", id, 0, e);
	return exec2(c, "DELETE FROM bodies WHERE folder = ? AND uid = ?", id, uid, e);
}

/* The next value of the use counter. */
static int next_use(struct imap_cache *c, sqlite3_int64 *use_r, struct err *e)
{
	sqlite3_stmt *st;
	if (prepare(c, "SELECT coalesce(max(used), 0) + 1 FROM bodies", &st, e) < 0)
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : icache_db_fail(c, e);
	*use_r = rc == 0 ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc;
}

int imap_cache_body_get(struct imap_cache *c, const char *wire, uint32_t uid, bool want_whole,
			struct buf *out, struct err *e)
{
	sqlite3_int64 id, row = 0, use;
	int rc = icache_folder_id(c, wire, &id, e);
	if (rc <= 0)
		return rc;
	sqlite3_stmt *st;
	if (prepare(c, "SELECT id, whole, data FROM bodies WHERE folder = ? AND uid = ?", &st,
		    e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, uid);
	int step = sqlite3_step(st);
	rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	if (rc == 1 && want_whole && sqlite3_column_int(st, 1) == 0)
		rc = 0;
	if (rc == 1) {
		row = sqlite3_column_int64(st, 0);
		const void *data = sqlite3_column_blob(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		buf_reset(out);
		if (len > 0 && buf_append(out, data, len) < 0)
			rc = err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the message is too large"));
	}
	sqlite3_finalize(st);
	/* The use is best effort: a reader of a locked file still reads. */
	struct err ignored;
	err_init(&ignored);
	if (rc == 1 && next_use(c, &use, &ignored) == 0)
		(void)exec2(c, "UPDATE bodies SET used = ? WHERE id = ?", use, row, &ignored);
	return rc;
}

/* Removes the least recently used bodies until all take at most limit:
 * counting from the most recently used, those past the limit. */
static int evict(struct imap_cache *c, uint64_t limit, struct err *e)
{
	return exec2(c, "DELETE FROM bodies WHERE id IN (SELECT id FROM"
		     " (SELECT id, sum(size) OVER (ORDER BY used DESC) AS kept FROM bodies)"
		     " WHERE kept > ?)", (sqlite3_int64)(limit > INT64_MAX ? INT64_MAX : limit), 0, e);
}

int imap_cache_body_put(struct imap_cache *c, const char *wire, uint32_t uid, bool whole,
			const char *data, size_t len, uint64_t limit, struct err *e)
{
	if (len > IMAP_CACHE_BODY_MAX || len > limit || uid == 0)
		return 0;
	bool own;
	sqlite3_int64 id, use = 0;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	int rc = icache_folder_id(c, wire, &id, e);
	if (rc == 0)
		rc = err_set(e, ERR_FOLDER, ERR_NOTFOUND, _("cache %s: no folder %s"), c->path, wire);
	else if (rc == 1)
		rc = next_use(c, &use, e);
	sqlite3_stmt *st = NULL;
	if (rc == 0)
		rc = prepare(c, "INSERT OR REPLACE INTO bodies(folder, uid, whole, used, size, data)"
			     " VALUES(?, ?, ?, ?, ?, ?)", &st, e);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, uid);
		sqlite3_bind_int(st, 3, whole);
		sqlite3_bind_int64(st, 4, use);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)len);
		sqlite3_bind_blob64(st, 6, data, len, SQLITE_STATIC);
		rc = icache_run(c, st, e);
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = evict(c, limit, e);
	return icache_write_end(c, own, rc, e);
}

int imap_cache_body_usage(struct imap_cache *c, uint64_t *bytes_r, size_t *n_r, struct err *e)
{
	sqlite3_stmt *st;
	*bytes_r = 0;
	*n_r = 0;
	if (prepare(c, "SELECT coalesce(sum(size), 0), count(*) FROM bodies", &st, e) < 0)
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : icache_db_fail(c, e);
	if (rc == 0) {
		sqlite3_int64 b = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 1);
		*bytes_r = b > 0 ? (uint64_t)b : 0;
		*n_r = n > 0 ? (size_t)n : 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ------------------------------------------------------------ folder list */

int imap_cache_list_put(struct imap_cache *c, const struct imap_cache_list_entry *v, size_t n,
			struct err *e)
{
	bool own;
	if (icache_write_begin(c, &own, e) < 0)
		return -1;
	sqlite3_stmt *st = NULL;
	int rc = exec2(c, "DELETE FROM folder_list WHERE pos >= ?", 0, 0, e);
	if (rc == 0)
		rc = prepare(c, "INSERT INTO folder_list VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, e);
	for (size_t i = 0; rc == 0 && i < n && i < LIST_MAX; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
		sqlite3_bind_text(st, 2, v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v[i].display, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, v[i].depth);
		sqlite3_bind_int(st, 5, v[i].role);
		sqlite3_bind_int(st, 6, v[i].selectable);
		sqlite3_bind_int(st, 7, v[i].subscribed);
		sqlite3_bind_int64(st, 8, v[i].total);
		sqlite3_bind_int64(st, 9, v[i].unread);
		rc = icache_run(c, st, e);
	}
	sqlite3_finalize(st);
	return icache_write_end(c, own, rc, e);
}

bool imap_cache_any(struct imap_cache *c)
{
	sqlite3_stmt *st;
	struct err e;
	err_init(&e);
	if (prepare(c, "SELECT (SELECT count(*) FROM folder_list) + (SELECT count(*) FROM folders)",
		    &st, &e) < 0)
		return false;
	bool any = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0;
	sqlite3_finalize(st);
	return any;
}

static char *column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return xstrdup(t ? (const char *)t : "");
}

/* A count as stored, or -1 when it is not one. */
static long column_count(sqlite3_stmt *st, int col)
{
	sqlite3_int64 v = sqlite3_column_int64(st, col);
	return v >= 0 && v <= 0x7fffffff ? (long)v : -1;
}

int imap_cache_list_get(struct imap_cache *c, struct imap_cache_list_entry **v_r, size_t *n_r,
			struct err *e)
{
	*v_r = NULL;
	*n_r = 0;
	sqlite3_stmt *st;
	if (prepare(c, "SELECT name, display, depth, role, selectable, subscribed, total, unread"
		    " FROM folder_list ORDER BY pos", &st, e) < 0)
		return -1;
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n_r < LIST_MAX) {
		*v_r = xgrow(*v_r, &cap, *n_r + 1, sizeof(**v_r));
		struct imap_cache_list_entry *f = &(*v_r)[(*n_r)++];
		f->name = column_text(st, 0);
		f->display = column_text(st, 1);
		int depth = sqlite3_column_int(st, 2), role = sqlite3_column_int(st, 3);
		f->depth = depth >= 0 && depth < 1000 ? depth : 0;
		f->role = role >= 0 && role < 64 ? role : 0;
		f->selectable = sqlite3_column_int(st, 4) != 0;
		f->subscribed = sqlite3_column_int(st, 5) != 0;
		f->total = column_count(st, 6);
		f->unread = column_count(st, 7);
	}
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : icache_db_fail(c, e);
	sqlite3_finalize(st);
	if (rc < 0) {
		imap_cache_list_free(*v_r, *n_r);
		*v_r = NULL;
		*n_r = 0;
	}
	return rc;
}

void imap_cache_list_free(struct imap_cache_list_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].display);
	}
	free(v);
}
