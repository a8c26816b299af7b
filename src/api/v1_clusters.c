/*
 * v1_clusters.c - bays (bay era) and clusters (cluster era): one set of rows,
 * two views. Create, update, resize, upgrade and delete write the row(s) and
 * a durable job in one transaction; the conductor does the rest. State
 * refusals that Magnum's conductor only logs are answered here (400).
 * Spec: bay doc §1.6, §2.7, §3; cluster doc §1.3, §2.3, §2.4, §3.3.
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
#include "drivers/driver.h"
#include "db/table.h"

#define NAME_PATTERN "^[a-zA-Z][a-zA-Z0-9_.-]*$"
#define IGN(n) { n, FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL }
#define RO(n) { n, FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL }
#define END { NULL, 0, 0, 0, 0, NULL, NULL, NULL }

static const char ZERO_NODES[] =
	"Resizing a nodegroup to zero is not supported in the provided microversion.";

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
	END,
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
	/* Bug 7 fixed: health fields are the monitor's, not the creator's. */
	IGN("uuid"), IGN("status"), IGN("status_reason"), IGN("health_status"),
	IGN("health_status_reason"), IGN("labels_overridden"), IGN("labels_added"),
	IGN("labels_skipped"), IGN("faults"),
	RO("links"), RO("stack_id"), RO("cluster_id"), RO("api_address"), RO("coe_version"),
	RO("container_version"), RO("node_addresses"), RO("master_addresses"), RO("project_id"),
	RO("user_id"), RO("created_at"), RO("updated_at"),
	END,
};

static const char *
rule(const struct api_req *req, const char *action)
{
	static __thread char buf[64];

	snprintf(buf, sizeof(buf), "%s:%s", req->era == ERA_BAY ? "bay" : "cluster", action);
	return buf;
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool
is_url(const char *s)
{
	const char *rest;

	if (strncasecmp(s, "http://", 7) == 0)
		rest = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		rest = s + 8;
	else
		return false;
	if (*rest == '\0' || *rest == '/')
		return false;
	for (; *rest; rest++)
		if (*rest <= ' ' || *rest == 0x7f)
			return false;
	return true;
}

static bool
is_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Load a row by uuid with the computed columns. */
static int
cluster_get(struct api_req *req, const char *uuid, json_t **ret)
{
	return db_row_get(req->db, &db_t_clusters_read, api_cluster_select_extra, "uuid = ?",
			  DB_ARGS(DB_TEXT(uuid)), ret);
}

static int
reply_accepted(struct api_req *req, const char *uuid)
{
	return api_reply_json(req, 202, json_pack("{s:s}", "uuid", uuid));
}

/* The columns a list may be sorted by: the stored ones plus the two counts. */
static const char *const *
sort_keys(void)
{
	static const char *keys[64];

	if (keys[0] == NULL) {
		size_t n = 0;
		for (size_t i = 0; i < db_t_clusters_read.ncols && n < 63; i++) {
			const char *c = db_t_clusters_read.cols[i].name;
			if (!streq(c, "node_addresses") && !streq(c, "master_addresses"))
				keys[n++] = c;
		}
	}
	return keys;
}

static int
handle_list(struct api_req *req)
{
	static const char *const args[] = { "limit", "marker", "sort_key", "sort_dir", NULL };
	const struct era_names *en = era_names(req->era);
	bool detail = strstr(req->path, "/detail") != NULL;
	_cleanup_json_ json_t *rows = NULL;
	struct api_page pg;
	struct db_param p[2];
	json_t *items, *env, *row;
	char base[64];
	size_t n, i;
	int r;

	if (api_query_only(req, args) < 0 || api_page_parse(req, sort_keys(), &pg) < 0)
		return 0;
	if (!req->id.is_reader)
		return api_reply_policy(req, rule(req, detail ? "detail" : "get_all"));
	n = api_visible_params(req, p);
	snprintf(base, sizeof(base), "/v1/%s%s", en->cl_coll, detail ? "/detail" : "");
	if (!detail) {	/* the plain list, straight from the rows (detail reads more per row) */
		struct cluster_list cl = { .req = req, .out.sb = STRBUF_INIT };

		return api_reply_list_text(req, &(struct api_list_query){
			.gen_table = "clusters", .table = &db_t_clusters_read,
			.extra = api_cluster_select_extra, .where = api_cluster_visible_sql(req),
			.p = p, .n = n, .coll = en->cl_coll, .title = en->cl_title, .base = base,
			.item_bytes = 640 }, &pg, cluster_list_write, &cl, &cl.out);
	}
	r = api_list_page(req, &db_t_clusters_read, api_cluster_select_extra,
			  api_cluster_visible_sql(req), p, n, &pg, &rows);
	if (r == -ENOENT)
		return api_reply_error(req, 404, "%s %s could not be found.", en->cl_title,
				       pg.marker);
	if (r < 0)
		return api_reply_internal(req, r, "listing clusters");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, cluster_view(req, row, FORM_DETAIL));
	env = json_pack("{s:o}", en->cl_coll, items);
	api_page_next(req, &pg, env, base, items);
	return api_reply_json(req, 200, env);
}

/* Lookup + read policy shared by show and events; replies on failure. */
static int
lookup_readable(struct api_req *req, json_t **ret)
{
	_cleanup_json_ json_t *row = NULL;

	if (api_query_only(req, NULL) < 0)
		return -EINVAL;
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return -ENOENT;
	if (!policy_can_read(req, str(row, "project_id"))) {
		api_reply_policy(req, rule(req, "get"));
		return -EACCES;
	}
	*ret = TAKE_PTR(row);
	return 0;
}

static int
handle_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (lookup_readable(req, &row) < 0)
		return 0;
	return api_reply_json(req, 200, cluster_view(req, row, FORM_SHOW));
}

static int
handle_events(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL, *events = NULL;
	int r;

	if (lookup_readable(req, &row) < 0)
		return 0;
	r = events_list(req->db, str(row, "uuid"), &events);
	if (r < 0)
		return api_reply_internal(req, r, "listing events");
	return api_reply_json(req, 200, json_pack("{s:O}", "events", events));
}

/* [bay] max_node_count caps every count a caller asks for. */
static int
count_cap(struct api_req *req, const char *field, int64_t v)
{
	int64_t max = conf_int("bay", "max_node_count");

	if (v > max) {
		api_reply_error(req, 400, "Invalid input for field/attribute %s. Value: '%lld'. "
				"Value should be lower or equal to %lld", field, (long long)v,
				(long long)max);
		return -EINVAL;
	}
	return 0;
}

/* The project's cluster quota; call inside the creating transaction. */
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

/*
 * The template a new cluster names: a uuid or name among the templates the
 * caller sees, or (cluster era) an integer id. Not found is a 400 on this
 * route at every version (decision of cluster doc §8 item 2).
 */
static int
find_template(struct api_req *req, const char *ident, json_t **ret)
{
	const struct era_names *en = era_names(req->era);
	struct db_param p[3];
	char where[256];
	size_t n;
	int r;

	r = api_lookup_template(req, ident, true, ret);
	if (r == -ENOENT && req->era == ERA_CLUSTER && is_digits(ident)) {
		n = api_visible_params(req, p);
		p[n++] = DB_TEXT(ident);
		snprintf(where, sizeof(where), "%s AND CAST(id AS TEXT) = ?",
			 api_template_visible_sql(req));
		r = db_row_get(req->db, &db_t_cluster_templates, NULL, where, p, n, ret);
		if (r < 0 && r != -ENOENT)
			r = -EIO;
	}
	if (r == -ENOENT)
		api_reply_error(req, 400, "%s %s could not be found.", en->tmpl_title, ident);
	else if (r == -EEXIST && req->era == ERA_BAY)
		api_reply_error(req, 409, "Multiple baymodels exist with same name. Please use the "
				"baymodel uuid instead.");
	else if (r == -EEXIST)
		api_reply_error(req, 409, "Multiple ClusterTemplates exist with same name. Please "
				"use the ClusterTemplate uuid instead.");
	else if (r < 0)
		api_reply_internal(req, r, "template lookup");
	return r;
}

static json_t *
nodegroup_row(const char *cluster, const char *project, const char *name, const char *role,
	      int64_t count, json_t *flavor, json_t *image, json_t *labels, json_t *dvs,
	      const char *now)
{
	char uuid[UUID_STR_LEN];

	uuid_new(uuid);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:O?, s:O?, s:O?, s:O?, s:b, s:i, "
			 "s:s, s:s}", "uuid", uuid, "name", name, "cluster_id", cluster,
			 "project_id", project, "role", role, "node_count", (json_int_t)count,
			 "flavor_id", flavor, "image_id", image, "labels", labels,
			 "docker_volume_size", dvs, "is_default", 1, "min_node_count", 0, "status",
			 "CREATE_IN_PROGRESS", "created_at", now);
}

/* a unless it is absent, null or "" ; else b (or null). Borrowed. */
static json_t *
first_set(json_t *a, json_t *b)
{
	if (a && !json_is_null(a) && !(json_is_string(a) && json_string_length(a) == 0))
		return a;
	return b ? b : json_null();
}

/* a unless it is absent; else b (or null). Borrowed. */
static json_t *
given_or(json_t *a, json_t *b)
{
	return a ? a : (b ? b : json_null());
}

/* Labels of a new cluster: the template's unless given; merged on request (§2.3.2 step 8). */
static json_t *
cluster_labels(json_t *in, json_t *tmpl)
{
	json_t *v = json_object_get(in, "labels"), *m;

	if (v == NULL || json_is_null(v) || (json_is_object(v) && json_object_size(v) == 0))
		return json_incref(json_object_get(tmpl, "labels"));
	if (!json_is_true(json_object_get(in, "merge_labels")) || !json_is_object(v))
		return json_incref(v);
	m = json_is_object(json_object_get(tmpl, "labels")) ?
		    json_deep_copy(json_object_get(tmpl, "labels")) : json_object();
	if (m)
		json_object_update(m, v);
	return m;
}

static int
handle_create(struct api_req *req)
{
	const struct era_names *en = era_names(req->era);
	bool bay = req->era == ERA_BAY;
	_cleanup_json_ json_t *body = NULL, *in = NULL, *tmpl = NULL, *row = NULL, *labels = NULL;
	_cleanup_json_ json_t *ng1 = NULL, *ng2 = NULL, *kp = NULL, *fresh = NULL, *res = NULL;
	_cleanup_json_ json_t *given = NULL, *name = NULL;
	_cleanup_free_ char *msg = NULL, *lmsg = NULL, *rname = NULL;
	char uuid[UUID_STR_LEN], now[TIMESTAMP_LEN], loc[512];
	const char *keypair, *v, *refusal;
	int64_t nodes, masters, timeout, dvs;
	json_t *lb;
	struct tmpl_err e;
	int r;

	if (api_query_only(req, NULL) < 0 || api_body_json(req, &body) < 0)
		return 0;
	r = fields_decode(bay ? bay_fields : cluster_fields, en->cl_arg, body, &in, &msg);
	if (r < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (!req->id.is_member)
		return api_reply_policy(req, rule(req, "create"));
	/* null counts mean the defaults. */
	nodes = json_is_integer(json_object_get(in, "node_count")) ?
			json_integer_value(json_object_get(in, "node_count")) : 1;
	masters = json_is_integer(json_object_get(in, "master_count")) ?
			  json_integer_value(json_object_get(in, "master_count")) : 1;
	if (!bay && nodes == 0 && req->minor < 10)
		return api_reply_error(req, 400, "%s", ZERO_NODES);
	if (count_cap(req, "node_count", nodes) < 0 || count_cap(req, "master_count", masters) < 0)
		return 0;
	v = str(in, "discovery_url");
	if (v && !is_url(v))
		return api_reply_error(req, 400, "Invalid input for field/attribute discovery_url. "
				       "Value: '%s'. Value should be an http:// or https:// URL",
				       v);
	if (find_template(req, str(in, en->tmpl_ref), &tmpl) < 0)
		return 0;
	if (!bay) {
		dvs = json_integer_value(first_set(json_object_get(in, "docker_volume_size"),
						   json_object_get(tmpl, "docker_volume_size")));
		if (streq_ptr(str(tmpl, "docker_storage_driver"), "devicemapper") && dvs &&
		    dvs < 3)
			return api_reply_error(req, 400, "docker volume size %lld GB is not valid, "
					       "expecting minimum value 3GB for devicemapper "
					       "storage driver.", (long long)dvs);
		if (masters % 2 == 0)
			return api_reply_error(req, 400, "master nodegroup size of %lld is "
					       "invalid, size cannot be an even number.",
					       (long long)masters);
	}
	if (json_is_true(json_object_get(tmpl, "hidden")) && !req->id.is_admin)
		return api_reply_error(req, 403, "Not authorized.");

	/* The catalogue, as this caller sees it: the cluster's flavors over the template's. */
	res = json_deep_copy(tmpl);
	if (res == NULL)
		return api_reply_internal(req, -ENOMEM, "checking resources");
	if (!bay) {
		json_object_set(res, "flavor_id", first_set(json_object_get(in, "flavor_id"),
							    json_object_get(tmpl, "flavor_id")));
		json_object_set(res, "master_flavor_id",
				first_set(json_object_get(in, "master_flavor_id"),
					  json_object_get(tmpl, "master_flavor_id")));
	}
	if (template_check_resources(req, res, false, &e) < 0)
		return api_reply_error(req, e.status, "%s", e.msg);
	keypair = bay ? str(tmpl, "keypair_id") :
			json_string_value(first_set(json_object_get(in, "keypair"),
						    json_object_get(tmpl, "keypair_id")));
	if (keypair) {
		r = res_keypair_find(req->db, keypair, req->id.user_id, &kp);
		if (r == -ENOENT)
			return api_reply_error(req, 404, "Unable to find keypair %s.", keypair);
		if (r < 0)
			return api_reply_internal(req, r, "keypair lookup");
	}
	lb = given_or(json_object_get(in, "master_lb_enabled"),
		      json_object_get(tmpl, "master_lb_enabled"));
	if (masters > 1 && !json_is_true(lb))
		return api_reply_error(req, 400, "master_count must be 1 when master_lb_enabled is "
				       "False");
	given = cluster_labels(in, tmpl);
	if (labels_validate(given, str(tmpl, "coe"), (size_t)conf_int("bay", "max_labels"),
			    &labels, &lmsg) < 0)
		return api_reply_error(req, 400, "%s", lmsg ? lmsg : "Invalid labels");
	refusal = driver_refusal(str(tmpl, "coe"), tmpl);
	if (refusal)
		return api_reply_error(req, 400, "%s", refusal);

	timeout = json_integer_value(json_object_get(in, bay ? "bay_create_timeout" :
							      "create_timeout"));
	if (timeout == 0)
		timeout = conf_int("bay", "bay_create_timeout");
	if (json_is_string(json_object_get(in, "name"))) {
		name = json_incref(json_object_get(in, "name"));
	} else {
		rname = random_name(bay ? "bay" : "cluster");
		name = rname ? json_string(rname) : NULL;
	}
	uuid_new(uuid);
	time_now_iso(now);
	row = json_pack("{s:s, s:O, s:s, s:s, s:O, s:s?, s:O, s:O, s:O, s:O, s:I, s:O, s:s, "
			"s:O, s:O, s:O, s:O, s:s}",
			"uuid", uuid, "name", name, "project_id", req->id.project_id,
			"user_id", req->id.user_id,
			"cluster_template_id", json_object_get(tmpl, "uuid"),
			"keypair", keypair,
			"docker_volume_size",
			first_set(json_object_get(in, "docker_volume_size"),
				  json_object_get(tmpl, "docker_volume_size")),
			"labels", labels,
			"master_flavor_id", json_object_get(res, "master_flavor_id"),
			"flavor_id", json_object_get(res, "flavor_id"),
			"create_timeout", (json_int_t)timeout,
			"discovery_url", given_or(json_object_get(in, "discovery_url"), NULL),
			"status", "CREATE_IN_PROGRESS",
			"fixed_network", first_set(json_object_get(in, "fixed_network"),
						   json_object_get(tmpl, "fixed_network")),
			"fixed_subnet", first_set(json_object_get(in, "fixed_subnet"),
						  json_object_get(tmpl, "fixed_subnet")),
			"floating_ip_enabled",
			given_or(json_object_get(in, "floating_ip_enabled"),
				 json_object_get(tmpl, "floating_ip_enabled")),
			"master_lb_enabled", json_is_true(lb) ? json_true() : json_false(),
			"created_at", now);
	if (row == NULL)
		return api_reply_internal(req, -ENOMEM, "building the cluster");
	/* node_count and master_count live in the two default groups. */
	ng1 = nodegroup_row(uuid, req->id.project_id, "default-master", "master", masters,
			    json_object_get(row, "master_flavor_id"),
			    json_object_get(tmpl, "image_id"), labels,
			    json_object_get(row, "docker_volume_size"), now);
	ng2 = nodegroup_row(uuid, req->id.project_id, "default-worker", "worker", nodes,
			    json_object_get(row, "flavor_id"), json_object_get(tmpl, "image_id"),
			    labels, json_object_get(row, "docker_volume_size"), now);
	if (ng1 == NULL || ng2 == NULL)
		return api_reply_internal(req, -ENOMEM, "building the nodegroups");
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
			       "create accepted; queued for a conductor");
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "creating the cluster");
	}
	log_info("%s %s (%s) created in project %s", en->cl_lower, uuid, json_string_value(name),
		 req->id.project_id);
	if (!bay || req->minor >= 2)
		return reply_accepted(req, uuid);
	r = cluster_get(req, uuid, &fresh);
	if (r < 0)
		return api_reply_internal(req, r, "reading the bay back");
	snprintf(loc, sizeof(loc), "%s/v1/bays/%s", req->host_url, uuid);
	api_set_header(req, "Location", loc);
	return api_reply_json(req, 201, cluster_view(req, fresh, FORM_SHOW));
}

/*
 * May an operation start? Not while a job of the cluster is pending or
 * running, and only from a stable status (plus UPDATE_FAILED and
 * UPDATE_IN_PROGRESS when also_updating). Replies 400 "<what> when ...
 * status is "<S>" is not supported." and returns -EBUSY when not.
 */
static int
check_state(struct api_req *req, json_t *row, const char *what, bool also_updating)
{
	const char *status = str(row, "status");
	int r;

	r = jobs_active(req->db, str(row, "uuid"));
	if (r < 0)
		return api_reply_internal(req, r, "job lookup"), r;
	if (r == 0 && (cluster_status_stable(status) ||
		       (also_updating && (streq_ptr(status, "UPDATE_FAILED") ||
					  streq_ptr(status, "UPDATE_IN_PROGRESS")))))
		return 0;
	if (req->era == ERA_BAY)
		api_reply_error(req, 400, "%s a bay when stack status is \"%s\" is not supported.",
				what, strempty(status));
	else
		api_reply_error(req, 400, "%s a cluster when status is \"%s\" is not supported.",
				what, strempty(status));
	return -EBUSY;
}

/*
 * Write a node count change of one group: the group's new count, group and
 * cluster UPDATE_IN_PROGRESS (plus extra cluster changes), a JOB_UPDATE with
 * payload and an event, in one transaction. Replies 500 on failure.
 */
static int
write_count_change(struct api_req *req, const char *uuid, const char *ng_uuid, int64_t count,
		   json_t *extra_changes, json_t *payload, const char *event)
{
	_cleanup_json_ json_t *ch = NULL;
	char now[TIMESTAMP_LEN];
	int r;

	time_now_iso(now);
	ch = extra_changes ? json_deep_copy(extra_changes) : json_object();
	if (ch == NULL)
		return api_reply_internal(req, -ENOMEM, "updating the cluster"), -ENOMEM;
	json_object_set_new(ch, "status", json_string("UPDATE_IN_PROGRESS"));
	json_object_set_new(ch, "status_reason", json_null());
	json_object_set_new(ch, "updated_at", json_string(now));
	r = db_begin(req->db);
	if (r >= 0 && ng_uuid)
		r = db_exec(req->db, "UPDATE nodegroups SET node_count = ?, status = "
				     "'UPDATE_IN_PROGRESS', updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_INT(count), DB_TEXT(now), DB_TEXT(ng_uuid)));
	if (r >= 0)
		r = db_row_update(req->db, &db_t_clusters, "uuid", uuid, ch);
	if (r >= 0)
		r = jobs_enqueue(req->db, uuid, JOB_UPDATE, payload);
	if (r >= 0)
		r = events_add(req->db, uuid, "update-accepted", 0, event);
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

/* Does the patch touch /node_count? */
static bool
patch_touches(json_t *patch, const char *path)
{
	json_t *op;
	size_t i;

	json_array_foreach(patch, i, op)
		if (streq_ptr(str(op, "path"), path))
			return true;
	return false;
}

/* Query of a PATCH: nothing in the bay era; ?rollback=<bool> from cluster 1.3. */
static int
check_patch_query(struct api_req *req)
{
	static const char *const rollback[] = { "rollback", NULL };
	const char *v = api_query(req, "rollback");
	bool b;

	if (api_query_only(req, req->era == ERA_CLUSTER && req->minor >= 3 ? rollback : NULL) < 0)
		return -EINVAL;
	if (v && parse_bool(v, &b) < 0) {
		api_reply_error(req, 400, "Invalid input for field/attribute rollback. "
				"Value: '%s'. Wrong type. Expected '<class 'bool'>', got "
				"'<class 'str'>'", v);
		return -EINVAL;
	}
	return 0;
}

static int
check_health(struct api_req *req, json_t *changes)
{
	static const char *const health[] = { "HEALTHY", "UNHEALTHY", "UNKNOWN", NULL };
	static const struct field_spec reason = {
		"health_status_reason", FT_DICT, 0, 0, 0, NULL, NULL, NULL,
	};
	json_t *v = json_object_get(changes, "health_status"), *nv = NULL;
	_cleanup_free_ char *msg = NULL, *pv = NULL;

	if (v && !json_is_null(v)) {
		for (size_t i = 0; health[i]; i++)
			if (json_is_string(v) && streq(health[i], json_string_value(v)))
				goto reason;
		pv = fields_py_str(v);
		api_reply_error(req, 400, "Invalid input for field/attribute health_status. Value: "
				"'%s'. Value should be one of: HEALTHY, UNHEALTHY, UNKNOWN",
				strempty(pv));
		return -EINVAL;
	}
reason:
	v = json_object_get(changes, "health_status_reason");
	if (v && !json_is_null(v)) {
		if (fields_check_value(&reason, v, &nv, &msg) < 0) {
			api_reply_error(req, 400, "%s", msg ? msg : "Invalid health_status_reason");
			return -EINVAL;
		}
		json_object_set_new(changes, "health_status_reason", nv);
	}
	return 0;
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
	bool bay = req->era == ERA_BAY;
	_cleanup_json_ json_t *patch = NULL, *row = NULL, *cur = NULL, *patched = NULL;
	_cleanup_json_ json_t *defaults = NULL, *worker = NULL, *fresh = NULL, *payload = NULL;
	_cleanup_json_ json_t *health_ch = json_object();
	_cleanup_free_ char *msg = NULL;
	struct strbuf bad = STRBUF_INIT;
	struct patch_rules rules;
	const char *uuid, *k;
	int64_t count, old_total, old_default, new_default;
	bool count_change = false;
	json_t *v;
	int nbad = 0, r;

	if (check_patch_query(req) < 0 || api_body_json(req, &patch) < 0)
		return 0;
	defaults = json_pack("{s:i}", "node_count", 1);
	rules = (struct patch_rules){
		.internal = bay ? bay_internal : cl_internal,
		.mandatory = bay ? bay_mandatory : cl_mandatory,
		.dict_paths = dicts,
		.allow_falsy = !bay,
		.defaults = defaults,
	};
	if (!json_is_array(patch)) {
		/* The body is checked before the lookup, as wsme does. */
		_cleanup_json_ json_t *empty = json_object(), *out = NULL;
		if (patch_apply(empty, patch, &rules, &out, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	}
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = str(row, "uuid");
	if (!policy_can_write(req, str(row, "project_id")))
		return api_reply_policy(req, rule(req, "update"));
	cur = cluster_view(req, row, FORM_DETAIL);
	if (cur == NULL)
		return api_reply_internal(req, -ENOMEM, "updating the cluster");
	json_object_del(cur, "links");
	r = patch_apply(cur, patch, &rules, &patched, &msg);
	if (r < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	json_object_foreach(patched, k, v) {
		json_t *old = json_object_get(cur, k);
		if ((old && json_equal(old, v)) || (old == NULL && json_is_null(v)) ||
		    streq(k, "node_count"))
			continue;
		if (!bay && (streq(k, "health_status") || streq(k, "health_status_reason"))) {
			json_object_set(health_ch, k, v);
			continue;
		}
		strbuf_printf(&bad, "%s%s", nbad++ ? ", " : "", k);
	}
	json_object_foreach(cur, k, v)
		if (json_object_get(patched, k) == NULL && !json_is_null(v))
			strbuf_printf(&bad, "%s%s", nbad++ ? ", " : "", k);
	if (nbad) {
		api_reply_error(req, 400, "cannot change %s property(ies) %s.", bay ? "bay" :
				"cluster", bad.buf);
		strbuf_free(&bad);
		return 0;
	}
	strbuf_free(&bad);
	if (check_health(req, health_ch) < 0)
		return 0;
	old_total = json_integer_value(json_object_get(cur, "node_count"));
	count = old_total;
	if (patch_touches(patch, "/node_count")) {
		const struct field_spec nc = { "node_count", FT_INT, 0, bay ? 1 : 0, 0, NULL, NULL,
					       NULL };
		json_t *nv = NULL;
		free(msg);
		msg = NULL;
		if (fields_check_value(&nc, json_object_get(patched, "node_count"), &nv, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid node_count");
		count = json_integer_value(nv);
		json_decref(nv);
		if (!bay && count == 0 && req->minor < 10)
			return api_reply_error(req, 400, "%s", ZERO_NODES);
		if (count_cap(req, "node_count", count) < 0)
			return 0;
		count_change = count != old_total;
	}
	/* Magnum's conductor refuses any update outside a stable state (bay doc §3.4). */
	if (check_state(req, row, "Updating", false) < 0)
		return 0;
	if (count_change) {
		/*
		 * node_count is the sum over the worker groups; the change goes to
		 * default-worker so that the sum becomes what was asked (bug 16).
		 */
		r = default_worker(req, uuid, &worker);
		if (r < 0)
			return api_reply_internal(req, r, "nodegroup lookup");
		old_default = json_integer_value(json_object_get(worker, "node_count"));
		new_default = count - (old_total - old_default);
		if (new_default < 0)
			return api_reply_error(req, 400, "Invalid input for field/attribute "
					       "node_count. Value: '%lld'. Value should be greater "
					       "or equal to %lld", (long long)count,
					       (long long)(old_total - old_default));
		if (!bay && new_default == 0 && req->minor < 10)
			return api_reply_error(req, 400, "%s", ZERO_NODES);
		payload = json_pack("{s:s, s:O, s:{s:I, s:I}}", "action", "update", "nodegroup",
				    json_object_get(worker, "uuid"), "node_count", "old",
				    (json_int_t)old_default, "new", (json_int_t)new_default);
		if (api_query(req, "rollback")) {
			bool rb = false;
			(void)parse_bool(api_query(req, "rollback"), &rb);
			json_object_set_new(payload, "rollback", json_boolean(rb));
		}
		if (write_count_change(req, uuid, str(worker, "uuid"), new_default, health_ch,
				       payload, "node count change accepted") < 0)
			return 0;
		log_info("%s %s: node_count %lld -> %lld", bay ? "bay" : "cluster", uuid,
			 (long long)old_total, (long long)count);
	} else if (json_object_size(health_ch) > 0) {
		char now[TIMESTAMP_LEN];
		time_now_iso(now);
		json_object_set_new(health_ch, "updated_at", json_string(now));
		r = db_row_update(req->db, &db_t_clusters, "uuid", uuid, health_ch);
		if (r < 0)
			return api_reply_internal(req, r, "updating health");
	}
	if (!bay || req->minor >= 2)
		return reply_accepted(req, uuid);
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

	if (api_query_only(req, NULL) < 0)
		return 0;
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = str(row, "uuid");
	status = str(row, "status");
	if (!policy_can_write(req, str(row, "project_id")))
		return api_reply_policy(req, rule(req, "delete"));
	r = db_begin(req->db);
	if (r < 0)
		return api_reply_internal(req, r, "deleting the cluster");
	/* A delete already under way is enough: a second one is harmless. */
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
	log_info("delete of %s requested (was %s)", uuid, strempty(status));
	return api_reply_empty(req, 204);
}

/* The group an action names (uuid, name or id), or the default worker group. */
static int
action_nodegroup(struct api_req *req, const char *cluster, const char *ident, json_t **ret)
{
	int r;

	if (ident)
		return nodegroup_lookup(req, cluster, ident, ret);
	r = default_worker(req, cluster, ret);
	if (r == -ENOENT)
		api_reply_error(req, 404, "Nodegroup default-worker could not be found.");
	else if (r < 0)
		api_reply_internal(req, r, "nodegroup lookup");
	return r;
}

static int
handle_resize(struct api_req *req)
{
	static const struct field_spec fields[] = {
		{ "node_count", FT_INT, F_MANDATORY, 0, 0, NULL, NULL, NULL },
		{ "nodes_to_remove", FT_LIST, 0, 0, 0, NULL, NULL, "[]" },
		{ "nodegroup", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
		END,
	};
	_cleanup_json_ json_t *body = NULL, *in = NULL, *row = NULL, *ng = NULL, *payload = NULL;
	_cleanup_free_ char *msg = NULL;
	char maxs[32];
	const char *uuid;
	int64_t count, min;
	json_t *max;

	if (api_query_only(req, NULL) < 0 || api_body_json(req, &body) < 0)
		return 0;
	if (fields_decode(fields, "cluster_resize_req", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = str(row, "uuid");
	if (!policy_can_write(req, str(row, "project_id")))
		return api_reply_policy(req, "cluster:resize");
	count = json_integer_value(json_object_get(in, "node_count"));
	if (count == 0 && req->minor < 10)
		return api_reply_error(req, 400, "%s", ZERO_NODES);
	if (count_cap(req, "node_count", count) < 0)
		return 0;
	if (action_nodegroup(req, uuid, str(in, "nodegroup"), &ng) < 0)
		return 0;
	if (streq_ptr(str(ng, "role"), "master"))
		return api_reply_error(req, 400, "Resizing the master nodegroup is not supported "
				       "by this driver.");
	min = json_integer_value(json_object_get(ng, "min_node_count"));
	max = json_object_get(ng, "max_node_count");
	if (count < min || (json_integer_value(max) > 0 && count > json_integer_value(max))) {
		if (json_is_integer(max))
			snprintf(maxs, sizeof(maxs), "%lld", (long long)json_integer_value(max));
		else
			snprintf(maxs, sizeof(maxs), "None");
		return api_reply_error(req, 400, "Resizing %s outside the allowed range: "
				       "min_node_count = %lld, max_node_count = %s",
				       strempty(str(ng, "name")), (long long)min, maxs);
	}
	if (check_state(req, row, "Resizing", true) < 0)
		return 0;
	payload = json_pack("{s:s, s:O, s:{s:O, s:I}, s:O}", "action", "resize", "nodegroup",
			    json_object_get(ng, "uuid"),
			    "node_count", "old", json_object_get(ng, "node_count"), "new",
			    (json_int_t)count, "nodes_to_remove",
			    json_object_get(in, "nodes_to_remove"));
	if (write_count_change(req, uuid, str(ng, "uuid"), count, NULL, payload,
			       "resize accepted") < 0)
		return 0;
	log_info("cluster %s: nodegroup %s resized to %lld", uuid, strempty(str(ng, "name")),
		 (long long)count);
	return reply_accepted(req, uuid);
}

static int
handle_upgrade(struct api_req *req)
{
	static const struct field_spec fields[] = {
		{ "cluster_template", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
		{ "max_batch_size", FT_INT, 0, 1, 0, NULL, NULL, "1" },
		{ "nodegroup", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
		END,
	};
	_cleanup_json_ json_t *body = NULL, *in = NULL, *row = NULL, *tmpl = NULL, *ng = NULL;
	_cleanup_json_ json_t *cur_tmpl = NULL, *payload = NULL;
	_cleanup_free_ char *msg = NULL;
	char now[TIMESTAMP_LEN];
	const char *uuid;
	int r;

	if (req->minor < 8)
		return api_reply_error(req, 400, "Cluster upgrade is not supported in the provided "
				       "microversion.");
	if (api_query_only(req, NULL) < 0 || api_body_json(req, &body) < 0)
		return 0;
	if (fields_decode(fields, "cluster_upgrade_req", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (api_lookup_cluster(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = str(row, "uuid");
	if (!policy_can_write(req, str(row, "project_id")))
		return api_reply_policy(req, "cluster:upgrade");
	if (api_lookup_template(req, str(in, "cluster_template"), false, &tmpl) < 0)
		return 0;
	if (action_nodegroup(req, uuid, str(in, "nodegroup"), &ng) < 0)
		return 0;
	if (!json_is_true(json_object_get(ng, "is_default")) &&
	    !streq_ptr(str(tmpl, "uuid"), str(row, "cluster_template_id"))) {
		(void)db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?",
				 DB_ARGS(DB_TEXT(str(row, "cluster_template_id"))), &cur_tmpl);
		return api_reply_error(req, 409, "Cluster Template is not valid for upgrade: "
				       "Nodegroup %s can be upgraded only to match cluster's "
				       "template (%s).", strempty(str(ng, "name")),
				       strempty(str(cur_tmpl, "name")));
	}
	if (check_state(req, row, "Upgrading", false) < 0)
		return 0;
	payload = json_pack("{s:s, s:O, s:O, s:O}", "action", "upgrade", "cluster_template",
			    json_object_get(tmpl, "uuid"),
			    "max_batch_size", given_or(json_object_get(in, "max_batch_size"), NULL),
			    "nodegroup", json_object_get(ng, "uuid"));
	time_now_iso(now);
	r = db_begin(req->db);
	if (r >= 0)
		r = db_exec(req->db, "UPDATE clusters SET status = 'UPDATE_IN_PROGRESS', "
				     "status_reason = NULL, updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_TEXT(now), DB_TEXT(uuid)));
	if (r >= 0)
		r = db_exec(req->db, "UPDATE nodegroups SET status = 'UPDATE_IN_PROGRESS', "
				     "updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_TEXT(now), DB_TEXT(str(ng, "uuid"))));
	if (r >= 0)
		r = jobs_enqueue(req->db, uuid, JOB_UPDATE, payload);
	if (r >= 0)
		r = events_add(req->db, uuid, "upgrade-accepted", 0, "upgrade accepted");
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "upgrading the cluster");
	}
	log_info("cluster %s: upgrade to template %s accepted", uuid, strempty(str(tmpl, "uuid")));
	return reply_accepted(req, uuid);
}

#define ROUTES(coll, era)									\
	{ "GET", "/v1/" coll, handle_list, era, 0, "get_all", 0 },				\
	{ "GET", "/v1/" coll "/detail", handle_list, era, 0, "detail", 0 },			\
	{ "GET", "/v1/" coll "/{}/detail", api_handle_not_found, era, 0, "get_one", 0 },	\
	{ "GET", "/v1/" coll "/{}/events", handle_events, era, 0, "get_one", 0 },		\
	{ "GET", "/v1/" coll "/{}", handle_show, era, 0, "get_one", 0 },			\
	{ "POST", "/v1/" coll, handle_create, era, 0, "post", 0 },				\
	{ "PATCH", "/v1/" coll "/{}", handle_update, era, 0, "patch", 0 },			\
	{ "DELETE", "/v1/" coll "/{}", handle_delete, era, 0, "delete", 0 }

const struct route v1_cluster_routes[] = {
	ROUTES("bays", ERA_BAY),
	ROUTES("clusters", ERA_CLUSTER),
	{ "POST", "/v1/clusters/{}/actions/resize", handle_resize, ERA_CLUSTER, 7, "resize", 0 },
	/* Exists at 1.7 only to answer 400 (cluster doc §1.3). */
	{ "POST", "/v1/clusters/{}/actions/upgrade", handle_upgrade, ERA_CLUSTER, 7, "upgrade", 0 },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
