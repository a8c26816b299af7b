/*
 * resources_glance.c - the Glance v2 subset of the embedded catalogue: image
 * metadata (create, list, show, JSON-Patch update, delete, tags) and image
 * data (upload, download) stored under <state_path>/images/<id>.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/resources_internal.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "db/table.h"
#include "x509/digest.h"

#define IMAGE_MAX_PROPERTIES	128	/* Glance's image_property_quota */
#define IMAGE_MAX_TAGS		128	/* Glance's image_tag_quota */
#define IMAGE_LIST_DEFAULT	25	/* limit_param_default */
#define IMAGE_LIST_MAX		1000	/* api_limit_max */
#define IMAGE_STR_MAX		255

static const char *const disk_formats[] = { "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw",
					    "qcow2", "vdi", "iso", "ploop", NULL };
static const char *const container_formats[] = { "ami", "ari", "aki", "bare", "ovf", "ova",
						 "docker", "compressed", NULL };
static const char *const visibilities[] = { "community", "public", "private", "shared", NULL };

/* Set by the server, never by the client. */
static const char *const read_only[] = { "status", "created_at", "updated_at", "size",
					 "virtual_size", "checksum", "os_hash_algo",
					 "os_hash_value", "self", "file", "schema", "owner",
					 "direct_url", "locations", "os_hidden", NULL };

/* The webob-style error body Glance answers with. */
static int __attribute__((format(printf, 3, 4)))
glance_error(struct api_req *req, int status, const char *fmt, ...)
{
	static const struct {
		int status;
		const char *title;
	} titles[] = { { 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
		       { 409, "Conflict" }, { 413, "Request Entity Too Large" },
		       { 415, "Unsupported Media Type" } };
	_cleanup_free_ char *msg = NULL;
	const char *title = "Error";
	char code[64];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return api_reply_internal(req, -ENOMEM, "formatting an error");
	for (size_t i = 0; i < ARRAY_SIZE(titles); i++)
		if (titles[i].status == status)
			title = titles[i].title;
	snprintf(code, sizeof(code), "%d %s", status, title);
	return api_reply_json(req, status, json_pack("{s:s, s:s, s:s}", "message", msg, "code",
						     code, "title", title));
}

static bool
in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; s && list[i]; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

/* Python's repr() of a JSON value, for jsonschema-like messages (into a strbuf). */
static void
py_repr(struct strbuf *sb, json_t *v)
{
	_cleanup_free_ char *s = NULL;

	if (json_is_string(v))
		strbuf_printf(sb, "'%.300s'", json_string_value(v));
	else if (json_is_true(v))
		strbuf_puts(sb, "True");
	else if (json_is_false(v))
		strbuf_puts(sb, "False");
	else if (v == NULL || json_is_null(v))
		strbuf_puts(sb, "None");
	else if ((s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) != NULL)
		strbuf_printf(sb, "%.300s", s);
}

static void
py_list(struct strbuf *sb, const char *const *list)
{
	strbuf_puts(sb, "[");
	for (size_t i = 0; list[i]; i++)
		strbuf_printf(sb, "%s'%s'", i ? ", " : "", list[i]);
	strbuf_puts(sb, "]");
}

/* 400 "Provided object does not match schema 'image': <v> <what>" (what may hold a list). */
static int
schema_error(struct api_req *req, json_t *v, const char *what, const char *const *list)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	py_repr(&sb, v);
	strbuf_printf(&sb, " %s", what);
	if (list)
		py_list(&sb, list);
	r = glance_error(req, 400, "Provided object does not match schema 'image': %s",
			 sb.buf ? sb.buf : "");
	strbuf_free(&sb);
	return r < 0 ? r : -EINVAL;
}

static bool
str_ok(json_t *v, bool nullable)
{
	return (nullable && json_is_null(v)) ||
	       (json_is_string(v) && strlen(json_string_value(v)) <= IMAGE_STR_MAX);
}

/*
 * Validate the value of a settable attribute (core or extra property). Returns
 * 0, or replies (400/403/413) and returns -EINVAL.
 */
static int
check_value(struct api_req *req, const char *key, json_t *v)
{
	size_t i;
	json_t *t;

	if (strlen(key) > IMAGE_STR_MAX)
		return glance_error(req, 400, "Property names are limited to %d characters",
				    IMAGE_STR_MAX), -EINVAL;
	if (streq(key, "name") || streq(key, "os_distro")) {
		if (json_is_string(v) && !str_ok(v, false))
			return schema_error(req, v, "is too long", NULL);
		if (!str_ok(v, true))
			return schema_error(req, v, "is not of type 'null', 'string'", NULL);
	} else if (streq(key, "visibility")) {
		if (!in_list(visibilities, json_string_value(v)))
			return schema_error(req, v, "is not one of ", visibilities);
		if (streq(json_string_value(v), "public") && !req->id.is_admin)
			return glance_error(req, 403, "You are not authorized to complete "
					    "publicize_image action."), -EINVAL;
	} else if (streq(key, "disk_format") || streq(key, "container_format")) {
		const char *const *list = key[0] == 'd' ? disk_formats : container_formats;

		if (!json_is_null(v) && !in_list(list, json_string_value(v)))
			return schema_error(req, v, "is not one of ", list);
	} else if (streq(key, "min_disk") || streq(key, "min_ram")) {
		if (!json_is_integer(v))
			return schema_error(req, v, "is not of type 'integer'", NULL);
		if (json_integer_value(v) < 0)
			return schema_error(req, v, "is less than the minimum of 0", NULL);
		if (json_integer_value(v) > 2147483647)
			return schema_error(req, v, "is greater than the maximum of 2147483647",
					    NULL);
	} else if (streq(key, "protected")) {
		if (!json_is_boolean(v))
			return schema_error(req, v, "is not of type 'boolean'", NULL);
	} else if (streq(key, "tags")) {
		if (!json_is_array(v))
			return schema_error(req, v, "is not of type 'array'", NULL);
		if (json_array_size(v) > IMAGE_MAX_TAGS)
			return glance_error(req, 413, "Attempted: %zu, Maximum: %d",
					    json_array_size(v), IMAGE_MAX_TAGS), -EINVAL;
		json_array_foreach(v, i, t) {
			if (!json_is_string(t))
				return schema_error(req, t, "is not of type 'string'", NULL);
			if (!str_ok(t, false))
				return schema_error(req, t, "is too long", NULL);
		}
	} else if (!json_is_string(v)) {
		return schema_error(req, v, "is not of type 'string'", NULL);
	} else if (strlen(json_string_value(v)) > 65535) {
		return schema_error(req, v, "is too long", NULL);
	}
	return 0;
}

static bool
is_core(const char *key)
{
	static const char *const core[] = { "id", "name", "visibility", "disk_format",
					    "container_format", "min_disk", "min_ram", "protected",
					    "tags", "os_distro", NULL };

	return in_list(core, key) || in_list(read_only, key);
}

/* Glance-style "2026-11-25T07:00:00Z" from our ISO timestamps. */
static json_t *
glance_time(json_t *iso)
{
	const char *s = json_string_value(iso);
	char buf[32];

	if (s == NULL)
		return json_null();
	snprintf(buf, sizeof(buf), "%.19sZ", s);
	return json_string(buf);
}

static void
copy_field(json_t *o, json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);

	json_object_set_new(o, key, v ? json_incref(v) : json_null());
}

static json_t *
image_view(json_t *row)
{
	static const char *const fields[] = { "id", "name", "status", "visibility", "owner",
					      "disk_format", "container_format", "size",
					      "checksum", "os_hash_value", "min_disk", "min_ram",
					      "protected", NULL };
	const char *id = json_string_value(json_object_get(row, "id"));
	json_t *o = json_object(), *tags, *v;
	const char *k;
	char buf[128];

	if (o == NULL || id == NULL)
		return json_decref(o), NULL;
	/* Extra properties first, so that no stored key can shadow a core field. */
	json_object_foreach(json_object_get(row, "properties"), k, v)
		json_object_set(o, k, v);
	if (json_is_string(json_object_get(row, "os_distro")))
		json_object_set(o, "os_distro", json_object_get(row, "os_distro"));
	for (size_t i = 0; fields[i]; i++)
		copy_field(o, row, fields[i]);
	json_object_set_new(o, "os_hash_algo",
			    json_is_string(json_object_get(row, "os_hash_value")) ?
				    json_string("sha512") : json_null());
	json_object_set_new(o, "virtual_size", json_null());
	json_object_set_new(o, "os_hidden", json_false());
	tags = json_object_get(row, "tags");
	json_object_set_new(o, "tags", json_is_array(tags) ? json_incref(tags) : json_array());
	json_object_set_new(o, "created_at", glance_time(json_object_get(row, "created_at")));
	v = json_object_get(row, "updated_at");
	if (!json_is_string(v))
		v = json_object_get(row, "created_at");
	json_object_set_new(o, "updated_at", glance_time(v));
	snprintf(buf, sizeof(buf), "/v2/images/%s", id);
	json_object_set_new(o, "self", json_string(buf));
	snprintf(buf, sizeof(buf), "/v2/images/%s/file", id);
	json_object_set_new(o, "file", json_string(buf));
	json_object_set_new(o, "schema", json_string("/v2/schemas/image"));
	return o;
}

/* Parse a JSON body; on error replies 400 and returns -EINVAL. */
static int
body_parse(struct api_req *req, json_t **ret)
{
	json_t *j = NULL;

	if (req->body && req->body_len)
		j = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		return glance_error(req, 400, "Malformed JSON in request body."), -EINVAL;
	*ret = j;
	return 0;
}

/* Reader role or better; else 403 naming the action. */
static int
may_read(struct api_req *req, const char *action)
{
	if (req->id.is_reader || req->id.is_admin)
		return 0;
	return glance_error(req, 403, "You are not authorized to complete %s action.", action),
	       -EACCES;
}

/* The image if the caller may see it; else replies 404 (or 500). */
static int
image_get(struct api_req *req, const char *id, json_t **ret)
{
	int r = db_row_get(req->db, &db_t_images, NULL,
			   "id = ? AND (visibility IN ('public', 'community') OR owner = ? OR "
			   "? = 1)", DB_ARGS(DB_TEXT(id), DB_TEXT(req->id.project_id),
					     DB_INT(req->id.is_admin ? 1 : 0)), ret);

	if (r == -ENOENT)
		glance_error(req, 404, "No image found with ID %s", id);
	else if (r < 0)
		api_reply_internal(req, r, "image lookup");
	return r;
}

/* The image if the caller may change it (owner with member role, or admin); else replies. */
static int
image_get_writable(struct api_req *req, const char *id, const char *action, json_t **ret)
{
	_cleanup_json_ json_t *row = NULL;
	const char *owner;
	int r;

	r = may_read(req, action);
	if (r < 0)
		return r;
	r = image_get(req, id, &row);
	if (r < 0)
		return r;
	owner = json_string_value(json_object_get(row, "owner"));
	if (!req->id.is_admin && (!req->id.is_member || !streq_ptr(owner, req->id.project_id)))
		return glance_error(req, 403, "You are not authorized to complete %s action.",
				    action), -EACCES;
	*ret = TAKE_PTR(row);
	return 0;
}

static int
reply_image(struct api_req *req, int status, const char *id)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	r = db_row_get(req->db, &db_t_images, NULL, "id = ?", DB_ARGS(DB_TEXT(id)), &row);
	if (r < 0)
		return api_reply_internal(req, r, "reading the image back");
	return api_reply_json(req, status, image_view(row));
}

int
glance_versions(struct api_req *req)
{
	static const char *const ids[] = { "v2.9", "v2.8", "v2.7", "v2.6", "v2.5", "v2.4", "v2.3",
					   "v2.2", "v2.1", "v2.0" };
	json_t *versions = json_array();
	char href[600];

	snprintf(href, sizeof(href), "%s/image/v2/", req->host_url);
	for (size_t i = 0; versions && i < ARRAY_SIZE(ids); i++)
		json_array_append_new(versions, json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "id",
							  ids[i], "status",
							  i == 0 ? "CURRENT" : "SUPPORTED", "links",
							  "rel", "self", "href", href));
	return api_reply_json(req, 200, json_pack("{s:o}", "versions", versions));
}

static void
url_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			strbuf_append(sb, s, 1);
		else
			strbuf_printf(sb, "%%%02X", c);
	}
}

/* "/v2/images?<the request's parameters but marker>&marker=<last>". */
static json_t *
next_link(struct api_req *req, const char *last)
{
	struct strbuf sb = STRBUF_INIT;
	const char *k;
	json_t *v, *s;

	strbuf_puts(&sb, "/v2/images?");
	json_object_foreach(req->query, k, v) {
		if (streq(k, "marker") || !json_is_string(v))
			continue;
		url_escape(&sb, k);
		strbuf_puts(&sb, "=");
		url_escape(&sb, json_string_value(v));
		strbuf_puts(&sb, "&");
	}
	strbuf_puts(&sb, "marker=");
	url_escape(&sb, last);
	s = sb.buf ? json_string(sb.buf) : NULL;
	strbuf_free(&sb);
	return s;
}

int
glance_image_list(struct api_req *req)
{
	static const char *const sort_keys[] = { "created_at", "updated_at", "name", "id", "size",
						 "status", "disk_format", "container_format",
						 NULL };
	static const char *const filters[] = { "name", "status", "owner", "os_distro",
					       "disk_format", "container_format", NULL };
	_cleanup_json_ json_t *rows = NULL;
	const char *vis = api_query(req, "visibility"), *marker = api_query(req, "marker");
	const char *sort_key = api_query(req, "sort_key"), *sort_dir = api_query(req, "sort_dir");
	struct strbuf where = STRBUF_INIT;
	char order[160], key_expr[96];
	struct db_param p[16];
	int64_t limit = IMAGE_LIST_DEFAULT;
	bool desc = true;
	size_t n = 0, i;
	json_t *items, *row, *env;
	int r;

	if (may_read(req, "get_images") < 0)
		return 0;
	if (api_query(req, "limit")) {
		if (parse_int64(api_query(req, "limit"), INT64_MIN, INT64_MAX, &limit) < 0)
			return glance_error(req, 400, "limit param must be an integer");
		if (limit < 0)
			return glance_error(req, 400, "limit param must be positive");
		if (limit > IMAGE_LIST_MAX)
			limit = IMAGE_LIST_MAX;
	}
	if (sort_key == NULL)
		sort_key = "created_at";
	if (!in_list(sort_keys, sort_key))
		return glance_error(req, 400, "Invalid sort key: %s. It must be one of the "
				    "following: created_at, updated_at, name, id, size, status, "
				    "disk_format, container_format.", sort_key);
	if (sort_dir && !streq(sort_dir, "asc") && !streq(sort_dir, "desc"))
		return glance_error(req, 400, "Invalid sort direction: %s", sort_dir);
	desc = sort_dir == NULL || streq(sort_dir, "desc");
	if (vis && !streq(vis, "all") && !in_list(visibilities, vis))
		return glance_error(req, 400, "Invalid visibility value: %s", vis);

	/* Visible to the caller; community images are listed only when asked for. */
	if (vis && streq(vis, "community")) {
		strbuf_puts(&where, "visibility = 'community'");
	} else {
		strbuf_puts(&where, "(visibility = 'public' OR owner = ? OR ? = 1)");
		p[n++] = DB_TEXT(req->id.project_id);
		p[n++] = DB_INT(req->id.is_admin ? 1 : 0);
		if (vis && !streq(vis, "all")) {
			strbuf_puts(&where, " AND visibility = ?");
			p[n++] = DB_TEXT(vis);
		}
	}
	for (i = 0; filters[i]; i++) {
		if (api_query(req, filters[i]) == NULL)
			continue;
		strbuf_printf(&where, " AND %s = ?", filters[i]);
		p[n++] = DB_TEXT(api_query(req, filters[i]));
	}
	if (streq(sort_key, "size"))
		snprintf(key_expr, sizeof(key_expr), "COALESCE(size, -1)");
	else
		snprintf(key_expr, sizeof(key_expr), "COALESCE(%s, '')", sort_key);
	if (marker) {
		_cleanup_json_ json_t *m = NULL;

		r = db_row_get(req->db, &db_t_images, NULL,
			       "id = ? AND (visibility IN ('public', 'community') OR owner = ? "
			       "OR ? = 1)",
			       DB_ARGS(DB_TEXT(marker), DB_TEXT(req->id.project_id),
				       DB_INT(req->id.is_admin ? 1 : 0)), &m);
		if (r == -ENOENT) {
			strbuf_free(&where);
			return glance_error(req, 400, "Invalid marker. Image %s could not be "
					    "found.", marker);
		}
		strbuf_printf(&where, " AND (%1$s %2$s (SELECT %1$s FROM images WHERE id = ?) "
				      "OR (%1$s = (SELECT %1$s FROM images WHERE id = ?) AND "
				      "id %2$s ?))", key_expr, desc ? "<" : ">");
		p[n++] = DB_TEXT(marker);
		p[n++] = DB_TEXT(marker);
		p[n++] = DB_TEXT(marker);
	}
	snprintf(order, sizeof(order), "%1$s %2$s, id %2$s", key_expr, desc ? "DESC" : "ASC");
	if (where.buf == NULL) {
		strbuf_free(&where);
		return api_reply_internal(req, -ENOMEM, "listing images");
	}
	r = db_row_select(req->db, &db_t_images, NULL, where.buf, p, n, order, limit + 1, &rows);
	strbuf_free(&where);
	if (r < 0)
		return api_reply_internal(req, r, "listing images");
	items = json_array();
	json_array_foreach(rows, i, row) {
		if ((int64_t)i == limit)
			break;
		json_array_append_new(items, image_view(row));
	}
	env = json_pack("{s:o, s:s, s:s}", "images", items, "first", "/v2/images", "schema",
			"/v2/schemas/images");
	if (env && (int64_t)json_array_size(rows) > limit && limit > 0) {
		row = json_array_get(rows, (size_t)limit - 1);
		json_object_set_new(env, "next",
				    next_link(req, json_string_value(json_object_get(row, "id"))));
	}
	return api_reply_json(req, 200, env);
}

int
glance_image_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (may_read(req, "get_image") < 0 || image_get(req, req->params[0], &row) < 0)
		return 0;
	return api_reply_json(req, 200, image_view(row));
}

int
glance_image_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL, *props = json_object();
	char id[UUID_STR_LEN], now[TIMESTAMP_LEN];
	const char *k;
	json_t *v;
	int r;

	if (props == NULL)
		return api_reply_internal(req, -ENOMEM, "creating an image");
	if (may_read(req, "add_image") < 0)
		return 0;
	if (!req->id.is_member && !req->id.is_admin)
		return glance_error(req, 403, "You are not authorized to complete add_image "
				    "action.");
	if (body_parse(req, &body) < 0)
		return 0;
	if (!json_is_object(body))
		return glance_error(req, 400, "Body expected in request.");
	uuid_new(id);
	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:b, s:i, s:i}", "owner",
			req->id.project_id, "visibility", "shared", "status", "queued",
			"created_at", now, "updated_at", now, "id", id, "tags", "protected", 0,
			"min_disk", 0, "min_ram", 0);
	if (row == NULL)
		return api_reply_internal(req, -ENOMEM, "creating an image");
	json_object_foreach(body, k, v) {
		if (streq(k, "id")) {
			if (!json_is_string(v) || uuid_normalize(json_string_value(v), id) < 0)
				return schema_error(req, v, "does not match '^([0-9a-fA-F]){8}-"
						    "([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-"
						    "([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'",
						    NULL), 0;
			json_object_set_new(row, "id", json_string(id));
			continue;
		}
		if (in_list(read_only, k))
			return glance_error(req, 403, "Attribute '%s' is read-only.", k);
		if (check_value(req, k, v) < 0)
			return 0;
		json_object_set(is_core(k) ? row : props, k, v);
	}
	if (json_object_size(props) > IMAGE_MAX_PROPERTIES)
		return glance_error(req, 413, "Attempted: %zu, Maximum: %d",
				    json_object_size(props), IMAGE_MAX_PROPERTIES);
	json_object_set(row, "properties", props);
	r = db_row_insert(req->db, &db_t_images, row, NULL);
	if (r == -EEXIST)
		return glance_error(req, 409, "Image with identifier %s already exists!", id);
	if (r < 0)
		return api_reply_internal(req, r, "storing the image");
	return reply_image(req, 201, id);
}

/* The JSON pointer "/a~1b" as the single key "a/b"; NULL for anything deeper or malformed. */
static char *
pointer_key(const char *path)
{
	struct strbuf sb = STRBUF_INIT;

	if (path == NULL || path[0] != '/' || path[1] == '\0')
		return NULL;
	for (const char *s = path + 1; *s; s++) {
		if (*s == '/' || (*s == '~' && s[1] != '0' && s[1] != '1')) {
			strbuf_free(&sb);
			return NULL;
		}
		if (*s == '~') {
			strbuf_puts(&sb, *++s == '0' ? "~" : "/");
			continue;
		}
		strbuf_append(&sb, s, 1);
	}
	return strbuf_steal(&sb);
}

/* Apply one patch operation to the core fields (row) or extra properties (props). */
static int
apply_op(struct api_req *req, json_t *op, const char *status, json_t *row, json_t *props)
{
	const char *o = json_string_value(json_object_get(op, "op"));
	const char *path = json_string_value(json_object_get(op, "path"));
	json_t *v = json_object_get(op, "value");
	_cleanup_free_ char *key = NULL;

	if (!json_is_object(op) || o == NULL ||
	    (!streq(o, "add") && !streq(o, "replace") && !streq(o, "remove")))
		return glance_error(req, 400, "Unable to find `op` in JSON Schema change. It must "
				    "be one of the following: add, remove, replace."), -EINVAL;
	if (path == NULL)
		return glance_error(req, 400, "Unable to find `path` in JSON Schema change."),
		       -EINVAL;
	key = pointer_key(path);
	if (key == NULL)
		return glance_error(req, 400, "Invalid JSON pointer for this resource: '%s'", path),
		       -EINVAL;
	if (!streq(o, "remove") && v == NULL)
		return glance_error(req, 400, "Operation \"%s\" requires a member named \"value\".",
				    o), -EINVAL;
	if (streq(key, "id") || in_list(read_only, key))
		return glance_error(req, 403, "Attribute '%s' is read-only.", key), -EINVAL;
	if (streq(key, "os_distro") && streq(o, "remove")) {
		if (!json_is_string(json_object_get(row, "os_distro")))
			return glance_error(req, 409, "Property %s does not exist.", key), -EINVAL;
		return json_object_set_new(row, "os_distro", json_null()), 0;
	}
	if (is_core(key)) {
		if (streq(o, "remove"))
			return glance_error(req, 403, "Attribute '%s' cannot be removed.", key),
			       -EINVAL;
		if ((streq(key, "disk_format") || streq(key, "container_format")) &&
		    !streq_ptr(status, "queued"))
			return glance_error(req, 403, "Attribute %s can be only replaced for a "
					    "queued image.", key), -EINVAL;
		if (check_value(req, key, v) < 0)
			return -EINVAL;
		return json_object_set(row, key, v), 0;
	}
	if (!streq(o, "add") && json_object_get(props, key) == NULL)
		return glance_error(req, 409, "Property %s does not exist.", key), -EINVAL;
	if (streq(o, "remove"))
		return json_object_del(props, key), 0;
	if (check_value(req, key, v) < 0)
		return -EINVAL;
	return json_object_set(props, key, v), 0;
}

int
glance_image_update(struct api_req *req)
{
	_cleanup_json_ json_t *ops = NULL, *row = NULL, *changes = NULL, *props = NULL;
	const char *ct = req->content_type;
	char now[TIMESTAMP_LEN];
	json_t *op;
	size_t i;
	int r;

	if (image_get_writable(req, req->params[0], "modify_image", &row) < 0)
		return 0;
	if (ct == NULL || (strncasecmp(ct, "application/openstack-images-v2.1-json-patch", 44) &&
			   strncasecmp(ct, "application/openstack-images-v2.0-json-patch", 44))) {
		api_set_header(req, "Accept-Patch", "application/openstack-images-v2.0-json-patch, "
				    "application/openstack-images-v2.1-json-patch");
		return glance_error(req, 415, "Unsupported Content-Type");
	}
	if (body_parse(req, &ops) < 0)
		return 0;
	if (!json_is_array(ops))
		return glance_error(req, 400, "Request body must be a JSON array of operation "
				    "objects.");
	props = json_deep_copy(json_object_get(row, "properties"));
	if (!json_is_object(props)) {
		json_decref(props);
		props = json_object();
	}
	changes = json_deep_copy(row);
	if (props == NULL || changes == NULL)
		return api_reply_internal(req, -ENOMEM, "updating the image");
	json_array_foreach(ops, i, op)
		if (apply_op(req, op, json_string_value(json_object_get(row, "status")), changes,
			     props) < 0)
			return 0;
	if (json_object_size(props) > IMAGE_MAX_PROPERTIES)
		return glance_error(req, 413, "Attempted: %zu, Maximum: %d",
				    json_object_size(props), IMAGE_MAX_PROPERTIES);
	/* Write back only what a patch may change. */
	for (const char *const *k = read_only; *k; k++)
		json_object_del(changes, *k);
	json_object_del(changes, "id");
	time_now_iso(now);
	json_object_set(changes, "properties", props);
	json_object_set_new(changes, "updated_at", json_string(now));
	r = db_row_update(req->db, &db_t_images, "id", req->params[0], changes);
	if (r < 0)
		return api_reply_internal(req, r, "updating the image");
	return reply_image(req, 200, req->params[0]);
}

static void
image_path(const char *id, char *out, size_t len)
{
	snprintf(out, len, "%s/images/%s", conf_str("DEFAULT", "state_path"), id);
}

int
glance_image_delete(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	char path[4096];
	int r;

	if (image_get_writable(req, req->params[0], "delete_image", &row) < 0)
		return 0;
	if (json_is_true(json_object_get(row, "protected")))
		return glance_error(req, 403, "Image %s is protected and cannot be deleted.",
				    req->params[0]);
	r = db_exec(req->db, "DELETE FROM images WHERE id = ?", DB_ARGS(DB_TEXT(req->params[0])));
	if (r < 0)
		return api_reply_internal(req, r, "deleting the image");
	image_path(req->params[0], path, sizeof(path));
	(void)unlink(path);
	return api_reply_empty(req, 204);
}

/* Write data to path atomically (temporary file, fsync, rename), mode 0600. */
static int
store_file(const char *path, const void *data, size_t len)
{
	_cleanup_close_ int fd = -1;
	char tmp[4200];

	snprintf(tmp, sizeof(tmp), "%s.part", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, (const char *)data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)unlink(tmp);
			return -EIO;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		int r = -errno;

		(void)unlink(tmp);
		return r;
	}
	return 0;
}

int
glance_image_upload(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL, *ch = NULL;
	char path[4096], now[TIMESTAMP_LEN], md5[33], sha512[129];
	const char *status;
	int r;

	if (image_get_writable(req, req->params[0], "upload_image", &row) < 0)
		return 0;
	status = json_string_value(json_object_get(row, "status"));
	if (!streq_ptr(status, "queued"))
		return glance_error(req, 409, "Image status transition from %s to saving is not "
				    "allowed", strempty(status));
	if (!json_is_string(json_object_get(row, "disk_format")) ||
	    !json_is_string(json_object_get(row, "container_format")))
		return glance_error(req, 400, "Properties disk_format, container_format must be "
				    "set prior to saving data.");
	/* Claim the upload: a concurrent one finds the image no longer queued. */
	r = db_exec(req->db, "UPDATE images SET status = 'saving' WHERE id = ? AND "
			     "status = 'queued'", DB_ARGS(DB_TEXT(req->params[0])));
	if (r < 0)
		return api_reply_internal(req, r, "claiming the image upload");
	if (r == 0)
		return glance_error(req, 409, "Image status transition from saving to saving is "
				    "not allowed");
	snprintf(path, sizeof(path), "%s/images", conf_str("DEFAULT", "state_path"));
	r = mkdir(path, 0700) < 0 && errno != EEXIST ? -errno : 0;
	if (r == 0) {
		image_path(req->params[0], path, sizeof(path));
		r = store_file(path, req->body ? req->body : "", req->body_len);
	}
	if (r == 0 && (digest_md5_hex(req->body ? req->body : "", req->body_len, md5) < 0 ||
		       digest_sha512_hex(req->body ? req->body : "", req->body_len, sha512) < 0))
		r = -EIO;
	if (r < 0) {
		(void)db_exec(req->db, "UPDATE images SET status = 'queued' WHERE id = ?",
			      DB_ARGS(DB_TEXT(req->params[0])));
		return api_reply_internal(req, r, "storing image data");
	}
	time_now_iso(now);
	ch = json_pack("{s:s, s:I, s:s, s:s, s:s}", "status", "active", "size",
		       (json_int_t)req->body_len, "checksum", md5, "os_hash_value", sha512,
		       "updated_at", now);
	r = ch ? db_row_update(req->db, &db_t_images, "id", req->params[0], ch) : -ENOMEM;
	if (r < 0)
		return api_reply_internal(req, r, "updating the image");
	return api_reply_empty(req, 204);
}

int
glance_image_download(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	_cleanup_free_ char *data = NULL;
	_cleanup_close_ int fd = -1;
	const char *sum;
	char path[4096];
	struct stat st;
	size_t len = 0;

	if (may_read(req, "download_image") < 0 || image_get(req, req->params[0], &row) < 0)
		return 0;
	if (!streq_ptr(json_string_value(json_object_get(row, "status")), "active"))
		return api_reply_empty(req, 204);
	image_path(req->params[0], path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return api_reply_empty(req, 204);
	if (fstat(fd, &st) < 0 || st.st_size < 0)
		return api_reply_internal(req, -errno, "reading image data");
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL)
		return api_reply_internal(req, -ENOMEM, "reading image data");
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, data + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	sum = json_string_value(json_object_get(row, "checksum"));
	if (sum)
		api_set_header(req, "Content-MD5", sum);
	return api_reply_raw(req, 200, "application/octet-stream", data, len, false);
}

/* PUT and DELETE /v2/images/{id}/tags/{tag}. */
static int
image_tag(struct api_req *req, bool add)
{
	_cleanup_json_ json_t *row = NULL, *ch = NULL;
	const char *tag = req->params[1];
	char now[TIMESTAMP_LEN];
	json_t *tags, *t;
	size_t i;
	int r;

	if (image_get_writable(req, req->params[0], "modify_image", &row) < 0)
		return 0;
	tags = json_object_get(row, "tags");
	tags = json_is_array(tags) ? json_deep_copy(tags) : json_array();
	ch = json_pack("{s:o}", "tags", tags);
	if (ch == NULL)
		return api_reply_internal(req, -ENOMEM, "tagging the image");
	json_array_foreach(tags, i, t)
		if (streq(json_string_value(t), tag))
			break;
	if (add && i == json_array_size(tags)) {
		json_array_append_new(tags, json_string(tag));
		if (check_value(req, "tags", tags) < 0)
			return 0;
	} else if (!add) {
		if (i == json_array_size(tags))
			return glance_error(req, 404, "Tag %s not found.", tag);
		json_array_remove(tags, i);
	}
	time_now_iso(now);
	json_object_set_new(ch, "updated_at", json_string(now));
	r = db_row_update(req->db, &db_t_images, "id", req->params[0], ch);
	if (r < 0)
		return api_reply_internal(req, r, "tagging the image");
	return api_reply_empty(req, 204);
}

int
glance_tag_add(struct api_req *req)
{
	return image_tag(req, true);
}

int
glance_tag_delete(struct api_req *req)
{
	return image_tag(req, false);
}

static json_t *
str_array(const char *const *list)
{
	json_t *a = json_array();

	for (size_t i = 0; a && list[i]; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

int
glance_schema_image(struct api_req *req)
{
	static const char *const props[][2] = {
		{ "id", "string" }, { "name", "string" }, { "status", "string" },
		{ "visibility", "string" }, { "owner", "string" }, { "disk_format", "string" },
		{ "container_format", "string" }, { "size", "integer" }, { "checksum", "string" },
		{ "os_hash_algo", "string" }, { "os_hash_value", "string" },
		{ "min_disk", "integer" }, { "min_ram", "integer" }, { "protected", "boolean" },
		{ "tags", "array" }, { "os_distro", "string" }, { "created_at", "string" },
		{ "updated_at", "string" }, { "self", "string" }, { "file", "string" },
		{ "schema", "string" },
	};
	json_t *s, *p = json_object();

	for (size_t i = 0; p && i < ARRAY_SIZE(props); i++)
		json_object_set_new(p, props[i][0], json_pack("{s:s}", "type", props[i][1]));
	json_object_set_new(json_object_get(p, "visibility"), "enum", str_array(visibilities));
	json_object_set_new(json_object_get(p, "disk_format"), "enum", str_array(disk_formats));
	json_object_set_new(json_object_get(p, "container_format"), "enum",
			    str_array(container_formats));
	s = json_pack("{s:s, s:o, s:{s:s}, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "name",
		      "image", "properties", p, "additionalProperties", "type", "string", "links",
		      "rel", "self", "href", "{self}", "rel", "enclosure", "href", "{file}", "rel",
		      "describedby", "href", "{schema}");
	return api_reply_json(req, 200, s);
}

int
glance_schema_images(struct api_req *req)
{
	return api_reply_json(req, 200, json_pack(
		"{s:s, s:{s:{s:s, s:{s:s}}, s:{s:s}, s:{s:s}, s:{s:s}},"
		" s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}",
		"name", "images", "properties", "images", "type", "array", "items", "$ref",
		"/v2/schemas/image", "schema", "type", "string", "first", "type", "string", "next",
		"type", "string", "links", "rel", "first", "href", "{first}", "rel", "next", "href",
		"{next}", "rel", "describedby", "href", "{schema}"));
}
