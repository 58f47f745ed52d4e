#include "config.h"

#include "err.h"

#include <stdio.h>
#include <string.h>

void err_init(struct err *e)
{
	e->scope = ERR_NONE;
	e->code = ERR_OK;
	e->msg[0] = '\0';
}

int err_vset(struct err *e, enum err_scope scope, enum err_code code,
	     const char *fmt, va_list ap)
{
	if (e == NULL)
		return -1;
	e->scope = scope;
	e->code = code;
	if (vsnprintf(e->msg, sizeof(e->msg), fmt, ap) < 0)
		e->msg[0] = '\0';
	return -1;
}

int err_set(struct err *e, enum err_scope scope, enum err_code code,
	    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, scope, code, fmt, ap);
	va_end(ap);
	return -1;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	char out[ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t at = strlen(out);
	size_t room = sizeof(out) - 1 - at;
	const char *parts[2] = { ": ", e->msg };
	for (int i = 0; i < 2; i++) {
		size_t len = strlen(parts[i]);
		if (len > room)
			len = room;
		memcpy(out + at, parts[i], len);
		at += len;
		room -= len;
	}
	out[at] = '\0';
	memcpy(e->msg, out, at + 1);
}

const char *err_scope_name(enum err_scope scope)
{
	static const char *const names[] = {
		[ERR_NONE] = "none",
		[ERR_MESSAGE] = "message",
		[ERR_FOLDER] = "folder",
		[ERR_ACCOUNT] = "account",
		[ERR_CANCELLED] = "cancelled",
	};
	if ((unsigned)scope < sizeof(names) / sizeof(names[0]))
		return names[scope];
	return "unknown";
}
