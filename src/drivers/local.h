/*
 * local.h - the local backend's ledger objects (local_objects.c), shared by
 * the drivers that run on it (swarm_local.c).
 *
 * Entry kinds and their data:
 *   dir      name = path                         (rm -rf on destroy)
 *   bridge   name = ifname; addr                 (gateway address/prefix)
 *   firewall name = nft table; bridge, cidr, egress
 *   netns    name = path of the bind-mounted namespace
 *   veth     name = host-side ifname; netns, bridge, addr, gateway (peer is eth0)
 *   volume   name = image file; bytes, mnt
 *   node     name = hostname; node_spec fields (netns, dir, cgroup, mem_bytes,
 *            cpu_shares, pids_max, binds[], argv[], log), pid, starttime, node (index),
 *            role, ip
 *   haproxy  name = config file; haproxy (binary), log, pid, starttime
 * Entries that belong to one node carry data.node = its index.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#include "db/db.h"

/* Make sure the entry's object exists (marks it present). 0 or -errno + err. */
int lobj_ensure(struct db *db, json_t *entry, char *err, size_t errlen);
/* Remove the entry's object; 0 when it is gone (also when it never existed). */
int lobj_destroy(json_t *entry, char *err, size_t errlen);
/* rm -rf that never crosses a mount point. */
int lobj_rm_rf(const char *path);
/* Start argv in its own session, not our child; its pid. */
int lobj_spawn_detached(char *const *argv, const char *log_path, pid_t *ret_pid);
