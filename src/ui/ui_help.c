#include "config.h"

#include <string.h>

#include "i18n.h"
#include "ui_private.h"

#define BINDINGS_MAX KEYMAP_KEYS

/* ? : the keys of a screen as they are bound now, with what they do. */
void ui_help(struct ui *u, enum ui_screen screen)
{
	static struct keymap_binding list[BINDINGS_MAX];
	size_t n = keymap_list(u->km, screen, list, BINDINGS_MAX);
	if (n > BINDINGS_MAX)
		n = BINDINGS_MAX;
	size_t top = 0;
	for (;;) {
		int rows = ui_body_rows();
		erase();
		ui_draw_help_line(u, UI_SCREEN_HELP);
		for (int r = 0; r < rows && top + (size_t)r < n; r++) {
			const struct keymap_binding *b = &list[top + (size_t)r];
			char name[KEYMAP_KEY_NAME_MAX];
			struct buf line;
			buf_init(&line, 1024);
			buf_cut_ok(buf_printf(&line, "%-12s %-22s %s", keymap_key_name(b->key, name),
					      keymap_action_name(b->action),
					      keymap_action_description(b->action)));
			term_put(1 + r, 0, line.data, line.len, COLS, ui_attr(u, UI_C_HELP), true);
			buf_release(&line);
		}
		char title[128];
		snprintf(title, sizeof(title), _("Help for %s"), keymap_screen_name(screen));
		ui_draw_status(u, title);
		ui_draw_message_line(u);
		refresh();
		int key = term_key(-1, -1);
		if (key == TERM_KEY_NONE || key == TERM_FKEY(KEY_RESIZE))
			continue;
		enum ui_action a = keymap_lookup(u->km, UI_SCREEN_HELP, ui_keymap_code(key));
		size_t last = n > (size_t)rows ? n - (size_t)rows : 0;
		if (a == UI_ACTION_EXIT || a == UI_ACTION_QUIT || a == UI_ACTION_HELP)
			return;
		if (a == UI_ACTION_NEXT_PAGE)
			top = top + (size_t)rows < last ? top + (size_t)rows : last;
		else if (a == UI_ACTION_PREVIOUS_PAGE)
			top = top > (size_t)rows ? top - (size_t)rows : 0;
		else if ((a == UI_ACTION_NEXT_ENTRY || a == UI_ACTION_NEXT_LINE) && top < last)
			top++;
		else if ((a == UI_ACTION_PREVIOUS_ENTRY || a == UI_ACTION_PREVIOUS_LINE) && top > 0)
			top--;
	}
}
