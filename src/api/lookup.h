/*
 * lookup.h - name-or-UUID lookup of templates and clusters with tenancy and
 * Magnum's not-found / ambiguity errors, in the names of the request's era.
 */
#pragma once

#include "api/api.h"

/* Words that differ between the bay era and the cluster era. */
struct era_names {
	const char *tmpl_coll;		/* "baymodels" | "clustertemplates" */
	const char *tmpl_title;		/* "Baymodel" | "ClusterTemplate" */
	const char *tmpl_arg;		/* "baymodel" | "clustertemplate" */
	const char *tmpl_ref;		/* "baymodel_id" | "cluster_template_id" */
	const char *cl_coll;		/* "bays" | "clusters" */
	const char *cl_title;		/* "Bay" | "Cluster" */
	const char *cl_arg;		/* "bay" | "cluster" */
	const char *cl_lower;		/* "bay" | "cluster" (in "... exist with same name") */
};

const struct era_names *era_names(enum api_era era);

/*
 * SQL visibility filters for the caller (with '?' placeholders bound by
 * api_visible_params): templates = own project + public (non-hidden unless
 * admin), or everything for admin; clusters = own project, or all for admin.
 */
const char *api_template_visible_sql(const struct api_req *req);
const char *api_cluster_visible_sql(const struct api_req *req);
/* Fill p with the parameters of the visibility SQL; returns how many. */
size_t api_visible_params(const struct api_req *req, struct db_param *p);

/* The computed columns of a cluster row (node_count, master_count, addresses). */
extern const char *const api_cluster_select_extra;

/*
 * Look up a template/cluster by UUID (if UUID-like) or name, among the rows
 * the caller may see. Returns 0 and a new row object, or replies (404 not
 * found, 409 ambiguous, 500) and returns -ENOENT/-EEXIST/-EIO.
 * With quiet = true nothing is replied (the caller decides the status).
 */
int api_lookup_template(struct api_req *req, const char *ident, bool quiet, json_t **ret_row);
int api_lookup_cluster(struct api_req *req, const char *ident, bool quiet, json_t **ret_row);
