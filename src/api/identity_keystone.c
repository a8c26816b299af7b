/*
 * identity_keystone.c - auth_strategy = keystone: validate X-Auth-Token with
 * a real Keystone v3 (GET /v3/auth/tokens), with a service token when a
 * service user is configured, and a short cache keyed by the token's SHA-256
 * (tokens themselves are never stored or logged).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <curl/curl.h>

#include "api/auth.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "x509/digest.h"

#define CACHE_SIZE 1024

struct cached {
	char		hash[65];
	time_t		until;
	struct identity	id;	/* roles kept as a JSON array (owned) */
};

static pthread_mutex_t ks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[CACHE_SIZE];
static char service_token[512];
static time_t service_until;

static const char *
ks_uri(void)
{
	const char *u = conf_str("keystone_authtoken", "www_authenticate_uri");

	return u ? u : conf_str("keystone_authtoken", "auth_url");
}

struct resp {
	struct strbuf	body;
	char		subject[512];
};

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
	return strbuf_append(&((struct resp *)ud)->body, p, sz * n) < 0 ? 0 : sz * n;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = sz * n;

	if (len > 16 && strncasecmp(p, "X-Subject-Token:", 16) == 0) {
		size_t i = 16;
		while (i < len && p[i] == ' ')
			i++;
		size_t v = len - i;
		while (v && (p[i + v - 1] == '\r' || p[i + v - 1] == '\n'))
			v--;
		if (v < sizeof(r->subject)) {
			memcpy(r->subject, p + i, v);
			r->subject[v] = '\0';
		}
	}
	return len;
}

/* One call to Keystone. Returns the HTTP status or -EAGAIN when unreachable. */
static long
ks_call(const char *method, const char *path, const char *auth, const char *subject,
	const char *body, struct resp *out)
{
	struct curl_slist *h = NULL;
	char url[1024], line[700];
	CURL *e = curl_easy_init();
	long status = -EAGAIN;

	if (e == NULL)
		return -ENOMEM;
	snprintf(url, sizeof(url), "%s%s", ks_uri(), path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, out);
	h = curl_slist_append(h, "Accept: application/json");
	if (auth) {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", auth);
		h = curl_slist_append(h, line);
	}
	if (subject) {
		snprintf(line, sizeof(line), "X-Subject-Token: %s", subject);
		h = curl_slist_append(h, line);
	}
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	explicit_bzero(line, sizeof(line));
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return status;
}

/* A token of the configured service user (cached until shortly before expiry). */
static int
get_service_token(char *out, size_t len)
{
	const char *user = conf_str("keystone_authtoken", "username");
	_cleanup_free_ char *body = NULL;
	struct resp r = { STRBUF_INIT, "" };
	json_t *j;
	long st;

	if (user == NULL)
		return -ENOENT;
	if (service_token[0] && time(NULL) < service_until) {
		snprintf(out, len, "%s", service_token);
		return 0;
	}
	j = json_pack("{s:{s:{s:[s], s:{s:{s:s, s:s?, s:{s:s}}}}, s:{s:{s:s, s:{s:s}}}}}",
		      "auth", "identity", "methods", "password", "password", "user", "name", user,
		      "password", conf_str("keystone_authtoken", "password"), "domain", "name",
		      conf_str("keystone_authtoken", "user_domain_name"), "scope", "project",
		      "name", conf_str("keystone_authtoken", "project_name"), "domain", "name",
		      conf_str("keystone_authtoken", "project_domain_name"));
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (body == NULL)
		return -ENOMEM;
	st = ks_call("POST", "/auth/tokens", NULL, NULL, body, &r);
	strbuf_free(&r.body);
	if (st < 0)
		return (int)st;
	if (st != 201 || r.subject[0] == '\0')
		return -EACCES;
	snprintf(service_token, sizeof(service_token), "%s", r.subject);
	service_until = time(NULL) + 600;
	snprintf(out, len, "%s", service_token);
	return 0;
}

static void
fill_identity(json_t *tok, struct identity *id)
{
	json_t *roles = json_array(), *r;
	size_t i;

	memset(id, 0, sizeof(*id));
	id->authenticated = true;
	snprintf(id->user_id, sizeof(id->user_id), "%s",
		 strempty(json_string_value(json_object_get(json_object_get(tok, "user"), "id"))));
	snprintf(id->user_name, sizeof(id->user_name), "%s",
		 strempty(json_string_value(json_object_get(json_object_get(tok, "user"), "name"))));
	snprintf(id->project_id, sizeof(id->project_id), "%s",
		 strempty(json_string_value(json_object_get(json_object_get(tok, "project"), "id"))));
	snprintf(id->project_name, sizeof(id->project_name), "%s",
		 strempty(json_string_value(json_object_get(json_object_get(tok, "project"),
							    "name"))));
	json_array_foreach(json_object_get(tok, "roles"), i, r)
		json_array_append(roles, json_object_get(r, "name"));
	auth_identity_set_roles(id, roles);
	json_decref(roles);
}

int
auth_keystone_validate(const char *token, struct identity *id)
{
	char hash[65], svc[512];
	struct resp r = { STRBUF_INIT, "" };
	time_t now = time(NULL);
	json_t *doc, *tok;
	size_t slot;
	long st;
	int rc;

	if (token == NULL || strlen(token) > 4096 || ks_uri() == NULL)
		return -EPERM;
	if (digest_sha256_hex(token, strlen(token), hash) < 0)
		return -EIO;
	slot = strtoul(hash + 56, NULL, 16) % CACHE_SIZE;
	pthread_mutex_lock(&ks_lock);
	if (streq(cache[slot].hash, hash) && now < cache[slot].until) {
		*id = cache[slot].id;
		id->roles = json_incref(cache[slot].id.roles);
		pthread_mutex_unlock(&ks_lock);
		return 0;
	}
	rc = get_service_token(svc, sizeof(svc));
	pthread_mutex_unlock(&ks_lock);
	if (rc == -EAGAIN)
		return -EAGAIN;
	/* Without a service user a token validates itself. */
	st = ks_call("GET", "/auth/tokens", rc == 0 ? svc : token, token, NULL, &r);
	explicit_bzero(svc, sizeof(svc));
	if (st < 0) {
		strbuf_free(&r.body);
		return -EAGAIN;
	}
	if (st != 200) {
		strbuf_free(&r.body);
		if (st == 401 && rc == 0) {	/* the service token may have expired */
			pthread_mutex_lock(&ks_lock);
			service_token[0] = '\0';
			pthread_mutex_unlock(&ks_lock);
		}
		return -EPERM;
	}
	doc = json_loads(r.body.buf ? r.body.buf : "", 0, NULL);
	strbuf_free(&r.body);
	tok = json_object_get(doc, "token");
	if (tok == NULL) {
		json_decref(doc);
		return -EPERM;
	}
	fill_identity(tok, id);
	json_decref(doc);
	pthread_mutex_lock(&ks_lock);
	json_decref(cache[slot].id.roles);
	memcpy(cache[slot].hash, hash, sizeof(hash));
	cache[slot].until = now + conf_int("keystone_authtoken", "token_cache_time");
	cache[slot].id = *id;
	cache[slot].id.roles = json_incref(id->roles);
	pthread_mutex_unlock(&ks_lock);
	return 0;
}
