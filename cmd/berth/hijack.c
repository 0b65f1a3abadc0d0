/* One request per connection on the daemon's unix socket, its response head
 * and body, and the attached stream's copy loop (see hijack.h). */
#include "hijack.h"
#include "host.h"
#include "stdcopy.h"
#include "term.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HEAD_MAX (1024 * 1024)

static int fill(struct hj_conn *c, struct berth_error **err)
{
	if (c->off == c->len)
		c->off = c->len = 0;
	if (c->cap - c->len < 4096) {
		c->cap = c->cap ? c->cap * 2 : 16384;
		c->buf = xrealloc(c->buf, c->cap + 1);
	}
	for (;;) {
		ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berth_error_errno(err, "read from the daemon");
		c->len += (size_t)r;
		c->buf[c->len] = '\0';
		return (int)(r > 0);
	}
}

static int connect_daemon(struct cli *cli, int *fd, struct berth_error **err)
{
	cleanup_free char *path = NULL;
	if (cli_host_socket_path(cli->host, &path, err) < 0)
		return -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return berth_error_set(err, ENAMETOOLONG, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return berth_error_errno(err, "socket");
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return berth_error_set(err, ECONNREFUSED,
				       "Cannot connect to the berth daemon at %s. Is the berth "
				       "daemon running?",
				       cli->host);
	}
	*fd = s;
	return 0;
}

static char *header_value(char *head, const char *name)
{
	size_t nl = strlen(name);
	for (char *l = strstr(head, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
		char *h = l + 2;
		if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
			char *v = h + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			char *e = strstr(v, "\r\n");
			return strndup(v, e ? (size_t)(e - v) : strlen(v));
		}
	}
	return NULL;
}

static int read_head(struct hj_conn *c, struct berth_error **err)
{
	char *end;
	while ((end = c->len ? strstr(c->buf, "\r\n\r\n") : NULL) == NULL) {
		if (c->len > HEAD_MAX)
			return berth_error_set(err, EPROTO,
					       "response head from the daemon is too "
					       "long");
		int r = fill(c, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return berth_error_set(err, EPROTO,
					       "the daemon closed the connection before replying");
	}
	size_t hl = (size_t)(end - c->buf) + 4;
	cleanup_free char *head = strndup(c->buf, hl);
	c->off = hl;
	if (strncmp(head, "HTTP/1.", 7) != 0 || strlen(head) < 12)
		return berth_error_set(err, EPROTO, "malformed response from the daemon: %.40s",
				       head);
	c->status = strtol(head + 9, NULL, 10);
	c->content_type = header_value(head, "Content-Type");
	cleanup_free char *te = header_value(head, "Transfer-Encoding");
	cleanup_free char *cl = header_value(head, "Content-Length");
	if (c->status == 101) {
		c->framing = HJ_EOF;
	} else if (te && strcasecmp(te, "chunked") == 0) {
		c->framing = HJ_CHUNKED;
		c->chunk_head = true;
	} else if (cl) {
		c->framing = HJ_LENGTH;
		c->left = strtoull(cl, NULL, 10);
	} else if (c->status == 204 || c->status == 304) {
		c->framing = HJ_LENGTH;
		c->left = 0;
	} else {
		c->framing = HJ_EOF;
	}
	c->head = steal_ptr(head);
	return 0;
}

int hj_open(struct cli *cli, const struct hj_req *req, struct hj_conn **out,
	    struct berth_error **err)
{
	struct client *cl = cli_client(cli, err);
	if (cl == NULL)
		return -1;
	int fd = -1;
	if (connect_daemon(cli, &fd, err) < 0)
		return -1;
	struct hj_conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	cleanup_free char *body = NULL;
	if (req->json) {
		cleanup_free char *j = json_dumps(req->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
		body = xasprintf("%s\n", j ? j : "{}");
	}
	cleanup_free char *head = xasprintf(
	    "%s /v%s%s HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: berth-client/%s "
	    "(linux)\r\nContent-Length: %zu\r\n%s%s\r\n",
	    req->method, client_api_version(cl), req->path, BERTH_VERSION, body ? strlen(body) : 0,
	    req->upgrade ? "Connection: Upgrade\r\n" : "",
	    body ? "Content-Type: application/json\r\n"
		 : (req->upgrade ? "Content-Type: text/plain\r\n" : ""));
	cleanup_free char *all = NULL;
	if (req->upgrade) {
		all = xasprintf("%.*sUpgrade: tcp\r\n\r\n%s", (int)strlen(head) - 2, head,
				body ? body : "");
	} else {
		all = xasprintf("%s%s", head, body ? body : "");
	}
	if (cli_write_all(fd, all, strlen(all)) < 0) {
		berth_error_errno(err, "send %s %s", req->method, req->path);
		hj_close(c);
		return -1;
	}
	if (cli->debug)
		fprintf(stderr, "DEBU %s /v%s%s (own connection)\n", req->method,
			client_api_version(cl), req->path);
	if (read_head(c, err) < 0) {
		hj_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int hj_response(int fd, struct hj_conn **out, struct berth_error **err)
{
	struct hj_conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	if (read_head(c, err) < 0) {
		c->fd = -1;
		hj_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void hj_close(struct hj_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->content_type);
	free(c->head);
	free(c->buf);
	free(c);
}

/* Take up to n buffered bytes (filling once when the buffer is empty). */
static ssize_t take(struct hj_conn *c, void *buf, size_t n, struct berth_error **err)
{
	if (c->off == c->len) {
		int r = fill(c, err);
		if (r <= 0)
			return r;
	}
	size_t k = c->len - c->off < n ? c->len - c->off : n;
	memcpy(buf, c->buf + c->off, k);
	c->off += k;
	return (ssize_t)k;
}

/* A line ending in CRLF from the buffer (without it); NULL at EOF. */
static char *take_line(struct hj_conn *c, struct berth_error **err)
{
	char *e;
	while ((e = c->off < c->len ? strstr(c->buf + c->off, "\r\n") : NULL) == NULL) {
		if (c->len - c->off > 4096) {
			berth_error_set(err, EPROTO, "bad chunk in the daemon's reply");
			return NULL;
		}
		if (c->off > 0) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
			c->buf[c->len] = '\0';
		}
		int r = fill(c, err);
		if (r < 0)
			return NULL;
		if (r == 0) {
			berth_error_set(err, EPROTO, "the daemon's reply ended inside a chunk");
			return NULL;
		}
	}
	char *l = strndup(c->buf + c->off, (size_t)(e - (c->buf + c->off)));
	c->off = (size_t)(e - c->buf) + 2;
	return l;
}

ssize_t hj_read(struct hj_conn *c, void *buf, size_t n, struct berth_error **err)
{
	for (;;) {
		if (c->done || n == 0)
			return 0;
		switch (c->framing) {
		case HJ_EOF: {
			ssize_t r = take(c, buf, n, err);
			if (r == 0)
				c->done = true;
			return r;
		}
		case HJ_LENGTH: {
			if (c->left == 0) {
				c->done = true;
				return 0;
			}
			ssize_t r = take(c, buf, c->left < n ? c->left : n, err);
			if (r == 0)
				return berth_error_set(err, EPROTO,
						       "the daemon's reply ended early");
			if (r > 0)
				c->left -= (uint64_t)r;
			return r;
		}
		case HJ_CHUNKED:
			if (c->chunk_head) {
				cleanup_free char *l = take_line(c, err);
				if (l == NULL)
					return -1;
				if (*l == '\0')
					continue; /* the CRLF after a chunk's data */
				c->left = strtoull(l, NULL, 16);
				c->chunk_head = false;
				if (c->left == 0) {
					c->done = true;
					return 0;
				}
			}
			ssize_t r = take(c, buf, c->left < n ? c->left : n, err);
			if (r == 0)
				return berth_error_set(err, EPROTO,
						       "the daemon's reply ended inside a chunk");
			if (r > 0) {
				c->left -= (uint64_t)r;
				if (c->left == 0)
					c->chunk_head = true;
			}
			return r;
		}
	}
}

int hj_read_all(struct hj_conn *c, char **body, size_t *len, struct berth_error **err)
{
	size_t cap = 4096, n = 0;
	char *b = xmalloc(cap + 1);
	for (;;) {
		if (cap - n < 1024) {
			cap *= 2;
			b = xrealloc(b, cap + 1);
		}
		ssize_t r = hj_read(c, b + n, cap - n, err);
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*body = b;
	if (len)
		*len = n;
	return 0;
}

int hj_daemon_error(struct hj_conn *c, struct berth_error **err)
{
	cleanup_free char *body = NULL;
	struct berth_error *e2 = NULL;
	if (hj_read_all(c, &body, NULL, &e2) < 0)
		berth_error_free(&e2);
	return client_daemon_error(c->status, body, err);
}

/* ---- the copy loop ---- */

struct escape {
	const unsigned char *keys;
	size_t nkeys, matched;
};

/* Send stdin bytes, holding back a prefix of the detach sequence (docker's
 * escapeProxy: a partial match is sent once it stops matching). 1 when the
 * whole sequence was typed. */
static int send_input(int sock, struct escape *e, const unsigned char *p, size_t n,
		      struct berth_error **err)
{
	if (e->nkeys == 0) {
		if (cli_write_all(sock, p, n) < 0)
			return berth_error_errno(err, "send stdin to the daemon");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == e->keys[e->matched]) {
			if (++e->matched == e->nkeys)
				return 1;
			continue;
		}
		if (e->matched > 0 && cli_write_all(sock, e->keys, e->matched) < 0)
			return berth_error_errno(err, "send stdin to the daemon");
		e->matched = 0;
		if (p[i] == e->keys[0]) {
			e->matched = 1;
			if (e->nkeys == 1)
				return 1;
			continue;
		}
		if (cli_write_all(sock, &p[i], 1) < 0)
			return berth_error_errno(err, "send stdin to the daemon");
	}
	return 0;
}

static int output(struct hj_pump *p, struct stdcopy *sc, const void *buf, size_t n,
		  struct berth_error **err)
{
	if (!p->tty)
		return stdcopy_feed(sc, buf, n, err);
	if (cli_write_all(STDOUT_FILENO, buf, n) < 0)
		return berth_error_errno(err, "write the container's output");
	return 0;
}

int hj_pump(struct hj_pump *p, struct berth_error **err)
{
	struct hj_conn *c = p->conn;
	struct stdcopy sc;
	stdcopy_init(&sc, STDOUT_FILENO, STDERR_FILENO);
	struct escape esc = {.keys = p->keys, .nkeys = p->keys ? p->nkeys : 0};
	int in_fd = p->in_fd;
	int rc = 0;
	if (in_fd < 0)
		shutdown(c->fd, SHUT_WR);
	/* bytes that came with the response head */
	if (c->off < c->len) {
		if (output(p, &sc, c->buf + c->off, c->len - c->off, err) < 0) {
			rc = -1;
			goto out;
		}
		c->off = c->len;
	}
	unsigned char buf[32768];
	for (;;) {
		struct pollfd fds[3] = {{.fd = c->fd, .events = POLLIN},
					{.fd = in_fd, .events = POLLIN},
					{.fd = p->sig_fd, .events = POLLIN}};
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = berth_error_errno(err, "poll");
			goto out;
		}
		if (fds[2].revents & POLLIN) {
			unsigned char s;
			while (read(p->sig_fd, &s, 1) == 1)
				if (p->on_signal)
					p->on_signal(s, p->arg);
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(c->fd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno != ECONNRESET) {
				rc = berth_error_errno(err, "read from the daemon");
				goto out;
			}
			if (r <= 0)
				break;
			if (output(p, &sc, buf, (size_t)r, err) < 0) {
				rc = -1;
				goto out;
			}
		}
		if (in_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(in_fd, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				/* EOF: close the container's stdin, keep reading */
				shutdown(c->fd, SHUT_WR);
				in_fd = -1;
				continue;
			}
			int d = send_input(c->fd, &esc, buf, (size_t)r, err);
			if (d < 0) {
				/* the daemon went away: its output end decides */
				berth_error_free(err);
				shutdown(c->fd, SHUT_WR);
				in_fd = -1;
			} else if (d == 1) {
				rc = 1;
				goto out;
			}
		}
	}
	if (!p->tty && stdcopy_end(&sc, err) < 0)
		rc = -1;
out:
	stdcopy_free(&sc);
	return rc;
}
