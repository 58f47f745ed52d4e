#include "config.h"

#include "pop3.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "mem.h"
#include "pop3_private.h"
#include "sanitize.h"
#include "sasl.h"
#include "str.h"

/* ---- session ---- */

static const char *const state_names[POP3_STATE_COUNT] = {
	[POP3_STATE_GREETING] = "GREETING",
	[POP3_STATE_AUTHORIZATION] = "AUTHORIZATION",
	[POP3_STATE_AUTHORIZATION_TLS] = "AUTHORIZATION (TLS)",
	[POP3_STATE_TRANSACTION] = "TRANSACTION",
	[POP3_STATE_UPDATE] = "UPDATE",
	[POP3_STATE_CLOSED] = "CLOSED",
	[POP3_STATE_ERROR] = "ERROR",
};

const char *pop3_state_name(enum pop3_state st)
{
	if ((unsigned)st >= POP3_STATE_COUNT)
		return "?";
	return state_names[st];
}

struct pop3 *pop3_new(const struct pop3_io *io, const struct pop3_settings *s)
{
	struct pop3 *p = xcalloc(1, sizeof(*p));
	p->io = *io;
	if (s != NULL)
		p->set = *s;
	if (p->set.status_line_max == 0)
		p->set.status_line_max = POP3_STATUS_LINE_MAX;
	if (p->set.msg_line_max == 0)
		p->set.msg_line_max = POP3_MSG_LINE_MAX;
	if (p->set.lines_max == 0)
		p->set.lines_max = POP3_LINES_MAX;
	if (p->set.message_max == 0)
		p->set.message_max = POP3_MESSAGE_MAX;
	if (p->set.window == 0)
		p->set.window = POP3_WINDOW;
	p->state = POP3_STATE_GREETING;
	size_t line_max = p->set.msg_line_max > POP3_AUTH_LINE_MAX ?
			  p->set.msg_line_max : POP3_AUTH_LINE_MAX;
	if (line_max < p->set.status_line_max)
		line_max = p->set.status_line_max;
	buf_init(&p->line, line_max);
	/* Pipelined commands, or one AUTH response (RFC 5034 s4 sets no
	 * length; SCRAM's and the OAuth ones stay far below this). */
	buf_init(&p->out, 64 * 1024);
	buf_init(&p->chunk, POP3_CHUNK + line_max);
	return p;
}

void pop3_free(struct pop3 **pp)
{
	struct pop3 *p = *pp;
	if (p == NULL)
		return;
	buf_wipe(&p->out);
	buf_release(&p->out);
	buf_wipe(&p->line);
	buf_release(&p->line);
	buf_release(&p->chunk);
	free(p);
	*pp = NULL;
}

enum pop3_state pop3_state(const struct pop3 *p)
{
	return p->state;
}

const struct pop3_caps *pop3_caps(const struct pop3 *p)
{
	return &p->caps;
}

enum pop3_auth pop3_auth_used(const struct pop3 *p)
{
	return p->auth_used;
}

unsigned long pop3_marked_deleted(const struct pop3 *p)
{
	return p->marked_deleted;
}

int pop3_broken(struct pop3 *p)
{
	p->state = POP3_STATE_ERROR;
	return -1;
}

int pop3_need_state(struct pop3 *p, unsigned mask, const char *cmd,
		    struct err *e)
{
	if (POP3_ST(p->state) & mask)
		return 0;
	if (p->state == POP3_STATE_ERROR)
		return err_set(e, ERR_ACCOUNT, POP3_ERR_STATE,
			       _("POP3 %s: the connection is unusable after an earlier error"),
			       cmd);
	return err_set(e, ERR_ACCOUNT, POP3_ERR_STATE,
		       _("POP3 %s is not allowed in the %s state"), cmd,
		       pop3_state_name(p->state));
}

void pop3_trace(struct pop3 *p, bool sent, const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (p->set.trace != NULL)
		p->set.trace(p->set.trace_ctx, sent, s, n);
}

void pop3_quote(const char *s, size_t n, struct buf *out)
{
	struct buf q;
	buf_init(&q, POP3_QUOTE_MAX);
	bool cut = sanitize_text(s, n, SANITIZE_LINE, &q) < 0;
	buf_cut_ok(buf_append(out, q.data, q.len));
	if (cut)
		buf_cut_ok(buf_append_str(out, "..."));
	buf_release(&q);
}

/* ---- sending ---- */

int pop3_queue(struct pop3 *p, const char *cmd, size_t len, const char *shown,
	       struct err *e)
{
	for (size_t i = 0; i < len; i++)
		if (cmd[i] == '\r' || cmd[i] == '\n' || cmd[i] == '\0')
			return err_set(e, ERR_ACCOUNT, ERR_USAGE,
				       _("POP3: a line break in a command argument (user name or password?)"));
	if (buf_append(&p->out, cmd, len) < 0 || buf_append(&p->out, "\r\n", 2) < 0)
		return err_set(e, ERR_ACCOUNT, ERR_LIMIT, _("POP3: command too long"));
	if (shown != NULL)
		pop3_trace(p, true, shown, strlen(shown));
	else
		pop3_trace(p, true, cmd, len);
	return 0;
}

int pop3_flush(struct pop3 *p, bool secret, struct err *e)
{
	int rc = 0;
	if (p->out.len > 0)
		rc = p->io.write(p->io.ctx, p->out.data, p->out.len, e);
	if (secret)
		buf_wipe(&p->out);
	else
		buf_reset(&p->out);
	return rc < 0 ? pop3_broken(p) : 0;
}

int pop3_send(struct pop3 *p, const char *cmd, struct err *e)
{
	if (pop3_queue(p, cmd, strlen(cmd), NULL, e) < 0)
		return -1;
	return pop3_flush(p, false, e);
}

/* ---- reading ---- */

int pop3_read(struct pop3 *p, size_t max, const char *cmd, struct err *e)
{
	p->line.max = max;
	buf_reset(&p->line);
	if (p->io.read_line(p->io.ctx, &p->line, e) < 0) {
		if (e != NULL && e->code == ERR_LIMIT)
			err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				_("POP3 %s: the server sent a line longer than %zu bytes"),
				cmd, max);
		else
			err_prefix(e, _("POP3 %s"), cmd);
		return pop3_broken(p);
	}
	if (p->line.len == 0 || p->line.data[p->line.len - 1] != '\n' ||
	    p->line.len > max) {
		/* The transport broke its contract: a whole line, or an error. */
		err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
			_("POP3 %s: the reply was cut in the middle of a line"), cmd);
		return pop3_broken(p);
	}
	return 0;
}

static size_t strip_eol(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	return n;
}

/* resp-code (RFC 2449 s3, s8): "[" resp-level *("/" resp-level) "]" at
 * the start of the text; kept up to its "]". */
static void parse_code(struct pop3_reply *r)
{
	r->code[0] = '\0';
	if (r->text_len < 3 || r->text[0] != '[')
		return;
	size_t i = 1;
	while (i < r->text_len && r->text[i] != ']' &&
	       (unsigned char)r->text[i] > 0x20 && (unsigned char)r->text[i] < 0x7f)
		i++;
	if (i >= r->text_len || r->text[i] != ']' || i == 1 || i - 1 > POP3_CODE_MAX)
		return;
	memcpy(r->code, r->text + 1, i - 1);
	r->code[i - 1] = '\0';
}

void pop3_parse_status(const char *line, size_t len, bool cont_ok,
		       struct pop3_reply *r)
{
	size_t n = strip_eol(line, len);
	size_t skip;

	memset(r, 0, sizeof(*r));
	r->text = line;
	if (n >= 3 && str_eqn_ci(line, "+OK", 3)) {
		r->status = POP3_STATUS_OK;
		skip = 3;
	} else if (n >= 4 && str_eqn_ci(line, "-ERR", 4)) {
		r->status = POP3_STATUS_ERR;
		skip = 4;
	} else if (cont_ok && n >= 1 && line[0] == '+' && (n == 1 || line[1] == ' ')) {
		/* "+ " base64 (RFC 5034 s4); a lone "+" taken as empty. */
		r->status = POP3_STATUS_CONT;
		skip = 1;
	} else {
		r->status = POP3_STATUS_BAD;
		return;
	}
	if (skip < n && line[skip] != ' ') {
		r->status = POP3_STATUS_BAD;
		return;
	}
	if (skip < n)
		skip++;
	r->text = line + skip;
	r->text_len = n - skip;
	if (r->status != POP3_STATUS_CONT)
		parse_code(r);
}

static int malformed(struct pop3 *p, const char *cmd, const char *line,
		     size_t len, struct err *e)
{
	struct buf q;
	buf_init(&q, POP3_QUOTE_MAX + 8);
	pop3_quote(line, strip_eol(line, len), &q);
	err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
		_("POP3 %s: the server's reply is not POP3: \"%s\""), cmd, q.data);
	buf_release(&q);
	return pop3_broken(p);
}

int pop3_read_status(struct pop3 *p, const char *cmd, bool cont_ok,
		     size_t max, struct pop3_reply *r, struct err *e)
{
	if (pop3_read(p, max, cmd, e) < 0)
		return -1;
	pop3_trace(p, false, p->line.data, p->line.len);
	pop3_parse_status(p->line.data, p->line.len, cont_ok, r);
	if (r->status == POP3_STATUS_BAD)
		return malformed(p, cmd, p->line.data, p->line.len, e);
	return 0;
}

static bool busy_code(const char *code)
{
	return str_eqn_ci(code, "IN-USE", 6) || str_eqn_ci(code, "LOGIN-DELAY", 11) ||
	       str_eqn_ci(code, "SYS/TEMP", 8);
}

int pop3_refused(const char *cmd, const struct pop3_reply *r,
		 enum err_scope scope, enum err_code code, struct err *e)
{
	struct buf q;
	buf_init(&q, POP3_QUOTE_MAX + 8);
	pop3_quote(r->text, r->text_len, &q);
	if (busy_code(r->code))
		code = POP3_ERR_BUSY;
	err_set(e, scope, code, _("POP3 server refused %s: \"%s\""), cmd, q.data);
	buf_release(&q);
	return -1;
}

int pop3_simple(struct pop3 *p, const char *cmd, enum err_scope scope,
		struct pop3_reply *r, struct err *e)
{
	if (pop3_send(p, cmd, e) < 0 ||
	    pop3_read_status(p, cmd, false, p->set.status_line_max, r, e) < 0)
		return -1;
	if (r->status != POP3_STATUS_OK)
		return pop3_refused(cmd, r, scope, POP3_ERR_REFUSED, e);
	return 0;
}

enum pop3_ml_line pop3_ml_classify(const char *line, size_t len, size_t *skip_r)
{
	*skip_r = 0;
	if (len == 0 || line[0] != '.')
		return POP3_ML_DATA;
	if (strip_eol(line, len) == 1)
		return POP3_ML_END;
	/* RFC 1939 s3: a line that starts with "." had one prepended. */
	*skip_r = 1;
	return POP3_ML_DATA;
}

int pop3_ml_next(struct pop3 *p, size_t max, const char *cmd, size_t *skip_r,
		 bool *end_r, struct err *e)
{
	if (pop3_read(p, max, cmd, e) < 0)
		return -1;
	*end_r = pop3_ml_classify(p->line.data, p->line.len, skip_r) == POP3_ML_END;
	return 0;
}

/* ---- greeting, CAPA, STLS ---- */

int pop3_greeting_timestamp(const char *line, size_t len, char *out,
			    size_t outsize)
{
	const char *lt = memchr(line, '<', len);
	if (lt == NULL || memchr(lt + 1, '<', len - (size_t)(lt + 1 - line)) != NULL)
		return -1; /* none, or more than one: gchar excludes "<" */
	size_t rest = len - (size_t)(lt - line);
	const char *gt = memchr(lt, '>', rest);
	if (gt == NULL)
		return -1;
	size_t n = (size_t)(gt - lt) + 1;
	if (n > POP3_TIMESTAMP_MAX || n >= outsize)
		return -1;
	/* msg-id (RFC 2449 s3 refers to RFC 822): "<" local "@" domain ">",
	 * printable ASCII only (CVE-2007-1558: fetchmail's lax parser). */
	size_t at = 0, ats = 0;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned char c = (unsigned char)lt[i];
		if (c < 0x21 || c > 0x7e)
			return -1;
		if (c == '@') {
			at = i;
			ats++;
		}
	}
	if (ats != 1 || at == 1 || at == n - 2)
		return -1;
	memcpy(out, lt, n);
	out[n] = '\0';
	return 0;
}

int pop3_greeting(struct pop3 *p, struct err *e)
{
	struct pop3_reply r;

	if (pop3_need_state(p, POP3_ST(POP3_STATE_GREETING), "greeting", e) < 0)
		return -1;
	if (pop3_read(p, p->set.status_line_max, _("greeting"), e) < 0)
		return -1;
	pop3_trace(p, false, p->line.data, p->line.len);
	pop3_parse_status(p->line.data, p->line.len, false, &r);
	if (r.status == POP3_STATUS_ERR) {
		pop3_refused(_("the connection"), &r, ERR_ACCOUNT, POP3_ERR_REFUSED, e);
		return pop3_broken(p);
	}
	if (r.status != POP3_STATUS_OK) {
		struct buf q;
		buf_init(&q, POP3_QUOTE_MAX + 8);
		pop3_quote(p->line.data, strip_eol(p->line.data, p->line.len), &q);
		err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
			_("not a POP3 server: it greets with \"%s\""), q.data);
		buf_release(&q);
		return pop3_broken(p);
	}
	p->timestamp[0] = '\0';
	p->caps.apop = pop3_greeting_timestamp(r.text, r.text_len, p->timestamp,
					       sizeof(p->timestamp)) == 0;
	p->state = p->io.is_tls(p->io.ctx) ? POP3_STATE_AUTHORIZATION_TLS :
					     POP3_STATE_AUTHORIZATION;
	return 0;
}

static void capa_sasl(struct pop3_caps *c, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		size_t start = i;
		while (i < n && s[i] != ' ')
			i++;
		enum sasl_mech m = sasl_mech_from_name(s + start, i - start);
		if (m != SASL_NONE)
			c->sasl |= 1u << m;
	}
}

/* One capability line (RFC 2449 s5): tag *(SP param), tags
 * case-insensitive.  Unknown ones are ignored. */
static void capa_line(struct pop3_caps *c, const char *s, size_t n)
{
	static const struct { const char *tag; size_t off; } flags[] = {
		{ "STLS", offsetof(struct pop3_caps, stls) },
		{ "UIDL", offsetof(struct pop3_caps, uidl) },
		{ "TOP", offsetof(struct pop3_caps, top) },
		{ "USER", offsetof(struct pop3_caps, user) },
		{ "PIPELINING", offsetof(struct pop3_caps, pipelining) },
		{ "RESP-CODES", offsetof(struct pop3_caps, resp_codes) },
		{ "AUTH-RESP-CODE", offsetof(struct pop3_caps, auth_resp_code) },
	};
	const char *sp = memchr(s, ' ', n);
	size_t tag_len = sp != NULL ? (size_t)(sp - s) : n;

	if (tag_len == 4 && str_eqn_ci(s, "SASL", 4)) {
		capa_sasl(c, s + tag_len, n - tag_len);
		return;
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].tag) == tag_len && str_eqn_ci(s, flags[i].tag, tag_len))
			*(bool *)((char *)c + flags[i].off) = true;
}

int pop3_capa(struct pop3 *p, struct err *e)
{
	struct pop3_reply r;
	struct pop3_caps c = { .apop = p->caps.apop };

	if (pop3_need_state(p, POP3_ST_AUTH | POP3_ST_TRANS, "CAPA", e) < 0 ||
	    pop3_send(p, "CAPA", e) < 0 ||
	    pop3_read_status(p, "CAPA", false, p->set.status_line_max, &r, e) < 0)
		return -1;
	if (r.status != POP3_STATUS_OK) {
		/* RFC 2449 s5: no CAPA, probe as before. */
		p->caps = c;
		return 0;
	}
	for (size_t lines = 0;; lines++) {
		size_t skip;
		bool end;
		if (pop3_ml_next(p, p->set.status_line_max, "CAPA", &skip, &end, e) < 0)
			return -1;
		if (end)
			break;
		if (lines == POP3_CAPA_LINES_MAX) {
			err_set(e, ERR_ACCOUNT, ERR_LIMIT,
				_("POP3 CAPA: the server lists more than %d capabilities"),
				POP3_CAPA_LINES_MAX);
			return pop3_broken(p);
		}
		pop3_trace(p, false, p->line.data, p->line.len);
		const char *s = p->line.data + skip;
		capa_line(&c, s, strip_eol(s, p->line.len - skip));
	}
	c.known = true;
	p->caps = c;
	return 0;
}

int pop3_stls(struct pop3 *p, struct err *e)
{
	struct pop3_reply r;

	if (pop3_need_state(p, POP3_ST(POP3_STATE_AUTHORIZATION), "STLS", e) < 0)
		return p->state == POP3_STATE_ERROR ? -1 : pop3_broken(p);
	if ((p->caps.known && !p->caps.stls) || p->io.start_tls == NULL) {
		err_set(e, ERR_ACCOUNT, POP3_ERR_TLS,
			_("the POP3 server does not offer STLS, which is required (tls = starttls): "
			  "nothing was sent; use implicit TLS if the server has it"));
		return pop3_broken(p);
	}
	if (pop3_send(p, "STLS", e) < 0 ||
	    pop3_read_status(p, "STLS", false, p->set.status_line_max, &r, e) < 0)
		return -1;
	if (r.status != POP3_STATUS_OK) {
		pop3_refused("STLS", &r, ERR_ACCOUNT, POP3_ERR_TLS, e);
		err_prefix(e, _("TLS is required: no login attempted"));
		return pop3_broken(p);
	}
	if (p->io.start_tls(p->io.ctx, e) < 0)
		return pop3_broken(p);
	if (!p->io.is_tls(p->io.ctx)) {
		err_set(e, ERR_ACCOUNT, POP3_ERR_TLS, _("POP3 STLS: TLS did not start"));
		return pop3_broken(p);
	}
	/* RFC 2595 s4: forget what the server said before TLS. */
	memset(&p->caps, 0, sizeof(p->caps));
	p->timestamp[0] = '\0';
	p->state = POP3_STATE_AUTHORIZATION_TLS;
	return pop3_capa(p, e);
}

int pop3_open(struct pop3 *p, bool stls, struct err *e)
{
	if (pop3_greeting(p, e) < 0 || pop3_capa(p, e) < 0)
		return -1;
	if (stls && p->state == POP3_STATE_AUTHORIZATION)
		return pop3_stls(p, e);
	return 0;
}

/* ---- simple commands ---- */

int pop3_stat(struct pop3 *p, struct pop3_maildrop *md, struct err *e)
{
	struct pop3_reply r;
	char count[24], size[24];

	if (pop3_need_state(p, POP3_ST_TRANS, "STAT", e) < 0 ||
	    pop3_simple(p, "STAT", ERR_ACCOUNT, &r, e) < 0)
		return -1;
	/* RFC 1939 s5: "+OK nn mm", more text possible after. */
	size_t i = 0, k = 0;
	while (i < r.text_len && r.text[i] != ' ' && k + 1 < sizeof(count))
		count[k++] = r.text[i++];
	count[k] = '\0';
	if (i < r.text_len && r.text[i] == ' ')
		i++;
	k = 0;
	while (i < r.text_len && r.text[i] != ' ' && k + 1 < sizeof(size))
		size[k++] = r.text[i++];
	size[k] = '\0';
	unsigned long c, s;
	if (str_to_ulong(count, 0, ULONG_MAX, &c) < 0 ||
	    str_to_ulong(size, 0, ULONG_MAX, &s) < 0) {
		/* A one-line reply: the session is still in step. */
		struct buf q;
		buf_init(&q, POP3_QUOTE_MAX + 8);
		pop3_quote(r.text, r.text_len, &q);
		err_set(e, ERR_ACCOUNT, POP3_ERR_PROTOCOL,
			_("POP3 STAT: the server's reply is malformed: \"%s\""), q.data);
		buf_release(&q);
		return -1;
	}
	md->have_stat = true;
	md->stat_count = c;
	md->stat_size = s;
	return 0;
}

int pop3_dele(struct pop3 *p, unsigned long num, struct err *e)
{
	struct pop3_reply r;
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "DELE %lu", num);
	if (pop3_need_state(p, POP3_ST_TRANS, "DELE", e) < 0 ||
	    pop3_simple(p, cmd, ERR_MESSAGE, &r, e) < 0)
		return -1;
	p->marked_deleted++;
	return 0;
}

int pop3_rset(struct pop3 *p, struct err *e)
{
	struct pop3_reply r;

	if (pop3_need_state(p, POP3_ST_TRANS, "RSET", e) < 0 ||
	    pop3_simple(p, "RSET", ERR_ACCOUNT, &r, e) < 0)
		return -1;
	p->marked_deleted = 0;
	return 0;
}

int pop3_noop(struct pop3 *p, struct err *e)
{
	struct pop3_reply r;

	if (pop3_need_state(p, POP3_ST_TRANS, "NOOP", e) < 0)
		return -1;
	return pop3_simple(p, "NOOP", ERR_ACCOUNT, &r, e);
}

int pop3_quit(struct pop3 *p, struct err *e)
{
	struct pop3_reply r;
	bool trans = p->state == POP3_STATE_TRANSACTION;

	if (pop3_need_state(p, POP3_ST_AUTH | POP3_ST_TRANS, "QUIT", e) < 0)
		return -1;
	if (pop3_send(p, "QUIT", e) < 0)
		return -1;
	p->state = POP3_STATE_CLOSED;
	if (pop3_read_status(p, "QUIT", false, p->set.status_line_max, &r, e) < 0) {
		p->state = POP3_STATE_CLOSED;
		return -1;
	}
	if (r.status != POP3_STATUS_OK) {
		pop3_refused("QUIT", &r, ERR_ACCOUNT, POP3_ERR_REFUSED, e);
		if (trans && p->marked_deleted > 0)
			err_prefix(e, _("some messages marked for deletion may still be on the server"));
		return -1;
	}
	/* RFC 1939 s6: the deletions are done once QUIT is answered +OK. */
	if (trans)
		p->state = POP3_STATE_UPDATE;
	return 0;
}
