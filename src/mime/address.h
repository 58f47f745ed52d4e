/* address: address lists of From, To, Cc, Reply-To... (RFC 5322 §3.4).
 *
 * Reads name-addr ("Name <local@domain>"), addr-spec, groups
 * ("team: a@x, b@y;", "undisclosed-recipients:;"), quoted local parts,
 * domain literals, comments (nested, with quoted-pairs), and the obsolete
 * syntax of RFC 5322 §4.4: routes ("<@r1,@r2:user@host>", dropped),
 * phrases with dots ("Joe Q. Public"), blanks and comments around the dots
 * and '@' of an address, empty list elements.
 *
 * Display names are decoded with rfc2047_decode(): encoded words
 * (RFC 2047, also inside quotes, as everyone writes them), raw UTF-8
 * (RFC 6532), other raw bytes as windows-1252.  Names and addresses are
 * UTF-8 (bad bytes of an address become U+FFFD) and are not sanitised.
 *
 * Leniencies for broken mail (doc/VIOLATIONS.md):
 *   - a comment is the display name when there is no other
 *     ("a@x (Alice)");
 *   - ';' outside a group separates like ',', and bare addresses
 *     separated only by blanks are split ("a@x b@y");
 *   - a missing '>' ends at the next ',' or ';' or at the end;
 *   - words before a bare address are its display name ("Big Bug b@x"),
 *     an address before '<' is part of the display name
 *     ("x@y <a@b>"), "mailto:" inside '<>' is dropped like a route;
 *   - a phrase with no address is kept as a name with an empty address;
 *   - an encoded word is one word even if it holds specials
 *     ("=?utf-8?q?Doe,_John?=").
 *
 * Groups: each member carries the group's display name; an empty group
 * with a name gives one entry whose name and group are that name and
 * whose address is empty, so that "undisclosed-recipients:;" can be
 * shown.
 *
 * Time is linear in the input's length and memory linear in it and
 * bounded by max_addresses: long runs of ';', ',' or empty groups cost
 * nothing (CVE-2021-3181 in mutt). */
#ifndef TERN_ADDRESS_H
#define TERN_ADDRESS_H

#include <stddef.h>

#define MIME_ADDRESS_MAX 10000

struct mime_address {
	char *name;        /* display name, "" if none */
	char *address;     /* "local@domain" (a quoted local part keeps its
			      quotes), "" for a bare phrase or empty group */
	const char *group; /* the group's name, or NULL outside a group;
			      owned by the list */
};

struct mime_address_list {
	struct mime_address *list;
	size_t n;
	char **groups;     /* the group names the entries point to */
	size_t n_groups;
};

void mime_address_list_init(struct mime_address_list *l);
/* Frees the contents; l must be initialised again before reuse. */
void mime_address_list_release(struct mime_address_list *l);

/* Parses the (unfolded or folded) field value value[0..len) into l.  l is
 * initialised here, whatever it held (release a list before parsing into
 * it again), and must be released afterwards, also after -1.  At most
 * max_addresses entries are kept (0 means MIME_ADDRESS_MAX).  Returns 0,
 * or -1 if the limit cut the list short (l holds the first max_addresses
 * entries). */
int mime_address_parse(const char *value, size_t len, size_t max_addresses,
		       struct mime_address_list *l);

#endif
