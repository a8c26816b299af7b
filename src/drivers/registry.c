/*
 * registry.c - the drivers this build has, the per-backend refusals the API
 * answers before storing anything, and the bay_ctx helpers drivers use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/conf.h"
#include "common/util.h"
#include "drivers/driver.h"

extern const struct driver swarm_local_driver;

const struct driver *
driver_find(const char *backend, const char *coe)
{
	const struct driver *all[] = { &swarm_local_driver };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i] && streq(all[i]->backend, backend) && streq(all[i]->coe, coe))
			return all[i];
	return NULL;
}

const char *
driver_refusal(const char *coe, json_t *tmpl)
{
	const char *backend = conf_str("DEFAULT", "backend");
	const struct driver *d;

	if (streq(backend, "none"))
		return NULL;	/* control plane only: nothing is provisioned */
	if (streq(backend, "local") && coe && (streq(coe, "kubernetes") || streq(coe, "mesos")))
		return streq(coe, "kubernetes") ?
			"The local backend cannot run kubernetes bays: no Kubernetes server "
			"binaries (kube-apiserver, kubelet, ...) are installable from this "
			"platform's package registries. The heat backend serves kubernetes." :
			"The local backend cannot run mesos bays: no Mesos or Marathon binaries "
			"are installable from this platform's package registries. The heat "
			"backend serves mesos.";
	d = coe ? driver_find(backend, coe) : NULL;
	if (d == NULL)
		return "No driver for this COE on the configured backend ([DEFAULT] backend).";
	return d->refuse && tmpl ? d->refuse(tmpl) : NULL;
}

int
bay_progress(struct bay_ctx *ctx, const char *step, int pct, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ctx->step, sizeof(ctx->step), "%s", step);
	return ctx->on_progress ? ctx->on_progress(ctx, step, pct, msg) : 0;
}

int
bay_fail(struct bay_ctx *ctx, int r, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ctx->reason, sizeof(ctx->reason), "%s: %s", ctx->step[0] ? ctx->step : "driver",
		 msg);
	return r < 0 ? r : -EIO;
}

bool
bay_expired(const struct bay_ctx *ctx)
{
	return ctx->deadline && time(NULL) >= ctx->deadline;
}

static int
count_role(const struct bay_ctx *ctx, bool master)
{
	size_t i;
	json_t *g;
	int n = 0;

	json_array_foreach(ctx->groups, i, g) {
		const char *role = json_string_value(json_object_get(g, "role"));
		bool m = role && streq(role, "master");

		if (m == master)
			n += (int)json_integer_value(json_object_get(g, "node_count"));
	}
	return n;
}

int
bay_master_count(const struct bay_ctx *ctx)
{
	return count_role(ctx, true);
}

int
bay_node_count(const struct bay_ctx *ctx)
{
	return count_role(ctx, false);
}
