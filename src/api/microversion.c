/*
 * microversion.c - OpenStack-API-Version header negotiation (bay doc §1.3,
 * cluster doc §1.2). The parsing decisions are listed in microversion.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "api/microversion.h"
#include "common/cleanup.h"

static const char *const services[] = {
	"container-infra", "container-infrastructure", "container-infrastructure-management", NULL,
};

/*
 * Python's str.split() whitespace over a header value read as Latin-1:
 * space, \t \n \v \f \r, \x1c-\x1f, \x85 and \xa0.
 */
static bool
py_space(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || (u >= 0x1c && u <= 0x1f) || u == 0x85 ||
	       u == 0xa0;
}

static bool
token_is(const char *s, size_t n, const char *word, bool nocase)
{
	if (strlen(word) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (nocase && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/*
 * Python's int() on s[0..n): whitespace around, one sign, digits with single
 * '_' between them. More than 9 significant digits are refused (-1) rather
 * than printed wrongly in the 406 text.
 */
static int
py_int(const char *s, size_t n, int *ret)
{
	size_t i = 0, sig = 0;
	bool neg = false, any = false;
	int v = 0;

	while (n > 0 && py_space(s[n - 1]))
		n--;
	while (i < n && py_space(s[i]))
		i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] == '_' && any && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
			continue;
		if (s[i] < '0' || s[i] > '9')
			return -1;
		any = true;
		if (sig > 0 || s[i] != '0')
			sig++;
		if (sig > 9)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (!any)
		return -1;
	*ret = neg ? -v : v;
	return 0;
}

/* "X.Y" as Python's tuple(int(i) for i in s.split('.')) with two items. */
static int
parse_xy(const char *s, size_t n, int *ret_major, int *ret_minor)
{
	const char *dot = memchr(s, '.', n);

	if (dot == NULL || memchr(dot + 1, '.', n - (size_t)(dot - s) - 1))
		return -1;
	if (py_int(s, (size_t)(dot - s), ret_major) < 0 ||
	    py_int(dot + 1, n - (size_t)(dot - s) - 1, ret_minor) < 0)
		return -1;
	return 0;
}

enum mv_result
mv_parse(const char *value, int legacy, int min_minor, int max_minor, int *ret_major,
	 int *ret_minor)
{
	const char *tok[2] = { NULL, NULL }, *ver;
	size_t len[2] = { 0, 0 }, vlen;
	int ntok = 0, major, minor;

	*ret_major = 1;
	*ret_minor = min_minor;
	if (value == NULL)
		return MV_OK;
	if (legacy) {
		ver = value;
		vlen = strlen(value);
	} else {
		for (const char *p = value; *p;) {
			size_t n = 0;

			while (py_space(*p))
				p++;
			if (*p == '\0')
				break;
			while (p[n] && !py_space(p[n]))
				n++;
			if (ntok == 2)
				return MV_BAD_SERVICE;	/* more than two tokens */
			tok[ntok] = p;
			len[ntok++] = n;
			p += n;
		}
		if (ntok != 2)
			return MV_BAD_SERVICE;
		ver = tok[1];
		vlen = len[1];
	}
	if (token_is(ver, vlen, "latest", true)) {
		/* the service token is replaced too: "foo latest" passes */
		*ret_minor = max_minor;
		return MV_OK;
	}
	if (!legacy) {
		bool known = false;

		for (size_t i = 0; services[i]; i++)
			known = known || token_is(tok[0], len[0], services[i], false);
		if (!known)
			return MV_BAD_SERVICE;
	}
	if (parse_xy(ver, vlen, &major, &minor) < 0)
		return MV_BAD_VALUE;
	*ret_major = major;
	*ret_minor = minor;
	if (major != 1)
		return MV_BAD_MAJOR;
	if (minor < min_minor || minor > max_minor)
		return MV_BAD_MINOR;
	return MV_OK;
}
