/* driver.c: runs a libFuzzer target without libFuzzer.
 *
 * Linked into each fuzz target when tern is not configured with
 * --enable-fuzzing, so that every target runs in `make check` with any
 * compiler (under AddressSanitizer in CI).  For each seed file given on
 * the command line (or each file of a given directory) it runs the target
 * on the seed, on every prefix of the seed up to 4 KiB (the "fed one byte
 * at a time" check: each truncation must be handled), and on a fixed
 * number of deterministic mutations (byte flips, inserted control and
 * boundary bytes, duplicated and deleted slices).  Each input is handed
 * over in a buffer of exactly its size, so the sanitizer catches any read
 * past its end.  With -runs=N the mutation count per seed is N. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEED_MAX ((size_t)4 << 20)
#define PREFIX_MAX 4096

static unsigned long runs = 200;
static unsigned long executed;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void run_exact(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (copy == NULL)
		abort();
	if (n)
		memcpy(copy, p, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	executed++;
}

static size_t mutate(uint8_t *buf, size_t n, size_t cap)
{
	static const uint8_t interesting[] = { 0, '\r', '\n', ' ', '\t', ':',
		'=', '?', '"', '\\', '-', 0x1b, 0x7f, 0x80, 0xc3, 0xff, 'F' };
	unsigned ops = 1 + (unsigned)(rng() % 4);
	for (unsigned k = 0; k < ops; k++) {
		size_t at = n ? (size_t)(rng() % n) : 0;
		switch (rng() % 5) {
		case 0: /* flip a byte */
			if (n)
				buf[at] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 1: /* overwrite with an interesting byte */
			if (n)
				buf[at] = interesting[rng() % sizeof(interesting)];
			break;
		case 2: /* insert an interesting byte */
			if (n < cap) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = interesting[rng() % sizeof(interesting)];
				n++;
			}
			break;
		case 3: { /* delete a slice */
			size_t len = n - at ? (size_t)(rng() % (n - at)) % 64 : 0;
			memmove(buf + at, buf + at + len, n - at - len);
			n -= len;
			break;
		}
		case 4: { /* duplicate a slice */
			size_t len = n - at ? (size_t)(rng() % (n - at)) % 256 : 0;
			if (n + len <= cap) {
				memmove(buf + at + len, buf + at, n - at);
				n += len;
			}
			break;
		}
		}
	}
	return n;
}

static int run_seed(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	uint8_t *seed = malloc(SEED_MAX);
	size_t n = fread(seed, 1, SEED_MAX, f);
	fclose(f);

	run_exact(seed, n);
	for (size_t k = 0; k < n && k < PREFIX_MAX; k++)
		run_exact(seed, k);

	size_t cap = n * 2 + 1024;
	uint8_t *work = malloc(cap);
	for (unsigned long r = 0; r < runs; r++) {
		memcpy(work, seed, n);
		size_t m = mutate(work, n, cap);
		run_exact(work, m);
	}
	free(work);
	free(seed);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_seed(path);
	DIR *d = opendir(path);
	if (d == NULL)
		return -1;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		size_t len = strlen(path) + strlen(de->d_name) + 2;
		char *p = malloc(len);
		snprintf(p, len, "%s/%s", path, de->d_name);
		if (run_seed(p) < 0)
			rc = -1;
		free(p);
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0, paths = 0;
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "-runs=", 6) == 0) {
			runs = strtoul(argv[i] + 6, NULL, 10);
			continue;
		}
		if (argv[i][0] == '-')
			continue; /* other libFuzzer flags mean nothing here */
		paths++;
		if (run_path(argv[i]) < 0)
			rc = 1;
	}
	if (paths == 0) {
		fprintf(stderr, "usage: %s [-runs=N] SEED_FILE_OR_DIR...\n", argv[0]);
		return 2;
	}
	printf("driver: %lu inputs executed\n", executed);
	return rc;
}
