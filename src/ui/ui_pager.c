#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"
#include "mem.h"
#include "mime.h"
#include "pager_text.h"
#include "proc.h"
#include "prompt.h"
#include "render.h"
#include "ui_private.h"
#include "width.h"

#define MESSAGE_MAX ((size_t)256 << 20)
#define HTML_COMMAND_TIMEOUT_MS 10000

struct pager {
	struct ui *u;
	size_t msg;
	uint64_t uid;     /* msg's, to find it again after a rebuild */
	struct pager_text pt;
	size_t top;
	char *needle;     /* the last search in this message */
	size_t hit_line;  /* line of the current match, or (size_t)-1 */
};

static int run_html_command(void *ctx, const char *html, size_t len, struct buf *out)
{
	const struct cfg *cfg = ctx;
	struct err e;
	err_init(&e);
	return proc_filter(cfg->html_command, "html_command", html, len, out,
			   HTML_COMMAND_TIMEOUT_MS, &e);
}

/* Renders the message for the current width into p->pt. */
static int build(struct pager *p)
{
	struct ui *u = p->u;
	struct buf raw;
	buf_init(&raw, MESSAGE_MAX);
	struct err e;
	err_init(&e);
	pager_text_release(&p->pt);
	if (u->acct->ops->fetch(u->folder, p->msg, BE_FETCH_DISPLAY, &raw, &e) < 0) {
		ui_error(u, "%s", e.msg);
		buf_release(&raw);
		return -1;
	}
	struct mime_message mm;
	struct mime_limits lim;
	mime_limits_default(&lim);
	mime_parse(&mm, raw.data, raw.len, &lim);
	struct render_options o;
	render_options_default(&o);
	o.width = COLS > 1 ? (size_t)COLS - 1 : 1;
	o.all_headers = !u->weed;
	/* Attachments left out of the display form keep their size. */
	o.omitted_sizes = (u->acct->caps & BE_CAP_PARTS) != 0;
	const struct cfg *cfg = u->opt->cfg;
	if (cfg != NULL && cfg->n_headers > 0) {
		o.headers = (const char *const *)cfg->headers;
		o.n_headers = cfg->n_headers;
	}
	if (cfg != NULL && cfg->html_command != NULL) {
		o.html_filter = run_html_command;
		o.html_ctx = (void *)cfg;
	}
	struct render_result r;
	render_message(&mm, &o, &r);
	int rc = pager_text_build(&p->pt, r.text.data, r.text.len, (size_t)COLS, &e);
	if (rc < 0)
		ui_error(u, "%s", e.msg);
	render_result_release(&r);
	mime_message_release(&mm);
	buf_release(&raw);
	return rc;
}

static int line_attr(const struct ui *u, const struct pager_line *l)
{
	switch (l->kind) {
	case PAGER_HEADER: return ui_attr(u, UI_C_HEADER);
	case PAGER_SIGNATURE: return ui_attr(u, UI_C_SIGNATURE);
	case PAGER_ATTACHMENT: return ui_attr(u, UI_C_ATTACHMENT);
	case PAGER_QUOTED:
		return ui_attr(u, l->quote_depth % 3 == 1 ? UI_C_QUOTED1
			       : l->quote_depth % 3 == 2 ? UI_C_QUOTED2 : UI_C_QUOTED3);
	default: return ui_attr(u, UI_C_NORMAL);
	}
}

/* Draws line i at row y: its colour, then URLs and search matches over
 * it. */
static void draw_line(struct pager *p, size_t i, int y)
{
	const struct pager_line *l = &p->pt.lines[i];
	const char *text = p->pt.text + l->off;
	term_put(y, 0, text, l->len, COLS, line_attr(p->u, l), true);
	for (size_t k = 0; k < p->pt.n_urls; k++) {
		const struct pager_url *url = &p->pt.urls[k];
		if (url->line != i)
			continue;
		int x = (int)width_of(text, url->start);
		term_put(y, x, text + url->start, url->len, COLS - x, ui_attr(p->u, UI_C_URL),
			 false);
	}
	if (p->needle != NULL && *p->needle != '\0') {
		size_t nl = strlen(p->needle), from = 0;
		while (from + nl <= l->len) {
			struct pager_text one = p->pt;
			struct pager_line only = *l;
			only.off += from;
			only.len -= from;
			one.lines = &only;
			one.n = 1;
			size_t col;
			if (pager_text_find(&one, p->needle, 0, false, &col) == (size_t)-1)
				break;
			size_t at = from + col;
			int x = (int)width_of(text, at);
			term_put(y, x, text + at, nl, COLS - x, ui_attr(p->u, UI_C_SEARCH), false);
			from = at + nl;
		}
	}
}

static void draw(struct pager *p)
{
	struct ui *u = p->u;
	int rows = ui_body_rows();
	erase();
	ui_draw_help_line(u, UI_SCREEN_PAGER);
	for (int i = 0; i < rows && p->top + (size_t)i < p->pt.n; i++)
		draw_line(p, p->top + (size_t)i, 1 + i);
	for (int i = (int)(p->pt.n > p->top ? p->pt.n - p->top : 0); i < rows; i++)
		term_put(1 + i, 0, "~", 1, COLS, ui_attr(u, UI_C_TREE), true);
	size_t shown = p->top + (size_t)rows;
	int pct = p->pt.n == 0 || shown >= p->pt.n ? 100 : (int)(shown * 100 / p->pt.n);
	char right[64];
	size_t row = view_find(&u->view, p->msg);
	snprintf(right, sizeof(right), "%zu/%zu  %s%d%%",
		 row == VIEW_NONE ? 0 : row + 1, u->view.n, pct == 100 ? _("end ") : "", pct);
	ui_draw_status(u, right);
	ui_draw_message_line(u);
	refresh();
}

/* The message of the row next to p->msg's in direction dir, skipping
 * deleted ones if undeleted; (size_t)-1 if none. */
static size_t neighbour(const struct pager *p, int dir, bool undeleted)
{
	const struct ui *u = p->u;
	size_t row = view_find(&u->view, p->msg);
	if (row == VIEW_NONE)
		return (size_t)-1;
	while (dir > 0 ? row + 1 < u->view.n : row > 0) {
		row = dir > 0 ? row + 1 : row - 1;
		size_t m = u->view.rows[row].msg;
		if (!undeleted || !(u->folder->msgs[m].flags & SUMMARY_DELETED))
			return m;
	}
	return (size_t)-1;
}

static void search(struct pager *p, bool ask)
{
	struct ui *u = p->u;
	if (ask || p->needle == NULL) {
		struct buf q;
		buf_init(&q, PROMPT_MAX);
		if (prompt_line(_("Search in message: "), p->needle, &q) < 0 || q.len == 0) {
			buf_release(&q);
			return;
		}
		free(p->needle);
		p->needle = buf_detach(&q, NULL);
	}
	size_t from = p->hit_line == (size_t)-1 ? p->top : p->hit_line + 1;
	size_t line = pager_text_find(&p->pt, p->needle, from, false, NULL);
	if (line == (size_t)-1 && from > 0) {
		line = pager_text_find(&p->pt, p->needle, 0, false, NULL);
		if (line != (size_t)-1)
			ui_say(u, _("Search wrapped to top."));
	}
	if (line == (size_t)-1) {
		ui_error(u, _("Not found."));
		return;
	}
	p->hit_line = line;
	p->top = line;
}

/* The URLs of the message, one per line; Enter opens one with the
 * configured opener (as one argument, never through a shell). */
static void list_urls(struct pager *p)
{
	struct ui *u = p->u;
	if (p->pt.n_urls == 0) {
		ui_say(u, _("No URLs in this message."));
		return;
	}
	size_t cur = 0, top = 0;
	for (;;) {
		int rows = ui_body_rows();
		ui_list_scroll(&top, cur, rows);
		erase();
		ui_draw_help_line(u, UI_SCREEN_GENERIC);
		for (int i = 0; i < rows && top + (size_t)i < p->pt.n_urls; i++) {
			size_t k = top + (size_t)i;
			struct buf line;
			buf_init(&line, PAGER_URL_MAX + 32);
			buf_cut_ok(buf_printf(&line, "%4zu  %s", k + 1, p->pt.urls[k].url));
			term_put(1 + i, 0, line.data, line.len, COLS,
				 k == cur ? ui_attr(u, UI_C_INDICATOR) : ui_attr(u, UI_C_URL), true);
			buf_release(&line);
		}
		ui_draw_status(u, _("URLs"));
		ui_draw_message_line(u);
		refresh();
		int key = term_key(-1, -1);
		enum ui_action a = keymap_lookup(u->km, UI_SCREEN_GENERIC, ui_keymap_code(key));
		u->message[0] = '\0';
		if (a == UI_ACTION_EXIT)
			return;
		if (!ui_list_move(a, &cur, p->pt.n_urls, ui_body_rows()) &&
		    a == UI_ACTION_SELECT_ENTRY)
			ui_open_with_opener(u, p->pt.urls[cur].url);
	}
}

/* The folder's list was rebuilt under the pager (news a server sent with
 * an answer: an EXPUNGE): the view follows, and the message is found
 * again by uid.  False when it is gone. */
static bool follow(struct pager *p)
{
	struct ui *u = p->u;
	if (u->view_generation == u->folder->generation)
		return true;
	ui_view_rebuild(u);
	for (size_t i = 0; i < u->folder->n; i++) {
		if (u->folder->msgs[i].uid == p->uid) {
			p->msg = i;
			return true;
		}
	}
	ui_error(u, _("The message is no longer there."));
	return false;
}

size_t ui_pager(struct ui *u, size_t msg)
{
	struct pager p = { .u = u, .msg = msg, .uid = u->folder->msgs[msg].uid,
			   .hit_line = (size_t)-1 };
	size_t next = (size_t)-1;
	/* (The fetch may bring another client's expunge: follow again.) */
	if (!follow(&p) || build(&p) < 0 || !follow(&p))
		return (size_t)-1; /* not shown (offline and not kept, say): not read */
	msg = p.msg;
	if (!(u->folder->msgs[msg].flags & SUMMARY_READ) && !u->folder->readonly) {
		struct err e;
		err_init(&e);
		uint64_t uid = u->folder->msgs[msg].uid;
		unsigned generation = u->folder->generation;
		(void)u->acct->ops->set_flags(u->folder, &msg, 1, SUMMARY_READ, 0, &e);
		ui_view_follow(u, generation, uid);
		p.msg = msg = ui_find_uid(u, uid); /* the list may have been rebuilt */
		if (msg == (size_t)-1)
			goto out;
	}
	int rows = ui_body_rows();
	for (;;) {
		if (!follow(&p))
			break;
		msg = p.msg;
		draw(&p);
		int key = term_key(-1, -1);
		if (key == TERM_KEY_NONE)
			continue;
		u->message[0] = '\0';
		if (key == TERM_FKEY(KEY_RESIZE)) {
			rows = ui_body_rows();
			build(&p);
			continue;
		}
		enum ui_action a = keymap_lookup(u->km, UI_SCREEN_PAGER, ui_keymap_code(key));
		size_t last_top = p.pt.n > (size_t)rows ? p.pt.n - (size_t)rows : 0;
		switch (a) {
		case UI_ACTION_NEXT_PAGE:
			if (p.top >= last_top) {
				next = neighbour(&p, 1, true);
				if (next == (size_t)-1)
					ui_error(u, _("You are on the last message."));
				else
					goto out;
			}
			p.top = p.top + (size_t)rows - 1 < last_top ? p.top + (size_t)rows - 1
				: last_top;
			break;
		case UI_ACTION_PREVIOUS_PAGE:
			p.top = p.top > (size_t)rows - 1 ? p.top - ((size_t)rows - 1) : 0;
			break;
		case UI_ACTION_NEXT_LINE:
			if (p.top < last_top)
				p.top++;
			break;
		case UI_ACTION_PREVIOUS_LINE:
			if (p.top > 0)
				p.top--;
			break;
		case UI_ACTION_TOP: case UI_ACTION_FIRST_ENTRY: p.top = 0; break;
		case UI_ACTION_BOTTOM: case UI_ACTION_LAST_ENTRY: p.top = last_top; break;
		case UI_ACTION_NEXT_ENTRY:
		case UI_ACTION_NEXT_UNDELETED:
		case UI_ACTION_PREVIOUS_ENTRY:
		case UI_ACTION_PREVIOUS_UNDELETED:
			next = neighbour(&p, a == UI_ACTION_NEXT_ENTRY ||
					 a == UI_ACTION_NEXT_UNDELETED ? 1 : -1,
					 a == UI_ACTION_NEXT_UNDELETED ||
					 a == UI_ACTION_PREVIOUS_UNDELETED);
			if (next != (size_t)-1)
				goto out;
			ui_error(u, _("No more messages that way."));
			break;
		case UI_ACTION_DISPLAY_TOGGLE_WEED:
			u->weed = !u->weed;
			build(&p);
			p.top = 0;
			break;
		case UI_ACTION_SEARCH: search(&p, true); break;
		case UI_ACTION_SEARCH_NEXT: search(&p, false); break;
		case UI_ACTION_LIST_URLS: list_urls(&p); break;
		case UI_ACTION_VIEW_ATTACHMENTS: ui_attachments(u, msg); break;
		case UI_ACTION_HELP: ui_help(u, UI_SCREEN_PAGER); break;
		case UI_ACTION_EXIT:
		case UI_ACTION_QUIT:
			goto out;
		case UI_ACTION_DELETE_MESSAGE:
			ui_message_action(u, a, msg);
			/* As mutt: a deleted message gives way to the next one. */
			next = neighbour(&p, 1, true);
			if (next != (size_t)-1)
				goto out;
			break;
		case UI_ACTION_NONE:
		case UI_ACTION_NOOP:
			break;
		default: {
			unsigned generation = u->folder->generation;
			if (!ui_message_action(u, a, msg))
				ui_error(u, _("That key does nothing here (? lists the keys)."));
			if (u->view_generation != u->folder->generation ||
			    generation != u->folder->generation || msg >= u->folder->n)
				goto out; /* the folder was rebuilt under us */
			break;
		}
		}
	}
out:
	free(p.needle);
	pager_text_release(&p.pt);
	return next;
}
