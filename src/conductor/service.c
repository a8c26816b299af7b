/* service.c - the conductor's mservices heartbeat thread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "conductor/conductor.h"
#include "db/db.h"

static pthread_t hb_thread;
static bool hb_running;
static pthread_mutex_t hb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hb_cond = PTHREAD_COND_INITIALIZER;
static char hb_host[256];

int
conductor_heartbeat(const char *host)
{
	struct db *db = db_thread();
	char now[TIMESTAMP_LEN];
	int r;

	if (db == NULL)
		return -EIO;
	time_now_iso(now);
	r = db_exec(db,
		    "UPDATE mservices SET report_count = report_count + 1, last_seen_up = ?, "
		    "updated_at = ? WHERE host = ? AND \"binary\" = 'magnum-conductor'",
		    DB_ARGS(DB_TEXT(now), DB_TEXT(now), DB_TEXT(host)));
	if (r != 0)
		return r < 0 ? r : 0;
	r = db_exec(db,
		    "INSERT INTO mservices (host, \"binary\", report_count, last_seen_up, "
		    "created_at) VALUES (?, 'magnum-conductor', 1, ?, ?)",
		    DB_ARGS(DB_TEXT(host), DB_TEXT(now), DB_TEXT(now)));
	if (r == -EEXIST)	/* raced with another start: bump instead */
		return conductor_heartbeat(host);
	return r < 0 ? r : 0;
}

static void *
hb_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hb_lock);
	while (hb_running) {
		struct timespec ts;
		int r;

		pthread_mutex_unlock(&hb_lock);
		r = conductor_heartbeat(hb_host);
		if (r < 0)
			log_warn_errno(r, "conductor heartbeat failed");
		if (db_thread()) {
			(void)db_exec(db_thread(), "DELETE FROM tokens WHERE expires_epoch < ?",
				      DB_ARGS(DB_INT((int64_t)time(NULL))));
			conductor_periodic(db_thread());
		}
		pthread_mutex_lock(&hb_lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += conf_int("DEFAULT", "periodic_interval");
		while (hb_running && pthread_cond_timedwait(&hb_cond, &hb_lock, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&hb_lock);
	db_thread_close();
	return NULL;
}

int
conductor_start(const char *host)
{
	int r;

	snprintf(hb_host, sizeof(hb_host), "%s", host);
	r = conductor_heartbeat(hb_host);	/* report at once, as Magnum does at start */
	if (r < 0)
		return r;
	hb_running = true;
	r = pthread_create(&hb_thread, NULL, hb_main, NULL);
	if (r != 0) {
		hb_running = false;
		return -r;
	}
	r = conductor_workers_start(hb_host);
	if (r < 0) {
		conductor_stop();
		return r;
	}
	return 0;
}

void
conductor_stop(void)
{
	conductor_workers_stop();
	if (!hb_running)
		return;
	pthread_mutex_lock(&hb_lock);
	hb_running = false;
	pthread_cond_broadcast(&hb_cond);
	pthread_mutex_unlock(&hb_lock);
	pthread_join(hb_thread, NULL);
}
