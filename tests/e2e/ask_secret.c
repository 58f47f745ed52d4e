/* ask_secret: drives tty_read_secret() for tests/e2e/password-prompt.sh.
 * Asks once with the prompt argv[2], then writes what was read to the file named by argv[1] (so
 * the test can compare it without it ever being on the screen) and prints
 * "read N bytes". */
#include "config.h"

#include <stdio.h>

#include "buf.h"
#include "tty.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ask_secret OUTFILE PROMPT\n");
		return 2;
	}
	struct buf pw;
	struct err e;
	buf_init(&pw, 4096);
	err_init(&e);
	if (tty_read_secret(argv[2], &pw, &e) < 0) {
		printf("error: %s\n", e.msg);
		return 1;
	}
	FILE *f = fopen(argv[1], "w");
	if (f == NULL || fwrite(pw.data, 1, pw.len, f) != pw.len || fclose(f) != 0)
		return 1;
	printf("read %zu bytes\n", pw.len);
	buf_wipe(&pw);
	buf_release(&pw);
	return 0;
}
