/* buf: the growable byte buffer with a hard maximum.
 *
 * Invariants, true after buf_init() and after every call below:
 *   - data is never NULL and data[len] == '\0' (the buffer can always be
 *     used as a C string, though it may also hold NUL bytes);
 *   - len <= max; an append that would pass max fails and changes nothing;
 *   - a buffer that has never grown points at a shared empty string, so
 *     buf_init() cannot fail and costs no allocation.
 * Appends return 0, or -1 with errno set (ENOSPC past max, ENOMEM); callers
 * must check them.  The caller owns the memory until buf_detach(). */
#ifndef TERN_BUF_H
#define TERN_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_WUR __attribute__((warn_unused_result))

struct buf {
	char *data;
	size_t len;
	size_t cap; /* 0 while data points at the shared empty string */
	size_t max; /* hard limit on len */
};

/* A handy default maximum for short, human-sized strings. */
#define BUF_MAX_SMALL ((size_t)64 * 1024)

void buf_init(struct buf *b, size_t max);
/* Frees the contents; b must be buf_init()ed again before reuse. */
void buf_release(struct buf *b);
/* Empties the buffer, keeping its memory and maximum. */
void buf_reset(struct buf *b);
/* Like buf_reset(), but first overwrites the bytes (for secrets). */
void buf_wipe(struct buf *b);
/* Shortens to len bytes; len greater than the current length is ignored. */
void buf_truncate(struct buf *b, size_t len);

int buf_append(struct buf *b, const void *p, size_t n) BUF_WUR;
int buf_append_str(struct buf *b, const char *s) BUF_WUR;
int buf_append_char(struct buf *b, char c) BUF_WUR;
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))) BUF_WUR;
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0))) BUF_WUR;
/* Makes room for at least n more bytes without changing the contents. */
int buf_reserve(struct buf *b, size_t n) BUF_WUR;

/* Marks an append (or a conversion into a buffer) whose failure needs no
 * handling: when the maximum is reached the buffer keeps a valid prefix,
 * and a cut-short result is what the caller wants. */
static inline void buf_cut_ok(int rc)
{
	(void)rc;
}

/* Hands the NUL-terminated memory to the caller (who frees it) and leaves
 * b empty but usable, with the same maximum.  Never returns NULL. */
char *buf_detach(struct buf *b, size_t *len_r);

#endif
