#include "config.h"

#include "thread.h"

#include <string.h>

#include "thread_private.h"

/* Collapses blanks to one space (dropping leading ones) and folds ASCII
 * to lower case, reading at most THREAD_SUBJECT_MAX bytes (RFC 5256 §2.1
 * step 1; the case folding makes the later comparisons exact). */
size_t thread_subject_fold(const char *subject, char *s)
{
	size_t len = 0;
	bool blank = false;
	for (size_t i = 0; subject[i] != '\0' && i < THREAD_SUBJECT_MAX; i++) {
		char c = subject[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			blank = true;
			continue;
		}
		if (blank && len > 0)
			s[len++] = ' ';
		blank = false;
		s[len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	return len;
}

/* subj-blob = "[" *BLOBCHAR "]" *WSP at p; sets *end_r past it. */
static bool match_blob(const char *s, size_t p, size_t e, size_t *end_r)
{
	if (p >= e || s[p] != '[')
		return false;
	for (size_t q = p + 1; q < e; q++) {
		if (s[q] == '[')
			return false;
		if (s[q] == ']') {
			for (q++; q < e && s[q] == ' '; q++)
				;
			*end_r = q;
			return true;
		}
	}
	return false;
}

/* subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":" at p. */
static bool match_refwd(const char *s, size_t p, size_t e, size_t *end_r)
{
	if (e - p >= 2 && s[p] == 'r' && s[p + 1] == 'e') {
		p += 2;
	} else if (e - p >= 2 && s[p] == 'f' && s[p + 1] == 'w') {
		p += 2;
		if (p < e && s[p] == 'd')
			p++;
	} else {
		return false;
	}
	while (p < e && s[p] == ' ')
		p++;
	size_t q;
	if (match_blob(s, p, e, &q))
		p = q;
	if (p >= e || s[p] != ':')
		return false;
	*end_r = p + 1;
	return true;
}

/* Steps (3) to (5): subj-leaders, and subj-blobs that leave a non-empty
 * base.  A run of blobs not followed by a subj-refwd is removed in one go
 * (all but the last if nothing follows), which is what repeating (3) and
 * (4) does, without rescanning the run. */
static void strip_leaders(const char *s, size_t *b_r, size_t e, bool *reply_r)
{
	size_t b = *b_r;
	for (;;) {
		if (b < e && s[b] == ' ') {
			b++;
			continue;
		}
		size_t q = b, last = b, r;
		while (match_blob(s, q, e, &r)) {
			last = q;
			q = r;
		}
		if (match_refwd(s, q, e, &r)) {
			b = r;
			*reply_r = true;
			continue;
		}
		size_t nb = q < e ? q : last;
		if (nb == b)
			break;
		b = nb;
	}
	*b_r = b;
}

/* Step (2): subj-trailers, "(fwd)" and blanks. */
static void strip_trailers(const char *s, size_t b, size_t *e_r, bool *reply_r)
{
	size_t e = *e_r;
	while (e > b) {
		if (s[e - 1] == ' ') {
			e--;
		} else if (e - b >= 5 && memcmp(s + e - 5, "(fwd)", 5) == 0) {
			e -= 5;
			*reply_r = true;
		} else {
			break;
		}
	}
	*e_r = e;
}

/* RFC 5256 §2.1 steps (2) to (6) on the folded subject s[0..len). */
void thread_subject_base(const char *s, size_t len, size_t *b_r, size_t *e_r,
			 bool *reply_r)
{
	size_t b = 0, e = len;
	bool reply = false;
	for (;;) {
		strip_trailers(s, b, &e, &reply);
		strip_leaders(s, &b, e, &reply);
		if (e - b >= 6 && memcmp(s + b, "[fwd:", 5) == 0 && s[e - 1] == ']') {
			b += 5;
			e--;
			reply = true;
			continue;
		}
		break;
	}
	*b_r = b;
	*e_r = e;
	*reply_r = reply;
}

int thread_base_subject(const char *subject, struct buf *out, bool *is_reply_r)
{
	char s[THREAD_SUBJECT_MAX];
	size_t len = thread_subject_fold(subject ? subject : "", s), b, e;
	bool reply;
	thread_subject_base(s, len, &b, &e, &reply);
	if (is_reply_r != NULL)
		*is_reply_r = reply;
	return buf_append(out, s + b, e - b);
}
