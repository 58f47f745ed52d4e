#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "render.h"
#include "tap.h"

/* The tree as "type/subtype[children]" with notices as "!". */
static void dump_part(const struct mime_part *p, struct buf *out)
{
	if (buf_printf(out, "%s/%s", p->ctype.type, p->ctype.subtype) < 0)
		return;
	if (p->notice && buf_append_char(out, '!') < 0)
		return;
	if (p->first_child == NULL)
		return;
	if (buf_append_char(out, '[') < 0)
		return;
	for (const struct mime_part *k = p->first_child; k; k = k->next) {
		dump_part(k, out);
		if (k->next && buf_append_char(out, ',') < 0)
			return;
	}
	buf_cut_ok(buf_append_char(out, ']'));
}

static struct buf d;

static const char *tree(const char *msg, size_t len, const struct mime_limits *lim)
{
	struct mime_message m;
	mime_parse(&m, msg, len, lim);
	buf_reset(&d);
	dump_part(m.root, &d);
	mime_message_release(&m);
	return d.data;
}

#define TREE(lit) tree(lit, sizeof(lit) - 1, NULL)

static const char mixed[] =
	"Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
	"preamble\n"
	"--b1\n"
	"Content-Type: text/plain; charset=iso-8859-1\n"
	"Content-Transfer-Encoding: quoted-printable\n\n"
	"Gr=FC=DFe\n"
	"--b1\n"
	"Content-Type: multipart/alternative; boundary=b1x\n\n"
	"--b1x\n\nplain\n--b1x\nContent-Type: text/html\n\n<p>html</p>\n--b1x--\n"
	"--b1\n"
	"Content-Type: application/pdf; name=\"a.pdf\"\n"
	"Content-Disposition: attachment; filename*=UTF-8''%C3%BC.pdf\n"
	"Content-Transfer-Encoding: base64\n\n"
	"aGVsbG8=\n"
	"--b1--\n"
	"epilogue\n";

static void test_trees(void)
{
	is_str(TREE("Subject: x\n\nbody"), "text/plain", "no Content-Type: text/plain");
	is_str(TREE(mixed),
	       "multipart/mixed[text/plain,multipart/alternative[text/plain,text/html],application/pdf]",
	       "nested multiparts; a boundary that is a prefix of another does not split");
	is_str(TREE("Content-Type: multipart/mixed; boundary=x\n\n--x\n\na\n--x\n\nb\n"),
	       "multipart/mixed![text/plain,text/plain]",
	       "missing final boundary: last part runs to the end, with a notice");
	is_str(TREE("Content-Type: multipart/mixed\n\nno boundary\n"),
	       "text/plain!", "multipart without boundary is shown as text");
	is_str(TREE("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n\nx\n"),
	       "text/plain!", "empty boundary is shown as text");
	is_str(TREE("Content-Type: multipart/mixed; boundary=zz\n\nnever\n"),
	       "text/plain!", "a boundary that never occurs: shown as text");
	is_str(TREE("Content-Type: message/rfc822\n\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\nin\n--q--\n"),
	       "message/rfc822[multipart/mixed[text/plain]]", "message/rfc822 parsed as a message");
	is_str(TREE("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
		    "U3ViamVjdDogaW5uZXIKCmJvZHkK\n"),
	       "message/rfc822[text/plain]", "base64-encoded message/rfc822 decoded and parsed");
	is_str(TREE("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nx\n--d--\n"),
	       "multipart/digest[message/rfc822[text/plain]]",
	       "digest parts default to message/rfc822");
	is_str(TREE("Content-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--c--\r\n"),
	       "multipart/mixed[text/html]", "CRLF multipart");
	is_str(TREE("Content-Type: multipart/mixed; boundary=w\n\n--w  \n\nx\n--w--\t\n"),
	       "multipart/mixed[text/plain]", "blanks after a boundary are allowed");
}

static void test_part_data(void)
{
	struct mime_message m;
	mime_parse(&m, mixed, sizeof(mixed) - 1, NULL);
	const struct mime_part *text = m.root->first_child;
	const struct mime_part *pdf = text->next->next;
	struct buf b;
	buf_init(&b, 1024);
	ok(mime_part_decode(text, &b) == 0, "decode quoted-printable");
	is_str(b.data, "Gr\xfc\xdf" "e", "QP body decoded, line end before the boundary excluded");
	is_str(mime_part_charset(text), "iso-8859-1", "charset parameter");
	buf_reset(&b);
	ok(mime_part_decode(pdf, &b) == 0 && strcmp(b.data, "hello") == 0, "base64 body decoded");
	is_int((long long)mime_part_decoded_size(pdf), 5, "decoded size");
	is_str(mime_part_filename(pdf), "\xc3\xbc.pdf", "RFC 2231 filename wins over name");
	ok(mime_part_is_attachment(pdf) && !mime_part_is_attachment(text), "disposition");
	is_int((long long)m.n_parts, 6, "part count");
	is_int((long long)pdf->index, 5, "document order index");
	buf_release(&b);
	mime_message_release(&m);
}

static void test_limits(void)
{
	/* 60 nested multiparts: split down to depth 50, then opaque. */
	struct buf deep;
	buf_init(&deep, 1 << 20);
	for (int i = 0; i < 60; i++)
		if (buf_printf(&deep, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i) < 0)
			break;
	if (buf_append_str(&deep, "\ninnermost\n") < 0)
		diag("deep message truncated");
	struct mime_message m;
	mime_parse(&m, deep.data, deep.len, NULL);
	const struct mime_part *p = m.root;
	unsigned depth = 0;
	while (p->first_child) {
		p = p->first_child;
		depth++;
	}
	is_int(depth, 50, "nesting stops at depth 50");
	ok(p->notice != NULL, "the part at the limit carries a notice");
	mime_message_release(&m);
	buf_release(&deep);

	/* 10,000 parts: 5000 kept, then one opaque part with the rest. */
	struct buf many;
	buf_init(&many, 1 << 22);
	if (buf_append_str(&many, "Content-Type: multipart/mixed; boundary=m\n\n") < 0)
		diag("append");
	for (int i = 0; i < 10000; i++)
		if (buf_printf(&many, "--m\n\np%d\n", i) < 0)
			break;
	if (buf_append_str(&many, "--m--\n") < 0)
		diag("append");
	mime_parse(&m, many.data, many.len, NULL);
	ok(m.n_parts <= 5001 + 1, "part count bounded (%zu)", m.n_parts);
	const struct mime_part *last = m.root->first_child;
	while (last->next)
		last = last->next;
	ok(last->notice != NULL && mime_part_is(last, "application", "octet-stream"),
	   "the rest is kept as one opaque part with a notice");
	mime_message_release(&m);
	buf_release(&many);
}

static void test_render(void)
{
	struct mime_message m;
	struct render_options o;
	struct render_result r;
	static const char msg[] =
		"From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>\n"
		"To: a@example.org, \"Doe, Jane\" <jane@example.org>\n"
		"Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=\n"
		"X-Other: hidden\n"
		"Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
		"--b1\n"
		"Content-Type: multipart/alternative; boundary=alt\n\n"
		"--alt\nContent-Type: text/html\n\n<p>HTML version</p>\n"
		"--alt\nContent-Type: text/plain; charset=utf-8; format=flowed\n\n"
		"A flowed \nline.\n--alt--\n"
		"--b1\n"
		"Content-Type: image/png; name=logo.png\n"
		"Content-Transfer-Encoding: base64\n\n"
		"iVBORw0KGgo=\n"
		"--b1--\n";
	mime_parse(&m, msg, sizeof(msg) - 1, NULL);
	render_options_default(&o);
	render_message(&m, &o, &r);
	const char *t = r.text.data;
	ok(strstr(t, "From: J\xc3\xbcrgen <j@example.org>\n") != NULL, "From decoded");
	ok(strstr(t, "To: a@example.org, Doe, Jane <jane@example.org>\n") != NULL,
	   "To shows each address");
	ok(strstr(t, "Subject: Gr\xc3\xbc\xc3\x9f" "e\n") != NULL, "Subject decoded to UTF-8");
	ok(strstr(t, "X-Other") == NULL, "weeded headers hide other fields");
	ok(strstr(t, "A flowed line.") != NULL, "alternative prefers text/plain, flowed joined");
	ok(strstr(t, "HTML version") == NULL, "the HTML alternative is not shown");
	ok(strstr(t, "logo.png, image/png (8 bytes)") != NULL, "attachment listed with type and size");
	is_int((long long)r.n_att, 1, "one attachment");
	render_result_release(&r);
	o.all_headers = true;
	render_message(&m, &o, &r);
	ok(strstr(r.text.data, "X-Other: hidden") != NULL, "all headers on request");
	render_result_release(&r);
	mime_message_release(&m);

	static const char html_only[] =
		"Content-Type: text/html; charset=iso-8859-1\n\n"
		"<h1>Title</h1><p>caf\xe9 &amp; <a href=\"https://example.org/\">link</a></p>";
	mime_parse(&m, html_only, sizeof(html_only) - 1, NULL);
	render_options_default(&o);
	render_body(&m, &o, &r);
	ok(strstr(r.text.data, "caf\xc3\xa9 & link") != NULL, "HTML-only converted to text");
	ok(strstr(r.text.data, "https://example.org/") != NULL, "links listed");
	render_result_release(&r);
	mime_message_release(&m);

	static const char uu[] =
		"Subject: uu\n\ntext before\n"
		"begin 644 hi.txt\n#:&D*\n`\nend\n"
		"text after\n";
	mime_parse(&m, uu, sizeof(uu) - 1, NULL);
	render_body(&m, &o, &r);
	ok(r.n_att == 1 && r.att[0].name && strcmp(r.att[0].name, "hi.txt") == 0,
	   "uuencoded file in text is an attachment");
	ok(strstr(r.text.data, "begin 644") == NULL && strstr(r.text.data, "text after"),
	   "uuencoded block removed from the text");
	struct buf content;
	buf_init(&content, 100);
	ok(render_attachment_content(&r.att[0], &content) == 0 &&
	   strcmp(content.data, "hi\n") == 0, "uuencoded content decoded");
	buf_release(&content);
	render_result_release(&r);
	mime_message_release(&m);
}

/* A backend's display form: bodies left out, their sizes in the first
 * header field (core/backend.h BE_FETCH_DISPLAY). */
static void test_omitted(void)
{
	static const char msg[] =
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
		"--b\r\nContent-Type: text/plain\r\n\r\nthe text\r\n"
		"--b\r\nX-Tern-Omitted-Size: 2869790\r\nContent-Type: application/pdf; name=a.pdf\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n"
		"--b\r\nX-Tern-Omitted-Size: 1000\r\nContent-Type: image/png; name=b.png\r\n\r\n"
		"--b\r\nContent-Type: image/gif; name=c.gif\r\nX-Tern-Omitted-Size: 5\r\n\r\n"
		"--b\r\nX-Tern-Omitted-Size: 5\r\nContent-Type: image/gif; name=d.gif\r\n\r\nGIF\r\n"
		"--b\r\nX-Tern-Omitted-Size: many\r\nContent-Type: image/gif; name=e.gif\r\n\r\n"
		"--b--\r\n";
	struct mime_message m;
	mime_parse(&m, msg, sizeof(msg) - 1, NULL);
	const struct mime_part *p = m.root->first_child;
	size_t size = 12345;
	ok(!mime_part_omitted(p, &size) && size == 12345, "a part without the field is whole");
	p = p->next;
	/* 2 MiB in base64, lines of 76 + CRLF: 2869790 octets, 36793 line
	 * ends, 2796204 characters: 2097153 bytes (the padding is not known:
	 * one too many). */
	ok(mime_part_omitted(p, &size), "the field first and an empty body: omitted");
	is_int((long long)size, 2097153, "base64: the decoded size estimated");
	p = p->next;
	ok(mime_part_omitted(p, &size) && size == 1000, "other encodings: the size as it is");
	p = p->next;
	ok(!mime_part_omitted(p, &size), "the field not first (the sender's): not believed");
	p = p->next;
	ok(!mime_part_omitted(p, &size), "a body that is there: not omitted");
	p = p->next;
	ok(!mime_part_omitted(p, &size), "a size that is no number: not omitted");

	struct render_options o;
	struct render_result r;
	render_options_default(&o);
	render_message(&m, &o, &r);
	ok(strstr(r.text.data, "a.pdf, application/pdf (0 bytes)") != NULL,
	   "without omitted_sizes the field is ignored");
	render_result_release(&r);
	o.omitted_sizes = true;
	render_message(&m, &o, &r);
	ok(strstr(r.text.data, "a.pdf, application/pdf (about 2097153 bytes, not downloaded)") != NULL,
	   "with omitted_sizes: the estimate, marked not downloaded");
	ok(r.n_att == 5 && r.att[0].omitted && r.att[1].omitted && !r.att[2].omitted &&
	   !r.att[3].omitted, "render_attachment.omitted set for those alone");
	ok(strstr(r.text.data, "d.gif, image/gif (3 bytes)") != NULL, "a whole part keeps its size");
	render_result_release(&r);
	mime_message_release(&m);
}

int main(void)
{
	buf_init(&d, 1 << 20);
	test_trees();
	test_part_data();
	test_limits();
	test_render();
	test_omitted();
	buf_release(&d);
	return done_testing();
}
