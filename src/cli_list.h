/* cli_list: printing the list of messages of an mbox or an IMAP folder,
 * one line each, numbered as tern show takes them.
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

struct mbox_index;

/* Prints the listing line of message i of ix. */
void cli_list_print(const struct mbox_index *ix, size_t i, FILE *out);

struct be_folder;

/* Prints the listing line of each message of an open IMAP folder,
 * numbered by UID: the number tern show -a ACCOUNT takes, which stays the
 * message's while others come and go (a position would shift).  Returns
 * their number. */
long cli_list_folder(const struct be_folder *f, FILE *out);

/* The path of the summary cache ($XDG_CACHE_HOME/tern/mbox.sqlite, its
 * directory created), or NULL (logged) when there is none. */
char *cli_list_cache_path(struct logger *lg);

#endif
