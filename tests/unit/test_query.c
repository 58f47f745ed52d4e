#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "query.h"
#include "tap.h"

/* Parses q and returns its canonical form, or "error: MESSAGE".  The
 * result lives in a static buffer until the next call. */
static struct buf out;

static const char *canon_n(const char *q, size_t len)
{
	struct query_node *root = NULL;
	struct err e;
	err_init(&e);
	buf_release(&out);
	buf_init(&out, (size_t)1 << 20);
	if (query_parse(q, len, &root, &e) < 0) {
		if (root != NULL)
			return "error: root set on failure";
		buf_cut_ok(buf_printf(&out, "error: %s", e.msg));
		return out.data;
	}
	if (query_to_string(root, &out) < 0)
		buf_cut_ok(buf_append_str(&out, " (truncated)"));
	query_free(&root);
	return out.data;
}

static const char *canon(const char *q)
{
	return canon_n(q, strlen(q));
}

static const struct {
	const char *query, *want, *what;
} cases[] = {
	/* words, AND, OR, precedence */
	{ "alice", "alice", "one bare word" },
	{ "  alice\t\n", "alice", "blanks around a word are ignored" },
	{ "alice bob", "alice bob", "implicit AND of two words" },
	{ "a b c", "a b c", "implicit AND chains to the left" },
	{ "a AND b", "a b", "explicit AND is the same as implicit" },
	{ "a OR b", "a OR b", "OR of two words" },
	{ "a b OR c", "a b OR c", "AND binds tighter than OR (left)" },
	{ "a OR b c", "a OR b c", "AND binds tighter than OR (right)" },
	{ "a OR b OR c", "a OR b OR c", "OR chains to the left" },
	{ "a OR (b OR c)", "a OR (b OR c)", "right-nested OR keeps its parentheses" },
	{ "(a OR b) c", "(a OR b) c", "parenthesised OR inside AND" },
	{ "a (b OR c)", "a (b OR c)", "OR on the right of AND" },
	{ "a (b c)", "a (b c)", "right-nested AND keeps its parentheses" },
	{ "((a))", "a", "redundant parentheses vanish" },
	{ "(a b) c", "a b c", "left-nested AND needs no parentheses" },
	{ "a or b", "a or b", "lower-case or is a word" },
	{ "a and not b", "a and not b", "lower-case and/not are words" },
	/* negation */
	{ "NOT a", "-a", "NOT keyword" },
	{ "-a b", "-a b", "minus binds to one term" },
	{ "NOT a b", "-a b", "NOT binds tighter than AND" },
	{ "-(a OR b)", "-(a OR b)", "negated group" },
	{ "NOT NOT a", "--a", "double negation is kept" },
	{ "-a OR -b", "-a OR -b", "negations on both sides of OR" },
	{ "a-b", "a-b", "a dash inside a word is part of it" },
	{ "-\"x y\"", "-\"x y\"", "negated phrase" },
	/* phrases */
	{ "\"hello world\"", "\"hello world\"", "phrase with a space" },
	{ "\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\"", "escaped quotes in a phrase" },
	{ "\"back\\\\slash\"", "\"back\\\\slash\"", "escaped backslash in a phrase" },
	{ "\"OR\"", "\"OR\"", "quoted OR is a phrase, not a keyword" },
	{ "\"foo:bar\"", "\"foo:bar\"", "quoted unknown field is text" },
	{ "a\"b c\"", "a \"b c\"", "a quote ends a word" },
	/* fields */
	{ "from:alice", "from:alice", "from: with a word" },
	{ "FROM:alice", "from:alice", "field names ignore case" },
	{ "from:\"Alice Smith\"", "from:\"Alice Smith\"", "from: with a phrase" },
	{ "to:bob cc:carol", "to:bob cc:carol", "to: and cc:" },
	{ "subject:report body:\"q3 figures\"", "subject:report body:\"q3 figures\"",
	  "subject: and body:" },
	{ "from:a:b", "from:a:b", "a value may contain ':'" },
	{ "from:-x", "from:-x", "a value may start with '-'" },
	{ "from:OR", "from:OR", "a value may be OR" },
	{ "12:30", "12:30", "digits before ':' are no field" },
	{ "is:unread is:READ", "is:unread is:read", "is: values ignore case" },
	{ "is:flagged is:answered is:deleted", "is:flagged is:answered is:deleted",
	  "all is: values" },
	{ "has:Attachment", "has:attachment", "has:attachment" },
	/* dates */
	{ "before:2026-01-05", "before:2026-01-05", "before: date" },
	{ "after:2026-01-05", "after:2026-01-05", "after: date round-trips" },
	{ "on:2024-02-29", "on:2024-02-29", "leap day 2024 is valid" },
	{ "on:2000-02-29", "on:2000-02-29", "leap day 2000 is valid" },
	{ "after:9999-12-31", "after:9999-12-31", "last representable day" },
	{ "before:2026-02-29", "error: query: invalid date '2026-02-29' at column 1 (want a real date as YYYY-MM-DD)",
	  "2026 has no 29 February" },
	{ "x on:1900-02-29", "error: query: invalid date '1900-02-29' at column 3 (want a real date as YYYY-MM-DD)",
	  "1900 is no leap year" },
	{ "after:2026-13-01", "error: query: invalid date '2026-13-01' at column 1 (want a real date as YYYY-MM-DD)",
	  "month 13" },
	{ "on:2026-1-5", "error: query: invalid date '2026-1-5' at column 1 (want a real date as YYYY-MM-DD)",
	  "date without zero padding" },
	{ "on:2026-04-31", "error: query: invalid date '2026-04-31' at column 1 (want a real date as YYYY-MM-DD)",
	  "31 April" },
	/* sizes */
	{ "larger:500", "larger:500", "size in bytes" },
	{ "larger:10k", "larger:10240", "k is 1024" },
	{ "smaller:2M", "smaller:2097152", "M is 1024*1024" },
	{ "larger:1g", "larger:1073741824", "g is 1024^3, either case" },
	{ "larger:10x", "error: query: invalid size '10x' at column 1 (want a number with an optional k, M or G)",
	  "bad size suffix" },
	{ "larger:k", "error: query: invalid size 'k' at column 1 (want a number with an optional k, M or G)",
	  "size without digits" },
	{ "smaller:-5", "error: query: invalid size '-5' at column 1 (want a number with an optional k, M or G)",
	  "negative size" },
	{ "larger:999999999999999G", "error: query: invalid size '999999999999999G' at column 1 (want a number with an optional k, M or G)",
	  "size overflowing 63 bits" },
	{ "smaller:001931207956G", "smaller:2073618753198751744",
	  "large size in bytes (found by libFuzzer: must parse back)" },
	{ "larger:9223372036854775807", "larger:9223372036854775807", "largest size" },
	{ "larger:9223372036854775808", "error: query: invalid size '9223372036854775808' at column 1 (want a number with an optional k, M or G)",
	  "size past 2^63-1" },
	/* UTF-8 */
	{ "Grüße", "Grüße", "UTF-8 word" },
	{ "subject:日本 OR Grüße", "subject:日本 OR Grüße", "UTF-8 in a field value" },
	{ "\"日本 語\"", "\"日本 語\"", "UTF-8 phrase" },
	/* mixed */
	{ "from:alice -is:unread (subject:report OR has:attachment) after:2026-01-01 larger:1M",
	  "from:alice -is:unread (subject:report OR has:attachment) after:2026-01-01 larger:1048576",
	  "a query using most of the language" },
	/* errors */
	{ "", "error: query: empty query", "empty query" },
	{ " \t ", "error: query: empty query", "blank query" },
	{ "a )", "error: query: unexpected ')' at column 3", "unbalanced ')'" },
	{ "(a OR b))", "error: query: unexpected ')' at column 9", "one ')' too many" },
	{ "Grüße )", "error: query: unexpected ')' at column 7", "column counts characters, not bytes" },
	{ "x (a", "error: query: '(' at column 3 is never closed", "unclosed '('" },
	{ "(", "error: query: '(' at column 1 is never closed", "lone '('" },
	{ "a ()", "error: query: empty parentheses at column 3", "empty parentheses" },
	{ "a OR", "error: query: nothing after 'OR' at column 3", "dangling OR" },
	{ "OR a", "error: query: unexpected 'OR' at column 1", "leading OR" },
	{ "a OR OR b", "error: query: unexpected 'OR' at column 6", "OR OR" },
	{ "a (OR b)", "error: query: unexpected 'OR' at column 4", "OR after '('" },
	{ "a AND", "error: query: nothing after 'AND' at column 3", "dangling AND" },
	{ "a NOT", "error: query: nothing after 'NOT' at column 3", "dangling NOT" },
	{ "NOT OR a", "error: query: unexpected 'OR' at column 5", "NOT before OR" },
	{ "a -", "error: query: nothing after '-' at column 3", "dangling minus" },
	{ "- a", "error: query: nothing after '-' at column 1", "minus before a blank" },
	{ "(a -)", "error: query: nothing after '-' at column 4", "minus before ')'" },
	{ "x foo:bar", "error: query: unknown field 'foo:' at column 3 (quote it to search for it)",
	  "unknown field" },
	{ "from:", "error: query: empty value for 'from:' at column 1", "empty field value" },
	{ "from: alice", "error: query: empty value for 'from:' at column 1", "blank after field" },
	{ "from:\"\"", "error: query: empty phrase at column 6", "empty phrase as value" },
	{ "is:new", "error: query: unknown value 'is:new' at column 1 (want unread, read, flagged, answered or deleted)",
	  "bad is: value" },
	{ "has:pdf", "error: query: unknown value 'has:pdf' at column 1 (want attachment)",
	  "bad has: value" },
	{ "a \"open", "error: query: unterminated phrase at column 3", "unterminated phrase" },
	{ "\"a\\", "error: query: unterminated phrase at column 1", "phrase ending in a backslash" },
	{ "\"\"", "error: query: empty phrase at column 1", "empty phrase" },
	{ "\"a\\nb\"", "error: query: bad escape in phrase at column 3 (only \\\" and \\\\)",
	  "unknown escape" },
	{ "a\x01" "b", "error: query: control character U+0001 at column 2", "control character" },
	{ "a\xc2\x85", "error: query: control character U+0085 at column 2", "C1 control" },
	{ "a\xff" "b", "error: query: invalid UTF-8 at column 2", "invalid UTF-8 in a word" },
	{ "\"a\xc3\"", "error: query: invalid UTF-8 at column 3", "invalid UTF-8 in a phrase" },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static void test_table(void)
{
	for (size_t i = 0; i < N_CASES; i++)
		is_str(canon(cases[i].query), cases[i].want, "%s: %s", cases[i].what,
		       cases[i].query);
}

/* The canonical form parses back to itself. */
static void test_round_trip(void)
{
	int bad = 0;
	for (size_t i = 0; i < N_CASES; i++) {
		char *once = xstrdup(canon(cases[i].query));
		if (strncmp(once, "error: ", 7) != 0 && strcmp(canon(once), once) != 0) {
			diag("%s -> %s -> %s", cases[i].query, once, canon(once));
			bad++;
		}
		free(once);
	}
	is_int(bad, 0, "every canonical form parses back to itself");
}

static struct query_node *parse_ok(const char *q)
{
	struct query_node *root = NULL;
	struct err e;
	err_init(&e);
	if (query_parse(q, strlen(q), &root, &e) < 0)
		diag("%s: %s", q, e.msg);
	return root;
}

static void test_tree(void)
{
	struct query_node *r = parse_ok("a b OR c");
	ok(r && r->kind == QUERY_OR && r->a->kind == QUERY_AND &&
	   r->b->kind == QUERY_TEXT && strcmp(r->b->text, "c") == 0,
	   "a b OR c is (a AND b) OR c");
	query_free(&r);
	ok(r == NULL, "query_free sets the pointer to NULL");

	r = parse_ok("NOT a b");
	ok(r && r->kind == QUERY_AND && r->a->kind == QUERY_NOT &&
	   r->a->a->kind == QUERY_TEXT && r->a->b == NULL,
	   "NOT a b is (NOT a) AND b");
	query_free(&r);

	r = parse_ok("after:2026-01-05");
	is_int(r ? r->value : -1, 1767657600, "after:D is >= the start of D+1");
	query_free(&r);
	r = parse_ok("before:1970-01-01");
	ok(r && r->kind == QUERY_DATE_BEFORE && r->value == 0, "before:D is < the start of D");
	query_free(&r);
	r = parse_ok("on:2024-02-29");
	ok(r && r->kind == QUERY_DATE_ON && r->value == 1709164800, "on:D holds the start of D");
	query_free(&r);
	r = parse_ok("larger:2k");
	ok(r && r->kind == QUERY_LARGER && r->value == 2048, "larger: value in bytes");
	query_free(&r);

	r = parse_ok("is:answered");
	ok(r && r->kind == QUERY_FLAG && r->flag == QUERY_FLAG_ANSWERED, "is:answered flag");
	query_free(&r);
	r = parse_ok("to:\"x y\"");
	ok(r && r->kind == QUERY_TO && r->phrase && strcmp(r->text, "x y") == 0,
	   "to: phrase text and flag");
	query_free(&r);
	r = parse_ok("cc:x");
	ok(r && r->kind == QUERY_CC && !r->phrase && strcmp(r->text, "x") == 0,
	   "cc: word is no phrase");
	query_free(&r);
	r = parse_ok("\"say \\\"hi\\\" \\\\\"");
	ok(r && strcmp(r->text, "say \"hi\" \\") == 0, "escapes are removed from phrase text");
	query_free(&r);
}

static char *repeat(const char *pre, size_t n, const char *mid, const char *post,
		    size_t *len_r)
{
	size_t pl = strlen(pre), ml = strlen(mid), ql = strlen(post);
	char *s = xmalloc(n * (pl + ql) + ml + 1), *w = s;
	for (size_t i = 0; i < n; i++, w += pl)
		memcpy(w, pre, pl);
	memcpy(w, mid, ml), w += ml;
	for (size_t i = 0; i < n; i++, w += ql)
		memcpy(w, post, ql);
	*w = '\0';
	*len_r = (size_t)(w - s);
	return s;
}

static int err_code_of(const char *q, size_t len)
{
	struct query_node *root = NULL;
	struct err e;
	err_init(&e);
	int rc = query_parse(q, len, &root, &e);
	query_free(&root);
	return rc < 0 ? (int)e.code : 0;
}

static void test_limits(void)
{
	size_t len;
	char *q = repeat("(", 100, "a", ")", &len);
	is_str(canon_n(q, len), "a", "100 nested parentheses are allowed");
	free(q);
	q = repeat("(", 101, "a", ")", &len);
	is_str(canon_n(q, len), "error: query: nesting deeper than 100 at column 101",
	       "101 nested parentheses are refused");
	is_int(err_code_of(q, len), ERR_LIMIT, "nesting error is ERR_LIMIT");
	free(q);
	q = repeat("(", 10000, "a", ")", &len);
	is_str(canon_n(q, len), "error: query: nesting deeper than 100 at column 101",
	       "10,000 nested parentheses: an error, no crash");
	free(q);
	q = repeat("-", 10000, "a", "", &len);
	is_str(canon_n(q, len), "error: query: nesting deeper than 100 at column 101",
	       "10,000 minus signs: an error, no crash");
	free(q);
	q = repeat("NOT (", 60, "a", ")", &len);
	is_str(canon_n(q, len), "error: query: nesting deeper than 100 at column 251",
	       "NOT and '(' count together toward the depth");
	free(q);

	q = repeat("a ", 1000, "", "", &len);
	ok(strncmp(canon_n(q, len), "a a a ", 6) == 0, "1000 terms are allowed");
	free(q);
	q = repeat("a ", 1001, "", "", &len);
	is_str(canon_n(q, len), "error: query: more than 1000 terms at column 2001",
	       "1001 terms are refused");
	free(q);

	q = xmalloc(QUERY_MAX_LEN + 1);
	memset(q, 'x', QUERY_MAX_LEN + 1);
	q[0] = q[QUERY_MAX_LEN - 1] = '"';
	is_int((long long)strlen(canon_n(q, QUERY_MAX_LEN)), QUERY_MAX_LEN,
	       "a query of exactly the maximum length parses");
	is_str(canon_n(q, QUERY_MAX_LEN + 1), "error: query: longer than 65536 bytes",
	       "a query past the maximum length is refused");
	free(q);
}

/* Every prefix, in a buffer of exactly its size, parses or fails cleanly. */
static void test_prefixes(void)
{
	static const char q[] = "from:\"A \\\"B\\\"\" -(is:unread OR larger:10k) "
				"NOT on:2024-02-29 Grüße subject:日本";
	int bad = 0;
	for (size_t n = 0; n < sizeof(q); n++) {
		char *copy = xmalloc(n ? n : 1);
		memcpy(copy, q, n);
		const char *got = canon_n(copy, n);
		if (got[0] == '\0')
			bad++;
		free(copy);
	}
	is_int(bad, 0, "every prefix parses or gives an error message");
	is_str(canon_n(q, sizeof(q) - 1),
	       "from:\"A \\\"B\\\"\" -(is:unread OR larger:10240) -on:2024-02-29 Grüße subject:日本",
	       "the whole query parses");
}

static void test_to_string_limit(void)
{
	struct query_node *r = parse_ok("subject:abcdef");
	struct buf small;
	buf_init(&small, 8);
	is_int(query_to_string(r, &small), -1, "to_string reports a full buffer");
	buf_release(&small);
	query_free(&r);
}

int main(void)
{
	test_table();
	test_round_trip();
	test_tree();
	test_limits();
	test_prefixes();
	test_to_string_limit();
	buf_release(&out);
	return done_testing();
}
