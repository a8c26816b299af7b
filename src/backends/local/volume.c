/* volume.c - sparse file + loop device + ext4 + mount (see volume.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backends/local/lutil.h"
#include "backends/local/volume.h"
#include "common/cleanup.h"

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
	__u32			fd;
	__u32			block_size;
	struct loop_info64	info;
	__u64			__reserved[8];
};
#endif

static const char *const mkfs_paths[] = { "/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4" };

/* Find what is mounted on mp (our mount namespace): device number, 1 if mounted, 0 if not. */
static int
mounted_dev(const char *mp, dev_t *ret_dev)
{
	char line[4096], rp[PATH_MAX];
	FILE *f;
	int found = 0;

	if (realpath(mp, rp) == NULL)
		return -errno;
	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		char mpt[PATH_MAX];

		/* id parent maj:min root mountpoint */
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mpt) != 3)
			continue;
		if (streq(mpt, rp)) {
			*ret_dev = makedev(maj, min);
			found = 1;	/* last one wins: the top of a stack */
		}
	}
	fclose(f);
	return found;
}

/* Is /dev/loopN (sysfs name "loopN") bound to the file with this realpath? */
static int
loop_backs(const char *name, const char *real)
{
	char path[PATH_MAX], bf[PATH_MAX];
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name);
	r = lu_read_file(path, bf, sizeof(bf));
	if (r <= 0)
		return 0;
	/* a deleted backing file reads "PATH (deleted)" */
	return streq(bf, real) || (strncmp(bf, real, strlen(real)) == 0 &&
				   streq(bf + strlen(real), " (deleted)"));
}

static int
has_ext4(const char *img)
{
	_cleanup_close_ int fd = -1;
	unsigned char m[2];

	fd = open(img, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pread(fd, m, 2, 1024 + 56) != 2)	/* s_magic = 0xEF53, little endian */
		return 0;
	return m[0] == 0x53 && m[1] == 0xEF;
}

/* Bind backing fd to a free loop device; returns an O_CLOEXEC fd on it, name in dev. */
static int
loop_bind(int backing, const char *img, char *dev, size_t devlen, char *err, size_t errlen)
{
	_cleanup_close_ int ctl = -1;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return lu_errf(err, errlen, -errno, "open /dev/loop-control: %m");
	for (int attempt = 0; attempt < 16; attempt++) {
		struct loop_config cfg = { .fd = (__u32)backing };
		int nr, fd;

		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0)
			return lu_errf(err, errlen, -errno, "LOOP_CTL_GET_FREE: %m");
		snprintf(dev, devlen, "/dev/loop%d", nr);
		fd = open(dev, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return lu_errf(err, errlen, -errno, "open %s: %m", dev);
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		snprintf((char *)cfg.info.lo_file_name, LO_NAME_SIZE, "%s", img);
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0)
			return fd;
		if (errno == EINVAL || errno == ENOTTY) {
			/* kernel before 5.8: two steps */
			if (ioctl(fd, LOOP_SET_FD, backing) == 0) {
				if (ioctl(fd, LOOP_SET_STATUS64, &cfg.info) == 0)
					return fd;
				int e = -errno;

				ioctl(fd, LOOP_CLR_FD, 0);
				close(fd);
				return lu_errf(err, errlen, e, "LOOP_SET_STATUS64 %s: %s", dev,
					       strerror(-e));
			}
		}
		int e = errno;

		close(fd);
		if (e != EBUSY)	/* EBUSY: another attacher took it first; try the next */
			return lu_errf(err, errlen, -e, "configure %s: %s", dev, strerror(e));
	}
	return lu_errf(err, errlen, -EBUSY, "no free loop device");
}

static int
attach(const char *img_path, unsigned long long bytes, const char *mountpoint,
       char *ret_loopdev, size_t n, bool *created, char *err, size_t errlen)
{
	_cleanup_close_ int backing = -1, loopfd = -1;
	char dev[64], real[PATH_MAX];
	struct stat st;
	dev_t mdev;
	int r;

	if (img_path == NULL || *img_path != '/' || mountpoint == NULL || *mountpoint != '/')
		return lu_errf(err, errlen, -EINVAL, "paths must be absolute");
	r = mounted_dev(mountpoint, &mdev);
	if (r < 0)
		return lu_errf(err, errlen, r, "mount point %s: %s", mountpoint, strerror(-r));
	if (r == 1) {
		char name[32];

		/* already attached from this file? (loop is block major 7) */
		snprintf(name, sizeof(name), "loop%u", minor(mdev));
		if (major(mdev) == 7 && realpath(img_path, real) && loop_backs(name, real)) {
			snprintf(ret_loopdev, n, "/dev/%s", name);
			return 0;
		}
		return lu_errf(err, errlen, -EBUSY, "%s is already a mount point", mountpoint);
	}

	backing = open(img_path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (backing < 0 && errno == ENOENT) {
		backing = open(img_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
		*created = backing >= 0;
	}
	if (backing < 0)
		return lu_errf(err, errlen, -errno, "create %s: %m", img_path);
	if (fstat(backing, &st) < 0)
		return lu_errf(err, errlen, -errno, "stat %s: %m", img_path);
	if (st.st_size == 0) {
		if (bytes < (8ULL << 20))
			return lu_errf(err, errlen, -EINVAL, "volume size %llu too small", bytes);
		if (ftruncate(backing, (off_t)bytes) < 0)
			return lu_errf(err, errlen, -errno, "size %s: %m", img_path);
	}
	loopfd = loop_bind(backing, img_path, dev, sizeof(dev), err, errlen);
	if (loopfd < 0)
		return loopfd;
	close(backing);
	backing = -1;

	r = has_ext4(img_path);
	if (r == 0) {
		const char *mkfs = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(mkfs_paths) && !mkfs; i++)
			if (access(mkfs_paths[i], X_OK) == 0)
				mkfs = mkfs_paths[i];
		if (mkfs == NULL)
			return lu_errf(err, errlen, -ENOENT, "mkfs.ext4 not found (e2fsprogs)");
		const char *const argv[] = { mkfs, "-q", "-F", "-E",
					     "lazy_itable_init=1,lazy_journal_init=1", dev, NULL };
		char msg[256];

		r = lu_run(argv, NULL, msg, sizeof(msg));
		if (r < 0)
			return lu_errf(err, errlen, r, "mkfs.ext4 %s: %s", dev, msg);
	} else if (r < 0) {
		return lu_errf(err, errlen, r, "read %s: %s", img_path, strerror(-r));
	}
	if (mount(dev, mountpoint, "ext4", MS_NOATIME, NULL) < 0)
		return lu_errf(err, errlen, -errno, "mount %s on %s: %m", dev, mountpoint);
	/* closing loopfd now leaves the mount as the only user: AUTOCLEAR frees the
	 * device at the last umount */
	snprintf(ret_loopdev, n, "%s", dev);
	return 0;
}

int
volume_attach(const char *img_path, unsigned long long bytes, const char *mountpoint,
	      char *ret_loopdev, size_t n, char *err, size_t errlen)
{
	bool created = false;
	int r;

	r = attach(img_path, bytes, mountpoint, ret_loopdev, n, &created, err, errlen);
	if (r < 0 && created)
		unlink(img_path);	/* the loop device, if any, was freed by AUTOCLEAR */
	return r;
}

int
volume_detach(const char *img_path, const char *mountpoint, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct dirent *de;
	dev_t mdev;
	DIR *d;
	int r;

	if (img_path == NULL || *img_path != '/' || mountpoint == NULL || *mountpoint != '/')
		return lu_errf(err, errlen, -EINVAL, "paths must be absolute");
	r = mounted_dev(mountpoint, &mdev);
	if (r == 1 && umount2(mountpoint, 0) < 0) {
		if (errno != EBUSY)
			return lu_errf(err, errlen, -errno, "umount %s: %m", mountpoint);
		if (umount2(mountpoint, MNT_DETACH) < 0)
			return lu_errf(err, errlen, -errno, "umount -l %s: %m", mountpoint);
	}
	if (realpath(img_path, real) == NULL) {
		if (errno == ENOENT)
			return 0;
		return lu_errf(err, errlen, -errno, "%s: %m", img_path);
	}
	d = opendir("/sys/block");
	if (d == NULL)
		return lu_errf(err, errlen, -errno, "/sys/block: %m");
	while ((de = readdir(d)) != NULL) {
		char dev[300];
		int fd;

		if (strncmp(de->d_name, "loop", 4) != 0 || !loop_backs(de->d_name, real))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* busy (still mounted in a node): the kernel turns this into autoclear */
		if (ioctl(fd, LOOP_CLR_FD, 0) < 0 && errno != ENXIO && errno != EBUSY) {
			r = -errno;
			close(fd);
			closedir(d);
			return lu_errf(err, errlen, r, "detach %s: %s", dev, strerror(-r));
		}
		close(fd);
	}
	closedir(d);
	if (unlink(img_path) < 0 && errno != ENOENT)
		return lu_errf(err, errlen, -errno, "remove %s: %m", img_path);
	return 0;
}
