#include "config.h"

#include "mbox_writer.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void mbox_writer_init(struct mbox_writer *w, int fd, off_t off)
{
	w->fd = fd;
	w->off = off;
	w->n = 0;
	w->error = 0;
}

static void write_at(struct mbox_writer *w, const char *p, size_t len)
{
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
