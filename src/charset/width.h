/* width: how many terminal columns UTF-8 text takes.
 *
 * Uses wcwidth() of the C library, so the locale's LC_CTYPE must be a
 * UTF-8 one for non-ASCII characters to be measured (tern sets the locale
 * at start).  A character wcwidth() does not know counts as one column;
 * input must already be sanitised (valid UTF-8, no controls). */
#ifndef TERN_WIDTH_H
#define TERN_WIDTH_H

#include <stddef.h>

#include "buf.h"

size_t width_of(const char *s, size_t len);

/* Appends to out the longest prefix of s[0..len) that fits in cols
 * columns, padded with spaces to exactly cols.  Characters are never cut
 * in half, and combining marks stay with their base. */
int width_fit(const char *s, size_t len, size_t cols, struct buf *out)
	__attribute__((warn_unused_result));

#endif
