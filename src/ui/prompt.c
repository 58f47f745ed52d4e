#include "config.h"

#include "prompt.h"

#include <string.h>

#include "i18n.h"
#include "sanitize.h"
#include "term.h"
#include "width.h"

#define CTRL(c) ((c) & 0x1f)

/* Byte offset of the character before / after position at in s. */
static size_t prev_char(const char *s, size_t at)
{
	while (at > 0 && ((unsigned char)s[--at] & 0xc0) == 0x80)
		;
	return at;
}

static size_t next_char(const char *s, size_t len, size_t at)
{
	if (at < len)
		at++;
	while (at < len && ((unsigned char)s[at] & 0xc0) == 0x80)
		at++;
	return at;
}

static void draw(const char *question, const struct buf *text, size_t cursor)
{
	int row = LINES - 1;
	struct buf shown;
	buf_init(&shown, PROMPT_MAX * 4);
	buf_cut_ok(buf_append_str(&shown, question));
	size_t qlen = shown.len;
	buf_cut_ok(sanitize_text(text->data, text->len, SANITIZE_LINE, &shown));
	move(row, 0);
	clrtoeol();
	size_t before = width_of(shown.data, qlen) + width_of(text->data, cursor);
	/* Scroll the line so that the cursor stays visible. */
	size_t skip = before >= (size_t)COLS ? before - (size_t)COLS + 1 : 0;
	size_t at = 0;
	while (skip > 0 && at < shown.len) {
		size_t n = next_char(shown.data, shown.len, at);
		size_t w = width_of(shown.data + at, n - at);
		skip = w > skip ? 0 : skip - w;
		at = n;
	}
	term_put(row, 0, shown.data + at, shown.len - at, COLS, A_NORMAL, false);
	int cx = (int)(before - (width_of(shown.data, at)));
	move(row, cx < COLS ? cx : COLS - 1);
	buf_release(&shown);
	refresh();
}

static int insert(struct buf *text, size_t *cursor, unsigned cp)
{
	struct buf ch;
	buf_init(&ch, 8);
	if (utf8_append(&ch, cp) < 0 || text->len + ch.len > PROMPT_MAX) {
		buf_release(&ch);
		return -1;
	}
	struct buf tail;
	buf_init(&tail, PROMPT_MAX + 8);
	buf_cut_ok(buf_append(&tail, text->data + *cursor, text->len - *cursor));
	buf_truncate(text, *cursor);
	buf_cut_ok(buf_append(text, ch.data, ch.len));
	buf_cut_ok(buf_append(text, tail.data, tail.len));
	*cursor += ch.len;
	buf_release(&ch);
	buf_release(&tail);
	return 0;
}

static void erase_bytes(struct buf *text, size_t from, size_t to)
{
	memmove(text->data + from, text->data + to, text->len - to);
	buf_truncate(text, text->len - (to - from));
}

int prompt_line(const char *question, const char *initial, struct buf *out)
{
	struct buf text;
	buf_init(&text, PROMPT_MAX + 8);
	buf_cut_ok(buf_append_str(&text, initial ? initial : ""));
	size_t cursor = text.len;
	int rc = -1;
	curs_set(1);
	for (;;) {
		draw(question, &text, cursor);
		int k = term_key(-1, -1);
		if (k == TERM_KEY_NONE)
			continue;
		if (k == '\r' || k == '\n' || k == TERM_FKEY(KEY_ENTER)) {
			rc = 0;
			break;
		}
		if (k == 27 || k == CTRL('g'))
			break;
		if (k == TERM_FKEY(KEY_BACKSPACE) || k == 127 || k == CTRL('h')) {
			if (cursor > 0) {
				size_t p = prev_char(text.data, cursor);
				erase_bytes(&text, p, cursor);
				cursor = p;
			}
		} else if (k == TERM_FKEY(KEY_DC) || k == CTRL('d')) {
			if (cursor < text.len)
				erase_bytes(&text, cursor, next_char(text.data, text.len, cursor));
		} else if (k == TERM_FKEY(KEY_LEFT) || k == CTRL('b')) {
			cursor = prev_char(text.data, cursor);
		} else if (k == TERM_FKEY(KEY_RIGHT) || k == CTRL('f')) {
			cursor = next_char(text.data, text.len, cursor);
		} else if (k == TERM_FKEY(KEY_HOME) || k == CTRL('a')) {
			cursor = 0;
		} else if (k == TERM_FKEY(KEY_END) || k == CTRL('e')) {
			cursor = text.len;
		} else if (k == CTRL('u')) {
			buf_reset(&text);
			cursor = 0;
		} else if (!TERM_IS_FKEY(k) && k >= 32 && k != 127 && (k < 0x80 || k > 0x9f)) {
			if (insert(&text, &cursor, (unsigned)k) < 0)
				beep();
		}
	}
	curs_set(0);
	move(LINES - 1, 0);
	clrtoeol();
	if (rc == 0) {
		buf_reset(out);
		buf_cut_ok(buf_append(out, text.data, text.len));
	}
	buf_release(&text);
	return rc;
}

bool prompt_yes_no(const char *question, bool dflt)
{
	/* TRANSLATORS: the answers of a yes/no question, as typed: the
	 * first letter of each is the key. */
	const char *yes = _("yes"), *no = _("no");
	struct buf q;
	buf_init(&q, 1024);
	buf_cut_ok(buf_printf(&q, "%s ([%s]/%s): ", question, dflt ? yes : no,
			      dflt ? no : yes));
	bool answer = dflt;
	for (;;) {
		move(LINES - 1, 0);
		clrtoeol();
		term_put(LINES - 1, 0, q.data, q.len, COLS, A_NORMAL, false);
		refresh();
		int k = term_key(-1, -1);
		if (k == '\r' || k == '\n' || k == TERM_FKEY(KEY_ENTER))
			break;
		if (k == 27 || k == CTRL('g')) {
			answer = false;
			break;
		}
		if (k == yes[0] || k == 'y' || k == 'Y') {
			answer = true;
			break;
		}
		if (k == no[0] || k == 'n' || k == 'N') {
			answer = false;
			break;
		}
	}
	move(LINES - 1, 0);
	clrtoeol();
	buf_release(&q);
	return answer;
}
