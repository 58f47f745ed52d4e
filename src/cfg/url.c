#include "config.h"

#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "i18n.h"
#include "mem.h"
#include "str.h"

#define URL_PART_MAX 1024

bool url_is_url(const char *s)
{
	const char *p = s;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	return p != s && strncmp(p, "://", 3) == 0;
}

/* Percent-decodes s[0..n) into a new string; NULL if malformed or if it
 * decodes to a control character. */
static char *pct_decode(const char *s, size_t n)
{
	struct buf b;
	buf_init(&b, URL_PART_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3 || str_hex_value(s[i + 1]) < 0 || str_hex_value(s[i + 2]) < 0)
				goto bad;
			c = (unsigned char)(str_hex_value(s[i + 1]) * 16 + str_hex_value(s[i + 2]));
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || buf_append_char(&b, (char)c) < 0)
			goto bad;
	}
	return buf_detach(&b, NULL);
bad:
	buf_release(&b);
	return NULL;
}

/* The URL as it may be shown: a password in it ("user:pw@") is masked, so
 * error messages and logs never repeat it. */
static void url_redact(const char *url, char *out, size_t size)
{
	const char *auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	/* The password may hold '/', '?' or '#': look at the whole rest. */
	const char *colon = strchr(auth, ':');
	const char *at = strrchr(auth, '@');
	if (colon == NULL || at == NULL || at < colon ||
	    memchr(auth, '@', (size_t)(colon - auth)) != NULL) {
		snprintf(out, size, "%s", url);
		return;
	}
	snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
}

static int url_err(struct err *e, const char *url, const char *why)
{
	char shown[ERR_MSG_MAX];
	url_redact(url, shown, sizeof(shown));
	return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("bad URL '%s': %s"), shown, why);
}

static int parse_scheme(const char *url, struct cfg_account *a,
			const char **rest_r, struct err *e)
{
	static const struct {
		const char *name;
		enum cfg_mode mode;
		enum cfg_tls tls;
	} schemes[] = {
		{ "imap", CFG_MODE_IMAP, CFG_TLS_STARTTLS },
		{ "imaps", CFG_MODE_IMAP, CFG_TLS_IMPLICIT },
		{ "pop3", CFG_MODE_POP3, CFG_TLS_STARTTLS },
		{ "pop3s", CFG_MODE_POP3, CFG_TLS_IMPLICIT },
	};
	const char *sep = strstr(url, "://");
	if (sep == NULL)
		return url_err(e, url, _("expected imap://, imaps://, pop3:// or pop3s://"));
	size_t n = (size_t)(sep - url);
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i].name) == n && str_eqn_ci(url, schemes[i].name, n)) {
			a->mode = schemes[i].mode;
			a->tls = schemes[i].tls;
			*rest_r = sep + 3;
			return 0;
		}
	}
	return url_err(e, url, _("expected imap://, imaps://, pop3:// or pop3s://"));
}

/* host, [v6], host:port or [v6]:port in s[0..n). */
static int parse_hostport(const char *url, const char *s, size_t n,
			  struct cfg_account *a, struct err *e)
{
	const char *port = NULL;
	size_t hn;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL)
			return url_err(e, url, _("unterminated [ in host"));
		hn = (size_t)(close - s) - 1;
		a->host = xstrndup(s + 1, hn);
		if (close + 1 < s + n) {
			if (close[1] != ':')
				return url_err(e, url, _("unexpected text after ]"));
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);
		hn = colon ? (size_t)(colon - s) : n;
		a->host = xstrndup(s, hn);
		if (colon != NULL)
			port = colon + 1;
	}
	if (a->host[0] == '\0')
		return url_err(e, url, _("no host"));
	for (const char *h = a->host; *h; h++)
		if ((unsigned char)*h <= 0x20 || *h == 0x7f || *h == '%' || *h == '@')
			return url_err(e, url, _("bad character in host"));
	if (port != NULL) {
		char *ps = xstrndup(port, (size_t)(s + n - port));
		unsigned long v;
		int rc = str_to_ulong(ps, 1, 65535, &v);
		free(ps);
		if (rc < 0)
			return url_err(e, url, _("port is not a number from 1 to 65535"));
		a->port = (unsigned)v;
	}
	return 0;
}

int url_to_account(const char *url, struct cfg_account *a, struct err *e)
{
	const char *s = NULL;

	cfg_account_init(a);
	if (parse_scheme(url, a, &s, e) < 0)
		goto fail;

	size_t auth_len = strcspn(s, "/?#");
	const char *path = s + auth_len;
	const char *at = NULL;
	for (const char *p = s; p < path; p++)
		if (*p == '@')
			at = p;
	if (at == NULL) {
		url_err(e, url, _("no user (write user@host)"));
		goto fail;
	}
	if (memchr(s, ':', (size_t)(at - s)) != NULL) {
		url_err(e, url, _("a password in a URL is not accepted; use "
				  "password_command or type it when asked"));
		goto fail;
	}
	a->user = pct_decode(s, (size_t)(at - s));
	if (a->user == NULL || a->user[0] == '\0') {
		url_err(e, url, _("bad or empty user"));
		goto fail;
	}
	if (parse_hostport(url, at + 1, (size_t)(path - at - 1), a, e) < 0)
		goto fail;
	if (strpbrk(path, "?#") != NULL) {
		url_err(e, url, _("query and fragment are not supported"));
		goto fail;
	}
	if (*path == '/' && path[1] != '\0') {
		if (a->mode != CFG_MODE_IMAP) {
			url_err(e, url, _("a POP3 URL has no folder"));
			goto fail;
		}
		a->folder = pct_decode(path + 1, strlen(path + 1));
		if (a->folder == NULL) {
			url_err(e, url, _("bad folder name"));
			goto fail;
		}
	}

	size_t nl = strlen(a->user) + 1 + strlen(a->host) + 1;
	a->name = xmalloc(nl);
	snprintf(a->name, nl, "%s@%s", a->user, a->host);
	a->source = xstrdup(url);
	if (a->mode == CFG_MODE_POP3) {
		if (strchr(a->name, '/') != NULL) {
			url_err(e, url, _("'/' in user name"));
			goto fail;
		}
		char *rel = str_path_join("~/Mail", a->name);
		size_t rl = strlen(rel) + sizeof(".mbox");
		char *withext = xmalloc(rl);
		snprintf(withext, rl, "%s.mbox", rel);
		free(rel);
		a->mbox = fs_expand_home(withext, e);
		free(withext);
		if (a->mbox == NULL)
			goto fail;
	}
	return 0;
fail:
	cfg_account_release(a);
	return -1;
}
