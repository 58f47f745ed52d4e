/* conn_deflate: COMPRESS=DEFLATE (RFC 4978) on a connection -- raw
 * deflate (no zlib header, windowBits -15) both ways, between the
 * buffered reads of conn.c and the socket or TLS below (conn.h).
 *
 * Reading inflates into the room conn.c's receive buffer has, never
 * more: the caps on lines and literals apply to the inflated bytes, and
 * a small input that would inflate to gigabytes (a bomb) fills at most
 * that buffer before the line cap or the literal's buffer stops it.
 * Writing deflates each conn_write() whole and flushes it
 * (Z_SYNC_FLUSH), so the server can read every command as soon as it is
 * sent. */
#include "config.h"

#include "conn_private.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "i18n.h"
#include "mem.h"

#define ZIP_RAW_CHUNK 16384                /* compressed bytes read at once */
#define ZIP_WIRE ((size_t)64 * 1024)       /* deflate output sent at once */
#define ZIP_PIECE ((size_t)1 << 30)        /* input given to deflate at once */

struct conn_zip {
	z_stream in;          /* inflate: the server's stream */
	z_stream out;         /* deflate: ours */
	bool in_ready, out_ready; /* inflateInit2 / deflateInit2 succeeded */
	unsigned char *raw;   /* received, not yet inflated: in.next_in, in.avail_in */
	size_t raw_cap;
	bool full;            /* inflate filled all the room it was given: it
				 may hold more output */
	bool ended;           /* the server's stream ended (a final block) */
	unsigned char *wire;  /* ZIP_WIRE bytes of deflate output */
};

int conn_start_deflate(struct conn *c, struct err *e)
{
	if (conn_check_usable(c, e) < 0)
		return -1;
	if (c->zip != NULL)
		return conn_error(c, e, false, ERR_USAGE, _("%s: compression is already on"),
				  c->label);
	struct conn_zip *z = xcalloc(1, sizeof(*z));
	c->zip = z;
	z->in_ready = inflateInit2(&z->in, -15) == Z_OK;
	z->out_ready = z->in_ready && deflateInit2(&z->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
						   -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
	if (!z->out_ready)
		return conn_error(c, e, true, CONN_ERR_COMPRESS,
				  _("%s: cannot start compression (zlib: out of memory)"),
				  c->label);
	/* What came behind the reply that started compression (RFC 4978
	 * s3: the server compresses from the byte after its CRLF) is
	 * compressed already: it goes through inflate first. */
	size_t pending = c->in_end - c->in_start;
	z->raw_cap = pending > ZIP_RAW_CHUNK ? pending : ZIP_RAW_CHUNK;
	z->raw = xmalloc(z->raw_cap);
	memcpy(z->raw, c->in + c->in_start, pending);
	z->in.next_in = z->raw;
	z->in.avail_in = (uInt)pending;
	c->in_start = c->in_end = c->in_scan = 0;
	z->wire = xmalloc(ZIP_WIRE);
	return 0;
}

bool conn_is_compressed(const struct conn *c)
{
	return c->zip != NULL;
}

/* Inflates what is buffered into p[0..n): the count, 0 when it needs
 * more input, or -1 with e (the connection is broken). */
static ssize_t zip_inflate(struct conn *c, char *p, size_t n, struct err *e)
{
	struct conn_zip *z = c->zip;
	size_t got = 0;
	if (!z->ended) {
		uInt room = n > UINT_MAX ? UINT_MAX : (uInt)n;
		z->in.next_out = (Bytef *)p;
		z->in.avail_out = room;
		int r = inflate(&z->in, Z_SYNC_FLUSH);
		got = room - z->in.avail_out;
		z->full = z->in.avail_out == 0;
		if (r == Z_STREAM_END)
			z->ended = true;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			return conn_error(c, e, true, CONN_ERR_COMPRESS,
					  _("%s: the server's compressed data is corrupt (%s)"),
					  c->label, r == Z_MEM_ERROR ? "out of memory"
					  : z->in.msg != NULL ? z->in.msg : "inflate failed");
	}
	/* With room left, inflate stops only at the end of its input or of
	 * the stream: input left over with nothing out is past the end. */
	if (got == 0 && z->in.avail_in > 0)
		return conn_error(c, e, true, CONN_ERR_COMPRESS,
				  _("%s: the server sent data after the end of its compressed "
				    "stream"), c->label);
	return (ssize_t)got;
}

ssize_t conn_deflate_recv(struct conn *c, char *p, size_t n, short *events, struct err *e)
{
	struct conn_zip *z = c->zip;
	ssize_t got = zip_inflate(c, p, n, e);
	if (got != 0)
		return got;
	/* All the input is taken: the buffer is free for more. */
	ssize_t r = conn_raw_recv(c, (char *)z->raw, z->raw_cap, events, e);
	if (r <= 0)
		return r;
	z->in.next_in = z->raw;
	z->in.avail_in = (uInt)r;
	got = zip_inflate(c, p, n, e);
	return got != 0 ? got : CONN_IO_AGAIN;
}

int conn_deflate_write(struct conn *c, const char *p, size_t n, struct err *e)
{
	struct conn_zip *z = c->zip;
	do {
		size_t piece = n > ZIP_PIECE ? ZIP_PIECE : n;
		int flush = piece == n ? Z_SYNC_FLUSH : Z_NO_FLUSH;
		z->out.next_in = (Bytef *)(uintptr_t)p;
		z->out.avail_in = (uInt)piece;
		p += piece;
		n -= piece;
		/* With Z_SYNC_FLUSH, output space left over means all of it
		 * is out (zlib.h); a full buffer, that there may be more. */
		do {
			z->out.next_out = z->wire;
			z->out.avail_out = (uInt)ZIP_WIRE;
			int r = deflate(&z->out, flush);
			if (r != Z_OK && r != Z_BUF_ERROR)
				return conn_error(c, e, true, CONN_ERR_COMPRESS,
						  _("%s: compression failed (%s)"), c->label,
						  z->out.msg != NULL ? z->out.msg : "deflate");
			size_t have = ZIP_WIRE - z->out.avail_out;
			if (have > 0 && conn_raw_write(c, (const char *)z->wire, have, e) < 0)
				return -1;
		} while (z->out.avail_in > 0 || z->out.avail_out == 0);
	} while (n > 0);
	return 0;
}

size_t conn_deflate_buffered(const struct conn *c)
{
	const struct conn_zip *z = c->zip;
	return z->in.avail_in + (z->full && !z->ended ? 1 : 0);
}

void conn_deflate_release(struct conn *c)
{
	struct conn_zip *z = c->zip;
	if (z == NULL)
		return;
	if (z->in_ready)
		inflateEnd(&z->in);
	if (z->out_ready)
		deflateEnd(&z->out);
	free(z->raw);
	free(z->wire);
	free(z);
	c->zip = NULL;
}
