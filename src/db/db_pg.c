/* db_pg.c - PostgreSQL backend on libpq: '?' placeholders become $n. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "common/cleanup.h"
#include "common/strbuf.h"
#include "db/db_internal.h"

struct pg_db {
	struct db	base;
	PGconn		*c;
	char		err[512];
};

struct pg_stmt {
	struct db	*db;	/* must be first (db.c) */
	PGresult	*res;
	int		row;	/* current row, -1 before the first step */
	int		nrows;
};

/* Rewrite '?' outside quotes to $1..$n; "<n>"-style SQL is left alone. */
static char *
pg_rewrite(const char *sql)
{
	struct strbuf sb = STRBUF_INIT;
	int n = 0, quote = 0;

	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			quote = !quote;
		if (*p == '?' && !quote) {
			if (strbuf_printf(&sb, "$%d", ++n) < 0)
				goto oom;
		} else if (strbuf_append(&sb, p, 1) < 0) {
			goto oom;
		}
	}
	return strbuf_steal(&sb);
oom:
	strbuf_free(&sb);
	return NULL;
}

static int
pg_status_err(struct pg_db *d, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(d->err, sizeof(d->err), "%s", res ? PQresultErrorMessage(res) :
						      PQerrorMessage(d->c));
	if (state == NULL)
		return PQstatus(d->c) == CONNECTION_OK ? -EIO : -EAGAIN;
	if (strcmp(state, "23505") == 0)
		return -EEXIST;
	if (strncmp(state, "23", 2) == 0)
		return -EINVAL;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0)
		return -EBUSY;
	return -EIO;
}

static PGresult *
pg_run(struct pg_db *d, const char *sql, const struct db_param *p, size_t n)
{
	_cleanup_free_ char *q = NULL;
	const char *vals[64];
	char nums[64][24];

	if (n > ARRAY_SIZE(vals))
		return NULL;
	if (PQstatus(d->c) != CONNECTION_OK)
		PQreset(d->c);
	if (n == 0 && strchr(sql, '?') == NULL)
		return PQexec(d->c, sql);
	q = pg_rewrite(sql);
	if (q == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		switch (p[i].type) {
		case DB_P_TEXT:
			vals[i] = p[i].s;
			break;
		case DB_P_INT:
			snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)p[i].i);
			vals[i] = nums[i];
			break;
		default:
			vals[i] = NULL;
		}
	}
	return PQexecParams(d->c, q, (int)n, NULL, vals, NULL, NULL, 0);
}

static int
pg_exec(struct db *db, const char *sql, const struct db_param *p, size_t n)
{
	struct pg_db *d = (struct pg_db *)db;
	PGresult *res = pg_run(d, sql, p, n);
	int r;

	if (res == NULL)
		return -ENOMEM;
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK: {
		const char *t = PQcmdTuples(res);
		r = t && *t ? (int)strtol(t, NULL, 10) : 0;
		break;
	}
	default:
		r = pg_status_err(d, res);
	}
	PQclear(res);
	return r;
}

static int
pg_query(struct db *db, const char *sql, const struct db_param *p, size_t n,
	 struct db_stmt **ret)
{
	struct pg_db *d = (struct pg_db *)db;
	struct pg_stmt *s;
	PGresult *res = pg_run(d, sql, p, n);
	int r;

	if (res == NULL)
		return -ENOMEM;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = pg_status_err(d, res);
		PQclear(res);
		return r;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		PQclear(res);
		return -ENOMEM;
	}
	s->db = db;
	s->res = res;
	s->row = -1;
	s->nrows = PQntuples(res);
	*ret = (struct db_stmt *)s;
	return 0;
}

static int
pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	if (s->row + 1 >= s->nrows) {
		s->row = s->nrows;
		return 0;
	}
	s->row++;
	return 1;
}

static int
pg_col_count(struct db_stmt *st)
{
	return PQnfields(((struct pg_stmt *)st)->res);
}

static const char *
pg_col_name(struct db_stmt *st, int i)
{
	return PQfname(((struct pg_stmt *)st)->res, i);
}

static bool
pg_col_null(struct db_stmt *st, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	return PQgetisnull(s->res, s->row, i);
}

static const char *
pg_col_text(struct db_stmt *st, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	if (PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

static int64_t
pg_col_int(struct db_stmt *st, int i)
{
	const char *v = pg_col_text(st, i);

	return v ? strtoll(v, NULL, 10) : 0;
}

static void
pg_stmt_free(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	PQclear(s->res);
	free(s);
}

static void
pg_close(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;

	PQfinish(d->c);
	free(d);
}

static const char *
pg_errmsg(struct db *db)
{
	return ((struct pg_db *)db)->err;
}

static const struct db_ops pg_ops = {
	.exec = pg_exec,
	.query = pg_query,
	.step = pg_step,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.col_null = pg_col_null,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.stmt_free = pg_stmt_free,
	.close = pg_close,
	.errmsg = pg_errmsg,
};

int
db_pg_open(const char *conninfo, struct db **ret_db, char **ret_err)
{
	struct pg_db *d;
	PGresult *res;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->base.ops = &pg_ops;
	d->base.kind = DB_POSTGRES;
	d->c = PQconnectdb(conninfo);
	if (PQstatus(d->c) != CONNECTION_OK) {
		if (ret_err && asprintf(ret_err, "%s", PQerrorMessage(d->c)) < 0)
			*ret_err = NULL;
		PQfinish(d->c);
		free(d);
		return -EIO;
	}
	res = PQexec(d->c, "SET client_min_messages TO warning");
	PQclear(res);
	*ret_db = &d->base;
	return 0;
}
