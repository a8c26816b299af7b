/* jwriter.c - JSON text without jansson trees. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jwriter.h"

int
jw_string(struct strbuf *sb, const char *s)
{
	const char *run = s;
	int r = strbuf_append(sb, "\"", 1);

	for (const unsigned char *p = (const unsigned char *)s; r == 0 && *p; p++) {
		char esc[8];
		const char *e = NULL;

		if (*p == '"')
			e = "\\\"";
		else if (*p == '\\')
			e = "\\\\";
		else if (*p == '\n')
			e = "\\n";
		else if (*p == '\t')
			e = "\\t";
		else if (*p == '\r')
			e = "\\r";
		else if (*p < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			e = esc;
		}
		if (e == NULL)
			continue;
		r = strbuf_append(sb, run, (size_t)((const char *)p - run));
		if (r == 0)
			r = strbuf_puts(sb, e);
		run = (const char *)p + 1;
	}
	if (r == 0)
		r = strbuf_puts(sb, run);
	if (r == 0)
		r = strbuf_append(sb, "\"", 1);
	return r;
}

int
jw_value(struct strbuf *sb, json_t *v)
{
	char *s;
	int r;

	if (v == NULL || json_is_null(v))
		return strbuf_append(sb, "null", 4);
	if (json_is_string(v))
		return jw_string(sb, json_string_value(v));
	if (json_is_integer(v))
		return strbuf_printf(sb, "%lld", (long long)json_integer_value(v));
	if (json_is_true(v))
		return strbuf_append(sb, "true", 4);
	if (json_is_false(v))
		return strbuf_append(sb, "false", 5);
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		return -ENOMEM;
	r = strbuf_puts(sb, s);
	free(s);
	return r;
}

int
jw_key(struct strbuf *sb, const char *key, bool first)
{
	int r = first ? 0 : strbuf_append(sb, ",", 1);

	if (r == 0)
		r = jw_string(sb, key);
	if (r == 0)
		r = strbuf_append(sb, ":", 1);
	return r;
}
