/* keywords.h: lists of keywords split on blanks, compared ignoring ASCII
 * case, and what an edit of one adds and removes. */
#include "config.h"

#include <string.h>

#include "keywords.h"
#include "tap.h"

/* The words of list as "[a][b]". */
static const char *words(const char *list)
{
	static char out[256];
	size_t at = 0, len;
	const char *p = list, *w;
	out[0] = '\0';
	while ((w = keywords_next(&p, &len)) != NULL && at + len + 3 < sizeof(out)) {
		out[at++] = '[';
		memcpy(out + at, w, len);
		at += len;
		out[at++] = ']';
		out[at] = '\0';
	}
	return out;
}

static void test_next(void)
{
	is_str(words(NULL), "", "NULL has no words");
	is_str(words(""), "", "\"\" has no words");
	is_str(words(" \t "), "", "blanks alone have no words");
	is_str(words("a"), "[a]", "one word");
	is_str(words("  $Junk\twork  todo "), "[$Junk][work][todo]",
	       "words split on spaces and tabs, blanks around ignored");
}

static void test_has(void)
{
	ok(keywords_has("work $Junk", "$junk", 5), "has: case does not matter");
	ok(keywords_has("work $Junk", "work", 4), "has: the first word");
	ok(!keywords_has("workday", "work", 4), "has: a prefix is not the word");
	ok(!keywords_has("work", "workday", 7), "has: a longer word is not there");
	ok(!keywords_has(NULL, "x", 1), "has: NULL has nothing");
}

static void test_diff_apply(void)
{
	struct buf add, remove, out;
	buf_init(&add, 1024);
	buf_init(&remove, 1024);
	buf_init(&out, 1024);
	ok(keywords_diff("work keep", "keep  todo TODO", &add, &remove) == 0, "diff succeeds");
	is_str(add.data, "todo", "diff: the new word, once");
	is_str(remove.data, "work", "diff: the word taken out");
	ok(keywords_diff("Work", "work", &add, &remove) == 0 && add.len == 0 && remove.len == 0,
	   "diff: a change of case alone is no change (IMAP flags ignore case)");
	ok(keywords_diff(NULL, "a b", &add, &remove) == 0 && strcmp(add.data, "a b") == 0 &&
	   remove.len == 0, "diff from none: all added");
	ok(keywords_diff("a b", "", &add, &remove) == 0 && add.len == 0 &&
	   strcmp(remove.data, "a b") == 0, "diff to none: all removed");

	ok(keywords_apply("keep work other", "todo keep", "WORK", &out) == 0, "apply succeeds");
	is_str(out.data, "keep other todo", "apply: removed ones go, new ones come at the end");
	ok(keywords_apply(NULL, NULL, NULL, &out) == 0 && out.len == 0, "apply on nothing");
	ok(keywords_apply("a", "b", "b", &out) == 0 && strcmp(out.data, "a b") == 0,
	   "apply: a word both added and removed ends added");

	buf_reset(&out);
	ok(keywords_normalise("x  X y\tx", &out) == 0, "normalise succeeds");
	is_str(out.data, "x y", "normalise: each word once, one space between");
	struct buf tiny;
	buf_init(&tiny, 5);
	is_int(keywords_normalise("abc defg", &tiny), -1, "normalise past the maximum fails");
	is_str(tiny.data, "abc", "and keeps whole words only");
	buf_release(&tiny);
	buf_release(&add);
	buf_release(&remove);
	buf_release(&out);
}

int main(void)
{
	test_next();
	test_has();
	test_diff_apply();
	return done_testing();
}
