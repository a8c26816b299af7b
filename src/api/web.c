/*
 * web.c - the dashboard: serves the files of web/ (embedded at build time by
 * scripts/embed_assets.py) under /dashboard, and /favicon.ico. Static files
 * need no authentication and no microversion; the pages call the API with
 * the user's token themselves.
 *
 * "/dashboard" and "/dashboard/" (server.c strips the trailing '/') answer
 * index.html. Every reply carries a strong ETag (FNV-1a of the content, so
 * If-None-Match gives 304), "Cache-Control: no-cache" (revalidate each time)
 * and a strict Content-Security-Policy: the pages load nothing from elsewhere.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/routes.h"
#include "api/web_assets.h"
#include "common/cleanup.h"

#define WEB_PREFIX	"/dashboard"
#define WEB_CSP		"default-src 'self'; script-src 'self'; style-src 'self'; "	\
			"img-src 'self' data:; connect-src 'self'; object-src 'none'; "	\
			"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
#define WEB_MAX_ASSETS	256

static char etags[WEB_MAX_ASSETS][24];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void
etags_compute(void)
{
	for (size_t i = 0; web_assets[i].path && i < WEB_MAX_ASSETS; i++) {
		uint64_t h = 0xcbf29ce484222325ULL;

		for (size_t j = 0; j < web_assets[i].size; j++) {
			h ^= web_assets[i].data[j];
			h *= 0x100000001b3ULL;
		}
		snprintf(etags[i], sizeof(etags[i]), "\"%016llx\"", (unsigned long long)h);
	}
}

/* The asset for a path relative to the web root ("/index.html"), or -1. */
static int
web_asset_find(const char *rel)
{
	for (size_t i = 0; web_assets[i].path && i < WEB_MAX_ASSETS; i++)
		if (streq(web_assets[i].path, rel))
			return (int)i;
	return -1;
}

static void
web_set_headers(struct api_req *req, const char *etag)
{
	api_set_header(req, "ETag", etag);
	api_set_header(req, "Cache-Control", "no-cache");
	api_set_header(req, "Content-Security-Policy", WEB_CSP);
	api_set_header(req, "X-Content-Type-Options", "nosniff");
	api_set_header(req, "X-Frame-Options", "DENY");
	api_set_header(req, "Referrer-Policy", "no-referrer");
}

static int
web_serve(struct api_req *req, const char *rel)
{
	const char *inm = req->get_header ? req->get_header(req, "If-None-Match") : NULL;
	const struct web_asset *a;
	int i;

	pthread_once(&etags_once, etags_compute);
	i = web_asset_find(rel);
	if (i < 0)
		return api_reply_framework_error(req, 404, "Not Found",
						 "The resource could not be found.");
	a = &web_assets[i];
	if (inm && (streq(inm, etags[i]) || streq(inm, "*")))
		api_reply_empty(req, 304);
	else
		api_reply_raw(req, 200, a->content_type, (const char *)a->data, a->size, true);
	web_set_headers(req, etags[i]);
	return 0;
}

static int
handle_dashboard(struct api_req *req)
{
	const char *rel = req->path + strlen(WEB_PREFIX);

	return web_serve(req, *rel ? rel : "/index.html");
}

static int
handle_favicon(struct api_req *req)
{
	return web_serve(req, "/favicon.ico");
}

#define WEB_ROUTE(p, fn) { "GET", p, fn, ERA_CLUSTER, 0, "get", ROUTE_PUBLIC | ROUTE_NOVERSION }

const struct route web_routes[] = {
	WEB_ROUTE(WEB_PREFIX, handle_dashboard),
	WEB_ROUTE(WEB_PREFIX "/{}", handle_dashboard),
	WEB_ROUTE(WEB_PREFIX "/{}/{}", handle_dashboard),
	WEB_ROUTE(WEB_PREFIX "/{}/{}/{}", handle_dashboard),
	WEB_ROUTE("/favicon.ico", handle_favicon),
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
