/* mailcap: which program shows an attachment, and the shell command that
 * runs it (RFC 1524, read the way mutt reads it).
 *
 * File syntax, one entry per logical line:
 *   type/subtype; view-command; flag; name=value; ...
 *   - a physical line ending in an odd number of backslashes continues on
 *     the next one (the last backslash and the newline are dropped; an
 *     even number is that many literal backslashes); CR before LF is
 *     dropped;
 *   - after joining, a line whose first non-blank byte is '#' is a
 *     comment (so a comment ending in '\' swallows the next line, as in
 *     mutt); blank lines are ignored;
 *   - fields are separated by ';'; "\X" quotes any byte X (RFC 1524
 *     qchar), so "\;" is a ';' inside a field and "\\" a backslash;
 *     blanks around a field are dropped (an escaped blank is kept);
 *   - the first field is the type: "image/png", or "image" then '/' and
 *     the wildcard subtype '*', or "image" alone (the same wildcard);
 *     type and subtype are made of [A-Za-z0-9!#$&.+^_-] and are
 *     lower-cased; the second field is the view command, not empty;
 *   - then, with names matched ignoring ASCII case: the flags
 *     needsterminal and copiousoutput, and the named fields test=,
 *     nametemplate=, description=, print=, edit=, compose=.  Blanks
 *     around '=' are dropped; an empty value counts as absent.  Unknown
 *     fields (x11-bitmap=, composetyped=, x-anything) are ignored.
 * A line is skipped (and counted, never fatal) when it is malformed: a
 * bad type, no view command, a byte below 0x20 other than tab (or 0x7f)
 * after joining, a known named field without '=' (a lone "test" must not
 * be read as "no test"), a known named field given twice, or a line over
 * MAILCAP_LINE_MAX bytes after joining.
 *
 * Entries are kept in the order read, files in the order given; lookups
 * return the first match, so an earlier file (~/.mailcap) wins over a
 * later one (/etc/mailcap), as in mutt.
 *
 * Commands.  view, test, print, edit and compose are kept as written
 * (mailcap escapes included) and expanded by mailcap_expand();
 * nametemplate and description have their escapes removed.  Expansion:
 *   \X     the byte X, taken literally (never starts an expansion)
 *   %s     the file name           %t     the content type
 *   %{p}   the content-type parameter p (p is [A-Za-z0-9._-], at most
 *          MAILCAP_PARAM_NAME_MAX bytes); an absent parameter is ''
 *   %%     a '%'; any other '%' is kept as it is (%n and %F, for
 *          multipart, are not supported)
 * The result is one line for /bin/sh -c.  Every substituted value comes
 * from a hostile message (type, parameters) or from the caller (file),
 * so each is written as exactly one shell word, single-quoted ('...',
 * with ' written as '\''), wherever it stands:
 *   - outside quotes:           %s         ->  '/tmp/x/a b.pdf'
 *   - alone inside quotes:      '%s' "%s"  ->  '/tmp/x/a b.pdf'
 *     (the entry's own quotes are dropped, as mutt does, rather than
 *     nesting quotes)
 *   - elsewhere inside quotes:  "a %s b"   ->  "a "'/tmp/x/f.pdf'" b"
 * A command can hand a value to a second shell ("sh -c 'less %s'"),
 * where one level of quoting is not enough.  Quoting cannot be made
 * right for every such nesting, so a value is substituted there only if
 * it is inert: made only of [A-Za-z0-9._+,:=@/-].  That applies inside
 * quotes other than "alone inside quotes" above, and anywhere in a
 * command that contains '`', "$(", "${", "$'" or "$\"" (command
 * substitution, parameter expansion and bash's $'...' re-read text).
 * A command that passes %s straight to another interpreter ("sh -c %s",
 * "eval %s") is the entry's own choice and is not detected.
 * Refused, with an error and never substituted: a value with a byte
 * below 0x20 or 0x7f, a value longer than MAILCAP_VALUE_MAX bytes
 * (MAILCAP_PATH_MAX for %s), a value starting with '-' (it would be read
 * as an option), a type that is not type/subtype made of the bytes
 * above (one '/', each side non-empty), an expansion right after an
 * unquoted '$' ($'...' is ANSI-C quoting in bash) or right after a
 * backslash that the shell reads as an escape. */
#ifndef TERN_MAILCAP_H
#define TERN_MAILCAP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

#define MAILCAP_FILE_MAX ((size_t)1024 * 1024) /* bytes per file */
#define MAILCAP_MAX_ENTRIES 10000               /* entries in all files */
#define MAILCAP_LINE_MAX ((size_t)64 * 1024)    /* a line after joining */
#define MAILCAP_MAX_FILES 64                    /* paths to read */
#define MAILCAP_VALUE_MAX ((size_t)1024)        /* %t and %{p} values */
#define MAILCAP_PATH_MAX ((size_t)4096)         /* %s and search paths */
#define MAILCAP_PARAM_NAME_MAX 64               /* p in %{p} */
#define MAILCAP_COMMAND_MAX ((size_t)128 * 1024) /* a test= command */
#define MAILCAP_NAME_MAX 64       /* safe base name in mailcap_nametemplate() */
#define MAILCAP_FILE_NAME_MAX 255 /* whole name from mailcap_nametemplate() */

/* One entry.  Read-only for callers; the strings belong to the struct
 * mailcap it came from.  type, view and source are never NULL, the other
 * strings are NULL when absent. */
struct mailcap_entry {
	char *type;         /* lower case; the subtype may be "*" */
	char *view;         /* non-empty, as written (for mailcap_expand()) */
	char *test;         /* as written */
	char *print;        /* as written */
	char *edit;         /* as written */
	char *compose;      /* as written */
	char *nametemplate; /* escapes removed, e.g. "%s.pdf" */
	char *description;  /* escapes removed, surrounding "" dropped */
	bool needsterminal;
	bool copiousoutput;
	const char *source; /* the file it came from */
	unsigned line;      /* where its logical line starts (1-based) */
};

/* The parameters of the part's Content-Type, for %{p}.  Names are matched
 * ignoring ASCII case; the first pair with a name wins.  Values are the
 * decoded parameter values (mime_params_get()), hostile. */
struct mailcap_param {
	const char *name;
	const char *value;
};

struct mailcap_params {
	const struct mailcap_param *items;
	size_t n;
};

/* What mailcap_load() read and left out, for tests and for a message. */
struct mailcap_stats {
	size_t files_read;      /* opened and parsed */
	size_t files_missing;   /* missing, unreadable or not a regular file */
	size_t files_too_large; /* over MAILCAP_FILE_MAX: skipped whole */
	size_t lines_skipped;   /* malformed or too long */
	size_t entries_dropped; /* good lines past MAILCAP_MAX_ENTRIES */
};

struct mailcap;

/* Reads the files paths[0..n) in order into a new struct mailcap, which
 * the caller frees with mailcap_free().  A NULL path, or a file that is
 * missing, unreadable, not a regular file or larger than MAILCAP_FILE_MAX,
 * is skipped silently (and counted).  Returns 0, or -1 with *mc_r NULL
 * and e filled (ERR_ACCOUNT, ERR_LIMIT) if n > MAILCAP_MAX_FILES. */
int mailcap_load(struct mailcap **mc_r, const char *const *paths, size_t n,
		 struct err *e);

/* Frees mc and sets it to NULL.  NULL is fine. */
void mailcap_free(struct mailcap **mc);

size_t mailcap_count(const struct mailcap *mc);
/* Entry i (< mailcap_count()), in the order read. */
const struct mailcap_entry *mailcap_entry(const struct mailcap *mc, size_t i);
void mailcap_get_stats(const struct mailcap *mc, struct mailcap_stats *st_r);

/* The search path.  path[0..n) point into storage owned by the struct;
 * release with mailcap_paths_release(). */
struct mailcap_paths {
	const char *path[MAILCAP_MAX_FILES];
	size_t n;
	char *storage;
};

/* Fills p_r with the path a mutt user expects: mailcaps (the value of
 * $MAILCAPS) split at ':' if it is non-NULL and non-empty, else RFC
 * 1524's ~/.mailcap, /etc/mailcap, /usr/etc/mailcap,
 * /usr/local/etc/mailcap.  "~" and a leading "~/" stand for home; a
 * component needing home when home is NULL or not absolute, a relative
 * component, an empty one, one longer than MAILCAP_PATH_MAX and any past
 * MAILCAP_MAX_FILES are left out. */
void mailcap_default_paths(const char *mailcaps, const char *home,
			   struct mailcap_paths *p_r);
/* mailcap_default_paths() with getenv("MAILCAPS") and getenv("HOME"). */
void mailcap_env_paths(struct mailcap_paths *p_r);
void mailcap_paths_release(struct mailcap_paths *p);

/* The first entry whose type matches type (ignoring ASCII case; an
 * entry with the subtype '*' matches any subtype) and whose test, if it
 * has one, passes.  A test passes when it expands (mailcap_expand() with no file, so a test
 * using %s fails) and run_test(ctx, command) returns true; the caller
 * runs the command with /bin/sh -c, without a terminal, with a timeout,
 * and returns whether it exited with status 0.  With run_test NULL,
 * entries with a test are passed over.  A test that expands to more
 * than MAILCAP_COMMAND_MAX bytes fails.  params may be NULL.  Returns
 * NULL if nothing matches or type is not a valid type/subtype. */
const struct mailcap_entry *
mailcap_find(const struct mailcap *mc, const char *type,
	     const struct mailcap_params *params,
	     bool (*run_test)(void *ctx, const char *cmd), void *ctx);

/* Expands the command template (as in the entry's fields) into cmd, which
 * is emptied first, as described at the top of this file.  file (for %s)
 * may be NULL: then a template using %s is an error.  params may be NULL.
 * *uses_file_r (may be NULL) tells whether %s was used; when it was not,
 * the caller writes the data to the command's standard input.  Returns 0,
 * or -1 with cmd empty and e filled (scope ERR_MESSAGE): ERR_PARSE for a
 * refused value or type, ERR_LIMIT for a value over its limit or a
 * command over cmd's maximum, ERR_CONFIG for a broken template (a bad
 * %{...}, an expansion after '$' or a shell backslash) or a missing
 * file. */
int mailcap_expand(const char *template, const char *file, const char *type,
		   const struct mailcap_params *params, struct buf *cmd,
		   bool *uses_file_r, struct err *e);

/* mailcap_expand() of the entry's view command. */
int mailcap_command(const struct mailcap_entry *m, const char *file,
		    const char *type, const struct mailcap_params *params,
		    struct buf *cmd, bool *uses_file_r, struct err *e);

/* Appends to out a base name for the temporary copy of an attachment, to
 * be created inside a private temporary directory.  The suggested name
 * (hostile, may be NULL) is reduced to a safe base name: the part after
 * the last '/' or '\', every run of bytes outside [A-Za-z0-9._-] made one
 * '_', leading '.', '-' and '_' dropped, trailing '_' dropped from the
 * part before the extension ('.' and 1 to 16 letters or digits), cut to
 * MAILCAP_NAME_MAX bytes keeping that extension; "attachment" if nothing
 * is left before it.  With an entry whose nametemplate is set (m may be
 * NULL), the first "%s" in the template (after its last '/') stands for
 * that name, and the template's other bytes are reduced to the same safe
 * set (with leading '.', '-' and '_' dropped from the text before %s);
 * that text and the text after %s are not added again when the name
 * already starts or ends with them (ignoring ASCII case), so "%s.pdf"
 * turns "a.pdf" into "a.pdf" and "a" into "a.pdf".  A template without
 * %s is the name (the safe name if nothing of the template is left).
 * The result never starts with '.' or '-'.  Returns 0, or -1 with e
 * filled (ERR_MESSAGE, ERR_LIMIT) if the result would pass
 * MAILCAP_FILE_NAME_MAX bytes or out's maximum (out is then as it was). */
int mailcap_nametemplate(const struct mailcap_entry *m, const char *suggested,
			 struct buf *out, struct err *e);

#endif
