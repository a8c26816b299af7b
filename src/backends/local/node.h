/*
 * node.h - a bay node as a "system container": our own init (node_init.c) as PID 1 of new
 * mount, uts, ipc and pid namespaces, inside a given network namespace and cgroup, running
 * one program (dockerd) as its child.
 *
 * The init is this same binary re-executed as `<exe> node-init ...` (the program's main
 * must dispatch that to node_init_main()). It is not the caller's child once node_start()
 * returns (double fork, own session, no PR_SET_PDEATHSIG): it survives the exit, even a
 * kill -9, of the process that started it. Killing it kills the whole node (the kernel
 * tears a pid namespace down with its init), and the node's mounts go with it.
 *
 * Inside the node: all mounts private; nsfs mounts copied from the host detached (so a node
 * never pins other nodes' network namespaces); fresh /proc; a /sys matching the node's
 * netns, with tmpfs on /sys/fs/cgroup and every cgroup hierarchy of the host mounted again
 * at the same place (report F1); private tmpfs on /run (with /run/containerd, /run/docker)
 * and on /dev/shm; the binds; the hostname. The node dir must therefore not be under /run.
 *
 * Cgroups (v1): the node's cgroup `cgroup` is created in every v1 hierarchy of the host
 * (mounted under /sys/fs/cgroup), limits are written, and the launcher joins it before it
 * creates any namespace, so everything the node ever runs is accounted there.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct node_spec {
	const char		*name;		/* hostname, e.g. "mgc-b3-n0" */
	const char		*netns_path;	/* from netns_add() */
	const char		*dir;		/* node state dir (exists); the program's cwd */
	const char		*cgroup;	/* v1 path under each controller root, e.g.
						   "mgc/b3-n0" */
	unsigned long long	mem_bytes;	/* memory.limit_in_bytes, 0 = none */
	unsigned		cpu_shares;	/* cpu.shares, 0 = default */
	unsigned		pids_max;	/* pids.max, 0 = none */
	const char *const	*binds;		/* NULL-terminated "SRC:DST" bind mounts, or NULL */
	const char *const	*argv;		/* the program; argv[0]: a path or a name in PATH */
	const char		*log_path;	/* its stdout + stderr (append, created 0640) */
};

/*
 * Start a node. Returns 0 once the init has set up the node and exec()ed the program, with
 * the init's pid (in our pid namespace) in *ret_init_pid; or -errno with "which step
 * failed and why" in err (may be NULL), in which case nothing of the node keeps running
 * (its cgroup stays: cgroup_node_remove()).
 */
int node_start(const struct node_spec *s, pid_t *ret_init_pid, char *err, size_t errlen);

/*
 * Stop a node: SIGTERM to its init (forwarded to the program), SIGKILL after grace_ms,
 * and wait until it is gone (10 s at most after the SIGKILL: -ETIMEDOUT). 0 if stopped or
 * already gone (or init_pid now names another process: starttime differs).
 */
int node_stop(pid_t init_pid, unsigned long long starttime, int grace_ms);

/* 1 if init_pid is alive (not a zombie) and still has this starttime, else 0. */
int node_alive(pid_t init_pid, unsigned long long starttime);

/* Start time of pid (field 22 of /proc/<pid>/stat, clock ticks since boot); 0 or -errno. */
int node_starttime(pid_t pid, unsigned long long *ret);

/* rmdir the node's cgroup (and sub-cgroups, deepest first) in every v1 hierarchy;
 * 0 if removed or absent, -EBUSY if processes remain, -errno otherwise. */
int cgroup_node_remove(const char *cgroup);

/* memory.max_usage_in_bytes of the node's cgroup: peak memory incl. page cache. */
int cgroup_node_memory_peak(const char *cgroup, unsigned long long *ret_bytes);

/* The init: `node-init [options] -- program args...`, see node_init.c. Does not return
 * on success (the init ends with _exit()); returns 2 on bad usage. */
int node_init_main(int argc, char **argv);
