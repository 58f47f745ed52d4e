/* imap_fetch: see imap_fetch.h. */
#include "config.h"

#include "imap_fetch.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "date.h"
#include "header.h"
#include "i18n.h"
#include "mem.h"
#include "rfc2047.h"
#include "str.h"

#define NUMBER64_MAX ((uint64_t)INT64_MAX)
/* Decoded text is cut here, as in summary.c: it is for one index line. */
#define SUMMARY_TEXT_MAX ((size_t)4096)
/* Raw fields (ids) are cut here. */
#define SUMMARY_RAW_MAX BUF_MAX_SMALL

static int bad(struct err *e, const char *item)
{
	return err_set(e, ERR_MESSAGE, ERR_PARSE, _("FETCH: a bad %s item"), item);
}

void imap_fetch_init(struct imap_fetch *f)
{
	memset(f, 0, sizeof(*f));
	imap_resp_flags_init(&f->flags);
	imap_body_envelope_init(&f->envelope);
	imap_body_init(&f->body);
}

void imap_fetch_release(struct imap_fetch *f)
{
	imap_resp_flags_release(&f->flags);
	imap_body_envelope_release(&f->envelope);
	imap_body_release(&f->body);
	imap_fetch_init(f);
}

/* ---- INTERNALDATE ---- */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool alpha(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

int imap_fetch_internaldate(const char *s, size_t len, int64_t *utc_r, int *zone_r)
{
	/* date-day-fixed "-" date-month "-" date-year SP time SP zone:
	 * "dd-Mon-yyyy hh:mm:ss +zzzz", 26 bytes; the check of the shape is
	 * ours, the calendar (days per month, ranges) is date.h's. */
	struct mime_date d;
	*utc_r = 0;
	*zone_r = 0;
	if (len != 26 || !(s[0] == ' ' || digits(s, 1)) || !digits(s + 1, 1) ||
	    s[2] != '-' || !alpha(s + 3, 3) || s[6] != '-' || !digits(s + 7, 4) ||
	    s[11] != ' ' || !digits(s + 12, 2) || s[14] != ':' || !digits(s + 15, 2) ||
	    s[17] != ':' || !digits(s + 18, 2) || s[20] != ' ' ||
	    (s[21] != '+' && s[21] != '-') || !digits(s + 22, 4) || s[24] > '5')
		return -1;
	if (mime_date_parse(s, len, &d) < 0)
		return -1;
	*utc_r = d.utc;
	*zone_r = d.zone_minutes;
	return 0;
}

/* ---- items ---- */

static bool modseq_item(const struct imap_arg *a, uint64_t *v_r)
{
	return a->type == IMAP_ARG_LIST && a->len == 1 &&
	       imap_arg_number64(&a->list[0], v_r) && *v_r != 0 && *v_r <= NUMBER64_MAX;
}

/* "<" number ">" at s[0..n). */
static bool origin(const char *s, size_t n, uint32_t *v_r)
{
	uint64_t v = 0;
	if (n < 3 || s[0] != '<' || s[n - 1] != '>' || n - 2 > 10 || !digits(s + 1, n - 2))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	*v_r = (uint32_t)v;
	return v <= UINT32_MAX;
}

/* "BODY[" or "BINARY[" section "]" ["<" number ">"]: fills sec's name part.
 * Returns 1, 0 if the name is not a section item, -1 if it is a bad one. */
static int section_name(const char *s, size_t len, struct imap_fetch_section *sec)
{
	size_t open;
	if (len >= 5 && str_eqn_ci(s, "BODY[", 5)) {
		sec->kind = IMAP_SECTION_BODY;
		open = 4;
	} else if (len >= 7 && str_eqn_ci(s, "BINARY[", 7)) {
		sec->kind = IMAP_SECTION_BINARY;
		open = 6;
	} else {
		return 0;
	}
	size_t close = len;
	if (s[len - 1] == '>') {
		size_t lt = len - 1;
		while (lt > open && s[lt] != '<')
			lt--;
		if (!origin(s + lt, len - lt, &sec->origin))
			return -1;
		sec->has_origin = true;
		close = lt;
	}
	if (close < open + 2 || s[close - 1] != ']')
		return -1;
	sec->section = s + open + 1;
	sec->section_len = close - open - 2;
	return 1;
}

static int add_section(struct imap_fetch *f, const struct imap_fetch_section *sec,
		       const struct imap_arg *v, const char *item, struct err *e)
{
	/* Binary data (a literal8) only as BINARY[] (RFC 9051 s4.3.1). */
	bool binary = sec->kind == IMAP_SECTION_BINARY && v->type == IMAP_ARG_LITERAL;
	if (!imap_arg_nstring(v) && !binary)
		return bad(e, item);
	if (f->n_sections >= IMAP_FETCH_SECTIONS_MAX)
		return err_set(e, ERR_MESSAGE, ERR_LIMIT, _("FETCH: more than %d body sections"),
			       IMAP_FETCH_SECTIONS_MAX);
	struct imap_fetch_section *s = &f->sections[f->n_sections++];
	*s = *sec;
	s->data = v->type == IMAP_ARG_NIL ? NULL : v->str;
	s->len = v->type == IMAP_ARG_NIL ? 0 : v->len;
	return 0;
}

/* The items that fill a struct: FLAGS, ENVELOPE, BODYSTRUCTURE / BODY. */
static int structured_item(struct imap_fetch *f, const struct imap_arg *name,
			   const struct imap_arg *v, struct err *e)
{
	if (imap_arg_is_atom(name, "FLAGS")) {
		imap_resp_flags_release(&f->flags);
		f->present |= IMAP_FETCH_FLAGS;
		return imap_resp_flags_parse(v, &f->flags, e) < 0 ? bad(e, "FLAGS") : 0;
	}
	if (imap_arg_is_atom(name, "ENVELOPE")) {
		imap_body_envelope_release(&f->envelope);
		f->present |= IMAP_FETCH_ENVELOPE;
		return imap_body_envelope(v, &f->envelope, e);
	}
	imap_body_release(&f->body);
	f->present |= IMAP_FETCH_BODYSTRUCTURE;
	return imap_body_parse(v, &f->body, e);
}

static int item(struct imap_fetch *f, const struct imap_arg *name,
		const struct imap_arg *v, struct err *e)
{
	static const char *const rfc822[] = { "RFC822", "RFC822.HEADER", "RFC822.TEXT" };
	struct imap_fetch_section sec = { .section = "" };
	if (imap_arg_is_atom(name, "UID")) {
		f->present |= IMAP_FETCH_UID;
		return imap_arg_number(v, &f->uid) && f->uid != 0 ? 0 : bad(e, "UID");
	}
	if (imap_arg_is_atom(name, "INTERNALDATE")) {
		f->present |= IMAP_FETCH_INTERNALDATE;
		return v->type == IMAP_ARG_STRING &&
		       imap_fetch_internaldate(v->str, v->len, &f->internaldate,
					       &f->internaldate_zone) == 0 ? 0
		       : bad(e, "INTERNALDATE");
	}
	if (imap_arg_is_atom(name, "RFC822.SIZE")) {
		f->present |= IMAP_FETCH_RFC822_SIZE;
		return imap_arg_number64(v, &f->rfc822_size) ? 0 : bad(e, "RFC822.SIZE");
	}
	if (imap_arg_is_atom(name, "MODSEQ")) {
		f->present |= IMAP_FETCH_MODSEQ;
		return modseq_item(v, &f->modseq) ? 0 : bad(e, "MODSEQ");
	}
	if (imap_arg_is_atom(name, "FLAGS") || imap_arg_is_atom(name, "ENVELOPE") ||
	    imap_arg_is_atom(name, "BODYSTRUCTURE") || imap_arg_is_atom(name, "BODY"))
		return structured_item(f, name, v, e);
	for (size_t k = 0; k < sizeof(rfc822) / sizeof(rfc822[0]); k++) {
		if (imap_arg_is_atom(name, rfc822[k])) {
			sec.kind = (enum imap_section_kind)(IMAP_SECTION_RFC822 + k);
			return add_section(f, &sec, v, rfc822[k], e);
		}
	}
	int rc = section_name(name->str, name->len, &sec);
	const char *what = sec.kind == IMAP_SECTION_BODY ? "BODY[]" : "BINARY[]";
	if (rc < 0)
		return bad(e, what);
	if (rc > 0)
		return add_section(f, &sec, v, what, e);
	return 0; /* an item we do not know: its one value is skipped */
}

int imap_fetch_parse(const struct imap_response *r, struct imap_fetch *f,
		     struct err *e)
{
	imap_fetch_init(f);
	if (imap_resp_classify(r) != IMAP_DATA_FETCH || r->n_args != 3 ||
	    !imap_arg_number(&r->args[0], &f->seq) || f->seq == 0 ||
	    r->args[2].type != IMAP_ARG_LIST) {
		f->seq = 0;
		return err_set(e, ERR_MESSAGE, ERR_PARSE, _("FETCH: not a FETCH response"));
	}
	const struct imap_arg *items = &r->args[2];
	for (size_t i = 0; i < items->len; i += 2) {
		const struct imap_arg *name = &items->list[i];
		int rc;
		if (name->type != IMAP_ARG_ATOM)
			rc = err_set(e, ERR_MESSAGE, ERR_PARSE,
				     _("FETCH: an item name that is not an atom"));
		else if (i + 1 >= items->len)
			rc = err_set(e, ERR_MESSAGE, ERR_PARSE, _("FETCH: an item without a value"));
		else
			rc = item(f, name, &items->list[i + 1], e);
		if (rc < 0) {
			imap_fetch_release(f);
			return -1;
		}
	}
	return 0;
}

const struct imap_fetch_section *imap_fetch_section(const struct imap_fetch *f,
						    enum imap_section_kind kind,
						    const char *section)
{
	size_t len = strlen(section);
	for (size_t i = f->n_sections; i-- > 0;) {
		const struct imap_fetch_section *s = &f->sections[i];
		if (s->kind == kind && s->section_len == len &&
		    str_eqn_ci(s->section, section, len))
			return s;
	}
	return NULL;
}

/* ---- the summary ---- */

/* s[0..len) up to a NUL, as valid UTF-8, at most max bytes. */
static char *utf8_copy(const char *s, size_t len, size_t max)
{
	struct buf b;
	buf_init(&b, max);
	buf_cut_ok(charset_to_utf8("utf-8", s, strnlen(s, len), &b));
	return buf_detach(&b, NULL);
}

static char *raw_or_null(const char *s)
{
	return s != NULL ? utf8_copy(s, strlen(s), SUMMARY_RAW_MAX) : NULL;
}

/* The name of each address (else the address), joined with ", ". */
static char *display_addresses(const struct mime_address_list *l, char **first_r)
{
	struct buf b;
	buf_init(&b, SUMMARY_TEXT_MAX);
	for (size_t i = 0; l != NULL && i < l->n; i++) {
		const struct mime_address *a = &l->list[i];
		if (i > 0)
			buf_cut_ok(buf_append_str(&b, ", "));
		buf_cut_ok(buf_append_str(&b, a->name[0] ? a->name : a->address));
	}
	if (first_r != NULL) {
		const char *first = l != NULL && l->n > 0 ? l->list[0].address : "";
		*first_r = utf8_copy(first, strlen(first), SUMMARY_TEXT_MAX);
	}
	/* a cut may end inside a character: make it whole again */
	char *out = utf8_copy(b.data, b.len, SUMMARY_TEXT_MAX);
	buf_release(&b);
	return out;
}

static unsigned summary_flags_of(unsigned bits)
{
	return ((bits & IMAP_FLAG_SEEN) ? SUMMARY_READ : 0) |
	       ((bits & IMAP_FLAG_FLAGGED) ? SUMMARY_FLAGGED : 0) |
	       ((bits & IMAP_FLAG_ANSWERED) ? SUMMARY_ANSWERED : 0) |
	       ((bits & IMAP_FLAG_DELETED) ? SUMMARY_DELETED : 0);
}

void imap_fetch_summary(const struct imap_fetch *f, struct summary *s)
{
	const struct imap_envelope *env = f->present & IMAP_FETCH_ENVELOPE ? &f->envelope : NULL;
	struct mime_date d;
	memset(s, 0, sizeof(*s));
	s->date = SUMMARY_DATE_UNKNOWN;
	if (env != NULL && env->date != NULL &&
	    mime_date_parse(env->date, strlen(env->date), &d) == 0) {
		s->date = d.utc;
		s->zone_minutes = d.zone_minutes;
	} else if (f->present & IMAP_FETCH_INTERNALDATE) {
		s->date = f->internaldate;
		s->zone_minutes = f->internaldate_zone;
	}
	s->from = display_addresses(env ? &env->from : NULL, &s->from_address);
	s->to = display_addresses(env ? &env->to : NULL, NULL);
	struct buf b;
	buf_init(&b, SUMMARY_TEXT_MAX);
	if (env != NULL && env->subject != NULL)
		buf_cut_ok(rfc2047_decode(env->subject, strlen(env->subject), &b));
	s->subject = buf_detach(&b, NULL);
	s->message_id = raw_or_null(env ? env->message_id : NULL);
	s->in_reply_to = raw_or_null(env ? env->in_reply_to : NULL);
	s->size = f->rfc822_size > SIZE_MAX ? SIZE_MAX : (size_t)f->rfc822_size;
	s->has_attachment = (f->present & IMAP_FETCH_BODYSTRUCTURE) &&
			    imap_body_has_attachment(&f->body);
	s->flags = summary_flags_of(f->flags.bits);
}

int imap_fetch_references(struct summary *s, const char *hdr, size_t len)
{
	if (s->strings != NULL)
		return -1;
	xfree(&s->references);
	if (hdr == NULL || len == 0)
		return 0;
	struct buf v;
	buf_init(&v, len + 1);
	if (header_get(hdr, len, "References", &v) != 1) {
		buf_release(&v);
		return 0;
	}
	s->references = utf8_copy(v.data, v.len, 3 * v.len + 16);
	buf_release(&v);
	return 1;
}
