/* err.c - negative errno to HTTP status. */
#include <errno.h>

#include "common/err.h"

int
err_to_http(int r)
{
	switch (r < 0 ? -r : r) {
	case EINVAL:
		return 400;
	case EPERM:
		return 401;
	case EACCES:
		return 403;
	case ENOENT:
		return 404;
	case ENOTSUP:
		return 406;
	case EEXIST:
	case EBUSY:
		return 409;
	case E2BIG:
		return 413;
	case EPROTO:
		return 415;
	case ENOSYS:
		return 501;
	case ETIMEDOUT:
	case EAGAIN:
		return 503;
	default:
		return 500;
	}
}
