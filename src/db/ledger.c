/* ledger.c - the resource ledger (see ledger.h). */
#include <errno.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "db/ledger.h"
#include "db/table.h"

int
ledger_add(struct db *db, const char *bay_uuid, const char *kind, const char *name,
	   json_t *data, int64_t *ret_id)
{
	_cleanup_json_ json_t *row = NULL;
	char now[TIMESTAMP_LEN];

	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:O?, s:s, s:s}", "cluster_uuid", bay_uuid, "kind", kind,
			"name", name, "data", data, "state", "planned", "created_at", now);
	if (row == NULL)
		return -ENOMEM;
	return db_row_insert(db, &db_t_ledger, row, ret_id);
}

int
ledger_set_present(struct db *db, int64_t id, json_t *data)
{
	_cleanup_free_ char *text = NULL;
	char now[TIMESTAMP_LEN];

	time_now_iso(now);
	if (data == NULL)
		return db_exec(db, "UPDATE ledger SET state = 'present', updated_at = ? WHERE id = ?",
			       DB_ARGS(DB_TEXT(now), DB_INT(id)));
	text = json_dumps(data, JSON_COMPACT);
	if (text == NULL)
		return -ENOMEM;
	return db_exec(db, "UPDATE ledger SET state = 'present', data = ?, updated_at = ? "
			   "WHERE id = ?", DB_ARGS(DB_TEXT(text), DB_TEXT(now), DB_INT(id)));
}

int
ledger_list(struct db *db, const char *bay_uuid, json_t **ret)
{
	return db_row_select(db, &db_t_ledger, NULL, "cluster_uuid = ?",
			     DB_ARGS(DB_TEXT(bay_uuid)), "id", 0, ret);
}

int
ledger_find(struct db *db, const char *bay_uuid, const char *kind, const char *name,
	    json_t **ret)
{
	_cleanup_json_ json_t *rows = NULL;
	int r;

	r = db_row_select(db, &db_t_ledger, NULL, "cluster_uuid = ? AND kind = ? AND name = ?",
			  DB_ARGS(DB_TEXT(bay_uuid), DB_TEXT(kind), DB_TEXT(name)), "id DESC", 1,
			  &rows);
	if (r < 0)
		return r;
	if (json_array_size(rows) == 0)
		return -ENOENT;
	*ret = json_incref(json_array_get(rows, 0));
	return 0;
}

int
ledger_forget(struct db *db, int64_t id)
{
	return db_exec(db, "DELETE FROM ledger WHERE id = ?", DB_ARGS(DB_INT(id)));
}

int
ledger_count(struct db *db, const char *bay_uuid, int64_t *ret)
{
	return db_query_int(db, "SELECT COUNT(*) FROM ledger WHERE cluster_uuid = ?",
			    DB_ARGS(DB_TEXT(bay_uuid)), ret);
}

int
ledger_kind_names(struct db *db, const char *kind, json_t **ret)
{
	_cleanup_json_ json_t *out = json_array();
	struct db_stmt *st = NULL;
	int r;

	if (out == NULL)
		return -ENOMEM;
	r = db_query(db, "SELECT name FROM ledger WHERE kind = ?", DB_ARGS(DB_TEXT(kind)), &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) > 0)
		if (json_array_append_new(out, json_string(db_col_text(st, 0))) < 0) {
			r = -ENOMEM;
			break;
		}
	db_stmt_free(st);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(out);
	return 0;
}
