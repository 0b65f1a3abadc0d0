/* Persistence of a container: <root>/containers/<id>/config.v2.json (docker's
 * shape: ID, Created, Path, Args, Config, State, Image, Name, ...) and
 * hostconfig.json, written atomically (temp file + rename); loaded back at
 * start. The metadata row (md_container) holds what GC and image deletes
 * need (image, snapshot key, runtime, labels). */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *ctr_time_format(int64_t ns)
{
	return rfc3339_format_ns(ns);
}

int64_t ctr_time_parse(const char *s)
{
	if (!s)
		return 0;
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p || tm.tm_year + 1900 <= 1)
		return 0;
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%d:%d", &hh, &mm) == 2)
			off = (hh * 3600 + mm * 60) * (*p == '+' ? 1 : -1);
	}
	time_t t = timegm(&tm);
	return ((int64_t)t - off) * 1000000000 + frac;
}

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *jtime(int64_t ns)
{
	cleanup_free char *t = ctr_time_format(ns);
	return json_string(t);
}

/* Path and Args: Entrypoint + Cmd */
static void path_args(json_t *config, json_t *out)
{
	json_t *args = json_array();
	json_t *ep = json_object_get(config, "Entrypoint");
	json_t *cmd = json_object_get(config, "Cmd");
	size_t i;
	json_t *v;
	if (json_is_array(ep))
		json_array_foreach(ep, i, v) json_array_append(args, v);
	if (json_is_array(cmd))
		json_array_foreach(cmd, i, v) json_array_append(args, v);
	json_t *first = json_array_get(args, 0);
	json_object_set_new(out, "Path",
			    json_is_string(first) ? json_copy(first) : json_string(""));
	if (json_array_size(args) > 0)
		json_array_remove(args, 0);
	json_object_set_new(out, "Args", args);
}

json_t *ctr_config_v2(struct container *c)
{
	const struct ctr_state *st = &c->state;
	json_t *o = json_object();
	json_object_set_new(o, "ID", json_string(c->id));
	json_object_set_new(o, "Created", jtime(c->created));
	path_args(c->config, o);
	json_object_set(o, "Config", c->config);
	json_t *s = json_object();
	json_object_set_new(s, "Status", json_string(ctr_status_name(st->status)));
	json_object_set_new(s, "Running",
			    json_boolean(st->status == CTR_RUNNING || st->status == CTR_PAUSED));
	json_object_set_new(s, "Paused", json_boolean(st->status == CTR_PAUSED));
	json_object_set_new(s, "Restarting", json_boolean(st->status == CTR_RESTARTING));
	json_object_set_new(s, "OOMKilled", json_boolean(st->oom_killed));
	json_object_set_new(s, "RemovalInProgress", json_boolean(st->status == CTR_REMOVING));
	json_object_set_new(s, "Dead", json_boolean(st->status == CTR_DEAD));
	json_object_set_new(s, "Pid", json_integer(st->pid));
	json_object_set_new(s, "ShimPid", json_integer(st->shim_pid));
	json_object_set_new(s, "ExitCode", json_integer(st->exit_code));
	json_object_set_new(s, "Error", jstr(st->error));
	json_object_set_new(s, "StartedAt", jtime(st->started_at));
	json_object_set_new(s, "FinishedAt", jtime(st->finished_at));
	json_object_set_new(s, "Health", json_null());
	json_object_set_new(o, "State", s);
	json_object_set_new(o, "Image", jstr(c->image_id));
	json_object_set_new(o, "Name", jstr(c->name));
	json_object_set_new(o, "RestartCount", json_integer(st->restart_count));
	json_object_set_new(o, "HasBeenStartedBefore", json_boolean(c->priv->has_started));
	json_object_set_new(o, "HasBeenManuallyStopped", json_boolean(st->manually_stopped));
	json_object_set_new(o, "Driver", json_string("overlay2"));
	json_object_set_new(o, "Platform", json_string("linux"));
	json_object_set_new(o, "LogPath", jstr(c->log_path));
	json_object_set_new(o, "Runtime", jstr(c->runtime));
	json_object_set_new(o, "SnapshotKey", jstr(c->snapshot_key));
	json_object_set_new(o, "ShimDir", jstr(c->shim_dir));
	return o;
}

int ctr_persist_locked(struct engine *e, struct container *c, bool host_config,
		       struct berth_error **err)
{
	cleanup_free char *dir = ctr_dir(e, c);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", dir);
	cleanup_json json_t *v2 = ctr_config_v2(c);
	cleanup_free char *text = json_dumps(v2, JSON_COMPACT);
	if (!text ||
	    fs_write_file_atomic(dfd, "config.v2.json", text, strlen(text), 0600, false, err) < 0)
		return berth_error_wrap(err, "container %s", c->id);
	if (host_config) {
		cleanup_free char *h = json_dumps(c->host_config, JSON_COMPACT);
		if (!h || fs_write_file_atomic(dfd, "hostconfig.json", h, strlen(h), 0600, false,
					       err) < 0)
			return berth_error_wrap(err, "container %s", c->id);
	}
	return 0;
}

void ctr_persist(struct engine *e, struct container *c)
{
	struct berth_error *err = NULL;
	pthread_mutex_lock(&c->lock);
	bool gone = c->priv->removed;
	int rc = gone ? 0 : ctr_persist_locked(e, c, false, &err);
	pthread_mutex_unlock(&c->lock);
	if (rc < 0) {
		log_error("save the state: %s", err->msg);
		berth_error_free(&err);
	}
}

static int load_json(const char *dir, const char *name, json_t **out, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (fs_read_file(path, &text, &len, err) < 0)
		return -1;
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &je);
	if (!v)
		return berth_error_set(err, EINVAL, "%s: line %d: %s", path, je.line, je.text);
	bjson_reals_to_integers(v);
	if (!json_is_object(v)) {
		json_decref(v);
		return berth_error_set(err, EINVAL, "%s: not a JSON object", path);
	}
	*out = v;
	return 0;
}

static char *opt_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && s[0] ? xstrdup(s) : NULL;
}

static enum ctr_status status_parse(json_t *s)
{
	const char *w = json_string_value(json_object_get(s, "Status"));
	for (int i = CTR_CREATED; w && i <= CTR_DEAD; i++)
		if (strcmp(w, ctr_status_name(i)) == 0)
			return i;
	if (json_is_true(json_object_get(s, "Running")))
		return CTR_RUNNING;
	return json_is_true(json_object_get(s, "Dead")) ? CTR_DEAD : CTR_EXITED;
}

int ctr_load_dir(const char *dir, const char *id, struct container **out, struct berth_error **err)
{
	cleanup_json json_t *v2 = NULL;
	cleanup_json json_t *hc = NULL;
	if (load_json(dir, "config.v2.json", &v2, err) < 0 ||
	    load_json(dir, "hostconfig.json", &hc, err) < 0)
		return -1;
	const char *vid = json_string_value(json_object_get(v2, "ID"));
	if (!vid || strcmp(vid, id) != 0)
		return berth_error_set(err, EINVAL, "%s/config.v2.json: ID is not %s", dir, id);
	const char *name = json_string_value(json_object_get(v2, "Name"));
	if (!name || name[0] != '/' || !ctr_name_valid(name))
		return berth_error_set(err, EINVAL, "%s/config.v2.json: bad Name", dir);
	json_t *config = json_object_get(v2, "Config");
	json_t *state = json_object_get(v2, "State");
	if (!json_is_object(config) || !json_is_object(state))
		return berth_error_set(err, EINVAL, "%s/config.v2.json: no Config or State object",
				       dir);
	struct container *c = ctr_new(id);
	c->name = xstrdup(name);
	c->config = json_incref(config);
	c->host_config = json_incref(hc);
	c->image = opt_str(config, "Image");
	c->image_id = opt_str(v2, "Image");
	c->runtime = opt_str(v2, "Runtime");
	if (!c->runtime)
		c->runtime = xstrdup(ENGINE_DEFAULT_RUNTIME);
	c->snapshot_key = opt_str(v2, "SnapshotKey");
	c->shim_dir = opt_str(v2, "ShimDir");
	c->log_path = opt_str(v2, "LogPath");
	c->created = ctr_time_parse(json_string_value(json_object_get(v2, "Created")));
	struct ctr_state *st = &c->state;
	st->status = status_parse(state);
	int64_t v;
	if (bjson_as_int64(json_object_get(state, "Pid"), &v))
		st->pid = (pid_t)v;
	if (bjson_as_int64(json_object_get(state, "ShimPid"), &v))
		st->shim_pid = (pid_t)v;
	if (bjson_as_int64(json_object_get(state, "ExitCode"), &v))
		st->exit_code = (int)v;
	st->error = opt_str(state, "Error");
	st->oom_killed = json_is_true(json_object_get(state, "OOMKilled"));
	st->paused = st->status == CTR_PAUSED;
	st->started_at = ctr_time_parse(json_string_value(json_object_get(state, "StartedAt")));
	st->finished_at = ctr_time_parse(json_string_value(json_object_get(state, "FinishedAt")));
	if (bjson_as_int64(json_object_get(v2, "RestartCount"), &v))
		st->restart_count = (int)v;
	st->manually_stopped = json_is_true(json_object_get(v2, "HasBeenManuallyStopped"));
	c->priv->has_started = json_is_true(json_object_get(v2, "HasBeenStartedBefore"));
	if (c->shim_dir)
		c->rootfs = xasprintf("%s/rootfs", c->shim_dir);
	*out = c;
	return 0;
}

void ctr_md_fill(struct container *c, struct md_container *m)
{
	memset(m, 0, sizeof(*m));
	m->id = c->id;
	m->name = c->name;
	m->image = c->image_id;
	m->snapshotter = NULL;
	m->snapshot_key = c->snapshot_key;
	m->runtime = c->runtime;
	json_t *labels = json_object_get(c->config, "Labels");
	m->labels = json_is_object(labels) ? labels : NULL;
	m->created = c->created;
}
