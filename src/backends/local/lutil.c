/* lutil.c - small helpers for the local backend: messages, child processes, files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/local/lutil.h"
#include "common/cleanup.h"

extern char **environ;

int
lu_errf(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

long long
lu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
lu_write_file(const char *path, const char *s)
{
	_cleanup_close_ int fd = -1;
	size_t n = strlen(s);
	ssize_t w;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	w = write(fd, s, n);
	if (w < 0)
		return -errno;
	return (size_t)w == n ? 0 : -EIO;
}

ssize_t
lu_read_file(const char *path, char *buf, size_t n)
{
	_cleanup_close_ int fd = -1;
	ssize_t r;

	if (n == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	while (r > 0 && buf[r - 1] == '\n')
		buf[--r] = '\0';
	return r;
}

int
lu_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Feed `in` to the child and collect its stderr, both through pipes, with poll(). */
static int
pump(int infd, const char *in, int errfd, char *err, size_t errlen)
{
	size_t inlen = in ? strlen(in) : 0, inoff = 0, eoff = 0;
	char discard[512];

	if (err && errlen)
		err[0] = '\0';
	while (infd >= 0 || errfd >= 0) {
		struct pollfd p[2] = { { .fd = infd, .events = POLLOUT },
				       { .fd = errfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (infd >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			/* a socket, so a child that exits early gives EPIPE, not SIGPIPE */
			ssize_t w = inoff < inlen ?
				send(infd, in + inoff, inlen - inoff, MSG_NOSIGNAL) : 0;

			if (w > 0)
				inoff += (size_t)w;
			if (w < 0 || inoff >= inlen) {
				close(infd);
				infd = -1;
			}
		}
		if (errfd >= 0 && (p[1].revents & (POLLIN | POLLERR | POLLHUP))) {
			char *dst = discard;
			size_t room = sizeof(discard);
			ssize_t r;

			if (err && eoff + 1 < errlen) {
				dst = err + eoff;
				room = errlen - eoff - 1;
			}
			r = read(errfd, dst, room);
			if (r <= 0) {
				close(errfd);
				errfd = -1;
			} else if (dst != discard) {
				eoff += (size_t)r;
				err[eoff] = '\0';
			}
		}
	}
	/* one line for a status_reason: newlines become "; " would grow, use spaces */
	for (size_t i = 0; err && i < eoff; i++)
		if (err[i] == '\n')
			err[i] = (i + 1 == eoff) ? '\0' : ' ';
	return 0;
}

int
lu_run(const char *const *argv, const char *in, char *err, size_t errlen)
{
	int inpipe[2] = { -1, -1 }, errpipe[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int r, status;

	if (in && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, inpipe) < 0)
		return lu_errf(err, errlen, -errno, "socketpair: %m");
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t all;

		sigfillset(&all);
		posix_spawnattr_setsigdefault(&attr, &all);
	}
	if (in)
		posix_spawn_file_actions_adddup2(&fa, inpipe[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errpipe[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	r = posix_spawn(&pid, argv[0], &fa, &attr, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0) {
		r = lu_errf(err, errlen, -r, "cannot run %s: %s", argv[0], strerror(r));
		goto out;
	}
	close(errpipe[1]);
	errpipe[1] = -1;
	if (in) {
		close(inpipe[0]);
		inpipe[0] = -1;
	}
	r = pump(in ? inpipe[1] : -1, in, errpipe[0], err, errlen);
	inpipe[1] = errpipe[0] = -1;	/* closed by pump */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return lu_errf(err, errlen, -errno, "waitpid %s: %m", argv[0]);
	if (r < 0)
		return r;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (err && errlen && err[0] == '\0') {
		if (WIFEXITED(status))
			snprintf(err, errlen, "%s exited with status %d", argv[0],
				 WEXITSTATUS(status));
		else
			snprintf(err, errlen, "%s killed by signal %d", argv[0], WTERMSIG(status));
	}
	return -EIO;
out:
	for (int i = 0; i < 2; i++) {
		if (inpipe[i] >= 0)
			close(inpipe[i]);
		if (errpipe[i] >= 0)
			close(errpipe[i]);
	}
	return r;
}
