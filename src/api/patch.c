/* patch.c - JSON-Patch (add/replace/remove) with Magnum's rules. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strbuf.h"

static bool
in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (streq(list[i], s))
			return true;
	return false;
}


/* Python repr of the patch for "Couldn't apply patch" messages. */
static char *
patch_repr(json_t *patch)
{
	char *s = json_dumps(patch, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : strdup("[]");
}

/* --- Python literal parser: dicts, lists, strings, numbers, True/False/None --- */
struct py {
	const char *p;
};

static void
py_ws(struct py *s)
{
	while (isspace((unsigned char)*s->p))
		s->p++;
}

static json_t *py_value(struct py *s, int depth);

static json_t *
py_string(struct py *s)
{
	char q = *s->p++;
	struct strbuf sb = STRBUF_INIT;
	json_t *r;

	while (*s->p && *s->p != q) {
		char c = *s->p++;
		if (c == '\\' && *s->p) {
			c = *s->p++;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		if (strbuf_append(&sb, &c, 1) < 0)
			goto fail;
	}
	if (*s->p != q)
		goto fail;
	s->p++;
	r = json_string(sb.buf ? sb.buf : "");
	strbuf_free(&sb);
	return r;
fail:
	strbuf_free(&sb);
	return NULL;
}

static json_t *
py_value(struct py *s, int depth)
{
	py_ws(s);
	if (depth > 16)
		return NULL;
	if (*s->p == '\'' || *s->p == '"')
		return py_string(s);
	if (*s->p == '{' || *s->p == '[') {
		bool dict = *s->p == '{';
		char close = dict ? '}' : ']';
		json_t *c = dict ? json_object() : json_array();

		s->p++;
		py_ws(s);
		if (*s->p == close) {
			s->p++;
			return c;
		}
		for (;;) {
			if (dict) {
				json_t *k = py_value(s, depth + 1), *v;
				py_ws(s);
				if (!json_is_string(k) || *s->p != ':') {
					json_decref(k);
					break;
				}
				s->p++;
				v = py_value(s, depth + 1);
				if (v == NULL) {
					json_decref(k);
					break;
				}
				json_object_set_new(c, json_string_value(k), v);
				json_decref(k);
			} else {
				json_t *v = py_value(s, depth + 1);
				if (v == NULL)
					break;
				json_array_append_new(c, v);
			}
			py_ws(s);
			if (*s->p == ',') {
				s->p++;
				py_ws(s);
				if (*s->p == close) {
					s->p++;
					return c;
				}
				continue;
			}
			if (*s->p == close) {
				s->p++;
				return c;
			}
			break;
		}
		json_decref(c);
		return NULL;
	}
	if (strncmp(s->p, "True", 4) == 0) {
		s->p += 4;
		return json_true();
	}
	if (strncmp(s->p, "False", 5) == 0) {
		s->p += 5;
		return json_false();
	}
	if (strncmp(s->p, "None", 4) == 0) {
		s->p += 4;
		return json_null();
	}
	if (*s->p == '-' || isdigit((unsigned char)*s->p)) {
		char *end;
		long long v = strtoll(s->p, &end, 10);
		if (*end == '.' || *end == 'e' || *end == 'E') {
			double d = strtod(s->p, &end);
			s->p = end;
			return json_real(d);
		}
		s->p = end;
		return json_integer(v);
	}
	return NULL;
}

int
patch_parse_pyliteral(const char *str, json_t **ret)
{
	struct py s = { str };
	json_t *v = py_value(&s, 0);

	if (v == NULL)
		return -EINVAL;
	py_ws(&s);
	if (*s.p) {
		json_decref(v);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static bool
value_truthy(json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return true;
}

int
patch_apply(json_t *doc, json_t *patch, const struct patch_rules *rules, json_t **ret_doc,
	    char **ret_msg)
{
	_cleanup_json_ json_t *out = NULL;
	regex_t re;
	size_t i;
	json_t *op;

	*ret_msg = NULL;
	if (!json_is_array(patch))
		return msg_set(ret_msg, "Invalid input for field/attribute patch. Value: '%s'. "
				    "Value should be a list of patch operations",
			   "<object>");
	if (regcomp(&re, "^(/[A-Za-z0-9_-]+)+$", REG_EXTENDED | REG_NOSUB) != 0)
		return -ENOMEM;
	out = json_deep_copy(doc);
	if (out == NULL) {
		regfree(&re);
		return -ENOMEM;
	}
	json_array_foreach(patch, i, op) {
		const char *o = json_string_value(json_object_get(op, "op"));
		const char *path = json_string_value(json_object_get(op, "path"));
		json_t *value = json_object_get(op, "value");
		char top[256], *sub;
		int r = -EINVAL;

		if (!json_is_object(op)) {
			r = msg_set(ret_msg, "Invalid input for field/attribute patch. Value: '%s'. "
					 "Each operation should be an object", "<value>");
			goto out;
		}
		if (path == NULL || regexec(&re, path, 0, NULL, 0) != 0) {
			r = msg_set(ret_msg, "Invalid input for field/attribute path. Value: '%s'. "
					 "Value should match the pattern ^(/[\\w-]+)+$",
				path ? path : "None");
			goto out;
		}
		if (o == NULL || (!streq(o, "add") && !streq(o, "replace") && !streq(o, "remove"))) {
			r = msg_set(ret_msg, "Invalid input for field/attribute op. Value: '%s'. Value "
					 "should be one of: add, replace, remove", o ? o : "None");
			goto out;
		}
		if (in_list(rules->internal, path)) {
			r = msg_set(ret_msg, "'%s' is an internal attribute and can not be updated", path);
			goto out;
		}
		if (streq(o, "remove") && in_list(rules->mandatory, path)) {
			r = msg_set(ret_msg, "'%s' is a mandatory attribute and can not be removed", path);
			goto out;
		}
		if (!streq(o, "remove")) {
			if (value && !json_is_string(value) && !json_is_integer(value) &&
			    !json_is_boolean(value) && !json_is_null(value)) {
				r = msg_set(ret_msg, "Invalid input for field/attribute value. Value: "
						 "'%s'. Wrong type. Expected '<class 'str'>, <class "
						 "'int'>, <class 'bool'>', got '%s'",
					"<value>", json_is_array(value) ? "<class 'list'>" :
					json_is_object(value) ? "<class 'dict'>" : "<class 'float'>");
				goto out;
			}
			if (rules->allow_falsy ? (value == NULL || json_is_null(value)) :
						 !value_truthy(value)) {
				r = msg_set(ret_msg, "'add' and 'replace' operations needs value");
				goto out;
			}
		}
		snprintf(top, sizeof(top), "%s", path + 1);
		sub = strchr(top, '/');
		if (sub)
			*sub++ = '\0';
		json_t *cur = json_object_get(out, top);
		if (sub) {
			/* Nested: only inside dict attributes (e.g. /labels/key). */
			char full[300];
			snprintf(full, sizeof(full), "/%s", top);
			if (strchr(sub, '/') || !in_list(rules->dict_paths, full) ||
			    !json_is_object(json_object_get(doc, top)) ||
			    !json_object_get(doc, top)) {
				if (cur == NULL || json_is_null(cur)) {
					if (streq(o, "add") && in_list(rules->dict_paths, full) &&
					    !strchr(sub, '/')) {
						cur = json_object();
						json_object_set_new(out, top, cur);
					} else {
						_cleanup_free_ char *pr = patch_repr(patch);
						r = msg_set(ret_msg, "Couldn't apply patch '%s'. Reason: "
								 "member '%s' not found in %s",
							pr, top, "the resource");
						goto out;
					}
				} else if (!json_is_object(cur) || strchr(sub, '/')) {
					_cleanup_free_ char *pr = patch_repr(patch);
					r = msg_set(ret_msg, "Couldn't apply patch '%s'. Reason: "
							 "invalid path %s", pr, path);
					goto out;
				}
			}
			if (streq(o, "remove")) {
				if (json_object_get(cur, sub) == NULL) {
					_cleanup_free_ char *pr = patch_repr(patch);
					r = msg_set(ret_msg, "Couldn't apply patch '%s'. Reason: can't "
							 "remove non-existent object '%s'", pr, sub);
					goto out;
				}
				json_object_del(cur, sub);
			} else {
				if (streq(o, "replace") && json_object_get(cur, sub) == NULL) {
					_cleanup_free_ char *pr = patch_repr(patch);
					r = msg_set(ret_msg, "Couldn't apply patch '%s'. Reason: can't "
							 "replace non-existent object '%s'", pr, sub);
					goto out;
				}
				json_object_set(cur, sub, value);
			}
			continue;
		}
		if (cur == NULL) {
			if (streq(o, "add")) {
				r = msg_set(ret_msg, "Adding a new attribute %s to the root of the "
						 "resource is not allowed.", path);
			} else {
				_cleanup_free_ char *pr = patch_repr(patch);
				r = msg_set(ret_msg, "Couldn't apply patch '%s'. Reason: can't %s "
						 "non-existent object '%s'", pr, o, top);
			}
			goto out;
		}
		if (streq(o, "remove")) {
			json_t *d = rules->defaults ? json_object_get(rules->defaults, top) : NULL;
			json_object_set(out, top, d ? d : json_null());
		} else if (streq(o, "add") && !json_is_null(cur)) {
			r = msg_set(ret_msg, "The attribute %s has existed, please use 'replace' "
					 "operation instead.", path);
			goto out;
		} else if (json_is_string(value) && in_list(rules->dict_paths, path)) {
			json_t *parsed = NULL;
			if (patch_parse_pyliteral(json_string_value(value), &parsed) < 0 ||
			    !(json_is_object(parsed) || json_is_array(parsed))) {
				_cleanup_free_ char *pr = patch_repr(patch);
				json_decref(parsed);
				r = msg_set(ret_msg, "Couldn't apply patch '%s'. Reason: malformed "
						 "value for %s", pr, path);
				goto out;
			}
			json_object_set_new(out, top, parsed);
		} else {
			json_object_set(out, top, value);
		}
		continue;
out:
		regfree(&re);
		return r;
	}
	regfree(&re);
	*ret_doc = TAKE_PTR(out);
	return 0;
}
