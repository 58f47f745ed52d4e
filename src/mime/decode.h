/* decode: streaming Content-Transfer-Encoding decoders (RFC 2045 §6).
 *
 * A struct decoder is fed the encoded body in chunks of any size, split
 * anywhere (one byte at a time included), and then finished; the decoded
 * bytes are appended to the caller's buffer and are the same for every
 * way of splitting the input.  The decoder allocates nothing and needs no
 * release; its members are private.  Time is linear in the input, and
 * nothing an input controls grows the decoder: the output is bounded by
 * the caller's buf maximum (at most 3/4 of the input for base64 and
 * uuencode, at most the input for quoted-printable).
 *
 * Leniencies (see doc/VIOLATIONS.md):
 *
 * DECODE_IDENTITY (7bit, 8bit, binary): bytes are copied unchanged.
 *
 * DECODE_QP (§6.7):
 *   - "=XY" with upper- or lowercase hex digits is the byte XY;
 *   - "=" at the end of a line, also with blanks between it and the line
 *     end, is a soft line break and produces nothing;
 *   - an invalid "=" sequence ("=G1", "=4", "= x") is kept literally (the
 *     §6.7 note (2) advice) and counted as garbage;
 *   - a line break of the encoding (CRLF or bare LF) becomes one LF; an
 *     encoded "=0D=0A" stays the two bytes it encodes;
 *   - rule (3): blanks (SP, TAB) and CRs at the end of an encoded line,
 *     the last line included, were added in transport and are deleted.
 *     Only the last DECODE_QP_HOLD_MAX of them are held back, so in a
 *     longer run of trailing blanks the first ones are kept;
 *   - a lone "=" at the very end of the input is dropped;
 *   - unencoded 8-bit bytes, a CR inside a line and other controls are
 *     passed through: the output is bytes, to be converted and sanitised.
 *
 * DECODE_BASE64 (§6.8):
 *   - whitespace is skipped; any other byte outside the alphabet is
 *     skipped and counted as garbage;
 *   - "=" padding ends a block of 4-character groups.  What follows the
 *     padding is decoded as a new block, since some mailers concatenate
 *     separately encoded pieces (or pad every line); padding that does
 *     not fit (a "=" after 0 or 1 characters of a group) is garbage, and
 *     a single character left before it is dropped;
 *   - missing padding at the end is tolerated: a final group of 2 or 3
 *     characters yields 1 or 2 bytes; a final lone character is garbage.
 *
 * DECODE_UUENCODE: the lines of a uuencoded file, optionally with its
 * "begin MODE NAME" and "end" lines around them:
 *   - lines starting with "begin" and a blank, and empty lines, are
 *     skipped (not garbage); an "end" line stops decoding, and all that
 *     follows it is ignored;
 *   - each line's length character is checked against the line: a line
 *     decodes to at most as many bytes as its characters encode (never
 *     reading past it; CVE-2022-1328), characters from the first one
 *     outside the uuencode set (0x20..0x60) are ignored, and bytes the
 *     length announces but the line lacks are counted as garbage;
 *   - lines longer than DECODE_UU_LINE_MAX (not uuencode data) and lines
 *     starting with a character outside the set are garbage.
 *
 * The garbage count is for a notice ("this part had N damaged bytes"),
 * never a reason to refuse a part. */
#ifndef TERN_DECODE_H
#define TERN_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum decode_kind {
	DECODE_IDENTITY, /* 7bit, 8bit, binary */
	DECODE_QP,
	DECODE_BASE64,
	DECODE_UUENCODE,
};

#define DECODE_QP_HOLD_MAX 256
#define DECODE_UU_LINE_MAX 128

struct decoder {
	enum decode_kind kind;
	int state;
	unsigned acc;   /* base64: sextets so far; QP: first hex digit */
	unsigned nacc;  /* base64: sextets in acc */
	unsigned pad;   /* base64: "=" still expected to end a block */
	bool full;      /* out's maximum was reached */
	size_t garbage; /* bytes that were not valid encoding */
	size_t hold_len;
	/* QP: trailing blanks held back; uuencode: the current line */
	char hold[DECODE_QP_HOLD_MAX > DECODE_UU_LINE_MAX ?
		  DECODE_QP_HOLD_MAX : DECODE_UU_LINE_MAX];
};

/* Maps a Content-Transfer-Encoding value (ASCII case-insensitive) to a
 * decoder kind: 7bit, 8bit, binary, quoted-printable, base64, and
 * x-uuencode, x-uue, uuencode, uue.  Returns 0, or -1 for an unknown
 * value (RFC 2045 §6.4: treat the part as application/octet-stream). */
int decode_kind_from_name(const char *name, enum decode_kind *kind_r);

void decoder_init(struct decoder *d, enum decode_kind kind);

/* Decodes in[0..len) and appends what it can decode so far to out.
 * Returns 0, or -1 once out's maximum is reached: out then holds as much
 * of the decoded data as fits (a prefix of it), and further calls append
 * nothing. */
int decoder_feed(struct decoder *d, const char *in, size_t len,
		 struct buf *out) __attribute__((warn_unused_result));

/* Ends the input: appends what was held back.  Returns 0 or -1 as
 * decoder_feed().  The decoder must be decoder_init()ed before reuse. */
int decoder_finish(struct decoder *d, struct buf *out)
	__attribute__((warn_unused_result));

/* Bytes of the input seen so far that were not valid encoding. */
size_t decoder_garbage(const struct decoder *d);

/* init + feed + finish in one call.  garbage_r may be NULL. */
int decode_all(enum decode_kind kind, const char *in, size_t len,
	       struct buf *out, size_t *garbage_r)
	__attribute__((warn_unused_result));

/* A uuencoded file found in a text body; all offsets are into the text
 * given to uu_find(). */
struct uu_block {
	size_t start;    /* the "begin" line */
	size_t data;     /* the first line after it */
	size_t data_len; /* up to the "end" line: decode with DECODE_UUENCODE */
	size_t end;      /* just past the "end" line and its line break */
	unsigned mode;   /* the octal permission bits, at most 07777 */
	size_t name;     /* the file name: raw bytes; sanitise before use */
	size_t name_len;
};

/* Finds the uuencoded files in text[0..len) (a text/plain body, LF or
 * CRLF lines), in order, and stores up to max of them in blocks.  A file
 * is a line "begin MODE NAME" (MODE 1 to 4 octal digits, NAME not empty,
 * blanks around them), lines whose characters all lie in 0x20..0x60 and
 * whose count fits the length character (empty lines allowed, the usual
 * empty last line included), and a line "end".  Anything else between
 * "begin" and "end" means the text is not a uuencoded file and is left
 * alone; so are lines shortened by transports that strip trailing spaces.
 * Sets *n_r; returns 0, or 1 if more than max files were present (the
 * first max are stored).  Linear in len. */
int uu_find(const char *text, size_t len, struct uu_block *blocks,
	    size_t max, size_t *n_r);

#endif
