#include "config.h"

#include "index_format.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "sanitize.h"
#include "summary.h"
#include "width.h"

#define NO_PRECISION SIZE_MAX
#define DATE_TEXT_MAX 256 /* bytes of one strftime() result */

/* One piece of a format: literal text (code 0), or a code with its
 * width, precision and alignment; text is then the strftime format of
 * %{...} and %[...]. */
struct index_item {
	char code;
	bool left;      /* '-': pad on the right */
	bool zero;      /* leading '0' in the width: %C is padded with zeros */
	size_t width;   /* least columns, 0: none */
	size_t precision; /* most columns, NO_PRECISION: none */
	char *text;
	size_t len;
};

struct index_format {
	struct index_item *items;
	size_t n, cap;
};

/* ------------------------------------------------------------ compiling */

static const char codes[] = "CZdFnLatscg";

/* The column (in characters, from 1) of byte at of fmt. */
static size_t column_of(const char *fmt, size_t at)
{
	size_t col = 1;
	for (size_t i = 0; i < at; i++)
		col += ((unsigned char)fmt[i] & 0xc0) != 0x80;
	return col;
}

static struct index_item *add_item(struct index_format *f)
{
	f->items = xgrow(f->items, &f->cap, f->n + 1, sizeof(*f->items));
	struct index_item *it = &f->items[f->n++];
	*it = (struct index_item){ .precision = NO_PRECISION };
	return it;
}

/* Literal text fmt[0..len), sanitised once here. */
static void add_text(struct index_format *f, const char *s, size_t len)
{
	struct buf b;
	buf_init(&b, (size_t)INDEX_FORMAT_MAX * 4);
	/* Sanitising at most INDEX_FORMAT_MAX bytes grows them at most
	 * threefold: this fits. */
	buf_cut_ok(sanitize_text(s, len, SANITIZE_LINE, &b));
	struct index_item *it = add_item(f);
	it->text = buf_detach(&b, &it->len);
}

/* Reads the digits at fmt[*i] into *n_r; returns false past
 * INDEX_FORMAT_COLS_MAX. */
static bool read_number(const char *fmt, size_t *i, size_t *n_r)
{
	size_t n = 0;
	for (; fmt[*i] >= '0' && fmt[*i] <= '9'; (*i)++) {
		n = n * 10 + (size_t)(fmt[*i] - '0');
		if (n > INDEX_FORMAT_COLS_MAX)
			return false;
	}
	*n_r = n;
	return true;
}

static int code_error(const char *fmt, size_t at, size_t i, struct err *e)
{
	unsigned char c = (unsigned char)fmt[i];
	size_t col = column_of(fmt, at);
	if (c == '\0')
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("index format: incomplete code at column %zu"), col);
	if (c == '?' || c == '>' || c == '|' || c == '*')
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("index format: %%%c is not supported (column %zu)"), c, col);
	if (c > ' ' && c < 0x7f)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("index format: unknown code %%%c at column %zu"), c, col);
	return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
		       _("index format: unknown code at column %zu"), col);
}

/* The strftime format of %{...} or %[...]: fmt[*i] is the opening
 * bracket; *i ends past the closing one. */
static int read_date_format(const char *fmt, size_t at, size_t *i, struct index_item *it,
			    struct err *e)
{
	char close = fmt[*i] == '{' ? '}' : ']';
	const char *start = fmt + *i + 1, *end = strchr(start, close);
	if (end == NULL)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("index format: %%%c without '%c' (column %zu)"), fmt[*i], close,
			       column_of(fmt, at));
	it->len = (size_t)(end - start);
	it->text = xstrndup(start, it->len);
	*i = (size_t)(end - fmt) + 1;
	return 0;
}

/* One code at fmt[*i] == '%'; *i ends past it. */
static int read_code(struct index_format *f, const char *fmt, size_t *i, struct err *e)
{
	size_t at = (*i)++;
	if (fmt[*i] == '%') {
		(*i)++;
		add_text(f, "%", 1);
		return 0;
	}
	struct index_item *it = add_item(f);
	if (fmt[*i] == '-') {
		it->left = true;
		(*i)++;
	}
	it->zero = fmt[*i] == '0';
	if (!read_number(fmt, i, &it->width))
		goto too_wide;
	if (fmt[*i] == '.') {
		(*i)++;
		if (fmt[*i] < '0' || fmt[*i] > '9')
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("index format: a precision without digits at column %zu"),
				       column_of(fmt, at));
		if (!read_number(fmt, i, &it->precision))
			goto too_wide;
	}
	it->code = fmt[*i];
	if (it->code == '{' || it->code == '[')
		return read_date_format(fmt, at, i, it, e);
	if (it->code == '\0' || strchr(codes, it->code) == NULL)
		return code_error(fmt, at, *i, e);
	(*i)++;
	return 0;
too_wide:
	return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
		       _("index format: width over %d at column %zu"), INDEX_FORMAT_COLS_MAX,
		       column_of(fmt, at));
}

int index_format_compile(const char *fmt, struct index_format **f_r, struct err *e)
{
	*f_r = NULL;
	if (strlen(fmt) > INDEX_FORMAT_MAX)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("index format: longer than %d bytes"), INDEX_FORMAT_MAX);
	struct index_format *f = xcalloc(1, sizeof(*f));
	for (size_t i = 0; fmt[i] != '\0';) {
		if (fmt[i] == '%') {
			if (read_code(f, fmt, &i, e) < 0) {
				index_format_free(&f);
				return -1;
			}
			continue;
		}
		size_t len = strcspn(fmt + i, "%");
		add_text(f, fmt + i, len);
		i += len;
	}
	*f_r = f;
	return 0;
}

void index_format_free(struct index_format **f)
{
	if (*f == NULL)
		return;
	for (size_t i = 0; i < (*f)->n; i++)
		free((*f)->items[i].text);
	free((*f)->items);
	xfree(f);
}

/* ---------------------------------------------------------------- fields */

static void put_safe(struct buf *field, const char *s)
{
	if (s != NULL)
		buf_cut_ok(sanitize_text(s, strlen(s), SANITIZE_LINE, field));
}

/* The three flag columns of %Z. */
static void put_flags(struct buf *field, const struct be_msg *m)
{
	unsigned fl = m->flags;
	char z[3];
	z[0] = (fl & SUMMARY_DELETED) ? 'D' : (fl & SUMMARY_FLAGGED) ? 'F' :
	       (fl & (SUMMARY_READ | SUMMARY_OLD)) == 0 ? 'N' :
	       (fl & SUMMARY_READ) == 0 ? 'O' : ' ';
	z[1] = (fl & SUMMARY_ANSWERED) ? 'r' : ' ';
	z[2] = m->sum->has_attachment ? 'A' : ' ';
	buf_cut_ok(buf_append(field, z, sizeof(z)));
}

/* mutt's pretty size: bytes below 1000, then one decimal below 10 of a
 * unit, then whole units below 1000 (rounded), then the next unit. */
static void put_size(struct buf *field, uint64_t n)
{
	static const char units[] = "KMGT";
	uint64_t u = 1024;
	if (n < 1000) {
		buf_cut_ok(buf_printf(field, "%llu", (unsigned long long)n));
		return;
	}
	for (size_t k = 0; k < sizeof(units) - 1; k++, u *= 1024) {
		uint64_t tenths = n / u * 10 + ((n % u) * 10 + u / 2) / u;
		uint64_t whole = n / u + (n % u >= u / 2);
		if (tenths < 100) {
			buf_cut_ok(buf_printf(field, "%llu.%llu%c", (unsigned long long)tenths / 10,
					      (unsigned long long)tenths % 10, units[k]));
			return;
		}
		if (whole < 1000 || k == sizeof(units) - 2) {
			buf_cut_ok(buf_printf(field, "%llu%c", (unsigned long long)whole, units[k]));
			return;
		}
	}
}

/* t in the local zone. */
static bool local_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	return (int64_t)tt == t && localtime_r(&tt, tm) != NULL;
}

static void put_strftime(struct buf *field, const char *fmt, const struct tm *tm)
{
	char text[DATE_TEXT_MAX];
	size_t len = fmt[0] != '\0' ? strftime(text, sizeof(text), fmt, tm) : 0;
	buf_cut_ok(sanitize_text(text, len, SANITIZE_LINE, field));
}

/* %d: "Jan 05" in now's year, else "Jan 2024", local time. */
static void put_short_date(struct buf *field, int64_t date, time_t now)
{
	struct tm tm, tm_now;
	if (date == SUMMARY_DATE_UNKNOWN || !local_tm(date, &tm))
		return;
	bool this_year = local_tm((int64_t)now, &tm_now) && tm_now.tm_year == tm.tm_year;
	put_strftime(field, this_year ? "%b %d" : "%b %Y", &tm);
}

/* fmt with %z and %Z replaced by the offset "+hhmm" (strftime() would
 * show the offset of UTC for a struct tm from gmtime_r()). */
static void sender_zone_format(const char *fmt, int zone_minutes, struct buf *out)
{
	unsigned z = (unsigned)(zone_minutes < 0 ? -zone_minutes : zone_minutes);
	size_t i = 0;
	while (fmt[i] != '\0') {
		if (fmt[i] != '%') {
			buf_cut_ok(buf_append_char(out, fmt[i++]));
			continue;
		}
		/* glibc's flags, field width and E/O modifiers */
		size_t j = i + 1 + strspn(fmt + i + 1, "_-0^#EO123456789");
		if (fmt[j] == 'z' || fmt[j] == 'Z') {
			buf_cut_ok(buf_printf(out, "%c%02u%02u", zone_minutes < 0 ? '-' : '+',
					      z / 60 % 100, z % 60));
			i = j + 1;
			continue;
		}
		size_t end = fmt[j] != '\0' ? j + 1 : j;
		buf_cut_ok(buf_append(out, fmt + i, end - i));
		i = end;
	}
}

/* %{...}: strftime in the sender's zone; %[...]: in the local one. */
static void put_custom_date(struct buf *field, const struct index_item *it,
			    const struct summary *s)
{
	struct tm tm;
	if (s->date == SUMMARY_DATE_UNKNOWN)
		return;
	if (it->code == '[') {
		if (local_tm(s->date, &tm))
			put_strftime(field, it->text, &tm);
		return;
	}
	int64_t shifted = s->date + (int64_t)s->zone_minutes * 60;
	time_t tt = (time_t)shifted;
	if ((int64_t)tt != shifted || gmtime_r(&tt, &tm) == NULL)
		return;
	struct buf fmt;
	buf_init(&fmt, (size_t)INDEX_FORMAT_MAX * 4);
	sender_zone_format(it->text, s->zone_minutes, &fmt);
	put_strftime(field, fmt.data, &tm);
	buf_release(&fmt);
}

/* The text of code it for m, sanitised, into field. */
static void put_field(struct buf *field, const struct index_item *it, const struct be_msg *m,
		      size_t number, const char *tree, time_t now)
{
	const struct summary *s = m->sum;
	switch (it->code) {
	case 'C':
		if (it->zero)
			buf_cut_ok(buf_printf(field, "%0*zu", (int)it->width, number));
		else
			buf_cut_ok(buf_printf(field, "%zu", number));
		break;
	case 'Z': put_flags(field, m); break;
	case 'd': put_short_date(field, s->date, now); break;
	case '{': case '[': put_custom_date(field, it, s); break;
	case 'F': case 'n': case 'L': put_safe(field, s->from); break;
	case 'a': put_safe(field, s->from_address); break;
	case 't': put_safe(field, s->to); break;
	case 's':
		put_safe(field, tree);
		put_safe(field, s->subject);
		break;
	case 'c': put_size(field, s->size); break;
	case 'g': put_safe(field, m->keywords); break;
	default: break;
	}
}

static int put_spaces(struct buf *out, size_t n)
{
	for (; n > 0; n--) {
		if (buf_append_char(out, ' ') < 0)
			return -1;
	}
	return 0;
}

/* Appends field (sanitised) cut to the precision and padded to the
 * width of it, both in columns. */
static int put_fitted(struct buf *out, const struct index_item *it, const struct buf *field)
{
	size_t w = width_of(field->data, field->len);
	size_t shown = w < it->precision ? w : it->precision;
	size_t pad = it->width > shown ? it->width - shown : 0;
	if (!it->left && put_spaces(out, pad) < 0)
		return -1;
	if (width_fit(field->data, field->len, shown, out) < 0)
		return -1;
	return it->left ? put_spaces(out, pad) : 0;
}

int index_format_line(const struct index_format *f, const struct be_msg *m,
		      size_t number, const char *tree, time_t now, struct buf *out)
{
	struct buf field;
	int rc = 0;
	buf_init(&field, INDEX_FORMAT_FIELD_MAX);
	for (size_t i = 0; i < f->n && rc == 0; i++) {
		const struct index_item *it = &f->items[i];
		if (it->code == 0) {
			rc = buf_append(out, it->text, it->len);
			continue;
		}
		buf_reset(&field);
		put_field(&field, it, m, number, tree, now);
		rc = put_fitted(out, it, &field);
	}
	buf_release(&field);
	return rc;
}
