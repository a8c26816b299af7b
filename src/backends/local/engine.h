/*
 * engine.h - a Docker Engine API client (API v1.41, dockerd 20.10) for the
 * local backend: one node's daemon over HTTPS with a client certificate, or
 * over a unix socket (tests).
 *
 * One struct engine holds one libcurl easy handle (kept alive between calls)
 * and is used by one thread at a time. Every call has a connect timeout of 2 s
 * and a total timeout (engine_set_timeout(), default 30 s; swarm join and
 * image load allow longer). Responses are capped at 8 MiB and parsed as JSON.
 *
 * Errors are -errno and leave a sentence in engine_error(): "POST /swarm/join:
 * 503 <the daemon's message>" or the transport error. HTTP statuses map as
 * 400 -EINVAL, 401/403 -EACCES, 404 -ENOENT, 406 -ENOTCONN (not in a swarm),
 * 409 -EEXIST, 503 -EAGAIN ("not a swarm manager") or -ENOTCONN ("not part
 * of a swarm"), other -EIO. Transport: -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH,
 * -EACCES (the server's certificate failed verification, or ours is
 * unusable), -EPROTO (the TLS handshake failed, e.g. the server refused our
 * certificate), -ECONNRESET, -EFBIG (response over the cap), -EBADMSG
 * (malformed JSON), -EIO.
 */
#pragma once

#include <stdbool.h>
#include <jansson.h>

#include "common/cleanup.h"

#define ENGINE_API_VERSION		"v1.41"
#define ENGINE_CONNECT_TIMEOUT_MS	2000
#define ENGINE_DEFAULT_TIMEOUT_MS	30000
#define ENGINE_JOIN_TIMEOUT_MS		90000
#define ENGINE_LOAD_TIMEOUT_MS		120000
#define ENGINE_MAX_RESPONSE		(8u << 20)

struct engine;

/*
 * Open a client for the daemon at host_port ("10.250.3.10:2376"; the host is
 * an IP address that the server certificate carries as an IP SAN) with the CA
 * and the client certificate and key as PEM strings (copied). TLS 1.2 or later,
 * the server's certificate verified against ca_pem. No connection is made yet.
 * Returns 0 and a new engine (engine_free()), -EINVAL, -ENOMEM, or -EIO if
 * libcurl lacks a needed feature.
 */
int engine_open_tls(const char *host_port, const char *ca_pem, const char *cert_pem,
		    const char *key_pem, struct engine **ret);

/* Open a client for the daemon's unix socket at sock_path (plain HTTP). As engine_open_tls(). */
int engine_open_unix(const char *sock_path, struct engine **ret);

/* Free the client and close its connection; takes NULL, returns NULL. */
struct engine *engine_free(struct engine *e);

/* The last error as a sentence (borrowed, changed by the next call); "" if none. */
const char *engine_error(const struct engine *e);

/* Set the total timeout of later calls (0 = the default, 30 s). */
void engine_set_timeout(struct engine *e, long timeout_ms);

/*
 * Send method path (below /v1.41, with its query string) with body as JSON
 * (may be NULL). *ret_status receives the HTTP status whenever a response
 * arrived, also when the call fails; *ret_json (may be NULL) the parsed body on
 * success (NULL for an empty body; JSON strings and numbers are accepted).
 * Returns 0 for 1xx-3xx, -errno as above otherwise.
 */
int engine_call(struct engine *e, const char *method, const char *path, json_t *body,
		long *ret_status, json_t **ret_json);

/* GET /_ping. Returns 0 if the daemon answered "OK", -errno otherwise. */
int engine_ping(struct engine *e);

/* Ping with a short backoff until the daemon answers or timeout_ms passed (-ETIMEDOUT). */
int engine_wait_ready(struct engine *e, int timeout_ms);

/* GET /info. Returns 0 and the object (caller decrefs). */
int engine_info(struct engine *e, json_t **ret);

/*
 * POST /swarm/init listening and advertising on advertise_ip:2377, with the
 * overlay address pool default_addr_pool (NULL: the daemon's 10.0.0.0/8) cut in
 * /subnet_size networks (0: 24). Returns 0 and the new node ID (caller frees).
 */
int engine_swarm_init(struct engine *e, const char *advertise_ip, const char *default_addr_pool,
		      unsigned subnet_size, char **ret_node_id);

/* GET /swarm: the join tokens (caller frees both; either pointer may be NULL). */
int engine_swarm_tokens(struct engine *e, char **ret_worker, char **ret_manager);

/*
 * POST /swarm/join the swarm of the manager at remote_ip_port ("10.250.3.10:2377")
 * with token, listening and advertising on advertise_ip:2377. Allows 90 s.
 */
int engine_swarm_join(struct engine *e, const char *token, const char *advertise_ip,
		      const char *remote_ip_port);

/* POST /swarm/leave. Returns 0, or -ENOTCONN if the node is not part of a swarm. */
int engine_swarm_leave(struct engine *e, bool force);

/* This node's swarm node ID from GET /info (caller frees); -ENOTCONN if not in a swarm. */
int engine_node_id(struct engine *e, char **ret);

/* GET /nodes (on a manager): the array of nodes (caller decrefs). */
int engine_nodes(struct engine *e, json_t **ret);

/* Set a node's availability ("active", "pause", "drain") at its current spec version. */
int engine_node_set_availability(struct engine *e, const char *node_id, const char *availability);

/* DELETE /nodes/{id}; force removes a node that is not down. */
int engine_node_remove(struct engine *e, const char *node_id, bool force);

/*
 * The number of tasks on node_id that are running or on their way to run
 * (state new .. running): 0 once a drain has finished.
 */
int engine_node_tasks_running(struct engine *e, const char *node_id, int *ret_count);

/*
 * POST /images/load with the tar file at tar_path streamed as the body; the
 * daemon's progress stream is checked for "error". Allows 120 s.
 */
int engine_image_load(struct engine *e, const char *tar_path);

/* Whether the image exists: 1 yes, 0 no, -errno on failure. */
int engine_image_exists(struct engine *e, const char *image_id);

/* Create an overlay network (scope swarm). Returns 0 and its ID (caller frees). */
int engine_network_create_overlay(struct engine *e, const char *name, bool attachable,
				  char **ret_id);

/*
 * Create a replicated service name of image_id ("sha256:<hex>": an ID, never a
 * tag, so that no registry is asked) running cmd (NULL-terminated, may be NULL
 * for the image's Cmd) in replicas tasks, attached to network if not NULL.
 * Endpoint mode dnsrr (the kernel has no IPVS), an init process, 1 s stop
 * grace period. Returns 0 and the service ID (caller frees).
 */
int engine_service_create(struct engine *e, const char *name, const char *image_id,
			  const char *const *cmd, unsigned replicas, const char *network,
			  char **ret_id);

/*
 * The number of the service's tasks in state "running" and, if ret_tasks is
 * not NULL, the array of its tasks whose desired state is running (caller decrefs).
 */
int engine_service_running(struct engine *e, const char *service_id, int *ret_running,
			   json_t **ret_tasks);

/* DELETE /services/{id}. */
int engine_service_remove(struct engine *e, const char *service_id);

DEFINE_CLEANUP(struct engine *, engine_free)
