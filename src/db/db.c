/* db.c - connection URLs, per-thread connections, transactions, dispatch. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "db/db_internal.h"

static char *db_url;
static __thread struct db *db_tls;

/* Every per-thread connection, so that shutdown can close those of threads
 * it does not own (libmicrohttpd's pool). */
static pthread_mutex_t db_all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *db_all[256];
static size_t db_nall;

static void
db_register(struct db *db, bool add)
{
	pthread_mutex_lock(&db_all_lock);
	if (add && db_nall < 256) {
		db_all[db_nall++] = db;
	} else if (!add) {
		for (size_t i = 0; i < db_nall; i++)
			if (db_all[i] == db) {
				db_all[i] = db_all[--db_nall];
				break;
			}
	}
	pthread_mutex_unlock(&db_all_lock);
}

int
db_open(const char *url, struct db **ret_db, char **ret_err)
{
	if (url == NULL)
		return -EINVAL;
	if (strncmp(url, "sqlite:///", 10) == 0)
		return db_sqlite_open(url + 9, ret_db, ret_err);	/* keeps the leading '/' */
	if (strncmp(url, "sqlite://", 9) == 0)
		return db_sqlite_open(url + 9, ret_db, ret_err);
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return db_pg_open(url, ret_db, ret_err);
	return -EINVAL;
}

void
db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_kind
db_kind(const struct db *db)
{
	return db->kind;
}

int
db_global_init(const char *url)
{
	char *u = strdup(url);

	if (u == NULL)
		return -ENOMEM;
	free(db_url);
	db_url = u;
	return 0;
}

struct db *
db_thread(void)
{
	if (db_tls == NULL && db_url && db_open(db_url, &db_tls, NULL) == 0)
		db_register(db_tls, true);
	return db_tls;
}

void
db_thread_close(void)
{
	if (db_tls) {
		db_register(db_tls, false);
		db_close(db_tls);
	}
	db_tls = NULL;
}

void
db_close_all(void)
{
	pthread_mutex_lock(&db_all_lock);
	for (size_t i = 0; i < db_nall; i++)
		db_close(db_all[i]);
	db_nall = 0;
	pthread_mutex_unlock(&db_all_lock);
	db_tls = NULL;
	free(db_url);
	db_url = NULL;
}

int
db_begin(struct db *db)
{
	int r;

	if (db->tx_depth++ > 0)
		return 0;
	r = db_exec(db, db->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", DB_NOARGS);
	if (r < 0)
		db->tx_depth = 0;
	return r < 0 ? r : 0;
}

int
db_commit(struct db *db)
{
	int r;

	if (db->tx_depth == 0)
		return -EINVAL;
	if (--db->tx_depth > 0)
		return 0;
	r = db_exec(db, "COMMIT", DB_NOARGS);
	if (r < 0)
		(void)db_exec(db, "ROLLBACK", DB_NOARGS);
	return r < 0 ? r : 0;
}

int
db_rollback(struct db *db)
{
	if (db->tx_depth == 0)
		return 0;
	db->tx_depth = 0;
	return db_exec(db, "ROLLBACK", DB_NOARGS) < 0 ? -EIO : 0;
}

int
db_exec(struct db *db, const char *sql, const struct db_param *p, size_t n)
{
	return db->ops->exec(db, sql, p, n);
}

int
db_query(struct db *db, const char *sql, const struct db_param *p, size_t n,
	 struct db_stmt **ret_stmt)
{
	return db->ops->query(db, sql, p, n, ret_stmt);
}

/* Statements remember their connection as their first member. */
struct db_stmt_head {
	struct db *db;
};

int
db_step(struct db_stmt *st)
{
	return ((struct db_stmt_head *)st)->db->ops->step(st);
}

int
db_col_count(struct db_stmt *st)
{
	return ((struct db_stmt_head *)st)->db->ops->col_count(st);
}

const char *
db_col_name(struct db_stmt *st, int i)
{
	return ((struct db_stmt_head *)st)->db->ops->col_name(st, i);
}

bool
db_col_null(struct db_stmt *st, int i)
{
	return ((struct db_stmt_head *)st)->db->ops->col_null(st, i);
}

const char *
db_col_text(struct db_stmt *st, int i)
{
	return ((struct db_stmt_head *)st)->db->ops->col_text(st, i);
}

int64_t
db_col_int(struct db_stmt *st, int i)
{
	return ((struct db_stmt_head *)st)->db->ops->col_int(st, i);
}

void
db_stmt_free(struct db_stmt *st)
{
	if (st)
		((struct db_stmt_head *)st)->db->ops->stmt_free(st);
}

int
db_query_int(struct db *db, const char *sql, const struct db_param *p, size_t n, int64_t *ret)
{
	struct db_stmt *st;
	int r;

	r = db_query(db, sql, p, n, &st);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r == 1) {
		*ret = db_col_int(st, 0);
		r = 0;
	} else if (r == 0) {
		r = -ENOENT;
	}
	db_stmt_free(st);
	return r;
}

const char *
db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}
