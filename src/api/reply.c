/* reply.c - the reply helpers every handler uses; Magnum's error bodies. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/auth.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"

static int
reply_set(struct api_req *req, int status, char *body, size_t len, const char *type)
{
	if (req->replied) {
		/* A handler bug: keep the first reply. */
		log_err("BUG: second reply (%d) for %s %s", status, req->method, req->path);
		free(body);
		return 0;
	}
	req->replied = true;
	req->status = status;
	req->resp_body = body;
	req->resp_len = len;
	req->resp_type = type;
	return 0;
}

int
api_reply_json(struct api_req *req, int status, json_t *body)
{
	char *s = NULL;

	if (body) {
		s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(body);
		if (s == NULL)
			return reply_set(req, 500, NULL, 0, NULL);
	}
	return reply_set(req, status, s, s ? strlen(s) : 0, "application/json");
}

int
api_reply_empty(struct api_req *req, int status)
{
	return reply_set(req, status, NULL, 0, NULL);
}

int
api_reply_raw(struct api_req *req, int status, const char *type, const char *data, size_t len,
	      bool is_static)
{
	char *copy;

	if (is_static) {
		reply_set(req, status, (char *)data, len, type);
		req->resp_static = true;
		return 0;
	}
	copy = malloc(len + 1);
	if (copy == NULL)
		return reply_set(req, 500, NULL, 0, NULL);
	memcpy(copy, data, len);
	copy[len] = '\0';
	return reply_set(req, status, copy, len, type);
}

int
api_reply_strbuf(struct api_req *req, int status, struct strbuf *sb)
{
	size_t len = sb->len;
	char *body = strbuf_steal(sb);

	if (body == NULL)
		return reply_set(req, 500, NULL, 0, NULL);
	return reply_set(req, status, body, len, "application/json");
}

int
api_reply_owned(struct api_req *req, int status, char *body, size_t len)
{
	return reply_set(req, status, body, len, "application/json");
}

static int
reply_errorv(struct api_req *req, int status, const char *fmt, va_list ap)
{
	_cleanup_free_ char *detail = NULL, *title = NULL;
	json_t *err, *body;
	const char *dot;

	if (vasprintf(&detail, fmt, ap) < 0)
		return reply_set(req, 500, NULL, 0, NULL);
	/* wsme's title is the faultstring up to the first period. */
	dot = strchr(detail, '.');
	title = dot ? strndup(detail, (size_t)(dot - detail)) : strdup(detail);
	if (title == NULL)
		return reply_set(req, 500, NULL, 0, NULL);
	err = json_pack("{s:s, s:s, s:i, s:s, s:s, s:[]}", "request_id", "", "code",
			status >= 400 && status < 500 ? "client" : "server", "status", status,
			"title", title, "detail", detail, "links");
	body = err ? json_pack("{s:[o]}", "errors", err) : NULL;
	if (body == NULL)
		return reply_set(req, 500, NULL, 0, NULL);
	if (status >= 500)
		log_err("%s %s -> %d: %s", req->method, req->path, status, detail);
	else
		log_debug("%s %s -> %d: %s", req->method, req->path, status, detail);
	return api_reply_json(req, status, body);
}

int
api_reply_error(struct api_req *req, int status, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = reply_errorv(req, status, fmt, ap);
	va_end(ap);
	return r;
}

int
api_reply_errno(struct api_req *req, int r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = reply_errorv(req, err_to_http(r), fmt, ap);
	va_end(ap);
	return ret;
}

int
api_reply_internal(struct api_req *req, int r, const char *what)
{
	log_err("%s %s: %s: %s", req->method, req->path, what, strerrordesc_np(r < 0 ? -r : r));
	if (r == -EBUSY || r == -EAGAIN)
		return api_reply_error(req, 503, "The service is busy; try again later.");
	return api_reply_error(req, 500, "%s: %s", what, strerrordesc_np(r < 0 ? -r : r));
}

int
api_reply_unauthorized(struct api_req *req)
{
	json_t *body = json_pack("{s:{s:i, s:s, s:s}}", "error", "code", 401, "title",
				 "Unauthorized", "message",
				 "The request you have made requires authentication.");
	const char *uri = auth_www_authenticate_uri();
	_cleanup_free_ char *hdr = NULL;
	int r = -1;

	/*
	 * Name the Keystone that issues tokens: the configured one in keystone
	 * mode (as keystonemiddleware does), else our own /v3. Keystone mode
	 * without a Keystone has nothing to name.
	 */
	if (uri)
		r = asprintf(&hdr, "Keystone uri=\"%s\"", uri);
	else if (!streq(conf_str("DEFAULT", "auth_strategy"), "keystone"))
		r = asprintf(&hdr, "Keystone uri=\"%s/v3\"", req->host_url);
	if (r < 0)
		hdr = NULL;
	else
		api_set_header(req, "WWW-Authenticate", hdr);
	return api_reply_json(req, 401, body);
}

int
api_reply_policy(struct api_req *req, const char *rule)
{
	return api_reply_error(req, 403, "Policy doesn't allow %s to be performed.", rule);
}

void
api_set_header(struct api_req *req, const char *name, const char *value)
{
	if (req->resp_headers == NULL)
		req->resp_headers = json_object();
	if (req->resp_headers)
		json_object_set_new(req->resp_headers, name, json_string(value));
}

int
api_reply_framework_error(struct api_req *req, int status, const char *title, const char *detail)
{
	bool json = req->accept && strstr(req->accept, "application/json") != NULL;
	json_t *body = json_pack("{s:[{s:s, s:s, s:i, s:s, s:s, s:[]}]}", "errors", "request_id",
				 "", "code", "", "status", status, "title", json ? title : "",
				 "detail", json ? detail : "", "links");

	return api_reply_json(req, status, body);
}

int
api_handle_not_found(struct api_req *req)
{
	return api_reply_framework_error(req, 404, "Not Found", "The resource could not be found.");
}
