/* imap_journal: changes made while an IMAP account was offline -- flags,
 * moves, expunges -- kept durably until the server has them (issue 7:
 * "flag changes, moves and deletes are journaled durably and replayed on
 * reconnect").
 *
 * One file per account in $XDG_STATE_HOME/tern/ (state, not cache: it
 * holds the person's changes and cannot be rebuilt), append-only lines
 * with their own checksums, in the order the changes were made:
 *     tern-imap-journal 1
 *     F UIDVALIDITY UID SET CLEAR MODSEQ HEX(WIRE) CK    flags
 *     M UIDVALIDITY UID HEX(DEST) HEX(WIRE) CK           move to DEST
 *     X UIDVALIDITY UID HEX(WIRE) CK                     expunge
 * SET and CLEAR are SUMMARY_* bits, MODSEQ the message's when the change
 * was made (0: unknown), WIRE the folder's name as the server spells it,
 * DEST the destination folder's.
 * Each append is fdatasync'd before the change is reported done; a torn
 * last line (a kill while writing) is ignored, a line whose checksum is
 * wrong skipped.  Once a folder's changes are on the server its lines
 * are removed (a new file, fsync'd, renamed over the old). */
#ifndef TERN_IMAP_JOURNAL_H
#define TERN_IMAP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define IMAP_JOURNAL_MAX 100000   /* entries read back; more are dropped */

enum imap_journal_kind {
	IMAP_JOURNAL_FLAGS,        /* set, clear, modseq */
	IMAP_JOURNAL_MOVE,         /* dest */
	IMAP_JOURNAL_EXPUNGE,
};

struct imap_journal_entry {
	char *wire;
	uint32_t uidvalidity, uid;
	unsigned set, clear;
	uint64_t modseq;
	enum imap_journal_kind kind;
	char *dest;                /* MOVE only; else NULL */
};

/* Appends n entries to the journal at path (created 0600), durably. */
int imap_journal_add(const char *path, const struct imap_journal_entry *en, size_t n,
		     struct err *e);
/* Every entry of the journal, in order, into a new array (a missing file
 * is none).  Free with imap_journal_free(). */
int imap_journal_read(const char *path, struct imap_journal_entry **v_r, size_t *n_r,
		      struct err *e);
void imap_journal_free(struct imap_journal_entry *v, size_t n);
/* Removes every entry of folder wire (the file goes when none is left). */
int imap_journal_clear(const char *path, const char *wire, struct err *e);

#endif
