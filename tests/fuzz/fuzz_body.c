/*
 * fuzz_body.c - the request body decoder (fields_decode) on arbitrary JSON,
 * against a baymodel-like field table; also the Python renderers, checked
 * against the Python literal parser (repr must read back to the same value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/fields.h"
#include "api/patch.h"

static const char *const coes[] = { "kubernetes", "swarm", "mesos", NULL };
static const char *const storage[] = { "devicemapper", "overlay", NULL };
static const char *const servers[] = { "vm", "bm", NULL };

static const struct field_spec specs[] = {
	{ "uuid", FT_UUID, 0, 0, 0, NULL, NULL, NULL },
	{ "name", FT_STRING, 0, 1, 242, "^[a-zA-Z][a-zA-Z0-9_.-]*$", NULL, NULL },
	{ "coe", FT_STRING, F_MANDATORY, 0, 0, NULL, coes, NULL },
	{ "image_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
	{ "keypair_id", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
	{ "flavor_id", FT_STRING, 0, 1, 255, NULL, NULL, NULL },
	{ "dns_nameserver", FT_STRING, 0, 1, 255, "^[0-9]{1,3}(\\.[0-9]{1,3}){3}$", NULL, NULL },
	{ "apiserver_port", FT_INT, 0, 1024, 65535, NULL, NULL, NULL },
	{ "docker_volume_size", FT_INT, 0, 1, 0, NULL, NULL, NULL },
	{ "docker_storage_driver", FT_STRING, 0, 0, 0, NULL, storage, NULL },
	{ "server_type", FT_STRING, 0, 0, 0, NULL, servers, "\"vm\"" },
	{ "master_count", FT_INT, 0, 1, 100, NULL, NULL, "1" },
	{ "public", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
	{ "tls_disabled", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
	{ "labels", FT_DICT, 0, 0, 0, NULL, NULL, NULL },
	{ "node_taints", FT_LIST, 0, 0, 0, NULL, NULL, NULL },
	{ "extra", FT_ANY, 0, 0, 0, NULL, NULL, NULL },
	{ "links", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ "created_at", FT_ANY, F_READONLY | F_IGNORED, 0, 0, NULL, NULL, NULL },
	{ "status", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

/* A decoded value always has the field's type (or is null). */
static void
check_decoded(const struct field_spec *s, json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_null(v))
		return;
	switch (s->type) {
	case FT_STRING:
	case FT_UUID:
		if (!json_is_string(v))
			abort();
		if (s->max > 0 && fields_char_count(json_string_value(v)) > (size_t)s->max)
			abort();
		break;
	case FT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < s->min ||
		    (s->max > 0 && json_integer_value(v) > s->max))
			abort();
		break;
	case FT_BOOL:
		if (!json_is_boolean(v))
			abort();
		break;
	case FT_DICT:
		if (!json_is_object(v))
			abort();
		json_object_foreach(v, k, e)
			if (!json_is_string(e))
				abort();
		break;
	case FT_LIST:
		if (!json_is_array(v))
			abort();
		json_array_foreach(v, i, e)
			if (!json_is_string(e))
				abort();
		break;
	case FT_ANY:
		break;
	}
}

/* repr() reads back as the same value through the Python literal parser. */
static void
check_repr(json_t *v)
{
	char *r = fields_py_repr(v), *s = fields_py_str(v);
	json_t *back = NULL;

	if (r == NULL || s == NULL)
		abort();
	if (patch_parse_pyliteral(r, &back) == 0) {
		if (!json_equal(back, v))
			abort();
		json_decref(back);
	} else if (!json_is_object(v) && !json_is_array(v)) {
		abort();	/* scalars always read back (nesting may exceed the limit) */
	}
	free(r);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *out = NULL;
	char *msg = NULL;
	const char *k;
	json_t *v;
	int r;

	if (body == NULL)
		return 0;
	r = fields_decode(specs, "baymodel", body, &out, &msg);
	if (r == 0) {
		if (msg != NULL)
			abort();
		json_object_foreach(out, k, v) {
			const struct field_spec *s = fields_find(specs, k);
			if (s == NULL || (s->flags & (F_READONLY | F_IGNORED)))
				abort();
			check_decoded(s, v);
		}
		json_decref(out);
	} else if (msg == NULL) {
		abort();	/* a refusal always explains itself */
	}
	free(msg);
	msg = NULL;

	/* every value of the body against every field type */
	if (json_is_object(body))
		json_object_foreach(body, k, v)
			for (const struct field_spec *s = specs; s->name; s++) {
				out = NULL;
				if (fields_check_value(s, v, &out, &msg) == 0) {
					check_decoded(s, out);
					json_decref(out);
				} else if (msg == NULL) {
					abort();
				}
				free(msg);
				msg = NULL;
			}
	check_repr(body);
	json_decref(body);
	return 0;
}
