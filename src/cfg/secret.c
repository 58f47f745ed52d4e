#include "config.h"

#include "secret.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "proc.h"

/* Output beyond the first line is read and thrown away, up to this. */
#define SECRET_OUTPUT_MAX ((size_t)1024 * 1024)

int secret_run_command(const char *command, struct buf *out, struct err *e)
{
	struct buf all;
	buf_init(&all, SECRET_OUTPUT_MAX);
	buf_wipe(out);
	/* No time limit: the command may ask a person (pinentry). */
	int rc = proc_filter(command, "password_command", "", 0, &all, -1, e);
	if (rc == 0) {
		size_t n = strcspn(all.data, "\n");
		if (n > 0 && all.data[n - 1] == '\r')
			n--;
		if (n == 0)
			rc = err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
				     _("password_command printed no password"));
		else if (buf_append(out, all.data, n) < 0)
			rc = err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				     _("password_command printed too much"));
	} else {
		e->scope = ERR_ACCOUNT;
	}
	buf_wipe(&all);
	buf_release(&all);
	if (rc < 0)
		buf_wipe(out);
	return rc;
}

int secret_get_password(const struct cfg_account *acct, secret_ask_fn *ask,
			void *ask_ctx, struct buf *out, struct err *e)
{
	if (acct->password_command != NULL) {
		if (secret_run_command(acct->password_command, out, e) < 0) {
			err_prefix(e, _("account %s"), acct->name);
			return -1;
		}
		return 0;
	}
	if (acct->password != NULL) {
		buf_wipe(out);
		if (buf_append_str(out, acct->password) < 0)
			return err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				       _("account %s: password too long"), acct->name);
		return 0;
	}
	if (ask == NULL)
		return err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE,
			       _("account %s: no password_command or password set, "
				 "and no terminal to ask on"), acct->name);
	char prompt[512];
	snprintf(prompt, sizeof(prompt), _("Password for %s@%s: "), acct->user,
		 acct->host);
	return ask(ask_ctx, prompt, out, e);
}
