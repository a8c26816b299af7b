/*
 * test_local_volume.c - loop-backed ext4 volume: attach (sparse file, loop device, mkfs,
 * mount), write and read a file, idempotent re-attach keeping the data, detach frees the
 * loop device and the file. Needs root.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/mount.h>

#include "backends/local/volume.h"
#include "local_fixture.h"

static char tmpdir[64], img[128], mnt[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnum-test-volXXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(img, sizeof(img), "%s/mgt-vol.img", tmpdir);
	snprintf(mnt, sizeof(mnt), "%s/data", tmpdir);
	mkdir(mnt, 0755);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	volume_detach(img, mnt, NULL, 0);
	rm_tree(tmpdir);
	return 0;
}

/* How many loop devices are bound to img? */
static int
loops_on(const char *path)
{
	DIR *d = opendir("/sys/block");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL) {
		char p[300], bf[300];
		int fd;
		ssize_t r;

		if (strncmp(de->d_name, "loop", 4) != 0)
			continue;
		snprintf(p, sizeof(p), "/sys/block/%s/loop/backing_file", de->d_name);
		fd = open(p, O_RDONLY);
		if (fd < 0)
			continue;
		r = read(fd, bf, sizeof(bf) - 1);
		close(fd);
		bf[r > 0 ? r : 0] = '\0';
		n += strncmp(bf, path, strlen(path)) == 0;
	}
	if (d)
		closedir(d);
	return n;
}

static void
test_volume(void **state)
{
	char dev[64] = "", dev2[64] = "", err[512] = "", file[192], buf[64];
	struct stat st;
	double t0;
	int fd;

	(void)state;
	NEED_ROOT();
	t0 = now_ms();
	if (volume_attach(img, 256ULL << 20, mnt, dev, sizeof(dev), err, sizeof(err)) < 0)
		fail_msg("attach: %s", err);
	printf("volume_attach 256 MiB: %.1f ms (%s)\n", now_ms() - t0, dev);
	assert_int_equal(strncmp(dev, "/dev/loop", 9), 0);
	assert_int_equal(loops_on(img), 1);

	/* sparse: 256 MiB apparent, little allocated */
	assert_int_equal(stat(img, &st), 0);
	assert_int_equal(st.st_size, 256LL << 20);
	assert_true(st.st_blocks * 512 < (64LL << 20));

	snprintf(file, sizeof(file), "%s/hello", mnt);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mgt-volume-data", 15), 15);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	assert_int_equal(run_capture((const char *const[]){ "/usr/bin/findmnt", "-n", "-o",
							    "FSTYPE", mnt, NULL },
				     buf, sizeof(buf), 3000), 0);
	assert_string_equal(buf, "ext4\n");

	/* attach again while mounted: same device, nothing new */
	assert_int_equal(volume_attach(img, 256ULL << 20, mnt, dev2, sizeof(dev2), err,
				       sizeof(err)), 0);
	assert_string_equal(dev, dev2);
	assert_int_equal(loops_on(img), 1);

	/* unmount by hand, re-attach: the existing ext4 is kept (no mkfs), data is there */
	assert_int_equal(umount2(mnt, 0), 0);
	usleep(20000);
	assert_int_equal(volume_attach(img, 256ULL << 20, mnt, dev2, sizeof(dev2), err,
				       sizeof(err)), 0);
	fd = open(file, O_RDONLY);
	assert_true(fd >= 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(read(fd, buf, sizeof(buf)), 15);
	close(fd);
	assert_string_equal(buf, "mgt-volume-data");

	/* a mount point holding something else is refused */
	{
		char other[192];

		snprintf(other, sizeof(other), "%s/other.img", tmpdir);
		assert_int_equal(volume_attach(other, 64ULL << 20, mnt, dev2, sizeof(dev2), err,
					       sizeof(err)), -EBUSY);
	}

	t0 = now_ms();
	assert_int_equal(volume_detach(img, mnt, err, sizeof(err)), 0);
	printf("volume_detach: %.1f ms\n", now_ms() - t0);
	assert_int_equal(access(img, F_OK), -1);
	{
		double t1 = now_ms();

		while (loops_on(img) > 0 && now_ms() - t1 < 2000)
			usleep(10000);
	}
	assert_int_equal(loops_on(img), 0);
	assert_int_equal(access(file, F_OK), -1);	/* unmounted */
	assert_int_equal(volume_detach(img, mnt, err, sizeof(err)), 0);	/* idempotent */

	/* errors */
	assert_int_equal(volume_attach("relative.img", 1 << 20, mnt, dev, sizeof(dev), err,
				       sizeof(err)), -EINVAL);
	assert_int_equal(volume_attach(img, 1 << 20, mnt, dev, sizeof(dev), err, sizeof(err)),
			 -EINVAL);	/* too small */
	assert_int_equal(access(img, F_OK), -1);	/* a failed attach leaves no file */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_volume),
	};
	return cmocka_run_group_tests_name("local_volume", tests, setup, teardown);
}
