/* strbuf.h - growable NUL-terminated byte buffer. */
#pragma once

#include <stddef.h>
#include <stdarg.h>

struct strbuf {
	char	*buf;	/* always NUL-terminated when non-NULL */
	size_t	len;
	size_t	cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

/* Append; return 0 or -ENOMEM. */
int strbuf_append(struct strbuf *sb, const void *data, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
/* Make room for extra more bytes (and the NUL) without changing the content. */
int strbuf_reserve(struct strbuf *sb, size_t extra);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Give the buffer to the caller (never NULL on success: "" for empty); resets sb. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
