/* be_imap_summary: the summaries of a folder's messages, fetched by
 * sequence number -- newest first, in chunks, several FETCH commands in
 * flight -- and the rule that only such a fetch adds messages to the list
 * (be_imap_private.h: be_imap_adding_begin); for a reader, a big folder
 * loaded in steps. */
#include "config.h"

#include "be_imap_private.h"

#include <stdio.h>

#include "i18n.h"

#define FETCH_CHUNK 2000        /* messages per FETCH of summaries */
#define FETCH_WINDOW 4          /* such FETCHes in flight */

void be_imap_adding_begin(struct imap_folder *x)
{
	x->adding = true;
	x->added = 0;
}

int be_imap_adding_end(struct imap_folder *x, int rc)
{
	/* Added messages are the last ones: from the first add on the list
	 * is unsorted, and then only VANISHED removes (counting those of
	 * them it takes), expunge_seq does not. */
	if (rc < 0 && x->added <= x->n) {
		for (size_t i = x->n - x->added; i < x->n; i++)
			summary_release(&x->msgs[i].sum);
		x->n -= x->added;
	}
	x->adding = false;
	x->added = 0;
	return rc;
}

/* A summary fetch that failed: the list is as it was before. */
static int summaries_failed(struct imap_folder *x, bool was_sorted)
{
	be_imap_adding_end(x, -1);
	x->sorted = was_sorted;
	return -1;
}

/* Summaries of messages from_seq..top by sequence number, newest first,
 * in chunks with FETCH_WINDOW in flight, reporting progress if report. */
static int fetch_range(struct be_folder *f, uint32_t from_seq, uint32_t top, bool report,
		       struct err *e)
{
	struct imap_folder *x = f->priv;
	struct imap *p = x->link->p;
	unsigned tags[FETCH_WINDOW];
	size_t in_flight = 0, head = 0;
	uint32_t next_hi = top;
	uint64_t total = top >= from_seq ? top - from_seq + 1 : 0, done = 0;
	char what[300];
	snprintf(what, sizeof(what), _("Reading %s"), f->name);
	bool was_sorted = x->sorted;
	x->sorted = false;
	be_imap_adding_begin(x);
	while (next_hi >= from_seq || in_flight > 0) {
		while (next_hi >= from_seq && next_hi > 0 && in_flight < FETCH_WINDOW) {
			uint32_t lo = next_hi >= from_seq + FETCH_CHUNK - 1 ? next_hi - FETCH_CHUNK + 1
									    : from_seq;
			char range[192];
			snprintf(range, sizeof(range), "%u:%u %s", lo, next_hi,
				 BE_IMAP_SUMMARY_ITEMS_FOR(p));
			struct imap_cmd c;
			imap_cmd_init(&c, p, "FETCH");
			imap_cmd_raw(&c, range);
			int rc = imap_send(p, &c, be_imap_untagged, x, &tags[(head + in_flight) % FETCH_WINDOW], e);
			imap_cmd_release(&c);
			if (rc < 0)
				return summaries_failed(x, was_sorted);
			in_flight++;
			done += next_hi - lo + 1;
			next_hi = lo - 1;
		}
		if (in_flight == 0)
			break;
		if (imap_wait(p, tags[head], be_imap_untagged, x, e) < 0)
			return summaries_failed(x, was_sorted);
		head = (head + 1) % FETCH_WINDOW;
		in_flight--;
		const struct ui_hooks *ui = report ? f->account->ui : NULL;
		if (ui != NULL && ui->progress != NULL && total > FETCH_CHUNK &&
		    !ui->progress(ui->ctx, what, done - in_flight * FETCH_CHUNK, total, "messages"))
			x->cancelled = true;
	}
	be_imap_adding_end(x, 0);
	be_imap_sort(x);
	return 0;
}

int be_imap_fetch_summaries(struct be_folder *f, uint32_t from_seq, struct err *e)
{
	struct imap_folder *x = f->priv;
	return fetch_range(f, from_seq, x->exists, true, e);
}

/* ------------------------------------------------------------ loading in steps */

/* issue 7: "the index usable while older ranges arrive".  For a reader
 * (be_account.background_load) a folder of more than BG_MIN messages with
 * nothing cached opens with its newest BG_FIRST; check() then loads
 * BG_STEP older ones at a time (base counts those still to come) while
 * the reader stays usable between steps. */
#define BG_MIN 5000
#define BG_FIRST FETCH_CHUNK
#define BG_STEP (FETCH_CHUNK * FETCH_WINDOW)

static void loading_state(struct be_folder *f)
{
	struct imap_folder *x = f->priv;
	f->loading_total = x->base > 0 ? x->base + x->n : 0;
}

int be_imap_fetch_all(struct be_folder *f, struct err *e)
{
	struct imap_folder *x = f->priv;
	x->base = 0;
	if (!f->account->background_load || x->exists <= BG_MIN)
		return be_imap_fetch_summaries(f, 1, e);
	uint32_t from = x->exists - BG_FIRST + 1;
	if (fetch_range(f, from, x->exists, false, e) < 0)
		return -1;
	x->base = from - 1;
	loading_state(f);
	log_info(x->link->lg, "imap %s: %u messages, the newest %u shown, the others loaded in steps",
		 x->wire, x->exists, BG_FIRST);
	return 0;
}

/* The next older range; once all are there, the folder is checked whole
 * (messages removed or added meanwhile) and written to the cache. */
static int load_step(struct be_folder *f, bool all, struct err *e)
{
	struct imap_folder *x = f->priv;
	uint32_t hi = x->base, lo = all || hi <= BG_STEP ? 1 : hi - BG_STEP + 1;
	uint32_t before = x->base;
	if (fetch_range(f, lo, hi, all, e) < 0)
		return -1;
	uint32_t expunged = before - x->base; /* below hi, meanwhile */
	x->base = lo - 1 > expunged ? lo - 1 - expunged : 0;
	if (x->base == 0 && x->exists != x->n && be_imap_reconcile(f, e) < 0)
		return -1;
	loading_state(f);
	if (x->base == 0)
		be_imap_cache_flush(x);
	be_imap_publish(f);
	return 0;
}

int be_imap_load_step(struct be_folder *f, struct err *e)
{
	return load_step(f, false, e);
}

int be_imap_load_rest(struct be_folder *f, struct err *e)
{
	struct imap_folder *x = f->priv;
	return x->base > 0 ? load_step(f, true, e) : 0;
}
