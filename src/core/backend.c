#include "config.h"

#include "backend.h"

#include <stdlib.h>

#include "mem.h"

void be_folder_list_free(struct be_folder_info **list, size_t n)
{
	if (*list == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*list)[i].name);
		free((*list)[i].display);
	}
	xfree(list);
}
