/*
 * identity.c - the built-in identity store: users, projects, roles and
 * passwords (yescrypt via libxcrypt), the first-start bootstrap that writes
 * admin-openrc.sh, and the `magnumd <identity command>` administration.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/identity.h"
#include "api/identity_store.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/util.h"
#include "db/table.h"

int
identity_hash_password(const char *password, char **ret)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return -EIO;
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(password, salt, &cd);
	if (h == NULL || h[0] == '*')
		return -EIO;
	*ret = strdup(h);
	explicit_bzero(&cd, sizeof(cd));
	return *ret ? 0 : -ENOMEM;
}

bool
identity_check_password(const char *password, const char *hash)
{
	struct crypt_data cd;
	const char *h;
	bool ok;

	if (password == NULL || hash == NULL)
		return false;
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(password, hash, &cd);
	ok = h && h[0] != '*' && strcmp(h, hash) == 0;
	explicit_bzero(&cd, sizeof(cd));
	return ok;
}

int
identity_project_create(struct db *db, const char *name, const char *description,
			char ret_id[33])
{
	_cleanup_json_ json_t *row = NULL;
	char id[33], now[TIMESTAMP_LEN];
	int r;

	random_hex(id, 16);
	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s}", "id", id, "name", name, "domain_id",
			"default", "description", description, "enabled", 1, "created_at", now);
	r = db_row_insert(db, &db_t_projects, row, NULL);
	if (r < 0)
		return r;
	if (ret_id)
		memcpy(ret_id, id, 33);
	return 0;
}

int
identity_user_create(struct db *db, const char *name, const char *password,
		     const char *default_project, char ret_id[33])
{
	_cleanup_json_ json_t *row = NULL;
	_cleanup_free_ char *hash = NULL;
	char id[33], now[TIMESTAMP_LEN];
	int r;

	r = identity_hash_password(password, &hash);
	if (r < 0)
		return r;
	random_hex(id, 16);
	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b, s:s}", "id", id, "name", name,
			"domain_id", "default", "password_hash", hash, "default_project_id",
			default_project, "enabled", 1, "created_at", now);
	r = db_row_insert(db, &db_t_users, row, NULL);
	if (r < 0)
		return r;
	if (ret_id)
		memcpy(ret_id, id, 33);
	return 0;
}

int
identity_role_add(struct db *db, const char *user_id, const char *project_id, const char *role)
{
	int r = db_exec(db, "INSERT INTO role_assignments (user_id, project_id, role) VALUES "
			    "(?, ?, ?)",
			DB_ARGS(DB_TEXT(user_id), DB_TEXT(project_id), DB_TEXT(role)));

	return r == -EEXIST ? 0 : (r < 0 ? r : 0);
}

/* Id of a user or project by name or id; -ENOENT. */
int
identity_find(struct db *db, const char *table, const char *ident, char ret_id[65])
{
	_cleanup_json_ json_t *row = NULL;
	const struct db_table *t = streq(table, "users") ? &db_t_users : &db_t_projects;
	int r;

	r = db_row_get(db, t, NULL, "id = ? OR name = ?", DB_ARGS(DB_TEXT(ident), DB_TEXT(ident)),
		       &row);
	if (r < 0)
		return r;
	snprintf(ret_id, 65, "%s", json_string_value(json_object_get(row, "id")));
	return 0;
}

static int
write_openrc(const char *state_path, const char *url, const char *user, const char *password,
	     const char *project)
{
	char path[4096], tmp[4200];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/admin-openrc.sh", state_path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return -errno;
	}
	fprintf(f, "# Credentials of the built-in admin, written by magnumd on first start.\n"
		   "# Use: . %s\n"
		   "export OS_AUTH_URL='%s/v3'\n"
		   "export OS_USERNAME='%s'\n"
		   "export OS_PASSWORD='%s'\n"
		   "export OS_PROJECT_NAME='%s'\n"
		   "export OS_USER_DOMAIN_NAME='Default'\n"
		   "export OS_PROJECT_DOMAIN_NAME='Default'\n"
		   "export OS_IDENTITY_API_VERSION=3\n"
		   "export OS_REGION_NAME='%s'\n"
		   "export OS_INTERFACE=public\n"
		   "export OS_AUTH_TYPE=password\n",
		path, url, user, password, project, conf_str("builtin_auth", "region"));
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

int
identity_bootstrap(struct db *db, const char *state_path, const char *public_url)
{
	const char *uname = conf_str("builtin_auth", "admin_user");
	const char *pname = conf_str("builtin_auth", "admin_project");
	char uid[65], pid[65], pw[33], path[4096];
	_cleanup_free_ char *hash = NULL;
	int r;

	if (db == NULL)
		return -EIO;
	snprintf(path, sizeof(path), "%s/admin-openrc.sh", state_path);
	r = identity_find(db, "users", uname, uid);
	if (r == 0 && access(path, F_OK) == 0)
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	random_hex(pw, 16);
	r = db_begin(db);
	if (r < 0)
		return r;
	if (identity_find(db, "projects", pname, pid) == -ENOENT)
		r = identity_project_create(db, pname, "Administration (built-in)", pid);
	if (r >= 0 && identity_find(db, "users", uname, uid) == -ENOENT) {
		r = identity_user_create(db, uname, pw, pid, uid);
	} else if (r >= 0) {
		/* The openrc file was lost: only a hash is stored, so set a new password. */
		r = identity_hash_password(pw, &hash);
		if (r >= 0)
			r = db_exec(db, "UPDATE users SET password_hash = ? WHERE id = ?",
				    DB_ARGS(DB_TEXT(hash), DB_TEXT(uid)));
	}
	for (const char *const *role = (const char *const[]){ "admin", "member", "reader", NULL };
	     r >= 0 && *role; role++)
		r = identity_role_add(db, uid, pid, *role);
	if (r >= 0)
		r = db_commit(db);
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	r = write_openrc(state_path, public_url, uname, pw, pname);
	explicit_bzero(pw, sizeof(pw));
	return r;
}

static int
usage_err(const char *msg)
{
	fprintf(stderr, "magnumd: %s\n", msg);
	return 2;
}

static int
print_rows(struct db *db, const struct db_table *t, const char *cols[2])
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *row;
	size_t i;

	if (db_row_select(db, t, NULL, NULL, DB_NOARGS, "name", 0, &rows) < 0)
		return 1;
	printf("%-34s %s\n", "ID", "Name");
	json_array_foreach(rows, i, row)
		printf("%-34s %s\n", json_string_value(json_object_get(row, cols[0])),
		       json_string_value(json_object_get(row, cols[1])));
	return 0;
}

int
identity_cli(struct db *db, int argc, char **argv)
{
	const char *cmd = argv[0];
	char id[65], pid[65], uid[65];
	int r;

	if (streq(cmd, "project-create")) {
		const char *desc = NULL;
		if (argc < 2)
			return usage_err("usage: project-create NAME [--description D]");
		if (argc >= 4 && streq(argv[2], "--description"))
			desc = argv[3];
		r = identity_project_create(db, argv[1], desc, id);
		if (r == -EEXIST) {
			fprintf(stderr, "magnumd: project %s already exists\n", argv[1]);
			return 1;
		}
		if (r < 0)
			return 1;
		printf("project %s created: %s\n", argv[1], id);
		return 0;
	}
	if (streq(cmd, "user-create")) {
		const char *password = NULL, *project = NULL, *role = "member";
		for (int i = 2; i + 1 < argc; i += 2) {
			if (streq(argv[i], "--password"))
				password = argv[i + 1];
			else if (streq(argv[i], "--project"))
				project = argv[i + 1];
			else if (streq(argv[i], "--role"))
				role = argv[i + 1];
			else
				return usage_err("user-create: unknown option");
		}
		if (argc < 2 || password == NULL)
			return usage_err("usage: user-create NAME --password P [--project PROJ] "
					 "[--role ROLE]");
		pid[0] = '\0';
		if (project && identity_find(db, "projects", project, pid) < 0) {
			fprintf(stderr, "magnumd: no project %s\n", project);
			return 1;
		}
		r = db_begin(db);
		if (r >= 0)
			r = identity_user_create(db, argv[1], password, project ? pid : NULL, uid);
		if (r >= 0 && project) {
			r = identity_role_add(db, uid, pid, role);
			if (r >= 0 && (streq(role, "member") || streq(role, "admin")))
				r = identity_role_add(db, uid, pid, "reader");
			if (r >= 0 && streq(role, "admin"))
				r = identity_role_add(db, uid, pid, "member");
		}
		if (r >= 0)
			r = db_commit(db);
		if (r < 0) {
			db_rollback(db);
			fprintf(stderr, "magnumd: cannot create user %s: %s\n", argv[1],
				r == -EEXIST ? "it exists" : strerror(-r));
			return 1;
		}
		printf("user %s created: %s\n", argv[1], uid);
		return 0;
	}
	if (streq(cmd, "role-add")) {
		if (argc != 4)
			return usage_err("usage: role-add USER PROJECT ROLE");
		if (identity_find(db, "users", argv[1], uid) < 0 ||
		    identity_find(db, "projects", argv[2], pid) < 0) {
			fprintf(stderr, "magnumd: no such user or project\n");
			return 1;
		}
		if (!streq(argv[3], "admin") && !streq(argv[3], "member") && !streq(argv[3], "reader"))
			return usage_err("role-add: ROLE is admin, member or reader");
		return identity_role_add(db, uid, pid, argv[3]) < 0 ? 1 : 0;
	}
	if (streq(cmd, "password-set")) {
		_cleanup_free_ char *hash = NULL;
		if (argc != 3)
			return usage_err("usage: password-set USER PASSWORD");
		if (identity_find(db, "users", argv[1], uid) < 0) {
			fprintf(stderr, "magnumd: no user %s\n", argv[1]);
			return 1;
		}
		if (identity_hash_password(argv[2], &hash) < 0)
			return 1;
		return db_exec(db, "UPDATE users SET password_hash = ? WHERE id = ?",
			       DB_ARGS(DB_TEXT(hash), DB_TEXT(uid))) < 0 ? 1 : 0;
	}
	if (streq(cmd, "user-delete") || streq(cmd, "project-delete")) {
		bool user = streq(cmd, "user-delete");
		if (argc != 2)
			return usage_err(user ? "usage: user-delete USER" : "usage: project-delete P");
		if (identity_find(db, user ? "users" : "projects", argv[1], id) < 0) {
			fprintf(stderr, "magnumd: no %s %s\n", user ? "user" : "project", argv[1]);
			return 1;
		}
		r = db_begin(db);
		if (r >= 0)
			r = db_exec(db, user ? "DELETE FROM role_assignments WHERE user_id = ?" :
					       "DELETE FROM role_assignments WHERE project_id = ?",
				    DB_ARGS(DB_TEXT(id)));
		if (r >= 0)
			r = db_exec(db, user ? "DELETE FROM tokens WHERE user_id = ?" :
					       "DELETE FROM tokens WHERE project_id = ?",
				    DB_ARGS(DB_TEXT(id)));
		if (r >= 0)
			r = db_exec(db, user ? "DELETE FROM users WHERE id = ?" :
					       "DELETE FROM projects WHERE id = ?",
				    DB_ARGS(DB_TEXT(id)));
		if (r >= 0)
			r = db_commit(db);
		if (r < 0) {
			db_rollback(db);
			return 1;
		}
		return 0;
	}
	if (streq(cmd, "user-list"))
		return print_rows(db, &db_t_users, (const char *[]){ "id", "name" });
	if (streq(cmd, "project-list"))
		return print_rows(db, &db_t_projects, (const char *[]){ "id", "name" });
	return -ENOENT;
}
