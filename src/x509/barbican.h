/*
 * barbican.h - a small client of Barbican's REST API v1 (secrets and
 * certificate containers) for the barbican cert manager (pki.c).
 *
 * One endpoint per process ([certificates] barbican_url), set by
 * barbican_init(). Requests carry X-Auth-Token from the token source when one
 * is given (auth_strategy = keystone), else X-Project-Id: magnum (Barbican's
 * unauthenticated pipeline). A ref ("href") names a secret or container by
 * the id at its end: it is always resolved against the configured endpoint,
 * so a token never goes to a host named in a stored row. Payloads and tokens
 * are wiped from memory after use and never appear in error sentences.
 *
 * Functions return 0 or -errno: -EAGAIN when Barbican cannot be reached or
 * answers 5xx, -EACCES for 401/403 (or no token), -ENOENT for 404, -EPROTO
 * for another unexpected answer or one over the size cap, -EINVAL for a
 * malformed ref, -ENOTCONN before barbican_init(). Thread-safe.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * A token source: writes a token for Barbican into ret_token (len bytes) and
 * returns 0, or -errno. refresh asks for a new one (the last was refused).
 */
typedef int (*barbican_token_fn)(char *ret_token, size_t len, bool refresh);

/*
 * Use the Barbican at url (e.g. http://127.0.0.1:9311, with or without /v1),
 * authenticated by token (NULL = unauthenticated, X-Project-Id: magnum).
 * Checks that Barbican answers (GET <url>/v1). Returns 0, or -errno and a
 * sentence in *ret_error (caller frees) naming the url and the failure.
 */
int barbican_init(const char *url, barbican_token_fn token, char **ret_error);
void barbican_fini(void);

/*
 * Store payload as a secret called name (content_type: "text/plain").
 * Returns 0 and the secret's ref in *ret_href (caller frees).
 */
int barbican_store_secret(const char *name, const char *payload, const char *content_type,
			  char **ret_href);

/* The payload of the secret at href (free with x509_secret_free()). */
int barbican_get_secret_payload(const char *href, char **ret_payload);

/* Delete the secret at href; -ENOENT if it is already gone. */
int barbican_delete_secret(const char *href);

/*
 * Store a "certificate" container called name holding the secrets cert_href
 * (as "certificate") and key_href (as "private_key"). Returns its ref.
 */
int barbican_store_container(const char *name, const char *cert_href, const char *key_href,
			     char **ret_href);

/*
 * The secret ref called secret_name ("certificate", "private_key") in the
 * container at href (caller frees); -ENOENT if the container or that name is
 * absent.
 */
int barbican_container_secret(const char *href, const char *secret_name, char **ret_href);

/* Delete the container at href (not its secrets); -ENOENT if already gone. */
int barbican_delete_container(const char *href);
