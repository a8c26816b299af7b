/*
 * x509.h - the bay PKI (bay doc §4): per-bay CAs, the conductor's client
 * certificate, server certificates, CSR signing under a policy, certificate
 * inspection, and encryption of private keys at rest.
 *
 * This is the only interface to OpenSSL for the rest of the project: no
 * OpenSSL type appears here. Every PEM is a NUL-terminated string. Private
 * keys are PKCS#8 PEM ("BEGIN PRIVATE KEY"), unencrypted: store them through
 * x509_encrypt_secret() and free them with x509_secret_free().
 *
 * Errors are -errno: -EINVAL for bad input (a malformed PEM, a refused CSR,
 * an out-of-range parameter), -ENOMEM, -EIO for an unexpected failure inside
 * OpenSSL, and the codes documented per function. Functions with a ret_error
 * parameter set it on -EINVAL only, to a malloc'ed sentence the caller frees;
 * it never quotes the input.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/cleanup.h"

#define X509_DEFAULT_KEY_TYPE		"rsa"
#define X509_DEFAULT_RSA_BITS		2048
#define X509_DEFAULT_EC_CURVE		"P-256"
#define X509_DEFAULT_VALIDITY_DAYS	1825	/* [x509] term_of_validity */
#define X509_DEFAULT_MAX_CSR_LEN	16384
#define X509_DEFAULT_MAX_SANS		64
#define X509_CONDUCTOR_CN		"Magnum-Conductor"
#define X509_MASTER_KEY_LEN		32

/* Key and lifetime of a certificate this module creates. Zero/NULL fields take the defaults. */
struct x509_params {
	const char	*key_type;	/* "rsa" (default) or "ec" */
	int		rsa_bits;	/* 2048 (accepted: 2048..8192) */
	const char	*ec_curve;	/* "P-256" (also "P-384", "P-521") */
	int		validity_days;	/* 1825 (accepted: 1..36500) */
};

/* keyUsage bits, in RFC 5280 order; names as in [x509] allowed_key_usage. */
enum {
	X509_KU_DIGITAL_SIGNATURE	= 1u << 0,	/* "Digital Signature" */
	X509_KU_NON_REPUDIATION		= 1u << 1,	/* "Non Repudiation" */
	X509_KU_KEY_ENCIPHERMENT	= 1u << 2,	/* "Key Encipherment" */
	X509_KU_DATA_ENCIPHERMENT	= 1u << 3,	/* "Data Encipherment" */
	X509_KU_KEY_AGREEMENT		= 1u << 4,	/* "Key Agreement" */
	X509_KU_KEY_CERT_SIGN		= 1u << 5,	/* "Certificate Sign" */
	X509_KU_CRL_SIGN		= 1u << 6,	/* "CRL Sign" */
	X509_KU_ENCIPHER_ONLY		= 1u << 7,	/* "Encipher Only" */
	X509_KU_DECIPHER_ONLY		= 1u << 8,	/* "Decipher Only" */
};
#define X509_KU_DEFAULT (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT | \
			 X509_KU_NON_REPUDIATION)

/* extendedKeyUsage purposes, as reported by x509_cert_info. */
enum {
	X509_EKU_SERVER_AUTH	= 1u << 0,
	X509_EKU_CLIENT_AUTH	= 1u << 1,
	X509_EKU_OTHER		= 1u << 2,	/* any other purpose */
};

/*
 * What x509_sign_csr() accepts (bay doc §4.2, §4.3). A zero-initialised policy
 * is the spec's default policy: every zero field means its default.
 */
struct x509_sign_policy {
	bool		allow_ca;		/* [x509] allow_ca (false) */
	bool		allow_server_auth;	/* keep a requested serverAuth (false) */
	/*
	 * NULL-terminated names (x509_extension_name_valid()); NULL = keyUsage,
	 * extendedKeyUsage, subjectAltName, basicConstraints, subjectKeyIdentifier.
	 */
	const char *const *allowed_extensions;
	unsigned	allowed_key_usage;	/* X509_KU_* mask; 0 = X509_KU_DEFAULT */
	int		validity_days;		/* [x509] term_of_validity; 0 = 1825 */
	int		max_validity_days;	/* cap on validity_days; 0 = 1825 */
	int		min_rsa_bits;		/* 0 = 2048 */
	int		min_ec_bits;		/* 0 = 256 */
	size_t		max_csr_len;		/* 0 = 16384 */
	size_t		max_sans;		/* 0 = 64 */
	const char *const *forbidden_cns;	/* NULL-terminated, compared case-insensitively;
						 * NULL = none */
};

/* A certificate's contents, from x509_cert_info_parse(). */
struct x509_ext_info {
	char		*name;		/* OpenSSL short name ("basicConstraints") or dotted OID */
	bool		critical;
};

struct x509_cert_info {
	char		*subject_cn;	/* NULL if the subject has no CN */
	char		*subject_org;	/* first O, or NULL */
	char		*issuer_cn;	/* NULL if the issuer has no CN */
	char		*serial_hex;	/* lowercase hex, no "0x" */
	char		*fingerprint;	/* lowercase hex SHA-256 of the DER */
	char		*key_type;	/* "rsa", "ec" or OpenSSL's name of the key type */
	int		key_bits;
	time_t		not_before;
	time_t		not_after;
	bool		is_ca;		/* basicConstraints CA:TRUE */
	int		path_len;	/* basicConstraints pathlen, -1 if absent */
	bool		has_key_usage;
	unsigned	key_usage;	/* X509_KU_* (0 if absent) */
	unsigned	ext_key_usage;	/* X509_EKU_* (0 if absent) */
	bool		self_signed;
	char		**sans;		/* NULL-terminated, never NULL: "DNS:x", "IP:1.2.3.4",
					 * "email:x"; other types as "other:<type>" */
	size_t		n_sans;
	struct x509_ext_info *exts;	/* every extension, in certificate order */
	size_t		n_exts;
};

struct x509_csr;	/* a parsed, signature-checked CSR (opaque) */

/* --- certificates this service creates (ca.c) --- */

/*
 * Create a self-signed bay CA (§4.1): subject CN = cn, basicConstraints
 * CA:TRUE,pathlen:0 critical, keyUsage keyCertSign+cRLSign critical, random
 * 128-bit serial, notBefore now-1d, SHA-256. Returns 0 with two new strings
 * (free the key with x509_secret_free()); -EINVAL for a bad cn or params,
 * -ENAMETOOLONG if cn exceeds 64 bytes (RFC 5280's limit: use the bay uuid).
 * Names of subjects (cn, org) must be UTF-8 without control characters.
 */
int x509_ca_create(const char *cn, const struct x509_params *params, char **ret_cert_pem,
		   char **ret_key_pem);

/*
 * Issue a client certificate signed by the CA: CN = cn (NULL: "Magnum-Conductor"),
 * O = org if not NULL, CA:FALSE critical, digitalSignature+keyEncipherment
 * critical, extendedKeyUsage clientAuth. Returns 0 with a new certificate and
 * key (free with x509_secret_free()); -EINVAL if the CA PEMs are bad or do not match.
 */
int x509_issue_client_cert(const char *ca_cert_pem, const char *ca_key_pem, const char *cn,
			   const char *org, const struct x509_params *params, char **ret_cert_pem,
			   char **ret_key_pem);

/*
 * Issue a server certificate signed by the CA for cn and the subjectAltNames
 * sans (NULL-terminated, may be NULL): "IP:addr", "DNS:name", or a bare IPv4/
 * IPv6 address or DNS name. Usage as for the client certificate, with
 * extendedKeyUsage serverAuth+clientAuth. Returns 0 with a new certificate and
 * key; -EINVAL for a bad SAN, cn, CA or params.
 */
int x509_issue_server_cert(const char *ca_cert_pem, const char *ca_key_pem, const char *cn,
			   const char *const *sans, const struct x509_params *params,
			   char **ret_cert_pem, char **ret_key_pem);

/*
 * Sign a user or node CSR (csr_len bytes, need not be NUL-terminated) with the
 * CA under policy (NULL = the default policy), as in §4.2-§4.3: the subject and
 * public key are copied, extensions filtered, extendedKeyUsage clientAuth
 * (plus serverAuth if requested and allowed), basicConstraints CA:FALSE
 * unless the policy allows a CA. Returns 0 and the new certificate PEM; -EINVAL
 * and *ret_error (caller frees) when the CSR is refused. A bad CA is -EINVAL
 * without a message.
 */
int x509_sign_csr(const char *ca_cert_pem, const char *ca_key_pem, const char *csr, size_t csr_len,
		  const struct x509_sign_policy *policy, char **ret_cert_pem, char **ret_error);

/* --- CSRs (csr.c) --- */

/*
 * Parse a PEM CSR of len bytes (at most max_len; 0 = 16384) and check its
 * signature. Returns 0 and a new CSR (free with x509_csr_free()); -EINVAL and
 * *ret_error (caller frees) if it is not exactly one valid, self-signed CSR.
 */
int x509_csr_parse(const void *data, size_t len, size_t max_len, struct x509_csr **ret_csr,
		   char **ret_error);

/* Free a CSR; takes NULL, returns NULL. */
struct x509_csr *x509_csr_free(struct x509_csr *csr);

/* The CSR's first subject CN (borrowed, lives as long as csr), or NULL. */
const char *x509_csr_subject_cn(const struct x509_csr *csr);

/*
 * Apply the checks of policy (NULL = default) that do not depend on the CA:
 * key strength, subject, extensions, SANs. Returns 0, or -EINVAL and *ret_error.
 */
int x509_csr_check(const struct x509_csr *csr, const struct x509_sign_policy *policy,
		   char **ret_error);

/*
 * Generate a key per params and a SHA-256 CSR for subject CN = cn (and O = org
 * if not NULL). Returns 0 with a new CSR and key (free with x509_secret_free()).
 */
int x509_make_csr(const char *cn, const char *org, const struct x509_params *params,
		  char **ret_csr_pem, char **ret_key_pem);

/*
 * Parse a comma-separated list of key usage names ("Digital Signature, Key
 * Encipherment"; the long names of §4.3 or OpenSSL's "digitalSignature" forms,
 * case-insensitive) into an X509_KU_* mask. Returns 0, or -EINVAL on an unknown name.
 */
int x509_key_usage_parse(const char *list, unsigned *ret_mask);

/* Whether name is one of the 13 extension names [x509] allowed_extensions accepts (§4.3). */
bool x509_extension_name_valid(const char *name);

/* --- inspection (cert.c) --- */

/* Parse the first certificate of pem. Returns 0 and new info (x509_cert_info_free()), -EINVAL. */
int x509_cert_info_parse(const char *pem, struct x509_cert_info **ret_info);

/* Free cert info; takes NULL, returns NULL. */
struct x509_cert_info *x509_cert_info_free(struct x509_cert_info *info);

/*
 * Verify that cert_pem chains to the CA ca_cert_pem (signature, names, validity
 * now, CA constraints). Returns 0 if it does, -EACCES if it does not, -EINVAL
 * if either PEM is unreadable.
 */
int x509_cert_verify(const char *ca_cert_pem, const char *cert_pem);

/* Whether the private key belongs to the certificate: 1 yes, 0 no, -EINVAL unreadable. */
int x509_key_matches_cert(const char *cert_pem, const char *key_pem);

/* --- secrets (secret.c) --- */

/* Zero and free a secret string (a private key PEM, a decrypted secret); takes and returns NULL. */
char *x509_secret_free(char *secret);

/* Zero len bytes of key material in a way the compiler keeps. */
void x509_cleanse(void *p, size_t len);

/*
 * Encrypt plaintext with AES-256-GCM under key (random 96-bit nonce). Returns 0
 * and a new string "mx1:<base64(nonce|ciphertext|tag)>"; -EIO if OpenSSL fails.
 */
int x509_encrypt_secret(const unsigned char key[X509_MASTER_KEY_LEN], const char *plaintext,
			char **ret_b64);

/*
 * Decrypt a string from x509_encrypt_secret(). Returns 0 and the plaintext
 * (free with x509_secret_free()); -EINVAL if malformed, -EBADMSG if it fails
 * authentication (tampered, or another key).
 */
int x509_decrypt_secret(const unsigned char key[X509_MASTER_KEY_LEN], const char *b64,
			char **ret_plaintext);

/*
 * Read the 32-byte master key at path, or create it (O_CREAT|O_EXCL, mode 0600,
 * random bytes) if absent. Returns 0; -EINVAL if the file is not 32 bytes or
 * not a regular file, -EACCES if group or others may access it, or the open/
 * read/write error. Wipe ret_key with x509_cleanse() after use.
 */
int x509_master_key_load_or_create(const char *path, unsigned char ret_key[X509_MASTER_KEY_LEN]);

/* Lowercase hex SHA-256 of data into out. Returns 0 or -EIO. */
int x509_sha256_hex(const void *data, size_t len, char out[65]);

/* Fill buf with len bytes from the CSPRNG. Returns 0 or -EIO. */
int x509_random_bytes(void *buf, size_t len);

static inline void x509_secret_freep(char **p) { x509_secret_free(*p); }
DEFINE_CLEANUP(struct x509_csr *, x509_csr_free)
DEFINE_CLEANUP(struct x509_cert_info *, x509_cert_info_free)
