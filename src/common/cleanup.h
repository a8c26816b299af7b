/* cleanup.h - scope-bound cleanup helpers (systemd style). */
#pragma once

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#define _cleanup_(f)	__attribute__((cleanup(f)))
#define DEFINE_CLEANUP(type, fn)					\
	static inline void fn##p(type *p) { if (*p) fn(*p); }
#define TAKE_PTR(p)	({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **)p); }
#define _cleanup_free_	_cleanup_(freep)

/* jansson (>= 2.11) provides json_decrefp(). */
#define _cleanup_json_	_cleanup_(json_decrefp)

static inline void closep(int *fd) { if (*fd >= 0) close(*fd); }
#define _cleanup_close_	_cleanup_(closep)

static inline int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }
static inline int streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}
static inline const char *strempty(const char *s) { return s ? s : ""; }
