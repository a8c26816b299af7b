/* db_internal.h - the backend vtable behind db.h (db_sqlite.c, db_pg.c). */
#pragma once

#include "db/db.h"

struct db_ops {
	int (*exec)(struct db *db, const char *sql, const struct db_param *p, size_t n);
	int (*query)(struct db *db, const char *sql, const struct db_param *p, size_t n,
		     struct db_stmt **ret);
	int (*step)(struct db_stmt *st);
	int (*col_count)(struct db_stmt *st);
	const char *(*col_name)(struct db_stmt *st, int i);
	bool (*col_null)(struct db_stmt *st, int i);
	const char *(*col_text)(struct db_stmt *st, int i);
	int64_t (*col_int)(struct db_stmt *st, int i);
	void (*stmt_free)(struct db_stmt *st);
	void (*close)(struct db *db);
	const char *(*errmsg)(struct db *db);
};

struct db {
	const struct db_ops	*ops;
	enum db_kind		kind;
	int			tx_depth;
};

int db_sqlite_open(const char *path, struct db **ret_db, char **ret_err);
int db_pg_open(const char *conninfo, struct db **ret_db, char **ret_err);
