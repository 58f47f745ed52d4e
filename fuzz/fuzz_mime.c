/* Fuzz target: the whole message path -- MIME tree, decoders, charset
 * conversion, rendering and the terminal sanitiser (src/mime/mime.c,
 * render.c and what they call). */
#include "config.h"

#include <stdint.h>

#include "mime.h"
#include "render.h"
#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits lim;
	mime_limits_default(&lim);
	lim.max_parts = 200; /* keep each run fast; the logic is the same */
	lim.max_depth = 20;
	struct mime_message m;
	mime_parse(&m, (const char *)data, size, &lim);
	if (m.n_parts > lim.max_parts + 2)
		__builtin_trap();

	struct render_options o;
	struct render_result r;
	render_options_default(&o);
	o.max_text = 1 << 20;
	render_message(&m, &o, &r);
	struct buf safe;
	buf_init(&safe, r.text.len * 4 + 16);
	if (sanitize_text(r.text.data, r.text.len, SANITIZE_MULTILINE, &safe) < 0)
		__builtin_trap();
	for (size_t i = 0; i < r.n_att; i++) {
		struct buf content;
		buf_init(&content, size + 16);
		(void)render_attachment_content(&r.att[i], &content);
		buf_release(&content);
	}
	buf_release(&safe);
	render_result_release(&r);
	mime_message_release(&m);
	return 0;
}
