/* lifecycle.h - running a claimed job against its bay (lifecycle.c). */
#pragma once

#include <jansson.h>

#include "db/db.h"

#define LIFECYCLE_HELD	1	/* no backend: the job waits (state 'held') */
#define LIFECYCLE_LOST	2	/* another conductor took the job over */

/*
 * Run job (a jobs row) as owner. Returns 0 when the operation finished (the
 * bay is in a terminal state or gone), LIFECYCLE_HELD / LIFECYCLE_LOST, or
 * -errno when it failed (the bay is then in its …_FAILED state).
 */
int lifecycle_run(struct db *db, json_t *job, const char *owner);

/* Fail bays whose create outlived create_timeout without a running job. */
int lifecycle_enforce_timeouts(struct db *db);

/* The flavor row (id or name) a bay uses for key, from the bay or its template; NULL if none. */
void load_flavor(struct db *db, json_t *cluster, json_t *tmpl, const char *key, json_t **ret);

/* The keypairs row of the bay's keypair (the bay's, else its template's), or NULL. */
void load_keypair(struct db *db, json_t *cluster, json_t *tmpl, json_t **ret);
