/* backend: the one interface between the reader (ui/, the commands) and
 * the places mail lives.
 *
 * Three backends fill struct backend_ops (designated initialisers, in
 * src/backend/):
 *   - be_mbox: a local mbox file -- any mbox opened by path, and the store
 *     of a POP3 account.  Flags are kept in memory until sync() writes
 *     them to Status:/X-Status: (as mutt does); works offline.
 *   - be_pop3: a POP3 account: get_mail() downloads new mail into its
 *     mbox, everything else is be_mbox on that file.
 *   - be_imap: server folders; flags are sent at once; bodies fetched on
 *     open, one MIME part at a time.
 * The UI never tests which backend it has, only the capability flags
 * (BE_CAP_*), and never includes a backend's header.
 *
 * Objects.  An account (struct be_account) is opened by the backend
 * layer's factory (backend.h in src/backend) from the configuration or a
 * path; it lists folders and opens one at a time as a struct be_folder.
 * A folder's messages are msgs[0..n) in the folder's own order (arrival);
 * sorting and threading are the UI's (core/) business, done on indexes.
 *
 * Lifetimes.  msgs, and the summaries they point to, belong to the
 * backend.  Any call that may change the folder -- sync, check, search on
 * a backend that rescans, set_flags on IMAP when the server answers with
 * news -- may rebuild msgs, also when it fails; it then increments
 * generation.  The UI keeps indexes, never pointers, across such calls,
 * and re-sorts when generation moved.  Messages are identified across rebuilds by uid.
 *
 * Errors.  Every call that can fail returns 0 (or a count) or -1 and
 * fills struct err, whose scope says what failed: ERR_MESSAGE (that one
 * message: retry another), ERR_FOLDER (the folder must be reopened),
 * ERR_ACCOUNT (connection or login: the account is unusable until
 * reopened), ERR_CANCELLED (the person pressed Ctrl-C at a progress
 * report).  Nothing here prints or reads the terminal: questions and
 * progress go through struct ui_hooks. */
#ifndef TERN_BACKEND_H
#define TERN_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "query.h"
#include "summary.h"

/* ------------------------------------------------------------ ui hooks */

/* A certificate that could not be verified, for the person to judge. */
struct be_cert_info {
	const char *host;
	const char *subject;     /* one line, sanitised by the UI */
	const char *issuer;
	const char *sha256;      /* 64 lower-case hex digits */
	const char *problem;     /* why verification failed, in words */
	time_t not_before, not_after;
};

enum be_cert_decision {
	BE_CERT_REJECT = 0,
	BE_CERT_ACCEPT_ONCE,     /* this connection only */
	BE_CERT_ACCEPT_PIN,      /* and remember its SHA-256 for the account */
};

/* What a backend may ask of the person.  Every member may be NULL, and
 * so may the whole struct: then there is no terminal, and a backend must
 * fail (no password: ERR_ACCOUNT) or refuse (certificate) rather than
 * wait.  Hooks are called from within backend calls, never later. */
struct ui_hooks {
	void *ctx;
	/* Asks for the secret of account (prompt is a full sentence).
	 * Returns 0 with the secret in out, or -1 (cancelled, no terminal).
	 * The backend wipes out after use. */
	int (*password)(void *ctx, const char *account, const char *prompt,
			struct buf *out);
	enum be_cert_decision (*certificate)(void *ctx, const struct be_cert_info *c);
	/* Long work: what is being done (a sentence), done of total units
	 * (total 0: unknown), unit "messages" or "bytes" (not translated;
	 * the UI chooses how to show it).  Returns false if the person asked
	 * to stop: the backend stops at the next safe point, leaving
	 * everything consistent, and fails with ERR_CANCELLED. */
	bool (*progress)(void *ctx, const char *what, uint64_t done, uint64_t total,
			 const char *unit);
	/* Something the person should know that is not an error (a warning,
	 * "3 flag changes were lost: the mailbox was changed meanwhile"). */
	void (*notice)(void *ctx, const char *text);
};

/* ------------------------------------------------------------ objects */

enum be_cap {
	BE_CAP_FOLDERS       = 1 << 0, /* more than one folder; folder list screen */
	BE_CAP_FOLDER_ADMIN  = 1 << 1, /* create, rename, delete, subscribe */
	BE_CAP_SERVER_FLAGS  = 1 << 2, /* set_flags reaches a server at once */
	BE_CAP_OFFLINE       = 1 << 3, /* everything works without a network */
	BE_CAP_SERVER_SEARCH = 1 << 4, /* search runs on a server */
	BE_CAP_GET_MAIL      = 1 << 5, /* get_mail downloads new mail */
	BE_CAP_COPY          = 1 << 6, /* copy and move between folders */
	BE_CAP_WAIT_FD       = 1 << 7, /* wait_fd gives a descriptor to poll */
	BE_CAP_PARTS         = 1 << 8, /* fetch_part gets one MIME part alone */
	BE_CAP_KEYWORDS      = 1 << 9, /* messages have keywords; set_keywords */
};

enum be_role {
	BE_ROLE_NONE = 0, BE_ROLE_INBOX, BE_ROLE_SENT, BE_ROLE_DRAFTS,
	BE_ROLE_TRASH, BE_ROLE_JUNK, BE_ROLE_ARCHIVE,
};

struct be_folder_info {
	char *name;        /* what open_folder takes (UTF-8) */
	char *display;     /* for people (decoded; the UI sanitises it) */
	int depth;         /* in the hierarchy, 0 = top */
	enum be_role role;
	long total, unread; /* -1: not known */
	bool selectable;
	bool subscribed;
};

/* Flags of a message: the SUMMARY_* bits of summary.h. */
struct be_msg {
	const struct summary *sum;
	unsigned flags;    /* as they are now, changes not yet synced included */
	uint64_t uid;      /* stable while the message is in the folder */
	const char *keywords; /* with BE_CAP_KEYWORDS: its keywords as keywords.h
				 has them (NULL or "": none), as a server sent
				 them (the UI sanitises them); the string stays
				 valid until the folder is closed, also when
				 msgs is rebuilt */
};

struct be_account {
	const struct backend_ops *ops;
	const struct ui_hooks *ui;
	char *name;        /* the account's name, or the path opened */
	unsigned caps;     /* BE_CAP_* */
	void *priv;
	void *ext;         /* a backend built on another one keeps its own
			      state here (be_pop3 over be_mbox) */
	bool offline;         /* opened without its server (it could not be
				 reached): what was kept is shown */
	bool background_load; /* set by a caller that calls check() whenever it
				 is idle (the reader): a long open may then
				 return with the newest messages only, and
				 check() loads the others (be_folder.loading_total) */
};

struct be_folder {
	struct be_account *account;
	char *name;
	struct be_msg *msgs;
	size_t n;
	unsigned generation;  /* incremented whenever msgs is rebuilt */
	bool readonly;
	bool dirty;           /* changes not yet written (sync) */
	bool offline;         /* the server cannot be reached now: msgs is the
				 last known state; changes are kept for later
				 where the backend can (IMAP), else fail */
	size_t loading_total; /* 0, or the messages the folder holds while msgs
				 has the newest of them only: each check()
				 loads more (call it without waiting) */
	void *priv;
};

enum be_fetch {
	BE_FETCH_RAW,      /* the message exactly, all of it */
	BE_FETCH_DISPLAY,  /* enough to show it: a backend with BE_CAP_PARTS may
			    * leave out the bodies of attachments (their headers
			    * stay, with an empty body, and the first field of
			    * such a part's header is X-Tern-Omitted-Size:
			    * mime.h mime_part_omitted) */
	BE_FETCH_EXACT,    /* as BE_FETCH_RAW, but with the line ends the store
			    * has: an IMAP server's CRLF (for tern show --raw) */
};

/* What check() found. */
enum be_change {
	BE_CHANGE_NEW = 1 << 0,     /* new messages at the end of msgs */
	BE_CHANGE_FLAGS = 1 << 1,   /* flags changed by someone else */
	BE_CHANGE_REBUILT = 1 << 2, /* msgs was rebuilt (generation moved) */
};

/* ------------------------------------------------------------ operations */

struct backend_ops {
	const char *name;
	unsigned caps;

	/* Folders of the account (for a single mbox: that one).  The list
	 * and its strings are the caller's: free with be_folder_list_free. */
	int (*list_folders)(struct be_account *a, struct be_folder_info **list_r,
			    size_t *n_r, struct err *e);

	/* Opens folder name (NULL: the account's first folder, e.g. INBOX or
	 * the mbox).  Long opens report progress. */
	int (*open_folder)(struct be_account *a, const char *name, bool readonly,
			   struct be_folder **f_r, struct err *e);

	/* Closes f, discarding changes not synced: call sync first to keep
	 * them.  f is freed and set to NULL. */
	void (*close_folder)(struct be_folder **f);

	/* Message i as bytes (RFC 5322, LF line ends but with
	 * BE_FETCH_EXACT) into out. */
	int (*fetch)(struct be_folder *f, size_t i, enum be_fetch what,
		     struct buf *out, struct err *e);

	/* One MIME part, decoded from its transfer encoding, by its part
	 * number ("1", "2.1", as IMAP numbers them).  Only with
	 * BE_CAP_PARTS; others fetch the message and take the part apart. */
	int (*fetch_part)(struct be_folder *f, size_t i, const char *part,
			  struct buf *out, struct err *e);

	/* Sets and clears SUMMARY_* flags of messages idx[0..n).  Without
	 * BE_CAP_SERVER_FLAGS the change is kept in msgs[].flags and dirty is
	 * set until sync.  With it, news the server sends meanwhile (another
	 * client's expunge) may rebuild msgs: compare generation after. */
	int (*set_flags)(struct be_folder *f, const size_t *idx, size_t n,
			 unsigned set, unsigned clear, struct err *e);

	/* Adds the keywords of list add to messages idx[0..n) and takes those
	 * of list remove from them (keywords.h lists), changing nothing else:
	 * keywords another client set meanwhile stay (IMAP: UID STORE
	 * +FLAGS.SILENT and -FLAGS.SILENT, never FLAGS).  A word that is not
	 * a valid keyword, or one the folder cannot keep, is an error before
	 * anything is sent; so is a folder without its server (offline).
	 * Only with BE_CAP_KEYWORDS.  May rebuild msgs, as set_flags. */
	int (*set_keywords)(struct be_folder *f, const size_t *idx, size_t n, const char *add,
			    const char *remove, struct err *e);

	/* Writes changes out (mbox: Status/X-Status, crash-safe) and, if
	 * expunge, removes the messages flagged deleted.  Rebuilds msgs. */
	int (*sync)(struct be_folder *f, bool expunge, struct err *e);

	/* Looks for new mail and changes by others; *changes_r gets BE_CHANGE_*.
	 * Cheap enough to call every few seconds. */
	int (*check)(struct be_folder *f, unsigned *changes_r, struct err *e);

	/* A descriptor to poll for readability together with the keyboard
	 * (IMAP IDLE), or -1; after it is readable, call check.  Only with
	 * BE_CAP_WAIT_FD. */
	int (*wait_fd)(struct be_folder *f);

	/* Runs query (query.h) on the folder; *idx_r (free()) gets the
	 * matching message numbers, ascending. */
	int (*search)(struct be_folder *f, const struct query_node *query,
		      size_t **idx_r, size_t *n_r, struct err *e);

	/* Copies (or moves) messages idx[0..n) to folder dest of the same
	 * account.  Only with BE_CAP_COPY. */
	int (*copy)(struct be_folder *f, const size_t *idx, size_t n, const char *dest,
		    bool move, struct err *e);

	/* Downloads new mail (POP3).  Only with BE_CAP_GET_MAIL; *new_r
	 * gets the number of messages stored. */
	int (*get_mail)(struct be_account *a, size_t *new_r, struct err *e);

	/* Folder administration, only with BE_CAP_FOLDER_ADMIN. */
	int (*create_folder)(struct be_account *a, const char *name, struct err *e);
	int (*rename_folder)(struct be_account *a, const char *from, const char *to,
			     struct err *e);
	int (*delete_folder)(struct be_account *a, const char *name, struct err *e);
	int (*subscribe)(struct be_account *a, const char *name, bool on, struct err *e);

	/* Closes the account (its folder must be closed); frees a, sets
	 * it to NULL. */
	void (*close_account)(struct be_account **a);
};

void be_folder_list_free(struct be_folder_info **list, size_t n);

#endif
