/* ui: the full-screen reader (ncurses): index, pager, attachments,
 * folders and help, over one account of the backend interface.
 *
 * The UI knows only core/ (backend.h, the query language, the view and
 * pager text) and mime/ (rendering): it tests the account's capability
 * flags, never its backend.  Every string from a message or a server
 * reaches the terminal through the sanitiser (term.h). */
#ifndef TERN_UI_H
#define TERN_UI_H

#include "backend.h"
#include "cfg.h"
#include "err.h"

struct ui_options {
	const struct cfg *cfg;  /* [ui] settings, headers, html_command */
	const char *cache_dir;  /* for temporary files of attachments; NULL: $TMPDIR */
	/* Opens another mbox by path for "change folder" on accounts without
	 * folders (NULL: not offered). */
	int (*open_path)(void *ctx, const char *path, const struct ui_hooks *ui,
			 struct be_account **a_r, struct err *e);
	void *open_ctx;
	const char *first_folder; /* the folder to open first; NULL: the
				     account's own first (INBOX, the mbox) */
};

/* Runs the reader on account a (opened with hooks that ui_hooks_for()
 * gives) until the person quits.  Returns 0, or -1 with e filled (the
 * terminal is restored either way).  a stays the caller's; the UI may
 * replace it (change folder), so it is passed by reference. */
int ui_run(struct be_account **a, const struct ui_options *opt, struct err *e);

/* The ui_hooks the reader answers (progress bar, notices, password
 * prompt).  Valid for the whole program. */
const struct ui_hooks *ui_hooks_terminal(void);

#endif
