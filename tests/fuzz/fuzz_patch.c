/* fuzz_patch.c - the JSON-Patch applier: input is a JSON array [doc, patch]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/patch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const internal[] = { "/uuid", "/id", NULL };
	static const char *const mandatory[] = { "/image_id", NULL };
	static const char *const dicts[] = { "/labels", NULL };
	json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	json_t *out = NULL, *defaults = json_pack("{s:i}", "node_count", 1), *py = NULL;
	char *msg = NULL;

	if (in && json_is_array(in) && json_array_size(in) == 2 &&
	    json_is_object(json_array_get(in, 0))) {
		for (int falsy = 0; falsy < 2; falsy++) {
			struct patch_rules rules = { internal, mandatory, dicts, falsy, defaults };
			if (patch_apply(json_array_get(in, 0), json_array_get(in, 1), &rules, &out,
					&msg) == 0) {
				if (!json_is_object(out))
					abort();
				json_decref(out);
			} else if (msg == NULL) {
				abort();
			}
			free(msg);
			msg = NULL;
		}
	}
	/* The Python-literal parser on the raw bytes (NUL-terminated copy). */
	{
		char *s = malloc(size + 1);
		if (s) {
			memcpy(s, data, size);
			s[size] = '\0';
			if (patch_parse_pyliteral(s, &py) == 0)
				json_decref(py);
			free(s);
		}
	}
	json_decref(defaults);
	json_decref(in);
	return 0;
}
