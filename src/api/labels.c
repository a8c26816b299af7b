/* labels.c - label maps: types, limits, flannel and mesos label rules. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/labels.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strbuf.h"
#include "common/util.h"


/* Parse "a.b.c.d/n" with zero host bits; 0 or -EINVAL. */
static int
parse_cidr(const char *s, uint32_t *ret_net, int *ret_prefix)
{
	char buf[64], *slash;
	struct in_addr a;
	int64_t p;
	uint32_t mask;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || parse_int64(slash + 1, 0, 32, &p) < 0)
		return -EINVAL;
	mask = p == 0 ? 0 : 0xffffffffu << (32 - p);
	if ((ntohl(a.s_addr) & ~mask) != 0)
		return -EINVAL;
	*ret_net = ntohl(a.s_addr);
	*ret_prefix = (int)p;
	return 0;
}

/* Every item of a comma list must be in allowed (case-insensitive if ci). */
static int
check_list(const char *label, const char *value, const char *const *allowed, bool ci,
	   char **ret_msg)
{
	struct strbuf bad = STRBUF_INIT, all = STRBUF_INIT;
	char *copy = strdup(value), *save = NULL;
	int nbad = 0, r = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool ok = false;
		while (*t == ' ')
			t++;
		for (size_t i = 0; allowed[i]; i++)
			if (ci ? strcasecmp(allowed[i], t) == 0 : streq(allowed[i], t))
				ok = true;
		if (!ok)
			strbuf_printf(&bad, "%s%s", nbad++ ? "," : "", t);
	}
	if (nbad) {
		for (size_t i = 0; allowed[i]; i++)
			strbuf_printf(&all, "%s, ", allowed[i]);
		r = msg_set(ret_msg, "property \"labels/%s\" with value \"%s\" is not supported, "
				 "supported values are: %sunspecified", label, bad.buf, all.buf);
	}
	strbuf_free(&bad);
	strbuf_free(&all);
	free(copy);
	return r;
}

int
labels_validate(json_t *labels, const char *coe, size_t max_labels, json_t **ret, char **ret_msg)
{
	static const char *const isolation[] = {
		"filesystem/posix", "filesystem/linux", "filesystem/shared", "posix/cpu",
		"posix/mem", "posix/disk", "cgroups/cpu", "cgroups/mem", "docker/runtime",
		"namespaces/pid", NULL,
	};
	static const char *const providers[] = { "docker", "appc", NULL };
	_cleanup_json_ json_t *out = json_object();
	const char *k, *v;
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
	if (!json_is_object(labels))
		return msg_set(ret_msg, "Invalid input for field/attribute labels. Value: '%s'. "
				    "Value should be a dictionary of strings",
			   json_is_string(labels) ? json_string_value(labels) : "<value>");
	if (json_object_size(labels) > max_labels)
		return msg_set(ret_msg, "Too many labels: %zu (at most %zu)", json_object_size(labels),
			   max_labels);
	json_object_foreach(labels, k, e) {
		json_t *s;

		if (*k == '\0' || strlen(k) > 255)
			return msg_set(ret_msg, "Invalid label name '%.64s': it must have 1 to 255 "
					    "characters", k);
		s = json_scalar_string(e);
		if (s == NULL)
			return msg_set(ret_msg, "Invalid label %s: the value must be a string", k);
		if (strlen(json_string_value(s)) > 4096) {
			json_decref(s);
			return msg_set(ret_msg, "Invalid label %s: the value is longer than 4096 "
					    "characters", k);
		}
		json_object_set_new(out, k, s);
	}

	/* flannel */
	v = json_string_value(json_object_get(out, "flannel_backend"));
	if (v && !streq(v, "udp") && !streq(v, "vxlan") && !streq(v, "host-gw"))
		return msg_set(ret_msg, "Invalid label flannel_backend: '%s'. Allowed values: udp, "
				    "vxlan, host-gw", v);
	{
		const char *cidr = json_string_value(json_object_get(out, "flannel_network_cidr"));
		const char *sl = json_string_value(json_object_get(out, "flannel_network_subnetlen"));
		uint32_t net = 0;
		int prefix = 16;
		int64_t len;

		if (cidr && (parse_cidr(cidr, &net, &prefix) < 0 || prefix > 30))
			return msg_set(ret_msg, "Invalid label flannel_network_cidr: '%s'. It must be "
					    "an IPv4 network in CIDR notation (a.b.c.d/n, n <= 30, "
					    "no host bits set)", cidr);
		if (sl) {
			if (parse_int64(sl, 1, 32, &len) < 0 || len > 30)
				return msg_set(ret_msg, "Invalid label flannel_network_subnetlen: '%s'. "
						    "It must be an integer from 1 to 30", sl);
			if (len <= prefix)
				return msg_set(ret_msg, "Invalid label flannel_network_subnetlen: '%s'. "
						    "It must be larger than the prefix length %d of "
						    "flannel_network_cidr %s (so subnets fit inside it)",
					   sl, prefix, cidr ? cidr : "10.100.0.0/16");
		}
	}

	/* mesos (bay doc §2.5), applied whatever the COE */
	v = json_string_value(json_object_get(out, "mesos_agent_isolation"));
	if (v && *v && (r = check_list("mesos_agent_isolation", v, isolation, false, ret_msg)) < 0)
		return r;
	v = json_string_value(json_object_get(out, "mesos_agent_image_providers"));
	if (v && *v) {
		const char *iso;
		r = check_list("mesos_agent_image_providers", v, providers, true, ret_msg);
		if (r < 0)
			return r;
		iso = json_string_value(json_object_get(out, "mesos_agent_isolation"));
		if (strcasestr(v, "docker") && (iso == NULL || !strstr(iso, "docker/runtime")))
			return msg_set(ret_msg, "Docker runtime isolator has to be specified if 'docker' "
					    "is included in 'mesos_agent_image_providers' Please add "
					    "'docker/runtime' to 'mesos_agent_isolation' labels flags");
	}
	v = json_string_value(json_object_get(out, "mesos_agent_executor_env_variables"));
	if (v && *v) {
		json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
		if (j == NULL)
			return msg_set(ret_msg, "Json format error");
		json_decref(j);
	}
	*ret = TAKE_PTR(out);
	return 0;
}

int
labels_parse_text(const char *text, json_t **ret, char **ret_msg)
{
	_cleanup_json_ json_t *out = json_object();
	_cleanup_free_ char *copy = strdup(text ? text : "");
	char *save = NULL;

	*ret_msg = NULL;
	if (out == NULL || copy == NULL)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",;", &save); t; t = strtok_r(NULL, ",;", &save)) {
		char *eq = strchr(t, '=');
		if (eq == NULL || eq == t)
			return msg_set(ret_msg, "Arguments to --labels must be of the form "
					    "KEY=VALUE: '%s'", t);
		*eq = '\0';
		if (json_object_get(out, t))
			return msg_set(ret_msg, "Label '%s' is given more than once", t);
		json_object_set_new(out, t, json_string(eq + 1));
	}
	*ret = TAKE_PTR(out);
	return 0;
}
