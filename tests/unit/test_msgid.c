#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "tap.h"

/* All ids of value, joined with '|'. */
static const char *ids(const char *value)
{
	static char out[8192];
	char id[MSGID_MAX + 1];
	size_t len, n = 0;
	struct msgid_iter it;
	msgid_iter_init(&it, value, strlen(value));
	out[0] = '\0';
	while (msgid_iter_next(&it, id, &len)) {
		if (strlen(id) != len)
			return "(length mismatch)";
		if (n + len + 2 > sizeof(out))
			return "(overflow)";
		if (n > 0)
			out[n++] = '|';
		memcpy(out + n, id, len + 1);
		n += len;
	}
	return out;
}

static void test_bracketed(void)
{
	is_str(ids("<a@b>"), "a@b", "one bracketed id, brackets removed");
	is_str(ids("  <a@b>\r\n\t<c@d>"), "a@b|c@d", "ids separated by folding");
	is_str(ids("<a@b>junk, more junk <c@d> trailing"), "a@b|c@d",
	       "junk between and after ids is skipped");
	is_str(ids("(see <x@y>) <a@b>"), "a@b", "an id inside a comment is not one");
	is_str(ids("((nested <x@y>) \\) still) <a@b>"), "a@b",
	       "nested comments and quoted-pairs in comments are skipped");
	is_str(ids("\"Joe <x@y>\" <a@b>"), "a@b",
	       "an id inside a quoted string is not one");
	is_str(ids("<a@\r\n b.example>"), "a@b.example", "whitespace inside an id is dropped");
	is_str(ids("<\"abc\"@x>"), "abc@x", "quotes inside an id are removed (RFC 5256)");
	is_str(ids("<\"a\\\"b\"@x>"), "a\"b@x", "quoted-pairs inside quotes are resolved");
	is_str(ids("<a@b <c@d>"), "a@b|c@d", "a '<' ends an id that lacks its '>'");
	is_str(ids("<a@b"), "a@b", "an unterminated id ends at the end of the value");
	is_str(ids("<> <a@b>"), "a@b", "an empty id is skipped");
	is_str(ids("<A@B> <a@b>"), "A@B|a@b", "case is kept (ids compare exactly)");
	is_str(ids("(unterminated <x@y>"), "", "an unterminated comment swallows the rest");
	is_str(ids("<id@x> (from Joe <joe@x>)"), "id@x",
	       "In-Reply-To with a commented address yields the id only");
	is_str(ids("Your message of Mon, 1 Jan 2001 <id@x>"), "id@x",
	       "In-Reply-To with prose before the id");
	is_str(ids("<a\001b@x>"), "ab@x", "control bytes inside an id are dropped");
	is_str(ids("<a@b>>c@d"), "a@b", "bare words are ignored when bracketed ids exist");
}

static void test_bare(void)
{
	is_str(ids("a@b"), "a@b", "a bare id without brackets");
	is_str(ids("a@b c@d"), "a@b|c@d", "several bare ids");
	is_str(ids("a@b,c@d; e@f"), "a@b|c@d|e@f", "commas and semicolons separate bare ids");
	is_str(ids("message from joe of monday"), "", "words without '@' are no ids");
	is_str(ids("see a@b (not x@y) \"nor z@w\""), "a@b",
	       "comments and quoted strings are skipped in bare mode");
	is_str(ids("(comment with <x@y>) a@b"), "a@b",
	       "a '<' inside a comment does not switch off bare mode");
	is_str(ids(""), "", "an empty value has no ids");
}

static void test_limits(void)
{
	char id[MSGID_MAX + 1], value[2 * MSGID_MAX + 64];
	size_t len = 0;

	memset(value, 0, sizeof(value));
	value[0] = '<';
	memset(value + 1, 'x', MSGID_MAX - 2);
	memcpy(value + MSGID_MAX - 1, "@y>", 4);
	is_int(msgid_first(value, id, &len), 1, "an id of exactly MSGID_MAX bytes is kept");
	is_int((long long)len, MSGID_MAX, "its length is MSGID_MAX");

	value[0] = '<';
	memset(value + 1, 'x', MSGID_MAX - 1);
	memcpy(value + MSGID_MAX, "@y> <ok@z>", 11);
	is_int(msgid_first(value, id, &len), 1, "an id over MSGID_MAX bytes ...");
	is_str(id, "ok@z", "... is skipped, and the next one found");

	memset(value, 'x', MSGID_MAX + 1);
	memcpy(value + MSGID_MAX + 1, "@y", 3);
	is_str(ids(value), "", "a bare id over MSGID_MAX bytes is skipped");
	is_int(msgid_first(NULL, id, &len), 0, "a NULL value has no id");
}

static void test_prefixes(void)
{
	/* Every prefix of a value, in a buffer of exactly its size: the
	 * iterator never reads past the end, and finds no more ids than in
	 * the whole value. */
	static const char v[] = "(c <x@y>) \"q\\\"<z@w>\" <a@\"b\\\"c\" d> <e@f";
	int bad = 0;
	for (size_t n = 0; n <= sizeof(v) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		char id[MSGID_MAX + 1];
		size_t len, count = 0;
		struct msgid_iter it;
		memcpy(copy, v, n);
		msgid_iter_init(&it, copy, n);
		while (msgid_iter_next(&it, id, &len))
			count++;
		if (count > 2)
			bad++;
		free(copy);
	}
	is_int(bad, 0, "truncated values are read within bounds");
	is_str(ids(v), "a@b\"cd|e@f", "the whole tricky value yields its two ids");
}

int main(void)
{
	test_bracketed();
	test_bare();
	test_limits();
	test_prefixes();
	return done_testing();
}
