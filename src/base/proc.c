#include "config.h"

#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t spawn(const char *command, int *to_child, int *from_child)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	/* Writes must never block: the command may be waiting for us to read
	 * its output before it reads more of its input. */
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	*to_child = in[1];
	*from_child = out[0];
	return pid;
}

enum pump_result { PUMP_DONE, PUMP_FULL, PUMP_TIMEOUT, PUMP_ERROR };

/* Feeds the input and collects the output until the command closes its
 * output, the buffer is full, or the time is up. */
static enum pump_result pump(int to, int from, const char *in, size_t len,
			     struct buf *out, int timeout_ms)
{
	size_t sent = 0;
	long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
	if (len == 0) {
		close(to);
		to = -1;
	}
	for (;;) {
		struct pollfd fds[2] = { { from, POLLIN, 0 }, { to, POLLOUT, 0 } };
		int wait = -1;
		if (timeout_ms >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return PUMP_TIMEOUT;
			wait = (int)left;
		}
		if (poll(fds, to >= 0 ? 2 : 1, wait) < 0) {
			if (errno == EINTR)
				continue;
			return PUMP_ERROR;
		}
		if (to >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(to, in + sent, len - sent);
			if (w > 0)
				sent += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == len) {
				close(to); /* the command stopped reading, or all sent */
				to = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char chunk[16384];
			ssize_t r = read(from, chunk, sizeof(chunk));
			if (r == 0)
				break;
			if (r < 0 && errno != EINTR)
				return PUMP_ERROR;
			if (r > 0 && buf_append(out, chunk, (size_t)r) < 0)
				return PUMP_FULL;
		}
	}
	if (to >= 0)
		close(to);
	return PUMP_DONE;
}

int proc_filter(const char *command, const char *label, const char *in,
		size_t len, struct buf *out, int timeout_ms, struct err *e)
{
	int to = -1, from = -1;
	/* A command that stops reading must not kill us with SIGPIPE. */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);

	pid_t pid = spawn(command, &to, &from);
	if (pid < 0) {
		sigaction(SIGPIPE, &old, NULL);
		return err_set(e, ERR_MESSAGE, ERR_SUBPROCESS,
			       _("cannot run '%s': %s"), label, strerror(errno));
	}
	enum pump_result pr = pump(to, from, in, len, out, timeout_ms);
	close(from);
	if (pr != PUMP_DONE)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);

	switch (pr) {
	case PUMP_TIMEOUT:
		return err_set(e, ERR_MESSAGE, ERR_SUBPROCESS,
			       _("'%s' took longer than %d ms and was stopped"),
			       label, timeout_ms);
	case PUMP_FULL:
		return err_set(e, ERR_MESSAGE, ERR_LIMIT,
			       _("'%s' printed more than %zu bytes"), label, out->max);
	case PUMP_ERROR:
		return err_set(e, ERR_MESSAGE, ERR_SUBPROCESS, _("'%s': %s"), label,
			       strerror(errno));
	case PUMP_DONE:
		break;
	}
	if (WIFSIGNALED(status))
		return err_set(e, ERR_MESSAGE, ERR_SUBPROCESS,
			       _("'%s' was killed by signal %d"), label,
			       WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return err_set(e, ERR_MESSAGE, ERR_SUBPROCESS,
			       _("'%s' failed with exit status %d"), label,
			       WEXITSTATUS(status));
	return 0;
}
