/*
 * periodic.c - the conductor's periodic tasks, run by the heartbeat thread
 * every [DEFAULT] periodic_interval: fail creates that outlived their
 * timeout, queue certificate renewals before expiry, and re-sync running
 * bays with their driver (nodes restarted after a host reboot).
 */
#include <errno.h>

#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "conductor/conductor.h"
#include "conductor/jobs.h"
#include "conductor/lifecycle.h"
#include "db/table.h"
#include "drivers/driver.h"
#include "x509/pki.h"

static const char stable_states[] =
	"status IN ('CREATE_COMPLETE', 'UPDATE_COMPLETE', 'RESUME_COMPLETE', "
	"'RESTORE_COMPLETE', 'ROLLBACK_COMPLETE', 'SNAPSHOT_COMPLETE', 'CHECK_COMPLETE', "
	"'ADOPT_COMPLETE')";

static void
queue_renewals(struct db *db)
{
	_cleanup_json_ json_t *bays = NULL;
	int64_t days = conf_int("certificates", "renew_before_days");
	size_t i;
	json_t *b;

	if (days <= 0 || pki_bays_to_renew(db, (int)days, &bays) < 0)
		return;
	json_array_foreach(bays, i, b) {
		const char *uuid = json_string_value(b);
		_cleanup_free_ char *where = NULL;
		int64_t n = 0;

		if (asprintf(&where, "SELECT COUNT(*) FROM clusters WHERE uuid = ? AND %s",
			     stable_states) < 0)
			return;
		if (db_query_int(db, where, DB_ARGS(DB_TEXT(uuid)), &n) < 0 || n == 0)
			continue;
		if (jobs_active(db, uuid) != 0)
			continue;
		if (jobs_enqueue(db, uuid, JOB_RENEW_CERTS, NULL) == 0)
			log_info("bay %s: certificates expire within %lld days: renewal queued",
				 uuid, (long long)days);
	}
}

static void
sync_bays(struct db *db)
{
	_cleanup_json_ json_t *rows = NULL;
	const char *backend = conf_str("DEFAULT", "backend");
	size_t i;
	json_t *c;

	if (streq(backend, "none"))
		return;
	if (db_row_select(db, &db_t_clusters, NULL, stable_states, DB_NOARGS, NULL, 0, &rows) < 0)
		return;
	json_array_foreach(rows, i, c) {
		_cleanup_json_ json_t *tmpl = NULL, *groups = NULL, *flavor = NULL, *mflavor = NULL;
		_cleanup_json_ json_t *keypair = NULL;
		const char *uuid = json_string_value(json_object_get(c, "uuid"));
		struct bay_ctx ctx = { .db = db, .uuid = uuid, .cluster = c };
		const struct driver *d;

		if (jobs_active(db, uuid) != 0)
			continue;
		if (db_row_get(db, &db_t_cluster_templates, NULL, "uuid = ?",
			       DB_ARGS(DB_TEXT(json_string_value(json_object_get(
				       c, "cluster_template_id")))), &tmpl) < 0)
			continue;
		d = driver_find(backend, json_string_value(json_object_get(tmpl, "coe")));
		if (d == NULL || d->sync == NULL)
			continue;
		if (db_row_select(db, &db_t_nodegroups, NULL, "cluster_id = ?",
				  DB_ARGS(DB_TEXT(uuid)), "id", 0, &groups) < 0)
			continue;
		ctx.tmpl = tmpl;
		ctx.groups = groups;
		load_flavor(db, c, tmpl, "flavor_id", &flavor);
		load_flavor(db, c, tmpl, "master_flavor_id", &mflavor);
		ctx.flavor = flavor;
		ctx.master_flavor = mflavor;
		load_keypair(db, c, tmpl, &keypair);
		ctx.ssh_public_key = json_string_value(json_object_get(keypair, "public_key"));
		if (d->sync(&ctx) < 0)
			log_warn("bay %s: sync: %s", uuid, ctx.reason);
		json_decref(ctx.result);
	}
}

void
conductor_periodic(struct db *db)
{
	lifecycle_enforce_timeouts(db);
	queue_renewals(db);
	sync_bays(db);
}
