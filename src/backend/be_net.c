#include "config.h"

#include "be_net.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "str.h"

int be_net_read_line(void *ctx, struct buf *line, struct err *e)
{
	return conn_read_line(((struct be_net_io *)ctx)->c, line, e);
}

int be_net_read_exact(void *ctx, size_t n, struct buf *out, struct err *e)
{
	buf_reset(out);
	return conn_read_exact(((struct be_net_io *)ctx)->c, n, out, e);
}

int be_net_write(void *ctx, const char *p, size_t n, struct err *e)
{
	return conn_write(((struct be_net_io *)ctx)->c, p, n, e);
}

int be_net_start_tls(void *ctx, struct err *e)
{
	struct be_net_io *x = ctx;
	int rc = conn_start_tls(x->c, &x->cert, e);
	if (rc < 0 && e->code == CONN_ERR_TLS_UNVERIFIED)
		x->cert_unverified = true;
	return rc;
}

int be_net_start_deflate(void *ctx, struct err *e)
{
	return conn_start_deflate(((struct be_net_io *)ctx)->c, e);
}

bool be_net_is_tls(void *ctx)
{
	return conn_is_tls(((struct be_net_io *)ctx)->c);
}

void be_net_options(const struct cfg_account *a, unsigned implicit_port, unsigned plain_port,
		    const char *pin, size_t line_max, struct conn_options *o)
{
	memset(o, 0, sizeof(*o));
	o->host = a->host;
	o->port = a->port ? a->port : a->tls == CFG_TLS_IMPLICIT ? implicit_port : plain_port;
	o->ca_file = a->tls_ca_file;
	o->pin_sha256 = pin;
	o->line_max = line_max;
	o->implicit_tls = a->tls == CFG_TLS_IMPLICIT;
	o->connect_ms = o->tls_ms = (int)a->connect_timeout * 1000;
	o->read_ms = o->write_ms = (int)a->timeout * 1000;
}

char *be_net_state_file(const char *state_dir, const char *proto, const char *account,
			const char *ext)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_cut_ok(buf_printf(&b, "%s/%s-", state_dir, proto));
	for (const char *p = account; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_')
			buf_cut_ok(buf_append_char(&b, (char)c));
		else
			buf_cut_ok(buf_printf(&b, "%%%02X", c));
	}
	buf_cut_ok(buf_printf(&b, ".%s", ext));
	return buf_detach(&b, NULL);
}

const char *be_net_pin(const struct cfg_account *acct, const char *pin_path, char saved[65])
{
	if (acct->tls_fingerprint != NULL)
		return acct->tls_fingerprint;
	FILE *f = fopen(pin_path, "re");
	char line[128];
	bool ok = f != NULL && fgets(line, sizeof(line), f) != NULL &&
		  conn_pin_normalise(str_trim(line), saved) == 0;
	if (f != NULL)
		fclose(f);
	return ok ? saved : NULL;
}

/* Writes the pin whole (new file, fsync, rename), or not at all. */
static void save_pin(const char *path, const char *pin)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	FILE *f = fopen(tmp, "wxe");
	if (f == NULL)
		return;
	fprintf(f, "%s\n", pin);
	if (fflush(f) == 0 && fsync(fileno(f)) == 0 && fclose(f) == 0)
		rename(tmp, path);
	else
		unlink(tmp);
}

int be_net_decide(const struct cfg_account *acct, const struct ui_hooks *ui,
		  const struct conn_cert *c, const char *pin_path, struct err *e)
{
	if (ui == NULL || ui->certificate == NULL)
		return err_set(e, ERR_ACCOUNT, CONN_ERR_TLS_UNVERIFIED,
			       _("%s: the server's certificate is not trusted (%s); nothing "
				 "was sent.  If you know it is right, add to [account %s]: "
				 "tls_fingerprint = %s"), acct->host, c->problem, acct->name,
			       c->sha256);
	struct be_cert_info ci = {
		.host = acct->host, .subject = c->subject, .issuer = c->issuer,
		.sha256 = c->sha256, .problem = c->problem,
		.not_before = (time_t)c->not_before, .not_after = (time_t)c->not_after,
	};
	enum be_cert_decision d = ui->certificate(ui->ctx, &ci);
	if (d == BE_CERT_REJECT)
		return err_set(e, ERR_ACCOUNT, CONN_ERR_TLS_UNVERIFIED,
			       _("%s: certificate rejected; nothing was sent"), acct->host);
	if (d == BE_CERT_ACCEPT_PIN)
		save_pin(pin_path, c->sha256);
	return 0;
}

/* ------------------------------------------------------------ sleep */

bool be_net_clock_slept(struct be_net_clock *c, long long mono_ms, long long boot_ms)
{
	bool slept = c->set && (boot_ms - c->boot_ms) - (mono_ms - c->mono_ms) > BE_NET_SLEPT_MS;
	*c = (struct be_net_clock){ mono_ms, boot_ms, true };
	return slept;
}

static long long clock_ms(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool be_net_slept(struct be_net_clock *c)
{
#ifdef CLOCK_BOOTTIME
	return be_net_clock_slept(c, clock_ms(CLOCK_MONOTONIC), clock_ms(CLOCK_BOOTTIME));
#else
	(void)c;
	return false; /* no way to tell: the read timeouts remain */
#endif
}
