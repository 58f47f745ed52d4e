/* sanitize: making untrusted text safe to put on a terminal.
 *
 * Input is any bytes; output is valid UTF-8 in which no byte can drive the
 * terminal:
 *   - C0 controls (U+0000..U+001F) become their Control Pictures
 *     (U+2400..U+241F, e.g. ESC shows as U+241B), DEL becomes U+2421;
 *   - C1 controls (U+0080..U+009F), bidirectional overrides and isolates
 *     (U+202A..U+202E, U+2066..U+2069) and the line/paragraph separators
 *     become U+FFFD, as do invalid, overlong or surrogate UTF-8 sequences;
 *   - in SANITIZE_MULTILINE mode LF and TAB are kept and a CR before LF is
 *     dropped; in SANITIZE_LINE mode LF, CR and TAB become one space.
 * See mblaze's safe_u8putstr for the same idea. */
#ifndef TERN_SANITIZE_H
#define TERN_SANITIZE_H

#include <stddef.h>

#include "buf.h"

enum sanitize_mode {
	SANITIZE_LINE,
	SANITIZE_MULTILINE,
};

/* Appends the sanitised form of in[0..len) to out.  Returns 0, or -1 if
 * out's maximum was reached (out then holds a valid UTF-8 prefix). */
int sanitize_text(const char *in, size_t len, enum sanitize_mode mode,
		  struct buf *out) __attribute__((warn_unused_result));

/* Makes a file name from a message safe to create in a directory:
 * valid UTF-8 (bad bytes become '_'), no '/' or '\\', no control, C1,
 * DEL or bidi characters (each becomes '_'), no leading '.', '-', '~' or
 * blank (removed), trailing dots and blanks removed, never "." or "..", at
 * most max_bytes bytes (cut at a character boundary, keeping a short
 * extension).  An empty result becomes fallback.  Appends to out. */
#define SANITIZE_NAME_MAX 200
int sanitize_filename(const char *name, size_t len, const char *fallback,
		      struct buf *out) __attribute__((warn_unused_result));

/* Decodes one UTF-8 sequence at s[0..len): returns its length (1..4) and
 * stores the code point, or returns 1 and stores U+FFFD if the bytes are
 * not valid UTF-8 (overlong forms and surrogates included). */
size_t utf8_decode(const unsigned char *s, size_t len, unsigned *cp_r);

/* Appends the UTF-8 encoding of cp (<= U+10FFFF) to out. */
int utf8_append(struct buf *out, unsigned cp) __attribute__((warn_unused_result));

#endif
