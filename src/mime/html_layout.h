/* html_layout: the text layout behind the HTML converter (html.h).
 *
 * Internal to html.c, which tokenizes the HTML and calls these in document
 * order.  The layout fills words into lines of out, wraps them at width
 * display columns, writes each line's prefix (blockquote "> ", list
 * markers and indentation) and keeps vertical space to at most one blank
 * line.  All behaviour visible to the reader is documented in html.h.
 *
 * Every call is a no-op once rc is -1 (out's maximum was reached); the
 * layout itself allocates only the word buffer (HTML_WORD_MAX bytes). */
#ifndef TERN_HTML_LAYOUT_H
#define TERN_HTML_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "html.h"

/* Longest word kept whole; a longer run of non-blank text is cut here. */
#define HTML_WORD_MAX ((size_t)64 * 1024)
/* List numbers (ol start=, li value=) are clamped to +-this. */
#define HTML_COUNTER_MAX 999999999L
/* Width of <hr> when not wrapping. */
#define HTML_RULE_NOWRAP 70

enum html_frame_kind {
	HTML_FR_QUOTE,
	HTML_FR_LIST,
	HTML_FR_ITEM,
	HTML_FR_DD,
};

struct html_frame {
	unsigned char kind;
	bool ordered;             /* list: numbered */
	bool indent;              /* list directly inside a list */
	bool shown;               /* item: marker already written */
	bool implicit;            /* list: made up for a stray li */
	unsigned char marker_len; /* item: bytes (= columns) of marker */
	char marker[14];          /* item: "* " or "-12. " */
	long counter;             /* list: number of the next item */
};

/* Where the frames stood when a table began: frames opened inside one of
 * its cells end with the cell. */
struct html_table_mark {
	size_t depth, overflow;
};

struct html_layout {
	struct buf *out;
	size_t width;
	int rc;                   /* 0, or -1 once out is full */

	struct html_frame frames[HTML_DEPTH_MAX];
	size_t depth;
	size_t overflow;          /* quotes and lists opened past the maximum */
	struct html_table_mark tables[HTML_DEPTH_MAX];
	size_t ntables;
	size_t tables_overflow;   /* tables nested past the maximum */

	bool line_open;           /* a line (prefix written) is in out */
	bool any_output;          /* some line has been completed */
	size_t line_begin;        /* where the open line starts in out */
	size_t line_cols;         /* its columns after the prefix */
	size_t avail;             /* columns for text after the prefix */
	size_t last_quote;        /* quote depth of the last line */
	int brk;                  /* before the next line: 1 new line, 2 blank */
	size_t text_end;          /* end of the last line if it held text */

	struct buf word;          /* the word being collected */
	bool word_space;          /* a space goes before it */
	bool space_pending;       /* white space seen after it */
	bool sep_pending;         /* a table cell began: " | " before it */

	unsigned pre;             /* depth of <pre> */
	bool pre_first;           /* a newline right after <pre> is dropped */
	size_t pre_nl;            /* newlines seen in pre, not yet written */
	size_t pre_spaces;        /* spaces seen in pre, not yet written */

	int heading;              /* 1..6 inside h1..h6, else 0 */
	size_t heading_cols;      /* widest line of the heading */
};

void html_layout_init(struct html_layout *l, struct buf *out, size_t width);
void html_layout_release(struct html_layout *l);

/* Text (UTF-8, entities already decoded): blanks collapse outside pre;
 * U+00A0 is a space that binds, U+00AD is dropped. */
void html_layout_text(struct html_layout *l, const char *p, size_t n);
/* Text glued to the end of the previous word ("[3]" after a link). */
void html_layout_marker(struct html_layout *l, const char *p, size_t n);

/* Ends the line; level 2 also asks for a blank line before the next. */
void html_layout_break(struct html_layout *l, int level);
void html_layout_line_break(struct html_layout *l);  /* <br> */
void html_layout_rule(struct html_layout *l);        /* <hr> */
/* The end of a div, p or similar: also ends a list made up for stray li. */
void html_layout_block_end(struct html_layout *l, int level);
void html_layout_table_start(struct html_layout *l);
void html_layout_table_end(struct html_layout *l);
void html_layout_row(struct html_layout *l);         /* <tr>, </tr> */
void html_layout_cell(struct html_layout *l);        /* <td>, <th> */
void html_layout_cell_end(struct html_layout *l);    /* </td>, </th> */
void html_layout_heading_start(struct html_layout *l, int level);
void html_layout_heading_end(struct html_layout *l);
void html_layout_quote_start(struct html_layout *l);
void html_layout_quote_end(struct html_layout *l);
void html_layout_pre_start(struct html_layout *l);
void html_layout_pre_end(struct html_layout *l);
void html_layout_list_start(struct html_layout *l, bool ordered, long start);
void html_layout_list_end(struct html_layout *l);
/* has_value: the li carries value=, which renumbers an ordered list. */
void html_layout_item_start(struct html_layout *l, bool has_value, long value);
void html_layout_item_end(struct html_layout *l);
void html_layout_dd_start(struct html_layout *l);
void html_layout_dd_end(struct html_layout *l);

/* Writes the last line. */
void html_layout_finish(struct html_layout *l);

#endif
