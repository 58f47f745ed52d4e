#include "config.h"

#include "date.h"

#include <string.h>

#include "str.h"

#define MAX_TOKENS 32
#define MAX_DIGITS 9   /* no number read here is longer: no overflow */
#define ZONE_MAX (99 * 60 + 59)

/* A word of the value: p[0..len), with the sign that came before it. */
struct dtok {
	const char *p;
	size_t len;
	char sign; /* '+', '-' or 0 */
};

/* What has been read so far; -1 for unset numbers. */
struct fields {
	int year, year_digits, month, day;
	int hour, minute, second;
	bool have_time;
	int ampm;          /* 0, 'a' or 'p' */
	bool zone_set;     /* any zone seen */
	bool zone_numeric; /* a numeric zone seen: it wins over names */
	bool zone_known;
	int zone;
};

static const char *const months[] = { "january", "february", "march", "april",
	"may", "june", "july", "august", "september", "october", "november",
	"december" };
static const char *const weekdays[] = { "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday" };

static const struct {
	const char *name;
	int minutes;
} zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "cet", 60 }, { "cest", 120 }, { "met", 60 }, { "mest", 120 },
	{ "mez", 60 }, { "mesz", 120 }, { "wet", 0 }, { "west", 60 },
	{ "eet", 120 }, { "eest", 180 }, { "bst", 60 }, { "msk", 180 },
	{ "jst", 540 }, { "kst", 540 }, { "hkt", 480 }, { "sgt", 480 },
	{ "aest", 600 }, { "aedt", 660 }, { "acst", 570 }, { "acdt", 630 },
	{ "awst", 480 }, { "nzst", 720 }, { "nzdt", 780 }, { "hst", -600 },
	{ "akst", -540 }, { "akdt", -480 }, { "nst", -210 }, { "ndt", -150 },
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The value of the digits p[0..n), n <= MAX_DIGITS; -1 if n is 0, too
 * long or a byte is not a digit. */
static long digits(const char *p, size_t n)
{
	if (n == 0 || n > MAX_DIGITS)
		return -1;
	long v = 0;
	for (size_t k = 0; k < n; k++) {
		if (!is_digit(p[k]))
			return -1;
		v = v * 10 + (p[k] - '0');
	}
	return v;
}

/* Whether the word w[0..n) (a trailing '.' allowed) is at least three
 * letters long and a prefix of full ("Jan", "Sept", "January"). */
static bool name_matches(const char *w, size_t n, const char *full)
{
	if (n > 0 && w[n - 1] == '.')
		n--;
	return n >= 3 && n <= strlen(full) && str_eqn_ci(w, full, n);
}

static int month_of(const char *w, size_t n)
{
	for (int k = 0; k < 12; k++)
		if (name_matches(w, n, months[k]))
			return k + 1;
	return 0;
}

static bool is_weekday(const char *w, size_t n)
{
	for (int k = 0; k < 7; k++)
		if (name_matches(w, n, weekdays[k]))
			return true;
	return false;
}

static bool is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y_r, int *m_r, int *d_r)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d_r = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m_r = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y_r = yoe + era * 400 + (*m_r <= 2);
}

/* Skips a comment at s[i] == '(' (nested, quoted-pairs); returns the
 * index after it. */
static size_t skip_comment(const char *s, size_t len, size_t i)
{
	size_t depth = 0;
	while (i < len) {
		char c = s[i++];
		if (c == '\\')
			i += i < len;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth == 0)
			break;
	}
	return i;
}

/* Whether a '-' right after the token t (no blank between) separates
 * parts of a date ("5-Jan-2026") rather than signing a zone ("GMT-0500"). */
static bool dash_separates(const struct dtok *t)
{
	return digits(t->p, t->len) >= 0 || month_of(t->p, t->len) != 0;
}

/* Splits the value into words.  Returns the count, or -1 if too many. */
static int tokenize(const char *s, size_t len, struct dtok *toks)
{
	int n = 0;
	bool glued = false; /* the last token ended right here */
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (is_blank(c) || c == ',') {
			i++;
			glued = false;
			continue;
		}
		if (c == '(') {
			i = skip_comment(s, len, i);
			glued = false;
			continue;
		}
		char sign = 0;
		if (c == '+' || c == '-') {
			i++;
			if (c == '-' && glued && dash_separates(&toks[n - 1])) {
				glued = false;
				continue;
			}
			sign = c;
		}
		size_t start = i;
		while (i < len && !is_blank(s[i]) && s[i] != ',' && s[i] != '(' &&
		       s[i] != '+' && s[i] != '-')
			i++;
		if (n == MAX_TOKENS)
			return -1;
		toks[n++] = (struct dtok){ s + start, i - start, sign };
		glued = true;
	}
	return n;
}

/* "hh:mm[:ss[.frac]]" into f. */
static bool read_time(const struct dtok *t, struct fields *f)
{
	const char *p = t->p, *end = t->p + t->len;
	long v[3] = { 0, 0, 0 };
	int k = 0;
	while (k < 3) {
		const char *q = p;
		while (q < end && is_digit(*q))
			q++;
		if (q - p < 1 || q - p > 2)
			return false;
		v[k++] = digits(p, (size_t)(q - p));
		p = q;
		if (p == end || *p != ':')
			break;
		p++;
	}
	if (k < 2 || f->have_time)
		return false;
	if (p < end && *p == '.' && k == 3) { /* fractional seconds */
		for (p++; p < end && is_digit(*p); p++)
			;
	}
	if (p != end)
		return false;
	f->hour = (int)v[0];
	f->minute = (int)v[1];
	f->second = (int)v[2];
	f->have_time = true;
	return true;
}

/* A numeric zone: "hhmm", "hmm", "hh", "h" or "hh:mm" after a sign. */
static bool read_zone(const char *p, size_t n, char sign, struct fields *f)
{
	long h, m = 0;
	const char *colon = memchr(p, ':', n);
	if (colon != NULL) {
		h = digits(p, (size_t)(colon - p));
		m = digits(colon + 1, n - (size_t)(colon - p) - 1);
		if (colon - p > 2 || n - (size_t)(colon - p) - 1 != 2)
			return false;
	} else if (n == 3 || n == 4) {
		h = digits(p, n - 2);
		m = digits(p + n - 2, 2);
	} else if (n == 1 || n == 2) {
		h = digits(p, n);
	} else {
		return false;
	}
	if (h < 0 || m < 0 || m > 59)
		return false;
	if (f->zone_numeric)
		return true; /* the first numeric zone wins */
	f->zone = (int)(h * 60 + m) * (sign == '-' ? -1 : 1);
	f->zone_known = !(sign == '-' && f->zone == 0); /* "-0000" */
	f->zone_set = f->zone_numeric = true;
	if (!f->zone_known)
		f->zone = 0;
	return true;
}

static void zone_unknown(struct fields *f)
{
	if (f->zone_set)
		return;
	f->zone_set = true;
	f->zone_known = false;
	f->zone = 0;
}

static bool read_word(const struct dtok *t, struct fields *f)
{
	size_t n = t->len;
	int m = month_of(t->p, n);
	if (m != 0) {
		if (f->month >= 0)
			return false;
		f->month = m;
		return true;
	}
	if (is_weekday(t->p, n))
		return true;
	if (n == 2 && (str_eqn_ci(t->p, "am", 2) || str_eqn_ci(t->p, "pm", 2))) {
		f->ampm = t->p[0] == 'a' || t->p[0] == 'A' ? 'a' : 'p';
		return true;
	}
	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		if (strlen(zones[k].name) == n && str_eqn_ci(t->p, zones[k].name, n)) {
			if (!f->zone_set) {
				f->zone = zones[k].minutes;
				f->zone_set = f->zone_known = true;
			}
			return true;
		}
	}
	if (f->have_time)
		zone_unknown(f); /* military letters, "MOW", "H0500" */
	return true;
}

static bool read_number(const struct dtok *t, struct fields *f)
{
	long v = digits(t->p, t->len);
	if (v < 0)
		return false;
	if (f->have_time && f->year >= 0 && !f->zone_numeric && t->len == 4)
		return read_zone(t->p, t->len, '+', f); /* "01:14:08 0800" */
	if (t->len >= 3 && f->year < 0) {
		f->year = (int)v;
		f->year_digits = (int)t->len;
	} else if (f->day < 0 && t->len <= 2) {
		f->day = (int)v;
	} else if (f->year < 0 && t->len >= 2) {
		f->year = (int)v;
		f->year_digits = (int)t->len;
	} else {
		return false;
	}
	return true;
}

static bool only_letters(const struct dtok *t)
{
	size_t n = t->len;
	if (n > 1 && t->p[n - 1] == '.')
		n--;
	for (size_t k = 0; k < n; k++)
		if (!is_alpha(t->p[k]))
			return false;
	return n > 0;
}

static bool read_token(const struct dtok *t, struct fields *f)
{
	if (t->len == 0)
		return true; /* a lone sign */
	if (t->sign != 0)
		return read_zone(t->p, t->len, t->sign, f);
	if (is_digit(t->p[0]) && memchr(t->p, ':', t->len) != NULL)
		return read_time(t, f);
	if (is_digit(t->p[0]) && digits(t->p, t->len) >= 0)
		return read_number(t, f);
	if (only_letters(t))
		return read_word(t, f);
	if (f->have_time) {
		zone_unknown(f); /* junk where the zone goes */
		return true;
	}
	return false;
}

/* Reads p[*i..] as exactly n digits. */
static long fixed(const char *p, size_t len, size_t *i, size_t n)
{
	if (len - *i < n)
		return -1;
	long v = digits(p + *i, n);
	if (v >= 0)
		*i += n;
	return v;
}

/* "YYYY-MM-DD[(T| )hh:mm[:ss[.frac]]][ ][Z|(+|-)hh[:]mm]" and nothing
 * after but blanks and comments.  Returns false if the value is not that. */
static bool read_iso(const char *s, size_t len, size_t i, struct fields *f)
{
	long y = fixed(s, len, &i, 4);
	if (y < 0 || i >= len || s[i++] != '-')
		return false;
	f->year = (int)y;
	f->year_digits = 4;
	f->month = (int)fixed(s, len, &i, 2);
	if (f->month < 0 || i >= len || s[i++] != '-')
		return false;
	f->day = (int)fixed(s, len, &i, 2);
	if (f->day < 0)
		return false;
	if (i + 1 < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ') &&
	    is_digit(s[i + 1])) {
		size_t start = ++i;
		while (i < len && (is_digit(s[i]) || s[i] == ':' || s[i] == '.'))
			i++;
		struct dtok t = { s + start, i - start, 0 };
		if (!read_time(&t, f))
			return false;
	}
	while (i < len && is_blank(s[i]))
		i++;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		f->zone_set = f->zone_known = true;
		f->zone = 0;
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		size_t start = i + 1;
		for (i = start; i < len && (is_digit(s[i]) || s[i] == ':'); i++)
			;
		if (!read_zone(s + start, i - start, s[start - 1], f))
			return false;
	}
	while (i < len && (is_blank(s[i]) || s[i] == '('))
		i = s[i] == '(' ? skip_comment(s, len, i) : i + 1;
	return i == len;
}

static bool looks_iso(const char *s, size_t len, size_t i)
{
	return len - i >= 10 && digits(s + i, 4) >= 0 && s[i + 4] == '-' &&
	       is_digit(s[i + 5]) && is_digit(s[i + 6]) && s[i + 7] == '-';
}

/* Checks the fields and turns them into d. */
static bool finish(struct fields *f, struct mime_date *d)
{
	if (f->year < 0 || f->month < 1 || f->month > 12 || f->day < 1)
		return false;
	long y = f->year;
	if (f->year_digits == 2)
		y += y < 50 ? 2000 : 1900; /* RFC 5322 §4.3 */
	else if (f->year_digits == 3)
		y += 1900;
	if (y < 1900 || y > 9999 || f->day > days_in_month(y, f->month))
		return false;
	if (!f->have_time)
		f->hour = f->minute = f->second = 0;
	if (f->ampm != 0) {
		if (f->hour < 1 || f->hour > 12)
			return false;
		f->hour = f->hour % 12 + (f->ampm == 'p' ? 12 : 0);
	}
	if (f->hour > 23 || f->minute > 59 || f->second > 60)
		return false;
	if (f->second == 60)
		f->second = 59;
	if (f->zone > ZONE_MAX || f->zone < -ZONE_MAX)
		return false;
	d->valid = true;
	d->zone_known = f->zone_set && f->zone_known;
	d->zone_minutes = d->zone_known ? f->zone : 0;
	d->utc = days_from_civil(y, f->month, f->day) * 86400 + f->hour * 3600 +
		 f->minute * 60 + f->second - (int64_t)d->zone_minutes * 60;
	return true;
}

int mime_date_parse(const char *value, size_t len, struct mime_date *d)
{
	struct fields f = { .year = -1, .month = -1, .day = -1 };
	memset(d, 0, sizeof(*d));
	size_t i = 0;
	while (i < len && is_blank(value[i]))
		i++;
	bool ok;
	if (looks_iso(value, len, i)) {
		ok = read_iso(value, len, i, &f);
	} else {
		struct dtok toks[MAX_TOKENS];
		int n = tokenize(value, len, toks);
		ok = n > 0;
		for (int k = 0; ok && k < n; k++)
			ok = read_token(&toks[k], &f);
	}
	if (ok && finish(&f, d))
		return 0;
	memset(d, 0, sizeof(*d));
	return -1;
}

/* Writes v as n digits at out. */
static void put_digits(char *out, int64_t v, int n)
{
	for (int k = n - 1; k >= 0; k--) {
		out[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

int mime_date_iso8601(const struct mime_date *d, char out[32])
{
	out[0] = '\0';
	if (!d->valid || d->zone_minutes > ZONE_MAX || d->zone_minutes < -ZONE_MAX ||
	    d->utc > INT64_MAX / 2 || d->utc < INT64_MIN / 2)
		return -1;
	int64_t local = d->utc + (int64_t)d->zone_minutes * 60;
	int64_t days = local / 86400, secs = local % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int64_t y;
	int m, day;
	civil_from_days(days, &y, &m, &day);
	if (y < 0 || y > 9999)
		return -1;
	memcpy(out, "0000-00-00T00:00:00+00:00", 26);
	put_digits(out, y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, day, 2);
	put_digits(out + 11, secs / 3600, 2);
	put_digits(out + 14, secs / 60 % 60, 2);
	put_digits(out + 17, secs % 60, 2);
	int z = d->zone_minutes < 0 ? -d->zone_minutes : d->zone_minutes;
	out[19] = d->zone_minutes < 0 || !d->zone_known ? '-' : '+';
	put_digits(out + 20, z / 60, 2);
	put_digits(out + 23, z % 60, 2);
	return 0;
}
