/*
 * test_local_dockerd.c - integration: one real dockerd in a node, as the local-bay report's
 * section 2 runs it (own data-root on a loop ext4 volume, own exec-root, overlay2,
 * --cgroup-parent, unix socket in the node dir, per-node /etc/docker and resolv.conf with
 * no upstream). Waits for /_ping (30 s at most), checks /info, stops the node and checks
 * that nothing is left. Prints: bridge + 3 netns + veths, node start -> _ping, node_stop.
 * Needs root and dockerd; skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>

#include "backends/local/netlink.h"
#include "backends/local/netns.h"
#include "backends/local/node.h"
#include "backends/local/volume.h"
#include "common/cleanup.h"
#include "local_fixture.h"

#define DOCKERD "/usr/sbin/dockerd"
#define NNODES 3

static char tmpdir[64], nsdir[128], nspath[NNODES][192], br[32], hostif[NNODES][32];
static char cg[64], name[32], img[192], data[192], run[192];
static int net;
static pid_t init_pid;
static unsigned long long init_start;

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnum-test-dkXXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(nsdir, sizeof(nsdir), "%s/netns", tmpdir);
	mkdir(nsdir, 0755);
	for (int i = 0; i < NNODES; i++) {
		snprintf(nspath[i], sizeof(nspath[i]), "%s/mgt-n%d", nsdir, i);
		snprintf(hostif[i], sizeof(hostif[i]), "mgt%dd%d", getpid() % 100000, i);
	}
	snprintf(br, sizeof(br), "mgtbr%d", getpid() % 100000);
	snprintf(cg, sizeof(cg), "mgt-%d/dk0", (int)getpid());
	snprintf(name, sizeof(name), "mgt-dk%d-n0", (int)getpid());
	snprintf(img, sizeof(img), "%s/vol-n0.img", tmpdir);
	snprintf(data, sizeof(data), "%s/data", tmpdir);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	net = 1 + getpid() % 200;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (init_pid > 0)
		node_stop(init_pid, init_start, 0);
	reap_orphans();
	cgroup_node_remove(cg);
	cg_remove_parent(cg);
	volume_detach(img, data, NULL, 0);
	for (int i = 0; i < NNODES; i++) {
		nl_link_del(hostif[i]);
		netns_del(nspath[i]);
	}
	nl_link_del(br);
	netns_dir_release(nsdir);
	rm_tree(tmpdir);
	return 0;
}

static void
put_file(const char *dir, const char *file, const char *content)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static int
docker_get(const char *what, char *out, size_t n)
{
	char sock[256], url[64];
	const char *const argv[] = { "/usr/bin/curl", "-s", "--max-time", "2", "--unix-socket",
				     sock, url, NULL };

	snprintf(sock, sizeof(sock), "%s/docker.sock", run);
	snprintf(url, sizeof(url), "http://x/%s", what);
	return run_capture(argv, out, n, 5000);
}

static void
test_dockerd_node(void **state)
{
	char err[512] = "", addr[32], gw[32], cidr[32], buf[65536], dev[64];
	char b_etc[320], b_resolv[256], b_hosts[256], a_pid[256];
	char a_cgp[128], a_host[256], a_conf[256], logpath[256], etcdir[256];
	const char *binds[] = { b_etc, b_resolv, b_hosts, NULL };
	const char *argv[] = { DOCKERD, "--config-file", a_conf, "--data-root", data,
			       "--exec-root", run, "--pidfile", a_pid, "--cgroup-parent", a_cgp,
			       "--storage-driver", "overlay2", "-H", a_host, "--iptables=true",
			       NULL };
	struct node_spec s = { .name = name, .netns_path = nspath[0], .dir = tmpdir, .cgroup = cg,
			       .mem_bytes = 1ULL << 30, .pids_max = 4096, .binds = binds,
			       .argv = argv, .log_path = logpath };
	unsigned long long peak = 0;
	double t0, t_net, t_ping, t_stop;
	bool up = false;

	(void)state;
	NEED_ROOT();
	if (access(DOCKERD, X_OK) != 0 || access("/usr/bin/curl", X_OK) != 0) {
		fprintf(stderr, "skipped: no dockerd or curl\n");
		skip();
	}

	/* network: bridge + 3 netns + veths */
	snprintf(gw, sizeof(gw), "10.248.%d.1", net);
	snprintf(cidr, sizeof(cidr), "10.248.%d.1/24", net);
	t0 = now_ms();
	assert_int_equal(nl_bridge_add(br, cidr, err, sizeof(err)), 0);
	for (int i = 0; i < NNODES; i++) {
		_cleanup_close_ int fd = -1;

		assert_int_equal(netns_add(nspath[i]), 0);
		fd = netns_open(nspath[i]);
		snprintf(addr, sizeof(addr), "10.248.%d.%d/24", net, 10 + i);
		if (nl_veth_add_to_netns(hostif[i], br, fd, "eth0", addr, gw, err, sizeof(err)) < 0)
			fail_msg("veth: %s", err);
	}
	t_net = now_ms() - t0;

	/* the node's files */
	snprintf(etcdir, sizeof(etcdir), "%s/etc-docker", tmpdir);
	assert_int_equal(mkdir(etcdir, 0755), 0);
	assert_int_equal(mkdir(data, 0711), 0);
	assert_int_equal(mkdir(run, 0711), 0);
	put_file(tmpdir, "daemon.json", "{}\n");
	put_file(tmpdir, "resolv.conf", "nameserver 127.0.0.1\n");
	snprintf(buf, sizeof(buf), "127.0.0.1 localhost\n10.248.%d.10 %s\n", net, name);
	put_file(tmpdir, "hosts", buf);
	snprintf(b_etc, sizeof(b_etc), "%s:/etc/docker", etcdir);
	snprintf(b_resolv, sizeof(b_resolv), "%s/resolv.conf:/etc/resolv.conf", tmpdir);
	snprintf(b_hosts, sizeof(b_hosts), "%s/hosts:/etc/hosts", tmpdir);
	snprintf(a_conf, sizeof(a_conf), "%s/daemon.json", tmpdir);
	snprintf(a_pid, sizeof(a_pid), "%s/docker.pid", run);
	snprintf(a_cgp, sizeof(a_cgp), "/%s", cg);
	snprintf(a_host, sizeof(a_host), "unix://%s/docker.sock", run);
	snprintf(logpath, sizeof(logpath), "%s/dockerd.log", tmpdir);

	/* data-root on its own loop ext4 volume (report section 7) */
	t0 = now_ms();
	if (volume_attach(img, 2ULL << 30, data, dev, sizeof(dev), err, sizeof(err)) < 0)
		fail_msg("volume: %s", err);
	printf("volume_attach 2 GiB: %.1f ms\n", now_ms() - t0);

	t0 = now_ms();
	if (node_start(&s, &init_pid, err, sizeof(err)) < 0)
		fail_msg("node_start: %s", err);
	assert_int_equal(node_starttime(init_pid, &init_start), 0);
	while (now_ms() - t0 < 30000) {
		if (docker_get("_ping", buf, sizeof(buf)) == 0 && streq(buf, "OK")) {
			up = true;
			break;
		}
		if (!node_alive(init_pid, init_start))
			break;
		usleep(50000);
	}
	t_ping = now_ms() - t0;
	if (!up) {
		char tail[4096];
		int fd = open(logpath, O_RDONLY);
		ssize_t n = 0;

		if (fd >= 0) {
			off_t sz = lseek(fd, 0, SEEK_END);

			n = pread(fd, tail, sizeof(tail) - 1, sz > 4000 ? sz - 4000 : 0);
			close(fd);
		}
		tail[n > 0 ? n : 0] = '\0';
		fail_msg("dockerd did not answer /_ping (alive=%d):\n%s",
			 node_alive(init_pid, init_start), tail);
	}

	/* what the daemon says about itself */
	assert_int_equal(docker_get("info", buf, sizeof(buf)), 0);
	{
		json_error_t je;
		json_t *j = json_loads(buf, 0, &je);

		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "Name")), name);
		assert_string_equal(json_string_value(json_object_get(j, "Driver")), "overlay2");
		assert_string_equal(json_string_value(json_object_get(j, "CgroupDriver")),
				    "cgroupfs");
		assert_string_equal(json_string_value(json_object_get(j, "DockerRootDir")), data);
		assert_true(strstr(buf, "extfs") != NULL);	/* overlay2 on our ext4 volume */
		json_decref(j);
	}
	/* the engine key landed in the per-node /etc/docker */
	snprintf(buf, sizeof(buf), "%s/key.json", etcdir);
	assert_int_equal(access(buf, F_OK), 0);
	assert_int_equal(cgroup_node_memory_peak(cg, &peak), 0);

	t0 = now_ms();
	assert_int_equal(node_stop(init_pid, init_start, 15000), 0);
	t_stop = now_ms() - t0;
	assert_int_equal(node_alive(init_pid, init_start), 0);
	init_pid = 0;
	reap_orphans();
	assert_int_equal(cgroup_node_remove(cg), 0);

	/* nothing of the node is left in the host's mount table but our volume */
	{
		const char *const m[] = { "/usr/bin/grep", "-c", run, "/proc/self/mountinfo",
					  NULL };

		assert_int_equal(run_capture(m, buf, sizeof(buf), 3000), 1);	/* no match */
		assert_string_equal(buf, "0\n");
	}
	assert_int_equal(volume_detach(img, data, err, sizeof(err)), 0);
	{
		const char *const g[] = { "/usr/bin/grep", "-E", "level=(error|warning|fatal)",
					  logpath, NULL };

		run_capture(g, buf, sizeof(buf), 3000);
		printf("dockerd warnings/errors:\n%s", buf);
	}

	printf("bridge + %d netns + veths: %.1f ms\n", NNODES, t_net);
	printf("node start -> dockerd /_ping OK: %.0f ms\n", t_ping);
	printf("node_stop (graceful SIGTERM): %.0f ms\n", t_stop);
	printf("node memory peak (cgroup, incl. page cache): %.1f MiB\n", peak / 1048576.0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dockerd_node),
	};

	if (argc > 1 && strcmp(argv[1], "node-init") == 0)
		return node_init_main(argc - 1, argv + 1);
	become_subreaper();
	return cmocka_run_group_tests_name("local_dockerd", tests, setup, teardown);
}
