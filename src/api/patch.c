/*
 * patch.c - JSON-Patch (add/replace/remove) with Magnum's rules for both
 * eras, and the Python literal parser for dict-valued paths. The order of
 * the checks and the texts are listed in patch.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fields.h"
#include "api/patch.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#define LIT_MAX_DEPTH	100
#define PATH_PATTERN	"^(/[\\w-]+)+$"

static bool
in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

static int msg_fmt(char **ret_msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format *ret_msg; -EINVAL, or -ENOMEM when the text cannot be built. */
static int
msg_fmt(char **ret_msg, const char *fmt, ...)
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

/* --- Python literals ------------------------------------------------------- */

struct lit {
	const char	*p;
	int		err;	/* first error: -EINVAL or -ENOMEM */
	int		depth;
};

static json_t *
lit_error(struct lit *l, int err)
{
	if (l->err == 0)
		l->err = err;
	return NULL;
}

static bool
is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || (unsigned char)c >= 0x80;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skip blanks, line continuations and comments. */
static void
lit_ws(struct lit *l)
{
	for (;;) {
		while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r' ||
		       *l->p == '\f' || *l->p == '\v')
			l->p++;
		if (l->p[0] == '\\' && l->p[1] == '\n') {
			l->p += 2;
			continue;
		}
		if (*l->p == '#') {
			while (*l->p && *l->p != '\n')
				l->p++;
			continue;
		}
		return;
	}
}

/* Prefix length (0 or 1) if p starts a string literal, else -1. */
static int
str_start(const char *p, bool *ret_raw)
{
	*ret_raw = false;
	if (*p == '\'' || *p == '"')
		return 0;
	if ((*p == 'u' || *p == 'U' || *p == 'r' || *p == 'R') && (p[1] == '\'' || p[1] == '"')) {
		*ret_raw = *p == 'r' || *p == 'R';
		return 1;
	}
	return -1;
}

static int
put_codepoint(struct strbuf *sb, uint32_t c)
{
	char u[4];
	size_t n;

	if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return -EINVAL;	/* JSON strings here hold neither NUL nor surrogates */
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return strbuf_append(sb, u, n);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One backslash escape at l->p (a non-raw string). */
static int
lit_escape(struct lit *l, struct strbuf *sb)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	char e = l->p[1];
	uint32_t c = 0;
	int digits = 0;

	if (e == '\n') {				/* line continuation */
		l->p += 2;
		return 0;
	}
	for (size_t i = 0; simple[i]; i += 2)
		if (simple[i] == e) {
			l->p += 2;
			return strbuf_append(sb, &simple[i + 1], 1);
		}
	if (e >= '0' && e <= '7') {
		l->p++;
		while (digits < 3 && *l->p >= '0' && *l->p <= '7') {
			c = c * 8 + (uint32_t)(*l->p++ - '0');
			digits++;
		}
		return put_codepoint(sb, c);
	}
	if (e == 'x' || e == 'u' || e == 'U') {
		int want = e == 'x' ? 2 : e == 'u' ? 4 : 8;

		l->p += 2;
		for (int i = 0; i < want; i++) {
			int h = hex_value(*l->p);
			if (h < 0)
				return -EINVAL;
			c = c * 16 + (uint32_t)h;
			l->p++;
		}
		return put_codepoint(sb, c);
	}
	if (e == 'N')
		return -EINVAL;				/* \N{NAME}: not supported */
	l->p += 2;					/* unknown escapes stay as they are */
	return strbuf_append(sb, l->p - 2, 2);
}

/* One string literal (prefix, quotes) appended to sb. */
static int
lit_string_one(struct lit *l, struct strbuf *sb)
{
	bool raw, triple;
	char q;
	int r;

	l->p += str_start(l->p, &raw);
	q = *l->p;
	triple = l->p[1] == q && l->p[2] == q;
	l->p += triple ? 3 : 1;
	for (;;) {
		char c = *l->p;

		if (c == '\0')
			return -EINVAL;
		if (c == q && (!triple || (l->p[1] == q && l->p[2] == q))) {
			l->p += triple ? 3 : 1;
			return 0;
		}
		if (c == '\n' && !triple)
			return -EINVAL;
		if (c == '\\') {
			if (l->p[1] == '\0')
				return -EINVAL;
			if (raw) {
				r = strbuf_append(sb, l->p, 2);
				l->p += 2;
			} else {
				r = lit_escape(l, sb);
			}
		} else {
			r = strbuf_append(sb, l->p++, 1);
		}
		if (r < 0)
			return r;
	}
}

static bool
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
					(c & 0xf8) == 0xf0 ? 4 : 0;
		uint32_t cp;

		if (len == 0 || i + len > n)
			return false;
		cp = len == 1 ? c : (uint32_t)(c & (0x7f >> len));
		for (size_t j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* A string literal, with adjacent literals concatenated ('a' 'b'). */
static json_t *
lit_string(struct lit *l)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *v;
	bool raw;
	int r;

	do {
		r = lit_string_one(l, &sb);
		if (r < 0) {
			strbuf_free(&sb);
			return lit_error(l, r);
		}
		lit_ws(l);
	} while (str_start(l->p, &raw) >= 0);
	if (!utf8_valid((const unsigned char *)(sb.buf ? sb.buf : ""), sb.len)) {
		strbuf_free(&sb);
		return lit_error(l, -EINVAL);
	}
	v = json_stringn(sb.buf ? sb.buf : "", sb.len);
	strbuf_free(&sb);
	return v ? v : lit_error(l, -ENOMEM);
}

/* Append c to buf unless full; a full buffer sets *n to cap for good. */
static void
buf_put(char *buf, size_t *n, size_t cap, char c)
{
	if (*n + 1 < cap)
		buf[(*n)++] = c;
	else
		*n = cap;
}

/* Digits with single '_' between them, copied to buf without the '_'. */
static size_t
scan_digits(const char **pp, char *buf, size_t *n, size_t cap, bool (*ok)(char))
{
	const char *p = *pp;
	size_t count = 0;

	while (ok(*p) || (*p == '_' && count > 0 && ok(p[1]))) {
		if (*p != '_') {
			buf_put(buf, n, cap, *p);
			count++;
		}
		p++;
	}
	*pp = p;
	return count;
}

static bool
ok_bin(char c)
{
	return c == '0' || c == '1';
}

static bool
ok_oct(char c)
{
	return c >= '0' && c <= '7';
}

static bool
ok_hex(char c)
{
	return hex_value(c) >= 0;
}

static json_t *
lit_number(struct lit *l)
{
	char buf[400];
	size_t n = 0, intd, fracd = 0;
	bool neg = false, isfloat = false;
	uint64_t v = 0, lim;
	json_t *j;

	if (*l->p == '+' || *l->p == '-') {
		neg = *l->p == '-';
		l->p++;
		lit_ws(l);
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (l->p[0] == '0' && l->p[1] && strchr("xXoObB", l->p[1])) {
		char kind = (char)(l->p[1] | 0x20);
		unsigned base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;

		l->p += 2;
		if (*l->p == '_')
			l->p++;
		if (scan_digits(&l->p, buf, &n, sizeof(buf),
				base == 16 ? ok_hex : base == 8 ? ok_oct : ok_bin) == 0)
			return lit_error(l, -EINVAL);
		if (n >= sizeof(buf) - 1)
			return lit_error(l, -EINVAL);
		for (size_t i = 0; i < n; i++) {
			unsigned d = (unsigned)hex_value(buf[i]);
			if (v > (lim - d) / base)
				return lit_error(l, -EINVAL);	/* beyond int64 */
			v = v * base + d;
		}
		if (is_ident_char(*l->p))
			return lit_error(l, -EINVAL);
	} else {
		intd = scan_digits(&l->p, buf, &n, sizeof(buf), is_digit);
		if (*l->p == '.') {
			isfloat = true;
			buf_put(buf, &n, sizeof(buf), '.');
			l->p++;
			fracd = scan_digits(&l->p, buf, &n, sizeof(buf), is_digit);
		}
		if (intd == 0 && fracd == 0)
			return lit_error(l, -EINVAL);
		if (*l->p == 'e' || *l->p == 'E') {
			isfloat = true;
			buf_put(buf, &n, sizeof(buf), 'e');
			l->p++;
			if (*l->p == '+' || *l->p == '-')
				buf_put(buf, &n, sizeof(buf), *l->p++);
			if (scan_digits(&l->p, buf, &n, sizeof(buf), is_digit) == 0)
				return lit_error(l, -EINVAL);
		}
		if (n >= sizeof(buf) - 1 || is_ident_char(*l->p))
			return lit_error(l, -EINVAL);	/* 1j, 1abc, absurdly long */
		buf[n] = '\0';
		if (isfloat) {
			double d = strtod(buf, NULL);
			if (!isfinite(d))
				return lit_error(l, -EINVAL);
			j = json_real(neg ? -d : d);
			return j ? j : lit_error(l, -ENOMEM);
		}
		if (buf[0] == '0' && strspn(buf, "0") != n)
			return lit_error(l, -EINVAL);	/* 012: leading zeros */
		for (size_t i = 0; i < n; i++) {
			unsigned d = (unsigned)(buf[i] - '0');
			if (v > (lim - d) / 10)
				return lit_error(l, -EINVAL);
			v = v * 10 + d;
		}
	}
	j = json_integer(neg ? (json_int_t)(0 - v) : (json_int_t)v);
	return j ? j : lit_error(l, -ENOMEM);
}

static json_t *lit_value(struct lit *l);

static json_t *
make_true(void)
{
	return json_true();
}

static json_t *
make_false(void)
{
	return json_false();
}

static json_t *
make_none(void)
{
	return json_null();
}

/* {...}, [...] or (...): a dict, list, tuple or a parenthesised value. */
static json_t *
lit_container(struct lit *l)
{
	char open = *l->p, close = open == '{' ? '}' : open == '[' ? ']' : ')';
	_cleanup_json_ json_t *c = open == '{' ? json_object() : json_array();
	bool first = true;

	if (c == NULL)
		return lit_error(l, -ENOMEM);
	if (++l->depth > LIT_MAX_DEPTH)
		return lit_error(l, -EINVAL);
	l->p++;
	lit_ws(l);
	for (;;) {
		_cleanup_json_ json_t *k = NULL, *v = NULL;

		if (*l->p == close)
			break;
		if (open == '{') {
			k = lit_value(l);
			if (k == NULL)
				return NULL;
			if (!json_is_string(k))
				return lit_error(l, -EINVAL);	/* JSON keys are strings */
			lit_ws(l);
			if (*l->p != ':')
				return lit_error(l, -EINVAL);	/* a set, or garbage */
			l->p++;
		}
		v = lit_value(l);
		if (v == NULL)
			return NULL;
		lit_ws(l);
		if (open == '(' && first && *l->p == ')') {
			l->p++;
			l->depth--;
			return TAKE_PTR(v);			/* (x) is just x */
		}
		first = false;
		if (open == '{') {
			if (json_object_set(c, json_string_value(k), v) < 0)
				return lit_error(l, -ENOMEM);
		} else if (json_array_append(c, v) < 0) {
			return lit_error(l, -ENOMEM);
		}
		if (*l->p == ',') {
			l->p++;
			lit_ws(l);
			continue;
		}
		if (*l->p != close)
			return lit_error(l, -EINVAL);
	}
	l->p++;
	l->depth--;
	return TAKE_PTR(c);
}

static json_t *
lit_value(struct lit *l)
{
	static const struct {
		const char	*word;
		json_t		*(*make)(void);
	} words[] = { { "True", make_true }, { "False", make_false }, { "None", make_none } };
	bool raw;

	lit_ws(l);
	if (*l->p == '{' || *l->p == '[' || *l->p == '(')
		return lit_container(l);
	if (str_start(l->p, &raw) >= 0)
		return lit_string(l);
	if (*l->p == '+' || *l->p == '-' || is_digit(*l->p) || (*l->p == '.' && is_digit(l->p[1])))
		return lit_number(l);
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i].word);
		if (strncmp(l->p, words[i].word, n) == 0 && !is_ident_char(l->p[n])) {
			l->p += n;
			return words[i].make();
		}
	}
	return lit_error(l, -EINVAL);
}

int
patch_parse_pyliteral(const char *s, json_t **ret)
{
	struct lit l = { s, 0, 0 };
	json_t *v;

	if (s == NULL)
		return -EINVAL;
	v = lit_value(&l);
	if (v == NULL)
		return l.err < 0 ? l.err : -EINVAL;
	lit_ws(&l);
	if (*l.p != '\0') {
		json_decref(v);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* --- JSON-Patch ------------------------------------------------------------ */

struct pop {
	json_t		*path;		/* borrowed from the patch */
	json_t		*op;
	json_t		*value;		/* NULL when absent */
	json_t		*parsed;	/* owned: value after the dict-path literal parse */
};

static bool
truthy(json_t *v)
{
	if (v == NULL)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_TRUE:
		return true;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	}
	return false;
}

/* ^(/[\w-]+)+$ with Python's Unicode \w approximated by "any non-ASCII". */
static bool
path_valid(const char *p)
{
	if (*p != '/')
		return false;
	while (*p == '/') {
		size_t n = 0;

		p++;
		while (*p && *p != '/') {
			if (!is_ident_char(*p) && *p != '-')
				return false;
			p++;
			n++;
		}
		if (n == 0)
			return false;
	}
	return *p == '\0';
}

static const char *
py_class(json_t *v)
{
	return json_is_object(v) ? "<class 'dict'>" : json_is_array(v) ? "<class 'list'>" :
									  "<class 'float'>";
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Validate one op (step 2 of patch.h) and fill *o. */
static int
check_op(json_t *item, json_t *patch, const struct patch_rules *rules, struct pop *o,
	 char **ret_msg)
{
	static const char *const ops[] = { "add", "replace", "remove", NULL };
	_cleanup_free_ const char **names = NULL;
	const char *k, *path, *op;
	size_t n = 0;
	json_t *v;

	if (!json_is_object(item)) {
		_cleanup_free_ char *text = fields_py_str(item);
		if (text == NULL)
			return -ENOMEM;
		return fields_invalid(ret_msg, "patch", patch, "Value not a valid dict: %s", text);
	}
	names = calloc(json_object_size(item) + 1, sizeof(*names));
	if (names == NULL)
		return -ENOMEM;
	json_object_foreach(item, k, v)
		if (!streq(k, "path") && !streq(k, "op") && !streq(k, "value"))
			names[n++] = k;
	if (n > 0) {
		struct strbuf sb = STRBUF_INIT;
		int r = 0;

		qsort(names, n, sizeof(*names), cmp_str);
		for (size_t i = 0; i < n && r == 0; i++)
			r = strbuf_printf(&sb, "%s%s", i ? ", " : "", names[i]);
		if (r == 0)
			r = msg_fmt(ret_msg, "Unknown attribute%s for argument patch: %s",
				    n > 1 ? "s" : "", sb.buf);
		strbuf_free(&sb);
		return r;
	}
	o->path = json_object_get(item, "path");
	o->op = json_object_get(item, "op");
	o->value = json_object_get(item, "value");
	if (o->path == NULL || json_is_null(o->path))
		return fields_invalid(ret_msg, "path", NULL, "Mandatory field missing.");
	if (!json_is_string(o->path))
		return fields_invalid(ret_msg, "path", o->path, "Value should be string");
	path = json_string_value(o->path);
	if (!path_valid(path))
		return fields_invalid(ret_msg, "path", o->path, "Value should match the pattern "
			       PATH_PATTERN);
	if (o->op == NULL || json_is_null(o->op))
		return fields_invalid(ret_msg, "op", NULL, "Mandatory field missing.");
	if (!json_is_string(o->op) || !in_list(ops, json_string_value(o->op)))
		return fields_invalid(ret_msg, "op", o->op,
			       "Value should be one of: add, replace, remove");
	op = json_string_value(o->op);
	if (o->value && !json_is_null(o->value) && !json_is_string(o->value) &&
	    !json_is_integer(o->value) && !json_is_boolean(o->value))
		return fields_invalid(ret_msg, "value", o->value, "Wrong type. Expected '(<class 'str'>, "
			       "<class 'int'>)', got '%s'", py_class(o->value));
	if (in_list(rules->internal, path))
		return msg_fmt(ret_msg, "'%s' is an internal attribute and can not be updated",
			       path);
	if (streq(op, "remove") && in_list(rules->mandatory, path))
		return msg_fmt(ret_msg, "'%s' is a mandatory attribute and can not be removed",
			       path);
	if (!streq(op, "remove") &&
	    (rules->allow_falsy ? o->value == NULL || json_is_null(o->value) : !truthy(o->value)))
		return msg_fmt(ret_msg, "'add' and 'replace' operations needs value");
	return 0;
}

/* Python repr of the validated ops, as PatchError prints them. */
static char *
ops_repr(const struct pop *ops, size_t n, bool allow_falsy)
{
	struct strbuf sb = STRBUF_INIT;
	int r = strbuf_puts(&sb, "[");

	for (size_t i = 0; i < n && r == 0; i++) {
		_cleanup_free_ char *p = fields_py_repr(ops[i].path),
				    *o = fields_py_repr(ops[i].op);
		_cleanup_free_ char *v = NULL;
		bool show = allow_falsy ? ops[i].value != NULL : truthy(ops[i].value);

		if (show)
			v = fields_py_repr(ops[i].value);
		if (p == NULL || o == NULL || (show && v == NULL)) {
			r = -ENOMEM;
			break;
		}
		r = strbuf_printf(&sb, "%s{'path': %s, 'op': %s%s%s}", i ? ", " : "", p, o,
				  show ? ", 'value': " : "", show ? v : "");
	}
	if (r == 0)
		r = strbuf_puts(&sb, "]");
	if (r < 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

static int reason_fmt(char **ret_reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
reason_fmt(char **ret_reason, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(ret_reason, fmt, ap);
	va_end(ap);
	if (r < 0) {
		*ret_reason = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

static int
reason_not_found(char **ret_reason, const char *member, json_t *in)
{
	_cleanup_free_ char *text = fields_py_str(in);

	if (text == NULL)
		return -ENOMEM;
	return reason_fmt(ret_reason, "member '%s' not found in %s", member, text);
}

/* An RFC 6901 array index ("0" or no leading zero), or -1. */
static long long
array_index(const char *s)
{
	long long v = 0;

	if (!is_digit(*s) || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s) || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Apply op to the last part of the path inside container c. */
static int
apply_last(json_t *c, const char *op, const char *path, const char *part, json_t *val,
	   char **ret_reason)
{
	_cleanup_json_ json_t *copy = NULL;

	if (!streq(op, "remove")) {
		copy = json_deep_copy(val);
		if (copy == NULL)
			return -ENOMEM;
	}
	if (json_is_object(c)) {
		if (!streq(op, "add") && json_object_get(c, part) == NULL)
			return reason_fmt(ret_reason, "can't %s a non-existent object '%s'", op,
					  part);
		if (streq(op, "remove"))
			return json_object_del(c, part) < 0 ? -ENOMEM : 0;
		return json_object_set(c, part, copy) < 0 ? -ENOMEM : 0;
	}
	if (json_is_array(c)) {
		size_t size = json_array_size(c);
		long long idx = array_index(part);

		if (streq(part, "-") && streq(op, "add"))
			return json_array_append(c, copy) < 0 ? -ENOMEM : 0;
		if (streq(part, "-") && streq(op, "replace"))
			return reason_fmt(
				ret_reason,
				"'path' with '-' can't be applied to 'replace' operation");
		if (streq(part, "-"))
			return reason_fmt(ret_reason, "invalid array index '-'");
		if (idx < 0)
			return reason_fmt(ret_reason, "'%s' is not a valid sequence index", part);
		if (streq(op, "add")) {
			if ((size_t)idx > size)
				return reason_fmt(ret_reason, "can't insert outside of list");
			return json_array_insert(c, (size_t)idx, copy) < 0 ? -ENOMEM : 0;
		}
		if ((size_t)idx >= size && streq(op, "replace"))
			return reason_fmt(ret_reason, "can't replace outside of list");
		if ((size_t)idx >= size)
			return reason_fmt(ret_reason, "can't remove a non-existent object '%s'",
					  part);
		if (streq(op, "remove"))
			return json_array_remove(c, (size_t)idx) < 0 ? -ENOMEM : 0;
		return json_array_set(c, (size_t)idx, copy) < 0 ? -ENOMEM : 0;
	}
	return reason_fmt(ret_reason, "unable to fully resolve json pointer %s, part %s", path,
			  part);
}

/* Apply one validated op to doc (step 5 of patch.h). */
static int
apply_op(json_t *doc, const struct pop *o, const struct patch_rules *rules, char **ret_reason)
{
	const char *op = json_string_value(o->op), *path = json_string_value(o->path);
	json_t *val = o->parsed ? o->parsed : o->value, *c;
	_cleanup_free_ char *copy = strdup(path + 1), *top = NULL;
	_cleanup_free_ char **parts = NULL;
	size_t n = 1;

	if (copy == NULL)
		return -ENOMEM;
	for (const char *p = copy; *p; p++)
		n += *p == '/';
	parts = calloc(n, sizeof(*parts));
	if (parts == NULL)
		return -ENOMEM;
	parts[0] = copy;
	for (size_t i = 0, j = 1; copy[i]; i++)
		if (copy[i] == '/') {
			copy[i] = '\0';
			parts[j++] = &copy[i + 1];
		}
	if (n == 1)
		return apply_last(doc, op, path, parts[0], val, ret_reason);

	c = json_object_get(doc, parts[0]);
	if (c == NULL)
		return reason_not_found(ret_reason, parts[0], doc);
	if (asprintf(&top, "/%s", parts[0]) < 0) {
		top = NULL;
		return -ENOMEM;
	}
	if (!in_list(rules->dict_paths, top))
		return reason_fmt(ret_reason, "unable to fully resolve json pointer %s, part %s",
				  path, parts[1]);
	if (json_is_null(c) && streq(op, "add") && n == 2) {
		c = json_object();
		if (c == NULL || json_object_set_new(doc, parts[0], c) < 0)
			return -ENOMEM;
	}
	for (size_t i = 1; i + 1 < n; i++) {
		json_t *next;

		if (json_is_object(c)) {
			next = json_object_get(c, parts[i]);
			if (next == NULL)
				return reason_not_found(ret_reason, parts[i], c);
		} else if (json_is_array(c)) {
			long long idx = array_index(parts[i]);

			if (idx < 0)
				return reason_fmt(ret_reason, "'%s' is not a valid sequence index",
						  parts[i]);
			if ((size_t)idx >= json_array_size(c))
				return reason_fmt(ret_reason, "index '%s' is out of bounds",
						  parts[i]);
			next = json_array_get(c, (size_t)idx);
		} else {
			return reason_fmt(ret_reason,
					  "unable to fully resolve json pointer %s, part %s", path,
					  parts[i]);
		}
		c = next;
	}
	return apply_last(c, op, path, parts[n - 1], val, ret_reason);
}

static void
pops_free(struct pop *ops, size_t n)
{
	for (size_t i = 0; ops && i < n; i++)
		json_decref(ops[i].parsed);
	free(ops);
}

int
patch_apply(json_t *doc, json_t *patch, const struct patch_rules *rules, json_t **ret_doc,
	    char **ret_msg)
{
	static const struct patch_rules none = { NULL, NULL, NULL, false, NULL };
	_cleanup_json_ json_t *out = NULL;
	_cleanup_free_ char *prepr = NULL, *reason = NULL;
	struct pop *ops = NULL;
	size_t n = 0, i;
	const char *k;
	json_t *item, *v;
	int r = 0;

	*ret_msg = NULL;
	if (rules == NULL)
		rules = &none;
	if (!json_is_array(patch)) {
		_cleanup_free_ char *text = fields_py_str(patch);
		if (text == NULL)
			return -ENOMEM;
		return fields_invalid(ret_msg, "patch", patch, "Value not a valid list: %s", text);
	}
	if (!json_is_object(doc))
		return msg_fmt(ret_msg, "Couldn't apply patch: the resource is not an object");
	ops = calloc(json_array_size(patch) + 1, sizeof(*ops));
	if (ops == NULL)
		return -ENOMEM;

	/* 2. every op on its own */
	json_array_foreach(patch, i, item) {
		r = check_op(item, patch, rules, &ops[i], ret_msg);
		if (r < 0)
			goto done;
		n = i + 1;
	}
	/* 3. adds at the root, against the original document */
	for (i = 0; i < n; i++) {
		const char *path = json_string_value(ops[i].path);
		json_t *cur;

		if (!streq(json_string_value(ops[i].op), "add") || strchr(path + 1, '/'))
			continue;
		cur = json_object_get(doc, path + 1);
		if (cur == NULL) {
			r = msg_fmt(ret_msg,
				    "Adding a new attribute %s to the root of the resource is "
				    "not allowed.",
				    path);
			goto done;
		}
		if (!json_is_null(cur)) {
			r = msg_fmt(ret_msg, "The attribute %s has existed, please use 'replace' "
					     "operation instead.", path);
			goto done;
		}
	}
	prepr = ops_repr(ops, n, rules->allow_falsy);
	if (prepr == NULL) {
		r = -ENOMEM;
		goto done;
	}
	/* 4. Python literals for dict-valued paths */
	for (i = 0; i < n; i++) {
		if (!streq(json_string_value(ops[i].op), "replace") ||
		    !json_is_string(ops[i].value) ||
		    !in_list(rules->dict_paths, json_string_value(ops[i].path)))
			continue;
		r = patch_parse_pyliteral(json_string_value(ops[i].value), &ops[i].parsed);
		if (r == -EINVAL)
			r = msg_fmt(ret_msg, "Couldn't apply patch '%s'. Reason: malformed node or "
					     "string", prepr);
		if (r < 0)
			goto done;
	}
	/* 5. apply in order */
	out = json_deep_copy(doc);
	if (out == NULL) {
		r = -ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		r = apply_op(out, &ops[i], rules, &reason);
		if (r == -EINVAL)
			r = msg_fmt(ret_msg, "Couldn't apply patch '%s'. Reason: %s", prepr,
				    reason);
		if (r < 0)
			goto done;
	}
	/* 6. removed attributes fall back to their defaults */
	json_object_foreach(doc, k, v) {
		json_t *d;

		if (json_object_get(out, k))
			continue;
		d = rules->defaults ? json_object_get(rules->defaults, k) : NULL;
		d = d ? json_deep_copy(d) : json_null();
		if (d == NULL || json_object_set_new(out, k, d) < 0) {
			r = -ENOMEM;
			goto done;
		}
	}
	*ret_doc = TAKE_PTR(out);
done:
	pops_free(ops, json_array_size(patch));
	return r;
}
