#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "mailcap.h"
#include "mem.h"
#include "mime.h"
#include "pager_text.h"
#include "proc.h"
#include "prompt.h"
#include "render.h"
#include "sanitize.h"
#include "str.h"
#include "ui_private.h"

#define MESSAGE_MAX ((size_t)256 << 20)
#define ATTACHMENT_MAX ((size_t)256 << 20)
#define OUTPUT_MAX ((size_t)16 << 20)
#define TEST_TIMEOUT_MS 5000
#define VIEW_TIMEOUT_MS 60000

struct attach {
	struct ui *u;
	struct buf raw;
	struct mime_message mm;
	struct render_result r;
};

/* ------------------------------------------------------------ running */

/* Runs argv (no shell) or, with argv NULL, command through /bin/sh -c,
 * with in[0..len) on its standard input (NULL: the terminal's), on the
 * terminal; waits; then asks for a key if wait_key. */
static int run_on_terminal(const char *command, char *const *argv, const char *in,
			   size_t len, bool wait_key)
{
	term_suspend();
	int fds[2] = { -1, -1 };
	if (in != NULL && pipe(fds) < 0) {
		term_resume();
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (in != NULL) {
			dup2(fds[0], STDIN_FILENO);
			close(fds[0]);
			close(fds[1]);
		}
		signal(SIGINT, SIG_DFL);
		if (argv != NULL)
			execvp(argv[0], argv);
		else
			execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	int status = -1;
	if (pid > 0) {
		if (in != NULL) {
			close(fds[0]);
			void (*old)(int) = signal(SIGPIPE, SIG_IGN);
			size_t done = 0;
			while (done < len) {
				ssize_t w = write(fds[1], in + done, len - done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					break;
				done += (size_t)w;
			}
			close(fds[1]);
			signal(SIGPIPE, old);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (wait_key) {
		fputs(_("Press any key to go back to tern..."), stdout);
		fflush(stdout);
	}
	term_resume();
	if (wait_key)
		(void)term_key(-1, -1);
	clearok(curscr, TRUE);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void ui_open_with_opener(struct ui *u, const char *what)
{
	const struct cfg *cfg = u->opt->cfg;
	const char *opener = cfg && cfg->opener ? cfg->opener : NULL;
	if (opener == NULL) {
		ui_error(u, _("No opener is configured ([ui] opener = ...)."));
		return;
	}
	/* The opener gets the URL or file as one argument: no shell sees it. */
	char *argv[] = { (char *)opener, (char *)what, NULL };
	if (run_on_terminal(NULL, argv, NULL, 0, false) < 0)
		ui_error(u, _("The opener failed."));
}

static bool run_test(void *ctx, const char *cmd)
{
	(void)ctx;
	struct buf out;
	struct err e;
	buf_init(&out, 4096);
	err_init(&e);
	int rc = proc_filter(cmd, "mailcap test", "", 0, &out, TEST_TIMEOUT_MS, &e);
	buf_release(&out);
	return rc == 0;
}

/* ------------------------------------------------------------ parts */

static int content(struct attach *at, size_t i, struct buf *out)
{
	buf_init(out, ATTACHMENT_MAX);
	if (render_attachment_content(&at->r.att[i], out) < 0) {
		ui_error(at->u, _("The attachment is too large."));
		buf_release(out);
		return -1;
	}
	return 0;
}

static void params_of(const struct render_attachment *a, struct mailcap_param *items,
		      size_t max, struct mailcap_params *p)
{
	const struct mime_params *mp = &a->part->ctype;
	p->n = 0;
	p->items = items;
	for (size_t k = 0; k < mp->n_decoded && p->n < max; k++) {
		items[p->n].name = mp->decoded[k].name;
		items[p->n].value = mp->decoded[k].value;
		p->n++;
	}
}

/* ------------------------------------------------------------ save */

static void save(struct attach *at, size_t i)
{
	struct ui *u = at->u;
	const struct render_attachment *a = &at->r.att[i];
	struct buf name, path;
	buf_init(&name, SANITIZE_NAME_MAX * 4);
	buf_init(&path, PROMPT_MAX);
	const char *suggested = a->name ? a->name : "";
	buf_cut_ok(sanitize_filename(suggested, strlen(suggested), "attachment", &name));
	if (prompt_line(_("Save to file: "), name.data, &path) < 0 || path.len == 0)
		goto out;
	struct stat st;
	if (lstat(path.data, &st) == 0) {
		if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
			ui_error(u, _("%s exists and is not a regular file."), path.data);
			goto out;
		}
		if (!prompt_yes_no(_("File exists, overwrite?"), false))
			goto out;
	}
	struct buf data;
	if (content(at, i, &data) < 0)
		goto out;
	int fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t done = 0;
	while (fd >= 0 && done < data.len) {
		ssize_t w = write(fd, data.data + done, data.len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	int saved = errno;
	if (fd >= 0 && (done < data.len || fsync(fd) < 0 || close(fd) < 0)) {
		ui_error(u, _("Could not write %s: %s"), path.data, strerror(errno));
	} else if (fd < 0) {
		ui_error(u, _("Could not write %s: %s"), path.data, strerror(saved));
	} else {
		ui_say(u, ngettext("Saved %s (%zu byte).", "Saved %s (%zu bytes).", data.len),
		       path.data, data.len);
	}
	buf_release(&data);
out:
	buf_release(&name);
	buf_release(&path);
}

static void pipe_to(struct attach *at, size_t i)
{
	struct ui *u = at->u;
	struct buf cmd;
	buf_init(&cmd, PROMPT_MAX);
	if (prompt_line(_("Pipe to command: "), NULL, &cmd) == 0 && cmd.len > 0) {
		struct buf data;
		if (content(at, i, &data) == 0) {
			if (run_on_terminal(cmd.data, NULL, data.data, data.len, true) < 0)
				ui_error(u, _("The command failed."));
			buf_release(&data);
		}
	}
	buf_release(&cmd);
}

/* ------------------------------------------------------------ view */

/* Shows text (tern's or a program's output: sanitised on the way) in a
 * plain viewer. */
static void show_text(struct ui *u, const char *title, const char *text, size_t len)
{
	struct buf doc;
	buf_init(&doc, OUTPUT_MAX + 4096);
	buf_cut_ok(buf_printf(&doc, "%s\n\n", title));
	buf_cut_ok(buf_append(&doc, text, len));
	struct pager_text pt;
	struct err e;
	err_init(&e);
	if (pager_text_build(&pt, doc.data, doc.len, (size_t)COLS, &e) < 0) {
		ui_error(u, "%s", e.msg);
		buf_release(&doc);
		return;
	}
	size_t top = 0;
	for (;;) {
		int rows = ui_body_rows();
		erase();
		ui_draw_help_line(u, UI_SCREEN_PAGER);
		for (int r = 0; r < rows && top + (size_t)r < pt.n; r++) {
			const struct pager_line *l = &pt.lines[top + (size_t)r];
			term_put(1 + r, 0, pt.text + l->off, l->len, COLS,
				 ui_attr(u, l->kind == PAGER_HEADER ? UI_C_HEADER : UI_C_NORMAL), true);
		}
		ui_draw_status(u, "");
		ui_draw_message_line(u);
		refresh();
		int key = term_key(-1, -1);
		enum ui_action a = keymap_lookup(u->km, UI_SCREEN_PAGER, ui_keymap_code(key));
		size_t last = pt.n > (size_t)rows ? pt.n - (size_t)rows : 0;
		if (a == UI_ACTION_EXIT || a == UI_ACTION_QUIT)
			break;
		if (a == UI_ACTION_NEXT_PAGE || a == UI_ACTION_NEXT_LINE)
			top = top + (a == UI_ACTION_NEXT_LINE ? 1 : (size_t)rows - 1);
		else if (a == UI_ACTION_PREVIOUS_PAGE)
			top = top > (size_t)rows ? top - (size_t)rows + 1 : 0;
		else if (a == UI_ACTION_PREVIOUS_LINE && top > 0)
			top--;
		if (top > last)
			top = last;
	}
	pager_text_release(&pt);
	buf_release(&doc);
}

static char **mailcap_path_list(struct ui *u, struct mailcap_paths *mp, size_t *n_r)
{
	const struct cfg *cfg = u->opt->cfg;
	if (cfg != NULL && cfg->mailcap != NULL)
		mailcap_default_paths(cfg->mailcap, getenv("HOME"), mp);
	else
		mailcap_env_paths(mp);
	*n_r = mp->n;
	return (char **)mp->path;
}

/* Writes data to a new private directory as name; fills dir_r and
 * file_r (to free and remove). */
static int temp_copy(const char *name, const struct buf *data, char **dir_r, char **file_r)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = str_path_join(tmp && *tmp == '/' ? tmp : "/tmp", "tern-XXXXXX");
	if (mkdtemp(tmpl) == NULL) {
		free(tmpl);
		return -1;
	}
	*dir_r = tmpl;
	*file_r = str_path_join(tmpl, name);
	int fd = open(*file_r, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t done = 0;
	while (fd >= 0 && done < data->len) {
		ssize_t w = write(fd, data->data + done, data->len - done);
		if (w <= 0 && errno != EINTR)
			break;
		if (w > 0)
			done += (size_t)w;
	}
	if (fd >= 0)
		close(fd);
	return fd >= 0 && done == data->len ? 0 : -1;
}

static void view(struct attach *at, size_t i)
{
	struct ui *u = at->u;
	const struct render_attachment *a = &at->r.att[i];
	struct mailcap_paths mp;
	size_t np;
	char **paths = mailcap_path_list(u, &mp, &np);
	struct mailcap *mc = NULL;
	struct err e;
	err_init(&e);
	struct mailcap_param items[32];
	struct mailcap_params params;
	params_of(a, items, 32, &params);
	const struct mailcap_entry *m = NULL;
	if (mailcap_load(&mc, (const char *const *)paths, np, &e) == 0)
		m = mailcap_find(mc, a->type, &params, run_test, NULL);
	struct buf data, name, cmd;
	buf_init(&name, MAILCAP_FILE_NAME_MAX + 1);
	buf_init(&cmd, MAILCAP_COMMAND_MAX);
	char *dir = NULL, *file = NULL;
	if (content(at, i, &data) < 0)
		goto out;
	if (m == NULL && strncmp(a->type, "text/", 5) == 0) {
		show_text(u, a->name ? a->name : a->type, data.data, data.len);
		goto out_data;
	}
	if (m == NULL && !(u->opt->cfg && u->opt->cfg->opener)) {
		ui_error(u, _("No mailcap entry for %s (try s to save it)."), a->type);
		goto out_data;
	}
	if (mailcap_nametemplate(m, a->name, &name, &e) < 0 ||
	    temp_copy(name.data, &data, &dir, &file) < 0) {
		ui_error(u, _("Could not make a temporary copy: %s"), e.msg[0] ? e.msg : strerror(errno));
		goto out_files;
	}
	if (m == NULL) {
		ui_open_with_opener(u, file);
		goto out_files;
	}
	bool uses_file;
	if (mailcap_command(m, file, a->type, &params, &cmd, &uses_file, &e) < 0) {
		ui_error(u, "%s", e.msg);
		goto out_files;
	}
	if (m->copiousoutput) {
		struct buf output;
		buf_init(&output, OUTPUT_MAX);
		err_init(&e);
		if (proc_filter(cmd.data, "mailcap", uses_file ? "" : data.data,
				uses_file ? 0 : data.len, &output, VIEW_TIMEOUT_MS, &e) < 0 &&
		    output.len == 0)
			ui_error(u, "%s", e.msg);
		else
			show_text(u, a->type, output.data, output.len);
		buf_release(&output);
	} else if (run_on_terminal(cmd.data, NULL, uses_file ? NULL : data.data,
				   uses_file ? 0 : data.len, !m->needsterminal) < 0) {
		ui_error(u, _("The viewer for %s failed."), a->type);
	}
out_files:
	if (file != NULL)
		unlink(file);
	if (dir != NULL)
		rmdir(dir);
	free(file);
	free(dir);
out_data:
	buf_release(&data);
out:
	buf_release(&name);
	buf_release(&cmd);
	mailcap_free(&mc);
	mailcap_paths_release(&mp);
}

/* ------------------------------------------------------------ screen */

static void draw(struct attach *at, size_t cur, size_t top)
{
	struct ui *u = at->u;
	int rows = ui_body_rows();
	erase();
	ui_draw_help_line(u, UI_SCREEN_ATTACH);
	for (int r = 0; r < rows && top + (size_t)r < at->r.n_att; r++) {
		size_t i = top + (size_t)r;
		const struct render_attachment *a = &at->r.att[i];
		char size[32];
		if (a->size >= (size_t)1 << 20)
			snprintf(size, sizeof(size), "%.1fM", (double)a->size / (1 << 20));
		else if (a->size >= 1024)
			snprintf(size, sizeof(size), "%.1fK", (double)a->size / 1024);
		else
			snprintf(size, sizeof(size), "%zu", a->size);
		struct buf line;
		buf_init(&line, 8192);
		buf_cut_ok(buf_printf(&line, "%3zu  %-28s %7s  ", i + 1, a->type, size));
		buf_cut_ok(sanitize_text(a->name ? a->name : "", a->name ? strlen(a->name) : 0,
					 SANITIZE_LINE, &line));
		term_put(1 + r, 0, line.data, line.len, COLS,
			 ui_attr(u, i == cur ? UI_C_INDICATOR : UI_C_NORMAL), true);
		buf_release(&line);
	}
	ui_draw_status(u, _("Attachments"));
	ui_draw_message_line(u);
	refresh();
}

void ui_attachments(struct ui *u, size_t msg)
{
	struct attach at = { .u = u };
	struct err e;
	err_init(&e);
	buf_init(&at.raw, MESSAGE_MAX);
	if (u->acct->ops->fetch(u->folder, msg, BE_FETCH_RAW, &at.raw, &e) < 0) {
		ui_error(u, "%s", e.msg);
		buf_release(&at.raw);
		return;
	}
	mime_parse(&at.mm, at.raw.data, at.raw.len, NULL);
	struct render_options o;
	render_options_default(&o);
	render_message(&at.mm, &o, &at.r);
	if (at.r.n_att == 0) {
		ui_say(u, _("This message has no attachments."));
	} else {
		size_t cur = 0, top = 0;
		for (;;) {
			int rows = ui_body_rows();
			ui_list_scroll(&top, cur, rows);
			draw(&at, cur, top);
			int key = term_key(-1, -1);
			if (key == TERM_KEY_NONE || key == TERM_FKEY(KEY_RESIZE))
				continue;
			u->message[0] = '\0';
			enum ui_action a = keymap_lookup(u->km, UI_SCREEN_ATTACH, ui_keymap_code(key));
			if (a == UI_ACTION_EXIT || a == UI_ACTION_QUIT)
				break;
			if (ui_list_move(a, &cur, at.r.n_att, rows))
				continue;
			switch (a) {
			case UI_ACTION_SAVE_ENTRY: save(&at, cur); break;
			case UI_ACTION_PIPE_ENTRY: pipe_to(&at, cur); break;
			case UI_ACTION_SELECT_ENTRY:
			case UI_ACTION_VIEW_ATTACH:
			case UI_ACTION_VIEW_MAILCAP:
				view(&at, cur);
				break;
			case UI_ACTION_HELP: ui_help(u, UI_SCREEN_ATTACH); break;
			case UI_ACTION_REDRAW_SCREEN: clearok(curscr, TRUE); break;
			default: break;
			}
		}
	}
	render_result_release(&at.r);
	mime_message_release(&at.mm);
	buf_release(&at.raw);
}
