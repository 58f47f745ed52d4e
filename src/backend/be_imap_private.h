/* be_imap_private: what be_imap.c (the account, the connection, the
 * folder list), be_imap_folder.c (an open folder) and be_imap_search.c
 * (queries as UID SEARCH) share.  Not for use elsewhere. */
#ifndef TERN_BE_IMAP_PRIVATE_H
#define TERN_BE_IMAP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "be_imap.h"
#include "be_net.h"
#include "imap.h"
#include "imap_cache.h"
#include "imap_fetch.h"
#include "imap_resp.h"
#include "query.h"
#include "summary.h"

/* What the index needs of a message, in one FETCH: header fields, not
 * ENVELOPE and BODYSTRUCTURE -- those make the server parse every
 * message's MIME structure, and a first open of 100,000 messages costs
 * that many times more (bench/imap-bench.sh).  The summary comes from the
 * fields as from an mbox message's header (summary.h); the structure is
 * fetched when a message is opened. */
#define BE_IMAP_HEADER_FIELDS "HEADER.FIELDS (DATE FROM TO CC SUBJECT MESSAGE-ID " \
			      "IN-REPLY-TO REFERENCES CONTENT-TYPE)"
#define BE_IMAP_SUMMARY_ITEMS "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[" \
			      BE_IMAP_HEADER_FIELDS "])"
/* The same with MODSEQ, once CONDSTORE is on (RFC 7162 s3.1.5). */
#define BE_IMAP_SUMMARY_ITEMS_MODSEQ "(UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE BODY.PEEK[" \
				     BE_IMAP_HEADER_FIELDS "])"
#define BE_IMAP_SUMMARY_ITEMS_FOR(p) \
	((imap_enabled(p) & IMAP_CAP_CONDSTORE) ? BE_IMAP_SUMMARY_ITEMS_MODSEQ : BE_IMAP_SUMMARY_ITEMS)

struct be_imap_link {
	struct be_net_io io;
	struct imap *p;
	const struct cfg_account *acct;
	const struct ui_hooks *ui;
	struct logger *lg;
	struct imap_folder *selected; /* the folder SELECTed now, or NULL */
	char pin[65];                 /* the certificate to require on reconnecting,
					 or "" (verified as usual) */
	char ns_prefix[256];          /* the personal namespace's prefix (UTF-8),
					 or "" (none, or not asked yet) */
	bool ns_asked;                /* NAMESPACE was sent */
	bool unreached;               /* the last connect found no server at all */
	struct be_net_clock clock;    /* for telling that the system slept */
};

/* Connects again after the connection was lost (same account, same
 * certificate; nobody is asked anything).  0, or -1 with e. */
int be_imap_reconnect(struct be_imap_link *l, struct err *e);
/* Drops the connection without a word to the server (it is thought dead):
 * the session is offline until be_imap_reconnect. */
void be_imap_drop(struct be_imap_link *l);

/* The account: its configuration, the session. */
struct imap_account {
	struct cfg_account acct;   /* a copy, owned */
	struct imap_cache *cache;  /* NULL: none could be had */
	char *journal_path;        /* offline flag changes (imap_journal.h) */
	char *state_dir;
	struct logger *lg;
	struct be_imap_link *link;
	char offline_why[ERR_MSG_MAX]; /* opened offline: why the server could not
					  be reached */
};

struct imap_msg {
	uint32_t uid;
	unsigned flags;            /* SUMMARY_* as the server has them */
	const char *keywords;      /* interned (be_imap_flags.c), NULL: none */
	uint64_t modseq;
	bool cache_new;            /* not in the cache yet */
	bool cache_flags;          /* its flags changed since the cache had them */
	struct summary sum;
};

/* An open folder: its messages in UID order, which is also the order of
 * their sequence numbers once every message is known (sorted). */
struct imap_folder {
	struct be_imap_link *link;
	char *wire;                /* the name as sent */
	uint32_t uidvalidity, uidnext, exists;
	uint64_t highestmodseq;
	bool read_only;
	struct imap_msg *msgs;
	size_t n, cap;
	bool sorted;               /* msgs in UID order, one per message */
	bool grew, removed, flags_changed, cancelled;
	bool adding;               /* a summary fetch runs: unknown UIDs are added */
	size_t added;              /* messages it added (the last ones of msgs) */
	time_t idle_since;         /* when IDLE began; 0: not idling */
	struct imap_cache *cache;  /* the account's, or NULL */
	uint32_t *gone;            /* UIDs removed since the cache was written */
	size_t n_gone, cap_gone;
	bool cache_reset;          /* the cache's copy is void (new UIDVALIDITY) */
	uint32_t cached_uidnext;   /* the state last written to the cache */
	uint64_t cached_modseq;
	bool subset;               /* opened with some messages only (tern show,
				      tern search): never written to the cache,
				      which would take it for the folder */
	uint32_t base;             /* messages 1..base (by sequence number) are not
				      loaded yet: msgs holds base+1..exists */
	time_t retry_at;           /* offline: when to try to reconnect */
	unsigned backoff;          /* offline: seconds until the next try */
	char **kwsets;             /* the keyword lists, sorted, each once: kept
				      until the folder closes (be_imap_flags.c) */
	size_t n_kwsets, cap_kwsets, kwset_bytes;
	bool kwsets_full;          /* the cap was reached (and logged) */
	bool perm_known;           /* the SELECT said PERMANENTFLAGS: perm */
	struct imap_flags perm;
};

/* The untagged data of an open folder (EXISTS, EXPUNGE, VANISHED,
 * FETCH, response codes), for imap_run/imap_wait; ctx is the folder. */
int be_imap_untagged(void *ctx, const struct imap_response *r, struct err *e);
/* The wire name of the folder a person calls name (UTF-8), or NULL with
 * e when it cannot be one. */
char *be_imap_wire_name(struct imap_account *acc, const char *name, struct err *e);

/* A folder of account a not opened yet: its names (NULL: INBOX), the
 * link and the cache; NULL with e when name cannot be a folder name. */
struct be_folder *be_imap_new_folder(struct be_account *a, const char *name, struct err *e);
int be_imap_open_folder(struct be_account *a, const char *name, bool readonly,
			struct be_folder **f_r, struct err *e);
void be_imap_close_folder(struct be_folder **f);
int be_imap_fetch(struct be_folder *f, size_t i, enum be_fetch what, struct buf *out,
		  struct err *e);
int be_imap_set_flags(struct be_folder *f, const size_t *idx, size_t n, unsigned set,
		      unsigned clear, struct err *e);
int be_imap_check(struct be_folder *f, unsigned *changes_r, struct err *e);
/* After commands whose untagged data may have changed x->msgs (an
 * EXPUNGE or VANISHED with any answer, RFC 9051 s7.5.1): the core's list
 * follows -- rebuilt, its generation moved, when messages went or the
 * array moved; else the flags copied.  Every entry point calls it before
 * returning to the core, so that f->msgs never points into freed memory
 * nor at the wrong message. */
void be_imap_settle(struct be_folder *f);
int be_imap_sync(struct be_folder *f, bool expunge, struct err *e);
int be_imap_copy(struct be_folder *f, const size_t *idx, size_t n, const char *dest, bool move,
		 struct err *e);
int be_imap_fetch_part(struct be_folder *f, size_t i, const char *part, struct buf *out,
		       struct err *e);
/* The cache (be_imap_cache.c): a folder's messages from it before SELECT
 * (0 with nothing loaded when there is none), the SELECT parameters that
 * ask the server for what changed since (QRESYNC), the resynchronisation
 * after SELECT, and the writing back of what changed. */
int be_imap_cache_load(struct imap_folder *x, struct imap_cache_folder *st);
void be_imap_cache_select_args(const struct imap_folder *x, const struct imap_cache_folder *st,
			       struct imap_cmd *c);
int be_imap_cache_resync(struct be_folder *f, const struct imap_cache_folder *st,
			 struct err *e);
/* After a SELECT or resynchronisation that failed part-way: HIGHESTMODSEQ
 * goes back to what was synchronised (st's; none for a new UIDVALIDITY),
 * so that the cache never records changes that never came as seen. */
void be_imap_cache_resync_failed(struct imap_folder *x, const struct imap_cache_folder *st);
void be_imap_cache_flush(struct imap_folder *x);
/* Summaries of the messages uids (UID FETCH), added in UID order. */
int be_imap_fetch_uids(struct imap_folder *x, const struct imap_seqset *uids, struct err *e);
/* Whether x has the message uid (x sorted). */
bool be_imap_has_uid(struct imap_folder *x, uint32_t uid);
/* Drops every message but uid from x, for showing it alone (not as a
 * removal: nothing of it reaches the cache). */
void be_imap_keep_only(struct imap_folder *x, uint32_t uid);
/* Offline: folder name from the cache with message uid alone in it. */
int be_imap_open_uid_offline(struct be_account *a, const char *name, uint32_t uid,
			     struct be_folder **f_r, struct err *e);
/* Removes the messages uids from x (expunged, or moved offline). */
void be_imap_remove_uids(struct imap_folder *x, const struct imap_seqset *uids);
/* After a resync, or once a folder is loaded whole: new UIDs above the
 * top fetched, and when the counts still differ, the UIDs matched with
 * the server's (UID SEARCH ALL). */
int be_imap_reconcile(struct be_folder *f, struct err *e);
/* Every summary of a folder with nothing cached: all at once, or for a
 * reader (background_load) the newest first and the rest in check()
 * (be_folder.loading_total); be_imap_load_rest loads the rest now. */
int be_imap_fetch_all(struct be_folder *f, struct err *e);
int be_imap_load_rest(struct be_folder *f, struct err *e);
/* The next step of such a load (check). */
int be_imap_load_step(struct be_folder *f, struct err *e);
/* A removed UID, for the cache. */
void be_imap_gone(struct imap_folder *x, uint32_t uid);
/* Summaries of messages by sequence number from from_seq on (be_imap_summary.c). */
int be_imap_fetch_summaries(struct be_folder *f, uint32_t from_seq, struct err *e);
/* Around a command that fetches summaries: only then does a FETCH of a
 * UID not known add a message (unsolicited data never grows the list).
 * A fetch that failed (rc < 0) takes back what it added, so that a list
 * cut short -- fetched newest first, or out of order -- never leaves a gap
 * for the cache to keep; it is fetched again once the folder is back. */
void be_imap_adding_begin(struct imap_folder *x);
int be_imap_adding_end(struct imap_folder *x, int rc);
/* Summaries of the messages with UIDs from lo on (new mail). */
int be_imap_fetch_from_uid(struct be_folder *f, uint32_t lo, struct err *e);
void be_imap_sort(struct imap_folder *x);
/* be_imap_folder.c: the folder's SELECT (st: the cached state for
 * QRESYNC, or NULL), the core view rebuilt from x->msgs, the message with
 * a UID (NULL: none, or x not sorted). */
int be_imap_select(struct imap_folder *x, const char *wire, bool readonly,
		   const struct imap_cache_folder *st, struct err *e);
void be_imap_publish(struct be_folder *f);
struct imap_msg *be_imap_msg_by_uid(struct imap_folder *x, uint32_t uid, size_t *i_r);
/* be_imap_flags.c: flags and keywords.  The SUMMARY_* bits of a flag
 * list; its keywords (interned); m's new flags from a FETCH; the keyword
 * list list interned (normalised: sorted, each word once; NULL for none
 * and past the caps); the PERMANENTFLAGS of the SELECT (taken over from
 * fl); what x keeps of all that, freed. */
unsigned be_imap_flags_of(const struct imap_flags *fl);
const char *be_imap_keywords_of(struct imap_folder *x, const struct imap_flags *fl);
void be_imap_new_flags(struct imap_folder *x, struct imap_msg *m, const struct imap_fetch *fe);
const char *be_imap_keywords_intern(struct imap_folder *x, const char *list);
void be_imap_permanent_flags(struct imap_folder *x, struct imap_flags *fl);
void be_imap_flags_release(struct imap_folder *x);
/* The wire names of SUMMARY_* bits ("\\Seen \\Deleted"); UID STORE uids
 * +FLAGS.SILENT or -FLAGS.SILENT (sign) of them, in pieces. */
void be_imap_flag_names(unsigned bits, struct buf *out);
int be_imap_store_flags(struct imap_folder *x, const struct imap_seqset *uids, char sign,
			unsigned bits, struct err *e);
int be_imap_set_keywords(struct be_folder *f, const size_t *idx, size_t n, const char *add,
			 const char *remove, struct err *e);
/* be_imap_offline.c: whether the session is gone; reconnecting from
 * check; flag changes kept while offline, and sent once back. */
bool be_imap_lost(const struct imap *p);
/* Opens folder f from the cache alone (st: its state there): offline,
 * readable, its changes journaled; check reconnects. */
int be_imap_open_offline(struct be_folder *f, const struct imap_cache_folder *st, bool readonly,
			 struct err *e);
int be_imap_reconnect_folder(struct be_folder *f, unsigned *changes_r, struct err *e);
/* Offline: messages uids leave the folder (moved to dest_wire, or
 * expunged when it is NULL), journaled first. */
int be_imap_offline_remove(struct be_folder *f, const struct imap_seqset *uids,
			   const char *dest_wire, struct err *e);
int be_imap_offline_set_flags(struct be_folder *f, const size_t *idx, size_t n, unsigned set,
			      unsigned clear, struct err *e);
void be_imap_replay(struct be_folder *f);
/* The UID SEARCH command for query q (initialised here). */
void be_imap_search_command(struct imap_cmd *c, const struct imap *p,
			    const struct query_node *q);
/* Every UID of the selected folder (UID SEARCH ALL; initialised here). */
int be_imap_search_all(struct imap_folder *x, struct imap_seqset *uids, struct err *e);
/* The UIDs of the messages of x matching q (initialised here). */
int be_imap_search_uids(struct imap_folder *x, const struct query_node *q,
			struct imap_seqset *uids, struct err *e);
int be_imap_search(struct be_folder *f, const struct query_node *q, size_t **idx_r,
		   size_t *n_r, struct err *e);

#endif
