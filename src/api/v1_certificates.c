/*
 * v1_certificates.c - GET/POST/PATCH /v1/certificates: a bay's CA, signing a
 * CSR with it, CA rotation (a job the conductor runs in two phases), and our
 * own expiry inventory (GET /v1/certificates?expires_within=N and
 * GET /v1/certificates/{bay}/inventory). The PKI itself is src/x509/pki.c.
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
#include "common/util.h"
#include "conductor/jobs.h"
#include "db/table.h"
#include "x509/pki.h"
#include "x509/x509.h"

/* The reply when the conductor has not made the bay's CA yet. */
static int
reply_no_ca(struct api_req *req, const char *uuid)
{
	return api_reply_error(req, 409, "The CA of %s %s is not created yet: the conductor makes "
			       "it as the first step of the create. Try again shortly.",
			       req->era == ERA_BAY ? "bay" : "cluster", uuid);
}

static json_t *
cert_links(struct api_req *req, const char *uuid)
{
	return api_links(req, "certificates", uuid);
}

static int
handle_get(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	_cleanup_free_ char *pem = NULL;
	const char *uuid;
	int r;

	if (!policy_can_read(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "certificate:get");
	uuid = json_string_value(json_object_get(row, "uuid"));
	/* During a rotation both CAs are served: clients must trust both. */
	r = pki_ca_pem(req->db, uuid, true, &pem);
	if (r == -ENOENT)
		return reply_no_ca(req, uuid);
	if (r < 0)
		return api_reply_internal(req, r, "reading the CA");
	/* Bay-era clients (up to 1.2, the bay era's last version) read bay_uuid. */
	return api_reply_json(req, 200, json_pack("{s:s, s:s, s:o}", req->minor <= 2 ?
						  "bay_uuid" : "cluster_uuid", uuid, "pem", pem,
						  "links", cert_links(req, uuid)));
}

static int
sign(struct api_req *req, json_t *in, const char *uuid)
{
	_cleanup_free_ char *pem = NULL, *why = NULL;
	const char *csr = json_string_value(json_object_get(in, "csr"));
	json_t *out;
	int r;

	r = pki_sign_csr(req->db, uuid, csr, strlen(csr), req->id.project_id, req->id.user_id,
			 &pem, &why);
	if (r == -ENOENT)
		return reply_no_ca(req, uuid);
	if (r == -EINVAL) {
		/* Unreadable input: Magnum's "Received invalid csr"; a policy refusal: its reason. */
		bool unreadable = why == NULL || strncmp(why, "CSR ", 4) == 0 ||
				  strncmp(why, "PEM ", 4) == 0 || strncmp(why, "Input ", 6) == 0;

		return api_reply_error(req, 400, unreadable ? "Received invalid csr: %s." : "%s.",
				       why ? why : "unreadable");
	}
	if (r < 0)
		return api_reply_internal(req, r, "signing the CSR");
	out = json_pack("{s:s, s:s}", req->era == ERA_BAY ? "bay_uuid" : "cluster_uuid", uuid,
			"csr", csr);
	if (out == NULL)
		return api_reply_internal(req, -ENOMEM, "signing the CSR");
	if (json_object_get(in, "ca_cert_type"))
		json_object_set(out, "ca_cert_type", json_object_get(in, "ca_cert_type"));
	json_object_set_new(out, "pem", json_string(pem));
	json_object_set_new(out, "links", cert_links(req, uuid));
	return api_reply_json(req, 201, out);
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
	return sign(req, in, json_string_value(json_object_get(row, "uuid")));
}

/* UPDATE_IN_PROGRESS, a rotate_ca job and an event, in one transaction; 202 {uuid}. */
static int
start_rotation(struct api_req *req, const char *uuid)
{
	char now[TIMESTAMP_LEN];
	int r;

	time_now_iso(now);
	r = db_begin(req->db);
	if (r >= 0)
		r = db_exec(req->db, "UPDATE clusters SET status = 'UPDATE_IN_PROGRESS', "
				     "status_reason = NULL, updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_TEXT(now), DB_TEXT(uuid)));
	if (r >= 0)
		r = jobs_enqueue(req->db, uuid, JOB_ROTATE_CA, NULL);
	if (r >= 0)
		r = events_add(req->db, uuid, "rotate-ca-accepted", 0,
			       "CA rotation accepted: a new CA will be trusted beside the old one "
			       "while certificates are re-issued, then the old CA is dropped");
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "starting the CA rotation");
	}
	return api_reply_json(req, 202, json_pack("{s:s}", "uuid", uuid));
}

/*
 * Our inventory: GET /v1/certificates[?expires_within=DAYS] lists the
 * certificates of the caller's project (admin: every project) that expire
 * within DAYS (default: all), soonest first.
 */
static int
handle_inventory(struct api_req *req)
{
	static const char *const allowed[] = { "expires_within", "bay_uuid", "cluster_uuid",
						NULL };
	_cleanup_json_ json_t *list = NULL, *row = NULL;
	const char *days = api_query(req, "expires_within"), *bay;
	const char *uuid = NULL;
	int64_t within = -1;
	int r;

	if (api_query_only(req, allowed) < 0)
		return 0;
	if (days && parse_int64(days, 0, 36500, &within) < 0)
		return api_reply_error(req, 400, "Invalid value for expires_within: '%s' (a number "
				       "of days, 0..36500).", days);
	bay = api_query(req, "bay_uuid") ? api_query(req, "bay_uuid") :
					     api_query(req, "cluster_uuid");
	if (bay) {
		if (api_lookup_cluster(req, bay, false, &row) < 0)
			return 0;
		if (!policy_can_read(req, json_string_value(json_object_get(row, "project_id"))))
			return api_reply_policy(req, "certificate:get");
		uuid = json_string_value(json_object_get(row, "uuid"));
	}
	r = pki_inventory(req->db, req->id.is_admin || uuid ? NULL : req->id.project_id, uuid,
			  (int)within, &list);
	if (r < 0)
		return api_reply_internal(req, r, "listing certificates");
	return api_reply_json(req, 200, json_pack("{s:O}", "certificates", list));
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
	return start_rotation(req, json_string_value(json_object_get(row, "uuid")));
}

const struct route v1_cert_routes[] = {
	{ "GET", "/v1/certificates", handle_inventory, ERA_CLUSTER, 0, "get_all", 0 },
	{ "GET", "/v1/certificates/{}", handle_get, ERA_CLUSTER, 0, "get_one", 0 },
	{ "POST", "/v1/certificates", handle_sign, ERA_CLUSTER, 0, "post", 0 },
	{ "PATCH", "/v1/certificates/{}", handle_rotate, ERA_CLUSTER, 0, "patch", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
