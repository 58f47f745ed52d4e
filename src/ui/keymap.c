#include "config.h"

#include "keymap.h"

#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "str.h"

_Static_assert(KEY_MAX < KEYMAP_KEYS, "curses key codes fit the keymap");
_Static_assert(UI_ACTION_COUNT <= UINT8_MAX, "an action fits a byte");

#define CTRL_KEY(c) ((c) & 0x1f)
#define ESC_KEY 27
#define DEL_KEY 127
#define WORD_MAX 64

struct keymap {
	uint8_t action[UI_SCREEN_COUNT][KEYMAP_KEYS]; /* UI_ACTION_NONE: unset */
};

/* ------------------------------------------------------------ names */

static const char *const screen_names[UI_SCREEN_COUNT] = {
	[UI_SCREEN_GENERIC] = "generic",
	[UI_SCREEN_INDEX] = "index",
	[UI_SCREEN_PAGER] = "pager",
	[UI_SCREEN_ATTACH] = "attach",
	[UI_SCREEN_FOLDERS] = "folders",
	[UI_SCREEN_HELP] = "help",
};

/* Which screens an action may be bound on. */
#define S_ALL ((1u << UI_SCREEN_COUNT) - 1)
#define S_INDEX (1u << UI_SCREEN_INDEX)
#define S_PAGER (1u << UI_SCREEN_PAGER)
#define S_ATTACH (1u << UI_SCREEN_ATTACH)
#define S_FOLDERS (1u << UI_SCREEN_FOLDERS)
#define S_MSG (S_INDEX | S_PAGER)

static const struct action_def {
	const char *name;
	unsigned screens;
	const char *description;
} actions[UI_ACTION_COUNT] = {
	[UI_ACTION_NONE] = { "", 0, "" },
	[UI_ACTION_NOOP] = { "noop", S_ALL, N_("do nothing") },
	[UI_ACTION_NEXT_ENTRY] = { "next-entry", S_ALL, N_("move to the next entry") },
	[UI_ACTION_PREVIOUS_ENTRY] = { "previous-entry", S_ALL,
				       N_("move to the previous entry") },
	[UI_ACTION_NEXT_UNDELETED] = { "next-undeleted", S_MSG,
				       N_("move to the next undeleted message") },
	[UI_ACTION_PREVIOUS_UNDELETED] = { "previous-undeleted", S_MSG,
					   N_("move to the previous undeleted message") },
	[UI_ACTION_NEXT_LINE] = { "next-line", S_PAGER, N_("scroll down one line") },
	[UI_ACTION_PREVIOUS_LINE] = { "previous-line", S_PAGER,
				      N_("scroll up one line") },
	[UI_ACTION_NEXT_PAGE] = { "next-page", S_ALL, N_("move to the next page") },
	[UI_ACTION_PREVIOUS_PAGE] = { "previous-page", S_ALL,
				      N_("move to the previous page") },
	[UI_ACTION_FIRST_ENTRY] = { "first-entry", S_ALL, N_("move to the first entry") },
	[UI_ACTION_LAST_ENTRY] = { "last-entry", S_ALL, N_("move to the last entry") },
	[UI_ACTION_TOP] = { "top", S_PAGER, N_("jump to the top of the message") },
	[UI_ACTION_BOTTOM] = { "bottom", S_PAGER,
			       N_("jump to the bottom of the message") },
	[UI_ACTION_SELECT_ENTRY] = { "select-entry", S_ALL, N_("select the current entry") },
	[UI_ACTION_DISPLAY_MESSAGE] = { "display-message", S_INDEX,
					N_("display the message") },
	[UI_ACTION_VIEW_ATTACHMENTS] = { "view-attachments", S_MSG,
					 N_("list the message's attachments") },
	[UI_ACTION_DISPLAY_TOGGLE_WEED] = { "display-toggle-weed", S_PAGER,
					    N_("show all headers or only the chosen ones") },
	[UI_ACTION_LIST_URLS] = { "list-urls", S_PAGER, N_("list the URLs in the message") },
	[UI_ACTION_VIEW_ATTACH] = { "view-attach", S_ATTACH, N_("view the attachment") },
	[UI_ACTION_VIEW_MAILCAP] = { "view-mailcap", S_ATTACH,
				     N_("open the attachment with mailcap or the opener") },
	[UI_ACTION_SAVE_ENTRY] = { "save-entry", S_ATTACH, N_("save the attachment to a file") },
	[UI_ACTION_PIPE_ENTRY] = { "pipe-entry", S_ATTACH,
				   N_("pipe the attachment to a command") },
	[UI_ACTION_DELETE_MESSAGE] = { "delete-message", S_MSG,
				       N_("mark the message deleted") },
	[UI_ACTION_UNDELETE_MESSAGE] = { "undelete-message", S_MSG,
					 N_("remove the deletion mark") },
	[UI_ACTION_TOGGLE_NEW] = { "toggle-new", S_MSG, N_("toggle the message's new flag") },
	[UI_ACTION_FLAG_MESSAGE] = { "flag-message", S_MSG, N_("toggle the important flag") },
	[UI_ACTION_EDIT_LABEL] = { "edit-label", S_MSG,
				   N_("edit the message's keywords (labels)") },
	[UI_ACTION_SAVE_MESSAGE] = { "save-message", S_MSG,
				     N_("move the message to another folder") },
	[UI_ACTION_SYNC_MAILBOX] = { "sync-mailbox", S_MSG,
				     N_("write flag changes and remove deleted messages") },
	[UI_ACTION_FETCH_MAIL] = { "fetch-mail", S_MSG, N_("get new mail from the server") },
	[UI_ACTION_CHANGE_FOLDER] = { "change-folder", S_MSG, N_("open another folder") },
	[UI_ACTION_SEARCH] = { "search", S_ALL, N_("search forward") },
	[UI_ACTION_SEARCH_NEXT] = { "search-next", S_ALL, N_("find the next match") },
	[UI_ACTION_LIMIT] = { "limit", S_INDEX, N_("show only messages matching a query") },
	[UI_ACTION_SORT_MAILBOX] = { "sort-mailbox", S_INDEX, N_("sort the messages") },
	[UI_ACTION_SORT_REVERSE] = { "sort-reverse", S_INDEX,
				     N_("sort the messages in reverse order") },
	[UI_ACTION_TOGGLE_THREADS] = { "toggle-threads", S_INDEX,
				       N_("switch between threads and a flat list") },
	[UI_ACTION_HELP] = { "help", S_ALL, N_("show the keys of this screen") },
	[UI_ACTION_REDRAW_SCREEN] = { "redraw-screen", S_ALL, N_("clear and redraw the screen") },
	[UI_ACTION_EXIT] = { "exit", S_ALL, N_("leave this screen") },
	[UI_ACTION_QUIT] = { "quit", S_ALL, N_("write the changes and quit") },
	[UI_ACTION_CREATE_MAILBOX] = { "create-mailbox", S_FOLDERS, N_("create a folder") },
	[UI_ACTION_RENAME_MAILBOX] = { "rename-mailbox", S_FOLDERS, N_("rename the folder") },
	[UI_ACTION_DELETE_MAILBOX] = { "delete-mailbox", S_FOLDERS, N_("delete the folder") },
	[UI_ACTION_SUBSCRIBE] = { "subscribe", S_FOLDERS, N_("subscribe to the folder") },
	[UI_ACTION_UNSUBSCRIBE] = { "unsubscribe", S_FOLDERS,
				    N_("unsubscribe from the folder") },
};

static const struct alias {
	const char *name;
	enum ui_action action;
} action_aliases[] = {
	{ "delete", UI_ACTION_DELETE_MESSAGE },
	{ "undelete", UI_ACTION_UNDELETE_MESSAGE },
	{ "flag", UI_ACTION_FLAG_MESSAGE },
	{ "save", UI_ACTION_SAVE_MESSAGE },
	{ "sync", UI_ACTION_SYNC_MAILBOX },
	{ "sort", UI_ACTION_SORT_MAILBOX },
	{ "fetch", UI_ACTION_FETCH_MAIL },
	{ "imap-fetch-mail", UI_ACTION_FETCH_MAIL },
	{ "refresh", UI_ACTION_REDRAW_SCREEN },
	{ "redraw", UI_ACTION_REDRAW_SCREEN },
	{ "pipe", UI_ACTION_PIPE_ENTRY },
};

const char *keymap_screen_name(enum ui_screen screen)
{
	if ((unsigned)screen >= UI_SCREEN_COUNT)
		return "?";
	return screen_names[screen];
}

int keymap_screen_from_name(const char *name, enum ui_screen *screen_r)
{
	if (strcmp(name, "browser") == 0) {
		*screen_r = UI_SCREEN_FOLDERS;
		return 0;
	}
	for (int s = 0; s < UI_SCREEN_COUNT; s++) {
		if (strcmp(name, screen_names[s]) == 0) {
			*screen_r = (enum ui_screen)s;
			return 0;
		}
	}
	return -1;
}

const char *keymap_action_name(enum ui_action action)
{
	if ((unsigned)action >= UI_ACTION_COUNT || action == UI_ACTION_NONE)
		return "?";
	return actions[action].name;
}

const char *keymap_action_description(enum ui_action action)
{
	if ((unsigned)action >= UI_ACTION_COUNT || action == UI_ACTION_NONE)
		return "?";
	return _(actions[action].description);
}

int keymap_action_from_name(const char *name, enum ui_action *action_r)
{
	for (int a = UI_ACTION_NOOP; a < UI_ACTION_COUNT; a++) {
		if (strcmp(name, actions[a].name) == 0) {
			*action_r = (enum ui_action)a;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(action_aliases) / sizeof(action_aliases[0]); i++) {
		if (strcmp(name, action_aliases[i].name) == 0) {
			*action_r = action_aliases[i].action;
			return 0;
		}
	}
	return -1;
}

/* ------------------------------------------------------------ keys */

static const struct key_name {
	const char *name;
	int key;
} key_names[] = {
	/* The first name of a code is the one keymap_key_name() shows. */
	{ "Enter", '\n' },
	{ "Return", '\n' },
	{ "Tab", '\t' },
	{ "Esc", ESC_KEY },
	{ "Space", ' ' },
	{ "Down", KEY_DOWN },
	{ "Up", KEY_UP },
	{ "Left", KEY_LEFT },
	{ "Right", KEY_RIGHT },
	{ "PageUp", KEY_PPAGE },
	{ "PageDown", KEY_NPAGE },
	{ "Home", KEY_HOME },
	{ "End", KEY_END },
	{ "BackTab", KEY_BTAB },
	{ "Backspace", KEY_BACKSPACE },
	{ "Delete", KEY_DC },
	{ "Insert", KEY_IC },
};

#define N_KEY_NAMES (sizeof(key_names) / sizeof(key_names[0]))
#define F_KEYS_MAX 63

/* Codes that terminals send for the same key become one. */
static int fold_key(int key)
{
	switch (key) {
	case '\r':
	case KEY_ENTER:
		return '\n';
	case CTRL_KEY('H'):
	case DEL_KEY:
		return KEY_BACKSPACE;
	default:
		return key;
	}
}

/* The control key for c in ^c or \Cc: letters in either case, @ [ \ ] ^ _
 * and ? (DEL); -1 otherwise. */
static int control_of(char c)
{
	if (c >= 'a' && c <= 'z')
		return CTRL_KEY(c);
	if (c >= '@' && c <= '_')
		return CTRL_KEY(c);
	if (c == '?')
		return DEL_KEY;
	return -1;
}

/* "<...>": a name from the table, F1..F63, or an octal code. */
static int bracket_key(const char *inner, size_t n)
{
	char word[WORD_MAX];
	unsigned long v;

	if (n == 0 || n >= sizeof(word))
		return -1;
	memcpy(word, inner, n);
	word[n] = '\0';
	for (size_t i = 0; i < N_KEY_NAMES; i++)
		if (str_eq_ci(word, key_names[i].name))
			return key_names[i].key;
	if ((word[0] == 'F' || word[0] == 'f') &&
	    str_to_ulong(word + 1, 1, F_KEYS_MAX, &v) == 0)
		return KEY_F((int)v);
	if (strspn(word, "01234567") == n && n <= 4) {
		v = strtoul(word, NULL, 8);
		if (v < KEYMAP_KEYS)
			return (int)v;
	}
	return -1;
}

static int backslash_key(const char *s)
{
	if ((s[0] == 'C' || s[0] == 'c') && s[1] != '\0' && s[2] == '\0')
		return control_of(s[1]);
	if (s[0] == '\0' || s[1] != '\0')
		return -1;
	switch (s[0]) {
	case 'e': return ESC_KEY;
	case 't': return '\t';
	case 'n':
	case 'r': return '\n';
	default: return -1;
	}
}

static int key_code(const char *name)
{
	size_t n = strlen(name);
	if (n == 1)
		return (unsigned char)name[0] >= ' ' && (unsigned char)name[0] < DEL_KEY
			       ? name[0] : -1;
	if (name[0] == '<' && name[n - 1] == '>')
		return bracket_key(name + 1, n - 2);
	if (name[0] == '^' && n == 2)
		return control_of(name[1]);
	if (name[0] == '\\')
		return backslash_key(name + 1);
	return -1;
}

int keymap_key_from_name(const char *name, int *key_r)
{
	int key = key_code(name);
	if (key < 0)
		return -1;
	*key_r = fold_key(key);
	return 0;
}

const char *keymap_key_name(int key, char name_r[KEYMAP_KEY_NAME_MAX])
{
	key = fold_key(key);
	if (key < 0 || key >= KEYMAP_KEYS) {
		snprintf(name_r, KEYMAP_KEY_NAME_MAX, "<?>");
		return name_r;
	}
	for (size_t i = 0; i < N_KEY_NAMES; i++) {
		if (key_names[i].key == key) {
			snprintf(name_r, KEYMAP_KEY_NAME_MAX, "<%s>", key_names[i].name);
			return name_r;
		}
	}
	if (key > ' ' && key < DEL_KEY)
		snprintf(name_r, KEYMAP_KEY_NAME_MAX, "%c", key);
	else if (key < ' ')
		snprintf(name_r, KEYMAP_KEY_NAME_MAX, "^%c", key + '@');
	else if (key >= KEY_F(1) && key <= KEY_F(F_KEYS_MAX))
		snprintf(name_r, KEYMAP_KEY_NAME_MAX, "<F%d>", key - KEY_F0);
	else
		snprintf(name_r, KEYMAP_KEY_NAME_MAX, "<%o>", (unsigned)key);
	return name_r;
}

int keymap_key_from_wch(bool function_key, unsigned long ch)
{
	if (function_key)
		return ch < KEYMAP_KEYS ? (int)ch : -1;
	return ch < 128 ? (int)ch : -1;
}

/* ------------------------------------------------------------ defaults */

static const struct default_binding {
	enum ui_screen screen;
	int key;
	enum ui_action action;
} defaults[] = {
	{ UI_SCREEN_GENERIC, 'j', UI_ACTION_NEXT_ENTRY },
	{ UI_SCREEN_GENERIC, KEY_DOWN, UI_ACTION_NEXT_ENTRY },
	{ UI_SCREEN_GENERIC, 'k', UI_ACTION_PREVIOUS_ENTRY },
	{ UI_SCREEN_GENERIC, KEY_UP, UI_ACTION_PREVIOUS_ENTRY },
	{ UI_SCREEN_GENERIC, KEY_NPAGE, UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_GENERIC, KEY_RIGHT, UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_GENERIC, KEY_PPAGE, UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_GENERIC, KEY_LEFT, UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_GENERIC, KEY_HOME, UI_ACTION_FIRST_ENTRY },
	{ UI_SCREEN_GENERIC, '=', UI_ACTION_FIRST_ENTRY },
	{ UI_SCREEN_GENERIC, KEY_END, UI_ACTION_LAST_ENTRY },
	{ UI_SCREEN_GENERIC, '*', UI_ACTION_LAST_ENTRY },
	{ UI_SCREEN_GENERIC, '\n', UI_ACTION_SELECT_ENTRY },
	{ UI_SCREEN_GENERIC, 'q', UI_ACTION_EXIT },
	{ UI_SCREEN_GENERIC, '?', UI_ACTION_HELP },
	{ UI_SCREEN_GENERIC, '/', UI_ACTION_SEARCH },
	{ UI_SCREEN_GENERIC, 'n', UI_ACTION_SEARCH_NEXT },
	{ UI_SCREEN_GENERIC, CTRL_KEY('L'), UI_ACTION_REDRAW_SCREEN },

	{ UI_SCREEN_INDEX, 'j', UI_ACTION_NEXT_UNDELETED },
	{ UI_SCREEN_INDEX, 'k', UI_ACTION_PREVIOUS_UNDELETED },
	{ UI_SCREEN_INDEX, 'J', UI_ACTION_NEXT_ENTRY },
	{ UI_SCREEN_INDEX, 'K', UI_ACTION_PREVIOUS_ENTRY },
	{ UI_SCREEN_INDEX, '\n', UI_ACTION_DISPLAY_MESSAGE },
	{ UI_SCREEN_INDEX, ' ', UI_ACTION_DISPLAY_MESSAGE },
	{ UI_SCREEN_INDEX, 'q', UI_ACTION_QUIT },
	{ UI_SCREEN_INDEX, 'x', UI_ACTION_EXIT },
	{ UI_SCREEN_INDEX, 'l', UI_ACTION_LIMIT },
	{ UI_SCREEN_INDEX, 'o', UI_ACTION_SORT_MAILBOX },
	{ UI_SCREEN_INDEX, 'O', UI_ACTION_SORT_REVERSE },
	{ UI_SCREEN_INDEX, 't', UI_ACTION_TOGGLE_THREADS },

	{ UI_SCREEN_PAGER, ' ', UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_PAGER, KEY_NPAGE, UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_PAGER, '-', UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_PAGER, KEY_PPAGE, UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_PAGER, '\n', UI_ACTION_NEXT_LINE },
	{ UI_SCREEN_PAGER, KEY_DOWN, UI_ACTION_NEXT_LINE },
	{ UI_SCREEN_PAGER, KEY_UP, UI_ACTION_PREVIOUS_LINE },
	{ UI_SCREEN_PAGER, KEY_BACKSPACE, UI_ACTION_PREVIOUS_LINE },
	{ UI_SCREEN_PAGER, KEY_HOME, UI_ACTION_TOP },
	{ UI_SCREEN_PAGER, '^', UI_ACTION_TOP },
	{ UI_SCREEN_PAGER, KEY_END, UI_ACTION_BOTTOM },
	{ UI_SCREEN_PAGER, 'j', UI_ACTION_NEXT_UNDELETED },
	{ UI_SCREEN_PAGER, 'k', UI_ACTION_PREVIOUS_UNDELETED },
	{ UI_SCREEN_PAGER, 'J', UI_ACTION_NEXT_ENTRY },
	{ UI_SCREEN_PAGER, 'K', UI_ACTION_PREVIOUS_ENTRY },
	{ UI_SCREEN_PAGER, 'i', UI_ACTION_EXIT },
	{ UI_SCREEN_PAGER, 'h', UI_ACTION_DISPLAY_TOGGLE_WEED },
	{ UI_SCREEN_PAGER, CTRL_KEY('B'), UI_ACTION_LIST_URLS },

	{ UI_SCREEN_ATTACH, '\n', UI_ACTION_VIEW_ATTACH },
	{ UI_SCREEN_ATTACH, 'm', UI_ACTION_VIEW_MAILCAP },
	{ UI_SCREEN_ATTACH, 's', UI_ACTION_SAVE_ENTRY },
	{ UI_SCREEN_ATTACH, '|', UI_ACTION_PIPE_ENTRY },
	{ UI_SCREEN_FOLDERS, 'C', UI_ACTION_CREATE_MAILBOX },
	{ UI_SCREEN_FOLDERS, 'r', UI_ACTION_RENAME_MAILBOX },
	{ UI_SCREEN_FOLDERS, 'd', UI_ACTION_DELETE_MAILBOX },
	{ UI_SCREEN_FOLDERS, 's', UI_ACTION_SUBSCRIBE },
	{ UI_SCREEN_FOLDERS, 'u', UI_ACTION_UNSUBSCRIBE },

	{ UI_SCREEN_HELP, ' ', UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_HELP, '-', UI_ACTION_PREVIOUS_PAGE },
};

/* Keys bound alike in the index and the pager. */
static const struct {
	int key;
	enum ui_action action;
} message_keys[] = {
	{ 'd', UI_ACTION_DELETE_MESSAGE },
	{ 'u', UI_ACTION_UNDELETE_MESSAGE },
	{ '$', UI_ACTION_SYNC_MAILBOX },
	{ 'N', UI_ACTION_TOGGLE_NEW },
	{ 'F', UI_ACTION_FLAG_MESSAGE },
	{ 'Y', UI_ACTION_EDIT_LABEL },
	{ 's', UI_ACTION_SAVE_MESSAGE },
	{ 'c', UI_ACTION_CHANGE_FOLDER },
	{ 'v', UI_ACTION_VIEW_ATTACHMENTS },
	{ 'G', UI_ACTION_FETCH_MAIL },
};

struct keymap *keymap_new_default(void)
{
	struct keymap *km = xcalloc(1, sizeof(*km));
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		km->action[defaults[i].screen][defaults[i].key] =
			(uint8_t)defaults[i].action;
	for (size_t i = 0; i < sizeof(message_keys) / sizeof(message_keys[0]); i++) {
		km->action[UI_SCREEN_INDEX][message_keys[i].key] =
			(uint8_t)message_keys[i].action;
		km->action[UI_SCREEN_PAGER][message_keys[i].key] =
			(uint8_t)message_keys[i].action;
	}
	return km;
}

void keymap_free(struct keymap **km)
{
	free(*km);
	*km = NULL;
}

/* ------------------------------------------------------------ binding */

/* The screens of a comma-separated list, as a bit mask; 0 on error. */
static unsigned parse_screens(const char *list, struct err *e)
{
	unsigned mask = 0;
	char word[WORD_MAX];
	for (const char *s = list;; s++) {
		size_t n = strcspn(s, ",");
		enum ui_screen screen;
		if (n < sizeof(word)) {
			memcpy(word, s, n);
			word[n] = '\0';
		}
		if (n >= sizeof(word) || keymap_screen_from_name(word, &screen) < 0) {
			err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				_("bind: unknown screen '%.*s' (index, pager, attach, "
				  "folders, help or generic)"), (int)n, s);
			return 0;
		}
		mask |= 1u << screen;
		s += n;
		if (*s == '\0')
			return mask;
	}
}

int keymap_bind(struct keymap *km, const char *screen, const char *key,
		const char *action, struct err *e)
{
	unsigned mask = parse_screens(screen, e);
	if (mask == 0)
		return -1;
	int code;
	if (keymap_key_from_name(key, &code) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("bind: unknown key '%s' (write one character, ^X, "
				 "\\CX or a name such as <PageDown>)"), key);
	enum ui_action a;
	if (keymap_action_from_name(action, &a) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("bind: unknown action '%s'"), action);
	for (int s = 0; s < UI_SCREEN_COUNT; s++) {
		if ((mask & (1u << s)) && !(actions[a].screens & (1u << s)))
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("bind: action '%s' is not available on "
					 "screen '%s'"), action, screen_names[s]);
	}
	for (int s = 0; s < UI_SCREEN_COUNT; s++)
		if (mask & (1u << s))
			km->action[s][code] = (uint8_t)a;
	return 0;
}

/* Copies the next word of *sp into word (WORD_MAX bytes), handling
 * quotes; advances *sp.  Returns 1 for a word, 0 at the end, -1 for a
 * word too long or an unterminated quote. */
static int next_word(const char **sp, char *word)
{
	const char *s = *sp + strspn(*sp, " \t");
	size_t n = 0;
	if (*s == '\0')
		return 0;
	while (*s != '\0' && *s != ' ' && *s != '\t') {
		char q = *s;
		if (q != '"' && q != '\'') {
			if (n + 1 >= WORD_MAX)
				return -1;
			word[n++] = *s++;
			continue;
		}
		for (s++; *s != q; s++) {
			if (*s == '\0' || n + 1 >= WORD_MAX)
				return -1;
			if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			word[n++] = *s;
		}
		s++;
	}
	word[n] = '\0';
	*sp = s;
	return 1;
}

int keymap_apply_directive(struct keymap *km, const char *text, struct err *e)
{
	char words[4][WORD_MAX];
	const char *s = text;
	int n = 0;
	for (;;) {
		int r = next_word(&s, words[n < 3 ? n : 3]);
		if (r < 0)
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("bind: unterminated quote or a word longer "
					 "than %d bytes in '%s'"), WORD_MAX - 1, text);
		if (r == 0)
			break;
		n++;
	}
	if (n != 3)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("bind: expected SCREEN KEY ACTION, got '%s'"), text);
	return keymap_bind(km, words[0], words[1], words[2], e);
}

/* ------------------------------------------------------------ lookup */

enum ui_action keymap_lookup(const struct keymap *km, enum ui_screen screen,
			     int key)
{
	key = fold_key(key);
	if (key < 0 || key >= KEYMAP_KEYS || (unsigned)screen >= UI_SCREEN_COUNT)
		return UI_ACTION_NONE;
	uint8_t a = km->action[screen][key];
	if (a == UI_ACTION_NONE)
		a = km->action[UI_SCREEN_GENERIC][key];
	return (enum ui_action)a;
}

size_t keymap_list(const struct keymap *km, enum ui_screen screen,
		   struct keymap_binding *list_r, size_t max)
{
	size_t n = 0;
	for (int a = UI_ACTION_NOOP + 1; a < UI_ACTION_COUNT; a++) {
		for (int key = 0; key < KEYMAP_KEYS; key++) {
			if (keymap_lookup(km, screen, key) != (enum ui_action)a ||
			    fold_key(key) != key)
				continue;
			if (n < max)
				list_r[n] = (struct keymap_binding){ key, (enum ui_action)a };
			n++;
		}
	}
	return n;
}

int keymap_first_key(const struct keymap *km, enum ui_screen screen,
		     enum ui_action action)
{
	int first = -1;
	for (int key = 0; key < KEYMAP_KEYS; key++) {
		if (fold_key(key) != key || keymap_lookup(km, screen, key) != action)
			continue;
		if (key > ' ' && key < DEL_KEY)
			return key;
		if (first < 0)
			first = key;
	}
	return first;
}
