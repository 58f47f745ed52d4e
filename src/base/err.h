/* err: what went wrong, how far it reaches, and a message for a person.
 *
 * Library layers never print: a function that can fail returns -1 (or a
 * small enum) and fills a struct err.  The scope tells the caller what the
 * failure spoils, and so what to retry or give up:
 *   ERR_MESSAGE    one message (a broken part, an unreadable body);
 *   ERR_FOLDER     one folder or mailbox file (locked, vanished, corrupt);
 *   ERR_ACCOUNT    the whole account (connection, TLS, login, config);
 *   ERR_CANCELLED  the person asked to stop; not a failure to report.
 * The message is already translated and never contains a secret. */
#ifndef TERN_ERR_H
#define TERN_ERR_H

#include <stdarg.h>

enum err_scope {
	ERR_NONE = 0,
	ERR_MESSAGE,
	ERR_FOLDER,
	ERR_ACCOUNT,
	ERR_CANCELLED,
};

enum err_code {
	ERR_OK = 0,
	ERR_USAGE,     /* bad command line */
	ERR_CONFIG,    /* bad configuration file or value */
	ERR_IO,        /* a system call on a local file failed */
	ERR_NOTFOUND,  /* a file, account or message that does not exist */
	ERR_LIMIT,     /* input beyond a configured limit */
	ERR_PARSE,     /* malformed input */
	ERR_PERM,      /* permissions refuse what was asked */
	ERR_SUBPROCESS,/* a command we ran failed */
	ERR_UNAVAILABLE, /* the operation is not available in this build */
};

#define ERR_MSG_MAX 512

struct err {
	enum err_scope scope;
	enum err_code code;
	char msg[ERR_MSG_MAX];
};

void err_init(struct err *e);
/* Fills e (message formatted with printf rules, truncated to fit) and
 * returns -1, so that "return err_set(...);" reads naturally.  e may be
 * NULL. */
int err_set(struct err *e, enum err_scope scope, enum err_code code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int err_vset(struct err *e, enum err_scope scope, enum err_code code,
	     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
/* Puts "PREFIX: " in front of the existing message. */
void err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *err_scope_name(enum err_scope scope);

#endif
