/* cmd_quotas.c - quotas-create/list/show/update/delete. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static const struct cli_opt write_opts[] = {
	{ "--project-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--resource", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--hard-limit", CLI_OPT_VALUE, "1", false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

static const struct cli_opt ident_opts[] = {
	{ "--project-id", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--resource", CLI_OPT_VALUE, NULL, true, NULL },
	{ NULL, 0, NULL, false, NULL },
};

static const struct cli_field write_fields[] = {
	{ "project_id", "--project-id", CLI_F_STR, false },
	{ "resource", "--resource", CLI_F_STR, false },
	{ "hard_limit", "--hard-limit", CLI_F_INT, false },
	{ NULL, NULL, 0, false },
};

/* "/v1/quotas/<project>/<resource>" (caller frees). */
static char *
quota_path(const struct cli_args *a)
{
	_cleanup_free_ char *p = cli_escape(cli_arg(a, "--project-id"));
	_cleanup_free_ char *r = cli_escape(cli_arg(a, "--resource"));
	char *path;

	if (p == NULL || r == NULL || asprintf(&path, "/v1/quotas/%s/%s", p, r) < 0)
		return NULL;
	return path;
}

/* POST /v1/quotas (create) or PATCH /v1/quotas/p/r (update) with the same object. */
static int
quota_write(struct cli *c, int argc, char **argv, bool create)
{
	_cleanup_json_ json_t *body = NULL;
	_cleanup_free_ char *path = NULL;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, write_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	rc = cli_body_build(c, &a, write_fields, &body);
	if (rc)
		return rc;
	path = create ? strdup("/v1/quotas") : quota_path(&a);
	if (path == NULL)
		return cli_fail("out of memory");
	if (cli_call(c, create ? "POST" : "PATCH", path, body, &r))
		return CLI_EXIT_ERROR;
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_quotas_create(struct cli *c, int argc, char **argv)
{
	return quota_write(c, argc, argv, true);
}

int
cmd_quotas_update(struct cli *c, int argc, char **argv)
{
	return quota_write(c, argc, argv, false);
}

int
cmd_quotas_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, ident_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	path = quota_path(&a);
	if (path == NULL)
		return cli_fail("out of memory");
	if (cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_quotas_delete(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *path = NULL;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, ident_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	path = quota_path(&a);
	if (path == NULL)
		return cli_fail("out of memory");
	if (cli_call(c, "DELETE", path, NULL, &r))
		return CLI_EXIT_ERROR;
	printf("Request to delete quota for project id %s and resource %s has been accepted.\n",
	       cli_arg(&a, "--project-id"), cli_arg(&a, "--resource"));
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_quotas_list(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--marker", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--limit", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--sort-key", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--sort-dir", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--all-tenants", CLI_OPT_FLAG, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	static const char *const cols[] = { "project_id", "resource", "hard_limit" };
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_list(c, &a, "quotas", "quotas", cols, ARRAY_SIZE(cols));
}
