#include "config.h"

#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "mem.h"
#include "progress_text.h"
#include "prompt.h"
#include "sanitize.h"
#include "str.h"
#include "ui_private.h"
#include "width.h"

/* ------------------------------------------------------------ lines */

static void vsay(struct ui *u, bool error, const char *fmt, va_list ap)
{
	vsnprintf(u->message, sizeof(u->message), fmt, ap);
	u->message_is_error = error;
}

void ui_say(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(u, false, fmt, ap);
	va_end(ap);
}

void ui_error(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(u, true, fmt, ap);
	va_end(ap);
	beep();
}

/* Puts text that may hold bytes from mail: sanitised first. */
static void put_safe(int y, int x, const char *text, int cols, int attr, bool pad)
{
	struct buf b;
	buf_init(&b, 4 * (size_t)(cols > 0 ? cols : 1) + 64);
	buf_cut_ok(sanitize_text(text, strlen(text), SANITIZE_LINE, &b));
	term_put(y, x, b.data, b.len, cols, attr, pad);
	buf_release(&b);
}

void ui_draw_message_line(struct ui *u)
{
	move(LINES - 1, 0);
	clrtoeol();
	put_safe(LINES - 1, 0, u->message, COLS,
		 ui_attr(u, u->message_is_error ? UI_C_ERROR : UI_C_MESSAGE), false);
}

struct hint {
	enum ui_action action;
	const char *label; /* N_() */
};

static const struct hint *hints_of(enum ui_screen screen)
{
	static const struct hint index[] = {
		{ UI_ACTION_QUIT, N_("Quit") }, { UI_ACTION_DELETE_MESSAGE, N_("Del") },
		{ UI_ACTION_UNDELETE_MESSAGE, N_("Undel") }, { UI_ACTION_SAVE_MESSAGE, N_("Save") },
		{ UI_ACTION_VIEW_ATTACHMENTS, N_("Attach") }, { UI_ACTION_SEARCH, N_("Search") },
		{ UI_ACTION_LIMIT, N_("Limit") }, { UI_ACTION_HELP, N_("Help") },
		{ UI_ACTION_NONE, NULL },
	};
	static const struct hint pager[] = {
		{ UI_ACTION_EXIT, N_("Exit") }, { UI_ACTION_DELETE_MESSAGE, N_("Del") },
		{ UI_ACTION_UNDELETE_MESSAGE, N_("Undel") }, { UI_ACTION_SAVE_MESSAGE, N_("Save") },
		{ UI_ACTION_VIEW_ATTACHMENTS, N_("Attach") },
		{ UI_ACTION_DISPLAY_TOGGLE_WEED, N_("Headers") }, { UI_ACTION_SEARCH, N_("Search") },
		{ UI_ACTION_HELP, N_("Help") }, { UI_ACTION_NONE, NULL },
	};
	static const struct hint attach[] = {
		{ UI_ACTION_EXIT, N_("Exit") }, { UI_ACTION_SAVE_ENTRY, N_("Save") },
		{ UI_ACTION_PIPE_ENTRY, N_("Pipe") }, { UI_ACTION_VIEW_ATTACH, N_("View") },
		{ UI_ACTION_HELP, N_("Help") }, { UI_ACTION_NONE, NULL },
	};
	static const struct hint other[] = {
		{ UI_ACTION_EXIT, N_("Exit") }, { UI_ACTION_SELECT_ENTRY, N_("Select") },
		{ UI_ACTION_HELP, N_("Help") }, { UI_ACTION_NONE, NULL },
	};
	switch (screen) {
	case UI_SCREEN_INDEX: return index;
	case UI_SCREEN_PAGER: return pager;
	case UI_SCREEN_ATTACH: return attach;
	default: return other;
	}
}

void ui_draw_help_line(struct ui *u, enum ui_screen screen)
{
	struct buf b;
	buf_init(&b, 1024);
	for (const struct hint *h = hints_of(screen); h->label != NULL; h++) {
		int k = keymap_first_key(u->km, screen, h->action);
		if (k < 0)
			continue;
		char name[KEYMAP_KEY_NAME_MAX];
		buf_cut_ok(buf_printf(&b, "%s%s:%s", b.len ? "  " : "",
				      keymap_key_name(k, name), _(h->label)));
	}
	put_safe(0, 0, b.data, COLS, ui_attr(u, UI_C_STATUS), true);
	buf_release(&b);
}

void ui_draw_status(struct ui *u, const char *right)
{
	size_t total = 0, fresh = 0, flagged = 0, deleted = 0;
	if (u->folder != NULL) {
		total = u->folder->n;
		for (size_t i = 0; i < u->folder->n; i++) {
			unsigned f = u->folder->msgs[i].flags;
			fresh += !(f & (SUMMARY_READ | SUMMARY_OLD));
			flagged += (f & SUMMARY_FLAGGED) != 0;
			deleted += (f & SUMMARY_DELETED) != 0;
		}
	}
	struct buf b;
	buf_init(&b, 4096);
	const char *folder = u->folder ? u->folder->name : "-";
	if (strcmp(folder, u->acct->name) == 0)
		buf_cut_ok(buf_printf(&b, "-%c- tern: %s [", u->folder && u->folder->dirty ? '*' : '-',
				      u->acct->name));
	else
		buf_cut_ok(buf_printf(&b, "-%c- tern: %s: %s [",
				      u->folder && u->folder->dirty ? '*' : '-', u->acct->name,
				      folder));
	buf_cut_ok(buf_printf(&b, _("Msgs:%zu New:%zu Flag:%zu"), total, fresh, flagged));
	if (deleted)
		buf_cut_ok(buf_printf(&b, _(" Del:%zu"), deleted));
	if (u->limit != NULL)
		buf_cut_ok(buf_printf(&b, _(" Shown:%zu"), u->view.n));
	bool offline = (u->acct->caps & BE_CAP_OFFLINE) || (u->folder && u->folder->offline);
	if (u->folder != NULL && u->folder->loading_total > 0 && !offline)
		buf_cut_ok(buf_printf(&b, _("] (loading %zu of %zu) %s "), u->folder->n,
				      u->folder->loading_total, right ? right : ""));
	else
		buf_cut_ok(buf_printf(&b, "] (%s) %s ", offline ? _("offline") : _("online"),
				      right ? right : ""));
	put_safe(LINES - 2, 0, b.data, COLS, ui_attr(u, UI_C_STATUS), true);
	buf_release(&b);
}

void ui_list_scroll(size_t *top, size_t cur, int rows)
{
	if (cur < *top)
		*top = cur;
	if (cur >= *top + (size_t)rows)
		*top = cur - (size_t)rows + 1;
}

bool ui_list_move(enum ui_action a, size_t *cur, size_t n, int rows)
{
	size_t last = n ? n - 1 : 0, page = rows > 1 ? (size_t)rows - 1 : 1;
	switch (a) {
	case UI_ACTION_NEXT_ENTRY:
	case UI_ACTION_NEXT_UNDELETED:
	case UI_ACTION_NEXT_LINE:
		*cur = *cur < last ? *cur + 1 : last;
		return true;
	case UI_ACTION_PREVIOUS_ENTRY:
	case UI_ACTION_PREVIOUS_UNDELETED:
	case UI_ACTION_PREVIOUS_LINE:
		*cur = *cur > 0 ? *cur - 1 : 0;
		return true;
	case UI_ACTION_NEXT_PAGE: *cur = *cur + page < last ? *cur + page : last; return true;
	case UI_ACTION_PREVIOUS_PAGE: *cur = *cur > page ? *cur - page : 0; return true;
	case UI_ACTION_FIRST_ENTRY: case UI_ACTION_TOP: *cur = 0; return true;
	case UI_ACTION_LAST_ENTRY: case UI_ACTION_BOTTOM: *cur = last; return true;
	default: return false;
	}
}

int ui_keymap_code(int key)
{
	if (key < 0)
		return -1;
	if (TERM_IS_FKEY(key))
		return keymap_key_from_wch(true, (unsigned long)(key - TERM_FKEY_BASE));
	return keymap_key_from_wch(false, (unsigned long)key);
}

int ui_attr(const struct ui *u, enum ui_color c)
{
	static const enum ui_color_object objects[] = {
		[UI_C_NORMAL] = UI_COLOR_NORMAL, [UI_C_INDICATOR] = UI_COLOR_INDICATOR,
		[UI_C_STATUS] = UI_COLOR_STATUS, [UI_C_NEW] = UI_COLOR_INDEX_NEW,
		[UI_C_FLAGGED] = UI_COLOR_INDEX_FLAGGED, [UI_C_DELETED] = UI_COLOR_INDEX_DELETED,
		[UI_C_QUOTED1] = UI_COLOR_QUOTED, [UI_C_QUOTED2] = UI_COLOR_QUOTED2,
		[UI_C_QUOTED3] = UI_COLOR_QUOTED3, [UI_C_URL] = UI_COLOR_URL,
		[UI_C_HEADER] = UI_COLOR_HEADER, [UI_C_SIGNATURE] = UI_COLOR_SIGNATURE,
		[UI_C_ATTACHMENT] = UI_COLOR_ATTACHMENT, [UI_C_SEARCH] = UI_COLOR_SEARCH,
		[UI_C_ERROR] = UI_COLOR_ERROR, [UI_C_MESSAGE] = UI_COLOR_MESSAGE,
		[UI_C_TREE] = UI_COLOR_TREE, [UI_C_HELP] = UI_COLOR_HELP,
	};
	return (int)u->colors.attr[objects[c]];
}

/* ------------------------------------------------------------ hooks */

/* The progress bar and notices of backend work, drawn on the status and
 * message lines (the hooks have no struct ui: this is the terminal's). */
static struct {
	struct progress_clock clock;
	char notice[UI_MESSAGE_MAX];
} hook_state;

static bool hook_progress(void *ctx, const char *what, uint64_t done, uint64_t total,
			  const char *unit)
{
	(void)ctx;
	if (!term_started())
		return !term_interrupted();
	struct buf b;
	buf_init(&b, 1024);
	progress_text_format(&b, what, done, total, strcmp(unit, "bytes") == 0,
			     progress_clock_seconds(&hook_state.clock, done, total), 20);
	buf_cut_ok(buf_printf(&b, "  %s", _("(Ctrl-C stops)")));
	move(LINES - 2, 0);
	clrtoeol();
	put_safe(LINES - 2, 0, b.data, COLS, A_REVERSE, true);
	refresh();
	buf_release(&b);
	return !term_interrupted();
}

static void hook_notice(void *ctx, const char *text)
{
	(void)ctx;
	snprintf(hook_state.notice, sizeof(hook_state.notice), "%s", text);
}

static int hook_password(void *ctx, const char *account, const char *prompt,
			 struct buf *out)
{
	(void)ctx;
	(void)account;
	if (!term_started())
		return -1;
	/* A password is typed blind: its characters are never drawn. */
	move(LINES - 1, 0);
	clrtoeol();
	put_safe(LINES - 1, 0, prompt, COLS, A_NORMAL, false);
	refresh();
	buf_reset(out);
	for (;;) {
		int k = term_key(-1, -1);
		if (k == '\r' || k == '\n' || k == TERM_FKEY(KEY_ENTER))
			break;
		if (k == 27 || k == 7)
			return -1;
		if ((k == 127 || k == 8 || k == TERM_FKEY(KEY_BACKSPACE)) && out->len > 0) {
			buf_truncate(out, out->len - 1);
		} else if (!TERM_IS_FKEY(k) && k >= 32) {
			if (utf8_append(out, (unsigned)k) < 0)
				return -1;
		}
	}
	move(LINES - 1, 0);
	clrtoeol();
	return 0;
}

static const struct ui_hooks terminal_hooks = {
	.password = hook_password,
	.progress = hook_progress,
	.notice = hook_notice,
};

const struct ui_hooks *ui_hooks_terminal(void)
{
	return &terminal_hooks;
}

/* A notice a backend left: shown on the message line. */
static void take_notice(struct ui *u)
{
	if (hook_state.notice[0] != '\0') {
		ui_say(u, "%s", hook_state.notice);
		hook_state.notice[0] = '\0';
	}
}

/* ------------------------------------------------------------ actions */

static void set_flags(struct ui *u, size_t msg, unsigned set, unsigned clear)
{
	struct err e;
	err_init(&e);
	if (u->folder->readonly) {
		ui_error(u, _("This folder is read-only."));
		return;
	}
	uint64_t uid = u->folder->msgs[msg].uid;
	unsigned generation = u->folder->generation;
	if (u->acct->ops->set_flags(u->folder, &msg, 1, set, clear, &e) < 0)
		ui_error(u, "%s", e.msg);
	take_notice(u);
	ui_view_follow(u, generation, uid);
}

static void save_message(struct ui *u, size_t msg)
{
	if (!(u->acct->caps & BE_CAP_COPY)) {
		ui_error(u, _("This account cannot save messages elsewhere."));
		return;
	}
	struct buf dest;
	buf_init(&dest, PROMPT_MAX);
	if (prompt_line(_("Save to mailbox: "), NULL, &dest) < 0 || dest.len == 0) {
		buf_release(&dest);
		return;
	}
	struct err e;
	err_init(&e);
	bool gone = false;
	if (u->acct->ops->copy(u->folder, &msg, 1, dest.data, true, &e) < 0)
		ui_error(u, "%s", e.msg);
	else
		gone = u->view_generation != u->folder->generation;
	/* A server that moves rebuilds the folder's list: so does the view. */
	if (u->view_generation != u->folder->generation)
		ui_view_rebuild(u);
	if (gone)
		ui_say(u, _("Moved to %s."), dest.data);
	else if (e.code == ERR_OK)
		ui_say(u, _("Saved to %s (marked deleted here)."), dest.data);
	buf_release(&dest);
}

static void sync_folder(struct ui *u, bool ask_expunge)
{
	size_t deleted = 0;
	for (size_t i = 0; i < u->folder->n; i++)
		deleted += (u->folder->msgs[i].flags & SUMMARY_DELETED) != 0;
	bool expunge = false;
	if (deleted > 0 && ask_expunge) {
		char q[256];
		snprintf(q, sizeof(q), ngettext("Purge %zu deleted message?",
						"Purge %zu deleted messages?", deleted), deleted);
		expunge = prompt_yes_no(q, true);
	}
	if (!u->folder->dirty && !expunge) {
		ui_say(u, _("Mailbox is unchanged."));
		return;
	}
	struct err e;
	err_init(&e);
	if (u->acct->ops->sync(u->folder, expunge, &e) < 0)
		ui_error(u, "%s", e.msg);
	else
		ui_say(u, expunge ? _("Mailbox written; deleted messages purged.")
				  : _("Mailbox written."));
	take_notice(u);
	ui_view_rebuild(u);
}

static void fetch_mail(struct ui *u)
{
	if (!(u->acct->caps & BE_CAP_GET_MAIL)) {
		ui_check(u, false);
		return;
	}
	size_t got = 0;
	struct err e;
	err_init(&e);
	if (u->acct->ops->get_mail(u->acct, &got, &e) < 0) {
		ui_error(u, "%s", e.msg);
		ui_check(u, true); /* what arrived before the error is stored */
		return;
	}
	ui_check(u, true);
	ui_say(u, ngettext("%zu new message.", "%zu new messages.", got), got);
}

bool ui_message_action(struct ui *u, enum ui_action a, size_t msg)
{
	bool has = u->folder && msg < u->folder->n;
	unsigned f = has ? u->folder->msgs[msg].flags : 0;
	switch (a) {
	case UI_ACTION_DELETE_MESSAGE:
		if (has)
			set_flags(u, msg, SUMMARY_DELETED, 0);
		return true;
	case UI_ACTION_UNDELETE_MESSAGE:
		if (has)
			set_flags(u, msg, 0, SUMMARY_DELETED);
		return true;
	case UI_ACTION_TOGGLE_NEW:
		if (has && (f & SUMMARY_READ))
			set_flags(u, msg, 0, SUMMARY_READ | SUMMARY_OLD);
		else if (has)
			set_flags(u, msg, SUMMARY_READ, 0);
		return true;
	case UI_ACTION_FLAG_MESSAGE:
		if (has)
			set_flags(u, msg, (f & SUMMARY_FLAGGED) ? 0 : SUMMARY_FLAGGED,
				  (f & SUMMARY_FLAGGED) ? SUMMARY_FLAGGED : 0);
		return true;
	case UI_ACTION_EDIT_LABEL:
		if (has)
			ui_edit_keywords(u, msg);
		return true;
	case UI_ACTION_SAVE_MESSAGE:
		if (has)
			save_message(u, msg);
		return true;
	case UI_ACTION_SYNC_MAILBOX:
		sync_folder(u, true);
		return true;
	case UI_ACTION_FETCH_MAIL:
		fetch_mail(u);
		return true;
	case UI_ACTION_REDRAW_SCREEN:
		clearok(curscr, TRUE);
		return true;
	default:
		return false;
	}
}

void ui_check(struct ui *u, bool quiet)
{
	if (u->folder == NULL)
		return;
	unsigned changes = 0;
	struct err e;
	err_init(&e);
	if (u->acct->ops->check(u->folder, &changes, &e) < 0) {
		if (!quiet)
			ui_error(u, "%s", e.msg);
		/* A check cut short may have rebuilt the list all the same. */
		if (u->view_generation != u->folder->generation)
			ui_view_rebuild(u);
		return;
	}
	take_notice(u);
	if (changes & BE_CHANGE_NEW)
		ui_say(u, _("New mail."));
	else if (!quiet && changes == 0)
		ui_say(u, _("No new mail."));
	if (changes)
		ui_view_rebuild(u);
}

/* ------------------------------------------------------------ run */

/* A folder of sent mail shows recipients instead of senders: one whose
 * name (the file's name, for an mbox) starts with "sent". */
static bool is_sent_folder(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	return str_eqn_ci(base, "sent", 4);
}

void ui_choose_format(struct ui *u)
{
	const struct cfg *cfg = u->opt->cfg;
	if (cfg != NULL && cfg->index_format != NULL)
		return;
	struct index_format *f = NULL;
	struct err e;
	err_init(&e);
	if (index_format_compile(u->folder && is_sent_folder(u->folder->name)
				 ? INDEX_FORMAT_SENT : INDEX_FORMAT_DEFAULT, &f, &e) == 0) {
		index_format_free(&u->fmt);
		u->fmt = f;
	}
}

static int open_folder(struct ui *u, struct err *e)
{
	if (u->acct->ops->open_folder(u->acct, u->opt->first_folder, false, &u->folder, e) < 0)
		return -1;
	ui_choose_format(u);
	take_notice(u);
	u->view_generation = u->folder->generation - 1;
	ui_view_rebuild(u);
	u->cursor = u->view.n ? u->view.n - 1 : 0; /* newest at the bottom, as mutt */
	return 0;
}

/* "date", "reverse-subject", ... as [ui] sort takes them. */
static int sort_from_name(const char *name, struct view_options *o)
{
	static const struct { const char *name; enum view_sort sort; } names[] = {
		{ "date", VIEW_SORT_DATE }, { "arrival", VIEW_SORT_ARRIVAL },
		{ "from", VIEW_SORT_FROM }, { "subject", VIEW_SORT_SUBJECT },
		{ "size", VIEW_SORT_SIZE }, { "thread", VIEW_SORT_THREAD },
	};
	o->reverse = strncmp(name, "reverse-", 8) == 0;
	if (o->reverse)
		name += 8;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			o->sort = names[i].sort;
			return 0;
		}
	}
	return -1;
}

static int load_settings(struct ui *u, struct err *e)
{
	const struct cfg *cfg = u->opt->cfg;
	u->km = keymap_new_default();
	colors_scheme_init(&u->scheme);
	u->weed = true;
	u->vopt.sort = VIEW_SORT_DATE;
	if (cfg == NULL)
		return index_format_compile(INDEX_FORMAT_DEFAULT, &u->fmt, e);
	for (size_t i = 0; i < cfg->n_binds; i++) {
		if (keymap_apply_directive(u->km, cfg->binds[i].text, e) < 0) {
			err_prefix(e, "%s", cfg->binds[i].source);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->n_colors; i++) {
		if (colors_apply_directive(&u->scheme, cfg->colors[i].text, e) < 0) {
			err_prefix(e, "%s", cfg->colors[i].source);
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->n_monos; i++) {
		if (colors_apply_mono(&u->scheme, cfg->monos[i].text, e) < 0) {
			err_prefix(e, "%s", cfg->monos[i].source);
			return -1;
		}
	}
	if (cfg->sort != NULL && sort_from_name(cfg->sort, &u->vopt) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG, _("sort: unknown order '%s'"),
			       cfg->sort);
	u->vopt.threaded = u->vopt.sort == VIEW_SORT_THREAD;
	return index_format_compile(cfg->index_format ? cfg->index_format
				    : INDEX_FORMAT_DEFAULT, &u->fmt, e);
}

static void release(struct ui *u)
{
	if (u->folder != NULL)
		u->acct->ops->close_folder(&u->folder);
	view_release(&u->view);
	free(u->limit);
	free(u->limit_query);
	free(u->search_last);
	keymap_free(&u->km);
	index_format_free(&u->fmt);
}

int ui_run(struct be_account **a, const struct ui_options *opt, struct err *e)
{
	struct ui u;
	memset(&u, 0, sizeof(u));
	u.acct = *a;
	u.opt = opt;
	u.acct->background_load = true; /* ui_index_loop checks at once while loading */
	int rc = load_settings(&u, e);
	if (rc == 0)
		rc = term_start(e);
	if (rc == 0) {
		colors_setup(&u.scheme, colors_env_no_color(getenv("NO_COLOR")), &u.colors);
		rc = open_folder(&u, e);
	}
	if (rc == 0)
		rc = ui_index_loop(&u);
	term_stop();
	*a = u.acct;
	release(&u);
	return rc;
}

/* ------------------------------------------------------------ folders */

/* create, rename, delete, subscribe, unsubscribe on the folder list.
 * Returns true when the list must be read again. */
static bool folder_admin(struct ui *u, enum ui_action a, const struct be_folder_info *fi)
{
	const struct backend_ops *ops = u->acct->ops;
	if (!(u->acct->caps & BE_CAP_FOLDER_ADMIN)) {
		ui_error(u, _("This account's folders cannot be changed."));
		return false;
	}
	if (a != UI_ACTION_CREATE_MAILBOX && fi == NULL)
		return false;
	struct err e;
	err_init(&e);
	struct buf name;
	buf_init(&name, PROMPT_MAX);
	int rc = 0;
	bool done = false;
	char q[PROMPT_MAX + 64];
	switch (a) {
	case UI_ACTION_CREATE_MAILBOX:
		if (prompt_line(_("Create folder: "), NULL, &name) == 0 && name.len > 0) {
			rc = ops->create_folder(u->acct, name.data, &e);
			done = true;
		}
		break;
	case UI_ACTION_RENAME_MAILBOX:
		snprintf(q, sizeof(q), _("Rename %s to: "), fi->display);
		if (prompt_line(q, fi->name, &name) == 0 && name.len > 0) {
			rc = ops->rename_folder(u->acct, fi->name, name.data, &e);
			done = true;
		}
		break;
	case UI_ACTION_DELETE_MAILBOX:
		snprintf(q, sizeof(q), _("Delete folder %s and its messages?"), fi->display);
		if (prompt_yes_no(q, false)) {
			rc = ops->delete_folder(u->acct, fi->name, &e);
			done = true;
		}
		break;
	default:
		rc = ops->subscribe(u->acct, fi->name, a == UI_ACTION_SUBSCRIBE, &e);
		done = true;
		break;
	}
	if (rc < 0)
		ui_error(u, "%s", e.msg);
	else if (done)
		ui_say(u, _("Done."));
	buf_release(&name);
	return done && rc == 0;
}

static bool is_admin(enum ui_action a)
{
	return a == UI_ACTION_CREATE_MAILBOX || a == UI_ACTION_RENAME_MAILBOX ||
	       a == UI_ACTION_DELETE_MAILBOX || a == UI_ACTION_SUBSCRIBE ||
	       a == UI_ACTION_UNSUBSCRIBE;
}

static void folder_list(struct ui *u)
{
	struct be_folder_info *list = NULL;
	size_t n = 0;
	struct err e;
	err_init(&e);
	if (u->acct->ops->list_folders(u->acct, &list, &n, &e) < 0) {
		ui_error(u, "%s", e.msg);
		return;
	}
	size_t cur = 0, top = 0;
	for (;;) {
		int rows = ui_body_rows();
		ui_list_scroll(&top, cur, rows);
		erase();
		ui_draw_help_line(u, UI_SCREEN_FOLDERS);
		for (int r = 0; r < rows && top + (size_t)r < n; r++) {
			const struct be_folder_info *fi = &list[top + (size_t)r];
			struct buf line;
			buf_init(&line, 4096);
			buf_cut_ok(buf_printf(&line, "%*s", fi->depth * 2, ""));
			buf_cut_ok(sanitize_text(fi->display, strlen(fi->display), SANITIZE_LINE,
						 &line));
			if (!fi->subscribed && (u->acct->caps & BE_CAP_FOLDER_ADMIN))
				buf_cut_ok(buf_append_str(&line, _(" (not subscribed)")));
			if (fi->total >= 0)
				buf_cut_ok(buf_printf(&line, "  (%ld/%ld)", fi->unread, fi->total));
			term_put(1 + r, 0, line.data, line.len, COLS,
				 ui_attr(u, top + (size_t)r == cur ? UI_C_INDICATOR : UI_C_NORMAL), true);
			buf_release(&line);
		}
		ui_draw_status(u, _("Folders"));
		ui_draw_message_line(u);
		refresh();
		int key = term_key(-1, -1);
		enum ui_action a = keymap_lookup(u->km, UI_SCREEN_FOLDERS, ui_keymap_code(key));
		if (a == UI_ACTION_EXIT || a == UI_ACTION_QUIT)
			break;
		if (ui_list_move(a, &cur, n, rows))
			continue;
		if (is_admin(a)) {
			if (folder_admin(u, a, n > 0 ? &list[cur] : NULL)) {
				be_folder_list_free(&list, n);
				n = 0;
				if (u->acct->ops->list_folders(u->acct, &list, &n, &e) < 0) {
					ui_error(u, "%s", e.msg);
					return;
				}
				if (cur >= n)
					cur = n ? n - 1 : 0;
			}
			continue;
		}
		if (a == UI_ACTION_SELECT_ENTRY && n > 0 && list[cur].selectable) {
			struct be_folder *f = NULL;
			if (u->acct->ops->open_folder(u->acct, list[cur].name, false, &f, &e) < 0) {
				ui_error(u, "%s", e.msg);
				continue;
			}
			u->acct->ops->close_folder(&u->folder);
			u->folder = f;
			ui_choose_format(u);
			ui_apply_limit(u, NULL);
			u->view_generation = f->generation - 1;
			ui_view_rebuild(u);
			break;
		}
	}
	be_folder_list_free(&list, n);
}

void ui_change_folder(struct ui *u)
{
	if (u->acct->caps & BE_CAP_FOLDERS) {
		folder_list(u);
		return;
	}
	if (u->opt->open_path == NULL) {
		ui_error(u, _("This account has no other folders."));
		return;
	}
	struct buf path;
	buf_init(&path, PROMPT_MAX);
	if (prompt_line(_("Open mailbox: "), NULL, &path) < 0 || path.len == 0) {
		buf_release(&path);
		return;
	}
	if (u->folder->dirty)
		sync_folder(u, true);
	struct be_account *na = NULL;
	struct be_folder *nf = NULL;
	struct err e;
	err_init(&e);
	if (u->opt->open_path(u->opt->open_ctx, path.data, ui_hooks_terminal(), &na, &e) < 0 ||
	    na->ops->open_folder(na, NULL, false, &nf, &e) < 0) {
		ui_error(u, "%s", e.msg);
		if (na != NULL)
			na->ops->close_account(&na);
		buf_release(&path);
		return;
	}
	u->acct->ops->close_folder(&u->folder);
	u->acct->ops->close_account(&u->acct);
	u->acct = na;
	u->folder = nf;
	ui_choose_format(u);
	ui_apply_limit(u, NULL);
	u->view_generation = nf->generation - 1;
	u->cursor = 0;
	ui_view_rebuild(u);
	u->cursor = u->view.n ? u->view.n - 1 : 0;
	buf_release(&path);
}
