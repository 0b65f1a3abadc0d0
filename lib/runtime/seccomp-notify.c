/* Parent side of SCMP_ACT_NOTIFY: hand the listener fd to the seccomp agent
 * at linux.seccomp.listenerPath (runtime-spec config-linux.md "The Container
 * Process State"): one AF_UNIX SOCK_STREAM connection per container, the
 * JSON
 *	{"ociVersion": ..., "fds": ["seccompFd"], "pid": N,
 *	 "metadata": listenerMetadata (if set), "state": <the container state>}
 * as the payload, the fd in SCM_RIGHTS of the first sendmsg, then close. */
#include "runtime/seccomp-internal.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "oci/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_path(int sock, const char *path, struct berth_error **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int dirfd = -1;
	if (strlen(path) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	} else {
		/* too long for sun_path: go through an O_PATH fd of the directory */
		cleanup_free char *d1 = xstrdup(path), *d2 = xstrdup(path);
		dirfd = open(dirname(d1), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return berth_error_errno(err, "open the socket's directory");
		int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
				 basename(d2));
		if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
			return berth_error_set(err, ENAMETOOLONG, "socket name too long");
	}
	for (;;) {
		if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 0;
		if (errno != EINTR)
			return berth_error_errno(err, "connect");
	}
}

static int send_all(int sock, const char *data, size_t len, int fd, struct berth_error **err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	size_t done = 0;
	while (done < len) {
		struct iovec iov = {.iov_base = (char *)data + done, .iov_len = len - done};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		if (done == 0) { /* the fd goes with the first call only */
			mh.msg_control = u.buf;
			mh.msg_controllen = sizeof(u.buf);
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		ssize_t k = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return berth_error_errno(err, "send the container process state");
		done += (size_t)k;
	}
	return 0;
}

/* The container process state around the container state `state_json`. */
static int process_state(const struct seccomp_program *p, const char *state_json, pid_t pid,
			 char **out, struct berth_error **err)
{
	json_error_t je;
	cleanup_json json_t *state = json_loads(state_json, 0, &je);
	if (state == NULL)
		return berth_error_set(err, EINVAL, "container state: %s", je.text);
	if (!json_is_object(state))
		return berth_error_set(err, EINVAL, "container state: not a JSON object");
	json_t *spid = json_object_get(state, "pid");
	if (!json_is_integer(spid) || json_integer_value(spid) <= 0)
		return berth_error_set(err, EINVAL, "container state: no pid");
	if (pid <= 0)
		pid = (pid_t)json_integer_value(spid);
	const char *ver = json_string_value(json_object_get(state, "ociVersion"));
	cleanup_json json_t *msg =
	    json_pack("{s:s, s:[s], s:I, s:O}", "ociVersion", ver ? ver : OCI_VERSION, "fds",
		      "seccompFd", "pid", (json_int_t)pid, "state", state);
	if (msg == NULL)
		return berth_error_set(err, EINVAL, "container state: cannot build the message");
	if (p->listener_metadata)
		json_object_set_new(msg, "metadata", json_string(p->listener_metadata));
	*out = json_dumps(msg, JSON_COMPACT);
	if (*out == NULL)
		return berth_error_set(err, EINVAL, "container state: cannot encode the message");
	return 0;
}

int seccomp_send_notify(const struct seccomp_program *p, const char *state_json, int fd,
			struct berth_error **err)
{
	return seccomp_send_notify_pid(p, state_json, 0, fd, err);
}

int seccomp_send_notify_pid(const struct seccomp_program *p, const char *state_json, pid_t pid,
			    int fd, struct berth_error **err)
{
	if (p == NULL || !p->notify || p->listener_path == NULL)
		return berth_error_set(err, EINVAL,
				       "seccomp notify: the filter has no SCMP_ACT_NOTIFY rule");
	if (fd < 0)
		return berth_error_set(err, EBADF, "seccomp notify: no listener fd");
	cleanup_free char *text = NULL;
	if (process_state(p, state_json, pid, &text, err) < 0)
		return berth_error_wrap(err, "seccomp notify");
	cleanup_close int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return berth_error_errno(err, "seccomp notify: socket");
	if (connect_path(sock, p->listener_path, err) < 0 ||
	    send_all(sock, text, strlen(text), fd, err) < 0)
		return berth_error_wrap(err, "linux.seccomp.listenerPath %s", p->listener_path);
	return 0;
}
