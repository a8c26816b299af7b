/*
 * node_init.c - the init of a node: `<exe> node-init --name N --netns P --dir D
 * --cgroup C --log L [--bind SRC:DST]... -- program args...`, started by node_start()
 * with the handshake pipe on fd 3.
 *
 * Stage 1 (the launcher, still in the host's namespaces): reset signals, new session,
 * join the node's cgroups, open the log and the bind sources, enter the netns, unshare
 * mount/uts/ipc/pid namespaces, fork the init, report its pid, exit.
 * Stage 2 (PID 1 of the new pid namespace): set up the mounts (see node.h), hostname,
 * fork+exec the program with its output on the log, report "running" (or the failed step),
 * then reap zombies, forward SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2 to the
 * program, and exit with its status when it exits (the kernel then kills what is left).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/local/node.h"
#include "backends/local/node_internal.h"
#include "common/cleanup.h"

#define MAX_BINDS	NODE_MAX_BINDS
#define MAX_NSFS	1024

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct init_opts {
	const char	*name, *netns, *dir, *cgroup, *log;
	const char	*binds[MAX_BINDS];
	int		nbinds;
	char		**argv;
};

static char *const prog_env[] = {
	(char *)"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	(char *)"HOME=/root",
	(char *)"LANG=C.UTF-8",
	NULL,
};

static void
report(int err, pid_t pid, const char *fmt, ...)
{
	struct node_status st = { .err = err, .pid = pid };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st.msg, sizeof(st.msg), fmt, ap);
	va_end(ap);
	(void)!write(NODE_STATUS_FD, &st, sizeof(st));
}

#define FAIL(err, ...)	do { report((err), 0, __VA_ARGS__); _exit(1); } while (0)

static int
parse(int argc, char **argv, struct init_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (streq(a, "--")) {
			i++;
			break;
		}
		if (v == NULL)
			return -EINVAL;
		if (streq(a, "--name"))
			o->name = v;
		else if (streq(a, "--netns"))
			o->netns = v;
		else if (streq(a, "--dir"))
			o->dir = v;
		else if (streq(a, "--cgroup"))
			o->cgroup = v;
		else if (streq(a, "--log"))
			o->log = v;
		else if (streq(a, "--bind") && o->nbinds < MAX_BINDS)
			o->binds[o->nbinds++] = v;
		else
			return -EINVAL;
		i++;
	}
	if (i >= argc || !o->name || !o->netns || !o->dir || !o->cgroup || !o->log)
		return -EINVAL;
	o->argv = argv + i;
	return 0;
}

static void
join_cgroups(const char *cg)
{
	struct cg_hier h[CG_MAX];
	char path[PATH_MAX], pid[32];
	int n;

	n = cg_hierarchies(h, CG_MAX);
	if (n < 0)
		FAIL(n, "read cgroup mounts");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	for (int i = 0; i < n; i++) {
		_cleanup_close_ int fd = -1;

		if (h[i].v2)
			continue;
		snprintf(path, sizeof(path), CG_ROOT "/%s/%s/cgroup.procs", h[i].dir, cg);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
			FAIL(-errno, "join cgroup %s", path);
	}
}

/* Detach every nsfs mount copied from the host (pinned namespaces of other nodes). */
static void
detach_nsfs(const char *netns)
{
	static char paths[MAX_NSFS][256];
	char line[4096], dir[PATH_MAX];
	int n = 0;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", netns);
	(void)umount2(dirname(dir), MNT_DETACH);	/* the netns dir, when a mount point */
	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		FAIL(-errno, "read mountinfo");
	while (n < MAX_NSFS && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *mp, *save = NULL;

		if (sep == NULL || strncmp(sep + 3, "nsfs ", 5) != 0)
			continue;
		*sep = '\0';
		for (int k = 0; k < 4; k++)
			(void)strtok_r(k ? NULL : line, " ", &save);
		mp = strtok_r(NULL, " ", &save);
		if (mp && strchr(mp, '\\') == NULL)	/* escaped names: left alone */
			snprintf(paths[n++], sizeof(paths[0]), "%s", mp);
	}
	fclose(f);
	for (int i = 0; i < n; i++)
		(void)umount2(paths[i], MNT_DETACH);
}

static void
mount_or_fail(const char *src, const char *dst, const char *type, unsigned long fl,
	      const char *data)
{
	if (mount(src, dst, type, fl, data) < 0)
		FAIL(-errno, "mount %s on %s", type ? type : src, dst);
}

static void
mount_cgroups(void)
{
	struct cg_hier h[CG_MAX];
	char links[CG_MAX][2][64];
	int n, nl = 0;

	/* learn the host's layout before the new sysfs hides it */
	n = cg_hierarchies(h, CG_MAX);
	if (n < 0)
		FAIL(n, "read cgroup mounts");
	{
		char path[PATH_MAX], target[64];

		for (const char *names[] = { "cpu", "cpuacct", "net_cls", "net_prio", NULL },
		     **p = names; *p && nl < CG_MAX; p++) {
			ssize_t k;

			snprintf(path, sizeof(path), CG_ROOT "/%s", *p);
			k = readlink(path, target, sizeof(target) - 1);
			if (k <= 0)
				continue;
			target[k] = '\0';
			snprintf(links[nl][0], sizeof(links[0][0]), "%s", *p);
			snprintf(links[nl][1], sizeof(links[0][1]), "%s", target);
			nl++;
		}
	}
	mount_or_fail("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_or_fail("cgroup_root", CG_ROOT, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		      "mode=755");
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), CG_ROOT "/%s", h[i].dir);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			FAIL(-errno, "mkdir %s", path);
		if (mount("cgroup", path, h[i].v2 ? "cgroup2" : "cgroup",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, h[i].v2 ? NULL : h[i].opts) < 0)
			FAIL(-errno, "mount cgroup (%s) on %s", h[i].v2 ? "v2" : h[i].opts, path);
	}
	for (int i = 0; i < nl; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), CG_ROOT "/%s", links[i][0]);
		(void)symlink(links[i][1], path);
	}
}

static void
setup_mounts(const struct init_opts *o)
{
	int bindfd[MAX_BINDS];

	mount_or_fail(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mount_or_fail("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	/*
	 * Bind sources are opened now, in the node's mount namespace (a bind from a mount of
	 * another namespace is EINVAL) and before /run is covered, so they may live there.
	 */
	for (int i = 0; i < o->nbinds; i++) {
		char src[PATH_MAX];
		const char *c = strchr(o->binds[i], ':');

		if (c == NULL || c[1] != '/')
			FAIL(-EINVAL, "bad bind %s", o->binds[i]);
		snprintf(src, sizeof(src), "%.*s", (int)(c - o->binds[i]), o->binds[i]);
		bindfd[i] = open(src, O_PATH | O_CLOEXEC);
		if (bindfd[i] < 0)
			FAIL(-errno, "bind source %s", src);
	}
	detach_nsfs(o->netns);
	mount_cgroups();
	mount_or_fail("run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755");
	if (mkdir("/run/containerd", 0711) < 0 || mkdir("/run/docker", 0711) < 0 ||
	    mkdir("/run/lock", 01777) < 0)
		FAIL(-errno, "mkdir in /run");
	if (access("/dev/shm", F_OK) == 0)
		mount_or_fail("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	for (int i = 0; i < o->nbinds; i++) {
		const char *dst = strchr(o->binds[i], ':') + 1;
		char src[64];

		snprintf(src, sizeof(src), "/proc/self/fd/%d", bindfd[i]);
		if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
			FAIL(-errno, "bind %s", o->binds[i]);
		close(bindfd[i]);
	}
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* PID 1 after set-up: reap, forward, exit with the program. */
static void __attribute__((noreturn))
supervise(pid_t child, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		for (;;) {
			int status;
			pid_t p = waitpid(-1, &status, WNOHANG);

			if (p <= 0)
				break;
			if (p == child)
				_exit(exit_code(status));
		}
	}
}

static void __attribute__((noreturn))
run_init(const struct init_opts *o, int logfd, int dirfd, const struct stat *dirst)
{
	int ep[2], e = 0, devnull;
	sigset_t all, none;
	struct stat now;
	pid_t child;
	ssize_t k;

	setup_mounts(o);
	if (sethostname(o->name, strlen(o->name)) < 0)
		FAIL(-errno, "sethostname %s", o->name);
	if (stat(o->dir, &now) < 0 || now.st_dev != dirst->st_dev || now.st_ino != dirst->st_ino)
		FAIL(-ENOENT, "node dir %s is hidden inside the node (under /run?)", o->dir);
	if (fchdir(dirfd) < 0)
		FAIL(-errno, "chdir %s", o->dir);
	close(dirfd);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		FAIL(-errno, "open /dev/null");

	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (pipe2(ep, O_CLOEXEC) < 0)
		FAIL(-errno, "pipe");
	child = fork();
	if (child < 0)
		FAIL(-errno, "fork the program");
	if (child == 0) {
		setsid();
		if (dup2(devnull, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
			e = errno;
		syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (e == 0) {
			execvpe(o->argv[0], o->argv, prog_env);
			e = errno;
		}
		(void)!write(ep[1], &e, sizeof(e));
		_exit(127);
	}
	close(ep[1]);
	close(logfd);
	close(devnull);
	while ((k = read(ep[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(ep[0]);
	if (k == sizeof(e)) {
		waitpid(child, NULL, 0);
		FAIL(-e, "exec %s", o->argv[0]);
	}
	report(0, 0, "running");
	close(NODE_STATUS_FD);
	supervise(child, &all);
}

int
node_init_main(int argc, char **argv)
{
	struct init_opts o = { 0 };
	int logfd, dirfd, nsfd;
	struct stat dirst;
	sigset_t none;
	pid_t pid;

	if (parse(argc, argv, &o) < 0 || fcntl(NODE_STATUS_FD, F_GETFD) < 0) {
		fprintf(stderr, "usage: node-init --name N --netns PATH --dir DIR --cgroup CG "
				"--log FILE [--bind SRC:DST]... -- PROGRAM [ARGS...]\n"
				"(started by magnumd with a status pipe on fd 3)\n");
		return 2;
	}
	fcntl(NODE_STATUS_FD, F_SETFD, FD_CLOEXEC);

	/* stage 1: the launcher, still in the host's namespaces */
	prctl(PR_SET_NAME, "node-init");	/* not "exe" in ps */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	setsid();
	if (chdir("/") < 0)
		FAIL(-errno, "chdir /");
	join_cgroups(o.cgroup);

	logfd = open(o.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (logfd < 0)
		FAIL(-errno, "open log %s", o.log);
	dirfd = open(o.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || fstat(dirfd, &dirst) < 0)
		FAIL(-errno, "open node dir %s", o.dir);
	nsfd = open(o.netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		FAIL(-errno, "open netns %s", o.netns);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		FAIL(-errno, "enter netns %s", o.netns);
	close(nsfd);
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID) < 0)
		FAIL(-errno, "unshare mount/uts/ipc/pid namespaces");
	pid = fork();
	if (pid < 0)
		FAIL(-errno, "fork the init");
	if (pid > 0) {
		report(0, pid, "started");
		_exit(0);
	}
	/* stage 2: PID 1 of the node */
	run_init(&o, logfd, dirfd, &dirst);
}
