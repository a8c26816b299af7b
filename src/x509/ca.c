/*
 * ca.c - the bay CA: creating it, issuing the conductor's and the nodes'
 * certificates, and signing CSRs (bay doc §4.1-§4.2). The only file that
 * handles a CA private key.
 *
 * Deliberate difference from upstream Magnum: every certificate carries a
 * subjectKeyIdentifier, and issued ones an authorityKeyIdentifier, because
 * strict verifiers (OpenSSL's X509_STRICT, as Python >= 3.13 enables by
 * default) refuse chains without them.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>

#include "x509/x509_internal.h"

#define MAX_SERVER_SANS 100

/* A new unsigned v3 certificate for key, valid from a day ago for days days. */
static int
cert_new(const X509_NAME *subject, const X509_NAME *issuer, EVP_PKEY *key, int days,
	 X509 **ret_cert)
{
	_cleanup_(X509_freep) X509 *x = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
	int r;

	r = xi_serial_random(&serial);
	if (r < 0)
		return r;
	x = X509_new();
	if (x == NULL)
		return -ENOMEM;
	if (X509_set_version(x, X509_VERSION_3) != 1 || X509_set_serialNumber(x, serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL ||
	    X509_set_subject_name(x, subject) != 1 || X509_set_issuer_name(x, issuer) != 1 ||
	    X509_set_pubkey(x, key) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	*ret_cert = TAKE_PTR(x);
	return 0;
}

/* Add one extension from OpenSSL's config text, issuer as the context. */
static int
add_conf(X509 *x, X509 *issuer, int nid, const char *value)
{
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	int r;

	r = xi_ext_conf(issuer, x, nid, value, &ext);
	if (r < 0)
		return r;
	if (X509_add_ext(x, ext, -1) != 1) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

/* The key identifiers: subject's from its own key, authority's from the issuer's SKID. */
static int
add_key_ids(X509 *x, X509 *issuer)
{
	int r;

	r = add_conf(x, issuer, NID_subject_key_identifier, "hash");
	if (r < 0)
		return r;
	if (issuer == x)
		return 0;
	return add_conf(x, issuer, NID_authority_key_identifier, "keyid");
}

static int
sign_to_pem(X509 *x, EVP_PKEY *ca_key, char **ret_pem)
{
	if (X509_sign(x, ca_key, EVP_sha256()) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	return xi_cert_to_pem(x, ret_pem);
}

/* Load a CA: the certificate must be a CA and the key must be its key. */
static int
ca_load(const char *cert_pem, const char *key_pem, X509 **ret_cert, EVP_PKEY **ret_key)
{
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	int r;

	r = xi_cert_from_pem(cert_pem, &cert);
	if (r < 0)
		return r;
	r = xi_key_from_pem(key_pem, &key);
	if (r < 0)
		return r;
	if (X509_check_ca(cert) < 1 || X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	*ret_cert = TAKE_PTR(cert);
	*ret_key = TAKE_PTR(key);
	return 0;
}

int
x509_ca_create(const char *cn, const struct x509_params *params, char **ret_cert_pem,
	       char **ret_key_pem)
{
	_cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *x = NULL;
	_cleanup_(x509_secret_freep) char *key_pem = NULL;
	_cleanup_free_ char *cert_pem = NULL;
	struct x509_params p;
	int r;

	r = xi_subject_and_key(cn, NULL, params, &p, &name, &key);
	if (r < 0)
		return r;
	r = cert_new(name, name, key, p.validity_days, &x);
	if (r < 0)
		return r;
	r = add_conf(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
	if (r < 0)
		return r;
	r = add_conf(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (r < 0)
		return r;
	r = add_key_ids(x, x);
	if (r < 0)
		return r;
	r = sign_to_pem(x, key, &cert_pem);
	if (r < 0)
		return r;
	r = xi_key_to_pem(key, &key_pem);
	if (r < 0)
		return r;
	*ret_cert_pem = TAKE_PTR(cert_pem);
	*ret_key_pem = TAKE_PTR(key_pem);
	return 0;
}

/* One SAN for a server certificate: "IP:a", "DNS:n", or a bare address or name. */
static int
san_parse(const char *s, GENERAL_NAME **ret_gen)
{
	_cleanup_(GENERAL_NAME_freep) GENERAL_NAME *gen = NULL;
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING *dns;
	bool want_ip = false, want_dns = false;
	size_t n;

	if (strncasecmp(s, "IP:", 3) == 0) {
		want_ip = true;
		s += 3;
	} else if (strncasecmp(s, "DNS:", 4) == 0) {
		want_dns = true;
		s += 4;
	}
	gen = GENERAL_NAME_new();
	if (gen == NULL)
		return -ENOMEM;
	if (!want_dns) {
		ip = a2i_IPADDRESS(s);
		ERR_clear_error();
		if (ip) {
			GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
			*ret_gen = TAKE_PTR(gen);
			return 0;
		}
		if (want_ip)
			return -EINVAL;
	}
	n = strlen(s);
	if (n == 0 || n > 253)
		return -EINVAL;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '*' ||
		      *c == '_'))
			return -EINVAL;
	dns = ASN1_IA5STRING_new();
	if (dns == NULL)
		return -ENOMEM;
	if (ASN1_STRING_set(dns, s, (int)n) != 1) {
		ASN1_IA5STRING_free(dns);
		return -ENOMEM;
	}
	GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
	*ret_gen = TAKE_PTR(gen);
	return 0;
}

static int
add_sans(X509 *x, const char *const *sans)
{
	_cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	size_t count = 0;
	int r;

	if (sans == NULL || sans[0] == NULL)
		return 0;
	gens = GENERAL_NAMES_new();
	if (gens == NULL)
		return -ENOMEM;
	for (const char *const *s = sans; *s; s++) {
		GENERAL_NAME *gen;

		if (++count > MAX_SERVER_SANS)
			return -EINVAL;
		r = san_parse(*s, &gen);
		if (r < 0)
			return r;
		if (sk_GENERAL_NAME_push(gens, gen) <= 0) {
			GENERAL_NAME_free(gen);
			return -ENOMEM;
		}
	}
	ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, gens);
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		ERR_clear_error();
		return -ENOMEM;
	}
	return 0;
}

/* A leaf key and certificate signed by the CA: the client and server certificates. */
static int
issue_leaf(const char *ca_cert_pem, const char *ca_key_pem, const char *cn, const char *org,
	   const char *const *sans, const char *eku, const struct x509_params *params,
	   char **ret_cert_pem, char **ret_key_pem)
{
	_cleanup_(X509_freep) X509 *ca = NULL, *x = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *ca_key = NULL, *key = NULL;
	_cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
	_cleanup_(x509_secret_freep) char *key_pem = NULL;
	_cleanup_free_ char *cert_pem = NULL;
	struct x509_params p;
	int r;

	r = ca_load(ca_cert_pem, ca_key_pem, &ca, &ca_key);
	if (r < 0)
		return r;
	r = xi_subject_and_key(cn, org, params, &p, &name, &key);
	if (r < 0)
		return r;
	r = cert_new(name, X509_get_subject_name(ca), key, p.validity_days, &x);
	if (r < 0)
		return r;
	r = add_conf(x, ca, NID_basic_constraints, "critical,CA:FALSE");
	if (r < 0)
		return r;
	r = add_conf(x, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
	if (r < 0)
		return r;
	r = add_conf(x, ca, NID_ext_key_usage, eku);
	if (r < 0)
		return r;
	r = add_sans(x, sans);
	if (r < 0)
		return r;
	r = add_key_ids(x, ca);
	if (r < 0)
		return r;
	r = sign_to_pem(x, ca_key, &cert_pem);
	if (r < 0)
		return r;
	r = xi_key_to_pem(key, &key_pem);
	if (r < 0)
		return r;
	*ret_cert_pem = TAKE_PTR(cert_pem);
	*ret_key_pem = TAKE_PTR(key_pem);
	return 0;
}

int
x509_issue_client_cert(const char *ca_cert_pem, const char *ca_key_pem, const char *cn,
		       const char *org, const struct x509_params *params, char **ret_cert_pem,
		       char **ret_key_pem)
{
	return issue_leaf(ca_cert_pem, ca_key_pem, cn ? cn : X509_CONDUCTOR_CN, org, NULL,
			  "clientAuth", params, ret_cert_pem, ret_key_pem);
}

int
x509_issue_server_cert(const char *ca_cert_pem, const char *ca_key_pem, const char *cn,
		       const char *const *sans, const struct x509_params *params,
		       char **ret_cert_pem, char **ret_key_pem)
{
	return issue_leaf(ca_cert_pem, ca_key_pem, cn, NULL, sans, "serverAuth,clientAuth", params,
			  ret_cert_pem, ret_key_pem);
}

int
x509_sign_csr(const char *ca_cert_pem, const char *ca_key_pem, const char *csr, size_t csr_len,
	      const struct x509_sign_policy *policy, char **ret_cert_pem, char **ret_error)
{
	_cleanup_(x509_csr_freep) struct x509_csr *c = NULL;
	_cleanup_(xi_exts_freep) STACK_OF(X509_EXTENSION) *exts = NULL;
	_cleanup_(X509_freep) X509 *ca = NULL, *x = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *ca_key = NULL;
	_cleanup_free_ char *cert_pem = NULL;
	struct x509_sign_policy p;
	X509_REQ *req;
	int r, days;

	xi_policy_resolve(policy, &p);
	r = x509_csr_parse(csr, csr_len, p.max_csr_len, &c, ret_error);
	if (r < 0)
		return r;
	r = xi_csr_extensions(c, &p, &exts, ret_error);
	if (r < 0)
		return r;
	r = ca_load(ca_cert_pem, ca_key_pem, &ca, &ca_key);
	if (r < 0)
		return r;
	req = xi_csr_req(c);
	if (X509_NAME_cmp(X509_REQ_get_subject_name(req), X509_get_subject_name(ca)) == 0)
		return xi_fail(ret_error, "CSR subject must differ from the CA's subject");

	days = p.validity_days < p.max_validity_days ? p.validity_days : p.max_validity_days;
	r = cert_new(X509_REQ_get_subject_name(req), X509_get_subject_name(ca),
		     X509_REQ_get0_pubkey(req), days, &x);
	if (r < 0)
		return r;
	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++)
		if (X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1) != 1) {
			ERR_clear_error();
			return -ENOMEM;
		}
	r = add_key_ids(x, ca);
	if (r < 0)
		return r;
	r = sign_to_pem(x, ca_key, &cert_pem);
	if (r < 0)
		return r;
	*ret_cert_pem = TAKE_PTR(cert_pem);
	return 0;
}
