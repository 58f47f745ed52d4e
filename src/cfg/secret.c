#include "config.h"

#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "i18n.h"

/* Output beyond the first line is read and thrown away, up to this. */
#define SECRET_OUTPUT_MAX ((size_t)1024 * 1024)

static int collect(int fd, struct buf *out, bool *overflow_r)
{
	char chunk[512];
	size_t total = 0;
	bool line_done = false;

	*overflow_r = false;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		total += (size_t)r;
		if (total > SECRET_OUTPUT_MAX) {
			*overflow_r = true;
			break;
		}
		for (ssize_t i = 0; i < r && !line_done; i++) {
			if (chunk[i] == '\n') {
				line_done = true;
			} else if (buf_append_char(out, chunk[i]) < 0) {
				*overflow_r = true;
				line_done = true;
			}
		}
		explicit_bzero(chunk, sizeof(chunk));
	}
	if (out->len > 0 && out->data[out->len - 1] == '\r')
		buf_truncate(out, out->len - 1);
	return 0;
}

int secret_run_command(const char *command, struct buf *out, struct err *e)
{
	int fds[2];

	buf_wipe(out);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
			       _("cannot run password_command: %s"), strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
			       _("cannot run password_command: %s"), strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	bool overflow;
	collect(fds[0], out, &overflow);
	close(fds[0]);
	if (overflow)
		kill(pid, SIGTERM);

	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			buf_wipe(out);
			return err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
				       _("password_command: %s"), strerror(errno));
		}
	}
	if (overflow) {
		buf_wipe(out);
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT,
			       _("password_command printed too much"));
	}
	if (WIFSIGNALED(status)) {
		buf_wipe(out);
		return err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
			       _("password_command was killed by signal %d"),
			       WTERMSIG(status));
	}
	if (WEXITSTATUS(status) != 0) {
		buf_wipe(out);
		return err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
			       _("password_command failed with exit status %d"),
			       WEXITSTATUS(status));
	}
	if (out->len == 0)
		return err_set(e, ERR_ACCOUNT, ERR_SUBPROCESS,
			       _("password_command printed no password"));
	return 0;
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
