/* imap_cache: what an IMAP account's folders held when last seen -- one
 * SQLite file per account ($XDG_CACHE_HOME/tern/imap-ACCOUNT.sqlite), so
 * that reopening a folder costs a QRESYNC (or CONDSTORE) round trip and a
 * read of this file, not a download of every summary (issue 7).
 *
 * Per folder (by its wire name): UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and
 * the messages it had: for each UID its flags (SUMMARY_* bits), its
 * keywords, its MODSEQ and its summary (summary.h).  Summaries never change for a UID
 * (RFC 9051 s2.3.1.1: a UID names one message for as long as the
 * UIDVALIDITY lasts), so they are stored as records in chunks of many
 * UIDs (a few hundred blob reads for 100,000 messages); flags change, so
 * they are a row per UID.  The set of flag rows is what the folder holds:
 * a UID removed (expunged, vanished) loses its flag row at once, and its
 * summary record is dropped when its chunk is next rewritten.
 *
 * A cache is a cache: the file is never trusted.  A file that is not one
 * of ours, of another schema version, or corrupt (SQLite says so) is
 * deleted and started anew (imap_cache_open says so with *rebuilt_r); a
 * record that does not decode costs its folder (imap_cache_load fails, the
 * caller resets it); a folder whose UIDVALIDITY changed loses its messages
 * and nothing else (imap_cache_reset).  Writes go in transactions
 * (imap_cache_begin/commit): a kill leaves the last committed state.
 *
 * Not thread-safe; one process at a time per file is the common case, and
 * SQLite's locking (WAL journal, busy timeout 2 s) handles two readers (a
 * reader and tern search, say).
 *
 * The file: tables meta (format name and schema version), folders (wire,
 * UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, and counts of summary records and
 * of stale ones), flags (folder, uid, flags, modseq, keywords) and chunks (folder,
 * first_uid, last_uid, n, data: up to 512 records of increasing UIDs, each
 * a varint UID then summary_record.h).  A put appends chunks (topping up
 * the folder's last one while new UIDs come above it); where one UID has
 * records in several chunks the latest chunk wins.  When more than a
 * quarter of a folder's records are stale (removed or replaced), remove
 * or put rewrites its chunks. */
#ifndef TERN_IMAP_CACHE_H
#define TERN_IMAP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "summary.h"

struct imap_cache;

/* Opens (creating it 0600, and its directory 0700) the cache at path.
 * Returns 0 (*rebuilt_r true when an unusable file was replaced), or -1
 * with e when no cache can be had there at all (callers then go on
 * without): the directory cannot be made, the file cannot be opened or is
 * locked past the busy timeout, or path is a symbolic link or not a
 * regular file (ERR_PERM; the link is refused, never followed nor
 * removed).  Unusable, and so replaced together with its -wal, -shm and
 * -journal files: not SQLite, a SQLite file without our meta rows (a
 * foreign one), another schema version, shorter than its header says, or
 * one SQLite calls corrupt while opening it. */
int imap_cache_open(struct imap_cache **c_r, const char *path, bool *rebuilt_r, struct err *e);
/* Closes and sets *c to NULL (NULL is fine).  An open transaction is
 * rolled back.  A file SQLite reported corrupt while in use (SQLITE_CORRUPT
 * or SQLITE_NOTADB, after the open) is deleted, so the next open starts
 * anew. */
void imap_cache_close(struct imap_cache **c);

struct imap_cache_folder {
	uint32_t uidvalidity;      /* 0: nothing cached for this folder */
	uint32_t uidnext;
	uint64_t highestmodseq;    /* 0: none (no CONDSTORE) */
	size_t n;                  /* messages cached */
};

/* The state of folder wire (0s when unknown, or when the stored values are
 * beyond what a server could send); n counts its flag rows. */
int imap_cache_folder(struct imap_cache *c, const char *wire, struct imap_cache_folder *st_r,
		      struct err *e);

#define IMAP_CACHE_KEYWORDS_MAX 16384 /* bytes of one message's keywords */

/* One cached message, as imap_cache_load() hands it over. */
struct imap_cache_msg {
	uint32_t uid;
	unsigned flags;            /* SUMMARY_* */
	uint64_t modseq;
	struct summary sum;        /* packed (summary_pack): the caller owns it */
	const char *keywords;      /* separated by spaces, NULL or "": none; at most
				      IMAP_CACHE_KEYWORDS_MAX bytes.  From
				      imap_cache_load: NULL or a copy the caller
				      owns (free) */
};

/* Every message of folder wire, in UID order, into a new array *msgs_r
 * (free each sum with summary_release and each keywords with free, then
 * the array; NULL with *n_r 0 when the folder is empty or unknown).
 * flags, modseq and keywords come from the flag row, sum (its own flags
 * included) as it was put.  A record that
 * does not decode, a flag row without a record, a value out of range, or
 * SQLite reporting corruption makes the whole folder suspect: -1 with e
 * (code ERR_PARSE) and nothing returned; the caller then
 * imap_cache_reset()s the folder.  Other failures are ERR_IO. */
int imap_cache_load(struct imap_cache *c, const char *wire, struct imap_cache_msg **msgs_r,
		    size_t *n_r, struct err *e);

/* Writes happen between begin and commit (rollback undoes them).  begin
 * takes the write lock at once (BEGIN IMMEDIATE) and fails inside an open
 * transaction.  A write that fails inside a transaction may have done part
 * of its work: the caller rolls back.  A write called outside begin/commit
 * is a transaction of its own. */
int imap_cache_begin(struct imap_cache *c, struct err *e);
int imap_cache_commit(struct imap_cache *c, struct err *e);
void imap_cache_rollback(struct imap_cache *c);

/* Forgets every message of folder wire and sets its UIDVALIDITY (a new
 * one, or after a damaged load); creates the folder if need be.  UIDNEXT
 * and HIGHESTMODSEQ go back to 0. */
int imap_cache_reset(struct imap_cache *c, const char *wire, uint32_t uidvalidity,
		     struct err *e);
/* Sets UIDNEXT and HIGHESTMODSEQ of folder wire (which must exist: reset
 * creates it). */
int imap_cache_set_state(struct imap_cache *c, const char *wire, uint32_t uidnext,
			 uint64_t highestmodseq, struct err *e);
/* Adds messages (new UIDs; an existing UID is replaced, and within msgs
 * the last of a UID wins) with their summaries and flags, in any order;
 * UID 0 is skipped.  The folder must exist (else ERR_NOTFOUND); the
 * summaries stay the caller's. */
int imap_cache_put(struct imap_cache *c, const char *wire, const struct imap_cache_msg *msgs,
		   size_t n, struct err *e);
/* Sets the flags, MODSEQ and keywords (NULL: none) of existing UIDs
 * (unknown UIDs are ignored). */
int imap_cache_set_flags(struct imap_cache *c, const char *wire, const uint32_t *uids,
			 const unsigned *flags, const uint64_t *modseqs,
			 const char *const *keywords, size_t n, struct err *e);
/* Removes UIDs (expunged, vanished); unknown UIDs and folders are
 * ignored. */
int imap_cache_remove(struct imap_cache *c, const char *wire, const uint32_t *uids, size_t n,
		      struct err *e);
/* Forgets folder wire entirely (deleted or renamed on the server); an
 * unknown folder is no error. */
int imap_cache_drop_folder(struct imap_cache *c, const char *wire, struct err *e);

/* ------------------------------------------------------------ bodies
 * (imap_cache_body.c)  A message as the reader last showed it, so that
 * it opens again without the server, and offline (issue 7: "fetched text
 * parts up to a size cap").  A UID's message never changes, so a stored
 * body is good for as long as the UID is in the folder: it goes with
 * remove, reset and drop_folder.  whole: the message exactly (what
 * BE_FETCH_RAW gives), else the display form (attachments' bodies left
 * out).  Each body is at most IMAP_CACHE_BODY_MAX bytes; when all of an
 * account's bodies pass the limit given to put, the least recently used
 * go first. */
#define IMAP_CACHE_BODY_MAX ((size_t)4 << 20)

/* The body of uid in folder wire into out (replacing it): 1 when there is
 * one (a whole one if want_whole), 0 when not, -1 with e.  A hit counts
 * as a use. */
int imap_cache_body_get(struct imap_cache *c, const char *wire, uint32_t uid, bool want_whole,
			struct buf *out, struct err *e);
/* Stores (replacing) the body of uid; a body over IMAP_CACHE_BODY_MAX or
 * over limit is not stored (0 returned); the folder must exist
 * (ERR_NOTFOUND).  Then evicts the least recently used until the bodies
 * of every folder take at most limit bytes. */
int imap_cache_body_put(struct imap_cache *c, const char *wire, uint32_t uid, bool whole,
			const char *data, size_t len, uint64_t limit, struct err *e);
/* The bytes all stored bodies take, and how many there are. */
int imap_cache_body_usage(struct imap_cache *c, uint64_t *bytes_r, size_t *n_r, struct err *e);

/* ------------------------------------------------------------ folder list
 * The account's folders as last listed, for showing them offline. */
struct imap_cache_list_entry {
	char *name, *display;      /* UTF-8, as be_folder_info has them */
	int depth, role;           /* role: enum be_role, as a number */
	bool selectable, subscribed;
	long total, unread;        /* -1: not known */
};

/* Whether anything of the account is kept: a folder list or a folder. */
bool imap_cache_any(struct imap_cache *c);
/* Replaces the stored list with v[0..n). */
int imap_cache_list_put(struct imap_cache *c, const struct imap_cache_list_entry *v, size_t n,
			struct err *e);
/* The stored list, in order, into a new array (free with
 * imap_cache_list_free); none stored: NULL and 0. */
int imap_cache_list_get(struct imap_cache *c, struct imap_cache_list_entry **v_r, size_t *n_r,
			struct err *e);
void imap_cache_list_free(struct imap_cache_list_entry *v, size_t n);

#endif
