#include "config.h"

#include "html_links.h"

#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "str.h"

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

bool html_links_clean(struct buf *href)
{
	static const char *const refused[] = { "javascript:", "vbscript:",
		"data:" };
	char *h = href->data;
	size_t w = 0, a = 0;
	for (size_t r = 0; r < href->len; r++)
		if (!is_space(h[r]) || h[r] == ' ')
			h[w++] = h[r];
	while (a < w && h[a] == ' ')
		a++;
	while (w > a && h[w - 1] == ' ')
		w--;
	memmove(h, h + a, w - a);
	buf_truncate(href, w - a);
	if (href->len == 0 || h[0] == '#')
		return false;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		size_t k = strlen(refused[i]);
		if (href->len >= k && str_eqn_ci(h, refused[i], k))
			return false;
	}
	return true;
}

static void strip_for_compare(const char **s, size_t *n)
{
	static const char *const schemes[] = { "http://", "https://",
		"mailto:" };
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t k = strlen(schemes[i]);
		if (*n >= k && str_eqn_ci(*s, schemes[i], k)) {
			*s += k;
			*n -= k;
			break;
		}
	}
	if (*n > 0 && (*s)[*n - 1] == '/')
		(*n)--;
}

bool html_links_text_is_url(const char *url, size_t url_len, const char *text,
			    size_t text_len)
{
	strip_for_compare(&url, &url_len);
	strip_for_compare(&text, &text_len);
	if (url_len != text_len)
		return false;
	for (size_t i = 0; i < url_len; i++) {
		char a = url[i], b = text[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

void html_links_init(struct html_links *k)
{
	memset(k, 0, sizeof(*k));
	buf_init(&k->urls, HTML_URLS_MAX);
}

void html_links_release(struct html_links *k)
{
	buf_release(&k->urls);
	free(k->v);
	free(k->slots);
}

static size_t hash(const char *p, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)h;
}

/* The slot holding url, or the free slot where it would go. */
static size_t *slot_for(const struct html_links *k, const char *url, size_t n)
{
	size_t mask = k->nslots - 1;
	for (size_t h = hash(url, n) & mask;; h = (h + 1) & mask) {
		size_t s = k->slots[h];
		if (s == 0)
			return &k->slots[h];
		const struct html_link *e = &k->v[s - 1];
		if (e->len == n && memcmp(k->urls.data + e->off, url, n) == 0)
			return &k->slots[h];
	}
}

static void rehash(struct html_links *k, size_t nslots)
{
	free(k->slots);
	k->slots = xcalloc(nslots, sizeof(*k->slots));
	k->nslots = nslots;
	for (size_t i = 0; i < k->n; i++) {
		const struct html_link *e = &k->v[i];
		*slot_for(k, k->urls.data + e->off, e->len) = i + 1;
	}
}

size_t html_links_number(struct html_links *k, const char *url, size_t n,
			 size_t max)
{
	if (k->nslots > 0) {
		size_t s = *slot_for(k, url, n);
		if (s != 0)
			return s;
	}
	if (k->n >= max || k->n >= HTML_LINKS_MAX)
		return 0;
	size_t off = k->urls.len;
	if (buf_append(&k->urls, url, n) < 0)
		return 0;
	k->v = xgrow(k->v, &k->cap, k->n + 1, sizeof(*k->v));
	k->v[k->n] = (struct html_link){ off, n };
	if ((k->n + 1) * 2 > k->nslots)
		rehash(k, k->nslots ? k->nslots * 2 : 64);
	*slot_for(k, url, n) = ++k->n;
	return k->n;
}

int html_links_write(const struct html_links *k, bool blank_first,
		     struct buf *out)
{
	if (k->n > 0 && blank_first && buf_append_char(out, '\n') < 0)
		return -1;
	for (size_t i = 0; i < k->n; i++) {
		const struct html_link *e = &k->v[i];
		if (buf_printf(out, "[%zu] ", i + 1) < 0 ||
		    buf_append(out, k->urls.data + e->off, e->len) < 0 ||
		    buf_append_char(out, '\n') < 0)
			return -1;
	}
	return 0;
}
