/* digest.h - message digests for code that must not include OpenSSL itself. */
#pragma once

#include <stddef.h>

/* Lowercase hex SHA-256 of data into out (65 bytes). Returns 0 or -EIO. */
int digest_sha256_hex(const void *data, size_t len, char out[65]);
/* MD5 as colon-separated hex pairs ("aa:bb:..."), the legacy SSH key fingerprint (48 bytes). */
int digest_md5_colon(const void *data, size_t len, char out[48]);
/* Decode standard base64 into out (at most *len bytes; *len receives the size). 0 or -EINVAL. */
int digest_base64_decode(const char *in, unsigned char *out, size_t *len);
