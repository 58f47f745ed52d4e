/* thread: conversations from message summaries (JWZ threading).
 *
 * The algorithm is Jamie Zawinski's (https://www.jwz.org/doc/threading.html,
 * as in Netscape, mutt and Thunderbird); RFC 5256 §3 describes the same
 * one as THREAD=REFERENCES.  Pure: summaries in, display rows out.
 *
 * What a message's parent is:
 *   - Its references are the msg-ids of References followed by the first
 *     msg-id of In-Reply-To unless that is already the last reference
 *     (JWZ); only the last THREAD_REFS_MAX of them are used.  Ids are read
 *     with msgid.h (lenient: comments, junk, missing brackets).
 *   - A message's own last reference is its parent.  Consecutive
 *     references are then linked parent to child, but only where the child
 *     has no parent yet (References may be truncated).  A link that would
 *     close a loop is not made (A refs B and B refs A; a message refers to
 *     itself).  Own parents are linked for all messages before any
 *     References chain, so a message's own header always wins over what
 *     other messages say about it, whatever their order (JWZ's step 1C).
 *   - A Message-ID seen a second time is not indexed again: the later
 *     message is threaded as if it had no Message-ID (RFC 5256; JWZ).
 *     Messages without an id still thread under their references.
 *   - Referenced ids with no message become placeholders.  They are
 *     pruned: one with no messages below disappears, one inside a thread
 *     gives its children to its parent, and a placeholder at the top stays
 *     only if more than one message would otherwise become a thread of its
 *     own (JWZ step 4; a chain of placeholders counts as one).
 *   - With group_by_subject, threads whose base subjects are equal (see
 *     thread_base_subject) are merged as RFC 5256 §3 step 5 says: a reply
 *     goes below the non-reply, two non-replies (or two replies) become
 *     siblings under a new placeholder.  Threads are visited in the order
 *     of their first message, so the result does not depend on hashing.
 *
 * Order: siblings by date, then by input index (equal or unknown dates
 * keep the input order; an unknown date sorts as the earliest, RFC 5256
 * §2.2).  Threads by the date of their first message (default, like
 * mutt) or of their last one, unknown dates ignored unless the thread has
 * no other.
 *
 * Limits: THREAD_REFS_MAX references per message, MSGID_MAX bytes per id,
 * THREAD_SUBJECT_MAX bytes of subject compared.  Time and memory are
 * linear in the size of the input (hash table, union-find for the loop
 * checks, no recursion: a 100,000-deep chain is fine). */
#ifndef TERN_THREAD_H
#define TERN_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

#define THREAD_REFS_MAX 1000      /* references used per message (the last) */
#define THREAD_DEPTH_MAX 1000     /* thread_row.depth saturates here */
#define THREAD_SUBJECT_MAX 4096   /* subject bytes looked at for grouping */
#define THREAD_MESSAGES_MAX ((size_t)1 << 30)
#define THREAD_DATE_UNKNOWN INT64_MIN

/* One message, as the caller has it.  Strings may be NULL (no such
 * header); they are read, never kept past thread_build(). */
struct thread_input {
	const char *message_id;  /* raw Message-ID value */
	const char *references;  /* raw References value */
	const char *in_reply_to; /* raw In-Reply-To value */
	const char *subject;     /* decoded (UTF-8) Subject */
	int64_t date;            /* sent date, UTC seconds, or THREAD_DATE_UNKNOWN */
};

enum thread_root_order {
	THREAD_ROOTS_BY_FIRST = 0, /* date of the thread's earliest message */
	THREAD_ROOTS_BY_LAST,      /* date of its latest message */
};

/* All zero is the default: no subject grouping, threads by first date. */
struct thread_options {
	bool group_by_subject;
	enum thread_root_order root_order;
	/* Key of the id hash table.  Message-IDs come from strangers; a
	 * random key (from the caller, who may do I/O) makes crafted
	 * collisions impractical.  Results never depend on it. */
	uint64_t hash_key[2];
};

/* One display line.  Rows come in display order: each thread's rows
 * together, a parent right before its first child, so a row's depth is
 * at most the previous row's depth + 1. */
struct thread_row {
	ssize_t msg;      /* input index, or -1 for a placeholder (a missing
			     parent, or a subject group's top) */
	ssize_t parent;   /* row index of the parent row, -1 for a thread's top */
	unsigned depth;   /* 0 for a thread's top; saturates at THREAD_DEPTH_MAX */
	bool has_children;
	bool last_sibling; /* the last child of its parent (or the last thread) */
};

/* Threads in[0..n).  On success returns 0 and sets *rows_r to a new array
 * (free() it; NULL when n is 0) of *n_rows_r rows, in which every input
 * index appears exactly once.  opt NULL means the defaults.  Fails (-1,
 * ERR_LIMIT) only if n is over THREAD_MESSAGES_MAX or messages and
 * distinct referenced ids together number over 2^32 - 3. */
int thread_build(const struct thread_input *in, size_t n,
		 const struct thread_options *opt, struct thread_row **rows_r,
		 size_t *n_rows_r, struct err *err);

/* The base subject of RFC 5256 §2.1, for grouping and for sorting by
 * subject: blanks collapsed to one space, "Re:", "Fw:", "Fwd:" and
 * "[blob]" prefixes, "(fwd)" trailers and "[fwd: ...]" wrappers removed,
 * ASCII folded to lower case (so equal base subjects compare equal
 * byte-wise; non-ASCII letters are not folded).  Only the first
 * THREAD_SUBJECT_MAX bytes of subject are looked at.  Appends to out and
 * sets *is_reply_r (may be NULL) if a reply or forward marker was
 * removed.  Returns 0, or -1 if out's maximum was reached. */
int thread_base_subject(const char *subject, struct buf *out, bool *is_reply_r);

#endif
