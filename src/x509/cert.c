/* cert.c - reading certificates back: their contents, their chain to a CA, their key. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>

#include "x509/x509_internal.h"

struct x509_cert_info *
x509_cert_info_free(struct x509_cert_info *info)
{
	if (info == NULL)
		return NULL;
	free(info->subject_cn);
	free(info->subject_org);
	free(info->issuer_cn);
	free(info->serial_hex);
	free(info->fingerprint);
	free(info->key_type);
	for (size_t i = 0; info->sans && i < info->n_sans; i++)
		free(info->sans[i]);
	free(info->sans);
	for (size_t i = 0; info->exts && i < info->n_exts; i++)
		free(info->exts[i].name);
	free(info->exts);
	free(info);
	return NULL;
}

static int
asn1_time_to_time_t(const ASN1_TIME *t, time_t *ret)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	*ret = timegm(&tm);
	return 0;
}

static int
serial_hex(const X509 *x, char **ret)
{
	_cleanup_(BN_freep) BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex, *s;

	if (bn == NULL)
		return -ENOMEM;
	hex = BN_bn2hex(bn);
	if (hex == NULL)
		return -ENOMEM;
	s = strdup(hex);
	OPENSSL_free(hex);
	if (s == NULL)
		return -ENOMEM;
	for (char *c = s; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	*ret = s;
	return 0;
}

static unsigned
ku_from_openssl(uint32_t ku)
{
	static const struct {
		uint32_t ossl;
		unsigned ours;
	} map[] = {
		{ KU_DIGITAL_SIGNATURE, X509_KU_DIGITAL_SIGNATURE },
		{ KU_NON_REPUDIATION, X509_KU_NON_REPUDIATION },
		{ KU_KEY_ENCIPHERMENT, X509_KU_KEY_ENCIPHERMENT },
		{ KU_DATA_ENCIPHERMENT, X509_KU_DATA_ENCIPHERMENT },
		{ KU_KEY_AGREEMENT, X509_KU_KEY_AGREEMENT },
		{ KU_KEY_CERT_SIGN, X509_KU_KEY_CERT_SIGN },
		{ KU_CRL_SIGN, X509_KU_CRL_SIGN },
		{ KU_ENCIPHER_ONLY, X509_KU_ENCIPHER_ONLY },
		{ KU_DECIPHER_ONLY, X509_KU_DECIPHER_ONLY },
	};
	unsigned r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (ku & map[i].ossl)
			r |= map[i].ours;
	return r;
}

/* One SAN as text: "DNS:x", "IP:a", "email:x", "URI:x", "other:<type>". */
static int
san_text(const GENERAL_NAME *g, char **ret)
{
	char addr[INET6_ADDRSTRLEN];
	const unsigned char *d;
	int n, r;

	switch (g->type) {
	case GEN_DNS:
	case GEN_EMAIL:
	case GEN_URI:
		d = ASN1_STRING_get0_data(g->d.ia5);
		n = ASN1_STRING_length(g->d.ia5);
		if (memchr(d, '\0', (size_t)n))
			return -EINVAL;
		r = asprintf(ret, "%s:%.*s",
			     g->type == GEN_DNS ? "DNS" : g->type == GEN_EMAIL ? "email" : "URI",
			     n, (const char *)d);
		break;
	case GEN_IPADD:
		d = ASN1_STRING_get0_data(g->d.iPAddress);
		n = ASN1_STRING_length(g->d.iPAddress);
		if ((n != 4 && n != 16) ||
		    inet_ntop(n == 4 ? AF_INET : AF_INET6, d, addr, sizeof(addr)) == NULL)
			return -EINVAL;
		r = asprintf(ret, "IP:%s", addr);
		break;
	default:
		r = asprintf(ret, "other:%d", g->type);
		break;
	}
	return r < 0 ? -ENOMEM : 0;
}

static int
info_sans(X509 *x, struct x509_cert_info *info)
{
	_cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = NULL;
	int crit = -1, n, r;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL && crit != -1) {	/* present but undecodable, or repeated */
		ERR_clear_error();
		return -EINVAL;
	}
	n = gens ? sk_GENERAL_NAME_num(gens) : 0;
	info->sans = calloc((size_t)n + 1, sizeof(char *));
	if (info->sans == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		r = san_text(sk_GENERAL_NAME_value(gens, i), &info->sans[i]);
		if (r < 0)
			return r;
		info->n_sans++;
	}
	return 0;
}

static int
info_exts(const X509 *x, struct x509_cert_info *info)
{
	int n = X509_get_ext_count(x);

	if (n <= 0)
		return 0;
	info->exts = calloc((size_t)n, sizeof(*info->exts));
	if (info->exts == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		X509_EXTENSION *ext = X509_get_ext(x, i);
		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
		int nid = OBJ_obj2nid(obj);
		char name[80];

		if (nid != NID_undef)
			snprintf(name, sizeof(name), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(name, sizeof(name), obj, 1) <= 0)
			snprintf(name, sizeof(name), "unknown");
		info->exts[i].name = strdup(name);
		if (info->exts[i].name == NULL)
			return -ENOMEM;
		info->exts[i].critical = X509_EXTENSION_get_critical(ext) > 0;
		info->n_exts++;
	}
	return 0;
}

static int
info_key(X509 *x, struct x509_cert_info *info)
{
	EVP_PKEY *key = X509_get0_pubkey(x);
	const char *type;

	if (key == NULL) {
		ERR_clear_error();
		return -EINVAL;
	}
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		type = "rsa";
		break;
	case EVP_PKEY_EC:
		type = "ec";
		break;
	default:
		type = EVP_PKEY_get0_type_name(key);
		break;
	}
	info->key_type = strdup(type ? type : "unknown");
	if (info->key_type == NULL)
		return -ENOMEM;
	info->key_bits = EVP_PKEY_get_bits(key);
	return 0;
}

int
x509_cert_info_parse(const char *pem, struct x509_cert_info **ret_info)
{
	_cleanup_(x509_cert_info_freep) struct x509_cert_info *info = NULL;
	_cleanup_(X509_freep) X509 *x = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	uint32_t flags, xku;
	int r;

	r = xi_cert_from_pem(pem, &x);
	if (r < 0)
		return r;
	flags = X509_get_extension_flags(x);
	if (flags & EXFLAG_INVALID) {
		ERR_clear_error();
		return -EINVAL;
	}
	info = calloc(1, sizeof(*info));
	if (info == NULL)
		return -ENOMEM;
	info->path_len = -1;

	r = xi_name_get(X509_get_subject_name(x), NID_commonName, &info->subject_cn);
	if (r < 0)
		return r;
	r = xi_name_get(X509_get_subject_name(x), NID_organizationName, &info->subject_org);
	if (r < 0)
		return r;
	r = xi_name_get(X509_get_issuer_name(x), NID_commonName, &info->issuer_cn);
	if (r < 0)
		return r;
	r = serial_hex(x, &info->serial_hex);
	if (r < 0)
		return r;
	if (X509_digest(x, EVP_sha256(), md, &md_len) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	info->fingerprint = malloc(2 * md_len + 1);
	if (info->fingerprint == NULL)
		return -ENOMEM;
	xi_hex(md, md_len, info->fingerprint);
	r = info_key(x, info);
	if (r < 0)
		return r;
	r = asn1_time_to_time_t(X509_get0_notBefore(x), &info->not_before);
	if (r < 0)
		return r;
	r = asn1_time_to_time_t(X509_get0_notAfter(x), &info->not_after);
	if (r < 0)
		return r;

	info->is_ca = (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA);
	if (info->is_ca)
		info->path_len = (int)X509_get_pathlen(x);
	info->has_key_usage = flags & EXFLAG_KUSAGE;
	if (info->has_key_usage)
		info->key_usage = ku_from_openssl(X509_get_key_usage(x));
	if (flags & EXFLAG_XKUSAGE) {
		xku = X509_get_extended_key_usage(x);
		if (xku & XKU_SSL_SERVER)
			info->ext_key_usage |= X509_EKU_SERVER_AUTH;
		if (xku & XKU_SSL_CLIENT)
			info->ext_key_usage |= X509_EKU_CLIENT_AUTH;
		if (xku & ~(uint32_t)(XKU_SSL_SERVER | XKU_SSL_CLIENT))
			info->ext_key_usage |= X509_EKU_OTHER;
	}
	info->self_signed = X509_self_signed(x, 1) == 1;
	r = info_sans(x, info);
	if (r < 0)
		return r;
	r = info_exts(x, info);
	if (r < 0)
		return r;
	ERR_clear_error();
	*ret_info = TAKE_PTR(info);
	return 0;
}

int
x509_cert_verify(const char *ca_cert_pem, const char *cert_pem)
{
	_cleanup_(X509_freep) X509 *ca = NULL, *x = NULL;
	_cleanup_(X509_STORE_freep) X509_STORE *store = NULL;
	_cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
	int r;

	r = xi_cert_from_pem(ca_cert_pem, &ca);
	if (r < 0)
		return r;
	r = xi_cert_from_pem(cert_pem, &x);
	if (r < 0)
		return r;
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (store == NULL || ctx == NULL)
		return -ENOMEM;
	if (X509_STORE_add_cert(store, ca) != 1 || X509_STORE_CTX_init(ctx, store, x, NULL) != 1) {
		ERR_clear_error();
		return -ENOMEM;
	}
	r = X509_verify_cert(ctx) == 1 ? 0 : -EACCES;
	ERR_clear_error();
	return r;
}

int
x509_key_matches_cert(const char *cert_pem, const char *key_pem)
{
	_cleanup_(X509_freep) X509 *x = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	int r;

	r = xi_cert_from_pem(cert_pem, &x);
	if (r < 0)
		return r;
	r = xi_key_from_pem(key_pem, &key);
	if (r < 0)
		return r;
	r = X509_check_private_key(x, key) == 1;
	ERR_clear_error();
	return r;
}
