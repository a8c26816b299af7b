/*
 * netns.h - persistent network namespaces, like `ip netns add`, in a directory we choose.
 *
 * A namespace is kept alive by bind-mounting its nsfs file on `path`. As iproute2 does
 * for /run/netns, the directory holding these files is made a mount point of its own
 * (a bind mount of itself) with shared propagation (MS_SHARED|MS_REC), the first time it
 * is used:
 *   - shared: a later umount of a namespace file propagates to every mount namespace that
 *     was cloned from ours while the directory was shared, so netns_del() really releases
 *     the namespace there too;
 *   - its own mount point: a node's init (node_init.c), which makes all its mounts private,
 *     detaches the whole directory from its mount namespace in one umount2(MNT_DETACH), so
 *     a running node never pins the network namespaces of other nodes.
 * The directory should hold nothing but namespace files.
 */
#pragma once

/* Create a new network namespace pinned at path (the directory must exist). Returns 0;
 * 0 as well if path is already a network namespace; -errno otherwise. */
int netns_add(const char *path);

/* Open the namespace at path: an O_CLOEXEC fd for setns()/IFLA_NET_NS_FD, or -errno
 * (-EINVAL if path is not a namespace file). The caller closes it. */
int netns_open(const char *path);

/* Unpin and remove path; 0 if done or already absent, -errno otherwise. The namespace
 * itself goes away when nothing else (a process, an open fd) holds it. */
int netns_del(const char *path);

/* Undo the directory setup of netns_add() once the directory holds no namespace any more
 * (at service or test teardown): 0 if unmounted or not a mount point, -EBUSY if a
 * namespace file is still pinned in it, -errno otherwise. */
int netns_dir_release(const char *dir);
