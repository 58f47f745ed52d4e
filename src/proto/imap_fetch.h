/* imap_fetch: "* n FETCH (items)" (RFC 9051 s7.5.2, RFC 3501 s7.4.2,
 * RFC 7162 s3.1.4.2 MODSEQ), and the index summary made from it.
 *
 * imap_fetch_parse() walks the item list once.  Items may come in any
 * order and are matched ASCII case-insensitively:
 *   UID n (nz-number), FLAGS (...) (imap_resp.h's struct imap_flags),
 *   INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz" (a quoted string of exactly
 *   that form: day " 7" or "07", RFC 9051 s9 date-time), RFC822.SIZE n
 *   (number64), MODSEQ (n) (one mod-sequence-value, 1 .. 2^63-1),
 *   ENVELOPE, BODYSTRUCTURE and BODY (imap_body.h), and the body
 *   sections: BODY[section]<origin>, BINARY[section]<origin>, RFC822,
 *   RFC822.HEADER, RFC822.TEXT, each an nstring (BINARY also a literal8,
 *   which anywhere else is a value of the wrong type).
 * Any other item (BINARY.SIZE, EMAILID, X-GM-LABELS, PREVIEW, ...) is
 * skipped: its value is exactly one argument, of any type.  A value of
 * the wrong type for its item is an error naming the item; so is an item
 * name that is not an atom, an item without a value, or anything after
 * the list.
 *
 * Duplicates: an item given twice is taken from its last occurrence (the
 * earlier ENVELOPE or BODYSTRUCTURE is freed); a body section given twice
 * is kept twice, and imap_fetch_section() finds the last.
 *
 * Errors: struct err, scope ERR_MESSAGE, code ERR_PARSE, or ERR_LIMIT
 * (more than IMAP_FETCH_SECTIONS_MAX sections; the caps of imap_body.h). */
#ifndef TERN_IMAP_FETCH_H
#define TERN_IMAP_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "imap_body.h"
#include "imap_parser.h"
#include "imap_resp.h"
#include "summary.h"

#define IMAP_FETCH_SECTIONS_MAX 32

/* struct imap_fetch.present */
enum {
	IMAP_FETCH_UID = 1u << 0,
	IMAP_FETCH_FLAGS = 1u << 1,
	IMAP_FETCH_INTERNALDATE = 1u << 2,
	IMAP_FETCH_RFC822_SIZE = 1u << 3,
	IMAP_FETCH_MODSEQ = 1u << 4,
	IMAP_FETCH_ENVELOPE = 1u << 5,
	IMAP_FETCH_BODYSTRUCTURE = 1u << 6, /* BODYSTRUCTURE or BODY */
};

enum imap_section_kind {
	IMAP_SECTION_BODY,          /* BODY[section] */
	IMAP_SECTION_BINARY,        /* BINARY[section] (RFC 3516) */
	IMAP_SECTION_RFC822,        /* RFC822: as BODY[] */
	IMAP_SECTION_RFC822_HEADER, /* RFC822.HEADER: as BODY[HEADER] */
	IMAP_SECTION_RFC822_TEXT,   /* RFC822.TEXT: as BODY[TEXT] */
};

/* One body section.  section and data point into the response: they live
 * until the next imap_parser_feed(); copy what must outlive it. */
struct imap_fetch_section {
	enum imap_section_kind kind;
	const char *section;   /* between "[" and "]" as sent ("" for RFC822*,
				  "HEADER.FIELDS (REFERENCES)", "1.2"), not
				  NUL-terminated */
	size_t section_len;
	bool has_origin;       /* "<n>" after "]" (a partial fetch) */
	uint32_t origin;
	const char *data;      /* NULL for NIL; else NUL-terminated at len (a
				  literal may hold NULs itself) */
	size_t len;
};

struct imap_fetch {
	uint32_t seq;          /* the message sequence number, >= 1 */
	unsigned present;      /* IMAP_FETCH_* */
	uint32_t uid;
	struct imap_flags flags;
	int64_t internaldate;  /* UTC seconds */
	int internaldate_zone; /* minutes east of UTC */
	uint64_t rfc822_size;
	uint64_t modseq;
	struct imap_envelope envelope;
	struct imap_body body;
	struct imap_fetch_section sections[IMAP_FETCH_SECTIONS_MAX];
	size_t n_sections;
};

void imap_fetch_init(struct imap_fetch *f);
void imap_fetch_release(struct imap_fetch *f);

/* Decodes the FETCH response r into f (initialised here; on failure f is
 * empty, and releasing it again is harmless).  Returns 0 or -1. */
int imap_fetch_parse(const struct imap_response *r, struct imap_fetch *f,
		     struct err *e);

/* The last section of that kind whose text equals section (ASCII
 * case-insensitively, e.g. "header.fields (references)"; "" for BODY[]
 * and the RFC822 kinds), or NULL. */
const struct imap_fetch_section *imap_fetch_section(const struct imap_fetch *f,
						    enum imap_section_kind kind,
						    const char *section);

/* Reads INTERNALDATE's value s[0..len) ("17-Jul-1996 02:44:25 -0700",
 * without the quotes) strictly: the exact form, a real date, zone minutes
 * below 60.  Returns 0 with UTC seconds and the zone, or -1. */
int imap_fetch_internaldate(const char *s, size_t len, int64_t *utc_r,
			    int *zone_r);

/* Fills s (zeroed first) for the index from what f holds; never fails:
 *   - subject: the envelope's, RFC 2047-decoded (rfc2047.h), "" if none;
 *   - from, from_address, to: as summary_from_message() makes them (each
 *     address's decoded name, else its address, joined with ", "; the
 *     first From address), "" if none;
 *   - date: the envelope's Date (date.h), else INTERNALDATE, else
 *     SUMMARY_DATE_UNKNOWN;
 *   - message_id, in_reply_to: the envelope's, raw, NULL if NIL;
 *     references: NULL (see imap_fetch_references());
 *   - size: RFC822.SIZE; flags: \Seen, \Flagged, \Answered, \Deleted as
 *     SUMMARY_READ, _FLAGGED, _ANSWERED, _DELETED;
 *   - has_attachment: imap_body_has_attachment() of the BODYSTRUCTURE.
 * Every string is valid UTF-8 (bad bytes of raw fields become U+FFFD);
 * decoded ones are cut at 4096 bytes as in summary.c, raw ones at 64 KiB. */
void imap_fetch_summary(const struct imap_fetch *f, struct summary *s);

/* Sets s->references from a header block hdr[0..len) (the bytes of
 * BODY[HEADER.FIELDS (REFERENCES)]; NULL with len 0 for NIL): the
 * References field unfolded (header.h header_get()), as valid UTF-8.
 * Returns 1 if it was there, 0 if not (references then NULL), or -1 and
 * changes nothing if s was packed (summary_pack(): call this before). */
int imap_fetch_references(struct summary *s, const char *hdr, size_t len);

#endif
