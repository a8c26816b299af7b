/*
 * secret.c - secrets at rest: AES-256-GCM under a master key kept in a 0600
 * file, plus hashing, randomness and wiping for code without OpenSSL.
 *
 * Format of an encrypted secret: "mx1:" base64(nonce[12] | ciphertext | tag[16]).
 * The prefix is authenticated as additional data, so a later format cannot be
 * confused with this one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "x509/x509_internal.h"

#define SECRET_PREFIX	"mx1:"
#define NONCE_LEN	12
#define TAG_LEN		16
#define SECRET_MAX	(16u << 20)	/* plaintexts are keys and passwords, never this big */

char *
x509_secret_free(char *secret)
{
	if (secret == NULL)
		return NULL;
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	return NULL;
}

void
x509_cleanse(void *p, size_t len)
{
	if (p)
		OPENSSL_cleanse(p, len);
}

int
x509_random_bytes(void *buf, size_t len)
{
	if (len > INT_MAX)
		return -EINVAL;
	if (RAND_bytes(buf, (int)len) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int
x509_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		ERR_clear_error();
		return -EIO;
	}
	xi_hex(md, n, out);
	return 0;
}

/* Strict base64 (standard alphabet, padded, no whitespace) into a new buffer. */
static int
b64_decode(const char *in, unsigned char **ret, size_t *ret_len)
{
	size_t n = strlen(in), pad = 0, out_len;
	unsigned char *out;
	int m;

	if (n == 0 || n % 4 != 0 || n > INT_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (c == '=') {
			if (i < n - 2)
				return -EINVAL;
			pad++;
		} else if (pad > 0 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
					(c >= '0' && c <= '9') || c == '+' || c == '/')) {
			return -EINVAL;
		}
	}
	out = malloc(n / 4 * 3 + 1);
	if (out == NULL)
		return -ENOMEM;
	m = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	out_len = n / 4 * 3 - pad;
	if (m < 0 || (size_t)m != n / 4 * 3) {
		free(out);
		ERR_clear_error();
		return -EINVAL;
	}
	*ret = out;
	*ret_len = out_len;
	return 0;
}

int
x509_encrypt_secret(const unsigned char key[X509_MASTER_KEY_LEN], const char *plaintext,
		    char **ret_b64)
{
	_cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *ctx = NULL;
	_cleanup_free_ unsigned char *raw = NULL;
	size_t n, raw_len, prefix = strlen(SECRET_PREFIX);
	char *out;
	int len = 0, fin = 0;

	if (key == NULL || plaintext == NULL)
		return -EINVAL;
	n = strlen(plaintext);
	if (n > SECRET_MAX)
		return -EINVAL;
	raw_len = NONCE_LEN + n + TAG_LEN;
	raw = malloc(raw_len);
	out = malloc(prefix + 4 * ((raw_len + 2) / 3) + 1);
	ctx = EVP_CIPHER_CTX_new();
	if (raw == NULL || out == NULL || ctx == NULL) {
		free(out);
		return -ENOMEM;
	}
	if (RAND_bytes(raw, NONCE_LEN) != 1 ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)SECRET_PREFIX,
			      (int)prefix) != 1 ||
	    EVP_EncryptUpdate(ctx, raw + NONCE_LEN, &len, (const unsigned char *)plaintext,
			      (int)n) != 1 ||
	    EVP_EncryptFinal_ex(ctx, raw + NONCE_LEN + len, &fin) != 1 ||
	    (size_t)(len + fin) != n ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, raw + NONCE_LEN + n) != 1) {
		free(out);
		ERR_clear_error();
		return -EIO;
	}
	memcpy(out, SECRET_PREFIX, prefix);
	EVP_EncodeBlock((unsigned char *)out + prefix, raw, (int)raw_len);
	*ret_b64 = out;
	return 0;
}

int
x509_decrypt_secret(const unsigned char key[X509_MASTER_KEY_LEN], const char *b64,
		    char **ret_plaintext)
{
	_cleanup_(EVP_CIPHER_CTX_freep) EVP_CIPHER_CTX *ctx = NULL;
	_cleanup_free_ unsigned char *raw = NULL;
	size_t raw_len, n, prefix = strlen(SECRET_PREFIX);
	char *plain;
	int len = 0, fin = 0, r;

	if (key == NULL || b64 == NULL || strncmp(b64, SECRET_PREFIX, prefix) != 0)
		return -EINVAL;
	r = b64_decode(b64 + prefix, &raw, &raw_len);
	if (r < 0)
		return r;
	if (raw_len < NONCE_LEN + TAG_LEN)
		return -EINVAL;
	n = raw_len - NONCE_LEN - TAG_LEN;
	plain = malloc(n + 1);
	ctx = EVP_CIPHER_CTX_new();
	if (plain == NULL || ctx == NULL) {
		free(plain);
		return -ENOMEM;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)SECRET_PREFIX,
			      (int)prefix) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)plain, &len, raw + NONCE_LEN, (int)n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
				raw + NONCE_LEN + n) != 1) {
		OPENSSL_cleanse(plain, n + 1);
		free(plain);
		ERR_clear_error();
		return -EIO;
	}
	if (EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + len, &fin) != 1) {
		OPENSSL_cleanse(plain, n + 1);
		free(plain);
		ERR_clear_error();
		return -EBADMSG;
	}
	plain[n] = '\0';
	*ret_plaintext = plain;
	return 0;
}

static int
read_key(int fd, unsigned char ret_key[X509_MASTER_KEY_LEN])
{
	unsigned char buf[X509_MASTER_KEY_LEN + 1];
	struct stat st;
	size_t got = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_mode & 077)
		return -EACCES;
	if (st.st_size != X509_MASTER_KEY_LEN)
		return -EINVAL;
	/* One byte more than expected: a file that grew since fstat() is refused. */
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			OPENSSL_cleanse(buf, sizeof(buf));
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != X509_MASTER_KEY_LEN) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return -EINVAL;
	}
	memcpy(ret_key, buf, X509_MASTER_KEY_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Create the key file without ever exposing a partial one: write a temporary
 * file (O_CREAT|O_EXCL, 0600) in the same directory, then link() it to path,
 * which fails with EEXIST rather than replace a key someone else created.
 */
static int
create_key(const char *path, unsigned char ret_key[X509_MASTER_KEY_LEN])
{
	unsigned char key[X509_MASTER_KEY_LEN];
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, r = 0, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);	/* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0)
		r = -errno;
	if (r == 0 && RAND_priv_bytes(key, sizeof(key)) != 1) {
		ERR_clear_error();
		r = -EIO;
	}
	if (r == 0)
		r = write_all(fd, key, sizeof(key));
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && link(tmp, path) < 0)
		r = -errno;
	unlink(tmp);
	if (r < 0) {
		OPENSSL_cleanse(key, sizeof(key));
		return r;
	}
	/* Make the new name durable; failing that is not fatal, the key is in place. */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	memcpy(ret_key, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

int
x509_master_key_load_or_create(const char *path, unsigned char ret_key[X509_MASTER_KEY_LEN])
{
	int fd, r;

	if (path == NULL || *path == '\0')
		return -EINVAL;
	for (int attempt = 0; attempt < 2; attempt++) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			r = read_key(fd, ret_key);
			close(fd);
			return r;
		}
		if (errno != ENOENT)
			return -errno;
		r = create_key(path, ret_key);
		if (r != -EEXIST)
			return r;
		/* Someone else created it in between: read theirs. */
	}
	return -EEXIST;
}
