/* test_cli_args.c - the CLI's option parsing, labels and JSON-Patch building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/cli/args.c"
#include "../../src/cli/output.c"

static const struct cli_cmd fake_cmd = { "thing-create", NULL, "[--name N] --coe C", "help" };

static const struct cli_opt opts[] = {
	{ "--name", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--coe", CLI_OPT_VALUE, NULL, true, NULL },
	{ "--image|--image-id", CLI_OPT_VALUE, NULL, false, NULL },
	{ "--flavor", CLI_OPT_VALUE, "m1.medium", false, NULL },
	{ "--labels", CLI_OPT_LIST, NULL, false, NULL },
	{ "--public", CLI_OPT_FLAG, NULL, false, NULL },
	{ "--master-flavor", CLI_OPT_VALUE, NULL, false, NULL },
	{ NULL, 0, NULL, false, NULL },
};

static int
parse(struct cli_args *a, int min, int max, int argc, char **argv)
{
	struct cli c = { .cmd = &fake_cmd };

	return cli_args_parse(&c, opts, min, max, "<thing>", argc, argv, a);
}

static void
test_parse_values_flags_aliases(void **state)
{
	char *argv[] = { "thing-create", "--name=n1", "--coe", "swarm", "--image-id", "deb",
			 "--labels", "a=b", "pos", "--labels", "c=d", "--public", "--", "--x" };
	struct cli_args a;
	const char *const *l;
	size_t n;

	(void)state;
	assert_int_equal(parse(&a, 0, -1, ARRAY_SIZE(argv), argv), 0);
	assert_string_equal(cli_arg(&a, "--name"), "n1");
	assert_string_equal(cli_arg(&a, "--coe"), "swarm");
	assert_string_equal(cli_arg(&a, "--image"), "deb");
	assert_string_equal(cli_arg(&a, "--flavor"), "m1.medium");	/* default */
	assert_null(cli_arg(&a, "--master-flavor"));
	assert_true(cli_arg_flag(&a, "--public"));
	l = cli_arg_list(&a, "--labels", &n);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "a=b");
	assert_string_equal(l[1], "c=d");
	assert_int_equal(a.npos, 2);
	assert_string_equal(a.pos[0], "pos");
	assert_string_equal(a.pos[1], "--x");
}

static void
test_parse_prefix_and_errors(void **state)
{
	char *ok[] = { "thing-create", "--co", "k8s", "--pub" };
	char *ambiguous[] = { "thing-create", "--coe", "k", "--fl", "x" };
	char *missing[] = { "thing-create", "--name", "x" };
	char *unknown[] = { "thing-create", "--coe", "k", "--bogus" };
	char *noval[] = { "thing-create", "--coe" };
	char *toomany[] = { "thing-create", "--coe", "k", "a", "b" };
	char *negative[] = { "thing-create", "--coe", "k", "-1" };
	struct cli_args a;

	(void)state;
	assert_int_equal(parse(&a, 0, 0, ARRAY_SIZE(ok), ok), 0);
	assert_string_equal(cli_arg(&a, "--coe"), "k8s");
	assert_true(cli_arg_flag(&a, "--public"));
	/* --fl is a prefix of --flavor only (--master-flavor does not start with it) */
	assert_int_equal(parse(&a, 0, 0, ARRAY_SIZE(ambiguous), ambiguous), 0);
	assert_string_equal(cli_arg(&a, "--flavor"), "x");
	assert_int_equal(parse(&a, 0, 0, ARRAY_SIZE(missing), missing), -EINVAL);
	assert_int_equal(parse(&a, 0, 0, ARRAY_SIZE(unknown), unknown), -EINVAL);
	assert_int_equal(parse(&a, 0, 0, ARRAY_SIZE(noval), noval), -EINVAL);
	assert_int_equal(parse(&a, 0, 1, ARRAY_SIZE(toomany), toomany), -EINVAL);
	assert_int_equal(parse(&a, 1, 1, ARRAY_SIZE(negative), negative), 0);
	assert_string_equal(a.pos[0], "-1");
	assert_int_equal(parse(&a, 2, 2, ARRAY_SIZE(negative), negative), -EINVAL);
}

static void
check_labels(const char *const *items, size_t n, const char *want)
{
	json_t *o = NULL;
	char *err = NULL, *s;

	assert_int_equal(cli_labels_parse(items, n, &o, &err), 0);
	s = json_dumps(o, JSON_COMPACT);
	assert_string_equal(s, want);
	free(s);
	json_decref(o);
}

static void
test_labels(void **state)
{
	const char *one[] = { "k1=v1,k2=v2;k3=v3" };
	const char *rep[] = { "a=b", "c=d;e=f" };
	const char *eqs[] = { "url=http://x/?a=b" };	/* two '=', nothing to split on */
	const char *val[] = { "opt=a,b" };		/* one '=': the value keeps its comma */
	const char *dup[] = { "a=1", "a=2" };
	const char *bad[] = { "novalue" };
	json_t *o = NULL;
	char *err = NULL;

	(void)state;
	check_labels(one, 1, "{\"k1\":\"v1\",\"k2\":\"v2\",\"k3\":\"v3\"}");
	check_labels(rep, 2, "{\"a\":\"b\",\"c\":\"d\",\"e\":\"f\"}");
	check_labels(val, 1, "{\"opt\":\"a,b\"}");
	check_labels(dup, 2, "{\"a\":[\"1\",\"2\"]}");
	check_labels(NULL, 0, "{}");
	check_labels(eqs, 1, "{\"url\":\"http://x/?a=b\"}");
	assert_int_equal(cli_labels_parse(bad, 1, &o, &err), -EINVAL);
	assert_string_equal(err, "labels must be a list of KEY=VALUE not novalue");
	free(err);
}

static void
check_patch(const char *op, const char *const *attrs, size_t n, const char *want)
{
	json_t *ops = NULL;
	char *err = NULL, *s;

	assert_int_equal(cli_patch_build(op, attrs, n, &ops, &err), 0);
	s = json_dumps(ops, JSON_COMPACT);
	assert_string_equal(s, want);
	free(s);
	json_decref(ops);
}

static void
test_patch(void **state)
{
	const char *rep[] = { "node_count=3", "/name=x", "public=true", "dns=\"8.8.4.4\"",
			      "obj={\"a\": 1}" };
	const char *labels[] = { "labels=a=b,c=d" };
	const char *rm[] = { "labels/x", "/name" };
	const char *bad[] = { "nothing" };
	json_t *ops = NULL;
	char *err = NULL;

	(void)state;
	check_patch("replace", rep, 5,
		    "[{\"op\":\"replace\",\"path\":\"/node_count\",\"value\":3},"
		    "{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"},"
		    "{\"op\":\"replace\",\"path\":\"/public\",\"value\":true},"
		    "{\"op\":\"replace\",\"path\":\"/dns\",\"value\":\"8.8.4.4\"},"
		    "{\"op\":\"replace\",\"path\":\"/obj\",\"value\":{\"a\":1}}]");
	check_patch("add", labels, 1,
		    "[{\"op\":\"add\",\"path\":\"/labels\",\"value\":\"{'a': 'b', 'c': 'd'}\"}]");
	check_patch("remove", rm, 2,
		    "[{\"op\":\"remove\",\"path\":\"/labels/x\"},{\"op\":\"remove\",\"path\":"
		    "\"/name\"}]");
	assert_int_equal(cli_patch_build("replace", bad, 1, &ops, &err), -EINVAL);
	assert_string_equal(err, "Attributes must be a list of PATH=VALUE not \"nothing\"");
	free(err);
	err = NULL;
	assert_int_equal(cli_patch_build("frob", bad, 1, &ops, &err), -EINVAL);
	assert_string_equal(err, "Unknown PATCH operation: frob");
	free(err);
}

static void
test_parse_int(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(cli_parse_int("12", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(cli_parse_int("-3", &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(cli_parse_int("1x", &v), -EINVAL);
	assert_int_equal(cli_parse_int("", &v), -EINVAL);
	assert_int_equal(cli_parse_int(NULL, &v), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_values_flags_aliases),
		cmocka_unit_test(test_parse_prefix_and_errors),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_parse_int),
	};

	return cmocka_run_group_tests_name("cli_args", tests, NULL, NULL);
}
