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

static const char *const filter_keys[] = {
    "container", "daemon", "event", "image",   "label",	 "network", "type", "volume",
    "plugin",	 "scope",  "node",  "service", "secret", "config",  NULL,
};

/* {"key": {"v": true}} or {"key": ["v"]} -> {"key": ["v", ...]} */
static json_t *events_parse_filters(const char *f, struct berth_error **err)
{
	json_t *out = json_object();
	if (f == NULL || f[0] == '\0')
		return out;
	json_t *o = json_loads(f, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		json_decref(out);
		berth_error_set(err, EINVAL, "invalid filter: %s", f);
		return NULL;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		bool known = false;
		for (size_t i = 0; filter_keys[i] && !known; i++)
			known = strcmp(filter_keys[i], k) == 0;
		if (!known) {
			json_decref(o);
			json_decref(out);
			berth_error_set(err, EINVAL, "Invalid filter '%s'", k);
			return NULL;
		}
		json_t *vals = json_array();
		if (json_is_object(v)) {
			const char *vk;
			json_t *vv;
			json_object_foreach(v, vk, vv)
			{
				if (json_is_true(vv))
					json_array_append_new(vals, json_string(vk));
			}
		} else if (json_is_array(v)) {
			size_t i;
			json_t *vv;
			json_array_foreach(v, i, vv)
			{
				if (json_is_string(vv))
					json_array_append(vals, vv);
			}
		}
		json_object_set_new(out, k, vals);
	}
	json_decref(o);
	return out;
}

/* "sec[.frac]" -> ns; also docker's duration-free RFC 3339 is not sent by
 * the CLI (it converts), so only numbers. */
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

static bool key_has(json_t *f, const char *key)
{
	return json_array_size(json_object_get(f, key)) > 0;
}

/* One of the key's values equals s (or, fuzzy, is a prefix of s). */
static bool key_match(json_t *f, const char *key, const char *s, bool fuzzy)
{
	if (s == NULL)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(f, key), i, v)
	{
		const char *want = json_string_value(v);
		if (strcmp(want, s) == 0)
			return true;
		if (fuzzy && *want && strncmp(want, s, strlen(want)) == 0)
			return true;
	}
	return false;
}

/* An image reference without its tag ("busybox:1" -> "busybox"); not a
 * registry port ("host:5000/x"). */
static char *strip_tag(const char *s)
{
	char *r = xstrdup(s);
	char *at = strchr(r, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(r, '/');
	char *colon = strrchr(r, ':');
	if (colon && (slash == NULL || colon > slash))
		*colon = '\0';
	return r;
}

/* docker's matchImage: the actor's ID or its image name (the "image"
 * attribute, "name" for image events), with or without the tag. */
static bool image_match(json_t *f, const char *type, const char *id, json_t *attrs)
{
	if (!key_has(f, "image"))
		return true;
	const char *name = json_string_value(
	    json_object_get(attrs, strcmp(type, "image") == 0 ? "name" : "image"));
	const char *cand[2] = {id, name};
	for (size_t i = 0; i < 2; i++) {
		if (cand[i] == NULL)
			continue;
		cleanup_free char *bare = strip_tag(cand[i]);
		if (key_match(f, "image", cand[i], false) || key_match(f, "image", bare, false))
			return true;
	}
	return false;
}

static bool label_match(json_t *f, json_t *attrs)
{
	json_t *want = json_object_get(f, "label");
	size_t i;
	json_t *v;
	/* every label filter must hold (docker's MatchKVList) */
	json_array_foreach(want, i, v)
	{
		const char *s = json_string_value(v);
		const char *eq = strchr(s, '=');
		cleanup_free char *k = eq ? xasprintf("%.*s", (int)(eq - s), s) : xstrdup(s);
		const char *have = json_string_value(json_object_get(attrs, k));
		if (have == NULL || (eq && strcmp(have, eq + 1) != 0))
			return false;
	}
	return true;
}

/* The type-scoped name filters: container, volume, network, plugin, daemon. */
static bool name_match(json_t *f, const char *key, const char *type, const char *id, json_t *attrs)
{
	if (!key_has(f, key))
		return true;
	if (strcmp(type, key) != 0)
		return false;
	return key_match(f, key, id, true) ||
	       key_match(f, key, json_string_value(json_object_get(attrs, "name")), true);
}

static bool events_match(json_t *f, json_t *ev)
{
	if (json_object_size(f) == 0)
		return true;
	const char *type = json_string_value(json_object_get(ev, "Type"));
	const char *action = json_string_value(json_object_get(ev, "Action"));
	json_t *actor = json_object_get(ev, "Actor");
	const char *id = json_string_value(json_object_get(actor, "ID"));
	json_t *attrs = json_object_get(actor, "Attributes");
	if (type == NULL || action == NULL)
		return false;
	if (key_has(f, "type") && !key_match(f, "type", type, false))
		return false;
	if (key_has(f, "event") && !key_match(f, "event", action, false)) {
		/* "exec_start: sh -c x" matches event=exec_start */
		const char *colon = strchr(action, ':');
		cleanup_free char *head =
		    colon ? xasprintf("%.*s", (int)(colon - action), action) : NULL;
		if (head == NULL || !key_match(f, "event", head, false))
			return false;
	}
	if (key_has(f, "scope") && !key_match(f, "scope", "local", false))
		return false;
	static const char *const scoped[] = {"container", "volume", "network", "plugin", "daemon"};
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++)
		if (!name_match(f, scoped[i], type, id, attrs))
			return false;
	return image_match(f, type, id, attrs) && label_match(f, attrs);
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
		if (t >= j->since_ns && events_match(j->filters, ev))
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
	json_t *filters = events_parse_filters(api_query(req, "filters"), err);
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
