/* lookup.c - name-or-UUID lookup with tenancy and ambiguity errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/lookup.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "db/table.h"

static const struct era_names bay_era = {
	"baymodels", "Baymodel", "baymodel", "baymodel_id", "bays", "Bay", "bay", "bay",
};
static const struct era_names cluster_era = {
	"clustertemplates", "ClusterTemplate", "clustertemplate", "cluster_template_id",
	"clusters", "Cluster", "cluster", "cluster",
};

const struct era_names *
era_names(enum api_era era)
{
	return era == ERA_BAY ? &bay_era : &cluster_era;
}

const char *const api_cluster_select_extra =
	"(SELECT COALESCE(SUM(ng.node_count), 0) FROM nodegroups ng WHERE ng.cluster_id = "
	"clusters.uuid AND ng.role <> 'master') AS node_count, "
	"(SELECT COALESCE(SUM(ng.node_count), 0) FROM nodegroups ng WHERE ng.cluster_id = "
	"clusters.uuid AND ng.role = 'master') AS master_count";

const char *
api_template_visible_sql(const struct api_req *req)
{
	if (req->id.is_admin)
		return "1 = 1";
	return "(project_id = ? OR (public = 1 AND (hidden IS NULL OR hidden = 0)))";
}

const char *
api_cluster_visible_sql(const struct api_req *req)
{
	return req->id.is_admin ? "1 = 1" : "project_id = ?";
}

size_t
api_visible_params(const struct api_req *req, struct db_param *p)
{
	if (req->id.is_admin)
		return 0;
	p[0] = DB_TEXT(req->id.project_id);
	return 1;
}

static int
lookup(struct api_req *req, const struct db_table *t, const char *visible, const char *extra,
       const char *ident, const char *title, const char *lower, bool quiet, json_t **ret_row)
{
	_cleanup_json_ json_t *rows = NULL;
	struct db_param p[3];
	char where[512], norm[UUID_STR_LEN];
	size_t n;
	bool by_uuid = uuid_normalize(ident, norm) == 0;
	int r;

	n = api_visible_params(req, p);
	p[n++] = DB_TEXT(by_uuid ? norm : ident);
	snprintf(where, sizeof(where), "%s AND %s = ?", visible, by_uuid ? "uuid" : "name");
	r = db_row_select(req->db, t, extra, where, p, n, "id", 3, &rows);
	if (r < 0) {
		if (!quiet)
			api_reply_internal(req, r, "lookup");
		return -EIO;
	}
	if (json_array_size(rows) == 0) {
		if (!quiet)
			api_reply_error(req, 404, "%s %s could not be found.", title, ident);
		return -ENOENT;
	}
	if (json_array_size(rows) > 1) {
		if (!quiet) {
			if (streq(lower, "ClusterTemplate"))
				api_reply_error(req, 409, "Multiple ClusterTemplates exist with same "
					       "name. Please use the ClusterTemplate uuid instead.");
			else
				api_reply_error(req, 409, "Multiple %ss exist with same name. Please "
					       "use the %s uuid instead.", lower, lower);
		}
		return -EEXIST;
	}
	*ret_row = json_incref(json_array_get(rows, 0));
	return 0;
}

int
api_lookup_template(struct api_req *req, const char *ident, bool quiet, json_t **ret_row)
{
	const struct era_names *en = era_names(req->era);

	return lookup(req, &db_t_cluster_templates, api_template_visible_sql(req), NULL, ident,
		      en->tmpl_title, req->era == ERA_BAY ? "baymodel" : "ClusterTemplate", quiet,
		      ret_row);
}

int
api_lookup_cluster(struct api_req *req, const char *ident, bool quiet, json_t **ret_row)
{
	const struct era_names *en = era_names(req->era);

	return lookup(req, &db_t_clusters_read, api_cluster_visible_sql(req),
		      api_cluster_select_extra, ident, en->cl_title, en->cl_lower, quiet, ret_row);
}
