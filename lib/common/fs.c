#include "common/fs.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>

ssize_t fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, p + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)done;
}

ssize_t fs_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int fs_read_file_at(int dirfd, const char *path, char **out, size_t *len, struct berth_error **err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "open %s", path);
	size_t cap = 4096, n = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return berth_error_errno(err, "read %s", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_ptr(buf);
	return 0;
}

int fs_read_file(const char *path, char **out, size_t *len, struct berth_error **err)
{
	return fs_read_file_at(AT_FDCWD, path, out, len, err);
}

int fs_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			 bool durable, struct berth_error **err)
{
	cleanup_free char *tmp = xasprintf(".%s.tmp", name);
	cleanup_close int fd =
	    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return berth_error_errno(err, "create %s", tmp);
	if (fs_write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		berth_error_errno(err, "write %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		berth_error_errno(err, "rename %s to %s", tmp, name);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int fs_write_string(const char *path, const char *s, struct berth_error **err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "open %s", path);
	if (fs_write_all(fd, s, strlen(s)) < 0)
		return berth_error_errno(err, "write %s to %s", s, path);
	return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, struct berth_error **err)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return berth_error_errno(err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return berth_error_errno(err, "mkdir %s", p);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = flag == FTW_DP ? rmdir(path) : unlink(path);
	return r < 0 && errno != ENOENT ? -1 : 0;
}

int fs_rm_rf(const char *path, struct berth_error **err)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return berth_error_errno(err, "remove %s", path);
	return 0;
}

bool fs_exists(const char *path)
{
	return access(path, F_OK) == 0;
}
