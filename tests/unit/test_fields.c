/* test_fields.c - the wsme-style body decoder: every rule and message of fields.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/fields.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

static const char *const coes[] = { "kubernetes", "swarm", "mesos", NULL };

static const struct field_spec specs[] = {
	{ "uuid", FT_UUID, 0, 0, 0, NULL, NULL, NULL },
	{ "name", FT_STRING, 0, 1, 10, "^[a-zA-Z][a-zA-Z0-9_.-]*$", NULL, NULL },
	{ "coe", FT_STRING, 0, 0, 0, NULL, coes, NULL },
	{ "image_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
	{ "node_count", FT_INT, 0, 1, 100, NULL, NULL, "1" },
	{ "timeout", FT_INT, 0, 0, 0, NULL, NULL, NULL },
	{ "public", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
	{ "labels", FT_DICT, 0, 0, 0, NULL, NULL, NULL },
	{ "nodes", FT_LIST, 0, 0, 0, NULL, NULL, NULL },
	{ "extra", FT_ANY, 0, 0, 0, NULL, NULL, NULL },
	{ "server_type", FT_STRING, 0, 1, 255, NULL, NULL, "\"vm\"" },
	{ "links", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ "status", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

#define BOOL_TAIL "acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', " \
		  "'true', 'y', 'yes'"
#define DICT_TYPES "(<class 'str'>, (<class 'int'>,), <class 'bool'>, <class 'float'>)"

/* Decode body (JSON text); must fail with exactly msg. */
static void
expect_error(const char *body, const char *msg)
{
	_cleanup_json_ json_t *b = json_loads(body, JSON_DECODE_ANY, NULL), *out = NULL;
	_cleanup_free_ char *m = NULL;
	int r;

	if (b == NULL)
		fail_msg("bad test JSON: %s", body);
	r = fields_decode(specs, "bay", b, &out, &m);
	if (r != -EINVAL)
		fail_msg("%s: expected -EINVAL, got %d", body, r);
	assert_null(out);
	assert_non_null(m);
	if (strcmp(m, msg) != 0)
		fail_msg("%s:\n got '%s'\nwant '%s'", body, m, msg);
}

/* Decode body; must succeed and return the new object. */
static json_t *
expect_ok(const char *body)
{
	_cleanup_json_ json_t *b = json_loads(body, JSON_DECODE_ANY, NULL);
	_cleanup_free_ char *m = NULL;
	json_t *out = NULL;

	if (b == NULL)
		fail_msg("bad test JSON: %s", body);
	if (fields_decode(specs, "bay", b, &out, &m) != 0)
		fail_msg("%s refused: %s", body, m);
	assert_null(m);
	return out;
}

/* Decode {"image_id":"i", <field>} and compare the decoded field with want (JSON). */
static void
check_field(const char *field_json, const char *field, const char *want)
{
	char body[512];
	_cleanup_json_ json_t *out = NULL, *w = json_loads(want, JSON_DECODE_ANY, NULL);
	_cleanup_free_ char *got = NULL;

	snprintf(body, sizeof(body), "{\"image_id\":\"i\",%s}", field_json);
	out = expect_ok(body);
	if (!json_equal(json_object_get(out, field), w)) {
		got = json_dumps(json_object_get(out, field), JSON_ENCODE_ANY);
		fail_msg("%s: got %s, want %s", body, got ? got : "(absent)", want);
	}
}

static void
test_minimal_and_defaults(void **state)
{
	_cleanup_json_ json_t *out = expect_ok("{\"image_id\":\"img\"}");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(out, "image_id")), "img");
	assert_int_equal(json_integer_value(json_object_get(out, "node_count")), 1);
	assert_true(json_is_false(json_object_get(out, "public")));
	assert_string_equal(json_string_value(json_object_get(out, "server_type")), "vm");
	/* no default: absent from the result */
	assert_null(json_object_get(out, "name"));
	assert_null(json_object_get(out, "labels"));
	assert_null(json_object_get(out, "uuid"));
	assert_int_equal(json_object_size(out), 4);
}

static void
test_null_suppresses_default(void **state)
{
	_cleanup_json_ json_t *out = expect_ok("{\"image_id\":\"i\",\"node_count\":null,"
					       "\"public\":null,\"name\":null,\"labels\":null}");

	(void)state;
	assert_true(json_is_null(json_object_get(out, "node_count")));
	assert_true(json_is_null(json_object_get(out, "public")));
	assert_true(json_is_null(json_object_get(out, "name")));
	assert_true(json_is_null(json_object_get(out, "labels")));
	assert_string_equal(json_string_value(json_object_get(out, "server_type")), "vm");
}

static void
test_mandatory(void **state)
{
	(void)state;
	expect_error("{}", "Invalid input for field/attribute image_id. Value: 'None'. "
			   "Mandatory field missing.");
	expect_error("{\"image_id\":null}", "Invalid input for field/attribute image_id. "
					    "Value: 'None'. Mandatory field missing.");
	/* a field earlier in the table fails first */
	expect_error("{\"name\":\"\"}", "Invalid input for field/attribute name. Value: ''. "
					"Value should have a minimum character requirement of 1");
}

static void
test_unknown(void **state)
{
	(void)state;
	expect_error("{\"image_id\":\"i\",\"foo\":1}", "Unknown attribute for argument bay: foo");
	expect_error("{\"zz\":1,\"image_id\":\"i\",\"b\":2,\"a\":null}",
		     "Unknown attributes for argument bay: a, b, zz");
	/* unknown attributes are reported before anything else */
	expect_error("{\"foo\":1}", "Unknown attribute for argument bay: foo");
	expect_error("{\"node_count\":0,\"Name\":\"x\"}",
		     "Unknown attribute for argument bay: Name");
}

static void
test_readonly_and_ignored(void **state)
{
	_cleanup_json_ json_t *out = NULL;

	(void)state;
	expect_error("{\"image_id\":\"i\",\"links\":[]}",
		     "Invalid input for field/attribute "
		     "links. Value: '[]'. Cannot set read only field.");
	expect_error("{\"image_id\":\"i\",\"links\":null}",
		     "Invalid input for field/attribute "
		     "links. Value: 'None'. Cannot set read only field.");
	expect_error("{\"image_id\":\"i\",\"links\":[{\"href\":\"x\",\"rel\":\"self\"}]}",
		     "Invalid input for field/attribute links. Value: '[{'href': 'x', "
		     "'rel': 'self'}]'. Cannot set read only field.");
	out = expect_ok("{\"image_id\":\"i\",\"status\":{\"any\":[1]}}");
	assert_null(json_object_get(out, "status"));
}

static void
test_enum(void **state)
{
	(void)state;
	check_field("\"coe\":\"swarm\"", "coe", "\"swarm\"");
	expect_error("{\"image_id\":\"i\",\"coe\":\"nomad\"}",
		     "Invalid input for field/attribute "
		     "coe. Value: 'nomad'. Value should be one of: kubernetes, swarm, mesos");
	expect_error("{\"image_id\":\"i\",\"coe\":\"Swarm\"}",
		     "Invalid input for field/attribute "
		     "coe. Value: 'Swarm'. Value should be one of: kubernetes, swarm, mesos");
	expect_error("{\"image_id\":\"i\",\"coe\":5}",
		     "Invalid input for field/attribute coe. "
		     "Value: '5'. Value should be one of: kubernetes, swarm, mesos");
}

static void
test_strings(void **state)
{
	char *big;
	size_t n;

	(void)state;
	check_field("\"name\":\"abc.d-e_f\"", "name", "\"abc.d-e_f\"");
	expect_error("{\"image_id\":5}", "Invalid input for field/attribute image_id. Value: '5'. "
					 "Value should be string");
	expect_error("{\"image_id\":true}", "Invalid input for field/attribute image_id. "
					    "Value: 'True'. Value should be string");
	expect_error("{\"image_id\":[\"a\"]}", "Invalid input for field/attribute image_id. "
					       "Value: '['a']'. Value should be string");
	expect_error("{\"image_id\":\"i\",\"name\":\"abcdefghijk\"}", "Invalid input for "
		     "field/attribute name. Value: 'abcdefghijk'. Value should have a maximum "
		     "character requirement of 10");
	expect_error("{\"image_id\":\"i\",\"name\":\"1-bad name\"}", "Invalid input for "
		     "field/attribute name. Value: '1-bad name'. Value should match the pattern "
		     "^[a-zA-Z][a-zA-Z0-9_.-]*$");
	/* $ does not match before a trailing newline (Python's does) */
	expect_error("{\"image_id\":\"i\",\"name\":\"abc\\n\"}", "Invalid input for "
		     "field/attribute name. Value: 'abc\n'. Value should match the pattern "
		     "^[a-zA-Z][a-zA-Z0-9_.-]*$");
	/* values with quotes are shown raw, as Python's str() does */
	expect_error("{\"image_id\":\"i\",\"name\":\"it's\"}", "Invalid input for "
		     "field/attribute name. Value: 'it's'. Value should match the pattern "
		     "^[a-zA-Z][a-zA-Z0-9_.-]*$");

	/* lengths count characters: 255 two-byte characters pass, 256 do not */
	for (int extra = 0; extra < 2; extra++) {
		struct strbuf sb = STRBUF_INIT;
		_cleanup_json_ json_t *b = NULL, *out = NULL;
		_cleanup_free_ char *m = NULL;

		strbuf_puts(&sb, "{\"image_id\":\"");
		for (int i = 0; i < 255 + extra; i++)
			strbuf_puts(&sb, "\xc3\xa9");
		strbuf_puts(&sb, "\"}");
		b = json_loads(sb.buf, 0, NULL);
		strbuf_free(&sb);
		assert_non_null(b);
		if (extra == 0) {
			assert_int_equal(fields_decode(specs, "bay", b, &out, &m), 0);
			continue;
		}
		assert_int_equal(fields_decode(specs, "bay", b, &out, &m), -EINVAL);
		assert_non_null(strstr(m, "Value should have a maximum character requirement of "
					  "255"));
		assert_non_null(strstr(m, "\xc3\xa9\xc3\xa9'"));
	}

	/* a very long value */
	n = 200000;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	{
		_cleanup_json_ json_t *b = json_pack("{s:s}", "image_id", big), *out = NULL;
		_cleanup_free_ char *m = NULL;

		assert_non_null(b);
		assert_int_equal(fields_decode(specs, "bay", b, &out, &m), -EINVAL);
		assert_non_null(strstr(m, "maximum character requirement of 255"));
		assert_true(strlen(m) > n);
	}
	free(big);
}

static void
test_ints(void **state)
{
	(void)state;
	check_field("\"node_count\":5", "node_count", "5");
	check_field("\"node_count\":\"5\"", "node_count", "5");
	check_field("\"node_count\":\" 7 \"", "node_count", "7");
	check_field("\"node_count\":\"+8\"", "node_count", "8");
	check_field("\"node_count\":\"1_0\"", "node_count", "10");
	check_field("\"node_count\":\"007\"", "node_count", "7");
	check_field("\"node_count\":2.0", "node_count", "2");
	check_field("\"node_count\":100", "node_count", "100");
	check_field("\"timeout\":9223372036854775807", "timeout", "9223372036854775807");
	check_field("\"timeout\":0", "timeout", "0");
	expect_error("{\"image_id\":\"i\",\"node_count\":0}", "Invalid input for field/attribute "
		     "node_count. Value: '0'. Value should be greater or equal to 1");
	expect_error("{\"image_id\":\"i\",\"node_count\":-1}", "Invalid input for field/attribute "
		     "node_count. Value: '-1'. Value should be greater or equal to 1");
	expect_error(
		"{\"image_id\":\"i\",\"node_count\":101}",
		"Invalid input for "
		"field/attribute node_count. Value: '101'. Value should be lower or equal to 100");
	expect_error(
		"{\"image_id\":\"i\",\"node_count\":\"0\"}",
		"Invalid input for "
		"field/attribute node_count. Value: '0'. Value should be greater or equal to 1");
	expect_error("{\"image_id\":\"i\",\"node_count\":\"x\"}", "Invalid input for "
		     "field/attribute node_count. Value: 'x'. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"node_count\":\"\"}", "Invalid input for "
		     "field/attribute node_count. Value: ''. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"node_count\":\"5.0\"}", "Invalid input for "
		     "field/attribute node_count. Value: '5.0'. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"node_count\":\"1__0\"}", "Invalid input for "
		     "field/attribute node_count. Value: '1__0'. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"node_count\":2.5}", "Invalid input for "
		     "field/attribute node_count. Value: '2.5'. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"node_count\":true}", "Invalid input for "
		     "field/attribute node_count. Value: 'True'. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"node_count\":{}}", "Invalid input for "
		     "field/attribute node_count. Value: '{}'. Value should be integer");
	/* overflow: the bound of the spec, or int64's */
	expect_error("{\"image_id\":\"i\",\"node_count\":\"99999999999999999999\"}",
		     "Invalid input for field/attribute node_count. Value: '99999999999999999999'. "
		     "Value should be lower or equal to 100");
	expect_error("{\"image_id\":\"i\",\"timeout\":\"99999999999999999999\"}",
		     "Invalid input for field/attribute timeout. Value: '99999999999999999999'. "
		     "Value should be lower or equal to 9223372036854775807");
	expect_error("{\"image_id\":\"i\",\"timeout\":\"-99999999999999999999\"}",
		     "Invalid input for field/attribute timeout. Value: '-99999999999999999999'. "
		     "Value should be greater or equal to 0");
	expect_error("{\"image_id\":\"i\",\"timeout\":\"99999999999999999999x\"}",
		     "Invalid input for field/attribute timeout. Value: '99999999999999999999x'. "
		     "Value should be integer");
	expect_error("{\"image_id\":\"i\",\"timeout\":1e300}", "Invalid input for field/attribute "
		     "timeout. Value: '1e+300'. Value should be integer");
	expect_error("{\"image_id\":\"i\",\"timeout\":-1}", "Invalid input for field/attribute "
		     "timeout. Value: '-1'. Value should be greater or equal to 0");
}

static void
test_bools(void **state)
{
	static const char *const yes[] = {"\"t\"",    "\"true\"", "\"y\"",    "\"yes\"",
					  "\"on\"",   "\"1\"",	  "\"TRUE\"", "\"Yes\"",
					  "\" on \"", "1",	  "true"};
	static const char *const no[] = { "\"f\"", "\"false\"", "\"n\"", "\"no\"", "\"off\"",
					  "\"0\"", "\"Off\"", "\"FALSE\"", "0", "false" };
	char field[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		snprintf(field, sizeof(field), "\"public\":%s", yes[i]);
		check_field(field, "public", "true");
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		snprintf(field, sizeof(field), "\"public\":%s", no[i]);
		check_field(field, "public", "false");
	}
	expect_error("{\"image_id\":\"i\",\"public\":\"maybe\"}",
		     "Unrecognized value 'maybe', " BOOL_TAIL);
	expect_error("{\"image_id\":\"i\",\"public\":2}", "Unrecognized value '2', " BOOL_TAIL);
	expect_error("{\"image_id\":\"i\",\"public\":1.0}", "Unrecognized value '1.0', " BOOL_TAIL);
	expect_error("{\"image_id\":\"i\",\"public\":\"\"}", "Unrecognized value '', " BOOL_TAIL);
	expect_error("{\"image_id\":\"i\",\"public\":\"tru\"}", "Unrecognized value 'tru', "
		     BOOL_TAIL);
	expect_error("{\"image_id\":\"i\",\"public\":[]}", "Unrecognized value '[]', " BOOL_TAIL);
	expect_error("{\"image_id\":\"i\",\"public\":\"yesyesyes\"}",
		     "Unrecognized value 'yesyesyes', " BOOL_TAIL);
}

static void
test_uuid(void **state)
{
	(void)state;
	check_field("\"uuid\":\"0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0\"", "uuid",
		     "\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"");
	check_field("\"uuid\":\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\"", "uuid",
		     "\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\"");
	expect_error("{\"image_id\":\"i\",\"uuid\":\"abc\"}", "Expected a uuid but received abc.");
	expect_error("{\"image_id\":\"i\",\"uuid\":5}", "Expected a uuid but received 5.");
}

static void
test_dicts(void **state)
{
	(void)state;
	check_field("\"labels\":{\"a\":\"b\",\"n\":5,\"f\":1.5,\"t\":true,\"x\":false,"
		     "\"big\":1e16,\"small\":0.0001,\"tiny\":1e-05,\"u\":\"\xc3\xa9\"}",
		     "labels", "{\"a\":\"b\",\"n\":\"5\",\"f\":\"1.5\",\"t\":\"True\","
		     "\"x\":\"False\",\"big\":\"1e+16\",\"small\":\"0.0001\",\"tiny\":\"1e-05\","
		     "\"u\":\"\xc3\xa9\"}");
	check_field("\"labels\":{}", "labels", "{}");
	expect_error("{\"image_id\":\"i\",\"labels\":{\"a\":{\"b\":1}}}", "Invalid input for "
		     "field/attribute labels. Value: '{'a': {'b': 1}}'. Wrong type. Expected '"
		     DICT_TYPES "', got '<class 'dict'>'");
	expect_error("{\"image_id\":\"i\",\"labels\":{\"ok\":\"1\",\"a\":[1]}}", "Invalid input "
		     "for field/attribute labels. Value: '{'ok': '1', 'a': [1]}'. Wrong type. "
		     "Expected '" DICT_TYPES "', got '<class 'list'>'");
	expect_error("{\"image_id\":\"i\",\"labels\":{\"a\":null}}", "Invalid input for "
		     "field/attribute labels. Value: '{'a': None}'. Wrong type. Expected '"
		     DICT_TYPES "', got '<class 'NoneType'>'");
	/* not a dict: wsme reports it against the whole argument (sample 58, 58b) */
	expect_error("{\"name\":\"e5\",\"image_id\":\"i\",\"labels\":\"a=b\"}", "Invalid input "
		     "for field/attribute bay. Value: '{'name': 'e5', 'image_id': 'i', 'labels': "
		     "'a=b'}'. Value not a valid dict: a=b");
	expect_error("{\"image_id\":\"i\",\"labels\":[\"a\"]}", "Invalid input for field/attribute "
		     "bay. Value: '{'image_id': 'i', 'labels': ['a']}'. Value not a valid dict: "
		     "['a']");
}

static void
test_lists_and_any(void **state)
{
	(void)state;
	check_field("\"nodes\":[\"a\",\"b\"]", "nodes", "[\"a\",\"b\"]");
	check_field("\"nodes\":[]", "nodes", "[]");
	check_field("\"extra\":{\"x\":[1,2.5,null]}", "extra", "{\"x\":[1,2.5,null]}");
	expect_error("{\"image_id\":\"i\",\"nodes\":\"a\"}", "Invalid input for field/attribute "
		     "bay. Value: '{'image_id': 'i', 'nodes': 'a'}'. Value not a valid list: a");
	expect_error("{\"image_id\":\"i\",\"nodes\":[\"a\",1]}", "Invalid input for "
		     "field/attribute nodes. Value: '['a', 1]'. Wrong type. Expected "
		     "'<class 'str'>', got '<class 'int'>'");
}

static void
test_not_an_object(void **state)
{
	(void)state;
	expect_error("[1, 2]", "Invalid input for field/attribute bay. Value: '[1, 2]'. Value not "
			       "a valid dict: [1, 2]");
	expect_error("\"x\"", "Invalid input for field/attribute bay. Value: 'x'. Value not a "
			      "valid dict: x");
	expect_error("null", "Invalid input for field/attribute bay. Value: 'None'. Value not a "
			     "valid dict: None");
}

static void
test_check_value(void **state)
{
	const struct field_spec *labels = fields_find(specs, "labels");
	const struct field_spec *image = fields_find(specs, "image_id");
	const struct field_spec *count = fields_find(specs, "node_count");
	_cleanup_json_ json_t *s = json_string("a=b"), *five = json_string("5"), *out = NULL;
	_cleanup_free_ char *m = NULL;

	(void)state;
	assert_non_null(labels);
	assert_null(fields_find(specs, "nope"));
	assert_int_equal(fields_check_value(labels, s, &out, &m), -EINVAL);
	assert_string_equal(m,
			    "Invalid input for field/attribute labels. Value: 'a=b'. Value not a "
			    "valid dict: a=b");
	free(m);
	m = NULL;
	assert_int_equal(fields_check_value(image, json_null(), &out, &m), -EINVAL);
	assert_string_equal(m, "Invalid input for field/attribute image_id. Value: 'None'. "
			       "Mandatory field missing.");
	free(m);
	m = NULL;
	assert_int_equal(fields_check_value(count, NULL, &out, &m), 0);
	assert_true(json_is_null(out));
	json_decref(out);
	out = NULL;
	assert_int_equal(fields_check_value(count, five, &out, &m), 0);
	assert_int_equal(json_integer_value(out), 5);
	assert_null(m);
}

static void
expect_repr(const char *json, const char *want_str, const char *want_repr)
{
	_cleanup_json_ json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	_cleanup_free_ char *s = NULL, *r = NULL;

	if (v == NULL)
		fail_msg("bad test JSON %s", json);
	s = fields_py_str(v);
	r = fields_py_repr(v);
	assert_non_null(s);
	assert_non_null(r);
	if (strcmp(s, want_str) != 0)
		fail_msg("str(%s): got <%s> want <%s>", json, s, want_str);
	if (strcmp(r, want_repr) != 0)
		fail_msg("repr(%s): got <%s> want <%s>", json, r, want_repr);
}

static void
test_python_rendering(void **state)
{
	(void)state;
	expect_repr("null", "None", "None");
	expect_repr("true", "True", "True");
	expect_repr("-42", "-42", "-42");
	expect_repr("\"abc\"", "abc", "'abc'");
	expect_repr("\"it's\"", "it's", "\"it's\"");
	expect_repr("\"say \\\"hi\\\"\"", "say \"hi\"", "'say \"hi\"'");
	expect_repr("\"it's \\\"x\\\"\"", "it's \"x\"", "'it\\'s \"x\"'");
	expect_repr("\"a\\\\b\\n\\t\\r\\u0001\\u007f\"", "a\\b\n\t\r\x01\x7f",
		    "'a\\\\b\\n\\t\\r\\x01\\x7f'");
	expect_repr("\"\xc3\xa9\\u00a0\\u200b\\u2028\xf0\x9f\x98\x80\"",
		    "\xc3\xa9\xc2\xa0\xe2\x80\x8b\xe2\x80\xa8\xf0\x9f\x98\x80",
		    "'\xc3\xa9\\xa0\\u200b\\u2028\xf0\x9f\x98\x80'");
	expect_repr("1.5", "1.5", "1.5");
	expect_repr("0.1", "0.1", "0.1");
	expect_repr("2.0", "2.0", "2.0");
	expect_repr("-0.0", "-0.0", "-0.0");
	expect_repr("1e16", "1e+16", "1e+16");
	expect_repr("1e22", "1e+22", "1e+22");
	expect_repr("123456789012345.0", "123456789012345.0", "123456789012345.0");
	expect_repr("1234567890123456.0", "1234567890123456.0", "1234567890123456.0");
	expect_repr("0.0001", "0.0001", "0.0001");
	expect_repr("0.00001", "1e-05", "1e-05");
	expect_repr("1.5e-07", "1.5e-07", "1.5e-07");
	expect_repr("3.141592653589793", "3.141592653589793", "3.141592653589793");
	expect_repr("1.7976931348623157e308", "1.7976931348623157e+308", "1.7976931348623157e+308");
	expect_repr("[]", "[]", "[]");
	expect_repr("{}", "{}", "{}");
	expect_repr("{\"a\":[1,true,null,\"x\",{\"b\":2.5}],\"c'\":\"d\"}",
		    "{'a': [1, True, None, 'x', {'b': 2.5}], \"c'\": 'd'}",
		    "{'a': [1, True, None, 'x', {'b': 2.5}], \"c'\": 'd'}");
	assert_int_equal(fields_char_count(""), 0);
	assert_int_equal(fields_char_count("a\xc3\xa9\xf0\x9f\x98\x80"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_null_suppresses_default),
		cmocka_unit_test(test_mandatory),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_readonly_and_ignored),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_dicts),
		cmocka_unit_test(test_lists_and_any),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_python_rendering),
	};
	return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
