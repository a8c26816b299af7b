/* digest.c - SHA-256, SHA-512, MD5 and base64 through OpenSSL's EVP interface. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "x509/digest.h"

static int
digest(const EVP_MD *md, const void *data, size_t len, unsigned char *out, unsigned *outlen)
{
	return EVP_Digest(data, len, out, outlen, md, NULL) == 1 ? 0 : -EIO;
}

static int
digest_hex(const EVP_MD *md, const void *data, size_t len, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (digest(md, data, len, d, &n) < 0)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return 0;
}

int
digest_md5_hex(const void *data, size_t len, char out[33])
{
	return digest_hex(EVP_md5(), data, len, out);
}

int
digest_sha512_hex(const void *data, size_t len, char out[129])
{
	return digest_hex(EVP_sha512(), data, len, out);
}

int
digest_md5_colon(const void *data, size_t len, char out[48])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (digest(EVP_md5(), data, len, d, &n) < 0 || n != 16)
		return -EIO;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 3 * i, 4, i + 1 < n ? "%02x:" : "%02x", d[i]);
	return 0;
}

int
digest_base64_decode(const char *in, unsigned char *out, size_t *len)
{
	size_t inlen = strlen(in), pad = 0;
	int n;

	if (inlen == 0 || inlen % 4 != 0 || (inlen / 4) * 3 > *len)
		return -EINVAL;
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)inlen);
	if (n < 0)
		return -EINVAL;
	if (in[inlen - 1] == '=')
		pad++;
	if (in[inlen - 2] == '=')
		pad++;
	*len = (size_t)n - pad;
	return 0;
}
