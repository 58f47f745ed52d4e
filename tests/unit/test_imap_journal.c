/* The journal of offline IMAP flag changes (store/imap_journal.c): what is
 * added reads back in order, whatever the folder name's bytes; a torn last
 * line and a damaged line are not used; clearing one folder keeps the
 * others' entries, and the file goes with the last. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap_journal.h"
#include "tap.h"
#include "testutil.h"

int main(void)
{
	char *dir = tu_tempdir();
	char path[4200], link_path[4200];
	snprintf(path, sizeof(path), "%s/imap-a.journal", dir);
	struct err e;
	err_init(&e);
	struct imap_journal_entry *v;
	size_t n;

	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 0 && v == NULL,
	   "a missing journal holds nothing");
	struct imap_journal_entry in[] = {
		{ "INBOX", 1714, 5, 4, 0, 77, IMAP_JOURNAL_FLAGS, NULL },
		{ "Entw&APw-rfe", 9, 12, 0, 1, 0, IMAP_JOURNAL_FLAGS, NULL },
		{ "with space\t\"and\" \xe6\x97\xa5", 3, 4294967295u, 16, 4, 18446744073709551615ull,
		  IMAP_JOURNAL_FLAGS, NULL },
		{ "INBOX", 1714, 8, 0, 0, 0, IMAP_JOURNAL_MOVE, "Archiv/2026 \xe6\x97\xa5" },
		{ "Entw&APw-rfe", 9, 13, 0, 0, 0, IMAP_JOURNAL_EXPUNGE, NULL },
	};
	ok(imap_journal_add(path, in, 3, &e) == 0, "three entries added");
	struct stat sb;
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the file is 0600");
	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 3, "read back: %zu", n);
	for (size_t i = 0; i < 3 && i < n; i++)
		ok(strcmp(v[i].wire, in[i].wire) == 0 && v[i].uidvalidity == in[i].uidvalidity &&
		   v[i].uid == in[i].uid && v[i].set == in[i].set && v[i].clear == in[i].clear &&
		   v[i].modseq == in[i].modseq, "entry %zu is as written", i);
	imap_journal_free(v, n);

	/* A torn last line (a kill while writing) and a damaged one. */
	FILE *f = fopen(path, "a");
	fputs("F 1 2 3 0 0 494e424f58 0bad0bad\nF 1 99 1 0 0 494e", f);
	fclose(f);
	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 3,
	   "a damaged line and a torn last line are not used (%zu)", n);
	imap_journal_free(v, n);
	struct imap_journal_entry more = { "INBOX", 1714, 6, 2, 0, 80, IMAP_JOURNAL_FLAGS, NULL };
	ok(imap_journal_add(path, &more, 1, &e) == 0, "more appended after a torn line");
	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 4 && v[3].uid == 6,
	   "the new entry starts a line of its own after the torn one (%zu)", n);
	imap_journal_free(v, n);

	/* A move and an expunge, after the flag changes, in order. */
	ok(imap_journal_add(path, in + 3, 2, &e) == 0, "a move and an expunge added");
	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 6, "six entries (%zu)", n);
	ok(n == 6 && v[4].kind == IMAP_JOURNAL_MOVE && v[4].uid == 8 && v[4].uidvalidity == 1714 &&
	   strcmp(v[4].wire, "INBOX") == 0 && v[4].dest != NULL &&
	   strcmp(v[4].dest, "Archiv/2026 \xe6\x97\xa5") == 0, "the move, with its destination");
	ok(n == 6 && v[5].kind == IMAP_JOURNAL_EXPUNGE && v[5].uid == 13 && v[5].dest == NULL &&
	   strcmp(v[5].wire, "Entw&APw-rfe") == 0, "the expunge");
	ok(n == 6 && v[0].kind == IMAP_JOURNAL_FLAGS && v[0].dest == NULL, "flags stay flags");
	imap_journal_free(v, n);
	f = fopen(path, "a");
	fputs("M 1714 9 494e424f58 5a\n" /* no checksum */
	      "X 1714 9 494e424f58 1\n", f);
	fclose(f);
	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 6, "lines with bad checksums are skipped");
	imap_journal_free(v, n);

	ok(imap_journal_clear(path, "INBOX", &e) == 0, "clear INBOX");
	ok(imap_journal_read(path, &v, &n, &e) == 0 && n == 3 &&
	   strcmp(v[0].wire, "Entw&APw-rfe") == 0 && v[2].kind == IMAP_JOURNAL_EXPUNGE,
	   "the other folders' entries are kept, of every kind");
	imap_journal_free(v, n);
	ok(imap_journal_clear(path, "Entw&APw-rfe", &e) == 0 &&
	   imap_journal_clear(path, in[2].wire, &e) == 0, "clear the rest");
	ok(access(path, F_OK) < 0, "the file goes with its last entry");

	snprintf(link_path, sizeof(link_path), "%s/link.journal", dir);
	tu_write(path, "x", 1);
	symlink(path, link_path);
	ok(imap_journal_add(link_path, in, 1, &e) < 0, "a symbolic link is not followed");
	ok(strcmp(tu_read(path), "x") == 0, "and its target is untouched");

	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
