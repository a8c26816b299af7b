/* identity_store.h - users, projects, roles and passwords of the built-in identity service. */
#pragma once

#include <stdbool.h>

#include "db/db.h"

int identity_hash_password(const char *password, char **ret);
bool identity_check_password(const char *password, const char *hash);
int identity_project_create(struct db *db, const char *name, const char *description,
			    char ret_id[33]);
int identity_user_create(struct db *db, const char *name, const char *password,
			 const char *default_project, char ret_id[33]);
int identity_role_add(struct db *db, const char *user_id, const char *project_id,
		      const char *role);
/* Id of a row of "users" or "projects" by id or name into ret_id; -ENOENT if none. */
int identity_find(struct db *db, const char *table, const char *ident, char ret_id[65]);
