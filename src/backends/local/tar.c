/*
 * tar.c - the ustar writer (POSIX.1-1988 header layout: name 100, mode 8,
 * uid 8, gid 8, size 12, mtime 12, chksum 8, typeflag 1, linkname 100,
 * magic "ustar\0", version "00", uname 32, gname 32, devmajor 8, devminor 8,
 * prefix 155).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backends/local/tar.h"

struct ustar_header {
	char	name[100];
	char	mode[8];
	char	uid[8];
	char	gid[8];
	char	size[12];
	char	mtime[12];
	char	chksum[8];
	char	typeflag;
	char	linkname[100];
	char	magic[6];
	char	version[2];
	char	uname[32];
	char	gname[32];
	char	devmajor[8];
	char	devminor[8];
	char	prefix[155];
	char	pad[12];
};

_Static_assert(sizeof(struct ustar_header) == TAR_BLOCK, "ustar header is one block");

static const char zeros[2 * TAR_BLOCK];

/* Write v in octal into a field of n bytes: n-1 digits and a NUL. */
static int
octal(char *field, size_t n, unsigned long long v)
{
	char tmp[32];
	int k = snprintf(tmp, sizeof(tmp), "%0*llo", (int)(n - 1), v);

	if (k < 0 || (size_t)k != n - 1)
		return -EINVAL;	/* does not fit */
	memcpy(field, tmp, n);	/* includes the NUL */
	return 0;
}

/* Split name into ustar's prefix and name fields. */
static int
set_name(struct ustar_header *h, const char *name)
{
	size_t len = strlen(name);
	const char *slash;

	if (len == 0)
		return -EINVAL;
	if (len <= sizeof(h->name)) {
		memcpy(h->name, name, len);
		return 0;
	}
	/* the last '/' that leaves at most 100 bytes after it, at most 155 before */
	for (slash = name + len - 1; slash > name; slash--) {
		if (*slash != '/' || slash == name + len - 1)
			continue;
		if ((size_t)(name + len - slash - 1) > sizeof(h->name))
			break;
		if ((size_t)(slash - name) <= sizeof(h->prefix)) {
			memcpy(h->prefix, name, (size_t)(slash - name));
			memcpy(h->name, slash + 1, len - (size_t)(slash - name) - 1);
			return 0;
		}
	}
	return -EINVAL;
}

int
tar_add(struct strbuf *sb, const char *name, enum tar_type type, unsigned mode,
	const void *data, size_t len, const char *linkname)
{
	struct ustar_header h;
	unsigned sum = 0;
	size_t pad;
	int r;

	memset(&h, 0, sizeof(h));
	if (type != TAR_FILE)
		len = 0;
	if (set_name(&h, name) < 0)
		return -EINVAL;
	if (type == TAR_SYMLINK) {
		if (linkname == NULL || *linkname == '\0' || strlen(linkname) > sizeof(h.linkname))
			return -EINVAL;
		memcpy(h.linkname, linkname, strlen(linkname));
	}
	if (octal(h.mode, sizeof(h.mode), mode & 07777) < 0 ||
	    octal(h.uid, sizeof(h.uid), 0) < 0 || octal(h.gid, sizeof(h.gid), 0) < 0 ||
	    octal(h.size, sizeof(h.size), len) < 0 || octal(h.mtime, sizeof(h.mtime), 0) < 0 ||
	    octal(h.devmajor, sizeof(h.devmajor), 0) < 0 ||
	    octal(h.devminor, sizeof(h.devminor), 0) < 0)
		return -EINVAL;
	h.typeflag = (char)type;
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	memcpy(h.uname, "root", 4);
	memcpy(h.gname, "root", 4);

	/* the checksum is computed with its own field as eight spaces */
	memset(h.chksum, ' ', sizeof(h.chksum));
	for (size_t i = 0; i < sizeof(h); i++)
		sum += ((const unsigned char *)&h)[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);	/* six digits, NUL, space */
	h.chksum[7] = ' ';

	r = strbuf_append(sb, &h, sizeof(h));
	if (r < 0 || len == 0)
		return r;
	r = strbuf_append(sb, data, len);
	if (r < 0)
		return r;
	pad = (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK;
	return pad ? strbuf_append(sb, zeros, pad) : 0;
}

int
tar_finish(struct strbuf *sb)
{
	return strbuf_append(sb, zeros, sizeof(zeros));
}
