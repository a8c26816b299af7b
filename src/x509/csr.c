/*
 * csr.c - CSR parsing and the signing policy (bay doc §4.2-§4.3), and CSR
 * creation. Everything here reads untrusted input: every path ends in a
 * message for the user, never in a crash, and no message quotes the input.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "x509/x509_internal.h"

struct x509_csr {
	X509_REQ	*req;
	char		*cn;
};

X509_REQ *
xi_csr_req(const struct x509_csr *csr)
{
	return csr->req;
}

struct x509_csr *
x509_csr_free(struct x509_csr *csr)
{
	if (csr == NULL)
		return NULL;
	X509_REQ_free(csr->req);
	free(csr->cn);
	free(csr);
	return NULL;
}

const char *
x509_csr_subject_cn(const struct x509_csr *csr)
{
	return csr ? csr->cn : NULL;
}

/* Hashes too weak for a proof of possession. */
static bool
weak_digest(int md_nid)
{
	static const int weak[] = { NID_md2, NID_md4, NID_md5, NID_md5_sha1, NID_sha1, NID_mdc2,
				    NID_ripemd160 };

	for (size_t i = 0; i < ARRAY_SIZE(weak); i++)
		if (md_nid == weak[i])
			return true;
	return false;
}

/* Read the one PEM block of the input and decode it as a DER CSR. */
static int
csr_decode(const void *data, size_t len, X509_REQ **ret_req, char **ret_error)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	long der_len = 0;
	X509_REQ *req = NULL;
	int r = 0;

	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		return -ENOMEM;
	if (PEM_read_bio(bio, &name, &header, &der, &der_len) != 1)
		return xi_fail(ret_error, "CSR is not a PEM-encoded CERTIFICATE REQUEST");

	if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0 ||
	    strcmp(name, PEM_STRING_X509_TRUSTED) == 0)
		r = xi_fail(ret_error, "Input is a certificate, not a certificate request");
	else if (strcmp(name, PEM_STRING_X509_REQ) != 0 &&
		 strcmp(name, PEM_STRING_X509_REQ_OLD) != 0)
		r = xi_fail(ret_error, "PEM block is not a CERTIFICATE REQUEST");
	else if (header[0] != '\0')
		r = xi_fail(ret_error, "PEM headers (encryption) are not allowed in a CSR");
	else if (der_len <= 0)
		r = xi_fail(ret_error, "CSR is empty");
	if (r == 0) {
		p = der;
		req = d2i_X509_REQ(NULL, &p, der_len);
		if (req == NULL)
			r = xi_fail(ret_error, "CSR is not a valid DER certificate request");
		else if (p != der + der_len)
			r = xi_fail(ret_error, "CSR has trailing data after the request");
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	if (r == 0) {
		/* A second block is ambiguous: which one would we sign? */
		name = header = NULL;
		der = NULL;
		if (PEM_read_bio(bio, &name, &header, &der, &der_len) == 1) {
			OPENSSL_free(name);
			OPENSSL_free(header);
			OPENSSL_free(der);
			r = xi_fail(ret_error, "CSR input contains more than one PEM block");
		}
		ERR_clear_error();
	}
	if (r < 0) {
		X509_REQ_free(req);
		return r;
	}
	*ret_req = req;
	return 0;
}

int
x509_csr_parse(const void *data, size_t len, size_t max_len, struct x509_csr **ret_csr,
	       char **ret_error)
{
	_cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
	_cleanup_free_ char *cn = NULL;
	struct x509_csr *csr;
	EVP_PKEY *key;
	int md_nid = NID_undef, pk_nid = NID_undef, r;

	if (max_len == 0)
		max_len = X509_DEFAULT_MAX_CSR_LEN;
	if (max_len > INT_MAX)
		max_len = INT_MAX;
	if (data == NULL || len == 0)
		return xi_fail(ret_error, "CSR is empty");
	if (len > max_len)
		return xi_fail(ret_error, "CSR is larger than %zu bytes", max_len);

	r = csr_decode(data, len, &req, ret_error);
	if (r < 0)
		return r;
	if (X509_REQ_get_version(req) != X509_REQ_VERSION_1)
		return xi_fail(ret_error, "CSR version is not 1");
	key = X509_REQ_get0_pubkey(req);
	if (key == NULL)
		return xi_fail(ret_error, "CSR public key cannot be decoded");
	if (OBJ_find_sigid_algs(X509_REQ_get_signature_nid(req), &md_nid, &pk_nid) &&
	    weak_digest(md_nid))
		return xi_fail(ret_error, "CSR is signed with the weak hash %s",
			       OBJ_nid2sn(md_nid));
	if (X509_REQ_verify(req, key) != 1)
		return xi_fail(ret_error, "CSR signature does not verify");

	r = xi_name_get(X509_REQ_get_subject_name(req), NID_commonName, &cn);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return xi_fail(ret_error, "CSR common name cannot be decoded");

	csr = calloc(1, sizeof(*csr));
	if (csr == NULL)
		return -ENOMEM;
	csr->req = TAKE_PTR(req);
	csr->cn = TAKE_PTR(cn);
	ERR_clear_error();
	*ret_csr = csr;
	return 0;
}

static const char *const default_extensions[] = {
	"keyUsage", "extendedKeyUsage", "subjectAltName", "basicConstraints",
	"subjectKeyIdentifier", NULL,
};

void
xi_policy_resolve(const struct x509_sign_policy *policy, struct x509_sign_policy *out)
{
	struct x509_sign_policy p = {0};

	if (policy)
		p = *policy;
	if (p.allowed_extensions == NULL)
		p.allowed_extensions = default_extensions;
	if (p.allowed_key_usage == 0)
		p.allowed_key_usage = X509_KU_DEFAULT;
	if (p.validity_days <= 0)
		p.validity_days = X509_DEFAULT_VALIDITY_DAYS;
	if (p.max_validity_days <= 0)
		p.max_validity_days = X509_DEFAULT_VALIDITY_DAYS;
	if (p.max_validity_days > X509_MAX_VALIDITY)
		p.max_validity_days = X509_MAX_VALIDITY;
	if (p.min_rsa_bits <= 0)
		p.min_rsa_bits = X509_DEFAULT_RSA_BITS;
	if (p.min_ec_bits <= 0)
		p.min_ec_bits = 256;
	if (p.max_csr_len == 0)
		p.max_csr_len = X509_DEFAULT_MAX_CSR_LEN;
	if (p.max_sans == 0)
		p.max_sans = X509_DEFAULT_MAX_SANS;
	*out = p;
}

static int
check_key(EVP_PKEY *key, const struct x509_sign_policy *p, char **ret_error)
{
	static const char *const named_curves[] = { "prime256v1", "secp384r1", "secp521r1" };
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = NULL;
	int bits = EVP_PKEY_get_bits(key);
	char group[80];
	bool known = false;
	size_t glen;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		if (bits < p->min_rsa_bits)
			return xi_fail(ret_error, "RSA key of %d bits is too weak (minimum %d)",
				       bits, p->min_rsa_bits);
		if (bits > X509_RSA_MAX_BITS)
			return xi_fail(ret_error, "RSA key of %d bits is too large (maximum %d)",
				       bits, X509_RSA_MAX_BITS);
		break;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
						   sizeof(group), &glen) != 1)
			return xi_fail(ret_error, "EC key without a named curve is not allowed");
		if (bits < p->min_ec_bits)
			return xi_fail(ret_error, "EC key of %d bits is too weak (minimum %d)",
				       bits, p->min_ec_bits);
		for (size_t i = 0; i < ARRAY_SIZE(named_curves); i++)
			known = known || strcmp(group, named_curves[i]) == 0;
		if (!known)
			return xi_fail(ret_error, "EC curve %s is not allowed", group);
		break;
	case EVP_PKEY_DSA:
		return xi_fail(ret_error, "DSA keys are not allowed");
	default: {
		const char *type = EVP_PKEY_get0_type_name(key);

		return xi_fail(ret_error, "Key type %s is not allowed", type ? type : "unknown");
	}
	}
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_PKEY_public_check(ctx) != 1)
		return xi_fail(ret_error, "CSR public key is invalid");
	return 0;
}

/* Subject: not empty, every value decodable text without NUL, no forbidden CN. */
static int
check_subject(X509_REQ *req, const struct x509_sign_policy *p, char **ret_error)
{
	const X509_NAME *name = X509_REQ_get_subject_name(req);
	int n = X509_NAME_entry_count(name);

	if (n <= 0)
		return xi_fail(ret_error, "CSR subject is empty");
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		unsigned char *utf8 = NULL;
		int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		bool nul;

		if (len < 0)
			return xi_fail(ret_error, "CSR subject cannot be decoded");
		nul = memchr(utf8, '\0', (size_t)len) != NULL;
		if (!nul && p->forbidden_cns &&
		    OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == NID_commonName)
			for (const char *const *f = p->forbidden_cns; *f; f++)
				if (strcasecmp(*f, (const char *)utf8) == 0) {
					OPENSSL_free(utf8);
					return xi_fail(ret_error, "Common name '%s' is not allowed",
						       *f);
				}
		OPENSSL_free(utf8);
		if (nul)
			return xi_fail(ret_error, "CSR subject contains a NUL character");
	}
	return 0;
}

static bool
ext_allowed(const struct x509_sign_policy *p, int nid)
{
	if (nid == NID_undef)
		return false;
	for (const char *const *e = p->allowed_extensions; *e; e++)
		if (xi_ext_nid(*e) == nid)
			return true;
	return false;
}

static const struct {
	unsigned bit;
	const char *name, *sn;
} ku_names[] = {
	{ X509_KU_DIGITAL_SIGNATURE, "Digital Signature", "digitalSignature" },
	{ X509_KU_NON_REPUDIATION, "Non Repudiation", "nonRepudiation" },
	{ X509_KU_KEY_ENCIPHERMENT, "Key Encipherment", "keyEncipherment" },
	{ X509_KU_DATA_ENCIPHERMENT, "Data Encipherment", "dataEncipherment" },
	{ X509_KU_KEY_AGREEMENT, "Key Agreement", "keyAgreement" },
	{ X509_KU_KEY_CERT_SIGN, "Certificate Sign", "keyCertSign" },
	{ X509_KU_CRL_SIGN, "CRL Sign", "cRLSign" },
	{ X509_KU_ENCIPHER_ONLY, "Encipher Only", "encipherOnly" },
	{ X509_KU_DECIPHER_ONLY, "Decipher Only", "decipherOnly" },
};

/* Compare ignoring case and spaces: "Digital Signature" matches "digitalsignature". */
static bool
name_eq_loose(const char *a, size_t alen, const char *b)
{
	size_t i = 0;

	for (;;) {
		while (i < alen && a[i] == ' ')
			i++;
		while (*b == ' ')
			b++;
		if (i == alen || *b == '\0')
			return i == alen && *b == '\0';
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)*b))
			return false;
		i++;
		b++;
	}
}

int
x509_key_usage_parse(const char *list, unsigned *ret_mask)
{
	unsigned mask = 0;
	const char *s = list;

	if (list == NULL)
		return -EINVAL;
	while (*s) {
		size_t n = strcspn(s, ",");
		bool found = false, blank = true;

		for (size_t i = 0; i < n; i++)
			blank = blank && isspace((unsigned char)s[i]);
		while (n > 0 && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		for (size_t i = 0; !blank && i < ARRAY_SIZE(ku_names); i++)
			if (name_eq_loose(s, n, ku_names[i].name) ||
			    name_eq_loose(s, n, ku_names[i].sn)) {
				mask |= ku_names[i].bit;
				found = true;
			}
		if (!blank && !found)
			return -EINVAL;
		s += n;
		s += strspn(s, " \t\r\n");
		if (*s == ',')
			s++;
	}
	if (mask == 0)
		return -EINVAL;
	*ret_mask = mask;
	return 0;
}

static int
push_ext(STACK_OF(X509_EXTENSION) *out, X509_EXTENSION *ext)
{
	if (ext == NULL) {
		ERR_clear_error();
		return -ENOMEM;
	}
	if (sk_X509_EXTENSION_push(out, ext) <= 0) {
		X509_EXTENSION_free(ext);
		return -ENOMEM;
	}
	return 0;
}

static int
push_conf(STACK_OF(X509_EXTENSION) *out, int nid, const char *value)
{
	X509_EXTENSION *ext;
	int r;

	r = xi_ext_conf(NULL, NULL, nid, value, &ext);
	if (r < 0)
		return r;
	return push_ext(out, ext);
}

static int
filter_key_usage(X509_EXTENSION *ext, bool crit, const struct x509_sign_policy *p,
		 STACK_OF(X509_EXTENSION) *out, char **ret_error)
{
	_cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *ku = X509V3_EXT_d2i(ext);
	_cleanup_(ASN1_BIT_STRING_freep) ASN1_BIT_STRING *res = NULL;
	unsigned req = 0, allowed = p->allowed_key_usage, bad;
	int nbits;

	if (ku == NULL)
		return xi_fail(ret_error, "Extension 'keyUsage' is malformed");
	if (!p->allow_ca)
		allowed &= ~(X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN);
	for (size_t i = 0; i < ARRAY_SIZE(ku_names); i++)
		if (ASN1_BIT_STRING_get_bit(ku, (int)i))
			req |= 1u << i;
	nbits = ASN1_STRING_length(ku) * 8;
	for (int i = (int)ARRAY_SIZE(ku_names); i < nbits; i++)
		if (ASN1_BIT_STRING_get_bit(ku, i)) {
			if (crit)
				return xi_fail(ret_error, "Key usage bit %d is not allowed", i);
			break;
		}
	bad = req & ~allowed;
	for (size_t i = 0; crit && i < ARRAY_SIZE(ku_names); i++)
		if (bad & ku_names[i].bit)
			return xi_fail(ret_error, "Key usage '%s' not allowed", ku_names[i].name);
	req &= allowed;
	if (req == 0)
		return 0;	/* nothing left: drop the extension */
	res = ASN1_BIT_STRING_new();
	if (res == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(ku_names); i++)
		if ((req & ku_names[i].bit) && ASN1_BIT_STRING_set_bit(res, (int)i, 1) != 1)
			return -ENOMEM;
	return push_ext(out, X509V3_EXT_i2d(NID_key_usage, crit, res));
}

static int
filter_ext_key_usage(X509_EXTENSION *ext, bool crit, const struct x509_sign_policy *p,
		     STACK_OF(X509_EXTENSION) *out, char **ret_error)
{
	_cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *eku = X509V3_EXT_d2i(ext);
	_cleanup_(EXTENDED_KEY_USAGE_freep) EXTENDED_KEY_USAGE *res = NULL;
	bool client = false, server = false;
	char name[80];

	if (eku == NULL)
		return xi_fail(ret_error, "Extension 'extendedKeyUsage' is malformed");
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(obj);

		if (nid == NID_client_auth) {
			client = true;
		} else if (nid == NID_server_auth && p->allow_server_auth) {
			server = true;
		} else if (crit) {
			if (nid != NID_undef)
				snprintf(name, sizeof(name), "%s", OBJ_nid2sn(nid));
			else if (OBJ_obj2txt(name, sizeof(name), obj, 1) <= 0)
				snprintf(name, sizeof(name), "unknown");
			return xi_fail(ret_error, "Extended key usage '%s' not allowed", name);
		}
	}
	res = sk_ASN1_OBJECT_new_null();
	if (res == NULL)
		return -ENOMEM;
	/* Static objects from OBJ_nid2obj(): freeing them later is a no-op. */
	if (server && sk_ASN1_OBJECT_push(res, OBJ_nid2obj(NID_server_auth)) <= 0)
		return -ENOMEM;
	if ((client || !server) && sk_ASN1_OBJECT_push(res, OBJ_nid2obj(NID_client_auth)) <= 0)
		return -ENOMEM;
	return push_ext(out, X509V3_EXT_i2d(NID_ext_key_usage, crit, res));
}

/* An IA5String SAN value: printable ASCII (no space), 1..253 bytes; DNS names stricter. */
static bool
ia5_ok(const ASN1_IA5STRING *s, bool dns)
{
	const unsigned char *d = ASN1_STRING_get0_data(s);
	int n = ASN1_STRING_length(s);

	if (n < 1 || n > 253)
		return false;
	for (int i = 0; i < n; i++) {
		if (d[i] <= 0x20 || d[i] >= 0x7f)
			return false;
		if (dns && !isalnum(d[i]) && d[i] != '-' && d[i] != '.' && d[i] != '*' &&
		    d[i] != '_')
			return false;
	}
	return true;
}

static int
check_san(X509_EXTENSION *ext, const struct x509_sign_policy *p, char **ret_error)
{
	static const char *const types[] = {
		[GEN_OTHERNAME] = "otherName", [GEN_EMAIL] = "email", [GEN_DNS] = "DNS",
		[GEN_X400] = "x400Address", [GEN_DIRNAME] = "directoryName",
		[GEN_EDIPARTY] = "ediPartyName", [GEN_URI] = "URI", [GEN_IPADD] = "IP",
		[GEN_RID] = "registeredID",
	};
	_cleanup_(GENERAL_NAMES_freep) GENERAL_NAMES *gens = X509V3_EXT_d2i(ext);
	int n;

	if (gens == NULL)
		return xi_fail(ret_error, "Extension 'subjectAltName' is malformed");
	n = sk_GENERAL_NAME_num(gens);
	if (n <= 0)
		return xi_fail(ret_error, "Extension 'subjectAltName' is empty");
	if ((size_t)n > p->max_sans)
		return xi_fail(ret_error, "CSR has %d subjectAltName entries (maximum %zu)", n,
			       p->max_sans);
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const char *type;
		int len;

		switch (g->type) {
		case GEN_DNS:
			if (!ia5_ok(g->d.dNSName, true))
				return xi_fail(ret_error, "subjectAltName has an invalid DNS name");
			break;
		case GEN_EMAIL:
			if (!ia5_ok(g->d.rfc822Name, false))
				return xi_fail(ret_error,
					       "subjectAltName has an invalid email address");
			break;
		case GEN_IPADD:
			len = ASN1_STRING_length(g->d.iPAddress);
			if (len != 4 && len != 16)
				return xi_fail(ret_error,
					       "subjectAltName has an invalid IP address");
			break;
		default:
			type = NULL;
			if (g->type >= 0 && (size_t)g->type < ARRAY_SIZE(types))
				type = types[g->type];
			return xi_fail(ret_error,
				       "subjectAltName entries of type %s are not allowed",
				       type ? type : "unknown");
		}
	}
	return 0;
}

/* How many extension-request attributes the CSR carries. */
static int
count_ext_attrs(const X509_REQ *req)
{
	int n = 0;

	for (int i = 0; i < X509_REQ_get_attr_count(req); i++) {
		int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(X509_REQ_get_attr(req, i)));

		if (nid == NID_ext_req || nid == NID_ms_ext_req)
			n++;
	}
	return n;
}

/* Whether an extension OpenSSL knows decodes: 0, or -EINVAL. Unknown ones pass as opaque. */
static int
ext_decodes(X509_EXTENSION *ext)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get(ext);
	void *v;

	if (m == NULL)
		return 0;
	v = X509V3_EXT_d2i(ext);
	if (v == NULL)
		return -EINVAL;
	if (m->it)
		ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
	else if (m->ext_free)
		m->ext_free(v);
	return 0;
}

static int
filter_one(X509_EXTENSION *ext, const struct x509_sign_policy *p,
	   STACK_OF(X509_EXTENSION) *out, bool *have_bc, bool *have_eku, char **ret_error)
{
	const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
	bool crit = X509_EXTENSION_get_critical(ext) > 0;
	int nid = OBJ_obj2nid(obj), r;
	char name[80];

	xi_ext_name(obj, name, sizeof(name));

	if (nid == NID_basic_constraints) {
		_cleanup_(BASIC_CONSTRAINTS_freep) BASIC_CONSTRAINTS *bc = X509V3_EXT_d2i(ext);

		if (bc == NULL)
			return xi_fail(ret_error, "Extension 'basicConstraints' is malformed");
		if (bc->ca && !p->allow_ca) {
			if (crit)
				return xi_fail(ret_error, "CA certificates are not allowed "
							  "(critical basicConstraints CA:TRUE)");
			*have_bc = true;
			return push_conf(out, NID_basic_constraints, "CA:FALSE");
		}
	}
	if (!ext_allowed(p, nid)) {
		if (crit)
			return xi_fail(ret_error, "Extension '%s' not allowed", name);
		return 0;
	}

	switch (nid) {
	case NID_basic_constraints:
		*have_bc = true;
		if (p->allow_ca)
			return push_ext(out, X509_EXTENSION_dup(ext));
		return push_conf(out, NID_basic_constraints,
				 crit ? "critical,CA:FALSE" : "CA:FALSE");
	case NID_key_usage:
		return filter_key_usage(ext, crit, p, out, ret_error);
	case NID_ext_key_usage:
		*have_eku = true;
		return filter_ext_key_usage(ext, crit, p, out, ret_error);
	case NID_subject_alt_name:
		r = check_san(ext, p, ret_error);
		if (r < 0)
			return r;
		return push_ext(out, X509_EXTENSION_dup(ext));
	case NID_subject_key_identifier:
	case NID_authority_key_identifier:
		return 0;	/* the signer computes both from the keys */
	default:
		r = ext_decodes(ext);
		if (r < 0)
			return xi_fail(ret_error, "Extension '%s' is malformed", name);
		return push_ext(out, X509_EXTENSION_dup(ext));
	}
}

int
xi_csr_extensions(const struct x509_csr *csr, const struct x509_sign_policy *p,
		  STACK_OF(X509_EXTENSION) **ret_exts, char **ret_error)
{
	_cleanup_(xi_exts_freep) STACK_OF(X509_EXTENSION) *in = NULL;
	_cleanup_(xi_exts_freep) STACK_OF(X509_EXTENSION) *out = NULL;
	bool have_bc = false, have_eku = false;
	int r, n;

	r = check_key(X509_REQ_get0_pubkey(csr->req), p, ret_error);
	if (r < 0)
		return r;
	r = check_subject(csr->req, p, ret_error);
	if (r < 0)
		return r;

	if (count_ext_attrs(csr->req) > 1)
		return xi_fail(ret_error, "CSR has more than one extension request");
	in = X509_REQ_get_extensions(csr->req);
	if (in == NULL)
		return xi_fail(ret_error, "CSR extensions cannot be decoded");
	out = sk_X509_EXTENSION_new_null();
	if (out == NULL)
		return -ENOMEM;

	n = sk_X509_EXTENSION_num(in);
	for (int i = 0; i < n; i++) {
		X509_EXTENSION *ext = sk_X509_EXTENSION_value(in, i);

		const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);

		for (int j = 0; j < i; j++) {
			X509_EXTENSION *prev = sk_X509_EXTENSION_value(in, j);

			if (OBJ_cmp(obj, X509_EXTENSION_get_object(prev)) == 0) {
				char name[80];

				xi_ext_name(obj, name, sizeof(name));
				return xi_fail(ret_error, "Extension '%s' appears more than once",
					       name);
			}
		}
		r = filter_one(ext, p, out, &have_bc, &have_eku, ret_error);
		if (r < 0)
			return r;
	}
	if (!have_bc && !p->allow_ca) {
		r = push_conf(out, NID_basic_constraints, "critical,CA:FALSE");
		if (r < 0)
			return r;
	}
	if (!have_eku) {
		r = push_conf(out, NID_ext_key_usage, "clientAuth");
		if (r < 0)
			return r;
	}
	ERR_clear_error();
	*ret_exts = TAKE_PTR(out);
	return 0;
}

int
x509_csr_check(const struct x509_csr *csr, const struct x509_sign_policy *policy,
	       char **ret_error)
{
	_cleanup_(xi_exts_freep) STACK_OF(X509_EXTENSION) *exts = NULL;
	struct x509_sign_policy p;

	if (csr == NULL)
		return -EINVAL;
	xi_policy_resolve(policy, &p);
	return xi_csr_extensions(csr, &p, &exts, ret_error);
}

int
x509_make_csr(const char *cn, const char *org, const struct x509_params *params,
	      char **ret_csr_pem, char **ret_key_pem)
{
	_cleanup_(X509_REQ_freep) X509_REQ *req = NULL;
	_cleanup_(X509_NAME_freep) X509_NAME *name = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(x509_secret_freep) char *key_pem = NULL;
	_cleanup_free_ char *csr_pem = NULL;
	struct x509_params p;
	int r;

	r = xi_subject_and_key(cn, org, params, &p, &name, &key);
	if (r < 0)
		return r;
	req = X509_REQ_new();
	if (req == NULL)
		return -ENOMEM;
	if (X509_REQ_set_version(req, X509_REQ_VERSION_1) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, key) != 1 ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	r = xi_csr_to_pem(req, &csr_pem);
	if (r < 0)
		return r;
	r = xi_key_to_pem(key, &key_pem);
	if (r < 0)
		return r;
	*ret_csr_pem = TAKE_PTR(csr_pem);
	*ret_key_pem = TAKE_PTR(key_pem);
	return 0;
}
