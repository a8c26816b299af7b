/* strbuf.c - growable NUL-terminated byte buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

static int
strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1, ncap;
	char *n;

	if (need <= sb->cap)
		return 0;
	ncap = sb->cap ? sb->cap : 64;
	while (ncap < need)
		ncap *= 2;
	n = realloc(sb->buf, ncap);
	if (n == NULL)
		return -ENOMEM;
	sb->buf = n;
	sb->cap = ncap;
	return 0;
}

int
strbuf_append(struct strbuf *sb, const void *data, size_t n)
{
	if (strbuf_grow(sb, n) < 0)
		return -ENOMEM;
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

int
strbuf_reserve(struct strbuf *sb, size_t extra)
{
	return strbuf_grow(sb, extra);
}

int
strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t avail;
	int n;

	/* Usually one pass: format into the room there is, grow only if it did not fit. */
	if (strbuf_grow(sb, 64) < 0)
		return -ENOMEM;
	avail = sb->cap - sb->len;
	va_copy(ap2, ap);
	n = vsnprintf(sb->buf + sb->len, avail, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		return -EINVAL;
	}
	if ((size_t)n >= avail) {
		if (strbuf_grow(sb, (size_t)n) < 0) {
			sb->buf[sb->len] = '\0';
			return -ENOMEM;
		}
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
	return 0;
}

int
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return r;
}

char *
strbuf_steal(struct strbuf *sb)
{
	char *p = sb->buf;

	if (p == NULL)
		p = strdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}
