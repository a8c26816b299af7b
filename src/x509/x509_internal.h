/*
 * x509_internal.h - helpers shared by the files of src/x509/ (OpenSSL types
 * allowed here, never outside this directory).
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/cleanup.h"
#include "x509/x509.h"

#define X509_CN_MAX		64	/* ub-common-name (RFC 5280) */
#define X509_RSA_MAX_BITS	8192
#define X509_MAX_VALIDITY	36500	/* days */

static inline void xi_exts_free(STACK_OF(X509_EXTENSION) *s)
{
	sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
}

DEFINE_CLEANUP(X509 *, X509_free)
DEFINE_CLEANUP(X509_REQ *, X509_REQ_free)
DEFINE_CLEANUP(X509_NAME *, X509_NAME_free)
DEFINE_CLEANUP(X509_EXTENSION *, X509_EXTENSION_free)
DEFINE_CLEANUP(X509_STORE *, X509_STORE_free)
DEFINE_CLEANUP(X509_STORE_CTX *, X509_STORE_CTX_free)
DEFINE_CLEANUP(EVP_PKEY *, EVP_PKEY_free)
DEFINE_CLEANUP(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
DEFINE_CLEANUP(EVP_CIPHER_CTX *, EVP_CIPHER_CTX_free)
DEFINE_CLEANUP(BIO *, BIO_free_all)
DEFINE_CLEANUP(ASN1_INTEGER *, ASN1_INTEGER_free)
DEFINE_CLEANUP(ASN1_OCTET_STRING *, ASN1_OCTET_STRING_free)
DEFINE_CLEANUP(BIGNUM *, BN_free)
DEFINE_CLEANUP(GENERAL_NAMES *, GENERAL_NAMES_free)
DEFINE_CLEANUP(GENERAL_NAME *, GENERAL_NAME_free)
DEFINE_CLEANUP(BASIC_CONSTRAINTS *, BASIC_CONSTRAINTS_free)
DEFINE_CLEANUP(ASN1_BIT_STRING *, ASN1_BIT_STRING_free)
DEFINE_CLEANUP(EXTENDED_KEY_USAGE *, EXTENDED_KEY_USAGE_free)
DEFINE_CLEANUP(STACK_OF(X509_EXTENSION) *, xi_exts_free)

/* Apply the defaults of struct x509_params and range-check it. 0 or -EINVAL. */
int xi_params_resolve(const struct x509_params *in, struct x509_params *out);
/* Generate a key per resolved params. 0, -EINVAL (unknown curve), -EIO. */
int xi_key_generate(const struct x509_params *p, EVP_PKEY **ret_key);
/* Build a subject of CN (and O if org). 0, -EINVAL, -ENAMETOOLONG (CN > 64 bytes), -ENOMEM. */
int xi_name_build(const char *cn, const char *org, X509_NAME **ret_name);
/* The three together: resolved params, the subject (CN, O if org) and a new key. */
int xi_subject_and_key(const char *cn, const char *org, const struct x509_params *params,
		       struct x509_params *ret_params, X509_NAME **ret_name, EVP_PKEY **ret_key);
/* The first entry nid of name as a new UTF-8 string, *ret NULL if absent. 0, -EINVAL, -ENOMEM. */
int xi_name_get(const X509_NAME *name, int nid, char **ret);

/* PEM output: new malloc'ed, NUL-terminated strings (keys: free with x509_secret_free()). */
int xi_cert_to_pem(X509 *x, char **ret_pem);
int xi_key_to_pem(EVP_PKEY *key, char **ret_pem);
int xi_csr_to_pem(X509_REQ *req, char **ret_pem);
/* PEM input: the first certificate / private key of a string. 0 or -EINVAL. */
int xi_cert_from_pem(const char *pem, X509 **ret_cert);
int xi_key_from_pem(const char *pem, EVP_PKEY **ret_key);

/* A random positive 128-bit serial number. 0 or -EIO. */
int xi_serial_random(ASN1_INTEGER **ret_serial);
/* Encode a v3 extension from OpenSSL's config text ("critical,CA:TRUE"). 0, -EIO. */
int xi_ext_conf(X509 *issuer, X509 *subject, int nid, const char *value,
		X509_EXTENSION **ret_ext);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void xi_hex(const unsigned char *in, size_t n, char *out);

/* Set *ret_error to a new formatted message and return -EINVAL (-ENOMEM if that fails). */
int xi_fail(char **ret_error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The NID a configured extension name stands for (§4.3 names, else OpenSSL's), or NID_undef. */
int xi_ext_nid(const char *name);
/* The §4.3 name of an extension ("cRLDistributionPoints"), else OpenSSL's short name or OID. */
void xi_ext_name(const ASN1_OBJECT *obj, char *buf, size_t size);

/* Apply the default of each zero field of policy (NULL = all defaults) into out. */
void xi_policy_resolve(const struct x509_sign_policy *policy, struct x509_sign_policy *out);
/* The parsed request inside a struct x509_csr (borrowed). */
X509_REQ *xi_csr_req(const struct x509_csr *csr);
/*
 * Run the policy over a CSR and build the extensions its certificate gets
 * (everything except the key identifiers). 0 and a new stack, or -EINVAL and
 * *ret_error, -ENOMEM, -EIO.
 */
int xi_csr_extensions(const struct x509_csr *csr, const struct x509_sign_policy *resolved,
		      STACK_OF(X509_EXTENSION) **ret_exts, char **ret_error);
