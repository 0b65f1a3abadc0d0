/* `exec`: a new process in a running container. The runtime forks a helper
 * that setns()es into every namespace of the container's init and clones the
 * process as our child (CLONE_PARENT); the parent places it in the cgroup,
 * relays the console fd, and learns that execve happened when the
 * close-on-exec sync socket reaches EOF (or gets the error). */
#include "runtime/create-internal.h"
#include "runtime/exec.h"
#include "runtime/hooks.h"
#include "runtime/foreground.h"
#include "runtime/ns.h"
#include "runtime/process.h"
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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct exec_run {
	const struct rt_exec_opts *o;
	struct rt_container *c;
	struct oci_spec *spec; /* the container's config */
	struct oci_namespace *ns;
	int *ns_fds;
	size_t n_ns;
	int sock, child_sock;
	int console; /* console socket (-1: none) */
	pid_t helper, pid;
	struct seccomp_program *seccomp;
};

static int load_spec(struct exec_run *r, struct berth_error **err)
{
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file_at(r->c->dirfd, "config.json", &data, &len, err) < 0)
		return -1;
	return oci_spec_parse(data, len, &r->spec, err);
}

/* The namespaces of init that are not already ours. */
static int open_namespaces(struct exec_run *r, struct berth_error **err)
{
	const struct oci_spec *s = r->spec;
	r->ns = xcalloc(s->n_namespaces + 1, sizeof(*r->ns));
	r->ns_fds = xcalloc(s->n_namespaces + 1, sizeof(int));
	for (size_t i = 0; i < s->n_namespaces; i++) {
		int type = s->namespaces[i].type;
		const char *name = ns_proc_name(type);
		char path[64], self[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", r->c->state.pid, name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", name);
		struct stat a, b;
		if (stat(path, &a) < 0)
			return berth_error_errno(err, "exec in %s: %s", r->c->id, path);
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return berth_error_errno(err, "exec in %s: open %s", r->c->id, path);
		r->ns[r->n_ns] = (struct oci_namespace){.type = type, .path = xstrdup(path)};
		r->ns_fds[r->n_ns++] = fd;
	}
	return 0;
}

static void child_fail(int sock, struct berth_error *err)
{
	struct berth_error *e2 = NULL;
	sync_send(sock, SYNC_ERROR, err->code, err->msg, -1, &e2);
	_exit(127);
}

__attribute__((noreturn)) static void exec_child(struct exec_run *r)
{
	struct berth_error *err = NULL;
	const struct oci_process *p = r->o->process;
	int sock = r->child_sock;
	struct sync_msg m = {.fd = -1};
	if (sync_expect(sock, SYNC_GO, &m, &err) < 0)
		_exit(127);
	sync_msg_clear(&m);
	bool userns = oci_spec_namespace(r->spec, CLONE_NEWUSER) != NULL;
	if (userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		child_fail(sock,
			   (berth_error_errno(&err, "become root in the user namespace"), err));
	if (p->terminal) {
		int master = -1;
		cleanup_free char *slave = NULL;
		if (terminal_open(p, &master, &slave, &err) < 0 ||
		    sync_send(sock, SYNC_CONSOLE, 0, NULL, master, &err) < 0 ||
		    terminal_become_controlled(slave, &err) < 0)
			child_fail(sock, err);
		close(master);
	}
	if (!p->no_new_privileges && init_load_seccomp(r->seccomp, sock, &err) < 0)
		child_fail(sock, err);
	struct process_exec pe = {0};
	if (process_prepare(p, userns, &pe, &err) < 0)
		child_fail(sock, err);
	if (p->no_new_privileges && init_load_seccomp(r->seccomp, sock, &err) < 0)
		child_fail(sock, err);
	process_exec(&pe, p, r->o->preserve_fds);
	child_fail(sock, (berth_error_errno(&err, "exec %s", pe.exe), err));
	_exit(127);
}

/* Joins the namespaces, then clones the process (our parent's child). */
__attribute__((noreturn)) static void exec_helper(struct exec_run *r)
{
	struct berth_error *err = NULL;
	close(r->sock);
	close(r->c->dirfd);
	if (r->console >= 0)
		close(r->console);
	if (process_attrs_exec_initial(r->o->process, &err) < 0 ||
	    ns_join(r->ns, r->n_ns, r->ns_fds, &err) < 0)
		child_fail(r->child_sock, err);
	long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		child_fail(r->child_sock, (berth_error_errno(&err, "clone exec process"), err));
	if (pid == 0)
		exec_child(r);
	if (sync_send(r->child_sock, SYNC_PID, (int32_t)pid, NULL, -1, &err) < 0)
		_exit(1);
	_exit(0);
}

/* Until EOF (execve done) or an error. */
static int serve(struct exec_run *r, struct berth_error **err)
{
	for (;;) {
		struct sync_msg m = {.fd = -1};
		if (sync_recv(r->sock, &m, err) < 0) {
			if ((*err)->code == EPIPE) {
				berth_error_free(err);
				return 0;
			}
			return -1;
		}
		if (m.type == SYNC_CONSOLE && m.fd >= 0) {
			int rc = sync_send_fd(r->console, m.fd, "/dev/ptmx", err);
			sync_msg_clear(&m);
			if (rc < 0)
				return berth_error_wrap(
				    err, "send the pty master to the console socket");
			continue;
		}
		if (m.type == SYNC_SECCOMP && m.fd >= 0) {
			cleanup_free char *state =
			    hooks_state_json(r->c->id, "running", r->c->state.pid,
					     r->c->state.bundle, r->c->state.annotations);
			int rc = seccomp_send_notify_pid(r->seccomp, state, r->pid, m.fd, err);
			sync_msg_clear(&m);
			if (rc < 0)
				return -1;
			continue;
		}
		if (m.type == SYNC_ERROR) {
			berth_error_set(err, m.value, "%s", m.text ? m.text : "exec failed");
			sync_msg_clear(&m);
			return -1;
		}
		sync_msg_clear(&m);
		return berth_error_set(err, EPROTO, "unexpected sync message %d", m.type);
	}
}

static int spawn(struct exec_run *r, struct berth_error **err)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return berth_error_errno(err, "socketpair");
	r->sock = sp[0];
	r->child_sock = sp[1];
	r->helper = fork();
	if (r->helper < 0)
		return berth_error_errno(err, "fork");
	if (r->helper == 0)
		exec_helper(r);
	close(sp[1]);
	r->child_sock = -1;
	struct sync_msg m = {.fd = -1};
	int rc = sync_expect(r->sock, SYNC_PID, &m, err);
	while (waitpid(r->helper, NULL, 0) < 0 && errno == EINTR)
		;
	r->helper = 0;
	if (rc < 0)
		return -1;
	r->pid = m.value;
	sync_msg_clear(&m);
	if (rt_exec_join_cgroup(r->c, r->pid, err) < 0 ||
	    process_attrs_exec_final(r->o->process, r->pid, err) < 0 ||
	    sync_send(r->sock, SYNC_GO, 0, NULL, -1, err) < 0)
		return -1;
	/* Placed and released: the lock is not needed while it sets up, and
	 * holding it would deadlock `resume` when exec --ignore-paused put the
	 * process into a frozen cgroup. */
	rt_container_unlock(r->c);
	return serve(r, err);
}

static int write_pid_file(const char *path, pid_t pid, struct berth_error **err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", pid);
	cleanup_free char *tmp = xasprintf("%s.tmp", path);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || fs_write_all(fd, buf, (size_t)n) < 0 || rename(tmp, path) < 0)
		return berth_error_errno(err, "--pid-file %s", path);
	return 0;
}

static void exec_run_free(struct exec_run *r)
{
	for (size_t i = 0; i < r->n_ns; i++) {
		close(r->ns_fds[i]);
		free(r->ns[i].path);
	}
	free(r->ns);
	free(r->ns_fds);
	if (r->sock >= 0)
		close(r->sock);
	if (r->console >= 0)
		close(r->console);
	seccomp_program_free(r->seccomp);
	oci_spec_free(r->spec);
	rt_container_free(r->c);
}

static int check_running(struct exec_run *r, struct berth_error **err)
{
	enum rt_status st = rt_container_status(r->c);
	if (st == RT_PAUSED && !r->o->ignore_paused)
		return berth_error_set(
		    err, EINVAL,
		    "cannot exec in container \"%s\": it is paused (resume it, or "
		    "--ignore-paused)",
		    r->c->id);
	if (st != RT_RUNNING && st != RT_CREATED && st != RT_PAUSED)
		return berth_error_set(err, EINVAL, "cannot exec in container \"%s\": it is %s",
				       r->c->id, rt_status_name(st));
	return 0;
}

int rt_exec(const struct rt_globals *g, const struct rt_exec_opts *o, int *code,
	    struct berth_error **err)
{
	struct exec_run r = {.o = o, .sock = -1, .child_sock = -1, .console = -1};
	bool relay = o->process->terminal && !o->detach && o->console_socket == NULL;
	int relay_sp[2] = {-1, -1};
	sigset_t all, old;
	int ret = -1, master = -1;
	*code = 0;
	if (o->process->terminal && o->detach && o->console_socket == NULL)
		return berth_error_set(err, EINVAL, "exec -t -d needs --console-socket");
	if (!o->process->terminal && o->console_socket)
		return berth_error_set(err, EINVAL, "--console-socket given without --tty");
	if (process_attrs_check_process(o->process, &process_attrs_real_host, err) < 0 ||
	    rt_container_open(g->root, o->id, &r.c, err) < 0)
		return -1;
	fg_block_signals(&all, &old);
	if (check_running(&r, err) < 0 || load_spec(&r, err) < 0 || open_namespaces(&r, err) < 0 ||
	    rt_seccomp_for_spec(g, r.spec, &r.seccomp, err) < 0)
		goto out;
	if (relay) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, relay_sp) < 0) {
			berth_error_errno(err, "socketpair");
			goto out;
		}
		r.console = relay_sp[1];
	} else if (o->console_socket) {
		r.console = terminal_connect_socket(o->console_socket, err);
		if (r.console < 0)
			goto out;
	}
	if (spawn(&r, err) < 0)
		goto fail;
	log_debug("exec %s: pid %d", o->id, r.pid);
	if (relay && (master = fg_recv_master(relay_sp[0], err)) < 0)
		goto fail;
	if (o->pid_file && write_pid_file(o->pid_file, r.pid, err) < 0)
		goto fail;
	/* the container lock is not held while the process runs */
	rt_container_free(r.c);
	r.c = NULL;
	ret = o->detach ? 0 : fg_wait(r.pid, master, &all, code, err);
	goto out;
fail:
	if (r.pid > 0) {
		kill(r.pid, SIGKILL);
		while (waitpid(r.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
out:
	if (master >= 0)
		close(master);
	if (relay_sp[0] >= 0)
		close(relay_sp[0]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	exec_run_free(&r);
	return ret;
}

int rt_exec_base_process(const struct rt_globals *g, const char *id, struct oci_process **out,
			 struct berth_error **err)
{
	struct exec_run r = {.sock = -1, .console = -1};
	if (rt_container_open(g->root, id, &r.c, err) < 0)
		return -1;
	int ret = load_spec(&r, err);
	if (ret == 0 && r.spec->process == NULL)
		ret = berth_error_set(err, EINVAL, "container \"%s\" has no process", id);
	if (ret == 0) {
		*out = r.spec->process;
		r.spec->process = NULL;
	}
	exec_run_free(&r);
	return ret;
}
