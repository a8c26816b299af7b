/*
 * test_barbican.c - the Barbican client against a scripted fake Barbican on
 * a loopback TCP port (a thread here): request paths, headers and bodies,
 * refs resolved against the configured endpoint, status mapping, a token
 * renewed after a 401, the reply cap, and the start-up sentences. The real
 * Barbican is exercised by tests/api/test_barbican.py.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "x509/barbican.h"
#include "x509/x509.h"

#define MAX_SCRIPT	8
#define REQ_MAX		(256u << 10)
#define ID		"0123abcd-0000-4000-8000-00000000abcd"

struct reply {
	int		status;
	const char	*body;		/* NULL: big (100 KiB of 'x') */
};

static struct reply script[MAX_SCRIPT];
static size_t nscript, served;
static char requests[MAX_SCRIPT][REQ_MAX];	/* each request as received */
static int listen_fd = -1;
static int port;
static pthread_t server;

static void
serve_one(int fd, size_t i)
{
	char *req = requests[i], *hdr_end = NULL;
	size_t len = 0, want = 0;
	_cleanup_free_ char *big = NULL;
	const char *body;
	char head[256];
	ssize_t n;

	while (len < REQ_MAX - 1) {
		n = read(fd, req + len, REQ_MAX - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = '\0';
		if (hdr_end == NULL && (hdr_end = strstr(req, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(req, "\r\nContent-Length:");

			want = (size_t)(hdr_end + 4 - req) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (hdr_end && len >= want)
			break;
	}
	body = script[i].body;
	if (body == NULL) {
		big = malloc(100 << 10);
		assert_non_null(big);
		memset(big, 'x', (100 << 10) - 1);
		big[(100 << 10) - 1] = '\0';
		body = big;
	}
	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", script[i].status, strlen(body));
	/* The client may hang up early (the reply cap): no SIGPIPE. */
	if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0 ||
	    send(fd, body, strlen(body), MSG_NOSIGNAL) < 0)
		return;
}

static void *
server_main(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			return NULL;
		if (served < nscript)
			serve_one(fd, served++);
		close(fd);
	}
}

static void
play(size_t n, const struct reply *r)
{
	if (n)
		memcpy(script, r, n * sizeof(*r));
	nscript = n;
	served = 0;
	memset(requests, 0, sizeof(requests));
}

static int
setup(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	(void)state;
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(listen_fd, 8) < 0 || getsockname(listen_fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	port = ntohs(a.sin_port);
	return pthread_create(&server, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	barbican_fini();
	shutdown(listen_fd, SHUT_RDWR);
	close(listen_fd);
	pthread_join(server, NULL);
	return 0;
}

static void
init_ok(barbican_token_fn fn)
{
	_cleanup_free_ char *err = NULL;
	char url[64];

	play(1, (struct reply[]){ { 200, "{\"secrets\": [], \"total\": 0}" } });
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/", port);
	assert_int_equal(barbican_init(url, fn, &err), 0);
	assert_null(err);
	assert_non_null(strstr(requests[0], "GET /v1/secrets?limit=1 HTTP/1.1\r\n"));
}

static void
test_init_sentences(void **state)
{
	_cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;
	char url[64], *p = NULL;
	int s, closed;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	(void)state;
	assert_int_equal(barbican_init(NULL, NULL, &e1), -EINVAL);
	assert_string_equal(e1, "[certificates] barbican_url is not set");
	assert_int_equal(barbican_init("ftp://127.0.0.1/", NULL, &e2), -EINVAL);
	assert_non_null(strstr(e2, "must be an http:// or https:// URL"));
	/* A bound port nobody listens on: refused at once. */
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	closed = ntohs(a.sin_port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", closed);
	assert_int_equal(barbican_init(url, NULL, &e3), -EAGAIN);
	close(s);
	snprintf(url, sizeof(url), "Barbican at http://127.0.0.1:%d did not answer: ", closed);
	assert_non_null(strstr(e3, url));
	/* Not initialised: nothing is sent anywhere. */
	assert_int_equal(barbican_get_secret_payload("http://x/v1/secrets/" ID, &p), -ENOTCONN);
	/* Something that is not Barbican answers. */
	play(1, (struct reply[]){ { 404, "nope" } });
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	assert_int_equal(barbican_init(url, NULL, &e4), -ENOENT);
	assert_non_null(strstr(e4, "answered GET /v1/secrets with HTTP 404"));
}

static void
test_store_get_delete(void **state)
{
	const char *payload = "-----BEGIN KEY-----\n\"quoted\" \\back\tslash\x01\n"
			      "-----END KEY-----\n";
	_cleanup_free_ char *href = NULL;
	_cleanup_(x509_secret_freep) char *got = NULL;
	_cleanup_json_ json_t *doc = NULL;
	char ok[128], *body;

	(void)state;
	init_ok(NULL);
	snprintf(ok, sizeof(ok), "{\"secret_ref\": \"http://localhost:9311/v1/secrets/%s\"}", ID);
	play(1, (struct reply[]){ { 201, ok } });
	assert_int_equal(barbican_store_secret("magnum k", payload, "text/plain", &href), 0);
	assert_string_equal(href, "http://localhost:9311/v1/secrets/" ID);
	assert_non_null(strstr(requests[0], "POST /v1/secrets HTTP/1.1\r\n"));
	assert_non_null(strstr(requests[0], "\r\nX-Project-Id: magnum\r\n"));
	assert_null(strstr(requests[0], "X-Auth-Token"));
	body = strstr(requests[0], "\r\n\r\n");
	assert_non_null(body);
	doc = json_loads(body + 4, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "payload")), payload);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "magnum k");
	assert_string_equal(json_string_value(json_object_get(doc, "payload_content_type")),
			    "text/plain");

	/* The ref names another host: the id is fetched from the configured endpoint. */
	play(1, (struct reply[]){ { 200, "the key" } });
	assert_int_equal(barbican_get_secret_payload(href, &got), 0);
	assert_string_equal(got, "the key");
	assert_non_null(strstr(requests[0], "GET /v1/secrets/" ID "/payload HTTP/1.1\r\n"));
	assert_non_null(strstr(requests[0], "\r\nAccept: text/plain\r\n"));

	play(3, (struct reply[]){ { 204, "" }, { 404, "{}" }, { 503, "busy" } });
	assert_int_equal(barbican_delete_secret(href), 0);
	assert_non_null(strstr(requests[0], "DELETE /v1/secrets/" ID " HTTP/1.1\r\n"));
	assert_int_equal(barbican_delete_secret(href), -ENOENT);
	assert_int_equal(barbican_delete_secret(href), -EAGAIN);

	/* Malformed refs never reach the network. */
	play(0, NULL);
	assert_int_equal(barbican_delete_secret("http://x/v1/secrets/../../etc"), -EINVAL);
	assert_int_equal(barbican_delete_secret("http://x/v1/containers/" ID), -EINVAL);
	assert_int_equal(barbican_get_secret_payload("", &got), -EINVAL);
	assert_int_equal(served, 0);
	barbican_fini();
}

static void
test_containers(void **state)
{
	_cleanup_free_ char *href = NULL, *k = NULL, *c = NULL, *none = NULL;
	_cleanup_json_ json_t *doc = NULL;
	char *body;

	(void)state;
	init_ok(NULL);
	play(1, (struct reply[]){
		{ 201, "{\"container_ref\": \"http://h/v1/containers/" ID "\"}" } });
	assert_int_equal(barbican_store_container("magnum c", "http://h/v1/secrets/c",
						  "http://h/v1/secrets/k", &href), 0);
	body = strstr(requests[0], "\r\n\r\n");
	doc = json_loads(body + 4, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "type")), "certificate");
	assert_int_equal(json_array_size(json_object_get(doc, "secret_refs")), 2);

	play(3, (struct reply[]){
		{ 200, "{\"secret_refs\": [{\"name\": \"certificate\", \"secret_ref\": \"C\"}, "
		       "{\"name\": \"private_key\", \"secret_ref\": \"K\"}]}" },
		{ 200, "{\"secret_refs\": [{\"name\": \"private_key\", \"secret_ref\": \"K\"}]}" },
		{ 200, "{\"secret_refs\": []}" } });
	assert_int_equal(barbican_container_secret(href, "private_key", &k), 0);
	assert_string_equal(k, "K");
	assert_non_null(strstr(requests[0], "GET /v1/containers/" ID " HTTP/1.1\r\n"));
	assert_int_equal(barbican_container_secret(href, "certificate", &c), -ENOENT);
	assert_int_equal(barbican_container_secret(href, "private_key", &none), -ENOENT);
	barbican_fini();
}

static int token_calls, token_refreshes;

static int
token_fn(char *ret_token, size_t len, bool refresh)
{
	token_calls++;
	token_refreshes += refresh;
	snprintf(ret_token, len, "tok-%d", token_calls);
	return 0;
}

static int
token_fail(char *ret_token, size_t len, bool refresh)
{
	(void)ret_token, (void)len, (void)refresh;
	return -EACCES;
}

static void
test_token_renewed_after_401(void **state)
{
	_cleanup_(x509_secret_freep) char *got = NULL;
	_cleanup_free_ char *err = NULL;
	char url[64];

	(void)state;
	token_calls = token_refreshes = 0;
	init_ok(token_fn);
	assert_non_null(strstr(requests[0], "\r\nX-Auth-Token: tok-1\r\n"));
	assert_null(strstr(requests[0], "X-Project-Id"));
	play(2, (struct reply[]){ { 401, "{}" }, { 200, "key" } });
	assert_int_equal(barbican_get_secret_payload("/v1/secrets/" ID, &got), 0);
	assert_string_equal(got, "key");
	assert_non_null(strstr(requests[0], "X-Auth-Token: tok-2\r\n"));
	assert_non_null(strstr(requests[1], "X-Auth-Token: tok-3\r\n"));
	assert_int_equal(token_refreshes, 1);
	/* Refused twice: one retry only. */
	got = x509_secret_free(got);
	play(3, (struct reply[]){ { 401, "{}" }, { 401, "{}" }, { 200, "key" } });
	assert_int_equal(barbican_get_secret_payload("/v1/secrets/" ID, &got), -EACCES);
	assert_int_equal(served, 2);
	barbican_fini();

	/* No token at start-up: a sentence about Keystone, nothing sent. */
	play(0, NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	assert_int_equal(barbican_init(url, token_fail, &err), -EACCES);
	assert_non_null(strstr(err, "cannot get a Keystone token for the service user"));
	assert_int_equal(served, 0);
}

static void
test_reply_cap(void **state)
{
	_cleanup_(x509_secret_freep) char *got = NULL;
	_cleanup_free_ char *href = NULL;

	(void)state;
	init_ok(NULL);
	play(2, (struct reply[]){ { 200, NULL }, { 201, "{\"secret_ref\": 7}" } });
	assert_int_equal(barbican_get_secret_payload("/v1/secrets/" ID, &got), -EPROTO);
	assert_null(got);
	assert_int_equal(barbican_store_secret("n", "p", "text/plain", &href), -EPROTO);
	assert_null(href);
	barbican_fini();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sentences),
		cmocka_unit_test(test_store_get_delete),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_token_renewed_after_401),
		cmocka_unit_test(test_reply_cap),
	};

	return cmocka_run_group_tests_name("barbican", tests, setup, teardown);
}
