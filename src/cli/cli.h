/* cli.h - the magnum CLI: a session with the API and output helpers. */
#pragma once

#include <stdbool.h>
#include <jansson.h>

struct cli {
	char	*endpoint;	/* Magnum API base URL, no trailing '/' */
	char	*token;		/* X-Auth-Token */
	char	*api_version;	/* value for OpenStack-API-Version, or NULL */
	bool	json;		/* --json: print raw JSON */
	bool	debug;
	long	timeout_ms;
	void	*curl;
};

struct cli_response {
	long	status;
	json_t	*body;		/* parsed JSON or NULL */
	char	*raw;
	char	request_id[64];
};

/* Authenticate from --os-* options / OS_* environment; 0 or -1 (message printed). */
int cli_connect(struct cli *c);
/* One request; body may be NULL. Returns 0 when a response arrived (any status). */
int cli_request(struct cli *c, const char *method, const char *path, json_t *body,
		struct cli_response *ret);
void cli_response_free(struct cli_response *r);
/* Print the server's error like the python client; returns 1 (the exit code). */
int cli_print_error(const struct cli_response *r);

/* Output (output.c). */
void out_show(const struct cli *c, json_t *obj, const char *const *skip);
void out_list(const struct cli *c, json_t *items, const char *const *cols);
/* Python-style rendering of a value for tables: None -> "-", True, ['a'], {'k': 'v'}. */
char *out_value(json_t *v);

/* Commands (commands.c). */
struct cli_cmd {
	const char	*name;
	int		(*run)(struct cli *c, int argc, char **argv);
	const char	*usage;
};
extern const struct cli_cmd cli_cmds[];
