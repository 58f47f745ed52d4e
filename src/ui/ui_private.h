/* ui_private: what the reader's screens share (ui.h is the public face). */
#ifndef TERN_UI_PRIVATE_H
#define TERN_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "buf.h"
#include "colors.h"
#include "index_format.h"
#include "keymap.h"
#include "term.h"
#include "ui.h"
#include "view.h"

#define UI_MESSAGE_MAX 1024
#define UI_CHECK_MS 5000 /* how often an idle reader looks for new mail */

struct ui {
	struct be_account *acct;
	struct be_folder *folder;
	const struct ui_options *opt;
	struct keymap *km;
	struct colors_scheme scheme;
	struct colors_resolved colors;
	struct index_format *fmt;

	/* The index. */
	struct view view;
	struct view_options vopt;
	unsigned view_generation; /* folder generation the view was built for */
	size_t *limit;            /* sorted message numbers, or NULL */
	size_t n_limit;
	char *limit_query;
	size_t cursor, top;       /* rows of view */
	uint64_t cursor_uid;      /* the cursor's message across a rebuild */
	bool cursor_uid_valid;
	char *search_last;        /* the last / query */

	char message[UI_MESSAGE_MAX];
	bool message_is_error;
	bool quit;
	bool weed;                /* pager: weeded headers (else all) */
};

/* What the screens colour; ui.c maps these to the colour scheme. */
enum ui_color {
	UI_C_NORMAL, UI_C_INDICATOR, UI_C_STATUS, UI_C_NEW, UI_C_FLAGGED,
	UI_C_DELETED, UI_C_QUOTED1, UI_C_QUOTED2, UI_C_QUOTED3, UI_C_URL,
	UI_C_HEADER, UI_C_SIGNATURE, UI_C_ATTACHMENT, UI_C_SEARCH, UI_C_ERROR,
	UI_C_MESSAGE, UI_C_TREE, UI_C_HELP,
};
int ui_attr(const struct ui *u, enum ui_color c);

/* Screen rows: a help line on top, the status line and the message line
 * at the bottom. */
static inline int ui_body_rows(void)
{
	return LINES > 4 ? LINES - 3 : 1;
}

/* Messages on the last line (printf-style; tern's own text, arguments
 * from mail are sanitised when drawn). */
void ui_say(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_error(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_draw_message_line(struct ui *u);
void ui_draw_help_line(struct ui *u, enum ui_screen screen);
void ui_draw_status(struct ui *u, const char *right);

/* Lists with a cursor (attachments, URLs, folders): keeps the cursor's
 * row on screen; moves the cursor for a movement action (true if a was
 * one). */
void ui_list_scroll(size_t *top, size_t cur, int rows);
bool ui_list_move(enum ui_action a, size_t *cur, size_t n, int rows);

/* The key code a screen looks up for what term_key() returned. */
int ui_keymap_code(int key);

/* Index. */
void ui_view_rebuild(struct ui *u);
/* After a backend call that may have rebuilt the folder's list (the
 * folder's generation was generation before it): the view is rebuilt,
 * the cursor kept on message uid. */
void ui_view_follow(struct ui *u, unsigned generation, uint64_t uid);
/* The index in folder->msgs of message uid, or (size_t)-1. */
size_t ui_find_uid(const struct ui *u, uint64_t uid);
/* Limits the index to query (NULL or "": no limit). */
void ui_apply_limit(struct ui *u, const char *query);
/* The index line for the open folder: the configured one, else the
 * default, or the recipient-showing one in a folder of sent mail. */
void ui_choose_format(struct ui *u);
/* c: another folder (or, without folders, another mbox by path). */
void ui_change_folder(struct ui *u);
int ui_index_loop(struct ui *u);

/* Pager: shows message msg; returns the message to show next, or
 * (size_t)-1 to go back to the index. */
size_t ui_pager(struct ui *u, size_t msg);

/* Y: the keywords of message msg (ui_keywords.c). */
void ui_edit_keywords(struct ui *u, size_t msg);

/* Attachments of message msg. */
void ui_attachments(struct ui *u, size_t msg);

/* Runs the configured opener on what (a URL or a file), as one argument. */
void ui_open_with_opener(struct ui *u, const char *what);

/* Help for screen. */
void ui_help(struct ui *u, enum ui_screen screen);

/* Actions shared by the index and the pager on message msg: returns
 * true if the action was one of them. */
bool ui_message_action(struct ui *u, enum ui_action a, size_t msg);

/* Looks for new mail and changes; redraws what is needed. */
void ui_check(struct ui *u, bool quiet);

#endif
