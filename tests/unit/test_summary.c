#include "config.h"

#include <string.h>

#include "summary.h"
#include "tap.h"

static struct header_limits lim;

#define SUM(s, lit) summary_from_message(s, lit, sizeof(lit) - 1, &lim)

int main(void)
{
	header_limits_default(&lim);
	struct summary s;

	SUM(&s, "From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>\n"
		"To: a@example.org, \"Doe, Jane\" <jane@example.org>\n"
		"Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\n"
		"Date: Mon, 05 Jan 2026 09:12:00 +0100\n"
		"Message-ID: <id1@example.org>\n"
		"References: <a@x> <b@x>\n"
		"In-Reply-To: <b@x>\n"
		"Status: RO\n"
		"X-Status: AF\n"
		"Content-Type: multipart/mixed; boundary=x\n"
		"\nbody\n");
	is_str(s.from, "J\xc3\xbcrgen", "From shows the decoded name");
	is_str(s.from_address, "j@example.org", "and keeps the address");
	is_str(s.to, "a@example.org, Doe, Jane", "To lists names, else addresses");
	is_str(s.subject, "Gr\xc3\xbc\xc3\x9f" "e", "Subject decoded to UTF-8");
	is_int(s.date, 1767600720, "Date in UTC seconds");
	is_int(s.zone_minutes, 60, "the sender's zone kept");
	is_str(s.message_id, "<id1@example.org>", "Message-ID raw");
	is_str(s.references, "<a@x> <b@x>", "References raw");
	is_str(s.in_reply_to, "<b@x>", "In-Reply-To raw");
	ok(s.has_attachment, "multipart/mixed counts as having attachments");
	is_int(s.flags, SUMMARY_READ | SUMMARY_OLD | SUMMARY_ANSWERED | SUMMARY_FLAGGED,
	       "flags from Status and X-Status");
	summary_release(&s);

	SUM(&s, "Subject: plain\nContent-Type: multipart/alternative; boundary=y\n\nx");
	ok(!s.has_attachment, "multipart/alternative alone is no attachment");
	is_int(s.flags, 0, "no Status: new");
	ok(s.date == SUMMARY_DATE_UNKNOWN, "no Date: unknown, not 1970");
	is_str(s.from, "", "no From: empty");
	ok(s.message_id == NULL, "no Message-ID: NULL");
	summary_release(&s);

	SUM(&s, "Content-Type: application/pdf\nDate: garbage\nX-Status: D\n\n%PDF");
	ok(s.has_attachment, "a non-text top-level part is an attachment");
	ok(s.date == SUMMARY_DATE_UNKNOWN, "a garbage Date is unknown");
	is_int(s.flags, SUMMARY_DELETED, "X-Status D is deleted");
	summary_release(&s);

	static const struct { const char *ct; bool att; } types[] = {
		{ " Multipart/MIXED ; boundary=z", true },
		{ "TEXT/plain; charset=utf-8", false },
		{ "text/html", false },
		{ "(a comment) image/png", true },
		{ "multipart/mixed(comment); boundary=q", true },
		{ "text/plain (comment)", false },
		{ "application", true }, /* no subtype: the full parser decides */
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char m[200];
		snprintf(m, sizeof(m), "Content-Type: %s\n\nbody", types[i].ct);
		summary_from_message(&s, m, strlen(m), &lim);
		ok(s.has_attachment == types[i].att, "Content-Type: %s %s an attachment",
		   types[i].ct, types[i].att ? "is" : "is not");
		summary_release(&s);
	}

	static const char body_only[] = "no header at all\n\nSubject: not a header\n";
	SUM(&s, body_only);
	is_str(s.subject, "", "fields in the body are not read");
	is_int((long long)s.size, (long long)sizeof(body_only) - 1, "size is the whole message");
	summary_release(&s);
	return done_testing();
}
