/* client.c - HTTP to the Magnum API with libcurl, and Keystone v3 authentication. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

struct hdrs {
	char	token[256];
	char	rid[64];
};

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
	return strbuf_append(ud, p, sz * n) < 0 ? 0 : sz * n;
}

static void
header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), i;

	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	for (i = nl + 1; i < len && line[i] == ' '; i++)
		;
	size_t vlen = len - i;
	while (vlen && (line[i + vlen - 1] == '\r' || line[i + vlen - 1] == '\n'))
		vlen--;
	if (vlen >= outlen)
		vlen = outlen - 1;
	memcpy(out, line + i, vlen);
	out[vlen] = '\0';
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct hdrs *h = ud;

	header_value(p, sz * n, "X-Subject-Token", h->token, sizeof(h->token));
	header_value(p, sz * n, "x-openstack-request-id", h->rid, sizeof(h->rid));
	return sz * n;
}

/* A raw request to an absolute URL. */
static int
http(struct cli *c, const char *method, const char *url, json_t *body, bool auth,
     struct cli_response *ret, struct hdrs *h)
{
	struct curl_slist *hl = NULL;
	struct strbuf sb = STRBUF_INIT;
	_cleanup_free_ char *payload = NULL;
	char line[512];
	CURLcode rc;
	CURL *e = c->curl;

	memset(ret, 0, sizeof(*ret));
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sb);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	hl = curl_slist_append(hl, "Accept: application/json");
	if (body) {
		payload = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload);
	}
	if (auth && c->token) {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", c->token);
		hl = curl_slist_append(hl, line);
	}
	if (auth && c->api_version) {
		snprintf(line, sizeof(line), "OpenStack-API-Version: container-infra %s",
			 c->api_version);
		hl = curl_slist_append(hl, line);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	if (c->debug)
		fprintf(stderr, "REQ: %s %s%s%s\n", method, url, payload ? " " : "",
			payload ? payload : "");
	rc = curl_easy_perform(e);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "ERROR: cannot reach %s: %s\n", url, curl_easy_strerror(rc));
		strbuf_free(&sb);
		return -1;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &ret->status);
	ret->raw = strbuf_steal(&sb);
	ret->body = ret->raw[0] ? json_loads(ret->raw, JSON_DECODE_ANY, NULL) : NULL;
	snprintf(ret->request_id, sizeof(ret->request_id), "%s", h->rid);
	if (c->debug)
		fprintf(stderr, "RESP: [%ld] %s\n", ret->status, ret->raw);
	return 0;
}

int
cli_request(struct cli *c, const char *method, const char *path, json_t *body,
	    struct cli_response *ret)
{
	struct hdrs h = { { 0 }, { 0 } };
	char url[2048];

	snprintf(url, sizeof(url), "%s%s", c->endpoint, path);
	return http(c, method, url, body, true, ret, &h);
}

void
cli_response_free(struct cli_response *r)
{
	json_decref(r->body);
	free(r->raw);
	r->body = NULL;
	r->raw = NULL;
}

int
cli_print_error(const struct cli_response *r)
{
	json_t *e = json_array_get(json_object_get(r->body, "errors"), 0);
	const char *msg = json_string_value(json_object_get(e, "detail"));

	if (msg == NULL || *msg == '\0')
		msg = json_string_value(json_object_get(e, "title"));
	if (msg == NULL || *msg == '\0')
		msg = json_string_value(json_object_get(e, "description"));
	if (msg == NULL)
		msg = json_string_value(json_object_get(json_object_get(r->body, "error"),
							"message"));
	fprintf(stderr, "ERROR: %s (HTTP %ld) (Request-ID: %s)\n", msg ? msg : "request failed",
		r->status, r->request_id);
	return 1;
}

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int
cli_connect(struct cli *c)
{
	const char *auth = env_or("OS_AUTH_URL", NULL), *bypass = env_or("MAGNUM_URL", NULL);
	const char *token = env_or("OS_TOKEN", NULL);
	const char *iface = env_or("OS_INTERFACE", env_or("OS_ENDPOINT_TYPE", "public"));
	const char *udom = env_or("OS_USER_DOMAIN_NAME", "Default");
	const char *pdom = env_or("OS_PROJECT_DOMAIN_NAME", "Default");
	struct cli_response r;
	struct hdrs h = { { 0 }, { 0 } };
	json_t *body, *cat, *svc, *ep;
	char url[2048];
	size_t i, j;
	int rc;

	c->curl = curl_easy_init();
	if (c->endpoint == NULL && bypass)
		c->endpoint = strdup(bypass);
	if (token && c->endpoint) {
		c->token = strdup(token);
		return 0;
	}
	if (auth == NULL) {
		fprintf(stderr, "ERROR: You must provide an auth url via either --os-auth-url or "
				"env[OS_AUTH_URL] (source the admin-openrc.sh magnumd wrote)\n");
		return -1;
	}
	body = json_pack("{s:{s:{s:[s], s:{s:{s:s?, s:{s:s}, s:s?}}}}}", "auth", "identity",
			 "methods", "password", "password", "user", "name",
			 env_or("OS_USERNAME", NULL), "domain", "name", udom, "password",
			 env_or("OS_PASSWORD", NULL));
	if (env_or("OS_PROJECT_ID", NULL))
		json_object_set_new(json_object_get(body, "auth"), "scope",
				    json_pack("{s:{s:s}}", "project", "id",
					      env_or("OS_PROJECT_ID", NULL)));
	else if (env_or("OS_PROJECT_NAME", NULL))
		json_object_set_new(json_object_get(body, "auth"), "scope",
				    json_pack("{s:{s:s, s:{s:s}}}", "project", "name",
					      env_or("OS_PROJECT_NAME", NULL), "domain", "name",
					      pdom));
	snprintf(url, sizeof(url), "%s/auth/tokens", auth);
	rc = http(c, "POST", url, body, false, &r, &h);
	json_decref(body);
	if (rc < 0)
		return -1;
	if (r.status != 201 || h.token[0] == '\0') {
		fprintf(stderr, "ERROR: authentication failed (HTTP %ld)\n", r.status);
		cli_response_free(&r);
		return -1;
	}
	c->token = strdup(h.token);
	cat = json_object_get(json_object_get(r.body, "token"), "catalog");
	json_array_foreach(cat, i, svc) {
		const char *type = json_string_value(json_object_get(svc, "type"));
		if (type == NULL || (strcmp(type, "container-infra") && strcmp(type, "container")))
			continue;
		json_array_foreach(json_object_get(svc, "endpoints"), j, ep) {
			const char *in = json_string_value(json_object_get(ep, "interface"));
			if (in && strncmp(in, iface, strlen(in)) == 0 && c->endpoint == NULL)
				c->endpoint = strdup(json_string_value(json_object_get(ep, "url")));
		}
	}
	cli_response_free(&r);
	if (c->endpoint == NULL) {
		fprintf(stderr, "ERROR: no container-infra endpoint in the service catalog\n");
		return -1;
	}
	while (strlen(c->endpoint) && c->endpoint[strlen(c->endpoint) - 1] == '/')
		c->endpoint[strlen(c->endpoint) - 1] = '\0';
	return 0;
}
