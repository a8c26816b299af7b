/*
 * auth.c - Keystone v3 authentication from the OS_* environment (the openrc
 * file magnumd writes works as is): password or token method with project
 * scope, the token from X-Subject-Token, the Magnum endpoint from the catalog
 * (type container-infra, falling back to container). OS_TOKEN plus a bypass
 * URL skips Keystone altogether.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static const char *
env2(const char *a, const char *b)
{
	return env(a) ? env(a) : env(b);
}

/* Strip trailing '/' and a trailing "/v1": the client adds "/v1/..." itself. */
static char *
trim_endpoint(const char *url)
{
	char *s = strdup(url);
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	while (n && s[n - 1] == '/')
		s[--n] = '\0';
	if (n >= 3 && streq(s + n - 3, "/v1"))
		s[n -= 3] = '\0';
	while (n && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* "<auth_url>/auth/tokens", adding /v3 to an unversioned URL. */
static int
tokens_url(const char *auth_url, char **ret)
{
	_cleanup_free_ char *base = strdup(auth_url);
	size_t n;

	if (base == NULL)
		return -ENOMEM;
	n = strlen(base);
	while (n && base[n - 1] == '/')
		base[--n] = '\0';
	if (n >= 5 && streq(base + n - 5, "/v2.0")) {
		fprintf(stderr, "ERROR: Keystone v2.0 is not supported; use a v3 OS_AUTH_URL\n");
		return -EINVAL;
	}
	if (asprintf(ret, "%s%s/auth/tokens", base,
		     n >= 3 && streq(base + n - 3, "/v3") ? "" : "/v3") < 0)
		return -ENOMEM;
	return 0;
}

/* {"domain": {"id": ...}} or {"domain": {"name": ...}} from the id/name variables. */
static json_t *
domain_ref(const char *id_var, const char *name_var)
{
	if (env(id_var))
		return json_pack("{s:s}", "id", env(id_var));
	return json_pack("{s:s}", "name", env(name_var) ? env(name_var) : "Default");
}

static int
build_body(json_t **ret)
{
	_cleanup_json_ json_t *body = NULL, *identity = NULL, *user = NULL, *scope = NULL;
	const char *token = env("OS_TOKEN");
	const char *pid = env2("OS_PROJECT_ID", "OS_TENANT_ID");
	const char *pname = env2("OS_PROJECT_NAME", "OS_TENANT_NAME");

	if (token) {
		identity = json_pack("{s:[s], s:{s:s}}", "methods", "token", "token", "id", token);
	} else {
		if (!env("OS_USERNAME") && !env("OS_USER_ID")) {
			fprintf(stderr, "ERROR: You must provide a username via either "
					"--os-username or via env[OS_USERNAME]\n");
			return -EINVAL;
		}
		if (!env("OS_PASSWORD")) {
			fprintf(stderr, "ERROR: You must provide a password via either "
					"--os-password, env[OS_PASSWORD], or prompted response\n");
			return -EINVAL;
		}
		if (env("OS_USER_ID"))
			user = json_pack("{s:s, s:s}", "id", env("OS_USER_ID"), "password",
					 env("OS_PASSWORD"));
		else
			user = json_pack("{s:s, s:o, s:s}", "name", env("OS_USERNAME"), "domain",
					 domain_ref("OS_USER_DOMAIN_ID", "OS_USER_DOMAIN_NAME"),
					 "password", env("OS_PASSWORD"));
		if (user == NULL)
			return -ENOMEM;
		identity = json_pack("{s:[s], s:{s:O}}", "methods", "password", "password",
				     "user", user);
	}
	if (pid)
		scope = json_pack("{s:{s:s}}", "project", "id", pid);
	else if (pname)
		scope = json_pack("{s:{s:s, s:o}}", "project", "name", pname, "domain",
				  domain_ref("OS_PROJECT_DOMAIN_ID", "OS_PROJECT_DOMAIN_NAME"));
	body = json_pack("{s:{s:O}}", "auth", "identity", identity);
	if (body == NULL)
		return -ENOMEM;
	if (scope && json_object_set(json_object_get(body, "auth"), "scope", scope) < 0)
		return -ENOMEM;
	*ret = TAKE_PTR(body);
	return 0;
}

/* "publicURL" -> "public", as keystoneauth accepts both spellings. */
static bool
interface_match(const char *have, const char *want)
{
	size_t n = strlen(want);

	if (n > 3 && streq(want + n - 3, "URL"))
		n -= 3;
	return have && strlen(have) == n && strncmp(have, want, n) == 0;
}

/* The endpoint URL for a service type in the catalog, or NULL. */
static const char *
catalog_find(json_t *catalog, const char *type, const char *iface, const char *region)
{
	json_t *svc, *ep;
	size_t i, j;

	json_array_foreach(catalog, i, svc) {
		if (!streq_ptr(json_string_value(json_object_get(svc, "type")), type))
			continue;
		json_array_foreach(json_object_get(svc, "endpoints"), j, ep) {
			const char *r = json_string_value(json_object_get(ep, "region_id"));
			const char *rn = json_string_value(json_object_get(ep, "region"));

			if (!interface_match(json_string_value(json_object_get(ep, "interface")),
					     iface))
				continue;
			if (region && !streq_ptr(r, region) && !streq_ptr(rn, region))
				continue;
			return json_string_value(json_object_get(ep, "url"));
		}
	}
	return NULL;
}

int
cli_auth(struct cli *c)
{
	_cleanup_json_ json_t *body = NULL;
	_cleanup_free_ char *url = NULL;
	const char *auth_url = env("OS_AUTH_URL"), *ep = NULL;
	struct cli_response r;
	int rc;

	/* Token-only: no Keystone round trip. */
	if (env("OS_TOKEN") && c->bypass_url) {
		c->token = strdup(env("OS_TOKEN"));
		c->endpoint = trim_endpoint(c->bypass_url);
		return c->token && c->endpoint ? 0 : -ENOMEM;
	}
	if (auth_url == NULL) {
		fprintf(stderr, "ERROR: You must provide an auth url via either --os-auth-url or "
				"via env[OS_AUTH_URL]\n");
		return -EINVAL;
	}
	rc = build_body(&body);
	if (rc < 0)
		return rc;
	rc = tokens_url(auth_url, &url);
	if (rc < 0)
		return rc;
	rc = cli_http(c, "POST", url, body, false, &r);
	if (rc < 0)
		return rc;
	if (r.status != 201 || r.subject_token[0] == '\0') {
		_cleanup_free_ char *msg = cli_error_message(&r);

		fprintf(stderr, "ERROR: authentication failed (HTTP %ld): %s%s%s%s\n", r.status,
			strempty(msg), r.request_id[0] ? " (Request-ID: " : "", r.request_id,
			r.request_id[0] ? ")" : "");
		cli_response_free(&r);
		return -EPERM;
	}
	c->token = strdup(r.subject_token);
	if (c->bypass_url) {
		c->endpoint = trim_endpoint(c->bypass_url);
	} else {
		json_t *cat = json_object_get(json_object_get(r.body, "token"), "catalog");
		const char *region = env("OS_REGION_NAME");

		ep = catalog_find(cat, c->service_type, c->interface, region);
		if (ep == NULL && streq(c->service_type, "container-infra"))
			ep = catalog_find(cat, "container", c->interface, region);
		if (ep)
			c->endpoint = trim_endpoint(ep);
	}
	cli_response_free(&r);
	if (c->token == NULL)
		return -ENOMEM;
	if (c->endpoint == NULL) {
		fprintf(stderr, "ERROR: No %s endpoint (interface %s%s%s) in the service catalog\n",
			c->service_type, c->interface, env("OS_REGION_NAME") ? ", region " : "",
			strempty(env("OS_REGION_NAME")));
		return -ENOENT;
	}
	return 0;
}
