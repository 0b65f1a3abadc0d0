/* Client and repository handles, options, ping (see registry.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

#ifndef BERTH_VERSION
#define BERTH_VERSION "0.1.0"
#endif

void reg_options_init(struct reg_options *o)
{
	*o = (struct reg_options){
	    .max_retries = 3,
	    .backoff_ms = 500,
	    .backoff_max_ms = 10000,
	    .connect_timeout_ms = 30000,
	    .low_speed_limit = 1,
	    .low_speed_time = 30,
	    .user_agent = "berth/" BERTH_VERSION,
	};
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *p)
{
	(void)h;
	(void)access;
	pthread_mutex_lock(&((struct reg_client *)p)->share_lock[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *p)
{
	(void)h;
	pthread_mutex_unlock(&((struct reg_client *)p)->share_lock[data]);
}

static char **strv_copy(const char *const *v)
{
	if (v == NULL)
		return NULL;
	size_t n = 0;
	while (v[n])
		n++;
	char **r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static int check_options(const struct reg_options *o, struct berth_error **err)
{
	for (size_t i = 0; o->insecure && o->insecure[i]; i++)
		if (reg_insecure_validate(o->insecure[i], err) < 0)
			return -1;
	for (size_t i = 0; o->mirrors && o->mirrors[i]; i++) {
		cleanup_free char *host = NULL;
		bool http;
		if (reg_mirror_parse(o->mirrors[i], &host, &http, err) < 0)
			return -1;
	}
	if (o->max_retries < 0 || o->backoff_ms < 0 || o->backoff_max_ms < 0 ||
	    o->connect_timeout_ms < 0 || o->low_speed_limit < 0 || o->low_speed_time < 0)
		return berth_error_set(err, EINVAL, "registry client options: negative value");
	return 0;
}

int reg_client_new(const struct reg_options *o, struct reg_client **out, struct berth_error **err)
{
	*out = NULL;
	if (check_options(o, err) < 0)
		return -1;
	struct reg_client *c = xcalloc(1, sizeof(*c));
	c->o = *o;
	c->certs_dir = o->certs_dir ? xstrdup(o->certs_dir) : NULL;
	c->insecure = strv_copy(o->insecure);
	c->mirrors = strv_copy(o->mirrors);
	c->user_agent = xstrdup(o->user_agent ? o->user_agent : "berth/" BERTH_VERSION);
	c->o.certs_dir = c->certs_dir;
	c->o.insecure = (const char *const *)c->insecure;
	c->o.mirrors = (const char *const *)c->mirrors;
	c->o.user_agent = c->user_agent;
	pthread_mutex_init(&c->lock, NULL);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&c->share_lock[i], NULL);
	*out = c;
	return 0;
}

/* libcurl (and through it OpenSSL) is initialised on the first request, not when the
 * client is made: an idle berthd never touches those libraries' pages. */
int reg_client_curl_ready(struct reg_client *c, struct berth_error **err)
{
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return berth_error_set(err, EIO, "curl_global_init: %s",
				       curl_easy_strerror(curl_init_rc));
	pthread_mutex_lock(&c->lock);
	if (c->share == NULL) {
		CURLSH *sh = curl_share_init();
		if (sh == NULL) {
			pthread_mutex_unlock(&c->lock);
			return berth_error_set(err, ENOMEM, "curl_share_init failed");
		}
		curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, share_lock);
		curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
		curl_share_setopt(sh, CURLSHOPT_USERDATA, c);
		curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
		curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
		curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
		c->share = sh;
	}
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void reg_client_free(struct reg_client *c)
{
	if (c == NULL)
		return;
	if (c->share)
		curl_share_cleanup(c->share);
	while (c->hosts) {
		struct reg_host *h = c->hosts;
		c->hosts = h->next;
		free(h->host);
		free(h->realm);
		free(h->service);
		free(h);
	}
	while (c->tokens) {
		struct reg_token *t = c->tokens;
		c->tokens = t->next;
		free(t->key);
		free(t->token);
		free(t);
	}
	pthread_mutex_destroy(&c->lock);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&c->share_lock[i]);
	free(c->certs_dir);
	free_strv(c->insecure);
	free_strv(c->mirrors);
	free(c->user_agent);
	free(c);
}

static int repo_new(struct reg_client *c, const char *domain, const char *path, int access,
		    const struct reg_auth *auth, struct reg_repo **out, struct berth_error **err)
{
	struct reg_repo *r = xcalloc(1, sizeof(*r));
	r->c = c;
	r->domain = xstrdup(domain);
	r->path = path ? xstrdup(path) : NULL;
	r->access = access ? access : REG_PULL;
	if (!reg_auth_empty(auth))
		reg_auth_copy(&r->auth, auth);
	else
		reg_auth_file_lookup(c->o.auth_file, domain, &r->auth);
	if (reg_endpoints(c, domain, !(r->access & REG_PUSH), &r->eps, &r->n_eps, err) < 0) {
		reg_repo_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

int reg_repo_open(struct reg_client *c, const struct ref *ref, int access,
		  const struct reg_auth *auth, struct reg_repo **out, struct berth_error **err)
{
	*out = NULL;
	if (ref == NULL || ref->domain == NULL || ref->path == NULL)
		return berth_error_set(err, EINVAL,
				       "registry: a reference with a domain and a "
				       "repository is needed");
	if (repo_new(c, ref->domain, ref->path, access, auth, out, err) < 0)
		return -1;
	(*out)->ref = ref_dup(ref);
	return 0;
}

void reg_repo_close(struct reg_repo *r)
{
	if (r == NULL)
		return;
	free(r->domain);
	free(r->path);
	if (r->ref)
		ref_free(r->ref);
	reg_auth_free(&r->auth);
	reg_endpoints_free(r->eps, r->n_eps);
	free(r);
}

int reg_ping(struct reg_client *c, const char *domain, const struct reg_auth *auth,
	     struct berth_error **err)
{
	struct reg_repo *r;
	if (domain == NULL || !ref_domain_valid(domain))
		return berth_error_set(err, EINVAL, "registry \"%.200s\": invalid domain",
				       domain ? domain : "");
	if (repo_new(c, domain, NULL, REG_PULL, auth, &r, err) < 0)
		return -1;
	bool creds = !reg_auth_empty(&r->auth);
	struct reg_req req = {.method = "GET", .path = "/v2/", .max_body = 1 << 20};
	struct reg_resp resp = {0};
	int rc = reg_request(r, &req, &resp, err);
	if (rc == 0 && !(resp.status == 200 || (!creds && resp.status == 401)))
		rc = reg_status_error(&resp, err);
	reg_resp_free(&resp);
	reg_repo_close(r);
	return rc;
}
