/* msgid: Message-IDs out of raw Message-ID, References and In-Reply-To
 * values (RFC 5322 §3.6.4), as threading needs them.
 *
 * Real headers are messier than the grammar, so the reading is lenient:
 *   - An id is what stands between '<' and '>'.  Text around ids is
 *     skipped: comments "(...)" (nested, with quoted-pairs), quoted strings
 *     and any other junk, e.g. In-Reply-To: <id@x> (from Joe <joe@x>).
 *   - Inside the brackets whitespace and control bytes are dropped (a
 *     folded id reads as one) and double quotes are removed with their
 *     quoted-pairs resolved, so <"ab"@x> and <ab@x> are the same id, as
 *     RFC 5256 §3 (REFERENCES) requires.  A '<' before the closing '>'
 *     ends the id and starts the next one; a missing '>' ends the id at
 *     the end of the value.  "<>" is no id.
 *   - A value with no '<' outside comments and quoted strings is read as
 *     bare ids: words (separated by blanks, ',' and ';') containing '@'.
 * Ids are returned without their brackets.  An id longer than MSGID_MAX
 * bytes is skipped.  Matching ids is then a byte comparison: case matters
 * (RFC 5256 §3). */
#ifndef TERN_MSGID_H
#define TERN_MSGID_H

#include <stdbool.h>
#include <stddef.h>

/* Longest id kept, in bytes, without the brackets. */
#define MSGID_MAX 1000

struct msgid_iter {
	const char *p;
	const char *end;
	bool bare; /* no bracketed ids: words with '@' */
};

/* Starts reading the ids of value[0..len).  The value must outlive the
 * iterator.  Costs one pass over the value (to choose the bare mode). */
void msgid_iter_init(struct msgid_iter *it, const char *value, size_t len);

/* Copies the next id into id (NUL-terminated, at most MSGID_MAX bytes
 * before the NUL) and its length into *len_r.  Returns 1, or 0 when there
 * are no more ids. */
int msgid_iter_next(struct msgid_iter *it, char id[MSGID_MAX + 1], size_t *len_r);

/* The first id of the NUL-terminated value (NULL reads as empty), as
 * msgid_iter_next().  Returns 1, or 0 if the value holds none. */
int msgid_first(const char *value, char id[MSGID_MAX + 1], size_t *len_r);

#endif
