/* clusters.h - bay / cluster views and helpers shared by the cluster and nodegroup handlers. */
#pragma once

#include <jansson.h>

#include "api/api.h"

enum cluster_form { FORM_LIST, FORM_DETAIL, FORM_SHOW };

/* The API representation of a clusters row (read with api_cluster_select_extra). */
json_t *cluster_view(struct api_req *req, json_t *row, enum cluster_form form);

/* Stable states: an operation may start (spec §3.3). */
bool cluster_status_stable(const char *status);
