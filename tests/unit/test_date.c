/* Tests for src/mime/date.c.  Values marked with a corpus path are Date
 * fields found in /work/shared/corpus (ruby-mail MIT, james-mime4j
 * Apache-2.0, mailkit MIT, mimekit MIT, stalwart Apache-2.0/MIT). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

/* A value and its expected local ISO 8601 form (NULL: not a date). */
struct date_case {
	const char *value;
	const char *iso;
	const char *what;
};

static const struct date_case cases[] = {
	/* RFC 5322 §3.3 */
	{ "Mon, 5 Jan 2026 09:12:00 +0100", "2026-01-05T09:12:00+01:00", "RFC 5322 date-time" },
	{ "5 Jan 2026 09:12 +0100", "2026-01-05T09:12:00+01:00", "no day of week, no seconds" },
	{ "Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00", "RFC 5322 A.1.1" },
	{ "Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00", "RFC 5322 A.3" },
	{ "Mon, 5 Jan 2026 09:12:00 +9959", "2026-01-05T09:12:00+99:59", "largest zone" },
	/* RFC 5322 §4.3 */
	{ "21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06+00:00", "A.6.2 two-digit year and GMT" },
	{ "Thu, 19 Sep 91 12:41:43 EDT", "1991-09-19T12:41:43-04:00", "EDT (mailkit)" },
	{ "Fri, 7 Feb 49 14:33:38 +1100", "2049-02-07T14:33:38+11:00", "49 is 2049" },
	{ "Sat, 1 Jan 50 00:00:00 GMT", "1950-01-01T00:00:00+00:00", "50 is 1950" },
	{ "1 Jan 103 00:00:00 +0000", "2003-01-01T00:00:00+00:00", "three-digit year plus 1900" },
	{ "Tue, 6 Jun 2000 03:20:11 UT", "2000-06-06T03:20:11+00:00", "UT" },
	{ "Mon, 5 Jan 2026 09:12:00 EST", "2026-01-05T09:12:00-05:00", "EST" },
	{ "Mon, 5 Jan 2026 09:12:00 CDT", "2026-01-05T09:12:00-05:00", "CDT" },
	{ "Mon, 5 Jan 2026 09:12:00 MST", "2026-01-05T09:12:00-07:00", "MST" },
	{ "Mon, 5 Jan 2026 09:12:00 PDT", "2026-01-05T09:12:00-07:00", "PDT" },
	{ "Mon, 5 Jan 2026 09:12:00 A", "2026-01-05T09:12:00-00:00", "military zone is unknown" },
	{ "Mon, 5 Jan 2026 09:12:00 Z", "2026-01-05T09:12:00-00:00", "military Z is unknown too" },
	{ "26 Apr 2001 04:45:38 -0000", "2001-04-26T04:45:38-00:00", "-0000 is unknown" },
	{ "Mon, 2 Apr 2001 04:47:00 -0700 (PDT)", "2001-04-02T04:47:00-07:00", "trailing comment" },
	{ "Wed, 20 Sep 1995 00:19:00 (EDT) -0400", "1995-09-20T00:19:00-04:00", "comment before the zone (mimekit)" },
	{ "(x) Mon (y), 5 (z) Jan 2026 09:12:00 +0100 (a (nested) one)",
	  "2026-01-05T09:12:00+01:00", "comments everywhere" },
	{ "Monday, 5 January 2026 09:12:00 +0100", "2026-01-05T09:12:00+01:00", "full names" },
	{ "tue, 28 may 1996 12:24:23 cst", "1996-05-28T12:24:23-06:00", "lower case month and zone" },
	{ "  Mon,\r\n 5 Jan\t2026 09:12:00\r\n +0100  ", "2026-01-05T09:12:00+01:00", "folded with blanks" },
	/* what real mail has */
	{ "Wed, 15 Feb 1995 09:38:18", "1995-02-15T09:38:18-00:00", "missing zone" },
	{ "5 Jan 2026", "2026-01-05T00:00:00-00:00", "missing time is midnight" },
	{ "5-Jan-2026 09:12:00 +0000", "2026-01-05T09:12:00+00:00", "dashes in the date" },
	{ "Mon, 05-January-2026 09:12:00 -0300", "2026-01-05T09:12:00-03:00", "dashes and a zone" },
	{ "Thu, 27 Apr 95 01:14:08 0800", "1995-04-27T01:14:08+08:00", "zone without sign (mailkit)" },
	{ "Mon, 21 Aug 95 13:30:57 -600", "1995-08-21T13:30:57-06:00", "three-digit zone (mime4j)" },
	{ "Tue, 17 Jul 2012 22:23:35.882 0000", "2012-07-17T22:23:35+00:00", "fractional seconds (mime4j)" },
	{ "Tue, 12 Oct 2010 16:21:05 H0500", "2010-10-12T16:21:05-00:00", "junk zone is unknown (ruby-mail)" },
	{ "Thu, 6 Jun 1996 15:50:39 +0400 (MOW DST)", "1996-06-06T15:50:39+04:00", "zone comment (mime4j)" },
	{ "26 Dec 1991 20:45 (Thursday)", "1991-12-26T20:45:00-00:00", "weekday in a comment (mailkit)" },
	{ "Mon, 5 Jan 2026 09:12:00 CET", "2026-01-05T09:12:00+01:00", "CET" },
	{ "Mon, 5 Jul 2026 09:12:00 CEST", "2026-07-05T09:12:00+02:00", "CEST" },
	{ "Wed, 28 May 2014 17:18:19 JST", "2014-05-28T17:18:19+09:00", "JST" },
	{ "Mon, 5 Jul 2026 09:12:00 BST", "2026-07-05T09:12:00+01:00", "BST" },
	{ "Mon, 5 Jan 2026 09:12:00 IST", "2026-01-05T09:12:00-00:00", "ambiguous IST is unknown" },
	{ "Mon, 5 Jan 2026 09:12:00 GMT+0100", "2026-01-05T09:12:00+01:00", "GMT+0100: the number wins" },
	{ "Mon, 5 Jan 2026 09:12:00 GMT-0500", "2026-01-05T09:12:00-05:00", "GMT-0500 keeps its sign" },
	{ "Mon, 5 Jan 2026 09:12:00 +0100 -0500", "2026-01-05T09:12:00+01:00", "first numeric zone wins" },
	{ "Mon, 5 Jan 2026 09:12:00-0500", "2026-01-05T09:12:00-05:00", "zone glued to the time" },
	{ "Sat, 20 Sep 2008 20:04:30 +0300 (\xc3\xb9\xc3\xb2\xc3\xa5\xc3\xaf)",
	  "2008-09-20T20:04:30+03:00", "8-bit comment (ruby-mail)" },
	{ "Mon, 30 Jun 3609 15:33:50 +0600", "3609-06-30T15:33:50+06:00", "far future year (ruby-mail)" },
	/* asctime and friends */
	{ "Mon Jan  5 09:12:00 2026", "2026-01-05T09:12:00-00:00", "asctime (mbox From_)" },
	{ "Sun Apr 23 02:25:07 1995", "1995-04-23T02:25:07-00:00", "asctime (mailkit)" },
	{ "Wed May 15 15:18:08 EDT 1991", "1991-05-15T15:18:08-04:00", "date(1) with zone before year (mailkit)" },
	{ "May 8, 2005 1:17 PM", "2005-05-08T13:17:00-00:00", "PM (ruby-mail)" },
	{ "May 8, 2005 12:05 AM", "2005-05-08T00:05:00-00:00", "12 AM is midnight" },
	{ "May 8, 2005 12:05 pm", "2005-05-08T12:05:00-00:00", "12 PM is noon" },
	/* ISO 8601 */
	{ "2026-01-05T09:12:00Z", "2026-01-05T09:12:00+00:00", "ISO 8601 with Z" },
	{ "2026-01-05 09:12:00+01:00", "2026-01-05T09:12:00+01:00", "ISO 8601 with space" },
	{ "2026-01-05T09:12:00.123 -0330", "2026-01-05T09:12:00-03:30", "ISO 8601 fraction and zone" },
	{ "2026-01-05T09:12", "2026-01-05T09:12:00-00:00", "ISO 8601 without zone" },
	{ "2026-01-05", "2026-01-05T00:00:00-00:00", "ISO 8601 date only" },
	{ "2026-01-05T09:12:00Z (sent)", "2026-01-05T09:12:00+00:00", "ISO 8601 with comment" },
	/* ranges */
	{ "29 Feb 2024 00:00 +0000", "2024-02-29T00:00:00+00:00", "29 February in a leap year" },
	{ "29 Feb 2000 00:00 +0000", "2000-02-29T00:00:00+00:00", "2000 is a leap year" },
	{ "31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59+00:00", "last second of 9999" },
	{ "1 Jan 1900 00:00:00 +0000", "1900-01-01T00:00:00+00:00", "first day of 1900" },
	{ "30 Jun 2026 23:59:60 +0000", "2026-06-30T23:59:59+00:00", "leap second read as :59" },
	{ "29 Feb 2023 00:00 +0000", NULL, "29 February in a common year" },
	{ "29 Feb 1900 00:00 +0000", NULL, "1900 is not a leap year" },
	{ "31 Apr 2026 00:00 +0000", NULL, "31 April" },
	{ "0 Jan 2026 00:00 +0000", NULL, "day 0" },
	{ "32 Jan 2026 00:00 +0000", NULL, "day 32" },
	{ "5 Jan 2026 24:00 +0000", NULL, "hour 24" },
	{ "5 Jan 2026 23:60 +0000", NULL, "minute 60" },
	{ "5 Jan 2026 23:59:61 +0000", NULL, "second 61" },
	{ "5 Jan 2026 23:59 +0060", NULL, "zone minutes 60" },
	{ "5 Jan 2026 23:59 +10000", NULL, "five-digit zone" },
	{ "1 Jan 1899 00:00 +0000", NULL, "year 1899" },
	{ "1 Jan 10000 00:00 +0000", NULL, "year 10000" },
	{ "1 Jan 7 00:00 +0000", NULL, "one-digit year" },
	{ "May 8, 2005 13:17 PM", NULL, "13 PM" },
	{ "2026-13-05T09:12:00Z", NULL, "ISO month 13" },
	{ "2026-02-30", NULL, "ISO 30 February" },
	{ "2026-01-05T09:12:00Zjunk", NULL, "ISO with junk after" },
	/* garbage */
	{ "", NULL, "empty" },
	{ "   ", NULL, "blank" },
	{ "Whenever", NULL, "a word (stalwart)" },
	{ "<HR>", NULL, "markup (ruby-mail)" },
	{ "Pn, 29 paX 2007 21:13:00 +0100", NULL, "foreign month (ruby-mail)" },
	{ "Wed, 15 Dec 2010    59:10 -0500", NULL, "hour 59 (ruby-mail)" },
	{ "Tue, 7 Apr 2026 10:00:t <rimap-test@example.test>", NULL, "broken time (stalwart)" },
	{ "99999999999999999999 Jan 2026", NULL, "huge number" },
	{ "5 Jan 2026 999999999999999999:00", NULL, "huge hour" },
	{ "5 Jan 2026 10:00 +99999999999999999999", NULL, "huge zone" },
	{ "Jan 2026", NULL, "no day" },
	{ "5 Jan", NULL, "no year" },
	{ "5 2026 10:00", NULL, "no month" },
	{ "Jan Feb 5 2026", NULL, "two months" },
	{ "5 Jan 2026 10:00 10:00", NULL, "two times" },
	{ "5 Jan 2026 1999", NULL, "an extra number before the time" },
	{ "1:2:3:4 5 Jan 2026", NULL, "four time parts" },
	{ "5th Jan 2026", NULL, "ordinal day" },
};

static void test_cases(void)
{
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct date_case *c = &cases[k];
		struct mime_date d;
		char iso[32];
		int rc = mime_date_parse(c->value, strlen(c->value), &d);
		if (c->iso == NULL) {
			ok(rc == -1 && !d.valid && d.utc == 0, "%s: not a date", c->what);
			continue;
		}
		mime_date_iso8601(&d, iso);
		if (!is_str(rc == 0 ? iso : "(unknown)", c->iso, "%s", c->what))
			diag("input: %s", c->value);
	}
}

static void test_utc(void)
{
	struct mime_date d;
	mime_date_parse(S("Thu, 1 Jan 1970 00:00:00 +0000"), &d);
	is_int(d.utc, 0, "the epoch is 0");
	ok(d.zone_known && d.zone_minutes == 0, "+0000 is a known zone");
	mime_date_parse(S("Mon, 5 Jan 2026 09:12:00 +0100"), &d);
	is_int(d.utc, 1767600720, "UTC of a date with a zone east");
	is_int(d.zone_minutes, 60, "zone minutes east of UTC");
	mime_date_parse(S("Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)"), &d);
	is_int(d.utc, -27723480, "before the epoch, half-hour zone (mailkit)");
	is_int(d.zone_minutes, -210, "negative half-hour zone");
	mime_date_parse(S("Sun, 7 Feb 2049 14:33:38 +1100"), &d);
	is_int(d.utc, 2496281618LL, "after 2038");
	mime_date_parse(S("Mon, 5 Jan 2026 09:12:00"), &d);
	ok(!d.zone_known && d.zone_minutes == 0, "missing zone: unknown, offset 0");
	is_int(d.utc, 1767604320, "missing zone read as UTC");
	mime_date_parse(S("Mon, 5 Jan 2026 09:12:00 -0000"), &d);
	ok(!d.zone_known, "-0000 flagged unknown");
}

static void test_iso_output(void)
{
	struct mime_date d = { 0 };
	char iso[32] = "x";
	is_int(mime_date_iso8601(&d, iso), -1, "invalid date has no ISO form");
	is_str(iso, "", "invalid date writes an empty string");
	d = (struct mime_date){ .valid = true, .zone_known = true, .utc = 0, .zone_minutes = -90 };
	is_int(mime_date_iso8601(&d, iso), 0, "hand-made date");
	is_str(iso, "1969-12-31T22:30:00-01:30", "local time before the epoch");
	d.utc = INT64_MAX;
	is_int(mime_date_iso8601(&d, iso), -1, "out-of-range UTC refused");
	d = (struct mime_date){ .valid = true, .zone_known = true, .zone_minutes = 100000 };
	is_int(mime_date_iso8601(&d, iso), -1, "out-of-range zone refused");
	struct mime_date r;
	mime_date_parse(S("Mon, 5 Jan 2026 09:12:00 +0100"), &r);
	mime_date_iso8601(&r, iso);
	is_int((long long)strlen(iso), 25, "ISO form is 25 characters");
}

static void test_long_inputs(void)
{
	size_t n = (size_t)1 << 20;
	char *v = malloc(n);
	struct mime_date d;
	memset(v, ' ', n);
	memcpy(v + n - 30, "Mon, 5 Jan 2026 09:12:00 +0100", 30);
	is_int(mime_date_parse(v, n, &d), 0, "a date after a megabyte of blanks");
	for (size_t k = 0; k + 2 <= n; k += 2)
		memcpy(v + k, "a ", 2);
	is_int(mime_date_parse(v, n, &d), -1, "too many words");
	memset(v, '(', n);
	is_int(mime_date_parse(v, n, &d), -1, "a megabyte of '('");
	memset(v, '9', n);
	is_int(mime_date_parse(v, n, &d), -1, "a megabyte of digits");
	free(v);
}

static void test_truncation(void)
{
	/* Every prefix is handled within its bounds; the full value parses. */
	static const char v[] = "Mon (c), 5-Jan-2026 09:12:00.5 +0100 (CET)";
	int bad = 0;
	for (size_t n = 0; n <= sizeof(v) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, v, n);
		struct mime_date d;
		int rc = mime_date_parse(copy, n, &d);
		if ((rc == 0) != d.valid)
			bad++;
		free(copy);
	}
	is_int(bad, 0, "every prefix gives a consistent result");
	struct mime_date d;
	char iso[32];
	mime_date_parse(S("Mon (c), 5-Jan-2026 09:12:00.5 +0100 (CET)"), &d);
	mime_date_iso8601(&d, iso);
	is_str(iso, "2026-01-05T09:12:00+01:00", "full value");
	mime_date_parse(S("Mon (c), 5-Jan-2026 09:12"), &d);
	mime_date_iso8601(&d, iso);
	is_str(iso, "2026-01-05T09:12:00-00:00", "a prefix without zone");
}

int main(void)
{
	test_cases();
	test_utc();
	test_iso_output();
	test_long_inputs();
	test_truncation();
	return done_testing();
}
