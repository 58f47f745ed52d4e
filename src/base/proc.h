/* proc: running a configured command as a filter.
 *
 * The command line comes from the user's configuration and is run with
 * /bin/sh -c; data from messages never becomes part of it: it is only
 * written to the command's standard input. */
#ifndef TERN_PROC_H
#define TERN_PROC_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Runs command, writes in[0..len) to its standard input (then closes it),
 * and appends its standard output to out, up to out's maximum (then the
 * command is stopped).  Standard error goes where tern's goes.  With
 * timeout_ms >= 0 the command is killed after that long.  Returns 0 if
 * the command exited with status 0, else -1 with e filled (scope
 * ERR_MESSAGE, code ERR_SUBPROCESS or ERR_LIMIT); out may then hold part
 * of the output.  Error messages name the command by label, never by the
 * command line itself (which may hold a secret, as password_command
 * lines sometimes do). */
int proc_filter(const char *command, const char *label, const char *in,
		size_t len, struct buf *out, int timeout_ms, struct err *e);

#endif
