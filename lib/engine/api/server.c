/* The HTTP server: one libmicrohttpd daemon per listening socket, one thread
 * per connection. Requests are buffered, routed (router.c), version-checked
 * and handed to the route's handler; its struct api_response becomes the
 * libmicrohttpd response with dockerd's headers. */
#include "engine/api/api-internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

struct api_server {
	struct api_server_config cfg;
	char *server_header;
	struct MHD_Daemon **daemons;
	size_t ndaemons;
	struct api_shared *sh;
	atomic_uint inflight;
};

/* A request of a body_tables route: its handler runs in a thread of its
 * own from the first callback on and reads the body from a socket pair that
 * the connection's thread fills as the body arrives. */
struct api_body_stream {
	int rfd; /* the handler's end; closed when the handler returns */
	int wfd; /* the connection's end; closed at the end of the body */
	pthread_t thread;
	bool joined;
	bool discard; /* the handler stopped reading: drop the rest */
	atomic_bool aborted;
	struct api_server *srv;
	struct MHD_Connection *conn;
	char *url;
	char *method;
	struct api_kv *kv;
	size_t nkv;
	struct api_response resp;
};

/* Per request, from its first callback to its completion. */
struct conn_req {
	char *body;
	size_t len;
	size_t cap;
	bool too_big;
	struct upgrade *upgrade;
	struct api_body_stream *bs;
};

struct api_shared *api_shared_ref(struct api_shared *sh)
{
	atomic_fetch_add(&sh->refs, 1);
	return sh;
}

void api_shared_unref(struct api_shared *sh)
{
	if (atomic_fetch_sub(&sh->refs, 1) == 1)
		free(sh);
}

static struct MHD_Response *buffer_response(struct api_response *resp)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_FREE);
	if (r != NULL)
		resp->body = NULL; /* freed by libmicrohttpd */
	return r;
}

static struct MHD_Response *stream_response(struct api_server *srv, struct MHD_Connection *conn,
					    struct api_response *resp)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd = ci ? ci->connect_fd : -1;
	struct api_stream *s = NULL;
	struct berth_error *err = NULL;
	if (api_stream_start(srv->sh, fd, resp->stream_fn, resp->arg, resp->free_arg, &s, &err) <
	    0) {
		log_error("%s", err->msg);
		berth_error_free(&err);
		return NULL;
	}
	resp->arg = NULL; /* the stream owns it */
	struct MHD_Response *r = MHD_create_response_from_callback(
	    MHD_SIZE_UNKNOWN, 16 * 1024, api_stream_read_cb, s, api_stream_free_cb);
	if (r == NULL)
		api_stream_free_cb(s);
	return r;
}

static enum MHD_Result queue(struct api_server *srv, struct MHD_Connection *conn,
			     struct conn_req *cr, struct api_response *resp)
{
	struct MHD_Response *r = NULL;
	switch (resp->kind) {
	case API_BODY_BUFFER:
		r = buffer_response(resp);
		break;
	case API_BODY_STREAM:
		r = stream_response(srv, conn, resp);
		break;
	case API_BODY_UPGRADE:
		r = api_upgrade_response(srv->sh, resp, &cr->upgrade);
		break;
	}
	if (r == NULL) {
		api_response_release(resp);
		return MHD_NO; /* libmicrohttpd closes the connection */
	}
	if (resp->kind == API_BODY_UPGRADE) {
		/* libmicrohttpd adds "Connection: Upgrade" itself */
		MHD_add_response_header(r, "Content-Type", resp->content_type);
		MHD_add_response_header(r, "Upgrade", "tcp");
	} else {
		/* dockerd's order: Api-Version, Content-Type, Docker-Experimental, ... */
		if (resp->std_headers)
			MHD_add_response_header(r, "Api-Version", API_VERSION_MAX);
		if (resp->content_type)
			MHD_add_response_header(r, "Content-Type", resp->content_type);
		if (resp->std_headers) {
			MHD_add_response_header(r, "Docker-Experimental", "false");
			MHD_add_response_header(r, "Ostype", "linux");
			MHD_add_response_header(r, "Server", srv->server_header);
		}
	}
	for (size_t i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	api_response_release(resp);
	return ret;
}

/* Route, check the version, run the handler. */
static void dispatch(struct api_server *srv, struct MHD_Connection *conn, const char *url,
		     const char *method, struct conn_req *cr, struct api_response *resp)
{
	struct api_body_stream *bs = cr->bs;
	struct api_request req = {
	    .method = method,
	    .body = cr->body ? cr->body : "",
	    .body_len = cr->len,
	    .ctx = srv->cfg.ctx,
	    .server = srv,
	    .conn = conn,
	    .body_stream = bs,
	    .kv = bs ? bs->kv : NULL,
	    .nkv = bs ? bs->nkv : 0,
	};
	cleanup_free char *vstr = NULL;
	api_path_split(url, &req.path, &req.versioned, &vstr);
	if (!api_route_match(bs ? srv->cfg.body_tables : srv->cfg.tables, method, req.path, &req)) {
		log_debug("api: %s %s: no route", method, url);
		api_reply_message(resp, 404, "page not found");
		resp->std_headers = false;
		return;
	}
	api_version_parse(API_VERSION_MAX, strlen(API_VERSION_MAX), &req.version);
	if (req.versioned) {
		bool json = true;
		cleanup_free char *msg = api_version_check(vstr, &json);
		if (msg != NULL) {
			if (json) {
				api_reply_message(resp, 400, "%s", msg);
			} else {
				cleanup_free char *line = xasprintf("%s\n", msg);
				api_reply_text(resp, 400, "text/plain; charset=utf-8", line);
				api_header_add(resp, "X-Content-Type-Options", "nosniff");
			}
			api_request_clear_params(&req);
			return;
		}
		api_version_parse(vstr, strlen(vstr), &req.version);
	}
	if (cr->too_big) {
		api_reply_message(resp, 413, "request body larger than %u bytes", API_BODY_MAX);
		api_request_clear_params(&req);
		return;
	}
	struct berth_error *err = NULL;
	log_debug("api: %s %s", method, url);
	if (req.route->fn(&req, resp, &err) < 0) {
		log_debug("api: %s %s: %s", method, url, err ? err->msg : "(no message)");
		api_reply_error(resp, err);
		berth_error_free(&err);
	}
	api_request_clear_params(&req);
}

/* ---- streamed request bodies ---- */

static bool wants_body_stream(struct api_server *srv, const char *url, const char *method)
{
	if (srv->cfg.body_tables == NULL)
		return false;
	struct api_request req = {0};
	cleanup_free char *vstr = NULL;
	api_path_split(url, &req.path, &req.versioned, &vstr);
	bool match = api_route_match(srv->cfg.body_tables, method, req.path, &req);
	api_request_clear_params(&req);
	return match;
}

static enum MHD_Result copy_kv(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct api_body_stream *bs = cls;
	if (key == NULL)
		return MHD_YES;
	bs->kv = xrealloc(bs->kv, (bs->nkv + 1) * sizeof(*bs->kv));
	bs->kv[bs->nkv++] = (struct api_kv){.header = kind == MHD_HEADER_KIND,
					    .key = xstrdup(key),
					    .value = xstrdup(value ? value : "")};
	return MHD_YES;
}

static void *body_stream_thread(void *arg)
{
	struct api_body_stream *bs = arg;
	struct conn_req cr = {.bs = bs};
	dispatch(bs->srv, bs->conn, bs->url, bs->method, &cr, &bs->resp);
	/* a handler that stopped reading: the connection's thread drops the rest */
	close(bs->rfd);
	bs->rfd = -1;
	return NULL;
}

ssize_t api_body_stream_read(struct api_body_stream *bs, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(bs->rfd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && atomic_load(&bs->aborted)) {
			errno = ECONNRESET;
			return -1;
		}
		return n;
	}
}

static struct api_body_stream *body_stream_start(struct api_server *srv,
						 struct MHD_Connection *conn, const char *url,
						 const char *method)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		log_error("api: %s %s: socketpair: %s", method, url, strerror(errno));
		return NULL;
	}
	struct api_body_stream *bs = xcalloc(1, sizeof(*bs));
	bs->rfd = sp[0];
	bs->wfd = sp[1];
	bs->srv = srv;
	bs->conn = conn;
	bs->url = xstrdup(url);
	bs->method = xstrdup(method);
	atomic_init(&bs->aborted, false);
	bs->kv = xcalloc(1, sizeof(*bs->kv)); /* non-NULL: api_query looks here */
	api_response_init(&bs->resp);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_kv, bs);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_kv, bs);
	int rc = pthread_create(&bs->thread, NULL, body_stream_thread, bs);
	if (rc != 0) {
		log_error("api: %s %s: start a thread: %s", method, url, strerror(rc));
		bs->joined = true;
		bs->discard = true;
		api_reply_message(&bs->resp, 500, "start a thread: %s", strerror(rc));
	}
	return bs;
}

static void body_stream_feed(struct api_body_stream *bs, const char *buf, size_t n)
{
	while (n > 0 && !bs->discard) {
		ssize_t w = send(bs->wfd, buf, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			bs->discard = true; /* EPIPE: the handler returned */
			break;
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* End of the body (or of the connection): wait for the handler. */
static void body_stream_finish(struct api_body_stream *bs, bool aborted)
{
	if (aborted)
		atomic_store(&bs->aborted, true);
	if (bs->wfd >= 0) {
		close(bs->wfd);
		bs->wfd = -1;
	}
	if (!bs->joined) {
		pthread_join(bs->thread, NULL);
		bs->joined = true;
	}
}

static void body_stream_free(struct api_body_stream *bs)
{
	body_stream_finish(bs, true);
	if (bs->rfd >= 0)
		close(bs->rfd);
	api_response_release(&bs->resp);
	for (size_t i = 0; i < bs->nkv; i++) {
		free(bs->kv[i].key);
		free(bs->kv[i].value);
	}
	free(bs->kv);
	free(bs->url);
	free(bs->method);
	free(bs);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	(void)version;
	struct api_server *srv = cls;
	struct conn_req *cr = *req_cls;
	if (cr == NULL) {
		cr = xcalloc(1, sizeof(*cr));
		*req_cls = cr;
		atomic_fetch_add(&srv->inflight, 1);
		if (wants_body_stream(srv, url, method)) {
			cr->bs = body_stream_start(srv, conn, url, method);
			if (cr->bs == NULL)
				return MHD_NO;
		}
		return MHD_YES;
	}
	if (cr->bs != NULL) {
		if (*upload_size > 0) {
			body_stream_feed(cr->bs, upload, *upload_size);
			*upload_size = 0;
			return MHD_YES;
		}
		body_stream_finish(cr->bs, false);
		struct api_response r = cr->bs->resp;
		api_response_init(&cr->bs->resp);
		return queue(srv, conn, cr, &r);
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (cr->too_big || cr->len + n > API_BODY_MAX) {
			cr->too_big = true; /* keep reading, answer 413 at the end */
			return MHD_YES;
		}
		if (cr->len + n + 1 > cr->cap) {
			cr->cap = (cr->len + n + 1) * 2;
			cr->body = xrealloc(cr->body, cr->cap);
		}
		memcpy(cr->body + cr->len, upload, n);
		cr->len += n;
		cr->body[cr->len] = '\0';
		return MHD_YES;
	}
	struct api_response resp;
	api_response_init(&resp);
	dispatch(srv, conn, url, method, cr, &resp);
	return queue(srv, conn, cr, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct api_server *srv = cls;
	struct conn_req *cr = *req_cls;
	if (cr == NULL)
		return;
	if (cr->upgrade)
		api_upgrade_request_done(cr->upgrade);
	if (cr->bs)
		body_stream_free(cr->bs);
	free(cr->body);
	free(cr);
	*req_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

int api_server_start(const struct api_server_config *cfg, const int *fds, size_t nfds,
		     struct api_server **out, struct berth_error **err)
{
	struct api_server *srv = xcalloc(1, sizeof(*srv));
	srv->cfg = *cfg;
	srv->server_header = xstrdup(cfg->server_header ? cfg->server_header : "Berth");
	srv->sh = xcalloc(1, sizeof(*srv->sh));
	atomic_init(&srv->sh->refs, 1);
	srv->daemons = xcalloc(nfds ? nfds : 1, sizeof(*srv->daemons));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_ITC | MHD_ALLOW_UPGRADE | MHD_USE_POLL;
	int rc = 0;
	for (size_t i = 0; i < nfds; i++) {
		if (rc < 0) {
			close(fds[i]);
			continue;
		}
		struct MHD_Daemon *d = MHD_start_daemon(
		    flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, fds[i],
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_THREAD_STACK_SIZE,
		    (size_t)(256 * 1024), MHD_OPTION_END);
		if (d == NULL) {
			close(fds[i]);
			rc = berth_error_set(
			    err, EIO, "start the HTTP server on listening socket %d", fds[i]);
			continue;
		}
		srv->daemons[srv->ndaemons++] = d;
	}
	if (rc < 0) {
		api_server_stop(srv);
		return -1;
	}
	*out = srv;
	return 0;
}

void api_server_quiesce(struct api_server *srv)
{
	atomic_store(&srv->sh->quiescing, true);
	for (size_t i = 0; i < srv->ndaemons; i++) {
		MHD_socket fd = MHD_quiesce_daemon(srv->daemons[i]);
		if (fd == MHD_INVALID_SOCKET)
			continue;
		/* libmicrohttpd's thread may still be in poll() on it for a moment,
		 * which keeps the socket open after close(): refuse connections now */
		shutdown(fd, SHUT_RDWR);
		close(fd);
	}
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

unsigned api_server_drain(struct api_server *srv, unsigned timeout_ms)
{
	unsigned waited = 0;
	for (;;) {
		/* a stream or upgrade keeps its request in flight; idle
		 * keep-alive connections have no request */
		int n = (int)atomic_load(&srv->inflight) - atomic_load(&srv->sh->followers);
		if (n <= 0 || waited >= timeout_ms)
			return n > 0 ? (unsigned)n : 0;
		sleep_ms(20);
		waited += 20;
	}
}

void api_server_stop(struct api_server *srv)
{
	if (srv == NULL)
		return;
	atomic_store(&srv->sh->stopping, true);
	/* streams notice the flag within their poll interval; upgrade handlers
	 * are asked to look at it too (api_stream_cancelled has no upgrade
	 * counterpart yet): give them a bounded time */
	for (unsigned waited = 0; atomic_load(&srv->sh->threads) > 0 && waited < 2000; waited += 20)
		sleep_ms(20);
	for (size_t i = 0; i < srv->ndaemons; i++)
		MHD_stop_daemon(srv->daemons[i]);
	free(srv->daemons);
	free(srv->server_header);
	api_shared_unref(srv->sh);
	free(srv);
}
