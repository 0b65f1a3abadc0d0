/* The foreground side of `run` and `exec`: forward signals to the child,
 * relay its pty when we own it, reap it and turn its status into an exit
 * code. */
#include "runtime/foreground.h"
#include "common/fs.h"

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

int fg_recv_master(int sock, struct berth_error **err)
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

void fg_block_signals(sigset_t *all, sigset_t *old)
{
	sigfillset(all);
	sigdelset(all, SIGSEGV);
	sigdelset(all, SIGBUS);
	sigdelset(all, SIGFPE);
	sigdelset(all, SIGILL);
	sigprocmask(SIG_BLOCK, all, old);
}

int fg_wait(pid_t pid, int master, const sigset_t *sigs, int *code, struct berth_error **err)
{
	struct fg f = {.pid = pid, .sigfd = -1, .master = master, .stdin_open = true};
	f.sigfd = signalfd(-1, sigs, SFD_CLOEXEC);
	if (f.sigfd < 0)
		return berth_error_errno(err, "signalfd");
	struct termios saved;
	bool raw = master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
		resize(master);
	}
	reap(&f);
	foreground_loop(&f);
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(f.sigfd);
	*code = exit_code(f.status);
	return 0;
}
