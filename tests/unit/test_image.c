/*
 * test_image.c - the deterministic busybox image tarball and the ustar writer,
 * read back with GNU tar and sha256sum (independent implementations).
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/local/image.h"
#include "backends/local/tar.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#define BUSYBOX "/bin/busybox"

static char dir[] = "/tmp/magnum-test-image-XXXXXX";

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run a shell command and return its stdout (caller frees); fails the test on exit != 0. */
static char *
run(const char *fmt, ...)
{
	struct strbuf out = STRBUF_INIT;
	char cmd[1024], buf[4096];
	va_list ap;
	size_t k;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(strbuf_append(&out, buf, k), 0);
	assert_int_equal(pclose(f), 0);
	return strbuf_steal(&out);
}

static char *
slurp(const char *path, size_t *ret_len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t k;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(strbuf_append(&sb, buf, k), 0);
	fclose(f);
	*ret_len = sb.len;
	return strbuf_steal(&sb);
}

/* Assert that list has a line starting with prefix and ending with suffix. */
static void
assert_line(const char *list, const char *prefix, const char *suffix)
{
	const char *line = list, *nl;
	size_t np = strlen(prefix), ns = strlen(suffix);

	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		if ((size_t)(nl - line) >= np + ns && memcmp(line, prefix, np) == 0 &&
		    memcmp(nl - ns, suffix, ns) == 0)
			return;
	}
	fail_msg("no line '%s...%s' in:\n%s", prefix, suffix, list);
}

static void
require_busybox(void)
{
	if (access(BUSYBOX, X_OK) < 0)
		skip();
}

static void
test_image_deterministic(void **state)
{
	char id1[IMAGE_ID_LEN], id2[IMAGE_ID_LEN], a[256], b[256];
	_cleanup_free_ char *x = NULL, *y = NULL;
	size_t nx, ny;

	(void)state;
	require_busybox();
	snprintf(a, sizeof(a), "%s/a.tar", dir);
	snprintf(b, sizeof(b), "%s/b.tar", dir);
	assert_int_equal(image_build_busybox(BUSYBOX, a, "magnum/busybox:local", id1), 0);
	assert_int_equal(image_build_busybox(BUSYBOX, b, "magnum/busybox:local", id2), 0);
	assert_string_equal(id1, id2);
	assert_int_equal(strlen(id1), 71);
	assert_memory_equal(id1, "sha256:", 7);
	x = slurp(a, &nx);
	y = slurp(b, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	assert_int_equal(nx % 512, 0);
	assert_true(nx > 1900000);	/* the busybox binary is in it */
}

static void
test_image_contents(void **state)
{
	char id[IMAGE_ID_LEN], tarp[256], layer_hex[65], config_name[80];
	_cleanup_free_ char *list = NULL, *sum = NULL, *manifest = NULL, *config = NULL,
			    *layer_list = NULL, *layer_sum = NULL, *applets = NULL;
	_cleanup_json_ json_t *m = NULL, *c = NULL;
	const char *layer;

	(void)state;
	require_busybox();
	snprintf(tarp, sizeof(tarp), "%s/img.tar", dir);
	assert_int_equal(image_build_busybox(BUSYBOX, tarp, "magnum/busybox:local", id), 0);

	/* outer archive: config, layer dir and tar, manifest; in that (sorted) order */
	list = run("tar -tf %s", tarp);
	m = json_loads(manifest = run("tar -xOf %s manifest.json", tarp), 0, NULL);
	assert_non_null(m);
	layer = json_string_value(json_array_get(json_object_get(json_array_get(m, 0), "Layers"),
						 0));
	assert_non_null(layer);
	assert_int_equal(strlen(layer), 64 + strlen("/layer.tar"));
	memcpy(layer_hex, layer, 64);
	layer_hex[64] = '\0';
	snprintf(config_name, sizeof(config_name), "%s.json", id + 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "Config")),
			    config_name);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_array_get(m, 0), "RepoTags"), 0)),
			    "magnum/busybox:local");
	assert_non_null(strstr(list, "manifest.json\n"));
	assert_non_null(strstr(list, layer));

	/* the ID is the sha256 of the config file inside; diff_ids the layer's */
	sum = run("tar -xOf %s %s.json | sha256sum | cut -c1-64", tarp, id + 7);
	assert_memory_equal(sum, id + 7, 64);
	layer_sum = run("tar -xOf %s %s | sha256sum | cut -c1-64", tarp, layer);
	assert_memory_equal(layer_sum, layer_hex, 64);
	c = json_loads(config = run("tar -xOf %s %s.json", tarp, id + 7), 0, NULL);
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "architecture")), "amd64");
	assert_string_equal(json_string_value(json_object_get(c, "os")), "linux");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(c, "config"), "Cmd"), 0)),
			    "sh");
	assert_memory_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(c, "rootfs"), "diff_ids"), 0)) +
				    7,
			    layer_hex, 64);
	assert_null(strstr(config, "\n"));

	/* the layer, as GNU tar lists it verbosely */
	layer_list = run("tar -xOf %s %s | tar -tvf - --numeric-owner", tarp, layer);
	assert_line(layer_list, "-rwxr-xr-x 0/0 ", " 1970-01-01 00:00 bin/busybox");
	assert_line(layer_list, "lrwxrwxrwx 0/0 ", " 1970-01-01 00:00 bin/sh -> busybox");
	assert_line(layer_list, "drwxrwxrwt 0/0 ", " 1970-01-01 00:00 tmp/");
	assert_line(layer_list, "-rw-r--r-- 0/0 ", " etc/passwd");
	assert_non_null(strstr(layer_list, " etc/passwd\n"));
	assert_non_null(strstr(layer_list, " etc/group\n"));
	assert_non_null(strstr(layer_list, " proc/\n"));
	assert_non_null(strstr(layer_list, " sys/\n"));
	assert_non_null(strstr(layer_list, " dev/\n"));
	assert_non_null(strstr(layer_list, " bin/sleep -> busybox\n"));
	assert_non_null(strstr(layer_list, " bin/wget -> busybox\n"));
	assert_non_null(strstr(layer_list, " bin/nslookup -> busybox\n"));

	/* the names are sorted and the busybox binary arrives intact */
	applets = run("tar -xOf %s %s | tar -tf - | LC_ALL=C sort -c && echo sorted", tarp, layer);
	assert_string_equal(applets, "sorted\n");
	free(sum);
	sum = run("tar -xOf %s %s | tar -xOf - bin/busybox | cmp - %s && echo same", tarp, layer,
		  BUSYBOX);
	assert_string_equal(sum, "same\n");
	free(sum);
	sum = run("tar -xOf %s %s | tar -xOf - etc/passwd | head -1", tarp, layer);
	assert_string_equal(sum, "root:x:0:0:root:/root:/bin/sh\n");
}

static void
test_image_bad_input(void **state)
{
	char id[IMAGE_ID_LEN] = "untouched", p[256];

	(void)state;
	snprintf(p, sizeof(p), "%s/bad.tar", dir);
	assert_int_equal(image_build_busybox("/nonexistent/busybox", p, "a:b", id), -ENOENT);
	assert_int_equal(image_build_busybox("/tmp", p, "a:b", id), -EINVAL);
	assert_int_equal(image_build_busybox(BUSYBOX, p, "notag", id), -EINVAL);
	assert_int_equal(image_build_busybox(BUSYBOX, p, "a b:c", id), -EINVAL);
	assert_int_equal(image_build_busybox(BUSYBOX, p, "a:b/c", id), -EINVAL);
	assert_string_equal(id, "untouched");
	assert_int_equal(access(p, F_OK), -1);
	if (access(BUSYBOX, R_OK) == 0) {
		snprintf(p, sizeof(p), "%s/no-such-dir/x.tar", dir);
		assert_int_equal(image_build_busybox(BUSYBOX, p, "a:b", id), -ENOENT);
	}
}

static void
test_tar_long_names(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char longname[300], tooshort[256], p[256];
	_cleanup_free_ char *list = NULL;
	FILE *f;

	(void)state;
	/* 120 bytes of directory + '/' + 90 bytes of name: needs the prefix field */
	memset(longname, 'd', 120);
	longname[120] = '/';
	memset(longname + 121, 'f', 90);
	longname[211] = '\0';
	assert_int_equal(tar_add(&sb, longname, TAR_FILE, 0600, "hello", 5, NULL), 0);
	/* a 101-byte last component cannot be stored */
	memset(tooshort, 'x', 101);
	tooshort[101] = '\0';
	assert_int_equal(tar_add(&sb, tooshort, TAR_FILE, 0600, "x", 1, NULL), -EINVAL);
	assert_int_equal(tar_add(&sb, "", TAR_DIR, 0755, NULL, 0, NULL), -EINVAL);
	assert_int_equal(tar_add(&sb, "l", TAR_SYMLINK, 0777, NULL, 0, NULL), -EINVAL);
	assert_int_equal(tar_finish(&sb), 0);
	assert_int_equal(sb.len, 4 * 512);

	snprintf(p, sizeof(p), "%s/long.tar", dir);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(sb.buf, 1, sb.len, f), sb.len);
	fclose(f);
	strbuf_free(&sb);
	list = run("tar -tf %s", p);
	assert_int_equal(strlen(list), 212);
	assert_memory_equal(list, longname, 211);
	free(list);
	list = run("tar -xOf %s", p);
	assert_string_equal(list, "hello");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_deterministic),
		cmocka_unit_test(test_image_contents),
		cmocka_unit_test(test_image_bad_input),
		cmocka_unit_test(test_tar_long_names),
	};

	return cmocka_run_group_tests_name("image", tests, setup, teardown);
}
