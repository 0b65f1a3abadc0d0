/* One daemon per root, and the pidfile. */
#include "berthd.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int berthd_lock_root(const char *root, int *out, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/berthd.lock", root);
	cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return berth_error_errno(err, "open lock file %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return berth_error_errno(err, "lock %s", path);
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		return berth_error_set(err, EBUSY,
				       "another berthd (pid %s) is running with root %s: %s is "
				       "locked",
				       buf[0] ? buf : "unknown", root, path);
	}
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len)
		return berth_error_errno(err, "write %s", path);
	*out = steal_fd(fd);
	return 0;
}

/* A pid in the file that names a live berthd other than us. The process
 * name is checked too: after a kill -9 the pid of the old berthd may already
 * be another process's (pids wrap quickly on a busy host), and then a restart
 * must not be refused; the root lock still keeps two berthds apart. */
static bool pid_alive(const char *path)
{
	cleanup_free char *s = NULL;
	if (fs_read_file(path, &s, NULL, NULL) < 0)
		return false;
	char *end = NULL;
	long pid = strtol(s, &end, 10);
	if (end == s || pid <= 0 || pid == (long)getpid())
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
		return false;
	char comm_path[64];
	snprintf(comm_path, sizeof(comm_path), "/proc/%ld/comm", pid);
	cleanup_free char *comm = NULL;
	if (fs_read_file(comm_path, &comm, NULL, NULL) < 0)
		return true; /* no /proc: trust the pid */
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "berthd") == 0;
}

int berthd_pidfile_write(const char *path, struct berth_error **err)
{
	if (pid_alive(path))
		return berth_error_set(
		    err, EEXIST, "pid file found, ensure berthd is not running or delete %s", path);
	cleanup_free char *dir_copy = xstrdup(path);
	cleanup_free char *base_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	const char *base = basename(base_copy);
	if (fs_mkdir_p(dir, 0755, err) < 0)
		return berth_error_wrap(err, "pidfile %s", path);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", dir);
	char pid[32];
	int len = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (fs_write_file_atomic(dfd, base, pid, (size_t)len, 0644, false, err) < 0)
		return berth_error_wrap(err, "pidfile %s", path);
	return 0;
}
