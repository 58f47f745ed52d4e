#include "config.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "colors.h"
#include "tap.h"

/* The pair behind object o, as "FG/BG" ("-" when it has no pair). */
static const char *pair_of(const struct colors_resolved *r,
			   enum ui_color_object o)
{
	static char out[32];
	int p = PAIR_NUMBER(r->attr[o]);
	if (p == 0)
		snprintf(out, sizeof(out), "-");
	else if (p > r->n_pairs)
		snprintf(out, sizeof(out), "pair %d undefined", p);
	else
		snprintf(out, sizeof(out), "%d/%d", r->pair_fg[p], r->pair_bg[p]);
	return out;
}

static attr_t attrs_of(const struct colors_resolved *r, enum ui_color_object o)
{
	return r->attr[o] & ~A_COLOR;
}

static struct colors_scheme scheme_with(const char *const *lines)
{
	struct colors_scheme s;
	struct err e;
	colors_scheme_init(&s);
	for (; *lines != NULL; lines++) {
		err_init(&e);
		if (colors_apply_directive(&s, *lines, &e) < 0)
			diag("unexpected error for '%s': %s", *lines, e.msg);
	}
	return s;
}

static void test_parse(void)
{
	struct colors_scheme s;
	struct err e;
	colors_scheme_init(&s);
	err_init(&e);

	is_int(colors_apply_directive(&s, "index.new bold yellow default", &e), 0,
	       "the issue's 'color index.new bold yellow default' parses");
	ok(s.color[UI_COLOR_INDEX_NEW].attrs == COLORS_BOLD &&
	   s.color[UI_COLOR_INDEX_NEW].fg == COLOR_YELLOW &&
	   s.color[UI_COLOR_INDEX_NEW].bg == COLORS_DEFAULT,
	   "index.new: bold, yellow on default");
	ok(s.user[UI_COLOR_INDEX_NEW] && !s.user[UI_COLOR_INDEX_FLAGGED],
	   "only the object named is marked as set by the user");

	is_int(colors_apply_directive(&s, "\tQuoted2  underline  BOLD brightRed color21 ", &e),
	       0, "blanks, tabs and any case accepted");
	ok(s.color[UI_COLOR_QUOTED2].attrs == (COLORS_UNDERLINE | COLORS_BOLD) &&
	   s.color[UI_COLOR_QUOTED2].fg == 9 && s.color[UI_COLOR_QUOTED2].bg == 21,
	   "quoted2: underline bold, brightred (9) on color21");

	is_int(colors_apply_directive(&s, "url green", &e), 0, "a foreground alone");
	ok(s.color[UI_COLOR_URL].attrs == 0 && s.color[UI_COLOR_URL].fg == COLOR_GREEN &&
	   s.color[UI_COLOR_URL].bg == COLORS_DEFAULT,
	   "a color line replaces the style: url loses its default underline");
	is_int(colors_apply_directive(&s, "status reverse", &e), 0, "attributes alone");
	ok(s.color[UI_COLOR_STATUS].fg == COLORS_DEFAULT &&
	   s.color[UI_COLOR_STATUS].attrs == COLORS_REVERSE, "status: reverse, default colours");
	is_int(colors_apply_directive(&s, "hdrdefault color255 color0", &e), 0,
	       "mutt's hdrdefault names header");
	ok(s.color[UI_COLOR_HEADER].fg == 255 && s.color[UI_COLOR_HEADER].bg == 0,
	   "header: color255 on color0");
	is_int(colors_apply_directive(&s, "signature none italic dim blink standout", &e), 0,
	       "every attribute name");
	is_int(s.color[UI_COLOR_SIGNATURE].attrs,
	       COLORS_ITALIC | COLORS_DIM | COLORS_BLINK | COLORS_STANDOUT,
	       "signature: italic dim blink standout");

	is_int(colors_apply_mono(&s, "index.flagged bold reverse", &e), 0, "a mono line");
	is_int(s.mono[UI_COLOR_INDEX_FLAGGED], COLORS_BOLD | COLORS_REVERSE,
	       "mono sets the attributes of index.flagged");
	ok(!s.user[UI_COLOR_INDEX_FLAGGED], "a mono line does not mark a colour as set");
	is_int(s.color[UI_COLOR_INDEX_FLAGGED].fg, COLOR_RED,
	       "a mono line leaves the colour style alone");

	for (int o = 0; o < UI_COLOR_COUNT; o++) {
		enum ui_color_object back;
		if (colors_object_from_name(colors_object_name((enum ui_color_object)o),
					    &back) < 0 || back != (enum ui_color_object)o)
			ok(0, "object %d name round trip", o);
	}
	is_str(colors_object_name(UI_COLOR_INDEX_DELETED), "index.deleted",
	       "index.deleted is named");
	is_str(colors_object_name(UI_COLOR_COUNT), "?", "an object past the enum is ?");
}

/* A bad line fails naming want and leaves the scheme as it was. */
static void bad(bool mono, const char *text, const char *want)
{
	struct colors_scheme s, before;
	struct err e;
	colors_scheme_init(&s);
	before = s;
	err_init(&e);
	int rc = mono ? colors_apply_mono(&s, text, &e)
		      : colors_apply_directive(&s, text, &e);
	const char *prefix = mono ? "mono: " : "color: ";
	bool good = rc == -1 && e.code == ERR_CONFIG &&
		    strncmp(e.msg, prefix, strlen(prefix)) == 0 &&
		    strstr(e.msg, want) != NULL;
	if (!ok(good, "%s'%s' refused naming %s", prefix, text, want))
		diag("rc %d, message: %s", rc, e.msg);
	ok(memcmp(&s, &before, sizeof(s)) == 0, "%s'%s' changed nothing", prefix, text);
}

static void test_errors(void)
{
	bad(false, "indx bold", "unknown object 'indx'");
	bad(false, "index bold red default", "unknown object 'index'");
	bad(false, "index.new bold yelow", "'yelow' is not a colour");
	bad(false, "index.new color256", "'color256'");
	bad(false, "index.new color-1", "'color-1'");
	bad(false, "index.new color", "'color'");
	bad(false, "index.new bright", "'bright'");
	bad(false, "index.new brightdefault", "'brightdefault'");
	bad(false, "index.new red blue green", "'green' is a third colour");
	bad(false, "index.new", "expected OBJECT");
	bad(false, "", "expected OBJECT");
	bad(false, "a b c d e f g h i j k l m n o p q", "more than 16 words");
	char long_line[600];
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	bad(false, long_line, "longer than 511 bytes");
	bad(true, "url red", "'red' is not an attribute");
	bad(true, "url", "expected OBJECT ATTRIBUTE");
	bad(true, "urls bold", "unknown object 'urls'");
}

static void test_defaults(void)
{
	struct colors_scheme s;
	struct colors_resolved r;
	colors_scheme_init(&s);

	colors_resolve(&s, 256, false, &r);
	is_int(attrs_of(&r, UI_COLOR_INDICATOR), A_REVERSE, "256: indicator reverse");
	is_str(pair_of(&r, UI_COLOR_INDICATOR), "-", "256: indicator keeps the terminal's colours");
	is_int(attrs_of(&r, UI_COLOR_INDEX_NEW), A_BOLD, "256: index.new bold");
	is_str(pair_of(&r, UI_COLOR_QUOTED), "6/-1", "256: quoted cyan on default");
	is_str(pair_of(&r, UI_COLOR_QUOTED2), "2/-1", "256: quoted2 green on default");
	is_str(pair_of(&r, UI_COLOR_QUOTED3), "3/-1", "256: quoted3 yellow on default");
	is_str(pair_of(&r, UI_COLOR_URL), "4/-1", "256: url blue on default");
	is_int(attrs_of(&r, UI_COLOR_URL), A_UNDERLINE, "256: url underlined");
	is_str(pair_of(&r, UI_COLOR_INDEX_FLAGGED), "1/-1", "256: index.flagged red");
	is_str(pair_of(&r, UI_COLOR_ERROR), "1/-1", "256: error red");
	ok(PAIR_NUMBER(r.attr[UI_COLOR_ERROR]) == PAIR_NUMBER(r.attr[UI_COLOR_INDEX_FLAGGED]),
	   "256: equal colours share one pair");
	is_str(pair_of(&r, UI_COLOR_SEARCH), "0/3", "256: search black on yellow");
	ok(r.n_pairs >= 1 && r.n_pairs <= UI_COLOR_COUNT, "256: %d pairs in range",
	   r.n_pairs);

	/* The mono defaults must tell things apart without colour. */
	colors_resolve(&s, 2, false, &r);
	is_int(r.n_pairs, 0, "2 colours: no pairs");
	is_int(r.attr[UI_COLOR_INDICATOR], A_REVERSE, "2 colours: cursor line reverse");
	is_int(r.attr[UI_COLOR_STATUS], A_REVERSE, "2 colours: status reverse");
	is_int(r.attr[UI_COLOR_INDEX_NEW], A_BOLD, "2 colours: new bold");
	is_int(r.attr[UI_COLOR_INDEX_FLAGGED], A_UNDERLINE, "2 colours: flagged underline");
	is_int(r.attr[UI_COLOR_INDEX_DELETED], A_DIM, "2 colours: deleted dim");
	is_int(r.attr[UI_COLOR_QUOTED], A_DIM, "2 colours: quoted dim");
	is_int(r.attr[UI_COLOR_QUOTED2], A_DIM | A_ITALIC, "2 colours: quoted2 dim italic");
	is_int(r.attr[UI_COLOR_URL], A_UNDERLINE, "2 colours: url underline");
	is_int(r.attr[UI_COLOR_SEARCH], A_STANDOUT, "2 colours: search standout");
	is_int(r.attr[UI_COLOR_NORMAL], A_NORMAL, "2 colours: normal plain");

	colors_resolve(&s, 0, false, &r);
	is_int(r.attr[UI_COLOR_INDEX_NEW], A_BOLD, "0 colours: mono attributes too");
	is_int(r.n_pairs, 0, "0 colours: no pairs");
}

static void test_downgrade(void)
{
	static const char *const lines[] = {
		"quoted color196 color21",     /* (255,0,0) and (0,0,255) */
		"quoted2 brightred brightblue",
		"quoted3 color226 color232",   /* (255,255,0) and a near-black grey */
		"url color12 default",
		"tree color255",               /* (238,238,238) */
		NULL,
	};
	struct colors_scheme s = scheme_with(lines);
	struct colors_resolved r;

	colors_resolve(&s, 256, false, &r);
	is_str(pair_of(&r, UI_COLOR_QUOTED), "196/21", "256: color196 on color21 kept");
	is_str(pair_of(&r, UI_COLOR_QUOTED2), "9/12", "256: bright colours are 9 and 12");
	is_int(attrs_of(&r, UI_COLOR_QUOTED2), A_NORMAL, "256: bright needs no bold");

	colors_resolve(&s, 16, false, &r);
	is_str(pair_of(&r, UI_COLOR_QUOTED), "9/4", "16: color196 -> 9, color21 -> 4");
	is_str(pair_of(&r, UI_COLOR_QUOTED3), "11/0", "16: color226 -> 11, color232 -> 0");
	is_str(pair_of(&r, UI_COLOR_TREE), "7/-1", "16: color255 -> 7");
	is_str(pair_of(&r, UI_COLOR_QUOTED2), "9/12", "16: bright colours kept");

	colors_resolve(&s, 8, false, &r);
	is_str(pair_of(&r, UI_COLOR_QUOTED), "1/4", "8: color196 -> red, color21 -> blue");
	is_int(attrs_of(&r, UI_COLOR_QUOTED), A_BOLD, "8: a bright foreground becomes bold");
	is_str(pair_of(&r, UI_COLOR_QUOTED2), "1/4", "8: brightred on brightblue -> red on blue");
	is_int(attrs_of(&r, UI_COLOR_QUOTED2), A_BOLD, "8: brightred foreground in bold");
	is_str(pair_of(&r, UI_COLOR_URL), "4/-1", "8: color12 -> blue");
	is_int(attrs_of(&r, UI_COLOR_URL), A_BOLD, "8: color12 foreground in bold");
	is_str(pair_of(&r, UI_COLOR_QUOTED3), "3/0", "8: color226 -> yellow, color232 -> black");
	is_int(attrs_of(&r, UI_COLOR_QUOTED3), A_BOLD, "8: color226 (bright yellow) in bold");
	is_str(pair_of(&r, UI_COLOR_TREE), "7/-1", "8: color255 -> white");
	is_int(attrs_of(&r, UI_COLOR_TREE), A_NORMAL, "8: color255 is plain white");
	int over = 0;
	for (int p = 1; p <= r.n_pairs; p++)
		if (r.pair_fg[p] >= 8 || r.pair_bg[p] >= 8)
			over++;
	is_int(over, 0, "8: no pair uses a colour above 7");

	colors_resolve(&s, 1 << 24, false, &r);
	is_str(pair_of(&r, UI_COLOR_QUOTED), "1/4", "direct colour: treated as 8 colours");
}

static void test_no_color(void)
{
	static const char *const lines[] = { "index.new bold yellow default", NULL };
	struct colors_scheme s = scheme_with(lines);
	struct colors_resolved r;

	ok(!colors_env_no_color(NULL), "NO_COLOR unset: colour allowed");
	ok(!colors_env_no_color(""), "NO_COLOR empty: colour allowed");
	ok(colors_env_no_color("1"), "NO_COLOR=1: no colour");
	ok(colors_env_no_color("0"), "NO_COLOR=0: no colour (any value counts)");

	colors_resolve(&s, 256, true, &r);
	is_int(r.attr[UI_COLOR_QUOTED], A_DIM, "NO_COLOR: default quoted colour dropped (dim)");
	is_int(r.attr[UI_COLOR_INDEX_FLAGGED], A_UNDERLINE,
	       "NO_COLOR: default flagged colour dropped (underline)");
	is_int(r.attr[UI_COLOR_INDICATOR], A_REVERSE, "NO_COLOR: cursor still reverse");
	is_str(pair_of(&r, UI_COLOR_INDEX_NEW), "3/-1",
	       "NO_COLOR: a colour from the configuration still applies");
	is_int(attrs_of(&r, UI_COLOR_INDEX_NEW), A_BOLD, "NO_COLOR: with its attributes");
	is_int(r.n_pairs, 1, "NO_COLOR: only the configured pair is defined");

	colors_resolve(&s, 2, false, &r);
	is_int(r.attr[UI_COLOR_INDEX_NEW], A_BOLD,
	       "monochrome: configured colours give way to the mono style");
	is_int(r.n_pairs, 0, "monochrome: no pairs at all");
}

static void test_quote_levels(void)
{
	is_int(colors_quote_object(0), UI_COLOR_NORMAL, "level 0 is normal text");
	is_int(colors_quote_object(1), UI_COLOR_QUOTED, "level 1 is quoted");
	is_int(colors_quote_object(2), UI_COLOR_QUOTED2, "level 2 is quoted2");
	is_int(colors_quote_object(3), UI_COLOR_QUOTED3, "level 3 is quoted3");
	is_int(colors_quote_object(4), UI_COLOR_QUOTED, "level 4 cycles to quoted");
	is_int(colors_quote_object(8), UI_COLOR_QUOTED2, "level 8 cycles to quoted2");
}

/* colors_setup() on a real terminal description, writing to /dev/null. */
static void test_setup(const char *term, bool no_color, int want_colors)
{
	FILE *out = fopen("/dev/null", "w");
	FILE *in = fopen("/dev/null", "r");
	SCREEN *scr = out && in ? newterm(term, out, in) : NULL;
	if (scr == NULL) {
		ok(0, "newterm(%s) for colors_setup", term);
		goto done;
	}
	struct colors_scheme s;
	struct colors_resolved r;
	colors_scheme_init(&s);
	int n = colors_setup(&s, no_color, &r);
	is_int(n, want_colors, "setup on %s%s: %d colours", term,
	       no_color ? " with NO_COLOR" : "", want_colors);
	if (want_colors > 0) {
		short fg = -2, bg = -2;
		int p = PAIR_NUMBER(r.attr[UI_COLOR_QUOTED]);
		pair_content((short)p, &fg, &bg);
		ok(p > 0 && fg == COLOR_CYAN && bg == -1,
		   "setup on %s: quoted's pair is cyan on the default background", term);
	} else {
		is_int(r.attr[UI_COLOR_QUOTED], A_DIM, "setup on %s: quoted is dim", term);
	}
	endwin();
	delscreen(scr);
done:
	if (out)
		fclose(out);
	if (in)
		fclose(in);
}

int main(void)
{
	test_parse();
	test_errors();
	test_defaults();
	test_downgrade();
	test_no_color();
	test_quote_levels();
	test_setup("xterm-256color", false, 256);
	test_setup("xterm", false, 8);
	test_setup("xterm-mono", false, 0);
	test_setup("xterm-256color", true, 0);
	return done_testing();
}
