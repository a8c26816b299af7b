/*
 * pki.h - the bay PKI on top of x509.h: a CA per bay, the conductor's client
 * certificate, node server certificates and signed user CSRs, kept by the
 * configured cert manager ([certificates] cert_manager_type) with an
 * inventory in the store (table x509keypairs: kind, name, serial, expiry).
 *
 * Kinds: "ca" (the bay's current CA), "ca_prev" (the CA being rotated away:
 * still trusted until pki_rotate_finish), "conductor" (the service's client
 * certificate), "node" (a server certificate, name = node name), "client"
 * (a user CSR signed through the API; no key is ever seen).
 *
 * This file and pki.c are the only code that loads a CA private key; keys are
 * wiped after use. Functions return 0 or -errno: -ENOENT when the bay has no
 * CA yet, -EINVAL (with *ret_error where given) for refused input.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "x509/barbican.h"

/*
 * Where the barbican cert manager gets Keystone tokens when auth_strategy =
 * keystone (the service user's token); call before pki_init().
 */
void pki_set_token_source(barbican_token_fn fn);

/*
 * Read [x509] and [certificates], load or create the master key (x509keypair)
 * or the storage directory (local), or check that Barbican answers and takes
 * our credentials (barbican). Returns 0, or -errno and a sentence in
 * *ret_error (caller frees) that says what is wrong with the configuration.
 */
int pki_init(char **ret_error);
void pki_fini(void);

/* The cert manager in use ("x509keypair", "local", "barbican"). */
const char *pki_manager(void);

/*
 * Create the bay's CA (CN = name, or the uuid when name is NULL or too long)
 * and the conductor's client certificate, and record their refs on the
 * cluster row. Idempotent: a bay that has its CA keeps it.
 */
int pki_bay_create(struct db *db, const char *bay_uuid, const char *name, const char *project_id,
		   const char *user_id);

/* The CA certificate PEM; with bundle, also the CA being rotated away (new one first). */
int pki_ca_pem(struct db *db, const char *bay_uuid, bool bundle, char **ret_pem);

/*
 * Sign a user CSR (§4.2-4.3, the [x509] policy) with the bay's current CA and
 * record it (kind "client"). -EINVAL with *ret_error for a refused CSR.
 */
int pki_sign_csr(struct db *db, const char *bay_uuid, const char *csr, size_t csr_len,
		 const char *project_id, const char *user_id, char **ret_pem, char **ret_error);

/*
 * Issue (or re-issue, replacing the old one) the server certificate of node
 * name with the subjectAltNames sans (NULL-terminated). Free the key with
 * x509_secret_free().
 */
int pki_issue_node(struct db *db, const char *bay_uuid, const char *name,
		   const char *const *sans, char **ret_cert, char **ret_key);

/* The conductor's client certificate and key for the bay (x509_secret_free the key). */
int pki_conductor_cert(struct db *db, const char *bay_uuid, char **ret_cert, char **ret_key);

/* Re-issue the conductor's client certificate under the current CA. */
int pki_reissue_conductor(struct db *db, const char *bay_uuid);

/*
 * CA rotation, phase 1: a new CA becomes current, the old one is kept as
 * "ca_prev" (trusted beside it), the conductor certificate is re-issued. The
 * driver then re-issues node certificates. Idempotent within a rotation.
 */
int pki_rotate_begin(struct db *db, const char *bay_uuid);
/* Phase 2: drop the old CA and every certificate it signed. */
int pki_rotate_finish(struct db *db, const char *bay_uuid);
/* 1 while a rotation is between its phases, 0 otherwise. */
int pki_rotating(struct db *db, const char *bay_uuid);

/* Remove every certificate and key of the bay. Idempotent. */
int pki_bay_delete(struct db *db, const char *bay_uuid);

/*
 * The inventory: an array of {cluster_uuid, kind, name, serial, not_after,
 * expires_in_days} for bay_uuid (NULL = all bays), limited to certificates
 * that expire within within_days (negative = all), in projects of project_id
 * (NULL = every project). Oldest expiry first.
 */
int pki_inventory(struct db *db, const char *project_id, const char *bay_uuid, int within_days,
		  json_t **ret);

/* Bays having a node or conductor certificate that expires within days: array of uuids. */
int pki_bays_to_renew(struct db *db, int days, json_t **ret);
