#include "config.h"

#include "cli_folders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_imap.h"
#include "buf.h"
#include "cli_hooks.h"
#include "fsutil.h"
#include "i18n.h"
#include "mem.h"
#include "sanitize.h"
#include "width.h"

#define NAME_COLUMNS_MAX 40

static const char *role_name(enum be_role r)
{
	static const char *const names[] = {
		[BE_ROLE_NONE] = "", [BE_ROLE_INBOX] = N_("inbox"), [BE_ROLE_SENT] = N_("sent"),
		[BE_ROLE_DRAFTS] = N_("drafts"), [BE_ROLE_TRASH] = N_("trash"),
		[BE_ROLE_JUNK] = N_("junk"), [BE_ROLE_ARCHIVE] = N_("archive"),
	};
	return (unsigned)r < sizeof(names) / sizeof(names[0]) && names[r][0] ? _(names[r]) : "";
}

static void count(long n, char out[24])
{
	if (n < 0)
		snprintf(out, 24, "-");
	else
		snprintf(out, 24, "%ld", n);
}

/* NAME  ROLE  UNREAD  TOTAL, the name padded to the longest (in columns). */
static void print(const struct be_folder_info *v, size_t n)
{
	struct buf *names = xcalloc(n ? n : 1, sizeof(*names));
	size_t width = 0;
	for (size_t i = 0; i < n; i++) {
		buf_init(&names[i], 4096);
		buf_cut_ok(sanitize_text(v[i].display, strlen(v[i].display), SANITIZE_LINE,
					 &names[i]));
		size_t w = width_of(names[i].data, names[i].len);
		if (w > width)
			width = w < NAME_COLUMNS_MAX ? w : NAME_COLUMNS_MAX;
	}
	size_t role_width = 0;
	for (size_t i = 0; i < n; i++) {
		const char *r = role_name(v[i].role);
		size_t w = width_of(r, strlen(r));
		role_width = w > role_width ? w : role_width;
	}
	for (size_t i = 0; i < n; i++) {
		char unread[24], total[24];
		count(v[i].unread, unread);
		count(v[i].total, total);
		size_t w = width_of(names[i].data, names[i].len);
		const char *role = role_name(v[i].role);
		size_t rw = width_of(role, strlen(role));
		/* Padded by columns, not bytes: names and roles may be UTF-8. */
		printf("%s%*s  %s%*s %7s %7s%s\n", names[i].data, (int)(w < width ? width - w : 0), "",
		       role, (int)(role_width - rw), "", unread, total,
		       v[i].selectable ? "" : _("  (not selectable)"));
		buf_release(&names[i]);
	}
	free(names);
}

int cli_folders(const struct cfg_account *acct, struct logger *lg, struct err *e)
{
	char *state_dir = fs_xdg_dir(XDG_STATE, true, e);
	if (state_dir == NULL)
		return -1;
	struct cli_hooks h;
	struct be_account *a = NULL;
	int rc = be_imap_open(&a, acct, state_dir, cli_hooks_init(&h), lg, e);
	free(state_dir);
	struct be_folder_info *v = NULL;
	size_t n = 0;
	if (rc == 0)
		rc = a->ops->list_folders(a, &v, &n, e);
	bool offline = rc == 0 && a->offline;
	if (a != NULL)
		a->ops->close_account(&a);
	cli_hooks_finish(&h);
	if (rc < 0)
		return -1;
	if (offline)
		fprintf(stderr, _("tern: %s cannot be reached: the folders are as they were last "
				  "seen\n"), acct->host);
	print(v, n);
	be_folder_list_free(&v, n);
	return 0;
}
