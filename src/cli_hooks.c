#include "config.h"

#include "cli_hooks.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "sanitize.h"
#include "tty.h"

/* ------------------------------------------------------------ a person at a terminal */

static int ask_password(void *ctx, const char *account, const char *prompt, struct buf *out)
{
	(void)ctx;
	(void)account;
	struct err e;
	err_init(&e);
	return tty_read_secret(prompt, out, &e);
}

/* The progress line on standard error, redrawn at most ten times a
 * second. */
static bool show_progress(void *ctx, const char *what, uint64_t done, uint64_t total,
			  const char *unit)
{
	struct cli_hooks *pl = ctx;
	double secs = progress_clock_seconds(&pl->clock, done, total);
	if (pl->drawn && secs - pl->drawn_at < 0.1 && secs >= pl->drawn_at && done < total)
		return true;
	struct buf b;
	buf_init(&b, 1024);
	progress_text_format(&b, what, done, total, strcmp(unit, "bytes") == 0, secs, 20);
	/* The line is redrawn in place: CR, the text, erase to its end. */
	fprintf(stderr, "\r%s\033[K", b.data);
	fflush(stderr);
	buf_release(&b);
	pl->drawn_at = secs;
	pl->drawn = true;
	return true;
}

static enum be_cert_decision ask_certificate(void *ctx, const struct be_cert_info *c)
{
	(void)ctx;
	struct buf subject, issuer;
	buf_init(&subject, 2048);
	buf_init(&issuer, 2048);
	buf_cut_ok(sanitize_text(c->subject, strlen(c->subject), SANITIZE_LINE, &subject));
	buf_cut_ok(sanitize_text(c->issuer, strlen(c->issuer), SANITIZE_LINE, &issuer));
	fprintf(stderr, _("The certificate of %s is not trusted: %s\n"
			  "  subject: %s\n  issuer:  %s\n  SHA-256: %s\n"),
		c->host, c->problem, subject.data, issuer.data, c->sha256);
	buf_release(&subject);
	buf_release(&issuer);
	fprintf(stderr, _("(r)eject, accept (o)nce, (a)ccept and remember? "));
	fflush(stderr);
	char line[16];
	FILE *tty = fopen("/dev/tty", "re");
	bool got = tty != NULL && fgets(line, sizeof(line), tty) != NULL;
	if (tty != NULL)
		fclose(tty);
	if (!got)
		return BE_CERT_REJECT;
	if (line[0] == 'o' || line[0] == 'O')
		return BE_CERT_ACCEPT_ONCE;
	if (line[0] == 'a' || line[0] == 'A')
		return BE_CERT_ACCEPT_PIN;
	return BE_CERT_REJECT;
}


const struct ui_hooks *cli_hooks_init(struct cli_hooks *h)
{
	memset(h, 0, sizeof(*h));
	h->hooks = (struct ui_hooks){
		.ctx = h, .password = ask_password, .certificate = ask_certificate,
		.progress = show_progress,
	};
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO) ? &h->hooks : NULL;
}

void cli_hooks_finish(struct cli_hooks *h)
{
	if (h->drawn)
		fputc('\n', stderr);
	h->drawn = false;
}
