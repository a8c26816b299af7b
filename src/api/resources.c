/* resources.c - lookups in the embedded cloud's catalogue (images, flavors, keypairs, networks). */
#include <errno.h>

#include "api/resources.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "db/table.h"

static int
one(struct db *db, const struct db_table *t, const char *where, const struct db_param *p,
    size_t n, json_t **ret)
{
	_cleanup_json_ json_t *rows = NULL;
	int r;

	r = db_row_select(db, t, NULL, where, p, n, "1", 2, &rows);
	if (r < 0)
		return r;
	if (json_array_size(rows) == 0)
		return -ENOENT;
	if (json_array_size(rows) > 1)
		return -EEXIST;
	*ret = json_incref(json_array_get(rows, 0));
	return 0;
}

int
res_image_find(struct db *db, const char *ident, const char *project_id, json_t **ret)
{
	const char *vis = "(visibility = 'public' OR visibility = 'community' OR owner = ? OR "
			  "? = 1)";
	char sql[256];

	snprintf(sql, sizeof(sql), "%s AND %s = ?", vis, uuid_is_like(ident) ? "id" : "name");
	return one(db, &db_t_images, sql,
		   DB_ARGS(DB_TEXT(project_id), DB_INT(project_id ? 0 : 1), DB_TEXT(ident)), ret);
}

int
res_flavor_find(struct db *db, const char *ident, json_t **ret)
{
	int r = one(db, &db_t_flavors, "id = ?", DB_ARGS(DB_TEXT(ident)), ret);

	if (r == -ENOENT)
		r = one(db, &db_t_flavors, "name = ?", DB_ARGS(DB_TEXT(ident)), ret);
	return r;
}

int
res_keypair_find(struct db *db, const char *name, const char *user_id, json_t **ret)
{
	return one(db, &db_t_keypairs, "name = ? AND user_id = ?",
		   DB_ARGS(DB_TEXT(name), DB_TEXT(user_id)), ret);
}

int
res_external_network_find(struct db *db, const char *ident, json_t **ret)
{
	int r = one(db, &db_t_networks, "router_external = 1 AND id = ?", DB_ARGS(DB_TEXT(ident)),
		    ret);

	if (r == -ENOENT)
		r = one(db, &db_t_networks, "router_external = 1 AND name = ?",
			DB_ARGS(DB_TEXT(ident)), ret);
	return r;
}
