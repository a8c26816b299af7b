/*
 * node.c - the launcher side of a node (see node.h): cgroups, the double fork into
 * `<exe> node-init`, the start handshake, stop and liveness checks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/local/lutil.h"
#include "backends/local/node.h"
#include "backends/local/node_internal.h"
#include "common/cleanup.h"

extern char **environ;

/* Decode mountinfo's octal escapes (\040 for a space) in place. */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Is tok a controller listed in /proc/cgroups? */
static int
is_controller(const char *tok)
{
	char line[256];
	FILE *f = fopen("/proc/cgroups", "re");
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char name[64];

		if (line[0] != '#' && sscanf(line, "%63s", name) == 1 && streq(name, tok))
			found = 1;
	}
	fclose(f);
	return found;
}

int
cg_hierarchies(struct cg_hier *h, int max)
{
	char line[4096];
	FILE *f;
	int n = 0;

	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *mp, *sep, *fstype, *super, *save = NULL;
		struct cg_hier c = { 0 };
		int ctrls = 0, k;

		/* id parent maj:min root mountpoint opts [optional...] - fstype source super */
		sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		*sep = '\0';
		fstype = strtok_r(sep + 3, " \n", &save);
		(void)strtok_r(NULL, " \n", &save);		/* source */
		super = strtok_r(NULL, " \n", &save);
		save = NULL;
		(void)strtok_r(line, " ", &save);
		(void)strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save);
		(void)strtok_r(NULL, " ", &save);
		mp = strtok_r(NULL, " ", &save);
		if (fstype == NULL || super == NULL || mp == NULL)
			continue;
		unescape(mp);
		if (strncmp(mp, CG_ROOT "/", sizeof(CG_ROOT)) != 0 ||
		    strchr(mp + sizeof(CG_ROOT), '/'))
			continue;
		if (streq(fstype, "cgroup2")) {
			c.v2 = 1;
		} else if (streq(fstype, "cgroup")) {
			char *tok, *s2 = NULL;
			size_t off = 0;

			for (tok = strtok_r(super, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
				int named = strncmp(tok, "name=", 5) == 0;

				if (!named && !is_controller(tok))
					continue;
				ctrls += !named;
				off += (size_t)snprintf(c.opts + off, sizeof(c.opts) - off, "%s%s",
							off ? "," : "", tok);
				if (off >= sizeof(c.opts))
					break;
			}
			if (off == 0 || off >= sizeof(c.opts))
				continue;
			if (ctrls == 0) {
				char tmp[sizeof(c.opts)];

				snprintf(tmp, sizeof(tmp), "%s", c.opts);
				snprintf(c.opts, sizeof(c.opts), "none,%.120s", tmp);
			}
		} else {
			continue;
		}
		k = snprintf(c.dir, sizeof(c.dir), "%s", mp + sizeof(CG_ROOT));
		if (k < 0 || k >= (int)sizeof(c.dir))
			continue;
		if (n < max)
			h[n++] = c;
	}
	fclose(f);
	return n;
}

static int
cg_path(char *buf, size_t n, const struct cg_hier *h, const char *cg, const char *file)
{
	int k = snprintf(buf, n, CG_ROOT "/%s/%s%s%s", h->dir, cg, file ? "/" : "",
			 file ? file : "");

	return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

static int
check_cgroup_name(const char *cg)
{
	if (cg == NULL || *cg == '\0' || *cg == '/' || strstr(cg, "..") ||
	    cg[strlen(cg) - 1] == '/')
		return -EINVAL;
	return 0;
}

/* cpuset: a new cgroup has no cpus/mems; copy them from the parent, level by level. */
static int
cpuset_fill(const char *hdir, const char *cg)
{
	char rel[PATH_MAX], path[PATH_MAX], val[4096];

	snprintf(rel, sizeof(rel), "%s", cg);
	for (char *p = rel;; p++) {
		char save = *p;

		if (*p != '/' && *p != '\0')
			continue;
		*p = '\0';
		for (int i = 0; i < 2; i++) {
			const char *file = i ? "cpuset.mems" : "cpuset.cpus";
			char parent[PATH_MAX], *slash;
			ssize_t r;

			if (snprintf(path, sizeof(path), CG_ROOT "/%s/%s/%s", hdir, rel, file) >=
			    (int)sizeof(path))
				return -ENAMETOOLONG;
			r = lu_read_file(path, val, sizeof(val));
			if (r < 0)
				return (int)r;
			if (r > 0)
				continue;
			snprintf(parent, sizeof(parent), "%s", rel);
			slash = strrchr(parent, '/');
			if (slash)
				*slash = '\0';
			else
				parent[0] = '\0';
			if (snprintf(path, sizeof(path), CG_ROOT "/%s/%s%s%s", hdir, parent,
				     parent[0] ? "/" : "", file) >= (int)sizeof(path))
				return -ENAMETOOLONG;
			r = lu_read_file(path, val, sizeof(val));
			if (r < 0)
				return (int)r;
			if (snprintf(path, sizeof(path), CG_ROOT "/%s/%s/%s", hdir, rel, file) >=
			    (int)sizeof(path))
				return -ENAMETOOLONG;
			if ((r = lu_write_file(path, val)) < 0)
				return (int)r;
		}
		*p = save;
		if (save == '\0')
			break;
	}
	return 0;
}

static int
cg_write(const struct cg_hier *h, const char *cg, const char *file, unsigned long long v,
	 char *err, size_t errlen)
{
	char path[PATH_MAX], val[32];
	int r;

	if ((r = cg_path(path, sizeof(path), h, cg, file)) < 0)
		return lu_errf(err, errlen, r, "cgroup path too long");
	if (v == (unsigned long long)-1)
		snprintf(val, sizeof(val), "-1");
	else if (v == 0 && strstr(file, "pids.max"))
		snprintf(val, sizeof(val), "max");
	else
		snprintf(val, sizeof(val), "%llu", v);
	r = lu_write_file(path, val);
	if (r < 0)
		return lu_errf(err, errlen, r, "write %s to %s: %s", val, path, strerror(-r));
	return 0;
}

/* Create the node's cgroup in every v1 hierarchy and write its limits. */
static int
cgroup_node_setup(const struct node_spec *s, char *err, size_t errlen)
{
	struct cg_hier h[CG_MAX];
	int n, r;

	n = cg_hierarchies(h, CG_MAX);
	if (n < 0)
		return lu_errf(err, errlen, n, "read mountinfo: %s", strerror(-n));
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (h[i].v2)
			continue;
		if ((r = cg_path(path, sizeof(path), &h[i], s->cgroup, NULL)) < 0 ||
		    (r = lu_mkdir_p(path, 0755)) < 0)
			return lu_errf(err, errlen, r, "create cgroup %s: %s", path, strerror(-r));
		if (strstr(h[i].opts, "cpuset") && (r = cpuset_fill(h[i].dir, s->cgroup)) < 0)
			return lu_errf(err, errlen, r, "cpuset setup of %s: %s", path,
				       strerror(-r));
		/* 0 = no limit: written too, so a re-start drops an old limit */
		if (strstr(h[i].dir, "memory") &&
		    (r = cg_write(&h[i], s->cgroup, "memory.limit_in_bytes",
				  s->mem_bytes ? s->mem_bytes : (unsigned long long)-1, err,
				  errlen)) < 0)
			return r;
		if ((streq(h[i].dir, "cpu") || strstr(h[i].dir, "cpu,")) &&
		    (r = cg_write(&h[i], s->cgroup, "cpu.shares",
				  s->cpu_shares ? s->cpu_shares : 1024, err, errlen)) < 0)
			return r;
		if (streq(h[i].opts, "pids") &&
		    (r = cg_write(&h[i], s->cgroup, "pids.max", s->pids_max, err, errlen)) < 0)
			return r;
	}
	return 0;
}

static int
rmdir_tree(const char *path)
{
	_cleanup_close_ int fd = -1;
	struct dirent *de;
	DIR *d;
	int r = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (d == NULL)
		return -errno;
	fd = -1;
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		int k;

		if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		k = rmdir_tree(sub);
		if (k < 0 && r == 0)
			r = k;
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int
cgroup_node_remove(const char *cgroup)
{
	struct cg_hier h[CG_MAX];
	int n, r = 0;

	if (check_cgroup_name(cgroup) < 0)
		return -EINVAL;
	n = cg_hierarchies(h, CG_MAX);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		int k;

		char *slash;

		/* v2 too: dockerd makes its containers' cgroups in the unified hierarchy. */
		if (cg_path(path, sizeof(path), &h[i], cgroup, NULL) < 0)
			continue;
		k = rmdir_tree(path);
		if (k < 0 && r == 0)
			r = k;
		/* The prefix's own directory goes with its last node (busy or not empty: kept). */
		slash = strrchr(path, '/');
		if (k >= 0 && slash && strchr(cgroup, '/')) {
			*slash = '\0';
			(void)rmdir(path);
		}
	}
	return r;
}

int
cgroup_node_memory_peak(const char *cgroup, unsigned long long *ret_bytes)
{
	char path[PATH_MAX], val[64], *end;
	unsigned long long v;
	ssize_t r;

	if (check_cgroup_name(cgroup) < 0)
		return -EINVAL;
	snprintf(path, sizeof(path), CG_ROOT "/memory/%s/memory.max_usage_in_bytes", cgroup);
	r = lu_read_file(path, val, sizeof(val));
	if (r < 0)
		return (int)r;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno || end == val)
		return -EIO;
	*ret_bytes = v;
	return 0;
}

/* Parse /proc/<pid>/stat: state and starttime (field 22). */
static int
proc_stat(pid_t pid, char *ret_state, unsigned long long *ret_start)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	char state;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = lu_read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r == -ENOENT || r == -ESRCH ? -ESRCH : (int)r;
	p = strrchr(buf, ')');		/* comm may contain spaces and ')' */
	if (p == NULL || sscanf(p + 2, "%c", &state) != 1)
		return -EIO;
	/* after ") ": state is field 3; skip fields 3..21 to reach 22 */
	p += 2;
	for (int i = 3; i < 22; i++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -EIO;
		p++;
	}
	if (sscanf(p, "%llu", &start) != 1)
		return -EIO;
	*ret_state = state;
	*ret_start = start;
	return 0;
}

int
node_starttime(pid_t pid, unsigned long long *ret)
{
	unsigned long long st;
	char state;
	int r;

	if (pid <= 0)
		return -EINVAL;
	r = proc_stat(pid, &state, &st);
	if (r < 0)
		return r;
	*ret = st;
	return 0;
}

int
node_alive(pid_t init_pid, unsigned long long starttime)
{
	unsigned long long st;
	char state;

	if (init_pid <= 0 || proc_stat(init_pid, &state, &st) < 0)
		return 0;
	return st == starttime && state != 'Z' && state != 'X' && state != 'x';
}

static int
wait_gone(pid_t pid, unsigned long long starttime, long long deadline_ms)
{
	while (node_alive(pid, starttime)) {
		if (lu_now_ms() >= deadline_ms)
			return -ETIMEDOUT;
		usleep(5000);
	}
	return 0;
}

int
node_stop(pid_t init_pid, unsigned long long starttime, int grace_ms)
{
	if (!node_alive(init_pid, starttime))
		return 0;
	if (grace_ms > 0) {
		if (kill(init_pid, SIGTERM) < 0)
			return errno == ESRCH ? 0 : -errno;
		if (wait_gone(init_pid, starttime, lu_now_ms() + grace_ms) == 0)
			return 0;
	}
	if (!node_alive(init_pid, starttime))
		return 0;
	if (kill(init_pid, SIGKILL) < 0)
		return errno == ESRCH ? 0 : -errno;
	return wait_gone(init_pid, starttime, lu_now_ms() + 10000);
}

/* Read one status record, waiting at most timeout_ms. 1 = got one, 0 = EOF, -errno. */
static int
read_status(int fd, struct node_status *st, int timeout_ms)
{
	long long deadline = lu_now_ms() + timeout_ms;
	size_t got = 0;

	while (got < sizeof(*st)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - lu_now_ms();
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		r = read(fd, (char *)st + got, sizeof(*st) - got);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0)
			return got ? -EIO : 0;
		if (r > 0)
			got += (size_t)r;
	}
	st->msg[sizeof(st->msg) - 1] = '\0';
	return 1;
}

static int
validate(const struct node_spec *s, char *err, size_t errlen)
{
	if (s == NULL || s->name == NULL || *s->name == '\0' || strlen(s->name) > 63)
		return lu_errf(err, errlen, -EINVAL, "bad node name");
	if (s->netns_path == NULL || *s->netns_path != '/')
		return lu_errf(err, errlen, -EINVAL, "netns_path must be absolute");
	if (s->dir == NULL || *s->dir != '/')
		return lu_errf(err, errlen, -EINVAL, "node dir must be absolute");
	if (check_cgroup_name(s->cgroup) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad cgroup '%s'", strempty(s->cgroup));
	if (s->argv == NULL || s->argv[0] == NULL || *s->argv[0] == '\0')
		return lu_errf(err, errlen, -EINVAL, "no program to run");
	if (s->log_path == NULL || *s->log_path != '/')
		return lu_errf(err, errlen, -EINVAL, "log_path must be absolute");
	for (const char *const *b = s->binds; b && *b; b++) {
		const char *c = strchr(*b, ':');

		if (b - s->binds >= NODE_MAX_BINDS)
			return lu_errf(err, errlen, -E2BIG, "more than %d binds", NODE_MAX_BINDS);

		if (**b != '/' || c == NULL || c[1] != '/')
			return lu_errf(err, errlen, -EINVAL, "bad bind '%s' (want /SRC:/DST)", *b);
	}
	return 0;
}

/* argv for `/proc/self/exe node-init ...`, built before fork (no malloc after it). */
static char **
init_argv(const struct node_spec *s)
{
	size_t n = 0, k = 0;
	char **v;

	for (const char *const *b = s->binds; b && *b; b++)
		n += 2;
	for (const char *const *a = s->argv; *a; a++)
		n++;
	n += 16;
	v = calloc(n, sizeof(*v));
	if (v == NULL)
		return NULL;
	v[k++] = (char *)"magnumd";
	v[k++] = (char *)"node-init";
	v[k++] = (char *)"--name";
	v[k++] = (char *)s->name;
	v[k++] = (char *)"--netns";
	v[k++] = (char *)s->netns_path;
	v[k++] = (char *)"--dir";
	v[k++] = (char *)s->dir;
	v[k++] = (char *)"--cgroup";
	v[k++] = (char *)s->cgroup;
	v[k++] = (char *)"--log";
	v[k++] = (char *)s->log_path;
	for (const char *const *b = s->binds; b && *b; b++) {
		v[k++] = (char *)"--bind";
		v[k++] = (char *)*b;
	}
	v[k++] = (char *)"--";
	for (const char *const *a = s->argv; *a; a++)
		v[k++] = (char *)*a;
	v[k] = NULL;
	return v;
}

int
node_start(const struct node_spec *s, pid_t *ret_init_pid, char *err, size_t errlen)
{
	_cleanup_free_ char **argv = NULL;
	_cleanup_close_ int rd = -1, wr = -1, devnull = -1;
	struct node_status st;
	unsigned long long start;
	pid_t pid, init_pid;
	int r, status;

	if ((r = validate(s, err, errlen)) < 0)
		return r;
	if ((r = cgroup_node_setup(s, err, errlen)) < 0)
		return r;
	argv = init_argv(s);
	if (argv == NULL)
		return lu_errf(err, errlen, -ENOMEM, "out of memory");
	{
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return lu_errf(err, errlen, -errno, "pipe: %m");
		rd = p[0];
		wr = p[1];
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return lu_errf(err, errlen, -errno, "open /dev/null: %m");

	pid = fork();
	if (pid < 0)
		return lu_errf(err, errlen, -errno, "fork: %m");
	if (pid == 0) {
		/* child of a possibly multi-threaded parent: async-signal-safe calls only */
		if (dup2(wr, NODE_STATUS_FD) < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 ||
		    dup2(devnull, 2) < 0)
			_exit(127);
		syscall(SYS_close_range, NODE_STATUS_FD + 1, ~0U, 0);
		execve("/proc/self/exe", argv, environ);
		st = (struct node_status){ .err = -errno };
		memcpy(st.msg, "exec /proc/self/exe node-init failed", 37);
		(void)!write(NODE_STATUS_FD, &st, sizeof(st));
		_exit(127);
	}
	close(wr);
	wr = -1;

	/* record 1, from the launcher stage: the init's pid (or why it could not start) */
	r = read_status(rd, &st, 10000);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return lu_errf(err, errlen, r < 0 ? r : -EIO, "node launcher: %s",
			       r < 0 ? strerror(-r) : "exited without status");
	if (st.err < 0)
		return lu_errf(err, errlen, st.err, "%s: %s", st.msg, strerror(-st.err));
	init_pid = st.pid;
	if (node_starttime(init_pid, &start) < 0)
		start = 0;

	/* record 2, from the init: mounts done and program exec()ed, or the failed step */
	r = read_status(rd, &st, 30000);
	if (r == 1 && st.err == 0) {
		*ret_init_pid = init_pid;
		return 0;
	}
	if (start && node_alive(init_pid, start))
		kill(init_pid, SIGKILL);	/* it exits by itself on error; make sure */
	if (r <= 0)
		return lu_errf(err, errlen, r < 0 ? r : -EIO, "node init: %s",
			       r < 0 ? strerror(-r) : "died during set-up");
	return lu_errf(err, errlen, st.err, "%s: %s", st.msg, strerror(-st.err));
}
