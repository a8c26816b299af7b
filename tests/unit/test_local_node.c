/*
 * test_local_node.c - the node launcher and init: hostname, pid/uts/mount namespaces, the
 * node's netns and sysfs, cgroups and limits, binds, survival of the launcher's exit,
 * graceful and forced stop, start errors reported with the failed step. Needs root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>

#include "backends/local/netlink.h"
#include "backends/local/netns.h"
#include "backends/local/node.h"
#include "common/cleanup.h"
#include "local_fixture.h"

static char tmpdir[64], nsdir[128], nspath[192], br[32], hostif[32], cg[64], name[32];
static char logpath[192], hostsfile[192];
static pid_t init_pid;
static unsigned long long init_start;

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnum-test-nodeXXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(nsdir, sizeof(nsdir), "%s/netns", tmpdir);
	mkdir(nsdir, 0755);
	snprintf(nspath, sizeof(nspath), "%s/mgt-node", nsdir);
	snprintf(br, sizeof(br), "mgtbr%d", getpid() % 100000);
	snprintf(hostif, sizeof(hostif), "mgt%dn0", getpid() % 100000);
	snprintf(cg, sizeof(cg), "mgt-%d/n0", (int)getpid());
	snprintf(name, sizeof(name), "mgt-b%d-n0", (int)getpid());
	snprintf(logpath, sizeof(logpath), "%s/node.log", tmpdir);
	snprintf(hostsfile, sizeof(hostsfile), "%s/hosts", tmpdir);
	return 0;
}

/* after each test, pass or fail: no node, no cgroup */
static int
stop_node(void **state)
{
	(void)state;
	if (init_pid > 0)
		node_stop(init_pid, init_start, 0);
	init_pid = 0;
	cgroup_node_remove(cg);
	reap_orphans();
	return 0;
}

static int
teardown(void **state)
{
	stop_node(state);
	cg_remove_parent(cg);
	nl_link_del(hostif);
	nl_link_del(br);
	netns_del(nspath);
	netns_dir_release(nsdir);
	rm_tree(tmpdir);
	return 0;
}

static void
net_up(void)
{
	_cleanup_close_ int fd = -1;
	char err[256];

	assert_int_equal(netns_add(nspath), 0);
	fd = netns_open(nspath);
	assert_true(fd >= 0);
	if (nl_bridge_add(br, "10.248.250.1/24", err, sizeof(err)) < 0 ||
	    nl_veth_add_to_netns(hostif, br, fd, "eth0", "10.248.250.10/24", "10.248.250.1",
				 err, sizeof(err)) < 0)
		fail_msg("net: %s", err);
}

static bool
log_has(const char *needle, int timeout_ms)
{
	char buf[16384];
	double t0 = now_ms();

	do {
		int fd = open(logpath, O_RDONLY);
		ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (strstr(buf, needle))
			return true;
		usleep(10000);
	} while (now_ms() - t0 < timeout_ms);
	fprintf(stderr, "log lacks '%s':\n%s\n", needle, buf);
	return false;
}

static unsigned long
ns_inode(pid_t pid, const char *ns)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	return strtoul(strchr(link, '[') + 1, NULL, 10);
}

/* Number of pids in the node's cgroup (pids hierarchy), -1 if it is absent. */
static int
cg_count(void)
{
	char path[256], buf[4096];
	int fd, n = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/fs/cgroup/pids/%s/cgroup.procs", cg);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	for (char *p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

static void
start_via_child(const struct node_spec *s)
{
	int p[2], status;
	char err[512] = "";
	pid_t child;
	struct { int r; pid_t pid; char err[512]; } res = { 0 };

	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[0]);
		res.r = node_start(s, &res.pid, res.err, sizeof(res.err));
		(void)!write(p[1], &res, sizeof(res));
		_exit(0);		/* the launcher goes away; the node must stay */
	}
	close(p[1]);
	assert_int_equal(read(p[0], &res, sizeof(res)), (ssize_t)sizeof(res));
	close(p[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	snprintf(err, sizeof(err), "%s", res.err);
	if (res.r < 0)
		fail_msg("node_start: %d %s", res.r, err);
	init_pid = res.pid;
	assert_int_equal(node_starttime(init_pid, &init_start), 0);
}

static void
test_node_lifecycle(void **state)
{
	char hostsbind[256], buf[256], path[256], script[1024];
	const char *binds[] = { hostsbind, NULL };
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct node_spec s = { .name = name, .netns_path = nspath, .dir = tmpdir, .cgroup = cg,
			       .mem_bytes = 256ULL << 20, .cpu_shares = 512, .pids_max = 200,
			       .binds = binds, .argv = argv, .log_path = logpath };
	unsigned long long peak = 0;
	double t0, t_start, t_stop;
	int fd;

	snprintf(script, sizeof(script),
		"echo host=$(hostname); echo pid1=$(head -c 36 /proc/1/cmdline | tr '\\0' ' '); "
		"echo me=$$; echo nets=$(ls /sys/class/net | tr '\\n' ' '); "
		"echo cg=$(ls /sys/fs/cgroup | tr '\\n' ' '); "
		"echo mem=$(cat /sys/fs/cgroup/memory/%s/memory.limit_in_bytes 2>&1); "
		"echo hosts=$(cat /etc/hosts); echo cwd=$(pwd); exec sleep 30", cg);

	(void)state;
	NEED_ROOT();
	net_up();
	fd = open(hostsfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mgt-bind-ok\n", 12), 12);
	close(fd);
	snprintf(hostsbind, sizeof(hostsbind), "%s:/etc/hosts", hostsfile);

	t0 = now_ms();
	start_via_child(&s);
	t_start = now_ms() - t0;
	printf("node_start: %.1f ms (init pid %d)\n", t_start, (int)init_pid);

	/* the launcher is gone; the init lives on, re-parented away from it */
	usleep(50000);
	assert_int_equal(node_alive(init_pid, init_start), 1);
	{
		char st[512], *p;
		int ppid = 0;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)init_pid);
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		st[read(fd, st, sizeof(st) - 1)] = '\0';
		close(fd);
		p = strrchr(st, ')');
		assert_int_equal(sscanf(p + 2, "%*c %d", &ppid), 1);
		assert_int_equal(ppid, getpid());	/* our subreaper, not the launcher */
		assert_non_null(strstr(st, "(node-init)"));
	}
	assert_int_equal(node_alive(init_pid, init_start + 1), 0);	/* pid-reuse guard */

	snprintf(buf, sizeof(buf), "host=%s\n", name);
	assert_true(log_has(buf, 5000));
	assert_true(log_has("pid1=magnumd node-init --name", 2000));
	assert_true(log_has("me=", 2000));
	assert_true(log_has("nets=eth0 lo", 2000));	/* sysfs of the node's netns */
	assert_true(log_has("cpuset", 2000));
	assert_true(log_has("systemd", 2000));
	assert_true(log_has("mem=268435456", 2000));
	assert_true(log_has("hosts=mgt-bind-ok", 2000));
	snprintf(buf, sizeof(buf), "cwd=%s\n", tmpdir);
	assert_true(log_has(buf, 2000));

	/* namespaces: pid, uts, mnt, ipc new; net = the pinned one */
	{
		struct stat st;

		assert_int_not_equal(ns_inode(init_pid, "pid"), ns_inode(getpid(), "pid"));
		assert_int_not_equal(ns_inode(init_pid, "uts"), ns_inode(getpid(), "uts"));
		assert_int_not_equal(ns_inode(init_pid, "mnt"), ns_inode(getpid(), "mnt"));
		assert_int_not_equal(ns_inode(init_pid, "ipc"), ns_inode(getpid(), "ipc"));
		assert_int_equal(stat(nspath, &st), 0);
		assert_int_equal(ns_inode(init_pid, "net"), st.st_ino);
	}
	/* the node's processes are in its cgroup, with its limits */
	assert_int_equal(cg_count(), 2);	/* init, and sh exec()ed into sleep */
	snprintf(path, sizeof(path), "/sys/fs/cgroup/pids/%s/pids.max", cg);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	buf[read(fd, buf, sizeof(buf) - 1)] = '\0';
	close(fd);
	assert_string_equal(buf, "200\n");
	assert_int_equal(cgroup_node_memory_peak(cg, &peak), 0);
	assert_true(peak > 0);
	/* the host's mount table is untouched by the node's mounts */
	assert_int_equal(run_capture((const char *const[]){ "/usr/bin/grep", "-c", "cgroup_root",
							    "/proc/self/mountinfo", NULL },
				     buf, sizeof(buf), 2000), 1);

	/* busy cgroup cannot go */
	assert_int_equal(cgroup_node_remove(cg), -EBUSY);

	t0 = now_ms();
	assert_int_equal(node_stop(init_pid, init_start, 3000), 0);
	t_stop = now_ms() - t0;
	printf("node_stop (SIGTERM, forwarded): %.1f ms\n", t_stop);
	assert_true(t_stop < 2500);		/* the program died of SIGTERM, no SIGKILL needed */
	assert_int_equal(node_alive(init_pid, init_start), 0);
	assert_int_equal(cg_count(), 0);
	assert_int_equal(node_stop(init_pid, init_start, 3000), 0);	/* already gone */
	init_pid = 0;
	assert_int_equal(cgroup_node_remove(cg), 0);
	assert_int_equal(cgroup_node_remove(cg), 0);
	snprintf(path, sizeof(path), "/sys/fs/cgroup/memory/%s", cg);
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_node_kill_after_grace(void **state)
{
	const char *argv[] = { "/bin/sh", "-c",
			       "trap '' TERM; echo ready; while :; do sleep 1; done", NULL };
	struct node_spec s = { .name = name, .netns_path = nspath, .dir = tmpdir, .cgroup = cg,
			       .argv = argv, .log_path = logpath };
	char err[256];
	double t0, t;

	(void)state;
	NEED_ROOT();
	if (access(nspath, F_OK) != 0)
		net_up();
	truncate(logpath, 0);
	assert_int_equal(node_start(&s, &init_pid, err, sizeof(err)), 0);
	assert_int_equal(node_starttime(init_pid, &init_start), 0);
	assert_true(log_has("ready", 5000));
	assert_true(cg_count() >= 2);
	t0 = now_ms();
	assert_int_equal(node_stop(init_pid, init_start, 300), 0);
	t = now_ms() - t0;
	printf("node_stop (TERM ignored, SIGKILL after 300 ms): %.1f ms\n", t);
	assert_true(t >= 290 && t < 2000);
	assert_int_equal(node_alive(init_pid, init_start), 0);
	assert_int_equal(cg_count(), 0);	/* the whole pid namespace went */
	init_pid = 0;
	assert_int_equal(cgroup_node_remove(cg), 0);
}

static void
test_node_start_errors(void **state)
{
	const char *bad_prog[] = { "/nonexistent/mgt-prog", NULL };
	const char *ok_prog[] = { "/bin/true", NULL };
	const char *bad_bind[] = { "/nonexistent/mgt-src:/etc/hosts", NULL };
	const char *bad_dst[] = { "/etc/hostname:/nonexistent/mgt-dst", NULL };
	struct node_spec s = { .name = name, .netns_path = nspath, .dir = tmpdir, .cgroup = cg,
			       .argv = bad_prog, .log_path = logpath };
	char err[256] = "";
	pid_t pid = 0;

	(void)state;
	NEED_ROOT();
	if (access(nspath, F_OK) != 0)
		net_up();

	assert_int_equal(node_start(&s, &pid, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "exec /nonexistent/mgt-prog"));

	s.argv = ok_prog;
	s.binds = bad_bind;
	assert_int_equal(node_start(&s, &pid, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "bind source /nonexistent/mgt-src"));

	s.binds = bad_dst;
	assert_int_equal(node_start(&s, &pid, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "bind /etc/hostname:/nonexistent/mgt-dst"));

	s.binds = NULL;
	s.netns_path = "/nonexistent/mgt-netns";
	assert_int_equal(node_start(&s, &pid, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "open netns"));

	s.netns_path = nspath;
	s.cgroup = "../escape";
	assert_int_equal(node_start(&s, &pid, err, sizeof(err)), -EINVAL);
	s.cgroup = cg;
	s.dir = "relative";
	assert_int_equal(node_start(&s, &pid, err, sizeof(err)), -EINVAL);
	assert_int_equal(pid, 0);	/* never written on failure */

	/* failed starts leave no process behind */
	{
		double t0 = now_ms();

		while (cg_count() > 0 && now_ms() - t0 < 2000)
			usleep(10000);
		assert_int_equal(cg_count(), 0);
	}
	assert_int_equal(cgroup_node_remove(cg), 0);
}

#define NPAR 4

struct par {
	char		name[32], cg[64], log[256], err[256];
	pid_t		pid;
	int		r;
};

static struct par par[NPAR];

static void *
par_start(void *arg)
{
	struct par *p = arg;
	const char *argv[] = { "/bin/sh", "-c", "echo up=$(hostname); exec sleep 30", NULL };
	struct node_spec s = { .name = p->name, .netns_path = nspath, .dir = tmpdir,
			       .cgroup = p->cg, .mem_bytes = 64ULL << 20, .argv = argv,
			       .log_path = p->log };

	p->r = node_start(&s, &p->pid, p->err, sizeof(p->err));
	return NULL;
}

static int
par_cleanup(void **state)
{
	(void)state;
	for (int i = 0; i < NPAR; i++) {
		unsigned long long st;

		if (par[i].pid > 0 && node_starttime(par[i].pid, &st) == 0)
			node_stop(par[i].pid, st, 0);
		par[i].pid = 0;
		if (par[i].cg[0])
			cgroup_node_remove(par[i].cg);
	}
	reap_orphans();
	return 0;
}

/* node_start from several threads at once (the conductor's workers do that) */
static void
test_node_parallel(void **state)
{
	pthread_t t[NPAR];
	unsigned long long st[NPAR];
	double t0;

	(void)state;
	NEED_ROOT();
	if (access(nspath, F_OK) != 0)
		net_up();
	for (int i = 0; i < NPAR; i++) {
		snprintf(par[i].name, sizeof(par[i].name), "mgt-par-%d", i);
		snprintf(par[i].cg, sizeof(par[i].cg), "mgt-%d/p%d", (int)getpid(), i);
		snprintf(par[i].log, sizeof(par[i].log), "%s/par%d.log", tmpdir, i);
	}
	t0 = now_ms();
	for (int i = 0; i < NPAR; i++)
		assert_int_equal(pthread_create(&t[i], NULL, par_start, &par[i]), 0);
	for (int i = 0; i < NPAR; i++)
		pthread_join(t[i], NULL);
	printf("%d nodes started in parallel: %.1f ms\n", NPAR, now_ms() - t0);
	for (int i = 0; i < NPAR; i++) {
		char want[64];

		if (par[i].r < 0)
			fail_msg("node %d: %s", i, par[i].err);
		assert_int_equal(node_starttime(par[i].pid, &st[i]), 0);
		snprintf(logpath, sizeof(logpath), "%s", par[i].log);
		snprintf(want, sizeof(want), "up=mgt-par-%d", i);
		assert_true(log_has(want, 5000));
	}
	for (int i = 0; i < NPAR; i++) {
		assert_int_equal(node_stop(par[i].pid, st[i], 2000), 0);
		par[i].pid = 0;
		assert_int_equal(cgroup_node_remove(par[i].cg), 0);
	}
	snprintf(logpath, sizeof(logpath), "%s/node.log", tmpdir);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_node_lifecycle, stop_node),
		cmocka_unit_test_teardown(test_node_kill_after_grace, stop_node),
		cmocka_unit_test_teardown(test_node_start_errors, stop_node),
		cmocka_unit_test_teardown(test_node_parallel, par_cleanup),
	};

	if (argc > 1 && strcmp(argv[1], "node-init") == 0)
		return node_init_main(argc - 1, argv + 1);
	become_subreaper();
	return cmocka_run_group_tests_name("local_node", tests, setup, teardown);
}
