/* pause, resume, ps, update and events: the verbs that act on a running
 * container through its cgroup. */
#include "runtime/container-cgroup.h"
#include "runtime/control.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

struct opened {
	struct rt_container *c;
	struct rt_cgroup rcg;
	struct cgroup *cg; /* rcg.cg */
};

static int open_with_cgroup(const struct rt_globals *g, const char *id, struct opened *o,
			    struct berth_error **err)
{
	if (rt_container_open(g->root, id, &o->c, err) < 0)
		return -1;
	if (rt_cgroup_require(o->c, &o->rcg, err) < 0) {
		rt_container_free(o->c);
		o->c = NULL;
		return -1;
	}
	o->cg = o->rcg.cg;
	return 0;
}

static void opened_free(struct opened *o)
{
	rt_cgroup_close(&o->rcg);
	o->cg = NULL;
	rt_container_free(o->c);
}

static int set_frozen(const struct rt_globals *g, const char *id, bool frozen,
		      struct berth_error **err)
{
	struct opened o = {0};
	if (open_with_cgroup(g, id, &o, err) < 0)
		return -1;
	int ret = -1;
	enum rt_status st = rt_container_status(o.c);
	if (frozen && st != RT_RUNNING && st != RT_CREATED)
		berth_error_set(err, EINVAL, "cannot pause container \"%s\": it is %s", id,
				rt_status_name(st));
	else if (!frozen && st != RT_PAUSED)
		berth_error_set(err, EINVAL, "cannot resume container \"%s\": it is %s, not paused",
				id, rt_status_name(st));
	else
		ret = cgroup_freeze(o.cg, frozen, err);
	opened_free(&o);
	return ret;
}

int rt_pause(const struct rt_globals *g, const char *id, struct berth_error **err)
{
	return set_frozen(g, id, true, err);
}

int rt_resume(const struct rt_globals *g, const char *id, struct berth_error **err)
{
	return set_frozen(g, id, false, err);
}

int rt_ps(const struct rt_globals *g, const char *id, pid_t **pids, size_t *n,
	  struct berth_error **err)
{
	struct opened o = {0};
	if (open_with_cgroup(g, id, &o, err) < 0)
		return -1;
	int ret = cgroup_pids(o.cg, pids, n, err);
	opened_free(&o);
	return ret;
}

int rt_update(const struct rt_globals *g, const char *id, json_t *resources,
	      struct berth_error **err)
{
	struct oci_resources *res = NULL;
	if (oci_resources_parse_at(resources, "", &res, err) < 0)
		return berth_error_wrap(err, "update %s", id);
	struct opened o = {0};
	int ret = -1;
	if (open_with_cgroup(g, id, &o, err) == 0) {
		if (rt_container_status(o.c) == RT_STOPPED)
			berth_error_set(err, EINVAL,
					"cannot update container \"%s\": it is stopped", id);
		else
			ret = cgroup_apply(o.cg, res, err);
	}
	opened_free(&o);
	oci_resources_free(res);
	return ret;
}

static int emit_stats(struct opened *o, rt_event_fn fn, void *data, struct berth_error **err)
{
	json_t *stats = NULL;
	if (cgroup_stats(o->cg, &stats, err) < 0)
		return -1;
	cleanup_json json_t *ev =
	    json_pack("{s:s,s:s,s:o}", "type", "stats", "id", o->c->id, "data", stats);
	return fn(ev, data);
}

/* Events until the container stops: stats every interval, oom as it happens. */
static int stream(struct opened *o, int interval_ms, rt_event_fn fn, void *data,
		  struct berth_error **err)
{
	cleanup_close int oomfd = cgroup_oom_fd(o->cg, err);
	if (oomfd < 0) {
		log_debug("events %s: no OOM notifications: %s", o->c->id, (*err)->msg);
		berth_error_free(err);
	}
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	/* v1 signals the eventfd when the cgroup goes under OOM, which can be
	 * before the kill shows in the oom_kill counter: after a wakeup that
	 * found no kill yet, look again every OOM_RECHECK_MS for a while. */
	enum { OOM_RECHECK_MS = 20, OOM_RECHECKS = 100 };
	int rechecks = 0;
	for (;;) {
		if (rt_container_status(o->c) == RT_STOPPED)
			return 0;
		struct pollfd p = {.fd = oomfd, .events = POLLIN};
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long wait =
		    (next.tv_sec - now.tv_sec) * 1000 + (next.tv_nsec - now.tv_nsec) / 1000000;
		int timeout = wait > 0 ? (int)(wait < 1000 ? wait : 1000) : 0;
		if (rechecks > 0 && timeout > OOM_RECHECK_MS)
			timeout = OOM_RECHECK_MS;
		int r = poll(&p, 1, timeout);
		if (r < 0 && errno != EINTR)
			return berth_error_errno(err, "events: poll");
		bool woken = r > 0 && (p.revents & POLLIN);
		if (oomfd >= 0 && (woken || rechecks > 0)) {
			bool oom = false;
			if (cgroup_oom_check(o->cg, oomfd, &oom, err) < 0)
				return -1;
			if (oom)
				rechecks = 0;
			else if (woken)
				rechecks = OOM_RECHECKS;
			else
				rechecks--;
			cleanup_json json_t *ev =
			    json_pack("{s:s,s:s}", "type", "oom", "id", o->c->id);
			if (oom && fn(ev, data) < 0)
				return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec >= next.tv_nsec)) {
			if (emit_stats(o, fn, data, err) < 0) {
				/* the cgroup went away with the container */
				if (rt_container_status(o->c) == RT_STOPPED) {
					berth_error_free(err);
					return 0;
				}
				return -1;
			}
			next.tv_sec += interval_ms / 1000;
			next.tv_nsec += (long)(interval_ms % 1000) * 1000000;
			if (next.tv_nsec >= 1000000000) {
				next.tv_sec++;
				next.tv_nsec -= 1000000000;
			}
		}
	}
}

int rt_events(const struct rt_globals *g, const char *id, bool stats_once, int interval_ms,
	      rt_event_fn fn, void *data, struct berth_error **err)
{
	struct opened o = {0};
	if (open_with_cgroup(g, id, &o, err) < 0)
		return -1;
	int ret;
	if (rt_container_status(o.c) == RT_STOPPED) {
		ret = berth_error_set(err, EINVAL, "container \"%s\" is stopped", id);
	} else if (stats_once) {
		ret = emit_stats(&o, fn, data, err);
	} else {
		/* the lock is not held while streaming */
		rt_container_unlock(o.c);
		ret = stream(&o, interval_ms, fn, data, err);
	}
	opened_free(&o);
	return ret;
}
