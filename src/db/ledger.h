/*
 * ledger.h - the resource ledger: every kernel object, process, mount, device
 * and file a bay owns is recorded here BEFORE it is created, so that a delete
 * (walking the ledger newest first) converges from any state, even after a
 * crash between "recorded" and "created".
 *
 * An entry: id (creation order), cluster_uuid, kind ("bridge", "netns",
 * "node", ...), name (the object's name or path), data (a JSON object the
 * backend needs to destroy or restart it), state ("planned" before creation,
 * "present" after).
 */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "db/db.h"

/* Record a planned object (data borrowed, may be NULL). Returns 0 and its id. */
int ledger_add(struct db *db, const char *bay_uuid, const char *kind, const char *name,
	       json_t *data, int64_t *ret_id);
/* Mark an entry present, replacing its data when data is not NULL. */
int ledger_set_present(struct db *db, int64_t id, json_t *data);
/* The bay's entries, oldest first (a new array of row objects). */
int ledger_list(struct db *db, const char *bay_uuid, json_t **ret);
/* The newest entry of kind and name; -ENOENT if none. */
int ledger_find(struct db *db, const char *bay_uuid, const char *kind, const char *name,
		json_t **ret);
/* Forget an entry once its object is gone. */
int ledger_forget(struct db *db, int64_t id);
/* Number of entries the bay has (0 when everything is gone). */
int ledger_count(struct db *db, const char *bay_uuid, int64_t *ret);
/* Names of every bay's entries of kind (all bays): a new array of strings. */
int ledger_kind_names(struct db *db, const char *kind, json_t **ret);
