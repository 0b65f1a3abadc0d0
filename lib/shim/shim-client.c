/* berthd's client of berth-shim (shim-client.h, docs/shim.md). */
#include "shim/shim-client.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* How long `berth-shim start` (the runtime's create included) may take. */
#define SHIM_START_TIMEOUT_MS 120000

struct shim_conn {
	int fd;
};

static json_t *opts_to_json(const struct shim_start_opts *o)
{
	json_t *args = json_array();
	for (char **a = o->runtime_args; a && *a; a++)
		json_array_append_new(args, json_string(*a));
	json_t *j = json_object();
	json_object_set_new(j, "id", json_string(o->id ? o->id : ""));
	json_object_set_new(j, "ns", json_string(o->ns ? o->ns : ""));
	json_object_set_new(j, "runtime", json_string(o->runtime ? o->runtime : "berth-runtime"));
	if (o->runtime_root)
		json_object_set_new(j, "runtime_root", json_string(o->runtime_root));
	json_object_set_new(j, "runtime_args", args);
	json_object_set_new(j, "systemd_cgroup", json_boolean(o->systemd_cgroup));
	json_object_set_new(j, "terminal", json_boolean(o->terminal));
	json_object_set_new(j, "stdin_open", json_boolean(o->stdin_open));
	json_object_set_new(j, "stdin_once", json_boolean(o->stdin_once));
	if (o->log_path)
		json_object_set_new(j, "log_path", json_string(o->log_path));
	json_object_set_new(j, "log_max_size", json_integer(o->log_max_size));
	json_object_set_new(j, "log_max_file",
			    json_integer(o->log_max_file >= 1 ? o->log_max_file : 1));
	if (o->rootfs_mount)
		json_object_set_new(j, "rootfs_mount", json_string(o->rootfs_mount));
	return j;
}

static int write_opts(const struct shim_start_opts *o, struct berth_error **err)
{
	cleanup_json json_t *j = opts_to_json(o);
	cleanup_free char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		return berth_error_set(err, ENOMEM, "shim.json: cannot encode");
	cleanup_close int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open shim dir %s", o->dir);
	if (fs_write_file_atomic(dfd, "shim.json", s, strlen(s), 0600, false, err) < 0)
		return berth_error_wrap(err, "write %s/shim.json", o->dir);
	return 0;
}

/* Run `berth-shim start --dir DIR`, collecting its stdout. */
static int run_start(const struct shim_start_opts *o, char **out, int *status,
		     struct berth_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_error_errno(err, "shim start: pipe");
	const char *bin = o->shim_binary ? o->shim_binary : "berth-shim";
	/* posix_spawn (vfork): no copy of berthd's page tables and no
	 * copy-on-write faults before the exec, which fork() costs a big,
	 * threaded daemon on every start */
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {(char *)bin, "start", "--dir", (char *)o->dir, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, bin, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		close(p[0]);
		close(p[1]);
		if (rc == ENOENT)
			return berth_error_set(err, ENOENT, "shim start: cannot run %s", bin);
		return berth_error_set(err, rc, "shim start: cannot run %s: %s", bin, strerror(rc));
	}
	close(p[1]);
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool timed_out = false;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long left = SHIM_START_TIMEOUT_MS - ((now.tv_sec - t0.tv_sec) * 1000LL +
							  (now.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		int pr = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			/* the starter goes; the shim, finding no one to report to, undoes
			 * the container and exits */
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t r = read(p[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			free(buf);
			return berth_error_errno(err, "shim start: waitpid %d", (int)pid);
		}
	}
	if (timed_out) {
		free(buf);
		return berth_error_set(err, ETIMEDOUT, "shim start for %s: no answer in %d s",
				       o->id, SHIM_START_TIMEOUT_MS / 1000);
	}
	*out = buf;
	*status = st;
	return 0;
}

int shim_start(const struct shim_start_opts *o, pid_t *shim_pid, pid_t *init_pid,
	       struct berth_error **err)
{
	if (!o || !o->dir || !o->id)
		return berth_error_set(err, EINVAL, "shim start: dir and id are required");
	if (write_opts(o, err) < 0)
		return -1;
	cleanup_free char *out = NULL;
	int st = 0;
	if (run_start(o, &out, &st, err) < 0)
		return -1;
	json_error_t je;
	cleanup_json json_t *j = json_loads(out, JSON_DISABLE_EOF_CHECK, &je);
	if (!j || !json_is_object(j)) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			return berth_error_set(err, ENOENT, "shim start: cannot run %s",
					       o->shim_binary ? o->shim_binary : "berth-shim");
		return berth_error_set(err, EPROTO, "shim start for %s: no result (status %d): %s",
				       o->id, st, out);
	}
	json_t *e = json_object_get(j, "error");
	if (json_is_string(e)) {
		json_int_t code = json_integer_value(json_object_get(j, "code"));
		return berth_error_set(err, code > 0 ? (int)code : EIO, "%s", json_string_value(e));
	}
	json_int_t sp = json_integer_value(json_object_get(j, "shim_pid"));
	json_int_t ip = json_integer_value(json_object_get(j, "pid"));
	if (sp <= 0 || ip <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return berth_error_set(err, EPROTO, "shim start for %s: bad result: %s", o->id,
				       out);
	if (shim_pid)
		*shim_pid = (pid_t)sp;
	if (init_pid)
		*init_pid = (pid_t)ip;
	return 0;
}

int shim_connect(const char *dir, struct shim_conn **out, struct berth_error **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int dfd = -1;
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/shim.sock", dir);
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		/* a long exec-root: through the directory's fd (the shim binds the same way) */
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return berth_error_errno(err, "connect %s/shim.sock", dir);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/shim.sock", dfd);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berth_error_errno(err, "shim socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return berth_error_errno(err, "connect %s", sa.sun_path);
	}
	struct shim_conn *c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	*out = c;
	return 0;
}

void shim_conn_close(struct shim_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int shim_conn_fd(const struct shim_conn *c)
{
	return c->fd;
}

int shim_conn_steal_fd(struct shim_conn *c)
{
	int fd = c->fd;
	c->fd = -1;
	free(c);
	return fd;
}

static void set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = {0};
	if (timeout_ms > 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int shim_call(struct shim_conn *c, json_t *req, int timeout_ms, json_t **reply,
	      struct berth_error **err)
{
	*reply = NULL;
	const char *op = json_string_value(json_object_get(req, "op"));
	if (!op)
		op = "?";
	set_timeouts(c->fd, timeout_ms);
	if (shim_frame_write(c->fd, req) < 0) {
		int e = errno == EAGAIN ? ETIMEDOUT : errno;
		set_timeouts(c->fd, 0);
		errno = e;
		return berth_error_errno(err, "shim %s: send", op);
	}
	json_t *r = NULL;
	int rc = shim_frame_read(c->fd, &r, err);
	set_timeouts(c->fd, 0);
	if (rc < 0) {
		if (err && *err && ((*err)->code == EAGAIN || (*err)->code == EWOULDBLOCK)) {
			berth_error_free(err);
			return berth_error_set(err, ETIMEDOUT, "shim %s: no reply in %d ms", op,
					       timeout_ms);
		}
		return berth_error_wrap(err, "shim %s", op);
	}
	if (!r)
		return berth_error_set(err, ECONNRESET, "shim %s: connection closed before a reply",
				       op);
	if (!json_is_true(json_object_get(r, "ok"))) {
		json_int_t code = json_integer_value(json_object_get(r, "code"));
		const char *m = json_string_value(json_object_get(r, "error"));
		berth_error_set(err, code > 0 ? (int)code : EIO, "shim %s: %s", op,
				m ? m : "failed");
		json_decref(r);
		return -1;
	}
	*reply = r;
	return 0;
}

int shim_call_dir(const char *dir, json_t *req, int timeout_ms, json_t **reply,
		  struct berth_error **err)
{
	struct shim_conn *c = NULL;
	if (shim_connect(dir, &c, err) < 0)
		return -1;
	int rc = shim_call(c, req, timeout_ms, reply, err);
	shim_conn_close(c);
	return rc;
}
