#include "config.h"

#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "date.h"
#include "mem.h"
#include "params.h"
#include "rfc2047.h"

/* Decoded text is cut here: it is for one index line. */
#define SUMMARY_TEXT_MAX ((size_t)4096)

unsigned summary_flags(const char *status, const char *x_status)
{
	unsigned f = 0;
	if (status != NULL) {
		if (strchr(status, 'R'))
			f |= SUMMARY_READ;
		if (strchr(status, 'O'))
			f |= SUMMARY_OLD;
	}
	if (x_status != NULL) {
		if (strchr(x_status, 'F'))
			f |= SUMMARY_FLAGGED;
		if (strchr(x_status, 'A'))
			f |= SUMMARY_ANSWERED;
		if (strchr(x_status, 'D'))
			f |= SUMMARY_DELETED;
	}
	return f;
}

static char *decoded(const struct header_field *f)
{
	struct buf b;
	buf_init(&b, SUMMARY_TEXT_MAX);
	if (f != NULL)
		buf_cut_ok(rfc2047_decode(f->value, f->value_len, &b));
	return buf_detach(&b, NULL);
}

static char *raw_or_null(const struct header_field *f)
{
	return f ? xstrndup(f->value, f->value_len) : NULL;
}

/* "Name" of each address (else the address), joined with ", ". */
static char *display_addresses(const struct header_field *f, char **first_r)
{
	struct buf b;
	buf_init(&b, SUMMARY_TEXT_MAX);
	if (first_r != NULL)
		*first_r = xstrdup("");
	if (f == NULL)
		return buf_detach(&b, NULL);
	struct mime_address_list l;
	buf_cut_ok(mime_address_parse(f->value, f->value_len, 100, &l));
	{
		for (size_t i = 0; i < l.n; i++) {
			const struct mime_address *a = &l.list[i];
			if (i > 0)
				buf_cut_ok(buf_append_str(&b, ", "));
			buf_cut_ok(buf_append_str(&b, a->name[0] ? a->name : a->address));
		}
		if (first_r != NULL && l.n > 0) {
			free(*first_r);
			*first_r = xstrdup(l.list[0].address);
		}
	}
	mime_address_list_release(&l);
	if (b.len == 0)
		buf_cut_ok(rfc2047_decode(f->value, f->value_len, &b));
	return buf_detach(&b, NULL);
}

static bool attachment_type(const char *type, const char *subtype)
{
	return (strcmp(type, "multipart") == 0 && strcmp(subtype, "mixed") == 0) ||
	       (type[0] != '\0' && strcmp(type, "text") != 0 &&
		strcmp(type, "multipart") != 0);
}

/* Reads an RFC 2045 token at *p, lowercased, into out[0..size). */
static bool quick_token(const char **p, const char *end, char *out, size_t size)
{
	size_t n = 0;
	while (*p < end && n + 1 < size) {
		unsigned char c = (unsigned char)**p;
		if (c <= ' ' || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c) != NULL)
			break;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		(*p)++;
	}
	out[n] = '\0';
	return n > 0 && n + 1 < size;
}

static bool attachment_likely(const struct header_field *ct)
{
	if (ct == NULL)
		return false;
	/* The common "type/subtype" (then ';' or the end) without the full
	 * parser: it is most of a mailbox's Content-Type fields. */
	const char *p = ct->value, *end = ct->value + ct->value_len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	char type[32], subtype[64];
	if (quick_token(&p, end, type, sizeof(type)) && p < end && *p == '/') {
		p++;
		if (quick_token(&p, end, subtype, sizeof(subtype))) {
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end || *p == ';')
				return attachment_type(type, subtype);
		}
	}
	struct mime_params mp;
	mime_params_init(&mp);
	(void)mime_params_parse_content_type(ct->value, ct->value_len, &mp);
	bool r = attachment_type(mp.type, mp.subtype);
	mime_params_release(&mp);
	return r;
}

void summary_from_message(struct summary *s, const char *msg, size_t len,
			  const struct header_limits *lim)
{
	struct header h;
	header_parse(&h, msg, len, lim);
	memset(s, 0, sizeof(*s));

	struct mime_date d;
	const struct header_field *f = header_find(&h, "Date");
	if (f != NULL && mime_date_parse(f->value, f->value_len, &d) == 0) {
		s->date = d.utc;
		s->zone_minutes = d.zone_minutes;
	} else {
		s->date = SUMMARY_DATE_UNKNOWN;
	}
	s->from = display_addresses(header_find(&h, "From"), &s->from_address);
	s->to = display_addresses(header_find(&h, "To"), NULL);
	s->subject = decoded(header_find(&h, "Subject"));
	s->message_id = raw_or_null(header_find(&h, "Message-ID"));
	s->references = raw_or_null(header_find(&h, "References"));
	s->in_reply_to = raw_or_null(header_find(&h, "In-Reply-To"));
	s->size = len;
	s->has_attachment = attachment_likely(header_find(&h, "Content-Type"));
	const struct header_field *st = header_find(&h, "Status");
	const struct header_field *xs = header_find(&h, "X-Status");
	s->flags = summary_flags(st ? st->value : NULL, xs ? xs->value : NULL);
	header_release(&h);
}

#define TEXT_FIELDS(s) { &(s)->from, &(s)->from_address, &(s)->to, &(s)->subject, \
		&(s)->message_id, &(s)->references, &(s)->in_reply_to }

void summary_release(struct summary *s)
{
	if (s->strings != NULL) {
		free(s->strings);
	} else {
		char **f[] = TEXT_FIELDS(s);
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			free(*f[i]);
	}
	memset(s, 0, sizeof(*s));
}

void summary_pack(struct summary *s)
{
	if (s->strings != NULL)
		return;
	char **f[] = TEXT_FIELDS(s);
	size_t n = sizeof(f) / sizeof(f[0]), total = 0;
	for (size_t i = 0; i < n; i++)
		total += *f[i] ? strlen(*f[i]) + 1 : 0;
	char *block = xmalloc(total ? total : 1), *p = block;
	for (size_t i = 0; i < n; i++) {
		if (*f[i] == NULL)
			continue;
		size_t k = strlen(*f[i]) + 1;
		memcpy(p, *f[i], k);
		free(*f[i]);
		*f[i] = p;
		p += k;
	}
	s->strings = block;
}
