/* Fuzz target: threading (src/mime/thread.c, msgid.c, thread_subject.c).
 *
 * Input: a first byte of options (bit 0: group by subject, bit 1: roots
 * by last date), then lines, four per pseudo-message: Message-ID,
 * References, In-Reply-To, Subject.  A line "." stands for a missing
 * header.  The date is the subject line's length, unknown when that is a
 * multiple of 5, so equal and unknown dates are common.
 * Invariants: every input index is in exactly one row; a row's parent
 * row comes before it and its depth is the parent's + 1 (saturated), so
 * depth grows by at most one from row to row; has_children and
 * last_sibling agree with the rows; a placeholder has children; the hash
 * key changes nothing; base subjects are trimmed and folded. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSGS_MAX 4096

static void check_rows(const struct thread_row *rows, size_t nr, size_t n)
{
	unsigned char *seen = calloc(n + 1, 1);
	size_t *lastkid = malloc((nr + 1) * sizeof(*lastkid));
	if (seen == NULL || lastkid == NULL)
		__builtin_trap();
	for (size_t r = 0; r <= nr; r++)
		lastkid[r] = SIZE_MAX;
	for (size_t r = 0; r < nr; r++) {
		const struct thread_row *w = &rows[r];
		unsigned want = 0;
		if (w->parent < -1 || w->parent >= (ssize_t)r)
			__builtin_trap();
		if (w->parent >= 0)
			want = rows[w->parent].depth < THREAD_DEPTH_MAX ?
				rows[w->parent].depth + 1 : THREAD_DEPTH_MAX;
		if (w->depth != want || (r > 0 && w->depth > rows[r - 1].depth + 1))
			__builtin_trap();
		if (w->msg < -1 || w->msg >= (ssize_t)n || (w->msg >= 0 && seen[w->msg]++))
			__builtin_trap();
		if (w->has_children != (r + 1 < nr && rows[r + 1].parent == (ssize_t)r))
			__builtin_trap();
		if (w->msg == -1 && !w->has_children)
			__builtin_trap();
		lastkid[w->parent + 1] = r;
	}
	for (size_t r = 0; r < nr; r++) {
		if (rows[r].last_sibling != (lastkid[rows[r].parent + 1] == r))
			__builtin_trap();
	}
	for (size_t i = 0; i < n; i++) {
		if (!seen[i])
			__builtin_trap();
	}
	free(seen);
	free(lastkid);
}

static void check_subject(const char *subject, struct buf *b)
{
	buf_reset(b);
	if (thread_base_subject(subject, b, NULL) < 0)
		__builtin_trap();
	if (b->len > strlen(subject) || b->len > THREAD_SUBJECT_MAX)
		__builtin_trap();
	if (b->len > 0 && (b->data[0] == ' ' || b->data[b->len - 1] == ' '))
		__builtin_trap();
	for (size_t i = 0; i < b->len; i++) {
		if ((b->data[i] >= 'A' && b->data[i] <= 'Z') || b->data[i] == '\t')
			__builtin_trap();
	}
}

/* Splits text (modified in place) into pseudo-messages. */
static size_t split(char *text, size_t len, struct thread_input *in)
{
	const char *field[4];
	size_t n = 0, nf = 0;
	char *p = text, *end = text + len;
	while (p < end && n < MSGS_MAX) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl ? nl : end;
		*e = '\0';
		field[nf++] = strcmp(p, ".") == 0 ? NULL : p;
		p = e + 1;
		if (nf == 4 || p >= end) {
			while (nf < 4)
				field[nf++] = NULL;
			size_t sl = field[3] ? strlen(field[3]) : 0;
			in[n++] = (struct thread_input){ field[0], field[1], field[2], field[3],
				sl % 5 == 0 ? THREAD_DATE_UNKNOWN : (int64_t)sl };
			nf = 0;
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct thread_options opt = {
		.group_by_subject = data[0] & 1,
		.root_order = (data[0] & 2) ? THREAD_ROOTS_BY_LAST : THREAD_ROOTS_BY_FIRST,
	};
	char *text = malloc(size);
	struct thread_input *in = malloc(MSGS_MAX * sizeof(*in));
	if (text == NULL || in == NULL)
		__builtin_trap();
	memcpy(text, data + 1, size - 1);
	size_t n = split(text, size - 1, in);

	struct thread_row *rows, *again;
	size_t nr, nr2;
	struct err e;
	err_init(&e);
	if (thread_build(in, n, &opt, &rows, &nr, &e) < 0)
		__builtin_trap();
	check_rows(rows, nr, n);
	opt.hash_key[0] = 0x5eed;
	opt.hash_key[1] = size;
	if (thread_build(in, n, &opt, &again, &nr2, &e) < 0 || nr2 != nr)
		__builtin_trap();
	for (size_t r = 0; r < nr; r++) {
		if (rows[r].msg != again[r].msg || rows[r].parent != again[r].parent)
			__builtin_trap();
	}
	free(rows);
	free(again);

	struct buf b;
	buf_init(&b, BUF_MAX_SMALL);
	for (size_t i = 0; i < n; i++) {
		if (in[i].subject != NULL)
			check_subject(in[i].subject, &b);
	}
	buf_release(&b);
	free(in);
	free(text);
	return 0;
}
