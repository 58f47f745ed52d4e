#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap_cache.h"
#include "tap.h"
#include "testutil.h"

static char *dir;
static char path[4096];

static char *text(const char *fmt, unsigned v)
{
	char b[256];
	snprintf(b, sizeof(b), fmt, v);
	return strdup(b);
}

static const char *const keyword_lists[] = { NULL, "$Junk", "todo work", "Urgent $Forwarded" };

/* Message uid's summary, varied so that every field takes several values
 * (NULL and empty strings, an unknown date, negative zones). */
static struct imap_cache_msg sample(uint32_t uid, unsigned version)
{
	struct imap_cache_msg m;
	memset(&m, 0, sizeof(m));
	m.uid = uid;
	m.flags = uid % 32;
	m.keywords = keyword_lists[(uid + version) % 4];
	m.modseq = ((uint64_t)1 << 40) + uid * 10 + version;
	struct summary *s = &m.sum;
	s->date = uid % 7 == 0 ? SUMMARY_DATE_UNKNOWN : -86400 + (int64_t)uid * 60;
	s->zone_minutes = (int)(uid % 5) * 60 - 120;
	s->from = text("Ann Grüße %u", uid);
	s->from_address = uid % 9 == 0 ? strdup("") : text("ann%u@example.org", uid);
	s->to = text("Bob %u", uid);
	s->subject = text(version ? "second version %u" : "subject %u", uid);
	s->message_id = uid % 3 == 0 ? NULL : text("<%u@example.org>", uid);
	s->references = uid % 2 == 0 ? NULL : text("<a%u@x> <b@x>", uid);
	s->in_reply_to = uid % 4 == 0 ? strdup("") : NULL;
	s->size = (size_t)uid * 100 + version;
	s->has_attachment = uid % 2;
	s->flags = uid & 3;
	return m;
}

static void release(struct imap_cache_msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		summary_release(&m[i].sum);
}

static void free_loaded(struct imap_cache_msg *m, size_t n)
{
	release(m, n);
	for (size_t i = 0; i < n; i++)
		free((char *)m[i].keywords);
	free(m);
}

static bool same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_msg(const struct imap_cache_msg *a, const struct imap_cache_msg *b)
{
	const struct summary *x = &a->sum, *y = &b->sum;
	return a->uid == b->uid && a->flags == b->flags && a->modseq == b->modseq &&
	       same_text(a->keywords, b->keywords) &&
	       x->date == y->date && x->zone_minutes == y->zone_minutes && x->size == y->size &&
	       x->has_attachment == y->has_attachment && x->flags == y->flags &&
	       same_text(x->from, y->from) && same_text(x->from_address, y->from_address) &&
	       same_text(x->to, y->to) && same_text(x->subject, y->subject) &&
	       same_text(x->message_id, y->message_id) &&
	       same_text(x->references, y->references) &&
	       same_text(x->in_reply_to, y->in_reply_to);
}

/* What a folder should hold: want[uid] is the version put last, or -1. */
#define MAXUID 4000
struct model {
	int version[MAXUID + 1];
	unsigned flags[MAXUID + 1];
	uint64_t modseq[MAXUID + 1];
	const char *keywords[MAXUID + 1];
};

static void model_init(struct model *m)
{
	for (int i = 0; i <= MAXUID; i++)
		m->version[i] = -1;
}

static int put_uids(struct imap_cache *c, const char *wire, const uint32_t *uids, size_t n,
		    unsigned version, struct model *md)
{
	struct imap_cache_msg *m = calloc(n ? n : 1, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		m[i] = sample(uids[i], version);
		if (md != NULL) {
			md->version[uids[i]] = (int)version;
			md->flags[uids[i]] = m[i].flags;
			md->modseq[uids[i]] = m[i].modseq;
			md->keywords[uids[i]] = m[i].keywords;
		}
	}
	struct err e;
	err_init(&e);
	int rc = imap_cache_put(c, wire, m, n, &e);
	if (rc < 0)
		diag("put: %s", e.msg);
	release(m, n);
	free(m);
	return rc;
}

static int put_range(struct imap_cache *c, const char *wire, uint32_t lo, uint32_t hi,
		     unsigned version, struct model *md)
{
	size_t n = hi - lo + 1;
	uint32_t *u = malloc(n * sizeof(*u));
	for (size_t i = 0; i < n; i++)
		u[i] = lo + (uint32_t)i;
	int rc = put_uids(c, wire, u, n, version, md);
	free(u);
	return rc;
}

/* Whether folder wire loads exactly as the model says. */
static bool loads_as(struct imap_cache *c, const char *wire, const struct model *md)
{
	struct imap_cache_msg *m;
	size_t n;
	struct err e;
	err_init(&e);
	if (imap_cache_load(c, wire, &m, &n, &e) < 0) {
		diag("load: %s", e.msg);
		return false;
	}
	size_t k = 0;
	bool good = true;
	for (uint32_t uid = 1; good && uid <= MAXUID; uid++) {
		if (md->version[uid] < 0)
			continue;
		struct imap_cache_msg want = sample(uid, (unsigned)md->version[uid]);
		want.flags = md->flags[uid];
		want.modseq = md->modseq[uid];
		want.keywords = md->keywords[uid];
		good = k < n && same_msg(&m[k], &want) && m[k].sum.strings != NULL;
		if (!good)
			diag("message %zu: want UID %u, got UID %u", k, uid, k < n ? m[k].uid : 0);
		k++;
		summary_release(&want.sum);
	}
	if (good && k != n) {
		diag("want %zu messages, got %zu", k, n);
		good = false;
	}
	free_loaded(m, n);
	return good;
}

static size_t loaded_count(struct imap_cache *c, const char *wire, int *rc_r,
			   enum err_code *code_r)
{
	struct imap_cache_msg *m;
	size_t n = 0;
	struct err e;
	err_init(&e);
	*rc_r = imap_cache_load(c, wire, &m, &n, &e);
	*code_r = e.code;
	if (*rc_r == 0)
		free_loaded(m, n);
	return n;
}

static long long sql_int(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

static int sql_exec(const char *file, const char *sql)
{
	sqlite3 *db;
	int rc = sqlite3_open(file, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static struct imap_cache *open_cache(bool *rebuilt_r)
{
	struct imap_cache *c = NULL;
	struct err e;
	err_init(&e);
	bool rebuilt = false;
	if (imap_cache_open(&c, path, &rebuilt, &e) < 0)
		diag("open: %s", e.msg);
	if (rebuilt_r != NULL)
		*rebuilt_r = rebuilt;
	return c;
}

static void fresh(void)
{
	char b[4200];
	snprintf(b, sizeof(b), "%s-wal", path);
	unlink(b);
	snprintf(b, sizeof(b), "%s-shm", path);
	unlink(b);
	unlink(path);
}

static void test_round_trip(void)
{
	bool rebuilt = true;
	struct imap_cache *c = open_cache(&rebuilt);
	ok(c != NULL && !rebuilt, "a new cache opens (directory created), not as rebuilt");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is 0600");

	struct imap_cache_folder f;
	struct err e;
	err_init(&e);
	int rc;
	enum err_code code;
	ok(imap_cache_folder(c, "INBOX", &f, &e) == 0 && f.uidvalidity == 0 && f.n == 0,
	   "an unknown folder's state is all zero");
	is_int((long long)loaded_count(c, "INBOX", &rc, &code), 0, "an unknown folder loads empty");
	is_int(rc, 0, "and that is no error");
	is_int(imap_cache_put(c, "INBOX", NULL, 0, &e), -1, "put into an unknown folder fails");
	is_int(e.code, ERR_NOTFOUND, "with ERR_NOTFOUND");
	is_int(imap_cache_set_state(c, "INBOX", 5, 6, &e), -1, "set_state on an unknown folder fails");

	struct model md;
	model_init(&md);
	ok(imap_cache_begin(c, &e) == 0 && imap_cache_reset(c, "INBOX", 777, &e) == 0,
	   "begin and reset");
	is_int(imap_cache_begin(c, &e), -1, "a second begin inside a transaction is refused");
	is_int((long long)loaded_count(c, "INBOX", &rc, &code), 0, "a reset folder loads empty");
	is_int(rc, 0, "without error");
	/* Out of order, in two puts, the second below the first. */
	uint32_t uids[600];
	for (int i = 0; i < 600; i++)
		uids[i] = (uint32_t)(1000 + (i * 7) % 600);
	is_int(put_uids(c, "INBOX", uids, 600, 0, &md), 0, "put 600 messages in shuffled order");
	is_int(put_range(c, "INBOX", 1, 700, 0, &md), 0, "put 700 more below them");
	ok(imap_cache_set_state(c, "INBOX", 1600, ((uint64_t)1 << 62) + 5, &e) == 0 &&
	   imap_cache_commit(c, &e) == 0, "set_state and commit");
	ok(loads_as(c, "INBOX", &md), "load gives every field back, in UID order");
	ok(imap_cache_folder(c, "INBOX", &f, &e) == 0 && f.uidvalidity == 777 &&
	   f.uidnext == 1600 && f.highestmodseq == ((uint64_t)1 << 62) + 5 && f.n == 1300,
	   "folder() gives UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and the count back");

	/* Flags. */
	uint32_t fu[3] = { 5, 1003, 3999 };
	unsigned ff[3] = { 0, 31, 7 };
	uint64_t fm[3] = { 1, (uint64_t)1 << 63, 9 };
	const char *fk[3] = { "$NotJunk later", NULL, "x" };
	ok(md.keywords[1003] != NULL, "(UID 1003 has keywords before)");
	is_int(imap_cache_set_flags(c, "INBOX", fu, ff, fm, fk, 3, &e), 0,
	       "set_flags outside begin/commit (an unknown UID among them)");
	md.flags[5] = 0, md.modseq[5] = 1, md.flags[1003] = 31, md.modseq[1003] = (uint64_t)1 << 63;
	md.keywords[5] = "$NotJunk later", md.keywords[1003] = NULL;
	ok(loads_as(c, "INBOX", &md),
	   "new flags, keywords and MODSEQs load, the unknown UID stays unknown");
	struct imap_cache_msg *lm;
	size_t ln;
	ok(imap_cache_load(c, "INBOX", &lm, &ln, &e) == 0 && ln > 5 && lm[0].uid == 1 &&
	   lm[4].uid == 5 && lm[4].keywords != NULL && strcmp(lm[4].keywords, "$NotJunk later") == 0,
	   "UID 5 loads with its new keywords");
	free_loaded(lm, ln);

	/* Remove. */
	uint32_t gone[4] = { 1, 700, 1599, 3000 };
	is_int(imap_cache_remove(c, "INBOX", gone, 4, &e), 0, "remove (one UID not there)");
	md.version[1] = md.version[700] = md.version[1599] = -1;
	ok(loads_as(c, "INBOX", &md), "removed UIDs no longer load");
	ok(imap_cache_folder(c, "INBOX", &f, &e) == 0 && f.n == 1297, "and are not counted");

	/* Put twice: the last one wins, in another put and within one. */
	uint32_t again[3] = { 2, 1002, 2 };
	is_int(put_uids(c, "INBOX", again, 3, 1, &md), 0, "UIDs put a second time");
	ok(loads_as(c, "INBOX", &md), "the later summary and flags win");
	ok(imap_cache_folder(c, "INBOX", &f, &e) == 0 && f.n == 1297, "and the count is unchanged");

	/* Rollback. */
	ok(imap_cache_begin(c, &e) == 0 && put_range(c, "INBOX", 3000, 3010, 0, NULL) == 0 &&
	   imap_cache_remove(c, "INBOX", uids, 100, &e) == 0 &&
	   imap_cache_set_state(c, "INBOX", 1, 1, &e) == 0, "writes in a transaction");
	imap_cache_rollback(c);
	ok(loads_as(c, "INBOX", &md), "rollback undoes the puts and removes");
	ok(imap_cache_folder(c, "INBOX", &f, &e) == 0 && f.uidnext == 1600, "and the state");

	/* Close and reopen. */
	imap_cache_close(&c);
	ok(c == NULL, "close clears the pointer");
	c = open_cache(&rebuilt);
	ok(c != NULL && !rebuilt, "reopens as it was");
	ok(c != NULL && loads_as(c, "INBOX", &md), "what was committed survives a reopen");
	imap_cache_close(&c);
	imap_cache_close(&c); /* a second close is harmless */
}

static void test_folders(void)
{
	fresh();
	struct imap_cache *c = open_cache(NULL);
	struct err e;
	err_init(&e);
	struct model inbox, arch, sent;
	model_init(&inbox);
	model_init(&arch);
	model_init(&sent);
	const char *sent_wire = "Gesendete Objekte &AOQ-";
	ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 && imap_cache_reset(c, "Archive", 1, &e) == 0 &&
	   imap_cache_reset(c, sent_wire, 9, &e) == 0, "three folders");
	ok(put_range(c, "INBOX", 1, 50, 0, &inbox) == 0 && put_range(c, "Archive", 1, 60, 1, &arch) == 0 &&
	   put_range(c, sent_wire, 10, 20, 0, &sent) == 0, "the same UIDs in two of them");
	ok(loads_as(c, "INBOX", &inbox) && loads_as(c, "Archive", &arch) &&
	   loads_as(c, sent_wire, &sent), "each folder loads its own");
	ok(imap_cache_set_state(c, "Archive", 61, 99, &e) == 0, "Archive's state");

	is_int(imap_cache_reset(c, "INBOX", 2, &e), 0, "a new UIDVALIDITY for INBOX");
	model_init(&inbox);
	struct imap_cache_folder f;
	ok(loads_as(c, "INBOX", &inbox) && imap_cache_folder(c, "INBOX", &f, &e) == 0 &&
	   f.uidvalidity == 2 && f.n == 0 && f.uidnext == 0 && f.highestmodseq == 0,
	   "INBOX is empty with the new UIDVALIDITY");
	ok(loads_as(c, "Archive", &arch) && imap_cache_folder(c, "Archive", &f, &e) == 0 &&
	   f.uidvalidity == 1 && f.uidnext == 61 && f.highestmodseq == 99 && f.n == 60,
	   "Archive is untouched");

	is_int(imap_cache_drop_folder(c, "Archive", &e), 0, "drop Archive");
	is_int(imap_cache_drop_folder(c, "Nowhere", &e), 0, "dropping an unknown folder is no error");
	model_init(&arch);
	ok(imap_cache_folder(c, "Archive", &f, &e) == 0 && f.uidvalidity == 0 &&
	   loads_as(c, "Archive", &arch), "a dropped folder is unknown");
	ok(loads_as(c, sent_wire, &sent), "the others stay");
	is_int(sql_int("SELECT count(*) FROM chunks WHERE folder NOT IN (SELECT id FROM folders)"),
	       0, "no chunks are left of a dropped folder");
	imap_cache_close(&c);
}

/* New mail one message at a time fills the last chunk, not one each. */
static void test_top_up(void)
{
	fresh();
	struct imap_cache *c = open_cache(NULL);
	struct err e;
	err_init(&e);
	struct model md;
	model_init(&md);
	(void)imap_cache_reset(c, "INBOX", 1, &e);
	for (uint32_t uid = 1; uid <= 600; uid++)
		if (put_range(c, "INBOX", uid, uid, 0, &md) < 0)
			break;
	imap_cache_close(&c);
	is_int(sql_int("SELECT count(*) FROM chunks"), 2,
	       "600 puts of one message make two chunks (512 + 88)");
	c = open_cache(NULL);
	ok(loads_as(c, "INBOX", &md), "and load back");
	/* Below the last chunk's UIDs: a chunk of its own. */
	(void)put_range(c, "INBOX", 700, 700, 0, &md);
	(void)put_range(c, "INBOX", 650, 650, 0, &md);
	ok(loads_as(c, "INBOX", &md), "a lower UID after a higher one loads in order");
	imap_cache_close(&c);
}

static void test_compaction(void)
{
	fresh();
	struct imap_cache *c = open_cache(NULL);
	struct err e;
	err_init(&e);
	struct model md;
	model_init(&md);
	(void)imap_cache_begin(c, &e);
	(void)imap_cache_reset(c, "INBOX", 1, &e);
	(void)put_range(c, "INBOX", 1, 3000, 0, &md);
	(void)imap_cache_commit(c, &e);
	long long before = sql_int("SELECT count(*) FROM chunks");
	srand(7);
	uint32_t gone[100];
	for (int round = 0; round < 25; round++) {
		for (int i = 0; i < 100; i++) {
			gone[i] = 1 + (uint32_t)(rand() % 3000);
			md.version[gone[i]] = -1;
		}
		if (imap_cache_remove(c, "INBOX", gone, 100, &e) < 0)
			break;
	}
	long long records = sql_int("SELECT records FROM folders");
	long long live = sql_int("SELECT count(*) FROM flags");
	long long stale = sql_int("SELECT stale FROM folders");
	ok(records - live == stale && stale * 4 <= records,
	   "after many removes the stale records are at most a quarter (%lld of %lld)", stale,
	   records);
	ok(sql_int("SELECT sum(n) FROM chunks") == records && records < 3000,
	   "compaction rewrote the chunks (%lld records, %lld chunks, %lld before)", records,
	   sql_int("SELECT count(*) FROM chunks"), before);
	ok(loads_as(c, "INBOX", &md), "the folder loads the same after compaction");
	/* Replacing makes stale records too. */
	for (int round = 0; round < 4; round++)
		(void)put_range(c, "INBOX", 1, 3000, (unsigned)(round & 1), &md);
	stale = sql_int("SELECT stale FROM folders");
	records = sql_int("SELECT records FROM folders");
	ok(stale * 4 <= records && records <= 6000,
	   "puts of the same UIDs compact too (%lld stale of %lld)", stale, records);
	ok(loads_as(c, "INBOX", &md), "and the folder still loads right");
	(void)put_range(c, "INBOX", 3001, 3100, 0, &md);
	ok(loads_as(c, "INBOX", &md), "and keeps working");
	imap_cache_close(&c);
}

/* A file that is not a cache of ours is replaced. */
static void check_rebuilt(const char *what)
{
	bool rebuilt = false;
	struct imap_cache *c = open_cache(&rebuilt);
	struct model md;
	model_init(&md);
	ok(c != NULL && rebuilt, "%s: rebuilt", what);
	ok(c != NULL && loads_as(c, "INBOX", &md), "%s: the new cache is empty", what);
	struct err e;
	err_init(&e);
	ok(c != NULL && imap_cache_reset(c, "INBOX", 3, &e) == 0 &&
	   put_range(c, "INBOX", 1, 3, 0, &md) == 0 && loads_as(c, "INBOX", &md),
	   "%s: and works", what);
	imap_cache_close(&c);
}

static void make_full_cache(void)
{
	fresh();
	struct imap_cache *c = open_cache(NULL);
	struct err e;
	err_init(&e);
	(void)imap_cache_reset(c, "INBOX", 1, &e);
	(void)put_range(c, "INBOX", 1, 2000, 0, NULL);
	imap_cache_close(&c);
}

static void test_rebuild(void)
{
	fresh();
	tu_write(path, "not a database at all, just some text\n", 38);
	check_rebuilt("a text file");

	fresh();
	char junk[70000];
	memcpy(junk, "SQLite format 3", 16);
	for (size_t i = 16; i < sizeof(junk); i++)
		junk[i] = (char)(i * 131 + 7);
	tu_write(path, junk, sizeof(junk));
	check_rebuilt("a file with SQLite's magic and garbage after");

	fresh();
	ok(sql_exec(path, "CREATE TABLE mail(x); INSERT INTO mail VALUES(1);") == SQLITE_OK,
	   "a foreign SQLite database");
	check_rebuilt("a foreign database");
	is_int(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'mail'"), 0,
	       "the foreign table is gone");

	make_full_cache();
	ok(sql_exec(path, "UPDATE meta SET value = '999' WHERE key = 'version'") == SQLITE_OK,
	   "a cache of another schema version");
	check_rebuilt("another version");

	make_full_cache();
	struct stat st;
	ok(stat(path, &st) == 0 && st.st_size > 100000, "a cache of some size");
	ok(truncate(path, st.st_size / 2) == 0, "cut in half");
	check_rebuilt("a truncated file");

	make_full_cache();
	ok(truncate(path, 50) == 0, "cut to 50 bytes");
	check_rebuilt("a file cut inside the header");

	make_full_cache();
	FILE *fp = fopen(path, "r+b");
	ok(fp != NULL && fseek(fp, 100, SEEK_SET) == 0 &&
	   fwrite(junk, 1, 16384 - 100, fp) == 16384 - 100, "the schema page overwritten");
	if (fp != NULL)
		fclose(fp);
	check_rebuilt("a corrupt schema page");

	fresh();
	tu_write(path, "", 0);
	bool rebuilt = true;
	struct imap_cache *c = open_cache(&rebuilt);
	ok(c != NULL && !rebuilt, "an empty file is taken as new, not as rebuilt");
	imap_cache_close(&c);
}

static void test_damaged_records(void)
{
	make_full_cache();
	struct imap_cache *c = open_cache(NULL);
	int rc;
	enum err_code code;
	(void)loaded_count(c, "INBOX", &rc, &code);
	is_int(rc, 0, "a whole cache loads");
	ok(sql_exec(path, "UPDATE chunks SET data = x'01ff' WHERE id = (SELECT min(id) FROM chunks)")
	   == SQLITE_OK, "a chunk overwritten with two bytes");
	(void)loaded_count(c, "INBOX", &rc, &code);
	ok(rc == -1 && code == ERR_PARSE, "load fails with ERR_PARSE (%d, code %d)", rc, code);
	struct err e;
	err_init(&e);
	struct model md;
	model_init(&md);
	ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 && put_range(c, "INBOX", 5, 9, 0, &md) == 0 &&
	   loads_as(c, "INBOX", &md), "reset makes the folder usable again");

	ok(sql_exec(path, "INSERT INTO flags VALUES((SELECT id FROM folders), 100, 0, 0, '')") ==
	   SQLITE_OK, "a flag row without a summary record");
	(void)loaded_count(c, "INBOX", &rc, &code);
	ok(rc == -1 && code == ERR_PARSE, "load fails with ERR_PARSE");
	ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 && put_range(c, "INBOX", 5, 9, 0, &md) == 0,
	   "reset");
	ok(sql_exec(path, "UPDATE chunks SET n = n + 1") == SQLITE_OK, "a chunk's count wrong");
	(void)loaded_count(c, "INBOX", &rc, &code);
	ok(rc == -1 && code == ERR_PARSE, "load fails with ERR_PARSE");
	ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 && put_range(c, "INBOX", 1, 40, 0, &md) == 0,
	   "reset");
	ok(sql_exec(path, "UPDATE flags SET uid = 5000000000 WHERE uid = 3") == SQLITE_OK,
	   "a UID beyond 32 bits");
	(void)loaded_count(c, "INBOX", &rc, &code);
	ok(rc == -1 && code == ERR_PARSE, "load fails with ERR_PARSE");
	static const char *const bad_keywords[] = {
		"UPDATE flags SET keywords = x'6b77' WHERE uid = 3",
		"UPDATE flags SET keywords = CAST(x'6b0077' AS TEXT) WHERE uid = 3",
		"UPDATE flags SET keywords = printf('%.*c', 16385, 'k') WHERE uid = 3",
	};
	for (size_t i = 0; i < sizeof(bad_keywords) / sizeof(bad_keywords[0]); i++) {
		ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 &&
		   put_range(c, "INBOX", 1, 40, 0, &md) == 0 && loads_as(c, "INBOX", &md) &&
		   sql_exec(path, bad_keywords[i]) == SQLITE_OK, "reset; then %s", bad_keywords[i]);
		(void)loaded_count(c, "INBOX", &rc, &code);
		ok(rc == -1 && code == ERR_PARSE, "load fails with ERR_PARSE (keywords not text, "
		   "with a NUL, or too long)");
	}
	ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 && put_range(c, "INBOX", 1, 40, 0, &md) == 0 &&
	   sql_exec(path, "UPDATE flags SET keywords = printf('%.*c', 16384, 'k') WHERE uid = 3") ==
	   SQLITE_OK, "reset; keywords of 16384 bytes");
	(void)loaded_count(c, "INBOX", &rc, &code);
	is_int(rc, 0, "load takes keywords of IMAP_CACHE_KEYWORDS_MAX bytes");
	ok(imap_cache_reset(c, "INBOX", 1, &e) == 0 && put_range(c, "INBOX", 1, 40, 0, &md) == 0,
	   "reset");

	/* Every truncation and many byte changes of a chunk: loads or
	 * ERR_PARSE, never a crash or a read out of bounds (ASan). */
	sqlite3 *db;
	sqlite3_stmt *get, *set;
	int bad = 0, refused = 0;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT data FROM chunks", -1, &get, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "UPDATE chunks SET data = ?", -1, &set, NULL) == SQLITE_OK) {
		size_t len = 0;
		unsigned char *orig = NULL;
		if (sqlite3_step(get) == SQLITE_ROW) {
			len = (size_t)sqlite3_column_bytes(get, 0);
			orig = malloc(len);
			memcpy(orig, sqlite3_column_blob(get, 0), len);
		}
		sqlite3_finalize(get);
		unsigned char *m = malloc(len ? len : 1);
		srand(11);
		for (size_t t = 0; orig != NULL && t < 600; t++) {
			size_t use = t < 300 ? t * len / 300 : len;
			memcpy(m, orig, len);
			if (t >= 300)
				for (int k = 0; k < 1 + (int)(t % 4); k++)
					m[(size_t)rand() % len] = (unsigned char)rand();
			sqlite3_reset(set);
			sqlite3_bind_blob(set, 1, m, (int)use, SQLITE_STATIC);
			if (sqlite3_step(set) != SQLITE_DONE)
				bad++;
			(void)loaded_count(c, "INBOX", &rc, &code);
			if (rc < 0 && code != ERR_PARSE)
				bad++;
			refused += rc < 0;
		}
		free(m);
		free(orig);
		sqlite3_finalize(set);
	}
	sqlite3_close(db);
	is_int(bad, 0, "a mangled chunk loads or fails with ERR_PARSE (%d refused)", refused);
	imap_cache_close(&c);
}

/* SQLite finding the file corrupt after it opened: load says ERR_PARSE,
 * and the file is deleted at close so that the next open starts anew. */
static void test_corrupt_later(void)
{
	make_full_cache();
	long long root = sql_int("SELECT rootpage FROM sqlite_master WHERE name = 'flags'");
	ok(root > 1, "the flags table's root page (%lld)", root);
	char junk[16384 - 8];
	memset(junk, 0xa5, sizeof(junk));
	FILE *fp = fopen(path, "r+b");
	ok(fp != NULL && fseek(fp, (long)(root - 1) * 16384 + 8, SEEK_SET) == 0 &&
	   fwrite(junk, 1, sizeof(junk), fp) == sizeof(junk), "overwritten");
	if (fp != NULL)
		fclose(fp);
	bool rebuilt = true;
	struct imap_cache *c = open_cache(&rebuilt);
	ok(c != NULL && !rebuilt, "the file still opens");
	int rc;
	enum err_code code;
	(void)loaded_count(c, "INBOX", &rc, &code);
	ok(rc == -1 && code == ERR_PARSE, "load fails with ERR_PARSE");
	imap_cache_close(&c);
	ok(access(path, F_OK) != 0, "the damaged file is deleted at close");
}

static void test_symlink(void)
{
	fresh();
	char target[4200];
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	tu_write(target, "precious", 8);
	ok(symlink(target, path) == 0, "a symbolic link at the cache path");
	struct imap_cache *c = NULL;
	struct err e;
	err_init(&e);
	bool rebuilt = false;
	is_int(imap_cache_open(&c, path, &rebuilt, &e), -1, "the link is refused");
	ok(c == NULL && e.code == ERR_PERM, "with ERR_PERM: %s", e.msg);
	is_str(tu_read(target), "precious", "its target is untouched");
	struct stat st;
	ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), "and so is the link");
	unlink(path);
}

static int get_body(struct imap_cache *c, const char *wire, uint32_t uid, bool whole,
		    struct buf *out)
{
	struct err e;
	err_init(&e);
	int rc = imap_cache_body_get(c, wire, uid, whole, out, &e);
	if (rc < 0)
		diag("body_get: %s", e.msg);
	return rc;
}

/* Bodies: stored, found again, a display form not given for a whole one,
 * gone with their UID or folder, and evicted least recently used first. */
static void test_bodies(void)
{
	fresh();
	struct imap_cache *c = open_cache(NULL);
	struct err e;
	err_init(&e);
	struct buf b;
	buf_init(&b, IMAP_CACHE_BODY_MAX);
	const uint64_t big = 1 << 20;
	ok(imap_cache_reset(c, "INBOX", 7, &e) == 0 && imap_cache_reset(c, "Work", 3, &e) == 0,
	   "two folders");
	is_int(imap_cache_body_put(c, "Nowhere", 1, false, "x", 1, big, &e), -1,
	       "a body of an unknown folder is refused");
	is_int(get_body(c, "INBOX", 5, false, &b), 0, "no body yet");
	is_int(imap_cache_body_put(c, "INBOX", 5, false, "Subject: a\n\ntext\n", 17, big, &e), 0,
	       "a display form stored");
	ok(get_body(c, "INBOX", 5, false, &b) == 1 && b.len == 17 &&
	   memcmp(b.data, "Subject: a\n\ntext\n", 17) == 0, "and read back exactly");
	is_int(get_body(c, "INBOX", 5, true, &b), 0, "not given for a whole message");
	is_int(get_body(c, "Work", 5, false, &b), 0, "the same UID elsewhere has none");
	is_int(imap_cache_body_put(c, "INBOX", 5, true, "whole\n", 6, big, &e), 0,
	       "the whole message replaces it");
	ok(get_body(c, "INBOX", 5, true, &b) == 1 && b.len == 6, "and serves both");
	is_int(imap_cache_body_put(c, "INBOX", 6, false, "y", 0, big, &e), 0,
	       "an empty body is stored");
	ok(get_body(c, "INBOX", 6, false, &b) == 1 && b.len == 0, "and read back empty");

	char *huge = calloc(1, IMAP_CACHE_BODY_MAX + 1);
	memset(huge, 'a', IMAP_CACHE_BODY_MAX + 1);
	is_int(imap_cache_body_put(c, "INBOX", 8, false, huge, IMAP_CACHE_BODY_MAX + 1,
				   (uint64_t)1 << 30, &e), 0, "a body over the cap: no error");
	is_int(get_body(c, "INBOX", 8, false, &b), 0, "and not stored");
	free(huge);

	uint32_t five = 5;
	ok(imap_cache_remove(c, "INBOX", &five, 1, &e) == 0 && get_body(c, "INBOX", 5, false, &b) == 0,
	   "a removed UID loses its body");
	ok(get_body(c, "INBOX", 6, false, &b) == 1, "the others keep theirs");
	ok(imap_cache_reset(c, "INBOX", 8, &e) == 0 && get_body(c, "INBOX", 6, false, &b) == 0,
	   "a new UIDVALIDITY drops the folder's bodies");

	/* Ten bodies of 100 bytes with room for five: the oldest go; a read
	 * counts as a use. */
	char text[100];
	memset(text, 'b', sizeof(text));
	int rc = 0;
	for (uint32_t uid = 1; uid <= 5; uid++)
		rc |= imap_cache_body_put(c, "Work", uid, false, text, sizeof(text), 500, &e);
	ok(rc == 0 && get_body(c, "Work", 1, false, &b) == 1, "five bodies fill the limit");
	for (uint32_t uid = 6; uid <= 8; uid++)
		rc |= imap_cache_body_put(c, "Work", uid, false, text, sizeof(text), 500, &e);
	uint64_t bytes = 0;
	size_t n = 0;
	ok(rc == 0 && imap_cache_body_usage(c, &bytes, &n, &e) == 0 && bytes <= 500 && n >= 4,
	   "more stay within the limit");
	ok(get_body(c, "Work", 1, false, &b) == 1, "the body read recently stays");
	ok(get_body(c, "Work", 2, false, &b) == 0, "the least recently used went");
	ok(get_body(c, "Work", 8, false, &b) == 1, "the newest stays");
	ok(imap_cache_drop_folder(c, "Work", &e) == 0 && imap_cache_body_usage(c, &bytes, &n, &e) == 0 &&
	   n == 0 && bytes == 0, "a dropped folder leaves no body");
	buf_release(&b);
	imap_cache_close(&c);
}

/* The folder list: replaced as a whole, read back in order. */
static void test_folder_list(void)
{
	fresh();
	struct imap_cache *c = open_cache(NULL);
	struct err e;
	err_init(&e);
	struct imap_cache_list_entry *v = NULL;
	size_t n = 9;
	ok(imap_cache_list_get(c, &v, &n, &e) == 0 && v == NULL && n == 0, "no list stored");
	struct imap_cache_list_entry in[3] = {
		{ "INBOX", "INBOX", 0, 1, true, true, 12, 3 },
		{ "Arbeit/Entwürfe", "Entwürfe", 1, 3, true, false, -1, -1 },
		{ "日本語", "日本語", 0, 0, false, true, 0, 0 },
	};
	ok(imap_cache_list_put(c, in, 3, &e) == 0 && imap_cache_list_get(c, &v, &n, &e) == 0 &&
	   n == 3, "three folders stored and read");
	ok(n == 3 && strcmp(v[1].name, "Arbeit/Entwürfe") == 0 && strcmp(v[1].display, "Entwürfe") == 0 &&
	   v[1].depth == 1 && v[1].role == 3 && v[1].selectable && !v[1].subscribed &&
	   v[1].total == -1 && v[1].unread == -1, "with every field");
	ok(n == 3 && strcmp(v[0].name, "INBOX") == 0 && v[0].total == 12 && v[0].unread == 3 &&
	   strcmp(v[2].name, "日本語") == 0 && !v[2].selectable, "in order");
	imap_cache_list_free(v, n);
	ok(imap_cache_list_put(c, in + 2, 1, &e) == 0 && imap_cache_list_get(c, &v, &n, &e) == 0 &&
	   n == 1 && strcmp(v[0].name, "日本語") == 0, "a new list replaces the old");
	imap_cache_list_free(v, n);
	imap_cache_close(&c);
}

int main(void)
{
	dir = tu_tempdir();
	snprintf(path, sizeof(path), "%s/cache/sub/imap-test.sqlite", dir);
	test_round_trip();
	test_folders();
	test_top_up();
	test_compaction();
	test_rebuild();
	test_damaged_records();
	test_corrupt_later();
	test_symlink();
	test_bodies();
	test_folder_list();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
