#include "config.h"

#include "msgid.h"

#include <string.h>

/* Bytes that never belong to an id: blanks, line breaks, controls. */
static bool is_space(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

/* p points at '('; returns the end of the comment, nested comments and
 * quoted-pairs included (the end of the value if it is unterminated).
 * The nesting level is only a counter, so depth costs no memory. */
static const char *skip_comment(const char *p, const char *end)
{
	size_t level = 0;
	while (p < end) {
		char c = *p++;
		if (c == '\\' && p < end)
			p++;
		else if (c == '(')
			level++;
		else if (c == ')' && --level == 0)
			break;
	}
	return p;
}

/* p points at '"'; returns the end of the quoted string. */
static const char *skip_quoted(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return p;
}

/* Skips a comment or quoted string at p, if there is one. */
static const char *skip_cfws(const char *p, const char *end)
{
	if (*p == '(')
		return skip_comment(p, end);
	if (*p == '"')
		return skip_quoted(p, end);
	return p;
}

void msgid_iter_init(struct msgid_iter *it, const char *value, size_t len)
{
	it->p = value;
	it->end = value + len;
	it->bare = true;
	const char *p = value;
	while (p < it->end) {
		const char *q = skip_cfws(p, it->end);
		if (q != p) {
			p = q;
		} else if (*p == '<') {
			it->bare = false;
			break;
		} else {
			p++;
		}
	}
}

/* Reads the bracketed id whose '<' is just before it->p. */
static size_t read_bracketed(struct msgid_iter *it, char *id, bool *too_long_r)
{
	size_t len = 0;
	bool quoted = false;
	*too_long_r = false;
	while (it->p < it->end) {
		unsigned char c = (unsigned char)*it->p;
		if (c == '>') {
			it->p++;
			break;
		}
		if (c == '<')
			break; /* the closing '>' is missing: a new id starts */
		it->p++;
		if (is_space(c))
			continue;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '\\' && quoted && it->p < it->end) {
			c = (unsigned char)*it->p++;
			if (is_space(c))
				continue;
		}
		if (len < MSGID_MAX)
			id[len++] = (char)c;
		else
			*too_long_r = true;
	}
	return len;
}

static bool is_word_end(char c)
{
	return is_space((unsigned char)c) || c == '(' || c == '"' || c == ',' ||
	       c == ';' || c == '<' || c == '>';
}

/* Reads the bare word at it->p; *has_at_r says whether it holds '@'. */
static size_t read_bare(struct msgid_iter *it, char *id, bool *too_long_r,
			bool *has_at_r)
{
	size_t len = 0;
	*too_long_r = false;
	*has_at_r = false;
	while (it->p < it->end && !is_word_end(*it->p)) {
		char c = *it->p++;
		if (c == '@')
			*has_at_r = true;
		if (len < MSGID_MAX)
			id[len++] = c;
		else
			*too_long_r = true;
	}
	return len;
}

/* One step over the value: 1 with an id, 0 if this step held none. */
static int step(struct msgid_iter *it, char *id, size_t *len_r)
{
	const char *q = skip_cfws(it->p, it->end);
	if (q != it->p) {
		it->p = q;
		return 0;
	}
	bool too_long, has_at = true;
	size_t len;
	if (!it->bare && *it->p == '<') {
		it->p++;
		len = read_bracketed(it, id, &too_long);
	} else if (it->bare && !is_word_end(*it->p)) {
		len = read_bare(it, id, &too_long, &has_at);
	} else {
		it->p++;
		return 0;
	}
	if (len == 0 || too_long || !has_at)
		return 0;
	id[len] = '\0';
	*len_r = len;
	return 1;
}

int msgid_iter_next(struct msgid_iter *it, char id[MSGID_MAX + 1], size_t *len_r)
{
	while (it->p < it->end) {
		if (step(it, id, len_r))
			return 1;
	}
	return 0;
}

int msgid_first(const char *value, char id[MSGID_MAX + 1], size_t *len_r)
{
	struct msgid_iter it;
	msgid_iter_init(&it, value ? value : "", value ? strlen(value) : 0);
	return msgid_iter_next(&it, id, len_r);
}
