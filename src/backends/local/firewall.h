/*
 * firewall.h - one nftables table per bay (`table ip <table>`), loaded with `nft -f -`.
 *
 * chain forward (filter, hook forward, priority -10, policy accept):
 *   egress = false: drop what comes in from the bay bridge to outside the bay cidr, and
 *                   what comes from elsewhere to the bay cidr;
 *   egress = true:  accept established/related, drop new traffic from elsewhere to the
 *                   bay cidr (bay -> outside is allowed);
 * chain postrouting (nat, priority 100), egress only: masquerade the bay cidr leaving by
 *   any interface but the bridge.
 * Traffic between the host and its bays (input/output) and inside a bay (bridged) is not
 * forwarded and not affected. net.ipv4.ip_forward is never touched.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Create or replace table `table` (letters, digits, '_', '-'; <= 32 chars). 0 or -errno,
 * with nft's message in err. */
int fw_bay_add(const char *table, const char *bridge, const char *cidr, bool egress,
	       char *err, size_t errlen);

/* Delete the table; 0 if deleted or absent. */
int fw_bay_del(const char *table, char *err, size_t errlen);

/* 1 if `table ip <table>` exists, 0 if not, -errno. */
int fw_table_exists(const char *table);
