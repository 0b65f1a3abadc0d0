/* Confining every path of a layer to its root: lexical cleaning of names,
 * then openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) for the directories
 * on the way, so symlinks (absolute or with "..") resolve as if the root were
 * "/"; the last component is only ever used with *at() calls that do not
 * follow it. */
#include "core/archive/unpack-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static char **slot(const struct pathset *s, const char *p)
{
	size_t mask = s->cap - 1;
	for (size_t i = hash(p) & mask;; i = (i + 1) & mask)
		if (s->v[i] == NULL || strcmp(s->v[i], p) == 0)
			return &s->v[i];
}

void pathset_add(struct pathset *s, const char *path)
{
	if (2 * (s->n + 1) > s->cap) {
		struct pathset old = *s;
		s->cap = old.cap ? old.cap * 2 : 256;
		s->v = xcalloc(s->cap, sizeof(*s->v));
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i])
				*slot(s, old.v[i]) = old.v[i];
		free(old.v);
	}
	char **e = slot(s, path);
	if (*e == NULL) {
		*e = xstrdup(path);
		s->n++;
	}
}

bool pathset_has(const struct pathset *s, const char *path)
{
	return s->cap && *slot(s, path) != NULL;
}

void pathset_free(struct pathset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct pathset){0};
}

int unpack_clean_name(const char *name, char **out, struct berth_error **err)
{
	if (name == NULL || name[0] == '\0')
		return berth_error_set(err, EINVAL, "empty name");
	if (name[0] == '/')
		return berth_error_set(err, EPERM, "absolute path %s: not allowed in a layer",
				       name);
	size_t len = strlen(name);
	char *res = xmalloc(len + 1);
	size_t n = 0;
	for (const char *p = name; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0) {
				free(res);
				return berth_error_set(err, EPERM,
						       "path %s: climbs out of the root", name);
			}
			while (n > 0 && res[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash */
		} else if (l > 0 && !(l == 1 && p[0] == '.')) {
			if (n > 0)
				res[n++] = '/';
			memcpy(res + n, p, l);
			n += l;
		}
		p += l;
		while (*p == '/')
			p++;
	}
	res[n] = '\0';
	*out = res;
	return 0;
}

static int open_in_root(int root, const char *path, struct berth_error **err)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	for (;;) {
		long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == EINTR || errno == EAGAIN)
			continue;
		return berth_error_errno(err, "open directory %s in the root", path);
	}
}

static int mkdir_fail(int parent, const char *name, const char *dir, struct berth_error **err)
{
	struct stat st;
	if (errno != EEXIST || fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(st.st_mode))
		return berth_error_errno(err, "mkdir %s", dir);
	char target[256] = "";
	ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	return berth_error_set(err, ENOTDIR,
			       "%s: symlink to %s%s, which leads to no directory inside the root",
			       dir, target, n == (ssize_t)sizeof(target) - 1 ? "..." : "");
}

int unpack_open_parent(struct unpack *u, const char *path, bool create, const char **base,
		       struct berth_error **err)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL) {
		*base = path[0] ? path : ".";
		int fd = fcntl(u->root, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? berth_error_errno(err, "dup root fd") : fd;
	}
	*base = slash + 1;
	cleanup_free char *dir = xasprintf("%.*s", (int)(slash - path), path);
	int fd = open_in_root(u->root, dir, NULL);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : open_in_root(u->root, dir, err);
	/* Make the missing directories one by one, each in a parent resolved
	 * inside the root. */
	cleanup_close int cur = fcntl(u->root, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return berth_error_errno(err, "dup root fd");
	for (char *p = dir;;) {
		char *end = strchr(p, '/');
		if (end)
			*end = '\0';
		int next = open_in_root(u->root, dir, NULL);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(cur, p, 0755) < 0)
				return mkdir_fail(cur, p, dir, err);
			next = open_in_root(u->root, dir, err);
		} else if (next < 0) {
			return open_in_root(u->root, dir, err);
		}
		if (next < 0)
			return -1;
		close(cur);
		cur = next;
		if (end == NULL)
			break;
		*end = '/';
		p = end + 1;
	}
	return steal_fd(cur);
}

void unpack_parent_forget(struct unpack *u)
{
	u->parent_stale = true; /* closed by the next lookup: a caller may still use it */
}

void unpack_parent_close(struct unpack *u)
{
	if (u->parent_fd >= 0)
		close(u->parent_fd);
	u->parent_fd = -1;
	free(u->parent_path);
	u->parent_path = NULL;
	u->parent_stale = false;
}

int unpack_parent_cached(struct unpack *u, const char *path, const char **base,
			 struct berth_error **err)
{
	const char *slash = strrchr(path, '/');
	int len = slash ? (int)(slash - path) : 0;
	if (slash && u->parent_fd >= 0 && !u->parent_stale &&
	    strlen(u->parent_path) == (size_t)len && memcmp(u->parent_path, path, len) == 0) {
		*base = slash + 1;
		return u->parent_fd;
	}
	unpack_parent_close(u);
	int fd = unpack_open_parent(u, path, true, base, err);
	if (fd < 0)
		return -1;
	u->parent_fd = fd;
	u->parent_path = xasprintf("%.*s", len, path);
	return fd;
}

static int remove_tree(int parent, const char *name, const char *what, int depth,
		       struct berth_error **err)
{
	if (depth > 4096)
		return berth_error_set(err, ELOOP, "remove %s: too deep", what);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_closedir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return berth_error_errno(err, "remove %s: open", what);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM)
			return berth_error_errno(err, "remove %s/%s", what, de->d_name);
		if (remove_tree(fd, de->d_name, what, depth + 1, err) < 0)
			return -1;
	}
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berth_error_errno(err, "remove %s", what);
	return 0;
}

int unpack_remove_at(int dirfd, const char *name, const char *what, struct berth_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berth_error_errno(err, "stat %s", what);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return berth_error_errno(err, "remove %s", what);
		return 0;
	}
	return remove_tree(dirfd, name, what, 0, err);
}

int unpack_setxattr_at(int dirfd, const char *name, const char *key, const void *val, size_t len)
{
	/* dirfd is an O_PATH fd: go through its /proc entry (the directory
	 * itself is already resolved; name is not followed). */
	cleanup_free char *path = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
	return lsetxattr(path, key, val, len, 0);
}
