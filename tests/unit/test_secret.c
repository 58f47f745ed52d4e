#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "secret.h"
#include "tap.h"

/* Runs command into a fresh buffer with maximum max; returns rc and
 * leaves the output in out (the caller releases it). */
static int run(const char *command, size_t max, struct buf *out,
	       struct err *e)
{
	buf_init(out, max);
	err_init(e);
	return secret_run_command(command, out, e);
}

/* Expects command to print want as its password. */
static void gives(const char *name, const char *command, const char *want)
{
	struct buf b;
	struct err e;
	int rc = run(command, SECRET_MAX, &b, &e);
	if (!is_int(rc, 0, "%s: succeeds", name))
		diag("%s", e.msg);
	is_str(b.data, want, "%s", name);
	is_int((long long)b.len, (long long)strlen(want), "%s: length", name);
	buf_release(&b);
}

/* Expects command to fail with code and a message containing why and not
 * containing hidden (may be NULL); the buffer must come back empty. */
static void refused(const char *name, const char *command, size_t max,
		    enum err_code code, const char *why, const char *hidden)
{
	struct buf b;
	struct err e;
	int rc = run(command, max, &b, &e);
	bool good = rc == -1 && e.code == code && e.scope == ERR_ACCOUNT &&
		    strstr(e.msg, why) != NULL;
	if (!ok(good, "%s", name))
		diag("rc %d, code %d, message: %s", rc, (int)e.code, e.msg);
	if (hidden != NULL)
		ok(strstr(e.msg, hidden) == NULL, "%s: message hides the output",
		   name);
	is_int((long long)b.len, 0, "%s: no output kept", name);
	buf_release(&b);
}

static void test_run_ok(void)
{
	gives("first line only", "printf 'first\\nsecond\\n'", "first");
	gives("CRLF stripped", "printf 'pw\\r\\n'", "pw");
	gives("no trailing newline", "printf 'nonl'", "nonl");
	gives("blanks inside and around kept", "printf ' a b \\n'", " a b ");
	gives("long later lines do not count",
	      "printf 'short\\n'; head -c 100000 /dev/zero | tr '\\0' b", "short");

	struct buf b;
	struct err e;
	buf_init(&b, SECRET_MAX);
	err_init(&e);
	if (buf_append_str(&b, "stale") < 0)
		diag("cannot fill buffer");
	is_int(secret_run_command("printf new", &b, &e), 0, "run into a used buffer");
	is_str(b.data, "new", "previous contents are replaced");
	buf_release(&b);

	is_int(run("printf 12345678", 8, &b, &e), 0, "output of exactly the maximum");
	is_str(b.data, "12345678", "output of exactly the maximum kept");
	buf_release(&b);
	is_int(run("printf 'short\\nlonger than eight'", 8, &b, &e), 0,
	       "small maximum with a short first line");
	is_str(b.data, "short", "only the first line counts for the maximum");
	buf_release(&b);
}

static void test_run_errors(void)
{
	refused("non-zero exit status", "echo hunter2; exit 1", SECRET_MAX,
		ERR_SUBPROCESS, "exit status 1", "hunter2");
	refused("exit status 3 reported", "printf 'pw3'; exit 3", SECRET_MAX,
		ERR_SUBPROCESS, "exit status 3", "pw3");
	refused("killed by a signal", "echo sigpw; kill -9 $$", SECRET_MAX,
		ERR_SUBPROCESS, "signal 9", "sigpw");
	refused("killed by SIGTERM", "kill -TERM $$", SECRET_MAX, ERR_SUBPROCESS,
		"signal 15", NULL);
	refused("prints nothing", "true", SECRET_MAX, ERR_SUBPROCESS,
		"no password", NULL);
	refused("prints an empty first line", "printf '\\nsecond\\n'", SECRET_MAX,
		ERR_SUBPROCESS, "no password", "second");
	refused("prints only CRLF", "printf '\\r\\n'", SECRET_MAX, ERR_SUBPROCESS,
		"no password", NULL);
	refused("command not found", "tern-no-such-command-xyz 2>/dev/null",
		SECRET_MAX, ERR_SUBPROCESS, "exit status 127", NULL);
	refused("first line over the buffer maximum", "printf 123456789", 8,
		ERR_LIMIT, "too much", "12345678");
	refused("first line over SECRET_MAX",
		"head -c 5000 /dev/zero | tr '\\0' a", SECRET_MAX, ERR_LIMIT,
		"too much", "aaaa");
	refused("huge output", "head -c 3000000 /dev/zero | tr '\\0' a",
		SECRET_MAX, ERR_LIMIT, "printed more than", NULL);
	refused("endless output does not hang", "yes", SECRET_MAX, ERR_LIMIT,
		"printed more than", NULL);
}

/* ------------------------------------------------------ passwords */

struct ask_ctx {
	int calls;
	char prompt[256];
	const char *answer; /* NULL: fail as cancelled */
};

static int fake_ask(void *ctx, const char *prompt, struct buf *out,
		    struct err *e)
{
	struct ask_ctx *c = ctx;
	c->calls++;
	snprintf(c->prompt, sizeof(c->prompt), "%s", prompt);
	if (c->answer == NULL)
		return err_set(e, ERR_CANCELLED, ERR_OK, "cancelled by test");
	buf_reset(out);
	if (buf_append_str(out, c->answer) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, "too long");
	return 0;
}

static void make_account(struct cfg_account *a, const char *command,
			 const char *password)
{
	cfg_account_init(a);
	a->name = strdup("home");
	a->mode = CFG_MODE_POP3;
	a->host = strdup("pop.example.org");
	a->user = strdup("joe");
	a->password_command = command ? strdup(command) : NULL;
	a->password = password ? strdup(password) : NULL;
}

/* Gets the password of an account with the given sources. */
static int get(const char *command, const char *password, secret_ask_fn *ask,
	       struct ask_ctx *ctx, struct buf *out, struct err *e)
{
	struct cfg_account a;
	make_account(&a, command, password);
	buf_init(out, SECRET_MAX);
	err_init(e);
	int rc = secret_get_password(&a, ask, ctx, out, e);
	cfg_account_release(&a);
	return rc;
}

static void test_sources(void)
{
	struct ask_ctx ctx = { 0, "", "asked" };
	struct buf b;
	struct err e;

	is_int(get("printf cmdpw", "keypw", fake_ask, &ctx, &b, &e), 0,
	       "password_command used");
	is_str(b.data, "cmdpw", "password_command wins over password and ask");
	is_int(ctx.calls, 0, "ask not called when a command is set");
	buf_release(&b);

	is_int(get(NULL, "keypw", fake_ask, &ctx, &b, &e), 0, "password key used");
	is_str(b.data, "keypw", "password key wins over ask");
	is_int(ctx.calls, 0, "ask not called when a password is set");
	buf_release(&b);

	is_int(get(NULL, NULL, fake_ask, &ctx, &b, &e), 0, "ask used");
	is_str(b.data, "asked", "the answer of ask is the password");
	is_int(ctx.calls, 1, "ask called once");
	is_str(ctx.prompt, "Password for joe@pop.example.org: ",
	       "ask gets the prompt Password for USER@HOST: ");
	buf_release(&b);
}

static void test_source_errors(void)
{
	struct ask_ctx ctx = { 0, "", "asked" };
	struct buf b;
	struct err e;

	is_int(get("echo leaked; exit 2", NULL, fake_ask, &ctx, &b, &e), -1,
	       "failing password_command is an error");
	ok(strncmp(e.msg, "account home: ", 14) == 0,
	   "command error prefixed with the account name");
	ok(strstr(e.msg, "exit status 2") != NULL, "command error gives the status");
	ok(strstr(e.msg, "leaked") == NULL, "command error hides the output");
	is_int(ctx.calls, 0, "no fallback to ask after a failed command");
	is_int((long long)b.len, 0, "no password after a failed command");
	buf_release(&b);

	is_int(get(NULL, NULL, NULL, NULL, &b, &e), -1,
	       "nothing configured and no ask is an error");
	ok(strncmp(e.msg, "account home: ", 14) == 0,
	   "no-source error prefixed with the account name");
	is_int(e.code, ERR_UNAVAILABLE, "no-source error is ERR_UNAVAILABLE");
	buf_release(&b);

	ctx.answer = NULL;
	is_int(get(NULL, NULL, fake_ask, &ctx, &b, &e), -1, "ask failing is an error");
	is_int(e.scope, ERR_CANCELLED, "the error of ask is passed on");
	is_str(e.msg, "cancelled by test", "the message of ask is passed on");
	buf_release(&b);

	struct cfg_account a;
	make_account(&a, NULL, "0123456789");
	buf_init(&b, 4);
	err_init(&e);
	is_int(secret_get_password(&a, NULL, NULL, &b, &e), -1,
	       "password longer than the buffer is an error");
	ok(strstr(e.msg, "home") != NULL && strstr(e.msg, "0123") == NULL,
	   "too-long error names the account, not the password");
	buf_release(&b);
	cfg_account_release(&a);
}

int main(void)
{
	test_run_ok();
	test_run_errors();
	test_sources();
	test_source_errors();
	return done_testing();
}
