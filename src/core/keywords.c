#include "config.h"

#include "keywords.h"

#include <string.h>

#include "str.h"

#define BLANKS " \t"

const char *keywords_next(const char **p, size_t *len_r)
{
	if (*p == NULL)
		return NULL;
	const char *w = *p + strspn(*p, BLANKS);
	if (*w == '\0') {
		*p = w;
		return NULL;
	}
	*len_r = strcspn(w, BLANKS);
	*p = w + *len_r;
	return w;
}

bool keywords_has(const char *list, const char *w, size_t len)
{
	const char *p = list, *x;
	size_t n;
	while ((x = keywords_next(&p, &n)) != NULL)
		if (n == len && str_eqn_ci(x, w, len))
			return true;
	return false;
}

/* Appends w[0..len) to out unless out has it, or unless skip has it. */
static int add_word(struct buf *out, const char *w, size_t len, const char *skip)
{
	if (keywords_has(out->data, w, len) || (skip != NULL && keywords_has(skip, w, len)))
		return 0;
	size_t mark = out->len;
	if ((out->len > 0 && buf_append_char(out, ' ') < 0) || buf_append(out, w, len) < 0) {
		buf_truncate(out, mark);
		return -1;
	}
	return 0;
}

/* Appends the words of list that skip lacks, each once. */
static int add_words(struct buf *out, const char *list, const char *skip)
{
	const char *p = list, *w;
	size_t n;
	while ((w = keywords_next(&p, &n)) != NULL)
		if (add_word(out, w, n, skip) < 0)
			return -1;
	return 0;
}

int keywords_normalise(const char *list, struct buf *out)
{
	return add_words(out, list, NULL);
}

int keywords_diff(const char *old, const char *edited, struct buf *add, struct buf *remove)
{
	buf_reset(add);
	buf_reset(remove);
	if (add_words(add, edited, old) < 0)
		return -1;
	return add_words(remove, old, edited);
}

int keywords_apply(const char *old, const char *add, const char *remove, struct buf *out)
{
	buf_reset(out);
	if (add_words(out, old, remove) < 0)
		return -1;
	return add_words(out, add, NULL);
}
