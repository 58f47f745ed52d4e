#include "config.h"

#include "fts.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "mime.h"
#include "render.h"

static const char fts_schema[] =
	"CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(subject, sender,"
	" recipients, cc, body,"
	" mbox UNINDEXED, seq UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');";

static int db_err(struct err *e, sqlite3 *db, const char *what)
{
	return err_set(e, ERR_FOLDER, ERR_IO, _("search index: %s: %s"), what,
		       db ? sqlite3_errmsg(db) : "");
}

/* The cache's id of the mbox at path, or -1. */
static long long mbox_id(sqlite3 *db, const char *path)
{
	char *real = realpath(path, NULL);
	sqlite3_stmt *st;
	long long id = -1;
	if (sqlite3_prepare_v2(db, "SELECT id FROM mbox WHERE path = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, real ? real : path, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	free(real);
	return id;
}

static sqlite3 *open_db(const char *cache_path, struct err *e)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(cache_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA synchronous=OFF;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, fts_schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_err(e, db, _("cannot open"));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

struct texts {
	struct buf body, sender, recipients, cc;
};

static void field_text(const struct mime_part *root, const char *name,
		       struct buf *out)
{
	const struct header_field *f = header_find(&root->hdr, name);
	buf_reset(out);
	if (f != NULL)
		buf_cut_ok(render_field_value(name, f->value, f->value_len, out));
}

/* The texts of a message as the reader sees them: body, From, To, Cc. */
static void message_texts(const struct mbox_index *ix, size_t i, struct texts *t)
{
	const struct mbox_entry *m = &ix->msgs[i];
	struct buf raw;
	buf_init(&raw, m->pos.end - m->pos.start + 1);
	buf_cut_ok(mbox_unquote(ix->file.data + m->pos.start, m->pos.end - m->pos.start,
				&raw));
	struct mime_message mm;
	struct render_options o;
	struct render_result r;
	mime_parse(&mm, raw.data, raw.len, NULL);
	render_options_default(&o);
	o.width = 0;
	o.max_text = FTS_BODY_MAX;
	render_body(&mm, &o, &r);
	buf_reset(&t->body);
	buf_cut_ok(buf_append(&t->body, r.text.data, r.text.len));
	field_text(mm.root, "From", &t->sender);
	field_text(mm.root, "To", &t->recipients);
	field_text(mm.root, "Cc", &t->cc);
	render_result_release(&r);
	mime_message_release(&mm);
	buf_release(&raw);
}

static int index_from(sqlite3 *db, long long id, const struct mbox_index *ix,
		      size_t first, struct err *e)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	int rc = sqlite3_prepare_v2(db, "DELETE FROM fts WHERE mbox = ? AND seq >= ?",
				    -1, &del, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(del, 1, id);
		sqlite3_bind_int64(del, 2, (long long)first);
		rc = sqlite3_step(del) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO fts(subject, sender, recipients, cc,"
					" body, mbox, seq) VALUES(?,?,?,?,?,?,?)", -1, &ins, NULL);
	struct texts t;
	buf_init(&t.body, FTS_BODY_MAX + 1);
	buf_init(&t.sender, 65536);
	buf_init(&t.recipients, 65536);
	buf_init(&t.cc, 65536);
	size_t dropped = 0;
	for (size_t i = first; rc == SQLITE_OK && i < ix->n; i++) {
		message_texts(ix, i, &t);
		/* Each message is read once: let what is behind us go. */
		if (ix->msgs[i].pos.from_line - dropped > ((size_t)16 << 20)) {
			mbox_file_drop_pages(&ix->file, ix->msgs[i].pos.from_line);
			dropped = ix->msgs[i].pos.from_line;
		}
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, ix->msgs[i].sum.subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, t.sender.data, (int)t.sender.len, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, t.recipients.data, (int)t.recipients.len, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, t.cc.data, (int)t.cc.len, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, t.body.data, (int)t.body.len, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 6, id);
		sqlite3_bind_int64(ins, 7, (long long)i);
		rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	buf_release(&t.body);
	buf_release(&t.sender);
	buf_release(&t.recipients);
	buf_release(&t.cc);
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return rc == SQLITE_OK ? 0 : db_err(e, db, _("cannot index"));
}

/* Messages 0..n-1 of this mbox already in the index. */
static size_t indexed_count(sqlite3 *db, long long id)
{
	sqlite3_stmt *st;
	size_t n = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM fts WHERE mbox = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (size_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

struct fts {
	sqlite3 *db;
	long long mbox; /* the mbox's id in the cache */
};

struct fts *fts_open(const char *path, const char *cache_path, struct err *e)
{
	sqlite3 *db = open_db(cache_path, e);
	if (db == NULL)
		return NULL;
	long long id = mbox_id(db, path);
	if (id < 0) {
		sqlite3_close(db);
		err_set(e, ERR_FOLDER, ERR_NOTFOUND,
			_("search index: %s is not in the cache"), path);
		return NULL;
	}
	struct fts *f = xmalloc(sizeof(*f));
	f->db = db;
	f->mbox = id;
	return f;
}

void fts_close(struct fts **fp)
{
	if (*fp != NULL)
		sqlite3_close((*fp)->db);
	xfree(fp);
}

int fts_update(struct fts *f, const struct mbox_index *ix, size_t *indexed_r,
	       struct err *e)
{
	/* What the summaries did not take from the cache must be indexed
	 * again; so must anything the index does not have yet. */
	size_t first = ix->n - ix->scanned;
	size_t have = indexed_count(f->db, f->mbox);
	if (have < first)
		first = have;
	if (ix->how == MBOX_INDEX_SCANNED)
		first = 0;
	int rc = sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (rc == 0)
		rc = index_from(f->db, f->mbox, ix, first, e);
	sqlite3_exec(f->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	if (indexed_r != NULL)
		*indexed_r = rc == 0 ? ix->n - first : 0;
	return rc;
}

int fts_match(struct fts *f, const char *match, size_t **seqs_r, size_t *n_r,
	      struct err *e)
{
	*seqs_r = NULL;
	*n_r = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(f->db, "SELECT seq FROM fts WHERE fts MATCH ?"
				    " AND mbox = ? ORDER BY seq", -1, &st, NULL);
	size_t cap = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, f->mbox);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*seqs_r = xgrow(*seqs_r, &cap, *n_r + 1, sizeof(**seqs_r));
			(*seqs_r)[(*n_r)++] = (size_t)sqlite3_column_int64(st, 0);
		}
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK) {
		err_set(e, ERR_MESSAGE, ERR_PARSE, _("search: %s"), sqlite3_errmsg(f->db));
		free(*seqs_r);
		*seqs_r = NULL;
		*n_r = 0;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : -1;
}
