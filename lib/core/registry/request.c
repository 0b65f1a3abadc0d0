/* One logical request: endpoints (mirrors, then the origin), HTTPS with the
 * HTTP fallback of insecure registries, authentication after a 401, and
 * retries with exponential backoff (see internal.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void reg_backoff(const struct reg_client *c, int attempt, const struct reg_resp *resp)
{
	long ms = c->o.backoff_ms;
	for (int i = 0; i < attempt && ms < c->o.backoff_max_ms; i++)
		ms *= 2;
	const char *ra = resp ? reg_resp_header(resp, "retry-after") : NULL;
	if (ra) {
		char *end;
		long s = strtol(ra, &end, 10);
		if (*end == '\0' && s >= 0 && s < 3600)
			ms = s * 1000;
	}
	if (ms > c->o.backoff_max_ms)
		ms = c->o.backoff_max_ms;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* host[:port] of an absolute URL. */
static char *url_host(const char *url)
{
	const char *s = strstr(url, "://");
	s = s ? s + 3 : url;
	return xasprintf("%.*s", (int)strcspn(s, "/?#"), s);
}

static bool is_absolute(const char *path)
{
	return strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0;
}

static bool may_retry(const struct reg_client *c, const struct reg_req *req,
		      const struct reg_resp *resp, int attempt)
{
	return !req->no_retry && attempt < c->o.max_retries &&
	       !(req->no_retry_after_data && resp->sink_got_data);
}

static int attempt_endpoint(struct reg_repo *r, const struct reg_endpoint *ep,
			    const struct reg_req *req, struct reg_resp *resp,
			    struct berth_error **err)
{
	struct reg_client *c = r->c;
	bool absolute = is_absolute(req->path);
	int scheme = ep->http ? REG_HTTP : reg_host_scheme(c, ep->host);
	bool fell_back = scheme == REG_HTTP;
	if (scheme == 0)
		scheme = REG_HTTPS;
	bool auth_done = false;
	for (int attempt = 0;;) {
		cleanup_free char *url =
		    absolute ? xstrdup(req->path)
			     : xasprintf("%s://%s%s", scheme == REG_HTTP ? "http" : "https",
					 ep->host, req->path);
		cleanup_free char *host = absolute ? url_host(url) : xstrdup(ep->host);
		cleanup_free char *auth = NULL;
		if (reg_auth_header(r, host, &auth, err) < 0)
			return -1;
		struct berth_error *e = NULL;
		if (reg_http_perform(c, ep, scheme == REG_HTTPS, url, req, auth, resp, &e) < 0) {
			if (resp->curl == CURLE_OK || resp->curl == CURLE_WRITE_ERROR) {
				*err = e; /* not the transport: a sink or set-up error */
				return -1;
			}
			if (!absolute && !fell_back && ep->insecure && resp->status == 0) {
				/* docker's rule: HTTPS first, then plain HTTP */
				berth_error_free(&e);
				scheme = REG_HTTP;
				fell_back = true;
				continue;
			}
			if (reg_curl_retryable(resp->curl) && may_retry(c, req, resp, attempt)) {
				berth_error_free(&e);
				reg_backoff(c, attempt++, NULL);
				continue;
			}
			*err = e;
			return -1;
		}
		if (!absolute)
			reg_host_scheme_set(c, ep->host, scheme);
		if (resp->status == 401 && !auth_done) {
			auth_done = true;
			int a = reg_auth_challenge(r, host, resp, err);
			if (a < 0)
				return -1;
			if (a > 0)
				continue;
			return 0;
		}
		if ((resp->status >= 500 || resp->status == 429) &&
		    may_retry(c, req, resp, attempt)) {
			reg_backoff(c, attempt++, resp);
			continue;
		}
		return 0;
	}
}

int reg_request(struct reg_repo *r, const struct reg_req *req, struct reg_resp *resp,
		struct berth_error **err)
{
	for (size_t i = 0; i < r->n_eps; i++) {
		const struct reg_endpoint *ep = &r->eps[i];
		bool last = i + 1 == r->n_eps;
		if (ep->mirror && (!req->use_mirrors || is_absolute(req->path)))
			continue;
		struct berth_error *e = NULL;
		int rc = attempt_endpoint(r, ep, req, resp, &e);
		resp->ep = i;
		if (ep->mirror && !last && !resp->sink_got_data &&
		    (rc < 0 || resp->status >= 400)) {
			/* a mirror that fails or lacks the content: the next one */
			berth_error_free(&e);
			continue;
		}
		if (rc < 0) {
			*err = e;
			return -1;
		}
		return 0;
	}
	return berth_error_set(err, EINVAL, "%s: no endpoint", r->domain);
}
