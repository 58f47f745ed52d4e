/* prompt: questions on the last line of the screen.
 *
 * prompt_line() reads a line of text: printable characters are inserted
 * at the cursor (UTF-8), Backspace/Delete erase, Left/Right/Home/End (and
 * ^A/^E) move, ^U clears, Enter accepts, Esc or ^G cancels.  What the
 * person types is shown through the sanitiser like everything else. */
#ifndef TERN_PROMPT_H
#define TERN_PROMPT_H

#include <stdbool.h>

#include "buf.h"

#define PROMPT_MAX 4096

/* Asks question (tern's own text) with initial as the starting answer.
 * Returns 0 with the answer in out (replacing its content), or -1 if
 * cancelled. */
int prompt_line(const char *question, const char *initial, struct buf *out);

/* Asks a yes/no question; dflt is the answer to Enter.  Esc or ^G is
 * no. */
bool prompt_yes_no(const char *question, bool dflt);

#endif
