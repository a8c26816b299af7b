/* test_jwriter.c - JSON text writer: escaping and values round-trip through jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/cleanup.h"
#include "common/jwriter.h"

static void
test_roundtrip(void **state)
{
	const char *inputs[] = { "plain", "quote \" and \\ back", "tab\tnl\ncr\r", "\x01\x1f",
				 "utf-8 \xc3\xa9\xe4\xb8\xad", "", "/slash" };

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		json_t *back;

		assert_int_equal(jw_string(&sb, inputs[i]), 0);
		back = json_loadb(sb.buf, sb.len, JSON_DECODE_ANY, NULL);
		assert_non_null(back);
		assert_string_equal(json_string_value(back), inputs[i]);
		json_decref(back);
		strbuf_free(&sb);
	}
}

static void
test_values(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	_cleanup_json_ json_t *obj = json_pack("{s:s, s:i, s:b, s:n, s:{s:s}}", "a", "x", "n", -5,
					       "t", 1, "z", "l", "k", "v");
	_cleanup_json_ json_t *back = NULL;
	const char *k;
	json_t *v;
	bool first = true;

	(void)state;
	strbuf_puts(&sb, "{");
	json_object_foreach(obj, k, v) {
		assert_int_equal(jw_key(&sb, k, first), 0);
		assert_int_equal(jw_value(&sb, v), 0);
		first = false;
	}
	strbuf_puts(&sb, "}");
	back = json_loads(sb.buf, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, obj));
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_values),
	};
	return cmocka_run_group_tests_name("jwriter", tests, NULL, NULL);
}
