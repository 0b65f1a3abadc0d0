/* `create`: the parent side. Forks stage 1, which joins and creates the
 * namespaces and clones the container's init as our child (CLONE_PARENT);
 * then serves init's requests (id maps, hooks, console fd) until it reports
 * READY, and records the state. On any failure everything is undone. */
#include "runtime/create-internal.h"
#include "runtime/container-cgroup.h"
#include "runtime/hooks.h"
#include "runtime/ns.h"
#include "runtime/process-attrs.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct create_run {
	struct init_ctx ctx;
	struct oci_spec *spec;
	struct rt_container *c;
	char *bundle, *rootfs;
	int *ns_fds;
	int console; /* connected console socket or -1 */
	int parent_sock;
	pid_t stage1, init;
	struct seccomp_program *seccomp;
	struct rt_cgroup cg;
	bool systemd_cgroup; /* --systemd-cgroup */
};

static void stage1_fail(int sock, struct berth_error *err)
{
	struct berth_error *e2 = NULL;
	sync_send(sock, SYNC_ERROR, err->code, err->msg, -1, &e2);
	_exit(1);
}

__attribute__((noreturn)) static void stage1_main(struct create_run *r)
{
	struct berth_error *err = NULL;
	const struct oci_spec *spec = r->spec;
	int sock = r->ctx.sync;
	/* the state lock (an flock on this open file) stays with the parent only */
	close(r->c->dirfd);
	if (r->console >= 0)
		close(r->console);
	if (ns_join(spec->namespaces, spec->n_namespaces, r->ns_fds, &err) < 0)
		stage1_fail(sock, err);
	if (ns_new_user(spec)) {
		struct sync_msg m = {.fd = -1};
		if (unshare(CLONE_NEWUSER) < 0)
			stage1_fail(sock, (berth_error_errno(&err, "unshare user namespace"), err));
		if (sync_send(sock, SYNC_USERMAP_REQ, 0, NULL, -1, &err) < 0 ||
		    sync_expect(sock, SYNC_USERMAP_ACK, &m, &err) < 0)
			_exit(1);
		sync_msg_clear(&m);
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			stage1_fail(
			    sock,
			    (berth_error_errno(&err, "become root in the user namespace"), err));
	}
	int flags = ns_new_flags(spec) & ~CLONE_NEWCGROUP;
	if (flags && unshare(flags) < 0)
		stage1_fail(
		    sock, (berth_error_errno(&err, "unshare namespaces (flags 0x%x)", flags), err));
	if (ns_write_time_offsets(spec, &err) < 0)
		stage1_fail(sock, err);
	long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		stage1_fail(sock, (berth_error_errno(&err, "clone container init"), err));
	if (pid == 0)
		init_main(&r->ctx);
	if (sync_send(sock, SYNC_PID, (int32_t)pid, NULL, -1, &err) < 0)
		_exit(1);
	_exit(0);
}

static int resolve_paths(struct create_run *r, const char *bundle, struct berth_error **err)
{
	char buf[PATH_MAX];
	if (realpath(bundle, buf) == NULL)
		return berth_error_errno(err, "bundle %s", bundle);
	r->bundle = xstrdup(buf);
	cleanup_free char *root = r->spec->root_path[0] == '/'
				      ? xstrdup(r->spec->root_path)
				      : xasprintf("%s/%s", r->bundle, r->spec->root_path);
	if (realpath(root, buf) == NULL)
		return berth_error_errno(err, "root.path %s", root);
	struct stat st;
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		return berth_error_set(err, ENOTDIR, "root.path %s: not a directory", buf);
	r->rootfs = xstrdup(buf);
	return 0;
}

/* Only namespaced sysctls may be set, and only when the container has the
 * namespace: anything else would change the host. */
static int check_sysctls(const struct oci_spec *spec, struct berth_error **err)
{
	static const char *const ipc_keys[] = {
	    "kernel.msgmax", "kernel.msgmnb",	       "kernel.msgmni",
	    "kernel.sem",    "kernel.shmall",	       "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
	for (size_t i = 0; i < spec->n_sysctl; i++) {
		const char *k = spec->sysctl[i].key;
		int ns = 0;
		for (const char *const *p = ipc_keys; *p && !ns; p++)
			if (strcmp(k, *p) == 0)
				ns = CLONE_NEWIPC;
		if (strncmp(k, "fs.mqueue.", 10) == 0)
			ns = CLONE_NEWIPC;
		else if (strncmp(k, "net.", 4) == 0)
			ns = CLONE_NEWNET;
		else if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
			ns = CLONE_NEWUTS;
		if (ns == 0)
			return berth_error_set(
			    err, EINVAL,
			    "linux.sysctl.%s: not a namespaced sysctl, it would change "
			    "the host",
			    k);
		if (oci_spec_namespace(spec, ns) == NULL)
			return berth_error_set(
			    err, EINVAL,
			    "linux.sysctl.%s: needs a %s namespace in linux.namespaces", k,
			    oci_namespace_name(ns));
	}
	return 0;
}

static int check_spec(const struct rt_globals *g, const struct rt_create_opts *o,
		      const struct oci_spec *spec, struct berth_error **err)
{
	if (g->systemd_cgroup && cgroup_systemd_check(spec->cgroups_path, o->id, err) < 0)
		return -1;
	if (spec->process == NULL)
		return berth_error_set(err, EINVAL, "process: required to create a container");
	const struct oci_namespace *mnt = oci_spec_namespace(spec, CLONE_NEWNS);
	if (mnt == NULL || mnt->path)
		return berth_error_set(
		    err, EINVAL,
		    "linux.namespaces: berth-runtime needs a new mount namespace "
		    "(type \"mount\" without a path)");
	if (spec->process->terminal && o->console_socket == NULL && o->console_fd < 0)
		return berth_error_set(err, EINVAL,
				       "process.terminal is true: --console-socket is required");
	if (!spec->process->terminal && (o->console_socket || o->console_fd >= 0))
		return berth_error_set(err, EINVAL,
				       "--console-socket given but process.terminal is false");
	if (check_sysctls(spec, err) < 0)
		return -1;
	if (process_attrs_check(spec, err) < 0)
		return -1;
	return 0;
}

static char *state_for_hooks(struct create_run *r, const char *status)
{
	return hooks_state_json(r->c->id, status, r->init, r->bundle, r->spec->annotations);
}

/* Serve init until READY. */
static int serve_init(struct create_run *r, struct berth_error **err)
{
	for (;;) {
		struct sync_msg m = {.fd = -1};
		if (sync_recv(r->parent_sock, &m, err) < 0)
			return -1;
		switch (m.type) {
		case SYNC_HOOKS_REQ: {
			cleanup_free char *state = state_for_hooks(r, "creating");
			if (hooks_run(r->spec, OCI_HOOK_PRESTART, state, err) < 0 ||
			    hooks_run(r->spec, OCI_HOOK_CREATE_RUNTIME, state, err) < 0) {
				sync_msg_clear(&m);
				return -1;
			}
			/* the ack carries init's pid as the host sees it, for createContainer */
			if (sync_send(r->parent_sock, SYNC_HOOKS_ACK, r->init, NULL, -1, err) < 0)
				return -1;
			break;
		}
		case SYNC_CONSOLE:
			if (m.fd < 0 || sync_send_fd(r->console, m.fd, "/dev/ptmx", err) < 0) {
				sync_msg_clear(&m);
				return berth_error_wrap(err,
							"send the pty master to --console-socket");
			}
			break;
		case SYNC_SECCOMP: {
			cleanup_free char *state = state_for_hooks(r, "creating");
			int rc = m.fd < 0 ? berth_error_set(err, EPROTO, "seccomp: no listener fd")
					  : seccomp_send_notify(r->seccomp, state, m.fd, err);
			sync_msg_clear(&m);
			if (rc < 0)
				return -1;
			continue;
		}
		case SYNC_READY:
			return 0;
		case SYNC_ERROR:
			berth_error_set(err, m.value, "%s",
					m.text ? m.text : "container init failed");
			sync_msg_clear(&m);
			return -1;
		default:
			sync_msg_clear(&m);
			return berth_error_set(err, EPROTO, "unexpected sync message %d", m.type);
		}
		sync_msg_clear(&m);
	}
}

/* Joining namespaces by path, or a time namespace (whose offsets must be
 * written before any process enters it), takes stage 1. */
static bool needs_stage1(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->n_namespaces; i++)
		if (spec->namespaces[i].path)
			return true;
	return oci_spec_namespace(spec, CLONE_NEWTIME) != NULL;
}

/* The fast path: one clone with every new namespace makes init directly. */
static int clone_init(struct create_run *r, int sp[2], struct berth_error **err)
{
	bool user = ns_new_user(r->spec);
	int flags = (ns_new_flags(r->spec) & ~CLONE_NEWCGROUP) | (user ? CLONE_NEWUSER : 0);
	long pid = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		return berth_error_errno(err, "clone container init (namespace flags 0x%x)", flags);
	if (pid == 0) {
		close(sp[0]);
		close(r->c->dirfd);
		if (r->console >= 0)
			close(r->console);
		init_main(&r->ctx);
	}
	close(sp[1]);
	r->ctx.sync = -1;
	r->init = (pid_t)pid;
	if (user && ns_write_id_maps(r->init, r->spec, err) < 0)
		return -1;
	return 0;
}

static int start_processes(struct create_run *r, struct berth_error **err)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return berth_error_errno(err, "socketpair");
	r->parent_sock = sp[0];
	r->ctx.sync = sp[1];
	if (!needs_stage1(r->spec)) {
		if (clone_init(r, sp, err) < 0)
			return -1;
		goto go;
	}
	r->stage1 = fork();
	if (r->stage1 < 0)
		return berth_error_errno(err, "fork");
	if (r->stage1 == 0) {
		close(sp[0]);
		stage1_main(r);
	}
	close(sp[1]);
	r->ctx.sync = -1;
	for (;;) {
		struct sync_msg m = {.fd = -1};
		if (sync_recv(r->parent_sock, &m, err) < 0)
			return -1;
		if (m.type == SYNC_USERMAP_REQ) {
			sync_msg_clear(&m);
			if (ns_write_id_maps(r->stage1, r->spec, err) < 0 ||
			    sync_send(r->parent_sock, SYNC_USERMAP_ACK, 0, NULL, -1, err) < 0)
				return -1;
			continue;
		}
		if (m.type == SYNC_ERROR) {
			berth_error_set(err, m.value, "%s", m.text ? m.text : "stage 1 failed");
			sync_msg_clear(&m);
			return -1;
		}
		if (m.type != SYNC_PID)
			return berth_error_set(err, EPROTO, "unexpected sync message %d", m.type);
		r->init = m.value;
		break;
	}
	while (waitpid(r->stage1, NULL, 0) < 0 && errno == EINTR)
		;
	r->stage1 = 0;
go:
	/* Init prepares the mounts that do not depend on its cgroup while we set
	 * the cgroup up; it waits for PLACED before the cgroup namespace, cgroup
	 * mounts, /dev, hooks and anything of the container's. */
	if (sync_send(r->parent_sock, SYNC_GO, 0, NULL, -1, err) < 0 ||
	    rt_cgroup_setup(r->c, r->spec, r->systemd_cgroup, r->init, &r->cg, err) < 0)
		return -1;
	if (sync_send(r->parent_sock, SYNC_PLACED, 0, NULL, -1, err) < 0) {
		/* init failed meanwhile: its message is what to report */
		struct sync_msg m = {.fd = -1};
		struct berth_error *e2 = NULL;
		if (sync_recv(r->parent_sock, &m, &e2) == 0 && m.type == SYNC_ERROR && m.text) {
			berth_error_free(err);
			berth_error_set(err, m.value, "%s", m.text);
		}
		berth_error_free(&e2);
		sync_msg_clear(&m);
		return -1;
	}
	return serve_init(r, err);
}

static int write_pid_file(const char *path, pid_t pid, struct berth_error **err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *name = path;
	if (slash) {
		*slash = '\0';
		name = slash + 1;
	}
	cleanup_close int dfd =
	    open(slash ? (*dir ? dir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "--pid-file %s: open directory", path);
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", pid);
	if (fs_write_file_atomic(dfd, name, buf, (size_t)n, 0644, false, err) < 0)
		return berth_error_wrap(err, "--pid-file %s", path);
	return 0;
}

static void undo(struct create_run *r)
{
	if (r->init > 0) {
		kill(r->init, SIGKILL);
		while (waitpid(r->init, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (r->stage1 > 0) {
		kill(r->stage1, SIGKILL);
		while (waitpid(r->stage1, NULL, 0) < 0 && errno == EINTR)
			;
	}
	rt_cgroup_undo(&r->cg);
	if (r->c) {
		struct berth_error *e = NULL;
		if (rt_container_destroy(r->c, &e) < 0) {
			log_warn("%s", e->msg);
			berth_error_free(&e);
		}
	}
}

static void create_run_free(struct create_run *r)
{
	if (r->ns_fds) {
		for (size_t i = 0; i < r->spec->n_namespaces; i++)
			if (r->ns_fds[i] >= 0)
				close(r->ns_fds[i]);
		free(r->ns_fds);
	}
	if (r->ctx.fifo >= 0)
		close(r->ctx.fifo);
	if (r->parent_sock >= 0)
		close(r->parent_sock);
	if (r->console >= 0)
		close(r->console);
	rt_container_free(r->c);
	rt_cgroup_close(&r->cg);
	seccomp_program_free(r->seccomp);
	oci_spec_free(r->spec);
	free(r->bundle);
	free(r->rootfs);
}

static int prepare_state(struct create_run *r, const struct rt_globals *g, const char *id,
			 struct berth_error **err)
{
	if (rt_container_new(g->root, id, &r->c, err) < 0)
		return -1;
	struct rt_state *s = &r->c->state;
	s->bundle = xstrdup(r->bundle);
	s->rootfs = xstrdup(r->rootfs);
	s->created = rt_now_rfc3339();
	s->saved_status = RT_CREATING;
	s->annotations = json_incref(r->spec->annotations);
	cleanup_free char *cfg = json_dumps(r->spec->raw, JSON_COMPACT);
	if (fs_write_file_atomic(r->c->dirfd, "config.json", cfg, strlen(cfg), 0600, false, err) <
		0 ||
	    rt_container_save(r->c, err) < 0)
		return -1;
	if (mkfifoat(r->c->dirfd, "exec.fifo", 0600) < 0)
		return berth_error_errno(err, "create %s/exec.fifo", r->c->dir);
	r->ctx.fifo = openat(r->c->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r->ctx.fifo < 0)
		return berth_error_errno(err, "open %s/exec.fifo", r->c->dir);
	return 0;
}

static int do_create(struct create_run *r, const struct rt_globals *g,
		     const struct rt_create_opts *o, struct berth_error **err)
{
	if (rt_id_validate(o->id, err) < 0 || oci_spec_load(o->bundle, &r->spec, err) < 0 ||
	    check_spec(g, o, r->spec, err) < 0 || resolve_paths(r, o->bundle, err) < 0 ||
	    rt_seccomp_for_spec(g, r->spec, &r->seccomp, err) < 0)
		return -1;
	r->ns_fds = xcalloc(r->spec->n_namespaces + 1, sizeof(int));
	if (ns_open_paths(r->spec, r->ns_fds, err) < 0) {
		free(r->ns_fds);
		r->ns_fds = NULL;
		return -1;
	}
	if (o->console_fd >= 0) {
		r->console = dup(o->console_fd);
	} else if (o->console_socket) {
		r->console = terminal_connect_socket(o->console_socket, err);
		if (r->console < 0)
			return -1;
	}
	r->ctx = (struct init_ctx){.spec = r->spec,
				   .opts = o,
				   .rootfs = r->rootfs,
				   .bundle = r->bundle,
				   .sync = -1,
				   .fifo = -1,
				   .ns_fds = r->ns_fds,
				   .seccomp = r->seccomp};
	r->systemd_cgroup = g->systemd_cgroup;
	log_debug("create %s: bundle %s, rootfs %s", o->id, r->bundle, r->rootfs);
	if (prepare_state(r, g, o->id, err) < 0 || start_processes(r, err) < 0)
		return -1;
	log_debug("create %s: init pid %d is waiting for start", o->id, r->init);
	r->c->state.pid = r->init;
	r->c->state.pid_start = rt_proc_start_time(r->init);
	r->c->state.saved_status = RT_CREATED;
	if (rt_container_save(r->c, err) < 0)
		return -1;
	if (o->pid_file && write_pid_file(o->pid_file, r->init, err) < 0)
		return -1;
	return 0;
}

int rt_create(const struct rt_globals *g, const struct rt_create_opts *o, pid_t *pid,
	      struct berth_error **err)
{
	struct create_run r = {.console = -1, .parent_sock = -1, .ctx = {.fifo = -1, .sync = -1}};
	int ret = do_create(&r, g, o, err);
	if (ret < 0) {
		undo(&r);
	} else if (pid) {
		*pid = r.init;
	}
	create_run_free(&r);
	return ret;
}
