/* fuzz_labels.c - label validation (JSON) and the CLI text form (raw bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/labels.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *out = NULL;
	char *msg = NULL, *s;

	if (in) {
		if (labels_validate(in, "swarm", 64, &out, &msg) == 0) {
			const char *k;
			json_t *v;
			json_object_foreach(out, k, v)
				if (!json_is_string(v))
					abort();	/* values are always strings */
			json_decref(out);
		} else if (msg == NULL) {
			abort();
		}
		free(msg);
		msg = NULL;
		json_decref(in);
	}
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	out = NULL;
	if (labels_parse_text(s, &out, &msg) == 0)
		json_decref(out);
	free(msg);
	free(s);
	return 0;
}
