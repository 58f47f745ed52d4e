/* cfg: the configuration file (tern.conf(5)) and the accounts it defines.
 *
 * INI style:
 *     # comment (a line whose first non-blank character is # or ;)
 *     [general]
 *     default_account = home
 *     [account home]
 *     mode = pop3
 *     host = pop.example.org
 *     ...
 *     [ui]
 *     sort = reverse-date
 *     bind index D delete-message
 *     color = index.new bold yellow default
 *     ...
 * A value may be put in double quotes (with \" and \\ inside) to keep
 * leading or trailing blanks.  Unknown sections, unknown keys, repeated
 * keys, keys that do not belong to the account's mode and bad values are
 * errors whose message names the file, the line and the key.  The parsed
 * configuration is plain data: nothing here opens a connection.
 *
 * [ui] also holds directives that may repeat, written as mutt writes them
 * ("bind index D delete-message") or INI style ("bind = index D
 * delete-message"): bind, color and mono.  cfg cannot check them (it
 * does not know the reader's screens, actions or colour objects): it keeps
 * the text after the verb (and after its '=', if any), trimmed, with the
 * place it came from; the reader applies them in file order (keymap.h,
 * colors.h) and puts the source in front of any error.  Only control
 * characters other than tab are refused, and more than CFG_DIRECTIVES_MAX
 * of one verb. */
#ifndef TERN_CFG_H
#define TERN_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum cfg_mode {
	CFG_MODE_NONE = 0, /* not given (an error for a finished account) */
	CFG_MODE_POP3,
	CFG_MODE_IMAP,
	CFG_MODE_MBOX,
};

enum cfg_tls {
	CFG_TLS_IMPLICIT = 0, /* TLS from the first byte (993, 995) */
	CFG_TLS_STARTTLS,     /* plain connect, then STARTTLS/STLS, mandatory */
	CFG_TLS_NONE,         /* no TLS: needs allow_plaintext = yes */
};

#define CFG_NO_EXPIRY (-1)
#define CFG_BODY_CACHE_DEFAULT 100   /* MiB of message bodies an IMAP account keeps */
#define CFG_BODY_CACHE_MAX 1000000

struct cfg_account {
	char *name;
	enum cfg_mode mode;
	char *host;
	unsigned port;          /* 0: the default for mode and tls */
	char *user;
	enum cfg_tls tls;
	char *tls_ca_file;      /* extra CA bundle, or NULL */
	char *tls_fingerprint;  /* 64 lower-case hex digits of the SHA-256, or NULL */
	char *password_command; /* run with /bin/sh -c; or NULL */
	char *password;         /* from a private file only; or NULL */
	bool allow_plaintext;
	char *mbox;             /* pop3: destination; mbox: the file; "~" expanded */
	bool keep;              /* pop3: leave mail on the server */
	long delete_after_days; /* pop3 with keep: CFG_NO_EXPIRY or days */
	char *folder;           /* imap: folder to open first (from a URL), or NULL */
	char *auth;             /* a forced login mechanism (lower case), or NULL:
				   the strongest the server offers */
	char *trash;            /* imap: where $ moves deleted messages, or NULL
				   (they are expunged) */
	bool compress;          /* imap: COMPRESS=DEFLATE where offered (default) */
	unsigned timeout;         /* seconds for each reply; 0: the default (60) */
	unsigned connect_timeout; /* seconds for connect and TLS; 0: the default (15) */
	unsigned body_cache_mb;   /* imap: MiB of bodies kept in the cache; 0: none */
	char *source;           /* "FILE:LINE" where the account was defined */
};

#define CFG_HEADERS_MAX 64
#define CFG_DIRECTIVES_MAX 1000

/* One bind, color or mono line of [ui]. */
struct cfg_directive {
	char *text;    /* "index D delete-message": the words after the verb */
	char *source;  /* "FILE:LINE" */
};

struct cfg {
	char *path;             /* the file read, or NULL if none was */
	char *default_account;  /* or NULL */
	char **headers;         /* [general] headers: the fields shown, or NULL */
	size_t n_headers;
	char *html_command;     /* [general] html_command, or NULL (built in) */
	/* [ui]; each string NULL when not set */
	char *index_format;     /* as written (the reader compiles it) */
	char *sort;             /* checked by cfg_sort_valid() */
	char *mailcap;          /* colon-separated list, as written; each path
				   absolute or starting with ~/ */
	char *opener;           /* a program, run with one argument */
	struct cfg_directive *binds;
	size_t n_binds;
	struct cfg_directive *colors;
	size_t n_colors;
	struct cfg_directive *monos;
	size_t n_monos;
	struct cfg_account *accounts;
	size_t n_accounts;
	size_t cap_accounts;
};

void cfg_init(struct cfg *cfg);
void cfg_release(struct cfg *cfg);

/* Reads and checks the file at path.  A missing file is an error unless
 * missing_ok is set (the default location need not exist); the cfg is then
 * left empty.  A file holding a password must not be readable by group or
 * others.  Returns 0, or -1 with e naming "FILE:LINE: ..." */
int cfg_load(struct cfg *cfg, const char *path, bool missing_ok, struct err *e);

/* The same on text already in memory; name stands for the file in errors.
 * private_file says whether a password key is allowed. */
int cfg_parse(struct cfg *cfg, const char *name, const char *text,
	      bool private_file, struct err *e);

/* The account called name, or NULL. */
const struct cfg_account *cfg_find_account(const struct cfg *cfg,
					   const char *name);

/* The account to open when none is named: default_account, or the only
 * one.  NULL with e filled when there is no way to choose. */
const struct cfg_account *cfg_default_account(const struct cfg *cfg,
					      struct err *e);

/* The port to connect to: the configured one, or the standard port for
 * the account's mode and TLS setting (995/110, 993/143). */
unsigned cfg_account_port(const struct cfg_account *acct);

void cfg_account_init(struct cfg_account *acct);
void cfg_account_release(struct cfg_account *acct);
/* A deep copy of src into dst (released with cfg_account_release). */
void cfg_account_copy(struct cfg_account *dst, const struct cfg_account *src);

/* Whether s is a sort order: date, arrival, from, subject, size or
 * thread, each optionally after "reverse-" (case matters). */
bool cfg_sort_valid(const char *s);

const char *cfg_mode_name(enum cfg_mode mode);
const char *cfg_tls_name(enum cfg_tls tls);

#endif
