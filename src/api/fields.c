/* fields.c - schema-driven body decoding with wsme's rules and messages. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fields.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strbuf.h"
#include "common/util.h"

const struct field_spec *
fields_find(const struct field_spec *specs, const char *name)
{
	for (const struct field_spec *s = specs; s->name; s++)
		if (streq(s->name, name))
			return s;
	return NULL;
}

/* Python-style rendering of a value in messages: None, True, 5, text. */
static char *
pyrepr(json_t *v)
{
	char *s = NULL;

	if (v == NULL || json_is_null(v))
		return strdup("None");
	if (json_is_true(v))
		return strdup("True");
	if (json_is_false(v))
		return strdup("False");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
			return NULL;
		return s;
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int
fail(char **ret_msg, const struct field_spec *spec, json_t *v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char **ret_msg, const struct field_spec *spec, json_t *v, const char *fmt, ...)
{
	_cleanup_free_ char *val = pyrepr(v), *reason = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		reason = NULL;
	va_end(ap);
	if (asprintf(ret_msg, "Invalid input for field/attribute %s. Value: '%s'. %s", spec->name,
		     val ? val : "", reason ? reason : "") < 0)
		*ret_msg = NULL;
	return -EINVAL;
}

static int
check_string(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return fail(ret_msg, spec, v, "Value should be string");
	s = json_string_value(v);
	len = strlen(s);
	if (spec->choices) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; spec->choices[i]; i++)
			if (streq(spec->choices[i], s)) {
				strbuf_free(&sb);
				*ret = json_incref(v);
				return 0;
			}
		for (size_t i = 0; spec->choices[i]; i++)
			strbuf_printf(&sb, "%s%s", i ? ", " : "", spec->choices[i]);
		int r = fail(ret_msg, spec, v, "Value should be one of: %s", sb.buf ? sb.buf : "");
		strbuf_free(&sb);
		return r;
	}
	if ((int64_t)len < spec->min)
		return fail(ret_msg, spec, v,
			    "Value should have a minimum character requirement of %lld",
			    (long long)spec->min);
	if (spec->max > 0 && (int64_t)len > spec->max)
		return fail(ret_msg, spec, v,
			    "Value should have a maximum character requirement of %lld",
			    (long long)spec->max);
	if (spec->pattern) {
		regex_t re;
		int m;

		if (regcomp(&re, spec->pattern, REG_EXTENDED | REG_NOSUB) != 0)
			return -EINVAL;
		m = regexec(&re, s, 0, NULL, 0);
		regfree(&re);
		if (m != 0)
			return fail(ret_msg, spec, v, "Value should match the pattern %s",
				    spec->pattern);
	}
	*ret = json_incref(v);
	return 0;
}

static int
check_int(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	int64_t i;

	if (json_is_integer(v)) {
		i = json_integer_value(v);
	} else if (json_is_string(v)) {
		if (parse_int64(json_string_value(v), INT64_MIN, INT64_MAX, &i) < 0)
			return fail(ret_msg, spec, v, "Value should be integer");
	} else {
		return fail(ret_msg, spec, v, "Value should be integer");
	}
	if (i < spec->min)
		return fail(ret_msg, spec, v, "Value should be greater or equal to %lld",
			    (long long)spec->min);
	if (spec->max > 0 && i > spec->max)
		return fail(ret_msg, spec, v, "Value should be lower or equal to %lld",
			    (long long)spec->max);
	*ret = json_integer(i);
	return *ret ? 0 : -ENOMEM;
}

static int
check_bool(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	bool b;

	if (json_is_boolean(v)) {
		*ret = json_incref(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*ret = json_boolean(json_integer_value(v) == 1);
		return 0;
	}
	if (json_is_string(v) && parse_bool(json_string_value(v), &b) == 0) {
		*ret = json_boolean(b);
		return 0;
	}
	{
		_cleanup_free_ char *val = pyrepr(v);
		if (asprintf(ret_msg, "Invalid input for field/attribute %s. Value: '%s'. "
				      "Unrecognized value '%s', acceptable values are: '0', '1', 'f', "
				      "'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
			     spec->name, val ? val : "", val ? val : "") < 0)
			*ret_msg = NULL;
	}
	return -EINVAL;
}

static int
check_dict(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	_cleanup_json_ json_t *out = NULL;
	const char *k;
	json_t *e;

	if (!json_is_object(v))
		return fail(ret_msg, spec, v, "Value should be a dictionary of strings");
	out = json_object();
	if (out == NULL)
		return -ENOMEM;
	json_object_foreach(v, k, e) {
		json_t *s = json_scalar_string(e);
		if (s == NULL)
			return fail(ret_msg, spec, v, "Value of key '%s' should be a string", k);
		if (s == NULL || json_object_set_new(out, k, s) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

int
fields_check_value(const struct field_spec *spec, json_t *val, json_t **ret_val, char **ret_msg)
{
	char norm[UUID_STR_LEN];

	*ret_msg = NULL;
	if (val == NULL || json_is_null(val)) {
		if (spec->flags & F_MANDATORY)
			return fail(ret_msg, spec, NULL, "Mandatory field missing.");
		*ret_val = json_null();
		return 0;
	}
	switch (spec->type) {
	case FT_STRING:
		return check_string(spec, val, ret_val, ret_msg);
	case FT_INT:
		return check_int(spec, val, ret_val, ret_msg);
	case FT_BOOL:
		return check_bool(spec, val, ret_val, ret_msg);
	case FT_UUID:
		if (!json_is_string(val) || uuid_normalize(json_string_value(val), norm) < 0)
			return fail(ret_msg, spec, val, "Value should be UUID format");
		*ret_val = json_string(norm);
		return 0;
	case FT_DICT:
		return check_dict(spec, val, ret_val, ret_msg);
	case FT_LIST:
		if (!json_is_array(val))
			return fail(ret_msg, spec, val, "Value should be a list");
		*ret_val = json_incref(val);
		return 0;
	case FT_ANY:
		*ret_val = json_incref(val);
		return 0;
	}
	return -EINVAL;
}

int
fields_decode(const struct field_spec *specs, const char *argname, json_t *body,
	      json_t **ret_obj, char **ret_msg)
{
	_cleanup_json_ json_t *out = json_object();
	struct strbuf unknown = STRBUF_INIT;
	const char *k;
	json_t *v;
	int nunknown = 0, r;

	*ret_msg = NULL;
	if (out == NULL)
		return -ENOMEM;
	if (!json_is_object(body)) {
		*ret_msg = strdup("Request is not in valid JSON format");
		return -EINVAL;
	}
	/* Unknown attributes first, sorted, as wsme reports them. */
	{
		const char *names[64];
		size_t n = 0;
		json_object_foreach(body, k, v)
			if (fields_find(specs, k) == NULL && n < ARRAY_SIZE(names))
				names[n++] = k;
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
				const char *t = names[j];
				names[j] = names[j - 1];
				names[j - 1] = t;
			}
		for (size_t i = 0; i < n; i++)
			strbuf_printf(&unknown, "%s%s", i ? ", " : "", names[i]);
		nunknown = (int)n;
	}
	if (nunknown) {
		if (asprintf(ret_msg, "Unknown attribute%s for argument %s: %s",
			     nunknown > 1 ? "s" : "", argname, unknown.buf) < 0)
			*ret_msg = NULL;
		strbuf_free(&unknown);
		return -EINVAL;
	}
	strbuf_free(&unknown);
	for (const struct field_spec *s = specs; s->name; s++) {
		json_t *in = json_object_get(body, s->name), *val = NULL;

		if (in && (s->flags & F_READONLY))
			return fail(ret_msg, s, in, "Cannot set read only field.");
		if (in == NULL) {
			if (s->flags & F_MANDATORY)
				return fail(ret_msg, s, NULL, "Mandatory field missing.");
			if (s->def) {
				val = json_loads(s->def, JSON_DECODE_ANY, NULL);
				if (val == NULL)
					return -ENOMEM;
				json_object_set_new(out, s->name, val);
			}
			continue;
		}
		if (s->flags & F_IGNORED)
			continue;
		r = fields_check_value(s, in, &val, ret_msg);
		if (r < 0)
			return r;
		json_object_set_new(out, s->name, val);
	}
	*ret_obj = TAKE_PTR(out);
	return 0;
}
