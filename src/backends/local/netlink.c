/*
 * netlink.c - rtnetlink by hand: one request, one ACK, over a fresh NETLINK_ROUTE socket.
 *
 * A request is built in a fixed buffer (struct nlreq) with rta_put()/nest helpers, sent
 * with NLM_F_ACK, and the kernel's NLMSG_ERROR answer is returned as -errno. To act in
 * another network namespace, a socket is opened by a short-lived thread that setns()es
 * first: a netlink socket stays bound to the netns it was created in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/local/lutil.h"
#include "backends/local/netlink.h"
#include "common/cleanup.h"

#define NLBUF 4096

struct nlreq {
	union {
		struct nlmsghdr	n;
		char		raw[NLBUF];
	};
};

struct cidr {
	int		family;
	unsigned char	addr[16];
	int		alen;
	int		prefix;
};

static int
check_ifname(const char *name)
{
	size_t n;

	if (name == NULL || (n = strlen(name)) == 0)
		return -EINVAL;
	if (n >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (strchr(name, '/') || strchr(name, ' ') || streq(name, ".") || streq(name, ".."))
		return -EINVAL;
	return 0;
}

/* "10.0.0.1/24" (prefix optional when want_prefix is false) */
static int
parse_cidr(const char *s, bool want_prefix, struct cidr *ret)
{
	char tmp[64];
	char *slash;
	struct cidr c = { 0 };

	if (s == NULL || snprintf(tmp, sizeof(tmp), "%s", s) >= (int)sizeof(tmp))
		return -EINVAL;
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, tmp, c.addr) == 1) {
		c.family = AF_INET;
		c.alen = 4;
	} else if (inet_pton(AF_INET6, tmp, c.addr) == 1) {
		c.family = AF_INET6;
		c.alen = 16;
	} else {
		return -EINVAL;
	}
	c.prefix = c.alen * 8;
	if (slash) {
		char *end;
		long p = strtol(slash, &end, 10);

		if (*slash == '\0' || *end != '\0' || p < 0 || p > c.alen * 8)
			return -EINVAL;
		c.prefix = (int)p;
	} else if (want_prefix) {
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

static void
req_init(struct nlreq *r, uint16_t type, uint16_t flags, const void *hdr, size_t hlen)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(hlen);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	memcpy(NLMSG_DATA(&r->n), hdr, hlen);
}

static struct rtattr *
rta_put(struct nlreq *r, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->n.nlmsg_len);
	struct rtattr *a = (struct rtattr *)(r->raw + off);

	if (off + RTA_SPACE(len) > sizeof(*r))
		return NULL;
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->n.nlmsg_len = off + RTA_SPACE(len);
	return a;
}

/* Append raw bytes (a header inside a nest, e.g. VETH_INFO_PEER's ifinfomsg). */
static int
req_put_raw(struct nlreq *r, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(r->n.nlmsg_len);

	if (off + NLMSG_ALIGN(len) > sizeof(*r))
		return -ENOBUFS;
	memcpy(r->raw + off, data, len);
	r->n.nlmsg_len = (uint32_t)(off + NLMSG_ALIGN(len));
	return 0;
}

static int
rta_put_str(struct nlreq *r, uint16_t type, const char *s)
{
	return rta_put(r, type, s, strlen(s) + 1) ? 0 : -ENOBUFS;
}

static int
rta_put_u32(struct nlreq *r, uint16_t type, uint32_t v)
{
	return rta_put(r, type, &v, sizeof(v)) ? 0 : -ENOBUFS;
}

static struct rtattr *
nest_start(struct nlreq *r, uint16_t type)
{
	return rta_put(r, type, NULL, 0);
}

static void
nest_end(struct nlreq *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)(r->raw + r->n.nlmsg_len - (char *)a);
}

static int
nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The kernel's extended ack message of the last failed request of this thread. */
static __thread char ext_msg[160];

/* strerror(-r), plus the kernel's own words when it gave some ("... (Unknown device type)") */
static const char *
nl_strerror(int r)
{
	static __thread char buf[256];

	if (ext_msg[0] == '\0')
		return strerror(-r);
	snprintf(buf, sizeof(buf), "%s (%s)", strerror(-r), ext_msg);
	return buf;
}

static void
ext_ack(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const char *end = (const char *)h + h->nlmsg_len, *p;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return;
	p = (const char *)(e + 1);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		p += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	while (p + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < sizeof(*a) || p + a->nla_len > end)
			break;
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			snprintf(ext_msg, sizeof(ext_msg), "%.*s", (int)(a->nla_len - sizeof(*a)),
				 (const char *)(a + 1));
			return;
		}
		p += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Send r and wait for its answer. With ret/retlen, the first non-error message of the
 * reply (a GET) is copied there. Returns 0 or the kernel's -errno.
 */
static int
nl_talk(int fd, struct nlreq *r, void *ret, size_t retlen)
{
	static __thread uint32_t seq;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool got = false;

	ext_msg[0] = '\0';
	r->n.nlmsg_seq = ++seq;
	if (sendto(fd, &r->n, r->n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (e->error < 0)
					ext_ack(h);
				return e->error;	/* 0 = ACK */
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return got ? 0 : -ENOENT;
			if (ret && !got) {
				memcpy(ret, h, h->nlmsg_len < retlen ? h->nlmsg_len : retlen);
				got = true;
			}
		}
	}
}

/* RTM_GETLINK by name: ifindex (> 0) or -ENODEV; kind (IFLA_INFO_KIND) into kind if given. */
static int
link_get(int fd, const char *name, char *kind, size_t kindlen)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlreq r;
	static __thread char ans[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = (struct nlmsghdr *)ans;
	struct ifinfomsg *a;
	struct rtattr *rta;
	int len, ret;

	if (kind && kindlen)
		kind[0] = '\0';
	req_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	if (rta_put_str(&r, IFLA_IFNAME, name) < 0)
		return -ENOBUFS;
	memset(ans, 0, sizeof(h->nlmsg_len) + 4);
	ret = nl_talk(fd, &r, ans, sizeof(ans));
	if (ret == -ENODEV || ret == -ENOENT)
		return -ENODEV;
	if (ret < 0)
		return ret;
	if (h->nlmsg_type != RTM_NEWLINK)
		return -EIO;
	a = NLMSG_DATA(h);
	len = (int)IFLA_PAYLOAD(h);
	if (h->nlmsg_len > sizeof(ans))
		len = (int)(sizeof(ans) - NLMSG_LENGTH(sizeof(*a)));
	for (rta = IFLA_RTA(a); kind && RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_LINKINFO)
			continue;
		int l2 = (int)RTA_PAYLOAD(rta);

		for (struct rtattr *b = RTA_DATA(rta); RTA_OK(b, l2); b = RTA_NEXT(b, l2))
			if (b->rta_type == IFLA_INFO_KIND)
				snprintf(kind, kindlen, "%.*s", (int)RTA_PAYLOAD(b),
					 (char *)RTA_DATA(b));
	}
	return a->ifi_index;
}

static int
link_up(int fd, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct nlreq r;

	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(fd, &r, NULL, 0);
}

static int
link_set_master(int fd, int ifindex, int master)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct nlreq r;

	req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (rta_put_u32(&r, IFLA_MASTER, (uint32_t)master) < 0)
		return -ENOBUFS;
	return nl_talk(fd, &r, NULL, 0);
}

/* Add an address; present already is fine. */
static int
addr_add(int fd, int ifindex, const struct cidr *c)
{
	struct ifaddrmsg ifa = { .ifa_family = (unsigned char)c->family,
				 .ifa_prefixlen = (unsigned char)c->prefix,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)ifindex };
	struct nlreq r;
	int ret;

	req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	if (!rta_put(&r, IFA_LOCAL, c->addr, (size_t)c->alen) ||
	    !rta_put(&r, IFA_ADDRESS, c->addr, (size_t)c->alen))
		return -ENOBUFS;
	if (c->family == AF_INET && c->prefix < 31) {
		unsigned char brd[4];
		uint32_t a, mask = c->prefix ? htonl(~0u << (32 - c->prefix)) : 0;

		memcpy(&a, c->addr, 4);
		a |= ~mask;
		memcpy(brd, &a, 4);
		if (!rta_put(&r, IFA_BROADCAST, brd, 4))
			return -ENOBUFS;
	}
	ret = nl_talk(fd, &r, NULL, 0);
	return ret == -EEXIST ? 0 : ret;
}

/* Default route via gw (replacing any), out of ifindex. */
static int
route_default(int fd, int ifindex, const struct cidr *gw)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)gw->family, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = RTN_UNICAST };
	struct nlreq r;

	req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rtm, sizeof(rtm));
	if (!rta_put(&r, RTA_GATEWAY, gw->addr, (size_t)gw->alen) ||
	    rta_put_u32(&r, RTA_OIF, (uint32_t)ifindex) < 0)
		return -ENOBUFS;
	return nl_talk(fd, &r, NULL, 0);
}

static int
link_del_fd(int fd, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlreq r;
	int ret;

	req_init(&r, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	if (rta_put_str(&r, IFLA_IFNAME, name) < 0)
		return -ENOBUFS;
	ret = nl_talk(fd, &r, NULL, 0);
	return ret == -ENODEV ? 0 : ret;
}

int
nl_link_del(const char *name)
{
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = check_ifname(name)) < 0)
		return r;
	fd = nl_open();
	if (fd < 0)
		return fd;
	return link_del_fd(fd, name);
}

int
nl_link_exists(const char *name)
{
	_cleanup_close_ int fd = -1;
	int r;

	if ((r = check_ifname(name)) < 0)
		return r;
	fd = nl_open();
	if (fd < 0)
		return fd;
	r = link_get(fd, name, NULL, 0);
	if (r == -ENODEV)
		return 0;
	return r < 0 ? r : 1;
}

int
nl_bridge_add(const char *name, const char *addr_cidr, char *err, size_t errlen)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	_cleanup_close_ int fd = -1;
	struct rtattr *li;
	struct nlreq req;
	struct cidr c;
	char kind[32];
	int r, idx;

	if ((r = check_ifname(name)) < 0)
		return lu_errf(err, errlen, r, "bad bridge name '%s'", strempty(name));
	if (addr_cidr && parse_cidr(addr_cidr, true, &c) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad address '%s'", addr_cidr);
	fd = nl_open();
	if (fd < 0)
		return lu_errf(err, errlen, fd, "netlink socket: %s", strerror(-fd));

	req_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	if (rta_put_str(&req, IFLA_IFNAME, name) < 0 ||
	    (li = nest_start(&req, IFLA_LINKINFO)) == NULL ||
	    rta_put_str(&req, IFLA_INFO_KIND, "bridge") < 0)
		return -ENOBUFS;
	nest_end(&req, li);
	r = nl_talk(fd, &req, NULL, 0);
	if (r < 0 && r != -EEXIST)
		return lu_errf(err, errlen, r, "create bridge %s: %s", name, nl_strerror(r));

	idx = link_get(fd, name, kind, sizeof(kind));
	if (idx < 0)
		return lu_errf(err, errlen, idx, "look up bridge %s: %s", name, nl_strerror(idx));
	if (!streq(kind, "bridge"))
		return lu_errf(err, errlen, -EEXIST, "%s exists and is not a bridge (kind '%s')",
			       name, kind);
	if (addr_cidr && (r = addr_add(fd, idx, &c)) < 0)
		return lu_errf(err, errlen, r, "add %s to %s: %s", addr_cidr, name, nl_strerror(r));
	if ((r = link_up(fd, idx)) < 0)
		return lu_errf(err, errlen, r, "set %s up: %s", name, nl_strerror(r));
	return 0;
}

struct ns_sock {
	int	netns_fd;
	int	ret;		/* socket fd or -errno */
};

static void *
ns_sock_thread(void *p)
{
	struct ns_sock *s = p;

	/* Only this thread changes netns; it ends right after. */
	if (setns(s->netns_fd, CLONE_NEWNET) < 0) {
		s->ret = -errno;
		return NULL;
	}
	s->ret = nl_open();
	return NULL;
}

/* A NETLINK_ROUTE socket bound to the network namespace netns_fd. */
static int
nl_open_in_netns(int netns_fd)
{
	struct ns_sock s = { .netns_fd = netns_fd, .ret = -EIO };
	pthread_t t;
	int r;

	r = pthread_create(&t, NULL, ns_sock_thread, &s);
	if (r != 0)
		return -r;
	pthread_join(t, NULL);
	return s.ret;
}

int
nl_veth_add_to_netns(const char *host_if, const char *bridge, int netns_fd,
		     const char *ns_ifname, const char *addr_cidr, const char *gateway,
		     char *err, size_t errlen)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC }, peer = { .ifi_family = AF_UNSPEC };
	_cleanup_close_ int fd = -1, nsfd = -1;
	struct rtattr *li, *data, *pe;
	struct nlreq req;
	struct cidr a, g;
	char kind[32];
	int r, idx, bidx, nidx, lo;

	if ((r = check_ifname(host_if)) < 0 || (r = check_ifname(bridge)) < 0 ||
	    (r = check_ifname(ns_ifname)) < 0)
		return lu_errf(err, errlen, r, "bad interface name (%s, %s, %s)",
			       strempty(host_if), strempty(bridge), strempty(ns_ifname));
	if (netns_fd < 0)
		return lu_errf(err, errlen, -EBADF, "no netns fd");
	if (addr_cidr && parse_cidr(addr_cidr, true, &a) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad address '%s'", addr_cidr);
	if (gateway && parse_cidr(gateway, false, &g) < 0)
		return lu_errf(err, errlen, -EINVAL, "bad gateway '%s'", gateway);

	fd = nl_open();
	if (fd < 0)
		return lu_errf(err, errlen, fd, "netlink socket: %s", strerror(-fd));
	bidx = link_get(fd, bridge, NULL, 0);
	if (bidx < 0)
		return lu_errf(err, errlen, bidx, "bridge %s: %s", bridge, nl_strerror(bidx));

	/* re-run: replace our old pair (deleting one end deletes both) */
	idx = link_get(fd, host_if, kind, sizeof(kind));
	if (idx > 0 && !streq(kind, "veth"))
		return lu_errf(err, errlen, -EEXIST, "%s exists and is not a veth (kind '%s')",
			       host_if, kind);
	if (idx > 0 && (r = link_del_fd(fd, host_if)) < 0)
		return lu_errf(err, errlen, r, "delete old %s: %s", host_if, nl_strerror(r));

	/* the peer is created directly inside the netns, under its final name */
	req_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	if (rta_put_str(&req, IFLA_IFNAME, host_if) < 0 ||
	    (li = nest_start(&req, IFLA_LINKINFO)) == NULL ||
	    rta_put_str(&req, IFLA_INFO_KIND, "veth") < 0 ||
	    (data = nest_start(&req, IFLA_INFO_DATA)) == NULL ||
	    (pe = nest_start(&req, VETH_INFO_PEER)) == NULL ||
	    req_put_raw(&req, &peer, sizeof(peer)) < 0)	/* the peer's ifinfomsg */
		return -ENOBUFS;
	if (rta_put_str(&req, IFLA_IFNAME, ns_ifname) < 0 ||
	    rta_put_u32(&req, IFLA_NET_NS_FD, (uint32_t)netns_fd) < 0)
		return -ENOBUFS;
	nest_end(&req, pe);
	nest_end(&req, data);
	nest_end(&req, li);
	r = nl_talk(fd, &req, NULL, 0);
	if (r < 0)
		return lu_errf(err, errlen, r, "create veth %s/%s: %s", host_if, ns_ifname,
			       nl_strerror(r));

	/* inside the netns */
	nsfd = nl_open_in_netns(netns_fd);
	if (nsfd < 0) {
		r = nsfd;
		lu_errf(err, errlen, r, "netlink socket in netns: %s", nl_strerror(r));
		goto fail;
	}
	nidx = link_get(nsfd, ns_ifname, NULL, 0);
	lo = link_get(nsfd, "lo", NULL, 0);
	if (nidx < 0 || lo < 0) {
		r = nidx < 0 ? nidx : lo;
		lu_errf(err, errlen, r, "find %s/lo in netns: %s", ns_ifname, nl_strerror(r));
		goto fail;
	}
	if (addr_cidr && (r = addr_add(nsfd, nidx, &a)) < 0) {
		lu_errf(err, errlen, r, "add %s to %s: %s", addr_cidr, ns_ifname, nl_strerror(r));
		goto fail;
	}
	if ((r = link_up(nsfd, lo)) < 0 || (r = link_up(nsfd, nidx)) < 0) {
		lu_errf(err, errlen, r, "set lo/%s up: %s", ns_ifname, nl_strerror(r));
		goto fail;
	}

	/* host end: into the bridge, up (before the route: a gateway needs a live link) */
	idx = link_get(fd, host_if, NULL, 0);
	if (idx < 0 || (r = link_set_master(fd, idx, bidx)) < 0) {
		r = idx < 0 ? idx : r;
		lu_errf(err, errlen, r, "enslave %s to %s: %s", host_if, bridge, nl_strerror(r));
		goto fail;
	}
	if (gateway && (r = route_default(nsfd, nidx, &g)) < 0) {
		lu_errf(err, errlen, r, "default route via %s: %s", gateway, nl_strerror(r));
		goto fail;
	}
	return 0;
fail:
	(void)link_del_fd(fd, host_if);
	return r;
}
