/* query: tern's one search language, parsed into a backend-neutral tree.
 *
 * The same tree is run offline against the SQLite FTS5 index and
 * translated to IMAP UID SEARCH (RFC 9051 section 6.4.4), so it names what
 * to match, never how.
 *
 * Syntax (terms separated by blanks; implicit AND between terms):
 *   word  "a phrase"      anywhere: subject, addresses, body (QUERY_TEXT)
 *   from: to: cc: subject: body:   followed by a word or a "phrase"
 *   is:unread is:read is:flagged is:answered is:deleted     (QUERY_FLAG)
 *   has:attachment                                           (QUERY_HAS_ATTACHMENT)
 *   before:D  after:D  on:D      D is YYYY-MM-DD, a real calendar date
 *   larger:N  smaller:N          N bytes, or with k, M, G (powers of 1024)
 *   A OR B     A AND B     NOT A     -A     ( ... )
 * Precedence: NOT and '-' bind tightest, then AND (explicit or implicit),
 * then OR; AND and OR group to the left.  Only upper-case OR, AND and NOT
 * are keywords: "or" is a word.  Field names and is:/has: values are
 * matched ignoring ASCII case; size suffixes too.
 *
 * Words are runs of bytes up to a blank (space, tab, CR, LF), '(', ')' or
 * '"'.  A word whose part before its first ':' is ASCII letters is a field
 * term; an unknown field name is an error (quote it to search for it:
 * "foo:bar").  A leading '-' negates; quote "-5" to search for it.  Inside
 * a phrase \" stands for " and \\ for \; any other backslash is an error.
 * The query must be valid UTF-8 without C0 or C1 control characters
 * (tab, CR and LF are blanks; inside a phrase they are kept as text).
 *
 * Dates are whole days in UTC:
 *   before:D   message date <  D 00:00             (value = start of D)
 *   after:D    message date >= D+1 00:00, i.e.     (value = start of D+1)
 *              strictly after day D
 *   on:D       D 00:00 <= message date < D+1 00:00 (value = start of D)
 * values are seconds since 1970-01-01 00:00 UTC.  In IMAP terms these are
 * BEFORE D, SINCE D+1 and ON D.  Years 1000..9999.
 * Sizes: larger:N matches size > N, smaller:N size < N (as IMAP's LARGER
 * and SMALLER); value is N in bytes.
 *
 * Limits (an error, never a crash): QUERY_MAX_LEN bytes, QUERY_MAX_DEPTH
 * nested parentheses and negations, QUERY_MAX_TERMS terms. */
#ifndef TERN_QUERY_H
#define TERN_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define QUERY_MAX_LEN ((size_t)64 * 1024)
#define QUERY_MAX_DEPTH 100
#define QUERY_MAX_TERMS 1000

enum query_kind {
	QUERY_AND,            /* a and b */
	QUERY_OR,             /* a or b */
	QUERY_NOT,            /* not a */
	QUERY_TEXT,           /* text anywhere */
	QUERY_FROM,           /* text in From */
	QUERY_TO,             /* text in To */
	QUERY_CC,             /* text in Cc */
	QUERY_SUBJECT,        /* text in Subject */
	QUERY_BODY,           /* text in the body */
	QUERY_FLAG,           /* flag is one of enum query_flag */
	QUERY_HAS_ATTACHMENT,
	QUERY_DATE_BEFORE,    /* date < value */
	QUERY_DATE_AFTER,     /* date >= value (start of the day after D) */
	QUERY_DATE_ON,        /* value <= date < value + 86400 */
	QUERY_LARGER,         /* size > value */
	QUERY_SMALLER,        /* size < value */
};

enum query_flag {
	QUERY_FLAG_UNREAD,
	QUERY_FLAG_READ,
	QUERY_FLAG_FLAGGED,
	QUERY_FLAG_ANSWERED,
	QUERY_FLAG_DELETED,
};

/* One node.  AND and OR use a and b; NOT uses a; the others are leaves.
 * text (TEXT and the address/subject/body kinds) is NUL-terminated,
 * non-empty UTF-8, owned by the node; phrase says it was quoted (match the
 * words in order).  value holds dates and sizes; flag an enum query_flag. */
struct query_node {
	enum query_kind kind;
	struct query_node *a, *b;
	char *text;
	bool phrase;
	int64_t value;
	unsigned flag;
};

/* Parses q[0..len) (no NUL needed).  Returns 0 with a new tree in *root_r
 * (the caller frees it with query_free()), or -1 with *root_r NULL and e
 * filled: code ERR_PARSE (or ERR_LIMIT past a limit), scope ERR_MESSAGE,
 * and a message naming the offending token and its 1-based column,
 * counted in characters, e.g. "query: unexpected ')' at column 12". */
int query_parse(const char *q, size_t len, struct query_node **root_r,
		struct err *e);

/* Frees a tree and sets *root to NULL.  NULL is fine. */
void query_free(struct query_node **root);

/* Appends the canonical form of n to out: itself a valid query that
 * parses back to the same tree (same canonical form), with parentheses
 * only where the tree needs them, '-' for NOT, implicit AND, words bare,
 * phrases quoted, sizes in bytes and is:/has: values in lower case, e.g.
 *   from:alice -is:unread (a OR "b c")
 * Returns 0, or -1 if out's maximum was reached.  The canonical form of a
 * query can be longer than the query (sizes in bytes). */
int query_to_string(const struct query_node *n, struct buf *out)
	__attribute__((warn_unused_result));

#endif
