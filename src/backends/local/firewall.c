/* firewall.c - per-bay nftables table through `nft -f -` (see firewall.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/local/firewall.h"
#include "backends/local/lutil.h"
#include "common/cleanup.h"

static const char *const nft_paths[] = { "/usr/sbin/nft", "/sbin/nft" };

static const char *
nft_path(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(nft_paths); i++)
		if (access(nft_paths[i], X_OK) == 0)
			return nft_paths[i];
	return NULL;
}

static int
check_name(const char *s, size_t max)
{
	if (s == NULL || *s == '\0' || strlen(s) > max || !isalpha((unsigned char)*s))
		return -EINVAL;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return -EINVAL;
	return 0;
}

/* "a.b.c.d/len" with no host bits set */
static int
check_cidr(const char *s)
{
	char tmp[32], *slash, *end;
	struct in_addr a;
	long len;

	if (s == NULL || snprintf(tmp, sizeof(tmp), "%s", s) >= (int)sizeof(tmp))
		return -EINVAL;
	slash = strchr(tmp, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash++ = '\0';
	len = strtol(slash, &end, 10);
	if (*slash == '\0' || *end || len < 1 || len > 32 || inet_pton(AF_INET, tmp, &a) != 1)
		return -EINVAL;
	if (len < 32 && (ntohl(a.s_addr) & (0xffffffffu >> len)))
		return -EINVAL;
	return 0;
}

static int
nft(const char *script, char *err, size_t errlen)
{
	const char *path = nft_path();
	const char *const argv[] = { path, "-f", "-", NULL };

	if (path == NULL)
		return lu_errf(err, errlen, -ENOENT, "nft not found (nftables)");
	return lu_run(argv, script, err, errlen);
}

/* Append to script; -ENAMETOOLONG once it no longer fits. */
static int __attribute__((format(printf, 3, 4)))
put(char *buf, size_t n, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf + used, n - used, fmt, ap);
	va_end(ap);
	return r < 0 || (size_t)r >= n - used ? -ENAMETOOLONG : 0;
}

int
fw_bay_add(const char *table, const char *bridge, const char *cidr, bool egress,
	   char *err, size_t errlen)
{
	char script[2048] = "", msg[512];
	int r = 0;

	if (check_name(table, 32) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad table name '%s'", strempty(table));
	if (check_name(bridge, IFNAMSIZ - 1) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad bridge name '%s'", strempty(bridge));
	if (check_cidr(cidr) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad cidr '%s'", strempty(cidr));

	/* add + delete + define in one nft transaction: replaces an existing table
	 * atomically, and works when there is none */
	r |= put(script, sizeof(script), "add table ip %s\ndelete table ip %s\n", table, table);
	r |= put(script, sizeof(script), "table ip %s {\n\tchain forward {\n"
		 "\t\ttype filter hook forward priority -10; policy accept;\n", table);
	if (egress)
		r |= put(script, sizeof(script), "\t\tct state established,related accept\n");
	else
		r |= put(script, sizeof(script), "\t\tiifname \"%s\" ip daddr != %s drop\n",
			 bridge, cidr);
	r |= put(script, sizeof(script), "\t\tiifname != \"%s\" ip daddr %s drop\n\t}\n",
		 bridge, cidr);
	if (egress)
		r |= put(script, sizeof(script), "\tchain postrouting {\n"
			 "\t\ttype nat hook postrouting priority 100; policy accept;\n"
			 "\t\tip saddr %s oifname != \"%s\" masquerade\n\t}\n", cidr, bridge);
	r |= put(script, sizeof(script), "}\n");
	if (r < 0)
		return lu_errf(err, errlen, -ENAMETOOLONG, "nft script too long");
	r = nft(script, msg, sizeof(msg));
	if (r < 0)
		return lu_errf(err, errlen, r, "nft add table %s: %s", table, msg);
	return 0;
}

int
fw_table_exists(const char *table)
{
	const char *path = nft_path();
	char msg[256];
	int r;

	if (check_name(table, 32) < 0)
		return -EINVAL;
	if (path == NULL)
		return -ENOENT;
	const char *const argv[] = { path, "list", "table", "ip", table, NULL };

	r = lu_run(argv, NULL, msg, sizeof(msg));
	if (r == 0)
		return 1;
	if (r == -EIO && (strstr(msg, "No such file") || strstr(msg, "does not exist")))
		return 0;
	return r;
}

int
fw_bay_del(const char *table, char *err, size_t errlen)
{
	char script[128], msg[512];
	int r;

	if (check_name(table, 32) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad table name '%s'", strempty(table));
	/* "add" first makes the delete succeed when the table is absent */
	snprintf(script, sizeof(script), "add table ip %1$s\ndelete table ip %1$s\n", table);
	r = nft(script, msg, sizeof(msg));
	if (r < 0)
		return lu_errf(err, errlen, r, "nft delete table %s: %s", table, msg);
	return 0;
}
