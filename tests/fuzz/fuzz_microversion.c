/* fuzz_microversion.c - the OpenStack-API-Version header parser, both header styles. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/microversion.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	int major, minor;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (int legacy = 0; legacy < 2; legacy++) {
		enum mv_result r = mv_parse(s, legacy, 1, 14, &major, &minor);

		/* an accepted version is always inside the range */
		if (r == MV_OK && (major != 1 || minor < 1 || minor > 14))
			abort();
		if ((r == MV_BAD_SERVICE || r == MV_BAD_VALUE) && (major != 1 || minor != 1))
			abort();
		if (r == MV_BAD_MAJOR && major == 1)
			abort();
		if (r == MV_BAD_MINOR && (major != 1 || (minor >= 1 && minor <= 14)))
			abort();
		if (r == MV_BAD_SERVICE && legacy)
			abort();
	}
	free(s);
	return 0;
}
