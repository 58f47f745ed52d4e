/* be_imap: an IMAP account -- the mail stays on the server (issue 7).
 *
 * This stage: the connection, the folder list, and reading folders
 * without a cache (be_imap_open).
 *   be_imap_connect: connect (implicit TLS, or mandatory STARTTLS, or
 *   plaintext only with allow_plaintext), a certificate that does not
 *   verify put to the person or refused (be_net.h, pin file
 *   imap-ACCOUNT.pin), log in (proto/imap.h: the strongest mechanism
 *   offered), ENABLE CONDSTORE, QRESYNC and UTF8=ACCEPT where offered.
 *   With a logger, every protocol line goes to the log (secrets masked:
 *   "t3 LOGIN user ***").
 *   be_imap_folders: the folders with their special-use roles and
 *   counts, in one LIST ... RETURN (SPECIAL-USE SUBSCRIBED STATUS
 *   (MESSAGES UNSEEN)) where LIST-EXTENDED and LIST-STATUS are offered
 *   (RFC 5258, RFC 5819, RFC 6154), else LIST, LSUB and a STATUS per
 *   folder, pipelined.  A name that is not valid modified UTF-7 (or
 *   UTF-8) is listed escaped and not selectable: it is never used as a
 *   name to open. */
#ifndef TERN_BE_IMAP_H
#define TERN_BE_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "cfg.h"
#include "log.h"

struct be_imap_link;

/* *unreached_r (may be NULL), on failure: the server could not be reached
 * at all (no address, refused, no answer to the connect) -- not a server
 * that answered and then failed, refused the login or the certificate. */
int be_imap_connect(struct be_imap_link **l_r, const struct cfg_account *acct,
		    const char *state_dir, const struct ui_hooks *ui, struct logger *lg,
		    bool *unreached_r, struct err *e);
/* LOGOUT (best effort), then closes; sets *l NULL. */
void be_imap_disconnect(struct be_imap_link **l);

/* The account as a reader backend (backend.h): connected and logged in
 * (be_imap_connect), folders listed, opened (SELECT, or EXAMINE when
 * read-only; every summary fetched: ENVELOPE, FLAGS, INTERNALDATE,
 * RFC822.SIZE, BODYSTRUCTURE and References, newest first, in pipelined
 * chunks), messages fetched with BODY.PEEK[] (\Seen is set explicitly),
 * flags set with UID STORE +FLAGS/-FLAGS at once, deleted messages
 * expunged with UID EXPUNGE (only ours; plain EXPUNGE without UIDPLUS),
 * new mail and others' changes pushed while idle (IDLE on the open
 * folder, RFC 2177: wait_fd gives the connection to poll, check reads
 * what came and sends DONE; renewed within 25 minutes) or seen by NOOP
 * where IDLE is absent, moves by UID MOVE (else COPY, +FLAGS \Deleted and
 * UID EXPUNGE), queries run as UID SEARCH on the server.  Never CLOSE (it
 * would expunge).  A folder reopens from the account's cache
 * (store/imap_cache.h, be_imap_cache.c).  A lost connection is noticed by
 * check, which reconnects (same certificate, nobody asked), selects the
 * folder again and resynchronises as a reopen does; while that fails the
 * folder is offline (be_folder.offline, a notice, tries 2 s apart
 * doubling to 60 s) and its index stays readable; flags set meanwhile go
 * to the account's journal (store/imap_journal.h) and are sent once the
 * folder is selected again (be_imap_offline.c). */
int be_imap_open(struct be_account **a_r, const struct cfg_account *acct,
		 const char *state_dir, const struct ui_hooks *ui, struct logger *lg,
		 struct err *e);

/* Opens folder name (NULL: INBOX) read-only (EXAMINE) with only the
 * messages that match q: UID SEARCH on the server, then the summaries of
 * those alone.  A folder like open_folder's, for listing. */
struct query_node;
int be_imap_open_matches(struct be_account *a, const char *name, const struct query_node *q,
			 struct be_folder **f_r, struct err *e);

/* Opens folder name (NULL: INBOX) read-only (EXAMINE: nothing in it
 * changes, no message becomes \Seen) with the message of that UID alone,
 * its summary fetched by UID FETCH: f->n is 1, or 0 when the folder has
 * no such message.  For tern show -a ACCOUNT UID.  uid 0 is ERR_USAGE. */
int be_imap_open_uid(struct be_account *a, const char *name, uint32_t uid,
		     struct be_folder **f_r, struct err *e);

/* The folders, INBOX first, then in the server's order; counts where
 * with_counts (else -1).  Free with be_folder_list_free(). */
int be_imap_folders(struct be_imap_link *l, bool with_counts, struct be_folder_info **list_r,
		    size_t *n_r, struct err *e);

#endif
