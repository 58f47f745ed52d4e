/* imap_cmd: building one command -- atoms, quoted strings and literals
 * as RFC 9051 s4.3 and RFC 7888 allow (imap.h). */
#include "config.h"

#include "imap.h"

#include <stdio.h>
#include <string.h>

#include "imap_private.h"

void imap_cmd_init(struct imap_cmd *c, const struct imap *p, const char *verb)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->scope = ERR_FOLDER;
	snprintf(c->verb, sizeof(c->verb), "%s", verb);
	buf_init(&c->text, IMAP_CMD_TEXT_MAX);
	buf_init(&c->shown, IMAP_CMD_TEXT_MAX);
	c->error = buf_append_str(&c->text, verb) < 0 || buf_append_str(&c->shown, verb) < 0;
	for (const char *s = verb; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			c->error = true;
}

void imap_cmd_release(struct imap_cmd *c)
{
	if (c->secret)
		buf_wipe(&c->text);
	buf_release(&c->text);
	buf_release(&c->shown);
}

static void put(struct imap_cmd *c, const char *s, size_t n, bool secret)
{
	if (buf_append(&c->text, s, n) < 0)
		c->error = true;
	if (!secret && buf_append(&c->shown, s, n) < 0)
		c->error = true;
}

/* The space before a piece, unless it opens a list. */
static void space(struct imap_cmd *c)
{
	if (!c->glue)
		put(c, " ", 1, false);
	c->glue = false;
}

void imap_cmd_raw(struct imap_cmd *c, const char *text)
{
	for (const char *s = text; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			c->error = true;
	space(c);
	put(c, text, strlen(text), false);
}

/* ATOM-CHAR (RFC 9051 s9): not atom-specials "(" ")" "{" SP CTL
 * list-wildcards quoted-specials resp-specials. */
static bool atom_char(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f && !strchr("(){%*\"\\]", ch);
}

enum form { FORM_ATOM, FORM_QUOTED, FORM_LITERAL };

static enum form form_of(const struct imap_cmd *c, const char *s, size_t n, bool atom_ok)
{
	bool atom = atom_ok && n > 0 && !(n == 3 && strncasecmp(s, "NIL", 3) == 0);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\0' || ch == '\r' || ch == '\n')
			return FORM_LITERAL;
		if (ch >= 0x80 && !imap_utf8(c->p))
			return FORM_LITERAL;
		if (!atom_char(ch))
			atom = false;
	}
	if (atom)
		return FORM_ATOM;
	return n > IMAP_QUOTED_MAX ? FORM_LITERAL : FORM_QUOTED;
}

static void literal(struct imap_cmd *c, const char *s, size_t n, bool secret)
{
	bool plus = imap_has(c->p, IMAP_CAP_LITERAL_PLUS) ||
		    (imap_has(c->p, IMAP_CAP_LITERAL_MINUS) && n <= IMAP_LITERAL_MINUS_MAX);
	char head[40];
	snprintf(head, sizeof(head), "{%zu%s}\r\n", n, plus ? "+" : "");
	put(c, head, strlen(head), true);
	/* The trace shows the literal's size, not its bytes. */
	if (!secret && buf_append(&c->shown, head, strlen(head) - 2) < 0)
		c->error = true;
	if (!plus) {
		if (c->n_sync == sizeof(c->sync) / sizeof(c->sync[0]))
			c->error = true;
		else
			c->sync[c->n_sync++] = c->text.len;
	}
	put(c, s, n, true);
}

static void string(struct imap_cmd *c, const char *s, size_t n, bool secret, bool atom_ok)
{
	space(c);
	if (secret) {
		c->secret = true;
		if (buf_append_str(&c->shown, "***") < 0)
			c->error = true;
	}
	switch (form_of(c, s, n, atom_ok)) {
	case FORM_ATOM:
		put(c, s, n, secret);
		break;
	case FORM_QUOTED:
		put(c, "\"", 1, secret);
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '"' || s[i] == '\\')
				put(c, "\\", 1, secret);
			put(c, s + i, 1, secret);
		}
		put(c, "\"", 1, secret);
		break;
	case FORM_LITERAL:
		literal(c, s, n, secret);
		break;
	}
}

void imap_cmd_string(struct imap_cmd *c, const char *s, size_t n, bool secret)
{
	string(c, s, n, secret, true);
}

void imap_cmd_qstring(struct imap_cmd *c, const char *s, size_t n, bool secret)
{
	string(c, s, n, secret, false);
}

void imap_cmd_secret_raw(struct imap_cmd *c, const char *text)
{
	for (const char *s = text; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			c->error = true;
	c->secret = true;
	space(c);
	put(c, text, strlen(text), true);
	if (buf_append_str(&c->shown, "***") < 0)
		c->error = true;
}

void imap_cmd_list_begin(struct imap_cmd *c)
{
	space(c);
	put(c, "(", 1, false);
	c->glue = true;
}

void imap_cmd_list_end(struct imap_cmd *c)
{
	c->glue = false;
	put(c, ")", 1, false);
}
