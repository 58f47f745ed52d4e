/* mbox_record: a message's entry (position, summary, doc number) as
 * bytes, the form the summary cache keeps it in (mbox_index.c): the
 * position and doc number as unsigned LEB128 varints, then the summary as
 * summary_record.h encodes it.
 * Records are concatenated into chunks of many messages, so that reading
 * 100,000 summaries back is a few hundred blob reads, not 1.8 million
 * column reads.  The decoder treats its input as untrusted: every length
 * is checked against what is left. */
#ifndef TERN_MBOX_RECORD_H
#define TERN_MBOX_RECORD_H

#include <stdbool.h>

#include "buf.h"
#include "mbox_index.h"

/* Appends e's record to out.  Returns 0, or -1 if out's maximum was
 * reached. */
int mbox_record_encode(struct buf *out, const struct mbox_entry *e)
	__attribute__((warn_unused_result));

/* Reads one record at *p (before end) into e, its strings packed in one
 * allocation (summary_pack), and advances *p.  Returns false, with e
 * empty, if the bytes are not a whole record. */
bool mbox_record_decode(const unsigned char **p, const unsigned char *end,
			struct mbox_entry *e);

#endif
