/* jobs.c - enqueueing jobs and recording events. */
#include <errno.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "conductor/jobs.h"
#include "db/table.h"

int
jobs_enqueue(struct db *db, const char *cluster_uuid, const char *kind, json_t *payload)
{
	_cleanup_json_ json_t *row = NULL;
	char now[TIMESTAMP_LEN];

	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:s, s:O?, s:i, s:s}", "cluster_uuid", cluster_uuid, "kind",
			kind, "state", "pending", "payload", payload, "attempts", 0, "created_at",
			now);
	if (row == NULL)
		return -ENOMEM;
	if (streq(kind, JOB_DELETE)) {
		/* Deletion supersedes work that has not started. */
		int r = db_exec(db, "UPDATE jobs SET state = 'cancelled', updated_at = ? WHERE "
				    "cluster_uuid = ? AND state IN ('pending', 'held')",
				DB_ARGS(DB_TEXT(now), DB_TEXT(cluster_uuid)));
		if (r < 0)
			return r;
	}
	return db_row_insert(db, &db_t_jobs, row, NULL);
}

int
jobs_active(struct db *db, const char *cluster_uuid)
{
	int64_t n = 0;
	int r;

	/* held: waiting for a backend, still the bay's operation in progress */
	r = db_query_int(db, "SELECT COUNT(*) FROM jobs WHERE cluster_uuid = ? AND state IN "
			     "('pending', 'running', 'held')",
			 DB_ARGS(DB_TEXT(cluster_uuid)), &n);
	if (r < 0)
		return r;
	return n > 0;
}

int
events_add(struct db *db, const char *cluster_uuid, const char *step, int progress,
	   const char *message)
{
	_cleanup_json_ json_t *row = NULL;
	char now[TIMESTAMP_LEN];

	time_now_iso(now);
	row = json_pack("{s:s, s:s, s:i, s:s?, s:s}", "cluster_uuid", cluster_uuid, "step", step,
			"progress", progress, "message", message, "created_at", now);
	if (row == NULL)
		return -ENOMEM;
	return db_row_insert(db, &db_t_events, row, NULL);
}

int
events_list(struct db *db, const char *cluster_uuid, json_t **ret)
{
	_cleanup_json_ json_t *rows = NULL;
	size_t i;
	json_t *r;
	int rc;

	rc = db_row_select(db, &db_t_events, NULL, "cluster_uuid = ?",
			   DB_ARGS(DB_TEXT(cluster_uuid)), "id", 0, &rows);
	if (rc < 0)
		return rc;
	json_array_foreach(rows, i, r) {
		json_object_del(r, "id");
		json_object_del(r, "cluster_uuid");
	}
	*ret = TAKE_PTR(rows);
	return 0;
}
