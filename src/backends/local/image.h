/*
 * image.h - the bay nodes' busybox image as a `docker load` tarball, built
 * in-process without a daemon. The archive is deterministic (sorted entries,
 * mtime 0, owner 0, a config without timestamps), so every node and every run
 * gets the same image ID, and services can name the image by that ID: the
 * swarm then never asks a registry.
 */
#pragma once

#define IMAGE_ID_LEN	72	/* "sha256:" + 64 hex + NUL */
#define IMAGE_MAX_BINARY (64u << 20)

/*
 * Write to out_tar (atomically: a temporary file renamed) an image with one
 * layer holding the static busybox binary at busybox_path as /bin/busybox,
 * symlinks for the common applets, /etc/passwd and /etc/group, and empty
 * /tmp (1777), /proc, /sys, /dev; Cmd ["sh"]; tagged repo_tag ("name:tag").
 * Returns 0 and the image ID ("sha256:<hex of the config JSON>"); -EINVAL for a
 * bad tag, -EFBIG for a binary over 64 MiB, or the errno of reading or writing.
 */
int image_build_busybox(const char *busybox_path, const char *out_tar, const char *repo_tag,
			char ret_image_id[IMAGE_ID_LEN]);
