/*
 * barbican.c - Barbican REST API v1 over libcurl: secrets and certificate
 * containers for the barbican cert manager. See barbican.h.
 *
 * Every request is bounded (connect and total timeouts, a reply cap) and
 * uses its own curl handle, so any thread may call. Reply buffers are
 * allocated once at their cap, so a payload is never left behind by a
 * realloc, and are wiped before they are freed; request bodies holding a
 * payload are built by hand (no jansson copies) and wiped too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>

#include "common/cleanup.h"
#include "x509/barbican.h"
#include "x509/x509.h"

#define BB_CONNECT_TIMEOUT	5L	/* seconds */
#define BB_TIMEOUT		20L	/* seconds, whole request */
#define BB_MAX_REPLY		(64u << 10)
#define BB_MAX_PAYLOAD		(32u << 10)
#define BB_MAX_TOKEN		8192
#define BB_ID_LEN		36

static char base_url[1024];		/* without a trailing slash or /v1 */
static barbican_token_fn token_source;

struct reply {
	char	*buf;			/* BB_MAX_REPLY + 1 bytes, NUL-terminated */
	size_t	len;
	bool	overflow;
	int	token_error;		/* the token source failed (-errno), no request made */
	char	error[CURL_ERROR_SIZE];
};

static void
reply_free(struct reply *r)
{
	if (r->buf) {
		x509_cleanse(r->buf, BB_MAX_REPLY + 1);
		free(r->buf);
	}
	r->buf = NULL;
	r->len = 0;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = sz * n;

	if (len > BB_MAX_REPLY - r->len) {
		r->overflow = true;
		return 0;
	}
	memcpy(r->buf + r->len, p, len);
	r->len += len;
	r->buf[r->len] = '\0';
	return len;
}

/* Append "Name: value" to h; the temporary line is wiped (it may hold a token). */
static struct curl_slist *
header_add(struct curl_slist *h, const char *name, const char *value)
{
	_cleanup_free_ char *line = NULL;
	struct curl_slist *n;

	if (asprintf(&line, "%s: %s", name, value) < 0) {
		curl_slist_free_all(h);
		return NULL;
	}
	n = curl_slist_append(h, line);
	x509_cleanse(line, strlen(line));
	if (n == NULL)
		curl_slist_free_all(h);
	return n;
}

static void
slist_free_wiped(struct curl_slist *h)
{
	for (struct curl_slist *i = h; i; i = i->next)
		x509_cleanse(i->data, strlen(i->data));
	curl_slist_free_all(h);
}

/*
 * One request to base_url + path. Returns the HTTP status (r->buf holds the
 * reply, r->error is "" ) or -EAGAIN with the curl error in r->error, or
 * -ENOMEM. token: the X-Auth-Token to send, NULL = X-Project-Id: magnum.
 */
static long
call_once(const char *method, const char *path, const char *accept, const char *body,
	  const char *token, struct reply *r)
{
	_cleanup_free_ char *url = NULL;
	struct curl_slist *h;
	long status = -EAGAIN;
	CURLcode rc;
	CURL *e;

	r->len = 0;
	r->overflow = false;
	r->error[0] = '\0';
	if (base_url[0] == '\0')
		return -ENOTCONN;
	if (r->buf == NULL) {
		r->buf = calloc(1, BB_MAX_REPLY + 1);
		if (r->buf == NULL)
			return -ENOMEM;
	}
	r->buf[0] = '\0';
	if (asprintf(&url, "%s%s", base_url, path) < 0)
		return -ENOMEM;
	h = header_add(NULL, "Accept", accept ? accept : "application/json");
	if (h && body)
		h = header_add(h, "Content-Type", "application/json");
	if (h)
		h = token ? header_add(h, "X-Auth-Token", token) :
			    header_add(h, "X-Project-Id", "magnum");
	if (h == NULL)
		return -ENOMEM;
	e = curl_easy_init();
	if (e == NULL) {
		slist_free_wiped(h);
		return -ENOMEM;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, BB_CONNECT_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, BB_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		r->error[0] = '\0';
	} else if (r->overflow) {
		snprintf(r->error, sizeof(r->error), "reply larger than %u bytes", BB_MAX_REPLY);
		status = -EPROTO;
	} else if (r->error[0] == '\0') {
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(rc));
	}
	curl_easy_cleanup(e);
	slist_free_wiped(h);
	return status;
}

/*
 * A request with authentication: with a token source, a 401 gets one retry
 * with a fresh token. Returns the HTTP status or -errno (see call_once).
 */
static long
call(const char *method, const char *path, const char *accept, const char *body,
     struct reply *r)
{
	_cleanup_free_ char *tok = NULL;
	long st = -EAGAIN;
	int rc;

	if (token_source == NULL)
		return call_once(method, path, accept, body, NULL, r);
	tok = calloc(1, BB_MAX_TOKEN + 1);
	if (tok == NULL)
		return -ENOMEM;
	for (int attempt = 0; attempt < 2; attempt++) {
		rc = token_source(tok, BB_MAX_TOKEN + 1, attempt > 0);
		if (rc < 0) {
			r->token_error = rc;
			st = rc == -ENOMEM ? -ENOMEM : rc == -EAGAIN ? -EAGAIN : -EACCES;
			break;
		}
		st = call_once(method, path, accept, body, tok, r);
		if (st != 401)
			break;
	}
	x509_cleanse(tok, BB_MAX_TOKEN + 1);
	return st;
}

/* An HTTP status (or a -errno from call) as -errno. */
static int
status_errno(long st)
{
	if (st < 0)
		return (int)st;
	if (st >= 200 && st < 300)
		return 0;
	if (st == 401 || st == 403)
		return -EACCES;
	if (st == 404)
		return -ENOENT;
	if (st == 413)
		return -EFBIG;
	if (st >= 500)
		return -EAGAIN;
	return -EPROTO;
}

/*
 * "/v1/<kind>/<id>" for a ref ending in /<kind>/<id> (id: 36 characters of
 * hex digits and dashes). -EINVAL otherwise.
 */
static int
ref_path(const char *href, const char *kind, const char *suffix, char *out, size_t len)
{
	char pat[32];
	const char *p, *id = NULL;
	size_t n;

	if (href == NULL)
		return -EINVAL;
	snprintf(pat, sizeof(pat), "/%s/", kind);
	for (p = strstr(href, pat); p; p = strstr(p + 1, pat))
		id = p + strlen(pat);
	if (id == NULL)
		return -EINVAL;
	n = strlen(id);
	while (n && id[n - 1] == '/')
		n--;
	if (n != BB_ID_LEN || strspn(id, "0123456789abcdefABCDEF-") < BB_ID_LEN)
		return -EINVAL;
	if ((size_t)snprintf(out, len, "/v1/%s/%.*s%s", kind, BB_ID_LEN, id, suffix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Append s to buf (cap bytes, *off used) as a JSON string: quoted and escaped. */
static int
json_quote(char *buf, size_t cap, size_t *off, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (*off + 1 >= cap)
		return -EFBIG;
	buf[(*off)++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*off + 7 >= cap)
			return -EFBIG;
		if (*p == '"' || *p == '\\') {
			buf[(*off)++] = '\\';
			buf[(*off)++] = (char)*p;
		} else if (*p == '\n') {
			buf[(*off)++] = '\\';
			buf[(*off)++] = 'n';
		} else if (*p < 0x20) {
			buf[(*off)++] = '\\';
			buf[(*off)++] = 'u';
			buf[(*off)++] = '0';
			buf[(*off)++] = '0';
			buf[(*off)++] = hex[*p >> 4];
			buf[(*off)++] = hex[*p & 15];
		} else {
			buf[(*off)++] = (char)*p;
		}
	}
	buf[(*off)++] = '"';
	buf[*off] = '\0';
	return 0;
}

static int
json_raw(char *buf, size_t cap, size_t *off, const char *s)
{
	size_t n = strlen(s);

	if (*off + n >= cap)
		return -EFBIG;
	memcpy(buf + *off, s, n + 1);
	*off += n;
	return 0;
}

/* The string member name of the JSON object in text, as a new string; -EPROTO if absent. */
static int
reply_member(const char *text, const char *name, char **ret)
{
	_cleanup_json_ json_t *j = json_loads(text, 0, NULL);
	const char *v = json_string_value(json_object_get(j, name));

	if (v == NULL || *v == '\0')
		return -EPROTO;
	*ret = strdup(v);
	return *ret ? 0 : -ENOMEM;
}

int
barbican_init(const char *url, barbican_token_fn token, char **ret_error)
{
	struct reply r = { 0 };
	size_t n;
	long st;
	int rc;

	*ret_error = NULL;
	if (url == NULL || *url == '\0') {
		if (asprintf(ret_error, "[certificates] barbican_url is not set") < 0)
			*ret_error = NULL;
		return -EINVAL;
	}
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		if (asprintf(ret_error, "[certificates] barbican_url must be an http:// or "
			     "https:// URL, not '%s'", url) < 0)
			*ret_error = NULL;
		return -EINVAL;
	}
	n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	if (n >= 3 && strncmp(url + n - 3, "/v1", 3) == 0)
		n -= 3;
	while (n && url[n - 1] == '/')
		n--;
	if (n >= sizeof(base_url))
		return -ENAMETOOLONG;
	memcpy(base_url, url, n);
	base_url[n] = '\0';
	token_source = token;

	/* One authenticated list call: Barbican answers and takes our credentials. */
	st = call("GET", "/v1/secrets?limit=1", NULL, NULL, &r);
	rc = status_errno(st);
	if (r.token_error < 0 && st != -ENOMEM) {
		if (asprintf(ret_error, "cannot get a Keystone token for the service user "
			     "([keystone_authtoken]): %s", r.token_error == -EACCES ?
			     "Keystone refuses its credentials" : r.token_error == -EAGAIN ?
			     "Keystone cannot be reached" : strerror(-r.token_error)) < 0)
			*ret_error = NULL;
	} else if (st < 0 && st != -ENOMEM) {
		if (asprintf(ret_error, "Barbican at %s did not answer: %s", base_url,
			     r.error[0] ? r.error : strerror((int)-st)) < 0)
			*ret_error = NULL;
	} else if (rc < 0 && rc != -ENOMEM) {
		if (asprintf(ret_error, "Barbican at %s answered GET /v1/secrets with HTTP %ld%s",
			     base_url, st, rc == -EACCES ? " (credentials refused)" : "") < 0)
			*ret_error = NULL;
	}
	reply_free(&r);
	if (rc < 0) {
		base_url[0] = '\0';
		token_source = NULL;
	}
	return rc;
}

void
barbican_fini(void)
{
	base_url[0] = '\0';
	token_source = NULL;
}

int
barbican_store_secret(const char *name, const char *payload, const char *content_type,
		      char **ret_href)
{
	struct reply r = { 0 };
	size_t cap = 2 * BB_MAX_PAYLOAD + 1024, off = 0;
	char *body;
	long st;
	int rc;

	if (name == NULL || payload == NULL || content_type == NULL)
		return -EINVAL;
	if (strlen(payload) > BB_MAX_PAYLOAD || strlen(name) > 255)
		return -EFBIG;
	body = calloc(1, cap);
	if (body == NULL)
		return -ENOMEM;
	rc = json_raw(body, cap, &off, "{\"name\": ");
	if (rc == 0)
		rc = json_quote(body, cap, &off, name);
	if (rc == 0)
		rc = json_raw(body, cap, &off, ", \"secret_type\": \"opaque\", "
			      "\"payload_content_type\": ");
	if (rc == 0)
		rc = json_quote(body, cap, &off, content_type);
	if (rc == 0)
		rc = json_raw(body, cap, &off, ", \"payload\": ");
	if (rc == 0)
		rc = json_quote(body, cap, &off, payload);
	if (rc == 0)
		rc = json_raw(body, cap, &off, "}");
	if (rc == 0) {
		st = call("POST", "/v1/secrets", NULL, body, &r);
		rc = status_errno(st);
		if (rc == 0)
			rc = reply_member(r.buf, "secret_ref", ret_href);
	}
	x509_cleanse(body, cap);
	free(body);
	reply_free(&r);
	return rc;
}

int
barbican_get_secret_payload(const char *href, char **ret_payload)
{
	struct reply r = { 0 };
	char path[128];
	char *out;
	long st;
	int rc;

	rc = ref_path(href, "secrets", "/payload", path, sizeof(path));
	if (rc < 0)
		return rc;
	st = call("GET", path, "text/plain", NULL, &r);
	rc = status_errno(st);
	if (rc == 0 && (r.len == 0 || r.len > BB_MAX_PAYLOAD || strlen(r.buf) != r.len))
		rc = -EPROTO;
	if (rc == 0) {
		out = strdup(r.buf);
		if (out == NULL)
			rc = -ENOMEM;
		else
			*ret_payload = out;
	}
	reply_free(&r);
	return rc;
}

static int
delete_ref(const char *href, const char *kind)
{
	struct reply r = { 0 };
	char path[128];
	long st;
	int rc;

	rc = ref_path(href, kind, "", path, sizeof(path));
	if (rc < 0)
		return rc;
	st = call("DELETE", path, NULL, NULL, &r);
	reply_free(&r);
	return status_errno(st);
}

int
barbican_delete_secret(const char *href)
{
	return delete_ref(href, "secrets");
}

int
barbican_delete_container(const char *href)
{
	return delete_ref(href, "containers");
}

int
barbican_store_container(const char *name, const char *cert_href, const char *key_href,
			 char **ret_href)
{
	_cleanup_free_ char *body = NULL;
	_cleanup_json_ json_t *j = NULL;
	struct reply r = { 0 };
	long st;
	int rc;

	if (name == NULL || cert_href == NULL || key_href == NULL)
		return -EINVAL;
	j = json_pack("{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}", "name", name, "type",
		      "certificate", "secret_refs", "name", "certificate", "secret_ref", cert_href,
		      "name", "private_key", "secret_ref", key_href);
	body = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (body == NULL)
		return -ENOMEM;
	st = call("POST", "/v1/containers", NULL, body, &r);
	rc = status_errno(st);
	if (rc == 0)
		rc = reply_member(r.buf, "container_ref", ret_href);
	reply_free(&r);
	return rc;
}

int
barbican_container_secret(const char *href, const char *secret_name, char **ret_href)
{
	_cleanup_json_ json_t *j = NULL;
	struct reply r = { 0 };
	char path[128];
	json_t *ref;
	size_t i;
	long st;
	int rc;

	rc = ref_path(href, "containers", "", path, sizeof(path));
	if (rc < 0)
		return rc;
	st = call("GET", path, NULL, NULL, &r);
	rc = status_errno(st);
	if (rc == 0) {
		j = json_loads(r.buf, 0, NULL);
		rc = j ? -ENOENT : -EPROTO;
	}
	reply_free(&r);
	json_array_foreach(json_object_get(j, "secret_refs"), i, ref) {
		const char *n = json_string_value(json_object_get(ref, "name"));
		const char *s = json_string_value(json_object_get(ref, "secret_ref"));

		if (n && s && streq(n, secret_name)) {
			*ret_href = strdup(s);
			return *ret_href ? 0 : -ENOMEM;
		}
	}
	return rc;
}
