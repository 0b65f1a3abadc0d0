/* Registry client internals shared by its files (not a public interface). */
#ifndef BERTH_CORE_REGISTRY_INTERNAL_H
#define BERTH_CORE_REGISTRY_INTERNAL_H

#include "core/registry/registry.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

/* Bodies of error answers are kept up to this size. */
#define REG_ERROR_BODY_MAX (64 << 10)

/* Where requests for a repository go. */
struct reg_endpoint {
	char *host;    /* host[:port] as in the URL */
	bool http;     /* plain HTTP from the start (a mirror URL with http://) */
	bool insecure; /* may fall back to HTTP, TLS not verified */
	bool mirror;   /* a docker.io mirror (pulls only) */
};

/* What the client learnt about a host: the scheme that works and its
 * challenges. Behind client->lock. */
struct reg_host {
	struct reg_host *next;
	char *host;
	int scheme; /* 0 unknown, REG_HTTPS, REG_HTTP */
	int auth;   /* 0 none seen, REG_AUTH_BASIC, REG_AUTH_BEARER */
	char *realm;
	char *service;
};

#define REG_HTTPS 1
#define REG_HTTP 2
#define REG_AUTH_BASIC 1
#define REG_AUTH_BEARER 2

struct reg_token {
	struct reg_token *next;
	char *key; /* realm \n service \n scopes \n user */
	char *token;
	time_t expires;
};

struct reg_client {
	struct reg_options o; /* strings below are owned copies */
	char *certs_dir;
	char **insecure;
	char **mirrors;
	char *user_agent;
	CURLSH *share;
	pthread_mutex_t share_lock[CURL_LOCK_DATA_LAST];
	pthread_mutex_t lock;
	struct reg_host *hosts;
	struct reg_token *tokens;
};

struct reg_repo {
	struct reg_client *c;
	char *domain;
	char *path; /* repository path on the registry */
	struct ref *ref;
	int access;
	struct reg_auth auth;
	struct reg_endpoint *eps;
	size_t n_eps;
	const char *mount_from; /* during reg_blob_mount: pull scope on it too */
};

/* A request body: memory or a file range. */
struct reg_body {
	const char *buf; /* or NULL: fd */
	int fd;
	int64_t off; /* of the file */
	int64_t len;
	int64_t pos; /* sent so far (reset per attempt) */
};

struct reg_resp;
/* Receives the body of a 2xx answer; returns 0 or -1 (transfer aborted,
 * *err filled). */
typedef int (*reg_sink_fn)(const char *p, size_t n, struct reg_resp *resp, void *data,
			   struct berth_error **err);

struct reg_req {
	const char *method;
	const char *path;	    /* "/v2/..." on the endpoint, or an absolute URL (Location) */
	const char *const *headers; /* extra "Name: value", NULL-terminated */
	struct reg_body *body;
	reg_sink_fn sink; /* NULL: the body is kept in resp->body up to max_body */
	void *sink_data;
	size_t max_body;
	bool use_mirrors;	  /* a read that mirrors may answer */
	bool no_retry_after_data; /* the sink got data: return instead of retrying */
	bool no_retry;		  /* not idempotent (PATCH of a chunk) */
};

struct reg_header {
	char *name; /* lowercased */
	char *value;
};

struct reg_resp {
	long status;
	char *body;
	size_t len;
	struct reg_header *h;
	size_t n_h;
	char *url; /* the URL requested (for messages) */
	const char *method;
	size_t ep;	     /* index of the endpoint that answered */
	CURLcode curl;	     /* the last transport result */
	bool sink_got_data;  /* the sink received bytes in the last attempt */
	bool no_basic_creds; /* 401 with Basic and no credentials to send */
	struct berth_error *sink_err;
};
void reg_resp_free(struct reg_resp *r);
const char *reg_resp_header(const struct reg_resp *r, const char *name);

/* One request with retries, HTTP fallback, mirrors and authentication.
 * Returns 0 with any HTTP status in resp (the caller judges it), -1 on a
 * transport failure (or a sink error, or a failed token fetch). */
int reg_request(struct reg_repo *r, const struct reg_req *req, struct reg_resp *resp,
		struct berth_error **err);

/* A single attempt (http.c). base: "https://host" */
int reg_http_perform(struct reg_client *c, const struct reg_endpoint *ep, bool https,
		     const char *url, const struct reg_req *req, const char *auth_header,
		     struct reg_resp *resp, struct berth_error **err);
bool reg_curl_retryable(CURLcode code);
/* libcurl's global init and the client's share handle, made on first use (client.c). */
int reg_client_curl_ready(struct reg_client *c, struct berth_error **err);
/* Map a transport failure to an error: `Get "url": <what curl said>`. */
int reg_transport_error(const struct reg_resp *resp, const char *errbuf, struct berth_error **err);

/* Authorization for a host (token.c): the header to send ("Authorization:
 * ..."), NULL when none is known yet. */
int reg_auth_header(struct reg_repo *r, const char *host, char **out, struct berth_error **err);
/* After a 401: record the challenges; 1 when a retry with credentials or
 * a token makes sense, 0 when not (no credentials for Basic: sets
 * resp->no_basic_creds), -1 when fetching a token failed. */
int reg_auth_challenge(struct reg_repo *r, const char *host, struct reg_resp *resp,
		       struct berth_error **err);
void reg_host_scheme_set(struct reg_client *c, const char *host, int scheme);
int reg_host_scheme(struct reg_client *c, const char *host);

/* errors.c: an HTTP answer that is not what was wanted, as docker words it:
 * `Head "url": <code>: <message>`. */
int reg_status_error(const struct reg_resp *resp, struct berth_error **err);
/* The same without the request: "unauthorized: authentication required";
 * *code gets the errno. The caller frees. */
char *reg_status_message(const struct reg_resp *resp, int *code);
/* The first {"errors":[{"code","message"}]} entry of the body; NULL if none
 * (the strings point into a json_t kept in *keep, to be decref'd). */
const char *reg_resp_error_code(const struct reg_resp *resp, const char **message, json_t **keep);
int reg_errno_for(long status, const char *code);

/* endpoint.c */
int reg_endpoints(struct reg_client *c, const char *domain, bool pull, struct reg_endpoint **out,
		  size_t *n, struct berth_error **err);
void reg_endpoints_free(struct reg_endpoint *eps, size_t n);
/* A mirror URL: "https://host[:port]" (a trailing "/" allowed). EINVAL. */
int reg_mirror_parse(const char *url, char **host, bool *http, struct berth_error **err);
/* Absolute URL of a Location (absolute, or a path on the endpoint). */
char *reg_location_url(const struct reg_resp *resp, const char *location);

/* Sleep for the retry attempt (0-based), honouring Retry-After. */
void reg_backoff(const struct reg_client *c, int attempt, const struct reg_resp *resp);

#endif
