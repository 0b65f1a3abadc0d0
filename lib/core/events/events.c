/* The events bus (events.h): a ring of the last ring_size events for
 * `since`, and per subscriber a bounded queue filled by events_publish.
 *
 * One mutex guards the ring and every queue; a publisher only appends
 * (references) under it and signals, so it never waits for a subscriber. A
 * subscriber whose queue is full (it reads slower than events come) is
 * marked dropped: its queue is emptied and events_next reports ECONNRESET. */
#include "core/events/events.h"

#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Most events queued for one subscriber beyond the ring's replay. */
#define EVENTS_SUB_BACKLOG 4096

struct events_sub {
	struct events_bus *bus;
	struct events_sub *next;
	pthread_cond_t cond;
	json_t **q; /* circular */
	size_t cap, head, len;
	bool dropped;
};

struct events_bus {
	pthread_mutex_t lock;
	json_t **ring; /* circular, oldest at ring_head */
	size_t ring_size, ring_head, ring_len;
	int64_t last_ns; /* timeNano of the last event: kept strictly increasing */
	struct events_sub *subs;
};

struct events_bus *events_bus_new(size_t ring_size)
{
	struct events_bus *b = xcalloc(1, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->ring_size = ring_size ? ring_size : 1;
	b->ring = xcalloc(b->ring_size, sizeof(json_t *));
	return b;
}

void events_bus_free(struct events_bus *b)
{
	if (b == NULL)
		return;
	/* subscribers must be gone (their threads own them) */
	for (size_t i = 0; i < b->ring_len; i++)
		json_decref(b->ring[(b->ring_head + i) % b->ring_size]);
	free(b->ring);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The attributes as docker prints them: strings, keys sorted (a Go map). */
static json_t *sorted_attrs(json_t *attrs)
{
	json_t *out = json_object();
	if (!json_is_object(attrs))
		return out;
	size_t n = json_object_size(attrs), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof(char *));
	const char *k;
	json_t *v;
	json_object_foreach(attrs, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(char *), key_cmp);
	for (i = 0; i < n; i++) {
		v = json_object_get(attrs, keys[i]);
		if (json_is_string(v))
			json_object_set(out, keys[i], v);
		else if (json_is_integer(v))
			json_object_set_new(
			    out, keys[i],
			    json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v)));
		else if (json_is_true(v) || json_is_false(v))
			json_object_set_new(out, keys[i],
					    json_string(json_is_true(v) ? "true" : "false"));
	}
	free(keys);
	return out;
}

static json_t *build_event(const char *type, const char *action, const char *id, json_t *attrs,
			   int64_t ns)
{
	json_t *ev = json_object();
	bool legacy = strcmp(type, "container") == 0 || strcmp(type, "image") == 0;
	if (legacy) {
		json_object_set_new(ev, "status", json_string(action));
		json_object_set_new(ev, "id", json_string(id ? id : ""));
		const char *from = json_string_value(json_object_get(attrs, "image"));
		if (strcmp(type, "container") == 0 && from)
			json_object_set_new(ev, "from", json_string(from));
	}
	json_object_set_new(ev, "Type", json_string(type));
	json_object_set_new(ev, "Action", json_string(action));
	json_object_set_new(
	    ev, "Actor",
	    json_pack("{s:s,s:o}", "ID", id ? id : "", "Attributes", sorted_attrs(attrs)));
	json_object_set_new(ev, "scope", json_string("local"));
	json_object_set_new(ev, "time", json_integer(ns / 1000000000));
	json_object_set_new(ev, "timeNano", json_integer(ns));
	return ev;
}

static void sub_clear(struct events_sub *s)
{
	for (size_t i = 0; i < s->len; i++)
		json_decref(s->q[(s->head + i) % s->cap]);
	s->head = s->len = 0;
}

static void sub_push(struct events_sub *s, json_t *ev)
{
	if (s->dropped)
		return;
	if (s->len == s->cap) {
		s->dropped = true;
		sub_clear(s);
		pthread_cond_signal(&s->cond);
		return;
	}
	s->q[(s->head + s->len) % s->cap] = json_incref(ev);
	s->len++;
	pthread_cond_signal(&s->cond);
}

void events_publish(struct events_bus *b, const char *type, const char *action, const char *id,
		    json_t *attrs)
{
	if (b == NULL || type == NULL || action == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	int64_t ns = now_ns();
	if (ns <= b->last_ns)
		ns = b->last_ns + 1;
	b->last_ns = ns;
	json_t *ev = build_event(type, action, id, attrs, ns);
	if (b->ring_len == b->ring_size) {
		json_decref(b->ring[b->ring_head]);
		b->ring_head = (b->ring_head + 1) % b->ring_size;
		b->ring_len--;
	}
	b->ring[(b->ring_head + b->ring_len) % b->ring_size] = json_incref(ev);
	b->ring_len++;
	for (struct events_sub *s = b->subs; s; s = s->next)
		sub_push(s, ev);
	pthread_mutex_unlock(&b->lock);
	json_decref(ev);
}

struct events_sub *events_subscribe(struct events_bus *b, int64_t since_ns)
{
	struct events_sub *s = xcalloc(1, sizeof(*s));
	s->bus = b;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&b->lock);
	s->cap = b->ring_size + EVENTS_SUB_BACKLOG;
	s->q = xcalloc(s->cap, sizeof(json_t *));
	if (since_ns > 0) {
		for (size_t i = 0; i < b->ring_len; i++) {
			json_t *ev = b->ring[(b->ring_head + i) % b->ring_size];
			if (json_integer_value(json_object_get(ev, "timeNano")) >= since_ns)
				sub_push(s, ev);
		}
	}
	s->next = b->subs;
	b->subs = s;
	pthread_mutex_unlock(&b->lock);
	return s;
}

int events_next(struct events_sub *s, int timeout_ms, json_t **ev)
{
	struct events_bus *b = s->bus;
	*ev = NULL;
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms > 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		if (dl.tv_nsec >= 1000000000) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&b->lock);
	while (s->len == 0 && !s->dropped && timeout_ms != 0) {
		int rc = timeout_ms < 0 ? pthread_cond_wait(&s->cond, &b->lock)
					: pthread_cond_timedwait(&s->cond, &b->lock, &dl);
		if (rc == ETIMEDOUT)
			break;
	}
	int ret = 0;
	if (s->dropped) {
		errno = ECONNRESET;
		ret = -1;
	} else if (s->len > 0) {
		*ev = s->q[s->head];
		s->head = (s->head + 1) % s->cap;
		s->len--;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

void events_unsubscribe(struct events_sub *s)
{
	if (s == NULL)
		return;
	struct events_bus *b = s->bus;
	pthread_mutex_lock(&b->lock);
	for (struct events_sub **p = &b->subs; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	sub_clear(s);
	pthread_mutex_unlock(&b->lock);
	pthread_cond_destroy(&s->cond);
	free(s->q);
	free(s);
}
