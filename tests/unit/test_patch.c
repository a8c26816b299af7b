/* test_patch.c - JSON-Patch with Magnum's rules (both eras) and the Python literal parser. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/patch.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

static const char *const internal[] = { "/uuid", "/created_at", NULL };
static const char *const mandatory[] = { "/image_id", NULL };
static const char *const dicts[] = { "/labels", "/nodes", NULL };

#define DOC "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null," \
	    "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":null," \
	    "\"nodes\":[\"x\",\"y\"]}"

/* Apply patch (JSON text) to doc; era: 0 bay, 1 cluster. want: JSON result or NULL. */
static void
run(const char *doc, const char *patch, int cluster, const char *want, const char *msg)
{
	_cleanup_json_ json_t *d = json_loads(doc, 0, NULL);
	_cleanup_json_ json_t *p = json_loads(patch, JSON_DECODE_ANY, NULL);
	_cleanup_json_ json_t *defaults = json_pack("{s:i}", "node_count", 1), *out = NULL;
	_cleanup_json_ json_t *w = want ? json_loads(want, 0, NULL) : NULL;
	_cleanup_json_ json_t *before = NULL;
	_cleanup_free_ char *m = NULL, *got = NULL;
	struct patch_rules rules = { internal, mandatory, dicts, cluster != 0, defaults };
	int r;

	if (d == NULL || p == NULL || (want && w == NULL))
		fail_msg("bad test JSON: %s / %s / %s", doc, patch, want ? want : "");
	before = json_deep_copy(d);
	r = patch_apply(d, p, &rules, &out, &m);
	assert_true(json_equal(d, before));		/* the input is never modified */
	if (want) {
		if (r != 0)
			fail_msg("%s refused: %s", patch, m);
		assert_null(m);
		if (!json_equal(out, w)) {
			got = json_dumps(out, JSON_COMPACT);
			fail_msg("%s:\n got %s\nwant %s", patch, got, want);
		}
		return;
	}
	if (r != -EINVAL)
		fail_msg("%s: expected -EINVAL, got %d", patch, r);
	assert_null(out);
	assert_non_null(m);
	if (strcmp(m, msg) != 0)
		fail_msg("%s:\n got '%s'\nwant '%s'", patch, m, msg);
}

static void
ok(const char *patch, const char *want)
{
	run(DOC, patch, 0, want, NULL);
}

static void
bad(const char *patch, const char *msg)
{
	run(DOC, patch, 0, NULL, msg);
}

static void
test_replace_add_remove(void **state)
{
	(void)state;
	ok("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"b\"}]",
	   "{\"uuid\":\"u\",\"name\":\"b\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	ok("[]", DOC);
	/* add on a null attribute; values stay as sent (the caller re-types them) */
	ok("[{\"op\":\"add\",\"path\":\"/http_proxy\",\"value\":\"http://p\"},"
	   "{\"op\":\"replace\",\"path\":\"/node_count\",\"value\":\"5\"},"
	   "{\"op\":\"replace\",\"path\":\"/public\",\"value\":true}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":\"http://p\","
	   "\"node_count\":\"5\",\"public\":true,\"labels\":{\"k\":\"v\"},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	/* remove: the default when there is one, else null */
	ok("[{\"op\":\"remove\",\"path\":\"/node_count\"},{\"op\":\"remove\",\"path\":\"/name\"},"
	   "{\"op\":\"remove\",\"path\":\"/public\"},{\"op\":\"remove\",\"path\":\"/labels\"}]",
	   "{\"uuid\":\"u\",\"name\":null,\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":1,\"public\":null,\"labels\":null,\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	/* remove of a null attribute is fine */
	ok("[{\"op\":\"remove\",\"path\":\"/tags\"}]", DOC);
	/* remove then add of a null attribute in one patch */
	ok("[{\"op\":\"remove\",\"path\":\"/tags\"},{\"op\":\"add\",\"path\":\"/tags\","
	   "\"value\":\"t\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":\"t\","
	   "\"nodes\":[\"x\",\"y\"]}");
	/* replace of a mandatory path is fine */
	ok("[{\"op\":\"replace\",\"path\":\"/image_id\",\"value\":\"j\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"j\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
}

static void
test_root_rules(void **state)
{
	(void)state;
	bad("[{\"op\":\"add\",\"path\":\"/name\",\"value\":\"b\"}]",
	    "The attribute /name has existed, please use 'replace' operation instead.");
	bad("[{\"op\":\"add\",\"path\":\"/zz\",\"value\":\"b\"}]",
	    "Adding a new attribute /zz to the root of the resource is not allowed.");
	/* checked against the original document, before anything applies */
	bad("[{\"op\":\"remove\",\"path\":\"/name\"},{\"op\":\"add\",\"path\":\"/name\","
	    "\"value\":\"b\"}]",
	    "The attribute /name has existed, please use 'replace' operation instead.");
	bad("[{\"op\":\"replace\",\"path\":\"/zz\",\"value\":\"b\"}]",
	    "Couldn't apply patch '[{'path': '/zz', 'op': 'replace', 'value': 'b'}]'. Reason: "
	    "can't replace a non-existent object 'zz'");
	bad("[{\"op\":\"remove\",\"path\":\"/zz\"}]",
	    "Couldn't apply patch '[{'path': '/zz', 'op': 'remove'}]'. Reason: can't remove a "
	    "non-existent object 'zz'");
	/* ops apply in order: a removed attribute cannot be replaced */
	bad("[{\"op\":\"remove\",\"path\":\"/http_proxy\"},{\"op\":\"replace\","
	    "\"path\":\"/http_proxy\",\"value\":\"x\"}]",
	    "Couldn't apply patch '[{'path': '/http_proxy', 'op': 'remove'}, {'path': "
	    "'/http_proxy', 'op': 'replace', 'value': 'x'}]'. Reason: can't replace a "
	    "non-existent object 'http_proxy'");
}

static void
test_internal_and_mandatory(void **state)
{
	(void)state;
	bad("[{\"op\":\"replace\",\"path\":\"/uuid\",\"value\":\"x\"}]",
	    "'/uuid' is an internal attribute and can not be updated");
	bad("[{\"op\":\"remove\",\"path\":\"/created_at\"}]",
	    "'/created_at' is an internal attribute and can not be updated");
	bad("[{\"op\":\"remove\",\"path\":\"/image_id\"}]",
	    "'/image_id' is a mandatory attribute and can not be removed");
	/* the first failing op wins */
	bad("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"b\"},"
	    "{\"op\":\"remove\",\"path\":\"/image_id\"},{\"op\":\"bogus\",\"path\":\"/x\"}]",
	    "'/image_id' is a mandatory attribute and can not be removed");
}

static void
test_falsy_values(void **state)
{
	static const char *const falsy[] = { "\"\"", "0", "false", "null" };
	char patch[128];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(falsy); i++) {
		snprintf(patch, sizeof(patch), "[{\"op\":\"replace\",\"path\":\"/name\","
					       "\"value\":%s}]", falsy[i]);
		bad(patch, "'add' and 'replace' operations needs value");
		snprintf(patch, sizeof(patch), "[{\"op\":\"add\",\"path\":\"/tags\",\"value\":%s}]",
			 falsy[i]);
		bad(patch, "'add' and 'replace' operations needs value");
	}
	bad("[{\"op\":\"replace\",\"path\":\"/name\"}]",
	    "'add' and 'replace' operations needs value");
	/* cluster era: "", 0 and false are values; null and absent are not */
	run(DOC, "[{\"op\":\"replace\",\"path\":\"/public\",\"value\":false},"
		 "{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"\"},"
		 "{\"op\":\"replace\",\"path\":\"/node_count\",\"value\":0}]", 1,
	    "{\"uuid\":\"u\",\"name\":\"\",\"image_id\":\"i\",\"http_proxy\":null,"
	    "\"node_count\":0,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":null,"
	    "\"nodes\":[\"x\",\"y\"]}", NULL);
	run(DOC, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":null}]", 1, NULL,
	    "'add' and 'replace' operations needs value");
	run(DOC, "[{\"op\":\"add\",\"path\":\"/tags\"}]", 1, NULL,
	    "'add' and 'replace' operations needs value");
	/* a remove needs no value */
	run(DOC, "[{\"op\":\"remove\",\"path\":\"/tags\",\"value\":null}]", 1, DOC, NULL);
	/* the repr shows a falsy value in the cluster era only */
	run(DOC, "[{\"op\":\"replace\",\"path\":\"/zz\",\"value\":false}]", 1, NULL,
	    "Couldn't apply patch '[{'path': '/zz', 'op': 'replace', 'value': False}]'. Reason: "
	    "can't replace a non-existent object 'zz'");
	bad("[{\"op\":\"remove\",\"path\":\"/zz\",\"value\":\"\"}]",
	    "Couldn't apply patch '[{'path': '/zz', 'op': 'remove'}]'. Reason: can't remove a "
	    "non-existent object 'zz'");
	bad("[{\"op\":\"remove\",\"path\":\"/zz\",\"value\":7}]",
	    "Couldn't apply patch '[{'path': '/zz', 'op': 'remove', 'value': 7}]'. Reason: can't "
	    "remove a non-existent object 'zz'");
}

static void
test_op_and_path_checks(void **state)
{
	(void)state;
	bad("[{\"op\":\"move\",\"path\":\"/name\",\"value\":\"x\"}]", "Invalid input for "
	    "field/attribute op. Value: 'move'. Value should be one of: add, replace, remove");
	bad("[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"a\"}]", "Invalid input for "
	    "field/attribute op. Value: 'test'. Value should be one of: add, replace, remove");
	bad("[{\"op\":\"Add\",\"path\":\"/name\",\"value\":\"a\"}]", "Invalid input for "
	    "field/attribute op. Value: 'Add'. Value should be one of: add, replace, remove");
	bad("[{\"op\":5,\"path\":\"/name\",\"value\":\"a\"}]", "Invalid input for "
	    "field/attribute op. Value: '5'. Value should be one of: add, replace, remove");
	bad("[{\"path\":\"/name\",\"value\":\"a\"}]", "Invalid input for field/attribute op. "
	    "Value: 'None'. Mandatory field missing.");
	bad("[{\"op\":null,\"path\":\"/name\",\"value\":\"a\"}]", "Invalid input for "
	    "field/attribute op. Value: 'None'. Mandatory field missing.");
	/* the path is checked before the op (declaration order) */
	bad("[{\"op\":\"frob\",\"value\":\"a\"}]", "Invalid input for field/attribute path. "
	    "Value: 'None'. Mandatory field missing.");
	bad("[{\"op\":\"add\",\"path\":5,\"value\":\"a\"}]", "Invalid input for field/attribute "
	    "path. Value: '5'. Value should be string");
	{
		static const char *const paths[] = { "name", "/", "//name", "/name/", "/a.b",
						     "/labels//k", "/na me", "/name\\n", "",
						     "/~0", "/a$" };
		char patch[128], msg[256];

		for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
			_cleanup_json_ json_t *pj = NULL;

			snprintf(patch, sizeof(patch), "\"%s\"", paths[i]);
			pj = json_loads(patch, JSON_DECODE_ANY, NULL);
			assert_non_null(pj);
			snprintf(patch, sizeof(patch),
				 "[{\"op\":\"replace\",\"path\":\"%s\",\"value\":\"x\"}]",
				 paths[i]);
			snprintf(msg, sizeof(msg), "Invalid input for field/attribute path. Value: "
				 "'%s'. Value should match the pattern ^(/[\\w-]+)+$",
				 json_string_value(pj));
			bad(patch, msg);
		}
	}
	/* unicode "word" characters are fine, as in Python */
	ok("[{\"op\":\"add\",\"path\":\"/labels/"
	   "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\",\"value\":\"v\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\",\"\xd0\xba\xd0\xbb\xd1\x8e"
	   "\xd1\x87\":\"v\"},\"tags\":null,\"nodes\":[\"x\",\"y\"]}");
}

static void
test_value_types_and_shape(void **state)
{
	(void)state;
	bad("[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":{\"k\":\"v\"}}]",
	    "Invalid input for field/attribute value. Value: '{'k': 'v'}'. Wrong type. Expected "
	    "'(<class 'str'>, <class 'int'>)', got '<class 'dict'>'");
	bad("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":[1]}]",
	    "Invalid input for field/attribute value. Value: '[1]'. Wrong type. Expected "
	    "'(<class 'str'>, <class 'int'>)', got '<class 'list'>'");
	bad("[{\"op\":\"replace\",\"path\":\"/node_count\",\"value\":1.5}]",
	    "Invalid input for field/attribute value. Value: '1.5'. Wrong type. Expected "
	    "'(<class 'str'>, <class 'int'>)', got '<class 'float'>'");
	/* the type is checked for remove too, and before internal paths */
	bad("[{\"op\":\"remove\",\"path\":\"/uuid\",\"value\":{}}]",
	    "Invalid input for field/attribute value. Value: '{}'. Wrong type. Expected "
	    "'(<class 'str'>, <class 'int'>)', got '<class 'dict'>'");
	/* sample 5i: the op fails before the value */
	bad("[{\"op\":\"frob\",\"path\":\"/labels\",\"value\":{}}]", "Invalid input for "
	    "field/attribute op. Value: 'frob'. Value should be one of: add, replace, remove");
	bad("[{\"op\":\"move\",\"path\":\"/a\",\"from\":\"/b\"}]",
	    "Unknown attribute for argument patch: from");
	bad("[{\"op\":\"add\",\"path\":\"/a\",\"zz\":1,\"from\":\"/b\",\"value\":\"x\"}]",
	    "Unknown attributes for argument patch: from, zz");
	bad("{\"op\":\"add\"}", "Invalid input for field/attribute patch. Value: '{'op': 'add'}'. "
	    "Value not a valid list: {'op': 'add'}");
	bad("\"x\"",
	    "Invalid input for field/attribute patch. Value: 'x'. Value not a valid list: x");
	bad("[5]",
	    "Invalid input for field/attribute patch. Value: '[5]'. Value not a valid dict: 5");
	bad("[null]", "Invalid input for field/attribute patch. Value: '[None]'. Value not a valid "
	    "dict: None");
}

static void
test_nested(void **state)
{
	(void)state;
	ok("[{\"op\":\"add\",\"path\":\"/labels/x\",\"value\":\"y\"},"
	   "{\"op\":\"replace\",\"path\":\"/labels/k\",\"value\":5},"
	   "{\"op\":\"add\",\"path\":\"/labels/x\",\"value\":\"z\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":5,\"x\":\"z\"},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	ok("[{\"op\":\"remove\",\"path\":\"/labels/k\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	bad("[{\"op\":\"remove\",\"path\":\"/labels/none\"}]",
	    "Couldn't apply patch '[{'path': '/labels/none', 'op': 'remove'}]'. Reason: can't "
	    "remove a non-existent object 'none'");
	bad("[{\"op\":\"replace\",\"path\":\"/labels/none\",\"value\":\"v\"}]",
	    "Couldn't apply patch '[{'path': '/labels/none', 'op': 'replace', 'value': 'v'}]'. "
	    "Reason: can't replace a non-existent object 'none'");
	/* nesting only below dict attributes */
	bad("[{\"op\":\"replace\",\"path\":\"/name/x\",\"value\":\"v\"}]",
	    "Couldn't apply patch '[{'path': '/name/x', 'op': 'replace', 'value': 'v'}]'. Reason: "
	    "unable to fully resolve json pointer /name/x, part x");
	run("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/nope/x\",\"value\":\"v\"}]", 0, NULL,
	    "Couldn't apply patch '[{'path': '/nope/x', 'op': 'add', 'value': 'v'}]'. Reason: "
	    "member 'nope' not found in {'a': 1}");
	/* deeper paths */
	bad("[{\"op\":\"add\",\"path\":\"/labels/k/z\",\"value\":\"v\"}]",
	    "Couldn't apply patch '[{'path': '/labels/k/z', 'op': 'add', 'value': 'v'}]'. Reason: "
	    "unable to fully resolve json pointer /labels/k/z, part z");
	bad("[{\"op\":\"add\",\"path\":\"/labels/q/z\",\"value\":\"v\"}]",
	    "Couldn't apply patch '[{'path': '/labels/q/z', 'op': 'add', 'value': 'v'}]'. Reason: "
	    "member 'q' not found in {'k': 'v'}");
	/* add below a null dict attribute creates the map */
	run("{\"labels\":null}", "[{\"op\":\"add\",\"path\":\"/labels/a\",\"value\":\"b\"}]", 0,
	    "{\"labels\":{\"a\":\"b\"}}", NULL);
	run("{\"labels\":null}", "[{\"op\":\"replace\",\"path\":\"/labels/a\",\"value\":\"b\"}]", 0,
	    NULL, "Couldn't apply patch '[{'path': '/labels/a', 'op': 'replace', 'value': 'b'}]'. "
	    "Reason: unable to fully resolve json pointer /labels/a, part a");
}

static void
test_arrays(void **state)
{
	const char *pre = "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
			  "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},"
			  "\"tags\":null,\"nodes\":";
	char want[512];

	(void)state;
	snprintf(want, sizeof(want), "%s[\"z\",\"y\",\"w\"]}", pre);
	ok("[{\"op\":\"replace\",\"path\":\"/nodes/0\",\"value\":\"z\"},"
	   "{\"op\":\"add\",\"path\":\"/nodes/-\",\"value\":\"w\"}]", want);
	snprintf(want, sizeof(want), "%s[\"y\"]}", pre);
	ok("[{\"op\":\"remove\",\"path\":\"/nodes/0\"}]", want);
	snprintf(want, sizeof(want), "%s[\"x\",\"q\",\"y\"]}", pre);
	ok("[{\"op\":\"add\",\"path\":\"/nodes/1\",\"value\":\"q\"}]", want);
	bad("[{\"op\":\"add\",\"path\":\"/nodes/5\",\"value\":\"q\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/5', 'op': 'add', 'value': 'q'}]'. Reason: "
	    "can't insert outside of list");
	bad("[{\"op\":\"replace\",\"path\":\"/nodes/2\",\"value\":\"q\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/2', 'op': 'replace', 'value': 'q'}]'. Reason: "
	    "can't replace outside of list");
	bad("[{\"op\":\"remove\",\"path\":\"/nodes/9\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/9', 'op': 'remove'}]'. Reason: can't remove a "
	    "non-existent object '9'");
	bad("[{\"op\":\"remove\",\"path\":\"/nodes/01\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/01', 'op': 'remove'}]'. Reason: '01' is not a "
	    "valid sequence index");
	bad("[{\"op\":\"replace\",\"path\":\"/nodes/-\",\"value\":\"q\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/-', 'op': 'replace', 'value': 'q'}]'. Reason: "
	    "'path' with '-' can't be applied to 'replace' operation");
	bad("[{\"op\":\"remove\",\"path\":\"/nodes/-\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/-', 'op': 'remove'}]'. Reason: invalid array "
	    "index '-'");
	bad("[{\"op\":\"add\",\"path\":\"/nodes/99999999999/x\",\"value\":\"q\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/99999999999/x', 'op': 'add', 'value': 'q'}]'. "
	    "Reason: '99999999999' is not a valid sequence index");
	bad("[{\"op\":\"add\",\"path\":\"/nodes/7/x\",\"value\":\"q\"}]",
	    "Couldn't apply patch '[{'path': '/nodes/7/x', 'op': 'add', 'value': 'q'}]'. "
	    "Reason: index '7' is out of bounds");
}

static void
test_dict_literals(void **state)
{
	(void)state;
	ok("[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":\"{'a': 'b', 'n': 1}\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"a\":\"b\",\"n\":1},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	ok("[{\"op\":\"replace\",\"path\":\"/nodes\",\"value\":\"['p', 'q']\"}]",
	   "{\"uuid\":\"u\",\"name\":\"a\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":null,"
	   "\"nodes\":[\"p\",\"q\"]}");
	bad("[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":\"{'a': true}\"}]",
	    "Couldn't apply patch '[{'path': '/labels', 'op': 'replace', 'value': \"{'a': "
	    "true}\"}]'"
	    ". Reason: malformed node or string");
	bad("[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":\"a=b\"}]",
	    "Couldn't apply patch '[{'path': '/labels', 'op': 'replace', 'value': 'a=b'}]'. "
	    "Reason: malformed node or string");
	/* not a dict path, or an add: the string stays a string */
	ok("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"{'a': 'b'}\"}]",
	   "{\"uuid\":\"u\",\"name\":\"{'a': 'b'}\",\"image_id\":\"i\",\"http_proxy\":null,"
	   "\"node_count\":3,\"public\":false,\"labels\":{\"k\":\"v\"},\"tags\":null,"
	   "\"nodes\":[\"x\",\"y\"]}");
	run("{\"labels\":null}", "[{\"op\":\"add\",\"path\":\"/labels\",\"value\":\"{'a': 'b'}\"}]",
	    1, "{\"labels\":\"{'a': 'b'}\"}", NULL);
	/* a JSON integer replace on a dict path is kept (the caller type-checks) */
	run("{\"labels\":{}}", "[{\"op\":\"replace\",\"path\":\"/labels\",\"value\":5}]", 1,
	    "{\"labels\":5}", NULL);
}

static void
test_no_rules(void **state)
{
	_cleanup_json_ json_t *d = json_pack("{s:s, s:n}", "a", "x", "b");
	_cleanup_json_ json_t *p = json_loads("[{\"op\":\"remove\",\"path\":\"/a\"},"
					      "{\"op\":\"add\",\"path\":\"/b\",\"value\":\"y\"}]",
					      0, NULL), *out = NULL;
	_cleanup_json_ json_t *arr = json_array();
	_cleanup_free_ char *m = NULL;

	(void)state;
	assert_int_equal(patch_apply(d, p, NULL, &out, &m), 0);
	assert_true(json_is_null(json_object_get(out, "a")));
	assert_string_equal(json_string_value(json_object_get(out, "b")), "y");
	json_decref(out);
	out = NULL;
	assert_int_equal(patch_apply(arr, p, NULL, &out, &m), -EINVAL);
	assert_non_null(m);
}

/* Parse s; want is the JSON text of the result, or NULL for -EINVAL. */
static void
lit(const char *s, const char *want)
{
	_cleanup_json_ json_t *v = NULL, *w = want ? json_loads(want, JSON_DECODE_ANY, NULL) : NULL;
	_cleanup_free_ char *got = NULL;
	int r = patch_parse_pyliteral(s, &v);

	if (want == NULL) {
		if (r != -EINVAL)
			fail_msg("<%s> should be refused (got %d)", s, r);
		return;
	}
	if (w == NULL)
		fail_msg("bad test JSON %s", want);
	if (r != 0)
		fail_msg("<%s> refused", s);
	if (!json_equal(v, w)) {
		got = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fail_msg("<%s>: got %s want %s", s, got, want);
	}
}

static void
test_pyliteral(void **state)
{
	struct strbuf deep = STRBUF_INIT;

	(void)state;
	lit("{'a': 'b', 'n': 1, 'l': [True, False, None], 'q': \"x'y\"}",
	    "{\"a\":\"b\",\"n\":1,\"l\":[true,false,null],\"q\":\"x'y\"}");
	lit("{u'k': u'v'}", "{\"k\":\"v\"}");
	lit("{}", "{}");
	lit("[]", "[]");
	lit("()", "[]");
	lit("(1,)", "[1]");
	lit("(1, 2)", "[1,2]");
	lit("(1)", "1");
	lit("((('x')))", "\"x\"");
	lit("  {'a': 1,}  # comment", "{\"a\":1}");
	lit("[1, 2,]", "[1,2]");
	lit("{'a':\n  'b'}", "{\"a\":\"b\"}");
	lit("'a' 'b' \"c\"", "\"abc\"");
	lit("'''tri'ple'''", "\"tri'ple\"");
	lit("\"\"\"x\ny\"\"\"", "\"x\\ny\"");
	lit("'\\n\\t\\\\\\'\\x41\\u00e9\\U0001F600\\101\\q'",
	    "\"\\n\\t\\\\'A\\u00e9\\ud83d\\ude00A\\\\q\"");
	lit("r'\\n'", "\"\\\\n\"");
	lit("'\xc3\xa9'", "\"\\u00e9\"");
	lit("-5", "-5");
	lit("- 5", "-5");
	lit("+5", "5");
	lit("1_000", "1000");
	lit("0x1F", "31");
	lit("0o17", "15");
	lit("0b101", "5");
	lit("0", "0");
	lit("00", "0");
	lit("9223372036854775807", "9223372036854775807");
	lit("-9223372036854775808", "-9223372036854775808");
	lit("1.5", "1.5");
	lit("-2e3", "-2000.0");
	lit(".5", "0.5");
	lit("5.", "5.0");
	lit("1_0.2_5", "10.25");
	lit("{'a': {'b': [1, {'c': None}]}}", "{\"a\":{\"b\":[1,{\"c\":null}]}}");
	lit("{'a': 1, 'a': 2}", "{\"a\":2}");

	lit("", NULL);
	lit("   ", NULL);
	lit("{'a': }", NULL);
	lit("{'a': 'b'} trailing", NULL);
	lit("{true: 1}", NULL);
	lit("{'a': true}", NULL);
	lit("null", NULL);
	lit("{1: 2}", NULL);
	lit("{'a'}", NULL);
	lit("{'a', 'b'}", NULL);
	lit("b'x'", NULL);
	lit("f'x'", NULL);
	lit("1j", NULL);
	lit("1+2j", NULL);
	lit("012", NULL);
	lit("1__0", NULL);
	lit("1_", NULL);
	lit("--1", NULL);
	lit("-True", NULL);
	lit("'\\x00'", NULL);
	lit("'\\0'", NULL);
	lit("'\\ud800'", NULL);
	lit("'\\U00110000'", NULL);
	lit("'\\x4'", NULL);
	lit("'\\N{DASH}'", NULL);
	lit("9223372036854775808", NULL);
	lit("-9223372036854775809", NULL);
	lit("0x10000000000000000", NULL);
	lit("1e999", NULL);
	lit("1e", NULL);
	lit("'abc", NULL);
	lit("'a\nb'", NULL);
	lit("'''abc''", NULL);
	lit("Truex", NULL);
	lit("Nonee", NULL);
	lit("[1 2]", NULL);
	lit("{'a': 1 'b': 2}", NULL);
	lit("[1,,2]", NULL);
	lit("(,)", NULL);
	lit("{**x}", NULL);
	lit("'\xff'", NULL);
	lit("x", NULL);
	assert_int_equal(patch_parse_pyliteral(NULL, NULL), -EINVAL);

	/* nesting: 100 levels pass, 101 do not */
	for (int i = 0; i < 100; i++)
		strbuf_puts(&deep, "[");
	for (int i = 0; i < 100; i++)
		strbuf_puts(&deep, "]");
	{
		json_t *v = NULL;
		assert_int_equal(patch_parse_pyliteral(deep.buf, &v), 0);
		json_decref(v);
	}
	strbuf_reset(&deep);
	for (int i = 0; i < 101; i++)
		strbuf_puts(&deep, "[");
	for (int i = 0; i < 101; i++)
		strbuf_puts(&deep, "]");
	lit(deep.buf, NULL);
	strbuf_free(&deep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace_add_remove),
		cmocka_unit_test(test_root_rules),
		cmocka_unit_test(test_internal_and_mandatory),
		cmocka_unit_test(test_falsy_values),
		cmocka_unit_test(test_op_and_path_checks),
		cmocka_unit_test(test_value_types_and_shape),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_dict_literals),
		cmocka_unit_test(test_no_rules),
		cmocka_unit_test(test_pyliteral),
	};
	return cmocka_run_group_tests_name("patch", tests, NULL, NULL);
}
