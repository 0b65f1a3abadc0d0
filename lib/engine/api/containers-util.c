/* Pure helpers of the container routes: list filters, docker's status text
 * and human durations, RFC 3339 times, Path/Args (containers-internal.h). */
#include "engine/api/containers-internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/rfc3339.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "engine/engine.h"

#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const list_keys[] = {
    "ancestor", "before",  "exited",  "health", "id",	  "isolation", "is-task", "label",
    "name",	"network", "publish", "since",	"status", "volume",    "expose",  NULL,
};
static const char *const prune_keys[] = {"until", "label", "label!", NULL};
static const char *const status_words[] = {"created", "restarting", "running", "removing",
					   "paused",  "exited",	    "dead",    NULL};

static bool in_list(const char *const *v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int check_value(const char *k, const char *v, struct berth_error **err)
{
	if (strcmp(k, "status") == 0 && !in_list(status_words, v))
		return berth_error_set(err, EINVAL, "Invalid filter 'status=%s'", v);
	static const char *const health_words[] = {"starting", "healthy", "unhealthy", "none",
						   NULL};
	if (strcmp(k, "health") == 0 && !in_list(health_words, v))
		return berth_error_set(err, EINVAL, "Unrecognised filter value for health: %s", v);
	if (strcmp(k, "exited") == 0) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (v[0] == '\0' || *end != '\0' || errno || n < -1000000 || n > 1000000)
			return berth_error_set(err, EINVAL, "Invalid filter 'exited=%s'", v);
	}
	return 0;
}

int ctrapi_filters_parse(const char *s, bool prune, json_t **out, struct berth_error **err)
{
	*out = NULL;
	if (s == NULL || s[0] == '\0') {
		*out = json_object();
		return 0;
	}
	json_error_t jerr;
	cleanup_json json_t *o = json_loads(s, 0, &jerr);
	if (!json_is_object(o))
		return berth_error_set(err, EINVAL, "invalid filters %s: %s", s,
				       o ? "not a JSON object" : jerr.text);
	json_t *res = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (!in_list(prune ? prune_keys : list_keys, k)) {
			json_decref(res);
			return berth_error_set(err, EINVAL, "Invalid filter '%s'", k);
		}
		json_t *vals = json_array();
		json_object_set_new(res, k, vals);
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
				if (!json_is_string(vv)) {
					json_decref(res);
					return berth_error_set(
					    err, EINVAL, "invalid filters: %s: expected strings",
					    k);
				}
				json_array_append(vals, vv);
			}
		} else {
			json_decref(res);
			return berth_error_set(
			    err, EINVAL, "invalid filters: %s: expected an object or an array", k);
		}
		size_t i;
		json_t *vv;
		json_array_foreach(vals, i, vv)
		{
			if (check_value(k, json_string_value(vv), err) < 0) {
				json_decref(res);
				return -1;
			}
		}
	}
	*out = res;
	return 0;
}

json_t *ctrapi_filter_values(json_t *filters, const char *key)
{
	json_t *v = json_object_get(filters, key);
	return json_array_size(v) ? v : NULL;
}

bool ctrapi_match_regex(json_t *values, const char *s)
{
	if (values == NULL)
		return true;
	size_t i;
	json_t *v;
	json_array_foreach(values, i, v)
	{
		regex_t re;
		if (regcomp(&re, json_string_value(v), REG_EXTENDED | REG_NOSUB) != 0)
			continue;
		int rc = regexec(&re, s ? s : "", 0, NULL, 0);
		regfree(&re);
		if (rc == 0)
			return true;
	}
	return false;
}

bool ctrapi_match_labels(json_t *values, json_t *labels)
{
	return bjson_match_kvlist(values, labels);
}

char *ctrapi_human_duration(int64_t ns)
{
	double secs_f = (double)ns / 1e9;
	long long secs = (long long)secs_f;
	if (secs < 1)
		return xstrdup("Less than a second");
	if (secs == 1)
		return xstrdup("1 second");
	if (secs < 60)
		return xasprintf("%lld seconds", secs);
	long long minutes = (long long)(secs_f / 60);
	if (minutes == 1)
		return xstrdup("About a minute");
	if (minutes < 60)
		return xasprintf("%lld minutes", minutes);
	long long hours = (long long)(secs_f / 3600 + 0.5);
	if (hours == 1)
		return xstrdup("About an hour");
	if (hours < 48)
		return xasprintf("%lld hours", hours);
	if (hours < 24 * 7 * 2)
		return xasprintf("%lld days", hours / 24);
	if (hours < 24 * 30 * 2)
		return xasprintf("%lld weeks", hours / 24 / 7);
	if (hours < 24 * 365 * 2)
		return xasprintf("%lld months", hours / 24 / 30);
	return xasprintf("%lld years", (long long)(secs_f / 3600 / 24 / 365));
}

char *ctrapi_status_text(const struct ctr_state *s, int64_t now_ns)
{
	cleanup_free char *d = NULL;
	switch (s->status) {
	case CTR_RUNNING:
	case CTR_PAUSED:
		d = ctrapi_human_duration(now_ns - s->started_at);
		return xasprintf("Up %s%s", d,
				 s->status == CTR_PAUSED || s->paused ? " (Paused)" : "");
	case CTR_RESTARTING:
		d = ctrapi_human_duration(now_ns - s->finished_at);
		return xasprintf("Restarting (%d) %s ago", s->exit_code, d);
	case CTR_REMOVING:
		return xstrdup("Removal In Progress");
	case CTR_DEAD:
		return xstrdup("Dead");
	case CTR_CREATED:
		return xstrdup("Created");
	case CTR_EXITED:
		if (s->started_at == 0)
			return xstrdup("Created");
		if (s->finished_at == 0)
			return xstrdup("");
		d = ctrapi_human_duration(now_ns - s->finished_at);
		return xasprintf("Exited (%d) %s ago", s->exit_code, d);
	}
	return xstrdup("");
}

char *ctrapi_time_rfc3339(int64_t ns)
{
	return rfc3339_format_ns(ns);
}

/* "1h30m", "10m", "2.5s", "500ms": Go's time.ParseDuration, enough of it */
static int parse_duration(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1},	 {"us", 1e3}, {"µs", 1e3},  {"ms", 1e6},
		     {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	double total = 0;
	const char *p = s;
	if (*p == '\0')
		return -1;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		size_t best = 0;
		double mul = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, n) == 0 && n > best) {
				best = n;
				mul = units[i].ns;
			}
		}
		if (best == 0)
			return -1;
		p += best;
		total += v * mul;
	}
	*out = (int64_t)total;
	return 0;
}

int ctrapi_parse_time(const char *s, int64_t now_ns, int64_t *out, struct berth_error **err)
{
	int64_t d;
	if (parse_duration(s, &d) == 0) {
		*out = now_ns - d;
		return 0;
	}
	char *end;
	errno = 0;
	double secs = strtod(s, &end);
	if (end != s && *end == '\0' && errno == 0 && strchr(s, 'e') == NULL &&
	    strchr(s, 'E') == NULL) {
		*out = (int64_t)(secs * 1e9);
		return 0;
	}
	struct tm tm = {0};
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (rest == NULL) {
		memset(&tm, 0, sizeof(tm));
		rest = strptime(s, "%Y-%m-%d", &tm);
	}
	if (rest) {
		int64_t frac = 0;
		if (*rest == '.') {
			rest++;
			int64_t scale = 100000000;
			while (*rest >= '0' && *rest <= '9') {
				frac += (*rest - '0') * scale;
				scale /= 10;
				rest++;
			}
		}
		int64_t off = 0;
		if (*rest == 'Z') {
			rest++;
		} else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 && rest[3] == ':') {
			int hh = atoi(rest + 1), mm = atoi(rest + 4);
			off = (int64_t)(hh * 3600 + mm * 60) * (*rest == '-' ? -1 : 1);
			rest += 6;
		}
		if (*rest == '\0') {
			*out = ((int64_t)timegm(&tm) - off) * 1000000000 + frac;
			return 0;
		}
	}
	return berth_error_set(
	    err, EINVAL, "invalid time \"%s\": expected unix seconds, RFC 3339 or a duration", s);
}

void ctrapi_path_args(json_t *config, const char **path, json_t **args)
{
	json_t *all = json_array();
	json_t *ep = json_object_get(config, "Entrypoint");
	json_t *cmd = json_object_get(config, "Cmd");
	if (json_is_array(ep))
		json_array_extend(all, ep);
	else if (json_is_string(ep))
		json_array_append(all, ep);
	if (json_is_array(cmd))
		json_array_extend(all, cmd);
	else if (json_is_string(cmd))
		json_array_append(all, cmd);
	*path = "";
	*args = json_array();
	if (json_array_size(all) > 0) {
		/* the string stays alive in config (Entrypoint or Cmd holds it) */
		*path = json_string_value(json_array_get(all, 0));
		json_array_remove(all, 0);
		json_array_extend(*args, all);
	}
	if (*path == NULL)
		*path = "";
	json_decref(all);
}

char *ctrapi_command(json_t *config)
{
	const char *path;
	cleanup_json json_t *args = NULL;
	ctrapi_path_args(config, &path, &args);
	/* dockerd's list: an argument with a space is put in single quotes */
	size_t len = strlen(path) + 1, i;
	json_t *a;
	json_array_foreach(args, i, a) len += strlen(json_string_value(a) ?: "") + 3;
	char *s = xmalloc(len);
	char *p = stpcpy(s, path);
	json_array_foreach(args, i, a)
	{
		const char *v = json_string_value(a) ?: "";
		bool quote = strchr(v, ' ') != NULL;
		*p++ = ' ';
		if (quote)
			*p++ = '\'';
		p = stpcpy(p, v);
		if (quote)
			*p++ = '\'';
	}
	*p = '\0';
	return s;
}

int64_t ctrapi_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ctrapi_event(struct engine *e, struct container *c, const char *action, json_t *extra)
{
	if (e->events == NULL)
		return;
	cleanup_json json_t *attrs = json_object();
	pthread_mutex_lock(&c->lock);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(c->config, "Labels"), k, v)
	{
		if (json_is_string(v))
			json_object_set(attrs, k, v);
	}
	json_object_update(attrs, extra);
	json_object_set_new(attrs, "image", json_string(c->image ? c->image : ""));
	const char *name = c->name ? c->name : "";
	json_object_set_new(attrs, "name", json_string(name[0] == '/' ? name + 1 : name));
	pthread_mutex_unlock(&c->lock);
	events_publish(e->events, "container", action, c->id, attrs);
}
