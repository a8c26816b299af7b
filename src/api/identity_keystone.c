/*
 * identity_keystone.c - auth_strategy = keystone: validate X-Auth-Token with
 * a real Keystone v3 (GET <www_authenticate_uri>/auth/tokens), authenticated
 * by a service token when [keystone_authtoken] username is set (otherwise the
 * token validates itself), and cache the identity for token_cache_time
 * seconds in a table keyed by the token's SHA-256. Tokens are never logged
 * and never used as keys.
 *
 * Threads: one libcurl handle per API thread (reused, so connections to
 * Keystone stay open), the cache and the service token each behind their own
 * mutex, and no lock is held during network I/O.
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
#include "common/util.h"
#include "x509/x509.h"

#define CACHE_SLOTS	1024
#define MAX_TOKEN_LEN	8192
#define MAX_BODY	(4u << 20)

struct cached {
	char		hash[65];	/* SHA-256 of the token, "" = free */
	time_t		until;
	struct identity	id;		/* roles: owned, never shared outside the lock */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[CACHE_SLOTS];

static pthread_mutex_t svc_lock = PTHREAD_MUTEX_INITIALIZER;
static char svc_token[MAX_TOKEN_LEN + 1];
static time_t svc_until;
static bool svc_warned;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static pthread_key_t curl_key;

static void
curl_handle_free(void *e)
{
	curl_easy_cleanup(e);
}

static void
curl_key_make(void)
{
	(void)pthread_key_create(&curl_key, curl_handle_free);
}

/* This thread's libcurl handle, reset to defaults (connections are kept). NULL on OOM. */
static CURL *
thread_curl(void)
{
	CURL *e;

	pthread_once(&curl_once, curl_key_make);
	e = pthread_getspecific(curl_key);
	if (e) {
		curl_easy_reset(e);
		return e;
	}
	e = curl_easy_init();
	if (e && pthread_setspecific(curl_key, e) != 0) {
		curl_easy_cleanup(e);
		e = NULL;
	}
	return e;
}

/* "<uri>" as a base ending in /v3, without a trailing slash. */
static int
ks_url(const char *uri, const char *path, char *out, size_t len)
{
	size_t n;

	if (uri == NULL || *uri == '\0')
		return -ENOENT;
	n = strlen(uri);
	while (n && uri[n - 1] == '/')
		n--;
	if (n >= 3 && strncmp(uri + n - 3, "/v3", 3) == 0)
		n -= 3;
	if ((size_t)snprintf(out, len, "%.*s/v3%s", (int)n, uri, path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static const char *
validate_uri(void)
{
	const char *u = conf_str("keystone_authtoken", "www_authenticate_uri");

	return u && *u ? u : conf_str("keystone_authtoken", "auth_url");
}

static const char *
service_uri(void)
{
	const char *u = conf_str("keystone_authtoken", "auth_url");

	return u && *u ? u : conf_str("keystone_authtoken", "www_authenticate_uri");
}

struct resp {
	struct strbuf	body;
	char		subject[MAX_TOKEN_LEN + 1];
};

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;

	if (r->body.len + sz * n > MAX_BODY)
		return 0;
	return strbuf_append(&r->body, p, sz * n) < 0 ? 0 : sz * n;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = sz * n, i = 16, v;

	if (len <= 16 || strncasecmp(p, "X-Subject-Token:", 16) != 0)
		return len;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	v = len - i;
	while (v && (p[i + v - 1] == '\r' || p[i + v - 1] == '\n' || p[i + v - 1] == ' '))
		v--;
	if (v < sizeof(r->subject)) {
		memcpy(r->subject, p + i, v);
		r->subject[v] = '\0';
	}
	return len;
}

/* Append "Name: value" to h; the line is wiped (it may hold a token). */
static struct curl_slist *
header_add(struct curl_slist *h, const char *name, const char *value)
{
	_cleanup_free_ char *line = NULL;
	struct curl_slist *n;

	if (h == NULL || asprintf(&line, "%s: %s", name, value) < 0)
		return NULL;
	n = curl_slist_append(h, line);
	explicit_bzero(line, strlen(line));
	if (n == NULL)
		curl_slist_free_all(h);
	return n;
}

static void
slist_free_wiped(struct curl_slist *h)
{
	for (struct curl_slist *i = h; i; i = i->next)
		explicit_bzero(i->data, strlen(i->data));
	curl_slist_free_all(h);
}

/*
 * One call to Keystone. Returns the HTTP status, -EAGAIN when Keystone cannot
 * be reached, or -ENOMEM. out->body is filled (caller frees).
 */
static long
ks_call(const char *method, const char *url, const char *auth, const char *subject,
	const char *body, struct resp *out)
{
	struct curl_slist *h;
	long status = -EAGAIN, cto = (long)conf_int("keystone_authtoken", "http_connect_timeout");
	CURL *e = thread_curl();
	CURLcode rc;

	if (e == NULL)
		return -ENOMEM;
	if (cto <= 0)
		cto = 5;
	h = curl_slist_append(NULL, "Accept: application/json");
	if (h && auth)
		h = header_add(h, "X-Auth-Token", auth);
	if (h && subject)
		h = header_add(h, "X-Subject-Token", subject);
	if (h && body)
		h = header_add(h, "Content-Type", "application/json");
	if (h == NULL)
		return -ENOMEM;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, cto);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 2 * cto);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	else
		log_warn("Keystone at %s cannot be reached: %s", url, curl_easy_strerror(rc));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	slist_free_wiped(h);
	return status;
}

/* expires_at of a token document as a time, or fallback. */
static time_t
token_expiry(json_t *tok, time_t fallback)
{
	time_t t;

	if (time_parse_iso(json_string_value(json_object_get(tok, "expires_at")), &t) < 0)
		return fallback;
	return t;
}

/*
 * The configured service user's token into out. Returns 0, -ENOENT when no
 * service user is configured, -EACCES when Keystone refuses its credentials,
 * -EAGAIN when Keystone cannot be reached. Cached until a minute before it
 * expires; refresh drops the cached one.
 */
static int
service_token(char *out, size_t len, bool refresh)
{
	const char *user = conf_str("keystone_authtoken", "username");
	_cleanup_free_ char *body = NULL;
	struct resp r = { STRBUF_INIT, "" };
	char url[1024];
	time_t now = time(NULL), until;
	json_t *j;
	long st;

	if (user == NULL || *user == '\0')
		return -ENOENT;
	pthread_mutex_lock(&svc_lock);
	if (refresh)
		svc_token[0] = '\0';
	if (svc_token[0] && now < svc_until) {
		snprintf(out, len, "%s", svc_token);
		pthread_mutex_unlock(&svc_lock);
		return 0;
	}
	pthread_mutex_unlock(&svc_lock);

	if (ks_url(service_uri(), "/auth/tokens", url, sizeof(url)) < 0)
		return -ENOENT;
	j = json_pack("{s:{s:{s:[s], s:{s:{s:s, s:s, s:{s:s}}}}, s:{s:{s:s, s:{s:s}}}}}",
		      "auth", "identity", "methods", "password", "password", "user", "name", user,
		      "password", strempty(conf_str("keystone_authtoken", "password")), "domain",
		      "name", conf_str("keystone_authtoken", "user_domain_name"), "scope",
		      "project", "name", conf_str("keystone_authtoken", "project_name"), "domain",
		      "name", conf_str("keystone_authtoken", "project_domain_name"));
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (body == NULL)
		return -ENOMEM;
	st = ks_call("POST", url, NULL, NULL, body, &r);
	explicit_bzero(body, strlen(body));
	j = st == 201 && r.body.buf ? json_loads(r.body.buf, 0, NULL) : NULL;
	strbuf_free(&r.body);
	if (st < 0 || st >= 500) {
		json_decref(j);
		explicit_bzero(r.subject, sizeof(r.subject));
		return -EAGAIN;
	}
	if (st != 201 || r.subject[0] == '\0') {
		json_decref(j);
		explicit_bzero(r.subject, sizeof(r.subject));
		return -EACCES;
	}
	until = token_expiry(json_object_get(j, "token"), now + 600) - 60;
	json_decref(j);
	if (until < now + 30)
		until = now + 30;
	pthread_mutex_lock(&svc_lock);
	snprintf(svc_token, sizeof(svc_token), "%s", r.subject);
	svc_until = until;
	pthread_mutex_unlock(&svc_lock);
	snprintf(out, len, "%s", r.subject);
	explicit_bzero(r.subject, sizeof(r.subject));
	return 0;
}

int
auth_keystone_service_token(char *ret_token, size_t len, bool refresh)
{
	return service_token(ret_token, len, refresh);
}

/* Fill id from a token document. -EPERM for a token without a project. */
static int
fill_identity(json_t *tok, struct identity *id)
{
	json_t *user = json_object_get(tok, "user"), *project = json_object_get(tok, "project");
	json_t *roles, *r;
	size_t i;

	if (!json_is_string(json_object_get(project, "id")) ||
	    !json_is_string(json_object_get(user, "id")))
		return -EPERM;
	roles = json_array();
	if (roles == NULL)
		return -ENOMEM;
	memset(id, 0, sizeof(*id));
	id->authenticated = true;
	snprintf(id->user_id, sizeof(id->user_id), "%s",
		 json_string_value(json_object_get(user, "id")));
	snprintf(id->user_name, sizeof(id->user_name), "%s",
		 strempty(json_string_value(json_object_get(user, "name"))));
	snprintf(id->project_id, sizeof(id->project_id), "%s",
		 json_string_value(json_object_get(project, "id")));
	snprintf(id->project_name, sizeof(id->project_name), "%s",
		 strempty(json_string_value(json_object_get(project, "name"))));
	snprintf(id->domain_id, sizeof(id->domain_id), "%s",
		 strempty(json_string_value(json_object_get(json_object_get(project, "domain"),
							    "id"))));
	json_array_foreach(json_object_get(tok, "roles"), i, r)
		if (json_is_string(json_object_get(r, "name")))
			json_array_append(roles, json_object_get(r, "name"));
	auth_identity_set_roles(id, roles);
	json_decref(roles);
	return 0;
}

/* A copy of src whose roles are a new deep copy. */
static int
identity_copy(const struct identity *src, struct identity *dst)
{
	json_t *roles = json_deep_copy(src->roles);

	if (src->roles && roles == NULL)
		return -ENOMEM;
	*dst = *src;
	dst->roles = roles;
	return 0;
}

static bool
cache_get(const char *hash, size_t slot, time_t now, struct identity *id)
{
	bool hit = false;

	pthread_mutex_lock(&cache_lock);
	if (streq(cache[slot].hash, hash) && now < cache[slot].until)
		hit = identity_copy(&cache[slot].id, id) == 0;
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
cache_put(const char *hash, size_t slot, time_t until, const struct identity *id)
{
	struct identity copy;

	if (identity_copy(id, &copy) < 0)
		return;
	pthread_mutex_lock(&cache_lock);
	json_decref(cache[slot].id.roles);
	memcpy(cache[slot].hash, hash, sizeof(cache[slot].hash));
	cache[slot].until = until;
	cache[slot].id = copy;
	pthread_mutex_unlock(&cache_lock);
}

int
auth_keystone_validate(const char *token, struct identity *id)
{
	int64_t ttl = conf_int("keystone_authtoken", "token_cache_time");
	struct resp r = { STRBUF_INIT, "" };
	char hash[65], url[1024];
	_cleanup_free_ char *svc = NULL;
	time_t now = time(NULL), until;
	json_t *doc, *tok;
	size_t slot;
	long st = 0;
	int rc = 0;

	if (token == NULL || *token == '\0' || strlen(token) > MAX_TOKEN_LEN)
		return -EPERM;
	if (ks_url(validate_uri(), "/auth/tokens", url, sizeof(url)) < 0) {
		log_err("auth_strategy = keystone needs [keystone_authtoken] "
			"www_authenticate_uri");
		return -EAGAIN;
	}
	if (x509_sha256_hex(token, strlen(token), hash) < 0)
		return -EIO;
	slot = strtoul(hash + 58, NULL, 16) % CACHE_SLOTS;
	if (ttl > 0 && cache_get(hash, slot, now, id))
		return 0;

	svc = malloc(MAX_TOKEN_LEN + 1);
	if (svc == NULL)
		return -ENOMEM;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = service_token(svc, MAX_TOKEN_LEN + 1, attempt > 0);
		if (rc == -EAGAIN || rc == -ENOMEM)
			break;
		if (rc == -EACCES && !__atomic_exchange_n(&svc_warned, true, __ATOMIC_RELAXED)) {
			log_warn("Keystone refuses the service user %s: tokens validate "
				 "themselves", conf_str("keystone_authtoken", "username"));
		}
		/* Without a (working) service user a token validates itself. */
		st = ks_call("GET", url, rc == 0 ? svc : token, token, NULL, &r);
		if (!(st == 401 && rc == 0 && attempt == 0))
			break;
		strbuf_free(&r.body);	/* the service token expired: get another one */
	}
	explicit_bzero(svc, MAX_TOKEN_LEN + 1);
	if (rc == -EAGAIN || rc == -ENOMEM || st < 0 || st >= 500) {
		strbuf_free(&r.body);
		return rc == -ENOMEM || st == -ENOMEM ? -ENOMEM : -EAGAIN;
	}
	if (st != 200) {
		strbuf_free(&r.body);
		return -EPERM;
	}
	doc = json_loads(r.body.buf ? r.body.buf : "", 0, NULL);
	strbuf_free(&r.body);
	tok = json_object_get(doc, "token");
	rc = tok ? fill_identity(tok, id) : -EPERM;
	until = token_expiry(tok, now + ttl);
	json_decref(doc);
	if (rc == -EPERM)
		log_info("Keystone token without a project scope refused");
	if (rc < 0)
		return rc;
	if (ttl > 0 && until > now)
		cache_put(hash, slot, until < now + ttl ? until : now + ttl, id);
	return 0;
}
