/* json: writing JSON text for scripts (tern show --json).
 *
 * Strings are written as valid JSON whatever the input bytes: invalid
 * UTF-8 becomes \ufffd, and every character that could drive a terminal
 * -- C0 and C1 controls, DEL, bidirectional overrides and isolates,
 * U+2028/U+2029 -- is written as a \u escape, so JSON printed to a
 * terminal is as safe as tern's other output. */
#ifndef TERN_JSON_H
#define TERN_JSON_H

#include <stddef.h>

#include "buf.h"

/* Appends s[0..len) as a quoted JSON string. */
int json_string(struct buf *out, const char *s, size_t len)
	__attribute__((warn_unused_result));

/* Appends a JSON string for a NUL-terminated s, or null when s is NULL. */
int json_string_or_null(struct buf *out, const char *s)
	__attribute__((warn_unused_result));

#endif
