#include "config.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "i18n.h"
#include "mem.h"

void log_init(struct logger *lg)
{
	lg->fd = -1;
	lg->level = LOG_LEVEL_INFO;
	for (size_t i = 0; i < LOG_SECRETS_MAX; i++)
		lg->secrets[i] = NULL;
}

int log_open(struct logger *lg, const char *path, enum log_level level,
	     struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (fd < 0)
		return err_set(e, ERR_ACCOUNT, ERR_IO, _("cannot open log file %s: %s"),
			       path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_ACCOUNT, ERR_IO,
			       _("log file %s is not a regular file"), path);
	}
	if (lg->fd >= 0)
		close(lg->fd);
	lg->fd = fd;
	lg->level = level;
	return 0;
}

void log_release(struct logger *lg)
{
	if (lg == NULL)
		return;
	if (lg->fd >= 0)
		close(lg->fd);
	lg->fd = -1;
	for (size_t i = 0; i < LOG_SECRETS_MAX; i++) {
		if (lg->secrets[i] != NULL) {
			explicit_bzero(lg->secrets[i], strlen(lg->secrets[i]));
			xfree(&lg->secrets[i]);
		}
	}
}

void log_add_secret(struct logger *lg, const char *secret)
{
	if (lg == NULL || secret == NULL || *secret == '\0')
		return;
	for (size_t i = 0; i < LOG_SECRETS_MAX; i++) {
		if (lg->secrets[i] == NULL) {
			lg->secrets[i] = xstrdup(secret);
			return;
		}
		if (strcmp(lg->secrets[i], secret) == 0)
			return;
	}
	/* Full: drop the oldest rather than forget the newest. */
	explicit_bzero(lg->secrets[0], strlen(lg->secrets[0]));
	free(lg->secrets[0]);
	memmove(&lg->secrets[0], &lg->secrets[1],
		(LOG_SECRETS_MAX - 1) * sizeof(lg->secrets[0]));
	lg->secrets[LOG_SECRETS_MAX - 1] = xstrdup(secret);
}

/* Replaces every registered secret in line[0..len) by asterisks, in place. */
static void redact(const struct logger *lg, char *line, size_t len)
{
	for (size_t i = 0; i < LOG_SECRETS_MAX; i++) {
		const char *s = lg->secrets[i];
		if (s == NULL)
			continue;
		size_t sl = strlen(s);
		char *p = line;
		while ((size_t)(p - line) + sl <= len &&
		       (p = memmem(p, len - (size_t)(p - line), s, sl)) != NULL) {
			memset(p, '*', sl);
			p += sl;
		}
	}
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERROR: return "error";
	case LOG_LEVEL_WARN: return "warn";
	case LOG_LEVEL_INFO: return "info";
	case LOG_LEVEL_DEBUG: return "debug";
	}
	return "?";
}

void log_vwrite(struct logger *lg, enum log_level level, const char *fmt,
		va_list ap)
{
	if (lg == NULL || lg->fd < 0 || level > lg->level)
		return;

	char raw[LOG_LINE_MAX];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1;
	redact(lg, raw, len);

	struct buf line;
	buf_init(&line, LOG_LINE_MAX * 4 + 128);
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[40];
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	int rc = buf_printf(&line, "%s.%03ldZ %s ", stamp,
			    (long)(ts.tv_nsec / 1000000), level_name(level));
	for (size_t i = 0; rc == 0 && i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c < 0x20 || c == 0x7f)
			rc = buf_printf(&line, "\\x%02x", c);
		else
			rc = buf_append_char(&line, (char)c);
	}
	if (rc == 0 && (size_t)n >= sizeof(raw))
		rc = buf_append_str(&line, " [truncated]");
	if (rc == 0)
		rc = buf_append_char(&line, '\n');
	if (rc == 0) {
		/* One write() per line keeps lines whole with O_APPEND. */
		ssize_t w = write(lg->fd, line.data, line.len);
		(void)w;
	}
	buf_wipe(&line);
	buf_release(&line);
	explicit_bzero(raw, sizeof(raw));
}

void log_write(struct logger *lg, enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(lg, level, fmt, ap);
	va_end(ap);
}
