/* tap.h: a minimal Test Anything Protocol producer for the unit tests.
 *
 *   ok(cond, "name %d", x);           one test point
 *   is_int(got, want, "name");         with a diagnostic on failure
 *   is_str(got, want, "name");
 *   return done_testing();             prints the plan, returns exit code
 * Names say the behaviour pinned down; failures print expected and got. */
#ifndef TERN_TAP_H
#define TERN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline int tap_okv(int cond, const char *fmt, va_list ap)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_okv(cond, fmt, ap);
	va_end(ap);
	return r;
}

static inline void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static inline int __attribute__((format(printf, 3, 4)))
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_okv(got == want, fmt, ap);
	va_end(ap);
	if (!r)
		diag("expected %lld, got %lld", want, got);
	return r;
}

static inline int __attribute__((format(printf, 3, 4)))
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int same = (got == NULL && want == NULL) ||
		   (got != NULL && want != NULL && strcmp(got, want) == 0);
	int r = tap_okv(same, fmt, ap);
	va_end(ap);
	if (!r)
		diag("expected \"%s\", got \"%s\"", want ? want : "(null)",
		     got ? got : "(null)");
	return r;
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
