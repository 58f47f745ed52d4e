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

/* ------------------------------------------------ generated corpus */

/* 1,500 messages made from a fixed pseudo-random sequence; what each one
 * holds is recorded as it is made, and the expected counts come from
 * those records, not from anything tern parses. */
#define GEN_N 1500
static const char *const senders[] = { "alice", "bob", "carol", "dave", "erin" };
static const char *const words[] = { "kiwi", "mango", "papaya", "quince", "durian" };
struct gen {
	int sender;
	unsigned words;   /* bit w: words[w] is in the body */
	bool in_subject;  /* words[0] in the subject too */
	bool b64;         /* the body is base64: the raw file lacks the words */
	unsigned flags;
	int month;        /* 2026-month-10 */
	bool big;
};
static struct gen gens[GEN_N];
static unsigned long rng = 12345;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % n);
}

static void b64(const char *in, char *out)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

static void generate(const char *path)
{
	FILE *f = fopen(path, "w");
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun" };
	for (int i = 0; i < GEN_N; i++) {
		struct gen *g = &gens[i];
		g->sender = (int)rnd(5);
		g->words = rnd(32);
		g->in_subject = rnd(4) == 0;
		g->b64 = rnd(3) == 0;
		g->flags = (rnd(2) ? SUMMARY_READ : 0) | (rnd(5) == 0 ? SUMMARY_FLAGGED : 0);
		g->month = (int)rnd(6) + 1;
		g->big = rnd(10) == 0;
		char body[4096] = "filler text\n";
		for (int w = 0; w < 5; w++)
			if (g->words & (1u << w)) {
				strcat(body, words[w]);
				strcat(body, " and more\n");
			}
		char enc[6000];
		if (g->b64)
			b64(body, enc);
		fprintf(f, "From %s@example.org Mon %s 10 10:00:00 2026\n"
			"From: %s <%s@example.org>\nTo: list@example.org\n"
			"Subject: note %d%s\nDate: Sat, 10 %s 2026 10:00:00 +0000\n%s%s"
			"Content-Type: text/plain; charset=us-ascii\n%s\n%s\n",
			senders[g->sender], mon[g->month - 1], senders[g->sender],
			senders[g->sender], i, g->in_subject ? " kiwi" : "", mon[g->month - 1],
			g->flags & SUMMARY_READ ? "Status: RO\n" : "",
			g->flags & SUMMARY_FLAGGED ? "X-Status: F\n" : "",
			g->b64 ? "Content-Transfer-Encoding: base64\n" : "",
			g->b64 ? enc : body);
		if (g->big)
			for (int k = 0; k < 120; k++)
				fputs("padding padding padding padding padding padding padding\n", f);
		fputs("\n", f);
	}
	fclose(f);
}

static size_t count_where(bool (*pred)(const struct gen *))
{
	size_t n = 0;
	for (int i = 0; i < GEN_N; i++)
		n += pred(&gens[i]);
	return n;
}

static bool p_alice(const struct gen *g) { return g->sender == 0; }
static bool p_kiwi(const struct gen *g) { return (g->words & 1) || g->in_subject; }
static bool p_kiwi_not_mango(const struct gen *g) { return p_kiwi(g) && !(g->words & 2); }
static bool p_unread(const struct gen *g) { return !(g->flags & SUMMARY_READ); }
static bool p_flagged_fruit(const struct gen *g)
{
	return (g->flags & SUMMARY_FLAGGED) && (g->words & (4 | 8));
}
static bool p_spring(const struct gen *g) { return g->month >= 3; }
static bool p_big(const struct gen *g) { return g->big; }
static bool p_subject_kiwi_bob(const struct gen *g) { return g->in_subject && g->sender == 1; }
static bool p_durian_b64(const struct gen *g) { return (g->words & 16) && g->b64; }
static bool p_durian(const struct gen *g) { return g->words & 16; }

static size_t search_count(const char *path, const char *c, const char *query)
{
	struct mbox_index ix;
	size_t *seqs = NULL, n = 0;
	struct err e;
	err_init(&e);
	if (mbox_search(path, c, query, &ix, &seqs, &n, &e) < 0) {
		diag("%s: %s", query, e.msg);
		return (size_t)-1;
	}
	free(seqs);
	mbox_index_close(&ix);
	return n;
}

static void test_generated(const char *dir)
{
	char path[4300], c[4300];
	snprintf(path, sizeof(path), "%s/gen.mbox", dir);
	snprintf(c, sizeof(c), "%s/gen.sqlite", dir);
	generate(path);
	static const struct {
		const char *query;
		bool (*pred)(const struct gen *);
	} cases[] = {
		{ "from:alice", p_alice },
		{ "kiwi", p_kiwi },
		{ "kiwi -mango", p_kiwi_not_mango },
		{ "is:unread", p_unread },
		{ "(papaya OR quince) is:flagged", p_flagged_fruit },
		{ "after:2026-02-28", p_spring },
		{ "larger:4k", p_big },
		{ "subject:kiwi from:bob", p_subject_kiwi_bob },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t want = count_where(cases[i].pred);
		is_int((long long)search_count(path, c, cases[i].query), (long long)want,
		       "generated corpus: %s finds the %zu the generator put there",
		       cases[i].query, want);
	}
	/* durian is in plain and in base64 bodies, where the raw file does
	 * not have it: all of them are found. */
	size_t b64_ones = count_where(p_durian_b64);
	size_t want = count_where(p_durian);
	is_int((long long)search_count(path, c, "durian"), (long long)want,
	       "words are found in base64 bodies too (%zu of the %zu)", b64_ones, want);
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

	test_generated(dir);
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
