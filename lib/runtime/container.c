/* start, state, list, kill and delete of an existing container. */
#include "runtime/hooks.h"
#include "runtime/runtime.h"
#include "runtime/state.h"
#include "runtime/container-cgroup.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "oci/spec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int load_config(struct rt_container *c, struct oci_spec **spec, struct berth_error **err)
{
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file_at(c->dirfd, "config.json", &data, &len, err) < 0)
		return -1;
	if (oci_spec_parse(data, len, spec, err) < 0)
		return berth_error_wrap(err, "%s/config.json", c->dir);
	return 0;
}

static int run_hooks_of(struct rt_container *c, enum oci_hook_kind kind, const char *status,
			struct berth_error **err)
{
	struct oci_spec *spec = NULL;
	if (load_config(c, &spec, err) < 0)
		return -1;
	int ret = 0;
	if (spec->hooks[kind].n) {
		cleanup_free char *state = hooks_state_json(c->id, status, c->state.pid,
							    c->state.bundle, spec->annotations);
		ret = hooks_run(spec, kind, state, err);
	}
	oci_spec_free(spec);
	return ret;
}

int rt_start(const struct rt_globals *g, const char *id, struct berth_error **err)
{
	struct rt_container *c = NULL;
	if (rt_container_open(g->root, id, &c, err) < 0)
		return -1;
	int ret = -1;
	enum rt_status st = rt_container_status(c);
	if (st != RT_CREATED) {
		berth_error_set(err, EINVAL, "cannot start container \"%s\": it is %s, not created",
				id, rt_status_name(st));
		goto out;
	}
	int fd = openat(c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		berth_error_errno(err, "start container \"%s\": open exec.fifo", id);
		goto out;
	}
	ssize_t w;
	do
		w = write(fd, "0", 1);
	while (w < 0 && errno == EINTR);
	if (w != 1) {
		berth_error_errno(err, "start container \"%s\": write exec.fifo", id);
		close(fd);
		goto out;
	}
	/* init holds the read end close-on-exec: once it is gone (POLLERR on
	 * our end), the startContainer hooks ran and the user process is exec'd
	 * (or init died). Only then do poststart hooks run. */
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = 0};
		int r = poll(&pfd, 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (pfd.revents & (POLLERR | POLLHUP)))
			break;
	}
	close(fd);
	unlinkat(c->dirfd, "exec.fifo", 0);
	log_debug("start %s: released init pid %d", id, c->state.pid);
	ret = run_hooks_of(c, OCI_HOOK_POSTSTART, "running", err);
	if (ret < 0)
		berth_error_wrap(err, "container \"%s\" started", id);
out:
	rt_container_free(c);
	return ret;
}

int rt_state(const struct rt_globals *g, const char *id, json_t **out, struct berth_error **err)
{
	struct rt_container *c = NULL;
	if (rt_container_open(g->root, id, &c, err) < 0)
		return -1;
	*out = rt_container_state_json(c);
	rt_container_free(c);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rt_list(const struct rt_globals *g, json_t **out, struct berth_error **err)
{
	*out = json_array();
	cleanup_closedir DIR *d = opendir(g->root);
	if (d == NULL)
		return errno == ENOENT ? 0 : berth_error_errno(err, "open %s", g->root);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	qsort(names, n, sizeof(char *), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct rt_container *c = NULL;
		struct berth_error *e = NULL;
		if (rt_container_open(g->root, names[i], &c, &e) == 0) {
			json_array_append_new(*out, rt_container_state_json(c));
			rt_container_free(c);
		} else {
			log_debug("list: skip %s: %s", names[i], e->msg);
			berth_error_free(&e);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static int pidfd_of(struct rt_container *c, struct berth_error **err)
{
	int fd = (int)syscall(SYS_pidfd_open, c->state.pid, 0);
	if (fd < 0)
		return berth_error_errno(err, "container \"%s\": pidfd_open %d", c->id,
					 c->state.pid);
	/* the pid might have been reused between the status check and the open */
	if (!rt_proc_alive(c->state.pid, c->state.pid_start)) {
		close(fd);
		return berth_error_set(err, ESRCH, "container \"%s\" is not running", c->id);
	}
	return fd;
}

static bool same_pidns(pid_t a, const char *ref)
{
	char p[64], l[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/pid", a);
	ssize_t n = readlink(p, l, sizeof(l) - 1);
	if (n < 0)
		return false;
	l[n] = '\0';
	return strcmp(l, ref) == 0;
}

/* Every process of the container: those in its cgroup, or without one
 * those in init's pid namespace when it has its own. */
static int kill_all(struct rt_container *c, int sig, struct berth_error **err)
{
	bool done = false;
	if (rt_cgroup_signal_all(c, sig, &done, err) < 0)
		return -1;
	if (done) /* init is in the cgroup too */
		return 0;
	char p[64], ref[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/pid", c->state.pid);
	ssize_t n = readlink(p, ref, sizeof(ref) - 1);
	if (n < 0)
		return berth_error_errno(err, "container \"%s\": read %s", c->id, p);
	ref[n] = '\0';
	if (!same_pidns(getpid(), ref)) {
		cleanup_closedir DIR *d = opendir("/proc");
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			pid_t pid = atoi(de->d_name);
			if (pid > 0 && pid != c->state.pid && same_pidns(pid, ref))
				kill(pid, sig);
		}
	}
	cleanup_close int fd = pidfd_of(c, err);
	if (fd < 0)
		return -1;
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 && errno != ESRCH)
		return berth_error_errno(err, "container \"%s\": send signal %d", c->id, sig);
	return 0;
}

int rt_kill(const struct rt_globals *g, const char *id, int sig, bool all, struct berth_error **err)
{
	struct rt_container *c = NULL;
	if (rt_container_open(g->root, id, &c, err) < 0)
		return -1;
	int ret = -1;
	cleanup_close int fd = -1;
	enum rt_status st = rt_container_status(c);
	if (st == RT_STOPPED) {
		berth_error_set(err, ESRCH, "container \"%s\" is not running", id);
		goto out;
	}
	log_debug("kill %s: signal %d%s", id, sig, all ? " to all processes" : "");
	if (all) {
		ret = kill_all(c, sig, err);
		goto out;
	}
	fd = pidfd_of(c, err);
	if (fd < 0)
		goto out;
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
		berth_error_errno(err, "container \"%s\": send signal %d to pid %d", id, sig,
				  c->state.pid);
		goto out;
	}
	ret = sig == SIGKILL ? rt_cgroup_thaw(c, err) : 0;
out:
	rt_container_free(c);
	return ret;
}

/* SIGKILL the container and wait (up to 10 s) until init is gone. */
static int kill_and_wait(struct rt_container *c, struct berth_error **err)
{
	if (kill_all(c, SIGKILL, err) < 0) {
		if ((*err)->code != ESRCH)
			return -1;
		berth_error_free(err);
		return 0;
	}
	int fd = (int)syscall(SYS_pidfd_open, c->state.pid, 0);
	if (fd < 0)
		return 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;
	do
		r = poll(&pfd, 1, 10000);
	while (r < 0 && errno == EINTR);
	close(fd);
	/* a zombie (not reaped by its parent yet) counts as stopped */
	if (r == 0 && rt_proc_alive(c->state.pid, c->state.pid_start))
		return berth_error_set(err, ETIMEDOUT, "container \"%s\": init %d did not die",
				       c->id, c->state.pid);
	return 0;
}

int rt_delete(const struct rt_globals *g, const char *id, bool force, struct berth_error **err)
{
	struct rt_container *c = NULL;
	if (rt_container_open(g->root, id, &c, err) < 0) {
		/* like runc: forcing the delete of a container that is gone is not an error */
		if (force && (*err)->code == ENOENT) {
			berth_error_free(err);
			return 0;
		}
		return -1;
	}
	int ret = -1;
	enum rt_status st = rt_container_status(c);
	if ((st == RT_RUNNING || st == RT_PAUSED) && !force) {
		berth_error_set(err, EBUSY,
				"cannot delete container \"%s\": it is %s (stop it first or use "
				"--force)",
				id, rt_status_name(st));
		goto out;
	}
	if (st != RT_STOPPED && kill_and_wait(c, err) < 0)
		goto out;
	if (rt_cgroup_remove(c, err) < 0)
		goto out;
	struct berth_error *hook_err = NULL;
	if (run_hooks_of(c, OCI_HOOK_POSTSTOP, "stopped", &hook_err) < 0) {
		/* poststop failures are logged, the delete goes on (runtime-spec) */
		log_warn("%s", hook_err->msg);
		berth_error_free(&hook_err);
	}
	log_debug("delete %s: removing %s", id, c->dir);
	ret = rt_container_destroy(c, err);
out:
	rt_container_free(c);
	return ret;
}
