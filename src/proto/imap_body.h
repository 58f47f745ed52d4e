/* imap_body: ENVELOPE and BODYSTRUCTURE of a FETCH response (RFC 9051
 * s7.5.2 and s9 "envelope", "body"; RFC 3501 s7.4.2 and s9), decoded from
 * the argument tree of imap_parser.h.  The envelope lives here because a
 * message/rfc822 part carries one.
 *
 * Errors: struct err with scope ERR_MESSAGE (a broken structure spoils
 * one message) and code ERR_PARSE (an argument of the wrong type or a
 * missing field; the message names the field and the part's section) or
 * ERR_LIMIT (a cap below passed).  On failure the out-struct is empty.
 *
 * Strings are copies, cut at the first NUL a literal may hold; fields
 * marked "raw" are the server's bytes, not decoded and not sanitised. */
#ifndef TERN_IMAP_BODY_H
#define TERN_IMAP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "err.h"
#include "imap_parser.h"
#include "params.h"

/* ---- ENVELOPE ---- */

#define IMAP_ENVELOPE_ADDRESSES_MAX 1000 /* kept per list; more are
					    checked, then dropped */
#define IMAP_ENVELOPE_TEXT_MAX 4096      /* bytes of a decoded name */

/* The ten fields in their order (RFC 9051 s7.5.2 ENVELOPE).  Address
 * lists become address.h's struct mime_address_list, as the header's
 * would: name RFC 2047-decoded to UTF-8 (addr-name), address
 * "mailbox@host" (addr-adl, the source route, is dropped) made valid
 * UTF-8 (bad bytes become U+FFFD).  Group syntax (RFC 9051 s7.5.2): an
 * address with host NIL starts a group (mailbox holds its name) or, with
 * mailbox NIL too, ends it; members carry the group's name, and an empty
 * group gives one entry whose name and group are the group's name and
 * whose address is "", as mime_address_parse() does. */
struct imap_envelope {
	char *date;          /* raw, NULL for NIL */
	char *subject;       /* raw (RFC 2047 words undecoded), NULL for NIL */
	struct mime_address_list from, sender, reply_to, to, cc, bcc;
	char *in_reply_to;   /* raw, NULL for NIL */
	char *message_id;    /* raw, NULL for NIL */
};

void imap_body_envelope_init(struct imap_envelope *env);
void imap_body_envelope_release(struct imap_envelope *env);
/* Decodes the list a into env (initialised here).  Every field is
 * type-checked (nstring, or NIL / a list of addresses of four nstrings);
 * fields after the tenth are ignored (leniency).  Returns 0 or -1. */
int imap_body_envelope(const struct imap_arg *a, struct imap_envelope *env,
		       struct err *e);

/* ---- BODYSTRUCTURE ---- */

#define IMAP_BODY_DEPTH_MAX 20    /* nesting: the root part is depth 1 */
#define IMAP_BODY_PARTS_MAX 1000  /* parts in all, multiparts included */
#define IMAP_BODY_PARAMS_MAX 64   /* parameters kept per list */
#define IMAP_BODY_TEXT_MAX 1024   /* bytes kept of id, description, md5,
				     language, location, a parameter value */
/* Room for a section: IMAP_BODY_DEPTH_MAX numbers of at most 4 digits
 * (a part number is below IMAP_BODY_PARTS_MAX), dots, NUL. */
#define IMAP_BODY_SECTION_MAX (IMAP_BODY_DEPTH_MAX * 5 + 1)
#define IMAP_BODY_NONE SIZE_MAX

struct imap_body_param {
	char *name;   /* lower-cased ("filename*0*") */
	char *value;  /* raw: RFC 2231 / 2047 not decoded, cut at
			 IMAP_BODY_TEXT_MAX */
};

/* One MIME part.  Text fields are NULL when the server sent NIL or left
 * the (extension) field out. */
struct imap_body_part {
	bool multipart;          /* decoded as a multipart: children and a
				    subtype (type is then "multipart") */
	char *type, *subtype;    /* lower-cased, never NULL */
	struct imap_body_param *params; /* Content-Type parameters */
	size_t n_params;
	char *id, *description;  /* raw */
	char *encoding;          /* lower-cased, "7bit" for NIL */
	enum mime_cte cte;       /* encoding, read by mime_cte_parse() */
	uint64_t size;           /* body-fld-octets: encoded bytes */
	bool has_lines;          /* text and message/rfc822 parts */
	uint64_t lines;
	char *md5;               /* raw */
	char *disposition;       /* lower-cased ("inline", "attachment") */
	struct imap_body_param *disp_params;
	size_t n_disp_params;
	char *language;          /* raw; several are joined with ", " */
	char *location;          /* raw */
	/* Decoded for convenience (params.h rules, RFC 2231 then RFC 2047):
	 * the charset parameter as bytes (e.g. "utf-8"), and the file name
	 * (disposition's filename, else Content-Type's name; an empty value
	 * counts as absent) as UTF-8.  Untrusted: sanitise before use. */
	char *charset;
	char *filename;
	/* message/rfc822 and message/global: the envelope of the message
	 * inside (its body is this part's child); else NULL. */
	struct imap_envelope *envelope;
	/* The part's number for BODY[section] (RFC 9051 s6.4.5): "1", "2.1",
	 * ...  "" only for a multipart that is a message's body (the top
	 * level, or the child of a message/rfc822 part): it has no number of
	 * its own (fetch it as HEADER/TEXT of its message), and its children
	 * are numbered under its message's: "1", "2" at the top, "3.1",
	 * "3.2" inside message part "3".  A message's single-part body is
	 * "1" at the top and "3.1" inside message part "3". */
	char section[IMAP_BODY_SECTION_MAX];
	unsigned depth;          /* 1 for the root */
	/* The tree, as indexes into imap_body.parts (IMAP_BODY_NONE for
	 * none).  A multipart's children are its parts; a message part has
	 * one child, its body (none if the server sent NIL). */
	size_t parent, first_child, next_sibling, n_children;
};

/* Parts in document order (a part before its children, children in
 * order): parts[0] is the root.  n is 0 for a server's lone NIL. */
struct imap_body {
	struct imap_body_part *parts;
	size_t n, cap;
	unsigned depth;          /* the deepest part's depth */
};

void imap_body_init(struct imap_body *b);
void imap_body_release(struct imap_body *b);

/* Decodes a body (RFC 9051 s9 "body"; from BODYSTRUCTURE or BODY) into b
 * (initialised here).  Strict about the type of each field, lenient where
 * servers are known to be odd (doc/VIOLATIONS.md):
 *   - a lone NIL for the whole structure gives no parts, and NIL for the
 *     body of a message/rfc822 part gives that part no child;
 *   - extension data may stop after any field (also for BODY) and its
 *     later, unknown fields are skipped whatever their type;
 *   - a text part without its line count; a message/rfc822 part without
 *     envelope, body and line count (read as a plain part);
 *   - NIL for the type or subtype ("application"/"octet-stream", or
 *     "mixed" for a multipart), the encoding ("7bit") or the size (0);
 *     an atom where a string is wanted for type, subtype and encoding;
 *   - a parameter list "()", an odd last name, or a pair with NIL in it
 *     (skipped); a string where the disposition wants a list (its type).
 * Caps: a part deeper than IMAP_BODY_DEPTH_MAX or more parts than
 * IMAP_BODY_PARTS_MAX is ERR_LIMIT.  Recursion is bounded by the depth
 * cap.  Returns 0 or -1. */
int imap_body_parse(const struct imap_arg *a, struct imap_body *b,
		    struct err *e);

/* The raw value of the parameter called name (ASCII case-insensitive,
 * exactly as written: "boundary"), or NULL. */
const char *imap_body_param(const struct imap_body_param *params, size_t n,
			    const char *name);

/* Whether part i is message/rfc822 or message/global. */
bool imap_body_is_message(const struct imap_body *b, size_t i);

/* The part to show as the message's text, or IMAP_BODY_NONE:
 *   - a text/plain or text/html leaf whose disposition is none or
 *     "inline" is a candidate; parts inside a message/rfc822 part (an
 *     attached message) are not looked at;
 *   - in a multipart/alternative, the first child that yields a
 *     text/plain wins, else the first that yields a text/html;
 *   - in any other multipart, the first child that yields anything.
 * Its section, cte, charset and size say how to fetch and decode it. */
size_t imap_body_text_part(const struct imap_body *b);

/* The attachments, in document order: each part that is not a multipart
 * and not inside an attached message (a message/rfc822 part is listed
 * once, as itself), except the text part and, when the text part is
 * inside a multipart/alternative, the other inline text renderings in
 * it.  Writes up to max indexes to idx_r and returns how many there are
 * in all (may be more than max). */
size_t imap_body_attachments(const struct imap_body *b, size_t *idx_r,
			     size_t max);

/* summary.h's rule, on the root part: multipart/mixed, or a top type
 * other than text and multipart.  False with no parts. */
bool imap_body_has_attachment(const struct imap_body *b);

#endif
