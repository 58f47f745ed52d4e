#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mailcap.h"
#include "tap.h"
#include "testutil.h"

static char *dir; /* temporary directory for mailcap files */

static const char *path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
	return out;
}

static void write_named(const char *name, const char *text)
{
	char path[4200];
	tu_write(path_in(path, sizeof(path), name), text, strlen(text));
}

/* Writes text to dir/name and loads that one file. */
static struct mailcap *load_text(const char *name, const char *text,
				 struct mailcap_stats *st)
{
	char path[4200];
	const char *paths[1] = { path_in(path, sizeof(path), name) };
	struct mailcap *mc;
	struct err e;
	write_named(name, text);
	err_init(&e);
	if (mailcap_load(&mc, paths, 1, &e) < 0) {
		diag("load failed: %s", e.msg);
		exit(99);
	}
	mailcap_get_stats(mc, st);
	return mc;
}

static const struct mailcap_entry *find(const struct mailcap *mc,
					const char *type)
{
	return mailcap_find(mc, type, NULL, NULL, NULL);
}

/* The view command of the entry for type, or "(none)". */
static const char *view_of(const struct mailcap *mc, const char *type)
{
	const struct mailcap_entry *m = find(mc, type);
	return m != NULL ? m->view : "(none)";
}

/* ---------------------------------------------------------------- parsing */

static const char syntax_text[] =
	"# a comment\n"
	"   # an indented comment\n"
	"\n"
	"  \t \n"
	"text/plain; less %s; needsterminal\n"
	"image/png; display %s; test=test -n \"$DISPLAY\"; "
	"description=\"PNG \\; image\"; nametemplate=%s.png\n"
	"image; xv %s\n"
	"application/pdf; evince %s \\\n"
	"    --fullscreen; copiousoutput\n"
	"text/html ; w3m -dump %s ; COPIOUSOUTPUT; nametemplate = %s.html; "
	"print=lpr %s; edit=vi %s; compose=vim %s; x11-bitmap=/x; other;"
	" x-foo=bar; needsterminal=yes\n"
	"text/x-semi; echo a\\;b \\\\; copiousoutput\n"
	"TEXT/X-Upper; cat\n"
	"text/x-bs; echo \\\\\\\\\n"
	"text/x-blank; echo\\ ;\n"
	"text/x-emptytest; cat; test=\n";

static const char malformed_text[] =
	"bad type; foo\n"
	"text/x-noview\n"
	"text/x-emptyview; ; copiousoutput\n"
	"text/x-emptyview2;\n"
	"text/x-lonetest; foo; test\n"
	"text/x-dup; foo; test=true; test=false\n"
	"text/x-ctl; foo\001bar\n"
	"text/x-nul; foo\n" /* the NUL is patched in below */
	"*/*; foo\n"
	"text/; foo\n"
	"/plain; foo\n"
	"text/pl ain; foo\n"
	"text/ok; good\n";

static void test_syntax(void)
{
	struct mailcap_stats st;
	struct mailcap *mc = load_text("syntax", syntax_text, &st);
	is_int((long long)mailcap_count(mc), 10, "syntax: every entry kept");
	is_int((long long)st.lines_skipped, 0,
	       "syntax: comments and blank lines are not counted as skipped");
	is_int((long long)st.files_read, 1, "syntax: one file read");

	const struct mailcap_entry *m = find(mc, "text/plain");
	ok(m != NULL && strcmp(m->view, "less %s") == 0 && m->needsterminal &&
		   !m->copiousoutput && m->test == NULL,
	   "syntax: view command and needsterminal flag");
	char path[4200];
	path_in(path, sizeof(path), "syntax");
	ok(m != NULL && strcmp(m->source, path) == 0 && m->line == 5,
	   "syntax: entry records its file and line");

	m = mailcap_entry(mc, 1);
	ok(m != NULL && strcmp(m->type, "image/png") == 0 && m->test != NULL &&
		   strcmp(m->test, "test -n \"$DISPLAY\"") == 0,
	   "syntax: test= kept as written");
	is_str(m ? m->description : NULL, "PNG ; image",
	       "syntax: description unescaped, quotes dropped");
	is_str(m ? m->nametemplate : NULL, "%s.png", "syntax: nametemplate");

	is_str(view_of(mc, "image/gif"), "xv %s",
	       "syntax: a type alone means type/*");
	m = mailcap_entry(mc, 2);
	is_str(m ? m->type : NULL, "image/*",
	       "syntax: implicit wildcard stored as type/*");

	m = find(mc, "application/pdf");
	is_str(m ? m->view : NULL, "evince %s     --fullscreen",
	       "syntax: backslash-newline joins lines");
	ok(m != NULL && m->copiousoutput && m->line == 8,
	   "syntax: flag after a continuation; line of its first line");

	m = find(mc, "text/html");
	ok(m != NULL && strcmp(m->view, "w3m -dump %s") == 0 &&
		   m->copiousoutput && !m->needsterminal,
	   "syntax: blanks around fields dropped, flags ignore case, "
	   "unknown fields and flag=value ignored");
	ok(m != NULL && strcmp(m->nametemplate, "%s.html") == 0 &&
		   strcmp(m->print, "lpr %s") == 0 &&
		   strcmp(m->edit, "vi %s") == 0 &&
		   strcmp(m->compose, "vim %s") == 0 && m->test == NULL &&
		   m->description == NULL,
	   "syntax: print, edit, compose, nametemplate with blanks around '='");
	ok(m != NULL && m->line == 10, "syntax: line counts the joined line");

	is_str(view_of(mc, "text/x-semi"), "echo a\\;b \\\\",
	       "syntax: \\; does not end a field; escapes kept in commands");
	ok(find(mc, "text/x-semi") && find(mc, "text/x-semi")->copiousoutput,
	   "syntax: field after escapes parsed");
	is_str(view_of(mc, "text/x-upper"), "cat",
	       "syntax: type lower-cased, found ignoring case");
	is_str(view_of(mc, "text/x-bs"), "echo \\\\\\\\",
	       "syntax: an even number of final backslashes does not continue");
	is_str(view_of(mc, "text/x-blank"), "echo\\ ",
	       "syntax: an escaped blank at the end of a field is kept");
	m = find(mc, "text/x-emptytest");
	ok(m != NULL && m->test == NULL, "syntax: empty test= means no test");
	mailcap_free(&mc);
	ok(mc == NULL, "syntax: mailcap_free clears the pointer");
	mailcap_free(&mc);
}

static void test_malformed(void)
{
	char text[sizeof(malformed_text)];
	memcpy(text, malformed_text, sizeof(text));
	char *nul = strstr(text, "text/x-nul; foo") + strlen("text/x-nul; f");
	struct mailcap_stats st;
	char path[4200];
	*nul = '\0';
	tu_write(path_in(path, sizeof(path), "malformed"), text,
		 sizeof(text) - 1);
	const char *paths[1] = { path };
	struct mailcap *mc;
	struct err e;
	err_init(&e);
	ok(mailcap_load(&mc, paths, 1, &e) == 0, "malformed: load succeeds");
	mailcap_get_stats(mc, &st);
	is_int((long long)st.lines_skipped, 12,
	       "malformed: each bad line skipped and counted");
	is_int((long long)mailcap_count(mc), 1,
	       "malformed: the good line after them is kept");
	is_str(view_of(mc, "text/ok"), "good", "malformed: good entry found");
	ok(find(mc, "text/x-lonetest") == NULL,
	   "malformed: a lone 'test' does not become 'no test'");
	ok(find(mc, "text/x-dup") == NULL,
	   "malformed: a repeated test= skips the line");
	mailcap_free(&mc);
}

static void test_line_endings(void)
{
	struct mailcap_stats st;
	struct mailcap *mc = load_text(
		"crlf",
		"text/a; cat \\\r\n  -n\r\n"
		"# comment ending in a backslash \\\n"
		"text/swallowed; cat\n"
		"text/b; echo b\r\n"
		"text/c; echo \\\n",
		&st);
	is_str(view_of(mc, "text/a"), "cat   -n",
	       "endings: CRLF continuation");
	is_str(view_of(mc, "text/b"), "echo b", "endings: CR dropped");
	is_str(view_of(mc, "text/swallowed"), "(none)",
	       "endings: a comment ending in '\\' swallows the next line");
	is_str(view_of(mc, "text/c"), "echo",
	       "endings: continuation at the end of the file");
	mailcap_free(&mc);
}

static void test_files(void)
{
	char p1[4200], p2[4200], p3[4200], p4[4200];
	write_named("first", "text/plain; first %s\nimage/png; first-png\n");
	write_named("second", "text/plain; second %s\ntext/html; second-html\n"
			      "image/*; second-image\n");
	const char *paths[5] = {
		path_in(p1, sizeof(p1), "first"),
		path_in(p2, sizeof(p2), "does-not-exist"),
		NULL,
		path_in(p3, sizeof(p3), "second"),
		path_in(p4, sizeof(p4), ""), /* the directory */
	};
	struct mailcap *mc;
	struct mailcap_stats st;
	struct err e;
	err_init(&e);
	ok(mailcap_load(&mc, paths, 5, &e) == 0,
	   "files: missing files do not fail the load");
	mailcap_get_stats(mc, &st);
	is_int((long long)st.files_read, 2, "files: two files read");
	is_int((long long)st.files_missing, 3,
	       "files: missing, NULL and a directory counted as missing");
	is_str(view_of(mc, "text/plain"), "first %s",
	       "files: a later file does not override an earlier one");
	is_str(view_of(mc, "text/html"), "second-html",
	       "files: later files still add new types");
	is_str(view_of(mc, "image/png"), "first-png",
	       "files: earlier exact entry before later wildcard");
	is_str(view_of(mc, "image/gif"), "second-image",
	       "files: later wildcard used when nothing earlier matches");
	const struct mailcap_entry *m = find(mc, "text/html");
	ok(m != NULL && strcmp(m->source, p3) == 0 && m->line == 2,
	   "files: entry names the later file and its line");
	mailcap_free(&mc);

	const char *many[MAILCAP_MAX_FILES + 1] = { 0 };
	struct mailcap *none = NULL, *keep = NULL;
	err_init(&e);
	if (mailcap_load(&keep, many, 1, &e) < 0)
		exit(99);
	none = keep; /* must be set to NULL */
	ok(mailcap_load(&none, many, MAILCAP_MAX_FILES + 1, &e) == -1 &&
		   none == NULL && e.code == ERR_LIMIT,
	   "files: more than MAILCAP_MAX_FILES paths is an error");
	mailcap_free(&keep);
	ok(mailcap_load(&none, many, MAILCAP_MAX_FILES, &e) == 0 &&
		   mailcap_count(none) == 0,
	   "files: MAILCAP_MAX_FILES paths are accepted");
	mailcap_free(&none);
}

/* Text of n lines "x/yN; c", as one malloc'ed string. */
static char *many_entries(size_t n)
{
	size_t size = n * 24 + 1, len = 0;
	char *text = malloc(size);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "x/y%zu; c%zu\n",
					i, i);
	return text;
}

static void test_limits(void)
{
	struct mailcap_stats st;
	char *text = many_entries(MAILCAP_MAX_ENTRIES + 5);
	struct mailcap *mc = load_text("many", text, &st);
	free(text);
	is_int((long long)mailcap_count(mc), MAILCAP_MAX_ENTRIES,
	       "limits: at most MAILCAP_MAX_ENTRIES entries");
	is_int((long long)st.entries_dropped, 5,
	       "limits: entries past the limit counted as dropped");
	is_str(view_of(mc, "x/y9999"), "c9999", "limits: last entry kept");
	is_str(view_of(mc, "x/y10000"), "(none)", "limits: next one dropped");
	mailcap_free(&mc);

	/* A logical line just over the limit, made of short physical lines. */
	size_t pieces = MAILCAP_LINE_MAX / 100 + 1;
	size_t size = pieces * 102 + 64;
	text = malloc(size);
	size_t len = (size_t)snprintf(text, size, "text/long; echo ");
	for (size_t i = 0; i < pieces; i++) {
		memset(text + len, 'a', 100);
		len += 100;
		memcpy(text + len, "\\\n", 2);
		len += 2;
	}
	snprintf(text + len, size - len, "\ntext/after; ok\n");
	mc = load_text("longline", text, &st);
	is_int((long long)st.lines_skipped, 1,
	       "limits: a joined line over MAILCAP_LINE_MAX is skipped");
	is_str(view_of(mc, "text/long"), "(none)",
	       "limits: the long entry is not kept");
	is_str(view_of(mc, "text/after"), "ok",
	       "limits: the line after a long one is read");
	mailcap_free(&mc);

	/* Just under the limit is fine. */
	len = (size_t)snprintf(text, size, "text/long; ");
	memset(text + len, 'b', MAILCAP_LINE_MAX - len);
	memcpy(text + MAILCAP_LINE_MAX, "\n", 2);
	mc = load_text("maxline", text, &st);
	ok(find(mc, "text/long") != NULL &&
		   strlen(find(mc, "text/long")->view) ==
			   MAILCAP_LINE_MAX - strlen("text/long; "),
	   "limits: a line of exactly MAILCAP_LINE_MAX bytes is kept");
	mailcap_free(&mc);
	free(text);

	text = malloc(MAILCAP_FILE_MAX + 2);
	memset(text, '#', MAILCAP_FILE_MAX + 1);
	text[MAILCAP_FILE_MAX + 1] = '\0';
	memcpy(text, "text/big; big\n", 14);
	mc = load_text("big", text, &st);
	free(text);
	ok(st.files_too_large == 1 && st.files_read == 0 &&
		   mailcap_count(mc) == 0,
	   "limits: a file over MAILCAP_FILE_MAX is skipped whole");
	mailcap_free(&mc);

	text = malloc(MAILCAP_FILE_MAX + 1);
	memset(text, '#', MAILCAP_FILE_MAX);
	text[MAILCAP_FILE_MAX - 1] = '\n';
	text[MAILCAP_FILE_MAX] = '\0';
	memcpy(text, "text/big; big\n", 14);
	mc = load_text("justfits", text, &st);
	free(text);
	ok(st.files_too_large == 0 && st.files_read == 1 &&
		   strcmp(view_of(mc, "text/big"), "big") == 0,
	   "limits: a file of exactly MAILCAP_FILE_MAX bytes is read");
	mailcap_free(&mc);
}

/* ------------------------------------------------------------------- find */

struct stub {
	int calls;
	char last[1024];
};

/* Passes every test command except those starting with "fail". */
static bool stub_test(void *ctx, const char *cmd)
{
	struct stub *s = ctx;
	s->calls++;
	snprintf(s->last, sizeof(s->last), "%s", cmd);
	return strncmp(cmd, "fail", 4) != 0;
}

static void test_find(void)
{
	struct mailcap_stats st;
	struct mailcap *mc = load_text(
		"find",
		"image/png; first; test=fail-first\n"
		"image/*; second\n"
		"image/png; third\n"
		"application/x-t; t1; test=check %t %{charset}\n"
		"application/x-t; t2\n"
		"application/x-f; f1; test=needs %s\n"
		"application/x-f; f2\n",
		&st);
	struct stub s = { 0 };
	const struct mailcap_entry *m =
		mailcap_find(mc, "image/png", NULL, stub_test, &s);
	is_str(m ? m->view : NULL, "second",
	       "find: a failing test makes the next matching entry win");
	ok(s.calls == 1 && strcmp(s.last, "fail-first") == 0,
	   "find: the test command was run once, as written");
	m = mailcap_find(mc, "IMAGE/GIF", NULL, stub_test, &s);
	is_str(m ? m->view : NULL, "second",
	       "find: wildcard subtype, type compared ignoring case");
	m = mailcap_find(mc, "image/png", NULL, NULL, NULL);
	is_str(m ? m->view : NULL, "second",
	       "find: without a test runner, entries with a test are passed over");

	const struct mailcap_param utf8[] = { { "Charset", "utf-8" } };
	const struct mailcap_params params = { utf8, 1 };
	s.calls = 0;
	m = mailcap_find(mc, "application/x-t", &params, stub_test, &s);
	is_str(m ? m->view : NULL, "t1", "find: a passing test wins");
	is_str(s.last, "check 'application/x-t' 'utf-8'",
	       "find: test command expanded and quoted");

	const struct mailcap_param bad[] = { { "charset", "a\nb" } };
	const struct mailcap_params bad_params = { bad, 1 };
	s.calls = 0;
	m = mailcap_find(mc, "application/x-t", &bad_params, stub_test, &s);
	ok(m != NULL && strcmp(m->view, "t2") == 0 && s.calls == 0,
	   "find: a test that cannot be expanded safely fails without running");
	m = mailcap_find(mc, "application/x-f", NULL, stub_test, &s);
	ok(m != NULL && strcmp(m->view, "f2") == 0 && s.calls == 0,
	   "find: a test needing %%s fails (no file yet)");

	ok(find(mc, "image") == NULL, "find: a type without subtype is refused");
	ok(find(mc, "image/*") == NULL, "find: a wildcard query is refused");
	ok(find(mc, "image/png; x") == NULL,
	   "find: a type with ';' is refused");
	ok(find(mc, "image/png/x") == NULL, "find: two slashes refused");
	ok(find(mc, "text/plain") == NULL, "find: no match gives NULL");
	mailcap_free(&mc);
}

/* ------------------------------------------------------------ expansion */

static const struct mailcap_param hostile_items[] = {
	{ "charset", "utf-8" },
	{ "name", "a'b\"c $(touch pwned) `touch pwned` ; x" },
	{ "dash", "-rf" },
	{ "nl", "a\nb" },
	{ "esc", "a\033[2Jb" },
	{ "del", "a\177" },
	{ "CaSe", "upper" },
};
static const struct mailcap_params hostile = { hostile_items, 7 };

static void expect_cmd(const char *name, const char *template,
		       const char *file, const char *type, const char *want,
		       bool want_file)
{
	struct buf cmd;
	struct err e;
	bool uses_file = !want_file;
	buf_init(&cmd, BUF_MAX_SMALL);
	err_init(&e);
	int rc = mailcap_expand(template, file, type, &hostile, &cmd,
				&uses_file, &e);
	if (!is_str(rc == 0 ? cmd.data : e.msg, want, "%s", name))
		diag("template: %s", template);
	ok(rc == 0 && uses_file == want_file, "%s: uses file is %s", name,
	   want_file ? "true" : "false");
	buf_release(&cmd);
}

static void expect_refused(const char *name, const char *template,
			   const char *file, const char *type,
			   enum err_code code)
{
	struct buf cmd;
	struct err e;
	bool uses_file = true;
	buf_init(&cmd, BUF_MAX_SMALL);
	buf_cut_ok(buf_append_str(&cmd, "stale"));
	err_init(&e);
	int rc = mailcap_expand(template, file, type, &hostile, &cmd,
				&uses_file, &e);
	if (!ok(rc == -1 && e.code == code && e.scope == ERR_MESSAGE &&
			cmd.len == 0 && !uses_file,
		"%s", name))
		diag("rc %d, code %d (want %d), cmd \"%s\", msg %s", rc,
		     (int)e.code, (int)code, cmd.data, e.msg);
	buf_release(&cmd);
}

static void test_expand_plain(void)
{
	const char *tp = "text/plain";
	expect_cmd("expand: %s quoted", "less %s", "/tmp/x/a b", tp,
		   "less '/tmp/x/a b'", true);
	expect_cmd("expand: ' inside a value", "less %s", "/tmp/it's", tp,
		   "less '/tmp/it'\\''s'", true);
	expect_cmd("expand: no %s pipes", "cat -v", "/tmp/f", tp, "cat -v",
		   false);
	expect_cmd("expand: %t", "x %t", NULL, "Text/Plain",
		   "x 'Text/Plain'", false);
	expect_cmd("expand: %{charset}", "iconv -f %{charset}", NULL, tp,
		   "iconv -f 'utf-8'", false);
	expect_cmd("expand: parameter names ignore case", "%{case} %{CHARSET}",
		   NULL, tp, "'upper' 'utf-8'", false);
	expect_cmd("expand: absent parameter is ''", "x %{missing} y", NULL, tp,
		   "x '' y", false);
	expect_cmd("expand: %% is %", "printf 100%%", NULL, tp, "printf 100%",
		   false);
	expect_cmd("expand: %%s is a literal %s", "echo %%s", "/f", tp,
		   "echo %s", false);
	expect_cmd("expand: \\% is a literal %", "echo \\%s", "/f", tp,
		   "echo %s", false);
	expect_cmd("expand: \\; and \\\\ unescaped", "a\\;b \\\\ c", NULL, tp,
		   "a;b \\ c", false);
	expect_cmd("expand: other % sequences kept", "a %n %F 5% %", NULL, tp,
		   "a %n %F 5% %", false);
	expect_cmd("expand: hostile parameter is one quoted word",
		   "show %{name}", NULL, tp,
		   "show 'a'\\''b\"c $(touch pwned) `touch pwned` ; x'", false);
	expect_cmd("expand: $ in a type quoted", "x %t", NULL, "a$b/c&d",
		   "x 'a$b/c&d'", false);
	expect_cmd("expand: value of MAILCAP_VALUE_MAX bytes accepted", "%t",
		   NULL,
		   "a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		   "'a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
		   false);
}

static void test_expand_quotes(void)
{
	const char *tp = "text/plain";
	expect_cmd("quotes: '%s' becomes one quoted word", "less '%s'",
		   "/tmp/it's here", tp, "less '/tmp/it'\\''s here'", true);
	expect_cmd("quotes: \"%s\" becomes one quoted word", "less \"%s\"",
		   "/tmp/$(x) `y`", tp, "less '/tmp/$(x) `y`'", true);
	expect_cmd("quotes: \"%{name}\" hostile, one word", "x \"%{name}\"",
		   NULL, tp,
		   "x 'a'\\''b\"c $(touch pwned) `touch pwned` ; x'", false);
	expect_cmd("quotes: inert value inside a longer double-quoted word",
		   "x \"a %s b\"", "/tmp/f.pdf", tp,
		   "x \"a \"'/tmp/f.pdf'\" b\"", true);
	expect_cmd("quotes: nested shell gets an inert value",
		   "sh -c 'less %s'", "/tmp/f.pdf", tp,
		   "sh -c 'less ''/tmp/f.pdf'", true);
	expect_cmd("quotes: two expansions in one quoted word", "'%s%t'",
		   "/tmp/f", tp, "'/tmp/f''text/plain'", true);
	expect_cmd("quotes: quoted prefix then value", "'x%s' y", "/tmp/f", tp,
		   "'x''/tmp/f' y", true);
	expect_cmd("quotes: escaped quote is not a quote", "echo \\\\' %s",
		   "/a b", tp, "echo \\' '/a b'", true);
	expect_cmd("quotes: a quote in a comment-like tail",
		   "cat %s # don't", "/f", tp, "cat '/f' # don't", true);
	expect_cmd("quotes: unclosed quote left unclosed", "x '%s", "/f", tp,
		   "x '/f''", true);
	expect_cmd("quotes: backticks with an inert value", "x `echo %s`",
		   "/tmp/f", tp, "x `echo '/tmp/f'`", true);
	expect_cmd("quotes: $\"...\" with an inert value", "echo $\"%s\"",
		   "/tmp/f", tp, "echo $'/tmp/f'", true);

	expect_refused("quotes: non-inert value inside a longer quoted word",
		       "x \"a %s b\"", "/tmp/a b", tp, ERR_PARSE);
	expect_refused("quotes: non-inert value for a nested shell",
		       "sh -c 'less %s'", "/tmp/it's", tp, ERR_PARSE);
	expect_refused("quotes: nested shell, hostile parameter",
		       "sh -c \"cat %{name}\"", NULL, tp, ERR_PARSE);
	expect_refused("quotes: backticks, hostile parameter",
		       "x `echo %{name}`", NULL, tp, ERR_PARSE);
	expect_refused("quotes: $(...), hostile parameter",
		       "x $(echo %{name})", NULL, tp, ERR_PARSE);
	expect_refused("quotes: ${...}, hostile parameter",
		       "x ${A:-%{name}}", NULL, tp, ERR_PARSE);
	expect_refused("quotes: mailcap-escaped $\\( is still $(",
		       "x $\\(echo %{name})", NULL, tp, ERR_PARSE);
	expect_refused("quotes: bash $'...', hostile parameter",
		       "x $'%{name}'", NULL, tp, ERR_PARSE);
	expect_refused("quotes: expansion right after $", "echo $%s", "/f", tp,
		       ERR_CONFIG);
	expect_refused("quotes: expansion after a shell backslash",
		       "echo \\\\%s", "/f", tp, ERR_CONFIG);
	expect_refused("quotes: after a backslash inside double quotes",
		       "echo \"\\\\%s\"", "/f", tp, ERR_CONFIG);
}

static void test_expand_refused(void)
{
	const char *tp = "text/plain";
	expect_refused("refuse: type with ';'", "x %t", NULL, "text/plain;rm",
		       ERR_PARSE);
	expect_refused("refuse: bad type even when %t is not used", "cat",
		       NULL, "text/plain; rm -rf /", ERR_PARSE);
	expect_refused("refuse: type without '/'", "cat", NULL, "text",
		       ERR_PARSE);
	expect_refused("refuse: type with two '/'", "cat", NULL, "a/b/c",
		       ERR_PARSE);
	expect_refused("refuse: type with a space", "cat", NULL, "text/pl ain",
		       ERR_PARSE);
	expect_refused("refuse: type with a quote", "cat", NULL, "text/x'y",
		       ERR_PARSE);
	expect_refused("refuse: type with empty subtype", "cat", NULL, "text/",
		       ERR_PARSE);
	expect_refused("refuse: type starting with '-'", "cat", NULL, "-x/y",
		       ERR_PARSE);
	expect_refused("refuse: parameter with a newline", "x %{nl}", NULL, tp,
		       ERR_PARSE);
	expect_refused("refuse: parameter with ESC", "x %{esc}", NULL, tp,
		       ERR_PARSE);
	expect_refused("refuse: parameter with DEL", "x %{del}", NULL, tp,
		       ERR_PARSE);
	expect_refused("refuse: parameter starting with '-'", "rm %{dash}",
		       NULL, tp, ERR_PARSE);
	expect_refused("refuse: file with a newline", "x %s", "/tmp/a\nb", tp,
		       ERR_PARSE);
	expect_refused("refuse: file with a tab", "x %s", "/tmp/a\tb", tp,
		       ERR_PARSE);
	expect_refused("refuse: file starting with '-'", "x %s", "-oops", tp,
		       ERR_PARSE);
	expect_refused("refuse: %s without a file", "x %s", NULL, tp,
		       ERR_CONFIG);
	expect_refused("refuse: bad parameter name", "x %{a b}", NULL, tp,
		       ERR_CONFIG);
	expect_refused("refuse: unterminated %{", "x %{charset", NULL, tp,
		       ERR_CONFIG);
	expect_refused("refuse: empty %{}", "x %{}", NULL, tp, ERR_CONFIG);

	char big[MAILCAP_VALUE_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[1] = '/';
	expect_refused("refuse: type over MAILCAP_VALUE_MAX", "cat", NULL, big,
		       ERR_LIMIT);
	big[sizeof(big) - 2] = '\0';
	struct buf cmd;
	struct err e;
	buf_init(&cmd, BUF_MAX_SMALL);
	ok(mailcap_expand("%t", NULL, big, NULL, &cmd, NULL, &e) == 0 &&
		   cmd.len == MAILCAP_VALUE_MAX + 2,
	   "refuse: type of exactly MAILCAP_VALUE_MAX accepted");
	buf_release(&cmd);

	char path[MAILCAP_PATH_MAX + 2];
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	expect_refused("refuse: file over MAILCAP_PATH_MAX", "x %s", path, tp,
		       ERR_LIMIT);

	buf_init(&cmd, 10);
	err_init(&e);
	ok(mailcap_expand("less %s", "/tmp/long-name", tp, NULL, &cmd, NULL,
			  &e) == -1 &&
		   e.code == ERR_LIMIT && cmd.len == 0,
	   "refuse: command over the buffer's maximum, buffer left empty");
	buf_release(&cmd);
}

static void test_command(void)
{
	struct mailcap_stats st;
	struct mailcap *mc = load_text("command",
				       "application/pdf; evince '%s'\n", &st);
	const struct mailcap_entry *m = find(mc, "application/pdf");
	struct buf cmd;
	struct err e;
	bool uses_file = false;
	buf_init(&cmd, BUF_MAX_SMALL);
	err_init(&e);
	ok(m != NULL &&
		   mailcap_command(m, "/tmp/d/x y.pdf", "application/pdf",
				   NULL, &cmd, &uses_file, &e) == 0 &&
		   uses_file && strcmp(cmd.data, "evince '/tmp/d/x y.pdf'") == 0,
	   "command: view command of an entry expanded");
	buf_release(&cmd);
	mailcap_free(&mc);
}

/* --------------------------------------------------------------- shell */

/* Runs /bin/sh -c cmd (killed after 5 s) and returns its output, or
 * "(failed)" if it did not exit with status 0. */
static const char *sh_output(const char *cmd)
{
	static char out[8192];
	int fds[2];
	if (pipe(fds) < 0)
		exit(99);
	pid_t pid = fork();
	if (pid < 0)
		exit(99);
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		alarm(5);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t got;
	while (n < sizeof(out) - 1 &&
	       (got = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)got;
	close(fds[0]);
	out[n] = '\0';
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return "(failed)";
	return out;
}

/* Expands template for file and parameter value, runs it, and checks
 * the shell printed want. */
static void expect_shell(const char *name, const char *template,
			 const char *file, const char *value, const char *want)
{
	const struct mailcap_param items[] = { { "name", value } };
	const struct mailcap_params params = { items, 1 };
	struct buf cmd;
	struct err e;
	buf_init(&cmd, BUF_MAX_SMALL);
	err_init(&e);
	if (mailcap_expand(template, file, "text/plain", &params, &cmd, NULL,
			   &e) < 0) {
		ok(0, "%s", name);
		diag("expansion failed: %s", e.msg);
	} else if (!is_str(sh_output(cmd.data), want, "%s", name)) {
		diag("command: %s", cmd.data);
	}
	buf_release(&cmd);
}

/* expect_shell() named after the form and the attack's number. */
static void shell_case(const char *form, size_t attack, const char *template,
		       const char *file, const char *value, const char *want)
{
	char name[200];
	snprintf(name, sizeof(name),
		 "shell: %s is one literal argument (attack %zu)", form,
		 attack);
	expect_shell(name, template, file, value, want);
}

static void test_shell(void)
{
	char pwned[1024], file[8400], want[8500];
	path_in(pwned, sizeof(pwned), "pwned");
	const char *attacks[] = {
		"it's",
		"a\"b",
		"$(touch %P)",
		"`touch %P`",
		"x; touch %P",
		"two words  and   spaces",
		"'; touch %P; '",
		"\"; touch %P; \"",
		"'\"'\"'",
		"\\'\\",
		"$HOME ${HOME} $((1+1)) *.c ~ !! | & > %P < /dev/null",
	};
	for (size_t i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
		char value[4200];
		const char *at = strstr(attacks[i], "%P");
		if (at != NULL)
			snprintf(value, sizeof(value), "%.*s%s%s",
				 (int)(at - attacks[i]), attacks[i], pwned,
				 at + 2);
		else
			snprintf(value, sizeof(value), "%s", attacks[i]);
		snprintf(file, sizeof(file), "%s/%s", dir, value);
		snprintf(want, sizeof(want), "<%s>", file);
		shell_case("file %s", i, "printf '<%%s>' %s", file, "", want);
		shell_case("file '%s'", i, "printf '<%%s>' '%s'", file, "",
			   want);
		shell_case("file \"%s\"", i, "printf '<%%s>' \"%s\"", file, "",
			   want);
		snprintf(want, sizeof(want), "<%s>", value);
		shell_case("parameter %{name}", i, "printf '<%%s>' %{name}",
			   "/f", value, want);
		shell_case("parameter \"%{name}\"", i,
			   "printf '<%%s>' \"%{name}\"", "/f", value, want);
	}
	expect_shell("shell: expansion inside a double-quoted word",
		     "printf '<%%s>' \"a %s b\"", "/tmp/f.pdf", "",
		     "<a /tmp/f.pdf b>");
	expect_shell("shell: two expansions in one single-quoted word",
		     "printf '<%%s>' '%s:%{name}'", "/tmp/f", "v",
		     "</tmp/f:v>");
	expect_shell("shell: nested shell with an inert file",
		     "sh -c 'printf \"<%%s>\" %s'", "/tmp/f.pdf", "",
		     "</tmp/f.pdf>");
	expect_shell("shell: empty parameter is one empty argument",
		     "printf '<%%s>' %{name} x", "/f", "", "<><x>");
	struct stat sb;
	ok(stat(pwned, &sb) < 0, "shell: no injected command ran");
}

/* --------------------------------------------------------- nametemplate */

static void expect_name(const char *name, const char *template,
			const char *suggested, const char *want)
{
	struct mailcap_entry m = { 0 };
	struct buf out;
	struct err e;
	m.nametemplate = (char *)template;
	buf_init(&out, BUF_MAX_SMALL);
	err_init(&e);
	int rc = mailcap_nametemplate(template != NULL ? &m : NULL, suggested,
				      &out, &e);
	is_str(rc == 0 ? out.data : e.msg, want, "%s", name);
	buf_release(&out);
}

static void test_nametemplate(void)
{
	expect_name("name: plain name kept", NULL, "report.pdf", "report.pdf");
	expect_name("name: directories dropped", NULL, "../../etc/passwd",
		    "passwd");
	expect_name("name: backslash directories dropped", NULL,
		    "..\\..\\evil.exe", "evil.exe");
	expect_name("name: leading dot dropped", NULL, ".bashrc", "bashrc");
	expect_name("name: leading dash dropped", NULL, "-rf", "rf");
	expect_name("name: unsafe runs become one '_'", NULL, "a b (1).pdf",
		    "a_b_1.pdf");
	expect_name("name: shell syntax neutralised", NULL, "$(rm -rf ~).pdf",
		    "rm_-rf.pdf");
	expect_name("name: UTF-8 bytes become '_'", NULL, "r\xc3\xa9sum\xc3\xa9.pdf",
		    "r_sum.pdf");
	expect_name("name: control characters become '_'", NULL,
		    "a\nb\033c.txt", "a_b_c.txt");
	expect_name("name: NULL suggested name", NULL, NULL, "attachment");
	expect_name("name: nothing safe left", NULL, "...", "attachment");
	expect_name("name: only an extension", NULL, "$$$.pdf",
		    "attachment.pdf");
	expect_name("name: directory only", NULL, "dir/", "attachment");

	char longname[400];
	memset(longname, 'a', 300);
	memcpy(longname + 300, ".pdf", 5);
	char want[80];
	memset(want, 'a', MAILCAP_NAME_MAX - 4);
	memcpy(want + MAILCAP_NAME_MAX - 4, ".pdf", 5);
	expect_name("name: cut to MAILCAP_NAME_MAX keeping the extension", NULL,
		    longname, want);
	longname[300] = '\0';
	want[MAILCAP_NAME_MAX] = '\0';
	memset(want, 'a', MAILCAP_NAME_MAX);
	expect_name("name: cut without extension", NULL, longname, want);

	expect_name("template: extension added", "%s.pdf", "report", "report.pdf");
	expect_name("template: extension not doubled", "%s.pdf", "report.pdf",
		    "report.pdf");
	expect_name("template: extension compared ignoring case", "%s.pdf",
		    "report.PDF", "report.PDF");
	expect_name("template: other extension kept, template added", "%s.pdf",
		    "report.txt", "report.txt.pdf");
	expect_name("template: no suggested name", "%s.html", NULL,
		    "attachment.html");
	expect_name("template: directories in the template dropped",
		    "/tmp/../%s.html", "x", "x.html");
	expect_name("template: prefix added", "pre-%s", "x", "pre-x");
	expect_name("template: prefix not doubled", "pre-%s", "pre-x", "pre-x");
	expect_name("template: no leading dot from the template", ".%s", "x",
		    "x");
	expect_name("template: unsafe template bytes reduced", "%s.$(x)", "a",
		    "a._x_");
	expect_name("template: without %s it is the name", "foo.html", "x",
		    "foo.html");
	expect_name("template: nothing safe in it gives the name", "$$", "x",
		    "x");

	char longtpl[400];
	memcpy(longtpl, "%s.", 3);
	memset(longtpl + 3, 'e', 300);
	longtpl[303] = '\0';
	struct mailcap_entry m = { 0 };
	struct buf out;
	struct err e;
	m.nametemplate = longtpl;
	buf_init(&out, BUF_MAX_SMALL);
	buf_cut_ok(buf_append_str(&out, "dir/"));
	err_init(&e);
	ok(mailcap_nametemplate(&m, "x", &out, &e) == -1 &&
		   e.code == ERR_LIMIT && strcmp(out.data, "dir/") == 0,
	   "template: over MAILCAP_FILE_NAME_MAX is an error, out unchanged");
	ok(mailcap_nametemplate(NULL, "x.pdf", &out, &e) == 0 &&
		   strcmp(out.data, "dir/x.pdf") == 0,
	   "template: the name is appended to out");
	buf_release(&out);
}

/* ---------------------------------------------------------------- paths */

static void test_paths(void)
{
	struct mailcap_paths p;
	mailcap_default_paths(NULL, "/home/u", &p);
	ok(p.n == 4 && strcmp(p.path[0], "/home/u/.mailcap") == 0 &&
		   strcmp(p.path[1], "/etc/mailcap") == 0 &&
		   strcmp(p.path[2], "/usr/etc/mailcap") == 0 &&
		   strcmp(p.path[3], "/usr/local/etc/mailcap") == 0,
	   "paths: RFC 1524 defaults, ~ is home");
	mailcap_paths_release(&p);

	mailcap_default_paths("", "/h", &p);
	ok(p.n == 4 && strcmp(p.path[0], "/h/.mailcap") == 0,
	   "paths: empty MAILCAPS means the defaults");
	mailcap_paths_release(&p);

	mailcap_default_paths(NULL, NULL, &p);
	ok(p.n == 3 && strcmp(p.path[0], "/etc/mailcap") == 0,
	   "paths: no home, ~/.mailcap left out");
	mailcap_paths_release(&p);
	mailcap_default_paths(NULL, "relative/home", &p);
	ok(p.n == 3, "paths: a relative home is not used");
	mailcap_paths_release(&p);

	mailcap_default_paths("~/a:/b::rel/c:~:/d:~x/y", "/h", &p);
	ok(p.n == 4 && strcmp(p.path[0], "/h/a") == 0 &&
		   strcmp(p.path[1], "/b") == 0 &&
		   strcmp(p.path[2], "/h") == 0 &&
		   strcmp(p.path[3], "/d") == 0,
	   "paths: MAILCAPS split at ':', empty, relative and ~user left out");
	mailcap_paths_release(&p);

	char many[100 * 3 + 1];
	for (int i = 0; i < 100; i++)
		memcpy(many + i * 3, "/m:", 3);
	many[300] = '\0';
	mailcap_default_paths(many, "/h", &p);
	is_int((long long)p.n, MAILCAP_MAX_FILES,
	       "paths: at most MAILCAP_MAX_FILES");
	mailcap_paths_release(&p);

	char longp[MAILCAP_PATH_MAX + 20];
	memset(longp, 'l', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	memcpy(longp + MAILCAP_PATH_MAX + 1, ":/ok", 5);
	mailcap_default_paths(longp, "/h", &p);
	ok(p.n == 1 && strcmp(p.path[0], "/ok") == 0,
	   "paths: a component over MAILCAP_PATH_MAX left out");
	mailcap_paths_release(&p);

	/* The environment, end to end: MAILCAPS with ~ read from HOME. */
	char home[1024], mc_path[1100];
	path_in(home, sizeof(home), "home");
	mkdir(home, 0700);
	snprintf(mc_path, sizeof(mc_path), "%s/.mailcap", home);
	tu_write(mc_path, "text/x-env; envview %s\n", 23);
	setenv("HOME", home, 1);
	setenv("MAILCAPS", "~/.mailcap:/nonexistent/mailcap", 1);
	mailcap_env_paths(&p);
	struct mailcap *mc;
	struct mailcap_stats st;
	struct err e;
	err_init(&e);
	ok(p.n == 2 && strcmp(p.path[0], mc_path) == 0 &&
		   mailcap_load(&mc, p.path, p.n, &e) == 0,
	   "paths: $MAILCAPS and $HOME read by mailcap_env_paths");
	mailcap_get_stats(mc, &st);
	ok(st.files_read == 1 && st.files_missing == 1 &&
		   strcmp(view_of(mc, "text/x-env"), "envview %s") == 0,
	   "paths: loading the environment's path");
	mailcap_free(&mc);
	mailcap_paths_release(&p);
	unsetenv("MAILCAPS");
}

int main(void)
{
	alarm(120);
	dir = tu_tempdir();
	test_syntax();
	test_malformed();
	test_line_endings();
	test_files();
	test_limits();
	test_find();
	test_expand_plain();
	test_expand_quotes();
	test_expand_refused();
	test_command();
	test_shell();
	test_nametemplate();
	test_paths();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
