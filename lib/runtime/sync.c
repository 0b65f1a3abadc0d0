#include "runtime/sync.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

struct wire {
	int32_t type;
	int32_t value;
	uint32_t text_len;
};

#define SYNC_MAX (64 * 1024)

static int send_packet(int sock, const void *buf, size_t len, int fd)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t r;
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

int sync_send(int sock, enum sync_type type, int32_t value, const char *text, int fd,
	      struct berth_error **err)
{
	size_t tl = text ? strlen(text) : 0;
	if (tl > SYNC_MAX - sizeof(struct wire))
		tl = SYNC_MAX - sizeof(struct wire);
	cleanup_free char *buf = xmalloc(sizeof(struct wire) + tl);
	struct wire w = {.type = type, .value = value, .text_len = (uint32_t)tl};
	memcpy(buf, &w, sizeof(w));
	if (tl)
		memcpy(buf + sizeof(w), text, tl);
	if (send_packet(sock, buf, sizeof(w) + tl, fd) < 0)
		return berth_error_errno(err, "send sync message %d", type);
	return 0;
}

int sync_send_fd(int sock, int fd, const char *name, struct berth_error **err)
{
	size_t len = strlen(name);
	if (send_packet(sock, name, len ? len : 1, fd) < 0)
		return berth_error_errno(err, "send file descriptor over socket");
	return 0;
}

int sync_recv(int sock, struct sync_msg *msg, struct berth_error **err)
{
	cleanup_free char *buf = xmalloc(SYNC_MAX);
	struct iovec iov = {.iov_base = buf, .iov_len = SYNC_MAX};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t r;
	do
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return berth_error_errno(err, "receive sync message");
	if (r == 0)
		return berth_error_set(err, EPIPE, "the container's init process exited early");
	msg->fd = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&msg->fd, CMSG_DATA(c), sizeof(int));
	struct wire w;
	if ((size_t)r < sizeof(w)) {
		if (msg->fd >= 0)
			close(msg->fd);
		return berth_error_set(err, EPROTO, "short sync message (%zd bytes)", r);
	}
	memcpy(&w, buf, sizeof(w));
	if (w.text_len > (size_t)r - sizeof(w)) {
		if (msg->fd >= 0)
			close(msg->fd);
		return berth_error_set(err, EPROTO, "malformed sync message");
	}
	msg->type = w.type;
	msg->value = w.value;
	msg->text = NULL;
	if (w.text_len) {
		msg->text = xmalloc(w.text_len + 1);
		memcpy(msg->text, buf + sizeof(w), w.text_len);
		msg->text[w.text_len] = '\0';
	}
	return 0;
}

int sync_expect(int sock, enum sync_type type, struct sync_msg *msg, struct berth_error **err)
{
	if (sync_recv(sock, msg, err) < 0)
		return -1;
	if (msg->type == SYNC_ERROR) {
		berth_error_set(err, msg->value, "%s", msg->text ? msg->text : "unknown error");
		sync_msg_clear(msg);
		return -1;
	}
	if (msg->type != (int32_t)type) {
		int got = msg->type;
		sync_msg_clear(msg);
		return berth_error_set(err, EPROTO, "sync: expected message %d, got %d", type, got);
	}
	return 0;
}

void sync_msg_clear(struct sync_msg *msg)
{
	free(msg->text);
	msg->text = NULL;
	if (msg->fd >= 0)
		close(msg->fd);
	msg->fd = -1;
}
