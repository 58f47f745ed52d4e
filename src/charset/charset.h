/* charset: converting text in any charset mail uses to UTF-8.
 *
 * Everything tern shows becomes UTF-8 here, at the boundary, through
 * iconv(3).  The result is always valid UTF-8: bytes that are invalid in
 * the source charset become U+FFFD and conversion goes on after them
 * (never a loop, never unbounded growth on EILSEQ/EINVAL).  Control
 * characters are kept: making text safe for a terminal is sanitize.h's job.
 *
 * Names are matched case-insensitively, with the aliases real mail uses
 * (latin1, x-sjis, ks_c_5601-1987, unicode-1-1-utf-7, cp-1252, ...).  A
 * missing or unknown charset (and us-ascii, which 8-bit mail often lies
 * about) is read as UTF-8 when the bytes are valid UTF-8, else as
 * windows-1252.  Some labels are read as a superset, as the WHATWG
 * Encoding Standard does: iso-8859-1 as windows-1252, Shift_JIS as CP932,
 * EUC-KR as CP949, GB2312/GBK as GB18030, Big5 as Big5-HKSCS, ISO-2022-JP
 * as ISO-2022-JP-2.  A label tern has no alias for is tried with iconv as
 * given (and without an "x-" prefix), if it is a plain name of at most 40
 * letters, digits and "-_.:+".
 *
 * Replacement rules: in UTF-8 (and text read as UTF-8) each byte that
 * does not start a valid sequence (overlong forms, surrogates, a sequence
 * cut short) becomes one U+FFFD; windows-1252's undefined bytes 0x81,
 * 0x8D, 0x8F, 0x90, 0x9D become U+FFFD; with iconv, each rejected byte
 * becomes U+FFFD and decoding resumes at the next byte (so a broken
 * two-byte character may cost two U+FFFD or shift the pairs), and a
 * character cut off by the end of the input becomes one U+FFFD.  Time is
 * linear in the input; memory is bounded by out's maximum.
 *
 * Each call starts a stateful charset (ISO-2022-JP, UTF-7) in its initial
 * state and opens its own iconv descriptor (about 0.4 us with glibc once
 * the module is loaded, so there is no cache and no global state). */
#ifndef TERN_CHARSET_H
#define TERN_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appends the UTF-8 form of in[0..len), read in charset (NULL or "" for
 * unknown), to out.  Returns 0, or -1 if out's maximum was reached (out
 * then ends with a valid UTF-8 prefix of the text). */
int charset_to_utf8(const char *charset, const char *in, size_t len,
		    struct buf *out) __attribute__((warn_unused_result));

/* The charset tern reads a label as: an iconv-style name such as
 * "WINDOWS-1252", "CP932" or "UTF-8" (a static string), or label itself
 * (or label + 2, past "x-") when iconv knows it and tern has no alias;
 * "US-ASCII" for the ASCII labels; NULL if the label is missing, unknown
 * to tern and to iconv, or one of the "unknown" labels (x-unknown,
 * unknown-8bit, x-user-defined, 8bit).  Text in a label that gives NULL is
 * read as charset_to_utf8() says for an unknown charset. */
const char *charset_canonical(const char *label);

/* Whether in[0..len) is entirely valid UTF-8. */
bool charset_is_utf8(const char *in, size_t len);

#endif
