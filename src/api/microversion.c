/* microversion.c - OpenStack-API-Version header negotiation. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/microversion.h"
#include "common/cleanup.h"

static const char *const services[] = {
	"container-infra", "container-infrastructure", "container-infrastructure-management",
};

/* Parse "X.Y" (digits only); 0 or -1. */
static int
parse_xy(const char *s, int *ret_major, int *ret_minor)
{
	char *end;
	long a, b;

	if (!isdigit((unsigned char)*s))
		return -1;
	a = strtol(s, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return -1;
	b = strtol(end + 1, &end, 10);
	if (*end != '\0' || a > 1000000 || b > 1000000)
		return -1;
	*ret_major = (int)a;
	*ret_minor = (int)b;
	return 0;
}

enum mv_result
mv_parse(const char *value, int legacy, int min_minor, int max_minor, int *ret_major,
	 int *ret_minor)
{
	char buf[256], *tok[3], *save = NULL;
	int n = 0, major, minor;
	const char *ver;

	*ret_major = 1;
	*ret_minor = min_minor;
	if (value == NULL)
		return MV_OK;
	if (strlen(value) >= sizeof(buf))
		return legacy ? MV_BAD_VALUE : MV_BAD_SERVICE;
	snprintf(buf, sizeof(buf), "%s", value);
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 3)
			break;
		tok[n++] = t;
	}
	if (legacy) {
		if (n != 1)
			return MV_BAD_VALUE;
		ver = tok[0];
	} else {
		bool known = false;

		if (n != 2)
			return MV_BAD_SERVICE;
		ver = tok[1];
		if (strcasecmp(ver, "latest") != 0) {
			for (size_t i = 0; i < ARRAY_SIZE(services); i++)
				if (streq(tok[0], services[i]))
					known = true;
			if (!known)
				return MV_BAD_SERVICE;
		}
	}
	if (strcasecmp(ver, "latest") == 0) {
		*ret_minor = max_minor;
		return MV_OK;
	}
	if (parse_xy(ver, &major, &minor) < 0)
		return MV_BAD_VALUE;
	*ret_major = major;
	*ret_minor = minor;
	if (major != 1)
		return MV_BAD_MAJOR;
	if (minor < min_minor || minor > max_minor)
		return MV_BAD_MINOR;
	return MV_OK;
}
