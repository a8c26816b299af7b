/*
 * server.c - libmicrohttpd glue: collects the body, builds an api_req,
 * negotiates the microversion, authenticates, dispatches to the route and
 * queues the reply. The only file that includes microhttpd.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/microversion.h"
#include "api/routes.h"
#include "api/server.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/util.h"

struct api_server {
	struct MHD_Daemon	*d;
	uint16_t		port;
};

/* Per-connection-request state across MHD's calls. */
struct conn_state {
	struct strbuf	body;
	bool		too_large;
};

static size_t max_body;

static const char *
get_header(struct api_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result
collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	json_t *q = cls;

	(void)kind;
	json_object_set_new(q, key, json_string(value ? value : ""));
	return MHD_YES;
}

static bool
peer_is_loopback(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		if (IN6_IS_ADDR_V4MAPPED(a))
			return a->s6_addr[12] == 127;
	}
	return false;
}

/* Normalise the path: strip trailing '/', ".json" on / and /v1, prefix /v1. */
static void
normalize_path(const char *url, char *out, size_t outlen)
{
	static const char *const unprefixed[] = { "v1", "v2", "v2.0", "v2.1", "v3", "healthcheck",
						   "dashboard", "favicon.ico", "image", "network" };
	char tmp[2000];
	size_t len;
	const char *seg;
	bool known = false;

	snprintf(tmp, sizeof(tmp), "%s", url);
	len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = '\0';
	if (streq(tmp, "/.json"))
		snprintf(tmp, sizeof(tmp), "/");
	if (streq(tmp, "/v1.json"))
		snprintf(tmp, sizeof(tmp), "/v1");
	if (streq(tmp, "/")) {
		snprintf(out, outlen, "/");
		return;
	}
	seg = tmp + 1;
	for (size_t i = 0; i < ARRAY_SIZE(unprefixed); i++) {
		size_t n = strlen(unprefixed[i]);
		if (strncmp(seg, unprefixed[i], n) == 0 && (seg[n] == '/' || seg[n] == '\0'))
			known = true;
	}
	if (known)
		snprintf(out, outlen, "%s", tmp);
	else
		snprintf(out, outlen, "/v1%s", tmp);
}

static void
set_version_headers(struct api_req *req, const char *effective)
{
	char v[96];

	api_set_header(req, "OpenStack-API-Minimum-Version", API_SERVICE " 1.1");
	snprintf(v, sizeof(v), API_SERVICE " 1.%d", API_MAX_MINOR);
	api_set_header(req, "OpenStack-API-Maximum-Version", v);
	snprintf(v, sizeof(v), API_SERVICE " %s", effective);
	api_set_header(req, "OpenStack-API-Version", v);
	api_set_header(req, "Vary", "OpenStack-API-Version");
}

/* Negotiate the microversion; on error replies and returns -ENOTSUP. */
static int
negotiate(struct api_req *req)
{
	const char *hdr = get_header(req, "OpenStack-API-Version");
	int legacy = 0, major = 1, minor = API_MIN_MINOR;
	enum mv_result mv;
	char eff[32];

	if (hdr == NULL) {
		hdr = get_header(req, "X-OpenStack-Magnum-API-Version");
		legacy = hdr != NULL;
	}
	mv = mv_parse(hdr, legacy, API_MIN_MINOR, API_MAX_MINOR, &major, &minor);
	snprintf(eff, sizeof(eff), "%d.%d", major, minor);
	set_version_headers(req, eff);
	if (mv == MV_OK) {
		req->minor = minor;
		return 0;
	}
	if (mv == MV_BAD_SERVICE || mv == MV_BAD_VALUE) {
		api_reply_framework_error(req, 406, "Not Acceptable",
					  mv == MV_BAD_SERVICE ?
						  "Invalid service type for OpenStack-API-Version header" :
						  "Invalid value for OpenStack-API-Version header");
		return -ENOTSUP;
	}
	{
		char range[160], desc[512], maxv[16];
		json_t *body;

		snprintf(range, sizeof(range), "[" API_SERVICE " 1.1, " API_SERVICE " 1.%d]",
			 API_MAX_MINOR);
		if (mv == MV_BAD_MAJOR)
			snprintf(desc, sizeof(desc),
				 "Mutually exclusive versions requested. Version %d.%d requested "
				 "but not supported by this service.The supported version range "
				 "is: %s.", major, minor, range);
		else
			snprintf(desc, sizeof(desc),
				 "Version %d.%d was requested but the minor version is not "
				 "supported by this service. The supported version range is: %s.",
				 major, minor, range);
		snprintf(maxv, sizeof(maxv), "1.%d", API_MAX_MINOR);
		body = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}]}", "errors",
				 "code", "magnum.microversion-unsupported", "title",
				 "Requested microversion is unsupported", "description", desc,
				 "max_version", maxv, "min_version", "1.1", "links", "rel", "help",
				 "href", "http://docs.openstack.org/api-guide/compute/microversions.html");
		api_reply_json(req, 406, body);
	}
	return -ENOTSUP;
}

static void
dispatch(struct api_req *req, bool loopback)
{
	const char *params[4];
	char pbuf[1024];
	size_t np = 0;
	bool known = false;
	const struct route *rt;

	rt = routes_match(req->method, req->path, params, &np, pbuf, sizeof(pbuf), &known);
	if (rt == NULL) {
		/* Under /v1 authentication comes first (as keystonemiddleware does),
		 * and the reply still carries the version headers. */
		if (strncmp(req->path, "/v1", 3) == 0) {
			if (req->db == NULL) {
				api_reply_error(req, 503, "The database is not available.");
				return;
			}
			if (auth_authenticate(req, loopback) < 0 || negotiate(req) < 0)
				return;
		}
		if (known)
			api_reply_framework_error(req, 405, "Method Not Allowed",
						  "The method is not allowed for this resource.");
		else
			api_reply_framework_error(req, 404, "Not Found",
						  "The resource could not be found.");
		return;
	}
	for (size_t i = 0; i < np; i++)
		req->params[i] = params[i];
	req->nparams = np;
	req->era = rt->era;
	if (!(rt->flags & ROUTE_PUBLIC)) {
		if (req->db == NULL) {
			api_reply_error(req, 503, "The database is not available.");
			return;
		}
		if (auth_authenticate(req, loopback) < 0)
			return;
	}
	if (!(rt->flags & ROUTE_NOVERSION)) {
		if (negotiate(req) < 0)
			return;
		if (rt->min_minor && req->minor < rt->min_minor) {
			char msg[256];
			snprintf(msg, sizeof(msg),
				 "Version 1.%d was requested but the requested API %s is not "
				 "supported for this version.", req->minor, rt->api_name);
			api_reply_framework_error(req, 406, "Not Acceptable", msg);
			return;
		}
	}
	if (req->db == NULL && !(rt->flags & ROUTE_PUBLIC)) {
		api_reply_error(req, 503, "The database is not available.");
		return;
	}
	rt->fn(req);
	if (!req->replied)
		api_reply_error(req, 500, "The handler sent no reply.");
}

static enum MHD_Result
queue_reply(struct MHD_Connection *c, struct api_req *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *k;
	json_t *v;

	resp = MHD_create_response_from_buffer(req->resp_len, req->resp_body,
					       req->resp_static ? MHD_RESPMEM_PERSISTENT :
								  MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	if (!req->resp_static)
		req->resp_body = NULL;	/* MHD owns it now */
	if (req->resp_type)
		MHD_add_response_header(resp, "Content-Type", req->resp_type);
	MHD_add_response_header(resp, "x-openstack-request-id", req->request_id);
	json_object_foreach(req->resp_headers, k, v)
		MHD_add_response_header(resp, k, json_string_value(v));
	ret = MHD_queue_response(c, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct conn_state *cs = *con_cls;
	struct api_req req;
	char path[2048], uuid[UUID_STR_LEN], host_url[512];
	const char *host;
	uint64_t t0;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (cs == NULL) {
		/* First call: headers only. Queuing now would lose keep-alive. */
		cs = calloc(1, sizeof(*cs));
		if (cs == NULL)
			return MHD_NO;
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!cs->too_large && cs->body.len + *upload_data_size <= max_body) {
			if (strbuf_append(&cs->body, upload_data, *upload_data_size) < 0)
				cs->too_large = true;
		} else {
			cs->too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	t0 = time_mono_us();
	memset(&req, 0, sizeof(req));
	req.conn = c;
	req.get_header = get_header;
	req.method = method;
	normalize_path(url, path, sizeof(path));
	req.path = path;
	req.query = json_object();
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, req.query);
	req.body = cs->body.buf;
	req.body_len = cs->body.len;
	req.content_type = get_header(&req, "Content-Type");
	req.accept = get_header(&req, "Accept");
	req.auth_token = get_header(&req, "X-Auth-Token");
	host = get_header(&req, "Host");
	if (conf_str("api", "public_url"))
		snprintf(host_url, sizeof(host_url), "%s", conf_str("api", "public_url"));
	else
		snprintf(host_url, sizeof(host_url), "http://%s", host ? host : "localhost");
	req.host_url = host_url;
	uuid_new(uuid);
	snprintf(req.request_id, sizeof(req.request_id), "req-%s", uuid);
	log_set_request_id(req.request_id);
	req.minor = API_MIN_MINOR;
	req.db = db_thread();

	if (cs->too_large)
		api_reply_error(&req, 413, "Request is too large: the body exceeds %zu bytes.",
				max_body);
	else
		dispatch(&req, peer_is_loopback(c));

	ret = queue_reply(c, &req);
	log_debug("%s %s -> %d (%.2f ms)", method, path, req.status,
		  (double)(time_mono_us() - t0) / 1000.0);
	log_set_request_id(NULL);
	if (!req.resp_static)
		free(req.resp_body);
	json_decref(req.resp_headers);
	json_decref(req.query);
	auth_identity_clear(&req.id);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (cs) {
		strbuf_free(&cs->body);
		free(cs);
		*con_cls = NULL;
	}
}

int
api_server_start(const char *host, uint16_t port, unsigned workers, struct api_server **ret,
		 char **ret_err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct api_server *srv;
	const union MHD_DaemonInfo *di;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		if (ret_err && asprintf(ret_err, "[api] host '%s' is not an IP address", host) < 0)
			*ret_err = NULL;
		return -EINVAL;
	}
	(void)sl;
	max_body = (size_t)conf_int("api", "max_body_size");
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return -ENOMEM;
	srv->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
					  (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  port, NULL, NULL, on_request, NULL,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_THREAD_POOL_SIZE, workers ? workers : 1,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
				  MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
				  MHD_OPTION_END);
	if (srv->d == NULL) {
		if (ret_err && asprintf(ret_err, "cannot listen on %s:%u: %m", host, port) < 0)
			*ret_err = NULL;
		free(srv);
		return -EADDRINUSE;
	}
	di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : port;
	*ret = srv;
	return 0;
}

uint16_t
api_server_port(struct api_server *srv)
{
	return srv->port;
}

void
api_server_stop(struct api_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->d);
	free(srv);
}
