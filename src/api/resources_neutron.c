/*
 * resources_neutron.c - the Neutron v2.0 subset of the embedded catalogue:
 * the (seeded, read-only) networks, filtered the way `openstack network list
 * --external` asks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/resources_internal.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/util.h"
#include "db/table.h"

/* {"NeutronError": {"type": T, "message": M, "detail": ""}}. */
static int __attribute__((format(printf, 4, 5)))
neutron_error(struct api_req *req, int status, const char *type, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return api_reply_internal(req, -ENOMEM, "formatting an error");
	return api_reply_json(req, status, json_pack("{s:{s:s, s:s, s:s}}", "NeutronError", "type",
						     type, "message", msg, "detail", ""));
}

static int
may_read(struct api_req *req, const char *rule)
{
	if (req->id.is_reader || req->id.is_admin)
		return 0;
	return neutron_error(req, 403, "PolicyNotAuthorized", "(rule:%s) is disallowed by policy",
			     rule), -EACCES;
}

/* Neutron's convert_to_boolean: true/false/1/0 in any case. */
static int
neutron_bool(const char *s, bool *ret)
{
	if (strcasecmp(s, "true") == 0 || streq(s, "1"))
		*ret = true;
	else if (strcasecmp(s, "false") == 0 || streq(s, "0"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static json_t *
network_view(json_t *row)
{
	const char *created = json_string_value(json_object_get(row, "created_at"));
	char ts[32];

	snprintf(ts, sizeof(ts), "%.19sZ", strempty(created));
	return json_pack("{s:O, s:O, s:O, s:s, s:b, s:[], s:s, s:s, s:b, s:s, s:i, s:[], s:[s],"
			 " s:n, s:n, s:b, s:[], s:s, s:s, s:i}",
			 "id", json_object_get(row, "id"), "name", json_object_get(row, "name"),
			 "router:external", json_object_get(row, "router_external"), "status",
			 "ACTIVE", "admin_state_up", 1, "subnets", "tenant_id", "", "project_id",
			 "", "shared", 0, "description", "", "mtu", 1500, "availability_zone_hints",
			 "availability_zones", "nova", "ipv4_address_scope", "ipv6_address_scope",
			 "port_security_enabled", 1, "tags", "created_at", ts, "updated_at", ts,
			 "revision_number", 1);
}

int
neutron_versions(struct api_req *req)
{
	char href[600];

	snprintf(href, sizeof(href), "%s/network/v2.0/", req->host_url);
	return api_reply_json(req, 200, json_pack("{s:[{s:s, s:s, s:[{s:s, s:s}]}]}", "versions",
						  "id", "v2.0", "status", "CURRENT", "links", "rel",
						  "self", "href", href));
}

int
neutron_extension_list(struct api_req *req)
{
	if (may_read(req, "get_extension") < 0)
		return 0;
	return api_reply_json(req, 200, json_pack(
		"{s:[{s:s, s:s, s:s, s:s, s:[]}]}", "extensions", "alias", "external-net", "name",
		"Neutron external network", "description",
		"Adds external network attribute to network resource.", "updated",
		"2013-01-14T10:00:00-00:00", "links"));
}

/* GET /v2.0/networks: filters router:external, name, id, shared, status. */
int
neutron_network_list(struct api_req *req)
{
	static const char *const bools[][2] = { { "router:external", "router_external" },
						 { "shared", NULL }, { "admin_state_up", NULL } };
	_cleanup_json_ json_t *rows = NULL;
	struct strbuf where = STRBUF_INIT;
	struct db_param p[4];
	size_t n = 0, i;
	json_t *items, *row;
	const char *s;
	int r;

	if (may_read(req, "get_network") < 0)
		return 0;
	strbuf_puts(&where, "1 = 1");
	for (i = 0; i < ARRAY_SIZE(bools); i++) {
		bool b;

		s = api_query(req, bools[i][0]);
		if (s == NULL)
			continue;
		if (neutron_bool(s, &b) < 0) {
			strbuf_free(&where);
			return neutron_error(req, 400, "InvalidInput", "Invalid input for "
					     "operation: '%s' cannot be converted to boolean.", s);
		}
		if (bools[i][1])
			strbuf_printf(&where, " AND %s = %d", bools[i][1], b ? 1 : 0);
		else if (b != streq(bools[i][0], "admin_state_up"))	/* never shared; up */
			strbuf_puts(&where, " AND 1 = 0");
	}
	if ((s = api_query(req, "name")) != NULL) {
		strbuf_puts(&where, " AND name = ?");
		p[n++] = DB_TEXT(s);
	}
	if ((s = api_query(req, "id")) != NULL) {
		strbuf_puts(&where, " AND id = ?");
		p[n++] = DB_TEXT(s);
	}
	if ((s = api_query(req, "status")) != NULL && !streq(s, "ACTIVE"))
		strbuf_puts(&where, " AND 1 = 0");
	if (where.buf == NULL)
		return api_reply_internal(req, -ENOMEM, "listing networks");
	r = db_row_select(req->db, &db_t_networks, NULL, where.buf, p, n, "name, id", 0, &rows);
	strbuf_free(&where);
	if (r < 0)
		return api_reply_internal(req, r, "listing networks");
	items = json_array();
	json_array_foreach(rows, i, row)
		json_array_append_new(items, network_view(row));
	return api_reply_json(req, 200, json_pack("{s:o}", "networks", items));
}

int
neutron_network_show(struct api_req *req)
{
	_cleanup_json_ json_t *row = NULL;
	int r;

	if (may_read(req, "get_network") < 0)
		return 0;
	r = db_row_get(req->db, &db_t_networks, NULL, "id = ?", DB_ARGS(DB_TEXT(req->params[0])),
		       &row);
	if (r == -ENOENT)
		return neutron_error(req, 404, "NetworkNotFound", "Network %s could not be found.",
				     req->params[0]);
	if (r < 0)
		return api_reply_internal(req, r, "network lookup");
	return api_reply_json(req, 200, json_pack("{s:o}", "network", network_view(row)));
}
