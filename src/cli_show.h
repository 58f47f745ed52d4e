/* cli_show: tern show -- one message rendered, as JSON, raw, or its
 * attachments saved.  See tern(1). */
#ifndef TERN_CLI_SHOW_H
#define TERN_CLI_SHOW_H

#include "args.h"
#include "cfg.h"
#include "err.h"
#include "log.h"

/* Runs tern show for the parsed arguments a, writing to stdout, with the
 * [general] settings of cfg (shown header fields, html_command).  Returns
 * 0, or -1 with e filled. */
int cli_show(const struct args *a, const struct cfg *cfg, struct logger *lg,
	     struct err *e);

#endif
