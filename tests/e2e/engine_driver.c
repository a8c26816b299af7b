/*
 * engine_driver.c - the C half of test_engine.sh: makes the PKI with our x509
 * module, then drives a real dockerd over TLS through src/backends/local
 * (engine, image) and checks every step. Prints timings.
 *
 *   engine_driver pki DIR NODE_IP      write DIR/tls/{ca,server,client}{-cert,-key}.pem
 *   engine_driver run DIR NODE_IP ALT_IP   the scenario (ALT_IP: the node's other address,
 *                                          absent from its certificate)
 * DOCKERD_START_NS (CLOCK_REALTIME ns) is when dockerd was started. Exit 0 on success.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "backends/local/engine.h"
#include "backends/local/image.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "x509/x509.h"

#define POOL		"10.200.0.0/16"
#define POLL_MS		200

static const char *dir;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* Abort the run if r < 0, quoting the engine's error. */
#define MUST(e, expr)                                                                          \
	do {                                                                                   \
		int _r = (expr);                                                               \
		if (_r < 0)                                                                    \
			die("%s:%d: %s = %d (%s): %s", __FILE__, __LINE__, #expr, _r,          \
			    strerror(-_r), engine_error(e));                                   \
	} while (0)

#define CHECK(cond, ...)                                                                       \
	do {                                                                                   \
		if (!(cond))                                                                   \
			die("%s:%d: %s: " __VA_ARGS__, __FILE__, __LINE__, #cond);             \
	} while (0)

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 },
		  NULL);
}

static char *
read_text(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char path[512], buf[4096];
	size_t k;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tls/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		die("open %s: %s", path, strerror(errno));
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_append(&sb, buf, k) < 0)
			die("out of memory");
	fclose(f);
	return strbuf_steal(&sb);
}

static void
write_text(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tls/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die("write %s: %s", path, strerror(errno));
}

static int
cmd_pki(const char *ip)
{
	_cleanup_free_ char *ca = NULL, *scert = NULL, *ccert = NULL;
	_cleanup_(x509_secret_freep) char *cakey = NULL, *skey = NULL, *ckey = NULL;
	struct x509_params ec = { .key_type = "ec", .validity_days = 2 };
	char san[64];
	const char *sans[] = { san, NULL };
	double t0 = now_s();

	snprintf(san, sizeof(san), "IP:%s", ip);
	if (x509_ca_create("mgt-engine-ca", &ec, &ca, &cakey) < 0 ||
	    x509_issue_server_cert(ca, cakey, "mgt-engine-node", sans, &ec, &scert, &skey) < 0 ||
	    x509_issue_client_cert(ca, cakey, NULL, NULL, &ec, &ccert, &ckey) < 0)
		die("x509: cannot make the PKI");
	write_text("ca.pem", ca);
	write_text("server-cert.pem", scert);
	write_text("server-key.pem", skey);
	write_text("client-cert.pem", ccert);
	write_text("client-key.pem", ckey);
	printf("timing: pki (CA + server + client, EC P-256): %.3f s\n", now_s() - t0);
	return 0;
}

/* A client with no certificate at all must be refused by dockerd --tlsverify. */
static void
check_no_client_cert(const char *host_port)
{
	char url[128], ca[512];
	CURLcode rc;
	long status = 0;
	CURL *c = curl_easy_init();

	CHECK(c != NULL, "curl");
	snprintf(url, sizeof(url), "https://%s/_ping", host_port);
	snprintf(ca, sizeof(ca), "%s/tls/ca.pem", dir);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	CHECK(rc != CURLE_OK && status == 0, "a client without a certificate got %ld", status);
	printf("ok: a client without a certificate is refused (%s)\n", curl_easy_strerror(rc));
}

/* Certificates of another CA: ours refused by the server, the server's refused by us. */
static void
check_foreign_certs(const char *host_port, const char *alt_port, const char *ca,
		    const char *cert, const char *key)
{
	_cleanup_free_ char *ca2 = NULL, *c2 = NULL;
	_cleanup_(x509_secret_freep) char *k2 = NULL, *cakey2 = NULL;
	_cleanup_(engine_freep) struct engine *e = NULL;
	struct x509_params ec = { .key_type = "ec", .validity_days = 2 };
	int r;

	CHECK(x509_ca_create("mgt-other-ca", &ec, &ca2, &cakey2) == 0, "other CA");
	CHECK(x509_issue_client_cert(ca2, cakey2, NULL, NULL, &ec, &c2, &k2) == 0, "client");

	MUST(e, engine_open_tls(host_port, ca, c2, k2, &e));
	r = engine_ping(e);
	CHECK(r < 0, "a client certificate of another CA was accepted");
	printf("ok: a client certificate of another CA is refused: %d %s\n", r, engine_error(e));
	e = engine_free(e);

	MUST(e, engine_open_tls(host_port, ca2, cert, key, &e));
	r = engine_ping(e);
	CHECK(r == -EACCES, "server verified against the wrong CA: %d %s", r, engine_error(e));
	printf("ok: a server certificate of another CA is refused: %s\n", engine_error(e));
	e = engine_free(e);

	/* the same daemon at an address its certificate does not name */
	MUST(e, engine_open_tls(alt_port, ca, cert, key, &e));
	r = engine_ping(e);
	CHECK(r == -EACCES, "server certificate accepted for another IP: %d %s", r,
	      engine_error(e));
	printf("ok: the certificate's IP SAN is checked: %s\n", engine_error(e));
}

static void
check_not_in_swarm(struct engine *e)
{
	_cleanup_json_ json_t *nodes = NULL;
	_cleanup_free_ char *id = NULL;
	int r;

	r = engine_node_id(e, &id);
	CHECK(r == -ENOTCONN && id == NULL, "node id outside a swarm: %d", r);
	r = engine_nodes(e, &nodes);
	CHECK(r == -EAGAIN && nodes == NULL, "GET /nodes outside a swarm: %d", r);
	CHECK(strncmp(engine_error(e), "GET /nodes: 503 This node is not a swarm manager", 48) ==
		      0,
	      "error sentence: %s", engine_error(e));
	printf("ok: error sentence: %s\n", engine_error(e));
}

/* Poll until the single node is a ready leader. */
static void
check_nodes(struct engine *e, const char *node_id)
{
	double t0 = now_s();

	for (;;) {
		_cleanup_json_ json_t *nodes = NULL;
		json_t *n;
		const char *state, *role, *id;

		MUST(e, engine_nodes(e, &nodes));
		CHECK(json_array_size(nodes) == 1, "%zu nodes", json_array_size(nodes));
		n = json_array_get(nodes, 0);
		id = json_string_value(json_object_get(n, "ID"));
		state = json_string_value(json_object_get(json_object_get(n, "Status"), "State"));
		role = json_string_value(json_object_get(json_object_get(n, "Spec"), "Role"));
		CHECK(id && streq(id, node_id), "node id %s", strempty(id));
		CHECK(role && streq(role, "manager"), "role %s", strempty(role));
		if (state && streq(state, "ready") &&
		    json_is_true(json_object_get(json_object_get(n, "ManagerStatus"), "Leader"))) {
			printf("ok: 1 node, Ready manager, leader\n");
			return;
		}
		CHECK(now_s() - t0 < 30, "node not ready: %s", strempty(state));
		sleep_ms(POLL_MS);
	}
}

static const char *
node_availability(struct engine *e)
{
	static char buf[32];
	_cleanup_json_ json_t *nodes = NULL;
	const char *a;

	MUST(e, engine_nodes(e, &nodes));
	a = json_string_value(
		json_object_get(json_object_get(json_array_get(nodes, 0), "Spec"), "Availability"));
	snprintf(buf, sizeof(buf), "%s", strempty(a));
	return buf;
}

static void
wait_running(struct engine *e, const char *svc, int want, double limit)
{
	double t0 = now_s();
	int running = -1;

	for (;;) {
		_cleanup_json_ json_t *tasks = NULL;

		MUST(e, engine_service_running(e, svc, &running, &tasks));
		if (running == want) {
			CHECK(json_array_size(tasks) >= (size_t)want, "tasks array");
			return;
		}
		CHECK(now_s() - t0 < limit, "service %s: %d of %d running after %.0f s", svc,
		      running, want, limit);
		sleep_ms(POLL_MS);
	}
}

static int
cmd_run(const char *ip, const char *alt_ip)
{
	_cleanup_free_ char *ca = read_text("ca.pem"), *cert = read_text("client-cert.pem"),
			    *node_id = NULL, *node_id2 = NULL, *worker = NULL, *manager = NULL,
			    *svc = NULL, *net = NULL;
	_cleanup_(x509_secret_freep) char *key = read_text("client-key.pem");
	_cleanup_(engine_freep) struct engine *e = NULL;
	_cleanup_json_ json_t *info = NULL, *swarm = NULL, *j = NULL;
	const char *cmd[] = { "sleep", "3600", NULL };
	char host_port[64], alt_port[64], tar[512], image_id[IMAGE_ID_LEN];
	const char *start_env = getenv("DOCKERD_START_NS");
	double t0;
	long status = 0;
	int r, count = -1;

	snprintf(host_port, sizeof(host_port), "%s:2376", ip);
	snprintf(alt_port, sizeof(alt_port), "%s:2376", alt_ip);

	/* 1. the daemon answers over TLS */
	MUST(e, engine_open_tls(host_port, ca, cert, key, &e));
	MUST(e, engine_wait_ready(e, 30000));
	if (start_env) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		printf("timing: dockerd start to ping over TLS: %.3f s\n",
		       (ts.tv_sec * 1e9 + ts.tv_nsec - strtod(start_env, NULL)) / 1e9);
	}
	MUST(e, engine_ping(e));
	MUST(e, engine_info(e, &info));
	CHECK(json_string_value(json_object_get(info, "ServerVersion")) != NULL, "ServerVersion");
	CHECK(streq(json_string_value(json_object_get(json_object_get(info, "Swarm"),
						      "LocalNodeState")) ?: "",
		    "inactive"),
	      "already in a swarm");
	printf("ok: ping and info over TLS: dockerd %s, %s\n",
	       json_string_value(json_object_get(info, "ServerVersion")),
	       json_string_value(json_object_get(info, "Driver")) ?: "?");

	/* the same daemon through its unix socket */
	{
		_cleanup_(engine_freep) struct engine *u = NULL;
		_cleanup_json_ json_t *uinfo = NULL;
		char sock[512];

		snprintf(sock, sizeof(sock), "%s/docker.sock", dir);
		MUST(u, engine_open_unix(sock, &u));
		MUST(u, engine_ping(u));
		MUST(u, engine_info(u, &uinfo));
		CHECK(json_equal(json_object_get(uinfo, "ID"), json_object_get(info, "ID")),
		      "unix socket and TLS reach different daemons");
		printf("ok: the unix socket reaches the same daemon (ID %s)\n",
		       json_string_value(json_object_get(info, "ID")));
	}

	check_no_client_cert(host_port);
	check_foreign_certs(host_port, alt_port, ca, cert, key);

	/* generic call: a daemon error becomes -errno and a sentence */
	r = engine_call(e, "GET", "/containers/mgt-none/json", NULL, &status, &j);
	CHECK(r == -ENOENT && status == 404 && j == NULL, "404: %d %ld", r, status);
	CHECK(streq(engine_error(e),
		    "GET /containers/mgt-none/json: 404 No such container: mgt-none"),
	      "sentence: %s", engine_error(e));

	/* 2. the image, built here, loaded there */
	snprintf(tar, sizeof(tar), "%s/busybox.tar", dir);
	t0 = now_s();
	MUST(e, image_build_busybox("/bin/busybox", tar, "magnum/busybox:local", image_id));
	printf("timing: image build: %.3f s (%s)\n", now_s() - t0, image_id);
	CHECK(engine_image_exists(e, image_id) == 0, "image present before load");
	t0 = now_s();
	MUST(e, engine_image_load(e, tar));
	printf("timing: image load: %.3f s\n", now_s() - t0);
	CHECK(engine_image_exists(e, image_id) == 1, "image %s absent after load", image_id);
	r = engine_image_load(e, "/etc/hostname");	/* not a tar: the daemon says so */
	CHECK(r < 0, "loading a non-tar succeeded");
	printf("ok: loading a non-tar fails: %s\n", engine_error(e));

	/* 3. a one-node swarm */
	check_not_in_swarm(e);
	t0 = now_s();
	MUST(e, engine_swarm_init(e, ip, POOL, 24, &node_id));
	printf("timing: swarm init: %.3f s (node %s)\n", now_s() - t0, node_id);
	MUST(e, engine_node_id(e, &node_id2));
	CHECK(streq(node_id, node_id2), "node ids %s %s", node_id, node_id2);
	MUST(e, engine_swarm_tokens(e, &worker, &manager));
	CHECK(strncmp(worker, "SWMTKN-1-", 9) == 0 && strncmp(manager, "SWMTKN-1-", 9) == 0 &&
		      !streq(worker, manager),
	      "tokens");
	MUST(e, engine_call(e, "GET", "/swarm", NULL, NULL, &swarm));
	CHECK(streq(json_string_value(json_array_get(json_object_get(swarm, "DefaultAddrPool"),
						     0)) ?: "",
		    POOL) &&
		      json_integer_value(json_object_get(swarm, "SubnetSize")) == 24,
	      "default address pool");
	printf("ok: swarm with address pool %s/24, tokens SWMTKN-1-...\n", POOL);
	r = engine_swarm_join(e, worker, ip, host_port);
	CHECK(r < 0 && strncmp(engine_error(e), "POST /swarm/join: 503 ", 22) == 0,
	      "join while in a swarm: %d %s", r, engine_error(e));
	printf("ok: error sentence: %s\n", engine_error(e));
	check_nodes(e, node_id);

	/* 4. a service of 2 replicas of the image, by ID */
	t0 = now_s();
	MUST(e, engine_service_create(e, "mgt-sleep", image_id, cmd, 2, NULL, &svc));
	wait_running(e, svc, 2, 60);
	printf("timing: service create to 2/2 running: %.3f s\n", now_s() - t0);
	r = engine_service_create(e, "mgt-sleep", image_id, cmd, 1, NULL, &net);
	CHECK(r == -EEXIST && net == NULL, "duplicate service name: %d", r);
	CHECK(engine_service_create(e, "mgt-tag", "busybox:latest", cmd, 1, NULL, &net) == -EINVAL,
	      "a tag was accepted");
	MUST(e, engine_node_tasks_running(e, node_id, &count));
	CHECK(count == 2, "%d tasks on the node", count);

	/* 5. drain the node (spec version round trip), tasks leave, then back to active */
	t0 = now_s();
	MUST(e, engine_node_set_availability(e, node_id, "drain"));
	CHECK(streq(node_availability(e), "drain"), "availability %s", node_availability(e));
	for (;;) {
		MUST(e, engine_node_tasks_running(e, node_id, &count));
		if (count == 0)
			break;
		CHECK(now_s() - t0 < 30, "%d tasks still on the drained node", count);
		sleep_ms(POLL_MS);
	}
	printf("timing: drain until no task runs: %.3f s\n", now_s() - t0);
	CHECK(engine_node_set_availability(e, node_id, "sleep") == -EINVAL, "bad availability");
	MUST(e, engine_node_set_availability(e, node_id, "active"));
	CHECK(streq(node_availability(e), "active"), "availability %s", node_availability(e));
	wait_running(e, svc, 2, 60);
	printf("ok: drained and re-activated; 2/2 running again\n");

	MUST(e, engine_service_remove(e, svc));
	r = engine_call(e, "GET", "/services/mgt-sleep", NULL, NULL, NULL);
	CHECK(r == -ENOENT, "service still there: %d", r);
	CHECK(engine_service_remove(e, svc) == -ENOENT, "removed twice");

	/* 6. an overlay network */
	MUST(e, engine_network_create_overlay(e, "mgt-net", true, &net));
	CHECK(strlen(net) >= 12, "network id %s", net);
	r = engine_network_create_overlay(e, "mgt-net", true, &node_id2);
	CHECK(r < 0, "duplicate network name: %d", r);
	printf("ok: overlay network %s; duplicate refused: %s\n", net, engine_error(e));

	/* 7. leave */
	t0 = now_s();
	MUST(e, engine_swarm_leave(e, true));
	printf("timing: swarm leave: %.3f s\n", now_s() - t0);
	free(node_id2);
	node_id2 = NULL;
	CHECK(engine_node_id(e, &node_id2) == -ENOTCONN, "still in a swarm");
	r = engine_swarm_leave(e, true);
	CHECK(r == -ENOTCONN, "leave twice: %d %s", r, engine_error(e));
	printf("ok: left the swarm; leaving again: %s\n", engine_error(e));
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 4 && streq(argv[1], "pki")) {
		dir = argv[2];
		return cmd_pki(argv[3]);
	}
	if (argc == 5 && streq(argv[1], "run")) {
		int r;

		dir = argv[2];
		r = cmd_run(argv[3], argv[4]);
		curl_global_cleanup();
		return r;
	}
	fprintf(stderr, "usage: engine_driver pki DIR IP | run DIR IP ALT_IP\n");
	return 2;
}
