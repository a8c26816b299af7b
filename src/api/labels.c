/*
 * labels.c - label maps: types, limits, the flannel and mesos label rules, and
 * the CLI text form. The rules and texts are listed in labels.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/fields.h"
#include "api/labels.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

static const char *const isolations[] = {
	"filesystem/posix", "filesystem/linux", "filesystem/shared", "posix/cpu", "posix/mem",
	"posix/disk", "cgroups/cpu", "cgroups/mem", "docker/runtime", "namespaces/pid", NULL,
};
static const char *const image_providers[] = { "docker", "appc", NULL };

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

static bool
in_list(const char *const *list, const char *s, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return true;
	return false;
}

/* Decimal digits only, at most 3 of them, into *ret; 0 or -EINVAL. */
static int
small_uint(const char *s, size_t n, int *ret)
{
	int v = 0;

	if (n == 0 || n > 3)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return 0;
}

/* Strict "a.b.c.d/n": dotted quad without leading zeros, n <= 32, no host bits. */
static int
parse_cidr(const char *s, uint32_t *ret_net, int *ret_prefix)
{
	const char *slash = strchr(s, '/'), *p = s;
	uint32_t addr = 0, mask;
	int prefix, octet;

	if (slash == NULL)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		const char *end = p;

		while (end < slash && *end != '.')
			end++;
		if ((i < 3) != (end < slash && *end == '.'))
			return -EINVAL;
		if (small_uint(p, (size_t)(end - p), &octet) < 0 || octet > 255 ||
		    (end - p > 1 && *p == '0'))
			return -EINVAL;
		addr = addr << 8 | (uint32_t)octet;
		p = end + 1;
	}
	if (small_uint(slash + 1, strlen(slash + 1), &prefix) < 0 || prefix > 32)
		return -EINVAL;
	mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
	if (addr & ~mask)
		return -EINVAL;
	*ret_net = addr;
	*ret_prefix = prefix;
	return 0;
}

static int
check_flannel(json_t *out, char **ret_msg)
{
	static const char *const backends[] = { "udp", "vxlan", "host-gw", NULL };
	const char *backend = json_string_value(json_object_get(out, "flannel_backend"));
	const char *cidr = json_string_value(json_object_get(out, "flannel_network_cidr"));
	const char *sl = json_string_value(json_object_get(out, "flannel_network_subnetlen"));
	uint32_t net;
	int prefix = 16, len;

	if (backend && !in_list(backends, backend, strlen(backend)))
		return msg_fmt(ret_msg, "Invalid label flannel_backend: '%s'. Allowed values: udp, "
				        "vxlan, host-gw", backend);
	if (cidr && (parse_cidr(cidr, &net, &prefix) < 0 || prefix > 30))
		return msg_fmt(ret_msg,
			       "Invalid label flannel_network_cidr: '%s'. Allowed values: an "
			       "IPv4 network a.b.c.d/n with n <= 30 and no host bits set",
			       cidr);
	if (sl == NULL)
		return 0;
	if (prefix >= 30)
		return msg_fmt(ret_msg,
			       "Invalid label flannel_network_subnetlen: '%s'. Allowed "
			       "values: none, as no subnet fits inside flannel_network_cidr "
			       "%s",
			       sl, cidr ? cidr : LABELS_FLANNEL_CIDR);
	if (small_uint(sl, strlen(sl), &len) < 0 || len <= prefix || len > 30)
		return msg_fmt(ret_msg, "Invalid label flannel_network_subnetlen: '%s'. Allowed "
				        "values: an integer from %d to 30 (subnets must fit inside "
				        "flannel_network_cidr %s)", sl, prefix + 1,
			       cidr ? cidr : LABELS_FLANNEL_CIDR);
	return 0;
}

/* The next item of a ','-separated list (not trimmed: "" is one empty item). */
static bool
item_next(const char **cursor, const char **ret_item, size_t *ret_len)
{
	const char *p = *cursor;
	size_t n;

	if (p == NULL)
		return false;
	n = strcspn(p, ",");
	*ret_item = p;
	*ret_len = n;
	*cursor = p[n] ? p + n + 1 : NULL;
	return true;
}

/* Does the item (item, n) appear in the list before position item? */
static bool
item_seen_before(const char *list, const char *item, size_t n)
{
	const char *cur = list, *prev;
	size_t m;

	while (item_next(&cur, &prev, &m) && prev < item)
		if (m == n && memcmp(prev, item, n) == 0)
			return true;
	return false;
}

static int
check_isolation(const char *v, char **ret_msg)
{
	struct strbuf bad = STRBUF_INIT, all = STRBUF_INIT;
	const char *cur = v, *item;
	bool any = false;
	size_t n;
	int r = 0;

	while (r == 0 && item_next(&cur, &item, &n)) {
		if (in_list(isolations, item, n) || item_seen_before(v, item, n))
			continue;
		r = strbuf_printf(&bad, "%s%.*s", any ? ", " : "", (int)n, item);
		any = true;
	}
	if (r == 0 && any) {
		for (size_t i = 0; isolations[i] && r == 0; i++)
			r = strbuf_printf(&all, "%s, ", isolations[i]);
		if (r == 0)
			r = msg_fmt(ret_msg, "property \"labels/mesos_agent_isolation\" with value "
					     "\"%s\" is not supported, supported values are: "
					     "%sunspecified", bad.buf ? bad.buf : "", all.buf);
	}
	strbuf_free(&bad);
	strbuf_free(&all);
	return r;
}

static bool
has_item(const char *list, const char *want)
{
	const char *cur = list, *item;
	size_t n;

	while (item_next(&cur, &item, &n))
		if (n == strlen(want) && memcmp(item, want, n) == 0)
			return true;
	return false;
}

static int
check_image_providers(const char *v, const char *isolation, char **ret_msg)
{
	const char *cur = v, *item;
	size_t n;

	while (item_next(&cur, &item, &n)) {
		_cleanup_free_ char *low = strndup(item, n);

		if (low == NULL)
			return -ENOMEM;
		for (char *p = low; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (!in_list(image_providers, low, n))
			return msg_fmt(ret_msg,
				       "property \"labels/mesos_agent_image_providers\" with "
				       "value \"%s\" is not supported, supported values are: "
				       "docker, appc, unspecified",
				       low);
		if (streq(low, "docker") && !(isolation && has_item(isolation, "docker/runtime")))
			return msg_fmt(ret_msg,
				       "Docker runtime isolator has to be specified if 'docker' "
				       "is included in 'mesos_agent_image_providers' Please add "
				       "'docker/runtime' to 'mesos_agent_isolation' labels flags");
	}
	return 0;
}

static int
check_mesos(json_t *out, char **ret_msg)
{
	const char *iso = json_string_value(json_object_get(out, "mesos_agent_isolation"));
	const char *prov = json_string_value(json_object_get(out, "mesos_agent_image_providers"));
	const char *env = json_string_value(json_object_get(out,
							     "mesos_agent_executor_env_variables"));
	int r;

	if (iso && (r = check_isolation(iso, ret_msg)) < 0)
		return r;
	if (prov && (r = check_image_providers(prov, iso, ret_msg)) < 0)
		return r;
	if (env) {
		json_t *j = json_loads(env, JSON_DECODE_ANY, NULL);
		if (j == NULL)
			return msg_fmt(ret_msg, "Json format error");
		json_decref(j);
	}
	return 0;
}

/* The label string for a scalar value, or NULL (*ret_err < 0 on OOM). */
static json_t *
label_value(json_t *v, int *ret_err)
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

int
labels_validate(json_t *labels, const char *coe, size_t max_labels, json_t **ret, char **ret_msg)
{
	_cleanup_json_ json_t *out = json_object();
	const char *k;
	json_t *e;
	int r;

	(void)coe;
	*ret_msg = NULL;
	if (out == NULL)
		return -ENOMEM;
	if (labels == NULL || json_is_null(labels)) {
		*ret = TAKE_PTR(out);
		return 0;
	}
	if (!json_is_object(labels)) {
		_cleanup_free_ char *text = fields_py_str(labels);
		if (text == NULL)
			return -ENOMEM;
		return msg_fmt(ret_msg, "Invalid input for field/attribute labels. Value: '%s'. "
				        "Value not a valid dict: %s", text, text);
	}
	if (max_labels > 0 && json_object_size(labels) > max_labels)
		return msg_fmt(ret_msg, "Too many labels: %zu given, at most %zu are allowed",
			       json_object_size(labels), max_labels);
	json_object_foreach(labels, k, e) {
		size_t klen = fields_char_count(k), vlen;
		json_t *s;

		if (klen == 0 || klen > LABELS_KEY_MAX) {
			if (klen > LABELS_KEY_MAX)
				return msg_fmt(ret_msg,
					       "Invalid label name: it has %zu characters, it "
					       "must have 1 to %d",
					       klen, LABELS_KEY_MAX);
			return msg_fmt(ret_msg, "Invalid label name '': it must have 1 to %d "
					        "characters", LABELS_KEY_MAX);
		}
		s = label_value(e, &r);
		if (r < 0)
			return r;
		if (s == NULL) {
			_cleanup_free_ char *text = fields_py_str(e);
			if (text == NULL)
				return -ENOMEM;
			return msg_fmt(ret_msg,
				       "Invalid label %s: '%s'. Wrong type. Expected "
				       "'(<class 'str'>, (<class 'int'>,), <class 'bool'>, "
				       "<class 'float'>)', got '<class '%s'>'",
				       k, text,
				       json_is_object(e)  ? "dict"
				       : json_is_array(e) ? "list"
							  : "NoneType");
		}
		vlen = fields_char_count(json_string_value(s));
		if (vlen > LABELS_VALUE_MAX) {
			json_decref(s);
			return msg_fmt(ret_msg,
				       "Invalid label %s: the value has %zu characters, at "
				       "most %d are allowed",
				       k, vlen, LABELS_VALUE_MAX);
		}
		if (json_object_set_new(out, k, s) < 0)
			return -ENOMEM;
	}
	r = check_flannel(out, ret_msg);
	if (r < 0)
		return r;
	r = check_mesos(out, ret_msg);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(out);
	return 0;
}

int
labels_parse_text(const char *text, json_t **ret, char **ret_msg)
{
	_cleanup_json_ json_t *out = json_object();
	const char *p;
	bool split;
	size_t neq = 0;

	*ret_msg = NULL;
	if (out == NULL)
		return -ENOMEM;
	if (text == NULL)
		text = "";
	for (p = text; *p; p++)
		neq += *p == '=';
	split = neq > 1;
	for (p = text; *text && p;) {
		size_t n = split ? strcspn(p, ",;") : strlen(p);
		const char *eq = memchr(p, '=', n);
		_cleanup_free_ char *key = NULL, *val = NULL;
		json_t *s;

		if (eq == NULL || eq == p)
			return msg_fmt(ret_msg, "labels must be a list of KEY=VALUE not %.*s",
				       (int)n, p);
		key = strndup(p, (size_t)(eq - p));
		val = strndup(eq + 1, n - (size_t)(eq - p) - 1);
		if (key == NULL || val == NULL)
			return -ENOMEM;
		if (json_object_get(out, key))
			return msg_fmt(ret_msg, "Label '%s' is given more than once", key);
		s = json_string(val);
		if (s == NULL)
			return msg_fmt(ret_msg, "labels must be valid UTF-8 text");
		if (json_object_set_new(out, key, s) < 0)
			return msg_fmt(ret_msg, "labels must be valid UTF-8 text");
		p = p[n] ? p + n + 1 : NULL;
	}
	*ret = TAKE_PTR(out);
	return 0;
}
