/* html_links: the numbered list of link addresses of the HTML converter.
 *
 * Internal to html.c (behaviour documented in html.h).  Each distinct URL
 * gets the next number the first time it is asked for; lookups go through
 * a hash table, so numbering n links costs O(total URL bytes).  URL bytes
 * are kept in one buffer of at most HTML_URLS_MAX bytes. */
#ifndef TERN_HTML_LINKS_H
#define TERN_HTML_LINKS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct html_link {
	size_t off, len; /* in urls */
};

struct html_links {
	struct buf urls;
	struct html_link *v;
	size_t n, cap;
	size_t *slots;   /* open addressing: index into v plus 1, 0 = free */
	size_t nslots;   /* a power of two, at least twice n; 0 before use */
};

/* Cleans an entity-decoded href in place: drops TAB, LF, CR and FF, then
 * leading and trailing spaces.  Returns false if the URL is not to be
 * listed: empty, "#..." (in-page), javascript:, vbscript: or data:. */
bool html_links_clean(struct buf *href);

/* Whether a link's text (blanks collapsed) just shows its URL: equal when
 * both drop a leading "http://", "https://" or "mailto:" and a final "/",
 * ignoring ASCII case. */
bool html_links_text_is_url(const char *url, size_t url_len, const char *text,
			    size_t text_len);

void html_links_init(struct html_links *k);
void html_links_release(struct html_links *k);

/* The number (from 1) of url[0..n): its old number if it was seen, else a
 * new one if fewer than max (capped at HTML_LINKS_MAX) URLs are numbered
 * and the URL buffer has room, else 0 (not numbered). */
size_t html_links_number(struct html_links *k, const char *url, size_t n,
			 size_t max);

/* Appends "[N] URL" lines for all numbered URLs, after an empty line if
 * blank_first; nothing if there are none.  Returns 0, or -1 if out is
 * full. */
int html_links_write(const struct html_links *k, bool blank_first,
		     struct buf *out) BUF_WUR;

#endif
