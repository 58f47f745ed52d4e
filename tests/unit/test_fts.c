#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fts.h"
#include "tap.h"
#include "testutil.h"

static char mbox[4300], cache[4300];

static const char msgs[] =
	"From a@example.org Mon Jan  5 09:12:00 2026\n"
	"From: Klaus <k@example.org>\nSubject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_M=FCnchen?=\n\nhallo\n\n"
	"From b@example.org Mon Jan  5 09:13:00 2026\n"
	"From: Bob <bob@example.org>\nSubject: encoded\nContent-Transfer-Encoding: base64\n\n"
	"YSB6ZWJyYSBpbiBiYXNlNjQK\n\n"
	"From c@example.org Mon Jan  5 09:14:00 2026\n"
	"From: Carol <carol@example.org>\nSubject: qp\nContent-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: quoted-printable\n\nun caf=C3=A9 noir\n\n"
	"From d@example.org Mon Jan  5 09:15:00 2026\n"
	"From: Dan <dan@example.org>\nSubject: html\nContent-Type: text/html\n\n"
	"<p>a <b>gir</b>affe here</p>\n";

static size_t count_matches(const char *q)
{
	size_t *seqs, n;
	struct err e;
	err_init(&e);
	struct mbox_index ix;
	if (mbox_index_open(&ix, mbox, cache, &e) < 0)
		return (size_t)-1;
	struct fts *f = fts_open(mbox, cache, &e);
	int rc = f ? fts_match(f, &ix, q, &seqs, &n, &e) : -1;
	fts_close(&f);
	mbox_index_close(&ix);
	if (rc < 0) {
		diag("match %s: %s", q, e.msg);
		return (size_t)-1;
	}
	free(seqs);
	return n;
}

static size_t first_match(const char *q)
{
	size_t *seqs, n, r = (size_t)-1;
	struct err e;
	err_init(&e);
	struct mbox_index ix;
	if (mbox_index_open(&ix, mbox, cache, &e) < 0)
		return r;
	struct fts *f = fts_open(mbox, cache, &e);
	seqs = NULL;
	if (f != NULL && fts_match(f, &ix, q, &seqs, &n, &e) == 0 && n > 0)
		r = seqs[0];
	fts_close(&f);
	mbox_index_close(&ix);
	free(seqs);
	return r;
}

static size_t update(void)
{
	struct mbox_index ix;
	struct err e;
	size_t indexed = 99;
	err_init(&e);
	struct fts *f = NULL;
	if (mbox_index_open(&ix, mbox, cache, &e) < 0 ||
	    (f = fts_open(mbox, cache, &e)) == NULL ||
	    fts_update(f, &ix, &indexed, &e) < 0)
		diag("update: %s", e.msg);
	fts_close(&f);
	mbox_index_close(&ix);
	return indexed;
}

int main(void)
{
	char *dir = tu_tempdir();
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	snprintf(cache, sizeof(cache), "%s/cache.sqlite", dir);
	tu_write(mbox, msgs, sizeof(msgs) - 1);

	is_int((long long)update(), 4, "first update indexes every message");
	is_int((long long)first_match("zebra"), 1, "base64 bodies are searched decoded");
	is_int((long long)count_matches("YSB6ZWJyYSBpbiBiYXNlNjQK"), 0,
	       "the raw base64 is not what is indexed");
	is_int((long long)first_match("cafe"), 2, "accents do not matter (café)");
	is_int((long long)first_match("CAFÉ"), 2, "nor does case");
	is_int((long long)first_match("giraffe"), 3, "HTML is searched as the text a reader sees");
	is_int((long long)first_match("subject:munchen"), 0, "decoded subjects, by field");
	is_int((long long)first_match("sender:carol"), 2, "addresses, by field");
	is_int((long long)count_matches("subject:zebra"), 0, "a field limits the match");
	is_int((long long)count_matches("\"un cafe noir\""), 1, "phrases");

	is_int((long long)update(), 0, "an unchanged mbox indexes nothing again");
	FILE *f = fopen(mbox, "a");
	fputs("\nFrom e@example.org Mon Jan  5 09:16:00 2026\nSubject: new\n\nokapi\n", f);
	fclose(f);
	is_int((long long)update(), 2, "after an append only the old last and the new message");
	is_int((long long)first_match("okapi"), 4, "the new message is found");
	is_int((long long)count_matches("giraffe"), 1, "no message indexed twice");

	size_t *seqs, n;
	struct err e;
	err_init(&e);
	struct mbox_index ix;
	struct fts *fx = mbox_index_open(&ix, mbox, cache, &e) < 0 ? NULL
			 : fts_open(mbox, cache, &e);
	ok(fx != NULL && fts_match(fx, &ix, "\"unterminated", &seqs, &n, &e) < 0 &&
	   e.code == ERR_PARSE, "a bad expression is a parse error: %s", e.msg);
	fts_close(&fx);
	mbox_index_close(&ix);
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
