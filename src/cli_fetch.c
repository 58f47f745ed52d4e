#include "config.h"

#include "cli_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "be_pop3.h"
#include "buf.h"
#include "fsutil.h"
#include "i18n.h"
#include "progress_text.h"
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
struct progress_line {
	struct progress_clock clock;
	double drawn_at;      /* seconds into the work of the last drawing */
	bool drawn;           /* something is on the line */
};

static bool show_progress(void *ctx, const char *what, uint64_t done, uint64_t total,
			  const char *unit)
{
	struct progress_line *pl = ctx;
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


/* ------------------------------------------------------------ fetch */

int cli_fetch(const struct cfg_account *acct, struct logger *lg, struct err *e)
{
	char *state_dir = fs_xdg_dir(XDG_STATE, true, e);
	if (state_dir == NULL)
		return -1;
	bool person = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	struct pop3_report r;
	log_info(lg, "fetch %s: %s:%u", acct->name, acct->host, cfg_account_port(acct));
	struct progress_line pl = { 0 };
	const struct ui_hooks terminal_hooks = {
		.ctx = &pl, .password = ask_password, .certificate = ask_certificate,
		.progress = show_progress,
	};
	int rc = be_pop3_fetch(acct, state_dir, person ? &terminal_hooks : NULL, &r, e);
	free(state_dir);
	if (pl.drawn)
		fputc('\n', stderr);
	if (r.no_uidl)
		fprintf(stderr, _("tern: warning: %s has no UIDL: messages are known by "
				  "their headers\n"), acct->host);
	if (r.bad_uidl > 0)
		fprintf(stderr, _("tern: warning: %s gave %zu bad or duplicate UIDLs\n"),
			acct->host, r.bad_uidl);
	if (r.held > 0)
		fprintf(stderr, _("tern: warning: %zu messages from %s were not the size the "
				  "server announced; they are stored as they came and left on "
				  "the server\n"), r.held, acct->host);
	char size[32];
	if (r.bytes >= (1u << 20))
		snprintf(size, sizeof(size), "%.1f MB", (double)r.bytes / (1 << 20));
	else
		snprintf(size, sizeof(size), "%.0f KB", (double)r.bytes / 1024);
	/* After an error the summary says only what was stored before it. */
	if (rc == 0 || r.fetched > 0)
		printf(_("%s: %zu new (%s), %zu deleted on the server, %zu skipped, %zu on "
			 "the server\n"), acct->name, r.fetched, size, r.deleted, r.skipped,
		       r.listed);
	log_info(lg, "fetch %s: %zu new, %zu deleted, %zu skipped, %zu recovered", acct->name,
		 r.fetched, r.deleted, r.skipped, r.recovered);
	return rc;
}
