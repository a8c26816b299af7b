/*
 * args.c - argparse-like option parsing for the commands, and the client-side
 * formats: labels ("k1=v1,k2=v2;k3=v3", repeatable) and JSON-Patch lists
 * ("op path=value ...").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_ERROR;
}

static void
print_usage(FILE *f, const struct cli *c)
{
	if (c->cmd)
		fprintf(f, "usage: magnum %s %s\n", c->cmd->name, c->cmd->usage);
}

int
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	print_usage(stderr, c);
	fprintf(stderr, "magnum %s: error: ", c->cmd ? c->cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

/* Does arg name one of the '|'-separated names exactly (len = name length)? */
static bool
names_match(const char *names, const char *arg, size_t len, bool prefix)
{
	const char *p = names;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (prefix ? (len <= n && strncmp(p, arg, len) == 0) :
			     (len == n && strncmp(p, arg, len) == 0))
			return true;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return false;
}

/* The canonical name's length (up to the first '|'). */
static size_t
canon_len(const char *names)
{
	const char *bar = strchr(names, '|');

	return bar ? (size_t)(bar - names) : strlen(names);
}

/* Find an option by exact name, then by unique prefix (argparse abbreviations). */
static int
find_opt(const struct cli *c, const struct cli_opt *opts, size_t nopts, const char *arg,
	 size_t len)
{
	int found = -1;

	for (size_t i = 0; i < nopts; i++)
		if (names_match(opts[i].names, arg, len, false))
			return (int)i;
	for (size_t i = 0; i < nopts; i++) {
		if (!names_match(opts[i].names, arg, len, true))
			continue;
		if (found >= 0) {
			cli_usage_error(c, "ambiguous option: %.*s", (int)len, arg);
			return -2;
		}
		found = (int)i;
	}
	return found;
}

static bool
is_option(const char *s)
{
	/* "-" alone and negative numbers are values, as in argparse. */
	return s[0] == '-' && s[1] != '\0' && !isdigit((unsigned char)s[1]);
}

int
cli_args_parse(const struct cli *c, const struct cli_opt *opts, int min_pos, int max_pos,
	       const char *pos_names, int argc, char **argv, struct cli_args *ret)
{
	struct cli_args a;
	bool only_pos = false;
	size_t nopts = 0;

	memset(&a, 0, sizeof(a));
	while (opts && opts[nopts].names)
		nopts++;
	if (nopts > CLI_MAX_OPTS)
		return -EINVAL;
	a.opts = opts;
	a.nopts = nopts;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *val = NULL;
		size_t len;
		int k;

		if (only_pos || !is_option(arg)) {
			if (a.npos >= CLI_MAX_POS)
				return cli_usage_error(c, "too many arguments"), -EINVAL;
			a.pos[a.npos++] = argv[i];
			continue;
		}
		if (streq(arg, "--")) {
			only_pos = true;
			continue;
		}
		if (streq(arg, "-h") || streq(arg, "--help")) {
			print_usage(stdout, c);
			if (c->cmd)
				printf("\n%s\n", c->cmd->help);
			return 1;
		}
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		k = find_opt(c, opts, nopts, arg, len);
		if (k == -2)
			return -EINVAL;
		if (k < 0) {
			cli_usage_error(c, "unrecognized arguments: %s", arg);
			return -EINVAL;
		}
		if (opts[k].kind == CLI_OPT_FLAG) {
			if (eq) {
				cli_usage_error(c, "argument %.*s: ignored explicit argument '%s'",
						(int)canon_len(opts[k].names), opts[k].names,
						eq + 1);
				return -EINVAL;
			}
			a.v[k].given = true;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc && !is_option(argv[i + 1]))
			val = argv[++i];
		if (val == NULL) {
			cli_usage_error(c, "argument %.*s: expected one argument",
					(int)canon_len(opts[k].names), opts[k].names);
			return -EINVAL;
		}
		a.v[k].given = true;
		a.v[k].value = val;
		if (opts[k].kind == CLI_OPT_LIST && a.v[k].n < CLI_MAX_POS)
			a.v[k].list[a.v[k].n++] = val;
	}

	/* argparse names every missing required argument in one message. */
	{
		struct strbuf miss = STRBUF_INIT;
		int r = 0;

		for (size_t k = 0; k < nopts; k++)
			if (opts[k].required && !a.v[k].given)
				strbuf_printf(&miss, "%s%.*s", miss.len ? ", " : "",
					      (int)canon_len(opts[k].names), opts[k].names);
		if (a.npos < min_pos && pos_names)
			strbuf_printf(&miss, "%s%s", miss.len ? ", " : "", pos_names);
		if (miss.len) {
			cli_usage_error(c, "the following arguments are required: %s", miss.buf);
			r = -EINVAL;
		} else if (a.npos < min_pos) {
			cli_usage_error(c, "too few arguments");
			r = -EINVAL;
		} else if (max_pos >= 0 && a.npos > max_pos) {
			cli_usage_error(c, "unrecognized arguments: %s", a.pos[max_pos]);
			r = -EINVAL;
		}
		strbuf_free(&miss);
		if (r < 0)
			return r;
	}
	*ret = a;
	return 0;
}

static int
opt_index(const struct cli_args *a, const char *name)
{
	for (size_t i = 0; i < a->nopts; i++)
		if (canon_len(a->opts[i].names) == strlen(name) &&
		    strncmp(a->opts[i].names, name, strlen(name)) == 0)
			return (int)i;
	return -1;
}

const char *
cli_arg(const struct cli_args *a, const char *name)
{
	int i = opt_index(a, name);

	if (i < 0)
		return NULL;
	return a->v[i].given ? a->v[i].value : a->opts[i].def;
}

bool
cli_arg_flag(const struct cli_args *a, const char *name)
{
	int i = opt_index(a, name);

	return i >= 0 && a->v[i].given;
}

bool
cli_arg_given(const struct cli_args *a, const char *name)
{
	return cli_arg_flag(a, name);
}

const char *const *
cli_arg_list(const struct cli_args *a, const char *name, size_t *ret_n)
{
	int i = opt_index(a, name);

	*ret_n = i >= 0 ? a->v[i].n : 0;
	return i >= 0 ? a->v[i].list : NULL;
}

int
cli_parse_int(const char *s, long long *ret)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

static int
count_char(const char *s, char ch)
{
	int n = 0;

	for (; *s; s++)
		n += *s == ch;
	return n;
}

/* Add k=v; a repeated key turns the value into a list. */
static int
labels_add(json_t *o, const char *item, char **ret_err)
{
	const char *eq = strchr(item, '=');
	_cleanup_free_ char *k = NULL;
	json_t *old;

	if (eq == NULL) {
		if (asprintf(ret_err, "labels must be a list of KEY=VALUE not %s", item) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	k = strndup(item, (size_t)(eq - item));
	if (k == NULL)
		return -ENOMEM;
	old = json_object_get(o, k);
	if (old == NULL)
		return json_object_set_new(o, k, json_string(eq + 1)) < 0 ? -ENOMEM : 0;
	if (!json_is_array(old)) {
		json_t *l = json_pack("[O]", old);

		if (l == NULL || json_object_set_new(o, k, l) < 0)
			return -ENOMEM;
		old = l;
	}
	return json_array_append_new(old, json_string(eq + 1)) < 0 ? -ENOMEM : 0;
}

int
cli_labels_parse(const char *const *items, size_t n, json_t **ret, char **ret_err)
{
	_cleanup_json_ json_t *o = json_object();
	int r;

	if (o == NULL)
		return -ENOMEM;
	*ret_err = NULL;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *copy = NULL;
		char *p, *sep;

		if (count_char(items[i], '=') <= 1) {
			r = labels_add(o, items[i], ret_err);
			if (r < 0)
				return r;
			continue;
		}
		copy = strdup(items[i]);
		if (copy == NULL)
			return -ENOMEM;
		for (p = copy;; p = sep + 1) {
			sep = strpbrk(p, ",;");
			if (sep)
				*sep = '\0';
			r = labels_add(o, p, ret_err);
			if (r < 0)
				return r;
			if (sep == NULL)
				break;
		}
	}
	*ret = TAKE_PTR(o);
	return 0;
}

/* The /labels patch value: the labels as a Python dict literal. */
static json_t *
labels_patch_value(const char *text, json_t *decoded, char **ret_err)
{
	_cleanup_json_ json_t *l = NULL;
	_cleanup_free_ char *s = NULL;
	const char *src = json_is_string(decoded) ? json_string_value(decoded) : text;

	if (cli_labels_parse(&src, 1, &l, ret_err) < 0)
		return NULL;
	s = cli_pyvalue(l);
	return s ? json_string(s) : NULL;
}

int
cli_patch_build(const char *op, const char *const *attrs, size_t n, json_t **ret, char **ret_err)
{
	_cleanup_json_ json_t *ops = json_array();

	*ret_err = NULL;
	if (ops == NULL)
		return -ENOMEM;
	if (!streq(op, "add") && !streq(op, "replace") && !streq(op, "remove")) {
		if (asprintf(ret_err, "Unknown PATCH operation: %s", op) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *attr = NULL, *path = NULL;
		_cleanup_json_ json_t *value = NULL;
		const char *eq;

		if (asprintf(&attr, "%s%s", attrs[i][0] == '/' ? "" : "/", attrs[i]) < 0)
			return -ENOMEM;
		if (streq(op, "remove")) {
			if (json_array_append_new(ops, json_pack("{s:s, s:s}", "op", op, "path",
								 attr)) < 0)
				return -ENOMEM;
			continue;
		}
		eq = strchr(attr, '=');
		if (eq == NULL) {
			if (asprintf(ret_err, "Attributes must be a list of PATH=VALUE not \"%s\"",
				     attrs[i]) < 0)
				*ret_err = NULL;
			return -EINVAL;
		}
		path = strndup(attr, (size_t)(eq - attr));
		if (path == NULL)
			return -ENOMEM;
		value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (value == NULL)
			value = json_string(eq + 1);
		if (streq(path, "/labels") || streq(path, "/health_status_reason")) {
			json_t *lv = labels_patch_value(eq + 1, value, ret_err);

			if (lv == NULL)
				return *ret_err ? -EINVAL : -ENOMEM;
			json_decref(value);
			value = lv;
		}
		if (value == NULL ||
		    json_array_append_new(ops, json_pack("{s:s, s:s, s:O}", "op", op, "path", path,
							 "value", value)) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(ops);
	return 0;
}
