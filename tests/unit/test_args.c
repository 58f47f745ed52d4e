#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "tap.h"

#define MAX_WORDS 32

/* Runs args_parse on "tern" followed by the NULL-terminated words. */
static int parse_words(struct args *a, struct err *e, const char *const *words)
{
	char *argv[MAX_WORDS + 2];
	int argc = 0;

	argv[argc++] = (char *)"tern";
	for (; *words != NULL && argc <= MAX_WORDS; words++)
		argv[argc++] = (char *)*words;
	argv[argc] = NULL;
	args_init(a);
	err_init(e);
	return args_parse(a, argc, argv, e);
}

#define PARSE(a, e, ...) \
	parse_words((a), (e), (const char *const[]){ __VA_ARGS__, NULL })

/* Expects the words to be refused as a usage error mentioning what. */
static void fails_words(const char *name, const char *what,
			const char *const *words)
{
	struct args a;
	struct err e;
	int rc = parse_words(&a, &e, words);
	bool good = rc == -1 && e.code == ERR_USAGE && strstr(e.msg, what) != NULL;
	if (!ok(good, "%s", name))
		diag("rc %d, code %d, message: %s", rc, (int)e.code, e.msg);
	args_release(&a);
}

#define FAILS(name, what, ...) \
	fails_words((name), (what), (const char *const[]){ __VA_ARGS__, NULL })

static void test_open(void)
{
	struct args a;
	struct err e;

	is_int(parse_words(&a, &e, (const char *const[]){ NULL }), 0, "no arguments");
	is_int(a.cmd, ARGS_CMD_OPEN, "no arguments: open");
	ok(a.target == NULL && a.config_path == NULL && a.account == NULL &&
	   a.log_path == NULL && a.query == NULL && a.save_dir == NULL &&
	   a.folder == NULL,
	   "no arguments: nothing set");
	ok(!a.help && !a.version && !a.demo && !a.raw && !a.json && !a.count &&
	   a.msgno == 0,
	   "no arguments: no flag set");
	args_release(&a);

	is_int(PARSE(&a, &e, "inbox.mbox"), 0, "TARGET alone");
	is_str(a.target, "inbox.mbox", "TARGET is the target");
	is_int(a.cmd, ARGS_CMD_OPEN, "TARGET opens");
	args_release(&a);

	is_int(PARSE(&a, &e, "imaps://joe@h"), 0, "URL as TARGET");
	is_str(a.target, "imaps://joe@h", "URL target kept");
	args_release(&a);

	is_int(PARSE(&a, &e, "-"), 0, "- as TARGET");
	is_str(a.target, "-", "- is an operand, not an option");
	args_release(&a);

	is_int(PARSE(&a, &e, "-F", "x.conf", "-a", "home", "--log", "l.txt"), 0,
	       "global options with separate values");
	is_str(a.config_path, "x.conf", "-F FILE");
	is_str(a.account, "home", "-a NAME");
	is_str(a.log_path, "l.txt", "--log FILE");
	ok(a.target == NULL, "options are not operands");
	args_release(&a);

	is_int(PARSE(&a, &e, "-Fc.conf", "-ahome", "--log=l.txt"), 0,
	       "attached option values");
	is_str(a.config_path, "c.conf", "-Fvalue");
	is_str(a.account, "home", "-avalue");
	is_str(a.log_path, "l.txt", "--log=value");
	args_release(&a);

	is_int(PARSE(&a, &e, "box", "-F", "c.conf"), 0, "global option after TARGET");
	ok(a.target != NULL && strcmp(a.target, "box") == 0 && a.config_path != NULL &&
	   strcmp(a.config_path, "c.conf") == 0,
	   "option after the operand still applies");
	args_release(&a);

	is_int(PARSE(&a, &e, "--demo"), 0, "--demo");
	ok(a.demo && a.cmd == ARGS_CMD_OPEN && a.target == NULL, "--demo sets demo");
	args_release(&a);

	is_int(PARSE(&a, &e, "--", "-x"), 0, "-- then a file named -x");
	is_str(a.target, "-x", "-x after -- is the target");
	args_release(&a);

	is_int(PARSE(&a, &e, "--", "show"), 0, "-- then a file named show");
	ok(a.cmd == ARGS_CMD_OPEN && a.target != NULL && strcmp(a.target, "show") == 0,
	   "a command word after -- is a mailbox, not a command");
	args_release(&a);

	is_int(PARSE(&a, &e, "-a", "show", "search", "q"), 0,
	       "option value that is a command word");
	is_str(a.account, "show", "the value of -a is not a command");
	is_int(a.cmd, ARGS_CMD_SEARCH, "the next word is the command");
	args_release(&a);
}

static void test_help_version(void)
{
	struct args a;
	struct err e;

	is_int(PARSE(&a, &e, "--help"), 0, "--help");
	ok(a.help && !a.version, "--help sets help");
	args_release(&a);
	is_int(PARSE(&a, &e, "-h"), 0, "-h");
	ok(a.help, "-h sets help");
	args_release(&a);
	is_int(PARSE(&a, &e, "--version"), 0, "--version");
	ok(a.version && !a.help, "--version sets version");
	args_release(&a);
	is_int(PARSE(&a, &e, "--help", "--help"), 0, "--help twice is fine");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "--help"), 0, "show --help without a file");
	ok(a.help && a.cmd == ARGS_CMD_SHOW && a.target == NULL,
	   "show --help: help for show, operands not checked");
	args_release(&a);
	is_int(PARSE(&a, &e, "search", "-h"), 0, "search -h without a query");
	ok(a.help && a.cmd == ARGS_CMD_SEARCH && a.query == NULL,
	   "search -h: no query built");
	args_release(&a);
	is_int(PARSE(&a, &e, "fetch", "notaurl", "--help"), 0,
	       "fetch --help with a bad operand");
	args_release(&a);
	is_int(PARSE(&a, &e, "--version", "a", "b", "c"), 0,
	       "--version with too many operands");
	ok(a.version && a.target == NULL, "--version: operands ignored");
	args_release(&a);

	FAILS("--help=yes takes no value", "takes no value", "--help=yes");
	FAILS("-hx is not -h", "'-hx'", "-hx");
	FAILS("--help does not excuse an unknown option", "'--bogus'", "--help",
	      "--bogus");
}

static void test_show(void)
{
	struct args a;
	struct err e;

	is_int(PARSE(&a, &e, "show", "-F", "x", "FILE"), 0, "show -F x FILE");
	ok(a.cmd == ARGS_CMD_SHOW && a.config_path != NULL &&
	   strcmp(a.config_path, "x") == 0,
	   "global option after the command");
	is_str(a.target, "FILE", "show FILE");
	is_int((long long)a.msgno, 0, "show FILE: no message number");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "-"), 0, "show -");
	is_str(a.target, "-", "show - reads standard input");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "inbox", "3"), 0, "show MBOX N");
	is_str(a.target, "inbox", "show MBOX N: target");
	is_int((long long)a.msgno, 3, "show MBOX N: message number");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "--", "-x"), 0, "show -- -x");
	is_str(a.target, "-x", "show: file named -x after --");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "show"), 0, "show show");
	ok(a.cmd == ARGS_CMD_SHOW && a.target != NULL &&
	   strcmp(a.target, "show") == 0,
	   "the second show is a file");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "--raw", "m.eml"), 0, "show --raw");
	ok(a.raw && !a.json, "--raw set");
	args_release(&a);
	is_int(PARSE(&a, &e, "show", "--json", "--save-attachments", "out", "m.eml"),
	       0, "show --json --save-attachments DIR");
	ok(a.json && a.save_dir != NULL && strcmp(a.save_dir, "out") == 0,
	   "--json and save_dir set");
	args_release(&a);
	is_int(PARSE(&a, &e, "show", "m.eml", "--save-attachments=out"), 0,
	       "--save-attachments=DIR after the file");
	is_str(a.save_dir, "out", "save_dir from =DIR");
	args_release(&a);

	FAILS("show N = 0 is not a message number", "'0'", "show", "inbox", "0");
	FAILS("show N = x is not a message number", "'x'", "show", "inbox", "x");
	FAILS("show N = -1 is not a message number", "'-1'", "show", "--", "inbox",
	      "-1");
	FAILS("show N = 1x is not a message number", "'1x'", "show", "inbox", "1x");
	FAILS("show without operand", "show needs", "show");
	FAILS("show with 3 operands", "'c'", "show", "a", "b", "c");
	FAILS("--raw with --json", "--raw", "show", "--raw", "--json", "m.eml");
	FAILS("--raw with --save-attachments", "--save-attachments", "show",
	      "--raw", "--save-attachments", "d", "m.eml");
}

/* show -a ACCOUNT N, show URL N, --folder: a message of an account, by
 * the number its listing prints (the UID on IMAP). */
static void test_show_account(void)
{
	struct args a;
	struct err e;

	is_int(PARSE(&a, &e, "show", "-a", "im", "42"), 0, "show -a ACCOUNT N");
	ok(a.cmd == ARGS_CMD_SHOW && a.account != NULL && strcmp(a.account, "im") == 0 &&
	   a.target == NULL && a.msgno == 42 && a.folder == NULL,
	   "show -a ACCOUNT N: account, no target, number 42");
	args_release(&a);

	is_int(PARSE(&a, &e, "-a", "im", "show", "--folder", "Entwürfe", "4294967295"), 0,
	       "-a before show, --folder, the largest UID");
	ok(a.account != NULL && a.folder != NULL && strcmp(a.folder, "Entwürfe") == 0 &&
	   a.msgno == 4294967295UL, "folder and number 4294967295 kept");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "--raw", "imaps://joe@h/Archive", "7"), 0, "show URL N");
	ok(a.target != NULL && strcmp(a.target, "imaps://joe@h/Archive") == 0 &&
	   a.msgno == 7 && a.raw && a.account == NULL, "show URL N: the URL is the target");
	args_release(&a);

	is_int(PARSE(&a, &e, "show", "--folder=Sent", "imap://joe@h", "1"), 0,
	       "show --folder=F URL N");
	is_str(a.folder, "Sent", "--folder with a URL");
	args_release(&a);

	FAILS("show -a without a number", "needs the number", "show", "-a", "im");
	FAILS("show -a with a file, not a number", "'m.eml' is not a message number", "show",
	      "-a", "im", "m.eml");
	FAILS("show -a with two operands", "-a ACCOUNT", "show", "-a", "im", "box", "3");
	FAILS("show -a N = 0", "'0'", "show", "-a", "im", "0");
	FAILS("show -a N past 2^32 - 1", "'4294967296'", "show", "-a", "im", "4294967296");
	FAILS("show URL without a number", "needs the number", "show", "imaps://joe@h");
	FAILS("--folder with a file", "--folder is for IMAP", "show", "--folder", "F",
	      "box", "3");
	FAILS("--folder with standard input", "'-'", "show", "--folder", "F", "-");
	FAILS("--folder without a command", "goes with a command", "--folder", "F");
	FAILS("--folder belongs to search and show, not folders", "'tern folders'",
	      "folders", "--folder", "F");
	FAILS("--raw still excludes --json with -a", "--raw", "show", "-a", "im", "--raw",
	      "--json", "3");
}

static void test_search(void)
{
	struct args a;
	struct err e;

	is_int(PARSE(&a, &e, "-a", "acc", "search", "foo"), 0, "-a acc search foo");
	ok(a.cmd == ARGS_CMD_SEARCH && a.account != NULL &&
	   strcmp(a.account, "acc") == 0,
	   "global option before the command");
	is_str(a.query, "foo", "query from one word");
	ok(a.target == NULL, "with -a there is no MBOX");
	args_release(&a);

	is_int(PARSE(&a, &e, "search", "-a", "acc", "foo", "bar"), 0,
	       "search -a acc foo bar");
	is_str(a.query, "foo bar", "with -a all words are the query");
	ok(a.target == NULL, "with -a the first word is not an MBOX");
	args_release(&a);

	is_int(PARSE(&a, &e, "search", "box", "foo", "bar"), 0, "search MBOX words");
	is_str(a.target, "box", "without -a the first of several words is the MBOX");
	is_str(a.query, "foo bar", "the rest is the query, joined by spaces");
	args_release(&a);

	is_int(PARSE(&a, &e, "search", "foo"), 0, "search with one word");
	is_str(a.query, "foo", "one word is the query");
	ok(a.target == NULL, "one word: default account, no MBOX");
	args_release(&a);

	is_int(PARSE(&a, &e, "search", "--count", "box", "q"), 0,
	       "search --count MBOX q");
	ok(a.count, "--count set");
	is_str(a.target, "box", "--count: MBOX");
	is_str(a.query, "q", "--count: query");
	args_release(&a);

	is_int(PARSE(&a, &e, "-a", "acc", "search", "--folder", "Lists/dev", "x"), 0,
	       "search --folder with an account");
	is_str(a.folder, "Lists/dev", "--folder value");
	args_release(&a);

	is_int(PARSE(&a, &e, "search", "search"), 0, "search search");
	is_str(a.query, "search", "the second search is the query");
	args_release(&a);

	FAILS("--folder with an MBOX", "'box'", "search", "--folder", "F", "box", "q");
	FAILS("search without a query", "query", "search");
	FAILS("search -a without a query", "query", "-a", "acc", "search");
}

static void test_fetch_folders(void)
{
	struct args a;
	struct err e;

	is_int(PARSE(&a, &e, "fetch", "pop3s://joe@h"), 0, "fetch URL");
	ok(a.cmd == ARGS_CMD_FETCH && a.target != NULL &&
	   strcmp(a.target, "pop3s://joe@h") == 0,
	   "fetch URL: target");
	args_release(&a);
	is_int(PARSE(&a, &e, "fetch"), 0, "fetch alone (default account)");
	ok(a.cmd == ARGS_CMD_FETCH && a.target == NULL, "fetch alone: no target");
	args_release(&a);
	is_int(PARSE(&a, &e, "-a", "acc", "fetch"), 0, "-a acc fetch");
	args_release(&a);
	FAILS("fetch with a non-URL", "'box.mbox'", "fetch", "box.mbox");
	FAILS("fetch with -a and a URL", "-a", "fetch", "-a", "acc", "pop3://j@h");
	FAILS("fetch with two URLs", "'pop3://b@h'", "fetch", "pop3://a@h",
	      "pop3://b@h");

	is_int(PARSE(&a, &e, "folders", "imaps://joe@h"), 0, "folders URL");
	ok(a.cmd == ARGS_CMD_FOLDERS && a.target != NULL &&
	   strcmp(a.target, "imaps://joe@h") == 0,
	   "folders URL: target");
	args_release(&a);
	is_int(PARSE(&a, &e, "-a", "acc", "folders"), 0, "-a acc folders");
	ok(a.cmd == ARGS_CMD_FOLDERS && a.account != NULL, "folders with an account");
	args_release(&a);
	FAILS("folders with a non-URL", "imap://", "folders", "box");
	FAILS("folders with -a and a URL", "-a", "-a", "acc", "folders",
	      "imaps://j@h");
}

static void test_errors(void)
{
	FAILS("--raw belongs to show, not search", "'tern show'", "search", "--raw",
	      "q");
	FAILS("the error names the option", "--raw", "search", "--raw", "q");
	FAILS("--count belongs to search, not show", "'tern search'", "show",
	      "--count", "f");
	FAILS("--folder belongs to search, not fetch", "--folder", "fetch",
	      "--folder", "x");
	FAILS("--raw without a command", "'tern show'", "--raw", "f");
	FAILS("--demo is not for show", "--demo", "show", "--demo", "f");
	FAILS("--demo with a TARGET", "--demo", "--demo", "box");
	FAILS("--demo with an account", "--demo", "--demo", "-a", "acc");
	FAILS("unknown long option", "'--bogus'", "--bogus");
	FAILS("unknown short option", "'-x'", "-x");
	FAILS("unknown option after a command", "'--nope'", "show", "--nope", "f");
	FAILS("-F without its value", "'-F'", "-F");
	FAILS("--log without its value", "'--log'", "box", "--log");
	FAILS("--save-attachments without its value", "--save-attachments", "show",
	      "f", "--save-attachments");
	FAILS("empty -F value", "non-empty", "-F", "");
	FAILS("empty --log= value", "non-empty", "--log=");
	FAILS("-F given twice", "twice", "-F", "a", "-F", "b");
	FAILS("-a given twice around a command", "twice", "-a", "x", "search", "-a",
	      "y", "q");
	FAILS("--raw given twice", "twice", "show", "--raw", "--raw", "f");
	FAILS("command word after an operand is an operand", "'show'", "foo",
	      "show");
	FAILS("two TARGETs", "'b'", "a", "b");
	FAILS("-a with a TARGET", "-a", "-a", "acc", "box");
}

static void test_names(void)
{
	is_str(args_cmd_name(ARGS_CMD_OPEN), "", "open has no command word");
	is_str(args_cmd_name(ARGS_CMD_FETCH), "fetch", "fetch name");
	is_str(args_cmd_name(ARGS_CMD_SHOW), "show", "show name");
	is_str(args_cmd_name(ARGS_CMD_SEARCH), "search", "search name");
	is_str(args_cmd_name(ARGS_CMD_FOLDERS), "folders", "folders name");
}

int main(void)
{
	test_open();
	test_help_version();
	test_show();
	test_show_account();
	test_search();
	test_fetch_folders();
	test_errors();
	test_names();
	return done_testing();
}
