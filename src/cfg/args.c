#include "config.h"

#include "args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"
#include "str.h"
#include "url.h"

#define QUERY_MAX ((size_t)64 * 1024)

enum opt_id {
	OPT_CONFIG, OPT_ACCOUNT, OPT_LOG, OPT_HELP, OPT_VERSION, OPT_DEMO,
	OPT_RAW, OPT_JSON, OPT_SAVE, OPT_COUNT, OPT_FOLDER,
};

#define CMD(c) (1u << (c))
#define ANY_CMD (~0u)

static const struct opt_def {
	enum opt_id id;
	char short_name;       /* 0 if none */
	const char *long_name; /* without "--"; NULL if none */
	bool takes_value;
	unsigned cmds;         /* ANY_CMD, or CMD() of the commands it belongs to */
} options[] = {
	{ OPT_CONFIG, 'F', NULL, true, ANY_CMD },
	{ OPT_ACCOUNT, 'a', NULL, true, ANY_CMD },
	{ OPT_LOG, 0, "log", true, ANY_CMD },
	{ OPT_HELP, 'h', "help", false, ANY_CMD },
	{ OPT_VERSION, 0, "version", false, ANY_CMD },
	{ OPT_DEMO, 0, "demo", false, CMD(ARGS_CMD_OPEN) },
	{ OPT_RAW, 0, "raw", false, CMD(ARGS_CMD_SHOW) },
	{ OPT_JSON, 0, "json", false, CMD(ARGS_CMD_SHOW) },
	{ OPT_SAVE, 0, "save-attachments", true, CMD(ARGS_CMD_SHOW) },
	{ OPT_COUNT, 0, "count", false, CMD(ARGS_CMD_SEARCH) },
	{ OPT_FOLDER, 0, "folder", true, CMD(ARGS_CMD_SEARCH) | CMD(ARGS_CMD_SHOW) },
};
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const char *const cmd_names[] = {
	[ARGS_CMD_OPEN] = "",
	[ARGS_CMD_FETCH] = "fetch",
	[ARGS_CMD_SHOW] = "show",
	[ARGS_CMD_SEARCH] = "search",
	[ARGS_CMD_FOLDERS] = "folders",
};

const char *args_cmd_name(enum args_cmd cmd)
{
	return cmd_names[cmd];
}

void args_init(struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->cmd = ARGS_CMD_OPEN;
}

void args_release(struct args *a)
{
	free(a->query);
	args_init(a);
}

static int usage_err(struct err *e, const char *fmt, const char *what)
	__attribute__((format(printf, 2, 0)));

static int usage_err(struct err *e, const char *fmt, const char *what)
{
	return err_set(e, ERR_ACCOUNT, ERR_USAGE, fmt, what);
}

/* Records option o with value v; seen[] catches repeats. */
static int apply(struct args *a, const struct opt_def *o, const char *v,
		 const char *spelled, bool seen[], struct err *e)
{
	if (seen[o->id] && o->id != OPT_HELP && o->id != OPT_VERSION)
		return usage_err(e, _("option %s given twice"), spelled);
	seen[o->id] = true;
	switch (o->id) {
	case OPT_CONFIG: a->config_path = v; break;
	case OPT_ACCOUNT: a->account = v; break;
	case OPT_LOG: a->log_path = v; break;
	case OPT_HELP: a->help = true; break;
	case OPT_VERSION: a->version = true; break;
	case OPT_DEMO: a->demo = true; break;
	case OPT_RAW: a->raw = true; break;
	case OPT_JSON: a->json = true; break;
	case OPT_SAVE: a->save_dir = v; break;
	case OPT_COUNT: a->count = true; break;
	case OPT_FOLDER: a->folder = v; break;
	}
	if (o->takes_value && *v == '\0')
		return usage_err(e, _("option %s needs a non-empty value"), spelled);
	return 0;
}

static const struct opt_def *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].long_name != NULL &&
		    strlen(options[i].long_name) == n &&
		    strncmp(options[i].long_name, name, n) == 0)
			return &options[i];
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].short_name == c)
			return &options[i];
	return NULL;
}

/* Handles argv[*i], an option word; may consume argv[*i + 1]. */
static int parse_option(struct args *a, int argc, char **argv, int *i,
			const struct opt_def **used, size_t *n_used,
			bool seen[], struct err *e)
{
	const char *w = argv[*i];
	const struct opt_def *o;
	const char *value = NULL;

	if (w[1] == '-') {
		const char *name = w + 2;
		const char *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		o = find_long(name, n);
		if (o == NULL)
			return usage_err(e, _("unknown option '%s' (see tern --help)"), w);
		if (eq != NULL) {
			if (!o->takes_value)
				return usage_err(e, _("option '%s' takes no value"), w);
			value = eq + 1;
		}
	} else {
		o = find_short(w[1]);
		if (o == NULL || (w[2] != '\0' && !o->takes_value))
			return usage_err(e, _("unknown option '%s' (see tern --help)"), w);
		if (w[2] != '\0')
			value = w + 2;
	}
	if (o->takes_value && value == NULL) {
		if (*i + 1 >= argc)
			return usage_err(e, _("option '%s' needs a value"), w);
		value = argv[++*i];
	}
	used[(*n_used)++] = o;
	return apply(a, o, value, w, seen, e);
}

static int find_cmd(const char *w)
{
	for (int c = ARGS_CMD_FETCH; c <= ARGS_CMD_FOLDERS; c++)
		if (strcmp(w, cmd_names[c]) == 0)
			return c;
	return -1;
}

static int join_query(struct args *a, char **words, size_t n, struct err *e)
{
	struct buf q;
	buf_init(&q, QUERY_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((i > 0 && buf_append_char(&q, ' ') < 0) ||
		    buf_append_str(&q, words[i]) < 0) {
			buf_release(&q);
			return usage_err(e, _("query too long%s"), "");
		}
	}
	a->query = buf_detach(&q, NULL);
	return 0;
}

static int message_number(struct args *a, const char *w, struct err *e)
{
	if (str_to_ulong(w, 1, 0xffffffffUL, &a->msgno) < 0)
		return usage_err(e, _("'%s' is not a message number (1, 2, ...)"), w);
	return 0;
}

/* show FILE | - | MBOX N | URL ID, or -a ACCOUNT ID. */
static int show_operands(struct args *a, char **pos, size_t n, struct err *e)
{
	if (a->raw && (a->json || a->save_dir != NULL))
		return usage_err(e, _("--raw cannot be combined with --json or "
				      "--save-attachments%s"), "");
	if (a->account != NULL && n == 0)
		return usage_err(e, _("show -a ACCOUNT needs the number of a message, as "
				      "the listing prints it%s"), "");
	if (a->account != NULL && n > 1)
		return usage_err(e, _("give either -a ACCOUNT or '%s', not both"), pos[0]);
	if (a->account != NULL)
		return message_number(a, pos[0], e);
	if (n == 0)
		return usage_err(e, _("show needs a message file, - or MBOX N%s"), "");
	if (n > 2)
		return usage_err(e, _("too many operands: '%s'"), pos[2]);
	a->target = pos[0];
	bool url = url_is_url(pos[0]);
	if (url && n == 1)
		return usage_err(e, _("'%s' needs the number of a message after it"), pos[0]);
	if (a->folder != NULL && !url)
		return usage_err(e, _("--folder is for IMAP accounts, not the file '%s'"),
				 pos[0]);
	return n == 2 ? message_number(a, pos[1], e) : 0;
}

static int check_operands(struct args *a, char **pos, size_t n, struct err *e)
{
	switch (a->cmd) {
	case ARGS_CMD_OPEN:
		if (n > 1)
			return usage_err(e, _("too many operands: '%s' (one mailbox or "
					      "URL at most)"), pos[1]);
		if (a->demo && (n > 0 || a->account != NULL))
			return usage_err(e, _("--demo opens the demo mailbox and takes "
					      "no mailbox or account%s"), "");
		if (n == 1 && a->account != NULL)
			return usage_err(e, _("give either -a ACCOUNT or '%s', not both"),
					 pos[0]);
		a->target = n ? pos[0] : NULL;
		return 0;
	case ARGS_CMD_FETCH:
	case ARGS_CMD_FOLDERS:
		if (n > 1)
			return usage_err(e, _("too many operands: '%s'"), pos[1]);
		if (n == 1 && a->account != NULL)
			return usage_err(e, _("give either -a ACCOUNT or '%s', not both"),
					 pos[0]);
		if (n == 1 && !url_is_url(pos[0]))
			return usage_err(e, a->cmd == ARGS_CMD_FETCH
					 ? _("'%s' is not a pop3:// or pop3s:// URL")
					 : _("'%s' is not an imap:// or imaps:// URL"),
					 pos[0]);
		a->target = n ? pos[0] : NULL;
		return 0;
	case ARGS_CMD_SHOW:
		return show_operands(a, pos, n, e);
	case ARGS_CMD_SEARCH:
		if (n == 0)
			return usage_err(e, _("search needs a query%s"), "");
		if (a->account == NULL && n >= 2) {
			a->target = pos[0];
			pos++;
			n--;
		}
		if (a->folder != NULL && a->target != NULL)
			return usage_err(e, _("--folder is for IMAP accounts, not the "
					      "mailbox '%s'"), a->target);
		return join_query(a, pos, n, e);
	}
	return 0;
}

/* Option o was given to a command it does not belong to. */
static int wrong_command(const struct args *a, const struct opt_def *o, struct err *e)
{
	char spelled[64];
	snprintf(spelled, sizeof(spelled), "--%s", o->long_name);
	int only = -1;
	for (int c = ARGS_CMD_FETCH; c <= ARGS_CMD_FOLDERS; c++)
		if (o->cmds == CMD(c))
			only = c;
	if (only < 0 && a->cmd == ARGS_CMD_OPEN)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE,
			       _("option %s goes with a command (see tern --help)"), spelled);
	if (only < 0)
		return err_set(e, ERR_ACCOUNT, ERR_USAGE,
			       _("option %s cannot be used with 'tern %s'"), spelled,
			       cmd_names[a->cmd]);
	return err_set(e, ERR_ACCOUNT, ERR_USAGE, _("option %s belongs to 'tern %s'"), spelled,
		       cmd_names[only]);
}

int args_parse(struct args *a, int argc, char **argv, struct err *e)
{
	bool seen[OPT_FOLDER + 1] = { false };
	const struct opt_def **used = xcalloc((size_t)argc + 1, sizeof(*used));
	char **pos = xcalloc((size_t)argc + 1, sizeof(*pos));
	size_t n_used = 0, n_pos = 0;
	bool cmd_seen = false, options_done = false;
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *w = argv[i];
		if (!options_done && strcmp(w, "--") == 0) {
			options_done = true;
		} else if (!options_done && w[0] == '-' && w[1] != '\0') {
			rc = parse_option(a, argc, argv, &i, used, &n_used, seen, e);
		} else if (!options_done && !cmd_seen && n_pos == 0 && find_cmd(w) >= 0) {
			a->cmd = (enum args_cmd)find_cmd(w);
			cmd_seen = true;
		} else {
			pos[n_pos++] = argv[i];
		}
	}
	for (size_t k = 0; rc == 0 && k < n_used; k++)
		if ((used[k]->cmds & CMD(a->cmd)) == 0)
			rc = wrong_command(a, used[k], e);
	if (rc == 0 && !a->help && !a->version)
		rc = check_operands(a, pos, n_pos, e);
	free(used);
	free(pos);
	return rc;
}
