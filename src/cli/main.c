/*
 * magnum - the command-line client: python-magnumclient's legacy `magnum`
 * shell (bay and cluster era commands, options, tables and exit codes) in C.
 *
 *   magnum [--json] [--debug] [--magnum-api-version V] [--bypass-url URL]
 *          [--os-* VALUE] [--insecure] [--timeout S] <command> [<args>]
 *
 * main.c: global options, the command table and dispatch.
 */
#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "cli/cli.h"
#include "common/cleanup.h"

const struct cli_cmd cli_cmds[] = {
	{ "baymodel-create", cmd_baymodel_create,
	  "[--name <name>] --image-id <image-id> --keypair-id <keypair-id> "
	  "--external-network-id <external-network-id> --coe <coe> [--fixed-network <fixed-network>] "
	  "[--fixed-subnet <fixed-subnet>] [--network-driver <network-driver>] "
	  "[--volume-driver <volume-driver>] [--dns-nameserver <dns-nameserver>] "
	  "[--flavor-id <flavor-id>] [--master-flavor-id <master-flavor-id>] "
	  "[--docker-volume-size <docker-volume-size>] "
	  "[--docker-storage-driver <docker-storage-driver>] [--http-proxy <http-proxy>] "
	  "[--https-proxy <https-proxy>] [--no-proxy <no-proxy>] "
	  "[--labels <KEY1=VALUE1,KEY2=VALUE2;KEY3=VALUE3...>] [--tls-disabled] [--public] "
	  "[--registry-enabled] [--server-type <server-type>] [--master-lb-enabled]",
	  "Create a baymodel." },
	{ "baymodel-delete", cmd_baymodel_delete, "<baymodels> [<baymodels> ...]",
	  "Delete specified baymodel." },
	{ "baymodel-list", cmd_baymodel_list,
	  "[--limit <limit>] [--sort-key <sort-key>] [--sort-dir <sort-dir>] [--fields <fields>]",
	  "Print a list of baymodels." },
	{ "baymodel-show", cmd_baymodel_show, "<baymodel>", "Show details about the given baymodel." },
	{ "baymodel-update", cmd_baymodel_update, "<baymodel> <op> <attribute> [<attribute> ...]",
	  "Updates one or more baymodel attributes." },
	{ "bay-create", cmd_bay_create,
	  "[--name <name>] --baymodel <baymodel> [--node-count <node-count>] "
	  "[--master-count <master-count>] [--discovery-url <discovery-url>] "
	  "[--timeout <timeout>] [--wait] [--poll-interval <seconds>] [--wait-timeout <seconds>]",
	  "Create a bay." },
	{ "bay-delete", cmd_bay_delete, "<bay> [<bay> ...]", "Delete specified bay." },
	{ "bay-list", cmd_bay_list,
	  "[--marker <marker>] [--limit <limit>] [--sort-key <sort-key>] [--sort-dir <sort-dir>] "
	  "[--fields <fields>]",
	  "Print a list of available bays." },
	{ "bay-show", cmd_bay_show, "[--long] <bay>", "Show details about the given bay." },
	{ "bay-update", cmd_bay_update, "<bay> <op> <attribute> [<attribute> ...]",
	  "Update information about the given bay." },
	{ "bay-config", cmd_bay_config, "[--dir <dir>] [--force] <bay>",
	  "Configure native client to access bay." },
	{ "ca-show", cmd_ca_show, "(--bay <bay> | --cluster <cluster>)",
	  "Show details about the CA certificate for a bay or cluster." },
	{ "ca-sign", cmd_ca_sign, "[--csr <csr>] (--bay <bay> | --cluster <cluster>)",
	  "Generate the CA certificate for a bay or cluster." },
	{ "ca-rotate", cmd_ca_rotate, "--cluster <cluster>",
	  "Rotate the CA certificate for a cluster to revoke access." },
	{ "certificate-list", cmd_certificate_list,
	  "[--expires-within <days>] [--bay <bay> | --cluster <cluster>]",
	  "List bay certificates with their expiry dates, soonest first." },
	{ "service-list", cmd_service_list, "", "Print a list of magnum services." },
	{ "stats-list", cmd_stats_list, "[--project-id <project-id>] [<project-id>]",
	  "Show stats for the given project_id." },
	{ "cluster-template-create", cmd_ct_create,
	  "[--name <name>] --image <image> [--keypair <keypair>] "
	  "--external-network <external-network> --coe <coe> [--fixed-network <fixed-network>] "
	  "[--fixed-subnet <fixed-subnet>] [--network-driver <network-driver>] "
	  "[--volume-driver <volume-driver>] [--dns-nameserver <dns-nameserver>] "
	  "[--flavor <flavor>] [--master-flavor <master-flavor>] "
	  "[--docker-volume-size <docker-volume-size>] "
	  "[--docker-storage-driver <docker-storage-driver>] [--http-proxy <http-proxy>] "
	  "[--https-proxy <https-proxy>] [--no-proxy <no-proxy>] "
	  "[--labels <KEY1=VALUE1,KEY2=VALUE2;KEY3=VALUE3...>] [--tls-disabled] [--public] "
	  "[--registry-enabled] [--server-type <server-type>] [--master-lb-enabled] "
	  "[--floating-ip-enabled] [--floating-ip-disabled] [--insecure-registry <url>] "
	  "[--hidden] [<name>]",
	  "Create a cluster template." },
	{ "cluster-template-delete", cmd_ct_delete,
	  "<cluster_templates> [<cluster_templates> ...]", "Delete specified cluster template." },
	{ "cluster-template-list", cmd_ct_list,
	  "[--limit <limit>] [--sort-key <sort-key>] [--sort-dir <sort-dir>] [--fields <fields>]",
	  "Print a list of cluster templates." },
	{ "cluster-template-show", cmd_ct_show, "<cluster_template>",
	  "Show details about the given cluster template." },
	{ "cluster-template-update", cmd_ct_update,
	  "<cluster_template> <op> <attribute> [<attribute> ...]",
	  "Updates one or more cluster template attributes." },
	{ "cluster-create", cmd_cluster_create,
	  "[--name <name>] --cluster-template <cluster_template> [--keypair <keypair>] "
	  "[--docker-volume-size <docker-volume-size>] "
	  "[--labels <KEY1=VALUE1,KEY2=VALUE2;KEY3=VALUE3...>] [--node-count <node-count>] "
	  "[--master-count <master-count>] [--discovery-url <discovery-url>] "
	  "[--timeout <timeout>] [--master-flavor <master-flavor>] [--flavor <flavor>] "
	  "[--fixed-network <fixed-network>] [--fixed-subnet <fixed-subnet>] "
	  "[--floating-ip-enabled] [--floating-ip-disabled] [--master-lb-enabled] "
	  "[--merge-labels] [--wait] [--poll-interval <seconds>] [--wait-timeout <seconds>] "
	  "[<name>]",
	  "Create a cluster." },
	{ "cluster-delete", cmd_cluster_delete, "<cluster> [<cluster> ...]",
	  "Delete specified cluster." },
	{ "cluster-list", cmd_cluster_list,
	  "[--marker <marker>] [--limit <limit>] [--sort-key <sort-key>] [--sort-dir <sort-dir>] "
	  "[--fields <fields>]",
	  "Print a list of available clusters." },
	{ "cluster-show", cmd_cluster_show, "[--long] <cluster>",
	  "Show details about the given cluster." },
	{ "cluster-update", cmd_cluster_update,
	  "[--rollback] <cluster> <op> <attribute> [<attribute> ...]",
	  "Update information about the given cluster." },
	{ "cluster-resize", cmd_cluster_resize,
	  "[--nodes-to-remove <server id>] [--nodegroup <nodegroup>] <cluster> <node-count>",
	  "Resize a cluster (node count of a nodegroup)." },
	{ "cluster-upgrade", cmd_cluster_upgrade,
	  "[--max-batch-size <max_batch_size>] [--nodegroup <nodegroup>] <cluster> "
	  "<cluster_template>",
	  "Upgrade a cluster to a new cluster template." },
	{ "cluster-config", cmd_cluster_config, "[--dir <dir>] [--force] <cluster>",
	  "Configure native client to access cluster." },
	{ "nodegroup-create", cmd_nodegroup_create,
	  "[--docker-volume-size <docker-volume-size>] "
	  "[--labels <KEY1=VALUE1,KEY2=VALUE2;KEY3=VALUE3...>] [--node-count <node-count>] "
	  "[--min-nodes <min-nodes>] [--max-nodes <max-nodes>] [--role <role>] "
	  "[--image <image>] [--flavor <flavor>] [--merge-labels] <cluster> <name>",
	  "Create a nodegroup." },
	{ "nodegroup-delete", cmd_nodegroup_delete, "<cluster> <nodegroup> [<nodegroup> ...]",
	  "Delete specified nodegroup." },
	{ "nodegroup-list", cmd_nodegroup_list,
	  "[--marker <marker>] [--limit <limit>] [--sort-key <sort-key>] [--sort-dir <sort-dir>] "
	  "[--role <role>] [--fields <fields>] <cluster>",
	  "Print a list of nodegroups of a cluster." },
	{ "nodegroup-show", cmd_nodegroup_show, "<cluster> <nodegroup>",
	  "Show details about the given nodegroup." },
	{ "nodegroup-update", cmd_nodegroup_update,
	  "<cluster> <nodegroup> <op> <attribute> [<attribute> ...]",
	  "Update information about the given nodegroup." },
	{ "quotas-create", cmd_quotas_create,
	  "--project-id <project-id> --resource <resource> [--hard-limit <hard-limit>]",
	  "Create a quota." },
	{ "quotas-delete", cmd_quotas_delete, "--project-id <project-id> --resource <resource>",
	  "Delete specified resource quota." },
	{ "quotas-list", cmd_quotas_list,
	  "[--marker <marker>] [--limit <limit>] [--sort-key <sort-key>] [--sort-dir <sort-dir>] "
	  "[--all-tenants]",
	  "Print a list of available quotas." },
	{ "quotas-show", cmd_quotas_show, "--project-id <project-id> --resource <resource>",
	  "Show details about the given project resource quota." },
	{ "quotas-update", cmd_quotas_update,
	  "--project-id <project-id> --resource <resource> [--hard-limit <hard-limit>]",
	  "Update information about the given project resource quota." },
	{ NULL, NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: magnum [--version] [--debug] [--json] [--os-auth-url <auth-url>]\n"
		"              [--os-username <username>] [--os-password <password>]\n"
		"              [--os-project-name <name>] [--os-project-id <id>]\n"
		"              [--os-user-domain-name <name>] [--os-project-domain-name <name>]\n"
		"              [--os-region-name <region>] [--os-token <token>]\n"
		"              [--os-cacert <ca-file>] [--insecure] [--endpoint-type <type>]\n"
		"              [--service-type <type>] [--bypass-url <url>]\n"
		"              [--magnum-api-version <version>] [--timeout <seconds>]\n"
		"              <subcommand> ...\n\nPositional arguments:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "    %-27s %s\n", c->name, c->help);
	fprintf(f, "    %-27s %s\n", "help", "Display help about this program or one of its "
		   "subcommands.");
	fprintf(f, "\nCredentials come from the OS_* environment, e.g. the admin-openrc.sh that "
		   "magnumd writes\ninto its state directory. See \"magnum help COMMAND\" for help "
		   "on a specific command.\n");
}

static const struct cli_cmd *
cmd_find(const char *name)
{
	for (const struct cli_cmd *k = cli_cmds; k->name; k++)
		if (streq(k->name, name))
			return k;
	return NULL;
}

static int
help(const char *name)
{
	const struct cli_cmd *k;

	if (name == NULL) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	k = cmd_find(name);
	if (k == NULL) {
		fprintf(stderr, "ERROR: '%s' is not a valid subcommand\n", name);
		return CLI_EXIT_ERROR;
	}
	printf("usage: magnum %s %s\n\n%s\n", k->name, k->usage, k->help);
	return CLI_EXIT_OK;
}

/* --os-project-name X -> OS_PROJECT_NAME=X */
static void
os_option_to_env(const char *opt, const char *value)
{
	char name[128];
	size_t k;

	if (streq(opt, "--os-auth-token"))
		opt = "--os-token";
	if (streq(opt, "--os-endpoint-type"))
		opt = "--os-interface";
	snprintf(name, sizeof(name), "OS_%s", opt + 5);
	for (k = 0; name[k]; k++)
		name[k] = name[k] == '-' ? '_' : (char)toupper((unsigned char)name[k]);
	setenv(name, value, 1);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* "latest", "1" or "1.1" -> 1.1, "N.M" as is; NULL when invalid. */
static const char *
api_version(const char *v)
{
	int major, minor, n = 0;

	if (streq(v, "latest"))
		return v;
	if (streq(v, "1"))
		return "1.1";
	if (sscanf(v, "%d.%d%n", &major, &minor, &n) == 2 && v[n] == '\0' && major >= 1 &&
	    minor >= 0)
		return v;
	return NULL;
}

/* Parse the global options; returns the index of the command or -exitcode. */
static int
parse_globals(struct cli *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		char *a = argv[i], *eq = strchr(a, '=');
		const char *val = NULL;

		if (eq && strncmp(a, "--", 2) == 0) {
			*eq = '\0';
			val = eq + 1;
		}
#define VALUE() (val ? val : (i + 1 < argc ? argv[++i] : NULL))
		if (streq(a, "--json"))
			c->json = true;
		else if (streq(a, "--debug") || streq(a, "-d"))
			c->debug = true;
		else if (streq(a, "--insecure"))
			c->insecure = true;
		else if (streq(a, "-h") || streq(a, "--help")) {
			usage(stdout);
			return -CLI_EXIT_OK - 100;
		} else if (streq(a, "--version")) {
			printf("magnum-c 1.0\n");
			return -CLI_EXIT_OK - 100;
		} else {
			const char *v = VALUE();

			if (v == NULL) {
				fprintf(stderr, "usage: magnum [options] <subcommand> ...\n"
						"magnum: error: argument %s: expected one "
						"argument\n", a);
				return -CLI_EXIT_USAGE;
			}
			if (streq(a, "--magnum-api-version"))
				c->api_version = v;
			else if (streq(a, "--bypass-url") || streq(a, "--magnum-url"))
				c->bypass_url = v;
			else if (streq(a, "--service-type"))
				c->service_type = v;
			else if (streq(a, "--endpoint-type") || streq(a, "--os-endpoint-type") ||
				 streq(a, "--os-interface"))
				c->interface = v;
			else if (streq(a, "--timeout")) {
				long long t;

				if (cli_parse_int(v, &t) < 0 || t <= 0 || t > 86400) {
					fprintf(stderr, "usage: magnum [options] <subcommand> ...\n"
							"magnum: error: argument --timeout: invalid "
							"value: '%s'\n", v);
					return -CLI_EXIT_USAGE;
				}
				c->timeout_ms = (long)t * 1000;
			} else if (strncmp(a, "--os-", 5) == 0 && strlen(a) > 5)
				os_option_to_env(a, v);
			else {
				fprintf(stderr, "usage: magnum [options] <subcommand> ...\n"
						"magnum: error: unrecognized arguments: %s\n", a);
				return -CLI_EXIT_USAGE;
			}
		}
#undef VALUE
	}
	return i;
}

int
main(int argc, char **argv)
{
	struct cli c = {
		.api_version = "latest",
		.service_type = "container-infra",
		.interface = "public",
		.timeout_ms = 600000,
	};
	const char *v;
	int i, rc;

	setlocale(LC_CTYPE, "");
	if (env("MAGNUM_API_VERSION"))
		c.api_version = env("MAGNUM_API_VERSION");
	c.bypass_url = env("MAGNUM_URL") ? env("MAGNUM_URL") : env("BYPASS_URL");
	if (env("OS_INTERFACE") || env("OS_ENDPOINT_TYPE"))
		c.interface = env("OS_INTERFACE") ? env("OS_INTERFACE") : env("OS_ENDPOINT_TYPE");
	if (env("OS_SERVICE_TYPE"))
		c.service_type = env("OS_SERVICE_TYPE");

	i = parse_globals(&c, argc, argv);
	if (i < 0)
		return i <= -100 ? CLI_EXIT_OK : -i;
	if (i >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (streq(argv[i], "help"))
		return help(i + 1 < argc ? argv[i + 1] : NULL);
	c.cmd = cmd_find(argv[i]);
	if (c.cmd == NULL) {
		fprintf(stderr, "usage: magnum [options] <subcommand> ...\n"
				"magnum: error: argument <subcommand>: invalid choice: '%s'\n"
				"Try 'magnum help' for a list of commands.\n", argv[i]);
		return CLI_EXIT_USAGE;
	}
	v = api_version(c.api_version);
	if (v == NULL) {
		fprintf(stderr, "ERROR: Invalid API version '%s': use \"latest\" or MAJOR.MINOR\n",
			c.api_version);
		return CLI_EXIT_USAGE;
	}
	c.api_version = v;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || cli_http_init(&c) < 0) {
		fprintf(stderr, "ERROR: cannot initialise libcurl\n");
		return CLI_EXIT_ERROR;
	}
	/*
	 * Commands parse their arguments before authenticating (usage errors
	 * exit 2 without a Keystone round trip): they call cli_auth() through
	 * the session helpers once the arguments are known good.
	 */
	rc = c.cmd->run(&c, argc - i, argv + i);
	cli_http_done(&c);
	curl_global_cleanup();
	return rc;
}
