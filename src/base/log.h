/* log: the diagnostic log, written only to a file named by --log.
 *
 * Never to the screen (curses owns it), never a secret: callers must not
 * pass passwords or tokens, and as a second line of defence every secret
 * registered with log_add_secret() is replaced by "********" in each line
 * before it is written.  Control characters in a line are written as \xNN
 * so that server or message bytes cannot drive the terminal of whoever
 * reads the log.  All functions accept a logger that was never opened (or
 * NULL) and then do nothing, so code can log unconditionally. */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include <stdarg.h>

#include "err.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_SECRETS_MAX 8
#define LOG_LINE_MAX 8192

struct logger {
	int fd; /* -1 when closed */
	enum log_level level;
	char *secrets[LOG_SECRETS_MAX];
};

void log_init(struct logger *lg);
/* Opens (creating with mode 0600, appending, never following a symlink)
 * the log file.  Returns 0 or -1 with e filled. */
int log_open(struct logger *lg, const char *path, enum log_level level,
	     struct err *e);
/* Closes the file and wipes the registered secrets. */
void log_release(struct logger *lg);
/* Remembers a secret to redact from every later line (copied; wiped on
 * release).  Empty strings are ignored. */
void log_add_secret(struct logger *lg, const char *secret);

void log_write(struct logger *lg, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vwrite(struct logger *lg, enum log_level level, const char *fmt,
		va_list ap) __attribute__((format(printf, 3, 0)));

#define log_error(lg, ...) log_write((lg), LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(lg, ...) log_write((lg), LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(lg, ...) log_write((lg), LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(lg, ...) log_write((lg), LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
