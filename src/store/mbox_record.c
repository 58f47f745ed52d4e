#include "config.h"

#include "mbox_record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define TEXTS 7
#define NULLABLE_FIRST 4 /* message_id, references, in_reply_to may be NULL */

static int put_varint(struct buf *out, uint64_t v)
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

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
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

int mbox_record_encode(struct buf *out, const struct mbox_entry *e)
{
	const struct summary *s = &e->sum;
	int rc = put_varint(out, (uint64_t)e->pos.from_line);
	rc |= put_varint(out, (uint64_t)(e->pos.start - e->pos.from_line));
	rc |= put_varint(out, (uint64_t)(e->pos.end - e->pos.start));
	rc |= put_varint(out, (uint64_t)e->doc);
	rc |= put_varint(out, zigzag(s->date));
	rc |= put_varint(out, zigzag(s->zone_minutes));
	rc |= put_varint(out, (uint64_t)s->size);
	rc |= put_varint(out, (uint64_t)s->flags << 1 | (s->has_attachment ? 1 : 0));
	const char *t[TEXTS];
	texts_of(s, t);
	for (int i = 0; i < TEXTS; i++) {
		size_t len = t[i] ? strlen(t[i]) : 0;
		if (i >= NULLABLE_FIRST)
			rc |= put_varint(out, t[i] ? (uint64_t)len + 1 : 0);
		else
			rc |= put_varint(out, (uint64_t)len);
		if (len > 0)
			rc |= buf_append(out, t[i], len);
	}
	return rc != 0 ? -1 : 0;
}

bool mbox_record_decode(const unsigned char **p, const unsigned char *end,
			struct mbox_entry *e)
{
	memset(e, 0, sizeof(*e));
	uint64_t from, hlen, blen, doc, date, zone, size, fl;
	if (!get_varint(p, end, &from) || !get_varint(p, end, &hlen) ||
	    !get_varint(p, end, &blen) || !get_varint(p, end, &doc) ||
	    !get_varint(p, end, &date) || !get_varint(p, end, &zone) ||
	    !get_varint(p, end, &size) || !get_varint(p, end, &fl) ||
	    from > SIZE_MAX / 4 || hlen > SIZE_MAX / 4 || blen > SIZE_MAX / 4 ||
	    doc > INT64_MAX || size > SIZE_MAX || (fl >> 1) > 0xffff ||
	    unzigzag(zone) < -24 * 60 || unzigzag(zone) > 24 * 60)
		return false;
	/* The strings: first their places, then one block for all. */
	const unsigned char *at[TEXTS];
	uint64_t len[TEXTS];
	bool null[TEXTS];
	size_t total = 0;
	for (int i = 0; i < TEXTS; i++) {
		if (!get_varint(p, end, &len[i]))
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
	char **f[TEXTS] = { &e->sum.from, &e->sum.from_address, &e->sum.to, &e->sum.subject,
			    &e->sum.message_id, &e->sum.references, &e->sum.in_reply_to };
	for (int i = 0; i < TEXTS; i++) {
		if (null[i])
			continue;
		memcpy(q, at[i], (size_t)len[i]);
		q[len[i]] = '\0';
		*f[i] = q;
		q += len[i] + 1;
	}
	e->sum.strings = block;
	e->pos.from_line = (size_t)from;
	e->pos.start = (size_t)(from + hlen);
	e->pos.end = (size_t)(from + hlen + blen);
	e->doc = (long long)doc;
	e->sum.date = unzigzag(date);
	e->sum.zone_minutes = (int)unzigzag(zone);
	e->sum.size = (size_t)size;
	e->sum.flags = (unsigned)(fl >> 1);
	e->sum.has_attachment = fl & 1;
	return true;
}
