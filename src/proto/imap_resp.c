/* imap_resp: see imap_resp.h. */
#include "config.h"

#include "imap_resp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"
#include "str.h"

#define NUMBER64_MAX ((uint64_t)INT64_MAX)

static int __attribute__((format(printf, 3, 4)))
fail(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, ERR_FOLDER, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* r is untagged data whose first word is word (and has at least n_min
 * arguments in all). */
static bool data_is(const struct imap_response *r, const char *word, size_t n_min)
{
	return r->kind == IMAP_RESP_UNTAGGED && r->status == IMAP_STATUS_NONE &&
	       r->n_args >= n_min && r->n_args >= 1 &&
	       imap_arg_is_atom(&r->args[0], word);
}

/* ---- classifying ---- */

static const char *const data_names[IMAP_DATA_COUNT] = {
	[IMAP_DATA_NONE] = "", [IMAP_DATA_STATUS] = "STATUS-RESPONSE",
	[IMAP_DATA_CAPABILITY] = "CAPABILITY", [IMAP_DATA_ENABLED] = "ENABLED",
	[IMAP_DATA_FLAGS] = "FLAGS", [IMAP_DATA_LIST] = "LIST",
	[IMAP_DATA_LSUB] = "LSUB", [IMAP_DATA_MAILBOX_STATUS] = "STATUS",
	[IMAP_DATA_NAMESPACE] = "NAMESPACE", [IMAP_DATA_SEARCH] = "SEARCH",
	[IMAP_DATA_ESEARCH] = "ESEARCH", [IMAP_DATA_VANISHED] = "VANISHED",
	[IMAP_DATA_ID] = "ID", [IMAP_DATA_EXISTS] = "EXISTS",
	[IMAP_DATA_RECENT] = "RECENT", [IMAP_DATA_EXPUNGE] = "EXPUNGE",
	[IMAP_DATA_FETCH] = "FETCH", [IMAP_DATA_OTHER] = "OTHER",
};

const char *imap_resp_data_name(enum imap_data d)
{
	return (unsigned)d < IMAP_DATA_COUNT ? data_names[d] : "";
}

enum imap_data imap_resp_classify(const struct imap_response *r)
{
	if (r->kind != IMAP_RESP_UNTAGGED)
		return IMAP_DATA_NONE;
	if (r->status != IMAP_STATUS_NONE)
		return IMAP_DATA_STATUS;
	if (r->n_args == 0 || r->args[0].type != IMAP_ARG_ATOM)
		return IMAP_DATA_OTHER;
	const struct imap_arg *a = r->args;
	char c = a->str[0];
	if (c >= '0' && c <= '9') {
		static const enum imap_data numbered[] = {
			IMAP_DATA_EXISTS, IMAP_DATA_RECENT, IMAP_DATA_EXPUNGE,
			IMAP_DATA_FETCH,
		};
		size_t n = r->n_args >= 2 ? sizeof(numbered) / sizeof(numbered[0]) : 0;
		for (size_t i = 0; i < n; i++)
			if (imap_arg_is_atom(&a[1], data_names[numbered[i]]))
				return numbered[i];
		return IMAP_DATA_OTHER;
	}
	for (int d = IMAP_DATA_CAPABILITY; d <= IMAP_DATA_ID; d++)
		if (imap_arg_is_atom(a, data_names[d]))
			return (enum imap_data)d;
	return IMAP_DATA_OTHER;
}

/* ---- flags ---- */

static const struct {
	const char *name;
	unsigned bit;
} flag_names[] = {
	{ "\\Seen", IMAP_FLAG_SEEN },         { "\\Answered", IMAP_FLAG_ANSWERED },
	{ "\\Flagged", IMAP_FLAG_FLAGGED },   { "\\Deleted", IMAP_FLAG_DELETED },
	{ "\\Draft", IMAP_FLAG_DRAFT },       { "\\Recent", IMAP_FLAG_RECENT },
	{ "$Forwarded", IMAP_FLAG_FORWARDED }, { "$Junk", IMAP_FLAG_JUNK },
	{ "$NotJunk", IMAP_FLAG_NOTJUNK },    { "\\*", IMAP_FLAG_ANY_KEYWORD },
};

const char *imap_resp_flag_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flag_names[i].bit == bit)
			return flag_names[i].name;
	return NULL;
}

void imap_resp_flags_init(struct imap_flags *f)
{
	memset(f, 0, sizeof(*f));
}

void imap_resp_flags_release(struct imap_flags *f)
{
	for (size_t i = 0; i < f->n_keywords; i++)
		free(f->keywords[i]);
	free(f->keywords);
	imap_resp_flags_init(f);
}

/* RFC 9051 s9 ATOM-CHAR: CHAR except atom-specials. */
static bool atom_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && strchr("(){%*\"\\]", c) == NULL;
}

/* flag-keyword (an atom) or flag-extension ("\" atom). */
static bool flag_valid(const char *s, size_t len)
{
	size_t i = s[0] == '\\';
	if (i >= len)
		return false;
	for (; i < len; i++)
		if (!atom_char((unsigned char)s[i]))
			return false;
	return true;
}

bool imap_resp_keyword_valid(const char *s, size_t len)
{
	return len >= 1 && len <= IMAP_FLAG_KEYWORD_MAX && s[0] != '\\' && flag_valid(s, len);
}

static void add_flag(struct imap_flags *f, const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
		if (str_eq_ci(s, flag_names[i].name)) {
			f->bits |= flag_names[i].bit;
			return;
		}
	}
	for (size_t i = 0; i < f->n_keywords; i++)
		if (str_eq_ci(s, f->keywords[i]))
			return;
	if (len > IMAP_FLAG_KEYWORD_MAX || !flag_valid(s, len) ||
	    f->n_keywords >= IMAP_FLAGS_KEYWORDS_MAX) {
		f->dropped = true;
		return;
	}
	if (f->keywords == NULL)
		f->keywords = xmalloc(IMAP_FLAGS_KEYWORDS_MAX * sizeof(*f->keywords));
	f->keywords[f->n_keywords++] = xstrndup(s, len);
}

int imap_resp_flags_parse(const struct imap_arg *a, struct imap_flags *f,
			  struct err *e)
{
	imap_resp_flags_init(f);
	if (a->type != IMAP_ARG_LIST)
		return fail(e, ERR_PARSE, _("IMAP: a flag list that is not a list"));
	for (size_t i = 0; i < a->len; i++) {
		const struct imap_arg *x = &a->list[i];
		if (x->type != IMAP_ARG_ATOM) {
			imap_resp_flags_release(f);
			return fail(e, ERR_PARSE, _("IMAP: a flag that is not an atom"));
		}
		add_flag(f, x->str, x->len);
	}
	return 0;
}

/* ---- response codes ---- */

static const char *const code_names[IMAP_CODE_COUNT] = {
	[IMAP_CODE_NONE] = "", [IMAP_CODE_OTHER] = "OTHER",
	[IMAP_CODE_ALERT] = "ALERT", [IMAP_CODE_ALREADYEXISTS] = "ALREADYEXISTS",
	[IMAP_CODE_APPENDUID] = "APPENDUID",
	[IMAP_CODE_AUTHENTICATIONFAILED] = "AUTHENTICATIONFAILED",
	[IMAP_CODE_AUTHORIZATIONFAILED] = "AUTHORIZATIONFAILED",
	[IMAP_CODE_BADCHARSET] = "BADCHARSET", [IMAP_CODE_CANNOT] = "CANNOT",
	[IMAP_CODE_CAPABILITY] = "CAPABILITY", [IMAP_CODE_CLIENTBUG] = "CLIENTBUG",
	[IMAP_CODE_CLOSED] = "CLOSED",
	[IMAP_CODE_COMPRESSIONACTIVE] = "COMPRESSIONACTIVE",
	[IMAP_CODE_CONTACTADMIN] = "CONTACTADMIN", [IMAP_CODE_COPYUID] = "COPYUID",
	[IMAP_CODE_CORRUPTION] = "CORRUPTION", [IMAP_CODE_EXPIRED] = "EXPIRED",
	[IMAP_CODE_EXPUNGEISSUED] = "EXPUNGEISSUED",
	[IMAP_CODE_HASCHILDREN] = "HASCHILDREN",
	[IMAP_CODE_HIGHESTMODSEQ] = "HIGHESTMODSEQ", [IMAP_CODE_INUSE] = "INUSE",
	[IMAP_CODE_LIMIT] = "LIMIT", [IMAP_CODE_MODIFIED] = "MODIFIED",
	[IMAP_CODE_NOMODSEQ] = "NOMODSEQ", [IMAP_CODE_NONEXISTENT] = "NONEXISTENT",
	[IMAP_CODE_NOPERM] = "NOPERM", [IMAP_CODE_NOTSAVED] = "NOTSAVED",
	[IMAP_CODE_OVERQUOTA] = "OVERQUOTA", [IMAP_CODE_PARSE] = "PARSE",
	[IMAP_CODE_PERMANENTFLAGS] = "PERMANENTFLAGS",
	[IMAP_CODE_PRIVACYREQUIRED] = "PRIVACYREQUIRED",
	[IMAP_CODE_READ_ONLY] = "READ-ONLY", [IMAP_CODE_READ_WRITE] = "READ-WRITE",
	[IMAP_CODE_SERVERBUG] = "SERVERBUG", [IMAP_CODE_TRYCREATE] = "TRYCREATE",
	[IMAP_CODE_UIDNEXT] = "UIDNEXT", [IMAP_CODE_UIDNOTSTICKY] = "UIDNOTSTICKY",
	[IMAP_CODE_UIDVALIDITY] = "UIDVALIDITY",
	[IMAP_CODE_UNAVAILABLE] = "UNAVAILABLE",
	[IMAP_CODE_UNKNOWN_CTE] = "UNKNOWN-CTE", [IMAP_CODE_UNSEEN] = "UNSEEN",
	[IMAP_CODE_USEATTR] = "USEATTR",
};

const char *imap_resp_code_name(enum imap_code_type t)
{
	return (unsigned)t < IMAP_CODE_COUNT ? code_names[t] : "";
}

static void code_init(struct imap_code *c)
{
	memset(c, 0, sizeof(*c));
	imap_seqset_init(&c->src);
	imap_seqset_init(&c->uids);
	imap_resp_flags_init(&c->flags);
}

void imap_resp_code_release(struct imap_code *c)
{
	imap_seqset_release(&c->src);
	imap_seqset_release(&c->uids);
	imap_resp_flags_release(&c->flags);
	code_init(c);
}

static bool nz_number(const struct imap_arg *a, uint32_t *v_r)
{
	return imap_arg_number(a, v_r) && *v_r != 0;
}

/* mod-sequence-value (RFC 7162 s7): 1 .. 2^63-1. */
static bool modseq_value(const struct imap_arg *a, uint64_t *v_r)
{
	return imap_arg_number64(a, v_r) && *v_r != 0 && *v_r <= NUMBER64_MAX;
}

/* A set of UIDs or numbers without "*" (RFC 4315 s4 uid-set). */
static int set_arg(const struct imap_arg *a, bool ordered, struct imap_seqset *s,
		   struct err *e)
{
	if (a->type != IMAP_ARG_ATOM)
		return fail(e, ERR_PARSE, _("IMAP: a set that is not an atom"));
	if (ordered)
		return imap_seqset_parse_ordered(s, a->str, a->len, 0, 0, e);
	return imap_seqset_parse(s, a->str, a->len, 0, 0, e);
}

/* COPYUID uidvalidity src dst; APPENDUID uidvalidity uids. */
static bool code_uidplus(struct imap_code *c, const struct imap_arg *a, size_t n,
			 struct err *e)
{
	bool copy = c->type == IMAP_CODE_COPYUID;
	if (n < (copy ? 3u : 2u) || !nz_number(&a[0], &c->uidvalidity))
		return false;
	if (copy && set_arg(&a[1], true, &c->src, e) < 0)
		return false;
	if (set_arg(&a[copy ? 2 : 1], true, &c->uids, e) < 0)
		return false;
	return !copy || imap_seqset_count(&c->src) == imap_seqset_count(&c->uids);
}

/* The arguments of a known code; false if they do not fit. */
static bool code_args(struct imap_code *c, const struct imap_arg *a, size_t n,
		      struct err *e)
{
	switch (c->type) {
	case IMAP_CODE_UIDVALIDITY:
	case IMAP_CODE_UIDNEXT:
	case IMAP_CODE_UNSEEN:
		return n >= 1 && nz_number(&a[0], &c->number);
	case IMAP_CODE_HIGHESTMODSEQ:
		return n >= 1 && modseq_value(&a[0], &c->modseq);
	case IMAP_CODE_PERMANENTFLAGS:
		return n >= 1 && imap_resp_flags_parse(&a[0], &c->flags, e) == 0;
	case IMAP_CODE_COPYUID:
	case IMAP_CODE_APPENDUID:
		return code_uidplus(c, a, n, e);
	case IMAP_CODE_MODIFIED:
		return n >= 1 && set_arg(&a[0], false, &c->uids, e) == 0;
	default:
		return true;
	}
}

int imap_resp_code(const struct imap_response *r, struct imap_code *c,
		   struct err *e)
{
	code_init(c);
	if (r->code == NULL)
		return 0;
	c->name = r->code;
	c->type = IMAP_CODE_OTHER;
	for (int t = IMAP_CODE_ALERT; t < IMAP_CODE_COUNT; t++)
		if (str_eq_ci(r->code, code_names[t]))
			c->type = (enum imap_code_type)t;
	if (code_args(c, r->code_args, r->n_code_args, e))
		return 0;
	enum imap_code_type t = c->type;
	imap_resp_code_release(c);
	return fail(e, ERR_PARSE, _("IMAP: a bad %s response code"), code_names[t]);
}

/* ---- message counts and flags ---- */

int imap_resp_number(const struct imap_response *r, uint32_t *n_r,
		     struct err *e)
{
	enum imap_data d = imap_resp_classify(r);
	*n_r = 0;
	if (d != IMAP_DATA_EXISTS && d != IMAP_DATA_RECENT && d != IMAP_DATA_EXPUNGE)
		return fail(e, ERR_PARSE, _("IMAP: not an EXISTS, RECENT or EXPUNGE response"));
	if (r->n_args != 2 || !imap_arg_number(&r->args[0], n_r) ||
	    (d == IMAP_DATA_EXPUNGE && *n_r == 0))
		return fail(e, ERR_PARSE, _("IMAP: a bad %s response"), data_names[d]);
	return 0;
}

int imap_resp_flags(const struct imap_response *r, struct imap_flags *f,
		    struct err *e)
{
	imap_resp_flags_init(f);
	if (!data_is(r, "FLAGS", 2) || r->n_args != 2)
		return fail(e, ERR_PARSE, _("IMAP: a bad FLAGS response"));
	return imap_resp_flags_parse(&r->args[1], f, e);
}

unsigned imap_resp_enabled(const struct imap_response *r)
{
	static const struct {
		const char *name;
		unsigned bit;
	} known[] = {
		{ "CONDSTORE", IMAP_ENABLED_CONDSTORE }, { "QRESYNC", IMAP_ENABLED_QRESYNC },
		{ "UTF8=ACCEPT", IMAP_ENABLED_UTF8_ACCEPT },
		{ "IMAP4rev2", IMAP_ENABLED_IMAP4REV2 },
	};
	unsigned bits = 0;
	if (!data_is(r, "ENABLED", 1))
		return 0;
	for (size_t i = 1; i < r->n_args; i++)
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (imap_arg_is_atom(&r->args[i], known[k].name))
				bits |= known[k].bit;
	return bits;
}

/* ---- searches and expunges ---- */

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int imap_resp_search(const struct imap_response *r, struct imap_seqset *set,
		     uint64_t *modseq_r, struct err *e)
{
	imap_seqset_init(set);
	*modseq_r = 0;
	if (!data_is(r, "SEARCH", 1))
		return fail(e, ERR_PARSE, _("IMAP: not a SEARCH response"));
	size_t n = r->n_args - 1;
	const struct imap_arg *a = r->args + 1;
	if (n > 0 && a[n - 1].type == IMAP_ARG_LIST) {
		const struct imap_arg *m = &a[n - 1];
		if (m->len != 2 || !imap_arg_is_atom(&m->list[0], "MODSEQ") ||
		    !modseq_value(&m->list[1], modseq_r))
			return fail(e, ERR_PARSE, _("IMAP: a bad MODSEQ in a SEARCH response"));
		n--;
	}
	uint32_t *v = xmalloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		if (!nz_number(&a[i], &v[i])) {
			free(v);
			*modseq_r = 0;
			return fail(e, ERR_PARSE, _("IMAP: a bad number in a SEARCH response"));
		}
	}
	/* Adding in ascending order costs O(1) each (imap_seqset.h). */
	qsort(v, n, sizeof(*v), by_value);
	for (size_t i = 0; i < n; i++)
		imap_seqset_add(set, v[i], v[i]);
	free(v);
	return 0;
}

void imap_resp_esearch_release(struct imap_esearch *es)
{
	imap_seqset_release(&es->all);
	memset(es, 0, sizeof(*es));
	imap_seqset_init(&es->all);
}

/* "(TAG tag-string)" */
static bool correlator(const struct imap_arg *a, const char **tag_r)
{
	if (a->len != 2 || !imap_arg_is_atom(&a->list[0], "TAG") ||
	    !imap_arg_astring(&a->list[1]))
		return false;
	*tag_r = a->list[1].str;
	return true;
}

/* One return item name at a[0] and its value at a[1]. */
static bool esearch_item(struct imap_esearch *es, const struct imap_arg *a,
			 struct err *e)
{
	if (imap_arg_is_atom(&a[0], "MIN")) {
		es->present |= IMAP_ESEARCH_MIN;
		return nz_number(&a[1], &es->min);
	}
	if (imap_arg_is_atom(&a[0], "MAX")) {
		es->present |= IMAP_ESEARCH_MAX;
		return nz_number(&a[1], &es->max);
	}
	if (imap_arg_is_atom(&a[0], "COUNT")) {
		es->present |= IMAP_ESEARCH_COUNT;
		return imap_arg_number(&a[1], &es->count);
	}
	if (imap_arg_is_atom(&a[0], "MODSEQ")) {
		es->present |= IMAP_ESEARCH_MODSEQ;
		return modseq_value(&a[1], &es->modseq);
	}
	if (imap_arg_is_atom(&a[0], "ALL")) {
		es->present |= IMAP_ESEARCH_ALL;
		return set_arg(&a[1], false, &es->all, e) == 0;
	}
	return a[0].type == IMAP_ARG_ATOM; /* search-ret-data-ext: skipped */
}

int imap_resp_esearch(const struct imap_response *r, struct imap_esearch *es,
		      struct err *e)
{
	memset(es, 0, sizeof(*es));
	imap_seqset_init(&es->all);
	if (!data_is(r, "ESEARCH", 1))
		return fail(e, ERR_PARSE, _("IMAP: not an ESEARCH response"));
	size_t i = 1;
	if (i < r->n_args && r->args[i].type == IMAP_ARG_LIST &&
	    !correlator(&r->args[i++], &es->tag))
		return fail(e, ERR_PARSE, _("IMAP: a bad tag in an ESEARCH response"));
	if (i < r->n_args && imap_arg_is_atom(&r->args[i], "UID")) {
		es->uid = true;
		i++;
	}
	for (; i < r->n_args; i += 2) {
		if (i + 1 >= r->n_args || !esearch_item(es, &r->args[i], e)) {
			imap_resp_esearch_release(es);
			return fail(e, ERR_PARSE, _("IMAP: a bad ESEARCH response"));
		}
	}
	return 0;
}

int imap_resp_vanished(const struct imap_response *r, bool *earlier_r,
		       struct imap_seqset *uids, struct err *e)
{
	imap_seqset_init(uids);
	*earlier_r = false;
	if (!data_is(r, "VANISHED", 2))
		return fail(e, ERR_PARSE, _("IMAP: not a VANISHED response"));
	size_t i = 1;
	if (r->args[i].type == IMAP_ARG_LIST) {
		const struct imap_arg *t = &r->args[i++];
		if (t->len != 1 || !imap_arg_is_atom(&t->list[0], "EARLIER"))
			return fail(e, ERR_PARSE, _("IMAP: a bad VANISHED response"));
		*earlier_r = true;
	}
	if (i + 1 != r->n_args || set_arg(&r->args[i], false, uids, e) < 0) {
		*earlier_r = false;
		return fail(e, ERR_PARSE, _("IMAP: a bad VANISHED response"));
	}
	return 0;
}

/* ---- folders ---- */

void imap_resp_name_release(struct imap_name *n)
{
	free(n->wire);
	free(n->display);
	memset(n, 0, sizeof(*n));
}

int imap_resp_name(const struct imap_arg *a, enum imap_name_mode mode,
		   struct imap_name *n, struct err *e)
{
	memset(n, 0, sizeof(*n));
	const char *s = a->str;
	size_t len = a->len;
	if (a->type == IMAP_ARG_NIL) {
		s = "NIL";
		len = 3;
	} else if (a->type == IMAP_ARG_LIST) {
		return fail(e, ERR_PARSE, _("IMAP: a folder name that is a list"));
	} else if (!imap_arg_astring(a)) {
		return fail(e, ERR_PARSE, _("IMAP: a folder name sent as binary data (a literal8)"));
	}
	if (len > IMAP_RESP_NAME_MAX)
		return fail(e, ERR_LIMIT, _("IMAP: a folder name longer than %d bytes"),
			    IMAP_RESP_NAME_MAX);
	n->wire = xmalloc(len + 1);
	memcpy(n->wire, s, len);
	n->wire[len] = '\0';
	n->wire_len = len;
	n->inbox = len == 5 && str_eqn_ci(s, "INBOX", 5);
	struct buf b;
	/* the escaped form of a bad name is at most about 4 bytes per byte */
	buf_init(&b, 4 * IMAP_UTF7_NAME_MAX + 64);
	if (n->inbox)
		buf_cut_ok(buf_append_str(&b, "INBOX"));
	else if (imap_utf7_from_server(mode, s, len, &b) < 0)
		n->invalid = true;
	n->display = buf_detach(&b, NULL);
	return 0;
}

static const struct {
	const char *name;
	unsigned bits;
} list_attrs[] = {
	{ "\\Noinferiors", IMAP_LIST_NOINFERIORS | IMAP_LIST_HASNOCHILDREN },
	{ "\\Noselect", IMAP_LIST_NOSELECT },
	{ "\\NonExistent", IMAP_LIST_NONEXISTENT | IMAP_LIST_NOSELECT },
	{ "\\HasChildren", IMAP_LIST_HASCHILDREN },
	{ "\\HasNoChildren", IMAP_LIST_HASNOCHILDREN },
	{ "\\Subscribed", IMAP_LIST_SUBSCRIBED },
	{ "\\Marked", IMAP_LIST_MARKED },
	{ "\\Unmarked", IMAP_LIST_UNMARKED },
	{ "\\Remote", IMAP_LIST_REMOTE },
	{ "\\All", IMAP_LIST_ALL },
	{ "\\Archive", IMAP_LIST_ARCHIVE },
	{ "\\Drafts", IMAP_LIST_DRAFTS },
	{ "\\Flagged", IMAP_LIST_FLAGGED },
	{ "\\Junk", IMAP_LIST_JUNK },
	{ "\\Sent", IMAP_LIST_SENT },
	{ "\\Trash", IMAP_LIST_TRASH },
	{ "\\Important", IMAP_LIST_IMPORTANT },
};

static bool list_attributes(const struct imap_arg *a, unsigned *attrs_r)
{
	if (a->type != IMAP_ARG_LIST)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		if (a->list[i].type != IMAP_ARG_ATOM)
			return false;
		for (size_t k = 0; k < sizeof(list_attrs) / sizeof(list_attrs[0]); k++)
			if (imap_arg_is_atom(&a->list[i], list_attrs[k].name))
				*attrs_r |= list_attrs[k].bits;
	}
	return true;
}

/* NIL, or a string of one 7-bit byte other than NUL. */
static bool delimiter(const struct imap_arg *a, char *delim_r)
{
	*delim_r = '\0';
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (!imap_arg_string(a) || a->len != 1 || a->str[0] == '\0' ||
	    (unsigned char)a->str[0] >= 0x80)
		return false;
	*delim_r = a->str[0];
	return true;
}

/* mbox-list-extended (RFC 5258 s9): tag value pairs; CHILDINFO is read. */
static bool list_extended(const struct imap_arg *a, unsigned *attrs_r)
{
	if (a->type != IMAP_ARG_LIST || a->len % 2 != 0)
		return false;
	for (size_t i = 0; i < a->len; i += 2) {
		const struct imap_arg *tag = &a->list[i], *val = &a->list[i + 1];
		if (!imap_arg_astring(tag))
			return false;
		if (!str_eq_ci(tag->str, "CHILDINFO") || val->type != IMAP_ARG_LIST)
			continue;
		for (size_t k = 0; k < val->len; k++)
			if (imap_arg_astring(&val->list[k]) &&
			    str_eq_ci(val->list[k].str, "SUBSCRIBED"))
				*attrs_r |= IMAP_LIST_CHILD_SUBSCRIBED;
	}
	return true;
}

void imap_resp_list_release(struct imap_list *l)
{
	imap_resp_name_release(&l->name);
	memset(l, 0, sizeof(*l));
}

int imap_resp_list(const struct imap_response *r, enum imap_name_mode mode,
		   struct imap_list *l, struct err *e)
{
	memset(l, 0, sizeof(*l));
	l->lsub = data_is(r, "LSUB", 1);
	if (!l->lsub && !data_is(r, "LIST", 1))
		return fail(e, ERR_PARSE, _("IMAP: not a LIST or LSUB response"));
	const char *what = l->lsub ? "LSUB" : "LIST";
	if (r->n_args < 4 || r->n_args > 5 || !list_attributes(&r->args[1], &l->attrs) ||
	    !delimiter(&r->args[2], &l->delim) ||
	    (r->n_args == 5 && !list_extended(&r->args[4], &l->attrs))) {
		memset(l, 0, sizeof(*l));
		return fail(e, ERR_PARSE, _("IMAP: a bad %s response"), what);
	}
	if (imap_resp_name(&r->args[3], mode, &l->name, e) < 0) {
		memset(l, 0, sizeof(*l));
		err_prefix(e, "%s", what);
		return -1;
	}
	return 0;
}

void imap_resp_status_release(struct imap_mailbox_status *st)
{
	imap_resp_name_release(&st->name);
	memset(st, 0, sizeof(*st));
}

/* One status-att-val: name at a[0], value at a[1]. */
static bool status_item(struct imap_mailbox_status *st, const struct imap_arg *a)
{
	static const struct {
		const char *name;
		unsigned bit;
		bool nonzero;
		size_t offset;
	} items[] = {
		{ "MESSAGES", IMAP_STATUS_HAS_MESSAGES, false,
		  offsetof(struct imap_mailbox_status, messages) },
		{ "RECENT", IMAP_STATUS_HAS_RECENT, false,
		  offsetof(struct imap_mailbox_status, recent) },
		{ "UIDNEXT", IMAP_STATUS_HAS_UIDNEXT, true,
		  offsetof(struct imap_mailbox_status, uidnext) },
		{ "UIDVALIDITY", IMAP_STATUS_HAS_UIDVALIDITY, true,
		  offsetof(struct imap_mailbox_status, uidvalidity) },
		{ "UNSEEN", IMAP_STATUS_HAS_UNSEEN, false,
		  offsetof(struct imap_mailbox_status, unseen) },
		{ "DELETED", IMAP_STATUS_HAS_DELETED, false,
		  offsetof(struct imap_mailbox_status, deleted) },
	};
	if (a[0].type != IMAP_ARG_ATOM)
		return false;
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (!imap_arg_is_atom(&a[0], items[i].name))
			continue;
		uint32_t *v = (uint32_t *)((char *)st + items[i].offset);
		st->present |= items[i].bit;
		return imap_arg_number(&a[1], v) && (!items[i].nonzero || *v != 0);
	}
	if (imap_arg_is_atom(&a[0], "SIZE")) {
		st->present |= IMAP_STATUS_HAS_SIZE;
		return imap_arg_number64(&a[1], &st->size);
	}
	if (imap_arg_is_atom(&a[0], "HIGHESTMODSEQ")) {
		st->present |= IMAP_STATUS_HAS_HIGHESTMODSEQ;
		return imap_arg_number64(&a[1], &st->highestmodseq);
	}
	return true; /* an extension's item: skipped */
}

int imap_resp_status(const struct imap_response *r, enum imap_name_mode mode,
		     struct imap_mailbox_status *st, struct err *e)
{
	memset(st, 0, sizeof(*st));
	if (!data_is(r, "STATUS", 3) || r->n_args != 3 ||
	    r->args[2].type != IMAP_ARG_LIST || r->args[2].len % 2 != 0)
		return fail(e, ERR_PARSE, _("IMAP: a bad STATUS response"));
	const struct imap_arg *items = &r->args[2];
	for (size_t i = 0; i < items->len; i += 2) {
		if (!status_item(st, &items->list[i])) {
			memset(st, 0, sizeof(*st));
			return fail(e, ERR_PARSE, _("IMAP: a bad STATUS response"));
		}
	}
	if (imap_resp_name(&r->args[1], mode, &st->name, e) < 0) {
		memset(st, 0, sizeof(*st));
		err_prefix(e, "STATUS");
		return -1;
	}
	return 0;
}

void imap_resp_namespace_release(struct imap_namespace *ns)
{
	imap_resp_name_release(&ns->prefix);
	memset(ns, 0, sizeof(*ns));
}

/* NIL or "(" 1*("(" string SP (string / nil) *extension ")") ")". */
static bool namespace_valid(const struct imap_arg *a)
{
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (a->type != IMAP_ARG_LIST || a->len == 0)
		return false;
	char delim;
	for (size_t i = 0; i < a->len; i++) {
		const struct imap_arg *d = &a->list[i];
		if (d->type != IMAP_ARG_LIST || d->len < 2 || !imap_arg_string(&d->list[0]) ||
		    !delimiter(&d->list[1], &delim))
			return false;
	}
	return true;
}

int imap_resp_namespace(const struct imap_response *r, enum imap_name_mode mode,
			struct imap_namespace *ns, struct err *e)
{
	memset(ns, 0, sizeof(*ns));
	if (!data_is(r, "NAMESPACE", 4) || r->n_args != 4 ||
	    !namespace_valid(&r->args[1]) || !namespace_valid(&r->args[2]) ||
	    !namespace_valid(&r->args[3]))
		return fail(e, ERR_PARSE, _("IMAP: a bad NAMESPACE response"));
	if (r->args[1].type == IMAP_ARG_NIL)
		return 0;
	const struct imap_arg *first = &r->args[1].list[0];
	if (imap_resp_name(&first->list[0], mode, &ns->prefix, e) < 0) {
		err_prefix(e, "NAMESPACE");
		return -1;
	}
	(void)delimiter(&first->list[1], &ns->delim);
	ns->personal = true;
	return 0;
}
