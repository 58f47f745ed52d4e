#include "config.h"

#include "be_mbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "i18n.h"
#include "mbox_append.h"
#include "mbox_index.h"
#include "mbox_rewrite.h"
#include "mbox_scan.h"
#include "mbox_search.h"
#include "mem.h"

#define MESSAGE_MAX ((size_t)256 << 20)
#define COPY_BATCH_BYTES ((size_t)16 << 20)

struct mbox_account {
	char *path;
	char *cache;
	bool missing_ok;
};

struct mbox_folder {
	struct mbox_index ix;
	bool have_file; /* false: the file does not exist (yet) */
};

static const struct backend_ops mbox_ops;

static struct mbox_account *acct_of(const struct be_folder *f)
{
	return f->account->priv;
}

static struct mbox_folder *priv_of(const struct be_folder *f)
{
	return f->priv;
}

/* Makes msgs describe the index afresh: pending changes are dropped. */
static void rebuild(struct be_folder *f)
{
	struct mbox_index *ix = &priv_of(f)->ix;
	free(f->msgs);
	f->msgs = xcalloc(ix->n ? ix->n : 1, sizeof(*f->msgs));
	for (size_t i = 0; i < ix->n; i++) {
		f->msgs[i].sum = &ix->msgs[i].sum;
		f->msgs[i].flags = ix->msgs[i].sum.flags;
		f->msgs[i].uid = ix->msgs[i].doc > 0 ? (uint64_t)ix->msgs[i].doc : i + 1;
	}
	f->n = ix->n;
	f->generation++;
	f->dirty = false;
}

static void notice(const struct be_folder *f, const char *text)
{
	const struct ui_hooks *ui = f->account->ui;
	if (ui != NULL && ui->notice != NULL)
		ui->notice(ui->ctx, text);
}

/* ------------------------------------------------------------ folders */

static int list_folders(struct be_account *a, struct be_folder_info **list_r,
			size_t *n_r, struct err *e)
{
	(void)e;
	struct mbox_account *ma = a->priv;
	struct be_folder_info *fi = xcalloc(1, sizeof(*fi));
	fi->name = xstrdup(ma->path);
	fi->display = xstrdup(a->name);
	fi->role = BE_ROLE_INBOX;
	fi->total = fi->unread = -1;
	fi->selectable = fi->subscribed = true;
	*list_r = fi;
	*n_r = 1;
	return 0;
}

struct progress_ctx {
	const struct ui_hooks *ui;
	const char *what;
};

static bool scan_progress(void *ctx, size_t done, size_t total)
{
	struct progress_ctx *p = ctx;
	return p->ui->progress(p->ui->ctx, p->what, done, total, "bytes");
}

/* Opens (or reopens) the index of the folder's file into ix. */
static int open_index(struct be_folder *f, struct mbox_index *ix, bool *have_r,
		      struct err *e)
{
	struct mbox_account *ma = acct_of(f);
	const struct ui_hooks *ui = f->account->ui;
	char what[256];
	snprintf(what, sizeof(what), _("Reading %s"), f->account->name);
	struct progress_ctx pc = { ui, what };
	struct mbox_index_progress p = { scan_progress, &pc };
	int rc = mbox_index_open_with(ix, ma->path, ma->cache,
				      ui && ui->progress ? &p : NULL, e);
	*have_r = rc >= 0;
	if (rc < 0 && e->code == ERR_NOTFOUND && ma->missing_ok) {
		memset(ix, 0, sizeof(*ix));
		ix->file.fd = -1;
		err_init(e);
		return 0;
	}
	if (rc > 0)
		notice(f, _("the summary cache could not be written; the next "
			    "start will read the mailbox again"));
	return rc < 0 ? -1 : 0;
}

static int open_folder(struct be_account *a, const char *name, bool readonly,
		       struct be_folder **f_r, struct err *e)
{
	(void)name; /* the account has one folder */
	struct be_folder *f = xcalloc(1, sizeof(*f));
	struct mbox_folder *mf = xcalloc(1, sizeof(*mf));
	f->account = a;
	f->name = xstrdup(a->name);
	f->readonly = readonly;
	f->priv = mf;
	if (open_index(f, &mf->ix, &mf->have_file, e) < 0) {
		free(f->name);
		free(mf);
		free(f);
		return -1;
	}
	rebuild(f);
	*f_r = f;
	return 0;
}

static void close_folder(struct be_folder **fp)
{
	struct be_folder *f = *fp;
	if (f == NULL)
		return;
	mbox_index_close(&priv_of(f)->ix);
	free(f->priv);
	free(f->msgs);
	free(f->name);
	free(f);
	*fp = NULL;
}

/* ------------------------------------------------------------ messages */

/* Whether the file still holds at least what is mapped: a file another
 * program made shorter must not be read through the old mapping (SIGBUS).
 * (A change between this check and the read is not covered.) */
static bool mapping_valid(const struct mbox_index *ix)
{
	struct stat st;
	return ix->file.fd >= 0 && fstat(ix->file.fd, &st) == 0 &&
	       (size_t)st.st_size >= ix->file.len;
}

static int fetch(struct be_folder *f, size_t i, enum be_fetch what, struct buf *out,
		 struct err *e)
{
	(void)what; /* a local file: the whole message costs nothing more */
	struct mbox_index *ix = &priv_of(f)->ix;
	if (i >= ix->n)
		return err_set(e, ERR_MESSAGE, ERR_NOTFOUND, _("no message %zu"), i + 1);
	if (!mapping_valid(ix))
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("%s was changed by another program; reopen it"),
			       acct_of(f)->path);
	const struct mbox_msg *m = &ix->msgs[i].pos;
	if (mbox_unquote(ix->file.data + m->start, m->end - m->start, out) < 0)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("message %zu is too large"), i + 1);
	return 0;
}

static bool any_pending(const struct be_folder *f)
{
	for (size_t i = 0; i < f->n; i++)
		if ((f->msgs[i].flags ^ f->msgs[i].sum->flags) & MBOX_REWRITE_FLAGS)
			return true;
	return false;
}

static int set_flags(struct be_folder *f, const size_t *idx, size_t n, unsigned set,
		     unsigned clear, struct err *e)
{
	for (size_t k = 0; k < n; k++) {
		if (idx[k] >= f->n)
			return err_set(e, ERR_MESSAGE, ERR_NOTFOUND, _("no message %zu"),
				       idx[k] + 1);
		f->msgs[idx[k]].flags = (f->msgs[idx[k]].flags | set) & ~clear;
	}
	f->dirty = any_pending(f);
	return 0;
}

static unsigned *current_flags(const struct be_folder *f)
{
	unsigned *fl = xcalloc(f->n ? f->n : 1, sizeof(*fl));
	for (size_t i = 0; i < f->n; i++)
		fl[i] = f->msgs[i].flags;
	return fl;
}

/* Carries the pending changes of msgs over to nix (the file as it is
 * now), then makes it the folder's index.  Returns how many changed
 * messages were no longer there. */
static size_t adopt(struct be_folder *f, struct mbox_index *nix)
{
	struct mbox_index *ix = &priv_of(f)->ix;
	size_t *map = xcalloc(ix->n ? ix->n : 1, sizeof(*map));
	mbox_index_match(ix, nix, map);
	unsigned *want = xcalloc(nix->n ? nix->n : 1, sizeof(*want));
	bool *set = xcalloc(nix->n ? nix->n : 1, sizeof(*set));
	size_t lost = 0;
	for (size_t i = 0; i < f->n; i++) {
		bool pending = (f->msgs[i].flags ^ f->msgs[i].sum->flags) & MBOX_REWRITE_FLAGS;
		if (pending && map[i] != (size_t)-1) {
			want[map[i]] = f->msgs[i].flags;
			set[map[i]] = true;
		} else if (pending) {
			lost++;
		}
	}
	mbox_index_close(ix);
	*ix = *nix;
	rebuild(f);
	for (size_t j = 0; j < f->n; j++)
		if (set[j])
			f->msgs[j].flags = want[j];
	f->dirty = any_pending(f);
	free(map);
	free(want);
	free(set);
	return lost;
}

static void report_lost(struct be_folder *f, size_t lost)
{
	if (lost == 0)
		return;
	char text[256];
	snprintf(text, sizeof(text),
		 ngettext("%zu change was lost: its message is no longer in the mailbox",
			  "%zu changes were lost: their messages are no longer in the mailbox",
			  lost), lost);
	notice(f, text);
}

static int sync_folder(struct be_folder *f, bool expunge, struct err *e)
{
	struct mbox_folder *mf = priv_of(f);
	if (f->readonly)
		return err_set(e, ERR_FOLDER, ERR_PERM, _("%s is open read-only"), f->name);
	if (!mf->have_file)
		return 0;
	unsigned *fl = current_flags(f);
	const struct mbox_entry *before = mf->ix.msgs;
	size_t n_before = mf->ix.n;
	size_t lost = 0;
	int rc = mbox_sync(&mf->ix, acct_of(f)->path, acct_of(f)->cache, fl, expunge,
			   NULL, &lost, e);
	if (rc == 0 || mf->ix.msgs != before || mf->ix.n != n_before) {
		/* The index was replaced: what was pending is written, or
		 * (after a failure on a changed file) carried no further. */
		bool pending = rc < 0 && f->dirty;
		rebuild(f);
		if (pending)
			notice(f, _("the mailbox was changed by another program; "
				    "tern's unsaved changes were dropped"));
	}
	free(fl);
	report_lost(f, lost);
	return rc;
}

static int check(struct be_folder *f, unsigned *changes_r, struct err *e)
{
	struct mbox_folder *mf = priv_of(f);
	*changes_r = 0;
	struct stat st;
	bool exists = stat(acct_of(f)->path, &st) == 0;
	if (!exists && !mf->have_file)
		return 0;
	struct mbox_identity *id = &mf->ix.id;
	if (exists && mf->have_file && (long long)st.st_dev == id->dev &&
	    (long long)st.st_ino == id->ino && (long long)st.st_size == id->size &&
	    (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == id->mtime)
		return 0;
	struct mbox_index nix;
	bool have;
	if (open_index(f, &nix, &have, e) < 0)
		return -1;
	size_t old_n = f->n;
	mf->have_file = have;
	size_t lost = adopt(f, &nix);
	report_lost(f, lost);
	*changes_r = BE_CHANGE_REBUILT | (f->n > old_n ? BE_CHANGE_NEW : 0);
	return 0;
}

static int search(struct be_folder *f, const struct query_node *q, size_t **idx_r,
		  size_t *n_r, struct err *e)
{
	struct mbox_folder *mf = priv_of(f);
	*idx_r = NULL;
	*n_r = 0;
	if (!mf->have_file || f->n == 0)
		return 0;
	if (acct_of(f)->cache == NULL)
		return err_set(e, ERR_FOLDER, ERR_UNAVAILABLE,
			       _("search needs the cache directory, which is not available"));
	unsigned *fl = current_flags(f);
	int rc = mbox_search_index(acct_of(f)->path, acct_of(f)->cache, &mf->ix, fl, q,
				   idx_r, n_r, e);
	free(fl);
	return rc;
}

/* Appends messages idx[0..n) to the mbox dest, in batches. */
static int copy(struct be_folder *f, const size_t *idx, size_t n, const char *dest,
		bool move, struct err *e)
{
	char *a = realpath(acct_of(f)->path, NULL), *b = realpath(dest, NULL);
	bool same = a && b && strcmp(a, b) == 0;
	free(a);
	free(b);
	if (same)
		return err_set(e, ERR_FOLDER, ERR_USAGE,
			       _("%s is the mailbox itself"), dest);
	struct mbox_append_msg *batch = xcalloc(n ? n : 1, sizeof(*batch));
	struct buf *data = xcalloc(n ? n : 1, sizeof(*data));
	int rc = 0;
	size_t from = 0, bytes = 0;
	for (size_t k = 0; rc == 0 && k <= n; k++) {
		if (k == n || bytes > COPY_BATCH_BYTES) {
			rc = mbox_append_batch(dest, batch + from, k - from, NULL, e);
			for (size_t j = from; j < k; j++)
				buf_release(&data[j]);
			from = k;
			bytes = 0;
			if (k == n)
				break;
		}
		buf_init(&data[k], MESSAGE_MAX);
		rc = fetch(f, idx[k], BE_FETCH_RAW, &data[k], e);
		const struct summary *s = f->msgs[idx[k]].sum;
		batch[k].sender = s->from_address;
		batch[k].date = s->date != SUMMARY_DATE_UNKNOWN ? (time_t)s->date : time(NULL);
		batch[k].data = data[k].data;
		batch[k].len = data[k].len;
		bytes += data[k].len;
	}
	for (size_t j = from; j < n; j++)
		buf_release(&data[j]);
	free(data);
	free(batch);
	if (rc == 0 && move)
		rc = set_flags(f, idx, n, SUMMARY_DELETED, 0, e);
	return rc;
}

static void close_account(struct be_account **ap)
{
	struct be_account *a = *ap;
	if (a == NULL)
		return;
	struct mbox_account *ma = a->priv;
	free(ma->path);
	free(ma->cache);
	free(ma);
	free(a->name);
	free(a);
	*ap = NULL;
}

static const struct backend_ops mbox_ops = {
	.name = "mbox",
	.caps = BE_CAP_OFFLINE | BE_CAP_COPY,
	.list_folders = list_folders,
	.open_folder = open_folder,
	.close_folder = close_folder,
	.fetch = fetch,
	.set_flags = set_flags,
	.sync = sync_folder,
	.check = check,
	.search = search,
	.copy = copy,
	.close_account = close_account,
};

const struct backend_ops *be_mbox_ops(void)
{
	return &mbox_ops;
}

int be_mbox_open(struct be_account **a_r, const char *name, const char *path,
		 const char *cache_path, bool missing_ok, const struct ui_hooks *ui,
		 struct err *e)
{
	(void)e;
	struct be_account *a = xcalloc(1, sizeof(*a));
	struct mbox_account *ma = xcalloc(1, sizeof(*ma));
	ma->path = xstrdup(path);
	ma->cache = cache_path ? xstrdup(cache_path) : NULL;
	ma->missing_ok = missing_ok;
	a->ops = &mbox_ops;
	a->ui = ui;
	a->name = xstrdup(name ? name : path);
	a->caps = mbox_ops.caps;
	a->priv = ma;
	*a_r = a;
	return 0;
}
