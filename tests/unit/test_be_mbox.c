#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "be_mbox.h"
#include "tap.h"
#include "testutil.h"

static char mbox[4300], cache[4300], other[4300];
static char notices[2048];

static const char text[] =
	"From a@x Mon Jan  5 09:12:00 2026\n"
	"From: Ann <a@x>\nSubject: zero\nMessage-ID: <0@x>\n\n>From the start\nzebra\n\n"
	"From b@x Mon Jan  5 09:13:00 2026\n"
	"From: Bob <b@x>\nSubject: one\nMessage-ID: <1@x>\nStatus: RO\n\nokapi\n\n"
	"From c@x Mon Jan  5 09:14:00 2026\n"
	"From: Cy <c@x>\nSubject: two\nMessage-ID: <2@x>\n\nzebra again\n";

static void on_notice(void *ctx, const char *t)
{
	(void)ctx;
	size_t l = strlen(notices);
	snprintf(notices + l, sizeof(notices) - l, "%s;", t);
}

static const struct ui_hooks hooks = { .notice = on_notice };

static struct be_account *open_acct(const char *path, bool missing_ok)
{
	struct be_account *a = NULL;
	struct err e;
	err_init(&e);
	if (be_mbox_open(&a, NULL, path, cache, missing_ok, &hooks, &e) < 0)
		diag("open account: %s", e.msg);
	return a;
}

static struct be_folder *open_folder(struct be_account *a)
{
	struct be_folder *f = NULL;
	struct err e;
	err_init(&e);
	if (a->ops->open_folder(a, NULL, false, &f, &e) < 0)
		diag("open folder: %s", e.msg);
	return f;
}

static size_t search(struct be_folder *f, const char *query, size_t *first_r)
{
	struct query_node *q = NULL;
	struct err e;
	err_init(&e);
	size_t *idx = NULL, n = (size_t)-1;
	if (query_parse(query, strlen(query), &q, &e) < 0 ||
	    f->account->ops->search(f, q, &idx, &n, &e) < 0)
		diag("search %s: %s", query, e.msg);
	*first_r = n > 0 && n != (size_t)-1 ? idx[0] : (size_t)-1;
	free(idx);
	query_free(&q);
	return n;
}

int main(void)
{
	char *dir = tu_tempdir();
	snprintf(mbox, sizeof(mbox), "%s/in.mbox", dir);
	snprintf(cache, sizeof(cache), "%s/cache.sqlite", dir);
	snprintf(other, sizeof(other), "%s/saved.mbox", dir);
	tu_write(mbox, text, strlen(text));
	struct err e;
	err_init(&e);

	struct be_account *a = open_acct(mbox, false);
	ok(a && (a->caps & BE_CAP_OFFLINE) && !(a->caps & BE_CAP_SERVER_FLAGS) &&
	   !(a->caps & BE_CAP_FOLDERS), "an mbox works offline, keeps flags locally, "
	   "has one folder");
	struct be_folder_info *list = NULL;
	size_t nl = 0;
	ok(a->ops->list_folders(a, &list, &nl, &e) == 0 && nl == 1 &&
	   strcmp(list[0].name, mbox) == 0, "its folder list is the file");
	be_folder_list_free(&list, nl);

	struct be_folder *f = open_folder(a);
	ok(f && f->n == 3 && strcmp(f->msgs[1].sum->subject, "one") == 0 &&
	   f->msgs[1].flags == (SUMMARY_READ | SUMMARY_OLD), "three messages with summaries and flags");
	uint64_t uid2 = f->msgs[2].uid;
	struct buf b;
	buf_init(&b, 1 << 20);
	ok(f->account->ops->fetch(f, 0, BE_FETCH_RAW, &b, &e) == 0 &&
	   strcmp(b.data, "From: Ann <a@x>\nSubject: zero\nMessage-ID: <0@x>\n\n"
		  "From the start\nzebra\n") == 0, "fetch gives the message, mboxrd quoting undone");
	ok(f->account->ops->fetch(f, 3, BE_FETCH_RAW, &b, &e) < 0 && e.scope == ERR_MESSAGE,
	   "fetching a message that is not there is a message error");

	size_t first;
	size_t idx0[] = { 0 }, idx2[] = { 2 };
	is_int((long long)search(f, "is:unread", &first), 2, "two unread");
	ok(a->ops->set_flags(f, idx0, 1, SUMMARY_READ | SUMMARY_FLAGGED, 0, &e) == 0 && f->dirty,
	   "set flags: kept in memory, the folder is dirty");
	is_int((long long)search(f, "is:unread", &first), 1, "search sees the flags not yet written");
	ok(search(f, "zebra is:flagged", &first) == 1 && first == 0, "text and flags combined");
	ok(strstr(tu_read(mbox), "X-Status") == NULL, "nothing written before sync");
	ok(a->ops->set_flags(f, idx2, 1, SUMMARY_DELETED, 0, &e) == 0, "mark the last deleted");
	unsigned gen = f->generation;
	is_int(a->ops->sync(f, false, &e), 0, "sync without expunge");
	ok(!f->dirty && f->generation != gen && f->n == 3, "msgs rebuilt, clean");
	ok(strstr(tu_read(mbox), "Message-ID: <0@x>\nStatus: RO\nX-Status: F\n") != NULL &&
	   strstr(tu_read(mbox), "Message-ID: <2@x>\nX-Status: D\n") != NULL,
	   "flags are in the file, as mutt writes them");
	ok(f->msgs[2].uid == uid2, "uids survive a rewrite");
	a->ops->close_folder(&f);
	ok(f == NULL, "close sets the pointer to NULL");

	f = open_folder(a);
	ok(f && f->n == 3 && f->msgs[0].flags == (SUMMARY_READ | SUMMARY_OLD | SUMMARY_FLAGGED) &&
	   (f->msgs[2].flags & SUMMARY_DELETED), "flags survive a restart");
	is_int(a->ops->sync(f, true, &e), 0, "sync with expunge");
	ok(f->n == 2 && strstr(tu_read(mbox), "zebra again") == NULL, "the deleted message is gone");

	/* Another program appends while tern has pending changes. */
	size_t idx1[] = { 1 };
	a->ops->set_flags(f, idx1, 1, SUMMARY_ANSWERED, 0, &e);
	FILE *fp = fopen(mbox, "a");
	fputs("\nFrom d@x Mon Jan  5 09:15:00 2026\nFrom: Di <d@x>\nSubject: three\n\nnew\n", fp);
	fclose(fp);
	unsigned ch = 0;
	ok(a->ops->check(f, &ch, &e) == 0 && (ch & BE_CHANGE_NEW) && (ch & BE_CHANGE_REBUILT) &&
	   f->n == 3, "check finds new mail (changes %u, %zu messages)", ch, f->n);
	ok((f->msgs[1].flags & SUMMARY_ANSWERED) && f->dirty,
	   "the pending change is carried over");
	ch = 99;
	ok(a->ops->check(f, &ch, &e) == 0 && ch == 0, "an unchanged file: nothing");

	/* Another program rewrites the file, dropping the message we changed. */
	static const char rewritten[] =
		"From a@x Mon Jan  5 09:12:00 2026\n"
		"From: Ann <a@x>\nSubject: zero\nMessage-ID: <0@x>\n\n>From the start\nzebra\n";
	unlink(mbox);
	tu_write(mbox, rewritten, strlen(rewritten));
	notices[0] = '\0';
	ok(a->ops->check(f, &ch, &e) == 0 && f->n == 1 && (ch & BE_CHANGE_REBUILT),
	   "check notices a rewrite by another program");
	ok(strstr(notices, "1 change was lost") != NULL, "and says a change was lost: %s", notices);

	/* Save (move) to another mbox. */
	size_t idx_all[] = { 0 };
	is_int(a->ops->copy(f, idx_all, 1, other, true, &e), 0, "move a message to another mbox");
	ok(strstr(tu_read(other), "Subject: zero") && strstr(tu_read(other), ">From the start"),
	   "it is appended there, quoted again");
	ok(f->msgs[0].flags & SUMMARY_DELETED, "and marked deleted here");
	ok(a->ops->copy(f, idx_all, 1, mbox, false, &e) < 0, "copying a mailbox into itself "
	   "is refused: %s", e.msg);
	buf_release(&b);
	a->ops->close_folder(&f);
	a->ops->close_account(&a);
	ok(a == NULL, "close_account sets the pointer to NULL");

	/* A POP3 account's mbox before the first download. */
	char missing[4400];
	snprintf(missing, sizeof(missing), "%s/none.mbox", dir);
	a = open_acct(missing, true);
	f = open_folder(a);
	ok(f != NULL && f->n == 0, "a missing mbox may be an empty folder");
	tu_write(missing, rewritten, strlen(rewritten));
	ok(f && a->ops->check(f, &ch, &e) == 0 && f->n == 1 && (ch & BE_CHANGE_NEW),
	   "and its first mail is found by check");
	a->ops->close_folder(&f);
	a->ops->close_account(&a);
	snprintf(missing, sizeof(missing), "%s/none2.mbox", dir);
	a = open_acct(missing, false);
	ok(a->ops->open_folder(a, NULL, false, &f, &e) < 0 && e.code == ERR_NOTFOUND,
	   "a missing mbox given by path is an error: %s", e.msg);
	a->ops->close_account(&a);

	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
