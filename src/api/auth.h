/*
 * auth.h - turning a request into an identity: builtin tokens (our own
 * Keystone subset), a real Keystone (keystone mode) or trusted headers (noauth).
 */
#pragma once

#include "api/api.h"

/*
 * Authenticate req; fills req->id. Returns 0, or -EPERM after replying 401,
 * or another -errno after replying (500/503).
 */
int auth_authenticate(struct api_req *req, bool peer_is_loopback);

/* Fill role flags (is_admin/is_member/is_reader) from id->roles. */
void auth_identity_set_roles(struct identity *id, json_t *roles);
void auth_identity_clear(struct identity *id);

/*
 * The Keystone a 401 names in its WWW-Authenticate header in keystone mode, as
 * keystonemiddleware does: [keystone_authtoken] www_authenticate_uri, else
 * auth_url. NULL in the other modes or when neither is set. Borrowed from the
 * configuration.
 */
const char *auth_www_authenticate_uri(void);

/*
 * Builtin: validate a token against the tokens table. Returns 0 and fills *id,
 * -EPERM if unknown or expired.
 */
int auth_builtin_validate(struct db *db, const char *token, struct identity *id);
/*
 * The key a built-in token is stored under: the hex SHA-256 of the token, so
 * that the tokens table (or a copy of the database) holds nothing a caller
 * could present. -EINVAL for NULL or an over-long token.
 */
int auth_token_key(const char *token, char out[65]);

/*
 * Keystone mode (identity_keystone.c): validate token with the configured
 * Keystone (cached). Returns 0 and fills *id, -EPERM if invalid, -EAGAIN if
 * Keystone cannot be reached.
 */
int auth_keystone_validate(const char *token, struct identity *id);

/*
 * The [keystone_authtoken] service user's token into ret_token (len bytes),
 * cached until shortly before it expires; refresh drops the cached one.
 * Returns 0, -ENOENT without a service user, -EACCES when Keystone refuses
 * its credentials, -EAGAIN when Keystone cannot be reached.
 */
int auth_keystone_service_token(char *ret_token, size_t len, bool refresh);
