/* testutil.h: small helpers shared by the unit tests. */
#ifndef TERN_TESTUTIL_H
#define TERN_TESTUTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh private directory under $TMPDIR; the caller removes it. */
static inline char *tu_tempdir(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof(tmpl), "%s/tern-test-XXXXXX", t && *t ? t : "/tmp");
	char *d = mkdtemp(tmpl);
	if (d == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	return strdup(d);
}

static inline void tu_rm_rf(const char *path)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static inline void tu_write(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		exit(99);
	}
	close(fd);
}

/* Reads a whole small file into a static buffer (NUL-terminated). */
static inline const char *tu_read(const char *path)
{
	static char data[1 << 16];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, data, sizeof(data) - 1);
	if (fd >= 0)
		close(fd);
	data[n > 0 ? n : 0] = '\0';
	return data;
}

#endif
