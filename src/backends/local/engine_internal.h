/* engine_internal.h - the transport of engine.c, for the API calls in engine_*.c. */
#pragma once

#include <sys/types.h>

#include "backends/local/engine.h"
#include "common/strbuf.h"

/* Set the error sentence (printf-style). */
void engine_set_error(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * One request with body_len bytes of JSON body (or NULL), or with upload_fd >= 0
 * the upload_len bytes of that file as a tar. timeout_ms 0 = the engine's.
 * On a response of any status: 0, *ret_status and the raw body (caller frees).
 */
int engine_request(struct engine *e, const char *method, const char *path, const char *body,
		   size_t body_len, int upload_fd, off_t upload_len, long timeout_ms,
		   long *ret_status, struct strbuf *ret_body);

/* 0 for a status below 400; else the error sentence with the daemon's message and -errno. */
int engine_check_status(struct engine *e, const char *method, const char *path, long status,
			const struct strbuf *body);

/* POST the regular file at file_path to path as in engine_request(). */
int engine_upload_file(struct engine *e, const char *path, const char *file_path, long timeout_ms,
		       long *ret_status, struct strbuf *ret_body);

/* engine_call() with a total timeout of timeout_ms (0 = the engine's). */
int engine_call_timeout(struct engine *e, const char *method, const char *path, json_t *body,
			long timeout_ms, long *ret_status, json_t **ret_json);

/* Percent-encode s for a path segment or query value (caller frees); NULL if out of memory. */
char *engine_escape(const char *s);

/* Copy the non-empty JSON string j into *ret (caller frees); -EBADMSG naming what otherwise. */
int engine_get_string(struct engine *e, const char *what, json_t *j, char **ret);

/* GET /tasks filtered by {key: [value]} (and desired-state running): the array (caller decrefs). */
int engine_tasks(struct engine *e, const char *key, const char *value, bool desired_running,
		 json_t **ret);
