/* `run`: create + start, then (unless detached) stay in the foreground:
 * forward signals to the container, relay its terminal when we own the pty,
 * reap it, delete it and report its exit code. */
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

struct fg {
	pid_t pid;
	int sigfd;
	int master; /* pty master when we relay the terminal, else -1 */
	bool stdin_open;
	int status;
	bool exited;
};

static int recv_master(int sock, struct berth_error **err)
{
	char buf[64];
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} u;
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	ssize_t r;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return berth_error_set(err, EPROTO, "no pty master received from the container");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void copy_once(int from, int to, bool *open_flag)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			*open_flag = false;
		return;
	}
	if (fs_write_all(to, buf, (size_t)n) < 0)
		*open_flag = false;
}

static void resize(int master)
{
	struct winsize ws;
	if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

static void reap(struct fg *f)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p <= 0)
			return;
		if (p == f->pid) {
			f->status = st;
			f->exited = true;
		}
	}
}

static void handle_signal(struct fg *f)
{
	struct signalfd_siginfo si;
	if (read(f->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGCHLD)
		reap(f);
	else if (si.ssi_signo == SIGWINCH && f->master >= 0)
		resize(f->master);
	else
		kill(f->pid, (int)si.ssi_signo);
}

static void foreground_loop(struct fg *f)
{
	bool master_open = f->master >= 0;
	while (!f->exited) {
		struct pollfd p[3] = {
		    {.fd = f->sigfd, .events = POLLIN},
		    {.fd = master_open ? f->master : -1, .events = POLLIN},
		    {.fd = master_open && f->stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			copy_once(f->master, STDOUT_FILENO, &master_open);
		if (p[2].revents)
			copy_once(STDIN_FILENO, f->master, &f->stdin_open);
		if (p[0].revents)
			handle_signal(f);
	}
	/* what the container wrote just before it exited */
	if (master_open) {
		fcntl(f->master, F_SETFL, O_NONBLOCK);
		while (master_open)
			copy_once(f->master, STDOUT_FILENO, &master_open);
	}
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

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
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t pid;
	int ret = rt_create(g, &co, &pid, err);
	if (sp[1] >= 0)
		close(sp[1]);
	if (ret < 0)
		goto out;
	struct fg f = {.pid = pid, .sigfd = -1, .master = -1, .stdin_open = true};
	if (relay && (f.master = recv_master(relay_sock, err)) < 0)
		goto fail_delete;
	if (rt_start(g, co.id, err) < 0)
		goto fail_delete;
	if (o->detach)
		goto out;
	f.sigfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (f.sigfd < 0) {
		berth_error_errno(err, "signalfd");
		goto fail_delete;
	}
	struct termios saved;
	bool raw = f.master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
		resize(f.master);
	}
	reap(&f);
	foreground_loop(&f);
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(f.sigfd);
	if (f.master >= 0)
		close(f.master);
	*code = exit_code(f.status);
	ret = rt_delete(g, co.id, true, err);
	goto out;
fail_delete:
	if (f.master >= 0)
		close(f.master);
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
