/*
 * engine_service.c - Engine API calls for what runs on a swarm: images (load,
 * exists), overlay networks and replicated services.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/local/engine.h"
#include "backends/local/engine_internal.h"

#define LOAD_PATH	"/images/load?quiet=1"
#define STOP_GRACE_NS	1000000000LL	/* 1 s: tasks stop fast on scale-down */

/*
 * Check the daemon's progress stream (concatenated JSON objects): -EIO with
 * the daemon's text if one carries "error", -EBADMSG if it is not JSON.
 */
static int
check_load_stream(struct engine *e, const struct strbuf *body)
{
	size_t off = 0;

	while (off < body->len) {
		_cleanup_json_ json_t *j = NULL;
		json_error_t jerr;
		const char *err;

		off += strspn(body->buf + off, " \t\r\n");
		if (off >= body->len)
			break;
		j = json_loadb(body->buf + off, body->len - off, JSON_DISABLE_EOF_CHECK, &jerr);
		if (j == NULL || jerr.position <= 0) {
			engine_set_error(e, "POST /images/load: malformed progress stream: %s",
					 jerr.text);
			return -EBADMSG;
		}
		off += (size_t)jerr.position;
		err = json_string_value(json_object_get(j, "error"));
		if (err == NULL && json_object_get(j, "errorDetail"))
			err = json_string_value(
				json_object_get(json_object_get(j, "errorDetail"), "message"));
		if (err) {
			engine_set_error(e, "POST /images/load: %.300s", err);
			return -EIO;
		}
	}
	return 0;
}

int
engine_image_load(struct engine *e, const char *tar_path)
{
	struct strbuf body = STRBUF_INIT;
	long status = 0;
	int r;

	if (tar_path == NULL)
		return -EINVAL;
	r = engine_upload_file(e, LOAD_PATH, tar_path, ENGINE_LOAD_TIMEOUT_MS, &status, &body);
	if (r < 0)
		return r;
	r = engine_check_status(e, "POST", LOAD_PATH, status, &body);
	if (r == 0)
		r = check_load_stream(e, &body);
	strbuf_free(&body);
	return r;
}

int
engine_image_exists(struct engine *e, const char *image_id)
{
	_cleanup_free_ char *id = NULL, *path = NULL;
	int r;

	if (image_id == NULL || *image_id == '\0')
		return -EINVAL;
	id = engine_escape(image_id);
	if (id == NULL || asprintf(&path, "/images/%s/json", id) < 0)
		return -ENOMEM;
	r = engine_call(e, "GET", path, NULL, NULL, NULL);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

int
engine_network_create_overlay(struct engine *e, const char *name, bool attachable, char **ret_id)
{
	_cleanup_json_ json_t *body = NULL, *resp = NULL;
	int r;

	if (name == NULL || *name == '\0' || strlen(name) > 128)
		return -EINVAL;
	body = json_pack("{s:s, s:s, s:b, s:b}", "Name", name, "Driver", "overlay", "Attachable",
			 attachable, "CheckDuplicate", 1);
	if (body == NULL)
		return -ENOMEM;
	r = engine_call(e, "POST", "/networks/create", body, NULL, &resp);
	if (r < 0)
		return r;
	return engine_get_string(e, "POST /networks/create", json_object_get(resp, "Id"), ret_id);
}

int
engine_service_create(struct engine *e, const char *name, const char *image_id,
		      const char *const *cmd, unsigned replicas, const char *network,
		      char **ret_id)
{
	_cleanup_json_ json_t *body = NULL, *resp = NULL;
	json_t *spec, *args;
	int r;

	if (name == NULL || *name == '\0' || strlen(name) > 63 || image_id == NULL ||
	    strncmp(image_id, "sha256:", 7) != 0 || strlen(image_id) != 71)
		return -EINVAL;
	spec = json_pack("{s:s, s:b, s:I}", "Image", image_id, "Init", 1, "StopGracePeriod",
			 (json_int_t)STOP_GRACE_NS);
	body = json_pack("{s:s, s:{s:o}, s:{s:{s:I}}, s:{s:s}}", "Name", name, "TaskTemplate",
			 "ContainerSpec", spec, "Mode", "Replicated", "Replicas",
			 (json_int_t)replicas, "EndpointSpec", "Mode", "dnsrr");
	if (body == NULL)
		return -ENOMEM;
	if (cmd && cmd[0]) {
		args = json_array();
		if (args == NULL || json_object_set_new(spec, "Args", args) < 0)
			return -ENOMEM;
		for (size_t i = 0; cmd[i]; i++)
			if (json_array_append_new(args, json_string(cmd[i])) < 0)
				return -EINVAL;	/* not UTF-8 */
	}
	if (network &&
	    json_object_set_new(json_object_get(body, "TaskTemplate"), "Networks",
				json_pack("[{s:s}]", "Target", network)) < 0)
		return -ENOMEM;
	r = engine_call(e, "POST", "/services/create", body, NULL, &resp);
	if (r < 0)
		return r;
	return engine_get_string(e, "POST /services/create", json_object_get(resp, "ID"), ret_id);
}

int
engine_service_running(struct engine *e, const char *service_id, int *ret_running,
		       json_t **ret_tasks)
{
	_cleanup_json_ json_t *tasks = NULL;
	json_t *t;
	size_t i;
	int r, n = 0;

	r = engine_tasks(e, "service", service_id, true, &tasks);
	if (r < 0)
		return r;
	json_array_foreach(tasks, i, t) {
		const char *state =
			json_string_value(json_object_get(json_object_get(t, "Status"), "State"));

		if (state && streq(state, "running"))
			n++;
	}
	*ret_running = n;
	if (ret_tasks)
		*ret_tasks = TAKE_PTR(tasks);
	return 0;
}

int
engine_service_remove(struct engine *e, const char *service_id)
{
	_cleanup_free_ char *id = NULL, *path = NULL;

	if (service_id == NULL || *service_id == '\0')
		return -EINVAL;
	id = engine_escape(service_id);
	if (id == NULL || asprintf(&path, "/services/%s", id) < 0)
		return -ENOMEM;
	return engine_call(e, "DELETE", path, NULL, NULL, NULL);
}
