/* table.c - table descriptors and JSON <-> row mapping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/jwriter.h"
#include "common/strbuf.h"
#include "db/table.h"

#define T(n, c) { n, c, ARRAY_SIZE(c) }

static const struct db_column ct_cols[] = {
	{ "id", COL_INT }, { "uuid", COL_TEXT }, { "name", COL_TEXT },
	{ "project_id", COL_TEXT }, { "user_id", COL_TEXT }, { "coe", COL_TEXT },
	{ "image_id", COL_TEXT }, { "keypair_id", COL_TEXT }, { "external_network_id", COL_TEXT },
	{ "flavor_id", COL_TEXT }, { "master_flavor_id", COL_TEXT },
	{ "dns_nameserver", COL_TEXT }, { "fixed_network", COL_TEXT },
	{ "fixed_subnet", COL_TEXT }, { "network_driver", COL_TEXT },
	{ "volume_driver", COL_TEXT }, { "apiserver_port", COL_INT },
	{ "docker_volume_size", COL_INT }, { "docker_storage_driver", COL_TEXT },
	{ "cluster_distro", COL_TEXT }, { "http_proxy", COL_TEXT }, { "https_proxy", COL_TEXT },
	{ "no_proxy", COL_TEXT }, { "registry_enabled", COL_BOOL },
	{ "insecure_registry", COL_TEXT }, { "labels", COL_JSON }, { "tls_disabled", COL_BOOL },
	{ "public", COL_BOOL }, { "hidden", COL_BOOL }, { "server_type", COL_TEXT },
	{ "master_lb_enabled", COL_BOOL }, { "floating_ip_enabled", COL_BOOL },
	{ "tags", COL_TEXT }, { "driver", COL_TEXT }, { "created_at", COL_TEXT },
	{ "updated_at", COL_TEXT },
};
const struct db_table db_t_cluster_templates = T("cluster_templates", ct_cols);

static const struct db_column cl_cols[] = {
	{ "id", COL_INT }, { "uuid", COL_TEXT }, { "name", COL_TEXT },
	{ "project_id", COL_TEXT }, { "user_id", COL_TEXT }, { "cluster_template_id", COL_TEXT },
	{ "keypair", COL_TEXT }, { "docker_volume_size", COL_INT }, { "labels", COL_JSON },
	{ "master_flavor_id", COL_TEXT }, { "flavor_id", COL_TEXT },
	{ "create_timeout", COL_INT }, { "discovery_url", COL_TEXT }, { "status", COL_TEXT },
	{ "status_reason", COL_TEXT }, { "health_status", COL_TEXT },
	{ "health_status_reason", COL_JSON }, { "stack_id", COL_TEXT },
	{ "api_address", COL_TEXT }, { "coe_version", COL_TEXT },
	{ "container_version", COL_TEXT }, { "fixed_network", COL_TEXT },
	{ "fixed_subnet", COL_TEXT }, { "floating_ip_enabled", COL_BOOL },
	{ "master_lb_enabled", COL_BOOL }, { "ca_cert_ref", COL_TEXT },
	{ "magnum_cert_ref", COL_TEXT }, { "etcd_ca_cert_ref", COL_TEXT },
	{ "front_proxy_ca_cert_ref", COL_TEXT }, { "created_at", COL_TEXT },
	{ "updated_at", COL_TEXT },
	/* Computed by the cluster queries (db/clusters.c), never written. */
	{ "node_count", COL_INT }, { "master_count", COL_INT },
	{ "node_addresses", COL_JSON }, { "master_addresses", COL_JSON },
};
const struct db_table db_t_clusters = { "clusters", cl_cols, ARRAY_SIZE(cl_cols) - 4 };
/* Full descriptor including computed columns, for reading. */
const struct db_table db_t_clusters_read = T("clusters", cl_cols);

static const struct db_column ng_cols[] = {
	{ "id", COL_INT }, { "uuid", COL_TEXT }, { "name", COL_TEXT },
	{ "cluster_id", COL_TEXT }, { "project_id", COL_TEXT },
	{ "docker_volume_size", COL_INT }, { "labels", COL_JSON }, { "flavor_id", COL_TEXT },
	{ "image_id", COL_TEXT }, { "node_addresses", COL_JSON }, { "node_count", COL_INT },
	{ "role", COL_TEXT }, { "max_node_count", COL_INT }, { "min_node_count", COL_INT },
	{ "is_default", COL_BOOL }, { "stack_id", COL_TEXT }, { "status", COL_TEXT },
	{ "status_reason", COL_TEXT }, { "version", COL_TEXT }, { "node_labels", COL_JSON },
	{ "node_taints", COL_JSON }, { "created_at", COL_TEXT }, { "updated_at", COL_TEXT },
};
const struct db_table db_t_nodegroups = T("nodegroups", ng_cols);

static const struct db_column job_cols[] = {
	{ "id", COL_INT }, { "cluster_uuid", COL_TEXT }, { "kind", COL_TEXT },
	{ "state", COL_TEXT }, { "payload", COL_JSON }, { "attempts", COL_INT },
	{ "lease_owner", COL_TEXT }, { "lease_expires", COL_INT }, { "last_error", COL_TEXT },
	{ "created_at", COL_TEXT }, { "updated_at", COL_TEXT }, { "step", COL_TEXT },
};
const struct db_table db_t_jobs = T("jobs", job_cols);

static const struct db_column ev_cols[] = {
	{ "id", COL_INT }, { "cluster_uuid", COL_TEXT }, { "step", COL_TEXT },
	{ "progress", COL_INT }, { "message", COL_TEXT }, { "created_at", COL_TEXT },
};
const struct db_table db_t_events = T("events", ev_cols);

static const struct db_column x5_cols[] = {
	{ "uuid", COL_TEXT }, { "cluster_uuid", COL_TEXT }, { "project_id", COL_TEXT },
	{ "user_id", COL_TEXT }, { "kind", COL_TEXT }, { "name", COL_TEXT },
	{ "certificate", COL_TEXT }, { "private_key", COL_TEXT }, { "ref", COL_TEXT },
	{ "serial", COL_TEXT }, { "not_after", COL_TEXT }, { "created_at", COL_TEXT },
};
const struct db_table db_t_x509keypairs = T("x509keypairs", x5_cols);

static const struct db_column lg_cols[] = {
	{ "id", COL_INT }, { "cluster_uuid", COL_TEXT }, { "kind", COL_TEXT },
	{ "name", COL_TEXT }, { "data", COL_JSON }, { "state", COL_TEXT },
	{ "created_at", COL_TEXT }, { "updated_at", COL_TEXT },
};
const struct db_table db_t_ledger = T("ledger", lg_cols);

static const struct db_column ms_cols[] = {
	{ "id", COL_INT }, { "host", COL_TEXT }, { "binary", COL_TEXT },
	{ "disabled", COL_BOOL }, { "disabled_reason", COL_TEXT }, { "last_seen_up", COL_TEXT },
	{ "forced_down", COL_BOOL }, { "report_count", COL_INT }, { "created_at", COL_TEXT },
	{ "updated_at", COL_TEXT },
};
const struct db_table db_t_mservices = T("mservices", ms_cols);

static const struct db_column q_cols[] = {
	{ "id", COL_INT }, { "project_id", COL_TEXT }, { "resource", COL_TEXT },
	{ "hard_limit", COL_INT }, { "created_at", COL_TEXT }, { "updated_at", COL_TEXT },
};
const struct db_table db_t_quotas = T("quotas", q_cols);

static const struct db_column p_cols[] = {
	{ "id", COL_TEXT }, { "name", COL_TEXT }, { "domain_id", COL_TEXT },
	{ "description", COL_TEXT }, { "enabled", COL_BOOL }, { "created_at", COL_TEXT },
};
const struct db_table db_t_projects = T("projects", p_cols);

static const struct db_column u_cols[] = {
	{ "id", COL_TEXT }, { "name", COL_TEXT }, { "domain_id", COL_TEXT },
	{ "password_hash", COL_TEXT }, { "default_project_id", COL_TEXT },
	{ "enabled", COL_BOOL }, { "created_at", COL_TEXT },
};
const struct db_table db_t_users = T("users", u_cols);

static const struct db_column tok_cols[] = {
	{ "id", COL_TEXT }, { "user_id", COL_TEXT }, { "project_id", COL_TEXT },
	{ "roles", COL_JSON }, { "methods", COL_JSON }, { "issued_at", COL_TEXT },
	{ "expires_at", COL_TEXT }, { "expires_epoch", COL_INT },
};
const struct db_table db_t_tokens = T("tokens", tok_cols);

static const struct db_column img_cols[] = {
	{ "id", COL_TEXT }, { "name", COL_TEXT }, { "os_distro", COL_TEXT },
	{ "owner", COL_TEXT }, { "visibility", COL_TEXT }, { "status", COL_TEXT },
	{ "properties", COL_JSON }, { "disk_format", COL_TEXT },
	{ "container_format", COL_TEXT }, { "size", COL_INT }, { "checksum", COL_TEXT },
	{ "created_at", COL_TEXT }, { "updated_at", COL_TEXT }, { "min_disk", COL_INT },
	{ "min_ram", COL_INT }, { "protected", COL_BOOL }, { "tags", COL_JSON },
	{ "os_hash_value", COL_TEXT },
};
const struct db_table db_t_images = T("images", img_cols);

static const struct db_column kp_cols[] = {
	{ "id", COL_INT }, { "name", COL_TEXT }, { "user_id", COL_TEXT },
	{ "public_key", COL_TEXT }, { "fingerprint", COL_TEXT }, { "type", COL_TEXT },
	{ "created_at", COL_TEXT },
};
const struct db_table db_t_keypairs = T("keypairs", kp_cols);

static const struct db_column fl_cols[] = {
	{ "id", COL_TEXT }, { "name", COL_TEXT }, { "vcpus", COL_INT }, { "ram", COL_INT },
	{ "disk", COL_INT }, { "is_public", COL_BOOL }, { "created_at", COL_TEXT },
};
const struct db_table db_t_flavors = T("flavors", fl_cols);

static const struct db_column net_cols[] = {
	{ "id", COL_TEXT }, { "name", COL_TEXT }, { "router_external", COL_BOOL },
	{ "cidr", COL_TEXT }, { "created_at", COL_TEXT },
};
const struct db_table db_t_networks = T("networks", net_cols);

const struct db_column *
db_table_column(const struct db_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (streq(t->cols[i].name, name))
			return &t->cols[i];
	return NULL;
}

/* Column descriptors of the statement's result columns (NULL = not in t). */
static void
column_map(const struct db_table *t, struct db_stmt *st, const struct db_column **map, int n)
{
	for (int i = 0; i < n; i++)
		map[i] = db_table_column(t, db_col_name(st, i));
}

static json_t *
row_to_json(struct db_stmt *st, const struct db_column *const *map, int n)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		const char *name = db_col_name(st, i);
		const struct db_column *c = map[i];
		const char *txt;
		json_t *v;

		if (db_col_null(st, i)) {
			v = json_null();
		} else if (c == NULL || c->type == COL_TEXT) {
			txt = db_col_text(st, i);
			v = json_string(txt ? txt : "");
		} else if (c->type == COL_INT) {
			v = json_integer(db_col_int(st, i));
		} else if (c->type == COL_BOOL) {
			v = json_boolean(db_col_int(st, i) != 0);
		} else {
			txt = db_col_text(st, i);
			v = txt ? json_loads(txt, JSON_DECODE_ANY, NULL) : NULL;
			if (v == NULL)
				v = json_null();
		}
		if (v == NULL || json_object_set_new(o, name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *
db_row_to_json(const struct db_table *t, struct db_stmt *st)
{
	const struct db_column *map[128];
	int n = db_col_count(st);

	if (n > 128)
		return NULL;
	column_map(t, st, map, n);
	return row_to_json(st, map, n);
}

/* Bind one JSON value as the column's storage type; *ret_owned gets any allocation. */
static int
bind_value(const struct db_column *c, json_t *v, struct db_param *p, char **ret_owned)
{
	*ret_owned = NULL;
	if (v == NULL || json_is_null(v)) {
		*p = DB_NULLP;
		return 0;
	}
	switch (c->type) {
	case COL_TEXT:
		if (json_is_string(v)) {
			*p = DB_TEXT(json_string_value(v));
			return 0;
		}
		if (json_is_integer(v)) {
			if (asprintf(ret_owned, "%lld", (long long)json_integer_value(v)) < 0)
				return -ENOMEM;
			*p = DB_TEXT(*ret_owned);
			return 0;
		}
		return -EINVAL;
	case COL_INT:
		if (!json_is_integer(v))
			return -EINVAL;
		*p = DB_INT(json_integer_value(v));
		return 0;
	case COL_BOOL:
		if (!json_is_boolean(v))
			return -EINVAL;
		*p = DB_INT(json_is_true(v) ? 1 : 0);
		return 0;
	case COL_JSON:
		*ret_owned = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (*ret_owned == NULL)
			return -ENOMEM;
		*p = DB_TEXT(*ret_owned);
		return 0;
	}
	return -EINVAL;
}

int
db_row_insert(struct db *db, const struct db_table *t, json_t *obj, int64_t *ret_id)
{
	struct strbuf cols = STRBUF_INIT, qs = STRBUF_INIT, sql = STRBUF_INIT;
	struct db_param params[64];
	char *owned[64];
	size_t n = 0;
	bool int_id = t->cols[0].type == COL_INT && streq(t->cols[0].name, "id");
	int r = 0;

	for (size_t i = 0; i < t->ncols; i++) {
		json_t *v = json_object_get(obj, t->cols[i].name);

		if (v == NULL || (int_id && i == 0))
			continue;
		if (n == ARRAY_SIZE(params)) {
			r = -E2BIG;
			goto out;
		}
		r = bind_value(&t->cols[i], v, &params[n], &owned[n]);
		if (r < 0)
			goto out;
		n++;
		if (strbuf_printf(&cols, "%s\"%s\"", n > 1 ? ", " : "", t->cols[i].name) < 0 ||
		    strbuf_puts(&qs, n > 1 ? ", ?" : "?") < 0) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (strbuf_printf(&sql, "INSERT INTO %s (%s) VALUES (%s)%s", t->name, cols.buf ? cols.buf : "", qs.buf ? qs.buf : "",
			  int_id ? " RETURNING id" : "") < 0) {
		r = -ENOMEM;
		goto out;
	}
	if (int_id) {
		int64_t id = 0;
		r = db_query_int(db, sql.buf, params, n, &id);
		if (r == 0 && ret_id)
			*ret_id = id;
	} else {
		r = db_exec(db, sql.buf, params, n);
		r = r < 0 ? r : 0;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	strbuf_free(&cols);
	strbuf_free(&qs);
	strbuf_free(&sql);
	return r;
}

int
db_row_update(struct db *db, const struct db_table *t, const char *key_col, const char *key,
	      json_t *changes)
{
	struct strbuf sql = STRBUF_INIT;
	struct db_param params[64];
	char *owned[64];
	size_t n = 0;
	int r = 0;

	if (strbuf_printf(&sql, "UPDATE %s SET ", t->name) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < t->ncols; i++) {
		json_t *v = json_object_get(changes, t->cols[i].name);

		if (v == NULL)
			continue;
		if (n == ARRAY_SIZE(params) - 1) {
			r = -E2BIG;
			goto out;
		}
		r = bind_value(&t->cols[i], v, &params[n], &owned[n]);
		if (r < 0)
			goto out;
		if (strbuf_printf(&sql, "%s\"%s\" = ?", n ? ", " : "", t->cols[i].name) < 0) {
			free(owned[n]);
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n == 0)
		goto out;
	if (strbuf_printf(&sql, " WHERE \"%s\" = ?", key_col) < 0) {
		r = -ENOMEM;
		goto out;
	}
	params[n] = DB_TEXT(key);
	owned[n] = NULL;
	r = db_exec(db, sql.buf, params, n + 1);
	n++;
out:
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	strbuf_free(&sql);
	return r;
}

/* "SELECT t.*[, extra] FROM t [WHERE ..] [ORDER BY ..] [LIMIT n]" into sql. */
static int
select_sql(struct strbuf *sql, const struct db_table *t, const char *select_extra,
	   const char *where, const char *order_by, int64_t limit)
{
	int r = strbuf_printf(sql, "SELECT %s.*%s%s FROM %s", t->name, select_extra ? ", " : "",
			      select_extra ? select_extra : "", t->name);

	if (r == 0 && where)
		r = strbuf_printf(sql, " WHERE %s", where);
	if (r == 0 && order_by)
		r = strbuf_printf(sql, " ORDER BY %s", order_by);
	if (r == 0 && limit > 0)
		r = strbuf_printf(sql, " LIMIT %lld", (long long)limit);
	return r < 0 ? -ENOMEM : 0;
}

int
db_row_each(struct db *db, const struct db_table *t, const char *select_extra, const char *where,
	    const struct db_param *p, size_t n, const char *order_by, int64_t limit,
	    db_row_fn fn, void *ctx)
{
	struct strbuf sql = STRBUF_INIT;
	const struct db_column *map[128];
	struct db_rowv rv = { .map = map };
	int r = select_sql(&sql, t, select_extra, where, order_by, limit);

	if (r == 0)
		r = db_query(db, sql.buf, p, n, &rv.st);
	strbuf_free(&sql);
	if (r < 0)
		return r;
	while ((r = db_step(rv.st)) == 1) {
		if (rv.ncols == 0) {
			rv.ncols = db_col_count(rv.st);
			if (rv.ncols > (int)ARRAY_SIZE(map)) {
				r = -E2BIG;
				break;
			}
			column_map(t, rv.st, map, rv.ncols);
		}
		r = fn(&rv, ctx);
		if (r < 0)
			break;
	}
	db_stmt_free(rv.st);
	return r < 0 ? r : 0;
}

int
db_rowv_index(const struct db_rowv *rv, const char *name)
{
	for (int i = 0; i < rv->ncols; i++)
		if (streq(db_col_name(rv->st, i), name))
			return i;
	return -1;
}

const char *
db_rowv_text(const struct db_rowv *rv, int i)
{
	return i < 0 || db_col_null(rv->st, i) ? NULL : db_col_text(rv->st, i);
}

int
db_rowv_write(const struct db_rowv *rv, int i, struct strbuf *sb)
{
	const struct db_column *c = i < 0 ? NULL : rv->map[i];
	const char *txt;
	char num[24];
	int len;

	if (i < 0 || db_col_null(rv->st, i))
		return strbuf_append(sb, "null", 4);
	if (c == NULL || c->type == COL_TEXT) {
		txt = db_col_text(rv->st, i);
		return jw_string(sb, txt ? txt : "");
	}
	if (c->type == COL_INT) {
		len = snprintf(num, sizeof(num), "%lld", (long long)db_col_int(rv->st, i));
		return strbuf_append(sb, num, (size_t)len);
	}
	if (c->type == COL_BOOL)
		return db_col_int(rv->st, i) ? strbuf_append(sb, "true", 4) :
					       strbuf_append(sb, "false", 5);
	/* COL_JSON: the text db_row_insert/update stored (json_dumps, compact). */
	txt = db_col_text(rv->st, i);
	if (txt == NULL || *txt == '\0')
		return strbuf_append(sb, "null", 4);
	return strbuf_puts(sb, txt);
}

struct collect {
	json_t *rows;
};

static int
collect_row(const struct db_rowv *rv, void *ctx)
{
	struct collect *c = ctx;
	json_t *row = row_to_json(rv->st, rv->map, rv->ncols);

	if (row == NULL || json_array_append_new(c->rows, row) < 0)
		return -ENOMEM;
	return 0;
}

int
db_row_select(struct db *db, const struct db_table *t, const char *select_extra,
	      const char *where, const struct db_param *p, size_t n, const char *order_by,
	      int64_t limit, json_t **ret_rows)
{
	_cleanup_json_ json_t *rows = json_array();
	struct collect c = { .rows = rows };
	int r;

	if (rows == NULL)
		return -ENOMEM;
	r = db_row_each(db, t, select_extra, where, p, n, order_by, limit, collect_row, &c);
	if (r < 0)
		return r;
	*ret_rows = TAKE_PTR(rows);
	return 0;
}

int
db_row_get(struct db *db, const struct db_table *t, const char *select_extra, const char *where,
	   const struct db_param *p, size_t n, json_t **ret_row)
{
	_cleanup_json_ json_t *rows = NULL;
	int r;

	r = db_row_select(db, t, select_extra, where, p, n, NULL, 2, &rows);
	if (r < 0)
		return r;
	if (json_array_size(rows) == 0)
		return -ENOENT;
	*ret_row = json_incref(json_array_get(rows, 0));
	return 0;
}
