/*
 * test_local_firewall.c - the per-bay nftables table: content (nft -j), create/replace/
 * delete, idempotence, name checks; and the rules at work, inside a "router" network
 * namespace made by the test (bay and outside netns on two bridges there, forwarding
 * enabled in that namespace only): isolated bays cannot reach out or be reached, egress
 * bays can reach out (masqueraded) and still cannot be reached. Needs root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>

#include "backends/local/firewall.h"
#include "backends/local/netlink.h"
#include "backends/local/netns.h"
#include "common/cleanup.h"
#include "local_fixture.h"

static char tmpdir[64], nsdir[128], rpath[192], baypath[192], bay1path[192], outpath[192];
static char table[32], br[32], cidr[32];
static int net;

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/magnum-test-fwXXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(nsdir, sizeof(nsdir), "%s/netns", tmpdir);
	mkdir(nsdir, 0755);
	snprintf(rpath, sizeof(rpath), "%s/mgt-router", nsdir);
	snprintf(baypath, sizeof(baypath), "%s/mgt-bay", nsdir);
	snprintf(outpath, sizeof(outpath), "%s/mgt-out", nsdir);
	snprintf(bay1path, sizeof(bay1path), "%s/mgt-bay1", nsdir);
	snprintf(table, sizeof(table), "mgt_fw_%d", (int)getpid());
	snprintf(br, sizeof(br), "mgtbr%d", getpid() % 100000);
	net = 1 + getpid() % 200;
	snprintf(cidr, sizeof(cidr), "10.248.%d.0/24", net);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fw_bay_del(table, NULL, 0);
	netns_del(baypath);
	netns_del(outpath);
	netns_del(bay1path);
	netns_del(rpath);	/* its bridges, veths and tables go with it */
	netns_dir_release(nsdir);
	rm_tree(tmpdir);
	return 0;
}

static json_t *
list_table(void)
{
	char out[16384];
	const char *const argv[] = { "/usr/sbin/nft", "-j", "list", "table", "ip", table, NULL };
	json_error_t e;

	if (run_capture(argv, out, sizeof(out), 5000) != 0)
		return NULL;
	return json_loads(out, 0, &e);
}

/* Count, in `nft -j` output, chains named `chain` and rules of `chain` whose JSON text
 * contains `needle`. */
static int
count(json_t *j, const char *chain, const char *needle)
{
	json_t *arr = json_object_get(j, "nftables"), *it;
	size_t i;
	int n = 0;

	json_array_foreach(arr, i, it) {
		json_t *o = json_object_get(it, needle ? "rule" : "chain");
		_cleanup_free_ char *txt = NULL;

		const char *key = needle ? "chain" : "name";

		if (o == NULL || !streq_ptr(json_string_value(json_object_get(o, key)), chain))
			continue;
		txt = json_dumps(o, JSON_COMPACT);
		if (needle == NULL || (txt && strstr(txt, needle)))
			n++;
	}
	return n;
}

static void
test_table(void **state)
{
	char err[512] = "";
	json_t *j;

	(void)state;
	NEED_ROOT();
	assert_int_equal(fw_table_exists(table), 0);
	if (fw_bay_add(table, br, cidr, false, err, sizeof(err)) < 0)
		fail_msg("fw_bay_add: %s", err);
	assert_int_equal(fw_table_exists(table), 1);
	j = list_table();
	assert_non_null(j);
	assert_int_equal(count(j, "forward", NULL), 1);
	assert_int_equal(count(j, "forward", "\"hook\":\"forward\""), 0);	/* not a rule */
	{
		_cleanup_free_ char *txt = json_dumps(j, JSON_COMPACT);

		assert_non_null(strstr(txt, "\"hook\":\"forward\",\"prio\":-10,"
					    "\"policy\":\"accept\""));
	}
	assert_int_equal(count(j, "forward", "\"drop\""), 2);
	assert_int_equal(count(j, "forward", "\"!=\""), 2);	/* != cidr, != bridge */
	assert_int_equal(count(j, "postrouting", NULL), 0);
	assert_int_equal(count(j, "forward", "established"), 0);
	json_decref(j);

	/* replace with egress: nat chain + masquerade, established/related accepted */
	if (fw_bay_add(table, br, cidr, true, err, sizeof(err)) < 0)
		fail_msg("fw_bay_add egress: %s", err);
	j = list_table();
	assert_non_null(j);
	assert_int_equal(count(j, "forward", NULL), 1);
	assert_int_equal(count(j, "postrouting", NULL), 1);
	assert_int_equal(count(j, "postrouting", "masquerade"), 1);
	assert_int_equal(count(j, "forward", "established"), 1);
	assert_int_equal(count(j, "forward", "\"drop\""), 1);
	json_decref(j);

	assert_int_equal(fw_bay_del(table, err, sizeof(err)), 0);
	assert_int_equal(fw_table_exists(table), 0);
	assert_int_equal(fw_bay_del(table, err, sizeof(err)), 0);	/* absent: fine */

	assert_int_equal(fw_bay_add("bad table", br, cidr, false, err, sizeof(err)), -EINVAL);
	assert_int_equal(fw_bay_add(table, "br;drop", cidr, false, err, sizeof(err)), -EINVAL);
	assert_int_equal(fw_bay_add(table, br, "10.248.1.1/24", false, err, sizeof(err)),
			 -EINVAL);	/* host bits */
	assert_int_equal(fw_bay_add(table, br, "10.248.1.0", false, err, sizeof(err)), -EINVAL);
	assert_int_equal(fw_table_exists("x;y"), -EINVAL);
	assert_int_equal(fw_table_exists(table), 0);
}

/* ip_forward=1, only after checking that this process is inside the router netns */
static int
router_forwarding_on(void)
{
	struct stat r;
	char link[64], want[64];
	ssize_t n;
	int fd;

	if (stat(rpath, &r) < 0)
		return -1;
	n = readlink("/proc/thread-self/ns/net", link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	snprintf(want, sizeof(want), "net:[%lu]", (unsigned long)r.st_ino);
	if (strcmp(link, want) != 0)
		return -1;		/* never write the host's sysctl */
	fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, "1", 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

/* Runs inside the router netns (a child process): build the two networks, test. */
static int
router(void *arg)
{
	char err[512], a[32], o[32];
	struct tcp_probe out = { .port = 8000 + getpid() % 1000, .timeout_ms = 1500 };
	struct tcp_probe in = { .port = 8000 + getpid() % 1000, .timeout_ms = 1500 };
	_cleanup_close_ int bayfd = -1, outfd = -1, bay1fd = -1;
	struct tcp_probe peer = { .port = 8000 + getpid() % 1000, .timeout_ms = 1500 };
	char a1[32];
	pid_t l;

	(void)arg;
	/* forwarding on in this namespace only (the router's own sysctl, not the host's) */
	if (router_forwarding_on() < 0)
		return 10;
	snprintf(a, sizeof(a), "10.248.%d.1/24", net);
	snprintf(o, sizeof(o), "10.247.%d.1/24", net);
	if (nl_bridge_add(br, a, err, sizeof(err)) < 0 ||
	    nl_bridge_add("mgtbrout", o, err, sizeof(err)) < 0)
		return 11;
	if (netns_add(baypath) < 0 || netns_add(outpath) < 0 || netns_add(bay1path) < 0)
		return 12;
	bay1fd = netns_open(bay1path);
	bayfd = netns_open(baypath);
	outfd = netns_open(outpath);
	snprintf(a, sizeof(a), "10.248.%d.10/24", net);
	snprintf(o, sizeof(o), "10.247.%d.10/24", net);
	{
		char g1[32], g2[32];

		snprintf(g1, sizeof(g1), "10.248.%d.1", net);
		snprintf(g2, sizeof(g2), "10.247.%d.1", net);
		if (nl_veth_add_to_netns("mgtbay0", br, bayfd, "eth0", a, g1, err,
					 sizeof(err)) < 0 ||
		    nl_veth_add_to_netns("mgtout0", "mgtbrout", outfd, "eth0", o, g2, err,
					 sizeof(err)) < 0)
			return 13;
		snprintf(a1, sizeof(a1), "10.248.%d.11/24", net);
		if (nl_veth_add_to_netns("mgtbay1", br, bay1fd, "eth0", a1, g1, err,
					 sizeof(err)) < 0)
			return 14;
	}
	snprintf(a1, sizeof(a1), "10.248.%d.11", net);
	peer.addr = a1;
	snprintf(a, sizeof(a), "10.248.%d.10", net);
	snprintf(o, sizeof(o), "10.247.%d.10", net);
	out.addr = o;
	in.addr = a;

	/* baseline, no table: forwarded both ways */
	if ((l = tcp_listener(outpath, &out)) < 0 ||
	    in_netns(baypath, tcp_probe, &out, 3000) != 0 || listener_wait(l, 3000) != 0)
		return 20;
	if ((l = tcp_listener(baypath, &in)) < 0 ||
	    in_netns(outpath, tcp_probe, &in, 3000) != 0 || listener_wait(l, 3000) != 0)
		return 21;

	/* isolated bay: nothing out, nothing in */
	if (fw_bay_add(table, br, cidr, false, err, sizeof(err)) < 0)
		return 30;
	if ((l = tcp_listener(outpath, &out)) < 0 ||
	    in_netns(baypath, tcp_probe, &out, 3000) == 0 || listener_wait(l, 3000) == 0)
		return 31;
	if ((l = tcp_listener(baypath, &in)) < 0 ||
	    in_netns(outpath, tcp_probe, &in, 3000) == 0 || listener_wait(l, 3000) == 0)
		return 32;
	/* inside the bay (bridged; br_netfilter may show it to the forward hook): allowed */
	if ((l = tcp_listener(bay1path, &peer)) < 0 ||
	    in_netns(baypath, tcp_probe, &peer, 3000) != 0 || listener_wait(l, 3000) != 0)
		return 33;

	/* egress bay: out works (replies come back), still nothing in */
	if (fw_bay_add(table, br, cidr, true, err, sizeof(err)) < 0)
		return 40;
	if ((l = tcp_listener(outpath, &out)) < 0 ||
	    in_netns(baypath, tcp_probe, &out, 3000) != 0 || listener_wait(l, 3000) != 0)
		return 41;
	if ((l = tcp_listener(baypath, &in)) < 0 ||
	    in_netns(outpath, tcp_probe, &in, 3000) == 0 || listener_wait(l, 3000) == 0)
		return 42;
	if (fw_bay_del(table, err, sizeof(err)) < 0)
		return 50;
	return 0;
}

static void
test_rules_at_work(void **state)
{
	char before[16], after[16];
	int fd, r;

	(void)state;
	NEED_ROOT();
	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY);
	assert_true(fd >= 0);
	before[read(fd, before, sizeof(before) - 1)] = '\0';
	close(fd);

	assert_int_equal(netns_add(rpath), 0);
	r = in_netns(rpath, router, NULL, 30000);
	if (r != 0)
		fail_msg("router step %d failed", r);

	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY);
	assert_true(fd >= 0);
	after[read(fd, after, sizeof(after) - 1)] = '\0';
	close(fd);
	assert_string_equal(before, after);	/* the host's sysctl never changed */
	assert_int_equal(fw_table_exists(table), 0);	/* the table lived in the router */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_rules_at_work),
	};
	return cmocka_run_group_tests_name("local_firewall", tests, setup, teardown);
}
