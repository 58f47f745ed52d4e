#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "pager_text.h"
#include "tap.h"

static const char rendered[] =
	"From: Ann <a@x>\n"
	"Subject: hello \x1b]0;PWNED\x07 there\n"
	"\n"
	"See https://example.org/a_(b) and (http://x.org/p).\n"
	"> quoted\n"
	"> > twice\n"
	">> packed\n"
	"\ttabbed\n"
	"-- \n"
	"Ann's signature\n"
	"[-- Attachment #1: a.pdf, application/pdf (10 bytes) --]\n";

static const char *line(const struct pager_text *pt, size_t i)
{
	static char b[512];
	snprintf(b, sizeof(b), "%.*s", (int)pt->lines[i].len, pt->text + pt->lines[i].off);
	return b;
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	struct pager_text pt;
	struct err e;
	err_init(&e);
	is_int(pager_text_build(&pt, rendered, sizeof(rendered) - 1, 80, &e), 0, "build");
	is_int((long long)pt.header_lines, 2, "two header lines");
	ok(pt.lines[0].kind == PAGER_HEADER && pt.lines[1].kind == PAGER_HEADER,
	   "header lines are marked");
	ok(memchr(pt.text, 0x1b, pt.text_len) == NULL && memchr(pt.text, 0x07, pt.text_len) == NULL,
	   "no escape or bell byte survives");
	ok(strstr(line(&pt, 1), "\xe2\x90\x9b]0;PWNED") != NULL, "ESC is shown as a visible symbol");
	ok(pt.lines[4].kind == PAGER_QUOTED && pt.lines[4].quote_depth == 1, "> quoted: depth 1");
	ok(pt.lines[5].quote_depth == 2 && pt.lines[6].quote_depth == 2,
	   "> > and >> are depth 2");
	is_str(line(&pt, 7), "        tabbed", "a tab is 8 columns");
	ok(pt.lines[8].kind == PAGER_SIGNATURE && pt.lines[9].kind == PAGER_SIGNATURE,
	   "the signature from \"-- \" on");
	ok(pt.lines[10].kind == PAGER_ATTACHMENT, "the attachment list");
	is_int((long long)pt.n_urls, 2, "two URLs");
	is_str(pt.n_urls > 0 ? pt.urls[0].url : "", "https://example.org/a_(b)",
	       "balanced parentheses stay in a URL");
	is_str(pt.n_urls > 1 ? pt.urls[1].url : "", "http://x.org/p",
	       "a closing parenthesis and a full stop after it do not");
	ok(pt.n_urls > 1 && pt.urls[1].line == 3 && pt.urls[1].start == 35,
	   "URL positions are on the screen line");
	size_t col;
	ok(pager_text_find(&pt, "TWICE", 0, false, &col) == 5 && col == 4,
	   "search is case-insensitive and gives the column");
	ok(pager_text_find(&pt, "hello", 9, true, NULL) == 1, "search backwards");
	ok(pager_text_find(&pt, "absent", 0, false, NULL) == (size_t)-1, "no match");
	pager_text_release(&pt);

	/* Wrapping by display width. */
	static const char wide[] = "H: x\n\n" "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87"
				   "\xe4\xb8\xad\xe6\x96\x87 0123456789abcdef\n";
	is_int(pager_text_build(&pt, wide, sizeof(wide) - 1, 10, &e), 0, "build narrow");
	is_str(line(&pt, 2), "\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad",
	       "five CJK characters fill 10 columns");
	ok(pt.lines[3].continued && strcmp(line(&pt, 3), "\xe6\x96\x87 0123456") == 0 &&
	   strcmp(line(&pt, 4), "789abcdef") == 0,
	   "the rest wraps: %s", line(&pt, 3));
	pager_text_release(&pt);
	return done_testing();
}
