/* `run`: create + start, then (unless detached) stay in the foreground:
 * forward signals to the container, relay its terminal when we own the pty,
 * reap it, delete it and report its exit code. */
#include "runtime/foreground.h"
#include "runtime/runtime.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int rt_run(const struct rt_globals *g, const struct rt_run_opts *o, int *code,
	   struct berth_error **err)
{
	struct rt_create_opts co = o->create;
	cleanup_close int relay_sock = -1;
	bool relay = false;
	*code = 0;
	/* A terminal without --console-socket: we own the pty and relay it. */
	if (!o->detach && co.console_socket == NULL && co.console_fd < 0) {
		cleanup_free char *path = xasprintf("%s/config.json", co.bundle);
		cleanup_json json_t *j = json_load_file(path, 0, NULL);
		/* create validates the file; here we only need to know who owns the pty */
		relay = json_is_true(json_object_get(json_object_get(j, "process"), "terminal"));
	}
	int sp[2] = {-1, -1};
	if (relay) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
			return berth_error_errno(err, "socketpair");
		co.console_fd = sp[1];
		relay_sock = sp[0];
	}
	sigset_t all, old;
	fg_block_signals(&all, &old);
	pid_t pid;
	int master = -1;
	int ret = rt_create(g, &co, &pid, err);
	if (sp[1] >= 0)
		close(sp[1]);
	if (ret < 0)
		goto out;
	if (relay && (master = fg_recv_master(relay_sock, err)) < 0)
		goto fail_delete;
	if (rt_start(g, co.id, err) < 0)
		goto fail_delete;
	if (o->detach)
		goto out;
	if (fg_wait(pid, master, &all, code, err) < 0)
		goto fail_delete;
	if (master >= 0)
		close(master);
	ret = rt_delete(g, co.id, true, err);
	goto out;
fail_delete:
	if (master >= 0)
		close(master);
	{
		struct berth_error *e2 = NULL;
		if (rt_delete(g, co.id, true, &e2) < 0)
			berth_error_free(&e2);
		while (waitpid(pid, NULL, WNOHANG) > 0)
			;
	}
	ret = -1;
out:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
