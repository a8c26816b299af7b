/*
 * jobs.h - the durable job queue between the API and the conductor, and the
 * per-bay event timeline. The API enqueues inside its own transaction so that
 * a bay row and its job are written together or not at all.
 */
#pragma once

#include <jansson.h>

#include "db/db.h"

#define JOB_CREATE	"create"
#define JOB_UPDATE	"update"
#define JOB_DELETE	"delete"
#define JOB_ROTATE_CA	"rotate_ca"
#define JOB_RENEW_CERTS	"renew_certs"

/*
 * Add a pending job for cluster_uuid (kind one of JOB_*; payload may be NULL,
 * borrowed). A delete cancels the cluster's jobs that have not started (pending
 * or held). Call
 * inside the caller's transaction. Returns 0 or -errno.
 */
int jobs_enqueue(struct db *db, const char *cluster_uuid, const char *kind, json_t *payload);

/* True (1) if the cluster has a pending, running or held job, 0 if not, -errno on error. */
int jobs_active(struct db *db, const char *cluster_uuid);

/* Append an event to a cluster's timeline. Returns 0 or -errno. */
int events_add(struct db *db, const char *cluster_uuid, const char *step, int progress,
	       const char *message);
/* The timeline, oldest first: a new array of {step, progress, message, created_at}. */
int events_list(struct db *db, const char *cluster_uuid, json_t **ret);
