/*
 * volume.h - a node's docker volume: a sparse file on a loop device, ext4, mounted
 * (report section 7; overlay2 runs on it). Mount before node_start() (the node's mount
 * namespace copies the mount) and detach after node_stop(): a detach while a node runs
 * only lazily unmounts it here; the loop device (LO_FLAGS_AUTOCLEAR) is freed when the
 * node's mount namespace goes away.
 */
#pragma once

#include <stddef.h>

/*
 * Create img_path as a sparse file of `bytes` (if new), bind it to a free loop device,
 * make an ext4 on it unless it already holds one (a re-attach keeps the data), mount it
 * on mountpoint (which exists). The device name ("/dev/loopN") goes to ret_loopdev.
 * Already mounted from this file: 0 (and the device). 0 or -errno with err set
 * (-EBUSY: mountpoint holds something else).
 */
int volume_attach(const char *img_path, unsigned long long bytes, const char *mountpoint,
		  char *ret_loopdev, size_t n, char *err, size_t errlen);

/* Unmount mountpoint (lazily if busy), detach every loop device still bound to img_path,
 * remove the file. 0 if done or nothing was there, -errno with err set otherwise. */
int volume_detach(const char *img_path, const char *mountpoint, char *err, size_t errlen);
