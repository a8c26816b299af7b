/*
 * cluster_view.c - bays (bay era), clusters (cluster era) and nodegroups as
 * the API shows them. Keys come in Magnum's order (wsme serialises in the
 * declaration order of the API type; see the recorded samples). Bay doc
 * §1.6.1; cluster doc §1.4, §2.3.1, §2.5.1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/clusters.h"
#include "api/lookup.h"
#include "common/cleanup.h"
#include "common/jwriter.h"
#include "common/strbuf.h"
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

/* The statuses that bring bay_faults (bay doc §3.1) or faults (cluster doc §3.1). */
static bool
status_failed(enum api_era era, const char *s)
{
	static const char *const failed[] = {
		"CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "ROLLBACK_FAILED",
		"RESUME_FAILED", NULL,
	};
	size_t n = era == ERA_BAY ? 3 : 5;

	for (size_t i = 0; s && i < n; i++)
		if (streq(failed[i], s))
			return true;
	return false;
}

/*
 * Concatenated node_addresses of the cluster's master or worker groups. The
 * cluster era derives them ([] when none is known yet, as Magnum shows); the
 * bay era had columns that stayed null until the stack completed.
 */
static json_t *
addresses(struct api_req *req, const char *uuid, bool masters)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *out = json_array(), *row, *a, *v;
	size_t i, j;

	if (out == NULL)
		return NULL;
	if (db_row_select(req->db, &db_t_nodegroups, NULL,
			  masters ? "cluster_id = ? AND role = 'master'" :
				    "cluster_id = ? AND role <> 'master'",
			  DB_ARGS(DB_TEXT(uuid)), "id", 0, &rows) < 0)
		rows = NULL;
	json_array_foreach(rows, i, row) {
		a = json_object_get(row, "node_addresses");
		json_array_foreach(a, j, v)
			json_array_append(out, v);
	}
	if (req->era == ERA_BAY && json_array_size(out) == 0) {
		json_decref(out);
		return json_null();
	}
	return out;
}

/* {nodegroup name: status_reason} of the failed groups ({} when none is). */
static json_t *
faults(struct api_req *req, json_t *row)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *out = json_object(), *ng;
	const char *s;
	size_t i;

	if (out == NULL)
		return NULL;
	if (db_row_select(req->db, &db_t_nodegroups, NULL, "cluster_id = ?",
			  DB_ARGS(DB_TEXT(json_string_value(json_object_get(row, "uuid")))), "id",
			  0, &rows) < 0)
		return out;
	json_array_foreach(rows, i, ng) {
		s = json_string_value(json_object_get(ng, "status"));
		if (s && strlen(s) > 7 && streq(s + strlen(s) - 7, "_FAILED"))
			json_object_set(out, json_string_value(json_object_get(ng, "name")),
					json_object_get(ng, "status_reason"));
	}
	return out;
}

static void
copy(json_t *o, json_t *row, const char *from, const char *to)
{
	json_t *v = json_object_get(row, from);

	json_object_set(o, to, v ? v : json_null());
}

/*
 * labels_overridden / added / skipped of labels against base (the template's
 * labels for a cluster, the cluster's for a nodegroup): overridden holds the
 * base's value of keys that differ, added the new keys, skipped the base keys
 * that are absent.
 */
static void
label_diff(json_t *o, json_t *labels, json_t *base)
{
	json_t *over = json_object(), *added = json_object(), *skipped = json_object(), *v, *t;
	const char *k;

	json_object_foreach(labels, k, v) {
		t = json_object_get(base, k);
		if (t == NULL)
			json_object_set(added, k, v);
		else if (!json_equal(t, v))
			json_object_set(over, k, t);
	}
	json_object_foreach(base, k, v)
		if (json_object_get(labels, k) == NULL)
			json_object_set(skipped, k, v);
	json_object_set_new(o, "labels_overridden", over);
	json_object_set_new(o, "labels_added", added);
	json_object_set_new(o, "labels_skipped", skipped);
}

static json_t *
template_labels(struct api_req *req, json_t *row, json_t **ret_tmpl)
{
	const char *t = json_string_value(json_object_get(row, "cluster_template_id"));

	if (t == NULL || db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?",
				    DB_ARGS(DB_TEXT(t)), ret_tmpl) < 0)
		return NULL;
	return json_object_get(*ret_tmpl, "labels");
}

static json_t *
bay_view(struct api_req *req, json_t *row, enum cluster_form form)
{
	const char *uuid = json_string_value(json_object_get(row, "uuid"));
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	copy(o, row, "uuid", "uuid");
	copy(o, row, "name", "name");
	copy(o, row, "cluster_template_id", "baymodel_id");
	copy(o, row, "node_count", "node_count");
	copy(o, row, "master_count", "master_count");
	copy(o, row, "create_timeout", "bay_create_timeout");
	json_object_set_new(o, "links", api_links(req, "bays", uuid));
	copy(o, row, "stack_id", "stack_id");
	copy(o, row, "status", "status");
	if (form == FORM_LIST)
		return o;
	copy(o, row, "status_reason", "status_reason");
	copy(o, row, "discovery_url", "discovery_url");
	copy(o, row, "api_address", "api_address");
	json_object_set_new(o, "node_addresses", addresses(req, uuid, false));
	json_object_set_new(o, "master_addresses", addresses(req, uuid, true));
	if (form == FORM_SHOW &&
	    status_failed(ERA_BAY, json_string_value(json_object_get(row, "status"))))
		json_object_set_new(o, "bay_faults", faults(req, row));
	copy(o, row, "created_at", "created_at");
	copy(o, row, "updated_at", "updated_at");
	return o;
}

json_t *
cluster_view(struct api_req *req, json_t *row, enum cluster_form form)
{
	const char *uuid = json_string_value(json_object_get(row, "uuid"));
	_cleanup_json_ json_t *tmpl = NULL;
	json_t *o;

	if (req->era == ERA_BAY)
		return bay_view(req, row, form);
	o = json_object();
	if (o == NULL)
		return NULL;
	copy(o, row, "uuid", "uuid");
	copy(o, row, "name", "name");
	copy(o, row, "cluster_template_id", "cluster_template_id");
	copy(o, row, "keypair", "keypair");
	copy(o, row, "node_count", "node_count");
	copy(o, row, "master_count", "master_count");
	copy(o, row, "docker_volume_size", "docker_volume_size");
	copy(o, row, "labels", "labels");
	copy(o, row, "master_flavor_id", "master_flavor_id");
	copy(o, row, "flavor_id", "flavor_id");
	copy(o, row, "create_timeout", "create_timeout");
	json_object_set_new(o, "links", api_links(req, "clusters", uuid));
	/* One column, two names: stack_id up to 1.12, cluster_id from 1.13. */
	copy(o, row, "stack_id", req->minor >= 13 ? "cluster_id" : "stack_id");
	copy(o, row, "status", "status");
	if (form == FORM_LIST) {
		copy(o, row, "health_status", "health_status");
		json_object_set_new(o, "merge_labels", json_false());
		return o;
	}
	copy(o, row, "status_reason", "status_reason");
	copy(o, row, "health_status", "health_status");
	copy(o, row, "health_status_reason", "health_status_reason");
	copy(o, row, "discovery_url", "discovery_url");
	copy(o, row, "api_address", "api_address");
	copy(o, row, "coe_version", "coe_version");
	copy(o, row, "container_version", "container_version");
	copy(o, row, "project_id", "project_id");
	copy(o, row, "user_id", "user_id");
	json_object_set_new(o, "node_addresses", addresses(req, uuid, false));
	json_object_set_new(o, "master_addresses", addresses(req, uuid, true));
	if (form == FORM_SHOW &&
	    status_failed(ERA_CLUSTER, json_string_value(json_object_get(row, "status"))))
		json_object_set_new(o, "faults", faults(req, row));
	copy(o, row, "fixed_network", "fixed_network");
	copy(o, row, "fixed_subnet", "fixed_subnet");
	copy(o, row, "floating_ip_enabled", "floating_ip_enabled");
	json_object_set_new(o, "merge_labels", json_false());
	label_diff(o, json_object_get(row, "labels"), template_labels(req, row, &tmpl));
	copy(o, row, "master_lb_enabled", "master_lb_enabled");
	copy(o, row, "created_at", "created_at");
	copy(o, row, "updated_at", "updated_at");
	return o;
}

/*
 * The list form written as text straight from the rows (no JSON trees): the
 * same keys, values and order as cluster_view(FORM_LIST). A NULL column is the
 * links; the key map is resolved at the first row.
 */
struct list_field {
	const char	*col;
	const char	*key;
};

static const struct list_field bay_list[] = {
	{ "uuid", "uuid" }, { "name", "name" }, { "cluster_template_id", "baymodel_id" },
	{ "node_count", "node_count" }, { "master_count", "master_count" },
	{ "create_timeout", "bay_create_timeout" }, { NULL, "links" },
	{ "stack_id", "stack_id" }, { "status", "status" },
};

static const struct list_field cluster_list[] = {
	{ "uuid", "uuid" }, { "name", "name" },
	{ "cluster_template_id", "cluster_template_id" }, { "keypair", "keypair" },
	{ "node_count", "node_count" }, { "master_count", "master_count" },
	{ "docker_volume_size", "docker_volume_size" }, { "labels", "labels" },
	{ "master_flavor_id", "master_flavor_id" }, { "flavor_id", "flavor_id" },
	{ "create_timeout", "create_timeout" }, { NULL, "links" },
	{ "stack_id", "stack_id" }, { "status", "status" }, { "health_status", "health_status" },
};

int
cluster_list_write(const struct db_rowv *rv, void *ctx)
{
	struct cluster_list *cl = ctx;
	struct api_req *req = cl->req;
	bool bay = req->era == ERA_BAY;
	const struct list_field *f = bay ? bay_list : cluster_list;
	size_t nf = bay ? ARRAY_SIZE(bay_list) : ARRAY_SIZE(cluster_list);
	const char *uuid;
	int r;

	if (!cl->mapped) {
		for (size_t k = 0; k < nf; k++)
			cl->col[k] = f[k].col ? db_rowv_index(rv, f[k].col) : -1;
		cl->uuid_col = db_rowv_index(rv, "uuid");
		cl->mapped = true;
	}
	uuid = db_rowv_text(rv, cl->uuid_col);
	if (uuid == NULL)
		uuid = "";
	r = strbuf_puts(&cl->out.sb, cl->out.count ? ",{" : "{");
	for (size_t k = 0; r == 0 && k < nf; k++) {
		const char *key = f[k].key;

		/* One column, two names: stack_id up to 1.12, cluster_id from 1.13. */
		if (!bay && req->minor >= 13 && streq(key, "stack_id"))
			key = "cluster_id";
		r = strbuf_puts(&cl->out.sb, k ? ",\"" : "\"");
		if (r == 0)
			r = strbuf_puts(&cl->out.sb, key);
		if (r == 0)
			r = strbuf_puts(&cl->out.sb, "\":");
		if (r == 0)
			r = f[k].col ? db_rowv_write(rv, cl->col[k], &cl->out.sb) :
				       api_links_text(&cl->out.sb, req, bay ? "bays" : "clusters", uuid);
	}
	if (r == 0)
		r = strbuf_puts(&cl->out.sb, bay ? "}" : ",\"merge_labels\":false}");
	if (r < 0)
		return r;
	api_list_text_item(&cl->out, uuid);
	return 0;
}

json_t *
nodegroup_view(struct api_req *req, json_t *row, json_t *cluster, bool full)
{
	static const char *const short_keys[] = {
		"uuid", "name", "flavor_id", "image_id", "node_count", "role", "min_node_count",
		"max_node_count", "is_default", "stack_id", "status", NULL,
	};
	static const char *const head[] = {
		"id", "uuid", "name", "cluster_id", "project_id", "docker_volume_size", "labels",
		NULL,
	};
	static const char *const tail[] = {
		"flavor_id", "image_id", "node_addresses", "node_count", "role", "max_node_count",
		"min_node_count", "is_default", "stack_id", "status", "status_reason", "version",
		NULL,
	};
	const char *c = json_string_value(json_object_get(row, "cluster_id"));
	const char *u = json_string_value(json_object_get(row, "uuid"));
	char self[600], bookmark[600];
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (!full) {
		for (size_t i = 0; short_keys[i]; i++)
			copy(o, row, short_keys[i], short_keys[i]);
		json_object_set_new(o, "merge_labels", json_false());
		return o;
	}
	for (size_t i = 0; head[i]; i++)
		copy(o, row, head[i], head[i]);
	snprintf(self, sizeof(self), "%s/v1/clusters/%s/nodegroups/%s", req->host_url,
		 strempty(c), strempty(u));
	snprintf(bookmark, sizeof(bookmark), "%s/clusters/%s/nodegroups/%s", req->host_url,
		 strempty(c), strempty(u));
	json_object_set_new(o, "links", json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", self, "rel",
						  "self", "href", bookmark, "rel", "bookmark"));
	for (size_t i = 0; tail[i]; i++)
		copy(o, row, tail[i], tail[i]);
	json_object_set_new(o, "merge_labels", json_false());
	label_diff(o, json_object_get(row, "labels"), json_object_get(cluster, "labels"));
	copy(o, row, "node_labels", "node_labels");
	copy(o, row, "node_taints", "node_taints");
	copy(o, row, "created_at", "created_at");
	copy(o, row, "updated_at", "updated_at");
	return o;
}
