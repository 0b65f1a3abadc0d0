/* Endpoints of a registry domain: docker.io -> registry-1.docker.io after
 * its mirrors (pulls), any other domain as itself; insecure-registries
 * decide the HTTP fallback (see registry.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

#define DOCKER_HUB_HOST "registry-1.docker.io"

static bool is_hub(const char *domain)
{
	return strcmp(domain, REF_DEFAULT_DOMAIN) == 0 || strcmp(domain, REF_LEGACY_DOMAIN) == 0;
}

/* "https://mirror:5000[/]" -> host and scheme. */
int reg_mirror_parse(const char *url, char **host, bool *http, struct berth_error **err)
{
	const char *s;
	if (strncmp(url, "https://", 8) == 0) {
		s = url + 8;
		*http = false;
	} else if (strncmp(url, "http://", 7) == 0) {
		s = url + 7;
		*http = true;
	} else {
		return berth_error_set(err, EINVAL,
				       "registry mirror \"%.200s\": must start with http:// or "
				       "https://",
				       url);
	}
	size_t n = strcspn(s, "/?#");
	if (n == 0 || (s[n] && strcmp(s + n, "/") != 0))
		return berth_error_set(
		    err, EINVAL,
		    "registry mirror \"%.200s\": must be a scheme and a host[:port], "
		    "without a path",
		    url);
	*host = xasprintf("%.*s", (int)n, s);
	if (!ref_domain_valid(*host)) {
		free(*host);
		*host = NULL;
		return berth_error_set(err, EINVAL, "registry mirror \"%.200s\": invalid host",
				       url);
	}
	return 0;
}

static void add(struct reg_endpoint **eps, size_t *n, char *host, bool http, bool insecure,
		bool mirror)
{
	*eps = xrealloc(*eps, (*n + 1) * sizeof(**eps));
	(*eps)[(*n)++] = (struct reg_endpoint){host, http, insecure, mirror};
}

int reg_endpoints(struct reg_client *c, const char *domain, bool pull, struct reg_endpoint **out,
		  size_t *n, struct berth_error **err)
{
	const char *const *insecure = (const char *const *)c->insecure;
	*out = NULL;
	*n = 0;
	if (!is_hub(domain)) {
		add(out, n, xstrdup(domain), false,
		    reg_insecure_match(insecure, domain, !c->o.secure_loopback, true), false);
		return 0;
	}
	for (size_t i = 0; pull && c->mirrors && c->mirrors[i]; i++) {
		char *host;
		bool http;
		if (reg_mirror_parse(c->mirrors[i], &host, &http, err) < 0) {
			reg_endpoints_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		add(out, n, host, http,
		    reg_insecure_match(insecure, host, !c->o.secure_loopback, true), true);
	}
	add(out, n, xstrdup(DOCKER_HUB_HOST), false, false, false);
	return 0;
}

void reg_endpoints_free(struct reg_endpoint *eps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(eps[i].host);
	free(eps);
}

char *reg_location_url(const struct reg_resp *resp, const char *location)
{
	if (strncmp(location, "http://", 7) == 0 || strncmp(location, "https://", 8) == 0)
		return xstrdup(location);
	const char *u = resp->url ? resp->url : "";
	const char *s = strstr(u, "://");
	size_t origin = s ? (size_t)(s + 3 - u) + strcspn(s + 3, "/?#") : 0;
	return xasprintf("%.*s%s%s", (int)origin, u, location[0] == '/' ? "" : "/", location);
}
