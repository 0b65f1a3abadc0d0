/* recvtty: console-socket receiver for OCI runtime tests.
 *
 * usage: recvtty [-i] [-w|-W] [-t SECONDS] SOCKET_PATH
 *
 * Listens on the unix stream socket SOCKET_PATH (the socket is bound under
 * a temporary name and renamed into place once listen() was called, so the
 * path appearing means it is ready to accept), accepts exactly one
 * connection and receives the pty master fd via SCM_RIGHTS.
 *
 *   (default)  copy everything read from the master to stdout until the
 *              master reports EOF or EIO (all slave fds closed)
 *   -i         also copy our stdin to the master (stdin EOF is ignored)
 *   -w         print "winsize=ROWSxCOLS" (TIOCGWINSZ on the received fd)
 *              as the first stdout line, then copy as usual
 *   -W         print the winsize line and exit immediately
 *   -t SECS    give up (exit 3) after SECS seconds (default 120)
 *
 * Exit status: 0 on master EOF/EIO, 1 on setup errors, 3 on timeout.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "recvtty: timeout\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing useful to do */
	}
	_exit(3);
}

static int recv_fd(int conn)
{
	char data[4096];
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {0};
	struct cmsghdr *c;
	ssize_t n;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	do {
		n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die("recvmsg");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
			return fd;
		}
	}
	fprintf(stderr, "recvtty: no fd received\n");
	exit(1);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int opt, fwd_stdin = 0, winsize = 0, winsize_only = 0;
	unsigned timeout = 120;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof(addr.sun_path)];
	const char *path;
	int lsock, conn, master;

	while ((opt = getopt(argc, argv, "iwWt:")) != -1) {
		switch (opt) {
		case 'i':
			fwd_stdin = 1;
			break;
		case 'w':
			winsize = 1;
			break;
		case 'W':
			winsize = winsize_only = 1;
			break;
		case 't':
			timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: recvtty [-i] [-w|-W] [-t SECS] "
					"SOCKET_PATH\n");
			return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "recvtty: missing SOCKET_PATH\n");
		return 1;
	}
	path = argv[optind];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	if (timeout)
		alarm(timeout);

	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0)
		die("socket");
	strcpy(addr.sun_path, tmp);
	unlink(tmp);
	if (bind(lsock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind");
	if (listen(lsock, 1) < 0)
		die("listen");
	if (rename(tmp, path) < 0)
		die("rename");

	do {
		conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	} while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die("accept");
	master = recv_fd(conn);
	close(conn);
	close(lsock);
	unlink(path);

	if (winsize) {
		struct winsize ws;
		if (ioctl(master, TIOCGWINSZ, &ws) < 0)
			die("TIOCGWINSZ");
		printf("winsize=%ux%u\n", (unsigned)ws.ws_row, (unsigned)ws.ws_col);
		fflush(stdout);
		if (winsize_only)
			return 0;
	}

	for (;;) {
		struct pollfd p[2] = {
		    {.fd = master, .events = POLLIN},
		    {.fd = fwd_stdin ? 0 : -1, .events = POLLIN},
		};
		char buf[4096];
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[0].revents) {
			n = read(master, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) /* EOF or EIO: slave side fully closed */
				break;
			if (write_all(1, buf, (size_t)n) < 0)
				die("write stdout");
		}
		if (p[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				fwd_stdin = 0; /* stdin done; keep reading master */
				continue;
			}
			if (write_all(master, buf, (size_t)n) < 0)
				die("write master");
		}
	}
	return 0;
}
