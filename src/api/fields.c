/*
 * fields.c - schema-driven body decoding with wsme's rules and Magnum's
 * messages (bay doc §1.4.5). The decisions are listed in fields.h.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fields.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/util.h"

#define DICT_VALUE_TYPES "(<class 'str'>, (<class 'int'>,), <class 'bool'>, <class 'float'>)"
#define BOOL_CHOICES "'0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"

const struct field_spec *
fields_find(const struct field_spec *specs, const char *name)
{
	for (const struct field_spec *s = specs; s->name; s++)
		if (streq(s->name, name))
			return s;
	return NULL;
}

size_t
fields_char_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* --- Python rendering ------------------------------------------------------ */

/* A strbuf that remembers the first allocation failure. */
struct out {
	struct strbuf	sb;
	int		err;
};

static void
out_mem(struct out *o, const void *p, size_t n)
{
	if (o->err == 0 && strbuf_append(&o->sb, p, n) < 0)
		o->err = -ENOMEM;
}

static void
out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_fmt(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_fmt(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (o->err == 0 && strbuf_vprintf(&o->sb, fmt, ap) < 0)
		o->err = -ENOMEM;
	va_end(ap);
}

/* Python's repr() of a float: the shortest digits that read back the same. */
static void
py_float(struct out *o, double d)
{
	char buf[48], digits[24], *p, *e;
	int exp, nd = 0;

	if (isnan(d)) {
		out_str(o, "nan");
		return;
	}
	if (isinf(d)) {
		out_str(o, d < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	p = buf;
	if (*p == '-') {
		out_str(o, "-");
		p++;
	}
	e = strchr(p, 'e');
	if (e == NULL)
		return;
	exp = (int)strtol(e + 1, NULL, 10);
	for (char *q = p; q < e && nd < (int)sizeof(digits) - 1; q++)
		if (*q != '.')
			digits[nd++] = *q;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp < -4 || exp >= 16) {
		out_mem(o, digits, 1);
		if (nd > 1) {
			out_str(o, ".");
			out_mem(o, digits + 1, (size_t)nd - 1);
		}
		out_fmt(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	} else if (exp >= 0) {
		for (int i = 0; i <= exp; i++)
			out_mem(o, i < nd ? &digits[i] : "0", 1);
		out_str(o, ".");
		if (nd > exp + 1)
			out_mem(o, digits + exp + 1, (size_t)(nd - exp - 1));
		else
			out_str(o, "0");
	} else {
		out_str(o, "0.");
		for (int i = 0; i < -exp - 1; i++)
			out_str(o, "0");
		out_mem(o, digits, (size_t)nd);
	}
}

/* Decode one UTF-8 sequence; an invalid byte comes back as itself with len 1. */
static uint32_t
utf8_decode(const unsigned char *s, size_t *ret_len)
{
	uint32_t c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
				 (c & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 0) {
		*ret_len = 1;
		return c;
	}
	if (n > 1)
		c &= 0x3f >> (n - 1);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*ret_len = 1;
			return s[0];
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*ret_len = n;
	return c;
}

/* Characters Python's str.isprintable() refuses (controls, separators, format). */
static bool
py_unprintable(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	       (c >= 0x205f && c <= 0x206f) || c == 0x3000 || (c >= 0xd800 && c <= 0xf8ff) ||
	       c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) || (c & 0xfffe) == 0xfffe ||
	       (c >= 0xe0000 && c <= 0xe0fff) || c >= 0xf0000;
}

static void
py_string_repr(struct out *o, const char *s)
{
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	const unsigned char *p = (const unsigned char *)s;

	out_mem(o, &q, 1);
	while (*p) {
		size_t len;
		uint32_t c = utf8_decode(p, &len);

		if (c == '\\' || c == (uint32_t)q)
			out_fmt(o, "\\%c", (char)c);
		else if (c == '\n')
			out_str(o, "\\n");
		else if (c == '\r')
			out_str(o, "\\r");
		else if (c == '\t')
			out_str(o, "\\t");
		else if (len == 1 && c >= 0x80)
			out_fmt(o, "\\x%02x", c);	/* stray byte */
		else if (py_unprintable(c) && c < 0x100)
			out_fmt(o, "\\x%02x", c);
		else if (py_unprintable(c) && c < 0x10000)
			out_fmt(o, "\\u%04x", c);
		else if (py_unprintable(c))
			out_fmt(o, "\\U%08x", c);
		else
			out_mem(o, p, len);
		p += len;
	}
	out_mem(o, &q, 1);
}

static void
py_write(struct out *o, json_t *v, bool repr)
{
	const char *k;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_NULL:
		out_str(o, "None");
		break;
	case JSON_TRUE:
		out_str(o, "True");
		break;
	case JSON_FALSE:
		out_str(o, "False");
		break;
	case JSON_INTEGER:
		out_fmt(o, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		py_float(o, json_real_value(v));
		break;
	case JSON_STRING:
		if (repr)
			py_string_repr(o, json_string_value(v));
		else
			out_str(o, json_string_value(v));
		break;
	case JSON_ARRAY:
		out_str(o, "[");
		json_array_foreach(v, i, e) {
			if (i)
				out_str(o, ", ");
			py_write(o, e, true);
		}
		out_str(o, "]");
		break;
	case JSON_OBJECT:
		out_str(o, "{");
		i = 0;
		json_object_foreach(v, k, e) {
			if (i++)
				out_str(o, ", ");
			py_string_repr(o, k);
			out_str(o, ": ");
			py_write(o, e, true);
		}
		out_str(o, "}");
		break;
	}
}

static char *
py_render(json_t *v, bool repr)
{
	struct out o = { STRBUF_INIT, 0 };

	if (v == NULL)
		out_str(&o, "None");
	else
		py_write(&o, v, repr);
	if (o.err < 0) {
		strbuf_free(&o.sb);
		return NULL;
	}
	return strbuf_steal(&o.sb);
}

char *
fields_py_str(json_t *v)
{
	return py_render(v, false);
}

char *
fields_py_repr(json_t *v)
{
	return py_render(v, true);
}

/* --- messages -------------------------------------------------------------- */

static int fail_msg(char **ret_msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format *ret_msg; returns -EINVAL, or -ENOMEM when the text cannot be built. */
static int
fail_msg(char **ret_msg, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret_msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		*ret_msg = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

/* wsme's InvalidInput: "Invalid input for field/attribute <f>. Value: '<v>'. <reason>" */
int
fields_invalid(char **ret_msg, const char *name, json_t *v, const char *fmt, ...)
{
	_cleanup_free_ char *val = fields_py_str(v), *reason = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&reason, fmt, ap);
	va_end(ap);
	if (r < 0) {
		reason = NULL;
		return -ENOMEM;
	}
	if (val == NULL)
		return -ENOMEM;
	return fail_msg(ret_msg, "Invalid input for field/attribute %s. Value: '%s'. %s", name, val,
			reason);
}

/* --- Python-style text scanning ------------------------------------------- */

/* Length of the Python whitespace character at p (str.isspace()), or 0. */
static size_t
py_space_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	if (*u == ' ' || (*u >= '\t' && *u <= '\r') || (*u >= 0x1c && *u <= 0x1f))
		return 1;
	if (u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;				/* U+1680 */
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
		return 3;				/* U+2000-200A, 2028, 2029, 202F */
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;				/* U+205F */
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;				/* U+3000 */
	return 0;
}

/* Python's s.strip(): *ret_start and *ret_len delimit the stripped text. */
static void
py_strip(const char *s, const char **ret_start, size_t *ret_len)
{
	const char *end = s + strlen(s), *last = s;
	size_t n;

	while ((n = py_space_len(s)) > 0)
		s += n;
	for (const char *p = s; p < end;) {
		n = py_space_len(p);
		if (n == 0) {
			p++;
			last = p;
		} else {
			p += n;
		}
	}
	*ret_start = s;
	*ret_len = last > s ? (size_t)(last - s) : 0;
}

/*
 * Python's int(s) for base 10: optional whitespace around, one sign, digits
 * with single underscores between them. 0, -EINVAL, or -ERANGE (then *ret is
 * INT64_MAX or INT64_MIN, telling the direction).
 */
static int
py_int(const char *s, int64_t *ret)
{
	const char *p;
	size_t len;
	bool neg = false, digit = false;
	uint64_t v = 0, lim;

	py_strip(s, &p, &len);
	if (len > 0 && (*p == '+' || *p == '-')) {
		neg = *p == '-';
		p++;
		len--;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '_' && digit && i + 1 < len && p[i + 1] >= '0' && p[i + 1] <= '9')
			continue;
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		digit = true;
		if (v > (lim - (uint64_t)(p[i] - '0')) / 10) {
			/* keep scanning: "99999999999999999999x" is not a number at all */
			for (size_t j = i; j < len; j++)
				if ((p[j] < '0' || p[j] > '9') && p[j] != '_')
					return -EINVAL;
			*ret = neg ? INT64_MIN : INT64_MAX;
			return -ERANGE;
		}
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (!digit)
		return -EINVAL;
	*ret = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* --- type checks ----------------------------------------------------------- */

static int
check_string(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	const char *s;
	size_t len;

	if (spec->choices) {
		struct out o = { STRBUF_INIT, 0 };
		int r;

		if (json_is_string(v))
			for (size_t i = 0; spec->choices[i]; i++)
				if (streq(spec->choices[i], json_string_value(v))) {
					*ret = json_incref(v);
					return 0;
				}
		for (size_t i = 0; spec->choices[i]; i++)
			out_fmt(&o, "%s%s", i ? ", " : "", spec->choices[i]);
		r = o.err < 0 ? o.err
			      : fields_invalid(ret_msg, spec->name, v, "Value should be one of: %s",
					o.sb.buf ? o.sb.buf : "");
		strbuf_free(&o.sb);
		return r;
	}
	if (!json_is_string(v))
		return fields_invalid(ret_msg, spec->name, v, "Value should be string");
	s = json_string_value(v);
	len = fields_char_count(s);
	if (spec->min > 0 && (int64_t)len < spec->min)
		return fields_invalid(ret_msg, spec->name, v,
			       "Value should have a minimum character requirement of %lld",
			       (long long)spec->min);
	if (spec->max > 0 && (int64_t)len > spec->max)
		return fields_invalid(ret_msg, spec->name, v,
			       "Value should have a maximum character requirement of %lld",
			       (long long)spec->max);
	if (spec->pattern) {
		regex_t re;
		int m;

		if (regcomp(&re, spec->pattern, REG_EXTENDED | REG_NOSUB) != 0)
			return fail_msg(ret_msg, "Invalid pattern for field %s", spec->name);
		m = regexec(&re, s, 0, NULL, 0);
		regfree(&re);
		if (m != 0)
			return fields_invalid(ret_msg, spec->name, v, "Value should match the pattern %s",
				       spec->pattern);
	}
	*ret = json_incref(v);
	return 0;
}

static int
check_int(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	int64_t i = 0;
	int r;

	if (json_is_integer(v)) {
		i = json_integer_value(v);
	} else if (json_is_real(v)) {
		double d = json_real_value(v);

		if (!(d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0))
			return fields_invalid(ret_msg, spec->name, v, "Value should be integer");
		i = (int64_t)d;
	} else if (json_is_string(v)) {
		r = py_int(json_string_value(v), &i);
		if (r == -EINVAL)
			return fields_invalid(ret_msg, spec->name, v, "Value should be integer");
		if (r == -ERANGE && i < 0)
			return fields_invalid(ret_msg, spec->name, v,
				       "Value should be greater or equal to %lld",
				       (long long)spec->min);
		if (r == -ERANGE)
			return fields_invalid(ret_msg, spec->name, v,
				       "Value should be lower or equal to %lld",
				       (long long)(spec->max > 0 ? spec->max : INT64_MAX));
	} else {
		return fields_invalid(ret_msg, spec->name, v, "Value should be integer");
	}
	if (i < spec->min)
		return fields_invalid(ret_msg, spec->name, v, "Value should be greater or equal to %lld",
			       (long long)spec->min);
	if (spec->max > 0 && i > spec->max)
		return fields_invalid(ret_msg, spec->name, v, "Value should be lower or equal to %lld",
			       (long long)spec->max);
	*ret = json_integer(i);
	return *ret ? 0 : -ENOMEM;
}

static int
check_bool(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	static const char *const yes[] = { "1", "t", "true", "on", "y", "yes", NULL };
	static const char *const no[] = { "0", "f", "false", "off", "n", "no", NULL };
	_cleanup_free_ char *text = NULL;
	char low[8];
	const char *p;
	size_t len;

	(void)spec;
	if (json_is_boolean(v)) {
		*ret = json_incref(v);
		return 0;
	}
	text = fields_py_str(v);
	if (text == NULL)
		return -ENOMEM;
	py_strip(text, &p, &len);
	if (len < sizeof(low)) {
		for (size_t i = 0; i < len; i++)
			low[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i]);
		low[len] = '\0';
		for (size_t i = 0; yes[i]; i++) {
			if (streq(low, yes[i])) {
				*ret = json_true();
				return 0;
			}
			if (streq(low, no[i])) {
				*ret = json_false();
				return 0;
			}
		}
	}
	return fail_msg(ret_msg, "Unrecognized value '%s', acceptable values are: " BOOL_CHOICES,
			text);
}

static int
check_uuid(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	char norm[UUID_STR_LEN];

	(void)spec;
	if (json_is_string(v) && uuid_normalize(json_string_value(v), norm) == 0) {
		*ret = json_string(norm);
		return *ret ? 0 : -ENOMEM;
	}
	text = fields_py_str(v);
	if (text == NULL)
		return -ENOMEM;
	return fail_msg(ret_msg, "Expected a uuid but received %s.", text);
}

/* Python's type() name of a JSON value, for "Wrong type" messages. */
static const char *
py_type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "<class 'dict'>";
	case JSON_ARRAY:
		return "<class 'list'>";
	case JSON_STRING:
		return "<class 'str'>";
	case JSON_INTEGER:
		return "<class 'int'>";
	case JSON_REAL:
		return "<class 'float'>";
	case JSON_TRUE:
	case JSON_FALSE:
		return "<class 'bool'>";
	case JSON_NULL:
		break;
	}
	return "<class 'NoneType'>";
}

/* A label-style string for a scalar (str, int, float, bool), or NULL. */
static json_t *
scalar_to_string(json_t *v, int *ret_err)
{
	char *s;
	json_t *r;

	*ret_err = 0;
	if (json_is_string(v))
		return json_incref(v);
	if (!json_is_number(v) && !json_is_boolean(v))
		return NULL;
	s = fields_py_str(v);
	r = s ? json_string(s) : NULL;
	free(s);
	if (r == NULL)
		*ret_err = -ENOMEM;
	return r;
}

static int
check_dict(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	_cleanup_json_ json_t *out = NULL;
	const char *k;
	json_t *e;

	if (!json_is_object(v)) {
		_cleanup_free_ char *text = fields_py_str(v);
		if (text == NULL)
			return -ENOMEM;
		return fields_invalid(ret_msg, spec->name, v, "Value not a valid dict: %s", text);
	}
	out = json_object();
	if (out == NULL)
		return -ENOMEM;
	json_object_foreach(v, k, e) {
		int err;
		json_t *s = scalar_to_string(e, &err);

		if (err < 0)
			return err;
		if (s == NULL)
			return fields_invalid(ret_msg, spec->name, v,
				       "Wrong type. Expected '" DICT_VALUE_TYPES "', got '%s'",
				       py_type_name(e));
		if (json_object_set_new(out, k, s) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

static int
check_list(const struct field_spec *spec, json_t *v, json_t **ret, char **ret_msg)
{
	json_t *e;
	size_t i;

	if (!json_is_array(v)) {
		_cleanup_free_ char *text = fields_py_str(v);
		if (text == NULL)
			return -ENOMEM;
		return fields_invalid(ret_msg, spec->name, v, "Value not a valid list: %s", text);
	}
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			return fields_invalid(ret_msg, spec->name, v,
				       "Wrong type. Expected '<class 'str'>', got '%s'",
				       py_type_name(e));
	*ret = json_incref(v);
	return 0;
}

/* Check a non-null value. */
static int
check_present(const struct field_spec *spec, json_t *val, json_t **ret_val, char **ret_msg)
{
	switch (spec->type) {
	case FT_STRING:
		return check_string(spec, val, ret_val, ret_msg);
	case FT_INT:
		return check_int(spec, val, ret_val, ret_msg);
	case FT_BOOL:
		return check_bool(spec, val, ret_val, ret_msg);
	case FT_UUID:
		return check_uuid(spec, val, ret_val, ret_msg);
	case FT_DICT:
		return check_dict(spec, val, ret_val, ret_msg);
	case FT_LIST:
		return check_list(spec, val, ret_val, ret_msg);
	case FT_ANY:
		*ret_val = json_incref(val);
		return 0;
	}
	return fail_msg(ret_msg, "Invalid type for field %s", spec->name);
}

int
fields_check_value(const struct field_spec *spec, json_t *val, json_t **ret_val, char **ret_msg)
{
	*ret_msg = NULL;
	if (val == NULL || json_is_null(val)) {
		if (spec->flags & F_MANDATORY)
			return fields_invalid(ret_msg, spec->name, NULL, "Mandatory field missing.");
		*ret_val = json_null();
		return 0;
	}
	return check_present(spec, val, ret_val, ret_msg);
}

/* wsme's conversion failure, reported against the whole argument. */
static int
invalid_argument(char **ret_msg, const char *argname, json_t *body, const char *what, json_t *v)
{
	_cleanup_free_ char *text = fields_py_str(v);

	if (text == NULL)
		return -ENOMEM;
	return fields_invalid(ret_msg, argname, body, "Value not a valid %s: %s", what, text);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
check_unknown(const struct field_spec *specs, const char *argname, json_t *body, char **ret_msg)
{
	_cleanup_free_ const char **names = NULL;
	struct out o = { STRBUF_INIT, 0 };
	const char *k;
	size_t n = 0;
	json_t *v;
	int r;

	names = calloc(json_object_size(body) + 1, sizeof(*names));
	if (names == NULL)
		return -ENOMEM;
	json_object_foreach(body, k, v)
		if (fields_find(specs, k) == NULL)
			names[n++] = k;
	if (n == 0)
		return 0;
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++)
		out_fmt(&o, "%s%s", i ? ", " : "", names[i]);
	r = o.err < 0 ? o.err : fail_msg(ret_msg, "Unknown attribute%s for argument %s: %s",
					 n > 1 ? "s" : "", argname, o.sb.buf);
	strbuf_free(&o.sb);
	return r;
}

int
fields_decode(const struct field_spec *specs, const char *argname, json_t *body,
	      json_t **ret_obj, char **ret_msg)
{
	_cleanup_json_ json_t *out = NULL;
	int r;

	*ret_msg = NULL;
	if (!json_is_object(body))
		return invalid_argument(ret_msg, argname, body, "dict", body);
	r = check_unknown(specs, argname, body, ret_msg);
	if (r < 0)
		return r;
	out = json_object();
	if (out == NULL)
		return -ENOMEM;
	for (const struct field_spec *s = specs; s->name; s++) {
		json_t *in = json_object_get(body, s->name);
		_cleanup_json_ json_t *val = NULL;

		if (in == NULL) {
			if (s->flags & F_MANDATORY)
				return fields_invalid(ret_msg, s->name, NULL, "Mandatory field missing.");
			if (s->def == NULL)
				continue;
			val = json_loads(s->def, JSON_DECODE_ANY, NULL);
			if (val == NULL)
				return fail_msg(ret_msg, "Invalid default for field %s", s->name);
			if (json_object_set(out, s->name, val) < 0)
				return -ENOMEM;
			continue;
		}
		if ((s->flags & F_IGNORED) && !(s->flags & F_READONLY))
			continue;
		if (json_is_null(in)) {
			val = json_null();
		} else {
			if (s->type == FT_DICT && !json_is_object(in))
				return invalid_argument(ret_msg, argname, body, "dict", in);
			if (s->type == FT_LIST && !json_is_array(in))
				return invalid_argument(ret_msg, argname, body, "list", in);
			r = check_present(s, in, &val, ret_msg);
			if (r < 0)
				return r;
		}
		if (s->flags & F_READONLY)
			return fields_invalid(ret_msg, s->name, val, "Cannot set read only field.");
		if (json_is_null(val) && (s->flags & F_MANDATORY))
			return fields_invalid(ret_msg, s->name, NULL, "Mandatory field missing.");
		if (json_object_set(out, s->name, val) < 0)
			return -ENOMEM;
	}
	*ret_obj = TAKE_PTR(out);
	return 0;
}
