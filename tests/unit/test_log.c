#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "testutil.h"

static char *dir;

static char *path_in(const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void test_unopened_is_silent(void)
{
	struct logger lg;
	log_init(&lg);
	log_info(&lg, "nothing %d", 1);
	log_info(NULL, "nothing");
	log_add_secret(NULL, "x");
	log_release(NULL);
	ok(1, "logging to an unopened or NULL logger does nothing");
	log_release(&lg);
}

static void test_file_mode_and_content(void)
{
	char *p = path_in("a.log");
	struct logger lg;
	struct err e;
	log_init(&lg);
	err_init(&e);
	mode_t old = umask(0);
	ok(log_open(&lg, p, LOG_LEVEL_INFO, &e) == 0, "open a new log file");
	umask(old);
	struct stat st;
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600,
	   "log file is created 0600 even with umask 0 (got %o)",
	   (unsigned)(st.st_mode & 0777));
	log_info(&lg, "hello %s", "world");
	log_debug(&lg, "not at info level");
	log_error(&lg, "bad\x1b[31mthing\r\n");
	log_release(&lg);
	const char *text = tu_read(p);
	ok(strstr(text, " info hello world\n") != NULL, "info line written");
	ok(strstr(text, "not at info level") == NULL, "debug line filtered at info level");
	ok(strstr(text, "bad\\x1b[31mthing\\x0d\\x0a\n") != NULL,
	   "control characters written as \\xNN");
	ok(strchr(text, 0x1b) == NULL, "no raw ESC in the log");
	ok(strncmp(text, "20", 2) == 0 && text[10] == 'T', "lines start with a timestamp");
	free(p);
}

static void test_redaction(void)
{
	char *p = path_in("r.log");
	struct logger lg;
	log_init(&lg);
	ok(log_open(&lg, p, LOG_LEVEL_DEBUG, NULL) == 0, "open for redaction test");
	log_add_secret(&lg, "hunter2");
	log_add_secret(&lg, "");
	log_debug(&lg, "PASS hunter2 and again hunter2hunter2 end");
	log_release(&lg);
	const char *text = tu_read(p);
	ok(strstr(text, "hunter2") == NULL, "a registered secret never reaches the log");
	ok(strstr(text, "PASS ******* and again ************** end") != NULL,
	   "each occurrence replaced by asterisks");
	free(p);

	p = path_in("r2.log");
	log_init(&lg);
	ok(log_open(&lg, p, LOG_LEVEL_DEBUG, NULL) == 0, "open for overflow test");
	char name[32];
	for (int i = 0; i < LOG_SECRETS_MAX + 3; i++) {
		snprintf(name, sizeof(name), "secret-%02d", i);
		log_add_secret(&lg, name);
	}
	log_info(&lg, "newest secret-%02d", LOG_SECRETS_MAX + 2);
	log_release(&lg);
	ok(strstr(tu_read(p), "secret-") == NULL,
	   "the newest secret is redacted when the table is full");
	free(p);
}

static void test_refuses_symlink_and_dir(void)
{
	char *target = path_in("target");
	char *link = path_in("link.log");
	tu_write(target, "", 0);
	if (symlink(target, link) < 0)
		diag("symlink failed");
	struct logger lg;
	struct err e;
	log_init(&lg);
	err_init(&e);
	ok(log_open(&lg, link, LOG_LEVEL_INFO, &e) < 0, "a symlink as log file is refused");
	ok(strstr(e.msg, link) != NULL, "the error names the file");
	ok(log_open(&lg, dir, LOG_LEVEL_INFO, &e) < 0, "a directory as log file is refused");
	log_release(&lg);
	free(target);
	free(link);
}

static void test_long_line(void)
{
	char *p = path_in("long.log");
	struct logger lg;
	log_init(&lg);
	ok(log_open(&lg, p, LOG_LEVEL_INFO, NULL) == 0, "open for long line");
	char *big = malloc(LOG_LINE_MAX * 2);
	memset(big, 'q', LOG_LINE_MAX * 2 - 1);
	big[LOG_LINE_MAX * 2 - 1] = '\0';
	log_info(&lg, "%s", big);
	log_release(&lg);
	const char *text = tu_read(p);
	ok(strstr(text, "[truncated]\n") != NULL, "an over-long line is cut and marked");
	ok(strlen(text) < LOG_LINE_MAX + 100, "a cut line stays bounded");
	free(big);
	free(p);
}

int main(void)
{
	dir = tu_tempdir();
	test_unopened_is_silent();
	test_file_mode_and_content();
	test_redaction();
	test_refuses_symlink_and_dir();
	test_long_line();
	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
