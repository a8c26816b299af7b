/* routes.c - all route tables and the matcher. */
#include <stdio.h>
#include <string.h>

#include "api/routes.h"
#include "common/cleanup.h"

/*
 * Tables are weak references so that a handler file can be added without
 * touching this list's users; magnumd links the API whole (see CMakeLists).
 */
#pragma weak v1_template_routes
#pragma weak v1_cluster_routes
#pragma weak v1_nodegroup_routes
#pragma weak v1_misc_routes
#pragma weak v1_cert_routes
#pragma weak identity_routes
#pragma weak resource_routes
#pragma weak web_routes

static const struct route *const tables[] = {
	v1_root_routes,
	v1_template_routes,
	v1_cluster_routes,
	v1_nodegroup_routes,
	v1_misc_routes,
	v1_cert_routes,
	identity_routes,
	resource_routes,
	web_routes,
};

/* Match pattern against path (both '/'-separated); "{}" captures a segment into buf. */
static bool
pattern_match(const char *pattern, const char *path, const char **params, size_t *np,
	      char *buf, size_t bufsize)
{
	const char *p = pattern, *s = path;
	size_t used = 0;

	*np = 0;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *e = strchr(s, '/');
			size_t len = e ? (size_t)(e - s) : strlen(s);

			if (len == 0 || *np >= 4 || used + len + 1 > bufsize)
				return false;
			memcpy(buf + used, s, len);
			buf[used + len] = '\0';
			params[(*np)++] = buf + used;
			used += len + 1;
			p += 2;
			s += len;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct route *
routes_match(const char *method, const char *path, const char **params, size_t *nparams,
	     char *buf, size_t bufsize, bool *ret_path_known)
{
	*ret_path_known = false;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		if (tables[t] == NULL)
			continue;
		for (const struct route *r = tables[t]; r->method; r++) {
			if (!pattern_match(r->pattern, path, params, nparams, buf, bufsize))
				continue;
			if (streq(r->method, method) ||
			    (streq(method, "HEAD") && streq(r->method, "GET")))
				return r;
			*ret_path_known = true;
		}
	}
	return NULL;
}
