/* db_sqlite.c - SQLite backend: WAL, busy timeout, one connection per thread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "common/cleanup.h"
#include "db/db_internal.h"

struct sqlite_db {
	struct db	base;
	sqlite3		*h;
	/* A tiny statement cache keyed by SQL text pointer (SQL is static text). */
	struct {
		char		*sql;	/* owned copy; matched by content */
		sqlite3_stmt	*st;
		int		busy;
	} cache[64];
};

struct sqlite_stmt {
	struct db	*db;	/* must be first (db.c) */
	sqlite3_stmt	*st;
	int		cache_slot;	/* -1 if not cached */
};

static int
sq_err(sqlite3 *h, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) ?
			-EEXIST : -EINVAL;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		(void)h;
		return -EIO;
	}
}

static int
sq_bind(sqlite3_stmt *st, const struct db_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc;
		switch (p[i].type) {
		case DB_P_TEXT:
			rc = sqlite3_bind_text(st, (int)i + 1, p[i].s, -1, SQLITE_TRANSIENT);
			break;
		case DB_P_INT:
			rc = sqlite3_bind_int64(st, (int)i + 1, p[i].i);
			break;
		default:
			rc = sqlite3_bind_null(st, (int)i + 1);
		}
		if (rc != SQLITE_OK)
			return -EINVAL;
	}
	return 0;
}

static int
sq_prepare(struct sqlite_db *d, const char *sql, sqlite3_stmt **ret, int *ret_slot)
{
	int free_slot = -1, rc;

	for (int i = 0; i < (int)ARRAY_SIZE(d->cache); i++) {
		if (d->cache[i].sql && !d->cache[i].busy && strcmp(d->cache[i].sql, sql) == 0) {
			d->cache[i].busy = 1;
			*ret = d->cache[i].st;
			*ret_slot = i;
			return 0;
		}
		if (d->cache[i].sql == NULL && free_slot < 0)
			free_slot = i;
	}
	rc = sqlite3_prepare_v2(d->h, sql, -1, ret, NULL);
	if (rc != SQLITE_OK)
		return sq_err(d->h, rc);
	*ret_slot = -1;
	if (free_slot >= 0 && (d->cache[free_slot].sql = strdup(sql)) != NULL) {
		d->cache[free_slot].st = *ret;
		d->cache[free_slot].busy = 1;
		*ret_slot = free_slot;
	}
	return 0;
}

static void
sq_release(struct sqlite_db *d, sqlite3_stmt *st, int slot)
{
	if (slot >= 0) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		d->cache[slot].busy = 0;
	} else {
		sqlite3_finalize(st);
	}
}

/*
 * Writers of this process queue on a mutex before they ask SQLite for the
 * write lock. SQLite's busy handler waits by sleeping (1, 2, 5, 10 ... 100
 * ms), so 16 connections creating at once made a POST p99 of 18-35 ms out of
 * 0.2 ms writes; the mutex hands the lock over at once. It is held from BEGIN
 * IMMEDIATE to the end of the transaction, or around one autocommit write
 * (INSERT ... RETURNING included). Other processes on the same file still
 * meet the busy handler, and so does a writer that waited out busy_timeout.
 */
static pthread_mutex_t writer = PTHREAD_MUTEX_INITIALIZER;
static __thread struct sqlite_db *writer_conn;	/* this thread's connection holding it */

static void
writer_lock(struct sqlite_db *d, sqlite3_stmt *st, const char *sql)
{
	struct timespec ts;

	if (writer_conn != NULL)
		return;
	/* BEGIN counts as read-only for SQLite; BEGIN IMMEDIATE takes the write lock. */
	if (strncmp(sql, "BEGIN", 5) != 0 &&
	    (sqlite3_stmt_readonly(st) || !sqlite3_get_autocommit(d->h)))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;	/* as sqlite3_busy_timeout */
	if (pthread_mutex_timedlock(&writer, &ts) == 0)
		writer_conn = d;
}

static void
writer_unlock_if_done(struct sqlite_db *d)
{
	if (writer_conn == d && sqlite3_get_autocommit(d->h)) {
		writer_conn = NULL;
		pthread_mutex_unlock(&writer);
	}
}

static int
sq_exec(struct db *db, const char *sql, const struct db_param *p, size_t n)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	sqlite3_stmt *st;
	int slot, r, rc;

	if (n == 0 && strchr(sql, ';') && strchr(sql, ';')[1] != '\0') {
		/* Multi-statement script (migrations). */
		rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);
		return rc == SQLITE_OK ? 0 : sq_err(d->h, sqlite3_extended_errcode(d->h));
	}
	r = sq_prepare(d, sql, &st, &slot);
	if (r < 0)
		return r;
	r = sq_bind(st, p, n);
	if (r == 0) {
		writer_lock(d, st, sql);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		r = rc == SQLITE_DONE ? sqlite3_changes(d->h) :
					sq_err(d->h, sqlite3_extended_errcode(d->h));
	}
	sq_release(d, st, slot);
	/* Out of any transaction (committed, rolled back, failed to begin): next writer. */
	writer_unlock_if_done(d);
	return r;
}

static int
sq_query(struct db *db, const char *sql, const struct db_param *p, size_t n,
	 struct db_stmt **ret)
{
	struct sqlite_db *d = (struct sqlite_db *)db;
	struct sqlite_stmt *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->db = db;
	r = sq_prepare(d, sql, &s->st, &s->cache_slot);
	if (r < 0) {
		free(s);
		return r;
	}
	r = sq_bind(s->st, p, n);
	if (r < 0) {
		sq_release(d, s->st, s->cache_slot);
		free(s);
		return r;
	}
	writer_lock(d, s->st, sql);
	*ret = (struct db_stmt *)s;
	return 0;
}

static int
sq_step(struct db_stmt *st)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;
	struct sqlite_db *d = (struct sqlite_db *)s->db;
	int rc = sqlite3_step(s->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_err(d->h, sqlite3_extended_errcode(d->h));
}

static int
sq_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(((struct sqlite_stmt *)st)->st);
}

static const char *
sq_col_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(((struct sqlite_stmt *)st)->st, i);
}

static bool
sq_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(((struct sqlite_stmt *)st)->st, i) == SQLITE_NULL;
}

static const char *
sq_col_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(((struct sqlite_stmt *)st)->st, i);
}

static int64_t
sq_col_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(((struct sqlite_stmt *)st)->st, i);
}

static void
sq_stmt_free(struct db_stmt *st)
{
	struct sqlite_stmt *s = (struct sqlite_stmt *)st;

	sq_release((struct sqlite_db *)s->db, s->st, s->cache_slot);
	writer_unlock_if_done((struct sqlite_db *)s->db);
	free(s);
}

static void
sq_close(struct db *db)
{
	struct sqlite_db *d = (struct sqlite_db *)db;

	for (size_t i = 0; i < ARRAY_SIZE(d->cache); i++)
		if (d->cache[i].st) {
			sqlite3_finalize(d->cache[i].st);
			free(d->cache[i].sql);
		}
	sqlite3_close(d->h);
	if (writer_conn == d) {		/* closed inside a transaction */
		writer_conn = NULL;
		pthread_mutex_unlock(&writer);
	}
	free(d);
}

static const char *
sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(((struct sqlite_db *)db)->h);
}

static const struct db_ops sqlite_ops = {
	.exec = sq_exec,
	.query = sq_query,
	.step = sq_step,
	.col_count = sq_col_count,
	.col_name = sq_col_name,
	.col_null = sq_col_null,
	.col_text = sq_col_text,
	.col_int = sq_col_int,
	.stmt_free = sq_stmt_free,
	.close = sq_close,
	.errmsg = sq_errmsg,
};

int
db_sqlite_open(const char *path, struct db **ret_db, char **ret_err)
{
	struct sqlite_db *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->base.ops = &sqlite_ops;
	d->base.kind = DB_SQLITE;
	rc = sqlite3_open_v2(path, &d->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (ret_err && asprintf(ret_err, "%s: %s", path, sqlite3_errstr(rc)) < 0)
			*ret_err = NULL;
		sqlite3_close(d->h);
		free(d);
		return -EIO;
	}
	sqlite3_busy_timeout(d->h, 10000);
	rc = sqlite3_exec(d->h,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			  "PRAGMA foreign_keys=ON; "
			  /* 512 KiB of page cache per connection (one per thread), not
			   * 2 MiB: the kernel's page cache holds the file anyway. */
			  "PRAGMA cache_size=-512;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		if (ret_err && asprintf(ret_err, "%s: %s", path, sqlite3_errmsg(d->h)) < 0)
			*ret_err = NULL;
		sqlite3_close(d->h);
		free(d);
		return -EIO;
	}
	*ret_db = &d->base;
	return 0;
}
