/* mbox_writer: the store's writes to a file, through a fixed staging
 * buffer, at an explicit offset.  The first failure is kept (errno, or
 * ENOSPC for a write that wrote nothing) and every later write is
 * skipped, so a writer can run to the end and check once.  Writes larger
 * than the buffer go straight to the file. */
#ifndef TERN_MBOX_WRITER_H
#define TERN_MBOX_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MBOX_WRITER_STAGE 65536

struct mbox_writer {
	int fd;      /* -1: a dry run that only counts and hashes */
	uint64_t hash; /* FNV-1a of every byte put since init */
	off_t off;   /* where the next byte goes (after what is staged) */
	size_t n;    /* bytes staged */
	int error;   /* 0, or the errno of the first failure */
	char stage[MBOX_WRITER_STAGE];
};

/* Sets w up to write fd (or, fd -1, nothing) from offset off. */
void mbox_writer_init(struct mbox_writer *w, int fd, off_t off);
void mbox_writer_put(struct mbox_writer *w, const char *p, size_t len);
void mbox_writer_flush(struct mbox_writer *w);

/* The offset of the next byte, counting what is staged. */
off_t mbox_writer_tell(const struct mbox_writer *w);

/* ------------------------------------------------ replacing a file */

/* Creates the temporary file that will replace path: in the same
 * directory, ".NAME.tern-new.XXXXXX", 0600, O_EXCL.  First removes the
 * temporary files of path that killed runs left (call it under the mbox
 * lock: then no live writer owns one).  Returns the descriptor, with
 * *tmp_r (the file's name) and *dir_r (the directory) to free, or -1 with
 * errno set. */
int mbox_temp_open(const char *path, char **tmp_r, char **dir_r);

/* Makes the temporary file tfd (named tmp, in dir) the file path: fsync,
 * the mode and, where allowed, owner of orig, rename over path, fsync of
 * the directory.  Returns 0, or an errno value (then tmp is removed and
 * path untouched). */
int mbox_temp_commit(int tfd, const char *tmp, const char *path, const char *dir,
		     const struct stat *orig);

#endif
