/* pagination.c - limit, marker, sort_key, sort_dir and the "next" link. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/list_cache.h"
#include "common/cleanup.h"
#include "common/conf.h"
#include "common/jwriter.h"
#include "common/util.h"
#include "db/table.h"

int
api_page_parse(struct api_req *req, const char *const *sort_keys, struct api_page *ret)
{
	const char *limit = api_query(req, "limit"), *marker = api_query(req, "marker");
	const char *key = api_query(req, "sort_key"), *dir = api_query(req, "sort_dir");
	int64_t max = conf_int("api", "max_limit"), v;

	memset(ret, 0, sizeof(*ret));
	ret->limit = max;
	if (limit) {
		if (parse_int64(limit, INT64_MIN, INT64_MAX, &v) < 0) {
			api_reply_error(req, 400, "Invalid input for field/attribute limit. "
					"Value: '%s'. unable to convert to int", limit);
			return -EINVAL;
		}
		if (v <= 0) {
			api_reply_error(req, 400, "Limit must be positive");
			return -EINVAL;
		}
		ret->limit = v < max ? v : max;
	}
	if (marker) {
		if (uuid_normalize(marker, ret->marker_buf) < 0) {
			api_reply_error(req, 400, "Expected a uuid but received %s.", marker);
			return -EINVAL;
		}
		ret->marker = ret->marker_buf;
	}
	ret->sort_key = "id";
	if (key) {
		bool ok = false;
		for (size_t i = 0; sort_keys[i]; i++)
			if (streq(sort_keys[i], key)) {
				ok = true;
				ret->sort_key = sort_keys[i];
			}
		if (!ok) {
			api_reply_error(req, 400,
					"The sort_key value \"%s\" is an invalid field for sorting",
					key);
			return -EINVAL;
		}
	}
	ret->sort_dir = "asc";
	if (dir) {
		if (streq(dir, "asc") || streq(dir, "desc")) {
			ret->sort_dir = streq(dir, "asc") ? "asc" : "desc";
		} else {
			api_reply_error(req, 400,
					"Invalid sort direction: %s. Acceptable values are 'asc' "
					"or 'desc'", dir);
			return -EINVAL;
		}
	}
	return 0;
}

/* The "next" URL of a full page whose last item is last_uuid (NULL when none). */
static char *
next_url(struct api_req *req, const struct api_page *pg, const char *base, int64_t count,
	 const char *last_uuid)
{
	char *url = NULL;

	if (count != pg->limit || pg->limit == 0 || last_uuid == NULL)
		return NULL;
	if (asprintf(&url, "%s%s?sort_key=%s&sort_dir=%s&limit=%lld&marker=%s", req->host_url,
		     base, pg->sort_key, pg->sort_dir, (long long)pg->limit, last_uuid) < 0)
		return NULL;
	return url;
}

int
api_page_next(struct api_req *req, const struct api_page *pg, json_t *envelope,
	      const char *base, json_t *items)
{
	json_t *last = json_array_get(items, json_array_size(items) - 1);
	_cleanup_free_ char *url = next_url(req, pg, base, (int64_t)json_array_size(items),
					    json_string_value(json_object_get(last, "uuid")));

	if (url == NULL)
		return 0;
	return json_object_set_new(envelope, "next", json_string(url)) < 0 ? -ENOMEM : 0;
}

int
api_page_next_text(struct api_req *req, const struct api_page *pg, struct strbuf *sb,
		   const char *base, int64_t count, const char *last_uuid)
{
	_cleanup_free_ char *url = next_url(req, pg, base, count, last_uuid);

	if (url == NULL)
		return 0;
	return strbuf_puts(sb, ",\"next\":") ?: jw_string(sb, url);
}

/*
 * ORDER BY clause of the page: the sort key, then id; with a marker, the
 * marker's position in that order becomes an OFFSET (-ENOENT if not visible).
 */
static int
page_order(struct api_req *req, const struct db_table *t, const char *extra, const char *where,
	   const struct db_param *p, size_t n, const struct api_page *pg, char *order,
	   size_t size, int64_t *ret_limit)
{
	char by[160], sql[1400];
	struct db_stmt *st;
	int64_t pos = -1, i = 0;
	int r;

	if (streq(pg->sort_key, "id"))
		snprintf(by, sizeof(by), "id %s", pg->sort_dir);
	else
		snprintf(by, sizeof(by), "%s %s, id %s", pg->sort_key, pg->sort_dir,
			 pg->sort_dir);
	*ret_limit = pg->limit;
	if (pg->marker == NULL) {
		snprintf(order, size, "%s", by);
		return 0;
	}
	snprintf(sql, sizeof(sql), "SELECT uuid%s%s FROM %s WHERE %s ORDER BY %s",
		 extra ? ", " : "", extra ? extra : "", t->name, where, by);
	r = db_query(req->db, sql, p, n, &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		const char *u = db_col_text(st, 0);
		if (u && streq(u, pg->marker)) {
			pos = i;
			break;
		}
		i++;
	}
	db_stmt_free(st);
	if (r < 0)
		return r;
	if (pos < 0)
		return -ENOENT;
	snprintf(order, size, "%s LIMIT %lld OFFSET %lld", by, (long long)pg->limit,
		 (long long)(pos + 1));
	*ret_limit = 0;
	return 0;
}

int
api_list_page(struct api_req *req, const struct db_table *t, const char *extra,
	      const char *where, const struct db_param *p, size_t n, const struct api_page *pg,
	      json_t **ret_rows)
{
	char order[240];
	int64_t limit;
	int r = page_order(req, t, extra, where, p, n, pg, order, sizeof(order), &limit);

	if (r < 0)
		return r;
	return db_row_select(req->db, t, extra, where, p, n, order, limit, ret_rows);
}

int
api_list_each(struct api_req *req, const struct db_table *t, const char *extra,
	      const char *where, const struct db_param *p, size_t n, const struct api_page *pg,
	      db_row_fn fn, void *ctx)
{
	char order[240];
	int64_t limit;
	int r = page_order(req, t, extra, where, p, n, pg, order, sizeof(order), &limit);

	if (r < 0)
		return r;
	return db_row_each(req->db, t, extra, where, p, n, order, limit, fn, ctx);
}

void
api_list_text_item(struct api_list_text *out, const char *uuid)
{
	out->count++;
	snprintf(out->last, sizeof(out->last), "%s", uuid ? uuid : "");
}

int
api_reply_list_text(struct api_req *req, const struct api_list_query *q,
		    const struct api_page *pg, db_row_fn fn, void *ctx, struct api_list_text *out)
{
	struct list_cache_ticket tk;
	size_t items = (size_t)(pg->limit < 128 ? pg->limit : 128);
	int r;

	if (list_cache_begin(req, q->gen_table, pg, &tk))
		return 0;
	/* One allocation for a full default page. */
	r = strbuf_reserve(&out->sb, q->item_bytes * items + 256);
	if (r == 0)
		r = strbuf_printf(&out->sb, "{\"%s\":[", q->coll);
	if (r == 0)
		r = api_list_each(req, q->table, q->extra, q->where, q->p, q->n, pg, fn, ctx);
	if (r == 0)
		r = strbuf_puts(&out->sb, "]");
	if (r == 0)
		r = api_page_next_text(req, pg, &out->sb, q->base, out->count, out->last);
	if (r == 0)
		r = strbuf_puts(&out->sb, "}");
	if (r < 0) {
		char what[80];

		strbuf_free(&out->sb);
		list_cache_drop(&tk);
		if (r == -ENOENT)
			return api_reply_error(req, 404, "%s %s could not be found.", q->title,
					       pg->marker);
		snprintf(what, sizeof(what), "listing %s", q->coll);
		return api_reply_internal(req, r, what);
	}
	list_cache_put(req, &tk, out->sb.buf, out->sb.len);
	return api_reply_strbuf(req, 200, &out->sb);
}
