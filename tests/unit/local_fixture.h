/*
 * local_fixture.h - helpers for the local backend tests (test_local_*.c): root checks,
 * a temporary directory, work inside a network namespace, TCP probes.
 *
 * Kernel objects made by the tests are named "mgt...", files live under
 * /tmp/magnum-test-XXXXXX; each test's teardown removes them, pass or fail.
 */
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/local/netns.h"

/* Root, and namespaces can be made (not inside a restricted container)? */
static __attribute__((unused)) bool
local_can_run(void)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS) == 0 ? 0
											   : 1);
	if (waitpid(pid, &status, 0) < 0)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define NEED_ROOT()							\
	do {								\
		if (!local_can_run()) {					\
			fprintf(stderr, "skipped: needs root and namespaces\n"); \
			skip();						\
		}							\
	} while (0)

static __attribute__((unused)) double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static __attribute__((unused)) int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* rm -rf, not crossing mount points; only for our /tmp/magnum-test-* dirs */
static __attribute__((unused)) void
rm_tree(const char *dir)
{
	if (dir && strncmp(dir, "/tmp/magnum-test-", 17) == 0)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Run fn(arg) in a child process inside netns `path`; returns fn's result (0..255) or -1. */
static __attribute__((unused)) int
in_netns(const char *path, int (*fn)(void *), void *arg, int timeout_ms)
{
	pid_t pid;
	int status;
	double t0 = now_ms();

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = netns_open(path);

		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(99);
		_exit(fn(arg) & 0xff);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (now_ms() - t0 > timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(2000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct tcp_probe {
	const char	*addr;
	int		port;
	int		timeout_ms;
	int		ready_fd;	/* listener: write a byte here once listening */
};

/* Listen on addr:port, accept one connection, send "ok". 0 on success. */
static __attribute__((unused)) int
tcp_serve_once(void *p)
{
	struct tcp_probe *t = p;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)t->port) };
	struct pollfd pf;
	int s, c, one = 1;

	inet_pton(AF_INET, t->addr, &sa.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 4) < 0)
		return 1;
	if (t->ready_fd >= 0 && write(t->ready_fd, "r", 1) != 1)
		return 2;
	pf = (struct pollfd){ .fd = s, .events = POLLIN };
	if (poll(&pf, 1, t->timeout_ms) != 1)
		return 3;
	c = accept(s, NULL, NULL);
	if (c < 0 || write(c, "ok", 2) != 2)
		return 4;
	close(c);
	close(s);
	return 0;
}

/* Connect to addr:port within timeout_ms and read "ok". 0 on success. */
static __attribute__((unused)) int
tcp_probe(void *p)
{
	struct tcp_probe *t = p;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)t->port) };
	struct pollfd pf;
	char buf[4] = "";
	int s;

	inet_pton(AF_INET, t->addr, &sa.sin_addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		return 1;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)
		return 2;
	pf = (struct pollfd){ .fd = s, .events = POLLIN };
	if (poll(&pf, 1, t->timeout_ms) != 1 || read(s, buf, 2) != 2)
		return 3;
	close(s);
	return strncmp(buf, "ok", 2) == 0 ? 0 : 4;
}

/* A listener in netns `ns_path` (NULL: here) in a child; returns its pid once listening. */
static __attribute__((unused)) pid_t
tcp_listener(const char *ns_path, struct tcp_probe *t)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		t->ready_fd = p[1];
		if (ns_path) {
			int fd = netns_open(ns_path);

			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
				_exit(99);
		}
		_exit(tcp_serve_once(t));
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(p[0]);
	return pid;
}

/* Reap a listener: its exit code, or -1 (killed after timeout_ms). */
static __attribute__((unused)) int
listener_wait(pid_t pid, int timeout_ms)
{
	double t0 = now_ms();
	int status;

	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (now_ms() - t0 > timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(2000);
	}
}

/* Run argv (absolute path, no shell), capture stdout+stderr into out; exit status or -1. */
static __attribute__((unused)) int
run_capture(const char *const *argv, char *out, size_t n, int timeout_ms)
{
	int p[2], status;
	size_t got = 0;
	double t0 = now_ms();
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		int left = timeout_ms - (int)(now_ms() - t0);
		ssize_t r;

		if (left <= 0 || poll(&pf, 1, left) <= 0)
			break;
		r = read(p[0], out + got, n - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got >= n - 1)
			break;
	}
	out[got] = '\0';
	close(p[0]);
	if (now_ms() - t0 >= timeout_ms)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Node inits are orphans once started; where the host's PID 1 does not reap (as in some
 * sandboxes), they would stay zombies. A test becomes their subreaper and reaps them.
 */
static __attribute__((unused)) void
become_subreaper(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static __attribute__((unused)) void
reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* rmdir the (test-private) parent "mgt-<pid>" of cgroup "mgt-<pid>/x" in every hierarchy */
static __attribute__((unused)) void
cg_remove_parent(const char *cg)
{
	const char *slash = strchr(cg, '/');
	const char *h[] = { "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory",
			    "pids", "systemd", "net_cls", "net_prio", "perf_event", "hugetlb" };
	char p[256];

	if (slash == NULL || strncmp(cg, "mgt-", 4) != 0)
		return;
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%.*s", h[i], (int)(slash - cg), cg);
		rmdir(p);
	}
}
