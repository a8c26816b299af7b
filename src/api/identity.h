/*
 * identity.h - the built-in identity service: users, projects, role
 * assignments and tokens in the store, the Keystone v3 subset served under
 * /v3, the first-start bootstrap and the admin commands of magnumd.
 */
#pragma once

#include "db/db.h"

/*
 * First start with auth_strategy = builtin: create the admin user and project
 * (random password) and write <state_path>/admin-openrc.sh (mode 0600) with
 * OS_AUTH_URL=<public_url>/v3 and the credentials. Does nothing when the admin
 * user exists (but rewrites a missing openrc). Returns 0 or -errno.
 */
int identity_bootstrap(struct db *db, const char *state_path, const char *public_url);

/*
 * `magnumd <command> ...` for identity administration (user-create,
 * project-create, role-add, user-list, project-list, ...). Returns the exit
 * code, or -ENOENT when argv[0] is not an identity command.
 */
int identity_cli(struct db *db, int argc, char **argv);
