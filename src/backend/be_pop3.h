/* be_pop3: a POP3 account -- new mail downloaded into the account's mbox,
 * then read there (be_mbox), offline.
 *
 * The download (be_pop3_fetch; the UI's get_mail; tern fetch):
 *   connect (net/conn.h: implicit TLS, or mandatory STLS, or plaintext
 *   only with allow_plaintext), log in (proto/pop3.h: the strongest
 *   mechanism offered), STAT, LIST, UIDL;
 *   settle what a killed run left pending (store/uidl_journal.h);
 *   the messages whose UIDL is not stored yet are retrieved (pipelined
 *   when the server offers PIPELINING) in batches; each batch is stored
 *   with the durable order of uidl_journal.h -- intent, mbox append (all or
 *   nothing, fsync'd), confirmation -- and only then deleted on the
 *   server if the policy says so (keep = no; or delete_after_days: those
 *   stored more than N days ago, from earlier runs too);
 *   QUIT commits the deletions.  On any local error (disk full, a lock,
 *   a refused append) tern sends RSET before QUIT: nothing is deleted.
 * A message whose RETR text does not match LIST's size is stored as it
 * came, with a warning, and never deleted on the server (uidl_journal_hold):
 * we may hold less than the server has.
 * Servers without UIDL: a message is known by a digest of its header
 * (TOP n 0), with a warning; a message with a bad or duplicate UIDL is
 * known the same way, never by that UIDL.
 *
 * Certificates: an unverifiable one is put to the person (ui_hooks):
 * reject, accept once, or accept and pin (its SHA-256 is kept in the
 * account's state directory and required from then on).  Without a
 * terminal, tern refuses and says which tls_fingerprint line to add. */
#ifndef TERN_BE_POP3_H
#define TERN_BE_POP3_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "cfg.h"

struct pop3_report {
	size_t listed;        /* messages on the server */
	size_t fetched;       /* new messages stored now */
	size_t deleted;       /* deleted on the server (QUIT answered +OK) */
	size_t skipped;       /* not downloaded: refused, too big, no identity */
	size_t already;       /* stored before */
	uint64_t bytes;       /* of the messages stored now */
	size_t recovered;     /* pending from a killed run, found stored */
	bool no_uidl;         /* the server has no UIDL: header digests used */
	size_t bad_uidl;      /* bad or duplicate UIDLs (digests used) */
	size_t held;          /* stored now, but their size did not match
				 LIST's: never deleted on the server */
};

/* Downloads new mail of acct (mode pop3) into its mbox; state_dir is
 * $XDG_STATE_HOME/tern.  Returns 0, or -1 with e (what was stored so far
 * stays stored; nothing unstored was deleted). */
int be_pop3_fetch(const struct cfg_account *acct, const char *state_dir,
		  const struct ui_hooks *ui, struct pop3_report *r, struct err *e);

/* Opens acct as a reader account: be_mbox on its mbox, plus get_mail. */
int be_pop3_open(struct be_account **a_r, const struct cfg_account *acct,
		 const char *cache_path, const char *state_dir,
		 const struct ui_hooks *ui, struct err *e);

#endif
