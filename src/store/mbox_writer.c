#include "config.h"

#include "mbox_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

#define TEMP_TAG ".tern-new."
#define BASE_MAX 200 /* of the mbox's name in the temporary file's name */
#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

void mbox_writer_init(struct mbox_writer *w, int fd, off_t off)
{
	w->fd = fd;
	w->hash = FNV_OFFSET;
	w->off = off;
	w->n = 0;
	w->error = 0;
}

static void write_at(struct mbox_writer *w, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		w->hash = (w->hash ^ (unsigned char)p[i]) * FNV_PRIME;
	if (w->fd < 0) {
		w->off += (off_t)len;
		return;
	}
	size_t done = 0;
	while (w->error == 0 && done < len) {
		ssize_t r = pwrite(w->fd, p + done, len - done, w->off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			w->error = r < 0 ? errno : ENOSPC;
			break;
		}
		done += (size_t)r;
		w->off += r;
	}
}

void mbox_writer_flush(struct mbox_writer *w)
{
	write_at(w, w->stage, w->n);
	w->n = 0;
}

void mbox_writer_put(struct mbox_writer *w, const char *p, size_t len)
{
	if (w->error != 0)
		return;
	if (len >= MBOX_WRITER_STAGE) {
		mbox_writer_flush(w);
		write_at(w, p, len);
		return;
	}
	if (w->n + len > MBOX_WRITER_STAGE)
		mbox_writer_flush(w);
	memcpy(w->stage + w->n, p, len);
	w->n += len;
}

off_t mbox_writer_tell(const struct mbox_writer *w)
{
	return w->off + (off_t)w->n;
}

/* The directory of path and the prefix of its temporary files there. */
static void temp_names(const char *path, char **dir_r, char **prefix_r)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	*dir_r = slash == NULL ? xstrdup(".")
		 : slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	size_t blen = strlen(base);
	if (blen > BASE_MAX)
		blen = BASE_MAX;
	size_t n = 1 + blen + sizeof(TEMP_TAG);
	*prefix_r = xmalloc(n);
	snprintf(*prefix_r, n, ".%.*s%s", (int)blen, base, TEMP_TAG);
}

static void remove_stale_temps(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	size_t plen = strlen(prefix);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    strlen(de->d_name) != plen + 6 ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int mbox_temp_open(const char *path, char **tmp_r, char **dir_r)
{
	char *prefix;
	temp_names(path, dir_r, &prefix);
	remove_stale_temps(*dir_r, prefix);
	size_t n = strlen(*dir_r) + 1 + strlen(prefix) + 7;
	*tmp_r = xmalloc(n);
	snprintf(*tmp_r, n, "%s/%sXXXXXX", *dir_r, prefix);
	free(prefix);
	int fd = mkostemp(*tmp_r, O_CLOEXEC); /* O_EXCL, 0600 */
	if (fd < 0) {
		int saved = errno;
		xfree(tmp_r);
		xfree(dir_r);
		errno = saved;
	}
	return fd;
}

int mbox_temp_commit(int tfd, const char *tmp, const char *path, const char *dir,
		     const struct stat *orig)
{
	int error = fsync(tfd) < 0 ? errno : 0;
	if (error == 0) {
		(void)fchmod(tfd, orig->st_mode & 07777);
		if (fchown(tfd, orig->st_uid, orig->st_gid) < 0)
			(void)fchmod(tfd, orig->st_mode & 0777); /* no set-id bits for another owner */
	}
	if (error == 0 && rename(tmp, path) < 0)
		error = errno;
	if (error != 0) {
		unlink(tmp);
		return error;
	}
	/* The rename is done; a failed directory fsync leaves the old or the
	 * new file after a power loss, each of them whole. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}
