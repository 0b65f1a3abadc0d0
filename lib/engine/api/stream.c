/* Chunked response bodies written by a producer thread.
 *
 * The producer (a handler's api_stream_fn) appends to a queue; the
 * connection's thread (libmicrohttpd's content reader) takes from it and
 * sends each piece as a chunk. Both sides hold a reference; the last one frees.
 * The reader notices a client that went away (POLLRDHUP on the connection) and
 * the server's stop flag, and then the stream is cancelled: writes fail with
 * EPIPE so the producer can stop. */
#include "engine/api/api-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

/* Queued bytes above which writers wait for the client. */
#define QUEUE_MAX (1u << 20)
/* How often waiting sides look at the stop flag and the client socket. */
#define POLL_MS 200

struct api_stream {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *buf;
	size_t len; /* bytes queued in buf[off..off+len) */
	size_t off;
	size_t cap;
	bool done;	/* the producer returned */
	bool cancelled; /* client gone or server stopping */
	bool follow;	/* api_stream_follow: ends at quiesce */
	int refs;
	int conn_fd;
	struct api_shared *sh;
	api_stream_fn fn;
	void *arg;
	void (*free_arg)(void *);
};

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void stream_unref(struct api_stream *s)
{
	pthread_mutex_lock(&s->lock);
	int left = --s->refs;
	pthread_mutex_unlock(&s->lock);
	if (left > 0)
		return;
	if (s->follow)
		atomic_fetch_sub(&s->sh->followers, 1);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->buf);
	api_shared_unref(s->sh);
	free(s);
}

/* Called with the lock held. */
static bool check_cancel(struct api_stream *s)
{
	if (s->cancelled)
		return true;
	if (atomic_load(&s->sh->stopping) || (s->follow && atomic_load(&s->sh->quiescing)))
		s->cancelled = true;
	if (!s->cancelled && s->conn_fd >= 0) {
		struct pollfd p = {.fd = s->conn_fd, .events = POLLRDHUP};
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			s->cancelled = true;
	}
	if (s->cancelled)
		pthread_cond_broadcast(&s->cond);
	return s->cancelled;
}

void api_stream_follow(struct api_stream *s)
{
	pthread_mutex_lock(&s->lock);
	if (!s->follow) {
		s->follow = true;
		atomic_fetch_add(&s->sh->followers, 1);
	}
	pthread_mutex_unlock(&s->lock);
}

bool api_stream_cancelled(struct api_stream *s)
{
	pthread_mutex_lock(&s->lock);
	bool c = check_cancel(s);
	pthread_mutex_unlock(&s->lock);
	return c;
}

int api_stream_write(struct api_stream *s, const void *data, size_t n)
{
	pthread_mutex_lock(&s->lock);
	while (!check_cancel(s) && s->len >= QUEUE_MAX) {
		struct timespec ts;
		deadline_in(&ts, POLL_MS);
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	if (s->cancelled) {
		pthread_mutex_unlock(&s->lock);
		errno = EPIPE;
		return -1;
	}
	if (s->off > 0 && s->off + s->len + n > s->cap) {
		memmove(s->buf, s->buf + s->off, s->len);
		s->off = 0;
	}
	if (s->off + s->len + n > s->cap) {
		s->cap = s->off + s->len + n + 4096;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->off + s->len, data, n);
	s->len += n;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int api_stream_json(struct api_stream *s, json_t *v, const char *terminator)
{
	cleanup_free char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (d == NULL)
		abort();
	cleanup_free char *line = xasprintf("%s%s", d, terminator ? terminator : "");
	return api_stream_write(s, line, strlen(line));
}

ssize_t api_stream_read_cb(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct api_stream *s = cls;
	pthread_mutex_lock(&s->lock);
	while (s->len == 0 && !s->done && !check_cancel(s)) {
		struct timespec ts;
		deadline_in(&ts, POLL_MS);
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	ssize_t r;
	if (s->len > 0 && !s->cancelled) {
		size_t n = s->len < max ? s->len : max;
		memcpy(out, s->buf + s->off, n);
		s->off += n;
		s->len -= n;
		if (s->len == 0)
			s->off = 0;
		pthread_cond_broadcast(&s->cond);
		r = (ssize_t)n;
	} else if (s->cancelled) {
		r = MHD_CONTENT_READER_END_WITH_ERROR;
	} else {
		r = MHD_CONTENT_READER_END_OF_STREAM;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void api_stream_free_cb(void *cls)
{
	struct api_stream *s = cls;
	pthread_mutex_lock(&s->lock);
	s->cancelled = true; /* the response is done or the client is gone */
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	stream_unref(s);
}

static void *producer(void *p)
{
	struct api_stream *s = p;
	s->fn(s, s->arg);
	if (s->free_arg)
		s->free_arg(s->arg);
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_sub(&s->sh->threads, 1);
	stream_unref(s);
	return NULL;
}

int api_stream_start(struct api_shared *sh, int conn_fd, api_stream_fn fn, void *arg,
		     void (*free_arg)(void *), struct api_stream **out, struct berth_error **err)
{
	struct api_stream *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&s->lock, NULL);
	s->refs = 2; /* producer + response */
	s->conn_fd = conn_fd;
	s->sh = api_shared_ref(sh);
	s->fn = fn;
	s->arg = arg;
	s->free_arg = free_arg;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	atomic_fetch_add(&sh->threads, 1);
	pthread_t t;
	int rc = pthread_create(&t, &attr, producer, s);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		atomic_fetch_sub(&sh->threads, 1);
		s->arg = NULL;
		s->refs = 1;
		stream_unref(s);
		errno = rc;
		return berth_error_errno(err, "start the stream thread");
	}
	*out = s;
	return 0;
}
