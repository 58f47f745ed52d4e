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

/* ------------------------------------------------------ full parser */

static int test_collect(void *ctx, const struct header_field *f)
{
	struct header *h = ctx;
	h->fields = realloc(h->fields, (h->n + 1) * sizeof(*h->fields));
	char *p = malloc(f->name_len + f->value_len + 2);
	memcpy(p, f->name, f->name_len);
	p[f->name_len] = '\0';
	memcpy(p + f->name_len + 1, f->value, f->value_len);
	p[f->name_len + 1 + f->value_len] = '\0';
	h->fields[h->n++] = (struct header_field){ p, f->name_len,
		p + f->name_len + 1, f->value_len };
	return 0;
}

static struct header_limits lim;

/* Renders a parsed header as "name=value|..." plus flags, for comparing. */
static const char *dump(const struct header *h)
{
	static struct buf d;
	if (d.max == 0)
		buf_init(&d, 1 << 20);
	buf_reset(&d);
	for (size_t i = 0; i < h->n; i++) {
		if (buf_append(&d, h->fields[i].name, h->fields[i].name_len) < 0 ||
		    buf_append_char(&d, '=') < 0 ||
		    buf_append(&d, h->fields[i].value, h->fields[i].value_len) < 0 ||
		    buf_append_char(&d, '|') < 0)
			return "(overflow)";
	}
	if (buf_printf(&d, "len=%zu flags=%u", h->len, h->flags) < 0)
		return "(overflow)";
	return d.data;
}

static const char *parse_dump(const char *msg, size_t len)
{
	struct header h;
	header_parse(&h, msg, len, &lim);
	const char *r = dump(&h);
	header_release(&h);
	return r;
}

#define PD(lit) parse_dump(lit, sizeof(lit) - 1)

static void test_parse(void)
{
	is_str(PD("Subject: Hi\nFrom: a@b\n\nbody"),
	       "Subject=Hi|From=a@b|len=23 flags=0", "two fields, body after the empty line");
	is_str(PD("Subject: a\r\n\tb  \r\n c\r\n\r\nbody"),
	       "Subject=a\tb   c|len=24 flags=0", "CRLF folding unfolded, blanks kept inside");
	is_str(PD("Subject:\n  late value\n\n"),
	       "Subject=late value|len=23 flags=0", "value starting on a continuation line");
	is_str(PD("Subject : obsolete\n\n"),
	       "Subject=obsolete|len=20 flags=0", "blank before the colon (obs-header)");
	is_str(PD("Hello world, no header here\n\nbody\n"),
	       "len=0 flags=1", "a first line that is no field: no header, all body");
	is_str(PD("From me@x Mon Jan  5 09:12:00 2026\nSubject: s\n\n"),
	       "Subject=s|len=47 flags=2", "a leading From_ envelope line is skipped");
	is_str(PD("A: 1\ngarbage line\nB: 2\n\n"),
	       "A=1|B=2|len=24 flags=4", "a garbage line in the middle is skipped");
	is_str(PD("A: 1\nB: 2"), "A=1|B=2|len=9 flags=64",
	       "no empty line: all header, last line without LF kept");
	is_str(PD("\nbody"), "len=1 flags=0", "empty header");
	is_str(PD(""), "len=0 flags=64", "empty message");
	static const char nul[] = "X-Bin: a\0b\xff\n\n";
	struct header h;
	header_parse(&h, nul, sizeof(nul) - 1, &lim);
	ok(h.n == 1 && h.fields[0].value_len == 4 &&
	   memcmp(h.fields[0].value, "a\0b\xff", 4) == 0,
	   "NUL and 8-bit bytes kept in a value");
	is_str(header_find(&h, "x-bin") ? "found" : NULL, "found", "header_find ignores case");
	ok(header_find(&h, "X-Bi") == NULL, "header_find needs the whole name");
	header_release(&h);
}

static void test_limits(void)
{
	struct header_limits small = { .max_field = 16, .max_header = 64, .max_fields = 2 };
	struct header h;
	static const char longf[] = "Subject: 0123456789abcdefghij\n more text\nA: 1\n\nbody";
	header_parse(&h, longf, sizeof(longf) - 1, &small);
	ok(h.n == 2 && h.fields[0].name_len == 7 &&
	   h.fields[0].value_len <= small.max_field && (h.flags & HEADER_FIELD_CUT),
	   "a field over max_field is cut and flagged");
	header_release(&h);

	static const char many[] = "A: 1\nB: 2\nC: 3\nD: 4\n\n";
	header_parse(&h, many, sizeof(many) - 1, &small);
	ok(h.n == 2 && (h.flags & HEADER_TOO_MANY) && h.len == sizeof(many) - 1,
	   "fields over max_fields are dropped, parsing goes on");
	header_release(&h);

	char big[200];
	memset(big, 'x', sizeof(big));
	memcpy(big, "X: ", 3);
	header_parse(&h, big, sizeof(big), &small);
	ok((h.flags & HEADER_TOO_BIG) && h.len == small.max_header,
	   "max_header stops the header; the rest is body (len %zu)", h.len);
	header_release(&h);
}

/* Feeding one byte at a time gives exactly the whole-buffer result. */
static void test_incremental(void)
{
	static const char *const msgs[] = {
		"Subject: a\r\n b\r\nFrom: x\r\n\r\nbody",
		"From env Mon Jan  5 09:12:00 2026\nA: 1\nbad\n  cont\nB:\n\tv\n\n",
		"no header\n\nbody",
		"A: 1\nB: 2",
		"A: 1\r",
	};
	int bad = 0;
	for (size_t k = 0; k < sizeof(msgs) / sizeof(msgs[0]); k++) {
		const char *m = msgs[k];
		size_t len = strlen(m);
		struct header whole;
		header_parse(&whole, m, len, &lim);
		char want[512];
		snprintf(want, sizeof(want), "%s", dump(&whole));

		struct header bytewise;
		memset(&bytewise, 0, sizeof(bytewise));
		struct header_parser hp;
		header_parser_init(&hp, &lim);
		size_t used = 0, total = 0;
		int rc = 0;
		for (size_t i = 0; i < len && rc == 0; i++) {
			rc = header_parser_feed(&hp, m + i, 1, &used, test_collect, &bytewise);
			total += used;
		}
		if (rc == 0)
			header_parser_finish(&hp, test_collect, &bytewise);
		bytewise.flags = hp.flags;
		bytewise.len = (hp.flags & HEADER_NO_HEADER) ? 0 : total;
		header_parser_release(&hp);
		if (strcmp(want, dump(&bytewise)) != 0) {
			diag("message %zu: whole %s, bytewise %s", k, want, dump(&bytewise));
			bad++;
		}
		header_release(&whole);
		header_release(&bytewise);
	}
	is_int(bad, 0, "one byte at a time equals the whole buffer");
}

int main(void)
{
	buf_init(&v, 1 << 16);
	header_limits_default(&lim);
	test_block();
	test_get();
	test_bytewise_truncation();
	test_parse();
	test_limits();
	test_incremental();
	buf_release(&v);
	return done_testing();
}
