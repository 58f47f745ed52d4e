/* secret: getting an account's password without ever storing it.
 *
 * In order: password_command (run through /bin/sh -c; the first line of
 * its standard output is the password), then the password key of a
 * private config file, then the ask callback (the UI's prompt, or the
 * terminal with echo off).  The password goes into a buffer the caller
 * wipes; it is never logged and never copied into an error message. */
#ifndef TERN_SECRET_H
#define TERN_SECRET_H

#include "buf.h"
#include "cfg.h"
#include "err.h"

#define SECRET_MAX 4096

/* Asks a person; fills out, returns 0 or -1 with e filled. */
typedef int secret_ask_fn(void *ctx, const char *prompt, struct buf *out,
			  struct err *e);

/* Fills out (a buffer with a maximum of at least SECRET_MAX) with the
 * password of acct.  ask may be NULL when no one can be asked. */
int secret_get_password(const struct cfg_account *acct, secret_ask_fn *ask,
			void *ask_ctx, struct buf *out, struct err *e);

/* Runs command with /bin/sh -c and puts the first line of its output
 * (without the line end) in out.  Fails if the command cannot run, exits
 * non-zero, is killed, or prints nothing. */
int secret_run_command(const char *command, struct buf *out, struct err *e);

#endif
