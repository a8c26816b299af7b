/*
 * resource.c - the operations the commands share: get and check, show, list
 * with the pagination options, delete many, JSON-Patch update, and waiting
 * for a create to finish (status changes and events).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

int
cli_call(struct cli *c, const char *method, const char *path, json_t *body,
	 struct cli_response *ret)
{
	struct cli_response r;

	if (cli_request(c, method, path, body, &r) < 0)
		return CLI_EXIT_ERROR;
	if (r.status >= 400) {
		cli_print_error(&r);
		cli_response_free(&r);
		return CLI_EXIT_ERROR;
	}
	*ret = r;
	return 0;
}

int
cli_get(struct cli *c, const char *path, struct cli_response *ret)
{
	return cli_call(c, "GET", path, NULL, ret);
}

/* "/v1/<coll>/<escaped ident><suffix>" (caller frees). */
static char *
item_path(const char *coll, const char *ident, const char *suffix)
{
	_cleanup_free_ char *e = cli_escape(ident);
	char *p;

	if (e == NULL || asprintf(&p, "/v1/%s/%s%s", coll, e, suffix) < 0)
		return NULL;
	return p;
}

int
cli_do_show(struct cli *c, const char *coll, const char *ident)
{
	_cleanup_free_ char *path = item_path(coll, ident, "");
	struct cli_response r;

	if (path == NULL || cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cli_resolve_uuid(struct cli *c, const char *coll, const char *ident, char **ret_uuid)
{
	_cleanup_free_ char *path = item_path(coll, ident, "");
	struct cli_response r;
	const char *uuid;

	if (path == NULL || cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	uuid = json_string_value(json_object_get(r.body, "uuid"));
	*ret_uuid = uuid ? strdup(uuid) : NULL;
	cli_response_free(&r);
	if (*ret_uuid == NULL)
		return cli_fail("the server's answer for %s has no uuid", ident);
	return 0;
}

/* The list options every list command accepts (append command-specific ones after). */
const struct cli_opt cli_list_opts[] = {
	{ "--marker", CLI_OPT_VALUE, NULL, false, "<marker>" },
	{ "--limit", CLI_OPT_VALUE, NULL, false, "<limit>" },
	{ "--sort-key", CLI_OPT_VALUE, NULL, false, "<sort-key>" },
	{ "--sort-dir", CLI_OPT_VALUE, NULL, false, "<sort-dir>" },
	{ "--fields", CLI_OPT_VALUE, NULL, false, "<fields>" },
	{ NULL, 0, NULL, false, NULL },
};

static int
add_query(struct strbuf *q, const char *key, const char *value)
{
	_cleanup_free_ char *e = NULL;

	if (value == NULL)
		return 0;
	e = cli_escape(value);
	if (e == NULL)
		return -ENOMEM;
	return strbuf_printf(q, "%s%s=%s", q->len ? "&" : "?", key, e);
}

int
cli_do_list(struct cli *c, const struct cli_args *a, const char *coll, const char *key,
	    const char *const *cols, size_t ncols)
{
	struct strbuf q = STRBUF_INIT;
	_cleanup_free_ char *query = NULL, *path = NULL, *fields = NULL;
	const char *allcols[64];
	const char *dir = cli_arg(a, "--sort-dir"), *limit = cli_arg(a, "--limit");
	struct cli_response r;
	long long n;
	size_t total = 0;

	if (dir && !streq(dir, "asc") && !streq(dir, "desc"))
		return cli_fail("sort_dir must be one of asc, desc");
	if (limit && (cli_parse_int(limit, &n) < 0))
		return cli_usage_error(c, "argument --limit: invalid int value: '%s'", limit);
	if (limit && n < 0)
		limit = NULL;	/* the client: a negative limit means no limit */
	if (add_query(&q, "limit", limit) < 0 || add_query(&q, "marker", cli_arg(a, "--marker")) < 0 ||
	    add_query(&q, "sort_key", cli_arg(a, "--sort-key")) < 0 ||
	    add_query(&q, "sort_dir", dir) < 0 || add_query(&q, "role", cli_arg(a, "--role")) < 0) {
		strbuf_free(&q);
		return cli_fail("out of memory");
	}
	if (cli_arg_flag(a, "--all-tenants"))
		strbuf_printf(&q, "%sall_tenants=True", q.len ? "&" : "?");
	strbuf_puts(&q, "");
	query = strbuf_steal(&q);
	if (query == NULL || asprintf(&path, "/v1/%s%s", coll, query) < 0)
		return cli_fail("out of memory");

	for (size_t i = 0; i < ncols && total < ARRAY_SIZE(allcols); i++)
		allcols[total++] = cols[i];
	/* --fields a,b adds columns not already shown. */
	if (cli_arg(a, "--fields")) {
		char *f, *comma;

		fields = strdup(cli_arg(a, "--fields"));
		if (fields == NULL)
			return cli_fail("out of memory");
		for (f = fields; f; f = comma ? comma + 1 : NULL) {
			bool dup = false;

			comma = strchr(f, ',');
			if (comma)
				*comma = '\0';
			while (*f == ' ')
				f++;
			for (size_t i = 0; i < total; i++)
				dup |= streq(allcols[i], f);
			if (!dup && *f && total < ARRAY_SIZE(allcols))
				allcols[total++] = f;
		}
	}
	if (cli_get(c, path, &r))
		return CLI_EXIT_ERROR;
	cli_print_list(c, r.body, key, allcols, total);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

int
cli_do_delete(struct cli *c, const char *coll, const char *what, char *const *idents, int n)
{
	int rc = CLI_EXIT_OK;

	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = item_path(coll, idents[i], "");
		_cleanup_free_ char *msg = NULL;
		struct cli_response r;

		if (path == NULL || cli_request(c, "DELETE", path, NULL, &r) < 0) {
			rc = CLI_EXIT_ERROR;
			continue;
		}
		if (r.status >= 400) {
			msg = cli_error_message(&r);
			fprintf(stderr, "Delete for %s %s failed: %s (HTTP %ld)%s%s%s\n", what,
				idents[i], strempty(msg), r.status,
				r.request_id[0] ? " (Request-ID: " : "", r.request_id,
				r.request_id[0] ? ")" : "");
			rc = CLI_EXIT_ERROR;
		} else {
			printf("Request to delete %s %s has been accepted.\n", what, idents[i]);
		}
		cli_response_free(&r);
	}
	return rc;
}

int
cli_do_update(struct cli *c, const char *coll, const char *what, const char *ident,
	      const char *op, char *const *attrs, int n, bool accepted_msg, const char *query)
{
	_cleanup_json_ json_t *ops = NULL;
	_cleanup_free_ char *err = NULL, *path = NULL;
	struct cli_response r;
	int rc;

	if (!streq(op, "add") && !streq(op, "replace") && !streq(op, "remove"))
		return cli_usage_error(c, "argument <op>: invalid choice: '%s' (choose from "
				       "'add', 'replace', 'remove')", op);
	rc = cli_patch_build(op, (const char *const *)attrs, (size_t)n, &ops, &err);
	if (rc < 0)
		return cli_fail("%s", err ? err : "out of memory");
	path = item_path(coll, ident, query ? query : "");
	if (path == NULL || cli_call(c, "PATCH", path, ops, &r))
		return CLI_EXIT_ERROR;
	if (c->json)
		cli_print_json(r.body);
	else if (accepted_msg || r.status == 202)
		printf("Request to update %s %s has been accepted.\n", what, ident);
	else
		cli_print_show(c, r.body);
	cli_response_free(&r);
	return CLI_EXIT_OK;
}

/* Print the events after the first *seen ones; a 404 (no events route) is ignored. */
static void
print_events(struct cli *c, const char *coll, const char *uuid, size_t *seen)
{
	_cleanup_free_ char *path = item_path(coll, uuid, "/events");
	struct cli_response r;
	json_t *e;
	size_t i;

	if (path == NULL || cli_request(c, "GET", path, NULL, &r) < 0)
		return;
	if (r.status == 200) {
		json_array_foreach(json_object_get(r.body, "events"), i, e) {
			json_t *pr = json_object_get(e, "progress");

			if (i < *seen)
				continue;
			printf("%s  %-20s %4.0f%%  %s\n",
			       strempty(json_string_value(json_object_get(e, "created_at"))),
			       strempty(json_string_value(json_object_get(e, "step"))),
			       json_is_number(pr) ? json_number_value(pr) : 0.0,
			       strempty(json_string_value(json_object_get(e, "message"))));
			*seen = i + 1;
		}
	}
	cli_response_free(&r);
}

int
cli_wait_create(struct cli *c, const char *coll, const char *what, const char *uuid,
		long interval, long limit)
{
	_cleanup_free_ char *path = item_path(coll, uuid, "");
	char last[64] = "";
	size_t seen = 0;
	time_t start = time(NULL);

	if (path == NULL)
		return cli_fail("out of memory");
	for (;;) {
		struct cli_response r;
		const char *status;
		size_t len;

		print_events(c, coll, uuid, &seen);
		if (cli_get(c, path, &r))
			return CLI_EXIT_ERROR;
		status = json_string_value(json_object_get(r.body, "status"));
		if (status && !streq(status, last)) {
			printf("%s %s: %s\n", what, uuid, status);
			snprintf(last, sizeof(last), "%s", status);
		}
		fflush(stdout);
		len = status ? strlen(status) : 0;
		if (status && streq(status, "CREATE_COMPLETE")) {
			cli_response_free(&r);
			return CLI_EXIT_OK;
		}
		if (status && ((len > 7 && streq(status + len - 7, "_FAILED")) ||
			       (len > 9 && streq(status + len - 9, "_COMPLETE")))) {
			const char *reason = json_string_value(json_object_get(r.body,
									       "status_reason"));

			fprintf(stderr, "ERROR: %s %s is %s: %s\n", what, uuid, status,
				reason ? reason : "-");
			cli_response_free(&r);
			return CLI_EXIT_ERROR;
		}
		cli_response_free(&r);
		if (limit > 0 && time(NULL) - start + interval > limit)
			break;
		sleep((unsigned int)interval);
	}
	fprintf(stderr, "ERROR: timed out after %ld s waiting for %s %s (status %s)\n", limit,
		what, uuid, last[0] ? last : "unknown");
	return CLI_EXIT_ERROR;
}

int
cli_read_file(const char *path, char **ret)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (sb.len + n > (1u << 20) || strbuf_append(&sb, buf, n) < 0) {
			fclose(f);
			strbuf_free(&sb);
			return -EFBIG;
		}
	}
	fclose(f);
	strbuf_puts(&sb, "");
	*ret = strbuf_steal(&sb);
	return *ret ? 0 : -ENOMEM;
}

int
cli_body_build(const struct cli *c, const struct cli_args *a, const struct cli_field *f,
	       json_t **ret)
{
	_cleanup_json_ json_t *body = json_object();

	if (body == NULL)
		return cli_fail("out of memory");
	for (; f->key; f++) {
		const char *v = cli_arg(a, f->opt);
		json_t *jv = NULL;
		long long n = 0;

		if (f->optional && !cli_arg_given(a, f->opt))
			continue;
		switch (f->type) {
		case CLI_F_STR:
			jv = v ? json_string(v) : json_null();
			break;
		case CLI_F_INT:
			if (v && cli_parse_int(v, &n) < 0)
				return cli_usage_error(c, "argument %s: invalid int value: '%s'",
						       f->opt, v);
			jv = v ? json_integer(n) : json_null();
			break;
		case CLI_F_BOOL:
			jv = json_boolean(cli_arg_flag(a, f->opt));
			break;
		case CLI_F_LABELS: {
			_cleanup_free_ char *err = NULL;
			const char *const *items;
			size_t cnt;

			items = cli_arg_list(a, f->opt, &cnt);
			if (cli_labels_parse(items, cnt, &jv, &err) < 0)
				return cli_fail("%s", err ? err : "out of memory");
			break;
		}
		}
		if (jv == NULL || json_object_set_new(body, f->key, jv) < 0)
			return cli_fail("out of memory");
	}
	*ret = TAKE_PTR(body);
	return 0;
}

int
cli_name_arg(const struct cli_args *a, const char **ret)
{
	const char *pos = a->npos > 0 ? a->pos[0] : NULL, *opt = cli_arg(a, "--name");

	if (pos && opt)
		return cli_fail("Duplicate \"<name>\" arguments: (%s, %s); use only the "
				"positional <name>", pos, opt);
	*ret = pos ? pos : opt;
	return 0;
}
