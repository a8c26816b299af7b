/*
 * worker.c - conductor workers: claim durable jobs with leases (one
 * operation per bay at a time; an expired lease is taken over; the lease is
 * renewed on every progress event), run them (lifecycle.c), record the
 * outcome. A job whose owner was a previous process on this host is taken
 * over at once instead of after its lease.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "conductor/conductor.h"
#include "conductor/jobs.h"
#include "conductor/lifecycle.h"
#include "db/table.h"

#define MAX_WORKERS 16

static pthread_t workers[MAX_WORKERS];
static size_t nworkers;
static volatile bool running;
static char owner_base[300];

/*
 * Claim the oldest runnable job: pending, or running with an expired lease,
 * and not behind an older unfinished job of the same bay. Returns 1 and a
 * row, 0 if none, or -errno.
 */
static int
job_claim(struct db *db, const char *owner, json_t **ret)
{
	static const char where[] =
		"(state = 'pending' OR (state = 'running' AND lease_expires < ?)) AND "
		"NOT EXISTS (SELECT 1 FROM jobs j2 WHERE j2.cluster_uuid = "
		"jobs.cluster_uuid AND j2.id < jobs.id AND (j2.state IN ('pending', 'running') OR "
		"(j2.state = 'held' AND jobs.kind <> 'delete')))";
	int64_t now = (int64_t)time(NULL), lease = conf_int("conductor", "lease_seconds"), n = 0;
	bool pg = db_kind(db) == DB_POSTGRES;
	_cleanup_json_ json_t *rows = NULL;
	char now_iso[TIMESTAMP_LEN];
	json_t *row;
	int r;

	/* A cheap read first: idle polling must not take the write lock. */
	r = db_query_int(db, "SELECT COUNT(*) FROM jobs WHERE state = 'pending' OR (state = "
			     "'running' AND lease_expires < ?)", DB_ARGS(DB_INT(now)), &n);
	if (r < 0 || n == 0)
		return r;
	time_now_iso(now_iso);
	r = db_begin(db);
	if (r < 0)
		return r;
	/* SQLite's BEGIN IMMEDIATE already serialises claimers; PostgreSQL skips locked rows. */
	r = db_row_select(db, &db_t_jobs, NULL, where, DB_ARGS(DB_INT(now)),
			  pg ? "id LIMIT 1 FOR UPDATE SKIP LOCKED" : "id", pg ? 0 : 1, &rows);
	if (r < 0 || json_array_size(rows) == 0) {
		db_rollback(db);
		return r < 0 ? r : 0;
	}
	row = json_array_get(rows, 0);
	r = db_exec(db, "UPDATE jobs SET state = 'running', lease_owner = ?, lease_expires = ?, "
			"attempts = attempts + 1, updated_at = ? WHERE id = ?",
		    DB_ARGS(DB_TEXT(owner), DB_INT(now + lease), DB_TEXT(now_iso),
			    DB_INT(json_integer_value(json_object_get(row, "id")))));
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	r = db_commit(db);
	if (r < 0)
		return r;
	*ret = json_incref(row);
	return 1;
}

/* Record the outcome, unless the job is no longer ours (taken over, cancelled, settled). */
static int
job_finish(struct db *db, int64_t id, const char *owner, const char *state, const char *error)
{
	char now[TIMESTAMP_LEN];

	time_now_iso(now);
	return db_exec(db, "UPDATE jobs SET state = ?, last_error = ?, lease_owner = NULL, "
			   "updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
		       DB_ARGS(DB_TEXT(state), DB_TEXT(error), DB_TEXT(now), DB_INT(id),
			       DB_TEXT(owner)));
}

static void *
worker_main(void *arg)
{
	char owner[340];

	snprintf(owner, sizeof(owner), "%s/%zu", owner_base, (size_t)(uintptr_t)arg);
	while (running) {
		_cleanup_json_ json_t *job = NULL;
		struct db *db = db_thread();
		const char *uuid, *kind;
		int64_t id;
		int r;

		if (db == NULL) {
			sleep(1);
			continue;
		}
		r = job_claim(db, owner, &job);
		if (r <= 0) {
			if (r < 0 && r != -EBUSY)
				log_warn_errno(r, "claiming a job failed");
			usleep(200 * 1000);
			continue;
		}
		id = json_integer_value(json_object_get(job, "id"));
		uuid = json_string_value(json_object_get(job, "cluster_uuid"));
		kind = json_string_value(json_object_get(job, "kind"));
		log_info("job %lld: %s of bay %s", (long long)id, kind, uuid);
		r = lifecycle_run(db, job, owner);
		if (r == LIFECYCLE_LOST)
			continue;
		if (r < 0)
			log_warn_errno(r, "job %lld failed", (long long)id);
		r = job_finish(db, id, owner, r == LIFECYCLE_HELD ? "held" : r < 0 ? "failed" : "done",
			       r < 0 ? strerror(-r) : NULL);
		if (r < 0)
			log_warn_errno(r, "recording job %lld failed", (long long)id);
	}
	db_thread_close();
	return NULL;
}

/*
 * Jobs leased by an earlier magnumd of this host (host:pid/N, pid not ours)
 * lost their owner when it stopped: expire their leases now.
 */
static void
take_over_own(const char *host)
{
	_cleanup_free_ char *like = NULL, *mine = NULL;
	struct db *db = db_thread();
	int r;

	if (db == NULL || asprintf(&like, "%s:%%", host) < 0 ||
	    asprintf(&mine, "%s/%%", owner_base) < 0)
		return;
	r = db_exec(db, "UPDATE jobs SET lease_expires = 0 WHERE state = 'running' AND "
			"lease_owner LIKE ? AND lease_owner NOT LIKE ?",
		    DB_ARGS(DB_TEXT(like), DB_TEXT(mine)));
	if (r > 0)
		log_info("taking over %d job(s) of a previous run on this host", r);
}

int
conductor_workers_start(const char *host)
{
	int64_t n = conf_int("conductor", "workers");

	snprintf(owner_base, sizeof(owner_base), "%s:%d", host, (int)getpid());
	take_over_own(host);
	if (n < 1)
		n = 1;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	running = true;
	for (nworkers = 0; nworkers < (size_t)n; nworkers++) {
		int r = pthread_create(&workers[nworkers], NULL, worker_main,
				       (void *)(uintptr_t)nworkers);
		if (r != 0) {
			conductor_workers_stop();
			return -r;
		}
	}
	return 0;
}

void
conductor_workers_stop(void)
{
	running = false;
	for (size_t i = 0; i < nworkers; i++)
		pthread_join(workers[i], NULL);
	nworkers = 0;
}
