/*
 * identity_v3.c - the Keystone v3 subset served by magnumd with the built-in
 * identity (auth_strategy = builtin): version document, token issue /
 * validate / revoke with a service catalog, and the project, user and role
 * calls that keystoneauth, python-openstackclient, our CLI and the dashboard
 * use. Every error body is Keystone's {"error":{"code","title","message"}}.
 * With another auth_strategy these routes answer 404: tokens would come from
 * somewhere else.
 */
#include <errno.h>
#include <pthread.h>
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
#include "x509/x509.h"

#define ROLE_NAMES ((const char *const[]){ "admin", "member", "reader", NULL })

static int
ks_error(struct api_req *req, int code, const char *title, const char *message)
{
	return api_reply_json(req, code, json_pack("{s:{s:i, s:s, s:s}}", "error", "code", code,
						   "title", title, "message", message));
}

static int
ks_unauthorized(struct api_req *req, const char *message)
{
	char hdr[600];

	snprintf(hdr, sizeof(hdr), "Keystone uri=\"%s/v3\"", req->host_url);
	api_set_header(req, "WWW-Authenticate", hdr);
	return ks_error(req, 401, "Unauthorized",
			message ? message : "The request you have made requires authentication.");
}

static int
ks_forbidden(struct api_req *req)
{
	return ks_error(req, 403, "Forbidden",
			"You are not authorized to perform the requested action.");
}

static int
ks_internal(struct api_req *req, int r, const char *what)
{
	log_err("%s %s: %s: %s", req->method, req->path, what, strerrordesc_np(-r));
	return ks_error(req, 500, "Internal Server Error",
			"An unexpected error prevented the server from fulfilling your request.");
}

/* The routes exist only for the built-in identity; replies 404 otherwise. */
static bool
ks_disabled(struct api_req *req)
{
	if (streq(conf_str("DEFAULT", "auth_strategy"), "builtin"))
		return false;
	ks_error(req, 404, "Not Found",
		 "The built-in identity service is disabled (auth_strategy is not builtin).");
	return true;
}

/* The JSON body as an object; replies 400 and returns -EINVAL otherwise. */
static int
ks_body(struct api_req *req, json_t **ret)
{
	json_t *j = NULL;

	if (req->body && req->body_len)
		j = json_loadb(req->body, req->body_len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		ks_error(req, 400, "Bad Request", "The request body is not a JSON object.");
		return -EINVAL;
	}
	*ret = j;
	return 0;
}

static void
ks_time(time_t t, char out[40])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

static bool
role_known(const char *role)
{
	for (const char *const *r = ROLE_NAMES; *r; r++)
		if (streq(*r, role))
			return true;
	return false;
}

/* Row of users/projects whose column col equals value; -ENOENT if none. */
static int
find_row(struct db *db, const struct db_table *t, const char *col, const char *value,
	 json_t **ret)
{
	char where[64];

	if (value == NULL)
		return -ENOENT;
	snprintf(where, sizeof(where), "%s = ?", col);
	return db_row_get(db, t, NULL, where, DB_ARGS(DB_TEXT(value)), ret);
}

static int
handle_version(struct api_req *req)
{
	char href[600];

	if (ks_disabled(req))
		return 0;
	snprintf(href, sizeof(href), "%s/v3/", req->host_url);
	return api_reply_json(req, 200, json_pack(
		"{s:{s:s, s:s, s:s, s:[{s:s, s:s}], s:[{s:s, s:s}]}}", "version", "id", "v3.14",
		"status", "stable", "updated", "2020-04-07T00:00:00Z", "links", "rel", "self",
		"href", href, "media-types", "base", "application/json", "type",
		"application/vnd.openstack.identity-v3+json"));
}

/* --- the catalog: every service is magnumd itself --- */

static json_t *
endpoint_set(const char *service, const char *url)
{
	const char *region = conf_str("builtin_auth", "region");
	json_t *a = json_array();

	for (const char *const *i = (const char *const[]){ "public", "internal", "admin", NULL };
	     a && *i; i++) {
		char id[96];

		snprintf(id, sizeof(id), "%s-%s", service, *i);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id,
						   "interface", *i, "region", region, "region_id",
						   region, "url", url));
	}
	return a;
}

/*
 * Glance and Neutron clients append /v2 and /v2.0 to their endpoint, Nova's
 * endpoint carries its version: the paths resources_routes.c serves.
 */
static const struct {
	const char *name, *type, *path;
} services[] = {
	{ "magnum", "container-infra", "" },
	{ "glance", "image", "/image" },
	{ "nova", "compute", "/v2.1" },
	{ "neutron", "network", "/network" },
	{ "keystone", "identity", "/v3" },
};

static json_t *
catalog(struct api_req *req)
{
	json_t *c = json_array();

	for (size_t i = 0; c && i < ARRAY_SIZE(services); i++) {
		char url[700];

		snprintf(url, sizeof(url), "%s%s", req->host_url, services[i].path);
		json_array_append_new(c, json_pack("{s:s, s:s, s:s, s:o}", "id", services[i].name,
						   "type", services[i].type, "name",
						   services[i].name, "endpoints",
						   endpoint_set(services[i].name, url)));
	}
	return c;
}

/* --- tokens --- */

/* Roles of user on project, as a JSON array of names (new reference, or NULL on error). */
static json_t *
roles_of(struct db *db, const char *user, const char *project)
{
	json_t *a = json_array();
	struct db_stmt *st;
	int r;

	if (a == NULL || db_query(db, "SELECT role FROM role_assignments WHERE user_id = ? AND "
				      "project_id = ? ORDER BY role",
				  DB_ARGS(DB_TEXT(user), DB_TEXT(project)), &st) < 0)
		return json_decref(a), NULL;
	while ((r = db_step(st)) == 1)
		json_array_append_new(a, json_string(db_col_text(st, 0)));
	db_stmt_free(st);
	if (r < 0)
		return json_decref(a), NULL;
	return a;
}

/* The token document for a stored token row. */
static json_t *
token_doc(struct api_req *req, json_t *tok, bool with_catalog)
{
	_cleanup_json_ json_t *user = NULL, *project = NULL;
	const char *pid = json_string_value(json_object_get(tok, "project_id"));
	const char *tid = json_string_value(json_object_get(tok, "id"));
	char exp[40], iss[40], hash[65];
	json_t *doc, *roles, *r;
	time_t t = 0;
	size_t i;

	(void)find_row(req->db, &db_t_users, "id",
		       json_string_value(json_object_get(tok, "user_id")), &user);
	ks_time((time_t)json_integer_value(json_object_get(tok, "expires_epoch")), exp);
	(void)time_parse_iso(json_string_value(json_object_get(tok, "issued_at")), &t);
	ks_time(t, iss);
	/* A stable audit id that does not reveal the token. */
	if (x509_sha256_hex(tid, strlen(strempty(tid)), hash) < 0)
		return NULL;
	hash[22] = '\0';
	doc = json_pack("{s:O, s:{s:O, s:s, s:{s:s, s:s}, s:n}, s:s, s:s, s:[s]}", "methods",
			json_object_get(tok, "methods"), "user", "id",
			json_object_get(tok, "user_id"), "name",
			strempty(json_string_value(json_object_get(user, "name"))), "domain", "id",
			"default", "name", "Default", "password_expires_at", "expires_at", exp,
			"issued_at", iss, "audit_ids", hash);
	if (doc == NULL || pid == NULL)
		return doc ? json_pack("{s:o}", "token", doc) : NULL;
	(void)find_row(req->db, &db_t_projects, "id", pid, &project);
	json_object_set_new(doc, "project",
			    json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", pid, "name",
				      strempty(json_string_value(json_object_get(project, "name"))),
				      "domain",
				      "id", "default", "name", "Default"));
	json_object_set_new(doc, "is_domain", json_false());
	roles = json_array();
	json_array_foreach(json_object_get(tok, "roles"), i, r)
		json_array_append_new(roles, json_pack("{s:O, s:O}", "id", r, "name", r));
	json_object_set_new(doc, "roles", roles);
	if (with_catalog)
		json_object_set_new(doc, "catalog", catalog(req));
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

/* A stored, unexpired token row by the token; -ENOENT if none. */
static int
token_get(struct db *db, const char *token, json_t **ret)
{
	char key[65];

	if (auth_token_key(token, key) < 0)
		return -ENOENT;
	return db_row_get(db, &db_t_tokens, NULL, "id = ? AND expires_epoch > ?",
			  DB_ARGS(DB_TEXT(key), DB_INT((int64_t)time(NULL))), ret);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char *dummy_hash;

static void
dummy_make(void)
{
	(void)identity_hash_password("magnum-no-such-user", &dummy_hash);
}

/*
 * The "password" method: user by id, or by name in the default domain. Returns
 * 0 and the user row, -EPERM for unknown user or wrong password, -errno.
 */
static int
auth_password(struct api_req *req, json_t *pw, json_t **ret_user)
{
	_cleanup_json_ json_t *user = NULL;
	json_t *u = json_object_get(pw, "user");
	const char *name = json_string_value(json_object_get(u, "name"));
	const char *id = json_string_value(json_object_get(u, "id"));
	const char *pass = json_string_value(json_object_get(u, "password"));
	int r;

	if (id)
		r = find_row(req->db, &db_t_users, "id", id, &user);
	else if (domain_ok(json_object_get(u, "domain")))
		r = find_row(req->db, &db_t_users, "name", name, &user);
	else
		r = -ENOENT;
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT) {
		/* As slow as for a known user: the timing tells no names. */
		pthread_once(&dummy_once, dummy_make);
		(void)identity_check_password(strempty(pass), dummy_hash);
	}
	if (r == -ENOENT ||
	    !identity_check_password(pass,
				     json_string_value(json_object_get(user, "password_hash"))) ||
	    !json_is_true(json_object_get(user, "enabled"))) {
		/* The name is logged (not the password) to explain refusals. */
		log_info("token refused: bad credentials for user %s", id ? id : strempty(name));
		return -EPERM;
	}
	*ret_user = TAKE_PTR(user);
	return 0;
}

/* The project of a "scope": {"project": {"id"} | {"name", "domain"}}. */
static int
scope_project(struct api_req *req, json_t *proj, char ret_id[65])
{
	_cleanup_json_ json_t *row = NULL;
	const char *id = json_string_value(json_object_get(proj, "id"));
	const char *name = json_string_value(json_object_get(proj, "name"));
	int r;

	if (id)
		r = find_row(req->db, &db_t_projects, "id", id, &row);
	else if (name && domain_ok(json_object_get(proj, "domain")))
		r = find_row(req->db, &db_t_projects, "name", name, &row);
	else
		r = -ENOENT;
	if (r < 0)
		return r;
	if (!json_is_true(json_object_get(row, "enabled")))
		return -ENOENT;
	snprintf(ret_id, 65, "%s", json_string_value(json_object_get(row, "id")));
	return 0;
}

static int
handle_issue(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *user = NULL, *tok = NULL, *prev = NULL;
	_cleanup_json_ json_t *roles = NULL, *methods = json_array();
	json_t *auth, *ident, *scope;
	const char *pid = NULL;
	char token[65], key[65], now[TIMESTAMP_LEN], pidbuf[65];
	int64_t expires;
	int r;

	if (ks_disabled(req) || ks_body(req, &body) < 0)
		return 0;
	auth = json_object_get(body, "auth");
	ident = json_object_get(auth, "identity");
	if (!json_is_object(ident) || methods == NULL)
		return ks_error(req, 400, "Bad Request", "Expecting to find identity in auth.");
	if (json_object_get(ident, "password")) {
		r = auth_password(req, json_object_get(ident, "password"), &user);
		if (r == -EPERM)
			return ks_unauthorized(req, "The request you have made requires "
						    "authentication.");
		if (r < 0)
			return ks_internal(req, r, "checking the password");
		json_array_append_new(methods, json_string("password"));
	} else if (json_object_get(ident, "token")) {
		const char *t = json_string_value(
			json_object_get(json_object_get(ident, "token"), "id"));

		r = token_get(req->db, t, &prev);
		if (r == 0)
			r = find_row(req->db, &db_t_users, "id",
				     json_string_value(json_object_get(prev, "user_id")), &user);
		if (r == -ENOENT || (r == 0 && !json_is_true(json_object_get(user, "enabled"))))
			return ks_unauthorized(req, "Could not find token.");
		if (r < 0)
			return ks_internal(req, r, "reading the token");
		json_array_append_new(methods, json_string("token"));
	} else {
		return ks_error(req, 400, "Bad Request",
				"Only the password and token methods are supported.");
	}
	const char *uid = json_string_value(json_object_get(user, "id"));

	scope = json_object_get(auth, "scope");
	if (json_is_object(scope) && json_object_get(scope, "project")) {
		r = scope_project(req, json_object_get(scope, "project"), pidbuf);
		if (r < 0 && r != -ENOENT)
			return ks_internal(req, r, "finding the project");
		roles = r == 0 ? roles_of(req->db, uid, pidbuf) : NULL;
		if (r == 0 && roles == NULL)
			return ks_internal(req, -EIO, "reading role assignments");
		if (json_array_size(roles) == 0) {
			log_info("token refused: user %s has no role on the requested project",
				 json_string_value(json_object_get(user, "name")));
			return ks_unauthorized(req, "The user has no role on the requested "
						    "project.");
		}
		pid = pidbuf;
	} else if (json_is_object(scope)) {
		return ks_unauthorized(req, "Only project scope is supported.");
	} else if (scope == NULL && prev == NULL) {
		/* As Keystone: a password token without scope takes the default project. */
		const char *dp = json_string_value(json_object_get(user, "default_project_id"));
		json_t *dr = dp ? roles_of(req->db, uid, dp) : NULL;

		if (json_array_size(dr) > 0) {
			snprintf(pidbuf, sizeof(pidbuf), "%s", dp);
			pid = pidbuf;
			roles = dr;
		} else {
			json_decref(dr);
		}
	}
	if (random_hex(token, 32) < 0)
		return ks_internal(req, -EIO, "generating a token");
	time_now_iso(now);
	expires = (int64_t)time(NULL) + conf_int("builtin_auth", "token_expiration");
	/* A token made from a token does not outlive it. */
	if (prev && json_integer_value(json_object_get(prev, "expires_epoch")) < expires)
		expires = json_integer_value(json_object_get(prev, "expires_epoch"));
	if (auth_token_key(token, key) < 0)
		return ks_internal(req, -EIO, "hashing a token");
	tok = json_pack("{s:s, s:s, s:s?, s:O?, s:O, s:s, s:s, s:I}", "id", key, "user_id",
			uid, "project_id", pid, "roles", roles, "methods", methods, "issued_at",
			now, "expires_at", now, "expires_epoch", (json_int_t)expires);
	if (tok == NULL) {
		explicit_bzero(token, sizeof(token));
		return ks_internal(req, -ENOMEM, "issuing a token");
	}
	{
		char ex[40];

		ks_time((time_t)expires, ex);
		json_object_set_new(tok, "expires_at", json_string(ex));
	}
	r = db_row_insert(req->db, &db_t_tokens, tok, NULL);
	if (r < 0) {
		explicit_bzero(token, sizeof(token));
		return ks_internal(req, r, "issuing a token");
	}
	/* The caller gets the token; the store keeps only its SHA-256. */
	api_set_header(req, "X-Subject-Token", token);
	explicit_bzero(token, sizeof(token));
	return api_reply_json(req, 201, token_doc(req, tok, pid != NULL));
}

/* The X-Subject-Token row; replies 400/404 and returns < 0 otherwise. */
static int
subject(struct api_req *req, json_t **ret)
{
	const char *t = req->get_header(req, "X-Subject-Token");
	int r;

	if (t == NULL)
		return ks_error(req, 400, "Bad Request", "X-Subject-Token is required."), -EINVAL;
	r = token_get(req->db, t, ret);
	if (r == -ENOENT)
		return ks_error(req, 404, "Not Found", "Could not find token."), r;
	if (r < 0)
		return ks_internal(req, r, "reading the token"), r;
	return 0;
}

/* Validation and revocation are for the token's owner and for admins. */
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
	const char *nocat = api_query(req, "nocatalog");

	if (ks_disabled(req) || subject(req, &tok) < 0)
		return 0;
	if (!may_see(req, tok))
		return ks_forbidden(req);
	api_set_header(req, "X-Subject-Token", req->get_header(req, "X-Subject-Token"));
	return api_reply_json(req, 200, token_doc(req, tok, nocat == NULL ||
							      strcasecmp(nocat, "false") == 0));
}

static int
handle_revoke(struct api_req *req)
{
	_cleanup_json_ json_t *tok = NULL;
	int r;

	if (ks_disabled(req) || subject(req, &tok) < 0)
		return 0;
	if (!may_see(req, tok))
		return ks_forbidden(req);
	r = db_exec(req->db, "DELETE FROM tokens WHERE id = ?",
		    DB_ARGS(DB_TEXT(json_string_value(json_object_get(tok, "id")))));
	if (r < 0)
		return ks_internal(req, r, "revoking the token");
	return api_reply_empty(req, 204);
}

/* --- projects, users, roles --- */

static json_t *
self_link(struct api_req *req, const char *coll, const char *id)
{
	char href[700];

	snprintf(href, sizeof(href), "%s/v3/%s/%s", req->host_url, coll, strempty(id));
	return json_pack("{s:s}", "self", href);
}

static json_t *
project_view(struct api_req *req, json_t *row)
{
	return json_pack("{s:O, s:O, s:O, s:s, s:O, s:b, s:s, s:[], s:{}, s:o}", "id",
			 json_object_get(row, "id"), "name", json_object_get(row, "name"),
			 "domain_id", json_object_get(row, "domain_id"), "description",
			 strempty(json_string_value(json_object_get(row, "description"))),
			 "enabled",
			 json_object_get(row, "enabled"), "is_domain", 0, "parent_id", "default",
			 "tags", "options", "links",
			 self_link(req, "projects", json_string_value(json_object_get(row, "id"))));
}

static json_t *
user_view(struct api_req *req, json_t *row)
{
	json_t *v = json_pack("{s:O, s:O, s:O, s:O, s:n, s:{}, s:o}", "id",
			      json_object_get(row, "id"), "name", json_object_get(row, "name"),
			      "domain_id", json_object_get(row, "domain_id"), "enabled",
			      json_object_get(row, "enabled"), "password_expires_at", "options",
			      "links",
			      self_link(req, "users",
					json_string_value(json_object_get(row, "id"))));

	if (v && json_is_string(json_object_get(row, "default_project_id")))
		json_object_set(v, "default_project_id",
				json_object_get(row, "default_project_id"));
	return v;
}

static json_t *
role_view(struct api_req *req, const char *name)
{
	return json_pack("{s:s, s:s, s:n, s:s, s:{}, s:o}", "id", name, "name", name, "domain_id",
			 "description", "", "options", "links", self_link(req, "roles", name));
}

/* {"<coll>": [...], "links": {...}} from rows of t, filtered by ?name= and extra. */
static int
list_reply(struct api_req *req, const struct db_table *t, const char *coll, const char *where,
	   const char *arg, json_t *(*view)(struct api_req *, json_t *))
{
	_cleanup_json_ json_t *rows = NULL;
	const char *name = api_query(req, "name");
	json_t *items, *row;
	char self[700];
	size_t i;
	int r;

	if (arg)
		r = db_row_select(req->db, t, NULL, where, DB_ARGS(DB_TEXT(arg)), "name", 0, &rows);
	else
		r = db_row_select(req->db, t, NULL, where, DB_NOARGS, "name", 0, &rows);
	if (r < 0)
		return ks_internal(req, r, "listing");
	items = json_array();
	json_array_foreach(rows, i, row) {
		if (name && !streq(name, strempty(json_string_value(json_object_get(row, "name")))))
			continue;
		json_array_append_new(items, view(req, row));
	}
	snprintf(self, sizeof(self), "%s%s", req->host_url, req->path);
	return api_reply_json(req, 200, json_pack("{s:o, s:{s:s, s:n, s:n}}", coll, items, "links",
						  "self", self, "previous", "next"));
}

#define PROJECTS_OF_USER "id IN (SELECT project_id FROM role_assignments WHERE user_id = ?)"

static int
handle_auth_projects(struct api_req *req)
{
	if (ks_disabled(req))
		return 0;
	return list_reply(req, &db_t_projects, "projects", PROJECTS_OF_USER, req->id.user_id,
			  project_view);
}

static int
handle_user_projects(struct api_req *req)
{
	if (ks_disabled(req))
		return 0;
	if (!req->id.is_admin && !streq(req->id.user_id, req->params[0]))
		return ks_forbidden(req);
	return list_reply(req, &db_t_projects, "projects", PROJECTS_OF_USER, req->params[0],
			  project_view);
}

/* Admins list every project, others those they have a role on. */
static int
handle_projects(struct api_req *req)
{
	if (ks_disabled(req))
		return 0;
	if (req->id.is_admin)
		return list_reply(req, &db_t_projects, "projects", NULL, NULL, project_view);
	return list_reply(req, &db_t_projects, "projects", PROJECTS_OF_USER, req->id.user_id,
			  project_view);
}

static int
handle_project_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	if (ks_disabled(req))
		return 0;
	r = find_row(req->db, &db_t_projects, "id", req->params[0], &row);
	if (r == 0 && !req->id.is_admin && !streq(req->id.project_id, req->params[0])) {
		_cleanup_json_ json_t *roles = roles_of(req->db, req->id.user_id, req->params[0]);

		if (json_array_size(roles) == 0)
			return ks_forbidden(req);
	}
	if (r == -ENOENT)
		return ks_error(req, 404, "Not Found", "Could not find project.");
	if (r < 0)
		return ks_internal(req, r, "reading the project");
	return api_reply_json(req, 200, json_pack("{s:o}", "project", project_view(req, row)));
}

/*
 * Start of an admin create (POST /v3/projects, /v3/users): the routes on, the
 * caller an admin, the body parsed; *ret_obj is body[key] and *ret_body owns
 * it. Returns 0, or -1 after replying.
 */
static int
admin_create_body(struct api_req *req, const char *key, json_t **ret_body, json_t **ret_obj)
{
	const char *dom;

	if (ks_disabled(req))
		return -1;
	if (!req->id.is_admin)
		return ks_forbidden(req), -1;
	if (ks_body(req, ret_body) < 0)
		return -1;
	*ret_obj = json_object_get(*ret_body, key);
	dom = json_string_value(json_object_get(*ret_obj, "domain_id"));
	if (dom && !streq(dom, "default"))
		return ks_error(req, 400, "Bad Request",
				"Invalid input for field 'domain_id': only the default domain "
				"exists."), -1;
	return 0;
}

static int
handle_project_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL;
	json_t *p;
	const char *name;
	char id[33];
	int r;

	if (admin_create_body(req, "project", &body, &p) < 0)
		return 0;
	name = json_string_value(json_object_get(p, "name"));
	if (name == NULL || *name == '\0' || strlen(name) > 64)
		return ks_error(req, 400, "Bad Request",
				"Invalid input for field 'name': a project name of 1 to 64 "
				"characters is required.");
	r = identity_project_create(req->db, name,
				    json_string_value(json_object_get(p, "description")), id);
	if (r == -EEXIST)
		return ks_error(req, 409, "Conflict",
				"Conflict occurred attempting to store project - it is not "
				"permitted to have two projects with the same name in the same "
				"domain.");
	if (r < 0)
		return ks_internal(req, r, "creating the project");
	r = find_row(req->db, &db_t_projects, "id", id, &row);
	if (r < 0)
		return ks_internal(req, r, "reading the project back");
	log_info("project %s created (%s) by %s", name, id, req->id.user_name);
	return api_reply_json(req, 201, json_pack("{s:o}", "project", project_view(req, row)));
}

static int
handle_users(struct api_req *req)
{
	if (ks_disabled(req))
		return 0;
	if (!req->id.is_admin)
		return ks_forbidden(req);
	return list_reply(req, &db_t_users, "users", NULL, NULL, user_view);
}

static int
handle_user_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	if (ks_disabled(req))
		return 0;
	if (!req->id.is_admin && !streq(req->id.user_id, req->params[0]))
		return ks_forbidden(req);
	r = find_row(req->db, &db_t_users, "id", req->params[0], &row);
	if (r == -ENOENT)
		return ks_error(req, 404, "Not Found", "Could not find user.");
	if (r < 0)
		return ks_internal(req, r, "reading the user");
	return api_reply_json(req, 200, json_pack("{s:o}", "user", user_view(req, row)));
}

static int
handle_user_create(struct api_req *req)
{
	_cleanup_json_ json_t *body = NULL, *row = NULL, *proj = NULL;
	json_t *u;
	const char *name, *pw, *dp;
	char id[33];
	int r;

	if (admin_create_body(req, "user", &body, &u) < 0)
		return 0;
	name = json_string_value(json_object_get(u, "name"));
	pw = json_string_value(json_object_get(u, "password"));
	dp = json_string_value(json_object_get(u, "default_project_id"));
	if (name == NULL || *name == '\0' || strlen(name) > 255)
		return ks_error(req, 400, "Bad Request",
				"Invalid input for field 'name': a user name of 1 to 255 "
				"characters is required.");
	if (pw == NULL || *pw == '\0' || strlen(pw) > 4096)
		return ks_error(req, 400, "Bad Request",
				"Invalid input for field 'password': the built-in identity needs "
				"a password of 1 to 4096 characters.");
	if (dp) {
		r = find_row(req->db, &db_t_projects, "id", dp, &proj);
		if (r == -ENOENT)
			return ks_error(req, 400, "Bad Request",
					"Invalid input for field 'default_project_id': no such "
					"project.");
		if (r < 0)
			return ks_internal(req, r, "reading the project");
	}
	r = identity_user_create(req->db, name, pw, dp, id);
	if (r == -EEXIST)
		return ks_error(req, 409, "Conflict",
				"Conflict occurred attempting to store user - Duplicate entry "
				"found with name in the same domain.");
	if (r < 0)
		return ks_internal(req, r, "creating the user");
	r = find_row(req->db, &db_t_users, "id", id, &row);
	if (r < 0)
		return ks_internal(req, r, "reading the user back");
	log_info("user %s created (%s) by %s", name, id, req->id.user_name);
	return api_reply_json(req, 201, json_pack("{s:o}", "user", user_view(req, row)));
}

/* PUT or DELETE /v3/projects/{p}/users/{u}/roles/{role}. */
static int
grant(struct api_req *req, bool add)
{
	_cleanup_json_ json_t *p = NULL, *u = NULL;
	const char *role = req->params[2];
	int r;

	if (ks_disabled(req))
		return 0;
	if (!req->id.is_admin)
		return ks_forbidden(req);
	if (!role_known(role))
		return ks_error(req, 404, "Not Found", "Could not find role: the roles are "
				"admin, member and reader.");
	r = find_row(req->db, &db_t_projects, "id", req->params[0], &p);
	if (r == 0)
		r = find_row(req->db, &db_t_users, "id", req->params[1], &u);
	if (r == -ENOENT)
		return ks_error(req, 404, "Not Found", "Could not find project or user.");
	if (r < 0)
		return ks_internal(req, r, "reading the assignment");
	if (add)
		r = identity_role_add(req->db, req->params[1], req->params[0], role);
	else
		r = db_exec(req->db, "DELETE FROM role_assignments WHERE user_id = ? AND "
				     "project_id = ? AND role = ?",
			    DB_ARGS(DB_TEXT(req->params[1]), DB_TEXT(req->params[0]),
				    DB_TEXT(role)));
	if (r < 0)
		return ks_internal(req, r, "changing the role assignment");
	if (!add && r == 0)
		return ks_error(req, 404, "Not Found", "Could not find role assignment.");
	log_info("role %s %s user %s on project %s by %s", role,
		 add ? "granted to" : "revoked from", req->params[1], req->params[0],
		 req->id.user_name);
	return api_reply_empty(req, 204);
}

static int
handle_grant(struct api_req *req)
{
	return grant(req, true);
}

static int
handle_ungrant(struct api_req *req)
{
	return grant(req, false);
}

static int
handle_roles(struct api_req *req)
{
	const char *name = api_query(req, "name");
	json_t *roles;

	if (ks_disabled(req))
		return 0;
	roles = json_array();
	for (const char *const *r = ROLE_NAMES; roles && *r; r++)
		if (name == NULL || streq(name, *r))
			json_array_append_new(roles, role_view(req, *r));
	return api_reply_json(req, 200, json_pack("{s:o}", "roles", roles));
}

static int
handle_role_show(struct api_req *req)
{
	if (ks_disabled(req))
		return 0;
	if (!role_known(req->params[0]))
		return ks_error(req, 404, "Not Found", "Could not find role.");
	return api_reply_json(req, 200, json_pack("{s:o}", "role", role_view(req, req->params[0])));
}

/* GET /v3/role_assignments[?user.id=&scope.project.id=&role.id=]: admins, or one's own. */
static int
handle_assignments(struct api_req *req)
{
	const char *user = api_query(req, "user.id");
	const char *project = api_query(req, "scope.project.id");
	const char *role = api_query(req, "role.id");
	bool names = api_query(req, "include_names") != NULL;
	struct db_param p[3];
	struct db_stmt *st;
	char sql[512];
	size_t n = 0;
	json_t *items;
	char self[700];
	int r;

	if (ks_disabled(req))
		return 0;
	if (!req->id.is_admin && !streq_ptr(user, req->id.user_id))
		return ks_forbidden(req);
	if (user)
		p[n++] = DB_TEXT(user);
	if (project)
		p[n++] = DB_TEXT(project);
	if (role)
		p[n++] = DB_TEXT(role);
	snprintf(sql, sizeof(sql),
		 "SELECT a.user_id, a.project_id, a.role, u.name, p.name FROM role_assignments a "
		 "JOIN users u ON u.id = a.user_id JOIN projects p ON p.id = a.project_id "
		 "WHERE 1 = 1%s%s%s ORDER BY u.name, p.name, a.role",
		 user ? " AND a.user_id = ?" : "", project ? " AND a.project_id = ?" : "",
		 role ? " AND a.role = ?" : "");
	r = db_query(req->db, sql, p, n, &st);
	if (r < 0)
		return ks_internal(req, r, "listing role assignments");
	items = json_array();
	while ((r = db_step(st)) == 1) {
		char href[900];
		json_t *a;

		snprintf(href, sizeof(href), "%s/v3/projects/%s/users/%s/roles/%s", req->host_url,
			 db_col_text(st, 1), db_col_text(st, 0), db_col_text(st, 2));
		a = json_pack("{s:{s:s}, s:{s:s, s:{s:s}}, s:{s:{s:s, s:{s:s}}}, s:{s:s}}", "role",
			      "id", db_col_text(st, 2), "user", "id", db_col_text(st, 0), "domain",
			      "id", "default", "scope", "project", "id", db_col_text(st, 1),
			      "domain", "id", "default", "links", "assignment", href);
		if (a && names) {
			json_t *u = json_object_get(a, "user");
			json_t *sp = json_object_get(json_object_get(a, "scope"), "project");

			json_object_set_new(json_object_get(a, "role"), "name",
					    json_string(db_col_text(st, 2)));
			json_object_set_new(u, "name", json_string(db_col_text(st, 3)));
			json_object_set_new(json_object_get(u, "domain"), "name",
					    json_string("Default"));
			json_object_set_new(sp, "name", json_string(db_col_text(st, 4)));
			json_object_set_new(json_object_get(sp, "domain"), "name",
					    json_string("Default"));
		}
		json_array_append_new(items, a);
	}
	db_stmt_free(st);
	if (r < 0) {
		json_decref(items);
		return ks_internal(req, r, "listing role assignments");
	}
	snprintf(self, sizeof(self), "%s%s", req->host_url, req->path);
	return api_reply_json(req, 200, json_pack("{s:o, s:{s:s, s:n, s:n}}",
						  "role_assignments", items, "links", "self",
						  self, "previous", "next"));
}

#define V3(m, p, f, fl) { m, p, f, ERA_CLUSTER, 0, "identity", ROUTE_NOVERSION | (fl) }

/* HEAD is answered by the GET routes (routes.c). */
const struct route identity_routes[] = {
	V3("GET", "/v3", handle_version, ROUTE_PUBLIC),
	V3("POST", "/v3/auth/tokens", handle_issue, ROUTE_PUBLIC),
	V3("GET", "/v3/auth/tokens", handle_validate, 0),
	V3("DELETE", "/v3/auth/tokens", handle_revoke, 0),
	V3("GET", "/v3/auth/projects", handle_auth_projects, 0),
	V3("GET", "/v3/users/{}/projects", handle_user_projects, 0),
	V3("GET", "/v3/projects", handle_projects, 0),
	V3("POST", "/v3/projects", handle_project_create, 0),
	V3("GET", "/v3/projects/{}", handle_project_show, 0),
	V3("GET", "/v3/users", handle_users, 0),
	V3("POST", "/v3/users", handle_user_create, 0),
	V3("GET", "/v3/users/{}", handle_user_show, 0),
	V3("PUT", "/v3/projects/{}/users/{}/roles/{}", handle_grant, 0),
	V3("DELETE", "/v3/projects/{}/users/{}/roles/{}", handle_ungrant, 0),
	V3("GET", "/v3/roles", handle_roles, 0),
	V3("GET", "/v3/roles/{}", handle_role_show, 0),
	V3("GET", "/v3/role_assignments", handle_assignments, 0),
	{ NULL, NULL, NULL, 0, 0, NULL, 0 },
};
