#include "config.h"

#include "fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "i18n.h"
#include "mem.h"
#include "str.h"

int fs_mkdir_private(const char *path, struct err *e)
{
	char *p = xstrdup(path);
	size_t len = strlen(p);
	int rc = 0;

	/* Walk each prefix that ends at a '/', then the whole path. */
	for (size_t i = 1; i <= len && rc == 0; i++) {
		if (i < len && p[i] != '/')
			continue;
		char saved = p[i];
		p[i] = '\0';
		if (mkdir(p, 0700) == 0) {
			/* mkdir() honours the umask: make sure it is 0700. */
			if (chmod(p, 0700) < 0)
				rc = -1;
		} else if (errno == EEXIST) {
			struct stat st;
			if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				rc = -1;
			}
		} else {
			rc = -1;
		}
		if (rc < 0)
			err_set(e, ERR_ACCOUNT, ERR_IO, _("cannot create directory %s: %s"),
				p, strerror(errno));
		p[i] = saved;
	}
	free(p);
	return rc;
}

char *fs_expand_home(const char *path, struct err *e)
{
	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return xstrdup(path);
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		err_set(e, ERR_ACCOUNT, ERR_CONFIG,
			_("cannot expand %s: HOME is not set to an absolute path"), path);
		return NULL;
	}
	if (path[1] == '\0')
		return xstrdup(home);
	return str_path_join(home, path + 2);
}

char *fs_xdg_dir(enum xdg_kind kind, bool create, struct err *e)
{
	static const struct {
		const char *var;
		const char *fallback; /* under $HOME */
	} table[] = {
		[XDG_CONFIG] = { "XDG_CONFIG_HOME", ".config" },
		[XDG_CACHE] = { "XDG_CACHE_HOME", ".cache" },
		[XDG_STATE] = { "XDG_STATE_HOME", ".local/state" },
	};
	char *base;
	const char *v = getenv(table[kind].var);

	if (v != NULL && v[0] == '/') {
		base = xstrdup(v);
	} else {
		const char *home = getenv("HOME");
		if (home == NULL || home[0] != '/') {
			err_set(e, ERR_ACCOUNT, ERR_CONFIG,
				_("neither %s nor HOME is set to an absolute path"),
				table[kind].var);
			return NULL;
		}
		base = str_path_join(home, table[kind].fallback);
	}
	char *dir = str_path_join(base, "tern");
	free(base);
	if (create && fs_mkdir_private(dir, e) < 0) {
		free(dir);
		return NULL;
	}
	return dir;
}
