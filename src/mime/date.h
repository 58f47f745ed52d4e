/* date: the Date field (RFC 5322 §3.3) and the dates real mail has.
 *
 * Read, besides "[Mon, ]5 Jan 2026 09:12[:00] +0100":
 *   - the obsolete forms of §4.3: two-digit years (00-49 are 20xx, 50-99
 *     19xx), three-digit years (+1900), named zones (UT, GMT, EST/EDT,
 *     CST/CDT, MST/MDT, PST/PDT), military one-letter zones (read as
 *     -0000: their sign was long ago used both ways), comments anywhere
 *     ("(PDT)"), blanks anywhere, full and lower-case day and month names;
 *   - what real mail and mbox files add: a missing zone (offset 0, not
 *     known), a missing time (midnight) or missing seconds, fractional
 *     seconds, a zone without sign ("0800") or with three digits
 *     ("-600"), common zone names outside the RFC (CET, CEST, MET, MEST,
 *     MEZ, MESZ, WET, WEST, EET, EEST, BST, MSK, JST, KST, HKT, SGT, AEST,
 *     AEDT, ACST, ACDT, AWST, NZST, NZDT, HST, AKST, AKDT, NST, NDT; the
 *     ambiguous IST and AST are not known), an unknown zone word after
 *     the time (offset 0, not known), dashes between the date's parts
 *     ("5-Jan-2026"), AM/PM, "May 8, 2005 1:17 PM", the asctime form of
 *     mbox From_ lines ("Mon Jan  5 09:12:00 2026", also with the zone
 *     before the year), and ISO 8601 ("2026-01-05T09:12:00Z",
 *     "2026-01-05 09:12:00+01:00").
 * Ranges are checked (day against its month, leap years included; hour
 * 0-23, minute 0-59, second 0-60, zone up to ±9959, year 1900-9999);
 * anything else is "unknown", never 1970.  A leap second is read as :59.
 * The result does not depend on the locale or TZ.  Input of any length
 * is read in linear time; a value of more than 32 words (comments not
 * counted) is not a date. */
#ifndef TERN_DATE_H
#define TERN_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mime_date {
	bool valid;
	bool zone_known;  /* false for a missing, "-0000", military or
			     unknown zone: zone_minutes is then 0 */
	int64_t utc;      /* seconds since 1970-01-01T00:00:00Z */
	int zone_minutes; /* the sender's offset east of UTC */
};

/* Parses value[0..len).  Returns 0 and fills d, or returns -1 and sets d
 * to { .valid = false } (all zero) if the value is not a date. */
int mime_date_parse(const char *value, size_t len, struct mime_date *d);

/* Writes d in the sender's local time as "2026-01-05T09:12:00+01:00"
 * (RFC 3339; "-00:00" when the zone is not known, §4.3 there), NUL-
 * terminated.  Returns 0, or -1 (out "") if d is not valid. */
int mime_date_iso8601(const struct mime_date *d, char out[32]);

#endif
