/* tty: asking a person for a secret on the controlling terminal.
 *
 * Used outside curses (command-line mode); the UI asks through its own
 * prompt.  Reads from /dev/tty, never from stdin, so piped input is not
 * taken for a password. */
#ifndef TERN_TTY_H
#define TERN_TTY_H

#include "buf.h"
#include "err.h"

/* Writes prompt to the terminal, turns echo off, reads one line into out
 * (without the newline; out is reset first), and restores the terminal on
 * every path, including a signal (which is then re-raised).  Returns 0, or
 * -1 with e filled: no terminal, input longer than out's maximum, end of
 * input. */
int tty_read_secret(const char *prompt, struct buf *out, struct err *e);

#endif
