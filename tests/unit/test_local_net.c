/*
 * test_local_net.c - rtnetlink by hand (bridge, veth into a netns, addresses, routes) and
 * persistent network namespaces: a real TCP connection node A -> node B and A -> gateway,
 * idempotence, name checks, timing. Needs root; skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "backends/local/netlink.h"
#include "backends/local/netns.h"
#include "common/cleanup.h"
#include "local_fixture.h"

#define NNODES 3

static char tmpdir[64], nsdir[128], br[32], hostif[NNODES][32], nspath[NNODES][192];
static int net;		/* third octet of 10.248.<net>.0/24 */

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnum-test-netXXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(nsdir, sizeof(nsdir), "%s/netns", tmpdir);
	mkdir(nsdir, 0755);
	net = 1 + getpid() % 200;
	snprintf(br, sizeof(br), "mgtbr%d", getpid() % 100000);
	for (int i = 0; i < NNODES; i++) {
		snprintf(hostif[i], sizeof(hostif[i]), "mgt%dn%d", getpid() % 100000, i);
		snprintf(nspath[i], sizeof(nspath[i]), "%s/mgt-n%d", nsdir, i);
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
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
test_names(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(nl_bridge_add("mgt456789012345x", NULL, err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_int_equal(nl_link_del("mgt456789012345x"), -ENAMETOOLONG);
	assert_int_equal(nl_link_exists("mgt456789012345x"), -ENAMETOOLONG);
	assert_int_equal(nl_veth_add_to_netns("mgtok", "mgtbr", 0, "eth0-too-long-name",
					      NULL, NULL, err, sizeof(err)), -ENAMETOOLONG);
	assert_int_equal(nl_bridge_add("mgtx", "10.1.2.3", err, sizeof(err)), -EINVAL);
	assert_int_equal(netns_add("relative/path"), -EINVAL);
}

static void
test_bridge_netns_veth_tcp(void **state)
{
	char err[256] = "", addr[32], gw[32], cidr[32];
	struct tcp_probe t = { .port = 7000 + getpid() % 1000, .timeout_ms = 3000 };
	double t0, t1;
	pid_t l;

	(void)state;
	NEED_ROOT();
	snprintf(gw, sizeof(gw), "10.248.%d.1", net);
	snprintf(cidr, sizeof(cidr), "10.248.%d.1/24", net);

	assert_int_equal(nl_link_exists(br), 0);
	t0 = now_ms();
	assert_int_equal(nl_bridge_add(br, cidr, err, sizeof(err)), 0);
	for (int i = 0; i < NNODES; i++) {
		_cleanup_close_ int fd = -1;

		assert_int_equal(netns_add(nspath[i]), 0);
		fd = netns_open(nspath[i]);
		assert_true(fd >= 0);
		snprintf(addr, sizeof(addr), "10.248.%d.%d/24", net, 10 + i);
		if (nl_veth_add_to_netns(hostif[i], br, fd, "eth0", addr, gw, err,
					 sizeof(err)) < 0)
			fail_msg("veth %d: %s", i, err);
	}
	t1 = now_ms();
	printf("bridge + %d netns + veths: %.1f ms\n", NNODES, t1 - t0);
	assert_true(t1 - t0 < 2000);

	assert_int_equal(nl_link_exists(br), 1);
	assert_int_equal(nl_link_exists(hostif[0]), 1);
	assert_int_equal(nl_link_exists("eth0-absent"), 0);

	/* idempotent: everything again */
	assert_int_equal(nl_bridge_add(br, cidr, err, sizeof(err)), 0);
	assert_int_equal(netns_add(nspath[0]), 0);
	{
		_cleanup_close_ int fd = netns_open(nspath[1]);

		snprintf(addr, sizeof(addr), "10.248.%d.11/24", net);
		assert_int_equal(nl_veth_add_to_netns(hostif[1], br, fd, "eth0", addr, gw, err,
						      sizeof(err)), 0);
	}
	/* the peer's name is taken inside the netns: the failed step is named, nothing left */
	{
		_cleanup_close_ int fd = netns_open(nspath[2]);

		assert_int_equal(nl_veth_add_to_netns("mgtfail0", br, fd, "lo", NULL, NULL, err,
						      sizeof(err)), -EEXIST);
		printf("expected failure: %s\n", err);
		assert_non_null(strstr(err, "create veth mgtfail0/lo"));
		assert_int_equal(nl_link_exists("mgtfail0"), 0);
		assert_int_equal(nl_veth_add_to_netns("mgtfail0", "mgtnobr", fd, "eth1", NULL, NULL,
						      err, sizeof(err)), -ENODEV);
		assert_non_null(strstr(err, "bridge mgtnobr"));
		/* a gateway off the subnet: the last step fails, the pair is removed again */
		snprintf(addr, sizeof(addr), "10.248.%d.99/24", net);
		assert_int_equal(nl_veth_add_to_netns("mgtfail0", br, fd, "eth1", addr, "10.9.9.9",
						      err, sizeof(err)), -ENETUNREACH);
		printf("expected failure: %s\n", err);
		assert_non_null(strstr(err, "default route via 10.9.9.9"));
		assert_int_equal(nl_link_exists("mgtfail0"), 0);
	}
	/* a non-bridge of that name is refused */
	assert_int_equal(nl_bridge_add(hostif[0], NULL, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "not a bridge"));

	/* state as `ip` sees it (checking only: the code under test uses netlink) */
	{
		char out[4096], nsarg[256], want[64];
		const char *const route[] = { "/usr/bin/nsenter", nsarg, "/usr/sbin/ip", "-4",
					      "-o", "route", "show", "default", NULL };
		const char *const ad[] = { "/usr/bin/nsenter", nsarg, "/usr/sbin/ip", "-4", "-o",
					   "addr", "show", "dev", "eth0", NULL };
		const char *const link[] = { "/usr/sbin/ip", "-o", "link", "show", "dev",
					     hostif[1], NULL };

		snprintf(nsarg, sizeof(nsarg), "--net=%s", nspath[1]);
		assert_int_equal(run_capture(route, out, sizeof(out), 5000), 0);
		snprintf(want, sizeof(want), "default via %s dev eth0", gw);
		if (strstr(out, want) == NULL)
			fail_msg("route: %s", out);
		assert_int_equal(run_capture(ad, out, sizeof(out), 5000), 0);
		snprintf(want, sizeof(want), "inet 10.248.%d.11/24", net);
		if (strstr(out, want) == NULL)
			fail_msg("addr: %s", out);
		assert_int_equal(run_capture(link, out, sizeof(out), 5000), 0);
		snprintf(want, sizeof(want), "master %s state UP", br);
		if (strstr(out, want) == NULL)
			fail_msg("link: %s", out);
	}

	/* node A (n0) -> node B (n1) over the bridge */
	snprintf(addr, sizeof(addr), "10.248.%d.11", net);
	t.addr = addr;
	l = tcp_listener(nspath[1], &t);
	assert_true(l > 0);
	assert_int_equal(in_netns(nspath[0], tcp_probe, &t, 5000), 0);
	assert_int_equal(listener_wait(l, 5000), 0);

	/* node A -> the gateway (a listener on the host, on the bridge address) */
	t.addr = gw;
	l = tcp_listener(NULL, &t);
	assert_true(l > 0);
	assert_int_equal(in_netns(nspath[2], tcp_probe, &t, 5000), 0);
	assert_int_equal(listener_wait(l, 5000), 0);

	/* nobody listens on n2: refused fast, so the probe really tests something */
	snprintf(addr, sizeof(addr), "10.248.%d.12", net);
	t.addr = addr;
	assert_int_not_equal(in_netns(nspath[0], tcp_probe, &t, 5000), 0);

	/* teardown pieces, idempotent */
	t0 = now_ms();
	assert_int_equal(netns_del(nspath[2]), 0);
	assert_int_equal(netns_del(nspath[2]), 0);
	assert_int_equal(access(nspath[2], F_OK), -1);
	assert_int_equal(nl_link_del(hostif[0]), 0);
	assert_int_equal(nl_link_del(hostif[0]), 0);
	assert_int_equal(nl_link_exists(hostif[0]), 0);
	printf("teardown pieces: %.1f ms\n", now_ms() - t0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bridge_netns_veth_tcp),
	};
	return cmocka_run_group_tests_name("local_net", tests, setup, teardown);
}
