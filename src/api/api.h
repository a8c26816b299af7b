/*
 * api.h - what every API handler sees: the request, the caller's identity,
 * the negotiated microversion, and the reply helpers. Handlers live in
 * v1_*.c / identity_*.c and are listed in routes.c. Only server.c knows
 * libmicrohttpd.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "db/db.h"
#include "db/table.h"

#define API_MIN_MINOR	1
#define API_MAX_MINOR	14
#define API_SERVICE	"container-infrastructure-management"

struct identity {
	bool	authenticated;
	char	user_id[65];
	char	user_name[256];
	char	project_id[65];
	char	project_name[256];
	char	domain_id[65];
	bool	is_admin;	/* holds the admin role */
	bool	is_member;	/* member (or admin) role: may write */
	bool	is_reader;	/* reader (or better): may read */
	json_t	*roles;		/* array of role names (owned) */
};

struct api_req;

/* Handler: must send exactly one reply through the api_reply_* helpers; returns 0. */
typedef int (*api_handler_fn)(struct api_req *req);

enum api_era { ERA_BAY, ERA_CLUSTER };

struct api_req {
	/* Request. */
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* normalised: "/v1/bays/abc" (trailing '/' stripped) */
	const char	*params[4];	/* path segments captured by the route's "{...}" */
	size_t		nparams;
	json_t		*query;		/* object: name -> string (last value wins) */
	const char	*body;		/* raw body (NUL-terminated), NULL if none */
	size_t		body_len;
	const char	*content_type;	/* NULL if absent */
	const char	*accept;
	const char	*auth_token;	/* X-Auth-Token, NULL if absent (never log it) */
	const char	*host_url;	/* "http://127.0.0.1:9511" as the client addressed us */
	char		request_id[48];	/* "req-<uuid>" */
	int		minor;		/* negotiated microversion 1.<minor> */
	enum api_era	era;		/* from the route: bay era or cluster era names */
	struct identity	id;
	struct db	*db;		/* this thread's connection */
	void		*conn;		/* server.c private */
	const char *(*get_header)(struct api_req *req, const char *name);

	/* Reply (filled by api_reply_*). */
	int		status;
	char		*resp_body;	/* owned */
	size_t		resp_len;
	const char	*resp_type;	/* content type; NULL = application/json */
	bool		resp_static;	/* resp_body points at static data: do not free */
	json_t		*resp_headers;	/* object: name -> string (owned) */
	bool		replied;
};

/* --- replies (api/reply.c) --- */

/* Reply with a JSON document (steals body; NULL body = empty). Returns 0. */
int api_reply_json(struct api_req *req, int status, json_t *body);
/* Reply with no body (204 and the like). */
int api_reply_empty(struct api_req *req, int status);
/* Reply with raw bytes (copied unless is_static). */
/* Reply with sb's JSON text; takes the buffer (sb is left empty). */
int api_reply_strbuf(struct api_req *req, int status, struct strbuf *sb);
/* Reply with body (malloc'ed JSON text of len bytes, NUL-terminated): the reply owns it. */
int api_reply_owned(struct api_req *req, int status, char *body, size_t len);
int api_reply_raw(struct api_req *req, int status, const char *type, const char *data,
		  size_t len, bool is_static);
/*
 * Magnum's error body: {"errors":[{"request_id":"","code":"client"|"server",
 * "status":N,"title":<detail up to the first '.'>,"detail":<text>,"links":[]}]}
 */
int api_reply_error(struct api_req *req, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An error for a negative errno from library code: maps through err_to_http(). */
int api_reply_errno(struct api_req *req, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 500 after logging (the log line carries the request id, not the token). */
int api_reply_internal(struct api_req *req, int r, const char *what);
/* The keystonemiddleware-style 401 body. */
int api_reply_unauthorized(struct api_req *req);
/* 403 "Policy doesn't allow <rule> to be performed." */
int api_reply_policy(struct api_req *req, const char *rule);
/* Add a response header (copied). */
void api_set_header(struct api_req *req, const char *name, const char *value);

/* --- request helpers (api/request.c) --- */

/* Query parameter or NULL. */
const char *api_query(struct api_req *req, const char *name);
/*
 * Reject query parameters not in the NULL-terminated allowed list with
 * 400 'Unknown argument: "<names>"'. Returns 0, or -EINVAL after replying.
 */
int api_query_only(struct api_req *req, const char *const *allowed);
/*
 * Parse the body as JSON (415 on a non-JSON content type, 400 "Request is
 * not in valid JSON format"); on error replies and returns -EINVAL.
 * *ret is a new reference.
 */
int api_body_json(struct api_req *req, json_t **ret);
/* "http://host/v1/<coll>/<uuid>" + bookmark pair. */
json_t *api_links(struct api_req *req, const char *coll, const char *uuid);
/* The same links appended to sb as JSON text (host and uuid escaped). */
int api_links_text(struct strbuf *sb, const struct api_req *req, const char *coll,
		   const char *uuid);
/* Add a "next" link when the page is full (see api/pagination.c). */

/* --- pagination (api/pagination.c) --- */
struct api_page {
	int64_t		limit;		/* effective limit */
	const char	*marker;	/* normalised marker uuid, or NULL */
	char		marker_buf[37];
	const char	*sort_key;	/* validated column name */
	const char	*sort_dir;	/* "asc" | "desc" */
};
/*
 * Parse limit, marker, sort_key, sort_dir. sort_keys lists the allowed
 * columns (NULL-terminated). On error replies 400 and returns -EINVAL.
 */
int api_page_parse(struct api_req *req, const char *const *sort_keys, struct api_page *ret);
/*
 * Put "next" into the envelope when the page is full. base is the collection
 * path without host, e.g. "/v1/bays/detail".
 */
int api_page_next(struct api_req *req, const struct api_page *pg, json_t *envelope,
		  const char *base, json_t *items);

/*
 * A page of rows of t matching where (params p, n), ordered by pg's sort key
 * and direction then id, starting after pg->marker (v1_templates.c). Returns
 * 0 and a new array, -ENOENT if the marker is not among the rows, or -errno.
 */
int api_list_page(struct api_req *req, const struct db_table *t, const char *extra,
		  const char *where, const struct db_param *p, size_t n, const struct api_page *pg,
		  json_t **ret_rows);
/* The same page streamed to fn row by row (db_row_each), for replies written as text. */
int api_list_each(struct api_req *req, const struct db_table *t, const char *extra,
		  const char *where, const struct db_param *p, size_t n, const struct api_page *pg,
		  db_row_fn fn, void *ctx);
/* Append ,"next":"..." to sb when the page (count items, the last last_uuid) is full. */
int api_page_next_text(struct api_req *req, const struct api_page *pg, struct strbuf *sb,
		       const char *base, int64_t count, const char *last_uuid);

/*
 * A plain list replied as JSON text written straight from the rows:
 * {"<coll>":[items],"next":...}, served from and kept in the list cache
 * (api/list_cache.c) under generation gen_table. The row writer fn (ctx is
 * its own state) appends one item per row to out->sb, "," first unless
 * out->count is 0, then calls api_list_text_item. 404 "<title> <marker>
 * could not be found." for a marker out of sight. Returns what api_reply_* do.
 */
struct api_list_text {
	struct strbuf	sb;
	int64_t		count;
	char		last[40];	/* uuid of the last item written */
};
struct api_list_query {
	const char		*gen_table;
	const struct db_table	*table;
	const char		*extra;		/* computed columns, or NULL */
	const char		*where;
	const struct db_param	*p;
	size_t			n;
	const char		*coll;		/* envelope key, e.g. "bays" */
	const char		*title;		/* for the 404, e.g. "Bay" */
	const char		*base;		/* "/v1/bays" for the next link */
	size_t			item_bytes;	/* about one item's size, to size the buffer */
};
int api_reply_list_text(struct api_req *req, const struct api_list_query *q,
			const struct api_page *pg, db_row_fn fn, void *ctx,
			struct api_list_text *out);
void api_list_text_item(struct api_list_text *out, const char *uuid);

/* --- policy (api/policy.c) --- */
/* The caller may read/write objects of project_id (own project or admin). */
bool policy_can_read(const struct api_req *req, const char *project_id);
bool policy_can_write(const struct api_req *req, const char *project_id);

/*
 * An error raised by the framework rather than a handler (routing 404/405,
 * the generic 406): {"errors":[{"request_id":"","code":"","status":N,
 * "title":T,"detail":D,"links":[]}]} with T/D empty unless the client
 * accepts JSON (pecan's behaviour).
 */
int api_reply_framework_error(struct api_req *req, int status, const char *title,
			      const char *detail);
/* A handler for paths that exist only to be refused (e.g. "/v1/bays/<x>/detail"): 404. */
int api_handle_not_found(struct api_req *req);
