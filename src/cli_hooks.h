/* cli_hooks: ui_hooks for the commands that run without the reader
 * (tern fetch, tern folders): on a terminal, the password is read blind
 * from it, an untrusted certificate is put to the person, and progress is
 * a line on standard error; without one (cron), nobody is asked. */
#ifndef TERN_CLI_HOOKS_H
#define TERN_CLI_HOOKS_H

#include <stdbool.h>

#include "backend.h"
#include "progress_text.h"

struct cli_hooks {
	struct ui_hooks hooks;
	struct progress_clock clock;
	double drawn_at;      /* seconds into the work of the last drawing */
	bool drawn;           /* something is on the progress line */
};

/* The hooks to hand to a backend: NULL unless standard input and error
 * are a terminal. */
const struct ui_hooks *cli_hooks_init(struct cli_hooks *h);
/* Ends the progress line, if one was drawn. */
void cli_hooks_finish(struct cli_hooks *h);

#endif
