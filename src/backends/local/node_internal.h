/* node_internal.h - shared by node.c (launcher) and node_init.c (the init). */
#pragma once

#include <stdint.h>

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_MAX		16

/* A cgroup hierarchy mounted under /sys/fs/cgroup on the host. */
struct cg_hier {
	char	dir[64];	/* mount point name under /sys/fs/cgroup, e.g. "cpu,cpuacct" */
	char	opts[128];	/* mount data, e.g. "cpu,cpuacct" or "none,name=systemd" */
	int	v2;		/* the cgroup2 mount of a hybrid host (e.g. "unified") */
};

/* List the cgroup mounts of our mount namespace under /sys/fs/cgroup; count or -errno. */
int cg_hierarchies(struct cg_hier *h, int max);

/* Status record sent over the handshake pipe (one atomic write each). */
struct node_status {
	int32_t	err;		/* 0 or -errno */
	int32_t	pid;		/* stage 1: the init's pid */
	char	msg[240];
};

#define NODE_STATUS_FD	3
#define NODE_MAX_BINDS	32
