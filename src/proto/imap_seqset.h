/* imap_seqset: IMAP sequence sets and UID sets (RFC 9051 s9
 * "sequence-set", "uid-set"), as the server sends them (COPYUID and
 * APPENDUID, RFC 4315 s3; VANISHED, RFC 7162 s3.2.10; ESEARCH ALL, RFC
 * 4731) and as our commands send them (UID FETCH, UID STORE, ...).
 *
 * A set is an array of ranges lo..hi (1 <= lo <= hi <= 4294967295), never
 * expanded to its values: one range can legally hold four billion.  There
 * are two kinds:
 *   - sorted (imap_seqset_parse, imap_seqset_add on a sorted set): ranges
 *     ascending, overlapping and adjacent ones merged ("1:3,4,2" is
 *     "1:4"), so each value is in the set once;
 *   - ordered (imap_seqset_parse_ordered): the ranges as the text wrote
 *     them, each only turned ascending ("12:10" is 10,11,12: RFC 4315 s3),
 *     not sorted, not merged, duplicates kept.  COPYUID pairs its source
 *     and destination sets value by value in this order ("the order of
 *     the UIDs in the set is significant"), and so does APPENDUID with
 *     MULTIAPPEND: walk both with imap_seqset_next() in step, after
 *     checking imap_seqset_count() is the same for both.
 *
 * Parsing accepts exactly RFC 9051's grammar: nz-number (no leading zero,
 * no 0, at most 4294967295), "*" (see star), ":" between two, "," between
 * elements; no spaces, no empty element, nothing after the set.  "$"
 * (seq-last-command, RFC 5182) names no values and is refused.  The text
 * is given with its length and need not be NUL-terminated.
 *
 * Errors: struct err, scope ERR_FOLDER (a bad set from the server spoils
 * what we know of the folder, not the connection), code ERR_PARSE or
 * ERR_LIMIT (more than max_ranges elements). */
#ifndef TERN_IMAP_SEQSET_H
#define TERN_IMAP_SEQSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* The elements a set may have when the caller passes max_ranges 0. */
#define IMAP_SEQSET_RANGES_MAX ((size_t)100000)
/* The longest text of one range: "4294967295:4294967295". */
#define IMAP_SEQSET_RANGE_TEXT_MAX 21

struct imap_range {
	uint32_t lo, hi;   /* 1 <= lo <= hi */
};

struct imap_seqset {
	struct imap_range *r;
	size_t n, cap;
	bool ordered;      /* ranges in the text's order, see above */
};

/* An empty sorted set; no allocation. */
void imap_seqset_init(struct imap_seqset *s);
/* Frees the ranges; s must be imap_seqset_init()ed again before reuse. */
void imap_seqset_release(struct imap_seqset *s);
/* Empties s (a sorted set again), keeping its memory. */
void imap_seqset_reset(struct imap_seqset *s);

/* Parses text[0..len) into s (its contents replaced) as a sorted set.
 * "*" stands for star, the largest value in use (EXISTS for sequence
 * numbers, the last UID, or UIDNEXT - 1, for UIDs); star 0 makes "*" an
 * error (an empty mailbox, or a set such as COPYUID's where RFC 4315
 * forbids "*").  At most max_ranges elements (0: IMAP_SEQSET_RANGES_MAX)
 * may be written, whatever they merge into.  Returns 0, or -1 with e
 * filled and s empty.  Time O(n log n) in the elements. */
int imap_seqset_parse(struct imap_seqset *s, const char *text, size_t len,
		      uint32_t star, size_t max_ranges, struct err *e);
/* The same, into an ordered set (above). */
int imap_seqset_parse_ordered(struct imap_seqset *s, const char *text,
			      size_t len, uint32_t star, size_t max_ranges,
			      struct err *e);

/* Whether v is in s (binary search in a sorted set, a scan in an ordered
 * one). */
bool imap_seqset_contains(const struct imap_seqset *s, uint32_t v);
/* The number of values, each counted as often as an ordered set holds it
 * (never more than UINT64_MAX). */
uint64_t imap_seqset_count(const struct imap_seqset *s);
/* Exactly the same ranges, in the same order. */
bool imap_seqset_equal(const struct imap_seqset *a, const struct imap_seqset *b);

/* Walks the values in order (a sorted set ascending, an ordered one in the
 * text's order).  Start with *pos_r = 0; pass back *pos_r and *v_r as the
 * previous call left them.  Returns true with the next value in *v_r, or
 * false at the end (and again on every later call).  s must not change
 * during the walk. */
bool imap_seqset_next(const struct imap_seqset *s, size_t *pos_r,
		      uint32_t *v_r);

/* Adds lo..hi (either order; 0 is taken as 1).  In a sorted set it is
 * merged with the ranges it overlaps or touches (O(1) when values come in
 * ascending order, O(n) at worst); in an ordered set it is appended. */
void imap_seqset_add(struct imap_seqset *s, uint32_t lo, uint32_t hi);

/* Appends the ranges of s from range *from on to out as "a:b,c,..." ("a"
 * for a range of one value, no "*"), as many as fit in max_bytes bytes of
 * text, and advances *from past them.  Returns the number written, so a
 * caller can split a big UID STORE over several commands, each under the
 * server's line limit (about 8 KiB is safe):
 *     for (size_t from = 0; from < s.n;)
 *         if (imap_seqset_format(&s, &from, 8000, &cmd) == 0) -> error
 * Returns 0 (out unchanged) when *from is already s->n, when the range at
 * *from alone is longer than max_bytes (never with max_bytes >=
 * IMAP_SEQSET_RANGE_TEXT_MAX), or when out's maximum leaves no room for
 * it; out never ends inside a range. */
size_t imap_seqset_format(const struct imap_seqset *s, size_t *from,
			  size_t max_bytes, struct buf *out);

#endif
