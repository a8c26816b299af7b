/* netns.c - persistent network namespaces pinned by bind mounts (see netns.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backends/local/netns.h"
#include "common/cleanup.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;

static int
is_nsfs(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return -errno;
	return sf.f_type == NSFS_MAGIC;
}

/*
 * Make dir a shared mount point of its own (iproute2's /run/netns recipe): try to mark it
 * shared; EINVAL means it is not a mount point yet, so bind it onto itself and retry.
 */
static int
netns_dir_setup(const char *dir)
{
	int r = 0;

	pthread_mutex_lock(&dir_lock);
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL) {
			r = -errno;
		} else if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0 ||
			   mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
			r = -errno;
		}
	}
	pthread_mutex_unlock(&dir_lock);
	return r;
}

struct pin {
	const char	*path;
	int		ret;
};

static void *
pin_thread(void *p)
{
	struct pin *a = p;
	char self[64];

	/* a thread may unshare its netns; it ends right after pinning it */
	if (unshare(CLONE_NEWNET) < 0) {
		a->ret = -errno;
		return NULL;
	}
	snprintf(self, sizeof(self), "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
	a->ret = mount(self, a->path, "none", MS_BIND, NULL) < 0 ? -errno : 0;
	return NULL;
}

int
netns_add(const char *path)
{
	char dir[PATH_MAX];
	struct pin a = { .path = path, .ret = -EIO };
	pthread_t t;
	int fd, r;

	if (path == NULL || *path != '/' || snprintf(dir, sizeof(dir), "%s", path) >= PATH_MAX)
		return -EINVAL;
	r = is_nsfs(path);
	if (r == 1)
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	r = netns_dir_setup(dirname(dir));
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0);	/* mount point */
	if (fd < 0)
		return -errno;
	close(fd);
	r = pthread_create(&t, NULL, pin_thread, &a);
	if (r != 0) {
		unlink(path);
		return -r;
	}
	pthread_join(t, NULL);
	if (a.ret < 0) {
		unlink(path);
		return a.ret;
	}
	return 0;
}

int
netns_open(const char *path)
{
	struct statfs sf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != NSFS_MAGIC) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int
netns_del(const char *path)
{
	if (path == NULL || *path != '/')
		return -EINVAL;
	/* may be stacked if pinned twice by racing callers: unmount until plain */
	for (int i = 0; i < 8; i++) {
		if (umount2(path, MNT_DETACH) < 0) {
			if (errno == EINVAL)
				break;		/* not a mount point (any more) */
			if (errno == ENOENT)
				return 0;
			return -errno;
		}
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
netns_dir_release(const char *dir)
{
	_cleanup_close_ int fd = -1;
	struct dirent *de;
	DIR *d;
	int r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (d == NULL)
		return -errno;
	fd = -1;
	while ((de = readdir(d)) != NULL) {
		char p[PATH_MAX];

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (is_nsfs(p) == 1) {
			r = -EBUSY;
			break;
		}
	}
	closedir(d);
	if (r < 0)
		return r;
	pthread_mutex_lock(&dir_lock);
	if (umount2(dir, MNT_DETACH) < 0 && errno != EINVAL)
		r = -errno;
	pthread_mutex_unlock(&dir_lock);
	return r;
}
