#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "tap.h"

#define MSG(lit) lit, sizeof(lit) - 1

static struct buf v;

static const char *get(const char *hdr, size_t len, const char *name, int *rc)
{
	buf_reset(&v);
	*rc = header_get(hdr, len, name, &v);
	return v.data;
}

static void test_block(void)
{
	is_int((long long)header_block_len(MSG("A: 1\nB: 2\n\nbody\n")), 11,
	       "header ends after the empty line (LF)");
	is_int((long long)header_block_len(MSG("A: 1\r\n\r\nbody")), 8,
	       "header ends after the empty line (CRLF)");
	is_int((long long)header_block_len(MSG("\nbody only\n")), 1,
	       "a message starting with an empty line has an empty header");
	is_int((long long)header_block_len(MSG("A: 1\nB: 2")), 9,
	       "no empty line: everything is header");
	is_int((long long)header_block_len("", 0), 0, "empty message");
}

static void test_get(void)
{
	static const char h[] =
		"Received: x\n"
		"subject: Hello\n"
		"  folded\tworld  \n"
		"From:alice@example.org\n"
		"X-Empty:\n"
		"Subject: second\n"
		"\n"
		"Subject: in body\n";
	int rc;
	is_str(get(MSG(h), "Subject", &rc), "Hello  folded\tworld",
	       "folded field unfolded, trailing blanks trimmed");
	is_int(rc, 1, "found returns 1");
	is_str(get(MSG(h), "FROM", &rc), "alice@example.org",
	       "name matched case-insensitively, no space after colon");
	is_str(get(MSG(h), "X-Empty", &rc), "", "empty field value");
	is_int(rc, 1, "empty field is found");
	get(MSG(h), "To", &rc);
	is_int(rc, 0, "missing field returns 0");
	get(MSG(h), "Subj", &rc);
	is_int(rc, 0, "a prefix of a field name does not match");
	static const char crlf[] = "Subject: a\r\n b\r\n\r\n";
	is_str(get(MSG(crlf), "Subject", &rc), "a b", "CRLF folding unfolded");
	static const char nocolon[] = "garbage line\nSubject: ok\n\n";
	is_str(get(MSG(nocolon), "Subject", &rc), "ok", "a line without colon is skipped");
	static const char body[] = "\nSubject: in body\n";
	get(MSG(body), "Subject", &rc);
	is_int(rc, 0, "fields after the header's end are not found");

	struct buf small;
	buf_init(&small, 4);
	is_int(header_get(MSG("Subject: too long\n\n"), "Subject", &small), -1,
	       "a value past the buffer maximum returns -1");
	buf_release(&small);
}

static void test_bytewise_truncation(void)
{
	/* Every prefix of a message parses without reading past its end. */
	static const char h[] = "Subject: a\n b\nFrom: x\n\nbody";
	int bad = 0;
	for (size_t n = 0; n <= sizeof(h) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, h, n);
		int rc;
		get(copy, n, "From", &rc);
		if (rc == 1 && n < 19)
			bad++;
		header_block_len(copy, n);
		free(copy);
	}
	is_int(bad, 0, "truncated headers never yield a field that is not there");
}

int main(void)
{
	buf_init(&v, 1 << 16);
	test_block();
	test_get();
	test_bytewise_truncation();
	buf_release(&v);
	return done_testing();
}
