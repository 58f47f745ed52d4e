#include "config.h"

#include "thread.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "msgid.h"
#include "thread_private.h"

/* Containers are numbered with uint32_t: JWZ's containers are one per
 * message and one per referenced id without a message. */
#define NONE UINT32_MAX
#define DEAD (UINT32_MAX - 1) /* parent of a pruned placeholder */
#define CONT_MAX (UINT32_MAX - 2)

/* ------------------------------------------------------------ hashing */

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
	v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

/* SipHash-1-3: keyed, so that colliding ids cannot be prepared. */
static uint64_t siphash(const uint64_t key[2], const unsigned char *p, size_t len)
{
	uint64_t v[4] = { key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
			  key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL };
	uint64_t m;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		m = 0;
		for (int k = 7; k >= 0; k--)
			m = (m << 8) | p[i + (size_t)k];
		v[3] ^= m;
		sip_round(v);
		v[0] ^= m;
	}
	m = (uint64_t)len << 56;
	for (size_t k = 0; i + k < len; k++)
		m |= (uint64_t)p[i + k] << (8 * k);
	v[3] ^= m;
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* An open-addressing (linear probing) table from byte strings to a
 * uint32_t, kept at most half full.  A slot is 8 bytes, the high half of
 * the key's hash and its entry number + 1 (0: free), so probing stays in
 * cache; keys are copied into one arena.  Its users insert fewer than
 * CONT_MAX + 2 keys, so entry numbers fit. */
struct strtab_entry {
	uint64_t hash;
	size_t off; /* of the key in text */
	uint32_t len;
	uint32_t value;
};

struct strtab {
	uint64_t *slots;
	size_t cap; /* a power of two */
	struct strtab_entry *entries;
	size_t count, cap_entries;
	char *text;
	size_t text_len, text_cap;
	uint64_t key[2];
};

static void strtab_init(struct strtab *t, size_t expect, const uint64_t key[2])
{
	t->cap = 16;
	while (t->cap / 2 < expect && t->cap < SIZE_MAX / 4 / sizeof(*t->slots))
		t->cap *= 2;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	t->entries = NULL;
	t->count = t->cap_entries = 0;
	t->text = NULL;
	t->text_len = t->text_cap = 0;
	t->key[0] = key[0];
	t->key[1] = key[1];
}

static void strtab_release(struct strtab *t)
{
	free(t->slots);
	free(t->entries);
	free(t->text);
}

static void strtab_place(uint64_t *slots, size_t cap, uint64_t hash, size_t entry)
{
	size_t i = (size_t)hash & (cap - 1);
	while (slots[i] != 0)
		i = (i + 1) & (cap - 1);
	slots[i] = (hash & 0xffffffff00000000ULL) | (uint64_t)(entry + 1);
}

static void strtab_grow(struct strtab *t)
{
	size_t cap = t->cap * 2;
	uint64_t *slots = xcalloc(cap, sizeof(*slots));
	for (size_t e = 0; e < t->count; e++)
		strtab_place(slots, cap, t->entries[e].hash, e);
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

/* The value of key s[0..len), inserted as NONE if it was not there.  The
 * pointer is valid until the next call. */
static uint32_t *strtab_get(struct strtab *t, const char *s, size_t len)
{
	uint64_t h = siphash(t->key, (const unsigned char *)s, len);
	uint64_t tag = h & 0xffffffff00000000ULL;
	size_t mask = t->cap - 1;
	for (size_t i = (size_t)h & mask; t->slots[i] != 0; i = (i + 1) & mask) {
		if ((t->slots[i] & 0xffffffff00000000ULL) != tag)
			continue;
		struct strtab_entry *e = &t->entries[(uint32_t)t->slots[i] - 1];
		if (e->len == len && memcmp(t->text + e->off, s, len) == 0)
			return &e->value;
	}
	if ((t->count + 1) * 2 > t->cap)
		strtab_grow(t);
	t->entries = xgrow(t->entries, &t->cap_entries, t->count + 1, sizeof(*t->entries));
	t->text = xgrow(t->text, &t->text_cap, t->text_len + len + 1, 1);
	memcpy(t->text + t->text_len, s, len);
	t->entries[t->count] = (struct strtab_entry){ h, t->text_len, (uint32_t)len, NONE };
	t->text_len += len;
	strtab_place(t->slots, t->cap, h, t->count);
	return &t->entries[t->count++].value;
}

/* ---------------------------------------------------------- containers */

struct tctx {
	const struct thread_input *in;
	size_t n;
	struct thread_options opt;
	struct err *err;

	struct strtab ids;
	uint32_t *msg;    /* per container: input index, or NONE */
	uint32_t *parent; /* per container: NONE at the top, DEAD when pruned */
	size_t ncont, cap_msg, cap_parent;

	uint32_t *msgc;   /* per message: its container */
	size_t *refoff;   /* per message: its references are refs[refoff[i]..refoff[i+1]) */
	uint32_t *refs;
	size_t nrefs, cap_refs;

	/* union-find over containers: the loop check (see link_parent()) */
	uint32_t *uf, *ufroot;
	unsigned char *ufrank;

	/* the final forest: children lists and keys */
	uint32_t *kidoff, *kids;
	int64_t *kdate;
	uint32_t *kidx;

	char id[MSGID_MAX + 1];
};

static uint32_t new_container(struct tctx *c, uint32_t msg)
{
	if (c->ncont >= CONT_MAX) {
		err_set(c->err, ERR_FOLDER, ERR_LIMIT,
			_("too many message ids to thread"));
		return NONE;
	}
	c->msg = xgrow(c->msg, &c->cap_msg, c->ncont + 1, sizeof(*c->msg));
	c->parent = xgrow(c->parent, &c->cap_parent, c->ncont + 1, sizeof(*c->parent));
	c->msg[c->ncont] = msg;
	c->parent[c->ncont] = NONE;
	return (uint32_t)c->ncont++;
}

/* The container of id (a new placeholder if the id is new), or NONE
 * past CONT_MAX. */
static uint32_t intern_id(struct tctx *c, const char *id, size_t len)
{
	uint32_t *v = strtab_get(&c->ids, id, len);
	if (*v == NONE)
		*v = new_container(c, NONE);
	return *v;
}

static void push_ref(struct tctx *c, uint32_t k)
{
	c->refs = xgrow(c->refs, &c->cap_refs, c->nrefs + 1, sizeof(*c->refs));
	c->refs[c->nrefs++] = k;
}

/* The references of message i: References, then the first id of
 * In-Reply-To unless References already ends with it; the last
 * THREAD_REFS_MAX of them are kept.  Ids of the dropped ones are still
 * looked up (one pass, no counting pass), but they are never linked. */
static int intern_refs(struct tctx *c, size_t i)
{
	const char *refs = c->in[i].references ? c->in[i].references : "";
	size_t len, base = c->nrefs;
	uint32_t irt = NONE;
	struct msgid_iter it;

	if (msgid_first(c->in[i].in_reply_to, c->id, &len) &&
	    (irt = intern_id(c, c->id, len)) == NONE)
		return -1;
	msgid_iter_init(&it, refs, strlen(refs));
	while (msgid_iter_next(&it, c->id, &len)) {
		uint32_t k = intern_id(c, c->id, len);
		if (k == NONE)
			return -1;
		push_ref(c, k);
	}
	if (irt != NONE && (c->nrefs == base || c->refs[c->nrefs - 1] != irt))
		push_ref(c, irt);
	if (c->nrefs - base > THREAD_REFS_MAX) {
		memmove(c->refs + base, c->refs + c->nrefs - THREAD_REFS_MAX,
			THREAD_REFS_MAX * sizeof(*c->refs));
		c->nrefs = base + THREAD_REFS_MAX;
	}
	c->refoff[i + 1] = c->nrefs;
	return 0;
}

/* JWZ step 1A: the message's own container.  A duplicate id, or none,
 * gets a fresh container that is not in the id table. */
static int intern_message(struct tctx *c, size_t i)
{
	uint32_t k = NONE;
	size_t len;
	if (msgid_first(c->in[i].message_id, c->id, &len)) {
		k = intern_id(c, c->id, len);
		if (k != NONE && c->msg[k] != NONE)
			k = NONE; /* a duplicate */
	}
	if (k == NONE)
		k = new_container(c, NONE);
	if (k == NONE)
		return -1;
	c->msg[k] = (uint32_t)i;
	c->msgc[i] = k;
	return intern_refs(c, i);
}

/* --------------------------------------------------------------- links */

static uint32_t uf_find(struct tctx *c, uint32_t x)
{
	while (c->uf[x] != x) {
		c->uf[x] = c->uf[c->uf[x]]; /* path halving */
		x = c->uf[x];
	}
	return x;
}

/* Makes p the parent of k, if k has no parent yet and the link closes no
 * loop.  Links are only ever added to a container without a parent, the
 * top of its tree, so a loop means k is the top of p's tree: one
 * union-find query (with ufroot[] naming each set's top) instead of a walk
 * up from p, which is quadratic on deep threads. */
static void link_parent(struct tctx *c, uint32_t k, uint32_t p)
{
	if (c->parent[k] != NONE)
		return;
	uint32_t rp = uf_find(c, p);
	if (c->ufroot[rp] == k)
		return;
	uint32_t rk = uf_find(c, k), top = c->ufroot[rp];
	c->parent[k] = p;
	if (c->ufrank[rk] > c->ufrank[rp]) {
		uint32_t t = rk;
		rk = rp;
		rp = t;
	} else if (c->ufrank[rk] == c->ufrank[rp]) {
		c->ufrank[rp]++;
	}
	c->uf[rk] = rp;
	c->ufroot[rp] = top;
}

/* JWZ steps 1B and 1C, own parents first (see thread.h). */
static void link_all(struct tctx *c)
{
	c->uf = xmalloc(c->ncont * sizeof(*c->uf));
	c->ufroot = xmalloc(c->ncont * sizeof(*c->ufroot));
	c->ufrank = xcalloc(c->ncont, 1);
	for (size_t k = 0; k < c->ncont; k++)
		c->uf[k] = c->ufroot[k] = (uint32_t)k;
	for (size_t i = 0; i < c->n; i++) {
		if (c->refoff[i + 1] > c->refoff[i])
			link_parent(c, c->msgc[i], c->refs[c->refoff[i + 1] - 1]);
	}
	for (size_t i = 0; i < c->n; i++) {
		for (size_t j = c->refoff[i]; j + 1 < c->refoff[i + 1]; j++)
			link_parent(c, c->refs[j + 1], c->refs[j]);
	}
	xfree(&c->uf);
	xfree(&c->ufroot);
	xfree(&c->ufrank);
}

/* ------------------------------------------------------------- forests */

/* Children lists in container order, kids[kidoff[k]..kidoff[k + 1]), of
 * the containers whose parent is a container (not NONE, not DEAD). */
static void build_kids(struct tctx *c)
{
	size_t n = c->ncont;
	free(c->kidoff);
	free(c->kids);
	c->kidoff = xcalloc(n + 1, sizeof(*c->kidoff));
	c->kids = xmalloc((n ? n : 1) * sizeof(*c->kids));
	for (size_t k = 0; k < n; k++) {
		if (c->parent[k] < DEAD)
			c->kidoff[c->parent[k]]++;
	}
	for (size_t k = 1; k < n; k++)
		c->kidoff[k] += c->kidoff[k - 1];
	if (n > 0)
		c->kidoff[n] = c->kidoff[n - 1];
	for (size_t k = n; k-- > 0;) {
		if (c->parent[k] < DEAD)
			c->kids[--c->kidoff[c->parent[k]]] = (uint32_t)k;
	}
}

/* Lists the live containers top-down (a parent before its children),
 * breadth first from the tops; returns how many. */
static size_t top_down(const struct tctx *c, uint32_t *order)
{
	size_t n = 0;
	for (size_t k = 0; k < c->ncont; k++) {
		if (c->parent[k] == NONE)
			order[n++] = (uint32_t)k;
	}
	for (size_t q = 0; q < n; q++) {
		uint32_t k = order[q];
		for (uint32_t j = c->kidoff[k]; j < c->kidoff[k + 1]; j++)
			order[n++] = c->kids[j];
	}
	return n;
}

/* JWZ step 4, without recursion: a message's new parent is its nearest
 * ancestor holding a message.  Messages left without one are the tops of
 * their tree; when the tree's top is a placeholder it stays, as their
 * parent, only if they are two or more.  Every other placeholder dies. */
static void prune(struct tctx *c)
{
	size_t n = c->ncont;
	uint32_t *order = xmalloc(n * sizeof(*order));
	uint32_t *near = xmalloc(n * sizeof(*near));
	uint32_t *top = xmalloc(n * sizeof(*top));
	uint32_t *tops = xcalloc(n, sizeof(*tops));

	build_kids(c);
	size_t len = top_down(c, order);
	for (size_t q = 0; q < len; q++) {
		uint32_t k = order[q], p = c->parent[k];
		near[k] = p == NONE ? NONE : c->msg[p] != NONE ? p : near[p];
		top[k] = p == NONE ? k : top[p];
	}
	for (size_t k = 0; k < n; k++) {
		if (c->msg[k] != NONE && near[k] == NONE && top[k] != k)
			tops[top[k]]++;
	}
	for (size_t k = 0; k < n; k++) {
		bool group = top[k] != k && tops[top[k]] >= 2;
		if (c->msg[k] != NONE)
			c->parent[k] = near[k] != NONE ? near[k] : group ? top[k] : NONE;
		else
			c->parent[k] = top[k] == k && tops[k] >= 2 ? NONE : DEAD;
	}
	free(order);
	free(near);
	free(top);
	free(tops);
}

struct sortent {
	int64_t date;
	uint32_t idx;
	uint32_t cont;
};

static bool earlier(int64_t da, uint32_t ia, int64_t db, uint32_t ib)
{
	return da < db || (da == db && ia < ib);
}

static int sortent_cmp(const void *pa, const void *pb)
{
	const struct sortent *a = pa, *b = pb;
	if (earlier(a->date, a->idx, b->date, b->idx))
		return -1;
	return earlier(b->date, b->idx, a->date, a->idx) ? 1 : 0;
}

static void sort_ents(struct sortent *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), sortent_cmp);
}

/* ---------------------------------------------------- subject grouping */

static int64_t msg_date(const struct tctx *c, uint32_t m)
{
	return c->in[m].date;
}

/* The tops in the order of their first message: a message's own date, a
 * placeholder's earliest child (RFC 5256 §3 steps 4 and 5.B.i). */
static struct sortent *sorted_tops(const struct tctx *c, size_t *n_r)
{
	size_t n = c->ncont, len = 0;
	uint32_t *first = xmalloc(n * sizeof(*first));
	struct sortent *e = xmalloc(n * sizeof(*e));
	for (size_t k = 0; k < n; k++)
		first[k] = c->msg[k] != NONE ? (uint32_t)k : NONE;
	for (size_t k = 0; k < n; k++) {
		uint32_t p = c->parent[k], m = c->msg[k];
		if (m == NONE || p >= DEAD || c->msg[p] != NONE)
			continue;
		uint32_t f = first[p];
		if (f == NONE || earlier(msg_date(c, m), m, msg_date(c, c->msg[f]), c->msg[f]))
			first[p] = (uint32_t)k;
	}
	for (size_t k = 0; k < n; k++) {
		if (c->parent[k] != NONE)
			continue;
		uint32_t m = c->msg[first[k]];
		e[len++] = (struct sortent){ msg_date(c, m), m, (uint32_t)k };
	}
	free(first);
	sort_ents(e, len);
	*n_r = len;
	return e;
}

struct subjects {
	struct strtab tab;   /* base subject -> subject number */
	uint32_t *sid;       /* per top (sorted position): subject number or NONE */
	unsigned char *reply; /* per container */
	uint32_t *table;     /* per subject number: the container kept for it */
	size_t ntable, cap_table;
};

/* Base subjects of the tops (of their first message, for placeholders). */
static void subjects_init(struct subjects *s, const struct tctx *c,
			  const struct sortent *tops, size_t ntops)
{
	char text[THREAD_SUBJECT_MAX];
	strtab_init(&s->tab, ntops, c->opt.hash_key);
	s->sid = xmalloc((ntops ? ntops : 1) * sizeof(*s->sid));
	s->reply = xcalloc(c->ncont, 1);
	s->table = NULL;
	s->ntable = s->cap_table = 0;
	for (size_t j = 0; j < ntops; j++) {
		const char *subject = c->in[tops[j].idx].subject;
		size_t b, e, len = thread_subject_fold(subject ? subject : "", text);
		bool reply;
		thread_subject_base(text, len, &b, &e, &reply);
		s->reply[tops[j].cont] = reply;
		s->sid[j] = NONE;
		if (b == e)
			continue; /* RFC 5256 §3 step 5.B.ii */
		uint32_t *v = strtab_get(&s->tab, text + b, e - b);
		if (*v == NONE) {
			s->table = xgrow(s->table, &s->cap_table, s->ntable + 1,
					 sizeof(*s->table));
			s->table[s->ntable] = NONE;
			*v = (uint32_t)s->ntable++;
		}
		s->sid[j] = *v;
	}
}

static void subjects_release(struct subjects *s)
{
	strtab_release(&s->tab);
	free(s->sid);
	free(s->reply);
	free(s->table);
}

/* Step 5.B: which top each subject's threads gather under: a
 * placeholder, else a message that is not a reply, else the first. */
static void subjects_choose(struct subjects *s, const struct tctx *c,
			    const struct sortent *tops, size_t ntops)
{
	for (size_t j = 0; j < ntops; j++) {
		if (s->sid[j] == NONE)
			continue;
		uint32_t r = tops[j].cont, *t = &s->table[s->sid[j]];
		if (*t == NONE)
			*t = r;
		else if (c->msg[*t] != NONE &&
			 (c->msg[r] == NONE || (s->reply[*t] && !s->reply[r])))
			*t = r;
	}
}

/* Step 5.C for top r and the kept top *t of its subject.  Two
 * placeholders become one: r's children are moved by alias[]. */
static int merge(struct tctx *c, struct subjects *s, uint32_t r, uint32_t *t,
		 uint32_t *alias)
{
	if (c->msg[*t] == NONE && c->msg[r] == NONE) {
		alias[r] = *t;
		c->parent[r] = DEAD;
	} else if (c->msg[*t] == NONE) {
		c->parent[r] = *t;
	} else if (c->msg[r] == NONE || (s->reply[*t] && !s->reply[r])) {
		c->parent[*t] = r; /* not reached: step 5.B prefers r already */
		*t = r;
	} else if (s->reply[r] && !s->reply[*t]) {
		c->parent[r] = *t;
	} else {
		uint32_t d = new_container(c, NONE);
		if (d == NONE)
			return -1;
		c->parent[r] = c->parent[*t] = d;
		*t = d;
	}
	return 0;
}

static int group_by_subject(struct tctx *c)
{
	size_t ntops, old = c->ncont;
	struct sortent *tops = sorted_tops(c, &ntops);
	struct subjects s;
	uint32_t *alias = xmalloc(old * sizeof(*alias));
	int rc = 0;

	for (size_t k = 0; k < old; k++)
		alias[k] = NONE;
	subjects_init(&s, c, tops, ntops);
	subjects_choose(&s, c, tops, ntops);
	for (size_t j = 0; j < ntops && rc == 0; j++) {
		uint32_t r = tops[j].cont;
		if (s.sid[j] == NONE || c->parent[r] != NONE || s.table[s.sid[j]] == r)
			continue;
		rc = merge(c, &s, r, &s.table[s.sid[j]], alias);
	}
	for (size_t k = 0; k < c->ncont; k++) {
		uint32_t p = c->parent[k];
		if (p < old && alias[p] != NONE)
			c->parent[k] = alias[p];
	}
	subjects_release(&s);
	free(alias);
	free(tops);
	return rc;
}

/* ------------------------------------------------------------ ordering */

/* For the root order: does thread key a come before b?  First mode: the
 * earliest known date (unknown ones only if the thread has no other). */
static bool agg_better(const struct tctx *c, int64_t da, uint32_t ia,
		       int64_t db, uint32_t ib)
{
	if (c->opt.root_order == THREAD_ROOTS_BY_LAST)
		return earlier(db, ib, da, ia);
	bool ka = da != THREAD_DATE_UNKNOWN, kb = db != THREAD_DATE_UNKNOWN;
	if (ka != kb)
		return ka;
	return earlier(da, ia, db, ib);
}

/* Sort keys, bottom-up over order[0..len): kdate/kidx is a row's own
 * (a placeholder's earliest child), adate/aidx its thread's. */
static void compute_keys(struct tctx *c, const uint32_t *order, size_t len,
			 int64_t *adate, uint32_t *aidx)
{
	for (size_t k = 0; k < c->ncont; k++) {
		uint32_t m = c->msg[k];
		c->kdate[k] = adate[k] = m != NONE ? msg_date(c, m) : 0;
		c->kidx[k] = aidx[k] = m;
	}
	for (size_t q = len; q-- > 0;) {
		uint32_t k = order[q], p = c->parent[k];
		if (p == NONE)
			continue;
		if (c->msg[p] == NONE && (c->kidx[p] == NONE ||
		    earlier(c->kdate[k], c->kidx[k], c->kdate[p], c->kidx[p]))) {
			c->kdate[p] = c->kdate[k];
			c->kidx[p] = c->kidx[k];
		}
		if (aidx[p] == NONE || agg_better(c, adate[k], aidx[k], adate[p], aidx[p])) {
			adate[p] = adate[k];
			aidx[p] = aidx[k];
		}
	}
}

/* Sorts every children list by the children's own keys. */
static void sort_kids(struct tctx *c)
{
	struct sortent *e = xmalloc((c->ncont ? c->ncont : 1) * sizeof(*e));
	for (size_t k = 0; k < c->ncont; k++) {
		uint32_t b = c->kidoff[k], n = c->kidoff[k + 1] - b;
		if (n < 2)
			continue;
		for (uint32_t j = 0; j < n; j++) {
			uint32_t kid = c->kids[b + j];
			e[j] = (struct sortent){ c->kdate[kid], c->kidx[kid], kid };
		}
		sort_ents(e, n);
		for (uint32_t j = 0; j < n; j++)
			c->kids[b + j] = e[j].cont;
	}
	free(e);
}

/* The tops, ordered by their thread keys. */
static uint32_t *sorted_roots(const struct tctx *c, const int64_t *adate,
			      const uint32_t *aidx, size_t *n_r)
{
	size_t n = 0;
	struct sortent *e = xmalloc((c->ncont ? c->ncont : 1) * sizeof(*e));
	for (size_t k = 0; k < c->ncont; k++) {
		if (c->parent[k] == NONE)
			e[n++] = (struct sortent){ adate[k], aidx[k], (uint32_t)k };
	}
	sort_ents(e, n);
	uint32_t *roots = xmalloc((n ? n : 1) * sizeof(*roots));
	for (size_t j = 0; j < n; j++)
		roots[j] = e[j].cont;
	free(e);
	*n_r = n;
	return roots;
}

struct emit_state {
	uint32_t *stack;
	size_t sp;
	size_t *rowof;
	unsigned *depth;
	unsigned char *last;
};

static void push(struct emit_state *st, uint32_t k, unsigned depth, bool last)
{
	st->stack[st->sp++] = k;
	st->depth[k] = depth;
	st->last[k] = last;
}

/* Depth-first, with an explicit stack: rows in display order. */
static void emit(const struct tctx *c, const uint32_t *roots, size_t nroots,
		 struct thread_row *rows, size_t *n_rows_r)
{
	struct emit_state st;
	size_t n = 0;
	st.stack = xmalloc((c->ncont ? c->ncont : 1) * sizeof(*st.stack));
	st.rowof = xmalloc((c->ncont ? c->ncont : 1) * sizeof(*st.rowof));
	st.depth = xmalloc((c->ncont ? c->ncont : 1) * sizeof(*st.depth));
	st.last = xmalloc(c->ncont ? c->ncont : 1);
	st.sp = 0;
	for (size_t j = nroots; j-- > 0;)
		push(&st, roots[j], 0, j == nroots - 1);
	while (st.sp > 0) {
		uint32_t k = st.stack[--st.sp], p = c->parent[k];
		uint32_t b = c->kidoff[k], e = c->kidoff[k + 1];
		unsigned d = st.depth[k] < THREAD_DEPTH_MAX ? st.depth[k] + 1 : THREAD_DEPTH_MAX;
		st.rowof[k] = n;
		rows[n++] = (struct thread_row){
			.msg = c->msg[k] == NONE ? -1 : (ssize_t)c->msg[k],
			.parent = p == NONE ? -1 : (ssize_t)st.rowof[p],
			.depth = st.depth[k],
			.has_children = e > b,
			.last_sibling = st.last[k],
		};
		for (uint32_t j = e; j-- > b;)
			push(&st, c->kids[j], d, j == e - 1);
	}
	free(st.stack);
	free(st.rowof);
	free(st.depth);
	free(st.last);
	*n_rows_r = n;
}

/* Sorts the final forest and lays it out as rows. */
static void finish(struct tctx *c, struct thread_row **rows_r, size_t *n_rows_r)
{
	size_t n = c->ncont, len, nroots;
	uint32_t *order = xmalloc(n * sizeof(*order)), *aidx = xmalloc(n * sizeof(*aidx));
	int64_t *adate = xmalloc(n * sizeof(*adate));

	build_kids(c);
	len = top_down(c, order);
	c->kdate = xmalloc(n * sizeof(*c->kdate));
	c->kidx = xmalloc(n * sizeof(*c->kidx));
	compute_keys(c, order, len, adate, aidx);
	sort_kids(c);
	uint32_t *roots = sorted_roots(c, adate, aidx, &nroots);
	*rows_r = xmalloc(len * sizeof(**rows_r));
	emit(c, roots, nroots, *rows_r, n_rows_r);
	free(roots);
	free(order);
	free(aidx);
	free(adate);
}

/* ---------------------------------------------------------------- main */

static void tctx_free(struct tctx *c)
{
	strtab_release(&c->ids);
	free(c->msg);
	free(c->parent);
	free(c->msgc);
	free(c->refoff);
	free(c->refs);
	free(c->kidoff);
	free(c->kids);
	free(c->kdate);
	free(c->kidx);
	free(c);
}

int thread_build(const struct thread_input *in, size_t n,
		 const struct thread_options *opt, struct thread_row **rows_r,
		 size_t *n_rows_r, struct err *err)
{
	static const struct thread_options defaults;
	*rows_r = NULL;
	*n_rows_r = 0;
	if (n > THREAD_MESSAGES_MAX)
		return err_set(err, ERR_FOLDER, ERR_LIMIT,
			       _("too many messages to thread (%zu)"), n);
	if (n == 0)
		return 0;

	struct tctx *c = xcalloc(1, sizeof(*c));
	c->in = in;
	c->n = n;
	c->opt = opt ? *opt : defaults;
	c->err = err;
	strtab_init(&c->ids, n * 2, c->opt.hash_key);
	c->msgc = xmalloc(n * sizeof(*c->msgc));
	c->refoff = xcalloc(n + 1, sizeof(*c->refoff));
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		if (intern_message(c, i) < 0)
			goto out;
	}
	link_all(c);
	prune(c);
	if (c->opt.group_by_subject && group_by_subject(c) < 0)
		goto out;
	finish(c, rows_r, n_rows_r);
	rc = 0;
out:
	tctx_free(c);
	return rc;
}
