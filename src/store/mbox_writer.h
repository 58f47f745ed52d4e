/* mbox_writer: the store's writes to a file, through a fixed staging
 * buffer, at an explicit offset.  The first failure is kept (errno, or
 * ENOSPC for a write that wrote nothing) and every later write is
 * skipped, so a writer can run to the end and check once.  Writes larger
 * than the buffer go straight to the file. */
#ifndef TERN_MBOX_WRITER_H
#define TERN_MBOX_WRITER_H

#include <stddef.h>
#include <sys/types.h>

#define MBOX_WRITER_STAGE 65536

struct mbox_writer {
	int fd;
	off_t off;   /* where the next byte goes (after what is staged) */
	size_t n;    /* bytes staged */
	int error;   /* 0, or the errno of the first failure */
	char stage[MBOX_WRITER_STAGE];
};

/* Sets w up to write fd from offset off. */
void mbox_writer_init(struct mbox_writer *w, int fd, off_t off);
void mbox_writer_put(struct mbox_writer *w, const char *p, size_t len);
void mbox_writer_flush(struct mbox_writer *w);

/* The offset of the next byte, counting what is staged. */
off_t mbox_writer_tell(const struct mbox_writer *w);

#endif
