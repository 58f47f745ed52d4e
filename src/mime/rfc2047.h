/* rfc2047: decoding encoded words in header text (RFC 2047).
 *
 *   =?charset[*lang]?B|Q?encoded-text?=
 * B is base64, Q the header form of quoted-printable (_ is a space).
 * Whitespace between two adjacent encoded words is dropped (§6.2); a word
 * that is malformed (bad encoding letter, bad base64, unknown structure)
 * is left as the literal text it is.  Each word is converted to UTF-8
 * with charset_to_utf8(); bytes of an unknown charset are read as
 * charset.h describes.  Text outside encoded words is taken as UTF-8 when
 * valid (RFC 6532), else as windows-1252.  The output is UTF-8 and may
 * contain control characters: sanitise before display. */
#ifndef TERN_RFC2047_H
#define TERN_RFC2047_H

#include <stddef.h>

#include "buf.h"

/* Appends the decoded form of the header text in[0..len) to out.  Returns
 * 0, or -1 if out's maximum was reached. */
int rfc2047_decode(const char *in, size_t len, struct buf *out)
	__attribute__((warn_unused_result));

#endif
