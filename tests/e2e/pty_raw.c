/* The reader on a pseudo-terminal, every byte it writes checked.
 *
 * A message whose sender, subject and body are full of escape sequences
 * (OSC title and clipboard, DCS, CSI), C1 controls (raw and as UTF-8),
 * bidi overrides and a bell is listed and opened in the real binary; all
 * output is read from the pty master.  The terminal type is vt100 (no
 * colours, no alternate screen), so curses itself never sends OSC, DCS
 * or 8-bit controls: any found came from the message.  The output must
 * also be valid UTF-8 apart from curses' own 7-bit escape sequences. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#define OUT_MAX (1 << 22)

static char out[OUT_MAX];
static size_t out_len;

static const char hostile[] =
	"From evil@example.org Mon Jan  5 09:12:00 2026\n"
	"From: \"Evil \x1b]0;PWNED-TITLE\x07 Sender\" <evil@example.org>\n"
	"Subject: hi \x1b]52;c;aGVsbG8=\x07 \xc2\x9b" "31m red \xe2\x80\xae" "gnp.exe \x9b" "2J\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"\n"
	"BODYMARK \x1bP1$r\x1b\\ dcs \x1b[6n dsr \x07 bell \xc2\x85 nel\n"
	"more \x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\ text\n"
	"\xe2\x81\xa6isolate\xe2\x81\xa9 end\n";

static const char *find(const char *needle, size_t n)
{
	return memmem(out, out_len, needle, n);
}

/* Reads what the child writes until needle appears (or timeout_ms). */
static bool read_until(int fd, const char *needle, int timeout_ms)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (needle != NULL && find(needle, strlen(needle)) != NULL)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (ms >= timeout_ms)
			return needle == NULL;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(timeout_ms - ms)) <= 0)
			continue;
		ssize_t r = read(fd, out + out_len, OUT_MAX - 1 - out_len);
		if (r <= 0)
			return needle == NULL;
		out_len += (size_t)r;
	}
}

/* Whether the output is valid UTF-8 once curses' own 7-bit sequences
 * (ESC then printable ASCII) are taken as ASCII. */
static bool valid_utf8(size_t *bad_at)
{
	for (size_t i = 0; i < out_len;) {
		unsigned char c = (unsigned char)out[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > out_len) {
			*bad_at = i;
			return false;
		}
		for (size_t k = 1; k < n; k++) {
			if (((unsigned char)out[i + k] & 0xc0) != 0x80) {
				*bad_at = i;
				return false;
			}
		}
		if (n == 2 && c == 0xc2 && (unsigned char)out[i + 1] <= 0x9f) {
			*bad_at = i; /* a C1 control written as UTF-8 */
			return false;
		}
		i += n;
	}
	return true;
}

int main(void)
{
	const char *tern = getenv("TERN");
	if (tern == NULL) {
		printf("1..0 # SKIP TERN not set\n");
		return 0;
	}
	char *dir = tu_tempdir();
	char mbox[4300], home[4300];
	snprintf(mbox, sizeof(mbox), "%s/evil.mbox", dir);
	snprintf(home, sizeof(home), "%s", dir);
	tu_write(mbox, hostile, strlen(hostile));

	struct winsize ws = { .ws_row = 24, .ws_col = 100 };
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		printf("1..0 # SKIP no pseudo-terminal: %s\n", strerror(errno));
		return 0;
	}
	if (pid == 0) {
		setenv("TERM", "vt100", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("HOME", home, 1);
		setenv("XDG_CONFIG_HOME", home, 1);
		setenv("XDG_CACHE_HOME", home, 1);
		unsetenv("NO_COLOR");
		execl(tern, tern, mbox, (char *)NULL);
		_exit(127);
	}
	ok(read_until(master, "Msgs:1", 10000), "the index is drawn");
	if (write(master, "\r", 1) != 1)
		diag("write failed");
	ok(read_until(master, "BODYMARK", 10000), "the message is opened");
	if (write(master, "h", 1) != 1)
		diag("write failed");
	read_until(master, NULL, 700);
	if (write(master, "qq", 2) != 2)
		diag("write failed");
	int status = 0;
	bool exited = false;
	for (int i = 0; i < 100 && !exited; i++) {
		read_until(master, NULL, 100);
		exited = waitpid(pid, &status, WNOHANG) == pid;
		if (!exited) {
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, NULL); /* the pty may be closed already */
		}
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ok(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "tern quits normally (exited %d, status %d)", exited, WIFEXITED(status) ?
	   WEXITSTATUS(status) : -WTERMSIG(status));
	if (!(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		/* What tern last wrote: an error, or a sanitizer's report. */
		size_t from = out_len > 1500 ? out_len - 1500 : 0;
		diag("last output: %.*s", (int)(out_len - from), out + from);
	}
	close(master);

	ok(find("\x1b]", 2) == NULL, "no OSC sequence (title, clipboard, hyperlink) reached the terminal");
	ok(find("\x1bP", 2) == NULL, "no DCS sequence");
	ok(find("\x1b[6n", 4) == NULL, "no device status request");
	ok(find("\x07", 1) == NULL, "no bell");
	ok(find("\xe2\x80\xae", 3) == NULL && find("\xe2\x81\xa6", 3) == NULL,
	   "no bidi override or isolate");
	size_t bad = 0;
	ok(valid_utf8(&bad), "no raw or UTF-8 C1 control, nothing but valid UTF-8 (first bad byte "
	   "at %zu of %zu)", bad, out_len);
	ok(find("\xe2\x90\x9b", 3) != NULL, "ESC is shown as the visible symbol instead");
	ok(find("PWNED-TITLE", 11) != NULL, "and the rest of the text is still shown");
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
