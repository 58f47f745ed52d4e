#include "config.h"

#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"

static volatile sig_atomic_t tty_signal;

static void on_signal(int sig)
{
	tty_signal = sig;
}

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP,
			      SIGTTIN, SIGTTOU };
#define N_CAUGHT (sizeof(caught) / sizeof(caught[0]))

static void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Reads bytes up to a newline; returns 0, or -1 with errno (EINTR when a
 * signal arrived, ENOSPC when too long, 0 at end of input). */
static int read_line(int fd, struct buf *out)
{
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = 0;
			return -1;
		}
		if (c == '\n' || c == '\r')
			return 0;
		if (buf_append_char(out, c) < 0) {
			errno = ENOSPC;
			return -1;
		}
	}
}

int tty_read_secret(const char *prompt, struct buf *out, struct err *e)
{
	buf_wipe(out);
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE,
			       _("no terminal to ask for the password on"));

	struct termios old, quiet;
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return err_set(e, ERR_ACCOUNT, ERR_UNAVAILABLE,
			       _("no terminal to ask for the password on"));
	}

	struct sigaction sa, saved[N_CAUGHT];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: read() must return */
	sigemptyset(&sa.sa_mask);
	tty_signal = 0;
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaction(caught[i], &sa, &saved[i]);

	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	quiet.c_lflag |= ECHONL | ICANON;
	tcsetattr(fd, TCSAFLUSH, &quiet);

	write_all(fd, prompt, strlen(prompt));
	int rc = read_line(fd, out);
	int saved_errno = errno;

	tcsetattr(fd, TCSAFLUSH, &old);
	if (rc < 0 && tty_signal != 0)
		write_all(fd, "\n", 1);
	close(fd);
	for (size_t i = 0; i < N_CAUGHT; i++)
		sigaction(caught[i], &saved[i], NULL);

	if (tty_signal != 0) {
		int sig = tty_signal;
		buf_wipe(out);
		raise(sig);
		return err_set(e, ERR_CANCELLED, ERR_OK, _("cancelled"));
	}
	if (rc < 0) {
		buf_wipe(out);
		if (saved_errno == ENOSPC)
			return err_set(e, ERR_ACCOUNT, ERR_LIMIT, _("password too long"));
		return err_set(e, ERR_ACCOUNT, ERR_IO,
			       _("no password entered (end of input)"));
	}
	return 0;
}
