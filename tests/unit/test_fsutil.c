#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "tap.h"
#include "testutil.h"

static unsigned mode_of(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffff;
}

int main(void)
{
	char *dir = tu_tempdir();
	char path[4300];
	struct err e;
	err_init(&e);

	mode_t old = umask(0);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ok(fs_mkdir_private(path, &e) == 0, "mkdir -p of a new path");
	is_int(mode_of(path), 0700, "new leaf directory is 0700 with umask 0");
	snprintf(path, sizeof(path), "%s/a", dir);
	is_int(mode_of(path), 0700, "new parent directory is 0700");
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	ok(fs_mkdir_private(path, &e) == 0, "mkdir of an existing directory succeeds");
	umask(old);

	snprintf(path, sizeof(path), "%s/file", dir);
	tu_write(path, "x", 1);
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	ok(fs_mkdir_private(path, &e) < 0, "a file in the way is an error");
	ok(strstr(e.msg, "file") != NULL, "the error names the path");

	snprintf(path, sizeof(path), "%s/home", dir);
	setenv("HOME", path, 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_CACHE_HOME");
	setenv("XDG_STATE_HOME", "relative/ignored", 1);
	char *p = fs_xdg_dir(XDG_CONFIG, false, &e);
	char want[4400];
	snprintf(want, sizeof(want), "%s/home/.config/tern", dir);
	is_str(p, want, "config dir falls back to ~/.config/tern");
	free(p);
	p = fs_xdg_dir(XDG_STATE, true, &e);
	snprintf(want, sizeof(want), "%s/home/.local/state/tern", dir);
	is_str(p, want, "a relative XDG_STATE_HOME is ignored");
	is_int(mode_of(want), 0700, "created state dir is 0700");
	free(p);
	snprintf(path, sizeof(path), "%s/cache", dir);
	setenv("XDG_CACHE_HOME", path, 1);
	p = fs_xdg_dir(XDG_CACHE, true, &e);
	snprintf(want, sizeof(want), "%s/cache/tern", dir);
	is_str(p, want, "XDG_CACHE_HOME is used when absolute");
	free(p);

	snprintf(path, sizeof(path), "%s/home", dir);
	p = fs_expand_home("~/Mail/x.mbox", &e);
	snprintf(want, sizeof(want), "%s/home/Mail/x.mbox", dir);
	is_str(p, want, "~/ expands to HOME");
	free(p);
	p = fs_expand_home("~other/x", &e);
	is_str(p, "~other/x", "~user is left alone");
	free(p);
	p = fs_expand_home("/abs", &e);
	is_str(p, "/abs", "absolute path unchanged");
	free(p);
	unsetenv("HOME");
	p = fs_expand_home("~", &e);
	ok(p == NULL && strstr(e.msg, "HOME") != NULL, "~ without HOME is an error");
	unsetenv("XDG_CONFIG_HOME");
	p = fs_xdg_dir(XDG_CONFIG, false, &e);
	ok(p == NULL, "no XDG variable and no HOME is an error");

	tu_rm_rf(dir);
	free(dir);
	return done_testing();
}
