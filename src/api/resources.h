/*
 * resources.h - the embedded cloud's catalogue that templates are validated
 * against (bay doc §2.4): images (with os_distro), flavors, keypairs and
 * external networks. Served to OpenStack clients as Glance v2 / Nova / Neutron
 * subsets by resources_*.c; looked up here by the template handlers.
 *
 * Each lookup returns 0 and a new row object, -ENOENT when not found,
 * -EEXIST when a name matches several rows, or another -errno.
 */
#pragma once

#include <jansson.h>

#include "db/db.h"

/* Image by id (UUID-like) or name, visible to project_id (public or owned; NULL = any). */
int res_image_find(struct db *db, const char *ident, const char *project_id, json_t **ret);
/* Flavor whose name or id equals ident. */
int res_flavor_find(struct db *db, const char *ident, json_t **ret);
/* Keypair by name in user_id's scope. */
int res_keypair_find(struct db *db, const char *name, const char *user_id, json_t **ret);
/* External (router:external) network by name or id. */
int res_external_network_find(struct db *db, const char *ident, json_t **ret);
