/* Authentication: per-host challenges, Basic credentials, and the Bearer
 * token flow (GET realm?service=&scope= with Basic credentials when there
 * are some), tokens cached per realm, service, scopes and user. */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

/* Minimum lifetime given to a token (docker's). */
#define TOKEN_MIN_EXPIRY 60

static struct reg_host *host_get(struct reg_client *c, const char *host, bool create)
{
	for (struct reg_host *h = c->hosts; h; h = h->next)
		if (strcmp(h->host, host) == 0)
			return h;
	if (!create)
		return NULL;
	struct reg_host *h = xcalloc(1, sizeof(*h));
	h->host = xstrdup(host);
	h->next = c->hosts;
	c->hosts = h;
	return h;
}

void reg_host_scheme_set(struct reg_client *c, const char *host, int scheme)
{
	pthread_mutex_lock(&c->lock);
	host_get(c, host, true)->scheme = scheme;
	pthread_mutex_unlock(&c->lock);
}

int reg_host_scheme(struct reg_client *c, const char *host)
{
	pthread_mutex_lock(&c->lock);
	struct reg_host *h = host_get(c, host, false);
	int s = h ? h->scheme : 0;
	pthread_mutex_unlock(&c->lock);
	return s;
}

static char *basic_header(const struct reg_auth *a)
{
	cleanup_free char *up = xasprintf("%s:%s", a->username, a->password ? a->password : "");
	size_t n = strlen(up);
	cleanup_free unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (unsigned char *)up, (int)n);
	explicit_bzero(up, n);
	return xasprintf("Authorization: Basic %s", b64);
}

static bool has_creds(const struct reg_repo *r)
{
	return r->auth.username && *r->auth.username;
}

/* "repository:<path>:pull[,push]" */
static char *repo_scope(const struct reg_repo *r)
{
	if (r->path == NULL)
		return NULL;
	if (r->mount_from)
		return xasprintf("repository:%s:pull,push repository:%s:pull", r->path,
				 r->mount_from);
	const char *acts =
	    (r->access & REG_PUSH) ? ((r->access & REG_PULL) ? "pull,push" : "push") : "pull";
	return xasprintf("repository:%s:%s", r->path, acts);
}

static char *token_key(const struct reg_repo *r, const char *realm, const char *service,
		       const char *scope)
{
	return xasprintf("%s\n%s\n%s\n%s", realm, service ? service : "", scope ? scope : "",
			 has_creds(r) ? r->auth.username : "");
}

static char *cached_token(struct reg_client *c, const char *key)
{
	char *tok = NULL;
	time_t now = time(NULL);
	pthread_mutex_lock(&c->lock);
	for (struct reg_token *t = c->tokens; t; t = t->next)
		if (strcmp(t->key, key) == 0 && t->expires > now + 5)
			tok = xstrdup(t->token);
	pthread_mutex_unlock(&c->lock);
	return tok;
}

static void cache_token(struct reg_client *c, const char *key, const char *token, time_t expires)
{
	pthread_mutex_lock(&c->lock);
	struct reg_token *t = c->tokens;
	while (t && strcmp(t->key, key) != 0)
		t = t->next;
	if (t == NULL) {
		t = xcalloc(1, sizeof(*t));
		t->key = xstrdup(key);
		t->next = c->tokens;
		c->tokens = t;
	}
	free(t->token);
	t->token = xstrdup(token);
	t->expires = expires;
	pthread_mutex_unlock(&c->lock);
}

static int parse_token(const struct reg_resp *resp, const char *realm, char **token,
		       int64_t *expires_in, struct berth_error **err)
{
	json_error_t je;
	cleanup_json json_t *doc = json_loadb(resp->body ? resp->body : "", resp->len, 0, &je);
	cleanup_free char *path = xasprintf("token from %s", realm);
	if (!json_is_object(doc))
		return berth_error_set(err, EINVAL, "%s: not a JSON object", path);
	cleanup_free char *t1 = NULL, *t2 = NULL;
	if (bjson_string(doc, "token", path, false, &t1, err) < 0 ||
	    bjson_string(doc, "access_token", path, false, &t2, err) < 0 ||
	    bjson_int(doc, "expires_in", path, 0, INT32_MAX, expires_in, NULL, err) < 0)
		return -1;
	const char *t = t1 && *t1 ? t1 : t2;
	if (t == NULL || *t == '\0')
		return berth_error_set(err, EINVAL, "%s: no token in the answer", path);
	for (const char *p = t; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return berth_error_set(err, EINVAL, "%s: token has invalid characters",
					       path);
	*token = xstrdup(t);
	return 0;
}

/* realm?service=<service>&scope=<s1>&scope=<s2> (scopes separated by spaces) */
static char *token_url(const char *realm, const char *service, const char *scope)
{
	char *url = xasprintf("%s", realm);
	char sep = strchr(realm, '?') ? '&' : '?';
	if (service) {
		char *e = curl_easy_escape(NULL, service, 0);
		char *u = xasprintf("%s%cservice=%s", url, sep, e ? e : "");
		curl_free(e);
		free(url);
		url = u;
		sep = '&';
	}
	for (const char *s = scope; s && *s;) {
		size_t n = strcspn(s, " ");
		char *e = curl_easy_escape(NULL, s, (int)n);
		char *u = xasprintf("%s%cscope=%s", url, sep, e ? e : "");
		curl_free(e);
		free(url);
		url = u;
		sep = '&';
		s += n;
		s += strspn(s, " ");
	}
	return url;
}

/* GET realm?service=..&scope=.. (Basic credentials when there are some). */
static int fetch_token(struct reg_repo *r, const char *realm, const char *service,
		       const char *scope, char **token, struct berth_error **err)
{
	struct reg_client *c = r->c;
	if (strncmp(realm, "https://", 8) != 0 && strncmp(realm, "http://", 7) != 0)
		return berth_error_set(err, EINVAL, "token realm \"%.200s\" is not an http(s) URL",
				       realm);
	cleanup_free char *url = token_url(realm, service, scope);
	const char *hs = strstr(realm, "://") + 3;
	cleanup_free char *host = xasprintf("%.*s", (int)strcspn(hs, "/?#"), hs);
	struct reg_endpoint ep = {.host = host,
				  .insecure =
				      reg_insecure_match((const char *const *)c->insecure, host,
							 !c->o.secure_loopback, true)};
	cleanup_free char *basic = has_creds(r) ? basic_header(&r->auth) : NULL;
	struct reg_req req = {.method = "GET", .path = url, .max_body = 1 << 20};
	struct reg_resp resp = {0};
	int rc = -1;
	cleanup_free char *key = token_key(r, realm, service, scope);
	for (int attempt = 0;; attempt++) {
		struct berth_error *e = NULL;
		if (reg_http_perform(c, &ep, true, url, &req, basic, &resp, &e) < 0) {
			if (reg_curl_retryable(resp.curl) && attempt < c->o.max_retries) {
				berth_error_free(&e);
				reg_backoff(c, attempt, NULL);
				continue;
			}
			*err = e;
			goto out;
		}
		if ((resp.status >= 500 || resp.status == 429) && attempt < c->o.max_retries) {
			reg_backoff(c, attempt, &resp);
			continue;
		}
		break;
	}
	if (resp.status != 200) {
		int code;
		cleanup_free char *m = reg_status_message(&resp, &code);
		berth_error_set(err, code, "%s", m);
		goto out;
	}
	int64_t expires_in = TOKEN_MIN_EXPIRY;
	if (parse_token(&resp, realm, token, &expires_in, err) < 0)
		goto out;
	if (expires_in < TOKEN_MIN_EXPIRY)
		expires_in = TOKEN_MIN_EXPIRY;
	cache_token(c, key, *token, time(NULL) + expires_in);
	rc = 0;
out:
	reg_resp_free(&resp);
	return rc;
}

int reg_auth_header(struct reg_repo *r, const char *host, char **out, struct berth_error **err)
{
	*out = NULL;
	if (r->auth.registry_token && *r->auth.registry_token) {
		*out = xasprintf("Authorization: Bearer %s", r->auth.registry_token);
		return 0;
	}
	struct reg_client *c = r->c;
	pthread_mutex_lock(&c->lock);
	struct reg_host *h = host_get(c, host, false);
	int kind = h ? h->auth : 0;
	cleanup_free char *realm = h && h->realm ? xstrdup(h->realm) : NULL;
	cleanup_free char *service = h && h->service ? xstrdup(h->service) : NULL;
	pthread_mutex_unlock(&c->lock);
	if (kind == REG_AUTH_BASIC && has_creds(r)) {
		*out = basic_header(&r->auth);
	} else if (kind == REG_AUTH_BEARER) {
		cleanup_free char *scope = repo_scope(r);
		cleanup_free char *key = token_key(r, realm, service, scope);
		cleanup_free char *tok = cached_token(c, key);
		if (tok == NULL && fetch_token(r, realm, service, scope, &tok, err) < 0)
			return -1;
		*out = xasprintf("Authorization: Bearer %s", tok);
	}
	return 0;
}

int reg_auth_challenge(struct reg_repo *r, const char *host, struct reg_resp *resp,
		       struct berth_error **err)
{
	struct reg_challenge *ch = NULL;
	size_t n = 0;
	for (size_t i = 0; i < resp->n_h; i++) {
		struct berth_error *e = NULL;
		if (strcmp(resp->h[i].name, "www-authenticate") == 0)
			reg_challenges_parse(resp->h[i].value, &ch, &n, &e);
		berth_error_free(&e); /* a challenge berth cannot read is one it cannot answer */
	}
	const struct reg_challenge *bearer = NULL, *basic = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ch[i].scheme, "bearer") == 0 && reg_challenge_param(&ch[i], "realm"))
			bearer = bearer ? bearer : &ch[i];
		else if (strcmp(ch[i].scheme, "basic") == 0)
			basic = basic ? basic : &ch[i];
	}
	int rc = 0;
	struct reg_client *c = r->c;
	if (bearer || basic) {
		pthread_mutex_lock(&c->lock);
		struct reg_host *h = host_get(c, host, true);
		free(h->realm);
		free(h->service);
		h->realm = h->service = NULL;
		h->auth = bearer ? REG_AUTH_BEARER : REG_AUTH_BASIC;
		if (bearer) {
			h->realm = xstrdup(reg_challenge_param(bearer, "realm"));
			const char *svc = reg_challenge_param(bearer, "service");
			h->service = svc ? xstrdup(svc) : NULL;
		}
		pthread_mutex_unlock(&c->lock);
	}
	if (bearer) {
		const char *realm = reg_challenge_param(bearer, "realm");
		const char *service = reg_challenge_param(bearer, "service");
		cleanup_free char *scope = repo_scope(r);
		cleanup_free char *tok = NULL;
		/* a cached token that got a 401 is refreshed */
		if (fetch_token(r, realm, service, scope, &tok, err) < 0) {
			cleanup_free char *m = xstrdup(resp->method);
			for (char *p = m + 1; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			berth_error_wrap(err, "%s \"%s\"", m, resp->url);
			rc = -1;
		} else {
			rc = 1;
		}
	} else if (basic) {
		if (has_creds(r))
			rc = 1;
		else
			resp->no_basic_creds = true;
	}
	reg_challenges_free(ch, n);
	return rc;
}
