/* be_imap_flags: the flags and keywords of an open IMAP folder's messages
 * -- what FETCH FLAGS says of them, and what UID STORE changes (issue 7:
 * "Flags ... and keywords via UID STORE +FLAGS/-FLAGS (never absolute
 * FLAGS, so other clients' changes survive)").
 *
 * A message's keywords are the flags of its FETCH FLAGS that are keywords
 * (RFC 9051 s2.3.2: no "\"), $Forwarded, $Junk and $NotJunk included, as
 * one keywords.h list, normalised: sorted, each word once.  The lists are
 * interned per folder -- each distinct list stored once, kept until the
 * folder closes -- so that the pointers the core view holds
 * (be_msg.keywords) stay valid whatever the server sends meanwhile, and
 * two lists are the same when their pointers are.  A hostile server could
 * send ever new lists: their number and bytes are capped, and past the
 * caps a new list shows as none (and the log says so). */
#include "config.h"

#include "be_imap_private.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "keywords.h"
#include "mem.h"
#include "str.h"

#define KWSETS_MAX 16384
#define KWSET_BYTES_MAX ((size_t)4 << 20)
#define KWLIST_MAX ((size_t)IMAP_FLAGS_KEYWORDS_MAX * (IMAP_FLAG_KEYWORD_MAX + 1))
#define SET_TEXT_MAX 8000       /* bytes of a UID set in one command */
#define NAMED_KEYWORDS (IMAP_FLAG_FORWARDED | IMAP_FLAG_JUNK | IMAP_FLAG_NOTJUNK)

/* ------------------------------------------------------------ from the server */

unsigned be_imap_flags_of(const struct imap_flags *fl)
{
	unsigned f = 0;
	if (fl->bits & IMAP_FLAG_SEEN)
		f |= SUMMARY_READ;
	if (fl->bits & IMAP_FLAG_FLAGGED)
		f |= SUMMARY_FLAGGED;
	if (fl->bits & IMAP_FLAG_ANSWERED)
		f |= SUMMARY_ANSWERED;
	if (fl->bits & IMAP_FLAG_DELETED)
		f |= SUMMARY_DELETED;
	return f;
}

struct word {
	const char *p;
	size_t len;
};

static int lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

/* Case-insensitively, then (for one word spelled two ways) by bytes. */
static int word_cmp(const void *a, const void *b)
{
	const struct word *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	for (size_t i = 0; i < n; i++)
		if (lower(x->p[i]) != lower(y->p[i]))
			return lower(x->p[i]) - lower(y->p[i]);
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, n);
}

/* The words of list sorted, each once, at most IMAP_FLAGS_KEYWORDS_MAX. */
static void normalise(const char *list, struct buf *out)
{
	struct word w[IMAP_FLAGS_KEYWORDS_MAX];
	size_t n = 0, len;
	const char *p = list, *s;
	while (n < IMAP_FLAGS_KEYWORDS_MAX && (s = keywords_next(&p, &len)) != NULL)
		w[n++] = (struct word){ s, len };
	qsort(w, n, sizeof(*w), word_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && w[i].len == w[i - 1].len && str_eqn_ci(w[i].p, w[i - 1].p, w[i].len))
			continue;
		/* One append per word: one that does not fit leaves no part. */
		buf_cut_ok(buf_printf(out, "%s%.*s", out->len ? " " : "", (int)w[i].len, w[i].p));
	}
}

static const char *intern(struct imap_folder *x, const char *s, size_t len)
{
	size_t lo = 0, hi = x->n_kwsets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(x->kwsets[mid], s);
		if (c == 0)
			return x->kwsets[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (x->n_kwsets >= KWSETS_MAX || x->kwset_bytes + len + 1 > KWSET_BYTES_MAX) {
		if (!x->kwsets_full && x->link != NULL)
			log_warn(x->link->lg, "imap %s: over %d different keyword lists; "
				 "further ones are not shown", x->wire, KWSETS_MAX);
		x->kwsets_full = true;
		return NULL;
	}
	x->kwsets = xgrow(x->kwsets, &x->cap_kwsets, x->n_kwsets + 1, sizeof(*x->kwsets));
	memmove(x->kwsets + lo + 1, x->kwsets + lo, (x->n_kwsets - lo) * sizeof(*x->kwsets));
	x->kwsets[lo] = xstrndup(s, len);
	x->n_kwsets++;
	x->kwset_bytes += len + 1;
	return x->kwsets[lo];
}

const char *be_imap_keywords_intern(struct imap_folder *x, const char *list)
{
	struct buf b;
	buf_init(&b, KWLIST_MAX);
	normalise(list, &b);
	const char *kw = b.len > 0 ? intern(x, b.data, b.len) : NULL;
	buf_release(&b);
	return kw;
}

const char *be_imap_keywords_of(struct imap_folder *x, const struct imap_flags *fl)
{
	if (fl->n_keywords == 0 && !(fl->bits & NAMED_KEYWORDS))
		return NULL;
	struct buf b;
	buf_init(&b, KWLIST_MAX);
	for (unsigned bit = 1; bit < (1u << IMAP_FLAG_BITS); bit <<= 1)
		if (bit & fl->bits & NAMED_KEYWORDS)
			buf_cut_ok(buf_printf(&b, " %s", imap_resp_flag_name(bit)));
	for (size_t i = 0; i < fl->n_keywords; i++)
		if (fl->keywords[i][0] != '\\') /* an extension flag is no keyword */
			buf_cut_ok(buf_printf(&b, " %s", fl->keywords[i]));
	const char *kw = be_imap_keywords_intern(x, b.data);
	buf_release(&b);
	return kw;
}

void be_imap_new_flags(struct imap_folder *x, struct imap_msg *m, const struct imap_fetch *fe)
{
	unsigned nf = be_imap_flags_of(&fe->flags);
	const char *kw = be_imap_keywords_of(x, &fe->flags);
	bool changed = nf != m->flags || kw != m->keywords;
	if (changed || ((fe->present & IMAP_FETCH_MODSEQ) && fe->modseq != m->modseq))
		m->cache_flags = true;
	x->flags_changed |= changed;
	m->flags = nf;
	m->keywords = kw;
	if (fe->present & IMAP_FETCH_MODSEQ)
		m->modseq = fe->modseq;
}

void be_imap_permanent_flags(struct imap_folder *x, struct imap_flags *fl)
{
	imap_resp_flags_release(&x->perm);
	x->perm = *fl;
	imap_resp_flags_init(fl);
	x->perm_known = true;
}

void be_imap_flags_release(struct imap_folder *x)
{
	for (size_t i = 0; i < x->n_kwsets; i++)
		free(x->kwsets[i]);
	free(x->kwsets);
	x->kwsets = NULL;
	x->n_kwsets = x->cap_kwsets = x->kwset_bytes = 0;
	imap_resp_flags_release(&x->perm);
	x->perm_known = false;
}

/* ------------------------------------------------------------ to the server */

void be_imap_flag_names(unsigned bits, struct buf *out)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ SUMMARY_READ, "\\Seen" }, { SUMMARY_FLAGGED, "\\Flagged" },
		{ SUMMARY_ANSWERED, "\\Answered" }, { SUMMARY_DELETED, "\\Deleted" },
	};
	buf_reset(out);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (bits & names[k].bit)
			buf_cut_ok(buf_printf(out, "%s%s", out->len ? " " : "", names[k].name));
}

/* UID STORE set +FLAGS.SILENT or -FLAGS.SILENT (names) -- never absolute
 * FLAGS: other clients' changes survive -- split to keep commands short. */
static int store(struct imap_folder *x, const struct imap_seqset *set, char sign,
		 const char *names, struct err *e)
{
	struct buf text;
	buf_init(&text, SET_TEXT_MAX + KWLIST_MAX + 64);
	size_t from = 0;
	int rc = 0;
	while (rc == 0 && from < set->n) {
		buf_reset(&text);
		if (imap_seqset_format(set, &from, SET_TEXT_MAX, &text) == 0)
			break;
		if (buf_printf(&text, " %cFLAGS.SILENT (%s)", sign, names) < 0) {
			rc = err_set(e, ERR_MESSAGE, ERR_LIMIT, _("too many flags at once"));
			break;
		}
		struct imap_cmd c;
		imap_cmd_init(&c, x->link->p, "UID STORE");
		c.scope = ERR_MESSAGE;
		imap_cmd_raw(&c, text.data);
		rc = imap_run(x->link->p, &c, be_imap_untagged, x, e);
		imap_cmd_release(&c);
	}
	buf_release(&text);
	return rc;
}

int be_imap_store_flags(struct imap_folder *x, const struct imap_seqset *uids, char sign,
			unsigned bits, struct err *e)
{
	struct buf names;
	buf_init(&names, 128);
	be_imap_flag_names(bits, &names);
	int rc = store(x, uids, sign, names.data, e);
	buf_release(&names);
	return rc;
}

/* The UIDs of messages idx[0..n), as a set and in order (uid_r, n_r). */
static void uids_of(const struct imap_folder *x, const size_t *idx, size_t n,
		    struct imap_seqset *set, uint32_t **uid_r, size_t *n_r)
{
	imap_seqset_init(set);
	*uid_r = xcalloc(n ? n : 1, sizeof(**uid_r));
	*n_r = 0;
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= x->n)
			continue;
		imap_seqset_add(set, x->msgs[idx[k]].uid, x->msgs[idx[k]].uid);
		(*uid_r)[(*n_r)++] = x->msgs[idx[k]].uid;
	}
}

/* After a STORE: the core view of message i, unless it is rebuilt after
 * (view_done). */
static void show_change(struct be_folder *f, size_t i)
{
	struct imap_folder *x = f->priv;
	if (!x->removed && f->n == x->n) {
		f->msgs[i].flags = x->msgs[i].flags;
		f->msgs[i].keywords = x->msgs[i].keywords;
	}
}

/* What the server said of other messages during a STORE, in the core
 * view: rebuilt when it removed some (another client's expunge may come
 * with a UID command, RFC 9051 s7.5.1: the indexes of f->msgs no longer
 * match), else their flags and keywords copied. */
static void view_done(struct be_folder *f)
{
	struct imap_folder *x = f->priv;
	if (x->removed || f->n != x->n) {
		be_imap_publish(f);
		return;
	}
	for (size_t i = 0; x->flags_changed && i < x->n; i++) {
		f->msgs[i].flags = x->msgs[i].flags;
		f->msgs[i].keywords = x->msgs[i].keywords;
	}
}

int be_imap_set_flags(struct be_folder *f, const size_t *idx, size_t n, unsigned set,
		      unsigned clear, struct err *e)
{
	struct imap_folder *x = f->priv;
	set &= SUMMARY_READ | SUMMARY_FLAGGED | SUMMARY_ANSWERED | SUMMARY_DELETED;
	clear &= SUMMARY_READ | SUMMARY_FLAGGED | SUMMARY_ANSWERED | SUMMARY_DELETED;
	if (x->read_only)
		return err_set(e, ERR_FOLDER, ERR_PERM, _("%s is read-only"), f->name);
	if (be_imap_lost(x->link->p))
		return be_imap_offline_set_flags(f, idx, n, set, clear, e);
	struct imap_seqset uids;
	uint32_t *list;
	size_t n_list;
	uids_of(x, idx, n, &uids, &list, &n_list);
	x->removed = x->flags_changed = false;
	int rc = 0;
	if (set && uids.n)
		rc = be_imap_store_flags(x, &uids, '+', set, e);
	if (rc == 0 && clear && uids.n)
		rc = be_imap_store_flags(x, &uids, '-', clear, e);
	for (size_t k = 0; rc == 0 && k < n_list; k++) {
		size_t i;
		struct imap_msg *m = be_imap_msg_by_uid(x, list[k], &i);
		if (m == NULL)
			continue;
		m->flags = (m->flags | set) & ~clear;
		m->cache_flags = true;
		show_change(f, i);
	}
	view_done(f);
	imap_seqset_release(&uids);
	free(list);
	return rc;
}

/* ------------------------------------------------------------ keywords */

/* Whether the folder keeps keyword w[0..len) (RFC 9051 s7.1
 * PERMANENTFLAGS: "\*" allows any; without the code, all are). */
static bool permanent(const struct imap_folder *x, const char *w, size_t len)
{
	if (!x->perm_known || (x->perm.bits & IMAP_FLAG_ANY_KEYWORD))
		return true;
	for (unsigned bit = 1; bit < (1u << IMAP_FLAG_BITS); bit <<= 1) {
		const char *name = imap_resp_flag_name(bit);
		if ((bit & NAMED_KEYWORDS) && strlen(name) == len && str_eqn_ci(name, w, len))
			return (x->perm.bits & bit) != 0;
	}
	for (size_t i = 0; i < x->perm.n_keywords; i++)
		if (strlen(x->perm.keywords[i]) == len && str_eqn_ci(x->perm.keywords[i], w, len))
			return true;
	return false;
}

/* The words of list, each checked, into out (each once); adding: each
 * one the folder can keep. */
static int checked_list(const struct imap_folder *x, const char *list, bool adding,
			struct buf *out, struct err *e)
{
	const char *p = list, *w;
	size_t len, n = 0;
	while ((w = keywords_next(&p, &len)) != NULL) {
		int shown = len > 64 ? 64 : (int)len;
		if (w[0] == '\\')
			return err_set(e, ERR_MESSAGE, ERR_PARSE,
				       _("%.*s is a system flag, not a keyword"), shown, w);
		if (!imap_resp_keyword_valid(w, len))
			return err_set(e, ERR_MESSAGE, ERR_PARSE,
				       _("\"%.*s\" is not a keyword: a keyword is one word of ASCII "
					 "letters, digits and punctuation other than ( ) { %% * \" \\ ] "
					 "(at most %d bytes)"), shown, w, IMAP_FLAG_KEYWORD_MAX);
		if (adding && !permanent(x, w, len))
			return err_set(e, ERR_MESSAGE, ERR_PERM,
				       _("this folder cannot keep the keyword %.*s (the server's "
					 "PERMANENTFLAGS do not allow it)"), shown, w);
		if (++n > IMAP_FLAGS_KEYWORDS_MAX)
			return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("more than %d keywords at once"),
				       IMAP_FLAGS_KEYWORDS_MAX);
	}
	if (keywords_normalise(list, out) < 0)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("too many keywords at once"));
	return 0;
}

/* The keywords of message i after add went on and remove came off. */
static void apply(struct be_folder *f, size_t i, const char *add, const char *remove)
{
	struct imap_folder *x = f->priv;
	struct imap_msg *m = &x->msgs[i];
	struct buf b;
	buf_init(&b, KWLIST_MAX * 2);
	buf_cut_ok(keywords_apply(m->keywords, add, remove, &b));
	const char *kw = be_imap_keywords_intern(x, b.data);
	buf_release(&b);
	if (kw != m->keywords) {
		m->keywords = kw;
		m->cache_flags = true;
	}
	show_change(f, i);
}

/* +FLAGS add and -FLAGS remove on messages idx[0..n); what the server
 * took is applied here (the server's own word on it comes with the next
 * FETCH FLAGS: .SILENT asks for none now). */
static int store_keywords(struct be_folder *f, const size_t *idx, size_t n, const char *add,
			  const char *remove, struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap_seqset uids;
	uint32_t *list;
	size_t n_list;
	uids_of(x, idx, n, &uids, &list, &n_list);
	x->removed = x->flags_changed = false;
	int added = *add && uids.n ? store(x, &uids, '+', add, e) : 0;
	int removed = added == 0 && *remove && uids.n ? store(x, &uids, '-', remove, e) : 0;
	for (size_t k = 0; added == 0 && k < n_list; k++) {
		size_t i;
		if (be_imap_msg_by_uid(x, list[k], &i) != NULL)
			apply(f, i, add, removed == 0 ? remove : "");
	}
	view_done(f);
	imap_seqset_release(&uids);
	free(list);
	return added < 0 || removed < 0 ? -1 : 0;
}

int be_imap_set_keywords(struct be_folder *f, const size_t *idx, size_t n, const char *add,
			 const char *remove, struct err *e)
{
	struct imap_folder *x = f->priv;
	if (x->read_only)
		return err_set(e, ERR_FOLDER, ERR_PERM, _("%s is read-only"), f->name);
	if (be_imap_lost(x->link->p))
		return err_set(e, ERR_FOLDER, ERR_IO, _("offline: keywords need the server"));
	struct buf plus, minus;
	buf_init(&plus, KWLIST_MAX);
	buf_init(&minus, KWLIST_MAX);
	int rc = checked_list(x, add, true, &plus, e);
	if (rc == 0)
		rc = checked_list(x, remove, false, &minus, e);
	const char *p = minus.data, *w;
	size_t len;
	while (rc == 0 && (w = keywords_next(&p, &len)) != NULL)
		if (keywords_has(plus.data, w, len))
			rc = err_set(e, ERR_MESSAGE, ERR_USAGE,
				     _("%.*s is both to be added and to be removed"), (int)len, w);
	if (rc == 0 && (plus.len > 0 || minus.len > 0))
		rc = store_keywords(f, idx, n, plus.data, minus.data, e);
	buf_release(&plus);
	buf_release(&minus);
	return rc;
}
