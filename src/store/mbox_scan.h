/* mbox_scan: finding the messages of an mbox file (RFC 4155).
 *
 * A message starts at a "From " line at the start of the file or after an
 * empty line; its text runs to the empty line before the next such line.
 * The file is mapped read-only; nothing here writes.  This is the core the
 * mbox store (summaries cache, locking, writing) is built around. */
#ifndef TERN_MBOX_SCAN_H
#define TERN_MBOX_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct mbox_file {
	int fd;
	const char *data; /* NULL for an empty file */
	size_t len;
};

struct mbox_msg {
	size_t from_line;   /* offset of the "From " separator line */
	size_t start;       /* offset of the message (after the separator) */
	size_t end;         /* offset just past the message's last byte */
};

/* Opens and maps path.  A directory, FIFO, device, or a file that does not
 * start like an mbox is refused with a clear error.  An empty file is a
 * valid mbox with no messages. */
int mbox_file_open(struct mbox_file *mf, const char *path, struct err *e);
void mbox_file_close(struct mbox_file *mf);

/* Tells the kernel the mapped bytes before offset upto are not needed
 * soon: they leave the process's resident memory and come back from the
 * page cache if touched again.  Keeps a first scan of a huge mbox from
 * holding all of it in memory. */
void mbox_file_drop_pages(const struct mbox_file *mf, size_t upto);

/* Finds the message at or after *pos in data[0..len) and advances *pos
 * past it.  Returns true and fills m, or false at the end. */
bool mbox_scan_next(const char *data, size_t len, size_t *pos,
		    struct mbox_msg *m);

/* Whether the line line[0..len) matches ^>*From (the lines mboxrd
 * quotes); *depth_r is set to its number of leading '>'. */
bool mbox_line_needs_quoting(const char *line, size_t len, size_t *depth_r);

/* Appends msg[0..len) with the mboxrd quoting undone: one '>' is taken
 * from each line that matches ^>+From (RFC 4155 mboxrd).  Returns 0, or
 * -1 if out's maximum was reached. */
int mbox_unquote(const char *msg, size_t len, struct buf *out)
	__attribute__((warn_unused_result));

#endif
