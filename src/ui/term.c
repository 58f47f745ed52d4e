#include "config.h"

#include "term.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "width.h"

#define RESET_MAX 256

/* The saved terminal, for the signal handlers (see term.h). */
static struct {
	bool started;
	bool have_termios;
	struct termios termios;
	char reset[RESET_MAX]; /* the terminal's own strings to undo curses */
	size_t reset_len;
} saved;

static volatile sig_atomic_t interrupted;

static const int fatal_signals[] = {
	SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGTERM, SIGHUP, SIGQUIT,
};

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Async-signal-safe: tcsetattr, write, signal, raise. */
static void on_fatal(int sig)
{
	if (saved.started) {
		if (saved.have_termios)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved.termios);
		if (write(STDOUT_FILENO, saved.reset, saved.reset_len) < 0) {
			/* nothing more can be done here */
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_reset(const char *capname)
{
	char *s = tigetstr((char *)capname);
	if (s == NULL || s == (char *)-1)
		return;
	size_t n = strlen(s);
	if (saved.reset_len + n < RESET_MAX) {
		memcpy(saved.reset + saved.reset_len, s, n);
		saved.reset_len += n;
	}
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	sa.sa_handler = on_interrupt;
	sa.sa_flags = 0; /* interrupt a blocking read: work checks the flag */
	sigaction(SIGINT, &sa, NULL);
}

static void restore_handlers(void)
{
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		signal(fatal_signals[i], SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

int term_start(struct err *e)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(e, ERR_ACCOUNT, ERR_USAGE,
			       _("the reader needs a terminal on its input and output"));
	saved.have_termios = tcgetattr(STDIN_FILENO, &saved.termios) == 0;
	/* Our handlers first: curses installs its own only where none is. */
	install_handlers();
	if (newterm(NULL, stdout, stdin) == NULL) {
		restore_handlers();
		const char *t = getenv("TERM");
		return err_set(e, ERR_ACCOUNT, ERR_USAGE,
			       _("cannot use the terminal (TERM=%s)"), t ? t : "");
	}
	saved.reset_len = 0;
	add_reset("rmcup");
	add_reset("sgr0");
	add_reset("cnorm");
	add_reset("rmkx");
	saved.started = true;
	atexit(term_stop);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	return 0;
}

void term_stop(void)
{
	if (!saved.started)
		return;
	endwin();
	saved.started = false;
	restore_handlers();
}

bool term_started(void)
{
	return saved.started;
}

int term_key(int timeout_ms, int fd)
{
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	/* curses may hold keys already read (a function key's tail). */
	nodelay(stdscr, TRUE);
	wint_t ch;
	int rc = wget_wch(stdscr, &ch);
	if (rc == ERR) {
		int r = poll(p, fd >= 0 ? 2 : 1, timeout_ms);
		if (r <= 0)
			return TERM_KEY_NONE;
		if (fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			return TERM_KEY_FD;
		nodelay(stdscr, FALSE);
		timeout(50); /* the rest of an escape sequence */
		rc = wget_wch(stdscr, &ch);
	}
	if (rc == ERR)
		return TERM_KEY_NONE;
	return rc == KEY_CODE_YES ? TERM_FKEY((int)ch) : (int)ch;
}

bool term_interrupted(void)
{
	bool r = interrupted != 0;
	interrupted = 0;
	return r;
}

void term_put(int y, int x, const char *text, size_t len, int cols, int attr, bool pad)
{
	if (cols <= 0)
		return;
	struct buf b;
	buf_init(&b, (size_t)cols * 8 + 16);
	buf_cut_ok(width_fit(text, len, (size_t)cols, &b));
	size_t w = width_of(text, len);
	if (!pad && w < (size_t)cols) {
		/* width_fit padded the text out to cols: take that off. */
		size_t extra = (size_t)cols - w;
		b.len = b.len >= extra ? b.len - extra : 0;
		b.data[b.len] = '\0';
	}
	attrset(attr);
	mvaddnstr(y, x, b.data, (int)b.len);
	attrset(A_NORMAL);
	buf_release(&b);
}

void term_suspend(void)
{
	if (!saved.started)
		return;
	def_prog_mode();
	endwin();
}

void term_resume(void)
{
	if (!saved.started)
		return;
	reset_prog_mode();
	refresh();
}
