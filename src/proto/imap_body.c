/* imap_body: see imap_body.h.
 *
 * The structure is decoded by a recursion over the argument tree that
 * appends each part to one array; every level checks the depth cap before
 * going down, so hostile nesting costs at most IMAP_BODY_DEPTH_MAX stack
 * frames whatever the parser allowed.  Parts are referred to by index
 * while decoding: the array moves when it grows. */
#include "config.h"

#include "imap_body.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "i18n.h"
#include "mem.h"
#include "rfc2047.h"
#include "rfc2231.h"
#include "str.h"

#define NUMBER64_MAX ((uint64_t)INT64_MAX)

static int __attribute__((format(printf, 3, 4)))
fail(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, ERR_MESSAGE, code, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- strings ---- */

/* s[0..len) up to its first NUL and at most max bytes, copied. */
static char *text_dup(const char *s, size_t len, size_t max)
{
	len = strnlen(s, len);
	return xstrndup(s, len < max ? len : max);
}

static char *nstring_dup(const struct imap_arg *a)
{
	return a->type == IMAP_ARG_NIL ? NULL : text_dup(a->str, a->len, IMAP_BODY_TEXT_MAX);
}

/* An nstring whole (up to a NUL), or NULL. */
static char *raw_dup(const struct imap_arg *a)
{
	return a->type == IMAP_ARG_NIL ? NULL : text_dup(a->str, a->len, SIZE_MAX);
}

static char *lower_dup(const char *s, size_t len)
{
	char *d = text_dup(s, len, IMAP_BODY_TEXT_MAX);
	for (char *p = d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

/* ---- ENVELOPE ---- */

void imap_body_envelope_init(struct imap_envelope *env)
{
	memset(env, 0, sizeof(*env));
}

void imap_body_envelope_release(struct imap_envelope *env)
{
	free(env->date);
	free(env->subject);
	free(env->in_reply_to);
	free(env->message_id);
	struct mime_address_list *lists[] = { &env->from, &env->sender, &env->reply_to,
					      &env->to, &env->cc, &env->bcc };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		mime_address_list_release(lists[i]);
	imap_body_envelope_init(env);
}

static char *decoded_name(const struct imap_arg *a)
{
	struct buf b;
	buf_init(&b, IMAP_ENVELOPE_TEXT_MAX);
	if (a->type != IMAP_ARG_NIL)
		buf_cut_ok(rfc2047_decode(a->str, strnlen(a->str, a->len), &b));
	return buf_detach(&b, NULL);
}

/* "mailbox@host" as valid UTF-8; host "" (or the placeholders UW and
 * Dovecot write for a missing domain) gives the mailbox alone. */
static char *address_of(const struct imap_arg *mailbox, const struct imap_arg *host)
{
	struct buf raw, b;
	buf_init(&raw, 2 * IMAP_ENVELOPE_TEXT_MAX + 2);
	buf_init(&b, 4 * IMAP_ENVELOPE_TEXT_MAX);
	if (mailbox->type != IMAP_ARG_NIL)
		buf_cut_ok(buf_append(&raw, mailbox->str, strnlen(mailbox->str, mailbox->len)));
	const char *h = host->type != IMAP_ARG_NIL ? host->str : "";
	size_t hl = host->type != IMAP_ARG_NIL ? strnlen(h, host->len) : 0;
	if (hl > 0 && !str_eq_ci(h, ".MISSING-HOST-NAME.") && !str_eq_ci(h, "MISSING_DOMAIN")) {
		buf_cut_ok(buf_append_char(&raw, '@'));
		buf_cut_ok(buf_append(&raw, h, hl));
	}
	buf_cut_ok(charset_to_utf8("utf-8", raw.data, raw.len, &b));
	buf_release(&raw);
	return buf_detach(&b, NULL);
}

static void add_address(struct mime_address_list *l, char *name, char *address,
			const char *group)
{
	if (l->n >= IMAP_ENVELOPE_ADDRESSES_MAX) {
		free(name);
		free(address);
		return;
	}
	l->list = xrealloc(l->list, (l->n + 1) * sizeof(*l->list));
	l->list[l->n++] = (struct mime_address){ .name = name, .address = address,
						 .group = group };
}

/* An empty group (start marker, then end marker or the end of the list)
 * is one entry named after it, as mime_address_parse() gives. */
static void end_group(struct mime_address_list *l, const char *group, size_t members)
{
	if (group != NULL && members == 0)
		add_address(l, xstrdup(group), xstrdup(""), group);
}

static bool address_valid(const struct imap_arg *a)
{
	if (a->type != IMAP_ARG_LIST || a->len != 4)
		return false;
	for (size_t i = 0; i < 4; i++)
		if (!imap_arg_nstring(&a->list[i]))
			return false;
	return true;
}

static bool address_list(const struct imap_arg *a, struct mime_address_list *l)
{
	mime_address_list_init(l);
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (a->type != IMAP_ARG_LIST)
		return false;
	const char *group = NULL;
	size_t members = 0;
	for (size_t i = 0; i < a->len; i++) {
		const struct imap_arg *x = a->list[i].list;
		if (!address_valid(&a->list[i])) {
			mime_address_list_release(l);
			return false;
		}
		if (x[3].type != IMAP_ARG_NIL) {
			add_address(l, decoded_name(&x[0]), address_of(&x[2], &x[3]), group);
			members++;
		} else if (x[2].type == IMAP_ARG_NIL) {
			end_group(l, group, members);
			group = NULL;
		} else if (l->n < IMAP_ENVELOPE_ADDRESSES_MAX) {
			end_group(l, group, members);
			l->groups = xrealloc(l->groups, (l->n_groups + 1) * sizeof(*l->groups));
			group = l->groups[l->n_groups++] = decoded_name(&x[2]);
			members = 0;
		}
	}
	end_group(l, group, members);
	return true;
}

int imap_body_envelope(const struct imap_arg *a, struct imap_envelope *env,
		       struct err *e)
{
	static const char *const fields[10] = {
		"date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc",
		"in-reply-to", "message-id",
	};
	imap_body_envelope_init(env);
	if (a->type != IMAP_ARG_LIST || a->len < 10)
		return fail(e, ERR_PARSE, _("ENVELOPE: not a list of 10 fields"));
	const struct imap_arg *x = a->list;
	struct mime_address_list *lists[6] = { &env->from, &env->sender, &env->reply_to,
					       &env->to, &env->cc, &env->bcc };
	for (size_t i = 0; i < 10; i++) {
		bool ok = (i >= 2 && i < 8) ? address_list(&x[i], lists[i - 2])
					    : imap_arg_nstring(&x[i]);
		if (!ok) {
			imap_body_envelope_release(env);
			return fail(e, ERR_PARSE, _("ENVELOPE: a bad %s field"), fields[i]);
		}
	}
	env->date = nstring_dup(&x[0]);
	env->subject = raw_dup(&x[1]);
	env->in_reply_to = raw_dup(&x[8]);
	env->message_id = nstring_dup(&x[9]);
	return 0;
}

/* ---- BODYSTRUCTURE: the tree ---- */

void imap_body_init(struct imap_body *b)
{
	memset(b, 0, sizeof(*b));
}

static void params_free(struct imap_body_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

void imap_body_release(struct imap_body *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct imap_body_part *p = &b->parts[i];
		char *strings[] = { p->type, p->subtype, p->id, p->description, p->encoding,
				    p->md5, p->disposition, p->language, p->location,
				    p->charset, p->filename };
		for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++)
			free(strings[k]);
		params_free(p->params, p->n_params);
		params_free(p->disp_params, p->n_disp_params);
		if (p->envelope != NULL)
			imap_body_envelope_release(p->envelope);
		free(p->envelope);
	}
	free(b->parts);
	imap_body_init(b);
}

const char *imap_body_param(const struct imap_body_param *params, size_t n,
			    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq_ci(params[i].name, name))
			return params[i].value;
	return NULL;
}

bool imap_body_is_message(const struct imap_body *b, size_t i)
{
	const struct imap_body_part *p = &b->parts[i];
	return !p->multipart && strcmp(p->type, "message") == 0 &&
	       (strcmp(p->subtype, "rfc822") == 0 || strcmp(p->subtype, "global") == 0);
}

/* ---- BODYSTRUCTURE: decoding ---- */

struct ctx {
	struct imap_body *b;
	struct err *e;
};

static const char *label(const struct imap_body_part *p)
{
	return p->section[0] != '\0' ? p->section : "TEXT";
}

static int bad(struct ctx *c, size_t i, const char *field)
{
	return fail(c->e, ERR_PARSE, _("BODYSTRUCTURE: a bad %s in part %s"), field,
		    label(&c->b->parts[i]));
}

static int too_long(struct ctx *c)
{
	return fail(c->e, ERR_LIMIT, _("BODYSTRUCTURE: a section number too long"));
}

/* out = prefix "." k, or k for an empty prefix (out and prefix differ). */
static bool section_join(char out[IMAP_BODY_SECTION_MAX], const char *prefix, size_t k)
{
	char digits[24];
	size_t nd = 0, pl = strlen(prefix), at = pl;
	do {
		digits[nd++] = (char)('0' + k % 10);
		k /= 10;
	} while (k > 0);
	if (pl + 1 + nd + 1 > IMAP_BODY_SECTION_MAX)
		return false;
	memcpy(out, prefix, pl);
	if (pl > 0)
		out[at++] = '.';
	while (nd > 0)
		out[at++] = digits[--nd];
	out[at] = '\0';
	return true;
}

/* Appends a part (caps checked); returns its index or IMAP_BODY_NONE. */
static size_t new_part(struct ctx *c, size_t parent, unsigned depth, const char *section)
{
	struct imap_body *b = c->b;
	if (depth > IMAP_BODY_DEPTH_MAX) {
		fail(c->e, ERR_LIMIT, _("BODYSTRUCTURE: parts nested deeper than %d"),
		     IMAP_BODY_DEPTH_MAX);
		return IMAP_BODY_NONE;
	}
	if (b->n >= IMAP_BODY_PARTS_MAX) {
		fail(c->e, ERR_LIMIT, _("BODYSTRUCTURE: more than %d parts"),
		     IMAP_BODY_PARTS_MAX);
		return IMAP_BODY_NONE;
	}
	b->parts = xgrow(b->parts, &b->cap, b->n + 1, sizeof(*b->parts));
	struct imap_body_part *p = &b->parts[b->n];
	memset(p, 0, sizeof(*p));
	memcpy(p->section, section, strlen(section) + 1);
	p->depth = depth;
	p->parent = parent;
	p->first_child = p->next_sibling = IMAP_BODY_NONE;
	if (depth > b->depth)
		b->depth = depth;
	return b->n++;
}

/* media type or subtype: a string (or, leniently, an atom); NIL is dflt. */
static bool media(const struct imap_arg *a, const char *dflt, char **out)
{
	if (a->type == IMAP_ARG_NIL)
		*out = xstrdup(dflt);
	else if (imap_arg_astring(a))
		*out = lower_dup(a->str, a->len);
	else
		return false;
	return true;
}

/* body-fld-param: NIL or a list of name value pairs (see imap_body.h). */
static bool params(const struct imap_arg *a, struct imap_body_param **out, size_t *n_r)
{
	*out = NULL;
	*n_r = 0;
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (a->type != IMAP_ARG_LIST)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (a->list[i].type != IMAP_ARG_NIL && !imap_arg_astring(&a->list[i]))
			return false;
	for (size_t i = 0; i + 1 < a->len && *n_r < IMAP_BODY_PARAMS_MAX; i += 2) {
		const struct imap_arg *k = &a->list[i], *v = &a->list[i + 1];
		if (k->type == IMAP_ARG_NIL || v->type == IMAP_ARG_NIL)
			continue;
		if (*out == NULL)
			*out = xmalloc(IMAP_BODY_PARAMS_MAX * sizeof(**out));
		(*out)[*n_r].name = lower_dup(k->str, k->len);
		(*out)[(*n_r)++].value = text_dup(v->str, v->len, IMAP_BODY_TEXT_MAX);
	}
	return true;
}

static bool disposition(const struct imap_arg *a, struct imap_body_part *p)
{
	if (a->type == IMAP_ARG_NIL)
		return true;
	if (imap_arg_string(a)) {
		p->disposition = lower_dup(a->str, a->len);
		return true;
	}
	if (a->type != IMAP_ARG_LIST || a->len < 1 || !imap_arg_string(&a->list[0]))
		return false;
	if (a->len >= 2 && !params(&a->list[1], &p->disp_params, &p->n_disp_params))
		return false;
	p->disposition = lower_dup(a->list[0].str, a->list[0].len);
	return true;
}

static bool language(const struct imap_arg *a, struct imap_body_part *p)
{
	if (imap_arg_nstring(a)) {
		p->language = nstring_dup(a);
		return true;
	}
	if (a->type != IMAP_ARG_LIST)
		return false;
	struct buf b;
	buf_init(&b, IMAP_BODY_TEXT_MAX);
	for (size_t i = 0; i < a->len; i++) {
		if (!imap_arg_string(&a->list[i])) {
			buf_release(&b);
			return false;
		}
		if (i > 0)
			buf_cut_ok(buf_append_str(&b, ", "));
		const struct imap_arg *x = &a->list[i];
		buf_cut_ok(buf_append(&b, x->str, strnlen(x->str, x->len)));
	}
	p->language = buf_detach(&b, NULL);
	return true;
}

/* The extension fields after md5 (1part) or params (mpart): disposition,
 * language, location; later body-extension fields are skipped. */
static int extension(struct ctx *c, size_t i, const struct imap_arg *x, size_t n)
{
	struct imap_body_part *p = &c->b->parts[i];
	if (n > 0 && !disposition(&x[0], p))
		return bad(c, i, "disposition");
	if (n > 1 && !language(&x[1], p))
		return bad(c, i, "language");
	if (n > 2 && !imap_arg_nstring(&x[2]))
		return bad(c, i, "location");
	if (n > 2)
		p->location = nstring_dup(&x[2]);
	return 0;
}

static char *param_get(const struct imap_body_param *ps, size_t n, const char *name,
		       bool bytes)
{
	struct rfc2231_param rp[IMAP_BODY_PARAMS_MAX];
	for (size_t i = 0; i < n; i++)
		rp[i] = (struct rfc2231_param){ .name = ps[i].name,
						.name_len = strlen(ps[i].name),
						.value = ps[i].value,
						.value_len = strlen(ps[i].value) };
	struct buf b;
	bool found = false;
	buf_init(&b, IMAP_BODY_TEXT_MAX);
	int rc = bytes ? rfc2231_get_bytes(rp, n, name, &b, &found)
		       : rfc2231_get(rp, n, name, &b, &found);
	buf_cut_ok(rc);
	if (!found || b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static void decoded_params(struct imap_body_part *p)
{
	p->charset = param_get(p->params, p->n_params, "charset", true);
	p->filename = param_get(p->disp_params, p->n_disp_params, "filename", false);
	if (p->filename == NULL)
		p->filename = param_get(p->params, p->n_params, "name", false);
}

static int body(struct ctx *c, const struct imap_arg *a, size_t parent, unsigned depth,
		bool msg_body, const char *num);

/* body-type-msg after body-fields: envelope, body, lines (x[7..9]). */
static int message(struct ctx *c, size_t i, const struct imap_arg *x, unsigned depth)
{
	struct imap_envelope *env = xmalloc(sizeof(*env));
	c->b->parts[i].envelope = env;
	if (imap_body_envelope(&x[7], env, c->e) < 0) {
		err_prefix(c->e, _("part %s"), label(&c->b->parts[i]));
		return -1;
	}
	c->b->parts[i].has_lines = true;
	c->b->parts[i].lines = 0;
	(void)imap_arg_number64(&x[9], &c->b->parts[i].lines);
	if (x[8].type == IMAP_ARG_NIL)
		return 0;
	char section[IMAP_BODY_SECTION_MAX];
	memcpy(section, c->b->parts[i].section, sizeof(section));
	c->b->parts[i].first_child = c->b->n;
	c->b->parts[i].n_children = 1;
	return body(c, &x[8], i, depth + 1, true, section);
}

static bool is_message_form(const struct imap_body_part *p, const struct imap_arg *x,
			    size_t n)
{
	uint64_t lines;
	return strcmp(p->type, "message") == 0 &&
	       (strcmp(p->subtype, "rfc822") == 0 || strcmp(p->subtype, "global") == 0) &&
	       n >= 10 && x[7].type == IMAP_ARG_LIST &&
	       (x[8].type == IMAP_ARG_LIST || x[8].type == IMAP_ARG_NIL) &&
	       imap_arg_number64(&x[9], &lines);
}

/* body-type-1part: the fields of part i in x[0..n). */
static int single(struct ctx *c, size_t i, const struct imap_arg *x, size_t n,
		  unsigned depth)
{
	struct imap_body_part *p = &c->b->parts[i];
	if (n < 7)
		return bad(c, i, "field count");
	if (!media(&x[0], "application", &p->type) ||
	    !media(&x[1], "octet-stream", &p->subtype))
		return bad(c, i, "media type");
	if (!params(&x[2], &p->params, &p->n_params))
		return bad(c, i, "parameter list");
	if (!imap_arg_nstring(&x[3]) || !imap_arg_nstring(&x[4]))
		return bad(c, i, "id or description");
	p->id = nstring_dup(&x[3]);
	p->description = nstring_dup(&x[4]);
	if (!media(&x[5], "7bit", &p->encoding))
		return bad(c, i, "encoding");
	p->cte = mime_cte_parse(p->encoding, strlen(p->encoding));
	if (x[6].type != IMAP_ARG_NIL && !imap_arg_number64(&x[6], &p->size))
		return bad(c, i, "size");
	size_t k = 7;
	if (is_message_form(p, x, n)) {
		if (message(c, i, x, depth) < 0)
			return -1;
		k = 10;
	} else if (strcmp(p->type, "text") == 0 && n > 7 &&
		   imap_arg_number64(&x[7], &p->lines)) {
		p->has_lines = true;
		k = 8;
	}
	p = &c->b->parts[i];
	if (k < n && !imap_arg_nstring(&x[k]))
		return bad(c, i, "md5");
	if (k < n)
		p->md5 = nstring_dup(&x[k++]);
	if (extension(c, i, x + k, n - k) < 0)
		return -1;
	decoded_params(&c->b->parts[i]);
	return 0;
}

/* body-type-mpart: children x[0..), then subtype and extension data; the
 * children are numbered under num. */
static int multipart(struct ctx *c, size_t i, const struct imap_arg *x, size_t n,
		     unsigned depth, const char *num)
{
	size_t k = 0, prev = IMAP_BODY_NONE;
	for (; k < n && x[k].type == IMAP_ARG_LIST; k++) {
		char section[IMAP_BODY_SECTION_MAX];
		size_t child = c->b->n;
		if (!section_join(section, num, k + 1))
			return too_long(c);
		if (body(c, &x[k], i, depth + 1, false, section) < 0)
			return -1;
		if (prev == IMAP_BODY_NONE)
			c->b->parts[i].first_child = child;
		else
			c->b->parts[prev].next_sibling = child;
		c->b->parts[i].n_children++;
		prev = child;
	}
	struct imap_body_part *p = &c->b->parts[i];
	p->type = xstrdup("multipart");
	if (k >= n || !media(&x[k], "mixed", &p->subtype))
		return bad(c, i, "multipart subtype");
	k++;
	if (k < n && !params(&x[k], &p->params, &p->n_params))
		return bad(c, i, "parameter list");
	k += k < n;
	if (extension(c, i, x + k, n - k) < 0)
		return -1;
	decoded_params(&c->b->parts[i]);
	return 0;
}

/* The body a, child of parent.  msg_body: a is a message's body and num
 * the message's section ("" at the top); else num is a's own section. */
static int body(struct ctx *c, const struct imap_arg *a, size_t parent, unsigned depth,
		bool msg_body, const char *num)
{
	bool multi = a->type == IMAP_ARG_LIST && a->len > 0 &&
		     a->list[0].type == IMAP_ARG_LIST;
	char section[IMAP_BODY_SECTION_MAX] = "";
	if (!multi && msg_body) {
		if (!section_join(section, num, 1))
			return too_long(c);
	} else if (!msg_body) {
		memcpy(section, num, strlen(num) + 1);
	}
	if (a->type != IMAP_ARG_LIST)
		return fail(c->e, ERR_PARSE, _("BODYSTRUCTURE: part %s is not a list"),
			    section[0] ? section : "TEXT");
	size_t i = new_part(c, parent, depth, section);
	if (i == IMAP_BODY_NONE)
		return -1;
	c->b->parts[i].multipart = multi;
	if (multi)
		return multipart(c, i, a->list, a->len, depth, num);
	return single(c, i, a->list, a->len, depth);
}

int imap_body_parse(const struct imap_arg *a, struct imap_body *b, struct err *e)
{
	imap_body_init(b);
	if (a->type == IMAP_ARG_NIL)
		return 0;
	struct ctx c = { .b = b, .e = e };
	if (body(&c, a, IMAP_BODY_NONE, 1, true, "") < 0) {
		imap_body_release(b);
		return -1;
	}
	return 0;
}

/* ---- what to show ---- */

static bool is_inline(const struct imap_body_part *p)
{
	return p->disposition == NULL || strcmp(p->disposition, "inline") == 0;
}

/* The best text leaf at or under i; *plain_r says whether it is plain.
 * Recursion is bounded by the depth of the tree (IMAP_BODY_DEPTH_MAX). */
static size_t pick(const struct imap_body *b, size_t i, bool *plain_r)
{
	const struct imap_body_part *p = &b->parts[i];
	*plain_r = false;
	if (!p->multipart) {
		if (strcmp(p->type, "text") != 0 || !is_inline(p))
			return IMAP_BODY_NONE;
		*plain_r = strcmp(p->subtype, "plain") == 0;
		return *plain_r || strcmp(p->subtype, "html") == 0 ? i : IMAP_BODY_NONE;
	}
	bool alternative = strcmp(p->subtype, "alternative") == 0;
	size_t html = IMAP_BODY_NONE;
	for (size_t k = p->first_child; k != IMAP_BODY_NONE; k = b->parts[k].next_sibling) {
		bool plain;
		size_t got = pick(b, k, &plain);
		if (got == IMAP_BODY_NONE)
			continue;
		if (!alternative || plain) {
			*plain_r = plain;
			return got;
		}
		if (html == IMAP_BODY_NONE)
			html = got;
	}
	return html;
}

size_t imap_body_text_part(const struct imap_body *b)
{
	bool plain;
	return b->n > 0 ? pick(b, 0, &plain) : IMAP_BODY_NONE;
}

/* Whether anc is i or an ancestor of i. */
static bool under(const struct imap_body *b, size_t i, size_t anc)
{
	for (; i != IMAP_BODY_NONE; i = b->parts[i].parent)
		if (i == anc)
			return true;
	return false;
}

static bool inside_message(const struct imap_body *b, size_t i)
{
	for (size_t k = b->parts[i].parent; k != IMAP_BODY_NONE; k = b->parts[k].parent)
		if (imap_body_is_message(b, k))
			return true;
	return false;
}

size_t imap_body_attachments(const struct imap_body *b, size_t *idx_r, size_t max)
{
	size_t text = imap_body_text_part(b), alt = IMAP_BODY_NONE, n = 0;
	for (size_t k = text != IMAP_BODY_NONE ? b->parts[text].parent : IMAP_BODY_NONE;
	     k != IMAP_BODY_NONE; k = b->parts[k].parent) {
		if (b->parts[k].multipart && strcmp(b->parts[k].subtype, "alternative") == 0) {
			alt = k;
			break;
		}
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct imap_body_part *p = &b->parts[i];
		if (p->multipart || i == text || inside_message(b, i))
			continue;
		if (alt != IMAP_BODY_NONE && under(b, i, alt) &&
		    strcmp(p->type, "text") == 0 && is_inline(p))
			continue;
		if (n < max)
			idx_r[n] = i;
		n++;
	}
	return n;
}

bool imap_body_has_attachment(const struct imap_body *b)
{
	if (b->n == 0)
		return false;
	const struct imap_body_part *p = &b->parts[0];
	if (p->multipart)
		return strcmp(p->subtype, "mixed") == 0;
	return p->type[0] != '\0' && strcmp(p->type, "text") != 0;
}
