/*
 * v1_nodegroups.c - nodegroups of a cluster (microversion 1.9+), cluster doc
 * §2.5, with the recommended fixes: stored min/max in lists (#4); no id,
 * is_default, status, status_reason or version in a POST and the name
 * required (#5); state refusals answered (400) instead of logged, naming the
 * group's own status (#12). Create, delete and a change of node labels or
 * taints write a job for the conductor in the same transaction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/clusters.h"
#include "api/fields.h"
#include "api/labels.h"
#include "api/lookup.h"
#include "api/patch.h"
#include "api/resources.h"
#include "api/routes.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "conductor/jobs.h"
#include "db/table.h"

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool
is_int_like(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	if (*s == '-' || *s == '+')
		s++;
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int
nodegroup_lookup(struct api_req *req, const char *cluster_uuid, const char *ident, json_t **ret)
{
	char norm[UUID_STR_LEN];
	const char *col = "name", *val = ident;
	int r;

	if (is_int_like(ident)) {
		col = "CAST(id AS TEXT)";
	} else if (uuid_normalize(ident, norm) == 0) {
		col = "uuid";
		val = norm;
	}
	{
		char where[96];
		snprintf(where, sizeof(where), "cluster_id = ? AND %s = ?", col);
		r = db_row_get(req->db, &db_t_nodegroups, NULL, where,
			       DB_ARGS(DB_TEXT(cluster_uuid), DB_TEXT(val)), ret);
	}
	if (r == -ENOENT)
		api_reply_error(req, 404, "Nodegroup %s could not be found.", ident);
	else if (r < 0)
		api_reply_internal(req, r, "nodegroup lookup");
	return r;
}

/* The parent cluster (tenant-scoped) and the read or write policy; replies on failure. */
static int
parent(struct api_req *req, bool write, const char *rule, json_t **ret)
{
	_cleanup_json_ json_t *cl = NULL;
	const char *project;

	if (api_lookup_cluster(req, req->params[0], false, &cl) < 0)
		return -ENOENT;
	project = str(cl, "project_id");
	if (!(write ? policy_can_write(req, project) : policy_can_read(req, project))) {
		api_reply_policy(req, rule);
		return -EACCES;
	}
	*ret = TAKE_PTR(cl);
	return 0;
}

static int
handle_list(struct api_req *req)
{
	static const char *const args[] = {
		"limit", "marker", "sort_key", "sort_dir", "role", NULL,
	};
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
	if (parent(req, false, "nodegroup:get_all", &cl) < 0)
		return 0;
	uuid = str(cl, "uuid");
	p[n++] = DB_TEXT(uuid);
	if (role)
		p[n++] = DB_TEXT(role);
	r = api_list_page(req, &db_t_nodegroups, NULL,
			  role ? "cluster_id = ? AND role = ?" : "cluster_id = ?", p, n, &pg,
			  &rows);
	if (r == -ENOENT)
		return api_reply_error(req, 404, "Nodegroup %s could not be found.", pg.marker);
	if (r < 0)
		return api_reply_internal(req, r, "listing nodegroups");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, nodegroup_view(req, row, cl, false));
	env = json_pack("{s:o}", "nodegroups", items);
	snprintf(base, sizeof(base), "/v1/clusters/%s/nodegroups", uuid);
	api_page_next(req, &pg, env, base, items);
	return api_reply_json(req, 200, env);
}

static int
handle_show(struct api_req *req)
{
	_cleanup_json_ json_t *cl = NULL, *ng = NULL;

	if (api_query_only(req, NULL) < 0 || parent(req, false, "nodegroup:get", &cl) < 0)
		return 0;
	if (nodegroup_lookup(req, str(cl, "uuid"), req->params[1], &ng) < 0)
		return 0;
	return api_reply_json(req, 200, nodegroup_view(req, ng, cl, true));
}

/* NodeGroupInvalidInput (409): "<attr> for <ng> is invalid (<explanation>)." */
static int
invalid(struct api_req *req, const char *attr, const char *ng, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
invalid(struct api_req *req, const char *attr, const char *ng, const char *fmt, ...)
{
	_cleanup_free_ char *expl = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&expl, fmt, ap);
	va_end(ap);
	if (r < 0)
		return api_reply_internal(req, -ENOMEM, "nodegroup validation"), -ENOMEM;
	api_reply_error(req, 409, "%s for %s is invalid (%s).", attr, ng, expl);
	return -EINVAL;
}

static int
check_counts(struct api_req *req, const char *name, int64_t count, int64_t min, json_t *maxv)
{
	int64_t max = json_integer_value(maxv);

	if (max) {
		if (max < min)
			return invalid(req, "max_node_count", name, "min_node_count (%lld) should "
				       "be less or equal to max_node_count (%lld)", (long long)min,
				       (long long)max);
		if (count > max)
			return invalid(req, "max_node_count", name, "node_count (%lld) should be "
				       "less or equal to max_node_count (%lld)", (long long)count,
				       (long long)max);
	}
	if (min > count)
		return invalid(req, "min_node_count", name, "min_node_count (%lld) should be less "
			       "or equal to node_count (%lld)", (long long)min, (long long)count);
	return 0;
}

/* Label keys in kubernetes.io / k8s.io that the kubelet may still set on itself. */
static bool
node_label_allowed(const char *key)
{
	static const char *const allowed[] = {
		"beta.kubernetes.io/arch", "beta.kubernetes.io/instance-type",
		"beta.kubernetes.io/os", "failure-domain.beta.kubernetes.io/region",
		"failure-domain.beta.kubernetes.io/zone", "kubernetes.io/arch",
		"kubernetes.io/hostname", "kubernetes.io/os", "node.kubernetes.io/instance-type",
		"node.kubernetes.io/windows-build", "topology.kubernetes.io/region",
		"topology.kubernetes.io/zone", NULL,
	};
	const char *slash = strchr(key, '/');
	char prefix[256];
	size_t n;

	if (slash == NULL)
		return true;
	n = (size_t)(slash - key);
	if (n >= sizeof(prefix))
		return true;
	memcpy(prefix, key, n);
	prefix[n] = '\0';
	if (!(streq(prefix, "kubernetes.io") || streq(prefix, "k8s.io") ||
	      (n > 14 && streq(prefix + n - 14, ".kubernetes.io")) ||
	      (n > 7 && streq(prefix + n - 7, ".k8s.io"))))
		return true;
	if (streq(prefix, "kubelet.kubernetes.io") || streq(prefix, "node.kubernetes.io"))
		return true;
	for (size_t i = 0; allowed[i]; i++)
		if (streq(allowed[i], key))
			return true;
	return false;
}

/*
 * node_labels (string map) and node_taints (list of {key, value?, effect})
 * of group name with role: 400 on a wrong type, 409 NodeGroupInvalidInput
 * on the rules of §2.5.2. Normalises both in doc.
 */
static int
check_node_meta(struct api_req *req, json_t *doc, const char *name, const char *role)
{
	static const struct field_spec labels_spec = {
		"node_labels", FT_DICT, 0, 0, 0, NULL, NULL, NULL,
	};
	static const char *const effects[] = {
		"NoSchedule", "PreferNoSchedule", "NoExecute", NULL,
	};
	json_t *labels = json_object_get(doc, "node_labels");
	json_t *taints = json_object_get(doc, "node_taints"), *nv = NULL, *t, *v;
	_cleanup_free_ char *msg = NULL, *pv = NULL;
	bool master = streq_ptr(role, "master");
	const char *k;
	size_t i;

	if (labels && !json_is_null(labels)) {
		if (fields_check_value(&labels_spec, labels, &nv, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid node_labels"),
			       -EINVAL;
		json_object_set_new(doc, "node_labels", nv);
		labels = nv;
		if (master && json_object_size(labels) > 0)
			return invalid(req, "node_labels", name,
				       "node_labels may not be set on master nodegroups");
		json_object_foreach(labels, k, v)
			if (!node_label_allowed(k))
				return invalid(req, "node_labels", name, "node label '%s' is in "
					       "a restricted Kubernetes namespace; the kubelet "
					       "will refuse to start. Use a key outside "
					       "kubernetes.io and k8s.io, or one the kubelet "
					       "allows", k);
	}
	if (taints == NULL || json_is_null(taints))
		return 0;
	if (!json_is_array(taints)) {
		pv = fields_py_str(taints);
		return api_reply_error(req, 400, "Invalid input for field/attribute node_taints. "
				       "Value: '%s'. Value not a valid list: %s", strempty(pv),
				       strempty(pv)), -EINVAL;
	}
	json_array_foreach(taints, i, t) {
		struct strbuf bad = STRBUF_INIT;
		const char *key, *effect;
		int nbad = 0;
		bool ok = json_is_object(t);

		json_object_foreach(t, k, v)
			if (!json_is_string(v))
				ok = false;
		if (!ok) {
			pv = fields_py_str(taints);
			return api_reply_error(req, 400, "Invalid input for field/attribute "
					       "node_taints. Value: '%s'. Each taint must be a "
					       "dict of strings", strempty(pv)), -EINVAL;
		}
		json_object_foreach(t, k, v)
			if (!streq(k, "key") && !streq(k, "value") && !streq(k, "effect"))
				strbuf_printf(&bad, "%s%s", nbad++ ? ", " : "", k);
		if (nbad) {
			int r = invalid(req, "node_taints", name, "node_taints[%zu] contains "
					"unrecognised field(s) %s; allowed fields are key, value, "
					"effect", i, bad.buf);
			strbuf_free(&bad);
			return r;
		}
		key = str(t, "key");
		if (key == NULL || *key == '\0')
			return invalid(req, "node_taints", name,
				       "node_taints[%zu].key is required", i);
		effect = str(t, "effect");
		ok = false;
		for (size_t e = 0; effect && effects[e]; e++)
			if (streq(effects[e], effect))
				ok = true;
		if (!ok)
			return invalid(req, "node_taints", name, "node_taints[%zu].effect must "
				       "be one of NoSchedule, PreferNoSchedule, NoExecute", i);
	}
	if (master && json_array_size(taints) > 0)
		return invalid(req, "node_taints", name,
			       "node_taints may not be set on master nodegroups");
	return 0;
}

/* Labels of a new group: the cluster's unless given; merged on request. New reference. */
static json_t *
group_labels(json_t *in, json_t *cl)
{
	json_t *l = json_object_get(in, "labels"), *m;

	if (l == NULL || json_is_null(l))
		return json_incref(json_object_get(cl, "labels"));
	if (!json_is_true(json_object_get(in, "merge_labels")) || !json_is_object(l))
		return json_incref(l);
	m = json_is_object(json_object_get(cl, "labels")) ?
		    json_deep_copy(json_object_get(cl, "labels")) : json_object();
	if (m)
		json_object_update(m, l);
	return m;
}

/*
 * Mark the group (group_status) and the cluster UPDATE_IN_PROGRESS and queue
 * a JOB_UPDATE with payload, with ng_changes / insert_ng written first, in one
 * transaction. Replies 500 on failure.
 */
static int
write_group_job(struct api_req *req, const char *cluster, json_t *insert_ng, const char *ng_uuid,
		json_t *ng_changes, json_t *payload, const char *event)
{
	char now[TIMESTAMP_LEN];
	int r;

	time_now_iso(now);
	r = db_begin(req->db);
	if (r >= 0 && insert_ng)
		r = db_row_insert(req->db, &db_t_nodegroups, insert_ng, NULL);
	if (r >= 0 && ng_changes) {
		json_object_set_new(ng_changes, "updated_at", json_string(now));
		r = db_row_update(req->db, &db_t_nodegroups, "uuid", ng_uuid, ng_changes);
	}
	if (r >= 0)
		r = db_exec(req->db, "UPDATE clusters SET status = 'UPDATE_IN_PROGRESS', "
				     "status_reason = NULL, updated_at = ? WHERE uuid = ?",
			    DB_ARGS(DB_TEXT(now), DB_TEXT(cluster)));
	if (r >= 0)
		r = jobs_enqueue(req->db, cluster, JOB_UPDATE, payload);
	if (r >= 0)
		r = events_add(req->db, cluster, "update-accepted", 0, event);
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		if (r == -EEXIST)
			return api_reply_error(req, 409, "A node group with name %s already "
					       "exists in the cluster %s.",
					       strempty(str(insert_ng, "name")), cluster), r;
		return api_reply_internal(req, r, "writing the nodegroup"), r;
	}
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
		{ "node_labels", FT_ANY, 0, 0, 0, NULL, NULL, NULL },
		{ "node_taints", FT_ANY, 0, 0, 0, NULL, NULL, NULL },
		/* Bug 5 fixed: these are the system's, not the caller's. */
		{ "id", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "is_default", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "status", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "status_reason", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "version", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "project_id", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "stack_id", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "node_addresses", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "links", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "created_at", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "updated_at", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
		{ "uuid", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ "cluster_id", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ "labels_overridden", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ "labels_added", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ "labels_skipped", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
	};
	_cleanup_json_ json_t *body = NULL, *in = NULL, *cl = NULL, *existing = NULL;
	_cleanup_json_ json_t *tmpl = NULL, *row = NULL, *payload = NULL, *labels = NULL;
	_cleanup_json_ json_t *given = NULL, *fl = NULL;
	_cleanup_free_ char *msg = NULL, *lmsg = NULL;
	char uuid[UUID_STR_LEN], now[TIMESTAMP_LEN];
	const char *name, *cuuid, *flavor;
	int64_t count;
	int r;

	if (api_query_only(req, NULL) < 0 || api_body_json(req, &body) < 0)
		return 0;
	if (fields_decode(specs, "nodegroup", body, &in, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (parent(req, true, "nodegroup:create", &cl) < 0)
		return 0;
	cuuid = str(cl, "uuid");
	name = str(in, "name");
	if (!json_is_string(json_object_get(cl, "api_address")))
		return api_reply_error(req, 409, "Cluster API address is not available yet");
	r = db_row_get(req->db, &db_t_nodegroups, NULL, "cluster_id = ? AND name = ?",
		       DB_ARGS(DB_TEXT(cuuid), DB_TEXT(name)), &existing);
	if (r == 0)
		return api_reply_error(req, 409, "A node group with name %s already exists in the "
				       "cluster %s.", name, strempty(str(cl, "name")));
	if (r != -ENOENT)
		return api_reply_internal(req, r, "nodegroup lookup");
	count = json_integer_value(json_object_get(in, "node_count"));
	if (check_counts(req, name, count,
			 json_integer_value(json_object_get(in, "min_node_count")),
			 json_object_get(in, "max_node_count")) < 0)
		return 0;
	if (check_node_meta(req, in, name, str(in, "role")) < 0)
		return 0;
	if (streq_ptr(str(in, "role"), "master"))
		return api_reply_error(req, 400, "Creating master nodegroups is currently not "
				       "supported.");
	if (count > conf_int("bay", "max_node_count"))
		return api_reply_error(req, 400, "Invalid input for field/attribute node_count. "
				       "Value: '%lld'. Value should be lower or equal to %lld",
				       (long long)count,
				       (long long)conf_int("bay", "max_node_count"));
	flavor = str(in, "flavor_id") ? str(in, "flavor_id") : str(cl, "flavor_id");
	if (flavor && res_flavor_find(req->db, flavor, &fl) < 0)
		return api_reply_error(req, 400, "Unable to find flavor %s.", flavor);
	given = group_labels(in, cl);
	if (labels_validate(given, NULL, (size_t)conf_int("bay", "max_labels"), &labels,
			    &lmsg) < 0)
		return api_reply_error(req, 400, "%s", lmsg ? lmsg : "Invalid labels");
	(void)db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?",
			 DB_ARGS(DB_TEXT(str(cl, "cluster_template_id"))), &tmpl);
	uuid_new(uuid);
	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:s?, s:O, s:I, s:O, s:O?, s:s?, s:O?, s:O?, s:O, s:b, "
			"s:s, s:O?, s:O?, s:s}", "uuid", uuid, "name", name, "cluster_id", cuuid,
			"project_id", str(cl, "project_id"), "role", json_object_get(in, "role"),
			"node_count", (json_int_t)count,
			"min_node_count", json_object_get(in, "min_node_count"),
			"max_node_count", json_object_get(in, "max_node_count"),
			"flavor_id", flavor,
			"image_id", json_is_string(json_object_get(in, "image_id")) ?
					    json_object_get(in, "image_id") :
					    json_object_get(tmpl, "image_id"),
			"docker_volume_size", json_object_get(in, "docker_volume_size"),
			"labels", labels, "is_default", 0, "status", "CREATE_IN_PROGRESS",
			"node_labels", json_object_get(in, "node_labels"),
			"node_taints", json_object_get(in, "node_taints"), "created_at", now);
	payload = json_pack("{s:s, s:s}", "action", "nodegroup_create", "nodegroup", uuid);
	if (row == NULL || payload == NULL)
		return api_reply_internal(req, -ENOMEM, "creating the nodegroup");
	if (write_group_job(req, cuuid, row, NULL, NULL, payload, "nodegroup create accepted") < 0)
		return 0;
	log_info("cluster %s: nodegroup %s (%s) accepted", cuuid, uuid, name);
	return api_reply_json(req, 202, nodegroup_view(req, row, cl, true));
}

static int
handle_delete(struct api_req *req)
{
	_cleanup_json_ json_t *cl = NULL, *ng = NULL, *payload = NULL, *ch = NULL;
	const char *cuuid;

	if (api_query_only(req, NULL) < 0 || parent(req, true, "nodegroup:delete", &cl) < 0)
		return 0;
	cuuid = str(cl, "uuid");
	if (nodegroup_lookup(req, cuuid, req->params[1], &ng) < 0)
		return 0;
	if (json_is_true(json_object_get(ng, "is_default")))
		return api_reply_error(req, 400, "Deleting a default nodegroup is not supported.");
	/* A delete already under way is enough. */
	if (streq_ptr(str(ng, "status"), "DELETE_IN_PROGRESS") && jobs_active(req->db, cuuid) > 0)
		return api_reply_empty(req, 204);
	payload = json_pack("{s:s, s:O}", "action", "nodegroup_delete", "nodegroup",
			    json_object_get(ng, "uuid"));
	ch = json_pack("{s:s, s:n}", "status", "DELETE_IN_PROGRESS", "status_reason");
	if (payload == NULL || ch == NULL)
		return api_reply_internal(req, -ENOMEM, "deleting the nodegroup");
	if (write_group_job(req, cuuid, NULL, str(ng, "uuid"), ch, payload,
			    "nodegroup delete accepted") < 0)
		return 0;
	log_info("cluster %s: delete of nodegroup %s accepted", cuuid, strempty(str(ng, "name")));
	return api_reply_empty(req, 204);
}

/* Nodegroup update runs from stable states and an ongoing or failed update (§3.3). */
static bool
group_updatable(const char *status)
{
	return cluster_status_stable(status) || streq_ptr(status, "UPDATE_IN_PROGRESS") ||
	       streq_ptr(status, "UPDATE_FAILED");
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
	static const struct field_spec count_spec[] = {
		{ "min_node_count", FT_INT, 0, 0, 0, NULL, NULL, NULL },
		{ "max_node_count", FT_INT, 0, 0, 0, NULL, NULL, NULL },
	};
	_cleanup_json_ json_t *patch = NULL, *cl = NULL, *ng = NULL, *cur = NULL, *out = NULL;
	_cleanup_json_ json_t *defaults = json_pack("{s:i}", "min_node_count", 0), *ch = NULL;
	_cleanup_json_ json_t *payload = NULL;
	_cleanup_free_ char *msg = NULL;
	struct patch_rules rules = { internal, NULL, dicts, true, defaults };
	const char *name, *cuuid, *status;
	bool meta_change;
	int r;

	if (api_query_only(req, NULL) < 0 || api_body_json(req, &patch) < 0)
		return 0;
	if (!json_is_array(patch)) {
		_cleanup_json_ json_t *empty = json_object(), *o = NULL;
		if (patch_apply(empty, patch, &rules, &o, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	}
	if (parent(req, true, "nodegroup:update", &cl) < 0)
		return 0;
	cuuid = str(cl, "uuid");
	if (nodegroup_lookup(req, cuuid, req->params[1], &ng) < 0)
		return 0;
	name = str(ng, "name");
	cur = nodegroup_view(req, ng, cl, true);
	if (cur == NULL)
		return api_reply_internal(req, -ENOMEM, "updating the nodegroup");
	json_object_del(cur, "links");
	if (patch_apply(cur, patch, &rules, &out, &msg) < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	for (size_t i = 0; i < ARRAY_SIZE(count_spec); i++) {
		json_t *v = json_object_get(out, count_spec[i].name), *nv = NULL;
		if (json_is_null(v) && i == 1)
			continue;
		free(msg);
		msg = NULL;
		if (fields_check_value(&count_spec[i], v, &nv, &msg) < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid count");
		json_object_set_new(out, count_spec[i].name, nv);
	}
	if (check_counts(req, name, json_integer_value(json_object_get(out, "node_count")),
			 json_integer_value(json_object_get(out, "min_node_count")),
			 json_object_get(out, "max_node_count")) < 0)
		return 0;
	if (check_node_meta(req, out, name, str(ng, "role")) < 0)
		return 0;
	status = str(ng, "status");
	if (!group_updatable(status))
		return api_reply_error(req, 400, "nodegroup_update when nodegroup status is \"%s\" "
				       "is not supported.", strempty(status));
	ch = json_pack("{s:O, s:O, s:O, s:O}", "min_node_count",
		       json_object_get(out, "min_node_count"), "max_node_count",
		       json_object_get(out, "max_node_count"), "node_labels",
		       json_object_get(out, "node_labels"), "node_taints",
		       json_object_get(out, "node_taints"));
	if (ch == NULL)
		return api_reply_internal(req, -ENOMEM, "updating the nodegroup");
	meta_change = !json_equal(json_object_get(out, "node_labels"),
				  json_object_get(cur, "node_labels")) ||
		      !json_equal(json_object_get(out, "node_taints"),
				  json_object_get(cur, "node_taints"));
	if (meta_change) {
		/* The nodes must be relabelled: the conductor's work, one at a time. */
		r = jobs_active(req->db, cuuid);
		if (r < 0)
			return api_reply_internal(req, r, "job lookup");
		if (r > 0)
			return api_reply_error(req, 400, "nodegroup_update when nodegroup "
					       "status is \"%s\" is not supported.",
					       strempty(status));
		payload = json_pack("{s:s, s:O, s:O, s:O}", "action", "nodegroup_update",
				    "nodegroup", json_object_get(ng, "uuid"), "node_labels",
				    json_object_get(out, "node_labels"), "node_taints",
				    json_object_get(out, "node_taints"));
		json_object_set_new(ch, "status", json_string("UPDATE_IN_PROGRESS"));
		if (payload == NULL ||
		    write_group_job(req, cuuid, NULL, str(ng, "uuid"), ch, payload,
				    "nodegroup update accepted") < 0)
			return payload ? 0 : api_reply_internal(req, -ENOMEM, "updating");
	} else {
		/* Bounds only: nothing to provision. */
		char now[TIMESTAMP_LEN];
		time_now_iso(now);
		json_object_set_new(ch, "updated_at", json_string(now));
		r = db_row_update(req->db, &db_t_nodegroups, "uuid", str(ng, "uuid"), ch);
		if (r < 0)
			return api_reply_internal(req, r, "updating the nodegroup");
	}
	json_object_update(ng, ch);
	return api_reply_json(req, 202, nodegroup_view(req, ng, cl, true));
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
