/*
 * netlink.h - the rtnetlink calls the local backend needs (bridge, veth, addresses,
 * routes), written by hand over AF_NETLINK sockets.
 *
 * All functions act in the network namespace of the calling thread, except where a
 * netns fd is passed. Interface names longer than 15 characters (IFNAMSIZ - 1) are
 * rejected with -ENAMETOOLONG. Addresses are "A.B.C.D/len" (IPv6 "x::y/len" works too).
 * err/errlen (may be NULL/0) receive "which step failed and why" on error.
 */
#pragma once

#include <stddef.h>

/* Create bridge `name` (exists already as a bridge: fine), add addr_cidr (may be NULL;
 * present already: fine), set it up. 0 or -errno (-EEXIST if `name` is not a bridge). */
int nl_bridge_add(const char *name, const char *addr_cidr, char *err, size_t errlen);

/*
 * Create a veth pair: host_if stays here, enslaved to `bridge` and up; its peer is created
 * directly in the netns `netns_fd` as ns_ifname (e.g. "eth0"), gets addr_cidr, is set up
 * together with lo, and gets a default route via gateway (NULL: no route). An existing
 * veth called host_if is deleted first (so a re-run yields the requested state);
 * a non-veth of that name gives -EEXIST. 0 or -errno.
 */
int nl_veth_add_to_netns(const char *host_if, const char *bridge, int netns_fd,
			 const char *ns_ifname, const char *addr_cidr, const char *gateway,
			 char *err, size_t errlen);

/* Delete link `name`; 0 if deleted or absent, -errno otherwise. */
int nl_link_del(const char *name);

/* 1 if link `name` exists, 0 if not, -errno on error. */
int nl_link_exists(const char *name);
