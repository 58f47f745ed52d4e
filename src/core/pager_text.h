/* pager_text: a rendered message cut into the screen lines the pager
 * shows, with what each line is (header, quoted at some depth, signature)
 * and where its URLs are, so that drawing is only colouring.
 *
 * Input is the text of render_message() (UTF-8, headers, a blank line,
 * the body, then the attachment list); it is sanitised here
 * (SANITIZE_MULTILINE: no byte of it can drive the terminal), tabs are
 * expanded to 8 columns, and lines longer than the width are wrapped at
 * a character boundary (by display width: CJK and emoji take two
 * columns).  Searching works on the screen lines. */
#ifndef TERN_PAGER_TEXT_H
#define TERN_PAGER_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define PAGER_TEXT_MAX ((size_t)64 << 20)
#define PAGER_URLS_MAX 1000
#define PAGER_URL_MAX 2048

enum pager_line_kind {
	PAGER_HEADER,     /* a header field line (or its continuation) */
	PAGER_BODY,
	PAGER_QUOTED,     /* depth in quote_depth */
	PAGER_SIGNATURE,  /* from a "-- " line to the end of the body */
	PAGER_ATTACHMENT, /* the attachment list render_message appends */
};

struct pager_url {
	size_t line;       /* screen line the URL starts on */
	size_t start, len; /* bytes within that line (a wrapped URL is cut at
			      the line's end) */
	char *url;         /* the whole URL */
};

struct pager_line {
	size_t off, len;   /* bytes in text */
	enum pager_line_kind kind;
	unsigned quote_depth;
	bool continued;    /* wrapped from the line before */
};

struct pager_text {
	char *text;        /* sanitised, tabs expanded */
	size_t text_len;
	struct pager_line *lines;
	size_t n;
	struct pager_url *urls;
	size_t n_urls;
	size_t header_lines; /* lines before the blank line after the header */
};

/* Builds pt from rendered (render_message text) for a screen of width
 * columns (at least 10).  Returns 0, or -1 with e filled (too large). */
int pager_text_build(struct pager_text *pt, const char *rendered, size_t len,
		     size_t width, struct err *e);
void pager_text_release(struct pager_text *pt);

/* The first line at or after from (or before it, if backwards) whose text
 * contains needle, ASCII case-insensitive; (size_t)-1 if none.  *col_r
 * (may be NULL) gets the byte offset of the match in the line. */
size_t pager_text_find(const struct pager_text *pt, const char *needle, size_t from,
		       bool backwards, size_t *col_r);

#endif
