/* str: checked conversions and small string helpers.
 * Replaces atoi/strtol-without-checks, strcpy/strcat and friends. */
#ifndef TERN_STR_H
#define TERN_STR_H

#include <stdbool.h>
#include <stddef.h>

/* Parses a whole decimal number (no sign, no spaces, no trailing bytes) in
 * [min, max].  Returns 0, or -1 if s is not such a number. */
int str_to_ulong(const char *s, unsigned long min, unsigned long max,
		 unsigned long *value_r);

/* Copies src into dst of size dstsize, always NUL-terminating.  Returns 0,
 * or -1 if src did not fit (dst then holds a truncated copy). */
int str_copy(char *dst, size_t dstsize, const char *src);

/* The value of a hexadecimal digit (either case), or -1. */
int str_hex_value(int c);

/* ASCII-only case-insensitive comparisons, independent of the locale. */
bool str_eq_ci(const char *a, const char *b);
bool str_eqn_ci(const char *a, const char *b, size_t n);
bool str_has_prefix(const char *s, const char *prefix);

/* Removes leading and trailing ASCII blanks (space, tab, CR, LF) in place
 * and returns s advanced past the leading ones. */
char *str_trim(char *s);

/* Joins two path pieces with one '/', in a newly allocated string. */
char *str_path_join(const char *dir, const char *name);

#endif
