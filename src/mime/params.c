#include "config.h"

#include "params.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "rfc2231.h"
#include "str.h"

/* A position in the field value being read. */
struct scan {
	const char *s;
	size_t len;
	size_t i;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2045 §5.1 token characters. */
static bool is_token_char(char c)
{
	unsigned char u = (unsigned char)c;
	return u > 0x20 && u < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Skips a comment starting at '(' (nested, with quoted-pairs); an
 * unterminated one runs to the end. */
static void skip_comment(struct scan *sc)
{
	size_t depth = 0;
	while (sc->i < sc->len) {
		char c = sc->s[sc->i++];
		if (c == '\\')
			sc->i += sc->i < sc->len;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			return;
	}
}

static void skip_cfws(struct scan *sc)
{
	while (sc->i < sc->len) {
		if (is_blank(sc->s[sc->i]))
			sc->i++;
		else if (sc->s[sc->i] == '(')
			skip_comment(sc);
		else
			return;
	}
}

static size_t scan_token(struct scan *sc)
{
	size_t start = sc->i;
	while (sc->i < sc->len && is_token_char(sc->s[sc->i]))
		sc->i++;
	return sc->i - start;
}

/* Skips to the next ';' outside quotes (not consuming it). */
static void skip_junk(struct scan *sc)
{
	bool quoted = false;
	while (sc->i < sc->len) {
		char c = sc->s[sc->i];
		if (c == ';' && !quoted)
			return;
		if (c == '\\')
			sc->i++;
		else if (c == '"')
			quoted = !quoted;
		sc->i++;
	}
	if (sc->i > sc->len)
		sc->i = sc->len;
}

/* A lower-cased copy of s[0..n). */
static char *lower_dup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);
	for (size_t k = 0; k < n; k++)
		d[k] = ascii_lower(d[k]);
	return d;
}

/* Whether "token *blank =" starts at s[at] (a parameter after a missing
 * ';'). */
static bool param_starts_at(const struct scan *sc, size_t at)
{
	struct scan look = { sc->s, sc->len, at };
	if (scan_token(&look) == 0)
		return false;
	while (look.i < look.len && is_blank(look.s[look.i]))
		look.i++;
	return look.i < look.len && look.s[look.i] == '=';
}

/* Whether s[from..to) holds nothing but blanks and comments. */
static bool only_cfws(const char *s, size_t from, size_t to)
{
	struct scan rest = { s, to, from };
	skip_cfws(&rest);
	return rest.i >= to;
}

void mime_params_init(struct mime_params *p)
{
	memset(p, 0, sizeof(*p));
}

static void free_list(struct mime_param *list, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(list[k].name);
		free(list[k].value);
	}
	free(list);
}

void mime_params_release(struct mime_params *p)
{
	free(p->type);
	free(p->subtype);
	free_list(p->raw, p->n_raw);
	free_list(p->decoded, p->n_decoded);
	mime_params_init(p);
}

/* Appends s[0..n) without NUL bytes, which cannot live in a C string. */
static int append_text(struct buf *b, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k] != '\0' && buf_append_char(b, s[k]) < 0)
			return -1;
	return 0;
}

/* A quoted-string at '"': quoted-pairs undone, line breaks removed
 * (unfolding); an unterminated one runs to the end. */
static int read_quoted(struct scan *sc, struct buf *out)
{
	sc->i++;
	while (sc->i < sc->len) {
		char c = sc->s[sc->i++];
		if (c == '"')
			return 0;
		if (c == '\\') {
			if (sc->i >= sc->len)
				break;
			c = sc->s[sc->i++];
		} else if (c == '\r' || c == '\n') {
			continue;
		}
		if (append_text(out, &c, 1) < 0)
			return -1;
	}
	return 0;
}

/* An unquoted value: up to ';' or a blank before "token=", trailing blanks
 * dropped; a token followed only by comments is just the token. */
static int read_unquoted(struct scan *sc, struct buf *out)
{
	size_t start = sc->i, end;
	while (sc->i < sc->len && sc->s[sc->i] != ';') {
		if (is_blank(sc->s[sc->i]) && sc->i > start &&
		    !is_blank(sc->s[sc->i - 1])) {
			size_t at = sc->i;
			while (at < sc->len && is_blank(sc->s[at]))
				at++;
			if (param_starts_at(sc, at))
				break;
		}
		sc->i++;
	}
	end = sc->i;
	while (end > start && is_blank(sc->s[end - 1]))
		end--;
	struct scan tok = { sc->s, end, start };
	size_t tl = scan_token(&tok);
	if (tl > 0 && only_cfws(sc->s, start + tl, end))
		end = start + tl;
	return append_text(out, sc->s + start, end - start);
}

static bool has_raw(const struct mime_params *p, const char *name, size_t n)
{
	for (size_t k = 0; k < p->n_raw; k++)
		if (strlen(p->raw[k].name) == n && str_eqn_ci(p->raw[k].name, name, n))
			return true;
	return false;
}

/* Reads one "name=value" at sc (past blanks and ';').  Returns 0, or -1
 * if the value was cut at the limit. */
static int read_param(struct scan *sc, struct mime_params *p, size_t *cap)
{
	size_t name_at = sc->i, name_len = scan_token(sc);
	if (name_len == 0) {
		skip_junk(sc);
		return 0;
	}
	skip_cfws(sc);
	if (sc->i >= sc->len || sc->s[sc->i] != '=') {
		if (!param_starts_at(sc, sc->i))
			skip_junk(sc);
		return 0;
	}
	sc->i++;
	skip_cfws(sc);
	struct buf v;
	buf_init(&v, MIME_PARAMS_MAX_VALUE);
	int rc;
	if (sc->i < sc->len && sc->s[sc->i] == '"') {
		rc = read_quoted(sc, &v);
		skip_cfws(sc);
		if (sc->i < sc->len && sc->s[sc->i] != ';' &&
		    !param_starts_at(sc, sc->i))
			skip_junk(sc);
	} else {
		rc = read_unquoted(sc, &v);
	}
	if (!has_raw(p, sc->s + name_at, name_len)) {
		p->raw = xgrow(p->raw, cap, p->n_raw + 1, sizeof(*p->raw));
		p->raw[p->n_raw].name = lower_dup(sc->s + name_at, name_len);
		p->raw[p->n_raw].value = buf_detach(&v, NULL);
		p->n_raw++;
	}
	buf_release(&v);
	return rc;
}

/* Reads "type [/ subtype]".  Returns false if something other than a
 * token, blanks and comments comes before the first ';' (garbage). */
static bool read_type(struct scan *sc, struct mime_params *p)
{
	skip_cfws(sc);
	size_t at = sc->i, n = scan_token(sc);
	p->type = lower_dup(sc->s + at, n);
	skip_cfws(sc);
	if (n > 0 && sc->i < sc->len && sc->s[sc->i] == '/') {
		sc->i++;
		skip_cfws(sc);
		at = sc->i;
		size_t sn = scan_token(sc);
		p->subtype = lower_dup(sc->s + at, sn);
	} else {
		p->subtype = xstrdup("");
	}
	return n > 0 || sc->i >= sc->len || sc->s[sc->i] == ';';
}

/* The base name of an RFC 2231 parameter name: up to the first '*'. */
static size_t base_len(const char *name)
{
	const char *star = strchr(name, '*');
	return star ? (size_t)(star - name) : strlen(name);
}

static const struct mime_param *find(const struct mime_param *list, size_t n,
				     const char *name, size_t len)
{
	for (size_t k = 0; k < n; k++)
		if (strlen(list[k].name) == len && str_eqn_ci(list[k].name, name, len))
			return &list[k];
	return NULL;
}

/* Decodes the parameter with base name base[0..blen) into out, in its
 * RFC 2231 form if it has one, else the plain one (rfc2231.h).  Returns 1
 * if there is one, 0 if not, -1 if a limit cut it. */
static int decode_one(const struct mime_params *p, const struct rfc2231_param *rp,
		      const char *base, size_t blen, struct buf *out)
{
	char *name = xstrndup(base, blen);
	bool found = false;
	int rc = rfc2231_get(rp, p->n_raw, name, out, &found);
	free(name);
	if (!found)
		return 0;
	return rc < 0 ? -1 : 1;
}

/* Fills p->decoded, one entry per base name.  Returns 0, or -1 if a value
 * was cut. */
static int decode_all(struct mime_params *p)
{
	struct rfc2231_param *rp = xcalloc(p->n_raw ? p->n_raw : 1, sizeof(*rp));
	for (size_t k = 0; k < p->n_raw; k++) {
		rp[k].name = p->raw[k].name;
		rp[k].name_len = strlen(p->raw[k].name);
		rp[k].value = p->raw[k].value;
		rp[k].value_len = strlen(p->raw[k].value);
	}
	int ret = 0;
	p->decoded = xcalloc(p->n_raw ? p->n_raw : 1, sizeof(*p->decoded));
	for (size_t k = 0; k < p->n_raw; k++) {
		const char *base = p->raw[k].name;
		size_t blen = base_len(base);
		if (blen == 0 || find(p->decoded, p->n_decoded, base, blen) != NULL)
			continue;
		struct buf v;
		buf_init(&v, MIME_PARAMS_MAX_VALUE);
		int rc = decode_one(p, rp, base, blen, &v);
		if (rc != 0) {
			p->decoded[p->n_decoded].name = xstrndup(base, blen);
			p->decoded[p->n_decoded].value = buf_detach(&v, NULL);
			p->n_decoded++;
		}
		if (rc < 0)
			ret = -1;
		buf_release(&v);
	}
	free(rp);
	return ret;
}

/* The parse proper; *garbage_r tells whether the type was garbage. */
static int parse(const char *value, size_t len, struct mime_params *p,
		 bool *garbage_r)
{
	int ret = 0;
	if (len > MIME_PARAMS_MAX_VALUE) {
		len = MIME_PARAMS_MAX_VALUE;
		ret = 1;
	}
	mime_params_release(p);
	struct scan sc = { value, len, 0 };
	*garbage_r = !read_type(&sc, p);
	size_t cap = 0;
	for (;;) {
		while (sc.i < sc.len && (sc.s[sc.i] == ';' || is_blank(sc.s[sc.i]) ||
					 sc.s[sc.i] == '('))
			if (sc.s[sc.i] == '(')
				skip_comment(&sc);
			else
				sc.i++;
		if (sc.i >= sc.len)
			break;
		if (p->n_raw == MIME_PARAMS_MAX) {
			ret = 1;
			break;
		}
		if (read_param(&sc, p, &cap) < 0)
			ret = 1;
	}
	if (decode_all(p) < 0)
		ret = 1;
	return ret;
}

int mime_params_parse(const char *value, size_t len, struct mime_params *p)
{
	bool garbage;
	return parse(value, len, p, &garbage);
}

static void set_type(struct mime_params *p, const char *type, const char *subtype)
{
	free(p->type);
	free(p->subtype);
	p->type = xstrdup(type);
	p->subtype = xstrdup(subtype);
}

int mime_params_parse_content_type(const char *value, size_t len,
				   struct mime_params *p)
{
	bool garbage;
	int rc = parse(value, len, p, &garbage);
	if (garbage)
		set_type(p, "application", "octet-stream");
	else if (p->type[0] == '\0' || p->subtype[0] != '\0')
		return rc;
	else if (strcmp(p->type, "text") == 0)
		set_type(p, "text", "plain");
	else if (strcmp(p->type, "multipart") == 0)
		set_type(p, "multipart", "mixed");
	else
		set_type(p, "application", "octet-stream");
	return rc;
}

const char *mime_params_get(const struct mime_params *p, const char *name)
{
	const struct mime_param *d = find(p->decoded, p->n_decoded, name, strlen(name));
	return d ? d->value : NULL;
}

const char *mime_params_get_raw(const struct mime_params *p, const char *name)
{
	const struct mime_param *r = find(p->raw, p->n_raw, name, strlen(name));
	return r ? r->value : NULL;
}

const char *mime_params_filename(const struct mime_params *disposition,
				 const struct mime_params *content_type)
{
	const char *v = disposition ? mime_params_get(disposition, "filename") : NULL;
	if (v != NULL && v[0] != '\0')
		return v;
	v = content_type ? mime_params_get(content_type, "name") : NULL;
	return v != NULL && v[0] != '\0' ? v : NULL;
}

static const struct {
	const char *name;
	enum mime_cte cte;
} cte_names[] = {
	{ "7bit", MIME_CTE_7BIT },
	{ "7-bit", MIME_CTE_7BIT },
	{ "7bits", MIME_CTE_7BIT },
	{ "8bit", MIME_CTE_8BIT },
	{ "8-bit", MIME_CTE_8BIT },
	{ "8bits", MIME_CTE_8BIT },
	{ "binary", MIME_CTE_BINARY },
	{ "quoted-printable", MIME_CTE_QP },
	{ "quotedprintable", MIME_CTE_QP },
	{ "quoted_printable", MIME_CTE_QP },
	{ "base64", MIME_CTE_BASE64 },
	{ "base-64", MIME_CTE_BASE64 },
	{ "x-uuencode", MIME_CTE_UUENCODE },
	{ "x-uue", MIME_CTE_UUENCODE },
	{ "uuencode", MIME_CTE_UUENCODE },
	{ "uue", MIME_CTE_UUENCODE },
};

enum mime_cte mime_cte_parse(const char *value, size_t len)
{
	struct scan sc = { value, len, 0 };
	skip_cfws(&sc);
	size_t at = sc.i;
	while (sc.i < len && !is_blank(value[sc.i]) && value[sc.i] != ';' &&
	       value[sc.i] != '(')
		sc.i++;
	size_t n = sc.i - at;
	if (n == 0)
		return MIME_CTE_7BIT;
	for (size_t k = 0; k < sizeof(cte_names) / sizeof(cte_names[0]); k++)
		if (strlen(cte_names[k].name) == n &&
		    str_eqn_ci(value + at, cte_names[k].name, n))
			return cte_names[k].cte;
	if (n == 6 && str_eqn_ci(value + at, "quoted", 6)) {
		/* "quoted printable" */
		skip_cfws(&sc);
		if (len - sc.i >= 9 && str_eqn_ci(value + sc.i, "printable", 9))
			return MIME_CTE_QP;
	}
	return MIME_CTE_UNKNOWN;
}

const char *mime_cte_name(enum mime_cte cte)
{
	switch (cte) {
	case MIME_CTE_7BIT: return "7bit";
	case MIME_CTE_8BIT: return "8bit";
	case MIME_CTE_BINARY: return "binary";
	case MIME_CTE_QP: return "quoted-printable";
	case MIME_CTE_BASE64: return "base64";
	case MIME_CTE_UUENCODE: return "x-uuencode";
	case MIME_CTE_UNKNOWN: break;
	}
	return "unknown";
}
