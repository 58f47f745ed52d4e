/* summary: what the index shows of a message, read from its header once.
 *
 * A summary is built from the header alone (never the body), so that
 * opening a mailbox of 100,000 messages costs one pass over their headers.
 * Text fields are decoded to UTF-8 (RFC 2047, addresses shown as names)
 * but not sanitised: the display sanitises them.  The same struct is what
 * the mbox summary cache stores. */
#ifndef TERN_SUMMARY_H
#define TERN_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "header.h"

/* Flags as mutt keeps them in Status: and X-Status:. */
enum {
	SUMMARY_READ = 1 << 0,     /* Status: R */
	SUMMARY_OLD = 1 << 1,      /* Status: O (seen in a listing, not read) */
	SUMMARY_FLAGGED = 1 << 2,  /* X-Status: F */
	SUMMARY_ANSWERED = 1 << 3, /* X-Status: A */
	SUMMARY_DELETED = 1 << 4,  /* X-Status: D */
};

#define SUMMARY_DATE_UNKNOWN INT64_MIN

struct summary {
	int64_t date;          /* UTC seconds, or SUMMARY_DATE_UNKNOWN */
	int zone_minutes;      /* the sender's zone, east of UTC */
	char *from;            /* display form: name, else address; "" if none */
	char *from_address;    /* the first From address; "" if none */
	char *to;              /* display form of To */
	char *subject;         /* decoded; "" if none */
	char *message_id;      /* raw field value, or NULL */
	char *references;      /* raw field value, or NULL */
	char *in_reply_to;     /* raw field value, or NULL */
	size_t size;           /* bytes of the whole message */
	bool has_attachment;   /* multipart/mixed, or a non-text top type */
	unsigned flags;        /* SUMMARY_* */
	/* When not NULL, every text field above points into this one
	 * allocation (summary_pack), which summary_release frees. */
	char *strings;
};

/* Fills s from the message msg[0..len), reading only its header (which
 * ends within max_header bytes, see header.h).  Never fails. */
void summary_from_message(struct summary *s, const char *msg, size_t len,
			  const struct header_limits *lim);
void summary_release(struct summary *s);

/* Moves the text fields of s into one allocation: a summary kept for each
 * of 100,000 messages then costs one malloc instead of seven. */
void summary_pack(struct summary *s);

/* The flags of the Status and X-Status field values (either may be NULL). */
unsigned summary_flags(const char *status, const char *x_status);

#endif
