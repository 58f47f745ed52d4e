/* url: accounts given on the command line as URLs.
 *
 *   imap://user@host[:port][/folder]   IMAP, STARTTLS required (143)
 *   imaps://user@host[:port][/folder]  IMAP over implicit TLS (993)
 *   pop3://user@host[:port]            POP3, STLS required (110)
 *   pop3s://user@host[:port]           POP3 over implicit TLS (995)
 * The user and folder are percent-decoded (user%40example.org); a host
 * may be an IPv6 literal in brackets.  A password in the URL is refused:
 * it would end up in shell history and process lists. */
#ifndef TERN_URL_H
#define TERN_URL_H

#include <stdbool.h>

#include "cfg.h"
#include "err.h"

/* Whether s looks like a URL (has "scheme://") rather than a path. */
bool url_is_url(const char *s);

/* Fills acct (cfg_account_init()ed by this function) from url.  The
 * account is named "user@host"; a POP3 one gets the default mbox
 * ~/Mail/user@host.mbox.  Returns 0, or -1 with e filled. */
int url_to_account(const char *url, struct cfg_account *acct, struct err *e);

#endif
