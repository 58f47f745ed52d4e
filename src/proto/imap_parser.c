/* imap_parser: see imap_parser.h.
 *
 * Two stages.  Gathering (feed_line, feed_literal) copies a response's
 * bytes into p->raw: its lines with their line ends, and each literal's
 * bytes followed by one NUL that is not on the wire (so that a literal is
 * a C string where it lies).  A status or continuation response is one
 * line; a line of a data response that ends in "{n}" announces a literal.
 * Parsing (parse_response) then runs once over the complete response and
 * builds the tree with pointers into p->raw.  It writes nothing into
 * p->raw until finish(), which NUL-terminates the atoms and removes the
 * escapes of quoted strings: a response code that is given up half-parsed
 * then leaves the text after it intact.
 *
 * The tree: arguments wait on the p->pend stack until their list closes;
 * then they are copied, contiguous, into the arena (blocks that never
 * move).  At the end the stack holds the top level, and a long one becomes
 * an arena block itself: a flat "* SEARCH" of a million numbers costs one
 * struct imap_arg per number, a nested tree at most two. */
#include "config.h"

#include "imap_parser.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"
#include "sanitize.h"
#include "str.h"

#define QUOTE_MAX 40                  /* server bytes quoted in an error */
#define ARENA_BLOCK 512               /* arguments per arena block */
#define RAW_KEEP ((size_t)256 * 1024) /* kept between responses */
#define PENDING_KEEP 4096
#define NUMBER64_MAX ((uint64_t)INT64_MAX)

struct arg_block {
	struct arg_block *next;
	size_t cap, used;
	struct imap_arg v[];
};

/* Where the arena stood, to give up a response code's arguments. */
struct arena_mark {
	struct arg_block *block;
	size_t used, n_pending, n_args;
};

enum stage { STAGE_LINE, STAGE_LITERAL, STAGE_DONE, STAGE_ERROR };

struct imap_parser {
	struct imap_parser_limits lim;  /* defaults filled in */
	enum stage stage;
	struct err error;               /* the error, once STAGE_ERROR */
	/* gathering */
	struct buf raw;
	size_t line_start;              /* offset in raw of the current line */
	bool first_line, one_line;
	uint64_t wire;                  /* bytes of the response on the wire */
	uint64_t lit_total, lit_got;
	/* parsing */
	struct arg_block *pend;         /* the stack; NULL until needed */
	size_t *opens;                  /* index in pend of each open list's
					   first child */
	size_t cap_opens;
	size_t n_args;
	struct arg_block *blocks;       /* newest first */
	struct imap_response resp;
};

/* The parser's view of a complete response. */
struct scan {
	char *s;
	size_t pos, end;  /* data: end of raw; code: its line end (CR or LF) */
	bool code;        /* inside "[" resp-text-code "]" */
};

static const char *const status_words[] = {
	[IMAP_STATUS_OK] = "OK", [IMAP_STATUS_NO] = "NO", [IMAP_STATUS_BAD] = "BAD",
	[IMAP_STATUS_BYE] = "BYE", [IMAP_STATUS_PREAUTH] = "PREAUTH",
};

/* ---- errors ---- */

struct quoted {
	char s[QUOTE_MAX * 3 + 4];
};

/* s[0..n), sanitised and shortened for an error message. */
static const char *quote(struct quoted *q, const char *s, size_t n)
{
	struct buf b;
	buf_init(&b, sizeof(q->s) - 4);
	bool cut = n > QUOTE_MAX;
	if (sanitize_text(s, cut ? QUOTE_MAX : n, SANITIZE_LINE, &b) < 0)
		cut = true;
	memcpy(q->s, b.data, b.len);
	memcpy(q->s + b.len, cut ? "..." : "", cut ? 4 : 1);
	buf_release(&b);
	return q->s;
}

static int __attribute__((format(printf, 3, 4)))
fail(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, ERR_ACCOUNT, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- lifecycle ---- */

static void arena_clear(struct imap_parser *p)
{
	struct arg_block *keep = NULL;
	while (p->blocks != NULL) {
		struct arg_block *b = p->blocks;
		p->blocks = b->next;
		if (keep == NULL && b->cap == ARENA_BLOCK)
			keep = b;
		else
			free(b);
	}
	if (keep != NULL) {
		keep->used = 0;
		keep->next = NULL;
		p->blocks = keep;
	}
}

/* The largest p->raw can get: the response and one NUL per literal
 * (each literal costs at least "{0}" LF, 4 bytes, on the wire). */
static size_t raw_max(const struct imap_parser_limits *l)
{
	size_t extra = l->response_max / 4 + 16;
	return l->response_max > SIZE_MAX - 1 - extra ? SIZE_MAX - 1
						       : l->response_max + extra;
}

static void response_start(struct imap_parser *p)
{
	if (p->raw.cap > RAW_KEEP) {
		buf_release(&p->raw);
		buf_init(&p->raw, raw_max(&p->lim));
	}
	buf_reset(&p->raw);
	arena_clear(p);
	if (p->pend != NULL && p->pend->cap > PENDING_KEEP)
		xfree(&p->pend);
	if (p->pend != NULL)
		p->pend->used = 0;
	p->n_args = 0;
	p->line_start = 0;
	p->first_line = true;
	p->one_line = false;
	p->wire = p->lit_total = p->lit_got = 0;
	memset(&p->resp, 0, sizeof(p->resp));
	p->stage = STAGE_LINE;
}

struct imap_parser *imap_parser_new(const struct imap_parser_limits *lim)
{
	struct imap_parser *p = xcalloc(1, sizeof(*p));
	if (lim != NULL)
		p->lim = *lim;
	if (p->lim.line_max == 0)
		p->lim.line_max = IMAP_PARSER_LINE_MAX;
	if (p->lim.line_max > SIZE_MAX / 2)
		p->lim.line_max = SIZE_MAX / 2;
	if (p->lim.literal_max == 0)
		p->lim.literal_max = IMAP_PARSER_LITERAL_MAX;
	if (p->lim.response_max == 0)
		p->lim.response_max = IMAP_PARSER_RESPONSE_MAX;
	if (p->lim.depth_max == 0)
		p->lim.depth_max = IMAP_PARSER_DEPTH_MAX;
	if (p->lim.args_max == 0)
		p->lim.args_max = IMAP_PARSER_ARGS_MAX;
	buf_init(&p->raw, raw_max(&p->lim));
	imap_parser_reset(p);
	return p;
}

void imap_parser_free(struct imap_parser **pp)
{
	struct imap_parser *p = *pp;
	if (p == NULL)
		return;
	buf_release(&p->raw);
	arena_clear(p);
	free(p->blocks);
	free(p->pend);
	free(p->opens);
	free(p);
	*pp = NULL;
}

void imap_parser_reset(struct imap_parser *p)
{
	err_init(&p->error);
	response_start(p);
}

const struct imap_response *imap_parser_response(const struct imap_parser *p)
{
	return p->stage == STAGE_DONE ? &p->resp : NULL;
}

uint64_t imap_parser_literal_wanted(const struct imap_parser *p)
{
	return p->stage == STAGE_LITERAL ? p->lit_total - p->lit_got : 0;
}

void imap_parser_literal_progress(const struct imap_parser *p, uint64_t *got_r,
				  uint64_t *total_r)
{
	bool in = p->stage == STAGE_LITERAL;
	*got_r = in ? p->lit_got : 0;
	*total_r = in ? p->lit_total : 0;
}

/* ---- the arena ---- */

static struct imap_arg *arena_copy(struct imap_parser *p, const struct imap_arg *v,
				   size_t n)
{
	struct arg_block *b = p->blocks;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = xmalloc(sizeof(*b) + cap * sizeof(b->v[0]));
		b->cap = cap;
		b->used = 0;
		b->next = p->blocks;
		p->blocks = b;
	}
	struct imap_arg *to = b->v + b->used;
	memcpy(to, v, n * sizeof(*v));
	b->used += n;
	return to;
}

static struct arena_mark arena_mark(const struct imap_parser *p)
{
	return (struct arena_mark){ .block = p->blocks,
				    .used = p->blocks != NULL ? p->blocks->used : 0,
				    .n_pending = p->pend != NULL ? p->pend->used : 0,
				    .n_args = p->n_args };
}

static void arena_rollback(struct imap_parser *p, const struct arena_mark *m)
{
	while (p->blocks != m->block) {
		struct arg_block *b = p->blocks;
		p->blocks = b->next;
		free(b);
	}
	if (p->blocks != NULL)
		p->blocks->used = m->used;
	if (p->pend != NULL)
		p->pend->used = m->n_pending;
	p->n_args = m->n_args;
}

/* NUL-terminates every atom and unescapes every quoted string in place
 * (literals already end in their NUL).  Only now may p->raw change: the
 * bytes after an atom or inside quotes were all read. */
static void finish(struct imap_parser *p)
{
	for (struct arg_block *b = p->blocks; b != NULL; b = b->next) {
		for (size_t i = 0; i < b->used; i++) {
			struct imap_arg *a = &b->v[i];
			char *s = (char *)a->str;
			size_t w = 0;
			if (a->type == IMAP_ARG_ATOM) {
				s[a->len] = '\0';
			} else if (a->type == IMAP_ARG_STRING) {
				for (size_t r = 0; r < a->len; r++)
					s[w++] = s[r] == '\\' ? s[++r] : s[r];
				s[w] = '\0';
				a->len = w;
			}
		}
	}
}

/* ---- building the tree ---- */

static int push(struct imap_parser *p, const struct imap_arg *a, struct err *e)
{
	if (p->n_args >= p->lim.args_max)
		return fail(e, ERR_LIMIT, _("more than %zu arguments in one response"),
			    p->lim.args_max);
	p->n_args++;
	struct arg_block *b = p->pend;
	if (b == NULL || b->used == b->cap) {
		size_t cap = b != NULL ? b->cap * 2 : 16;
		b = xrealloc(b, sizeof(*b) + cap * sizeof(b->v[0]));
		if (p->pend == NULL)
			b->used = 0;
		b->cap = cap;
		p->pend = b;
	}
	b->v[b->used++] = *a;
	return 0;
}

static int open_list(struct imap_parser *p, size_t *depth, struct err *e)
{
	if (*depth >= p->lim.depth_max)
		return fail(e, ERR_LIMIT, _("lists nested deeper than %u"),
			    p->lim.depth_max);
	struct imap_arg a = { .type = IMAP_ARG_LIST };
	if (push(p, &a, e) < 0)
		return -1;
	p->opens = xgrow(p->opens, &p->cap_opens, *depth + 1, sizeof(*p->opens));
	p->opens[(*depth)++] = p->pend->used;
	return 0;
}

static void close_list(struct imap_parser *p, size_t first)
{
	struct arg_block *b = p->pend;
	size_t n = b->used - first;
	b->v[first - 1].len = n;
	b->v[first - 1].list = n > 0 ? arena_copy(p, b->v + first, n) : NULL;
	b->used = first;
}

/* ---- tokens ---- */

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* A byte that may stand between "{" and "}" (then checked as a size). */
static bool size_char(unsigned char c)
{
	return !is_ctl(c) && c != ' ' && !strchr("{}\"()", c);
}

/* The size of "{x}", x[0..n): number64 (RFC 9051 s9), no "+". */
static int literal_size(const char *x, size_t n, uint64_t *v_r, struct err *e)
{
	struct quoted q;
	uint64_t v = 0;
	if (n > 0 && x[n - 1] == '+')
		return fail(e, ERR_PARSE,
			    _("a non-synchronizing literal {%s} from the server"),
			    quote(&q, x, n));
	if (n == 0)
		return fail(e, ERR_PARSE, _("an empty literal size {}"));
	for (size_t i = 0; i < n; i++) {
		if (x[i] < '0' || x[i] > '9')
			return fail(e, ERR_PARSE, _("bad literal size {%s}"),
				    quote(&q, x, n));
		unsigned d = (unsigned)(x[i] - '0');
		if (v > (NUMBER64_MAX - d) / 10)
			return fail(e, ERR_PARSE,
				    _("literal size {%s} beyond 63 bits"),
				    quote(&q, x, n));
		v = v * 10 + d;
	}
	*v_r = v;
	return 0;
}

static int scan_atom(struct imap_parser *p, struct scan *sc, struct err *e)
{
	const char *s = sc->s;
	size_t start = sc->pos, brackets = 0;
	for (;; sc->pos++) {
		unsigned char c = (unsigned char)s[sc->pos];
		if (c == '\r' || c == '\n') {
			if (brackets > 0)
				return fail(e, ERR_PARSE, _("\"[\" without \"]\" in \"%s\""),
					    quote(&(struct quoted){ 0 }, s + start, sc->pos - start));
			break;
		}
		if (is_ctl(c))
			return fail(e, ERR_PARSE, _("a control character (0x%02X) in an atom"),
				    c);
		if (brackets > 0) {
			brackets += c == '[';
			brackets -= c == ']';
			continue;
		}
		if (c == ' ' || c == '(' || c == ')' || c == '{' || c == '"' ||
		    (c == ']' && sc->code))
			break;
		if (c == '[')
			brackets = 1;
	}
	size_t len = sc->pos - start;
	struct imap_arg a = { .type = IMAP_ARG_ATOM, .str = s + start, .len = len };
	if (len == 3 && str_eqn_ci(a.str, "NIL", 3))
		a = (struct imap_arg){ .type = IMAP_ARG_NIL };
	return push(p, &a, e);
}

static int scan_quoted(struct imap_parser *p, struct scan *sc, struct err *e)
{
	const char *s = sc->s;
	size_t start = ++sc->pos;
	for (;;) {
		unsigned char c = (unsigned char)s[sc->pos];
		if (c == '"')
			break;
		if (c == '\\' && (s[sc->pos + 1] == '\\' || s[sc->pos + 1] == '"')) {
			sc->pos += 2;
			continue;
		}
		if (c == '\\' && s[sc->pos + 1] != '\r' && s[sc->pos + 1] != '\n')
			return fail(e, ERR_PARSE, _("a bad escape \"%s\" in a quoted string"),
				    quote(&(struct quoted){ 0 }, s + sc->pos, 2));
		if (c == '\r' || c == '\n' || c == '\\')
			return fail(e, ERR_PARSE, _("a line break in a quoted string"));
		sc->pos++; /* gathering refused NUL; every line ends in LF */
	}
	struct imap_arg a = { .type = IMAP_ARG_STRING, .str = s + start,
			      .len = sc->pos - start };
	sc->pos++;
	return push(p, &a, e);
}

/* "{n}" or "~{n}", its line end, then the n bytes gathered after it and
 * the NUL gathering put after them. */
static int scan_literal(struct imap_parser *p, struct scan *sc, struct err *e)
{
	const char *s = sc->s;
	bool literal8 = s[sc->pos] == '~';
	size_t open = sc->pos + literal8, close = open + 1;
	uint64_t n;
	while (size_char((unsigned char)s[close]))
		close++;
	if (s[close] != '}')
		return fail(e, ERR_PARSE, _("bad literal size \"%s\""),
			    quote(&(struct quoted){ 0 }, s + open, close - open));
	if (literal_size(s + open + 1, close - open - 1, &n, e) < 0)
		return -1;
	size_t at = close + 1;
	if (s[at] == '\r')
		at++;
	if (s[at] != '\n')
		return fail(e, ERR_PARSE, _("a literal size not at the end of its line"));
	at++;
	if (n >= sc->end - at || s[at + n] != '\0')
		return fail(e, ERR_PARSE, _("a literal where none was announced"));
	struct imap_arg a = { .type = IMAP_ARG_LITERAL, .str = s + at, .len = (size_t)n,
			      .literal8 = literal8 };
	sc->pos = at + (size_t)n + 1;
	return push(p, &a, e);
}

static int scan_token(struct imap_parser *p, struct scan *sc, struct err *e)
{
	unsigned char c = (unsigned char)sc->s[sc->pos];
	if (c == '"')
		return scan_quoted(p, sc, e);
	if (c == '{' || (c == '~' && sc->s[sc->pos + 1] == '{')) {
		if (sc->code)
			return fail(e, ERR_PARSE, _("a literal in a response code"));
		return scan_literal(p, sc, e);
	}
	if (is_ctl(c))
		return fail(e, ERR_PARSE, _("a control character (0x%02X) in a response"),
			    c);
	return scan_atom(p, sc, e);
}

/* After the last argument: a code's "]", or the response's last line end. */
static int args_end(struct imap_parser *p, struct scan *sc, size_t base, size_t depth,
		    struct imap_arg **args_r, size_t *n_r, struct err *e)
{
	const char *s = sc->s;
	if (depth > 0)
		return fail(e, ERR_PARSE, _("a list not closed by \")\""));
	if (sc->code) {
		if (s[sc->pos] != ']')
			return fail(e, ERR_PARSE, _("a response code not closed by \"]\""));
		sc->pos++;
	} else {
		size_t at = sc->pos + (s[sc->pos] == '\r');
		if (s[at] != '\n')
			return fail(e, ERR_PARSE, _("a CR not followed by LF"));
		if (at + 1 != sc->end)
			return fail(e, ERR_PARSE, _("a line end where a literal was announced"));
	}
	struct arg_block *b = p->pend;
	size_t n = b != NULL ? b->used - base : 0;
	*n_r = n;
	if (n == 0) {
		*args_r = NULL;
	} else if (base == 0 && n >= ARENA_BLOCK) {
		*args_r = b->v; /* the stack becomes an arena block */
		b->next = p->blocks;
		p->blocks = b;
		p->pend = NULL;
	} else {
		*args_r = arena_copy(p, b->v + base, n);
		b->used = base;
	}
	return 0;
}

/* Arguments separated by spaces, up to the end (see args_end). */
static int parse_args(struct imap_parser *p, struct scan *sc, struct imap_arg **args_r,
		      size_t *n_r, struct err *e)
{
	enum { SEP_NONE, SEP_CLOSE, SEP_TOKEN } prev = SEP_NONE;
	size_t base = p->pend != NULL ? p->pend->used : 0, depth = 0;
	for (;;) {
		unsigned char c = (unsigned char)sc->s[sc->pos];
		if (c == ' ') {
			sc->pos++;
			prev = SEP_NONE;
		} else if (c == ')') {
			if (depth == 0)
				return fail(e, ERR_PARSE, _("\")\" without \"(\""));
			close_list(p, p->opens[--depth]);
			sc->pos++;
			prev = SEP_CLOSE;
		} else if (c == '\r' || c == '\n' || (c == ']' && sc->code)) {
			return args_end(p, sc, base, depth, args_r, n_r, e);
		} else if (prev == SEP_TOKEN || (prev == SEP_CLOSE && c != '(')) {
			return fail(e, ERR_PARSE, _("no space before \"%s\""),
				    quote(&(struct quoted){ 0 }, sc->s + sc->pos, 1));
		} else if (c == '(') {
			if (open_list(p, &depth, e) < 0)
				return -1;
			sc->pos++;
			prev = SEP_NONE;
		} else {
			if (scan_token(p, sc, e) < 0)
				return -1;
			prev = SEP_TOKEN;
		}
	}
}

/* ---- responses ---- */

/* Length of the word at s[0..n): up to SP, "[", CR or LF. */
static size_t word_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != ' ' && s[i] != '[' && s[i] != '\r' && s[i] != '\n')
		i++;
	return i;
}

static enum imap_status status_of(const char *s, size_t n)
{
	for (size_t st = IMAP_STATUS_OK; st <= IMAP_STATUS_PREAUTH; st++)
		if (strlen(status_words[st]) == n && str_eqn_ci(s, status_words[st], n))
			return (enum imap_status)st;
	return IMAP_STATUS_NONE;
}

static bool code_name_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && !strchr("(){\"%*\\[]", c);
}

/* "[" at s[i]: the response code, if it is one (see imap_parser.h).
 * Returns where the text starts. */
static size_t parse_code(struct imap_parser *p, size_t i, size_t te)
{
	struct imap_response *r = &p->resp;
	char *s = p->raw.data;
	size_t name = i + 1, j = name, text;
	while (j < te && code_name_char((unsigned char)s[j]))
		j++;
	if (j == name || j == te || (s[j] != ']' && s[j] != ' '))
		return i;
	text = j + 1;
	if (s[j] == ' ') {
		struct scan sc = { .s = s, .pos = j + 1, .end = te, .code = true };
		struct arena_mark m = arena_mark(p);
		struct err ignored;
		if (parse_args(p, &sc, &r->code_args, &r->n_code_args, &ignored) == 0) {
			text = sc.pos;
		} else {
			arena_rollback(p, &m);
			r->code_args = NULL;
			r->n_code_args = 0;
			const char *close = memchr(s + j, ']', te - j);
			if (close == NULL)
				return i;
			text = (size_t)(close - s) + 1;
		}
	}
	for (size_t k = name; k < j; k++)
		if (s[k] >= 'a' && s[k] <= 'z')
			s[k] = (char)(s[k] - 'a' + 'A');
	s[j] = '\0';
	r->code = s + name;
	return text;
}

/* After the status word, which ends at s[i]: [SP] ["[" code "]" [SP]] text. */
static int parse_status(struct imap_parser *p, enum imap_status st, size_t i, size_t te)
{
	char *s = p->raw.data;
	p->resp.status = st;
	if (i < te && s[i] == ' ')
		i++;
	if (i < te && s[i] == '[') {
		size_t text = parse_code(p, i, te);
		if (text != i && text < te && s[text] == ' ')
			text++;
		i = text;
	}
	p->resp.text = s + i;
	s[te] = '\0';
	return 0;
}

static bool tag_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && !strchr("(){%*\"\\+", c);
}

static int parse_tagged(struct imap_parser *p, size_t te)
{
	struct quoted q;
	char *s = p->raw.data;
	size_t i = 0, tag_end, w;
	while (i < te && s[i] != ' ') {
		if (!tag_char((unsigned char)s[i]))
			return fail(&p->error, ERR_PARSE, _("a bad tag in \"%s\""),
				    quote(&q, s, te));
		i++;
	}
	tag_end = i;
	while (i < te && s[i] == ' ')
		i++;
	w = word_len(s + i, te - i);
	enum imap_status st = status_of(s + i, w);
	if (tag_end == te || (st != IMAP_STATUS_OK && st != IMAP_STATUS_NO &&
			      st != IMAP_STATUS_BAD))
		return fail(&p->error, ERR_PARSE,
			    _("a tagged response without OK, NO or BAD: \"%s\""),
			    quote(&q, s, te));
	s[tag_end] = '\0';
	p->resp.kind = IMAP_RESP_TAGGED;
	p->resp.tag = s;
	return parse_status(p, st, i + w, te);
}

/* "*" then a status word, on one line. */
static int parse_untagged_status(struct imap_parser *p, size_t te)
{
	char *s = p->raw.data;
	size_t i = 1;
	if (s[i] != ' ')
		return fail(&p->error, ERR_PARSE, _("no space after \"*\""));
	while (s[i] == ' ')
		i++;
	size_t w = word_len(s + i, te - i);
	p->resp.kind = IMAP_RESP_UNTAGGED;
	return parse_status(p, status_of(s + i, w), i + w, te);
}

static int parse_continuation(struct imap_parser *p, size_t te)
{
	char *s = p->raw.data;
	size_t i = 1;
	if (i < te && s[i] != ' ')
		return fail(&p->error, ERR_PARSE, _("no space after \"+\""));
	if (i < te)
		i++;
	p->resp.kind = IMAP_RESP_CONTINUATION;
	p->resp.text = s + i;
	s[te] = '\0';
	return 0;
}

static int parse_data(struct imap_parser *p)
{
	char *s = p->raw.data;
	size_t i = 1;
	if (s[i] != ' ' && s[i] != '\r' && s[i] != '\n')
		return fail(&p->error, ERR_PARSE, _("no space after \"*\""));
	while (s[i] == ' ')
		i++;
	if (s[i] == '\r' || s[i] == '\n')
		return fail(&p->error, ERR_PARSE, _("an untagged response without content"));
	struct scan sc = { .s = s, .pos = i, .end = p->raw.len };
	p->resp.kind = IMAP_RESP_UNTAGGED;
	return parse_args(p, &sc, &p->resp.args, &p->resp.n_args, &p->error);
}

static int parse_response(struct imap_parser *p)
{
	const char *s = p->raw.data;
	int rc;
	p->resp.bytes = (size_t)p->wire;
	if (!p->one_line) {
		rc = parse_data(p);
	} else {
		size_t te = p->raw.len - 1;
		if (te > 0 && s[te - 1] == '\r')
			te--;
		if (te == 0)
			return fail(&p->error, ERR_PARSE, _("an empty line from the server"));
		if (s[0] == '+')
			rc = parse_continuation(p, te);
		else if (s[0] == '*')
			rc = parse_untagged_status(p, te);
		else
			rc = parse_tagged(p, te);
	}
	if (rc < 0)
		return -1;
	finish(p);
	p->stage = STAGE_DONE;
	return 0;
}

/* ---- gathering ---- */

/* A status or continuation response: no literal can follow its line. */
static bool single_line(const char *line, size_t len)
{
	if (len == 0 || line[0] != '*')
		return true;
	size_t i = 1;
	while (i < len && line[i] == ' ')
		i++;
	return status_of(line + i, word_len(line + i, len - i)) != IMAP_STATUS_NONE;
}

/* Whether line[0..len) ends in "{x}" (the size checked later), and where x
 * is.  Anything between the braces that could not be a size but could be
 * an argument ("{" "\"" SP ...) makes it an ordinary line. */
static bool announces_literal(const char *line, size_t len, size_t *x_r, size_t *n_r,
			      bool *literal8_r)
{
	if (len < 2 || line[len - 1] != '}')
		return false;
	size_t i = len - 1;
	while (i > 0 && size_char((unsigned char)line[i - 1]))
		i--;
	if (i == 0 || line[i - 1] != '{')
		return false;
	*x_r = i;
	*n_r = len - 1 - i;
	*literal8_r = i >= 2 && line[i - 2] == '~';
	return true;
}

static int literal_done(struct imap_parser *p)
{
	if (buf_append_char(&p->raw, '\0') < 0)
		return fail(&p->error, ERR_LIMIT, _("out of memory for a response"));
	p->line_start = p->raw.len;
	p->lit_total = p->lit_got = 0;
	p->stage = STAGE_LINE;
	return 0;
}

static int line_done(struct imap_parser *p)
{
	struct err *e = &p->error;
	const char *line = p->raw.data + p->line_start;
	size_t len = p->raw.len - p->line_start - 1, x, xn;
	bool literal8;
	uint64_t n;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > p->lim.line_max)
		return fail(e, ERR_LIMIT, _("a response line longer than %zu bytes"),
			    p->lim.line_max);
	if (p->first_line)
		p->one_line = single_line(line, len);
	p->first_line = false;
	if (p->one_line || !announces_literal(line, len, &x, &xn, &literal8))
		return parse_response(p);
	if (literal_size(line + x, xn, &n, e) < 0)
		return -1;
	if (n > p->lim.literal_max)
		return fail(e, ERR_LIMIT, _("a literal of %llu bytes, over the limit of %llu"),
			    (unsigned long long)n, (unsigned long long)p->lim.literal_max);
	if (n > p->lim.response_max - p->wire)
		return fail(e, ERR_LIMIT, _("a response longer than %zu bytes"),
			    p->lim.response_max);
	p->lit_total = n;
	p->lit_got = 0;
	p->stage = STAGE_LITERAL;
	return n == 0 ? literal_done(p) : 0;
}

/* Takes bytes of the current line up to its LF.  Bytes are taken so that
 * the first one breaking a rule is the one reported, however the stream
 * is split. */
static int feed_line(struct imap_parser *p, const char *d, size_t n, size_t *used_r)
{
	struct err *e = &p->error;
	size_t have = p->raw.len - p->line_start;
	size_t room = p->lim.line_max + 2 - have; /* content, CR, LF */
	uint64_t resp_room = p->lim.response_max - p->wire;
	const char *lf = memchr(d, '\n', n);
	size_t take = lf != NULL ? (size_t)(lf - d) + 1 : n;
	if (take > room)
		take = room;
	if (resp_room < take)
		take = (size_t)resp_room + 1;
	*used_r = take;
	if (memchr(d, '\0', take) != NULL)
		return fail(e, ERR_PARSE, _("a NUL byte in a response line"));
	if (take > resp_room)
		return fail(e, ERR_LIMIT, _("a response longer than %zu bytes"),
			    p->lim.response_max);
	if (buf_append(&p->raw, d, take) < 0)
		return fail(e, ERR_LIMIT, _("out of memory for a response"));
	p->wire += take;
	if (d[take - 1] == '\n')
		return line_done(p);
	if (take == room)
		return fail(e, ERR_LIMIT, _("a response line longer than %zu bytes"),
			    p->lim.line_max);
	return 0;
}

static int feed_literal(struct imap_parser *p, const char *d, size_t n, size_t *used_r)
{
	uint64_t want = p->lit_total - p->lit_got;
	size_t take = want < n ? (size_t)want : n;
	*used_r = take;
	if (buf_append(&p->raw, d, take) < 0)
		return fail(&p->error, ERR_LIMIT, _("out of memory for a response"));
	p->wire += take;
	p->lit_got += take;
	return p->lit_got == p->lit_total ? literal_done(p) : 0;
}

enum imap_parse_result imap_parser_feed(struct imap_parser *p, const char *data,
					size_t len, size_t *used_r, struct err *e)
{
	size_t used = 0;
	*used_r = 0;
	if (p->stage == STAGE_DONE)
		response_start(p);
	while (p->stage != STAGE_ERROR && used < len) {
		size_t n = 0;
		int rc = p->stage == STAGE_LITERAL
				 ? feed_literal(p, data + used, len - used, &n)
				 : feed_line(p, data + used, len - used, &n);
		used += n;
		*used_r = used;
		if (rc < 0)
			p->stage = STAGE_ERROR;
		else if (p->stage == STAGE_DONE)
			return IMAP_PARSE_RESPONSE;
	}
	if (p->stage != STAGE_ERROR)
		return IMAP_PARSE_NEED_MORE;
	if (e != NULL)
		*e = p->error;
	return IMAP_PARSE_ERROR;
}
