/* keymap: which key does what on which screen of the reader.
 *
 * Screens are mutt's menus: index, pager, attach, folders (mutt's
 * "browser", accepted as an alias) and help, plus "generic", whose
 * bindings apply on every screen that does not bind the key itself.
 * Actions carry mutt's function names where mutt has one; a few short
 * aliases are accepted in bind lines (delete, undelete, flag, save, sync,
 * sort, fetch, refresh, redraw, pipe, imap-fetch-mail, and browser for
 * folders); "noop" binds a key to nothing, hiding a generic binding.
 *
 * Default bindings (mutt's, where the issue does not say otherwise):
 *   generic  j <Down> next-entry        k <Up> previous-entry
 *            <PageDown> <Right> next-page   <PageUp> <Left> previous-page
 *            <Home> = first-entry       <End> * last-entry
 *            <Enter> select-entry       q exit      ? help
 *            / search    n search-next  ^L redraw-screen
 *   index    j next-undeleted  k previous-undeleted  J next-entry
 *            K previous-entry  <Enter> <Space> display-message
 *            q quit   x exit (leave without writing changes)
 *            d delete-message  u undelete-message  $ sync-mailbox
 *            N toggle-new  F flag-message  Y edit-label  s save-message
 *            c change-folder  v view-attachments  l limit
 *            o sort-mailbox  O sort-reverse  t toggle-threads
 *            G fetch-mail
 *   pager    <Space> <PageDown> next-page   - <PageUp> previous-page
 *            <Enter> <Down> next-line  <Up> <Backspace> previous-line
 *            <Home> ^ top   <End> bottom   j next-undeleted
 *            k previous-undeleted  J next-entry  K previous-entry
 *            q i exit   h display-toggle-weed   ^B list-urls
 *            d u $ N F Y s c v G as in the index
 *   attach   <Enter> view-attach  m view-mailcap  s save-entry
 *            | pipe-entry
 *   folders  (generic only: <Enter> select-entry opens the folder)
 *   help     <Space> next-page  - previous-page
 * In the pager, "entry" means message: next-entry shows the next one.
 * Not every action exists on every screen: binding view-mailcap in the
 * index is an error.  Generic bindings may use only actions that make
 * sense everywhere (movement, select-entry, exit, quit, search,
 * search-next, help, redraw-screen).
 *
 * Keys.  A key code is what wgetch() returns: ASCII characters 0..127,
 * or a curses KEY_* code (below KEYMAP_KEYS).  With get_wch(), pass the
 * KEY_* value when it returns KEY_CODE_YES and the character when it is
 * below 128 (keymap_key_from_wch() does this); other characters cannot
 * be bound.  Some codes are folded together, both when binding and when
 * looking up, because terminals disagree on what they send: '\r' and
 * KEY_ENTER are '\n' (<Enter>); 8 (^H) and 127 (^?) are KEY_BACKSPACE.
 * Key names, as written in bind lines (names in <> ignore case):
 *   one printable character         j J G $ ? / = -
 *   <Down> <Up> <Left> <Right> <PageUp> <PageDown> <Home> <End>
 *   <Enter> <Return> <Esc> <Tab> <BackTab> <Space> <Backspace>
 *   <Delete> <Insert> <F1> .. <F63>
 *   <NNN>                           a key code in octal, as mutt
 *   ^X  \CX  \cX                    control keys (X a letter in either
 *                                   case, or one of @ [ \ ] ^ _ ?)
 *   \e \t \n \r                     Esc, Tab, Enter, Enter
 * Sequences of several keys are not supported.
 *
 * Errors name the directive and the bad word ("bind: unknown action
 * 'delet'"); the caller puts the configuration line in front of them
 * (err_prefix(e, "%s", directive->source)).  A failed bind changes
 * nothing. */
#ifndef TERN_KEYMAP_H
#define TERN_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Key codes 0 .. KEYMAP_KEYS - 1 can be bound (curses' KEY_MAX is 0777). */
#define KEYMAP_KEYS 512
/* Room for any key name keymap_key_name() makes, with its NUL. */
#define KEYMAP_KEY_NAME_MAX 16

enum ui_screen {
	UI_SCREEN_GENERIC,
	UI_SCREEN_INDEX,
	UI_SCREEN_PAGER,
	UI_SCREEN_ATTACH,
	UI_SCREEN_FOLDERS,
	UI_SCREEN_HELP,
	UI_SCREEN_COUNT
};

/* In the order the help screen lists them. */
enum ui_action {
	UI_ACTION_NONE = 0,        /* the key is not bound (lookup result) */
	UI_ACTION_NOOP,            /* bound to nothing ("noop") */
	UI_ACTION_NEXT_ENTRY,
	UI_ACTION_PREVIOUS_ENTRY,
	UI_ACTION_NEXT_UNDELETED,
	UI_ACTION_PREVIOUS_UNDELETED,
	UI_ACTION_NEXT_LINE,       /* pager */
	UI_ACTION_PREVIOUS_LINE,   /* pager */
	UI_ACTION_NEXT_PAGE,
	UI_ACTION_PREVIOUS_PAGE,
	UI_ACTION_FIRST_ENTRY,
	UI_ACTION_LAST_ENTRY,
	UI_ACTION_TOP,             /* pager: top of the message */
	UI_ACTION_BOTTOM,          /* pager: end of the message */
	UI_ACTION_SELECT_ENTRY,
	UI_ACTION_DISPLAY_MESSAGE,
	UI_ACTION_VIEW_ATTACHMENTS,
	UI_ACTION_DISPLAY_TOGGLE_WEED,
	UI_ACTION_LIST_URLS,
	UI_ACTION_VIEW_ATTACH,
	UI_ACTION_VIEW_MAILCAP,
	UI_ACTION_SAVE_ENTRY,
	UI_ACTION_PIPE_ENTRY,
	UI_ACTION_DELETE_MESSAGE,
	UI_ACTION_UNDELETE_MESSAGE,
	UI_ACTION_TOGGLE_NEW,
	UI_ACTION_FLAG_MESSAGE,
	UI_ACTION_EDIT_LABEL,      /* the message's keywords */
	UI_ACTION_SAVE_MESSAGE,
	UI_ACTION_SYNC_MAILBOX,
	UI_ACTION_FETCH_MAIL,
	UI_ACTION_CHANGE_FOLDER,
	UI_ACTION_SEARCH,
	UI_ACTION_SEARCH_NEXT,
	UI_ACTION_LIMIT,
	UI_ACTION_SORT_MAILBOX,
	UI_ACTION_SORT_REVERSE,
	UI_ACTION_TOGGLE_THREADS,
	UI_ACTION_HELP,
	UI_ACTION_REDRAW_SCREEN,
	UI_ACTION_EXIT,            /* leave this screen; index: quit, no sync */
	UI_ACTION_QUIT,            /* write changes and quit */
	UI_ACTION_CREATE_MAILBOX,  /* folders: create a folder */
	UI_ACTION_RENAME_MAILBOX,
	UI_ACTION_DELETE_MAILBOX,
	UI_ACTION_SUBSCRIBE,
	UI_ACTION_UNSUBSCRIBE,
	UI_ACTION_COUNT
};

struct keymap;

/* One binding in effect on a screen, for the help screen. */
struct keymap_binding {
	int key;
	enum ui_action action;
};

/* The default bindings above.  Never NULL. */
struct keymap *keymap_new_default(void);
/* Frees *km (which may be NULL) and sets it to NULL. */
void keymap_free(struct keymap **km);

/* Binds key on screen (or a comma-separated list of screens, as mutt
 * allows: "index,pager") to action.  Returns 0, or -1 with e naming the
 * bad word; nothing is changed then. */
int keymap_bind(struct keymap *km, const char *screen, const char *key,
		const char *action, struct err *e);

/* Applies one bind line as cfg keeps it: "SCREEN KEY ACTION", words
 * separated by blanks; a word may be put in double quotes (\" and \\
 * inside) or single quotes, so that '"' or " " can be bound.  Errors
 * start with "bind: ". */
int keymap_apply_directive(struct keymap *km, const char *text, struct err *e);

/* What key does on screen: the screen's own binding, else the generic
 * one, else UI_ACTION_NONE.  UI_ACTION_NOOP for a key bound to noop.
 * Any int is accepted; codes outside 0 .. KEYMAP_KEYS - 1 are unbound. */
enum ui_action keymap_lookup(const struct keymap *km, enum ui_screen screen,
			     int key);

/* The bindings in effect on screen (generic ones included unless the
 * screen overrides the key; noop left out), sorted by action in enum
 * order, then by key code.  Writes at most max entries to list_r and
 * returns how many there are in all (never more than KEYMAP_KEYS). */
size_t keymap_list(const struct keymap *km, enum ui_screen screen,
		   struct keymap_binding *list_r, size_t max);

/* A key that does action on screen, for one-line hints ("q:Quit"):
 * preferably a printable character, else the lowest code; -1 if none. */
int keymap_first_key(const struct keymap *km, enum ui_screen screen,
		     enum ui_action action);

/* Key names.  keymap_key_from_name() returns 0 and the (folded) code, or
 * -1 if name is not a key name.  keymap_key_name() writes the name the
 * help screen shows ("j", "^L", "<PageDown>", "<Enter>") into name_r and
 * returns it; every code in 0 .. KEYMAP_KEYS - 1 gets a name that
 * keymap_key_from_name() reads back as the same folded code.  Codes
 * outside that range are named "<?>". */
int keymap_key_from_name(const char *name, int *key_r);
const char *keymap_key_name(int key, char name_r[KEYMAP_KEY_NAME_MAX]);

/* The key code for what get_wch() returned: ch is a KEY_* code if
 * function_key (get_wch() == KEY_CODE_YES), else a character.  -1 for a
 * character that cannot be bound (not ASCII). */
int keymap_key_from_wch(bool function_key, unsigned long ch);

/* Names.  Screen and action names are the ones bind lines use; *_from_name
 * accept the aliases too and return 0, or -1 for an unknown name.
 * keymap_action_description() is a translated one-line description. */
const char *keymap_screen_name(enum ui_screen screen);
int keymap_screen_from_name(const char *name, enum ui_screen *screen_r);
const char *keymap_action_name(enum ui_action action);
const char *keymap_action_description(enum ui_action action);
int keymap_action_from_name(const char *name, enum ui_action *action_r);

#endif
