/* list_cache.h - list replies cached per process, validated by table generations. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "api/api.h"

struct list_cache_ticket {
	char		*key;		/* NULL: not cacheable (nothing to put) */
	const char	*table;
	int64_t		gen;		/* the generation the reply is rendered under */
};

/*
 * Before rendering a plain list of rows counted under generation `table`
 * ("cluster_templates" or "clusters"): replies from the cache and returns 1
 * when a reply rendered under the current generation is held; otherwise
 * returns 0 and fills t for list_cache_put (or list_cache_drop).
 */
int list_cache_begin(struct api_req *req, const char *table, const struct api_page *pg,
		     struct list_cache_ticket *t);
/* Keep the rendered body (a copy) unless the generation moved meanwhile; frees t's key. */
void list_cache_put(struct api_req *req, struct list_cache_ticket *t, const char *body,
		    size_t len);
void list_cache_drop(struct list_cache_ticket *t);
