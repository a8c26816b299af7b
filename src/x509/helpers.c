/* helpers.c - key generation, names, PEM input/output and messages shared by src/x509/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "x509/x509_internal.h"

int
xi_params_resolve(const struct x509_params *in, struct x509_params *out)
{
	static const struct x509_params defaults = {
		.key_type = X509_DEFAULT_KEY_TYPE,
		.rsa_bits = X509_DEFAULT_RSA_BITS,
		.ec_curve = X509_DEFAULT_EC_CURVE,
		.validity_days = X509_DEFAULT_VALIDITY_DAYS,
	};
	struct x509_params p = defaults;

	if (in) {
		if (in->key_type)
			p.key_type = in->key_type;
		if (in->rsa_bits)
			p.rsa_bits = in->rsa_bits;
		if (in->ec_curve)
			p.ec_curve = in->ec_curve;
		if (in->validity_days)
			p.validity_days = in->validity_days;
	}
	if (strcasecmp(p.key_type, "rsa") != 0 && strcasecmp(p.key_type, "ec") != 0)
		return -EINVAL;
	if (p.rsa_bits < X509_DEFAULT_RSA_BITS || p.rsa_bits > X509_RSA_MAX_BITS)
		return -EINVAL;
	if (p.validity_days < 1 || p.validity_days > X509_MAX_VALIDITY)
		return -EINVAL;
	*out = p;
	return 0;
}

/* Our curve names and OpenSSL's group names for them. */
static const struct {
	const char *name, *group;
} curves[] = {
	{ "P-256", "prime256v1" },
	{ "P-384", "secp384r1" },
	{ "P-521", "secp521r1" },
};

int
xi_key_generate(const struct x509_params *p, EVP_PKEY **ret_key)
{
	EVP_PKEY *key;

	if (strcasecmp(p->key_type, "ec") == 0) {
		const char *group = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(curves); i++)
			if (strcasecmp(p->ec_curve, curves[i].name) == 0 ||
			    strcmp(p->ec_curve, curves[i].group) == 0)
				group = curves[i].group;
		if (group == NULL)
			return -EINVAL;
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
	} else {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)p->rsa_bits);
	}
	if (key == NULL) {
		ERR_clear_error();
		return -EIO;
	}
	*ret_key = key;
	return 0;
}

/* A name component we are willing to write: non-empty UTF-8 text without control characters. */
static int
name_text_check(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return -EINVAL;
	if (n > X509_CN_MAX)
		return -ENAMETOOLONG;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -EINVAL;
	return 0;
}

int
xi_name_build(const char *cn, const char *org, X509_NAME **ret_name)
{
	_cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
	int r;

	if (cn == NULL)
		return -EINVAL;
	r = name_text_check(cn);
	if (r < 0)
		return r;
	if (org) {
		r = name_text_check(org);
		if (r < 0)
			return r;
	}
	name = X509_NAME_new();
	if (name == NULL)
		return -ENOMEM;
	if (org && X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
					      (const unsigned char *)org, -1, -1, 0) != 1)
		goto bad;
	if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1, 0) != 1)
		goto bad;
	*ret_name = TAKE_PTR(name);
	return 0;
bad:
	/* OpenSSL refuses text that is not UTF-8 or longer than 64 characters. */
	ERR_clear_error();
	return -EINVAL;
}

int
xi_name_get(const X509_NAME *name, int nid, char **ret)
{
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	char *s;
	int i, n;

	i = X509_NAME_get_index_by_NID(name, nid, -1);
	if (i < 0) {
		*ret = NULL;
		return 0;
	}
	e = X509_NAME_get_entry(name, i);
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (n < 0) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (memchr(utf8, '\0', (size_t)n)) {
		OPENSSL_free(utf8);
		return -EINVAL;
	}
	s = strndup((const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/* Copy a memory BIO's contents into a new string, zeroing nothing (see bio_to_secret). */
static int
bio_to_string(BIO *bio, char **ret)
{
	char *data, *s;
	long n;

	n = BIO_get_mem_data(bio, &data);
	if (n <= 0)
		return -EIO;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return -ENOMEM;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	*ret = s;
	return 0;
}

int
xi_cert_to_pem(X509 *x, char **ret_pem)
{
	_cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		return -ENOMEM;
	if (PEM_write_bio_X509(bio, x) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return bio_to_string(bio, ret_pem);
}

int
xi_csr_to_pem(X509_REQ *req, char **ret_pem)
{
	_cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		return -ENOMEM;
	if (PEM_write_bio_X509_REQ(bio, req) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return bio_to_string(bio, ret_pem);
}

int
xi_key_to_pem(EVP_PKEY *key, char **ret_pem)
{
	/* A memory BIO clears its buffer when it grows and when it is freed. */
	_cleanup_(BIO_free_allp) BIO *bio = BIO_new(BIO_s_secmem());

	if (bio == NULL)
		return -ENOMEM;
	if (PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return bio_to_string(bio, ret_pem);
}

int
xi_cert_from_pem(const char *pem, X509 **ret_cert)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;
	X509 *x;

	if (pem == NULL)
		return -EINVAL;
	bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		return -ENOMEM;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL) {
		ERR_clear_error();
		return -EINVAL;
	}
	*ret_cert = x;
	return 0;
}

/* Refuse to prompt for a passphrase: an encrypted PEM simply fails to load. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

int
xi_key_from_pem(const char *pem, EVP_PKEY **ret_key)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;
	EVP_PKEY *key;

	if (pem == NULL)
		return -EINVAL;
	bio = BIO_new_mem_buf(pem, -1);
	if (bio == NULL)
		return -ENOMEM;
	key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (key == NULL) {
		ERR_clear_error();
		return -EINVAL;
	}
	*ret_key = key;
	return 0;
}

int
xi_serial_random(ASN1_INTEGER **ret_serial)
{
	_cleanup_(BN_freep) BIGNUM *bn = NULL;
	unsigned char buf[16];
	ASN1_INTEGER *serial;

	do {
		if (RAND_bytes(buf, sizeof(buf)) != 1) {
			ERR_clear_error();
			return -EIO;
		}
		bn = BN_bin2bn(buf, sizeof(buf), bn);
		if (bn == NULL)
			return -ENOMEM;
	} while (BN_is_zero(bn));
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	if (serial == NULL)
		return -ENOMEM;
	*ret_serial = serial;
	return 0;
}

int
xi_ext_conf(X509 *issuer, X509 *subject, int nid, const char *value, X509_EXTENSION **ret_ext)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, subject, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (ext == NULL) {
		ERR_clear_error();
		return -EIO;
	}
	*ret_ext = ext;
	return 0;
}

void
xi_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
xi_fail(char **ret_error, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	ERR_clear_error();
	if (ret_error == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	*ret_error = s;
	return -EINVAL;
}

/* The extension names of [x509] allowed_extensions (§4.3), as the spec spells them. */
static const struct {
	const char *name;
	int nid;
} ext_names[] = {
	{ "authorityKeyIdentifier", NID_authority_key_identifier },
	{ "subjectKeyIdentifier", NID_subject_key_identifier },
	{ "authorityInfoAccess", NID_info_access },
	{ "basicConstraints", NID_basic_constraints },
	{ "cRLDistributionPoints", NID_crl_distribution_points },
	{ "certificatePolicies", NID_certificate_policies },
	{ "extendedKeyUsage", NID_ext_key_usage },
	{ "OCSPNoCheck", NID_id_pkix_OCSP_noCheck },
	{ "inhibitAnyPolicy", NID_inhibit_any_policy },
	{ "keyUsage", NID_key_usage },
	{ "nameConstraints", NID_name_constraints },
	{ "subjectAltName", NID_subject_alt_name },
	{ "issuerAltName", NID_issuer_alt_name },
};

bool
x509_extension_name_valid(const char *name)
{
	if (name == NULL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(ext_names); i++)
		if (strcasecmp(name, ext_names[i].name) == 0)
			return true;
	return false;
}

int
xi_ext_nid(const char *name)
{
	int nid;

	for (size_t i = 0; i < ARRAY_SIZE(ext_names); i++)
		if (strcasecmp(name, ext_names[i].name) == 0)
			return ext_names[i].nid;
	nid = OBJ_sn2nid(name);
	if (nid == NID_undef)
		nid = OBJ_ln2nid(name);
	return nid;
}

void
xi_ext_name(const ASN1_OBJECT *obj, char *buf, size_t size)
{
	int nid = OBJ_obj2nid(obj);

	for (size_t i = 0; i < ARRAY_SIZE(ext_names); i++)
		if (nid == ext_names[i].nid) {
			snprintf(buf, size, "%s", ext_names[i].name);
			return;
		}
	if (nid != NID_undef) {
		snprintf(buf, size, "%s", OBJ_nid2sn(nid));
		return;
	}
	if (OBJ_obj2txt(buf, (int)size, obj, 1) <= 0) {
		ERR_clear_error();
		snprintf(buf, size, "unknown");
	}
}

int
xi_subject_and_key(const char *cn, const char *org, const struct x509_params *params,
		   struct x509_params *ret_params, X509_NAME **ret_name, EVP_PKEY **ret_key)
{
	int r;

	r = xi_params_resolve(params, ret_params);
	if (r < 0)
		return r;
	r = xi_name_build(cn, org, ret_name);
	if (r < 0)
		return r;
	return xi_key_generate(ret_params, ret_key);
}
