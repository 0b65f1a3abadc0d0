/* docker exec: POST /containers/{name}/exec, POST /exec/{id}/start (hijacked
 * like attach unless Detach), GET /exec/{id}/json, POST /exec/{id}/resize.
 *
 * The process is specgen_exec_process applied to <shim-dir>/config.json and
 * started by the shim's exec op; the stream is the shim's attach of that
 * exec (ctr_attach_open with its id), relayed by containers-io-relay.c. Its
 * exit comes through ctr_exec_exit_hook; exec start waits for it (briefly)
 * before closing the stream, so that the CLI's GET /exec/{id}/json that
 * follows sees the ExitCode. Events: exec_create, exec_start, exec_die. */
#include "engine/api/exec.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "engine/api/api.h"
#include "engine/api/containers-internal.h"
#include "engine/api/containers-io.h"
#include "engine/containers/container.h"
#include "engine/engine.h"
#include "engine/spec/specgen.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* How long exec start waits for the exit after the stream ended. */
#define EXEC_EXIT_WAIT_MS 5000
/* How long a resize waits for the exec to be started. */
#define EXEC_START_WAIT_MS 5000
/* Exited execs beyond this many are dropped, oldest first. */
#define EXEC_KEEP_EXITED 1024

struct exec_proc {
	struct exec_proc *next;
	char id[65];
	char ctr_id[65];
	json_t *config; /* the ExecConfig body */
	char *detach_keys;
	bool tty, open_stdin, open_stdout, open_stderr, privileged;
	bool started, running, exited;
	int exit_code;
	pid_t pid;
};

struct exec_table {
	pthread_mutex_t lock; /* guards the list and every exec_proc field */
	pthread_cond_t cond;  /* broadcast on start and exit */
	struct exec_proc *head;
	size_t n;
};

static pthread_mutex_t table_init_lock = PTHREAD_MUTEX_INITIALIZER;

static void exit_hook(struct engine *e, struct container *c, const char *exec_id, int exit_code);
void (*ctr_exec_exit_hook)(struct engine *e, struct container *c, const char *exec_id,
			   int exit_code) = exit_hook;

static struct exec_table *table(struct engine *e)
{
	pthread_mutex_lock(&table_init_lock);
	if (e->execs == NULL) {
		struct exec_table *t = xcalloc(1, sizeof(*t));
		pthread_mutex_init(&t->lock, NULL);
		pthread_condattr_t ca;
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&t->cond, &ca);
		pthread_condattr_destroy(&ca);
		e->execs = t;
	}
	pthread_mutex_unlock(&table_init_lock);
	return e->execs;
}

static void proc_free(struct exec_proc *x)
{
	json_decref(x->config);
	free(x->detach_keys);
	free(x);
}

void exec_table_free(struct exec_table *t)
{
	if (t == NULL)
		return;
	for (struct exec_proc *x = t->head, *nx; x; x = nx) {
		nx = x->next;
		proc_free(x);
	}
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* t->lock held */
static void unlink_where(struct exec_table *t, const char *ctr_id, const char *id)
{
	for (struct exec_proc **pp = &t->head; *pp;) {
		struct exec_proc *x = *pp;
		if ((ctr_id && strcmp(x->ctr_id, ctr_id) == 0) || (id && strcmp(x->id, id) == 0)) {
			*pp = x->next;
			t->n--;
			proc_free(x);
		} else {
			pp = &x->next;
		}
	}
}

void exec_table_remove_container(struct engine *e, const char *ctr_id)
{
	if (e->execs == NULL)
		return;
	pthread_mutex_lock(&e->execs->lock);
	unlink_where(e->execs, ctr_id, NULL);
	pthread_mutex_unlock(&e->execs->lock);
}

json_t *exec_ids_of(struct engine *e, const char *ctr_id)
{
	if (e->execs == NULL)
		return json_null();
	json_t *a = json_array();
	pthread_mutex_lock(&e->execs->lock);
	for (struct exec_proc *x = e->execs->head; x; x = x->next)
		if (strcmp(x->ctr_id, ctr_id) == 0 && !x->exited)
			json_array_append_new(a, json_string(x->id));
	pthread_mutex_unlock(&e->execs->lock);
	if (json_array_size(a) == 0) {
		json_decref(a);
		return json_null();
	}
	return a;
}

/* t->lock held */
static struct exec_proc *find_locked(struct exec_table *t, const char *id)
{
	for (struct exec_proc *x = t->head; x; x = x->next)
		if (strcmp(x->id, id) == 0)
			return x;
	return NULL;
}

static void ctr_unref_p(struct container **c)
{
	if (*c)
		ctr_unref(*c);
}
#define cleanup_ctr __attribute__((cleanup(ctr_unref_p)))

/* The exec and its container (a reference); an exec whose container is gone
 * is dropped. ENOENT "No such exec instance: <id>". */
static int lookup(struct engine *e, const char *id, struct container **c, struct berth_error **err)
{
	struct exec_table *t = table(e);
	char ctr_id[65] = "";
	pthread_mutex_lock(&t->lock);
	struct exec_proc *p = find_locked(t, id);
	if (p != NULL)
		memcpy(ctr_id, p->ctr_id, sizeof(ctr_id));
	pthread_mutex_unlock(&t->lock);
	if (p == NULL)
		return berth_error_set(err, ENOENT, "No such exec instance: %s", id);
	struct berth_error *e2 = NULL;
	if (ctr_find(e, ctr_id, c, &e2) < 0) {
		bool gone = e2->code == ENOENT;
		berth_error_free(&e2);
		if (gone) {
			pthread_mutex_lock(&t->lock);
			unlink_where(t, NULL, id);
			pthread_mutex_unlock(&t->lock);
		}
		return berth_error_set(err, ENOENT, "No such exec instance: %s", id);
	}
	return 0;
}

/* The exec again under t->lock (it may have been dropped meanwhile). */
static struct exec_proc *relock(struct exec_table *t, const char *id, struct berth_error **err)
{
	pthread_mutex_lock(&t->lock);
	struct exec_proc *x = find_locked(t, id);
	if (x == NULL) {
		pthread_mutex_unlock(&t->lock);
		berth_error_set(err, ENOENT, "No such exec instance: %s", id);
	}
	return x;
}

static void new_id(char out[65])
{
	unsigned char b[32];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n > 0)
			got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* "<entrypoint> <args joined>" as dockerd's exec event actions */
static char *cmd_line(json_t *config)
{
	json_t *cmd = json_object_get(config, "Cmd");
	size_t n = json_array_size(cmd);
	cleanup_free char *args = xstrdup("");
	for (size_t i = 1; i < n; i++) {
		char *a = xasprintf("%s%s%s", args, i > 1 ? " " : "",
				    json_string_value(json_array_get(cmd, i)));
		free(args);
		args = a;
	}
	return xasprintf("%s %s", n ? json_string_value(json_array_get(cmd, 0)) : "", args);
}

static void publish(struct engine *e, struct container *c, const char *action, const char *exec_id,
		    const char *exit_code)
{
	/* dockerd's attributes: execID, exitCode, and the container's labels,
	 * image and name */
	cleanup_json json_t *extra = json_pack("{s:s}", "execID", exec_id);
	if (exit_code != NULL)
		json_object_set_new(extra, "exitCode", json_string(exit_code));
	ctrapi_event(e, c, action, extra);
}

/* event: exec_die (a start that failed has none in dockerd) */
static void exit_record(struct engine *e, struct container *c, const char *exec_id, int exit_code,
			bool event)
{
	if (e->execs == NULL || exec_id == NULL)
		return;
	struct exec_table *t = e->execs;
	pthread_mutex_lock(&t->lock);
	struct exec_proc *x = find_locked(t, exec_id);
	bool first = x != NULL && !x->exited;
	if (first) {
		x->exited = true;
		x->running = false;
		x->exit_code = exit_code;
		pthread_cond_broadcast(&t->cond);
	}
	pthread_mutex_unlock(&t->lock);
	if (first && event) {
		cleanup_free char *code = xasprintf("%d", exit_code);
		publish(e, c, "exec_die", exec_id, code);
	}
}

static void exit_hook(struct engine *e, struct container *c, const char *exec_id, int exit_code)
{
	exit_record(e, c, exec_id, exit_code, true);
}

/* ---- create ---- */

/* ref: how the client named the container (exec create), or NULL for its
 * id: dockerd's paused message quotes the name given at create */
static int check_running(struct container *c, const char *ref, struct berth_error **err)
{
	struct ctr_state st;
	ctr_state_get(c, &st);
	enum ctr_status s = st.status;
	ctr_state_clear(&st);
	if (s == CTR_PAUSED)
		return berth_error_set(err, EBUSY,
				       "Container %s is paused, unpause the container before exec",
				       ref ? ref : c->id);
	if (s == CTR_RESTARTING)
		return berth_error_set(err, EBUSY,
				       "Container %s is restarting, wait until the container is "
				       "running",
				       c->id);
	if (s != CTR_RUNNING)
		return berth_error_set(err, EBUSY, "Container %s is not running", c->id);
	return 0;
}

/* Cmd as docker's strslice: a string is one element; every element a string */
static int normalize_cmd(json_t *body, struct berth_error **err)
{
	json_t *cmd = json_object_get(body, "Cmd");
	if (json_is_string(cmd)) {
		json_object_set_new(body, "Cmd", json_pack("[O]", cmd));
		cmd = json_object_get(body, "Cmd");
	}
	if (cmd != NULL && !json_is_array(cmd) && !json_is_null(cmd))
		return berth_error_set(err, EINVAL, "exec: Cmd must be an array of strings");
	if (json_array_size(cmd) == 0)
		return berth_error_set(err, EINVAL, "No exec command specified");
	size_t i;
	json_t *v;
	json_array_foreach(cmd, i, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, EINVAL, "exec: Cmd[%zu] is not a string", i);
	}
	return 0;
}

/* the other ExecConfig fields: their JSON types (null is "not set") */
static int check_fields(json_t *body, struct berth_error **err)
{
	static const char *const strings[] = {"User", "WorkingDir", "DetachKeys"};
	static const char *const bools[] = {"Tty",	    "Privileged",   "AttachStdin",
					    "AttachStdout", "AttachStderr", "Detach"};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		json_t *v = json_object_get(body, strings[i]);
		if (v != NULL && !json_is_null(v) && !json_is_string(v))
			return berth_error_set(
			    err, EINVAL, "invalid exec config: %s must be a string", strings[i]);
	}
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		json_t *v = json_object_get(body, bools[i]);
		if (v != NULL && !json_is_null(v) && !json_is_boolean(v))
			return berth_error_set(
			    err, EINVAL, "invalid exec config: %s must be a boolean", bools[i]);
	}
	json_t *env = json_object_get(body, "Env");
	if (env != NULL && !json_is_null(env)) {
		if (!json_is_array(env))
			return berth_error_set(
			    err, EINVAL, "invalid exec config: Env must be an array of strings");
		size_t i;
		json_t *v;
		json_array_foreach(env, i, v)
		{
			if (!json_is_string(v))
				return berth_error_set(
				    err, EINVAL, "invalid exec config: Env[%zu] is not a string",
				    i);
		}
	}
	return 0;
}

/* drop exited execs beyond EXEC_KEEP_EXITED (t->lock held) */
static void trim_locked(struct exec_table *t)
{
	size_t exited = 0;
	for (struct exec_proc *x = t->head; x; x = x->next)
		exited += x->exited;
	/* the list is newest first: drop from the tail */
	while (exited > EXEC_KEEP_EXITED) {
		struct exec_proc **last = NULL;
		for (struct exec_proc **pp = &t->head; *pp; pp = &(*pp)->next)
			if ((*pp)->exited)
				last = pp;
		if (last == NULL)
			break;
		struct exec_proc *x = *last;
		*last = x->next;
		proc_free(x);
		t->n--;
		exited--;
	}
}

static int exec_create(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	cleanup_json json_t *body = NULL;
	if (api_body_json(req, false, &body, err) < 0)
		return -1;
	cleanup_ctr struct container *c = NULL;
	if (ctr_find(e, api_param(req, "name"), &c, err) < 0)
		return -1;
	if (normalize_cmd(body, err) < 0 || check_fields(body, err) < 0 ||
	    check_running(c, api_param(req, "name"), err) < 0)
		return -1;
	json_t *dk = json_object_get(body, "DetachKeys");
	cleanup_free unsigned char *keys = NULL;
	size_t nkeys = 0;
	if (io_detach_keys_parse(json_string_value(dk), &keys, &nkeys, err) < 0)
		return -1;
	struct exec_proc *x = xcalloc(1, sizeof(*x));
	new_id(x->id);
	memcpy(x->ctr_id, c->id, sizeof(x->ctr_id));
	x->config = json_incref(body);
	x->detach_keys = xstrdup(json_string_value(dk) ? json_string_value(dk) : "");
	x->tty = json_is_true(json_object_get(body, "Tty"));
	x->open_stdin = json_is_true(json_object_get(body, "AttachStdin"));
	x->open_stdout = json_is_true(json_object_get(body, "AttachStdout"));
	x->open_stderr = json_is_true(json_object_get(body, "AttachStderr"));
	x->privileged = json_is_true(json_object_get(body, "Privileged"));
	char id[65];
	memcpy(id, x->id, sizeof(id));
	struct exec_table *t = table(e);
	pthread_mutex_lock(&t->lock);
	x->next = t->head;
	t->head = x;
	t->n++;
	trim_locked(t);
	pthread_mutex_unlock(&t->lock);
	cleanup_free char *line = cmd_line(body);
	cleanup_free char *action = xasprintf("exec_create: %s", line);
	publish(e, c, action, id, NULL);
	api_reply_json(resp, 201, json_pack("{s:s}", "Id", id));
	return 0;
}

/* ---- start ---- */

/* The process from the container's spec and the shim's exec op. */
static int launch(struct engine *e, struct container *c, const char *id, json_t *config, bool tty,
		  bool in, struct berth_error **err)
{
	pthread_mutex_lock(&c->lock);
	cleanup_free char *spec_path = xasprintf("%s/config.json", c->shim_dir);
	cleanup_free char *rootfs = xstrdup(c->rootfs ? c->rootfs : "");
	cleanup_json json_t *group_add = json_incref(json_object_get(c->host_config, "GroupAdd"));
	pthread_mutex_unlock(&c->lock);
	json_error_t jerr;
	cleanup_json json_t *spec = json_load_file(spec_path, 0, &jerr);
	if (spec == NULL)
		return berth_error_set(err, EIO, "exec in %s: reading %s: %s", c->id, spec_path,
				       jerr.text);
	cleanup_json json_t *process = NULL;
	if (specgen_exec_process(spec, config, rootfs, group_add, &process, err) < 0)
		return -1;
	cleanup_json json_t *rq = json_pack("{s:s, s:s, s:O, s:b, s:b}", "op", "exec", "exec_id",
					    id, "process", process, "terminal", tty, "stdin", in);
	/* dockerd: exec_start before the process runs (a short one's exec_die
	 * comes after it) */
	cleanup_free char *line = cmd_line(config);
	cleanup_free char *action = xasprintf("exec_start: %s", line);
	publish(e, c, action, id, NULL);
	json_t *reply = NULL;
	if (ctr_shim_call(c, rq, 30000, &reply, err) < 0)
		return -1;
	pid_t pid = (pid_t)json_integer_value(json_object_get(reply, "pid"));
	json_decref(reply);
	struct exec_table *t = e->execs;
	pthread_mutex_lock(&t->lock);
	struct exec_proc *x = find_locked(t, id);
	if (x != NULL) {
		x->pid = pid;
		pthread_cond_broadcast(&t->cond);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* A start that failed: docker's exit code 126. */
static void launch_failed(struct engine *e, struct container *c, const char *id)
{
	exit_record(e, c, id, 126, false);
}

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* After the stream ended: the exit, from the hook or else from the shim. */
static void await_exit(struct engine *e, struct container *c, const char *id)
{
	struct exec_table *t = e->execs;
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	int64_t end = ts_ns(&dl) + (int64_t)EXEC_EXIT_WAIT_MS * 1000000;
	bool gone = false;
	pthread_mutex_lock(&t->lock);
	struct exec_proc *x;
	while ((x = find_locked(t, id)) != NULL && !x->exited) {
		/* in slices: once the container is gone (its shim died) an exit
		 * that has not come within a short grace will not come */
		clock_gettime(CLOCK_MONOTONIC, &dl);
		int64_t now = ts_ns(&dl), until = now + 100000000;
		if (now >= end)
			break;
		until = until < end ? until : end;
		dl = (struct timespec){.tv_sec = until / 1000000000, .tv_nsec = until % 1000000000};
		if (pthread_cond_timedwait(&t->cond, &t->lock, &dl) != ETIMEDOUT || gone)
			continue;
		pthread_mutex_unlock(&t->lock);
		struct ctr_state st;
		ctr_state_get(c, &st);
		gone = st.status != CTR_RUNNING && st.status != CTR_PAUSED;
		ctr_state_clear(&st);
		pthread_mutex_lock(&t->lock);
		if (gone && end > now + 300000000)
			end = now + 300000000;
	}
	bool done = x == NULL || x->exited;
	pthread_mutex_unlock(&t->lock);
	if (done)
		return;
	/* ask the shim */
	cleanup_json json_t *rq = json_pack("{s:s}", "op", "state");
	cleanup_json json_t *reply = NULL;
	struct berth_error *err = NULL;
	if (ctr_shim_call(c, rq, 5000, &reply, &err) < 0) {
		log_warn("exec %s: no exit reported and no state from the shim: %s", id, err->msg);
		berth_error_free(&err);
		/* the container (and its pid namespace) is gone: the exec was
		 * killed with it, as dockerd reports it */
		if (check_running(c, NULL, NULL) < 0)
			exit_hook(e, c, id, 137);
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(reply, "execs"), i, v)
	{
		const char *eid = json_string_value(json_object_get(v, "exec_id"));
		const char *st = json_string_value(json_object_get(v, "status"));
		if (eid && strcmp(eid, id) == 0 && st && strcmp(st, "stopped") == 0)
			exit_hook(e, c, id,
				  (int)json_integer_value(json_object_get(v, "exit_code")));
	}
}

struct start_job {
	struct engine *e;
	struct container *c;
	char id[65];
	json_t *config;
	bool tty, in, out, err_;
	unsigned char *keys;
	size_t nkeys;
};

static void start_job_free(void *arg)
{
	struct start_job *j = arg;
	if (j->c)
		ctr_unref(j->c);
	json_decref(j->config);
	free(j->keys);
	free(j);
}

static void start_run(int fd, const char *extra, size_t extra_len, void *arg)
{
	struct start_job *j = arg;
	struct berth_error *err = NULL;
	cleanup_close int sfd = -1;
	io_wait_head_read(fd);
	if (launch(j->e, j->c, j->id, j->config, j->tty, j->in, &err) < 0 ||
	    io_attach_open(fd, j->c, j->id, j->in, j->out, j->err_, !j->tty, &sfd, &err) < 0) {
		if (err->code != ECANCELED) {
			cleanup_free char *msg = xasprintf("%s\r\n", err->msg);
			io_send_frame(fd, j->tty, 1, msg, strlen(msg));
		}
		log_debug("exec %s: %s", j->id, err->msg);
		berth_error_free(&err);
		launch_failed(j->e, j->c, j->id);
		return;
	}
	/* dockerd closes an exec's stdin at the client's EOF (without a tty) */
	struct io_relay_opts o = {.tty = j->tty,
				  .stdin_attached = j->in,
				  .stdin_once = !j->tty,
				  .detach_keys = j->keys,
				  .n_detach_keys = j->nkeys};
	enum io_relay_end end = io_relay(fd, extra, extra_len, sfd, &o);
	if (end == IO_RELAY_ENDED)
		await_exit(j->e, j->c, j->id);
}

static int exec_start(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	cleanup_json json_t *body = NULL;
	if (api_body_json(req, true, &body, err) < 0)
		return -1;
	const char *id = api_param(req, "id");
	cleanup_ctr struct container *c = NULL;
	if (lookup(e, id, &c, err) < 0)
		return -1;
	struct exec_table *t = e->execs;
	struct exec_proc *x = relock(t, id, err);
	if (x == NULL)
		return -1;
	int rc = 0;
	if (x->exited)
		rc = berth_error_set(err, EBUSY, "Error: Exec command %s has already run", x->id);
	else if (x->started)
		rc =
		    berth_error_set(err, EBUSY, "Error: Exec command %s is already running", x->id);
	if (rc == 0 && check_running(c, NULL, err) < 0)
		rc = -1;
	if (rc < 0) {
		pthread_mutex_unlock(&t->lock);
		return -1;
	}
	x->started = true;
	x->running = true;
	struct start_job *j = xcalloc(1, sizeof(*j));
	j->e = e;
	memcpy(j->id, x->id, sizeof(j->id));
	j->config = json_incref(x->config);
	j->tty = x->tty;
	j->in = x->open_stdin;
	j->out = x->open_stdout;
	j->err_ = x->open_stderr;
	io_detach_keys_parse(x->detach_keys, &j->keys, &j->nkeys, NULL);
	pthread_mutex_unlock(&t->lock);
	j->c = c;
	c = NULL;
	if (json_is_true(json_object_get(body, "Detach"))) {
		int lrc = launch(e, j->c, j->id, j->config, j->tty, false, err);
		if (lrc < 0)
			launch_failed(e, j->c, j->id);
		start_job_free(j);
		if (lrc < 0)
			return -1;
		api_reply_empty(resp, 200);
		return 0;
	}
	api_reply_upgrade(resp, start_run, j, start_job_free);
	/* dockerd's exec start (unlike attach) sends its usual headers */
	api_header_add(resp, "Api-Version", API_VERSION_MAX);
	api_header_add(resp, "Docker-Experimental", "false");
	api_header_add(resp, "Ostype", "linux");
	api_header_add(resp, "Server", "Berth/" BERTH_VERSION " (linux)");
	return 0;
}

/* ---- inspect, resize ---- */

static int exec_inspect(struct api_request *req, struct api_response *resp,
			struct berth_error **err)
{
	struct engine *e = req->ctx;
	cleanup_ctr struct container *c = NULL;
	if (lookup(e, api_param(req, "id"), &c, err) < 0)
		return -1;
	bool ctr_running = check_running(c, NULL, NULL) == 0;
	struct exec_table *t = e->execs;
	struct exec_proc *x = relock(t, api_param(req, "id"), err);
	if (x == NULL)
		return -1;
	json_t *cmd = json_object_get(x->config, "Cmd");
	json_t *args = json_array();
	for (size_t i = 1; i < json_array_size(cmd); i++)
		json_array_append(args, json_array_get(cmd, i));
	json_t *pc = json_pack("{s:b, s:s, s:o, s:b}", "tty", x->tty, "entrypoint",
			       json_string_value(json_array_get(cmd, 0)), "arguments", args,
			       "privileged", x->privileged);
	const char *user = json_string_value(json_object_get(x->config, "User"));
	if (user != NULL && *user != '\0')
		json_object_set_new(pc, "user", json_string(user));
	json_t *o = json_pack("{s:s, s:b, s:o, s:o, s:b, s:b, s:b, s:b, s:s, s:s, s:i}", "ID",
			      x->id, "Running", x->running && ctr_running, "ExitCode",
			      x->exited ? json_integer(x->exit_code) : json_null(), "ProcessConfig",
			      pc, "OpenStdin", x->open_stdin, "OpenStderr", x->open_stderr,
			      "OpenStdout", x->open_stdout, "CanRemove", false, "ContainerID",
			      x->ctr_id, "DetachKeys", x->detach_keys, "Pid", (int)x->pid);
	pthread_mutex_unlock(&t->lock);
	api_reply_json(resp, 200, o);
	return 0;
}

static int exec_resize(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	long long h = 0, w = 0;
	if (io_resize_params(req, &h, &w, err) < 0)
		return -1;
	const char *id = api_param(req, "id");
	cleanup_ctr struct container *c = NULL;
	if (lookup(e, id, &c, err) < 0)
		return -1;
	/* the CLI resizes right after the start handshake: wait for the process */
	struct exec_table *t = e->execs;
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += EXEC_START_WAIT_MS / 1000;
	struct exec_proc *x = relock(t, id, err);
	if (x == NULL)
		return -1;
	while (x != NULL && x->pid == 0 && !x->exited) {
		if (pthread_cond_timedwait(&t->cond, &t->lock, &dl) == ETIMEDOUT)
			break;
		x = find_locked(t, id);
	}
	bool ready = x != NULL && x->pid != 0 && !x->exited;
	pthread_mutex_unlock(&t->lock);
	if (!ready)
		return berth_error_set(err, EBUSY, "exec %s is not running", id);
	if (io_resize(c, id, h, w, err) < 0)
		return -1;
	api_reply_empty(resp, 200);
	return 0;
}

const struct api_route api_exec_routes[] = {
    {"POST", "/containers/{name}/exec", exec_create},
    {"POST", "/exec/{id}/start", exec_start},
    {"GET", "/exec/{id}/json", exec_inspect},
    {"POST", "/exec/{id}/resize", exec_resize},
    {NULL, NULL, NULL},
};
