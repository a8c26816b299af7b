/*
 * conductor.h - the conductor: the mservices heartbeat, the job workers
 * that carry bays through their lifecycle, and periodic tasks.
 */
#pragma once

#include <stdbool.h>

/* Start the heartbeat (and, once drivers exist, the workers). host names this
 * conductor in mservices. Returns 0 or -errno. */
int conductor_start(const char *host);
/* Stop all conductor threads (waits for them). */
void conductor_stop(void);

/* Job workers (worker.c), started and stopped by conductor_start/stop. */
int conductor_workers_start(const char *host);
void conductor_workers_stop(void);

/* One heartbeat: create or bump this conductor's mservices row. Returns 0 or -errno. */
int conductor_heartbeat(const char *host);

/* Periodic tasks (periodic.c): create timeouts, certificate renewals, bay re-sync. */
struct db;
void conductor_periodic(struct db *db);
