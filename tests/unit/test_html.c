#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "html.h"
#include "tap.h"
#include "testutil.h"

#define MSG(lit) lit, sizeof(lit) - 1

static struct buf out;
static int last_rc;

/* Converts html with the given width (and 100 links) into out. */
static const char *conv_n(const char *html, size_t len, size_t width)
{
	struct html_options o = { .width = width, .max_links = 100 };
	buf_reset(&out);
	last_rc = html_to_text(html, len, &o, &out);
	return out.data;
}

static const char *conv(const char *html, size_t width)
{
	return conv_n(html, strlen(html), width);
}

/* The longest line of s, in bytes (tests use ASCII there). */
static size_t longest_line(const char *s)
{
	size_t best = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		if (n > best)
			best = n;
		s += n + (nl != NULL);
	}
	return best;
}

/* The layout promises: no blank line first or last, never two in a row,
 * no line ending in a space, a final newline. */
static int well_formed(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return 1;
	return s[0] != '\n' && s[n - 1] == '\n' && (n < 2 || s[n - 2] != '\n') &&
	       strstr(s, "\n\n\n") == NULL && strstr(s, " \n") == NULL;
}

static void test_newsletter(void)
{
	static const char html[] =
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n"
		"<html><head><meta charset=\"utf-8\"><title>Weekly</title>\n"
		"<style>body { color: #333 } .x > p { margin: 0 }</style>\n"
		"<!--[if mso]><xml><o:OfficeDocumentSettings/></xml><![endif]-->\n"
		"</head><body>\n"
		"<div style=\"display:none;max-height:0\">Preheader text&zwnj;&nbsp;"
		"&zwnj;&nbsp;</div>\n"
		"<table width=\"100%\"><tr><td>&nbsp;</td>\n"
		"<td align=center><img src=\"logo.png\" alt=\"ACME Weekly\"></td>\n"
		"<td><a href=\"https://acme.example/view?id=1&amp;u=2\">View in "
		"browser</a></td></tr></table>\n"
		"<table><tr><td>\n"
		"<h1>Spring   sale</h1>\n"
		"<p>Dear reader,<br>\n our <b>spring&nbsp;sale</b> starts "
		"<em>today</em>&mdash;don&rsquo;t miss it!</p>\n"
		"<ul><li><a href=\"https://acme.example/shoes\">Shoes</a> &ndash; "
		"20&nbsp;% off</li>\n"
		"<li><a href=\"https://acme.example/hats\">Hats</a></li></ul>\n"
		"<p><a href=\"https://acme.example/shoes\">Shop shoes now</a></p>\n"
		"</td></tr></table>\n"
		"<hr>\n"
		"<p style=\"font-size:10px\">&copy; 2026 ACME &bull; "
		"<a href=\"mailto:help@acme.example\">help@acme.example</a> &bull; "
		"<a href=\"https://acme.example/unsub\">Unsubscribe</a></p>\n"
		"</body></html>\n";
	is_str(conv_n(MSG(html), 40),
	       "[image: ACME Weekly] | View in\n"
	       "browser[1]\n"
	       "\n"
	       "Spring sale\n"
	       "===========\n"
	       "\n"
	       "Dear reader,\n"
	       "our spring sale starts today\xe2\x80\x94" "don\xe2\x80\x99t miss\n"
	       "it!\n"
	       "\n"
	       "* Shoes[2] \xe2\x80\x93 20 % off\n"
	       "* Hats[3]\n"
	       "\n"
	       "Shop shoes now[2]\n"
	       "\n"
	       "----------------------------------------\n"
	       "\n"
	       "\xc2\xa9 2026 ACME \xe2\x80\xa2 help@acme.example \xe2\x80\xa2\n"
	       "Unsubscribe[4]\n"
	       "\n"
	       "[1] https://acme.example/view?id=1&u=2\n"
	       "[2] https://acme.example/shoes\n"
	       "[3] https://acme.example/hats\n"
	       "[4] https://acme.example/unsub\n",
	       "newsletter: head, hidden preheader and spacer cells dropped, "
	       "heading, list, links numbered once each");
	is_int(last_rc, 0, "newsletter converts");
}

static void test_lists(void)
{
	is_str(conv("<ul><li>one<li>two<ul><li>a<li>b is long enough to wrap "
		    "around</ul><li>three</ul>after", 24),
	       "* one\n"
	       "* two\n"
	       "  - a\n"
	       "  - b is long enough to\n"
	       "    wrap around\n"
	       "* three\n"
	       "\n"
	       "after\n",
	       "nested ul: bullets alternate, wrapped lines indented under the text");
	is_str(conv("<ol start=\"9\"><li>nine<li>ten wraps onto a second line"
		    "<li value=20>twenty<li>next</ol>", 24),
	       "9. nine\n"
	       "10. ten wraps onto a\n"
	       "    second line\n"
	       "20. twenty\n"
	       "21. next\n",
	       "ol: start=, value=, and continuation indent of the marker width");
	is_str(conv("<ol><li>a<ol><li>b<ul><li>c</ul></ol><li>d</ol>", 0),
	       "1. a\n"
	       "   1. b\n"
	       "      * c\n"
	       "2. d\n",
	       "ol inside ol inside ol: each level indented under its parent text");
	is_str(conv("<ol start=-2><li>x<li>y<li>z</ol><ol start=abc><li>q</ol>", 0),
	       "-2. x\n-1. y\n0. z\n\n1. q\n",
	       "negative start counts up; a bad start means 1");
	is_str(conv("<ul><ul><li>x</ul></ul>", 0), "  - x\n",
	       "a list directly inside a list is indented two spaces");
	is_str(conv("<li>stray</li><p>after", 0), "* stray\n\nafter\n",
	       "li outside any list is a bullet item");
	is_str(conv("<ul><li><p>para one</p><p>para two</p></li></ul>", 0),
	       "* para one\n\n  para two\n",
	       "paragraphs inside an item keep the item's indentation");
	is_str(conv("<ul><li><ul><li>x</ul></ul>", 0), "* - x\n",
	       "an item whose first content is a list shows both markers");
	is_str(conv("<ol start=999999999999><li>a<li>b</ol>", 0),
	       "999999999. a\n999999999. b\n", "list numbers are clamped");
}

static void test_quotes(void)
{
	is_str(conv("before<blockquote>quoted<blockquote>deeper</blockquote>"
		    "back<p>para</p></blockquote>out", 0),
	       "before\n\n> quoted\n>\n> > deeper\n>\n> back\n>\n> para\n\nout\n",
	       "blockquote: \"> \" per level, blank lines inside show \">\"");
	is_str(conv("<blockquote>one two three four five six</blockquote>", 12),
	       "> one two\n> three four\n> five six\n",
	       "wrapping counts the quote prefix");
	is_str(conv("<blockquote><ul><li>item</ul></blockquote>", 0),
	       "> * item\n", "a list inside a quote");
	is_str(conv("<blockquote>x</blockquote></blockquote></blockquote>y", 0),
	       "> x\n\ny\n", "extra </blockquote> are ignored");
}

static void test_pre(void)
{
	is_str(conv("text<pre>\n  a  b\n\tt\n\n\nend\n</pre>after", 8),
	       "text\n\n  a  b\n        t\n\n\nend\n\nafter\n",
	       "pre: first newline dropped, spaces and empty lines kept, tab "
	       "expanded, no wrapping");
	is_str(conv("<blockquote><pre>x\n\ny</pre></blockquote>", 0),
	       "> x\n>\n> y\n", "pre lines carry the quote prefix");
	is_str(conv("<pre>a<b>b</b> &lt;c&gt;<br>d\r\ne\rf</pre>", 0),
	       "ab <c>\nd\ne\nf\n",
	       "pre: tags and entities inside, br, CRLF and lone CR end lines");
	is_str(conv("<pre>x</pre><pre>y</pre>", 0), "x\n\ny\n",
	       "pre blocks are separated by one blank line");
	is_str(conv("<pre>\n\n\nx</pre>", 0), "x\n",
	       "no blank lines at the start, even from pre");
	is_str(conv("<pre>x\n \t\n&nbsp;\n</pre>y<pre>&nbsp;</pre>", 0),
	       "x\n\ny\n",
	       "pre: blank lines and spaces at the end are dropped, &nbsp; "
	       "included (found by libFuzzer)");
	is_str(conv("<pre>a&nbsp; &nbsp;b\n&nbsp;\n c</pre>", 0),
	       "a   b\n\n c\n", "pre: &nbsp; inside a line is a space");
}

static void test_entities(void)
{
	is_str(conv("&amp; &lt;&gt;&quot;&apos; &nbsp;x &copy;&reg;&euro;&trade;"
		    "&hellip;&mdash;&ndash;&rsquo;&lsquo;&ldquo;&rdquo;&bull;"
		    "&eacute;&szlig;&Omega;&hearts;&rArr;", 0),
	       "& <>\"'  x \xc2\xa9\xc2\xae\xe2\x82\xac\xe2\x84\xa2"
	       "\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93\xe2\x80\x99\xe2\x80\x98"
	       "\xe2\x80\x9c\xe2\x80\x9d\xe2\x80\xa2"
	       "\xc3\xa9\xc3\x9f\xce\xa9\xe2\x99\xa5\xe2\x87\x92\n",
	       "named entities of HTML 4 (latin1, symbols, special) and apos");
	is_str(conv("&#8212;&#x2014;&#X2014;&#65&#x41;&#0065;", 0),
	       "\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94" "AAA\n",
	       "numeric decimal and hex, with and without ';'");
	is_str(conv("[&#0;][&#xD800;][&#x110000;][&#99999999999999999999;]"
		    "[&#1;][&#x7f;]", 0),
	       "[\xef\xbf\xbd][\xef\xbf\xbd][\xef\xbf\xbd][\xef\xbf\xbd]"
	       "[\xef\xbf\xbd][\xef\xbf\xbd]\n",
	       "NUL, surrogates, beyond U+10FFFF, and controls become U+FFFD");
	is_str(conv("&#128;&#150;&#x81;", 0),
	       "\xe2\x82\xac\xe2\x80\x93\xef\xbf\xbd\n",
	       "0x80..0x9F read as windows-1252, unassigned ones U+FFFD");
	is_str(conv("AT&amp T &lt3 &copy2026 &notit; &amp;amp;", 0),
	       "AT& T <3 \xc2\xa9" "2026 \xc2\xac" "it; &amp;\n",
	       "legacy names without ';' decode (longest match)");
	is_str(conv("&bogus; & &; &# &#x; &mdash &zzz", 0),
	       "&bogus; & &; &# &#x; &mdash &zzz\n",
	       "unknown names, bare '&' and non-legacy names without ';' stay");
	is_str(conv("beauti&shy;ful M&uuml;nster x&#xa0;&#xa0;y", 0),
	       "beautiful M\xc3\xbcnster x  y\n",
	       "soft hyphen dropped, &nbsp; becomes a plain space that does not "
	       "collapse");
	is_str(conv("<a href=\"?a=1&copy=2&amp;b=3&lt=4&lt;\">q</a>", 0),
	       "q[1]\n\n[1] ?a=1&copy=2&b=3&lt=4<\n",
	       "in an attribute, a legacy name before '=' or a letter stays");
	is_str(conv("<img alt=\"a &amp; b\">", 0), "[image: a & b]\n",
	       "entities in alt are decoded");
}

static void test_links(void)
{
	is_str(conv("<a href=\"http://a.example/\">one</a> "
		    "<a href='http://b.example'>two</a> "
		    "<a href=\"http://a.example/\">again</a>", 0),
	       "one[1] two[2] again[1]\n\n[1] http://a.example/\n"
	       "[2] http://b.example\n",
	       "links numbered in order; the same URL keeps its number");
	is_str(conv("<a href=\"https://x.example/\">https://x.example</a> "
		    "<a href=\"http://y.example\">y.example</a> "
		    "<a href=\"mailto:me@z.example\">me@z.example</a>", 0),
	       "https://x.example y.example me@z.example\n",
	       "a link whose text is its URL is not numbered");
	is_str(conv("<a href=\"mailto:me@z.example\">write</a> "
		    "<a href=\"javascript:void(0)\">js</a> "
		    "<a href=\" JavaScript:x\">js2</a> <a href=\"#top\">top</a> "
		    "<a href=\"\">empty</a> <a name=x>anchor</a> "
		    "<a href=\"data:text/html,x\">d</a>", 0),
	       "write[1] js js2 top empty anchor d\n\n[1] mailto:me@z.example\n",
	       "mailto: listed; javascript:, data:, #anchors, empty and missing "
	       "hrefs not");
	is_str(conv("<a href=\"\n  http://e.example/a\n b \">x</a>", 0),
	       "x[1]\n\n[1] http://e.example/a b\n",
	       "href trimmed, newlines and tabs removed");
	is_str(conv("<a href=u1>word </a>next", 0), "word[1] next\n\n[1] u1\n",
	       "the number sticks to the link text, the space stays after it");
	is_str(conv("<a href=u1><img src=x></a>", 0), "[1]\n\n[1] u1\n",
	       "a link with no text still shows its number");
	is_str(conv("<a href=u1><div>Read more</div></a><p>next</p>"
		    "<a href=u2><h1>Title</h1></a>", 0),
	       "Read more[1]\n\nnext\n\nTitle\n=====\n\n[2]\n\n[1] u1\n[2] u2\n",
	       "a link around a block: the number follows the text, not a rule");
	is_str(conv("<a href=u1>a<a href=u2>b</a>", 0),
	       "a[1]b[2]\n\n[1] u1\n[2] u2\n", "a new <a> ends an open one");
	is_str(conv("<a href=u1>open at the end", 0),
	       "open at the end[1]\n\n[1] u1\n", "a link left open is ended");

	struct html_options o = { .width = 0, .max_links = 2 };
	buf_reset(&out);
	ok(html_to_text(MSG("<a href=1>a</a><a href=2>b</a><a href=3>c</a>"
			    "<a href=1>d</a>"), &o, &out) == 0, "max_links run");
	is_str(out.data, "a[1]b[2]cd[1]\n\n[1] 1\n[2] 2\n",
	       "past max_links new URLs get no number, known ones keep theirs");
	o.max_links = 0;
	buf_reset(&out);
	ok(html_to_text(MSG("<a href=1>a</a> b"), &o, &out) == 0, "no links run");
	is_str(out.data, "a b\n", "max_links 0: no numbers, no list");
}

static void test_broken(void)
{
	is_str(conv("<p>unclosed <b>bold <i>it", 0), "unclosed bold it\n",
	       "unclosed elements at the end");
	is_str(conv("a < b, c <3 d, e<>f, g < /h", 0),
	       "a < b, c <3 d, e<>f, g < /h\n",
	       "'<' not starting a tag is literal");
	is_str(conv("x<", 0), "x<\n", "'<' at the very end is literal");
	is_str(conv("text <a href=\"foo>more</a> text", 0), "text\n",
	       "an unclosed quoted value takes the rest of the input");
	is_str(conv("text <b class=x", 0), "text\n",
	       "a tag open at the end is dropped");
	is_str(conv("a<!-- never closed <p>b", 0), "a\n",
	       "an unclosed comment takes the rest");
	is_str(conv("a<!-->b<!--->c<!-- x --!>d<!-- -- -->e", 0), "abcde\n",
	       "short comments and --!> end comments");
	is_str(conv("<p nowrap>x</p><input disabled type=checkbox checked>y", 0),
	       "x\n\ny\n", "attributes without values");
	is_str(conv("<a href=http://e.example/x?y=1>unquoted</a>", 0),
	       "unquoted[1]\n\n[1] http://e.example/x?y=1\n", "unquoted href");
	is_str(conv("<a title='it\"s' href='q'>s</a><a href = \"r\" >t</a>", 0),
	       "s[1]t[2]\n\n[1] q\n[2] r\n",
	       "single quotes, quotes inside quotes, spaces around '='");
	is_str(conv("<P CLASS=x>Upper<BR/>Case</P ><Br>", 0), "Upper\nCase\n",
	       "tag names are case-insensitive, self-closing br");
	is_str(conv("<div/>a<div />b", 0), "a\nb\n", "self-closing non-void tags");
	is_str(conv("a<unknown-tag x=1>b</unknown-tag>c<o:p></o:p>d", 0),
	       "abcd\n", "unknown tags are ignored, their content kept");
	is_str(conv("a</>b</ c>d<? php ?>e<!DOCTYPE html>f<![if !mso]>g<![endif]>h",
		    0), "abdefgh\n", "empty end tag, bogus comments, declarations");
	is_str(conv("<![CDATA[<b> & x]]>y<![CDATA[open", 0), "<b> & xyopen\n",
	       "CDATA content is literal text");
	is_str(conv("<scr<b>ipt>x", 0), "ipt>x\n",
	       "a tag name runs to a blank, '/' or '>' ('<' included)");
	is_str(conv("</p>x</li></ul></ol></td></tr></table></pre></h1>", 0), "x\n",
	       "stray end tags do nothing harmful");
	is_str(conv("a\xff\xfe b\xc3", 0), "a\xff\xfe b\xc3\n",
	       "invalid UTF-8 passes through");
}

static void test_skipped(void)
{
	is_str(conv("<script>if (a<b) document.write(\"</div>\")</script>x"
		    "<SCRIPT type=x>y</SCRIPT >z<style>p{}</style>"
		    "<template><p>t</p></template><noscript>n</noscript>"
		    "<title>T</title><iframe>i</iframe>w", 0),
	       "xzw\n", "script, style, template, noscript, title, iframe skipped");
	is_str(conv("<script>never closed", 0), "", "unclosed script takes the rest");
	is_str(conv("<script></scriptx>y</script>z", 0), "z\n",
	       "a longer name does not end the script");
	is_str(conv("<head><meta x>junk<link y></head>body", 0), "body\n",
	       "text in head dropped");
	is_str(conv("<head><style>x</style><p>no body tag", 0), "no body tag\n",
	       "a body element ends the head");
	is_str(conv("<div hidden>h</div><div style=\"color:red; DISPLAY : none\">"
		    "<div>i</div>j</div>shown<span style=display:none>s</span>!", 0),
	       "shown!\n", "hidden and display:none elements dropped with content");
	is_str(conv("<p style=\"display:none\">pre<p>shown</p>", 0), "shown\n",
	       "a hidden p ends at the next block");
	is_str(conv("<table><tr><td style=\"display:none\"><table><tr><td>m</td>"
		    "</tr></table></td><td>d</td></tr></table>", 0), "d\n",
	       "a hidden cell holding a table ends at its sibling");
	is_str(conv("<ul><li hidden>a<ul><li>b</ul><li>c</ul>", 0), "* c\n",
	       "a hidden item with a nested list ends at its sibling");
	is_str(conv("<img style=\"display:none\" alt=x>y", 0), "y\n",
	       "a hidden image is not shown");
}

static void test_blocks(void)
{
	is_str(conv("\n\n<p>\n\n</p><p>a</p><p></p><p>&nbsp;</p><div></div>"
		    "<p>b</p>\n\n", 0), "a\n\nb\n",
	       "empty paragraphs add nothing; one blank line between blocks");
	is_str(conv("a<br>b<br><br>c<br><br><br><br>d<br>", 0),
	       "a\nb\n\nc\n\nd\n", "br: two make one blank line, never more");
	is_str(conv("<div>a<br></div><div>b</div><div><br></div><div>c</div>", 0),
	       "a\nb\n\nc\n", "a br ending a div adds nothing, a div holding "
	       "only a br is a blank line");
	is_str(conv("<h1>Title</h1><h2>Sub title</h2><h3>Small</h3>text", 0),
	       "Title\n=====\n\nSub title\n---------\n\nSmall\n\ntext\n",
	       "h1 underlined with '=', h2 with '-', h3 plain");
	is_str(conv("<h1>a long heading that wraps</h1>", 12),
	       "a long\nheading that\nwraps\n============\n",
	       "the underline is as wide as the widest heading line");
	is_str(conv("<h1></h1>x", 0), "x\n", "an empty heading leaves nothing");
	is_str(conv("a<hr>b", 10), "a\n----------\nb\n", "hr spans the width");
	is_str(conv("<blockquote><hr></blockquote>", 10), "> --------\n",
	       "hr inside a quote leaves room for the prefix");
	is_str(conv("<ul><li>a<hr><h1>h</h1></ul>", 1),
	       "* a\n  ---\n\n  h\n  =\n",
	       "with no room left, a rule is 3 wide and an underline as the "
	       "heading (found by libFuzzer: they made empty lines)");
	is_str(conv("<hr>", 0),
	       "----------------------------------------------------------------"
	       "------\n", "hr without wrapping is 70 wide");
	is_str(conv("<table><tr><th>Name</th><th>Qty</th></tr>"
		    "<tr><td>apple</td><td>3</td></tr>"
		    "<tr><td></td><td>4</td></tr></table>", 0),
	       "Name | Qty\napple | 3\n4\n",
	       "table rows on lines, cells separated, empty cells skipped");
	is_str(conv("<table><tr><td><p>a</p></td><td><p>b</p></td></tr></table>",
		    0), "a\n\nb\n", "blocks inside cells start their own lines");
	is_str(conv("<table><tr><td>Features<li>a<li>b</td><td>c</td></tr>"
		    "<tr><td><ul><li>d<blockquote>e</td><td>f</table>after", 0),
	       "Features\n* a\n* b\nc\n\n* d\n\n  > e\nf\nafter\n",
	       "lists and quotes left open in a cell end with the cell");
	is_str(conv("<div>x<li>a<li>b</div>y<p>z<li>c</p>w", 0),
	       "x\n* a\n* b\ny\n\nz\n* c\n\nw\n",
	       "a list made up for stray li ends with the block around it");
	is_str(conv("<ul><li>a<div>b</div>c</ul>", 0), "* a\n  b\n  c\n",
	       "a div inside a real list item does not end the list");
	is_str(conv("<dl><dt>term<dd>meaning that is long<dt>t2<dd>d2</dl>x", 16),
	       "term\n    meaning that\n    is long\nt2\n    d2\n\nx\n",
	       "dl: dt on its line, dd indented four");
}

static void test_wrap(void)
{
	is_str(conv("aaa bbb ccc ddd", 7), "aaa bbb\nccc ddd\n",
	       "lines filled up to the width exactly");
	is_str(conv("a https://example.com/a/very/long/url b", 10),
	       "a\nhttps://example.com/a/very/long/url\nb\n",
	       "a word longer than the width is not broken");
	is_str(conv("one\n\t two   three\r\nfour", 0), "one two three four\n",
	       "width 0: blanks collapse, no wrapping");
	is_str(conv("x&nbsp;y&nbsp;z w", 5), "x y z\nw\n",
	       "&nbsp; binds words together");
	is_str(conv("a<b>b</b>c d", 0), "abc d\n",
	       "inline tags do not split words");
	is_str(conv("\xe6\x97\xa5\xe6\x9c\xac \xe6\x97\xa5\xe6\x9c\xac "
		    "\xe6\x97\xa5", 9),
	       "\xe6\x97\xa5\xe6\x9c\xac \xe6\x97\xa5\xe6\x9c\xac\n"
	       "\xe6\x97\xa5\n",
	       "wrapping counts display columns (CJK is two wide)");
	is_str(conv("<ul><ul><ul><ul><ul><ul><ul><ul><ul><ul><ul><li>deep "
		    "words here", 20),
	       "                    * deep words\n"
	       "                      here\n",
	       "a prefix wider than the width still leaves half the width");
}

static void test_limits(void)
{
	struct buf small;
	buf_init(&small, 10);
	struct html_options o = { .width = 0, .max_links = 10 };
	int rc = html_to_text(MSG("<p>hello world, this is longer</p>"), &o, &small);
	is_int(rc, -1, "output past out's maximum returns -1");
	is_int(errno, ENOSPC, "with ENOSPC");
	ok(small.len <= 10, "out holds at most its maximum");
	buf_release(&small);

	buf_init(&small, 32);
	rc = html_to_text(MSG("<a href=http://long.example/aaaaaaaaaaa>x</a>"),
			  &o, &small);
	is_int(rc, -1, "a link list past out's maximum returns -1");
	buf_release(&small);

	buf_reset(&out);
	ok(buf_append_str(&out, "kept\n") == 0, "prefill");
	ok(html_to_text(MSG("<p>x</p>"), &o, &out) == 0, "append run");
	is_str(out.data, "kept\nx\n", "the text is appended to what out holds");

	/* 5 MB of <div><ul><li> nesting: linear time, bounded depth. */
	static const char unit[] = "<div><ul><li>x";
	size_t reps = 5 * 1024 * 1024 / (sizeof(unit) - 1), n = 0;
	char *big = malloc(13 * 1024 * 1024);
	for (size_t i = 0; i < reps; i++, n += sizeof(unit) - 1)
		memcpy(big + n, unit, sizeof(unit) - 1);
	clock_t t0 = clock();
	const char *r = conv_n(big, n, 72);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	is_int(last_rc, 0, "5 MB of nested div/ul converts");
	ok(secs < 20.0, "in bounded time (%.2f s)", secs);
	is_int((long long)longest_line(r), 51,
	       "nesting deeper than %d is flattened", HTML_DEPTH_MAX);
	ok(out.len < 60 * reps, "output stays proportional (%zu bytes)", out.len);

	/* 1M nested blockquotes and 100k links. */
	n = 0;
	for (size_t i = 0; i < 1000000; i++, n += 12)
		memcpy(big + n, "<blockquote>", 12);
	memcpy(big + n, "x", 1);
	r = conv_n(big, n + 1, 0);
	is_int((long long)strlen(r), 2 * HTML_DEPTH_MAX + 2,
	       "a million nested quotes show %d levels", HTML_DEPTH_MAX);
	n = 0;
	for (size_t i = 0; i < 100000; i++)
		n += (size_t)snprintf(big + n, 64, "<a href=\"u%zu\">t</a> ", i % 5000);
	struct html_options many = { .width = 72, .max_links = HTML_LINKS_MAX };
	buf_reset(&out);
	t0 = clock();
	is_int(html_to_text(big, n, &many, &out), 0, "100k links convert");
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(strstr(out.data, "\n[5000] u4999\n") != NULL &&
	   strstr(out.data, "[5001]") == NULL,
	   "5000 distinct URLs numbered once each (%.2f s)", secs);
	free(big);
}

/* Every prefix of a document converts without trouble. */
static void test_truncation(void)
{
	static const char html[] =
		"<html><head><title>t</title></head><body><h1>H &amp; h</h1>"
		"<!-- c --><ul><li><a href=\"u?a=1&amp;b\">l</a><li>&#x41;&nbsp;"
		"<pre>p\n q</pre></ul><blockquote>q<table><tr><td>c</td><td>"
		"<img alt='i'></td></tr></table></blockquote><![CDATA[x]]>"
		"<script>s</script>&copy</body></html>";
	int bad = 0;
	for (size_t n = 0; n <= sizeof(html) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, html, n);
		const char *r = conv_n(copy, n, 20);
		if (last_rc != 0 || !well_formed(r)) {
			bad++;
			diag("prefix %zu gave rc %d: \"%s\"", n, last_rc, r);
		}
		free(copy);
	}
	is_int(bad, 0, "every prefix of a document converts to well-formed text");
}

/* ---------------------------------------------------------- real mail */

static char *read_data(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", top && *top ? top : ".", rel);
	return strdup(tu_read(path));
}

/* The body after the first empty line (LF or CRLF). */
static const char *body_of(const char *msg)
{
	const char *lf = strstr(msg, "\n\n"), *crlf = strstr(msg, "\r\n\r\n");
	if (crlf != NULL && (lf == NULL || crlf < lf))
		return crlf + 4;
	return lf ? lf + 2 : "";
}

static void test_demo_gazette(void)
{
	char *mbox = read_data("data/demo.mbox");
	const char *start = strstr(mbox, "Subject: The Example Gazette");
	start = start ? strstr(start, "<!DOCTYPE html>") : NULL;
	const char *end = start ? strstr(start, "</html>\n") : NULL;
	ok(end != NULL, "demo.mbox has the Gazette (message 13)");
	if (end == NULL) {
		free(mbox);
		return;
	}
	const char *r = conv_n(start, (size_t)(end - start) + 8, 72);
	is_str(r,
	       "The Example Gazette\n"
	       "===================\n"
	       "\n"
	       "Issue 12 \xe2\x80\x94 January 2026\n"
	       "\n"
	       "In this issue\n"
	       "-------------\n"
	       "\n"
	       "* Terminal tools that are worth learning this year\n"
	       "* Readers' corner: why plain text email still matters\n"
	       "* Events & meetups in February\n"
	       "\n"
	       "Terminal tools worth learning\n"
	       "-----------------------------\n"
	       "\n"
	       "Our readers picked their favourite command-line programs. Mail readers\n"
	       "came in third, right after editors and shells. The full list, with short\n"
	       "reviews, is on our website[1].\n"
	       "\n"
	       "Events & meetups\n"
	       "----------------\n"
	       "\n"
	       "1. 14 February: Plain Text Day, Example City Library\n"
	       "2. 21 February: Keyboard-only workshop (beginners welcome)\n"
	       "\n"
	       "------------------------------------------------------------------------\n"
	       "\n"
	       "You receive this because you subscribed at example.com. Unsubscribe[2]\n"
	       "at any time.\n"
	       "\n"
	       "[1] https://www.example.com/gazette/2026-01/tools\n"
	       "[2] https://www.example.com/gazette/unsubscribe?u=demo\n",
	       "demo message 13, The Example Gazette, at 72 columns");
	free(mbox);
}

static void test_corpus(void)
{
	char *m = read_data("tests/data/html/html-entities-and-styles.eml");
	is_str(conv(body_of(m), 72),
	       "I am traveling to M\xc3\xbcnster for work.\n"
	       "\n"
	       "I need to call AT&T because my phone is broken. A < B.\n"
	       "\n"
	       "The weather is beautiful, and I am meeting my "
	       "co\xe2\x80\x8cworker.\n"
	       "\n"
	       "Don't miss the Sale Today!\n",
	       "thunderbird html-entities-and-styles: style and script dropped");
	free(m);

	m = read_data("tests/data/html/HTML-with-split-tag1.eml");
	is_str(conv(body_of(m), 72),
	       "HTML part. Now comes the tag ShouldFindThisAgain The following should\n"
	       "*not* be found: ShouldNotFind AcrossLines ShouldFind AcrossLines[1]\n"
	       "\n"
	       "[1] ShouldntFindHref\n",
	       "thunderbird HTML-with-split-tag1: attributes across lines hidden");
	free(m);

	m = read_data("tests/data/html/dark_mode_test.eml");
	const char *r = conv(body_of(m), 72);
	ok(strncmp(r, "Red background on blue text\n\nSimple text\n\n", 42) == 0,
	   "thunderbird dark_mode_test: CRLF body, title and style dropped");
	ok(strstr(r, "Black color\nTable row\nTable row with white background\n"
		     "Link[1] Button link 1\n") != NULL,
	   "dark_mode_test: tables and inline link");
	ok(strstr(r, "color") == NULL || strstr(r, "dark-text") == NULL,
	   "dark_mode_test: no CSS in the text");
	ok(strstr(r, "\n\n[1] https://example.com\n") != NULL,
	   "dark_mode_test: link list");
	is_int((long long)longest_line(r), 72, "dark_mode_test: wrapped at 72");
	ok(well_formed(r), "dark_mode_test: well-formed layout");
	free(m);

	m = read_data("tests/data/html/mimekit-gmail.msg");
	const char *h = strstr(m, "Content-Type: text/html");
	h = h ? body_of(h) : "";
	const char *e = strstr(h, "\n--");
	is_str(conv_n(h, e ? (size_t)(e - h) : 0, 72),
	       "This is the message body.\n\nJeff\n",
	       "mimekit gmail.msg: Gmail's div/br blank line");
	free(m);
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		diag("C.UTF-8 locale missing; wide characters measured as 1");
	buf_init(&out, (size_t)256 * 1024 * 1024);
	test_newsletter();
	test_lists();
	test_quotes();
	test_pre();
	test_entities();
	test_links();
	test_broken();
	test_skipped();
	test_blocks();
	test_wrap();
	test_limits();
	test_truncation();
	test_demo_gazette();
	test_corpus();
	buf_release(&out);
	return done_testing();
}
