/*
 * http.c - the client's HTTP on one libcurl easy handle: JSON bodies, the
 * API version header, request ids, --debug traces with tokens redacted, and
 * the python client's error message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#define MAX_BODY	(64u << 20)	/* refuse responses larger than 64 MiB */

struct sink {
	struct strbuf		body;
	struct cli_response	*resp;
	struct strbuf		headers;	/* for --debug, secrets redacted */
	bool			debug;
};

int
cli_http_init(struct cli *c)
{
	c->curl = curl_easy_init();
	return c->curl ? 0 : -ENOMEM;
}

void
cli_http_done(struct cli *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
	if (c->token) {
		OPENSSL_cleanse(c->token, strlen(c->token));
		free(c->token);
		c->token = NULL;
	}
	free(c->endpoint);
	c->endpoint = NULL;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct sink *s = ud;

	if (s->body.len + sz * n > MAX_BODY)
		return 0;
	return strbuf_append(&s->body, p, sz * n) < 0 ? 0 : sz * n;
}

/* Copy a header's value when the line is "name: value". */
static bool
header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), i, vlen;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return false;
	for (i = nl + 1; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	vlen = len - i;
	while (vlen && (line[i + vlen - 1] == '\r' || line[i + vlen - 1] == '\n'))
		vlen--;
	if (vlen >= outlen)
		vlen = outlen - 1;
	memcpy(out, line + i, vlen);
	out[vlen] = '\0';
	return true;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = sz * n;
	char scratch[8];

	if (header_value(p, len, "X-Subject-Token", s->resp->subject_token,
			 sizeof(s->resp->subject_token))) {
		if (s->debug)
			strbuf_puts(&s->headers, " X-Subject-Token: {redacted}");
		return len;
	}
	if (!header_value(p, len, "x-openstack-request-id", s->resp->request_id,
			  sizeof(s->resp->request_id)))
		header_value(p, len, "x-compute-request-id", s->resp->request_id,
			     sizeof(s->resp->request_id));
	if (s->debug && len > 2 && !header_value(p, len, "X-Auth-Token", scratch, sizeof(scratch))
	    && strncmp(p, "HTTP/", 5) != 0) {
		while (len && (p[len - 1] == '\r' || p[len - 1] == '\n'))
			len--;
		strbuf_puts(&s->headers, " ");
		strbuf_append(&s->headers, p, len);
	}
	return sz * n;
}

/* keystoneauth's way to show a token in logs: {SHA256}<hex digest>. */
static void
token_digest(const char *token, char out[80])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int off;

	off = snprintf(out, 80, "{SHA256}");
	if (!EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(), NULL))
		mdlen = 0;
	for (unsigned int i = 0; i < mdlen && off + 3 < 80; i++)
		off += snprintf(out + off, 80 - (size_t)off, "%02x", md[i]);
}

/* The auth body with the password replaced, for --debug. */
static char *
debug_body(json_t *body)
{
	_cleanup_json_ json_t *copy = json_deep_copy(body);
	json_t *pw;

	pw = json_object_get(json_object_get(json_object_get(json_object_get(
		json_object_get(copy, "auth"), "identity"), "password"), "user"), "password");
	if (pw)
		json_string_set(pw, "***");
	pw = json_object_get(json_object_get(json_object_get(json_object_get(copy, "auth"),
							     "identity"), "token"), "id");
	if (pw)
		json_string_set(pw, "***");
	return json_dumps(copy, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void
set_tls(struct cli *c, CURL *e)
{
	const char *ca = getenv("OS_CACERT"), *cert = getenv("OS_CERT"), *key = getenv("OS_KEY");

	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (ca && *ca)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca);
	if (cert && *cert)
		curl_easy_setopt(e, CURLOPT_SSLCERT, cert);
	if (key && *key)
		curl_easy_setopt(e, CURLOPT_SSLKEY, key);
}

int
cli_http(struct cli *c, const char *method, const char *url, json_t *body, bool with_token,
	 struct cli_response *ret)
{
	struct sink s = { .body = STRBUF_INIT, .headers = STRBUF_INIT, .debug = c->debug };
	struct curl_slist *hl = NULL;
	_cleanup_free_ char *payload = NULL;
	char line[1200], digest[80] = "";
	CURL *e = c->curl;
	CURLcode rc;

	memset(ret, 0, sizeof(*ret));
	s.resp = ret;
	if (body) {
		payload = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		if (payload == NULL)
			return -ENOMEM;
	}
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 c->timeout_ms < 30000 ? c->timeout_ms : 30000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "magnum-c");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &s);
	set_tls(c, e);

	hl = curl_slist_append(hl, "Accept: application/json");
	if (payload) {
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, payload);
	} else if (streq(method, "POST") || streq(method, "PATCH") || streq(method, "PUT")) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (with_token && c->token) {
		snprintf(line, sizeof(line), "X-Auth-Token: %s", c->token);
		hl = curl_slist_append(hl, line);
		OPENSSL_cleanse(line, sizeof(line));
		if (c->debug)
			token_digest(c->token, digest);
	}
	if (with_token && c->api_version) {
		snprintf(line, sizeof(line), "OpenStack-API-Version: container-infra %s",
			 c->api_version);
		hl = curl_slist_append(hl, line);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);

	if (c->debug) {
		_cleanup_free_ char *shown = payload && !with_token ? debug_body(body) : NULL;

		fprintf(stderr, "REQ: curl -g -i -X %s %s -H \"Accept: application/json\"%s", method,
			url, payload ? " -H \"Content-Type: application/json\"" : "");
		if (with_token && c->api_version)
			fprintf(stderr, " -H \"OpenStack-API-Version: container-infra %s\"",
				c->api_version);
		if (digest[0])
			fprintf(stderr, " -H \"X-Auth-Token: %s\"", digest);
		if (payload)
			fprintf(stderr, " -d '%s'", shown ? shown : payload);
		fputc('\n', stderr);
	}

	rc = curl_easy_perform(e);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "ERROR: Unable to establish connection to %s: %s\n", url,
			curl_easy_strerror(rc));
		strbuf_free(&s.body);
		strbuf_free(&s.headers);
		return -EIO;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &ret->status);
	strbuf_puts(&s.body, "");
	ret->raw = strbuf_steal(&s.body);
	if (ret->raw && ret->raw[0])
		ret->body = json_loads(ret->raw, JSON_DECODE_ANY, NULL);
	if (c->debug) {
		fprintf(stderr, "RESP: [%ld]%s\n", ret->status, s.headers.buf ? s.headers.buf : "");
		if (ret->raw && ret->raw[0])
			fprintf(stderr, "RESP BODY: %s\n", ret->raw);
	}
	strbuf_free(&s.headers);
	return ret->raw ? 0 : -ENOMEM;
}

int
cli_request(struct cli *c, const char *method, const char *path, json_t *body,
	    struct cli_response *ret)
{
	_cleanup_free_ char *url = NULL;
	int r;

	/* Authenticate on the first request, after the arguments were checked. */
	if (c->endpoint == NULL) {
		if (c->auth_failed)
			return -EPERM;
		r = cli_auth(c);
		if (r < 0) {
			c->auth_failed = true;
			return r;
		}
	}
	if (asprintf(&url, "%s%s", c->endpoint, path) < 0)
		return -ENOMEM;
	return cli_http(c, method, url, body, true, ret);
}

void
cli_response_free(struct cli_response *r)
{
	json_decref(r->body);
	free(r->raw);
	r->body = NULL;
	r->raw = NULL;
	OPENSSL_cleanse(r->subject_token, sizeof(r->subject_token));
}

char *
cli_error_message(const struct cli_response *r)
{
	json_t *e = json_object_get(r->body, "error");
	const char *msg = NULL;

	/* {"errors": [{title, detail}]}: the client shows the title. */
	if (json_is_array(json_object_get(r->body, "errors"))) {
		e = json_array_get(json_object_get(r->body, "errors"), 0);
		msg = json_string_value(json_object_get(e, "title"));
		if (msg == NULL || *msg == '\0')
			msg = json_string_value(json_object_get(e, "detail"));
		if (msg == NULL || *msg == '\0')
			msg = json_string_value(json_object_get(e, "description"));
	} else if (json_is_object(e)) {
		/* {"error": {title, message}} (Keystone and others) */
		msg = json_string_value(json_object_get(e, "title"));
		if (msg == NULL || *msg == '\0')
			msg = json_string_value(json_object_get(e, "message"));
	} else if (json_is_string(json_object_get(r->body, "error_message"))) {
		msg = json_string_value(json_object_get(r->body, "error_message"));
	}
	if ((msg == NULL || *msg == '\0') && r->raw && r->raw[0] && r->body == NULL)
		msg = r->raw;
	if (msg == NULL || *msg == '\0')
		msg = "Unknown error";
	return strndup(msg, 2000);
}

int
cli_print_error(const struct cli_response *r)
{
	_cleanup_free_ char *msg = cli_error_message(r);
	size_t len = msg ? strlen(msg) : 0;

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
		msg[--len] = '\0';
	if (r->request_id[0])
		fprintf(stderr, "ERROR: %s (HTTP %ld) (Request-ID: %s)\n", strempty(msg),
			r->status, r->request_id);
	else
		fprintf(stderr, "ERROR: %s (HTTP %ld)\n", strempty(msg), r->status);
	return CLI_EXIT_ERROR;
}

char *
cli_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_puts(&sb, "") < 0)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			if (strbuf_append(&sb, p, 1) < 0)
				goto oom;
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			if (strbuf_append(&sb, esc, 3) < 0)
				goto oom;
		}
	}
	return strbuf_steal(&sb);
oom:
	strbuf_free(&sb);
	return NULL;
}
