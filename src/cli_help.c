#include "config.h"

#include "cli_help.h"

#include <curses.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include "i18n.h"

static void print_global_options(FILE *out)
{
	fputs(_("Options (accepted before or after a command):\n"
		"  -F FILE        read the configuration from FILE\n"
		"                 (default: $XDG_CONFIG_HOME/tern/config)\n"
		"  -a NAME        use the account NAME of the configuration\n"
		"      --log FILE append a diagnostic log to FILE (never passwords)\n"
		"  -h, --help     show this help; with a command, that command's help\n"
		"      --version  show the version of tern and of its libraries\n"),
	      out);
}

void cli_help_print(FILE *out, enum args_cmd cmd)
{
	switch (cmd) {
	case ARGS_CMD_OPEN:
		fputs(_("Usage: tern [OPTION...] [MBOX | URL]\n"
			"       tern [OPTION...] --demo\n"
			"       tern [OPTION...] COMMAND [ARGUMENT...]\n"
			"Read mail in the terminal: local mbox files, POP3 and IMAP.\n"
			"\n"
			"Without a command, tern opens MBOX (a file), a URL\n"
			"  imap://USER@HOST[:PORT][/FOLDER]   imaps://...\n"
			"  pop3://USER@HOST[:PORT]            pop3s://...\n"
			"or the account given with -a (else the configuration's\n"
			"default_account) in the reader; press ? there for its keys.\n"
			"When standard input or output is not a terminal, the list of\n"
			"messages is printed instead.\n"
			"\n"
			"Commands (run 'tern COMMAND --help' for their options):\n"
			"  show      print a message rendered for reading\n"
			"  fetch     download new mail of a POP3 account into its mbox\n"
			"  search    print the messages that match a query\n"
			"  folders   list the folders of an IMAP account\n"
			"\n"
			"  --demo         open the demo mailbox that comes with tern\n"),
		      out);
		break;
	case ARGS_CMD_FETCH:
		fputs(_("Usage: tern fetch [OPTION...] [pop3://USER@HOST[:PORT] | pop3s://...]\n"
			"Download new mail of a POP3 account (-a NAME, the URL, or the\n"
			"default account) into the account's mbox.  Nothing is deleted on\n"
			"the server before it is stored (keep, delete_after_days).\n"
			"Exit status 0 with or without new mail, 3 on an error.\n\n"),
		      out);
		break;
	case ARGS_CMD_SHOW:
		fputs(_("Usage: tern show [OPTION...] FILE | - | MBOX N\n"
			"       tern show [OPTION...] -a NAME [--folder FOLDER] N\n"
			"       tern show [OPTION...] imap[s]://USER@HOST[:PORT][/FOLDER] N\n"
			"Print a message (a file, standard input, the Nth message of an\n"
			"mbox, or message N of an account as its listing numbers it: the\n"
			"UID on IMAP) rendered for reading: the main header fields, the\n"
			"text, and a numbered list of attachments.  An IMAP folder is\n"
			"opened read-only: the message stays unread, and its attachments\n"
			"are not downloaded unless --raw or --save-attachments needs them.\n"
			"      --raw          print the exact bytes of the message\n"
			"      --json         print its structure as JSON\n"
			"      --save-attachments DIR\n"
			"                     save its attachments into DIR\n"
			"      --folder NAME  the folder of an IMAP account (else the URL's,\n"
			"                     else INBOX)\n"
			"Exit status 0, or 3 on an error (no such message, too).\n\n"),
		      out);
		break;
	case ARGS_CMD_SEARCH:
		fputs(_("Usage: tern search [OPTION...] [MBOX] QUERY...\n"
			"Print the messages of MBOX (or of the account given with -a, or\n"
			"the default account) that match QUERY, one line each.\n"
			"QUERY: words and \"phrases\" (anywhere), from: to: cc: subject:\n"
			"body:, is:unread|read|flagged|answered|deleted, has:attachment,\n"
			"before: after: on: YYYY-MM-DD, larger: smaller: 10k 2M;\n"
			"terms are ANDed; OR, NOT or -, and parentheses combine them.\n"
			"      --count        print only the number of matches\n"
			"      --folder NAME  search this folder of an IMAP account\n"
			"On an IMAP account the server searches (--folder, else INBOX).\n"
			"Exit status 1 when nothing matches.\n\n"),
		      out);
		break;
	case ARGS_CMD_FOLDERS:
		fputs(_("Usage: tern folders [OPTION...] [imap://USER@HOST[:PORT] | imaps://...]\n"
			"List the folders of an IMAP account (-a NAME, the URL, or the\n"
			"default account), one a line: the name, its role (inbox, sent,\n"
			"drafts, trash, junk, archive), unread and total messages.\n"
			"Exit status 0, or 3 on an error.\n\n"),
		      out);
		break;
	}
	print_global_options(out);
	fputs(_("\nExit status: 0 success, 1 nothing found, 2 usage or configuration\n"
		"error, 3 failure.  See tern(1) and tern.conf(5).\n"),
	      out);
}

void cli_help_version(FILE *out)
{
	fprintf(out, "tern %s\n", PACKAGE_VERSION);
	fprintf(out, _("libraries: %s, %s, SQLite %s\n"), curses_version(),
		OpenSSL_version(OPENSSL_VERSION), sqlite3_libversion());
}
