/*
 * replay_main.c - run a libFuzzer target once per regular file of a corpus
 * directory (argv[1]), in name order, so that gcc builds and CTest replay the
 * corpora. Prints "replayed N inputs"; exits 1 if the directory is missing,
 * unreadable or holds no regular file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file; 0 or -errno. */
static int
slurp(const char *path, uint8_t **ret_buf, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return -errno;
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap ? cap * 2 : 4096);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int
main(int argc, char **argv)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (d == NULL) {
		perror(argv[1]);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;

		if (snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name) >=
			    (int)sizeof(path) ||
		    stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));
			if (nn == NULL) {
				rc = 1;
				break;
			}
			names = nn;
			cap = cap ? cap * 2 : 64;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = 1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[1]);
		rc = 1;
	}
	if (rc == 0)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096];
		uint8_t *buf = NULL;
		size_t len = 0;
		int r;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		r = slurp(path, &buf, &len);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(-r));
			rc = 1;
			break;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == 0)
		printf("replayed %zu inputs\n", n);
	return rc;
}
