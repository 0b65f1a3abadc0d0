/* Restart policies (no, always, unless-stopped, on-failure[:N]) with
 * docker's backoff: the first restart after 100 ms, each next one after
 * twice the previous delay, at most a minute; a container that ran 10 s or
 * more starts again from 100 ms. Also the worker that runs after every exit:
 * the clean-up of the task, then a restart or AutoRemove. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define RESTART_FIRST_MS 100
#define RESTART_MAX_MS 60000
#define RESTART_RESET_MS 10000

void ctr_restart_policy(json_t *host_config, struct ctr_restart_policy *out)
{
	out->kind = CTR_RESTART_NO;
	out->max_retries = 0;
	json_t *rp = json_object_get(host_config, "RestartPolicy");
	const char *name = json_string_value(json_object_get(rp, "Name"));
	int64_t max = 0;
	bjson_as_int64(json_object_get(rp, "MaximumRetryCount"), &max);
	if (!name)
		return;
	if (strcmp(name, "always") == 0)
		out->kind = CTR_RESTART_ALWAYS;
	else if (strcmp(name, "unless-stopped") == 0)
		out->kind = CTR_RESTART_UNLESS_STOPPED;
	else if (strcmp(name, "on-failure") == 0) {
		out->kind = CTR_RESTART_ON_FAILURE;
		out->max_retries = max > 0 ? (int)max : 0;
	}
}

bool ctr_restart_should(const struct ctr_restart_policy *p, int exit_code, int restart_count,
			bool manually_stopped)
{
	if (manually_stopped)
		return false;
	switch (p->kind) {
	case CTR_RESTART_ALWAYS:
	case CTR_RESTART_UNLESS_STOPPED:
		return true;
	case CTR_RESTART_ON_FAILURE:
		return exit_code != 0 && (p->max_retries == 0 || restart_count < p->max_retries);
	case CTR_RESTART_NO:
	default:
		return false;
	}
}

int ctr_restart_next_delay(int prev_ms, int64_t ran_ms)
{
	if (ran_ms >= RESTART_RESET_MS)
		prev_ms = 0;
	int next = prev_ms <= 0 ? RESTART_FIRST_MS : prev_ms * 2;
	return next > RESTART_MAX_MS ? RESTART_MAX_MS : next;
}

/* Wait delay_ms unless the restart is called off; true to go on. */
static bool restart_wait(struct engine *e, struct container *c, int delay_ms)
{
	struct ctr_store *s = e->containers;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += delay_ms / 1000;
	end.tv_nsec += (long)(delay_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	bool go = true;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		/* not s->lock: it comes before c->lock */
		bool closing = __atomic_load_n(&s->closing, __ATOMIC_ACQUIRE);
		if (closing || !c->priv->restart_wait || c->priv->removed ||
		    c->state.manually_stopped) {
			go = false;
			break;
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		/* at most 200 ms at a time: berthd's shutdown does not signal c->cond */
		struct timespec t = now;
		t.tv_nsec += 200000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		if (t.tv_sec > end.tv_sec || (t.tv_sec == end.tv_sec && t.tv_nsec > end.tv_nsec))
			t = end;
		pthread_cond_timedwait(&c->cond, &c->lock, &t);
	}
	pthread_mutex_unlock(&c->lock);
	return go;
}

int ctr_remove_locked(struct engine *e, struct container *c, bool force, bool volumes,
		      struct berth_error **err);

static void auto_remove(struct engine *e, struct container *c)
{
	struct berth_error *err = NULL;
	if (ctr_remove_locked(e, c, true, true, &err) < 0) {
		log_error("auto-remove of container %s: %s", c->id, err->msg);
		berth_error_free(&err);
	}
}

void ctr_after_exit(struct engine *e, struct container *c)
{
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	bool removed = c->priv->removed;
	bool running = c->state.status == CTR_RUNNING || c->state.status == CTR_PAUSED;
	pthread_mutex_unlock(&c->lock);
	/* removed, or started again since (the exit was of an older task) */
	if (removed || running) {
		pthread_mutex_unlock(&c->priv->op);
		return;
	}
	ctr_task_cleanup(e, c);
	pthread_mutex_lock(&c->lock);
	bool autorm = json_is_true(json_object_get(c->host_config, "AutoRemove"));
	int64_t ran_ms = c->state.started_at > 0 && c->state.finished_at > c->state.started_at
			     ? (c->state.finished_at - c->state.started_at) / 1000000
			     : 0;
	/* decided when the exit was recorded (ctr_record_exit) */
	bool again = c->state.status == CTR_RESTARTING && !c->state.manually_stopped;
	int delay = 0;
	if (again) {
		delay = ctr_restart_next_delay(c->priv->restart_delay_ms, ran_ms);
		c->priv->restart_delay_ms = delay;
		c->priv->restart_wait = true;
		c->state.status = CTR_RESTARTING;
		ctr_persist_locked(e, c, false, NULL);
		pthread_cond_broadcast(&c->cond);
	} else if (c->state.status == CTR_RESTARTING) {
		c->state.status = CTR_EXITED;
		ctr_persist_locked(e, c, false, NULL);
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	if (!again) {
		if (autorm)
			auto_remove(e, c);
		pthread_mutex_unlock(&c->priv->op);
		return;
	}
	pthread_mutex_unlock(&c->priv->op);
	log_debug("container %s: restart in %d ms", c->id, delay);
	bool go = restart_wait(e, c, delay);
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	go = go && c->priv->restart_wait && c->state.status == CTR_RESTARTING && !c->priv->removed;
	c->priv->restart_wait = false;
	pthread_mutex_unlock(&c->lock);
	if (go) {
		struct berth_error *err = NULL;
		if (ctr_start_locked(e, c, true, &err) < 0) {
			log_error("restart of container %s: %s", c->id, err->msg);
			berth_error_free(&err);
			pthread_mutex_lock(&c->lock);
			if (c->state.status == CTR_RESTARTING)
				c->state.status = CTR_EXITED;
			ctr_persist_locked(e, c, false, NULL);
			pthread_cond_broadcast(&c->cond);
			pthread_mutex_unlock(&c->lock);
		}
	}
	pthread_mutex_unlock(&c->priv->op);
}
