/* cli_list: printing the list of messages of an mbox, one line each.
 * This is what opening a mailbox does until the curses UI exists. */
#ifndef TERN_CLI_LIST_H
#define TERN_CLI_LIST_H

#include <stdio.h>

#include "err.h"
#include "log.h"

/* Prints "number flags date from subject" for each message of the mbox at
 * path to out, every field sanitised for the terminal.  Returns the
 * number of messages, or -1 with e filled. */
long cli_list_mbox(const char *path, FILE *out, struct logger *lg,
		   struct err *e);

#endif
