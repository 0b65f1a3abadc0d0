/* Verbs acting on a running container through its cgroup. */
#ifndef BERTH_RUNTIME_CONTROL_H
#define BERTH_RUNTIME_CONTROL_H

#include "runtime/runtime.h"

#include <jansson.h>
#include <sys/types.h>

int rt_pause(const struct rt_globals *g, const char *id, struct berth_error **err);
int rt_resume(const struct rt_globals *g, const char *id, struct berth_error **err);
/* Host pids of every process of the container. */
int rt_ps(const struct rt_globals *g, const char *id, pid_t **pids, size_t *n,
	  struct berth_error **err);
/* Apply a linux.resources object to the running container. */
int rt_update(const struct rt_globals *g, const char *id, json_t *resources,
	      struct berth_error **err);

/* Called for each event ({"type": "stats"|"oom", "id": ..., "data": ...});
 * a negative return stops the stream. */
typedef int (*rt_event_fn)(json_t *event, void *data);
/* stats_once: one stats event; else stats every interval and oom events
 * until the container stops. */
int rt_events(const struct rt_globals *g, const char *id, bool stats_once, int interval_ms,
	      rt_event_fn fn, void *data, struct berth_error **err);

#endif
