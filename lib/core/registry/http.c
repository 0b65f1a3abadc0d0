/* One HTTP attempt with libcurl: TLS set-up (system CAs plus the host's
 * certs dir), headers, request bodies and response sinks (see internal.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct xfer {
	const struct reg_req *req;
	struct reg_resp *resp;
};

static void clear_headers(struct reg_resp *r)
{
	for (size_t i = 0; i < r->n_h; i++) {
		free(r->h[i].name);
		free(r->h[i].value);
	}
	free(r->h);
	r->h = NULL;
	r->n_h = 0;
}

void reg_resp_free(struct reg_resp *r)
{
	clear_headers(r);
	free(r->body);
	free(r->url);
	berth_error_free(&r->sink_err);
	memset(r, 0, sizeof(*r));
}

const char *reg_resp_header(const struct reg_resp *r, const char *name)
{
	for (size_t i = 0; i < r->n_h; i++)
		if (strcmp(r->h[i].name, name) == 0)
			return r->h[i].value;
	return NULL;
}

static size_t header_cb(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = size * n;
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new answer (after a redirect or a 100 Continue) */
		clear_headers(x->resp);
		const char *sp = memchr(p, ' ', len);
		x->resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return size * n;
	}
	const char *colon = memchr(p, ':', len);
	if (colon == NULL)
		return size * n;
	size_t nl = (size_t)(colon - p);
	const char *v = colon + 1, *end = p + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	struct reg_resp *r = x->resp;
	r->h = xrealloc(r->h, (r->n_h + 1) * sizeof(*r->h));
	char *name = xasprintf("%.*s", (int)nl, p);
	for (char *q = name; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	r->h[r->n_h].name = name;
	r->h[r->n_h].value = xasprintf("%.*s", (int)(end - v), v);
	r->n_h++;
	return size * n;
}

static size_t write_cb(char *p, size_t size, size_t n, void *data)
{
	struct xfer *x = data;
	struct reg_resp *r = x->resp;
	size_t len = size * n;
	bool ok = r->status >= 200 && r->status < 300;
	if (x->req->sink && ok) {
		r->sink_got_data = true;
		if (x->req->sink(p, len, r, x->req->sink_data, &r->sink_err) < 0)
			return 0;
		return len;
	}
	size_t max = (ok && x->req->max_body) ? x->req->max_body : REG_ERROR_BODY_MAX;
	if (r->len + len > max) {
		if (!ok) /* an error body: keep its start */
			len = max - r->len;
		else {
			berth_error_set(&r->sink_err, EFBIG,
					"%s: answer larger than the limit of %zu bytes", r->url,
					max);
			return 0;
		}
	}
	r->body = xrealloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return size * n;
}

static size_t read_cb(char *buf, size_t size, size_t n, void *data)
{
	struct reg_body *b = data;
	size_t want = size * n;
	if ((int64_t)want > b->len - b->pos)
		want = (size_t)(b->len - b->pos);
	if (want == 0)
		return 0;
	if (b->buf) {
		memcpy(buf, b->buf + b->pos, want);
		b->pos += (int64_t)want;
		return want;
	}
	ssize_t got;
	do
		got = pread(b->fd, buf, want, b->off + b->pos);
	while (got < 0 && errno == EINTR);
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	b->pos += got;
	return (size_t)got;
}

/* ---- TLS: the host's certs dir (docker's certs.d) --------------------- */

struct tls_files {
	char **cas; /* *.crt */
	char *cert, *key;
};

static void tls_files_free(struct tls_files *t)
{
	if (t->cas)
		for (char **p = t->cas; *p; p++)
			free(*p);
	free(t->cas);
	free(t->cert);
	free(t->key);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a > b && strcmp(s + a - b, suf) == 0;
}

static int scan_certs_dir(const char *dir, struct tls_files *t, struct berth_error **err)
{
	cleanup_closedir DIR *d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT || errno == ENOTDIR ? 0
							   : berth_error_errno(err, "open %s", dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (has_suffix(e->d_name, ".crt")) {
			t->cas = xrealloc(t->cas, (n + 2) * sizeof(char *));
			t->cas[n++] = xasprintf("%s/%s", dir, e->d_name);
			t->cas[n] = NULL;
		} else if (has_suffix(e->d_name, ".cert") && t->cert == NULL) {
			size_t base = strlen(e->d_name) - 5;
			t->cert = xasprintf("%s/%s", dir, e->d_name);
			t->key = xasprintf("%s/%.*s.key", dir, (int)base, e->d_name);
			if (access(t->key, R_OK) < 0)
				return berth_error_set(err, ENOENT,
						       "missing key %s for client certificate %s",
						       t->key, t->cert);
		}
	}
	return 0;
}

static CURLcode ssl_ctx_cb(CURL *curl, void *sslctx, void *data)
{
	(void)curl;
	struct tls_files *t = data;
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);
	for (char **p = t->cas; p && *p; p++)
		if (X509_STORE_load_file(store, *p) != 1)
			return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

static int setup_tls(CURL *h, struct reg_client *c, const struct reg_endpoint *ep,
		     struct tls_files *t, struct berth_error **err)
{
	if (ep->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->certs_dir == NULL)
		return 0;
	cleanup_free char *dir = xasprintf("%s/%s", c->certs_dir, ep->host);
	if (scan_certs_dir(dir, t, err) < 0)
		return -1;
	if (t->cas) {
#if LIBCURL_VERSION_NUM >= 0x075700
		curl_easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT, 0L);
#endif
		/* added to the system store; without OpenSSL, the first CA alone */
		if (curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb) != CURLE_OK)
			curl_easy_setopt(h, CURLOPT_CAINFO, t->cas[0]);
		else
			curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, t);
	}
	if (t->cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, t->cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, t->key);
	}
	return 0;
}

/* ---- the attempt ------------------------------------------------------ */

static void set_method(CURL *h, const struct reg_req *req)
{
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->body ? req->body->len : 0));
		if (req->body) {
			req->body->pos = 0;
			curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
			curl_easy_setopt(h, CURLOPT_READDATA, req->body);
		}
	}
}

int reg_http_perform(struct reg_client *c, const struct reg_endpoint *ep, bool https,
		     const char *url, const struct reg_req *req, const char *auth_header,
		     struct reg_resp *resp, struct berth_error **err)
{
	(void)https;
	if (reg_client_curl_ready(c, err) < 0)
		return -1;
	CURL *h = curl_easy_init();
	if (h == NULL)
		return berth_error_set(err, ENOMEM, "curl_easy_init failed");
	struct xfer x = {req, resp};
	struct tls_files tls = {0};
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL;
	int rc = -1;
	clear_headers(resp);
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
	resp->status = 0;
	resp->sink_got_data = false;
	resp->curl = CURLE_OK;
	free(resp->url);
	resp->url = xstrdup(url);
	resp->method = req->method;

	for (const char *const *p = req->headers; p && *p; p++)
		hl = curl_slist_append(hl, *p);
	if (auth_header)
		hl = curl_slist_append(hl, auth_header);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_SHARE, c->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, c->o.low_speed_limit);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->o.low_speed_time);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	set_method(h, req);
	if (setup_tls(h, c, ep, &tls, err) < 0)
		goto out;

	resp->curl = curl_easy_perform(h);
	if (resp->sink_err) {
		*err = steal_ptr(resp->sink_err);
		goto out;
	}
	if (resp->curl != CURLE_OK) {
		reg_transport_error(resp, errbuf, err);
		goto out;
	}
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	resp->status = code;
	rc = 0;
out:
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	tls_files_free(&tls);
	return rc;
}

bool reg_curl_retryable(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static int errno_for_curl(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_CONNECT:
		return ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return EHOSTUNREACH;
	case CURLE_OPERATION_TIMEDOUT:
		return ETIMEDOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		return EPROTO;
	default:
		return EIO;
	}
}

/* "GET" -> "Get", as Go prints methods in its URL errors. */
static char *method_word(const char *m)
{
	char *w = xstrdup(m ? m : "GET");
	for (char *p = w + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return w;
}

int reg_transport_error(const struct reg_resp *resp, const char *errbuf, struct berth_error **err)
{
	cleanup_free char *m = method_word(resp->method);
	const char *what = errbuf && *errbuf ? errbuf : curl_easy_strerror(resp->curl);
	return berth_error_set(err, errno_for_curl(resp->curl), "%s \"%s\": %s", m, resp->url,
			       what);
}
