/* The container's init process: everything between the new namespaces and
 * the execve of the user's program. Runs as a child of the runtime; reports
 * failures over the sync socket so that `create` fails with the message. */
#include "runtime/create-internal.h"
#include "runtime/hooks.h"
#include "runtime/mount.h"
#include "runtime/ns.h"
#include "runtime/process.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

void init_fail(const struct init_ctx *ctx, struct berth_error *err)
{
	struct berth_error *e2 = NULL;
	if (ctx->sync >= 0)
		sync_send(ctx->sync, SYNC_ERROR, err ? err->code : EIO,
			  err ? err->msg : "container init failed", -1, &e2);
	else
		log_error("%s", err ? err->msg : "container init failed");
	_exit(1);
}

static int set_names(const struct oci_spec *spec, struct berth_error **err)
{
	bool new_uts = false;
	const struct oci_namespace *uts = oci_spec_namespace(spec, CLONE_NEWUTS);
	new_uts = uts != NULL;
	if ((spec->hostname || spec->domainname) && !new_uts)
		return berth_error_set(err, EINVAL,
				       "hostname: setting the hostname needs a uts namespace in "
				       "linux.namespaces");
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return berth_error_errno(err, "hostname: sethostname \"%s\"", spec->hostname);
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return berth_error_errno(err, "domainname: setdomainname \"%s\"", spec->domainname);
	return 0;
}

static int set_sysctls(const struct oci_spec *spec, struct berth_error **err)
{
	for (size_t i = 0; i < spec->n_sysctl; i++) {
		cleanup_free char *path = xasprintf("/proc/sys/%s", spec->sysctl[i].key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		if (fs_write_string(path, spec->sysctl[i].value, err) < 0)
			return berth_error_wrap(err, "linux.sysctl.%s", spec->sysctl[i].key);
	}
	return 0;
}

static void setup_terminal(const struct init_ctx *ctx, struct berth_error **err)
{
	int master = -1;
	cleanup_free char *slave = NULL;
	if (terminal_open(ctx->spec->process, &master, &slave, err) < 0)
		init_fail(ctx, *err);
	if (sync_send(ctx->sync, SYNC_CONSOLE, 0, NULL, master, err) < 0)
		init_fail(ctx, *err);
	close(master);
	if (dev_setup_console(slave, err) < 0 || terminal_become_controlled(slave, err) < 0)
		init_fail(ctx, *err);
}

/* Block until `start` writes to exec.fifo. */
static void wait_for_start(const struct init_ctx *ctx)
{
	for (;;) {
		struct pollfd pfd = {.fd = ctx->fifo, .events = POLLIN};
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		char c;
		ssize_t r = read(ctx->fifo, &c, 1);
		if (r == 1)
			return;
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* a writer came and went without a byte: keep waiting */
		if (r == 0)
			usleep(1000);
	}
}

static void setup_container(struct init_ctx *ctx, const struct mount_ctx *mctx,
			    struct berth_error **err)
{
	const struct oci_spec *spec = ctx->spec;
	if (mount_setup_rootfs(mctx, err) < 0)
		init_fail(ctx, *err);
	struct sync_msg msg = {.fd = -1};
	if (sync_send(ctx->sync, SYNC_HOOKS_REQ, 0, NULL, -1, err) < 0 ||
	    sync_expect(ctx->sync, SYNC_HOOKS_ACK, &msg, err) < 0)
		init_fail(ctx, *err);
	pid_t host_pid = ctx->host_pid = msg.value;
	sync_msg_clear(&msg);
	if (spec->hooks[OCI_HOOK_CREATE_CONTAINER].n) {
		cleanup_free char *state = hooks_state_json(ctx->opts->id, "creating", host_pid,
							    ctx->bundle, spec->annotations);
		if (hooks_run(spec, OCI_HOOK_CREATE_CONTAINER, state, err) < 0)
			init_fail(ctx, *err);
	}
	if (mount_enter_rootfs(mctx, ctx->opts->no_pivot, err) < 0)
		init_fail(ctx, *err);
	if (spec->process->terminal)
		setup_terminal(ctx, err);
	if (set_names(spec, err) < 0 || set_sysctls(spec, err) < 0 ||
	    mount_mask_paths(spec, err) < 0 || mount_finalize_root(spec, err) < 0)
		init_fail(ctx, *err);
}

/* The parent places us in the cgroup while we set up the mounts that do not
 * depend on it; the cgroup namespace, cgroup mounts and /dev wait for it. */
static int wait_placed(void *data, struct berth_error **err)
{
	struct init_ctx *ctx = data;
	if (ctx->placed)
		return 0;
	struct sync_msg msg = {.fd = -1};
	if (sync_expect(ctx->sync, SYNC_PLACED, &msg, err) < 0)
		return -1;
	sync_msg_clear(&msg);
	ctx->placed = true;
	/* rooted at the container's cgroup */
	const struct oci_namespace *cg = oci_spec_namespace(ctx->spec, CLONE_NEWCGROUP);
	if (cg && cg->path == NULL && unshare(CLONE_NEWCGROUP) < 0)
		return berth_error_errno(err, "unshare cgroup namespace");
	return 0;
}

void init_main(struct init_ctx *ctx)
{
	struct berth_error *err = NULL;
	const struct oci_spec *spec = ctx->spec;
	const struct oci_process *proc = spec->process;
	struct sync_msg msg = {.fd = -1};
	if (sync_expect(ctx->sync, SYNC_GO, &msg, &err) < 0)
		_exit(1);
	sync_msg_clear(&msg);
	/* In a new user namespace the parent has written our id maps by now. */
	if (ns_new_user(spec) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		init_fail(ctx, (berth_error_errno(&err, "become root in the user namespace"), err));
	const struct oci_namespace *cg = oci_spec_namespace(spec, CLONE_NEWCGROUP);
	if (!proc->terminal && setsid() < 0 && errno != EPERM)
		init_fail(ctx, (berth_error_errno(&err, "setsid"), err));
	struct mount_ctx mctx = {.spec = spec,
				 .rootfs = ctx->rootfs,
				 .userns = oci_spec_namespace(spec, CLONE_NEWUSER) != NULL,
				 .new_cgroupns = cg != NULL,
				 .placed = wait_placed,
				 .placed_data = ctx};
	setup_container(ctx, &mctx, &err);
	if (!ctx->opts->no_new_keyring &&
	    syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ctx->opts->id) < 0)
		log_debug("join session keyring: %s", strerror(errno));
	/* Without no_new_privs loading a filter needs CAP_SYS_ADMIN: before the
	 * capabilities are dropped. With it, as late as possible (runc's order). */
	if (!proc->no_new_privileges && init_load_seccomp(ctx->seccomp, ctx->sync, &err) < 0)
		init_fail(ctx, err);
	struct process_exec pe = {0};
	if (process_prepare(proc, mctx.userns, &pe, &err) < 0)
		init_fail(ctx, err);
	if (proc->no_new_privileges && init_load_seccomp(ctx->seccomp, ctx->sync, &err) < 0)
		init_fail(ctx, err);
	if (sync_send(ctx->sync, SYNC_READY, 0, NULL, -1, &err) < 0)
		_exit(1);
	close(ctx->sync);
	wait_for_start(ctx);
	if (spec->hooks[OCI_HOOK_START_CONTAINER].n) {
		cleanup_free char *state = hooks_state_json(ctx->opts->id, "running", ctx->host_pid,
							    ctx->bundle, spec->annotations);
		if (hooks_run(spec, OCI_HOOK_START_CONTAINER, state, &err) < 0) {
			dprintf(STDERR_FILENO, "berth-runtime: %s\n", err->msg);
			_exit(127);
		}
	}
	process_exec(&pe, proc, ctx->opts->preserve_fds);
	dprintf(STDERR_FILENO, "berth-runtime: exec %s: %s\n", pe.exe, strerror(errno));
	_exit(127);
}
