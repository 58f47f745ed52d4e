#include "config.h"

#include "cli_search.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli_list.h"
#include "i18n.h"
#include "mbox_search.h"

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
