/* test_parsers.c - body decoder, JSON-Patch, labels and microversion parsing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/fields.h"
#include "api/labels.h"
#include "api/microversion.h"
#include "api/patch.h"
#include "common/cleanup.h"

static const char *const coes[] = { "kubernetes", "swarm", "mesos", NULL };
static const struct field_spec specs[] = {
	{ "name", FT_STRING, 0, 1, 10, "^[a-z]+$", NULL, NULL },
	{ "coe", FT_STRING, 0, 0, 0, NULL, coes, NULL },
	{ "image_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
	{ "node_count", FT_INT, 0, 1, 5, NULL, NULL, "1" },
	{ "public", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
	{ "links", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

static void
decode_expect(const char *body, const char *msg_part)
{
	_cleanup_json_ json_t *b = json_loads(body, 0, NULL), *out = NULL;
	_cleanup_free_ char *msg = NULL;

	assert_non_null(b);
	assert_int_equal(fields_decode(specs, "bay", b, &out, &msg), -EINVAL);
	assert_non_null(msg);
	if (strstr(msg, msg_part) == NULL)
		fail_msg("'%s' not in '%s'", msg_part, msg);
}

static void
test_fields_ok(void **state)
{
	_cleanup_json_ json_t *b = json_loads("{\"image_id\":\"i\",\"node_count\":\"3\","
					      "\"public\":\"yes\"}", 0, NULL), *out = NULL;
	_cleanup_free_ char *msg = NULL;

	(void)state;
	assert_int_equal(fields_decode(specs, "bay", b, &out, &msg), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "node_count")), 3);
	assert_true(json_is_true(json_object_get(out, "public")));
	assert_null(json_object_get(out, "coe"));	/* no default: absent */
}

static void
test_fields_errors(void **state)
{
	(void)state;
	decode_expect("{}", "image_id. Value: 'None'. Mandatory field missing.");
	decode_expect("{\"image_id\":null}", "Mandatory field missing.");
	decode_expect("{\"image_id\":\"i\",\"zz\":1,\"aa\":2}",
		      "Unknown attributes for argument bay: aa, zz");
	decode_expect("{\"image_id\":\"i\",\"links\":[]}", "Cannot set read only field.");
	decode_expect("{\"image_id\":\"i\",\"coe\":\"nomad\"}",
		      "Value: 'nomad'. Value should be one of: kubernetes, swarm, mesos");
	decode_expect("{\"image_id\":\"i\",\"node_count\":0}",
		      "node_count. Value: '0'. Value should be greater or equal to 1");
	decode_expect("{\"image_id\":\"i\",\"node_count\":6}", "lower or equal to 5");
	decode_expect("{\"image_id\":\"i\",\"node_count\":\"x\"}", "Value should be integer");
	decode_expect("{\"image_id\":\"i\",\"public\":\"maybe\"}", "Unrecognized value 'maybe'");
	decode_expect("{\"image_id\":\"i\",\"name\":\"\"}", "minimum character requirement of 1");
	decode_expect("{\"image_id\":\"i\",\"name\":\"abcdefghijk\"}", "maximum character");
	decode_expect("{\"image_id\":\"i\",\"name\":\"A1\"}", "Value should match the pattern");
	decode_expect("{\"image_id\":5}", "Value: '5'. Value should be string");
}

static void
patch_expect(const char *doc, const char *patch, bool falsy, const char *result,
	     const char *msg_part)
{
	static const char *const internal[] = { "/uuid", NULL };
	static const char *const mandatory[] = { "/image_id", NULL };
	static const char *const dicts[] = { "/labels", NULL };
	_cleanup_json_ json_t *d = json_loads(doc, 0, NULL), *p = json_loads(patch, 0, NULL);
	_cleanup_json_ json_t *defaults = json_pack("{s:i}", "node_count", 1), *out = NULL;
	_cleanup_json_ json_t *want = result ? json_loads(result, 0, NULL) : NULL;
	_cleanup_free_ char *msg = NULL;
	struct patch_rules rules = { internal, mandatory, dicts, falsy, defaults };
	int r = patch_apply(d, p, &rules, &out, &msg);

	if (result) {
		if (r != 0)
			fail_msg("patch %s failed: %s", patch, msg);
		if (!json_equal(out, want))
			fail_msg("patch %s: got %s", patch, json_dumps(out, JSON_COMPACT));
	} else {
		assert_int_equal(r, -EINVAL);
		if (msg == NULL || strstr(msg, msg_part) == NULL)
			fail_msg("'%s' not in '%s'", msg_part, msg ? msg : "(null)");
	}
}

static void
test_patch(void **state)
{
	const char *doc = "{\"name\":\"a\",\"image_id\":\"i\",\"uuid\":\"u\",\"http_proxy\":null,"
			  "\"node_count\":3,\"labels\":{\"k\":\"v\"}}";

	(void)state;
	patch_expect(doc, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"b\"}]", false,
		     "{\"name\":\"b\",\"image_id\":\"i\",\"uuid\":\"u\",\"http_proxy\":null,"
		     "\"node_count\":3,\"labels\":{\"k\":\"v\"}}", NULL);
	patch_expect(doc, "[{\"op\":\"add\",\"path\":\"/http_proxy\",\"value\":\"http://p\"},"
			  "{\"op\":\"remove\",\"path\":\"/node_count\"},"
			  "{\"op\":\"add\",\"path\":\"/labels/x\",\"value\":\"y\"}]", false,
		     "{\"name\":\"a\",\"image_id\":\"i\",\"uuid\":\"u\",\"http_proxy\":\"http://p\","
		     "\"node_count\":1,\"labels\":{\"k\":\"v\",\"x\":\"y\"}}", NULL);
	patch_expect(doc, "[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":\"{'a': 'b'}\"}]",
		     true, "{\"name\":\"a\",\"image_id\":\"i\",\"uuid\":\"u\",\"http_proxy\":null,"
		     "\"node_count\":3,\"labels\":{\"a\":\"b\"}}", NULL);
	patch_expect(doc, "[{\"op\":\"replace\",\"path\":\"/uuid\",\"value\":\"x\"}]", false, NULL,
		     "'/uuid' is an internal attribute and can not be updated");
	patch_expect(doc, "[{\"op\":\"remove\",\"path\":\"/image_id\"}]", false, NULL,
		     "'/image_id' is a mandatory attribute and can not be removed");
	patch_expect(doc, "[{\"op\":\"add\",\"path\":\"/name\",\"value\":\"b\"}]", false, NULL,
		     "The attribute /name has existed, please use 'replace' operation instead.");
	patch_expect(doc, "[{\"op\":\"add\",\"path\":\"/zz\",\"value\":\"b\"}]", false, NULL,
		     "Adding a new attribute /zz to the root of the resource is not allowed.");
	patch_expect(doc, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"\"}]", false, NULL,
		     "'add' and 'replace' operations needs value");
	patch_expect(doc, "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"a\"}]", false, NULL,
		     "Value should be one of: add, replace, remove");
	patch_expect(doc, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":[1]}]", false, NULL,
		     "Wrong type");
	patch_expect(doc, "[{\"op\":\"remove\",\"path\":\"/labels/none\"}]", false, NULL,
		     "Couldn't apply patch");
	patch_expect(doc, "[{\"op\":\"replace\",\"path\":\"name\",\"value\":\"x\"}]", false, NULL,
		     "Value should match the pattern");
	/* Cluster era: falsy values are allowed. */
	patch_expect("{\"b\":true}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":false}]", true,
		     "{\"b\":false}", NULL);
}

static void
test_pyliteral(void **state)
{
	_cleanup_json_ json_t *v = NULL, *want = json_loads(
		"{\"a\":\"b\",\"n\":1,\"l\":[true,false,null],\"q\":\"x'y\"}", 0, NULL);

	(void)state;
	assert_int_equal(patch_parse_pyliteral("{'a': 'b', 'n': 1, 'l': [True, False, None], "
					       "'q': \"x'y\"}", &v), 0);
	assert_true(json_equal(v, want));
	assert_int_equal(patch_parse_pyliteral("{'a': }", &v), -EINVAL);
	assert_int_equal(patch_parse_pyliteral("{'a': 'b'} trailing", &v), -EINVAL);
	assert_int_equal(patch_parse_pyliteral("{true: 1}", &v), -EINVAL);
}

static void
labels_expect(const char *in, const char *msg_part)
{
	_cleanup_json_ json_t *l = json_loads(in, 0, NULL), *out = NULL;
	_cleanup_free_ char *msg = NULL;
	int r = labels_validate(l, "swarm", 4, &out, &msg);

	if (msg_part == NULL) {
		if (r != 0)
			fail_msg("labels %s refused: %s", in, msg);
		return;
	}
	assert_int_equal(r, -EINVAL);
	if (msg == NULL || strstr(msg, msg_part) == NULL)
		fail_msg("'%s' not in '%s'", msg_part, msg ? msg : "(null)");
}

static void
test_labels(void **state)
{
	_cleanup_json_ json_t *out = NULL, *l = json_loads("{\"n\":5,\"b\":false}", 0, NULL);
	_cleanup_free_ char *msg = NULL;

	(void)state;
	assert_int_equal(labels_validate(l, "swarm", 4, &out, &msg), 0);
	assert_string_equal(json_string_value(json_object_get(out, "n")), "5");
	assert_string_equal(json_string_value(json_object_get(out, "b")), "False");
	labels_expect("{\"flannel_backend\":\"host-gw\",\"flannel_network_cidr\":\"10.1.0.0/16\","
		      "\"flannel_network_subnetlen\":\"20\"}", NULL);
	labels_expect("{\"flannel_backend\":\"gre\"}", "Allowed values: udp, vxlan, host-gw");
	labels_expect("{\"flannel_network_cidr\":\"10.1.0.1/16\"}", "flannel_network_cidr");
	labels_expect("{\"flannel_network_cidr\":\"10.1.0.0/31\"}", "flannel_network_cidr");
	labels_expect("{\"flannel_network_cidr\":\"10.1.0.0/16\",\"flannel_network_subnetlen\":"
		      "\"16\"}", "flannel_network_subnetlen");
	labels_expect("{\"flannel_network_subnetlen\":\"x\"}", "flannel_network_subnetlen");
	labels_expect("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\"}",
		      "Too many labels");
	labels_expect("{\"a\":{\"b\":1}}", "Invalid label a");
	labels_expect("{\"mesos_agent_image_providers\":\"docker\"}", "Docker runtime isolator");
	labels_expect("{\"mesos_agent_isolation\":\"docker/runtime,nope\"}",
		      "with value \"nope\" is not supported");
	labels_expect("{\"mesos_agent_executor_env_variables\":\"{\"}", "Json format error");
}

static void
test_labels_text(void **state)
{
	_cleanup_json_ json_t *out = NULL;
	_cleanup_free_ char *msg = NULL;

	(void)state;
	assert_int_equal(labels_parse_text("a=1,b=x=y;c=", &out, &msg), 0);
	assert_string_equal(json_string_value(json_object_get(out, "b")), "x=y");
	assert_string_equal(json_string_value(json_object_get(out, "c")), "");
	json_decref(out);
	out = NULL;
	assert_int_equal(labels_parse_text("a=1,a=2", &out, &msg), -EINVAL);
	free(msg);
	msg = NULL;
	assert_int_equal(labels_parse_text("novalue", &out, &msg), -EINVAL);
}

static void
test_microversion(void **state)
{
	int ma, mi;

	(void)state;
	assert_int_equal(mv_parse(NULL, 0, 1, 14, &ma, &mi), MV_OK);
	assert_int_equal(mi, 1);
	assert_int_equal(mv_parse("container-infra 1.5", 0, 1, 14, &ma, &mi), MV_OK);
	assert_int_equal(mi, 5);
	assert_int_equal(mv_parse("container-infra latest", 0, 1, 14, &ma, &mi), MV_OK);
	assert_int_equal(mi, 14);
	assert_int_equal(mv_parse("foo LATEST", 0, 1, 14, &ma, &mi), MV_OK);
	assert_int_equal(mv_parse("container-infrastructure-management 1.14", 0, 1, 14, &ma, &mi),
			 MV_OK);
	assert_int_equal(mv_parse("Container-Infra 1.5", 0, 1, 14, &ma, &mi), MV_BAD_SERVICE);
	assert_int_equal(mv_parse("container-infra 1.5, compute 2.1", 0, 1, 14, &ma, &mi),
			 MV_BAD_SERVICE);
	assert_int_equal(mv_parse("container-infra 1.x", 0, 1, 14, &ma, &mi), MV_BAD_VALUE);
	assert_int_equal(mv_parse("container-infra 2.1", 0, 1, 14, &ma, &mi), MV_BAD_MAJOR);
	assert_int_equal(ma, 2);
	assert_int_equal(mv_parse("container-infra 1.15", 0, 1, 14, &ma, &mi), MV_BAD_MINOR);
	assert_int_equal(mv_parse("container-infra 1.0", 0, 1, 14, &ma, &mi), MV_BAD_MINOR);
	assert_int_equal(mv_parse("1.2", 1, 1, 14, &ma, &mi), MV_OK);
	assert_int_equal(mi, 2);
	assert_int_equal(mv_parse("latest", 1, 1, 14, &ma, &mi), MV_OK);
	assert_int_equal(mv_parse("", 0, 1, 14, &ma, &mi), MV_BAD_SERVICE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_ok),
		cmocka_unit_test(test_fields_errors),
		cmocka_unit_test(test_patch),
		cmocka_unit_test(test_pyliteral),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_labels_text),
		cmocka_unit_test(test_microversion),
	};
	return cmocka_run_group_tests_name("parsers", tests, NULL, NULL);
}
