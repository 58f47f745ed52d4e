#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowed.h"
#include "tap.h"

#define MSG(lit) lit, sizeof(lit) - 1

static struct buf v;

static const char *fl(const char *in, bool delsp, size_t width)
{
	buf_reset(&v);
	if (flowed_to_text(in, strlen(in), delsp, width, &v) < 0)
		diag("flowed_to_text failed");
	return v.data;
}

static const char *wrap(const char *in, size_t depth, size_t width)
{
	buf_reset(&v);
	if (flowed_wrap(in, strlen(in), depth, width, &v) < 0)
		diag("flowed_wrap failed");
	return v.data;
}

static void test_rfc_examples(void)
{
	is_str(fl("`Take some more tea,' the March Hare said to Alice, very \r\n"
		  "earnestly.\r\n"
		  "\r\n"
		  "`I've had nothing yet,' Alice replied in an offended tone, `so \r\n"
		  "I can't take more.'\r\n"
		  "\r\n"
		  "`You mean you can't take LESS,' said the Hatter: `it's very \r\n"
		  "easy to take MORE than nothing.'\r\n", false, 0),
	       "`Take some more tea,' the March Hare said to Alice, very earnestly.\n"
	       "\n"
	       "`I've had nothing yet,' Alice replied in an offended tone, `so I "
	       "can't take more.'\n"
	       "\n"
	       "`You mean you can't take LESS,' said the Hatter: `it's very easy "
	       "to take MORE than nothing.'\n",
	       "RFC 3676 §4.7: three paragraphs joined");
	is_str(fl(">>>Take some more tea.\r\n"
		  ">>I've had nothing yet, so I can't take more.\r\n"
		  ">You mean you can't take LESS, it's very easy to take \r\n"
		  ">MORE than nothing.\r\n", false, 0),
	       ">>> Take some more tea.\n"
	       ">> I've had nothing yet, so I can't take more.\n"
	       "> You mean you can't take LESS, it's very easy to take MORE than "
	       "nothing.\n",
	       "RFC 3676 §4.7: quoted example re-quoted as '>' per depth and a space");
	is_str(fl("> Thou villainous ill-breeding spongy dizzy-eyed \r\n"
		  "> reeky elf-skinned pigeon-egg! \r\n"
		  ">> Thou artless swag-bellied milk-livered \r\n"
		  ">> dismal-dreaming idle-headed scut!\r\n"
		  ">>> Thou errant folly-fallen spleeny reeling-ripe \r\n"
		  ">>> unmuzzled ratsbane!\r\n", false, 0),
	       "> Thou villainous ill-breeding spongy dizzy-eyed reeky elf-skinned "
	       "pigeon-egg!\n"
	       ">> Thou artless swag-bellied milk-livered dismal-dreaming "
	       "idle-headed scut!\n"
	       ">>> Thou errant folly-fallen spleeny reeling-ripe unmuzzled "
	       "ratsbane!\n",
	       "RFC 3676 §4.5: quote depth wins over a flowed line");
	is_str(fl(">> Exit, Stage Left\r\n>>Exit, Stage Left\r\n> > Exit, Stage Left\r\n",
		  false, 0),
	       ">> Exit, Stage Left\n>> Exit, Stage Left\n> > Exit, Stage Left\n",
	       "RFC 3676 §4.5: stuffed and unstuffed quoted lines alike");
}

static void test_lines(void)
{
	is_str(fl("Hello \r\n-- \r\nJoe \r\nBloggs\r\n", false, 0),
	       "Hello\n-- \nJoe Bloggs\n",
	       "signature separator ends a paragraph and stands alone");
	is_str(fl("-- \nname\n", false, 0), "-- \nname\n",
	       "nothing joins onto a signature separator");
	is_str(fl("> text \n> -- \n> sig\n", true, 0), "> text\n> -- \n> sig\n",
	       "quoted signature separator, DelSp=yes leaves it alone");
	is_str(fl(" From here on \r\nwe go.\r\n >not quoted\r\n", false, 0),
	       "From here on we go.\n>not quoted\n",
	       "space-stuffed 'From ' and '>' lines unstuffed");
	is_str(fl("  indented\n", false, 0), " indented\n",
	       "only one stuffing space removed");
	is_str(fl("foo \nbar\n", true, 0), "foobar\n",
	       "DelSp=yes: the soft break space deleted");
	is_str(fl("foo  \nbar\n", true, 0), "foo bar\n",
	       "DelSp=yes: only one space deleted");
	is_str(fl("foo \nbar\n", false, 0), "foo bar\n",
	       "DelSp=no: the soft break space kept");
	is_str(fl("\xe6\x97\xa5\xe6\x9c\xac \n\xe8\xaa\x9e\n", true, 0),
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n",
	       "DelSp=yes joins CJK text without a space");
	is_str(fl("> a \nb\n", false, 0), "> a\nb\n",
	       "quoted flowed line before an unquoted one ends its paragraph");
	is_str(fl("a \n> b\n", false, 0), "a\n> b\n",
	       "unquoted flowed line before a quoted one ends its paragraph");
	is_str(fl(">\r\n> \r\n>>\n", false, 0), ">\n>\n>>\n",
	       "empty quoted lines are just their quote marks");
	is_str(fl("a \n  \nb\n", false, 0), "a  b\n",
	       "a line of spaces is flowed");
	is_str(fl("one\ntwo\n\n", false, 0), "one\ntwo\n\n", "fixed lines kept");
	is_str(fl("last flowed ", false, 0), "last flowed\n",
	       "the end of the text ends a paragraph; no trailing space");
	is_str(fl("no line end", false, 0), "no line end\n",
	       "a last line without line break");
	is_str(fl("", false, 0), "", "empty text");
	is_str(fl("a\rb \nc\n", false, 0), "a\rb c\n", "a bare CR is content");
}

static void test_wrap(void)
{
	is_str(fl("The quick brown fox \njumps over the lazy dog\n", false, 10),
	       "The quick\nbrown fox\njumps over\nthe lazy\ndog\n",
	       "wrapped at spaces to the width");
	is_str(fl(">foo bar baz qux \n>quux\n", false, 12),
	       "> foo bar\n> baz qux\n> quux\n",
	       "the quote prefix counts in the width");
	is_str(wrap("abcdefghijklmnopqrstuvwxyz", 0, 10),
	       "abcdefghij\nklmnopqrst\nuvwxyz\n",
	       "a word longer than the width is broken");
	is_str(wrap("ab abcdefghijklmnop", 0, 10), "ab\nabcdefghij\nklmnop\n",
	       "a long word starts on its own line, then breaks");
	is_str(wrap("    indented text here", 0, 12), "    indented\ntext here\n",
	       "an indent is kept on the first line only");
	is_str(wrap("a     b", 0, 3), "a\nb\n", "all spaces at a break dropped");
	is_str(wrap("abc   ", 0, 3), "abc\n", "spaces at the end of a break vanish");
	is_str(wrap("     ", 1, 3), ">\n", "a paragraph of spaces is an empty line");
	is_str(wrap("exactly10!", 0, 10), "exactly10!\n", "a line of exactly width");
	is_str(wrap("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86"
		    "\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88\xe3\x81\xa7\xe3\x81\x99",
		    0, 8),
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\n"
	       "\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88\n"
	       "\xe3\x81\xa7\xe3\x81\x99\n",
	       "CJK wrapped by display columns (2 each)");
	is_str(wrap("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae", 0, 7),
	       "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n\xe3\x81\xae\n",
	       "a wide character never overflows an odd width");
	is_str(wrap("\xe6\x97\xa5\xe6\x9c\xac", 0, 1),
	       "\xe6\x97\xa5\n\xe6\x9c\xac\n",
	       "a character wider than the width still takes a line");
	is_str(wrap("e\xcc\x81t\xc3\xa9 caf\xc3\xa9", 0, 4),
	       "e\xcc\x81t\xc3\xa9\ncaf\xc3\xa9\n",
	       "combining marks and accented letters are one column");
	is_str(wrap("aaaa bbbb cccc", 30, 20),
	       ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>> aaaa bbbb\n"
	       ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>> cccc\n",
	       "a deep quote keeps some columns for text");
	is_str(wrap("", 2, 10), ">>\n", "an empty quoted paragraph");
	is_str(fl("a b c d e \nf g\n", false, 0), "a b c d e f g\n",
	       "width 0: one line per paragraph");
}

static void test_limits(void)
{
	struct buf small;
	buf_init(&small, 8);
	is_int(flowed_to_text(MSG("abc \ndef \nghi \njkl\n"), false, 0, &small), -1,
	       "a paragraph past the buffer maximum returns -1");
	buf_reset(&small);
	is_int(flowed_to_text(MSG("abc\ndef\nghi\n"), false, 0, &small), -1,
	       "output past the buffer maximum returns -1");
	is_str(small.data, "abc\ndef\n", "the buffer holds the output that fitted");
	buf_release(&small);

	size_t len = (size_t)4 << 20;
	char *big = malloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = i % 64 == 63 ? '\n' : i % 8 == 7 ? ' ' : 'a';
	clock_t t0 = clock();
	buf_reset(&v);
	int rc = flowed_to_text(big, len, false, 72, &v);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(rc == 0 && secs < 10, "4 MB paragraph wrapped in %.2f s", secs);
	for (size_t i = 0; i + 2 <= len; i += 2) {
		big[i] = i % 4000 == 0 ? ' ' : '\xcc';
		big[i + 1] = i % 4000 == 0 ? 'a' : '\x81';
	}
	t0 = clock();
	buf_reset(&v);
	rc = flowed_to_text(big, len, false, 72, &v);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(rc == 0 && secs < 10, "4 MB of zero-width marks wrapped in %.2f s", secs);
	memset(big, 'x', len);
	t0 = clock();
	buf_reset(&v);
	rc = flowed_to_text(big, len, false, 72, &v);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(rc == 0 && secs < 10, "4 MB word hard-broken in %.2f s", secs);
	memset(big, '>', len / 2);
	t0 = clock();
	buf_reset(&v);
	rc = flowed_to_text(big, len, false, 72, &v);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(rc == 0 && v.len < 3 * len && secs < 10,
	   "2 MB quote depth: output %zu bytes in %.2f s", v.len, secs);
	ok(v.len > FLOWED_DEPTH_SHOWN + 1 &&
	   memcmp(v.data, big, FLOWED_DEPTH_SHOWN) == 0 &&
	   v.data[FLOWED_DEPTH_SHOWN] == ' ',
	   "at most FLOWED_DEPTH_SHOWN quote marks shown");
	is_str(fl(">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> deep \n"
		  ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> deeper\n", false, 0),
	       ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> deep\n"
	       ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>> deeper\n",
	       "depths beyond the shown maximum are still not joined");
	free(big);
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		diag("C.UTF-8 locale missing; wide characters may be measured as 1");
	buf_init(&v, (size_t)64 << 20);
	test_rfc_examples();
	test_lines();
	test_wrap();
	test_limits();
	buf_release(&v);
	return done_testing();
}
