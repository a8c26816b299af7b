/* clusters.h - bay / cluster views and helpers shared by the cluster and nodegroup handlers. */
#pragma once

#include <stdbool.h>
#include <jansson.h>

#include "api/api.h"

enum cluster_form { FORM_LIST, FORM_DETAIL, FORM_SHOW };

/*
 * The API representation of a clusters row (read with
 * api_cluster_select_extra) in the request's era and microversion: the list
 * form, the detail form, or the single-object form (which adds bay_faults /
 * faults when the status is a failed one). Returns a new object.
 */
json_t *cluster_view(struct api_req *req, json_t *row, enum cluster_form form);

/*
 * The list form streamed as text: a row writer for api_reply_list_text that
 * appends each row, as cluster_view(FORM_LIST) shows it, to out.
 */
struct cluster_list {
	struct api_req		*req;
	struct api_list_text	out;
	bool			mapped;
	int			col[16];
	int			uuid_col;
};
int cluster_list_write(const struct db_rowv *rv, void *ctx);

/*
 * A nodegroups row as the API shows it: the short list item, or the full
 * item with links and the label diff against cluster (the parent's row).
 * Returns a new object.
 */
json_t *nodegroup_view(struct api_req *req, json_t *row, json_t *cluster, bool full);

/*
 * A nodegroup of cluster_uuid by integer id, UUID or name (in that order of
 * interpretation, as Magnum reads the ident). Returns 0 and a new row, or
 * replies (404 "Nodegroup <x> could not be found.", 500) and returns -errno.
 */
int nodegroup_lookup(struct api_req *req, const char *cluster_uuid, const char *ident,
		     json_t **ret);

/* Stable states: an operation may start (cluster doc §3.3). */
bool cluster_status_stable(const char *status);
