/* err.h - the single mapping from negative errno to HTTP status. */
#pragma once

/*
 * -EINVAL 400, -EPERM 401, -EACCES 403, -ENOENT 404, -ENOTSUP 406 (version),
 * -EEXIST/-EBUSY 409, -E2BIG 413, -EPROTO 415, -ENOSYS 501,
 * -ETIMEDOUT/-EAGAIN 503, anything else 500.
 */
int err_to_http(int r);
