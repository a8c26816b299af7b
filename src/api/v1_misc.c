/*
 * v1_misc.c - mservices, quotas, stats, federations and credentials.
 * Spec: bay doc §1.9, §5; cluster doc §2.7-§2.11.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/clusters.h"
#include "api/fields.h"
#include "api/lookup.h"
#include "api/routes.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/util.h"
#include "db/table.h"

static int
handle_mservices(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	int64_t down = conf_int("DEFAULT", "service_down_time");
	json_t *items, *row;
	size_t i;
	int r;

	if (!req->id.is_admin)
		return api_reply_policy(req, "magnum-service:get_all");
	r = db_row_select(req->db, &db_t_mservices, NULL, NULL, DB_NOARGS, "id", 0, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing services");
	items = json_array();
	json_array_foreach(rows, i, row) {
		const char *seen = json_string_value(json_object_get(row, "last_seen_up"));
		time_t t = 0;

		if (seen == NULL)
			seen = json_string_value(json_object_get(row, "updated_at"));
		if (seen == NULL)
			seen = json_string_value(json_object_get(row, "created_at"));
		time_parse_iso(seen, &t);
		bool up = !json_is_true(json_object_get(row, "forced_down")) &&
			  llabs((long long)(time(NULL) - t)) <= down;
		json_array_append_new(items, json_pack(
			"{s:O, s:O, s:O, s:s, s:O, s:O, s:O, s:O, s:O}", "id",
			json_object_get(row, "id"), "host", json_object_get(row, "host"), "binary",
			json_object_get(row, "binary"), "state", up ? "up" : "down", "report_count",
			json_object_get(row, "report_count"), "disabled",
			json_object_get(row, "disabled"), "disabled_reason",
			json_object_get(row, "disabled_reason"), "created_at",
			json_object_get(row, "created_at"), "updated_at",
			json_object_get(row, "updated_at")));
	}
	return api_reply_json(req, 200, json_pack("{s:o}", "mservices", items));
}

/* --- quotas --- */

static json_t *
quota_view(json_t *row)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(row, "id"),
			 "project_id", json_object_get(row, "project_id"), "resource",
			 json_object_get(row, "resource"), "hard_limit",
			 json_object_get(row, "hard_limit"), "created_at",
			 json_object_get(row, "created_at"), "updated_at",
			 json_object_get(row, "updated_at"));
}

static const char *const resources[] = { "Cluster", NULL };

static const struct field_spec quota_fields[] = {
	{ "project_id", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
	{ "resource", FT_STRING, 0, 0, 0, NULL, resources, "\"Cluster\"" },
	{ "hard_limit", FT_INT, 0, 0, 0, NULL, NULL, NULL },
	{ "id", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ "created_at", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ "updated_at", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static int
project_exists(struct api_req *req, const char *p)
{
	int64_t n = 0;

	if (!streq(conf_str("DEFAULT", "auth_strategy"), "builtin"))
		return 1;
	if (db_query_int(req->db, "SELECT COUNT(*) FROM projects WHERE id = ?",
			 DB_ARGS(DB_TEXT(p)), &n) < 0)
		return -EIO;
	return n > 0;
}

static int
handle_quota_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *in = NULL, *row = NULL;
	_cleanup_free_ char *msg = NULL;
	const char *p, *res;
	char now[TIMESTAMP_LEN];
	int64_t id = 0;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (!req->id.is_admin)
		return api_reply_policy(req, "quota:create");
	if (fields_decode(quota_fields, "quota", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	p = json_string_value(json_object_get(in, "project_id"));
	res = json_string_value(json_object_get(in, "resource"));
	if (p == NULL || *p == '\0')
		return api_reply_error(req, 400, "Must provide a valid project ID.");
	r = project_exists(req, p);
	if (r < 0)
		return api_reply_internal(req, r, "project lookup");
	if (r == 0)
		return api_reply_error(req, 404, "The project_id %s could not be found.", p);
	if (json_is_null(json_object_get(in, "hard_limit")) || !json_object_get(in, "hard_limit"))
		json_object_set_new(in, "hard_limit", json_integer(1));
	time_now_iso(now);
	json_object_set_new(in, "created_at", json_string(now));
	r = db_row_insert(req->db, &db_t_quotas, in, &id);
	if (r == -EEXIST)
		return api_reply_error(req, 409, "Quota for project %s already exists for resource "
				       "%s.", p, res);
	if (r < 0)
		return api_reply_internal(req, r, "storing the quota");
	r = db_row_get(req->db, &db_t_quotas, NULL, "id = ?", DB_ARGS(DB_INT(id)), &row);
	if (r < 0)
		return api_reply_internal(req, r, "reading the quota back");
	return api_reply_json(req, 201, quota_view(row));
}

static int
handle_quota_list(struct api_req *req)
{
	static const char *const args[] = { "limit", "marker", "sort_key", "sort_dir",
					    "all_tenants", NULL };
	static const char *const keys[] = { "id", "project_id", "resource", "hard_limit",
					    "created_at", "updated_at", NULL };
	_cleanup_json_ json_t *rows = NULL;
	const char *all = api_query(req, "all_tenants"), *marker = api_query(req, "marker");
	const char *lim = api_query(req, "limit"), *key = api_query(req, "sort_key");
	const char *dir = api_query(req, "sort_dir");
	bool every = false;
	int64_t limit = conf_int("api", "max_limit"), m = 0;
	char where[128], order[96];
	struct db_param p[2];
	size_t n = 0, i;
	json_t *items, *row, *env;
	int r;

	if (api_query_only(req, args) < 0)
		return 0;
	if (!req->id.is_admin)
		return api_reply_policy(req, "quota:get_all");
	if (all && parse_bool(all, &every) < 0)
		return api_reply_error(req, 400, "Invalid input for field/attribute all_tenants. "
				       "Value: '%s'. Wrong type. Expected 'bool'", all);
	if (lim && parse_int64(lim, INT64_MIN, INT64_MAX, &limit) < 0)
		return api_reply_error(req, 400, "Invalid input for field/attribute limit. "
				       "Value: '%s'. unable to convert to int", lim);
	if (lim && limit <= 0)
		return api_reply_error(req, 400, "Limit must be positive");
	if (limit > conf_int("api", "max_limit"))
		limit = conf_int("api", "max_limit");
	if (marker && parse_int64(marker, 0, INT64_MAX, &m) < 0)
		return api_reply_error(req, 400, "Expected an integer marker but received %s.",
				       marker);
	if (key) {
		bool ok = false;
		for (size_t k = 0; keys[k]; k++)
			if (streq(keys[k], key)) {
				key = keys[k];
				ok = true;
			}
		if (!ok)
			return api_reply_error(req, 400, "The sort_key value \"%s\" is an invalid "
					       "field for sorting", key);
	}
	if (dir && !streq(dir, "asc") && !streq(dir, "desc"))
		return api_reply_error(req, 400, "Invalid sort direction: %s. Acceptable values are "
				       "'asc' or 'desc'", dir);
	snprintf(where, sizeof(where), "%s%s", every ? "1 = 1" : "project_id = ?",
		 marker ? " AND id > ?" : "");
	if (!every)
		p[n++] = DB_TEXT(req->id.project_id);
	if (marker)
		p[n++] = DB_INT(m);
	snprintf(order, sizeof(order), "%s %s, id", key ? key : "id", dir ? dir : "asc");
	r = db_row_select(req->db, &db_t_quotas, NULL, where, p, n, order, limit, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing quotas");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, quota_view(row));
	env = json_pack("{s:o}", "quotas", items);
	if ((int64_t)json_array_size(items) == limit && limit > 0) {
		char url[800];
		snprintf(url, sizeof(url), "%s/v1/quotas?sort_key=%s&sort_dir=%s&limit=%lld&marker=%lld",
			 req->host_url, key ? key : "id", dir ? dir : "asc", (long long)limit,
			 (long long)json_integer_value(json_object_get(
				 json_array_get(items, json_array_size(items) - 1), "id")));
		json_object_set_new(env, "next", json_string(url));
	}
	return api_reply_json(req, 200, env);
}

static int
quota_lookup(struct api_req *req, json_t **ret)
{
	return db_row_get(req->db, &db_t_quotas, NULL, "project_id = ? AND resource = ?",
			  DB_ARGS(DB_TEXT(req->params[0]), DB_TEXT(req->params[1])), ret);
}

static int
handle_quota_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	if (!req->id.is_reader)
		return api_reply_policy(req, "quota:get");
	if (!req->id.is_admin && !streq(req->params[0], req->id.project_id))
		return api_reply_error(req, 403, "Not authorized.");
	r = quota_lookup(req, &row);
	if (r == -ENOENT)
		return api_reply_json(req, 200, json_pack(
			"{s:s, s:I, s:s}", "project_id", req->params[0], "hard_limit",
			(json_int_t)conf_int("quotas", "max_clusters_per_project"), "resource",
			"Cluster"));
	if (r < 0)
		return api_reply_internal(req, r, "quota lookup");
	return api_reply_json(req, 200, quota_view(row));
}

static int
handle_quota_update(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *in = NULL, *row = NULL, *ch = NULL;
	_cleanup_free_ char *msg = NULL;
	char now[TIMESTAMP_LEN];
	json_t *hl;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (!req->id.is_admin)
		return api_reply_policy(req, "quota:update");
	if (fields_decode(quota_fields, "quota", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	hl = json_object_get(in, "hard_limit");
	if (hl == NULL || json_is_null(hl))
		return api_reply_error(req, 400, "hard_limit is required: a quota update does not "
				       "reset the limit.");
	r = quota_lookup(req, &row);
	if (r == -ENOENT)
		return api_reply_error(req, 404, "Quota could not be found: project_id %s resource "
				       "%s.", req->params[0], req->params[1]);
	if (r < 0)
		return api_reply_internal(req, r, "quota lookup");
	time_now_iso(now);
	ch = json_pack("{s:O, s:s}", "hard_limit", hl, "updated_at", now);
	r = db_exec(req->db, "UPDATE quotas SET hard_limit = ?, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_INT(json_integer_value(hl)), DB_TEXT(now),
			    DB_INT(json_integer_value(json_object_get(row, "id")))));
	if (r < 0)
		return api_reply_internal(req, r, "updating the quota");
	json_object_update(row, ch);
	return api_reply_json(req, 202, quota_view(row));
}

static int
handle_quota_delete(struct api_req *req)
{
	int r;

	if (!req->id.is_admin)
		return api_reply_policy(req, "quota:delete");
	r = db_exec(req->db, "DELETE FROM quotas WHERE project_id = ? AND resource = ?",
		    DB_ARGS(DB_TEXT(req->params[0]), DB_TEXT(req->params[1])));
	if (r < 0)
		return api_reply_internal(req, r, "deleting the quota");
	if (r == 0)
		return api_reply_error(req, 404, "Quota could not be found: project_id %s resource "
				       "%s.", req->params[0], req->params[1]);
	return api_reply_empty(req, 204);
}

/* --- stats --- */

static int
handle_stats(struct api_req *req)
{
	static const char *const args[] = { "project_id", "type", NULL };
	const char *p = api_query(req, "project_id"), *type = api_query(req, "type");
	int64_t clusters = 0, nodes = 0;
	int r;

	if (api_query_only(req, args) < 0)
		return 0;
	if (!req->id.is_reader)
		return api_reply_policy(req, "stats:get_all");
	if (type && strcasecmp(type, "cluster") != 0)
		return api_reply_error(req, 400, "Invalid stats type. Allowed values are 'cluster'");
	if (!req->id.is_admin) {
		if (p && !streq(p, req->id.project_id))
			return api_reply_error(req, 403, "Not authorized.");
		p = req->id.project_id;
	}
	if (p) {
		r = db_query_int(req->db, "SELECT COUNT(*) FROM clusters WHERE project_id = ?",
				 DB_ARGS(DB_TEXT(p)), &clusters);
		if (r >= 0)
			r = db_query_int(req->db, "SELECT COALESCE(SUM(node_count), 0) FROM "
						  "nodegroups WHERE project_id = ?",
					 DB_ARGS(DB_TEXT(p)), &nodes);
	} else {
		r = db_query_int(req->db, "SELECT COUNT(*) FROM clusters", DB_NOARGS, &clusters);
		if (r >= 0)
			r = db_query_int(req->db, "SELECT COALESCE(SUM(node_count), 0) FROM "
						  "nodegroups", DB_NOARGS, &nodes);
	}
	if (r < 0)
		return api_reply_internal(req, r, "computing stats");
	return api_reply_json(req, 200, json_pack("{s:I, s:I}", "clusters", (json_int_t)clusters,
						  "nodes", (json_int_t)nodes));
}

/* --- federations: not implemented, and said so --- */

static int
handle_federations(struct api_req *req)
{
	return api_reply_error(req, 501, "Federations are not implemented by this service.");
}

/*
 * --- credentials (1.12) ---
 * Policy, lookup (404, tenant-scoped; admin across projects), the state
 * rule of spec §3.3 answered synchronously (bug 11: no Python module path in
 * the text), then the driver's answer: no driver here rotates credentials.
 */

static int
handle_credentials(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	const char *status;

	if (!req->id.is_member)
		return api_reply_policy(req, "credential:rotate");
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	status = json_string_value(json_object_get(row, "status"));
	if (!cluster_status_stable(status) && !(status && streq(status, "UPDATE_IN_PROGRESS")) &&
	    !(status && streq(status, "UPDATE_FAILED")))
		return api_reply_error(req, 400, "Rotating the credentials of a cluster when status "
				       "is \"%s\" is not supported.", status ? status : "None");
	return api_reply_error(req, 400, "Credential rotation is not supported by driver.");
}

#define R(m, p, f, v, n) { m, p, f, ERA_CLUSTER, v, n, 0 }

const struct route v1_misc_routes[] = {
	R("GET", "/v1/mservices", handle_mservices, 0, "get_all"),
	R("GET", "/v1/quotas", handle_quota_list, 0, "get_all"),
	R("POST", "/v1/quotas", handle_quota_create, 0, "post"),
	R("GET", "/v1/quotas/{}/{}", handle_quota_show, 0, "get_one"),
	R("PATCH", "/v1/quotas/{}/{}", handle_quota_update, 0, "patch"),
	R("DELETE", "/v1/quotas/{}/{}", handle_quota_delete, 0, "delete"),
	R("GET", "/v1/stats", handle_stats, 0, "get_all"),
	R("GET", "/v1/federations", handle_federations, 0, "get_all"),
	R("GET", "/v1/federations/detail", handle_federations, 0, "detail"),
	R("POST", "/v1/federations", handle_federations, 0, "post"),
	R("GET", "/v1/federations/{}", handle_federations, 0, "get_one"),
	R("PATCH", "/v1/federations/{}", handle_federations, 0, "patch"),
	R("DELETE", "/v1/federations/{}", handle_federations, 0, "delete"),
	R("PATCH", "/v1/credentials/{}", handle_credentials, 12, "patch"),
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
