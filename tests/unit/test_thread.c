#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "header.h"
#include "msgid.h"
#include "tap.h"
#include "testutil.h"
#include "thread.h"

#define U THREAD_DATE_UNKNOWN
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

/* A thread_input with a date but no ids. */
#define MSG(id, refs, irt, subj, date) { id, refs, irt, subj, date }

static char rendered[1 << 16];
static size_t rlen;

static void put(const char *s)
{
	size_t n = strlen(s);
	if (rlen + n < sizeof(rendered)) {
		memcpy(rendered + rlen, s, n + 1);
		rlen += n;
	}
}

/* The child rows of row r after row k (r itself for the first). */
static size_t next_kid(const struct thread_row *rows, size_t nr, size_t r, size_t k)
{
	for (k++; k < nr && rows[k].depth > rows[r].depth; k++) {
		if (rows[k].parent == (ssize_t)r)
			return k;
	}
	return nr;
}

/* The rows as an IMAP THREAD response body (RFC 5256 §4), with messages
 * numbered from 1 (recursive: only for the small trees of these tests). */
static void render_row(const struct thread_row *rows, size_t nr, size_t r)
{
	char num[32];
	size_t first = next_kid(rows, nr, r, r);
	bool one = first < nr && next_kid(rows, nr, r, first) == nr;
	if (rows[r].msg >= 0) {
		snprintf(num, sizeof(num), "%zd", rows[r].msg + 1);
		put(num);
		if (first < nr)
			put(" ");
		if (one) {
			render_row(rows, nr, first);
			return;
		}
	}
	for (size_t k = first; k < nr; k = next_kid(rows, nr, r, k)) {
		put("(");
		render_row(rows, nr, k);
		put(")");
	}
}

static const char *render(const struct thread_row *rows, size_t nr)
{
	rlen = 0;
	rendered[0] = '\0';
	for (size_t r = 0; r < nr; r++) {
		if (rows[r].parent == -1) {
			put("(");
			render_row(rows, nr, r);
			put(")");
		}
	}
	return rendered;
}

/* Checks what every result must satisfy; returns NULL or what is wrong. */
static const char *check_rows(const struct thread_row *rows, size_t nr, size_t n)
{
	static char why[256];
	unsigned char *seen = calloc(n + 1, 1);
	ssize_t *lastkid = malloc((nr + 1) * sizeof(*lastkid));
	const char *bad = NULL;
	for (size_t r = 0; r <= nr; r++)
		lastkid[r] = -1;
	for (size_t r = 0; r < nr && bad == NULL; r++) {
		const struct thread_row *w = &rows[r];
		unsigned want = 0;
		if (w->parent >= 0)
			want = rows[w->parent].depth < THREAD_DEPTH_MAX ?
				rows[w->parent].depth + 1 : THREAD_DEPTH_MAX;
		if (w->msg < -1 || w->msg >= (ssize_t)n)
			bad = "input index out of range";
		else if (w->msg >= 0 && seen[w->msg]++)
			bad = "an input index appears twice";
		else if (w->parent >= (ssize_t)r || w->parent < -1)
			bad = "parent row not before its child";
		else if (w->depth != want)
			bad = "depth is not the parent's depth + 1";
		else if (r > 0 && w->depth > rows[r - 1].depth + 1)
			bad = "depth grows by more than one";
		else if (w->has_children != (r + 1 < nr && rows[r + 1].parent == (ssize_t)r))
			bad = "has_children does not match the next row";
		else if (w->msg < 0 && !w->has_children)
			bad = "a placeholder without children";
		lastkid[w->parent + 1] = (ssize_t)r;
	}
	for (size_t r = 0; r < nr && bad == NULL; r++) {
		if (rows[r].last_sibling != (lastkid[rows[r].parent + 1] == (ssize_t)r))
			bad = "last_sibling wrong";
	}
	for (size_t i = 0; i < n && bad == NULL; i++) {
		if (!seen[i])
			bad = "an input index is missing";
	}
	if (bad != NULL)
		snprintf(why, sizeof(why), "%s", bad);
	free(seen);
	free(lastkid);
	return bad ? why : NULL;
}

static struct thread_row *rows;
static size_t nrows;

/* Threads in[0..n) and returns the rendering ("ERROR: ..." if a check
 * fails). */
static const char *thread(const struct thread_input *in, size_t n,
			  const struct thread_options *opt)
{
	struct err e;
	err_init(&e);
	free(rows);
	rows = NULL;
	if (thread_build(in, n, opt, &rows, &nrows, &e) < 0)
		return "ERROR: thread_build failed";
	const char *why = check_rows(rows, nrows, n);
	if (why != NULL) {
		snprintf(rendered, sizeof(rendered), "ERROR: %s", why);
		return rendered;
	}
	return nrows <= 100 ? render(rows, nrows) : "(too large to render)";
}

static const struct thread_options by_subject = { .group_by_subject = true };
static const struct thread_options by_last = { .root_order = THREAD_ROOTS_BY_LAST };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* -------------------------------------------------------- small cases */

static void test_chains(void)
{
	struct thread_input chain[] = {
		MSG("<a@x>", NULL, NULL, "s", 100),
		MSG("<b@x>", "<a@x>", "<a@x>", "Re: s", 200),
		MSG("<c@x>", "<a@x> <b@x>", NULL, "Re: s", 300),
	};
	is_str(thread(chain, 3, NULL), "(1 2 3)", "a simple chain by References");
	is_int((long long)nrows, 3, "one row per message");

	struct thread_input reversed[] = {
		MSG("<c@x>", NULL, "<b@x>", NULL, 300),
		MSG("<b@x>", NULL, "<a@x>", NULL, 200),
		MSG("<a@x>", NULL, NULL, NULL, 100),
	};
	is_str(thread(reversed, 3, NULL), "(3 2 1)",
	       "a chain by In-Reply-To, newest message first in the input");

	struct thread_input irt[] = {
		MSG("<a@x>", NULL, NULL, NULL, 1),
		MSG("<b@x>", NULL, NULL, NULL, 2),
		MSG("<c@x>", "<a@x>", "<b@x> (from Joe <joe@x>)", NULL, 3),
	};
	is_str(thread(irt, 3, NULL), "(1 2 3)",
	       "In-Reply-To not already in References is appended to them (JWZ)");

	struct thread_input same[] = {
		MSG("<a@x>", NULL, NULL, NULL, 1),
		MSG("<b@x>", NULL, NULL, NULL, 2),
		MSG("<c@x>", "<a@x> <b@x>", "<b@x>", NULL, 3),
	};
	is_str(thread(same, 3, NULL), "(1 2 3)",
	       "In-Reply-To equal to the last reference is used once");

	struct thread_input truncated[] = {
		MSG("<x@x>", "<a@x> <c@x>", NULL, NULL, 4),
		MSG("<b@x>", "<a@x>", NULL, NULL, 2),
		MSG("<c@x>", "<a@x> <b@x>", NULL, NULL, 3),
		MSG("<a@x>", NULL, NULL, NULL, 1),
	};
	is_str(thread(truncated, 4, NULL), "(4 2 3 1)",
	       "a truncated References does not override a message's own parent");

	struct thread_input bare[] = {
		MSG("a@x", NULL, NULL, NULL, 1),
		MSG("<b@x>", "a@x", NULL, NULL, 2),
	};
	is_str(thread(bare, 2, NULL), "(1 2)", "ids without brackets still link");

	struct thread_input quoted[] = {
		MSG("<\"a\"@x>", NULL, NULL, NULL, 1),
		MSG("<b@x>", "<a@\r\n x>", NULL, NULL, 2),
	};
	is_str(thread(quoted, 2, NULL), "(1 2)",
	       "quoted and folded forms of one id are the same id");
}

static void test_missing_parents(void)
{
	struct thread_input two[] = {
		MSG("<b@x>", "<gone@x>", NULL, NULL, 1),
		MSG("<c@x>", "<gone@x>", NULL, NULL, 2),
	};
	is_str(thread(two, 2, NULL), "((1)(2))",
	       "two replies to a missing message hang under a placeholder");
	is_int(rows[0].msg, -1, "the placeholder row has msg -1");
	is_int(rows[1].depth, 1, "the replies are one level down");

	struct thread_input one[] = {
		MSG("<b@x>", "<gone@x>", NULL, NULL, 1),
		MSG("<c@x>", "<b@x>", NULL, NULL, 2),
	};
	is_str(thread(one, 2, NULL), "(1 2)",
	       "a placeholder with one child is dropped, the child promoted");

	struct thread_input middle[] = {
		MSG("<a@x>", NULL, NULL, NULL, 1),
		MSG("<c@x>", "<a@x> <gone@x>", NULL, NULL, 2),
		MSG("<d@x>", "<a@x> <gone@x>", NULL, NULL, 3),
	};
	is_str(thread(middle, 3, NULL), "(1 (2)(3))",
	       "a missing message inside a thread gives its children to its parent");

	struct thread_input deep[] = {
		MSG("<b@x>", "<g1@x> <g2@x> <g3@x>", NULL, NULL, 1),
		MSG("<c@x>", "<g1@x> <g2@x> <g4@x>", NULL, NULL, 2),
	};
	is_str(thread(deep, 2, NULL), "((1)(2))",
	       "a chain of missing messages collapses into one placeholder");
	is_int((long long)nrows, 3, "only one placeholder row is kept");

	struct thread_input lone[] = {
		MSG("<b@x>", "<g1@x> <g2@x>", NULL, NULL, 1),
		MSG("<c@x>", NULL, NULL, NULL, 2),
	};
	is_str(thread(lone, 2, NULL), "(1)(2)",
	       "a chain of missing messages above one message disappears");
}

static void test_loops(void)
{
	struct thread_input ab[] = {
		MSG("<a@x>", "<b@x>", NULL, NULL, 1),
		MSG("<b@x>", "<a@x>", NULL, NULL, 2),
	};
	is_str(thread(ab, 2, NULL), "(2 1)",
	       "A refs B and B refs A: the later link would close a loop");

	struct thread_input self[] = {
		MSG("<a@x>", "<a@x>", "<a@x>", NULL, 1),
		MSG("<b@x>", "<a@x>", NULL, NULL, 2),
	};
	is_str(thread(self, 2, NULL), "(1 2)", "a message referring to itself");

	struct thread_input refloop[] = {
		MSG("<m@x>", "<a@x> <b@x> <a@x> <b@x>", NULL, NULL, 1),
		MSG("<a@x>", NULL, NULL, NULL, 2),
		MSG("<b@x>", NULL, NULL, NULL, 3),
	};
	is_str(thread(refloop, 3, NULL), "(2 3 1)",
	       "a References list that repeats ids makes no loop");

	struct thread_input ring[] = {
		MSG("<a@x>", "<c@x>", NULL, NULL, 1),
		MSG("<b@x>", "<a@x>", NULL, NULL, 2),
		MSG("<c@x>", "<b@x>", NULL, NULL, 3),
	};
	is_str(thread(ring, 3, NULL), "(3 1 2)", "a three-message ring is cut once");
}

static void test_duplicates_and_no_ids(void)
{
	struct thread_input dup[] = {
		MSG("<a@x>", NULL, NULL, NULL, 1),
		MSG("<a@x>", NULL, NULL, NULL, 2),
		MSG("<b@x>", "<a@x>", NULL, NULL, 3),
	};
	is_str(thread(dup, 3, NULL), "(1 3)(2)",
	       "a duplicate Message-ID gets its own container; replies go to the first");

	struct thread_input none[] = {
		MSG(NULL, NULL, NULL, NULL, 1),
		MSG("", NULL, NULL, NULL, 2),
		MSG("<>", NULL, NULL, NULL, 3),
		MSG("junk", NULL, NULL, NULL, 4),
	};
	is_str(thread(none, 4, NULL), "(1)(2)(3)(4)",
	       "messages without a usable Message-ID stand alone");

	struct thread_input noid_reply[] = {
		MSG("<a@x>", NULL, NULL, NULL, 1),
		MSG(NULL, "<a@x>", NULL, NULL, 2),
		MSG(NULL, NULL, "<a@x>", NULL, 3),
	};
	is_str(thread(noid_reply, 3, NULL), "(1 (2)(3))",
	       "messages without Message-ID still thread under their references");

	struct thread_input nulls[] = { MSG(NULL, NULL, NULL, NULL, U) };
	is_str(thread(nulls, 1, NULL), "(1)", "all fields NULL");

	struct err e;
	err_init(&e);
	free(rows);
	is_int(thread_build(nulls, 0, NULL, &rows, &nrows, &e), 0, "no messages: success");
	ok(rows == NULL && nrows == 0, "no messages: no rows");
}

static void test_rows(void)
{
	/* 1 -> (2 -> 4), 3 ; 5 */
	struct thread_input in[] = {
		MSG("<1@x>", NULL, NULL, NULL, 10),
		MSG("<2@x>", "<1@x>", NULL, NULL, 20),
		MSG("<3@x>", "<1@x>", NULL, NULL, 30),
		MSG("<4@x>", "<1@x> <2@x>", NULL, NULL, 40),
		MSG("<5@x>", NULL, NULL, NULL, 50),
	};
	is_str(thread(in, 5, NULL), "(1 (2 4)(3))(5)", "a small forest");
	static const struct { ssize_t msg, parent; unsigned depth; bool kids, last; } want[] = {
		{ 0, -1, 0, true, false }, { 1, 0, 1, true, false }, { 3, 1, 2, false, true },
		{ 2, 0, 1, false, true }, { 4, -1, 0, false, true },
	};
	int good = nrows == 5;
	for (size_t r = 0; good && r < 5; r++) {
		good = rows[r].msg == want[r].msg && rows[r].parent == want[r].parent &&
		       rows[r].depth == want[r].depth && rows[r].has_children == want[r].kids &&
		       rows[r].last_sibling == want[r].last;
	}
	ok(good, "rows carry msg, parent row, depth, has_children and last_sibling");
}

static void test_order(void)
{
	struct thread_input sib[] = {
		MSG("<a@x>", NULL, NULL, NULL, 100),
		MSG("<b@x>", "<a@x>", NULL, NULL, 300),
		MSG("<c@x>", "<a@x>", NULL, NULL, 200),
		MSG("<d@x>", "<a@x>", NULL, NULL, 200),
		MSG("<e@x>", "<a@x>", NULL, NULL, U),
	};
	is_str(thread(sib, 5, NULL), "(1 (5)(3)(4)(2))",
	       "siblings by date, equal dates by input order, unknown first");

	struct thread_input roots[] = {
		MSG("<x@x>", NULL, NULL, NULL, 50),
		MSG("<y@x>", "<x@x>", NULL, NULL, 1000),
		MSG("<z@x>", NULL, NULL, NULL, 60),
	};
	is_str(thread(roots, 3, NULL), "(1 2)(3)", "threads by their first message (default)");
	is_str(thread(roots, 3, &by_last), "(3)(1 2)", "threads by their last message (option)");

	struct thread_input early_reply[] = {
		MSG("<p@x>", NULL, NULL, NULL, 500),
		MSG("<q@x>", "<p@x>", NULL, NULL, 10),
		MSG("<r@x>", NULL, NULL, NULL, 400),
	};
	is_str(thread(early_reply, 3, NULL), "(1 2)(3)",
	       "a thread sorts by its earliest message, even a reply");

	struct thread_input unknown[] = {
		MSG("<p@x>", NULL, NULL, NULL, 500),
		MSG("<q@x>", "<p@x>", NULL, NULL, U),
		MSG("<r@x>", NULL, NULL, NULL, 400),
		MSG("<s@x>", NULL, NULL, NULL, U),
	};
	is_str(thread(unknown, 4, NULL), "(4)(3)(1 2)",
	       "unknown dates count only for threads with no known date");
	is_str(thread(unknown, 4, &by_last), "(4)(3)(1 2)",
	       "by last date, unknown dates are the earliest");

	struct thread_input ties[] = {
		MSG("<1@x>", NULL, NULL, NULL, 7),
		MSG("<2@x>", NULL, NULL, NULL, 7),
		MSG("<3@x>", NULL, NULL, NULL, 7),
	};
	is_str(thread(ties, 3, NULL), "(1)(2)(3)", "threads with equal dates keep input order");

	struct thread_input dummy[] = {
		MSG("<late@x>", NULL, NULL, NULL, 100),
		MSG("<b@x>", "<gone@x>", NULL, NULL, 300),
		MSG("<c@x>", "<gone@x>", NULL, NULL, 50),
	};
	is_str(thread(dummy, 3, NULL), "((3)(2))(1)",
	       "a placeholder thread sorts by its earliest child");
}

static void test_subjects(void)
{
	static const struct { const char *in, *out; bool reply; } cases[] = {
		{ "Re: foo", "foo", true },
		{ "RE: Re: [list] Fwd: foo (fwd)", "foo", true },
		{ "[list] foo", "foo", false },
		{ "[list]", "[list]", false },
		{ "[a][b] [c]", "[c]", false },
		{ "[fwd: foo]", "foo", true },
		{ "[Fwd: Re: [list] foo (fwd)]", "foo", true },
		{ "  Foo \t  Bar  ", "foo bar", false },
		{ "Re[2]: x", "x", true },
		{ "Re : x", "x", true },
		{ "Fw: x", "x", true },
		{ "[a] [b] re: [c] x", "x", true },
		{ "reply: x", "reply: x", false },
		{ "Re: ", "", true },
		{ "(fwd)", "", true },
		{ "", "", false },
		{ "Übung RE: x", "Übung re: x", false },
	};
	struct buf b;
	buf_init(&b, BUF_MAX_SMALL);
	for (size_t i = 0; i < N(cases); i++) {
		bool reply = !cases[i].reply;
		buf_reset(&b);
		int rc = thread_base_subject(cases[i].in, &b, &reply);
		ok(rc == 0 && strcmp(b.data, cases[i].out) == 0 && reply == cases[i].reply,
		   "base subject of \"%s\" is \"%s\"%s", cases[i].in, cases[i].out,
		   cases[i].reply ? " (a reply)" : "");
		if (strcmp(b.data, cases[i].out) != 0)
			diag("got \"%s\"", b.data);
	}
	char *long_subject = malloc(3 * THREAD_SUBJECT_MAX);
	memset(long_subject, 'x', 3 * THREAD_SUBJECT_MAX - 1);
	long_subject[3 * THREAD_SUBJECT_MAX - 1] = '\0';
	buf_reset(&b);
	is_int(thread_base_subject(long_subject, &b, NULL), 0, "a long subject ...");
	is_int((long long)b.len, THREAD_SUBJECT_MAX, "... is cut at THREAD_SUBJECT_MAX bytes");
	free(long_subject);
	buf_release(&b);
	struct buf tiny;
	buf_init(&tiny, 2);
	is_int(thread_base_subject("abc", &tiny, NULL), -1, "a full buffer reports -1");
	buf_release(&tiny);
}

static void test_grouping(void)
{
	struct thread_input reply[] = {
		MSG("<a@x>", NULL, NULL, "Foo", 1),
		MSG("<b@x>", NULL, NULL, "re: FOO", 2),
	};
	is_str(thread(reply, 2, NULL), "(1)(2)", "without grouping, subjects do not link");
	is_str(thread(reply, 2, &by_subject), "(1 2)",
	       "with grouping, a reply goes under the message it answers");

	struct thread_input reply_first[] = {
		MSG("<b@x>", NULL, NULL, "Re: foo", 1),
		MSG("<a@x>", NULL, NULL, "foo", 2),
	};
	is_str(thread(reply_first, 2, &by_subject), "(2 1)",
	       "a reply dated before the original still goes under it");

	struct thread_input peers[] = {
		MSG("<a@x>", NULL, NULL, "foo", 1),
		MSG("<b@x>", NULL, NULL, "foo", 2),
		MSG("<c@x>", NULL, NULL, "Re: bar", 3),
		MSG("<d@x>", NULL, NULL, "Re: bar", 4),
		MSG("<e@x>", NULL, NULL, "[list] foo", 5),
	};
	is_str(thread(peers, 5, &by_subject), "((1)(2)(5))((3)(4))",
	       "two originals (or two replies) become siblings under a placeholder");

	struct thread_input dummies[] = {
		MSG("<b@x>", "<g1@x>", NULL, "Re: foo", 1),
		MSG("<c@x>", "<g1@x>", NULL, "Re: foo", 2),
		MSG("<d@x>", "<g2@x>", NULL, "Re: foo", 3),
		MSG("<e@x>", "<g2@x>", NULL, "Re: foo", 4),
		MSG("<f@x>", NULL, NULL, "foo", 5),
	};
	is_str(thread(dummies, 5, &by_subject), "((1)(2)(3)(4)(5))",
	       "placeholders of one subject merge; a message joins a placeholder");

	struct thread_input empty[] = {
		MSG("<a@x>", NULL, NULL, "", 1),
		MSG("<b@x>", NULL, NULL, "Re:", 2),
		MSG("<c@x>", NULL, NULL, NULL, 3),
	};
	is_str(thread(empty, 3, &by_subject), "(1)(2)(3)", "empty base subjects are not grouped");

	struct thread_input inner[] = {
		MSG("<a@x>", NULL, NULL, "foo", 1),
		MSG("<b@x>", "<a@x>", NULL, "bar", 2),
		MSG("<c@x>", NULL, NULL, "Re: bar", 3),
	};
	is_str(thread(inner, 3, &by_subject), "(1 2)(3)",
	       "only threads' tops are grouped, not messages inside threads");
}

static void test_limits(void)
{
	/* References of THREAD_REFS_MAX + 500 ids: only the last are used, so
	 * the first (an existing message) is not reached. */
	size_t nref = THREAD_REFS_MAX + 500, cap = nref * 16 + 1, len = 0;
	char *refs = malloc(cap);
	for (size_t k = 0; k < nref; k++)
		len += (size_t)snprintf(refs + len, cap - len, "<r%zu@x> ", k);
	struct thread_input many[] = {
		MSG("<r0@x>", NULL, NULL, NULL, 1),
		MSG("<m@x>", refs, NULL, NULL, 2),
	};
	is_str(thread(many, 2, NULL), "(1)(2)", "only the last THREAD_REFS_MAX references are used");
	len = 0;
	for (size_t k = 0; k < THREAD_REFS_MAX; k++)
		len += (size_t)snprintf(refs + len, cap - len, "<r%zu@x> ", k);
	is_str(thread(many, 2, NULL), "(1 2)", "THREAD_REFS_MAX references are all used");
	struct thread_input irt[] = {
		MSG("<r0@x>", NULL, NULL, NULL, 1),
		MSG("<m@x>", refs, "<last@x>", NULL, 2),
	};
	is_str(thread(irt, 2, NULL), "(1)(2)",
	       "an appended In-Reply-To counts against THREAD_REFS_MAX");
	free(refs);

	char *big = malloc(MSGID_MAX + 16);
	big[0] = '<';
	memset(big + 1, 'x', MSGID_MAX);
	memcpy(big + 1 + MSGID_MAX, "@y>", 4);
	struct thread_input longid[] = {
		MSG(big, NULL, NULL, NULL, 1),
		MSG("<b@x>", NULL, big, NULL, 2),
	};
	is_str(thread(longid, 2, NULL), "(1)(2)", "ids over 1000 bytes are ignored");
	free(big);

	/* A 1500-deep chain: depth saturates, the parent rows keep the shape. */
	size_t n = 1500;
	struct thread_input *in = calloc(n, sizeof(*in));
	char (*ids)[32] = malloc(n * sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "<%zu@deep>", i);
		in[i] = (struct thread_input)MSG(ids[i], i ? ids[i - 1] : NULL, NULL, NULL, (int64_t)i);
	}
	thread(in, n, NULL);
	ok(nrows == n && rows[1200].depth == THREAD_DEPTH_MAX &&
	   rows[THREAD_DEPTH_MAX - 1].depth == THREAD_DEPTH_MAX - 1 &&
	   rows[1200].parent == 1199 && rows[1200].msg == 1200,
	   "depth saturates at THREAD_DEPTH_MAX; parent rows keep the structure");
	free(in);
	free(ids);
}

/* ------------------------------------------------ imaptest's mailboxes */

struct mbox {
	struct thread_input in[64];
	char *strs[64 * 4];
	size_t n, nstrs;
};

static const char *field(struct mbox *mb, const char *hdr, size_t len, const char *name)
{
	struct buf v;
	buf_init(&v, BUF_MAX_SMALL);
	char *s = NULL;
	if (header_get(hdr, len, name, &v) == 1) {
		s = buf_detach(&v, NULL);
		mb->strs[mb->nstrs++] = s;
	}
	buf_release(&v);
	return s;
}

/* Seconds of the day of the first hh:mm:ss in s[0..len) (these mailboxes
 * are all of one day and one zone), or THREAD_DATE_UNKNOWN. */
static int64_t time_of_day(const char *s, size_t len)
{
	for (size_t i = 0; s != NULL && i + 8 <= len; i++) {
		const char *t = s + i;
		if (t[2] == ':' && t[5] == ':' && t[0] >= '0' && t[0] <= '9' &&
		    t[1] >= '0' && t[1] <= '9' && t[3] >= '0' && t[4] >= '0' &&
		    t[6] >= '0' && t[7] >= '0')
			return ((t[0] - '0') * 10 + (t[1] - '0')) * 3600 +
			       ((t[3] - '0') * 10 + (t[4] - '0')) * 60 +
			       (t[6] - '0') * 10 + (t[7] - '0');
	}
	return THREAD_DATE_UNKNOWN;
}

/* Splits an mbox on "\nFrom " and reads each message's threading fields;
 * the date is the Date field's time, or the From_ line's (RFC 5256 §2.2:
 * the internal date stands in for a missing Date). */
static void load_mbox(struct mbox *mb, const char *name)
{
	char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof(path), "%s/tests/data/thread/%s", top && *top ? top : ".", name);
	char *data = strdup(tu_read(path));
	mb->n = mb->nstrs = 0;
	mb->strs[mb->nstrs++] = data;
	for (char *p = data; p != NULL && *p != '\0' && mb->n < N(mb->in);) {
		char *next = strstr(p, "\nFrom ");
		size_t len = next ? (size_t)(next + 1 - p) : strlen(p);
		char *nl = memchr(p, '\n', len);
		char *hdr = nl ? nl + 1 : p + len;
		size_t hlen = header_block_len(hdr, len - (size_t)(hdr - p));
		const char *date = field(mb, hdr, hlen, "Date");
		mb->in[mb->n++] = (struct thread_input){
			.message_id = field(mb, hdr, hlen, "Message-ID"),
			.references = field(mb, hdr, hlen, "References"),
			.in_reply_to = field(mb, hdr, hlen, "In-Reply-To"),
			.subject = field(mb, hdr, hlen, "Subject"),
			.date = date ? time_of_day(date, strlen(date))
				     : time_of_day(p, (size_t)(hdr - p)),
		};
		p = next ? next + 1 : NULL;
	}
}

static void free_mbox(struct mbox *mb)
{
	for (size_t i = 0; i < mb->nstrs; i++)
		free(mb->strs[i]);
}

static void test_imaptest(void)
{
	/* Expected results are derived by hand from JWZ's rules; where
	 * imaptest has a script (thread2, 4, 6, 7) they agree with it. */
	static const struct { const char *file, *plain, *grouped, *what; } cases[] = {
		{ "thread.mbox", "(1 3 2)", "(1 3 2)",
		  "References naming a later reply as ancestor: the own-parent link "
		  "that would close a loop is dropped (Dovecot answers (3 1 2))" },
		{ "thread2.mbox", "(1)(2)", "(1)(2)", "two messages with one Message-ID" },
		{ "thread3.mbox", "(1)(2)", "(1 2)",
		  "duplicate Message-ID, joined only by subject grouping" },
		{ "thread4.mbox", "(1)(2)", "(1 2)",
		  "a reply to a missing message joins by subject only" },
		{ "thread5.mbox", "(1 (2 (4)(5))(3))", "(1 (2 (4)(5))(3))",
		  "In-Reply-To tree of five messages" },
		{ "thread6.mbox", "((1)(2))", "((1)(2))",
		  "two messages without Message-ID referencing a missing one" },
		{ "thread7.mbox", "(1 (2 3)(4))", "(1 (2 3)(4))",
		  "a duplicate id in the middle of a thread" },
		{ "thread8.mbox", "(1 (2)(3))", "(1 (2)(3))",
		  "two replies sharing a Message-ID" },
		{ "thread-orderedsubject2.mbox", "(4)(3)(2)(1)(8)(7)(6)(5)",
		  "((4)(2)(8)(6))((3)(1)(7)(5))",
		  "eight messages of two subjects, by date" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct mbox mb;
		load_mbox(&mb, cases[i].file);
		is_str(thread(mb.in, mb.n, NULL), cases[i].plain, "%s: %s", cases[i].file,
		       cases[i].what);
		is_str(thread(mb.in, mb.n, &by_subject), cases[i].grouped,
		       "%s with subject grouping", cases[i].file);
		free_mbox(&mb);
	}
}

/* ------------------------------------------------------- large inputs */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Generated messages: ids "<N@gen>", References built by the caller. */
struct gen {
	struct thread_input *in;
	char **strs;
	size_t n;
};

static void gen_init(struct gen *g, size_t n)
{
	g->in = calloc(n, sizeof(*g->in));
	g->strs = calloc(2 * n, sizeof(*g->strs));
	g->n = n;
}

static void gen_free(struct gen *g)
{
	for (size_t i = 0; i < 2 * g->n; i++)
		free(g->strs[i]);
	free(g->strs);
	free(g->in);
}

static char *gen_id(struct gen *g, size_t slot, size_t num)
{
	char id[40];
	snprintf(id, sizeof(id), "<%zu@gen>", num);
	return g->strs[slot] = strdup(id);
}

/* Times thread_build; returns the time taken in seconds. */
static double timed(const struct thread_input *in, size_t n,
		    const struct thread_options *opt, const char **why_r)
{
	struct err e;
	err_init(&e);
	free(rows);
	rows = NULL;
	double t0 = now();
	int rc = thread_build(in, n, opt, &rows, &nrows, &e);
	double t = now() - t0;
	*why_r = rc < 0 ? "thread_build failed" : check_rows(rows, nrows, n);
	return t;
}

static void test_long_chain(void)
{
	size_t n = 100000;
	struct gen g;
	const char *why;
	gen_init(&g, n);
	for (size_t i = 0; i < n; i++) {
		g.in[i].message_id = gen_id(&g, 2 * i, i);
		g.in[i].in_reply_to = i ? g.strs[2 * (i - 1)] : NULL;
		g.in[i].date = (int64_t)i;
	}
	double t = timed(g.in, n, NULL, &why);
	diag("100,000-message chain, oldest first: %.3f s", t);
	is_str(why, NULL, "a 100,000-deep chain gives valid rows");
	ok(nrows == n && rows[n - 1].msg == (ssize_t)n - 1 &&
	   rows[n - 1].depth == THREAD_DEPTH_MAX && rows[n - 1].parent == (ssize_t)n - 2,
	   "the chain is one thread in order");

	/* The same chain given newest first, with full References windows. */
	struct thread_input *rev = calloc(n, sizeof(*rev));
	for (size_t i = 0; i < n; i++) {
		rev[i] = g.in[n - 1 - i];
		rev[i].in_reply_to = NULL;
		size_t k = n - 1 - i;
		if (k > 0) {
			size_t first = k > 8 ? k - 8 : 0, cap = 8 * 24, len = 0;
			char *refs = malloc(cap);
			refs[0] = '\0';
			for (size_t j = first; j < k; j++)
				len += (size_t)snprintf(refs + len, cap - len, "%s ", g.strs[2 * j]);
			g.strs[2 * k + 1] = refs;
			rev[i].references = refs;
		}
	}
	t = timed(rev, n, &by_subject, &why);
	diag("100,000-message chain, newest first, References of 8: %.3f s", t);
	is_str(why, NULL, "the reversed chain gives valid rows");
	ok(nrows == n && rows[0].msg == (ssize_t)n - 1 && rows[n - 1].msg == 0 &&
	   rows[n - 1].depth == THREAD_DEPTH_MAX,
	   "the reversed chain is the same single thread");
	free(rev);
	gen_free(&g);
}

/* A random forest over logical messages 0..n-1 (parents before children),
 * handed over in a shuffled order with References of up to 4 ancestors. */
static void test_random_forest(void)
{
	size_t n = 100000;
	struct gen g;
	size_t *par = malloc(n * sizeof(*par)), *pos = malloc(n * sizeof(*pos));
	const char *why;
	gen_init(&g, n);
	for (size_t i = 0; i < n; i++) {
		par[i] = i == 0 || rng() % 8 == 0 ? SIZE_MAX : (size_t)(rng() % i);
		pos[i] = i;
	}
	for (size_t i = n; i-- > 1;) {
		size_t j = (size_t)(rng() % (i + 1)), t = pos[i];
		pos[i] = pos[j];
		pos[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		gen_id(&g, 2 * pos[i], i);
	for (size_t i = 0; i < n; i++) {
		struct thread_input *m = &g.in[pos[i]];
		size_t anc[4], na = 0, cap = 4 * 24, len = 0;
		for (size_t a = par[i]; a != SIZE_MAX && na < 4; a = par[a])
			anc[na++] = a;
		char *refs = malloc(cap);
		refs[0] = '\0';
		while (na > 0)
			len += (size_t)snprintf(refs + len, cap - len, "%s ", g.strs[2 * pos[anc[--na]]]);
		g.strs[2 * pos[i] + 1] = refs;
		m->message_id = g.strs[2 * pos[i]];
		m->references = refs;
		m->date = rng() % 16 == 0 ? THREAD_DATE_UNKNOWN : (int64_t)(rng() % 100000);
	}
	double t = timed(g.in, n, NULL, &why);
	diag("100,000-message random forest: %.3f s", t);
	is_str(why, NULL, "the random forest gives valid rows");

	size_t wrong_parent = 0, wrong_order = 0;
	ssize_t *prev = malloc((nrows + 1) * sizeof(*prev));
	for (size_t r = 0; r <= nrows; r++)
		prev[r] = -1;
	size_t *logical = malloc(n * sizeof(*logical));
	for (size_t i = 0; i < n; i++)
		logical[pos[i]] = i;
	for (size_t r = 0; r < nrows; r++) {
		size_t i = logical[rows[r].msg];
		ssize_t want = par[i] == SIZE_MAX ? -1 : (ssize_t)pos[par[i]];
		ssize_t got = rows[r].parent < 0 ? -1 : rows[rows[r].parent].msg;
		if (want != got)
			wrong_parent++;
		ssize_t p = rows[r].parent, q = prev[p + 1];
		if (p >= 0 && q >= 0) {
			const struct thread_input *a = &g.in[rows[q].msg], *b = &g.in[rows[r].msg];
			if (a->date > b->date || (a->date == b->date && rows[q].msg > rows[r].msg))
				wrong_order++;
		}
		prev[p + 1] = (ssize_t)r;
	}
	is_int((long long)wrong_parent, 0, "every message sits under its real parent");
	is_int((long long)wrong_order, 0, "siblings are sorted by date, then input index");

	struct thread_row *plain = rows;
	size_t nplain = nrows;
	rows = NULL;
	struct thread_options keyed = { .hash_key = { 0x0123456789abcdefULL, 42 } };
	timed(g.in, n, &keyed, &why);
	size_t same = 0;
	for (size_t r = 0; why == NULL && r < nrows && nrows == nplain; r++)
		same += rows[r].msg == plain[r].msg && rows[r].parent == plain[r].parent &&
			rows[r].depth == plain[r].depth &&
			rows[r].has_children == plain[r].has_children &&
			rows[r].last_sibling == plain[r].last_sibling;
	is_int((long long)same, (long long)nplain, "the hash key does not change the result");
	free(plain);

	static char subjects[128][32];
	for (size_t k = 0; k < 128; k++)
		snprintf(subjects[k], sizeof(subjects[k]), "%s[l] topic %zu",
			 k % 2 ? "Re: " : "", k / 2);
	for (size_t i = 0; i < n; i++)
		g.in[i].subject = subjects[rng() % 128];
	t = timed(g.in, n, &by_subject, &why);
	diag("100,000-message random forest, grouped by 64 subjects: %.3f s", t);
	is_str(why, NULL, "grouping a large forest by subject gives valid rows");
	size_t tops = 0;
	for (size_t r = 0; r < nrows; r++)
		tops += rows[r].parent == -1;
	is_int((long long)tops, 64, "each of the 64 base subjects is one thread");
	free(prev);
	free(logical);
	free(par);
	free(pos);
	gen_free(&g);
}

static char *same_refs(size_t count, const char *fmt)
{
	size_t cap = count * 24 + 1, len = 0;
	char *refs = malloc(cap);
	refs[0] = '\0';
	for (size_t k = 0; k < count; k++)
		len += (size_t)snprintf(refs + len, cap - len, fmt, k);
	return refs;
}

static void test_pathological(void)
{
	size_t n = 10000;
	struct gen g;
	const char *why;
	char *refs = same_refs(THREAD_REFS_MAX, "<p%zu@x> ");
	gen_init(&g, n);
	for (size_t i = 0; i < n; i++) {
		g.in[i].message_id = gen_id(&g, 2 * i, i);
		g.in[i].references = refs;
		g.in[i].subject = "Re: same";
		g.in[i].date = (int64_t)(n - i);
	}
	double t = timed(g.in, n, &by_subject, &why);
	diag("10,000 messages with the same 1000 missing References: %.3f s", t);
	is_str(why, NULL, "same 1000 References: valid rows");
	ok(nrows == n + 1 && rows[0].msg == -1 && rows[1].msg == (ssize_t)n - 1 &&
	   rows[n].depth == 1, "they are siblings under one placeholder, newest last");

	/* The referenced ids exist: the first 1000 messages are the chain. */
	char *chain = same_refs(THREAD_REFS_MAX, "<%zu@gen> ");
	for (size_t i = 0; i < n; i++) {
		g.in[i].references = i < THREAD_REFS_MAX ? (i ? g.strs[2 * (i - 1)] : NULL) : chain;
		g.in[i].date = (int64_t)i;
	}
	t = timed(g.in, n, NULL, &why);
	diag("1000-message chain plus 9,000 messages referencing all of it: %.3f s", t);
	is_str(why, NULL, "existing chain of 1000: valid rows");
	ok(nrows == n && rows[THREAD_REFS_MAX].parent == THREAD_REFS_MAX - 1 &&
	   rows[n - 1].parent == THREAD_REFS_MAX - 1,
	   "the 9,000 hang under the chain's last message");
	free(chain);
	free(refs);
	gen_free(&g);

	/* Deep links into a long chain: each of m messages links a subtree
	 * under the chain's end, the case a walk-up loop check makes
	 * quadratic. */
	size_t m = 30000, total = 3 * m;
	gen_init(&g, total);
	for (size_t i = 0; i < m; i++) {
		g.in[i].message_id = gen_id(&g, 2 * i, i);
		g.in[i].in_reply_to = i ? g.strs[2 * (i - 1)] : NULL;
	}
	for (size_t j = 0; j < m; j++) {
		char z[40], w[96];
		snprintf(z, sizeof(z), "<z%zu@gen>", j);
		g.in[m + j].message_id = gen_id(&g, 2 * (m + j), m + j);
		g.in[m + j].references = g.strs[2 * (m + j) + 1] = strdup(z);
		snprintf(w, sizeof(w), "%s %s", g.strs[2 * (m - 1)], z);
		g.in[2 * m + j].message_id = gen_id(&g, 2 * (2 * m + j), 2 * m + j);
		g.in[2 * m + j].references = g.strs[2 * (2 * m + j) + 1] = strdup(w);
	}
	for (size_t i = 0; i < total; i++)
		g.in[i].date = THREAD_DATE_UNKNOWN;
	t = timed(g.in, total, NULL, &why);
	diag("30,000-deep chain with 30,000 subtrees linked under its end: %.3f s", t);
	is_str(why, NULL, "deep links: valid rows");
	ok(nrows == total && rows[m].parent == (ssize_t)m - 1 && rows[m].msg == (ssize_t)m &&
	   rows[2 * m].msg == (ssize_t)(2 * m) && rows[total - 1].parent == (ssize_t)m - 1,
	   "each subtree's messages hang under the chain's end");
	gen_free(&g);
}

int main(void)
{
	test_chains();
	test_missing_parents();
	test_loops();
	test_duplicates_and_no_ids();
	test_rows();
	test_order();
	test_subjects();
	test_grouping();
	test_limits();
	test_imaptest();
	test_long_chain();
	test_random_forest();
	test_pathological();
	free(rows);
	return done_testing();
}
