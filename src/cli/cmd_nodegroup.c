/* cmd_nodegroup.c - nodegroup-create/list/show/update/delete (API >= 1.9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"

/* "clusters/<cluster>/nodegroups" for the shared helpers (caller frees). */
static char *
ng_coll(const char *cluster)
{
	_cleanup_free_ char *e = cli_escape(cluster);
	char *p;

	if (e == NULL || asprintf(&p, "clusters/%s/nodegroups", e) < 0)
		return NULL;
	return p;
}

static const struct cli_opt create_opts[] = {
	{ "--docker-volume-size", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--labels", CLI_OPT_LIST, NULL, false, NULL },
	{ "--node-count", CLI_OPT_VALUE, "1", false, NULL },
	{ "--min-nodes", CLI_OPT_VALUE, "0", false, NULL },
	{ "--max-nodes", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--role", CLI_OPT_VALUE, "worker", false, NULL },
	{ "--image", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--flavor", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--merge-labels", CLI_OPT_FLAG, NULL, false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

static const struct cli_field create_fields[] = {
	{ "node_count", "--node-count", CLI_F_INT, false },
	{ "min_node_count", "--min-nodes", CLI_F_INT, false },
	{ "max_node_count", "--max-nodes", CLI_F_INT, false },
	{ "role", "--role", CLI_F_STR, false },
	{ "labels", "--labels", CLI_F_LABELS, true },
	{ "docker_volume_size", "--docker-volume-size", CLI_F_INT, true },
	{ "flavor_id", "--flavor", CLI_F_STR, true },
	{ "image_id", "--image", CLI_F_STR, true },
	{ "merge_labels", "--merge-labels", CLI_F_BOOL, true },
	{ NULL, NULL, 0, false },
};

int
cmd_nodegroup_create(struct cli *c, int argc, char **argv)
{
	_cleanup_json_ json_t *body = NULL, *fields = NULL;
	_cleanup_free_ char *coll = NULL, *path = NULL;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, create_opts, 2, 2, "<cluster>, <name>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	rc = cli_body_build(c, &a, create_fields, &fields);
	if (rc)
		return rc;
	body = json_pack("{s:s}", "name", a.pos[1]);
	coll = ng_coll(a.pos[0]);
	if (body == NULL || coll == NULL || json_object_update(body, fields) < 0 ||
	    asprintf(&path, "/v1/%s/", coll) < 0)
		return cli_fail("out of memory");
	if (cli_call(c, "POST", path, body, &r))
		return CLI_EXIT_ERROR;
	if (c->json)
		cli_print_json(r.body);
	else
		printf("Request to create nodegroup %s accepted\n",
		       strempty(json_string_value(json_object_get(r.body, "uuid"))));
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_nodegroup_list(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--marker", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--limit", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--sort-key", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--sort-dir", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--role", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--fields", CLI_OPT_VALUE, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	static const char *const cols[] = { "uuid", "name", "flavor_id", "image_id", "node_count",
					    "status", "role" };
	_cleanup_free_ char *coll = NULL;
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, opts, 1, 1, "<cluster>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	coll = ng_coll(a.pos[0]);
	if (coll == NULL)
		return cli_fail("out of memory");
	return cli_do_list(c, &a, coll, "nodegroups", cols, ARRAY_SIZE(cols));
}

int
cmd_nodegroup_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *coll = NULL;
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 2, 2, "<cluster>, <nodegroup>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	coll = ng_coll(a.pos[0]);
	if (coll == NULL)
		return cli_fail("out of memory");
	return cli_do_show(c, coll, a.pos[1]);
}

int
cmd_nodegroup_update(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *coll = NULL;
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 4, -1, "<cluster>, <nodegroup>, <op>, <attribute>", argc,
			    argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	coll = ng_coll(a.pos[0]);
	if (coll == NULL)
		return cli_fail("out of memory");
	return cli_do_update(c, coll, "nodegroup", a.pos[1], a.pos[2], a.pos + 3, a.npos - 3,
			     true, NULL);
}

int
cmd_nodegroup_delete(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *coll = NULL;
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 2, -1, "<cluster>, <nodegroup>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	coll = ng_coll(a.pos[0]);
	if (coll == NULL)
		return cli_fail("out of memory");
	return cli_do_delete(c, coll, "nodegroup", a.pos + 1, a.npos - 1);
}
