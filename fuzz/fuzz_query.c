/* Fuzz target: the search query parser (src/core/query.c).
 * Invariants: a failure leaves no tree and says something; a success
 * prints a canonical form that parses back to the same canonical form. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void canonical(const struct query_node *root, struct buf *out)
{
	if (query_to_string(root, out) < 0)
		__builtin_trap(); /* 1 MiB holds any canonical form of 64 KiB */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query_node *root = NULL, *again = NULL;
	struct err e;
	err_init(&e);
	if (query_parse((const char *)data, size, &root, &e) < 0) {
		if (root != NULL || e.msg[0] == '\0')
			__builtin_trap();
		return 0;
	}
	struct buf one, two;
	buf_init(&one, (size_t)1 << 20);
	buf_init(&two, (size_t)1 << 20);
	canonical(root, &one);
	/* Sizes print in bytes, so the canonical form may pass the length
	 * limit; only shorter ones must parse back. */
	if (one.len <= QUERY_MAX_LEN) {
		if (query_parse(one.data, one.len, &again, &e) < 0)
			__builtin_trap();
		canonical(again, &two);
		if (two.len != one.len || memcmp(one.data, two.data, one.len) != 0)
			__builtin_trap();
	}
	query_free(&again);
	query_free(&root);
	buf_release(&one);
	buf_release(&two);
	return 0;
}
