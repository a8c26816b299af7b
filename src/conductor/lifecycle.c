/*
 * lifecycle.c - what a claimed job does to its bay: the state machine of
 * spec §3 around the driver calls. Every operation ends in a terminal state
 * (…_COMPLETE or …_FAILED with a status_reason naming the failed step), an
 * event is written per step, and the job lease is renewed on each event.
 *
 * With [DEFAULT] backend = none (a control plane without infrastructure) a
 * create makes the bay's PKI and then waits ("held") for a backend; the
 * periodic task fails it at its create_timeout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/util.h"
#include "conductor/jobs.h"
#include "conductor/lifecycle.h"
#include "db/ledger.h"
#include "db/table.h"
#include "drivers/driver.h"
#include "x509/pki.h"

struct job_priv {
	int64_t		job_id;
	const char	*owner;
	volatile bool	lease_lost;
	/* the lease renewer */
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	bool		done;
};

/*
 * Renew the job's lease every lease_seconds/3 while the driver works (a step
 * such as waiting for daemons can outlast a lease). Its own DB connection.
 */
static void *
renewer_main(void *arg)
{
	struct job_priv *jp = arg;
	int64_t lease = conf_int("conductor", "lease_seconds");
	struct timespec ts;

	pthread_mutex_lock(&jp->lock);
	while (!jp->done) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += lease / 3 > 0 ? lease / 3 : 1;
		pthread_cond_timedwait(&jp->cond, &jp->lock, &ts);
		if (jp->done)
			break;
		pthread_mutex_unlock(&jp->lock);
		if (db_thread()) {
			int r = db_exec(db_thread(), "UPDATE jobs SET lease_expires = ? WHERE id = ? "
						     "AND lease_owner = ?",
					DB_ARGS(DB_INT((int64_t)time(NULL) + lease),
						DB_INT(jp->job_id), DB_TEXT(jp->owner)));
			if (r == 0)
				jp->lease_lost = true;
		}
		pthread_mutex_lock(&jp->lock);
	}
	pthread_mutex_unlock(&jp->lock);
	db_thread_close();
	return NULL;
}

static int
on_progress(struct bay_ctx *ctx, const char *step, int pct, const char *msg)
{
	struct job_priv *jp = ctx->priv;
	int64_t now = (int64_t)time(NULL), lease = conf_int("conductor", "lease_seconds");
	int r;

	r = events_add(ctx->db, ctx->uuid, step, pct, msg);
	if (r < 0)
		return r;
	r = db_exec(ctx->db, "UPDATE jobs SET lease_expires = ?, step = ? WHERE id = ? AND "
			     "lease_owner = ?",
		    DB_ARGS(DB_INT(now + lease), DB_TEXT(step), DB_INT(jp->job_id),
			    DB_TEXT(jp->owner)));
	if (r == 0) {
		jp->lease_lost = true;	/* another conductor took the job over */
		return -ESTALE;
	}
	return r < 0 ? r : 0;
}

/* Set the bay's status (and reason; NULL clears it) and its nodegroups'. */
static int
set_status(struct db *db, const char *uuid, const char *status, const char *reason,
	   json_t *result)
{
	_cleanup_json_ json_t *ch = json_object();
	char now[TIMESTAMP_LEN];
	int r;

	if (ch == NULL)
		return -ENOMEM;
	time_now_iso(now);
	if (result)
		json_object_update(ch, result);
	/* Addresses live on the nodegroups: masters on the master group, the rest on workers. */
	json_object_del(ch, "master_addresses");
	json_object_del(ch, "node_addresses");
	json_object_set_new(ch, "status", json_string(status));
	json_object_set_new(ch, "status_reason", reason ? json_string(reason) : json_null());
	json_object_set_new(ch, "updated_at", json_string(now));
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_row_update(db, &db_t_clusters, "uuid", uuid, ch);
	for (int m = 0; r >= 0 && result && m < 2; m++) {
		json_t *a = json_object_get(result, m ? "master_addresses" : "node_addresses");
		_cleanup_free_ char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;

		if (a == NULL)
			continue;
		r = db_exec(db, m ? "UPDATE nodegroups SET node_addresses = ? WHERE cluster_id = ? "
				    "AND role = 'master'" :
				    "UPDATE nodegroups SET node_addresses = ? WHERE cluster_id = ? "
				    "AND role <> 'master'",
			    DB_ARGS(DB_TEXT(text), DB_TEXT(uuid)));
	}
	if (r >= 0)
		r = db_exec(db, "UPDATE nodegroups SET status = ?, status_reason = ?, updated_at = ? "
				"WHERE cluster_id = ?",
			    DB_ARGS(DB_TEXT(status), DB_TEXT(reason), DB_TEXT(now), DB_TEXT(uuid)));
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

/* Remove a deleted bay's rows (its infrastructure and PKI are gone). */
static int
forget_bay(struct db *db, const char *uuid)
{
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = pki_bay_delete(db, uuid);
	if (r >= 0)
		r = db_exec(db, "DELETE FROM nodegroups WHERE cluster_id = ?", DB_ARGS(DB_TEXT(uuid)));
	if (r >= 0)
		r = db_exec(db, "DELETE FROM events WHERE cluster_uuid = ?", DB_ARGS(DB_TEXT(uuid)));
	if (r >= 0)
		r = db_exec(db, "DELETE FROM ledger WHERE cluster_uuid = ?", DB_ARGS(DB_TEXT(uuid)));
	if (r >= 0)
		r = db_exec(db, "DELETE FROM clusters WHERE uuid = ?", DB_ARGS(DB_TEXT(uuid)));
	if (r >= 0)
		r = db_exec(db, "UPDATE jobs SET state = 'cancelled' WHERE cluster_uuid = ? AND "
				"state IN ('pending', 'held')", DB_ARGS(DB_TEXT(uuid)));
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

static const struct driver *
bay_driver(struct bay_ctx *ctx)
{
	const char *coe = json_string_value(json_object_get(ctx->tmpl, "coe"));

	return coe ? driver_find(conf_str("DEFAULT", "backend"), coe) : NULL;
}

static bool
backend_none(void)
{
	return streq(conf_str("DEFAULT", "backend"), "none");
}

static int
run_create(struct bay_ctx *ctx, int attempts)
{
	const struct driver *d;
	const char *name = json_string_value(json_object_get(ctx->cluster, "name"));
	int r;

	bay_progress(ctx, "certificates", 2, "creating the bay CA and the conductor certificate");
	r = pki_bay_create(ctx->db, ctx->uuid, name,
			   json_string_value(json_object_get(ctx->cluster, "project_id")),
			   json_string_value(json_object_get(ctx->cluster, "user_id")));
	if (r < 0)
		return bay_fail(ctx, r, "cannot create the bay CA (%s)", strerror(-r));
	bay_progress(ctx, "certificates", 5, "bay CA ready (%s)", pki_manager());
	if (backend_none())
		return LIFECYCLE_HELD;
	d = bay_driver(ctx);
	if (d == NULL)
		return bay_fail(ctx, -ENOSYS, "no driver for coe %s on backend %s",
				json_string_value(json_object_get(ctx->tmpl, "coe")),
				conf_str("DEFAULT", "backend"));
	if (attempts > 1) {
		/* A conductor died mid-create: clear what it left, then start over. */
		bay_progress(ctx, "resume", 5, "resuming after an interrupted create (attempt %d): "
			     "removing partial resources first", attempts);
		r = d->remove(ctx);
		if (r < 0)
			return r;
	}
	return d->create(ctx);
}

static int
run_update(struct bay_ctx *ctx)
{
	const struct driver *d;

	if (backend_none())
		return LIFECYCLE_HELD;
	d = bay_driver(ctx);
	if (d == NULL)
		return bay_fail(ctx, -ENOSYS, "no driver for this bay's coe");
	return d->update(ctx);
}

static int
run_delete(struct bay_ctx *ctx)
{
	_cleanup_json_ json_t *left = NULL;
	const struct driver *d = bay_driver(ctx);
	int64_t n = 0;
	int r;

	r = ledger_count(ctx->db, ctx->uuid, &n);
	if (r < 0)
		return r;
	if (n > 0) {
		if (d == NULL)
			return bay_fail(ctx, -ENOSYS, "%lld resources in the ledger but no driver "
					"to remove them", (long long)n);
		r = d->remove(ctx);
		if (r < 0)
			return r;
		r = ledger_count(ctx->db, ctx->uuid, &n);
		if (r < 0)
			return r;
		if (n > 0)
			return bay_fail(ctx, -EBUSY, "%lld resources could not be removed",
					(long long)n);
	}
	bay_progress(ctx, "certificates", 95, "removing the bay's certificates and keys");
	return 0;
}

static int
run_rotate(struct bay_ctx *ctx)
{
	const struct driver *d = backend_none() ? NULL : bay_driver(ctx);
	int r;

	bay_progress(ctx, "rotate-ca", 10, "phase 1: new CA, trusted beside the old one");
	/* The driver re-issues node certificates: make sure no renewal races it. */
	r = pki_rotate_begin(ctx->db, ctx->uuid);
	if (r < 0)
		return bay_fail(ctx, r, "cannot create the new CA (%s)", strerror(-r));
	if (d && d->reissue_certs) {
		r = d->reissue_certs(ctx);
		if (r < 0)
			return r;
	}
	bay_progress(ctx, "rotate-ca", 60, "phase 2: dropping the old CA");
	r = pki_rotate_finish(ctx->db, ctx->uuid);
	if (r < 0)
		return bay_fail(ctx, r, "cannot drop the old CA (%s)", strerror(-r));
	if (d && d->reissue_certs) {
		r = d->reissue_certs(ctx);
		if (r < 0)
			return r;
	}
	bay_progress(ctx, "rotate-ca", 100, "the old CA and every certificate it signed are "
		     "no longer trusted");
	return 0;
}

static int
run_renew(struct bay_ctx *ctx)
{
	const struct driver *d = backend_none() ? NULL : bay_driver(ctx);

	int r;

	bay_progress(ctx, "renew-certs", 10, "re-issuing certificates that expire soon");
	r = pki_reissue_conductor(ctx->db, ctx->uuid);
	if (r < 0)
		return bay_fail(ctx, r, "cannot re-issue the conductor certificate (%s)",
				strerror(-r));
	if (d && d->reissue_certs)
		return d->reissue_certs(ctx);
	return 0;
}

/* Load the rows a driver needs into ctx (owned by the caller's json refs). */
static int
load_bay(struct db *db, const char *uuid, json_t **cluster, json_t **tmpl, json_t **groups)
{
	int r;

	r = db_row_get(db, &db_t_clusters, NULL, "uuid = ?", DB_ARGS(DB_TEXT(uuid)), cluster);
	if (r < 0)
		return r;
	r = db_row_get(db, &db_t_cluster_templates, NULL, "uuid = ?",
		       DB_ARGS(DB_TEXT(json_string_value(json_object_get(*cluster,
									 "cluster_template_id")))),
		       tmpl);
	if (r == -ENOENT)
		*tmpl = json_object();
	else if (r < 0)
		return r;
	return db_row_select(db, &db_t_nodegroups, NULL, "cluster_id = ?", DB_ARGS(DB_TEXT(uuid)),
			     "id", 0, groups);
}

/* The flavor row a bay uses for key (the bay's value, else its template's), or NULL. */
void
load_flavor(struct db *db, json_t *cluster, json_t *tmpl, const char *key, json_t **ret)
{
	const char *f = json_string_value(json_object_get(cluster, key));

	if (f == NULL)
		f = json_string_value(json_object_get(tmpl, key));
	*ret = NULL;
	if (f)
		(void)db_row_get(db, &db_t_flavors, NULL, "id = ? OR name = ?",
				 DB_ARGS(DB_TEXT(f), DB_TEXT(f)), ret);
}

void
load_keypair(struct db *db, json_t *cluster, json_t *tmpl, json_t **ret)
{
	const char *k = json_string_value(json_object_get(cluster, "keypair"));

	if (k == NULL)
		k = json_string_value(json_object_get(tmpl, "keypair_id"));
	*ret = NULL;
	if (k)
		(void)db_row_get(db, &db_t_keypairs, NULL, "name = ? AND user_id = ?",
				 DB_ARGS(DB_TEXT(k), DB_TEXT(json_string_value(json_object_get(
					 cluster, "user_id")))), ret);
}

static int run_kind(struct db *db, struct bay_ctx *ctx, const char *kind, int attempts,
		    json_t *cluster);
static int finish(struct db *db, struct bay_ctx *ctx, struct job_priv *jp, const char *kind,
		  int r);

int
lifecycle_run(struct db *db, json_t *job, const char *owner)
{
	_cleanup_json_ json_t *cluster = NULL, *tmpl = NULL, *groups = NULL;
	_cleanup_json_ json_t *flavor = NULL, *mflavor = NULL, *keypair = NULL;
	const char *uuid = json_string_value(json_object_get(job, "cluster_uuid"));
	const char *kind = json_string_value(json_object_get(job, "kind"));
	int attempts = (int)json_integer_value(json_object_get(job, "attempts"));
	struct job_priv jp = { .job_id = json_integer_value(json_object_get(job, "id")),
			       .owner = owner };
	struct bay_ctx ctx = { .db = db, .uuid = uuid, .on_progress = on_progress, .priv = &jp,
			       .payload = json_object_get(job, "payload") };
	pthread_t renewer;
	bool renewing;
	int r;

	r = load_bay(db, uuid, &cluster, &tmpl, &groups);
	if (r == -ENOENT)
		return 0;	/* the bay is gone: nothing to do */
	if (r < 0)
		return r;
	ctx.cluster = cluster;
	ctx.tmpl = tmpl;
	ctx.groups = groups;
	load_flavor(db, cluster, tmpl, "flavor_id", &flavor);
	load_flavor(db, cluster, tmpl, "master_flavor_id", &mflavor);
	ctx.flavor = flavor;
	ctx.master_flavor = mflavor;
	load_keypair(db, cluster, tmpl, &keypair);
	ctx.ssh_public_key = json_string_value(json_object_get(keypair, "public_key"));
	pthread_mutex_init(&jp.lock, NULL);
	pthread_cond_init(&jp.cond, NULL);
	renewing = pthread_create(&renewer, NULL, renewer_main, &jp) == 0;
	r = run_kind(db, &ctx, kind, attempts, cluster);
	if (renewing) {
		pthread_mutex_lock(&jp.lock);
		jp.done = true;
		pthread_cond_signal(&jp.cond);
		pthread_mutex_unlock(&jp.lock);
		pthread_join(renewer, NULL);
	}
	pthread_mutex_destroy(&jp.lock);
	pthread_cond_destroy(&jp.cond);
	return finish(db, &ctx, &jp, kind, r);
}

static int
run_kind(struct db *db, struct bay_ctx *ctx, const char *kind, int attempts, json_t *cluster)
{
	time_t created = 0;

	if (streq(kind, JOB_CREATE)) {
		time_parse_iso(json_string_value(json_object_get(cluster, "created_at")), &created);
		ctx->deadline = created + 60 * json_integer_value(json_object_get(cluster,
									     "create_timeout"));
		return run_create(ctx, attempts);
	}
	if (streq(kind, JOB_UPDATE))
		return run_update(ctx);
	if (streq(kind, JOB_DELETE))
		return run_delete(ctx);
	if (streq(kind, JOB_ROTATE_CA))
		return run_rotate(ctx);
	if (streq(kind, JOB_RENEW_CERTS))
		return run_renew(ctx);
	(void)db;
	return -ENOSYS;
}

/* Record the outcome of a job that ran: terminal state, events. */
static int
finish(struct db *db, struct bay_ctx *ctx, struct job_priv *jp, const char *kind, int r)
{
	const char *uuid = ctx->uuid, *ok = NULL, *bad = NULL;

	if (streq(kind, JOB_CREATE)) {
		ok = "CREATE_COMPLETE";
		bad = "CREATE_FAILED";
	} else if (streq(kind, JOB_UPDATE) || streq(kind, JOB_ROTATE_CA)) {
		ok = "UPDATE_COMPLETE";
		bad = "UPDATE_FAILED";
	} else if (streq(kind, JOB_DELETE)) {
		bad = "DELETE_FAILED";
	} else if (!streq(kind, JOB_RENEW_CERTS)) {
		return -ENOSYS;
	}
	if (jp->lease_lost) {
		log_warn("job %lld of bay %s: lease lost, leaving it to its new owner",
			 (long long)jp->job_id, uuid);
		return LIFECYCLE_LOST;
	}
	if (r == LIFECYCLE_HELD) {
		events_add(db, uuid, "waiting", 5, "waiting for an infrastructure backend "
			   "([DEFAULT] backend = none): the bay fails at its create_timeout");
		return LIFECYCLE_HELD;
	}
	if (r < 0) {
		if (ctx->reason[0] == '\0')
			snprintf(ctx->reason, sizeof(ctx->reason), "%s: %s",
				 ctx->step[0] ? ctx->step : kind, strerror(-r));
		log_warn("bay %s: %s failed: %s", uuid, kind, ctx->reason);
		events_add(db, uuid, "failed", 100, ctx->reason);
		if (bad)
			set_status(db, uuid, bad, ctx->reason, NULL);
		json_decref(ctx->result);
		return r;
	}
	if (streq(kind, JOB_DELETE))
		r = forget_bay(db, uuid);
	else if (ok) {
		events_add(db, uuid, "complete", 100, ok);
		r = set_status(db, uuid, ok, NULL, ctx->result);
	}
	json_decref(ctx->result);
	return r;
}

int
lifecycle_enforce_timeouts(struct db *db)
{
	_cleanup_json_ json_t *expired = json_array();
	struct db_stmt *st = NULL;
	time_t now = time(NULL);
	size_t i;
	json_t *e;
	int r;

	if (expired == NULL)
		return -ENOMEM;
	/*
	 * Three columns streamed, not the rows as JSON: with backend none every
	 * bay waits in CREATE_IN_PROGRESS, and 10,000 full rows made a 20 MB
	 * transient heap on each pass that the process kept (bench/api).
	 */
	r = db_query(db, "SELECT uuid, create_timeout, created_at FROM clusters WHERE "
			 "status = 'CREATE_IN_PROGRESS'", DB_NOARGS, &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) > 0) {
		int64_t minutes = db_col_int(st, 1);
		time_t created = 0;

		if (minutes <= 0 || time_parse_iso(db_col_text(st, 2), &created) < 0 ||
		    now < created + minutes * 60 || db_col_text(st, 0) == NULL)
			continue;
		if (json_array_append_new(expired, json_pack("[s, I]", db_col_text(st, 0),
							     (json_int_t)minutes)) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	db_stmt_free(st);
	if (r < 0)
		return r;
	json_array_foreach(expired, i, e) {
		const char *uuid = json_string_value(json_array_get(e, 0));
		int64_t minutes = json_integer_value(json_array_get(e, 1));
		int64_t running = 0;
		char reason[256];

		/* A running job enforces its own deadline; only held/pending ones end here. */
		r = db_query_int(db, "SELECT COUNT(*) FROM jobs WHERE cluster_uuid = ? AND state = "
				     "'running'", DB_ARGS(DB_TEXT(uuid)), &running);
		if (r < 0 || running > 0)
			continue;
		snprintf(reason, sizeof(reason), "timeout: the create did not finish within its "
			 "create_timeout of %lld minutes", (long long)minutes);
		db_exec(db, "UPDATE jobs SET state = 'failed', last_error = ? WHERE cluster_uuid = ? "
			    "AND kind = 'create' AND state IN ('pending', 'held')",
			DB_ARGS(DB_TEXT(reason), DB_TEXT(uuid)));
		events_add(db, uuid, "failed", 100, reason);
		set_status(db, uuid, "CREATE_FAILED", reason, NULL);
		log_warn("bay %s: %s", uuid, reason);
	}
	return 0;
}
