/* Fuzz target: the IMAP response parser (src/proto/imap_parser.c).
 *
 * Input: byte 0 chooses the limits (bit 0: small ones, so that every
 * limit is hit; bits 1-2 vary the small line and response maxima) and
 * the size of the pieces fed (bits 4-6); the rest is the server's byte
 * stream.  It is parsed twice, fed whole and fed in those pieces, and
 * each run serialises every response (and the error that ends it).
 *
 * Invariants (__builtin_trap): *used_r never exceeds the length fed; a
 * RESPONSE uses at least one byte and NEED_MORE uses all of them; a
 * response's bytes are those used since the one before and at most
 * response_max; a response has at most args_max arguments and lists at
 * most depth_max deep; every string is NUL-terminated at its length and
 * NIL and lists have no string; a literal being read wants no more than
 * literal_max; after ERROR every feed fails with the same message and
 * uses nothing; both runs give the same serialisation. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "imap_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX ((size_t)64 << 20)

static const size_t steps[8] = { 1, 2, 3, 5, 7, 16, 100, 4096 };

/* Serialises a[0..n) into o and returns the number of arguments; traps on
 * a broken invariant. */
static size_t walk(struct buf *o, const struct imap_arg *a, size_t n, unsigned depth,
		   const struct imap_parser_limits *lim)
{
	size_t count = n;
	if (depth > lim->depth_max)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		buf_cut_ok(buf_printf(o, "%d:%zu:%d", (int)a[i].type, a[i].len, a[i].literal8));
		if (a[i].type == IMAP_ARG_LIST) {
			if (a[i].str != NULL || (a[i].len > 0 && a[i].list == NULL))
				__builtin_trap();
			buf_cut_ok(buf_append_char(o, '('));
			count += walk(o, a[i].list, a[i].len, depth + 1, lim);
			buf_cut_ok(buf_append_char(o, ')'));
		} else if (a[i].type == IMAP_ARG_NIL) {
			if (a[i].str != NULL)
				__builtin_trap();
		} else {
			if (a[i].str == NULL || a[i].str[a[i].len] != '\0')
				__builtin_trap();
			if (a[i].type != IMAP_ARG_LITERAL && memchr(a[i].str, '\0', a[i].len))
				__builtin_trap();
			buf_cut_ok(buf_append(o, a[i].str, a[i].len));
		}
		buf_cut_ok(buf_append_char(o, ' '));
	}
	return count;
}

static void check_response(struct buf *o, const struct imap_response *r,
			   const struct imap_parser_limits *lim, size_t since)
{
	if (r == NULL || r->bytes != since || r->bytes > lim->response_max)
		__builtin_trap();
	bool status = r->status != IMAP_STATUS_NONE;
	if ((r->kind == IMAP_RESP_TAGGED) != (r->tag != NULL) ||
	    (r->text != NULL) != (status || r->kind == IMAP_RESP_CONTINUATION) ||
	    (r->code != NULL && !status) || (r->n_args > 0 && (status || r->text)) ||
	    (r->kind == IMAP_RESP_TAGGED && !status) ||
	    (r->kind == IMAP_RESP_UNTAGGED && !status && r->n_args == 0))
		__builtin_trap();
	buf_cut_ok(buf_printf(o, "R%d %s %d %s [", (int)r->kind, r->tag ? r->tag : "-",
			      (int)r->status, r->code ? r->code : "-"));
	size_t n = walk(o, r->code_args, r->n_code_args, 0, lim);
	buf_cut_ok(buf_printf(o, "] %s |", r->text ? r->text : "-"));
	n += walk(o, r->args, r->n_args, 0, lim);
	if (n > lim->args_max)
		__builtin_trap();
	buf_cut_ok(buf_printf(o, "%zu\n", r->bytes));
}

/* Feeds in[0..n) in pieces of step bytes; the serialisation goes to o. */
static void run(const struct imap_parser_limits *lim, const char *in, size_t n,
		size_t step, struct buf *o)
{
	struct imap_parser *p = imap_parser_new(lim);
	struct err e;
	size_t at = 0, since = 0;
	enum imap_parse_result res = IMAP_PARSE_NEED_MORE;
	err_init(&e);
	while (at < n && res != IMAP_PARSE_ERROR) {
		size_t len = n - at < step ? n - at : step, used = SIZE_MAX;
		res = imap_parser_feed(p, in + at, len, &used, &e);
		if (used > len || (res == IMAP_PARSE_RESPONSE && used == 0) ||
		    (res == IMAP_PARSE_NEED_MORE && used != len))
			__builtin_trap();
		at += used;
		since += used;
		if (imap_parser_literal_wanted(p) > lim->literal_max)
			__builtin_trap();
		if (res == IMAP_PARSE_RESPONSE) {
			check_response(o, imap_parser_response(p), lim, since);
			since = 0;
		}
	}
	if (res == IMAP_PARSE_ERROR) {
		struct err again;
		size_t used = 1;
		err_init(&again);
		if (memchr(e.msg, '\0', sizeof(e.msg)) == NULL ||
		    (e.code != ERR_PARSE && e.code != ERR_LIMIT) || e.scope != ERR_ACCOUNT ||
		    imap_parser_feed(p, "* OK\r\n", 6, &used, &again) != IMAP_PARSE_ERROR ||
		    used != 0 || strcmp(again.msg, e.msg) != 0 ||
		    imap_parser_response(p) != NULL)
			__builtin_trap();
		buf_cut_ok(buf_printf(o, "E%d %s\n", (int)e.code, e.msg));
	}
	imap_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	struct imap_parser_limits lim = { 0 };
	if (mode & 1)
		lim = (struct imap_parser_limits){
			.line_max = 24 + ((mode >> 1) & 3) * 40, .literal_max = 40,
			.response_max = 120 + ((mode >> 1) & 3) * 200, .depth_max = 3,
			.args_max = 16,
		};
	/* The defaults spelt out, for the checks. */
	struct imap_parser_limits full = lim;
	if (!full.line_max)
		full.line_max = IMAP_PARSER_LINE_MAX;
	if (!full.literal_max)
		full.literal_max = IMAP_PARSER_LITERAL_MAX;
	if (!full.response_max)
		full.response_max = IMAP_PARSER_RESPONSE_MAX;
	if (!full.depth_max)
		full.depth_max = IMAP_PARSER_DEPTH_MAX;
	if (!full.args_max)
		full.args_max = IMAP_PARSER_ARGS_MAX;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	struct buf whole, pieces;
	buf_init(&whole, OUT_MAX);
	buf_init(&pieces, OUT_MAX);
	run(&full, in, n, n ? n : 1, &whole);
	run(&full, in, n, steps[(mode >> 4) & 7], &pieces);
	if (whole.len != pieces.len || memcmp(whole.data, pieces.data, whole.len) != 0)
		__builtin_trap();
	buf_release(&whole);
	buf_release(&pieces);
	return 0;
}
