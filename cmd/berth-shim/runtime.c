/* Running the OCI runtime: `<runtime> [--root R] --log <dir>/log.json
 * --log-format json [--systemd-cgroup] [runtime_args] <args>`, waited on
 * through a pidfd while the console socket (if any) is served. On failure the
 * runtime's own message (its json log, else its stderr) is the error. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void rt_io_init(struct rt_io *io)
{
	*io = (struct rt_io){
	    .in = -1, .out = -1, .err = -1, .console_listen = -1, .console_fd = -1, .err_peek = -1};
}

void rt_io_free(struct rt_io *io)
{
	free(io->out_data);
	io->out_data = NULL;
	if (io->console_fd >= 0)
		close(io->console_fd);
	io->console_fd = -1;
}

int rt_console_listen(const char *dir, char **arg, int *dirfd, struct berth_error **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_free char *path = xasprintf("%s/console.sock", dir);
	cleanup_free char *via = NULL;
	*dirfd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		/* a long exec-root: through the directory's fd, for us and the runtime */
		*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*dirfd < 0)
			return berth_error_errno(err, "open %s", dir);
		via = xasprintf("/proc/self/fd/%d/console.sock", *dirfd);
		*arg = xasprintf("/proc/%d/fd/%d/console.sock", (int)getpid(), *dirfd);
	} else {
		*arg = xstrdup(path);
	}
	strcpy(sa.sun_path, via ? via : path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berth_error_errno(err, "console socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		berth_error_errno(err, "bind console socket %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int rt_read_pid_file(const char *path, pid_t *pid, struct berth_error **err)
{
	cleanup_free char *txt = NULL;
	if (fs_read_file(path, &txt, NULL, err) < 0)
		return -1;
	long v = strtol(txt, NULL, 10);
	if (v <= 0)
		return berth_error_set(err, EINVAL, "pid file %s: bad content", path);
	*pid = (pid_t)v;
	return 0;
}

/* Accept one connection on the console socket and take the fd it sends. */
static int console_receive(int lfd)
{
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return -1;
	struct pollfd pfd = {.fd = c, .events = POLLIN};
	poll(&pfd, 1, 10000);
	char data[256];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof(cm.b)};
	ssize_t r = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
	close(c);
	if (r < 0)
		return -1;
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(h), sizeof(fd));
	return fd;
}

static char **build_argv(struct shim *s, char **args, char *logpath)
{
	size_t n = 16;
	for (char **a = s->o.runtime_args; a && *a; a++)
		n++;
	for (char **a = args; *a; a++)
		n++;
	char **v = xcalloc(n, sizeof(char *));
	size_t i = 0;
	v[i++] = s->o.runtime;
	if (s->o.runtime_root) {
		v[i++] = "--root";
		v[i++] = s->o.runtime_root;
	}
	v[i++] = "--log";
	v[i++] = logpath;
	v[i++] = "--log-format";
	v[i++] = "json";
	if (s->o.systemd_cgroup)
		v[i++] = "--systemd-cgroup";
	for (char **a = s->o.runtime_args; a && *a; a++)
		v[i++] = *a;
	for (char **a = args; *a; a++)
		v[i++] = *a;
	return v;
}

static void child_exec(char **argv, int in, int out, int err)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int fds[3] = {in, out, err};
	/* move them above 2 first so that dup2 cannot clobber one another */
	for (int i = 0; i < 3; i++)
		fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0 || dup2(fds[i], i) < 0)
			_exit(126);
	execvp(argv[0], argv);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The last error message of the runtime's json log from offset on. */
static char *log_error_since(const char *path, off_t offset)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	if (!f || fseeko(f, offset, SEEK_SET) < 0)
		return NULL;
	char *line = NULL, *msg = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		cleanup_json json_t *j = json_loads(line, 0, NULL);
		const char *lv = json_string_value(json_object_get(j, "level"));
		const char *m = json_string_value(json_object_get(j, "msg"));
		if (m && lv && (!strcmp(lv, "error") || !strcmp(lv, "fatal"))) {
			free(msg);
			msg = xstrdup(m);
		}
	}
	free(line);
	return msg;
}

static void read_some(int *fd, struct buf *b)
{
	char tmp[4096];
	for (;;) {
		ssize_t r = read(*fd, tmp, sizeof(tmp));
		if (r > 0) {
			buf_append(b, tmp, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || errno != EAGAIN) {
			close(*fd);
			*fd = -1;
		}
		return;
	}
}

static char *trim(struct buf *b)
{
	buf_append(b, "", 1);
	char *s = b->data;
	b->data = NULL;
	b->len = b->off = 0;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* How long one runtime call may take before the shim kills it: a hung
 * runtime must not keep the shim (and berthd's calls to it) waiting for
 * ever. Under berthd's shim start timeout (120 s), so that a hung create is
 * undone by the shim itself. BERTH_SHIM_RUNTIME_TIMEOUT_MS overrides it
 * (tests, debugging). */
#define RT_TIMEOUT_MS 90000

static long long rt_timeout_ms(void)
{
	const char *v = getenv("BERTH_SHIM_RUNTIME_TIMEOUT_MS");
	char *end = NULL;
	long long ms = v ? strtoll(v, &end, 10) : 0;
	return v && *v && end && *end == '\0' && ms > 0 ? ms : RT_TIMEOUT_MS;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for the runtime, serving the console socket and the capture pipes;
 * past the timeout the runtime is killed (*timed_out). */
static void wait_runtime(pid_t pid, int pidfd, int *cap_out, int *cap_err, struct buf *bo,
			 struct buf *be, struct rt_io *io, long long timeout_ms, bool *timed_out)
{
	bool done = false;
	long long deadline = now_ms() + timeout_ms;
	while (!done) {
		long long left = deadline - now_ms();
		if (left <= 0 && !*timed_out) {
			kill(pid, SIGKILL);
			*timed_out = true;
		}
		if (pidfd < 0) {
			/* no pidfd (kernel < 5.3): look every 20 ms */
			siginfo_t si = {0};
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
			    si.si_pid == pid)
				break;
		}
		struct pollfd p[4] = {
		    {.fd = pidfd, .events = POLLIN},
		    {.fd = *cap_out, .events = POLLIN},
		    {.fd = *cap_err, .events = POLLIN},
		    {.fd = io->console_fd < 0 ? io->console_listen : -1, .events = POLLIN}};
		int wait_ms = *timed_out ? -1 : (int)(left < 0x7fffffff ? left : 0x7fffffff);
		if (pidfd < 0 && (wait_ms < 0 || wait_ms > 20))
			wait_ms = 20;
		if (poll(p, 4, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			read_some(cap_out, bo);
		if (p[2].revents)
			read_some(cap_err, be);
		if (p[3].revents)
			io->console_fd = console_receive(io->console_listen);
		if (p[0].revents)
			done = true;
	}
	/* what the runtime wrote before it exited; a child it left may hold the
	 * pipe open, so no waiting for EOF */
	if (*cap_out >= 0)
		read_some(cap_out, bo);
	if (*cap_err >= 0)
		read_some(cap_err, be);
	if (io->console_fd < 0 && io->console_listen >= 0)
		io->console_fd = console_receive(io->console_listen);
}

static int make_capture(int *keep, int *give)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	*keep = p[0];
	*give = p[1];
	return 0;
}

int rt_run(struct shim *s, char **args, struct rt_io *io, struct berth_error **err)
{
	cleanup_free char *logpath = shim_path(s, "log.json");
	cleanup_free char **argv = build_argv(s, args, logpath);
	struct stat st;
	off_t log_off = stat(logpath, &st) == 0 ? st.st_size : 0;
	cleanup_close int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	cleanup_close int cap_out = -1, cap_err = -1, give_out = -1, give_err = -1;
	if ((io->out < 0 && make_capture(&cap_out, &give_out) < 0) ||
	    (io->err < 0 && make_capture(&cap_err, &give_err) < 0))
		return berth_error_errno(err, "runtime %s: pipe", args[0]);
	pid_t pid = fork();
	if (pid < 0)
		return berth_error_errno(err, "runtime %s: fork", args[0]);
	if (pid == 0)
		child_exec(argv, io->in >= 0 ? io->in : nul, io->out >= 0 ? io->out : give_out,
			   io->err >= 0 ? io->err : give_err);
	if (give_out >= 0)
		close(steal_fd(give_out));
	if (give_err >= 0)
		close(steal_fd(give_err));
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct buf bo = {0}, be = {0};
	bool timed_out = false;
	long long timeout_ms = rt_timeout_ms();
	wait_runtime(pid, pidfd, &cap_out, &cap_err, &bo, &be, io, timeout_ms, &timed_out);
	int wst = 0;
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	cleanup_free char *errtext = trim(&be);
	if (timed_out) {
		buf_free(&bo);
		return berth_error_set(err, ETIMEDOUT,
				       "runtime %s: %s did not finish in %lld ms: killed", args[0],
				       s->o.runtime, timeout_ms);
	}
	if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0) {
		io->out_data = trim(&bo);
		return 0;
	}
	buf_free(&bo);
	cleanup_free char *msg = log_error_since(logpath, log_off);
	if (!msg && !*errtext && io->err_peek >= 0) {
		int fd = fcntl(io->err_peek, F_DUPFD_CLOEXEC, 3);
		if (fd >= 0) {
			read_some(&fd, &be);
			if (fd >= 0)
				close(fd);
			free(errtext);
			errtext = trim(&be);
		}
	}
	if (!msg && *errtext)
		msg = steal_ptr(errtext);
	if (!msg && WIFEXITED(wst))
		msg = xasprintf("%s exited with status %d", s->o.runtime, WEXITSTATUS(wst));
	if (!msg)
		msg = xasprintf("%s killed by signal %d", s->o.runtime, WTERMSIG(wst));
	return berth_error_set(err, EIO, "runtime %s: %s", args[0], msg);
}
