/* args: the command line, parsed and checked; tern(1) is its manual.
 *
 *   tern [GLOBAL...] [TARGET]             open a mailbox, URL or account
 *   tern [GLOBAL...] --demo               open the bundled demo mailbox
 *   tern [GLOBAL...] COMMAND [ARGS...]    fetch, show, search, folders
 * Global options (-F FILE, -a NAME, --log FILE, --help, --version) are
 * accepted before or after the command.  "--" ends the options.  Nothing
 * here reads files: existence of paths is checked by the caller. */
#ifndef TERN_ARGS_H
#define TERN_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum args_cmd {
	ARGS_CMD_OPEN = 0, /* no command word: open TARGET or an account */
	ARGS_CMD_FETCH,
	ARGS_CMD_SHOW,
	ARGS_CMD_SEARCH,
	ARGS_CMD_FOLDERS,
};

struct args {
	enum args_cmd cmd;
	/* global */
	const char *config_path; /* -F, or NULL for the default location */
	const char *account;     /* -a, or NULL */
	const char *log_path;    /* --log, or NULL */
	bool help;
	bool version;
	bool demo;
	/* per command */
	bool raw;                /* show */
	bool json;               /* show */
	const char *save_dir;    /* show --save-attachments */
	bool count;              /* search */
	const char *folder;      /* search, show --folder (IMAP) */
	/* What the command works on; NULL when absent. */
	const char *target;      /* open: TARGET; fetch/folders: URL; show:
				    FILE, -, MBOX or an imap(s) URL (NULL
				    with -a); search: MBOX */
	unsigned long msgno;     /* show MBOX N, -a ACCOUNT N, URL N: the number
				    the listing prints (an mbox's 1-based
				    position, an IMAP message's UID); 0 if
				    not given */
	char *query;             /* search: the words of the query joined by
				    spaces (allocated) */
};

void args_init(struct args *a);
void args_release(struct args *a);

/* Parses argv (argv[0] is skipped; the strings must outlive a).  Returns
 * 0, or -1 with e filled (code ERR_USAGE) for anything wrong: unknown
 * option, missing value, option of another command, wrong number of
 * operands.  With --help or --version set, operands are not checked. */
int args_parse(struct args *a, int argc, char **argv, struct err *e);

const char *args_cmd_name(enum args_cmd cmd);

#endif
