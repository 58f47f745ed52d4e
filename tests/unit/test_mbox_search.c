#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbox_search.h"
#include "tap.h"
#include "testutil.h"

/* Five messages; the expected results below were worked out by hand. */
static const char mbox_text[] =
	"From alice@example.org Mon Jan  5 12:00:00 2026\n"
	"From: Alice <alice@example.org>\nTo: bob@example.org\n"
	"Subject: Lunch on Friday\nDate: Mon, 05 Jan 2026 12:00:00 +0000\nStatus: RO\n\n"
	"Let's get pizza.\n\n"
	"From bob@example.org Tue Jan  6 12:00:00 2026\n"
	"From: Bob <bob@example.org>\nTo: Alice <alice@example.org>\nCc: carol@example.org\n"
	"Subject: Re: Lunch on Friday\nDate: Tue, 06 Jan 2026 12:00:00 +0000\nX-Status: F\n"
	"Content-Type: multipart/mixed; boundary=b\n\n"
	"--b\nContent-Transfer-Encoding: base64\n\ncGl6emEgaXMgZmluZQo=\n"
	"--b\nContent-Type: application/pdf; name=menu.pdf\n\n%PDF\n--b--\n\n"
	"From carol@example.org Sun Feb  1 12:00:00 2026\n"
	"From: Carol <carol@example.org>\nSubject: Report\nDate: Sun, 01 Feb 2026 12:00:00 +0000\n"
	"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
	"caf=C3=A9 budget\n%PAD%\n\n"
	"From dave@example.org Mon Jan  5 12:00:00 2026\n"
	"From: Dave <dave@example.org>\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n"
	"Content-Type: text/html\nStatus: R\nX-Status: A\n\n<p>a zebra</p>\n\n"
	"From eve@example.org Mon Jan  5 23:59:59 2026\n"
	"From: Eve <eve@example.org>\nSubject: deleted stuff\n"
	"Date: Mon, 05 Jan 2026 23:59:59 +0000\nStatus: RO\nX-Status: D\n\ngone\n";

static char mbox[4300], cache[4300];

static const char *run(const char *query, int *code_r)
{
	static char out[1024];
	struct mbox_index ix;
	size_t *seqs, n;
	struct err e;
	err_init(&e);
	*code_r = 0;
	if (mbox_search(mbox, cache, query, &ix, &seqs, &n, &e) < 0) {
		*code_r = e.code;
		snprintf(out, sizeof(out), "error: %s", e.msg);
		return out;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(out);
		snprintf(out + l, sizeof(out) - l, "%s%zu", i ? "," : "", seqs[i]);
	}
	free(seqs);
	mbox_index_close(&ix);
	return out;
}

int main(void)
{
	char *dir = tu_tempdir();
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	snprintf(cache, sizeof(cache), "%s/cache.sqlite", dir);
	/* Message 2 gets 20 KB of padding so that sizes can be told apart. */
	static char text[sizeof(mbox_text) + 30000];
	const char *pad = strstr(mbox_text, "%PAD%");
	size_t head = (size_t)(pad - mbox_text);
	memcpy(text, mbox_text, head);
	memset(text + head, 'x', 20000);
	strcpy(text + head + 20000, pad + 5);
	tu_write(mbox, text, strlen(text));

	static const struct {
		const char *query, *want;
	} cases[] = {
		{ "pizza", "0,1" },
		{ "from:bob", "1" },
		{ "to:alice", "1" },
		{ "cc:carol", "1" },
		{ "subject:lunch", "0,1" },
		{ "subject:lunch -from:bob", "0" },
		{ "pizza OR zebra", "0,1,3" },
		{ "is:unread", "1,2" },
		{ "is:read", "0,3,4" },
		{ "is:flagged", "1" },
		{ "is:answered", "3" },
		{ "is:deleted", "4" },
		{ "has:attachment", "1" },
		{ "on:2026-01-05", "0,4" },
		{ "before:2026-01-06", "0,4" },
		{ "after:2026-01-05", "1,2" },
		{ "larger:10k", "2" },
		{ "smaller:10k", "0,1,3,4" },
		{ "cafe", "2" },
		{ "subject:grüße", "3" },
		{ "\"get pizza\"", "0" },
		{ "\"pizza get\"", "" },
		{ "(from:alice OR from:carol) is:unread", "2" },
		{ "NOT pizza", "2,3,4" },
		{ "menu", "" },
		{ "pdf", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int code;
		is_str(run(cases[i].query, &code), cases[i].want, "%s", cases[i].query);
	}
	int code;
	const char *r = run("from:", &code);
	ok(code == ERR_PARSE && strstr(r, "from"), "a bad query is a parse error: %s", r);
	r = run("subject:\"a \"\"quoted\"\" word\"", &code);
	ok(code == ERR_PARSE || strcmp(r, "") == 0, "quotes never reach FTS5 syntax: %s", r);

	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
