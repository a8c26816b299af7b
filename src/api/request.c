/* request.c - query parameters, JSON bodies and links. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "common/cleanup.h"
#include "common/jwriter.h"
#include "common/strbuf.h"

const char *
api_query(struct api_req *req, const char *name)
{
	return json_string_value(json_object_get(req->query, name));
}

int
api_query_only(struct api_req *req, const char *const *allowed)
{
	struct strbuf bad = STRBUF_INIT;
	const char *k;
	json_t *v;
	int n = 0;

	json_object_foreach(req->query, k, v) {
		bool ok = false;
		for (size_t i = 0; allowed && allowed[i]; i++)
			if (streq(allowed[i], k))
				ok = true;
		if (!ok) {
			if (strbuf_printf(&bad, "%s%s", n++ ? ", " : "", k) < 0)
				break;
		}
	}
	if (n == 0) {
		strbuf_free(&bad);
		return 0;
	}
	api_reply_error(req, 400, "Unknown argument: \"%s\"", bad.buf ? bad.buf : "");
	strbuf_free(&bad);
	return -EINVAL;
}

int
api_body_json(struct api_req *req, json_t **ret)
{
	json_t *j;

	if (req->content_type && *req->content_type &&
	    strncasecmp(req->content_type, "application/json", 16) != 0 &&
	    !(req->body_len == 0 &&
	      strncasecmp(req->content_type, "application/octet-stream", 24) == 0)) {
		api_reply_error(req, 415, "Unknown mimetype: %s", req->content_type);
		return -EINVAL;
	}
	if (req->body == NULL || req->body_len == 0) {
		api_reply_error(req, 400, "Request is not in valid JSON format");
		return -EINVAL;
	}
	j = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, NULL);
	if (j == NULL) {
		api_reply_error(req, 400, "Request is not in valid JSON format");
		return -EINVAL;
	}
	*ret = j;
	return 0;
}

json_t *
api_links(struct api_req *req, const char *coll, const char *uuid)
{
	_cleanup_free_ char *self = NULL, *book = NULL;

	if (asprintf(&self, "%s/v1/%s/%s", req->host_url, coll, uuid) < 0 ||
	    asprintf(&book, "%s/%s/%s", req->host_url, coll, uuid) < 0)
		return NULL;
	return json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", self, "rel", "self", "href", book,
			 "rel", "bookmark");
}

int
api_links_text(struct strbuf *sb, const struct api_req *req, const char *coll, const char *uuid)
{
	const char *parts[] = { "[{\"href\":\"", req->host_url, "/v1/", coll, "/", uuid,
				"\",\"rel\":\"self\"},{\"href\":\"", req->host_url, "/", coll, "/",
				uuid, "\",\"rel\":\"bookmark\"}]" };
	int r = 0;

	/* Odd items are values (the host comes from the request's Host header): escaped. */
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(parts); i++)
		r = i % 2 ? jw_escaped(sb, parts[i]) : strbuf_puts(sb, parts[i]);
	return r;
}
