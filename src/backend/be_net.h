/* be_net: what the POP3 and IMAP backends share about the network --
 * connection options from an account, the conn adapters their sans-I/O
 * protocol clients read and write through, the account's state files,
 * and the certificate a person accepted (pinned) or must decide on.
 *
 * Certificates: a certificate that does not verify is put to the person
 * through ui_hooks (reject, accept once, accept and pin: its SHA-256 is
 * kept in state_dir/PROTO-ACCOUNT.pin and required from then on).
 * Without ui_hooks (cron), it is refused with the tls_fingerprint line
 * to add to the account. */
#ifndef TERN_BE_NET_H
#define TERN_BE_NET_H

#include <stdbool.h>

#include "backend.h"
#include "cfg.h"
#include "conn.h"
#include "err.h"

/* The transport of one session: conn plus what its TLS handshake said of
 * an untrusted certificate. */
struct be_net_io {
	struct conn *c;
	struct conn_cert cert;
	bool cert_unverified;
};

int be_net_read_line(void *ctx, struct buf *line, struct err *e);
int be_net_read_exact(void *ctx, size_t n, struct buf *out, struct err *e);
int be_net_write(void *ctx, const char *p, size_t n, struct err *e);
int be_net_start_tls(void *ctx, struct err *e);
int be_net_start_deflate(void *ctx, struct err *e);
bool be_net_is_tls(void *ctx);

/* Connection options for acct: host, port (the account's, else
 * implicit_port or plain_port), timeouts, CA file, pin, line_max. */
void be_net_options(const struct cfg_account *acct, unsigned implicit_port,
		    unsigned plain_port, const char *pin, size_t line_max,
		    struct conn_options *o);

/* state_dir/PROTO-NAME.EXT ("pop3-home.pin"), the account name made safe
 * for a file name (%XX for anything but letters, digits, - and _). */
char *be_net_state_file(const char *state_dir, const char *proto, const char *account,
			const char *ext);

/* The pin the account requires: tls_fingerprint, else the one saved in
 * pin_path (into saved), else NULL. */
const char *be_net_pin(const struct cfg_account *acct, const char *pin_path, char saved[65]);

/* Puts the untrusted certificate c to the person.  Returns 0 when it is
 * accepted (once, or pinned: saved in pin_path), else -1 with e. */
int be_net_decide(const struct cfg_account *acct, const struct ui_hooks *ui,
		  const struct conn_cert *c, const char *pin_path, struct err *e);

/* A system that slept (a laptop's lid closed) leaves connections that
 * look alive and are not: a command on one waits its whole timeout.  The
 * clock that counts the sleep (CLOCK_BOOTTIME) then runs ahead of the
 * one that does not (CLOCK_MONOTONIC).  be_net_clock_slept() takes the
 * two clocks' readings (milliseconds) and tells whether they parted by
 * more than BE_NET_SLEPT_MS since its last call (the first call sets
 * them: false). */
#define BE_NET_SLEPT_MS 20000
struct be_net_clock {
	long long mono_ms, boot_ms;
	bool set;
};
bool be_net_clock_slept(struct be_net_clock *c, long long mono_ms, long long boot_ms);
/* The same with the clocks of now. */
bool be_net_slept(struct be_net_clock *c);

#endif
