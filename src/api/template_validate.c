/* template_validate.c - baymodel / cluster template validation (spec §2). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/labels.h"
#include "api/resources.h"
#include "api/templates.h"
#include "drivers/driver.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/strbuf.h"
#include "common/util.h"

struct coe_drivers {
	const char *coe;
	const char *const *network;	/* supported network drivers */
	const char *const *volume;	/* supported volume drivers */
};

static const char *const k8s_net[] = { "flannel", "calico", NULL };
static const char *const swarm_net[] = { "docker", "flannel", NULL };
static const char *const mesos_net[] = { "docker", NULL };
static const char *const cinder[] = { "cinder", NULL };
static const char *const rexray[] = { "rexray", NULL };

static const struct coe_drivers coes[] = {
	{ "kubernetes", k8s_net, cinder },
	{ "swarm", swarm_net, rexray },
	{ "mesos", mesos_net, rexray },
};

static const struct coe_drivers *
coe_find(const char *coe)
{
	for (size_t i = 0; coe && i < ARRAY_SIZE(coes); i++)
		if (streq(coes[i].coe, coe))
			return &coes[i];
	return NULL;
}

static bool
in(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

static char *
slash_list(const char *const *list)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; list[i]; i++)
		strbuf_printf(&sb, "%s/", list[i]);
	strbuf_puts(&sb, "unspecified");
	return strbuf_steal(&sb);
}

/* "a, b,c" -> "a/b/c/" (a comma list option as Magnum prints it before "unspecified"). */
static char *
conf_slash_list(const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = v ? v : ""; *p;) {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ",");
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n > 0)
			strbuf_printf(&sb, "%.*s/", (int)n, p);
		p += strcspn(p, ",");
	}
	return strbuf_steal(&sb);
}

static int
fail(struct tmpl_err *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct tmpl_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A host name or domain: dot-separated labels of letters, digits, '-' and '_'. */
static bool
is_hostname(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

static bool
is_ip_n(const char *s, size_t n, int family)
{
	unsigned char buf[16];
	char tmp[64];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return inet_pton(family, tmp, buf) == 1;
}

static bool
is_port(const char *s, size_t n)
{
	int64_t v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* host[:port] where host is a name, an IPv4 address or a bracketed IPv6 address. */
static bool
is_hostport(const char *s, size_t n)
{
	const char *colon;

	if (n > 0 && s[0] == '[') {
		const char *end = memchr(s, ']', n);
		size_t hl;

		if (end == NULL)
			return false;
		hl = (size_t)(end - s) - 1;
		if (!is_ip_n(s + 1, hl, AF_INET6))
			return false;
		if ((size_t)(end - s) + 1 == n)
			return true;
		return end[1] == ':' && is_port(end + 2, n - (size_t)(end - s) - 2);
	}
	colon = memchr(s, ':', n);
	if (colon) {
		if (!is_port(colon + 1, n - (size_t)(colon - s) - 1))
			return false;
		n = (size_t)(colon - s);
	}
	return is_hostname(s, n) || is_ip_n(s, n, AF_INET);
}

/* http(s)://[user[:password]@]host[:port][/path...], no white space. */
static bool
is_url(const char *s)
{
	const char *p, *end, *at;

	if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return false;
	for (const char *q = s; *q; q++)
		if (isspace((unsigned char)*q) || iscntrl((unsigned char)*q))
			return false;
	end = p + strcspn(p, "/?#");
	at = memrchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	return is_hostport(p, (size_t)(end - p));
}

/* One no_proxy entry: "*", a host or domain (".example.com", "*.example.com"),
 * an address, an address/prefix (CIDR), each optionally with :port. */
static bool
no_proxy_item_ok(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);

	if (n == 1 && s[0] == '*')
		return true;
	if (slash) {
		size_t hl = (size_t)(slash - s);
		int64_t pfx;
		char tmp[8];
		bool v4 = is_ip_n(s, hl, AF_INET);

		if (!v4 && !is_ip_n(s, hl, AF_INET6))
			return false;
		if (n - hl - 1 == 0 || n - hl - 1 >= sizeof(tmp))
			return false;
		memcpy(tmp, slash + 1, n - hl - 1);
		tmp[n - hl - 1] = '\0';
		for (char *c = tmp; *c; c++)
			if (!isdigit((unsigned char)*c))
				return false;
		return parse_int64(tmp, 0, v4 ? 32 : 128, &pfx) == 0;
	}
	if (n >= 2 && s[0] == '*' && s[1] == '.')
		s += 2, n -= 2;
	else if (n >= 1 && s[0] == '.')
		s++, n--;
	return is_ip_n(s, n, AF_INET6) || is_hostport(s, n);
}

/* One address (bay era) or a comma list of addresses (cluster era, InvalidDNS text). */
static int
check_dns(const char *dns, bool list_ok, struct tmpl_err *e)
{
	int n = 0;

	for (const char *p = dns;; p++) {
		size_t len = strcspn(p, ",");
		const char *t = p;

		while (len > 0 && *t == ' ')
			t++, len--;
		while (len > 0 && t[len - 1] == ' ')
			len--;
		if (!(is_ip_n(t, len, AF_INET) || is_ip_n(t, len, AF_INET6)) || (n++ && !list_ok))
			goto bad;
		p = t + len + strspn(t + len, " ");
		if (*p != ',')
			break;
	}
	return 0;
bad:
	if (list_ok)
		return fail(e, 400, "Expected a single dns address or comma separated dns list, "
				    "but received %s.", dns);
	return fail(e, 400, "Invalid input for field/attribute dns_nameserver. Value: '%s'. "
			    "Value should be IPv4 or IPv6 format", dns);
}

static int
check_no_proxy(const char *s, struct tmpl_err *e)
{
	size_t items = 0;

	for (const char *p = s; *p;) {
		size_t n = strcspn(p, ",");
		const char *t = p;
		size_t tn = n;

		while (tn > 0 && *t == ' ')
			t++, tn--;
		while (tn > 0 && t[tn - 1] == ' ')
			tn--;
		if (tn > 0) {
			if (!no_proxy_item_ok(t, tn))
				goto bad;
			items++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (items > 0)
		return 0;
bad:
	return fail(e, 400, "Invalid input for field/attribute no_proxy. Value: '%s'. Value "
			    "should be a comma-separated list of host names, domains, IP addresses "
			    "or CIDRs", s);
}

int
template_validate(struct api_req *req, json_t *doc, bool is_post, bool check_keypair,
		  struct tmpl_err *e)
{
	const char *coe = json_string_value(json_object_get(doc, "coe"));
	const char *nd = json_string_value(json_object_get(doc, "network_driver"));
	const char *vd = json_string_value(json_object_get(doc, "volume_driver"));
	const char *sd = json_string_value(json_object_get(doc, "docker_storage_driver"));
	const char *s;
	const struct coe_drivers *c = coe_find(coe);
	char key[96];
	json_t *labels = NULL;
	_cleanup_free_ char *msg = NULL;
	int r;

	if (c == NULL)
		return fail(e, 400, "Requested COE type %s is not supported.", coe ? coe : "Unset");
	/* Network driver: default (persisted on POST), then supported and allowed. */
	if (nd == NULL) {
		snprintf(key, sizeof(key), "%s_default_network_driver", coe);
		nd = conf_str("baymodel", key);
		json_object_set_new(doc, "network_driver", json_string(nd));
		nd = json_string_value(json_object_get(doc, "network_driver"));
	}
	if (!in(c->network, nd)) {
		_cleanup_free_ char *l = slash_list(c->network);
		return fail(e, 400, "Network driver type %s is not supported, expecting a %s "
				    "network driver.", nd, l);
	}
	snprintf(key, sizeof(key), "%s_allowed_network_drivers", coe);
	if (!conf_list_has("baymodel", key, "all") && !conf_list_has("baymodel", key, nd)) {
		_cleanup_free_ char *l = conf_slash_list(conf_str("baymodel", key));
		return fail(e, 400, "Network driver type %s is not allowed, expecting a %s"
				    "unspecified network driver. ", nd, l ? l : "");
	}
	if (vd && !in(c->volume, vd)) {
		_cleanup_free_ char *l = slash_list(c->volume);
		return fail(e, 400, "Volume driver type %s is not supported, expecting a %s volume "
				    "driver.", vd, l);
	}
	/* The local backend's storage driver when none is asked for (it has no device-mapper). */
	if (is_post && sd == NULL && streq(conf_str("DEFAULT", "backend"), "local"))
		json_object_set_new(doc, "docker_storage_driver", json_string("overlay2"));
	if (is_post && sd && streq(sd, "devicemapper") &&
	    !streq(conf_str("DEFAULT", "backend"), "local")) {
		json_t *sz = json_object_get(doc, "docker_volume_size");
		if (json_is_integer(sz) && json_integer_value(sz) < 3)
			return fail(e, 400, "docker volume size %lld GB is not valid, expecting "
					    "minimum value 3GB for devicemapper storage driver.",
				    (long long)json_integer_value(sz));
	}
	for (const char *const *f = (const char *const[]){ "http_proxy", "https_proxy", NULL }; *f;
	     f++) {
		s = json_string_value(json_object_get(doc, *f));
		if (s && !is_url(s))
			return fail(e, 400, "Invalid input for field/attribute %s. Value: '%s'. "
					    "Value should be an http:// or https:// URL", *f, s);
	}
	s = json_string_value(json_object_get(doc, "no_proxy"));
	if (s && (r = check_no_proxy(s, e)) < 0)
		return r;
	s = json_string_value(json_object_get(doc, "dns_nameserver"));
	if (s && (r = check_dns(s, req->era == ERA_CLUSTER, e)) < 0)
		return r;
	/* Catalogue resources in a fixed order, then the labels (bay doc §12.20). */
	r = template_check_resources(req, doc, check_keypair, e);
	if (r < 0)
		return r;
	r = labels_validate(json_object_get(doc, "labels"), coe,
			    (size_t)conf_int("bay", "max_labels"), &labels, &msg);
	if (r < 0)
		return fail(e, 400, "%s", msg ? msg : "Invalid labels");
	json_object_set_new(doc, "labels", labels);
	s = driver_refusal(coe, doc);
	if (s)
		return fail(e, 400, "%s", s);
	return 0;
}

int
template_check_resources(struct api_req *req, json_t *doc, bool check_keypair, struct tmpl_err *e)
{
	_cleanup_json_ json_t *img = NULL, *fl = NULL, *kp = NULL, *net = NULL;
	const char *image = json_string_value(json_object_get(doc, "image_id"));
	const char *flavors[] = { json_string_value(json_object_get(doc, "flavor_id")),
				  json_string_value(json_object_get(doc, "master_flavor_id")) };
	const char *keypair = json_string_value(json_object_get(doc, "keypair_id"));
	const char *extnet = json_string_value(json_object_get(doc, "external_network_id"));
	const char *distro;
	int r;

	if (image) {
		/* The template owner's view of the catalogue (the caller's for a new one). */
		const char *owner = json_string_value(json_object_get(doc, "project_id"));
		r = res_image_find(req->db, image, owner ? owner : req->id.project_id, &img);
		if (r == -ENOENT)
			return fail(e, 400, "Image %s could not be found.", image);
		if (r == -EEXIST && req->era == ERA_BAY)
			return fail(e, 409, "Multiple images exist with same name %s. Please use "
					    "the resource id instead.", image);
		if (r == -EEXIST)
			return fail(e, 409, "Multiple images exist with same name '%s'. Please use "
					    "the image ID instead.", image);
		if (r < 0)
			return fail(e, 500, "Image lookup failed: %s", strerror(-r));
		distro = json_string_value(json_object_get(img, "os_distro"));
		if (distro == NULL || *distro == '\0')
			return fail(e, 400, "Image %s doesn't contain os_distro field.", image);
		json_object_set_new(doc, "cluster_distro", json_string(distro));
	}
	for (size_t i = 0; i < 2; i++) {
		if (flavors[i] == NULL)
			continue;
		json_decref(fl);
		fl = NULL;
		r = res_flavor_find(req->db, flavors[i], &fl);
		if (r == -ENOENT || r == -EEXIST)
			return fail(e, 400, "Unable to find flavor %s.", flavors[i]);
		if (r < 0)
			return fail(e, 500, "Flavor lookup failed: %s", strerror(-r));
	}
	if (keypair && req->era == ERA_BAY && check_keypair) {
		r = res_keypair_find(req->db, keypair, req->id.user_id, &kp);
		if (r == -ENOENT)
			return fail(e, 404, "Unable to find keypair %s.", keypair);
		if (r < 0)
			return fail(e, 500, "Keypair lookup failed: %s", strerror(-r));
	}
	if (extnet) {
		r = res_external_network_find(req->db, extnet, &net);
		if (r == -ENOENT)
			return fail(e, 400, "Unable to find external network %s.", extnet);
		if (r == -EEXIST)
			return fail(e, 409, "Multiple external networks exist with same name '%s'. "
					    "Please use the external network ID instead.", extnet);
		if (r < 0)
			return fail(e, 500, "Network lookup failed: %s", strerror(-r));
	}
	return 0;
}
