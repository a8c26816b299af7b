/* v1_root.c - version documents (GET /, GET /v1) and the health check. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api/routes.h"
#include "common/cleanup.h"
#include "common/conf.h"

static json_t *
mklink(const char *href, const char *rel)
{
	return json_pack("{s:s, s:s}", "href", href, "rel", rel);
}

static int
handle_root(struct api_req *req)
{
	_cleanup_free_ char *self = NULL;
	char maxv[16];

	if (asprintf(&self, "%s/v1/", req->host_url) < 0)
		return api_reply_internal(req, -ENOMEM, "root document");
	snprintf(maxv, sizeof(maxv), "1.%d", API_MAX_MINOR);
	return api_reply_json(req, 200, json_pack(
		"{s:s, s:s, s:[{s:s, s:[o], s:s, s:s, s:s}]}",
		"name", "OpenStack Magnum API",
		"description", "Magnum is an OpenStack project which aims to provide container "
			       "cluster management.",
		"versions", "id", "v1", "links", mklink(self, "self"), "status", "CURRENT",
		"max_version", maxv, "min_version", "1.1"));
}

/*
 * The v1 document depends only on the host the client used: keep the last
 * one rendered (clients poll it; building it was most of its cost).
 */
static pthread_mutex_t v1_lock = PTHREAD_MUTEX_INITIALIZER;
static char *v1_cache;
static char v1_cache_host[256];

static int
handle_v1(struct api_req *req)
{
	static const char *const resources[] = {
		"baymodels", "bays", "clustertemplates", "clusters", "quotas", "certificates",
		"mservices", "stats", "federations", "credentials",
	};
	_cleanup_free_ char *self = NULL;
	json_t *doc;

	pthread_mutex_lock(&v1_lock);
	if (v1_cache && streq(v1_cache_host, req->host_url)) {
		api_reply_raw(req, 200, "application/json", v1_cache, strlen(v1_cache), false);
		pthread_mutex_unlock(&v1_lock);
		return 0;
	}
	pthread_mutex_unlock(&v1_lock);
	if (asprintf(&self, "%s/v1/", req->host_url) < 0)
		return api_reply_internal(req, -ENOMEM, "v1 document");
	doc = json_pack("{s:s, s:[o, {s:s, s:s, s:s}], s:[{s:s, s:s}]}", "id", "v1", "links",
			mklink(self, "self"), "href",
			"http://docs.openstack.org/developer/magnum/dev/api-spec-v1.html", "rel",
			"describedby", "type", "text/html", "media_types", "base",
			"application/json", "type", "application/vnd.openstack.magnum.v1+json");
	if (doc == NULL)
		return api_reply_internal(req, -ENOMEM, "v1 document");
	for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
		_cleanup_free_ char *a = NULL, *b = NULL;
		if (asprintf(&a, "%s/v1/%s/", req->host_url, resources[i]) < 0 ||
		    asprintf(&b, "%s/%s/", req->host_url, resources[i]) < 0)
			break;
		json_object_set_new(doc, resources[i],
				    json_pack("[o, o]", mklink(a, "self"), mklink(b, "bookmark")));
	}
	{
		_cleanup_free_ char *a = NULL, *b = NULL;
		if (asprintf(&a, "%s/v1/clusters/{cluster_id}/nodegroups", req->host_url) >= 0 &&
		    asprintf(&b, "%s/clusters/{cluster_id}/nodegroups", req->host_url) >= 0)
			json_object_set_new(doc, "nodegroups", json_pack("[o, o]", mklink(a, "self"),
									 mklink(b, "bookmark")));
	}
	if (strlen(req->host_url) < sizeof(v1_cache_host)) {
		pthread_mutex_lock(&v1_lock);
		free(v1_cache);
		v1_cache = json_dumps(doc, JSON_COMPACT);
		snprintf(v1_cache_host, sizeof(v1_cache_host), "%s", req->host_url);
		pthread_mutex_unlock(&v1_lock);
	}
	return api_reply_json(req, 200, doc);
}

static int
handle_healthcheck(struct api_req *req)
{
	char path[4096];
	const char *state = conf_str("DEFAULT", "state_path");

	snprintf(path, sizeof(path), "%s/healthcheck_disable", state ? state : ".");
	if (access(path, F_OK) == 0 || access("/etc/magnum/healthcheck_disable", F_OK) == 0)
		return api_reply_raw(req, 503, "text/plain", "DISABLED BY FILE", 16, true);
	return api_reply_raw(req, 200, "text/plain", "OK", 2, true);
}

const struct route v1_root_routes[] = {
	{ "GET", "/", handle_root, ERA_CLUSTER, 0, "get", ROUTE_PUBLIC | ROUTE_NOVERSION },
	{ "GET", "/v1", handle_v1, ERA_CLUSTER, 0, "get", ROUTE_PUBLIC },
	{ "GET", "/healthcheck", handle_healthcheck, ERA_CLUSTER, 0, "get",
	  ROUTE_PUBLIC | ROUTE_NOVERSION },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
