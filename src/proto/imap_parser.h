/* imap_parser: the resumable parser of IMAP server responses (RFC 9051
 * s7 and s9, RFC 3501 s7 and s9; section numbers below are RFC 9051's):
 * bytes in, one struct imap_response at a time out.  It only builds the
 * argument tree; what FETCH items, ENVELOPE, BODYSTRUCTURE or CAPABILITY
 * lists mean is for the code walking it.
 *
 * Feeding: imap_parser_feed() takes any split of the stream, down to one
 * byte at a time (in the middle of "{123}", of a CRLF, of a literal, of a
 * quoted string): the responses and errors are the same as for the whole
 * stream fed at once.  Work is linear in the input: each line is gathered
 * with memchr() and parsed once, when the response is complete.
 *
 * What is accepted (server-to-client only):
 *   - a line ends in CRLF or a bare LF; NUL is refused anywhere outside a
 *     literal, and so is an empty line;
 *   - "+" SP text, or "+" at the line end: a continuation (s7.6) whose text
 *     is kept raw (it may be base64 for SASL; no "[code]" is looked for);
 *   - a tag (ASTRING-CHAR except "+", RFC 9051 s9 "tag") SP and OK, NO or
 *     BAD; "*" SP and OK, NO, BAD, BYE or PREAUTH (any case): a status
 *     response (s7.1), always one line.  After the status word: an
 *     optional SP, an optional "[" code [SP args] "]", an optional SP,
 *     then the text to the line end, taken raw ("(", "\"", "{5}" in it mean nothing: the
 *     line "* OK hello {5}" is a whole response, no literal follows).  The
 *     code is an atom (upper-cased here); its arguments are parsed like
 *     those below but atoms also end at "]", and literals are not allowed.
 *     A code whose content cannot be parsed so (RFC 9051's
 *     'atom [SP 1*<any TEXT-CHAR except "]">]', a limit hit) keeps its
 *     name with no arguments, and the text starts after the first "]";
 *     a "[" with no valid code name or no "]" at all is just text;
 *   - "*" SP and anything else: a data response, a sequence of arguments
 *     separated by spaces (several tolerated, also before ")" and at the
 *     line end; none needed between ")" and "(", as in BODYSTRUCTURE):
 *       NIL (any case) -> IMAP_ARG_NIL;
 *       an atom: a run of bytes other than SP, CTL, "(", ")", "{" and
 *         "\"" (so "\Seen", "\*", "$Forwarded", 8-bit bytes, a "]"); a
 *         "[" in it takes everything to its matching "]" (spaces and
 *         parens included, never past the line end), after which the
 *         atom may go on: "BODY[HEADER.FIELDS (FROM)]<0>";
 *       a quoted string: only \\ and \" escapes, no CR, LF or NUL;
 *       a literal "{" number64 "}" CRLF followed by exactly that many
 *         bytes, taken raw, NUL included (s4.3); "~{n}" is a literal8
 *         (s4.3.1: no string, see imap_arg_string()); the size must end
 *         its line; "{n+}" (client-only,
 *         RFC 7888 s3) is an error;
 *       a list "(" args ")".
 *     Numbers are atoms: see imap_arg_number().
 *
 * Limits (struct imap_parser_limits; each value is allowed, one more is
 * an ERR_LIMIT error):
 *   line_max      bytes of one line, its line end not counted; a response
 *                 with literals has a line before each literal and one
 *                 after the last: each is a line;
 *   literal_max   the size announced by one literal;
 *   response_max  bytes of one response on the wire, line ends and
 *                 literals included (a literal that would pass it is
 *                 refused when announced);
 *   depth_max     nesting of lists: "(a)" is depth 1;
 *   args_max      arguments of one response at all levels, each list and
 *                 each code argument counted.
 * Memory for one response is about response_max (the bytes, parsed in
 * place) plus at most three struct imap_arg (32 bytes) per argument.
 *
 * Errors: struct err with scope ERR_ACCOUNT and code ERR_PARSE (malformed)
 * or ERR_LIMIT (a limit passed); the message says what was wrong in the
 * response, quoting server text only sanitised and shortened, and names
 * no protocol or command: callers put "IMAP <command>" in front
 * (err_prefix).  After an error the stream cannot be resynchronised:
 * every later feed fails the same way until imap_parser_reset().  A
 * literal announced and the stream ending is not an error but
 * IMAP_PARSE_NEED_MORE (the caller's timeout deals with a stall). */
#ifndef TERN_IMAP_PARSER_H
#define TERN_IMAP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IMAP_PARSER_LINE_MAX ((size_t)64 * 1024)
#define IMAP_PARSER_LITERAL_MAX ((uint64_t)64 * 1024 * 1024)
#define IMAP_PARSER_RESPONSE_MAX ((size_t)80 * 1024 * 1024)
#define IMAP_PARSER_DEPTH_MAX 32u
#define IMAP_PARSER_ARGS_MAX ((size_t)1000 * 1000)

/* 0 in a field means the default above. */
struct imap_parser_limits {
	size_t line_max;
	uint64_t literal_max;
	size_t response_max;
	unsigned depth_max;
	size_t args_max;
};

enum imap_arg_type {
	IMAP_ARG_NIL,
	IMAP_ARG_ATOM,
	IMAP_ARG_STRING,  /* quoted, escapes removed */
	IMAP_ARG_LITERAL,
	IMAP_ARG_LIST,
};

struct imap_arg {
	enum imap_arg_type type;
	bool literal8;          /* LITERAL sent as "~{n}" (RFC 9051 literal8) */
	/* ATOM, STRING, LITERAL: the bytes, NUL-terminated at len (a literal
	 * may hold NULs itself: use len).  NIL, LIST: NULL. */
	const char *str;
	size_t len;             /* bytes of str; LIST: number of children */
	struct imap_arg *list;  /* LIST: the children (NULL if none) */
};

enum imap_resp_kind {
	IMAP_RESP_TAGGED,
	IMAP_RESP_UNTAGGED,
	IMAP_RESP_CONTINUATION,
};

enum imap_status {
	IMAP_STATUS_NONE,
	IMAP_STATUS_OK,
	IMAP_STATUS_NO,
	IMAP_STATUS_BAD,
	IMAP_STATUS_BYE,
	IMAP_STATUS_PREAUTH,
};

struct imap_response {
	enum imap_resp_kind kind;
	const char *tag;          /* TAGGED: the tag; else NULL */
	enum imap_status status;  /* NONE for data and continuations */
	/* Status responses: the "[" resp-text-code "]", if any. */
	const char *code;         /* the code's name, upper-cased, or NULL */
	struct imap_arg *code_args; /* its arguments (NULL if none) */
	size_t n_code_args;
	/* Status and continuation: the text to the line end, without it ("" if
	 * none); else NULL. */
	const char *text;
	/* Data responses: every word after "*" ("* 3 EXISTS": "3", "EXISTS");
	 * else NULL and 0. */
	struct imap_arg *args;
	size_t n_args;
	size_t bytes;             /* bytes the response took on the wire */
};

struct imap_parser;

/* lim may be NULL for the defaults; it is copied. */
struct imap_parser *imap_parser_new(const struct imap_parser_limits *lim);
void imap_parser_free(struct imap_parser **p);

enum imap_parse_result {
	IMAP_PARSE_NEED_MORE,  /* all of data used; the response goes on */
	IMAP_PARSE_RESPONSE,   /* one response complete */
	IMAP_PARSE_ERROR,
};

/* Consumes bytes of data[0..len) and sets *used_r.  NEED_MORE: all were
 * used.  RESPONSE: *used_r stops right after the response's line end; the
 * rest is for the next call.  The response, and every pointer in it,
 * stays valid until the next imap_parser_feed() or imap_parser_reset().
 * ERROR: e is filled (see above). */
enum imap_parse_result imap_parser_feed(struct imap_parser *p, const char *data,
					size_t len, size_t *used_r, struct err *e);
/* The response the last feed completed, or NULL. */
const struct imap_response *imap_parser_response(const struct imap_parser *p);
/* While a literal's bytes are being read: how many are still wanted (so a
 * caller can read exactly that many, or show progress); else 0. */
uint64_t imap_parser_literal_wanted(const struct imap_parser *p);
/* The bytes of that literal received so far and its size; 0 and 0 when
 * no literal is being read. */
void imap_parser_literal_progress(const struct imap_parser *p, uint64_t *got_r,
				  uint64_t *total_r);
/* Forgets any partial response and any error: the next byte fed starts a
 * response. */
void imap_parser_reset(struct imap_parser *p);

/* ---- helpers for the code walking the tree ---- */

/* An ATOM equal to word, ASCII case-insensitive. */
bool imap_arg_is_atom(const struct imap_arg *a, const char *word);
/* An ATOM of decimal digits (no sign, no leading zero but "0" itself)
 * that fits 32 bits (RFC 9051 number) or 63 bits (number64, RFC 7162
 * mod-sequence-value). */
bool imap_arg_number(const struct imap_arg *a, uint32_t *v_r);
bool imap_arg_number64(const struct imap_arg *a, uint64_t *v_r);
/* STRING or LITERAL, but not a literal8: that is binary data, which
 * only a FETCH BINARY[] response may carry (RFC 9051 s4.3.1 and s9
 * msg-att-static); its caller takes a literal8 itself. */
bool imap_arg_string(const struct imap_arg *a);
/* astring (RFC 9051 s9): ATOM, STRING or LITERAL. */
bool imap_arg_astring(const struct imap_arg *a);
/* nstring: NIL, STRING or LITERAL. */
bool imap_arg_nstring(const struct imap_arg *a);

#endif
