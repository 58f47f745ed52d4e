/* index_format: the line of a message in the index, as mutt's
 * index_format describes it (a useful subset of its syntax).
 *
 * A format is text with codes "%[-][WIDTH][.PRECISION]CODE":
 *   %C   the message's number as shown (1-based row, given by the caller)
 *   %Z   three flag columns: 'D' deleted, else 'F' flagged, else 'N' new
 *        (neither read nor old), else 'O' (old, not read), else ' ';
 *        then 'r' answered or ' '; then 'A' with an attachment or ' '
 *   %d   the date, short, in the local zone: "Jan 05" in the current
 *        year of now, else month and year, "Jan 2024" (so 6 or 8
 *        columns: the default format pads it with %-8d).  Unlike mutt's
 *        %d, which uses the sender's zone: in a list sorted by date,
 *        local dates read in order.
 *   %{FMT}  the date by strftime(3) FMT in the sender's zone (as mutt);
 *        %z and %Z in FMT give the sender's offset, "+0100"
 *   %[FMT]  the date by strftime(3) FMT in the local zone (as mutt)
 *   %F %n %L   the sender: display name, else address (tern has no
 *        "to me"/list variants: the three are the same)
 *   %a   the sender's address
 *   %t   the recipients (To, display form)
 *   %s   the subject, after the thread tree given by the caller
 *   %c   the size: "512", "4.2K", "38K", "1.1M", "12M" (as mutt)
 *   %g   the keywords (IMAP keywords: neomutt's tags), as the backend
 *        lists them, separated by spaces; nothing without
 *   %%   a percent sign
 * An unknown date shows as nothing (padded like any field).  WIDTH is the
 * least number of terminal columns (padded with spaces, on the left
 * unless '-' is given), PRECISION the most (the text is cut, never in the
 * middle of a character; a double-width character that does not fit
 * becomes a space).  Both are counted in columns, not bytes: CJK and
 * emoji take two.  WIDTH and PRECISION are at most INDEX_FORMAT_COLS_MAX;
 * a WIDTH written with a leading 0 pads %C with zeros ("%04C").  A
 * strftime() result over 255 bytes shows as nothing.
 * mutt's conditionals (%?), fill codes (%>, %|, %*) and the codes not
 * listed are refused, as are formats over INDEX_FORMAT_MAX bytes.
 *
 * Safety: every string from a message, the thread tree and the literal
 * text of the format pass through sanitize_text(SANITIZE_LINE) before
 * they are measured: the line holds no control character, C1 control,
 * bidi override or invalid UTF-8.
 *
 * Sent folders: the UI shows the recipient by choosing
 * INDEX_FORMAT_SENT (which uses %t) for them.
 *
 * Widths are measured with wcwidth(): the locale's LC_CTYPE must be a
 * UTF-8 one (see width.h). */
#ifndef TERN_INDEX_FORMAT_H
#define TERN_INDEX_FORMAT_H

#include <stddef.h>
#include <time.h>

#include "backend.h"
#include "buf.h"
#include "err.h"

#define INDEX_FORMAT_DEFAULT "%4C %Z %-8d  %-20.20F (%4c)  %s"
#define INDEX_FORMAT_SENT "%4C %Z %-8d  To %-17.17t (%4c)  %s"

#define INDEX_FORMAT_MAX 4096        /* bytes of a format */
#define INDEX_FORMAT_COLS_MAX 1000   /* largest WIDTH or PRECISION */
#define INDEX_FORMAT_FIELD_MAX ((size_t)16 * 1024) /* bytes of one field
						       kept before fitting */

struct index_format;

/* Compiles fmt.  Returns 0 with *f_r set (free with index_format_free),
 * or -1 with e set (ERR_ACCOUNT, ERR_CONFIG) naming the code and its
 * place, "%q at column 12" (columns count characters from 1). */
int index_format_compile(const char *fmt, struct index_format **f_r, struct err *e);

/* Appends the line of message m to out: number is what %C shows, tree
 * (NULL for none) what %s shows before the subject (view_tree()), now
 * the time that tells "this year" for %d.  Returns 0, or -1 when out's
 * maximum was reached (out then holds a valid UTF-8 prefix).  The line
 * is not cut to the screen: the caller does that (width_fit). */
int index_format_line(const struct index_format *f, const struct be_msg *m,
		      size_t number, const char *tree, time_t now, struct buf *out)
	__attribute__((warn_unused_result));

/* Frees *f (NULL is fine) and sets it to NULL. */
void index_format_free(struct index_format **f);

#endif
