/* pop3_fetch: RETR, TOP and DELE, pipelined when the server offers
 * PIPELINING (RFC 2449 s6.6): commands go out in a window and the replies
 * are matched to them in order. */
#include "config.h"

#include "pop3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "pop3_private.h"

enum cmd_kind { CMD_RETR, CMD_TOP, CMD_DELE };

struct pending {
	enum cmd_kind kind;
	size_t idx;
};

struct fetch {
	struct pop3 *p;
	struct pop3_fetch_item *items;
	size_t n;
	const struct pop3_fetch_ops *ops;
	enum cmd_kind kind;         /* what is sent for each item */
	unsigned long top_lines;
	size_t window;
	struct pending *q;          /* ring of commands sent, not yet answered */
	size_t q_head, q_len;
	size_t next;                /* the next item to send */
	size_t *dele;               /* items waiting for their DELE (FIFO) */
	size_t dele_head, dele_tail;
	bool stopping;              /* the caller stopped: send no more, drain */
	struct err stop;            /* the caller's error */
};

static const struct pop3_fetch_ops no_ops;

static void command_name(const struct fetch *f, enum cmd_kind kind, size_t idx,
			 char *out, size_t size)
{
	unsigned long num = f->items[idx].num;
	if (kind == CMD_DELE)
		snprintf(out, size, "DELE %lu", num);
	else if (kind == CMD_TOP)
		snprintf(out, size, "TOP %lu %lu", num, f->top_lines);
	else
		snprintf(out, size, "RETR %lu", num);
}

static void item_failed(struct fetch *f, struct pop3_fetch_item *it,
			const struct err *why)
{
	if (f->ops->failed != NULL && !f->stopping)
		f->ops->failed(f->ops->ctx, it, why);
}

static void too_big(struct fetch *f, struct pop3_fetch_item *it)
{
	struct err why;
	err_init(&why);
	it->result = POP3_ITEM_TOO_BIG;
	err_set(&why, ERR_MESSAGE, ERR_LIMIT,
		_("POP3 message %lu is %llu bytes, over the limit of %llu: not downloaded"),
		it->num, (unsigned long long)it->size,
		(unsigned long long)f->p->set.message_max);
	item_failed(f, it, &why);
}

/* The next command to send: a DELE waiting, else the next item. */
static bool next_command(struct fetch *f, struct pending *pd)
{
	if (f->dele_head != f->dele_tail) {
		pd->kind = CMD_DELE;
		pd->idx = f->dele[f->dele_head++];
		return true;
	}
	while (f->next < f->n) {
		struct pop3_fetch_item *it = &f->items[f->next];
		pd->kind = f->kind;
		pd->idx = f->next++;
		if (f->kind == CMD_DELE || it->size == POP3_SIZE_UNKNOWN ||
		    it->size <= f->p->set.message_max)
			return true;
		too_big(f, it);
	}
	return false;
}

/* Tops the window up, in one write, once it is half empty. */
static int top_up(struct fetch *f, struct err *e)
{
	struct pending pd;
	bool queued = false;
	char cmd[64];

	if (f->stopping || f->q_len > f->window / 2)
		return 0;
	while (f->q_len < f->window && next_command(f, &pd)) {
		command_name(f, pd.kind, pd.idx, cmd, sizeof(cmd));
		if (pop3_queue(f->p, cmd, strlen(cmd), NULL, e) < 0)
			return -1;
		f->q[(f->q_head + f->q_len++) % f->window] = pd;
		queued = true;
	}
	return queued ? pop3_flush(f->p, false, e) : 0;
}

static void stop(struct fetch *f)
{
	f->stopping = true;
	if (f->stop.scope == ERR_NONE)
		err_set(&f->stop, ERR_CANCELLED, ERR_OK, _("POP3 download stopped"));
}

static void flush_chunk(struct fetch *f, struct pop3_fetch_item *it)
{
	struct buf *c = &f->p->chunk;
	if (c->len > 0 && !f->stopping && f->ops->data != NULL &&
	    f->ops->data(f->ops->ctx, it, c->data, c->len, &f->stop) < 0)
		stop(f);
	buf_reset(c);
}

/* One line of text (unstuffed) for data(). */
static void text_line(struct fetch *f, struct pop3_fetch_item *it,
		      const char *s, size_t n)
{
	if (f->stopping)
		return;
	if (f->p->set.crlf_to_lf && n >= 2 && s[n - 2] == '\r') {
		buf_cut_ok(buf_append(&f->p->chunk, s, n - 2));
		buf_cut_ok(buf_append_char(&f->p->chunk, '\n'));
	} else {
		buf_cut_ok(buf_append(&f->p->chunk, s, n));
	}
	if (f->p->chunk.len >= POP3_CHUNK)
		flush_chunk(f, it);
}

/* RFC 1939 s5 LIST counts CRLF as two octets; servers that count a line
 * end as one (their LF storage) are accepted too. */
static void check_size(struct pop3_fetch_item *it, uint64_t crlf_lines)
{
	it->size_mismatch = it->size != POP3_SIZE_UNKNOWN &&
			    (it->size > it->received ||
			     it->size < it->received - crlf_lines);
}

/* The text of a RETR or TOP after its +OK, to the "." line. */
static int read_text(struct fetch *f, struct pop3_fetch_item *it,
		     const char *cmd, struct err *e)
{
	uint64_t crlf_lines = 0;

	it->received = 0;
	for (;;) {
		size_t skip;
		bool end;
		if (pop3_ml_next(f->p, f->p->set.msg_line_max, cmd, &skip, &end, e) < 0)
			return -1;
		if (end)
			break;
		const char *s = f->p->line.data + skip;
		size_t n = f->p->line.len - skip;
		it->received += n;
		crlf_lines += n >= 2 && s[n - 2] == '\r';
		if (it->received > f->p->set.message_max) {
			err_set(e, ERR_MESSAGE, ERR_LIMIT,
				_("POP3 %s: the message is longer than the limit of %llu bytes"),
				cmd, (unsigned long long)f->p->set.message_max);
			return pop3_broken(f->p);
		}
		text_line(f, it, s, n);
	}
	flush_chunk(f, it);
	check_size(it, crlf_lines);
	return 0;
}

static void push_dele(struct fetch *f, size_t idx)
{
	f->dele[f->dele_tail++] = idx;
}

static int retr_reply(struct fetch *f, size_t idx, const char *cmd,
		      const struct pop3_reply *r, struct err *e)
{
	struct pop3_fetch_item *it = &f->items[idx];

	if (r->status != POP3_STATUS_OK) {
		struct err why;
		err_init(&why);
		pop3_refused(cmd, r, ERR_MESSAGE, POP3_ERR_REFUSED, &why);
		it->result = POP3_ITEM_REFUSED;
		item_failed(f, it, &why);
		return 0;
	}
	if (!f->stopping && f->ops->begin != NULL &&
	    f->ops->begin(f->ops->ctx, it, &f->stop) < 0)
		stop(f);
	if (read_text(f, it, cmd, e) < 0)
		return -1;
	if (f->stopping) {
		it->result = POP3_ITEM_DROPPED;
		return 0;
	}
	it->result = POP3_ITEM_OK;
	int rc = f->ops->end != NULL ? f->ops->end(f->ops->ctx, it, &f->stop) : 0;
	if (rc < 0)
		stop(f);
	else if (rc == POP3_FETCH_DELE && f->kind == CMD_RETR)
		push_dele(f, idx);
	return 0;
}

static int dele_reply(struct fetch *f, size_t idx, const char *cmd,
		      const struct pop3_reply *r)
{
	struct pop3_fetch_item *it = &f->items[idx];

	if (r->status == POP3_STATUS_OK) {
		it->deleted = true;
		f->p->marked_deleted++;
		return 0;
	}
	struct err why;
	err_init(&why);
	pop3_refused(cmd, r, ERR_MESSAGE, POP3_ERR_REFUSED, &why);
	item_failed(f, it, &why);
	return 0;
}

static int read_reply(struct fetch *f, struct err *e)
{
	struct pending pd = f->q[f->q_head];
	struct pop3_reply r;
	char cmd[64];

	f->q_head = (f->q_head + 1) % f->window;
	f->q_len--;
	command_name(f, pd.kind, pd.idx, cmd, sizeof(cmd));
	if (pop3_read_status(f->p, cmd, false, f->p->set.status_line_max, &r, e) < 0)
		return -1;
	if (pd.kind == CMD_DELE)
		return dele_reply(f, pd.idx, cmd, &r);
	return retr_reply(f, pd.idx, cmd, &r, e);
}

static int run(struct fetch *f, struct err *e)
{
	const char *what = f->kind == CMD_DELE ? "DELE" : f->kind == CMD_TOP ? "TOP" : "RETR";
	int rc = 0;

	if (pop3_need_state(f->p, POP3_ST_TRANS, what, e) < 0)
		return -1;
	f->window = f->p->caps.pipelining ? f->p->set.window : 1;
	f->q = xcalloc(f->window, sizeof(*f->q));
	f->dele = xcalloc(f->n ? f->n : 1, sizeof(*f->dele));
	err_init(&f->stop);
	for (size_t i = 0; i < f->n; i++) {
		f->items[i].deleted = false;
		if (f->kind == CMD_DELE)
			continue; /* the results of an earlier fetch stay */
		f->items[i].result = POP3_ITEM_PENDING;
		f->items[i].size_mismatch = false;
		f->items[i].received = 0;
	}
	for (;;) {
		rc = top_up(f, e);
		if (rc < 0 || f->q_len == 0)
			break;
		rc = read_reply(f, e);
		if (rc < 0)
			break;
	}
	buf_reset(&f->p->chunk);
	free(f->q);
	free(f->dele);
	if (rc == 0 && f->stopping) {
		if (e != NULL)
			*e = f->stop;
		rc = -1;
	}
	return rc;
}

int pop3_fetch(struct pop3 *p, struct pop3_fetch_item *items, size_t n,
	       const struct pop3_fetch_ops *ops, struct err *e)
{
	struct fetch f = { .p = p, .items = items, .n = n,
			   .ops = ops != NULL ? ops : &no_ops, .kind = CMD_RETR };
	return run(&f, e);
}

int pop3_dele_many(struct pop3 *p, struct pop3_fetch_item *items, size_t n,
		   struct err *e)
{
	struct fetch f = { .p = p, .items = items, .n = n, .ops = &no_ops,
			   .kind = CMD_DELE };
	return run(&f, e);
}

/* ---- one message into a buffer ---- */

struct collect {
	struct buf *out;
	struct err why;        /* a refusal or a size over the limit */
	bool failed;
};

static int collect_data(void *ctx, struct pop3_fetch_item *it, const char *p,
			size_t n, struct err *e)
{
	struct collect *c = ctx;
	if (buf_append(c->out, p, n) < 0)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT,
			       _("POP3 message %lu is longer than %zu bytes: not downloaded"),
			       it->num, c->out->max);
	return 0;
}

static void collect_failed(void *ctx, struct pop3_fetch_item *it,
			   const struct err *why)
{
	struct collect *c = ctx;
	(void)it;
	c->why = *why;
	c->failed = true;
}

static int collect(struct fetch *f, struct buf *out, struct err *e)
{
	struct collect c = { .out = out };
	struct pop3_fetch_ops ops = { .ctx = &c, .data = collect_data,
				      .failed = collect_failed };
	err_init(&c.why);
	f->ops = &ops;
	buf_reset(out);
	int rc = run(f, e);
	if (rc == 0 && c.failed) {
		if (e != NULL)
			*e = c.why;
		rc = -1;
	}
	if (rc < 0)
		buf_reset(out);
	return rc;
}

int pop3_retr_buf(struct pop3 *p, struct pop3_fetch_item *it, struct buf *out,
		  struct err *e)
{
	struct fetch f = { .p = p, .items = it, .n = 1, .kind = CMD_RETR };
	return collect(&f, out, e);
}

int pop3_top(struct pop3 *p, unsigned long num, unsigned long lines,
	     struct buf *out, struct err *e)
{
	struct pop3_fetch_item it = { .num = num, .size = POP3_SIZE_UNKNOWN };
	struct fetch f = { .p = p, .items = &it, .n = 1, .kind = CMD_TOP,
			   .top_lines = lines };
	return collect(&f, out, e);
}
