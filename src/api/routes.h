/* routes.h - the route tables: each handler file exports one table. */
#pragma once

#include "api/api.h"

#define ROUTE_PUBLIC	0x01	/* no authentication */
#define ROUTE_NOVERSION	0x02	/* outside /v1: no microversion negotiation or headers */

struct route {
	const char	*method;	/* "GET", ... */
	const char	*pattern;	/* "/v1/bays/{}": "{}" matches one non-empty segment */
	api_handler_fn	fn;
	enum api_era	era;
	int		min_minor;	/* 406 below 1.<min_minor> (0 = any) */
	const char	*api_name;	/* "get_all", "post", ... for the 406 text */
	unsigned	flags;
};

/* Each table ends with a NULL method. Add new tables to routes.c. */
extern const struct route v1_root_routes[];
extern const struct route v1_template_routes[];	/* baymodels + clustertemplates */
extern const struct route v1_cluster_routes[];	/* bays + clusters + actions */
extern const struct route v1_nodegroup_routes[];
extern const struct route v1_misc_routes[];	/* quotas, stats, mservices, federations */
extern const struct route v1_cert_routes[];
extern const struct route identity_routes[];	/* /v3: the built-in Keystone subset */
extern const struct route resource_routes[];	/* /v2 images, /v2.1 flavors + keypairs */
extern const struct route web_routes[];		/* /dashboard */

/*
 * Find the route for method + path. Returns the route and fills params, or
 * NULL with *ret_path_known = true when the path exists for another method (405).
 */
const struct route *routes_match(const char *method, const char *path, const char **params,
				 size_t *nparams, char *buf, size_t bufsize, bool *ret_path_known);
