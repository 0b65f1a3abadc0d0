#include "runtime/terminal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int terminal_open(const struct oci_process *p, int *master, char **slave_path,
		  struct berth_error **err)
{
	cleanup_close int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "process.terminal: open /dev/ptmx");
	int unlock = 0;
	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0)
		return berth_error_errno(err, "process.terminal: unlock pty");
	int n;
	if (ioctl(fd, TIOCGPTN, &n) < 0)
		return berth_error_errno(err, "process.terminal: get pty number");
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = p->console_height, .ws_col = p->console_width};
		if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
			return berth_error_errno(err, "process.consoleSize: set window size");
	}
	*slave_path = xasprintf("/dev/pts/%d", n);
	*master = steal_fd(fd);
	return 0;
}

int terminal_become_controlled(const char *slave_path, struct berth_error **err)
{
	if (setsid() < 0 && errno != EPERM)
		return berth_error_errno(err, "setsid");
	cleanup_close int fd = open(slave_path, O_RDWR);
	if (fd < 0)
		return berth_error_errno(err, "open terminal %s", slave_path);
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return berth_error_errno(err, "make %s the controlling terminal", slave_path);
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return berth_error_errno(err, "dup terminal to fd %d", i);
	return 0;
}

int terminal_connect_socket(const char *path, struct berth_error **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return berth_error_set(err, ENAMETOOLONG, "--console-socket %s: path too long",
				       path);
	strcpy(sa.sun_path, path);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berth_error_errno(err, "--console-socket: socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return berth_error_errno(err, "--console-socket: connect to %s", path);
	return steal_fd(fd);
}
