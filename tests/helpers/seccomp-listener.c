/* seccomp-listener: a minimal seccomp agent for the SCMP_ACT_NOTIFY tests.
 *
 *   seccomp-listener [-e ERRNO | -c | -v VALUE] [-t SECS] SOCKET
 *
 * Listens on SOCKET (AF_UNIX, SOCK_STREAM), takes one connection from the
 * runtime, receives the seccomp listener fd (SCM_RIGHTS) and the container
 * process state JSON (one object, or up to EOF), prints
 *	state=<the JSON as received>
 *	fds=<number of fds that came>
 * then answers every notification, printing
 *	notify syscall=<name> nr=<nr> pid=<pid>
 * with -e: fail the syscall with ERRNO (default: -e 1, EPERM),
 *      -c: let the kernel run it (SECCOMP_USER_NOTIF_FLAG_CONTINUE),
 *      -v: return VALUE without running it.
 * Exits 0 when no process uses the filter any more, 1 on errors or after
 * SECS seconds (default 60). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_ERRNO, MODE_CONTINUE, MODE_VALUE };

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "seccomp-listener: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
		perror("seccomp-listener: listen");
		return -1;
	}
	return s;
}

/* True once buf holds one whole JSON object (runc does not close the
 * connection after sending, so EOF cannot be the end of the message). */
static int json_complete(const char *buf, size_t n)
{
	int depth = 0, in_str = 0, esc = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (--depth == 0)
				return 1;
		}
	}
	return 0;
}

/* Read one message (a JSON object, or up to EOF); the first fd of
 * SCM_RIGHTS into *fd. */
static char *receive(int c, int *fd, int *nfds)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	*fd = -1;
	*nfds = 0;
	for (;;) {
		union {
			char b[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} u;
		if (cap - n < 1024)
			buf = realloc(buf, cap *= 2);
		struct iovec iov = {.iov_base = buf + n, .iov_len = cap - n - 1};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.b,
				    .msg_controllen = sizeof(u.b)};
		ssize_t k = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			perror("seccomp-listener: recvmsg");
			break;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			int cnt = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (*fd < 0 && cnt > 0)
				memcpy(fd, CMSG_DATA(cm), sizeof(int));
			*nfds += cnt;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (json_complete(buf, n))
			break;
	}
	buf[n] = '\0';
	return buf;
}

static int answer(int nfd, enum mode mode, long value)
{
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		if (errno == EINTR || errno == ENOENT)
			return 0; /* the caller went away */
		perror("seccomp-listener: NOTIF_RECV");
		return -1;
	}
	char *name = seccomp_syscall_resolve_num_arch(req.data.arch, req.data.nr);
	printf("notify syscall=%s nr=%d pid=%u\n", name ? name : "?", req.data.nr, req.pid);
	free(name);
	struct seccomp_notif_resp resp = {.id = req.id};
	if (mode == MODE_CONTINUE)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (mode == MODE_VALUE)
		resp.val = value;
	else
		resp.error = (int)-value;
	if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT) {
		perror("seccomp-listener: NOTIF_SEND");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum mode mode = MODE_ERRNO;
	long value = EPERM;
	int secs = 60, opt;
	while ((opt = getopt(argc, argv, "e:cv:t:")) != -1) {
		if (opt == 'e' || opt == 'v') {
			mode = opt == 'e' ? MODE_ERRNO : MODE_VALUE;
			value = strtol(optarg, NULL, 0);
		} else if (opt == 'c') {
			mode = MODE_CONTINUE;
		} else if (opt == 't') {
			secs = atoi(optarg);
		} else {
			fprintf(stderr, "usage: seccomp-listener [-e ERRNO|-c|-v VALUE] [-t SECS] "
					"SOCKET\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr,
			"usage: seccomp-listener [-e ERRNO|-c|-v VALUE] [-t SECS] SOCKET\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm((unsigned)secs);
	int s = listen_on(argv[optind]);
	if (s < 0)
		return 1;
	int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		perror("seccomp-listener: accept");
		return 1;
	}
	int nfd, nfds;
	char *state = receive(c, &nfd, &nfds);
	close(c);
	close(s);
	printf("state=%s\nfds=%d\n", state, nfds);
	free(state);
	if (nfd < 0)
		return 1;
	for (;;) {
		struct pollfd p = {.fd = nfd, .events = POLLIN};
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p.revents & POLLIN) {
			if (answer(nfd, mode, value) < 0)
				return 1;
		} else if (p.revents & (POLLHUP | POLLERR)) {
			printf("done\n");
			return 0;
		}
	}
}
