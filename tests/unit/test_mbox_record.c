#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mbox_record.h"
#include "tap.h"

static struct mbox_entry sample(void)
{
	struct mbox_entry e;
	memset(&e, 0, sizeof(e));
	e.pos.from_line = 5000000000ULL > (size_t)-1 ? 7 : (size_t)5000000000ULL;
	e.pos.start = e.pos.from_line + 40;
	e.pos.end = e.pos.start + 1234;
	e.doc = 99;
	e.sum.date = -86400; /* before 1970 */
	e.sum.zone_minutes = -330;
	e.sum.from = strdup("Grüße, Ann");
	e.sum.from_address = strdup("a@x");
	e.sum.to = strdup("");
	e.sum.subject = strdup("subject");
	e.sum.message_id = strdup("<1@x>");
	e.sum.references = NULL;
	e.sum.in_reply_to = strdup("");
	e.sum.size = 1234;
	e.sum.has_attachment = true;
	e.sum.flags = SUMMARY_READ | SUMMARY_DELETED;
	return e;
}

int main(void)
{
	struct mbox_entry e = sample(), d;
	struct buf b;
	buf_init(&b, 4096);
	is_int(mbox_record_encode(&b, &e), 0, "encode");
	const unsigned char *p = (const unsigned char *)b.data, *end = p + b.len;
	ok(mbox_record_decode(&p, end, &d) && p == end, "decode takes the whole record");
	ok(d.pos.from_line == e.pos.from_line && d.pos.start == e.pos.start &&
	   d.pos.end == e.pos.end && d.doc == 99, "positions and doc number come back");
	ok(d.sum.date == -86400 && d.sum.zone_minutes == -330 && d.sum.size == 1234 &&
	   d.sum.has_attachment && d.sum.flags == (SUMMARY_READ | SUMMARY_DELETED),
	   "numbers and flags come back (negative ones too)");
	ok(strcmp(d.sum.from, "Grüße, Ann") == 0 && strcmp(d.sum.subject, "subject") == 0 &&
	   strcmp(d.sum.to, "") == 0 && strcmp(d.sum.message_id, "<1@x>") == 0,
	   "strings come back");
	ok(d.sum.references == NULL && d.sum.in_reply_to != NULL && d.sum.in_reply_to[0] == '\0',
	   "a missing field stays NULL, an empty one empty");
	ok(d.sum.strings != NULL && d.sum.from >= d.sum.strings,
	   "the strings are in one allocation");
	summary_release(&d.sum);

	int bad = 0;
	for (size_t cut = 0; cut < b.len; cut++) {
		p = (const unsigned char *)b.data;
		if (mbox_record_decode(&p, p + cut, &d)) {
			bad++;
			summary_release(&d.sum);
		}
	}
	is_int(bad, 0, "every truncation of a record is refused");

	/* A zone of more than a day is not a zone. */
	buf_reset(&b);
	e.sum.zone_minutes = 100000;
	buf_cut_ok(mbox_record_encode(&b, &e));
	p = (const unsigned char *)b.data;
	ok(!mbox_record_decode(&p, p + b.len, &d), "an impossible zone is refused");

	summary_release(&e.sum);
	buf_release(&b);
	return done_testing();
}
