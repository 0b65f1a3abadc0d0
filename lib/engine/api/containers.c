/* Container lifecycle endpoints of the Docker API: create, start, stop, kill,
 * restart, pause, unpause, wait, DELETE, rename, update; and the route table
 * of every container endpoint of this group (list and inspect in
 * containers-list.c and containers-inspect.c, prune in containers-prune.c).
 * The work is done by the lifecycle functions of engine/containers/container.h;
 * this file checks requests and turns their errors into docker's statuses. */
#include "engine/api/containers-internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/signals.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- errors ---- */

enum { ALREADY_304 = 1, ALREADY_409 = 2 };

/* The reply for an error of the lifecycle code: 304 for "nothing to do"
 * (start of a running container, stop of a stopped one), 409 for a
 * container that is not running (ENOTCONN) or in the wrong state. */
static int reply_err(struct api_response *resp, struct berth_error **err, int already)
{
	int code = (*err)->code;
	unsigned st = api_status_for_code(code);
	if (code == EALREADY)
		st = already == ALREADY_304 ? 304 : 409;
	else if (code == ENOTCONN || code == EPERM || code == ECHILD)
		st = 409;
	else if (code == ETIMEDOUT)
		st = 500;
	if (st == 304)
		api_reply_empty(resp, 304);
	else
		api_reply_message(resp, st, "%s", (*err)->msg ? (*err)->msg : "");
	berth_error_free(err);
	return 0;
}

static int find(struct api_request *req, struct container **c, struct berth_error **err)
{
	return ctr_find(req->ctx, api_param(req, "name"), c, err);
}

static void reply_warnings(struct api_response *resp, unsigned status, const char *id,
			   char **warnings)
{
	json_t *w = json_array();
	for (size_t i = 0; warnings && warnings[i]; i++)
		json_array_append_new(w, json_string(warnings[i]));
	json_t *o = json_object();
	if (id)
		json_object_set_new(o, "Id", json_string(id));
	json_object_set_new(o, "Warnings", w);
	api_reply_json(resp, status, o);
}

/* ---- create: body checks ---- */

enum kind { K_STR, K_BOOL, K_INT, K_STRV, K_STRSLICE, K_OBJ, K_STRMAP, K_ARR };

struct field {
	const char *key;
	enum kind kind;
};

static const struct field config_fields[] = {
    {"Hostname", K_STR},
    {"Domainname", K_STR},
    {"User", K_STR},
    {"Image", K_STR},
    {"WorkingDir", K_STR},
    {"StopSignal", K_STR},
    {"MacAddress", K_STR},
    {"AttachStdin", K_BOOL},
    {"AttachStdout", K_BOOL},
    {"AttachStderr", K_BOOL},
    {"Tty", K_BOOL},
    {"OpenStdin", K_BOOL},
    {"StdinOnce", K_BOOL},
    {"NetworkDisabled", K_BOOL},
    {"ArgsEscaped", K_BOOL},
    {"Cmd", K_STRSLICE},
    {"Entrypoint", K_STRSLICE},
    {"Env", K_STRV},
    {"OnBuild", K_STRV},
    {"Labels", K_STRMAP},
    {"ExposedPorts", K_OBJ},
    {"Volumes", K_OBJ},
    {"HostConfig", K_OBJ},
    {"NetworkingConfig", K_OBJ},
    {"Healthcheck", K_OBJ},
    {"StopTimeout", K_INT},
    {NULL, 0},
};

static const struct field host_fields[] = {
    {"Binds", K_STRV},
    {"ContainerIDFile", K_STR},
    {"LogConfig", K_OBJ},
    {"NetworkMode", K_STR},
    {"PortBindings", K_OBJ},
    {"RestartPolicy", K_OBJ},
    {"AutoRemove", K_BOOL},
    {"VolumeDriver", K_STR},
    {"VolumesFrom", K_STRV},
    {"CapAdd", K_STRSLICE},
    {"CapDrop", K_STRSLICE},
    {"Dns", K_STRV},
    {"DnsOptions", K_STRV},
    {"DnsSearch", K_STRV},
    {"ExtraHosts", K_STRV},
    {"GroupAdd", K_STRV},
    {"IpcMode", K_STR},
    {"Cgroup", K_STR},
    {"Links", K_STRV},
    {"OomScoreAdj", K_INT},
    {"PidMode", K_STR},
    {"Privileged", K_BOOL},
    {"PublishAllPorts", K_BOOL},
    {"ReadonlyRootfs", K_BOOL},
    {"SecurityOpt", K_STRV},
    {"StorageOpt", K_STRMAP},
    {"Tmpfs", K_STRMAP},
    {"UTSMode", K_STR},
    {"UsernsMode", K_STR},
    {"ShmSize", K_INT},
    {"Sysctls", K_STRMAP},
    {"Runtime", K_STR},
    {"Isolation", K_STR},
    {"CpuShares", K_INT},
    {"Memory", K_INT},
    {"NanoCpus", K_INT},
    {"CgroupParent", K_STR},
    {"BlkioWeight", K_INT},
    {"CpuPeriod", K_INT},
    {"CpuQuota", K_INT},
    {"CpusetCpus", K_STR},
    {"CpusetMems", K_STR},
    {"Devices", K_ARR},
    {"MemoryReservation", K_INT},
    {"MemorySwap", K_INT},
    {"OomKillDisable", K_BOOL},
    {"PidsLimit", K_INT},
    {"Ulimits", K_ARR},
    {"Mounts", K_ARR},
    {"MaskedPaths", K_STRV},
    {"ReadonlyPaths", K_STRV},
    {"Init", K_BOOL},
    {"ConsoleSize", K_ARR},
    {"CgroupnsMode", K_STR},
    {NULL, 0},
};

static bool all_strings(json_t *v, bool values)
{
	if (values) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) if (!json_is_string(x)) return false;
		return true;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
	return true;
}

static bool kind_ok(json_t *v, enum kind k)
{
	switch (k) {
	case K_STR:
		return json_is_string(v);
	case K_BOOL:
		return json_is_boolean(v);
	case K_INT:
		return json_is_integer(v);
	case K_STRV:
		return json_is_array(v) && all_strings(v, false);
	case K_STRSLICE:
		return json_is_string(v) || (json_is_array(v) && all_strings(v, false));
	case K_OBJ:
		return json_is_object(v);
	case K_STRMAP:
		return json_is_object(v) && all_strings(v, true);
	case K_ARR:
		return json_is_array(v);
	}
	return false;
}

static const char *const kind_names[] = {
    "a string",
    "a boolean",
    "an integer",
    "an array of strings",
    "a string or an array of strings",
    "an object",
    "an object of strings",
    "an array",
};

static int check_fields(json_t *o, const char *prefix, const struct field *f,
			struct berth_error **err)
{
	for (size_t i = 0; f[i].key; i++) {
		json_t *v = json_object_get(o, f[i].key);
		if (v == NULL || json_is_null(v) || kind_ok(v, f[i].kind))
			continue;
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "invalid body: %s%s: expected %s, got %s",
				       prefix, f[i].key, kind_names[f[i].kind], d);
	}
	return 0;
}

/* The first checks of a create body, before the image is looked up (so a
 * bad body is a 400, never a 404 that would make the CLI pull). */
int ctrapi_check_create_body(json_t *body, struct berth_error **err)
{
	if (check_fields(body, "", config_fields, err) < 0)
		return -1;
	json_t *image = json_object_get(body, "Image");
	if (!json_is_string(image) || json_string_length(image) == 0)
		return berth_error_set(
		    err, EINVAL, "invalid body: Image: a non-empty image reference is required");
	json_t *hc = json_object_get(body, "HostConfig");
	if (json_is_object(hc)) {
		if (check_fields(hc, "HostConfig.", host_fields, err) < 0)
			return -1;
		json_t *rp = json_object_get(hc, "RestartPolicy");
		json_t *n = json_object_get(rp, "Name");
		json_t *m = json_object_get(rp, "MaximumRetryCount");
		if ((n && !json_is_null(n) && !json_is_string(n)) ||
		    (m && !json_is_null(m) && !json_is_integer(m)))
			return berth_error_set(
			    err, EINVAL,
			    "invalid body: HostConfig.RestartPolicy: expected "
			    "{\"Name\": string, \"MaximumRetryCount\": integer}");
	}
	return 0;
}

/* docker's validContainerNamePattern: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (an
 * optional leading "/") */
int ctrapi_check_name(const char *name, struct berth_error **err)
{
	const char *n = name[0] == '/' ? name + 1 : name;
	bool ok = strlen(n) >= 2;
	for (size_t i = 0; ok && n[i]; i++) {
		char ch = n[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			ok = false;
	}
	if (!ok)
		return berth_error_set(
		    err, EINVAL,
		    "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
		    "are allowed",
		    name);
	return 0;
}

static int containers_create(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	const char *name = api_query(req, "name");
	const char *platform = api_query(req, "platform");
	if (name && name[0] == '\0')
		name = NULL;
	if (name && ctrapi_check_name(name, err) < 0)
		return -1;
	if (platform && platform[0] == '\0')
		platform = NULL;
	cleanup_json json_t *body = NULL;
	if (req->body_len == 0)
		return berth_error_set(err, EINVAL,
				       "invalid body: Config cannot be empty in order to create a "
				       "container");
	if (api_body_json(req, false, &body, err) < 0)
		return -1;
	if (ctrapi_check_create_body(body, err) < 0)
		return -1;
	struct container *c = NULL;
	cleanup_strv char **warnings = NULL;
	if (ctr_create(req->ctx, name, body, platform, &c, &warnings, err) < 0)
		return reply_err(resp, err, ALREADY_409);
	reply_warnings(resp, 201, c->id, warnings);
	ctr_unref(c);
	return 0;
}

/* ---- start, stop, kill, restart, pause, unpause ---- */

static int containers_start(struct api_request *req, struct api_response *resp,
			    struct berth_error **err)
{
	/* API >= 1.24 takes no HostConfig on start (docker's message) */
	if (req->body_len > 0) {
		cleanup_json json_t *b = json_loads(req->body, JSON_DECODE_ANY, NULL);
		if (!(json_is_null(b) || (json_is_object(b) && json_object_size(b) == 0)))
			return berth_error_set(err, EINVAL,
					       "starting container with non-empty request body was "
					       "deprecated since API v1.22 and removed in v1.24");
	}
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	int rc = ctr_start(req->ctx, c, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_304);
	api_reply_empty(resp, 204);
	return 0;
}

/* ?signal= as a name ("KILL", "SIGKILL") or a number; def when absent */
static int query_signal(struct api_request *req, int def, int *out, struct berth_error **err)
{
	const char *s = api_query(req, "signal");
	*out = def;
	if (s == NULL || s[0] == '\0')
		return 0;
	int sig = signal_parse(s);
	if (sig <= 0 || sig >= 65)
		return berth_error_set(err, EINVAL, "Invalid signal: %s", s);
	*out = sig;
	return 0;
}

static int query_timeout(struct api_request *req, int *out, struct berth_error **err)
{
	long long t = -1;
	if (api_query(req, "t") && api_query(req, "t")[0] &&
	    api_query_int(req, "t", -1, 24 * 3600 * 365, &t, err) < 0)
		return -1;
	*out = (int)t;
	return 0;
}

static int containers_stop(struct api_request *req, struct api_response *resp,
			   struct berth_error **err)
{
	int t, sig;
	if (query_timeout(req, &t, err) < 0 || query_signal(req, -1, &sig, err) < 0)
		return -1;
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	int rc = ctr_stop(req->ctx, c, sig, t, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_304);
	api_reply_empty(resp, 204);
	return 0;
}

static int containers_restart(struct api_request *req, struct api_response *resp,
			      struct berth_error **err)
{
	int t;
	if (query_timeout(req, &t, err) < 0)
		return -1;
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	int rc = ctr_restart(req->ctx, c, t, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	api_reply_empty(resp, 204);
	return 0;
}

static int containers_kill(struct api_request *req, struct api_response *resp,
			   struct berth_error **err)
{
	int sig;
	if (query_signal(req, SIGKILL, &sig, err) < 0)
		return -1;
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	int rc = ctr_kill(req->ctx, c, sig, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	api_reply_empty(resp, 204);
	return 0;
}

static int pause_or_unpause(struct api_request *req, struct api_response *resp, bool pause,
			    struct berth_error **err)
{
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	int rc = pause ? ctr_pause(req->ctx, c, err) : ctr_unpause(req->ctx, c, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	api_reply_empty(resp, 204);
	return 0;
}

static int containers_pause(struct api_request *req, struct api_response *resp,
			    struct berth_error **err)
{
	return pause_or_unpause(req, resp, true, err);
}

static int containers_unpause(struct api_request *req, struct api_response *resp,
			      struct berth_error **err)
{
	return pause_or_unpause(req, resp, false, err);
}

/* ---- wait: the head at once, the body when the condition holds ---- */

struct wait_job {
	struct container *c;
	enum ctr_wait_cond cond;
	volatile bool cancel;
	volatile bool done;
	struct api_stream *s;
};

static void wait_job_free(void *arg)
{
	struct wait_job *j = arg;
	ctr_unref(j->c);
	free(j);
}

/* polls the stream for a client that went away and tells ctr_wait */
static void *wait_watch(void *arg)
{
	struct wait_job *j = arg;
	while (!j->done) {
		if (api_stream_cancelled(j->s)) {
			j->cancel = true;
			break;
		}
		usleep(100 * 1000);
	}
	return NULL;
}

static void wait_stream(struct api_stream *s, void *arg)
{
	struct wait_job *j = arg;
	j->s = s;
	pthread_t watcher;
	bool watching = pthread_create(&watcher, NULL, wait_watch, j) == 0;
	int code = -1;
	struct berth_error *err = NULL;
	int rc = ctr_wait(j->c, j->cond, -1, &j->cancel, &code, &err);
	j->done = true;
	if (watching)
		pthread_join(watcher, NULL);
	json_t *o = json_object();
	if (rc < 0)
		json_object_set_new(o, "Error",
				    json_pack("{s:s}", "Message",
					      j->cancel
						  ? "context canceled"
						  : (err && err->msg ? err->msg : "wait failed")));
	else
		json_object_set_new(o, "Error", json_null());
	json_object_set_new(o, "StatusCode", json_integer(rc < 0 ? -1 : code));
	api_stream_json(s, o, "\n");
	json_decref(o);
	berth_error_free(&err);
}

static int containers_wait(struct api_request *req, struct api_response *resp,
			   struct berth_error **err)
{
	const char *cs = api_query(req, "condition");
	enum ctr_wait_cond cond;
	if (cs == NULL || cs[0] == '\0' || strcmp(cs, "not-running") == 0)
		cond = CTR_WAIT_NOT_RUNNING;
	else if (strcmp(cs, "next-exit") == 0)
		cond = CTR_WAIT_NEXT_EXIT;
	else if (strcmp(cs, "removed") == 0)
		cond = CTR_WAIT_REMOVED;
	else
		return berth_error_set(
		    err, EINVAL, "invalid condition: \"%s\" (not-running, next-exit, removed)", cs);
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	struct wait_job *j = xmalloc(sizeof(*j));
	*j = (struct wait_job){.c = c, .cond = cond};
	api_reply_stream(resp, 200, "application/json", wait_stream, j, wait_job_free);
	return 0;
}

/* ---- DELETE, rename, update ---- */

static int containers_delete(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	bool force = api_query_bool(req, "force", false);
	bool volumes = api_query_bool(req, "v", false);
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	if (api_query_bool(req, "link", false)) {
		ctr_unref(c);
		return berth_error_set(err, EEXIST,
				       "Conflict, cannot remove the default link name of the "
				       "container");
	}
	int rc = ctr_remove(req->ctx, c, force, volumes, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	api_reply_empty(resp, 204);
	return 0;
}

static int containers_rename(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	const char *name = api_query(req, "name");
	if (name == NULL || name[0] == '\0')
		return berth_error_set(err, EINVAL, "Neither old nor new names may be empty");
	if (ctrapi_check_name(name, err) < 0)
		return -1;
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	int rc = ctr_rename(req->ctx, c, name, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	api_reply_empty(resp, 204);
	return 0;
}

static const struct field update_fields[] = {
    {"CpuShares", K_INT},
    {"Memory", K_INT},
    {"NanoCpus", K_INT},
    {"CgroupParent", K_STR},
    {"BlkioWeight", K_INT},
    {"CpuPeriod", K_INT},
    {"CpuQuota", K_INT},
    {"CpuRealtimePeriod", K_INT},
    {"CpuRealtimeRuntime", K_INT},
    {"CpusetCpus", K_STR},
    {"CpusetMems", K_STR},
    {"MemoryReservation", K_INT},
    {"MemorySwap", K_INT},
    {"KernelMemory", K_INT},
    {"PidsLimit", K_INT},
    {"RestartPolicy", K_OBJ},
    {"OomKillDisable", K_BOOL},
    {"Devices", K_ARR},
    {"Ulimits", K_ARR},
    {NULL, 0},
};

static int containers_update(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	cleanup_json json_t *body = NULL;
	if (api_body_json(req, false, &body, err) < 0)
		return -1;
	if (check_fields(body, "", update_fields, err) < 0)
		return -1;
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	cleanup_strv char **warnings = NULL;
	int rc = ctr_update(req->ctx, c, body, &warnings, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	reply_warnings(resp, 200, NULL, warnings);
	return 0;
}

const struct api_route api_containers_routes[] = {
    {"GET", "/containers/json", containers_list},
    {"POST", "/containers/create", containers_create},
    {"POST", "/containers/prune", containers_prune},
    {"GET", "/containers/{name}/json", containers_inspect},
    {"POST", "/containers/{name}/start", containers_start},
    {"POST", "/containers/{name}/stop", containers_stop},
    {"POST", "/containers/{name}/restart", containers_restart},
    {"POST", "/containers/{name}/kill", containers_kill},
    {"POST", "/containers/{name}/pause", containers_pause},
    {"POST", "/containers/{name}/unpause", containers_unpause},
    {"POST", "/containers/{name}/wait", containers_wait},
    {"POST", "/containers/{name}/rename", containers_rename},
    {"POST", "/containers/{name}/update", containers_update},
    {"DELETE", "/containers/{name}", containers_delete},
    {NULL, NULL, NULL},
};
