/* test_cli_output.c - the CLI's PrettyTable rendering and Python-style values. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/cli/output.c"

static void
check_value(const char *json, const char *want)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	char *s;

	assert_non_null(v);
	s = cli_pyvalue(v);
	assert_string_equal(s, want);
	free(s);
	json_decref(v);
}

static void
test_pyvalue(void **state)
{
	(void)state;
	check_value("null", "-");
	check_value("true", "True");
	check_value("false", "False");
	check_value("\"plain\"", "plain");
	check_value("42", "42");
	check_value("-7", "-7");
	check_value("1.5", "1.5");
	check_value("2.0", "2.0");
	check_value("[]", "[]");
	check_value("{}", "{}");
	check_value("[\"a\", \"b\"]", "['a', 'b']");
	check_value("{\"k\": \"v\", \"n\": 1}", "{'k': 'v', 'n': 1}");
	check_value("{\"k\": null, \"b\": true, \"l\": [1, \"x\"]}",
		    "{'k': None, 'b': True, 'l': [1, 'x']}");
	check_value("[\"it's\"]", "[\"it's\"]");
	check_value("[\"a\\nb\"]", "['a\\nb']");
	check_value("[\"both ' and \\\"\"]", "['both \\' and \"']");
}

static void
test_table_basic(void **state)
{
	static const char *const hdr[] = { "id", "host" };
	char *r0[] = { "1", "magnum-anchor" };
	char *r1[] = { "10", "h" };
	char *const *rows[] = { r0, r1 };
	char *s = cli_table_render(hdr, 2, rows, 2);

	(void)state;
	assert_string_equal(s, "+----+---------------+\n"
			       "| id | host          |\n"
			       "+----+---------------+\n"
			       "| 1  | magnum-anchor |\n"
			       "| 10 | h             |\n"
			       "+----+---------------+\n");
	free(s);
}

static void
test_table_empty(void **state)
{
	/* The sample 33-quotas-list.txt: header, then two rules. */
	static const char *const hdr[] = { "project_id", "resource", "hard_limit" };
	char *s = cli_table_render(hdr, 3, NULL, 0);

	(void)state;
	assert_string_equal(s, "+------------+----------+------------+\n"
			       "| project_id | resource | hard_limit |\n"
			       "+------------+----------+------------+\n"
			       "+------------+----------+------------+\n");
	free(s);
}

static void
test_table_multiline_and_wide(void **state)
{
	static const char *const hdr[] = { "a", "b" };
	char *r0[] = { "x\nlonger", "\xc3\xa9t\xc3\xa9" };	/* "été": 3 columns */
	char *const *rows[] = { r0 };
	char *s = cli_table_render(hdr, 2, rows, 1);

	(void)state;
	assert_string_equal(s, "+--------+-----+\n"
			       "| a      | b   |\n"
			       "+--------+-----+\n"
			       "| x      | \xc3\xa9t\xc3\xa9 |\n"
			       "| longer |     |\n"
			       "+--------+-----+\n");
	free(s);
}

static void
test_show_matches_sample(void **state)
{
	/* 38-magnum-stats-list.txt */
	json_t *o = json_pack("{s:i, s:i, s:[]}", "clusters", 2, "nodes", 4, "links");
	char *s = cli_show_render(o);

	(void)state;
	assert_string_equal(s, "+----------+-------+\n"
			       "| Property | Value |\n"
			       "+----------+-------+\n"
			       "| clusters | 2     |\n"
			       "| nodes    | 4     |\n"
			       "+----------+-------+\n");
	free(s);
	json_decref(o);
}

static void
test_show_splits_literal_newlines(void **state)
{
	json_t *o = json_pack("{s:s, s:n}", "faults", "first\\nsecond", "x");
	char *s = cli_show_render(o);

	(void)state;
	assert_string_equal(s, "+----------+--------+\n"
			       "| Property | Value  |\n"
			       "+----------+--------+\n"
			       "| faults   | first  |\n"
			       "|          | second |\n"
			       "| x        | -      |\n"
			       "+----------+--------+\n");
	free(s);
	json_decref(o);
}

static void
test_list_missing_and_null(void **state)
{
	static const char *const cols[] = { "uuid", "name", "extra" };
	json_t *items = json_pack("[{s:s, s:n}, {s:s, s:s, s:b}]", "uuid", "u1", "name", "uuid",
				  "u2", "name", "n2", "extra", 1);
	char *s = cli_list_render(items, cols, 3);

	(void)state;
	assert_string_equal(s, "+------+------+-------+\n"
			       "| uuid | name | extra |\n"
			       "+------+------+-------+\n"
			       "| u1   | -    |       |\n"
			       "| u2   | n2   | True  |\n"
			       "+------+------+-------+\n");
	free(s);
	json_decref(items);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pyvalue),
		cmocka_unit_test(test_table_basic),
		cmocka_unit_test(test_table_empty),
		cmocka_unit_test(test_table_multiline_and_wide),
		cmocka_unit_test(test_show_matches_sample),
		cmocka_unit_test(test_show_splits_literal_newlines),
		cmocka_unit_test(test_list_missing_and_null),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests_name("cli_output", tests, NULL, NULL);
}
