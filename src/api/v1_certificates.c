/*
 * v1_certificates.c - GET/POST/PATCH /v1/certificates. The per-bay CA is the
 * TLS issue's work: until it lands these routes validate the request fully
 * (lookup, tenancy, body, state) and then answer a clear 501.
 *
 * Era of the texts: GET and PATCH name the object in the path only, so they
 * speak the cluster era ("Cluster <x> could not be found."); POST speaks the
 * era of its body (bay_uuid -> bay era, otherwise cluster era).
 */
#include <errno.h>

#include "api/clusters.h"
#include "api/fields.h"
#include "api/lookup.h"
#include "api/routes.h"
#include "common/cleanup.h"

#define NOT_BUILT "Certificate operations are not available yet: the TLS support of this " \
		  "service is not built."

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
	const char *status;
	int64_t notls = 0;
	int r;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "certificate:rotate_ca");
	r = db_query_int(req->db, "SELECT COUNT(*) FROM cluster_templates WHERE uuid = ? AND "
				  "tls_disabled = 1",
			 DB_ARGS(DB_TEXT(json_string_value(json_object_get(row,
								 "cluster_template_id")))),
			 &notls);
	if (r < 0)
		return api_reply_internal(req, r, "template lookup");
	if (notls > 0)
		return api_reply_error(req, 400, "Rotating the CA certificate on a non-TLS cluster "
				       "is not supported");
	status = json_string_value(json_object_get(row, "status"));
	if (!cluster_status_stable(status))
		return api_reply_error(req, 400, "Updating a cluster when status is \"%s\" is not "
				       "supported.", status ? status : "None");
	return api_reply_error(req, 501, NOT_BUILT);
}

const struct route v1_cert_routes[] = {
	{ "GET", "/v1/certificates/{}", handle_get, ERA_CLUSTER, 0, "get_one", 0 },
	{ "POST", "/v1/certificates", handle_sign, ERA_CLUSTER, 0, "post", 0 },
	{ "PATCH", "/v1/certificates/{}", handle_rotate, ERA_CLUSTER, 0, "patch", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
