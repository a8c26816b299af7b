/*
 * engine_swarm.c - Engine API calls for the daemon and its swarm: info,
 * swarm init/join/leave and tokens, nodes (list, availability, removal, the
 * tasks still on a node).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/local/engine.h"
#include "backends/local/engine_internal.h"

#define SWARM_PORT	"2377"

char *
engine_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out, *p;

	out = p = malloc(3 * n + 1);
	if (out == NULL)
		return NULL;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

int
engine_get_string(struct engine *e, const char *what, json_t *j, char **ret)
{
	const char *s = json_string_value(j);
	char *copy;

	if (s == NULL || *s == '\0') {
		engine_set_error(e, "%s: no %s in the response", what, "string");
		return -EBADMSG;
	}
	copy = strdup(s);
	if (copy == NULL)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

int
engine_info(struct engine *e, json_t **ret)
{
	_cleanup_json_ json_t *j = NULL;
	int r;

	r = engine_call(e, "GET", "/info", NULL, NULL, &j);
	if (r < 0)
		return r;
	if (!json_is_object(j)) {
		engine_set_error(e, "GET /info: not an object");
		return -EBADMSG;
	}
	*ret = TAKE_PTR(j);
	return 0;
}

static bool
addr_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < 64 && strspn(s, "0123456789abcdefABCDEF.:[]/") == n;
}

int
engine_swarm_init(struct engine *e, const char *advertise_ip, const char *default_addr_pool,
		  unsigned subnet_size, char **ret_node_id)
{
	_cleanup_json_ json_t *body = NULL, *resp = NULL;
	char listen[96];
	int r;

	if (!addr_valid(advertise_ip) || (default_addr_pool && !addr_valid(default_addr_pool)) ||
	    subnet_size > 29)
		return -EINVAL;
	snprintf(listen, sizeof(listen), "%s:" SWARM_PORT, advertise_ip);
	body = json_pack("{s:s, s:s, s:b}", "ListenAddr", listen, "AdvertiseAddr", advertise_ip,
			 "ForceNewCluster", 0);
	if (body == NULL)
		return -ENOMEM;
	if (default_addr_pool &&
	    (json_object_set_new(body, "DefaultAddrPool", json_pack("[s]", default_addr_pool)) ||
	     json_object_set_new(body, "SubnetSize", json_integer(subnet_size ? subnet_size : 24))))
		return -ENOMEM;
	r = engine_call_timeout(e, "POST", "/swarm/init", body, ENGINE_JOIN_TIMEOUT_MS, NULL,
				&resp);
	if (r < 0)
		return r;
	return engine_get_string(e, "POST /swarm/init", resp, ret_node_id);
}

int
engine_swarm_tokens(struct engine *e, char **ret_worker, char **ret_manager)
{
	_cleanup_json_ json_t *j = NULL;
	_cleanup_free_ char *w = NULL, *m = NULL;
	json_t *tokens;
	int r;

	r = engine_call(e, "GET", "/swarm", NULL, NULL, &j);
	if (r < 0)
		return r;
	tokens = json_object_get(j, "JoinTokens");
	r = engine_get_string(e, "GET /swarm", json_object_get(tokens, "Worker"), &w);
	if (r < 0)
		return r;
	r = engine_get_string(e, "GET /swarm", json_object_get(tokens, "Manager"), &m);
	if (r < 0)
		return r;
	if (ret_worker)
		*ret_worker = TAKE_PTR(w);
	if (ret_manager)
		*ret_manager = TAKE_PTR(m);
	return 0;
}

int
engine_swarm_join(struct engine *e, const char *token, const char *advertise_ip,
		  const char *remote_ip_port)
{
	_cleanup_json_ json_t *body = NULL;
	char listen[96];

	if (token == NULL || *token == '\0' || strlen(token) > 256 || !addr_valid(advertise_ip) ||
	    !addr_valid(remote_ip_port))
		return -EINVAL;
	snprintf(listen, sizeof(listen), "%s:" SWARM_PORT, advertise_ip);
	body = json_pack("{s:s, s:s, s:[s], s:s}", "ListenAddr", listen, "AdvertiseAddr",
			 advertise_ip, "RemoteAddrs", remote_ip_port, "JoinToken", token);
	if (body == NULL)
		return -ENOMEM;
	return engine_call_timeout(e, "POST", "/swarm/join", body, ENGINE_JOIN_TIMEOUT_MS, NULL,
				   NULL);
}

int
engine_swarm_leave(struct engine *e, bool force)
{
	return engine_call(e, "POST", force ? "/swarm/leave?force=true" : "/swarm/leave", NULL,
			   NULL, NULL);
}

int
engine_node_id(struct engine *e, char **ret)
{
	_cleanup_json_ json_t *info = NULL;
	const char *id;
	char *copy;
	int r;

	r = engine_info(e, &info);
	if (r < 0)
		return r;
	id = json_string_value(json_object_get(json_object_get(info, "Swarm"), "NodeID"));
	if (id == NULL || *id == '\0') {
		engine_set_error(e, "GET /info: this node is not part of a swarm");
		return -ENOTCONN;
	}
	copy = strdup(id);
	if (copy == NULL)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

int
engine_nodes(struct engine *e, json_t **ret)
{
	_cleanup_json_ json_t *j = NULL;
	int r;

	r = engine_call(e, "GET", "/nodes", NULL, NULL, &j);
	if (r < 0)
		return r;
	if (!json_is_array(j)) {
		engine_set_error(e, "GET /nodes: not an array");
		return -EBADMSG;
	}
	*ret = TAKE_PTR(j);
	return 0;
}

int
engine_node_set_availability(struct engine *e, const char *node_id, const char *availability)
{
	_cleanup_json_ json_t *node = NULL;
	_cleanup_free_ char *id = NULL, *path = NULL;
	json_int_t version;
	json_t *spec;
	int r;

	if (node_id == NULL || *node_id == '\0' || availability == NULL ||
	    !(streq(availability, "active") || streq(availability, "pause") ||
	      streq(availability, "drain")))
		return -EINVAL;
	id = engine_escape(node_id);
	if (id == NULL || asprintf(&path, "/nodes/%s", id) < 0)
		return -ENOMEM;
	r = engine_call(e, "GET", path, NULL, NULL, &node);
	if (r < 0)
		return r;
	spec = json_object_get(node, "Spec");
	version = json_integer_value(json_object_get(json_object_get(node, "Version"), "Index"));
	if (!json_is_object(spec) || version <= 0) {
		engine_set_error(e, "GET /nodes/{id}: no Spec or Version");
		return -EBADMSG;
	}
	if (json_object_set_new(spec, "Availability", json_string(availability)) < 0)
		return -ENOMEM;
	free(path);
	path = NULL;
	if (asprintf(&path, "/nodes/%s/update?version=%lld", id, (long long)version) < 0)
		return -ENOMEM;
	return engine_call(e, "POST", path, spec, NULL, NULL);
}

int
engine_node_remove(struct engine *e, const char *node_id, bool force)
{
	_cleanup_free_ char *id = NULL, *path = NULL;

	if (node_id == NULL || *node_id == '\0')
		return -EINVAL;
	id = engine_escape(node_id);
	if (id == NULL || asprintf(&path, "/nodes/%s%s", id, force ? "?force=true" : "") < 0)
		return -ENOMEM;
	return engine_call(e, "DELETE", path, NULL, NULL, NULL);
}

/* GET /tasks with the filter object {key: [value]} (plus desired-state running if asked). */
int
engine_tasks(struct engine *e, const char *key, const char *value, bool desired_running,
	     json_t **ret)
{
	_cleanup_json_ json_t *filters = NULL, *tasks = NULL;
	_cleanup_free_ char *text = NULL, *esc = NULL, *path = NULL;
	int r;

	if (value == NULL || *value == '\0')
		return -EINVAL;
	filters = json_pack("{s:[s]}", key, value);
	if (filters == NULL)
		return -ENOMEM;
	if (desired_running &&
	    json_object_set_new(filters, "desired-state", json_pack("[s]", "running")) < 0)
		return -ENOMEM;
	text = json_dumps(filters, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return -ENOMEM;
	esc = engine_escape(text);
	if (esc == NULL || asprintf(&path, "/tasks?filters=%s", esc) < 0)
		return -ENOMEM;
	r = engine_call(e, "GET", path, NULL, NULL, &tasks);
	if (r < 0)
		return r;
	if (!json_is_array(tasks)) {
		engine_set_error(e, "GET /tasks: not an array");
		return -EBADMSG;
	}
	*ret = TAKE_PTR(tasks);
	return 0;
}

/* A task state before "complete": the task runs or is on its way to run. */
static bool
task_state_live(const char *state)
{
	static const char *const live[] = { "new",	 "allocated", "pending", "assigned",
					    "accepted", "preparing", "ready",	 "starting",
					    "running" };

	if (state == NULL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		if (streq(state, live[i]))
			return true;
	return false;
}

int
engine_node_tasks_running(struct engine *e, const char *node_id, int *ret_count)
{
	_cleanup_json_ json_t *tasks = NULL;
	json_t *t;
	size_t i;
	int r, n = 0;

	r = engine_tasks(e, "node", node_id, false, &tasks);
	if (r < 0)
		return r;
	json_array_foreach(tasks, i, t) {
		const char *state =
			json_string_value(json_object_get(json_object_get(t, "Status"), "State"));

		if (task_state_live(state))
			n++;
	}
	*ret_count = n;
	return 0;
}
