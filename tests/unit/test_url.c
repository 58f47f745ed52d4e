#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "tap.h"
#include "testutil.h"
#include "url.h"

static char *home; /* temporary directory used as HOME */

struct want {
	enum cfg_mode mode;
	enum cfg_tls tls;
	unsigned port;      /* as stored: 0 when the URL has none */
	unsigned eff_port;  /* cfg_account_port() */
	const char *host;
	const char *user;
	const char *folder; /* or NULL */
};

static bool account_is_empty(const struct cfg_account *a)
{
	return a->name == NULL && a->host == NULL && a->user == NULL &&
	       a->folder == NULL && a->mbox == NULL && a->source == NULL &&
	       a->mode == CFG_MODE_NONE;
}

/* Parses url and checks every field against w; the account name is always
 * "user@host". */
static void check(const char *url, const struct want *w)
{
	struct cfg_account a;
	struct err e;
	char name[300];
	err_init(&e);

	int rc = url_to_account(url, &a, &e);
	if (!is_int(rc, 0, "%s: accepted", url)) {
		diag("%s", e.msg);
		return;
	}
	is_int(a.mode, w->mode, "%s: mode %s", url, cfg_mode_name(w->mode));
	is_int(a.tls, w->tls, "%s: tls %s", url, cfg_tls_name(w->tls));
	is_int(a.port, w->port, "%s: stored port %u", url, w->port);
	is_int(cfg_account_port(&a), w->eff_port, "%s: connects to port %u", url,
	       w->eff_port);
	is_str(a.host, w->host, "%s: host", url);
	is_str(a.user, w->user, "%s: user", url);
	is_str(a.folder, w->folder, "%s: folder", url);
	snprintf(name, sizeof(name), "%s@%s", w->user, w->host);
	is_str(a.name, name, "%s: named user@host", url);
	is_str(a.source, url, "%s: source is the URL", url);
	ok(a.password == NULL && a.password_command == NULL && !a.allow_plaintext,
	   "%s: no password source, no plaintext", url);
	cfg_account_release(&a);
}

/* Expects url to be refused with a message containing why; the account
 * must come back released. */
static void fails(const char *name, const char *url, const char *why)
{
	struct cfg_account a;
	struct err e;
	err_init(&e);

	int rc = url_to_account(url, &a, &e);
	bool good = rc == -1 && e.code == ERR_USAGE && e.scope == ERR_ACCOUNT &&
		    strstr(e.msg, why) != NULL;
	if (!ok(good, "%s", name))
		diag("rc %d, message: %s", rc, e.msg);
	ok(account_is_empty(&a), "%s: account released", name);
	if (rc == 0)
		cfg_account_release(&a);
}

static void test_is_url(void)
{
	ok(url_is_url("imap://joe@h"), "imap:// is a URL");
	ok(url_is_url("pop3s://joe@h"), "pop3s:// is a URL");
	ok(url_is_url("http://example.org"), "http:// looks like a URL too");
	ok(url_is_url("x+y.z-1://a"), "scheme with + . - and digits");
	ok(!url_is_url("/home/joe/Mail/inbox"), "absolute path is not a URL");
	ok(!url_is_url("inbox.mbox"), "file name is not a URL");
	ok(!url_is_url("Mail/imap://x"), "path containing :// is not a URL");
	ok(!url_is_url("://host"), "empty scheme is not a URL");
	ok(!url_is_url("imap:/host"), "one slash is not a URL");
	ok(!url_is_url("c:x"), "drive-like name is not a URL");
	ok(!url_is_url(""), "empty string is not a URL");
	ok(!url_is_url("-"), "- is not a URL");
}

static void test_imap(void)
{
	check("imap://joe@imap.example.org", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_STARTTLS, 0, 143, "imap.example.org", "joe",
		NULL });
	check("imaps://joe@imap.example.org", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 0, 993, "imap.example.org", "joe",
		NULL });
	check("imaps://joe@imap.example.org:1993/INBOX", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 1993, 1993, "imap.example.org", "joe",
		"INBOX" });
	check("imap://user%40example.org@h:143", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_STARTTLS, 143, 143, "h", "user@example.org",
		NULL });
	check("imaps://joe@h/Lists/dev", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 0, 993, "h", "joe", "Lists/dev" });
	check("imaps://joe@h/Entw%C3%A4rfe%20alt", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 0, 993, "h", "joe",
		"Entw\xc3\xa4rfe alt" });
	check("imaps://joe@h/", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 0, 993, "h", "joe", NULL });
	check("imaps://joe@[::1]:993", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 993, 993, "::1", "joe", NULL });
	check("imap://joe@[2001:db8::1]/INBOX", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_STARTTLS, 0, 143, "2001:db8::1", "joe",
		"INBOX" });
	check("IMAPS://joe@h", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 0, 993, "h", "joe", NULL });
	check("imap://a@b@h", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_STARTTLS, 0, 143, "h", "a@b", NULL });
	check("imap://a%2Fb@h", &(struct want){
		CFG_MODE_IMAP, CFG_TLS_STARTTLS, 0, 143, "h", "a/b", NULL });
}

static void check_mbox(const char *url, const char *rel)
{
	struct cfg_account a;
	struct err e;
	char want[4400];
	err_init(&e);
	snprintf(want, sizeof(want), "%s/%s", home, rel);
	if (url_to_account(url, &a, &e) < 0)
		diag("%s", e.msg);
	is_str(a.mbox, want, "%s: default mbox %s under HOME", url, rel);
	ok(a.keep && a.delete_after_days == CFG_NO_EXPIRY,
	   "%s: keeps mail, no expiry", url);
	cfg_account_release(&a);
}

static void test_pop3(void)
{
	check("pop3://joe@pop.example.org", &(struct want){
		CFG_MODE_POP3, CFG_TLS_STARTTLS, 0, 110, "pop.example.org", "joe",
		NULL });
	check("pop3s://joe@pop.example.org", &(struct want){
		CFG_MODE_POP3, CFG_TLS_IMPLICIT, 0, 995, "pop.example.org", "joe",
		NULL });
	check("pop3s://user%40example.org@pop.example.org:2995", &(struct want){
		CFG_MODE_POP3, CFG_TLS_IMPLICIT, 2995, 2995, "pop.example.org",
		"user@example.org", NULL });
	check("pop3://joe@h/", &(struct want){
		CFG_MODE_POP3, CFG_TLS_STARTTLS, 0, 110, "h", "joe", NULL });
	check_mbox("pop3s://user%40example.org@pop.example.org",
		   "Mail/user@example.org@pop.example.org.mbox");
	check_mbox("pop3://joe@[::1]:1110", "Mail/joe@::1.mbox");

	struct cfg_account a;
	struct err e;
	err_init(&e);
	is_int(url_to_account("imaps://joe@h", &a, &e), 0, "imaps URL for mbox check");
	ok(a.mbox == NULL, "an IMAP URL gets no mbox");
	cfg_account_release(&a);
}

static void test_errors(void)
{
	fails("unknown scheme http://", "http://joe@h", "imap://");
	fails("error names the URL", "http://joe@h", "'http://joe@h'");
	fails("no scheme", "joe@h", "imap://");
	fails("scheme imapx:// unknown", "imapx://joe@h", "imap://");
	fails("no user", "imap://h", "no user");
	fails("no user but a folder with @", "imap://h/a@b", "no user");
	fails("empty user", "imap://@h", "user");
	fails("empty host", "imap://joe@", "no host");
	fails("empty host with a port", "imap://joe@:993", "no host");
	fails("empty host before a folder", "imap://joe@/INBOX", "no host");
	fails("empty IPv6 host", "imap://joe@[]", "no host");
	fails("bad character in host", "imap://joe@h%41", "host");
	fails("bad port abc", "imap://joe@h:abc", "port");
	fails("empty port", "imap://joe@h:", "port");
	fails("port 0", "imap://joe@h:0", "port");
	fails("port 65536", "imap://joe@h:65536", "port");
	fails("port -1", "imap://joe@h:-1", "port");
	fails("POP3 URL with a folder", "pop3://joe@h/INBOX", "POP3");
	fails("POP3S URL with a folder", "pop3s://joe@h/x", "POP3");
	fails("query", "imap://joe@h?x=1", "query");
	fails("fragment", "imaps://joe@h:993#top", "fragment");
	fails("malformed escape %4 at the end", "imap://joe%4@h", "user");
	fails("malformed escape %zz", "imap://jo%zze@h", "user");
	fails("malformed escape in folder", "imap://joe@h/a%4", "folder");
	fails("%0A decodes to a control character", "imap://joe%0A@h", "user");
	fails("%0A in a folder", "imap://joe@h/a%0Ab", "folder");
	fails("%00 in a folder", "imap://joe@h/a%00b", "folder");
	fails("unterminated [", "imap://joe@[::1", "unterminated [");
	fails("text after ]", "imap://joe@[::1]x", "]");
	fails("/ in a POP3 user", "pop3://a%2Fb@h", "'/'");
}

static void test_password(void)
{
	struct cfg_account a;
	struct err e;

	fails("password in URL", "imap://joe:pw@h", "password");
	err_init(&e);
	url_to_account("imap://joe:pw@h", &a, &e);
	ok(strstr(e.msg, "pw") == NULL, "password error does not repeat pw");
	ok(strstr(e.msg, "imap://joe") != NULL,
	   "password error still shows the URL without it");
	err_init(&e);
	is_int(url_to_account("pop3s://joe:Sup3r:S3cret@h:995", &a, &e), -1,
	       "password with a colon refused");
	ok(strstr(e.msg, "Sup3r") == NULL && strstr(e.msg, "S3cret") == NULL,
	   "password with a colon is not repeated");
	err_init(&e);
	is_int(url_to_account("imap://joe:p%40ss@h", &a, &e), -1,
	       "percent-encoded password refused");
	ok(strstr(e.msg, "p%40ss") == NULL, "encoded password not repeated");
	ok(account_is_empty(&a), "account released after a password error");
}

static void test_no_home(void)
{
	struct cfg_account a;
	struct err e;
	err_init(&e);
	unsetenv("HOME");
	is_int(url_to_account("pop3://joe@h", &a, &e), -1,
	       "POP3 URL without HOME fails (no default mbox)");
	ok(strstr(e.msg, "HOME") != NULL, "the error names HOME");
	ok(account_is_empty(&a), "account released when HOME is missing");
	err_init(&e);
	is_int(url_to_account("imap://joe@h", &a, &e), 0,
	       "IMAP URL does not need HOME");
	cfg_account_release(&a);
	setenv("HOME", home, 1);
}

int main(void)
{
	home = tu_tempdir();
	setenv("HOME", home, 1);

	test_is_url();
	test_imap();
	test_pop3();
	test_errors();
	test_password();
	test_no_home();

	tu_rm_rf(home);
	free(home);
	return done_testing();
}
