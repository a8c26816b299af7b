/* templates.h - baymodel / cluster template validation and views, shared by the handlers. */
#pragma once

#include <jansson.h>

#include "api/api.h"

struct tmpl_err {
	int	status;
	char	msg[1024];
};

/*
 * Validate a complete template document (API field names) for the request's
 * era: COE, drivers (defaulting network_driver in doc), storage, proxies,
 * DNS, labels (normalised in doc), then the catalogue resources (sets
 * cluster_distro from the image). Returns 0, or -EINVAL with e filled.
 */
int template_validate(struct api_req *req, json_t *doc, bool is_post, bool check_keypair,
		      struct tmpl_err *e);
/* The catalogue checks alone (the image as the template's owner project sees it). */
int template_check_resources(struct api_req *req, json_t *doc, bool check_keypair,
			     struct tmpl_err *e);

/* The API representation of a cluster_templates row in the request's era (new object). */
json_t *template_view(struct api_req *req, json_t *row);
