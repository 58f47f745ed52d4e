/* thread_private.h: what thread.c and thread_subject.c share. */
#ifndef TERN_THREAD_PRIVATE_H
#define TERN_THREAD_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies at most THREAD_SUBJECT_MAX bytes of subject into s (which holds
 * THREAD_SUBJECT_MAX bytes) with blanks collapsed to one space, leading
 * ones dropped, and ASCII folded to lower case (RFC 5256 §2.1 step 1).
 * Returns the length. */
size_t thread_subject_fold(const char *subject, char *s);

/* The base subject of the folded s[0..len) is s[*b_r..*e_r) (RFC 5256
 * §2.1 steps 2 to 6); *reply_r says whether a reply or forward marker
 * was removed (RFC 5256 §3). */
void thread_subject_base(const char *s, size_t len, size_t *b_r, size_t *e_r,
			 bool *reply_r);

#endif
