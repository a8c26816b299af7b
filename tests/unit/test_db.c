/* test_db.c - the store on SQLite (always) and PostgreSQL (MAGNUM_TEST_PG_URL). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "db/db.h"
#include "db/table.h"

static char dbdir[] = "/tmp/magnum-test-db-XXXXXX";

static struct db *
open_sqlite(void)
{
	char url[256];
	struct db *db = NULL;

	snprintf(url, sizeof(url), "sqlite://%s/t.sqlite", dbdir);
	assert_int_equal(db_open(url, &db, NULL), 0);
	return db;
}

static json_t *
template_row(const char *uuid, const char *name, const char *project)
{
	char now[TIMESTAMP_LEN];

	time_now_iso(now);
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:b, s:n, s:i, s:s}", "uuid", uuid,
			 "name", name, "project_id", project, "coe", "swarm", "labels", "a", "b",
			 "public", 1, "fixed_network", "docker_volume_size", 5, "created_at", now);
}

/* Streamed rows written as JSON text: every column as db_row_to_json types it. */
static int
write_row(const struct db_rowv *rv, void *ctx)
{
	struct strbuf *sb = ctx;
	int r = strbuf_append(sb, sb->len > 1 ? ",{" : "{", sb->len > 1 ? 2 : 1);

	for (int i = 0; r == 0 && i < rv->ncols; i++) {
		r = strbuf_printf(sb, "%s\"%s\":", i ? "," : "", db_col_name(rv->st, i));
		if (r == 0)
			r = db_rowv_write(rv, i, sb);
	}
	return r == 0 ? strbuf_append(sb, "}", 1) : r;
}

static void
check_streamed(struct db *db)
{
	_cleanup_json_ json_t *rows = NULL, *back = NULL;
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(db_row_select(db, &db_t_cluster_templates, NULL, NULL, NULL, 0, "id", 0,
				       &rows), 0);
	assert_true(json_array_size(rows) >= 2);
	assert_int_equal(strbuf_append(&sb, "[", 1), 0);
	assert_int_equal(db_row_each(db, &db_t_cluster_templates, NULL, NULL, NULL, 0, "id", 0,
				     write_row, &sb), 0);
	assert_int_equal(strbuf_append(&sb, "]", 1), 0);
	back = json_loadb(sb.buf, sb.len, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, rows));
	strbuf_free(&sb);
}

static void
exercise(struct db *db)
{
	_cleanup_json_ json_t *row = NULL, *rows = NULL, *ch = NULL, *t1 = NULL, *t2 = NULL;
	char u1[UUID_STR_LEN], u2[UUID_STR_LEN];
	int64_t id = 0, n = 0;

	assert_int_equal(db_migrate(db), db_schema_latest());
	/* Migrating twice is a no-op. */
	assert_int_equal(db_migrate(db), db_schema_latest());
	assert_int_equal(db_schema_version(db), db_schema_latest());

	uuid_new(u1);
	uuid_new(u2);
	t1 = template_row(u1, "one", "p1");
	t2 = template_row(u2, "two", "p2");
	assert_int_equal(db_row_insert(db, &db_t_cluster_templates, t1, &id), 0);
	assert_true(id > 0);
	assert_int_equal(db_row_insert(db, &db_t_cluster_templates, t2, NULL), 0);
	/* Unique uuid. */
	assert_int_equal(db_row_insert(db, &db_t_cluster_templates, t1, NULL), -EEXIST);

	assert_int_equal(db_row_get(db, &db_t_cluster_templates, NULL, "uuid = ?",
				    DB_ARGS(DB_TEXT(u1)), &row), 0);
	assert_string_equal(json_string_value(json_object_get(row, "name")), "one");
	assert_true(json_is_true(json_object_get(row, "public")));
	assert_true(json_is_null(json_object_get(row, "fixed_network")));
	assert_int_equal(json_integer_value(json_object_get(row, "docker_volume_size")), 5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(row, "labels"), "a")),
			    "b");

	ch = json_pack("{s:s, s:b}", "name", "uno", "public", 0);
	assert_int_equal(db_row_update(db, &db_t_cluster_templates, "uuid", u1, ch), 1);
	assert_int_equal(db_row_select(db, &db_t_cluster_templates, NULL, "project_id = ?",
				       DB_ARGS(DB_TEXT("p1")), "id", 0, &rows), 0);
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name")),
			    "uno");
	assert_true(json_is_false(json_object_get(json_array_get(rows, 0), "public")));

	check_streamed(db);

	/* Rollback leaves nothing behind. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_exec(db, "DELETE FROM cluster_templates", DB_NOARGS), 2);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(db_query_int(db, "SELECT COUNT(*) FROM cluster_templates", DB_NOARGS, &n),
			 0);
	assert_int_equal(n, 2);

	/* Quoted reserved column and the seeded catalogue. */
	assert_int_equal(db_exec(db, "INSERT INTO mservices (host, \"binary\", created_at) "
				     "VALUES ('h', 'magnum-conductor', 'x')", DB_NOARGS), 1);
	assert_int_equal(db_query_int(db, "SELECT COUNT(*) FROM flavors", DB_NOARGS, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(db_row_get(db, &db_t_cluster_templates, NULL, "uuid = ?",
				    DB_ARGS(DB_TEXT("nope")), &row), -ENOENT);
}

static void
test_sqlite(void **state)
{
	struct db *db = open_sqlite();

	(void)state;
	exercise(db);
	db_close(db);
}

static void
test_pg(void **state)
{
	const char *url = getenv("MAGNUM_TEST_PG_URL"), *st = getenv("MAGNUM_TEST_PG_STATE");
	char buf[512];
	struct db *db = NULL;

	(void)state;
	if (url == NULL && st) {
		FILE *f = fopen(st, "re");
		if (f && fscanf(f, "%511s", buf) == 1)
			url = buf;
		if (f)
			fclose(f);
	}
	if (url == NULL)
		skip();
	assert_int_equal(db_open(url, &db, NULL), 0);
	exercise(db);
	db_close(db);
}

static void
test_bad_url(void **state)
{
	struct db *db = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(db_open("mysql://x", &db, NULL), -EINVAL);
	assert_int_equal(db_open("sqlite:///nonexistent-dir-xyz/a.db", &db, &err), -EIO);
	assert_non_null(err);
	free(err);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dbdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "%s/t.sqlite", dbdir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/t.sqlite-wal", dbdir);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/t.sqlite-shm", dbdir);
	unlink(cmd);
	rmdir(dbdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_pg),
		cmocka_unit_test(test_bad_url),
	};
	return cmocka_run_group_tests_name("db", tests, setup, teardown);
}
