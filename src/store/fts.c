#include "config.h"

#include "fts.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "mime.h"
#include "render.h"

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
	/* The tables are made by mbox_index_open(), which must come first. */
	if (sqlite3_open_v2(cache_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA synchronous=OFF;", NULL, NULL, NULL) != SQLITE_OK) {
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

/* Indexes ix->msgs[first..n) under their doc numbers. */
static int index_from(sqlite3 *db, const struct mbox_index *ix, size_t first,
		      struct err *e)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	int rc = sqlite3_prepare_v2(db, "DELETE FROM fts WHERE rowid = ?", -1, &del, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO fts(rowid, subject, sender,"
					" recipients, cc, body) VALUES(?,?,?,?,?,?)", -1,
					&ins, NULL);
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
		/* A row left by an update that did not finish is replaced. */
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, ix->msgs[i].doc);
		if (sqlite3_step(del) != SQLITE_DONE) {
			rc = SQLITE_ERROR;
			break;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, ix->msgs[i].doc);
		sqlite3_bind_text(ins, 2, ix->msgs[i].sum.subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, t.sender.data, (int)t.sender.len, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, t.recipients.data, (int)t.recipients.len, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, t.cc.data, (int)t.cc.len, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, t.body.data, (int)t.body.len, SQLITE_STATIC);
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

/* The highest doc number of this mbox already in the index. */
static long long indexed_upto(sqlite3 *db, long long id)
{
	sqlite3_stmt *st;
	long long upto = 0;
	if (sqlite3_prepare_v2(db, "SELECT fts_upto FROM mbox WHERE id = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW)
			upto = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return upto;
}

static int set_indexed_upto(sqlite3 *db, long long id, long long upto)
{
	sqlite3_stmt *st;
	int rc = -1;
	if (sqlite3_prepare_v2(db, "UPDATE mbox SET fts_upto = ? WHERE id = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, upto);
		sqlite3_bind_int64(st, 2, id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc;
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
	/* Doc numbers increase with the message number and new messages get
	 * new numbers: what is not indexed yet is the messages after the
	 * last one at or below the mark. */
	long long upto = indexed_upto(f->db, f->mbox);
	size_t first = ix->n;
	while (first > 0 && ix->msgs[first - 1].doc > upto)
		first--;
	if (ix->n > 0 && ix->msgs[ix->n - 1].doc == 0)
		return err_set(e, ERR_FOLDER, ERR_IO, _("search index: %s"),
			       _("the summary cache could not be written"));
	int rc = sqlite3_exec(f->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (rc < 0)
		db_err(e, f->db, _("cannot index"));
	if (rc == 0 && first < ix->n)
		rc = index_from(f->db, ix, first, e);
	if (rc == 0 && first < ix->n && set_indexed_upto(f->db, f->mbox, ix->msgs[ix->n - 1].doc) < 0)
		rc = db_err(e, f->db, _("cannot index"));
	sqlite3_exec(f->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	if (indexed_r != NULL)
		*indexed_r = rc == 0 ? ix->n - first : 0;
	return rc;
}

/* The message number of doc in ix, or ix->n. */
static size_t seq_of_doc(const struct mbox_index *ix, long long doc)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->msgs[mid].doc == doc)
			return mid;
		if (ix->msgs[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ix->n;
}

int fts_match(struct fts *f, const struct mbox_index *ix, const char *match,
	      size_t **seqs_r, size_t *n_r, struct err *e)
{
	*seqs_r = NULL;
	*n_r = 0;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(f->db, "SELECT rowid FROM fts WHERE fts MATCH ?"
				    " ORDER BY rowid", -1, &st, NULL);
	size_t cap = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			/* Rows of other mailboxes in the same cache are skipped. */
			size_t seq = seq_of_doc(ix, sqlite3_column_int64(st, 0));
			if (seq == ix->n)
				continue;
			*seqs_r = xgrow(*seqs_r, &cap, *n_r + 1, sizeof(**seqs_r));
			(*seqs_r)[(*n_r)++] = seq;
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
