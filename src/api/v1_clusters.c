/*
 * v1_clusters.c - bays (bay era) and clusters (cluster era): one set of rows,
 * two views. Create, update and delete write the row(s) and a durable job in
 * one transaction; the conductor does the rest. Spec: bay doc §1.6, §2.7,
 * §3; cluster doc §2.3, §2.4, §3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/clusters.h"
#include "api/fields.h"
#include "api/labels.h"
#include "api/lookup.h"
#include "api/patch.h"
#include "api/resources.h"
#include "api/routes.h"
#include "api/templates.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "conductor/jobs.h"
#include "db/table.h"

#define NAME_PATTERN "^[a-zA-Z][a-zA-Z0-9_.-]*$"
#define IGN(n) { n, FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL }
#define RO(n) { n, FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL }

static const struct field_spec bay_fields[] = {
	{ "name", FT_STRING, 0, 1, 242, NAME_PATTERN, NULL, NULL },
	{ "baymodel_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
	{ "node_count", FT_INT, 0, 1, 0, NULL, NULL, "1" },
	{ "master_count", FT_INT, 0, 1, 0, NULL, NULL, "1" },
	{ "bay_create_timeout", FT_INT, 0, 0, 0, NULL, NULL, "60" },
	{ "discovery_url", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
	IGN("uuid"), IGN("status"), IGN("status_reason"), IGN("bay_faults"),
	RO("links"), RO("stack_id"), RO("api_address"), RO("node_addresses"),
	RO("master_addresses"), RO("created_at"), RO("updated_at"),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct field_spec cluster_fields[] = {
	{ "name", FT_STRING, 0, 1, 242, NAME_PATTERN, NULL, NULL },
	{ "cluster_template_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
	{ "keypair", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
	{ "node_count", FT_INT, 0, 0, 0, NULL, NULL, "1" },
	{ "master_count", FT_INT, 0, 1, 0, NULL, NULL, "1" },
	{ "docker_volume_size", FT_INT, 0, 1, 0, NULL, NULL, NULL },
	{ "labels", FT_ANY, 0, 0, 0, NULL, NULL, NULL },
	{ "master_flavor_id", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
	{ "flavor_id", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
	{ "create_timeout", FT_INT, 0, 0, 0, NULL, NULL, "60" },
	{ "discovery_url", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
	{ "merge_labels", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
	{ "fixed_network", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
	{ "fixed_subnet", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
	{ "floating_ip_enabled", FT_BOOL, 0, 0, 0, NULL, NULL, NULL },
	{ "master_lb_enabled", FT_BOOL, 0, 0, 0, NULL, NULL, NULL },
	IGN("uuid"), IGN("status"), IGN("status_reason"), IGN("health_status"),
	IGN("health_status_reason"), IGN("labels_overridden"), IGN("labels_added"),
	IGN("labels_skipped"), IGN("faults"),
	RO("links"), RO("stack_id"), RO("cluster_id"), RO("api_address"), RO("coe_version"),
	RO("container_version"), RO("node_addresses"), RO("master_addresses"), RO("project_id"),
	RO("user_id"), RO("created_at"), RO("updated_at"),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const char *
rule(const struct api_req *req, const char *action)
{
	static __thread char buf[64];

	snprintf(buf, sizeof(buf), "%s:%s", req->era == ERA_BAY ? "bay" : "cluster", action);
	return buf;
}

static bool
is_url(const char *s)
{
	return (strncasecmp(s, "http://", 7) == 0 && s[7]) ||
	       (strncasecmp(s, "https://", 8) == 0 && s[8]);
}

/* Load a row by uuid with the computed columns. */
static int
cluster_get(struct api_req *req, const char *uuid, json_t **ret)
{
	return db_row_get(req->db, &db_t_clusters_read, api_cluster_select_extra, "uuid = ?",
			  DB_ARGS(DB_TEXT(uuid)), ret);
}

static const char *const list_args[] = { "limit", "marker", "sort_key", "sort_dir", NULL };

static const char *const *
sort_keys(void)
{
	static const char *keys[64];

	if (keys[0] == NULL) {
		size_t n = 0;
		for (size_t i = 0; i < db_t_clusters_read.ncols && n < 63; i++)
			keys[n++] = db_t_clusters_read.cols[i].name;
	}
	return keys;
}

static int
handle_list(struct api_req *req)
{
	const struct era_names *en = era_names(req->era);
	bool detail = strstr(req->path, "/detail") != NULL;
	_cleanup_json_ json_t *rows = NULL;
	struct api_page pg;
	struct db_param p[2];
	json_t *items, *env, *row;
	char base[64];
	size_t n, i;
	int r;

	if (api_query_only(req, list_args) < 0 || api_page_parse(req, sort_keys(), &pg) < 0)
		return 0;
	if (!req->id.is_reader)
		return api_reply_policy(req, rule(req, detail ? "detail" : "get_all"));
	n = api_visible_params(req, p);
	r = api_list_page(req, &db_t_clusters_read, api_cluster_select_extra,
			  api_cluster_visible_sql(req), p, n, &pg, &rows);
	if (r == -ENOENT)
		return api_reply_error(req, 404, "%s %s could not be found.", en->cl_title,
				       pg.marker);
	if (r < 0)
		return api_reply_internal(req, r, "listing clusters");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, cluster_view(req, row, detail ? FORM_DETAIL : FORM_LIST));
	env = json_pack("{s:o}", en->cl_coll, items);
	snprintf(base, sizeof(base), "/v1/%s%s", en->cl_coll, detail ? "/detail" : "");
	api_page_next(req, &pg, env, base, items);
	return api_reply_json(req, 200, env);
}

static int
handle_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	if (!policy_can_read(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, rule(req, "get"));
	return api_reply_json(req, 200, cluster_view(req, row, FORM_SHOW));
}

static int
handle_events(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL, *events = NULL;
	int r;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	if (!policy_can_read(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, rule(req, "get"));
	r = events_list(req->db, json_string_value(json_object_get(row, "uuid")), &events);
	if (r < 0)
		return api_reply_internal(req, r, "listing events");
	return api_reply_json(req, 200, json_pack("{s:O}", "events", events));
}

static int
count_cap(struct api_req *req, const char *field, json_t *v)
{
	int64_t max = conf_int("bay", "max_node_count");

	if (json_is_integer(v) && json_integer_value(v) > max) {
		api_reply_error(req, 400, "Invalid input for field/attribute %s. Value: '%lld'. "
				"Value should be lower or equal to %lld", field,
				(long long)json_integer_value(v), (long long)max);
		return -EINVAL;
	}
	return 0;
}

static int
quota_check(struct api_req *req)
{
	int64_t limit = conf_int("quotas", "max_clusters_per_project"), n = 0, q;
	int r;

	r = db_query_int(req->db, "SELECT hard_limit FROM quotas WHERE project_id = ? AND "
				  "resource = 'Cluster'", DB_ARGS(DB_TEXT(req->id.project_id)), &q);
	if (r == 0)
		limit = q;
	else if (r != -ENOENT)
		return api_reply_internal(req, r, "quota lookup"), r;
	r = db_query_int(req->db, "SELECT COUNT(*) FROM clusters WHERE project_id = ?",
			 DB_ARGS(DB_TEXT(req->id.project_id)), &n);
	if (r < 0)
		return api_reply_internal(req, r, "quota check"), r;
	if (n >= limit) {
		api_reply_error(req, 403, "Resource limit exceeded: You have reached the maximum "
				"clusters per project, %lld. You may delete a cluster to make room "
				"for a new one.", (long long)limit);
		return -EACCES;
	}
	return 0;
}

static json_t *
nodegroup_row(const char *cluster, const char *project, const char *name, const char *role,
	      json_t *count, json_t *flavor, json_t *image, json_t *labels, json_t *dvs,
	      const char *now)
{
	char uuid[UUID_STR_LEN];

	uuid_new(uuid);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O?, s:O?, s:O?, s:O?, s:b, s:i, "
			 "s:s, s:s}", "uuid", uuid, "name", name, "cluster_id", cluster,
			 "project_id", project, "role", role, "node_count", count, "flavor_id",
			 flavor, "image_id", image, "labels", labels, "docker_volume_size", dvs,
			 "is_default", 1, "min_node_count", 0, "status", "CREATE_IN_PROGRESS",
			 "created_at", now);
}

static json_t *
first_set(json_t *a, json_t *b)
{
	if (a && !json_is_null(a) && !(json_is_string(a) && json_string_length(a) == 0))
		return a;
	return b && !json_is_null(b) ? b : json_null();
}

static int
handle_create(struct api_req *req)
{
	const struct era_names *en = era_names(req->era);
	bool bay = req->era == ERA_BAY;
	_cleanup_json_ json_t *body = NULL, *in = NULL, *tmpl = NULL, *row = NULL, *labels = NULL;
	_cleanup_json_ json_t *ng1 = NULL, *ng2 = NULL, *kp = NULL, *fresh = NULL;
	_cleanup_free_ char *msg = NULL, *name = NULL;
	char uuid[UUID_STR_LEN], now[TIMESTAMP_LEN], loc[512];
	const char *tref, *keypair;
	json_t *node_count, *master_count, *v, *lb;
	struct tmpl_err e;
	int64_t timeout;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (!req->id.is_member)
		return api_reply_policy(req, rule(req, "create"));
	r = fields_decode(bay ? bay_fields : cluster_fields, en->cl_arg, body, &in, &msg);
	if (r < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	node_count = json_object_get(in, "node_count");
	master_count = json_object_get(in, "master_count");
	if (json_is_null(node_count))
		node_count = json_integer(1), json_object_set_new(in, "node_count", node_count);
	if (json_is_null(master_count))
		master_count = json_integer(1), json_object_set_new(in, "master_count", master_count);
	if (!bay && json_integer_value(node_count) == 0 && req->minor < 10)
		return api_reply_error(req, 400, "Resizing a nodegroup to zero is not supported in "
				       "the provided microversion.");
	if (count_cap(req, "node_count", node_count) < 0 ||
	    count_cap(req, "master_count", master_count) < 0)
		return 0;
	v = json_object_get(in, "discovery_url");
	if (json_is_string(v) && !is_url(json_string_value(v)))
		return api_reply_error(req, 400, "Invalid input for field/attribute discovery_url. "
				       "Value: '%s'. Value should be an http:// or https:// URL",
				       json_string_value(v));
	tref = json_string_value(json_object_get(in, en->tmpl_ref));
	r = api_lookup_template(req, tref, true, &tmpl);
	if (r == -ENOENT)
		return api_reply_error(req, 400, "%s %s could not be found.", en->tmpl_title, tref);
	if (r == -EEXIST)
		return api_reply_error(req, 409, "Multiple %s exist with same name. Please use the "
				       "%s uuid instead.", bay ? "baymodels" : "ClusterTemplates",
				       bay ? "baymodel" : "ClusterTemplate");
	if (r < 0)
		return api_reply_internal(req, r, "template lookup");
	if (json_is_true(json_object_get(tmpl, "hidden")) && !req->id.is_admin)
		return api_reply_error(req, 403, "Not authorized.");
	/* The template's resources must still exist for this caller. */
	if (template_check_resources(req, tmpl, true, &e) < 0)
		return api_reply_error(req, e.status, "%s", e.msg);
	lb = json_object_get(in, "master_lb_enabled");
	if (lb == NULL || json_is_null(lb))
		lb = json_object_get(tmpl, "master_lb_enabled");
	if (json_integer_value(master_count) > 1 && !json_is_true(lb))
		return api_reply_error(req, 400, "master_count must be 1 when master_lb_enabled is "
				       "False");
	if (!bay && json_integer_value(master_count) % 2 == 0)
		return api_reply_error(req, 400, "master nodegroup size of %lld is invalid, size "
				       "cannot be an even number.",
				       (long long)json_integer_value(master_count));
	keypair = bay ? json_string_value(json_object_get(tmpl, "keypair_id")) :
			json_string_value(first_set(json_object_get(in, "keypair"),
						    json_object_get(tmpl, "keypair_id")));
	if (keypair) {
		r = res_keypair_find(req->db, keypair, req->id.user_id, &kp);
		if (r == -ENOENT)
			return api_reply_error(req, 404, "Unable to find keypair %s.", keypair);
		if (r < 0)
			return api_reply_internal(req, r, "keypair lookup");
	}
	/* Labels: the template's unless given; merged on request. */
	v = json_object_get(in, "labels");
	if (v == NULL || json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0)) {
		v = json_object_get(tmpl, "labels");
	} else if (json_is_true(json_object_get(in, "merge_labels"))) {
		json_t *m = json_deep_copy(json_object_get(tmpl, "labels"));
		if (!json_is_object(m)) {
			json_decref(m);
			m = json_object();
		}
		json_object_update(m, v);
		json_object_set_new(in, "labels", m);
		v = m;
	}
	free(msg);
	msg = NULL;
	if (labels_validate(v, json_string_value(json_object_get(tmpl, "coe")),
			    (size_t)conf_int("bay", "max_labels"), &labels, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid labels");
	if (!bay) {
		const char *fl[] = { json_string_value(json_object_get(in, "flavor_id")),
				     json_string_value(json_object_get(in, "master_flavor_id")) };
		for (size_t i = 0; i < 2; i++) {
			_cleanup_json_ json_t *f = NULL;
			if (fl[i] && *fl[i] && res_flavor_find(req->db, fl[i], &f) < 0)
				return api_reply_error(req, 400, "Unable to find flavor %s.", fl[i]);
		}
	}
	timeout = json_integer_value(json_object_get(in, bay ? "bay_create_timeout" :
							      "create_timeout"));
	if (timeout == 0)
		timeout = conf_int("bay", "bay_create_timeout");
	v = json_object_get(in, "name");
	if (!json_is_string(v)) {
		name = random_name(bay ? "bay" : "cluster");
		v = json_string(name);
		json_object_set_new(in, "name", v);
	}
	uuid_new(uuid);
	time_now_iso(now);
	row = json_pack("{s:s, s:O, s:s, s:s, s:O, s:s?, s:O, s:O, s:O, s:O, s:I, s:O?, s:s, "
			"s:O, s:O, s:O, s:O, s:s}",
			"uuid", uuid, "name", v, "project_id", req->id.project_id, "user_id",
			req->id.user_id, "cluster_template_id", json_object_get(tmpl, "uuid"),
			"keypair", keypair, "docker_volume_size",
			first_set(json_object_get(in, "docker_volume_size"),
				  json_object_get(tmpl, "docker_volume_size")),
			"labels", labels, "master_flavor_id",
			first_set(json_object_get(in, "master_flavor_id"),
				  json_object_get(tmpl, "master_flavor_id")),
			"flavor_id", first_set(json_object_get(in, "flavor_id"),
					       json_object_get(tmpl, "flavor_id")),
			"create_timeout", (json_int_t)timeout, "discovery_url",
			json_object_get(in, "discovery_url"), "status", "CREATE_IN_PROGRESS",
			"fixed_network", first_set(json_object_get(in, "fixed_network"),
						   json_object_get(tmpl, "fixed_network")),
			"fixed_subnet", first_set(json_object_get(in, "fixed_subnet"),
						  json_object_get(tmpl, "fixed_subnet")),
			"floating_ip_enabled", first_set(json_object_get(in, "floating_ip_enabled"),
							 json_object_get(tmpl, "floating_ip_enabled")),
			"master_lb_enabled", lb ? lb : json_false(), "created_at", now);
	if (row == NULL)
		return api_reply_internal(req, -ENOMEM, "building the cluster");
	ng1 = nodegroup_row(uuid, req->id.project_id, "default-master", "master", master_count,
			    json_object_get(row, "master_flavor_id"), json_object_get(tmpl, "image_id"),
			    labels, json_object_get(row, "docker_volume_size"), now);
	ng2 = nodegroup_row(uuid, req->id.project_id, "default-worker", "worker", node_count,
			    json_object_get(row, "flavor_id"), json_object_get(tmpl, "image_id"),
			    labels, json_object_get(row, "docker_volume_size"), now);
	r = db_begin(req->db);
	if (r < 0)
		return api_reply_internal(req, r, "creating the cluster");
	if (quota_check(req) < 0) {
		db_rollback(req->db);
		return 0;
	}
	r = db_row_insert(req->db, &db_t_clusters, row, NULL);
	if (r >= 0)
		r = db_row_insert(req->db, &db_t_nodegroups, ng1, NULL);
	if (r >= 0)
		r = db_row_insert(req->db, &db_t_nodegroups, ng2, NULL);
	if (r >= 0)
		r = jobs_enqueue(req->db, uuid, JOB_CREATE, NULL);
	if (r >= 0)
		r = events_add(req->db, uuid, "accepted", 0,
			       "create accepted; waiting for a conductor with a driver for it");
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "creating the cluster");
	}
	log_info("%s %s (%s) created in project %s", en->cl_lower, uuid, json_string_value(v),
		 req->id.project_id);
	if (!bay || req->minor >= 2)
		return api_reply_json(req, 202, json_pack("{s:s}", "uuid", uuid));
	r = cluster_get(req, uuid, &fresh);
	if (r < 0)
		return api_reply_internal(req, r, "reading the bay back");
	snprintf(loc, sizeof(loc), "%s/v1/bays/%s", req->host_url, uuid);
	api_set_header(req, "Location", loc);
	return api_reply_json(req, 201, cluster_view(req, fresh, FORM_SHOW));
}

static int
reply_state_refused(struct api_req *req, const char *status)
{
	if (req->era == ERA_BAY)
		return api_reply_error(req, 400, "Updating a bay when stack status is \"%s\" is "
				       "not supported.", status);
	return api_reply_error(req, 400, "Updating a cluster when status is \"%s\" is not "
			       "supported.", status);
}

/*
 * Start a node count change of the default worker group (update and
 * resize): refused unless the cluster is stable with no job running.
 */
static int
start_resize(struct api_req *req, json_t *row, const char *ng_uuid, int64_t count,
	     json_t *extra_changes)
{
	const char *uuid = json_string_value(json_object_get(row, "uuid"));
	const char *status = json_string_value(json_object_get(row, "status"));
	_cleanup_json_ json_t *payload = NULL, *ch = NULL;
	char now[TIMESTAMP_LEN];
	int r;

	r = jobs_active(req->db, uuid);
	if (r < 0)
		return api_reply_internal(req, r, "job lookup"), r;
	if (!cluster_status_stable(status) || r > 0)
		return reply_state_refused(req, status), -EBUSY;
	time_now_iso(now);
	payload = json_pack("{s:s, s:I}", "nodegroup", ng_uuid, "node_count", (json_int_t)count);
	ch = extra_changes ? json_deep_copy(extra_changes) : json_object();
	json_object_set_new(ch, "status", json_string("UPDATE_IN_PROGRESS"));
	json_object_set_new(ch, "updated_at", json_string(now));
	r = db_begin(req->db);
	if (r >= 0)
		r = db_exec(req->db, "UPDATE nodegroups SET node_count = ?, status = "
				     "'UPDATE_IN_PROGRESS', updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_INT(count), DB_TEXT(now), DB_TEXT(ng_uuid)));
	if (r >= 0)
		r = db_row_update(req->db, &db_t_clusters, "uuid", uuid, ch);
	if (r >= 0)
		r = jobs_enqueue(req->db, uuid, JOB_UPDATE, payload);
	if (r >= 0)
		r = events_add(req->db, uuid, "update-accepted", 0, "node count change accepted");
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "updating the cluster"), r;
	}
	return 0;
}

static int
default_worker(struct api_req *req, const char *cluster, json_t **ret)
{
	return db_row_get(req->db, &db_t_nodegroups, NULL,
			  "cluster_id = ? AND role <> 'master' AND is_default = 1",
			  DB_ARGS(DB_TEXT(cluster)), ret);
}

static int
handle_update(struct api_req *req)
{
	static const char *const bay_internal[] = {
		"/created_at", "/id", "/links", "/updated_at", "/uuid", "/project_id", "/user_id",
		"/api_address", "/node_addresses", "/master_addresses", "/stack_id",
		"/ca_cert_ref", "/magnum_cert_ref", "/trust_id", "/trustee_user_name",
		"/trustee_password", "/trustee_user_id", NULL };
	static const char *const cl_internal[] = {
		"/created_at", "/id", "/links", "/updated_at", "/uuid", "/project_id", "/user_id",
		"/api_address", "/node_addresses", "/master_addresses", "/stack_id", "/cluster_id",
		"/ca_cert_ref", "/magnum_cert_ref", "/etcd_ca_cert_ref", "/front_proxy_ca_cert_ref",
		NULL };
	static const char *const bay_mandatory[] = { "/baymodel_id", NULL };
	static const char *const cl_mandatory[] = { "/cluster_template_id", NULL };
	static const char *const dicts[] = { "/labels", "/health_status_reason", NULL };
	static const char *const health[] = { "HEALTHY", "UNHEALTHY", "UNKNOWN", NULL };
	bool bay = req->era == ERA_BAY;
	_cleanup_json_ json_t *patch = NULL, *row = NULL, *cur = NULL, *patched = NULL;
	_cleanup_json_ json_t *defaults = NULL, *worker = NULL, *fresh = NULL;
	_cleanup_json_ json_t *health_ch = json_object();
	_cleanup_free_ char *msg = NULL;
	struct strbuf bad = STRBUF_INIT;
	struct patch_rules rules;
	const char *uuid, *k;
	int64_t count;
	json_t *v;
	int nbad = 0, r;

	if (api_body_json(req, &patch) < 0)
		return 0;
	if (!json_is_array(patch))
		return api_reply_error(req, 400, "Invalid input for field/attribute patch. Value: "
				       "'<object>'. Value should be a list of JSON-Patch "
				       "operations");
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = json_string_value(json_object_get(row, "uuid"));
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, rule(req, "update"));
	cur = cluster_view(req, row, FORM_DETAIL);
	json_object_del(cur, "links");
	defaults = json_pack("{s:i}", "node_count", 1);
	rules = (struct patch_rules){
		.internal = bay ? bay_internal : cl_internal,
		.mandatory = bay ? bay_mandatory : cl_mandatory,
		.dict_paths = dicts,
		.allow_falsy = !bay,
		.defaults = defaults,
	};
	r = patch_apply(cur, patch, &rules, &patched, &msg);
	if (r < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	json_object_foreach(patched, k, v) {
		json_t *old = json_object_get(cur, k);
		if (old && json_equal(old, v))
			continue;
		if (streq(k, "node_count"))
			continue;
		if (!bay && (streq(k, "health_status") || streq(k, "health_status_reason"))) {
			json_object_set(health_ch, k, v);
			continue;
		}
		strbuf_printf(&bad, "%s%s", nbad++ ? ", " : "", k);
	}
	if (nbad) {
		api_reply_error(req, 400, "cannot change %s property(ies) %s.", bay ? "bay" :
				"cluster", bad.buf);
		strbuf_free(&bad);
		return 0;
	}
	strbuf_free(&bad);
	v = json_object_get(health_ch, "health_status");
	if (v && !json_is_null(v)) {
		bool ok = false;
		for (size_t i = 0; health[i]; i++)
			if (json_is_string(v) && streq(health[i], json_string_value(v)))
				ok = true;
		if (!ok)
			return api_reply_error(req, 400, "Invalid input for field/attribute "
					       "health_status. Value: '%s'. Value should be one of: "
					       "HEALTHY, UNHEALTHY, UNKNOWN",
					       json_is_string(v) ? json_string_value(v) : "<value>");
	}
	v = json_object_get(health_ch, "health_status_reason");
	if (v && !json_is_null(v) && !json_is_object(v))
		return api_reply_error(req, 400, "Invalid input for field/attribute "
				       "health_status_reason. Value should be a dictionary");
	{
		const struct field_spec nc = { "node_count", FT_INT, 0, bay ? 1 : 0, 0, NULL, NULL,
					       NULL };
		json_t *nv = NULL;
		free(msg);
		msg = NULL;
		if (fields_check_value(&nc, json_object_get(patched, "node_count"), &nv, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid node_count");
		count = json_integer_value(nv);
		json_decref(nv);
	}
	if (!bay && count == 0 && req->minor < 10)
		return api_reply_error(req, 400, "Resizing a nodegroup to zero is not supported in "
				       "the provided microversion.");
	{
		json_t *tmp = json_integer(count);
		r = count_cap(req, "node_count", tmp);
		json_decref(tmp);
		if (r < 0)
			return 0;
	}
	if (count != json_integer_value(json_object_get(cur, "node_count"))) {
		r = default_worker(req, uuid, &worker);
		if (r < 0)
			return api_reply_internal(req, r, "nodegroup lookup");
		if (start_resize(req, row, json_string_value(json_object_get(worker, "uuid")),
				 count, health_ch) < 0)
			return 0;
	} else if (json_object_size(health_ch) > 0) {
		r = db_row_update(req->db, &db_t_clusters, "uuid", uuid, health_ch);
		if (r < 0)
			return api_reply_internal(req, r, "updating health");
	}
	if (!bay || req->minor >= 2)
		return api_reply_json(req, 202, json_pack("{s:s}", "uuid", uuid));
	r = cluster_get(req, uuid, &fresh);
	if (r < 0)
		return api_reply_internal(req, r, "reading the bay back");
	return api_reply_json(req, 200, cluster_view(req, fresh, FORM_SHOW));
}

static int
handle_delete(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	char now[TIMESTAMP_LEN];
	const char *uuid, *status;
	int64_t pending = 0;
	int r;

	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = json_string_value(json_object_get(row, "uuid"));
	status = json_string_value(json_object_get(row, "status"));
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, rule(req, "delete"));
	r = db_begin(req->db);
	if (r < 0)
		return api_reply_internal(req, r, "deleting the cluster");
	r = db_query_int(req->db, "SELECT COUNT(*) FROM jobs WHERE cluster_uuid = ? AND kind = "
				  "'delete' AND state IN ('pending', 'running')",
			 DB_ARGS(DB_TEXT(uuid)), &pending);
	if (r >= 0 && pending == 0) {
		time_now_iso(now);
		r = db_exec(req->db, "UPDATE clusters SET status = 'DELETE_IN_PROGRESS', "
				     "status_reason = NULL, updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_TEXT(now), DB_TEXT(uuid)));
		if (r >= 0)
			r = jobs_enqueue(req->db, uuid, JOB_DELETE, NULL);
		if (r >= 0)
			r = events_add(req->db, uuid, "delete-accepted", 0, "delete accepted");
	}
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "deleting the cluster");
	}
	log_info("delete of %s requested (was %s)", uuid, status);
	return api_reply_empty(req, 204);
}

static int
handle_resize(struct api_req *req)
{
	static const struct field_spec fields[] = {
		{ "node_count", FT_INT, F_MANDATORY, 0, 0, NULL, NULL, NULL },
		{ "nodes_to_remove", FT_LIST, 0, 0, 0, NULL, NULL, "[]" },
		{ "nodegroup", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	_cleanup_json_ json_t *body = NULL, *in = NULL, *row = NULL, *ng = NULL;
	_cleanup_free_ char *msg = NULL;
	const char *uuid, *ngid;
	int64_t count, min, max;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (fields_decode(fields, "resize", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = json_string_value(json_object_get(row, "uuid"));
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "cluster:resize");
	count = json_integer_value(json_object_get(in, "node_count"));
	if (count == 0 && req->minor < 10)
		return api_reply_error(req, 400, "Resizing a nodegroup to zero is not supported in "
				       "the provided microversion.");
	{
		json_t *tmp = json_integer(count);
		r = count_cap(req, "node_count", tmp);
		json_decref(tmp);
		if (r < 0)
			return 0;
	}
	ngid = json_string_value(json_object_get(in, "nodegroup"));
	if (ngid)
		r = db_row_get(req->db, &db_t_nodegroups, NULL,
			       "cluster_id = ? AND (uuid = ? OR name = ? OR CAST(id AS TEXT) = ?)",
			       DB_ARGS(DB_TEXT(uuid), DB_TEXT(ngid), DB_TEXT(ngid), DB_TEXT(ngid)),
			       &ng);
	else
		r = default_worker(req, uuid, &ng);
	if (r == -ENOENT)
		return api_reply_error(req, 404, "Nodegroup %s could not be found.",
				       ngid ? ngid : "default-worker");
	if (r < 0)
		return api_reply_internal(req, r, "nodegroup lookup");
	if (streq(strempty(json_string_value(json_object_get(ng, "role"))), "master"))
		return api_reply_error(req, 400, "Resizing the master nodegroup is not supported "
				       "by this driver.");
	min = json_integer_value(json_object_get(ng, "min_node_count"));
	max = json_integer_value(json_object_get(ng, "max_node_count"));
	if (count < min || (max > 0 && count > max))
		return api_reply_error(req, 400, "Resizing %s outside the allowed range: "
				       "min_node_count = %lld, max_node_count = %lld",
				       json_string_value(json_object_get(ng, "name")), (long long)min,
				       (long long)max);
	if (start_resize(req, row, json_string_value(json_object_get(ng, "uuid")), count, NULL) < 0)
		return 0;
	return api_reply_json(req, 202, json_pack("{s:s}", "uuid", uuid));
}

static int
handle_upgrade(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL, *tmpl = NULL, *payload = NULL;
	const char *uuid, *status, *t;
	int r;

	if (req->minor < 8)
		return api_reply_error(req, 400, "Cluster upgrade is not supported in the provided "
				       "microversion.");
	if (api_body_json(req, &body) < 0)
		return 0;
	t = json_string_value(json_object_get(body, "cluster_template"));
	if (t == NULL)
		return api_reply_error(req, 400, "Invalid input for field/attribute "
				       "cluster_template. Value: 'None'. Mandatory field missing.");
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = json_string_value(json_object_get(row, "uuid"));
	status = json_string_value(json_object_get(row, "status"));
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, "cluster:upgrade");
	if (api_lookup_template(req, t, false, &tmpl) < 0)
		return 0;
	r = jobs_active(req->db, uuid);
	if (r < 0)
		return api_reply_internal(req, r, "job lookup");
	if (!cluster_status_stable(status) || r > 0)
		return api_reply_error(req, 400, "Upgrading a cluster when status is \"%s\" is not "
				       "supported.", status);
	payload = json_pack("{s:O}", "cluster_template", json_object_get(tmpl, "uuid"));
	r = db_begin(req->db);
	if (r >= 0)
		r = db_exec(req->db, "UPDATE clusters SET status = 'UPDATE_IN_PROGRESS' WHERE "
				     "uuid = ?", DB_ARGS(DB_TEXT(uuid)));
	if (r >= 0)
		r = jobs_enqueue(req->db, uuid, JOB_UPDATE, payload);
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "upgrading the cluster");
	}
	return api_reply_json(req, 202, json_pack("{s:s}", "uuid", uuid));
}

#define ROUTES(coll, era)									\
	{ "GET", "/v1/" coll, handle_list, era, 0, "get_all", 0 },				\
	{ "GET", "/v1/" coll "/detail", handle_list, era, 0, "detail", 0 },			\
	{ "GET", "/v1/" coll "/{}/detail", api_handle_not_found, era, 0, "get_one", 0 },		\
	{ "GET", "/v1/" coll "/{}/events", handle_events, era, 0, "get_one", 0 },		\
	{ "GET", "/v1/" coll "/{}", handle_show, era, 0, "get_one", 0 },			\
	{ "POST", "/v1/" coll, handle_create, era, 0, "post", 0 },				\
	{ "PATCH", "/v1/" coll "/{}", handle_update, era, 0, "patch", 0 },			\
	{ "DELETE", "/v1/" coll "/{}", handle_delete, era, 0, "delete", 0 }

const struct route v1_cluster_routes[] = {
	ROUTES("bays", ERA_BAY),
	ROUTES("clusters", ERA_CLUSTER),
	{ "POST", "/v1/clusters/{}/actions/resize", handle_resize, ERA_CLUSTER, 7, "resize", 0 },
	{ "POST", "/v1/clusters/{}/actions/upgrade", handle_upgrade, ERA_CLUSTER, 7, "upgrade", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
