/*
 * fuzz_labels.c - label validation on arbitrary JSON, and the CLI text form
 * on the raw bytes (its result is validated too).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "api/labels.h"

static void
validate(json_t *in, size_t cap)
{
	json_t *out = NULL;
	char *msg = NULL;
	const char *k;
	json_t *v;

	if (labels_validate(in, "mesos", cap, &out, &msg) == 0) {
		if (!json_is_object(out) || msg != NULL || (cap && json_object_size(out) > cap))
			abort();
		json_object_foreach(out, k, v)
			if (!json_is_string(v) || *k == '\0')
				abort();	/* values are always strings, names never empty */
		json_decref(out);
	} else if (msg == NULL) {
		abort();
	}
	free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *out = NULL;
	char *msg = NULL, *s;
	const char *k;
	json_t *v;

	if (in) {
		validate(in, 64);
		validate(in, 0);
		json_decref(in);
	}
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (labels_parse_text(s, &out, &msg) == 0) {
		if (msg != NULL)
			abort();
		json_object_foreach(out, k, v)
			if (!json_is_string(v) || *k == '\0')
				abort();
		validate(out, 64);
		json_decref(out);
	} else if (msg == NULL) {
		abort();
	}
	free(msg);
	free(s);
	return 0;
}
