/* summary_record: a summary (summary.h) as bytes, the form the caches keep
 * it in (mbox_record.h inside an mbox entry, imap_cache.c after a UID):
 * unsigned LEB128 varints (zigzag for signed values) and length-prefixed
 * strings, in this order:
 *   date (zigzag), zone_minutes (zigzag), size, flags << 1 | has_attachment,
 *   then from, from_address, to, subject as length + bytes, and
 *   message_id, references, in_reply_to as 0 (NULL) or length + 1 + bytes.
 * The decoder treats its input as untrusted: every length is checked
 * against what is left. */
#ifndef TERN_SUMMARY_RECORD_H
#define TERN_SUMMARY_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "summary.h"

/* Appends v as a varint.  Returns 0, or -1 if out's maximum was reached. */
int summary_record_put_varint(struct buf *out, uint64_t v) BUF_WUR;
/* Reads a varint at *p (before end) and advances *p; false if the bytes
 * end first or it runs past 10 bytes. */
bool summary_record_get_varint(const unsigned char **p, const unsigned char *end,
			       uint64_t *v);

uint64_t summary_record_zigzag(int64_t v);
int64_t summary_record_unzigzag(uint64_t v);

/* Appends s's record to out.  Returns 0, or -1 if out's maximum was
 * reached. */
int summary_record_encode(struct buf *out, const struct summary *s) BUF_WUR;

/* Reads one record at *p (before end) into s, its strings packed in one
 * allocation (summary_pack; s->strings is never NULL on success), and
 * advances *p.  Returns false, with s zeroed, if the bytes are not a whole
 * record or hold impossible values (a zone beyond a day, flags beyond 16
 * bits). */
bool summary_record_decode(const unsigned char **p, const unsigned char *end,
			   struct summary *s);

#endif
