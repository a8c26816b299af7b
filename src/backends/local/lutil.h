/* lutil.h - helpers shared by the local backend files (not for other directories). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Format a message into err (if err != NULL && errlen > 0); returns r (a -errno) unchanged. */
int lu_errf(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Run argv[0] (an absolute path, no shell) with stdin fed from in (NULL: /dev/null),
 * stdout discarded and stderr captured into err. No descriptor of the caller leaks in.
 * Returns 0 if it exited 0, -EIO if it exited non-zero (err holds its stderr),
 * -EINTR-free -errno if it could not be started.
 */
int lu_run(const char *const *argv, const char *in, char *err, size_t errlen);

/* Write s to an existing file (no O_CREAT); 0 or -errno. */
int lu_write_file(const char *path, const char *s);
/* Read up to n-1 bytes of a file into buf, NUL-terminated, trailing newlines removed;
 * length or -errno. */
ssize_t lu_read_file(const char *path, char *buf, size_t n);
/* mkdir -p; 0 or -errno. */
int lu_mkdir_p(const char *path, mode_t mode);
/* Milliseconds on CLOCK_MONOTONIC. */
long long lu_now_ms(void);
