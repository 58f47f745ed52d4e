/* header: finding fields in a message's header block (RFC 5322 §2.2).
 *
 * Works on a complete message in memory; LF and CRLF line ends alike.
 * This is the field lookup that the full parser (addresses, encoded words,
 * MIME) builds on. */
#ifndef TERN_HEADER_H
#define TERN_HEADER_H

#include <stddef.h>

#include "buf.h"

/* Length of the header block of msg[0..len): up to and including the
 * empty line that ends it, or len if there is none.  A message starting
 * with an empty line has an empty header (returns the line's length). */
size_t header_block_len(const char *msg, size_t len);

/* Finds the first field called name (ASCII case-insensitive) in the
 * header block hdr[0..len) and appends its unfolded value to out: line
 * breaks inside the field are removed (§2.2.3), leading blanks of the
 * value are dropped, trailing ones trimmed.  Returns 1 if found, 0 if not,
 * -1 if out's maximum was reached. */
int header_get(const char *hdr, size_t len, const char *name, struct buf *out);

#endif
