/* imap_cache_write: the writes of an IMAP account's cache (imap_cache.h):
 * transactions, folder state, summaries in chunks, flags, removals. */
#include "config.h"

#include "imap_cache.h"
#include "imap_cache_private.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"
#include "summary_record.h"

/* ------------------------------------------------------------ writing */

int imap_cache_begin(struct imap_cache *c, struct err *e)
{
	if (!sqlite3_get_autocommit(c->db))
		return err_set(e, ERR_FOLDER, ERR_USAGE, _("cache %s: a transaction is open"),
			       c->path);
	return icache_exec(c, "BEGIN IMMEDIATE", e);
}

int imap_cache_commit(struct imap_cache *c, struct err *e)
{
	return sqlite3_get_autocommit(c->db) ? 0 : icache_exec(c, "COMMIT", e);
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
		rc = icache_need_folder(c, wire, &id, e);
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
	int rc = icache_need_folder(c, wire, &id, e);
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
	if (icache_load_folder(c, id, &m, &n, &why) < 0) {
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
	icache_free_msgs(m, n);
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
	int rc = icache_need_folder(c, wire, &id, e);
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
