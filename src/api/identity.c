/*
 * identity.c - the built-in identity store: users, projects, roles and
 * passwords (yescrypt via libxcrypt), the first-start bootstrap that writes
 * admin-openrc.sh, and the `magnumd <identity command>` administration.
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "api/identity.h"
#include "api/identity_store.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "db/table.h"

/* crypt(3) of password under a new salt of the given method ("$y$", "$5$") and cost. */
static int
hash_with(const char *method, unsigned long cost, const char *password, char **ret)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	if (crypt_gensalt_rn(method, cost, NULL, 0, salt, sizeof(salt)) == NULL)
		return -EIO;
	memset(&cd, 0, sizeof(cd));
	h = crypt_rn(password, salt, &cd, sizeof(cd));
	*ret = h ? strdup(h) : NULL;
	explicit_bzero(&cd, sizeof(cd));
	if (h == NULL)
		return -EIO;
	return *ret ? 0 : -ENOMEM;
}

int
identity_hash_password(const char *password, char **ret)
{
	return hash_with("$y$", 0, password, ret);	/* yescrypt, libxcrypt's default cost */
}

/*
 * A machine-generated secret of at least 128 random bits (the bootstrap
 * admin's password): nothing to gain from a slow KDF, since no guess list
 * exists. sha256crypt at its minimum of 1000 rounds (0.7 ms instead of
 * yescrypt's 17 ms on first start); the check is the same crypt_rn.
 */
static int
hash_random_secret(const char *secret, char **ret)
{
	return hash_with("$5$", 1000, secret, ret);
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
	h = crypt_rn(password, hash, &cd, sizeof(cd));
	ok = h && strcmp(h, hash) == 0;
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

static int
user_insert(struct db *db, const char *name, const char *hash, const char *default_project,
	    char ret_id[33])
{
	_cleanup_json_ json_t *row = NULL;
	char id[33], now[TIMESTAMP_LEN];
	int r;

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
identity_user_create(struct db *db, const char *name, const char *password,
		     const char *default_project, char ret_id[33])
{
	_cleanup_free_ char *hash = NULL;
	int r;

	r = identity_hash_password(password, &hash);
	if (r < 0)
		return r;
	return user_insert(db, name, hash, default_project, ret_id);
}

int
identity_role_add(struct db *db, const char *user_id, const char *project_id, const char *role)
{
	/* No unique violation on purpose: on PostgreSQL it would abort the transaction. */
	int r = db_exec(db, "INSERT INTO role_assignments (user_id, project_id, role) "
			    "SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM role_assignments "
			    "WHERE user_id = ? AND project_id = ? AND role = ?)",
			DB_ARGS(DB_TEXT(user_id), DB_TEXT(project_id), DB_TEXT(role),
				DB_TEXT(user_id), DB_TEXT(project_id), DB_TEXT(role)));

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

/* Create or repair the admin user and project in one transaction. */
static int
bootstrap_admin(struct db *db, const char *uname, const char *pname, const char *pw,
		bool *ret_reset)
{
	_cleanup_free_ char *hash = NULL;
	char uid[65], pid[65];
	bool reset = false;
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = identity_find(db, "projects", pname, pid);
	if (r == -ENOENT)
		r = identity_project_create(db, pname, "Administration (built-in)", pid);
	if (r >= 0) {
		r = identity_find(db, "users", uname, uid);
		if (r == -ENOENT) {
			r = hash_random_secret(pw, &hash);
			if (r >= 0)
				r = user_insert(db, uname, hash, pid, uid);
		} else if (r >= 0) {
			/* The openrc file was lost and only a hash is stored: new password. */
			reset = true;
			r = hash_random_secret(pw, &hash);
			if (r >= 0)
				r = db_exec(db, "UPDATE users SET password_hash = ? WHERE id = ?",
					    DB_ARGS(DB_TEXT(hash), DB_TEXT(uid)));
		}
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
	*ret_reset = reset;
	return 0;
}

/*
 * The admin's password exists only in admin-openrc.sh (the store keeps a
 * sha256crypt hash of its 128 random bits). So: admin user present and file present -> nothing to do;
 * file missing -> a new random password is set and a new file written
 * (logged as a warning); first start -> project, user, roles and file.
 */
int
identity_bootstrap(struct db *db, const char *state_path, const char *public_url)
{
	const char *uname = conf_str("builtin_auth", "admin_user");
	const char *pname = conf_str("builtin_auth", "admin_project");
	char uid[65], pw[33], path[4096];
	bool reset = false;
	int r;

	if (db == NULL || state_path == NULL || public_url == NULL)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/admin-openrc.sh", state_path);
	r = identity_find(db, "users", uname, uid);
	if (r == 0 && access(path, F_OK) == 0)
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	r = random_hex(pw, 16);
	if (r < 0)
		return r;
	r = bootstrap_admin(db, uname, pname, pw, &reset);
	if (r == -EEXIST)	/* another magnumd on the same database was quicker */
		r = bootstrap_admin(db, uname, pname, pw, &reset);
	if (r >= 0)
		r = write_openrc(state_path, public_url, uname, pw, pname);
	explicit_bzero(pw, sizeof(pw));
	if (r < 0)
		return r;
	if (reset)
		log_warn("%s was missing: the password of user %s was reset and the file "
			 "written again", path, uname);
	else
		log_info("created user %s in project %s; credentials in %s", uname, pname, path);
	return 0;
}

/* --- magnumd <identity command> --- */

static int
usage_err(const char *usage)
{
	fprintf(stderr, "usage: magnumd [--config FILE] %s\n", usage);
	return 2;
}

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("magnumd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static bool
role_valid(const char *role)
{
	return streq(role, "admin") || streq(role, "member") || streq(role, "reader");
}

/*
 * Parse "NAME [--opt VALUE]..." with the options named in names (NULL-terminated);
 * values[i] receives the value of names[i]. Returns 0 or -EINVAL (usage error).
 */
static int
parse_args(int argc, char **argv, int npos, const char *const *names, const char **values)
{
	int pos = 0;

	for (int i = 1; i < argc; i++) {
		size_t k;

		if (strncmp(argv[i], "--", 2) != 0) {
			if (pos++ >= npos)
				return -EINVAL;
			continue;
		}
		for (k = 0; names[k] && !streq(names[k], argv[i] + 2); k++)
			;
		if (names[k] == NULL || i + 1 >= argc)
			return -EINVAL;
		values[k] = argv[++i];
	}
	return pos == npos ? 0 : -EINVAL;
}

/* A password from stdin (one line; no echo on a terminal). Caller frees and wipes. */
static char *
read_password(const char *prompt)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int
cmd_project_create(struct db *db, int argc, char **argv)
{
	const char *v[1] = { NULL };
	char id[33];
	int r;

	if (parse_args(argc, argv, 1, (const char *const[]){ "description", NULL }, v) < 0)
		return usage_err("project-create NAME [--description D]");
	if (*argv[1] == '\0' || strlen(argv[1]) > 64)
		return fail("a project name has 1 to 64 characters");
	r = identity_project_create(db, argv[1], v[0], id);
	if (r == -EEXIST)
		return fail("project %s already exists", argv[1]);
	if (r < 0)
		return fail("cannot create project %s: %s", argv[1], strerror(-r));
	printf("Created project %s (id %s)\n", argv[1], id);
	return 0;
}

static int
cmd_user_create(struct db *db, int argc, char **argv)
{
	static const char usage[] = "user-create NAME --password P|- [--project PROJ] "
				    "[--role admin|member|reader]";
	const char *v[3] = { NULL, NULL, NULL };	/* password, project, role */
	_cleanup_free_ char *typed = NULL;
	const char *role;
	char pid[65], uid[33];
	int r;

	if (parse_args(argc, argv, 1, (const char *const[]){ "password", "project", "role", NULL },
		       v) < 0 || v[0] == NULL || (v[2] && v[1] == NULL))
		return usage_err(usage);
	role = v[2] ? v[2] : "member";
	if (!role_valid(role))
		return usage_err(usage);
	if (*argv[1] == '\0' || strlen(argv[1]) > 255)
		return fail("a user name has 1 to 255 characters");
	if (streq(v[0], "-")) {
		typed = read_password("Password: ");
		if (typed == NULL || *typed == '\0')
			return fail("no password given on stdin");
		v[0] = typed;
	}
	if (v[1]) {
		r = identity_find(db, "projects", v[1], pid);
		if (r == -ENOENT)
			return fail("no project %s", v[1]);
		if (r < 0)
			return fail("cannot read projects: %s", strerror(-r));
	}
	r = db_begin(db);
	if (r >= 0)
		r = identity_user_create(db, argv[1], v[0], v[1] ? pid : NULL, uid);
	/* A role implies the weaker ones, so "member" may also read. */
	if (r >= 0 && v[1]) {
		r = identity_role_add(db, uid, pid, role);
		if (r >= 0 && !streq(role, "reader"))
			r = identity_role_add(db, uid, pid, "reader");
		if (r >= 0 && streq(role, "admin"))
			r = identity_role_add(db, uid, pid, "member");
	}
	if (r >= 0)
		r = db_commit(db);
	if (typed)
		explicit_bzero(typed, strlen(typed));
	if (r < 0) {
		db_rollback(db);
		if (r == -EEXIST)
			return fail("user %s already exists", argv[1]);
		return fail("cannot create user %s: %s", argv[1], strerror(-r));
	}
	if (v[1])
		printf("Created user %s (id %s) with role %s on project %s\n", argv[1], uid, role,
		       v[1]);
	else
		printf("Created user %s (id %s)\n", argv[1], uid);
	return 0;
}

static int
cmd_role_add(struct db *db, int argc, char **argv)
{
	char pid[65], uid[65];
	int r;

	if (argc != 4 || !role_valid(argv[3]))
		return usage_err("role-add USER PROJECT admin|member|reader");
	r = identity_find(db, "users", argv[1], uid);
	if (r == -ENOENT)
		return fail("no user %s", argv[1]);
	if (r >= 0)
		r = identity_find(db, "projects", argv[2], pid);
	if (r == -ENOENT)
		return fail("no project %s", argv[2]);
	if (r >= 0)
		r = identity_role_add(db, uid, pid, argv[3]);
	if (r < 0)
		return fail("cannot add the role: %s", strerror(-r));
	printf("Granted role %s to user %s on project %s\n", argv[3], argv[1], argv[2]);
	return 0;
}

static int
cmd_password_set(struct db *db, int argc, char **argv)
{
	const char *v[1] = { NULL };
	_cleanup_free_ char *hash = NULL, *typed = NULL;
	char uid[65];
	int r;

	if (parse_args(argc, argv, 1, (const char *const[]){ "password", NULL }, v) < 0)
		return usage_err("password-set USER [--password P]   (else read from stdin)");
	r = identity_find(db, "users", argv[1], uid);
	if (r == -ENOENT)
		return fail("no user %s", argv[1]);
	if (r < 0)
		return fail("cannot read users: %s", strerror(-r));
	if (v[0] == NULL || streq(v[0], "-")) {
		typed = read_password("New password: ");
		if (typed == NULL || *typed == '\0')
			return fail("no password given on stdin");
		v[0] = typed;
	}
	r = identity_hash_password(v[0], &hash);
	if (typed)
		explicit_bzero(typed, strlen(typed));
	if (r < 0)
		return fail("cannot hash the password: %s", strerror(-r));
	/* The old password's tokens go with it. */
	r = db_begin(db);
	if (r >= 0)
		r = db_exec(db, "UPDATE users SET password_hash = ? WHERE id = ?",
			    DB_ARGS(DB_TEXT(hash), DB_TEXT(uid)));
	if (r >= 0)
		r = db_exec(db, "DELETE FROM tokens WHERE user_id = ?", DB_ARGS(DB_TEXT(uid)));
	if (r >= 0)
		r = db_commit(db);
	if (r < 0) {
		db_rollback(db);
		return fail("cannot set the password: %s", strerror(-r));
	}
	printf("Password of user %s changed; its tokens were revoked\n", argv[1]);
	return 0;
}

static int
cmd_delete(struct db *db, int argc, char **argv, bool user)
{
	const char *what = user ? "user" : "project";
	int64_t owned = 0;
	char id[65];
	int r;

	if (argc != 2)
		return usage_err(user ? "user-delete USER" : "project-delete PROJECT");
	r = identity_find(db, user ? "users" : "projects", argv[1], id);
	if (r == -ENOENT)
		return fail("no %s %s", what, argv[1]);
	if (r < 0)
		return fail("cannot read %ss: %s", what, strerror(-r));
	r = db_begin(db);
	/* A project that still owns bays or baymodels would leave them orphaned. */
	if (r >= 0 && !user)
		r = db_query_int(db, "SELECT (SELECT COUNT(*) FROM clusters WHERE project_id = ?)"
				     " + (SELECT COUNT(*) FROM cluster_templates WHERE "
				     "project_id = ?)",
				 DB_ARGS(DB_TEXT(id), DB_TEXT(id)), &owned);
	if (r >= 0 && owned > 0) {
		db_rollback(db);
		return fail("project %s still owns %lld clusters or cluster templates: delete "
			    "them first", argv[1], (long long)owned);
	}
	if (r >= 0)
		r = db_exec(db, user ? "DELETE FROM role_assignments WHERE user_id = ?" :
				       "DELETE FROM role_assignments WHERE project_id = ?",
			    DB_ARGS(DB_TEXT(id)));
	if (r >= 0)
		r = db_exec(db, user ? "DELETE FROM tokens WHERE user_id = ?" :
				       "DELETE FROM tokens WHERE project_id = ?",
			    DB_ARGS(DB_TEXT(id)));
	if (r >= 0 && !user)
		r = db_exec(db, "UPDATE users SET default_project_id = NULL WHERE "
				"default_project_id = ?", DB_ARGS(DB_TEXT(id)));
	if (r >= 0)
		r = db_exec(db, user ? "DELETE FROM users WHERE id = ?" :
				       "DELETE FROM projects WHERE id = ?",
			    DB_ARGS(DB_TEXT(id)));
	if (r >= 0)
		r = db_commit(db);
	if (r < 0) {
		db_rollback(db);
		return fail("cannot delete %s %s: %s", what, argv[1], strerror(-r));
	}
	printf("Deleted %s %s (id %s)\n", what, argv[1], id);
	return 0;
}

static int
cmd_project_list(struct db *db, int argc, char **argv)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *row;
	size_t i;
	int r;

	(void)argv;
	if (argc != 1)
		return usage_err("project-list");
	r = db_row_select(db, &db_t_projects, NULL, NULL, DB_NOARGS, "name", 0, &rows);
	if (r < 0)
		return fail("cannot list projects: %s", strerror(-r));
	printf("%-32s  %-20s  %s\n", "ID", "Name", "Description");
	json_array_foreach(rows, i, row)
		printf("%-32s  %-20s  %s\n", json_string_value(json_object_get(row, "id")),
		       json_string_value(json_object_get(row, "name")),
		       strempty(json_string_value(json_object_get(row, "description"))));
	return 0;
}

static int
cmd_user_list(struct db *db, int argc, char **argv)
{
	_cleanup_json_ json_t *rows = NULL;
	json_t *row;
	size_t i;
	int r;

	(void)argv;
	if (argc != 1)
		return usage_err("user-list");
	r = db_row_select(db, &db_t_users,
			  "(SELECT name FROM projects WHERE projects.id = "
			  "users.default_project_id) AS default_project",
			  NULL, DB_NOARGS, "name", 0, &rows);
	if (r < 0)
		return fail("cannot list users: %s", strerror(-r));
	printf("%-32s  %-20s  %-20s  %s\n", "ID", "Name", "Default project",
	       "Roles (project:role)");
	json_array_foreach(rows, i, row) {
		const char *uid = json_string_value(json_object_get(row, "id"));
		_cleanup_(strbuf_free) struct strbuf roles = STRBUF_INIT;
		struct db_stmt *st;

		if (db_query(db, "SELECT p.name, a.role FROM role_assignments a JOIN projects p "
				 "ON p.id = a.project_id WHERE a.user_id = ? "
				 "ORDER BY p.name, a.role",
			     DB_ARGS(DB_TEXT(uid)), &st) < 0)
			return fail("cannot read role assignments");
		while (db_step(st) == 1)
			strbuf_printf(&roles, "%s%s:%s", roles.len ? "," : "", db_col_text(st, 0),
				      db_col_text(st, 1));
		db_stmt_free(st);
		printf("%-32s  %-20s  %-20s  %s\n", uid,
		       json_string_value(json_object_get(row, "name")),
		       strempty(json_string_value(json_object_get(row, "default_project"))),
		       roles.buf ? roles.buf : "");
	}
	return 0;
}

int
identity_cli(struct db *db, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (streq(cmd, "project-create"))
		return cmd_project_create(db, argc, argv);
	if (streq(cmd, "user-create"))
		return cmd_user_create(db, argc, argv);
	if (streq(cmd, "role-add"))
		return cmd_role_add(db, argc, argv);
	if (streq(cmd, "password-set"))
		return cmd_password_set(db, argc, argv);
	if (streq(cmd, "user-delete") || streq(cmd, "project-delete"))
		return cmd_delete(db, argc, argv, streq(cmd, "user-delete"));
	if (streq(cmd, "user-list"))
		return cmd_user_list(db, argc, argv);
	if (streq(cmd, "project-list"))
		return cmd_project_list(db, argc, argv);
	return -ENOENT;
}
