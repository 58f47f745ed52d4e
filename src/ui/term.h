/* term: the terminal under the reader.
 *
 * term_start() sets up curses (cbreak, no echo, keypad, no cursor) on
 * the controlling terminal; term_stop() gives it back as it was.  The
 * terminal is restored on every way out: a normal return, exit(), and the
 * fatal signals (SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTERM,
 * SIGHUP, SIGQUIT), whose handler puts back the saved termios and writes
 * the terminal's own reset strings (captured at start: async-signal-safe,
 * no curses call) before dying of the same signal.  Ctrl-C (SIGINT) only
 * sets a flag: long work asks term_interrupted() and stops; Ctrl-Z is
 * curses' own suspend and resume; a resize arrives as KEY_RESIZE.
 *
 * This module holds the only global state of the UI: the saved terminal
 * for the signal handlers (there is one terminal).
 *
 * Drawing: term_put() is the one way text reaches the screen; its text
 * must already be sanitised (sanitize.h) -- every caller passes text that
 * went through sanitize_text() or was written by tern itself. */
#ifndef TERN_TERM_H
#define TERN_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "err.h"

/* Keys as term_key returns them: characters are their Unicode code
 * points; curses' function keys (KEY_DOWN, KEY_RESIZE, ...) are
 * TERM_FKEY(KEY_...), out of the Unicode range. */
#define TERM_FKEY_BASE 0x200000
#define TERM_FKEY(k) (TERM_FKEY_BASE + (k))
#define TERM_IS_FKEY(k) ((k) >= TERM_FKEY_BASE)
#define TERM_KEY_NONE (-1)   /* timeout */
#define TERM_KEY_FD (-2)     /* the other descriptor is readable */

int term_start(struct err *e);
void term_stop(void);
bool term_started(void);

/* Waits up to timeout_ms (< 0: forever) for a key, or for fd (-1: none)
 * to be readable.  Returns the key, TERM_KEY_NONE or TERM_KEY_FD. */
int term_key(int timeout_ms, int fd);

/* Whether Ctrl-C was pressed since the last call (clears the flag). */
bool term_interrupted(void);

/* Puts sanitised UTF-8 text at row y, column x, cut to cols columns and,
 * if pad, padded with blanks to exactly cols, in attribute attr. */
void term_put(int y, int x, const char *text, size_t len, int cols, int attr, bool pad);

/* Leaves curses for a program that needs the terminal (a pager, an
 * editor, a mailcap viewer), and comes back. */
void term_suspend(void);
void term_resume(void);

#endif
