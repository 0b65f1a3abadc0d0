#include "runtime/hooks.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const kind_names[OCI_HOOK_KINDS] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

const char *hooks_kind_name(enum oci_hook_kind kind)
{
	return kind_names[kind];
}

char *hooks_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
		       json_t *annotations)
{
	cleanup_json json_t *j = json_pack("{s:s,s:s,s:s,s:i,s:s}", "ociVersion", OCI_VERSION, "id",
					   id, "status", status, "pid", (int)pid, "bundle", bundle);
	if (annotations && json_object_size(annotations))
		json_object_set(j, "annotations", annotations);
	char *s = json_dumps(j, JSON_COMPACT);
	return s ? s : xstrdup("{}");
}

#define HOOK_OUTPUT_MAX 4096

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child_exec(const struct oci_hook *h, int in, int out)
{
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	char *def_args[2] = {h->path, NULL};
	char *no_env[1] = {NULL};
	execve(h->path, h->args && h->args[0] ? h->args : def_args, h->env ? h->env : no_env);
	dprintf(2, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

/* Wait for pid while collecting its output; -1 on timeout. */
static int wait_hook(pid_t pid, int out, int timeout_s, char *buf, size_t *len)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int64_t deadline = timeout_s > 0 ? now_ms() + (int64_t)timeout_s * 1000 : -1;
	bool out_open = true;
	for (;;) {
		struct pollfd fds[2] = {{.fd = pidfd, .events = POLLIN},
					{.fd = out_open ? out : -1, .events = POLLIN}};
		int wait_ms = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && wait_ms <= 0)
			break;
		int r = poll(fds, 2, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (fds[1].revents) {
			char tmp[512];
			ssize_t n = read(out, tmp, sizeof(tmp));
			if (n <= 0) {
				out_open = false;
			} else {
				size_t room = HOOK_OUTPUT_MAX - 1 - *len;
				size_t take = (size_t)n < room ? (size_t)n : room;
				memcpy(buf + *len, tmp, take);
				*len += take;
			}
		}
		if (fds[0].revents || (pidfd < 0 && !out_open))
			break;
	}
	/* what the hook wrote before it exited (a daemonized child may keep
	 * the pipe open: do not wait for EOF) */
	fcntl(out, F_SETFL, O_NONBLOCK);
	for (ssize_t n = 1; n > 0 && *len < HOOK_OUTPUT_MAX - 1;) {
		n = read(out, buf + *len, HOOK_OUTPUT_MAX - 1 - *len);
		if (n > 0)
			*len += (size_t)n;
	}
	if (pidfd >= 0)
		close(pidfd);
	int status;
	if (waitpid(pid, &status, WNOHANG) == pid)
		return status;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

static int run_one(const struct oci_hook *h, const char *what, const char *state,
		   struct berth_error **err)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return berth_error_errno(err, "%s: pipe", what);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return berth_error_errno(err, "%s: pipe", what);
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return berth_error_errno(err, "%s: fork", what);
	}
	if (pid == 0)
		child_exec(h, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	/* The hook may not read stdin at all: a full pipe must not block us. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	if (fs_write_all(in[1], state, strlen(state)) < 0 && errno != EPIPE && errno != EAGAIN)
		log_debug("%s: write state: %s", what, strerror(errno));
	close(in[1]);
	char buf[HOOK_OUTPUT_MAX];
	size_t len = 0;
	int status = wait_hook(pid, out[0], h->timeout, buf, &len);
	close(out[0]);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (status < 0)
		return berth_error_set(err, ETIMEDOUT, "%s: %s timed out after %d s", what, h->path,
				       h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return berth_error_set(err, ECANCELED, "%s: %s killed by signal %d%s%s", what,
				       h->path, WTERMSIG(status), len ? ": " : "", buf);
	return berth_error_set(err, ECANCELED, "%s: %s exited with status %d%s%s", what, h->path,
			       WEXITSTATUS(status), len ? ": " : "", buf);
}

int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
	      struct berth_error **err)
{
	const struct oci_hook_list *l = &spec->hooks[kind];
	for (size_t i = 0; i < l->n; i++) {
		cleanup_free char *what = xasprintf("hooks.%s[%zu]", kind_names[kind], i);
		log_debug("running %s: %s", what, l->hooks[i].path);
		if (run_one(&l->hooks[i], what, state_json, err) < 0)
			return -1;
	}
	return 0;
}
