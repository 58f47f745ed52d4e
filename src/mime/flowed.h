/* flowed: reading text/plain; format=flowed (RFC 3676) for display.
 *
 * Each input line (LF or CRLF; a CR before LF is dropped, other CRs are
 * content) is read as §4.1 says, in this order:
 *   - its leading ">" are counted and removed: the quote depth (§4.5);
 *   - one leading space is removed: space-stuffing (§4.4), which is how
 *     "From " and ">" at the start of unquoted text arrive;
 *   - a line that is then "-- " is a signature separator (§4.3): neither
 *     flowed nor fixed, it stands alone;
 *   - a line ending in a space is flowed (a soft line break): it joins
 *     the next line into one paragraph.  With DelSp=yes that one space
 *     is deleted when joining (§4.2), so words split by the newer soft
 *     break technique (and text without spaces, like CJK) join up.
 * A paragraph also ends, although its last line is flowed, before a line
 * of a different quote depth ("quote-depth wins", §4.5), before a
 * signature separator, and at the end of the text (§4.1).
 *
 * Output: each paragraph is re-quoted and wrapped, every line ending in
 * LF.  A quoted line starts with ">" repeated depth times and one space
 * (">> text", as mutt shows it; "> > text" would read back as depth 1 with
 * content "> text", §4.5).  At most FLOWED_DEPTH_SHOWN marks are shown,
 * so that the output stays linear in the input however deep the quote
 * (paragraphs are still told apart by their real depth).  Lines are wrapped at spaces to width display
 * columns, prefix included (width_of(), so the locale must be UTF-8 and
 * the text UTF-8); the spaces at a break are dropped, and a word longer
 * than the line is broken between characters (at least one per line).
 * However deep the quote, a line keeps at least FLOWED_MIN_COLS columns
 * for its text (half the width on screens narrower than twice that), and
 * then runs past width.
 * No output line ends in a space except a signature separator, kept as
 * "-- " after its prefix; an empty quoted line is just its ">"s.  The
 * text is not sanitised: do that before display. */
#ifndef TERN_FLOWED_H
#define TERN_FLOWED_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define FLOWED_MIN_COLS 20
#define FLOWED_DEPTH_SHOWN 40

/* Appends the display form of the format=flowed text in[0..len) to out.
 * delsp is the DelSp=yes parameter; width 0 means no wrapping (each
 * paragraph on one line).  Returns 0, or -1 if out's maximum was reached
 * (out then holds a prefix of the output; a paragraph is assembled in a
 * scratch buffer with the same maximum). */
int flowed_to_text(const char *in, size_t len, bool delsp, size_t width,
		   struct buf *out) __attribute__((warn_unused_result));

/* Appends one paragraph text[0..len) (no line breaks) at quote depth
 * depth, wrapped to width as above.  Also serves plain text whose long
 * lines should wrap.  Returns 0, or -1 if out's maximum was reached. */
int flowed_wrap(const char *text, size_t len, size_t depth, size_t width,
		struct buf *out) __attribute__((warn_unused_result));

#endif
