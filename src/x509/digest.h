/* digest.h - message digests for code that must not include OpenSSL itself. */
#pragma once

#include <stddef.h>

/* Lowercase hex MD5 (33 bytes) and SHA-512 (129 bytes) of data: Glance's checksum and hash. */
int digest_md5_hex(const void *data, size_t len, char out[33]);
int digest_sha512_hex(const void *data, size_t len, char out[129]);
/* MD5 as colon-separated hex pairs ("aa:bb:..."), the legacy SSH key fingerprint (48 bytes). */
int digest_md5_colon(const void *data, size_t len, char out[48]);
/* Decode standard base64 into out (at most *len bytes; *len receives the size). 0 or -EINVAL. */
int digest_base64_decode(const char *in, unsigned char *out, size_t *len);
