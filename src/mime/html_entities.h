/* html_entities: decoding one HTML character reference (&amp; &#8212;
 * &#x2014;), for the HTML-to-text converter (html.h).
 *
 * Named references: the 252 entities of HTML 4.01 (ISO 8859-1, symbols and
 * Greek, special: https://www.w3.org/TR/html401/sgml/entities.html), plus
 * &apos; (XHTML) and the upper-case &AMP; &LT; &GT; &QUOT; &COPY; &REG; of
 * HTML5.  Names are case-sensitive.  As in HTML5 (§13.2.5.72-80), the
 * ISO 8859-1 names and amp, lt, gt, quot are also recognised without their
 * ';' ("&amp" "&copy2024" = "©2024"), except inside an attribute value
 * when the name is followed by a letter, digit or '=' (so that
 * href="?a=1&copy=2" stays as written).
 *
 * Numeric references, decimal or hex, ';' optional: 0, surrogates and
 * values past U+10FFFF become U+FFFD; 0x80..0x9F are read as windows-1252
 * (as HTML5 does) and the five unassigned ones become U+FFFD; other
 * control characters except TAB, LF, FF and CR become U+FFFD, so a
 * decoded reference never creates a control character the caller did not
 * expect. */
#ifndef TERN_HTML_ENTITIES_H
#define TERN_HTML_ENTITIES_H

#include <stdbool.h>
#include <stddef.h>

/* s[0..len) starts with '&'.  Returns how many bytes the reference takes
 * (at least 2) and stores its code point in *cp_r, or returns 0 if s does
 * not start a reference (the '&' is then literal text).  Reads no further
 * than the reference's end plus one byte (a name is at most 32 bytes; a
 * number takes all its digits, which it also consumes). */
size_t html_entities_decode(const char *s, size_t len, bool in_attr,
			    unsigned *cp_r);

#endif
