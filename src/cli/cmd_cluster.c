/* cmd_cluster.c - cluster-create/list/show/update/delete/resize/upgrade. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static const struct cli_opt create_opts[] = {
	{ "--name", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--cluster-template", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--keypair|--keypair-id", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--docker-volume-size", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--labels", CLI_OPT_LIST, NULL, false, NULL },
	{ "--node-count", CLI_OPT_VALUE, "1", false, NULL },
	{ "--master-count", CLI_OPT_VALUE, "1", false, NULL },
	{ "--discovery-url", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--timeout", CLI_OPT_VALUE, "60", false, NULL },
	{ "--master-flavor", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--flavor", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--fixed-network", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--fixed-subnet", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--floating-ip-enabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--floating-ip-disabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--master-lb-enabled", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--merge-labels", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--wait", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--poll-interval", CLI_OPT_VALUE, "2", false, NULL },
	{ "--wait-timeout", CLI_OPT_VALUE, "3600", false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

/* Always sent, then the ones sent only when given. */
static const struct cli_field create_fields[] = {
	{ "create_timeout", "--timeout", CLI_F_INT, false },
	{ "discovery_url", "--discovery-url", CLI_F_STR, false },
	{ "keypair", "--keypair", CLI_F_STR, false },
	{ "master_count", "--master-count", CLI_F_INT, false },
	{ "node_count", "--node-count", CLI_F_INT, false },
	{ "labels", "--labels", CLI_F_LABELS, true },
	{ "docker_volume_size", "--docker-volume-size", CLI_F_INT, true },
	{ "master_flavor_id", "--master-flavor", CLI_F_STR, true },
	{ "flavor_id", "--flavor", CLI_F_STR, true },
	{ "fixed_network", "--fixed-network", CLI_F_STR, true },
	{ "fixed_subnet", "--fixed-subnet", CLI_F_STR, true },
	{ "master_lb_enabled", "--master-lb-enabled", CLI_F_BOOL, true },
	{ "merge_labels", "--merge-labels", CLI_F_BOOL, true },
	{ NULL, NULL, 0, false },
};

int
cmd_cluster_create(struct cli *c, int argc, char **argv)
{
	_cleanup_json_ json_t *body = NULL, *fields = NULL;
	_cleanup_free_ char *ct_uuid = NULL, *uuid = NULL;
	struct cli_args a;
	struct cli_response r;
	const char *name;
	long interval, limit;
	int rc;

	rc = cli_args_parse(c, create_opts, 0, 1, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_arg_flag(&a, "--floating-ip-enabled") && cli_arg_flag(&a, "--floating-ip-disabled"))
		return cli_usage_error(c, "argument --floating-ip-disabled: not allowed with "
				       "argument --floating-ip-enabled");
	rc = cli_wait_args(c, &a, &interval, &limit);
	if (rc)
		return rc;
	if (cli_name_arg(&a, &name))
		return CLI_EXIT_ERROR;
	rc = cli_body_build(c, &a, create_fields, &fields);
	if (rc)
		return rc;
	if (cli_resolve_uuid(c, "clustertemplates", cli_arg(&a, "--cluster-template"), &ct_uuid))
		return CLI_EXIT_ERROR;
	body = json_pack("{s:s?, s:s}", "name", name, "cluster_template_id", ct_uuid);
	if (body == NULL || json_object_update(body, fields) < 0)
		return cli_fail("out of memory");
	if (cli_arg_flag(&a, "--floating-ip-enabled") || cli_arg_flag(&a, "--floating-ip-disabled"))
		json_object_set_new(body, "floating_ip_enabled",
				    json_boolean(!cli_arg_flag(&a, "--floating-ip-disabled")));
	if (cli_call(c, "POST", "/v1/clusters", body, &r))
		return CLI_EXIT_ERROR;
	if (json_string_value(json_object_get(r.body, "uuid")))
		uuid = strdup(json_string_value(json_object_get(r.body, "uuid")));
	if (c->json)
		cli_print_json(r.body);
	else
		printf("Request to create cluster %s has been accepted.\n", strempty(uuid));
	cli_response_free(&r);
	fflush(stdout);
	if (!cli_arg_flag(&a, "--wait"))
		return CLI_EXIT_OK;
	if (uuid == NULL)
		return cli_fail("the server's answer has no uuid to wait for");
	return cli_wait_create(c, "clusters", "Cluster", uuid, interval, limit);
}

int
cmd_cluster_list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = { "uuid", "name", "keypair", "node_count",
					    "master_count", "status", "health_status" };
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, cli_list_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_list(c, &a, "clusters", "clusters", cols, ARRAY_SIZE(cols));
}

int
cmd_cluster_show(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--long", CLI_OPT_FLAG, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, opts, 1, 1, "<cluster>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_show_long(c, "clusters", a.pos[0], cli_arg_flag(&a, "--long"),
			     "clustertemplates", "cluster_template_id", "cluster_template_");
}

int
cmd_cluster_update(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--rollback", CLI_OPT_FLAG, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, opts, 3, -1, "<cluster>, <op>, <attribute>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_update(c, "clusters", "cluster", a.pos[0], a.pos[1], a.pos + 2, a.npos - 2,
			     true, cli_arg_flag(&a, "--rollback") ? "/?rollback=True" : NULL);
}

int
cmd_cluster_delete(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 1, -1, "<cluster>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_delete(c, "clusters", "cluster", a.pos, a.npos);
}

/* POST /v1/clusters/<uuid>/actions/<action> after resolving the cluster. */
static int
cluster_action(struct cli *c, const char *ident, const char *action, json_t *body)
{
	_cleanup_free_ char *uuid = NULL, *path = NULL;
	struct cli_response r;

	if (cli_resolve_uuid(c, "clusters", ident, &uuid))
		return CLI_EXIT_ERROR;
	if (asprintf(&path, "/v1/clusters/%s/actions/%s", uuid, action) < 0)
		return cli_fail("out of memory");
	if (cli_call(c, "POST", path, body, &r))
		return CLI_EXIT_ERROR;
	if (c->json)
		cli_print_json(r.body);
	else
		printf("Request to %s cluster %s has been accepted.\n", action, ident);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_cluster_resize(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--nodes-to-remove", CLI_OPT_LIST, NULL, false, "<server id>" },
		{ "--nodegroup", CLI_OPT_VALUE, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	_cleanup_json_ json_t *body = NULL;
	const char *const *rm;
	struct cli_args a;
	long long n;
	size_t nrm;
	int rc;

	rc = cli_args_parse(c, opts, 2, 2, "<cluster>, <node-count>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_parse_int(a.pos[1], &n) < 0)
		return cli_usage_error(c, "argument <node-count>: invalid int value: '%s'",
				       a.pos[1]);
	body = json_pack("{s:I}", "node_count", (json_int_t)n);
	if (body == NULL)
		return cli_fail("out of memory");
	rm = cli_arg_list(&a, "--nodes-to-remove", &nrm);
	if (nrm) {
		json_t *l = json_array();

		for (size_t i = 0; i < nrm; i++)
			json_array_append_new(l, json_string(rm[i]));
		json_object_set_new(body, "nodes_to_remove", l);
	}
	if (cli_arg(&a, "--nodegroup"))
		json_object_set_new(body, "nodegroup", json_string(cli_arg(&a, "--nodegroup")));
	return cluster_action(c, a.pos[0], "resize", body);
}

int
cmd_cluster_upgrade(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--max-batch-size", CLI_OPT_VALUE, "1", false, NULL },
		{ "--nodegroup", CLI_OPT_VALUE, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	_cleanup_json_ json_t *body = NULL;
	struct cli_args a;
	long long n;
	int rc;

	rc = cli_args_parse(c, opts, 2, 2, "<cluster>, <cluster_template>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_parse_int(cli_arg(&a, "--max-batch-size"), &n) < 0)
		return cli_usage_error(c, "argument --max-batch-size: invalid int value: '%s'",
				       cli_arg(&a, "--max-batch-size"));
	body = json_pack("{s:s, s:I}", "cluster_template", a.pos[1], "max_batch_size",
			 (json_int_t)n);
	if (body == NULL)
		return cli_fail("out of memory");
	if (cli_arg(&a, "--nodegroup"))
		json_object_set_new(body, "nodegroup", json_string(cli_arg(&a, "--nodegroup")));
	return cluster_action(c, a.pos[0], "upgrade", body);
}
