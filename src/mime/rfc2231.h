/* rfc2231: parameter values split into sections and carrying a charset.
 *
 * RFC 2231 lets one parameter of Content-Type or Content-Disposition be
 * spread over several, and carry its charset and language:
 *
 *   title*0*=us-ascii'en'This%20is%20even%20more%20   (§4.1)
 *   title*1*=%2A%2A%2Afun%2A%2A%2A%20
 *   title*2="isn't it!"
 *   title*=UTF-8''%E2%82%AC%20rates                    (§4)
 *   URL*0="ftp://"; URL*1="cs.utk.edu/pub"             (§3)
 *
 * The caller (the Content-Type/-Disposition parser) hands over all the
 * parameters of one header as it parsed them: names as written, values
 * with quotes removed and backslash escapes undone.  This module finds
 * those that make up one base name and builds the value:
 *   - names match case-insensitively: "base", "base*", "base*N", "base*N*"
 *     (N decimal, 1 to 3 digits, so at most 1000 sections, 0..999);
 *   - which form is used: "base*" if present, else the sections if there
 *     is a "base*0" or "base*0*", else plain "base" (so a name given both
 *     ways, as mailers do for old readers, is read in its RFC 2231 form);
 *   - sections may come in any order (§3: order is not significant); a
 *     number given twice keeps its first occurrence; the value ends at
 *     the first missing number (later sections are ignored);
 *   - only sections marked with a trailing "*" are percent-decoded ("%XX",
 *     hex in either case; a "%" not followed by two hex digits is kept as
 *     it is); only the first section (or "base*") carries charset'lang',
 *     and the language is ignored; an encoded first section without the
 *     two quotes is taken as having no charset;
 *   - the assembled bytes are at most RFC2231_VALUE_MAX.
 * Parameters of other names are ignored; nothing is allocated that
 * outlives a call. */
#ifndef TERN_RFC2231_H
#define TERN_RFC2231_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define RFC2231_SECTIONS_MAX 1000
#define RFC2231_VALUE_MAX ((size_t)1 << 20)

/* One parameter as parsed: name and value (unquoted), not NUL-terminated,
 * owned by the caller. */
struct rfc2231_param {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Appends the value of base_name among params[0..n), as UTF-8 text ready
 * to display (after sanitising):
 *   - a value in the charset'lang' form ("base*", or an encoded "base*0*"
 *     with both quotes) is converted from its charset with
 *     charset_to_utf8(); an empty, unknown or over-long charset reads as
 *     UTF-8 when valid, else windows-1252;
 *   - any other value (plain, sections without charset) goes through
 *     rfc2047_decode(), because mailers put encoded words in quoted
 *     parameter values (filename="=?UTF-8?B?...?="); so callers must not
 *     decode the result again.
 * *found_r tells whether the parameter exists (an empty value is found).
 * Returns 0 (also when not found; out is then unchanged), or -1 with
 * errno ENOSPC if the assembled value passes RFC2231_VALUE_MAX (nothing
 * is appended) or out's maximum (out ends with a valid UTF-8 prefix). */
int rfc2231_get(const struct rfc2231_param *params, size_t n,
		const char *base_name, struct buf *out, bool *found_r)
	__attribute__((warn_unused_result));

/* The same assembly without any conversion, for values that are protocol
 * tokens rather than text (boundary, charset): sections joined, encoded
 * ones percent-decoded, the charset'lang' prefix removed, and the bytes
 * appended as they are (they may be any bytes, NUL included). */
int rfc2231_get_bytes(const struct rfc2231_param *params, size_t n,
		      const char *base_name, struct buf *out, bool *found_r)
	__attribute__((warn_unused_result));

#endif
