/* HTTP/1.1 over the daemon's unix socket, by hand (see client.h): the
 * request written here, the response read with hijack.c's reader. One
 * connection kept alive across requests. No libcurl: loading it and its
 * ~40 libraries cost every CLI command ~5 ms of CPU. */
#include "client.h"
#include "hijack.h"
#include "host.h"
#include "stdcopy.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct client {
	int fd; /* the kept-alive connection, -1 for none */
	char *host;
	char *sock;
	char *version; /* negotiated; NULL before client_negotiate() */
	bool debug;
};

struct xfer {
	const struct client_req *req;
	struct client_resp *resp;
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
	struct client *c = xcalloc(1, sizeof(*c));
	c->fd = -1;
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
	if (c->fd >= 0)
		close(c->fd);
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

static void start(struct xfer *x, long status, const char *ct)
{
	x->resp->status = status;
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

/* Body bytes as they come: to the buffer, the line handler or the file. */
static int on_body(struct xfer *x, const char *p, size_t n)
{
	switch (x->mode) {
	case MODE_DOWNLOAD:
		if (cli_write_all(x->req->download_fd, p, n) < 0)
			return berth_error_errno(&x->cb_err, "write");
		return 0;
	case MODE_LINES:
		buf_append(x, p, n);
		return drain_lines(x, false);
	default:
		buf_append(x, p, n);
		return 0;
	}
}

/* The value of header name (case-insensitive) in a response head, or NULL. */
static char *head_value(const char *head, const char *name)
{
	size_t nl = strlen(name);
	for (const char *l = strstr(head, "\r\n"); l && l[2] != '\r' && l[2] != '\0';
	     l = strstr(l + 2, "\r\n")) {
		const char *h = l + 2;
		if (strncasecmp(h, name, nl) != 0 || h[nl] != ':')
			continue;
		const char *v = h + nl + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		const char *e = strstr(v, "\r\n");
		size_t len = e ? (size_t)(e - v) : strlen(v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		char *out = xmalloc(len + 1);
		memcpy(out, v, len);
		out[len] = '\0';
		return out;
	}
	return NULL;
}

static int connect_error(struct client *c, struct berth_error **err)
{
	return berth_error_set(err, ECONNREFUSED,
			       "Cannot connect to the berth daemon at %s. Is the berth daemon "
			       "running?",
			       c->host);
}

static int dial(struct client *c, struct berth_error **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(c->sock) >= sizeof(sa.sun_path))
		return berth_error_set(err, ENAMETOOLONG, "socket path too long: %s", c->sock);
	strcpy(sa.sun_path, c->sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berth_error_errno(err, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return connect_error(c, err);
	}
	c->fd = fd;
	return 0;
}

static void hangup(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The upload as chunks; -1 with *err when the fd cannot be read, -2 when
 * the daemon stopped reading (its reply says why). */
static int send_upload(int fd, int in, struct berth_error **err)
{
	size_t cap = 64 * 1024;
	cleanup_free char *b = xmalloc(cap + 16);
	for (;;) {
		ssize_t r = read(in, b + 10, cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berth_error_errno(err, "read the upload");
		if (r == 0)
			return send_all(fd, "0\r\n\r\n", 5) < 0 ? -2 : 0;
		char hex[12];
		int hl = snprintf(hex, sizeof(hex), "%zx\r\n", (size_t)r);
		memcpy(b + 10 - hl, hex, (size_t)hl);
		memcpy(b + 10 + r, "\r\n", 2);
		if (send_all(fd, b + 10 - hl, (size_t)hl + (size_t)r + 2) < 0)
			return -2;
	}
}

/* The request's head (and JSON body). */
static char *request_text(struct client *c, const struct client_req *req)
{
	cleanup_free char *target = req->no_version
					? xstrdup(req->path)
					: xasprintf("/v%s%s", client_api_version(c), req->path);
	size_t cap = 512, len = 0;
	char *t = xmalloc(cap);
#define ADD(...)                                                                                   \
	do {                                                                                       \
		cleanup_free char *s_ = xasprintf(__VA_ARGS__);                                    \
		size_t n_ = strlen(s_);                                                            \
		if (len + n_ + 1 > cap)                                                            \
			t = xrealloc(t, cap = (len + n_ + 1) * 2);                                 \
		memcpy(t + len, s_, n_ + 1);                                                       \
		len += n_;                                                                         \
	} while (0)
	ADD("%s %s HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: berth-client/%s "
	    "(linux)\r\nAccept: */*\r\n",
	    req->method, target, BERTH_VERSION);
	for (const char *const *p = req->headers; p && *p; p++)
		ADD("%s\r\n", *p);
	bool post = strcmp(req->method, "POST") == 0, put = strcmp(req->method, "PUT") == 0;
	if ((post || put) && req->upload_fd >= 0) {
		ADD("Content-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
		    req->content_type ? req->content_type : "application/octet-stream");
	} else if (post && req->json) {
		cleanup_free char *j = json_dumps(req->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
		ADD("Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s\n",
		    strlen(j ? j : "{}") + 1, j ? j : "{}");
	} else if (post || put) {
		/* as the docker CLI: Content-Length: 0 and no Content-Type */
		ADD("Content-Length: 0\r\n\r\n");
	} else {
		ADD("\r\n");
	}
#undef ADD
	return t;
}

/* Send the request on the kept connection (a new one when there is none,
 * or when the kept one turns out closed before any reply byte and the
 * request can be sent again) and read the response head. */
static int exchange(struct client *c, const struct client_req *req, struct hj_conn **conn,
		    struct berth_error **err)
{
	cleanup_free char *text = request_text(c, req);
	for (int attempt = 0;; attempt++) {
		bool reused = c->fd >= 0;
		if (!reused && dial(c, err) < 0)
			return -1;
		int sent = send_all(c->fd, text, strlen(text)) < 0 ? -2 : 0;
		if (sent == 0 && req->upload_fd >= 0)
			sent = send_upload(c->fd, req->upload_fd, err);
		if (sent == -1) {
			hangup(c);
			return -1;
		}
		/* after a failed send the daemon may still have replied (an
		 * early error): read it */
		struct berth_error *e = NULL;
		int fd = c->fd;
		if (hj_response(fd, conn, &e) == 0) {
			c->fd = -1; /* the conn has it now */
			return 0;
		}
		hangup(c);
		if (reused && attempt == 0 && req->upload_fd < 0) {
			berth_error_free(&e);
			continue;
		}
		if (sent < 0) {
			berth_error_free(&e);
			return berth_error_set(err, EPIPE,
					       "%s %s: the daemon closed the connection",
					       req->method, req->path);
		}
		*err = e;
		return -1;
	}
}

int client_do(struct client *c, const struct client_req *req, struct client_resp *resp,
	      struct berth_error **err)
{
	*resp = (struct client_resp){0};
	struct xfer x = {.req = req, .resp = resp};
	struct hj_conn *conn = NULL;
	if (exchange(c, req, &conn, err) < 0)
		return -1;
	start(&x, conn->status, conn->content_type);
	resp->api_version = head_value(conn->head, "Api-Version");
	resp->path_stat = head_value(conn->head, "X-Docker-Container-Path-Stat");
	cleanup_free char *connhdr = head_value(conn->head, "Connection");
	bool keep = !(connhdr && strcasecmp(connhdr, "close") == 0);
	if (c->debug)
		fprintf(stderr, "DEBU %s http://api.moby.localhost%s%s%s -> %ld\n", req->method,
			req->no_version ? "" : "/v", req->no_version ? "" : client_api_version(c),
			req->path, resp->status);
	int rc = 0;
	if (strcmp(req->method, "HEAD") == 0) {
		/* no body, whatever Content-Length says */
	} else {
		char tmp[16384];
		for (;;) {
			ssize_t r = hj_read(conn, tmp, sizeof(tmp), err);
			if (r < 0) {
				rc = -1;
				keep = false;
				break;
			}
			if (r == 0)
				break;
			if (on_body(&x, tmp, (size_t)r) < 0) {
				keep = false;
				break;
			}
		}
		if (conn->framing == HJ_EOF)
			keep = false;
	}
	if (keep && rc == 0 && !x.cb_err && conn->off == conn->len) {
		c->fd = conn->fd;
		conn->fd = -1;
	}
	hj_close(conn);
	if (rc < 0 || x.cb_err) {
		free(x.buf);
		if (x.cb_err) {
			if (rc < 0)
				berth_error_free(err);
			*err = x.cb_err;
		}
		return -1;
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
