/* cmd_baymodel.c - baymodel-create/list/show/update/delete (bay era). */
#include <stdio.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static const struct cli_opt create_opts[] = {
	{ "--name", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--image-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--keypair-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--external-network-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--coe", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--fixed-network", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--fixed-subnet", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--network-driver", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--volume-driver", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--dns-nameserver", CLI_OPT_VALUE, "8.8.8.8", false, NULL },
	{ "--flavor-id", CLI_OPT_VALUE, "m1.medium", false, NULL },
	{ "--master-flavor-id", CLI_OPT_VALUE, NULL, false, NULL },
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
	{ NULL, 0, NULL, false, NULL },
};

/* POST /v1/baymodels with every key, unset ones as null (the 2.2 client's body). */
static const struct cli_field create_fields[] = {
	{ "name", "--name", CLI_F_STR, false },
	{ "image_id", "--image-id", CLI_F_STR, false },
	{ "keypair_id", "--keypair-id", CLI_F_STR, false },
	{ "external_network_id", "--external-network-id", CLI_F_STR, false },
	{ "coe", "--coe", CLI_F_STR, false },
	{ "fixed_network", "--fixed-network", CLI_F_STR, false },
	{ "fixed_subnet", "--fixed-subnet", CLI_F_STR, false },
	{ "network_driver", "--network-driver", CLI_F_STR, false },
	{ "volume_driver", "--volume-driver", CLI_F_STR, false },
	{ "dns_nameserver", "--dns-nameserver", CLI_F_STR, false },
	{ "flavor_id", "--flavor-id", CLI_F_STR, false },
	{ "master_flavor_id", "--master-flavor-id", CLI_F_STR, false },
	{ "docker_volume_size", "--docker-volume-size", CLI_F_INT, false },
	{ "docker_storage_driver", "--docker-storage-driver", CLI_F_STR, false },
	{ "http_proxy", "--http-proxy", CLI_F_STR, false },
	{ "https_proxy", "--https-proxy", CLI_F_STR, false },
	{ "no_proxy", "--no-proxy", CLI_F_STR, false },
	{ "labels", "--labels", CLI_F_LABELS, false },
	{ "tls_disabled", "--tls-disabled", CLI_F_BOOL, false },
	{ "public", "--public", CLI_F_BOOL, false },
	{ "registry_enabled", "--registry-enabled", CLI_F_BOOL, false },
	{ "server_type", "--server-type", CLI_F_STR, false },
	{ "master_lb_enabled", "--master-lb-enabled", CLI_F_BOOL, false },
	{ NULL, NULL, 0, false },
};

int
cmd_baymodel_create(struct cli *c, int argc, char **argv)
{
	_cleanup_json_ json_t *body = NULL;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, create_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	rc = cli_body_build(c, &a, create_fields, &body);
	if (rc)
		return rc;
	/* Only when asked: the 2016 API does not know the field. */
	if (cli_arg_flag(&a, "--floating-ip-enabled") || cli_arg_flag(&a, "--floating-ip-disabled"))
		json_object_set_new(body, "floating_ip_enabled",
				    json_boolean(!cli_arg_flag(&a, "--floating-ip-disabled")));
	if (cli_call(c, "POST", "/v1/baymodels", body, &r))
		return CLI_EXIT_ERROR;
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_baymodel_list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = { "uuid", "name" };
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, cli_list_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_list(c, &a, "baymodels", "baymodels", cols, ARRAY_SIZE(cols));
}

int
cmd_baymodel_show(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 1, 1, "<baymodel>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_show(c, "baymodels", a.pos[0]);
}

int
cmd_baymodel_update(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 3, -1, "<baymodel>, <op>, <attribute>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_update(c, "baymodels", "baymodel", a.pos[0], a.pos[1], a.pos + 2,
			     a.npos - 2, false, NULL);
}

int
cmd_baymodel_delete(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 1, -1, "<baymodels>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_delete(c, "baymodels", "baymodel", a.pos, a.npos);
}
