/* imap: the session -- state, reading responses, and commands in flight
 * (imap.h).  Building commands: imap_cmd.c; greeting, STARTTLS and
 * login: imap_auth.c. */
#include "config.h"

#include "imap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "imap_private.h"
#include "mem.h"
#include "sanitize.h"
#include "str.h"

static const char *const state_names[IMAP_STATE_COUNT] = {
	[IMAP_STATE_GREETING] = "GREETING",
	[IMAP_STATE_NOT_AUTH] = "NOT AUTHENTICATED",
	[IMAP_STATE_AUTH] = "AUTHENTICATED",
	[IMAP_STATE_SELECTED] = "SELECTED",
	[IMAP_STATE_LOGOUT] = "LOGOUT",
	[IMAP_STATE_ERROR] = "ERROR",
};

const char *imap_state_name(enum imap_state st)
{
	if ((unsigned)st >= IMAP_STATE_COUNT)
		return "?";
	return state_names[st];
}

struct imap *imap_new(const struct imap_io *io, const struct imap_settings *s)
{
	struct imap *p = xcalloc(1, sizeof(*p));
	p->io = *io;
	if (s != NULL)
		p->set = *s;
	p->state = IMAP_STATE_GREETING;
	p->parser = imap_parser_new(&p->set.lim);
	size_t line_max = p->set.lim.line_max ? p->set.lim.line_max : IMAP_PARSER_LINE_MAX;
	/* A line with its CRLF, or a piece of a literal. */
	buf_init(&p->line, (line_max + 2 > IMAP_READ_CHUNK ? line_max + 2 : IMAP_READ_CHUNK));
	/* A whole command: its tag, text and CRLF. */
	buf_init(&p->out, IMAP_CMD_TEXT_MAX + 64);
	return p;
}

void imap_free(struct imap **pp)
{
	struct imap *p = *pp;
	if (p == NULL)
		return;
	imap_parser_free(&p->parser);
	buf_wipe(&p->out);
	buf_release(&p->out);
	buf_wipe(&p->line);
	buf_release(&p->line);
	free(p);
	*pp = NULL;
}

enum imap_state imap_state(const struct imap *p)
{
	return p->state;
}

const struct imap_caps *imap_caps(const struct imap *p)
{
	return &p->caps;
}

bool imap_has(const struct imap *p, unsigned cap_bits)
{
	return (p->caps.bits & cap_bits) == cap_bits;
}

enum imap_auth imap_auth_used(const struct imap *p)
{
	return p->auth_used;
}

unsigned imap_enabled(const struct imap *p)
{
	/* A server that does not offer IMAP4rev1 speaks IMAP4rev2 from the
	 * start (RFC 9051 s7.2.2). */
	bool rev2_only = (p->caps.bits & (IMAP_CAP_IMAP4REV1 | IMAP_CAP_IMAP4REV2)) ==
			 IMAP_CAP_IMAP4REV2;
	return p->enabled | (rev2_only ? IMAP_CAP_IMAP4REV2 : 0);
}

bool imap_utf8(const struct imap *p)
{
	return (imap_enabled(p) & (IMAP_CAP_IMAP4REV2 | IMAP_CAP_UTF8_ACCEPT)) != 0;
}

bool imap_read_only(const struct imap *p)
{
	return p->read_only;
}

void imap_set_selected(struct imap *p, bool selected, bool read_only)
{
	if (p->state != IMAP_STATE_AUTH && p->state != IMAP_STATE_SELECTED)
		return;
	p->state = selected ? IMAP_STATE_SELECTED : IMAP_STATE_AUTH;
	p->read_only = selected && read_only;
}

int imap_broken(struct imap *p)
{
	p->state = IMAP_STATE_ERROR;
	return -1;
}

int imap_need_state(struct imap *p, unsigned mask, const char *cmd, struct err *e)
{
	if (IMAP_ST(p->state) & mask)
		return 0;
	if (p->state == IMAP_STATE_ERROR)
		return err_set(e, ERR_ACCOUNT, IMAP_ERR_STATE,
			       _("IMAP %s: the connection is unusable after an earlier error"),
			       cmd);
	if (p->state == IMAP_STATE_LOGOUT && p->bye[0] != '\0')
		return err_set(e, ERR_ACCOUNT, IMAP_ERR_BYE,
			       _("IMAP %s: the server ended the session: %s"), cmd, p->bye);
	return err_set(e, ERR_ACCOUNT, IMAP_ERR_STATE, _("IMAP %s is not allowed in the %s state"),
		       cmd, imap_state_name(p->state));
}

void imap_trace(struct imap *p, bool sent, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (p->set.trace != NULL)
		p->set.trace(p->set.trace_ctx, sent, s, n);
}

void imap_quote(const char *s, struct buf *out)
{
	struct buf q;
	buf_init(&q, IMAP_QUOTE_MAX);
	bool cut = sanitize_text(s, strlen(s), SANITIZE_LINE, &q) < 0;
	buf_cut_ok(buf_append(out, q.data, q.len));
	if (cut)
		buf_cut_ok(buf_append_str(out, "..."));
	buf_release(&q);
}

/* ---- reading ---- */

/* Reads the next piece of the stream into p->line: a line, or up to a
 * chunk of the literal the parser is in. */
static int read_piece(struct imap *p, const char *cmd, struct err *e)
{
	uint64_t want = imap_parser_literal_wanted(p->parser);
	int rc;
	if (want > 0) {
		size_t n = want < IMAP_READ_CHUNK ? (size_t)want : IMAP_READ_CHUNK;
		rc = p->io.read_exact(p->io.ctx, n, &p->line, e);
	} else {
		rc = p->io.read_line(p->io.ctx, &p->line, e);
		if (rc == 0)
			imap_trace(p, false, p->line.data, p->line.len);
	}
	if (rc < 0) {
		if (p->bye[0] != '\0')
			err_set(e, ERR_ACCOUNT, IMAP_ERR_BYE,
				_("IMAP %s: the server ended the session: %s"), cmd, p->bye);
		else
			err_prefix(e, "IMAP %s", cmd);
		return imap_broken(p);
	}
	return 0;
}

const struct imap_response *imap_read(struct imap *p, const char *cmd, struct err *e)
{
	if (p->state == IMAP_STATE_ERROR) {
		imap_need_state(p, 0, cmd, e);
		return NULL;
	}
	for (;;) {
		if (read_piece(p, cmd, e) < 0)
			return NULL;
		size_t used;
		enum imap_parse_result r =
			imap_parser_feed(p->parser, p->line.data, p->line.len, &used, e);
		if (r == IMAP_PARSE_ERROR) {
			err_prefix(e, "IMAP %s", cmd);
			imap_broken(p);
			return NULL;
		}
		if (r == IMAP_PARSE_RESPONSE) {
			/* A piece is one line or part of a literal: a response
			 * can only end at its end. */
			if (used != p->line.len) {
				err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
					_("IMAP %s: a response ended inside a line"), cmd);
				imap_broken(p);
				return NULL;
			}
			return imap_parser_response(p->parser);
		}
	}
}

void imap_absorb(struct imap *p, const struct imap_response *r)
{
	if (r->kind != IMAP_RESP_UNTAGGED)
		return;
	if (r->status == IMAP_STATUS_BYE) {
		struct buf b;
		buf_init(&b, sizeof(p->bye) - 1);
		imap_quote(r->text, &b);
		snprintf(p->bye, sizeof(p->bye), "%s", b.data[0] ? b.data : "BYE");
		buf_release(&b);
		if (p->state != IMAP_STATE_ERROR)
			p->state = IMAP_STATE_LOGOUT;
		return;
	}
	if (r->status == IMAP_STATUS_NONE && r->n_args >= 1 &&
	    imap_arg_is_atom(&r->args[0], "CAPABILITY"))
		imap_caps_parse(&p->caps, r->args + 1, r->n_args - 1);
	else if (r->status == IMAP_STATUS_OK && r->code != NULL &&
		 strcmp(r->code, "CAPABILITY") == 0)
		imap_caps_parse(&p->caps, r->code_args, r->n_code_args);
}

int imap_refused(const char *cmd, enum err_scope scope, const struct imap_response *r,
		 struct err *e)
{
	struct buf b;
	buf_init(&b, IMAP_QUOTE_MAX * 2);
	if (r->code != NULL) {
		buf_cut_ok(buf_printf(&b, "[%s] ", r->code));
	}
	imap_quote(r->text ? r->text : "", &b);
	bool no = r->status == IMAP_STATUS_NO;
	int rc = err_set(e, scope, no ? IMAP_ERR_NO : IMAP_ERR_BAD,
			 no ? _("IMAP %s was refused: %s") : _("IMAP %s: the server said BAD: %s"),
			 cmd, b.data);
	buf_release(&b);
	return rc;
}

/* ---- commands in flight ---- */

struct imap_flight *imap_flight_of(struct imap *p, unsigned tag)
{
	for (size_t i = 0; i < IMAP_INFLIGHT_MAX; i++)
		if (p->flight[i].tag == tag && tag != 0)
			return &p->flight[i];
	return NULL;
}

/* The command in flight whose tag is text ("t123"), or NULL. */
struct imap_flight *imap_flight_named(struct imap *p, const char *text)
{
	unsigned long n;
	if (text[0] != 't' || str_to_ulong(text + 1, 1, UINT32_MAX, &n) < 0 ||
	    text[1] == '0' || text[1] == '+')
		return NULL;
	struct imap_flight *f = imap_flight_of(p, (unsigned)n);
	return f != NULL && !f->done ? f : NULL;
}

int imap_completed_early(struct imap *p, const struct imap_response *r, const char *cmd,
			 struct err *e)
{
	struct imap_flight *g = imap_flight_named(p, r->tag);
	if (g == NULL) {
		err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
			_("IMAP %s: a tagged response for no command of ours"), cmd);
		return imap_broken(p);
	}
	g->done = true;
	g->status = r->status;
	struct buf b;
	buf_init(&b, sizeof(g->text) - 1);
	if (r->code != NULL)
		buf_cut_ok(buf_printf(&b, "[%s] ", r->code));
	imap_quote(r->text ? r->text : "", &b);
	snprintf(g->text, sizeof(g->text), "%s", b.data);
	buf_release(&b);
	return 0;
}

int imap_write_out(struct imap *p, bool secret, const char *shown, struct err *e)
{
	/* The last guard of imap.h's promise: nothing is sent after a BYE
	 * or once the session is unusable, whatever the caller's path. */
	int rc = imap_need_state(p, IMAP_ST(IMAP_STATE_NOT_AUTH) | IMAP_ST(IMAP_STATE_AUTH) |
				 IMAP_ST(IMAP_STATE_SELECTED), _("command"), e);
	if (rc == 0) {
		imap_trace(p, true, shown ? shown : p->out.data,
			   shown ? strlen(shown) : p->out.len);
		rc = p->io.write(p->io.ctx, p->out.data, p->out.len, e);
		if (rc < 0)
			imap_broken(p);
	}
	if (secret)
		buf_wipe(&p->out);
	else
		buf_reset(&p->out);
	return rc < 0 ? -1 : 0;
}

/* Reads until a continuation request, handing the rest to fn; a
 * completion of the command itself (NO, BAD) ends the wait. */
static int await_continuation(struct imap *p, struct imap_flight *f, imap_untagged_fn fn,
			      void *ctx, struct err *e)
{
	for (;;) {
		const struct imap_response *r = imap_read(p, f->verb, e);
		if (r == NULL)
			return -1;
		if (r->kind == IMAP_RESP_CONTINUATION)
			return 0;
		if (r->kind == IMAP_RESP_UNTAGGED) {
			imap_absorb(p, r);
			struct err fe;
			err_init(&fe);
			if (fn != NULL && fn(ctx, r, &fe) < 0 && fe.scope == ERR_ACCOUNT) {
				*e = fe;
				return imap_broken(p);
			}
			continue;
		}
		if (imap_flight_named(p, r->tag) != f) {
			if (imap_completed_early(p, r, f->verb, e) < 0)
				return -1;
			continue;
		}
		/* The command ended before its literal was sent.  A refusal
		 * leaves the session usable; an OK means the server read the
		 * command differently from us, and would take the rest of
		 * it for a new command. */
		f->tag = 0;
		if (r->status == IMAP_STATUS_OK) {
			err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
				_("IMAP %s: the server completed the command before its literal "
				  "was sent"), f->verb);
			return imap_broken(p);
		}
		return imap_refused(f->verb, f->scope, r, e);
	}
}

static struct imap_flight *flight_new(struct imap *p, const struct imap_cmd *c, struct err *e)
{
	for (size_t i = 0; i < IMAP_INFLIGHT_MAX; i++) {
		struct imap_flight *f = &p->flight[i];
		if (f->tag != 0)
			continue;
		memset(f, 0, sizeof(*f));
		f->tag = ++p->next_tag;
		if (p->next_tag == UINT32_MAX)
			p->next_tag = 0;
		snprintf(f->verb, sizeof(f->verb), "%s", c->verb);
		f->scope = c->scope;
		return f;
	}
	err_set(e, ERR_ACCOUNT, IMAP_ERR_STATE, _("IMAP %s: too many commands in flight"),
		c->verb);
	return NULL;
}

int imap_send(struct imap *p, const struct imap_cmd *c, imap_untagged_fn fn, void *ctx,
	      unsigned *tag_r, struct err *e)
{
	if (imap_need_state(p, IMAP_ST(IMAP_STATE_NOT_AUTH) | IMAP_ST(IMAP_STATE_AUTH) |
			    IMAP_ST(IMAP_STATE_SELECTED), c->verb, e) < 0)
		return -1;
	if (c->error)
		return err_set(e, ERR_ACCOUNT, IMAP_ERR_STATE,
			       _("IMAP %s: the command cannot be built"), c->verb);
	/* RFC 2177 s3: DONE before any other command. */
	if (p->idle_tag != 0 && imap_idle_done(p, fn, ctx, e) < 0)
		return -1;
	struct imap_flight *f = flight_new(p, c, e);
	if (f == NULL)
		return -1;
	char tag[16];
	snprintf(tag, sizeof(tag), "t%u ", f->tag);
	size_t from = 0;
	for (size_t k = 0; k <= c->n_sync; k++) {
		size_t to = k < c->n_sync ? c->sync[k] : c->text.len;
		buf_reset(&p->out);
		if ((k == 0 && buf_append_str(&p->out, tag) < 0) ||
		    buf_append(&p->out, c->text.data + from, to - from) < 0 ||
		    (k == c->n_sync && buf_append(&p->out, "\r\n", 2) < 0)) {
			/* Never a command cut short: its literal would swallow
			 * what follows.  (Not reached while out holds
			 * IMAP_CMD_TEXT_MAX.) */
			buf_wipe(&p->out);
			f->tag = 0;
			err_set(e, ERR_ACCOUNT, ERR_LIMIT, _("IMAP %s: the command is too long"),
				c->verb);
			return k == 0 ? -1 : imap_broken(p);
		}
		struct buf shown;
		buf_init(&shown, c->shown.len + 32);
		buf_cut_ok(buf_printf(&shown, "%s%s", k == 0 ? tag : "", k == 0 ? c->shown.data : "..."));
		int rc = imap_write_out(p, c->secret, shown.data, e);
		buf_release(&shown);
		if (rc < 0 || (k < c->n_sync && await_continuation(p, f, fn, ctx, e) < 0)) {
			f->tag = 0;
			return -1;
		}
		from = to;
	}
	*tag_r = f->tag;
	return 0;
}

/* Handles a tagged response r while waiting for f: 1 when it is f's. */
static int tagged(struct imap *p, struct imap_flight *f, const struct imap_response *r,
		  struct err *e)
{
	if (imap_flight_named(p, r->tag) == f)
		return 1;
	return imap_completed_early(p, r, f->verb, e);
}

/* The result of f, which completed while another command was waited for. */
static int finished_earlier(struct imap_flight *f, struct err *e)
{
	f->tag = 0;
	if (f->status == IMAP_STATUS_OK)
		return 0;
	bool no = f->status == IMAP_STATUS_NO;
	return err_set(e, f->scope, no ? IMAP_ERR_NO : IMAP_ERR_BAD,
		       no ? _("IMAP %s was refused: %s") : _("IMAP %s: the server said BAD: %s"),
		       f->verb, f->text);
}

int imap_wait(struct imap *p, unsigned tag, imap_untagged_fn fn, void *ctx, struct err *e)
{
	struct imap_flight *f = imap_flight_of(p, tag);
	if (f == NULL)
		return err_set(e, ERR_ACCOUNT, IMAP_ERR_STATE, _("IMAP: no command t%u in flight"),
			       tag);
	if (f->done)
		return finished_earlier(f, e);
	struct err first;
	err_init(&first);
	for (;;) {
		const struct imap_response *r = imap_read(p, f->verb, e);
		if (r == NULL) {
			f->tag = 0;
			return -1;
		}
		if (r->kind == IMAP_RESP_CONTINUATION) {
			err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
				_("IMAP %s: a continuation request nobody asked for"), f->verb);
			f->tag = 0;
			return imap_broken(p);
		}
		int mine = 0;
		if (r->kind == IMAP_RESP_TAGGED && (mine = tagged(p, f, r, e)) < 0) {
			f->tag = 0;
			return -1;
		}
		if (r->kind == IMAP_RESP_UNTAGGED)
			imap_absorb(p, r);
		if (r->kind == IMAP_RESP_TAGGED && !mine)
			continue;
		struct err fe;
		err_init(&fe);
		if (fn != NULL && first.code == ERR_OK && fn(ctx, r, &fe) < 0) {
			if (fe.code == ERR_OK)
				err_set(&fe, f->scope, ERR_PARSE,
					_("IMAP %s: a response could not be used"), f->verb);
			first = fe;
			if (fe.scope == ERR_ACCOUNT) {
				*e = fe;
				f->tag = 0;
				return imap_broken(p);
			}
		}
		if (!mine)
			continue;
		f->tag = 0;
		if (r->status != IMAP_STATUS_OK)
			return imap_refused(f->verb, f->scope, r, e);
		if (first.code != ERR_OK) {
			*e = first;
			return -1;
		}
		return 0;
	}
}

int imap_run(struct imap *p, const struct imap_cmd *c, imap_untagged_fn fn, void *ctx,
	     struct err *e)
{
	unsigned tag;
	if (imap_send(p, c, fn, ctx, &tag, e) < 0)
		return -1;
	return imap_wait(p, tag, fn, ctx, e);
}

int imap_simple(struct imap *p, const char *verb, const char *args, imap_untagged_fn fn,
		void *ctx, struct err *e)
{
	struct imap_cmd c;
	imap_cmd_init(&c, p, verb);
	if (args != NULL)
		imap_cmd_raw(&c, args);
	int rc = imap_run(p, &c, fn, ctx, e);
	imap_cmd_release(&c);
	return rc;
}

/* ---- IDLE ---- */

bool imap_idling(const struct imap *p)
{
	return p->idle_tag != 0;
}

int imap_idle_start(struct imap *p, imap_untagged_fn fn, void *ctx, struct err *e)
{
	if (p->idle_tag != 0)
		return 0;
	struct imap_cmd c;
	imap_cmd_init(&c, p, "IDLE");
	unsigned tag;
	int rc = imap_send(p, &c, fn, ctx, &tag, e);
	imap_cmd_release(&c);
	if (rc < 0)
		return -1;
	struct imap_flight *f = imap_flight_of(p, tag);
	for (;;) {
		const struct imap_response *r = imap_read(p, "IDLE", e);
		if (r == NULL) {
			f->tag = 0;
			return -1;
		}
		if (r->kind == IMAP_RESP_CONTINUATION) {
			p->idle_tag = tag;
			return 0;
		}
		if (r->kind == IMAP_RESP_UNTAGGED) {
			imap_absorb(p, r);
			struct err fe;
			err_init(&fe);
			if (fn != NULL && fn(ctx, r, &fe) < 0 && fe.scope == ERR_ACCOUNT) {
				*e = fe;
				f->tag = 0;
				return imap_broken(p);
			}
			continue;
		}
		if (imap_flight_named(p, r->tag) != f) {
			err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
				_("IMAP %s: a tagged response for no command of ours"), "IDLE");
			f->tag = 0;
			return imap_broken(p);
		}
		f->tag = 0;
		return imap_refused("IDLE", ERR_FOLDER, r, e);
	}
}

int imap_idle_read(struct imap *p, imap_untagged_fn fn, void *ctx, struct err *e)
{
	if (p->idle_tag == 0)
		return 0;
	const struct imap_response *r = imap_read(p, "IDLE", e);
	if (r == NULL)
		return -1;
	if (r->kind != IMAP_RESP_UNTAGGED) {
		/* Only untagged data may come during IDLE; a completion means the
		 * server ended it (a tagged BAD, say): read as over. */
		struct imap_flight *f = imap_flight_named(p, r->tag ? r->tag : "");
		if (f == NULL || f->tag != p->idle_tag) {
			err_set(e, ERR_ACCOUNT, IMAP_ERR_PROTOCOL,
				_("IMAP %s: the server sent something other than data"), "IDLE");
			return imap_broken(p);
		}
		f->tag = 0;
		p->idle_tag = 0;
		return r->status == IMAP_STATUS_OK ? 0 : imap_refused("IDLE", ERR_FOLDER, r, e);
	}
	imap_absorb(p, r);
	return fn != NULL ? fn(ctx, r, e) : 0;
}

int imap_idle_done(struct imap *p, imap_untagged_fn fn, void *ctx, struct err *e)
{
	if (p->idle_tag == 0)
		return 0;
	unsigned tag = p->idle_tag;
	p->idle_tag = 0;
	buf_reset(&p->out);
	buf_cut_ok(buf_append_str(&p->out, "DONE\r\n"));
	if (imap_write_out(p, false, NULL, e) < 0)
		return -1;
	return imap_wait(p, tag, fn, ctx, e);
}
