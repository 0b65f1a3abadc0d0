/* POST /containers/{name}/attach (hijacked), GET /containers/{name}/attach/ws
 * (not served), GET /containers/{name}/logs, POST /containers/{name}/resize.
 *
 * attach: 101 UPGRADED (exactly Content-Type, Connection, Upgrade), then the
 * shim's stream of the container's init relayed (containers-io-relay.c):
 * multiplexed frames without a terminal, raw bytes with one; ?logs=1 replays
 * the json-file log first; the detach keys in stdin end the relay and close
 * the connection without touching the container.
 * logs: chunked, no Content-Type: one frame (or raw bytes with a terminal)
 * per log line, optionally prefixed by its RFC3339Nano time; follow until
 * the container stops and the log is read to its end (lib/engine/logs). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "engine/api/containers-internal.h"
#include "engine/api/containers-io.h"
#include "engine/containers/container.h"
#include "engine/engine.h"
#include "engine/logs/logs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Config.<key> as a boolean (false when absent). */
static bool config_bool(struct container *c, const char *key)
{
	pthread_mutex_lock(&c->lock);
	bool v = json_is_true(json_object_get(c->config, key));
	pthread_mutex_unlock(&c->lock);
	return v;
}

static char *log_path(struct container *c)
{
	pthread_mutex_lock(&c->lock);
	char *p = c->log_path ? xstrdup(c->log_path) : NULL;
	pthread_mutex_unlock(&c->lock);
	return p;
}

static void ctr_unref_p(struct container **c)
{
	if (*c)
		ctr_unref(*c);
}
#define cleanup_ctr __attribute__((cleanup(ctr_unref_p)))

/* ---- logs ---- */

struct logs_job {
	struct container *c;
	char *path;
	bool tty;
	bool timestamps;
	bool details;
	struct logs_options o;
	/* one of the two sinks */
	struct api_stream *s;
	int fd;
};

static void logs_job_free(void *arg)
{
	struct logs_job *j = arg;
	if (j->c)
		ctr_unref(j->c);
	free(j->path);
	free(j);
}

static int logs_emit(const struct logs_entry *e, void *arg)
{
	struct logs_job *j = arg;
	/* docker's order: time, the details (the entry's attributes; berth's
	 * entries have none, so just the separating space), the line */
	size_t ts = (j->timestamps ? LOGS_TIME_LEN + 1 : 0) + (j->details ? 1 : 0);
	size_t hdr = j->tty ? 0 : 8;
	size_t len = ts + e->len;
	cleanup_free unsigned char *buf = xmalloc(hdr + len + 1);
	if (!j->tty) {
		buf[0] = (unsigned char)e->stream;
		buf[1] = buf[2] = buf[3] = 0;
		buf[4] = (unsigned char)(len >> 24);
		buf[5] = (unsigned char)(len >> 16);
		buf[6] = (unsigned char)(len >> 8);
		buf[7] = (unsigned char)len;
	}
	if (j->timestamps) {
		logs_format_time(e->time_ns, (char *)buf + hdr);
		buf[hdr + LOGS_TIME_LEN] = ' ';
	}
	if (j->details)
		buf[hdr + ts - 1] = ' ';
	memcpy(buf + hdr + ts, e->data, e->len);
	if (j->s != NULL)
		return api_stream_write(j->s, buf, hdr + len);
	return io_send_all(j->fd, buf, hdr + len);
}

static int logs_live(void *arg)
{
	struct logs_job *j = arg;
	if (j->s != NULL && api_stream_cancelled(j->s))
		return -1;
	if (j->o.until_ns != 0) {
		/* docker's follow with until ends when until has passed */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec > j->o.until_ns)
			return 0;
	}
	struct ctr_state st;
	ctr_state_get(j->c, &st);
	bool live = st.status == CTR_RUNNING || st.status == CTR_PAUSED;
	ctr_state_clear(&st);
	return live ? 1 : 0;
}

static void logs_run(struct api_stream *s, void *arg)
{
	struct logs_job *j = arg;
	j->s = s;
	if (j->o.follow)
		api_stream_follow(s);
	struct berth_error *err = NULL;
	struct logs_stats st = {0};
	if (logs_read(j->path, &j->o, logs_emit, logs_live, j, &st, &err) < 0) {
		log_warn("logs of %s: %s", j->c->id, err->msg);
		berth_error_free(&err);
	}
	if (st.bad_lines > 0)
		log_warn("logs of %s: %zu malformed lines skipped in %s", j->c->id, st.bad_lines,
			 j->path);
}

static int parse_log_opts(struct api_request *req, struct logs_options *o, struct berth_error **err)
{
	memset(o, 0, sizeof(*o));
	o->want_stdout = api_query_bool(req, "stdout", false);
	o->want_stderr = api_query_bool(req, "stderr", false);
	o->follow = api_query_bool(req, "follow", false);
	o->tail = logs_parse_tail(api_query(req, "tail"));
	if (logs_parse_api_time(api_query(req, "since"), &o->since_ns, err) < 0 ||
	    logs_parse_api_time(api_query(req, "until"), &o->until_ns, err) < 0)
		return -1;
	return 0;
}

static int containers_logs(struct api_request *req, struct api_response *resp,
			   struct berth_error **err)
{
	struct engine *e = req->ctx;
	struct logs_options o;
	if (parse_log_opts(req, &o, err) < 0)
		return -1;
	if (!o.want_stdout && !o.want_stderr)
		return berth_error_set(err, EINVAL,
				       "Bad parameters: you must choose at least one stream");
	cleanup_ctr struct container *c = NULL;
	if (ctr_find(e, api_param(req, "name"), &c, err) < 0)
		return -1;
	char *path = log_path(c);
	if (path == NULL)
		return berth_error_set(err, ENOTSUP,
				       "configured logging driver does not support reading");
	struct logs_job *j = xcalloc(1, sizeof(*j));
	j->c = c;
	c = NULL;
	j->path = path;
	j->tty = config_bool(j->c, "Tty");
	j->timestamps = api_query_bool(req, "timestamps", false);
	j->details = api_query_bool(req, "details", false);
	j->o = o;
	j->fd = -1;
	api_reply_stream(resp, 200, NULL, logs_run, j, logs_job_free);
	return 0;
}

/* ---- attach ---- */

struct attach_job {
	struct engine *e;
	struct container *c;
	bool in, out, err_, logs, stream, tty, stdin_once;
	unsigned char *keys;
	size_t nkeys;
};

static void attach_job_free(void *arg)
{
	struct attach_job *j = arg;
	if (j->c)
		ctr_unref(j->c);
	free(j->keys);
	free(j);
}

/* ?logs=1: the log so far, in the stream's format */
static void attach_replay(struct attach_job *j, int fd)
{
	cleanup_free char *path = log_path(j->c);
	if (path == NULL)
		return;
	struct logs_job lj = {.c = j->c, .path = path, .tty = j->tty, .fd = fd};
	lj.o = (struct logs_options){.want_stdout = j->out, .want_stderr = j->err_, .tail = -1};
	struct berth_error *err = NULL;
	if (logs_read(path, &lj.o, logs_emit, NULL, &lj, NULL, &err) < 0) {
		log_warn("attach to %s: log replay: %s", j->c->id, err->msg);
		berth_error_free(&err);
	}
}

static void attach_run(int fd, const char *extra, size_t extra_len, void *arg)
{
	struct attach_job *j = arg;
	cleanup_close int sfd = -1;
	io_wait_head_read(fd);
	if (j->stream) {
		struct berth_error *err = NULL;
		if (io_attach_open(fd, j->c, NULL, j->in, j->out, j->err_, j->stdin_once, &sfd,
				   &err) < 0) {
			/* a container removed meanwhile (run --rm whose start
			 * failed): dockerd just ends the stream */
			if (err->code != ECANCELED && err->code != ENOENT) {
				cleanup_free char *msg = xasprintf("%s\r\n", err->msg);
				io_send_frame(fd, j->tty, 2, msg, strlen(msg));
			}
			log_debug("attach to %s: %s", j->c->id, err->msg);
			berth_error_free(&err);
			return;
		}
	}
	if (j->logs)
		attach_replay(j, fd);
	/* dockerd: after the log replay, before the stream */
	ctrapi_event(j->e, j->c, "attach", NULL);
	if (!j->stream)
		return;
	struct io_relay_opts o = {.tty = j->tty,
				  .stdin_attached = j->in,
				  .stdin_once = j->stdin_once,
				  .detach_keys = j->keys,
				  .n_detach_keys = j->nkeys};
	enum io_relay_end end = io_relay(fd, extra, extra_len, sfd, &o);
	log_debug("attach to %s: ended (%d)", j->c->id, (int)end);
}

static int containers_attach(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	struct engine *e = req->ctx;
	cleanup_free unsigned char *keys = NULL;
	size_t nkeys = 0;
	if (io_detach_keys_parse(api_query(req, "detachKeys"), &keys, &nkeys, err) < 0)
		return -1;
	cleanup_ctr struct container *c = NULL;
	if (ctr_find(e, api_param(req, "name"), &c, err) < 0)
		return -1;
	struct ctr_state st;
	ctr_state_get(c, &st);
	enum ctr_status status = st.status;
	ctr_state_clear(&st);
	if (status == CTR_PAUSED)
		return berth_error_set(
		    err, EBUSY, "container %s is paused, unpause the container before attach",
		    api_param(req, "name"));
	if (status == CTR_RESTARTING)
		return berth_error_set(
		    err, EBUSY, "container %s is restarting, wait until the container is running",
		    api_param(req, "name"));
	struct attach_job *j = xcalloc(1, sizeof(*j));
	j->e = e;
	j->stream = api_query_bool(req, "stream", false);
	j->logs = api_query_bool(req, "logs", false);
	j->in = api_query_bool(req, "stdin", false) && config_bool(c, "OpenStdin");
	j->out = api_query_bool(req, "stdout", false);
	j->err_ = api_query_bool(req, "stderr", false);
	j->tty = config_bool(c, "Tty");
	/* docker: with a tty the client's EOF leaves the container's stdin open */
	j->stdin_once = config_bool(c, "StdinOnce") && !j->tty;
	j->keys = keys;
	keys = NULL;
	j->nkeys = nkeys;
	j->c = c;
	c = NULL;
	api_reply_upgrade(resp, attach_run, j, attach_job_free);
	return 0;
}

static int containers_attach_ws(struct api_request *req, struct api_response *resp,
				struct berth_error **err)
{
	cleanup_ctr struct container *c = NULL;
	if (ctr_find(req->ctx, api_param(req, "name"), &c, err) < 0)
		return -1;
	api_reply_message(resp, 501,
			  "attach over a websocket is not supported by berthd: use POST "
			  "/containers/%s/attach",
			  api_param(req, "name"));
	return 0;
}

/* ---- resize ---- */

/* h and w as docker reads them (both required, non-negative integers) */
int io_resize_params(struct api_request *req, long long *h, long long *w, struct berth_error **err)
{
	const char *hs = api_query(req, "h"), *ws = api_query(req, "w");
	if (hs == NULL || ws == NULL || *hs == '\0' || *ws == '\0')
		return berth_error_set(err, EINVAL,
				       "resize: both h and w are required (got h=%s w=%s)",
				       hs ? hs : "", ws ? ws : "");
	if (api_query_int(req, "h", 0, 65535, h, err) < 0 ||
	    api_query_int(req, "w", 0, 65535, w, err) < 0)
		return -1;
	return 0;
}

/* One resize through the shim; "not running" is a 409 as in dockerd. A 0
 * size and a process without a terminal are no-ops that succeed, as in
 * dockerd (containerd ignores both). */
int io_resize(struct container *c, const char *exec_id, long long h, long long w,
	      struct berth_error **err)
{
	if (h == 0 || w == 0)
		return 0;
	cleanup_json json_t *rq = json_pack("{s:s, s:I, s:I}", "op", "resize", "width",
					    (json_int_t)w, "height", (json_int_t)h);
	if (exec_id != NULL)
		json_object_set_new(rq, "exec_id", json_string(exec_id));
	json_t *reply = NULL;
	struct berth_error *e2 = NULL;
	if (ctr_shim_call(c, rq, 5000, &reply, &e2) < 0) {
		if (e2->code == ENOTTY) {
			berth_error_free(&e2);
			return 0;
		}
		int code = e2->code == ENOTCONN ? EBUSY : e2->code;
		berth_error_set(err, code, "%s", e2->msg);
		berth_error_free(&e2);
		return -1;
	}
	json_decref(reply);
	return 0;
}

static int containers_resize(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	struct engine *e = req->ctx;
	long long h = 0, w = 0;
	if (io_resize_params(req, &h, &w, err) < 0)
		return -1;
	cleanup_ctr struct container *c = NULL;
	if (ctr_find(e, api_param(req, "name"), &c, err) < 0)
		return -1;
	struct ctr_state st;
	ctr_state_get(c, &st);
	bool running = st.status == CTR_RUNNING || st.status == CTR_PAUSED;
	ctr_state_clear(&st);
	if (!running)
		return berth_error_set(err, EBUSY, "Container %s is not running", c->id);
	if (io_resize(c, NULL, h, w, err) < 0)
		return -1;
	cleanup_free char *hs = xasprintf("%lld", h);
	cleanup_free char *ws = xasprintf("%lld", w);
	cleanup_json json_t *hw = json_pack("{s:s, s:s}", "height", hs, "width", ws);
	ctrapi_event(e, c, "resize", hw);
	api_reply_empty(resp, 200);
	return 0;
}

const struct api_route api_containers_io_routes[] = {
    {"POST", "/containers/{name}/attach", containers_attach},
    {"GET", "/containers/{name}/attach/ws", containers_attach_ws},
    {"GET", "/containers/{name}/logs", containers_logs},
    {"POST", "/containers/{name}/resize", containers_resize},
    {NULL, NULL, NULL},
};
