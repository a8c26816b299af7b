/*
 * resources_routes.c - the embedded cloud's catalogue for OpenStack clients:
 * Glance v2 images (metadata and upload), Nova flavors and keypairs, Neutron
 * networks. Subsets: what python-openstackclient's image, flavor, keypair and
 * network commands use.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/patch.h"
#include "api/routes.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/util.h"
#include "db/table.h"
#include "x509/digest.h"

/* Glance/Nova/Neutron error bodies. */
static int
glance_err(struct api_req *req, int status, const char *title, const char *msg)
{
	return api_reply_json(req, status, json_pack("{s:s, s:s, s:i}", "title", title,
						     "message", msg, "code", status));
}

static int
nova_err(struct api_req *req, int status, const char *kind, const char *msg)
{
	return api_reply_json(req, status, json_pack("{s:{s:s, s:i}}", kind, "message", msg,
						     "code", status));
}

/* Image times are Glance-style "2026-11-25T07:00:00Z". */
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

static json_t *
image_view(json_t *row)
{
	const char *id = json_string_value(json_object_get(row, "id"));
	json_t *o = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:o, s:[], "
			      "s:b, s:i, s:i, s:s, s:s, s:s}",
			      "id", id, "name", json_object_get(row, "name"), "status",
			      json_object_get(row, "status"), "visibility",
			      json_object_get(row, "visibility"), "owner",
			      json_object_get(row, "owner"), "disk_format",
			      json_object_get(row, "disk_format"), "container_format",
			      json_object_get(row, "container_format"), "size",
			      json_object_get(row, "size"), "checksum",
			      json_object_get(row, "checksum"), "created_at",
			      glance_time(json_object_get(row, "created_at")), "updated_at",
			      glance_time(json_object_get(row, "updated_at") &&
						  !json_is_null(json_object_get(row, "updated_at")) ?
					  json_object_get(row, "updated_at") :
					  json_object_get(row, "created_at")),
			      "tags", "protected", 0, "min_disk", 0, "min_ram", 0, "self", "",
			      "file", "", "schema", "/image/v2/schemas/image");
	const char *k;
	json_t *v;
	char buf[128];

	if (o == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "/image/v2/images/%s", id);
	json_object_set_new(o, "self", json_string(buf));
	snprintf(buf, sizeof(buf), "/image/v2/images/%s/file", id);
	json_object_set_new(o, "file", json_string(buf));
	json_object_foreach(json_object_get(row, "properties"), k, v)
		json_object_set(o, k, v);
	if (!json_is_null(json_object_get(row, "os_distro")))
		json_object_set(o, "os_distro", json_object_get(row, "os_distro"));
	return o;
}

static const char *const image_core[] = { "id", "name", "status", "visibility", "owner",
					  "disk_format", "container_format", "size", "checksum",
					  "created_at", "updated_at", "tags", "protected",
					  "min_disk", "min_ram", "self", "file", "schema",
					  "os_distro", "virtual_size", "os_hidden", NULL };

static bool
is_core(const char *k)
{
	for (size_t i = 0; image_core[i]; i++)
		if (streq(image_core[i], k))
			return true;
	return false;
}

static int
image_get(struct api_req *req, const char *id, json_t **ret)
{
	int r = db_row_get(req->db, &db_t_images, NULL,
			   "id = ? AND (visibility IN ('public', 'community') OR owner = ? OR ? = 1)",
			   DB_ARGS(DB_TEXT(id), DB_TEXT(req->id.project_id),
				   DB_INT(req->id.is_admin ? 1 : 0)), ret);

	if (r == -ENOENT)
		glance_err(req, 404, "Not Found", "No image found with ID");
	else if (r < 0)
		api_reply_internal(req, r, "image lookup");
	return r;
}

static int
handle_image_list(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	const char *name = api_query(req, "name"), *vis = api_query(req, "visibility");
	char where[512];
	struct db_param p[4];
	size_t n = 0, i;
	json_t *items, *row;
	int r;

	snprintf(where, sizeof(where), "(visibility IN ('public', 'community') OR owner = ? OR "
				       "? = 1)%s%s", name ? " AND name = ?" : "",
		 vis ? " AND visibility = ?" : "");
	p[n++] = DB_TEXT(req->id.project_id);
	p[n++] = DB_INT(req->id.is_admin ? 1 : 0);
	if (name)
		p[n++] = DB_TEXT(name);
	if (vis)
		p[n++] = DB_TEXT(vis);
	r = db_row_select(req->db, &db_t_images, NULL, where, p, n, "created_at DESC, id", 0,
			  &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing images");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, image_view(row));
	return api_reply_json(req, 200, json_pack("{s:o, s:s, s:s}", "images", items, "first",
						  "/image/v2/images", "schema", "/v2/schemas/images"));
}

static int
handle_image_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;

	if (image_get(req, req->params[0], &row) < 0)
		return 0;
	return api_reply_json(req, 200, image_view(row));
}

static int
handle_image_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL, *props = json_object();
	const char *vis, *k;
	char id[UUID_STR_LEN], now[TIMESTAMP_LEN];
	json_t *v;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	if (!json_is_object(body))
		return glance_err(req, 400, "Bad Request", "Request body must be a JSON object");
	if (!req->id.is_member)
		return glance_err(req, 403, "Forbidden", "You are not authorized to create images");
	vis = json_string_value(json_object_get(body, "visibility"));
	if (vis == NULL)
		vis = "shared";
	if (!streq(vis, "private") && !streq(vis, "public") && !streq(vis, "shared") &&
	    !streq(vis, "community"))
		return glance_err(req, 400, "Bad Request", "Invalid visibility value");
	if (streq(vis, "public") && !req->id.is_admin)
		return glance_err(req, 403, "Forbidden",
				  "Only admin may publicize images (visibility public)");
	json_object_foreach(body, k, v) {
		if (is_core(k) || streq(k, "os_distro"))
			continue;
		if (!json_is_string(v))
			return glance_err(req, 400, "Bad Request",
					  "Additional image properties must be strings");
		json_object_set(props, k, v);
	}
	v = json_object_get(body, "id");
	if (json_is_string(v) && uuid_is_like(json_string_value(v)))
		uuid_normalize(json_string_value(v), id);
	else
		uuid_new(id);
	time_now_iso(now);
	row = json_pack("{s:s, s:O?, s:O?, s:s, s:s, s:s, s:o, s:O?, s:O?, s:s}", "id", id,
			"name", json_object_get(body, "name"), "os_distro",
			json_object_get(body, "os_distro"), "owner", req->id.project_id,
			"visibility", vis, "status", "queued", "properties", json_incref(props),
			"disk_format", json_object_get(body, "disk_format"), "container_format",
			json_object_get(body, "container_format"), "created_at", now);
	if (row == NULL)
		return glance_err(req, 400, "Bad Request", "Invalid image attributes");
	r = db_row_insert(req->db, &db_t_images, row, NULL);
	if (r == -EEXIST)
		return glance_err(req, 409, "Conflict", "Image ID already exists");
	if (r < 0)
		return api_reply_internal(req, r, "storing the image");
	json_decref(row);
	row = NULL;
	if (db_row_get(req->db, &db_t_images, NULL, "id = ?", DB_ARGS(DB_TEXT(id)), &row) < 0)
		return api_reply_internal(req, -EIO, "reading the image back");
	return api_reply_json(req, 201, image_view(row));
}

static int
handle_image_patch(struct api_req *req)
{
	_cleanup_json_ json_t *ops = NULL, *row = NULL, *changes = json_object();
	json_t *props, *op;
	char now[TIMESTAMP_LEN];
	size_t i;
	int r;

	if (req->content_type && strstr(req->content_type, "openstack-images-v2"))
		req->content_type = "application/json";
	if (api_body_json(req, &ops) < 0)
		return 0;
	if (image_get(req, req->params[0], &row) < 0)
		return 0;
	if (!req->id.is_admin &&
	    !streq(req->id.project_id, strempty(json_string_value(json_object_get(row, "owner")))))
		return glance_err(req, 403, "Forbidden", "You are not permitted to modify this image");
	if (!json_is_array(ops))
		return glance_err(req, 400, "Bad Request", "Expected a list of JSON-Patch operations");
	props = json_deep_copy(json_object_get(row, "properties"));
	if (!json_is_object(props)) {
		json_decref(props);
		props = json_object();
	}
	json_array_foreach(ops, i, op) {
		const char *o = json_string_value(json_object_get(op, "op"));
		const char *path = json_string_value(json_object_get(op, "path"));
		json_t *v = json_object_get(op, "value");

		if (o == NULL || path == NULL || path[0] != '/' ||
		    (!streq(o, "remove") && !json_is_string(v))) {
			json_decref(props);
			return glance_err(req, 400, "Bad Request", "Invalid JSON-Patch operation");
		}
		path++;
		if (streq(path, "name") || streq(path, "os_distro") || streq(path, "visibility")) {
			if (streq(path, "visibility") && streq(strempty(json_string_value(v)), "public") &&
			    !req->id.is_admin) {
				json_decref(props);
				return glance_err(req, 403, "Forbidden",
						  "Only admin may publicize images");
			}
			json_object_set(changes, path, streq(o, "remove") ? json_null() : v);
		} else if (is_core(path)) {
			json_decref(props);
			return glance_err(req, 403, "Forbidden", "Attribute is read-only");
		} else if (streq(o, "remove")) {
			json_object_del(props, path);
		} else {
			json_object_set(props, path, v);
		}
	}
	time_now_iso(now);
	json_object_set_new(changes, "properties", props);
	json_object_set_new(changes, "updated_at", json_string(now));
	r = db_row_update(req->db, &db_t_images, "id", req->params[0], changes);
	if (r < 0)
		return api_reply_internal(req, r, "updating the image");
	json_decref(row);
	row = NULL;
	if (db_row_get(req->db, &db_t_images, NULL, "id = ?", DB_ARGS(DB_TEXT(req->params[0])),
		       &row) < 0)
		return api_reply_internal(req, -EIO, "reading the image back");
	return api_reply_json(req, 200, image_view(row));
}

static void
image_path(const char *id, char *out, size_t len)
{
	snprintf(out, len, "%s/images/%s", conf_str("DEFAULT", "state_path"), id);
}

static int
handle_image_delete(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	char path[4096];
	int r;

	if (image_get(req, req->params[0], &row) < 0)
		return 0;
	if (!req->id.is_admin &&
	    !streq(req->id.project_id, strempty(json_string_value(json_object_get(row, "owner")))))
		return glance_err(req, 403, "Forbidden", "You are not permitted to delete this image");
	r = db_exec(req->db, "DELETE FROM images WHERE id = ?", DB_ARGS(DB_TEXT(req->params[0])));
	if (r < 0)
		return api_reply_internal(req, r, "deleting the image");
	image_path(req->params[0], path, sizeof(path));
	unlink(path);
	return api_reply_empty(req, 204);
}

static int
handle_image_upload(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL, *ch = NULL;
	char path[4096], tmp[4200], now[TIMESTAMP_LEN];
	_cleanup_close_ int fd = -1;
	int r;

	if (image_get(req, req->params[0], &row) < 0)
		return 0;
	if (!req->id.is_admin &&
	    !streq(req->id.project_id, strempty(json_string_value(json_object_get(row, "owner")))))
		return glance_err(req, 403, "Forbidden", "You are not permitted to upload this image");
	snprintf(path, sizeof(path), "%s/images", conf_str("DEFAULT", "state_path"));
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return api_reply_internal(req, -errno, "creating the image store");
	image_path(req->params[0], path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.part", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return api_reply_internal(req, -errno, "storing image data");
	if (req->body_len && write(fd, req->body, req->body_len) != (ssize_t)req->body_len) {
		unlink(tmp);
		return api_reply_internal(req, -EIO, "storing image data");
	}
	if (fsync(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return api_reply_internal(req, -errno, "storing image data");
	}
	time_now_iso(now);
	ch = json_pack("{s:s, s:I, s:s}", "status", "active", "size", (json_int_t)req->body_len,
		       "updated_at", now);
	r = db_row_update(req->db, &db_t_images, "id", req->params[0], ch);
	if (r < 0)
		return api_reply_internal(req, r, "updating the image");
	return api_reply_empty(req, 204);
}

static int
handle_image_download(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	_cleanup_free_ char *data = NULL;
	char path[4096];
	size_t len = 0;
	FILE *f;

	if (image_get(req, req->params[0], &row) < 0)
		return 0;
	image_path(req->params[0], path, sizeof(path));
	f = fopen(path, "re");
	if (f == NULL)
		return api_reply_empty(req, 204);
	{
		struct stat st;
		if (fstat(fileno(f), &st) == 0 && st.st_size >= 0) {
			data = malloc((size_t)st.st_size + 1);
			if (data)
				len = fread(data, 1, (size_t)st.st_size, f);
		}
	}
	fclose(f);
	return api_reply_raw(req, 200, "application/octet-stream", data ? data : "", len, false);
}

static int
handle_image_schema(struct api_req *req)
{
	return api_reply_json(req, 200, json_pack(
		"{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:[s, s, s, s]}}, s:{s:s}}", "name", "image",
		"properties", "id", "type", "string", "name", "type", "string", "os_distro", "type",
		"string", "visibility", "enum", "public", "private", "community", "shared",
		"additionalProperties", "type", "string"));
}

/* --- Nova: flavors and keypairs --- */

static json_t *
flavor_view(struct api_req *req, json_t *row, bool detail)
{
	const char *id = json_string_value(json_object_get(row, "id"));
	char href[512];
	json_t *o;

	snprintf(href, sizeof(href), "%s/v2.1/flavors/%s", req->host_url, id);
	o = json_pack("{s:s, s:O, s:[{s:s, s:s}]}", "id", id, "name", json_object_get(row, "name"),
		      "links", "rel", "self", "href", href);
	if (detail && o) {
		json_object_set(o, "vcpus", json_object_get(row, "vcpus"));
		json_object_set(o, "ram", json_object_get(row, "ram"));
		json_object_set(o, "disk", json_object_get(row, "disk"));
		json_object_set_new(o, "OS-FLV-EXT-DATA:ephemeral", json_integer(0));
		json_object_set_new(o, "OS-FLV-DISABLED:disabled", json_false());
		json_object_set_new(o, "os-flavor-access:is_public", json_true());
		json_object_set_new(o, "swap", json_string(""));
		json_object_set_new(o, "rxtx_factor", json_real(1.0));
		json_object_set_new(o, "description", json_null());
		json_object_set_new(o, "extra_specs", json_object());
	}
	return o;
}

static void
nova_headers(struct api_req *req)
{
	api_set_header(req, "OpenStack-API-Version", "compute 2.1");
	api_set_header(req, "X-OpenStack-Nova-API-Version", "2.1");
	api_set_header(req, "Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
}

static int
handle_flavor_list(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	bool detail = strstr(req->path, "/detail") != NULL;
	json_t *items, *row;
	size_t i;
	int r;

	nova_headers(req);
	r = db_row_select(req->db, &db_t_flavors, NULL, NULL, DB_NOARGS, "ram, id", 0, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing flavors");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, flavor_view(req, row, detail));
	return api_reply_json(req, 200, json_pack("{s:o}", "flavors", items));
}

static int
handle_flavor_show(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	int r;

	nova_headers(req);
	r = db_row_select(req->db, &db_t_flavors, NULL, "id = ? OR name = ?",
			  DB_ARGS(DB_TEXT(req->params[0]), DB_TEXT(req->params[0])), "id", 1, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "flavor lookup");
	if (json_array_size(rows) == 0)
		return nova_err(req, 404, "itemNotFound", "Flavor could not be found.");
	return api_reply_json(req, 200, json_pack("{s:o}", "flavor",
						  flavor_view(req, json_array_get(rows, 0), true)));
}

/* The MD5 fingerprint Nova shows ("aa:bb:..."): MD5 of the decoded key blob. */
static char *
key_fingerprint(const char *pubkey)
{
	const char *sp = strchr(pubkey, ' ');
	_cleanup_free_ char *b64 = NULL;
	_cleanup_free_ unsigned char *blob = NULL;
	char fp[48];
	size_t len;

	if (sp == NULL)
		return NULL;
	b64 = strndup(sp + 1, strcspn(sp + 1, " \n"));
	if (b64 == NULL)
		return NULL;
	len = strlen(b64);
	blob = malloc(len);
	if (blob == NULL || digest_base64_decode(b64, blob, &len) < 0 ||
	    digest_md5_colon(blob, len, fp) < 0)
		return NULL;
	return strdup(fp);
}

static json_t *
keypair_view(json_t *row, bool full)
{
	json_t *o = json_pack("{s:O, s:O, s:O, s:O}", "name", json_object_get(row, "name"),
			      "public_key", json_object_get(row, "public_key"), "fingerprint",
			      json_object_get(row, "fingerprint"), "type",
			      json_object_get(row, "type"));
	if (o && full) {
		json_object_set(o, "user_id", json_object_get(row, "user_id"));
		json_object_set(o, "created_at", json_object_get(row, "created_at"));
		json_object_set(o, "id", json_object_get(row, "id"));
		json_object_set_new(o, "deleted", json_false());
	}
	return o;
}

static int
handle_keypair_list(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *items, *row;
	size_t i;
	int r;

	nova_headers(req);
	r = db_row_select(req->db, &db_t_keypairs, NULL, "user_id = ?",
			  DB_ARGS(DB_TEXT(req->id.user_id)), "name", 0, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing keypairs");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, json_pack("{s:o}", "keypair", keypair_view(row, false)));
	return api_reply_json(req, 200, json_pack("{s:o}", "keypairs", items));
}

static int
handle_keypair_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	nova_headers(req);
	r = db_row_get(req->db, &db_t_keypairs, NULL, "name = ? AND user_id = ?",
		       DB_ARGS(DB_TEXT(req->params[0]), DB_TEXT(req->id.user_id)), &row);
	if (r == -ENOENT)
		return nova_err(req, 404, "itemNotFound",
				"Keypair could not be found.");
	if (r < 0)
		return api_reply_internal(req, r, "keypair lookup");
	return api_reply_json(req, 200, json_pack("{s:o}", "keypair", keypair_view(row, true)));
}

static bool
valid_pubkey(const char *k)
{
	static const char *const types[] = { "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-nistp256 ",
					     "ecdsa-sha2-nistp384 ", "ecdsa-sha2-nistp521 ", NULL };
	const char *b;

	for (size_t i = 0; types[i]; i++) {
		if (strncmp(k, types[i], strlen(types[i])) != 0)
			continue;
		b = k + strlen(types[i]);
		if (strlen(b) < 16)
			return false;
		for (; *b && *b != ' '; b++)
			if (!(isalnum((unsigned char)*b) || *b == '+' || *b == '/' || *b == '='))
				return false;
		return true;
	}
	return false;
}

static int
handle_keypair_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL;
	_cleanup_free_ char *fp = NULL;
	const char *name, *pub;
	json_t *kp;
	char now[TIMESTAMP_LEN];
	int r;

	nova_headers(req);
	if (api_body_json(req, &body) < 0)
		return 0;
	kp = json_object_get(body, "keypair");
	name = json_string_value(json_object_get(kp, "name"));
	pub = json_string_value(json_object_get(kp, "public_key"));
	if (name == NULL || *name == '\0' || strlen(name) > 255)
		return nova_err(req, 400, "badRequest", "Invalid input for field/attribute name.");
	if (pub == NULL)
		return nova_err(req, 400, "badRequest",
				"public_key is required: this cloud does not generate key pairs; "
				"import one (ssh-keygen, then --public-key FILE)");
	if (!valid_pubkey(pub))
		return nova_err(req, 400, "badRequest", "Keypair data is invalid: failed to "
				"parse the public key");
	fp = key_fingerprint(pub);
	if (fp == NULL)
		return nova_err(req, 400, "badRequest", "Keypair data is invalid: failed to "
				"decode the public key");
	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "name", name, "user_id",
			req->id.user_id, "public_key", pub, "fingerprint", fp, "type",
			strncmp(pub, "ssh-rsa", 7) == 0 || strncmp(pub, "ssh-ed", 6) == 0 ||
					strncmp(pub, "ecdsa", 5) == 0 ? "ssh" : "x509",
			"created_at", now);
	r = db_row_insert(req->db, &db_t_keypairs, row, NULL);
	if (r == -EEXIST)
		return nova_err(req, 409, "conflictingRequest",
				"Key pair already exists.");
	if (r < 0)
		return api_reply_internal(req, r, "storing the keypair");
	return api_reply_json(req, 200, json_pack("{s:o}", "keypair", keypair_view(row, true)));
}

static int
handle_keypair_delete(struct api_req *req)
{
	int r;

	nova_headers(req);
	r = db_exec(req->db, "DELETE FROM keypairs WHERE name = ? AND user_id = ?",
		    DB_ARGS(DB_TEXT(req->params[0]), DB_TEXT(req->id.user_id)));
	if (r < 0)
		return api_reply_internal(req, r, "deleting the keypair");
	if (r == 0)
		return nova_err(req, 404, "itemNotFound", "Keypair could not be found.");
	return api_reply_empty(req, 202);
}

static int
handle_nova_version(struct api_req *req)
{
	char href[512];

	nova_headers(req);
	snprintf(href, sizeof(href), "%s/v2.1/", req->host_url);
	return api_reply_json(req, 200, json_pack(
		"{s:{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}}", "version", "id", "v2.1",
		"status", "CURRENT", "version", "2.1", "min_version", "2.1", "updated",
		"2013-07-23T11:33:21Z", "links", "rel", "self", "href", href));
}

/* --- Neutron: networks --- */

static int
handle_network_list(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	const char *ext = api_query(req, "router:external"), *name = api_query(req, "name");
	const char *id = api_query(req, "id");
	char where[256] = "1 = 1";
	struct db_param p[3];
	size_t n = 0, i;
	json_t *items, *row;
	int r;

	if (ext) {
		bool b = false;
		(void)parse_bool(ext, &b);
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s",
			 b ? " AND router_external = 1" : " AND router_external = 0");
	}
	if (name) {
		snprintf(where + strlen(where), sizeof(where) - strlen(where), " AND name = ?");
		p[n++] = DB_TEXT(name);
	}
	if (id) {
		snprintf(where + strlen(where), sizeof(where) - strlen(where), " AND id = ?");
		p[n++] = DB_TEXT(id);
	}
	r = db_row_select(req->db, &db_t_networks, NULL, where, p, n, "name", 0, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing networks");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, json_pack(
			"{s:O, s:O, s:O, s:s, s:b, s:[], s:s, s:b, s:s, s:s}", "id",
			json_object_get(row, "id"), "name", json_object_get(row, "name"),
			"router:external", json_object_get(row, "router_external"), "status",
			"ACTIVE", "admin_state_up", 1, "subnets", "tenant_id", "", "shared", 1,
			"project_id", "", "description", ""));
	return api_reply_json(req, 200, json_pack("{s:o}", "networks", items));
}

static int
handle_glance_versions(struct api_req *req)
{
	char href[600];

	snprintf(href, sizeof(href), "%s/image/v2/", req->host_url);
	return api_reply_json(req, 200, json_pack(
		"{s:[{s:s, s:s, s:[{s:s, s:s}]}, {s:s, s:s, s:[{s:s, s:s}]}]}", "versions", "id",
		"v2.9", "status", "CURRENT", "links", "rel", "self", "href", href, "id", "v2.0",
		"status", "SUPPORTED", "links", "rel", "self", "href", href));
}

static int
handle_neutron_versions(struct api_req *req)
{
	char href[600];

	snprintf(href, sizeof(href), "%s/network/v2.0/", req->host_url);
	return api_reply_json(req, 200, json_pack("{s:[{s:s, s:s, s:[{s:s, s:s}]}]}", "versions",
						  "id", "v2.0", "status", "CURRENT", "links", "rel",
						  "self", "href", href));
}

static int
handle_flavor_extra_specs(struct api_req *req)
{
	nova_headers(req);
	return api_reply_json(req, 200, json_pack("{s:{}}", "extra_specs"));
}

const struct route resource_routes[] = {
	{ "GET", "/image", handle_glance_versions, ERA_CLUSTER, 0, "images",
	  ROUTE_NOVERSION | ROUTE_PUBLIC },
	{ "GET", "/image/versions", handle_glance_versions, ERA_CLUSTER, 0, "images",
	  ROUTE_NOVERSION | ROUTE_PUBLIC },
	{ "GET", "/network", handle_neutron_versions, ERA_CLUSTER, 0, "networks",
	  ROUTE_NOVERSION | ROUTE_PUBLIC },
	{ "GET", "/v2.1/flavors/{}/os-extra_specs", handle_flavor_extra_specs, ERA_CLUSTER, 0,
	  "flavors", ROUTE_NOVERSION },
	{ "GET", "/image/v2/images", handle_image_list, ERA_CLUSTER, 0, "images", ROUTE_NOVERSION },
	{ "POST", "/image/v2/images", handle_image_create, ERA_CLUSTER, 0, "images", ROUTE_NOVERSION },
	{ "GET", "/image/v2/images/{}", handle_image_show, ERA_CLUSTER, 0, "images", ROUTE_NOVERSION },
	{ "PATCH", "/image/v2/images/{}", handle_image_patch, ERA_CLUSTER, 0, "images", ROUTE_NOVERSION },
	{ "DELETE", "/image/v2/images/{}", handle_image_delete, ERA_CLUSTER, 0, "images",
	  ROUTE_NOVERSION },
	{ "PUT", "/image/v2/images/{}/file", handle_image_upload, ERA_CLUSTER, 0, "images",
	  ROUTE_NOVERSION },
	{ "GET", "/image/v2/images/{}/file", handle_image_download, ERA_CLUSTER, 0, "images",
	  ROUTE_NOVERSION },
	{ "GET", "/image/v2/schemas/image", handle_image_schema, ERA_CLUSTER, 0, "images",
	  ROUTE_NOVERSION },
	{ "GET", "/v2.1", handle_nova_version, ERA_CLUSTER, 0, "compute", ROUTE_NOVERSION },
	{ "GET", "/v2.1/flavors", handle_flavor_list, ERA_CLUSTER, 0, "flavors", ROUTE_NOVERSION },
	{ "GET", "/v2.1/flavors/detail", handle_flavor_list, ERA_CLUSTER, 0, "flavors",
	  ROUTE_NOVERSION },
	{ "GET", "/v2.1/flavors/{}", handle_flavor_show, ERA_CLUSTER, 0, "flavors",
	  ROUTE_NOVERSION },
	{ "GET", "/v2.1/os-keypairs", handle_keypair_list, ERA_CLUSTER, 0, "keypairs",
	  ROUTE_NOVERSION },
	{ "POST", "/v2.1/os-keypairs", handle_keypair_create, ERA_CLUSTER, 0, "keypairs",
	  ROUTE_NOVERSION },
	{ "GET", "/v2.1/os-keypairs/{}", handle_keypair_show, ERA_CLUSTER, 0, "keypairs",
	  ROUTE_NOVERSION },
	{ "DELETE", "/v2.1/os-keypairs/{}", handle_keypair_delete, ERA_CLUSTER, 0, "keypairs",
	  ROUTE_NOVERSION },
	{ "GET", "/network/v2.0/networks", handle_network_list, ERA_CLUSTER, 0, "networks",
	  ROUTE_NOVERSION },
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
