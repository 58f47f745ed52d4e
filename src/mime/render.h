/* render: a message as a person reads it.
 *
 * From the parsed tree (mime.h): the weeded header fields, decoded
 * (RFC 2047, addresses), the text of the body and a numbered list of
 * attachments.  Body choice: multipart/alternative prefers text/plain
 * (then the richest part tern can show); multipart/related shows its root;
 * multipart/signed its first part; other multiparts show each part in
 * order; message/rfc822 parts are shown inline after a separator and also
 * listed as attachments; text/plain is converted to UTF-8, format=flowed
 * reflowed (RFC 3676); text/html is converted to text (built in, or by a
 * filter the caller gives); uuencoded blocks inside text become
 * attachments.  Every other part, and every part the sender marked as an
 * attachment, is an attachment.
 *
 * The text is UTF-8 and NOT yet safe for a terminal: the caller sanitises
 * it (sanitize.h) for the screen, or escapes it (json.h). */
#ifndef TERN_RENDER_H
#define TERN_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "mime.h"

/* Converts HTML (UTF-8) to text; returns 0 or -1 (the built-in converter
 * is then used).  For an external program such as "w3m -dump". */
typedef int render_html_fn(void *ctx, const char *html, size_t len,
			   struct buf *out);

struct render_options {
	size_t width;                /* wrap column for reflowed text; 0: none */
	bool all_headers;            /* every field instead of the weeded ones */
	const char *const *headers;  /* weeded fields; NULL: From To Cc Date Subject */
	size_t n_headers;
	render_html_fn *html_filter; /* NULL: built-in converter */
	void *html_ctx;
	size_t max_text;             /* maximum bytes of text (default 64 MB) */
	bool omitted_sizes;          /* m is a backend's display form: the sizes
					of bodies left out are believed
					(mime.h mime_part_omitted) */
};

void render_options_default(struct render_options *o);

struct render_attachment {
	const struct mime_part *part; /* the part; for a uuencoded block the
					 text part that holds it */
	int uu_index;                 /* -1, or which uuencoded block */
	char *type;                   /* "image/png" */
	char *name;                   /* decoded file name (UTF-8), or NULL */
	size_t size;                  /* decoded size in bytes */
	bool omitted;                 /* the body was left out (omitted_sizes):
					 size is the estimate, content empty */
};

struct render_result {
	struct buf text;
	struct render_attachment *att;
	size_t n_att;
	size_t cap_att;
};

/* Renders m.  Never fails: oversize text is cut with a notice. */
void render_message(const struct mime_message *m, const struct render_options *o,
		    struct render_result *r);
void render_result_release(struct render_result *r);

/* Only the body text (no header fields, no attachment list), as
 * render_message() shows it: for tern show --json. */
void render_body(const struct mime_message *m, const struct render_options *o,
		 struct render_result *r);

/* Appends the decoded content of attachment a (a uuencoded block is
 * decoded from its text part).  Returns 0, or -1 if out is full. */
int render_attachment_content(const struct render_attachment *a,
			      struct buf *out);

/* Appends the display form of a header field value: addresses as
 * "Name <addr>, ...", other fields RFC 2047-decoded.  UTF-8, not
 * sanitised. */
int render_field_value(const char *name, const char *value, size_t len,
		       struct buf *out);

#endif
