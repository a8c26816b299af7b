/*
 * local_objects.c - the local backend's objects as ledger entries: each kind
 * knows how to make sure its object exists (ensure: idempotent, also after a
 * host reboot) and how to remove it (destroy: idempotent, 0 when already
 * gone). A bay is the ordered list of its entries: create = record, then
 * ensure; delete = destroy newest first; re-sync = ensure them all again.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/local/firewall.h"
#include "backends/local/netlink.h"
#include "backends/local/netns.h"
#include "backends/local/node.h"
#include "backends/local/volume.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "db/ledger.h"
#include "drivers/local.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
lobj_rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* Never cross into a mount (a volume still attached): FTW_MOUNT. */
	if (nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return -errno;
	return 0;
}

static bool
netns_mounted(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == NSFS_MAGIC;
}

static bool
is_mountpoint(const char *path)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		char mp[4096];

		/* id parent major:minor root mountpoint ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && streq(mp, path))
			found = true;
	}
	fclose(f);
	return found;
}

/* Run argv detached (own session, not our child once started); its pid. */
int
lobj_spawn_detached(char *const *argv, const char *log_path, pid_t *ret_pid)
{
	int pfd[2];
	pid_t pid, child = -1;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		pid_t g;
		int fd;

		setsid();
		g = fork();
		if (g != 0) {
			(void)!write(pfd[1], &g, sizeof(g));
			_exit(g < 0 ? 1 : 0);
		}
		fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	n = read(pfd[0], &child, sizeof(child));
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	if (n != sizeof(child) || child <= 0)
		return -ECHILD;
	*ret_pid = child;
	return 0;
}

/* The node_spec stored in a "node" entry's data. */
struct spec_buf {
	struct node_spec	spec;
	const char		*argv[96];
	const char		*binds[16];
};

static int
spec_from_json(json_t *d, const char *name, struct spec_buf *b)
{
	json_t *a = json_object_get(d, "argv"), *bs = json_object_get(d, "binds");
	size_t i, n = json_array_size(a), m = json_array_size(bs);

	if (n == 0 || n >= ARRAY_SIZE(b->argv) || m >= ARRAY_SIZE(b->binds))
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	for (i = 0; i < n; i++)
		b->argv[i] = json_string_value(json_array_get(a, i));
	for (i = 0; i < m; i++)
		b->binds[i] = json_string_value(json_array_get(bs, i));
	b->spec = (struct node_spec){
		.name = name,
		.netns_path = str(d, "netns"),
		.dir = str(d, "dir"),
		.cgroup = str(d, "cgroup"),
		.mem_bytes = (unsigned long long)json_integer_value(json_object_get(d, "mem_bytes")),
		.cpu_shares = (unsigned)json_integer_value(json_object_get(d, "cpu_shares")),
		.pids_max = (unsigned)json_integer_value(json_object_get(d, "pids_max")),
		.binds = b->binds,
		.argv = b->argv,
		.log_path = str(d, "log"),
	};
	return 0;
}

static int
ensure_node(struct db *db, json_t *e, char *err, size_t errlen)
{
	json_t *d = json_object_get(e, "data");
	pid_t pid = (pid_t)json_integer_value(json_object_get(d, "pid"));
	unsigned long long st = (unsigned long long)json_integer_value(json_object_get(d,
									       "starttime"));
	_cleanup_json_ json_t *nd = NULL;
	struct spec_buf b;
	int r;

	if (pid > 0 && node_alive(pid, st) == 1)
		return 0;
	r = spec_from_json(d, str(e, "name"), &b);
	if (r < 0)
		return r;
	r = node_start(&b.spec, &pid, err, errlen);
	if (r < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "starting node %s: %s", str(e, "name"), strerror(-r));
		return r;
	}
	r = node_starttime(pid, &st);
	if (r < 0)
		return r;
	nd = json_deep_copy(d);
	if (nd == NULL)
		return -ENOMEM;
	json_object_set_new(nd, "pid", json_integer(pid));
	json_object_set_new(nd, "starttime", json_integer((json_int_t)st));
	json_object_set(e, "data", nd);
	return ledger_set_present(db, json_integer_value(json_object_get(e, "id")), nd);
}

static int
ensure_haproxy(struct db *db, json_t *e, char *err, size_t errlen)
{
	json_t *d = json_object_get(e, "data");
	pid_t pid = (pid_t)json_integer_value(json_object_get(d, "pid"));
	unsigned long long st = (unsigned long long)json_integer_value(json_object_get(d,
									       "starttime"));
	_cleanup_json_ json_t *nd = NULL;
	const char *argv[8] = { str(d, "haproxy"), "-f", str(e, "name"), "-db", NULL };
	int r;

	if (pid > 0 && node_alive(pid, st) == 1)
		return 0;
	r = lobj_spawn_detached((char *const *)argv, str(d, "log"), &pid);
	if (r < 0) {
		snprintf(err, errlen, "starting haproxy: %s", strerror(-r));
		return r;
	}
	usleep(50 * 1000);
	if (node_starttime(pid, &st) < 0) {
		snprintf(err, errlen, "haproxy exited at start (see %s)", str(d, "log"));
		return -ESRCH;
	}
	nd = json_deep_copy(d);
	if (nd == NULL)
		return -ENOMEM;
	json_object_set_new(nd, "pid", json_integer(pid));
	json_object_set_new(nd, "starttime", json_integer((json_int_t)st));
	json_object_set(e, "data", nd);
	return ledger_set_present(db, json_integer_value(json_object_get(e, "id")), nd);
}

int
lobj_ensure(struct db *db, json_t *e, char *err, size_t errlen)
{
	const char *kind = str(e, "kind"), *name = str(e, "name");
	json_t *d = json_object_get(e, "data");
	int64_t id = json_integer_value(json_object_get(e, "id"));
	int r = 0;

	err[0] = '\0';
	if (streq(kind, "dir")) {
		r = mkdir_p(name, 0700);
	} else if (streq(kind, "bridge")) {
		r = nl_bridge_add(name, str(d, "addr"), err, errlen);
	} else if (streq(kind, "firewall")) {
		r = fw_table_exists(name);
		if (r == 0)
			r = fw_bay_add(name, str(d, "bridge"), str(d, "cidr"),
				       json_is_true(json_object_get(d, "egress")), err, errlen);
	} else if (streq(kind, "netns")) {
		if (!netns_mounted(name))
			r = netns_add(name);
	} else if (streq(kind, "veth")) {
		r = nl_link_exists(name);
		if (r == 0) {
			int fd = netns_open(str(d, "netns"));

			if (fd < 0)
				r = fd;
			else {
				r = nl_veth_add_to_netns(name, str(d, "bridge"), fd, "eth0",
							 str(d, "addr"), str(d, "gateway"), err,
							 errlen);
				close(fd);
			}
		}
	} else if (streq(kind, "volume")) {
		if (!is_mountpoint(str(d, "mnt"))) {
			char dev[64];

			r = mkdir_p(str(d, "mnt"), 0700);
			if (r >= 0)
				r = volume_attach(name, (unsigned long long)json_integer_value(
							  json_object_get(d, "bytes")),
						  str(d, "mnt"), dev, sizeof(dev), err, errlen);
		}
	} else if (streq(kind, "node")) {
		return ensure_node(db, e, err, errlen);
	} else if (streq(kind, "haproxy")) {
		return ensure_haproxy(db, e, err, errlen);
	} else {
		r = -EINVAL;
	}
	if (r < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s %s: %s", kind, name, strerror(-r));
		return r;
	}
	if (streq_ptr(str(e, "state"), "present"))
		return 0;
	r = ledger_set_present(db, id, NULL);
	if (r >= 0)
		json_object_set_new(e, "state", json_string("present"));
	return r;
}

int
lobj_destroy(json_t *e, char *err, size_t errlen)
{
	const char *kind = str(e, "kind"), *name = str(e, "name");
	json_t *d = json_object_get(e, "data");
	int r = 0;

	err[0] = '\0';
	if (streq(kind, "dir")) {
		r = lobj_rm_rf(name);
	} else if (streq(kind, "bridge") || streq(kind, "veth")) {
		r = nl_link_del(name);
	} else if (streq(kind, "firewall")) {
		r = fw_bay_del(name, err, errlen);
	} else if (streq(kind, "netns")) {
		r = netns_del(name);
	} else if (streq(kind, "volume")) {
		r = volume_detach(name, str(d, "mnt"), err, errlen);
	} else if (streq(kind, "node") || streq(kind, "haproxy")) {
		pid_t pid = (pid_t)json_integer_value(json_object_get(d, "pid"));
		unsigned long long st = (unsigned long long)json_integer_value(
			json_object_get(d, "starttime"));

		if (pid > 0)
			r = node_stop(pid, st, 0);
		if (r >= 0 && streq(kind, "node") && str(d, "cgroup"))
			r = cgroup_node_remove(str(d, "cgroup"));
	} else {
		r = -EINVAL;
	}
	if (r < 0 && err[0] == '\0')
		snprintf(err, errlen, "removing %s %s: %s", kind, name, strerror(-r));
	return r;
}
