/* cmd_cluster_template.c - cluster-template-create/list/show/update/delete. */
#include <stdio.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static const struct cli_opt create_opts[] = {
	{ "--name", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--image|--image-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--keypair|--keypair-id", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--external-network|--external-network-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--coe", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--fixed-network", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--fixed-subnet", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--network-driver", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--volume-driver", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--dns-nameserver", CLI_OPT_VALUE, "8.8.8.8", false, NULL },
	{ "--flavor|--flavor-id", CLI_OPT_VALUE, "m1.medium", false, NULL },
	{ "--master-flavor|--master-flavor-id", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--docker-volume-size", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--docker-storage-driver", CLI_OPT_VALUE, "devicemapper", false, NULL },
	{ "--http-proxy", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--https-proxy", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--no-proxy", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--labels", CLI_OPT_LIST, NULL, false, NULL },
	{ "--tls-disabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--public", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--registry-enabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--server-type", CLI_OPT_VALUE, "vm", false, NULL },
	{ "--master-lb-enabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--floating-ip-enabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--floating-ip-disabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--insecure-registry", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--hidden", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--tags", CLI_OPT_VALUE, NULL, false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

/* The legacy shell's body: every key, in its order, unset ones as null. */
static const struct cli_field create_fields[] = {
	{ "flavor_id", "--flavor", CLI_F_STR, false },
	{ "master_flavor_id", "--master-flavor", CLI_F_STR, false },
	{ "image_id", "--image", CLI_F_STR, false },
	{ "keypair_id", "--keypair", CLI_F_STR, false },
	{ "external_network_id", "--external-network", CLI_F_STR, false },
	{ "fixed_network", "--fixed-network", CLI_F_STR, false },
	{ "fixed_subnet", "--fixed-subnet", CLI_F_STR, false },
	{ "network_driver", "--network-driver", CLI_F_STR, false },
	{ "volume_driver", "--volume-driver", CLI_F_STR, false },
	{ "dns_nameserver", "--dns-nameserver", CLI_F_STR, false },
	{ "docker_volume_size", "--docker-volume-size", CLI_F_INT, false },
	{ "docker_storage_driver", "--docker-storage-driver", CLI_F_STR, false },
	{ "coe", "--coe", CLI_F_STR, false },
	{ "http_proxy", "--http-proxy", CLI_F_STR, false },
	{ "https_proxy", "--https-proxy", CLI_F_STR, false },
	{ "no_proxy", "--no-proxy", CLI_F_STR, false },
	{ "labels", "--labels", CLI_F_LABELS, false },
	{ "tls_disabled", "--tls-disabled", CLI_F_BOOL, false },
	{ "public", "--public", CLI_F_BOOL, false },
	{ "registry_enabled", "--registry-enabled", CLI_F_BOOL, false },
	{ "server_type", "--server-type", CLI_F_STR, false },
	{ "master_lb_enabled", "--master-lb-enabled", CLI_F_BOOL, false },
	{ "insecure_registry", "--insecure-registry", CLI_F_STR, false },
	{ "hidden", "--hidden", CLI_F_BOOL, false },
	{ "tags", "--tags", CLI_F_STR, true },
	{ NULL, NULL, 0, false },
};

int
cmd_ct_create(struct cli *c, int argc, char **argv)
{
	_cleanup_json_ json_t *body = NULL, *fields = NULL;
	struct cli_args a;
	struct cli_response r;
	const char *name;
	int rc;

	rc = cli_args_parse(c, create_opts, 0, 1, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_arg_flag(&a, "--floating-ip-enabled") && cli_arg_flag(&a, "--floating-ip-disabled"))
		return cli_usage_error(c, "argument --floating-ip-disabled: not allowed with "
				       "argument --floating-ip-enabled");
	if (cli_name_arg(&a, &name))
		return CLI_EXIT_ERROR;
	rc = cli_body_build(c, &a, create_fields, &fields);
	if (rc)
		return rc;
	body = json_pack("{s:s?}", "name", name);
	if (body == NULL || json_object_update(body, fields) < 0)
		return cli_fail("out of memory");
	if (cli_arg_flag(&a, "--floating-ip-enabled") || cli_arg_flag(&a, "--floating-ip-disabled"))
		json_object_set_new(body, "floating_ip_enabled",
				    json_boolean(!cli_arg_flag(&a, "--floating-ip-disabled")));
	if (cli_call(c, "POST", "/v1/clustertemplates", body, &r))
		return CLI_EXIT_ERROR;
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_ct_list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = { "uuid", "name" };
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, cli_list_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_list(c, &a, "clustertemplates", "clustertemplates", cols, ARRAY_SIZE(cols));
}

int
cmd_ct_show(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 1, 1, "<cluster_template>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_show(c, "clustertemplates", a.pos[0]);
}

int
cmd_ct_update(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 3, -1, "<cluster_template>, <op>, <attribute>", argc, argv,
			    &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_update(c, "clustertemplates", "cluster template", a.pos[0], a.pos[1],
			     a.pos + 2, a.npos - 2, false, NULL);
}

int
cmd_ct_delete(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 1, -1, "<cluster_templates>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_delete(c, "clustertemplates", "cluster template", a.pos, a.npos);
}
