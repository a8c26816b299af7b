/*
 * v1_certificates.c - GET/POST/PATCH /v1/certificates. The per-bay CA is the
 * TLS issue's work: until it lands these routes validate the request fully
 * (lookup, tenancy, body) and then answer a clear 501.
 */
#include <errno.h>

#include "api/fields.h"
#include "api/lookup.h"
#include "api/routes.h"
#include "common/cleanup.h"

#define NOT_BUILT "Certificate operations are not available yet: this service has no " \
		  "per-bay certificate authority."

static int
handle_get(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	if (!policy_can_read(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "certificate:get");
	return api_reply_error(req, 501, NOT_BUILT);
}

static int
handle_sign(struct api_req *req)
{
	static const struct field_spec bay[] = {
		{ "bay_uuid", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
		{ "csr", FT_STRING, F_MANDATORY, 1, 0, NULL, NULL, NULL },
		{ "pem", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	static const struct field_spec cluster[] = {
		{ "cluster_uuid", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
		{ "csr", FT_STRING, F_MANDATORY, 1, 0, NULL, NULL, NULL },
		{ "ca_cert_type", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
		{ "pem", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	_cleanup_json_ json_t *body = NULL, *in = NULL, *row = NULL;
	_cleanup_free_ char *msg = NULL;
	const char *ident;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	/* The body says which era the caller speaks. */
	req->era = json_object_get(body, "bay_uuid") ? ERA_BAY : ERA_CLUSTER;
	if (fields_decode(req->era == ERA_BAY ? bay : cluster, "certificate", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	ident = json_string_value(json_object_get(in, req->era == ERA_BAY ? "bay_uuid" :
									   "cluster_uuid"));
	r = api_lookup_cluster(req, ident, true, &row);
	if (r == -ENOENT)
		return api_reply_error(req, 400, "%s %s could not be found.",
				       req->era == ERA_BAY ? "Bay" : "Cluster", ident);
	if (r == -EEXIST)
		return api_reply_error(req, 409, "Multiple %ss exist with same name. Please use the "
				       "%s uuid instead.", req->era == ERA_BAY ? "bay" : "cluster",
				       req->era == ERA_BAY ? "bay" : "cluster");
	if (r < 0)
		return api_reply_internal(req, r, "cluster lookup");
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "certificate:create");
	return api_reply_error(req, 501, NOT_BUILT);
}

static int
handle_rotate(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "certificate:rotate_ca");
	return api_reply_error(req, 501, NOT_BUILT);
}

const struct route v1_cert_routes[] = {
	{ "GET", "/v1/certificates/{}", handle_get, ERA_CLUSTER, 0, "get_one", 0 },
	{ "POST", "/v1/certificates", handle_sign, ERA_CLUSTER, 0, "post", 0 },
	{ "PATCH", "/v1/certificates/{}", handle_rotate, ERA_CLUSTER, 0, "patch", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
