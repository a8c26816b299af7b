/* jsonutil.h - small helpers shared by the request decoders. */
#pragma once

#include <jansson.h>

/*
 * A label-style string for a scalar: strings as they are, integers in
 * decimal, reals with %g, booleans as "True"/"False" (Python's spelling).
 * Returns a new reference, or NULL for null, arrays and objects.
 */
json_t *json_scalar_string(json_t *v);

/* Format a message into *ret (caller frees; NULL on OOM) and return -EINVAL. */
int msg_set(char **ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
