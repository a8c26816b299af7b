/* cluster_view.c - bays (bay era) and clusters (cluster era) as the API shows them. */
#include <errno.h>
#include <string.h>

#include "api/clusters.h"
#include "api/lookup.h"
#include "common/cleanup.h"
#include "db/table.h"

bool
cluster_status_stable(const char *s)
{
	static const char *const stable[] = {
		"CREATE_COMPLETE", "UPDATE_COMPLETE", "RESUME_COMPLETE", "RESTORE_COMPLETE",
		"ROLLBACK_COMPLETE", "SNAPSHOT_COMPLETE", "CHECK_COMPLETE", "ADOPT_COMPLETE", NULL,
	};

	for (size_t i = 0; s && stable[i]; i++)
		if (streq(stable[i], s))
			return true;
	return false;
}

static bool
status_failed(const char *s)
{
	return s && strstr(s, "_FAILED") != NULL;
}

/* Concatenated node_addresses of the cluster's master or worker groups; null if none known. */
static json_t *
addresses(struct api_req *req, const char *uuid, bool masters)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *out = NULL, *row, *a, *v;
	size_t i, j;

	if (db_row_select(req->db, &db_t_nodegroups, NULL,
			  masters ? "cluster_id = ? AND role = 'master'" :
				    "cluster_id = ? AND role <> 'master'",
			  DB_ARGS(DB_TEXT(uuid)), "id", 0, &rows) < 0)
		return json_null();
	json_array_foreach(rows, i, row) {
		a = json_object_get(row, "node_addresses");
		if (!json_is_array(a))
			continue;
		if (out == NULL)
			out = json_array();
		json_array_foreach(a, j, v)
			json_array_append(out, v);
	}
	return out ? out : json_null();
}

/* Faults of a failed cluster: {nodegroup name: status_reason} of failed groups. */
static json_t *
faults(struct api_req *req, json_t *row)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *out = json_object(), *ng;
	size_t i;

	if (db_row_select(req->db, &db_t_nodegroups, NULL, "cluster_id = ?",
			  DB_ARGS(DB_TEXT(json_string_value(json_object_get(row, "uuid")))), "id",
			  0, &rows) < 0)
		return out;
	json_array_foreach(rows, i, ng)
		if (status_failed(json_string_value(json_object_get(ng, "status"))))
			json_object_set(out, json_string_value(json_object_get(ng, "name")),
					json_object_get(ng, "status_reason"));
	if (json_object_size(out) == 0 && json_is_string(json_object_get(row, "status_reason")))
		json_object_set(out, "cluster", json_object_get(row, "status_reason"));
	return out;
}

static void
copy(json_t *o, json_t *row, const char *from, const char *to)
{
	json_t *v = json_object_get(row, from);

	json_object_set(o, to, v ? v : json_null());
}

/* labels_overridden / added / skipped against the template's labels. */
static void
label_diff(struct api_req *req, json_t *o, json_t *row)
{
	_cleanup_json_ json_t *tmpl = NULL;
	json_t *over = json_object(), *added = json_object(), *skipped = json_object();
	json_t *cl = json_object_get(row, "labels"), *tl, *v;
	const char *k;

	if (db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?",
		       DB_ARGS(DB_TEXT(json_string_value(json_object_get(row, "cluster_template_id")))),
		       &tmpl) == 0) {
		tl = json_object_get(tmpl, "labels");
		json_object_foreach(cl, k, v) {
			json_t *t = json_object_get(tl, k);
			if (t == NULL)
				json_object_set(added, k, v);
			else if (!json_equal(t, v))
				json_object_set(over, k, t);
		}
		json_object_foreach(tl, k, v)
			if (json_object_get(cl, k) == NULL)
				json_object_set(skipped, k, v);
	}
	json_object_set_new(o, "labels_overridden", over);
	json_object_set_new(o, "labels_added", added);
	json_object_set_new(o, "labels_skipped", skipped);
}

json_t *
cluster_view(struct api_req *req, json_t *row, enum cluster_form form)
{
	const struct era_names *en = era_names(req->era);
	const char *uuid = json_string_value(json_object_get(row, "uuid"));
	const char *status = json_string_value(json_object_get(row, "status"));
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	copy(o, row, "uuid", "uuid");
	copy(o, row, "name", "name");
	if (req->era == ERA_BAY) {
		copy(o, row, "cluster_template_id", "baymodel_id");
		copy(o, row, "node_count", "node_count");
		copy(o, row, "master_count", "master_count");
		copy(o, row, "status", "status");
		copy(o, row, "create_timeout", "bay_create_timeout");
		copy(o, row, "stack_id", "stack_id");
		json_object_set_new(o, "links", api_links(req, en->cl_coll, uuid));
		if (form == FORM_LIST)
			return o;
		copy(o, row, "discovery_url", "discovery_url");
		copy(o, row, "status_reason", "status_reason");
		copy(o, row, "api_address", "api_address");
		json_object_set_new(o, "node_addresses", addresses(req, uuid, false));
		json_object_set_new(o, "master_addresses", addresses(req, uuid, true));
		copy(o, row, "created_at", "created_at");
		copy(o, row, "updated_at", "updated_at");
		if (form == FORM_SHOW && status_failed(status))
			json_object_set_new(o, "bay_faults", faults(req, row));
		return o;
	}
	copy(o, row, "cluster_template_id", "cluster_template_id");
	copy(o, row, "keypair", "keypair");
	copy(o, row, "node_count", "node_count");
	copy(o, row, "master_count", "master_count");
	copy(o, row, "docker_volume_size", "docker_volume_size");
	copy(o, row, "labels", "labels");
	copy(o, row, "master_flavor_id", "master_flavor_id");
	copy(o, row, "flavor_id", "flavor_id");
	copy(o, row, "create_timeout", "create_timeout");
	copy(o, row, "health_status", "health_status");
	copy(o, row, "stack_id", req->minor >= 13 ? "cluster_id" : "stack_id");
	copy(o, row, "status", "status");
	json_object_set_new(o, "merge_labels", json_false());
	json_object_set_new(o, "links", api_links(req, en->cl_coll, uuid));
	if (form == FORM_LIST)
		return o;
	copy(o, row, "discovery_url", "discovery_url");
	copy(o, row, "fixed_network", "fixed_network");
	copy(o, row, "fixed_subnet", "fixed_subnet");
	copy(o, row, "floating_ip_enabled", "floating_ip_enabled");
	copy(o, row, "master_lb_enabled", "master_lb_enabled");
	copy(o, row, "status_reason", "status_reason");
	copy(o, row, "health_status_reason", "health_status_reason");
	copy(o, row, "api_address", "api_address");
	copy(o, row, "coe_version", "coe_version");
	copy(o, row, "container_version", "container_version");
	json_object_set_new(o, "node_addresses", addresses(req, uuid, false));
	json_object_set_new(o, "master_addresses", addresses(req, uuid, true));
	copy(o, row, "project_id", "project_id");
	copy(o, row, "user_id", "user_id");
	label_diff(req, o, row);
	copy(o, row, "created_at", "created_at");
	copy(o, row, "updated_at", "updated_at");
	if (form == FORM_SHOW && status_failed(status))
		json_object_set_new(o, "faults", faults(req, row));
	return o;
}
