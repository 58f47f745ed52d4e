/* pop3_list: LIST and UIDL (RFC 1939 s5, s7) into struct pop3_maildrop. */
#include "config.h"

#include "pop3.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "pop3_private.h"
#include "str.h"

/* One line of a LIST or UIDL reply. */
struct entry {
	unsigned long num;
	uint64_t size;
	char *uid;
	enum pop3_uid_status uid_status;
};

struct listing {
	struct entry *v;
	size_t n, cap;
	bool uidl;
	unsigned long bad_line;    /* 1-based line number of the first bad line */
};

void pop3_maildrop_init(struct pop3_maildrop *md)
{
	memset(md, 0, sizeof(*md));
}

void pop3_maildrop_release(struct pop3_maildrop *md)
{
	for (size_t i = 0; i < md->n; i++)
		free(md->msgs[i].uid);
	free(md->msgs);
	pop3_maildrop_init(md);
}

const struct pop3_msginfo *pop3_maildrop_find(const struct pop3_maildrop *md,
					      unsigned long num)
{
	size_t lo = 0, hi = md->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (md->msgs[mid].num == num)
			return &md->msgs[mid];
		if (md->msgs[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool pop3_uid_valid(const char *s, size_t len)
{
	if (len < 1 || len > POP3_UID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static void listing_release(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].uid);
	free(l->v);
}

/* A decimal number at s[*i..n) of at most 20 digits, advancing *i. */
static bool number(const char *s, size_t n, size_t *i, unsigned long *v_r)
{
	char digits[21];
	size_t k = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && k + 1 < sizeof(digits))
		digits[k++] = s[(*i)++];
	digits[k] = '\0';
	if (*i < n && s[*i] >= '0' && s[*i] <= '9')
		return false;
	return str_to_ulong(digits, 0, ULONG_MAX, v_r) == 0;
}

/* "num SP size [SP anything]" (RFC 1939 s5 scan listing), or
 * "num SP unique-id" (s7); s[0..n) without its line end. */
static bool parse_line(struct listing *l, const char *s, size_t n)
{
	struct entry en = { .size = POP3_SIZE_UNKNOWN };
	size_t i = 0;

	if (!number(s, n, &i, &en.num) || en.num == 0 || i >= n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	if (!l->uidl) {
		unsigned long size;
		if (!number(s, n, &i, &size) || (i < n && s[i] != ' '))
			return false;
		en.size = size;
	} else {
		while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (pop3_uid_valid(s + i, n - i)) {
			en.uid = xstrndup(s + i, n - i);
			en.uid_status = POP3_UID_OK;
		} else {
			en.uid_status = POP3_UID_BAD;
		}
	}
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = en;
	return true;
}

static int by_num(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->num < y->num ? -1 : x->num > y->num;
}

static int by_uid(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a;
	const struct entry *y = *(const struct entry *const *)b;
	return strcmp(x->uid, y->uid);
}

/* Marks every entry whose unique-id another entry shares. */
static void mark_duplicates(struct listing *l)
{
	struct entry **ok = xmalloc((l->n ? l->n : 1) * sizeof(*ok));
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].uid_status == POP3_UID_OK)
			ok[k++] = &l->v[i];
	qsort(ok, k, sizeof(*ok), by_uid);
	for (size_t i = 0; i + 1 < k; i++)
		if (strcmp(ok[i]->uid, ok[i + 1]->uid) == 0)
			ok[i]->uid_status = ok[i + 1]->uid_status = POP3_UID_DUP;
	for (size_t i = 0; i < k; i++)
		if (ok[i]->uid_status == POP3_UID_DUP)
			xfree(&ok[i]->uid);
	free(ok);
}

static void take(struct pop3_msginfo *m, struct entry *en, bool uidl)
{
	if (uidl) {
		free(m->uid);
		m->uid = en->uid;
		m->uid_status = en->uid_status;
		en->uid = NULL;
	} else {
		m->size = en->size;
	}
}

/* Merges the sorted l into md (sorted): a message only in md keeps its
 * other data but loses what this command reports (its size or uid). */
static void merge(struct pop3_maildrop *md, struct listing *l)
{
	struct pop3_msginfo *out = xcalloc(md->n + l->n + 1, sizeof(*out));
	size_t i = 0, j = 0, k = 0;

	while (i < md->n || j < l->n) {
		if (j == l->n || (i < md->n && md->msgs[i].num < l->v[j].num)) {
			out[k] = md->msgs[i++];
			if (l->uidl) {
				xfree(&out[k].uid);
				out[k].uid_status = POP3_UID_NONE;
			} else {
				out[k].size = POP3_SIZE_UNKNOWN;
			}
		} else {
			if (i < md->n && md->msgs[i].num == l->v[j].num)
				out[k] = md->msgs[i++];
			else
				out[k] = (struct pop3_msginfo){ .num = l->v[j].num,
								.size = POP3_SIZE_UNKNOWN };
			take(&out[k], &l->v[j++], l->uidl);
		}
		k++;
	}
	free(md->msgs);
	md->msgs = out;
	md->n = k;
}

static void count_uids(struct pop3_maildrop *md)
{
	md->uid_bad = md->uid_dup = md->uid_none = 0;
	for (size_t i = 0; i < md->n; i++) {
		enum pop3_uid_status st = md->msgs[i].uid_status;
		md->uid_bad += st == POP3_UID_BAD;
		md->uid_dup += st == POP3_UID_DUP;
		md->uid_none += st == POP3_UID_NONE;
	}
}

/* Reads the lines of the reply to cmd into l, to the end. */
static int read_listing(struct pop3 *p, const char *cmd, struct listing *l,
			struct err *e)
{
	for (size_t lines = 0;; lines++) {
		size_t skip;
		bool end;
		if (pop3_ml_next(p, p->set.status_line_max, cmd, &skip, &end, e) < 0)
			return -1;
		if (end)
			return 0;
		if (lines == p->set.lines_max) {
			err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				_("POP3 %s: the server lists more than %zu messages"),
				cmd, p->set.lines_max);
			return pop3_broken(p);
		}
		pop3_trace(p, false, p->line.data, p->line.len);
		const char *s = p->line.data + skip;
		size_t n = p->line.len - skip;
		n -= n > 0 && s[n - 1] == '\n';
		n -= n > 0 && s[n - 1] == '\r';
		if (!parse_line(l, s, n) && l->bad_line == 0)
			l->bad_line = (unsigned long)lines + 1;
	}
}

static int listing_error(const char *cmd, const struct listing *l,
			 struct err *e)
{
	if (l->bad_line != 0)
		return err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
			       _("POP3 %s: line %lu of the reply is malformed"),
			       cmd, l->bad_line);
	for (size_t i = 0; i + 1 < l->n; i++)
		if (l->v[i].num == l->v[i + 1].num)
			return err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
				       _("POP3 %s: message %lu is listed twice"),
				       cmd, l->v[i].num);
	return 0;
}

static int run_listing(struct pop3 *p, struct pop3_maildrop *md, bool uidl,
		       struct err *e)
{
	const char *cmd = uidl ? "UIDL" : "LIST";
	struct listing l = { .uidl = uidl };
	struct pop3_reply r;

	if (pop3_need_state(p, POP3_ST_TRANS, cmd, e) < 0 ||
	    pop3_simple(p, cmd, ERR_ACCOUNT, &r, e) < 0)
		return -1;
	int rc = read_listing(p, cmd, &l, e);
	if (rc == 0) {
		if (l.n > 1)
			qsort(l.v, l.n, sizeof(*l.v), by_num);
		rc = listing_error(cmd, &l, e);
	}
	if (rc == 0) {
		if (uidl)
			mark_duplicates(&l);
		merge(md, &l);
		if (uidl) {
			md->have_uidl = true;
			count_uids(md);
		} else {
			md->have_list = true;
			md->list_stat_mismatch = md->have_stat && md->stat_count != l.n;
		}
	}
	listing_release(&l);
	return rc;
}

int pop3_list(struct pop3 *p, struct pop3_maildrop *md, struct err *e)
{
	return run_listing(p, md, false, e);
}

int pop3_uidl(struct pop3 *p, struct pop3_maildrop *md, struct err *e)
{
	return run_listing(p, md, true, e);
}
