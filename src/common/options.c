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
	  "Infrastructure backend for bays: local (namespace nodes on this host, running "
	  "dockerd), or none (control plane only: a bay gets its CA, then waits for a backend "
	  "until its create_timeout)" },
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
	  "Public Keystone v3 URL with auth_strategy = keystone: named in the WWW-Authenticate "
	  "header of every 401 (Keystone uri=\"...\", as keystonemiddleware does) and used to "
	  "validate tokens (default: auth_url)" },
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

	/* [local] */
	{ "local", "prefix", CONF_STR, "mgc",
	  "Prefix of every kernel object name the local backend makes (1-5 characters)" },
	{ "local", "network_pool", CONF_STR, "10.250.0.0/16",
	  "IPv4 /16 from which each bay gets a /24 (gateway .1, nodes from .10)" },
	{ "local", "enable_egress", CONF_BOOL, "false",
	  "Let bay nodes reach the outside through NAT on this host (off: the host drops "
	  "anything a bay network sends beyond itself)" },
	{ "local", "swarm_address_pool", CONF_STR, "10.200.0.0/16",
	  "Address pool for swarm overlay networks (must not overlap network_pool)" },
	{ "local", "dockerd", CONF_STR, "/usr/sbin/dockerd", "dockerd binary run in each node" },
	{ "local", "busybox", CONF_STR, "/bin/busybox",
	  "Static busybox used to build the node service image (Debian's busybox-static)" },
	{ "local", "sshd", CONF_STR, "/usr/sbin/sshd",
	  "sshd run in each node for the bay's keypair (login as root; empty = no sshd)" },
	{ "local", "haproxy", CONF_STR, "/usr/sbin/haproxy",
	  "haproxy binary: the API load balancer of multi-master bays" },

	/* [x509] */
	{ "x509", "key_type", CONF_STR, "rsa",
	  "Key type of bay CAs and issued certificates: rsa or ec" },
	{ "x509", "rsa_key_size", CONF_INT, "2048", "RSA key size in bits (2048..8192)" },
	{ "x509", "term_of_validity", CONF_INT, "1825",
	  "Days a bay CA and the certificates it signs stay valid" },
	{ "x509", "max_term_of_validity", CONF_INT, "1825",
	  "Upper bound in days for any certificate this service issues" },
	{ "x509", "allow_ca", CONF_BOOL, "false", "Whether a signed CSR may ask for CA:TRUE" },
	{ "x509", "allowed_extensions", CONF_STR,
	  "keyUsage, extendedKeyUsage, subjectAltName, basicConstraints, subjectKeyIdentifier",
	  "Extensions kept from a CSR; a critical one not listed is refused" },
	{ "x509", "allowed_key_usage", CONF_STR,
	  "Digital Signature, Key Encipherment, Non Repudiation",
	  "Key usages kept from a CSR; a critical keyUsage asking for more is refused" },
	{ "x509", "min_rsa_key_size", CONF_INT, "2048", "Weakest RSA key a CSR may carry" },

	/* [certificates] */
	{ "certificates", "cert_manager_type", CONF_STR, "x509keypair",
	  "Where bay certificates and keys live: x509keypair (the database, keys encrypted with "
	  "state_path/master.key), local (files under storage_path, mode 0600) or barbican" },
	{ "certificates", "storage_path", CONF_STR, NULL,
	  "Directory of the local cert manager (default: state_path/certificates)" },
	{ "certificates", "barbican_url", CONF_STR, NULL,
	  "Barbican endpoint for cert_manager_type = barbican, e.g. http://127.0.0.1:9311 "
	  "(required; secrets go to the service user's project with auth_strategy = keystone, "
	  "else to project 'magnum' through Barbican's unauthenticated pipeline)" },
	{ "certificates", "renew_before_days", CONF_INT, "30",
	  "Re-issue node and service certificates this many days before they expire (0 = never)" },

	{ NULL, NULL, 0, NULL, NULL },
};
