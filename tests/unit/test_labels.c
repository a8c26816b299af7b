/* test_labels.c - label maps: types, limits, flannel and mesos rules, the CLI text form. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/labels.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#define WRONG_TYPE "Wrong type. Expected '(<class 'str'>, (<class 'int'>,), <class 'bool'>, " \
		   "<class 'float'>)', got "
#define ISO_LIST "filesystem/posix, filesystem/linux, filesystem/shared, posix/cpu, posix/mem, " \
		 "posix/disk, cgroups/cpu, cgroups/mem, docker/runtime, namespaces/pid, unspecified"
#define DOCKER_RUNTIME "Docker runtime isolator has to be specified if 'docker' is included in " \
		       "'mesos_agent_image_providers' Please add 'docker/runtime' to " \
		       "'mesos_agent_isolation' labels flags"

/* Validate labels (JSON text) with a cap of 8; want: result JSON, or NULL and msg. */
static void
check(const char *in, const char *want, const char *msg)
{
	_cleanup_json_ json_t *l = json_loads(in, JSON_DECODE_ANY, NULL), *out = NULL;
	_cleanup_json_ json_t *w = want ? json_loads(want, 0, NULL) : NULL;
	_cleanup_free_ char *m = NULL, *got = NULL;
	int r;

	if (l == NULL || (want && w == NULL))
		fail_msg("bad test JSON %s / %s", in, want ? want : "");
	r = labels_validate(l, "kubernetes", 8, &out, &m);
	if (want) {
		if (r != 0)
			fail_msg("%s refused: %s", in, m);
		if (!json_equal(out, w)) {
			got = json_dumps(out, JSON_COMPACT);
			fail_msg("%s: got %s want %s", in, got, want);
		}
		return;
	}
	if (r != -EINVAL)
		fail_msg("%s: expected -EINVAL, got %d", in, r);
	assert_null(out);
	if (m == NULL || strcmp(m, msg) != 0)
		fail_msg("%s:\n got '%s'\nwant '%s'", in, m ? m : "(null)", msg);
}

static void
good(const char *in)
{
	check(in, in, NULL);
}

static void
refused(const char *in, const char *msg)
{
	check(in, NULL, msg);
}

static void
test_shape_and_coercion(void **state)
{
	_cleanup_json_ json_t *out = NULL;
	_cleanup_free_ char *m = NULL;

	(void)state;
	assert_int_equal(labels_validate(NULL, NULL, 8, &out, &m), 0);
	assert_true(json_is_object(out) && json_object_size(out) == 0);
	json_decref(out);
	out = NULL;
	assert_int_equal(labels_validate(json_null(), "swarm", 8, &out, &m), 0);
	assert_true(json_is_object(out) && json_object_size(out) == 0);
	check("{\"s\":\"x\",\"n\":5,\"neg\":-3,\"f\":1.5,\"b\":true,\"c\":false,\"big\":1e16,"
	      "\"e\":\"\"}",
	      "{\"s\":\"x\",\"n\":\"5\",\"neg\":\"-3\",\"f\":\"1.5\",\"b\":\"True\","
	      "\"c\":\"False\",\"big\":\"1e+16\",\"e\":\"\"}", NULL);
	refused("\"a=b\"", "Invalid input for field/attribute labels. Value: 'a=b'. Value not a "
			   "valid dict: a=b");
	refused("[\"a\"]", "Invalid input for field/attribute labels. Value: '['a']'. Value not a "
			   "valid dict: ['a']");
	refused("5", "Invalid input for field/attribute labels. Value: '5'. Value not a valid "
		     "dict: 5");
	refused("{\"a\":{\"b\":1}}", "Invalid label a: '{'b': 1}'. " WRONG_TYPE "'<class 'dict'>'");
	refused("{\"ok\":\"1\",\"l\":[\"x\"]}", "Invalid label l: '['x']'. " WRONG_TYPE
		"'<class 'list'>'");
	refused("{\"z\":null}", "Invalid label z: 'None'. " WRONG_TYPE "'<class 'NoneType'>'");
}

static void
test_limits(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	_cleanup_json_ json_t *l = json_object(), *out = NULL;
	_cleanup_free_ char *m = NULL;
	char key[16];

	(void)state;
	refused("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\",\"f\":\"6\","
		"\"g\":\"7\",\"h\":\"8\",\"i\":\"9\"}",
		"Too many labels: 9 given, at most 8 are allowed");
	good("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\",\"f\":\"6\","
	     "\"g\":\"7\",\"h\":\"8\"}");
	/* 0: no cap */
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(l, key, json_string("v"));
	}
	assert_int_equal(labels_validate(l, NULL, 0, &out, &m), 0);
	assert_int_equal(json_object_size(out), 300);

	refused("{\"\":\"v\"}", "Invalid label name '': it must have 1 to 255 characters");
	/* names: 255 characters (two bytes each here) pass, 256 do not */
	for (int extra = 0; extra < 2; extra++) {
		strbuf_reset(&sb);
		strbuf_puts(&sb, "{\"");
		for (int i = 0; i < 255 + extra; i++)
			strbuf_puts(&sb, "\xc3\xa9");
		strbuf_puts(&sb, "\":\"v\"}");
		if (extra == 0)
			good(sb.buf);
		else
			refused(sb.buf, "Invalid label name: it has 256 characters, it must have 1 "
					"to 255");
	}
	/* values: 4096 characters pass, 4097 do not */
	for (int extra = 0; extra < 2; extra++) {
		strbuf_reset(&sb);
		strbuf_puts(&sb, "{\"k\":\"");
		for (int i = 0; i < 4096 + extra; i++)
			strbuf_puts(&sb, i % 2 ? "x" : "\xc3\xa9");
		strbuf_puts(&sb, "\"}");
		if (extra == 0)
			good(sb.buf);
		else
			refused(sb.buf, "Invalid label k: the value has 4097 characters, at most "
					"4096 are allowed");
	}
	strbuf_free(&sb);
}

static void
test_flannel(void **state)
{
	static const char *const bad_cidrs[] = {
		"10.1.0.1/16", "10.1.0.0/31", "10.1.0.0/32", "10.0.0.0", "10.0.0/8", "10.0.0.0.0/8",
		"256.0.0.0/8", "010.0.0.0/8", "10.0.0.0/+8", "10.0.0.0/ 8", "a.b.c.d/8",
		"10.0.0.0/", "/8", "10..0.0/8", "10.0.0.0/33", "10.0.0.0/0008", " 10.0.0.0/8",
		"10.0.0.0/8 ", "::/64", "",
	};
	char in[128], msg[256];

	(void)state;
	good("{\"flannel_backend\":\"udp\"}");
	good("{\"flannel_backend\":\"vxlan\"}");
	good("{\"flannel_backend\":\"host-gw\",\"flannel_network_cidr\":\"10.1.0.0/16\","
	     "\"flannel_network_subnetlen\":\"20\"}");
	refused("{\"flannel_backend\":\"foo\"}",
		"Invalid label flannel_backend: 'foo'. Allowed values: udp, vxlan, host-gw");
	refused("{\"flannel_backend\":\"UDP\"}",
		"Invalid label flannel_backend: 'UDP'. Allowed values: udp, vxlan, host-gw");
	refused("{\"flannel_backend\":5}",
		"Invalid label flannel_backend: '5'. Allowed values: udp, vxlan, host-gw");

	good("{\"flannel_network_cidr\":\"10.100.0.0/16\"}");
	good("{\"flannel_network_cidr\":\"192.168.0.4/30\"}");
	good("{\"flannel_network_cidr\":\"0.0.0.0/0\"}");
	good("{\"flannel_network_cidr\":\"172.16.0.0/12\"}");
	for (size_t i = 0; i < ARRAY_SIZE(bad_cidrs); i++) {
		snprintf(in, sizeof(in), "{\"flannel_network_cidr\":\"%s\"}", bad_cidrs[i]);
		snprintf(msg, sizeof(msg),
			 "Invalid label flannel_network_cidr: '%s'. Allowed values: "
			 "an IPv4 network a.b.c.d/n with n <= 30 and no host bits set",
			 bad_cidrs[i]);
		refused(in, msg);
	}

	good("{\"flannel_network_cidr\":\"10.1.0.0/16\",\"flannel_network_subnetlen\":\"17\"}");
	good("{\"flannel_network_cidr\":\"10.1.0.0/16\",\"flannel_network_subnetlen\":\"30\"}");
	good("{\"flannel_network_cidr\":\"10.0.0.0/8\",\"flannel_network_subnetlen\":\"9\"}");
	good("{\"flannel_network_subnetlen\":\"24\"}");
	check("{\"flannel_network_subnetlen\":24}", "{\"flannel_network_subnetlen\":\"24\"}", NULL);
	refused("{\"flannel_network_cidr\":\"10.1.0.0/16\",\"flannel_network_subnetlen\":\"16\"}",
		"Invalid label flannel_network_subnetlen: '16'. Allowed values: an integer from 17 "
		"to 30 (subnets must fit inside flannel_network_cidr 10.1.0.0/16)");
	refused("{\"flannel_network_cidr\":\"10.1.0.0/16\",\"flannel_network_subnetlen\":\"31\"}",
		"Invalid label flannel_network_subnetlen: '31'. Allowed values: an integer from 17 "
		"to 30 (subnets must fit inside flannel_network_cidr 10.1.0.0/16)");
	refused("{\"flannel_network_subnetlen\":\"16\"}",
		"Invalid label flannel_network_subnetlen: '16'. Allowed values: an integer from 17 "
		"to 30 (subnets must fit inside flannel_network_cidr 10.100.0.0/16)");
	refused("{\"flannel_network_subnetlen\":\"x\"}",
		"Invalid label flannel_network_subnetlen: 'x'. Allowed values: an integer from 17 "
		"to 30 (subnets must fit inside flannel_network_cidr 10.100.0.0/16)");
	refused("{\"flannel_network_subnetlen\":\"-24\"}",
		"Invalid label flannel_network_subnetlen: '-24'. Allowed values: an integer from "
		"17 "
		"to 30 (subnets must fit inside flannel_network_cidr 10.100.0.0/16)");
	refused("{\"flannel_network_subnetlen\":24.5}",
		"Invalid label flannel_network_subnetlen: '24.5'. Allowed values: an integer from "
		"17 "
		"to 30 (subnets must fit inside flannel_network_cidr 10.100.0.0/16)");
	refused("{\"flannel_network_cidr\":\"10.0.0.0/30\",\"flannel_network_subnetlen\":\"30\"}",
		"Invalid label flannel_network_subnetlen: '30'. Allowed values: none, as no subnet "
		"fits inside flannel_network_cidr 10.0.0.0/30");
	/* the network is checked before the subnet length, the backend before both */
	refused("{\"flannel_network_subnetlen\":\"8\",\"flannel_network_cidr\":\"10.0.0.1/8\"}",
		"Invalid label flannel_network_cidr: '10.0.0.1/8'. Allowed values: an IPv4 network "
		"a.b.c.d/n with n <= 30 and no host bits set");
	refused("{\"flannel_network_cidr\":\"x\",\"flannel_backend\":\"gre\"}",
		"Invalid label flannel_backend: 'gre'. Allowed values: udp, vxlan, host-gw");
	/* type errors come first */
	refused("{\"flannel_backend\":\"gre\",\"x\":{}}", "Invalid label x: '{}'. " WRONG_TYPE
		"'<class 'dict'>'");
}

static void
test_mesos(void **state)
{
	(void)state;
	good("{\"mesos_agent_isolation\":\"filesystem/linux,docker/runtime,namespaces/pid\"}");
	refused("{\"mesos_agent_isolation\":\"docker/runtime,nope\"}",
		"property \"labels/mesos_agent_isolation\" with value \"nope\" is not supported, "
		"supported values are: " ISO_LIST);
	refused("{\"mesos_agent_isolation\":\"a,posix/cpu,b,a\"}",
		"property \"labels/mesos_agent_isolation\" with value \"a, b\" is not supported, "
		"supported values are: " ISO_LIST);
	refused("{\"mesos_agent_isolation\":\"posix/cpu, posix/mem\"}",
		"property \"labels/mesos_agent_isolation\" with value \" posix/mem\" is not "
		"supported, supported values are: " ISO_LIST);
	refused("{\"mesos_agent_isolation\":\"\"}",
		"property \"labels/mesos_agent_isolation\" with value \"\" is not supported, "
		"supported values are: " ISO_LIST);
	refused("{\"mesos_agent_isolation\":\"posix/cpu,\"}",
		"property \"labels/mesos_agent_isolation\" with value \"\" is not supported, "
		"supported values are: " ISO_LIST);

	good("{\"mesos_agent_image_providers\":\"appc\"}");
	good("{\"mesos_agent_image_providers\":\"Docker,APPC\","
	     "\"mesos_agent_isolation\":\"posix/cpu,docker/runtime\"}");
	refused("{\"mesos_agent_image_providers\":\"docker\"}", DOCKER_RUNTIME);
	refused("{\"mesos_agent_image_providers\":\"appc,docker\","
		"\"mesos_agent_isolation\":\"posix/cpu\"}", DOCKER_RUNTIME);
	refused("{\"mesos_agent_image_providers\":\"appc,RKT,x\"}",
		"property \"labels/mesos_agent_image_providers\" with value \"rkt\" is not "
		"supported, supported values are: docker, appc, unspecified");
	/* items in order: docker's rule fires before a later unknown item */
	refused("{\"mesos_agent_image_providers\":\"docker,rkt\"}", DOCKER_RUNTIME);
	/* the isolation list is checked first */
	refused("{\"mesos_agent_image_providers\":\"docker\","
		"\"mesos_agent_isolation\":\"docker/runtimeX\"}",
		"property \"labels/mesos_agent_isolation\" with value \"docker/runtimeX\" is not "
		"supported, supported values are: " ISO_LIST);

	good("{\"mesos_agent_executor_env_variables\":\"{\\\"PATH\\\": \\\"/bin\\\"}\"}");
	good("{\"mesos_agent_executor_env_variables\":\"5\"}");
	refused("{\"mesos_agent_executor_env_variables\":\"{\"}", "Json format error");
	refused("{\"mesos_agent_executor_env_variables\":\"\"}", "Json format error");
	refused("{\"mesos_agent_executor_env_variables\":\"{'a': 1}\"}", "Json format error");
	/* flannel rules come before mesos rules */
	refused("{\"mesos_agent_executor_env_variables\":\"{\",\"flannel_backend\":\"x\"}",
		"Invalid label flannel_backend: 'x'. Allowed values: udp, vxlan, host-gw");
}

/* Parse text; want: the JSON object, or NULL and msg. */
static void
text(const char *in, const char *want, const char *msg)
{
	_cleanup_json_ json_t *out = NULL, *w = want ? json_loads(want, 0, NULL) : NULL;
	_cleanup_free_ char *m = NULL, *got = NULL;
	int r = labels_parse_text(in, &out, &m);

	if (want) {
		if (r != 0)
			fail_msg("<%s> refused: %s", in, m);
		if (!json_equal(out, w)) {
			got = json_dumps(out, JSON_COMPACT);
			fail_msg("<%s>: got %s want %s", in, got, want);
		}
		return;
	}
	if (r != -EINVAL)
		fail_msg("<%s>: expected -EINVAL, got %d", in, r);
	assert_null(out);
	if (m == NULL || strcmp(m, msg) != 0)
		fail_msg("<%s>:\n got '%s'\nwant '%s'", in, m ? m : "(null)", msg);
}

static void
test_parse_text(void **state)
{
	(void)state;
	text("", "{}", NULL);
	text(NULL, "{}", NULL);
	text("a=1", "{\"a\":\"1\"}", NULL);
	text("a=", "{\"a\":\"\"}", NULL);
	text("a=x=y", "{\"a\":\"x=y\"}", NULL);
	/* one '=': commas stay in the value, as magnumclient does */
	text("mesos_agent_isolation=posix/cpu,docker/runtime",
	     "{\"mesos_agent_isolation\":\"posix/cpu,docker/runtime\"}", NULL);
	text("a=1;", "{\"a\":\"1;\"}", NULL);
	text("a=1,b=2;c=3", "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}", NULL);
	text("a=1,b=x=y;c=", "{\"a\":\"1\",\"b\":\"x=y\",\"c\":\"\"}", NULL);
	text("k=\xd0\xb7\xd0\xbd,\xd0\xba=v", "{\"k\":\"\xd0\xb7\xd0\xbd\",\"\xd0\xba\":\"v\"}",
	     NULL);
	text(" a = 1 ", "{\" a \":\" 1 \"}", NULL);
	text("a=1,a=2", NULL, "Label 'a' is given more than once");
	text("novalue", NULL, "labels must be a list of KEY=VALUE not novalue");
	text("a=1,,b=2", NULL, "labels must be a list of KEY=VALUE not ");
	text("a=1,b=2,", NULL, "labels must be a list of KEY=VALUE not ");
	text("a=1,b,c=3", NULL, "labels must be a list of KEY=VALUE not b");
	text("=v", NULL, "labels must be a list of KEY=VALUE not =v");
	text("a=1,=v", NULL, "labels must be a list of KEY=VALUE not =v");
	text("a=\xff", NULL, "labels must be valid UTF-8 text");
	text("\xff=a", NULL, "labels must be valid UTF-8 text");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape_and_coercion),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_flannel),
		cmocka_unit_test(test_mesos),
		cmocka_unit_test(test_parse_text),
	};
	return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
