#include "config.h"

#include "cli_show.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "be_imap.h"
#include "buf.h"
#include "cli_hooks.h"
#include "date.h"
#include "fsutil.h"
#include "i18n.h"
#include "json.h"
#include "mbox_scan.h"
#include "mem.h"
#include "mime.h"
#include "proc.h"
#include "render.h"
#include "rfc2047.h"
#include "sanitize.h"
#include "str.h"

/* The largest message tern show reads. */
#define SHOW_MAX ((size_t)512 << 20)

static int read_fd(int fd, const char *name, struct buf *out, struct err *e)
{
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set(e, ERR_MESSAGE, ERR_IO, _("cannot read %s: %s"),
				       name, strerror(errno));
		if (r == 0)
			return 0;
		if (buf_append(out, chunk, (size_t)r) < 0)
			return err_set(e, ERR_MESSAGE, ERR_LIMIT,
				       _("%s: message larger than %zu MB"), name,
				       SHOW_MAX >> 20);
	}
}

static int read_file(const char *path, struct buf *out, struct err *e)
{
	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, _("standard input"), out, e);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return err_set(e, ERR_MESSAGE, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			       _("cannot open %s: %s"), path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_MESSAGE, ERR_PARSE,
			       _("%s is not a regular file"), path);
	}
	int rc = read_fd(fd, path, out, e);
	close(fd);
	return rc;
}

/* The Nth message (1-based) of an mbox, with mboxrd quoting undone. */
static int read_mbox_message(const char *path, unsigned long n, struct buf *out,
			     struct err *e)
{
	struct mbox_file mf;
	if (mbox_file_open(&mf, path, e) < 0)
		return -1;
	size_t pos = 0;
	unsigned long i = 0;
	struct mbox_msg m;
	int rc = -1;
	while (mbox_scan_next(mf.data, mf.len, &pos, &m)) {
		if (++i == n) {
			rc = mbox_unquote(mf.data + m.start, m.end - m.start, out);
			if (rc < 0)
				err_set(e, ERR_MESSAGE, ERR_LIMIT,
					_("%s: message %lu is larger than %zu MB"), path, n,
					SHOW_MAX >> 20);
			break;
		}
	}
	if (i < n)
		err_set(e, ERR_MESSAGE, ERR_NOTFOUND,
			_("%s has %lu messages: there is no message %lu"), path, i, n);
	mbox_file_close(&mf);
	return rc;
}

static int write_all(int fd, const char *p, size_t n, struct err *e)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_set(e, ERR_MESSAGE, ERR_IO, _("cannot write: %s"),
				       strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes text to stdout made safe for a terminal. */
static int write_safe(const char *text, size_t len, struct err *e)
{
	struct buf safe;
	buf_init(&safe, len * 4 + 16);
	buf_cut_ok(sanitize_text(text, len, SANITIZE_MULTILINE, &safe)); /* fits */
	int rc = write_all(STDOUT_FILENO, safe.data, safe.len, e);
	buf_release(&safe);
	return rc;
}

static size_t terminal_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= 20)
		return ws.ws_col > 500 ? 500 : ws.ws_col;
	return 78;
}

/* ---------------------------------------------------------------- JSON */

static int json_addresses(struct buf *j, const struct mime_part *root,
			  const char *field)
{
	const struct header_field *f = header_find(&root->hdr, field);
	int rc = buf_append_char(j, '[');
	if (f != NULL && rc == 0) {
		struct mime_address_list l;
		if (mime_address_parse(f->value, f->value_len, 0, &l) == 0) {
			for (size_t i = 0; i < l.n && rc == 0; i++) {
				rc = buf_append_str(j, i ? ",{\"name\":" : "{\"name\":");
				rc = rc ? rc : json_string_or_null(j, l.list[i].name);
				rc = rc ? rc : buf_append_str(j, ",\"address\":");
				rc = rc ? rc : json_string_or_null(j, l.list[i].address);
				rc = rc ? rc : buf_append_char(j, '}');
			}
		}
		mime_address_list_release(&l);
	}
	return rc ? rc : buf_append_char(j, ']');
}

static int json_decoded_field(struct buf *j, const struct mime_part *root,
			      const char *field)
{
	const struct header_field *f = header_find(&root->hdr, field);
	if (f == NULL)
		return buf_append_str(j, "null");
	struct buf v;
	buf_init(&v, f->value_len * 4 + 16);
	int rc = rfc2047_decode(f->value, f->value_len, &v);
	rc = rc ? rc : json_string(j, v.data, v.len);
	buf_release(&v);
	return rc;
}

static int json_message_id(struct buf *j, const struct mime_part *root)
{
	const struct header_field *f = header_find(&root->hdr, "Message-ID");
	if (f == NULL)
		return buf_append_str(j, "null");
	const char *s = f->value;
	size_t n = f->value_len;
	const char *lt = memchr(s, '<', n);
	const char *gt = lt ? memchr(lt, '>', n - (size_t)(lt - s)) : NULL;
	if (lt != NULL && gt != NULL) {
		s = lt + 1;
		n = (size_t)(gt - lt) - 1;
	}
	return json_string(j, s, n);
}

static int json_date(struct buf *j, const struct mime_part *root)
{
	const struct header_field *f = header_find(&root->hdr, "Date");
	struct mime_date d;
	char iso[40];
	if (f == NULL || mime_date_parse(f->value, f->value_len, &d) < 0 ||
	    mime_date_iso8601(&d, iso) < 0)
		return buf_append_str(j, "null");
	return json_string_or_null(j, iso);
}

struct json_ctx {
	struct buf *j;
	const struct render_result *r;
	bool omitted_sizes;   /* a display form (render_options) */
	int rc;
};

static void json_uu_children(struct json_ctx *c, const struct mime_part *p)
{
	for (size_t i = 0; i < c->r->n_att; i++) {
		const struct render_attachment *a = &c->r->att[i];
		if (a->part != p || a->uu_index < 0 || c->rc != 0)
			continue;
		c->rc = buf_append_str(c->j, a->uu_index ? ",{" : "{");
		c->rc = c->rc ? c->rc : buf_append_str(c->j,
			"\"type\":\"application/octet-stream\",\"charset\":null,"
			"\"disposition\":\"attachment\",\"encoding\":\"uuencode\",\"filename\":");
		c->rc = c->rc ? c->rc : json_string_or_null(c->j, a->name);
		c->rc = c->rc ? c->rc : buf_printf(c->j, ",\"size\":%zu}", a->size);
	}
}

static bool has_uu(const struct render_result *r, const struct mime_part *p)
{
	for (size_t i = 0; i < r->n_att; i++)
		if (r->att[i].part == p && r->att[i].uu_index >= 0)
			return true;
	return false;
}

static void json_part(struct json_ctx *c, const struct mime_part *p)
{
	struct buf *j = c->j;
	if (c->rc != 0)
		return;
	c->rc = buf_printf(j, "{\"type\":");
	char type[512];
	snprintf(type, sizeof(type), "%s/%s", p->ctype.type, p->ctype.subtype);
	c->rc = c->rc ? c->rc : json_string_or_null(j, type);
	c->rc = c->rc ? c->rc : buf_append_str(j, ",\"charset\":");
	c->rc = c->rc ? c->rc : json_string_or_null(j, mime_part_charset(p));
	c->rc = c->rc ? c->rc : buf_append_str(j, ",\"disposition\":");
	c->rc = c->rc ? c->rc : json_string_or_null(j, p->disp.type[0] ? p->disp.type : NULL);
	c->rc = c->rc ? c->rc : buf_append_str(j, ",\"filename\":");
	c->rc = c->rc ? c->rc : json_string_or_null(j, mime_part_filename(p));
	size_t omitted_size;
	if (c->omitted_sizes && mime_part_omitted(p, &omitted_size))
		c->rc = c->rc ? c->rc : buf_printf(j, ",\"size\":%zu,\"omitted\":true",
						   omitted_size);
	else
		c->rc = c->rc ? c->rc : buf_printf(j, ",\"size\":%zu",
						   mime_part_decoded_size(p));
	if (p->notice != NULL) {
		c->rc = c->rc ? c->rc : buf_append_str(j, ",\"notice\":");
		c->rc = c->rc ? c->rc : json_string_or_null(j, p->notice);
	}
	if (p->first_child != NULL || has_uu(c->r, p)) {
		c->rc = c->rc ? c->rc : buf_append_str(j, ",\"parts\":[");
		for (const struct mime_part *k = p->first_child; k; k = k->next) {
			json_part(c, k);
			if (k->next && c->rc == 0)
				c->rc = buf_append_char(j, ',');
		}
		json_uu_children(c, p);
		c->rc = c->rc ? c->rc : buf_append_char(j, ']');
	}
	c->rc = c->rc ? c->rc : buf_append_char(j, '}');
}

struct html_ctx;
static void show_options(const struct cfg *cfg, struct html_ctx *hc,
			 struct render_options *o);

static int show_json(const struct mime_message *m, const struct cfg *cfg,
		     struct html_ctx *hc, bool display_form, struct err *e)
{
	struct render_options o;
	struct render_result r;
	show_options(cfg, hc, &o);
	o.omitted_sizes = display_form;
	o.width = 0;
	render_body(m, &o, &r);

	struct buf j;
	buf_init(&j, r.text.len * 6 + ((size_t)64 << 20));
	const struct mime_part *root = m->root;
	int rc = buf_append_str(&j, "{\"subject\":");
	rc = rc ? rc : json_decoded_field(&j, root, "Subject");
	static const char *const lists[] = { "from", "From", "to", "To", "cc", "Cc" };
	for (size_t i = 0; i < 6 && rc == 0; i += 2) {
		rc = buf_printf(&j, ",\"%s\":", lists[i]);
		rc = rc ? rc : json_addresses(&j, root, lists[i + 1]);
	}
	rc = rc ? rc : buf_append_str(&j, ",\"date\":");
	rc = rc ? rc : json_date(&j, root);
	rc = rc ? rc : buf_append_str(&j, ",\"message_id\":");
	rc = rc ? rc : json_message_id(&j, root);
	rc = rc ? rc : buf_append_str(&j, ",\"parts\":");
	struct json_ctx c = { .j = &j, .r = &r, .omitted_sizes = o.omitted_sizes, .rc = rc };
	json_part(&c, root);
	rc = c.rc;
	rc = rc ? rc : buf_append_str(&j, ",\"text\":");
	rc = rc ? rc : json_string(&j, r.text.data, r.text.len);
	rc = rc ? rc : buf_append_str(&j, "}\n");
	if (rc < 0)
		err_set(e, ERR_MESSAGE, ERR_LIMIT, _("the JSON form is too large"));
	else
		rc = write_all(STDOUT_FILENO, j.data, j.len, e);
	buf_release(&j);
	render_result_release(&r);
	return rc;
}

/* ------------------------------------------------------- attachments */

/* Creates DIR/NAME, or NAME-1, NAME-2 ... before the extension if it
 * exists; never follows a symlink, never overwrites. */
static int create_unique(const char *dir, const char *name, struct buf *path_r,
			 struct err *e)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	for (unsigned k = 0; k < 1000; k++) {
		buf_reset(path_r);
		int rc = k == 0 ? buf_printf(path_r, "%s/%s", dir, name)
				: buf_printf(path_r, "%s/%.*s-%u%s", dir, (int)stem, name, k,
					     name + stem);
		if (rc < 0)
			break;
		int fd = open(path_r->data,
			      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return err_set(e, ERR_MESSAGE, ERR_IO, _("cannot create %s: %s"),
				       path_r->data, strerror(errno));
	}
	return err_set(e, ERR_MESSAGE, ERR_IO, _("cannot find a free name for %s in %s"),
		       name, dir);
}

static int save_one(const char *dir, const struct render_attachment *a, size_t i,
		    struct err *e)
{
	struct buf name, path, data;
	char fallback[64];
	snprintf(fallback, sizeof(fallback), "attachment-%zu", i + 1);
	buf_init(&name, 4096);
	buf_init(&path, 8192);
	buf_init(&data, SHOW_MAX);
	const char *raw = a->name ? a->name : "";
	int rc = sanitize_filename(raw, strlen(raw), fallback, &name);
	int fd = rc < 0 ? -1 : create_unique(dir, name.data, &path, e);
	if (fd >= 0) {
		rc = render_attachment_content(a, &data);
		if (rc < 0)
			err_set(e, ERR_MESSAGE, ERR_LIMIT, _("attachment too large"));
		else
			rc = write_all(fd, data.data, data.len, e);
		if (close(fd) < 0 && rc == 0)
			rc = err_set(e, ERR_MESSAGE, ERR_IO, _("cannot write %s: %s"),
				     path.data, strerror(errno));
		if (rc < 0)
			unlink(path.data);
		else {
			char line[9000];
			snprintf(line, sizeof(line), _("saved %s (%zu bytes)\n"), path.data,
				 data.len);
			rc = write_safe(line, strlen(line), e);
		}
	} else {
		rc = -1;
	}
	buf_release(&name);
	buf_release(&path);
	buf_release(&data);
	return rc;
}

static int save_attachments(const struct mime_message *m, const char *dir,
			    struct err *e)
{
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ERR_MESSAGE, ERR_NOTFOUND,
			       _("%s is not a directory"), dir);
	struct render_options o;
	struct render_result r;
	render_options_default(&o);
	render_body(m, &o, &r);
	int rc = 0;
	for (size_t i = 0; i < r.n_att && rc == 0; i++)
		rc = save_one(dir, &r.att[i], i, e);
	if (rc == 0 && r.n_att == 0)
		rc = write_safe(_("no attachments\n"), strlen(_("no attachments\n")), e);
	render_result_release(&r);
	return rc;
}

/* ---------------------------------------------------------------- show */

/* How long html_command may take for one message. */
#define HTML_COMMAND_TIMEOUT_MS 10000

struct html_ctx {
	const struct cfg *cfg;
	struct logger *lg;
};

/* html_command as a render_html_fn: on any failure the built-in
 * converter is used, and the reason logged. */
static int run_html_command(void *ctx, const char *html, size_t len,
			    struct buf *out)
{
	struct html_ctx *h = ctx;
	struct err e;
	err_init(&e);
	if (proc_filter(h->cfg->html_command, h->cfg->html_command, html, len, out,
			HTML_COMMAND_TIMEOUT_MS, &e) < 0) {
		log_warn(h->lg, "html_command: %s", e.msg);
		return -1;
	}
	return 0;
}

static void show_options(const struct cfg *cfg, struct html_ctx *hc,
			 struct render_options *o)
{
	render_options_default(o);
	if (cfg->n_headers > 0) {
		o->headers = (const char *const *)cfg->headers;
		o->n_headers = cfg->n_headers;
	}
	if (cfg->html_command != NULL) {
		o->html_filter = run_html_command;
		o->html_ctx = hc;
	}
}

/* ---------------------------------------------------------- accounts */

/* Message uid of an IMAP account's folder (NULL: INBOX) as what asks for
 * (BE_FETCH_*): the folder EXAMINEd, the summary of that message alone
 * fetched, then the message. */
static int fetch_imap(const struct cfg_account *acct, const char *folder, unsigned long uid,
		      enum be_fetch what, struct buf *out, struct logger *lg, struct err *e)
{
	struct cli_hooks h;
	const struct ui_hooks *hooks = cli_hooks_init(&h);
	char *state = fs_xdg_dir(XDG_STATE, true, e);
	struct be_account *ba = NULL;
	struct be_folder *f = NULL;
	int rc = state == NULL ? -1 : be_imap_open(&ba, acct, state, hooks, lg, e);
	free(state);
	if (rc == 0)
		rc = be_imap_open_uid(ba, folder, (uint32_t)uid, &f, e);
	if (rc == 0 && f->n == 0)
		rc = err_set(e, ERR_MESSAGE, ERR_NOTFOUND, _("%s has no message with UID %lu"),
			     f->name, uid);
	if (rc == 0)
		rc = ba->ops->fetch(f, 0, what, out, e);
	cli_hooks_finish(&h);
	if (f != NULL)
		ba->ops->close_folder(&f);
	if (ba != NULL)
		ba->ops->close_account(&ba);
	return rc;
}

/* The message to show into msg: from the account (its number in the
 * listing), else from the file, standard input or the mbox.  For an IMAP
 * account only what is needed is downloaded: the exact bytes for --raw,
 * the whole message for --save-attachments, else the display form
 * (*display_r: attachments left out, backend.h BE_FETCH_DISPLAY). */
static int read_message(const struct args *a, const struct cfg_account *acct,
			struct logger *lg, struct buf *msg, bool *display_r, struct err *e)
{
	*display_r = false;
	if (acct != NULL && acct->mode == CFG_MODE_IMAP) {
		enum be_fetch what = a->raw ? BE_FETCH_EXACT
				     : a->save_dir != NULL ? BE_FETCH_RAW : BE_FETCH_DISPLAY;
		*display_r = what == BE_FETCH_DISPLAY;
		return fetch_imap(acct, a->folder ? a->folder : acct->folder, a->msgno, what, msg,
				  lg, e);
	}
	if (acct != NULL)
		return read_mbox_message(acct->mbox, a->msgno, msg, e);
	return a->msgno > 0 ? read_mbox_message(a->target, a->msgno, msg, e)
			    : read_file(a->target, msg, e);
}

int cli_show(const struct args *a, const struct cfg *cfg, const struct cfg_account *acct,
	     struct logger *lg, struct err *e)
{
	struct html_ctx hc = { .cfg = cfg, .lg = lg };
	struct buf msg;
	buf_init(&msg, SHOW_MAX);
	bool display_form;
	if (read_message(a, acct, lg, &msg, &display_form, e) < 0) {
		buf_release(&msg);
		return -1;
	}
	log_info(lg, "show %s %lu: %zu bytes%s", acct ? acct->name : a->target, a->msgno,
		 msg.len, display_form ? " (attachments left out)" : "");
	int rc;
	if (a->raw) {
		rc = isatty(STDOUT_FILENO) ? write_safe(msg.data, msg.len, e)
					   : write_all(STDOUT_FILENO, msg.data, msg.len, e);
		buf_release(&msg);
		return rc;
	}
	struct mime_message m;
	mime_parse(&m, msg.data, msg.len, NULL);
	log_info(lg, "parsed %zu parts", m.n_parts);
	if (a->json) {
		rc = show_json(&m, cfg, &hc, display_form, e);
	} else if (a->save_dir != NULL) {
		rc = save_attachments(&m, a->save_dir, e);
	} else {
		struct render_options o;
		struct render_result r;
		show_options(cfg, &hc, &o);
		o.width = terminal_width();
		o.omitted_sizes = display_form;
		render_message(&m, &o, &r);
		rc = write_safe(r.text.data, r.text.len, e);
		render_result_release(&r);
	}
	mime_message_release(&m);
	buf_release(&msg);
	return rc;
}
