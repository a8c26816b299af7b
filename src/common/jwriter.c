/* jwriter.c - JSON text without jansson trees. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jwriter.h"

/* Bytes that need an escape in a JSON string: '"', '\\' and the controls. */
static bool
needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

int
jw_escaped(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;
	int r = 0;

	/* Most values have nothing to escape: room for all of it, then runs copied whole. */
	if (strbuf_reserve(sb, strlen(s) + 2) < 0)
		return -ENOMEM;
	for (run = p; r == 0; p++) {
		char esc[8];
		const char *e;

		if (*p && !needs_escape(*p))
			continue;
		if (p > run)
			r = strbuf_append(sb, run, (size_t)(p - run));
		if (r < 0 || *p == '\0')
			break;
		switch (*p) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\r':
			e = "\\r";
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			e = esc;
		}
		r = strbuf_puts(sb, e);
		run = p + 1;
	}
	return r;
}

int
jw_string(struct strbuf *sb, const char *s)
{
	int r = strbuf_append(sb, "\"", 1);

	if (r == 0)
		r = jw_escaped(sb, s);
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
