/*
 * options.c - every configuration option of magnumd: section, key, type,
 * default and help. magnum.conf.sample and --help-config come from here.
 * Add new options at the end of their section's block.
 */
#include <stddef.h>

#include "common/conf.h"

const struct conf_option conf_options[] = {
	/* [DEFAULT] */
	{ "DEFAULT", "state_path", CONF_STR, "/var/lib/magnum",
	  "Directory holding the SQLite database, credentials and bay state" },
	{ "DEFAULT", "auth_strategy", CONF_STR, "builtin",
	  "Authentication: builtin (embedded Keystone v3 subset), keystone (validate tokens "
	  "against [keystone_authtoken] www_authenticate_uri) or noauth (X-User-Id/X-Project-Id/"
	  "X-Roles headers, loopback only)" },
	{ "DEFAULT", "host", CONF_STR, NULL,
	  "Name of this host in mservices (default: the machine's host name)" },
	{ "DEFAULT", "backend", CONF_STR, "local",
	  "Infrastructure backend for bays: local (namespaces on this host) or heat" },
	{ "DEFAULT", "service_down_time", CONF_INT, "180",
	  "Seconds without a heartbeat after which a service is reported down" },
	{ "DEFAULT", "periodic_interval", CONF_INT, "60",
	  "Seconds between conductor heartbeats and periodic status syncs" },
	{ "DEFAULT", "debug", CONF_BOOL, "false", "Log at debug level" },

	/* [api] */
	{ "api", "host", CONF_STR, "127.0.0.1", "Address the API listens on" },
	{ "api", "port", CONF_INT, "9511", "Port the API listens on" },
	{ "api", "workers", CONF_INT, "4", "Threads in the API's thread pool" },
	{ "api", "max_limit", CONF_INT, "1000", "Largest page size a list returns" },
	{ "api", "max_body_size", CONF_INT, "1048576", "Largest request body in bytes (413 above)" },
	{ "api", "public_url", CONF_STR, NULL,
	  "Base URL of this API in the service catalog (default http://<host>:<port>)" },

	/* [database] */
	{ "database", "connection", CONF_STR, NULL,
	  "sqlite:///PATH or postgresql://user:pass@host:port/db (default: sqlite under "
	  "state_path)" },
	{ "database", "auto_migrate", CONF_BOOL, "true",
	  "Apply schema migrations at start-up (the embedded default); otherwise run db-sync" },

	/* [keystone_authtoken] */
	{ "keystone_authtoken", "www_authenticate_uri", CONF_STR, NULL,
	  "Keystone v3 URL used to validate tokens with auth_strategy = keystone" },
	{ "keystone_authtoken", "auth_url", CONF_STR, NULL,
	  "Keystone URL for the service user (defaults to www_authenticate_uri)" },
	{ "keystone_authtoken", "username", CONF_STR, NULL, "Service user name" },
	{ "keystone_authtoken", "password", CONF_STR, NULL, "Service user password" },
	{ "keystone_authtoken", "project_name", CONF_STR, "service", "Service user's project" },
	{ "keystone_authtoken", "user_domain_name", CONF_STR, "Default", "Service user's domain" },
	{ "keystone_authtoken", "project_domain_name", CONF_STR, "Default",
	  "Service project's domain" },
	{ "keystone_authtoken", "token_cache_time", CONF_INT, "300",
	  "Seconds a validated token is cached" },
	{ "keystone_authtoken", "http_connect_timeout", CONF_INT, "5",
	  "Seconds to connect to Keystone (a validation call may take twice that in all)" },

	/* [builtin_auth] */
	{ "builtin_auth", "token_expiration", CONF_INT, "86400",
	  "Lifetime in seconds of tokens issued by the built-in identity service" },
	{ "builtin_auth", "admin_user", CONF_STR, "admin", "Name of the admin user made on first start" },
	{ "builtin_auth", "admin_project", CONF_STR, "admin", "Name of the admin project" },
	{ "builtin_auth", "region", CONF_STR, "RegionOne", "Region name in the service catalog" },

	/* [baymodel] / [cluster_template] */
	{ "baymodel", "kubernetes_allowed_network_drivers", CONF_LIST, "all",
	  "Network drivers allowed for kubernetes baymodels (all = every supported one)" },
	{ "baymodel", "swarm_allowed_network_drivers", CONF_LIST, "all",
	  "Network drivers allowed for swarm baymodels" },
	{ "baymodel", "mesos_allowed_network_drivers", CONF_LIST, "all",
	  "Network drivers allowed for mesos baymodels" },
	{ "baymodel", "kubernetes_default_network_driver", CONF_STR, "flannel",
	  "Default network driver for kubernetes" },
	{ "baymodel", "swarm_default_network_driver", CONF_STR, "docker",
	  "Default network driver for swarm" },
	{ "baymodel", "mesos_default_network_driver", CONF_STR, "docker",
	  "Default network driver for mesos" },

	/* [bay] */
	{ "bay", "bay_create_timeout", CONF_INT, "60",
	  "Minutes a bay create may take when the bay gives 0 or none" },
	{ "bay", "max_node_count", CONF_INT, "100", "Largest node_count or master_count accepted" },
	{ "bay", "max_labels", CONF_INT, "64", "Largest number of labels on a baymodel or bay" },

	/* [quotas] */
	{ "quotas", "max_clusters_per_project", CONF_INT, "20",
	  "Bays a project may have when it has no quota row" },

	/* [conductor] */
	{ "conductor", "workers", CONF_INT, "2", "Conductor worker threads" },
	{ "conductor", "lease_seconds", CONF_INT, "30",
	  "Seconds a claimed job's lease lasts before another conductor may take it over" },

	{ NULL, NULL, 0, NULL, NULL },
};
