/*
 * driver.h - what a COE x backend driver implements, and what the conductor
 * gives it. Drivers never touch SQL: they read the rows handed to them, record
 * infrastructure through the ledger (db/ledger.h), report progress through
 * bay_progress(), and return -errno with a sentence in ctx->reason.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "db/db.h"

struct bay_ctx {
	struct db	*db;
	json_t		*cluster;	/* the clusters row (borrowed) */
	json_t		*tmpl;		/* its cluster_templates row (borrowed) */
	json_t		*groups;	/* its nodegroups rows (borrowed) */
	json_t		*payload;	/* the job's payload, may be NULL (borrowed) */
	json_t		*flavor;	/* the nodes' flavor row (ram, vcpus), may be NULL */
	json_t		*master_flavor;	/* the masters' flavor row, may be NULL */
	const char	*ssh_public_key; /* the bay keypair's public key, may be NULL */
	const char	*uuid;
	time_t		deadline;	/* 0 = none */
	char		step[64];	/* the step in progress (for status_reason) */
	char		reason[1024];	/* why the operation failed */
	/* Called by bay_progress(): records the event and renews the job lease. */
	int		(*on_progress)(struct bay_ctx *ctx, const char *step, int pct,
				       const char *msg);
	void		*priv;		/* the conductor's */
	/* Results a driver sets on success (NULL = unchanged). */
	json_t		*result;	/* object: api_address, master_addresses, node_addresses,
					 * coe_version, container_version, ... */
};

/* Record a step (and renew the lease): "network", 20, "bridge mgcbr3 up". */
int bay_progress(struct bay_ctx *ctx, const char *step, int pct, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fail: set ctx->reason to "<step>: <text>" and return r (a -errno). */
int bay_fail(struct bay_ctx *ctx, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True once the deadline has passed. */
bool bay_expired(const struct bay_ctx *ctx);

/* Node counts wanted, from the nodegroups (master role and the rest). */
int bay_master_count(const struct bay_ctx *ctx);
int bay_node_count(const struct bay_ctx *ctx);

struct driver {
	const char	*name;		/* "swarm_local" */
	const char	*backend;	/* "local" */
	const char	*coe;		/* "swarm" */
	int	(*create)(struct bay_ctx *ctx);		/* provision to the wanted counts */
	int	(*update)(struct bay_ctx *ctx);		/* converge to the wanted counts */
	int	(*remove)(struct bay_ctx *ctx);		/* converge to nothing (ledger walk) */
	int	(*reissue_certs)(struct bay_ctx *ctx);	/* new node certs under the current CA */
	int	(*sync)(struct bay_ctx *ctx);		/* after a restart: nodes up, status */
	/* Why a template cannot run on this driver (NULL = it can). */
	const char *(*refuse)(json_t *tmpl);
};

/* The driver for (backend, coe), or NULL. */
const struct driver *driver_find(const char *backend, const char *coe);

/*
 * Why a baymodel/bay with coe (and template row tmpl, may be NULL) cannot be
 * served by the configured backend, or NULL if it can. Used by the API to
 * answer 400 before anything is stored.
 */
const char *driver_refusal(const char *coe, json_t *tmpl);
