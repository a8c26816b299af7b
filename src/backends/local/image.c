/*
 * image.c - the busybox image tarball (docker-save layout: manifest.json,
 * <config sha256>.json, <layer diff_id>/layer.tar), built in memory with
 * tar.c and hashed with x509_sha256_hex().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "backends/local/image.h"
#include "backends/local/tar.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "x509/x509.h"

#if defined(__x86_64__)
#define IMAGE_ARCH "amd64"
#elif defined(__aarch64__)
#define IMAGE_ARCH "arm64"
#else
#error "unknown architecture for the image config"
#endif

/* Applets linked to /bin/busybox: enough for shells, tests and network checks. */
static const char *const applets[] = {
	"arping", "ash", "awk", "base64", "basename", "cat", "chmod", "cp", "cut", "date",
	"dd", "df", "dirname", "du", "echo", "env", "expr", "false", "find", "free",
	"grep", "gzip", "head", "hostname", "httpd", "id", "ifconfig", "ip", "kill", "less",
	"ln", "ls", "md5sum", "mkdir", "more", "mount", "mv", "nc", "netstat", "nproc",
	"nslookup", "ping", "ping6", "printf", "ps", "pwd", "readlink", "rm", "route", "sed",
	"seq", "sh", "sha256sum", "sleep", "sort", "stat", "sync", "tail", "tar", "tee",
	"telnet", "test", "timeout", "top", "touch", "tr", "traceroute", "true", "uname",
	"uniq", "uptime", "vi", "wc", "wget", "which", "whoami", "xargs", "yes",
};

static const char etc_passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
				 "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char etc_group[] = "root:x:0:\n"
				"nobody:x:65534:\n";

struct entry {
	char		*name;
	enum tar_type	type;
	unsigned	mode;
	const void	*data;
	size_t		len;
	const char	*link;
};

struct entries {
	struct entry	v[128];
	size_t		n;
};

static void
entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->v[i].name);
	es->n = 0;
}

static int
entry_add(struct entries *es, const char *name, enum tar_type type, unsigned mode,
	  const void *data, size_t len, const char *link)
{
	char *copy;

	if (es->n >= ARRAY_SIZE(es->v))
		return -E2BIG;
	copy = strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	es->v[es->n++] = (struct entry){ copy, type, mode, data, len, link };
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Write the entries sorted by name, then the end marker. */
static int
entries_write(struct entries *es, struct strbuf *sb)
{
	int r;

	qsort(es->v, es->n, sizeof(es->v[0]), entry_cmp);
	for (size_t i = 0; i < es->n; i++) {
		const struct entry *x = &es->v[i];

		r = tar_add(sb, x->name, x->type, x->mode, x->data, x->len, x->link);
		if (r < 0)
			return r;
	}
	return tar_finish(sb);
}

static int
read_file(const char *path, struct strbuf *sb)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	char buf[65536];
	ssize_t k;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((unsigned long long)st.st_size > IMAGE_MAX_BINARY)
		return -EFBIG;
	for (;;) {
		k = read(fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return 0;
		if (sb->len + (size_t)k > IMAGE_MAX_BINARY)
			return -EFBIG;
		r = strbuf_append(sb, buf, (size_t)k);
		if (r < 0)
			return r;
	}
}

static int
build_layer(const char *busybox_path, struct strbuf *layer)
{
	struct strbuf bin = STRBUF_INIT;
	struct entries es = { .n = 0 };
	char name[64];
	int r;

	r = read_file(busybox_path, &bin);
	if (r < 0)
		goto out;
	if ((r = entry_add(&es, "bin/", TAR_DIR, 0755, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, "bin/busybox", TAR_FILE, 0755, bin.buf, bin.len, NULL)) < 0 ||
	    (r = entry_add(&es, "dev/", TAR_DIR, 0755, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, "etc/", TAR_DIR, 0755, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, "etc/group", TAR_FILE, 0644, etc_group, strlen(etc_group),
			   NULL)) < 0 ||
	    (r = entry_add(&es, "etc/passwd", TAR_FILE, 0644, etc_passwd, strlen(etc_passwd),
			   NULL)) < 0 ||
	    (r = entry_add(&es, "proc/", TAR_DIR, 0555, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, "root/", TAR_DIR, 0700, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, "sys/", TAR_DIR, 0555, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, "tmp/", TAR_DIR, 01777, NULL, 0, NULL)) < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		snprintf(name, sizeof(name), "bin/%s", applets[i]);
		r = entry_add(&es, name, TAR_SYMLINK, 0777, NULL, 0, "busybox");
		if (r < 0)
			goto out;
	}
	r = entries_write(&es, layer);
out:
	entries_free(&es);
	strbuf_free(&bin);
	return r;
}

/* The image config: no timestamps but the epoch, keys sorted, compact. */
static char *
make_config(const char *diff_id)
{
	_cleanup_json_ json_t *c = NULL;

	c = json_pack("{s:s, s:s, s:{s:[s], s:[s]}, s:s, s:[{s:s, s:s}], s:{s:s, s:[s]}}",
		      "architecture", IMAGE_ARCH, "os", "linux", "config", "Cmd", "sh", "Env",
		      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		      "created", "1970-01-01T00:00:00Z", "history", "created",
		      "1970-01-01T00:00:00Z", "created_by", "magnumd image_build_busybox",
		      "rootfs", "type", "layers", "diff_ids", diff_id);
	if (c == NULL)
		return NULL;
	return json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
}

static char *
make_manifest(const char *config_name, const char *repo_tag, const char *layer_name)
{
	_cleanup_json_ json_t *m = NULL;

	m = json_pack("[{s:s, s:[s], s:[s]}]", "Config", config_name, "RepoTags", repo_tag,
		      "Layers", layer_name);
	if (m == NULL)
		return NULL;
	return json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
}

/* "name:tag" with docker's reference characters; no digest. */
static bool
repo_tag_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	const char *colon = s ? strrchr(s, ':') : NULL;

	if (n == 0 || n > 200 || colon == NULL || colon == s || colon[1] == '\0' ||
	    strchr(colon, '/'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-/:ABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
	       n;
}

static int
write_atomic(const char *path, const struct strbuf *sb)
{
	_cleanup_free_ char *tmp = NULL;
	size_t off = 0;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < sb->len) {
		ssize_t k = write(fd, sb->buf + off, sb->len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		off += (size_t)k;
	}
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int
image_build_busybox(const char *busybox_path, const char *out_tar, const char *repo_tag,
		    char ret_image_id[IMAGE_ID_LEN])
{
	struct strbuf layer = STRBUF_INIT, outer = STRBUF_INIT;
	_cleanup_free_ char *config = NULL, *manifest = NULL;
	struct entries es = { .n = 0 };
	char layer_hex[65], config_hex[65], diff_id[72], config_name[80], layer_dir[72],
		layer_name[80];
	int r;

	if (busybox_path == NULL || out_tar == NULL || !repo_tag_valid(repo_tag))
		return -EINVAL;
	r = build_layer(busybox_path, &layer);
	if (r < 0)
		goto out;
	r = x509_sha256_hex(layer.buf, layer.len, layer_hex);
	if (r < 0)
		goto out;
	snprintf(diff_id, sizeof(diff_id), "sha256:%s", layer_hex);
	config = make_config(diff_id);
	if (config == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = x509_sha256_hex(config, strlen(config), config_hex);
	if (r < 0)
		goto out;
	snprintf(config_name, sizeof(config_name), "%s.json", config_hex);
	snprintf(layer_dir, sizeof(layer_dir), "%s/", layer_hex);
	snprintf(layer_name, sizeof(layer_name), "%s/layer.tar", layer_hex);
	manifest = make_manifest(config_name, repo_tag, layer_name);
	if (manifest == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = entry_add(&es, config_name, TAR_FILE, 0644, config, strlen(config), NULL)) < 0 ||
	    (r = entry_add(&es, layer_dir, TAR_DIR, 0755, NULL, 0, NULL)) < 0 ||
	    (r = entry_add(&es, layer_name, TAR_FILE, 0644, layer.buf, layer.len, NULL)) < 0 ||
	    (r = entry_add(&es, "manifest.json", TAR_FILE, 0644, manifest, strlen(manifest),
			   NULL)) < 0)
		goto out;
	r = entries_write(&es, &outer);
	if (r < 0)
		goto out;
	r = write_atomic(out_tar, &outer);
	if (r < 0)
		goto out;
	snprintf(ret_image_id, IMAGE_ID_LEN, "sha256:%s", config_hex);
out:
	entries_free(&es);
	strbuf_free(&layer);
	strbuf_free(&outer);
	return r;
}
