/* insecure-registries matching (see registry.h). */
#include "core/registry/registry.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

struct addr {
	int family;
	unsigned char b[16];
};

static bool parse_ip(const char *s, struct addr *a)
{
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = AF_INET6;
		/* ::ffff:a.b.c.d is the IPv4 address */
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a->b, mapped, 12) == 0) {
			memmove(a->b, a->b + 12, 4);
			a->family = AF_INET;
		}
		return true;
	}
	return false;
}

static bool parse_cidr(const char *s, struct addr *net, int *bits)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL || slash[1] == '\0')
		return false;
	cleanup_free char *ip = xasprintf("%.*s", (int)(slash - s), s);
	char *end;
	errno = 0;
	long b = strtol(slash + 1, &end, 10);
	if (*end || errno || b < 0)
		return false;
	if (inet_pton(AF_INET, ip, net->b) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, net->b) == 1)
		net->family = AF_INET6;
	else
		return false;
	if (b > (net->family == AF_INET ? 32 : 128))
		return false;
	*bits = (int)b;
	return true;
}

static bool in_net(const struct addr *a, const struct addr *net, int bits)
{
	if (a->family != net->family)
		return false;
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a->b, net->b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a->b[full] & mask) == (net->b[full] & mask);
}

/* The host part of "name", "name:port", "[v6]:port", "v6". */
static char *host_name(const char *host)
{
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (close)
			return xasprintf("%.*s", (int)(close - host - 1), host + 1);
	}
	const char *colon = strchr(host, ':');
	if (colon && strchr(colon + 1, ':') == NULL)
		return xasprintf("%.*s", (int)(colon - host), host);
	return xstrdup(host);
}

int reg_insecure_validate(const char *entry, struct berth_error **err)
{
	struct addr net;
	int bits;
	if (entry == NULL || *entry == '\0')
		return berth_error_set(err, EINVAL, "insecure registry \"\": empty");
	if (strstr(entry, "://"))
		return berth_error_set(
		    err, EINVAL, "insecure registry \"%.100s\": must not contain a scheme", entry);
	if (strchr(entry, '/')) {
		if (!parse_cidr(entry, &net, &bits))
			return berth_error_set(err, EINVAL,
					       "insecure registry \"%.100s\": invalid CIDR", entry);
		return 0;
	}
	if (!ref_domain_valid(entry))
		return berth_error_set(err, EINVAL,
				       "insecure registry \"%.100s\": not a host[:port] or a CIDR",
				       entry);
	return 0;
}

static bool is_loopback(const struct addr *a)
{
	static const unsigned char v6lo[16] = {[15] = 1};
	if (a->family == AF_INET)
		return a->b[0] == 127;
	return memcmp(a->b, v6lo, 16) == 0;
}

/* Addresses of name: the literal, or (resolve) what it resolves to. */
static size_t addrs_of(const char *name, bool resolve, struct addr *out, size_t max)
{
	if (parse_ip(name, &out[0]))
		return 1;
	if (!resolve)
		return 0;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	size_t n = 0;
	for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			out[n].family = AF_INET;
			memcpy(out[n].b, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			n++;
		} else if (ai->ai_family == AF_INET6) {
			char buf[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, buf,
				  sizeof(buf));
			if (parse_ip(buf, &out[n]))
				n++;
		}
	}
	freeaddrinfo(res);
	return n;
}

bool reg_insecure_match(const char *const *insecure, const char *host, bool loopback, bool resolve)
{
	if (host == NULL || *host == '\0')
		return false;
	cleanup_free char *name = host_name(host);
	if (loopback && strcasecmp(name, "localhost") == 0)
		return true;
	for (size_t i = 0; insecure && insecure[i]; i++)
		if (!strchr(insecure[i], '/') && strcasecmp(insecure[i], host) == 0)
			return true;
	bool cidrs = false;
	for (size_t i = 0; insecure && insecure[i]; i++)
		cidrs |= strchr(insecure[i], '/') != NULL;
	struct addr addrs[16];
	/* a name is resolved (with resolve) to check 127.0.0.0/8 and the CIDRs */
	size_t n = addrs_of(name, resolve, addrs, 16);
	for (size_t k = 0; k < n; k++) {
		if (loopback && is_loopback(&addrs[k]))
			return true;
		for (size_t i = 0; cidrs && insecure[i]; i++) {
			struct addr net;
			int bits;
			if (strchr(insecure[i], '/') && parse_cidr(insecure[i], &net, &bits) &&
			    in_net(&addrs[k], &net, bits))
				return true;
		}
	}
	return false;
}
