/*
 * cli.h - the magnum command-line client: one session with the API (http.c,
 * auth.c), argument parsing (args.c), output (output.c), shared resource
 * operations (resource.c) and the commands (cmd_*.c).
 *
 * Exit codes, as python-magnumclient: 0 success, 1 an API or client-side
 * error ("ERROR: ..." on stderr), 2 a usage error (argparse style).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define CLI_EXIT_OK	0
#define CLI_EXIT_ERROR	1
#define CLI_EXIT_USAGE	2

struct cli_cmd;

/* Global options and the authenticated session. */
struct cli {
	/* options */
	bool		json;		/* --json: print raw JSON responses */
	bool		debug;		/* --debug: requests and responses on stderr */
	bool		insecure;	/* --insecure: no TLS verification */
	const char	*api_version;	/* OpenStack-API-Version value ("latest", "1.1") */
	const char	*bypass_url;	/* --bypass-url/--magnum-url/MAGNUM_URL */
	const char	*service_type;	/* catalog type, default container-infra */
	const char	*interface;	/* public/internal/admin */
	long		timeout_ms;	/* per-request timeout */
	const struct cli_cmd *cmd;	/* the command being run (usage messages) */

	/* session */
	char		*endpoint;	/* Magnum API base URL, no trailing '/' or "/v1" */
	char		*token;		/* X-Auth-Token: never printed */
	void		*curl;		/* the one easy handle */
	bool		auth_failed;	/* cli_auth() failed once: do not retry */
};

struct cli_cmd {
	const char	*name;
	int		(*run)(struct cli *c, int argc, char **argv);
	const char	*usage;		/* arguments after the command name */
	const char	*help;		/* one line */
};

/* The command table (main.c), NULL-terminated. */
extern const struct cli_cmd cli_cmds[];

/* --- http.c --- */

struct cli_response {
	long	status;
	json_t	*body;		/* parsed JSON, or NULL */
	char	*raw;		/* the body as received ("" when empty) */
	char	request_id[128];
	char	subject_token[1024];	/* X-Subject-Token (auth only) */
};

/* Create the easy handle; 0 or -ENOMEM. */
int cli_http_init(struct cli *c);
/* Release the handle and the session's secrets. */
void cli_http_done(struct cli *c);
/*
 * One request to an absolute URL; with_token adds X-Auth-Token and the API
 * version header. Returns 0 when any HTTP response arrived (ret filled, free
 * with cli_response_free()), -EIO on a transport error (message printed).
 */
int cli_http(struct cli *c, const char *method, const char *url, json_t *body, bool with_token,
	     struct cli_response *ret);
/* A request to the Magnum API: path is "/v1/...". */
int cli_request(struct cli *c, const char *method, const char *path, json_t *body,
		struct cli_response *ret);
void cli_response_free(struct cli_response *r);
/* The message python-magnumclient shows for an error response (caller frees). */
char *cli_error_message(const struct cli_response *r);
/* Print "ERROR: <title> (HTTP n) (Request-ID: r)" on stderr; returns CLI_EXIT_ERROR. */
int cli_print_error(const struct cli_response *r);
/* Percent-encode a path segment or query value (caller frees; NULL on OOM). */
char *cli_escape(const char *s);

/* --- auth.c --- */

/* Authenticate from the OS_* environment; 0, or -errno with a message printed. */
int cli_auth(struct cli *c);

/* --- args.c --- */

enum cli_opt_kind {
	CLI_OPT_VALUE,		/* --name VALUE (last one wins) */
	CLI_OPT_FLAG,		/* --public */
	CLI_OPT_LIST,		/* --labels VALUE, repeatable */
};

struct cli_opt {
	const char		*names;		/* "--image|--image-id": first is canonical */
	enum cli_opt_kind	kind;
	const char		*def;		/* default value (VALUE only) */
	bool			required;
	const char		*metavar;	/* for usage; NULL: upper-cased name */
};

#define CLI_MAX_OPTS	48
#define CLI_MAX_POS	64

struct cli_args {
	const struct cli_opt	*opts;
	size_t			nopts;
	struct {
		const char	*value;
		const char	*list[CLI_MAX_POS];
		size_t		n;
		bool		given;
	} v[CLI_MAX_OPTS];
	char			*pos[CLI_MAX_POS];
	int			npos;
};

/*
 * Parse argv[1..] (argv[0] is the command) against opts (terminated by a
 * NULL names) and a positional count in [min_pos, max_pos] (max -1: any).
 * pos_names names the positionals for "required" messages. Returns 0, 1 when
 * help was printed (exit 0), or -EINVAL after printing an argparse-style
 * usage error (exit 2).
 */
int cli_args_parse(const struct cli *c, const struct cli_opt *opts, int min_pos, int max_pos,
		   const char *pos_names, int argc, char **argv, struct cli_args *ret);
/* The value of an option by canonical name (default when not given), or NULL. */
const char *cli_arg(const struct cli_args *a, const char *name);
bool cli_arg_flag(const struct cli_args *a, const char *name);
bool cli_arg_given(const struct cli_args *a, const char *name);
/* The values of a list option; *ret_n gets the count. */
const char *const *cli_arg_list(const struct cli_args *a, const char *name, size_t *ret_n);
/* Print an argparse-style usage error for the current command; returns CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "ERROR: <msg>" (a client-side CommandError); returns CLI_EXIT_ERROR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Labels as the client formats them: each item "k=v", an item holding more
 * than one '=' is split on ',' and ';'; a repeated key becomes a list.
 * Returns 0 and a new object, or -EINVAL with *ret_err set (caller frees).
 */
int cli_labels_parse(const char *const *items, size_t n, json_t **ret, char **ret_err);
/*
 * A JSON-Patch list from "op path=value..." as the client builds it: paths
 * get a leading '/', values are JSON-decoded when they parse and kept as
 * strings otherwise, /labels is sent as a Python-literal string, remove takes
 * only the path. Returns 0, or -EINVAL with *ret_err set (caller frees).
 */
int cli_patch_build(const char *op, const char *const *attrs, size_t n, json_t **ret,
		    char **ret_err);
/* Parse a whole integer; 0 or -EINVAL. */
int cli_parse_int(const char *s, long long *ret);

/* --- output.c --- */

/* Python's str() of a JSON value for a table cell: None -> "-", True, ['a'], {'k': 'v'}. */
char *cli_pyvalue(json_t *v);
/* Render a PrettyTable (left-aligned, one space padding); caller frees. */
char *cli_table_render(const char *const *header, size_t ncols, char *const *const *rows,
		       size_t nrows);
/* A Property/Value table of every field except "links", in server order; caller frees. */
char *cli_show_render(json_t *obj);
/* A column table of items (missing field: "", null: "-"); caller frees. */
char *cli_list_render(json_t *items, const char *const *cols, size_t ncols);
/* Print the raw JSON (indented) of a response body. */
void cli_print_json(json_t *body);
/* Print a show table, or the raw JSON with --json. */
void cli_print_show(const struct cli *c, json_t *obj);
/* Print a list table of body[key], or the raw JSON body with --json. */
void cli_print_list(const struct cli *c, json_t *body, const char *key,
		    const char *const *cols, size_t ncols);

/* --- resource.c: operations shared by the commands --- */

/* GET path: 0 and the response (caller frees), or CLI_EXIT_ERROR (error printed). */
int cli_get(struct cli *c, const char *path, struct cli_response *ret);
/* Send and check: like cli_get for any method (status >= 400 is an error). */
int cli_call(struct cli *c, const char *method, const char *path, json_t *body,
	     struct cli_response *ret);
/* GET /v1/<coll>/<ident> and print it. Returns an exit code. */
int cli_do_show(struct cli *c, const char *coll, const char *ident);
/* The uuid of /v1/<coll>/<ident> (caller frees): 0 or CLI_EXIT_ERROR. */
int cli_resolve_uuid(struct cli *c, const char *coll, const char *ident, char **ret_uuid);
/* GET /v1/<coll>?<list options> and print the columns (+ --fields). */
int cli_do_list(struct cli *c, const struct cli_args *a, const char *coll, const char *key,
		const char *const *cols, size_t ncols);
/* DELETE each ident; what is "bay", "cluster template", ... Returns an exit code. */
int cli_do_delete(struct cli *c, const char *coll, const char *what, char *const *idents,
		  int n);
/* PATCH coll/ident with "op path=value..."; show the result or print accepted. */
int cli_do_update(struct cli *c, const char *coll, const char *what, const char *ident,
		  const char *op, char *const *attrs, int n, bool accepted_msg, const char *query);
/*
 * Poll /v1/<coll>/<uuid> (and its events) until CREATE_COMPLETE (0) or a
 * failure (CLI_EXIT_ERROR); interval and limit in seconds.
 */
int cli_wait_create(struct cli *c, const char *coll, const char *what, const char *uuid,
		    long interval, long limit);
/* A request body field taken from an option. */
enum cli_field_type {
	CLI_F_STR,	/* string, null when unset */
	CLI_F_INT,	/* argparse type=int */
	CLI_F_BOOL,	/* a flag: true/false */
	CLI_F_LABELS,	/* --labels list -> object ({} when unset) */
};

struct cli_field {
	const char		*key;		/* JSON key */
	const char		*opt;		/* canonical option name */
	enum cli_field_type	type;
	bool			optional;	/* sent only when given (a flag: when set) */
};

/*
 * Build a body from a NULL-key-terminated field list, in that order.
 * Returns 0 and the object, or an exit code (usage error 2, bad labels 1)
 * with the message printed.
 */
int cli_body_build(const struct cli *c, const struct cli_args *a, const struct cli_field *f,
		   json_t **ret);
/* The positional name or --name (not both): 0, or CLI_EXIT_ERROR. */
int cli_name_arg(const struct cli_args *a, const char **ret);
/* Read a whole file (caller frees): 0 or -errno. */
int cli_read_file(const char *path, char **ret);
/* --marker, --limit, --sort-key, --sort-dir, --fields: the list commands' options. */
extern const struct cli_opt cli_list_opts[];

/* --- helpers in cmd_bay.c shared with cmd_cluster.c --- */

/* Check --poll-interval and --wait-timeout: 0 or CLI_EXIT_USAGE. */
int cli_wait_args(const struct cli *c, const struct cli_args *a, long *ret_interval,
		  long *ret_limit);
/*
 * Show /v1/<coll>/<ident>; with lng also the template's fields (GET
 * /v1/<tcoll>/<body[tkey]>) with their names prefixed. Returns an exit code.
 */
int cli_show_long(struct cli *c, const char *coll, const char *ident, bool lng,
		  const char *tcoll, const char *tkey, const char *prefix);

/* --- commands (cmd_*.c) --- */

int cmd_baymodel_create(struct cli *c, int argc, char **argv);
int cmd_baymodel_list(struct cli *c, int argc, char **argv);
int cmd_baymodel_show(struct cli *c, int argc, char **argv);
int cmd_baymodel_update(struct cli *c, int argc, char **argv);
int cmd_baymodel_delete(struct cli *c, int argc, char **argv);
int cmd_bay_create(struct cli *c, int argc, char **argv);
int cmd_bay_list(struct cli *c, int argc, char **argv);
int cmd_bay_show(struct cli *c, int argc, char **argv);
int cmd_bay_update(struct cli *c, int argc, char **argv);
int cmd_bay_delete(struct cli *c, int argc, char **argv);
int cmd_ct_create(struct cli *c, int argc, char **argv);
int cmd_ct_list(struct cli *c, int argc, char **argv);
int cmd_ct_show(struct cli *c, int argc, char **argv);
int cmd_ct_update(struct cli *c, int argc, char **argv);
int cmd_ct_delete(struct cli *c, int argc, char **argv);
int cmd_cluster_create(struct cli *c, int argc, char **argv);
int cmd_cluster_list(struct cli *c, int argc, char **argv);
int cmd_cluster_show(struct cli *c, int argc, char **argv);
int cmd_cluster_update(struct cli *c, int argc, char **argv);
int cmd_cluster_delete(struct cli *c, int argc, char **argv);
int cmd_cluster_resize(struct cli *c, int argc, char **argv);
int cmd_cluster_upgrade(struct cli *c, int argc, char **argv);
int cmd_nodegroup_create(struct cli *c, int argc, char **argv);
int cmd_nodegroup_list(struct cli *c, int argc, char **argv);
int cmd_nodegroup_show(struct cli *c, int argc, char **argv);
int cmd_nodegroup_update(struct cli *c, int argc, char **argv);
int cmd_nodegroup_delete(struct cli *c, int argc, char **argv);
int cmd_quotas_create(struct cli *c, int argc, char **argv);
int cmd_quotas_list(struct cli *c, int argc, char **argv);
int cmd_quotas_show(struct cli *c, int argc, char **argv);
int cmd_quotas_update(struct cli *c, int argc, char **argv);
int cmd_quotas_delete(struct cli *c, int argc, char **argv);
int cmd_ca_show(struct cli *c, int argc, char **argv);
int cmd_certificate_list(struct cli *c, int argc, char **argv);
int cmd_ca_sign(struct cli *c, int argc, char **argv);
int cmd_ca_rotate(struct cli *c, int argc, char **argv);
int cmd_service_list(struct cli *c, int argc, char **argv);
int cmd_stats_list(struct cli *c, int argc, char **argv);
int cmd_bay_config(struct cli *c, int argc, char **argv);
int cmd_cluster_config(struct cli *c, int argc, char **argv);
