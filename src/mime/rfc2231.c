#include "config.h"

#include "rfc2231.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "mem.h"
#include "rfc2047.h"
#include "str.h"

#define CHARSET_MAX 64  /* a longer charset is taken as unknown */
#define NO_PARAM SIZE_MAX

/* What a parameter's name makes of it, for one base name. */
enum form {
	FORM_OTHER,        /* another parameter */
	FORM_PLAIN,        /* base */
	FORM_EXTENDED,     /* base* */
	FORM_SECTION,      /* base*N */
	FORM_SECTION_ENC,  /* base*N* */
};

/* The parameters that make up one value, as indexes into params. */
struct parts {
	size_t plain;
	size_t extended;
	size_t *sections;       /* RFC2231_SECTIONS_MAX entries, or NULL */
	bool *encoded;
};

struct value {
	struct buf bytes;
	bool has_charset;       /* written in the charset'lang' form */
	char charset[CHARSET_MAX + 1];
};

static enum form name_form(const struct rfc2231_param *p, const char *base,
			   size_t base_len, unsigned *section_r)
{
	const char *s;
	size_t n, digits = 0;
	unsigned section = 0;

	if (p->name_len < base_len || !str_eqn_ci(p->name, base, base_len))
		return FORM_OTHER;
	s = p->name + base_len;
	n = p->name_len - base_len;
	if (n == 0)
		return FORM_PLAIN;
	if (s[0] != '*')
		return FORM_OTHER;
	if (n == 1)
		return FORM_EXTENDED;
	while (1 + digits < n && s[1 + digits] >= '0' && s[1 + digits] <= '9') {
		section = section * 10 + (unsigned)(s[1 + digits] - '0');
		if (++digits > 3)
			return FORM_OTHER;
	}
	*section_r = section;
	if (digits > 0 && 1 + digits == n)
		return FORM_SECTION;
	if (digits > 0 && 2 + digits == n && s[1 + digits] == '*')
		return FORM_SECTION_ENC;
	return FORM_OTHER;
}

static void parts_add_section(struct parts *parts, size_t i, unsigned section,
			      bool encoded)
{
	if (parts->sections == NULL) {
		parts->sections = xmalloc(RFC2231_SECTIONS_MAX * sizeof(size_t));
		parts->encoded = xcalloc(RFC2231_SECTIONS_MAX, sizeof(bool));
		for (size_t k = 0; k < RFC2231_SECTIONS_MAX; k++)
			parts->sections[k] = NO_PARAM;
	}
	if (parts->sections[section] == NO_PARAM) {
		parts->sections[section] = i;
		parts->encoded[section] = encoded;
	}
}

/* Sorts params into parts; the first of each kind wins. */
static void parts_find(struct parts *parts, const struct rfc2231_param *params,
		       size_t n, const char *base)
{
	size_t base_len = strlen(base);

	parts->plain = parts->extended = NO_PARAM;
	parts->sections = NULL;
	parts->encoded = NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned section = 0;
		enum form form = name_form(&params[i], base, base_len, &section);
		switch (form) {
		case FORM_PLAIN:
			if (parts->plain == NO_PARAM)
				parts->plain = i;
			break;
		case FORM_EXTENDED:
			if (parts->extended == NO_PARAM)
				parts->extended = i;
			break;
		case FORM_SECTION:
		case FORM_SECTION_ENC:
			parts_add_section(parts, i, section,
					  form == FORM_SECTION_ENC);
			break;
		case FORM_OTHER:
			break;
		}
	}
}

static int percent_decode(const char *s, size_t n, struct buf *out)
{
	size_t run = 0;  /* s[run..i) is literal, not yet appended */

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%' || i + 2 >= n || str_hex_value(s[i + 1]) < 0 ||
		    str_hex_value(s[i + 2]) < 0)
			continue;
		char c = (char)(str_hex_value(s[i + 1]) * 16 + str_hex_value(s[i + 2]));
		if (buf_append(out, s + run, i - run) < 0 ||
		    buf_append_char(out, c) < 0)
			return -1;
		i += 2;
		run = i + 1;
	}
	return buf_append(out, s + run, n - run);
}

/* Takes "charset'lang'" off the front of an encoded first part (§4). */
static size_t take_charset(struct value *v, const char *s, size_t n)
{
	const char *q1 = memchr(s, '\'', n), *q2;

	if (q1 == NULL)
		return 0;
	q2 = memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - s));
	if (q2 == NULL)
		return 0;
	v->has_charset = true;
	if ((size_t)(q1 - s) <= CHARSET_MAX) {
		memcpy(v->charset, s, (size_t)(q1 - s));
		v->charset[q1 - s] = '\0';
	}
	return (size_t)(q2 + 1 - s);
}

static int value_add(struct value *v, const struct rfc2231_param *p,
		     bool encoded, bool first)
{
	size_t skip = 0;

	if (!encoded)
		return buf_append(&v->bytes, p->value, p->value_len);
	if (first)
		skip = take_charset(v, p->value, p->value_len);
	return percent_decode(p->value + skip, p->value_len - skip, &v->bytes);
}

static int value_add_sections(struct value *v, const struct parts *parts,
			      const struct rfc2231_param *params)
{
	for (size_t k = 0; k < RFC2231_SECTIONS_MAX; k++) {
		size_t i = parts->sections[k];
		if (i == NO_PARAM)
			break;  /* the value ends at the first gap */
		if (value_add(v, &params[i], parts->encoded[k], k == 0) < 0)
			return -1;
	}
	return 0;
}

/* Builds the value's bytes; *found_r says whether there was one. */
static int value_build(struct value *v, const struct rfc2231_param *params,
		       size_t n, const char *base, bool *found_r)
{
	struct parts parts;
	int rc = 0;

	parts_find(&parts, params, n, base);
	*found_r = true;
	if (parts.extended != NO_PARAM)
		rc = value_add(v, &params[parts.extended], true, true);
	else if (parts.sections != NULL && parts.sections[0] != NO_PARAM)
		rc = value_add_sections(v, &parts, params);
	else if (parts.plain != NO_PARAM)
		rc = value_add(v, &params[parts.plain], false, true);
	else
		*found_r = false;
	free(parts.sections);
	free(parts.encoded);
	return rc;
}

static void value_init(struct value *v)
{
	buf_init(&v->bytes, RFC2231_VALUE_MAX);
	v->has_charset = false;
	v->charset[0] = '\0';
}

int rfc2231_get(const struct rfc2231_param *params, size_t n,
		const char *base_name, struct buf *out, bool *found_r)
{
	struct value v;
	int rc;

	value_init(&v);
	rc = value_build(&v, params, n, base_name, found_r);
	if (rc == 0 && *found_r && v.has_charset)
		rc = charset_to_utf8(v.charset[0] ? v.charset : NULL,
				     v.bytes.data, v.bytes.len, out);
	else if (rc == 0 && *found_r)
		rc = rfc2047_decode(v.bytes.data, v.bytes.len, out);
	buf_release(&v.bytes);
	return rc;
}

int rfc2231_get_bytes(const struct rfc2231_param *params, size_t n,
		      const char *base_name, struct buf *out, bool *found_r)
{
	struct value v;
	int rc;

	value_init(&v);
	rc = value_build(&v, params, n, base_name, found_r);
	if (rc == 0 && *found_r)
		rc = buf_append(out, v.bytes.data, v.bytes.len);
	buf_release(&v.bytes);
	return rc;
}
