/*
 * resources_internal.h - the catalogue handlers shared between the service
 * files (resources_glance.c, resources_nova.c, resources_neutron.c) and the
 * route table in resources_routes.c. Not for other directories.
 */
#pragma once

#include "api/api.h"

/* Glance v2 (resources_glance.c). */
int glance_versions(struct api_req *req);
int glance_image_list(struct api_req *req);
int glance_image_show(struct api_req *req);
int glance_image_create(struct api_req *req);
int glance_image_update(struct api_req *req);
int glance_image_delete(struct api_req *req);
int glance_image_upload(struct api_req *req);
int glance_image_download(struct api_req *req);
int glance_tag_add(struct api_req *req);
int glance_tag_delete(struct api_req *req);
int glance_schema_image(struct api_req *req);
int glance_schema_images(struct api_req *req);

/* Nova 2.1 (resources_nova.c). */
int nova_version(struct api_req *req);
int nova_flavor_list(struct api_req *req);
int nova_flavor_show(struct api_req *req);
int nova_flavor_extra_specs(struct api_req *req);
int nova_keypair_list(struct api_req *req);
int nova_keypair_show(struct api_req *req);
int nova_keypair_create(struct api_req *req);
int nova_keypair_delete(struct api_req *req);

/* Neutron v2.0 (resources_neutron.c). */
int neutron_versions(struct api_req *req);
int neutron_network_list(struct api_req *req);
int neutron_network_show(struct api_req *req);
int neutron_extension_list(struct api_req *req);
