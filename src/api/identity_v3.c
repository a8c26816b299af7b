/*
 * identity_v3.c - the Keystone v3 subset served by magnumd with the built-in
 * identity: version document, token issue/validate/revoke with a service
 * catalog, and the project/user/role calls clients and the dashboard use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/auth.h"
#include "api/identity_store.h"
#include "api/routes.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "db/table.h"

static int
ks_error(struct api_req *req, int code, const char *title, const char *message)
{
	return api_reply_json(req, code, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", code,
						   "title", title, "message", message));
}

static int
ks_unauthorized(struct api_req *req)
{
	return ks_error(req, 401, "Unauthorized",
			"The request you have made requires authentication.");
}

static void
ks_time(time_t t, char out[40])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

static int
handle_version(struct api_req *req)
{
	char href[512];

	snprintf(href, sizeof(href), "%s/v3/", req->host_url);
	return api_reply_json(req, 200, json_pack(
		"{s:{s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}]}}", "version", "id", "v3.14",
		"status", "stable", "updated", "2020-04-07T00:00:00Z", "links", "rel", "self",
		"href", href, "media-types", "base", "application/json", "type",
		"application/vnd.openstack.identity-v3+json"));
}

static json_t *
endpoint_set(const char *url)
{
	json_t *a = json_array();
	const char *region = conf_str("builtin_auth", "region");

	for (const char *const *i = (const char *const[]){ "public", "internal", "admin", NULL }; *i;
	     i++) {
		char id[33];
		random_hex(id, 16);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id,
						   "interface", *i, "region", region, "region_id",
						   region, "url", url));
	}
	return a;
}

static json_t *
catalog(struct api_req *req)
{
	char u[5][600];

	snprintf(u[0], sizeof(u[0]), "%s", req->host_url);
	snprintf(u[1], sizeof(u[1]), "%s/image", req->host_url);
	snprintf(u[2], sizeof(u[2]), "%s/v2.1", req->host_url);
	snprintf(u[3], sizeof(u[3]), "%s/network", req->host_url);
	snprintf(u[4], sizeof(u[4]), "%s/v3", req->host_url);
	return json_pack("[{s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:o}, "
			 "{s:s, s:s, s:s, s:o}, {s:s, s:s, s:s, s:o}]",
			 "id", "magnum", "type", "container-infra", "name", "magnum", "endpoints",
			 endpoint_set(u[0]),
			 "id", "glance", "type", "image", "name", "glance", "endpoints",
			 endpoint_set(u[1]),
			 "id", "nova", "type", "compute", "name", "nova", "endpoints",
			 endpoint_set(u[2]),
			 "id", "neutron", "type", "network", "name", "neutron", "endpoints",
			 endpoint_set(u[3]),
			 "id", "keystone", "type", "identity", "name", "keystone", "endpoints",
			 endpoint_set(u[4]));
}

/* Roles of user on project, as a JSON array of names. */
static json_t *
roles_of(struct db *db, const char *user, const char *project)
{
	json_t *a = json_array();
	struct db_stmt *st;

	if (db_query(db, "SELECT role FROM role_assignments WHERE user_id = ? AND project_id = ? "
			 "ORDER BY role", DB_ARGS(DB_TEXT(user), DB_TEXT(project)), &st) < 0)
		return a;
	while (db_step(st) == 1)
		json_array_append_new(a, json_string(db_col_text(st, 0)));
	db_stmt_free(st);
	return a;
}

/* The token document for a stored token row. */
static json_t *
token_doc(struct api_req *req, json_t *tok, bool with_catalog)
{
	_cleanup_json_ json_t *user = NULL, *project = NULL;
	const char *pid = json_string_value(json_object_get(tok, "project_id"));
	json_t *doc, *roles = json_array(), *r;
	char exp[40], iss[40], audit[23];
	time_t t = 0;
	size_t i;

	(void)db_row_get(req->db, &db_t_users, NULL, "id = ?",
			 DB_ARGS(DB_TEXT(json_string_value(json_object_get(tok, "user_id")))),
			 &user);
	ks_time((time_t)json_integer_value(json_object_get(tok, "expires_epoch")), exp);
	time_parse_iso(json_string_value(json_object_get(tok, "issued_at")), &t);
	ks_time(t, iss);
	random_hex(audit, 11);
	audit[22] = '\0';
	doc = json_pack("{s:O, s:{s:O, s:O, s:{s:s, s:s}, s:n}, s:s, s:s, s:[s], s:b}", "methods",
			json_object_get(tok, "methods"), "user", "id",
			json_object_get(user, "id"), "name", json_object_get(user, "name"),
			"domain", "id", "default", "name", "Default", "password_expires_at",
			"expires_at", exp, "issued_at", iss, "audit_ids", audit, "is_domain", 0);
	if (doc == NULL)
		return NULL;
	if (pid) {
		(void)db_row_get(req->db, &db_t_projects, NULL, "id = ?", DB_ARGS(DB_TEXT(pid)),
				 &project);
		json_object_set_new(doc, "project",
				    json_pack("{s:s, s:O, s:{s:s, s:s}}", "id", pid, "name",
					      json_object_get(project, "name"), "domain", "id",
					      "default", "name", "Default"));
		json_array_foreach(json_object_get(tok, "roles"), i, r)
			json_array_append_new(roles, json_pack("{s:O, s:O}", "id", r, "name", r));
		json_object_set_new(doc, "roles", roles);
		if (with_catalog)
			json_object_set_new(doc, "catalog", catalog(req));
	} else {
		json_decref(roles);
	}
	return json_pack("{s:o}", "token", doc);
}

static bool
domain_ok(json_t *d)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	const char *name = json_string_value(json_object_get(d, "name"));

	if (d == NULL)
		return true;
	return (id && streq(id, "default")) || (name && strcasecmp(name, "Default") == 0);
}

static int
handle_issue(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *user = NULL, *tok = NULL, *prev = NULL;
	_cleanup_json_ json_t *roles = NULL, *methods = json_array();
	json_t *auth, *ident, *scope, *proj;
	const char *uid = NULL, *pid = NULL;
	char token[65], now[TIMESTAMP_LEN], pidbuf[65];
	int64_t expires;
	int r;

	if (api_body_json(req, &body) < 0)
		return 0;
	auth = json_object_get(body, "auth");
	ident = json_object_get(auth, "identity");
	if (!json_is_object(ident))
		return ks_error(req, 400, "Bad Request", "Expecting to find identity in auth.");
	if (json_object_get(ident, "password")) {
		json_t *u = json_object_get(json_object_get(ident, "password"), "user");
		const char *name = json_string_value(json_object_get(u, "name"));
		const char *id = json_string_value(json_object_get(u, "id"));
		const char *pw = json_string_value(json_object_get(u, "password"));

		if (pw == NULL || (name == NULL && id == NULL))
			return ks_error(req, 400, "Bad Request",
					"Expecting to find user and password in auth.");
		if (id)
			r = db_row_get(req->db, &db_t_users, NULL, "id = ? AND enabled = 1",
				       DB_ARGS(DB_TEXT(id)), &user);
		else if (domain_ok(json_object_get(u, "domain")))
			r = db_row_get(req->db, &db_t_users, NULL, "name = ? AND enabled = 1",
				       DB_ARGS(DB_TEXT(name)), &user);
		else
			r = -ENOENT;
		if (r < 0 || !identity_check_password(pw, json_string_value(
							     json_object_get(user, "password_hash")))) {
			log_info("token refused for user %s", name ? name : id);
			return ks_unauthorized(req);
		}
		uid = json_string_value(json_object_get(user, "id"));
		json_array_append_new(methods, json_string("password"));
	} else if (json_object_get(ident, "token")) {
		struct identity id = { 0 };
		const char *t = json_string_value(json_object_get(json_object_get(ident, "token"),
								  "id"));
		r = db_row_get(req->db, &db_t_tokens, NULL, "id = ? AND expires_epoch > ?",
			       DB_ARGS(DB_TEXT(t), DB_INT((int64_t)time(NULL))), &prev);
		if (r < 0)
			return ks_unauthorized(req);
		(void)id;
		uid = json_string_value(json_object_get(prev, "user_id"));
		json_array_append_new(methods, json_string("token"));
	} else {
		return ks_error(req, 400, "Bad Request", "Unsupported authentication method.");
	}
	scope = json_object_get(auth, "scope");
	proj = json_object_get(scope, "project");
	if (proj) {
		const char *id = json_string_value(json_object_get(proj, "id"));
		const char *name = json_string_value(json_object_get(proj, "name"));
		if (id)
			r = identity_find(req->db, "projects", id, pidbuf);
		else if (name && domain_ok(json_object_get(proj, "domain")))
			r = identity_find(req->db, "projects", name, pidbuf);
		else
			r = -ENOENT;
		if (r < 0)
			return ks_unauthorized(req);
		pid = pidbuf;
		roles = roles_of(req->db, uid, pid);
		if (json_array_size(roles) == 0)
			return ks_unauthorized(req);
	} else if (scope == NULL && user) {
		/* Unscoped request: scope to the default project when the user has one. */
		const char *dp = json_string_value(json_object_get(user, "default_project_id"));
		if (dp) {
			roles = roles_of(req->db, uid, dp);
			if (json_array_size(roles) > 0) {
				snprintf(pidbuf, sizeof(pidbuf), "%s", dp);
				pid = pidbuf;
			}
		}
	}
	random_hex(token, 32);
	time_now_iso(now);
	expires = (int64_t)time(NULL) + conf_int("builtin_auth", "token_expiration");
	if (prev && json_integer_value(json_object_get(prev, "expires_epoch")) < expires)
		expires = json_integer_value(json_object_get(prev, "expires_epoch"));
	tok = json_pack("{s:s, s:s, s:s?, s:O?, s:O, s:s, s:s, s:I}", "id", token, "user_id",
			uid, "project_id", pid, "roles", roles, "methods", methods, "issued_at",
			now, "expires_at", now, "expires_epoch", (json_int_t)expires);
	r = db_row_insert(req->db, &db_t_tokens, tok, NULL);
	if (r < 0)
		return api_reply_internal(req, r, "issuing a token");
	api_set_header(req, "X-Subject-Token", token);
	explicit_bzero(token, sizeof(token));
	return api_reply_json(req, 201, token_doc(req, tok, true));
}

static int
subject(struct api_req *req, json_t **ret)
{
	const char *t = req->get_header(req, "X-Subject-Token");

	if (t == NULL)
		return ks_error(req, 400, "Bad Request", "X-Subject-Token is required."), -EINVAL;
	if (db_row_get(req->db, &db_t_tokens, NULL, "id = ? AND expires_epoch > ?",
		       DB_ARGS(DB_TEXT(t), DB_INT((int64_t)time(NULL))), ret) < 0)
		return ks_error(req, 404, "Not Found", "Could not find token."), -ENOENT;
	return 0;
}

/* Validation is for the token's owner and for admins. */
static bool
may_see(struct api_req *req, json_t *tok)
{
	return req->id.is_admin ||
	       streq(req->id.user_id, strempty(json_string_value(json_object_get(tok, "user_id"))));
}

static int
handle_validate(struct api_req *req)
{
	_cleanup_json_ json_t *tok = NULL;

	if (subject(req, &tok) < 0)
		return 0;
	if (!may_see(req, tok))
		return ks_error(req, 403, "Forbidden", "You are not authorized to validate it.");
	api_set_header(req, "X-Subject-Token", req->get_header(req, "X-Subject-Token"));
	return api_reply_json(req, 200, token_doc(req, tok,
						  api_query(req, "nocatalog") == NULL));
}

static int
handle_revoke(struct api_req *req)
{
	_cleanup_json_ json_t *tok = NULL;
	int r;

	if (subject(req, &tok) < 0)
		return 0;
	if (!may_see(req, tok))
		return ks_error(req, 403, "Forbidden", "You are not authorized to revoke it.");
	r = db_exec(req->db, "DELETE FROM tokens WHERE id = ?",
		    DB_ARGS(DB_TEXT(json_string_value(json_object_get(tok, "id")))));
	if (r < 0)
		return api_reply_internal(req, r, "revoking the token");
	return api_reply_empty(req, 204);
}

static json_t *
project_view(struct api_req *req, json_t *row)
{
	char href[600];

	snprintf(href, sizeof(href), "%s/v3/projects/%s", req->host_url,
		 json_string_value(json_object_get(row, "id")));
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:b, s:n, s:{s:s}}", "id",
			 json_object_get(row, "id"), "name", json_object_get(row, "name"),
			 "domain_id", json_object_get(row, "domain_id"), "description",
			 json_object_get(row, "description"), "enabled",
			 json_object_get(row, "enabled"), "is_domain", 0, "parent_id", "links",
			 "self", href);
}

static int
projects_reply(struct api_req *req, const char *user_id)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *items = json_array(), *row;
	size_t i;
	int r;

	if (user_id)
		r = db_row_select(req->db, &db_t_projects, NULL,
				  "id IN (SELECT project_id FROM role_assignments WHERE user_id = ?)",
				  DB_ARGS(DB_TEXT(user_id)), "name", 0, &rows);
	else
		r = db_row_select(req->db, &db_t_projects, NULL, NULL, DB_NOARGS, "name", 0, &rows);
	if (r < 0) {
		json_decref(items);
		return api_reply_internal(req, r, "listing projects");
	}
	json_array_foreach(rows, i, row)
		json_array_append_new(items, project_view(req, row));
	return api_reply_json(req, 200, json_pack("{s:o, s:{s:n, s:n, s:n}}", "projects", items,
						  "links", "self", "previous", "next"));
}

static int
handle_auth_projects(struct api_req *req)
{
	return projects_reply(req, req->id.user_id);
}

static int
handle_user_projects(struct api_req *req)
{
	if (!req->id.is_admin && !streq(req->id.user_id, req->params[0]))
		return ks_error(req, 403, "Forbidden", "You are not authorized to list them.");
	return projects_reply(req, req->params[0]);
}

static int
handle_projects(struct api_req *req)
{
	return projects_reply(req, req->id.is_admin ? NULL : req->id.user_id);
}

static int
handle_project_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL;
	const char *name;
	char id[33];
	int r;

	if (!req->id.is_admin)
		return ks_error(req, 403, "Forbidden", "Only an admin may create projects.");
	if (api_body_json(req, &body) < 0)
		return 0;
	name = json_string_value(json_object_get(json_object_get(body, "project"), "name"));
	if (name == NULL || *name == '\0' || strlen(name) > 64)
		return ks_error(req, 400, "Bad Request", "A project name of 1 to 64 characters is "
				"required.");
	r = identity_project_create(req->db, name, json_string_value(json_object_get(
				    json_object_get(body, "project"), "description")), id);
	if (r == -EEXIST)
		return ks_error(req, 409, "Conflict", "A project with that name already exists.");
	if (r < 0)
		return api_reply_internal(req, r, "creating the project");
	r = db_row_get(req->db, &db_t_projects, NULL, "id = ?", DB_ARGS(DB_TEXT(id)), &row);
	if (r < 0)
		return api_reply_internal(req, r, "reading the project back");
	return api_reply_json(req, 201, json_pack("{s:o}", "project", project_view(req, row)));
}

static int
handle_users(struct api_req *req)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *items = json_array(), *row;
	size_t i;
	int r;

	if (!req->id.is_admin)
		return ks_error(req, 403, "Forbidden", "Only an admin may list users.");
	r = db_row_select(req->db, &db_t_users, NULL, NULL, DB_NOARGS, "name", 0, &rows);
	if (r < 0)
		return api_reply_internal(req, r, "listing users");
	json_array_foreach(rows, i, row)
		json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:O?}", "id",
						       json_object_get(row, "id"), "name",
						       json_object_get(row, "name"), "domain_id",
						       json_object_get(row, "domain_id"), "enabled",
						       json_object_get(row, "enabled"),
						       "default_project_id",
						       json_object_get(row, "default_project_id")));
	return api_reply_json(req, 200, json_pack("{s:o}", "users", items));
}

static int
handle_user_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL;
	json_t *u;
	const char *name, *pw, *dp;
	char id[33];
	int r;

	if (!req->id.is_admin)
		return ks_error(req, 403, "Forbidden", "Only an admin may create users.");
	if (api_body_json(req, &body) < 0)
		return 0;
	u = json_object_get(body, "user");
	name = json_string_value(json_object_get(u, "name"));
	pw = json_string_value(json_object_get(u, "password"));
	dp = json_string_value(json_object_get(u, "default_project_id"));
	if (name == NULL || *name == '\0' || strlen(name) > 255 || pw == NULL || *pw == '\0')
		return ks_error(req, 400, "Bad Request", "A user needs a name and a password.");
	r = identity_user_create(req->db, name, pw, dp, id);
	if (r == -EEXIST)
		return ks_error(req, 409, "Conflict", "A user with that name already exists.");
	if (r < 0)
		return api_reply_internal(req, r, "creating the user");
	return api_reply_json(req, 201, json_pack("{s:{s:s, s:s, s:s, s:b}}", "user", "id", id,
						  "name", name, "domain_id", "default", "enabled", 1));
}

static int
handle_grant(struct api_req *req)
{
	char pid[65], uid[65];
	const char *role = req->params[2];
	int r;

	if (!req->id.is_admin)
		return ks_error(req, 403, "Forbidden", "Only an admin may grant roles.");
	if (!streq(role, "admin") && !streq(role, "member") && !streq(role, "reader"))
		return ks_error(req, 404, "Not Found", "Could not find role: roles are admin, "
				"member and reader.");
	if (identity_find(req->db, "projects", req->params[0], pid) < 0 ||
	    identity_find(req->db, "users", req->params[1], uid) < 0)
		return ks_error(req, 404, "Not Found", "Could not find project or user.");
	r = identity_role_add(req->db, uid, pid, role);
	if (r < 0)
		return api_reply_internal(req, r, "granting the role");
	return api_reply_empty(req, 204);
}

static int
handle_roles(struct api_req *req)
{
	return api_reply_json(req, 200, json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}",
						  "roles", "id", "admin", "name", "admin", "id",
						  "member", "name", "member", "id", "reader", "name",
						  "reader"));
}

#define V3(m, p, f, fl) { m, p, f, ERA_CLUSTER, 0, "identity", ROUTE_NOVERSION | (fl) }

const struct route identity_routes[] = {
	V3("GET", "/v3", handle_version, ROUTE_PUBLIC),
	V3("POST", "/v3/auth/tokens", handle_issue, ROUTE_PUBLIC),
	V3("GET", "/v3/auth/tokens", handle_validate, 0),
	V3("DELETE", "/v3/auth/tokens", handle_revoke, 0),
	V3("GET", "/v3/auth/projects", handle_auth_projects, 0),
	V3("GET", "/v3/users/{}/projects", handle_user_projects, 0),
	V3("GET", "/v3/projects", handle_projects, 0),
	V3("POST", "/v3/projects", handle_project_create, 0),
	V3("GET", "/v3/users", handle_users, 0),
	V3("POST", "/v3/users", handle_user_create, 0),
	V3("PUT", "/v3/projects/{}/users/{}/roles/{}", handle_grant, 0),
	V3("GET", "/v3/roles", handle_roles, 0),
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
