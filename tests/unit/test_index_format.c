#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index_format.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define JAN5 ((int64_t)1767604320)     /* 2026-01-05 09:12:00 UTC */
#define NOW_2026 ((time_t)1780272000)  /* 2026-06-01 00:00:00 UTC */
#define NOW_2027 ((time_t)1803859200)  /* 2027-03-01 00:00:00 UTC */

static struct summary sum;
static struct be_msg msg;

/* A plain message: read nothing, no attachment, dated 5 Jan 2026 in +0100. */
static void reset_msg(void)
{
	sum = (struct summary){
		.date = JAN5, .zone_minutes = 60,
		.from = (char *)"Ana Lopez", .from_address = (char *)"ana@example.org",
		.to = (char *)"Bob Smith", .subject = (char *)"Hello",
		.size = 4300,
	};
	msg = (struct be_msg){ .sum = &sum, .flags = 0, .uid = 1 };
}

/* The line of msg under fmt (static; "<error: ...>" if it does not
 * compile). */
static const char *line_ex(const char *fmt, size_t number, const char *tree, time_t now)
{
	static char s[8192];
	struct index_format *f;
	struct err e;
	struct buf out;
	err_init(&e);
	if (index_format_compile(fmt, &f, &e) < 0) {
		snprintf(s, sizeof(s), "<error: %s>", e.msg);
		return s;
	}
	buf_init(&out, sizeof(s) - 1);
	if (index_format_line(f, &msg, number, tree, now, &out) < 0)
		snprintf(s, sizeof(s), "<line failed>");
	else
		memcpy(s, out.data, out.len + 1);
	buf_release(&out);
	index_format_free(&f);
	return s;
}

static const char *line(const char *fmt)
{
	return line_ex(fmt, 7, NULL, NOW_2026);
}

/* The error of compiling fmt, or "" if it compiles. */
static const char *error_of(const char *fmt)
{
	static struct err e;
	struct index_format *f = (struct index_format *)&e; /* must be reset */
	err_init(&e);
	if (index_format_compile(fmt, &f, &e) == 0) {
		index_format_free(&f);
		return "";
	}
	if (f != NULL || e.code != ERR_CONFIG)
		return "<bad failure>";
	return e.msg;
}

/* ------------------------------------------------------------- codes */

static void test_number(void)
{
	is_str(line("%C"), "7", "%%C is the number given");
	is_str(line("%4C|"), "   7|", "%%4C pads on the left");
	is_str(line("%-4C|"), "7   |", "%%-4C pads on the right");
	is_str(line("%04C"), "0007", "%%04C pads with zeros");
	is_str(line_ex("%2C", 12345, NULL, NOW_2026), "12345", "a width never cuts");
	is_str(line("%%|%%%C"), "%|%7", "%%%% is a percent sign");
	is_str(line("plain text"), "plain text", "text without codes is kept");
	is_str(line(""), "", "an empty format gives an empty line");
}

static void test_flags(void)
{
	static const struct {
		unsigned flags;
		bool attach;
		const char *want, *name;
	} cases[] = {
		{ 0, false, "N  ", "neither read nor old: N" },
		{ SUMMARY_OLD, false, "O  ", "old, not read: O" },
		{ SUMMARY_READ, false, "   ", "read: blank" },
		{ SUMMARY_READ | SUMMARY_OLD, false, "   ", "read and old: blank" },
		{ SUMMARY_FLAGGED, false, "F  ", "flagged beats new" },
		{ SUMMARY_DELETED | SUMMARY_FLAGGED, false, "D  ", "deleted beats flagged" },
		{ SUMMARY_READ | SUMMARY_ANSWERED, false, " r ", "answered: r in column 2" },
		{ SUMMARY_READ, true, "  A", "an attachment: A in column 3" },
		{ SUMMARY_ANSWERED, true, "NrA", "all three columns" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		reset_msg();
		msg.flags = cases[i].flags;
		sum.flags = 0;
		sum.has_attachment = cases[i].attach;
		is_str(line("%Z"), cases[i].want, "%%Z: %s", cases[i].name);
	}
	reset_msg();
	msg.flags = SUMMARY_READ;
	sum.flags = SUMMARY_DELETED;
	is_str(line("%Z"), "   ", "%%Z shows the flags as they are now, not as read");
	reset_msg();
}

static void test_dates(void)
{
	is_str(line("%d"), "Jan 05", "%%d in the current year: month and day");
	is_str(line_ex("%d", 1, NULL, NOW_2027), "Jan 2026",
	       "%%d in another year: month and year");
	is_str(line("%-8d|"), "Jan 05  |", "%%-8d pads this year's date to 8");
	is_str(line("%{%Y-%m-%d %H:%M %z}"), "2026-01-05 10:12 +0100",
	       "%%{...} is strftime in the sender's zone, %%z its offset");
	sum.zone_minutes = -270;
	is_str(line("%{%H:%M %Z|%%|%-d}"), "04:42 -0430|%|5",
	       "a negative offset; %%Z too; %%%% and flags pass to strftime");
	reset_msg();
	is_str(line("%[%Y-%m-%d %H:%M]"), "2026-01-05 09:12",
	       "%%[...] is strftime in the local zone (TZ=UTC here)");
	is_str(line("<%{}>"), "<>", "an empty strftime format gives nothing");
	sum.date = SUMMARY_DATE_UNKNOWN;
	is_str(line("<%d|%{%Y}|%[%Y]|%-6d>"), "<|||      >",
	       "an unknown date shows as nothing, padded as asked");
	reset_msg();
}

static void test_people_and_subject(void)
{
	is_str(line("%F|%n|%L"), "Ana Lopez|Ana Lopez|Ana Lopez", "%%F %%n %%L: the sender");
	is_str(line("%a"), "ana@example.org", "%%a: the sender's address");
	is_str(line("%t"), "Bob Smith", "%%t: the recipients");
	is_str(line("%s"), "Hello", "%%s: the subject");
	is_str(line_ex("%s", 1, "| `->", NOW_2026), "| `->Hello", "%%s: the tree before it");
	is_str(line_ex("%-12.12s|", 1, "`->", NOW_2026), "`->Hello    |",
	       "the tree counts in the width of %%s");
	sum.from = (char *)"";
	sum.subject = NULL;
	is_str(line("<%F><%s>"), "<><>", "empty and missing fields give nothing");
	reset_msg();
}

static void test_sizes(void)
{
	static const struct {
		uint64_t size;
		const char *want;
	} cases[] = {
		{ 0, "0" }, { 512, "512" }, { 999, "999" }, { 1000, "1.0K" },
		{ 4300, "4.2K" }, { 10188, "9.9K" }, { 10189, "10K" }, { 38 * 1024, "38K" },
		{ 1023487, "999K" }, { 1023488, "1.0M" }, { 1153434, "1.1M" },
		{ 12 * 1048576, "12M" }, { 5ULL * 1073741824, "5.0G" },
		{ 3000ULL * 1073741824, "2.9T" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		sum.size = (size_t)cases[i].size;
		is_str(line("%c"), cases[i].want, "%%c of %llu bytes is %s (never over 4 columns)",
		       (unsigned long long)cases[i].size, cases[i].want);
	}
	sum.size = 4300;
	is_str(line("(%5c)"), "( 4.2K)", "%%5c pads on the left");
	reset_msg();
}

static void test_keywords(void)
{
	is_str(line("<%g>"), "<>", "%%g without keywords (NULL) shows nothing");
	msg.keywords = "";
	is_str(line("<%-4g>"), "<    >", "%%g with an empty list shows nothing, padded");
	msg.keywords = "$Junk todo work";
	is_str(line("[%g]"), "[$Junk todo work]", "%%g: the keywords, separated by spaces");
	is_str(line("[%-10.10g]"), "[$Junk todo]", "%%-10.10g cuts them to 10 columns");
	is_str(line("[%18g]"), "[   $Junk todo work]", "%%18g pads them on the left");
	msg.keywords = "a\x1b[2Jb\x9b\xe2\x80\xae";
	const char *l = line("%g");
	ok(strchr(l, 0x1b) == NULL && strstr(l, "\xe2\x80\xae") == NULL &&
	   strstr(l, "\xe2\x90\x9b[2Jb") != NULL,
	   "%%g is sanitised: controls become pictures, a bidi override goes");
	reset_msg();
}

/* ----------------------------------------------------- widths, columns */

static void test_widths(void)
{
	is_str(line("%-12.12F|"), "Ana Lopez   |", "%%-12.12F pads on the right");
	is_str(line("%12F|"), "   Ana Lopez|", "%%12F pads on the left");
	is_str(line("%.3F|"), "Ana|", "%%.3F cuts to 3 columns");
	is_str(line("%-5.3F|"), "Ana  |", "precision cuts, then width pads");
	is_str(line("%2F|"), "Ana Lopez|", "a width never cuts");
	is_str(line("%.0F|"), "|", "precision 0 shows nothing");

	sum.from = (char *)"\u5c71\u7530\u592a"; /* 3 CJK characters, 6 columns */
	is_str(line("%-10F|"), "\u5c71\u7530\u592a    |",
	       "3 CJK characters padded to 10 columns get 4 spaces");
	is_str(line("%10F|"), "    \u5c71\u7530\u592a|", "and 4 on the left");
	is_str(line("%.5F|"), "\u5c71\u7530 |",
	       "a wide character that does not fit the precision becomes a space");
	sum.from = (char *)"\U0001F600x"; /* an emoji (2 columns) and x */
	is_str(line("%-5F|"), "\U0001F600x  |", "an emoji counts as 2 columns");
	sum.from = (char *)"e\u0301te\u0301"; /* combining accents: 3 columns */
	is_str(line("%-5F|"), "e\u0301te\u0301  |", "combining marks take no column");
	reset_msg();
}

/* ------------------------------------------------------------ safety */

/* Whether s is valid UTF-8 (checked here independently of the code
 * under test) without a character that could drive a terminal: C0
 * controls, DEL, C1 controls, the bidi overrides and isolates. */
static bool terminal_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i] != '\0';) {
		unsigned cp = p[i], more = cp < 0x80 ? 0 : cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 :
					   cp >= 0xc2 ? 1 : 9;
		if (more == 9 || cp > 0xf4)
			return false;
		cp &= more == 0 ? 0x7f : 0x3f >> more;
		for (unsigned k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		i += more + 1;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return false;
	}
	return true;
}

static void test_sanitised(void)
{
	static const char hostile[] = "\x1b[31mRed\x1b]0;title\x07 \xc2\x9b" "2J "
				      "\xe2\x80\xae" "evil\tX\nY\r\x9b\xff\x7f";
	ok(!terminal_safe("a\x1b") && !terminal_safe("\x9b") && !terminal_safe("\xc2\x9b") &&
	   !terminal_safe("\xe2\x80\xae") && !terminal_safe("\xe2\x81\xa9") &&
	   !terminal_safe("\x7f") && terminal_safe("\xe2\x90\x9b \xe5\xb1\xb1"),
	   "the test's own checker finds raw controls and passes control pictures");
	sum.subject = (char *)hostile;
	sum.from = (char *)"\x1b[2JMallory\xe2\x81\xa6";
	sum.from_address = (char *)"m@x\x1b";
	sum.to = (char *)"\x07to\xc2\x85";
	const char *l = line_ex("%F %a %t %s %-30.30s|%{%b}", 1, "\x1b[1m", NOW_2026);
	ok(terminal_safe(l), "no ESC, BEL, C1, DEL or bidi override reaches the line");
	ok(strstr(l, "\xe2\x80\xae") == NULL, "U+202E in a subject is gone");
	ok(strstr(l, "\xc2\x9b") == NULL && strchr(l, 0x1b) == NULL,
	   "CSI in both its forms is gone");
	ok(strstr(l, "Red") != NULL && strstr(l, "Mallory") != NULL && strstr(l, "evil") != NULL,
	   "the text around the controls is kept");
	ok(strstr(l, "\xe2\x90\x9b[31mRed") != NULL,
	   "ESC is shown as its control picture (U+241B)");
	is_str(line("%-6.6s|"), "\xe2\x90\x9b[31mR|",
	       "sanitised fields are cut by columns: a control picture is one");
	reset_msg();
	const char *lit = line("\x1b[2J%C\x9b\t");
	ok(terminal_safe(lit) && strstr(lit, "7") != NULL,
	   "controls in the format's own text are sanitised too");
}

static void test_default_format(void)
{
	is_str(line_ex(INDEX_FORMAT_DEFAULT, 1, "`->", NOW_2026),
	       "   1 N   Jan 05    Ana Lopez            (4.2K)  `->Hello",
	       "the default format");
	is_str(line_ex(INDEX_FORMAT_SENT, 12, NULL, NOW_2027),
	       "  12 N   Jan 2026  To Bob Smith         (4.2K)  Hello",
	       "the sent-folder format shows the recipient");
}

static void test_out_limit(void)
{
	struct index_format *f;
	struct err e;
	struct buf out;
	err_init(&e);
	sum.subject = (char *)"\u5c71\u7530\u592a\u5c71\u7530\u592a";
	ok(index_format_compile("%C %s", &f, &e) == 0, "compiles for the limit test");
	buf_init(&out, 8);
	int rc = index_format_line(f, &msg, 1, NULL, NOW_2026, &out);
	ok(rc == -1 && out.len <= 8 && strcmp(out.data, "1 \u5c71\u7530") == 0,
	   "a full buffer fails, keeping a whole-character prefix");
	buf_release(&out);
	index_format_free(&f);
	ok(f == NULL, "index_format_free sets the pointer to NULL");
	index_format_free(&f);
	ok(f == NULL, "index_format_free of NULL is harmless");
	reset_msg();
}

/* ------------------------------------------------------------ errors */

static void test_errors(void)
{
	char big[INDEX_FORMAT_MAX + 2];
	static const struct {
		const char *fmt, *want, *name;
	} cases[] = {
		{ "abc %q", "index format: unknown code %q at column 5", "an unknown code" },
		{ "\u00e9\u00e9 %Y", "index format: unknown code %Y at column 4",
		  "columns count characters, not bytes" },
		{ "%-20.q", "index format: a precision without digits at column 1",
		  "a precision without digits" },
		{ "ab%", "index format: incomplete code at column 3", "a % at the end" },
		{ "%-", "index format: incomplete code at column 1", "a % and a flag at the end" },
		{ "x %{%b %d", "index format: %{ without '}' (column 3)", "an open %{" },
		{ "%[%H", "index format: %[ without ']' (column 1)", "an open %[" },
		{ "%?l?%4l&%4c?", "index format: %? is not supported (column 1)",
		  "conditionals are refused" },
		{ "%s%>-", "index format: %> is not supported (column 3)", "fill codes are refused" },
		{ "%g %G", "index format: unknown code %G at column 4", "%g, not %G" },
		{ "%1001C", "index format: width over 1000 at column 1", "a width over the cap" },
		{ "%.99999999999999999999999C", "index format: width over 1000 at column 1",
		  "a huge precision does not overflow" },
		{ "%\x1b", "index format: unknown code at column 1",
		  "a control as code is not echoed" },
		{ "%\u00e9", "index format: unknown code at column 1",
		  "a non-ASCII code is not echoed" },
	};
	for (size_t i = 0; i < N(cases); i++)
		is_str(error_of(cases[i].fmt), cases[i].want, "error: %s", cases[i].name);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_str(error_of(big), "index format: longer than 4096 bytes", "error: a format too long");
	big[INDEX_FORMAT_MAX] = '\0';
	is_str(error_of(big), "", "a format of INDEX_FORMAT_MAX bytes compiles");
	is_str(error_of(INDEX_FORMAT_DEFAULT), "", "the default format compiles");
	is_str(error_of("%1000.1000C%{}%[]%%"), "", "the largest width and empty dates compile");
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		printf("1..0 # SKIP no C.UTF-8 locale\n");
		return 0;
	}
	setenv("TZ", "UTC", 1);
	tzset();
	reset_msg();
	test_number();
	test_flags();
	test_dates();
	test_people_and_subject();
	test_sizes();
	test_keywords();
	test_widths();
	test_sanitised();
	test_default_format();
	test_out_limit();
	test_errors();
	return done_testing();
}
