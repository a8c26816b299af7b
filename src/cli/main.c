/*
 * magnum - the command-line client: python-magnumclient's commands, options
 * and output, in C.
 *
 *   magnum [--json] [--debug] [--magnum-api-version V] [--bypass-url URL] <command> ...
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "cli/cli.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: magnum [--json] [--debug] [--magnum-api-version VER] [--bypass-url URL]\n"
		   "              [--timeout SECONDS] <command> [<args>]\n\ncommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-24s %s\n", c->name, c->usage);
	fprintf(f, "\nCredentials come from the OS_* environment (. admin-openrc.sh).\n");
}

int
main(int argc, char **argv)
{
	struct cli c = { .api_version = "latest", .timeout_ms = 60000 };
	const struct cli_cmd *cmd = NULL;
	int i, rc;

	if (getenv("MAGNUM_API_VERSION"))
		c.api_version = getenv("MAGNUM_API_VERSION");
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--json") == 0)
			c.json = true;
		else if (strcmp(argv[i], "--debug") == 0)
			c.debug = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (i + 1 < argc && strcmp(argv[i], "--magnum-api-version") == 0)
			c.api_version = argv[++i];
		else if (i + 1 < argc && (strcmp(argv[i], "--bypass-url") == 0 ||
					  strcmp(argv[i], "--magnum-url") == 0))
			c.endpoint = strdup(argv[++i]);
		else if (i + 1 < argc && strcmp(argv[i], "--timeout") == 0)
			c.timeout_ms = strtol(argv[++i], NULL, 10) * 1000;
		else if (i + 1 < argc && strncmp(argv[i], "--os-", 5) == 0) {
			/* --os-auth-url X -> OS_AUTH_URL=X */
			char name[128];
			size_t k;
			snprintf(name, sizeof(name), "OS_%s", argv[i] + 5);
			for (k = 0; name[k]; k++)
				name[k] = name[k] == '-' ? '_' : (char)toupper((unsigned char)name[k]);
			setenv(name, argv[++i], 1);
		} else {
			fprintf(stderr, "magnum: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (const struct cli_cmd *k = cli_cmds; k->name; k++)
		if (strcmp(k->name, argv[i]) == 0)
			cmd = k;
	if (cmd == NULL) {
		fprintf(stderr, "magnum: '%s' is not a magnum command. See 'magnum --help'.\n",
			argv[i]);
		return 2;
	}
	if (strcmp(c.api_version, "1") == 0)
		c.api_version = "1.1";
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cli_connect(&c) < 0 ? 1 : cmd->run(&c, argc - i, argv + i);
	if (c.curl)
		curl_easy_cleanup(c.curl);
	free(c.token);
	free(c.endpoint);
	curl_global_cleanup();
	return rc;
}
