/*
 * swarm_local.c - Docker Swarm bays on the local backend: each server is a
 * namespace node running dockerd with TLS on :2376 (the bay's CA), the
 * masters form the swarm's managers (joined one at a time), the workers join
 * in parallel, a host-side haproxy balances the API of multi-master bays,
 * and a small image built here (no registry is reachable) is loaded on every
 * node so services run by image ID.
 *
 * Everything a bay owns is a ledger entry (local.h) recorded before it is
 * made; delete destroys the entries newest first.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/local/engine.h"
#include "backends/local/image.h"
#include "backends/local/lutil.h"
#include "backends/local/netns.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/util.h"
#include "db/ledger.h"
#include "drivers/driver.h"
#include "drivers/local.h"
#include "x509/pki.h"
#include "x509/x509.h"

#define MAX_NODES	240
#define DOCKER_PORT	2376

struct lnode {
	int		idx;
	bool		master;
	char		name[80];
	char		ip[40];
	char		dir[1024];
	json_t		*entry;		/* its "node" ledger entry (owned ref) */
	bool		ssh;		/* runs an sshd for the bay's keypair */
	struct engine	*eng;
	/* per-thread work */
	struct lbay	*bay;
	const char	*token;
	int		rc;
	char		err[1600];
};

struct lbay {
	struct bay_ctx	*ctx;
	int		slot;
	char		prefix[8];
	char		net[8];	/* "10.250" */
	char		cidr[40];
	char		gw[40];
	char		bridge[24];
	char		root[900];
	bool		tls;
	char		*ca;		/* trust bundle */
	char		*cert, *key;	/* the conductor's */
	char		image_tar[1100];
	char		image_id[IMAGE_ID_LEN];
	struct lnode	nodes[MAX_NODES];
	int		n;
	/* pipelined bring-up (create): the swarm forms while daemons still start */
	pthread_mutex_t	bu_lock;
	pthread_cond_t	bu_cond;
	pthread_mutex_t	bu_managers;	/* managers join one at a time */
	int		bu_state;	/* 0 waiting for the first master, 1 ready, <0 failed */
	char		*bu_wtok, *bu_mtok;
};

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t image_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
atoi_safe(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return end == s || *end || v < 0 || v > 100000 ? -1 : (int)v;
}

static void
bay_free(struct lbay *b)
{
	for (int i = 0; i < b->n; i++) {
		engine_free(b->nodes[i].eng);
		json_decref(b->nodes[i].entry);
	}
	free(b->ca);
	free(b->cert);
	x509_secret_free(b->key);
	free(b->bu_wtok);
	free(b->bu_mtok);
	free(b);
}

static int
write_file(const char *path, const char *data, mode_t mode)
{
	FILE *f;
	int r = 0;

	unlink(path);
	f = fopen(path, "we");
	if (f == NULL)
		return -errno;
	if (fchmod(fileno(f), mode) < 0 || fputs(data, f) < 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

/* Record an entry (planned), then make it exist. */
static int
add_entry(struct lbay *b, const char *kind, const char *name, json_t *data, json_t **ret)
{
	_cleanup_json_ json_t *rows = NULL, *e = NULL;
	char err[700];
	int64_t id;
	int r;

	r = ledger_find(b->ctx->db, b->ctx->uuid, kind, name, &e);
	if (r == -ENOENT) {
		r = ledger_add(b->ctx->db, b->ctx->uuid, kind, name, data, &id);
		if (r < 0)
			return bay_fail(b->ctx, r, "cannot record %s %s", kind, name);
		r = ledger_find(b->ctx->db, b->ctx->uuid, kind, name, &e);
	}
	if (r < 0)
		return bay_fail(b->ctx, r, "ledger lookup of %s %s", kind, name);
	r = lobj_ensure(b->ctx->db, e, err, sizeof(err));
	if (r < 0)
		return bay_fail(b->ctx, r, "%s", err);
	if (ret)
		*ret = TAKE_PTR(e);
	return 0;
}

/* --- the bay's network --- */

static int
pick_slot(struct lbay *b)
{
	_cleanup_json_ json_t *mine = NULL, *names = NULL;
	char mark[16];
	bool used[256] = { false };
	size_t i;
	json_t *n;
	int r;

	/* A bay that has its bridge keeps its slot. */
	r = ledger_list(b->ctx->db, b->ctx->uuid, &mine);
	if (r < 0)
		return r;
	snprintf(mark, sizeof(mark), "%sbr", b->prefix);
	json_array_foreach(mine, i, n)
		if (streq(jstr(n, "kind"), "bridge") &&
		    strncmp(jstr(n, "name"), mark, strlen(mark)) == 0)
			return atoi_safe(jstr(n, "name") + strlen(mark));
	r = ledger_kind_names(b->ctx->db, "bridge", &names);
	if (r < 0)
		return r;
	json_array_foreach(names, i, n) {
		const char *s = json_string_value(n);
		int v;

		if (strncmp(s, mark, strlen(mark)) == 0) {
			v = atoi_safe(s + strlen(mark));
			if (v > 0 && v < 256)
				used[v] = true;
		}
	}
	for (int s = 1; s < 255; s++)
		if (!used[s])
			return s;
	return -ENOSPC;
}

static int
setup_network(struct lbay *b)
{
	_cleanup_json_ json_t *d1 = NULL, *d2 = NULL;
	char addr[48], table[32];
	int r;

	bay_progress(b->ctx, "network", 8, "bay network %s on bridge %s", b->cidr, b->bridge);
	snprintf(addr, sizeof(addr), "%s/24", b->gw);
	d1 = json_pack("{s:s}", "addr", addr);
	r = add_entry(b, "bridge", b->bridge, d1, NULL);
	if (r < 0)
		return r;
	snprintf(table, sizeof(table), "%s_b%d", b->prefix, b->slot);
	d2 = json_pack("{s:s, s:s, s:b}", "bridge", b->bridge, "cidr", b->cidr, "egress",
		       conf_bool("local", "enable_egress"));
	return add_entry(b, "firewall", table, d2, NULL);
}

/* Fill the lbay from config and the ledger (slot, names). */
static int
bay_open(struct bay_ctx *ctx, struct lbay **ret)
{
	struct lbay *b = calloc(1, sizeof(*b));
	const char *pool = conf_str("local", "network_pool");
	unsigned a = 0, c = 0;
	int r;

	if (b == NULL)
		return -ENOMEM;
	b->ctx = ctx;
	snprintf(b->prefix, sizeof(b->prefix), "%s", conf_str("local", "prefix"));
	if (strlen(conf_str("local", "prefix")) < 1 || strlen(conf_str("local", "prefix")) > 5) {
		free(b);
		return bay_fail(ctx, -EINVAL, "[local] prefix must be 1 to 5 characters (interface "
				"names are at most 15)");
	}
	if (sscanf(pool, "%u.%u.0.0/16", &a, &c) != 2 || a > 255 || c > 255) {
		free(b);
		return bay_fail(ctx, -EINVAL, "[local] network_pool must be an x.y.0.0/16, not %s",
				pool);
	}
	snprintf(b->net, sizeof(b->net), "%u.%u", a, c);
	pthread_mutex_lock(&slot_lock);
	r = pick_slot(b);
	b->slot = r;
	if (r > 0) {
		snprintf(b->bridge, sizeof(b->bridge), "%sbr%d", b->prefix, b->slot);
		/* Claim the slot in the ledger before anyone else looks. */
		_cleanup_json_ json_t *e = NULL;

		if (ledger_find(ctx->db, ctx->uuid, "bridge", b->bridge, &e) == -ENOENT) {
			_cleanup_json_ json_t *d = json_object();
			char addr[48];

			snprintf(addr, sizeof(addr), "%s.%d.1/24", b->net, b->slot);
			json_object_set_new(d, "addr", json_string(addr));
			r = ledger_add(ctx->db, ctx->uuid, "bridge", b->bridge, d, NULL);
		}
	}
	pthread_mutex_unlock(&slot_lock);
	if (r < 0) {
		free(b);
		return bay_fail(ctx, r, r == -ENOSPC ? "no free /24 left in [local] network_pool" :
				"cannot choose the bay network (%s)", strerror(-r));
	}
	snprintf(b->cidr, sizeof(b->cidr), "%s.%d.0/24", b->net, b->slot);
	snprintf(b->gw, sizeof(b->gw), "%s.%d.1", b->net, b->slot);
	snprintf(b->root, sizeof(b->root), "%s/local/bays/%s", conf_str("DEFAULT", "state_path"),
		 ctx->uuid);
	b->tls = !json_is_true(json_object_get(ctx->tmpl, "tls_disabled"));
	*ret = b;
	return 0;
}

static int
load_credentials(struct lbay *b)
{
	int r;

	free(b->ca);
	free(b->cert);
	b->key = x509_secret_free(b->key);
	b->ca = b->cert = NULL;
	r = pki_ca_pem(b->ctx->db, b->ctx->uuid, true, &b->ca);
	if (r < 0)
		return bay_fail(b->ctx, r, "no CA for the bay (%s)", strerror(-r));
	r = pki_conductor_cert(b->ctx->db, b->ctx->uuid, &b->cert, &b->key);
	if (r < 0)
		return bay_fail(b->ctx, r, "no conductor certificate (%s)", strerror(-r));
	return 0;
}

/* --- the node image --- */

static int
ensure_image(struct lbay *b)
{
	char dir[1024], idf[1200];
	FILE *f;
	int r = 0;

	snprintf(dir, sizeof(dir), "%s/local/images", conf_str("DEFAULT", "state_path"));
	snprintf(b->image_tar, sizeof(b->image_tar), "%s/busybox.tar", dir);
	snprintf(idf, sizeof(idf), "%s.id", b->image_tar);
	pthread_mutex_lock(&image_lock);
	f = fopen(idf, "re");
	if (f) {
		if (fscanf(f, "%71s", b->image_id) != 1)
			b->image_id[0] = '\0';
		fclose(f);
	}
	if (b->image_id[0] == '\0' || access(b->image_tar, R_OK) < 0) {
		r = mkdir_p(dir, 0700);
		if (r >= 0)
			r = image_build_busybox(conf_str("local", "busybox"), b->image_tar,
						"magnum/busybox:local", b->image_id);
		if (r >= 0)
			r = write_file(idf, b->image_id, 0600);
	}
	pthread_mutex_unlock(&image_lock);
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot build the node image from %s (%s)",
				conf_str("local", "busybox"), strerror(-r));
	return 0;
}

/* --- nodes --- */

static void
sanitize(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; in && in[i] && j + 1 < n && j < 40; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
			out[j++] = c;
		else if (j && out[j - 1] != '-')
			out[j++] = '-';
	}
	if (j == 0)
		out[j++] = 'b';
	out[j] = '\0';
}

/* Write the node's TLS files from a fresh server certificate. */
static int
node_certs(struct lbay *b, struct lnode *nd)
{
	_cleanup_(x509_secret_freep) char *key = NULL;
	_cleanup_free_ char *cert = NULL;
	char p[1100], gw[48], ip[48], dns[100];
	const char *sans[6];
	size_t k = 0;
	int r;

	snprintf(ip, sizeof(ip), "IP:%s", nd->ip);
	snprintf(dns, sizeof(dns), "DNS:%s", nd->name);
	snprintf(gw, sizeof(gw), "IP:%s", b->gw);
	sans[k++] = ip;
	sans[k++] = "IP:127.0.0.1";
	sans[k++] = dns;
	if (nd->master)
		sans[k++] = gw;	/* the load balancer's address */
	sans[k] = NULL;
	r = pki_issue_node(b->ctx->db, b->ctx->uuid, nd->name, sans, &cert, &key);
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot issue the certificate of %s", nd->name);
	snprintf(p, sizeof(p), "%s/tls", nd->dir);
	r = mkdir_p(p, 0700);
	snprintf(p, sizeof(p), "%s/tls/ca.pem", nd->dir);
	if (r >= 0)
		r = write_file(p, b->ca, 0644);
	snprintf(p, sizeof(p), "%s/tls/cert.pem", nd->dir);
	if (r >= 0)
		r = write_file(p, cert, 0644);
	snprintf(p, sizeof(p), "%s/tls/key.pem", nd->dir);
	if (r >= 0)
		r = write_file(p, key, 0600);
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot write the TLS files of %s", nd->name);
	return 0;
}

static unsigned long long
flavor_bytes(struct lbay *b, bool master)
{
	json_t *f = master && b->ctx->master_flavor ? b->ctx->master_flavor : b->ctx->flavor;
	json_int_t mb = f ? json_integer_value(json_object_get(f, "ram")) : 0;

	return mb > 0 ? (unsigned long long)mb << 20 : 0;
}

/*
 * The node's sshd: a host key, the bay keypair as root's only way in, listening
 * on the node's address (reachable from this host only). Skipped (nd->ssh
 * false) when the bay has no keypair or sshd is not installed.
 */
static int
node_ssh(struct lbay *b, struct lnode *nd)
{
	const char *pub = b->ctx->ssh_public_key, *sshd = conf_str("local", "sshd");
	char dir[1100], p[1200], cfg[4096];
	int r;

	nd->ssh = false;
	if (pub == NULL || *pub == '\0' || sshd == NULL || *sshd == '\0' || access(sshd, X_OK) < 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s/ssh", nd->dir);
	r = mkdir_p(dir, 0700);
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot create %s", dir);
	snprintf(p, sizeof(p), "%s/host_ed25519_key", dir);
	if (access(p, R_OK) < 0) {
		const char *const argv[] = { "/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "",
					     "-C", nd->name, "-f", p, NULL };
		char msg[256];

		r = lu_run(argv, NULL, msg, sizeof(msg));
		if (r < 0)
			return bay_fail(b->ctx, r, "ssh-keygen for %s: %s", nd->name, msg);
	}
	snprintf(cfg, sizeof(cfg),
		 "ListenAddress %s\nPort 22\nHostKey %s\nAuthorizedKeysFile %s/authorized_keys\n"
		 "PidFile /run/sshd.pid\nPermitRootLogin prohibit-password\n"
		 "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
		 "StrictModes no\nSubsystem sftp internal-sftp\n", nd->ip, p, dir);
	snprintf(p, sizeof(p), "%s/sshd_config", dir);
	r = write_file(p, cfg, 0600);
	snprintf(p, sizeof(p), "%s/authorized_keys", dir);
	if (r >= 0)
		r = write_file(p, pub, 0600);
	if (r >= 0) {
		FILE *f = fopen(p, "ae");

		if (f) {
			fputc('\n', f);
			fclose(f);
		}
	}
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot write the ssh files of %s", nd->name);
	nd->ssh = true;
	return 0;
}

/* dockerd's command line for node nd (proxies from the baymodel as its environment). */
static json_t *
node_argv(struct lbay *b, struct lnode *nd, const char *data, const char *run, const char *cg)
{
	static const char *const envs[] = { "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY" };
	static const char *const keys[] = { "http_proxy", "https_proxy", "no_proxy" };
	json_t *a = json_array();
	char buf[1300];

	if (a == NULL)
		return NULL;
	if (nd->ssh) {
		/* sshd first (it daemonises; the shell then becomes dockerd). */
		json_array_append_new(a, json_string("/bin/sh"));
		json_array_append_new(a, json_string("-c"));
		json_array_append_new(a, json_string("mkdir -p /run/sshd && \"$0\" -f \"$1\" && "
						     "shift && exec \"$@\""));
		json_array_append_new(a, json_string(conf_str("local", "sshd")));
		snprintf(buf, sizeof(buf), "%s/ssh/sshd_config", nd->dir);
		json_array_append_new(a, json_string(buf));
	}
	json_array_append_new(a, json_string("/usr/bin/env"));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = jstr(b->ctx->tmpl, keys[i]);

		if (v && *v) {
			snprintf(buf, sizeof(buf), "%s=%s", envs[i], v);
			json_array_append_new(a, json_string(buf));
		}
	}
#define ARG(s)	json_array_append_new(a, json_string(s))
	ARG(conf_str("local", "dockerd"));
	ARG("--data-root");
	ARG(data);
	/* The node has a private tmpfs on /run: short socket paths, nothing on the host. */
	ARG("--exec-root");
	ARG("/run/docker");
	ARG("--pidfile");
	ARG("/run/docker/docker.pid");
	ARG("--cgroup-parent");
	snprintf(buf, sizeof(buf), "/%s", cg);
	ARG(buf);
	ARG("--storage-driver");
	ARG("overlay2");
	ARG("--userland-proxy=false");
	ARG("--log-level");
	ARG("warn");
	ARG("-H");
	snprintf(buf, sizeof(buf), "unix://%s/local/s/%s.sock", conf_str("DEFAULT", "state_path"),
		 nd->name);
	(void)run;
	ARG(buf);
	ARG("-H");
	snprintf(buf, sizeof(buf), "tcp://%s:%d", nd->ip, b->tls ? DOCKER_PORT : 2375);
	ARG(buf);
	if (b->tls) {
		ARG("--tlsverify");
		ARG("--tlscacert");
		snprintf(buf, sizeof(buf), "%s/tls/ca.pem", nd->dir);
		ARG(buf);
		ARG("--tlscert");
		snprintf(buf, sizeof(buf), "%s/tls/cert.pem", nd->dir);
		ARG(buf);
		ARG("--tlskey");
		snprintf(buf, sizeof(buf), "%s/tls/key.pem", nd->dir);
		ARG(buf);
	}
#undef ARG
	return a;
}

/* Record and make one node: dir, netns, veth, volume, certs, dockerd. */
static int
add_node(struct lbay *b, int idx, bool master)
{
	struct lnode *nd = &b->nodes[b->n];
	_cleanup_json_ json_t *dd = NULL, *dn = NULL, *dv = NULL, *dvol = NULL, *dnode = NULL;
	_cleanup_json_ json_t *av = NULL, *bv = NULL;
	char bayname[48], netns[1100], veth[40], addr[48], cg[64], p[1200], resolv[300];
	char data[1100], run[1100], log[1100];
	const char *dns = jstr(b->ctx->tmpl, "dns_nameserver");
	json_int_t vol = json_integer_value(json_object_get(b->ctx->cluster, "docker_volume_size"));
	int r;

	if (b->n >= MAX_NODES || idx + 10 > 250)
		return bay_fail(b->ctx, -ENOSPC, "too many nodes for one /24");
	memset(nd, 0, sizeof(*nd));
	nd->idx = idx;
	nd->master = master;
	nd->bay = b;
	sanitize(jstr(b->ctx->cluster, "name"), bayname, sizeof(bayname));
	snprintf(nd->name, sizeof(nd->name), "%s-%s-%d", bayname, master ? "master" : "node", idx);
	snprintf(nd->ip, sizeof(nd->ip), "%s.%d.%d", b->net, b->slot, 10 + idx);
	snprintf(nd->dir, sizeof(nd->dir), "%s/n%d", b->root, idx);
	b->n++;

	dd = json_pack("{s:i}", "node", idx);
	r = add_entry(b, "dir", nd->dir, dd, NULL);
	if (r < 0)
		return r;
	snprintf(netns, sizeof(netns), "%s/local/netns/%s-%d-%d", conf_str("DEFAULT", "state_path"),
		 b->prefix, b->slot, idx);
	snprintf(p, sizeof(p), "%s/local/netns", conf_str("DEFAULT", "state_path"));
	mkdir_p(p, 0700);
	snprintf(p, sizeof(p), "%s/local/s", conf_str("DEFAULT", "state_path"));
	mkdir_p(p, 0700);
	dn = json_pack("{s:i}", "node", idx);
	r = add_entry(b, "netns", netns, dn, NULL);
	if (r < 0)
		return r;
	snprintf(veth, sizeof(veth), "%s%dn%d", b->prefix, b->slot, idx);
	snprintf(addr, sizeof(addr), "%s/24", nd->ip);
	dv = json_pack("{s:i, s:s, s:s, s:s, s:s}", "node", idx, "netns", netns, "bridge",
		       b->bridge, "addr", addr, "gateway", b->gw);
	r = add_entry(b, "veth", veth, dv, NULL);
	if (r < 0)
		return r;
	snprintf(data, sizeof(data), "%s/data", nd->dir);
	if (vol > 0) {
		snprintf(p, sizeof(p), "%s/vol-n%d.img", b->root, idx);
		dvol = json_pack("{s:i, s:I, s:s}", "node", idx, "bytes", (json_int_t)(vol << 30),
				 "mnt", data);
		r = add_entry(b, "volume", p, dvol, NULL);
		if (r < 0)
			return r;
	}
	/* Files the node sees. */
	snprintf(p, sizeof(p), "%s/etc-docker", nd->dir);
	mkdir_p(p, 0700);
	snprintf(run, sizeof(run), "%s/run", nd->dir);
	mkdir_p(run, 0700);
	mkdir_p(data, 0700);
	/* The baymodel's resolver: a packet to it never leaves (the host drops it). */
	snprintf(resolv, sizeof(resolv), "nameserver %s\n", dns ? dns : "127.0.0.1");
	snprintf(p, sizeof(p), "%s/resolv.conf", nd->dir);
	r = write_file(p, resolv, 0644);
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot write %s", p);
	r = node_certs(b, nd);
	if (r < 0)
		return r;
	r = node_ssh(b, nd);
	if (r < 0)
		return r;

	snprintf(cg, sizeof(cg), "%s/%d-%d", b->prefix, b->slot, idx);
	snprintf(log, sizeof(log), "%s/dockerd.log", nd->dir);
	av = node_argv(b, nd, data, run, cg);
	bv = json_pack("[s+, s+]", nd->dir, "/etc-docker:/etc/docker", nd->dir,
		       "/resolv.conf:/etc/resolv.conf");
	if (av == NULL || bv == NULL)
		return bay_fail(b->ctx, -ENOMEM, "node %s", nd->name);
	dnode = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:i, s:O, s:O, s:s}", "node",
			  idx, "role", master ? "master" : "worker", "ip", nd->ip, "netns", netns,
			  "dir", nd->dir, "cgroup", cg, "mem_bytes",
			  (json_int_t)flavor_bytes(b, master), "cpu_shares", 1024, "pids_max", 0,
			  "argv", av, "binds", bv, "log", log);
	if (dnode == NULL)
		return bay_fail(b->ctx, -ENOMEM, "node %s", nd->name);
	return add_entry(b, "node", nd->name, dnode, &nd->entry);
}

/* --- talking to the nodes' daemons --- */

static int
open_engine(struct lbay *b, struct lnode *nd)
{
	char hp[64], sock[1200];

	nd->eng = engine_free(nd->eng);
	if (!b->tls) {
		snprintf(sock, sizeof(sock), "%s/local/s/%s.sock", conf_str("DEFAULT", "state_path"),
			 nd->name);
		return engine_open_unix(sock, &nd->eng);
	}
	snprintf(hp, sizeof(hp), "%s:%d", nd->ip, DOCKER_PORT);
	return engine_open_tls(hp, b->ca, b->cert, b->key, &nd->eng);
}

static int
remaining_ms(struct lbay *b, int cap_ms)
{
	time_t left;

	if (b->ctx->deadline == 0)
		return cap_ms;
	left = b->ctx->deadline - time(NULL);
	if (left <= 0)
		return 1;
	return left * 1000 < cap_ms ? (int)(left * 1000) : cap_ms;
}

/* Thread: wait for the node's dockerd, load the image if missing. */
static void *
node_ready_main(void *arg)
{
	struct lnode *nd = arg;
	struct lbay *b = nd->bay;
	int r;

	r = open_engine(b, nd);
	if (r >= 0)
		r = engine_wait_ready(nd->eng, remaining_ms(b, 120000));
	if (r < 0) {
		snprintf(nd->err, sizeof(nd->err), "dockerd of %s did not answer on %s (%s; see "
			 "%s/dockerd.log)", nd->name, nd->ip,
			 nd->eng ? engine_error(nd->eng) : strerror(-r), nd->dir);
		nd->rc = r;
		return NULL;
	}
	r = engine_image_exists(nd->eng, b->image_id);
	if (r == 0)
		r = engine_image_load(nd->eng, b->image_tar);
	if (r < 0) {
		snprintf(nd->err, sizeof(nd->err), "loading the node image on %s: %s", nd->name,
			 engine_error(nd->eng));
		nd->rc = r;
	}
	return NULL;
}

/* Thread: join the swarm as a worker (token set by the caller). */
static void *
node_join_main(void *arg)
{
	struct lnode *nd = arg;
	char remote[64];
	int r;

	snprintf(remote, sizeof(remote), "%s:2377", nd->bay->nodes[0].ip);
	r = engine_swarm_join(nd->eng, nd->token, nd->ip, remote);
	if (r == -EAGAIN || r == -EEXIST) {
		_cleanup_free_ char *id = NULL;

		if (engine_node_id(nd->eng, &id) == 0)
			r = 0;	/* already in the swarm */
	}
	if (r < 0) {
		snprintf(nd->err, sizeof(nd->err), "%s could not join the swarm: %s", nd->name,
			 engine_error(nd->eng));
		nd->rc = r;
	}
	return NULL;
}

/* Run fn over nodes [from, to) in parallel; the first failure is the bay's. */
static int
parallel(struct lbay *b, int from, int to, void *(*fn)(void *))
{
	pthread_t th[MAX_NODES];
	bool started[MAX_NODES] = { false };
	int r = 0;

	for (int i = from; i < to; i++) {
		b->nodes[i].rc = 0;
		b->nodes[i].err[0] = '\0';
		started[i] = pthread_create(&th[i], NULL, fn, &b->nodes[i]) == 0;
		if (!started[i])
			fn(&b->nodes[i]);
	}
	for (int i = from; i < to; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	for (int i = from; i < to && r == 0; i++)
		if (b->nodes[i].rc < 0)
			r = bay_fail(b->ctx, b->nodes[i].rc, "%s", b->nodes[i].err);
	return r;
}

static int
in_swarm(struct lnode *nd)
{
	_cleanup_free_ char *id = NULL;

	return engine_node_id(nd->eng, &id) == 0;
}

/* Swarm: init on the first master, the other masters one at a time, workers in parallel. */
static int
form_swarm(struct lbay *b, int first_new)
{
	_cleanup_free_ char *wtok = NULL, *mtok = NULL, *id = NULL;
	struct lnode *m0 = &b->nodes[0];
	char remote[64];
	int r;

	if (!in_swarm(m0)) {
		bay_progress(b->ctx, "swarm", 70, "swarm init on %s", m0->name);
		r = engine_swarm_init(m0->eng, m0->ip, conf_str("local", "swarm_address_pool"), 24,
				      &id);
		if (r < 0)
			return bay_fail(b->ctx, r, "swarm init on %s: %s", m0->name,
					engine_error(m0->eng));
	}
	r = engine_swarm_tokens(m0->eng, &wtok, &mtok);
	if (r < 0)
		return bay_fail(b->ctx, r, "reading the join tokens: %s", engine_error(m0->eng));
	snprintf(remote, sizeof(remote), "%s:2377", m0->ip);
	for (int i = first_new > 1 ? first_new : 1; i < b->n; i++) {
		struct lnode *nd = &b->nodes[i];

		if (!nd->master || in_swarm(nd))
			continue;
		bay_progress(b->ctx, "swarm", 75, "manager %s joins", nd->name);
		r = engine_swarm_join(nd->eng, mtok, nd->ip, remote);
		if (r < 0)
			return bay_fail(b->ctx, r, "%s could not join as a manager: %s", nd->name,
					engine_error(nd->eng));
	}
	for (int i = first_new; i < b->n; i++)
		b->nodes[i].token = wtok;
	bay_progress(b->ctx, "swarm", 80, "workers join");
	for (int i = first_new; i < b->n; i++)
		if (b->nodes[i].master || in_swarm(&b->nodes[i]))
			b->nodes[i].token = NULL;
	{
		/* Only the workers that still need to join. */
		pthread_t th[MAX_NODES];
		bool st[MAX_NODES] = { false };

		for (int i = first_new; i < b->n; i++) {
			b->nodes[i].rc = 0;
			if (b->nodes[i].token)
				st[i] = pthread_create(&th[i], NULL, node_join_main,
						       &b->nodes[i]) == 0;
		}
		for (int i = first_new; i < b->n; i++)
			if (st[i])
				pthread_join(th[i], NULL);
		for (int i = first_new; i < b->n; i++)
			if (b->nodes[i].rc < 0)
				return bay_fail(b->ctx, b->nodes[i].rc, "%s", b->nodes[i].err);
	}
	return 0;
}

/* Wait until the managers list every node of the bay as ready. */
static int
wait_ready(struct lbay *b)
{
	int want = b->n, ready = 0, tries = 0;

	do {
		_cleanup_json_ json_t *nodes = NULL;
		size_t i;
		json_t *n;

		ready = 0;
		if (engine_nodes(b->nodes[0].eng, &nodes) == 0)
			json_array_foreach(nodes, i, n) {
				const char *st = json_string_value(json_object_get(
					json_object_get(n, "Status"), "State"));

				if (st && streq(st, "ready"))
					ready++;
			}
		if (ready >= want)
			return 0;
		if (bay_expired(b->ctx))
			break;
		usleep(tries++ < 20 ? 100 * 1000 : 500 * 1000);
	} while (tries < 600);
	return bay_fail(b->ctx, -ETIMEDOUT, "%d of %d nodes ready in the swarm", ready, want);
}

static int
ensure_lb(struct lbay *b)
{
	_cleanup_json_ json_t *d = NULL;
	char cfg[1200], log[1200];
	struct strbuf_lite { char buf[8192]; size_t len; } sb = { .len = 0 };
	int masters = 0, r;

	for (int i = 0; i < b->n; i++)
		masters += b->nodes[i].master;
	if (masters < 2)
		return 0;
	bay_progress(b->ctx, "load-balancer", 85, "haproxy on %s:%d for %d managers", b->gw,
		     DOCKER_PORT, masters);
	sb.len = (size_t)snprintf(sb.buf, sizeof(sb.buf),
				  "global\n  maxconn 512\ndefaults\n  mode tcp\n  timeout connect 5s\n"
				  "  timeout client 1h\n  timeout server 1h\nfrontend api\n"
				  "  bind %s:%d\n  default_backend managers\nbackend managers\n"
				  "  balance roundrobin\n", b->gw, DOCKER_PORT);
	for (int i = 0; i < b->n && sb.len < sizeof(sb.buf); i++)
		if (b->nodes[i].master)
			sb.len += (size_t)snprintf(sb.buf + sb.len, sizeof(sb.buf) - sb.len,
						   "  server %s %s:%d check inter 2s\n",
						   b->nodes[i].name, b->nodes[i].ip, DOCKER_PORT);
	snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", b->root);
	snprintf(log, sizeof(log), "%s/haproxy.log", b->root);
	r = write_file(cfg, sb.buf, 0600);
	if (r < 0)
		return bay_fail(b->ctx, r, "cannot write %s", cfg);
	d = json_pack("{s:s, s:s}", "haproxy", conf_str("local", "haproxy"), "log", log);
	return add_entry(b, "haproxy", cfg, d, NULL);
}

static int
set_result(struct lbay *b)
{
	_cleanup_json_ json_t *info = NULL;
	json_t *res, *ma = json_array(), *na = json_array();
	char api[80];
	int masters = 0;

	for (int i = 0; i < b->n; i++) {
		masters += b->nodes[i].master;
		json_array_append_new(b->nodes[i].master ? ma : na, json_string(b->nodes[i].ip));
	}
	snprintf(api, sizeof(api), "tcp://%s:%d", masters > 1 ? b->gw : b->nodes[0].ip,
		 b->tls ? DOCKER_PORT : 2375);
	res = json_pack("{s:s, s:o, s:o}", "api_address", api, "master_addresses", ma,
			"node_addresses", na);
	if (res && engine_info(b->nodes[0].eng, &info) == 0 &&
	    json_string_value(json_object_get(info, "ServerVersion"))) {
		json_object_set(res, "coe_version", json_object_get(info, "ServerVersion"));
		json_object_set(res, "container_version", json_object_get(info, "ServerVersion"));
	}
	json_decref(b->ctx->result);
	b->ctx->result = res;
	return res ? 0 : -ENOMEM;
}

/* Load the nodes the ledger has (sorted by index). */
static int
load_nodes(struct lbay *b)
{
	_cleanup_json_ json_t *all = NULL;
	size_t i;
	json_t *e;
	int r;

	r = ledger_list(b->ctx->db, b->ctx->uuid, &all);
	if (r < 0)
		return r;
	b->n = 0;
	json_array_foreach(all, i, e) {
		json_t *d = json_object_get(e, "data");
		struct lnode *nd;

		if (!streq(jstr(e, "kind"), "node") || b->n >= MAX_NODES)
			continue;
		nd = &b->nodes[b->n++];
		memset(nd, 0, sizeof(*nd));
		nd->bay = b;
		nd->idx = (int)json_integer_value(json_object_get(d, "node"));
		nd->master = streq_ptr(jstr(d, "role"), "master");
		snprintf(nd->name, sizeof(nd->name), "%s", jstr(e, "name"));
		snprintf(nd->ip, sizeof(nd->ip), "%s", jstr(d, "ip") ? jstr(d, "ip") : "");
		snprintf(nd->dir, sizeof(nd->dir), "%s", jstr(d, "dir") ? jstr(d, "dir") : "");
		nd->entry = json_incref(e);
	}
	return 0;
}

/* Bring the nodes [first, n) up: daemons answering, image loaded. */
static int
nodes_up(struct lbay *b, int first)
{
	bay_progress(b->ctx, "nodes", 40, "waiting for dockerd on %d node(s)", b->n - first);
	return parallel(b, first, b->n, node_ready_main);
}

/*
 * Thread per node (create): wait for its dockerd and load the image, then
 * the first master makes the swarm while the others wait for its tokens and
 * join as soon as they are up (managers one at a time, workers at once).
 */
static void *
node_bringup_main(void *arg)
{
	struct lnode *nd = arg;
	struct lbay *b = nd->bay;
	_cleanup_free_ char *id = NULL;
	char remote[64];
	int r, st;

	node_ready_main(nd);
	if (nd == &b->nodes[0]) {
		r = nd->rc;
		if (r >= 0 && !in_swarm(nd)) {
			r = engine_swarm_init(nd->eng, nd->ip, conf_str("local", "swarm_address_pool"),
					      24, &id);
			if (r < 0)
				snprintf(nd->err, sizeof(nd->err), "swarm init on %s: %s", nd->name,
					 engine_error(nd->eng));
		}
		if (r >= 0) {
			r = engine_swarm_tokens(nd->eng, &b->bu_wtok, &b->bu_mtok);
			if (r < 0)
				snprintf(nd->err, sizeof(nd->err), "reading the join tokens: %s",
					 engine_error(nd->eng));
		}
		nd->rc = r < 0 ? r : 0;
		pthread_mutex_lock(&b->bu_lock);
		b->bu_state = r < 0 ? r : 1;
		pthread_cond_broadcast(&b->bu_cond);
		pthread_mutex_unlock(&b->bu_lock);
		return NULL;
	}
	pthread_mutex_lock(&b->bu_lock);
	while (b->bu_state == 0)
		pthread_cond_wait(&b->bu_cond, &b->bu_lock);
	st = b->bu_state;
	pthread_mutex_unlock(&b->bu_lock);
	if (nd->rc < 0)
		return NULL;
	if (st < 0) {
		nd->rc = st;
		snprintf(nd->err, sizeof(nd->err), "the first master could not form the swarm");
		return NULL;
	}
	if (in_swarm(nd))
		return NULL;
	snprintf(remote, sizeof(remote), "%s:2377", b->nodes[0].ip);
	if (nd->master)
		pthread_mutex_lock(&b->bu_managers);
	r = engine_swarm_join(nd->eng, nd->master ? b->bu_mtok : b->bu_wtok, nd->ip, remote);
	if (nd->master)
		pthread_mutex_unlock(&b->bu_managers);
	if (r < 0) {
		snprintf(nd->err, sizeof(nd->err), "%s could not join the swarm%s: %s", nd->name,
			 nd->master ? " as a manager" : "", engine_error(nd->eng));
		nd->rc = r;
	}
	return NULL;
}

static int
swarm_create(struct bay_ctx *ctx)
{
	struct lbay *b = NULL;
	int masters = bay_master_count(ctx), workers = bay_node_count(ctx), r;

	if (masters < 1)
		masters = 1;
	r = bay_open(ctx, &b);
	if (r < 0)
		return r;
	snprintf(ctx->step, sizeof(ctx->step), "network");
	r = add_entry(b, "dir", b->root, NULL, NULL);
	if (r >= 0)
		r = setup_network(b);
	if (r >= 0) {
		bay_progress(ctx, "image", 12, "node image (built locally, loaded on every node)");
		r = ensure_image(b);
	}
	if (r >= 0)
		r = load_credentials(b);
	if (r >= 0)
		bay_progress(ctx, "servers", 15, "starting %d master(s) and %d node(s)", masters,
			     workers);
	for (int i = 0; r >= 0 && i < masters + workers; i++)
		r = add_node(b, i, i < masters);
	if (r >= 0) {
		bay_progress(ctx, "nodes", 40, "waiting for dockerd on %d node(s); the swarm forms "
			     "as they come up", b->n);
		pthread_mutex_init(&b->bu_lock, NULL);
		pthread_cond_init(&b->bu_cond, NULL);
		pthread_mutex_init(&b->bu_managers, NULL);
		r = parallel(b, 0, b->n, node_bringup_main);
		pthread_mutex_destroy(&b->bu_lock);
		pthread_cond_destroy(&b->bu_cond);
		pthread_mutex_destroy(&b->bu_managers);
	}
	if (r >= 0)
		bay_progress(ctx, "swarm", 80, "%d node(s) in the swarm", b->n);
	if (r >= 0)
		r = ensure_lb(b);
	if (r >= 0) {
		bay_progress(ctx, "ready", 90, "waiting for every node to be Ready");
		r = wait_ready(b);
	}
	if (r >= 0)
		r = set_result(b);
	bay_free(b);
	return r;
}

/* Destroy every ledger entry of node idx, newest first. */
static int
remove_node_entries(struct bay_ctx *ctx, int idx)
{
	_cleanup_json_ json_t *all = NULL;
	char err[700];
	int r;

	r = ledger_list(ctx->db, ctx->uuid, &all);
	if (r < 0)
		return r;
	for (size_t i = json_array_size(all); i-- > 0;) {
		json_t *e = json_array_get(all, i);
		json_t *n = json_object_get(json_object_get(e, "data"), "node");

		if (idx >= 0 && (!json_is_integer(n) || json_integer_value(n) != idx))
			continue;
		r = lobj_destroy(e, err, sizeof(err));
		if (r < 0)
			return bay_fail(ctx, r, "%s", err);
		r = ledger_forget(ctx->db, json_integer_value(json_object_get(e, "id")));
		if (r < 0)
			return r;
	}
	return 0;
}

static int
swarm_remove(struct bay_ctx *ctx)
{
	int64_t n = 0;

	ledger_count(ctx->db, ctx->uuid, &n);
	_cleanup_json_ json_t *left = NULL;
	char dir[1100];
	int r;

	bay_progress(ctx, "delete", 10, "removing %lld resources, newest first", (long long)n);
	r = remove_node_entries(ctx, -1);
	if (r < 0)
		return r;
	/* The last namespace of any bay gone: undo the namespace directory's own mount. */
	if (ledger_kind_names(ctx->db, "netns", &left) == 0 && json_array_size(left) == 0) {
		snprintf(dir, sizeof(dir), "%s/local/netns", conf_str("DEFAULT", "state_path"));
		(void)netns_dir_release(dir);
	}
	return 0;
}

/* Choose the worker to remove: the one with the fewest running tasks, newest on ties. */
static int
pick_victim(struct lbay *b, const char *const *ids)
{
	int best = -1, best_tasks = 1 << 30;

	for (int i = b->n - 1; i >= 0; i--) {
		int t = 0;

		if (b->nodes[i].master)
			continue;
		if (ids[i] == NULL)
			t = -1;		/* not in the swarm (left before a crash): first to go */
		else if (engine_node_tasks_running(b->nodes[0].eng, ids[i], &t) < 0)
			t = 1 << 20;
		if (t < best_tasks) {
			best = i;
			best_tasks = t;
		}
	}
	return best;
}

static int
scale_down(struct lbay *b, int count)
{
	char *ids[MAX_NODES] = { NULL };
	int r = 0;

	for (int i = 0; i < b->n; i++)
		if (!b->nodes[i].master && b->nodes[i].eng)
			engine_node_id(b->nodes[i].eng, &ids[i]);
	while (count-- > 0 && r >= 0) {
		int v = pick_victim(b, (const char *const *)ids), t = 1;
		struct lnode *nd;

		if (v < 0)
			break;
		nd = &b->nodes[v];
		if (ids[v]) {
			bay_progress(b->ctx, "scale-down", 30, "draining %s", nd->name);
			engine_node_set_availability(b->nodes[0].eng, ids[v], "drain");
			for (int k = 0; k < 100 && t > 0; k++) {
				if (engine_node_tasks_running(b->nodes[0].eng, ids[v], &t) < 0)
					break;
				if (t > 0)
					usleep(100 * 1000);
			}
			/* Drained and idle: the managers forget it at once. A polite
			 * leave from the worker's side waits out a 5 s agent stop for
			 * nothing, since the node and its dockerd go next. */
			engine_node_remove(b->nodes[0].eng, ids[v], true);
		}
		bay_progress(b->ctx, "scale-down", 60, "removing %s", nd->name);
		r = remove_node_entries(b->ctx, nd->idx);
		free(ids[v]);
		ids[v] = NULL;
		nd->master = true;	/* out of the running for the next pick */
	}
	for (int i = 0; i < b->n; i++)
		free(ids[i]);
	return r;
}

/* Make every ledger entry of the bay exist (a half-made node after a crash included). */
static int
ensure_all(struct bay_ctx *ctx)
{
	_cleanup_json_ json_t *all = NULL;
	char err[700];
	size_t i;
	json_t *e;
	int r;

	r = ledger_list(ctx->db, ctx->uuid, &all);
	if (r < 0)
		return r;
	json_array_foreach(all, i, e) {
		r = lobj_ensure(ctx->db, e, err, sizeof(err));
		if (r < 0)
			return bay_fail(ctx, r, "%s", err);
	}
	return 0;
}

/* Forget swarm nodes that are not ours any more (left during an interrupted scale-down). */
static void
prune_swarm(struct lbay *b)
{
	_cleanup_json_ json_t *nodes = NULL;
	size_t i;
	json_t *n;

	if (engine_nodes(b->nodes[0].eng, &nodes) < 0)
		return;
	json_array_foreach(nodes, i, n) {
		const char *host = json_string_value(json_object_get(
			json_object_get(n, "Description"), "Hostname"));
		const char *id = json_string_value(json_object_get(n, "ID"));
		bool ours = false;

		for (int k = 0; host && k < b->n; k++)
			ours = ours || streq(b->nodes[k].name, host);
		if (!ours && id)
			engine_node_remove(b->nodes[0].eng, id, true);
	}
}

static int
swarm_update(struct bay_ctx *ctx)
{
	struct lbay *b = NULL;
	int want = bay_node_count(ctx), have = 0, maxidx = -1, first, r;

	r = bay_open(ctx, &b);
	if (r < 0)
		return r;
	r = ensure_all(ctx);
	if (r >= 0)
		r = load_nodes(b);
	if (r >= 0)
		r = load_credentials(b);
	for (int i = 0; i < b->n; i++) {
		have += !b->nodes[i].master;
		if (b->nodes[i].idx > maxidx)
			maxidx = b->nodes[i].idx;
	}
	if (r >= 0 && b->n == 0)
		r = bay_fail(ctx, -ENOENT, "the bay has no nodes in the ledger");
	if (r >= 0) {
		bay_progress(ctx, "nodes", 10, "%d worker(s) now, %d wanted", have, want);
		r = ensure_image(b);
	}
	first = b->n;
	if (r >= 0 && want > have) {
		bay_progress(ctx, "scale-up", 20, "adding %d node(s)", want - have);
		for (int i = 0; r >= 0 && i < want - have; i++)
			r = add_node(b, maxidx + 1 + i, false);
	}
	/* Every node (old, new, or half-made before a crash) up and in the swarm. */
	if (r >= 0)
		r = nodes_up(b, 0);
	if (r >= 0)
		r = form_swarm(b, 0);
	(void)first;
	if (r >= 0 && want < have) {
		r = scale_down(b, have - want);
		if (r >= 0)
			r = load_nodes(b);
		for (int i = 0; r >= 0 && i < b->n; i++)
			r = open_engine(b, &b->nodes[i]);
	}
	if (r >= 0) {
		prune_swarm(b);
		r = wait_ready(b);
	}
	if (r >= 0)
		r = set_result(b);
	bay_free(b);
	return r;
}

/* New node certificates under the current CA, and each daemon restarted on them. */
static int
swarm_reissue(struct bay_ctx *ctx)
{
	struct lbay *b = NULL;
	char err[700];
	int r;

	r = bay_open(ctx, &b);
	if (r < 0)
		return r;
	r = load_nodes(b);
	if (r >= 0)
		r = load_credentials(b);
	if (r >= 0)
		r = ensure_image(b);
	for (int i = 0; r >= 0 && i < b->n; i++) {
		struct lnode *nd = &b->nodes[i];

		bay_progress(ctx, "certificates", 20 + 60 * i / (b->n ? b->n : 1),
			     "new certificate for %s; restarting its dockerd", nd->name);
		r = node_certs(b, nd);
		if (r < 0)
			break;
		r = lobj_destroy(nd->entry, err, sizeof(err));	/* stops the node's processes */
		if (r >= 0) {
			json_object_set_new(json_object_get(nd->entry, "data"), "pid",
					    json_integer(0));
			r = lobj_ensure(ctx->db, nd->entry, err, sizeof(err));
		}
		if (r < 0)
			r = bay_fail(ctx, r, "%s", err);
	}
	if (r >= 0)
		r = parallel(b, 0, b->n, node_ready_main);
	if (r >= 0)
		r = wait_ready(b);
	bay_free(b);
	return r;
}

/* After a restart or a host reboot: every object the ledger has exists again. */
static int
swarm_sync(struct bay_ctx *ctx)
{
	_cleanup_json_ json_t *all = NULL;
	char err[700];
	size_t i;
	json_t *e;
	int r, restarted = 0;

	r = ledger_list(ctx->db, ctx->uuid, &all);
	if (r < 0)
		return r;
	json_array_foreach(all, i, e) {
		json_t *d = json_object_get(e, "data");
		bool proc = streq(jstr(e, "kind"), "node") || streq(jstr(e, "kind"), "haproxy");
		pid_t before = (pid_t)json_integer_value(json_object_get(d, "pid"));

		r = lobj_ensure(ctx->db, e, err, sizeof(err));
		if (r < 0) {
			snprintf(ctx->reason, sizeof(ctx->reason), "sync: %s", err);
			return r;
		}
		if (proc && json_integer_value(json_object_get(json_object_get(e, "data"), "pid")) !=
			    before)
			restarted++;
	}
	if (restarted)
		bay_progress(ctx, "sync", 100, "restarted %d node process(es) from the ledger",
			     restarted);
	return 0;
}

static const char *
swarm_refuse(json_t *tmpl)
{
	const char *sd = jstr(tmpl, "docker_storage_driver");
	const char *nd = jstr(tmpl, "network_driver");

	if (sd && streq(sd, "devicemapper"))
		return "The devicemapper storage driver is not available on the local backend: "
		       "this kernel has no device-mapper. Use overlay2 "
		       "(--docker-storage-driver overlay2).";
	if (nd && streq(nd, "flannel"))
		return "The flannel network driver is not available for swarm bays on the local "
		       "backend yet: use network_driver docker (swarm's overlay networking).";
	return NULL;
}

const struct driver swarm_local_driver = {
	.name = "swarm_local",
	.backend = "local",
	.coe = "swarm",
	.create = swarm_create,
	.update = swarm_update,
	.remove = swarm_remove,
	.reissue_certs = swarm_reissue,
	.sync = swarm_sync,
	.refuse = swarm_refuse,
};
