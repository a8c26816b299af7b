/*
 * fuzz_csr.c - the CSR parser, the signing policy and the signer on
 * arbitrary bytes, plus the certificate reader on the same bytes.
 *
 * Input that starts like DER (0x30) is also decoded as a request, re-signed
 * with a fixed key and fed again as PEM: mutations of the extensions and the
 * subject then get past the signature check and reach the policy code.
 *
 * Invariants checked (abort() on violation): a refusal always comes with a
 * message; a CSR that passes x509_csr_check() is signed; what is signed chains
 * to the CA, is never a CA itself, and always allows client authentication.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "x509/x509.h"

static char *ca_cert, *ca_key;
static EVP_PKEY *resign_key;

static void
ca_init(void)
{
	struct x509_params ec = { .key_type = "ec" };	/* fast to sign with */

	if (ca_cert == NULL && x509_ca_create("fuzz-ca-7f3a9c", &ec, &ca_cert, &ca_key) < 0)
		abort();
	if (resign_key == NULL)
		resign_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (resign_key == NULL)
		abort();
}

/* The DER request in data with our key and a fresh signature, as PEM (NULL if not a request). */
static char *
resign(const uint8_t *data, size_t size, size_t *ret_len)
{
	const unsigned char *p = data;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
	BIO *bio = NULL;
	char *pem = NULL, *mem;
	long n;

	if (req == NULL)
		goto out;
	if (X509_REQ_set_pubkey(req, resign_key) != 1 ||
	    X509_REQ_sign(req, resign_key, EVP_sha256()) <= 0)
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_X509_REQ(bio, req) != 1)
		goto out;
	n = BIO_get_mem_data(bio, &mem);
	pem = malloc((size_t)n + 1);
	if (pem) {
		memcpy(pem, mem, (size_t)n);
		pem[n] = '\0';
		*ret_len = (size_t)n;
	}
out:
	BIO_free(bio);
	X509_REQ_free(req);
	ERR_clear_error();
	return pem;
}

static void
sign_and_inspect(const uint8_t *data, size_t size)
{
	struct x509_cert_info *info = NULL;
	char *pem = NULL, *msg = NULL;
	int r;

	r = x509_sign_csr(ca_cert, ca_key, (const char *)data, size, NULL, &pem, &msg);
	if (r < 0)
		abort();	/* x509_csr_check() accepted it */
	if (x509_cert_verify(ca_cert, pem) != 0 || x509_cert_info_parse(pem, &info) != 0)
		abort();
	if (info->is_ca || !(info->ext_key_usage & X509_EKU_CLIENT_AUTH) ||
	    (info->ext_key_usage & X509_EKU_SERVER_AUTH) ||
	    (info->key_usage & (X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN)))
		abort();
	x509_cert_info_free(info);
	free(pem);
}

static void
csr_pipeline(const uint8_t *data, size_t size)
{
	struct x509_csr *csr = NULL;
	char *msg = NULL;
	int r;

	r = x509_csr_parse(data, size, 0, &csr, &msg);
	if (r < 0) {
		if (r != -EINVAL || msg == NULL || csr != NULL)
			abort();
		free(msg);
	} else {
		(void)x509_csr_subject_cn(csr);
		r = x509_csr_check(csr, NULL, &msg);
		if (r < 0) {
			if (r != -EINVAL || msg == NULL)
				abort();
			free(msg);
		} else if (strcmp(x509_csr_subject_cn(csr) ? x509_csr_subject_cn(csr) : "",
				  "fuzz-ca-7f3a9c") != 0) {
			sign_and_inspect(data, size);
		}
		x509_csr_free(csr);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_cert_info *info = NULL;
	char *s;

	ca_init();
	csr_pipeline(data, size);
	if (size > 0 && data[0] == 0x30) {
		size_t len = 0;
		char *pem = resign(data, size, &len);

		if (pem)
			csr_pipeline((const uint8_t *)pem, len);
		free(pem);
	}

	/* The same bytes as a certificate, NUL-terminated. */
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (x509_cert_info_parse(s, &info) == 0)
		x509_cert_info_free(info);
	free(s);
	return 0;
}
