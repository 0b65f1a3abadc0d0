/* The API's unix sockets. */
#include "berthd.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

static int set_owner(const char *path, struct berth_error **err)
{
	struct group gr, *res = NULL;
	cleanup_free char *buf = NULL;
	size_t len = 1024;
	int rc;
	do {
		len *= 2;
		free(buf);
		buf = xmalloc(len);
		rc = getgrnam_r(SOCKET_GROUP, &gr, buf, len, &res);
	} while (rc == ERANGE && len < (1u << 20));
	if (res != NULL) {
		if (chown(path, 0, res->gr_gid) < 0)
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
