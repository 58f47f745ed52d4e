/* keywords: a message's keywords (IMAP keywords, mutt's labels, neomutt's
 * tags) as the reader and the backends pass them: one string of words
 * separated by blanks (spaces or tabs), "" or NULL for none.  Words are
 * compared ASCII case-insensitively, as IMAP compares flags (RFC 9051
 * s2.3.2).  Nothing here checks that a word is a valid keyword: the
 * backend that sends it does.
 *
 * Results are built in a struct buf: each word once (the first spelling
 * met), separated by one space; -1 when the buffer's maximum was reached
 * (it then holds whole words only). */
#ifndef TERN_KEYWORDS_H
#define TERN_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The next word at *p (blanks skipped), with its length in *len_r; *p
 * moves past it.  NULL at the end (p may point at NULL: no words). */
const char *keywords_next(const char **p, size_t *len_r);

/* Whether list holds the word w[0..len). */
bool keywords_has(const char *list, const char *w, size_t len);

/* The words of list, each once, into out (appended). */
int keywords_normalise(const char *list, struct buf *out) __attribute__((warn_unused_result));

/* What an edit did: the words of edited that old lacks into add, those of
 * old that edited lacks into remove (both emptied first). */
int keywords_diff(const char *old, const char *edited, struct buf *add, struct buf *remove)
	__attribute__((warn_unused_result));

/* old with the words of remove taken out and those of add put at its end,
 * into out (emptied first). */
int keywords_apply(const char *old, const char *add, const char *remove, struct buf *out)
	__attribute__((warn_unused_result));

#endif
