#include "config.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "keymap.h"
#include "tap.h"

static const char *name_of(int key)
{
	static char name[KEYMAP_KEY_NAME_MAX];
	return keymap_key_name(key, name);
}

/* The code name stands for, or -2 if it is not a key name. */
static int code_of(const char *name)
{
	int key;
	return keymap_key_from_name(name, &key) == 0 ? key : -2;
}

static void test_key_names(void)
{
	static const struct {
		const char *name;
		int key;
	} t[] = {
		{ "j", 'j' }, { "J", 'J' }, { "G", 'G' }, { "$", '$' }, { "?", '?' },
		{ "/", '/' }, { "=", '=' }, { "-", '-' }, { " ", ' ' },
		{ "<Down>", KEY_DOWN }, { "<Up>", KEY_UP }, { "<Left>", KEY_LEFT },
		{ "<Right>", KEY_RIGHT }, { "<PageUp>", KEY_PPAGE },
		{ "<PageDown>", KEY_NPAGE }, { "<pagedown>", KEY_NPAGE },
		{ "<HOME>", KEY_HOME }, { "<End>", KEY_END }, { "<Enter>", '\n' },
		{ "<Return>", '\n' }, { "<Esc>", 27 }, { "<Tab>", '\t' },
		{ "<Space>", ' ' }, { "<Backspace>", KEY_BACKSPACE },
		{ "<Delete>", KEY_DC }, { "<Insert>", KEY_IC }, { "<BackTab>", KEY_BTAB },
		{ "<F1>", KEY_F(1) }, { "<f12>", KEY_F(12) }, { "<F63>", KEY_F(63) },
		{ "^L", 12 }, { "^l", 12 }, { "\\Cl", 12 }, { "\\CL", 12 },
		{ "\\cl", 12 }, { "^@", 0 }, { "^[", 27 }, { "^?", KEY_BACKSPACE },
		{ "^H", KEY_BACKSPACE }, { "^M", '\n' }, { "^J", '\n' }, { "^I", '\t' },
		{ "\\e", 27 }, { "\\t", '\t' }, { "\\n", '\n' }, { "\\r", '\n' },
		{ "<527>", '\n' }, { "<0>", 0 }, { "<777>", 0777 }, { "^", '^' },
		{ "\\", '\\' }, { "<", '<' },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(code_of(t[i].name), t[i].key, "key name '%s' is code %d",
		       t[i].name, t[i].key);

	static const char *const bad[] = {
		"", "gg", "<Foo>", "<F0>", "<F64>", "<>", "<1000>", "<8>", "^1",
		"\\Cx1", "\\x", "\xc3\xa9", "\x01", "\x7f", "<PageDown",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(code_of(bad[i]), -2, "'%s' is not a key name", bad[i]);

	is_str(name_of('j'), "j", "j is named j");
	is_str(name_of('$'), "$", "$ is named $");
	is_str(name_of(12), "^L", "Ctrl-L is named ^L");
	is_str(name_of(KEY_NPAGE), "<PageDown>", "KEY_NPAGE is named <PageDown>");
	is_str(name_of('\r'), "<Enter>", "CR is named <Enter>");
	is_str(name_of(KEY_ENTER), "<Enter>", "KEY_ENTER is named <Enter>");
	is_str(name_of(' '), "<Space>", "space is named <Space>");
	is_str(name_of(127), "<Backspace>", "DEL is named <Backspace>");
	is_str(name_of(27), "<Esc>", "27 is named <Esc>");
	is_str(name_of(28), "^\\", "28 is named ^\\");
	is_str(name_of(KEY_F(5)), "<F5>", "KEY_F(5) is named <F5>");
	is_str(name_of(0200), "<200>", "an unnamed code is named in octal");
	is_str(name_of(-1), "<?>", "a negative code is <?>");
	is_str(name_of(KEYMAP_KEYS), "<?>", "a code past the table is <?>");

	int moved = 0;
	for (int key = 0; key < KEYMAP_KEYS; key++) {
		bool folded = key == '\r' || key == KEY_ENTER || key == 8 || key == 127;
		if (!folded && code_of(name_of(key)) != key && moved++ < 5)
			diag("code %d named '%s' reads back as %d", key, name_of(key),
			     code_of(name_of(key)));
	}
	is_int(moved, 0, "every unfolded code round-trips through its name");
	ok(code_of(name_of('\r')) == '\n' && code_of(name_of(KEY_ENTER)) == '\n' &&
	   code_of(name_of(8)) == KEY_BACKSPACE && code_of(name_of(127)) == KEY_BACKSPACE,
	   "folded codes read back as the code they fold to");

	is_int(keymap_key_from_wch(false, 'j'), 'j', "get_wch: ASCII character kept");
	is_int(keymap_key_from_wch(true, KEY_DOWN), KEY_DOWN,
	       "get_wch: function key kept");
	is_int(keymap_key_from_wch(false, 0x102), -1,
	       "get_wch: a non-ASCII character that looks like KEY_DOWN is refused");
	is_int(keymap_key_from_wch(true, 01000), -1,
	       "get_wch: a function key past KEYMAP_KEYS is refused");
}

/* ------------------------------------------------------ defaults */

static const struct {
	enum ui_screen screen;
	const char *key;
	enum ui_action action;
} issue_defaults[] = {
	{ UI_SCREEN_INDEX, "j", UI_ACTION_NEXT_UNDELETED },
	{ UI_SCREEN_INDEX, "k", UI_ACTION_PREVIOUS_UNDELETED },
	{ UI_SCREEN_INDEX, "<Down>", UI_ACTION_NEXT_ENTRY },
	{ UI_SCREEN_INDEX, "<Up>", UI_ACTION_PREVIOUS_ENTRY },
	{ UI_SCREEN_INDEX, "<PageDown>", UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_INDEX, "<PageUp>", UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_INDEX, "<Home>", UI_ACTION_FIRST_ENTRY },
	{ UI_SCREEN_INDEX, "<End>", UI_ACTION_LAST_ENTRY },
	{ UI_SCREEN_INDEX, "<Enter>", UI_ACTION_DISPLAY_MESSAGE },
	{ UI_SCREEN_INDEX, "q", UI_ACTION_QUIT },
	{ UI_SCREEN_INDEX, "d", UI_ACTION_DELETE_MESSAGE },
	{ UI_SCREEN_INDEX, "u", UI_ACTION_UNDELETE_MESSAGE },
	{ UI_SCREEN_INDEX, "$", UI_ACTION_SYNC_MAILBOX },
	{ UI_SCREEN_INDEX, "N", UI_ACTION_TOGGLE_NEW },
	{ UI_SCREEN_INDEX, "F", UI_ACTION_FLAG_MESSAGE },
	{ UI_SCREEN_INDEX, "Y", UI_ACTION_EDIT_LABEL },
	{ UI_SCREEN_INDEX, "s", UI_ACTION_SAVE_MESSAGE },
	{ UI_SCREEN_INDEX, "c", UI_ACTION_CHANGE_FOLDER },
	{ UI_SCREEN_INDEX, "v", UI_ACTION_VIEW_ATTACHMENTS },
	{ UI_SCREEN_INDEX, "/", UI_ACTION_SEARCH },
	{ UI_SCREEN_INDEX, "n", UI_ACTION_SEARCH_NEXT },
	{ UI_SCREEN_INDEX, "l", UI_ACTION_LIMIT },
	{ UI_SCREEN_INDEX, "o", UI_ACTION_SORT_MAILBOX },
	{ UI_SCREEN_INDEX, "t", UI_ACTION_TOGGLE_THREADS },
	{ UI_SCREEN_INDEX, "G", UI_ACTION_FETCH_MAIL },
	{ UI_SCREEN_INDEX, "?", UI_ACTION_HELP },
	{ UI_SCREEN_INDEX, "^L", UI_ACTION_REDRAW_SCREEN },
	{ UI_SCREEN_PAGER, "<Space>", UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_PAGER, "-", UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_PAGER, "<PageDown>", UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_PAGER, "<PageUp>", UI_ACTION_PREVIOUS_PAGE },
	{ UI_SCREEN_PAGER, "<Down>", UI_ACTION_NEXT_LINE },
	{ UI_SCREEN_PAGER, "<Up>", UI_ACTION_PREVIOUS_LINE },
	{ UI_SCREEN_PAGER, "<Enter>", UI_ACTION_NEXT_LINE },
	{ UI_SCREEN_PAGER, "<Home>", UI_ACTION_TOP },
	{ UI_SCREEN_PAGER, "<End>", UI_ACTION_BOTTOM },
	{ UI_SCREEN_PAGER, "j", UI_ACTION_NEXT_UNDELETED },
	{ UI_SCREEN_PAGER, "k", UI_ACTION_PREVIOUS_UNDELETED },
	{ UI_SCREEN_PAGER, "q", UI_ACTION_EXIT },
	{ UI_SCREEN_PAGER, "h", UI_ACTION_DISPLAY_TOGGLE_WEED },
	{ UI_SCREEN_PAGER, "/", UI_ACTION_SEARCH },
	{ UI_SCREEN_PAGER, "n", UI_ACTION_SEARCH_NEXT },
	{ UI_SCREEN_PAGER, "^B", UI_ACTION_LIST_URLS },
	{ UI_SCREEN_PAGER, "d", UI_ACTION_DELETE_MESSAGE },
	{ UI_SCREEN_PAGER, "F", UI_ACTION_FLAG_MESSAGE },
	{ UI_SCREEN_PAGER, "Y", UI_ACTION_EDIT_LABEL },
	{ UI_SCREEN_PAGER, "v", UI_ACTION_VIEW_ATTACHMENTS },
	{ UI_SCREEN_PAGER, "?", UI_ACTION_HELP },
	{ UI_SCREEN_PAGER, "^L", UI_ACTION_REDRAW_SCREEN },
	{ UI_SCREEN_ATTACH, "<Enter>", UI_ACTION_VIEW_ATTACH },
	{ UI_SCREEN_ATTACH, "m", UI_ACTION_VIEW_MAILCAP },
	{ UI_SCREEN_ATTACH, "s", UI_ACTION_SAVE_ENTRY },
	{ UI_SCREEN_ATTACH, "|", UI_ACTION_PIPE_ENTRY },
	{ UI_SCREEN_ATTACH, "q", UI_ACTION_EXIT },
	{ UI_SCREEN_ATTACH, "j", UI_ACTION_NEXT_ENTRY },
	{ UI_SCREEN_FOLDERS, "<Enter>", UI_ACTION_SELECT_ENTRY },
	{ UI_SCREEN_FOLDERS, "q", UI_ACTION_EXIT },
	{ UI_SCREEN_FOLDERS, "k", UI_ACTION_PREVIOUS_ENTRY },
	{ UI_SCREEN_HELP, "<Space>", UI_ACTION_NEXT_PAGE },
	{ UI_SCREEN_HELP, "q", UI_ACTION_EXIT },
	{ UI_SCREEN_HELP, "<Down>", UI_ACTION_NEXT_ENTRY },
};

static void test_defaults(void)
{
	struct keymap *km = keymap_new_default();
	for (size_t i = 0; i < sizeof(issue_defaults) / sizeof(issue_defaults[0]); i++) {
		int key = code_of(issue_defaults[i].key);
		enum ui_action a = keymap_lookup(km, issue_defaults[i].screen, key);
		if (!is_int(a, issue_defaults[i].action, "default: %s %s is %s",
			    keymap_screen_name(issue_defaults[i].screen),
			    issue_defaults[i].key,
			    keymap_action_name(issue_defaults[i].action)))
			diag("got %s", keymap_action_name(a));
	}
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 'Z'), UI_ACTION_NONE,
	       "an unbound key is UI_ACTION_NONE");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, 'l'), UI_ACTION_NONE,
	       "l (limit) is not bound in the pager");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, -1), UI_ACTION_NONE,
	       "a negative key is unbound");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 100000), UI_ACTION_NONE,
	       "a key past the table is unbound");
	is_int(keymap_lookup(km, UI_SCREEN_COUNT, 'j'), UI_ACTION_NONE,
	       "a screen past the enum finds nothing");
	keymap_free(&km);
	ok(km == NULL, "keymap_free clears the pointer");
	keymap_free(&km);
}

static void test_enter_variants(void)
{
	struct keymap *km = keymap_new_default();
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, '\n'), UI_ACTION_DISPLAY_MESSAGE,
	       "LF opens the message");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, '\r'), UI_ACTION_DISPLAY_MESSAGE,
	       "CR opens the message");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, KEY_ENTER), UI_ACTION_DISPLAY_MESSAGE,
	       "KEY_ENTER opens the message");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, 127), UI_ACTION_PREVIOUS_LINE,
	       "DEL is Backspace in the pager");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, 8), UI_ACTION_PREVIOUS_LINE,
	       "^H is Backspace in the pager");

	struct err e;
	err_init(&e);
	is_int(keymap_bind(km, "index", "^M", "delete", &e), 0, "bind ^M in the index");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, KEY_ENTER), UI_ACTION_DELETE_MESSAGE,
	       "binding ^M rebinds KEY_ENTER too");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, '\n'), UI_ACTION_DELETE_MESSAGE,
	       "binding ^M rebinds LF too");
	keymap_free(&km);
}

static void test_generic_fallthrough(void)
{
	struct keymap *km = keymap_new_default();
	struct err e;
	err_init(&e);

	is_int(keymap_lookup(km, UI_SCREEN_ATTACH, '*'), UI_ACTION_LAST_ENTRY,
	       "attach: * falls through to generic last-entry");
	is_int(keymap_bind(km, "generic", "X", "help", &e), 0, "bind generic X help");
	is_int(keymap_lookup(km, UI_SCREEN_FOLDERS, 'X'), UI_ACTION_HELP,
	       "a new generic binding reaches the folders screen");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, 'X'), UI_ACTION_HELP,
	       "a new generic binding reaches the pager");
	is_int(keymap_bind(km, "generic", "d", "exit", &e), 0, "bind generic d exit");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 'd'), UI_ACTION_DELETE_MESSAGE,
	       "the index's own d wins over generic d");
	is_int(keymap_lookup(km, UI_SCREEN_ATTACH, 'd'), UI_ACTION_EXIT,
	       "attach has no d of its own: generic d applies");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 'j'), UI_ACTION_NEXT_UNDELETED,
	       "index j overrides generic j");
	is_int(keymap_lookup(km, UI_SCREEN_HELP, 'j'), UI_ACTION_NEXT_ENTRY,
	       "help j is generic next-entry");
	keymap_free(&km);
}

static void test_rebind(void)
{
	struct keymap *km = keymap_new_default();
	struct err e;
	err_init(&e);

	is_int(keymap_apply_directive(km, "index D delete", &e), 0,
	       "the issue's 'bind index D delete' applies");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 'D'), UI_ACTION_DELETE_MESSAGE,
	       "D deletes in the index");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 'd'), UI_ACTION_DELETE_MESSAGE,
	       "d still deletes");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, 'D'), UI_ACTION_NONE,
	       "the index binding does not reach the pager");
	is_int(keymap_apply_directive(km, "\tindex,pager\t<F2>  flag-message ", &e), 0,
	       "tabs, extra blanks and a screen list accepted");
	ok(keymap_lookup(km, UI_SCREEN_INDEX, KEY_F(2)) == UI_ACTION_FLAG_MESSAGE &&
	   keymap_lookup(km, UI_SCREEN_PAGER, KEY_F(2)) == UI_ACTION_FLAG_MESSAGE,
	   "index,pager binds both screens");
	is_int(keymap_apply_directive(km, "index \\Cd sync", &e), 0, "bind \\Cd sync");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 4), UI_ACTION_SYNC_MAILBOX,
	       "\\Cd is Ctrl-D, sync an alias of sync-mailbox");
	is_int(keymap_apply_directive(km, "pager '\"' next-page", &e), 0,
	       "a single-quoted \" key");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, '"'), UI_ACTION_NEXT_PAGE,
	       "\" bound in the pager");
	is_int(keymap_apply_directive(km, "pager \"\\\"\" previous-page", &e), 0,
	       "a double-quoted \\\" key");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, '"'), UI_ACTION_PREVIOUS_PAGE,
	       "the later binding of \" wins");
	is_int(keymap_apply_directive(km, "index \" \" exit", &e), 0,
	       "a quoted space key");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, ' '), UI_ACTION_EXIT,
	       "space rebound in the index");
	is_int(keymap_apply_directive(km, "browser = last-entry", &e), 0,
	       "browser is an alias of folders; = is a key");
	is_int(keymap_lookup(km, UI_SCREEN_FOLDERS, '='), UI_ACTION_LAST_ENTRY,
	       "= rebound on the folders screen");
	keymap_free(&km);
}

static void test_noop(void)
{
	struct keymap *km = keymap_new_default();
	struct err e;
	err_init(&e);

	is_int(keymap_apply_directive(km, "index d noop", &e), 0, "bind index d noop");
	is_int(keymap_lookup(km, UI_SCREEN_INDEX, 'd'), UI_ACTION_NOOP,
	       "d is bound to nothing in the index");
	is_int(keymap_lookup(km, UI_SCREEN_PAGER, 'd'), UI_ACTION_DELETE_MESSAGE,
	       "the pager keeps d");
	is_int(keymap_apply_directive(km, "attach q noop", &e), 0, "bind attach q noop");
	is_int(keymap_lookup(km, UI_SCREEN_ATTACH, 'q'), UI_ACTION_NOOP,
	       "noop hides the generic q on one screen");
	is_int(keymap_lookup(km, UI_SCREEN_FOLDERS, 'q'), UI_ACTION_EXIT,
	       "other screens keep the generic q");
	is_int(keymap_first_key(km, UI_SCREEN_ATTACH, UI_ACTION_EXIT), -1,
	       "no key exits the attach screen after the noop");

	struct keymap_binding list[KEYMAP_KEYS];
	size_t n = keymap_list(km, UI_SCREEN_ATTACH, list, KEYMAP_KEYS);
	bool found_q = false;
	for (size_t i = 0; i < n; i++)
		if (list[i].key == 'q')
			found_q = true;
	ok(!found_q, "the help list leaves out keys bound to noop");
	keymap_free(&km);
}

/* A bad directive fails with a message holding want, and changes nothing. */
static void bad_directive(const char *text, const char *want)
{
	struct keymap *km = keymap_new_default();
	struct err e;
	err_init(&e);
	int rc = keymap_apply_directive(km, text, &e);
	bool good = rc == -1 && e.code == ERR_CONFIG &&
		    strncmp(e.msg, "bind: ", 6) == 0 && strstr(e.msg, want) != NULL;
	if (!ok(good, "'%s' is refused naming %s", text, want))
		diag("rc %d, message: %s", rc, e.msg);
	ok(keymap_lookup(km, UI_SCREEN_INDEX, 'd') == UI_ACTION_DELETE_MESSAGE &&
	   keymap_lookup(km, UI_SCREEN_PAGER, 'd') == UI_ACTION_DELETE_MESSAGE,
	   "'%s' left the bindings alone", text);
	keymap_free(&km);
}

static void test_errors(void)
{
	bad_directive("index d delet", "unknown action 'delet'");
	bad_directive("indx d delete", "unknown screen 'indx'");
	bad_directive("index,pagr d noop", "unknown screen 'pagr'");
	bad_directive("index, d noop", "unknown screen ''");
	bad_directive("index dd delete", "unknown key 'dd'");
	bad_directive("index <PgDn> delete", "unknown key '<PgDn>'");
	bad_directive("index d", "expected SCREEN KEY ACTION");
	bad_directive("index d delete # comment", "expected SCREEN KEY ACTION");
	bad_directive("", "expected SCREEN KEY ACTION");
	bad_directive("index \"d delete", "unterminated quote");
	bad_directive("index,pager d limit", "'limit' is not available on screen 'pager'");
	bad_directive("generic d delete-message",
		      "'delete-message' is not available on screen 'generic'");
	bad_directive("index d view-mailcap", "'view-mailcap' is not available");
	bad_directive("attach Y edit-label", "'edit-label' is not available on screen 'attach'");
	bad_directive("index d DELETE", "unknown action 'DELETE'");
	bad_directive("index d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		      "longer than 63");
}

static void test_names(void)
{
	enum ui_action a;
	enum ui_screen s;
	int unnamed = 0, round = 0;

	for (int i = UI_ACTION_NOOP; i < UI_ACTION_COUNT; i++) {
		const char *name = keymap_action_name((enum ui_action)i);
		if (keymap_action_from_name(name, &a) < 0 || a != (enum ui_action)i)
			round++;
		if (strcmp(keymap_action_description((enum ui_action)i), "") == 0 ||
		    strcmp(name, "?") == 0)
			unnamed++;
	}
	is_int(round, 0, "every action name reads back as its action");
	is_int(unnamed, 0, "every action has a name and a description");
	is_str(keymap_action_name(UI_ACTION_DELETE_MESSAGE), "delete-message",
	       "mutt's name delete-message");
	is_str(keymap_action_name(UI_ACTION_NONE), "?", "NONE has no name");
	is_str(keymap_action_description(UI_ACTION_HELP), "show the keys of this screen",
	       "help's description");
	ok(keymap_action_from_name("flag", &a) == 0 && a == UI_ACTION_FLAG_MESSAGE,
	   "flag is an alias of flag-message");
	ok(keymap_action_from_name("edit-label", &a) == 0 && a == UI_ACTION_EDIT_LABEL,
	   "mutt's edit-label edits the keywords");
	is_str(keymap_action_description(UI_ACTION_EDIT_LABEL),
	       "edit the message's keywords (labels)", "edit-label's description");
	ok(keymap_action_from_name("imap-fetch-mail", &a) == 0 &&
	   a == UI_ACTION_FETCH_MAIL, "mutt's imap-fetch-mail is fetch-mail");
	is_int(keymap_action_from_name("", &a), -1, "the empty name is no action");
	for (int i = 0; i < UI_SCREEN_COUNT; i++)
		if (keymap_screen_from_name(keymap_screen_name((enum ui_screen)i), &s) < 0 ||
		    s != (enum ui_screen)i)
			round++;
	is_int(round, 0, "every screen name reads back as its screen");
	is_str(keymap_screen_name(UI_SCREEN_ATTACH), "attach", "attach screen name");
}

static void test_list(void)
{
	struct keymap *km = keymap_new_default();
	struct keymap_binding list[KEYMAP_KEYS];
	size_t n = keymap_list(km, UI_SCREEN_INDEX, list, KEYMAP_KEYS);

	bool sorted = true, has_enter = false, has_down = false;
	int enters = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (list[i].action < list[i - 1].action ||
			      (list[i].action == list[i - 1].action &&
			       list[i].key <= list[i - 1].key)))
			sorted = false;
		if (list[i].action == UI_ACTION_DISPLAY_MESSAGE && list[i].key == '\n')
			has_enter = true;
		if (list[i].action == UI_ACTION_NEXT_ENTRY && list[i].key == KEY_DOWN)
			has_down = true;
		if (list[i].key == '\n' || list[i].key == '\r' || list[i].key == KEY_ENTER)
			enters++;
	}
	ok(sorted, "the index list is sorted by action, then key");
	ok(has_enter, "the index list has <Enter> display-message");
	ok(has_down, "the index list has the generic <Down> next-entry");
	is_int(enters, 1, "Enter is listed once, not once per code");
	is_int(list[0].action, UI_ACTION_NEXT_ENTRY, "the list starts with next-entry");

	size_t m = keymap_list(km, UI_SCREEN_INDEX, list, 3);
	is_int((long long)m, (long long)n, "a short array still gets the full count");
	is_int(keymap_first_key(km, UI_SCREEN_INDEX, UI_ACTION_DISPLAY_MESSAGE), '\n',
	       "first key of display-message is Enter (no printable one)");
	is_int(keymap_first_key(km, UI_SCREEN_INDEX, UI_ACTION_NEXT_ENTRY), 'J',
	       "first key of next-entry prefers printable J over <Down>");
	is_int(keymap_first_key(km, UI_SCREEN_PAGER, UI_ACTION_LIMIT), -1,
	       "no key limits in the pager");
	/* What the help screen (ui_help) shows: Y edit-label in both. */
	for (int s = UI_SCREEN_INDEX; s <= UI_SCREEN_PAGER; s++) {
		n = keymap_list(km, (enum ui_screen)s, list, KEYMAP_KEYS);
		bool has_y = false;
		for (size_t i = 0; i < n; i++)
			has_y |= list[i].key == 'Y' && list[i].action == UI_ACTION_EDIT_LABEL;
		ok(has_y, "the %s's help lists Y edit-label", keymap_screen_name((enum ui_screen)s));
	}
	keymap_free(&km);
}

int main(void)
{
	test_key_names();
	test_defaults();
	test_enter_variants();
	test_generic_fallthrough();
	test_rebind();
	test_noop();
	test_errors();
	test_names();
	test_list();
	return done_testing();
}
