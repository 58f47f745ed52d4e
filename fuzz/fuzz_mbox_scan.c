/* Fuzz target: mbox separator scan (src/store/mbox_scan.c). */
#include "config.h"

#include <stdint.h>

#include "mbox_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t pos = 0, prev_end = 0, count = 0;
	struct mbox_msg m;
	while (mbox_scan_next(p, size, &pos, &m)) {
		/* Messages are ordered, inside the data, and never overlap. */
		if (m.from_line < prev_end || m.start < m.from_line ||
		    m.end < m.start || m.end > size || pos > size ||
		    ++count > size + 1)
			__builtin_trap();
		prev_end = m.end;
	}
	return 0;
}
