/* tern: the command line entry point.  It parses the arguments, reads the
 * configuration, opens the log, and hands the work to the layers below. */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "be_imap.h"
#include "be_mbox.h"
#include "be_pop3.h"
#include "cfg.h"
#include "cli_fetch.h"
#include "cli_folders.h"
#include "cli_hooks.h"
#include "cli_help.h"
#include "cli_list.h"
#include "cli_search.h"
#include "cli_show.h"
#include "err.h"
#include "fsutil.h"
#include "i18n.h"
#include "log.h"
#include "mem.h"
#include "str.h"
#include "ui.h"
#include "url.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_NOTHING = 1, /* search found nothing */
	EXIT_USAGE = 2,   /* bad command line or configuration */
	EXIT_FAILURE_ = 3,
};

struct app {
	struct args args;
	struct cfg cfg;
	struct logger log;
	struct err err;
};

static int fail(struct app *app, int code)
{
	fprintf(stderr, "tern: %s\n", app->err.msg);
	log_error(&app->log, "%s", app->err.msg);
	if (code == EXIT_USAGE && app->err.code == ERR_USAGE)
		fprintf(stderr, _("Try 'tern --help' for more information.\n"));
	return code;
}

static int load_config(struct app *app)
{
	char *path;
	bool missing_ok = false;

	if (app->args.config_path != NULL) {
		path = xstrdup(app->args.config_path);
	} else {
		char *dir = fs_xdg_dir(XDG_CONFIG, false, &app->err);
		if (dir == NULL)
			return -1;
		path = str_path_join(dir, "config");
		free(dir);
		missing_ok = true;
	}
	int rc = cfg_load(&app->cfg, path, missing_ok, &app->err);
	for (size_t i = 0; rc == 0 && i < app->cfg.n_accounts; i++)
		log_add_secret(&app->log, app->cfg.accounts[i].password);
	if (rc == 0)
		log_info(&app->log, "configuration %s: %s, %zu accounts", path,
			 app->cfg.path ? "read" : "absent", app->cfg.n_accounts);
	free(path);
	return rc;
}

/* The demo mailbox: $TERN_DATADIR/demo.mbox if set (for running from the
 * build tree), else the installed copy. */
static char *demo_path(void)
{
	const char *dir = getenv("TERN_DATADIR");
	if (dir == NULL || *dir == '\0')
		dir = PKGDATADIR;
	return str_path_join(dir, "demo.mbox");
}

/* The reader runs when tern talks to a person: standard input and output
 * are a terminal.  Otherwise (a pipe, a script) the messages are listed. */
static bool interactive(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

static int open_path_for_ui(void *ctx, const char *path, const struct ui_hooks *ui,
			    struct be_account **a_r, struct err *e)
{
	struct app *app = ctx;
	char *cache = cli_list_cache_path(&app->log);
	int rc = be_mbox_open(a_r, NULL, path, cache, false, ui, e);
	free(cache);
	return rc;
}

/* Runs the reader on the mbox at path (name: the account's, or NULL), or
 * on the POP3 account pop (then G downloads new mail). */
static int read_mbox(struct app *app, const char *name, const char *path, bool missing_ok,
		     const struct cfg_account *pop)
{
	char *cache = cli_list_cache_path(&app->log);
	struct be_account *acct = NULL;
	char *state = pop ? fs_xdg_dir(XDG_STATE, true, &app->err) : NULL;
	int rc = pop && state == NULL ? -1
		 : pop ? be_pop3_open(&acct, pop, cache, state, ui_hooks_terminal(), &app->err)
		 : be_mbox_open(&acct, name, path, cache, missing_ok, ui_hooks_terminal(),
				&app->err);
	free(cache);
	free(state);
	if (rc < 0)
		return fail(app, EXIT_FAILURE_);
	struct ui_options opt = {
		.cfg = &app->cfg, .open_path = open_path_for_ui, .open_ctx = app,
	};
	rc = ui_run(&acct, &opt, &app->err);
	if (acct != NULL)
		acct->ops->close_account(&acct);
	if (rc < 0)
		return fail(app, app->err.scope == ERR_CANCELLED ? EXIT_OK : EXIT_FAILURE_);
	return EXIT_OK;
}

static int open_mbox(struct app *app, const char *path)
{
	if (interactive())
		return read_mbox(app, NULL, path, false, NULL);
	long n = cli_list_mbox(path, stdout, &app->log, &app->err);
	if (n < 0)
		return fail(app, EXIT_FAILURE_);
	if (n == 0)
		printf(_("%s: no messages\n"), path);
	return EXIT_OK;
}

/* An IMAP account: the reader on a terminal, else the list of the
 * messages of its folder (the URL's, else INBOX). */
static int open_imap(struct app *app, const struct cfg_account *a)
{
	char *state = fs_xdg_dir(XDG_STATE, true, &app->err);
	if (state == NULL)
		return fail(app, EXIT_FAILURE_);
	struct cli_hooks h;
	const struct ui_hooks *hooks = interactive() ? ui_hooks_terminal() : cli_hooks_init(&h);
	struct be_account *acct = NULL;
	int rc = be_imap_open(&acct, a, state, hooks, &app->log, &app->err);
	free(state);
	if (rc < 0)
		return fail(app, EXIT_FAILURE_);
	if (interactive()) {
		struct ui_options opt = { .cfg = &app->cfg, .first_folder = a->folder };
		rc = ui_run(&acct, &opt, &app->err);
		if (acct != NULL)
			acct->ops->close_account(&acct);
		if (rc < 0)
			return fail(app, app->err.scope == ERR_CANCELLED ? EXIT_OK : EXIT_FAILURE_);
		return EXIT_OK;
	}
	struct be_folder *f = NULL;
	rc = acct->ops->open_folder(acct, a->folder, true, &f, &app->err);
	if (rc == 0 && f->offline)
		fprintf(stderr, _("tern: %s cannot be reached: the list is as it was last seen\n"),
			a->host);
	if (rc == 0) {
		if (cli_list_folder(f, stdout) == 0)
			printf(_("%s: no messages\n"), f->name);
		acct->ops->close_folder(&f);
	}
	acct->ops->close_account(&acct);
	return rc < 0 ? fail(app, EXIT_FAILURE_) : EXIT_OK;
}

static int unavailable(struct app *app, const char *what)
{
	err_set(&app->err, ERR_ACCOUNT, ERR_UNAVAILABLE,
		_("%s is not available in this version"), what);
	return fail(app, EXIT_FAILURE_);
}

/* The account named by -a, or the default one. */
static const struct cfg_account *chosen_account(struct app *app)
{
	if (app->args.account != NULL) {
		const struct cfg_account *a =
			cfg_find_account(&app->cfg, app->args.account);
		if (a == NULL)
			err_set(&app->err, ERR_ACCOUNT, ERR_CONFIG,
				_("no account '%s' in %s"), app->args.account,
				app->cfg.path ? app->cfg.path : _("the configuration (none read)"));
		return a;
	}
	return cfg_default_account(&app->cfg, &app->err);
}

static int open_account(struct app *app, const struct cfg_account *a)
{
	log_info(&app->log, "account %s (%s)", a->name, cfg_mode_name(a->mode));
	switch (a->mode) {
	case CFG_MODE_MBOX:
		if (interactive())
			return read_mbox(app, a->name, a->mbox, false, NULL);
		return open_mbox(app, a->mbox);
	case CFG_MODE_POP3:
		/* POP3 mode reads the local mbox; fetching fills it. */
		if (interactive())
			return read_mbox(app, a->name, a->mbox, true, a);
		if (access(a->mbox, F_OK) < 0) {
			printf(_("account %s: no mail yet (%s does not exist; "
				 "tern fetch downloads it)\n"), a->name, a->mbox);
			return EXIT_OK;
		}
		return open_mbox(app, a->mbox);
	case CFG_MODE_IMAP:
		return open_imap(app, a);
	case CFG_MODE_NONE:
		break;
	}
	return EXIT_FAILURE_;
}

static int run_open(struct app *app)
{
	const char *target = app->args.target;

	if (app->args.demo) {
		char *path = demo_path();
		int rc = open_mbox(app, path);
		free(path);
		return rc;
	}
	if (target != NULL && url_is_url(target)) {
		struct cfg_account acct;
		if (url_to_account(target, &acct, &app->err) < 0)
			return fail(app, EXIT_USAGE);
		int rc = open_account(app, &acct);
		cfg_account_release(&acct);
		return rc;
	}
	if (target != NULL)
		return open_mbox(app, target);
	const struct cfg_account *a = chosen_account(app);
	if (a == NULL)
		return fail(app, EXIT_USAGE);
	return open_account(app, a);
}

/* tern search: over MBOX, the mbox of a local (mbox or POP3) account, or
 * an IMAP account's folder on the server. */
static int run_search(struct app *app, const struct cfg_account *a)
{
	const char *path = app->args.target;
	long n;
	if (path == NULL && a != NULL && a->mode == CFG_MODE_IMAP)
		n = cli_search_imap(a, app->args.folder, app->args.query, app->args.count,
				    &app->log, &app->err);
	else
		n = cli_search_mbox(path ? path : a->mbox, app->args.query, app->args.count,
				    &app->log, &app->err);
	if (n < 0)
		return fail(app, app->err.code == ERR_PARSE ? EXIT_USAGE : EXIT_FAILURE_);
	return n == 0 ? EXIT_NOTHING : EXIT_OK;
}

/* tern show: a file or mbox, or a message of the account a (-a, URL). */
static int run_show(struct app *app, const struct cfg_account *a)
{
	if (cli_show(&app->args, &app->cfg, a, &app->log, &app->err) < 0)
		return fail(app, EXIT_FAILURE_);
	return EXIT_OK;
}

/* Checks that the account a command works on exists and has the mode it
 * needs, then runs the command. */
static int run_command(struct app *app)
{
	enum args_cmd cmd = app->args.cmd;
	const char *target = app->args.target;
	struct cfg_account url_acct;
	const struct cfg_account *a = NULL;
	bool need_account = cmd == ARGS_CMD_FETCH || cmd == ARGS_CMD_FOLDERS ||
			    (cmd == ARGS_CMD_SEARCH && target == NULL) ||
			    (cmd == ARGS_CMD_SHOW && (app->args.account != NULL ||
						      (target != NULL && url_is_url(target))));
	int rc;

	cfg_account_init(&url_acct);
	if (need_account && app->args.target != NULL) {
		if (url_to_account(app->args.target, &url_acct, &app->err) < 0)
			return fail(app, EXIT_USAGE);
		a = &url_acct;
	} else if (need_account) {
		a = chosen_account(app);
		if (a == NULL)
			return fail(app, EXIT_USAGE);
	}
	if (a != NULL && cmd == ARGS_CMD_FETCH && a->mode != CFG_MODE_POP3) {
		err_set(&app->err, ERR_ACCOUNT, ERR_USAGE,
			_("account %s is not a POP3 account: nothing to fetch"), a->name);
		rc = fail(app, EXIT_USAGE);
	} else if (a != NULL && cmd == ARGS_CMD_FOLDERS && a->mode != CFG_MODE_IMAP) {
		err_set(&app->err, ERR_ACCOUNT, ERR_USAGE,
			_("account %s is not an IMAP account: it has no folders"),
			a->name);
		rc = fail(app, EXIT_USAGE);
	} else if (a != NULL && app->args.folder != NULL && a->mode != CFG_MODE_IMAP) {
		err_set(&app->err, ERR_ACCOUNT, ERR_USAGE,
			_("--folder needs an IMAP account; %s is not one"), a->name);
		rc = fail(app, EXIT_USAGE);
	} else if (cmd == ARGS_CMD_SEARCH) {
		rc = run_search(app, a);
	} else if (cmd == ARGS_CMD_SHOW) {
		rc = run_show(app, a);
	} else if (cmd == ARGS_CMD_FETCH) {
		rc = cli_fetch(a, &app->log, &app->err) < 0 ? fail(app, EXIT_FAILURE_) : EXIT_OK;
	} else if (cmd == ARGS_CMD_FOLDERS) {
		rc = cli_folders(a, &app->log, &app->err) < 0 ? fail(app, EXIT_FAILURE_) : EXIT_OK;
	} else {
		char what[64];
		snprintf(what, sizeof(what), "'tern %s'", args_cmd_name(cmd));
		rc = unavailable(app, what);
	}
	cfg_account_release(&url_acct);
	return rc;
}

int main(int argc, char **argv)
{
	struct app app;
	int rc;

	setlocale(LC_ALL, "");
	/* A file size limit (ulimit -f) must fail a write with EFBIG, which
	 * the mbox writers undo and report, not kill tern half-way. */
	signal(SIGXFSZ, SIG_IGN);
	/* TERN_LOCALEDIR: translations of an uninstalled tern (tests). */
	const char *localedir = getenv("TERN_LOCALEDIR");
	bindtextdomain(PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
	textdomain(PACKAGE);

	args_init(&app.args);
	cfg_init(&app.cfg);
	log_init(&app.log);
	err_init(&app.err);

	if (args_parse(&app.args, argc, argv, &app.err) < 0) {
		rc = fail(&app, EXIT_USAGE);
		goto out;
	}
	if (app.args.help) {
		cli_help_print(stdout, app.args.cmd);
		rc = EXIT_OK;
		goto out;
	}
	if (app.args.version) {
		cli_help_version(stdout);
		rc = EXIT_OK;
		goto out;
	}
	if (app.args.log_path != NULL &&
	    log_open(&app.log, app.args.log_path, LOG_LEVEL_DEBUG, &app.err) < 0) {
		rc = fail(&app, EXIT_USAGE);
		goto out;
	}
	log_info(&app.log, "tern %s starting", PACKAGE_VERSION);
	if (load_config(&app) < 0) {
		rc = fail(&app, EXIT_USAGE);
		goto out;
	}
	if (app.args.cmd == ARGS_CMD_OPEN)
		rc = run_open(&app);
	else
		rc = run_command(&app);
out:
	log_info(&app.log, "exit status %d", rc);
	cfg_release(&app.cfg);
	args_release(&app.args);
	log_release(&app.log);
	if (fflush(stdout) != 0 && rc == EXIT_OK)
		rc = EXIT_FAILURE_;
	return rc;
}
