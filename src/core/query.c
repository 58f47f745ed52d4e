/* query: a recursive-descent parser with explicit depth, term and length
 * limits; see query.h for the language. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "query.h"
#include "sanitize.h"
#include "str.h"

enum tok_type {
	TOK_NONE, /* before the first token */
	TOK_END,
	TOK_TERM,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_OR,
	TOK_AND,
	TOK_NOT,
	TOK_MINUS,
};

struct tok {
	enum tok_type type;
	size_t off, len;             /* the token's bytes in the query */
	struct query_node *term;     /* TOK_TERM: owned until taken */
};

struct parser {
	const char *q;
	size_t len, pos;
	struct tok tok, prev;
	int depth;
	unsigned terms;
	struct err *e;
};

static const struct field {
	const char *name;
	enum query_kind kind;
} fields[] = {
	{ "from", QUERY_FROM },
	{ "to", QUERY_TO },
	{ "cc", QUERY_CC },
	{ "subject", QUERY_SUBJECT },
	{ "body", QUERY_BODY },
	{ "is", QUERY_FLAG },
	{ "has", QUERY_HAS_ATTACHMENT },
	{ "before", QUERY_DATE_BEFORE },
	{ "after", QUERY_DATE_AFTER },
	{ "on", QUERY_DATE_ON },
	{ "larger", QUERY_LARGER },
	{ "smaller", QUERY_SMALLER },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

/* Indexed by enum query_flag. */
static const char *const flag_names[] = {
	"unread", "read", "flagged", "answered", "deleted",
};
#define N_FLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

#define SHOW_MAX 40
#define DAY 86400

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool ends_word(int c)
{
	return is_blank(c) || c == '(' || c == ')' || c == '"';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1-based column in characters of byte offset off. */
static size_t column(const struct parser *p, size_t off)
{
	size_t col = 1;
	for (size_t i = 0; i < off && i < p->len; i++)
		if (((unsigned char)p->q[i] & 0xc0) != 0x80)
			col++;
	return col;
}

/* Copies s[0..n) for an error message, cut at a character boundary. */
static const char *show(const char *s, size_t n, char out[SHOW_MAX + 4])
{
	size_t k = n;
	if (k > SHOW_MAX) {
		k = SHOW_MAX;
		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
	}
	memcpy(out, s, k);
	if (k < n)
		memcpy(out + k, "...", 3), k += 3;
	out[k] = '\0';
	return out;
}

static const char *tok_text(const struct tok *t)
{
	switch (t->type) {
	case TOK_OR: return "OR";
	case TOK_AND: return "AND";
	case TOK_NOT: return "NOT";
	case TOK_MINUS: return "-";
	case TOK_LPAREN: return "(";
	case TOK_RPAREN: return ")";
	default: return "";
	}
}

static int perr(struct parser *p, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, enum err_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(p->e, ERR_MESSAGE, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* Checks one character at q[i]; returns its length, or -1 with e set. */
static int check_char(struct parser *p, size_t i, bool in_phrase)
{
	unsigned char c = (unsigned char)p->q[i];
	unsigned cp = c;
	size_t n = 1;
	if (c >= 0x80) {
		n = utf8_decode((const unsigned char *)p->q + i, p->len - i, &cp);
		if (n == 1)
			return perr(p, ERR_PARSE, _("query: invalid UTF-8 at column %zu"), column(p, i));
	}
	if ((cp < 0x20 && !(in_phrase && is_blank((int)cp))) ||
	    (cp >= 0x7f && cp < 0xa0))
		return perr(p, ERR_PARSE,
			    _("query: control character U+%04X at column %zu"),
			    cp, column(p, i));
	return (int)n;
}

/* Lexes the phrase whose '"' is at q[off]; leaves pos after the closing
 * quote and the unescaped text in *text_r. */
static int lex_phrase(struct parser *p, size_t off, char **text_r)
{
	struct buf t;
	buf_init(&t, QUERY_MAX_LEN);
	size_t i = off + 1;
	while (i < p->len && p->q[i] != '"') {
		size_t start = i;
		if (p->q[i] == '\\') {
			if (i + 1 >= p->len) {
				i = p->len;
				break;
			}
			if (p->q[i + 1] != '"' && p->q[i + 1] != '\\') {
				buf_release(&t);
				return perr(p, ERR_PARSE, _("query: bad escape in phrase at column %zu (only \\\" and \\\\)"), column(p, i));
			}
			start = ++i;
		}
		int n = check_char(p, i, true);
		if (n < 0 || buf_append(&t, p->q + start, (size_t)n) < 0) {
			buf_release(&t);
			return n < 0 ? -1 : perr(p, ERR_LIMIT, _("query: phrase too long"));
		}
		i += (size_t)n;
	}
	if (i >= p->len) {
		buf_release(&t);
		return perr(p, ERR_PARSE, _("query: unterminated phrase at column %zu"), column(p, off));
	}
	if (t.len == 0) {
		buf_release(&t);
		return perr(p, ERR_PARSE, _("query: empty phrase at column %zu"), column(p, off));
	}
	p->pos = i + 1;
	*text_r = buf_detach(&t, NULL);
	return 0;
}

static int days_in_month(long y, long m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dim[m - 1] + (m == 2 && leap);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(long y, long m, long d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, long *y_r, long *m_r, long *d_r)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = (long)(z - era * 146097);
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d_r = doy - (153 * mp + 2) / 5 + 1;
	*m_r = mp < 10 ? mp + 3 : mp - 9;
	*y_r = (long)(yoe + era * 400) + (*m_r <= 2);
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static long num(const char *s, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* YYYY-MM-DD, a real date with a year in 1000..9999; value is its start. */
static int parse_date(const char *s, size_t n, int64_t *value_r)
{
	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) ||
	    !digits(s + 5, 2) || !digits(s + 8, 2) || s[0] == '0')
		return -1;
	long y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*value_r = days_from_civil(y, m, d) * DAY;
	return 0;
}

/* Digits with an optional k, M or G (either case, powers of 1024). */
static int parse_size(const char *s, size_t n, int64_t *value_r)
{
	unsigned shift = 0;
	if (n > 1) {
		switch (s[n - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: break;
		}
	}
	size_t nd = n - (shift != 0);
	if (nd == 0 || !digits(s, nd))
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < nd; i++) {
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > (INT64_MAX >> shift))
		return -1;
	*value_r = v << shift;
	return 0;
}

static struct query_node *node_new(enum query_kind kind)
{
	struct query_node *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	return n;
}

/* Fills leaf n of a field whose value is v[0..vn); off is the term's. */
static int field_value(struct parser *p, struct query_node *n, const char *v,
		       size_t vn, bool phrase, size_t off)
{
	char sv[SHOW_MAX + 4];
	switch (n->kind) {
	case QUERY_FLAG:
		for (size_t i = 0; i < N_FLAGS; i++)
			if (strlen(flag_names[i]) == vn && str_eqn_ci(v, flag_names[i], vn)) {
				n->flag = (unsigned)i;
				return 0;
			}
		return perr(p, ERR_PARSE, _("query: unknown value 'is:%s' at column %zu (want unread, read, flagged, answered or deleted)"),
			    show(v, vn, sv), column(p, off));
	case QUERY_HAS_ATTACHMENT:
		if (vn == 10 && str_eqn_ci(v, "attachment", vn))
			return 0;
		return perr(p, ERR_PARSE, _("query: unknown value 'has:%s' at column %zu (want attachment)"),
			    show(v, vn, sv), column(p, off));
	case QUERY_DATE_BEFORE:
	case QUERY_DATE_AFTER:
	case QUERY_DATE_ON:
		if (parse_date(v, vn, &n->value) < 0)
			return perr(p, ERR_PARSE, _("query: invalid date '%s' at column %zu (want a real date as YYYY-MM-DD)"),
			    show(v, vn, sv), column(p, off));
		if (n->kind == QUERY_DATE_AFTER)
			n->value += DAY;
		return 0;
	case QUERY_LARGER:
	case QUERY_SMALLER:
		if (parse_size(v, vn, &n->value) < 0)
			return perr(p, ERR_PARSE, _("query: invalid size '%s' at column %zu (want a number with an optional k, M or G)"),
			    show(v, vn, sv), column(p, off));
		return 0;
	default:
		n->text = xstrndup(v, vn);
		n->phrase = phrase;
		return 0;
	}
}

/* The word q[off..off+wn) has the field form NAME:VALUE (NAME letters);
 * VALUE may also be a phrase right after the ':'. */
static int lex_field(struct parser *p, size_t off, size_t wn, size_t name_n)
{
	char sv[SHOW_MAX + 4];
	const struct field *f = NULL;
	for (size_t i = 0; i < N_FIELDS && f == NULL; i++)
		if (strlen(fields[i].name) == name_n &&
		    str_eqn_ci(p->q + off, fields[i].name, name_n))
			f = &fields[i];
	if (f == NULL)
		return perr(p, ERR_PARSE, _("query: unknown field '%s' at column %zu (quote it to search for it)"),
			    show(p->q + off, name_n + 1, sv), column(p, off));
	struct query_node *n = node_new(f->kind);
	char *phrase = NULL;
	const char *v = p->q + off + name_n + 1;
	size_t vn = wn - name_n - 1;
	int rc = 0;
	if (vn == 0 && p->pos < p->len && p->q[p->pos] == '"') {
		rc = lex_phrase(p, p->pos, &phrase);
		if (rc == 0)
			v = phrase, vn = strlen(phrase);
	} else if (vn == 0) {
		rc = perr(p, ERR_PARSE, _("query: empty value for '%s' at column %zu"),
			    show(p->q + off, name_n + 1, sv), column(p, off));
	}
	if (rc == 0)
		rc = field_value(p, n, v, vn, phrase != NULL, off);
	free(phrase);
	if (rc < 0) {
		query_free(&n);
		return -1;
	}
	p->tok.term = n;
	return 0;
}

static int lex_word(struct parser *p)
{
	size_t off = p->pos, i = off;
	while (i < p->len && !ends_word((unsigned char)p->q[i])) {
		int n = check_char(p, i, false);
		if (n < 0)
			return -1;
		i += (size_t)n;
	}
	size_t wn = i - off;
	const char *w = p->q + off;
	p->pos = i;
	p->tok.len = wn;
	if (wn == 2 && memcmp(w, "OR", 2) == 0)
		return p->tok.type = TOK_OR, 0;
	if (wn == 3 && memcmp(w, "AND", 3) == 0)
		return p->tok.type = TOK_AND, 0;
	if (wn == 3 && memcmp(w, "NOT", 3) == 0)
		return p->tok.type = TOK_NOT, 0;
	p->tok.type = TOK_TERM;
	size_t k = 0;
	while (k < wn && is_alpha((unsigned char)w[k]))
		k++;
	if (k > 0 && k < wn && w[k] == ':')
		return lex_field(p, off, wn, k);
	p->tok.term = node_new(QUERY_TEXT);
	p->tok.term->text = xstrndup(w, wn);
	return 0;
}

/* Moves to the next token; the current one becomes prev. */
static int lex(struct parser *p)
{
	query_free(&p->tok.term);
	p->prev = p->tok;
	while (p->pos < p->len && is_blank((unsigned char)p->q[p->pos]))
		p->pos++;
	struct tok *t = &p->tok;
	t->off = p->pos;
	t->len = 1;
	if (p->pos >= p->len) {
		t->type = TOK_END;
		t->len = 0;
		return 0;
	}
	char c = p->q[p->pos];
	if (c == '(' || c == ')') {
		t->type = c == '(' ? TOK_LPAREN : TOK_RPAREN;
		p->pos++;
		return 0;
	}
	if (c == '-') {
		t->type = TOK_MINUS;
		p->pos++;
		if (p->pos >= p->len || is_blank((unsigned char)p->q[p->pos]) ||
		    p->q[p->pos] == ')')
			return perr(p, ERR_PARSE, _("query: nothing after '-' at column %zu"), column(p, t->off));
		return 0;
	}
	if (c == '"') {
		t->type = TOK_TERM;
		char *text;
		if (lex_phrase(p, t->off, &text) < 0)
			return -1;
		t->len = p->pos - t->off;
		t->term = node_new(QUERY_TEXT);
		t->term->text = text;
		t->term->phrase = true;
		return 0;
	}
	return lex_word(p);
}

static bool starts_unary(enum tok_type t)
{
	return t == TOK_TERM || t == TOK_LPAREN || t == TOK_NOT || t == TOK_MINUS;
}

static bool is_operator(enum tok_type t)
{
	return t == TOK_OR || t == TOK_AND || t == TOK_NOT || t == TOK_MINUS;
}

/* The current token cannot start a term: say why, naming it. */
static int not_a_term(struct parser *p)
{
	const struct tok *t = &p->tok, *prev = &p->prev;
	if (t->type == TOK_END && prev->type == TOK_NONE)
		return perr(p, ERR_PARSE, _("query: empty query"));
	if (t->type == TOK_END && prev->type == TOK_LPAREN)
		return perr(p, ERR_PARSE, _("query: '(' at column %zu is never closed"), column(p, prev->off));
	if (t->type == TOK_RPAREN && prev->type == TOK_LPAREN)
		return perr(p, ERR_PARSE, _("query: empty parentheses at column %zu"), column(p, prev->off));
	if (t->type == TOK_END && is_operator(prev->type)) {
		return perr(p, ERR_PARSE, _("query: nothing after '%s' at column %zu"),
			    tok_text(prev), column(p, prev->off));
	}
	return perr(p, ERR_PARSE, _("query: unexpected '%s' at column %zu"),
		    tok_text(t), column(p, t->off));
}

/* The parse_* functions leave in *r (NULL on entry) what they built, also
 * on failure, for the caller to free. */
static int parse_or(struct parser *p, struct query_node **r);

static struct query_node *node_pair(enum query_kind kind, struct query_node *a,
				    struct query_node *b)
{
	struct query_node *n = node_new(kind);
	n->a = a;
	n->b = b;
	return n;
}

static int deeper(struct parser *p)
{
	if (++p->depth > QUERY_MAX_DEPTH)
		return perr(p, ERR_LIMIT, _("query: nesting deeper than %d at column %zu"),
			    QUERY_MAX_DEPTH, column(p, p->tok.off));
	return 0;
}

static int parse_primary(struct parser *p, struct query_node **r)
{
	if (p->tok.type == TOK_TERM) {
		if (++p->terms > QUERY_MAX_TERMS)
			return perr(p, ERR_LIMIT, _("query: more than %d terms at column %zu"),
				    QUERY_MAX_TERMS, column(p, p->tok.off));
		*r = p->tok.term;
		p->tok.term = NULL;
		return lex(p);
	}
	if (p->tok.type != TOK_LPAREN)
		return not_a_term(p);
	size_t open = p->tok.off;
	if (deeper(p) < 0 || lex(p) < 0 || parse_or(p, r) < 0)
		return -1;
	if (p->tok.type != TOK_RPAREN)
		return perr(p, ERR_PARSE, _("query: '(' at column %zu is never closed"), column(p, open));
	p->depth--;
	return lex(p);
}

static int parse_unary(struct parser *p, struct query_node **r)
{
	if (p->tok.type != TOK_NOT && p->tok.type != TOK_MINUS)
		return parse_primary(p, r);
	if (deeper(p) < 0 || lex(p) < 0)
		return -1;
	struct query_node *a = NULL;
	int rc = parse_unary(p, &a);
	*r = node_pair(QUERY_NOT, a, NULL);
	p->depth--;
	return rc;
}

static int parse_and(struct parser *p, struct query_node **r)
{
	if (parse_unary(p, r) < 0)
		return -1;
	while (starts_unary(p->tok.type) || p->tok.type == TOK_AND) {
		if (p->tok.type == TOK_AND && lex(p) < 0)
			return -1;
		struct query_node *b = NULL;
		int rc = parse_unary(p, &b);
		*r = node_pair(QUERY_AND, *r, b);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int parse_or(struct parser *p, struct query_node **r)
{
	if (parse_and(p, r) < 0)
		return -1;
	while (p->tok.type == TOK_OR) {
		if (lex(p) < 0)
			return -1;
		struct query_node *b = NULL;
		int rc = parse_and(p, &b);
		*r = node_pair(QUERY_OR, *r, b);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int query_parse(const char *q, size_t len, struct query_node **root_r,
		struct err *e)
{
	*root_r = NULL;
	if (len > QUERY_MAX_LEN)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT,
			       _("query: longer than %zu bytes"), QUERY_MAX_LEN);
	struct parser p = { .q = q, .len = len, .e = e };
	struct query_node *root = NULL;
	int rc = lex(&p);
	if (rc == 0)
		rc = parse_or(&p, &root);
	if (rc == 0 && p.tok.type == TOK_RPAREN)
		rc = perr(&p, ERR_PARSE, _("query: unexpected ')' at column %zu"),
			  column(&p, p.tok.off));
	query_free(&p.tok.term);
	if (rc < 0) {
		query_free(&root);
		return -1;
	}
	*root_r = root;
	return 0;
}

void query_free(struct query_node **root)
{
	struct query_node *n = *root;
	if (n == NULL)
		return;
	query_free(&n->a);
	query_free(&n->b);
	free(n->text);
	free(n);
	*root = NULL;
}

/* ---- canonical form ---- */

static const char *field_name(enum query_kind kind)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].kind == kind)
			return fields[i].name;
	return NULL;
}

/* Whether text would lex back as the same bare word. */
static bool bare_ok(const char *s, enum query_kind kind)
{
	size_t n = strlen(s), k = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (ends_word(c) || c < 0x20 || c == 0x7f)
			return false;
	}
	if (kind != QUERY_TEXT)
		return true;
	while (k < n && is_alpha((unsigned char)s[k]))
		k++;
	return s[0] != '-' && !(k > 0 && s[k] == ':') && strcmp(s, "OR") != 0 &&
	       strcmp(s, "AND") != 0 && strcmp(s, "NOT") != 0;
}

static int print_text(const struct query_node *n, struct buf *out)
{
	const char *s = n->text ? n->text : "";
	if (!n->phrase && bare_ok(s, n->kind))
		return buf_append_str(out, s);
	if (buf_append_char(out, '"') < 0)
		return -1;
	for (; *s; s++)
		if (((*s == '"' || *s == '\\') && buf_append_char(out, '\\') < 0) ||
		    buf_append_char(out, *s) < 0)
			return -1;
	return buf_append_char(out, '"');
}

static int print_leaf(const struct query_node *n, struct buf *out)
{
	const char *name = field_name(n->kind);
	if (name != NULL && buf_printf(out, "%s:", name) < 0)
		return -1;
	long y, m, d;
	switch (n->kind) {
	case QUERY_FLAG:
		return buf_append_str(out, n->flag < N_FLAGS ? flag_names[n->flag] : "?");
	case QUERY_HAS_ATTACHMENT:
		return buf_append_str(out, "attachment");
	case QUERY_DATE_BEFORE:
	case QUERY_DATE_AFTER:
	case QUERY_DATE_ON:
		civil_from_days(n->value / DAY - (n->kind == QUERY_DATE_AFTER), &y, &m, &d);
		return buf_printf(out, "%04ld-%02ld-%02ld", y, m, d);
	case QUERY_LARGER:
	case QUERY_SMALLER:
		return buf_printf(out, "%lld", (long long)n->value);
	default:
		return print_text(n, out);
	}
}

static int print_node(const struct query_node *n, struct buf *out);

static int print_child(const struct query_node *n, bool parens, struct buf *out)
{
	if (!parens)
		return print_node(n, out);
	if (buf_append_char(out, '(') < 0 || print_node(n, out) < 0)
		return -1;
	return buf_append_char(out, ')');
}

static bool is_binary(const struct query_node *n)
{
	return n->kind == QUERY_AND || n->kind == QUERY_OR;
}

static int print_node(const struct query_node *n, struct buf *out)
{
	switch (n->kind) {
	case QUERY_NOT:
		if (buf_append_char(out, '-') < 0)
			return -1;
		return print_child(n->a, is_binary(n->a), out);
	case QUERY_AND:
		if (print_child(n->a, n->a->kind == QUERY_OR, out) < 0 ||
		    buf_append_char(out, ' ') < 0)
			return -1;
		return print_child(n->b, is_binary(n->b), out);
	case QUERY_OR:
		if (print_node(n->a, out) < 0 || buf_append_str(out, " OR ") < 0)
			return -1;
		return print_child(n->b, n->b->kind == QUERY_OR, out);
	default:
		return print_leaf(n, out);
	}
}

int query_to_string(const struct query_node *n, struct buf *out)
{
	return print_node(n, out);
}
