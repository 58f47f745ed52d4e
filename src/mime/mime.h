/* mime: the MIME structure of a message (RFC 2045, RFC 2046).
 *
 * mime_parse() reads a complete message in memory into a tree of parts:
 * multiparts split at their boundaries, message/rfc822 parts parsed as
 * messages of their own, every part with its parsed header, content type
 * and parameters, disposition and transfer encoding.  Bodies are not
 * decoded here (mime_part_decode() does that on demand), so parsing costs
 * one pass over the bytes per nesting level.
 *
 * What broken mail gets (doc/VIOLATIONS.md): a missing Content-Type is
 * text/plain (message/rfc822 inside multipart/digest, RFC 2046 §5.1.5);
 * a multipart without a boundary, or whose boundary never occurs, is shown
 * as text/plain; a missing final boundary ends the last part at the end of
 * the message; a message/rfc822 part in base64 or quoted-printable is
 * decoded and parsed.
 *
 * Limits (struct mime_limits): nesting depth, number of parts and the
 * header limits.  Beyond a limit the rest is kept as one opaque part
 * carrying a notice; parsing never fails and never takes unbounded time
 * or memory. */
#ifndef TERN_MIME_H
#define TERN_MIME_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "header.h"
#include "params.h"

struct mime_limits {
	struct header_limits header;
	unsigned max_depth;  /* 50 */
	size_t max_parts;    /* 5000 */
};

void mime_limits_default(struct mime_limits *lim);

struct mime_part {
	const char *data;      /* the buffer the part lives in */
	size_t off, len;       /* the whole part (header and body) in data */
	size_t body_off;       /* the raw (encoded) body in data */
	size_t body_len;
	struct header hdr;
	struct mime_params ctype; /* type and subtype in lower case, never NULL */
	struct mime_params disp;  /* Content-Disposition; type "" if absent */
	enum mime_cte cte;
	unsigned depth;        /* 0 for the message itself */
	size_t index;          /* position in document order, 0 = the message */
	const char *notice;    /* why this part is opaque or odd, or NULL;
				  a static English string (translate with _()) */
	struct mime_part *parent;
	struct mime_part *first_child;
	struct mime_part *next; /* next sibling */
	char *owned;           /* a decoded message/rfc822 body the children
				  of this part point into, or NULL */
};

struct mime_message {
	struct mime_part *root;
	size_t n_parts;
	struct mime_limits lim;
};

/* Parses msg[0..len), which must outlive m.  lim may be NULL for the
 * defaults. */
void mime_parse(struct mime_message *m, const char *msg, size_t len,
		const struct mime_limits *lim);
void mime_message_release(struct mime_message *m);

/* Calls fn for every part in document order (the root first), with no
 * recursion. */
void mime_walk(const struct mime_message *m,
	       void (*fn)(void *ctx, const struct mime_part *p), void *ctx);

/* Whether the part has this type and subtype (lower case; subtype NULL
 * for any). */
bool mime_part_is(const struct mime_part *p, const char *type,
		  const char *subtype);

/* The part's file name (Content-Disposition filename, else Content-Type
 * name), decoded to UTF-8, or NULL.  Not sanitised. */
const char *mime_part_filename(const struct mime_part *p);

/* The charset parameter, or NULL. */
const char *mime_part_charset(const struct mime_part *p);

/* Whether the sender marked the part as an attachment. */
bool mime_part_is_attachment(const struct mime_part *p);

/* Appends the transfer-decoded body to out.  Returns 0, or -1 if out's
 * maximum was reached (out holds what fitted). */
int mime_part_decode(const struct mime_part *p, struct buf *out);

/* The size of the transfer-decoded body, computed without keeping it. */
size_t mime_part_decoded_size(const struct mime_part *p);

/* Whether the part's body was left out of a backend's display form
 * (core/backend.h BE_FETCH_DISPLAY): its header's FIRST field is
 * X-Tern-Omitted-Size (the body's size on the server, encoded octets) and
 * its body is empty.  *size_r gets the decoded size estimated from it
 * (base64: lines of 76 characters and CRLF).  Anyone can write that field
 * into a message: believe it only for what such a backend gave. */
bool mime_part_omitted(const struct mime_part *p, size_t *size_r);

#endif
