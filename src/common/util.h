/* util.h - small helpers: UUIDs, time stamps, randomness, number parsing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UUID_STR_LEN 37

/* Write a new lowercase v4 UUID (36 chars + NUL) into out. */
void uuid_new(char out[UUID_STR_LEN]);
/* True if s is a UUID in dashed or undashed form (oslo is_uuid_like, case-insensitive). */
bool uuid_is_like(const char *s);
/* Normalise a UUID-like string to the dashed lowercase form; 0 or -EINVAL. */
int uuid_normalize(const char *s, char out[UUID_STR_LEN]);

/* ISO-8601 UTC with microseconds and offset: 2016-08-15T21:56:08.123456+00:00 */
#define TIMESTAMP_LEN 40
void time_now_iso(char out[TIMESTAMP_LEN]);
void time_iso(const struct timespec *ts, char out[TIMESTAMP_LEN]);
/* Parse the format above (also without fraction or with Z); 0 or -EINVAL. */
int time_parse_iso(const char *s, time_t *ret);
/* Monotonic time in microseconds. */
uint64_t time_mono_us(void);

/* mkdir -p with mode for every missing directory. Returns 0 or -errno. */
int mkdir_p(const char *path, unsigned mode);

/* Fill buf with n cryptographically random bytes (getrandom); 0 or -errno. */
int random_bytes(void *buf, size_t n);
/* Write 2*nbytes lowercase hex chars + NUL into out. */
int random_hex(char *out, size_t nbytes);
/* Uniform random integer in [0, n). */
uint32_t random_below(uint32_t n);

/* Parse a whole decimal integer in [min, max]; 0 or -EINVAL / -ERANGE. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret);
/* oslo/wsme boolean spellings (t/true/y/yes/on/1, f/false/n/no/off/0); 0 or -EINVAL. */
int parse_bool(const char *s, bool *ret);

/* Random Magnum-style name "<greek>-<1..24>-<suffix>"; caller frees. */
char *random_name(const char *suffix);
