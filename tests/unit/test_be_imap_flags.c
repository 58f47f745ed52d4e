/* Flags and keywords of an open IMAP folder (be_imap_flags.c), against a
 * scripted server: keyword lists interned (normalised, one pointer per
 * list); set_keywords sends UID STORE +FLAGS.SILENT and -FLAGS.SILENT
 * only, refuses before sending anything a word that is no keyword, a
 * system flag, a keyword PERMANENTFLAGS does not allow, one both added
 * and removed; what the server says meanwhile (an expunge, another
 * message's keywords) reaches the core view. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "be_imap_private.h"
#include "mem.h"
#include "tap.h"

/* The server: the lines it answers with, in order; what it was sent. */
static struct {
	const char *const *lines;
	size_t n, at;
	struct buf sent;
} srv;

static int srv_read(void *ctx, struct buf *line, struct err *e)
{
	(void)ctx;
	if (srv.at >= srv.n)
		return err_set(e, ERR_ACCOUNT, ERR_IO, "the script is over");
	buf_reset(line);
	return buf_append_str(line, srv.lines[srv.at++]);
}

static int srv_exact(void *ctx, size_t n, struct buf *out, struct err *e)
{
	(void)ctx;
	(void)n;
	(void)out;
	return err_set(e, ERR_ACCOUNT, ERR_IO, "no literals here");
}

static int srv_write(void *ctx, const char *p, size_t n, struct err *e)
{
	(void)ctx;
	(void)e;
	return buf_append(&srv.sent, p, n);
}

static void script(const char *const *lines, size_t n)
{
	srv.lines = lines;
	srv.n = n;
	srv.at = 0;
	buf_reset(&srv.sent);
}

static struct be_imap_link link;
static struct imap_folder x;
static struct be_account acct;
static struct be_folder f;

/* A selected folder of messages with these UIDs, no keywords. */
static void folder_of(const uint32_t *uids, size_t n)
{
	for (size_t i = 0; i < x.n; i++)
		summary_release(&x.msgs[i].sum);
	free(x.msgs);
	free(x.gone);
	be_imap_flags_release(&x);
	memset(&x, 0, sizeof(x));
	x.link = &link;
	x.wire = (char *)"INBOX";
	x.msgs = xcalloc(n, sizeof(*x.msgs));
	x.n = x.cap = n;
	x.exists = (uint32_t)n;
	x.sorted = true;
	for (size_t i = 0; i < n; i++)
		x.msgs[i].uid = uids[i];
	f.account = &acct;
	f.name = (char *)"INBOX";
	f.priv = &x;
	be_imap_publish(&f);
}

static struct imap_flags flags_of(unsigned bits, const char *const *kw, size_t n)
{
	struct imap_flags fl;
	imap_resp_flags_init(&fl);
	fl.bits = bits;
	fl.keywords = xcalloc(n ? n : 1, sizeof(*fl.keywords));
	for (size_t i = 0; i < n; i++)
		fl.keywords[fl.n_keywords++] = xstrdup(kw[i]);
	return fl;
}

static void test_interning(void)
{
	static const uint32_t uids[] = { 5 };
	folder_of(uids, 1);
	static const char *const kw[] = { "work", "\\Custom", "Alpha" };
	struct imap_flags fl = flags_of(IMAP_FLAG_SEEN | IMAP_FLAG_JUNK, kw, 3);
	const char *a = be_imap_keywords_of(&x, &fl);
	is_str(a, "$Junk Alpha work",
	       "keywords of a flag list: $Junk and the keywords, sorted, no system or \\ flag");
	ok(be_imap_keywords_intern(&x, " work  Alpha $Junk work") == a,
	   "the same list in another order is the same pointer");
	is_str(be_imap_keywords_intern(&x, "b ALPHA alpha"), "ALPHA b",
	       "a word in two spellings is kept once");
	ok(be_imap_keywords_intern(&x, "work") != a, "another list is another pointer");
	imap_resp_flags_release(&fl);
	fl = flags_of(IMAP_FLAG_SEEN | IMAP_FLAG_DRAFT, kw + 1, 1);
	ok(be_imap_keywords_of(&x, &fl) == NULL, "flags without keywords: NULL");
	imap_resp_flags_release(&fl);
	ok(be_imap_keywords_intern(&x, " \t ") == NULL, "an empty list: NULL");
	is_int((long long)x.n_kwsets, 3, "three lists kept");
}

static void test_refusals(void)
{
	static const uint32_t uids[] = { 5 };
	folder_of(uids, 1);
	static const char *const perm[] = { "work", "\\Answered" };
	struct imap_flags fl = flags_of(IMAP_FLAG_SEEN | IMAP_FLAG_FORWARDED, perm, 2);
	be_imap_permanent_flags(&x, &fl);
	ok(fl.keywords == NULL && x.perm_known, "PERMANENTFLAGS taken over");
	static const struct {
		const char *add, *remove, *msg, *name;
		enum err_code code;
	} cases[] = {
		{ "todo", "", "cannot keep the keyword todo", "a keyword PERMANENTFLAGS lacks",
		  ERR_PERM },
		{ "work b(", "", "\"b(\" is not a keyword", "a word that is no atom", ERR_PARSE },
		{ "", "gr\xc3\xbc\xc3\x9f", "is not a keyword", "8-bit, even to remove", ERR_PARSE },
		{ "\\Seen", "", "\\Seen is a system flag, not a keyword", "a system flag",
		  ERR_PARSE },
		{ "work", "WORK", "WORK is both to be added and to be removed", "both lists",
		  ERR_USAGE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err e;
		err_init(&e);
		script(NULL, 0);
		size_t idx = 0;
		is_int(be_imap_set_keywords(&f, &idx, 1, cases[i].add, cases[i].remove, &e), -1,
		       "refused: %s", cases[i].name);
		ok(strstr(e.msg, cases[i].msg) != NULL && e.code == cases[i].code,
		   "saying so (%s)", e.msg);
		is_int((long long)srv.sent.len, 0, "and nothing is sent");
	}
	struct buf many;
	buf_init(&many, 4096);
	for (int i = 0; i <= IMAP_FLAGS_KEYWORDS_MAX; i++)
		buf_cut_ok(buf_printf(&many, "k%d ", i));
	struct err e;
	err_init(&e);
	size_t idx = 0;
	x.perm.bits |= IMAP_FLAG_ANY_KEYWORD;
	ok(be_imap_set_keywords(&f, &idx, 1, many.data, "", &e) == -1 && e.code == ERR_LIMIT &&
	   srv.sent.len == 0, "more than %d keywords at once: refused (%s)",
	   IMAP_FLAGS_KEYWORDS_MAX, e.msg);
	buf_release(&many);
	x.read_only = true;
	err_init(&e);
	ok(be_imap_set_keywords(&f, &idx, 1, "work", "", &e) == -1 && e.code == ERR_PERM &&
	   srv.sent.len == 0, "a read-only folder: refused");
}

static void test_store(void)
{
	static const uint32_t uids[] = { 5, 9 };
	folder_of(uids, 2);
	static const char *const perm[] = { "work" };
	struct imap_flags fl = flags_of(IMAP_FLAG_FORWARDED, perm, 1);
	be_imap_permanent_flags(&x, &fl);
	x.msgs[0].keywords = f.msgs[0].keywords = be_imap_keywords_intern(&x, "old work");
	static const char *const answers[] = {
		"* 2 FETCH (UID 9 FLAGS (other))\r\n", "t1 OK stored\r\n", "t2 OK stored\r\n",
	};
	script(answers, 3);
	struct err e;
	err_init(&e);
	size_t idx[] = { 0, 1 };
	is_int(be_imap_set_keywords(&f, idx, 2, "$forwarded Work", "old nothere", &e), 0,
	       "allowed keywords (case aside), and any to remove: sent (%s)", e.msg);
	is_str(srv.sent.data, "t1 UID STORE 5,9 +FLAGS.SILENT ($forwarded Work)\r\n"
			      "t2 UID STORE 5,9 -FLAGS.SILENT (old nothere)\r\n",
	       "as +FLAGS.SILENT and -FLAGS.SILENT of both messages");
	is_str(f.msgs[0].keywords, "$forwarded work",
	       "the first message's keywords in the view: added, removed, each once");
	is_str(f.msgs[1].keywords, "$forwarded other Work",
	       "the second's: the other client's keyword (come meanwhile) stays");
	ok(x.msgs[0].cache_flags && x.msgs[1].cache_flags, "both to be written to the cache");

	unsigned generation = f.generation;
	static const char *const expunged[] = { "* 1 EXPUNGE\r\n", "t3 OK stored\r\n" };
	script(expunged, 2);
	idx[0] = 1;
	is_int(be_imap_set_keywords(&f, idx, 1, "", "other", &e), 0, "another store");
	ok(f.generation != generation && f.n == 1 && f.msgs[0].uid == 9,
	   "an expunge during it rebuilds the view (generation %u -> %u, %zu left)", generation,
	   f.generation, f.n);
	is_str(f.msgs[0].keywords, "$forwarded Work", "and the message left has its change");

	static const uint32_t three[] = { 3, 4, 7 };
	folder_of(three, 3);
	static const char *const flagged[] = { "* 3 EXPUNGE\r\n", "t4 OK stored\r\n" };
	script(flagged, 2);
	generation = f.generation;
	idx[0] = 1;
	is_int(be_imap_set_flags(&f, idx, 1, SUMMARY_FLAGGED, 0, &e), 0, "set_flags");
	is_str(srv.sent.data, "t4 UID STORE 4 +FLAGS.SILENT (\\Flagged)\r\n", "+FLAGS \\Flagged");
	ok(f.generation != generation && f.n == 2 && f.msgs[1].uid == 4 &&
	   (f.msgs[1].flags & SUMMARY_FLAGGED), "set_flags too rebuilds the view after an expunge");
}

int main(void)
{
	struct imap_io io = { .read_line = srv_read, .read_exact = srv_exact, .write = srv_write };
	buf_init(&srv.sent, 1 << 16);
	link.p = imap_new(&io, NULL);
	static const char *const greeting[] = { "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n" };
	script(greeting, 1);
	struct err e;
	err_init(&e);
	if (imap_open(link.p, false, &e) < 0) {
		printf("Bail out! %s\n", e.msg);
		return 1;
	}
	imap_set_selected(link.p, true, false);
	test_interning();
	test_refusals();
	test_store();
	folder_of(NULL, 0);
	free(x.msgs);
	free(f.msgs);
	imap_free(&link.p);
	buf_release(&srv.sent);
	return done_testing();
}
