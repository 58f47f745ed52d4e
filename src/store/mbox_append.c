#include "config.h"

#include "mbox_append.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "mbox_journal.h"
#include "mbox_lock.h"
#include "mbox_scan.h"
#include "mem.h"
#include "mbox_writer.h"

#define SEP_MAX (MBOX_APPEND_SENDER_MAX + 64)

static bool sender_is_clean(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	size_t i = 0;
	for (; s[i] != '\0'; i++) {
		if (i >= MBOX_APPEND_SENDER_MAX)
			return false;
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	}
	return true;
}

/* "From SENDER Www Mmm dd hh:mm:ss yyyy\n" (asctime, UTC, C locale) into
 * line[0..SEP_MAX); returns its length, 0 if it did not fit. */
static size_t format_separator(char *line, const char *sender, time_t date)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	if (date < 0 || gmtime_r(&date, &tm) == NULL || tm.tm_year > 9999 - 1900) {
		date = time(NULL);
		if (gmtime_r(&date, &tm) == NULL)
			memset(&tm, 0, sizeof(tm));
	}
	int n = snprintf(line, SEP_MAX, "From %s %s %s %2d %02d:%02d:%02d %d\n",
			 sender_is_clean(sender) ? sender : "MAILER-DAEMON",
			 days[tm.tm_wday % 7], months[tm.tm_mon % 12], tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	return n > 0 && n < SEP_MAX ? (size_t)n : 0;
}

/* The lines of the message, CRLF as LF, a final LF ensured, and (if
 * quote) mboxrd quoting. */
static void put_lines(struct mbox_writer *w, const char *msg, size_t len, bool quote)
{
	size_t p = 0;
	while (p < len) {
		const char *nl = memchr(msg + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - msg) + 1 : len;
		size_t depth;
		if (quote && mbox_line_needs_quoting(msg + p, end - p, &depth))
			mbox_writer_put(w, ">", 1);
		size_t text_end = nl ? end - 1 : len;
		if (nl && text_end > p && msg[text_end - 1] == '\r')
			text_end--;
		mbox_writer_put(w, msg + p, text_end - p);
		mbox_writer_put(w, "\n", 1);
		p = end;
	}
}

/* The message as it is stored, and the blank line that ends it. */
static void put_message(struct mbox_writer *w, const char *msg, size_t len)
{
	put_lines(w, msg, len, true);
	mbox_writer_put(w, "\n", 1);
}

static int read_exact(int fd, char *p, size_t n, off_t off)
{
	ssize_t r;
	do
		r = pread(fd, p, n, off);
	while (r < 0 && errno == EINTR);
	if (r >= 0 && (size_t)r != n)
		errno = EIO;
	return r >= 0 && (size_t)r == n ? 0 : -1;
}

/* Checks that a non-empty file is an mbox and says what must be added so
 * that it ends with a blank line. */
static int check_existing(int fd, off_t size, const char *path,
			  const char **fix_r, struct err *e)
{
	char head[5], tail[2];
	*fix_r = "";
	if (size == 0)
		return 0;
	if (size < 5 || read_exact(fd, head, 5, 0) < 0 ||
	    memcmp(head, "From ", 5) != 0)
		return err_set(e, ERR_FOLDER, ERR_PARSE,
			       _("%s is not an mbox file (it does not start with "
				 "a \"From \" line); nothing was appended"), path);
	/* size >= 5 here, so the last two bytes exist. */
	if (read_exact(fd, tail, 2, size - 2) < 0)
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot read %s: %s"),
			       path, strerror(errno));
	if (tail[1] == '\n' && tail[0] == '\n')
		*fix_r = "";
	else if (tail[1] == '\n')
		*fix_r = "\n";
	else
		*fix_r = "\n\n";
	return 0;
}

/* Truncates the file back to before; *undone_r says whether it worked. */
static int roll_back(int fd, const char *path, off_t before, int error,
		     bool *undone_r, struct err *e)
{
	*undone_r = false;
	if (ftruncate(fd, before) < 0 || fsync(fd) < 0)
		return err_set(e, ERR_FOLDER, ERR_IO,
			       _("could not append to %s: %s; removing the partial "
				 "message failed too (%s): the end of the mailbox "
				 "may be damaged"),
			       path, strerror(error), strerror(errno));
	*undone_r = true;
	return err_set(e, ERR_FOLDER, ERR_IO,
		       _("could not append to %s: %s; the mailbox is unchanged"),
		       path, strerror(error));
}

/* Counts and hashes what each message will be written as (dry run), for
 * the journal.  Returns 0, or an errno value. */
static int plan(struct mbox_writer *w, off_t off, const struct mbox_append_msg *msgs,
		size_t n, char (*seps)[SEP_MAX], struct mbox_journal_msg *jm)
{
	for (size_t i = 0; i < n; i++) {
		size_t slen = format_separator(seps[i], msgs[i].sender, msgs[i].date);
		if (slen == 0)
			return EINVAL;
		mbox_writer_init(w, -1, off);
		mbox_writer_put(w, seps[i], slen);
		put_message(w, msgs[i].data, msgs[i].len);
		mbox_writer_flush(w);
		jm[i].off = off;
		jm[i].len = (size_t)(w->off - off);
		jm[i].hash = w->hash;
		jm[i].sep = seps[i];
		off = w->off;
	}
	return 0;
}

static int append_locked(int fd, const char *path,
			 const struct mbox_append_msg *msgs, size_t n,
			 struct err *e)
{
	struct stat st;
	const char *fix;
	if (fstat(fd, &st) < 0)
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot open %s: %s"),
			       path, strerror(errno));
	off_t before = st.st_size;
	if (check_existing(fd, before, path, &fix, e) < 0)
		return -1;
	struct mbox_writer *w = xmalloc(sizeof(*w));
	char (*seps)[SEP_MAX] = xcalloc(n, sizeof(*seps));
	struct mbox_journal_msg *jm = xcalloc(n, sizeof(*jm));
	char *jpath = NULL;
	int rc = -1;
	int error = plan(w, before + (off_t)strlen(fix), msgs, n, seps, jm);
	if (error != 0) {
		err_set(e, ERR_FOLDER, ERR_IO, _("could not append to %s: %s; the mailbox "
						 "is unchanged"), path, strerror(error));
		goto out;
	}
	if (mbox_journal_begin(path, fd, before, jm, n, &jpath, e) < 0)
		goto out;
	mbox_writer_init(w, fd, before);
	mbox_writer_put(w, fix, strlen(fix));
	for (size_t i = 0; i < n; i++) {
		mbox_writer_put(w, seps[i], strlen(seps[i]));
		put_message(w, msgs[i].data, msgs[i].len);
	}
	mbox_writer_flush(w);
	error = w->error;
	if (error == 0 && fsync(fd) < 0)
		error = errno;
	bool undone = true;
	if (error == 0)
		rc = 0;
	else
		rc = roll_back(fd, path, before, error, &undone, e);
	if (undone)
		mbox_journal_end(&jpath); /* else the next writer takes it out */
out:
	free(jpath);
	free(jm);
	free(seps);
	free(w);
	return rc;
}

static int check_regular(int fd, const char *path, struct err *e)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int saved = errno;
		close(fd);
		return err_set(e, ERR_FOLDER, ERR_IO, _("cannot open %s: %s"),
			       path, strerror(saved));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_FOLDER, ERR_PARSE,
			       _("%s is not a regular file, not an mbox file"), path);
	}
	return fd;
}

/* Opens path for appending, creating it (0600) if missing; never through
 * a symbolic link.  Returns the descriptor or -1. */
static int open_mbox(const char *path, struct err *e)
{
	for (int round = 0; round < 2; round++) {
		int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
			      O_NONBLOCK);
		if (fd >= 0)
			return check_regular(fd, path, e);
		if (errno == ELOOP || errno == EMLINK)
			return err_set(e, ERR_FOLDER, ERR_PERM,
				       _("%s is a symbolic link; tern does not "
					 "append mail through a link (give the "
					 "real path)"), path);
		if (errno != ENOENT)
			return err_set(e, ERR_FOLDER, ERR_IO, _("cannot open %s: %s"),
				       path, strerror(errno));
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0) {
			(void)fchmod(fd, 0600); /* whatever the umask */
			return fd;
		}
		if (errno != EEXIST)
			return err_set(e, ERR_FOLDER, ERR_IO,
				       _("cannot create %s: %s"), path,
				       strerror(errno));
	}
	return err_set(e, ERR_FOLDER, ERR_IO,
		       _("cannot open %s: it was created and removed meanwhile"),
		       path);
}

/* Opens path and locks it, settling a journal left by an append that was
 * cut short (mbox_journal.h).  Returns the descriptor, or -1. */
static int open_locked(const char *path, struct mbox_lock *lk, int timeout,
		       bool create, struct err *e)
{
	for (int round = 0; round < 3; round++) {
		int fd = create ? open_mbox(path, e)
			 : open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			if (!create)
				err_set(e, ERR_FOLDER, ERR_IO, _("cannot open %s: %s"), path,
					strerror(errno));
			return -1;
		}
		if (mbox_lock_acquire(lk, fd, path, timeout, e) < 0) {
			close(fd);
			return -1;
		}
		int rc = mbox_journal_recover(path, fd, e);
		if (rc == 0)
			return fd;
		mbox_lock_release(lk);
		close(fd);
		if (rc < 0)
			return -1;
		/* rc == 1: the file was replaced; open the new one. */
	}
	return err_set(e, ERR_FOLDER, ERR_IO,
		       _("cannot open %s: it keeps being replaced"), path);
}

int mbox_append_batch(const char *path, const struct mbox_append_msg *msgs,
		      size_t n, const struct mbox_append_options *opt,
		      struct err *e)
{
	if (n == 0)
		return 0;
	struct mbox_lock lk;
	int fd = open_locked(path, &lk, opt ? opt->lock_timeout_ms : -1, true, e);
	if (fd < 0)
		return -1;
	int rc = append_locked(fd, path, msgs, n, e);
	mbox_lock_release(&lk);
	close(fd);
	return rc;
}

int mbox_append_recover(const char *path, const struct mbox_append_options *opt,
			struct err *e)
{
	if (!mbox_journal_exists(path))
		return 0;
	struct mbox_lock lk;
	int fd = open_locked(path, &lk, opt ? opt->lock_timeout_ms : -1, false, e);
	if (fd < 0)
		return -1;
	mbox_lock_release(&lk);
	close(fd);
	return 0;
}

int mbox_append(const char *path, const char *sender, time_t date,
		const char *msg, size_t len,
		const struct mbox_append_options *opt, struct err *e)
{
	struct mbox_append_msg m = {
		.sender = sender, .date = date, .data = msg, .len = len,
	};
	return mbox_append_batch(path, &m, 1, opt, e);
}

uint64_t mbox_append_content_hash(const char *msg, size_t len)
{
	struct mbox_writer *w = xmalloc(sizeof(*w));
	mbox_writer_init(w, -1, 0);
	put_lines(w, msg, len, false);
	mbox_writer_flush(w);
	uint64_t h = w->hash;
	free(w);
	return h;
}
