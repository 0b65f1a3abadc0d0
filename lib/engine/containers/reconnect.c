/* ctr_store_open: every container loaded (metadata rows + their dirs), the
 * live shims under <exec-root>/shims/default reconnected and subscribed (the
 * first frames repeat exits that happened while berthd was down), exits of
 * dead shims taken from their exit.json, containers whose shim died without
 * one marked exited with a reason, restart policies applied. Nothing blocks
 * for long: every shim call has a timeout. ctr_store_close leaves the shims
 * running. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "shim/shim-client.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECONNECT_TIMEOUT_MS 3000

/* name next to berthd (also <dir>/../name/name in a build tree), else PATH */
static char *locate(const char *name, bool path_fallback)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			cleanup_free char *a = xasprintf("%s/%s", self, name);
			if (access(a, X_OK) == 0)
				return steal_ptr(a);
			cleanup_free char *b = xasprintf("%s/../%s/%s", self, name, name);
			char real[PATH_MAX];
			if (access(b, X_OK) == 0 && realpath(b, real))
				return xstrdup(real);
		}
	}
	const char *path = getenv("PATH");
	if (path) {
		cleanup_free char *copy = xstrdup(path);
		char *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			cleanup_free char *p = xasprintf("%s/%s", d, name);
			if (access(p, X_OK) == 0)
				return steal_ptr(p);
		}
	}
	return path_fallback ? xstrdup(name) : NULL;
}

static bool is_id(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* A container whose files are unreadable: kept as "dead" so that it can be removed. */
static struct container *dead_from_row(struct engine *e, const struct md_container *m,
				       const char *why)
{
	struct container *c = ctr_new(m->id);
	c->name = xstrdup(m->name && m->name[0] == '/' ? m->name : "/unknown");
	c->image_id = m->image ? xstrdup(m->image) : NULL;
	c->image = m->image ? xstrdup(m->image) : NULL;
	c->runtime = xstrdup(m->runtime ? m->runtime : ENGINE_DEFAULT_RUNTIME);
	c->snapshot_key = m->snapshot_key ? xstrdup(m->snapshot_key) : NULL;
	c->config = json_object();
	if (m->labels)
		json_object_set(c->config, "Labels", m->labels);
	c->host_config = json_object();
	c->created = m->created;
	c->shim_dir = xasprintf("%s/%s", e->containers->shims_dir, m->id);
	c->rootfs = xasprintf("%s/rootfs", c->shim_dir);
	c->state.status = CTR_DEAD;
	c->state.error = xstrdup(why);
	return c;
}

static void load_all(struct engine *e)
{
	struct ctr_store *s = e->containers;
	struct md_container *rows = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	if (md_container_list(e->md, CTR_NS, NULL, &rows, &n, &err) < 0) {
		log_error("containers: %s", err->msg);
		berth_error_free(&err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", s->containers_dir, rows[i].id);
		struct container *c = NULL;
		if (ctr_load_dir(dir, rows[i].id, &c, &err) < 0) {
			log_error("container %s: %s", rows[i].id, err->msg);
			c = dead_from_row(e, &rows[i], err->msg);
			berth_error_free(&err);
		}
		/* the shim dir follows this berthd's exec-root */
		free(c->shim_dir);
		free(c->rootfs);
		c->shim_dir = xasprintf("%s/%s", s->shims_dir, c->id);
		c->rootfs = xasprintf("%s/rootfs", c->shim_dir);
		c->priv->engine = e;
		ctr_store_add(s, c);
		ctr_unref(c);
	}
	/* dirs without a row: a create that died midway */
	cleanup_closedir DIR *d = opendir(s->containers_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!is_id(de->d_name))
			continue;
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(rows[i].id, de->d_name) == 0;
		if (known)
			continue;
		cleanup_free char *p = xasprintf("%s/%s", s->containers_dir, de->d_name);
		log_warn("containers: removing %s (no metadata: an unfinished create)", p);
		if (fs_rm_rf(p, &err) < 0) {
			log_warn("%s", err->msg);
			berth_error_free(&err);
		}
	}
	md_container_list_free(rows, n);
}

static bool was_up(enum ctr_status st)
{
	return st == CTR_RUNNING || st == CTR_PAUSED;
}

/* A shim found in "created" state: a start that berthd did not finish. */
static void drop_unstarted(struct engine *e, struct container *c)
{
	cleanup_json json_t *k =
	    json_pack("{s:s,s:i,s:b}", "op", "kill", "signal", SIGKILL, "all", true);
	json_t *reply = NULL;
	shim_call_dir(c->shim_dir, k, RECONNECT_TIMEOUT_MS, &reply, NULL);
	json_decref(reply);
	pthread_mutex_lock(&c->lock);
	c->priv->task = true;
	pthread_mutex_unlock(&c->lock);
	ctr_task_cleanup(e, c);
}

/* A removal that berthd did not finish: finished now, as dockerd's restore. */
static void finish_remove(struct engine *e, struct container *c)
{
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	c->state.status = CTR_EXITED;
	c->priv->task = true; /* whatever the shim dir holds goes too */
	pthread_mutex_unlock(&c->lock);
	struct berth_error *err = NULL;
	if (ctr_remove_locked(e, c, true, false, &err) < 0) {
		log_error("container %s: finishing its removal: %s", c->id, err->msg);
		berth_error_free(&err);
	}
	pthread_mutex_unlock(&c->priv->op);
}

static void reconnect_one(struct engine *e, struct container *c)
{
	pthread_mutex_lock(&c->lock);
	enum ctr_status st = c->state.status;
	pthread_mutex_unlock(&c->lock);
	if (st == CTR_DEAD)
		return;
	if (st == CTR_REMOVING) {
		ctr_spawn(e, c, finish_remove);
		return;
	}
	bool dir = fs_exists(c->shim_dir);
	if (!dir) {
		if (was_up(st)) {
			cleanup_free char *msg =
			    xasprintf("shim for container %s died: its directory %s is gone", c->id,
				      c->shim_dir);
			pthread_mutex_lock(&c->lock);
			c->priv->task = true;
			pthread_mutex_unlock(&c->lock);
			ctr_record_exit(e, c, 255, 0, false, msg);
		} else if (st == CTR_RESTARTING) {
			ctr_spawn(e, c, ctr_after_exit);
		}
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->priv->task = true;
	pthread_mutex_unlock(&c->lock);
	cleanup_json json_t *req = json_pack("{s:s}", "op", "state");
	json_t *reply = NULL;
	struct berth_error *err = NULL;
	if (shim_call_dir(c->shim_dir, req, RECONNECT_TIMEOUT_MS, &reply, &err) == 0) {
		const char *status = json_string_value(json_object_get(reply, "status"));
		int64_t pid = 0, shim_pid = 0;
		bjson_as_int64(json_object_get(reply, "pid"), &pid);
		bjson_as_int64(json_object_get(reply, "shim_pid"), &shim_pid);
		bool created = status && strcmp(status, "created") == 0;
		bool paused = status && strcmp(status, "paused") == 0;
		json_decref(reply);
		if (created && !was_up(st)) {
			drop_unstarted(e, c);
			return;
		}
		pthread_mutex_lock(&c->lock);
		c->priv->shim_up = true;
		c->state.shim_pid = (pid_t)shim_pid;
		if (pid > 0)
			c->state.pid = (pid_t)pid;
		if (!was_up(c->state.status))
			c->state.status = CTR_RUNNING; /* an exit, if any, follows */
		if (paused)
			c->state.status = CTR_PAUSED;
		else if (c->state.status == CTR_PAUSED)
			c->state.status = CTR_RUNNING;
		pthread_mutex_unlock(&c->lock);
		if (ctr_monitor_add(e, c, &err) == 0) {
			log_info("container %s: reconnected to its shim (pid %lld)", c->id,
				 (long long)shim_pid);
			return;
		}
		log_warn("container %s: %s", c->id, err->msg);
		berth_error_free(&err);
		/* fall through: treat like a dead shim */
	} else {
		log_info("container %s: shim unreachable: %s", c->id, err->msg);
	}
	int code;
	int64_t at;
	bool oom;
	pthread_mutex_lock(&c->lock);
	c->priv->shim_up = false;
	st = c->state.status;
	pthread_mutex_unlock(&c->lock);
	if (!was_up(st)) {
		/* leftovers of a task whose exit was recorded already */
		if (st == CTR_RESTARTING)
			ctr_spawn(e, c, ctr_after_exit);
		else
			ctr_task_cleanup(e, c);
	} else if (ctr_read_exit_json(c->shim_dir, &code, &at, &oom) == 0) {
		ctr_record_exit(e, c, code, at, oom, NULL);
	} else {
		cleanup_free char *msg =
		    xasprintf("shim for container %s died: %s", c->id, err ? err->msg : "gone");
		ctr_record_exit(e, c, 137, 0, false, msg);
	}
	berth_error_free(&err);
}

/* Shims of containers berthd no longer knows (removed while the shim lived
 * on, or a half-done create): their process killed, the shim told to delete. */
static void drop_orphan_shims(struct engine *e)
{
	struct ctr_store *s = e->containers;
	cleanup_closedir DIR *d = opendir(s->shims_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!is_id(de->d_name))
			continue;
		struct container *c = NULL;
		if (ctr_find(e, de->d_name, &c, NULL) == 0) {
			ctr_unref(c);
			continue;
		}
		cleanup_free char *dir = xasprintf("%s/%s", s->shims_dir, de->d_name);
		log_warn("containers: %s belongs to no container: removing it", dir);
		struct container *o = ctr_new(de->d_name);
		o->runtime = xstrdup(ENGINE_DEFAULT_RUNTIME);
		o->shim_dir = xstrdup(dir);
		o->rootfs = xasprintf("%s/rootfs", dir);
		o->priv->engine = e;
		drop_unstarted(e, o);
		ctr_unref(o);
	}
}

/* dockerd's restore: a stopped container whose policy is "always" (even
 * stopped by the user), or "unless-stopped" not stopped by the user, starts
 * with the daemon. */
static void autostart(struct engine *e, struct container *c)
{
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	bool go = c->state.status == CTR_EXITED && !c->priv->removed;
	pthread_mutex_unlock(&c->lock);
	struct berth_error *err = NULL;
	if (go && ctr_start_locked(e, c, true, &err) < 0) {
		log_error("start of container %s (restart policy) failed: %s", c->id, err->msg);
		berth_error_free(&err);
	}
	pthread_mutex_unlock(&c->priv->op);
}

static bool wants_autostart(struct container *c)
{
	struct ctr_restart_policy p;
	pthread_mutex_lock(&c->lock);
	ctr_restart_policy(c->host_config, &p);
	bool go = c->state.status == CTR_EXITED && c->priv->has_started && !c->priv->task &&
		  (p.kind == CTR_RESTART_ALWAYS ||
		   (p.kind == CTR_RESTART_UNLESS_STOPPED && !c->state.manually_stopped));
	pthread_mutex_unlock(&c->lock);
	return go;
}

int ctr_store_open(struct engine *e, struct berth_error **err)
{
	struct ctr_store *s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->epfd = s->wake_fd = -1;
	pthread_mutex_lock(&e->lock);
	s->containers_dir = xasprintf("%s/containers", e->cfg.data_root);
	s->shims_dir = xasprintf("%s/shims/%s", e->cfg.exec_root, CTR_NS);
	s->runtime_root = xasprintf("%s/runtime/%s", e->cfg.exec_root, CTR_NS);
	s->cgroup_parent = xstrdup(e->cfg.cgroup_parent ? e->cfg.cgroup_parent : "/berth");
	pthread_mutex_unlock(&e->lock);
	s->shim_bin = locate("berth-shim", true);
	s->init_bin = locate("berth-init", false);
	s->runtime_bin = locate("berth-runtime", true);
	e->containers = s;
	if (fs_mkdir_p(s->containers_dir, 0710, err) < 0 ||
	    fs_mkdir_p(s->shims_dir, 0711, err) < 0 || fs_mkdir_p(s->runtime_root, 0711, err) < 0 ||
	    ctr_monitor_start(e, err) < 0) {
		ctr_store_close(e);
		return -1;
	}
	log_debug("containers: shim %s, runtime %s, init %s", s->shim_bin, s->runtime_bin,
		  s->init_bin ? s->init_bin : "(none)");
	if (!e->md)
		return 0;
	load_all(e);
	struct container **v = NULL;
	size_t n = 0;
	ctr_list(e, &v, &n);
	size_t up = 0;
	for (size_t i = 0; i < n; i++) {
		bool again = wants_autostart(v[i]);
		reconnect_one(e, v[i]);
		if (again)
			ctr_spawn(e, v[i], autostart);
		pthread_mutex_lock(&v[i]->lock);
		up += was_up(v[i]->state.status);
		pthread_mutex_unlock(&v[i]->lock);
	}
	ctr_list_free(v, n);
	drop_orphan_shims(e);
	log_info("containers: %zu loaded, %zu running", n, up);
	return 0;
}

void ctr_store_close(struct engine *e)
{
	struct ctr_store *s = e->containers;
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	__atomic_store_n(&s->closing, true, __ATOMIC_RELEASE);
	for (size_t i = 0; i < s->n; i++) {
		pthread_mutex_lock(&s->v[i]->lock);
		pthread_cond_broadcast(&s->v[i]->cond);
		pthread_mutex_unlock(&s->v[i]->lock);
	}
	/* workers finish what they do (a restart in its wait gives up) */
	while (s->workers > 0)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	ctr_monitor_stop(e);
	for (size_t i = 0; i < s->n; i++)
		ctr_unref(s->v[i]);
	free(s->v);
	free(s->containers_dir);
	free(s->shims_dir);
	free(s->runtime_root);
	free(s->shim_bin);
	free(s->init_bin);
	free(s->runtime_bin);
	free(s->cgroup_parent);
	free(s->seccomp_default);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
	e->containers = NULL;
}
