/* ctr_start: the spec (specgen_build) into <shim-dir>/config.json, the
 * snapshot mounted at <shim-dir>/rootfs, berth-shim started (the runtime's
 * create), the subscribe connection handed to the monitor, pending attaches
 * let in, then the shim's start op. Also the shim calls and attaches of the
 * contract, and the clean-up of a task after its exit. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/snapshots/snapshots.h"
#include "engine/spec/specgen.h"
#include "shim/shim-client.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SHIM_CALL_TIMEOUT_MS 10000
#define ATTACH_WAIT_MS 10000

/* ---- shim calls ---- */

int ctr_shim_call(struct container *c, json_t *req, int timeout_ms, json_t **reply,
		  struct berth_error **err)
{
	pthread_mutex_lock(&c->lock);
	bool up = c->priv->shim_up;
	cleanup_free char *dir = c->shim_dir ? xstrdup(c->shim_dir) : NULL;
	pthread_mutex_unlock(&c->lock);
	if (!up || !dir)
		return berth_error_set(err, ENOTCONN, "container %s is not running", c->id);
	return shim_call_dir(dir, req, timeout_ms, reply, err);
}

static int attach_now(const char *dir, const char *exec_id, bool in, bool out, bool err_,
		      bool stdin_once, int *fd, struct berth_error **err)
{
	struct shim_conn *conn = NULL;
	if (shim_connect(dir, &conn, err) < 0)
		return -1;
	cleanup_json json_t *req =
	    json_pack("{s:s,s:b,s:b,s:b,s:b}", "op", "attach", "stdin", in, "stdout", out, "stderr",
		      err_, "stdin_once", stdin_once);
	if (exec_id)
		json_object_set_new(req, "exec_id", json_string(exec_id));
	json_t *reply = NULL;
	if (shim_call(conn, req, SHIM_CALL_TIMEOUT_MS, &reply, err) < 0) {
		shim_conn_close(conn);
		return -1;
	}
	json_decref(reply);
	int f = shim_conn_steal_fd(conn);
	/* the client's timeouts of the call do not apply to the stream */
	struct timeval tv = {0};
	setsockopt(f, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(f, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fd = f;
	return 0;
}

int ctr_attach_open(struct container *c, const char *exec_id, bool in, bool out, bool err_,
		    bool stdin_once, const volatile bool *cancel, int *fd, struct berth_error **err)
{
	*fd = -1;
	pthread_mutex_lock(&c->lock);
	cleanup_free char *dir = c->shim_dir ? xstrdup(c->shim_dir) : NULL;
	/* an exited container's shim may still be up (until the next start's
	 * cleanup) but is going away: such an attach waits for the next start */
	bool live =
	    c->state.status == CTR_RUNNING || c->state.status == CTR_PAUSED || c->priv->starting;
	if (exec_id || (c->priv->shim_up && live)) {
		bool up = c->priv->shim_up;
		pthread_mutex_unlock(&c->lock);
		if (!up)
			return berth_error_set(err, ENOTCONN, "container %s is not running", c->id);
		return attach_now(dir, exec_id, in, out, err_, stdin_once, fd, err);
	}
	/* not started: wait for the start, which waits for us */
	uint64_t gen = c->priv->task_gen;
	bool stale = c->priv->shim_up;
	c->priv->attach_waiting++;
	int rc = 0;
	while (!c->priv->shim_up || (stale && c->priv->task_gen == gen)) {
		if (c->priv->removed) {
			rc = berth_error_set(err, ENOENT, "No such container: %s", c->id);
			break;
		}
		if (cancel && *cancel) {
			rc = berth_error_set(err, ECANCELED, "attach to %s: cancelled", c->id);
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc == 0)
		rc = attach_now(dir, NULL, in, out, err_, stdin_once, fd, err);
	pthread_mutex_lock(&c->lock);
	c->priv->attach_waiting--;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---- helpers ---- */

static int run_wait(char *const argv[], int timeout_ms)
{
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	for (int waited = 0;; waited += 10) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
}

void ctr_runtime_force_delete(struct engine *e, struct container *c)
{
	cleanup_free char *path = NULL;
	cleanup_strv char **args = NULL;
	if (ctr_runtime_resolve(e, c->runtime, &path, &args, NULL) < 0)
		return;
	size_t na = args ? strv_len(args) : 0;
	cleanup_free char **argv = xcalloc(na + 8, sizeof(char *));
	size_t k = 0;
	argv[k++] = path;
	argv[k++] = "--root";
	argv[k++] = e->containers->runtime_root;
	for (size_t i = 0; i < na; i++)
		argv[k++] = args[i];
	argv[k++] = "delete";
	argv[k++] = "--force";
	argv[k++] = c->id;
	argv[k] = NULL;
	run_wait(argv, 10000);
}

/* The shim's delete; while the init still runs (EBUSY), SIGKILL and again,
 * for up to 5 s. 0, or -1 with *err. */
static int shim_delete(const char *dir, struct berth_error **err)
{
	for (int i = 0;; i++) {
		cleanup_json json_t *d = json_pack("{s:s}", "op", "delete");
		json_t *reply = NULL;
		struct berth_error *derr = NULL;
		int rc = shim_call_dir(dir, d, SHIM_CALL_TIMEOUT_MS, &reply, &derr);
		json_decref(reply);
		if (rc == 0)
			return 0;
		if (derr->code != EBUSY || i >= 250) {
			*err = derr;
			return -1;
		}
		berth_error_free(&derr);
		if (i % 25 == 0) {
			cleanup_json json_t *k = json_pack("{s:s,s:i,s:b}", "op", "kill", "signal",
							   SIGKILL, "all", true);
			reply = NULL;
			shim_call_dir(dir, k, 2000, &reply, NULL);
			json_decref(reply);
		}
		struct timespec ts = {0, 20000000};
		nanosleep(&ts, NULL);
	}
}

void ctr_task_cleanup(struct engine *e, struct container *c)
{
	pthread_mutex_lock(&c->lock);
	bool task = c->priv->task;
	pthread_mutex_unlock(&c->lock);
	if (!task || !c->shim_dir)
		return;
	struct berth_error *err = NULL;
	if (!fs_exists(c->shim_dir)) {
		ctr_runtime_force_delete(e, c);
	} else if (shim_delete(c->shim_dir, &err) < 0) {
		if (err->code != ENOENT && err->code != ECONNREFUSED)
			log_warn("container %s: shim delete: %s", c->id, err->msg);
		berth_error_free(&err);
		ctr_runtime_force_delete(e, c);
	}
	if (c->rootfs && snap_unmount(c->rootfs, &err) < 0) {
		if (err->code != EINVAL && err->code != ENOENT)
			log_warn("container %s: %s", c->id, err->msg);
		berth_error_free(&err);
	}
	if (fs_exists(c->shim_dir) && fs_rm_rf(c->shim_dir, &err) < 0) {
		log_warn("container %s: %s", c->id, err->msg);
		berth_error_free(&err);
	}
	pthread_mutex_lock(&c->lock);
	c->priv->task = false;
	c->priv->shim_up = false;
	c->state.shim_pid = 0;
	c->state.pid = 0;
	free(c->priv->cgroup_path);
	c->priv->cgroup_path = NULL;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static pid_t container_pid(void *arg, const char *ref, struct berth_error **err)
{
	struct engine *e = arg;
	struct container *o = NULL;
	if (ctr_find(e, ref, &o, err) < 0)
		return -1;
	pthread_mutex_lock(&o->lock);
	pid_t pid =
	    o->state.status == CTR_RUNNING || o->state.status == CTR_PAUSED ? o->state.pid : 0;
	pthread_mutex_unlock(&o->lock);
	if (pid <= 0)
		berth_error_set(err, EINVAL, "container %s is not running", o->id);
	ctr_unref(o);
	return pid > 0 ? pid : -1;
}

int ctr_build_spec(struct engine *e, struct container *c, json_t *host_config, json_t **spec,
		   struct berth_error **err)
{
	struct ctr_store *s = e->containers;
	cleanup_free char *dir = ctr_dir(e, c);
	cleanup_free char *hn = xasprintf("%s/hostname", dir);
	cleanup_free char *hosts = xasprintf("%s/hosts", dir);
	cleanup_free char *resolv = xasprintf("%s/resolv.conf", dir);
	pthread_mutex_lock(&c->lock);
	cleanup_json json_t *config = json_deep_copy(c->config);
	cleanup_json json_t *hc = json_deep_copy(host_config ? host_config : c->host_config);
	cleanup_free char *name = xstrdup(c->name + 1);
	pthread_mutex_unlock(&c->lock);
	const char *cgp = json_string_value(json_object_get(hc, "CgroupParent"));
	struct specgen_input in = {
	    .id = c->id,
	    .name = name,
	    .config = config,
	    .host_config = hc,
	    .rootfs = c->rootfs,
	    .hostname_path = hn,
	    .hosts_path = hosts,
	    .resolv_path = resolv,
	    .cgroup_parent = cgp && cgp[0] ? cgp : s->cgroup_parent,
	    .systemd_cgroup = false,
	    .init_path = s->init_bin,
	    .seccomp_default = s->seccomp_default ? s->seccomp_default : specgen_seccomp_default,
	    .container_pid = container_pid,
	    .container_pid_arg = e,
	};
	return specgen_build(&in, spec, err);
}

/* config.json in the shim dir; the rootfs is mounted. */
static int write_spec(struct engine *e, struct container *c, struct berth_error **err)
{
	cleanup_json json_t *spec = NULL;
	if (ctr_build_spec(e, c, NULL, &spec, err) < 0)
		return -1;
	const char *cg =
	    json_string_value(json_object_get(json_object_get(spec, "linux"), "cgroupsPath"));
	cleanup_free char *text = json_dumps(spec, JSON_COMPACT);
	cleanup_close int dfd = open(c->shim_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", c->shim_dir);
	if (fs_write_file_atomic(dfd, "config.json", text, strlen(text), 0600, false, err) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	free(c->priv->cgroup_path);
	c->priv->cgroup_path = cg ? xstrdup(cg) : NULL;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* openat2 RESOLVE_IN_ROOT: path inside the root dir fd, symlinks and ".."
 * kept in it; -1 with errno (ENOSYS without openat2) */
static int open_in_root(int root, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

/* dockerd's SetupWorkingDirectory: a WorkingDir missing in the image is
 * made (0755, root) in the mounted rootfs, each component resolved inside
 * it; one that is not a directory is an error. */
static int make_workdir(struct container *c, struct berth_error **err)
{
	pthread_mutex_lock(&c->lock);
	const char *v = json_string_value(json_object_get(c->config, "WorkingDir"));
	cleanup_free char *wd = v && v[0] ? xstrdup(v) : NULL;
	pthread_mutex_unlock(&c->lock);
	if (wd == NULL)
		return 0;
	cleanup_close int root = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return berth_error_errno(err, "open %s", c->rootfs);
	cleanup_free char *parent = xstrdup("/");
	cleanup_free char *copy = xstrdup(wd);
	char *save = NULL;
	for (char *tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		cleanup_close int dir = open_in_root(root, parent, O_PATH | O_DIRECTORY);
		if (dir < 0 && errno == ENOSYS)
			return 0; /* no openat2: the runtime's chdir says what is wrong */
		if (dir < 0 || (mkdirat(dir, tok, 0755) < 0 && errno != EEXIST)) {
			if (errno == ENOTDIR || errno == EEXIST)
				return berth_error_set(err, ENOTDIR,
						       "Cannot mkdir: %s is not a directory", wd);
			return berth_error_errno(err, "mkdir %s (%s)", wd, tok);
		}
		char *next = xasprintf("%s%s/", parent, tok);
		free(parent);
		parent = next;
	}
	cleanup_close int fin = open_in_root(root, wd, O_PATH | O_DIRECTORY);
	if (fin < 0 && errno == ENOTDIR)
		return berth_error_set(err, ENOTDIR, "Cannot mkdir: %s is not a directory", wd);
	return 0;
}

static int mount_rootfs(struct engine *e, struct container *c, struct berth_error **err)
{
	if (fs_mkdir_p(c->rootfs, 0711, err) < 0)
		return -1;
	struct snap_mounts m = {0};
	if (snap_mounts(e->snap, c->snapshot_key, &m, err) < 0)
		return berth_error_wrap(err, "container %s: snapshot", c->id);
	int rc = snap_mount(&m, c->rootfs, err);
	snap_mounts_free(&m);
	if (rc == 0)
		rc = make_workdir(c, err);
	return rc;
}

static int launch_shim(struct engine *e, struct container *c, pid_t *shim_pid,
		       struct berth_error **err)
{
	struct ctr_store *s = e->containers;
	cleanup_free char *rt = NULL;
	cleanup_strv char **rt_args = NULL;
	cleanup_free char *driver = NULL;
	long long max_size = 0;
	int max_file = 1;
	pthread_mutex_lock(&c->lock);
	cleanup_json json_t *hc = json_incref(c->host_config);
	bool tty = json_is_true(json_object_get(c->config, "Tty"));
	bool open_stdin = json_is_true(json_object_get(c->config, "OpenStdin"));
	/* docker: with a tty the client's EOF leaves the container's stdin open */
	bool stdin_once = json_is_true(json_object_get(c->config, "StdinOnce")) && !tty;
	pthread_mutex_unlock(&c->lock);
	if (ctr_runtime_resolve(e, c->runtime, &rt, &rt_args, err) < 0 ||
	    ctr_log_opts(e, hc, &driver, &max_size, &max_file, err) < 0)
		return -1;
	struct shim_start_opts o = {
	    .shim_binary = s->shim_bin,
	    .dir = c->shim_dir,
	    .id = c->id,
	    .ns = CTR_NS,
	    .runtime = rt,
	    .runtime_root = s->runtime_root,
	    .runtime_args = rt_args,
	    .terminal = tty,
	    .stdin_open = open_stdin,
	    .stdin_once = stdin_once,
	    .log_path = strcmp(driver, "none") == 0 ? NULL : c->log_path,
	    .log_max_size = max_size,
	    .log_max_file = max_file,
	    .rootfs_mount = c->rootfs,
	};
	pid_t init_pid = 0;
	if (shim_start(&o, shim_pid, &init_pid, err) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	c->state.shim_pid = *shim_pid;
	c->state.pid = init_pid;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* docker's exit codes of a start that failed */
static int start_error_code(const char *msg)
{
	if (strstr(msg, "no such file") || strstr(msg, "not found") || strstr(msg, "No such file"))
		return 127;
	if (strstr(msg, "permission denied") || strstr(msg, "Permission denied"))
		return 126;
	return 128;
}

static void start_failed(struct engine *e, struct container *c, bool shim, struct berth_error *err)
{
	if (shim) {
		cleanup_json json_t *k =
		    json_pack("{s:s,s:i,s:b}", "op", "kill", "signal", SIGKILL, "all", true);
		json_t *reply = NULL;
		shim_call_dir(c->shim_dir, k, 2000, &reply, NULL);
		json_decref(reply);
		/* ctr_task_cleanup deletes (and kills again while the init lingers) */
	}
	pthread_mutex_lock(&c->lock);
	c->priv->task = true;
	c->priv->starting = false;
	c->priv->pending_exit = false;
	pthread_mutex_unlock(&c->lock);
	ctr_task_cleanup(e, c);
	pthread_mutex_lock(&c->lock);
	free(c->state.error);
	c->state.error = xstrdup(err->msg);
	c->state.exit_code = start_error_code(err->msg);
	if (c->state.status != CTR_CREATED)
		c->state.status = CTR_EXITED;
	c->state.pid = 0;
	c->state.shim_pid = 0;
	ctr_persist_locked(e, c, false, NULL);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Wait (bounded) for the attaches that waited for the shim. */
static void let_attaches_in(struct container *c)
{
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ATTACH_WAIT_MS / 1000;
	pthread_mutex_lock(&c->lock);
	c->priv->shim_up = true;
	pthread_cond_broadcast(&c->cond);
	while (c->priv->attach_waiting > 0)
		if (pthread_cond_timedwait(&c->cond, &c->lock, &end) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&c->lock);
}

int ctr_start_locked(struct engine *e, struct container *c, bool restart_policy,
		     struct berth_error **err)
{
	(void)restart_policy;
	ctr_task_cleanup(e, c);
	pthread_mutex_lock(&c->lock);
	c->priv->starting = true;
	c->priv->pending_exit = false;
	c->priv->exit_seen = false;
	c->priv->oom_published = false;
	c->priv->task_gen++;
	pthread_mutex_unlock(&c->lock);
	bool shim = false;
	pid_t shim_pid = 0;
	int64_t t[6] = {ctr_now()};
	int rc = fs_mkdir_p(c->shim_dir, 0711, err);
	if (rc == 0) {
		pthread_mutex_lock(&c->lock);
		c->priv->task = true; /* from here on, a failure cleans up */
		pthread_mutex_unlock(&c->lock);
		rc = mount_rootfs(e, c, err);
	}
	t[1] = ctr_now();
	if (rc == 0)
		rc = write_spec(e, c, err);
	t[2] = ctr_now();
	if (rc == 0) {
		rc = launch_shim(e, c, &shim_pid, err);
		shim = rc == 0;
	}
	t[3] = ctr_now();
	if (rc == 0)
		rc = ctr_monitor_add(e, c, err);
	t[4] = ctr_now();
	if (rc == 0) {
		let_attaches_in(c);
		cleanup_json json_t *req = json_pack("{s:s}", "op", "start");
		json_t *reply = NULL;
		rc = shim_call_dir(c->shim_dir, req, SHIM_CALL_TIMEOUT_MS, &reply, err);
		int64_t pid = 0;
		if (rc == 0 && bjson_as_int64(json_object_get(reply, "pid"), &pid) && pid > 0) {
			pthread_mutex_lock(&c->lock);
			c->state.pid = (pid_t)pid;
			pthread_mutex_unlock(&c->lock);
		}
		json_decref(reply);
	}
	t[5] = ctr_now();
	log_debug("container %s: start: mount %.1f ms, spec %.1f ms, shim %.1f ms, subscribe %.1f "
		  "ms, start %.1f ms",
		  c->id, (t[1] - t[0]) / 1e6, (t[2] - t[1]) / 1e6, (t[3] - t[2]) / 1e6,
		  (t[4] - t[3]) / 1e6, (t[5] - t[4]) / 1e6);
	if (rc < 0) {
		berth_error_wrap(err, "failed to start container %s", c->id);
		/* dockerd: a missing or unusable executable is the caller's error (400),
		 * never a 404 that reads as "no such container" */
		if ((*err)->code == ENOENT || (*err)->code == EACCES || (*err)->code == EPERM ||
		    (*err)->code == ENOEXEC)
			(*err)->code = EINVAL;
		start_failed(e, c, shim, *err);
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	c->priv->starting = false;
	c->priv->has_started = true;
	struct ctr_state *st = &c->state;
	st->status = CTR_RUNNING;
	st->started_at = ctr_now();
	st->finished_at = 0;
	st->exit_code = 0;
	st->oom_killed = false;
	st->manually_stopped = false;
	free(st->error);
	st->error = NULL;
	bool pending = c->priv->pending_exit;
	struct ctr_pending_exit pe = c->priv->pending;
	c->priv->pending_exit = false;
	ctr_persist_locked(e, c, false, NULL);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	ctr_event(e, c, "start", NULL);
	if (pending)
		ctr_record_exit(e, c, pe.exit_code, pe.exited_at, pe.oom, NULL);
	return 0;
}

int ctr_start(struct engine *e, struct container *c, struct berth_error **err)
{
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	enum ctr_status st = c->state.status;
	bool removed = c->priv->removed;
	pthread_mutex_unlock(&c->lock);
	int rc;
	if (removed)
		rc = berth_error_set(err, ENOENT, "No such container: %s", c->id);
	else if (st == CTR_RUNNING)
		rc = berth_error_set(err, EALREADY, "container %s is already running", c->id);
	else if (st == CTR_PAUSED)
		rc = berth_error_set(err, EBUSY,
				     "cannot start a paused container, try unpause instead");
	else if (st == CTR_REMOVING)
		rc = berth_error_set(
		    err, EBUSY, "container %s is marked for removal and cannot be started", c->id);
	else if (st == CTR_DEAD)
		rc = berth_error_set(err, EBUSY, "container %s is dead and cannot be started",
				     c->id);
	else {
		if (st == CTR_RESTARTING) {
			/* a start during the policy's wait: the waiting worker gives up */
			pthread_mutex_lock(&c->lock);
			c->priv->restart_wait = false;
			pthread_cond_broadcast(&c->cond);
			pthread_mutex_unlock(&c->lock);
		}
		/* a start by the user begins the backoff and the count afresh (dockerd's
		 * ResetRestartManager) */
		pthread_mutex_lock(&c->lock);
		c->priv->restart_delay_ms = 0;
		c->state.restart_count = 0;
		pthread_mutex_unlock(&c->lock);
		rc = ctr_start_locked(e, c, false, err);
	}
	pthread_mutex_unlock(&c->priv->op);
	return rc;
}
