#include "config.h"

#include "colors.h"

#include <string.h>

#include "i18n.h"
#include "str.h"

#define WORDS_MAX 16
#define TEXT_MAX 512
#define BASIC_COLORS 16
#define PALETTE_COLORS 256

static const char *const object_names[UI_COLOR_COUNT] = {
	[UI_COLOR_NORMAL] = "normal",
	[UI_COLOR_INDICATOR] = "indicator",
	[UI_COLOR_STATUS] = "status",
	[UI_COLOR_INDEX_NEW] = "index.new",
	[UI_COLOR_INDEX_FLAGGED] = "index.flagged",
	[UI_COLOR_INDEX_DELETED] = "index.deleted",
	[UI_COLOR_TREE] = "tree",
	[UI_COLOR_HEADER] = "header",
	[UI_COLOR_QUOTED] = "quoted",
	[UI_COLOR_QUOTED2] = "quoted2",
	[UI_COLOR_QUOTED3] = "quoted3",
	[UI_COLOR_URL] = "url",
	[UI_COLOR_SIGNATURE] = "signature",
	[UI_COLOR_ATTACHMENT] = "attachment",
	[UI_COLOR_SEARCH] = "search",
	[UI_COLOR_ERROR] = "error",
	[UI_COLOR_MESSAGE] = "message",
	[UI_COLOR_HELP] = "help",
};

static const struct {
	const char *name;
	unsigned attr;
} attr_names[] = {
	{ "none", 0 },
	{ "normal", 0 },
	{ "bold", COLORS_BOLD },
	{ "underline", COLORS_UNDERLINE },
	{ "reverse", COLORS_REVERSE },
	{ "standout", COLORS_STANDOUT },
	{ "dim", COLORS_DIM },
	{ "italic", COLORS_ITALIC },
	{ "blink", COLORS_BLINK },
};

static const char *const color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

#define D COLORS_DEFAULT

static const struct default_style {
	struct colors_style color;
	unsigned mono;
} defaults[UI_COLOR_COUNT] = {
	[UI_COLOR_NORMAL] = { { 0, D, D }, 0 },
	[UI_COLOR_INDICATOR] = { { COLORS_REVERSE, D, D }, COLORS_REVERSE },
	[UI_COLOR_STATUS] = { { COLORS_REVERSE, D, D }, COLORS_REVERSE },
	[UI_COLOR_INDEX_NEW] = { { COLORS_BOLD, D, D }, COLORS_BOLD },
	[UI_COLOR_INDEX_FLAGGED] = { { 0, COLOR_RED, D }, COLORS_UNDERLINE },
	[UI_COLOR_INDEX_DELETED] = { { COLORS_DIM, D, D }, COLORS_DIM },
	[UI_COLOR_TREE] = { { 0, COLOR_MAGENTA, D }, 0 },
	[UI_COLOR_HEADER] = { { COLORS_BOLD, D, D }, COLORS_BOLD },
	[UI_COLOR_QUOTED] = { { 0, COLOR_CYAN, D }, COLORS_DIM },
	[UI_COLOR_QUOTED2] = { { 0, COLOR_GREEN, D }, COLORS_DIM | COLORS_ITALIC },
	[UI_COLOR_QUOTED3] = { { 0, COLOR_YELLOW, D }, COLORS_DIM },
	[UI_COLOR_URL] = { { COLORS_UNDERLINE, COLOR_BLUE, D }, COLORS_UNDERLINE },
	[UI_COLOR_SIGNATURE] = { { COLORS_DIM, D, D }, COLORS_DIM },
	[UI_COLOR_ATTACHMENT] = { { COLORS_BOLD, COLOR_MAGENTA, D }, COLORS_BOLD },
	[UI_COLOR_SEARCH] = { { 0, COLOR_BLACK, COLOR_YELLOW }, COLORS_STANDOUT },
	[UI_COLOR_ERROR] = { { COLORS_BOLD, COLOR_RED, D }, COLORS_BOLD },
	[UI_COLOR_MESSAGE] = { { 0, D, D }, 0 },
	[UI_COLOR_HELP] = { { COLORS_BOLD, D, D }, COLORS_BOLD },
};

#undef D

const char *colors_object_name(enum ui_color_object object)
{
	if ((unsigned)object >= UI_COLOR_COUNT)
		return "?";
	return object_names[object];
}

int colors_object_from_name(const char *name, enum ui_color_object *object_r)
{
	if (str_eq_ci(name, "hdrdefault")) {
		*object_r = UI_COLOR_HEADER;
		return 0;
	}
	for (int i = 0; i < UI_COLOR_COUNT; i++) {
		if (str_eq_ci(name, object_names[i])) {
			*object_r = (enum ui_color_object)i;
			return 0;
		}
	}
	return -1;
}

enum ui_color_object colors_quote_object(unsigned level)
{
	static const enum ui_color_object levels[3] = {
		UI_COLOR_QUOTED, UI_COLOR_QUOTED2, UI_COLOR_QUOTED3,
	};
	if (level == 0)
		return UI_COLOR_NORMAL;
	return levels[(level - 1) % 3];
}

bool colors_env_no_color(const char *value)
{
	return value != NULL && *value != '\0';
}

void colors_scheme_init(struct colors_scheme *scheme)
{
	for (int i = 0; i < UI_COLOR_COUNT; i++) {
		scheme->color[i] = defaults[i].color;
		scheme->mono[i] = defaults[i].mono;
		scheme->user[i] = false;
	}
}

/* ------------------------------------------------------------ parsing */

static int attr_of(const char *word, unsigned *attr_r)
{
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (str_eq_ci(word, attr_names[i].name)) {
			*attr_r = attr_names[i].attr;
			return 0;
		}
	}
	return -1;
}

/* default, NAME, brightNAME or colorN; -2 if not a colour at all. */
static int color_of(const char *word)
{
	unsigned long n;
	int bright = 0;
	if (str_eq_ci(word, "default"))
		return COLORS_DEFAULT;
	if (str_eqn_ci(word, "color", 5) && word[5] != '\0')
		return str_to_ulong(word + 5, 0, PALETTE_COLORS - 1, &n) == 0 ? (int)n : -2;
	if (str_eqn_ci(word, "bright", 6)) {
		bright = 8;
		word += 6;
	}
	for (int c = 0; c < 8; c++)
		if (str_eq_ci(word, color_names[c]))
			return c + bright;
	return -2;
}

/* Splits text into at most WORDS_MAX blank-separated words in buf. */
static int split_words(const char *what, const char *text, char *buf,
		       char **words, struct err *e)
{
	if (str_copy(buf, TEXT_MAX, text) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("%s: longer than %d bytes"), what, TEXT_MAX - 1);
	int n = 0;
	for (char *s = buf;;) {
		s += strspn(s, " \t");
		if (*s == '\0')
			return n;
		if (n == WORDS_MAX)
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("%s: more than %d words"), what, WORDS_MAX);
		words[n++] = s;
		s += strcspn(s, " \t");
		if (*s != '\0')
			*s++ = '\0';
	}
}

/* The object named by the first of n words. */
static int object_word(const char *what, char **words, int n,
		       enum ui_color_object *object_r, struct err *e)
{
	if (n < 2)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       strcmp(what, "mono") == 0
				       ? _("mono: expected OBJECT ATTRIBUTE...")
				       : _("color: expected OBJECT [ATTRIBUTE...] "
					   "[FOREGROUND [BACKGROUND]]"));
	if (colors_object_from_name(words[0], object_r) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			       _("%s: unknown object '%s'"), what, words[0]);
	return 0;
}

int colors_apply_directive(struct colors_scheme *scheme, const char *text,
			   struct err *e)
{
	char buf[TEXT_MAX];
	char *words[WORDS_MAX];
	enum ui_color_object object;
	int n = split_words("color", text, buf, words, e);
	if (n < 0 || object_word("color", words, n, &object, e) < 0)
		return -1;

	struct colors_style style = { 0, COLORS_DEFAULT, COLORS_DEFAULT };
	int n_colors = 0;
	for (int i = 1; i < n; i++) {
		unsigned attr;
		int c;
		if (attr_of(words[i], &attr) == 0) {
			style.attrs |= attr;
		} else if ((c = color_of(words[i])) != -2) {
			if (n_colors == 2)
				return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
					       _("color: '%s' is a third colour (expected "
						 "FOREGROUND BACKGROUND)"), words[i]);
			if (n_colors++ == 0)
				style.fg = (short)c;
			else
				style.bg = (short)c;
		} else {
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("color: '%s' is not a colour (colorN: 0 to 255) "
					 "or an attribute"), words[i]);
		}
	}
	scheme->color[object] = style;
	scheme->user[object] = true;
	return 0;
}

int colors_apply_mono(struct colors_scheme *scheme, const char *text,
		      struct err *e)
{
	char buf[TEXT_MAX];
	char *words[WORDS_MAX];
	enum ui_color_object object;
	int n = split_words("mono", text, buf, words, e);
	if (n < 0 || object_word("mono", words, n, &object, e) < 0)
		return -1;

	unsigned attrs = 0;
	for (int i = 1; i < n; i++) {
		unsigned attr;
		if (attr_of(words[i], &attr) < 0)
			return err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				       _("mono: '%s' is not an attribute"), words[i]);
		attrs |= attr;
	}
	scheme->mono[object] = attrs;
	return 0;
}

/* ------------------------------------------------------------ resolving */

static attr_t curses_attrs(unsigned attrs)
{
	attr_t a = A_NORMAL;
	if (attrs & COLORS_BOLD)
		a |= A_BOLD;
	if (attrs & COLORS_UNDERLINE)
		a |= A_UNDERLINE;
	if (attrs & COLORS_REVERSE)
		a |= A_REVERSE;
	if (attrs & COLORS_STANDOUT)
		a |= A_STANDOUT;
	if (attrs & COLORS_DIM)
		a |= A_DIM;
#ifdef A_ITALIC
	if (attrs & COLORS_ITALIC)
		a |= A_ITALIC;
#endif
	if (attrs & COLORS_BLINK)
		a |= A_BLINK;
	return a;
}

/* xterm's default palette, for colours 0..255. */
static void palette_rgb(int c, int rgb[3])
{
	static const unsigned char basic[BASIC_COLORS][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	if (c < BASIC_COLORS) {
		for (int i = 0; i < 3; i++)
			rgb[i] = basic[c][i];
	} else if (c < 232) {
		rgb[0] = level[(c - 16) / 36];
		rgb[1] = level[(c - 16) / 6 % 6];
		rgb[2] = level[(c - 16) % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
	}
}

static int nearest_basic(int c)
{
	int rgb[3], best = 0;
	long best_d = -1;
	palette_rgb(c, rgb);
	for (int b = 0; b < BASIC_COLORS; b++) {
		int brgb[3];
		palette_rgb(b, brgb);
		long d = 0;
		for (int i = 0; i < 3; i++)
			d += (long)(rgb[i] - brgb[i]) * (rgb[i] - brgb[i]);
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = b;
		}
	}
	return best;
}

/* Colour c on a terminal with ncolors (>= 8); *bright_r set when a bright
 * colour had to become its plain one. */
static short map_color(short c, int ncolors, bool *bright_r)
{
	*bright_r = false;
	if (c < 0 || c < ncolors)
		return c;
	if (c >= BASIC_COLORS)
		c = (short)nearest_basic(c);
	if (c < ncolors)
		return c;
	*bright_r = true;
	return (short)(c - 8);
}

static short pair_for(struct colors_resolved *r, short fg, short bg)
{
	if (fg == COLORS_DEFAULT && bg == COLORS_DEFAULT)
		return 0;
	for (int p = 1; p <= r->n_pairs; p++)
		if (r->pair_fg[p] == fg && r->pair_bg[p] == bg)
			return (short)p;
	r->n_pairs++;
	r->pair_fg[r->n_pairs] = fg;
	r->pair_bg[r->n_pairs] = bg;
	return (short)r->n_pairs;
}

static attr_t resolve_color(struct colors_resolved *r,
			    const struct colors_style *style, int ncolors)
{
	bool fg_bright, bg_bright;
	short fg = map_color(style->fg, ncolors, &fg_bright);
	short bg = map_color(style->bg, ncolors, &bg_bright);
	attr_t a = curses_attrs(style->attrs) | COLOR_PAIR(pair_for(r, fg, bg));
	if (fg_bright)
		a |= A_BOLD;
	return a;
}

void colors_resolve(const struct colors_scheme *scheme, int ncolors,
		    bool no_color, struct colors_resolved *r)
{
	memset(r, 0, sizeof(*r));
	if (ncolors > PALETTE_COLORS)
		ncolors = 8;
	for (int i = 0; i < UI_COLOR_COUNT; i++) {
		bool color = ncolors >= 8 && (!no_color || scheme->user[i]);
		if (color)
			r->attr[i] = resolve_color(r, &scheme->color[i], ncolors);
		else
			r->attr[i] = curses_attrs(scheme->mono[i]);
	}
}

/* ------------------------------------------------------------ curses */

static bool needs_color(const struct colors_scheme *scheme, bool no_color)
{
	if (!no_color)
		return true;
	for (int i = 0; i < UI_COLOR_COUNT; i++)
		if (scheme->user[i])
			return true;
	return false;
}

static void drop_pair(struct colors_resolved *r, int pair)
{
	for (int i = 0; i < UI_COLOR_COUNT; i++)
		if (PAIR_NUMBER(r->attr[i]) == pair)
			r->attr[i] &= ~A_COLOR;
}

int colors_setup(const struct colors_scheme *scheme, bool no_color,
		 struct colors_resolved *r)
{
	int ncolors = 0;
	if (needs_color(scheme, no_color) && has_colors() && start_color() == OK)
		ncolors = COLORS;
	colors_resolve(scheme, ncolors, no_color, r);
	if (r->n_pairs == 0)
		return ncolors >= 8 ? ncolors : 0;
	bool terminal_default = use_default_colors() == OK;
	for (int p = 1; p <= r->n_pairs; p++) {
		short fg = r->pair_fg[p], bg = r->pair_bg[p];
		if (!terminal_default) {
			fg = fg == COLORS_DEFAULT ? COLOR_WHITE : fg;
			bg = bg == COLORS_DEFAULT ? COLOR_BLACK : bg;
		}
		if (p >= COLOR_PAIRS || init_pair((short)p, fg, bg) == ERR)
			drop_pair(r, p);
	}
	return ncolors >= 8 ? ncolors : 0;
}
