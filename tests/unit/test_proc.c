#include "config.h"

#include <string.h>

#include "proc.h"
#include "tap.h"

static struct buf out;
static struct err e;

static int run(const char *cmd, const char *in, int timeout_ms)
{
	buf_reset(&out);
	err_init(&e);
	return proc_filter(cmd, "the filter", in, strlen(in), &out, timeout_ms, &e);
}

int main(void)
{
	buf_init(&out, 1 << 20);
	is_int(run("tr a-z A-Z", "hello\n", 5000), 0, "a filter runs");
	is_str(out.data, "HELLO\n", "input reaches stdin, stdout is collected");
	is_int(run("cat", "", 5000), 0, "empty input");
	is_str(out.data, "", "empty output");

	static char big[600000];
	memset(big, 'x', sizeof(big) - 1);
	is_int(run("cat", big, 10000), 0, "input larger than a pipe buffer does not deadlock");
	is_int((long long)out.len, (long long)sizeof(big) - 1, "all of it comes back");

	is_int(run("head -c 3", big, 10000), 0, "a command that stops reading early");
	is_str(out.data, "xxx", "its output is kept, tern is not killed by SIGPIPE");

	ok(run("exit 4", "", 5000) < 0 && strstr(e.msg, "exit status 4"), "exit status reported");
	ok(strstr(e.msg, "the filter") && !strstr(e.msg, "exit 4'"),
	   "errors name the label, not the command line: %s", e.msg);
	ok(run("sleep 5", "", 200) < 0 && strstr(e.msg, "200 ms"), "a slow command is stopped");
	ok(run("kill -9 $$", "", 5000) < 0 && strstr(e.msg, "signal 9"), "killed by a signal");
	ok(run("no-such-command-xyz", "", 5000) < 0 && strstr(e.msg, "127"),
	   "a missing command fails with 127");

	struct buf small;
	buf_init(&small, 10);
	err_init(&e);
	ok(proc_filter("yes", "label", "", 0, &small, 5000, &e) < 0 && e.code == ERR_LIMIT,
	   "endless output stops at the buffer's maximum");
	buf_release(&small);
	buf_release(&out);
	return done_testing();
}
