/*
 * v1_nodegroups.c - nodegroups of a cluster (microversion 1.9+), with the
 * recommended fixes: stored min/max in lists, no id/is_default/status in a
 * POST, name required (cluster doc §2.5).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/fields.h"
#include "api/labels.h"
#include "api/lookup.h"
#include "api/patch.h"
#include "api/routes.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "conductor/jobs.h"
#include "db/table.h"

static json_t *
ng_view(struct api_req *req, json_t *row, bool full)
{
	static const char *const short_keys[] = { "uuid", "name", "flavor_id", "node_count", "role",
						  "is_default", "image_id", "status", "stack_id",
						  "min_node_count", "max_node_count", NULL };
	static const char *const full_keys[] = {
		"id", "uuid", "name", "cluster_id", "project_id", "docker_volume_size", "labels",
		"flavor_id", "image_id", "node_addresses", "node_count", "role", "max_node_count",
		"min_node_count", "is_default", "stack_id", "status", "status_reason", "version",
		"node_labels", "node_taints", "created_at", "updated_at", NULL };
	const char *const *keys = full ? full_keys : short_keys;
	json_t *o = json_object(), *v;
	char a[600], b[600];

	for (size_t i = 0; keys[i]; i++) {
		v = json_object_get(row, keys[i]);
		json_object_set(o, keys[i], v ? v : json_null());
	}
	json_object_set_new(o, "merge_labels", json_false());
	if (full) {
		const char *c = json_string_value(json_object_get(row, "cluster_id"));
		const char *u = json_string_value(json_object_get(row, "uuid"));
		snprintf(a, sizeof(a), "%s/v1/clusters/%s/nodegroups/%s", req->host_url, c, u);
		snprintf(b, sizeof(b), "%s/clusters/%s/nodegroups/%s", req->host_url, c, u);
		json_object_set_new(o, "links", json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", a,
							   "rel", "self", "href", b, "rel",
							   "bookmark"));
	}
	return o;
}

static int
ng_lookup(struct api_req *req, const char *cluster, const char *ident, json_t **ret)
{
	int r = db_row_get(req->db, &db_t_nodegroups, NULL,
			   "cluster_id = ? AND (uuid = ? OR name = ? OR CAST(id AS TEXT) = ?)",
			   DB_ARGS(DB_TEXT(cluster), DB_TEXT(ident), DB_TEXT(ident), DB_TEXT(ident)),
			   ret);

	if (r == -ENOENT)
		api_reply_error(req, 404, "Nodegroup %s could not be found.", ident);
	else if (r < 0)
		api_reply_internal(req, r, "nodegroup lookup");
	return r;
}

static int
handle_list(struct api_req *req)
{
	static const char *const args[] = { "limit", "marker", "sort_key", "sort_dir", "role", NULL };
	static const char *keys[32];
	_cleanup_json_ json_t *cl = NULL, *rows = NULL;
	const char *role = api_query(req, "role"), *uuid;
	struct api_page pg;
	struct db_param p[2];
	json_t *items, *env, *row;
	char base[128];
	size_t i, n = 0;
	int r;

	if (keys[0] == NULL)
		for (size_t k = 0; k < db_t_nodegroups.ncols && k < 31; k++)
			keys[k] = db_t_nodegroups.cols[k].name;
	if (api_query_only(req, args) < 0 || api_page_parse(req, keys, &pg) < 0)
		return 0;
	if (api_lookup_cluster(req, req->params[0], false, &cl) < 0)
		return 0;
	if (!policy_can_read(req, json_string_value(json_object_get(cl, "project_id"))))
		return api_reply_policy(req, "nodegroup:get_all");
	uuid = json_string_value(json_object_get(cl, "uuid"));
	p[n++] = DB_TEXT(uuid);
	if (role)
		p[n++] = DB_TEXT(role);
	r = api_list_page(req, &db_t_nodegroups, NULL,
			  role ? "cluster_id = ? AND role = ?" : "cluster_id = ?", p, n, &pg, &rows);
	if (r == -ENOENT)
		return api_reply_error(req, 404, "Nodegroup %s could not be found.", pg.marker);
	if (r < 0)
		return api_reply_internal(req, r, "listing nodegroups");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, ng_view(req, row, false));
	env = json_pack("{s:o}", "nodegroups", items);
	snprintf(base, sizeof(base), "/v1/clusters/%s/nodegroups", uuid);
	api_page_next(req, &pg, env, base, items);
	return api_reply_json(req, 200, env);
}

static int
handle_show(struct api_req *req)
{
	_cleanup_json_ json_t *cl = NULL, *ng = NULL;

	if (api_lookup_cluster(req, req->params[0], false, &cl) < 0)
		return 0;
	if (!policy_can_read(req, json_string_value(json_object_get(cl, "project_id"))))
		return api_reply_policy(req, "nodegroup:get");
	if (ng_lookup(req, json_string_value(json_object_get(cl, "uuid")), req->params[1], &ng) < 0)
		return 0;
	return api_reply_json(req, 200, ng_view(req, ng, true));
}

/* The 409 count checks of §2.5.2; returns -EINVAL after replying. */
static int
check_counts(struct api_req *req, const char *name, int64_t count, int64_t min, json_t *maxv)
{
	int64_t max = json_integer_value(maxv);

	if (json_is_integer(maxv) && max) {
		if (max < min)
			return api_reply_error(req, 409, "max_node_count for %s is invalid "
					       "(min_node_count (%lld) should be less or equal to "
					       "max_node_count (%lld)).", name, (long long)min,
					       (long long)max), -EINVAL;
		if (count > max)
			return api_reply_error(req, 409, "max_node_count for %s is invalid "
					       "(node_count (%lld) should be less or equal to "
					       "max_node_count (%lld)).", name, (long long)count,
					       (long long)max), -EINVAL;
	}
	if (min > count)
		return api_reply_error(req, 409, "min_node_count for %s is invalid (min_node_count "
				       "(%lld) should be less or equal to node_count (%lld)).", name,
				       (long long)min, (long long)count), -EINVAL;
	return 0;
}

static int
handle_create(struct api_req *req)
{
	static const struct field_spec specs[] = {
		{ "name", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
		{ "role", FT_STRING, 0, 1, 255, NULL, NULL, "\"worker\"" },
		{ "node_count", FT_INT, 0, 0, 0, NULL, NULL, "1" },
		{ "min_node_count", FT_INT, 0, 0, 0, NULL, NULL, "0" },
		{ "max_node_count", FT_INT, 0, 0, 0, NULL, NULL, NULL },
		{ "flavor_id", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
		{ "image_id", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
		{ "docker_volume_size", FT_INT, 0, 1, 0, NULL, NULL, NULL },
		{ "labels", FT_ANY, 0, 0, 0, NULL, NULL, NULL },
		{ "merge_labels", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
		{ "node_labels", FT_DICT, 0, 0, 0, NULL, NULL, NULL },
		{ "node_taints", FT_LIST, 0, 0, 0, NULL, NULL, NULL },
		{ "id", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "is_default", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "status", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "status_reason", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "version", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "uuid", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ "cluster_id", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ "project_id", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	_cleanup_json_ json_t *body = NULL, *in = NULL, *cl = NULL, *existing = NULL;
	_cleanup_free_ char *msg = NULL;
	const char *name, *cuuid;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (fields_decode(specs, "nodegroup", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (api_lookup_cluster(req, req->params[0], false, &cl) < 0)
		return 0;
	if (!policy_can_write(req, json_string_value(json_object_get(cl, "project_id"))))
		return api_reply_policy(req, "nodegroup:create");
	cuuid = json_string_value(json_object_get(cl, "uuid"));
	name = json_string_value(json_object_get(in, "name"));
	if (streq(strempty(json_string_value(json_object_get(in, "role"))), "master"))
		return api_reply_error(req, 400, "Creating master nodegroups is currently not "
				       "supported.");
	if (db_row_get(req->db, &db_t_nodegroups, NULL, "cluster_id = ? AND name = ?",
		       DB_ARGS(DB_TEXT(cuuid), DB_TEXT(name)), &existing) == 0)
		return api_reply_error(req, 409, "A node group with name %s already exists in the "
				       "cluster %s.", name,
				       json_string_value(json_object_get(cl, "name")));
	if (check_counts(req, name, json_integer_value(json_object_get(in, "node_count")),
			 json_integer_value(json_object_get(in, "min_node_count")),
			 json_object_get(in, "max_node_count")) < 0)
		return 0;
	if (!json_is_string(json_object_get(cl, "api_address")))
		return api_reply_error(req, 409, "Cluster API address is not available yet");
	{
		_cleanup_json_ json_t *tmpl = NULL, *row = NULL, *payload = NULL, *labels = NULL;
		char uuid[UUID_STR_LEN], now[TIMESTAMP_LEN];
		json_t *l = json_object_get(in, "labels");

		(void)db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?",
				 DB_ARGS(DB_TEXT(json_string_value(json_object_get(
					 cl, "cluster_template_id")))), &tmpl);
		if (l == NULL || json_is_null(l)) {
			l = json_object_get(cl, "labels");
		} else if (json_is_true(json_object_get(in, "merge_labels"))) {
			json_t *m = json_deep_copy(json_object_get(cl, "labels"));
			json_object_update(m, l);
			json_object_set_new(in, "labels", m);
			l = m;
		}
		free(msg);
		msg = NULL;
		if (labels_validate(l, NULL, (size_t)conf_int("bay", "max_labels"), &labels, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid labels");
		uuid_new(uuid);
		time_now_iso(now);
		row = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:b, s:s, "
				"s:O, s:O, s:s}", "uuid", uuid, "name", name, "cluster_id", cuuid,
				"project_id", json_string_value(json_object_get(cl, "project_id")),
				"role", json_object_get(in, "role"), "node_count",
				json_object_get(in, "node_count"), "min_node_count",
				json_object_get(in, "min_node_count"), "max_node_count",
				json_object_get(in, "max_node_count"), "flavor_id",
				json_is_string(json_object_get(in, "flavor_id")) ?
					json_object_get(in, "flavor_id") :
					json_object_get(cl, "flavor_id"),
				"image_id", json_is_string(json_object_get(in, "image_id")) ?
					json_object_get(in, "image_id") :
					json_object_get(tmpl, "image_id"),
				"labels", labels, "is_default", 0, "status", "CREATE_IN_PROGRESS",
				"node_labels", json_object_get(in, "node_labels"), "node_taints",
				json_object_get(in, "node_taints"), "created_at", now);
		payload = json_pack("{s:s}", "nodegroup", uuid);
		r = row ? db_begin(req->db) : -ENOMEM;
		if (r >= 0)
			r = db_row_insert(req->db, &db_t_nodegroups, row, NULL);
		if (r >= 0)
			r = db_exec(req->db, "UPDATE clusters SET status = 'UPDATE_IN_PROGRESS' "
					     "WHERE uuid = ?", DB_ARGS(DB_TEXT(cuuid)));
		if (r >= 0)
			r = jobs_enqueue(req->db, cuuid, JOB_UPDATE, payload);
		if (r >= 0)
			r = db_commit(req->db);
		if (r < 0) {
			db_rollback(req->db);
			return api_reply_internal(req, r, "creating the nodegroup");
		}
		return api_reply_json(req, 202, ng_view(req, row, true));
	}
}

static int
handle_delete(struct api_req *req)
{
	_cleanup_json_ json_t *cl = NULL, *ng = NULL, *payload = NULL;
	const char *cuuid;
	int r;

	if (api_lookup_cluster(req, req->params[0], false, &cl) < 0)
		return 0;
	if (!policy_can_write(req, json_string_value(json_object_get(cl, "project_id"))))
		return api_reply_policy(req, "nodegroup:delete");
	cuuid = json_string_value(json_object_get(cl, "uuid"));
	if (ng_lookup(req, cuuid, req->params[1], &ng) < 0)
		return 0;
	if (json_is_true(json_object_get(ng, "is_default")))
		return api_reply_error(req, 400, "Deleting a default nodegroup is not supported.");
	payload = json_pack("{s:O}", "nodegroup", json_object_get(ng, "uuid"));
	r = db_begin(req->db);
	if (r >= 0)
		r = db_exec(req->db, "UPDATE nodegroups SET status = 'DELETE_IN_PROGRESS' WHERE "
				     "uuid = ?", DB_ARGS(DB_TEXT(json_string_value(
							 json_object_get(ng, "uuid")))));
	if (r >= 0)
		r = db_exec(req->db, "UPDATE clusters SET status = 'UPDATE_IN_PROGRESS' WHERE "
				     "uuid = ?", DB_ARGS(DB_TEXT(cuuid)));
	if (r >= 0)
		r = jobs_enqueue(req->db, cuuid, JOB_UPDATE, payload);
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "deleting the nodegroup");
	}
	return api_reply_empty(req, 204);
}

static int
handle_update(struct api_req *req)
{
	static const char *const internal[] = {
		"/created_at", "/id", "/links", "/updated_at", "/uuid", "/project_id", "/user_id",
		"/name", "/cluster_id", "/docker_volume_size", "/labels", "/flavor_id", "/image_id",
		"/node_addresses", "/node_count", "/role", "/is_default", "/stack_id", "/status",
		"/status_reason", "/version", NULL };
	static const char *const dicts[] = { "/node_labels", "/node_taints", NULL };
	_cleanup_json_ json_t *patch = NULL, *cl = NULL, *ng = NULL, *cur = NULL, *out = NULL;
	_cleanup_json_ json_t *defaults = json_pack("{s:i}", "min_node_count", 0), *ch = NULL;
	_cleanup_free_ char *msg = NULL;
	struct patch_rules rules = { internal, NULL, dicts, true, defaults };
	const char *name;
	int r;

	if (api_body_json(req, &patch) < 0)
		return 0;
	if (api_lookup_cluster(req, req->params[0], false, &cl) < 0)
		return 0;
	if (!policy_can_write(req, json_string_value(json_object_get(cl, "project_id"))))
		return api_reply_policy(req, "nodegroup:update");
	if (ng_lookup(req, json_string_value(json_object_get(cl, "uuid")), req->params[1], &ng) < 0)
		return 0;
	name = json_string_value(json_object_get(ng, "name"));
	cur = ng_view(req, ng, true);
	json_object_del(cur, "links");
	if (patch_apply(cur, patch, &rules, &out, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	if (!json_is_integer(json_object_get(out, "min_node_count")) ||
	    json_integer_value(json_object_get(out, "min_node_count")) < 0)
		return api_reply_error(req, 400, "Invalid input for field/attribute min_node_count. "
				       "Value should be an integer >= 0");
	if (check_counts(req, name, json_integer_value(json_object_get(out, "node_count")),
			 json_integer_value(json_object_get(out, "min_node_count")),
			 json_object_get(out, "max_node_count")) < 0)
		return 0;
	ch = json_pack("{s:O, s:O, s:O, s:O}", "min_node_count", json_object_get(out, "min_node_count"),
		       "max_node_count", json_object_get(out, "max_node_count"), "node_labels",
		       json_object_get(out, "node_labels"), "node_taints",
		       json_object_get(out, "node_taints"));
	r = db_row_update(req->db, &db_t_nodegroups, "uuid",
			  json_string_value(json_object_get(ng, "uuid")), ch);
	if (r < 0)
		return api_reply_internal(req, r, "updating the nodegroup");
	json_object_update(ng, ch);
	return api_reply_json(req, 202, ng_view(req, ng, true));
}

#define NG "/v1/clusters/{}/nodegroups"

const struct route v1_nodegroup_routes[] = {
	{ "GET", NG, handle_list, ERA_CLUSTER, 9, "get_all", 0 },
	{ "GET", NG "/{}", handle_show, ERA_CLUSTER, 9, "get_one", 0 },
	{ "POST", NG, handle_create, ERA_CLUSTER, 9, "post", 0 },
	{ "PATCH", NG "/{}", handle_update, ERA_CLUSTER, 9, "patch", 0 },
	{ "DELETE", NG "/{}", handle_delete, ERA_CLUSTER, 9, "delete", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
