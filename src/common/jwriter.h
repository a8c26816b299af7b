/*
 * jwriter.h - append JSON text to a strbuf without building jansson trees:
 * for large list replies, where building and dumping objects dominated.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "common/strbuf.h"

/* "string" with JSON escaping (control characters as \u00XX). */
int jw_string(struct strbuf *sb, const char *s);
/* The same escaping without the quotes (for a value built from parts). */
int jw_escaped(struct strbuf *sb, const char *s);
/* Any jansson value (strings/ints/bools/null inline; containers via json_dumps). */
int jw_value(struct strbuf *sb, json_t *v);
/* "key": with a leading comma unless first. */
int jw_key(struct strbuf *sb, const char *key, bool first);
