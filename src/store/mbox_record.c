#include "config.h"

#include "mbox_record.h"

#include <stdint.h>
#include <string.h>

#include "summary_record.h"

/* The positions and doc number, then the summary (summary_record.h). */
int mbox_record_encode(struct buf *out, const struct mbox_entry *e)
{
	int rc = summary_record_put_varint(out, (uint64_t)e->pos.from_line);
	rc |= summary_record_put_varint(out, (uint64_t)(e->pos.start - e->pos.from_line));
	rc |= summary_record_put_varint(out, (uint64_t)(e->pos.end - e->pos.start));
	rc |= summary_record_put_varint(out, (uint64_t)e->doc);
	rc |= summary_record_encode(out, &e->sum);
	return rc != 0 ? -1 : 0;
}

bool mbox_record_decode(const unsigned char **p, const unsigned char *end,
			struct mbox_entry *e)
{
	memset(e, 0, sizeof(*e));
	uint64_t from, hlen, blen, doc;
	if (!summary_record_get_varint(p, end, &from) ||
	    !summary_record_get_varint(p, end, &hlen) ||
	    !summary_record_get_varint(p, end, &blen) ||
	    !summary_record_get_varint(p, end, &doc) ||
	    from > SIZE_MAX / 4 || hlen > SIZE_MAX / 4 || blen > SIZE_MAX / 4 ||
	    doc > INT64_MAX || !summary_record_decode(p, end, &e->sum))
		return false;
	e->pos.from_line = (size_t)from;
	e->pos.start = (size_t)(from + hlen);
	e->pos.end = (size_t)(from + hlen + blen);
	e->doc = (long long)doc;
	return true;
}
