/*
 * db.h - backend-neutral store: SQLite (WAL) or PostgreSQL (libpq).
 *
 * SQL is written once with '?' placeholders in a portable subset (TEXT,
 * INTEGER, BIGINT; booleans as 0/1; JSON as TEXT; times as ISO TEXT); the
 * PostgreSQL backend renumbers placeholders to $n. One connection per
 * thread: db_thread() opens it lazily from the URL given to db_global_init().
 * Library code: returns -errno, never logs above debug.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct db;
struct db_stmt;

enum db_param_type { DB_P_NULL, DB_P_TEXT, DB_P_INT };

struct db_param {
	enum db_param_type	type;
	const char		*s;
	int64_t			i;
};

static inline struct db_param
db_param_text(const char *v)
{
	return (struct db_param){ .type = v ? DB_P_TEXT : DB_P_NULL, .s = v };
}

#define DB_TEXT(v)	db_param_text(v)
#define DB_INT(v)	((struct db_param){ .type = DB_P_INT, .i = (v) })
#define DB_NULLP	((struct db_param){ .type = DB_P_NULL })
/* DB_ARGS(DB_TEXT(a), DB_INT(b)) expands to "array, count". */
#define DB_ARGS(...)	((const struct db_param[]){ __VA_ARGS__ }),			\
			(sizeof((const struct db_param[]){ __VA_ARGS__ }) / sizeof(struct db_param))
#define DB_NOARGS	NULL, 0

enum db_kind { DB_SQLITE, DB_POSTGRES };

/*
 * Open a connection: "sqlite:///abs/path.db" (also "sqlite:////abs") or
 * "postgresql://user:pass@host:port/db". Returns 0, -EINVAL (bad URL) or -EIO
 * (*ret_err, if given, receives the backend's message; caller frees).
 */
int db_open(const char *url, struct db **ret_db, char **ret_err);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/* Process-wide URL for db_thread(); call once before threads start. */
int db_global_init(const char *url);
/* This thread's connection (opened on first use); NULL if it cannot open. */
struct db *db_thread(void);
/* Close this thread's connection (call before a thread exits). */
void db_thread_close(void);
/* At shutdown, after every thread using the store stopped: close all connections. */
void db_close_all(void);

/* Apply pending migrations (db/migrations.c); returns the schema version or -errno. */
int db_migrate(struct db *db);
/* Current schema version (0 = empty database). */
int db_schema_version(struct db *db);
int db_schema_latest(void);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE on SQLite). */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/*
 * Run a statement. Returns the number of changed rows (>= 0) or -errno:
 * -EEXIST on a unique violation, -EBUSY/-EAGAIN on lock contention, -EIO else.
 */
int db_exec(struct db *db, const char *sql, const struct db_param *p, size_t n);

/* Run a query; step through rows with db_step (1 = row, 0 = done, <0 = error). */
int db_query(struct db *db, const char *sql, const struct db_param *p, size_t n,
	     struct db_stmt **ret_stmt);
int db_step(struct db_stmt *st);
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int i);
bool db_col_null(struct db_stmt *st, int i);
const char *db_col_text(struct db_stmt *st, int i);	/* NULL for SQL NULL; borrowed */
int64_t db_col_int(struct db_stmt *st, int i);
void db_stmt_free(struct db_stmt *st);

/* One integer from a query's first row (e.g. COUNT(*)); -ENOENT when no row. */
int db_query_int(struct db *db, const char *sql, const struct db_param *p, size_t n,
		 int64_t *ret);

/* The last backend error message of this connection (borrowed). */
const char *db_errmsg(struct db *db);
