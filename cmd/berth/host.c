/* Daemon address (-H, BERTH_HOST, DOCKER_HOST) and API version negotiation. */
#include "host.h"

#include "common/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool set(const char *s)
{
	return s != NULL && *s != '\0';
}

char *cli_host_pick(const char *flag, const char *berth_host, const char *docker_host)
{
	if (set(flag))
		return xstrdup(flag);
	if (set(berth_host))
		return xstrdup(berth_host);
	if (set(docker_host))
		return xstrdup(docker_host);
	return xstrdup(CLI_DEFAULT_HOST);
}

int cli_host_socket_path(const char *host, char **path, struct berth_error **err)
{
	const char *p;
	if (strncmp(host, "unix://", 7) == 0) {
		p = host + 7;
		if (*p == '\0')
			p = CLI_DEFAULT_HOST + 7;
	} else if (host[0] == '/') {
		p = host;
	} else {
		const char *sep = strstr(host, "://");
		if (sep)
			return berth_error_set(err, ENOTSUP,
					       "unsupported host %s: berth talks to berthd on "
					       "unix sockets only (unix:///path)",
					       host);
		return berth_error_set(err, EINVAL, "invalid host %s: expected unix:///path", host);
	}
	if (p[0] != '/')
		return berth_error_set(err, EINVAL,
				       "invalid host %s: the socket path must be absolute", host);
	*path = xstrdup(p);
	return 0;
}

static long part(const char **s)
{
	char *end;
	long v = strtol(*s, &end, 10);
	if (end == *s)
		v = 0;
	while (*end && *end != '.')
		end++;
	if (*end == '.')
		end++;
	*s = end;
	return v;
}

int cli_apiver_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = part(&a), y = part(&b);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

const char *cli_apiver_negotiate(const char *server, const char *client_max)
{
	if (!set(server))
		server = CLI_API_VERSION_FALLBACK;
	return cli_apiver_cmp(server, client_max) > 0 ? client_max : server;
}
