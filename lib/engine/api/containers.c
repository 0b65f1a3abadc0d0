/* Container lifecycle endpoints of the Docker API: create, start, stop, kill,
 * restart, pause, unpause, wait, DELETE, rename, update; and the route table
 * of every container endpoint of this group (list and inspect in
 * containers-list.c and containers-inspect.c, prune in containers-prune.c).
 * The work is done by the lifecycle functions of engine/containers/container.h;
 * this file checks requests and turns their errors into docker's statuses. */
#include "engine/api/containers-internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/signals.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	else if (code == ENOTCONN)
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

static int containers_create(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	const char *name = api_query(req, "name");
	const char *platform = api_query(req, "platform");
	if (name && name[0] == '\0')
		name = NULL;
	if (name && ctrapi_check_name(name, err) < 0)
		return -1;
	/* dockerd takes ?platform= from API 1.41 on */
	if ((platform && platform[0] == '\0') || api_version_cmp_str(req->version, "1.41") < 0)
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

/* dockerd's translateContainerdStartErr: a command that cannot be run is
 * the caller's error (400), whatever code the runtime's failure came with */
static bool start_error_is_callers(const char *msg)
{
	static const char *const words[] = {"executable file not found",
					    "no such file or directory", "permission denied",
					    "exec format error", NULL};
	for (size_t i = 0; msg && words[i]; i++)
		if (strstr(msg, words[i]))
			return true;
	return false;
}

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
	if (rc < 0 && (*err)->code != EALREADY) {
		/* dockerd: a failed start of an AutoRemove container removes it
		 * (force, volumes), so that run --rm leaves nothing behind */
		pthread_mutex_lock(&c->lock);
		bool autorm = json_is_true(json_object_get(c->host_config, "AutoRemove"));
		pthread_mutex_unlock(&c->lock);
		if (autorm) {
			struct berth_error *rerr = NULL;
			if (ctr_remove(req->ctx, c, true, true, &rerr) < 0) {
				log_warn("auto-remove of %s after a failed start: %s", c->id,
					 rerr->msg);
				berth_error_free(&rerr);
			}
		}
	}
	ctr_unref(c);
	if (rc < 0 && start_error_is_callers((*err)->msg))
		(*err)->code = EINVAL;
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
	/* dockerd: a number parses as any signal but 0 (checked against the
	 * platform's after the lookup); the daemon's errors name the container */
	const char *s = api_query(req, "signal");
	int sig = SIGKILL;
	if (s && s[0]) {
		char *end = NULL;
		errno = 0;
		long n = strtol(s, &end, 10);
		bool numeric = *end == '\0' && errno == 0;
		sig = numeric ? (n > 0 && n <= INT_MAX ? (int)n : -1) : signal_parse(s);
		if (sig <= 0 || (!numeric && sig >= 65))
			return berth_error_set(err, EINVAL, "Invalid signal: %s", s);
	}
	const char *name = api_param(req, "name");
	struct container *c;
	int rc = -1;
	if (find(req, &c, err) == 0) {
		if (sig >= 65)
			berth_error_set(err, EINVAL, "The linux daemon does not support signal %d",
					sig);
		else
			rc = ctr_kill(req->ctx, c, sig, err);
		ctr_unref(c);
	}
	if (rc < 0) {
		berth_error_wrap(err, "Cannot kill container: %s", name);
		return reply_err(resp, err, ALREADY_409);
	}
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
	bool done; /* under mu; cv wakes the watcher at once */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct api_stream *s;
};

static void wait_job_free(void *arg)
{
	struct wait_job *j = arg;
	ctr_unref(j->c);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

/* polls the stream every 100 ms for a client that went away and tells
 * ctr_wait; wait_stream's end wakes it at once (no 100 ms on the reply) */
static void *wait_watch(void *arg)
{
	struct wait_job *j = arg;
	pthread_mutex_lock(&j->mu);
	while (!j->done) {
		if (api_stream_cancelled(j->s)) {
			j->cancel = true;
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

static void wait_stream(struct api_stream *s, void *arg)
{
	struct wait_job *j = arg;
	j->s = s;
	api_stream_follow(s);
	pthread_t watcher;
	bool watching = pthread_create(&watcher, NULL, wait_watch, j) == 0;
	int code = -1;
	struct berth_error *err = NULL;
	int rc = ctr_wait(j->c, j->cond, -1, &j->cancel, &code, &err);
	pthread_mutex_lock(&j->mu);
	j->done = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
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
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
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
	/* dockerd looks the container up before it checks the new name */
	struct container *c;
	if (find(req, &c, err) < 0)
		return -1;
	if (ctrapi_check_name(name, err) < 0) {
		ctr_unref(c);
		berth_error_free(err);
		return berth_error_set(err, EINVAL,
				       "Error when allocating new name: Invalid container name "
				       "(%s%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				       name[0] == '/' ? "" : "/", name);
	}
	int rc = ctr_rename(req->ctx, c, name, err);
	ctr_unref(c);
	if (rc < 0)
		return reply_err(resp, err, ALREADY_409);
	api_reply_empty(resp, 204);
	return 0;
}

static int containers_update(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	cleanup_json json_t *body = NULL;
	if (api_body_json(req, false, &body, err) < 0)
		return -1;
	if (ctrapi_check_update_body(body, err) < 0)
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
