/* auth.c - authentication dispatch and the builtin token check. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "db/table.h"
#include "x509/x509.h"

void
auth_identity_clear(struct identity *id)
{
	json_decref(id->roles);
	memset(id, 0, sizeof(*id));
}

void
auth_identity_set_roles(struct identity *id, json_t *roles)
{
	size_t i;
	json_t *r;

	json_decref(id->roles);
	id->roles = json_incref(roles);
	id->is_admin = id->is_member = id->is_reader = false;
	json_array_foreach(roles, i, r) {
		const char *n = json_string_value(r);
		if (n == NULL)
			continue;
		if (streq(n, "admin"))
			id->is_admin = id->is_member = id->is_reader = true;
		else if (streq(n, "member") || streq(n, "_member_"))
			id->is_member = id->is_reader = true;
		else if (streq(n, "reader"))
			id->is_reader = true;
	}
}

int
auth_token_key(const char *token, char out[65])
{
	if (token == NULL || strlen(token) > 128)
		return -EINVAL;
	return x509_sha256_hex(token, strlen(token), out) < 0 ? -EIO : 0;
}

int
auth_builtin_validate(struct db *db, const char *token, struct identity *id)
{
	_cleanup_json_ json_t *row = NULL;
	char key[65];
	int r;

	if (auth_token_key(token, key) < 0)
		return -EPERM;
	r = db_row_get(db, &db_t_tokens,
		       "(SELECT name FROM users WHERE users.id = tokens.user_id) AS user_name, "
		       "(SELECT name FROM projects WHERE projects.id = tokens.project_id) AS "
		       "project_name",
		       "id = ? AND expires_epoch > ?",
		       DB_ARGS(DB_TEXT(key), DB_INT((int64_t)time(NULL))), &row);
	if (r == -ENOENT)
		return -EPERM;
	if (r < 0)
		return r;
	memset(id, 0, sizeof(*id));
	id->authenticated = true;
	snprintf(id->user_id, sizeof(id->user_id), "%s",
		 strempty(json_string_value(json_object_get(row, "user_id"))));
	snprintf(id->user_name, sizeof(id->user_name), "%s",
		 strempty(json_string_value(json_object_get(row, "user_name"))));
	snprintf(id->project_id, sizeof(id->project_id), "%s",
		 strempty(json_string_value(json_object_get(row, "project_id"))));
	snprintf(id->project_name, sizeof(id->project_name), "%s",
		 strempty(json_string_value(json_object_get(row, "project_name"))));
	snprintf(id->domain_id, sizeof(id->domain_id), "default");
	auth_identity_set_roles(id, json_object_get(row, "roles"));
	return 0;
}

static int
auth_noauth(struct api_req *req, bool peer_is_loopback)
{
	const char *user = req->get_header(req, "X-User-Id");
	const char *project = req->get_header(req, "X-Project-Id");
	const char *roles = req->get_header(req, "X-Roles");
	_cleanup_json_ json_t *arr = json_array();

	if (!peer_is_loopback) {
		log_warn("noauth request from a non-loopback peer refused");
		return -EPERM;
	}
	if (user == NULL || project == NULL || arr == NULL)
		return -EPERM;
	memset(&req->id, 0, sizeof(req->id));
	req->id.authenticated = true;
	snprintf(req->id.user_id, sizeof(req->id.user_id), "%s", user);
	snprintf(req->id.user_name, sizeof(req->id.user_name), "%s",
		 strempty(req->get_header(req, "X-User-Name")));
	snprintf(req->id.project_id, sizeof(req->id.project_id), "%s", project);
	snprintf(req->id.project_name, sizeof(req->id.project_name), "%s",
		 strempty(req->get_header(req, "X-Project-Name")));
	for (const char *p = roles ? roles : ""; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char role[64];

		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len && len < sizeof(role)) {
			memcpy(role, p, len);
			role[len] = '\0';
			json_array_append_new(arr, json_string(role));
		}
		p = e ? e + 1 : p + strlen(p);
	}
	auth_identity_set_roles(&req->id, arr);
	return 0;
}

const char *
auth_www_authenticate_uri(void)
{
	const char *u;

	if (!streq(conf_str("DEFAULT", "auth_strategy"), "keystone"))
		return NULL;
	u = conf_str("keystone_authtoken", "www_authenticate_uri");
	if (u == NULL || *u == '\0')
		u = conf_str("keystone_authtoken", "auth_url");
	return u && *u ? u : NULL;
}

#pragma weak auth_keystone_validate

int
auth_authenticate(struct api_req *req, bool peer_is_loopback)
{
	const char *strategy = conf_str("DEFAULT", "auth_strategy");
	int r;

	if (streq(strategy, "noauth")) {
		r = auth_noauth(req, peer_is_loopback);
	} else if (req->auth_token == NULL) {
		r = -EPERM;
	} else if (streq(strategy, "keystone")) {
		r = auth_keystone_validate ? auth_keystone_validate(req->auth_token, &req->id) :
					     -ENOSYS;
	} else {
		r = auth_builtin_validate(req->db, req->auth_token, &req->id);
	}
	if (r == -EPERM)
		return api_reply_unauthorized(req), -EPERM;
	if (r < 0) {
		api_reply_error(req, 503, "The identity service cannot be reached.");
		return r;
	}
	return 0;
}
