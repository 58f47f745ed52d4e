/* mailcap: RFC 1524 files read whole (each is small and bounded), and a
 * command expander that tracks the shell's quoting of the template so
 * that every substituted value stays one word; see mailcap.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "mailcap.h"
#include "mem.h"
#include "str.h"

struct mailcap {
	struct mailcap_entry *entries;
	size_t n, cap;
	char *sources[MAILCAP_MAX_FILES]; /* the paths read, for entry.source */
	size_t n_sources;
	struct mailcap_stats stats;
};

#define EXT_MAX 16 /* longest extension kept when a name is cut */

/* Bytes of types (RFC 2045 tokens, narrowed), of values that are safe in
 * any shell context at any nesting, and of safe file names; each set is
 * ASCII letters and digits plus these. */
#define TYPE_CHARS "!#$&.+^_-"
#define INERT_CHARS "._+,:=@/-"
#define NAME_CHARS "._-"

static bool is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool in_set(int c, const char *extra)
{
	return is_alnum(c) || (c != '\0' && strchr(extra, c) != NULL);
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static bool is_control(int c)
{
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

/* The length of the run of bytes of set at the start of s. */
static size_t run_of(const char *s, const char *set)
{
	size_t n = 0;
	while (in_set((unsigned char)s[n], set))
		n++;
	return n;
}

/* Whether s is type/subtype with exactly one '/' and no wildcard. */
static bool valid_type(const char *s)
{
	size_t base = run_of(s, TYPE_CHARS);
	if (base == 0 || s[base] != '/')
		return false;
	size_t sub = run_of(s + base + 1, TYPE_CHARS);
	return sub > 0 && s[base + 1 + sub] == '\0';
}

/* ------------------------------------------------------------ parsing */

/* The entry's type field as a new lower-case "type/subtype" (subtype "*"
 * for "type" alone), or NULL if it is not one. */
static char *entry_type(const char *s)
{
	size_t base = run_of(s, TYPE_CHARS);
	if (base == 0)
		return NULL;
	char *t;
	if (s[base] == '\0') {
		t = xmalloc(base + 3);
		memcpy(t, s, base);
		memcpy(t + base, "/*", 3);
	} else {
		const char *sub = s + base + 1;
		size_t n = run_of(sub, TYPE_CHARS);
		bool wild = n == 0 && sub[0] == '*';
		if (s[base] != '/' || sub[wild ? 1 : n] != '\0' ||
		    (n == 0 && !wild))
			return NULL;
		t = xstrdup(s);
	}
	for (char *c = t; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + ('a' - 'A'));
	return t;
}

/* Cuts the next field out of *pos: NUL-terminates it in place, without
 * the blanks around it (an escaped blank is kept).  *pos becomes NULL
 * after the last field. */
static char *next_field(char **pos)
{
	char *s = *pos;
	while (is_blank(*s))
		s++;
	char *start = s, *end = s;
	for (;;) {
		if (*s == '\0') {
			*pos = NULL;
			break;
		}
		if (*s == ';') {
			*pos = s + 1;
			break;
		}
		if (*s == '\\' && s[1] != '\0') {
			s += 2;
			end = s;
			continue;
		}
		if (!is_blank(*s))
			end = s + 1;
		s++;
	}
	*end = '\0';
	return start;
}

/* A copy of s with "\X" made X; a surrounding pair of '"' dropped if
 * strip_quotes. */
static char *unescape(const char *s, bool strip_quotes)
{
	size_t len = strlen(s);
	if (strip_quotes && len >= 2 && s[0] == '"' && s[len - 1] == '"' &&
	    s[len - 2] != '\\') {
		s++;
		len -= 2;
	}
	char *out = xmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len)
			i++;
		out[n++] = s[i];
	}
	out[n] = '\0';
	return out;
}

static const char *const named_fields[] = {
	"test", "nametemplate", "description", "print", "edit", "compose",
};
#define N_NAMED (sizeof(named_fields) / sizeof(named_fields[0]))

/* The index in named_fields of name[0..len), or -1. */
static int named_index(const char *name, size_t len)
{
	for (size_t i = 0; i < N_NAMED; i++)
		if (strlen(named_fields[i]) == len &&
		    str_eqn_ci(name, named_fields[i], len))
			return (int)i;
	return -1;
}

static char **named_slot(struct mailcap_entry *m, int index)
{
	char **slots[N_NAMED] = {
		&m->test, &m->nametemplate, &m->description,
		&m->print, &m->edit, &m->compose,
	};
	return slots[index];
}

/* One field after the view command.  Returns -1 if it makes the line
 * malformed; seen has a bit per named field already met. */
static int parse_field(struct mailcap_entry *m, char *field, unsigned *seen)
{
	if (str_eq_ci(field, "needsterminal")) {
		m->needsterminal = true;
		return 0;
	}
	if (str_eq_ci(field, "copiousoutput")) {
		m->copiousoutput = true;
		return 0;
	}
	size_t len = strcspn(field, "= \t");
	int index = named_index(field, len);
	if (index < 0)
		return 0; /* unknown: ignored */
	char *value = field + len;
	while (is_blank(*value))
		value++;
	if (*value != '=' || (*seen & (1u << index)) != 0)
		return -1;
	*seen |= 1u << index;
	value++;
	while (is_blank(*value))
		value++;
	if (*value == '\0')
		return 0;
	char **slot = named_slot(m, index);
	if (slot == &m->description || slot == &m->nametemplate)
		*slot = unescape(value, slot == &m->description);
	else
		*slot = xstrdup(value);
	return 0;
}

static void entry_release(struct mailcap_entry *m)
{
	free(m->type);
	free(m->view);
	for (size_t i = 0; i < N_NAMED; i++)
		free(*named_slot(m, (int)i));
}

/* Fills m from the fields of line (modified in place).  Returns -1 if the
 * line is malformed (m may then hold some strings). */
static int parse_entry(struct mailcap_entry *m, char *line)
{
	char *pos = line;
	char *type = next_field(&pos);
	if (pos == NULL)
		return -1;
	m->type = entry_type(type);
	char *view = next_field(&pos);
	if (m->type == NULL || *view == '\0')
		return -1;
	m->view = xstrdup(view);
	unsigned seen = 0;
	while (pos != NULL)
		if (parse_field(m, next_field(&pos), &seen) < 0)
			return -1;
	return 0;
}

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_control((unsigned char)s[i]) && s[i] != '\t')
			return true;
	return false;
}

/* One logical line, continuations joined. */
static void parse_line(struct mailcap *mc, const char *source, unsigned line,
		       struct buf *text, bool too_long)
{
	size_t i = 0;
	while (i < text->len && is_blank(text->data[i]))
		i++;
	if (!too_long && (i == text->len || text->data[i] == '#'))
		return;
	struct mailcap_entry m = { 0 };
	if (too_long || has_control(text->data, text->len) ||
	    parse_entry(&m, text->data + i) < 0) {
		entry_release(&m);
		mc->stats.lines_skipped++;
		return;
	}
	if (mc->n >= MAILCAP_MAX_ENTRIES) {
		entry_release(&m);
		mc->stats.entries_dropped++;
		return;
	}
	m.source = source;
	m.line = line;
	mc->entries = xgrow(mc->entries, &mc->cap, mc->n + 1,
			    sizeof(*mc->entries));
	mc->entries[mc->n++] = m;
}

/* Whether s[0..n) ends in an odd number of backslashes. */
static bool continues(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

static void parse_text(struct mailcap *mc, const char *source,
		       const char *data, size_t len)
{
	struct buf text;
	buf_init(&text, MAILCAP_LINE_MAX);
	bool too_long = false;
	unsigned lineno = 0, start = 0; /* 0: no line begun */
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - data) : len;
		size_t n = end - pos;
		lineno++;
		if (start == 0)
			start = lineno;
		if (n > 0 && data[pos + n - 1] == '\r')
			n--;
		bool cont = continues(data + pos, n);
		if (buf_append(&text, data + pos, cont ? n - 1 : n) < 0)
			too_long = true;
		pos = nl != NULL ? end + 1 : len;
		if (cont && pos < len)
			continue;
		parse_line(mc, source, start, &text, too_long);
		buf_reset(&text);
		too_long = false;
		start = 0;
	}
	buf_release(&text);
}

/* Reads a whole regular file of at most MAILCAP_FILE_MAX bytes into data
 * (initialised here).  Returns -1, counting why, if it is skipped. */
static int read_file(const char *path, struct buf *data,
		     struct mailcap_stats *st)
{
	char chunk[8192];
	struct stat sb;

	buf_init(data, MAILCAP_FILE_MAX);
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		st->files_missing++;
		return -1;
	}
	size_t *skip = NULL;
	if (sb.st_size < 0 || (uintmax_t)sb.st_size > MAILCAP_FILE_MAX)
		skip = &st->files_too_large;
	while (skip == NULL) {
		ssize_t got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got == 0)
			break;
		if (got < 0)
			skip = &st->files_missing;
		else if (buf_append(data, chunk, (size_t)got) < 0)
			skip = &st->files_too_large; /* it grew */
	}
	close(fd);
	if (skip == NULL)
		return 0;
	(*skip)++;
	buf_release(data);
	return -1;
}

int mailcap_load(struct mailcap **mc_r, const char *const *paths, size_t n,
		 struct err *e)
{
	*mc_r = NULL;
	if (n > MAILCAP_MAX_FILES)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT,
			       _("mailcap: more than %d files to read"),
			       MAILCAP_MAX_FILES);
	struct mailcap *mc = xcalloc(1, sizeof(*mc));
	for (size_t i = 0; i < n; i++) {
		struct buf data;
		if (paths[i] == NULL) {
			mc->stats.files_missing++;
			continue;
		}
		if (read_file(paths[i], &data, &mc->stats) < 0)
			continue;
		char *source = xstrdup(paths[i]);
		mc->sources[mc->n_sources++] = source;
		mc->stats.files_read++;
		parse_text(mc, source, data.data, data.len);
		buf_release(&data);
	}
	*mc_r = mc;
	return 0;
}

void mailcap_free(struct mailcap **mcp)
{
	struct mailcap *mc = *mcp;
	if (mc == NULL)
		return;
	for (size_t i = 0; i < mc->n; i++)
		entry_release(&mc->entries[i]);
	free(mc->entries);
	for (size_t i = 0; i < mc->n_sources; i++)
		free(mc->sources[i]);
	free(mc);
	*mcp = NULL;
}

size_t mailcap_count(const struct mailcap *mc)
{
	return mc->n;
}

const struct mailcap_entry *mailcap_entry(const struct mailcap *mc, size_t i)
{
	return i < mc->n ? &mc->entries[i] : NULL;
}

void mailcap_get_stats(const struct mailcap *mc, struct mailcap_stats *st_r)
{
	*st_r = mc->stats;
}

/* -------------------------------------------------------------- paths */

static const char *const rfc1524_path[] = {
	"~/.mailcap", "/etc/mailcap", "/usr/etc/mailcap",
	"/usr/local/etc/mailcap",
};
#define N_RFC1524_PATH (sizeof(rfc1524_path) / sizeof(rfc1524_path[0]))

/* Appends s[0..len), expanded, NUL-terminated, to all, recording where
 * it starts; see mailcap_default_paths() for what is left out. */
static void add_path(struct buf *all, size_t *off, size_t *n, const char *s,
		     size_t len, const char *home)
{
	const char *prefix = "";
	if (*n == MAILCAP_MAX_FILES || len == 0)
		return;
	if (s[0] == '~' && (len == 1 || s[1] == '/')) {
		if (home == NULL || home[0] != '/')
			return;
		prefix = home;
		s++;
		len--;
	} else if (s[0] != '/') {
		return;
	}
	size_t start = all->len;
	if (strlen(prefix) + len > MAILCAP_PATH_MAX ||
	    buf_append_str(all, prefix) < 0 || buf_append(all, s, len) < 0 ||
	    buf_append(all, "", 1) < 0) {
		buf_truncate(all, start);
		return;
	}
	off[(*n)++] = start;
}

void mailcap_default_paths(const char *mailcaps, const char *home,
			   struct mailcap_paths *p_r)
{
	struct buf all;
	size_t off[MAILCAP_MAX_FILES];
	size_t n = 0;

	buf_init(&all, MAILCAP_MAX_FILES * (MAILCAP_PATH_MAX + 1));
	if (mailcaps != NULL && mailcaps[0] != '\0') {
		for (const char *s = mailcaps;;) {
			size_t len = strcspn(s, ":");
			add_path(&all, off, &n, s, len, home);
			if (s[len] == '\0')
				break;
			s += len + 1;
		}
	} else {
		for (size_t i = 0; i < N_RFC1524_PATH; i++)
			add_path(&all, off, &n, rfc1524_path[i],
				 strlen(rfc1524_path[i]), home);
	}
	p_r->storage = buf_detach(&all, NULL);
	for (size_t i = 0; i < n; i++)
		p_r->path[i] = p_r->storage + off[i];
	p_r->n = n;
}

void mailcap_env_paths(struct mailcap_paths *p_r)
{
	mailcap_default_paths(getenv("MAILCAPS"), getenv("HOME"), p_r);
}

void mailcap_paths_release(struct mailcap_paths *p)
{
	free(p->storage);
	p->storage = NULL;
	p->n = 0;
}

/* ---------------------------------------------------------- expansion */

enum quote {
	QUOTE_NONE,
	QUOTE_SINGLE,
	QUOTE_DOUBLE,
};

/* The expansion so far, and how /bin/sh will read what follows it. */
struct expander {
	const char *file, *type;
	const struct mailcap_params *params;
	struct buf *out;
	struct err *e;
	enum quote q;     /* the quoting in force at the end of out */
	bool just_opened; /* out ends with the quote that opened q */
	bool reopen;      /* a value closed q; reopen it before more text */
	bool escape;      /* out ends with a backslash the shell acts on */
	bool dollar;      /* out ends with an unquoted, unescaped '$' */
	bool nested;      /* has_nesting(template) */
	bool uses_file;
};

static char quote_char(enum quote q)
{
	return q == QUOTE_SINGLE ? '\'' : '"';
}

static int out_append(struct expander *x, const char *s, size_t n)
{
	if (buf_append(x->out, s, n) < 0)
		return err_set(x->e, ERR_MESSAGE, ERR_LIMIT,
			       _("mailcap: the command is too long"));
	return 0;
}

/* Follows the shell's quoting across the literal byte c (POSIX 2.2). */
static void track(struct expander *x, char c)
{
	bool escaped = x->escape;
	x->escape = x->just_opened = x->dollar = false;
	if (x->q == QUOTE_SINGLE) {
		if (c == '\'')
			x->q = QUOTE_NONE;
	} else if (escaped) {
		return;
	} else if (c == '\\') {
		x->escape = true;
	} else if (x->q == QUOTE_DOUBLE) {
		if (c == '"')
			x->q = QUOTE_NONE;
	} else if (c == '\'' || c == '"') {
		x->q = c == '\'' ? QUOTE_SINGLE : QUOTE_DOUBLE;
		x->just_opened = true;
	} else if (c == '$') {
		x->dollar = true;
	}
}

static int put_literal(struct expander *x, char c)
{
	if (x->reopen) {
		char quote = quote_char(x->q);
		x->reopen = false;
		if (c == quote) { /* the template's own closing quote */
			x->q = QUOTE_NONE;
			return 0;
		}
		if (out_append(x, &quote, 1) < 0)
			return -1;
	}
	track(x, c);
	return out_append(x, &c, 1);
}

/* Refuses what must never reach the shell; what names the expansion. */
static int check_value(struct expander *x, const char *v, size_t max,
		       const char *what)
{
	size_t len = strnlen(v, max + 1);
	if (len > max)
		return err_set(x->e, ERR_MESSAGE, ERR_LIMIT,
			       _("mailcap: the value for %s is longer than %zu bytes"),
			       what, max);
	for (size_t i = 0; i < len; i++)
		if (is_control((unsigned char)v[i]))
			return err_set(x->e, ERR_MESSAGE, ERR_PARSE,
				       _("mailcap: the value for %s contains a control character"),
				       what);
	if (v[0] == '-')
		return err_set(x->e, ERR_MESSAGE, ERR_PARSE,
			       _("mailcap: the value for %s starts with '-'"),
			       what);
	return 0;
}

/* Appends v as one single-quoted shell word. */
static int append_quoted(struct expander *x, const char *v)
{
	if (out_append(x, "'", 1) < 0)
		return -1;
	for (;;) {
		size_t n = strcspn(v, "'");
		if (out_append(x, v, n) < 0)
			return -1;
		if (v[n] == '\0')
			break;
		if (out_append(x, "'\\''", 4) < 0)
			return -1;
		v += n + 1;
	}
	return out_append(x, "'", 1);
}

/* Substitutes v; next is the template byte after the expansion. */
static int substitute(struct expander *x, const char *v, size_t max,
		      const char *what, char next)
{
	if (check_value(x, v, max, what) < 0)
		return -1;
	if (x->escape || x->dollar)
		return err_set(x->e, ERR_MESSAGE, ERR_CONFIG,
			       _("mailcap: %s follows '%c' in the command"),
			       what, x->escape ? '\\' : '$');
	bool quoted = x->q != QUOTE_NONE;
	bool alone = quoted && x->just_opened && next == quote_char(x->q);
	if ((x->nested || (quoted && !alone)) && v[run_of(v, INERT_CHARS)] != '\0')
		return err_set(x->e, ERR_MESSAGE, ERR_PARSE,
			       _("mailcap: the value for %s is not safe inside this command's quotes"),
			       what);
	if (quoted && !x->reopen) {
		if (x->just_opened) {
			buf_truncate(x->out, x->out->len - 1);
		} else {
			char quote = quote_char(x->q);
			if (out_append(x, &quote, 1) < 0)
				return -1;
		}
		x->reopen = true;
	}
	x->just_opened = false;
	return append_quoted(x, v);
}

static const char *param_value(const struct mailcap_params *params,
			       const char *name)
{
	for (size_t i = 0; params != NULL && i < params->n; i++)
		if (params->items[i].name != NULL &&
		    str_eq_ci(params->items[i].name, name))
			return params->items[i].value != NULL ?
				       params->items[i].value : "";
	return "";
}

/* %{name} at *p (which points after "%{"). */
static int expand_param(struct expander *x, const char **p)
{
	char name[MAILCAP_PARAM_NAME_MAX + 1];
	char what[MAILCAP_PARAM_NAME_MAX + 4];
	const char *s = *p;
	size_t n = run_of(s, NAME_CHARS);
	if (n == 0 || n > MAILCAP_PARAM_NAME_MAX || s[n] != '}')
		return err_set(x->e, ERR_MESSAGE, ERR_CONFIG,
			       _("mailcap: a bad %%{...} in the command"));
	memcpy(name, s, n);
	name[n] = '\0';
	snprintf(what, sizeof(what), "%%{%s}", name);
	*p = s + n + 1;
	return substitute(x, param_value(x->params, name), MAILCAP_VALUE_MAX,
			  what, **p);
}

/* The expansion at *p (which points at '%'). */
static int expand_percent(struct expander *x, const char **p)
{
	char c = (*p)[1];
	if (c == '{') {
		*p += 2;
		return expand_param(x, p);
	}
	if (c != 's' && c != 't' && c != '%') {
		*p += 1;
		return put_literal(x, '%');
	}
	*p += 2;
	if (c == '%')
		return put_literal(x, '%');
	if (c == 't')
		return substitute(x, x->type, MAILCAP_VALUE_MAX, "%t", **p);
	if (x->file == NULL)
		return err_set(x->e, ERR_MESSAGE, ERR_CONFIG,
			       _("mailcap: the command needs a file (%%s)"));
	x->uses_file = true;
	return substitute(x, x->file, MAILCAP_PATH_MAX, "%s", **p);
}

/* Whether the shell will read part of t a second time, or with other
 * quoting rules: '`', "$(", "${", "$'" or "$\"" (escapes decoded). */
static bool has_nesting(const char *t)
{
	char prev = '\0';
	for (const char *p = t; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (*p == '`' || (prev == '$' && strchr("({'\"", *p) != NULL))
			return true;
		prev = *p;
	}
	return false;
}

static int expand(struct expander *x, const char *template)
{
	if (check_value(x, x->type, MAILCAP_VALUE_MAX, "%t") < 0)
		return -1;
	if (!valid_type(x->type))
		return err_set(x->e, ERR_MESSAGE, ERR_PARSE,
			       _("mailcap: refusing a malformed content type"));
	x->nested = has_nesting(template);
	const char *p = template;
	while (*p != '\0') {
		int rc;
		if (*p == '\\' && p[1] != '\0') {
			rc = put_literal(x, p[1]);
			p += 2;
		} else if (*p == '%') {
			rc = expand_percent(x, &p);
		} else {
			rc = put_literal(x, *p++);
		}
		if (rc < 0)
			return -1;
	}
	if (x->reopen) { /* the template leaves its quote open: so do we */
		char quote = quote_char(x->q);
		return out_append(x, &quote, 1);
	}
	return 0;
}

int mailcap_expand(const char *template, const char *file, const char *type,
		   const struct mailcap_params *params, struct buf *cmd,
		   bool *uses_file_r, struct err *e)
{
	struct expander x = {
		.file = file,
		.type = type,
		.params = params,
		.out = cmd,
		.e = e,
		.q = QUOTE_NONE,
	};
	buf_reset(cmd);
	int rc = expand(&x, template);
	if (rc < 0)
		buf_reset(cmd);
	if (uses_file_r != NULL)
		*uses_file_r = rc == 0 && x.uses_file;
	return rc;
}

int mailcap_command(const struct mailcap_entry *m, const char *file,
		    const char *type, const struct mailcap_params *params,
		    struct buf *cmd, bool *uses_file_r, struct err *e)
{
	return mailcap_expand(m->view, file, type, params, cmd, uses_file_r,
			      e);
}

/* --------------------------------------------------------------- find */

static bool type_matches(const char *pattern, const char *type)
{
	const char *slash = strchr(pattern, '/');
	if (strcmp(slash + 1, "*") == 0)
		return str_eqn_ci(pattern, type, (size_t)(slash - pattern) + 1);
	return str_eq_ci(pattern, type);
}

const struct mailcap_entry *
mailcap_find(const struct mailcap *mc, const char *type,
	     const struct mailcap_params *params,
	     bool (*run_test)(void *ctx, const char *cmd), void *ctx)
{
	const struct mailcap_entry *found = NULL;
	struct buf cmd;
	struct err e;

	if (!valid_type(type) || strlen(type) > MAILCAP_VALUE_MAX)
		return NULL;
	buf_init(&cmd, MAILCAP_COMMAND_MAX);
	err_init(&e);
	for (size_t i = 0; i < mc->n && found == NULL; i++) {
		const struct mailcap_entry *m = &mc->entries[i];
		if (!type_matches(m->type, type))
			continue;
		if (m->test != NULL &&
		    (run_test == NULL ||
		     mailcap_expand(m->test, NULL, type, params, &cmd, NULL,
				    &e) < 0 ||
		     !run_test(ctx, cmd.data)))
			continue;
		found = m;
	}
	buf_release(&cmd);
	return found;
}

/* ------------------------------------------------------- nametemplate */

/* Appends s[0..n) reduced to [A-Za-z0-9._-], each run of other bytes
 * made one '_'; with lead, nothing of ".-_" starts the result. */
static int append_safe(struct buf *out, const char *s, size_t n, bool lead)
{
	size_t start = out->len;
	for (size_t i = 0; i < n; i++) {
		char c = in_set((unsigned char)s[i], NAME_CHARS) ? s[i] : '_';
		bool at_start = out->len == start;
		if (lead && at_start && (c == '.' || c == '-' || c == '_'))
			continue;
		if (c == '_' && !at_start && out->data[out->len - 1] == '_' &&
		    !in_set((unsigned char)s[i], NAME_CHARS))
			continue;
		if (buf_append_char(out, c) < 0)
			return -1;
	}
	return 0;
}

/* Where the extension of name[0..len) starts ('.' then 1..EXT_MAX
 * letters or digits), or len. */
static size_t extension_at(const char *name, size_t len)
{
	const char *dot = memrchr(name, '.', len);
	if (dot == NULL || dot == name)
		return len;
	size_t ext = len - (size_t)(dot - name) - 1;
	if (ext == 0 || ext > EXT_MAX)
		return len;
	for (size_t i = 1; i <= ext; i++)
		if (!is_alnum((unsigned char)dot[i]))
			return len;
	return (size_t)(dot - name);
}

/* The safe base name of suggested (see mailcap_nametemplate()) in name. */
static void safe_name(const char *suggested, struct buf *name)
{
	const char *base = suggested != NULL ? suggested : "";
	for (const char *s = base; *s != '\0'; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	size_t len = strlen(base);
	size_t ext = extension_at(base, len);
	struct buf stem;
	buf_init(&stem, MAILCAP_NAME_MAX - (len - ext));
	buf_cut_ok(append_safe(&stem, base, ext, true));
	while (stem.len > 0 && stem.data[stem.len - 1] == '_')
		buf_truncate(&stem, stem.len - 1);
	buf_cut_ok(buf_append_str(name, stem.len > 0 ? stem.data :
							 "attachment"));
	buf_cut_ok(buf_append(name, base + ext, len - ext));
	buf_release(&stem);
}

/* The name from template t (after its last '/') and the safe name, into
 * res (empty); the template's text around %s is not repeated when the
 * name already starts or ends with it. */
static int apply_template(const char *t, const struct buf *name,
			  struct buf *res)
{
	const char *slash = strrchr(t, '/');
	if (slash != NULL)
		t = slash + 1;
	const char *ps = strstr(t, "%s");
	if (append_safe(res, t, ps != NULL ? (size_t)(ps - t) : strlen(t),
			true) < 0)
		return -1;
	if (ps == NULL)
		return res->len > 0 ? 0 : buf_append(res, name->data, name->len);
	if (str_eqn_ci(name->data, res->data, res->len))
		buf_truncate(res, 0);
	if (buf_append(res, name->data, name->len) < 0)
		return -1;
	size_t right = res->len;
	if (append_safe(res, ps + 2, strlen(ps + 2), false) < 0)
		return -1;
	size_t n = res->len - right;
	if (n <= name->len &&
	    str_eqn_ci(name->data + name->len - n, res->data + right, n))
		buf_truncate(res, right);
	return 0;
}

int mailcap_nametemplate(const struct mailcap_entry *m, const char *suggested,
			 struct buf *out, struct err *e)
{
	struct buf name, res;
	buf_init(&name, MAILCAP_NAME_MAX);
	buf_init(&res, MAILCAP_FILE_NAME_MAX);
	safe_name(suggested, &name);
	int rc;
	if (m != NULL && m->nametemplate != NULL)
		rc = apply_template(m->nametemplate, &name, &res);
	else
		rc = buf_append(&res, name.data, name.len);
	if (rc == 0)
		rc = buf_append(out, res.data, res.len);
	buf_release(&name);
	buf_release(&res);
	if (rc < 0)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT,
			       _("mailcap: the file name from nametemplate is too long"));
	return 0;
}
