/*
 * migrations.c - versioned schema migrations, applied in order inside one
 * transaction each. "@ID@" is the backend's integer primary key spelling.
 * Never edit a released migration: append a new one.
 */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strbuf.h"
#include "db/db_internal.h"

static const char *const migrations[] = {
	/* 1: the control plane: identity, templates, clusters, nodegroups, jobs. */
	"CREATE TABLE projects ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL DEFAULT 'default',"
	"  description TEXT, enabled INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,"
	"  UNIQUE (domain_id, name));"
	"CREATE TABLE users ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL, domain_id TEXT NOT NULL DEFAULT 'default',"
	"  password_hash TEXT NOT NULL, default_project_id TEXT, enabled INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL, UNIQUE (domain_id, name));"
	"CREATE TABLE role_assignments ("
	"  user_id TEXT NOT NULL, project_id TEXT NOT NULL, role TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, project_id, role));"
	"CREATE TABLE tokens ("
	"  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT, roles TEXT,"
	"  methods TEXT, issued_at TEXT NOT NULL, expires_at TEXT NOT NULL,"
	"  expires_epoch BIGINT NOT NULL);"
	"CREATE INDEX tokens_expiry ON tokens (expires_epoch);"
	"CREATE TABLE cluster_templates ("
	"  id @ID@, uuid TEXT NOT NULL UNIQUE, name TEXT, project_id TEXT, user_id TEXT,"
	"  coe TEXT, image_id TEXT, keypair_id TEXT, external_network_id TEXT, flavor_id TEXT,"
	"  master_flavor_id TEXT, dns_nameserver TEXT, fixed_network TEXT, fixed_subnet TEXT,"
	"  network_driver TEXT, volume_driver TEXT, apiserver_port INTEGER,"
	"  docker_volume_size INTEGER, docker_storage_driver TEXT, cluster_distro TEXT,"
	"  http_proxy TEXT, https_proxy TEXT, no_proxy TEXT, registry_enabled INTEGER,"
	"  insecure_registry TEXT, labels TEXT, tls_disabled INTEGER, public INTEGER,"
	"  hidden INTEGER, server_type TEXT, master_lb_enabled INTEGER,"
	"  floating_ip_enabled INTEGER, tags TEXT, driver TEXT,"
	"  created_at TEXT NOT NULL, updated_at TEXT);"
	"CREATE INDEX cluster_templates_project ON cluster_templates (project_id);"
	"CREATE INDEX cluster_templates_name ON cluster_templates (name);"
	"CREATE TABLE clusters ("
	"  id @ID@, uuid TEXT NOT NULL UNIQUE, name TEXT, project_id TEXT, user_id TEXT,"
	"  cluster_template_id TEXT NOT NULL, keypair TEXT, docker_volume_size INTEGER,"
	"  labels TEXT, master_flavor_id TEXT, flavor_id TEXT, create_timeout INTEGER,"
	"  discovery_url TEXT, status TEXT, status_reason TEXT, health_status TEXT,"
	"  health_status_reason TEXT, stack_id TEXT, api_address TEXT, coe_version TEXT,"
	"  container_version TEXT, fixed_network TEXT, fixed_subnet TEXT,"
	"  floating_ip_enabled INTEGER, master_lb_enabled INTEGER, ca_cert_ref TEXT,"
	"  magnum_cert_ref TEXT, etcd_ca_cert_ref TEXT, front_proxy_ca_cert_ref TEXT,"
	"  created_at TEXT NOT NULL, updated_at TEXT);"
	"CREATE INDEX clusters_project ON clusters (project_id);"
	"CREATE INDEX clusters_name ON clusters (name);"
	"CREATE INDEX clusters_template ON clusters (cluster_template_id);"
	"CREATE TABLE nodegroups ("
	"  id @ID@, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL, cluster_id TEXT NOT NULL,"
	"  project_id TEXT, docker_volume_size INTEGER, labels TEXT, flavor_id TEXT,"
	"  image_id TEXT, node_addresses TEXT, node_count INTEGER NOT NULL DEFAULT 1,"
	"  role TEXT NOT NULL, max_node_count INTEGER, min_node_count INTEGER NOT NULL DEFAULT 0,"
	"  is_default INTEGER NOT NULL DEFAULT 0, stack_id TEXT, status TEXT,"
	"  status_reason TEXT, version TEXT, node_labels TEXT, node_taints TEXT,"
	"  created_at TEXT NOT NULL, updated_at TEXT, UNIQUE (cluster_id, name));"
	"CREATE INDEX nodegroups_cluster ON nodegroups (cluster_id);"
	"CREATE TABLE jobs ("
	"  id @ID@, cluster_uuid TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,"
	"  payload TEXT, attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT,"
	"  lease_expires BIGINT, last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT);"
	"CREATE INDEX jobs_state ON jobs (state, id);"
	"CREATE INDEX jobs_cluster ON jobs (cluster_uuid);"
	"CREATE TABLE events ("
	"  id @ID@, cluster_uuid TEXT NOT NULL, step TEXT NOT NULL, progress INTEGER,"
	"  message TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX events_cluster ON events (cluster_uuid, id);"
	"CREATE TABLE mservices ("
	"  id @ID@, host TEXT NOT NULL, \"binary\" TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
	"  disabled_reason TEXT, last_seen_up TEXT, forced_down INTEGER NOT NULL DEFAULT 0,"
	"  report_count INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT,"
	"  UNIQUE (host, \"binary\"));"
	"CREATE TABLE quotas ("
	"  id @ID@, project_id TEXT NOT NULL, resource TEXT NOT NULL, hard_limit INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL, updated_at TEXT, UNIQUE (project_id, resource));"
	"CREATE TABLE images ("
	"  id TEXT PRIMARY KEY, name TEXT, os_distro TEXT, owner TEXT, visibility TEXT NOT NULL,"
	"  status TEXT NOT NULL, properties TEXT, disk_format TEXT, container_format TEXT,"
	"  size BIGINT, checksum TEXT, created_at TEXT NOT NULL, updated_at TEXT,"
	"  min_disk INTEGER NOT NULL DEFAULT 0, min_ram INTEGER NOT NULL DEFAULT 0,"
	"  protected INTEGER NOT NULL DEFAULT 0, tags TEXT, os_hash_value TEXT);"
	"CREATE INDEX images_name ON images (name);"
	"CREATE TABLE keypairs ("
	"  id @ID@, name TEXT NOT NULL, user_id TEXT NOT NULL, public_key TEXT NOT NULL,"
	"  fingerprint TEXT, type TEXT NOT NULL DEFAULT 'ssh', created_at TEXT NOT NULL,"
	"  UNIQUE (user_id, name));"
	"CREATE TABLE flavors ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, vcpus INTEGER NOT NULL,"
	"  ram INTEGER NOT NULL, disk INTEGER NOT NULL, is_public INTEGER NOT NULL DEFAULT 1,"
	"  created_at TEXT NOT NULL);"
	"INSERT INTO flavors VALUES ('1', 'm1.tiny', 1, 512, 1, 1, '1970-01-01T00:00:00+00:00');"
	"INSERT INTO flavors VALUES ('2', 'm1.small', 1, 2048, 20, 1, '1970-01-01T00:00:00+00:00');"
	"INSERT INTO flavors VALUES ('3', 'm1.medium', 2, 4096, 40, 1, '1970-01-01T00:00:00+00:00');"
	"INSERT INTO flavors VALUES ('4', 'm1.large', 4, 8192, 80, 1, '1970-01-01T00:00:00+00:00');"
	"INSERT INTO flavors VALUES ('5', 'm1.xlarge', 8, 16384, 160, 1, '1970-01-01T00:00:00+00:00');"
	"CREATE TABLE networks ("
	"  id TEXT PRIMARY KEY, name TEXT NOT NULL, router_external INTEGER NOT NULL DEFAULT 0,"
	"  cidr TEXT, created_at TEXT NOT NULL);"
	"INSERT INTO networks VALUES ('5c3f4ad6-6f5b-4b4e-9d2a-2f1c9e0b7a01', 'public', 1, NULL,"
	"  '1970-01-01T00:00:00+00:00');",
	/* 2: bay PKI inventory (x509keypairs), the resource ledger, job progress. */
	"CREATE TABLE x509keypairs ("
	"  uuid TEXT PRIMARY KEY, cluster_uuid TEXT NOT NULL, project_id TEXT, user_id TEXT,"
	"  kind TEXT NOT NULL, name TEXT NOT NULL, certificate TEXT NOT NULL, private_key TEXT,"
	"  ref TEXT, serial TEXT, not_after TEXT NOT NULL, created_at TEXT NOT NULL);"
	"CREATE INDEX x509keypairs_cluster ON x509keypairs (cluster_uuid, kind);"
	"CREATE INDEX x509keypairs_expiry ON x509keypairs (not_after);"
	"CREATE TABLE ledger ("
	"  id @ID@, cluster_uuid TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,"
	"  data TEXT, state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT);"
	"CREATE INDEX ledger_cluster ON ledger (cluster_uuid, id);"
	"ALTER TABLE jobs ADD COLUMN step TEXT;",
	/* 3: built-in tokens are stored as their SHA-256; those stored in clear are revoked. */
	"DELETE FROM tokens;",
	/* 4: generations of the listed tables (api/list_cache.c; triggers below, SQLite only). */
	"CREATE TABLE generations (name TEXT PRIMARY KEY, gen BIGINT NOT NULL);"
	"INSERT INTO generations VALUES ('cluster_templates', 0);"
	"INSERT INTO generations VALUES ('clusters', 0);",
};

#define GEN_TRIGGER(table, op, gen)							\
	"CREATE TRIGGER gen_" table "_" op " AFTER " op " ON " table " BEGIN "		\
	"UPDATE generations SET gen = gen + 1 WHERE name = '" gen "'; END;"

/*
 * Run after migrations[v] on SQLite only. Any write of the rows bumps their
 * generation in the same transaction. (A later migration that rebuilds one
 * of these tables must create its triggers again.)
 */
static const char *const sqlite_only[ARRAY_SIZE(migrations)] = {
	[3] = GEN_TRIGGER("cluster_templates", "INSERT", "cluster_templates")
	      GEN_TRIGGER("cluster_templates", "UPDATE", "cluster_templates")
	      GEN_TRIGGER("cluster_templates", "DELETE", "cluster_templates")
	      GEN_TRIGGER("clusters", "INSERT", "clusters")
	      GEN_TRIGGER("clusters", "UPDATE", "clusters")
	      GEN_TRIGGER("clusters", "DELETE", "clusters")
	      GEN_TRIGGER("nodegroups", "INSERT", "clusters")
	      GEN_TRIGGER("nodegroups", "UPDATE", "clusters")
	      GEN_TRIGGER("nodegroups", "DELETE", "clusters"),
};

int
db_schema_latest(void)
{
	return (int)ARRAY_SIZE(migrations);
}

int
db_schema_version(struct db *db)
{
	int64_t v = 0;
	int r;

	r = db_query_int(db, "SELECT MAX(version) FROM schema_version", DB_NOARGS, &v);
	if (r < 0)
		return 0;	/* no table yet */
	return (int)v;
}

static char *
migration_sql(struct db *db, const char *src)
{
	const char *id = db->kind == DB_SQLITE ? "INTEGER PRIMARY KEY AUTOINCREMENT" :
						 "BIGSERIAL PRIMARY KEY";
	struct strbuf sb = STRBUF_INIT;
	const char *p = src, *q;

	while ((q = strstr(p, "@ID@")) != NULL) {
		if (strbuf_append(&sb, p, (size_t)(q - p)) < 0 || strbuf_puts(&sb, id) < 0)
			goto oom;
		p = q + 4;
	}
	if (strbuf_puts(&sb, p) < 0)
		goto oom;
	return strbuf_steal(&sb);
oom:
	strbuf_free(&sb);
	return NULL;
}

int
db_migrate(struct db *db)
{
	int r, cur;

	r = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
		    DB_NOARGS);
	if (r < 0)
		return r;
	/* Serialise concurrent migrators (several magnumd on one PostgreSQL). */
	r = db_begin(db);
	if (r < 0)
		return r;
	if (db->kind == DB_POSTGRES) {
		r = db_exec(db, "LOCK TABLE schema_version IN EXCLUSIVE MODE", DB_NOARGS);
		if (r < 0)
			goto fail;
	}
	cur = db_schema_version(db);
	for (int v = cur; v < (int)ARRAY_SIZE(migrations); v++) {
		_cleanup_free_ char *sql = migration_sql(db, migrations[v]);

		if (sql == NULL) {
			r = -ENOMEM;
			goto fail;
		}
		r = db_exec(db, sql, DB_NOARGS);
		if (r >= 0 && db->kind == DB_SQLITE && sqlite_only[v])
			r = db_exec(db, sqlite_only[v], DB_NOARGS);
		if (r < 0)
			goto fail;
		r = db_exec(db, "INSERT INTO schema_version (version) VALUES (?)",
			    DB_ARGS(DB_INT(v + 1)));
		if (r < 0)
			goto fail;
	}
	r = db_commit(db);
	if (r < 0)
		return r;
	return (int)ARRAY_SIZE(migrations);
fail:
	db_rollback(db);
	return r;
}
