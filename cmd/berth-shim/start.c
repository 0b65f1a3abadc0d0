/* `berth-shim start --dir DIR`: read shim.json, detach (double fork + setsid)
 * so that the shim is not berthd's child, become a child subreaper, create the
 * control socket, run `runtime create` with the container's stdio held by the
 * shim, then report {"shim_pid","pid"} (or the error) to the starting process
 * over a pipe and serve. On failure nothing of the shim is left. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int listen_socket(struct shim *s, struct berth_error **err)
{
	cleanup_free char *path = shim_path(s, "shim.sock");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int dfd = -1;
	cleanup_free char *via = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		/* a long exec-root: bind through the directory's fd (shim_connect does the same) */
		dfd = open(s->o.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return berth_error_errno(err, "open %s", s->o.dir);
		via = xasprintf("/proc/self/fd/%d/shim.sock", dfd);
	}
	strcpy(sa.sun_path, via ? via : path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berth_error_errno(err, "control socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 64) < 0) {
		berth_error_errno(err, "bind control socket %s", path);
		close(fd);
		return -1;
	}
	s->listen_w = (struct watch){W_LISTEN, fd, s};
	loop_add(s, &s->listen_w, EPOLLIN);
	return 0;
}

static int setup_loop(struct shim *s, struct berth_error **err)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return berth_error_errno(err, "signalfd");
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return berth_error_errno(err, "epoll_create1");
	s->sig_w = (struct watch){W_SIGNAL, sfd, s};
	loop_add(s, &s->sig_w, EPOLLIN);
	return listen_socket(s, err);
}

static int open_log(struct shim *s, struct berth_error **err)
{
	if (!s->o.log_path)
		return 0;
	s->log_created = !fs_exists(s->o.log_path);
	return shim_log_open(s->o.log_path, s->o.log_max_size, s->o.log_max_file, &s->log, err);
}

static int create_container(struct shim *s, struct berth_error **err)
{
	struct stdio_setup st;
	if (stdio_prepare(s, s->o.terminal, s->o.stdin_open, &st, err) < 0)
		return -1;
	cleanup_free char *pidfile = shim_path(s, "init.pid");
	char *args[10];
	int i = 0;
	args[i++] = "create";
	args[i++] = "--bundle";
	args[i++] = s->o.dir;
	args[i++] = "--pid-file";
	args[i++] = pidfile;
	if (s->o.terminal) {
		args[i++] = "--console-socket";
		args[i++] = st.console_arg;
	}
	args[i++] = s->o.id;
	args[i] = NULL;
	struct rt_io io;
	rt_io_init(&io);
	io.in = st.child_in;
	io.out = st.child_out;
	io.err = st.child_err;
	io.err_peek = st.err;
	io.console_listen = st.console_listen;
	pid_t pid = 0;
	int rc = rt_run(s, args, &io, err);
	if (rc == 0)
		rc = rt_read_pid_file(pidfile, &pid, err);
	if (rc == 0 && s->o.terminal && io.console_fd < 0)
		rc = berth_error_set(err, EPROTO,
				     "runtime create: no pty received on the console socket");
	if (rc < 0) {
		rt_io_free(&io);
		stdio_cleanup(&st);
		return -1;
	}
	struct proc *p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->status = PS_CREATED;
	p->stdin_once = s->o.stdin_once;
	s->init = s->procs = p;
	stdio_finish(s, p, &st, steal_fd(io.console_fd));
	rt_io_free(&io);
	return 0;
}

static void undo(struct shim *s, bool created)
{
	if (created) {
		char *args[] = {"delete", "--force", s->o.id, NULL};
		struct rt_io io;
		rt_io_init(&io);
		struct berth_error *e = NULL;
		rt_run(s, args, &io, &e);
		berth_error_free(&e);
		rt_io_free(&io);
	}
	const char *files[] = {"shim.sock", "shim.pid", "init.pid", "console.sock", "log.json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *path = shim_path(s, files[i]);
		unlink(path);
	}
	if (s->log_created && s->o.log_path)
		unlink(s->o.log_path);
}

static int setup(struct shim *s, struct berth_error **err)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return berth_error_errno(err, "PR_SET_CHILD_SUBREAPER");
	/* a restart reuses the shim dir: nothing of the previous run may be
	 * taken for this one's */
	const char *stale[] = {"exit.json", "shim.pid", "init.pid"};
	for (size_t i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
		cleanup_free char *path = shim_path(s, stale[i]);
		unlink(path);
	}
	if (setup_loop(s, err) < 0 || open_log(s, err) < 0) {
		undo(s, false);
		return -1;
	}
	if (create_container(s, err) < 0) {
		undo(s, true);
		return -1;
	}
	cleanup_free char *pidtxt = xasprintf("%d\n", (int)getpid());
	cleanup_close int dfd = open(s->o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 ||
	    fs_write_file_atomic(dfd, "shim.pid", pidtxt, strlen(pidtxt), 0644, false, err) < 0) {
		if (dfd < 0)
			berth_error_errno(err, "open %s", s->o.dir);
		undo(s, true);
		return -1;
	}
	oom_setup(s);
	return 0;
}

static int report(int fd, json_t *j)
{
	cleanup_free char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!txt)
		return -1;
	size_t n = strlen(txt);
	if (fs_write_all(fd, txt, n) != (ssize_t)n || fs_write_all(fd, "\n", 1) != 1)
		return -1;
	return 0;
}

/* The detached shim (grandchild of `start`). */
static __attribute__((noreturn)) void shim_main(struct shim *s, int ready)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		close(nul);
	}
	/* nothing inherited from the starter reaches the shim or the container */
	if (ready > 3)
		close_range(3, (unsigned)ready - 1, 0);
	close_range((unsigned)ready + 1, ~0u, 0);
	if (chdir("/") < 0)
		_exit(1);
	struct berth_error *err = NULL;
	cleanup_json json_t *r = json_object();
	if (setup(s, &err) < 0) {
		json_object_set_new(r, "error", json_string(err->msg));
		json_object_set_new(r, "code", json_integer(err->code ? err->code : EIO));
		report(ready, r);
		_exit(1);
	}
	json_object_set_new(r, "shim_pid", json_integer(getpid()));
	json_object_set_new(r, "pid", json_integer(s->init->pid));
	if (report(ready, r) < 0) {
		/* the starter is gone (killed after its timeout): nobody knows of
		 * this container, so it does not stay */
		undo(s, true);
		_exit(1);
	}
	close(ready);
	loop_run(s);
	_exit(0);
}

static int fail_start(const char *msg, int code)
{
	cleanup_json json_t *r = json_object();
	json_object_set_new(r, "error", json_string(msg));
	json_object_set_new(r, "code", json_integer(code));
	report(1, r);
	fprintf(stderr, "berth-shim: %s\n", msg);
	return 1;
}

int shim_cmd_start(const char *dir_arg)
{
	struct shim s = {.epfd = -1};
	struct berth_error *err = NULL;
	char *dir = realpath(dir_arg, NULL);
	if (!dir) {
		cleanup_free char *m = xasprintf("shim dir %s: %s", dir_arg, strerror(errno));
		return fail_start(m, errno);
	}
	if (shim_opts_load(dir, &s.o, &err) < 0) {
		int rc = fail_start(err->msg, err->code ? err->code : EINVAL);
		berth_error_free(&err);
		return rc;
	}
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return fail_start("readiness pipe", errno);
	/* above 0..2, which the shim points at /dev/null */
	for (int i = 0; i < 2; i++) {
		if (ready[i] <= 2) {
			int fd = fcntl(ready[i], F_DUPFD_CLOEXEC, 3);
			if (fd < 0)
				return fail_start("readiness pipe", errno);
			ready[i] = fd;
		}
	}
	pid_t mid = fork();
	if (mid < 0)
		return fail_start("fork", errno);
	if (mid == 0) {
		close(ready[0]);
		setsid();
		pid_t g = fork();
		if (g == 0)
			shim_main(&s, ready[1]);
		_exit(g < 0 ? 1 : 0);
	}
	close(ready[1]);
	int st;
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	struct buf b = {0};
	char tmp[4096];
	ssize_t r;
	while ((r = read(ready[0], tmp, sizeof(tmp))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		buf_append(&b, tmp, (size_t)r);
	}
	close(ready[0]);
	buf_append(&b, "", 1);
	cleanup_json json_t *j = json_loads(b.data, JSON_DISABLE_EOF_CHECK, NULL);
	buf_free(&b);
	if (!json_is_object(j))
		return fail_start("the shim exited during its start", EIO);
	const char *e = json_string_value(json_object_get(j, "error"));
	if (e)
		return fail_start(e, (int)json_integer_value(json_object_get(j, "code")));
	report(1, j);
	return 0;
}
