/* fsutil: the file-system paths and modes tern's own files follow.
 *
 * Directories tern creates are 0700, files 0600 (whatever the umask).
 * Locations follow the XDG base directory specification:
 *   config  $XDG_CONFIG_HOME/tern  (default ~/.config/tern)
 *   cache   $XDG_CACHE_HOME/tern   (default ~/.cache/tern)   rebuildable
 *   state   $XDG_STATE_HOME/tern   (default ~/.local/state/tern) not
 * A relative XDG_* value is ignored, as the specification requires. */
#ifndef TERN_FSUTIL_H
#define TERN_FSUTIL_H

#include <stdbool.h>

#include "err.h"

enum xdg_kind {
	XDG_CONFIG,
	XDG_CACHE,
	XDG_STATE,
};

/* The tern directory of that kind, newly allocated; created (with missing
 * parents, each new one 0700) when create is true.  NULL with e filled if
 * neither the XDG variable nor HOME gives an absolute path, or mkdir
 * fails. */
char *fs_xdg_dir(enum xdg_kind kind, bool create, struct err *e);

/* mkdir -p, creating each missing component with mode 0700. */
int fs_mkdir_private(const char *path, struct err *e);

/* "~" or "~/x" becomes $HOME or $HOME/x; anything else is copied.
 * NULL with e filled if HOME is needed and unset. */
char *fs_expand_home(const char *path, struct err *e);

#endif
