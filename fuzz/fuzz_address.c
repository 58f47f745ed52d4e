/* Fuzz target: address lists (src/mime/address.c). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "address.h"
#include "charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_group(const struct mime_address_list *l, const char *g)
{
	for (size_t k = 0; k < l->n_groups; k++)
		if (l->groups[k] == g)
			return true;
	return false;
}

static void check(const struct mime_address_list *l, size_t max, int rc)
{
	if (l->n > max || (rc < 0 && l->n != max) || l->n_groups > l->n)
		__builtin_trap();
	for (size_t k = 0; k < l->n; k++) {
		const struct mime_address *a = &l->list[k];
		if (a->name == NULL || a->address == NULL)
			__builtin_trap();
		if (a->name[0] == '\0' && a->address[0] == '\0')
			__builtin_trap(); /* empty entries are never kept */
		if (!charset_is_utf8(a->name, strlen(a->name)) ||
		    !charset_is_utf8(a->address, strlen(a->address)))
			__builtin_trap();
		if (a->group != NULL && !is_group(l, a->group))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_address_list l;
	int rc = mime_address_parse((const char *)data, size, 0, &l);
	check(&l, MIME_ADDRESS_MAX, rc);
	mime_address_list_release(&l);
	if (size > 0) {
		size_t max = 1 + data[0] % 8;
		rc = mime_address_parse((const char *)data + 1, size - 1, max, &l);
		check(&l, max, rc);
	}
	mime_address_list_release(&l);
	return 0;
}
