/* ui_keywords: Y (mutt's edit-label) -- a message's keywords edited on the
 * message line.  What the edit added and what it removed go to the
 * backend (set_keywords), never the whole list: keywords another client
 * set meanwhile stay. */
#include "config.h"

#include <string.h>

#include "i18n.h"
#include "keywords.h"
#include "prompt.h"
#include "ui_private.h"

/* Sends what edited changes in old; says what came of it. */
static void send_change(struct ui *u, size_t msg, const char *old, const char *edited)
{
	struct buf add, remove;
	buf_init(&add, PROMPT_MAX);
	buf_init(&remove, PROMPT_MAX);
	/* (Both fit: each is a part of the prompt's answer or of old.) */
	buf_cut_ok(keywords_diff(old, edited, &add, &remove));
	if (add.len == 0 && remove.len == 0) {
		ui_say(u, _("Keywords unchanged."));
	} else {
		uint64_t uid = u->folder->msgs[msg].uid;
		unsigned generation = u->folder->generation;
		struct err e;
		err_init(&e);
		if (u->acct->ops->set_keywords(u->folder, &msg, 1, add.data, remove.data, &e) < 0) {
			ui_error(u, "%s", e.msg);
		} else {
			size_t i = ui_find_uid(u, uid);
			const char *now = i != (size_t)-1 ? u->folder->msgs[i].keywords : NULL;
			ui_say(u, _("Keywords: %s"), now != NULL && *now ? now : _("none"));
		}
		ui_view_follow(u, generation, uid);
	}
	buf_release(&add);
	buf_release(&remove);
}

void ui_edit_keywords(struct ui *u, size_t msg)
{
	if (!(u->acct->caps & BE_CAP_KEYWORDS) || u->acct->ops->set_keywords == NULL) {
		ui_error(u, _("This account keeps no keywords (an IMAP account does)."));
		return;
	}
	if (u->folder->readonly) {
		ui_error(u, _("This folder is read-only."));
		return;
	}
	if (u->folder->offline) {
		ui_error(u, _("Offline: keywords need the server."));
		return;
	}
	const char *old = u->folder->msgs[msg].keywords;
	if (old != NULL && strlen(old) >= PROMPT_MAX) {
		/* Cut short in the prompt, the rest would read as removed. */
		ui_error(u, _("Too many keywords to edit here."));
		return;
	}
	struct buf edited;
	buf_init(&edited, PROMPT_MAX);
	if (prompt_line(_("Keywords: "), old != NULL ? old : "", &edited) == 0)
		send_change(u, msg, old, edited.data);
	buf_release(&edited);
}
