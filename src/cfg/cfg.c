#include "config.h"

#include "cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "i18n.h"
#include "mem.h"
#include "str.h"

#define CFG_FILE_MAX ((size_t)1024 * 1024)
#define CFG_DAYS_MAX 36500
#define CFG_TIMEOUT_MAX 3600

/* Which modes a key belongs to. */
#define M_POP3 (1u << CFG_MODE_POP3)
#define M_IMAP (1u << CFG_MODE_IMAP)
#define M_MBOX (1u << CFG_MODE_MBOX)
#define M_NET (M_POP3 | M_IMAP)
#define M_ALL (M_POP3 | M_IMAP | M_MBOX)

enum key_id {
	K_MODE, K_HOST, K_PORT, K_USER, K_TLS, K_TLS_CA_FILE, K_TLS_FINGERPRINT,
	K_PASSWORD_COMMAND, K_PASSWORD, K_ALLOW_PLAINTEXT, K_MBOX, K_KEEP,
	K_DELETE_AFTER_DAYS, K_AUTH, K_TIMEOUT, K_CONNECT_TIMEOUT, K_TRASH, K_BODY_CACHE,
	K_COMPRESS, K_COUNT
};

static const struct key_def {
	const char *name;
	unsigned modes;
} account_keys[K_COUNT] = {
	[K_MODE] = { "mode", M_ALL },
	[K_HOST] = { "host", M_NET },
	[K_PORT] = { "port", M_NET },
	[K_USER] = { "user", M_NET },
	[K_TLS] = { "tls", M_NET },
	[K_TLS_CA_FILE] = { "tls_ca_file", M_NET },
	[K_TLS_FINGERPRINT] = { "tls_fingerprint", M_NET },
	[K_PASSWORD_COMMAND] = { "password_command", M_NET },
	[K_PASSWORD] = { "password", M_NET },
	[K_ALLOW_PLAINTEXT] = { "allow_plaintext", M_NET },
	[K_MBOX] = { "mbox", M_POP3 | M_MBOX },
	[K_KEEP] = { "keep", M_POP3 },
	[K_DELETE_AFTER_DAYS] = { "delete_after_days", M_POP3 },
	[K_AUTH] = { "auth", M_NET },
	[K_TIMEOUT] = { "timeout", M_NET },
	[K_TRASH] = { "trash", M_IMAP },
	[K_CONNECT_TIMEOUT] = { "connect_timeout", M_NET },
	[K_BODY_CACHE] = { "body_cache", M_IMAP },
	[K_COMPRESS] = { "compress", M_IMAP },
};

/* The mechanisms auth may name (the protocol clients map them). */
static const char *const auth_names[] = {
	"auto", "scram-sha-256", "scram-sha-1", "cram-md5", "plain", "login", "apop",
	"user", "oauthbearer", "xoauth2",
};

/* Keys of [ui] (bind, color and mono are directives, not keys). */
enum ui_key_id { U_INDEX_FORMAT, U_SORT, U_MAILCAP, U_OPENER, U_COUNT };

static const char *const ui_keys[U_COUNT] = {
	[U_INDEX_FORMAT] = "index_format",
	[U_SORT] = "sort",
	[U_MAILCAP] = "mailcap",
	[U_OPENER] = "opener",
};

/* Parser state: where we are, and on which line each key of the current
 * account was set (0 = not set), for checks made when the section ends. */
struct parser {
	struct cfg *cfg;
	const char *file;
	unsigned line;
	bool private_file;
	enum { SEC_NONE, SEC_GENERAL, SEC_ACCOUNT, SEC_UI } section;
	unsigned general_line;  /* line of default_account, 0 if unset */
	unsigned headers_line;  /* line of headers, 0 if unset */
	unsigned html_line;     /* line of html_command, 0 if unset */
	unsigned account_line;  /* line of the [account] header */
	unsigned ui_line[U_COUNT];
	unsigned key_line[K_COUNT];
	struct err *e;
};

static int perr(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(p->e, ERR_ACCOUNT, ERR_CONFIG, "%s:%u: %s", p->file, line,
		       msg);
}

void cfg_account_init(struct cfg_account *acct)
{
	memset(acct, 0, sizeof(*acct));
	acct->mode = CFG_MODE_NONE;
	acct->tls = CFG_TLS_IMPLICIT;
	acct->keep = true;
	acct->compress = true;
	acct->delete_after_days = CFG_NO_EXPIRY;
	acct->body_cache_mb = CFG_BODY_CACHE_DEFAULT;
}

void cfg_account_release(struct cfg_account *acct)
{
	if (acct->password != NULL)
		explicit_bzero(acct->password, strlen(acct->password));
	free(acct->name);
	free(acct->host);
	free(acct->user);
	free(acct->tls_ca_file);
	free(acct->tls_fingerprint);
	free(acct->password_command);
	free(acct->password);
	free(acct->mbox);
	free(acct->folder);
	free(acct->source);
	free(acct->auth);
	free(acct->trash);
	cfg_account_init(acct);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void cfg_account_copy(struct cfg_account *dst, const struct cfg_account *src)
{
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->host = dup_or_null(src->host);
	dst->user = dup_or_null(src->user);
	dst->tls_ca_file = dup_or_null(src->tls_ca_file);
	dst->tls_fingerprint = dup_or_null(src->tls_fingerprint);
	dst->password_command = dup_or_null(src->password_command);
	dst->password = dup_or_null(src->password);
	dst->mbox = dup_or_null(src->mbox);
	dst->folder = dup_or_null(src->folder);
	dst->source = dup_or_null(src->source);
	dst->auth = dup_or_null(src->auth);
	dst->trash = dup_or_null(src->trash);
}

void cfg_init(struct cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

static void free_directives(struct cfg_directive *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].text);
		free(d[i].source);
	}
	free(d);
}

void cfg_release(struct cfg *cfg)
{
	for (size_t i = 0; i < cfg->n_accounts; i++)
		cfg_account_release(&cfg->accounts[i]);
	free(cfg->accounts);
	free(cfg->path);
	free(cfg->default_account);
	for (size_t i = 0; i < cfg->n_headers; i++)
		free(cfg->headers[i]);
	free(cfg->headers);
	free(cfg->html_command);
	free(cfg->index_format);
	free(cfg->sort);
	free(cfg->mailcap);
	free(cfg->opener);
	free_directives(cfg->binds, cfg->n_binds);
	free_directives(cfg->colors, cfg->n_colors);
	free_directives(cfg->monos, cfg->n_monos);
	cfg_init(cfg);
}

const char *cfg_mode_name(enum cfg_mode mode)
{
	switch (mode) {
	case CFG_MODE_POP3: return "pop3";
	case CFG_MODE_IMAP: return "imap";
	case CFG_MODE_MBOX: return "mbox";
	case CFG_MODE_NONE: break;
	}
	return "none";
}

const char *cfg_tls_name(enum cfg_tls tls)
{
	switch (tls) {
	case CFG_TLS_IMPLICIT: return "implicit";
	case CFG_TLS_STARTTLS: return "starttls";
	case CFG_TLS_NONE: return "none";
	}
	return "?";
}

unsigned cfg_account_port(const struct cfg_account *acct)
{
	if (acct->port != 0)
		return acct->port;
	bool implicit = acct->tls == CFG_TLS_IMPLICIT;
	if (acct->mode == CFG_MODE_POP3)
		return implicit ? 995 : 110;
	if (acct->mode == CFG_MODE_IMAP)
		return implicit ? 993 : 143;
	return 0;
}

const struct cfg_account *cfg_find_account(const struct cfg *cfg,
					   const char *name)
{
	for (size_t i = 0; i < cfg->n_accounts; i++)
		if (strcmp(cfg->accounts[i].name, name) == 0)
			return &cfg->accounts[i];
	return NULL;
}

const struct cfg_account *cfg_default_account(const struct cfg *cfg,
					      struct err *e)
{
	if (cfg->default_account != NULL)
		return cfg_find_account(cfg, cfg->default_account);
	if (cfg->n_accounts == 1)
		return &cfg->accounts[0];
	if (cfg->n_accounts == 0) {
		if (cfg->path != NULL)
			err_set(e, ERR_ACCOUNT, ERR_CONFIG, _("%s defines no account"),
				cfg->path);
		else
			err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				_("no mailbox given and no configuration file: "
				  "see tern --help"));
		return NULL;
	}
	err_set(e, ERR_ACCOUNT, ERR_CONFIG,
		_("%s defines several accounts: choose one with -a NAME or set "
		  "default_account in [general]"),
		cfg->path ? cfg->path : _("the configuration"));
	return NULL;
}

bool cfg_sort_valid(const char *s)
{
	static const char *const orders[] = {
		"date", "arrival", "from", "subject", "size", "thread",
	};
	if (str_has_prefix(s, "reverse-"))
		s += 8;
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		if (strcmp(s, orders[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ values */

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static int parse_bool(struct parser *p, const char *key, const char *v,
		      bool *out)
{
	if (str_eq_ci(v, "yes") || str_eq_ci(v, "true") || str_eq_ci(v, "on")) {
		*out = true;
		return 0;
	}
	if (str_eq_ci(v, "no") || str_eq_ci(v, "false") || str_eq_ci(v, "off")) {
		*out = false;
		return 0;
	}
	return perr(p, p->line, _("%s: '%s' is not yes or no"), key, v);
}

/* "sha256:" then 32 bytes in hex, optionally with ':' between bytes. */
static int parse_fingerprint(struct parser *p, const char *v, char **out)
{
	static const char prefix[] = "sha256:";
	char hex[65];
	size_t n = 0;

	if (!str_eqn_ci(v, prefix, sizeof(prefix) - 1))
		goto bad;
	for (const char *s = v + sizeof(prefix) - 1; *s; s++) {
		char c = *s;
		if (c == ':')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 64)
			goto bad;
		hex[n++] = c;
	}
	if (n != 64)
		goto bad;
	hex[64] = '\0';
	*out = xstrdup(hex);
	return 0;
bad:
	return perr(p, p->line,
		    _("tls_fingerprint: expected sha256: and 64 hex digits, got '%s'"),
		    v);
}

static int set_string(struct parser *p, const char *key, const char *v,
		      char **out)
{
	if (*v == '\0')
		return perr(p, p->line, _("%s: empty value"), key);
	if (has_control(v))
		return perr(p, p->line, _("%s: control character in value"), key);
	*out = xstrdup(v);
	return 0;
}

static int set_path(struct parser *p, const char *key, const char *v,
		    char **out)
{
	if (*v == '\0')
		return perr(p, p->line, _("%s: empty value"), key);
	struct err e2;
	err_init(&e2);
	char *path = fs_expand_home(v, &e2);
	if (path == NULL)
		return perr(p, p->line, "%s: %s", key, e2.msg);
	*out = path;
	return 0;
}

static int set_account_key(struct parser *p, struct cfg_account *a,
			   enum key_id k, const char *v)
{
	const char *key = account_keys[k].name;
	unsigned long n;

	switch (k) {
	case K_MODE:
		if (strcmp(v, "pop3") == 0)
			a->mode = CFG_MODE_POP3;
		else if (strcmp(v, "imap") == 0)
			a->mode = CFG_MODE_IMAP;
		else if (strcmp(v, "mbox") == 0)
			a->mode = CFG_MODE_MBOX;
		else
			return perr(p, p->line,
				    _("mode: '%s' is not pop3, imap or mbox"), v);
		return 0;
	case K_HOST:
		if (strpbrk(v, " \t/@") != NULL)
			return perr(p, p->line, _("host: '%s' is not a host name"), v);
		return set_string(p, key, v, &a->host);
	case K_PORT:
		if (str_to_ulong(v, 1, 65535, &n) < 0)
			return perr(p, p->line,
				    _("port: '%s' is not a number from 1 to 65535"), v);
		a->port = (unsigned)n;
		return 0;
	case K_USER:
		return set_string(p, key, v, &a->user);
	case K_TLS:
		if (strcmp(v, "implicit") == 0)
			a->tls = CFG_TLS_IMPLICIT;
		else if (strcmp(v, "starttls") == 0)
			a->tls = CFG_TLS_STARTTLS;
		else if (strcmp(v, "none") == 0)
			a->tls = CFG_TLS_NONE;
		else
			return perr(p, p->line,
				    _("tls: '%s' is not implicit, starttls or none"), v);
		return 0;
	case K_TLS_CA_FILE:
		if (set_path(p, key, v, &a->tls_ca_file) < 0)
			return -1;
		if (access(a->tls_ca_file, R_OK) < 0)
			return perr(p, p->line, _("tls_ca_file: cannot read %s: %s"),
				    a->tls_ca_file, strerror(errno));
		return 0;
	case K_TLS_FINGERPRINT:
		return parse_fingerprint(p, v, &a->tls_fingerprint);
	case K_PASSWORD_COMMAND:
		return set_string(p, key, v, &a->password_command);
	case K_PASSWORD:
		if (!p->private_file)
			return perr(p, p->line,
				    _("password: %s can be read by other users; run "
				      "'chmod 600 %s' or use password_command"),
				    p->file, p->file);
		/* Not set_string(): its messages could echo the value. */
		if (*v == '\0')
			return perr(p, p->line, _("%s: empty value"), key);
		a->password = xstrdup(v);
		return 0;
	case K_ALLOW_PLAINTEXT:
		return parse_bool(p, key, v, &a->allow_plaintext);
	case K_MBOX:
		return set_path(p, key, v, &a->mbox);
	case K_KEEP:
		return parse_bool(p, key, v, &a->keep);
	case K_DELETE_AFTER_DAYS:
		if (str_to_ulong(v, 0, CFG_DAYS_MAX, &n) < 0)
			return perr(p, p->line,
				    _("delete_after_days: '%s' is not a number of days "
				      "from 0 to %d"),
				    v, CFG_DAYS_MAX);
		a->delete_after_days = (long)n;
		return 0;
	case K_AUTH:
		for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
			if (str_eq_ci(v, auth_names[i]))
				return set_string(p, key, auth_names[i], &a->auth);
		return perr(p, p->line,
			    _("auth: '%s' is not auto, scram-sha-256, scram-sha-1, cram-md5, "
			      "plain, login, apop, user, oauthbearer or xoauth2"), v);
	case K_TRASH:
		return set_string(p, key, v, &a->trash);
	case K_COMPRESS:
		return parse_bool(p, key, v, &a->compress);
	case K_TIMEOUT:
	case K_CONNECT_TIMEOUT:
		if (str_to_ulong(v, 1, CFG_TIMEOUT_MAX, &n) < 0)
			return perr(p, p->line,
				    _("%s: '%s' is not a number of seconds from 1 to %d"),
				    key, v, CFG_TIMEOUT_MAX);
		*(k == K_TIMEOUT ? &a->timeout : &a->connect_timeout) = (unsigned)n;
		return 0;
	case K_BODY_CACHE:
		if (str_to_ulong(v, 0, CFG_BODY_CACHE_MAX, &n) < 0)
			return perr(p, p->line,
				    _("body_cache: '%s' is not a number of megabytes from 0 to %d"),
				    v, CFG_BODY_CACHE_MAX);
		a->body_cache_mb = (unsigned)n;
		return 0;
	case K_COUNT:
		break;
	}
	return perr(p, p->line, _("internal error: key %d"), (int)k);
}

/* ------------------------------------------------------------ sections */

static struct cfg_account *current_account(struct parser *p)
{
	return &p->cfg->accounts[p->cfg->n_accounts - 1];
}

/* Checks that need the whole section: required keys, keys that do not
 * belong to the mode, combinations. */
static int finish_account(struct parser *p)
{
	struct cfg_account *a = current_account(p);
	const unsigned *kl = p->key_line;

	if (a->mode == CFG_MODE_NONE)
		return perr(p, p->account_line,
			    _("account '%s' has no mode (pop3, imap or mbox)"),
			    a->name);
	for (int k = 0; k < K_COUNT; k++) {
		if (kl[k] != 0 && !(account_keys[k].modes & (1u << a->mode)))
			return perr(p, kl[k], _("%s: not used by %s accounts"),
				    account_keys[k].name, cfg_mode_name(a->mode));
	}
	if (a->mode == CFG_MODE_MBOX) {
		if (a->mbox == NULL)
			return perr(p, p->account_line,
				    _("account '%s' (mode mbox) needs an mbox = PATH line"),
				    a->name);
		return 0;
	}
	if (a->host == NULL)
		return perr(p, p->account_line, _("account '%s' needs a host"),
			    a->name);
	if (a->user == NULL)
		return perr(p, p->account_line, _("account '%s' needs a user"),
			    a->name);
	if (a->tls == CFG_TLS_NONE && !a->allow_plaintext)
		return perr(p, kl[K_TLS],
			    _("tls: none would send the password unencrypted; add "
			      "allow_plaintext = yes to allow it"));
	if (a->tls == CFG_TLS_NONE && a->tls_fingerprint != NULL)
		return perr(p, kl[K_TLS_FINGERPRINT],
			    _("tls_fingerprint: needs TLS, but tls is none"));
	if (a->password != NULL && a->password_command != NULL)
		return perr(p, kl[K_PASSWORD],
			    _("password: give either password or password_command, "
			      "not both"));
	if (a->mode == CFG_MODE_POP3) {
		if (!a->keep && a->delete_after_days != CFG_NO_EXPIRY)
			return perr(p, kl[K_DELETE_AFTER_DAYS],
				    _("delete_after_days: needs keep = yes (with keep = "
				      "no mail is deleted right after download)"));
		if (a->mbox == NULL) {
			char rel[600];
			snprintf(rel, sizeof(rel), "~/Mail/%s.mbox", a->name);
			struct err e2;
			err_init(&e2);
			a->mbox = fs_expand_home(rel, &e2);
			if (a->mbox == NULL)
				return perr(p, p->account_line, "%s", e2.msg);
		}
	}
	return 0;
}

static int finish_section(struct parser *p)
{
	if (p->section == SEC_ACCOUNT)
		return finish_account(p);
	return 0;
}

/* "FILE:LINE" of the current line, newly allocated. */
static char *source_here(const struct parser *p)
{
	char src[512];
	snprintf(src, sizeof(src), "%s:%u", p->file, p->line);
	return xstrdup(src);
}

static bool valid_account_name(const char *s)
{
	if (*s == '\0' || *s == '.' || *s == '-' || strlen(s) > 64)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int start_section(struct parser *p, char *line)
{
	char *end = strchr(line, ']');
	if (end == NULL || *str_trim(end + 1) != '\0')
		return perr(p, p->line, _("malformed section header"));
	*end = '\0';
	char *inner = str_trim(line + 1);

	if (finish_section(p) < 0)
		return -1;
	memset(p->key_line, 0, sizeof(p->key_line));

	if (strcmp(inner, "general") == 0) {
		p->section = SEC_GENERAL;
		return 0;
	}
	if (strcmp(inner, "ui") == 0) {
		p->section = SEC_UI;
		return 0;
	}
	if (strncmp(inner, "account", 7) == 0 &&
	    (inner[7] == ' ' || inner[7] == '\t')) {
		char *name = str_trim(inner + 8);
		if (!valid_account_name(name))
			return perr(p, p->line,
				    _("account name '%s': use letters, digits, '.', '_' "
				      "and '-' (not first), at most 64"),
				    name);
		if (cfg_find_account(p->cfg, name) != NULL)
			return perr(p, p->line, _("account '%s' is defined twice"),
				    name);
		struct cfg *cfg = p->cfg;
		cfg->accounts = xgrow(cfg->accounts, &cfg->cap_accounts,
				      cfg->n_accounts + 1, sizeof(*cfg->accounts));
		struct cfg_account *a = &cfg->accounts[cfg->n_accounts++];
		cfg_account_init(a);
		a->name = xstrdup(name);
		a->source = source_here(p);
		p->section = SEC_ACCOUNT;
		p->account_line = p->line;
		return 0;
	}
	return perr(p, p->line,
		    _("unknown section [%s] (expected [general], [ui] or "
		      "[account NAME])"),
		    inner);
}

/* Strips double quotes, handling \" and \\; value is changed in place. */
static int unquote(struct parser *p, const char *key, char *value)
{
	size_t n = strlen(value);
	if (n == 0 || value[0] != '"')
		return 0;
	if (n < 2 || value[n - 1] != '"')
		return perr(p, p->line, _("%s: unterminated quoted value"), key);
	char *w = value;
	for (size_t i = 1; i < n - 1; i++) {
		if (value[i] == '\\' &&
		    (value[i + 1] == '"' || value[i + 1] == '\\')) {
			if (i + 1 == n - 1) /* the closing quote is escaped */
				return perr(p, p->line,
					    _("%s: unterminated quoted value"), key);
			i++;
		} else if (value[i] == '"') {
			return perr(p, p->line,
				    _("%s: unescaped \" inside a quoted value"), key);
		}
		*w++ = value[i];
	}
	*w = '\0';
	return 0;
}

/* headers = From, To, Subject: field names separated by commas or blanks. */
static int set_headers(struct parser *p, char *value)
{
	struct cfg *cfg = p->cfg;
	for (char *tok = value; *tok != '\0';) {
		size_t n = strcspn(tok, ", \t");
		if (n > 0) {
			for (size_t i = 0; i < n; i++)
				if ((unsigned char)tok[i] < 33 || (unsigned char)tok[i] > 126 ||
				    tok[i] == ':')
					return perr(p, p->line,
						    _("headers: '%.*s' is not a header field name"),
						    (int)n, tok);
			if (cfg->n_headers == CFG_HEADERS_MAX)
				return perr(p, p->line, _("headers: more than %d names"),
					    CFG_HEADERS_MAX);
			cfg->headers = xrealloc(cfg->headers,
						(cfg->n_headers + 1) * sizeof(*cfg->headers));
			cfg->headers[cfg->n_headers++] = xstrndup(tok, n);
		}
		tok += n;
		tok += strspn(tok, ", \t");
	}
	if (cfg->n_headers == 0)
		return perr(p, p->line, _("headers: empty value"));
	return 0;
}

static int set_general_key(struct parser *p, const char *key, char *value)
{
	unsigned *line;
	if (strcmp(key, "default_account") == 0)
		line = &p->general_line;
	else if (strcmp(key, "headers") == 0)
		line = &p->headers_line;
	else if (strcmp(key, "html_command") == 0)
		line = &p->html_line;
	else
		return perr(p, p->line, _("unknown key '%s' in [general]"), key);
	if (*line != 0)
		return perr(p, p->line, _("%s: set twice (first on line %u)"), key,
			    *line);
	*line = p->line;
	if (strcmp(key, "headers") == 0)
		return set_headers(p, value);
	if (strcmp(key, "html_command") == 0)
		return set_string(p, key, value, &p->cfg->html_command);
	if (!valid_account_name(value))
		return perr(p, p->line, _("default_account: '%s' is not an "
					  "account name"), value);
	p->cfg->default_account = xstrdup(value);
	return 0;
}

/* mailcap = PATH:PATH...: each absolute or under ~/, since the reader
 * skips any other. */
static int check_mailcap(struct parser *p, const char *v)
{
	if (*v == '\0')
		return perr(p, p->line, _("mailcap: empty value"));
	for (const char *s = v;; s++) {
		size_t n = strcspn(s, ":");
		if (n == 0 || !(s[0] == '/' || (s[0] == '~' && (n == 1 || s[1] == '/'))))
			return perr(p, p->line,
				    _("mailcap: '%.*s' is not an absolute path or ~/PATH"),
				    (int)n, s);
		s += n;
		if (*s == '\0')
			return 0;
	}
}

static int set_ui_key(struct parser *p, const char *key, char *value)
{
	int k = 0;
	while (k < U_COUNT && strcmp(key, ui_keys[k]) != 0)
		k++;
	if (k == U_COUNT)
		return perr(p, p->line, _("unknown key '%s' in [ui]"), key);
	if (p->ui_line[k] != 0)
		return perr(p, p->line, _("%s: set twice (first on line %u)"), key,
			    p->ui_line[k]);
	p->ui_line[k] = p->line;
	struct cfg *cfg = p->cfg;
	switch ((enum ui_key_id)k) {
	case U_SORT:
		if (!cfg_sort_valid(value))
			return perr(p, p->line,
				    _("sort: '%s' is not date, arrival, from, subject, "
				      "size or thread (optionally after reverse-)"),
				    value);
		return set_string(p, key, value, &cfg->sort);
	case U_MAILCAP:
		if (check_mailcap(p, value) < 0)
			return -1;
		return set_string(p, key, value, &cfg->mailcap);
	case U_INDEX_FORMAT:
		return set_string(p, key, value, &cfg->index_format);
	case U_OPENER:
		return set_string(p, key, value, &cfg->opener);
	case U_COUNT:
		break;
	}
	return perr(p, p->line, _("internal error: key %d"), k);
}

/* A bind, color or mono line: VERB REST or VERB = REST. */
static int add_directive(struct parser *p, const char *verb, char *rest)
{
	struct cfg *cfg = p->cfg;
	struct cfg_directive **list = &cfg->binds;
	size_t *n = &cfg->n_binds;
	if (strcmp(verb, "color") == 0) {
		list = &cfg->colors;
		n = &cfg->n_colors;
	} else if (strcmp(verb, "mono") == 0) {
		list = &cfg->monos;
		n = &cfg->n_monos;
	}
	if (p->section != SEC_UI)
		return perr(p, p->line, _("%s: allowed only in [ui]"), verb);
	rest = str_trim(rest);
	if (*rest == '=')
		rest = str_trim(rest + 1);
	if (*rest == '\0')
		return perr(p, p->line, _("%s: empty value"), verb);
	for (const char *c = rest; *c != '\0'; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return perr(p, p->line, _("%s: control character in value"), verb);
	if (*n == CFG_DIRECTIVES_MAX)
		return perr(p, p->line, _("%s: more than %d lines"), verb,
			    CFG_DIRECTIVES_MAX);
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[*n].text = xstrdup(rest);
	(*list)[*n].source = source_here(p);
	(*n)++;
	return 0;
}

/* The verb of a directive line ("bind", "color", "mono"), or NULL. */
static const char *directive_verb(const char *line)
{
	static const char *const verbs[] = { "bind", "color", "mono" };
	size_t n = strcspn(line, " \t=");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strlen(verbs[i]) == n && strncmp(line, verbs[i], n) == 0)
			return verbs[i];
	return NULL;
}

static int set_key(struct parser *p, char *line)
{
	char *eq = strchr(line, '=');
	if (eq == NULL)
		return perr(p, p->line, _("expected KEY = VALUE"));
	*eq = '\0';
	char *key = str_trim(line);
	char *value = str_trim(eq + 1);
	if (*key == '\0')
		return perr(p, p->line, _("expected KEY = VALUE"));
	if (unquote(p, key, value) < 0)
		return -1;

	if (p->section == SEC_NONE)
		return perr(p, p->line,
			    _("%s: outside any section (start with [general] or "
			      "[account NAME])"),
			    key);
	if (p->section == SEC_GENERAL)
		return set_general_key(p, key, value);
	if (p->section == SEC_UI)
		return set_ui_key(p, key, value);
	for (int k = 0; k < K_COUNT; k++) {
		if (strcmp(key, account_keys[k].name) != 0)
			continue;
		if (p->key_line[k] != 0)
			return perr(p, p->line, _("%s: set twice (first on line %u)"),
				    key, p->key_line[k]);
		p->key_line[k] = p->line;
		return set_account_key(p, current_account(p), (enum key_id)k, value);
	}
	return perr(p, p->line, _("unknown key '%s' in [account %s]"), key,
		    current_account(p)->name);
}

static int parse_line(struct parser *p, char *line)
{
	char *s = str_trim(line);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return start_section(p, s);
	const char *verb = directive_verb(s);
	if (verb != NULL)
		return add_directive(p, verb, s + strlen(verb));
	return set_key(p, s);
}

int cfg_parse(struct cfg *cfg, const char *name, const char *text,
	      bool private_file, struct err *e)
{
	struct parser p;
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.file = name;
	p.private_file = private_file;
	p.section = SEC_NONE;
	p.e = e;

	const char *s = text;
	int rc = 0;
	while (rc == 0 && *s != '\0') {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line = xstrndup(s, len);
		p.line++;
		rc = parse_line(&p, line);
		explicit_bzero(line, len);
		free(line);
		s += len + (nl ? 1 : 0);
	}
	if (rc == 0)
		rc = finish_section(&p);
	if (rc == 0 && cfg->default_account != NULL &&
	    cfg_find_account(cfg, cfg->default_account) == NULL)
		rc = perr(&p, p.general_line,
			  _("default_account: no [account %s] in this file"),
			  cfg->default_account);
	if (rc < 0)
		cfg_release(cfg);
	return rc;
}

/* Reads at most CFG_FILE_MAX bytes; refuses NUL bytes. */
static int read_file(int fd, const char *path, struct buf *text, struct err *e)
{
	char chunk[8192];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, ERR_ACCOUNT, ERR_IO, _("cannot read %s: %s"),
				       path, strerror(errno));
		if (r == 0)
			break;
		if (memchr(chunk, '\0', (size_t)r) != NULL)
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("%s: not a text file (NUL byte)"), path);
		if (buf_append(text, chunk, (size_t)r) < 0)
			return err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				       _("%s: larger than %zu bytes"), path, CFG_FILE_MAX);
	}
	return 0;
}

int cfg_load(struct cfg *cfg, const char *path, bool missing_ok, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		return err_set(e, ERR_ACCOUNT, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       _("cannot open configuration file %s: %s"), path,
			       strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("configuration file %s is not a regular file"), path);
	}
	struct buf text;
	buf_init(&text, CFG_FILE_MAX);
	int rc = read_file(fd, path, &text, e);
	close(fd);
	if (rc == 0) {
		bool private_file = (st.st_mode & 077) == 0;
		rc = cfg_parse(cfg, path, text.data, private_file, e);
	}
	buf_wipe(&text);
	buf_release(&text);
	if (rc == 0)
		cfg->path = xstrdup(path);
	return rc;
}
