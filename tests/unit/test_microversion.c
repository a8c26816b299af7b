/* test_microversion.c - OpenStack-API-Version / X-OpenStack-Magnum-API-Version parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/microversion.h"
#include "common/cleanup.h"

#define MIN 1
#define MAX 14

static void
mv(const char *value, int legacy, enum mv_result want, int want_major, int want_minor)
{
	int major = -99, minor = -99;
	enum mv_result r = mv_parse(value, legacy, MIN, MAX, &major, &minor);

	if (r != want || major != want_major || minor != want_minor)
		fail_msg("<%s> legacy=%d: got %d %d.%d, want %d %d.%d", value ? value : "(null)",
			 legacy, r, major, minor, want, want_major, want_minor);
}

static void
test_absent(void **state)
{
	(void)state;
	mv(NULL, 0, MV_OK, 1, MIN);
	mv(NULL, 1, MV_OK, 1, MIN);
}

static void
test_new_style_ok(void **state)
{
	(void)state;
	mv("container-infra 1.5", 0, MV_OK, 1, 5);
	mv("container-infrastructure 1.1", 0, MV_OK, 1, 1);
	mv("container-infrastructure-management 1.14", 0, MV_OK, 1, 14);
	mv("container-infra latest", 0, MV_OK, 1, MAX);
	mv("container-infra LATEST", 0, MV_OK, 1, MAX);
	mv("container-infra Latest", 0, MV_OK, 1, MAX);
	/* the quirk: "latest" replaces the service token too */
	mv("foo latest", 0, MV_OK, 1, MAX);
	mv("Container-Infra latest", 0, MV_OK, 1, MAX);
	/* whitespace as Python's str.split() sees it */
	mv("  container-infra \t 1.5  ", 0, MV_OK, 1, 5);
	mv("container-infra\n1.2", 0, MV_OK, 1, 2);
	mv("container-infra\x1f" "1.3", 0, MV_OK, 1, 3);
	mv("container-infra\xa0" "1.4", 0, MV_OK, 1, 4);
	/* int() accepts signs, underscores and leading zeros */
	mv("container-infra 01.05", 0, MV_OK, 1, 5);
	mv("container-infra 1.+5", 0, MV_OK, 1, 5);
	mv("container-infra 1.1_0", 0, MV_OK, 1, 10);
	mv("container-infra 0001.000000014", 0, MV_OK, 1, 14);
}

static void
test_new_style_errors(void **state)
{
	static const char *const bad_service[] = {
		"", "   ", "1.5", "latest", "Container-Infra 1.5", "compute 1.5",
		"container-infra", "container-infra 1.5 extra", "container-infra 1.5, compute 2.1",
		"container-infra,1.5", "container-infra-x 1.5", "container-infra 1.5 latest",
	};
	static const char *const bad_value[] = {
		"container-infra 1.x",	  "container-infra 1",	   "container-infra 1.",
		"container-infra .5",	  "container-infra 1.5.1", "container-infra abc",
		"container-infra 1.5a",	  "container-infra 1..5",  "container-infra 1.99999999999",
		"container-infra 1.1__0", "container-infra 1._1",  "container-infra +.1",
		"container-infra 1.0x5",  "container-infra 1,5",   "container-infra latest!",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_service); i++)
		mv(bad_service[i], 0, MV_BAD_SERVICE, 1, MIN);
	for (size_t i = 0; i < ARRAY_SIZE(bad_value); i++)
		mv(bad_value[i], 0, MV_BAD_VALUE, 1, MIN);
	mv("container-infra 2.1", 0, MV_BAD_MAJOR, 2, 1);
	mv("container-infra 9.9", 0, MV_BAD_MAJOR, 9, 9);
	mv("container-infra 0.5", 0, MV_BAD_MAJOR, 0, 5);
	mv("container-infra -1.5", 0, MV_BAD_MAJOR, -1, 5);
	mv("container-infra 1.15", 0, MV_BAD_MINOR, 1, 15);
	mv("container-infra 1.0", 0, MV_BAD_MINOR, 1, 0);
	mv("container-infra 1.-1", 0, MV_BAD_MINOR, 1, -1);
	mv("container-infra 1.999999999", 0, MV_BAD_MINOR, 1, 999999999);
}

static void
test_legacy(void **state)
{
	(void)state;
	mv("1.1", 1, MV_OK, 1, 1);
	mv("1.14", 1, MV_OK, 1, 14);
	mv("latest", 1, MV_OK, 1, MAX);
	mv("LATEST", 1, MV_OK, 1, MAX);
	mv(" 1.2 ", 1, MV_OK, 1, 2);
	mv("container-infra 1.2", 1, MV_BAD_VALUE, 1, MIN);
	mv("", 1, MV_BAD_VALUE, 1, MIN);
	mv("1", 1, MV_BAD_VALUE, 1, MIN);
	mv("1.2.3", 1, MV_BAD_VALUE, 1, MIN);
	mv("2.0", 1, MV_BAD_MAJOR, 2, 0);
	mv("1.99", 1, MV_BAD_MINOR, 1, 99);
}

static void
test_long_value(void **state)
{
	size_t n = 100000;
	char *s = malloc(n + 1);

	(void)state;
	assert_non_null(s);
	memset(s, '1', n);
	s[n] = '\0';
	mv(s, 0, MV_BAD_SERVICE, 1, MIN);
	mv(s, 1, MV_BAD_VALUE, 1, MIN);
	s[1] = '.';
	mv(s, 1, MV_BAD_VALUE, 1, MIN);
	memset(s, ' ', n);
	mv(s, 0, MV_BAD_SERVICE, 1, MIN);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_new_style_ok),
		cmocka_unit_test(test_new_style_errors),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_long_value),
	};
	return cmocka_run_group_tests_name("microversion", tests, NULL, NULL);
}
