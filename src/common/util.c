/* util.c - UUIDs, time stamps, randomness, number parsing. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <limits.h>
#include <uuid/uuid.h>

#include "common/util.h"

void
uuid_new(char out[UUID_STR_LEN])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

int
uuid_normalize(const char *s, char out[UUID_STR_LEN])
{
	char hex[33];
	size_t n = 0;

	if (s == NULL)
		return -EINVAL;
	/* Accept 8-4-4-4-12 or 32 hex digits, optionally in braces or urn:uuid: */
	if (strncasecmp(s, "urn:uuid:", 9) == 0)
		s += 9;
	size_t len = strlen(s);
	if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len != 36 && len != 32)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		hex[n++] = (char)tolower((unsigned char)s[i]);
	}
	if (n != 32)
		return -EINVAL;
	snprintf(out, UUID_STR_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
		 hex + 20);
	return 0;
}

bool
uuid_is_like(const char *s)
{
	char tmp[UUID_STR_LEN];

	return uuid_normalize(s, tmp) == 0;
}

void
time_iso(const struct timespec *ts, char out[TIMESTAMP_LEN])
{
	struct tm tm;
	char base[32];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, TIMESTAMP_LEN, "%.19s.%06d+00:00", base, (int)((ts->tv_nsec / 1000) % 1000000));
}

void
time_now_iso(char out[TIMESTAMP_LEN])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	time_iso(&ts, out);
}

int
time_parse_iso(const char *s, time_t *ret)
{
	struct tm tm;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL)
		return -EINVAL;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -EINVAL;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p && strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -EINVAL;
	*ret = timegm(&tm);
	return 0;
}

uint64_t
time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int
random_bytes(void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = getrandom((char *)buf + off, n - off, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)k;
	}
	return 0;
}

int
random_hex(char *out, size_t nbytes)
{
	unsigned char b[64];
	int r;

	if (nbytes > sizeof(b))
		return -EINVAL;
	r = random_bytes(b, nbytes);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

uint32_t
random_below(uint32_t n)
{
	uint32_t v, lim;

	if (n <= 1)
		return 0;
	lim = UINT32_MAX - UINT32_MAX % n;
	do {
		if (random_bytes(&v, sizeof(v)) < 0)
			return 0;
	} while (v >= lim);
	return v % n;
}

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int
parse_bool(const char *s, bool *ret)
{
	static const char *yes[] = { "t", "true", "y", "yes", "on", "1" };
	static const char *no[] = { "f", "false", "n", "no", "off", "0" };

	if (s == NULL)
		return -EINVAL;
	for (size_t i = 0; i < 6; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

char *
random_name(const char *suffix)
{
	static const char *greek[] = {
		"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
		"iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi",
		"rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
	};
	char *out = NULL;

	if (asprintf(&out, "%s-%u-%s", greek[random_below(24)], random_below(24) + 1,
		     suffix) < 0)
		return NULL;
	return out;
}

/* mkdir -p: create path and its missing parents with mode. Returns 0 or -errno. */
int
mkdir_p(const char *path, unsigned mode)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

