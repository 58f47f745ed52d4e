/* params: the structured values of Content-Type, Content-Disposition and
 * Content-Transfer-Encoding (RFC 2045 §5.1 and §6, RFC 2046, RFC 2183,
 * RFC 2231).
 *
 *   type/subtype; name=value; name="quoted \" value"; name*=utf-8''%C3%A4
 *
 * The parser never fails on bad input; it keeps what it can read, as
 * mail clients do (doc/VIOLATIONS.md):
 *   - type, subtype and parameter names are lower-cased; values keep
 *     their case;
 *   - blanks are allowed around '/', ';' and '=', comments "(...)"
 *     (RFC 822 CFWS) are skipped between the parts;
 *   - an unquoted value runs to the next ';', blanks and tspecials
 *     included ("name=This is a test.txt", "name==?utf-8?B?...?="),
 *     trailing blanks dropped; but a value that is one token followed
 *     only by a comment is that token ("charset=us-ascii (Plain)"), and a
 *     blank followed by "token=" starts the next parameter (a missing ';');
 *   - a quoted value without its closing quote runs to the end; after a
 *     closing quote, anything up to the next ';' that is not a parameter
 *     is dropped;
 *   - a parameter without '=' and runs of ';' are skipped;
 *   - a parameter that repeats a name already seen is dropped (the first
 *     one wins).
 *
 * Limits: at most MIME_PARAMS_MAX parameters are kept and at most
 * MIME_PARAMS_MAX_VALUE bytes of a field value are read; a decoded value
 * is cut (at a UTF-8 boundary) at MIME_PARAMS_MAX_VALUE bytes.  Time and
 * memory are linear in the value's length. */
#ifndef TERN_PARAMS_H
#define TERN_PARAMS_H

#include <stddef.h>

#define MIME_PARAMS_MAX 256
#define MIME_PARAMS_MAX_VALUE ((size_t)64 * 1024)

/* One parameter.  In mime_params.raw: name as written but lower-cased
 * ("filename*0*"), value without quotes and quoted-pair backslashes, not
 * decoded.  In mime_params.decoded: the base name ("filename") and the
 * decoded UTF-8 value. */
struct mime_param {
	char *name;
	char *value;
};

/* A parsed field.  Every string is owned by the struct and freed by
 * mime_params_release().  After mime_params_init() type and subtype are
 * NULL; after a parse they are never NULL (possibly ""). */
struct mime_params {
	char *type;     /* lower case */
	char *subtype;  /* lower case, "" when there is none */
	struct mime_param *raw;      /* parameters as written, in order */
	size_t n_raw;
	struct mime_param *decoded;  /* one per base name, in order */
	size_t n_decoded;
};

void mime_params_init(struct mime_params *p);
/* Frees the contents; p must be mime_params_init()ed again before reuse. */
void mime_params_release(struct mime_params *p);

/* Parses the field value value[0..len) into p (which must be initialised
 * and is overwritten): type is the first token ("" if the value does not
 * start with one), subtype the token after '/' ("" if none).  Suits
 * Content-Disposition (RFC 2183; "attachment", "inline", or a type the
 * caller should treat as "attachment", §2.8).  Returns 0, or 1 if a limit
 * cut the parse short (p then holds what was read: still usable). */
int mime_params_parse(const char *value, size_t len, struct mime_params *p);

/* mime_params_parse() for Content-Type, then the defaults for what is
 * broken: a type without subtype becomes text/plain for "text"
 * (RFC 2045 §5.2), multipart/mixed for "multipart" (RFC 2046 §5.1.3) and
 * application/octet-stream otherwise; a value that does not start with a
 * token (garbage) becomes application/octet-stream.  An empty value (only
 * blanks and comments) leaves type and subtype "", so that the caller
 * applies the default of the context (text/plain, or message/rfc822 in a
 * multipart/digest, RFC 2046 §5.1.5).  Returns as mime_params_parse(). */
int mime_params_parse_content_type(const char *value, size_t len,
				   struct mime_params *p);

/* The decoded UTF-8 value of parameter name (ASCII case-insensitive, the
 * base name without RFC 2231 '*' suffixes), or NULL if absent:
 *   - RFC 2231 forms (name*, name*0, name*0*, ...) take precedence over a
 *     plain name=, and are joined and converted to UTF-8;
 *   - a plain value is read as RFC 2047 text: encoded words are decoded
 *     (Outlook writes filename="=?utf-8?B?...?="), raw bytes are kept if
 *     valid UTF-8 and read as windows-1252 if not.
 * Values are decoded once, during the parse.  Not sanitised: may contain
 * control characters and path separators. */
const char *mime_params_get(const struct mime_params *p, const char *name);

/* The value of the parameter written exactly as name (ASCII
 * case-insensitive, no RFC 2231 joining), unquoted but not decoded, or
 * NULL.  For values that must stay byte-exact, such as boundary. */
const char *mime_params_get_raw(const struct mime_params *p, const char *name);

/* The file name of a part: Content-Disposition's filename, else
 * Content-Type's name (either pointer may be NULL), decoded; an empty
 * value counts as absent.  NULL if there is none.  Untrusted: the caller
 * must strip directories and control characters before using it. */
const char *mime_params_filename(const struct mime_params *disposition,
				 const struct mime_params *content_type);

/* Content-Transfer-Encoding (RFC 2045 §6). */
enum mime_cte {
	MIME_CTE_7BIT,
	MIME_CTE_8BIT,
	MIME_CTE_BINARY,
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_UUENCODE, /* x-uuencode, x-uue, uuencode, uue */
	MIME_CTE_UNKNOWN,  /* RFC 2045 §6.4: treat as application/octet-stream */
};

/* Reads the mechanism of value[0..len): case-insensitive, blanks,
 * comments and anything after ';' ignored.  Empty means 7bit (the §6.1
 * default).  Real-world misspellings are accepted: "7-bit", "8bits",
 * "quoted printable", "base-64". */
enum mime_cte mime_cte_parse(const char *value, size_t len);

/* The canonical name of a mechanism ("quoted-printable"), for display. */
const char *mime_cte_name(enum mime_cte cte);

#endif
