/* The container store: lookup by id, name or id prefix, references, the
 * list, state copies and waiting (container.h). */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/events/events.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ctr_exec_exit_hook is defined by api/exec.c */

static const char *const status_names[] = {
    [CTR_CREATED] = "created",	 [CTR_RUNNING] = "running",
    [CTR_PAUSED] = "paused",	 [CTR_RESTARTING] = "restarting",
    [CTR_REMOVING] = "removing", [CTR_EXITED] = "exited",
    [CTR_DEAD] = "dead",
};

const char *ctr_status_name(enum ctr_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return "dead";
	return status_names[s];
}

int64_t ctr_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct container *ctr_new(const char *id)
{
	struct container *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	c->refs = 1;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->priv = xcalloc(1, sizeof(*c->priv));
	pthread_mutex_init(&c->priv->op, NULL);
	c->priv->sub_fd = -1;
	return c;
}

void ctr_ref(struct container *c)
{
	atomic_fetch_add((atomic_int *)&c->refs, 1);
}

void ctr_unref(struct container *c)
{
	if (!c || atomic_fetch_sub((atomic_int *)&c->refs, 1) != 1)
		return;
	free(c->name);
	free(c->image);
	free(c->image_id);
	json_decref(c->config);
	json_decref(c->host_config);
	free(c->runtime);
	free(c->snapshot_key);
	free(c->shim_dir);
	free(c->rootfs);
	free(c->log_path);
	free(c->state.error);
	free(c->priv->tmp_rootfs);
	free(c->priv->cgroup_path);
	pthread_mutex_destroy(&c->priv->op);
	free(c->priv);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	free(c);
}

void ctr_store_add(struct ctr_store *s, struct container *c)
{
	ctr_ref(c);
	pthread_mutex_lock(&s->lock);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = c;
	pthread_mutex_unlock(&s->lock);
}

void ctr_store_remove(struct ctr_store *s, struct container *c)
{
	bool found = false;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] == c) {
			memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
			s->n--;
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	pthread_mutex_lock(&c->lock);
	c->priv->removed = true;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (found)
		ctr_unref(c);
}

struct container *ctr_store_by_name_locked(struct ctr_store *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		struct container *c = s->v[i];
		pthread_mutex_lock(&c->lock);
		bool eq = c->name && strcmp(c->name, name) == 0;
		pthread_mutex_unlock(&c->lock);
		if (eq)
			return c;
	}
	return NULL;
}

int ctr_find(struct engine *e, const char *ref, struct container **out, struct berth_error **err)
{
	*out = NULL;
	struct ctr_store *s = e->containers;
	if (!s)
		return berth_error_set(err, ENOENT, "No such container: %s", ref);
	if (!ref || !ref[0])
		return berth_error_set(err, ENOENT, "No such container: %s", ref ? ref : "");
	cleanup_free char *name = ref[0] == '/' ? xstrdup(ref) : xasprintf("/%s", ref);
	size_t rlen = strlen(ref);
	bool hex = rlen <= 64;
	for (size_t i = 0; hex && i < rlen; i++)
		hex = (ref[i] >= '0' && ref[i] <= '9') || (ref[i] >= 'a' && ref[i] <= 'f');
	struct container *found = NULL, *prefix = NULL;
	size_t nprefix = 0;
	pthread_mutex_lock(&s->lock);
	/* full id, then name, then a unique id prefix: dockerd's order */
	for (size_t i = 0; i < s->n && !found; i++)
		if (!s->v[i]->priv->creating && rlen == 64 && strcmp(s->v[i]->id, ref) == 0)
			found = s->v[i];
	if (!found) {
		struct container *c = ctr_store_by_name_locked(s, name);
		if (c && !c->priv->creating)
			found = c;
	}
	for (size_t i = 0; i < s->n && !found && hex; i++) {
		if (!s->v[i]->priv->creating && strncmp(s->v[i]->id, ref, rlen) == 0) {
			prefix = s->v[i];
			nprefix++;
		}
	}
	if (!found && nprefix == 1)
		found = prefix;
	if (found)
		ctr_ref(found);
	pthread_mutex_unlock(&s->lock);
	if (found) {
		*out = found;
		return 0;
	}
	if (nprefix > 1)
		return berth_error_set(err, EINVAL, "multiple IDs found with provided prefix: %s",
				       ref);
	return berth_error_set(err, ENOENT, "No such container: %s", ref);
}

void ctr_list(struct engine *e, struct container ***out, size_t *n)
{
	struct ctr_store *s = e->containers;
	*out = NULL;
	*n = 0;
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	struct container **v = xcalloc(s->n + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i]->priv->creating)
			continue;
		ctr_ref(s->v[i]);
		v[k++] = s->v[i];
	}
	pthread_mutex_unlock(&s->lock);
	*out = v;
	*n = k;
}

void ctr_list_free(struct container **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ctr_unref(v[i]);
	free(v);
}

void ctr_state_get(struct container *c, struct ctr_state *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->state;
	out->error = c->state.error ? xstrdup(c->state.error) : NULL;
	pthread_mutex_unlock(&c->lock);
}

void ctr_state_clear(struct ctr_state *s)
{
	free(s->error);
	s->error = NULL;
}

static bool not_running(const struct container *c)
{
	enum ctr_status st = c->state.status;
	return st != CTR_RUNNING && st != CTR_PAUSED && st != CTR_RESTARTING;
}

int ctr_wait(struct container *c, enum ctr_wait_cond cond, int timeout_ms,
	     const volatile bool *cancel, int *exit_code, struct berth_error **err)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	int64_t end_ns = (int64_t)deadline.tv_sec * 1000000000 + deadline.tv_nsec +
			 (int64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000;
	pthread_mutex_lock(&c->lock);
	uint64_t seq = c->priv->exit_seq;
	int rc = 0;
	for (;;) {
		bool done = false;
		switch (cond) {
		case CTR_WAIT_NOT_RUNNING:
			/* a restarting container counts as running, but its exit
			 * ends the wait (dockerd's stopWaiters: woken by SetStopped
			 * and SetRestarting) */
			done = not_running(c) || c->priv->removed || c->priv->exit_seq != seq;
			break;
		case CTR_WAIT_NEXT_EXIT:
			done = c->priv->exit_seq != seq || c->priv->removed;
			break;
		case CTR_WAIT_REMOVED:
			done = c->priv->removed;
			break;
		}
		if (done)
			break;
		if (cancel && *cancel) {
			rc = berth_error_set(err, ECANCELED, "wait for container %s: cancelled",
					     c->id);
			break;
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
		if (timeout_ms >= 0 && now_ns >= end_ns) {
			rc = berth_error_set(err, ETIMEDOUT,
					     "wait for container %s: timed out after %d ms", c->id,
					     timeout_ms);
			break;
		}
		/* wake up at least every 200 ms to poll *cancel */
		int64_t until = now_ns + 200000000;
		if (timeout_ms >= 0 && end_ns < until)
			until = end_ns;
		struct timespec ts = {.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	}
	if (rc == 0 && exit_code)
		*exit_code = c->state.exit_code;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

char *ctr_dir(struct engine *e, const struct container *c)
{
	return xasprintf("%s/%s", e->containers->containers_dir, c->id);
}

void ctr_event(struct engine *e, struct container *c, const char *action, json_t *extra)
{
	if (!e->events) {
		json_decref(extra);
		return;
	}
	json_t *attrs = json_object();
	pthread_mutex_lock(&c->lock);
	json_t *labels = c->config ? json_object_get(c->config, "Labels") : NULL;
	const char *k;
	json_t *v;
	if (json_is_object(labels))
		json_object_foreach(labels, k, v) if (json_is_string(v))
		    json_object_set(attrs, k, v);
	json_object_set_new(attrs, "image", json_string(c->image ? c->image : ""));
	json_object_set_new(attrs, "name", json_string(c->name ? c->name + 1 : ""));
	pthread_mutex_unlock(&c->lock);
	if (extra)
		json_object_update(attrs, extra);
	json_decref(extra);
	events_publish(e->events, "container", action, c->id, attrs);
	json_decref(attrs);
}

struct spawn_arg {
	struct engine *e;
	struct container *c;
	void (*fn)(struct engine *, struct container *);
};

static void *spawn_main(void *p)
{
	struct spawn_arg *a = p;
	a->fn(a->e, a->c);
	struct ctr_store *s = a->e->containers;
	ctr_unref(a->c);
	pthread_mutex_lock(&s->lock);
	s->workers--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	free(a);
	return NULL;
}

bool ctr_spawn(struct engine *e, struct container *c,
	       void (*fn)(struct engine *, struct container *))
{
	struct ctr_store *s = e->containers;
	pthread_mutex_lock(&s->lock);
	if (s->closing) {
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	s->workers++;
	pthread_mutex_unlock(&s->lock);
	struct spawn_arg *a = xcalloc(1, sizeof(*a));
	a->e = e;
	a->c = c;
	a->fn = fn;
	ctr_ref(c);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int rc = pthread_create(&t, &attr, spawn_main, a);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		log_error("container %s: start a worker thread: %s", c->id, strerror(rc));
		ctr_unref(c);
		free(a);
		pthread_mutex_lock(&s->lock);
		s->workers--;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		return false;
	}
	return true;
}
