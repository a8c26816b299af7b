/*
 * fuzz_patch.c - the JSON-Patch applier in both eras. The input is a JSON
 * array [doc, patch], or else two JSON texts: the first half of the bytes is
 * the document, the second half the patch. The raw bytes also go through the
 * Python literal parser, whose result must survive a repr() round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/fields.h"
#include "api/patch.h"

static void
run(json_t *doc, json_t *patch)
{
	static const char *const internal[] = { "/uuid", "/id", "/created_at", NULL };
	static const char *const mandatory[] = { "/image_id", "/coe", NULL };
	static const char *const dicts[] = { "/labels", "/node_taints", NULL };
	json_t *defaults = json_pack("{s:i, s:b}", "node_count", 1, "master_lb_enabled", 0);

	for (int era = 0; era < 3; era++) {
		struct patch_rules rules = { internal, mandatory, dicts, era == 1, defaults };
		json_t *out = NULL;
		char *msg = NULL;
		const char *k;
		json_t *v;
		int r = patch_apply(doc, patch, era == 2 ? NULL : &rules, &out, &msg);

		if (r == 0) {
			/* the attributes never change: no new root key, removed ones come back */
			if (!json_is_object(out) || msg != NULL ||
			    json_object_size(out) != json_object_size(doc))
				abort();
			json_object_foreach(doc, k, v)
				if (json_object_get(out, k) == NULL)
					abort();
			json_decref(out);
		} else if (msg == NULL || out != NULL) {
			abort();
		}
		free(msg);
	}
	json_decref(defaults);
}

static void
literal(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *r;
	json_t *v = NULL, *back = NULL;

	if (s == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	if (patch_parse_pyliteral(s, &v) == 0) {
		r = fields_py_repr(v);
		if (r == NULL || patch_parse_pyliteral(r, &back) != 0 || !json_equal(v, back))
			abort();
		json_decref(back);
		free(r);
		json_decref(v);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);

	if (in && json_is_array(in) && json_array_size(in) == 2 &&
	    json_is_object(json_array_get(in, 0))) {
		run(json_array_get(in, 0), json_array_get(in, 1));
	} else if (in == NULL && size >= 2) {
		json_t *doc = json_loadb((const char *)data, size / 2, JSON_DECODE_ANY, NULL);
		json_t *patch = json_loadb((const char *)data + size / 2, size - size / 2,
					   JSON_DECODE_ANY, NULL);

		if (json_is_object(doc) && patch)
			run(doc, patch);
		json_decref(doc);
		json_decref(patch);
	}
	json_decref(in);
	literal(data, size);
	return 0;
}
