/* cmd_misc.c - ca-show, ca-sign, ca-rotate, certificate-list, service-list, stats-list. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static const struct cli_opt cert_opts[] = {
	{ "--bay", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--cluster", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--csr", CLI_OPT_VALUE, NULL, false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

/*
 * The bay or cluster a certificate command is about: --bay, --cluster or a
 * positional; resolved to its uuid with a GET like the client does.
 * *ret_is_bay tells which key to send. Returns 0 or an exit code.
 */
static int
cert_target(struct cli *c, const struct cli_args *a, char **ret_uuid, bool *ret_is_bay)
{
	const char *bay = cli_arg(a, "--bay"), *cl = cli_arg(a, "--cluster");

	if (bay && cl)
		return cli_usage_error(c, "argument --cluster: not allowed with argument --bay");
	if (cl == NULL && bay == NULL && a->npos > 0)
		cl = a->pos[0];
	if (cl == NULL && bay == NULL)
		return cli_fail("Must provide either a bay or a cluster.");
	*ret_is_bay = bay != NULL;
	return cli_resolve_uuid(c, bay ? "bays" : "clusters", bay ? bay : cl, ret_uuid);
}

/* Print the PEM of a certificate response (or the raw JSON). */
static void
print_pem(const struct cli *c, json_t *body)
{
	const char *pem = json_string_value(json_object_get(body, "pem"));
	size_t n = pem ? strlen(pem) : 0;

	if (c->json)
		cli_print_json(body);
	else
		printf("%s%s", strempty(pem), n && pem[n - 1] == '\n' ? "" : "\n");
}

int
cmd_ca_show(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *uuid = NULL, *path = NULL;
	struct cli_args a;
	struct cli_response r;
	bool is_bay;
	int rc;

	rc = cli_args_parse(c, cert_opts, 0, 1, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	rc = cert_target(c, &a, &uuid, &is_bay);
	if (rc)
		return rc;
	if (asprintf(&path, "/v1/certificates/%s", uuid) < 0)
		return cli_fail("out of memory");
	if (cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	print_pem(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_ca_sign(struct cli *c, int argc, char **argv)
{
	_cleanup_free_ char *uuid = NULL, *csr = NULL;
	_cleanup_json_ json_t *body = NULL;
	const char *file;
	struct cli_args a;
	struct cli_response r;
	struct stat st;
	bool is_bay;
	int rc;

	rc = cli_args_parse(c, cert_opts, 0, 1, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	file = cli_arg(&a, "--csr");
	if (file == NULL || stat(file, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "A CSR must be provided.\n");
		return CLI_EXIT_ERROR;
	}
	rc = cli_read_file(file, &csr);
	if (rc < 0)
		return cli_fail("cannot read %s: %s", file, strerror(-rc));
	rc = cert_target(c, &a, &uuid, &is_bay);
	if (rc)
		return rc;
	body = json_pack("{s:s, s:s}", is_bay ? "bay_uuid" : "cluster_uuid", uuid, "csr", csr);
	if (body == NULL)
		return cli_fail("out of memory");
	if (cli_call(c, "POST", "/v1/certificates", body, &r))
		return CLI_EXIT_ERROR;
	print_pem(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_ca_rotate(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--cluster", CLI_OPT_VALUE, NULL, true, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	_cleanup_free_ char *uuid = NULL, *path = NULL;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_resolve_uuid(c, "clusters", cli_arg(&a, "--cluster"), &uuid))
		return CLI_EXIT_ERROR;
	if (asprintf(&path, "/v1/certificates/%s", uuid) < 0)
		return cli_fail("out of memory");
	if (cli_call(c, "PATCH", path, NULL, &r))
		return CLI_EXIT_ERROR;
	if (c->json)
		cli_print_json(r.body);
	else
		printf("Request to rotate the CA certificate for cluster %s has been accepted.\n",
		       cli_arg(&a, "--cluster"));
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

static int
by_id(const void *x, const void *y)
{
	json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t ia = json_integer_value(json_object_get(a, "id"));
	json_int_t ib = json_integer_value(json_object_get(b, "id"));

	return ia < ib ? -1 : ia > ib;
}

int
cmd_service_list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = { "id", "host", "binary", "state", "disabled",
					    "disabled_reason", "created_at", "updated_at" };
	_cleanup_free_ json_t **items = NULL;
	_cleanup_json_ json_t *sorted = NULL;
	_cleanup_free_ char *out = NULL;
	struct cli_args a;
	struct cli_response r;
	json_t *list, *it;
	size_t i, n;
	int rc;

	rc = cli_args_parse(c, NULL, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_get(c, "/v1/mservices", &r))
		return CLI_EXIT_ERROR;
	if (c->json) {
		cli_print_json(r.body);
		cli_response_free(&r);
		return CLI_EXIT_OK;
	}
	/* The one list the client sorts: by id. */
	list = json_object_get(r.body, "mservices");
	n = json_array_size(list);
	items = calloc(n ? n : 1, sizeof(*items));
	sorted = json_array();
	if (items && sorted) {
		json_array_foreach(list, i, it)
			items[i] = it;
		qsort(items, n, sizeof(*items), by_id);
		for (i = 0; i < n; i++)
			json_array_append(sorted, items[i]);
		out = cli_list_render(sorted, cols, ARRAY_SIZE(cols));
	}
	cli_response_free(&r);
	if (out == NULL)
		return cli_fail("out of memory");
	fputs(out, stdout);
	return CLI_EXIT_OK;
}

int
cmd_stats_list(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--project-id", CLI_OPT_VALUE, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	_cleanup_free_ char *path = NULL, *e = NULL;
	const char *project;
	struct cli_args a;
	struct cli_response r;
	int rc;

	rc = cli_args_parse(c, opts, 0, 1, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	project = cli_arg(&a, "--project-id") ? cli_arg(&a, "--project-id") :
						 (a.npos ? a.pos[0] : NULL);
	if (project) {
		e = cli_escape(project);
		if (e == NULL || asprintf(&path, "/v1/stats?project_id=%s", e) < 0)
			return cli_fail("out of memory");
	}
	if (cli_get(c, path ? path : "/v1/stats", &r))
		return CLI_EXIT_ERROR;
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

/*
 * certificate-list [--expires-within DAYS] [--bay B | --cluster C]: the
 * expiry inventory (ours; not in python-magnumclient), soonest first.
 */
int
cmd_certificate_list(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--expires-within", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--bay", CLI_OPT_VALUE, NULL, false, NULL },
		{ "--cluster", CLI_OPT_VALUE, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	static const char *const cols[] = { "cluster_uuid", "kind", "name", "not_after",
					    "expires_in_days", "serial" };
	_cleanup_free_ char *path = NULL, *out = NULL, *b = NULL;
	const char *days, *bay;
	struct cli_response r;
	struct cli_args a;
	long long n;
	int rc;

	rc = cli_args_parse(c, opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	days = cli_arg(&a, "--expires-within");
	if (days && (cli_parse_int(days, &n) < 0 || n < 0))
		return cli_usage_error(c, "--expires-within: a number of days, not '%s'", days);
	bay = cli_arg(&a, "--bay") ? cli_arg(&a, "--bay") : cli_arg(&a, "--cluster");
	if (bay && (b = cli_escape(bay)) == NULL)
		return cli_fail("out of memory");
	if (asprintf(&path, "/v1/certificates?%s%s%s%s%s", days ? "expires_within=" : "",
		     days ? days : "", days && b ? "&" : "", b ? "bay_uuid=" : "", b ? b : "") < 0)
		return cli_fail("out of memory");
	if (cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	if (c->json) {
		cli_print_json(r.body);
		cli_response_free(&r);
		return CLI_EXIT_OK;
	}
	out = cli_list_render(json_object_get(r.body, "certificates"), cols, ARRAY_SIZE(cols));
	cli_response_free(&r);
	if (out == NULL)
		return cli_fail("out of memory");
	fputs(out, stdout);
	return CLI_EXIT_OK;
}
