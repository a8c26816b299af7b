/*
 * tar.h - a minimal deterministic ustar writer into memory: the caller adds
 * entries in the order they must appear (sorted, for reproducible archives);
 * every entry has mtime 0, uid/gid 0 and owner names "root".
 */
#pragma once

#include <stddef.h>

#include "common/strbuf.h"

#define TAR_BLOCK	512

enum tar_type {
	TAR_FILE	= '0',
	TAR_SYMLINK	= '2',
	TAR_DIR		= '5',
};

/*
 * Append one entry to sb: a file with len bytes of data, a directory (name
 * ends with '/'; data ignored) or a symlink to linkname. Returns 0, -EINVAL
 * for a name longer than ustar allows (100, or 155 + '/' + 100 bytes) or an
 * empty one, -ENOMEM.
 */
int tar_add(struct strbuf *sb, const char *name, enum tar_type type, unsigned mode,
	    const void *data, size_t len, const char *linkname);

/* Append the end-of-archive marker (two zero blocks). Returns 0 or -ENOMEM. */
int tar_finish(struct strbuf *sb);
