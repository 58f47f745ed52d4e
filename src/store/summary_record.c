#include "config.h"

#include "summary_record.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define TEXTS 7
#define NULLABLE_FIRST 4 /* message_id, references, in_reply_to may be NULL */

int summary_record_put_varint(struct buf *out, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			b[n] |= 0x80;
		n++;
	} while (v != 0);
	return buf_append(out, b, n);
}

bool summary_record_get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char c = *(*p)++;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

uint64_t summary_record_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

int64_t summary_record_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void texts_of(const struct summary *s, const char *t[TEXTS])
{
	t[0] = s->from;
	t[1] = s->from_address;
	t[2] = s->to;
	t[3] = s->subject;
	t[4] = s->message_id;
	t[5] = s->references;
	t[6] = s->in_reply_to;
}

int summary_record_encode(struct buf *out, const struct summary *s)
{
	int rc = summary_record_put_varint(out, summary_record_zigzag(s->date));
	rc |= summary_record_put_varint(out, summary_record_zigzag(s->zone_minutes));
	rc |= summary_record_put_varint(out, (uint64_t)s->size);
	rc |= summary_record_put_varint(out, (uint64_t)s->flags << 1 | (s->has_attachment ? 1 : 0));
	const char *t[TEXTS];
	texts_of(s, t);
	for (int i = 0; i < TEXTS; i++) {
		size_t len = t[i] ? strlen(t[i]) : 0;
		if (i >= NULLABLE_FIRST)
			rc |= summary_record_put_varint(out, t[i] ? (uint64_t)len + 1 : 0);
		else
			rc |= summary_record_put_varint(out, (uint64_t)len);
		if (len > 0)
			rc |= buf_append(out, t[i], len);
	}
	return rc != 0 ? -1 : 0;
}

bool summary_record_decode(const unsigned char **p, const unsigned char *end,
			   struct summary *s)
{
	memset(s, 0, sizeof(*s));
	uint64_t date, zone, size, fl;
	if (!summary_record_get_varint(p, end, &date) ||
	    !summary_record_get_varint(p, end, &zone) ||
	    !summary_record_get_varint(p, end, &size) ||
	    !summary_record_get_varint(p, end, &fl) ||
	    size > SIZE_MAX || (fl >> 1) > 0xffff ||
	    summary_record_unzigzag(zone) < -24 * 60 || summary_record_unzigzag(zone) > 24 * 60)
		return false;
	/* The strings: first their places, then one block for all. */
	const unsigned char *at[TEXTS];
	uint64_t len[TEXTS];
	bool null[TEXTS];
	size_t total = 0;
	for (int i = 0; i < TEXTS; i++) {
		if (!summary_record_get_varint(p, end, &len[i]))
			return false;
		null[i] = i >= NULLABLE_FIRST && len[i] == 0;
		if (i >= NULLABLE_FIRST && len[i] > 0)
			len[i]--;
		if (len[i] > (uint64_t)(end - *p))
			return false;
		at[i] = *p;
		*p += len[i];
		total += null[i] ? 0 : (size_t)len[i] + 1;
	}
	char *block = xmalloc(total ? total : 1), *q = block;
	char **f[TEXTS] = { &s->from, &s->from_address, &s->to, &s->subject,
			    &s->message_id, &s->references, &s->in_reply_to };
	for (int i = 0; i < TEXTS; i++) {
		if (null[i])
			continue;
		memcpy(q, at[i], (size_t)len[i]);
		q[len[i]] = '\0';
		*f[i] = q;
		q += len[i] + 1;
	}
	s->strings = block;
	s->date = summary_record_unzigzag(date);
	s->zone_minutes = (int)summary_record_unzigzag(zone);
	s->size = (size_t)size;
	s->flags = (unsigned)(fl >> 1);
	s->has_attachment = fl & 1;
	return true;
}
