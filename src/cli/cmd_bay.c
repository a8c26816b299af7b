/* cmd_bay.c - bay-create/list/show/update/delete (bay era), with bay-create --wait. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"

int
cli_wait_args(const struct cli *c, const struct cli_args *a, long *ret_interval, long *ret_limit)
{
	long long iv, lim;

	if (cli_parse_int(cli_arg(a, "--poll-interval"), &iv) < 0 || iv < 1 || iv > 3600)
		return cli_usage_error(c, "argument --poll-interval: invalid value: '%s'",
				       cli_arg(a, "--poll-interval"));
	if (cli_parse_int(cli_arg(a, "--wait-timeout"), &lim) < 0 || lim < 0)
		return cli_usage_error(c, "argument --wait-timeout: invalid value: '%s'",
				       cli_arg(a, "--wait-timeout"));
	*ret_interval = (long)iv;
	*ret_limit = (long)lim;
	return 0;
}

static const struct cli_opt create_opts[] = {
	{ "--name", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--baymodel", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--node-count", CLI_OPT_VALUE, "1", false, NULL },
	{ "--master-count", CLI_OPT_VALUE, "1", false, NULL },
	{ "--discovery-url", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--timeout", CLI_OPT_VALUE, "60", false, NULL },
	{ "--wait", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--poll-interval", CLI_OPT_VALUE, "2", false, NULL },
	{ "--wait-timeout", CLI_OPT_VALUE, "3600", false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

static const struct cli_field create_fields[] = {
	{ "name", "--name", CLI_F_STR, false },
	{ "node_count", "--node-count", CLI_F_INT, false },
	{ "master_count", "--master-count", CLI_F_INT, false },
	{ "discovery_url", "--discovery-url", CLI_F_STR, false },
	{ "bay_create_timeout", "--timeout", CLI_F_INT, false },
	{ NULL, NULL, 0, false },
};

int
cmd_bay_create(struct cli *c, int argc, char **argv)
{
	_cleanup_json_ json_t *body = NULL;
	_cleanup_free_ char *bm_uuid = NULL, *uuid = NULL;
	struct cli_args a;
	struct cli_response r;
	long interval, limit;
	int rc;

	rc = cli_args_parse(c, create_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	rc = cli_wait_args(c, &a, &interval, &limit);
	if (rc)
		return rc;
	rc = cli_body_build(c, &a, create_fields, &body);
	if (rc)
		return rc;
	/* The client resolves the baymodel name to its uuid first. */
	if (cli_resolve_uuid(c, "baymodels", cli_arg(&a, "--baymodel"), &bm_uuid))
		return CLI_EXIT_ERROR;
	json_object_set_new(body, "baymodel_id", json_string(bm_uuid));
	if (cli_call(c, "POST", "/v1/bays", body, &r))
		return CLI_EXIT_ERROR;
	if (json_string_value(json_object_get(r.body, "uuid")))
		uuid = strdup(json_string_value(json_object_get(r.body, "uuid")));
	if (c->json)
		cli_print_json(r.body);
	else if (r.status == 202 || !json_object_get(r.body, "status"))
		printf("Request to create bay %s has been accepted.\n", strempty(uuid));
	else
		cli_print_show(c, r.body);
	cli_response_free(&r);
	fflush(stdout);
	if (!cli_arg_flag(&a, "--wait"))
		return CLI_EXIT_OK;
	if (uuid == NULL)
		return cli_fail("the server's answer has no uuid to wait for");
	return cli_wait_create(c, "bays", "Bay", uuid, interval, limit);
}

int
cmd_bay_list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = { "uuid", "name", "node_count", "master_count",
					    "status" };
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, cli_list_opts, 0, 0, NULL, argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_list(c, &a, "bays", "bays", cols, ARRAY_SIZE(cols));
}

/*
 * --long also shows the bay's certificate expiry (the CA, and the soonest
 * other certificate) and its latest event. Best effort: a failure leaves
 * them out.
 */
static void
show_long_extras(struct cli *c, const char *coll, json_t *bay)
{
	_cleanup_free_ char *p1 = NULL, *p2 = NULL, *last = NULL;
	const char *uuid = json_string_value(json_object_get(bay, "uuid")), *soonest = NULL;
	struct cli_response r;
	size_t i;
	json_t *x;

	if (uuid == NULL)
		return;
	if (asprintf(&p1, "/v1/certificates?bay_uuid=%s", uuid) >= 0 && cli_get(c, p1, &r) == 0) {
		json_array_foreach(json_object_get(r.body, "certificates"), i, x) {
			const char *kind = json_string_value(json_object_get(x, "kind"));
			const char *na = json_string_value(json_object_get(x, "not_after"));

			if (kind && na && streq(kind, "ca"))
				json_object_set_new(bay, "ca_cert_expires_at", json_string(na));
			else if (na && (soonest == NULL || strcmp(na, soonest) < 0))
				soonest = na;
		}
		if (soonest)
			json_object_set_new(bay, "certs_expire_at", json_string(soonest));
		cli_response_free(&r);
	}
	if (asprintf(&p2, "/v1/%s/%s/events", coll, uuid) >= 0 && cli_get(c, p2, &r) == 0) {
		json_t *ev = json_object_get(r.body, "events");

		x = json_array_get(ev, json_array_size(ev) - 1);
		if (x && asprintf(&last, "%s %s %lld%%: %s",
				  json_string_value(json_object_get(x, "created_at")) ?: "",
				  json_string_value(json_object_get(x, "step")) ?: "",
				  (long long)json_integer_value(json_object_get(x, "progress")),
				  json_string_value(json_object_get(x, "message")) ?: "") >= 0)
			json_object_set_new(bay, "last_event", json_string(last));
		cli_response_free(&r);
	}
}

int
cli_show_long(struct cli *c, const char *coll, const char *ident, bool lng, const char *tcoll,
	      const char *tkey, const char *prefix)
{
	_cleanup_free_ char *e = cli_escape(ident), *path = NULL, *tpath = NULL, *te = NULL;
	struct cli_response r, t;
	const char *k, *tid;
	json_t *v;

	if (!lng)
		return cli_do_show(c, coll, ident);
	if (e == NULL || asprintf(&path, "/v1/%s/%s", coll, e) < 0)
		return cli_fail("out of memory");
	if (cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	tid = json_string_value(json_object_get(r.body, tkey));
	te = tid ? cli_escape(tid) : NULL;
	if (te && asprintf(&tpath, "/v1/%s/%s", tcoll, te) >= 0) {
		if (cli_get(c, tpath, &t)) {
			cli_response_free(&r);
			return CLI_EXIT_ERROR;
		}
		json_object_foreach(t.body, k, v) {
			_cleanup_free_ char *key = NULL;

			if (streq(k, "links") || streq(k, "uuid"))
				continue;
			if (asprintf(&key, "%s%s", prefix, k) >= 0)
				json_object_set(r.body, key, v);
		}
		cli_response_free(&t);
	}
	show_long_extras(c, coll, r.body);
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cmd_bay_show(struct cli *c, int argc, char **argv)
{
	static const struct cli_opt opts[] = {
		{ "--long", CLI_OPT_FLAG, NULL, false, NULL },
		{ NULL, 0, NULL, false, NULL },
	};
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, opts, 1, 1, "<bay>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_show_long(c, "bays", a.pos[0], cli_arg_flag(&a, "--long"), "baymodels",
			     "baymodel_id", "baymodel_");
}

int
cmd_bay_update(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 3, -1, "<bay>, <op>, <attribute>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	/* At 1.2+ the update is asynchronous (202): the client prints "accepted". */
	return cli_do_update(c, "bays", "bay", a.pos[0], a.pos[1], a.pos + 2, a.npos - 2,
			     false, NULL);
}

int
cmd_bay_delete(struct cli *c, int argc, char **argv)
{
	struct cli_args a;
	int rc;

	rc = cli_args_parse(c, NULL, 1, -1, "<bay>", argc, argv, &a);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return cli_do_delete(c, "bays", "bay", a.pos, a.npos);
}
