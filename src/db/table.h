/*
 * table.h - rows as JSON objects. Each table is described by its columns and
 * their types; rows come back as json objects keyed by column name (TEXT ->
 * string, INT -> integer, BOOL -> true/false, JSON -> parsed value), and
 * objects go in the same way. Only the columns a caller sets are written.
 */
#pragma once

#include <jansson.h>

#include "common/strbuf.h"
#include "db/db.h"

enum col_type { COL_TEXT, COL_INT, COL_BOOL, COL_JSON };

struct db_column {
	const char	*name;
	enum col_type	type;
};

struct db_table {
	const char		*name;
	const struct db_column	*cols;
	size_t			ncols;
};

extern const struct db_table db_t_cluster_templates;
extern const struct db_table db_t_clusters;
extern const struct db_table db_t_clusters_read;	/* plus computed counts and addresses */
extern const struct db_table db_t_nodegroups;
extern const struct db_table db_t_jobs;
extern const struct db_table db_t_events;
extern const struct db_table db_t_mservices;
extern const struct db_table db_t_quotas;
extern const struct db_table db_t_projects;
extern const struct db_table db_t_users;
extern const struct db_table db_t_tokens;
extern const struct db_table db_t_images;
extern const struct db_table db_t_keypairs;
extern const struct db_table db_t_flavors;
extern const struct db_table db_t_networks;
extern const struct db_table db_t_x509keypairs;
extern const struct db_table db_t_ledger;

/* Column descriptor by name, or NULL. */
const struct db_column *db_table_column(const struct db_table *t, const char *name);

/* Convert the current row of st into a new JSON object (columns not in t are
 * added as text/integers as the backend returns them). */
json_t *db_row_to_json(const struct db_table *t, struct db_stmt *st);

/*
 * INSERT the keys of obj that are columns of t. Returns 0 and the new integer
 * id in *ret_id (if non-NULL and the table has an integer id), or -errno
 * (-EEXIST on a unique violation).
 */
int db_row_insert(struct db *db, const struct db_table *t, json_t *obj, int64_t *ret_id);

/* UPDATE the keys of changes that are columns of t WHERE key_col = key. Returns rows changed. */
int db_row_update(struct db *db, const struct db_table *t, const char *key_col, const char *key,
		  json_t *changes);

/*
 * SELECT * FROM t [WHERE where] [ORDER BY ...] — where is a SQL fragment with '?'
 * placeholders bound from p. Returns 0 and a new JSON array of row objects.
 * order_by and limit may be NULL / 0 (no limit).
 */
int db_row_select(struct db *db, const struct db_table *t, const char *select_extra,
		  const char *where, const struct db_param *p, size_t n, const char *order_by,
		  int64_t limit, json_t **ret_rows);

/*
 * The same SELECT, streamed: fn sees each row in turn (a non-negative return
 * goes on, a negative one stops and is returned). For replies written as text
 * straight from the rows, without JSON trees (large lists).
 */
struct db_rowv {
	struct db_stmt			*st;
	const struct db_column *const	*map;	/* column descriptor by index (or NULL) */
	int				ncols;
};
typedef int (*db_row_fn)(const struct db_rowv *rv, void *ctx);
int db_row_each(struct db *db, const struct db_table *t, const char *select_extra,
		const char *where, const struct db_param *p, size_t n, const char *order_by,
		int64_t limit, db_row_fn fn, void *ctx);
/* Index of the named result column, or -1. */
int db_rowv_index(const struct db_rowv *rv, const char *name);
/* Column i as text (NULL for SQL NULL or i < 0). */
const char *db_rowv_text(const struct db_rowv *rv, int i);
/* Append column i as JSON text to sb, typed as db_row_to_json would (null for i < 0). */
int db_rowv_write(const struct db_rowv *rv, int i, struct strbuf *sb);

/* Convenience: exactly one row or -ENOENT. */
int db_row_get(struct db *db, const struct db_table *t, const char *select_extra,
	       const char *where, const struct db_param *p, size_t n, json_t **ret_row);
