/* Tests for src/mime/address.c.  The RFC 5322 Appendix A examples are
 * from the RFC; values marked "corpus" are field values found in
 * /work/shared/corpus (ruby-mail MIT, thunderbird MPL-2.0, crymap GPL-3.0,
 * mailkit MIT, stalwart Apache-2.0/MIT), unfolded. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "buf.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

static struct mime_address_list l;

/* Parses into the shared list, releasing what it held. */
static int parse(const char *v, size_t len)
{
	mime_address_list_release(&l);
	return mime_address_parse(v, len, 0, &l);
}

static int parse_max(const char *v, size_t len, size_t max)
{
	mime_address_list_release(&l);
	return mime_address_parse(v, len, max, &l);
}

/* Checks entry k's name and address. */
static void is_addr(size_t k, const char *name, const char *address, const char *what)
{
	if (k >= l.n) {
		ok(0, "%s: entry %zu exists", what, k);
		diag("only %zu entries", l.n);
		return;
	}
	is_str(l.list[k].name, name, "%s: name", what);
	is_str(l.list[k].address, address, "%s: address", what);
}

static void test_rfc5322_a1(void)
{
	parse(S("John Doe <jdoe@machine.example>"));
	is_int((long long)l.n, 1, "A.1.1 one mailbox");
	is_addr(0, "John Doe", "jdoe@machine.example", "A.1.1 name-addr");
	ok(l.list[0].group == NULL, "A.1.1 not in a group");

	parse(S("\"Joe Q. Public\" <john.q.public@example.com>"));
	is_addr(0, "Joe Q. Public", "john.q.public@example.com", "A.1.2 quoted name");

	parse(S("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"));
	is_int((long long)l.n, 3, "A.1.2 three mailboxes");
	is_addr(0, "Mary Smith", "mary@x.test", "A.1.2 first");
	is_addr(1, "", "jdoe@example.org", "A.1.2 bare addr-spec");
	is_addr(2, "Who?", "one@y.test", "A.1.2 name with '?'");

	parse(S("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"));
	is_int((long long)l.n, 2, "A.1.2 Cc two mailboxes");
	is_addr(0, "", "boss@nil.test", "A.1.2 angle without name");
	is_addr(1, "Giant; \"Big\" Box", "sysservices@example.net",
		"A.1.2 quoted name with ';' and quoted-pairs");

	parse(S("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"));
	is_int((long long)l.n, 3, "A.1.3 group of three");
	is_addr(0, "Ed Jones", "c@a.test", "A.1.3 first member");
	is_addr(1, "", "joe@where.test", "A.1.3 second member");
	is_addr(2, "John", "jdoe@one.test", "A.1.3 third member");
	is_str(l.list[0].group, "A Group", "A.1.3 members carry the group name");
	ok(l.list[2].group == l.list[0].group, "A.1.3 one group string shared");
	is_int((long long)l.n_groups, 1, "A.1.3 one group");

	parse(S("Undisclosed recipients:;"));
	is_int((long long)l.n, 1, "A.1.3 empty group gives one entry");
	is_addr(0, "Undisclosed recipients", "", "A.1.3 empty group");
	is_str(l.list[0].group, "Undisclosed recipients", "A.1.3 empty group's group");
}

static void test_rfc5322_a5_a6(void)
{
	parse(S("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"));
	is_int((long long)l.n, 1, "A.5 one mailbox");
	is_addr(0, "Pete", "pete@silly.test", "A.5 comments everywhere");

	parse(S("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
		"         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)"));
	is_int((long long)l.n, 3, "A.5 group with comments: three members");
	is_addr(0, "Chris Jones", "c@public.example", "A.5 comment inside the address");
	is_addr(1, "", "joe@example.org", "A.5 bare member");
	is_addr(2, "John", "jdoe@one.test", "A.5 comment after the address");
	is_str(l.list[1].group, "A Group", "A.5 group name without its comment");

	parse(S("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"));
	is_int((long long)l.n, 1, "A.5 empty group with comments");
	is_addr(0, "Hidden recipients", "", "A.5 empty group name");

	parse(S("Joe Q. Public <john.q.public@example.com>"));
	is_addr(0, "Joe Q. Public", "john.q.public@example.com", "A.6.1 obs-phrase with a dot");

	parse(S("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"));
	is_int((long long)l.n, 2, "A.6.1 empty element skipped");
	is_addr(0, "Mary Smith", "mary@example.net", "A.6.1 route dropped");
	is_addr(1, "", "jdoe@test.example", "A.6.1 blanks around a dot");

	parse(S("John Doe <jdoe@machine(comment).  example>"));
	is_addr(0, "John Doe", "jdoe@machine.example", "A.6.3 comment and blanks in domain");

	parse(S("Mary Smith\r\n  \r\n          <mary@example.net>"));
	is_addr(0, "Mary Smith", "mary@example.net", "A.6.3 folded blank line");

	parse(S("<@route1.tld:foo@bar.com>, <@route2.tld,@route3:baz@quux.com>")); /* corpus */
	is_int((long long)l.n, 2, "routes: two mailboxes");
	is_addr(0, "", "foo@bar.com", "route with one domain");
	is_addr(1, "", "baz@quux.com", "route with two domains");
}

static void test_names(void)
{
	parse(S("\"Doe, John\" <j@x>"));
	is_int((long long)l.n, 1, "quoted comma does not split");
	is_addr(0, "Doe, John", "j@x", "quoted name with comma");

	parse(S("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>")); /* corpus */
	is_addr(0, "Keld J\xc3\xb8rn Simonsen", "keld@dkuug.dk", "encoded-word name");

	parse(S("=?UTF-8?B?TXlTdXJ2ZXk=?= =?UTF-8?B?LmNvbSAmIEM=?= =?UTF-8?B?YXJvbCBBZGE=?= "
		"=?UTF-8?B?bXM=?= <carol@mysurvey.com>")); /* corpus */
	is_addr(0, "MySurvey.com & Carol Adams", "carol@mysurvey.com",
		"adjacent encoded words joined");

	parse(S("\"=?Windows-1252?B?Rm9ybWHn428gRnJlbmV0aWtwb2xpcw==?=\" <info@formacaofrenetik.info>")); /* corpus */
	is_addr(0, "Forma\xc3\xa7\xc3\xa3o Frenetikpolis", "info@formacaofrenetik.info",
		"encoded word inside quotes decoded");

	parse(S("=?UTF-8?Q?H=C3=B6rst=2C_Kenny?= <K.Hoerst@invalid>, Bug Reporter <new@thunderbird.bug>")); /* corpus */
	is_int((long long)l.n, 2, "encoded comma does not split");
	is_addr(0, "H\xc3\xb6rst, Kenny", "K.Hoerst@invalid", "encoded comma");

	parse(S("=?utf-8?q?Doe,_John?= <j@x>"));
	is_int((long long)l.n, 1, "raw comma inside an encoded word does not split");
	is_addr(0, "Doe, John", "j@x", "raw comma inside an encoded word");

	parse(S("\"J\xc3\xb6hn Doe\" <jd\xc3\xb6" "e@m\xc3\xa4" "chine.example>")); /* corpus, RFC 6532 */
	is_addr(0, "J\xc3\xb6hn Doe", "jd\xc3\xb6" "e@m\xc3\xa4" "chine.example", "raw UTF-8 name and address");

	parse(S("\"Heinz M\xfcller\" <mueller@example.com>")); /* corpus */
	is_addr(0, "Heinz M\xc3\xbcller", "mueller@example.com", "raw latin-1 name as windows-1252");

	parse(S("jd\xf6" "e@example.com"));
	is_addr(0, "", "jd\xef\xbf\xbd" "e@example.com", "bad byte in an address becomes U+FFFD");

	parse(S("Joe Blow <blow@example.com>,     =?iso-8859-1?Q?Heinz_M=FCller?= <mueller@example.com>")); /* corpus */
	is_addr(1, "Heinz M\xc3\xbcller", "mueller@example.com", "second name encoded");

	parse(S("A1 (The Enforcer) Gore <vice-president@whitehouse.gov>")); /* corpus */
	is_addr(0, "A1 Gore", "vice-president@whitehouse.gov", "comment inside a phrase dropped");
}

static void test_comments_as_names(void)
{
	parse(S("a@x (Alice)"));
	is_addr(0, "Alice", "a@x", "comment is the name when there is none");

	parse(S("MAILER-DAEMON@lvmail01.LL.com (Mail Delivery System)")); /* corpus */
	is_addr(0, "Mail Delivery System", "MAILER-DAEMON@lvmail01.LL.com", "comment name (corpus)");

	parse(S("a@x (Al (the \\) man) ice)"));
	is_addr(0, "Al (the ) man) ice", "a@x", "nested comment with quoted-pair");

	parse(S("ysato@etl.go.jp (Yutaka Sato =?ISO-2022-JP?B?GyRAOjRGI0stGyhK?= )")); /* corpus */
	is_addr(0, "Yutaka Sato \xe4\xbd\x90\xe8\x97\xa4\xe8\xb1\x8a", "ysato@etl.go.jp",
		"encoded word in a comment name");

	parse(S("Bob <b@x> (Robert)"));
	is_addr(0, "Bob", "b@x", "phrase wins over comment");

	parse(S("<b@x> (Robert)"));
	is_addr(0, "Robert", "b@x", "comment after angle address");

	parse(S("(mailbox in US-ASCII)")); /* corpus */
	is_int((long long)l.n, 0, "a lone comment is no mailbox");

	parse(S("a@x (unterminated"));
	is_addr(0, "unterminated", "a@x", "unterminated comment runs to the end");
}

static void test_local_parts(void)
{
	parse(S("\"john..doe\"@example.com"));
	is_addr(0, "", "\"john..doe\"@example.com", "quoted local part keeps its quotes");

	parse(S("\"a\\\"b c\"@x"));
	is_addr(0, "", "\"a\\\"b c\"@x", "quoted-pair in a quoted local part re-escaped");

	parse(S("Name <\"odd local\"@x>"));
	is_addr(0, "Name", "\"odd local\"@x", "quoted local part inside angles");

	parse(S("user@[192.168.0.1]"));
	is_addr(0, "", "user@[192.168.0.1]", "domain literal");

	parse(S("f..keavey@enron.com")); /* corpus */
	is_addr(0, "", "f..keavey@enron.com", "double dot kept");

	parse(S("develop!nextmime@ebony@sblab.att.com")); /* corpus */
	is_addr(0, "", "develop!nextmime@ebony@sblab.att.com", "second '@' kept verbatim");

	parse(S("<user-from (comment)@ (comment) domain.org>")); /* corpus */
	is_addr(0, "", "user-from@domain.org", "comments around '@' inside angles");
}

static void test_breakage(void)
{
	parse(S("John <john@x, Mary <m@y>"));
	is_int((long long)l.n, 2, "missing '>' ends at ','");
	is_addr(0, "John", "john@x", "missing '>' first");
	is_addr(1, "Mary", "m@y", "missing '>' second");

	parse(S("John <john@x"));
	is_addr(0, "John", "john@x", "missing '>' at the end");

	parse(S("a@x; b@y;c@z"));
	is_int((long long)l.n, 3, "';' separates outside a group");
	is_addr(2, "", "c@z", "';' separated third");

	parse(S("tim@powerupdev.com concierge@powerupdev.com")); /* corpus */
	is_int((long long)l.n, 2, "blank-separated bare addresses split");
	is_addr(1, "", "concierge@powerupdev.com", "blank-separated second");

	parse(S("Big Bug bb@bug.com")); /* corpus */
	is_addr(0, "Big Bug", "bb@bug.com", "words before a bare address are its name");

	parse(S("smith@gmail.com, Mikel@Lindsaar <raasdnil@gmail.com>, tom@gmail.com")); /* corpus */
	is_int((long long)l.n, 3, "address used as a name: three entries");
	is_addr(1, "Mikel@Lindsaar", "raasdnil@gmail.com", "address before '<' is the name");

	parse(S("<a@x> <b@y>"));
	is_int((long long)l.n, 2, "blank-separated angle addresses split");

	parse(S("<mailto:foo@example.com>"));
	is_addr(0, "", "foo@example.com", "mailto: dropped");

	parse(S("a@x,,b@y"));
	is_int((long long)l.n, 2, "empty element skipped");
	parse(S(", user-example@aol.com, e-s-a-s-2200@app.ar.com")); /* corpus */
	is_int((long long)l.n, 2, "leading comma");

	parse(S("Anil Sama")); /* corpus */
	is_addr(0, "Anil Sama", "", "bare phrase is a name without address");

	parse(S("\"KLAUS- H\xc3\x84NSCHEL\" <>")); /* corpus */
	is_addr(0, "KLAUS- H\xc3\x84NSCHEL", "", "empty angle address");

	parse(S("<>"));
	is_int((long long)l.n, 0, "empty angle without name gives nothing");

	parse(S(""));
	is_int((long long)l.n, 0, "empty field");
	parse(S("  \t "));
	is_int((long long)l.n, 0, "blank field");
	parse(S("Mary Sm)th <m@x>"));
	is_addr(0, "Mary Sm)th", "m@x", "stray ')' is part of a word");
	parse(S(">>>@@@:::"));
	is_int((long long)l.n, 0, "specials only give nothing");
}

static void test_groups(void)
{
	parse(S("group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;")); /* corpus */
	is_int((long long)l.n, 3, "two groups, three members");
	is_str(l.list[1].group, "group", "first group");
	is_str(l.list[2].group, "group2", "second group");
	is_int((long long)l.n_groups, 2, "two group names stored");

	parse(S("group:;, group2: (foo) ;")); /* corpus */
	is_int((long long)l.n, 2, "two empty groups");
	is_addr(1, "group2", "", "empty group with a comment");

	parse(S("a: b@x"));
	is_str(l.n ? l.list[0].group : NULL, "a", "group without ';' ends at the end");

	parse(S("a: b@x; c@y"));
	ok(l.n == 2 && l.list[1].group == NULL, "address after a group is outside it");

	parse(S("a: b: c@x;;"));
	is_int((long long)l.n, 2, "nested group: the outer one ends");
	is_addr(0, "a", "", "outer group is empty");
	is_str(l.n > 1 ? l.list[1].group : NULL, "b", "member of the inner group");

	parse(S(":;:;:;"));
	is_int((long long)l.n, 0, "nameless empty groups give nothing");

	parse(S("A M\xc3\xa4iling List: \"T\xc3\xb6m Orwell\" <to@example.com>;")); /* corpus */
	is_str(l.n ? l.list[0].group : NULL, "A M\xc3\xa4iling List", "UTF-8 group name");
	is_addr(0, "T\xc3\xb6m Orwell", "to@example.com", "member of a UTF-8 group");
}

static void test_limits(void)
{
	is_int(parse_max(S("a@x, b@x, c@x"), 2), -1, "limit reached returns -1");
	is_int((long long)l.n, 2, "limit keeps the first entries");
	is_int(parse_max(S("a@x, b@x"), 2), 0, "exactly the limit is fine");

	size_t n = (size_t)1 << 20;
	char *semis = malloc(n);
	memset(semis, ';', n);
	clock_t t0 = clock();
	is_int(parse(semis, n), 0, "a megabyte of ';' parses");
	is_int((long long)l.n, 0, "a megabyte of ';' gives nothing");
	for (size_t k = 0; k + 3 <= n; k += 3)
		memcpy(semis + k, "a:;", 3);
	is_int(parse(semis, n), -1, "a megabyte of empty groups hits the limit");
	is_int((long long)l.n, MIME_ADDRESS_MAX, "empty groups are capped");
	memset(semis, '<', n);
	parse(semis, n);
	is_int((long long)l.n, 0, "a megabyte of '<' gives nothing");
	memset(semis, '(', n);
	parse(semis, n);
	is_int((long long)l.n, 0, "a megabyte of '(' gives nothing");
	memset(semis, '"', n);
	parse(semis, n);
	is_int((long long)l.n, 0, "a megabyte of '\"' gives nothing");
	for (size_t k = 0; k + 6 <= n; k += 6)
		memcpy(semis + k, "=?a?q?", 6);
	parse(semis, n);
	is_int((long long)l.n, 1, "a megabyte of broken encoded words is one bare phrase");
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	ok(secs < 20.0, "hostile megabytes parse in linear time (%.2f s)", secs);
	free(semis);

	struct buf big;
	buf_init(&big, (size_t)1 << 22);
	int fail = buf_append_str(&big, "g: ");
	for (int k = 0; k < 20000; k++)
		fail |= buf_printf(&big, "u%d@x, ", k);
	ok(fail == 0, "built a 20000-member group");
	is_int(parse(big.data, big.len), -1, "20000 members hit the default limit");
	is_str(l.list[MIME_ADDRESS_MAX - 1].address, "u9999@x", "the last kept member");
	is_int((long long)l.n_groups, 1, "the group name is stored once");
	buf_release(&big);
}

static void test_truncation(void)
{
	static const char v[] =
		"A Group(c):\"Q, \\\"x\" <@r,@s:a@b.c>, =?utf-8?q?J=C3=B6?= <j@x (c)>;"
		" d@e (D), f g@h  . i, <k@l";
	int bad = 0;
	for (size_t n = 0; n <= sizeof(v) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, v, n);
		parse(copy, n);
		for (size_t k = 0; k < l.n; k++)
			if (l.list[k].name == NULL || l.list[k].address == NULL)
				bad++;
		free(copy);
	}
	is_int(bad, 0, "every prefix parses to complete entries");
	is_int((long long)l.n, 5, "full value: five entries");
	is_addr(0, "Q, \"x", "a@b.c", "full value: quoted name, route");
	is_addr(1, "J\xc3\xb6", "j@x", "full value: encoded name");
	is_addr(2, "D", "d@e", "full value: comment name");
	is_addr(3, "f", "g@h.i", "full value: name before a bare address");
	is_addr(4, "", "k@l", "full value: unterminated angle");
}

static void test_lifecycle(void)
{
	struct mime_address_list fresh;
	memset(&fresh, 0xa5, sizeof(fresh)); /* never initialised */
	is_int(mime_address_parse(S("a@x"), 0, &fresh), 0,
	       "parse needs no initialised list");
	is_int((long long)fresh.n, 1, "parse into an uninitialised list");
	mime_address_list_release(&fresh);
	ok(fresh.list == NULL && fresh.n == 0, "release leaves an empty list");
	mime_address_list_release(&fresh);
	ok(fresh.n == 0, "release twice is harmless");
}

int main(void)
{
	mime_address_list_init(&l);
	test_lifecycle();
	test_rfc5322_a1();
	test_rfc5322_a5_a6();
	test_names();
	test_comments_as_names();
	test_local_parts();
	test_breakage();
	test_groups();
	test_limits();
	test_truncation();
	mime_address_list_release(&l);
	return done_testing();
}
