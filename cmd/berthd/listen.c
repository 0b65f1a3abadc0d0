/* The API's unix sockets. */
#include "berthd.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define SOCKET_GROUP "berth"

static int make_addr(const char *path, struct sockaddr_un *sa, struct berth_error **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return berth_error_set(err, ENAMETOOLONG, "socket path %s: longer than %zu bytes",
				       path, sizeof(sa->sun_path) - 1);
	strcpy(sa->sun_path, path);
	return 0;
}

/* Someone accepts connections on path? */
static bool listening(const struct sockaddr_un *sa)
{
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	int rc;
	do
		rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	while (rc < 0 && errno == EINTR);
	return rc == 0 || errno == EAGAIN;
}

static int remove_stale(const char *path, const struct sockaddr_un *sa, struct berth_error **err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : berth_error_errno(err, "stat %s", path);
	if (!S_ISSOCK(st.st_mode))
		return berth_error_set(err, EEXIST, "%s exists and is not a socket", path);
	if (listening(sa))
		return berth_error_set(err, EADDRINUSE,
				       "%s: another daemon is listening on this socket", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berth_error_errno(err, "remove stale socket %s", path);
	log_info("removed stale socket %s", path);
	return 0;
}

/* The gid of the socket group, as dockerd finds it: /etc/group first, then
 * `getent group` (LDAP, systemd-userdb, ...) in a child process, so that berthd itself
 * never loads the NSS modules (their pages stay out of the idle daemon's memory).
 * -1: no such group. */
static long socket_gid(void)
{
	FILE *f = fopen("/etc/group", "re");
	if (f != NULL) {
		struct group gr, *res = NULL;
		size_t len = 16384;
		cleanup_free char *buf = xmalloc(len);
		long gid = -1;
		/* stops at the end and on ERANGE (a longer line: then getent decides;
		 * fgetgrent_r would hand back the same line forever) */
		while (gid < 0 && fgetgrent_r(f, &gr, buf, len, &res) == 0)
			if (strcmp(res->gr_name, SOCKET_GROUP) == 0)
				gid = (long)res->gr_gid;
		fclose(f);
		if (gid >= 0)
			return gid;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"getent", "group", SOCKET_GROUP, NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "getent", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	char out[4096];
	size_t n = 0;
	ssize_t r;
	while (rc == 0 && n < sizeof(out) - 1 &&
	       ((r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0 || (r < 0 && errno == EINTR)))
		n += r > 0 ? (size_t)r : 0;
	close(p[0]);
	if (rc != 0)
		return -1;
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out[n] = '\0';
	/* berth:x:GID:members */
	char *c = strchr(out, ':');
	c = c ? strchr(c + 1, ':') : NULL;
	if (c == NULL || !(c[1] >= '0' && c[1] <= '9'))
		return -1;
	return strtol(c + 1, NULL, 10);
}

static int set_owner(const char *path, struct berth_error **err)
{
	long gid = socket_gid();
	if (gid >= 0) {
		if (chown(path, 0, (gid_t)gid) < 0)
			return berth_error_errno(err, "chown %s to group %s", path, SOCKET_GROUP);
		log_debug("socket %s: group %s", path, SOCKET_GROUP);
	}
	if (chmod(path, 0660) < 0)
		return berth_error_errno(err, "chmod 0660 %s", path);
	return 0;
}

int berthd_listen_unix(const char *path, int *out, struct berth_error **err)
{
	struct sockaddr_un sa;
	if (make_addr(path, &sa, err) < 0)
		return -1;
	cleanup_free char *copy = xstrdup(path);
	if (fs_mkdir_p(dirname(copy), 0711, err) < 0)
		return berth_error_wrap(err, "socket %s", path);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berth_error_errno(err, "socket for %s", path);
	if (remove_stale(path, &sa, err) < 0)
		return -1;
	mode_t old = umask(0177); /* no window with a world-accessible socket */
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0)
		return berth_error_errno(err, "bind %s", path);
	if (set_owner(path, err) < 0) {
		unlink(path);
		return -1;
	}
	if (listen(fd, 128) < 0) {
		int saved = errno;
		unlink(path);
		errno = saved;
		return berth_error_errno(err, "listen on %s", path);
	}
	*out = steal_fd(fd);
	return 0;
}
