#include "config.h"

#include "address.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "rfc2047.h"
#include "sanitize.h"

#define CHARSET_MAX 80 /* longest charset name looked for in an encoded word */

enum tok_kind {
	TOK_END,
	TOK_ATOM,     /* atom, dot-atom or encoded word, dots included */
	TOK_QUOTED,   /* p..len is the content between the quotes */
	TOK_LITERAL,  /* [domain literal], brackets included */
	TOK_COMMENT,  /* p..len is the content between the outer parens */
	TOK_SPECIAL,  /* one of < > @ , ; : in c */
};

struct token {
	enum tok_kind kind;
	const char *p;
	size_t len;
	char c;
	bool space; /* blanks or a comment came before it */
};

struct lexer {
	const char *s;
	size_t len;
	size_t i;
	bool after_comment;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A stray ')' is part of an atom. */
static bool is_atom_char(char c)
{
	return !is_blank(c) && strchr("(<>@,;:\"[", c) == NULL;
}

/* Scans to the closing delimiter of a quoted string, comment or domain
 * literal opened at s[i-1], honouring quoted-pairs (and nesting for
 * comments); returns the index of the closer, or len if unterminated. */
static size_t find_close(const char *s, size_t len, size_t i, char open, char close)
{
	size_t depth = 1;
	for (; i < len; i++) {
		if (s[i] == '\\') {
			i++;
		} else if (s[i] == close && --depth == 0) {
			return i;
		} else if (s[i] == open && open != close) {
			depth++;
		}
	}
	return len;
}

/* The end of an encoded word "=?charset?X?text?=" at s[i], or i if there
 * is none.  Its text may hold specials, which broken encoders leave in. */
static size_t encoded_word_end(const char *s, size_t len, size_t i)
{
	size_t j = i + 2;
	if (j > len || s[i] != '=' || s[i + 1] != '?')
		return i;
	while (j < len && s[j] != '?' && !is_blank(s[j]) && j - i < CHARSET_MAX)
		j++;
	if (j + 2 >= len || s[j] != '?' || strchr("BbQq", s[j + 1]) == NULL ||
	    s[j + 2] != '?')
		return i;
	j += 3;
	while (j < len && s[j] != '?' && !is_blank(s[j]))
		j++;
	if (j + 1 < len && s[j] == '?' && s[j + 1] == '=')
		return j + 2;
	return i;
}

static struct token lex_delimited(struct lexer *lx, enum tok_kind kind,
				  char open, char close)
{
	struct token t = { .kind = kind };
	size_t start = lx->i + 1;
	size_t end = find_close(lx->s, lx->len, start, open, close);
	if (kind == TOK_LITERAL) {
		t.p = lx->s + lx->i;
		t.len = (end < lx->len ? end + 1 : end) - lx->i;
	} else {
		t.p = lx->s + start;
		t.len = (end < lx->len ? end : lx->len) - start;
	}
	lx->i = end < lx->len ? end + 1 : lx->len;
	return t;
}

static struct token lex_next(struct lexer *lx)
{
	bool space = lx->after_comment;
	lx->after_comment = false;
	while (lx->i < lx->len && is_blank(lx->s[lx->i])) {
		lx->i++;
		space = true;
	}
	struct token t = { .kind = TOK_END };
	if (lx->i >= lx->len)
		return t;
	char c = lx->s[lx->i];
	if (c == '(') {
		t = lex_delimited(lx, TOK_COMMENT, '(', ')');
		lx->after_comment = true;
	} else if (c == '"') {
		t = lex_delimited(lx, TOK_QUOTED, '"', '"');
	} else if (c == '[') {
		t = lex_delimited(lx, TOK_LITERAL, '[', ']');
	} else if (strchr("<>@,;:", c) != NULL) {
		t.kind = TOK_SPECIAL;
		t.c = c;
		t.p = lx->s + lx->i++;
		t.len = 1;
	} else {
		size_t start = lx->i;
		lx->i = encoded_word_end(lx->s, lx->len, start);
		while (lx->i < lx->len && is_atom_char(lx->s[lx->i]))
			lx->i++;
		t.kind = TOK_ATOM;
		t.p = lx->s + start;
		t.len = lx->i - start;
	}
	t.space = space;
	return t;
}

enum state {
	ST_PHRASE,  /* words, not yet an address */
	ST_DOMAIN,  /* after the '@' of a bare address */
	ST_ANGLE,   /* inside <> */
	ST_ROUTE,   /* inside <>, in an obsolete route before ':' */
	ST_AFTER,   /* after '>' */
};

struct parser {
	struct mime_address_list *l;
	size_t max, cap, groups_cap;
	size_t buf_max;
	enum state st;
	struct buf text;    /* the element's words as display text */
	size_t name_len;    /* how much of text is the display name */
	struct buf run;     /* the last dot-joined words, in addr-spec form */
	size_t run_at;      /* text length before the run */
	struct buf addr;
	struct buf comment; /* the first comment, quoted-pairs undone */
	bool have_comment;
	bool in_group;
	size_t group_members;
	char *group_name;   /* decoded; NULL until registered or discarded */
	const char *group;  /* the registered name, or NULL */
	bool full;
};

/* Appends and forgets a failure: the maxima are set so that the input
 * cannot reach them, and a cut name is harmless. */
static void put(struct buf *b, const char *p, size_t n)
{
	if (buf_append(b, p, n) < 0)
		return;
}

/* Appends the content of a quoted string or comment with quoted-pairs
 * undone and line breaks removed. */
static void put_unescaped(struct buf *b, const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (p[k] == '\\' && k + 1 < n)
			k++;
		else if (p[k] == '\r' || p[k] == '\n')
			continue;
		put(b, p + k, 1);
	}
}

/* Appends a token in addr-spec form: a quoted string quoted again. */
static void put_addr_form(struct buf *b, const struct token *t)
{
	if (t->kind != TOK_QUOTED) {
		put(b, t->p, t->len);
		return;
	}
	put(b, "\"", 1);
	for (size_t k = 0; k < t->len; k++) {
		if (t->p[k] == '\\' && k + 1 < t->len)
			k++;
		else if (t->p[k] == '\r' || t->p[k] == '\n')
			continue;
		if (t->p[k] == '"' || t->p[k] == '\\')
			put(b, "\\", 1);
		put(b, t->p + k, 1);
	}
	put(b, "\"", 1);
}

static void reset_element(struct parser *ps)
{
	ps->st = ST_PHRASE;
	buf_reset(&ps->text);
	buf_reset(&ps->run);
	buf_reset(&ps->addr);
	buf_reset(&ps->comment);
	ps->name_len = 0;
	ps->run_at = 0;
	ps->have_comment = false;
}

/* The decoded, trimmed form of header text in[0..n), newly allocated. */
static char *decode_text(const char *in, size_t n, size_t max)
{
	struct buf out;
	buf_init(&out, max);
	int rc = rfc2047_decode(in, n, &out);
	(void)rc; /* cut at the maximum: what fitted is kept */
	size_t start = 0, end = out.len;
	while (start < end && is_blank(out.data[start]))
		start++;
	while (end > start && is_blank(out.data[end - 1]))
		end--;
	char *s = xstrndup(out.data + start, end - start);
	buf_release(&out);
	return s;
}

/* An address as valid UTF-8: bad bytes become U+FFFD, NULs are dropped. */
static char *utf8_address(const char *in, size_t n, size_t max)
{
	struct buf out;
	buf_init(&out, max);
	for (size_t k = 0; k < n;) {
		unsigned cp;
		size_t step = utf8_decode((const unsigned char *)in + k, n - k, &cp);
		if (cp != 0 && utf8_append(&out, cp) < 0)
			break;
		k += step;
	}
	return buf_detach(&out, NULL);
}

static void emit(struct parser *ps, char *name, char *address)
{
	struct mime_address_list *l = ps->l;
	if (l->n == ps->max) {
		ps->full = true;
		free(name);
		free(address);
		return;
	}
	if (ps->in_group && ps->group == NULL && ps->group_name != NULL) {
		l->groups = xgrow(l->groups, &ps->groups_cap, l->n_groups + 1,
				  sizeof(*l->groups));
		l->groups[l->n_groups++] = ps->group_name;
		ps->group = ps->group_name;
		ps->group_name = NULL;
	}
	l->list = xgrow(l->list, &ps->cap, l->n + 1, sizeof(*l->list));
	l->list[l->n].name = name;
	l->list[l->n].address = address;
	l->list[l->n].group = ps->in_group ? ps->group : NULL;
	l->n++;
	if (ps->in_group)
		ps->group_members++;
}

/* Ends the current list element, emitting its mailbox if it has one. */
static void finish(struct parser *ps)
{
	size_t name_len = ps->st == ST_PHRASE ? ps->text.len : ps->name_len;
	char *name = decode_text(ps->text.data, name_len, ps->buf_max);
	char *address = utf8_address(ps->addr.data, ps->addr.len, ps->buf_max);
	if (name[0] == '\0' && address[0] != '\0' && ps->have_comment) {
		free(name); /* "a@x (Alice)" */
		name = decode_text(ps->comment.data, ps->comment.len, ps->buf_max);
	}
	if (name[0] == '\0' && address[0] == '\0') {
		free(name);
		free(address);
	} else {
		emit(ps, name, address);
	}
	reset_element(ps);
}

static void end_group(struct parser *ps)
{
	if (!ps->in_group)
		return;
	if (ps->group_members == 0 && ps->group_name != NULL &&
	    ps->group_name[0] != '\0')
		emit(ps, xstrdup(ps->group_name), xstrdup(""));
	free(ps->group_name);
	ps->group_name = NULL;
	ps->group = NULL;
	ps->in_group = false;
}

static void start_group(struct parser *ps)
{
	end_group(ps);
	ps->group_name = decode_text(ps->text.data, ps->text.len, ps->buf_max);
	ps->in_group = true;
	ps->group_members = 0;
	reset_element(ps);
}

static bool starts_with_dot(const struct token *t)
{
	return t->kind == TOK_ATOM && t->p[0] == '.';
}

static bool ends_with(const struct buf *b, char c)
{
	return b->len > 0 && b->data[b->len - 1] == c;
}

/* A word of a phrase; it may turn out to be the local part of a bare
 * address, so the last dot-joined run of words is kept apart. */
static void phrase_word(struct parser *ps, const struct token *t)
{
	if (ps->run.len == 0 ||
	    (t->space && !starts_with_dot(t) && !ends_with(&ps->run, '.'))) {
		buf_reset(&ps->run);
		ps->run_at = ps->text.len;
	}
	if (t->space && ps->text.len > 0)
		put(&ps->text, " ", 1);
	if (t->kind == TOK_QUOTED)
		put_unescaped(&ps->text, t->p, t->len);
	else
		put(&ps->text, t->p, t->len);
	put_addr_form(&ps->run, t);
}

static void keep_comment(struct parser *ps, const struct token *t)
{
	if (ps->have_comment)
		return;
	put_unescaped(&ps->comment, t->p, t->len);
	ps->have_comment = ps->comment.len > 0;
}

/* Separators common to every state.  Returns true if t was one. */
static bool separator(struct parser *ps, const struct token *t)
{
	if (t->kind == TOK_END) {
		finish(ps);
		end_group(ps);
	} else if (t->kind == TOK_SPECIAL && t->c == ',') {
		finish(ps);
	} else if (t->kind == TOK_SPECIAL && t->c == ';') {
		finish(ps);
		end_group(ps);
	} else {
		return false;
	}
	return true;
}

static void in_phrase(struct parser *ps, const struct token *t)
{
	if (t->kind == TOK_COMMENT) {
		keep_comment(ps, t);
	} else if (t->kind != TOK_SPECIAL) {
		phrase_word(ps, t);
	} else if (t->c == '<') {
		ps->name_len = ps->text.len;
		ps->st = ST_ANGLE;
	} else if (t->c == '@') {
		ps->name_len = ps->run.len > 0 ? ps->run_at : ps->text.len;
		put(&ps->addr, ps->run.data, ps->run.len);
		put(&ps->addr, "@", 1);
		put(&ps->text, "@", 1);
		ps->st = ST_DOMAIN;
	} else if (t->c == ':') {
		start_group(ps);
	}
}

/* Returns false if t starts a new element and must be handled again. */
static bool in_domain(struct parser *ps, const struct token *t)
{
	if (t->kind == TOK_COMMENT) {
		keep_comment(ps, t);
	} else if (t->kind != TOK_SPECIAL) {
		if (t->space && !starts_with_dot(t) && !ends_with(&ps->addr, '.') &&
		    !ends_with(&ps->addr, '@')) {
			finish(ps); /* "a@x b@y": a new bare address */
			return false;
		}
		put_addr_form(&ps->addr, t);
		put_addr_form(&ps->text, t);
	} else if (t->c == '@') {
		put(&ps->addr, "@", 1);
		put(&ps->text, "@", 1);
	} else if (t->c == '<') {
		ps->name_len = ps->text.len; /* "x@y <a@b>": x@y is a name */
		buf_reset(&ps->addr);
		ps->st = ST_ANGLE;
	} else if (t->c == ':') {
		reset_element(ps); /* "@route:user@host" without '<' */
	}
	return true;
}

static void in_angle(struct parser *ps, const struct token *t)
{
	if (t->kind == TOK_COMMENT)
		return;
	if (t->kind != TOK_SPECIAL) {
		put_addr_form(&ps->addr, t);
	} else if (t->c == '@') {
		if (ps->addr.len == 0)
			ps->st = ST_ROUTE;
		else
			put(&ps->addr, "@", 1);
	} else if (t->c == ':' || t->c == '<') {
		buf_reset(&ps->addr); /* a route without '@', "mailto:" */
	} else if (t->c == '>') {
		ps->st = ST_AFTER;
	}
}

static void in_route(struct parser *ps, const struct token *t)
{
	if (t->kind != TOK_SPECIAL)
		return;
	if (t->c == ':') {
		buf_reset(&ps->addr);
		ps->st = ST_ANGLE;
	} else if (t->c == '>') {
		ps->st = ST_AFTER;
	}
}

static bool in_after(struct parser *ps, const struct token *t)
{
	if (t->kind == TOK_COMMENT) {
		keep_comment(ps, t);
	} else if (t->kind != TOK_SPECIAL || t->c == '<') {
		finish(ps); /* "<a@x> <b@y>" */
		return false;
	}
	return true;
}

static bool dispatch(struct parser *ps, const struct token *t)
{
	if (ps->st == ST_ROUTE && t->kind == TOK_SPECIAL && t->c == ',')
		return true; /* "<@r1,@r2:user@host>" */
	if (separator(ps, t))
		return true;
	switch (ps->st) {
	case ST_PHRASE:
		in_phrase(ps, t);
		return true;
	case ST_DOMAIN:
		return in_domain(ps, t);
	case ST_ANGLE:
		in_angle(ps, t);
		return true;
	case ST_ROUTE:
		in_route(ps, t);
		return true;
	case ST_AFTER:
		return in_after(ps, t);
	}
	return true;
}

void mime_address_list_init(struct mime_address_list *l)
{
	memset(l, 0, sizeof(*l));
}

void mime_address_list_release(struct mime_address_list *l)
{
	for (size_t k = 0; k < l->n; k++) {
		free(l->list[k].name);
		free(l->list[k].address);
	}
	free(l->list);
	for (size_t k = 0; k < l->n_groups; k++)
		free(l->groups[k]);
	free(l->groups);
	mime_address_list_init(l);
}

int mime_address_parse(const char *value, size_t len, size_t max_addresses,
		       struct mime_address_list *l)
{
	mime_address_list_init(l);
	struct parser ps = { .l = l, .st = ST_PHRASE };
	ps.max = max_addresses ? max_addresses : MIME_ADDRESS_MAX;
	ps.buf_max = len < BUF_MAX_SMALL ? 4 * BUF_MAX_SMALL : 4 * len;
	buf_init(&ps.text, ps.buf_max);
	buf_init(&ps.run, ps.buf_max);
	buf_init(&ps.addr, ps.buf_max);
	buf_init(&ps.comment, ps.buf_max);
	struct lexer lx = { .s = value, .len = len };
	for (;;) {
		struct token t = lex_next(&lx);
		if (!dispatch(&ps, &t))
			dispatch(&ps, &t);
		if (t.kind == TOK_END || ps.full)
			break;
	}
	free(ps.group_name);
	buf_release(&ps.text);
	buf_release(&ps.run);
	buf_release(&ps.addr);
	buf_release(&ps.comment);
	return ps.full ? -1 : 0;
}
