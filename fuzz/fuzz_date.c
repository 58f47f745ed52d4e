/* Fuzz target: Date fields (src/mime/date.c). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_date d, again;
	char iso[32];
	int rc = mime_date_parse((const char *)data, size, &d);
	if ((rc == 0) != d.valid)
		__builtin_trap();
	if (rc != 0) {
		if (d.utc != 0 || d.zone_known || d.zone_minutes != 0 ||
		    mime_date_iso8601(&d, iso) != -1 || iso[0] != '\0')
			__builtin_trap();
		return 0;
	}
	if (d.zone_minutes > 99 * 60 + 59 || d.zone_minutes < -(99 * 60 + 59) ||
	    (!d.zone_known && d.zone_minutes != 0))
		__builtin_trap();
	/* The ISO form reads back to the same instant and zone. */
	if (mime_date_iso8601(&d, iso) != 0 || strlen(iso) != 25)
		__builtin_trap();
	if (mime_date_parse(iso, strlen(iso), &again) != 0 || again.utc != d.utc ||
	    again.zone_minutes != d.zone_minutes || again.zone_known != d.zone_known)
		__builtin_trap();
	return 0;
}
