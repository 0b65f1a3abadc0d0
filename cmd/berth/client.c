/* libcurl over the daemon's unix socket (see client.h). */
#include "client.h"
#include "host.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct client {
	CURL *h;
	char *host;
	char *sock;
	char *version; /* negotiated; NULL before client_negotiate() */
	bool debug;
};

struct xfer {
	const struct client_req *req;
	struct client_resp *resp;
	CURL *h;
	bool started;
	int mode; /* 0 buffer, 1 lines, 2 download */
	char *buf;
	size_t len, cap;
	struct berth_error *cb_err;
};

enum { MODE_BUFFER, MODE_LINES, MODE_DOWNLOAD };

void client_req_init(struct client_req *req, const char *method, const char *path)
{
	*req =
	    (struct client_req){.method = method, .path = path, .upload_fd = -1, .download_fd = -1};
}

void client_resp_clear(struct client_resp *resp)
{
	free(resp->body);
	free(resp->content_type);
	free(resp->api_version);
	free(resp->path_stat);
	*resp = (struct client_resp){0};
}

int client_open(const char *host, bool debug, struct client **out, struct berth_error **err)
{
	char *sock = NULL;
	if (cli_host_socket_path(host, &sock, err) < 0)
		return -1;
	static bool global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
	}
	struct client *c = xcalloc(1, sizeof(*c));
	c->h = curl_easy_init();
	if (c->h == NULL) {
		free(sock);
		free(c);
		return berth_error_set(err, ENOMEM, "cannot initialise libcurl");
	}
	c->host = xstrdup(host);
	c->sock = sock;
	c->debug = debug;
	*out = c;
	return 0;
}

void client_free(struct client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->h);
	free(c->host);
	free(c->sock);
	free(c->version);
	free(c);
}

const char *client_host(const struct client *c)
{
	return c->host;
}

const char *client_api_version(const struct client *c)
{
	return c->version ? c->version : CLI_API_VERSION_MAX;
}

static void buf_append(struct xfer *x, const char *p, size_t n)
{
	if (x->len + n + 1 > x->cap) {
		x->cap = (x->len + n + 1) * 2;
		x->buf = xrealloc(x->buf, x->cap);
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	x->buf[x->len] = '\0';
}

static bool is_json_type(const char *ct)
{
	return ct && strncasecmp(ct, "application/json", 16) == 0;
}

static void start(struct xfer *x)
{
	x->started = true;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->resp->status);
	char *ct = NULL;
	curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
	if (ct)
		x->resp->content_type = xstrdup(ct);
	x->mode = MODE_BUFFER;
	if (x->resp->status >= 200 && x->resp->status < 300) {
		if (x->req->on_line && (is_json_type(ct) || x->req->lines_any_type))
			x->mode = MODE_LINES;
		else if (x->req->download_fd >= 0)
			x->mode = MODE_DOWNLOAD;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Hand every complete line in the buffer to on_line; keep the rest. */
static int drain_lines(struct xfer *x, bool final)
{
	size_t off = 0;
	for (;;) {
		char *nl = memchr(x->buf + off, '\n', x->len - off);
		size_t end = nl ? (size_t)(nl - x->buf) : x->len;
		if (!nl && !final)
			break;
		size_t s = off, e = end;
		while (s < e && strchr(" \t\r", x->buf[s]))
			s++;
		while (e > s && strchr(" \t\r", x->buf[e - 1]))
			e--;
		if (e > s) {
			json_error_t jerr;
			cleanup_json json_t *msg = json_loadb(x->buf + s, e - s, 0, &jerr);
			if (msg == NULL)
				return berth_error_set(&x->cb_err, EPROTO,
						       "invalid JSON message from the daemon: %s",
						       jerr.text);
			if (x->req->on_line(msg, x->req->arg, &x->cb_err) < 0)
				return -1;
		}
		if (!nl) {
			off = x->len;
			break;
		}
		off = end + 1;
	}
	memmove(x->buf, x->buf + off, x->len - off);
	x->len -= off;
	if (x->buf)
		x->buf[x->len] = '\0';
	return 0;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	if (!x->started)
		start(x);
	switch (x->mode) {
	case MODE_DOWNLOAD:
		if (write_all(x->req->download_fd, p, n) < 0) {
			berth_error_errno(&x->cb_err, "write");
			return 0;
		}
		return n;
	case MODE_LINES:
		buf_append(x, p, n);
		return drain_lines(x, false) < 0 ? 0 : n;
	default:
		buf_append(x, p, n);
		return n;
	}
}

/* The value of header "name:" (lower case) in a header line into *dst. */
static void header_value(const char *p, size_t n, const char *name, char **dst)
{
	size_t nl = strlen(name);
	if (n <= nl || strncasecmp(p, name, nl) != 0)
		return;
	const char *v = p + nl;
	size_t l = n - nl;
	while (l > 0 && (*v == ' ' || *v == '\t'))
		v++, l--;
	while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' '))
		l--;
	free(*dst);
	*dst = xmalloc(l + 1);
	memcpy(*dst, v, l);
	(*dst)[l] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	header_value(p, n, "api-version:", &x->resp->api_version);
	header_value(p, n, "x-docker-container-path-stat:", &x->resp->path_stat);
	return n;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	for (;;) {
		ssize_t r = read(x->req->upload_fd, p, size * nmemb);
		if (r >= 0)
			return (size_t)r;
		if (errno != EINTR) {
			berth_error_errno(&x->cb_err, "read the upload");
			return CURL_READFUNC_ABORT;
		}
	}
}

static int connect_error(struct client *c, CURLcode rc, struct berth_error **err)
{
	if (rc == CURLE_COULDNT_CONNECT)
		return berth_error_set(err, ECONNREFUSED,
				       "Cannot connect to the berth daemon at %s. Is the berth "
				       "daemon running?",
				       c->host);
	return berth_error_set(err, EIO, "error during connect: %s", curl_easy_strerror(rc));
}

int client_do(struct client *c, const struct client_req *req, struct client_resp *resp,
	      struct berth_error **err)
{
	*resp = (struct client_resp){0};
	struct xfer x = {.req = req, .resp = resp, .h = c->h};
	CURL *h = c->h;
	curl_easy_reset(h);
	cleanup_free char *url =
	    req->no_version
		? xasprintf("http://api.moby.localhost%s", req->path)
		: xasprintf("http://api.moby.localhost/v%s%s", client_api_version(c), req->path);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->sock);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "berth-client/" BERTH_VERSION " (linux)");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);

	struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
	for (const char *const *p = req->headers; p && *p; p++)
		hdrs = curl_slist_append(hdrs, *p);
	cleanup_free char *body = NULL;
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		if (req->json) {
			cleanup_free char *j =
			    json_dumps(req->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
			body = xasprintf("%s\n", j ? j : "{}");
			hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		} else if (req->upload_fd >= 0) {
			cleanup_free char *ct = xasprintf(
			    "Content-Type: %s",
			    req->content_type ? req->content_type : "application/octet-stream");
			hdrs = curl_slist_append(hdrs, ct);
			hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
			curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(h, CURLOPT_READDATA, &x);
		} else {
			/* as the docker CLI: Content-Length: 0 and no Content-Type */
			hdrs = curl_slist_append(hdrs, "Content-Type:");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		}
	} else if (strcmp(req->method, "PUT") == 0 && req->upload_fd >= 0) {
		cleanup_free char *ct =
		    xasprintf("Content-Type: %s",
			      req->content_type ? req->content_type : "application/octet-stream");
		hdrs = curl_slist_append(hdrs, ct);
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &x);
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

	CURLcode rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (!x.started && rc == CURLE_OK)
		start(&x);
	if (c->debug)
		fprintf(stderr, "DEBU %s %s -> %ld\n", req->method, url, resp->status);
	if (x.cb_err) {
		free(x.buf);
		*err = x.cb_err;
		return -1;
	}
	if (rc != CURLE_OK) {
		free(x.buf);
		if (rc == CURLE_COULDNT_CONNECT || !x.started)
			return connect_error(c, rc, err);
		return berth_error_set(err, EIO, "%s %s: %s", req->method, req->path,
				       curl_easy_strerror(rc));
	}
	if (x.mode == MODE_LINES) {
		int r = drain_lines(&x, true);
		free(x.buf);
		if (r < 0) {
			*err = x.cb_err;
			return -1;
		}
		return 0;
	}
	resp->body = x.buf ? x.buf : xstrdup("");
	resp->len = x.len;
	return 0;
}

int client_daemon_error(long status, const char *body, struct berth_error **err)
{
	int code = status == 404 ? ENOENT : status == 409 ? EEXIST : status == 400 ? EINVAL : EIO;
	json_error_t jerr;
	cleanup_json json_t *j = body ? json_loads(body, 0, &jerr) : NULL;
	json_t *m = j ? json_object_get(j, "message") : NULL;
	if (json_is_string(m))
		return berth_error_set(err, code, "Error response from daemon: %s",
				       json_string_value(m));
	cleanup_free char *text = xstrdup(body ? body : "");
	size_t l = strlen(text);
	while (l > 0 && (text[l - 1] == '\n' || text[l - 1] == '\r'))
		text[--l] = '\0';
	if (l == 0)
		return berth_error_set(err, code, "Error response from daemon: status %ld", status);
	return berth_error_set(err, code, "Error response from daemon: %s", text);
}

int client_call(struct client *c, const struct client_req *req, struct client_resp *resp,
		struct berth_error **err)
{
	if (client_do(c, req, resp, err) < 0)
		return -1;
	if (resp->status >= 400) {
		client_daemon_error(resp->status, resp->body, err);
		client_resp_clear(resp);
		return -1;
	}
	return 0;
}

int client_json(struct client *c, const char *method, const char *path, json_t *body, json_t **out,
		struct berth_error **err)
{
	struct client_req req;
	client_req_init(&req, method, path);
	req.json = body;
	struct client_resp resp;
	if (client_call(c, &req, &resp, err) < 0)
		return -1;
	if (out) {
		json_error_t jerr;
		*out = json_loadb(resp.body, resp.len, JSON_DECODE_ANY, &jerr);
		if (*out == NULL) {
			client_resp_clear(&resp);
			return berth_error_set(err, EPROTO, "%s %s: invalid JSON reply: %s", method,
					       path, jerr.text);
		}
	}
	client_resp_clear(&resp);
	return 0;
}

int client_negotiate(struct client *c, struct berth_error **err)
{
	const char *pin = getenv("BERTH_API_VERSION");
	if (pin == NULL || *pin == '\0')
		pin = getenv("DOCKER_API_VERSION");
	struct client_req req;
	client_req_init(&req, "HEAD", "/_ping");
	req.no_version = true;
	struct client_resp resp;
	if (client_do(c, &req, &resp, err) < 0)
		return -1;
	if (resp.status == 404 || resp.status == 405) {
		/* as the docker CLI: retry with GET */
		char *saved = resp.api_version ? xstrdup(resp.api_version) : NULL;
		client_resp_clear(&resp);
		req.method = "GET";
		if (client_do(c, &req, &resp, err) < 0) {
			free(saved);
			return -1;
		}
		if (resp.api_version == NULL)
			resp.api_version = saved;
		else
			free(saved);
	}
	free(c->version);
	if (pin && *pin)
		c->version = xstrdup(pin);
	else
		c->version = xstrdup(cli_apiver_negotiate(resp.api_version, CLI_API_VERSION_MAX));
	client_resp_clear(&resp);
	return 0;
}
