#include "config.h"

#include "cli_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "be_imap.h"
#include "cli_hooks.h"
#include "cli_list.h"
#include "fsutil.h"
#include "i18n.h"
#include "mbox_search.h"
#include "query.h"

long cli_search_mbox(const char *path, const char *query, bool count,
		     struct logger *lg, struct err *e)
{
	char *cache = cli_list_cache_path(lg);
	if (cache == NULL)
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("search needs the cache directory (see --log)"));
	struct mbox_index ix;
	size_t *seqs, n;
	int rc = mbox_search(path, cache, query, &ix, &seqs, &n, e);
	free(cache);
	if (rc < 0)
		return -1;
	log_info(lg, "search %s: %zu of %zu messages match", path, n, ix.n);
	if (count)
		printf("%zu\n", n);
	else
		for (size_t i = 0; i < n; i++)
			cli_list_print(&ix, seqs[i], stdout);
	free(seqs);
	mbox_index_close(&ix);
	return (long)n;
}

long cli_search_imap(const struct cfg_account *acct, const char *folder, const char *query,
		     bool count, struct logger *lg, struct err *e)
{
	struct query_node *q = NULL;
	if (query_parse(query, strlen(query), &q, e) < 0)
		return -1;
	struct cli_hooks h;
	const struct ui_hooks *hooks = cli_hooks_init(&h); /* before any failure: finished below */
	char *state = fs_xdg_dir(XDG_STATE, true, e);
	struct be_account *a = NULL;
	struct be_folder *f = NULL;
	int rc = state == NULL ? -1 : be_imap_open(&a, acct, state, hooks, lg, e);
	free(state);
	if (rc == 0)
		rc = be_imap_open_matches(a, folder ? folder : acct->folder, q, &f, e);
	cli_hooks_finish(&h);
	query_free(&q);
	long n = rc == 0 ? (long)f->n : -1;
	if (rc == 0 && count)
		printf("%ld\n", n);
	else if (rc == 0)
		cli_list_folder(f, stdout);
	if (rc == 0)
		log_info(lg, "search %s/%s: %ld messages match", acct->name, f->name, n);
	if (f != NULL)
		a->ops->close_folder(&f);
	if (a != NULL)
		a->ops->close_account(&a);
	return n;
}
