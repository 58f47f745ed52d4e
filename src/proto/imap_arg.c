/* imap_arg: the helpers consumers of the parser's tree use to read its
 * arguments (imap_parser.h): atoms compared, numbers, strings. */
#include "config.h"

#include "imap_parser.h"

#include <stdint.h>
#include <string.h>

#include "str.h"

bool imap_arg_is_atom(const struct imap_arg *a, const char *word)
{
	return a != NULL && a->type == IMAP_ARG_ATOM && strlen(word) == a->len &&
	       str_eqn_ci(a->str, word, a->len);
}

/* An atom of digits without a leading zero (but "0"), at most max. */
static bool arg_number(const struct imap_arg *a, uint64_t max, uint64_t *v_r)
{
	if (a == NULL || a->type != IMAP_ARG_ATOM || a->len == 0 || a->len > 20 ||
	    (a->str[0] == '0' && a->len > 1))
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < a->len; i++) {
		if (a->str[i] < '0' || a->str[i] > '9')
			return false;
		unsigned d = (unsigned)(a->str[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*v_r = v;
	return true;
}

bool imap_arg_number(const struct imap_arg *a, uint32_t *v_r)
{
	uint64_t v;
	if (!arg_number(a, UINT32_MAX, &v))
		return false;
	*v_r = (uint32_t)v;
	return true;
}

bool imap_arg_number64(const struct imap_arg *a, uint64_t *v_r)
{
	return arg_number(a, (uint64_t)INT64_MAX, v_r);
}

bool imap_arg_string(const struct imap_arg *a)
{
	return a != NULL && (a->type == IMAP_ARG_STRING ||
			     (a->type == IMAP_ARG_LITERAL && !a->literal8));
}

bool imap_arg_astring(const struct imap_arg *a)
{
	return imap_arg_string(a) || (a != NULL && a->type == IMAP_ARG_ATOM);
}

bool imap_arg_nstring(const struct imap_arg *a)
{
	return imap_arg_string(a) || (a != NULL && a->type == IMAP_ARG_NIL);
}
