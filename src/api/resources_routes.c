/*
 * resources_routes.c - the route table of the embedded cloud's catalogue, as
 * the catalogue in identity_v3.c points OpenStack clients at it: Glance under
 * /image (and bare /v2), Nova under /v2.1, Neutron under /network (and bare
 * /v2.0). Handlers are in resources_glance.c, resources_nova.c and
 * resources_neutron.c. Version documents are public; the rest needs a token.
 */
#include "api/resources_internal.h"
#include "api/routes.h"

#define R(m, p, fn, name)	{ m, p, fn, ERA_CLUSTER, 0, name, ROUTE_NOVERSION }
#define PUB(p, fn, name)	\
	{ "GET", p, fn, ERA_CLUSTER, 0, name, ROUTE_NOVERSION | ROUTE_PUBLIC }

/* The Glance routes under both prefixes. */
#define GLANCE(pre)									\
	R("GET", pre "/v2/images", glance_image_list, "images"),			\
	R("POST", pre "/v2/images", glance_image_create, "images"),			\
	R("GET", pre "/v2/images/{}", glance_image_show, "images"),			\
	R("PATCH", pre "/v2/images/{}", glance_image_update, "images"),			\
	R("DELETE", pre "/v2/images/{}", glance_image_delete, "images"),		\
	R("PUT", pre "/v2/images/{}/file", glance_image_upload, "images"),		\
	R("GET", pre "/v2/images/{}/file", glance_image_download, "images"),		\
	R("PUT", pre "/v2/images/{}/tags/{}", glance_tag_add, "images"),		\
	R("DELETE", pre "/v2/images/{}/tags/{}", glance_tag_delete, "images"),		\
	R("GET", pre "/v2/schemas/image", glance_schema_image, "images"),		\
	R("GET", pre "/v2/schemas/images", glance_schema_images, "images")

#define NEUTRON(pre)									\
	R("GET", pre "/v2.0/networks", neutron_network_list, "networks"),		\
	R("GET", pre "/v2.0/networks/{}", neutron_network_show, "networks"),		\
	R("GET", pre "/v2.0/extensions", neutron_extension_list, "networks")

const struct route resource_routes[] = {
	PUB("/image", glance_versions, "images"),
	PUB("/image/versions", glance_versions, "images"),
	GLANCE("/image"),
	GLANCE(""),
	PUB("/network", neutron_versions, "networks"),
	NEUTRON("/network"),
	NEUTRON(""),
	PUB("/v2.1", nova_version, "compute"),
	R("GET", "/v2.1/flavors", nova_flavor_list, "flavors"),
	R("GET", "/v2.1/flavors/detail", nova_flavor_list, "flavors"),
	R("GET", "/v2.1/flavors/{}", nova_flavor_show, "flavors"),
	R("GET", "/v2.1/flavors/{}/os-extra_specs", nova_flavor_extra_specs, "flavors"),
	R("GET", "/v2.1/os-keypairs", nova_keypair_list, "keypairs"),
	R("POST", "/v2.1/os-keypairs", nova_keypair_create, "keypairs"),
	R("GET", "/v2.1/os-keypairs/{}", nova_keypair_show, "keypairs"),
	R("DELETE", "/v2.1/os-keypairs/{}", nova_keypair_delete, "keypairs"),
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
