/* Fuzz target: Content-Type, Content-Disposition and
 * Content-Transfer-Encoding values (src/mime/params.c). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "charset.h"
#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool lower_token(const char *s)
{
	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (unsigned char)*s <= 0x20 ||
		    (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void check(const struct mime_params *p)
{
	if (p->type == NULL || p->subtype == NULL)
		__builtin_trap();
	if (!lower_token(p->type) || !lower_token(p->subtype))
		__builtin_trap();
	if (p->n_raw > MIME_PARAMS_MAX || p->n_decoded > p->n_raw)
		__builtin_trap();
	for (size_t k = 0; k < p->n_raw; k++)
		if (p->raw[k].name[0] == '\0' || !lower_token(p->raw[k].name) ||
		    mime_params_get_raw(p, p->raw[k].name) != p->raw[k].value)
			__builtin_trap(); /* names unique, first wins */
	for (size_t k = 0; k < p->n_decoded; k++) {
		const char *v = p->decoded[k].value;
		if (strchr(p->decoded[k].name, '*') != NULL ||
		    strlen(v) > MIME_PARAMS_MAX_VALUE ||
		    !charset_is_utf8(v, strlen(v)) ||
		    mime_params_get(p, p->decoded[k].name) != v)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v = (const char *)data;
	struct mime_params ct, cd;
	mime_params_init(&ct);
	mime_params_init(&cd);
	mime_params_parse_content_type(v, size, &ct);
	mime_params_parse(v, size, &cd);
	check(&ct);
	check(&cd);
	if (ct.type[0] != '\0' && ct.subtype[0] == '\0')
		__builtin_trap(); /* the defaults always give a subtype */
	const char *name = mime_params_filename(&cd, &ct);
	if (name != NULL && (name[0] == '\0' || !charset_is_utf8(name, strlen(name))))
		__builtin_trap();
	enum mime_cte cte = mime_cte_parse(v, size);
	if (cte < MIME_CTE_7BIT || cte > MIME_CTE_UNKNOWN)
		__builtin_trap();
	mime_params_release(&ct);
	mime_params_release(&cd);
	return 0;
}
