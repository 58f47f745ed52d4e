/* mem: allocation that never returns NULL.
 *
 * Every size tern allocates is bounded by a limit set elsewhere (buffer
 * maxima, parser settings), so running out of memory means the machine is
 * in trouble: these print a message and abort rather than make every
 * caller carry an error path for it (as git's xmalloc does). */
#ifndef TERN_MEM_H
#define TERN_MEM_H

#include <stddef.h>

void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t nmemb, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
/* Grows an array to hold at least need elements; *cap_r is updated. */
void *xgrow(void *p, size_t *cap_r, size_t need, size_t elem_size)
	__attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/* free(*p) and set *p to NULL. */
void xfree(void *pp);

#endif
