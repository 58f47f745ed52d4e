/* colors: the reader's colour scheme, and what it becomes on a terminal.
 *
 * Every coloured thing on screen is an object, named in color lines:
 *   normal           text with nothing special about it
 *   indicator        the cursor line of the index, attach and folders lists
 *   status           the status line
 *   index.new        index lines of new (unread) messages
 *   index.flagged    index lines of flagged messages
 *   index.deleted    index lines of messages marked deleted
 *   tree             the thread arrows of the index
 *   header           header lines in the pager (mutt's hdrdefault too)
 *   quoted quoted2 quoted3   quoted text at depth 1, 2, 3; deeper levels
 *                    cycle through the three (colors_quote_object())
 *   url              URLs in the pager
 *   signature        the signature, after "-- "
 *   attachment       attachment markers in the pager
 *   search           matches of a search in the pager
 *   error            error messages
 *   message          information and prompts on the bottom line
 *   help             key names on the help screen
 *
 * A scheme holds two styles per object, as mutt does:
 *   color OBJECT [ATTRIBUTE...] [FOREGROUND [BACKGROUND]]
 *   mono  OBJECT ATTRIBUTE...
 * The color style (attributes and colours) is used on terminals with at
 * least 8 colours; the mono style (attributes only) on terminals with
 * fewer, and under NO_COLOR (https://no-color.org: the variable set and
 * not empty) for every object not set by a color line: NO_COLOR turns off
 * tern's default colours, while colours the person wrote in the
 * configuration still apply, as that page asks.  A color line replaces
 * the whole color style of its object: left-out colours are "default"
 * (the terminal's own), left-out attributes none.
 *   ATTRIBUTE   none bold underline reverse standout dim italic blink
 *   colour      default black red green yellow blue magenta cyan white,
 *               brightCOLOUR (colours 8 to 15), colorN (N from 0 to 255)
 * Names ignore case.  The mono defaults keep things apart without colour:
 * indicator and status reverse, index.new bold, index.flagged underline,
 * index.deleted dim, quoted levels dim (quoted2 also italic), url
 * underline, header, attachment, error and help bold, search standout.
 *
 * On a terminal with fewer colours than a colour needs: colorN from 16 up
 * becomes the nearest of the 16 basic colours (by xterm's palette); on
 * 8-colour terminals a bright foreground becomes its colour in bold and
 * a bright background its plain colour.  Terminals reporting more than
 * 256 colours (direct colour) are treated as having 8, since they read
 * numbers from 8 up as RGB values.
 *
 * All of this is plain data, testable without a terminal, except
 * colors_setup(), the only function that calls curses (start_color,
 * init_pair); the UI calls it once after initscr(). */
#ifndef TERN_COLORS_H
#define TERN_COLORS_H

#include <curses.h>
#include <stdbool.h>

#include "err.h"

enum ui_color_object {
	UI_COLOR_NORMAL,
	UI_COLOR_INDICATOR,
	UI_COLOR_STATUS,
	UI_COLOR_INDEX_NEW,
	UI_COLOR_INDEX_FLAGGED,
	UI_COLOR_INDEX_DELETED,
	UI_COLOR_TREE,
	UI_COLOR_HEADER,
	UI_COLOR_QUOTED,
	UI_COLOR_QUOTED2,
	UI_COLOR_QUOTED3,
	UI_COLOR_URL,
	UI_COLOR_SIGNATURE,
	UI_COLOR_ATTACHMENT,
	UI_COLOR_SEARCH,
	UI_COLOR_ERROR,
	UI_COLOR_MESSAGE,
	UI_COLOR_HELP,
	UI_COLOR_COUNT
};

/* Attributes, independent of curses' A_* bits. */
enum colors_attr {
	COLORS_BOLD = 1u << 0,
	COLORS_UNDERLINE = 1u << 1,
	COLORS_REVERSE = 1u << 2,
	COLORS_STANDOUT = 1u << 3,
	COLORS_DIM = 1u << 4,
	COLORS_ITALIC = 1u << 5,
	COLORS_BLINK = 1u << 6,
};

#define COLORS_DEFAULT (-1) /* the terminal's own foreground or background */

struct colors_style {
	unsigned attrs;  /* enum colors_attr bits */
	short fg, bg;    /* COLORS_DEFAULT or 0..255 */
};

struct colors_scheme {
	struct colors_style color[UI_COLOR_COUNT];
	unsigned mono[UI_COLOR_COUNT];
	bool user[UI_COLOR_COUNT];   /* set by a color line */
};

/* What to give wattrset() for each object, and the colour pairs behind
 * them: pair p (1 .. n_pairs) is pair_fg[p] on pair_bg[p]. */
struct colors_resolved {
	attr_t attr[UI_COLOR_COUNT];
	int n_pairs;
	short pair_fg[UI_COLOR_COUNT + 1];
	short pair_bg[UI_COLOR_COUNT + 1];
};

/* The default scheme. */
void colors_scheme_init(struct colors_scheme *scheme);

/* Apply one color or mono line as cfg keeps it (the words after "color"
 * or "mono").  Returns 0, or -1 with e naming the bad word ("color:
 * unknown object 'indx'"); the scheme is then unchanged.  The caller puts
 * the configuration line in front (err_prefix(e, "%s", source)). */
int colors_apply_directive(struct colors_scheme *scheme, const char *text,
			   struct err *e);
int colors_apply_mono(struct colors_scheme *scheme, const char *text,
		      struct err *e);

/* Resolves the scheme for a terminal with ncolors colours (0 or 2 for
 * monochrome) with or without NO_COLOR.  Pure: no curses call. */
void colors_resolve(const struct colors_scheme *scheme, int ncolors,
		    bool no_color, struct colors_resolved *r);

/* After initscr(): starts colour if the terminal has it and the resolved
 * scheme needs it, resolves, and defines the pairs (with the terminal's
 * default colours where it supports them, else white on black).  An
 * object whose pair the terminal refuses keeps only its attributes.
 * Returns the number of colours used (0 for none). */
int colors_setup(const struct colors_scheme *scheme, bool no_color,
		 struct colors_resolved *r);

/* Whether the value of NO_COLOR (getenv's result, maybe NULL) asks for
 * no colour: set and not empty. */
bool colors_env_no_color(const char *value);

/* The object for quoted text at depth level (0: normal). */
enum ui_color_object colors_quote_object(unsigned level);

const char *colors_object_name(enum ui_color_object object);
int colors_object_from_name(const char *name, enum ui_color_object *object_r);

#endif
