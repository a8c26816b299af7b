/* fuzz_body.c - the request body decoder (fields_decode) on arbitrary JSON. */
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>

#include "api/fields.h"

static const char *const coes[] = { "kubernetes", "swarm", "mesos", NULL };

static const struct field_spec specs[] = {
	{ "uuid", FT_UUID, 0, 0, 0, NULL, NULL, NULL },
	{ "name", FT_STRING, 0, 1, 242, "^[a-zA-Z][a-zA-Z0-9_.-]*$", NULL, NULL },
	{ "coe", FT_STRING, 0, 0, 0, NULL, coes, NULL },
	{ "image_id", FT_STRING, F_MANDATORY, 1, 255, NULL, NULL, NULL },
	{ "node_count", FT_INT, 0, 1, 100, NULL, NULL, "1" },
	{ "public", FT_BOOL, 0, 0, 0, NULL, NULL, "false" },
	{ "labels", FT_DICT, 0, 0, 0, NULL, NULL, NULL },
	{ "nodes", FT_LIST, 0, 0, 0, NULL, NULL, NULL },
	{ "links", FT_ANY, F_READONLY, 0, 0, NULL, NULL, NULL },
	{ "status", FT_ANY, F_IGNORED, 0, 0, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *out = NULL;
	char *msg = NULL;

	if (body == NULL)
		return 0;
	if (fields_decode(specs, "baymodel", body, &out, &msg) == 0) {
		/* Every decoded field is known and normalised. */
		const char *k;
		json_t *v;
		json_object_foreach(out, k, v)
			if (fields_find(specs, k) == NULL)
				abort();
		json_decref(out);
	} else if (msg == NULL) {
		abort();	/* a refusal always explains itself */
	}
	free(msg);
	json_decref(body);
	return 0;
}
