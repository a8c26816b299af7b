/* jsonutil.c - small helpers shared by the request decoders. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "common/jsonutil.h"

json_t *
json_scalar_string(json_t *v)
{
	if (json_is_string(v))
		return json_incref(v);
	if (json_is_integer(v))
		return json_sprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return json_sprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return json_string(json_is_true(v) ? "True" : "False");
	return NULL;
}

int
msg_set(char **ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret, fmt, ap) < 0)
		*ret = NULL;
	va_end(ap);
	return -EINVAL;
}
