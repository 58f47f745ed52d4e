#include "config.h"

#include <string.h>

#include "err.h"
#include "tap.h"

int main(void)
{
	struct err e;
	err_init(&e);
	is_int(e.scope, ERR_NONE, "a new error has no scope");
	is_str(e.msg, "", "a new error has no message");

	is_int(err_set(&e, ERR_FOLDER, ERR_IO, "cannot open %s", "INBOX"), -1,
	       "err_set returns -1");
	is_int(e.scope, ERR_FOLDER, "scope recorded");
	is_int(e.code, ERR_IO, "code recorded");
	is_str(e.msg, "cannot open INBOX", "message formatted");

	err_prefix(&e, "account %s", "home");
	is_str(e.msg, "account home: cannot open INBOX", "prefix prepended");

	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ERR_MESSAGE, ERR_PARSE, "%s", big);
	is_int((long long)strlen(e.msg), ERR_MSG_MAX - 1, "long message truncated to fit");
	err_prefix(&e, "p");
	is_int((long long)strlen(e.msg), ERR_MSG_MAX - 1, "prefix on a full message stays in bounds");
	ok(strncmp(e.msg, "p: xxx", 6) == 0, "prefix kept when truncating");

	is_int(err_set(NULL, ERR_ACCOUNT, ERR_IO, "x"), -1, "NULL error accepted");
	is_str(err_scope_name(ERR_CANCELLED), "cancelled", "scope names");
	is_str(err_scope_name((enum err_scope)99), "unknown", "unknown scope name");
	return done_testing();
}
