/*
 * test_x509_interop.c - certificates from src/x509 against another TLS stack:
 * the openssl command-line tool verifies them (also with -x509_strict and by
 * purpose), and a TLS handshake between `openssl s_server` and `openssl
 * s_client` on 127.0.0.1 uses our server certificate and a client certificate
 * signed from a CSR. Certificates from a foreign CA must be refused.
 *
 * Children are started with posix_spawnp() and stopped by their PID; every
 * file lives in one mkdtemp() directory, removed in the group teardown
 * whatever the outcome. Without an openssl binary the tests are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "x509/x509.h"

#define CHILD_TIMEOUT_MS	20000

static char tmpdir[] = "/tmp/test_x509_interop.XXXXXX";
static bool dir_made, have_openssl;
static pid_t server_pid = -1;
static int server_port;

static const char *
path_of(const char *name)
{
	static char bufs[8][512];
	static unsigned next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
	return b;
}

static int
write_file(const char *name, const char *content)
{
	int fd = open(path_of(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(content);

	if (fd < 0)
		return -errno;
	if (write(fd, content, n) != (ssize_t)n) {
		close(fd);
		return -EIO;
	}
	return close(fd) < 0 ? -errno : 0;
}

/* The whole file as a new string ("" if it cannot be read). */
static char *
read_file(const char *name)
{
	FILE *f = fopen(path_of(name), "re");
	char *buf = calloc(1, 65537);
	size_t n = 0;

	assert_non_null(buf);
	if (f) {
		n = fread(buf, 1, 65536, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Start argv with stdin from in_name (NULL: /dev/null), stdout+stderr to out_name. */
static pid_t
spawn(char *const argv[], const char *in_name, const char *out_name)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int r;

	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_addopen(&fa, 0, in_name ? path_of(in_name) : "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, path_of(out_name), O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return r == 0 ? pid : -1;
}

/* Wait for pid up to ms; kill it (by PID) if it overstays. Returns its exit code, or -1. */
static int
wait_child(pid_t pid, long ms)
{
	int st;

	for (long waited = 0;; waited += 20) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (w < 0)
			return -1;
		if (waited >= ms)
			break;
		sleep_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* Run argv to completion; its output goes to out_name. Returns the exit code, or -1. */
static int
run(char *const argv[], const char *in_name, const char *out_name)
{
	pid_t pid = spawn(argv, in_name, out_name);

	if (pid < 0)
		return -1;
	return wait_child(pid, CHILD_TIMEOUT_MS);
}

static void
stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		if (wait_child(server_pid, 5000) < 0)
			fprintf(stderr, "s_server %d needed SIGKILL\n", (int)server_pid);
		server_pid = -1;
	}
}

static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/*
 * Start `openssl s_server -www` with cert/key, requiring a client certificate
 * from ca.pem. Waits until it prints ACCEPT; retries on another port if the
 * one picked was taken meanwhile.
 */
static void
start_server(const char *cert, const char *key)
{
	char accept_arg[64];

	for (int attempt = 0; attempt < 3; attempt++) {
		char *argv[] = { "openssl", "s_server", "-accept", accept_arg,
				 "-cert", (char *)path_of(cert), "-key", (char *)path_of(key),
				 "-CAfile", (char *)path_of("ca.pem"), "-Verify", "1",
				 "-verify_return_error", "-www", NULL };

		server_port = free_port();
		assert_true(server_port > 0);
		snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%d", server_port);
		server_pid = spawn(argv, NULL, "server.log");
		assert_true(server_pid > 0);
		for (int waited = 0; waited < 10000; waited += 50) {
			_cleanup_free_ char *log = read_file("server.log");
			int st;

			if (strstr(log, "ACCEPT"))
				return;
			if (waitpid(server_pid, &st, WNOHANG) == server_pid) {
				server_pid = -1;	/* exited: port taken? try again */
				break;
			}
			sleep_ms(50);
		}
		stop_server();
	}
	fail_msg("openssl s_server did not start");
}

/*
 * Connect with `openssl s_client` presenting cert/key (NULL: none), trusting
 * ca_name, and send "GET /". Returns true if the server answered, i.e. both
 * sides accepted the handshake. The client log stays in client.log.
 */
static bool
client_talks(const char *cert, const char *key, const char *ca_name, const char *version)
{
	char connect_arg[64];
	char *argv[20] = { "openssl", "s_client", "-connect", connect_arg,
			   "-CAfile", (char *)path_of(ca_name), "-verify_return_error",
			   "-verify_ip", "127.0.0.1", "-ign_eof", (char *)version };
	_cleanup_free_ char *log = NULL;
	size_t n = 11;
	int code;

	snprintf(connect_arg, sizeof(connect_arg), "127.0.0.1:%d", server_port);
	if (cert) {
		argv[n++] = "-cert";
		argv[n++] = (char *)path_of(cert);
		argv[n++] = "-key";
		argv[n++] = (char *)path_of(key);
	}
	argv[n] = NULL;
	assert_int_equal(write_file("request.txt", "GET / HTTP/1.0\r\n\r\n"), 0);
	code = run(argv, "request.txt", "client.log");
	log = read_file("client.log");
	if (strstr(log, "HTTP/1.0 200 ok") && strstr(log, "Verify return code: 0 (ok)")) {
		assert_int_equal(code, 0);
		return true;
	}
	return false;
}

#define SKIP_WITHOUT_OPENSSL()			\
	do {					\
		if (!have_openssl)		\
			skip();			\
	} while (0)

static int
verify(const char *ca_name, const char *extra, const char *leaf)
{
	char *argv[8] = { "openssl", "verify", "-CAfile", (char *)path_of(ca_name) };
	size_t n = 4;
	int code;

	if (extra) {
		char *dup = strdup(extra), *sp = strchr(dup, ' ');

		argv[n++] = dup;
		if (sp) {
			*sp = '\0';
			argv[n++] = sp + 1;
		}
	}
	argv[n++] = (char *)path_of(leaf);
	argv[n] = NULL;
	code = run(argv, NULL, "verify.log");
	if (extra)
		free(argv[4]);
	return code;
}

static void
test_openssl_verify(void **state)
{
	char *csr_check[] = { "openssl", "req", "-in", NULL, "-noout", "-verify", NULL };

	(void)state;
	SKIP_WITHOUT_OPENSSL();
	assert_int_equal(verify("ca.pem", NULL, "ca.pem"), 0);
	assert_int_equal(verify("ca.pem", NULL, "server.pem"), 0);
	assert_int_equal(verify("ca.pem", NULL, "client.pem"), 0);
	assert_int_equal(verify("ca.pem", NULL, "conductor.pem"), 0);
	/* Strict RFC 5280 checks (what Python >= 3.13 clients enable by default). */
	assert_int_equal(verify("ca.pem", "-x509_strict", "server.pem"), 0);
	assert_int_equal(verify("ca.pem", "-x509_strict", "client.pem"), 0);
	assert_int_equal(verify("ca.pem", "-x509_strict", "conductor.pem"), 0);
	/* Purposes: the server certificate serves, CSR-signed ones are client-only. */
	assert_int_equal(verify("ca.pem", "-purpose sslserver", "server.pem"), 0);
	assert_int_equal(verify("ca.pem", "-purpose sslclient", "server.pem"), 0);
	assert_int_equal(verify("ca.pem", "-purpose sslclient", "client.pem"), 0);
	assert_int_not_equal(verify("ca.pem", "-purpose sslserver", "client.pem"), 0);
	assert_int_equal(verify("ca.pem", "-purpose sslclient", "conductor.pem"), 0);
	assert_int_not_equal(verify("ca.pem", "-purpose sslserver", "conductor.pem"), 0);
	/* Another bay's CA vouches for none of them, and ours not for its. */
	assert_int_not_equal(verify("ca.pem", NULL, "foreign-client.pem"), 0);
	assert_int_not_equal(verify("ca2.pem", NULL, "client.pem"), 0);
	assert_int_not_equal(verify("ca2.pem", NULL, "server.pem"), 0);
	/* Our CSRs satisfy openssl too. */
	csr_check[3] = (char *)path_of("client.csr");	/* path_of() buffers rotate */
	assert_int_equal(run(csr_check, NULL, "req.log"), 0);
}

static void
test_tls_handshake(void **state)
{
	(void)state;
	SKIP_WITHOUT_OPENSSL();
	start_server("server.pem", "server.key");
	if (!client_talks("client.pem", "client.key", "ca.pem", "-tls1_3")) {
		_cleanup_free_ char *c = read_file("client.log"), *s = read_file("server.log");

		fail_msg("TLS 1.3 handshake failed\n--- client ---\n%s\n--- server ---\n%s", c, s);
	}
	if (!client_talks("client.pem", "client.key", "ca.pem", "-tls1_2"))
		fail_msg("TLS 1.2 handshake failed");
	if (!client_talks("conductor.pem", "conductor.key", "ca.pem", "-tls1_3"))
		fail_msg("handshake with the conductor certificate failed");
	stop_server();
}

static void
test_tls_foreign_client_rejected(void **state)
{
	(void)state;
	SKIP_WITHOUT_OPENSSL();
	start_server("server.pem", "server.key");
	assert_false(client_talks("foreign-client.pem", "foreign-client.key", "ca.pem", "-tls1_3"));
	assert_false(client_talks("foreign-client.pem", "foreign-client.key", "ca.pem", "-tls1_2"));
	assert_false(client_talks(NULL, NULL, "ca.pem", "-tls1_2"));	/* no certificate */
	/* The server is still fine for a legitimate client afterwards. */
	assert_true(client_talks("client.pem", "client.key", "ca.pem", "-tls1_3"));
	stop_server();
}

static void
test_tls_foreign_server_rejected(void **state)
{
	_cleanup_free_ char *log = NULL;

	(void)state;
	SKIP_WITHOUT_OPENSSL();
	start_server("foreign-server.pem", "foreign-server.key");
	assert_false(client_talks("client.pem", "client.key", "ca.pem", "-tls1_3"));
	log = read_file("client.log");
	assert_non_null(strstr(log, "verify error"));
	stop_server();
}

static int
test_teardown(void **state)
{
	stop_server();
	return 0;
}

/* Issue every file the tests use. */
static int
issue_all(void)
{
	static const char *const sans[] = { "IP:127.0.0.1", "DNS:localhost", NULL };
	_cleanup_free_ char *ca = NULL, *ca2 = NULL, *srv = NULL, *fsrv = NULL, *csr = NULL;
	_cleanup_free_ char *client = NULL, *fclient = NULL, *cond = NULL, *msg = NULL;
	_cleanup_(x509_secret_freep) char *ca_key = NULL, *ca2_key = NULL, *srv_key = NULL;
	_cleanup_(x509_secret_freep) char *fsrv_key = NULL, *client_key = NULL;
	_cleanup_(x509_secret_freep) char *fclient_key = NULL, *cond_key = NULL;
	struct x509_params ec = { .key_type = "ec" };

	if (x509_ca_create("interop-ca", NULL, &ca, &ca_key) < 0 ||
	    x509_ca_create("other-ca", &ec, &ca2, &ca2_key) < 0 ||
	    x509_issue_server_cert(ca, ca_key, "localhost", sans, NULL, &srv, &srv_key) < 0 ||
	    x509_issue_server_cert(ca2, ca2_key, "localhost", sans, &ec, &fsrv, &fsrv_key) < 0 ||
	    x509_issue_client_cert(ca, ca_key, NULL, NULL, &ec, &cond, &cond_key) < 0 ||
	    x509_issue_client_cert(ca2, ca2_key, "Magnum User", NULL, NULL, &fclient,
				   &fclient_key) < 0 ||
	    x509_make_csr("Magnum User", NULL, NULL, &csr, &client_key) < 0)
		return -1;
	if (x509_sign_csr(ca, ca_key, csr, strlen(csr), NULL, &client, &msg) < 0) {
		fprintf(stderr, "sign: %s\n", msg ? msg : "?");
		return -1;
	}
	if (write_file("ca.pem", ca) < 0 || write_file("ca2.pem", ca2) < 0 ||
	    write_file("server.pem", srv) < 0 || write_file("server.key", srv_key) < 0 ||
	    write_file("foreign-server.pem", fsrv) < 0 ||
	    write_file("foreign-server.key", fsrv_key) < 0 ||
	    write_file("conductor.pem", cond) < 0 || write_file("conductor.key", cond_key) < 0 ||
	    write_file("client.csr", csr) < 0 || write_file("client.pem", client) < 0 ||
	    write_file("client.key", client_key) < 0 ||
	    write_file("foreign-client.pem", fclient) < 0 ||
	    write_file("foreign-client.key", fclient_key) < 0)
		return -1;
	return 0;
}

static int
setup(void **state)
{
	char *argv[] = { "openssl", "version", NULL };

	if (mkdtemp(tmpdir) == NULL)
		return -1;
	dir_made = true;
	have_openssl = run(argv, NULL, "version.log") == 0;
	if (!have_openssl)
		fprintf(stderr, "no openssl binary: interop tests skipped\n");
	return issue_all();
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
teardown(void **state)
{
	stop_server();
	if (dir_made && nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
		return -1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_verify),
		cmocka_unit_test_teardown(test_tls_handshake, test_teardown),
		cmocka_unit_test_teardown(test_tls_foreign_client_rejected, test_teardown),
		cmocka_unit_test_teardown(test_tls_foreign_server_rejected, test_teardown),
	};
	return cmocka_run_group_tests_name("x509_interop", tests, setup, teardown);
}
