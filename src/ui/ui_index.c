#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "mem.h"
#include "prompt.h"
#include "query.h"
#include "ui_private.h"

#define LINE_MAX_BYTES 8192

/* The message under the cursor, or (size_t)-1. */
static size_t current(const struct ui *u)
{
	return u->cursor < u->view.n ? u->view.rows[u->cursor].msg : (size_t)-1;
}

void ui_view_rebuild(struct ui *u)
{
	if (u->folder == NULL)
		return;
	/* Keep the cursor on the same message (by uid) when it can. */
	uint64_t uid = 0;
	bool had = false;
	if (u->cursor < u->view.n && u->view.rows[u->cursor].msg < u->view.n_msgs &&
	    u->view_generation == u->folder->generation) {
		uid = u->folder->msgs[u->view.rows[u->cursor].msg].uid;
		had = true;
	} else if (u->cursor < u->view.n && u->cursor_uid_valid) {
		uid = u->cursor_uid;
		had = true;
	}
	if (u->view_generation != u->folder->generation && u->limit != NULL) {
		/* The limit named messages of the old list: run it again. */
		free(u->limit);
		u->limit = NULL;
		u->n_limit = 0;
		if (u->limit_query != NULL) {
			char *q = u->limit_query;
			u->limit_query = NULL;
			ui_apply_limit(u, q);
			free(q);
		}
	}
	u->vopt.limit = u->limit;
	u->vopt.n_limit = u->n_limit;
	struct err e;
	err_init(&e);
	if (view_build(&u->view, u->folder->msgs, u->folder->n, &u->vopt, &e) < 0) {
		ui_error(u, "%s", e.msg);
		free(u->limit);
		u->limit = NULL;
		u->vopt.limit = NULL;
		u->vopt.n_limit = 0;
		err_init(&e);
		(void)view_build(&u->view, u->folder->msgs, u->folder->n, &u->vopt, &e);
	}
	u->view_generation = u->folder->generation;
	if (had) {
		for (size_t i = 0; i < u->folder->n; i++) {
			if (u->folder->msgs[i].uid == uid) {
				size_t row = view_find(&u->view, i);
				if (row != VIEW_NONE)
					u->cursor = row;
				break;
			}
		}
	}
	if (u->cursor >= u->view.n)
		u->cursor = u->view.n ? u->view.n - 1 : 0;
	u->cursor_uid_valid = false;
}

size_t ui_find_uid(const struct ui *u, uint64_t uid)
{
	for (size_t i = 0; u->folder != NULL && i < u->folder->n; i++)
		if (u->folder->msgs[i].uid == uid)
			return i;
	return (size_t)-1;
}

void ui_view_follow(struct ui *u, unsigned generation, uint64_t uid)
{
	if (u->folder == NULL || u->folder->generation == generation)
		return;
	u->cursor_uid = uid;
	u->cursor_uid_valid = true;
	ui_view_rebuild(u);
}

/* Remembers the message under the cursor across a folder rebuild. */
static void remember_cursor(struct ui *u)
{
	size_t m = current(u);
	if (m != (size_t)-1 && m < u->folder->n) {
		u->cursor_uid = u->folder->msgs[m].uid;
		u->cursor_uid_valid = true;
	}
}

/* ------------------------------------------------------------ drawing */

static enum ui_color row_color(const struct be_msg *m)
{
	if (m->flags & SUMMARY_DELETED)
		return UI_C_DELETED;
	if (m->flags & SUMMARY_FLAGGED)
		return UI_C_FLAGGED;
	if (!(m->flags & (SUMMARY_READ | SUMMARY_OLD)))
		return UI_C_NEW;
	return UI_C_NORMAL;
}

static void draw_row(struct ui *u, size_t row, int y, time_t now)
{
	const struct view_row *r = &u->view.rows[row];
	const struct be_msg *m = &u->folder->msgs[r->msg];
	char tree[VIEW_TREE_MAX];
	view_tree(&u->view, row, VIEW_TREE_ASCII, tree);
	struct buf line;
	buf_init(&line, LINE_MAX_BYTES);
	buf_cut_ok(index_format_line(u->fmt, m, r->msg + 1, tree, now, &line));
	int attr = row == u->cursor ? ui_attr(u, UI_C_INDICATOR) : ui_attr(u, row_color(m));
	term_put(y, 0, line.data, line.len, COLS, attr, true);
	buf_release(&line);
}

static void draw_index(struct ui *u)
{
	int rows = ui_body_rows();
	if (u->cursor < u->top)
		u->top = u->cursor;
	if (u->cursor >= u->top + (size_t)rows)
		u->top = u->cursor - (size_t)rows + 1;
	if (u->top + (size_t)rows > u->view.n)
		u->top = u->view.n > (size_t)rows ? u->view.n - (size_t)rows : 0;
	erase();
	ui_draw_help_line(u, UI_SCREEN_INDEX);
	time_t now = time(NULL);
	/* Only the rows on screen are formatted: scrolling costs the same
	 * in a mailbox of ten messages or of a million. */
	for (int i = 0; i < rows && u->top + (size_t)i < u->view.n; i++)
		draw_row(u, u->top + (size_t)i, 1 + i, now);
	if (u->view.n == 0)
		term_put(1, 0, _("(no messages)"), strlen(_("(no messages)")), COLS,
			 ui_attr(u, UI_C_NORMAL), false);
	char pos[64];
	if (u->view.n == 0)
		snprintf(pos, sizeof(pos), "---");
	else
		snprintf(pos, sizeof(pos), "%zu/%zu", u->cursor + 1, u->view.n);
	ui_draw_status(u, pos);
	ui_draw_message_line(u);
	refresh();
}

/* ------------------------------------------------------------ search */

/* Runs query on the folder; *idx_r gets the matches.  -1 on an error
 * (shown). */
static int run_query(struct ui *u, const char *text, size_t **idx_r, size_t *n_r)
{
	struct query_node *q = NULL;
	struct err e;
	err_init(&e);
	if (query_parse(text, strlen(text), &q, &e) < 0) {
		ui_error(u, "%s", e.msg);
		return -1;
	}
	int rc = u->acct->ops->search(u->folder, q, idx_r, n_r, &e);
	query_free(&q);
	if (rc < 0)
		ui_error(u, "%s", e.msg);
	return rc;
}

void ui_apply_limit(struct ui *u, const char *query)
{
	free(u->limit);
	u->limit = NULL;
	u->n_limit = 0;
	free(u->limit_query);
	u->limit_query = NULL;
	if (query == NULL || *query == '\0')
		return;
	size_t *idx = NULL, n = 0;
	if (run_query(u, query, &idx, &n) < 0)
		return;
	u->limit = idx ? idx : xcalloc(1, sizeof(size_t));
	u->n_limit = n;
	u->limit_query = xstrdup(query);
}

static void limit(struct ui *u)
{
	struct buf q;
	buf_init(&q, PROMPT_MAX);
	if (prompt_line(_("Limit to messages matching: "), u->limit_query, &q) == 0) {
		remember_cursor(u);
		ui_apply_limit(u, q.data);
		ui_view_rebuild(u);
		if (u->limit != NULL)
			ui_say(u, ngettext("%zu message matches.", "%zu messages match.",
					   u->n_limit), u->n_limit);
		else
			ui_say(u, _("Showing all messages."));
	}
	buf_release(&q);
}

/* The next row after (or before) the cursor whose message matches the
 * last search. */
static void search(struct ui *u, bool ask)
{
	if (ask || u->search_last == NULL) {
		struct buf q;
		buf_init(&q, PROMPT_MAX);
		if (prompt_line(_("Search for: "), u->search_last, &q) < 0 || q.len == 0) {
			buf_release(&q);
			return;
		}
		free(u->search_last);
		u->search_last = buf_detach(&q, NULL);
	}
	size_t *idx = NULL, n = 0;
	if (run_query(u, u->search_last, &idx, &n) < 0)
		return;
	/* Rows of the matches; the first one after the cursor (wrapping). */
	size_t best = VIEW_NONE, first = VIEW_NONE;
	for (size_t k = 0; k < n; k++) {
		size_t row = view_find(&u->view, idx[k]);
		if (row == VIEW_NONE)
			continue;
		if (row > u->cursor && (best == VIEW_NONE || row < best))
			best = row;
		if (first == VIEW_NONE || row < first)
			first = row;
	}
	free(idx);
	if (best == VIEW_NONE && first != VIEW_NONE) {
		best = first;
		ui_say(u, _("Search wrapped to top."));
	}
	if (best == VIEW_NONE)
		ui_error(u, _("Not found."));
	else
		u->cursor = best;
}

/* ------------------------------------------------------------ sorting */

static void sort(struct ui *u, bool reverse)
{
	/* TRANSLATORS: the keys are the letters in parentheses; keep them. */
	ui_say(u, reverse ? _("Reverse sort by (d)ate, (a)rrival, (f)rom, (s)ubject, si(z)e, (t)hread?")
			  : _("Sort by (d)ate, (a)rrival, (f)rom, (s)ubject, si(z)e, (t)hread?"));
	ui_draw_message_line(u);
	refresh();
	int k = term_key(-1, -1);
	static const struct { int key; enum view_sort sort; } keys[] = {
		{ 'd', VIEW_SORT_DATE }, { 'a', VIEW_SORT_ARRIVAL }, { 'f', VIEW_SORT_FROM },
		{ 's', VIEW_SORT_SUBJECT }, { 'z', VIEW_SORT_SIZE }, { 't', VIEW_SORT_THREAD },
	};
	u->message[0] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (k == keys[i].key) {
			remember_cursor(u);
			u->vopt.sort = keys[i].sort;
			u->vopt.reverse = reverse;
			u->vopt.threaded = keys[i].sort == VIEW_SORT_THREAD ||
					   (u->vopt.threaded && keys[i].sort != VIEW_SORT_ARRIVAL);
			ui_view_rebuild(u);
			return;
		}
	}
}

static void toggle_threads(struct ui *u)
{
	remember_cursor(u);
	u->vopt.threaded = !u->vopt.threaded;
	if (!u->vopt.threaded && u->vopt.sort == VIEW_SORT_THREAD)
		u->vopt.sort = VIEW_SORT_DATE;
	ui_view_rebuild(u);
	ui_say(u, u->vopt.threaded ? _("Threads on.") : _("Threads off."));
}

/* ------------------------------------------------------------ moving */

static bool is_deleted_row(const struct ui *u, size_t row)
{
	return u->folder->msgs[u->view.rows[row].msg].flags & SUMMARY_DELETED;
}

/* The next row in direction dir (+1/-1) from the cursor, skipping
 * deleted messages if undeleted; the cursor stays when there is none. */
static void step(struct ui *u, int dir, bool undeleted)
{
	size_t r = u->cursor;
	while (dir > 0 ? r + 1 < u->view.n : r > 0) {
		r = dir > 0 ? r + 1 : r - 1;
		if (!undeleted || !is_deleted_row(u, r)) {
			u->cursor = r;
			return;
		}
	}
	ui_error(u, dir > 0 ? _("You are on the last message.")
			    : _("You are on the first message."));
}

static bool move_action(struct ui *u, enum ui_action a)
{
	size_t page = (size_t)ui_body_rows();
	switch (a) {
	case UI_ACTION_NEXT_ENTRY: step(u, 1, false); return true;
	case UI_ACTION_PREVIOUS_ENTRY: step(u, -1, false); return true;
	case UI_ACTION_NEXT_UNDELETED: step(u, 1, true); return true;
	case UI_ACTION_PREVIOUS_UNDELETED: step(u, -1, true); return true;
	case UI_ACTION_NEXT_PAGE:
		u->cursor = u->cursor + page < u->view.n ? u->cursor + page
			    : (u->view.n ? u->view.n - 1 : 0);
		u->top += page;
		return true;
	case UI_ACTION_PREVIOUS_PAGE:
		u->cursor = u->cursor > page ? u->cursor - page : 0;
		u->top = u->top > page ? u->top - page : 0;
		return true;
	case UI_ACTION_FIRST_ENTRY: u->cursor = 0; return true;
	case UI_ACTION_LAST_ENTRY: u->cursor = u->view.n ? u->view.n - 1 : 0; return true;
	default: return false;
	}
}

/* After d/u/F/N on the cursor's message, mutt moves on ("resolve"). */
static bool resolves(enum ui_action a)
{
	return a == UI_ACTION_DELETE_MESSAGE || a == UI_ACTION_UNDELETE_MESSAGE ||
	       a == UI_ACTION_FLAG_MESSAGE || a == UI_ACTION_TOGGLE_NEW;
}

static void open_message(struct ui *u)
{
	size_t msg = current(u);
	while (msg != (size_t)-1) {
		size_t next = ui_pager(u, msg);
		if (next == (size_t)-1)
			break;
		size_t row = view_find(&u->view, next);
		if (row == VIEW_NONE)
			break;
		u->cursor = row;
		msg = next;
	}
}

/* q: write the changes (asking about deleted messages) and quit. */
static void quit(struct ui *u)
{
	bool deleted = false;
	for (size_t i = 0; i < u->folder->n && !deleted; i++)
		deleted = u->folder->msgs[i].flags & SUMMARY_DELETED;
	if (u->folder->dirty || deleted) {
		ui_message_action(u, UI_ACTION_SYNC_MAILBOX, 0);
		if (u->message_is_error) {
			/* Not written: stay, so nothing is lost unseen. */
			return;
		}
	}
	u->quit = true;
}

int ui_index_loop(struct ui *u)
{
	while (!u->quit) {
		/* A call that rebuilt the folder's list (news a server sent
		 * with an answer) moved its generation: the view follows. */
		if (u->folder != NULL && u->view_generation != u->folder->generation)
			ui_view_rebuild(u);
		draw_index(u);
		/* A folder still loading loads on at once, between keys. */
		bool loading = u->folder != NULL && u->folder->loading_total > 0;
		int key = term_key(loading ? 0 : UI_CHECK_MS,
				   !loading && (u->acct->caps & BE_CAP_WAIT_FD)
				   ? u->acct->ops->wait_fd(u->folder) : -1);
		if (key == TERM_KEY_NONE || key == TERM_KEY_FD) {
			remember_cursor(u);
			ui_check(u, true);
			continue;
		}
		u->message[0] = '\0';
		if (key == TERM_FKEY(KEY_RESIZE))
			continue;
		enum ui_action a = keymap_lookup(u->km, UI_SCREEN_INDEX, ui_keymap_code(key));
		if (move_action(u, a))
			continue;
		size_t msg = current(u);
		if (ui_message_action(u, a, msg)) {
			if (resolves(a) && msg != (size_t)-1 && u->cursor + 1 < u->view.n)
				u->cursor++;
			continue;
		}
		switch (a) {
		case UI_ACTION_DISPLAY_MESSAGE:
		case UI_ACTION_SELECT_ENTRY:
			open_message(u);
			break;
		case UI_ACTION_VIEW_ATTACHMENTS:
			if (msg != (size_t)-1)
				ui_attachments(u, msg);
			break;
		case UI_ACTION_SEARCH: search(u, true); break;
		case UI_ACTION_SEARCH_NEXT: search(u, false); break;
		case UI_ACTION_LIMIT: limit(u); break;
		case UI_ACTION_SORT_MAILBOX: sort(u, false); break;
		case UI_ACTION_SORT_REVERSE: sort(u, true); break;
		case UI_ACTION_TOGGLE_THREADS: toggle_threads(u); break;
		case UI_ACTION_CHANGE_FOLDER: ui_change_folder(u); break;
		case UI_ACTION_HELP: ui_help(u, UI_SCREEN_INDEX); break;
		case UI_ACTION_QUIT: quit(u); break;
		case UI_ACTION_EXIT: u->quit = true; break;
		case UI_ACTION_NONE:
		case UI_ACTION_NOOP:
			break;
		default:
			ui_error(u, _("That key does nothing here (? lists the keys)."));
			break;
		}
	}
	return 0;
}
