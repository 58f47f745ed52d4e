#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfg.h"
#include "tap.h"
#include "testutil.h"

#define NAME "t.conf"

/* A valid account body (3 lines) for the error cases. */
#define IMAP_OK "mode = imap\nhost = h\nuser = u\n"
#define POP_OK "mode = pop3\nhost = h\nuser = u\n"

#define FP_Q "AB:CD:EF:01:23:45:67:89"
#define FP_COLONS FP_Q ":" FP_Q ":" FP_Q ":" FP_Q
#define FP_COLONS_NORM \
	"abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define FP_LOWER \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP_62 \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
#define FP_NONHEX \
	"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *home;          /* temporary directory used as HOME */
static int failed_parses;   /* parses that failed, checked for emptiness */
static int dirty_failures;  /* ...that left something in the cfg */

/* dir/rel into out. */
static const char *path_in(char *out, size_t size, const char *dir,
			   const char *rel)
{
	snprintf(out, size, "%s/%s", dir, rel);
	return out;
}

static bool cfg_is_empty(const struct cfg *cfg)
{
	return cfg->n_accounts == 0 && cfg->accounts == NULL &&
	       cfg->default_account == NULL && cfg->path == NULL &&
	       cfg->n_binds == 0 && cfg->binds == NULL && cfg->n_colors == 0 &&
	       cfg->colors == NULL && cfg->n_monos == 0 && cfg->monos == NULL &&
	       cfg->index_format == NULL && cfg->sort == NULL &&
	       cfg->mailcap == NULL && cfg->opener == NULL;
}

/* Whether msg starts with "FILE:LINE: ". */
static bool starts_with_place(const char *msg, const char *file,
			      unsigned line)
{
	char prefix[4400];
	snprintf(prefix, sizeof(prefix), "%s:%u: ", file, line);
	return strncmp(msg, prefix, strlen(prefix)) == 0;
}

/* The 1-based line of text on which needle first occurs (0 if absent). */
static unsigned line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	if (at == NULL)
		return 0;
	unsigned line = 1;
	for (const char *s = text; s < at; s++)
		if (*s == '\n')
			line++;
	return line;
}

/* Parses text, expecting an error on line whose message mentions what1
 * and what2 (which may be NULL). */
static void expect_error(const char *name, const char *text, bool private_file,
			 unsigned line, const char *what1, const char *what2)
{
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);
	int rc = cfg_parse(&cfg, NAME, text, private_file, &e);
	bool good = rc == -1 && e.code == ERR_CONFIG &&
		    e.scope == ERR_ACCOUNT &&
		    starts_with_place(e.msg, NAME, line) &&
		    strstr(e.msg, what1) != NULL &&
		    (what2 == NULL || strstr(e.msg, what2) != NULL);
	if (!ok(good, "%s", name))
		diag("rc %d, expected line %u, message: %s", rc, line, e.msg);
	failed_parses++;
	if (!cfg_is_empty(&cfg))
		dirty_failures++;
	cfg_release(&cfg);
}

static void fails(const char *name, const char *text, unsigned line,
		  const char *what1, const char *what2)
{
	expect_error(name, text, true, line, what1, what2);
}

/* Parses text (private) and checks it is accepted. */
static void parses(const char *name, const char *text)
{
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);
	int rc = cfg_parse(&cfg, NAME, text, true, &e);
	if (!ok(rc == 0 && cfg.n_accounts > 0, "%s", name))
		diag("rc %d, message: %s", rc, e.msg);
	cfg_release(&cfg);
}

/* ------------------------------------------------------ a valid file */

static const char full_text[] =
	"# tern test configuration\n"
	"   ; indented comment = not a key\n"
	"\n"
	"[general]\n"
	"default_account = work\n"
	"\n"
	"[account home]\n"
	"mode = pop3\n"
	"host = pop.example.org\n"
	"port = 1995\n"
	"user = \"  joe \\\"the\\\" user \\\\ x  \"\n"
	"tls = starttls\n"
	"tls_ca_file = ~/ca.pem\n"
	"tls_fingerprint = sha256:" FP_COLONS "\n"
	"password_command =   pass show mail/home   \n"
	"allow_plaintext = NO\n"
	"mbox = ~/mail/home.mbox\n"
	"keep = yes\n"
	"delete_after_days = 30\n"
	"\n"
	"[account pop]\n"
	"\tmode\t=\tpop3\n"
	"host = mail.example.net\r\n"
	"user = pat\n"
	"password = \" s3cret pass \"\n"
	"\n"
	"[account plain]\n"
	"mode = pop3\n"
	"host = 192.0.2.7\n"
	"user = pl\n"
	"tls = none\n"
	"allow_plaintext = Yes\n"
	"keep = no\n"
	"\n"
	"[account work]\n"
	"mode = imap\n"
	"host = imap.example.com\n"
	"user = joe@example.com\n"
	"tls_fingerprint = SHA256:" FP_LOWER "\n"
	"# a comment inside a section\n"
	"[account work2]\n"
	"mode = imap\n"
	"host = imap2.example.com\n"
	"user = j2\n"
	"tls = starttls\n"
	"\n"
	"[ account  archive ]\n"
	"mode = mbox\n"
	"mbox = ~/archive.mbox\n";

static void check_home(const struct cfg_account *a)
{
	char want[4400];

	ok(a != NULL, "account home found");
	if (a == NULL)
		return;
	is_int(a->mode, CFG_MODE_POP3, "home: mode pop3");
	is_str(a->host, "pop.example.org", "home: host");
	is_int(a->port, 1995, "home: explicit port");
	is_int(cfg_account_port(a), 1995, "home: explicit port wins over default");
	is_str(a->user, "  joe \"the\" user \\ x  ",
	       "home: quoted user keeps blanks, \\\" and \\\\ unescaped");
	is_int(a->tls, CFG_TLS_STARTTLS, "home: tls starttls");
	is_str(a->tls_ca_file, path_in(want, sizeof(want), home, "ca.pem"),
	       "home: tls_ca_file ~ expanded with HOME");
	is_str(a->tls_fingerprint, FP_COLONS_NORM,
	       "home: fingerprint with colons normalised to lower-case hex");
	is_str(a->password_command, "pass show mail/home",
	       "home: unquoted value trimmed, inner blanks kept");
	ok(a->password == NULL, "home: no password");
	ok(!a->allow_plaintext, "home: allow_plaintext NO is false");
	is_str(a->mbox, path_in(want, sizeof(want), home, "mail/home.mbox"),
	       "home: mbox ~ expanded");
	ok(a->keep, "home: keep yes");
	is_int(a->delete_after_days, 30, "home: delete_after_days");
	ok(a->folder == NULL, "home: no folder from a config file");
	is_str(a->source, NAME ":7", "home: source names file and header line");
}

static void check_pop(const struct cfg_account *a)
{
	char want[4400];

	ok(a != NULL, "account pop found");
	if (a == NULL)
		return;
	is_int(a->mode, CFG_MODE_POP3, "pop: tab-separated mode parsed");
	is_str(a->host, "mail.example.net", "pop: CR of a CRLF line stripped");
	is_int(a->port, 0, "pop: port unset is 0");
	is_int(a->tls, CFG_TLS_IMPLICIT, "pop: tls defaults to implicit");
	is_int(cfg_account_port(a), 995, "pop: default port 995 (pop3, implicit)");
	is_str(a->password, " s3cret pass ", "pop: quoted password kept exactly");
	ok(a->password_command == NULL, "pop: no password_command");
	ok(a->tls_ca_file == NULL && a->tls_fingerprint == NULL,
	   "pop: no CA file or fingerprint");
	is_str(a->mbox, path_in(want, sizeof(want), home, "Mail/pop.mbox"),
	       "pop: default mbox is ~/Mail/NAME.mbox");
	ok(a->keep, "pop: keep defaults to yes");
	is_int(a->delete_after_days, CFG_NO_EXPIRY,
	       "pop: delete_after_days defaults to no expiry");
	is_str(a->source, NAME ":21", "pop: source line");
}

static void check_plain(const struct cfg_account *a)
{
	ok(a != NULL, "account plain found");
	if (a == NULL)
		return;
	is_int(a->tls, CFG_TLS_NONE, "plain: tls none");
	ok(a->allow_plaintext, "plain: allow_plaintext Yes is true");
	ok(!a->keep, "plain: keep no");
	is_int(cfg_account_port(a), 110, "plain: default port 110 (pop3, no TLS)");
}

static void check_imap(const struct cfg_account *work,
		       const struct cfg_account *work2)
{
	ok(work != NULL && work2 != NULL, "imap accounts found");
	if (work == NULL || work2 == NULL)
		return;
	is_int(work->mode, CFG_MODE_IMAP, "work: mode imap");
	is_str(work->host, "imap.example.com", "work: host");
	is_str(work->user, "joe@example.com", "work: user with @");
	is_int(work->tls, CFG_TLS_IMPLICIT, "work: tls implicit by default");
	is_int(cfg_account_port(work), 993, "work: default port 993 (imap, implicit)");
	is_str(work->tls_fingerprint, FP_LOWER,
	       "work: upper-case SHA256: prefix accepted, hex kept");
	ok(work->mbox == NULL, "work: an imap account gets no mbox");
	ok(work->keep, "work: keep left at its default");
	ok(work->password == NULL && work->password_command == NULL,
	   "work: no password source");
	is_int(work2->tls, CFG_TLS_STARTTLS, "work2: tls starttls");
	is_int(cfg_account_port(work2), 143, "work2: default port 143 (imap, starttls)");
}

static void check_archive(const struct cfg_account *a)
{
	char want[4400];

	ok(a != NULL, "account archive found (blanks inside [ account NAME ])");
	if (a == NULL)
		return;
	is_int(a->mode, CFG_MODE_MBOX, "archive: mode mbox");
	is_str(a->mbox, path_in(want, sizeof(want), home, "archive.mbox"),
	       "archive: mbox path ~ expanded");
	ok(a->host == NULL && a->user == NULL, "archive: no host or user");
	is_int(cfg_account_port(a), 0, "archive: an mbox account has no port");
}

static void test_full(void)
{
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);

	int rc = cfg_parse(&cfg, NAME, full_text, false, &e);
	if (!is_int(rc, -1, "full config with password refused when not private"))
		cfg_release(&cfg);
	ok(strstr(e.msg, "s3cret") == NULL,
	   "the refusal does not repeat the password");
	is_int(line_of(full_text, "password ="), 25, "password is on line 25");
	ok(starts_with_place(e.msg, NAME, 25), "the refusal names file and line 25");

	err_init(&e);
	rc = cfg_parse(&cfg, NAME, full_text, true, &e);
	if (!is_int(rc, 0, "full config parses when private"))
		diag("%s", e.msg);
	is_int((long long)cfg.n_accounts, 6, "six accounts");
	is_str(cfg.default_account, "work", "default_account recorded");
	ok(cfg.path == NULL, "cfg_parse sets no path");
	if (cfg.n_accounts == 6) {
		is_str(cfg.accounts[0].name, "home", "accounts kept in file order (first)");
		is_str(cfg.accounts[5].name, "archive", "accounts kept in file order (last)");
	}
	check_home(cfg_find_account(&cfg, "home"));
	check_pop(cfg_find_account(&cfg, "pop"));
	check_plain(cfg_find_account(&cfg, "plain"));
	check_imap(cfg_find_account(&cfg, "work"), cfg_find_account(&cfg, "work2"));
	check_archive(cfg_find_account(&cfg, "archive"));
	ok(cfg_find_account(&cfg, "nosuch") == NULL, "unknown account not found");
	ok(cfg_find_account(&cfg, "Home") == NULL, "account names are case-sensitive");

	err_init(&e);
	const struct cfg_account *d = cfg_default_account(&cfg, &e);
	is_str(d ? d->name : NULL, "work", "default_account wins over the first");
	cfg_release(&cfg);
	ok(cfg_is_empty(&cfg), "cfg_release leaves the cfg empty");
}

static void test_ports(void)
{
	struct cfg_account a;
	static const struct {
		enum cfg_mode mode;
		enum cfg_tls tls;
		unsigned port;
	} t[] = {
		{ CFG_MODE_POP3, CFG_TLS_IMPLICIT, 995 },
		{ CFG_MODE_POP3, CFG_TLS_STARTTLS, 110 },
		{ CFG_MODE_POP3, CFG_TLS_NONE, 110 },
		{ CFG_MODE_IMAP, CFG_TLS_IMPLICIT, 993 },
		{ CFG_MODE_IMAP, CFG_TLS_STARTTLS, 143 },
		{ CFG_MODE_IMAP, CFG_TLS_NONE, 143 },
		{ CFG_MODE_MBOX, CFG_TLS_IMPLICIT, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cfg_account_init(&a);
		a.mode = t[i].mode;
		a.tls = t[i].tls;
		is_int(cfg_account_port(&a), t[i].port, "default port for %s with tls %s",
		       cfg_mode_name(t[i].mode), cfg_tls_name(t[i].tls));
	}
	cfg_account_init(&a);
	ok(a.keep && a.compress && a.delete_after_days == CFG_NO_EXPIRY && a.mode == CFG_MODE_NONE &&
	   a.tls == CFG_TLS_IMPLICIT && a.name == NULL,
	   "cfg_account_init sets the documented defaults");
	is_str(cfg_mode_name(CFG_MODE_NONE), "none", "mode name of NONE");
	is_str(cfg_tls_name(CFG_TLS_STARTTLS), "starttls", "tls name of STARTTLS");
}

/* ------------------------------------------------------ errors */

static void test_syntax_errors(void)
{
	fails("unknown key in an account", "[account a]\n" IMAP_OK "colour = red\n",
	      5, "'colour'", "[account a]");
	fails("unknown key in [general]", "[general]\nfoo = 1\n", 2, "'foo'", NULL);
	fails("auth names a mechanism", "[account a]\n" IMAP_OK "auth = md4\n", 5, "auth",
	      "'md4'");
	parses("auth = CRAM-MD5 (any case)", "[account a]\n" IMAP_OK "auth = CRAM-MD5\n");
	fails("auth is a network key", "[account a]\nmode = mbox\nmbox = /x\nauth = plain\n", 4,
	      "auth", NULL);
	fails("timeout is a number of seconds", "[account a]\n" IMAP_OK "timeout = 0\n", 5,
	      "timeout", "'0'");
	fails("timeout at most an hour", "[account a]\n" IMAP_OK "timeout = 3601\n", 5,
	      "timeout", "3600");
	fails("connect_timeout is a number", "[account a]\n" IMAP_OK "connect_timeout = 5s\n",
	      5, "connect_timeout", "'5s'");
	fails("trash is for IMAP accounts", "[account a]\nmode = mbox\nmbox = /x\ntrash = T\n",
	      4, "trash", NULL);
	{
		struct cfg cfg;
		struct err e;
		cfg_init(&cfg);
		err_init(&e);
		int rc = cfg_parse(&cfg, NAME, "[account a]\n" IMAP_OK "trash = Deleted Items\n", true,
				   &e);
		ok(rc == 0 && cfg.accounts[0].trash != NULL &&
		   strcmp(cfg.accounts[0].trash, "Deleted Items") == 0, "trash names a folder");
		struct cfg_account copy;
		cfg_account_copy(&copy, &cfg.accounts[0]);
		ok(copy.trash != cfg.accounts[0].trash && strcmp(copy.trash, "Deleted Items") == 0,
		   "and is copied with the account");
		cfg_account_release(&copy);
		cfg_release(&cfg);
	}
	fails("body_cache is a number of megabytes", "[account a]\n" IMAP_OK "body_cache = 1G\n",
	      5, "body_cache", "'1G'");
	fails("body_cache is for IMAP accounts", "[account a]\nmode = mbox\nmbox = /x\n"
	      "body_cache = 5\n", 4, "body_cache", NULL);
	fails("compress is for IMAP accounts", "[account a]\n" POP_OK "compress = no\n", 5,
	      "compress", NULL);
	fails("compress is yes or no", "[account a]\n" IMAP_OK "compress = maybe\n", 5,
	      "compress", "'maybe'");
	{
		struct cfg cfg;
		struct err e;
		cfg_init(&cfg);
		err_init(&e);
		int rc = cfg_parse(&cfg, NAME, "[account a]\n" IMAP_OK "body_cache = 0\n"
				   "[account b]\n" IMAP_OK, true, &e);
		ok(rc == 0 && cfg.n_accounts == 2 && cfg.accounts[0].body_cache_mb == 0 &&
		   cfg.accounts[1].body_cache_mb == 100,
		   "body_cache = 0 keeps none; without it, 100 MB");
		cfg_release(&cfg);
	}
	{
		struct cfg cfg;
		struct err e;
		cfg_init(&cfg);
		err_init(&e);
		int rc = cfg_parse(&cfg, NAME, "[account a]\n" IMAP_OK "compress = no\n[account b]\n"
				   IMAP_OK, true, &e);
		ok(rc == 0 && cfg.n_accounts == 2 && !cfg.accounts[0].compress &&
		   cfg.accounts[1].compress, "compress = no turns COMPRESS off; it is on by default");
		cfg_release(&cfg);
	}
	fails("timeout is a network key", "[account a]\nmode = mbox\nmbox = /x\ntimeout = 5\n",
	      4, "timeout", NULL);
	{
		struct cfg cfg;
		struct err e;
		cfg_init(&cfg);
		err_init(&e);
		int rc = cfg_parse(&cfg, NAME, "[account a]\n" IMAP_OK "timeout = 3600\n"
				   "connect_timeout = 1\n[account b]\n" IMAP_OK, true, &e);
		ok(rc == 0 && cfg.n_accounts == 2 && cfg.accounts[0].timeout == 3600 &&
		   cfg.accounts[0].connect_timeout == 1,
		   "timeout and connect_timeout are read in seconds");
		ok(rc == 0 && cfg.accounts[1].timeout == 0 && cfg.accounts[1].connect_timeout == 0,
		   "without them both are 0 (the connection's defaults)");
		cfg_release(&cfg);
	}
	fails("unknown section", "# c\n[accounts x]\n", 2, "[accounts x]", NULL);
	fails("[account] without a name is an unknown section", "\n[account]\n", 2,
	      "[account]", NULL);
	fails("malformed section header", "[general\n", 1, "section header", NULL);
	fails("text after a section header", "[general] x\n", 1, "section header",
	      NULL);
	fails("key outside a section", "\nmode = pop3\n", 2, "mode", "outside");
	fails("line without =", "[account a]\nmode imap\n", 2, "KEY = VALUE", NULL);
	fails("line with an empty key", "[account a]\n = imap\n", 2, "KEY = VALUE",
	      NULL);
	fails("repeated key", "[account a]\n" IMAP_OK "host = h2\n", 5, "host",
	      "first on line 3");
	fails("repeated default_account",
	      "[general]\ndefault_account = a\ndefault_account = b\n", 3,
	      "default_account", "first on line 2");
	fails("repeated account", "[account a]\n" IMAP_OK "[account a]\n" IMAP_OK,
	      5, "'a'", "twice");
	fails("empty value", "[account a]\nmode = imap\nhost =\n", 3, "host",
	      "empty");
	fails("empty quoted value", "[account a]\nmode = imap\nhost = h\nuser = \"\"\n",
	      4, "user", "empty");
	fails("empty password_command",
	      "[account a]\n" POP_OK "password_command = \"\"\n", 5,
	      "password_command", "empty");
	fails("empty password", "[account a]\n" POP_OK "password =\n", 5, "password",
	      "empty");
	fails("unterminated quote", "[account a]\nmode = imap\nhost = h\nuser = \"joe\n",
	      4, "user", "unterminated");
	fails("lone quote is unterminated", "[account a]\nmode = imap\nuser = \"\n", 3,
	      "user", "unterminated");
	fails("escaped closing quote leaves the value unterminated",
	      "[account a]\nmode = imap\nuser = \"joe\\\"\n", 3, "user",
	      "unterminated");
	fails("unescaped quote inside a quoted value",
	      "[account a]\nmode = imap\nuser = \"jo\"e\"\n", 3, "user", "\"");
	fails("control character in a value",
	      "[account a]\nmode = imap\nhost = h\nuser = \"a\tb\"\n", 4, "user",
	      "control");
	fails("host with a slash", "[account a]\nmode = imap\nhost = a/b\n", 3,
	      "host", "a/b");
}

/* The user value of a one-account file whose user line is user_line. */
static void check_user(const char *user_line, const char *want,
		       const char *name)
{
	char text[300];
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);
	snprintf(text, sizeof(text), "[account a]\nmode = imap\nhost = h\n%s\n",
		 user_line);
	if (cfg_parse(&cfg, NAME, text, true, &e) < 0)
		diag("%s", e.msg);
	is_str(cfg.n_accounts == 1 ? cfg.accounts[0].user : NULL, want, "%s", name);
	cfg_release(&cfg);
}

static void test_quotes(void)
{
	check_user("user = \"\\\\\"", "\\", "quoted \\\\ alone is one backslash");
	check_user("user = \"a\\\\\"", "a\\",
		   "quoted value ending in \\\\ is closed by the quote");
	check_user("user = \"\\\"\"", "\"", "quoted \\\" alone is one quote");
	check_user("user = \"a\\b\"", "a\\b", "other backslashes are kept");
	check_user("user = a \"b\" c", "a \"b\" c",
		   "quotes inside an unquoted value are kept");
	check_user("user = a=b", "a=b", "= inside a value is kept");
	check_user("user = joe # not a comment", "joe # not a comment",
		   "# after a value is part of it");
}

static void test_account_names(void)
{
	char text[200];
	char name[70];

	fails("account name starting with -", "[account -a]\n", 1, "'-a'", NULL);
	fails("account name starting with .", "[account .a]\n", 1, "'.a'", NULL);
	fails("account name with /", "[account a/b]\n", 1, "'a/b'", NULL);
	fails("account name with a blank", "[account a b]\n", 1, "'a b'", NULL);
	fails("header with only blanks as the name is refused", "[account  ]\n", 1,
	      "[account]", NULL);
	memset(name, 'x', 65);
	name[65] = '\0';
	snprintf(text, sizeof(text), "[account %s]\n", name);
	fails("account name of 65 characters", text, 1, "account name", NULL);
	name[64] = '\0';
	snprintf(text, sizeof(text), "[account %s]\nmode = mbox\nmbox = /m\n", name);
	parses("account name of 64 characters accepted", text);
	parses("account name with . _ - and digits accepted",
	       "[account a.b_c-9]\nmode = mbox\nmbox = /m\n");
	fails("default_account that is not a name",
	      "[general]\ndefault_account = a b\n", 2, "default_account", "'a b'");
	fails("default_account naming a missing account",
	      "[general]\ndefault_account = nosuch\n[account a]\n" IMAP_OK, 2,
	      "default_account", "nosuch");
}

static void test_values(void)
{
	fails("bad mode", "[account a]\nmode = smtp\n", 2, "mode", "'smtp'");
	fails("mode is case-sensitive", "[account a]\nmode = IMAP\n", 2, "mode",
	      "'IMAP'");
	fails("port 0", "[account a]\n" IMAP_OK "port = 0\n", 5, "port", "'0'");
	fails("port 65536", "[account a]\n" IMAP_OK "port = 65536\n", 5, "port",
	      "'65536'");
	fails("port abc", "[account a]\n" IMAP_OK "port = abc\n", 5, "port",
	      "'abc'");
	fails("port -1", "[account a]\n" IMAP_OK "port = -1\n", 5, "port", "'-1'");
	fails("port +1", "[account a]\n" IMAP_OK "port = +1\n", 5, "port", "'+1'");
	fails("port 99x", "[account a]\n" IMAP_OK "port = 99x\n", 5, "port", "'99x'");
	parses("port 1 accepted", "[account a]\n" IMAP_OK "port = 1\n");
	parses("port 65535 accepted", "[account a]\n" IMAP_OK "port = 65535\n");
	fails("bad yes/no for keep", "[account a]\n" POP_OK "keep = maybe\n", 5,
	      "keep", "'maybe'");
	fails("1 is not yes or no", "[account a]\n" IMAP_OK "allow_plaintext = 1\n",
	      5, "allow_plaintext", "'1'");
	parses("true/off spellings of yes/no accepted",
	       "[account a]\n" POP_OK "allow_plaintext = TRUE\nkeep = off\n");
	fails("bad tls value", "[account a]\n" IMAP_OK "tls = ssl\n", 5, "tls",
	      "'ssl'");
	fails("delete_after_days not a number",
	      "[account a]\n" POP_OK "delete_after_days = x\n", 5,
	      "delete_after_days", "'x'");
	fails("delete_after_days over 36500",
	      "[account a]\n" POP_OK "delete_after_days = 36501\n", 5,
	      "delete_after_days", "'36501'");
	parses("delete_after_days 0 accepted",
	       "[account a]\n" POP_OK "delete_after_days = 0\n");
	fails("tls_ca_file that does not exist",
	      "[account a]\n" IMAP_OK "tls_ca_file = /nonexistent/tern-ca.pem\n", 5,
	      "tls_ca_file", "/nonexistent/tern-ca.pem");
}

static void test_fingerprints(void)
{
	fails("fingerprint too short",
	      "[account a]\n" IMAP_OK "tls_fingerprint = sha256:" FP_62 "\n", 5,
	      "tls_fingerprint", FP_62);
	fails("fingerprint too long",
	      "[account a]\n" IMAP_OK "tls_fingerprint = sha256:" FP_LOWER "00\n", 5,
	      "tls_fingerprint", NULL);
	fails("fingerprint with a non-hex digit",
	      "[account a]\n" IMAP_OK "tls_fingerprint = sha256:" FP_NONHEX "\n", 5,
	      "tls_fingerprint", NULL);
	fails("fingerprint without sha256:",
	      "[account a]\n" IMAP_OK "tls_fingerprint = " FP_LOWER "\n", 5,
	      "tls_fingerprint", "sha256:");
	fails("fingerprint with sha1:",
	      "[account a]\n" IMAP_OK "tls_fingerprint = sha1:" FP_LOWER "\n", 5,
	      "tls_fingerprint", NULL);
	fails("fingerprint with tls none",
	      "[account a]\n" IMAP_OK "tls = none\nallow_plaintext = yes\n"
	      "tls_fingerprint = sha256:" FP_LOWER "\n",
	      7, "tls_fingerprint", "none");
}

static void test_combinations(void)
{
	fails("tls none without allow_plaintext",
	      "[account a]\n" IMAP_OK "tls = none\n", 5, "tls", "allow_plaintext");
	fails("tls none with allow_plaintext = no",
	      "[account a]\n" IMAP_OK "allow_plaintext = no\ntls = none\n", 6, "tls",
	      "allow_plaintext");
	parses("tls none with allow_plaintext = yes accepted",
	       "[account a]\n" IMAP_OK "tls = none\nallow_plaintext = yes\n");
	fails("keep in an imap account", "[account a]\n" IMAP_OK "keep = yes\n", 5,
	      "keep", "imap");
	fails("delete_after_days in an imap account",
	      "[account a]\n" IMAP_OK "delete_after_days = 3\n", 5,
	      "delete_after_days", "imap");
	fails("mbox in an imap account", "[account a]\n" IMAP_OK "mbox = /m\n", 5,
	      "mbox", "imap");
	fails("host in an mbox account",
	      "[account m]\nmode = mbox\nhost = h\nmbox = /m\n", 3, "host", "mbox");
	fails("key before the mode is checked against it",
	      "[account m]\nport = 1\nmbox = /m\nmode = mbox\n", 2, "port", "mbox");
	fails("password in an mbox account", "[account m]\nmode = mbox\nmbox = /m\n"
	      "password = x\n[account n]\n" IMAP_OK, 4, "password", "mbox");
	fails("missing mode", "[general]\n\n[account a]\nhost = h\nuser = u\n", 3,
	      "mode", "'a'");
	fails("missing mode, found at the next section",
	      "[account a]\nhost = h\n[account b]\n" IMAP_OK, 1, "mode", "'a'");
	fails("missing host", "[account a]\nmode = pop3\nuser = u\n", 1, "host",
	      "'a'");
	fails("missing user", "[account a]\nmode = imap\nhost = h\n", 1, "user",
	      "'a'");
	fails("mbox account without mbox", "[account m]\nmode = mbox\n", 1, "mbox",
	      "'m'");
	fails("password after password_command",
	      "[account a]\n" POP_OK "password_command = pass x\npassword = pw\n", 6,
	      "password_command", NULL);
	fails("password before password_command",
	      "[account a]\n" POP_OK "password = pw\npassword_command = pass x\n", 5,
	      "password_command", NULL);
	fails("delete_after_days with keep = no",
	      "[account a]\n" POP_OK "delete_after_days = 7\nkeep = no\n", 5,
	      "delete_after_days", "keep");
	expect_error("password in a file that is not private",
		     "[account a]\n" POP_OK "password = Tr0ub4dor\n", false, 5,
		     "password", "chmod 600");
}

/* A failure after accounts were added still leaves nothing behind. */
static void test_general_display(void)
{
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);
	int rc = cfg_parse(&cfg, NAME,
			   "[general]\nheaders = From, Subject  X-Mailer,List-Id\n"
			   "html_command = w3m -dump -T text/html\n", true, &e);
	is_int(rc, 0, "[general] headers and html_command parse");
	is_int((long long)cfg.n_headers, 4, "headers split at commas and blanks");
	ok(cfg.n_headers == 4 && strcmp(cfg.headers[0], "From") == 0 &&
	   strcmp(cfg.headers[2], "X-Mailer") == 0 && strcmp(cfg.headers[3], "List-Id") == 0,
	   "header names kept in order");
	is_str(cfg.html_command, "w3m -dump -T text/html", "html_command kept whole");
	cfg_release(&cfg);
	fails("a header name with a colon", "[general]\nheaders = From:\n", 2,
	      "headers", "not a header field name");
	fails("an empty headers list", "[general]\nheaders = ,\n", 2, "headers", "empty");
	fails("html_command twice", "[general]\nhtml_command = a\nhtml_command = b\n", 3,
	      "html_command", "first on line 2");
}

static void test_failed_parse_releases(void)
{
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);
	int rc = cfg_parse(&cfg, NAME,
			   "[general]\ndefault_account = a\n"
			   "[account a]\n" IMAP_OK "[account b]\n" IMAP_OK
			   "[account c]\nmode = bad\n",
			   true, &e);
	is_int(rc, -1, "error after two accounts");
	is_int((long long)cfg.n_accounts, 0, "failed parse leaves no accounts");
	ok(cfg.accounts == NULL && cfg.default_account == NULL,
	   "failed parse frees accounts and default_account");
	cfg_release(&cfg);
	is_int(dirty_failures, 0, "none of the %d failed parses left data in the cfg",
	       failed_parses);
}

/* ------------------------------------------------------ [ui] */

static const char ui_text[] =
	"[ui]\n"
	"bind index D delete-message\n"
	"bind = pager <Space> next-page\n"
	"bind\tindex\t=\tfirst-entry\n"
	"  bind index = last-entry  \n"
	"color index.new bold yellow default\n"
	"color = quoted cyan default\n"
	"mono url underline\n"
	"index_format = \"%Z %d  \"\n"
	"sort = reverse-thread\n"
	"mailcap = ~/.mailcap:/etc/mailcap\n"
	"opener = xdg-open\n"
	"[account a]\n" IMAP_OK
	"[ui]\n"
	"bind=index x exit\n";

/* Whether directive d holds text and came from line. */
static bool directive_is(const struct cfg_directive *d, const char *text,
			 unsigned line)
{
	char source[64];
	snprintf(source, sizeof(source), NAME ":%u", line);
	bool same = strcmp(d->text, text) == 0 && strcmp(d->source, source) == 0;
	if (!same)
		diag("expected \"%s\" from %s, got \"%s\" from %s", text, source,
		     d->text, d->source);
	return same;
}

static void test_ui_section(void)
{
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);

	int rc = cfg_parse(&cfg, NAME, ui_text, true, &e);
	if (!is_int(rc, 0, "[ui] with keys and directives parses"))
		diag("%s", e.msg);
	is_int((long long)cfg.n_accounts, 1, "[ui] sections around an account");
	is_int((long long)cfg.n_binds, 5, "five bind lines kept");
	if (cfg.n_binds == 5) {
		ok(directive_is(&cfg.binds[0], "index D delete-message", 2),
		   "mutt-style bind kept with its line");
		ok(directive_is(&cfg.binds[1], "pager <Space> next-page", 3),
		   "INI-style 'bind =' loses the =");
		ok(directive_is(&cfg.binds[2], "index\t=\tfirst-entry", 4),
		   "tab-separated bind of the = key kept whole");
		ok(directive_is(&cfg.binds[3], "index = last-entry", 5),
		   "mutt-style bind of the = key keeps it, blanks trimmed");
		ok(directive_is(&cfg.binds[4], "index x exit", 18),
		   "'bind=' without blanks, in a second [ui] section");
	}
	is_int((long long)cfg.n_colors, 2, "two color lines kept");
	if (cfg.n_colors == 2) {
		ok(directive_is(&cfg.colors[0], "index.new bold yellow default", 6),
		   "mutt-style color kept");
		ok(directive_is(&cfg.colors[1], "quoted cyan default", 7),
		   "INI-style color kept");
	}
	ok(cfg.n_monos == 1 && directive_is(&cfg.monos[0], "url underline", 8),
	   "mono line kept");
	is_str(cfg.index_format, "%Z %d  ", "index_format quoted keeps trailing blanks");
	is_str(cfg.sort, "reverse-thread", "sort kept as written");
	is_str(cfg.mailcap, "~/.mailcap:/etc/mailcap", "mailcap list kept as written");
	is_str(cfg.opener, "xdg-open", "opener kept");
	cfg_release(&cfg);
	ok(cfg_is_empty(&cfg), "cfg_release frees the [ui] settings");

	err_init(&e);
	rc = cfg_parse(&cfg, NAME, "[account a]\n" IMAP_OK, true, &e);
	ok(rc == 0 && cfg.n_binds == 0 && cfg.binds == NULL && cfg.n_colors == 0 &&
	   cfg.n_monos == 0 && cfg.sort == NULL && cfg.index_format == NULL &&
	   cfg.mailcap == NULL && cfg.opener == NULL,
	   "without [ui] every [ui] setting is unset");
	cfg_release(&cfg);

	err_init(&e);
	rc = cfg_parse(&cfg, NAME, "[ui]\nsort = date\n", true, &e);
	ok(rc == 0 && cfg.n_accounts == 0 && cfg.sort != NULL,
	   "a file with only [ui] parses");
	cfg_release(&cfg);
}

static void test_ui_sort_values(void)
{
	static const char *const good[] = {
		"date", "arrival", "from", "subject", "size", "thread",
		"reverse-date", "reverse-arrival", "reverse-from", "reverse-subject",
		"reverse-size", "reverse-thread",
	};
	static const char *const bad[] = {
		"", "Date", "name", "reverse-", "reverse", "reverse-reverse-date",
		"date ", "reverse date", "to",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(cfg_sort_valid(good[i]), "sort order '%s' valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!cfg_sort_valid(bad[i]), "sort order '%s' invalid", bad[i]);
}

/* n bind lines in [ui], as one text. */
static char *many_binds(unsigned n)
{
	static const char line[] = "bind index d noop\n";
	char *text = malloc(5 + n * (sizeof(line) - 1) + 1);
	if (text == NULL)
		exit(99);
	memcpy(text, "[ui]\n", 5);
	text[5] = '\0';
	for (unsigned i = 0; i < n; i++)
		memcpy(text + 5 + i * (sizeof(line) - 1), line, sizeof(line));
	return text;
}

static void test_ui_errors(void)
{
	fails("bind in [general]", "[general]\nbind index d noop\n", 2, "bind",
	      "[ui]");
	fails("color before any section", "color normal red\n", 1, "color", "[ui]");
	fails("INI-style bind in an account", "[account a]\n" IMAP_OK "bind = x\n", 5,
	      "bind", "[ui]");
	fails("mono in [general]", "[general]\nmono url bold\n", 2, "mono", "[ui]");
	fails("bind without words", "[ui]\nbind\n", 2, "bind", "empty");
	fails("bind = without words", "[ui]\nbind =   \n", 2, "bind", "empty");
	fails("color with a control character", "[ui]\ncolor normal\x01red\n", 2,
	      "color", "control");
	fails("a word that only starts like bind is a key", "[ui]\nbinds index d x\n",
	      2, "KEY = VALUE", NULL);
	fails("unknown key in [ui]", "[ui]\ncolour = red\n", 2, "'colour'", "[ui]");
	fails("unknown section names [ui] among the choices", "[uii]\n", 1, "[uii]",
	      "[ui]");
	fails("bad sort", "[ui]\nsort = name\n", 2, "sort", "'name'");
	fails("sort is case-sensitive", "[ui]\nsort = Date\n", 2, "sort", "'Date'");
	fails("reverse- alone", "[ui]\nsort = reverse-\n", 2, "sort", "'reverse-'");
	fails("sort twice", "[ui]\nsort = date\n[ui]\nsort = size\n", 4, "sort",
	      "first on line 2");
	fails("empty index_format", "[ui]\nindex_format = \"\"\n", 2, "index_format",
	      "empty");
	fails("relative mailcap path", "[ui]\nmailcap = /etc/mailcap:.mailcap\n", 2,
	      "mailcap", "'.mailcap'");
	fails("empty mailcap path", "[ui]\nmailcap = /etc/mailcap::/x\n", 2,
	      "mailcap", "''");
	fails("~user in mailcap", "[ui]\nmailcap = ~joe/.mailcap\n", 2, "mailcap",
	      "'~joe/.mailcap'");
	fails("empty mailcap", "[ui]\nmailcap =\n", 2, "mailcap", "empty");
	fails("empty opener", "[ui]\nopener =\n", 2, "opener", "empty");
	fails("opener twice", "[ui]\nopener = a\nopener = b\n", 3, "opener",
	      "first on line 2");

	char *text = many_binds(CFG_DIRECTIVES_MAX + 1);
	fails("one bind line too many", text, CFG_DIRECTIVES_MAX + 2, "bind",
	      "more than 1000");
	free(text);
	text = many_binds(CFG_DIRECTIVES_MAX);
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);
	err_init(&e);
	is_int(cfg_parse(&cfg, NAME, text, true, &e), 0, "1000 bind lines accepted");
	is_int((long long)cfg.n_binds, CFG_DIRECTIVES_MAX, "all 1000 kept");
	cfg_release(&cfg);
	free(text);

	fails("error after directives", "[ui]\nbind index d noop\ncolor normal red\n"
	      "mono url bold\nsort = date\nopener = x\nsort = size\n", 7, "sort",
	      "first on line 5");
}

/* ------------------------------------------------------ files */

static void write_file(const char *path, const char *text, mode_t mode)
{
	tu_write(path, text, strlen(text));
	if (chmod(path, mode) < 0) {
		perror(path);
		exit(99);
	}
}

static void test_load_private(const char *dir)
{
	static const char text[] = "[account a]\n" POP_OK "password = Tr0ub4dor\n";
	char path[4400];
	struct cfg cfg;
	struct err e;

	path_in(path, sizeof(path), dir, "public.conf");
	write_file(path, text, 0644);
	cfg_init(&cfg);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), -1, "password in a 0644 file refused");
	ok(starts_with_place(e.msg, path, 5), "the refusal names the file and line 5");
	ok(strstr(e.msg, "password") != NULL, "the refusal names the key");
	ok(strstr(e.msg, "Tr0ub4dor") == NULL,
	   "the refusal does not contain the password");
	ok(cfg_is_empty(&cfg), "refused file leaves the cfg empty");

	chmod(path, 0640);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), -1, "password in a 0640 file refused");
	ok(strstr(e.msg, "Tr0ub4dor") == NULL, "0640 refusal hides the password");

	chmod(path, 0600);
	err_init(&e);
	if (!is_int(cfg_load(&cfg, path, false, &e), 0, "password in a 0600 file accepted"))
		diag("%s", e.msg);
	is_str(cfg.path, path, "cfg_load records the path");
	is_str(cfg.n_accounts == 1 ? cfg.accounts[0].password : NULL, "Tr0ub4dor",
	       "password read from a private file");
	cfg_release(&cfg);

	path_in(path, sizeof(path), dir, "cmd.conf");
	write_file(path, "[account a]\n" POP_OK "password_command = pass a\n", 0644);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), 0,
	       "password_command in a 0644 file accepted");
	cfg_release(&cfg);
}

static void test_load_files(const char *dir)
{
	char path[4400];
	struct cfg cfg;
	struct err e;
	cfg_init(&cfg);

	path_in(path, sizeof(path), dir, "missing.conf");
	err_init(&e);
	is_int(cfg_load(&cfg, path, true, &e), 0, "missing file with missing_ok");
	ok(cfg_is_empty(&cfg), "missing file leaves the cfg empty (no path)");
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), -1, "missing file without missing_ok");
	is_int(e.code, ERR_NOTFOUND, "missing file is ERR_NOTFOUND");
	ok(strstr(e.msg, path) != NULL, "missing file error names the file");

	err_init(&e);
	is_int(cfg_load(&cfg, dir, true, &e), -1, "a directory is refused");
	ok(strstr(e.msg, "not a regular file") != NULL && strstr(e.msg, dir) != NULL,
	   "directory error names the path");
	ok(cfg_is_empty(&cfg), "refused directory leaves the cfg empty");

	static const char nul_text[] = "[account a]\nmode = mbox\0\nmbox = /m\n";
	path_in(path, sizeof(path), dir, "nul.conf");
	tu_write(path, nul_text, sizeof(nul_text) - 1);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), -1, "a file with a NUL byte is refused");
	ok(strstr(e.msg, "NUL") != NULL && strstr(e.msg, path) != NULL,
	   "NUL error names the file");
	ok(cfg_is_empty(&cfg), "NUL file leaves the cfg empty");

	path_in(path, sizeof(path), dir, "bad.conf");
	write_file(path, "[account a]\n" IMAP_OK "bogus = 1\n", 0600);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), -1, "a bad file is refused by cfg_load");
	ok(starts_with_place(e.msg, path, 5), "cfg_load error starts with PATH:LINE");
	ok(cfg_is_empty(&cfg), "refused file leaves no path behind");
	cfg_release(&cfg);
}

/* ------------------------------------------------------ default account */

static const char *default_name(const char *text, struct err *e)
{
	static char name[80];
	struct cfg cfg;
	cfg_init(&cfg);
	err_init(e);
	name[0] = '\0';
	if (cfg_parse(&cfg, NAME, text, true, e) < 0) {
		diag("unexpected parse error: %s", e->msg);
		return NULL;
	}
	const struct cfg_account *a = cfg_default_account(&cfg, e);
	if (a != NULL)
		snprintf(name, sizeof(name), "%s", a->name);
	cfg_release(&cfg);
	return a != NULL ? name : NULL;
}

static void test_default_account(const char *dir)
{
	struct err e;

	is_str(default_name("[general]\ndefault_account = b\n[account a]\n" IMAP_OK
			    "[account b]\n" IMAP_OK, &e), "b",
	       "default_account chosen among several");
	is_str(default_name("[account b]\n" IMAP_OK "[general]\ndefault_account = b\n",
			    &e), "b",
	       "[general] may come after the accounts");
	is_str(default_name("[account only]\n" IMAP_OK, &e), "only",
	       "the single account is the default");
	ok(default_name("# nothing\n", &e) == NULL, "no account: no default");
	is_int(e.code, ERR_CONFIG, "no account: ERR_CONFIG");
	ok(strstr(e.msg, "no configuration file") != NULL,
	   "no account and no file: says there is no configuration file");

	char path[4400];
	struct cfg cfg;
	cfg_init(&cfg);
	path_in(path, sizeof(path), dir, "two.conf");
	write_file(path, "[account a]\n" IMAP_OK "[account b]\n" IMAP_OK, 0600);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), 0, "file with two accounts loads");
	err_init(&e);
	ok(cfg_default_account(&cfg, &e) == NULL, "several accounts: no default");
	is_int(e.code, ERR_CONFIG, "several accounts: ERR_CONFIG");
	ok(strstr(e.msg, path) != NULL && strstr(e.msg, "-a NAME") != NULL &&
	   strstr(e.msg, "default_account") != NULL,
	   "several accounts: names the file, -a and default_account");
	cfg_release(&cfg);

	path_in(path, sizeof(path), dir, "empty.conf");
	write_file(path, "# only a comment\n[general]\n", 0600);
	err_init(&e);
	is_int(cfg_load(&cfg, path, false, &e), 0, "file without accounts loads");
	err_init(&e);
	ok(cfg_default_account(&cfg, &e) == NULL, "file without accounts: no default");
	ok(strstr(e.msg, path) != NULL && strstr(e.msg, "no account") != NULL,
	   "file without accounts: says the file defines no account");
	cfg_release(&cfg);
}

int main(void)
{
	char path[4400];

	home = tu_tempdir();
	setenv("HOME", home, 1);
	write_file(path_in(path, sizeof(path), home, "ca.pem"), "not a cert\n", 0600);

	test_full();
	test_ports();
	test_syntax_errors();
	test_quotes();
	test_account_names();
	test_values();
	test_fingerprints();
	test_combinations();
	test_general_display();
	test_ui_section();
	test_ui_sort_values();
	test_ui_errors();
	test_failed_parse_releases();
	test_load_private(home);
	test_load_files(home);
	test_default_account(home);

	tu_rm_rf(home);
	free(home);
	return done_testing();
}
