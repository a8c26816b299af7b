/*
 * test_x509.c - the bay PKI: CA and issued certificates (read back through
 * x509_cert_info and, independently, through OpenSSL), the CSR signing policy,
 * secrets at rest and the master key file.
 *
 * CSRs with unusual contents (weak keys, chosen extensions, a signature by
 * another key) are built here with OpenSSL directly: the module under test
 * never produces them.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/cleanup.h"
#include "x509/x509.h"

#define DAY 86400

static char *ca_cert, *ca_key;		/* "bay-one", RSA 2048 */
static char *ca2_cert, *ca2_key;	/* "bay-two", EC P-256 */

/* --- helpers --- */

static EVP_PKEY *
gen_key(const char *type, const char *arg)
{
	EVP_PKEY *k;

	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)strtoul(arg, NULL, 10));
	else if (strcmp(type, "EC") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", arg);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	assert_non_null(k);
	return k;
}

struct ext_spec {
	int nid;
	const char *value;	/* OpenSSL config text, "critical," prefix for critical */
};

/*
 * A PEM CSR for key with subject CN = cn and the extensions exts (nid 0
 * terminates), signed by sign_key (NULL: key) with md (NULL: SHA-256, or
 * none for key types that take no digest).
 */
static char *
csr_build(EVP_PKEY *key, EVP_PKEY *sign_key, const char *cn, const struct ext_spec *exts,
	  const EVP_MD *md)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *sk = sk_X509_EXTENSION_new_null();
	X509_NAME *name = X509_NAME_new();
	BIO *bio = BIO_new(BIO_s_mem());
	X509V3_CTX ctx;
	char *data, *pem;
	long n;
	bool digest = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ||
		      EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ||
		      EVP_PKEY_get_base_id(key) == EVP_PKEY_DSA;

	assert_non_null(req);
	assert_non_null(sk);
	assert_non_null(name);
	assert_non_null(bio);
	assert_int_equal(X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_REQ_set_subject_name(req, name), 1);
	assert_int_equal(X509_REQ_set_pubkey(req, key), 1);
	X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
	for (const struct ext_spec *e = exts; e && e->nid; e++) {
		X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, e->nid, e->value);

		assert_non_null(ext);
		sk_X509_EXTENSION_push(sk, ext);
	}
	if (sk_X509_EXTENSION_num(sk) > 0)
		assert_int_equal(X509_REQ_add_extensions(req, sk), 1);
	assert_true(X509_REQ_sign(req, sign_key ? sign_key : key,
				  digest ? (md ? md : EVP_sha256()) : NULL) > 0);
	assert_int_equal(PEM_write_bio_X509_REQ(bio, req), 1);
	n = BIO_get_mem_data(bio, &data);
	pem = strndup(data, (size_t)n);
	assert_non_null(pem);
	BIO_free(bio);
	X509_NAME_free(name);
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	X509_REQ_free(req);
	return pem;
}

/* A CSR for a fresh key of type/arg. */
static char *
csr_new(const char *type, const char *arg, const char *cn, const struct ext_spec *exts)
{
	EVP_PKEY *k = gen_key(type, arg);
	char *pem = csr_build(k, NULL, cn, exts, NULL);

	EVP_PKEY_free(k);
	return pem;
}

/* Sign expecting success under policy; returns the certificate's info. */
static struct x509_cert_info *
sign_ok(const char *csr, const struct x509_sign_policy *policy)
{
	_cleanup_free_ char *pem = NULL, *msg = NULL;
	struct x509_cert_info *info = NULL;
	int r;

	r = x509_sign_csr(ca_cert, ca_key, csr, strlen(csr), policy, &pem, &msg);
	if (r != 0)
		fail_msg("signing failed: %d %s", r, msg ? msg : "(no message)");
	assert_null(msg);
	assert_int_equal(x509_cert_verify(ca_cert, pem), 0);
	assert_int_equal(x509_cert_info_parse(pem, &info), 0);
	return info;
}

/* Sign expecting a refusal whose message is exactly want. */
static void
sign_refused(const char *csr, size_t len, const struct x509_sign_policy *policy,
	     const char *want)
{
	_cleanup_free_ char *pem = NULL, *msg = NULL;

	assert_int_equal(x509_sign_csr(ca_cert, ca_key, csr, len, policy, &pem, &msg), -EINVAL);
	assert_null(pem);
	assert_non_null(msg);
	if (strcmp(msg, want) != 0)
		fail_msg("message '%s', expected '%s'", msg, want);
}

static const struct x509_ext_info *
ext_find(const struct x509_cert_info *info, const char *name)
{
	for (size_t i = 0; i < info->n_exts; i++)
		if (strcmp(info->exts[i].name, name) == 0)
			return &info->exts[i];
	return NULL;
}

static X509 *
pem_to_x509(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	BIO_free(bio);
	assert_non_null(x);
	return x;
}

static void
assert_near(time_t got, time_t want)
{
	if (got < want - 120 || got > want + 120)
		fail_msg("time %lld, expected about %lld", (long long)got, (long long)want);
}

/* --- CA and issued certificates --- */

static void
test_ca_properties(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	const struct x509_ext_info *e;
	time_t now = time(NULL);
	X509 *x;

	(void)state;
	assert_int_equal(x509_cert_info_parse(ca_cert, &info), 0);
	assert_string_equal(info->subject_cn, "bay-one");
	assert_string_equal(info->issuer_cn, "bay-one");
	assert_null(info->subject_org);
	assert_true(info->is_ca);
	assert_int_equal(info->path_len, 0);
	assert_true(info->self_signed);
	assert_true(info->has_key_usage);
	assert_int_equal(info->key_usage, X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN);
	assert_int_equal(info->ext_key_usage, 0);
	assert_string_equal(info->key_type, "rsa");
	assert_int_equal(info->key_bits, 2048);
	assert_int_equal(info->n_sans, 0);
	assert_null(info->sans[0]);
	assert_near(info->not_before, now - DAY);
	assert_near(info->not_after, now + 1825L * DAY);
	assert_true(strlen(info->serial_hex) >= 16 && strlen(info->serial_hex) <= 32);
	assert_int_equal(strlen(info->fingerprint), 64);

	e = ext_find(info, "basicConstraints");
	assert_non_null(e);
	assert_true(e->critical);
	e = ext_find(info, "keyUsage");
	assert_non_null(e);
	assert_true(e->critical);
	assert_non_null(ext_find(info, "subjectKeyIdentifier"));
	assert_null(ext_find(info, "extendedKeyUsage"));

	/* Independently of the module: version 3, SHA-256, subject only a CN. */
	x = pem_to_x509(ca_cert);
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(X509_get_signature_nid(x), NID_sha256WithRSAEncryption);
	assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 1);
	{
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

		assert_true(BN_num_bits(bn) > 64);
		BN_free(bn);
	}
	X509_free(x);

	assert_int_equal(x509_key_matches_cert(ca_cert, ca_key), 1);
	assert_int_equal(x509_key_matches_cert(ca2_cert, ca_key), 0);
	assert_int_equal(x509_cert_verify(ca_cert, ca_cert), 0);
	assert_int_equal(x509_cert_verify(ca_cert, ca2_cert), -EACCES);
	assert_non_null(strstr(ca_key, "-----BEGIN PRIVATE KEY-----"));
}

static void
test_ca_serials_differ(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(x509_cert_info_parse(ca_cert, &a), 0);
	assert_int_equal(x509_cert_info_parse(ca2_cert, &b), 0);
	assert_string_not_equal(a->serial_hex, b->serial_hex);
	assert_string_equal(b->key_type, "ec");
	assert_int_equal(b->key_bits, 256);
}

static void
test_ca_params(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *cert = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	char longname[80];
	struct x509_params p = { .key_type = "ec", .ec_curve = "P-384", .validity_days = 10 };
	X509 *x;

	(void)state;
	assert_int_equal(x509_ca_create("ec-bay", &p, &cert, &key), 0);
	assert_int_equal(x509_cert_info_parse(cert, &info), 0);
	assert_string_equal(info->key_type, "ec");
	assert_int_equal(info->key_bits, 384);
	assert_near(info->not_after, time(NULL) + 10L * DAY);
	x = pem_to_x509(cert);
	assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	X509_free(x);

	memset(longname, 'a', 65);
	longname[65] = '\0';
	assert_int_equal(x509_ca_create(longname, NULL, &cert, &key), -ENAMETOOLONG);
	assert_int_equal(x509_ca_create(NULL, NULL, &cert, &key), -EINVAL);
	assert_int_equal(x509_ca_create("", NULL, &cert, &key), -EINVAL);
	assert_int_equal(x509_ca_create("bad\nname", NULL, &cert, &key), -EINVAL);
	p = (struct x509_params){ .rsa_bits = 1024 };
	assert_int_equal(x509_ca_create("x", &p, &cert, &key), -EINVAL);
	p = (struct x509_params){ .key_type = "dsa" };
	assert_int_equal(x509_ca_create("x", &p, &cert, &key), -EINVAL);
	p = (struct x509_params){ .key_type = "ec", .ec_curve = "P-192" };
	assert_int_equal(x509_ca_create("x", &p, &cert, &key), -EINVAL);
	p = (struct x509_params){ .validity_days = -1 };
	assert_int_equal(x509_ca_create("x", &p, &cert, &key), -EINVAL);
}

static void
test_client_cert(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *cert = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	const struct x509_ext_info *e;

	(void)state;
	assert_int_equal(x509_issue_client_cert(ca_cert, ca_key, NULL, "system:masters", NULL,
						&cert, &key), 0);
	assert_int_equal(x509_cert_info_parse(cert, &info), 0);
	assert_string_equal(info->subject_cn, X509_CONDUCTOR_CN);
	assert_string_equal(info->subject_org, "system:masters");
	assert_string_equal(info->issuer_cn, "bay-one");
	assert_false(info->is_ca);
	assert_false(info->self_signed);
	assert_int_equal(info->key_usage, X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT);
	assert_int_equal(info->ext_key_usage, X509_EKU_CLIENT_AUTH);
	assert_string_equal(info->key_type, "rsa");
	assert_int_equal(info->key_bits, 2048);
	assert_near(info->not_before, time(NULL) - DAY);
	assert_near(info->not_after, time(NULL) + 1825L * DAY);
	e = ext_find(info, "basicConstraints");
	assert_non_null(e);
	assert_true(e->critical);
	e = ext_find(info, "keyUsage");
	assert_non_null(e);
	assert_true(e->critical);
	e = ext_find(info, "extendedKeyUsage");
	assert_non_null(e);
	assert_false(e->critical);
	assert_non_null(ext_find(info, "authorityKeyIdentifier"));
	assert_int_equal(x509_cert_verify(ca_cert, cert), 0);
	assert_int_equal(x509_cert_verify(ca2_cert, cert), -EACCES);
	assert_int_equal(x509_key_matches_cert(cert, key), 1);
	assert_int_equal(x509_key_matches_cert(cert, ca_key), 0);

	/* A CA key that is not the CA certificate's, and a leaf used as a CA. */
	assert_int_equal(x509_issue_client_cert(ca_cert, ca2_key, NULL, NULL, NULL, &cert, &key),
			 -EINVAL);
	assert_int_equal(x509_issue_client_cert(cert, key, NULL, NULL, NULL, &cert, &key),
			 -EINVAL);
	assert_int_equal(x509_issue_client_cert("garbage", ca_key, NULL, NULL, NULL, &cert, &key),
			 -EINVAL);
}

static void
test_server_cert(void **state)
{
	static const char *const sans[] = { "10.0.0.5", "DNS:api.example.com", "IP:fd00::1",
					    "bay.local", NULL };
	static const char *const bad_ip[] = { "IP:not-an-ip", NULL };
	static const char *const bad_dns[] = { "bad name", NULL };
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *cert = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	struct x509_params ec = { .key_type = "ec" };

	(void)state;
	assert_int_equal(x509_issue_server_cert(ca2_cert, ca2_key, "kube-apiserver", sans, &ec,
						&cert, &key), 0);
	assert_int_equal(x509_cert_info_parse(cert, &info), 0);
	assert_string_equal(info->subject_cn, "kube-apiserver");
	assert_string_equal(info->issuer_cn, "bay-two");
	assert_false(info->is_ca);
	assert_int_equal(info->ext_key_usage, X509_EKU_SERVER_AUTH | X509_EKU_CLIENT_AUTH);
	assert_int_equal(info->key_usage, X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT);
	assert_int_equal(info->n_sans, 4);
	assert_string_equal(info->sans[0], "IP:10.0.0.5");
	assert_string_equal(info->sans[1], "DNS:api.example.com");
	assert_string_equal(info->sans[2], "IP:fd00::1");
	assert_string_equal(info->sans[3], "DNS:bay.local");
	assert_null(info->sans[4]);
	assert_string_equal(info->key_type, "ec");
	assert_int_equal(x509_cert_verify(ca2_cert, cert), 0);
	assert_int_equal(x509_cert_verify(ca_cert, cert), -EACCES);

	assert_int_equal(x509_issue_server_cert(ca_cert, ca_key, "s", bad_ip, NULL, &cert, &key),
			 -EINVAL);
	assert_int_equal(x509_issue_server_cert(ca_cert, ca_key, "s", bad_dns, NULL, &cert, &key),
			 -EINVAL);
}

/* --- CSR signing --- */

static void
test_sign_valid_csr(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *csr = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	const struct x509_ext_info *e;

	(void)state;
	assert_int_equal(x509_make_csr("Magnum User", "ops", NULL, &csr, &key), 0);
	assert_non_null(strstr(csr, "BEGIN CERTIFICATE REQUEST"));
	info = sign_ok(csr, NULL);
	assert_string_equal(info->subject_cn, "Magnum User");
	assert_string_equal(info->subject_org, "ops");
	assert_string_equal(info->issuer_cn, "bay-one");
	assert_false(info->is_ca);
	assert_int_equal(info->ext_key_usage, X509_EKU_CLIENT_AUTH);
	assert_false(info->has_key_usage);	/* none requested, none added */
	e = ext_find(info, "basicConstraints");
	assert_non_null(e);
	assert_true(e->critical);
	assert_non_null(ext_find(info, "subjectKeyIdentifier"));
	assert_non_null(ext_find(info, "authorityKeyIdentifier"));
	assert_near(info->not_before, time(NULL) - DAY);
	assert_near(info->not_after, time(NULL) + 1825L * DAY);
}

static void
test_sign_copies_allowed_extensions(void **state)
{
	static const struct ext_spec exts[] = {
		{ NID_key_usage, "critical,digitalSignature,keyEncipherment" },
		{ NID_subject_alt_name, "DNS:node-0.example,IP:192.0.2.7,email:a@example.com" },
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_subject_key_identifier, "hash" },
		{ 0, NULL },
	};
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *csr = csr_new("RSA", "2048", "node-0", exts);

	(void)state;
	info = sign_ok(csr, NULL);
	assert_true(info->has_key_usage);
	assert_int_equal(info->key_usage, X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT);
	assert_true(ext_find(info, "keyUsage")->critical);
	assert_true(ext_find(info, "basicConstraints")->critical);
	assert_int_equal(info->n_sans, 3);
	assert_string_equal(info->sans[0], "DNS:node-0.example");
	assert_string_equal(info->sans[1], "IP:192.0.2.7");
	assert_string_equal(info->sans[2], "email:a@example.com");
	assert_int_equal(info->ext_key_usage, X509_EKU_CLIENT_AUTH);
}

static void
test_sign_ca_true(void **state)
{
	static const struct ext_spec crit[] = { { NID_basic_constraints, "critical,CA:TRUE" },
						{ 0, NULL } };
	static const struct ext_spec noncrit[] = { { NID_basic_constraints, "CA:TRUE,pathlen:3" },
						   { 0, NULL } };
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *a = csr_new("EC", "P-256", "user", crit);
	_cleanup_free_ char *b = csr_new("EC", "P-256", "user", noncrit);
	const struct x509_ext_info *e;

	(void)state;
	sign_refused(a, strlen(a), NULL,
		     "CA certificates are not allowed (critical basicConstraints CA:TRUE)");
	info = sign_ok(b, NULL);
	assert_false(info->is_ca);
	e = ext_find(info, "basicConstraints");
	assert_non_null(e);
	assert_false(e->critical);
}

static void
test_sign_disallowed_extension(void **state)
{
	static const struct ext_spec crit[] = {
		{ NID_name_constraints, "critical,permitted;DNS:example.com" }, { 0, NULL } };
	static const struct ext_spec noncrit[] = {
		{ NID_name_constraints, "permitted;DNS:example.com" },
		{ NID_crl_distribution_points, "URI:http://example.com/crl" },
		{ 0, NULL } };
	static const struct ext_spec crl_crit[] = {
		{ NID_crl_distribution_points, "critical,URI:http://example.com/crl" },
		{ 0, NULL } };
	static const char *const only_ku[] = { "keyUsage", NULL };
	static const struct ext_spec san[] = { { NID_subject_alt_name, "DNS:x.example" },
					       { 0, NULL } };
	static const struct ext_spec san_crit[] = {
		{ NID_subject_alt_name, "critical,DNS:x.example" }, { 0, NULL } };
	struct x509_sign_policy narrow = { .allowed_extensions = only_ku };
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL, *info2 = NULL;
	_cleanup_free_ char *a = csr_new("EC", "P-256", "user", crit);
	_cleanup_free_ char *b = csr_new("EC", "P-256", "user", noncrit);
	_cleanup_free_ char *c = csr_new("EC", "P-256", "user", crl_crit);
	_cleanup_free_ char *d = csr_new("EC", "P-256", "user", san);
	_cleanup_free_ char *f = csr_new("EC", "P-256", "user", san_crit);

	(void)state;
	sign_refused(a, strlen(a), NULL, "Extension 'nameConstraints' not allowed");
	sign_refused(c, strlen(c), NULL, "Extension 'cRLDistributionPoints' not allowed");
	info = sign_ok(b, NULL);
	assert_null(ext_find(info, "nameConstraints"));
	assert_null(ext_find(info, "crlDistributionPoints"));

	/* A narrower list: the SAN goes when not critical, is refused when critical. */
	info2 = sign_ok(d, &narrow);
	assert_int_equal(info2->n_sans, 0);
	sign_refused(f, strlen(f), &narrow, "Extension 'subjectAltName' not allowed");
}

static void
test_sign_key_usage_policy(void **state)
{
	static const struct ext_spec crit[] = {
		{ NID_key_usage, "critical,digitalSignature,keyCertSign" }, { 0, NULL } };
	static const struct ext_spec noncrit[] = {
		{ NID_key_usage, "digitalSignature,keyCertSign,cRLSign,dataEncipherment" },
		{ 0, NULL } };
	static const struct ext_spec only_bad[] = { { NID_key_usage, "keyCertSign" },
						    { 0, NULL } };
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL, *info2 = NULL;
	_cleanup_free_ char *a = csr_new("EC", "P-256", "user", crit);
	_cleanup_free_ char *b = csr_new("EC", "P-256", "user", noncrit);
	_cleanup_free_ char *c = csr_new("EC", "P-256", "user", only_bad);
	struct x509_sign_policy allow_ca = { .allow_ca = true,
					     .allowed_key_usage = X509_KU_DEFAULT |
								  X509_KU_KEY_CERT_SIGN };

	(void)state;
	sign_refused(a, strlen(a), NULL, "Key usage 'Certificate Sign' not allowed");
	info = sign_ok(b, NULL);
	assert_int_equal(info->key_usage, X509_KU_DIGITAL_SIGNATURE);
	info2 = sign_ok(c, NULL);
	assert_false(info2->has_key_usage);	/* nothing left: dropped */
	x509_cert_info_free(info2);
	info2 = NULL;

	/* allow_ca and an allowed Certificate Sign: kept. */
	info2 = sign_ok(a, &allow_ca);
	assert_int_equal(info2->key_usage, X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_CERT_SIGN);
}

static void
test_sign_ext_key_usage(void **state)
{
	static const struct ext_spec server[] = { { NID_ext_key_usage, "serverAuth" },
						  { 0, NULL } };
	static const struct ext_spec both[] = { { NID_ext_key_usage, "serverAuth,clientAuth" },
						{ 0, NULL } };
	static const struct ext_spec code_crit[] = {
		{ NID_ext_key_usage, "critical,clientAuth,codeSigning" }, { 0, NULL } };
	struct x509_sign_policy servers = { .allow_server_auth = true };
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *i1 = NULL, *i2 = NULL, *i3 = NULL;
	_cleanup_free_ char *a = csr_new("EC", "P-256", "node", server);
	_cleanup_free_ char *b = csr_new("EC", "P-256", "node", both);
	_cleanup_free_ char *c = csr_new("EC", "P-256", "node", code_crit);

	(void)state;
	i1 = sign_ok(a, NULL);
	assert_int_equal(i1->ext_key_usage, X509_EKU_CLIENT_AUTH);	/* client only */
	i2 = sign_ok(b, &servers);
	assert_int_equal(i2->ext_key_usage, X509_EKU_SERVER_AUTH | X509_EKU_CLIENT_AUTH);
	i3 = sign_ok(a, &servers);
	assert_int_equal(i3->ext_key_usage, X509_EKU_SERVER_AUTH);
	sign_refused(c, strlen(c), NULL, "Extended key usage 'codeSigning' not allowed");
}

static void
test_sign_weak_keys(void **state)
{
	_cleanup_free_ char *rsa1024 = csr_new("RSA", "1024", "weak", NULL);
	_cleanup_free_ char *p224 = csr_new("EC", "P-224", "weak", NULL);
	_cleanup_free_ char *k1 = csr_new("EC", "secp256k1", "odd", NULL);
	_cleanup_free_ char *ed = csr_new("ED25519", NULL, "ed", NULL);
	struct x509_sign_policy lax = { .min_rsa_bits = 1024 };
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;

	(void)state;
	sign_refused(rsa1024, strlen(rsa1024), NULL,
		     "RSA key of 1024 bits is too weak (minimum 2048)");
	sign_refused(p224, strlen(p224), NULL, "EC key of 224 bits is too weak (minimum 256)");
	sign_refused(k1, strlen(k1), NULL, "EC curve secp256k1 is not allowed");
	sign_refused(ed, strlen(ed), NULL, "Key type ED25519 is not allowed");
	info = sign_ok(rsa1024, &lax);	/* the minimum is the policy's */
	assert_int_equal(info->key_bits, 1024);
}

static void
test_sign_dsa_refused(void **state)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "DSA", NULL);
	EVP_PKEY *params = NULL, *key = NULL;
	EVP_PKEY_CTX *kctx;
	char *csr;

	(void)state;
	assert_non_null(pctx);
	assert_int_equal(EVP_PKEY_paramgen_init(pctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx, 1024), 1);
	assert_int_equal(EVP_PKEY_paramgen(pctx, &params), 1);
	kctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	assert_int_equal(EVP_PKEY_keygen_init(kctx), 1);
	assert_int_equal(EVP_PKEY_keygen(kctx, &key), 1);
	csr = csr_build(key, NULL, "dsa", NULL, NULL);
	sign_refused(csr, strlen(csr), NULL, "DSA keys are not allowed");
	free(csr);
	EVP_PKEY_free(key);
	EVP_PKEY_free(params);
	EVP_PKEY_CTX_free(kctx);
	EVP_PKEY_CTX_free(pctx);
}

static void
test_sign_ec_p256(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_free_ char *csr = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	struct x509_params ec = { .key_type = "ec", .ec_curve = "P-256" };

	(void)state;
	assert_int_equal(x509_make_csr("ec-user", NULL, &ec, &csr, &key), 0);
	info = sign_ok(csr, NULL);
	assert_string_equal(info->key_type, "ec");
	assert_int_equal(info->key_bits, 256);
	assert_string_equal(info->subject_cn, "ec-user");
}

static void
test_sign_garbage(void **state)
{
	static const char half[] = "-----BEGIN CERTIFICATE REQUEST-----\nMIIBIjANBgkqhkiG9w0B\n";
	_cleanup_free_ char *csr = NULL, *trunc = NULL, *two = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	char *p;

	(void)state;
	sign_refused("invalid_csr", 11, NULL, "CSR is not a PEM-encoded CERTIFICATE REQUEST");
	sign_refused("", 0, NULL, "CSR is empty");
	sign_refused(half, strlen(half), NULL, "CSR is not a PEM-encoded CERTIFICATE REQUEST");
	sign_refused(ca_cert, strlen(ca_cert), NULL,
		     "Input is a certificate, not a certificate request");
	sign_refused(ca_key, strlen(ca_key), NULL, "PEM block is not a CERTIFICATE REQUEST");

	assert_int_equal(x509_make_csr("user", NULL, NULL, &csr, &key), 0);
	/* Cut the base64 in the middle but keep the armour: not valid DER. */
	p = strstr(csr, "-----END");
	assert_non_null(p);
	assert_true(asprintf(&trunc, "-----BEGIN CERTIFICATE REQUEST-----\n%.64s\n%s",
			     csr + strlen("-----BEGIN CERTIFICATE REQUEST-----\n"), p) > 0);
	sign_refused(trunc, strlen(trunc), NULL, "CSR is not a valid DER certificate request");
	/* Without the end line at all. */
	sign_refused(csr, (size_t)(p - csr), NULL, "CSR is not a PEM-encoded CERTIFICATE REQUEST");
	assert_true(asprintf(&two, "%s%s", csr, csr) > 0);
	sign_refused(two, strlen(two), NULL, "CSR input contains more than one PEM block");
}

static void
test_sign_tampered(void **state)
{
	EVP_PKEY *k1 = gen_key("EC", "P-256"), *k2 = gen_key("EC", "P-256");
	char *csr = csr_build(k1, k2, "mallory", NULL, NULL);
	_cleanup_free_ char *good = NULL, *der_flip = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	unsigned char der[4096], *p = der;
	BIO *bio;
	X509_REQ *req;
	int n;

	(void)state;
	sign_refused(csr, strlen(csr), NULL, "CSR signature does not verify");
	free(csr);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);

	/* Change one byte of the subject of a genuine CSR. */
	assert_int_equal(x509_make_csr("alice", NULL, NULL, &good, &key), 0);
	bio = BIO_new_mem_buf(good, -1);
	req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(req);
	n = i2d_X509_REQ(req, &p);
	X509_REQ_free(req);
	assert_true(n > 0);
	p = memmem(der, (size_t)n, "alice", 5);
	assert_non_null(p);
	p[0] = 'A';
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio(bio, "CERTIFICATE REQUEST", "", der, n) > 0);
	{
		char *data;
		long len = BIO_get_mem_data(bio, &data);

		der_flip = strndup(data, (size_t)len);
	}
	BIO_free(bio);
	sign_refused(der_flip, strlen(der_flip), NULL, "CSR signature does not verify");
}

static void
test_sign_weak_hash(void **state)
{
	EVP_PKEY *k = gen_key("EC", "P-256");
	char *csr = csr_build(k, NULL, "old", NULL, EVP_sha1());

	(void)state;
	sign_refused(csr, strlen(csr), NULL, "CSR is signed with the weak hash SHA1");
	free(csr);
	EVP_PKEY_free(k);
}

static void
test_sign_oversized(void **state)
{
	_cleanup_free_ char *csr = NULL, *big = NULL;
	_cleanup_(x509_secret_freep) char *key = NULL;
	struct x509_sign_policy small = { .max_csr_len = 100 };
	size_t n;

	(void)state;
	assert_int_equal(x509_make_csr("user", NULL, NULL, &csr, &key), 0);
	n = strlen(csr);
	big = malloc(20000);
	assert_non_null(big);
	memset(big, '\n', 20000);
	memcpy(big, csr, n);
	sign_refused(big, 20000, NULL, "CSR is larger than 16384 bytes");
	sign_refused(big, 16385, NULL, "CSR is larger than 16384 bytes");
	sign_refused(csr, n, &small, "CSR is larger than 100 bytes");
	/* Trailing newlines within the limit are fine. */
	x509_cert_info_free(sign_ok(csr, NULL));
}

static void
test_sign_validity(void **state)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *a = NULL, *b = NULL;
	_cleanup_free_ char *csr = csr_new("EC", "P-256", "user", NULL);
	struct x509_sign_policy capped = { .validity_days = 3650, .max_validity_days = 30 };
	struct x509_sign_policy shorter = { .validity_days = 7, .max_validity_days = 30 };

	(void)state;
	a = sign_ok(csr, &capped);
	assert_near(a->not_after, time(NULL) + 30L * DAY);
	b = sign_ok(csr, &shorter);
	assert_near(b->not_after, time(NULL) + 7L * DAY);
}

static void
test_sign_san_rules(void **state)
{
	static const struct ext_spec uri[] = {
		{ NID_subject_alt_name, "DNS:ok.example,URI:spiffe://x/y" }, { 0, NULL } };
	struct ext_spec many[2] = { { NID_subject_alt_name, NULL }, { 0, NULL } };
	char buf[70 * 24], *p = buf;
	_cleanup_free_ char *a = csr_new("EC", "P-256", "user", uri);
	_cleanup_free_ char *c = NULL;
	struct x509_sign_policy more = { .max_sans = 100 };

	(void)state;
	sign_refused(a, strlen(a), NULL, "subjectAltName entries of type URI are not allowed");
	for (int i = 0; i < 70; i++)
		p += snprintf(p, sizeof(buf) - (size_t)(p - buf), "%sDNS:n%d.example",
			      i ? "," : "", i);
	many[0].value = buf;
	c = csr_new("EC", "P-256", "user", many);
	sign_refused(c, strlen(c), NULL, "CSR has 70 subjectAltName entries (maximum 64)");
	x509_cert_info_free(sign_ok(c, &more));
}

static void
test_sign_subject_rules(void **state)
{
	static const char *const forbidden[] = { "admin", "system:masters", NULL };
	struct x509_sign_policy p = { .forbidden_cns = forbidden };
	_cleanup_free_ char *a = csr_new("EC", "P-256", "Admin", NULL);
	_cleanup_free_ char *b = csr_new("EC", "P-256", "bay-one", NULL);
	_cleanup_free_ char *c = csr_new("EC", "P-256", "someone", NULL);

	(void)state;
	sign_refused(a, strlen(a), &p, "Common name 'admin' is not allowed");
	sign_refused(b, strlen(b), NULL, "CSR subject must differ from the CA's subject");
	x509_cert_info_free(sign_ok(c, &p));
}

static void
test_sign_duplicate_extension(void **state)
{
	static const struct ext_spec dup[] = { { NID_key_usage, "digitalSignature" },
					       { NID_key_usage, "keyEncipherment" },
					       { 0, NULL } };
	_cleanup_free_ char *a = csr_new("EC", "P-256", "user", dup);

	(void)state;
	sign_refused(a, strlen(a), NULL, "Extension 'keyUsage' appears more than once");
}

static void
test_csr_parse_and_check(void **state)
{
	static const struct ext_spec crit[] = {
		{ NID_name_constraints, "critical,permitted;DNS:example.com" }, { 0, NULL } };
	_cleanup_(x509_csr_freep) struct x509_csr *csr = NULL, *csr2 = NULL;
	_cleanup_free_ char *pem = NULL, *msg = NULL, *bad = csr_new("EC", "P-256", "nc", crit);
	_cleanup_(x509_secret_freep) char *key = NULL;

	(void)state;
	assert_int_equal(x509_make_csr("parsed", NULL, NULL, &pem, &key), 0);
	assert_int_equal(x509_csr_parse(pem, strlen(pem), 0, &csr, &msg), 0);
	assert_null(msg);
	assert_string_equal(x509_csr_subject_cn(csr), "parsed");
	assert_int_equal(x509_csr_check(csr, NULL, &msg), 0);
	assert_null(msg);

	assert_int_equal(x509_csr_parse(bad, strlen(bad), 0, &csr2, &msg), 0);
	assert_int_equal(x509_csr_check(csr2, NULL, &msg), -EINVAL);
	assert_string_equal(msg, "Extension 'nameConstraints' not allowed");
	free(msg);
	msg = NULL;

	assert_int_equal(x509_csr_parse("junk", 4, 0, &csr2, &msg), -EINVAL);
	assert_non_null(msg);
	assert_null(x509_csr_free(NULL));
}

static void
test_config_helpers(void **state)
{
	unsigned mask = 0;

	(void)state;
	assert_int_equal(x509_key_usage_parse("Digital Signature, Key Encipherment, "
					      "Non Repudiation", &mask), 0);
	assert_int_equal(mask, X509_KU_DEFAULT);
	assert_int_equal(x509_key_usage_parse("keyCertSign,CRL Sign , decipherOnly", &mask), 0);
	assert_int_equal(mask, X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN | X509_KU_DECIPHER_ONLY);
	assert_int_equal(x509_key_usage_parse("Certificate Sign", &mask), 0);
	assert_int_equal(mask, X509_KU_KEY_CERT_SIGN);
	assert_int_equal(x509_key_usage_parse("Digital Signature, Bogus", &mask), -EINVAL);
	assert_int_equal(x509_key_usage_parse("", &mask), -EINVAL);
	assert_int_equal(x509_key_usage_parse(" , ", &mask), -EINVAL);

	assert_true(x509_extension_name_valid("nameConstraints"));
	assert_true(x509_extension_name_valid("OCSPNoCheck"));
	assert_true(x509_extension_name_valid("cRLDistributionPoints"));
	assert_false(x509_extension_name_valid("tlsFeature"));
	assert_false(x509_extension_name_valid(NULL));
}

static void
test_cert_info_errors(void **state)
{
	struct x509_cert_info *info = NULL;

	(void)state;
	assert_int_equal(x509_cert_info_parse("not a cert", &info), -EINVAL);
	assert_int_equal(x509_cert_info_parse(NULL, &info), -EINVAL);
	assert_null(info);
	assert_int_equal(x509_cert_verify("junk", ca_cert), -EINVAL);
	assert_int_equal(x509_cert_verify(ca_cert, "junk"), -EINVAL);
	assert_int_equal(x509_key_matches_cert(ca_cert, "junk"), -EINVAL);
	assert_null(x509_cert_info_free(NULL));
}

/* --- secrets --- */

static const unsigned char key1[32] = "0123456789abcdef0123456789abcde";
static const unsigned char key2[32] = "0123456789abcdef0123456789abcdX";

static void
test_secret_roundtrip(void **state)
{
	_cleanup_free_ char *c1 = NULL, *c2 = NULL, *ce = NULL;
	_cleanup_(x509_secret_freep) char *p1 = NULL, *pe = NULL, *pk = NULL;
	_cleanup_free_ char *ck = NULL;

	(void)state;
	assert_int_equal(x509_encrypt_secret(key1, "hunter2", &c1), 0);
	assert_int_equal(x509_encrypt_secret(key1, "hunter2", &c2), 0);
	assert_int_equal(strncmp(c1, "mx1:", 4), 0);
	assert_string_not_equal(c1, c2);	/* fresh nonce each time */
	assert_null(strstr(c1, "hunter2"));
	assert_int_equal(x509_decrypt_secret(key1, c1, &p1), 0);
	assert_string_equal(p1, "hunter2");

	assert_int_equal(x509_encrypt_secret(key1, "", &ce), 0);
	assert_int_equal(x509_decrypt_secret(key1, ce, &pe), 0);
	assert_string_equal(pe, "");

	assert_int_equal(x509_encrypt_secret(key1, ca_key, &ck), 0);
	assert_int_equal(x509_decrypt_secret(key1, ck, &pk), 0);
	assert_string_equal(pk, ca_key);
}

static void
test_secret_tamper(void **state)
{
	_cleanup_free_ char *c = NULL, *t = NULL;
	char *p = NULL;
	size_t n;

	(void)state;
	assert_int_equal(x509_encrypt_secret(key1, "the CA private key", &c), 0);
	n = strlen(c);

	/* Every position of the body, changed to another base64 letter, fails authentication. */
	for (size_t i = 4; i < n && c[i] != '='; i++) {
		t = strdup(c);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		if (i == n - 1 || t[i + 1] == '=') {
			/* The last character may carry only padding bits: skip it. */
			free(t);
			t = NULL;
			continue;
		}
		assert_int_equal(x509_decrypt_secret(key1, t, &p), -EBADMSG);
		free(t);
		t = NULL;
	}
	assert_int_equal(x509_decrypt_secret(key2, c, &p), -EBADMSG);
	assert_null(p);

	assert_int_equal(x509_decrypt_secret(key1, "mx2:AAAA", &p), -EINVAL);
	assert_int_equal(x509_decrypt_secret(key1, "mx1:AAAA", &p), -EINVAL);	/* too short */
	assert_int_equal(x509_decrypt_secret(key1, "mx1:not base64!", &p), -EINVAL);
	assert_int_equal(x509_decrypt_secret(key1, "", &p), -EINVAL);
	t = strndup(c, n - 8);	/* truncated */
	assert_int_not_equal(x509_decrypt_secret(key1, t, &p), 0);
	assert_null(p);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
test_master_key(void **state)
{
	char dir[] = "/tmp/test_x509_mk.XXXXXX", path[256], other[256], link_path[256];
	unsigned char k1[32], k2[32], zero[32] = {0};
	struct stat st;
	mode_t old;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/master.key", dir);

	old = umask(0);		/* a permissive umask must not widen the mode */
	assert_int_equal(x509_master_key_load_or_create(path, k1), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_memory_not_equal(k1, zero, 32);
	assert_int_equal(x509_master_key_load_or_create(path, k2), 0);
	assert_memory_equal(k1, k2, 32);

	/* Readable by others: refused. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(x509_master_key_load_or_create(path, k2), -EACCES);
	assert_int_equal(chmod(path, 0600), 0);

	/* Wrong size, a symlink, a directory, a missing parent. */
	snprintf(other, sizeof(other), "%s/short.key", dir);
	fd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "short", 5), 5);
	close(fd);
	assert_int_equal(x509_master_key_load_or_create(other, k2), -EINVAL);
	snprintf(link_path, sizeof(link_path), "%s/link.key", dir);
	assert_int_equal(symlink(path, link_path), 0);
	assert_int_equal(x509_master_key_load_or_create(link_path, k2), -ELOOP);
	assert_int_equal(x509_master_key_load_or_create(dir, k2), -EINVAL);
	snprintf(other, sizeof(other), "%s/nope/master.key", dir);
	assert_int_equal(x509_master_key_load_or_create(other, k2), -ENOENT);
	assert_int_equal(x509_master_key_load_or_create("", k2), -EINVAL);

	x509_cleanse(k1, sizeof(k1));
	assert_memory_equal(k1, zero, 32);
	assert_int_equal(nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_hash_and_random(void **state)
{
	char hex[65];
	unsigned char a[16] = {0}, b[16] = {0};

	(void)state;
	assert_int_equal(x509_sha256_hex("abc", 3, hex), 0);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(x509_sha256_hex("", 0, hex), 0);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(x509_random_bytes(a, sizeof(a)), 0);
	assert_int_equal(x509_random_bytes(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_null(x509_secret_free(NULL));
}

static int
setup(void **state)
{
	struct x509_params ec = { .key_type = "ec" };

	if (x509_ca_create("bay-one", NULL, &ca_cert, &ca_key) < 0)
		return -1;
	if (x509_ca_create("bay-two", &ec, &ca2_cert, &ca2_key) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	free(ca_cert);
	free(ca2_cert);
	x509_secret_free(ca_key);
	x509_secret_free(ca2_key);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_properties),
		cmocka_unit_test(test_ca_serials_differ),
		cmocka_unit_test(test_ca_params),
		cmocka_unit_test(test_client_cert),
		cmocka_unit_test(test_server_cert),
		cmocka_unit_test(test_sign_valid_csr),
		cmocka_unit_test(test_sign_copies_allowed_extensions),
		cmocka_unit_test(test_sign_ca_true),
		cmocka_unit_test(test_sign_disallowed_extension),
		cmocka_unit_test(test_sign_key_usage_policy),
		cmocka_unit_test(test_sign_ext_key_usage),
		cmocka_unit_test(test_sign_weak_keys),
		cmocka_unit_test(test_sign_dsa_refused),
		cmocka_unit_test(test_sign_ec_p256),
		cmocka_unit_test(test_sign_garbage),
		cmocka_unit_test(test_sign_tampered),
		cmocka_unit_test(test_sign_weak_hash),
		cmocka_unit_test(test_sign_oversized),
		cmocka_unit_test(test_sign_validity),
		cmocka_unit_test(test_sign_san_rules),
		cmocka_unit_test(test_sign_subject_rules),
		cmocka_unit_test(test_sign_duplicate_extension),
		cmocka_unit_test(test_csr_parse_and_check),
		cmocka_unit_test(test_config_helpers),
		cmocka_unit_test(test_cert_info_errors),
		cmocka_unit_test(test_secret_roundtrip),
		cmocka_unit_test(test_secret_tamper),
		cmocka_unit_test(test_master_key),
		cmocka_unit_test(test_hash_and_random),
	};
	return cmocka_run_group_tests_name("x509", tests, setup, teardown);
}
