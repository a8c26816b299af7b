/*
 * test_engine.c - the Engine API client against a scripted fake daemon on a
 * unix socket (a thread here): request bodies and paths, status mapping and
 * error sentences, bounded and malformed responses, timeouts, streaming
 * uploads. The real daemon is exercised by tests/e2e/test_engine.sh.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/local/engine.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#define MAX_SCRIPT	8

struct reply {
	int		status;		/* 0: never answer, wait for the client to go */
	const char	*body;
	size_t		len;		/* 0: strlen(body) */
};

struct request {
	char		method[16];
	char		target[1024];
	char		*body;
	size_t		len;
};

static char dir[] = "/tmp/magnum-test-engine-unit-XXXXXX";
static char sock_path[100];
static int listen_fd = -1;
static pthread_t server;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct reply script[MAX_SCRIPT];
static size_t n_script, next_reply;
static struct request seen[MAX_SCRIPT];
static size_t n_seen;

static void
expect(const struct reply *r, size_t n)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_seen; i++)
		free(seen[i].body);
	if (n > 0)
		memcpy(script, r, n * sizeof(*r));
	n_script = n;
	next_reply = 0;
	n_seen = 0;
	pthread_mutex_unlock(&lock);
}

static void
send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t k = send(fd, p, len, MSG_NOSIGNAL);

		if (k <= 0)
			return;	/* the client went away (e.g. it capped the response) */
		p += k;
		len -= (size_t)k;
	}
}

/* Serve requests on one connection until the client closes it. */
static void
serve(int fd)
{
	struct strbuf in = STRBUF_INIT;
	char buf[65536];
	ssize_t k;

	for (;;) {
		char *end, *cl;
		size_t head, clen = 0;
		struct request req = { .body = NULL };
		struct reply rep = { 500, "{\"message\":\"unscripted\"}", 0 };
		char hdr[256];

		while ((end = in.buf ? strstr(in.buf, "\r\n\r\n") : NULL) == NULL) {
			k = read(fd, buf, sizeof(buf));
			if (k <= 0)
				goto out;
			strbuf_append(&in, buf, (size_t)k);
		}
		head = (size_t)(end - in.buf) + 4;
		cl = strcasestr(in.buf, "\r\nContent-Length:");
		if (cl && cl < end)
			clen = strtoul(cl + 17, NULL, 10);
		while (in.len < head + clen) {
			k = read(fd, buf, sizeof(buf));
			if (k <= 0)
				goto out;
			strbuf_append(&in, buf, (size_t)k);
		}
		sscanf(in.buf, "%15s %1023s", req.method, req.target);
		req.body = malloc(clen + 1);
		memcpy(req.body, in.buf + head, clen);
		req.body[clen] = '\0';
		req.len = clen;
		memmove(in.buf, in.buf + head + clen, in.len - head - clen);
		in.len -= head + clen;
		in.buf[in.len] = '\0';

		pthread_mutex_lock(&lock);
		if (n_seen < MAX_SCRIPT)
			seen[n_seen++] = req;
		else
			free(req.body);
		if (next_reply < n_script)
			rep = script[next_reply++];
		pthread_mutex_unlock(&lock);

		if (rep.status == 0) {	/* hang until the client gives up */
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			goto out;
		}
		if (rep.len == 0)
			rep.len = strlen(rep.body);
		snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 rep.status, rep.len);
		send_all(fd, hdr, strlen(hdr));
		send_all(fd, rep.body, rep.len);
	}
out:
	strbuf_free(&in);
}

static void *
server_main(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			return NULL;	/* shut down */
		serve(fd);
		close(fd);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/docker.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 8) < 0)
		return -1;
	return pthread_create(&server, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	shutdown(listen_fd, SHUT_RDWR);
	pthread_join(server, NULL);
	close(listen_fd);
	expect(NULL, 0);
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct engine *
open_engine(void)
{
	struct engine *e = NULL;

	assert_int_equal(engine_open_unix(sock_path, &e), 0);
	return e;
}

static json_t *
seen_json(size_t i)
{
	json_t *j;

	assert_true(i < n_seen);
	j = json_loadb(seen[i].body, seen[i].len, 0, NULL);
	assert_non_null(j);
	return j;
}

static void
test_call_ok(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	_cleanup_json_ json_t *body = json_pack("{s:i}", "a", 1), *resp = NULL, *got = NULL;
	struct reply r[] = { { 201, "{\"Id\":\"x1\"}", 0 }, { 200, "\"str\"", 0 }, { 204, "", 0 } };
	long status = 0;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_call(e, "POST", "/things/create?x=1", body, &status, &resp), 0);
	assert_int_equal(status, 201);
	assert_string_equal(json_string_value(json_object_get(resp, "Id")), "x1");
	assert_string_equal(seen[0].method, "POST");
	assert_string_equal(seen[0].target, "/v1.41/things/create?x=1");
	got = seen_json(0);
	assert_true(json_equal(got, body));
	json_decref(resp);
	resp = NULL;
	assert_int_equal(engine_call(e, "GET", "/s", NULL, &status, &resp), 0);
	assert_string_equal(json_string_value(resp), "str");
	assert_string_equal(seen[1].method, "GET");
	assert_int_equal(seen[1].len, 0);
	json_decref(resp);
	resp = (json_t *)1;
	assert_int_equal(engine_call(e, "DELETE", "/x", NULL, &status, &resp), 0);
	assert_int_equal(status, 204);
	assert_null(resp);	/* empty body */
	assert_string_equal(seen[2].method, "DELETE");
	assert_int_equal(engine_call(e, "GET", "no-slash", NULL, NULL, NULL), -EINVAL);
}

static void
test_call_errors(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	struct reply r[] = {
		{ 503, "{\"message\":\"This node is not a swarm manager.\"}", 0 },
		{ 503, "{\"message\":\"This node is not part of a swarm\"}", 0 },
		{ 404, "{\"message\":\"No such node: n1\"}", 0 },
		{ 409, "{\"message\":\"name conflicts\"}", 0 },
		{ 500, "plain\ntext\x1b[31m", 0 },
		{ 400, "{\"message\":\"bad\"}", 0 },
		{ 200, "{\"unterminated\": ", 0 },
	};
	json_t *j = (json_t *)1;
	long status = 0;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_call(e, "GET", "/nodes?filters=x", NULL, &status, &j), -EAGAIN);
	assert_int_equal(status, 503);
	assert_ptr_equal(j, (json_t *)1);	/* untouched on failure */
	assert_string_equal(engine_error(e), "GET /nodes: 503 This node is not a swarm manager.");
	assert_int_equal(engine_swarm_leave(e, true), -ENOTCONN);
	assert_string_equal(seen[1].target, "/v1.41/swarm/leave?force=true");
	assert_int_equal(engine_node_remove(e, "n1", false), -ENOENT);
	assert_string_equal(engine_error(e), "DELETE /nodes/n1: 404 No such node: n1");
	assert_int_equal(engine_call(e, "POST", "/x", NULL, NULL, NULL), -EEXIST);
	assert_int_equal(engine_call(e, "GET", "/y", NULL, NULL, NULL), -EIO);
	assert_string_equal(engine_error(e), "GET /y: 500 plain?text?[31m");
	assert_int_equal(engine_call(e, "GET", "/z", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(engine_call(e, "GET", "/j", NULL, NULL, &j), -EBADMSG);
	assert_non_null(strstr(engine_error(e), "GET /j: 200 with malformed JSON"));
}

static void
test_response_cap(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	_cleanup_free_ char *big = malloc(ENGINE_MAX_RESPONSE + 10);
	struct reply r[] = { { 200, big, ENGINE_MAX_RESPONSE + 10 }, { 200, "OK", 0 } };
	json_t *j = NULL;

	(void)state;
	memset(big, ' ', ENGINE_MAX_RESPONSE + 10);
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_call(e, "GET", "/info", NULL, NULL, &j), -EFBIG);
	assert_null(j);
	assert_non_null(strstr(engine_error(e), "GET /info: response larger than"));
	assert_int_equal(engine_ping(e), 0);	/* the handle still works */
}

static void
test_ping_and_timeouts(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine(), *nobody = NULL;
	struct reply r[] = { { 200, "NO", 0 }, { 0, NULL, 0 }, { 200, "OK", 0 } };
	struct timespec t0, t1;
	char path[300];
	long ms;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_ping(e), -EBADMSG);
	engine_set_timeout(e, 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(engine_ping(e), -ETIMEDOUT);	/* the daemon never answers */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 250 && ms < 2000);
	engine_set_timeout(e, 0);
	assert_int_equal(engine_wait_ready(e, 2000), 0);

	/* nobody listens: wait_ready gives up after its timeout */
	snprintf(path, sizeof(path), "%s/none.sock", dir);
	assert_int_equal(engine_open_unix(path, &nobody), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(engine_wait_ready(nobody, 400), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 380 && ms < 2000);
	assert_non_null(strstr(engine_error(nobody), "no answer within 400 ms"));
}

static void
test_open_args(void **state)
{
	struct engine *e = NULL;

	(void)state;
	assert_int_equal(engine_open_tls("10.0.0.1", "ca", "c", "k", &e), -EINVAL);
	assert_int_equal(engine_open_tls("10.0.0.1:2376/x", "ca", "c", "k", &e), -EINVAL);
	assert_int_equal(engine_open_tls("user@10.0.0.1:2376", "ca", "c", "k", &e), -EINVAL);
	assert_int_equal(engine_open_tls("10.0.0.1:", "ca", "c", "k", &e), -EINVAL);
	assert_int_equal(engine_open_tls("10.0.0.1:2376", NULL, "c", "k", &e), -EINVAL);
	assert_int_equal(engine_open_unix("", &e), -EINVAL);
	assert_null(e);
	assert_int_equal(engine_open_tls("10.0.0.1:2376", "ca", "c", "k", &e), 0);
	assert_string_equal(engine_error(e), "");
	assert_null(engine_free(e));
	assert_null(engine_free(NULL));
}

static void
test_node_availability(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	struct reply r[] = {
		{ 200, "{\"ID\":\"n 1\",\"Version\":{\"Index\":42},"
		       "\"Spec\":{\"Role\":\"worker\",\"Availability\":\"active\","
		       "\"Labels\":{}}}", 0 },
		{ 200, "", 0 },
		{ 200, "{\"ID\":\"n1\",\"Spec\":{}}", 0 },
	};
	_cleanup_json_ json_t *spec = NULL;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_node_set_availability(e, "n 1", "drain"), 0);
	assert_string_equal(seen[0].target, "/v1.41/nodes/n%201");
	assert_string_equal(seen[1].method, "POST");
	assert_string_equal(seen[1].target, "/v1.41/nodes/n%201/update?version=42");
	spec = seen_json(1);
	assert_string_equal(json_string_value(json_object_get(spec, "Availability")), "drain");
	assert_string_equal(json_string_value(json_object_get(spec, "Role")), "worker");
	assert_int_equal(engine_node_set_availability(e, "n1", "active"), -EBADMSG);
	assert_int_equal(engine_node_set_availability(e, "n1", "gone"), -EINVAL);
}

static void
test_tasks(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	static const char tasks[] =
		"[{\"Status\":{\"State\":\"running\"}},{\"Status\":{\"State\":\"shutdown\"}},"
		"{\"Status\":{\"State\":\"preparing\"}},{\"Status\":{\"State\":\"failed\"}},{}]";
	struct reply r[] = { { 200, tasks, 0 }, { 200, tasks, 0 }, { 200, "{}", 0 } };
	_cleanup_json_ json_t *list = NULL;
	int n = -1;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_node_tasks_running(e, "n1", &n), 0);
	assert_int_equal(n, 2);	/* running and preparing */
	assert_string_equal(seen[0].target,
			    "/v1.41/tasks?filters=%7B%22node%22%3A%5B%22n1%22%5D%7D");
	assert_int_equal(engine_service_running(e, "s1", &n, &list), 0);
	assert_int_equal(n, 1);
	assert_int_equal(json_array_size(list), 5);
	assert_non_null(strstr(seen[1].target, "%22desired-state%22%3A%5B%22running%22%5D"));
	assert_non_null(strstr(seen[1].target, "%22service%22%3A%5B%22s1%22%5D"));
	assert_int_equal(engine_service_running(e, "s1", &n, NULL), -EBADMSG);
}

static void
test_service_create(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	struct reply r[] = { { 201, "{\"ID\":\"svc1\",\"Warnings\":null}", 0 },
			     { 201, "{\"ID\":\"svc2\"}", 0 } };
	static const char id[] =
		"sha256:c4ca1ecf0e5ab5fe4e082e69899cabfef16a05622c63a7d9cf666794be65570a";
	const char *cmd[] = { "sleep", "3600", NULL };
	_cleanup_free_ char *svc = NULL, *svc2 = NULL;
	_cleanup_json_ json_t *b = NULL, *b2 = NULL;
	json_t *cs, *nets;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_service_create(e, "web", id, cmd, 3, "net1", &svc), 0);
	assert_string_equal(svc, "svc1");
	b = seen_json(0);
	assert_string_equal(seen[0].target, "/v1.41/services/create");
	cs = json_object_get(json_object_get(b, "TaskTemplate"), "ContainerSpec");
	assert_string_equal(json_string_value(json_object_get(cs, "Image")), id);
	assert_true(json_is_true(json_object_get(cs, "Init")));
	assert_int_equal(json_integer_value(json_object_get(cs, "StopGracePeriod")), 1000000000);
	assert_string_equal(json_string_value(json_array_get(json_object_get(cs, "Args"), 1)),
			    "3600");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(b, "Mode"), "Replicated"),
				 "Replicas")),
			 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "EndpointSpec"),
								 "Mode")),
			    "dnsrr");
	nets = json_object_get(json_object_get(b, "TaskTemplate"), "Networks");
	assert_string_equal(json_string_value(json_object_get(json_array_get(nets, 0), "Target")),
			    "net1");
	assert_int_equal(engine_service_create(e, "plain", id, NULL, 0, NULL, &svc2), 0);
	b2 = seen_json(1);
	cs = json_object_get(json_object_get(b2, "TaskTemplate"), "ContainerSpec");
	assert_null(json_object_get(cs, "Args"));
	assert_null(json_object_get(json_object_get(b2, "TaskTemplate"), "Networks"));
	assert_int_equal(engine_service_create(e, "x", "busybox:latest", cmd, 1, NULL, &svc2),
			 -EINVAL);
}

static void
test_swarm_calls(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	struct reply r[] = {
		{ 200, "\"node-abc\"", 0 },
		{ 200, "{\"JoinTokens\":{\"Worker\":\"SWMTKN-1-w\","
		       "\"Manager\":\"SWMTKN-1-m\"}}", 0 },
		{ 200, "", 0 },
		{ 200, "{\"Swarm\":{\"NodeID\":\"\"}}", 0 },
		{ 200, "{\"JoinTokens\":{}}", 0 },
	};
	_cleanup_free_ char *id = NULL, *w = NULL, *m = NULL;
	_cleanup_json_ json_t *b = NULL, *j = NULL;

	(void)state;
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_swarm_init(e, "10.250.3.10", "10.200.0.0/16", 0, &id), 0);
	assert_string_equal(id, "node-abc");
	b = seen_json(0);
	assert_string_equal(json_string_value(json_object_get(b, "ListenAddr")),
			    "10.250.3.10:2377");
	assert_string_equal(json_string_value(json_object_get(b, "AdvertiseAddr")), "10.250.3.10");
	assert_string_equal(json_string_value(json_array_get(json_object_get(b, "DefaultAddrPool"),
							     0)),
			    "10.200.0.0/16");
	assert_int_equal(json_integer_value(json_object_get(b, "SubnetSize")), 24);
	assert_int_equal(engine_swarm_tokens(e, &w, &m), 0);
	assert_string_equal(w, "SWMTKN-1-w");
	assert_string_equal(m, "SWMTKN-1-m");
	assert_int_equal(engine_swarm_join(e, "SWMTKN-1-w", "10.250.3.11", "10.250.3.10:2377"), 0);
	j = seen_json(2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "RemoteAddrs"), 0)),
			    "10.250.3.10:2377");
	assert_string_equal(json_string_value(json_object_get(j, "JoinToken")), "SWMTKN-1-w");
	free(id);
	id = NULL;
	assert_int_equal(engine_node_id(e, &id), -ENOTCONN);
	assert_null(id);
	free(w);
	w = NULL;
	assert_int_equal(engine_swarm_tokens(e, &w, NULL), -EBADMSG);
	assert_null(w);
	assert_int_equal(engine_swarm_init(e, "10.0.0.1; rm", NULL, 0, &id), -EINVAL);
	assert_int_equal(engine_swarm_join(e, "", "10.0.0.1", "10.0.0.2:2377"), -EINVAL);
}

static void
test_image_load(void **state)
{
	_cleanup_(engine_freep) struct engine *e = open_engine();
	struct reply r[] = {
		{ 200, "{\"stream\":\"Loaded image ID: sha256:ab\\n\"}\r\n", 0 },
		{ 200, "{\"stream\":\"x\"}\n{\"errorDetail\":{\"message\":\"bad layer\"},"
		       "\"error\":\"bad layer\"}\n", 0 },
		{ 200, "{\"stream\":\"x\"} garbage", 0 },
		{ 404, "{\"message\":\"No such image: sha256:00\"}", 0 },
		{ 200, "{\"Id\":\"sha256:ab\"}", 0 },
	};
	static char kb[1000];
	char path[300];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/img.tar", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (int i = 0; i < 3000; i++)	/* 3 MB: more than one read buffer */
		assert_int_equal(fwrite(kb, 1, sizeof(kb), f), sizeof(kb));
	fclose(f);
	expect(r, ARRAY_SIZE(r));
	assert_int_equal(engine_image_load(e, path), 0);
	assert_string_equal(seen[0].target, "/v1.41/images/load?quiet=1");
	assert_int_equal(seen[0].len, 3000000);
	assert_int_equal(engine_image_load(e, path), -EIO);
	assert_string_equal(engine_error(e), "POST /images/load: bad layer");
	assert_int_equal(engine_image_load(e, path), -EBADMSG);
	assert_int_equal(engine_image_exists(e, "sha256:00"), 0);
	assert_int_equal(engine_image_exists(e, "sha256:ab"), 1);
	assert_string_equal(seen[4].target, "/v1.41/images/sha256%3Aab/json");
	assert_int_equal(engine_image_load(e, "/nonexistent.tar"), -ENOENT);
	assert_int_equal(engine_image_load(e, dir), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_ok),
		cmocka_unit_test(test_call_errors),
		cmocka_unit_test(test_response_cap),
		cmocka_unit_test(test_ping_and_timeouts),
		cmocka_unit_test(test_open_args),
		cmocka_unit_test(test_node_availability),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_service_create),
		cmocka_unit_test(test_swarm_calls),
		cmocka_unit_test(test_image_load),
	};

	return cmocka_run_group_tests_name("engine", tests, setup, teardown);
}
