#include "config.h"

#include "cli_fetch.h"

#include <stdio.h>
#include <stdlib.h>

#include "be_pop3.h"
#include "cli_hooks.h"
#include "buf.h"
#include "fsutil.h"
#include "i18n.h"

/* ------------------------------------------------------------ fetch */

int cli_fetch(const struct cfg_account *acct, struct logger *lg, struct err *e)
{
	char *state_dir = fs_xdg_dir(XDG_STATE, true, e);
	if (state_dir == NULL)
		return -1;
	struct pop3_report r;
	log_info(lg, "fetch %s: %s:%u", acct->name, acct->host, cfg_account_port(acct));
	struct cli_hooks h;
	int rc = be_pop3_fetch(acct, state_dir, cli_hooks_init(&h), &r, e);
	free(state_dir);
	cli_hooks_finish(&h);
	if (r.no_uidl)
		fprintf(stderr, _("tern: warning: %s has no UIDL: messages are known by "
				  "their headers\n"), acct->host);
	if (r.bad_uidl > 0)
		fprintf(stderr, _("tern: warning: %s gave %zu bad or duplicate UIDLs\n"),
			acct->host, r.bad_uidl);
	if (r.held > 0)
		fprintf(stderr, _("tern: warning: %zu messages from %s were not the size the "
				  "server announced; they are stored as they came and left on "
				  "the server\n"), r.held, acct->host);
	char size[32];
	if (r.bytes >= (1u << 20))
		snprintf(size, sizeof(size), "%.1f MB", (double)r.bytes / (1 << 20));
	else
		snprintf(size, sizeof(size), "%.0f KB", (double)r.bytes / 1024);
	/* After an error the summary says only what was stored before it. */
	if (rc == 0 || r.fetched > 0)
		printf(_("%s: %zu new (%s), %zu deleted on the server, %zu skipped, %zu on "
			 "the server\n"), acct->name, r.fetched, size, r.deleted, r.skipped,
		       r.listed);
	log_info(lg, "fetch %s: %zu new, %zu deleted, %zu skipped, %zu recovered", acct->name,
		 r.fetched, r.deleted, r.skipped, r.recovered);
	return rc;
}
