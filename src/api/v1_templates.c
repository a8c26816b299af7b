/*
 * v1_templates.c - baymodels (bay era) and cluster templates (cluster era):
 * one table, two views. Spec: bay doc §1.5, §2; cluster doc §2.2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fields.h"
#include "api/lookup.h"
#include "api/patch.h"
#include "api/routes.h"
#include "api/templates.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/jwriter.h"
#include "common/strbuf.h"
#include "common/log.h"
#include "common/util.h"
#include "db/table.h"

#define S(n, mn, mx) { n, FT_STRING, 0, mn, mx, NULL, NULL, NULL }
#define B(n, d) { n, FT_BOOL, 0, 0, 0, NULL, NULL, d }
#define RO(n) { n, FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL }

static const char *const coe_choices[] = { "kubernetes", "swarm", "mesos", NULL };
static const char *const server_types[] = { "vm", "bm", NULL };
static const char *const storage_drivers[] = { "devicemapper", "overlay", "overlay2", NULL };

/* Fields common to both eras, in the order responses list them. */
#define COMMON_FIELDS(KEYPAIR_FLAGS)							\
	{ "uuid", FT_UUID, 0, 0, 0, NULL, NULL, NULL },					\
	S("name", 1, 255),								\
	{ "coe", FT_STRING, 0, 0, 0, NULL, coe_choices, NULL },				\
	{ "image_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },		\
	S("flavor_id", 1, 255),								\
	S("master_flavor_id", 1, 255),							\
	S("dns_nameserver", 1, 255),							\
	{ "keypair_id", FT_STRING, KEYPAIR_FLAGS, 1, 255, NULL, NULL, NULL },		\
	S("external_network_id", 1, 255),						\
	S("fixed_network", 1, 255),							\
	S("fixed_subnet", 1, 255),							\
	S("network_driver", 1, 255),							\
	{ "apiserver_port", FT_INT, 0, 1024, 65535, NULL, NULL, NULL },			\
	{ "docker_volume_size", FT_INT, 0, 1, 0, NULL, NULL, NULL },			\
	S("cluster_distro", 1, 255),							\
	S("http_proxy", 1, 255),							\
	S("https_proxy", 1, 255),							\
	S("no_proxy", 1, 255),								\
	S("volume_driver", 1, 255),							\
	B("registry_enabled", "false"),							\
	{ "labels", FT_ANY, 0, 0, 0, NULL, NULL, NULL },				\
	B("tls_disabled", "false"),							\
	B("public", "false"),								\
	{ "server_type", FT_STRING, 0, 0, 0, NULL, server_types, "\"vm\"" },		\
	S("insecure_registry", 1, 255),							\
	{ "docker_storage_driver", FT_STRING, 0, 0, 0, NULL, storage_drivers, NULL },	\
	B("master_lb_enabled", "false"),						\
	B("floating_ip_enabled", "true")

static const struct field_spec bay_fields[] = {
	COMMON_FIELDS(F_MANDATORY),
	RO("links"), RO("created_at"), RO("updated_at"),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct field_spec cluster_fields[] = {
	COMMON_FIELDS(0),
	B("hidden", "false"),
	{ "tags", FT_STRING, 0, 0, 255, NULL, NULL, NULL },
	S("driver", 1, 255),
	RO("links"), RO("created_at"), RO("updated_at"), RO("project_id"), RO("user_id"),
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct field_spec *
specs(const struct api_req *req)
{
	return req->era == ERA_BAY ? bay_fields : cluster_fields;
}

/* Is f part of the era's representation? (The bay era accepts floating_ip_enabled, which
 * the 2.3.0 client sends, but never shows it: it is a cluster-era field.) */
static bool
shown(const struct api_req *req, const struct field_spec *f)
{
	return req->era != ERA_BAY || !streq(f->name, "floating_ip_enabled");
}

json_t *
template_view(struct api_req *req, json_t *row)
{
	const struct era_names *en = era_names(req->era);
	const char *uuid = json_string_value(json_object_get(row, "uuid"));
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (const struct field_spec *f = specs(req); f->name; f++) {
		json_t *v;
		if (!shown(req, f))
			continue;
		if (streq(f->name, "links")) {
			json_object_set_new(o, "links", api_links(req, en->tmpl_coll, uuid));
			continue;
		}
		v = json_object_get(row, f->name);
		json_object_set(o, f->name, v ? v : json_null());
	}
	return o;
}

static void
reply_tmpl_err(struct api_req *req, const struct tmpl_err *e)
{
	api_reply_error(req, e->status, "%s", e->msg);
}

static const char *const list_args[] = { "limit", "marker", "sort_key", "sort_dir", NULL };

static const char *const *
sort_keys(void)
{
	static const char *keys[64];

	if (keys[0] == NULL) {
		size_t n = 0;
		for (size_t i = 0; i < db_t_cluster_templates.ncols && n < 63; i++)
			keys[n++] = db_t_cluster_templates.cols[i].name;
	}
	return keys;
}

/* A list written as text straight from the rows (no JSON trees): the same
 * content as template_view, field by field. The per-field work (which column,
 * shown or not, the key's text) is done once, at the first row. */
enum { COL_LINKS = -2, COL_HIDDEN = -3 };

struct list_out {
	struct api_req		*req;
	struct api_list_text	out;
	size_t			nf;
	int			col[64];	/* result column, COL_LINKS, COL_HIDDEN or -1 */
	char			key[64][40];	/* ,"name": (the first without the comma) */
	int			uuid_col;
};

static void
list_map(struct list_out *lo, const struct db_rowv *rv)
{
	const struct field_spec *f = specs(lo->req);
	bool first = true;

	for (lo->nf = 0; f->name && lo->nf < ARRAY_SIZE(lo->col); f++, lo->nf++) {
		int *c = &lo->col[lo->nf];

		*c = !shown(lo->req, f) ? COL_HIDDEN : streq(f->name, "links") ? COL_LINKS :
			db_rowv_index(rv, f->name);
		if (*c != COL_HIDDEN) {
			snprintf(lo->key[lo->nf], sizeof(lo->key[0]), "%s\"%s\":", first ? "" : ",",
				 f->name);
			first = false;
		}
	}
	lo->uuid_col = db_rowv_index(rv, "uuid");
}

static int
template_write(const struct db_rowv *rv, void *ctx)
{
	struct list_out *lo = ctx;
	struct api_req *req = lo->req;
	const struct era_names *en = era_names(req->era);
	const char *uuid;
	int r;

	if (lo->nf == 0)
		list_map(lo, rv);
	uuid = db_rowv_text(rv, lo->uuid_col);
	if (uuid == NULL)
		uuid = "";
	r = strbuf_puts(&lo->out.sb, lo->out.count ? ",{" : "{");
	for (size_t k = 0; r == 0 && k < lo->nf; k++) {
		if (lo->col[k] == COL_HIDDEN)
			continue;
		r = strbuf_puts(&lo->out.sb, lo->key[k]);
		if (r < 0)
			break;
		if (lo->col[k] == COL_LINKS)
			r = api_links_text(&lo->out.sb, req, en->tmpl_coll, uuid);
		else
			r = db_rowv_write(rv, lo->col[k], &lo->out.sb);
	}
	if (r == 0)
		r = strbuf_puts(&lo->out.sb, "}");
	if (r < 0)
		return r;
	api_list_text_item(&lo->out, uuid);
	return 0;
}

static int
handle_list(struct api_req *req)
{
	const struct era_names *en = era_names(req->era);
	struct list_out lo = { .req = req, .out.sb = STRBUF_INIT };
	struct api_page pg;
	struct db_param p[2];
	char base[64];

	if (api_query_only(req, list_args) < 0 || api_page_parse(req, sort_keys(), &pg) < 0)
		return 0;
	if (!req->id.is_reader)
		return api_reply_policy(req, req->era == ERA_BAY ? "baymodel:get_all" :
								   "clustertemplate:get_all");
	snprintf(base, sizeof(base), "/v1/%s%s", en->tmpl_coll,
		 strstr(req->path, "/detail") ? "/detail" : "");
	return api_reply_list_text(req, &(struct api_list_query){
		.gen_table = "cluster_templates", .table = &db_t_cluster_templates,
		.where = api_template_visible_sql(req), .p = p, .n = api_visible_params(req, p),
		.coll = en->tmpl_coll, .title = en->tmpl_title, .base = base,
		.item_bytes = 1024 }, &pg, template_write, &lo, &lo.out);
}

static int
handle_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (api_lookup_template(req, req->params[0], false, &row) < 0)
		return 0;
	if (!json_is_true(json_object_get(row, "public")) &&
	    !policy_can_read(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, req->era == ERA_BAY ? "baymodel:get" :
								   "clustertemplate:get");
	return api_reply_json(req, 200, template_view(req, row));
}

static bool
publish_denied(struct api_req *req)
{
	if (req->id.is_admin)
		return false;
	if (req->era == ERA_BAY)
		api_reply_error(req, 403, "Not authorized to set public flag for baymodel.");
	else
		api_reply_error(req, 403, "Not authorized to set public or hidden flag for cluster "
				"template.");
	return true;
}

static int
handle_create(struct api_req *req)
{
	const struct era_names *en = era_names(req->era);
	_cleanup_json_ json_t *body = NULL, *doc = NULL, *row = NULL;
	_cleanup_free_ char *msg = NULL, *name = NULL;
	char uuid[UUID_STR_LEN], now[TIMESTAMP_LEN], loc[512];
	struct tmpl_err e;
	json_t *v;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (!req->id.is_member)
		return api_reply_policy(req, req->era == ERA_BAY ? "baymodel:create" :
								   "clustertemplate:create");
	r = fields_decode(specs(req), en->tmpl_arg, body, &doc, &msg);
	if (r < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid input");
	if (json_is_null(json_object_get(doc, "coe")) || !json_object_get(doc, "coe"))
		return api_reply_error(req, 400, "Requested COE type Unset is not supported.");
	json_object_del(doc, "cluster_distro");	/* always derived from the image */
	if (template_validate(req, doc, true, true, &e) < 0) {
		reply_tmpl_err(req, &e);
		return 0;
	}
	if ((json_is_true(json_object_get(doc, "public")) ||
	     json_is_true(json_object_get(doc, "hidden"))) && publish_denied(req))
		return 0;
	v = json_object_get(doc, "name");
	if (v == NULL || json_is_null(v) || json_string_length(v) == 0) {
		name = random_name(req->era == ERA_BAY ? "model" : "template");
		json_object_set_new(doc, "name", json_string(name));
	}
	v = json_object_get(doc, "uuid");
	if (v && json_is_string(v)) {
		snprintf(uuid, sizeof(uuid), "%s", json_string_value(v));
	} else {
		uuid_new(uuid);
		json_object_set_new(doc, "uuid", json_string(uuid));
	}
	if (json_object_get(doc, "hidden") == NULL)
		json_object_set_new(doc, "hidden", json_false());
	time_now_iso(now);
	json_object_set_new(doc, "project_id", json_string(req->id.project_id));
	json_object_set_new(doc, "user_id", json_string(req->id.user_id));
	json_object_set_new(doc, "created_at", json_string(now));
	r = db_row_insert(req->db, &db_t_cluster_templates, doc, NULL);
	if (r == -EEXIST)
		return api_reply_error(req, 409, "A %s with UUID %s already exists.",
				       req->era == ERA_BAY ? "baymodel" : "ClusterTemplate", uuid);
	if (r < 0)
		return api_reply_internal(req, r, "storing the template");
	r = db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?", DB_ARGS(DB_TEXT(uuid)),
		       &row);
	if (r < 0)
		return api_reply_internal(req, r, "reading the template back");
	snprintf(loc, sizeof(loc), "%s/v1/%s/%s", req->host_url, en->tmpl_coll, uuid);
	api_set_header(req, "Location", loc);
	return api_reply_json(req, 201, template_view(req, row));
}

static int
referenced(struct api_req *req, const char *uuid)
{
	int64_t n = 0;
	int r = db_query_int(req->db, "SELECT COUNT(*) FROM clusters WHERE cluster_template_id = ?",
			     DB_ARGS(DB_TEXT(uuid)), &n);

	return r < 0 ? r : n > 0;
}

static int
reply_referenced(struct api_req *req, const char *uuid)
{
	if (req->era == ERA_BAY)
		return api_reply_error(req, 400, "Baymodel %s is referenced by one or multiple "
				       "bays.", uuid);
	return api_reply_error(req, 400, "ClusterTemplate %s is referenced by one or multiple "
			       "clusters.", uuid);
}

/* May a referenced template take this change set? */
static bool
change_allowed_in_use(struct api_req *req, json_t *changes)
{
	const char *k;
	json_t *v;

	if (json_object_size(changes) != 1)
		return false;
	json_object_foreach(changes, k, v) {
		if (streq(k, "public") && json_is_true(v))
			return true;
		if (req->era == ERA_CLUSTER && (streq(k, "name") || streq(k, "hidden") ||
						 (streq(k, "tags") && !json_is_null(v))))
			return true;
	}
	return false;
}

static int
handle_update(struct api_req *req)
{
	static const char *const internal[] = { "/created_at", "/id", "/links", "/updated_at",
						"/uuid", "/project_id", "/user_id", NULL };
	static const char *const bay_mandatory[] = {
		"/image_id", "/keypair_id", "/external_network_id", "/coe", "/tls_disabled",
		"/public", "/registry_enabled", "/server_type", "/cluster_distro",
		"/network_driver", NULL };
	static const char *const cl_mandatory[] = {
		"/image_id", "/coe", "/network_driver", "/external_network_id", "/tls_disabled",
		"/public", "/server_type", "/registry_enabled", "/cluster_distro", "/hidden",
		NULL };
	static const char *const dicts[] = { "/labels", NULL };
	_cleanup_json_ json_t *patch = NULL, *row = NULL, *cur = NULL, *patched = NULL;
	_cleanup_json_ json_t *changes = json_object(), *defaults = NULL, *fresh = NULL;
	_cleanup_free_ char *msg = NULL;
	const char *uuid, *k;
	char now[TIMESTAMP_LEN];
	struct patch_rules rules;
	struct tmpl_err e;
	json_t *v;
	int r;

	if (api_body_json(req, &patch) < 0)
		return 0;
	if (api_lookup_template(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = json_string_value(json_object_get(row, "uuid"));
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, req->era == ERA_BAY ? "baymodel:update" :
								   "clustertemplate:update");
	cur = template_view(req, row);
	json_object_del(cur, "links");
	defaults = json_pack("{s:b, s:b}", "master_lb_enabled", 0, "floating_ip_enabled", 1);
	rules = (struct patch_rules){
		.internal = internal,
		.mandatory = req->era == ERA_BAY ? bay_mandatory : cl_mandatory,
		.dict_paths = dicts,
		.allow_falsy = req->era == ERA_CLUSTER,
		.defaults = defaults,
	};
	r = patch_apply(cur, patch, &rules, &patched, &msg);
	if (r < 0)
		return api_reply_error(req, 400, "%s", msg ? msg : "Invalid patch");
	/* Re-type-check every field that changed. */
	json_object_foreach(patched, k, v) {
		const struct field_spec *f = fields_find(specs(req), k);
		json_t *old = json_object_get(cur, k), *nv = NULL;

		if (f == NULL || (old && json_equal(old, v)))
			continue;
		if (streq(k, "labels")) {
			json_object_set(changes, k, v);
			continue;
		}
		free(msg);
		msg = NULL;
		r = fields_check_value(f, v, &nv, &msg);
		if (r < 0)
			return api_reply_error(req, 400, "%s", msg ? msg : "Invalid value");
		json_object_set_new(patched, k, json_incref(nv));
		if (!(old && json_equal(old, nv)))
			json_object_set(changes, k, nv);
		json_decref(nv);
	}
	json_object_set(patched, "project_id", json_object_get(row, "project_id"));
	if (template_validate(req, patched, false, json_object_get(changes, "keypair_id") != NULL,
			      &e) < 0) {
		reply_tmpl_err(req, &e);
		return 0;
	}
	/* Values the validation normalised or derived (labels, cluster_distro). */
	if (json_object_get(changes, "labels"))
		json_object_set(changes, "labels", json_object_get(patched, "labels"));
	/* cluster_distro always follows the image (bug 15): a patch of it alone is a no-op. */
	if (!json_equal(json_object_get(cur, "cluster_distro"),
			json_object_get(patched, "cluster_distro")))
		json_object_set(changes, "cluster_distro",
				json_object_get(patched, "cluster_distro"));
	else
		json_object_del(changes, "cluster_distro");
	if ((json_object_get(changes, "public") || json_object_get(changes, "hidden")) &&
	    publish_denied(req))
		return 0;
	r = db_begin(req->db);
	if (r < 0)
		return api_reply_internal(req, r, "updating the template");
	r = referenced(req, uuid);
	if (r < 0)
		goto fail;
	if (r > 0 && !change_allowed_in_use(req, changes)) {
		db_rollback(req->db);
		return reply_referenced(req, uuid);
	}
	if (json_object_size(changes) > 0) {
		time_now_iso(now);
		json_object_set_new(changes, "updated_at", json_string(now));
		r = db_row_update(req->db, &db_t_cluster_templates, "uuid", uuid, changes);
		if (r < 0)
			goto fail;
	}
	r = db_commit(req->db);
	if (r < 0)
		return api_reply_internal(req, r, "updating the template");
	r = db_row_get(req->db, &db_t_cluster_templates, NULL, "uuid = ?", DB_ARGS(DB_TEXT(uuid)),
		       &fresh);
	if (r < 0)
		return api_reply_internal(req, r, "reading the template back");
	return api_reply_json(req, 200, template_view(req, fresh));
fail:
	db_rollback(req->db);
	return api_reply_internal(req, r, "updating the template");
}

static int
handle_delete(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	const char *uuid;
	int r;

	if (api_lookup_template(req, req->params[0], false, &row) < 0)
		return 0;
	uuid = json_string_value(json_object_get(row, "uuid"));
	if (!policy_can_write(req, json_string_value(json_object_get(row, "project_id"))))
		return api_reply_policy(req, req->era == ERA_BAY ? "baymodel:delete" :
								   "clustertemplate:delete");
	r = db_begin(req->db);
	if (r < 0)
		return api_reply_internal(req, r, "deleting the template");
	r = referenced(req, uuid);
	if (r > 0) {
		db_rollback(req->db);
		return reply_referenced(req, uuid);
	}
	if (r >= 0)
		r = db_exec(req->db, "DELETE FROM cluster_templates WHERE uuid = ?",
			    DB_ARGS(DB_TEXT(uuid)));
	if (r >= 0)
		r = db_commit(req->db);
	if (r < 0) {
		db_rollback(req->db);
		return api_reply_internal(req, r, "deleting the template");
	}
	return api_reply_empty(req, 204);
}

#define ROUTES(coll, era)									\
	{ "GET", "/v1/" coll, handle_list, era, 0, "get_all", 0 },				\
	{ "GET", "/v1/" coll "/detail", handle_list, era, 0, "detail", 0 },			\
	{ "GET", "/v1/" coll "/{}/detail", api_handle_not_found, era, 0, "get_one", 0 },	\
	{ "GET", "/v1/" coll "/{}", handle_show, era, 0, "get_one", 0 },			\
	{ "POST", "/v1/" coll, handle_create, era, 0, "post", 0 },				\
	{ "PATCH", "/v1/" coll "/{}", handle_update, era, 0, "patch", 0 },			\
	{ "DELETE", "/v1/" coll "/{}", handle_delete, era, 0, "delete", 0 }

const struct route v1_template_routes[] = {
	ROUTES("baymodels", ERA_BAY),
	ROUTES("clustertemplates", ERA_CLUSTER),
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
