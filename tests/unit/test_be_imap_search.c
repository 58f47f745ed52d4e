/* The query language as IMAP UID SEARCH (be_imap_search.c): each term's
 * search key, AND as a list, OR and NOT, dates and sizes in IMAP's forms,
 * strings always quoted (a bare atom could read as a search keyword) or
 * sent as literals. */
#include "config.h"

#include <string.h>

#include "be_imap_private.h"
#include "tap.h"

static int no_read(void *ctx, struct buf *line, struct err *e)
{
	(void)ctx;
	(void)line;
	return err_set(e, ERR_ACCOUNT, ERR_IO, "no I/O here");
}

static int no_exact(void *ctx, size_t n, struct buf *out, struct err *e)
{
	(void)ctx;
	(void)n;
	(void)out;
	return err_set(e, ERR_ACCOUNT, ERR_IO, "no I/O here");
}

static int no_write(void *ctx, const char *p, size_t n, struct err *e)
{
	(void)ctx;
	(void)p;
	(void)n;
	return err_set(e, ERR_ACCOUNT, ERR_IO, "no I/O here");
}

static struct imap *session;

static void translates(const char *query, const char *want)
{
	struct query_node *q = NULL;
	struct err e;
	err_init(&e);
	if (query_parse(query, strlen(query), &q, &e) < 0) {
		ok(0, "%s: parses (%s)", query, e.msg);
		return;
	}
	struct imap_cmd c;
	be_imap_search_command(&c, session, q);
	is_str(c.text.data, want, "%s", query);
	ok(!c.error, "%s: the command is well formed", query);
	imap_cmd_release(&c);
	query_free(&q);
}

int main(void)
{
	struct imap_io io = { NULL, no_read, no_exact, no_write, NULL, NULL, NULL };
	session = imap_new(&io, NULL);
#define P "UID SEARCH CHARSET UTF-8 "
	translates("from:dave", P "FROM \"dave\"");
	translates("to:x@y.example cc:z", P "(TO \"x@y.example\" CC \"z\")");
	translates("subject:\"a \\\"q\\\" b\"", P "SUBJECT \"a \\\"q\\\" b\"");
	translates("body:invoice", P "BODY \"invoice\"");
	translates("meeting", P "TEXT \"meeting\"");
	translates("a OR b", P "OR TEXT \"a\" TEXT \"b\"");
	translates("a b c", P "((TEXT \"a\" TEXT \"b\") TEXT \"c\")");
	translates("-is:unread", P "NOT UNSEEN");
	translates("is:read is:flagged", P "(SEEN FLAGGED)");
	translates("is:answered OR is:deleted", P "OR ANSWERED DELETED");
	translates("NOT (a OR b)", P "NOT OR TEXT \"a\" TEXT \"b\"");
	translates("(a b) OR c", P "OR (TEXT \"a\" TEXT \"b\") TEXT \"c\"");
	translates("before:2026-01-05", P "BEFORE 5-Jan-2026");
	translates("after:2026-01-05", P "SINCE 6-Jan-2026");
	translates("after:2025-12-31", P "SINCE 1-Jan-2026");
	translates("on:2024-02-29", P "ON 29-Feb-2024");
	translates("larger:10k", P "LARGER 10240");
	translates("smaller:2M", P "SMALLER 2097152");
	translates("has:attachment", P "HEADER Content-Type \"multipart/mixed\"");
	translates("NIL", P "TEXT \"NIL\"");
	/* 8-bit text without UTF-8 on the session: a literal (synchronising
	 * without LITERAL+), which imap_send sends after the server's "+". */
	translates("from:m\xc3\xbcller", P "FROM {7}\r\nm\xc3\xbcller");
#undef P
	imap_free(&session);
	return done_testing();
}
