/* html: HTML mail as readable plain text.
 *
 * The built-in converter for text/html parts (render.h may use an external
 * command instead).  It is a tolerant tokenizer with a small block layout,
 * not an HTML5 parser: it takes one pass over the input, so its time is
 * linear in the input size; besides out it allocates about 100 KiB plus
 * the link table (the distinct URLs, at most HTML_URLS_MAX bytes, and
 * about 40 bytes per link).
 *
 * Input: the HTML already converted to UTF-8 by the caller.  Invalid UTF-8
 * and control characters found in the input pass through unchanged; the
 * converter creates no control character itself other than LF, but the
 * result still needs sanitising (sanitize.h) before it reaches a terminal.
 *
 * Tokenizing (after HTML5 §13.2.5, simplified):
 *   - tag and attribute names are case-insensitive; attribute values may
 *     be quoted with " or ', or unquoted; an attribute may have no value;
 *   - "<" not followed by a letter, "/", "!" or "?" is literal text;
 *   - comments <!-- --> (also <!--> and --!>), <!DOCTYPE>, <? ?> and other
 *     <!...> declarations (e.g. <![if !mso]>) are dropped; <![CDATA[...]]>
 *     shows its content as literal text, as an XHTML author meant it;
 *   - a tag still open at the end of the input is dropped, with everything
 *     after its "<" (as HTML5 does); a comment or quoted attribute value
 *     still open takes the rest of the input likewise;
 *   - the content of script, style, title, template, noscript, iframe,
 *     noembed and noframes is skipped up to the matching end tag; text
 *     inside <head> is dropped until </head>, <body> or the first tag that
 *     cannot be in a head;
 *   - elements with a "hidden" attribute or "display:none" in their style
 *     attribute are dropped with their content (newsletters hide preheader
 *     text and mobile-only copies this way);
 *   - character references: see html_entities.h.
 *
 * Layout (decisions where browsers differ from a terminal):
 *   - white space collapses to one space outside <pre>; &nbsp; (U+00A0)
 *     does not collapse and binds the words around it, and is written as a
 *     plain space; U+00AD (soft hyphen) is dropped; spaces at the start and
 *     end of a line are dropped;
 *   - p, headings, blockquote, pre, dl, and lists not inside a list item
 *     are separated by one blank line; div, li, tr, dt, dd, table and the
 *     like start a new line; br ends the line, and a br on an empty line
 *     makes a blank line; never more than one blank line in a row (except
 *     inside pre, which is kept verbatim), none at the start or end;
 *   - h1 is underlined with '=', h2 with '-', as wide as the heading's
 *     longest line; h3..h6 are plain text between blank lines;
 *   - blockquote prefixes each of its lines with "> " per level (a blank
 *     line inside it shows ">");
 *   - ul items start with "* " (odd nesting levels) or "- " (even ones), ol
 *     items with "N. " from the start attribute (and li value=); the lines
 *     of an item after the first are indented by the marker's width, and a
 *     list directly inside a list by two spaces; dd is indented by four
 *     spaces;
 *   - pre keeps its spaces and line breaks (tabs expanded to multiples of
 *     eight columns) and is never wrapped; a newline right after <pre>,
 *     and spaces and empty lines at its end, are dropped;
 *   - hr is a line of '-' filling the wrap width after the prefix (at
 *     least 3; 70 without wrapping);
 *   - a table row is one line, cells separated by " | "; blocks inside a
 *     cell start their own lines, and lists and quotes left open in a cell
 *     end with it; an li outside any list is a "* " item of a list that
 *     ends with the div, p or cell around it;
 *   - <img alt="x"> shows "[image: x]"; without alt (or alt="") nothing;
 *   - nesting of blockquotes, lists, list items and dd is tracked to depth
 *     HTML_DEPTH_MAX; deeper content keeps the prefix of that depth.
 *
 * Wrapping, when width > 0: lines are filled with whole words up to width
 * display columns (width.h, so the locale's LC_CTYPE decides wide
 * characters), prefix included.  A word longer than the room left is not
 * broken: it gets a line of its own and runs past the width (URLs stay
 * whole).  When the prefix leaves fewer than 20 columns (or half the
 * width, if less), that many are used and lines run past the width.
 *
 * Links: <a href="URL">text</a> shows "text[N]" (after the last line of
 * the text when a block inside the link ends it), and after the text, one
 * blank line and "[N] URL" per line.  The same URL keeps its first number.
 * A new <a> ends one still open.
 * No number is added when the text is the URL itself (compared without
 * "http://", "https://" or "mailto:" and a final "/", ignoring ASCII case).
 * href values are entity-decoded, trimmed, and stripped of TAB, CR, LF
 * and FF.
 * Not listed: javascript:, vbscript: and data: URLs, empty hrefs, in-page
 * "#..." anchors, and URLs longer than HTML_URL_MAX bytes.  At most
 * max_links distinct URLs are numbered; later new URLs show only their
 * text. */
#ifndef TERN_HTML_H
#define TERN_HTML_H

#include <stddef.h>

#include "buf.h"

#define HTML_DEPTH_MAX 50
#define HTML_URL_MAX ((size_t)8 * 1024)
#define HTML_LINKS_MAX ((size_t)100 * 1000)
#define HTML_URLS_MAX ((size_t)16 * 1024 * 1024)

struct html_options {
	size_t width;     /* wrap column; 0: no wrapping */
	size_t max_links; /* URLs numbered and listed; 0: none; at most
			     HTML_LINKS_MAX is used */
};

/* Appends the text of the HTML in[0..len) to out: UTF-8 lines each ending
 * in LF (nothing at all for an input without text).  Returns 0, or -1
 * with errno ENOSPC if out's maximum was reached; out then holds the text
 * up to that point. */
int html_to_text(const char *in, size_t len, const struct html_options *opt,
		 struct buf *out) BUF_WUR;

#endif
