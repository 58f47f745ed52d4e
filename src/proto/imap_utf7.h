/* imap_utf7: IMAP folder names in modified UTF-7 (RFC 3501 s5.1.3,
 * RFC 9051 appendix A.1) and in UTF-8 (RFC 9051 s5.1, RFC 6855).
 *
 * Modified UTF-7: printable US-ASCII (0x20..0x7e) stands for itself,
 * except "&", written "&-".  Every other character is written in a run
 * "&" + modified base64 (A-Za-z0-9+, with "," for "/") of its UTF-16 form
 * + "-".  The form is canonical: each name has exactly one encoding.
 *
 * Decoding is strict, because a name is also a key (the cache, the
 * command that selects it) and two spellings of one name, or a name that
 * hides what it is, must not be accepted.  imap_utf7_decode() refuses:
 *   - a byte outside 0x20..0x7e in the input (8-bit bytes, raw controls:
 *     RFC 3501 s5.1.3 says they must be encoded);
 *   - a run with a character outside the modified base64 alphabet, or not
 *     ended by "-" before the end of the name (no implicit shift back);
 *   - a run that is not the shortest one for its UTF-16 units: an extra
 *     base64 character, or non-zero padding bits;
 *   - a run that encodes printable US-ASCII (0x20..0x7e: "&ACY-" for "&"
 *     included, whose only form is "&-");
 *   - a run straight after another ("&AOQ-&APY-" must be "&AOQA9g-"; RFC
 *     3501's "null shift"); "&-" between two runs is fine;
 *   - an unpaired UTF-16 surrogate, a pair split over two runs, U+0000;
 *   - a decoded name over IMAP_UTF7_NAME_MAX bytes of UTF-8.
 * Decoded controls (U+0001..U+001F, U+007F, C1) are kept: the RFC lets a
 * name contain them, and making text safe for a terminal is the job of
 * sanitize.h at display time.  A name is never used as a file path as is.
 *
 * On failure the caller gets a form to SHOW, never to use: the server's
 * bytes with printable US-ASCII kept (so "&...-" runs appear verbatim) and
 * every other byte as "\xNN", cut to about IMAP_UTF7_NAME_MAX bytes
 * (ending "...").  To act on such a folder, send the server's own bytes
 * back unchanged. */
#ifndef TERN_IMAP_UTF7_H
#define TERN_IMAP_UTF7_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Longest folder name, in bytes of UTF-8, either way. */
#define IMAP_UTF7_NAME_MAX 1024

/* Decodes the modified UTF-7 name in[0..len) and appends its UTF-8 form
 * to out.  Returns 0; or -1 when the name is not valid modified UTF-7 (see
 * above) or out's maximum was reached: what this call appended is then
 * replaced by the escaped form (as much of it as out can hold). */
int imap_utf7_decode(const char *in, size_t len, struct buf *out)
	__attribute__((warn_unused_result));

/* Encodes the UTF-8 name in[0..len) into modified UTF-7, appended to out,
 * in the canonical form imap_utf7_decode() accepts: runs are as long as
 * possible and padded with zero bits.  Returns 0, or -1 (out unchanged)
 * when in is not valid UTF-8 (overlong forms and surrogates included),
 * holds a NUL, is longer than IMAP_UTF7_NAME_MAX bytes, or out's maximum
 * was reached. */
int imap_utf7_encode(const char *in, size_t len, struct buf *out)
	__attribute__((warn_unused_result));

/* Whether in[0..len) is a usable UTF-8 name: valid UTF-8, no NUL, at
 * most IMAP_UTF7_NAME_MAX bytes.  (Controls are allowed, as above.) */
bool imap_utf7_name_valid(const char *in, size_t len);

/* How folder names travel on a connection: in modified UTF-7 (IMAP4rev1),
 * or in UTF-8 once IMAP4rev2 (RFC 9051 s5.1) or UTF8=ACCEPT (RFC 6855 s3)
 * is enabled.  In UTF-8 mode "&" is an ordinary character and names are
 * not decoded. */
enum imap_name_mode {
	IMAP_NAME_MUTF7,
	IMAP_NAME_UTF8,
};

/* A name the server sent, as UTF-8 appended to out.  In IMAP_NAME_MUTF7
 * mode this is imap_utf7_decode().  In IMAP_NAME_UTF8 mode the bytes are
 * copied if imap_utf7_name_valid() says so; if not, -1 and the escaped
 * form as above (bytes 0x20..0x7e kept, others "\xNN"). */
int imap_utf7_from_server(enum imap_name_mode mode, const char *in,
			  size_t len, struct buf *out)
	__attribute__((warn_unused_result));

/* A UTF-8 name to send, appended to out: imap_utf7_encode() in
 * IMAP_NAME_MUTF7 mode, a checked copy (imap_utf7_name_valid()) in
 * IMAP_NAME_UTF8 mode.  Returns 0, or -1 with out unchanged.  (Quoting it
 * as an IMAP string is the command writer's job.) */
int imap_utf7_to_server(enum imap_name_mode mode, const char *in, size_t len,
			struct buf *out)
	__attribute__((warn_unused_result));

#endif
