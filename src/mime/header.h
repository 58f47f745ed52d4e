/* header: the header of a message or MIME part (RFC 5322 §2.2, §3.6).
 *
 * Two ways in:
 *   - header_get(): a quick lookup of one field in a header block in
 *     memory, for scanning many messages (mailbox listings);
 *   - struct header_parser: an incremental parser that can be fed any
 *     split of the bytes (as they arrive from a server) and hands out each
 *     complete field, unfolded; header_parse() runs it on a whole buffer
 *     and keeps the fields in a struct header.
 *
 * Leniencies (doc/VIOLATIONS.md): LF and CRLF line ends alike; NUL and
 * 8-bit bytes kept (RFC 6532 UTF-8 headers); whitespace before the colon
 * (obs-header, §4.5); an mbox "From " envelope line at the very start is
 * skipped; a later line that is neither a field nor a continuation is
 * skipped; if the FIRST line is not a field the message has no header and
 * all of it is body.  A missing empty line means everything is header. */
#ifndef TERN_HEADER_H
#define TERN_HEADER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* ------------------------------------------------------ quick lookup */

/* Length of the header block of msg[0..len): up to and including the
 * empty line that ends it, or len if there is none.  A message starting
 * with an empty line has an empty header (returns the line's length). */
size_t header_block_len(const char *msg, size_t len);

/* Finds the first field called name (ASCII case-insensitive) in the
 * header block hdr[0..len) and appends its unfolded value to out: line
 * breaks inside the field are removed (§2.2.3), leading blanks of the
 * value are dropped, trailing ones trimmed.  Returns 1 if found, 0 if not,
 * -1 if out's maximum was reached. */
int header_get(const char *hdr, size_t len, const char *name, struct buf *out);

/* ------------------------------------------------------ full parser */

struct header_limits {
	size_t max_field;  /* bytes of one unfolded field; more is cut off */
	size_t max_header; /* bytes of the whole header; parsing stops there */
	size_t max_fields; /* fields kept; later ones are counted, not kept */
};

/* The defaults: 1 MB per field, 10 MB per header, 10,000 fields. */
void header_limits_default(struct header_limits *lim);

/* Flags describing what the parser met (struct header.flags). */
enum {
	HEADER_NO_HEADER = 1 << 0,   /* first line was no field: all is body */
	HEADER_ENVELOPE = 1 << 1,    /* a leading "From " line was skipped */
	HEADER_GARBAGE = 1 << 2,     /* lines neither field nor continuation */
	HEADER_FIELD_CUT = 1 << 3,   /* a field longer than max_field was cut */
	HEADER_TOO_BIG = 1 << 4,     /* max_header reached: the rest is body */
	HEADER_TOO_MANY = 1 << 5,    /* more than max_fields fields */
	HEADER_NO_END = 1 << 6,      /* no empty line: the input ended */
};

struct header_field {
	const char *name;  /* NUL-terminated; as written */
	size_t name_len;
	const char *value; /* unfolded, leading and trailing blanks removed,
			      NUL-terminated but may contain NUL bytes */
	size_t value_len;
};

/* Called for each complete field; the strings live until it returns.
 * A non-zero return stops the parser, which returns it. */
typedef int header_field_fn(void *ctx, const struct header_field *f);

struct header_parser {
	struct header_limits lim;
	struct buf line;   /* the physical line being read */
	struct buf field;  /* the logical field being unfolded */
	size_t name_len;   /* 0: no field pending */
	size_t total;      /* header bytes consumed */
	size_t n_fields;
	bool line_cut;     /* line longer than the buffer: rest dropped */
	bool first_line;
	bool done;
	unsigned flags;
};

void header_parser_init(struct header_parser *hp,
			const struct header_limits *lim);
void header_parser_release(struct header_parser *hp);

/* Feeds data[0..len).  Stops after the empty line that ends the header,
 * after max_header bytes, or when the first line shows there is no
 * header.  *used_r is set to the bytes consumed from data.  Returns 0
 * while more is wanted, 1 when the header is complete (the body starts
 * at the next byte, or at the start of the input with HEADER_NO_HEADER),
 * or the callback's non-zero value. */
int header_parser_feed(struct header_parser *hp, const char *data,
		       size_t len, size_t *used_r, header_field_fn *fn,
		       void *ctx);

/* Ends the input: hands out a pending field.  Returns 0 or the
 * callback's value. */
int header_parser_finish(struct header_parser *hp, header_field_fn *fn,
			 void *ctx);

/* A parsed header kept in memory. */
struct header {
	struct header_field *fields;
	size_t n;
	size_t cap;
	size_t len;     /* bytes of the header, terminating empty line included */
	unsigned flags; /* HEADER_* */
};

/* Parses the header at the start of msg[0..len).  The body starts at
 * h->len (0 with HEADER_NO_HEADER).  Never fails: limits are flagged. */
void header_parse(struct header *h, const char *msg, size_t len,
		  const struct header_limits *lim);
void header_release(struct header *h);

/* The first field called name (ASCII case-insensitive), or NULL. */
const struct header_field *header_find(const struct header *h,
				       const char *name);

#endif
