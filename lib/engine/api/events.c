/* GET /events?since=&until=&filters=: docker's event stream (JSON lines, one
 * chunk each). since/until are Unix seconds with an optional fraction
 * ("1795451861.5") as the CLI sends them; with since the bus replays what
 * its ring still holds from then on; with until the stream ends once that
 * time has passed. Filters as dockerd's daemon/events/filter.go: type,
 * event (the Action, also "exec_start" for "exec_start: sh"), container
 * (ID prefix or name), image (ID or name, with or without the tag, also
 * the image of a container event), label (k or k=v), daemon, volume,
 * network, plugin, scope ("local"); values of one key are alternatives,
 * keys must all match. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_ts(const char *s, const char *what, int64_t *out, struct berth_error **err)
{
	char *end = NULL;
	errno = 0;
	long long sec = strtoll(s, &end, 10);
	if (errno || end == s || sec < 0)
		return berth_error_set(err, EINVAL, "invalid %s value %s: not a Unix timestamp",
				       what, s);
	int64_t ns = 0;
	if (*end == '.') {
		const char *p = end + 1;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (digits < 9) {
				ns = ns * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		for (; digits < 9; digits++)
			ns *= 10;
		end = (char *)p;
	}
	if (*end != '\0')
		return berth_error_set(err, EINVAL, "invalid %s value %s: not a Unix timestamp",
				       what, s);
	*out = (int64_t)sec * 1000000000 + ns;
	return 0;
}

struct events_job {
	struct events_sub *sub;
	json_t *filters;
	int64_t since_ns; /* 0: none; live events before it are skipped too */
	int64_t until_ns; /* 0: none */
};

static void events_job_free(void *arg)
{
	struct events_job *j = arg;
	events_unsubscribe(j->sub);
	json_decref(j->filters);
	free(j);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void events_stream(struct api_stream *s, void *arg)
{
	struct events_job *j = arg;
	api_stream_follow(s);
	while (!api_stream_cancelled(s)) {
		int timeout = 500;
		if (j->until_ns) {
			int64_t left = j->until_ns - now_ns();
			if (left <= 0) {
				/* what was published up to until is queued: drain it */
				timeout = 0;
			} else if (left / 1000000 < timeout) {
				timeout = (int)(left / 1000000) + 1;
			}
		}
		json_t *ev = NULL;
		if (events_next(j->sub, timeout, &ev) < 0)
			return; /* dropped: too slow a reader; docker closes too */
		if (ev == NULL) {
			if (j->until_ns && now_ns() >= j->until_ns && timeout == 0)
				return;
			continue;
		}
		int64_t t = json_integer_value(json_object_get(ev, "timeNano"));
		if (j->until_ns && t > j->until_ns) {
			json_decref(ev);
			return;
		}
		int rc = 0;
		if (t >= j->since_ns && events_filter_match(j->filters, ev))
			rc = api_stream_json(s, ev, "\n");
		json_decref(ev);
		if (rc < 0)
			return;
	}
}

static int events_get(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	if (e->events == NULL)
		return berth_error_set(err, EIO, "the events bus is not available");
	int64_t since = 0, until = 0;
	const char *s = api_query(req, "since");
	const char *u = api_query(req, "until");
	if (s && *s && parse_ts(s, "since", &since, err) < 0)
		return -1;
	if (u && *u && parse_ts(u, "until", &until, err) < 0)
		return -1;
	if (since && until && until < since)
		return berth_error_set(err, EINVAL,
				       "`since` time (%s) cannot be after `until` (%s)", s, u);
	json_t *filters = events_filter_parse(api_query(req, "filters"), err);
	if (filters == NULL)
		return -1;
	struct events_job *j = xcalloc(1, sizeof(*j));
	j->filters = filters;
	j->until_ns = until;
	j->since_ns = since;
	/* since 0 (the epoch) still means "from the start of the ring"; until
	 * alone replays the ring too (dockerd's loadBufferedEvents) */
	bool replay = (s && *s) || until;
	j->sub = events_subscribe(e->events, replay ? (since ? since : 1) : 0);
	api_reply_stream(resp, 200, "application/json", events_stream, j, events_job_free);
	return 0;
}

const struct api_route api_events_routes[] = {
    {"GET", "/events", events_get},
    {NULL, NULL, NULL},
};
